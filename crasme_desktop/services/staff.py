"""Staff members: the people of the office who are given jobs and tickets, their working
days and hours, and the days they are off.

Rules:
- A name is required and unique without regard to case or accents ("Maria Rossi" and
  "maria rossi" are one person); an email, when given, is checked; a phone is stored in
  E.164. Work days are seven 1s and 0s from Monday to Sunday ("1111100" works Monday to
  Friday), with at least one working day; the working day is `day_start`..`day_end`
  (HH:MM, the office's local time, end after start). A colour is "#rrggbb" or empty.
  `os_user` links a member to this computer's account, for "my day" and "my tickets";
  one account belongs to one member at most.
- Absences cover whole local days, both ends included. A new absence that overlaps or
  touches one with the same reason is merged into it (one longer absence); one that
  overlaps an absence with another reason is refused with a sentence naming it.
- `is_off` says why a member does not work on a day: an absence (its reason), the
  office closed (a `holiday` row: its name), or not one of their working days. An
  inactive member is off every day.
- Deleting: a member who has jobs or tickets is made inactive instead (their name stays
  on past work, e.g. "jobs done per person"); `delete_staff` says which it did. One
  with none is deleted with their absences.
- Inactive members keep their history but cannot be given new jobs (the schedule
  refuses with a sentence).

Audit events carry ids only.

Permissions (area "staff"): adding a member is staff.create; changing one, making one
inactive or active again, and adding or removing their absences (days off are part of
the member's record) is staff.edit; deleting one is staff.delete, even when it ends in
making them inactive. Reading the members (`list_staff`, `get_staff`, `find_staff`,
`current_staff`, `is_off`) is needed wherever work is given to them, so it is allowed to
anyone who may view staff, tickets or the schedule (`office_time.require_planning_view`);
the list of absences with their reasons (`list_absences`) needs staff.view itself. The
session-level helpers (`staff_in`, `off_days`, `load`) run inside another service's
transaction and check nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Holiday, Job, StaffAbsence, StaffMember, Ticket
from crasme_desktop.domain.validation import (
    check_no_card_number,
    clean_text,
    normalize_email,
    normalize_phone,
    quoted,
    sort_key,
)
from crasme_desktop.services import audit, office_time, permissions
from crasme_desktop.vault import Vault

NAME_MAX, REASON_MAX, OS_USER_MAX = 100, 200, 100
DEFAULT_WORK_DAYS = "1111100"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
NOT_A_WORK_DAY = "not a working day"
INACTIVE = "no longer active"
_HHMM = re.compile(r"(\d{1,2}):(\d{2})")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")

__all__ = [
    "INACTIVE",
    "NOT_A_WORK_DAY",
    "AbsenceRecord",
    "StaffDraft",
    "StaffRecord",
    "StaffRemoval",
    "add_absence",
    "create_staff",
    "current_staff",
    "day_text",
    "delete_staff",
    "find_staff",
    "get_staff",
    "is_off",
    "list_absences",
    "list_staff",
    "off_days",
    "parse_hhmm",
    "remove_absence",
    "set_active",
    "staff_in",
    "update_staff",
]


# -- what callers get ---------------------------------------------------------------------
@dataclass(frozen=True)
class StaffDraft:
    """A staff member as a form gives it."""

    name: str
    email: str = ""
    phone: str = ""
    work_days: str = DEFAULT_WORK_DAYS
    day_start: str = "08:00"
    day_end: str = "17:00"
    colour: str = ""
    os_user: str = ""
    active: bool = True


@dataclass(frozen=True)
class StaffRecord:
    id: str
    name: str
    email: str
    phone: str  # E.164 or ""
    active: bool
    work_days: str  # Monday..Sunday, "1" on working days
    day_start: str  # HH:MM local
    day_end: str
    colour: str
    os_user: str

    def works_on(self, day: date) -> bool:
        return self.work_days[day.weekday()] == "1"

    @property
    def start_time(self) -> time:
        return parse_hhmm(self.day_start, "start of the working day")

    @property
    def end_time(self) -> time:
        return parse_hhmm(self.day_end, "end of the working day")

    def draft(self) -> StaffDraft:
        return StaffDraft(self.name, self.email, self.phone, self.work_days, self.day_start,
                          self.day_end, self.colour, self.os_user, self.active)


@dataclass(frozen=True)
class AbsenceRecord:
    id: str
    staff_id: str
    first_day: date
    last_day: date
    reason: str

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class StaffRemoval:
    """What `delete_staff` did: deleted, or made inactive because of their work."""

    staff_id: str
    deleted: bool
    message: str


# -- members ------------------------------------------------------------------------------
def list_staff(vault: Vault, *, include_inactive: bool = False) -> list[StaffRecord]:
    """Members in name order (accent- and case-blind), active ones only unless asked."""
    office_time.require_planning_view(vault)
    with vault.unit_of_work() as uow:
        return staff_in(uow.session, include_inactive=include_inactive)


def staff_in(session: Session, *, include_inactive: bool = False) -> list[StaffRecord]:
    """`list_staff` inside the caller's transaction."""
    query = select(StaffMember).order_by(StaffMember.name_key, StaffMember.id)
    if not include_inactive:
        query = query.where(StaffMember.active.is_(True))
    return [_record(m) for m in session.scalars(query)]


