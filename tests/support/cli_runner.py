"""Helpers for end-to-end tests of the `crasme` command (used by tests/e2e)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

PASSPHRASE = "correct horse battery staple"


@dataclass
class Crasme:
    """Runs `python -m crasme_desktop ...` the way a script would."""

    cwd: Path

    def __call__(self, *args: str | os.PathLike[str], input: str | None = None,
                 env: dict[str, str] | None = None,
                 timeout: float = 120) -> subprocess.CompletedProcess[str]:
        full_env = dict(os.environ)
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "crasme_desktop", *map(str, args)],
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True, text=True, cwd=self.cwd, env=full_env, timeout=timeout,
            check=False,
        )

    def ok(self, *args: str | os.PathLike[str],
           **kwargs: object) -> subprocess.CompletedProcess[str]:
        """Run and insist on exit 0, showing stderr if not."""
        result = self(*args, **kwargs)  # type: ignore[arg-type]
        assert result.returncode == 0, (
            f"crasme {' '.join(map(str, args))} exited {result.returncode}: {result.stderr}"
        )
        return result


def key_slots(vault: Path) -> Path:
    return vault.with_name(vault.name + ".keys")


def fingerprint(*paths: Path) -> dict[str, str | None]:
    """sha256 of each file (None when missing), to prove files were left untouched."""
    out: dict[str, str | None] = {}
    for path in paths:
        try:
            out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        except FileNotFoundError:
            out[str(path)] = None
    return out


def one_sentence(stderr: str) -> str:
    """The single line a failed command printed; fails if there is more, or a traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one sentence on stderr, got: {stderr!r}"
    assert "Traceback" not in stderr
    return lines[0]


class Tmpfs:
    """A small tmpfs mounted for one test (needs root)."""

    def __init__(self, where: Path, size: str) -> None:
        self.path = where
        self.size = size
        self.mounted = False

    def mount(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        _run_mount("mount", "-t", "tmpfs", "-o", f"size={self.size},mode=0755",
                   f"crasme-test-{uuid.uuid4().hex[:8]}", str(self.path))
        self.mounted = True

    def remount_read_only(self) -> None:
        _run_mount("mount", "-o", "remount,ro", str(self.path))

    def remount_read_write(self) -> None:
        _run_mount("mount", "-o", "remount,rw", str(self.path))

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], check=False, capture_output=True)
            self.mounted = False


def _run_mount(*cmd: str) -> None:
    result = subprocess.run(list(cmd), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise OSError(f"{' '.join(cmd)} failed: {result.stderr.strip()}")


def fill_disk(folder: Path) -> Path:
    """Write a file until the filesystem is full; returns it (delete it to free space)."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        size = 1 << 20
        while size >= 1:  # big writes first, then ever smaller ones, so no byte is left
            try:
                while os.write(fd, b"\0" * size) == size:
                    pass
            except OSError:
                pass
            size //= 2
    finally:
        os.close(fd)
    return filler
