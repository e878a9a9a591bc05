"""The schedule as files: a staff member's jobs as an iCalendar file, ICS files imported
as appointments, and the printable day sheet (PDF).

Export (`export_ics`): every job of the member (cancelled ones with STATUS:CANCELLED),
optionally between two local days, each with its UID (`job.ics_uid`, made when the job
was made and never changed, so a calendar that subscribes to the file updates its
events instead of duplicating them). The planned start and end are DTSTART/DTEND.

Import (`import_ics`), all in one write transaction, so a refused or broken file
imports nothing (see `formats.job_ics` for how files are read, zones converted and
repeating events expanded):
- each event becomes an appointment (kind "appointment", no customer) for the chosen
  member: SUMMARY the title, LOCATION the site address, DESCRIPTION the notes, the
  event's start and end its window, planned start and duration;
- an event whose UID that member already has updates that job instead: its times, and
  for an appointment also its title, address and notes (a job made in Crasme keeps
  its texts); a done job is left as it is; a cancelled event cancels it;
- a cancelled event nobody has yet is skipped, as is one longer than a job's window
  may be (14 days);
- conflicts with the plan do not stop an import: the views show them as warnings.

Day sheet (`day_sheet_pdf`, `save_day_sheet`): the member's jobs of one local day in
visiting order, cancelled ones left out, written with the business's locale.
Files are written through a temporary file and renamed into place.

Permissions (area "schedule"): exporting a calendar file needs schedule.view and
"export"; the day sheet schedule.view and "print"; importing adds and changes jobs, so
it needs schedule.create and schedule.edit. An export or a day sheet is a sensitive
read: once the file's content is made, an audit event of its own ("schedule.ics_export"
or "schedule.day_sheet", on the staff member, ids only) records it before anything is
handed out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Job, Organization, Person, PersonPhone
from crasme_desktop.domain.progress import Progress
from crasme_desktop.domain.validation import sort_key
from crasme_desktop.services import (
    audit,
    business,
    office_time,
    permissions,
    schedule,
    search_index,
    staff,
)
from crasme_desktop.services.sales_files import write_atomically
from crasme_desktop.vault import Vault

MAX_FILE = 20 * 1024 * 1024

__all__ = ["IcsImport", "day_sheet_pdf", "export_ics", "import_ics", "save_day_sheet",
           "save_ics"]


@dataclass(frozen=True)
class IcsImport:
    """What an import did."""

    staff_id: str
    created: int
    updated: int
    cancelled: int
    skipped: int
    job_ids: tuple[str, ...]

    @property
    def message(self) -> str:
        parts = [f"{self.created} appointment{'s' if self.created != 1 else ''} added"]
        if self.updated:
            parts.append(f"{self.updated} updated")
        if self.cancelled:
            parts.append(f"{self.cancelled} cancelled")
        if self.skipped:
            parts.append(f"{self.skipped} skipped (cancelled, too long or already done)")
        return ", ".join(parts) + "."


# -- export ----------------------------------------------------------------------------
def export_ics(vault: Vault, staff_id: str, *, first_day: date | None = None,
               last_day: date | None = None) -> bytes:
    """The member's jobs as an iCalendar file's bytes."""
    from crasme_desktop.formats.job_ics import IcsJob, write_calendar

    permissions.require(vault, "schedule.view")
    permissions.require(vault, "export")
    with vault.unit_of_work() as uow:
        s = uow.session
        member = staff.load(s, staff_id)
        zone = office_time.zone_in(s)
        where = [Job.assignee_id == member.id]
        if first_day is not None:
            where.append(Job.scheduled_start >= office_time.local_day_bounds(first_day,
                                                                            zone)[0])
        if last_day is not None:
            where.append(Job.scheduled_start < office_time.local_day_bounds(last_day, zone)[1])
        rows = s.execute(
            select(Job, Organization.name, Person.display_name)
            .outerjoin(Organization, Organization.id == Job.organization_id)
            .outerjoin(Person, Person.id == Job.person_id)
            .where(*where).order_by(Job.scheduled_start, Job.id)).all()
        phones = _phones(s, [job.person_id for job, _o, _p in rows if job.person_id])
        items = []
        for job, company, person in rows:
            if not job.ics_uid:  # jobs from before UIDs were made get theirs now, once
                job.ics_uid = f"{job.id}@{schedule.ICS_DOMAIN}"
            end = job.scheduled_start + timedelta(minutes=job.duration_minutes)
            items.append(IcsJob(
                uid=job.ics_uid,
                summary=f"Job {job.number}: {job.title}" if job.kind == "job" else job.title,
                start=job.scheduled_start.replace(tzinfo=UTC), end=end.replace(tzinfo=UTC),
                location=job.site_address,
                description=_description(job, company or person or "",
                                         phones.get(job.person_id or "", ""), zone),
                cancelled=job.status == "cancelled",
                created=job.created_at, modified=job.updated_at))
        member_id = member.id
        data = write_calendar(items, name=member.name, now=vault.clock.now())
    audit.record_read(vault, "schedule.ics_export", "staff_member", member_id)
    return data


def save_ics(vault: Vault, staff_id: str, path: Path | str, *,
             first_day: date | None = None, last_day: date | None = None) -> Path:
    """`export_ics` written to `path` (through a temporary file)."""
    permissions.require(vault, "schedule.view")
    permissions.require(vault, "export")
    target = Path(path)
    write_atomically(target, export_ics(vault, staff_id, first_day=first_day,
                                        last_day=last_day), what="calendar file")
    return target


def _description(job: Job, customer: str, phone: str, zone: ZoneInfo) -> str:
    start = office_time.to_local(job.window_start, zone)
    end = office_time.to_local(job.window_end, zone)
    lines = []
    if customer:
        lines.append(f"Customer: {customer}")
    if phone:
        lines.append(f"Phone: {phone}")
    lines.append(f"Agreed window: {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}")
    if job.notes:
        lines.append(job.notes)
    return "\n".join(lines)


# -- import ----------------------------------------------------------------------------
def import_ics(vault: Vault, data: bytes | Path | str, staff_id: str, *,
               progress: Progress | None = None) -> IcsImport:
    """Put the file's events on the member's schedule (see the module notes)."""
    from crasme_desktop.formats.job_ics import read_events

    permissions.require(vault, "schedule.create")
    permissions.require(vault, "schedule.edit")
    raw = _read(data)
    progress = progress or Progress()
    progress.update(0, 2, "Reading the calendar…")
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        member = staff.load(s, staff_id)
        if not member.active:
            raise UserError(f"{member.name} is no longer active; import the calendar for "
                            "someone else or make them active again.")
        zone = office_time.zone_in(s)
        today = office_time.to_local(now, zone).date()
        events = read_events(raw, zone=zone, today=today)
        progress.check()
        progress.update(1, 2, f"Adding {len(events)} events…")
        existing = {j.ics_uid: j for j in s.scalars(select(Job).where(
            Job.assignee_id == member.id, Job.ics_uid.in_([e.uid for e in events])))} \
            if events else {}
        created = updated = cancelled = skipped = 0
        touched: list[str] = []
        for event in events:
            start = event.start.replace(tzinfo=None)
            end = event.end.replace(tzinfo=None)
            minutes = max(1, round((end - start).total_seconds() / 60))
            job = existing.get(event.uid)
            if end - start > schedule.MAX_WINDOW or minutes > schedule.MAX_DURATION:
                skipped += 1
                continue
            if job is None:
                if event.cancelled:
                    skipped += 1
                    continue
                title = _title(event.summary)
                job = Job(number=schedule.next_number(s), title=title,
                          title_key=sort_key(title)[:schedule.TITLE_MAX], kind="appointment",
                          site_address=event.location[:schedule.ADDRESS_MAX],
                          notes=event.description[:schedule.NOTES_MAX],
                          window_start=start, window_end=end, scheduled_start=start,
                          duration_minutes=minutes, assignee_id=member.id,
                          status="scheduled", ics_uid=event.uid[:255],
                          created_at=now, updated_at=now)
                s.add(job)
                s.flush()
                existing[event.uid] = job
                created += 1
                audit.add(s, "job.import_ics", "job", job.id)
            elif job.status == "done":
                skipped += 1
                continue
            else:
                job.window_start, job.window_end = start, end
                job.scheduled_start, job.duration_minutes = start, minutes
                if job.kind == "appointment":
                    job.title = _title(event.summary)
                    job.title_key = sort_key(job.title)[:schedule.TITLE_MAX]
                    job.site_address = event.location[:schedule.ADDRESS_MAX]
                    job.notes = event.description[:schedule.NOTES_MAX]
                if event.cancelled and job.status != "cancelled":
                    job.status = "cancelled"
                    cancelled += 1
                else:
                    updated += 1
                job.updated_at = now
                audit.add(s, "job.import_ics", "job", job.id)
            touched.append(job.id)
        search_index.index_jobs(s, touched)
    progress.update(2, 2, "")
    return IcsImport(member.id, created, updated, cancelled, skipped, tuple(touched))


def _read(data: bytes | Path | str) -> bytes:
    if isinstance(data, bytes):
        return data
    path = Path(data)
    try:
        if path.stat().st_size > MAX_FILE:
            raise UserError(f"The file {path.name} is larger than {MAX_FILE // 2**20} MB; a "
                            "calendar that big is not imported.")
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"There is no file {path}; check its name and folder.") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder; choose a calendar file (.ics).") from None
    except PermissionError:
        raise UserError(f"Crasme may not read {path}; check the file's permissions.") from None


def _title(summary: str) -> str:
    text = " ".join(summary.split())[:schedule.TITLE_MAX]
    return text or "Appointment"


# -- day sheet -------------------------------------------------------------------------
def day_sheet_pdf(vault: Vault, staff_id: str, day: date) -> bytes:
    """The member's day sheet for `day` (a local day) as PDF bytes."""
    from crasme_desktop.formats.day_sheet_pdf import DaySheet, SheetJob, render_day_sheet

    permissions.require(vault, "schedule.view")
    permissions.require(vault, "print")
    plan = schedule.day(vault, day, staff_id)
    with vault.unit_of_work() as uow:
        s = uow.session
        settings = business.load_business(s)
        zone = office_time.zone_in(s)
    [lane] = plan.lanes
    sheet = DaySheet(
        staff_name=lane.name, day=day, business_name=settings.name,
        locale=_paper_locale(settings.locale), country_code=settings.country_code,
        time_zone=plan.time_zone,
        printed_at=office_time.to_local(vault.clock.now(), zone),
        jobs=tuple(SheetJob(
            number=j.number, title=j.title, start=j.start, end=j.end,
            window_start=j.window_start, window_end=j.window_end, customer=j.customer,
            phone=j.phone, site_address=j.site_address, notes=j.notes,
            field_notes=j.field_notes, kind=j.kind, status=j.status) for j in lane.jobs))
    data = render_day_sheet(sheet)
    audit.record_read(vault, "schedule.day_sheet", "staff_member", staff_id)
    return data


