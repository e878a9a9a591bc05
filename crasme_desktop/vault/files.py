"""Writing small files safely: temp file, flush, fsync, then replace."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from crasme_desktop.vault.errors import DiskFull, VaultReadOnly

_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def storage_error(exc: OSError, path: Path) -> Exception:
    """Map an OS error to the sentence a person needs, or return it unchanged."""
    if exc.errno in _FULL:
        return DiskFull(path)
    if exc.errno in _READ_ONLY:
        return VaultReadOnly(path)
    return exc


def atomic_write(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace `path` with `data` so that a crash leaves the old or the new file, never half."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise storage_error(exc, path) from exc


def fsync_dir(folder: Path) -> None:
    """Make a rename durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def folder_writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)
