"""Support figures for a period: the backlog day by day, the median first-response and
resolution times, and SLA attainment per month.

A period is two local days of the office (services.office_time), both included.

- Backlog: for each day, the tickets not yet solved or closed at the end of that local
  day, counted from the status history (`ticket_status_change`, one row per move, the
  creation being "" -> "new"): a move from nothing, solved or closed into new, open,
  pending or on hold adds one; a move from those into solved or closed takes one
  away. The count before the period is one sum over the shorter side of the history
  (see `_open_at`); the days are one grouped query that reads the history by its time
  index. Deleted tickets take their history with them.
- Median first-response time: over the tickets whose first public reply falls in the
  period, from the ticket's creation to that reply. Median resolution time: over the
  tickets solved in the period (and not reopened since), from creation to the solve.
  Each is given twice: in business minutes (the office's opening hours, holidays left
  out; time waiting on the customer counted like any other) and in elapsed hours
  (the clock on the wall). With an even number of tickets the median is the mean of
  the middle two. Business minutes need the office's calendar, so these are counted
  here from one query's rows, not in SQL.
- SLA attainment: for each calendar month the period touches (whole months), the
  tickets whose response target was decided (first reply) in that month and how many
  met it, and the same for the resolution target (decided when solved). One grouped
  query counts both.

The ticket table has no index on `first_response_at` or `solved_at`, so the medians
and the attainment each read the ticket table once (about a second at 500,000
tickets); the backlog reads only the history's index range it needs.

Permissions: `figures` needs tickets.view. The `*_in` functions run inside the caller's
transaction (the reports use them) and check nothing.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    DateTime,
    Integer,
    Select,
    and_,
    case,
    column,
    func,
    null,
    or_,
    select,
    values,
)
from sqlalchemy.orm import Session

from crasme_desktop.domain.business_hours import BusinessCalendar
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Ticket, TicketStatusChange
from crasme_desktop.services import office_time, permissions, sla
from crasme_desktop.vault import Vault

#: Statuses counted in the backlog, and those that take a ticket out of it.
OPEN_STATUSES = ("new", "open", "pending", "on_hold")
DONE_STATUSES = ("solved", "closed")
#: Days per grouped backlog query (keeps the bound parameters few).
DAYS_PER_QUERY = 400
MAX_DAYS = 366 * 20
FIRST_RESPONSE_BASIS = ("From each ticket's creation to its first public reply, over the "
                        "tickets first answered in the period.")
RESOLUTION_BASIS = ("From each ticket's creation to its solve, over the tickets solved in "
                    "the period and not reopened since.")

__all__ = [
    "BacklogDay",
    "MonthAttainment",
    "TicketFigures",
    "TimeMedian",
    "attainment_in",
    "backlog_in",
    "figures",
    "first_response_in",
    "medians_in",
    "resolution_in",
]


@dataclass(frozen=True)
class BacklogDay:
    day: date
    open_tickets: int  # not solved or closed at the end of the local day


@dataclass(frozen=True)
class TimeMedian:
    """A median time over `tickets` tickets (None when there are none)."""

    measure: str  # "first response" or "resolution"
    tickets: int
    median_business_minutes: float | None
    median_elapsed_hours: float | None
    basis: str  # what was measured, for a person


@dataclass(frozen=True)
class MonthAttainment:
    month: date  # its first day
    response_decided: int
    response_met: int
    resolution_decided: int
    resolution_met: int

    @property
    def response_percent(self) -> Decimal | None:
        return _percent(self.response_met, self.response_decided)

    @property
    def resolution_percent(self) -> Decimal | None:
        return _percent(self.resolution_met, self.resolution_decided)


@dataclass(frozen=True)
class TicketFigures:
    start: date
    end: date
    zone: str
    backlog: list[BacklogDay]
    first_response: TimeMedian
    resolution: TimeMedian
    attainment: list[MonthAttainment]


def figures(vault: Vault, start: date, end: date) -> TicketFigures:
    """All the support figures for the local days `start`..`end`."""
    permissions.require(vault, "tickets.view")
    _check_period(start, end)
    with vault.unit_of_work() as uow:
        s = uow.session
        zone = office_time.zone_in(s)
        cal = sla.calendar_in(s)
        first_response, resolution = medians_in(s, start, end, cal)
        return TicketFigures(
            start=start, end=end, zone=str(zone.key),
            backlog=backlog_in(s, start, end, zone),
            first_response=first_response,
            resolution=resolution,
            attainment=attainment_in(s, start, end, zone),
        )


def _delta() -> Any:
    change = TicketStatusChange
    return case(
        (and_(change.from_status.not_in(OPEN_STATUSES), change.to_status.in_(OPEN_STATUSES)), 1),
        (and_(change.from_status.in_(OPEN_STATUSES), change.to_status.in_(DONE_STATUSES)), -1),
        else_=0,
    )


def backlog_in(session: Session, start: date, end: date, zone: ZoneInfo) -> list[BacklogDay]:
    """Open tickets at the end of each local day of the period."""
    _check_period(start, end)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    bounds = [office_time.local_day_bounds(day, zone) for day in days]
    running = _open_at(session, bounds[0][0])
    moves: dict[int, int] = {}
    for first in range(0, len(days), DAYS_PER_QUERY):
        query = _moves_query(first, bounds[first:first + DAYS_PER_QUERY])
        moves.update({i: int(total or 0) for i, total in session.execute(query)})
    out = []
    for i, day in enumerate(days):
        running += moves.get(i, 0)
        out.append(BacklogDay(day, int(running)))
    return out


def medians_in(session: Session, start: date, end: date,
               calendar: BusinessCalendar) -> tuple[TimeMedian, TimeMedian]:
    """The median first-response and resolution times, from one read of the tickets."""
    lo, hi = _period_bounds(start, end, calendar.zone)
    rows = session.execute(
        select(Ticket.created_at, Ticket.first_response_at, Ticket.solved_at)
        .where(or_(and_(Ticket.first_response_at >= lo, Ticket.first_response_at < hi),
                   and_(Ticket.solved_at >= lo, Ticket.solved_at < hi)))).all()
    answered = [(c, r) for c, r, _ in rows if r is not None and lo <= r < hi]
    solved = [(c, d) for c, _, d in rows if d is not None and lo <= d < hi]
    return (_median("first response", answered, calendar, FIRST_RESPONSE_BASIS),
            _median("resolution", solved, calendar, RESOLUTION_BASIS))


def first_response_in(session: Session, start: date, end: date,
                      calendar: BusinessCalendar) -> TimeMedian:
    """Median time from creation to the first public reply, over replies in the period."""
    return medians_in(session, start, end, calendar)[0]


def resolution_in(session: Session, start: date, end: date,
                  calendar: BusinessCalendar) -> TimeMedian:
    """Median time from creation to the solve, over tickets solved in the period."""
    return medians_in(session, start, end, calendar)[1]


def attainment_in(session: Session, start: date, end: date,
                  zone: ZoneInfo) -> list[MonthAttainment]:
    """Targets decided and met per calendar month the period touches."""
    _check_period(start, end)
    months = _months(start, end)
    bounds = [office_time.local_day_bounds(m, zone)[0] for m in months]
    bounds.append(office_time.local_day_bounds(_next_month(months[-1]), zone)[0])
    response_month = _bucket(Ticket.first_response_at, Ticket.response_met, bounds)
    resolution_month = _bucket(Ticket.solved_at, Ticket.resolution_met, bounds)
    query = (select(response_month, resolution_month, func.count(),
                    func.sum(case((Ticket.response_met.is_(True), 1), else_=0)),
                    func.sum(case((Ticket.resolution_met.is_(True), 1), else_=0)))
             .where(or_(response_month.is_not(None), resolution_month.is_not(None)))
             .group_by(response_month, resolution_month))
    counts = [[0, 0, 0, 0] for _ in months]
    for response_k, resolution_k, tickets, response_met, resolution_met in session.execute(query):
        if response_k is not None:
            counts[response_k][0] += tickets
            counts[response_k][1] += response_met or 0
        if resolution_k is not None:
            counts[resolution_k][2] += tickets
            counts[resolution_k][3] += resolution_met or 0
    return [MonthAttainment(month, *row) for month, row in zip(months, counts, strict=True)]


# -- inside ------------------------------------------------------------------------


def _moves_query(first: int, bounds: Sequence[tuple[datetime, datetime]]) -> Select[Any]:
    """Backlog moves per day (numbered from `first`): the days are a VALUES table joined
    to the history by its time index."""
    change = TicketStatusChange
    table = values(column("i", Integer), column("lo", DateTime), column("hi", DateTime),
                   name="period_day").data(
        [(first + k, lo, hi) for k, (lo, hi) in enumerate(bounds)]).cte("period_day")
    return (select(table.c.i, func.sum(_delta()))
            .select_from(table)
            .join(change, and_(change.at >= table.c.lo, change.at < table.c.hi))
            .group_by(table.c.i))


def _bucket(when: Any, met: Any, bounds: Sequence[datetime]) -> Any:
    """The month number of a decided outcome in the bounds, else NULL."""
    outside = or_(met.is_(None), when.is_(None), when < bounds[0], when >= bounds[-1])
    return case((outside, null()),
                *[(when < bounds[k + 1], k) for k in range(len(bounds) - 1)])


def _open_at(session: Session, moment: datetime) -> int:
    """Tickets not solved or closed just before `moment`.

    Summed from the side of the history that is shorter by time: forwards over the moves
    before `moment`, or backwards from the tickets open now over the moves since (a
    ticket's status is its last move's, as the tickets service keeps it), so a recent
    period does not read the whole history."""
    change = TicketStatusChange
    first, last = session.execute(select(func.min(change.at), func.max(change.at))).one()
    if first is None or moment <= first:
        return 0
    delta = func.coalesce(func.sum(_delta()), 0)
    if moment - first <= last - moment:
        return int(session.scalar(select(delta).where(change.at < moment)) or 0)
    now_open = session.scalar(select(func.count()).select_from(Ticket)
                              .where(Ticket.status.in_(OPEN_STATUSES))) or 0
    since = session.scalar(select(delta).where(change.at >= moment)) or 0
    return int(now_open) - int(since)


def _median(measure: str, rows: Sequence, calendar: BusinessCalendar, basis: str) -> TimeMedian:
    pairs = [(a, b) for a, b in rows if a is not None and b is not None and b >= a]
    if not pairs:
        return TimeMedian(measure, 0, None, None, basis)
    business = statistics.median(calendar.minutes_between_many(pairs))
    elapsed = statistics.median((b - a).total_seconds() for a, b in pairs) / 3600
    return TimeMedian(measure, len(pairs), float(business), round(elapsed, 2), basis)


def _period_bounds(start: date, end: date, zone: Any) -> tuple[datetime, datetime]:
    _check_period(start, end)
    return (office_time.local_day_bounds(start, zone)[0],
            office_time.local_day_bounds(end, zone)[1])


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise UserError("The period ends before it starts; choose an end on or after "
                        "the start.")
    if (end - start).days > MAX_DAYS:
        raise UserError("Choose a period of at most twenty years.")


def _months(start: date, end: date) -> list[date]:
    month, last = start.replace(day=1), end.replace(day=1)
    out = []
    while month <= last:
        out.append(month)
        month = _next_month(month)
    return out


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
