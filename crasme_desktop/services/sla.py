"""SLA clocks: targets per priority counted in business hours, paused while a ticket
waits on the customer, and the settings they are counted with.

Settings, all kept in the vault: the opening hours (setting "support.business_hours",
JSON {"mon": [["09:00", "17:00"]], ...}; Monday to Friday 09:00-17:00 until changed),
the holidays (one `holiday` row per closed day) and one `sla_policy` per priority
(first-response and resolution targets in business minutes; migration 0008 seeds
them). The office's time zone is services.office_time's. A change of hours, holidays
or policies applies to tickets whose clock starts or is recomputed afterwards;
targets already set stay as they were promised.

The clock of a ticket (the tickets service calls these hooks inside its own
transaction, after it changed the ticket):
- `start_clock`: both targets are counted from `created_at` with the policy of the
  ticket's priority.
- The clock stops in pending and on hold (waiting on the customer), and also once a
  ticket is solved or closed: `paused_since` is when it stopped, `next_due_at` is NULL.
  Moving between stopped statuses keeps `paused_since`.
- When the clock runs again (a pause ends, or a solved or closed ticket is reopened),
  the business minutes it stood still are added to `paused_minutes` and both targets
  move later by exactly that many business minutes. So the time a ticket spent solved
  does not count against it when it is reopened; only the time it was open does.
- The first public reply decides `response_met`; solving decides `resolution_met`.
  Both compare the moment the clock stopped (the reply or solve itself, or the start
  of the pause it happened in) with the target, so a ticket solved while it waited
  on the customer is judged by the time it was running. Closing stamps `closed_at`;
  a ticket closed without being solved leaves the resolution target undecided.
  Reopening (solved or closed back to new, open, pending or on hold) clears
  `solved_at`, `resolution_met` and `closed_at`.
- A priority change recounts both targets from `created_at` with the new policy, plus
  the business minutes already paused. Outcomes already decided stay.
- `next_due_at` is the earliest target still to meet while the clock runs: the
  response target until the first reply, then the resolution target.

`due_state` says what a list or the ticket shows: which target is next, when, how
many business minutes are left (negative once breached) and a sentence. "Due soon"
is within `DUE_SOON_MINUTES` business minutes (`due_soon_until` gives the UTC moment
for the queue's index).

Permissions (area "staff"): the hours, holidays and targets belong to the staff area,
but tickets and the schedule count with them, so reading them (`business_hours`,
`calendar`, `list_holidays`, `policies`) needs viewing staff, tickets or the schedule
(`office_time.require_planning_view`). Changing the opening hours or a target is
staff.edit, adding holidays staff.create, removing one staff.delete. The clock's hooks
and the `*_in` readers run inside another service's transaction and check nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crasme_desktop.domain.business_hours import (
    DEFAULT_HOURS,
    BusinessCalendar,
    OpeningHours,
    duration_text,
)
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import TICKET_PRIORITIES, Holiday, SlaPolicy, Ticket
from crasme_desktop.domain.validation import clean_text
from crasme_desktop.services import audit, office_time, permissions, stored
from crasme_desktop.vault import Vault

HOURS_KEY = "support.business_hours"
#: A running target this close (business minutes) is "due soon".
DUE_SOON_MINUTES = 120
#: Statuses in which the clock runs, and those in which it stands still.
RUNNING = ("new", "open")
WAITING = ("pending", "on_hold")
STOPPED = ("pending", "on_hold", "solved", "closed")
DONE = ("solved", "closed")
#: priority -> (first response, resolution), when a policy row is missing.
DEFAULT_POLICIES = {
    "urgent": (60, 480),
    "high": (240, 3 * 480),
    "normal": (480, 5 * 480),
    "low": (2 * 480, 10 * 480),
}
#: Longest target a policy may set: a year of 8-hour business days.
MAX_TARGET_MINUTES = 260 * 8 * 60
HOLIDAY_NAME_MAX = 100

__all__ = [
    "DEFAULT_POLICIES",
    "DUE_SOON_MINUTES",
    "HOURS_KEY",
    "DueState",
    "HolidayRecord",
    "PolicyRecord",
    "add_holiday",
    "add_holidays",
    "after_priority_change",
    "after_public_reply",
    "after_status_change",
    "business_hours",
    "calendar",
    "calendar_in",
    "due_soon_until",
    "due_state",
    "hours_in",
    "list_holidays",
    "policies",
    "policy_in",
    "remove_holiday",
    "set_business_hours",
    "start_clock",
    "update_policy",
]


@dataclass(frozen=True)
class HolidayRecord:
    id: str
    day: date
    name: str


@dataclass(frozen=True)
class PolicyRecord:
    priority: str
    first_response_minutes: int
    resolution_minutes: int

    @property
    def first_response_text(self) -> str:
        return duration_text(self.first_response_minutes)

    @property
    def resolution_text(self) -> str:
        return duration_text(self.resolution_minutes)


@dataclass(frozen=True)
class DueState:
    """What a ticket's clock says at one moment."""

    target: str | None  # "response", "resolution" or None
    due_at: datetime | None  # naive UTC
    minutes_left: int | None  # business minutes; negative when breached
    breached: bool
    paused: bool
    text: str

    @property
    def due_soon(self) -> bool:
        return (not self.paused and not self.breached and self.minutes_left is not None
                and self.minutes_left <= DUE_SOON_MINUTES)


