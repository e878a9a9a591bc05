"""SLA clocks on real tickets in a real vault, with the office in Berlin: a ticket from
Friday afternoon is due Monday morning, nights and holidays do not count, a pause over
a weekend moves the targets by exactly the business minutes paused, a priority change
recounts, reopening runs the clock again, and a daylight-saving weekend is right to the
minute. The time is given by hand to each step (a fake clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from crasme_desktop.domain.business_hours import OpeningHours
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Ticket
from crasme_desktop.services import office_time, sla
from tests.support.sentences import assert_one_sentence

BERLIN = ZoneInfo("Europe/Berlin")


def at(*parts: int) -> datetime:
    """A Berlin wall-clock time, as stored (naive UTC)."""
    return datetime(*parts, tzinfo=BERLIN).astimezone(UTC).replace(tzinfo=None)


def wall(stored: datetime | None) -> datetime | None:
    if stored is None:
        return None
    return stored.replace(tzinfo=UTC).astimezone(BERLIN).replace(tzinfo=None)


class Desk:
    """What the tickets service does around the hooks, one transaction per step."""

    def __init__(self, vault) -> None:
        self.vault = vault
        self.numbers = iter(range(1, 10_000))

    def create(self, now: datetime, priority: str = "normal") -> str:
        with self.vault.unit_of_work() as uow:
            ticket = Ticket(number=next(self.numbers), subject="The printer jams",
                            priority=priority, status="new", created_at=now)
            uow.session.add(ticket)
            sla.start_clock(uow.session, ticket, now)
            uow.session.flush()
            return ticket.id

    def move(self, ticket_id: str, status: str, now: datetime) -> Ticket:
        with self.vault.unit_of_work() as uow:
            ticket = uow.session.get(Ticket, ticket_id)
            old, ticket.status = ticket.status, status
            sla.after_status_change(uow.session, ticket, old, now)
        return self.get(ticket_id)

    def reply(self, ticket_id: str, now: datetime) -> Ticket:
        with self.vault.unit_of_work() as uow:
            sla.after_public_reply(uow.session, uow.session.get(Ticket, ticket_id), now)
        return self.get(ticket_id)

    def prioritise(self, ticket_id: str, priority: str, now: datetime) -> Ticket:
        with self.vault.unit_of_work() as uow:
            ticket = uow.session.get(Ticket, ticket_id)
            ticket.priority = priority
            sla.after_priority_change(uow.session, ticket, now)
        return self.get(ticket_id)

    def get(self, ticket_id: str) -> Ticket:
        with self.vault.unit_of_work() as uow:
            return uow.session.get(Ticket, ticket_id)

    def state(self, ticket_id: str, now: datetime) -> sla.DueState:
        return sla.due_state(self.get(ticket_id), now, sla.calendar(self.vault))


@pytest.fixture
def desk(vault) -> Desk:
    office_time.set_office_zone(vault, "Europe/Berlin")
    return Desk(vault)


def test_friday_afternoon_urgent_ticket_is_due_monday_morning(desk):
    ticket_id = desk.create(at(2026, 6, 12, 16, 30), "urgent")  # 1 h response, 8 h resolution
    ticket = desk.get(ticket_id)
    assert wall(ticket.response_due_at) == datetime(2026, 6, 15, 9, 30)
    assert wall(ticket.resolution_due_at) == datetime(2026, 6, 15, 16, 30)
    assert ticket.next_due_at == ticket.response_due_at
    state = desk.state(ticket_id, at(2026, 6, 13, 10, 0))  # Saturday; 30 min went on Friday
    assert (state.target, state.minutes_left, state.text) == (
        "response", 30, "Reply due in 30 min")
    state = desk.state(ticket_id, at(2026, 6, 15, 10, 10))
    assert state.breached and state.minutes_left == -40
    assert state.text == "Reply overdue by 40 min"


def test_nights_do_not_count(desk):
    ticket_id = desk.create(at(2026, 6, 9, 16, 0), "high")  # 4 h response
    assert wall(desk.get(ticket_id).response_due_at) == datetime(2026, 6, 10, 12, 0)
    state = desk.state(ticket_id, at(2026, 6, 10, 9, 45))
    assert state.text == "Reply due in 2 h 15 min" and state.due_soon is False
    assert desk.state(ticket_id, at(2026, 6, 10, 10, 0)).due_soon is True


def test_a_holiday_monday_moves_the_target_to_tuesday(desk, vault):
    sla.add_holiday(vault, date(2026, 6, 15), "Company day")
    ticket_id = desk.create(at(2026, 6, 12, 16, 30), "urgent")
    assert wall(desk.get(ticket_id).response_due_at) == datetime(2026, 6, 16, 9, 30)


def test_a_pause_over_a_weekend_moves_both_targets_by_the_business_minutes_paused(desk):
    ticket_id = desk.create(at(2026, 6, 11, 10, 0))  # Thursday; normal: 8 h and 5 days
    ticket = desk.reply(ticket_id, at(2026, 6, 11, 11, 0))
    assert ticket.response_met is True and wall(ticket.first_response_at).hour == 11
    assert wall(ticket.next_due_at) == datetime(2026, 6, 18, 10, 0)  # the resolution target
    ticket = desk.move(ticket_id, "pending", at(2026, 6, 12, 15, 0))  # Friday 15:00
    assert ticket.next_due_at is None and wall(ticket.paused_since) == datetime(2026, 6, 12, 15)
    state = desk.state(ticket_id, at(2026, 6, 15, 10, 0))
    assert state.paused and state.text == "Clock paused (waiting on the customer)"
    assert state.minutes_left == 8 * 60 * 3 + 60 * 3  # frozen at the pause
    ticket = desk.move(ticket_id, "open", at(2026, 6, 15, 11, 0))  # Monday 11:00
    assert ticket.paused_minutes == 120 + 120  # Friday 15-17 and Monday 9-11
    assert wall(ticket.resolution_due_at) == datetime(2026, 6, 18, 14, 0)
    assert wall(ticket.response_due_at) == datetime(2026, 6, 12, 14, 0)  # Friday 10:00 + 240
    assert ticket.next_due_at == ticket.resolution_due_at and ticket.paused_since is None


def test_on_hold_then_pending_is_one_pause(desk):
    ticket_id = desk.create(at(2026, 6, 8, 9, 0), "high")  # Monday; resolution 3 days
    desk.reply(ticket_id, at(2026, 6, 8, 9, 30))
    desk.move(ticket_id, "on_hold", at(2026, 6, 8, 10, 0))
    assert desk.state(ticket_id, at(2026, 6, 8, 12, 0)).text == "Clock paused (on hold)"
    desk.move(ticket_id, "pending", at(2026, 6, 9, 10, 0))
    ticket = desk.move(ticket_id, "open", at(2026, 6, 9, 11, 0))
    assert ticket.paused_minutes == 7 * 60 + 2 * 60  # Monday 10-17, Tuesday 9-11
    # Wednesday 17:00 + 540 business minutes
    assert wall(ticket.resolution_due_at) == datetime(2026, 6, 12, 10, 0)


def test_a_priority_change_recounts_from_creation_with_the_pauses(desk):
    ticket_id = desk.create(at(2026, 6, 8, 9, 0), "low")  # 2 days and 10 days
    desk.move(ticket_id, "pending", at(2026, 6, 8, 10, 0))
    desk.move(ticket_id, "open", at(2026, 6, 8, 11, 30))  # 90 minutes paused
    ticket = desk.prioritise(ticket_id, "urgent", at(2026, 6, 8, 12, 0))
    assert wall(ticket.response_due_at) == datetime(2026, 6, 8, 11, 30)  # 09:00 + 60 + 90
    assert wall(ticket.resolution_due_at) == datetime(2026, 6, 9, 10, 30)  # 8 h + 90 min
    assert ticket.next_due_at == ticket.response_due_at
    assert desk.state(ticket_id, at(2026, 6, 8, 12, 0)).text == "Reply overdue by 30 min"
    ticket = desk.reply(ticket_id, at(2026, 6, 8, 12, 5))
    assert ticket.response_met is False
    ticket = desk.prioritise(ticket_id, "normal", at(2026, 6, 8, 12, 10))
    assert ticket.response_met is False  # decided once
    assert wall(ticket.resolution_due_at) == datetime(2026, 6, 15, 10, 30)


def test_solving_and_reopening(desk):
    clock = FakeClock(datetime(2026, 6, 8, 7, 0, tzinfo=UTC))  # Monday 09:00 in Berlin
    ticket_id = desk.create(clock.now(), "urgent")
    clock.advance(30 * 60)
    desk.reply(ticket_id, clock.now())
    clock.advance(60 * 60)
    ticket = desk.move(ticket_id, "solved", clock.now())  # 10:30
    assert ticket.resolution_met is True and wall(ticket.solved_at) == datetime(2026, 6, 8, 10, 30)
    assert ticket.next_due_at is None
    assert desk.state(ticket_id, clock.now()).text == "Solved within target"
    clock.advance(24 * 3600)  # Tuesday 10:30: the customer writes back
    ticket = desk.move(ticket_id, "open", clock.now())
    assert (ticket.solved_at, ticket.resolution_met, ticket.closed_at) == (None, None, None)
    assert ticket.paused_minutes == 480  # the day it stood solved does not count
    assert wall(ticket.resolution_due_at) == datetime(2026, 6, 9, 17, 0)
    assert ticket.next_due_at == ticket.resolution_due_at
    state = desk.state(ticket_id, clock.now())
    assert state.text == "Resolution due in 6 h 30 min"
    clock.advance(7 * 3600)  # 17:30: too late now
    ticket = desk.move(ticket_id, "solved", clock.now())
    assert ticket.resolution_met is False
    assert desk.state(ticket_id, clock.now()).text == "Solved after the target"
    ticket = desk.move(ticket_id, "closed", clock.now() + timedelta(days=3))
    assert ticket.closed_at is not None and ticket.solved_at is not None
    assert desk.state(ticket_id, clock.now()).text == "Closed after the target"
    ticket = desk.move(ticket_id, "open", at(2026, 6, 15, 9, 0))  # reopened from closed
    assert ticket.closed_at is None and ticket.solved_at is None and ticket.next_due_at


def test_solved_while_waiting_is_judged_by_the_running_time(desk):
    ticket_id = desk.create(at(2026, 6, 8, 9, 0), "urgent")  # resolution Monday 17:00
    desk.reply(ticket_id, at(2026, 6, 8, 9, 10))
    desk.move(ticket_id, "pending", at(2026, 6, 8, 12, 0))
    ticket = desk.move(ticket_id, "solved", at(2026, 6, 10, 12, 0))  # two days later
    assert ticket.resolution_met is True
    assert wall(ticket.solved_at) == datetime(2026, 6, 10, 12, 0)


def test_closed_without_solving_leaves_the_resolution_undecided(desk):
    ticket_id = desk.create(at(2026, 6, 8, 9, 0))
    ticket = desk.move(ticket_id, "closed", at(2026, 6, 8, 9, 5))
    assert ticket.resolution_met is None and ticket.closed_at is not None
    assert desk.state(ticket_id, at(2026, 6, 8, 10, 0)).text == "Closed"


@pytest.mark.parametrize(("friday", "monday"), [(12, 15), (27, 30)])
def test_daylight_saving_weekend_is_right_to_the_minute(desk, friday, monday):
    """27-30 March 2026: the clocks go forward on the Sunday; 12-15 June: no change."""
    month = 3 if friday == 27 else 6
    ticket_id = desk.create(at(2026, month, friday, 16, 30), "urgent")
    ticket = desk.get(ticket_id)
    assert wall(ticket.response_due_at) == datetime(2026, month, monday, 9, 30)
    assert ticket.response_due_at - ticket.created_at == timedelta(
        days=2, hours=17) - timedelta(hours=1 if friday == 27 else 0)
    desk.move(ticket_id, "pending", at(2026, month, friday, 16, 45))
    ticket = desk.move(ticket_id, "open", at(2026, month, monday, 9, 50))
    assert ticket.paused_minutes == 15 + 50
    assert wall(ticket.response_due_at) == datetime(2026, month, monday, 10, 35)


def test_autumn_change_weekend_pause(desk):
    ticket_id = desk.create(at(2026, 10, 23, 15, 0), "high")  # clocks go back 25 October
    assert wall(desk.get(ticket_id).response_due_at) == datetime(2026, 10, 26, 11, 0)
    desk.move(ticket_id, "on_hold", at(2026, 10, 23, 16, 0))
    ticket = desk.move(ticket_id, "new", at(2026, 10, 26, 9, 1))
    assert ticket.paused_minutes == 61
    assert wall(ticket.response_due_at) == datetime(2026, 10, 26, 12, 1)


def test_due_soon_until_is_two_business_hours_ahead(vault, desk):
    cal = sla.calendar(vault)
    assert wall(sla.due_soon_until(cal, at(2026, 6, 12, 16, 0))) == datetime(2026, 6, 15, 10, 0)


# -- settings ------------------------------------------------------------------------


def test_business_hours_are_kept_and_used(vault, desk):
    assert sla.business_hours(vault).weekly_minutes == 5 * 480
    sla.set_business_hours(vault, {"mon": [["08:00", "12:00"]], "sat": [["10:00", "14:00"]]})
    assert sla.business_hours(vault).describe()[5] == "Saturday: 10:00–14:00"
    ticket_id = desk.create(at(2026, 6, 12, 16, 30), "urgent")  # Friday: closed now
    assert wall(desk.get(ticket_id).response_due_at) == datetime(2026, 6, 13, 11, 0)
    with pytest.raises(UserError, match="at least one day") as caught:
        sla.set_business_hours(vault, OpeningHours(((),) * 7))
    assert_one_sentence(str(caught.value))
    with pytest.raises(UserError, match="end before they start"):
        sla.set_business_hours(vault, {"fri": [["18:00", "09:00"]]})
    assert sla.business_hours(vault).days[0] == ((480, 720),)


def test_holidays_are_listed_added_and_removed(vault):
    first = sla.add_holiday(vault, date(2026, 12, 25), "  Christmas   Day ")
    assert first.name == "Christmas Day"
    added = sla.add_holidays(vault, [(date(2026, 12, 26), "Boxing Day"),
                                     ("2027-01-01", "New Year")])
    assert [h.day for h in added] == [date(2026, 12, 26), date(2027, 1, 1)]
    assert [h.name for h in sla.list_holidays(vault, 2026)] == ["Christmas Day", "Boxing Day"]
    assert len(sla.list_holidays(vault)) == 3
    assert date(2027, 1, 1) in sla.calendar(vault).holidays
    sla.remove_holiday(vault, first.id)
    assert [h.day for h in sla.list_holidays(vault)] == [date(2026, 12, 26), date(2027, 1, 1)]
    with pytest.raises(UserError, match="no longer there"):
        sla.remove_holiday(vault, first.id)


def test_a_duplicate_holiday_is_refused_in_a_sentence_and_nothing_is_added(vault):
    sla.add_holiday(vault, date(2026, 12, 25), "Christmas Day")
    with pytest.raises(UserError) as caught:
        sla.add_holiday(vault, date(2026, 12, 25))
    assert str(caught.value) == "Friday 2026-12-25 is already a holiday (Christmas Day)."
    with pytest.raises(UserError, match="already a holiday"):
        sla.add_holidays(vault, [(date(2026, 12, 24), "Eve"), (date(2026, 12, 25), "")])
    with pytest.raises(UserError, match="in the list twice") as caught:
        sla.add_holidays(vault, [(date(2026, 5, 1), ""), (date(2026, 5, 1), "May Day")])
    assert_one_sentence(str(caught.value))
    with pytest.raises(UserError, match="is not a date"):
        sla.add_holiday(vault, "25/12/2026")
    assert [h.day for h in sla.list_holidays(vault)] == [date(2026, 12, 25)]


def test_policies_are_seeded_and_updated_with_checks(vault):
    seeded = {p.priority: (p.first_response_minutes, p.resolution_minutes)
              for p in sla.policies(vault)}
    assert seeded == sla.DEFAULT_POLICIES
    assert [p.priority for p in sla.policies(vault)] == ["urgent", "high", "normal", "low"]
    changed = sla.update_policy(vault, "high", 120, "960")
    assert (changed.first_response_text, changed.resolution_text) == ("2 h", "16 h")
    assert next(p for p in sla.policies(vault) if p.priority == "high").resolution_minutes == 960
    for args, words in [(("high", 0, 100), "above 0"), (("high", "ten", 100), "above 0"),
                        (("high", 600, 300), "cannot be longer"),
                        (("high", 60, 10**7), "at most"),
                        (("critical", 60, 120), "is not a priority")]:
        with pytest.raises(UserError, match=words) as caught:
            sla.update_policy(vault, *args)
        assert_one_sentence(str(caught.value))
    assert next(p for p in sla.policies(vault) if p.priority == "high").resolution_minutes == 960


def test_a_new_policy_applies_to_new_tickets(vault, desk):
    sla.update_policy(vault, "normal", 30, 60)
    ticket_id = desk.create(at(2026, 6, 8, 9, 0))
    assert wall(desk.get(ticket_id).response_due_at) == datetime(2026, 6, 8, 9, 30)
