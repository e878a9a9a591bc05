"""Fixtures shared by every test suite.

Every test runs with its own data, config, state and cache folders and its own
test keychain (a JSON file), so no test can touch the user's real vault, settings
or keychain, and subprocesses started by a test inherit the same isolation.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import settings
from tests.support.required import unavailable

# No per-example deadline: speed is measured in tests/bench, and a first example that
# loads a library's tables on a busy machine must not fail a correctness test.
settings.register_profile("crasme", deadline=None)
settings.load_profile("crasme")

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # so `tests.support` imports however pytest was started
    sys.path.insert(0, str(REPO_ROOT))

from tests.support.file_keyring import BACKEND_PATH, ENV_FILE, FileKeyring  # noqa: E402

XDG_DIRS = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


@dataclass(frozen=True)
class IsolatedEnv:
    """Where the current test's private folders and test keychain live."""

    root: Path
    data_home: Path
    config_home: Path
    state_home: Path
    cache_home: Path
    keyring_file: Path

    @property
    def default_vault(self) -> Path:
        """Where `crasme` puts its vault when no --vault or CRASME_VAULT is given."""
        return self.data_home / "crasme-desktop" / "default.crasme"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[IsolatedEnv]:
    """Point XDG folders and the keychain at temp places for this test (autouse).

    Sets XDG_DATA_HOME/XDG_CONFIG_HOME/XDG_STATE_HOME/XDG_CACHE_HOME to fresh
    folders, PYTHON_KEYRING_BACKEND to the file keyring of `tests.support` (with
    CRASME_TEST_KEYRING_FILE naming its file) and puts the repository on
    PYTHONPATH, so a subprocess started by the test is isolated in the same way.
    Removes CRASME_VAULT and CRASME_PASSPHRASE. In this process the `keyring`
    library is switched to the same file keyring, and forgets it after the test.
    Returns an `IsolatedEnv` with the paths.
    """
    root = tmp_path_factory.mktemp("env")
    values = {name: root / name.removeprefix("XDG_").removesuffix("_HOME").lower()
              for name in XDG_DIRS}
    for name, path in values.items():
        path.mkdir()
        monkeypatch.setenv(name, str(path))
    keyring_file = root / "keyring.json"
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", BACKEND_PATH)
    monkeypatch.setenv(ENV_FILE, str(keyring_file))
    old_path = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(REPO_ROOT), old_path) if p))
    for name in ("CRASME_VAULT", "CRASME_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)

    keyring_module = sys.modules.get("keyring")
    if keyring_module is not None:
        keyring_module.set_keyring(FileKeyring(keyring_file))
    yield IsolatedEnv(
        root=root,
        data_home=values["XDG_DATA_HOME"],
        config_home=values["XDG_CONFIG_HOME"],
        state_home=values["XDG_STATE_HOME"],
        cache_home=values["XDG_CACHE_HOME"],
        keyring_file=keyring_file,
    )
    if "keyring.core" in sys.modules:
        # Forget this test's backend; the next use resolves it again from the environment.
        sys.modules["keyring.core"]._keyring_backend = None


@pytest.fixture
def file_keyring(isolated_env: IsolatedEnv) -> FileKeyring:
    """The test keychain of this test (a JSON file), to pass as a Keychain backend
    or to inspect/clear in assertions. Subprocesses see the same file."""
    return FileKeyring(isolated_env.keyring_file)


@pytest.fixture
def secret_service_keyring() -> Iterator[object]:
    """A `keyring.backends.SecretService.Keyring` talking to a real Secret Service.

    Meant for tests marked `keychain`; run them inside `scripts/with-keyring`,
    which starts a throwaway gnome-keyring on a private D-Bus session. Skips with
    the precise reason when there is no session bus, no gnome-keyring-daemon, or
    the service does not answer a store/read/delete round trip; with
    CRASME_STRICT_TESTS=1 (set by scripts/test, so `make test` and CI) it fails
    instead, so the keychain tests can never be skipped unnoticed. Tests
    clean up the entries they store.
    """
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        _unavailable("DBUS_SESSION_BUS_ADDRESS is unset: run the suite under scripts/with-keyring")
    if shutil.which("gnome-keyring-daemon") is None:
        _unavailable("gnome-keyring-daemon is not installed (apt-get install gnome-keyring)")
    try:
        from keyring.backends import SecretService
    except ImportError as exc:  # pragma: no cover - SecretStorage is a test dependency
        _unavailable(f"the SecretService keyring backend cannot be imported: {exc}")
    backend = SecretService.Keyring()
    try:
        backend.priority  # noqa: B018 - raises RuntimeError when the service is unusable
        probe = f"probe-{uuid.uuid4().hex}"
        backend.set_password("crasme-desktop-test-probe", probe, "ok")
        answer = backend.get_password("crasme-desktop-test-probe", probe)
        backend.delete_password("crasme-desktop-test-probe", probe)
    except Exception as exc:  # any failure means: no usable Secret Service here
        _unavailable(f"the Secret Service on this D-Bus session does not work: {exc!r}")
    if answer != "ok":
        _unavailable(f"the Secret Service gave back {answer!r} instead of the stored secret")
    yield backend


def _unavailable(reason: str) -> NoReturn:
    unavailable("a real Secret Service", reason)


@pytest.fixture
def pdftotext() -> str:
    """The path of poppler's pdftotext, for tests that read the text of a PDF back."""
    found = shutil.which("pdftotext")
    if found is None:
        unavailable("pdftotext", "pdftotext (poppler-utils) is not installed")
    return found


@pytest.fixture
def cheap_user_slots(monkeypatch):
    """User sign-in slots made with Argon2id at its least cost (a slot keeps the cost it
    was made with, so signing in is as cheap); for tests that make and open many."""
    from crasme_desktop.vault import keyslots

    monkeypatch.setattr(keyslots, "ARGON2_TIME_COST", 1)
    monkeypatch.setattr(keyslots, "ARGON2_MEMORY_KIB", 8 * 1024)
    monkeypatch.setattr(keyslots, "LOOKUP_TIME_COST", 1)
    monkeypatch.setattr(keyslots, "LOOKUP_MEMORY_KIB", 8 * 1024)