# -- settings ------------------------------------------------------------------------


def hours_in(session: Session) -> OpeningHours:
    value = stored.read_json(session, HOURS_KEY)
    if value is None:
        return DEFAULT_HOURS
    try:
        return OpeningHours.from_json(value)
    except (UserError, ValueError):
        return DEFAULT_HOURS


def business_hours(vault: Vault) -> OpeningHours:
    office_time.require_planning_view(vault)
    with vault.unit_of_work() as uow:
        return hours_in(uow.session)


def set_business_hours(vault: Vault, hours: OpeningHours | Mapping[str, Any]) -> OpeningHours:
    """Keep the office's opening hours (an `OpeningHours` or its JSON form)."""
    permissions.require(vault, "staff.edit")
    if not isinstance(hours, OpeningHours):
        hours = OpeningHours.from_json(hours)
    if not hours.weekly_minutes:
        raise UserError("Open the office on at least one day; without opening hours no "
                        "SLA target can be counted.")
    with vault.unit_of_work() as uow:
        stored.write_json(uow.session, HOURS_KEY, hours.to_json())
        audit.add(uow.session, "sla.hours_changed", "setting", HOURS_KEY)
    return hours


def calendar_in(session: Session) -> BusinessCalendar:
    """The office's business calendar (hours, holidays, zone), in the caller's transaction."""
    days = session.scalars(select(Holiday.day)).all()
    return BusinessCalendar(hours_in(session), days, office_time.zone_in(session))


def calendar(vault: Vault) -> BusinessCalendar:
    office_time.require_planning_view(vault)
    with vault.unit_of_work() as uow:
        return calendar_in(uow.session)


def list_holidays(vault: Vault, year: int | None = None) -> list[HolidayRecord]:
    """The holidays in date order, all or of one year."""
    office_time.require_planning_view(vault)
    query = select(Holiday).order_by(Holiday.day)
    if year is not None:
        query = query.where(Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))
    with vault.unit_of_work() as uow:
        return [_holiday(h) for h in uow.session.scalars(query)]


def add_holiday(vault: Vault, day: date, name: str = "") -> HolidayRecord:
    """Close the office on `day`; a day already kept as a holiday is refused."""
    permissions.require(vault, "staff.create")
    return add_holidays(vault, [(day, name)])[0]


def add_holidays(vault: Vault, days: Iterable[tuple[date, str]]) -> list[HolidayRecord]:
    """Add several holidays at once, all or none: a day given twice, or already kept as
    a holiday, is refused in a sentence naming it."""
    permissions.require(vault, "staff.create")
    wanted = [(_day(day), _holiday_name(name)) for day, name in days]
    seen: set[date] = set()
    for day, _ in wanted:
        if day in seen:
            raise UserError(f"{_day_text(day)} is in the list twice; give each holiday once.")
        seen.add(day)
    with vault.unit_of_work() as uow:
        s = uow.session
        if seen:
            taken = s.scalars(select(Holiday).where(Holiday.day.in_(seen))
                              .order_by(Holiday.day)).first()
            if taken is not None:
                also = f" ({taken.name})" if taken.name else ""
                raise UserError(f"{_day_text(taken.day)} is already a holiday{also}.")
        rows = [Holiday(day=day, name=name) for day, name in wanted]
        s.add_all(rows)
        try:
            s.flush()
        except IntegrityError as error:  # another window added it meanwhile
            raise UserError("One of those days was made a holiday meanwhile; look at the "
                            "holidays again.") from error
        for row in rows:
            audit.add(s, "holiday.added", "holiday", row.id)
        return [_holiday(row) for row in rows]


