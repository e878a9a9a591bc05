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


