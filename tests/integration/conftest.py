"""Fixtures for tests on real SQLCipher files."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from crasme_desktop.vault import (
    CreatedVault,
    Keychain,
    Vault,
    create_vault,
    keyslot_path,
    open_vault,
)
from tests.support.required import unavailable

PASSPHRASE = "correct horse battery"


@pytest.fixture
def keychain(file_keyring) -> Keychain:
    """The test's own keychain (a JSON file), as the vault code sees it."""
    return Keychain(file_keyring)


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "office" / "office.crasme"


@pytest.fixture
def created(vault_path: Path, keychain: Keychain) -> CreatedVault:
    """A fresh vault with keychain entry, passphrase slot and recovery slot."""
    return create_vault(vault_path, passphrase=PASSPHRASE, keychain=keychain)


@pytest.fixture
def vault(created: CreatedVault, keychain: Keychain) -> Iterator[Vault]:
    """The fresh vault, open (a test module may define its own, e.g. with a fake clock)."""
    with open_vault(created.path, keychain=keychain) as opened:
        yield opened


def file_digests(vault: Path) -> dict[str, str]:
    """sha256 of the vault and its key-slot file (and -wal/-shm if present)."""
    out = {}
    for path in (
        vault,
        keyslot_path(vault),
        *(vault.with_name(vault.name + s) for s in ("-wal", "-shm")),
    ):
        if path.exists():
            out[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def unchanged() -> Callable[[Path], Callable[[], None]]:
    """`check = unchanged(path)` … `check()` asserts the vault files are byte-for-byte the same."""

    def start(vault: Path) -> Callable[[], None]:
        before = file_digests(vault)

        def check() -> None:
            assert file_digests(vault) == before

        return check

    return start


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs mounted for this test (needs root: CI runs as root)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if not _is_root():
        unavailable("root", "mounting a small filesystem to fill it needs root; run the "
                    "suite as root (CI does)")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if result.returncode:
        unavailable("a small tmpfs", f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    """`make_read_only(folder)` bind-mounts the folder read-only over itself (needs root)."""
    mounted: list[Path] = []
    if not _is_root():
        unavailable("root", "making a folder read-only for root needs a bind mount, which "
                    "needs root")

    def make_read_only(folder: Path) -> None:
        for args in (
            ["mount", "--bind", str(folder), str(folder)],
            ["mount", "-o", "remount,ro,bind", str(folder)],
        ):
            result = subprocess.run(args, capture_output=True, text=True)
            if result.returncode:
                unavailable("a read-only bind mount",
                            f"cannot make a read-only bind mount here: {result.stderr.strip()}")
        mounted.append(folder)

    yield make_read_only
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)
