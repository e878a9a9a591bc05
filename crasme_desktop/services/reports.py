"""Reports over a period: revenue by month, unpaid invoices by age, the pipeline by
stage, deals won and lost, the ticket backlog, SLA attainment and jobs done per person.

Each report is a `domain.report.Report` (typed columns, rows of plain values, charts),
so the Reports page, the CSV export (`to_csv`) and the PDF (`save_pdf`) show the same
figures. Every figure is one aggregate statement over an index or one table, read in
a single transaction.

What is counted:
- revenue: invoices issued in the month less credit notes issued in it, net and with
  tax, per currency (`invoice_lists.revenue_by_month`, the Sales page's figures);
- aging: open amounts of issued and partly paid invoices by days past due, as they
  stand today (`invoice_lists.aging_summary`); the period does not change it;
- pipeline: open deals expected to close in the period, per stage and currency, value
  and weighted value (a deal's own probability, else its stage's; rounded half up once
  per sum, as `services.deals` does);
- won and lost: deals closed in the period (their `closed_on`), per month and currency;
- ticket backlog: tickets not yet solved or closed at the end of each day, week or
  month (by the period's length; up to today), from `ticket_figures.backlog_in`;
- SLA attainment: per whole month, the share of first responses and of resolutions that
  met their target (`ticket_figures.attainment_in`);
- jobs done: jobs marked done, per month of their finish and per assignee, with the
  hours worked.
Ticket and job times are stored in UTC; days and months are the office's
(`services.office_time`).

Who may see them: every report needs "reports.view", and that alone. A report is sums
and counts, no customer's record, so "reports.view" is the right to see the office's figures
of every area without the records behind them (a custom "Reporter" role sees revenue
without opening an invoice), as `invoice_lists` gives its revenue and aging figures to
"reports.view" or "invoices.view". The built-in roles with reports view every area
anyway; Staff has no reports. `to_csv`, `save_csv` and `save_pdf` only write a report
already made (under this check).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from crasme_desktop.domain.money import from_minor
from crasme_desktop.domain.progress import Progress
from crasme_desktop.domain.report import (
    BARS,
    COUNT,
    CURRENCY,
    DAY,
    HOURS,
    HOURS_UNIT,
    LINES,
    MONEY,
    MONTH,
    PERCENT,
    STACKED,
    TEXT,
    WEEK,
    Chart,
    Column,
    Period,
    Report,
    Series,
    period_for,
)
from crasme_desktop.services import invoice_lists, office_time, permissions, sla, ticket_figures
from crasme_desktop.services.sales_files import write_atomically
from crasme_desktop.vault import Vault

__all__ = ["REPORTS", "aging", "build", "jobs_done", "period_for", "pipeline", "print_pdf",
           "revenue", "save_csv", "save_pdf", "sla_attainment", "support_times", "ticket_backlog",
           "to_csv", "won_lost"]

#: (key, title) of every report, in the order the page and the PDF show them.
REPORTS = (
    ("revenue", "Revenue by month"),
    ("aging", "Unpaid invoices by age"),
    ("pipeline", "Pipeline by stage"),
    ("won_lost", "Deals won and lost"),
    ("ticket_backlog", "Ticket backlog"),
    ("sla", "SLA attainment"),
    ("support_times", "Support response times"),
    ("jobs_done", "Jobs done per person"),
)
TITLES = dict(REPORTS)
#: People a jobs chart names one by one; the others are added up as "Others".
CHART_PEOPLE = 8
NO_ASSIGNEE = "Not assigned"


def build(vault: Vault, key: str, period: Period, *, now: datetime | None = None) -> Report:
    """The report `key` (see `REPORTS`) for `period`."""
    makers: dict[str, Callable[..., Report]] = {
        "revenue": revenue, "aging": aging, "pipeline": pipeline, "won_lost": won_lost,
        "ticket_backlog": ticket_backlog, "sla": sla_attainment,
        "support_times": support_times, "jobs_done": jobs_done}
    if key not in makers:
        raise ValueError(f"no report {key!r}")
    if key in ("aging", "ticket_backlog"):
        return makers[key](vault, period, now=now)
    return makers[key](vault, period)


# -- sales -------------------------------------------------------------------------------
def revenue(vault: Vault, period: Period) -> Report:
    permissions.require(vault, "reports.view")
    months = invoice_lists.revenue_by_month(vault, period.start, period.end)
    rows = tuple((m.month, m.currency, m.net, m.gross, m.invoices, m.credit_notes)
                 for m in months)
    charts = []
    for currency in _currencies(rows, 1):
        mine = [r for r in rows if r[1] == currency]
        charts.append(Chart(BARS, tuple(r[0] for r in mine), MONTH, (
            Series("Net", tuple(r[2] for r in mine)),
            Series("With tax", tuple(r[3] for r in mine))), currency, currency))
    return Report(
        "revenue", TITLES["revenue"], period,
        (Column("month", "Month", MONTH), Column("currency", "Currency", CURRENCY),
         Column("net", "Net", MONEY), Column("gross", "With tax", MONEY),
         Column("invoices", "Invoices", COUNT), Column("credit_notes", "Credit notes", COUNT)),
        rows, BARS, tuple(charts),
        "Invoices issued in each month less the credit notes issued in it, paid or not.")


#: Column keys and titles of the aging buckets, in `invoice_lists.AGING_BUCKETS` order.
AGING_COLUMNS = (("current", "Not yet due"), ("days_1_30", "1–30 days"),
                 ("days_31_60", "31–60 days"), ("days_61_90", "61–90 days"),
                 ("days_over_90", "Over 90 days"))


def aging(vault: Vault, period: Period, *, now: datetime | None = None) -> Report:
    permissions.require(vault, "reports.view")
    today = now.astimezone().date() if now else None
    summary = invoice_lists.aging_summary(vault, today)
    rows = tuple((r.currency, *r.buckets(), r.total, r.count) for r in summary.rows)
    charts = tuple(
        Chart(BARS, tuple(title for _k, title in AGING_COLUMNS), TEXT,
              (Series("Open amount", tuple(r[1:6])),), r[0], r[0]) for r in rows)
    return Report(
        "aging", TITLES["aging"], period,
        (Column("currency", "Currency", CURRENCY),
         *(Column(key, title, MONEY) for key, title in AGING_COLUMNS),
         Column("total", "Total open", MONEY), Column("invoices", "Invoices", COUNT)),
        rows, BARS, charts,
        "What customers still owe by how long it is past due, as it stands today "
        "(the period does not change it).")


# -- deals -------------------------------------------------------------------------------
PIPELINE_SQL = """
SELECT p.name, st.name, d.currency, count(*), sum(d.value_minor),
  sum(d.value_minor * coalesce(d.probability, st.probability))