def get_staff(vault: Vault, staff_id: str) -> StaffRecord:
    office_time.require_planning_view(vault)
    with vault.unit_of_work() as uow:
        return _record(load(uow.session, staff_id))


def find_staff(vault: Vault, name: str) -> StaffRecord:
    """The member with this name (case- and accent-blind), for the command line."""
    office_time.require_planning_view(vault)
    key = sort_key(clean_text(name))
    with vault.unit_of_work() as uow:
        member = uow.session.scalars(select(StaffMember).where(
            StaffMember.name_key == key)).first() if key else None
        if member is None:
            raise UserError(f"No staff member is called {quoted(name)}; check the name in "
                            "the staff settings.")
        return _record(member)


def create_staff(vault: Vault, draft: StaffDraft) -> StaffRecord:
    permissions.require(vault, "staff.create")
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        values = _clean(s, draft)
        member = StaffMember(**values, created_at=now, updated_at=now)
        s.add(member)
        s.flush()
        audit.add(s, "staff.create", "staff_member", member.id)
        return _record(member)


def update_staff(vault: Vault, staff_id: str, draft: StaffDraft) -> StaffRecord:
    """Replace the member's fields with the draft's (start from `StaffRecord.draft()`)."""
    permissions.require(vault, "staff.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        member = load(s, staff_id)
        for name, value in _clean(s, draft, member.id).items():
            setattr(member, name, value)
        member.updated_at = vault.clock.now()
        s.flush()
        audit.add(s, "staff.update", "staff_member", member.id)
        return _record(member)


def set_active(vault: Vault, staff_id: str, active: bool) -> StaffRecord:
    """Make a member inactive (kept with their history, given no new work) or active."""
    permissions.require(vault, "staff.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        member = load(s, staff_id)
        if active and member.os_user:
            _check_os_user(s, member.os_user, member.id)
        member.active = bool(active)
        member.updated_at = vault.clock.now()
        audit.add(s, "staff.activate" if active else "staff.deactivate", "staff_member",
                  member.id)
        return _record(member)


def delete_staff(vault: Vault, staff_id: str) -> StaffRemoval:
    """Delete a member who has no jobs and no tickets; one who has is made inactive
    instead, so that past work keeps their name (see the module notes)."""
    permissions.require(vault, "staff.delete")
    with vault.unit_of_work() as uow:
        s = uow.session
        member = load(s, staff_id)
        jobs = s.scalar(select(func.count()).select_from(Job).where(
            Job.assignee_id == member.id)) or 0
        tickets = s.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.assignee_id == member.id)) or 0
        if jobs or tickets:
            member.active = False
            member.updated_at = vault.clock.now()
            audit.add(s, "staff.deactivate", "staff_member", member.id)
            work = " and ".join(p for p in (_plural(jobs, "job"), _plural(tickets, "ticket"))
                                if p)
            return StaffRemoval(member.id, False,
                                f"{member.name} has {work}, so they were made inactive "
                                "instead of deleted and their past work keeps their name.")
        name = member.name
        s.delete(member)  # absences go with them (ON DELETE CASCADE)
        s.flush()
        audit.add(s, "staff.delete", "staff_member", staff_id)
        return StaffRemoval(staff_id, True, f"{name} was deleted.")


def current_staff(vault: Vault) -> StaffRecord | None:
    """The active member whose `os_user` is this computer's account, or None."""
    office_time.require_planning_view(vault)
    actor = audit.current_actor()
    if not actor:
        return None
    with vault.unit_of_work() as uow:
        member = uow.session.scalars(
            select(StaffMember).where(StaffMember.os_user == actor,
                                      StaffMember.active.is_(True))
            .order_by(StaffMember.name_key, StaffMember.id)).first()
        return _record(member) if member is not None else None


