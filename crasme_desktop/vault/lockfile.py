"""One process at a time per vault.

An OS-level lock on a small file beside the vault: the operating system drops it
when the process ends, however it ends, so a crash never leaves a lock behind that
a person must clear by hand (stale-lock recovery comes for free). The file's text
says who holds it, for the message the second instance shows.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

from crasme_desktop.vault.errors import VaultInUse
from crasme_desktop.vault.files import storage_error
from crasme_desktop.vault.paths import lock_path

#: The part of the holder note that never changes within a process.
_HOLDER = f"process {os.getpid()} on {socket.gethostname()}"


class VaultLock:
    def __init__(self, vault: Path) -> None:
        self.vault = vault
        self.path = lock_path(vault)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock or raise `VaultInUse`; a lock left by a dead process is taken over."""
        if self._fd is not None:
            return
        try:
            # A bare descriptor: nothing is buffered, so closing never has a pending
            # write to fail on a full disk.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _BINARY, 0o600)
        except OSError as exc:
            raise storage_error(exc, self.vault) from exc
        if not _try_lock(fd):
            with contextlib.suppress(OSError):
                os.lseek(fd, 0, os.SEEK_SET)
                holder = os.read(fd, 4096).decode("utf-8", "replace").strip()
            os.close(fd)
            raise VaultInUse(self.vault, holder)
        self._fd = fd
        # Who holds the lock is a courtesy for the other window's message; on a full
        # disk it cannot be written, and the lock holds all the same.
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{_HOLDER}, since {started}".encode())

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        # The empty file stays: unlinking it would let two processes lock two inodes.
        _unlock(fd)
        os.close(fd)


_BINARY = getattr(os, "O_BINARY", 0)

if sys.platform == "win32":  # pragma: no cover - exercised by the Windows installer smoke test
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