def remove_holiday(vault: Vault, holiday_id: str) -> None:
    permissions.require(vault, "staff.delete")
    with vault.unit_of_work() as uow:
        row = uow.session.get(Holiday, holiday_id)
        if row is None:
            raise UserError("That holiday is no longer there; look at the holidays again.")
        uow.session.delete(row)
        audit.add(uow.session, "holiday.removed", "holiday", holiday_id)


def policy_in(session: Session, priority: str) -> PolicyRecord:
    row = session.scalars(select(SlaPolicy).where(SlaPolicy.priority == priority)).first()
    if row is not None:
        return PolicyRecord(row.priority, row.first_response_minutes, row.resolution_minutes)
    response, resolution = DEFAULT_POLICIES.get(priority, DEFAULT_POLICIES["normal"])
    return PolicyRecord(priority, response, resolution)


def policies(vault: Vault) -> list[PolicyRecord]:
    """One policy per priority, most urgent first."""
    office_time.require_planning_view(vault)
    with vault.unit_of_work() as uow:
        return [policy_in(uow.session, p) for p in reversed(TICKET_PRIORITIES)]


def update_policy(vault: Vault, priority: str, first_response_minutes: int,
                  resolution_minutes: int) -> PolicyRecord:
    """Change a priority's targets (business minutes); open tickets keep their targets."""
    permissions.require(vault, "staff.edit")
    if priority not in TICKET_PRIORITIES:
        raise UserError(f"“{priority}” is not a priority; choose low, normal, high or urgent.")
    response = _target(first_response_minutes, "first-response")
    resolution = _target(resolution_minutes, "resolution")
    if response > resolution:
        raise UserError("The first-response target cannot be longer than the resolution "
                        "target; a ticket is answered before it is solved.")
    with vault.unit_of_work() as uow:
        s = uow.session
        row = s.scalars(select(SlaPolicy).where(SlaPolicy.priority == priority)).first()
        if row is None:
            row = SlaPolicy(priority=priority)
            s.add(row)
        row.first_response_minutes = response
        row.resolution_minutes = resolution
        s.flush()
        audit.add(s, "sla_policy.changed", "sla_policy", row.id)
        return PolicyRecord(priority, response, resolution)


# -- the clock ------------------------------------------------------------------------


def start_clock(session: Session, ticket: Ticket, now: datetime) -> None:
    """A new ticket's targets, counted from its creation."""
    now = _utc(now)
    if ticket.created_at is None:
        ticket.created_at = now
    cal = calendar_in(session)
    ticket.paused_minutes = 0
    _set_targets(session, ticket, cal)
    ticket.paused_since = _utc(ticket.created_at) if ticket.status in STOPPED else None
    _set_next_due(ticket)


def after_status_change(session: Session, ticket: Ticket, old_status: str,
                        now: datetime) -> None:
    """The clock after `ticket.status` moved from `old_status` (already set)."""
    now = _utc(now)
    new_status = ticket.status
    was_stopped = old_status in STOPPED
    if new_status in STOPPED and not was_stopped:
        ticket.paused_since = now
    elif new_status not in STOPPED and was_stopped:
        _resume(session, ticket, now)
    if new_status == "solved" and ticket.solved_at is None:
        ticket.solved_at = now
        ticket.resolution_met = _met(ticket, ticket.resolution_due_at, now)
    if new_status == "closed" and ticket.closed_at is None:
        ticket.closed_at = now
    if new_status == "solved":
        ticket.closed_at = None
    if new_status not in DONE and old_status in DONE:
        ticket.solved_at = None
        ticket.resolution_met = None
        ticket.closed_at = None
    _set_next_due(ticket)


def after_public_reply(session: Session, ticket: Ticket, now: datetime) -> None:
    """The first public reply meets (or misses) the response target, once."""
    now = _utc(now)
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        ticket.response_met = _met(ticket, ticket.response_due_at, now)
    _set_next_due(ticket)


def after_priority_change(session: Session, ticket: Ticket, now: datetime) -> None:
    """Targets recounted from creation with the new priority's policy."""
    cal = calendar_in(session)
    _set_targets(session, ticket, cal)
    _set_next_due(ticket)