# -- absences -----------------------------------------------------------------------------
def add_absence(vault: Vault, staff_id: str, first_day: date | str, last_day: date | str,
                reason: str = "") -> AbsenceRecord:
    """Days off for a member, both ends included. Overlapping or touching absences with
    the same reason become one; an overlap with another reason is refused."""
    permissions.require(vault, "staff.edit")
    first = _day(first_day, "first day")
    last = _day(last_day, "last day")
    if last < first:
        raise UserError("The absence ends before it starts; check the first and last day.")
    if (last - first).days > 366:
        raise UserError("An absence can last a year at most; add a longer one in parts.")
    text = clean_text(reason)
    if len(text) > REASON_MAX:
        raise UserError(f"Keep the reason for the absence under {REASON_MAX} characters.")
    text = check_no_card_number(text, "reason for the absence")
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        member = load(s, staff_id)
        near = list(s.scalars(select(StaffAbsence).where(
            StaffAbsence.staff_id == member.id,
            StaffAbsence.first_day <= last + timedelta(days=1),
            StaffAbsence.last_day >= first - timedelta(days=1),
        ).order_by(StaffAbsence.first_day)))
        for other in near:
            overlaps = other.first_day <= last and other.last_day >= first
            if overlaps and sort_key(other.reason) != sort_key(text):
                raise UserError(
                    f"{member.name} is already off from {day_text(other.first_day)} to "
                    f"{day_text(other.last_day)}{_reason_part(other.reason)}; change that "
                    "absence instead.")
        same = [a for a in near if sort_key(a.reason) == sort_key(text)]
        for other in same:
            first, last = min(first, other.first_day), max(last, other.last_day)
            s.delete(other)
        s.flush()
        absence = StaffAbsence(staff_id=member.id, first_day=first, last_day=last,
                               reason=text, created_at=now, updated_at=now)
        s.add(absence)
        s.flush()
        audit.add(s, "staff_absence.create", "staff_absence", absence.id)
        return _absence(absence)


