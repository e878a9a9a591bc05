"""Fixtures of the crash tests: a prepared vault and the worker's fork server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from crasme_desktop.vault import create_vault
from tests.crash import worker

PASSPHRASE = "crash test passphrase"


@dataclass(frozen=True)
class CrashVault:
    path: Path
    log: Path
    backups: Path
    env: dict[str, str]


@pytest.fixture
def crash_vault(tmp_path: Path) -> CrashVault:
    """A vault with a passphrase (no keychain), business settings and a customer."""
    path = tmp_path / "office" / "office.crasme"
    create_vault(path, passphrase=PASSPHRASE, use_keychain=False)
    worker.prepare(path, PASSPHRASE)
    backups = tmp_path / "backups"
    env = dict(os.environ, **{worker.PASSPHRASE_ENV: PASSPHRASE,
                              worker.BACKUPS_ENV: str(backups)})
    return CrashVault(path, tmp_path / "worker.log", backups, env)


class ForkServer:
    """`python -m tests.crash.worker --serve`: starts workers without paying for
    Python's start and imports on every kill."""

    def __init__(self, env: dict[str, str], stderr: Path) -> None:
        self.stderr_path = stderr
        self._stderr = open(stderr, "wb")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.crash.worker", "--serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            env=env, text=True, cwd=Path(__file__).resolve().parents[2])

    def start(self, vault: Path, log: Path, seed: int) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{vault}\t{log}\t{seed}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"the fork server died: {self.errors()}")
        return int(line)

    def ended(self) -> int:
        """Wait for the worker to end; its wait status."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("ended "), f"fork server said {line!r}: {self.errors()}"
        return int(line.split()[1])

    def errors(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")[-4000:]

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._stderr.close()


@pytest.fixture
def fork_server(crash_vault: CrashVault, tmp_path: Path) -> Iterator[ForkServer]:
    server = ForkServer(crash_vault.env, tmp_path / "fork-server.err")
    yield server
    server.close()
