"""Files attached to a timeline entry, a person, a company or another area's record.

The bytes live inside the vault (a BLOB in `attachment_content`), so they are
encrypted with everything else and never lie about as loose files; deleting one
overwrites it (the vault runs with secure_delete). Each read checks the sha256
taken when the file was added.

Permissions follow the record a file hangs on, as for timeline entries
(`timeline.area_of`): a ticket message's files need `tickets.*`, a deal's `deals.*`, a
person's `contacts.*`, an entry's those of the entry's record. Listing and reading need
the area's `view`, adding and deleting its `edit`; a list leaves out the files of areas
the acting user may not see. Saving a file out of the vault is recorded in the audit
trail ("attachment.save", ids only).
"""

from __future__ import annotations

import errno
import hashlib
import mimetypes
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath, PureWindowsPath

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import (
    Activity,
    Attachment,
    AttachmentContent,
    Organization,
    Person,
)
from crasme_desktop.domain.permissions import Actor
from crasme_desktop.domain.validation import check_no_card_number, quoted
from crasme_desktop.services import audit, permissions, privacy_consent
from crasme_desktop.services.contacts import NotFound
from crasme_desktop.services.timeline import require_on, visible_to
from crasme_desktop.vault import Vault

#: Large enough for scans, photos and PDFs; small enough that the vault, its
#: backups and exports stay easy to move around.
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
FILENAME_MAX = 255
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class AttachmentInfo:
    id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    activity_id: str | None
    person_id: str | None
    organization_id: str | None
    subject_kind: str
    subject_id: str
    created_at: datetime


@dataclass(frozen=True)
class AttachmentData:
    info: AttachmentInfo
    data: bytes


class AttachmentDamaged(UserError):
    """The stored bytes no longer match the checksum taken when they were added."""


def add_attachment(
    vault: Vault,
    *,
    filename: str,
    data: bytes,
    media_type: str = "",
    activity_id: str | None = None,
    person_id: str | None = None,
    organization_id: str | None = None,
    subject_kind: str = "",
    subject_id: str = "",
    max_bytes: int = MAX_ATTACHMENT_BYTES,
) -> AttachmentInfo:
    """Keep `data` inside the vault, linked to what the keyword arguments name."""
    actor = permissions.actor_of(vault)
    name = check_no_card_number(clean_filename(filename), "file name")
    _check_size(name, len(data), max_bytes)
    if not (activity_id or person_id or organization_id or (subject_kind and subject_id)):
        raise UserError("An attachment must belong to a timeline entry, a person or a company.")
    media = (media_type or "").strip().lower() or guess_media_type(name)
    with vault.unit_of_work() as uow:
        s = uow.session
        _check_links(s, activity_id, person_id, organization_id)
        _require(s, actor, "edit", activity_id, person_id, subject_kind)
        _ensure_not_restricted(s, person_id, activity_id)
        row = Attachment(
            filename=name,
            media_type=media[:127],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            activity_id=activity_id,
            person_id=person_id,
            organization_id=organization_id,
            subject_kind=subject_kind,
            subject_id=subject_id,
            created_at=vault.clock.now(),
            updated_at=vault.clock.now(),
        )
        s.add(row)
        s.flush()
        s.add(AttachmentContent(attachment_id=row.id, data=bytes(data)))
        audit.add(s, "attachment.create", "attachment", row.id)
        return _info(row)


def add_attachment_from_file(
    vault: Vault, path: Path, *, max_bytes: int = MAX_ATTACHMENT_BYTES, **links: str | None
) -> AttachmentInfo:
    """Read a file (checking its size first) and attach it; `links` as for
    `add_attachment`. The file itself is left where it is."""
    with vault.unit_of_work() as uow:  # before reading what may be a big file
        _require(uow.session, permissions.actor_of(vault), "edit", links.get("activity_id"),
                 links.get("person_id"), links.get("subject_kind") or "")
    path = Path(path)
    try:
        size = path.stat().st_size
        _check_size(path.name, size, max_bytes)
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise UserError(f"The file {quoted(path.name)} was not found.") from exc
    except PermissionError as exc:
        raise UserError(f"The file {quoted(path.name)} cannot be read: permission denied.") from exc
    except IsADirectoryError as exc:
        raise UserError(f"{quoted(path.name)} is a folder; choose a file to attach.") from exc
    return add_attachment(vault, filename=path.name, data=data, max_bytes=max_bytes, **links)


def read_attachment(vault: Vault, attachment_id: str) -> AttachmentData:
    actor = permissions.actor_of(vault)
    with vault.unit_of_work() as uow:
        s = uow.session
        row = _load(s, attachment_id)
        _require(s, actor, "view", row.activity_id, row.person_id, row.subject_kind)
        data = s.scalar(
            select(AttachmentContent.data).where(AttachmentContent.attachment_id == row.id)
        )
        if data is None or hashlib.sha256(data).hexdigest() != row.sha256:
            raise AttachmentDamaged(
                f"The attachment {quoted(row.filename)} is damaged; restore it from a backup."
            )
        return AttachmentData(_info(row), bytes(data))


