"""Sample staff and field jobs for `crasme demo`, so the schedule, "my day", the day sheet
and "jobs done per person" have something to show.

`fill_staff` (called before the tickets, so that they have people to go to) adds four
staff members with different working days and hours, one of them off for three days
next week; the first, Tomasz Nowak, is this computer's account, so "my day" shows his
day. Nothing is added when the vault already has staff.

`fill_jobs` (called after deals and tickets, so that a few jobs can come from them)
plans, for every working day of each member from eight weeks ago to two weeks ahead,
one to four visits in their working hours (fewer for small demos), with customers drawn
from the companies (their first person as contact unless restricted) and the company's
address as the site. Past visits are done (a tenth cancelled) with the minutes worked,
started and finished times and often materials; today's are done, in progress or still
ahead by the clock; later ones are scheduled. About half of the older done jobs with
materials are linked to an invoice of their customer from the sample invoices
("invoiced"); a few jobs belong to a sample deal or ticket of their customer. Rows go in
by bulk insert with numbers continuing the job counter, one timeline entry per creation
and per completion, a search entry per job; an hourly labour rate is set when none is,
so finished jobs can become invoice drafts.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from crasme_desktop.domain.ids import new_id
from crasme_desktop.domain.models import Activity, Job, JobMaterial, StaffAbsence, StaffMember
from crasme_desktop.domain.money import to_minor
from crasme_desktop.domain.validation import sort_key
from crasme_desktop.services import (
    audit,
    business,
    office_time,
    privacy_consent,
    schedule,
    search_index,
    stored,
)

BATCH = 2000
PAST_DAYS, FUTURE_DAYS = 56, 14
#: name, work days (Monday..Sunday), start, end, colour.
STAFF = (
    ("Tomasz Nowak", "1111100", "07:00", "15:30", "#2563eb"),
    ("Maria Rossi", "1111100", "08:00", "17:00", "#db2777"),
    ("Jonas Weber", "0111110", "08:00", "16:00", "#059669"),
    ("Aylin Demir", "1111000", "09:00", "18:00", "#d97706"),
)
TITLES = ("Boiler service", "Heating repair", "Leak under the sink", "Radiator check",
          "Install a new tap", "Annual maintenance", "Bathroom fitting", "Pipe replacement",
          "Water heater check", "Thermostat installation", "Gas safety check",
          "Drain unblocking")
NOTES = ("", "", "", "Ring at the side door.", "Parking in the yard.",
         "Customer works from home until noon.", "Dog in the garden.",
         "Key with the caretaker.")
FIELD_NOTES = ("Replaced the worn part; working again.", "Checked and cleaned; no faults.",
               "Temporary fix; a part is ordered.", "Done as agreed with the customer.")
#: description, unit, price in the business's currency.
MATERIALS = (("Valve", "pcs", "12.50"), ("Copper pipe 15 mm", "m", "8.90"),
             ("Sealing tape", "pcs", "3.20"), ("Thermostat head", "pcs", "24.90"),
             ("Fittings set", "set", "15.75"), ("Filter cartridge", "pcs", "18.90"))
HOURLY_RATE = "65.00"

__all__ = ["fill_jobs", "fill_staff"]


def fill_staff(s: Session, rng: random.Random, now: datetime) -> int:
    """The sample staff (see the module notes); returns how many were added."""
    if s.scalar(select(func.count()).select_from(StaffMember)):
        return 0
    zone = office_time.zone_in(s)
    today = office_time.to_local(now, zone).date()
    actor = audit.current_actor()
    rows = []
    for i, (name, days, start, end, colour) in enumerate(STAFF):
        rows.append({"id": new_id(), "name": name, "name_key": sort_key(name),
                     "email": f"{name.split()[0].lower()}@northwind.example", "phone": "",
                     "active": True, "work_days": days, "day_start": start, "day_end": end,
                     "colour": colour, "os_user": actor if i == 0 else "",
                     "created_at": now, "updated_at": now})
    s.execute(insert(StaffMember.__table__), rows)
    next_monday = today + timedelta(days=7 - today.weekday())
    off = next_monday + timedelta(days=rng.randint(0, 2))
    s.execute(insert(StaffAbsence.__table__), [{
        "id": new_id(), "staff_id": rows[1]["id"], "first_day": off,
        "last_day": off + timedelta(days=2), "reason": "holiday",
        "created_at": now, "updated_at": now}])
    audit.add(s, "demo.fill_staff", "vault", "")
    return len(rows)


def fill_jobs(s: Session, rng: random.Random, now: datetime, contacts: int) -> int:
    """The sample jobs (see the module notes); returns how many timeline entries it
    added."""
    if not contacts:
        return 0
    zone = office_time.zone_in(s)
    now_utc = now.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    today = office_time.to_local(now, zone).date()
    members = list(s.execute(select(StaffMember.id, StaffMember.work_days,
                                    StaffMember.day_start, StaffMember.day_end)
                             .where(StaffMember.active.is_(True))
                             .order_by(StaffMember.name_key)))
    customers = _customers(s)
    if not members or not customers:
        return 0
    absent = {(sid, a + timedelta(days=i)) for sid, a, b in s.execute(
        select(StaffAbsence.staff_id, StaffAbsence.first_day, StaffAbsence.last_day))
        for i in range((b - a).days + 1)}
    per_day = 1 if contacts < 40 else 2 if contacts < 200 else 4
    links = _Links(s)
    currency = business.load_business(s).default_currency or "EUR"
    number = schedule.next_number(s) - 1
    plan = _plan(rng, zone, today, members, absent, per_day)
    jobs: list[dict[str, Any]] = []
    materials: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    docs: list[search_index.Document] = []
    for staff_id, start, minutes in plan:
        number += 1
        customer = rng.choice(customers)
        deal_id, ticket_id = None, None
        roll = rng.random()
        if roll < 0.05 and links.deals:
            deal_id, customer = links.deal(rng, customers)
        elif roll < 0.10 and links.tickets:
            ticket_id, customer = links.ticket(rng, customers)
        org_id, org_name, person_id, address = customer
        title = rng.choice(TITLES)
        job = _job_row(rng, number, title, staff_id, start, minutes, now_utc, customer,
                       zone)
        job.update(deal_id=deal_id, ticket_id=ticket_id)
        if job["status"] == "done" and rng.random() < 0.45:
            lines = _materials(rng, job["id"], currency, now)
            materials += lines
            older = today - office_time.to_local(start, zone).date() > timedelta(days=7)
            if older and rng.random() < 0.55:
                job["invoice_id"] = links.invoice(org_id, start)
        jobs.append(job)
        notes += _timeline(job, org_id, person_id, title)
        docs.append(search_index.Document("job", job["id"], search_index.job_text(
            number, title, address, org_name)))
    for first in range(0, len(jobs), BATCH):
        s.execute(insert(Job.__table__), jobs[first:first + BATCH])
    for first in range(0, len(materials), BATCH):
        s.execute(insert(JobMaterial.__table__), materials[first:first + BATCH])
    for first in range(0, len(notes), BATCH):
        s.execute(insert(Activity.__table__), notes[first:first + BATCH])
    search_index.add_documents(s, docs)
    stored.write_json(s, schedule.COUNTER_KEY, number)
    if stored.read_json(s, schedule.LABOUR_KEY) is None:
        stored.write_json(s, schedule.LABOUR_KEY, {"hourly_rate": HOURLY_RATE,
                                                   "currency": currency})
    audit.add(s, "demo.fill_jobs", "vault", "")
    return len(notes)


# -- inside ----------------------------------------------------------------------------
Customer = tuple[str, str, str | None, str]  # organization id, name, person id, address


def _customers(s: Session) -> list[Customer]:
    rows = s.execute(text(
        "SELECT o.id, o.name, (SELECT p.id FROM person p WHERE p.organization_id = o.id "
        "ORDER BY p.sort_key LIMIT 1), coalesce(a.street, ''), coalesce(a.postal_code, ''), "
        "coalesce(a.city, '') FROM organization o LEFT JOIN postal_address a "
        "ON a.id = (SELECT x.id FROM postal_address x WHERE x.organization_id = o.id "
        "ORDER BY x.position LIMIT 1)")).all()
    restricted = privacy_consent.restricted_among(s, [r[2] for r in rows if r[2]])
    out = []
    for org_id, name, person_id, street, postcode, city in rows:
        lines = [*street.splitlines(), " ".join(p for p in (postcode, city) if p)]
        out.append((org_id, name, None if person_id in restricted else person_id,
                    "\n".join(line for line in lines if line)))
    return out


class _Links:
    """Sample deals, tickets and invoices to link jobs to, by company."""

    def __init__(self, s: Session) -> None:
        self.deals = [tuple(r) for r in s.execute(text(
            "SELECT id, organization_id FROM deal WHERE organization_id IS NOT NULL "
            "AND status != 'lost' ORDER BY id LIMIT 500"))]
        self.tickets = [tuple(r) for r in s.execute(text(
            "SELECT id, organization_id FROM ticket WHERE organization_id IS NOT NULL "
            "ORDER BY number LIMIT 500"))]
        self.invoices: dict[str, list[tuple[date, str]]] = {}
        for iid, org_id, issued in s.execute(text(
                "SELECT id, customer_organization_id, issue_date FROM invoice "
                "WHERE kind = 'invoice' AND customer_organization_id IS NOT NULL")):
            day = issued if isinstance(issued, date) else date.fromisoformat(str(issued)[:10])
            self.invoices.setdefault(org_id, []).append((day, iid))

    def deal(self, rng: random.Random, customers: Sequence[Customer]) -> tuple[str, Customer]:
        deal_id, org_id = rng.choice(self.deals)
        return deal_id, _customer_of(org_id, customers)

    def ticket(self, rng: random.Random,
               customers: Sequence[Customer]) -> tuple[str, Customer]:
        ticket_id, org_id = rng.choice(self.tickets)
        return ticket_id, _customer_of(org_id, customers)

    def invoice(self, org_id: str, start: datetime) -> str | None:
        """The company's invoice issued first on or after the job's day, else its last."""
        found = sorted(self.invoices.get(org_id, ()))
        if not found:
            return None
        return next((iid for day, iid in found if day >= start.date()), found[-1][1])


def _customer_of(org_id: str, customers: Sequence[Customer]) -> Customer:
    return next((c for c in customers if c[0] == org_id), customers[0])


def _plan(rng: random.Random, zone: ZoneInfo, today: date, members: Sequence[Any],
          absent: set[tuple[str, date]], per_day: int) -> list[tuple[str, datetime, int]]:
    """(staff id, start in UTC, minutes) of every visit, each person's day in order."""
    out = []
    for offset in range(-PAST_DAYS, FUTURE_DAYS + 1):
        day = today + timedelta(days=offset)
        for staff_id, work_days, day_start, day_end in members:
            if work_days[day.weekday()] != "1" or (staff_id, day) in absent:
                continue
            clock = datetime.combine(day, time.fromisoformat(day_start))
            closing = datetime.combine(day, time.fromisoformat(day_end))
            for _visit in range(rng.randint(max(1, per_day - 1), per_day)):
                minutes = rng.choice((45, 60, 60, 90, 90, 120))
                if clock + timedelta(minutes=minutes) > closing:
                    break
                out.append((staff_id, office_time.to_utc(clock, zone), minutes))
                clock += timedelta(minutes=minutes + rng.choice((15, 30, 30, 45)))
    return out


