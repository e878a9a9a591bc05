"""The timeline of a person or company: notes, calls, meetings, emails and tasks.

Entries belong to a person and/or a company, and later areas (deals, invoices,
tickets, jobs) name their own record with `subject_kind`/`subject_id` and can still
link the person or company, so the entry shows on their timelines too. Lists come
newest first and page by key: pass the last entry of a page as `before`.

Times go in as aware datetimes (naive ones are taken as UTC), are stored in UTC, and
come back aware in UTC. "Now" is the vault's clock unless a `clock` is passed.

Permissions follow the record an entry hangs on (`area_of`): its `subject_kind`'s area
(a deal's entries need `deals.*`, a ticket's `tickets.*`), else the person's
(`contacts.*`) or the company's (`companies.*`). Reading needs the area's `view`;
adding, changing, completing and deleting need its `edit`. A timeline or the list of
due tasks leaves out the entries of areas the acting user may not see, rather than
refusing the whole list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, false, literal_column, or_, select, tuple_
from sqlalchemy.orm import Session

from crasme_desktop.domain.clock import Clock, as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import ACTIVITY_KINDS, Activity, Organization, Person
from crasme_desktop.domain.permissions import Actor, Permission
from crasme_desktop.domain.validation import check_no_card_number
from crasme_desktop.services import audit, permissions, privacy_consent
from crasme_desktop.services.contacts import NotFound
from crasme_desktop.vault import Vault

SUBJECT_MAX = 300
_UNSET: Any = object()

#: The area whose permissions guard a timeline entry or an attachment, by the kind of
#: record it hangs on (`subject_kind`); without one, it is the person's or company's.
SUBJECT_AREAS: Mapping[str, str] = {
    "person": "contacts",
    "organization": "companies",
    "deal": "deals",
    "quote": "quotes",
    "invoice": "invoices",
    "ticket": "tickets",
    "ticket_message": "tickets",
    "job": "schedule",
}


def area_of(subject_kind: str, person_id: str | None) -> str:
    """The area of the record an entry or attachment hangs on: its subject kind's, else
    the person's (`contacts`) when it names one, else the company's (`companies`)."""
    area = SUBJECT_AREAS.get(subject_kind)
    if area is not None:
        return area
    return "contacts" if person_id else "companies"


def require_on(actor: Actor, action: str, subject_kind: str, person_id: str | None) -> None:
    """Raise `PermissionDenied` unless `actor` may do `action` ("view", "edit") on the
    record an entry or attachment hangs on."""
    actor.require(Permission(area_of(subject_kind, person_id), action))


def visible_to(actor: Actor, kind_column: Any, person_column: Any) -> Any:
    """A SQL condition keeping the rows (entries, attachments) whose area `actor` may
    view; None when they may view every area."""
    areas = {area for area in set(SUBJECT_AREAS.values())
             if actor.may(Permission(area, "view"))}
    if areas >= set(SUBJECT_AREAS.values()):
        return None
    kinds = [kind for kind, area in SUBJECT_AREAS.items() if area in areas]
    own = kind_column.not_in(list(SUBJECT_AREAS))  # no subject kind: by the links
    keep = [kind_column.in_(kinds)] if kinds else []
    if "contacts" in areas:
        keep.append(and_(own, person_column.is_not(None)))
    if "companies" in areas:
        keep.append(and_(own, person_column.is_(None)))
    return or_(*keep) if keep else false()


@dataclass(frozen=True)
class TimelineEntry:
    id: str
    kind: str
    subject: str
    body: str
    occurred_at: datetime
    due_at: datetime | None
    remind_at: datetime | None
    done_at: datetime | None
    owner: str
    person_id: str | None
    person_name: str
    organization_id: str | None
    subject_kind: str
    subject_id: str
    created_at: datetime
    updated_at: datetime

    @property
    def is_task(self) -> bool:
        return self.kind == "task"

    @property
    def is_open_task(self) -> bool:
        return self.kind == "task" and self.done_at is None


# -- adding --------------------------------------------------------------------------
def add_entry(
    vault: Vault,
    kind: str,
    *,
    subject: str = "",
    body: str = "",
    person_id: str | None = None,
    organization_id: str | None = None,
    subject_kind: str = "",
    subject_id: str = "",
    occurred_at: datetime | None = None,
    due_at: datetime | None = None,
    remind_at: datetime | None = None,
    owner: str = "",
    clock: Clock | None = None,
) -> TimelineEntry:
    """Add any kind of entry; the helpers below are the usual way in."""
    require_on(permissions.actor_of(vault), "edit", subject_kind, person_id)
    if kind not in ACTIVITY_KINDS:
        raise ValueError(f"unknown timeline kind {kind!r}")
    subject, body = " ".join(subject.split()), body.strip()
    _check_entry(kind, subject, body, due_at, remind_at)
    if not (person_id or organization_id or (subject_kind and subject_id)):
        raise UserError("A timeline entry must belong to a person, a company or another record.")
    now = (clock or vault.clock).now()
    with vault.unit_of_work() as uow:
        s = uow.session
        _check_links(s, person_id, organization_id)
        privacy_consent.ensure_not_restricted(s, person_id, "given new timeline entries")
        entry = Activity(
            kind=kind,
            subject=subject,
            body=body,
            occurred_at=as_utc(occurred_at) if occurred_at else now,
            due_at=as_utc(due_at) if due_at else None,
            remind_at=as_utc(remind_at) if remind_at else None,
            owner=owner.strip()[:100],
            person_id=person_id,
            organization_id=organization_id,
            subject_kind=subject_kind,
            subject_id=subject_id,
            created_at=now,
            updated_at=now,
        )
        s.add(entry)
        s.flush()
        audit.add(s, f"activity.create:{kind}", "activity", entry.id)
        return _entry(s, entry)


def add_note(vault: Vault, body: str, **links: Any) -> TimelineEntry:
    """A note; `links` are person_id, organization_id, subject_kind/subject_id,
    occurred_at, owner and clock, as for `add_entry`."""
    return add_entry(vault, "note", body=body, **links)


def add_call(vault: Vault, subject: str = "", body: str = "", **links: Any) -> TimelineEntry:
    return add_entry(vault, "call", subject=subject, body=body, **links)


def add_meeting(vault: Vault, subject: str = "", body: str = "", **links: Any) -> TimelineEntry:
    return add_entry(vault, "meeting", subject=subject, body=body, **links)


def add_email(vault: Vault, subject: str = "", body: str = "", **links: Any) -> TimelineEntry:
    """Log an email that was sent or received (the text is kept, nothing is sent)."""
    return add_entry(vault, "email", subject=subject, body=body, **links)


def add_task(
    vault: Vault,
    subject: str,
    *,
    due_at: datetime | None = None,
    remind_at: datetime | None = None,
    body: str = "",
    **links: Any,
) -> TimelineEntry:
    return add_entry(
        vault, "task", subject=subject, body=body, due_at=due_at, remind_at=remind_at, **links
    )


# -- changing ------------------------------------------------------------------------
def update_entry(
    vault: Vault,
    entry_id: str,
    *,
    subject: str = _UNSET,
    body: str = _UNSET,
    occurred_at: datetime = _UNSET,
    due_at: datetime | None = _UNSET,
    remind_at: datetime | None = _UNSET,
    owner: str = _UNSET,
    clock: Clock | None = None,
) -> TimelineEntry:
    """Change the fields given; `due_at=None` or `remind_at=None` clears them."""
    actor = permissions.actor_of(vault)
    with vault.unit_of_work() as uow:
        s = uow.session
        entry = _load_changeable(s, entry_id, actor)
        if subject is not _UNSET:
            entry.subject = " ".join(subject.split())
        if body is not _UNSET:
            entry.body = body.strip()
        if occurred_at is not _UNSET:
            entry.occurred_at = as_utc(occurred_at)
        if due_at is not _UNSET:
            entry.due_at = as_utc(due_at) if due_at else None
        if remind_at is not _UNSET:
            entry.remind_at = as_utc(remind_at) if remind_at else None
        if owner is not _UNSET:
            entry.owner = owner.strip()[:100]
        _check_entry(entry.kind, entry.subject, entry.body, entry.due_at, entry.remind_at)
        entry.updated_at = (clock or vault.clock).now()
        s.flush()
        audit.add(s, "activity.update", "activity", entry.id)
        return _entry(s, entry)


def complete_task(vault: Vault, entry_id: str, *, clock: Clock | None = None) -> TimelineEntry:
    """Mark a task done now; a task already done keeps its first done time."""
    return _set_done(vault, entry_id, done=True, clock=clock)


def reopen_task(vault: Vault, entry_id: str, *, clock: Clock | None = None) -> TimelineEntry:
    return _set_done(vault, entry_id, done=False, clock=clock)


def snooze_reminder(
    vault: Vault, entry_id: str, until: datetime | None, *, clock: Clock | None = None
) -> TimelineEntry:
    """Move a task's reminder to `until`, or dismiss it with `None`."""
    actor = permissions.actor_of(vault)
    with vault.unit_of_work() as uow:
        s = uow.session
        entry = _load_changeable(s, entry_id, actor)
        if entry.kind != "task":
            raise UserError("Only tasks have reminders.")
        entry.remind_at = as_utc(until) if until else None
        entry.updated_at = (clock or vault.clock).now()
        s.flush()
        audit.add(s, "task.remind", "activity", entry.id)
        return _entry(s, entry)