def save_attachment(vault: Vault, attachment_id: str, target: Path) -> AttachmentInfo:
    """Write an attachment's bytes out to `target` (a temp file beside it, flushed, then
    moved into place), checked against its checksum first."""
    stored = read_attachment(vault, attachment_id)
    target = Path(target)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as out:
            out.write(stored.data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(
            f"The file {quoted(target.name)} cannot be written there: permission denied."
        ) from exc
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise UserError(f"The disk is full, so {quoted(target.name)} was not saved.") from exc
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise UserError(
                f"The folder for {quoted(target.name)} does not exist any more."
            ) from exc
        raise
    audit.record_read(vault, "attachment.save", "attachment", attachment_id)
    return stored.info


def list_attachments(
    vault: Vault,
    *,
    activity_id: str | None = None,
    person_id: str | None = None,
    organization_id: str | None = None,
    subject_kind: str = "",
    subject_id: str = "",
) -> list[AttachmentInfo]:
    """The attachments of one thing, oldest first (the bytes are not read)."""
    actor = permissions.actor_of(vault)
    query = select(Attachment)
    if activity_id is not None:
        query = query.where(Attachment.activity_id == activity_id)
    elif person_id is not None:
        query = query.where(Attachment.person_id == person_id)
    elif organization_id is not None:
        query = query.where(Attachment.organization_id == organization_id)
    elif subject_kind and subject_id:
        query = query.where(
            Attachment.subject_kind == subject_kind, Attachment.subject_id == subject_id
        )
    else:
        raise ValueError("say whose attachments to list")
    with vault.unit_of_work() as uow:
        if activity_id is not None:
            _require(uow.session, actor, "view", activity_id, None, "")
        else:
            require_on(actor, "view", "" if person_id or organization_id else subject_kind,
                       person_id)
        visible = visible_to(actor, Attachment.subject_kind, Attachment.person_id)
        if visible is not None:  # a person's files of areas the user may not see stay out
            query = query.where(visible)
        rows = uow.session.scalars(query.order_by(Attachment.created_at, Attachment.id))
        return [_info(r) for r in rows]


def delete_attachment(vault: Vault, attachment_id: str) -> None:
    actor = permissions.actor_of(vault)
    with vault.unit_of_work() as uow:
        s = uow.session
        row = _load(s, attachment_id)
        _require(s, actor, "edit", row.activity_id, row.person_id, row.subject_kind)
        _ensure_not_restricted(s, row.person_id, row.activity_id)
        s.execute(delete(Attachment).where(Attachment.id == attachment_id))
        audit.add(s, "attachment.delete", "attachment", attachment_id)


# -- helpers -------------------------------------------------------------------------
def clean_filename(filename: str) -> str:
    """The last part of a path from any system, without control characters."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = _UNSAFE.sub("", name).strip().strip(".") or ""
    if not name:
        raise UserError("The attachment needs a file name.")
    if len(name) > FILENAME_MAX:
        _stem, dot, ext = name.rpartition(".")
        keep = ext if dot and len(ext) <= 16 else ""
        name = name[: FILENAME_MAX - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return name


def guess_media_type(filename: str) -> str:
    return mimetypes.guess_type(filename, strict=False)[0] or "application/octet-stream"


def _check_size(name: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise UserError(
            f"The file {quoted(name)} is {_megabytes(size)}, and attachments can be at most "
            f"{_megabytes(max_bytes)}."
        )


def _megabytes(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    mb = size / (1024 * 1024)
    return f"{mb:.1f} MB" if mb < 10 and mb != int(mb) else f"{round(mb)} MB"


def _check_links(
    s: Session, activity_id: str | None, person_id: str | None, organization_id: str | None
) -> None:
    for model, value, what in (
        (Activity, activity_id, "timeline entry"),
        (Person, person_id, "person"),
        (Organization, organization_id, "company"),
    ):
        if value is not None and s.get(model, value) is None:
            raise NotFound(f"That {what} no longer exists; it may have been deleted meanwhile.")


def _require(s: Session, actor: Actor, action: str, activity_id: str | None,
             person_id: str | None, subject_kind: str) -> None:
    """`timeline.require_on` for a file: a file on a timeline entry goes by the entry's
    record, any other by its own subject kind, else its person or company."""
    if activity_id is not None:
        entry = s.get(Activity, activity_id)
        if entry is not None:
            subject_kind, person_id = entry.subject_kind, entry.person_id
    require_on(actor, action, subject_kind, person_id)


def _ensure_not_restricted(s: Session, person_id: str | None, activity_id: str | None) -> None:
    """Refuse a change to the files of a restricted person (directly, or on their timeline)."""
    privacy_consent.ensure_not_restricted(s, person_id, "changed")
    if activity_id is not None:
        entry = s.get(Activity, activity_id)
        privacy_consent.ensure_not_restricted(s, entry.person_id if entry else None, "changed")


def _load(s: Session, attachment_id: str) -> Attachment:
    row = s.get(Attachment, attachment_id)
    if row is None:
        raise NotFound("That attachment no longer exists; it may have been deleted meanwhile.")
    return row


def _info(row: Attachment) -> AttachmentInfo:
    return AttachmentInfo(
        id=row.id,
        filename=row.filename,
        media_type=row.media_type,
        size=row.size,
        sha256=row.sha256,
        activity_id=row.activity_id,
        person_id=row.person_id,
        organization_id=row.organization_id,
        subject_kind=row.subject_kind,
        subject_id=row.subject_id,
        created_at=as_utc(row.created_at),
    )