def _job_row(rng: random.Random, number: int, title: str, staff_id: str, start: datetime,
             minutes: int, now: datetime, customer: Customer, zone: ZoneInfo
             ) -> dict[str, Any]:
    org_id, _name, person_id, address = customer
    end = start + timedelta(minutes=minutes)
    window_start = start - timedelta(minutes=rng.choice((0, 0, 30, 60)))
    status, started, finished, worked = "scheduled", None, None, None
    if end <= now:
        status = "cancelled" if rng.random() < 0.1 else "done"
    elif start <= now:
        status = "in_progress"
    if status in ("done", "in_progress"):
        started = start + timedelta(minutes=rng.randint(-5, 15))
    if status == "done":
        worked = max(15, minutes + rng.choice((-15, 0, 0, 15, 30)))
        finished = started + timedelta(minutes=worked) if started else end
    created = start - timedelta(days=rng.randint(2, 21))
    job_id = new_id()
    return {
        "id": job_id, "number": number, "title": title, "title_key": sort_key(title),
        "kind": "job", "person_id": person_id, "organization_id": org_id,
        "site_address": address, "window_start": window_start,
        "window_end": window_start + timedelta(hours=3), "scheduled_start": start,
        "duration_minutes": minutes, "assignee_id": staff_id, "status": status,
        "ticket_id": None, "deal_id": None, "invoice_id": None,
        "notes": rng.choice(NOTES),
        "field_notes": rng.choice(FIELD_NOTES) if status == "done" else "",
        "started_at": started, "finished_at": finished, "minutes_worked": worked,
        "ics_uid": f"{job_id}@{schedule.ICS_DOMAIN}",
        "created_at": min(created, now), "updated_at": finished or min(created, now),
    }