def delete_entry(vault: Vault, entry_id: str) -> None:
    """Delete an entry and its attachments."""
    actor = permissions.actor_of(vault)
    with vault.unit_of_work() as uow:
        s = uow.session
        _load_changeable(s, entry_id, actor)
        s.execute(delete(Activity).where(Activity.id == entry_id))
        audit.add(s, "activity.delete", "activity", entry_id)


def get_entry(vault: Vault, entry_id: str) -> TimelineEntry:
    actor = permissions.actor_of(vault)
    with vault.unit_of_work() as uow:
        entry = _load(uow.session, entry_id)
        require_on(actor, "view", entry.subject_kind, entry.person_id)
        return _entry(uow.session, entry)


# -- reading -------------------------------------------------------------------------
def person_timeline(
    vault: Vault, person_id: str, *, limit: int = 50, before: TimelineEntry | None = None
) -> list[TimelineEntry]:
    """A person's entries, newest first."""
    permissions.require(vault, "contacts.view")
    return _page(vault, Activity.person_id == person_id, limit, before)


def organization_timeline(
    vault: Vault,
    organization_id: str,
    *,
    include_people: bool = True,
    limit: int = 50,
    before: TimelineEntry | None = None,
) -> list[TimelineEntry]:
    """A company's entries and, unless told otherwise, those of its people (when the
    acting user may see people), newest first."""
    actor = permissions.require(vault, "companies.view")
    where = Activity.organization_id == organization_id
    if include_people and actor.may(Permission("contacts", "view")):
        staff = select(Person.id).where(Person.organization_id == organization_id)
        where = or_(where, Activity.person_id.in_(staff))
    return _page(vault, where, limit, before)