def _paper_locale(value: str) -> str:
    """The business's locale for paper, else the system's (C/POSIX taken as en_US), as
    invoices choose theirs."""
    if value:
        return value
    from babel import default_locale

    found = default_locale("LC_TIME") or ""
    return "en_US" if not found or found.endswith("POSIX") or found in ("C", "c") else found


def save_day_sheet(vault: Vault, staff_id: str, day: date, path: Path | str, *,
                   progress: Progress | None = None) -> Path:
    """`day_sheet_pdf` written to `path` (through a temporary file)."""
    permissions.require(vault, "schedule.view")
    permissions.require(vault, "print")
    progress = progress or Progress()
    progress.update(0, 1, "Drawing the day sheet…")
    data = day_sheet_pdf(vault, staff_id, day)
    progress.check()
    target = Path(path)
    write_atomically(target, data, what="day sheet")
    progress.update(1, 1, "")
    return target


def _phones(s: Session, person_ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    if not person_ids:
        return out
    for pid, number in s.execute(
            select(PersonPhone.person_id, PersonPhone.number)
            .where(PersonPhone.person_id.in_(list(dict.fromkeys(person_ids))))
            .order_by(PersonPhone.person_id, PersonPhone.is_primary.desc(),
                      PersonPhone.position)):
        out.setdefault(pid, number)
    return out