def _materials(rng: random.Random, job_id: str, currency: str,
               now: datetime) -> list[dict[str, Any]]:
    out = []
    for position, (description, unit, price) in enumerate(
            rng.sample(MATERIALS, rng.randint(1, 3))):
        out.append({"id": new_id(), "job_id": job_id, "position": position,
                    "product_id": None, "description": description,
                    "quantity": str(rng.choice((1, 1, 2, 3, 4))), "unit": unit,
                    "unit_price_minor": to_minor(Decimal(price), currency),
                    "created_at": now, "updated_at": now})
    return out


def _timeline(job: dict[str, Any], org_id: str, person_id: str | None,
              title: str) -> list[dict[str, Any]]:
    def entry(subject: str, at: datetime) -> dict[str, Any]:
        return {"id": new_id(), "kind": "note", "subject": subject, "body": "",
                "occurred_at": at, "owner": "", "person_id": person_id,
                "organization_id": org_id, "subject_kind": "job", "subject_id": job["id"],
                "created_at": at, "updated_at": at}

    out = [entry(f"Job {job['number']} created: {title}", job["created_at"])]
    if job["status"] == "done":
        out.append(entry(f"Job {job['number']} done: {title} "
                         f"({schedule.duration_text(job['minutes_worked'])})",
                         job["finished_at"]))
    return out