def remove_absence(vault: Vault, absence_id: str) -> None:
    permissions.require(vault, "staff.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        absence = s.get(StaffAbsence, absence_id) if absence_id else None
        if absence is None:
            raise UserError("That absence no longer exists; it may have been removed "
                            "meanwhile.")
        s.delete(absence)
        s.flush()
        audit.add(s, "staff_absence.delete", "staff_absence", absence_id)


def list_absences(vault: Vault, staff_id: str | None = None, *, start: date | None = None,
                  end: date | None = None) -> list[AbsenceRecord]:
    """Absences (of one member, or everyone) that touch [start, end], by first day."""
    permissions.require(vault, "staff.view")
    with vault.unit_of_work() as uow:
        query = select(StaffAbsence)
        if staff_id:
            query = query.where(StaffAbsence.staff_id == staff_id)
        if start is not None:
            query = query.where(StaffAbsence.last_day >= start)
        if end is not None:
            query = query.where(StaffAbsence.first_day <= end)
        return [_absence(a) for a in uow.session.scalars(
            query.order_by(StaffAbsence.first_day, StaffAbsence.id))]


# -- who is off ---------------------------------------------------------------------------
def is_off(session_or_vault: Session | Vault, staff_id: str, day: date) -> str | None:
    """Why the member does not work on `day` (an absence's reason, the office holiday's
    name, "not a working day", "no longer active"), or None when they work."""
    if isinstance(session_or_vault, Vault):
        office_time.require_planning_view(session_or_vault)
        with session_or_vault.unit_of_work() as uow:
            return is_off(uow.session, staff_id, day)
    return off_days(session_or_vault, [staff_id], day, day).get((staff_id, day))


def off_days(session: Session, staff_ids: Iterable[str], first: date,
             last: date) -> dict[tuple[str, date], str]:
    """(member id, day) -> why they are off, for every day in [first, last] on which a
    member of `staff_ids` is off (absent first, then office holiday, then not working)."""
    ids = [i for i in dict.fromkeys(staff_ids) if i]
    if not ids:
        return {}
    members = {m.id: m for m in session.scalars(
        select(StaffMember).where(StaffMember.id.in_(ids)))}
    absences = list(session.scalars(select(StaffAbsence).where(
        StaffAbsence.staff_id.in_(ids), StaffAbsence.last_day >= first,
        StaffAbsence.first_day <= last)))
    holidays = {h.day: h.name for h in session.scalars(
        select(Holiday).where(Holiday.day >= first, Holiday.day <= last))}
    out: dict[tuple[str, date], str] = {}
    day = first
    while day <= last:
        for member_id in ids:
            member = members.get(member_id)
            if member is None:
                continue
            absent = next((a for a in absences if a.staff_id == member_id
                           and a.first_day <= day <= a.last_day), None)
            if not member.active:
                out[(member_id, day)] = INACTIVE
            elif absent is not None:
                out[(member_id, day)] = absent.reason or "absent"
            elif day in holidays:
                out[(member_id, day)] = holidays[day] or "office closed"
            elif member.work_days[day.weekday()] != "1":
                out[(member_id, day)] = NOT_A_WORK_DAY
        day += timedelta(days=1)
    return out


def day_text(day: date) -> str:
    """"Monday 14 December", for sentences (in English whatever the computer's locale)."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


# -- inside ------------------------------------------------------------------------------
def load(session: Session, staff_id: str | None) -> StaffMember:
    member = session.get(StaffMember, staff_id) if staff_id else None
    if member is None:
        raise UserError("That staff member no longer exists; choose someone else.")
    return member


def parse_hhmm(value: str, what: str) -> time:
    text = (value or "").strip()
    match = _HHMM.fullmatch(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise UserError(f"The {what} {quoted(text)} is not a time; use hours and minutes "
                        "such as 08:00.")
    return time(int(match[1]), int(match[2]))


def _record(m: StaffMember) -> StaffRecord:
    return StaffRecord(m.id, m.name, m.email, m.phone, bool(m.active), m.work_days,
                       m.day_start, m.day_end, m.colour, m.os_user)


def _absence(a: StaffAbsence) -> AbsenceRecord:
    return AbsenceRecord(a.id, a.staff_id, a.first_day, a.last_day, a.reason)


def _reason_part(reason: str) -> str:
    return f" ({reason})" if reason else ""


def _plural(count: int, word: str) -> str:
    return "" if not count else f"{count} {word}{'s' if count != 1 else ''}"


def _day(value: date | str, what: str) -> date:
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"The {what} {quoted(text)} is not a date; use a date such as "
                        "2026-12-14.") from None


def _clean(s: Session, d: StaffDraft, member_id: str = "") -> dict[str, Any]:
    name = clean_text(d.name)
    if not name:
        raise UserError("Give the staff member a name.")
    if len(name) > NAME_MAX:
        raise UserError(f"Keep the staff member's name under {NAME_MAX} characters.")
    check_no_card_number(name, "staff member's name")
    key = sort_key(name)
    clash = s.scalars(select(StaffMember).where(StaffMember.name_key == key,
                                                StaffMember.id != member_id)).first()
    if clash is not None:
        raise UserError(f"There is already a staff member called {quoted(clash.name)}; "
                        "use another name, such as with an initial.")
    email = normalize_email(d.email).address if (d.email or "").strip() else ""
    phone = normalize_phone(d.phone).e164 if (d.phone or "").strip() else ""
    work_days = (d.work_days or "").strip()
    if len(work_days) != 7 or set(work_days) - {"0", "1"}:
        raise UserError(f"The working days {quoted(work_days)} must be seven 1s and 0s from "
                        "Monday to Sunday, such as 1111100 for Monday to Friday.")
    if "1" not in work_days:
        raise UserError("Choose at least one working day for the staff member.")
    start = parse_hhmm(d.day_start, "start of the working day")
    end = parse_hhmm(d.day_end, "end of the working day")
    if end <= start:
        raise UserError("The working day ends before it starts; check the start and end "
                        "times.")
    colour = (d.colour or "").strip()
    if colour and not _COLOUR.fullmatch(colour):
        raise UserError(f"The colour {quoted(colour)} is not a colour code; use one such as "
                        "#3b82f6.")
    os_user = clean_text(d.os_user)
    if len(os_user) > OS_USER_MAX:
        raise UserError(f"Keep the computer account name under {OS_USER_MAX} characters.")
    if os_user and d.active:
        _check_os_user(s, os_user, member_id)
    return {
        "name": name, "name_key": key[:NAME_MAX], "email": email, "phone": phone,
        "work_days": work_days, "day_start": start.strftime("%H:%M"),
        "day_end": end.strftime("%H:%M"), "colour": colour.lower(), "os_user": os_user,
        "active": bool(d.active),
    }


def _check_os_user(s: Session, os_user: str, member_id: str) -> None:
    other = s.scalars(select(StaffMember).where(
        StaffMember.os_user == os_user, StaffMember.active.is_(True),
        StaffMember.id != member_id)).first()
    if other is not None:
        raise UserError(f"The computer account {quoted(os_user)} already belongs to "
                        f"{other.name}; one account can be one staff member only.")
