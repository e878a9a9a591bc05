"""Fixtures for end-to-end tests: the `crasme` command run in a subprocess.

The autouse `isolated_env` fixture of tests/conftest.py already points the XDG
folders and the keychain (a JSON file keyring) at temp places, and subprocesses
inherit that environment.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.cli_runner import Crasme, Tmpfs
from tests.support.required import unavailable


@pytest.fixture
def crasme(tmp_path: Path) -> Crasme:
    """Run the `crasme` command in a subprocess, isolated like the test itself."""
    return Crasme(cwd=tmp_path)


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    """Where a test's vault goes (not created)."""
    folder = tmp_path / "vaults"
    folder.mkdir()
    return folder / "office.crasme"


@pytest.fixture
def tmpfs_factory(tmp_path: Path) -> Iterator[Callable[..., Tmpfs]]:
    """Mounts small tmpfs filesystems (root only); skips with the reason otherwise."""
    if os.geteuid() != 0:
        unavailable("root", "needs root to mount a small tmpfs (run as root, e.g. in CI's "
                    "container)")
    mounted: list[Tmpfs] = []

    def make(size: str = "4m", name: str = "fs") -> Tmpfs:
        fs = Tmpfs(tmp_path / name, size)
        try:
            fs.mount()
        except OSError as exc:
            unavailable("a small tmpfs", f"cannot mount a tmpfs here: {exc}")
        mounted.append(fs)
        return fs

    yield make
    for fs in reversed(mounted):
        with contextlib.suppress(OSError):
            fs.unmount()




@pytest.fixture
def nina(vault_path: Path, file_keyring: Any) -> str:
    """A vault (the Owner's key in the keychain) with a Staff user, Nina, who signs in as
    "nina" with `NINA_PASS`; returns her user id."""
    from crasme_desktop.domain.permissions import BUILTIN_ROLE_IDS
    from crasme_desktop.services import users
    from crasme_desktop.vault import Keychain, create_vault, open_vault, user_slots
    from tests.support.cli_runner import NINA_PASS, PASSPHRASE

    keychain = Keychain(file_keyring)
    create_vault(vault_path, passphrase=PASSPHRASE, keychain=keychain)
    with open_vault(vault_path, keychain=keychain) as vault:
        record = users.add_user(vault, "Nina Staff", BUILTIN_ROLE_IDS["staff"])
        user_slots.add_user_slot(vault, record.id, "nina", NINA_PASS)
    return record.id
