"""`crasme demo` fills the schedule: four staff members with different days and one
absence, eight weeks of jobs behind (mostly done, some with materials, some invoiced)
and two ahead, a plan without conflicts, numbers continuing the counter, and finished
demo jobs that can become invoice drafts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.models import Job, JobMaterial
from crasme_desktop.services import (
    audit,
    demo,
    office_time,
    schedule,
    search,
    staff,
)
from crasme_desktop.vault import open_vault
from sqlalchemy import func, select

NOW = datetime(2026, 12, 10, 11, 0, tzinfo=UTC)  # Thursday, 12:00 in Berlin


@pytest.fixture
def filled(created, keychain):
    with open_vault(created.path, keychain=keychain, clock=FakeClock(NOW)) as vault:
        office_time.set_office_zone(vault, "Europe/Berlin")
        demo.fill_demo(vault, contacts=240)
        yield vault


def test_four_staff_members_with_one_absence(filled):
    members = staff.list_staff(filled)
    assert len(members) == 4
    assert len({m.work_days for m in members}) >= 3
    [absence] = staff.list_absences(filled)
    assert absence.reason == "holiday" and absence.first_day > date(2026, 12, 10)
    assert staff.current_staff(filled).name == "Tomasz Nowak"
    assert audit.current_actor()


def test_jobs_behind_and_ahead(filled):
    with filled.unit_of_work() as uow:
        s = uow.session
        by_status = dict(s.execute(select(Job.status, func.count()).group_by(Job.status)).all())
        first = s.scalar(select(func.min(Job.scheduled_start)))
        last = s.scalar(select(func.max(Job.scheduled_start)))
        with_materials = s.scalar(select(func.count(func.distinct(JobMaterial.job_id))))
        invoiced = s.scalar(select(func.count()).select_from(Job).where(
            Job.invoice_id.is_not(None)))
        numbers = list(s.scalars(select(Job.number).order_by(Job.number)))
        linked = s.scalar(select(func.count()).select_from(Job).where(
            Job.deal_id.is_not(None) | Job.ticket_id.is_not(None)))
    assert by_status["done"] > by_status.get("cancelled", 0) > 0
    assert by_status["scheduled"] > 0
    assert first < datetime(2026, 10, 20) and last > datetime(2026, 12, 20)
    assert with_materials > 0 and 0 < invoiced < with_materials
    assert numbers == list(range(1, len(numbers) + 1))
    assert linked > 0
    new = schedule.create_job(filled, schedule.JobDraft(
        "After the demo", datetime(2026, 12, 11, 20, 0), datetime(2026, 12, 11, 21, 0),
        kind="appointment"))
    assert new.number == len(numbers) + 1


def test_jobs_done_per_person_has_everyone(filled):
    work = schedule.jobs_done_per_person(filled, date(2026, 10, 1), date(2026, 12, 10))
    assert len(work) == 4 and all(w.jobs > 5 and w.minutes > 0 for w in work)


def test_the_demo_plan_has_no_conflicts(filled):
    monday = date(2026, 12, 14)
    for week_start in (monday - timedelta(days=14), monday):
        plan = schedule.week(filled, week_start)
        warnings = [w for lane in plan.lanes for d in lane.days for j in d.jobs
                    for w in j.warnings]
        assert warnings == []
        assert sum(len(d.jobs) for lane in plan.lanes for d in lane.days) > 10


def test_my_day_and_search_on_the_demo(filled):
    today = schedule.my_day(filled)
    assert today.day == date(2026, 12, 10) and today.lanes[0].name == "Tomasz Nowak"
    statuses = {j.status for j in today.jobs}
    assert statuses <= {"done", "in_progress", "scheduled", "cancelled"}
    hits = search.search(filled, "Job 1", kinds=["job"]).hits
    assert hits and hits[0].title.startswith("Job 1")


def test_a_finished_demo_job_becomes_an_invoice_draft(filled):
    with filled.unit_of_work() as uow:
        job_id = uow.session.scalar(select(Job.id).where(
            Job.status == "done", Job.invoice_id.is_(None)).order_by(Job.number))
    invoice = schedule.invoice_from_job(filled, job_id)
    assert invoice.status == "draft" and invoice.lines[0].unit_price == 65
