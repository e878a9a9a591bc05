"""Fixtures for the GUI tests: an offscreen Qt, an in-memory keychain, a fake clock.

The suite-wide `isolated_env` fixture (tests/conftest.py) already points the XDG
folders at temp places for every test; here each test also gets a keychain that
lives in memory only, passed explicitly as `Keychain(backend=...)`, so no test can
reach the user's real keychain even if the environment were wrong.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before pytest-qt creates the QApplication

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from crasme_desktop.domain.clock import FakeClock
from keyring.backend import KeyringBackend

XDG_DIRS = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
PASSPHRASE = "correct horse battery staple"


#: Messages of the offscreen platform plugin itself, not of our code: it cannot size
#: native dialogs the way a desktop does. Every other Qt warning still fails a test.
OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise)\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


class MemoryKeyring(KeyringBackend):
    """A keychain that forgets everything when the test ends."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("no such entry")


@pytest.fixture(autouse=True)
def gui_isolation(isolated_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Guard: the shared `isolated_env` fixture has put every XDG folder under tmp."""
    for name in XDG_DIRS:
        assert os.environ[name].startswith(str(isolated_env.root)), name


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def keychain(memory_keyring: MemoryKeyring) -> Any:
    from crasme_desktop.vault import Keychain

    return Keychain(backend=memory_keyring)


@pytest.fixture
def no_keychain() -> Any:
    """A keychain that is not there (a Linux desktop without Secret Service)."""
    from crasme_desktop.vault import Keychain
    from keyring.backends import fail

    return Keychain(backend=fail.Keyring())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class CrashLog:
    """Stands in for the crash dialog: collects what would have been reported."""

    def __init__(self) -> None:
        self.reports: list[BaseException] = []

    def report(self, exc: BaseException) -> None:
        self.reports.append(exc)


@pytest.fixture
def crashes() -> Iterator[CrashLog]:
    log = CrashLog()
    yield log


@pytest.fixture
def make_vault(tmp_path: Path, keychain: Any) -> Callable[..., Any]:
    """Create a real vault in tmp_path (outside the GUI) and return its CreatedVault."""
    from crasme_desktop.services import vaults

    def make(
        name: str = "office.crasme",
        *,
        passphrase: str | None = PASSPHRASE,
        use_keychain: bool = False,
        sample_contacts: int = 0,
    ) -> Any:
        return vaults.create(
            tmp_path / name,
            passphrase=passphrase,
            use_keychain=use_keychain,
            keychain=keychain,
            sample_contacts=sample_contacts,
        )

    return make


@pytest.fixture
def make_controller(qtbot: Any, keychain: Any, clock: FakeClock,
                    crashes: CrashLog) -> Iterator[Callable[..., Any]]:
    """Build an AppController wired to the test keychain, fake clock and crash log."""
    from crasme_desktop.ui.controller import AppController
    from crasme_desktop.ui.crash import CrashReporter

    made: list[AppController] = []

    def make(path: Path, **overrides: Any) -> AppController:
        reporter = CrashReporter(None, show_dialog=False)
        options: dict[str, Any] = {
            "keychain": keychain, "clock": clock, "crash": reporter, "idle_poll_ms": 20,
        }
        options.update(overrides)
        controller = AppController(path, **options)
        controller.tasks._report_crash = crashes.report
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.shutdown()
    assert not crashes.reports, f"unexpected bugs reported: {crashes.reports!r}"
