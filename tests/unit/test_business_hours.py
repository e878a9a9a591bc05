"""domain.business_hours: business minutes across nights, weekends, holidays and
daylight-saving changes, right to the minute; whole-week skipping agrees with walking
day by day; a minute-by-minute wall-clock count agrees (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from crasme_desktop.domain.business_hours import (
    DEFAULT_HOURS,
    BusinessCalendar,
    OpeningHours,
    duration_text,
)
from crasme_desktop.domain.errors import UserError
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.sentences import assert_one_sentence

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(local: datetime, zone: ZoneInfo = BERLIN) -> datetime:
    """A Berlin wall-clock time as stored (naive UTC)."""
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def local(stored: datetime, zone: ZoneInfo = BERLIN) -> datetime:
    return stored.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def berlin(**kw) -> BusinessCalendar:
    return BusinessCalendar(zone=BERLIN, **kw)


class DayWalker(BusinessCalendar):
    """The same calendar, never skipping a week: the reference for the skipping."""

    def _plain_week(self, monday: date) -> bool:
        return False


# -- the cases of the issue ------------------------------------------------------------


def test_friday_afternoon_plus_an_hour_is_monday_morning():
    cal = berlin()
    friday = utc(datetime(2026, 6, 12, 16, 30))
    assert local(cal.add(friday, 60)) == datetime(2026, 6, 15, 9, 30)
    assert local(cal.add(friday, 30)) == datetime(2026, 6, 12, 17, 0)  # not Monday 09:00
    assert cal.minutes_between(friday, utc(datetime(2026, 6, 15, 9, 30))) == 60


def test_nights_do_not_count():
    cal = berlin()
    tuesday = utc(datetime(2026, 6, 9, 16, 0))
    assert local(cal.add(tuesday, 120)) == datetime(2026, 6, 10, 10, 0)
    assert cal.minutes_between(utc(datetime(2026, 6, 9, 17, 0)),
                               utc(datetime(2026, 6, 10, 9, 0))) == 0
    assert cal.minutes_between(utc(datetime(2026, 6, 9, 3, 0)),
                               utc(datetime(2026, 6, 9, 23, 0))) == 480


def test_a_holiday_monday_moves_the_target_to_tuesday():
    cal = berlin(holidays=[date(2026, 6, 15)])
    friday = utc(datetime(2026, 6, 12, 16, 30))
    assert local(cal.add(friday, 60)) == datetime(2026, 6, 16, 9, 30)
    assert cal.minutes_between(friday, utc(datetime(2026, 6, 16, 9, 30))) == 60


def test_before_opening_the_count_starts_at_opening():
    cal = berlin()
    early = utc(datetime(2026, 6, 10, 6, 12))
    assert local(cal.add(early, 45)) == datetime(2026, 6, 10, 9, 45)
    saturday = utc(datetime(2026, 6, 13, 11, 0))
    assert local(cal.add(saturday, 1)) == datetime(2026, 6, 15, 9, 1)
    assert cal.add(saturday, 0) == saturday


@pytest.mark.parametrize(("friday", "monday"), [
    (date(2026, 3, 27), date(2026, 3, 30)),  # clocks go forward on Sunday 29 March
    (date(2026, 10, 23), date(2026, 10, 26)),  # and back on Sunday 25 October
])
def test_a_daylight_saving_weekend_is_right_to_the_minute(friday, monday):
    cal = berlin()
    start = utc(datetime.combine(friday, datetime.min.time()).replace(hour=16, minute=30))
    due = cal.add(start, 60)
    assert local(due) == datetime.combine(monday, datetime.min.time()).replace(hour=9, minute=30)
    assert cal.minutes_between(start, due) == 60
    # a whole week across the change is five 8-hour days
    week_later = cal.add(start, 5 * 480)
    assert local(week_later).replace(second=0) == local(start) + timedelta(days=7)


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25),
                                            (date(2026, 6, 28), 24)])
def test_a_change_day_is_as_long_as_the_clock_runs(day, hours):
    """09-17 stays 8 h on the change day; a round-the-clock day is 23 or 25 h."""
    nine_to_five = BusinessCalendar(OpeningHours(((((9 * 60, 17 * 60)),),) * 7), zone=BERLIN)
    always = BusinessCalendar(OpeningHours((((0, 1440),),) * 7), zone=BERLIN)
    start = utc(datetime.combine(day, datetime.min.time()))
    end = utc(datetime.combine(day + timedelta(days=1), datetime.min.time()))
    assert nine_to_five.minutes_between(start, end) == 8 * 60
    assert always.minutes_between(start, end) == hours * 60
    assert local(nine_to_five.add(start, 8 * 60)) == datetime.combine(
        day, datetime.min.time()).replace(hour=17)


def test_new_york_changes_on_other_weekends():
    cal = BusinessCalendar(zone=NEW_YORK)
    friday = utc(datetime(2026, 3, 6, 16, 30), NEW_YORK)  # clocks go forward 8 March
    assert local(cal.add(friday, 60), NEW_YORK) == datetime(2026, 3, 9, 9, 30)


def test_split_days_and_a_saturday_morning():
    hours = OpeningHours.from_json({"mon": [["13:00", "17:00"], ["08:00", "12:00"]],
                                    "sat": [["09:00", "12:00"]]})
    assert hours.days[0] == ((480, 720), (780, 1020))
    cal = BusinessCalendar(hours, zone=BERLIN)
    monday = utc(datetime(2026, 6, 15, 11, 30))
    assert local(cal.add(monday, 60)) == datetime(2026, 6, 15, 13, 30)  # lunch left out
    assert local(cal.add(monday, 30 + 240 + 60)) == datetime(2026, 6, 20, 10, 0)
    assert hours.describe()[0] == "Monday: 08:00–12:00, 13:00–17:00"
    assert hours.describe()[6] == "Sunday: closed"
    assert OpeningHours.from_json(hours.to_json()) == hours


def test_minutes_between_backwards_is_negative_and_seconds_are_floored():
    cal = berlin()
    a = utc(datetime(2026, 6, 10, 10, 0))
    b = utc(datetime(2026, 6, 10, 11, 30, 59))
    assert cal.minutes_between(a, b) == 90
    assert cal.minutes_between(b, a) == -90
    assert cal.minutes_between(a, a) == 0


def test_aware_times_are_taken_as_what_they_are():
    cal = berlin()
    aware = datetime(2026, 6, 12, 16, 30, tzinfo=BERLIN)
    assert cal.add(aware, 60) == datetime(2026, 6, 15, 7, 30)
    assert cal.is_open(datetime(2026, 6, 12, 16, 59, tzinfo=BERLIN))
    assert not cal.is_open(datetime(2026, 6, 12, 17, 0, tzinfo=BERLIN))


def test_the_default_is_monday_to_friday_nine_to_five():
    assert DEFAULT_HOURS.weekly_minutes == 5 * 480
    assert DEFAULT_HOURS.to_json()["fri"] == [["09:00", "17:00"]]
    assert DEFAULT_HOURS.to_json()["sat"] == []


@pytest.mark.parametrize(("value", "words"), [
    ({"mon": [["17:00", "09:00"]]}, "end before they start"),
    ({"mon": [["9", "17:00"]]}, "is not a time of day"),
    ({"tue": [["09:00", "12:00"], ["11:00", "17:00"]]}, "overlap"),
    ({"funday": []}, "is not a weekday"),
    ({"wed": [["09:00"]]}, "pairs of times"),
    ({"thu": [["24:00", "24:00"]]}, "is not a time of day"),
    (["09:00"], "each weekday"),
])
def test_bad_hours_are_refused_in_a_sentence(value, words):
    with pytest.raises(UserError, match=words) as caught:
        OpeningHours.from_json(value)
    assert_one_sentence(str(caught.value))


def test_no_opening_hours_cannot_count_a_target():
    cal = BusinessCalendar(OpeningHours(((),) * 7))
    with pytest.raises(UserError, match="no opening hours"):
        cal.add(datetime(2026, 1, 1), 10)
    assert cal.minutes_between(datetime(2026, 1, 1), datetime(2026, 2, 1)) == 0


def test_duration_text():
    assert [duration_text(m) for m in (0, 40, 60, 135, -40)] == [
        "0 min", "40 min", "1 h", "2 h 15 min", "40 min"]


# -- skipping whole weeks agrees with walking day by day -----------------------------------


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK, ZoneInfo("Australia/Lord_Howe")])
def test_skipping_weeks_agrees_with_walking_days(zone):
    holidays = [date(2026, 12, 25), date(2027, 1, 1), date(2027, 4, 5), date(2028, 2, 29)]
    fast = BusinessCalendar(DEFAULT_HOURS, holidays, zone)
    slow = DayWalker(DEFAULT_HOURS, holidays, zone)
    start = datetime(2026, 2, 3, 14, 17, 12)
    for minutes in (1, 479, 2400, 2401, 9999, 100_000, 300_001):
        due = fast.add(start, minutes)
        assert due == slow.add(start, minutes)
        assert fast.minutes_between(start, due) == minutes == slow.minutes_between(start, due)
    end = datetime(2029, 7, 1, 8, 0)
    assert fast.minutes_between(start, end) == slow.minutes_between(start, end)


def test_a_very_large_target_is_refused_not_looped_on():
    with pytest.raises(UserError, match="too far in the future"):
        berlin().add(datetime(2026, 1, 1), 10**10)


# -- properties ------------------------------------------------------------------------

_moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31))
_calendars = st.sampled_from([
    berlin(),
    berlin(holidays=[date(2026, 3, 30), date(2026, 10, 26), date(2026, 12, 24)]),
    BusinessCalendar(OpeningHours.from_json({"mon": [["00:00", "24:00"]],
                                              "sun": [["01:00", "04:00"], ["20:00", "24:00"]],
                                              "wed": [["08:30", "12:00"], ["13:00", "18:15"]]}),
                     zone=BERLIN),
    BusinessCalendar(zone=NEW_YORK),
])


@settings(max_examples=300, deadline=None)
@given(_calendars, _moments, st.integers(min_value=0, max_value=60_000))
def test_add_then_count_round_trips(cal, start, minutes):
    due = cal.add(start, minutes)
    assert due >= start
    assert cal.minutes_between(start, due) == minutes
    if minutes:
        assert cal.minutes_between(start, due - timedelta(microseconds=1)) == minutes - 1


@settings(max_examples=200, deadline=None)
@given(_calendars, _moments, st.integers(min_value=0, max_value=20_000),
       st.integers(min_value=0, max_value=20_000))
def test_add_is_monotonic(cal, start, m1, m2):
    low, high = sorted((m1, m2))
    assert cal.add(start, low) <= cal.add(start, high)
    assert cal.add(cal.add(start, low), high - low) == cal.add(start, high)


@settings(max_examples=200, deadline=None)
@given(_calendars, _moments, _moments, _moments)
def test_counting_is_monotonic_and_additive(cal, a, b, c):
    a, b, c = sorted((a, b, c))
    assert 0 <= cal.minutes_between(a, b) <= cal.minutes_between(a, c)
    whole = cal.minutes_between(a, c)
    parts = cal.minutes_between(a, b) + cal.minutes_between(b, c)
    assert parts <= whole <= parts + 1  # each part floors its seconds


@settings(max_examples=100, deadline=None)
@given(_calendars, st.lists(st.tuples(_moments, _moments), min_size=1, max_size=30))
def test_counting_many_at_once_agrees_with_one_by_one(cal, pairs):
    assert cal.minutes_between_many(pairs) == [cal.minutes_between(a, b) for a, b in pairs]


def test_counting_many_at_once_on_the_edges_of_days():
    cal = berlin(holidays=[date(2026, 3, 30)])
    pairs = [(utc(datetime(2026, 3, 27, 0, 0)), utc(datetime(2026, 3, 31, 0, 0))),
             (utc(datetime(2026, 3, 27, 17, 0)), utc(datetime(2026, 3, 31, 9, 0, 0, 1))),
             (utc(datetime(2026, 3, 31, 12, 0)), utc(datetime(2026, 3, 27, 16, 59, 30)))]
    assert cal.minutes_between_many(pairs) == [480, 0, -180]
    assert cal.minutes_between_many([]) == []


def _wall_clock_count(cal: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Minute by minute: is the office's wall clock inside today's hours?"""
    count = 0
    t = start
    while t < end:
        wall = t.replace(tzinfo=UTC).astimezone(cal.zone)
        minute = wall.hour * 60 + wall.minute
        if wall.date() not in cal.holidays and any(
                s <= minute < e for s, e in cal.hours.days[wall.weekday()]):
            count += 1
        t += timedelta(minutes=1)
    return count


_change_days = st.sampled_from([datetime(2026, 3, 27), datetime(2026, 10, 23),
                                datetime(2026, 6, 5), datetime(2026, 12, 23)])


@settings(max_examples=40, deadline=None)
@given(_calendars, _change_days, st.integers(min_value=0, max_value=4 * 24 * 60),
       st.integers(min_value=0, max_value=4 * 24 * 60))
def test_counting_agrees_with_a_wall_clock_minute_by_minute(cal, day, offset, length):
    """Opening hours here start and end outside the hour a change skips or repeats."""
    start = day + timedelta(minutes=offset)
    end = start + timedelta(minutes=length)
    assert cal.minutes_between(start, end) == _wall_clock_count(cal, start, end)
