"""Support figures against a hand count: tickets and their status history are put in
as rows with known Berlin times (some right at local midnight, where the UTC day is
another), and the backlog, medians and attainment must match what is counted here
by hand in the comments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Ticket, TicketStatusChange
from crasme_desktop.services import office_time, ticket_figures
from tests.support.sentences import assert_one_sentence

BERLIN = ZoneInfo("Europe/Berlin")


def at(*parts: int) -> datetime:
    """A Berlin wall-clock time, as stored (naive UTC)."""
    return datetime(*parts, tzinfo=BERLIN).astimezone(UTC).replace(tzinfo=None)


def put(session, number: int, moves: list[tuple[datetime, str, str]], **fields) -> None:
    """A ticket created at its first move, with one history row per move."""
    status = moves[-1][2]
    ticket = Ticket(number=number, subject=f"Ticket {number}", status=status,
                    created_at=moves[0][0], **fields)
    session.add(ticket)
    session.flush()
    for when, old, new in moves:
        session.add(TicketStatusChange(ticket_id=ticket.id, at=when, from_status=old,
                                       to_status=new))


@pytest.fixture
def office(vault):
    office_time.set_office_zone(vault, "Europe/Berlin")
    with vault.unit_of_work() as uow:
        s = uow.session
        # T3: before the period, still open; first answered on 31 May 23:30 (Berlin),
        # which is May locally (and in UTC too): outside a period from 1 June.
        put(s, 3, [(at(2026, 5, 28, 16, 0), "", "new"), (at(2026, 5, 29, 9, 0), "new", "open")],
            first_response_at=at(2026, 5, 31, 23, 30), response_met=True)
        # T4: created and solved before the period.
        put(s, 4, [(at(2026, 5, 29, 9, 0), "", "new"), (at(2026, 5, 30, 10, 0), "new", "solved")],
            first_response_at=at(2026, 5, 29, 12, 0), response_met=False,
            solved_at=at(2026, 5, 30, 10, 0), resolution_met=True)
        # T1: created Mon 1 June 10:00, answered 11:30 (90 min), solved Wed 3 June 12:00
        # (Mon 420 + Tue 480 + Wed 180 = 1080 business minutes, 50 h), closed Friday.
        put(s, 1, [(at(2026, 6, 1, 10, 0), "", "new"), (at(2026, 6, 1, 11, 0), "new", "open"),
                   (at(2026, 6, 3, 12, 0), "open", "solved"),
                   (at(2026, 6, 5, 8, 0), "solved", "closed")],
            first_response_at=at(2026, 6, 1, 11, 30), response_met=True,
            solved_at=at(2026, 6, 3, 12, 0), resolution_met=True)
        # T6: created at local midnight starting 1 June (31 May 22:00 UTC); answered
        # 09:48 (48 business minutes, 9.8 h).
        put(s, 6, [(at(2026, 6, 1, 0, 0), "", "new")],
            first_response_at=at(2026, 6, 1, 9, 48), response_met=True)
        # T5: created Tue 2 June 09:00, answered 09:20, solved 10:00, reopened Thu 09:00
        # and pending at 10:00 (still in the backlog; its solve no longer counts).
        put(s, 5, [(at(2026, 6, 2, 9, 0), "", "new"), (at(2026, 6, 2, 10, 0), "new", "solved"),
                   (at(2026, 6, 4, 9, 0), "solved", "open"),
                   (at(2026, 6, 4, 10, 0), "open", "pending")],
            first_response_at=at(2026, 6, 2, 9, 20), response_met=False)
        # T2: created 3 June 00:30 Berlin (2 June in UTC), answered Fri 5 June 17:30:
        # Wed, Thu and Fri 480 each = 1440 business minutes, 65 h.
        put(s, 2, [(at(2026, 6, 3, 0, 30), "", "new")],
            first_response_at=at(2026, 6, 5, 17, 30), response_met=False)
        # T7: created and solved on Thu 4 June, 30 minutes (not answered publicly).
        put(s, 7, [(at(2026, 6, 4, 9, 0), "", "new"), (at(2026, 6, 4, 9, 30), "new", "solved")],
            solved_at=at(2026, 6, 4, 9, 30), resolution_met=False)
        # T8: answered 30 June 23:30 Berlin (21:30 UTC): June; T9 answered 1 July 00:30
        # Berlin (30 June 22:30 UTC): July, outside June although UTC says June.
        put(s, 8, [(at(2026, 6, 30, 8, 0), "", "new")],
            first_response_at=at(2026, 6, 30, 23, 30), response_met=True)
        put(s, 9, [(at(2026, 6, 30, 8, 0), "", "new")],
            first_response_at=at(2026, 7, 1, 0, 30), response_met=True)
        # T10: answered in June but its outcome never decided: left out of attainment.
        put(s, 10, [(at(2026, 6, 10, 8, 0), "", "closed")],
            first_response_at=at(2026, 6, 10, 9, 0))
    return vault


def test_backlog_matches_the_hand_count(office):
    found = ticket_figures.figures(office, date(2026, 6, 1), date(2026, 6, 5))
    # 31 May: T3 (T4 solved).  1 June: + T1, T6.  2 June: T5 in and out; T2 is 3 June
    # locally.  3 June: + T2, - T1.  4 June: + T5 (reopened; pending still counts),
    # T7 in and out.  5 June: T1 solved -> closed changes nothing.
    assert [(d.day.day, d.open_tickets) for d in found.backlog] == [
        (1, 3), (2, 3), (3, 3), (4, 4), (5, 4)]
    assert found.zone == "Europe/Berlin"


def test_a_late_period_counts_back_from_now_and_agrees(office):
    """1-30 June starts from the older end of the history, 20-30 June from the newer."""
    month = ticket_figures.figures(office, date(2026, 6, 1), date(2026, 6, 30)).backlog
    late = ticket_figures.figures(office, date(2026, 6, 20), date(2026, 6, 30)).backlog
    assert late == month[19:]
    # T3, T6, T5 and T2 open; T8 and T9 come on 30 June.
    assert [d.open_tickets for d in late] == [4] * 10 + [6]


def test_medians_match_the_hand_count(office):
    found = ticket_figures.figures(office, date(2026, 6, 1), date(2026, 6, 5))
    first = found.first_response
    # T5 20, T6 48, T1 90, T2 1440 business minutes; 0.33, 9.8, 1.5, 65 h elapsed.
    assert (first.tickets, first.median_business_minutes, first.median_elapsed_hours) == (
        4, 69.0, 5.65)
    assert "first public reply" in first.basis
    resolution = found.resolution
    # T7 30 and T1 1080 business minutes; 0.5 h and 50 h (T5 was reopened).
    assert (resolution.tickets, resolution.median_business_minutes,
            resolution.median_elapsed_hours) == (2, 555.0, 25.25)


def test_attainment_per_month_matches_the_hand_count(office):
    found = ticket_figures.figures(office, date(2026, 5, 20), date(2026, 6, 5))
    may, june = found.attainment
    assert (may.month, may.response_decided, may.response_met) == (date(2026, 5, 1), 2, 1)
    assert (may.resolution_decided, may.resolution_met) == (1, 1)
    # June: T1 and T6 met, T5 and T2 missed, T8 met (T9 is July, T10 undecided).
    assert (june.response_decided, june.response_met, june.response_percent) == (
        5, 3, Decimal("60.0"))
    assert (june.resolution_decided, june.resolution_met, june.resolution_percent) == (
        2, 1, Decimal("50.0"))
    assert may.response_percent == Decimal("50.0")


def test_months_touched_by_the_period_are_counted_whole(office):
    (june,) = ticket_figures.figures(office, date(2026, 6, 29), date(2026, 6, 30)).attainment
    assert june.response_decided == 5


def test_an_empty_vault_has_no_medians_and_no_backlog(vault):
    found = ticket_figures.figures(vault, date(2026, 1, 30), date(2026, 2, 2))
    assert [d.open_tickets for d in found.backlog] == [0, 0, 0, 0]
    assert found.first_response.tickets == 0
    assert found.first_response.median_business_minutes is None
    assert [(m.month.month, m.response_percent, m.resolution_percent)
            for m in found.attainment] == [(1, None, None), (2, None, None)]


def test_a_period_that_ends_before_it_starts_is_refused(vault):
    with pytest.raises(UserError, match="ends before it starts") as caught:
        ticket_figures.figures(vault, date(2026, 6, 5), date(2026, 6, 1))
    assert_one_sentence(str(caught.value))


def test_the_backlog_reads_the_history_by_its_time_index(office):
    """The per-day query walks ix_ticket_status_change_at, not the whole history."""
    query = ticket_figures._moves_query(0, [(at(2026, 6, 1), at(2026, 6, 2)),
                                            (at(2026, 6, 2), at(2026, 6, 3))])
    with office.unit_of_work() as uow:
        connection = uow.session.connection()
        compiled = query.compile(dialect=connection.dialect,
                                  compile_kwargs={"render_postcompile": True})
        params = tuple(str(compiled.params[name]) for name in compiled.positiontup)
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params).all()
    assert any("SEARCH ticket_status_change USING INDEX ix_ticket_status_change_at" in str(row)
               for row in plan), plan
