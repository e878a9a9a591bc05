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
#: The own passphrase of Nina, the Staff user of the `nina` fixture (tests/e2e).
NINA_PASS = "nina's own passphrase"


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


@dataclass
class TerminalRun:
    """What a command run in a pseudo-terminal printed, and how it ended."""

    output: str
    returncode: int


def run_in_terminal(args: list[str], script: list[tuple[str, str]],
                    timeout: float = 60) -> TerminalRun:
    """Run `python -m crasme_desktop ARGS` with a pseudo-terminal as its controlling
    terminal; for each (prompt, reply) wait for `prompt` in the output, then type
    `reply` and Enter. Returns everything it printed (prompts and all)."""
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the command
        try:
            os.execvpe(sys.executable, [sys.executable, "-m", "crasme_desktop", *args],
                       os.environ)
        finally:
            os._exit(127)
    output = b""
    deadline = time.monotonic() + timeout
    steps = list(script)

    def read_some() -> bool:
        nonlocal output
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            return True
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            return False
        output += chunk
        return bool(chunk)

    seen = 0  # output before this offset answered an earlier prompt
    try:
        alive = True
        while alive and time.monotonic() < deadline:
            if steps:
                at = output.find(steps[0][0].encode(), seen)
                if at >= 0:
                    prompt, reply = steps.pop(0)
                    seen = at + len(prompt.encode())
                    os.write(fd, reply.encode() + b"\n")
            alive = read_some()
        if alive:  # out of time: stop the child rather than hang
            os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    text = output.decode(errors="replace").replace("\r\n", "\n")
    if steps:
        raise AssertionError(f"never saw the prompt {steps[0][0]!r} in: {text!r}")
    return TerminalRun(text, os.waitstatus_to_exitcode(status))