def subject_timeline(
    vault: Vault,
    subject_kind: str,
    subject_id: str,
    *,
    limit: int = 50,
    before: TimelineEntry | None = None,
) -> list[TimelineEntry]:
    """Entries about another area's record, e.g. `("deal", deal_id)`, newest first."""
    require_on(permissions.actor_of(vault), "view", subject_kind, None)
    where = (Activity.subject_kind == subject_kind) & (Activity.subject_id == subject_id)
    return _page(vault, where, limit, before)


def due_tasks(
    vault: Vault,
    *,
    by: datetime | None = None,
    owner: str | None = None,
    limit: int = 200,
    clock: Clock | None = None,
) -> list[TimelineEntry]:
    """Open tasks due by `by` (default: now), most overdue first."""
    by = as_utc(by) if by else (clock or vault.clock).now()
    return _open_tasks(vault, Activity.due_at, by, owner, limit)


def reminders_due(
    vault: Vault,
    *,
    by: datetime | None = None,
    owner: str | None = None,
    limit: int = 200,
    clock: Clock | None = None,
) -> list[TimelineEntry]:
    """Open tasks whose reminder time has come by `by` (default: now), oldest first."""
    by = as_utc(by) if by else (clock or vault.clock).now()
    return _open_tasks(vault, Activity.remind_at, by, owner, limit)


# -- helpers -------------------------------------------------------------------------
def _check_entry(
    kind: str, subject: str, body: str, due_at: datetime | None, remind_at: datetime | None
) -> None:
    if len(subject) > SUBJECT_MAX:
        raise UserError(f"The title is longer than {SUBJECT_MAX} characters.")
    check_no_card_number(subject, "title")
    check_no_card_number(body, kind if kind in ("note", "email") else "text")
    if kind == "task":
        if not subject:
            raise UserError("Give the task a title.")
    elif due_at is not None or remind_at is not None:
        raise UserError("Only tasks have a due date and a reminder.")
    elif not (subject or body):
        raise UserError(f"Write something in the {kind} before saving it.")