def due_state(ticket: Ticket, now: datetime, calendar: BusinessCalendar) -> DueState:
    """What the ticket's clock says at `now`."""
    now = _utc(now)
    if ticket.status in DONE:
        word = "Solved" if ticket.status == "solved" else "Closed"
        if ticket.resolution_met is None:
            return DueState(None, None, None, False, False, word)
        met = bool(ticket.resolution_met)
        text = f"{word} within target" if met else f"{word} after the target"
        return DueState("resolution", _naive(ticket.resolution_due_at), None, not met, False,
                        text)
    target = "response" if ticket.first_response_at is None else "resolution"
    due = _naive(ticket.response_due_at if target == "response" else ticket.resolution_due_at)
    if ticket.status in WAITING:
        why = "waiting on the customer" if ticket.status == "pending" else "on hold"
        stopped = _naive(ticket.paused_since) or now
        left = calendar.minutes_between(stopped, due) if due is not None else None
        breached = due is not None and stopped > due
        return DueState(target, due, left, breached, True, f"Clock paused ({why})")
    if due is None:
        return DueState(None, None, None, False, False, "No target")
    word = "Reply" if target == "response" else "Resolution"
    left = calendar.minutes_between(now, due)
    if now > due:
        amount = f" by {duration_text(left)}" if left else ""
        return DueState(target, due, left, True, False, f"{word} overdue{amount}")
    if left == 0:
        return DueState(target, due, 0, False, False, f"{word} due now")
    return DueState(target, due, left, False, False, f"{word} due in {duration_text(left)}")


def due_soon_until(calendar: BusinessCalendar, now: datetime) -> datetime:
    """The latest `next_due_at` the "due soon" queue shows at `now` (naive UTC)."""
    return calendar.add(_utc(now), DUE_SOON_MINUTES)


# -- inside ------------------------------------------------------------------------


def _set_targets(session: Session, ticket: Ticket, cal: BusinessCalendar) -> None:
    policy = policy_in(session, ticket.priority or "normal")
    created = _utc(ticket.created_at)
    paused = ticket.paused_minutes or 0
    ticket.response_due_at = cal.add(created, policy.first_response_minutes + paused)
    ticket.resolution_due_at = cal.add(created, policy.resolution_minutes + paused)


def _resume(session: Session, ticket: Ticket, now: datetime) -> None:
    since = _naive(ticket.paused_since)
    ticket.paused_since = None
    if since is None or now <= since:
        return
    cal = calendar_in(session)
    minutes = cal.minutes_between(since, now)
    if minutes <= 0:
        return
    ticket.paused_minutes = (ticket.paused_minutes or 0) + minutes
    if ticket.response_due_at is not None:
        ticket.response_due_at = cal.add(_utc(ticket.response_due_at), minutes)
    if ticket.resolution_due_at is not None:
        ticket.resolution_due_at = cal.add(_utc(ticket.resolution_due_at), minutes)


def _met(ticket: Ticket, due: datetime | None, now: datetime) -> bool | None:
    """Whether the clock stopped in time: at the start of the current pause, or now."""
    if due is None:
        return None
    stopped = _naive(ticket.paused_since) or now
    return stopped <= _utc(due)


def _set_next_due(ticket: Ticket) -> None:
    if ticket.status in STOPPED:
        ticket.next_due_at = None
    elif ticket.first_response_at is None and ticket.response_due_at is not None:
        ticket.next_due_at = _utc(ticket.response_due_at)
    else:
        ticket.next_due_at = _naive(ticket.resolution_due_at)


def _naive(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _utc(value: datetime) -> datetime:
    """Naive UTC, as stored (an aware value is converted)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _holiday(row: Holiday) -> HolidayRecord:
    return HolidayRecord(row.id, row.day, row.name)


def _day(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"“{text}” is not a date; write it as YYYY-MM-DD, for example "
                        "2026-12-25.") from None


def _day_text(day: date) -> str:
    return f"{day.strftime('%A')} {day.isoformat()}"


def _holiday_name(name: str) -> str:
    clean = clean_text(name or "")
    if len(clean) > HOLIDAY_NAME_MAX:
        raise UserError(f"Keep the holiday's name under {HOLIDAY_NAME_MAX} characters.")
    return clean


def _target(value: int | str, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value
    else:
        text = str(value).strip()
        minutes = int(text) if text.isdigit() else 0
    if minutes <= 0:
        raise UserError(f"The {what} target must be a whole number of minutes above 0.")
    if minutes > MAX_TARGET_MINUTES:
        raise UserError(f"The {what} target can be at most {MAX_TARGET_MINUTES // 480} "
                        "business days of 8 hours.")
    return minutes
