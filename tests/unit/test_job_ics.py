"""Jobs to iCalendar and ICS files back to events (formats/job_ics), without a vault:
UTC times, time zones (IANA, Windows names, a VTIMEZONE in the file, unknown ones),
floating times and all-day events, repeating events expanded within the horizon (across a
daylight-saving change, with EXDATE, RDATE and a changed occurrence) or refused, and
broken files refused with one sentence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.formats import job_ics
from crasme_desktop.formats.job_ics import IcsJob
from icalendar import Calendar
from tests.support.sentences import assert_one_sentence

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 12, 10)


def calendar(*events: str, extra: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    text = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Test//EN\r\n" + extra + body
            + "END:VCALENDAR\r\n")
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def event(uid: str = "a@test", summary: str = "Site visit", **props: str) -> str:
    lines = [f"UID:{uid}", f"SUMMARY:{summary}"]
    lines += [f"{k.replace('_', '-')}{v}" if v.startswith((":", ";")) else f"{k}:{v}"
              for k, v in props.items()]
    return "\r\n".join(lines)


def read(data: bytes, **kw) -> list[job_ics.IcsEvent]:
    return job_ics.read_events(data, zone=BERLIN, today=TODAY, **kw)


def refused(data: bytes, match: str, **kw) -> str:
    with pytest.raises(UserError) as caught:
        read(data, **kw)
    assert_one_sentence(caught.value.message)
    assert match in caught.value.message, caught.value.message
    assert "nothing was imported" in caught.value.message or "import" in caught.value.message
    return caught.value.message


# -- writing ---------------------------------------------------------------------------
def test_written_jobs_read_back_with_utc_times_and_escaped_text():
    start = datetime(2026, 12, 14, 9, 0, tzinfo=BERLIN)
    data = job_ics.write_calendar([
        IcsJob("j1@crasme-desktop", "Boiler service; valve, pump", start,
               start + timedelta(minutes=90), location="Friedrichstraße 123\n10117 Berlin",
               description="Customer: Kühnemann Bau\nRing twice"),
        IcsJob("j2@crasme-desktop", "Cancelled one", start, start + timedelta(hours=1),
               cancelled=True),
    ], name="Maria Rossi", now=datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    text = data.decode()
    assert "DTSTART:20261214T080000Z" in text and "DTEND:20261214T093000Z" in text
    assert "SUMMARY:Boiler service\\; valve\\, pump" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "X-WR-CALNAME:Maria Rossi" in text
    parsed = list(Calendar.from_ical(data).walk("VEVENT"))
    assert [str(e["STATUS"]) for e in parsed] == ["CONFIRMED", "CANCELLED"]
    assert str(parsed[0]["LOCATION"]) == "Friedrichstraße 123, 10117 Berlin"
    back = read(data)
    assert back[0].uid == "j1@crasme-desktop"
    assert back[0].start == datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
    assert back[0].description == "Customer: Kühnemann Bau\nRing twice"
    assert back[1].cancelled


# -- zones -----------------------------------------------------------------------------
def test_times_in_named_zones_are_converted():
    data = calendar(
        event("ny", DTSTART=";TZID=America/New_York:20261214T090000",
              DTEND=";TZID=America/New_York:20261214T100000"),
        event("win", DTSTART=";TZID=W. Europe Standard Time:20261215T090000",
              DURATION="PT45M"),
        event("utc", DTSTART="20261216T120000Z", DTEND="20261216T123000Z"),
    )
    ny, win, utc = read(data)
    assert ny.start == datetime(2026, 12, 14, 14, 0, tzinfo=UTC)
    assert ny.end - ny.start == timedelta(hours=1)
    assert win.start == datetime(2026, 12, 15, 8, 0, tzinfo=UTC)
    assert win.end - win.start == timedelta(minutes=45)
    assert utc.start == datetime(2026, 12, 16, 12, 0, tzinfo=UTC)


def test_a_zone_defined_in_the_file_is_used():
    vtimezone = (
        "BEGIN:VTIMEZONE\r\nTZID:Office Time\r\n"
        "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"
        "\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"
        "\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n")
    [one] = read(calendar(event(DTSTART=";TZID=Office Time:20260701T090000"),
                          extra=vtimezone))
    assert one.start == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)


def test_an_unknown_zone_is_refused():
    refused(calendar(event(DTSTART=";TZID=Mars/Olympus:20261214T090000")),
            "uses the time zone “Mars/Olympus”, which this computer does not know")


def test_floating_times_and_all_day_events_are_in_the_office_zone():
    floating, whole = read(calendar(
        event("f", DTSTART="20261214T090000", DTEND="20261214T101500"),
        event("d", DTSTART=";VALUE=DATE:20261215"),
    ))
    assert floating.start == datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
    assert floating.end - floating.start == timedelta(minutes=75)
    assert whole.all_day
    assert whole.start == datetime(2026, 12, 14, 23, 0, tzinfo=UTC)
    assert whole.end - whole.start == timedelta(days=1)


def test_an_event_without_an_end_lasts_an_hour():
    [one] = read(calendar(event(DTSTART="20261214T090000Z")))
    assert one.end - one.start == timedelta(hours=1)


# -- repeating events ------------------------------------------------------------------
def test_a_weekly_event_keeps_its_wall_clock_time_across_a_change():
    """From 12 October 2026, weekly at 09:00 Berlin time: 07:00 UTC in summer, 08:00 after
    the clocks go back on 25 October. Today is 10 December, so the horizon is one year
    from then: past occurrences are left out."""
    data = calendar(event("weekly", DTSTART=";TZID=Europe/Berlin:20261012T090000",
                          DTEND=";TZID=Europe/Berlin:20261012T093000",
                          RRULE="FREQ=WEEKLY;COUNT=12"))
    events = job_ics.read_events(data, zone=BERLIN, today=date(2026, 10, 1))
    assert len(events) == 12
    assert events[0].start == datetime(2026, 10, 12, 7, 0, tzinfo=UTC)
    assert events[2].start == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert all(e.end - e.start == timedelta(minutes=30) for e in events)
    assert events[0].uid == "weekly/20261012T070000Z"
    assert len({e.uid for e in events}) == 12
    later = read(data)  # from 10 December: only what is left
    assert [e.start.date() for e in later] == [date(2026, 12, 14), date(2026, 12, 21),
                                               date(2026, 12, 28)]


def test_exdate_rdate_and_a_changed_occurrence():
    data = calendar(
        event("series", DTSTART=";TZID=Europe/Berlin:20261214T090000",
              DTEND=";TZID=Europe/Berlin:20261214T100000",
              RRULE="FREQ=DAILY;UNTIL=20261218T235959Z",
              EXDATE=";TZID=Europe/Berlin:20261216T090000",
              RDATE=";TZID=Europe/Berlin:20261220T110000"),
        event("series", summary="Moved stand-up",
              RECURRENCE_ID=";TZID=Europe/Berlin:20261215T090000",
              DTSTART=";TZID=Europe/Berlin:20261215T140000",
              DTEND=";TZID=Europe/Berlin:20261215T150000"),
        event("series", RECURRENCE_ID=";TZID=Europe/Berlin:20261217T090000",
              DTSTART=";TZID=Europe/Berlin:20261217T090000",
              DTEND=";TZID=Europe/Berlin:20261217T100000", STATUS="CANCELLED"),
    )
    events = read(data)
    local = [(e.start.astimezone(BERLIN).strftime("%d %H:%M"), e.summary, e.cancelled)
             for e in events]
    assert local == [
        ("14 09:00", "Site visit", False),
        ("15 14:00", "Moved stand-up", False),
        ("17 09:00", "Site visit", True),
        ("18 09:00", "Site visit", False),
        ("20 11:00", "Site visit", False),
    ]
    assert events[1].uid == "series/20261215T080000Z"  # keyed by its original start


def test_a_daily_event_forever_is_cut_at_the_horizon():
    data = calendar(event("daily", DTSTART="20200101T080000Z", DURATION="PT15M",
                          RRULE="FREQ=DAILY"))
    events = read(data)
    assert len(events) == 365
    assert events[0].start.astimezone(BERLIN).date() == TODAY
    assert events[-1].start.astimezone(BERLIN).date() == TODAY + timedelta(days=364)


def test_too_many_occurrences_are_refused():
    data = calendar(event("daily", DTSTART="20261214T080000Z", RRULE="FREQ=DAILY"))
    refused(data, "repeats more than 100 times", max_occurrences=100)


def test_repeating_more_often_than_daily_is_refused():
    refused(calendar(event("hourly", DTSTART="20261214T080000Z", RRULE="FREQ=HOURLY")),
            "repeats more often than daily")


# -- broken files ----------------------------------------------------------------------
@pytest.mark.parametrize(("data", "match"), [
    (b"", "not a calendar file or it is damaged"),
    (b"hello world", "not a calendar file or it is damaged"),
    (b"\xff\xfe\x00garbage", "not UTF-8 text"),
    (calendar(event(DTSTART="20261214T090000Z")).replace(b"END:VEVENT\r\n", b""),
     "not a calendar file or it is damaged"),
    (calendar(event(DTSTART="20261214T090000Z") + "\r\nTHIS LINE HAS NO COLON"),
     "The calendar file is damaged"),
    (calendar(event(DTSTART="2026121X")), "The calendar file is damaged (DTSTART"),
    (calendar(event(DTSTART="20261214T090000Z", RRULE="FREQ=SOMETIMES")),
     "The calendar file is damaged (RRULE"),
    (calendar(event(DTEND="20261214T090000Z")), "has no start time"),
    (calendar(event(DTSTART="20261214T090000Z", DTEND="20261214T080000Z")),
     "“Site visit” ends before it starts"),
])
def test_broken_files_are_refused_in_one_sentence(data, match):
    refused(data, match)


def test_an_event_without_a_uid_gets_the_same_one_each_time():
    data = calendar("SUMMARY:No uid\r\nDTSTART:20261214T090000Z")
    first, = read(data)
    again, = read(data)
    assert first.uid == again.uid and first.uid.startswith("made-")
