"""Sales documents saved as files: the PDF of a quote, an invoice or a credit note.

The PDF is written to a temporary file beside the target, flushed to disk and then
renamed into place, so a full disk or a crash never leaves half a PDF under the
chosen name.

Permissions: making the PDF of a quote needs quotes.view and print, of an invoice or a
credit note invoices.view and print, checked before anything is read. Printing is a
sensitive read: each saved PDF leaves an audit event ("quote.print" or
"invoice.print") with the record's id and nothing else.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.progress import Progress
from crasme_desktop.services import audit, permissions
from crasme_desktop.vault import Vault

#: kind of document -> the permission area it belongs to
_AREAS = {"quote": "quotes", "invoice": "invoices"}


def save_pdf(vault: Vault, kind: str, record_id: str, path: Path,
             facturx: bool = False, *, progress: Progress | None = None) -> Path:
    """Render the quote or invoice (`kind` "quote" | "invoice") and save it at `path`;
    with `facturx` the PDF carries the e-invoice XML. `progress` (from the task runner)
    is told each step and may cancel before the file is written."""
    from crasme_desktop.formats.sales_pdf import render_pdf
    from crasme_desktop.services.invoices import document_for

    if kind not in _AREAS:
        raise ValueError(f"unknown document kind {kind!r}")
    permissions.require(vault, f"{_AREAS[kind]}.view")
    permissions.require(vault, "print")
    progress = progress or Progress()
    progress.update(0, 2, "Reading the document…")
    document = document_for(vault, kind, record_id)
    progress.check()
    progress.update(1, 2, "Drawing the pages…")
    data = render_pdf(document, facturx=facturx)
    progress.check()
    target = Path(path)
    write_atomically(target, data)
    audit.record_read(vault, f"{kind}.print", kind, record_id)
    progress.update(2, 2, "")
    return target


def write_atomically(target: Path, data: bytes, *, what: str = "PDF") -> None:
    """Write `data` to `target` through a temporary file and an atomic rename (`what`
    names the file in the sentence shown when that fails)."""
    folder = target.parent
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                             dir=folder)
    except OSError as exc:
        raise _file_error(exc, folder, what) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_name, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise _file_error(exc, folder, what) from exc


def _file_error(exc: OSError, folder: Path, what: str = "PDF") -> UserError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return UserError(f"The disk is full, so the {what} could not be saved in {folder}; "
                         "free some space or choose another place.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return UserError(f"Crasme may not write in {folder}; choose another folder, "
                         "such as your Documents folder.")
    if exc.errno == errno.ENOENT:
        return UserError(f"The folder {folder} does not exist any more; choose another "
                         f"place for the {what}.")
    return UserError(f"The {what} could not be saved in {folder} ({exc.strerror}); choose "
                     "another place.")
