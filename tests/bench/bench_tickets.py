"""Speed of the ticket queues at N tickets, against bare sqlcipher3 in the same run.

    python -m tests.bench --only tickets [--tickets-count 500000] [--tickets-runs 15]

A vault with a few thousand demo contacts gets N tickets written straight into the
table with executemany (numbers in creation order over two years: most closed, a tenth
still active, some of those past their SLA target, ten staff members of which one is
this computer's account). Then, interleaved (ours, bare, ours, ...) after warm-up runs:

- one page (100 rows) of each queue and some filters with `ticket_queues.list_tickets`
  (keyset paging over the migration's indexes, the rows with the SLA's due text);
  baseline: one bare statement reading the same rows' columns with the same joins in
  the same order. Goal <= 150 ms.
- a page deep in the "all" list (after the key of a ticket in the middle).
- `queue_counts` against the same counts as bare statements.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench.run import Result, bare_connection, sample_vault

GOAL_PAGE_S = 0.150
NOW = datetime(2026, 3, 16, 10, 0)  # a Monday
COLUMNS = ("t.id, t.number, t.subject, t.status, t.priority, t.category, t.assignee_id, "
           "t.tags, t.next_due_at, t.response_due_at, t.resolution_due_at, t.paused_since, "
           "t.first_response_at, t.resolution_met, t.last_message_at, t.created_at, "
           "p.display_name, t.requester_email, o.name, s.name")
JOINS = ("FROM ticket t LEFT JOIN person p ON p.id = t.requester_id "
         "LEFT JOIN organization o ON o.id = t.organization_id "
         "LEFT JOIN staff_member s ON s.id = t.assignee_id")
ACTIVE = "('new', 'open', 'pending', 'on_hold')"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tickets-count", type=int, default=500_000,
                        help="tickets in the benchmark vault (default 500000)")
    parser.add_argument("--tickets-people", type=int, default=5_000,
                        help="demo people who asked (default 5000)")
    parser.add_argument("--tickets-runs", type=int, default=15,
                        help="timed runs per scenario (default 15)")


def run(args: argparse.Namespace, work: Path) -> list[Result]:
    from crasme_desktop.domain.clock import FakeClock
    from crasme_desktop.services import ticket_queues
    from crasme_desktop.services.ticket_queues import TicketQuery
    from crasme_desktop.vault import Keychain, open_vault

    count, runs = args.tickets_count, args.tickets_runs
    path = work / f"tickets-{count}.crasme"
    sample_vault(path, args.tickets_people, "tickets")
    bare = bare_connection(path, check_same_thread=False)
    start = time.perf_counter()
    me, other = _fill(bare, count)
    print(f"bench tickets: wrote {count:,} tickets in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)
    n = f"{count:,} tickets"
    now = NOW.strftime("%Y-%m-%d %H:%M:%S.%f")
    soon = (NOW + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S.%f")
    results: list[Result] = []
    vault = open_vault(path, keychain=Keychain(), clock=FakeClock(NOW.replace(tzinfo=UTC)))
    try:
        def ours(spec: TicketQuery, after: Any = None) -> Any:
            return lambda: ticket_queues.list_tickets(vault, spec, after=after, limit=100,
                                                      now=NOW)

        def plain(where: str, params: tuple[Any, ...] = (),
                  order: str = "t.number DESC") -> Any:
            sql = f"SELECT {COLUMNS} {JOINS} WHERE {where} ORDER BY {order} LIMIT 100"  # nosec B608
            return lambda: bare.execute(sql, params).fetchall()

        middle = count // 2  # a number in the middle of the list
        due = "t.next_due_at, t.id"
        cases = [
            ("all open", ours(TicketQuery("all_open")), plain(f"t.status IN {ACTIVE}")),
            ("mine", ours(TicketQuery("mine")),
             plain(f"t.assignee_id = ? AND t.status IN {ACTIVE}", (me,))),
            ("unassigned", ours(TicketQuery("unassigned")),
             plain(f"t.assignee_id IS NULL AND t.status IN {ACTIVE}")),
            ("status open", ours(TicketQuery("open")), plain("t.status = 'open'")),
            ("status closed", ours(TicketQuery("closed")), plain("t.status = 'closed'")),
            ("breached", ours(TicketQuery("breached")),
             plain("t.next_due_at IS NOT NULL AND t.next_due_at < ?", (now,), due)),
            ("due soon", ours(TicketQuery("due_soon")),
             plain("t.next_due_at IS NOT NULL AND t.next_due_at >= ? AND t.next_due_at <= ?",
                   (now, soon), due)),
            ("all", ours(TicketQuery("all")), plain("1")),
            ("all, deep page", ours(TicketQuery("all"), (middle, "")),
             plain("t.number < ?", (middle,))),
            ("all open, urgent", ours(TicketQuery("all_open", priority="urgent")),
             plain(f"t.status IN {ACTIVE} AND t.priority = 'urgent'")),
            ("all open, one assignee", ours(TicketQuery("all_open", assignee_id=other)),
             plain(f"t.assignee_id = ? AND t.status IN {ACTIVE}", (other,))),
            ("closed, urgent", ours(TicketQuery("closed", priority="urgent")),
             plain("t.status = 'closed' AND t.priority = 'urgent'")),
        ]
        for label, mine, baseline in cases:
            ours_t, bare_t = _pair(mine, baseline, runs)
            results.append(_result(f"tickets: one page, {label} ({n})", ours_t, bare_t,
                                   "<= 150 ms", GOAL_PAGE_S,
                                   "list_tickets (100 rows with due text) vs one bare "
                                   "statement reading the same rows"))

        def bare_counts() -> None:
            bare.execute("SELECT status, count(*) FROM ticket WHERE status IN "
                         "('new', 'open', 'pending', 'on_hold', 'solved') GROUP BY status"
                         ).fetchall()
            for sql, params in (
                (f"SELECT count(*) FROM ticket WHERE assignee_id = ? AND status IN {ACTIVE}",
                 (me,)),
                (f"SELECT count(*) FROM ticket WHERE assignee_id IS NULL AND status IN "
                 f"{ACTIVE}", ()),
                ("SELECT count(*) FROM ticket WHERE next_due_at IS NOT NULL AND "
                 "next_due_at < ?", (now,)),
                ("SELECT count(*) FROM ticket WHERE next_due_at IS NOT NULL AND "
                 "next_due_at >= ? AND next_due_at <= ?", (now, soon)),
            ):
                bare.execute(sql, params).fetchall()

        ours_t, bare_t = _pair(lambda: ticket_queues.queue_counts(vault, NOW), bare_counts,
                               runs)
        results.append(_result(f"tickets: queue counts ({n})", ours_t, bare_t, "<= 150 ms",
                               GOAL_PAGE_S, "queue_counts vs the same counts on bare "
                               "sqlcipher3"))
    finally:
        vault.close()
        bare.close()
    return results


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


def _result(name: str, ours: list[float], bare: list[float], goal: str,
            limit: float | None, note: str) -> Result:
    median, base = statistics.median(ours), statistics.median(bare)
    return Result(name, median, base, median / base if base else None, goal,
                  limit is None or median <= limit, len(ours),
                  f"{note}; max ours {max(ours) * 1000:.1f} ms")


# ------------------------------------------------------------------------- the tickets
def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _fill(conn: Any, count: int) -> tuple[str, str]:
    """`count` tickets over the two years before NOW; returns (my staff id, another)."""
    from crasme_desktop.services import audit

    rng = random.Random(5)
    people = conn.execute("SELECT id, organization_id FROM person").fetchall()
    if not people:
        raise RuntimeError("the bench vault has no people to ask")
    stamp = _stamp(NOW)
    staff = [f"00000000-0000-7000-9000-{i:012d}" for i in range(10)]
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO staff_member (id, created_at, updated_at, name, name_key, email, "
        "phone, active, work_days, day_start, day_end, colour, os_user) VALUES "
        "(?, ?, ?, ?, ?, '', '', 1, '1111100', '08:00', '17:00', '', ?)",
        [(sid, stamp, stamp, f"Agent {i}", f"agent {i}",
          audit.current_actor() if i == 0 else "") for i, sid in enumerate(staff)])
    span = timedelta(days=730)
    first = NOW - span
    rows = []
    # The demo's own tickets (one per ten people) are older than these, numbered first.
    start = (conn.execute("SELECT max(number) FROM ticket").fetchone()[0] or 0) + 1
    for n in range(start, start + count):
        created = first + span * ((n - start + 1) / count)
        recent = NOW - created < timedelta(days=30)
        roll = rng.random()
        if recent and roll < 0.5:
            status = rng.choice(("new", "open", "open", "pending", "on_hold"))
        elif roll < 0.03:
            status = rng.choice(("open", "pending"))  # old ones nobody finished
        else:
            status = "solved" if recent or roll < 0.06 else "closed"
        priority = rng.choices(("low", "normal", "high", "urgent"), (20, 50, 22, 8))[0]
        person_id, org_id = rng.choice(people)
        response_due = created + timedelta(hours=rng.choice((1, 4, 8, 16)))
        resolution_due = created + timedelta(days=rng.choice((1, 3, 5, 10)))
        running = status in ("new", "open")
        first_response = None if status == "new" else created + timedelta(hours=1)
        next_due = (response_due if first_response is None else resolution_due) \
            if running else None
        assignee = rng.choice(staff) if status != "new" and rng.random() < 0.8 else None
        done = status in ("solved", "closed")
        rows.append((
            f"00000000-0000-7000-8000-{n:012d}", _stamp(created), _stamp(created), n,
            f"Problem {n}", f"problem {n}", person_id, f"p{n}@example.com", org_id, status,
            priority, assignee, "tok" + str(n % 1000), _stamp(response_due),
            _stamp(resolution_due), _stamp(next_due) if next_due else None,
            None if running else _stamp(created + timedelta(hours=2)),
            _stamp(first_response) if first_response else None,
            None if first_response is None else 1,
            _stamp(created + timedelta(days=1)) if done else None, 1 if done else None,
            _stamp(created + timedelta(days=4)) if status == "closed" else None,
            _stamp(created)))
    conn.executemany(
        "INSERT INTO ticket (id, created_at, updated_at, number, subject, subject_key, "
        "requester_id, requester_email, organization_id, status, priority, category, "
        "assignee_id, tags, invoice_id, merged_into_id, mail_token, response_due_at, "
        "resolution_due_at, next_due_at, paused_since, paused_minutes, first_response_at, "
        "response_met, solved_at, resolution_met, closed_at, last_message_at) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, '', NULL, NULL, ?, ?, ?, ?, ?, 0, ?, ?, "
        "?, ?, ?, ?)", rows)
    conn.execute("COMMIT")  # no ANALYZE: the app never runs it, so no statistics
    return staff[0], staff[1]
