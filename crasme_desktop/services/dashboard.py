"""Figures for the dashboard's tiles, each the same count as the list it opens.

- Today's jobs: jobs planned to start on the office's local today, cancelled ones left
  out (the Schedule's day view, `schedule.day`), how many are done, and the next one
  still to start.
- Tickets: breached (the next SLA target already past) and due soon (within
  `sla.DUE_SOON_MINUTES` business minutes): the Tickets page's "breached" and
  "due_soon" queues (`ticket_queues.queue_counts`).
- Invoices overdue: count and open amount per currency, the Sales list's "overdue"
  filter (`invoice_lists.invoice_totals`).
- Pipeline this month: open deals expected to close this month (`deals.month_filter`).
- Revenue this month: invoices issued since the 1st less credit notes (net, per
  currency; the revenue report for this month), against the same days of last month
  (the 1st to the same day, or to its last day when it is shorter), with the change
  in percent (None when last month had nothing to compare with).

Which page and filter each tile opens is the UI's business (ui/pages/dashboard.FILTERS).

Nobody is refused the dashboard: it leaves out (None) each figure of an area the acting
user may not view, and counts nothing there. People and the last change need
"contacts.view", companies "companies.view", timeline entries either; jobs
"schedule.view", tickets "tickets.view", overdue invoices "invoices.view", the pipeline
"deals.view", privacy requests "privacy_requests"; revenue is the revenue report's
figure (its tile opens that report), so it needs "reports.view": Staff, who view
invoices but have no reports, see no revenue tile figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.models import Activity, Organization, Person
from crasme_desktop.domain.report import add_months
from crasme_desktop.services import (
    deals,
    invoice_lists,
    office_time,
    permissions,
    privacy_requests,
    sla,
    ticket_queues,
)
from crasme_desktop.services.invoice_lists import FilterTotals, InvoiceFilter
from crasme_desktop.services.quotes import today_of
from crasme_desktop.vault import Vault


@dataclass(frozen=True)
class NextJob:
    number: int
    title: str
    start: datetime  # aware, in the office's zone
    assignee: str  # "" when nobody is assigned


@dataclass(frozen=True)
class JobsToday:
    day: date
    count: int  # not cancelled
    done: int
    next: NextJob | None  # the first one still to start (scheduled or on the way)


@dataclass(frozen=True)
class TicketsDue:
    breached: int
    due_soon: int
    due_soon_minutes: int = sla.DUE_SOON_MINUTES  # business minutes ahead "soon" means


@dataclass(frozen=True)
class RevenueChange:
    currency: str
    this_month: Decimal  # net, from the 1st to today
    last_month: Decimal  # net, the same days of last month
    change_percent: Decimal | None  # None when last month had nothing


@dataclass(frozen=True)
class DashboardSummary:
    """Every figure is None when the acting user may not view its area (see above)."""

    people: int | None
    organizations: int | None
    activities: int | None
    last_changed: datetime | None
    #: Open privacy requests past their due date, and due within a week.
    requests_late: int | None = 0
    requests_due_soon: int | None = 0
    #: Open deals expected to close this month (`deals.PeriodSummary`): the list behind
    #: it is `deals.month_filter(today)`.
    pipeline: Any = None
    jobs_today: JobsToday | None = None
    tickets: TicketsDue | None = None
    overdue: FilterTotals | None = None
    #: This month against the same days of last month, per currency (most revenue first).
    revenue: tuple[RevenueChange, ...] | None = ()


def summary(vault: Vault, today: date | None = None,
            now: datetime | None = None) -> DashboardSummary:
    """Every tile's figures. `today` is the day for invoices, deals and revenue (the
    lists' day); `now` the moment for jobs and tickets (in the office's zone)."""
    day = today_of(vault, today)
    moment = as_utc(now or vault.clock.now())

    def may(*wanted: str) -> bool:
        return any(permissions.may(vault, w) for w in wanted)

    with vault.unit_of_work() as uow:
        s = uow.session

        def count(model: type, *wanted: str) -> int | None:
            if not may(*wanted):
                return None
            return s.scalar(select(func.count()).select_from(model)) or 0

        last = s.scalar(select(func.max(Person.updated_at))) if may("contacts.view") else None
        figures = (count(Person, "contacts.view"), count(Organization, "companies.view"),
                   count(Activity, "contacts.view", "companies.view"), last)
        jobs = _jobs_today(s, moment) if may("schedule.view") else None
    due = privacy_requests.due_summary(vault) if may("privacy_requests") else None
    queues = ticket_queues.queue_counts(vault, moment) if may("tickets.view") else None
    return DashboardSummary(
        *figures,
        requests_late=due.late if due is not None else None,
        requests_due_soon=due.due_soon if due is not None else None,
        pipeline=deals.pipeline_this_month(vault, day) if may("deals.view") else None,
        jobs_today=jobs,
        tickets=TicketsDue(queues.breached, queues.due_soon) if queues is not None else None,
        overdue=invoice_lists.invoice_totals(vault, InvoiceFilter(status="overdue"),
                                             today=day) if may("invoices.view") else None,
        revenue=revenue_change(vault, day) if may("reports.view") else None)


def revenue_change(vault: Vault, today: date) -> tuple[RevenueChange, ...]:
    """Net revenue from the 1st to `today` against the same days of last month."""
    permissions.require(vault, "reports.view")
    first = today.replace(day=1)
    before = add_months(first, -1)
    same_day = before + timedelta(days=min(today.day, (first - before).days) - 1)
    now = _net(invoice_lists.revenue_by_month(vault, first, today))
    then = _net(invoice_lists.revenue_by_month(vault, before, same_day))
    out = []
    for currency in sorted(set(now) | set(then), key=lambda c: (-now.get(c, 0), c)):
        this, last = now.get(currency, Decimal(0)), then.get(currency, Decimal(0))
        change = None if not last else ((this - last) * 100 / abs(last)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP)
        out.append(RevenueChange(currency, this, last, change))
    return tuple(out)


JOBS_TODAY_SQL = """
SELECT count(*), coalesce(sum(status = 'done'), 0) FROM job
WHERE scheduled_start >= ? AND scheduled_start < ? AND status <> 'cancelled'
"""
NEXT_JOB_SQL = """
SELECT j.number, j.title, j.scheduled_start, coalesce(s.name, '')
FROM job j LEFT JOIN staff_member s ON s.id = j.assignee_id
WHERE j.scheduled_start >= ? AND j.scheduled_start < ?
  AND j.status IN ('scheduled', 'on_the_way')
ORDER BY j.scheduled_start, j.id LIMIT 1
"""


def _jobs_today(s: Any, moment: datetime) -> JobsToday:
    zone = office_time.zone_in(s)
    day = office_time.to_local(moment, zone).date()
    low, high = (_stamp(b) for b in office_time.local_day_bounds(day, zone))
    cursor = s.connection().connection.cursor()
    count, done = cursor.execute(JOBS_TODAY_SQL, (low, high)).fetchone()
    now = _stamp(office_time.to_utc(moment, zone))
    row = cursor.execute(NEXT_JOB_SQL, (max(low, now), high)).fetchone()
    following = None
    if row is not None:
        number, title, start, assignee = row
        following = NextJob(int(number), title,
                            office_time.to_local(datetime.fromisoformat(start), zone), assignee)
    return JobsToday(day, int(count), int(done), following)


def _net(months: list[invoice_lists.MonthRevenue]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for m in months:
        out[m.currency] = out.get(m.currency, Decimal(0)) + m.net
    return out


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")
