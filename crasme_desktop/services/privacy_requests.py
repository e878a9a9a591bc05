"""The register of people's privacy requests: access, erasure, rectification,
restriction and objection.

A request is received on a day and due one calendar month later (31 January is due
on 28 or 29 February: the same day of the next month, or that month's last day).
It is `received`, then `in_progress`, and ends `done` or `refused`. Exporting or
erasing a person's data records a done request in the same transaction
(`record_done`), so the register shows what was done even when nobody opened a
request first; an open request of that kind for the person is closed instead.

The subject is kept as a person id and a label (their name while they exist). Erasing
the person sets the id to NULL (foreign key) and the erase clears the label, so the
register keeps only the kind and the dates of an erased person's requests.

Registering a request and changing its status need the `privacy_requests` permission;
reading the register needs `contacts.view` (it names people), and without it the count
of due requests is zero.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crasme_desktop.domain import validation
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import (
    REQUEST_KINDS,
    REQUEST_STATUSES,
    Person,
    PrivacyRequest,
)
from crasme_desktop.services import audit, permissions
from crasme_desktop.vault import Vault

#: Open requests due within this many days count as "due soon".
DUE_SOON_DAYS = 7
OPEN_STATUSES = ("received", "in_progress")
NOTE_MAX = 2000
LABEL_MAX = 200

KIND_LABELS = {
    "access": "Access (a copy of their data)",
    "erasure": "Erasure",
    "rectification": "Rectification (correction)",
    "restriction": "Restriction of processing",
    "objection": "Objection",
}
STATUS_LABELS = {
    "received": "Received",
    "in_progress": "In progress",
    "done": "Done",
    "refused": "Refused",
}


@dataclass(frozen=True)
class RequestRow:
    id: str
    kind: str
    person_id: str | None
    subject_label: str
    received_on: date
    due_on: date
    status: str
    done_on: date | None
    note: str

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_late(self, today: date) -> bool:
        return self.is_open and self.due_on < today

    def is_due_soon(self, today: date) -> bool:
        return self.is_open and today <= self.due_on <= today + timedelta(days=DUE_SOON_DAYS)


@dataclass(frozen=True)
class DueSummary:
    #: Open requests due today or within `DUE_SOON_DAYS` days.
    due_soon: int
    #: Open requests whose due date has passed.
    late: int

    @property
    def sentence(self) -> str:
        parts = []
        if self.late:
            parts.append(f"{self.late} privacy request{'s' if self.late != 1 else ''} late")
        if self.due_soon:
            parts.append(f"{self.due_soon} due within {DUE_SOON_DAYS} days")
        return "; ".join(parts)


def due_date(received_on: date) -> date:
    """One calendar month after `received_on`, clamped to the end of a shorter month."""
    year, month = (received_on.year + 1, 1) if received_on.month == 12 else (
        received_on.year, received_on.month + 1)
    day = min(received_on.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


# ------------------------------------------------------------------------- writing


def open_request(
    vault: Vault,
    kind: str,
    person_id: str | None,
    *,
    received_on: date | None = None,
    note: str = "",
    subject_label: str = "",
) -> RequestRow:
    """Register a request received on `received_on` (today by default).

    `person_id` names the person in the vault; without one (someone asking whether
    anything is held on them), `subject_label` says who asked.
    """
    permissions.require(vault, "privacy_requests")
    today = vault.clock.now().date()
    received = received_on or today
    _check_kind(kind)
    if received > today:
        raise UserError("A request cannot be received in the future: choose today or an "
                        "earlier date.")
    note = _checked_note(note)
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        label = _label_for(s, person_id, subject_label)
        row = PrivacyRequest(kind=kind, person_id=person_id, subject_label=label,
                             received_on=received, due_on=due_date(received),
                             status="received", note=note)
        s.add(row)
        s.flush()
        audit.add(s, "privacy_request.open", "privacy_request", row.id)
        return _row(row)


def record_done(session: Session, kind: str, person_id: str | None, *, today: date) -> None:
    """Record inside the caller's transaction that a request of `kind` was carried out
    for the person today: their oldest open request of that kind is marked done, or a
    new done request is added (received and done today)."""
    _check_kind(kind)
    open_row = None
    if person_id is not None:
        open_row = session.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.person_id == person_id, PrivacyRequest.kind == kind,
                   PrivacyRequest.status.in_(OPEN_STATUSES))
            .order_by(PrivacyRequest.received_on, PrivacyRequest.id)
            .limit(1)
        ).first()
    if open_row is not None:
        open_row.status = "done"
        open_row.done_on = today
        session.flush()
        audit.add(session, "privacy_request.done", "privacy_request", open_row.id)
        return
    row = PrivacyRequest(kind=kind, person_id=person_id,
                         subject_label=_label_for(session, person_id, ""),
                         received_on=today, due_on=due_date(today), status="done",
                         done_on=today, note="")
    session.add(row)
    session.flush()
    audit.add(session, "privacy_request.done", "privacy_request", row.id)


def set_status(vault: Vault, request_id: str, status: str, note: str = "") -> RequestRow:
    """Move a request to `status`; done and refused stamp today's date. A non-empty
    `note` replaces the request's note (for a refusal, say why)."""
    permissions.require(vault, "privacy_requests")
    if status not in REQUEST_STATUSES:
        raise UserError("Choose one of the statuses: received, in progress, done or refused.")
    note = _checked_note(note)
    if status == "refused" and not note.strip():
        raise UserError("Say why the request is refused: the person must be told the reason.")
    today = vault.clock.now().date()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        row = s.get(PrivacyRequest, request_id)
        if row is None:
            raise UserError("That request is no longer in the register; refresh the list.")
        row.status = status
        row.done_on = today if status in ("done", "refused") else None
        if note.strip():
            row.note = note
        s.flush()
        audit.add(s, f"privacy_request.{status}", "privacy_request", row.id)
        return _row(row)


