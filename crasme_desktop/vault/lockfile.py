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
from typing import IO, Any

from crasme_desktop.vault.errors import VaultInUse
from crasme_desktop.vault.files import storage_error
from crasme_desktop.vault.paths import lock_path


class VaultLock:
    def __init__(self, vault: Path) -> None:
        self.vault = vault
        self.path = lock_path(vault)
        self._handle: IO[Any] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self) -> None:
        """Take the lock or raise `VaultInUse`; a lock left by a dead process is taken over."""
        if self._handle is not None:
            return
        try:
            # Unbuffered, so closing never has a pending write to fail on a full disk.
            handle = open(self.path, "a+b", buffering=0)  # noqa: SIM115 - held open on purpose
        except OSError as exc:
            raise storage_error(exc, self.vault) from exc
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().decode("utf-8", "replace").strip()
            handle.close()
            raise VaultInUse(self.vault, holder)
        self._handle = handle
        # Who holds the lock is a courtesy for the other window's message; on a full
        # disk it cannot be written, and the lock holds all the same.
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        with contextlib.suppress(OSError):
            handle.seek(0)
            handle.truncate()
            text = f"process {os.getpid()} on {socket.gethostname()}, since {started}"
            handle.write(text.encode("utf-8"))

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        with contextlib.suppress(OSError):
            handle.seek(0)
            handle.truncate()
        # The empty file stays: unlinking it would let two processes lock two inodes.
        _unlock(handle)
        handle.close()


if sys.platform == "win32":  # pragma: no cover - exercised by the Windows installer smoke test
    import msvcrt

    def _try_lock(handle: IO[Any]) -> bool:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(handle: IO[Any]) -> None:
        with contextlib.suppress(OSError):
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[Any]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(handle: IO[Any]) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
