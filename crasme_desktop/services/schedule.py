"""The dispatch schedule: field jobs and appointments, who does them when, the day and
week views, "my day", status moves from the field, materials, and the invoice draft a
finished job becomes.

Times. The vault stores UTC; callers give and get the office's local time
(`services.office_time`): a naive datetime is a wall-clock time in the office's zone,
an aware one is converted. Lengths are real elapsed minutes, so a window from 01:30 to
03:30 on the night the clocks go back (Europe/Berlin, 25 October 2026) is 180 minutes
long, and one from 01:00 to 04:00 on the night they go forward (29 March 2026) is 120.
A wall-clock time the change skips is read with the offset before it (`to_utc`).

Rules:
- A job needs a title, a time window that ends after it starts ("The job ends before
  it starts" otherwise) and lasts 14 days at most, an expected duration of 1 minute to
  7 days, and a customer (a person or a company; an appointment may have none). The
  planned start (`scheduled_start`, default: the window's start) lies inside the window
  unless forced. The site address, left empty, is the customer's postal address (the
  company's when there is one, else the person's; an address that is not the billing
  one first). Numbers are 1, 2, 3, ... taken in a write transaction from a counter in
  the vault, so they have no gaps and a deleted job's number is never used again.
- Placing a job on someone (create, update, `move_job`) checks: the person is off that
  day (absence, office holiday, not a working day), the job is outside their working
  hours, it overlaps another of their jobs (double booking), its start is outside the
  agreed window. Any of these refuses with `ScheduleConflict` (one sentence per warning
  in `.warnings`) unless `force=True`. The views show the same warnings on each job.
  Inactive staff members cannot be given jobs.
- Status: scheduled -> on_the_way -> in_progress -> done, steps may be skipped forwards;
  cancelled from any status but done, and a cancelled job can be scheduled again. Done
  is final. in_progress stamps `started_at`; done stamps `finished_at` and the minutes
  worked: as given, else the time since it started, else the expected duration.
- `move_job` keeps the duration and moves the agreed window along by the same wall-clock
  shift (a job dragged from Tuesday 10:00 to Thursday 14:00 has its 09:00-12:00 window
  on Thursday 13:00-16:00), keeping the window's real length.
- Materials are lines (description, quantity, unit, price in the business's default
  currency, optionally a product); they and the job's time become an invoice draft with
  `invoice_from_job` once the job is done (see there for the labour line). A job on an
  invoice cannot have its materials changed.
- Creating, finishing and cancelling a job go on the customer's timeline (subject
  "job"); the search index holds its number ("Job 12"), title, site address and
  company (people's names are left out, as for deals, so that an index entry never
  keeps a deleted person's name; hits show the customer from the records). Audit events
  carry ids only. Restricted people get no new jobs and their jobs are not changed.

Permissions (area "schedule"): making a job is schedule.create; everything that changes
one (its fields, moving it, its status from the field, its notes, time worked and
materials) is schedule.edit; deleting one schedule.delete; the views, lists and figures
schedule.view. Making an invoice draft from a job needs schedule.edit and
invoices.create. How time is invoiced (the labour rate) is a vault setting: reading it
is schedule.view, changing it "settings". Session-level helpers check nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from crasme_desktop.domain import sales as rules
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import (
    JOB_KINDS,
    JOB_STATUSES,
    Deal,
    Invoice,
    Job,
    JobMaterial,
    Organization,
    Person,
    PersonPhone,
    PostalAddress,
    Product,
    StaffMember,
    Ticket,
)
from crasme_desktop.domain.money import from_minor, to_minor
from crasme_desktop.domain.validation import check_no_card_number, clean_text, quoted, sort_key
from crasme_desktop.services import (
    audit,
    business,
    office_time,
    permissions,
    privacy_consent,
    search_index,
    staff,
    stored,
)
from crasme_desktop.services.quotes import add_timeline
from crasme_desktop.vault import Vault

TITLE_MAX, NOTES_MAX, ADDRESS_MAX, DESCRIPTION_MAX = 300, 20000, 1000, 2000
MAX_DURATION = 7 * 24 * 60  # minutes
MAX_WINDOW = timedelta(days=14)
MAX_MINUTES_WORKED = 7 * 24 * 60
COUNTER_KEY = "schedule.last_job_number"
LABOUR_KEY = "schedule.labour"
PAGE, MAX_PAGE = 200, 1000
ICS_DOMAIN = "crasme-desktop"
STATUS_WORDS = {"scheduled": "scheduled", "on_the_way": "on the way",
                "in_progress": "in progress", "done": "done", "cancelled": "cancelled"}
_FORWARD = ("scheduled", "on_the_way", "in_progress", "done")

__all__ = [
    "JOB_KINDS",
    "JOB_STATUSES",
    "STATUS_WORDS",
    "DaySchedule",
    "JobDraft",
    "JobFilter",
    "JobPage",
    "JobRecord",
    "JobRow",
    "LabourRate",
    "Lane",
    "LaneDay",
    "MaterialDraft",
    "MaterialRecord",
    "PersonWork",
    "ScheduleConflict",
    "ScheduledJob",
    "WeekLane",
    "WeekSchedule",
    "add_material",
    "cancel_job",
    "create_job",
    "customer_address",
    "day",
    "delete_job",
    "duration_text",
    "find_job_by_number",
    "finish_job",
    "get_job",
    "invoice_from_job",
    "jobs_done_per_person",
    "labour_rate",
    "list_jobs",
    "move_job",
    "my_day",
    "next_number",
    "remove_material",
    "set_field_notes",
    "set_labour_rate",
    "set_minutes_worked",
    "set_status",
    "today",
    "update_job",
    "update_material",
    "week",
]


# -- what callers get ---------------------------------------------------------------------
class ScheduleConflict(UserError):
    """Placing a job clashes with the plan; `warnings` has one sentence per problem.
    The same call with `force=True` does it anyway."""

    def __init__(self, warnings: Sequence[str]) -> None:
        self.warnings = tuple(warnings)
        first = self.warnings[0]
        more = len(self.warnings) - 1
        if more:
            first = (f"{first.rstrip('.')}, and {more} more conflict"
                     f"{'s' if more > 1 else ''} with the plan.")
        super().__init__(first)


@dataclass(frozen=True)
class MaterialDraft:
    """A material line as a form gives it. `unit_price` None with a product: the
    product's price (in the business's default currency)."""

    description: str = ""
    quantity: Decimal | str | int = Decimal(1)
    unit: str = ""
    unit_price: Decimal | str | int | None = None
    product_id: str | None = None


@dataclass(frozen=True)
class MaterialRecord:
    id: str
    job_id: str
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    currency: str
    product_id: str | None

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class JobDraft:
    """A job as a form gives it. Times: naive = the office's wall clock, or aware.
    `scheduled_start` None: the window's start; `site_address` "": the customer's."""

    title: str
    window_start: datetime | str
    window_end: datetime | str
    scheduled_start: datetime | str | None = None
    duration_minutes: int | str = 60
    kind: str = "job"
    person_id: str | None = None
    organization_id: str | None = None
    site_address: str = ""
    assignee_id: str | None = None
    ticket_id: str | None = None
    deal_id: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class JobRecord:
    id: str
    number: int
    title: str
    kind: str
    status: str
    person_id: str | None
    person_name: str
    organization_id: str | None
    organization_name: str
    phone: str  # the person's first phone (E.164) or ""
    site_address: str
    #: Aware times in the office's zone.
    window_start: datetime
    window_end: datetime
    scheduled_start: datetime
    scheduled_end: datetime
    duration_minutes: int
    window_minutes: int  # real length
    assignee_id: str | None
    assignee_name: str
    ticket_id: str | None
    ticket_number: int | None
    deal_id: str | None
    deal_title: str
    invoice_id: str | None
    invoice_number: str  # "" for a draft or none
    notes: str
    field_notes: str
    started_at: datetime | None
    finished_at: datetime | None
    minutes_worked: int | None
    ics_uid: str
    materials: tuple[MaterialRecord, ...]
    created_at: datetime
    updated_at: datetime

    @property
    def label(self) -> str:
        return f"Job {self.number}"

    @property
    def customer(self) -> str:
        return self.organization_name or self.person_name

    def draft(self) -> JobDraft:
        return JobDraft(
            title=self.title, window_start=self.window_start, window_end=self.window_end,
            scheduled_start=self.scheduled_start, duration_minutes=self.duration_minutes,
            kind=self.kind, person_id=self.person_id, organization_id=self.organization_id,
            site_address=self.site_address, assignee_id=self.assignee_id,
            ticket_id=self.ticket_id, deal_id=self.deal_id, notes=self.notes,
        )


@dataclass(frozen=True)
class ScheduledJob:
    """A job as the day and week views show it (times aware, office zone)."""

    id: str
    number: int
    title: str
    kind: str
    status: str
    customer: str
    phone: str
    site_address: str
    start: datetime
    end: datetime
    window_start: datetime
    window_end: datetime
    duration_minutes: int
    assignee_id: str | None
    notes: str
    field_notes: str
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"Job {self.number}"


@dataclass(frozen=True)
class Lane:
    """One person's day (`staff_id` None: jobs nobody is assigned to), jobs in
    visiting order (by planned start)."""

    staff_id: str | None
    name: str
    colour: str
    off: str | None  # why they are off that day, or None
    jobs: tuple[ScheduledJob, ...]
    day_start: str = ""
    day_end: str = ""


@dataclass(frozen=True)
class DaySchedule:
    day: date
    time_zone: str
    lanes: tuple[Lane, ...]

    @property
    def jobs(self) -> tuple[ScheduledJob, ...]:
        return tuple(j for lane in self.lanes for j in lane.jobs)


@dataclass(frozen=True)
class LaneDay:
    day: date
    off: str | None
    jobs: tuple[ScheduledJob, ...]


@dataclass(frozen=True)
class WeekLane:
    staff_id: str | None
    name: str
    colour: str
    days: tuple[LaneDay, ...]  # Monday..Sunday


@dataclass(frozen=True)
class WeekSchedule:
    monday: date
    time_zone: str
    lanes: tuple[WeekLane, ...]

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.monday + timedelta(days=i) for i in range(7))


@dataclass(frozen=True)
class JobFilter:
    """Which jobs a list shows (fields combine with AND; empty means any). `first_day`
    and `last_day` are local days of the planned start, both ends included."""

    status: str = ""
    assignee_id: str = ""
    person_id: str = ""
    organization_id: str = ""
    first_day: date | None = None
    last_day: date | None = None
    unassigned: bool = False


@dataclass(frozen=True)
class JobRow:
    id: str
    number: int
    title: str
    kind: str
    status: str
    customer: str
    assignee_name: str
    start: datetime  # aware, office zone
    end: datetime
    site_address: str
    #: Pass as `after` to read the next page.
    key: tuple[str, str]


@dataclass(frozen=True)
class JobPage:
    rows: tuple[JobRow, ...]
    next_after: tuple[str, str] | None


@dataclass(frozen=True)
class PersonWork:
    """Jobs done by one staff member in a period (`staff_id` None: nobody assigned)."""

    staff_id: str | None
    name: str
    jobs: int
    minutes: int


@dataclass(frozen=True)
class LabourRate:
    """How the time on a job is invoiced: hours x `hourly_rate` in `currency`, from a
    product (its price per unit, unit and tax rate) or a rate set for the schedule."""

    hourly_rate: Decimal
    currency: str
    product_id: str | None = None
    product_name: str = ""
    tax_rate_id: str | None = None


@dataclass
class _Slot:
    """What the warnings need of one job: UTC times, naive."""

    id: str
    number: int
    assignee_id: str | None
    start: datetime
    end: datetime
    window_start: datetime | None = None
    window_end: datetime | None = None
    warnings: list[str] = field(default_factory=list)


# -- jobs ---------------------------------------------------------------------------------
def create_job(vault: Vault, draft: JobDraft, *, force: bool = False) -> JobRecord:
    """A new job (status scheduled). Conflicts with the plan refuse unless `force`."""
    permissions.require(vault, "schedule.create")
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        zone = office_time.zone_in(s)
        values = _clean(s, draft, zone)
        privacy_consent.ensure_not_restricted(s, values["person_id"], "given new jobs")
        if values["assignee_id"]:
            _check_assignable(s, values["assignee_id"])
        if not force:
            _refuse_conflicts(s, zone, "", values)
        job = Job(**values, number=next_number(s), status="scheduled",
                  created_at=now, updated_at=now)
        s.add(job)
        s.flush()
        job.ics_uid = f"{job.id}@{ICS_DOMAIN}"
        _timeline(s, job, f"Job {job.number} created: {job.title}", now)
        audit.add(s, "job.create", "job", job.id)
        search_index.index_jobs(s, [job.id])
        return _record(s, job, zone)


def update_job(vault: Vault, job_id: str, draft: JobDraft, *,
               force: bool = False) -> JobRecord:
    """Replace the job's fields with the draft's (start from `JobRecord.draft()`)."""
    permissions.require(vault, "schedule.edit")
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        zone = office_time.zone_in(s)
        job = _load_changeable(s, job_id)
        values = _clean(s, draft, zone)
        if values["person_id"] != job.person_id:
            privacy_consent.ensure_not_restricted(s, values["person_id"], "given new jobs")
        if values["assignee_id"] and values["assignee_id"] != job.assignee_id:
            _check_assignable(s, values["assignee_id"])
        if not force and job.status not in ("done", "cancelled"):
            _refuse_conflicts(s, zone, job.id, values)
        for name, value in values.items():
            setattr(job, name, value)
        job.updated_at = now
        s.flush()
        audit.add(s, "job.update", "job", job.id)
        search_index.index_jobs(s, [job.id])
        return _record(s, job, zone)


def move_job(vault: Vault, job_id: str, *, start: datetime | str,
             assignee_id: str | None, force: bool = False) -> JobRecord:
    """Drag and drop: a new planned start and assignee (None: nobody). The duration is
    kept and the window moves along (see the module notes). Conflicts refuse with
    `ScheduleConflict` unless `force`."""
    permissions.require(vault, "schedule.edit")
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        zone = office_time.zone_in(s)
        job = _load_changeable(s, job_id)
        if job.status in ("done", "cancelled"):
            raise UserError(f"Job {job.number} is {STATUS_WORDS[job.status]}, so it stays "
                            "where it was.")
        new_start = _utc(start, zone, "new start")
        if assignee_id and assignee_id != job.assignee_id:
            _check_assignable(s, assignee_id)
        old_local = office_time.to_local(job.scheduled_start, zone).replace(tzinfo=None)
        new_local = office_time.to_local(new_start, zone).replace(tzinfo=None)
        length = job.window_end - job.window_start
        window_start = office_time.to_utc(
            office_time.to_local(job.window_start, zone).replace(tzinfo=None)
            + (new_local - old_local), zone)
        values = {"scheduled_start": new_start, "duration_minutes": job.duration_minutes,
                  "window_start": window_start, "window_end": window_start + length,
                  "assignee_id": assignee_id or None}
        if not force:
            _refuse_conflicts(s, zone, job.id, values)
        for name, value in values.items():
            setattr(job, name, value)
        job.updated_at = now
        s.flush()
        audit.add(s, "job.move", "job", job.id)
        return _record(s, job, zone)


def get_job(vault: Vault, job_id: str) -> JobRecord:
    permissions.require(vault, "schedule.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        return _record(s, _load(s, job_id), office_time.zone_in(s))


def find_job_by_number(vault: Vault, number: int | str) -> str | None:
    """The id of the job with this number ("12", "Job 12" or 12), or None."""
    permissions.require(vault, "schedule.view")
    text = str(number).strip()
    if text.casefold().startswith("job"):
        text = text[3:].strip()
    if not text.isdigit():
        return None
    with vault.unit_of_work() as uow:
        return uow.session.scalar(select(Job.id).where(Job.number == int(text)))


def delete_job(vault: Vault, job_id: str) -> None:
    """Delete a job with its materials (an invoice made from it stays)."""
    permissions.require(vault, "schedule.delete")
    with vault.unit_of_work() as uow:
        s = uow.session
        job = _load_changeable(s, job_id)
        s.delete(job)  # trg_job_deleted takes it out of the search index
        s.flush()
        audit.add(s, "job.delete", "job", job_id)


# -- from the field -----------------------------------------------------------------------
def set_status(vault: Vault, job_id: str, status: str, *,
               minutes_worked: int | str | None = None) -> JobRecord:
    """Move the job's status (see the module notes for the allowed moves)."""
    permissions.require(vault, "schedule.edit")
    if status not in JOB_STATUSES:
        raise ValueError(f"unknown job status {status!r}")
    now = vault.clock.now()
    stamp = _naive(now)
    with vault.unit_of_work() as uow:
        s = uow.session
        zone = office_time.zone_in(s)
        job = _load_changeable(s, job_id)
        _check_move(job, status)
        if status == job.status:
            return _record(s, job, zone)
        if status == "in_progress" and job.started_at is None:
            job.started_at = stamp
        if status == "done":
            job.finished_at = stamp
            job.minutes_worked = (_minutes(minutes_worked) if minutes_worked not in (None, "")
                                  else _elapsed(job, stamp))
        if status == "scheduled":  # a cancelled job planned again
            job.started_at = job.finished_at = job.minutes_worked = None
        job.status = status
        job.updated_at = now
        s.flush()
        if status == "done":
            _timeline(s, job, f"Job {job.number} done: {job.title} "
                      f"({duration_text(job.minutes_worked or 0)})", now, job.field_notes)
        elif status == "cancelled":
            _timeline(s, job, f"Job {job.number} cancelled: {job.title}", now)
        audit.add(s, f"job.status:{status}", "job", job.id)
        return _record(s, job, zone)