FROM deal d JOIN deal_stage st ON st.id = d.stage_id JOIN pipeline p ON p.id = d.pipeline_id
WHERE d.status = 'open' AND d.expected_close >= ? AND d.expected_close <= ?
GROUP BY d.stage_id, d.currency
"""
STAGES_SQL = """
SELECT p.name, st.name FROM deal_stage st JOIN pipeline p ON p.id = st.pipeline_id
WHERE st.kind = 'open' ORDER BY p.position, p.name, st.position, st.name
"""


def pipeline(vault: Vault, period: Period) -> Report:
    permissions.require(vault, "reports.view")
    params = (period.start.isoformat(), period.end.isoformat())
    with vault.unit_of_work() as uow:
        found = _raw(uow.session, PIPELINE_SQL, params).fetchall()
        stages = _raw(uow.session, STAGES_SQL, ()).fetchall()
    sums = {(p, st, c): (n, v or 0, w or 0) for p, st, c, n, v, w in found}
    # Stages in board order; a stage no longer open (its kind changed) still shows its deals.
    order = list(dict.fromkeys([*((p, st) for p, st in stages),
                                *sorted((p, st) for p, st, _c in sums)]))
    several = len({p for p, _st in order}) > 1
    currencies = sorted({c for _p, _st, c in sums})
    grid = [(p, st, c, *sums.get((p, st, c), (0, 0, 0))) for p, st in order for c in currencies]
    charts = []
    for c in currencies:
        mine = [g for g in grid if g[2] == c]
        names = tuple(f"{g[0]}: {g[1]}" if several else g[1] for g in mine)
        charts.append(Chart(BARS, names, TEXT, (
            Series("Value", tuple(from_minor(g[4], c) for g in mine)),
            Series("Weighted", tuple(_weighted(g[5], c) for g in mine))), c, c))
    # The chart shows every stage; the table only those holding deals.
    rows = [(p, st, c, n, from_minor(v, c), _weighted(w, c)) for p, st, c, n, v, w in grid if n]
    return Report(
        "pipeline", TITLES["pipeline"], period,
        (Column("pipeline", "Pipeline", TEXT), Column("stage", "Stage", TEXT),
         Column("currency", "Currency", CURRENCY), Column("deals", "Deals", COUNT),
         Column("value", "Value", MONEY), Column("weighted", "Weighted", MONEY)),
        tuple(rows), BARS, tuple(charts),
        "Open deals expected to close in the period, by the stage they are in; weighted "
        "by each deal's probability.")


WON_LOST_SQL = """
SELECT substr(closed_on, 1, 7), currency, status, count(*), sum(value_minor)
FROM deal
WHERE status IN ('won', 'lost') AND closed_on >= ? AND closed_on <= ?
GROUP BY 1, 2, 3
"""


def won_lost(vault: Vault, period: Period) -> Report:
    permissions.require(vault, "reports.view")
    params = (period.start.isoformat(), period.end.isoformat())
    with vault.unit_of_work() as uow:
        found = _raw(uow.session, WON_LOST_SQL, params).fetchall()
    cells = {(m, c, s): (n, v or 0) for m, c, s, n, v in found}
    currencies = sorted({c for _m, c, _s in cells})
    months = period.months()
    rows = []
    for month in months:
        key = month.isoformat()[:7]
        for c in currencies:
            won_n, won_v = cells.get((key, c, "won"), (0, 0))
            lost_n, lost_v = cells.get((key, c, "lost"), (0, 0))
            if won_n or lost_n:
                rows.append((month, c, won_n, from_minor(won_v, c), lost_n,
                             from_minor(lost_v, c)))
    counts = {m: [0, 0] for m in months}
    for r in rows:
        counts[r[0]][0] += r[2]
        counts[r[0]][1] += r[4]
    chart = Chart(BARS, tuple(months), MONTH, (
        Series("Won", tuple(counts[m][0] for m in months)),
        Series("Lost", tuple(counts[m][1] for m in months))))
    return Report(
        "won_lost", TITLES["won_lost"], period,
        (Column("month", "Month", MONTH), Column("currency", "Currency", CURRENCY),
         Column("won", "Won", COUNT), Column("won_value", "Won value", MONEY),
         Column("lost", "Lost", COUNT), Column("lost_value", "Lost value", MONEY)),
        tuple(rows), BARS, (chart,) if currencies else (),
        "Deals by the month they were won or lost; the chart counts deals in every "
        "currency.")


# -- tickets -----------------------------------------------------------------------------
def ticket_backlog(vault: Vault, period: Period, *, now: datetime | None = None) -> Report:
    permissions.require(vault, "reports.view")
    moment = now or vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        zone = office_time.zone_in(s)
        today = office_time.to_local(moment, zone).date()
        last = min(period.end, today)
        days = ticket_figures.backlog_in(s, period.start, last, zone) \
            if last >= period.start else []
    step = DAY if period.days <= 31 else WEEK if period.days <= 186 else MONTH
    firsts = [d for d in _steps(period, step) if d <= last]
    level = {d.day: d.open_tickets for d in days}
    ends = [*(f - timedelta(days=1) for f in firsts[1:]), last]
    rows = tuple((first, level[end]) for first, end in zip(firsts, ends, strict=True))
    chart = Chart(LINES, tuple(r[0] for r in rows), step,
                  (Series("Tickets waiting", tuple(r[1] for r in rows)),))
    when = {DAY: "Day", WEEK: "Week from", MONTH: "Month"}[step]
    return Report(
        "ticket_backlog", TITLES["ticket_backlog"], period,
        (Column("start", when, step), Column("waiting", "Waiting at the end", COUNT)),
        rows, LINES, (chart,) if rows else (),
        f"Tickets not yet solved or closed at the end of each {step} (up to today).")


def sla_attainment(vault: Vault, period: Period) -> Report:
    permissions.require(vault, "reports.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        months = ticket_figures.attainment_in(s, period.start, period.end,
                                              office_time.zone_in(s))
    rows = tuple((m.month, m.response_decided, m.response_met, m.response_percent,
                  m.resolution_decided, m.resolution_met, m.resolution_percent)
                 for m in months)
    chart = Chart(BARS, tuple(r[0] for r in rows), MONTH, (
        Series("First response in time", tuple(r[3] or Decimal(0) for r in rows)),
        Series("Resolved in time", tuple(r[6] or Decimal(0) for r in rows))), "%")
    return Report(
        "sla", TITLES["sla"], period,
        (Column("month", "Month", MONTH), Column("responses", "First responses", COUNT),
         Column("responses_met", "In time", COUNT),
         Column("response_rate", "Responses in time", PERCENT),
         Column("resolutions", "Resolutions", COUNT),
         Column("resolutions_met", "In time", COUNT),
         Column("resolution_rate", "Resolved in time", PERCENT)),
        rows, BARS, (chart,) if any(r[1] or r[4] for r in rows) else (),
        "Of the first responses and resolutions in each month (whole months), the share "
        "that met the ticket's SLA target.")


def support_times(vault: Vault, period: Period) -> Report:
    """The median time to the first reply and to the solve, over the tickets answered or
    solved in the period, in business hours (the SLA's clock) and in elapsed hours."""
    permissions.require(vault, "reports.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        medians = ticket_figures.medians_in(s, period.start, period.end, sla.calendar_in(s))
    rows = tuple(
        (m.measure.capitalize(), m.tickets,
         _hours(round(m.median_business_minutes))
         if m.median_business_minutes is not None else None,
         _hours(round(m.median_elapsed_hours * 60))
         if m.median_elapsed_hours is not None else None)
        for m in medians)
    chart = Chart(BARS, tuple(r[0] for r in rows), TEXT, (
        Series("Business hours (median)", tuple(r[2] or Decimal(0) for r in rows)),
        Series("Elapsed hours (median)", tuple(r[3] or Decimal(0) for r in rows))),
        HOURS_UNIT)
    return Report(
        "support_times", TITLES["support_times"], period,
        (Column("measure", "Measure", TEXT), Column("tickets", "Tickets", COUNT),
         Column("business_hours", "Median, business hours", HOURS),
         Column("elapsed_hours", "Median, elapsed hours", HOURS)),
        rows, BARS, (chart,) if any(r[1] for r in rows) else (),
        "From a ticket's creation to its first public reply (over the replies made in the "
        "period) and to its solve (over the tickets solved in the period), time waiting on "
        "the customer included.")


# -- jobs --------------------------------------------------------------------------------
JOBS_SQL = """
SELECT {bucket} AS b, j.assignee_id, coalesce(s.name, ''), count(*),
  sum(coalesce(j.minutes_worked, 0))
FROM job j LEFT JOIN staff_member s ON s.id = j.assignee_id
WHERE j.status = 'done' AND j.finished_at >= ? AND j.finished_at < ?
GROUP BY b, j.assignee_id
"""


def jobs_done(vault: Vault, period: Period) -> Report:
    permissions.require(vault, "reports.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        bounds = _month_bounds(period, office_time.zone_in(s))
        sql, params = jobs_query(bounds)
        found = _raw(s, sql, params).fetchall()
    months = period.months()
    totals: dict[str, int] = {}
    cells: dict[tuple[int, str], tuple[int, int]] = {}
    for b, _staff, name, n, minutes in found:
        who = name or NO_ASSIGNEE
        old = cells.get((b, who), (0, 0))
        cells[(b, who)] = (old[0] + n, old[1] + (minutes or 0))
        totals[who] = totals.get(who, 0) + n
    people = sorted(totals, key=lambda p: (-totals[p], p.casefold()))
    rows = tuple((months[b], who, n, _hours(minutes))
                 for (b, who), (n, minutes) in sorted(
                     cells.items(), key=lambda kv: (kv[0][0], people.index(kv[0][1]))))
    named, others = people[:CHART_PEOPLE], people[CHART_PEOPLE:]
    series = [Series(p, tuple(cells.get((i, p), (0, 0))[0] for i in range(len(months))))
              for p in named]
    if others:
        series.append(Series("Others", tuple(
            sum(cells.get((i, p), (0, 0))[0] for p in others) for i in range(len(months)))))
    return Report(
        "jobs_done", TITLES["jobs_done"], period,
        (Column("month", "Month", MONTH), Column("person", "Person", TEXT),
         Column("jobs", "Jobs done", COUNT), Column("hours", "Hours worked", HOURS)),
        rows, STACKED,
        (Chart(STACKED, tuple(months), MONTH, tuple(series)),) if rows else (),
        "Jobs marked done, by the month they were finished and who did them.")


def jobs_query(bounds: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """The jobs statement and its parameters (also timed bare by the bench)."""
    sql = JOBS_SQL.format(bucket=_bucket_sql("j.finished_at", len(bounds) - 1))  # nosec B608  # code constants; values are bound
    return sql, (*bounds[:-1], bounds[0], bounds[-1])


# -- files -------------------------------------------------------------------------------
def to_csv(report: Report) -> str:
    """The report's rows as CSV for programs: a header of column keys, ISO dates (months
    as YYYY-MM), plain decimal numbers with a point, no grouping, whatever the locale."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in report.columns])
    for row in report.rows:
        writer.writerow([_csv_value(v, c.kind) for v, c in zip(row, report.columns,
                                                                strict=True)])
    return out.getvalue()


def save_csv(report: Report, path: Path | str) -> Path:
    """Write `to_csv(report)` to `path` (UTF-8, through a temporary file)."""
    target = Path(path)
    write_atomically(target, to_csv(report).encode("utf-8"), what="CSV file")
    return target


def print_pdf(vault: Vault, period: Period, path: Path | str, *, locale: str,
              keys: Sequence[str] = (), progress: Progress | None = None) -> Path:
    """Make the reports `keys` (every report when empty) for `period` and print them to
    an A4 PDF at `path` (the Reports page's "Print to PDF…")."""
    permissions.require(vault, "reports.view")
    progress = progress or Progress()
    wanted = list(keys) or [k for k, _t in REPORTS]
    made = []
    for n, key in enumerate(wanted):
        progress.update(n, len(wanted) + 1, f"Counting “{TITLES[key]}”…")
        progress.check()
        made.append(build(vault, key, period))
    progress.update(len(wanted), len(wanted) + 1, "Drawing the pages…")
    return save_pdf(made, path, locale=locale)


def save_pdf(reports: Sequence[Report], path: Path | str, *, locale: str,
             title: str = "Reports", progress: Progress | None = None) -> Path:
    """Print the reports, each chart above its table, to an A4 PDF at `path`."""
    from crasme_desktop.formats.report_pdf import render_reports_pdf

    progress = progress or Progress()
    progress.update(0, 2, "Drawing the pages…")
    data = render_reports_pdf(reports, locale=locale, title=title)
    progress.check()
    progress.update(1, 2, "Saving…")
    target = Path(path)
    write_atomically(target, data)
    progress.update(2, 2, "")
    return target


# -- inside ------------------------------------------------------------------------------
def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()[:7] if kind == MONTH else value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _currencies(rows: Sequence[tuple[Any, ...]], column: int) -> list[str]:
    return sorted({r[column] for r in rows})


def _weighted(value_times_percent: int, currency: str) -> Decimal:
    minor = (Decimal(int(value_times_percent)) / 100).quantize(Decimal(1),
                                                              rounding=ROUND_HALF_UP)
    return from_minor(int(minor), currency)


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _hours(minutes: int) -> Decimal:
    return (Decimal(int(minutes)) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _steps(period: Period, step: str) -> list[date]:
    """The first day of each day, week (from Monday) or month in the period; the first
    starts on the period's first day."""
    if step == MONTH:
        firsts = [max(m, period.start) for m in period.months()]
    elif step == WEEK:
        monday = period.start - timedelta(days=period.start.weekday())
        firsts = [max(monday + timedelta(weeks=i), period.start)
                  for i in range((period.end - monday).days // 7 + 1)]
    else:
        firsts = [period.start + timedelta(days=i) for i in range(period.days)]
    return firsts


def _month_bounds(period: Period, zone: ZoneInfo) -> list[str]:
    """Stored-time (UTC) stamps of the local midnights that start each month of the
    period (the first from the period's first day) and end its last day."""
    firsts = [max(m, period.start) for m in period.months()]
    ends = [*firsts, period.end + timedelta(days=1)]
    return [_stamp(office_time.to_utc(datetime.combine(d, datetime.min.time()), zone))
            for d in ends]


def _bucket_sql(column: str, n: int) -> str:
    """A CASE giving the bucket of `column` among n ascending bounds bound in order:
    -1 before the first, i from the i-th bound on."""
    whens = " ".join(f"WHEN {column} < ? THEN {i - 1}" for i in range(n))
    return f"CASE {whens} ELSE {n - 1} END"


def _stamp(moment: datetime) -> str:
    """A naive UTC time as the vault stores it (SQLAlchemy's SQLite format)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _raw(s: Session, sql: str, params: Sequence[Any]) -> Any:
    """A DB-API cursor on the session's connection (plain tuples, no ORM rows)."""
    cursor = s.connection().connection.cursor()
    cursor.execute(sql, tuple(params))
    return cursor
