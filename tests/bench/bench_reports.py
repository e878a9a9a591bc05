"""Speed of the dashboard and of every report on a big demo vault, each against the bare
SQL behind it on bare sqlcipher3 in the same run.

    python -m tests.bench --only reports [--reports-people 100000] [--reports-runs 7]

The vault is `crasme demo` at N people (with the invoices and deals the demo makes for
them). Tickets and jobs are added straight into their tables when the demo made none:
about one ticket per four people over two years, with their status history (new, open,
solved, closed; the recent ones still open, some past their SLA target), and one job per
five people over two years and the coming month, across ten staff members (the past
ones done). Then, interleaved after warm-up runs (ours, bare, ours, bare, ...):

- dashboard: `dashboard.summary` (a unit of work per figure, the list services' own
  counts) against the same counts as bare statements on one connection;
- each report (`reports.build`) for the last twelve months against the statements that
  compute its figures (for the ticket backlog and SLA attainment, the grouped counts
  any program would run, by UTC day or month).
Goal: each ready in at most 500 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench.run import Result, bare_connection, sample_vault

GOAL_S = 0.500
STAMP = "%Y-%m-%d %H:%M:%S.%f"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reports-people", type=int, default=100_000,
                        help="demo people in the reports vault (default 100000)")
    parser.add_argument("--reports-runs", type=int, default=7,
                        help="timed runs per scenario (default 7)")


def run(args: argparse.Namespace, work: Path) -> list[Result]:
    from crasme_desktop.domain.report import period_for
    from crasme_desktop.services import dashboard, reports, vaults

    people, runs = args.reports_people, args.reports_runs
    path = work / f"reports-{people}.crasme"
    sample_vault(path, people, "reports")
    bare = bare_connection(path, check_same_thread=False)
    made = _fill_support(bare, people)
    counts = {t: bare.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # nosec B608  # table names from code
              for t in ("person", "invoice", "deal", "ticket", "ticket_status_change", "job")}
    print("bench reports: " + ", ".join(f"{n:,} {t}" for t, n in counts.items())
          + (f" ({made})" if made else ""), file=sys.stderr)
    size = f"{people:,} people"
    vault = vaults.unlock(path)
    results: list[Result] = []
    try:
        now = vault.clock.now()
        today = now.astimezone().date()
        ours_t, bare_t = _pair(lambda: dashboard.summary(vault),
                               lambda: _bare_dashboard(bare, now, today), runs)
        results.append(_result(f"reports: dashboard ({size})", ours_t, bare_t,
                               "dashboard.summary vs the same counts as bare statements"))
        period = period_for("last_12_months", today)
        for key, title in reports.REPORTS:
            ours_t, bare_t = _pair(lambda k=key: reports.build(vault, k, period),
                                   lambda k=key: _bare_report(bare, k, period, now), runs)
            results.append(_result(f"reports: {title.lower()}, 12 months ({size})", ours_t,
                                   bare_t, f"reports.build('{key}') vs its statements bare"))
    finally:
        vault.close()
        bare.close()
    return results


# -- the bare statements ---------------------------------------------------------------
def _bare_dashboard(conn: Any, now: datetime, today: date) -> None:
    naive = now.astimezone(UTC).replace(tzinfo=None)
    day_start = datetime.combine(today, datetime.min.time())
    first = today.replace(day=1)
    last_first = (first - timedelta(days=1)).replace(day=1)
    month_end = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    for sql, params in (
        ("SELECT count(*) FROM person", ()),
        ("SELECT count(*) FROM organization", ()),
        ("SELECT count(*) FROM activity", ()),
        ("SELECT max(updated_at) FROM person", ()),
        ("SELECT count(*), sum(due_on < ?) FROM privacy_request WHERE status NOT IN "
         "('done', 'refused') AND due_on < ?", (today.isoformat(),
                                               (today + timedelta(days=7)).isoformat())),
        ("SELECT count(*), sum(status = 'done') FROM job WHERE scheduled_start >= ? AND "
         "scheduled_start < ? AND status <> 'cancelled'",
         (day_start.strftime(STAMP), (day_start + timedelta(days=1)).strftime(STAMP))),
        ("SELECT number, title FROM job WHERE scheduled_start >= ? AND scheduled_start < ? "
         "AND status IN ('scheduled', 'on_the_way') ORDER BY scheduled_start, id LIMIT 1",
         (naive.strftime(STAMP), (day_start + timedelta(days=1)).strftime(STAMP))),
        ("SELECT status, count(*) FROM ticket WHERE status <> 'closed' GROUP BY status", ()),
        ("SELECT count(*) FROM ticket WHERE next_due_at IS NOT NULL AND next_due_at < ?",
         (naive.strftime(STAMP),)),
        ("SELECT count(*) FROM ticket WHERE next_due_at IS NOT NULL AND next_due_at >= ? "
         "AND next_due_at <= ?", (naive.strftime(STAMP),
                                  (naive + timedelta(hours=2)).strftime(STAMP))),
        ("SELECT d.currency, count(*), sum(d.value_minor), sum(d.value_minor * "
         "coalesce(d.probability, s.probability)) FROM deal d JOIN deal_stage s ON s.id = "
         "d.stage_id WHERE d.status = 'open' AND d.expected_close BETWEEN ? AND ? "
         "GROUP BY d.currency", (first.isoformat(), month_end.isoformat())),
        ("SELECT currency, count(*), sum(total_minor), sum(total_minor - paid_minor - "
         "credited_minor) FROM invoice WHERE status IN ('issued', 'partly_paid') AND kind = "
         "'invoice' AND due_date < ? GROUP BY currency", (today.isoformat(),)),
        ("SELECT currency, sum(CASE WHEN kind = 'credit_note' THEN -net_minor ELSE net_minor "
         "END) FROM invoice WHERE issue_date >= ? AND issue_date <= ? AND number IS NOT NULL "
         "AND status <> 'draft' GROUP BY currency", (first.isoformat(), today.isoformat())),
        ("SELECT currency, sum(CASE WHEN kind = 'credit_note' THEN -net_minor ELSE net_minor "
         "END) FROM invoice WHERE issue_date >= ? AND issue_date <= ? AND number IS NOT NULL "
         "AND status <> 'draft' GROUP BY currency",
         (last_first.isoformat(), (last_first + timedelta(days=today.day - 1)).isoformat()
          if today.day <= (first - last_first).days else (first - timedelta(days=1))
          .isoformat())),
    ):
        conn.execute(sql, params).fetchall()


def _bare_report(conn: Any, key: str, period: Any, now: datetime) -> None:
    from crasme_desktop.services import invoice_lists, reports

    start, end = period.start.isoformat(), period.end.isoformat()
    lo = datetime.combine(period.start, datetime.min.time()).strftime(STAMP)
    hi = datetime.combine(period.end + timedelta(days=1), datetime.min.time()).strftime(STAMP)
    if key == "revenue":
        conn.execute(invoice_lists._REVENUE_SQL, (start, end)).fetchall()
    elif key == "aging":
        conn.execute(invoice_lists._AGING_SQL, (now.date().isoformat(),)).fetchall()
    elif key == "pipeline":
        conn.execute(reports.PIPELINE_SQL, (start, end)).fetchall()
        conn.execute(reports.STAGES_SQL).fetchall()
    elif key == "won_lost":
        conn.execute(reports.WON_LOST_SQL, (start, end)).fetchall()
    elif key == "ticket_backlog":
        delta = ("CASE WHEN from_status NOT IN ('new', 'open', 'pending', 'on_hold') AND "
                 "to_status IN ('new', 'open', 'pending', 'on_hold') THEN 1 WHEN from_status "
                 "IN ('new', 'open', 'pending', 'on_hold') AND to_status IN ('solved', "
                 "'closed') THEN -1 ELSE 0 END")
        conn.execute(f"SELECT sum({delta}) FROM ticket_status_change WHERE at < ?",  # nosec B608  # code constants
                     (lo,)).fetchall()
        conn.execute(f"SELECT substr(at, 1, 10), sum({delta}) FROM ticket_status_change "  # nosec B608  # code constants
                     "WHERE at >= ? AND at < ? GROUP BY 1", (lo, hi)).fetchall()
    elif key == "sla":
        for at, met in (("first_response_at", "response_met"), ("solved_at", "resolution_met")):
            conn.execute(f"SELECT substr({at}, 1, 7), count(*), sum({met}) FROM ticket "  # nosec B608  # code constants
                         f"WHERE {at} >= ? AND {at} < ? AND {met} IS NOT NULL GROUP BY 1",
                         (lo, hi)).fetchall()
    elif key == "support_times":
        conn.execute("SELECT created_at, first_response_at, solved_at FROM ticket WHERE "
                     "(first_response_at >= ? AND first_response_at < ?) OR "
                     "(solved_at >= ? AND solved_at < ?)", (lo, hi, lo, hi)).fetchall()
    elif key == "jobs_done":
        conn.execute("SELECT substr(j.finished_at, 1, 7), j.assignee_id, s.name, count(*), "
                     "sum(j.minutes_worked) FROM job j LEFT JOIN staff_member s ON s.id = "
                     "j.assignee_id WHERE j.status = 'done' AND j.finished_at >= ? AND "
                     "j.finished_at < ? GROUP BY 1, 2", (lo, hi)).fetchall()


# -- tickets and jobs --------------------------------------------------------------------
def _fill_support(conn: Any, people: int) -> str:
    """Tickets and jobs for a vault whose demo made none (says what it added)."""
    from crasme_desktop.domain.ids import new_id

    has_tickets = conn.execute("SELECT count(*) FROM ticket").fetchone()[0]
    has_jobs = conn.execute("SELECT count(*) FROM job").fetchone()[0]
    if has_tickets and has_jobs:
        return ""
    rng = random.Random(11)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    stamp = now.strftime(STAMP)
    conn.execute("BEGIN")
    staff = [r[0] for r in conn.execute("SELECT id FROM staff_member").fetchall()]
    if not staff:
        for i, name in enumerate(("Anna Berg", "Tomasz Nowak", "Lea Wolf", "Jonas Kuehn",
                                  "Petra Sand", "Mehmet Aydin", "Sofia Rossi", "Ben Carter",
                                  "Ines Duarte", "Karl Brandt")):
            sid = new_id()
            conn.execute(
                "INSERT INTO staff_member (id, created_at, updated_at, name, name_key, email, "
                "phone, active, work_days, day_start, day_end, colour, os_user) VALUES "
                "(?, ?, ?, ?, ?, '', '', 1, '1111100', '08:00', '17:00', ?, '')",
                (sid, stamp, stamp, name, name.lower(), f"#{(i * 2654435761) % 0xFFFFFF:06x}"))
            staff.append(sid)
    people_ids = [r[0] for r in conn.execute(
        "SELECT id FROM person ORDER BY rowid LIMIT 20000").fetchall()]
    added = []
    if not has_tickets:
        added.append(f"{_fill_tickets(conn, rng, now, people // 4, staff, people_ids):,} "
                     "tickets added")
    if not has_jobs:
        added.append(f"{_fill_jobs(conn, rng, now, people // 5, staff, people_ids):,} "
                     "jobs added")
    conn.execute("COMMIT")
    return ", ".join(added)


def _fill_tickets(conn: Any, rng: random.Random, now: datetime, n: int, staff: list[str],
                  people: list[str]) -> int:
    from crasme_desktop.domain.ids import new_id

    tickets, changes = [], []
    for number in range(1, n + 1):
        created = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        moves = [(created, "", "new")]
        answered = created + timedelta(minutes=rng.randrange(10, 60 * 24))
        age = now - created
        status, solved = "new", None
        if answered < now:
            moves.append((answered, "new", "open"))
            status = "open"
            solved_at = answered + timedelta(hours=rng.randrange(1, 24 * 6))
            if solved_at < now and (age > timedelta(days=20) or rng.random() < 0.6):
                moves.append((solved_at, "open", "solved"))
                status, solved = "solved", solved_at
                closed = solved_at + timedelta(days=3)
                if closed < now:
                    moves.append((closed, "solved", "closed"))
                    status = "closed"
        tid = new_id()
        working = status in ("new", "open")
        due = created + timedelta(hours=rng.choice((8, 24, 72))) if working else None
        tickets.append((
            tid, created.strftime(STAMP), moves[-1][0].strftime(STAMP), number,
            f"Ticket {number}", f"ticket {number}", rng.choice(people) if people else None,
            status, rng.choice(("low", "normal", "normal", "high", "urgent")),
            rng.choice(staff), due.strftime(STAMP) if due else None,
            answered.strftime(STAMP) if answered < now else None,
            (rng.random() < 0.85) if answered < now else None,
            solved.strftime(STAMP) if solved else None,
            (rng.random() < 0.75) if solved else None, moves[-1][0].strftime(STAMP)))
        changes += [(new_id(), when.strftime(STAMP), when.strftime(STAMP), tid,
                     when.strftime(STAMP), old, new) for when, old, new in moves]
    conn.executemany(
        "INSERT INTO ticket (id, created_at, updated_at, number, subject, subject_key, "
        "requester_id, requester_email, organization_id, status, priority, category, "
        "assignee_id, tags, mail_token, next_due_at, paused_minutes, first_response_at, "
        "response_met, solved_at, resolution_met, last_message_at) VALUES (?, ?, ?, ?, ?, ?, "
        "?, '', NULL, ?, ?, '', ?, '', '', ?, 0, ?, ?, ?, ?, ?)", tickets)
    conn.executemany(
        "INSERT INTO ticket_status_change (id, created_at, updated_at, ticket_id, at, "
        "from_status, to_status) VALUES (?, ?, ?, ?, ?, ?, ?)", changes)
    return n


def _fill_jobs(conn: Any, rng: random.Random, now: datetime, n: int, staff: list[str],
               people: list[str]) -> int:
    from crasme_desktop.domain.ids import new_id

    rows = []
    for number in range(1, n + 1):
        day = now.date() - timedelta(days=rng.randrange(-30, 2 * 365))
        start = datetime.combine(day, datetime.min.time()) + timedelta(
            hours=rng.randrange(7, 16), minutes=rng.choice((0, 15, 30, 45)))
        minutes = rng.choice((30, 60, 90, 120, 180))
        past = start + timedelta(minutes=minutes) < now
        status = ("cancelled" if rng.random() < 0.05 else "done") if past else "scheduled"
        finished = start + timedelta(minutes=minutes) if status == "done" else None
        rows.append((
            new_id(), start.strftime(STAMP), start.strftime(STAMP), number,
            f"Service visit {number}", f"service visit {number}",
            rng.choice(people) if people else None, start.strftime(STAMP),
            (start + timedelta(hours=3)).strftime(STAMP), start.strftime(STAMP), minutes,
            rng.choice(staff), status, finished.strftime(STAMP) if finished else None,
            minutes if finished else None))
    conn.executemany(
        "INSERT INTO job (id, created_at, updated_at, number, title, title_key, kind, "
        "person_id, organization_id, site_address, window_start, window_end, "
        "scheduled_start, duration_minutes, assignee_id, status, notes, field_notes, "
        "finished_at, minutes_worked, ics_uid) VALUES (?, ?, ?, ?, ?, ?, 'job', ?, NULL, '', "
        "?, ?, ?, ?, ?, ?, '', '', ?, ?, '')", rows)
    return n


# -- timing ------------------------------------------------------------------------------
def _pair(ours: Any, bare: Any, runs: int, warmup: int = 2) -> tuple[list[float], list[float]]:
    ours_t, bare_t = [], []
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        ours()
        t1 = time.perf_counter()
        bare()
        t2 = time.perf_counter()
        if i >= warmup:
            ours_t.append(t1 - t0)
            bare_t.append(t2 - t1)
    return ours_t, bare_t


def _result(name: str, ours: list[float], bare: list[float], note: str) -> Result:
    median, base = statistics.median(ours), statistics.median(bare)
    return Result(name, median, base, median / base if base else None, "<= 500 ms",
                  median <= GOAL_S, len(ours), f"{note}; max ours {max(ours) * 1000:.1f} ms")