def finish_job(vault: Vault, job_id: str, *, minutes_worked: int | str | None = None,
               field_notes: str | None = None) -> JobRecord:
    """Mark the job done, with the time worked and the notes from the field if given."""
    permissions.require(vault, "schedule.edit")
    if field_notes is not None:
        set_field_notes(vault, job_id, field_notes)
    return set_status(vault, job_id, "done", minutes_worked=minutes_worked)


def cancel_job(vault: Vault, job_id: str) -> JobRecord:
    permissions.require(vault, "schedule.edit")
    return set_status(vault, job_id, "cancelled")


def set_field_notes(vault: Vault, job_id: str, text: str) -> JobRecord:
    """The technician's notes from the site (any status)."""
    permissions.require(vault, "schedule.edit")
    notes = _long_text(text, "notes from the field")
    with vault.unit_of_work() as uow:
        s = uow.session
        job = _load_changeable(s, job_id)
        job.field_notes = notes
        job.updated_at = vault.clock.now()
        audit.add(s, "job.field_notes", "job", job.id)
        return _record(s, job, office_time.zone_in(s))


def set_minutes_worked(vault: Vault, job_id: str, minutes: int | str) -> JobRecord:
    """Correct the time worked on a finished job that is not invoiced yet."""
    permissions.require(vault, "schedule.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        job = _load_changeable(s, job_id)
        if job.status != "done":
            raise UserError(f"Job {job.number} is not done yet; the time worked is kept when "
                            "it is marked done.")
        _refuse_if_invoiced(job)
        job.minutes_worked = _minutes(minutes)
        job.updated_at = vault.clock.now()
        audit.add(s, "job.minutes_worked", "job", job.id)
        return _record(s, job, office_time.zone_in(s))


# -- materials ----------------------------------------------------------------------------
def add_material(vault: Vault, job_id: str, draft: MaterialDraft) -> MaterialRecord:
    permissions.require(vault, "schedule.edit")
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        job = _load_changeable(s, job_id)
        _refuse_if_invoiced(job)
        currency = _currency(s)
        top = s.scalar(select(func.max(JobMaterial.position)).where(
            JobMaterial.job_id == job.id))
        row = JobMaterial(job_id=job.id, position=(top + 1) if top is not None else 0,
                          created_at=now, updated_at=now,
                          **_clean_material(s, draft, currency))
        s.add(row)
        s.flush()
        job.updated_at = now
        audit.add(s, "job.material_add", "job", job.id)
        return _material(row, currency)


def update_material(vault: Vault, material_id: str, draft: MaterialDraft) -> MaterialRecord:
    permissions.require(vault, "schedule.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        row = _load_material(s, material_id)
        job = _load_changeable(s, row.job_id)
        _refuse_if_invoiced(job)
        currency = _currency(s)
        for name, value in _clean_material(s, draft, currency).items():
            setattr(row, name, value)
        row.updated_at = job.updated_at = vault.clock.now()
        audit.add(s, "job.material_update", "job", job.id)
        return _material(row, currency)


def remove_material(vault: Vault, material_id: str) -> None:
    permissions.require(vault, "schedule.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        row = _load_material(s, material_id)
        job = _load_changeable(s, row.job_id)
        _refuse_if_invoiced(job)
        s.delete(row)
        job.updated_at = vault.clock.now()
        audit.add(s, "job.material_remove", "job", job.id)


# -- views --------------------------------------------------------------------------------
def day(vault: Vault, on: date, staff_id: str | None = None, *,
        include_cancelled: bool = False) -> DaySchedule:
    """One local day: a lane per person (one person with `staff_id`; else every active
    member, inactive ones who have jobs that day, and "Unassigned" when there are
    jobs nobody has), jobs in visiting order with their warnings."""
    permissions.require(vault, "schedule.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        zone = office_time.zone_in(s)
        lanes = _lanes(s, zone, on, on, staff_id, include_cancelled)
        return DaySchedule(on, zone.key, tuple(
            Lane(lane.staff_id, lane.name, lane.colour, lane.days[0].off, lane.days[0].jobs,
                 *_hours(s, lane.staff_id)) for lane in lanes))


def week(vault: Vault, monday: date, staff_id: str | None = None, *,
         include_cancelled: bool = False) -> WeekSchedule:
    """The week (Monday to Sunday) holding `monday` (any day of it will do), lanes as
    `day` makes them, each with its seven days."""
    permissions.require(vault, "schedule.view")
    first = monday - timedelta(days=monday.weekday())
    with vault.unit_of_work() as uow:
        s = uow.session
        zone = office_time.zone_in(s)
        lanes = _lanes(s, zone, first, first + timedelta(days=6), staff_id,
                       include_cancelled)
        return WeekSchedule(first, zone.key, tuple(lanes))


def my_day(vault: Vault, on: date | None = None) -> DaySchedule:
    """The day of the staff member whose computer account this is (today by default).
    Everything is in the vault on this computer, so it works without a network."""
    permissions.require(vault, "schedule.view")
    me = staff.current_staff(vault)
    if me is None:
        raise UserError(f"This computer's account {quoted(audit.current_actor())} is not "
                        "linked to a staff member; choose it for yourself in the staff "
                        "settings to see your day.")
    return day(vault, on or today(vault), me.id)


def today(vault: Vault) -> date:
    """Today in the office's zone."""
    permissions.require(vault, "schedule.view")
    return office_time.to_local(vault.clock.now(), office_time.office_zone(vault)).date()


def list_jobs(vault: Vault, filt: JobFilter | None = None, *,
              after: tuple[str, str] | Sequence[Any] | None = None,
              limit: int = PAGE) -> JobPage:
    """One page of jobs by planned start (then id), read by key: pass the previous page's
    `next_after` as `after`."""
    permissions.require(vault, "schedule.view")
    filt = filt or JobFilter()
    limit = max(1, min(int(limit), MAX_PAGE))
    with vault.unit_of_work() as uow:
        s = uow.session
        zone = office_time.zone_in(s)
        where = _filters(filt, zone)
        query = (select(Job.id, Job.number, Job.title, Job.kind, Job.status,
                        func.coalesce(Organization.name, Person.display_name, ""),
                        func.coalesce(StaffMember.name, ""), Job.scheduled_start,
                        Job.duration_minutes, Job.site_address)
                 .outerjoin(Organization, Organization.id == Job.organization_id)
                 .outerjoin(Person, Person.id == Job.person_id)
                 .outerjoin(StaffMember, StaffMember.id == Job.assignee_id)
                 .where(*where))
        if after is not None:
            key = datetime.fromisoformat(str(after[0]))
            query = query.where(tuple_(Job.scheduled_start, Job.id) > tuple_(key, str(after[1])))
        rows = []
        for (jid, number, title, kind, status, customer, assignee, start, minutes,
             address) in s.execute(query.order_by(Job.scheduled_start, Job.id)
                                   .limit(limit + 1)):
            rows.append(JobRow(jid, number, title, kind, status, customer, assignee,
                               office_time.to_local(start, zone),
                               office_time.to_local(start + timedelta(minutes=minutes), zone),
                               address, (start.isoformat(sep=" "), jid)))
    more = len(rows) > limit
    rows = rows[:limit]
    return JobPage(tuple(rows), rows[-1].key if more and rows else None)


def jobs_done_per_person(vault: Vault, first_day: date, last_day: date) -> list[PersonWork]:
    """Jobs finished in [first_day, last_day] (local days) per staff member, most first:
    how many and the minutes worked."""
    permissions.require(vault, "schedule.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        zone = office_time.zone_in(s)
        low = office_time.local_day_bounds(first_day, zone)[0]
        high = office_time.local_day_bounds(last_day, zone)[1]
        rows = s.execute(
            select(Job.assignee_id, func.coalesce(StaffMember.name, ""), func.count(),
                   func.coalesce(func.sum(Job.minutes_worked), 0))
            .outerjoin(StaffMember, StaffMember.id == Job.assignee_id)
            .where(Job.status == "done", Job.finished_at >= low, Job.finished_at < high)
            .group_by(Job.assignee_id, StaffMember.name)).all()
    out = [PersonWork(sid, name or "Unassigned", int(n), int(m)) for sid, name, n, m in rows]
    return sorted(out, key=lambda w: (-w.jobs, sort_key(w.name)))


# -- job -> invoice -----------------------------------------------------------------------
def labour_rate(vault: Vault) -> LabourRate | None:
    """How time on jobs is invoiced, or None when nothing is set yet."""
    permissions.require(vault, "schedule.view")
    with vault.unit_of_work() as uow:
        return _labour(uow.session)


def set_labour_rate(vault: Vault, *, product_id: str | None = None,
                    hourly_rate: Decimal | str | None = None) -> LabourRate | None:
    """Invoice time with a product (its price per hour, unit and tax rate) or at an hourly
    rate in the business's default currency; neither clears the setting."""
    permissions.require(vault, "settings")
    if product_id and hourly_rate not in (None, ""):
        raise UserError("Choose a labour product or type an hourly rate, not both.")
    with vault.unit_of_work() as uow:
        s = uow.session
        if product_id:
            if s.get(Product, product_id) is None:
                raise UserError("That product no longer exists; choose another one.")
            stored.write_json(s, LABOUR_KEY, {"product_id": product_id})
        elif hourly_rate not in (None, ""):
            currency = _currency(s)
            rate = rules.parse_decimal(hourly_rate, "hourly rate")  # type: ignore[arg-type]
            if rate <= 0:
                raise UserError("The hourly rate must be above zero.")
            rules.check_price_digits(rate, currency, "hourly rate")
            stored.write_json(s, LABOUR_KEY, {"hourly_rate": str(rate), "currency": currency})
        else:
            stored.write_json(s, LABOUR_KEY, None)
        audit.add(s, "schedule.labour_rate", "setting", LABOUR_KEY)
        return _labour(s)


def invoice_from_job(vault: Vault, job_id: str) -> Any:
    """An invoice draft for the done job's customer, in the business's default currency:
    one labour line (the minutes worked as hours, to two decimals, at the labour rate)
    and one line per material. The job links to the draft and the customer's timeline
    says so. Refused for a job that is not done, has no customer, is already invoiced,
    or when no labour rate is set. Returns the `InvoiceRecord`.

    The draft is saved by `invoices.save_invoice_draft` (its own transaction) and then
    linked; if another window invoiced the job in between, the new draft is deleted
    again and the call refused, so a job never has two drafts."""
    permissions.require(vault, "schedule.edit")
    permissions.require(vault, "invoices.create")
    from crasme_desktop.services import invoices
    from crasme_desktop.services.quotes import LineDraft

    with vault.unit_of_work() as uow:
        s = uow.session
        job = _load_changeable(s, job_id)
        _check_invoiceable(s, job)
        currency = _currency(s)
        lines = []
        labour = _labour(s)
        if job.minutes_worked:
            if labour is None:
                raise UserError("Set how time is invoiced (a labour product or an hourly "
                                "rate, under Settings › Schedule and time) before making "
                                "an invoice from a job.")
            if labour.currency != currency:
                raise UserError(f"The labour rate is in {labour.currency} but invoices are "
                                f"in {currency}; choose a rate in {currency}.")
            hours = (Decimal(job.minutes_worked) / 60).quantize(Decimal("0.01"),
                                                                 rounding=ROUND_HALF_UP)
            lines.append(LineDraft(
                description=f"Labour, Job {job.number}: {job.title} "
                            f"({duration_text(job.minutes_worked)})",
                quantity=hours, unit="h", unit_price=labour.hourly_rate,
                tax_rate_id=labour.tax_rate_id, product_id=labour.product_id))
        for row in _materials(s, job.id):
            product = s.get(Product, row.product_id) if row.product_id else None
            lines.append(LineDraft(
                description=row.description, quantity=Decimal(row.quantity), unit=row.unit,
                unit_price=from_minor(row.unit_price_minor, currency),
                tax_rate_id=product.tax_rate_id if product is not None else None,
                product_id=row.product_id))
        if not lines:
            raise UserError(f"Job {job.number} has no time worked and no materials, so "
                            "there is nothing to invoice.")
        zone = office_time.zone_in(s)
        done_on = office_time.to_local(job.finished_at or job.scheduled_start, zone).date()
        draft = invoices.InvoiceDraft(
            customer_person_id=job.person_id, customer_organization_id=job.organization_id,
            currency=currency, lines=tuple(lines),
            notes=f"Job {job.number}: {job.title}, done on {done_on.isoformat()}.")
    invoice = invoices.save_invoice_draft(vault, draft)
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        job = _load(s, job_id)
        if job.invoice_id is not None:
            taken = True
        else:
            taken = False
            job.invoice_id = invoice.id
            job.updated_at = now
            _timeline(s, job, f"Job {job.number} invoiced (draft)", now)
            audit.add(s, "job.to_invoice", "job", job.id)
    if taken:  # take back our own draft: no invoices.delete needed for that
        with vault.unit_of_work(immediate=True) as uow:
            invoices.remove_draft(uow.session, invoice.id)
        raise UserError(f"Job {_number_of(vault, job_id)} was invoiced from another window "
                        "meanwhile; open that invoice.")
    return invoices.get_invoice(vault, invoice.id)


# -- small helpers others use ------------------------------------------------------------
def duration_text(minutes: int) -> str:
    """"1 h 30 min", "45 min", "2 h"."""
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def customer_address(s: Session, person_id: str | None, organization_id: str | None) -> str:
    """The customer's postal address as lines: the company's when there is one, else the
    person's; an address that is not the billing one first."""
    owner = (PostalAddress.organization_id == organization_id if organization_id
             else PostalAddress.person_id == person_id if person_id else None)
    if owner is None:
        return ""
    addresses = list(s.scalars(select(PostalAddress).where(owner)
                               .order_by(PostalAddress.position, PostalAddress.id)))
    if not addresses and organization_id and person_id:
        return customer_address(s, person_id, None)
    chosen = next((a for a in addresses if a.kind != "billing"), None) or (
        addresses[0] if addresses else None)
    if chosen is None:
        return ""
    city = " ".join(p for p in (chosen.postal_code, chosen.city) if p)
    parts = [*chosen.street.splitlines(), city, chosen.region]
    return "\n".join(clean_text(p) for p in parts if clean_text(p))


# -- inside: loading and checking ---------------------------------------------------------
def _load(s: Session, job_id: str | None) -> Job:
    job = s.get(Job, job_id) if job_id else None
    if job is None:
        raise UserError("That job no longer exists (it may have been deleted meanwhile).")
    return job


def _load_changeable(s: Session, job_id: str | None) -> Job:
    job = _load(s, job_id)
    privacy_consent.ensure_not_restricted(s, job.person_id, "given job updates")
    return job


def _load_material(s: Session, material_id: str | None) -> JobMaterial:
    row = s.get(JobMaterial, material_id) if material_id else None
    if row is None:
        raise UserError("That material line no longer exists; look at the job again.")
    return row


def _number_of(vault: Vault, job_id: str) -> int:
    with vault.unit_of_work() as uow:
        return _load(uow.session, job_id).number


def _check_move(job: Job, status: str) -> None:
    current = job.status
    if status == current:
        return
    what = f"Job {job.number} is {STATUS_WORDS[current]}"
    if current == "done":
        raise UserError(f"{what}; a finished job's status does not change any more.")
    if status == "cancelled":
        return
    if current == "cancelled":
        if status != "scheduled":
            raise UserError(f"{what}; schedule it again first.")
        return
    if _FORWARD.index(status) < _FORWARD.index(current):
        raise UserError(f"{what}; it can only go on towards done, or be cancelled.")


def _elapsed(job: Job, finished: datetime) -> int:
    if job.started_at is not None and finished > job.started_at:
        return max(1, min(MAX_MINUTES_WORKED,
                          math.ceil((finished - job.started_at).total_seconds() / 60)))
    return job.duration_minutes


def _refuse_if_invoiced(job: Job) -> None:
    if job.invoice_id is not None:
        raise UserError(f"Job {job.number} is already on an invoice; change the invoice "
                        "instead.")


def _check_invoiceable(s: Session, job: Job) -> None:
    if job.status != "done":
        raise UserError(f"Job {job.number} is {STATUS_WORDS[job.status]}, not done; mark it "
                        "done before making an invoice from it.")
    if job.invoice_id is not None:
        invoice = s.get(Invoice, job.invoice_id)
        which = f"invoice {invoice.number}" if invoice is not None and invoice.number \
            else "an invoice draft"
        raise UserError(f"Job {job.number} is already on {which}; open that one.")
    if not (job.person_id or job.organization_id):
        raise UserError(f"Job {job.number} has no customer; choose a person or a company "
                        "for it first.")


def _check_assignable(s: Session, staff_id: str) -> None:
    member = staff.load(s, staff_id)
    if not member.active:
        raise UserError(f"{member.name} is no longer active; choose someone else or make "
                        "them active again.")


def next_number(s: Session) -> int:
    """The next job number (the caller's transaction holds the write lock)."""
    counter = stored.read_json(s, COUNTER_KEY)
    top = s.scalar(select(func.max(Job.number))) or 0
    number = max(int(counter) if isinstance(counter, int) else 0, int(top)) + 1
    stored.write_json(s, COUNTER_KEY, number)
    return number


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _utc(value: datetime | str | None, zone: ZoneInfo, what: str) -> datetime:
    if isinstance(value, str):
        text = value.strip()
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise UserError(f"The {what} {quoted(text)} is not a date and time; use one "
                            "such as 2026-12-14 09:30.") from None
    if not isinstance(value, datetime):
        raise UserError(f"Give the job's {what}.")
    stored_value = office_time.to_utc(value, zone)
    if not 1900 < stored_value.year < 2200:
        raise UserError(f"The {what} {stored_value.date().isoformat()} is not a likely date; "
                        "check the year.")
    return stored_value


def _minutes(value: int | str, what: str = "time worked") -> int:
    text = str(value).strip()
    try:
        number = Decimal(text)
    except ArithmeticError:
        number = Decimal(-1)
    if (not number.is_finite() or number != number.to_integral_value() or number < 1
            or number > MAX_MINUTES_WORKED):
        raise UserError(f"The {what} must be a whole number of minutes from 1 to "
                        f"{MAX_MINUTES_WORKED}; {quoted(text)} is not.")
    return int(number)


def _long_text(value: str, what: str, limit: int = NOTES_MAX) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise UserError(f"Keep the {what} under {limit} characters.")
    return check_no_card_number(text, what)


def _clean(s: Session, d: JobDraft, zone: ZoneInfo) -> dict[str, Any]:
    title = clean_text(d.title)
    if not title:
        raise UserError("Give the job a title, such as what is to be done.")
    if len(title) > TITLE_MAX:
        raise UserError(f"Keep the job's title under {TITLE_MAX} characters.")
    check_no_card_number(title, "job's title")
    if d.kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {d.kind!r}")
    window_start = _utc(d.window_start, zone, "start of the time window")
    window_end = _utc(d.window_end, zone, "end of the time window")
    if window_end <= window_start:
        raise UserError("The job ends before it starts; make the end of its time window "
                        "later than its start.")
    if window_end - window_start > MAX_WINDOW:
        raise UserError("A job's time window can be 14 days long at most; split longer "
                        "work into several jobs.")
    scheduled = (window_start if d.scheduled_start in (None, "")
                 else _utc(d.scheduled_start, zone, "planned start"))
    duration = _minutes(d.duration_minutes, "expected duration")
    person_id = d.person_id or None
    organization_id = d.organization_id or None
    if person_id and s.get(Person, person_id) is None:
        raise UserError("That person no longer exists; choose the customer again.")
    if organization_id and s.get(Organization, organization_id) is None:
        raise UserError("That company no longer exists; choose the customer again.")
    if d.kind == "job" and not (person_id or organization_id):
        raise UserError("Choose a customer for the job: a person or a company.")
    if d.ticket_id and s.get(Ticket, d.ticket_id) is None:
        raise UserError("That ticket no longer exists; choose another one or none.")
    if d.deal_id and s.get(Deal, d.deal_id) is None:
        raise UserError("That deal no longer exists; choose another one or none.")
    if d.assignee_id:
        staff.load(s, d.assignee_id)
    address = _long_text(d.site_address, "site address", ADDRESS_MAX)
    if not address:
        address = customer_address(s, person_id, organization_id)
    return {
        "title": title, "title_key": sort_key(title)[:TITLE_MAX], "kind": d.kind,
        "person_id": person_id, "organization_id": organization_id,
        "site_address": address, "window_start": window_start, "window_end": window_end,
        "scheduled_start": scheduled, "duration_minutes": duration,
        "assignee_id": d.assignee_id or None, "ticket_id": d.ticket_id or None,
        "deal_id": d.deal_id or None, "notes": _long_text(d.notes, "job's notes"),
    }


def _currency(s: Session) -> str:
    return rules.normalize_currency(business.load_business(s).default_currency)


def _clean_material(s: Session, d: MaterialDraft, currency: str) -> dict[str, Any]:
    product = s.get(Product, d.product_id) if d.product_id else None
    if d.product_id and product is None:
        raise UserError("That product no longer exists; choose another one.")
    description = (d.description or "").strip() or (product.name if product else "")
    if not description:
        raise UserError("Say what the material is, or choose a product.")
    if len(description) > DESCRIPTION_MAX:
        raise UserError(f"Keep a material's description under {DESCRIPTION_MAX} characters.")
    check_no_card_number(description, "material's description")
    quantity = rules.parse_decimal(d.quantity, "quantity")
    if quantity <= 0:
        raise UserError("The quantity of a material must be above zero.")
    if quantity != quantity.quantize(Decimal("0.0001")) or quantity >= Decimal(10) ** 9:
        raise UserError(f"The quantity {quantity} has more than four decimals or is too "
                        "large; round it.")
    if d.unit_price in (None, ""):
        if product is None:
            raise UserError("Give the material a price, or choose a product.")
        if product.currency != currency:
            raise UserError(f"The product {quoted(product.name)} is priced in "
                            f"{product.currency} but jobs are invoiced in {currency}; type "
                            "the price instead.")
        price_minor = product.unit_price_minor
    else:
        price = rules.parse_decimal(d.unit_price, "price")
        if price < 0 or price >= Decimal(10) ** 12:
            raise UserError("A material's price cannot be negative or that large.")
        rules.check_price_digits(price, currency)
        price_minor = to_minor(price, currency)
    unit = clean_text(d.unit)[:30] or (product.unit if product else "")
    return {"description": description, "quantity": format(quantity.normalize(), "f"),
            "unit": unit, "unit_price_minor": price_minor,
            "product_id": product.id if product else None}


def _labour(s: Session) -> LabourRate | None:
    value = stored.read_json(s, LABOUR_KEY)
    if not isinstance(value, dict):
        return None
    if value.get("product_id"):
        product = s.get(Product, value["product_id"])
        if product is None:
            return None
        return LabourRate(from_minor(product.unit_price_minor, product.currency),
                          product.currency, product.id, product.name, product.tax_rate_id)
    if value.get("hourly_rate"):
        return LabourRate(Decimal(value["hourly_rate"]), str(value.get("currency") or ""))
    return None


# -- inside: conflicts --------------------------------------------------------------------
def _slot(job: Job) -> _Slot:
    return _Slot(job.id, job.number, job.assignee_id, job.scheduled_start,
                 job.scheduled_start + timedelta(minutes=job.duration_minutes),
                 job.window_start, job.window_end)


def _refuse_conflicts(s: Session, zone: ZoneInfo, job_id: str, values: dict[str, Any]) -> None:
    start = values["scheduled_start"]
    slot = _Slot(job_id, 0, values["assignee_id"], start,
                 start + timedelta(minutes=values["duration_minutes"]),
                 values["window_start"], values["window_end"])
    warnings = _warnings(s, zone, slot)
    if warnings:
        raise ScheduleConflict(warnings)


def _warnings(s: Session, zone: ZoneInfo, slot: _Slot,
              others: Sequence[_Slot] | None = None,
              off: dict[tuple[str, date], str] | None = None,
              member: StaffMember | None = None) -> list[str]:
    """The sentences about placing `slot` (see the module notes). `others`, `off` and
    `member` may be given when the caller has them already (the views)."""
    out: list[str] = []
    if slot.window_start is not None and slot.window_end is not None and not (
            slot.window_start <= slot.start < slot.window_end):
        out.append(f"The planned start {_hhmm(slot.start, zone)} is outside the agreed "
                   f"window ({_span(slot.window_start, slot.window_end, zone)}).")
    if not slot.assignee_id:
        return out
    member = member or s.get(StaffMember, slot.assignee_id)
    if member is None:
        return out
    local_start = office_time.to_local(slot.start, zone)
    local_end = office_time.to_local(slot.end, zone)
    days = _days_between(local_start.date(), (local_end - timedelta(microseconds=1)).date())
    if off is None:
        off = staff.off_days(s, [member.id], days[0], days[-1])
    off_any = False
    for one in days:
        reason = off.get((member.id, one))
        if reason is not None:
            off_any = True
            out.append(f"{member.name} is off on {staff.day_text(one)} ({reason}).")
    if not off_any:
        begin = staff.parse_hhmm(member.day_start, "start of the working day")
        end = staff.parse_hhmm(member.day_end, "end of the working day")
        day_end = datetime.combine(local_start.date(), end, tzinfo=zone)
        if local_start.time() < begin or _after(local_end, day_end):
            out.append(f"This is outside {member.name}'s working hours "
                       f"({member.day_start} to {member.day_end}).")
    if others is None:
        others = [_slot(j) for j in s.scalars(select(Job).where(
            Job.assignee_id == member.id, Job.status != "cancelled", Job.id != slot.id,
            Job.scheduled_start < slot.end,
            Job.scheduled_start >= slot.start - timedelta(minutes=MAX_DURATION),
        ).order_by(Job.scheduled_start, Job.id))]
    for other in others:
        if other.id != slot.id and other.start < slot.end and other.end > slot.start:
            out.append(f"This overlaps Job {other.number} for {member.name} from "
                       f"{_span(other.start, other.end, zone)}.")
    return out


def _after(local: datetime, limit: datetime) -> bool:
    return local.astimezone(UTC) > limit.astimezone(UTC)


def _hhmm(moment: datetime, zone: ZoneInfo) -> str:
    return office_time.to_local(moment, zone).strftime("%H:%M")


def _span(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    a, b = office_time.to_local(start, zone), office_time.to_local(end, zone)
    if a.date() == b.date():
        return f"{a:%H:%M} to {b:%H:%M}"
    return f"{staff.day_text(a.date())} {a:%H:%M} to {staff.day_text(b.date())} {b:%H:%M}"


def _days_between(first: date, last: date) -> list[date]:
    last = max(first, last)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# -- inside: views ------------------------------------------------------------------------
def _lanes(s: Session, zone: ZoneInfo, first: date, last: date, staff_id: str | None,
           include_cancelled: bool) -> list[WeekLane]:
    low = office_time.local_day_bounds(first, zone)[0]
    high = office_time.local_day_bounds(last, zone)[1]
    where = [Job.scheduled_start >= low, Job.scheduled_start < high]
    if staff_id:
        where.append(Job.assignee_id == staff_id)
    if not include_cancelled:
        where.append(Job.status != "cancelled")
    jobs = list(s.scalars(select(Job).where(*where).order_by(Job.scheduled_start, Job.id)))
    if staff_id:
        members = [staff.load(s, staff_id)]
    else:
        wanted = {j.assignee_id for j in jobs if j.assignee_id}
        members = list(s.scalars(select(StaffMember).where(
            (StaffMember.active.is_(True)) | (StaffMember.id.in_(wanted)))
            .order_by(StaffMember.name_key, StaffMember.id)))
    off = staff.off_days(s, [m.id for m in members], first - timedelta(days=1),
                         last + timedelta(days=1))
    # Others for overlaps: every live job of these people near the range.
    near = [_slot(j) for j in s.scalars(select(Job).where(
        Job.assignee_id.in_([m.id for m in members]), Job.status != "cancelled",
        Job.scheduled_start < high,
        Job.scheduled_start >= low - timedelta(minutes=MAX_DURATION)))]
    details = _details(s, jobs)
    days = _days_between(first, last)
    lanes = []
    for member in members:
        mine = [j for j in jobs if j.assignee_id == member.id]
        others = [o for o in near if o.assignee_id == member.id]
        lanes.append(WeekLane(member.id, member.name, member.colour, tuple(
            LaneDay(one, off.get((member.id, one)), tuple(
                _scheduled(s, zone, j, details, others, off, member) for j in mine
                if office_time.to_local(j.scheduled_start, zone).date() == one))
            for one in days)))
    loose = [j for j in jobs if not j.assignee_id]
    if loose and not staff_id:
        lanes.append(WeekLane(None, "Unassigned", "", tuple(
            LaneDay(one, None, tuple(
                _scheduled(s, zone, j, details, [], off, None) for j in loose
                if office_time.to_local(j.scheduled_start, zone).date() == one))
            for one in days)))
    return lanes


def _hours(s: Session, staff_id: str | None) -> tuple[str, str]:
    member = s.get(StaffMember, staff_id) if staff_id else None
    return (member.day_start, member.day_end) if member is not None else ("", "")


def _details(s: Session, jobs: Sequence[Job]) -> dict[str, tuple[str, str]]:
    """job id -> (customer, phone), one statement for the jobs of a view."""
    ids = [j.id for j in jobs]
    if not ids:
        return {}
    phone = (select(PersonPhone.number).where(PersonPhone.person_id == Job.person_id)
             .order_by(PersonPhone.is_primary.desc(), PersonPhone.position)
             .limit(1).scalar_subquery())
    rows = s.execute(select(Job.id, func.coalesce(Organization.name, Person.display_name, ""),
                            func.coalesce(phone, ""))
                     .outerjoin(Organization, Organization.id == Job.organization_id)
                     .outerjoin(Person, Person.id == Job.person_id)
                     .where(Job.id.in_(ids)))
    return {jid: (customer, number) for jid, customer, number in rows}


def _scheduled(s: Session, zone: ZoneInfo, job: Job, details: dict[str, tuple[str, str]],
               others: Sequence[_Slot], off: dict[tuple[str, date], str],
               member: StaffMember | None) -> ScheduledJob:
    slot = _slot(job)
    warnings: tuple[str, ...] = ()
    if job.status not in ("done", "cancelled"):
        if member is not None:
            warnings = tuple(_warnings(s, zone, slot, others, off, member))
        else:
            warnings = tuple(_warnings(s, zone, slot, (), {}, None))
    customer, phone = details.get(job.id, ("", ""))
    return ScheduledJob(
        id=job.id, number=job.number, title=job.title, kind=job.kind, status=job.status,
        customer=customer, phone=phone, site_address=job.site_address,
        start=office_time.to_local(slot.start, zone), end=office_time.to_local(slot.end, zone),
        window_start=office_time.to_local(job.window_start, zone),
        window_end=office_time.to_local(job.window_end, zone),
        duration_minutes=job.duration_minutes, assignee_id=job.assignee_id,
        notes=job.notes, field_notes=job.field_notes, warnings=warnings)


def _filters(f: JobFilter, zone: ZoneInfo) -> list[Any]:
    where: list[Any] = []
    if f.status:
        if f.status not in JOB_STATUSES:
            raise ValueError(f"unknown job status {f.status!r}")
        where.append(Job.status == f.status)
    if f.assignee_id:
        where.append(Job.assignee_id == f.assignee_id)
    if f.unassigned:
        where.append(Job.assignee_id.is_(None))
    if f.person_id:
        where.append(Job.person_id == f.person_id)
    if f.organization_id:
        where.append(Job.organization_id == f.organization_id)
    if f.first_day is not None:
        where.append(Job.scheduled_start >= office_time.local_day_bounds(f.first_day, zone)[0])
    if f.last_day is not None:
        where.append(Job.scheduled_start < office_time.local_day_bounds(f.last_day, zone)[1])
    return where


# -- inside: records ----------------------------------------------------------------------
def _materials(s: Session, job_id: str) -> list[JobMaterial]:
    return list(s.scalars(select(JobMaterial).where(JobMaterial.job_id == job_id)
                          .order_by(JobMaterial.position, JobMaterial.id)))


def _material(row: JobMaterial, currency: str) -> MaterialRecord:
    return MaterialRecord(row.id, row.job_id, row.position, row.description,
                          Decimal(row.quantity), row.unit,
                          from_minor(row.unit_price_minor, currency), currency, row.product_id)


def _record(s: Session, job: Job, zone: ZoneInfo) -> JobRecord:
    s.flush()
    person = s.get(Person, job.person_id) if job.person_id else None
    org = s.get(Organization, job.organization_id) if job.organization_id else None
    member = s.get(StaffMember, job.assignee_id) if job.assignee_id else None
    ticket = s.get(Ticket, job.ticket_id) if job.ticket_id else None
    deal = s.get(Deal, job.deal_id) if job.deal_id else None
    invoice = s.get(Invoice, job.invoice_id) if job.invoice_id else None
    phone = ""
    if person is not None and person.phones:
        phone = sorted(person.phones, key=lambda p: (not p.is_primary, p.position))[0].number
    currency = _currency(s)
    local = office_time.to_local

    def maybe(value: datetime | None) -> datetime | None:
        return local(value, zone) if value is not None else None

    end = job.scheduled_start + timedelta(minutes=job.duration_minutes)
    return JobRecord(
        id=job.id, number=job.number, title=job.title, kind=job.kind, status=job.status,
        person_id=job.person_id, person_name=person.display_name if person else "",
        organization_id=job.organization_id, organization_name=org.name if org else "",
        phone=phone, site_address=job.site_address,
        window_start=local(job.window_start, zone), window_end=local(job.window_end, zone),
        scheduled_start=local(job.scheduled_start, zone), scheduled_end=local(end, zone),
        duration_minutes=job.duration_minutes,
        window_minutes=int((job.window_end - job.window_start).total_seconds() // 60),
        assignee_id=job.assignee_id, assignee_name=member.name if member else "",
        ticket_id=job.ticket_id, ticket_number=ticket.number if ticket else None,
        deal_id=job.deal_id, deal_title=deal.title if deal else "",
        invoice_id=job.invoice_id, invoice_number=(invoice.number or "") if invoice else "",
        notes=job.notes, field_notes=job.field_notes, started_at=maybe(job.started_at),
        finished_at=maybe(job.finished_at), minutes_worked=job.minutes_worked,
        ics_uid=job.ics_uid,
        materials=tuple(_material(m, currency) for m in _materials(s, job.id)),
        created_at=_aware(job.created_at), updated_at=_aware(job.updated_at),
    )


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _timeline(s: Session, job: Job, subject: str, now: datetime, body: str = "") -> None:
    if job.person_id or job.organization_id:
        add_timeline(s, "job", job.id, job.person_id, job.organization_id, subject, now, body)
