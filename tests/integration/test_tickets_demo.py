"""The demo's tickets: one per ten contacts, every status, threads of one to five
messages, history that starts with "" -> new and ends in the ticket's status, SLA values
that agree with the clock's rules, some breached and some solved in time; the queues,
search and the CLI see them."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.models import Ticket, TicketStatusChange
from crasme_desktop.services import demo, office_time, search, sla, ticket_queues
from crasme_desktop.services.ticket_queues import TicketQuery
from crasme_desktop.vault import open_vault
from sqlalchemy import select, text

NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)  # a Wednesday afternoon


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain, clock=FakeClock(NOW)) as opened:
        office_time.set_office_zone(opened, "Europe/Berlin")
        demo.fill_demo(opened, contacts=600, seed=11)
        yield opened


def rows(vault, sql):
    with vault.engine.connect() as conn:
        return conn.execute(text(sql)).all()


def test_the_demo_makes_a_mix_of_tickets_with_threads_and_history(vault):
    with vault.unit_of_work() as uow:
        tickets = uow.session.execute(select(
            Ticket.id, Ticket.number, Ticket.status, Ticket.next_due_at,
            Ticket.first_response_at, Ticket.response_met, Ticket.resolution_met,
            Ticket.paused_since, Ticket.created_at)).all()
        changes = uow.session.execute(select(
            TicketStatusChange.ticket_id, TicketStatusChange.from_status,
            TicketStatusChange.to_status, TicketStatusChange.at)
            .order_by(TicketStatusChange.at, TicketStatusChange.id)).all()
    assert len(tickets) == 60
    assert sorted(t.number for t in tickets) == list(range(1, 61))
    statuses = Counter(t.status for t in tickets)
    assert set(statuses) == {"new", "open", "pending", "on_hold", "solved", "closed"}
    threads = dict(rows(vault, "SELECT ticket_id, count(*) FROM ticket_message "
                               "GROUP BY ticket_id"))
    assert all(1 <= threads[t.id] <= 5 for t in tickets)
    history = {}
    for ticket_id, old, new, at in changes:
        history.setdefault(ticket_id, []).append((old, new, at))
    now = NOW.replace(tzinfo=None)
    oldest = min(t.created_at for t in tickets)
    assert (now - oldest).days >= 30  # history spread over the last months
    for t in tickets:
        moves = history[t.id]
        assert moves[0][:2] == ("", "new")
        assert moves[-1][1] == t.status
        assert all(a[1] == b[0] for a, b in itertools.pairwise(moves))
        assert all(at <= now for *_x, at in moves)
        assert (t.next_due_at is None) == (t.status not in ("new", "open"))
        assert (t.first_response_at is None) == (t.status == "new")
        assert (t.paused_since is None) == (t.status in ("new", "open"))
    assert any(t.next_due_at is not None and t.next_due_at < now for t in tickets)
    assert any(t.resolution_met for t in tickets)
    assert any(t.response_met is False or t.resolution_met is False for t in tickets)


def test_targets_follow_the_business_calendar(vault):
    with vault.unit_of_work() as uow:
        cal = sla.calendar_in(uow.session)
        checked = 0
        for priority, created, due, paused in uow.session.execute(select(
                Ticket.priority, Ticket.created_at, Ticket.response_due_at,
                Ticket.paused_minutes)):
            policy = sla.policy_in(uow.session, priority)
            assert cal.add(created, policy.first_response_minutes + paused) == due
            checked += 1
    assert checked == 60


def test_queues_and_search_show_the_demo_tickets(vault):
    counts = ticket_queues.queue_counts(vault)
    assert counts.all_open > 0 and counts.breached > 0
    breached = ticket_queues.list_tickets(vault, TicketQuery("breached"), limit=500).rows
    assert len(breached) == counts.breached
    assert all(r.due.breached for r in breached)
    first = ticket_queues.list_tickets(vault, TicketQuery("all"), limit=1).rows[0]
    hits = search.search(vault, f"#{first.number}", kinds=["ticket"]).hits
    assert first.id in [h.id for h in hits]
    entries = rows(vault, "SELECT count(*) FROM activity WHERE subject_kind = 'ticket'")
    assert entries[0][0] >= 60


def test_the_figures_match_a_hand_count_of_the_demo_tickets(vault):
    """The support figures on the demo data against a count made here row by row: the
    backlog replayed from each ticket's status history, medians over the business
    minutes the calendar counts one pair at a time, attainment per month by hand."""
    import statistics
    from datetime import date, timedelta

    from crasme_desktop.services import ticket_figures

    start, end = date(2026, 1, 1), date(2026, 3, 4)
    figures = ticket_figures.figures(vault, start, end)
    zone = office_time.office_zone(vault)
    calendar = sla.calendar(vault)
    with vault.unit_of_work() as uow:
        s = uow.session
        history = s.execute(select(TicketStatusChange.ticket_id, TicketStatusChange.at,
                                   TicketStatusChange.to_status)).all()
        tickets = s.execute(select(Ticket.created_at, Ticket.first_response_at,
                                   Ticket.response_met, Ticket.solved_at,
                                   Ticket.resolution_met)).all()
    assert len(tickets) == 60 and history

    moves: dict[str, list[tuple[datetime, str]]] = {}
    for ticket_id, at, status in history:
        moves.setdefault(ticket_id, []).append((at, status))
    active = {"new", "open", "pending", "on_hold"}
    by_hand = []
    day = start
    while day <= end:
        day_end = office_time.local_day_bounds(day, zone)[1]
        waiting = 0
        for changes in moves.values():
            before = [status for at, status in sorted(changes) if at < day_end]
            waiting += bool(before) and before[-1] in active
        by_hand.append((day, waiting))
        day += timedelta(days=1)
    assert [(b.day, b.open_tickets) for b in figures.backlog] == by_hand
    assert max(n for _, n in by_hand) > 0

    lo = office_time.local_day_bounds(start, zone)[0]
    hi = office_time.local_day_bounds(end, zone)[1]
    answered = [(c, r) for c, r, _, _, _ in tickets if r is not None and lo <= r < hi]
    solved = [(c, d) for c, _, _, d, _ in tickets if d is not None and lo <= d < hi]
    for median, pairs in ((figures.first_response, answered), (figures.resolution, solved)):
        assert median.tickets == len(pairs) > 0
        assert median.median_business_minutes == statistics.median(
            calendar.minutes_between(a, b) for a, b in pairs)

    months: dict[date, list[int]] = {}
    for _c, replied, met_reply, solved_at, met_solve in tickets:
        for when, met, slot in ((replied, met_reply, 0), (solved_at, met_solve, 2)):
            if when is None or met is None:
                continue
            local = office_time.to_local(when, zone).date()
            if start.replace(day=1) <= local <= end:
                counts = months.setdefault(local.replace(day=1), [0, 0, 0, 0])
                counts[slot] += 1
                counts[slot + 1] += bool(met)
    assert {m.month: [m.response_decided, m.response_met, m.resolution_decided,
                      m.resolution_met] for m in figures.attainment
            if m.response_decided or m.resolution_decided} == months
