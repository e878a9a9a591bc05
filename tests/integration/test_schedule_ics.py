"""A staff member's calendar out and in on a real vault: the export's UIDs, times and
texts; an import making appointments in the office zone; importing the same file again
updating by UID instead of duplicating; a cancelled event cancelling; recurring events
expanded; broken files importing nothing."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import schedule, schedule_files, search, staff
from icalendar import Calendar
from tests.support.schedule_data import at, job
from tests.support.sentences import assert_one_sentence

pytest_plugins = ("tests.support.schedule_fixtures",)  # company, ada, maria, tomasz


@pytest.fixture
def vault(office_vault):
    return office_vault


def ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\n" + body + "END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


DENTIST = """UID:dentist@example.org
SUMMARY:Dentist
LOCATION:Zahnarztpraxis, Hauptstr. 5
DESCRIPTION:Bring the card
DTSTART;TZID=Europe/Berlin:20261215T100000
DTEND;TZID=Europe/Berlin:20261215T110000"""
NEW_YORK = """UID:call@example.org
SUMMARY:Call with New York
DTSTART;TZID=America/New_York:20261216T090000
DURATION:PT30M"""
WEEKLY = """UID:standup@example.org
SUMMARY:Stand-up
DTSTART:20261214T080000
DTEND:20261214T081500
RRULE:FREQ=WEEKLY;COUNT=4"""


def test_a_members_jobs_export_with_their_uids(vault, company, ada, maria):
    made = schedule.create_job(vault, job(company, person_id=ada.id, assignee_id=maria.id,
                                          notes="Ring twice"))
    cancelled = schedule.create_job(vault, job(company, start=at(15, 9),
                                               assignee_id=maria.id))
    schedule.cancel_job(vault, cancelled.id)
    schedule.create_job(vault, job(company, title="Not hers", start=at(16, 9)))
    data = schedule_files.export_ics(vault, maria.id)
    events = list(Calendar.from_ical(data).walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == [made.ics_uid, cancelled.ics_uid]
    first = events[0]
    assert str(first["SUMMARY"]) == "Job 1: Boiler service"
    assert first["DTSTART"].to_ical() == b"20261214T080000Z"
    assert first["DTEND"].to_ical() == b"20261214T093000Z"
    assert str(first["LOCATION"]) == "Friedrichstraße 123, 10117 Berlin"
    description = str(first["DESCRIPTION"])
    assert "Customer: Kühnemann Bau" in description and "Phone: +49309876543" in description
    assert "Agreed window: 2026-12-14 09:00 to 2026-12-14 12:00" in description
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CANCELLED"]
    # Exporting again gives the same UIDs.
    again = list(Calendar.from_ical(schedule_files.export_ics(vault, maria.id)).walk("VEVENT"))
    assert [str(e["UID"]) for e in again] == [made.ics_uid, cancelled.ics_uid]
    only_monday = schedule_files.export_ics(vault, maria.id, first_day=date(2026, 12, 14),
                                            last_day=date(2026, 12, 14))
    assert len(list(Calendar.from_ical(only_monday).walk("VEVENT"))) == 1


def test_events_become_appointments_in_the_office_zone(vault, maria):
    done = schedule_files.import_ics(vault, ics(DENTIST, NEW_YORK), maria.id)
    assert (done.created, done.updated, done.skipped) == (2, 0, 0)
    assert_one_sentence(done.message)
    dentist, call = (schedule.get_job(vault, i) for i in done.job_ids)
    assert dentist.kind == "appointment" and dentist.customer == ""
    assert dentist.title == "Dentist" and dentist.notes == "Bring the card"
    assert dentist.site_address == "Zahnarztpraxis, Hauptstr. 5"
    assert dentist.scheduled_start.replace(tzinfo=None) == at(15, 10)
    assert dentist.duration_minutes == 60 and dentist.assignee_id == maria.id
    assert dentist.ics_uid == "dentist@example.org"
    # 09:00 in New York is 15:00 in Berlin in December.
    assert call.scheduled_start.replace(tzinfo=None) == at(16, 15)
    assert call.duration_minutes == 30
    assert [j.title for j in schedule.day(vault, date(2026, 12, 15), maria.id).jobs] == [
        "Dentist"]
    assert search.search(vault, "dentist", kinds=["job"]).hits[0].id == dentist.id


def test_importing_the_same_file_again_updates_by_uid(vault, maria, tomasz):
    first = schedule_files.import_ics(vault, ics(DENTIST), maria.id)
    moved = DENTIST.replace("20261215T100000", "20261215T140000").replace(
        "20261215T110000", "20261215T143000").replace("SUMMARY:Dentist", "SUMMARY:Dentist (moved)")
    again = schedule_files.import_ics(vault, ics(moved), maria.id)
    assert (again.created, again.updated) == (0, 1)
    assert again.job_ids == first.job_ids
    job_now = schedule.get_job(vault, first.job_ids[0])
    assert job_now.title == "Dentist (moved)"
    assert job_now.scheduled_start.replace(tzinfo=None) == at(15, 14)
    assert job_now.duration_minutes == 30
    assert len(schedule.list_jobs(vault).rows) == 1
    # The same file for someone else is their own appointment.
    assert schedule_files.import_ics(vault, ics(DENTIST), tomasz.id).created == 1
    cancelled = moved + "\nSTATUS:CANCELLED"
    gone = schedule_files.import_ics(vault, ics(cancelled), maria.id)
    assert gone.cancelled == 1
    assert schedule.get_job(vault, first.job_ids[0]).status == "cancelled"


def test_a_re_imported_own_export_moves_jobs_but_keeps_their_texts(vault, company, maria):
    made = schedule.create_job(vault, job(company, assignee_id=maria.id))
    exported = schedule_files.export_ics(vault, maria.id).replace(
        b"DTSTART:20261214T080000Z", b"DTSTART:20261214T090000Z").replace(
        b"DTEND:20261214T093000Z", b"DTEND:20261214T103000Z")
    result = schedule_files.import_ics(vault, exported, maria.id)
    assert (result.created, result.updated) == (0, 1)
    after = schedule.get_job(vault, made.id)
    assert after.title == "Boiler service" and after.kind == "job"
    assert after.scheduled_start.replace(tzinfo=None) == at(14, 10)


def test_a_recurring_event_is_expanded_and_re_imported_without_duplicates(vault, maria):
    done = schedule_files.import_ics(vault, ics(WEEKLY), maria.id)
    assert done.created == 4
    starts = [r.start.replace(tzinfo=None) for r in schedule.list_jobs(vault).rows]
    assert starts == [at(14, 8), at(21, 8), at(28, 8), at(4, 8, month=1, year=2027)]
    assert schedule_files.import_ics(vault, ics(WEEKLY), maria.id).created == 0
    assert len(schedule.list_jobs(vault).rows) == 4


@pytest.mark.parametrize(("data", "match"), [
    (b"not a calendar", "not a calendar file"),
    (ics(DENTIST, "UID:x\nSUMMARY:Broken\nDTSTART:2026121X"), "is not a date"),
    (ics(DENTIST, "UID:y\nSUMMARY:Backwards\nDTSTART:20261215T100000Z\n"
                  "DTEND:20261215T090000Z"), "“Backwards” ends before it starts"),
    (ics(DENTIST, "UID:z\nSUMMARY:Often\nDTSTART:20261215T100000Z\nRRULE:FREQ=MINUTELY"),
     "repeats more often than daily"),
])
def test_a_broken_file_imports_nothing(vault, maria, data, match):
    with pytest.raises(UserError) as caught:
        schedule_files.import_ics(vault, data, maria.id)
    assert_one_sentence(caught.value.message)
    assert match in caught.value.message
    assert schedule.list_jobs(vault).rows == ()  # not even the good event before it


def test_files_that_cannot_be_read(vault, maria, tmp_path):
    with pytest.raises(UserError, match="There is no file"):
        schedule_files.import_ics(vault, tmp_path / "missing.ics", maria.id)
    with pytest.raises(UserError, match="is a folder"):
        schedule_files.import_ics(vault, tmp_path, maria.id)
    path = tmp_path / "maria.ics"
    path.write_bytes(ics(DENTIST))
    assert schedule_files.import_ics(vault, path, maria.id).created == 1


def test_cancelled_and_overlong_events_are_skipped(vault, maria):
    cancelled = DENTIST.replace("UID:dentist", "UID:other") + "\nSTATUS:CANCELLED"
    long = ("UID:long@x\nSUMMARY:Sabbatical\nDTSTART;VALUE=DATE:20261214\n"
            "DTEND;VALUE=DATE:20270114")
    done = schedule_files.import_ics(vault, ics(cancelled, long, DENTIST), maria.id)
    assert (done.created, done.skipped) == (1, 2)
    assert "2 skipped" in done.message


def test_an_inactive_member_gets_no_import(vault, maria):
    staff.set_active(vault, maria.id, False)
    with pytest.raises(UserError, match="no longer active"):
        schedule_files.import_ics(vault, ics(DENTIST), maria.id)


def test_an_all_day_event_across_the_autumn_change_is_25_hours(vault, maria):
    day = "UID:d@x\nSUMMARY:Fair\nDTSTART;VALUE=DATE:20261025"
    schedule_files.import_ics(vault, ics(day), maria.id)
    [row] = schedule.list_jobs(vault).rows
    assert row.end.timestamp() - row.start.timestamp() == 25 * 3600
    assert row.start.replace(tzinfo=None) == datetime(2026, 10, 25, 0, 0)