def clear_labels(session: Session, person_id: str) -> int:
    """For an erase, inside its transaction: forget the name on the person's requests."""
    result = session.execute(
        update(PrivacyRequest).where(PrivacyRequest.person_id == person_id)
        .values(subject_label="")
    )
    return int(result.rowcount or 0)


# ------------------------------------------------------------------------- reading


def list_requests(
    vault: Vault, *, status: str | None = None, person_id: str | None = None,
    limit: int = 500,
) -> list[RequestRow]:
    """Requests, open ones first by due date, then closed ones newest first.

    `status` is one status, or "open" for received and in progress.
    """
    permissions.require(vault, "contacts.view")
    if status is not None and status != "open" and status not in REQUEST_STATUSES:
        raise UserError("Choose one of the statuses: open, received, in progress, done or "
                        "refused.")
    with vault.unit_of_work() as uow:
        q = select(PrivacyRequest)
        if status == "open":
            q = q.where(PrivacyRequest.status.in_(OPEN_STATUSES))
        elif status is not None:
            q = q.where(PrivacyRequest.status == status)
        if person_id is not None:
            q = q.where(PrivacyRequest.person_id == person_id)
        is_open = PrivacyRequest.status.in_(OPEN_STATUSES)
        q = q.order_by(is_open.desc(), PrivacyRequest.due_on, PrivacyRequest.id).limit(limit)
        rows = [_row(r) for r in uow.session.scalars(q)]
    open_rows = [r for r in rows if r.is_open]
    closed = sorted((r for r in rows if not r.is_open),
                    key=lambda r: (r.done_on or r.received_on, r.id), reverse=True)
    return open_rows + closed


def due_summary(vault: Vault, today: date | None = None) -> DueSummary:
    """How many open requests are late, and how many are due within a week (none, for a
    role that may not see the register: the dashboard asks whoever is signed in)."""
    if not permissions.may(vault, "contacts.view"):
        return DueSummary(due_soon=0, late=0)
    today = today or vault.clock.now().date()
    soon_until = today + timedelta(days=DUE_SOON_DAYS)
    with vault.unit_of_work() as uow:
        s = uow.session

        def count(*where: object) -> int:
            return s.scalar(select(func.count()).select_from(PrivacyRequest).where(
                PrivacyRequest.status.in_(OPEN_STATUSES), *where)) or 0

        late = count(PrivacyRequest.due_on < today)
        soon = count(PrivacyRequest.due_on >= today, PrivacyRequest.due_on <= soon_until)
    return DueSummary(due_soon=soon, late=late)


# ------------------------------------------------------------------------- helpers


def _check_kind(kind: str) -> None:
    if kind not in REQUEST_KINDS:
        raise UserError("Choose the kind of request: access, erasure, rectification, "
                        "restriction or objection.")


def _checked_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise UserError(f"Keep the note under {NOTE_MAX} characters.")
    return validation.check_no_card_number(note, "note")


def _label_for(session: Session, person_id: str | None, given: str) -> str:
    if person_id is not None:
        person = session.get(Person, person_id)
        if person is None:
            raise UserError("That person is no longer in the vault; pick them again.")
        return (person.display_name or "")[:LABEL_MAX]
    label = (given or "").strip()
    if not label:
        raise UserError("Pick the person the request is about, or type who asked.")
    if len(label) > LABEL_MAX:
        raise UserError(f"Keep the name of who asked under {LABEL_MAX} characters.")
    return label


def _row(r: PrivacyRequest) -> RequestRow:
    return RequestRow(id=r.id, kind=r.kind, person_id=r.person_id,
                      subject_label=r.subject_label, received_on=r.received_on,
                      due_on=r.due_on, status=r.status, done_on=r.done_on, note=r.note)