def _check_links(s: Session, person_id: str | None, organization_id: str | None) -> None:
    if person_id is not None and s.get(Person, person_id) is None:
        raise NotFound("That person no longer exists; it may have been deleted meanwhile.")
    if organization_id is not None and s.get(Organization, organization_id) is None:
        raise NotFound("That company no longer exists; it may have been deleted meanwhile.")


def _load(s: Session, entry_id: str) -> Activity:
    entry = s.get(Activity, entry_id)
    if entry is None:
        raise NotFound("That timeline entry no longer exists; it may have been deleted meanwhile.")
    return entry


def _load_changeable(s: Session, entry_id: str, actor: Actor) -> Activity:
    """The entry, if `actor` may edit its record and it is not on the timeline of a
    restricted person."""
    entry = _load(s, entry_id)
    require_on(actor, "edit", entry.subject_kind, entry.person_id)
    privacy_consent.ensure_not_restricted(s, entry.person_id, "changed")
    return entry


def _set_done(vault: Vault, entry_id: str, *, done: bool, clock: Clock | None) -> TimelineEntry:
    actor = permissions.actor_of(vault)
    with vault.unit_of_work() as uow:
        s = uow.session
        entry = _load_changeable(s, entry_id, actor)
        if entry.kind != "task":
            raise UserError("Only tasks can be marked done.")
        now = (clock or vault.clock).now()
        if done and entry.done_at is None:
            entry.done_at = now
        elif not done:
            entry.done_at = None
        entry.updated_at = now
        s.flush()
        audit.add(s, "task.complete" if done else "task.reopen", "activity", entry.id)
        return _entry(s, entry)


def _select() -> Select[Any]:
    return select(Activity, Person.display_name).outerjoin(
        Person, Person.id == Activity.person_id
    )


def _page(
    vault: Vault, where: Any, limit: int, before: TimelineEntry | None
) -> list[TimelineEntry]:
    query = _select().where(where)
    visible = visible_to(permissions.actor_of(vault), Activity.subject_kind, Activity.person_id)
    if visible is not None:
        query = query.where(visible)
    if before is not None:
        cursor = tuple_(Activity.occurred_at, Activity.id)
        query = query.where(cursor < tuple_(as_utc(before.occurred_at), before.id))
    query = query.order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(limit)
    with vault.unit_of_work() as uow:
        return [_record(a, name) for a, name in uow.session.execute(query)]


def _open_tasks(
    vault: Vault, column: Any, by: datetime, owner: str | None, limit: int
) -> list[TimelineEntry]:
    # The literal 'task' (not a bound value) lets SQLite use the partial open-task indexes.
    query = (
        _select()
        .where(
            Activity.kind == literal_column("'task'"),
            Activity.done_at.is_(None),
            column.is_not(None),
            column <= by,
        )
        .order_by(column, Activity.id)
        .limit(limit)
    )
    if owner is not None:
        query = query.where(Activity.owner == owner)
    visible = visible_to(permissions.actor_of(vault), Activity.subject_kind, Activity.person_id)
    if visible is not None:
        query = query.where(visible)
    with vault.unit_of_work() as uow:
        return [_record(a, name) for a, name in uow.session.execute(query)]


def _entry(s: Session, a: Activity) -> TimelineEntry:
    name = s.scalar(select(Person.display_name).where(Person.id == a.person_id)) or ""
    return _record(a, name)


def _aware(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def _record(a: Activity, person_name: str | None) -> TimelineEntry:
    return TimelineEntry(
        id=a.id,
        kind=a.kind,
        subject=a.subject,
        body=a.body,
        occurred_at=as_utc(a.occurred_at),
        due_at=_aware(a.due_at),
        remind_at=_aware(a.remind_at),
        done_at=_aware(a.done_at),
        owner=a.owner,
        person_id=a.person_id,
        person_name=person_name or "",
        organization_id=a.organization_id,
        subject_kind=a.subject_kind,
        subject_id=a.subject_id,
        created_at=as_utc(a.created_at),
        updated_at=as_utc(a.updated_at),
    )
