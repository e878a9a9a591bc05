"""Ticket queues on a real vault: pages read by key with filters, the counts, the due
queues on a fake clock, triage on several tickets at once, and the query plans (every
list statement walks an index, never sorts the table)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import (
    audit,
    contacts,
    office_time,
    privacy_consent,
    staff,
    ticket_queues,
    tickets,
)
from crasme_desktop.services.contacts import PersonDraft
from crasme_desktop.services.ticket_queues import TicketQuery
from crasme_desktop.services.tickets import TicketDraft
from crasme_desktop.vault import open_vault
from sqlalchemy import event
from tests.support.sentences import assert_one_sentence

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
PLAN = [  # (status, priority, category) of tickets 1..
    ("new", "normal", "Billing"), ("open", "high", ""), ("pending", "low", "Billing"),
    ("on_hold", "urgent", ""), ("solved", "normal", ""), ("closed", "normal", ""),
]


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def vault(created, keychain, clock):
    with open_vault(created.path, keychain=keychain, clock=clock) as opened:
        office_time.set_office_zone(opened, "UTC")
        yield opened


@pytest.fixture
def people(vault):
    return [contacts.create_person(vault, PersonDraft(given_name=g, family_name="Tester"))
            for g in ("Ada", "Bob")]


@pytest.fixture
def me(vault):
    return staff.create_staff(vault, staff.StaffDraft(name="Me Myself",
                                                       os_user=audit.current_actor()))


@pytest.fixture
def other(vault):
    return staff.create_staff(vault, staff.StaffDraft(name="Somebody Else"))


def make(vault, people, count=24, assignees=(None,)):
    """`count` tickets cycling through PLAN; returns {number: (status, priority)}."""
    made = {}
    for i in range(count):
        status, priority, category = PLAN[i % len(PLAN)]
        record = tickets.create_ticket(vault, TicketDraft(
            subject=f"Problem {i}", requester_id=people[i % 2].id, priority=priority,
            category=category, assignee_id=assignees[i % len(assignees)]))
        path = {"open": ["open"], "pending": ["pending"], "on_hold": ["on_hold"],
                "solved": ["solved"], "closed": ["solved", "closed"]}.get(status, [])
        for step in path:
            tickets.change_status(vault, record.id, step)
        made[record.number] = (status, priority, record.id)
    return made


def every_page(vault, spec, limit):
    rows, after, pages = [], None, 0
    while True:
        page = ticket_queues.list_tickets(vault, spec, after=after, limit=limit)
        rows.extend(page.rows)
        pages += 1
        if page.next_after is None:
            return rows, pages
        after = page.next_after


def test_all_open_pages_by_key_newest_first(vault, people):
    made = make(vault, people)
    rows, pages = every_page(vault, TicketQuery("all_open"), 5)
    wanted = sorted((n for n, (st, *_r) in made.items() if st in tickets.ACTIVE),
                    reverse=True)
    assert [r.number for r in rows] == wanted
    assert pages == -(-len(wanted) // 5)
    assert all(r.due.text for r in rows)


@pytest.mark.parametrize("queue", ["new", "pending", "solved", "closed", "all"])
def test_status_queues_and_all(vault, people, queue):
    made = make(vault, people, count=18)
    rows, _pages = every_page(vault, TicketQuery(queue), 2)
    wanted = sorted((n for n, (st, *_r) in made.items() if queue == "all" or st == queue),
                    reverse=True)
    assert [r.number for r in rows] == wanted


def test_filters_combine(vault, people, other):
    made = make(vault, people, count=24, assignees=(None, other.id))
    rows, _ = every_page(vault, TicketQuery("all_open", priority="normal"), 3)
    assert {r.number for r in rows} == {n for n, (st, pr, _i) in made.items()
                                        if st in tickets.ACTIVE and pr == "normal"}
    rows, _ = every_page(vault, TicketQuery("all", category="Billing",
                                            requester_id=people[0].id), 3)
    assert rows and all(r.category == "Billing" and r.requester_name == "Ada Tester"
                        for r in rows)
    rows, _ = every_page(vault, TicketQuery("all", assignee_id=other.id), 4)
    assert rows and {r.assignee_name for r in rows} == {"Somebody Else"}
    rows, _ = every_page(vault, TicketQuery("all", assignee_id="none"), 4)
    assert rows and {r.assignee_id for r in rows} == {None}
    rows, _ = every_page(vault, TicketQuery("all", text="problem 1"), 2)
    assert {r.subject for r in rows} >= {"Problem 1", "Problem 10", "Problem 19"}
    # words start "problem" and "1": in the subject, or the ticket's number
    assert all(r.subject.startswith("Problem 1") or str(r.number).startswith("1")
               for r in rows)
    assert ticket_queues.list_tickets(vault, TicketQuery("all", text="zzzqqq")).rows == ()


def test_mine_and_unassigned(vault, people, me, other):
    made = make(vault, people, count=12, assignees=(me.id, other.id, None))
    mine = every_page(vault, TicketQuery("mine"), 2)[0]
    assert mine and {r.assignee_id for r in mine} == {me.id}
    assert all(r.status in tickets.ACTIVE for r in mine)
    unassigned = every_page(vault, TicketQuery("unassigned"), 2)[0]
    assert {r.number for r in unassigned} == {
        n for i, (n, (st, _p, _i)) in enumerate(sorted(made.items()))
        if i % 3 == 2 and st in tickets.ACTIVE}
    counts = ticket_queues.queue_counts(vault)
    assert (counts.mine, counts.unassigned) == (len(mine), len(unassigned))
    assert counts.me_name == "Me Myself"
    assert counts.all_open == sum(1 for st, *_r in made.values() if st in tickets.ACTIVE)
    assert counts.by_status["solved"] == sum(1 for st, *_r in made.values() if st == "solved")
    assert "closed" not in counts.by_status


def test_mine_explains_an_account_that_is_nobodys(vault, people):
    make(vault, people, count=2)
    page = ticket_queues.list_tickets(vault, TicketQuery("mine"))
    assert page.rows == () and "No staff member" in page.note
    assert_one_sentence(page.note)


def test_due_soon_and_breached_follow_the_clock(vault, people, clock):
    urgent = tickets.create_ticket(vault, TicketDraft("Down", requester_id=people[0].id,
                                                      priority="urgent"))
    high = tickets.create_ticket(vault, TicketDraft("Slow", requester_id=people[0].id,
                                                    priority="high"))
    tickets.create_ticket(vault, TicketDraft("Question", requester_id=people[1].id))
    assert ticket_queues.list_tickets(vault, TicketQuery("breached")).rows == ()
    soon = [r.number for r in ticket_queues.list_tickets(vault, TicketQuery("due_soon")).rows]
    assert soon == [urgent.number]  # 60 business minutes left
    clock.advance(2 * 3600)  # 11:00: urgent is an hour late, high has 2 hours left
    breached = ticket_queues.list_tickets(vault, TicketQuery("breached")).rows
    assert [r.number for r in breached] == [urgent.number]
    assert breached[0].due.breached and "overdue" in breached[0].due_text
    soon = ticket_queues.list_tickets(vault, TicketQuery("due_soon")).rows
    assert [r.number for r in soon] == [high.number]
    counts = ticket_queues.queue_counts(vault)
    assert (counts.breached, counts.due_soon) == (1, 1)
    tickets.add_reply(vault, urgent.id, "On it", status="pending")  # the clock stops
    assert ticket_queues.list_tickets(vault, TicketQuery("breached")).rows == ()


def test_due_queues_page_by_key(vault, people):
    for i in range(7):
        tickets.create_ticket(vault, TicketDraft(f"Urgent {i}", requester_id=people[0].id,
                                                 priority="urgent"))
    rows, pages = every_page(vault, TicketQuery("due_soon"), 3)
    assert len(rows) == 7 and pages == 3
    keys = [r.key for r in rows]
    assert keys == sorted(keys)


def test_triage_changes_what_it_can_and_names_each_refusal(vault, people, other):
    made = make(vault, people, count=6)
    by_status = {st: tid for _n, (st, _p, tid) in made.items()}
    numbers = {tid: n for n, (_s, _p, tid) in made.items()}
    outcome = ticket_queues.set_status(vault, list(by_status.values()), "open")
    assert sorted(outcome.changed) == sorted(numbers[by_status[s]] for s in
                                             ("new", "pending", "on_hold", "solved"))
    assert len(outcome.refused) == 1
    assert f"#{numbers[by_status['closed']]}" in outcome.refused[0]
    assert_one_sentence(outcome.refused[0])
    assert "4 tickets were changed." in outcome.message
    ids = list(by_status.values())
    assigned = ticket_queues.assign(vault, ids, other.id)
    assert len(assigned.changed) == 6
    assert {tickets.get_ticket(vault, i).assignee_id for i in ids} == {other.id}
    before = tickets.get_ticket(vault, by_status["new"]).response_due_at
    changed = ticket_queues.set_priority(vault, ids[:2], "urgent")
    assert len(changed.changed) == 2
    assert tickets.get_ticket(vault, by_status["new"]).response_due_at < before
    with pytest.raises(UserError) as caught:
        ticket_queues.set_priority(vault, ids, "asap")
    assert_one_sentence(caught.value.message)
    with pytest.raises(UserError):
        ticket_queues.assign(vault, ids, "no-such-staff")


def test_triage_leaves_a_restricted_requesters_tickets(vault, people):
    made = make(vault, people, count=2)
    privacy_consent.restrict(vault, people[0].id, "Asked to stop")
    ids = [tid for _s, _p, tid in made.values()]
    outcome = ticket_queues.set_priority(vault, ids, "urgent")
    assert len(outcome.changed) == 1 and "restricted" in outcome.refused[0]


def test_list_statements_walk_indexes(vault, people, me, clock):
    make(vault, people, count=12, assignees=(me.id, None))
    statements: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT") and "FROM ticket" in statement:
            statements.append((statement, parameters))

    event.listen(vault.engine, "before_cursor_execute", seen)
    try:
        for queue in ("all_open", "mine", "unassigned", "due_soon", "breached", "open",
                      "all"):
            ticket_queues.list_tickets(vault, TicketQuery(queue), limit=3)
        ticket_queues.list_tickets(vault, TicketQuery("all_open"), after=(10, ""), limit=3)
    finally:
        event.remove(vault.engine, "before_cursor_execute", seen)
    assert statements
    with vault.unit_of_work() as uow:
        raw = uow.session.connection().connection.dbapi_connection
        for statement, parameters in statements:
            plan = " | ".join(row[-1] for row in raw.execute(
                "EXPLAIN QUERY PLAN " + statement, parameters).fetchall())
            assert "SCAN ticket" not in plan.replace("SCAN ticket USING", "x"), plan
            assert "TEMP B-TREE" not in plan, (statement, plan)
    uses = " ".join(s for s, _p in statements)
    assert "ticket.status =" in uses and "next_due_at" in uses
