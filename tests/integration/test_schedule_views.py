"""The schedule's day and week views, warnings and drag-and-drop on a real vault: lanes per
person in visiting order, double booking, working hours, people who are off (the issue's
"dragging a job onto a person who is off that day"), forced moves, windows across both
daylight-saving changes of Europe/Berlin, and "my day"."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from crasme_desktop.services import audit, schedule, staff
from crasme_desktop.services.schedule import JobDraft, ScheduleConflict
from tests.support.schedule_data import at, job, refused
from tests.support.sentences import assert_one_sentence

pytest_plugins = ("tests.support.schedule_fixtures",)  # company, ada, maria, tomasz

MONDAY = date(2026, 12, 14)


@pytest.fixture
def vault(office_vault):
    return office_vault


def test_the_day_has_a_lane_per_person_in_visiting_order(vault, company, maria, tomasz):
    late = schedule.create_job(vault, job(company, title="Late", start=at(15, 13),
                                          assignee_id=maria.id))
    early = schedule.create_job(vault, job(company, title="Early", start=at(15, 8),
                                           assignee_id=maria.id))
    theirs = schedule.create_job(vault, job(company, title="Tomasz's", start=at(15, 9),
                                            assignee_id=tomasz.id))
    loose = schedule.create_job(vault, job(company, title="Nobody's", start=at(15, 10)))
    schedule.create_job(vault, job(company, title="Next day", start=at(16, 9),
                                   assignee_id=maria.id))
    plan = schedule.day(vault, date(2026, 12, 15))
    assert plan.time_zone == "Europe/Berlin"
    assert [lane.name for lane in plan.lanes] == ["Maria Rossi", "Tomasz Nowak", "Unassigned"]
    maria_lane, tomasz_lane, nobody = plan.lanes
    assert [j.id for j in maria_lane.jobs] == [early.id, late.id]
    assert [j.id for j in tomasz_lane.jobs] == [theirs.id]
    assert [j.id for j in nobody.jobs] == [loose.id]
    first = maria_lane.jobs[0]
    assert first.start.replace(tzinfo=None) == at(15, 8)
    assert first.end.replace(tzinfo=None) == at(15, 9, 30)
    assert first.customer == "Kühnemann Bau" and first.warnings == ()
    assert (maria_lane.day_start, maria_lane.day_end, maria_lane.colour) == (
        "08:00", "17:00", "#3b82f6")
    only = schedule.day(vault, date(2026, 12, 15), tomasz.id)
    assert [lane.name for lane in only.lanes] == ["Tomasz Nowak"]


def test_cancelled_jobs_leave_the_views_unless_asked(vault, company, maria):
    made = schedule.create_job(vault, job(company, start=at(15, 9), assignee_id=maria.id))
    schedule.cancel_job(vault, made.id)
    assert schedule.day(vault, date(2026, 12, 15)).jobs == ()
    assert [j.status for j in schedule.day(vault, date(2026, 12, 15),
                                           include_cancelled=True).jobs] == ["cancelled"]


def test_a_double_booking_is_refused_then_shown_when_forced(vault, company, maria):
    first = schedule.create_job(vault, job(company, start=at(15, 10), duration=90,
                                           assignee_id=maria.id))
    clash = job(company, title="Second", start=at(15, 11), assignee_id=maria.id)
    error = refused(schedule.create_job, vault, clash, kind=ScheduleConflict,
                    match=f"This overlaps Job {first.number} for Maria Rossi from 10:00 to "
                          "11:30.")
    assert error.warnings == (error.message,)
    second = schedule.create_job(vault, clash, force=True)
    lane = schedule.day(vault, date(2026, 12, 15)).lanes[0]
    warnings = {j.id: j.warnings for j in lane.jobs}
    assert warnings[second.id] == ("This overlaps Job 1 for Maria Rossi from 10:00 to 11:30.",)
    assert warnings[first.id] == ("This overlaps Job 2 for Maria Rossi from 11:00 to 12:30.",)
    # Back to back is no overlap.
    schedule.create_job(vault, job(company, start=at(15, 12, 30), assignee_id=maria.id))


def test_outside_working_hours(vault, company, tomasz):
    late = job(company, start=at(15, 14), duration=120, assignee_id=tomasz.id)
    refused(schedule.create_job, vault, late, kind=ScheduleConflict,
            match="This is outside Tomasz Nowak's working hours (07:00 to 15:00).")
    early = job(company, start=at(15, 6), duration=30, assignee_id=tomasz.id)
    refused(schedule.create_job, vault, early, kind=ScheduleConflict, match="working hours")
    schedule.create_job(vault, job(company, start=at(15, 13), duration=120,
                                   assignee_id=tomasz.id))


def test_dragging_a_job_onto_someone_who_is_off(vault, company, maria, tomasz):
    staff.add_absence(vault, tomasz.id, MONDAY, MONDAY + timedelta(days=1), "holiday")
    made = schedule.create_job(vault, job(company, start=at(14, 9), assignee_id=maria.id))
    error = refused(schedule.move_job, vault, made.id, start=at(14, 10),
                    assignee_id=tomasz.id, kind=ScheduleConflict,
                    match="Tomasz Nowak is off on Monday 14 December (holiday).")
    assert schedule.get_job(vault, made.id).assignee_id == maria.id  # nothing moved
    assert len(error.warnings) == 1
    moved = schedule.move_job(vault, made.id, start=at(14, 10), assignee_id=tomasz.id,
                              force=True)
    assert moved.assignee_id == tomasz.id
    lane = next(lane for lane in schedule.day(vault, MONDAY).lanes if lane.name ==
                "Tomasz Nowak")
    assert lane.off == "holiday"
    assert lane.jobs[0].warnings == ("Tomasz Nowak is off on Monday 14 December (holiday).",)


def test_a_day_that_is_not_a_working_day(vault, company, maria):
    saturday = job(company, start=at(19, 9), assignee_id=maria.id)
    refused(schedule.create_job, vault, saturday, kind=ScheduleConflict,
            match="Maria Rossi is off on Saturday 19 December (not a working day).")


def test_several_problems_are_one_sentence_with_all_in_warnings(vault, company, maria):
    schedule.create_job(vault, job(company, start=at(19, 9), assignee_id=maria.id),
                        force=True)
    clash = replace(job(company, start=at(19, 9), assignee_id=maria.id),
                    scheduled_start=at(19, 8))
    error = refused(schedule.create_job, vault, clash, kind=ScheduleConflict,
                    match="and 2 more conflicts with the plan")
    assert len(error.warnings) == 3
    for sentence in error.warnings:
        assert_one_sentence(sentence)


def test_moving_keeps_the_duration_and_moves_the_window_along(vault, company, maria, tomasz):
    made = schedule.create_job(vault, replace(
        job(company, start=at(15, 9), assignee_id=maria.id), scheduled_start=at(15, 10)))
    moved = schedule.move_job(vault, made.id, start=at(17, 14), assignee_id=tomasz.id,
                              force=True)
    assert moved.scheduled_start.replace(tzinfo=None) == at(17, 14)
    assert moved.duration_minutes == 90
    assert (moved.window_start.replace(tzinfo=None), moved.window_end.replace(tzinfo=None)) \
        == (at(17, 13), at(17, 16))
    unassigned = schedule.move_job(vault, made.id, start=at(17, 9), assignee_id=None)
    assert unassigned.assignee_id is None
    schedule.finish_job(vault, made.id)
    refused(schedule.move_job, vault, made.id, start=at(18, 9), assignee_id=None,
            match="stays where it was")


def test_an_inactive_member_gets_no_jobs(vault, company, tomasz):
    staff.set_active(vault, tomasz.id, False)
    refused(schedule.create_job, vault, job(company, start=at(15, 9), assignee_id=tomasz.id),
            match="Tomasz Nowak is no longer active")


def test_the_week_has_seven_days_per_lane(vault, company, maria, tomasz):
    staff.add_absence(vault, maria.id, date(2026, 12, 16), date(2026, 12, 16), "training")
    a = schedule.create_job(vault, job(company, start=at(15, 9), assignee_id=maria.id))
    b = schedule.create_job(vault, job(company, start=at(19, 9), assignee_id=tomasz.id))
    schedule.create_job(vault, job(company, start=at(21, 9), assignee_id=maria.id))
    plan = schedule.week(vault, date(2026, 12, 17))  # any day of the week will do
    assert plan.monday == MONDAY and plan.days[-1] == date(2026, 12, 20)
    maria_lane, tomasz_lane = plan.lanes
    assert [len(d.jobs) for d in maria_lane.days] == [0, 1, 0, 0, 0, 0, 0]
    assert maria_lane.days[1].jobs[0].id == a.id
    assert maria_lane.days[2].off == "training"
    assert maria_lane.days[5].off == staff.NOT_A_WORK_DAY
    assert tomasz_lane.days[0].off == staff.NOT_A_WORK_DAY
    assert tomasz_lane.days[5].jobs[0].id == b.id and tomasz_lane.days[5].off is None


def test_a_window_across_the_autumn_change_keeps_its_real_length(vault, company):
    """Berlin, 25 October 2026: 03:00 CEST becomes 02:00 CET, so 01:30-03:30 is 3 hours."""
    made = schedule.create_job(vault, JobDraft(
        "Night repair", datetime(2026, 10, 25, 1, 30), datetime(2026, 10, 25, 3, 30),
        duration_minutes=150, organization_id=company.id))
    assert made.window_minutes == 180
    assert made.window_start.utcoffset() == timedelta(hours=2)
    assert made.window_end.utcoffset() == timedelta(hours=1)
    # 150 real minutes from 01:30 CEST end at 03:00 CET on the wall clock.
    assert made.scheduled_end.replace(tzinfo=None) == datetime(2026, 10, 25, 3, 0)
    [seen] = schedule.day(vault, date(2026, 10, 25)).jobs
    assert seen.end.timestamp() - seen.start.timestamp() == 150 * 60


def test_a_window_across_the_spring_change_keeps_its_real_length(vault, company):
    """Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST, so 01:00-04:00 is 2 hours, and
    02:30 (a time that does not exist) is read as 03:30 CEST."""
    made = schedule.create_job(vault, JobDraft(
        "Early start", datetime(2026, 3, 29, 1, 0), datetime(2026, 3, 29, 4, 0),
        duration_minutes=60, organization_id=company.id))
    assert made.window_minutes == 120
    skipped = schedule.create_job(vault, JobDraft(
        "Skipped hour", datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 5, 0),
        duration_minutes=30, organization_id=company.id))
    assert skipped.window_start.replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)
    assert skipped.window_minutes == 90
    # The day is 23 hours long and holds both.
    assert len(schedule.day(vault, date(2026, 3, 29)).jobs) == 2


def test_moving_across_a_change_keeps_wall_clock_times(vault, company):
    made = schedule.create_job(vault, JobDraft(
        "Inspection", datetime(2026, 10, 24, 9, 0), datetime(2026, 10, 24, 12, 0),
        duration_minutes=60, organization_id=company.id))
    moved = schedule.move_job(vault, made.id, start=datetime(2026, 10, 26, 9, 0),
                              assignee_id=None)
    assert moved.window_start.replace(tzinfo=None) == datetime(2026, 10, 26, 9, 0)
    assert moved.window_minutes == 180


def test_my_day_is_the_day_of_this_computers_account(vault, company, maria, tomasz):
    refused(schedule.my_day, vault, match="is not linked to a staff member")
    staff.update_staff(vault, tomasz.id, replace(tomasz.draft(),
                                                 os_user=audit.current_actor()))
    mine = schedule.create_job(vault, job(company, start=at(10, 13), assignee_id=tomasz.id))
    schedule.create_job(vault, job(company, start=at(10, 9), assignee_id=maria.id))
    plan = schedule.my_day(vault)  # today: Thursday 10 December
    assert plan.day == date(2026, 12, 10)
    [lane] = plan.lanes
    assert lane.name == "Tomasz Nowak" and [j.id for j in lane.jobs] == [mine.id]
