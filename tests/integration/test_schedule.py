"""Jobs on a real vault: what a job needs (and the sentences when it is missing), numbers
without gaps, the site address from the customer, status moves from the field, notes and
materials, the invoice draft a finished job becomes, the timeline, search, restriction,
and what erasing or exporting a person does to their jobs."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal as D  # noqa: N817 - short amounts

import pytest
from crasme_desktop.domain.models import Ticket
from crasme_desktop.services import (
    catalog,
    invoices,
    privacy_consent,
    privacy_erase,
    privacy_export,
    schedule,
    search,
    timeline,
)
from crasme_desktop.services.catalog import ProductDraft
from crasme_desktop.services.schedule import JobDraft, MaterialDraft
from tests.support.schedule_data import START, at, job, refused

pytest_plugins = ("tests.support.schedule_fixtures",)  # company, ada, maria, tomasz


@pytest.fixture
def vault(office_vault):
    return office_vault


def test_a_job_is_kept_with_its_times_in_the_office_zone(vault, company, maria):
    made = schedule.create_job(vault, job(company, assignee_id=maria.id, notes="Ring twice"))
    assert made.number == 1 and made.label == "Job 1"
    assert made.status == "scheduled" and made.kind == "job"
    assert made.window_start.replace(tzinfo=None) == at(14, 9)
    assert made.window_start.utcoffset() == timedelta(hours=1)
    assert made.scheduled_start == made.window_start
    assert made.scheduled_end.replace(tzinfo=None) == at(14, 10, 30)
    assert made.window_minutes == 180
    assert made.assignee_name == "Maria Rossi" and made.customer == "Kühnemann Bau"
    assert made.ics_uid == f"{made.id}@crasme-desktop"
    assert schedule.get_job(vault, made.id) == made


def test_the_site_address_is_the_customers_unless_given(vault, company, ada):
    by_company = schedule.create_job(vault, job(company))
    assert by_company.site_address == "Friedrichstraße 123\n10117 Berlin"
    alone = schedule.create_job(vault, job(ada, organization_id=None))
    assert alone.site_address == "Gartenweg 5\n14467 Potsdam"
    assert alone.phone == "+49309876543"
    typed = schedule.create_job(vault, job(company, site_address="Baustelle Nord, Tor 3"))
    assert typed.site_address == "Baustelle Nord, Tor 3"


def test_numbers_have_no_gaps_and_are_never_used_twice(vault, company):
    first = schedule.create_job(vault, job(company))
    second = schedule.create_job(vault, job(company))
    with pytest.raises(schedule.UserError):
        schedule.create_job(vault, job(company, title=""))
    third = schedule.create_job(vault, job(company))
    assert [first.number, second.number, third.number] == [1, 2, 3]
    schedule.delete_job(vault, third.id)
    assert schedule.create_job(vault, job(company)).number == 4
    assert schedule.find_job_by_number(vault, "Job 2") == second.id
    assert schedule.find_job_by_number(vault, 3) is None


@pytest.mark.parametrize(("change", "match"), [
    ({"title": "  "}, "Give the job a title"),
    ({"window_end": at(14, 8)}, "The job ends before it starts"),
    ({"window_end": at(14, 9)}, "The job ends before it starts"),
    ({"window_end": at(30, 9)}, "14 days long at most"),
    ({"window_start": "next monday"}, "is not a date and time"),
    ({"duration_minutes": 0}, "whole number of minutes"),
    ({"duration_minutes": "1.5"}, "whole number of minutes"),
    ({"duration_minutes": "an hour"}, "whole number of minutes"),
    ({"organization_id": None}, "Choose a customer for the job"),
    ({"ticket_id": "nope"}, "That ticket no longer exists"),
    ({"notes": "card 4111 1111 1111 1111"}, "card"),
])
def test_bad_jobs_are_refused_in_one_sentence(vault, company, change, match):
    draft = replace(job(company), **change)
    with pytest.raises(schedule.UserError) as caught:
        schedule.create_job(vault, draft)
    assert match in caught.value.message
    assert schedule.list_jobs(vault).rows == ()


def test_an_appointment_needs_no_customer(vault, maria):
    made = schedule.create_job(vault, JobDraft("Team meeting", at(14, 13), at(14, 14),
                                               duration_minutes=60, kind="appointment",
                                               assignee_id=maria.id))
    assert made.kind == "appointment" and made.customer == "" and made.site_address == ""


def test_a_start_outside_the_window_needs_force(vault, company):
    draft = replace(job(company), scheduled_start=at(14, 13))
    error = refused(schedule.create_job, vault, draft, kind=schedule.ScheduleConflict,
                    match="The planned start 13:00 is outside the agreed window "
                          "(09:00 to 12:00)")
    assert len(error.warnings) == 1
    made = schedule.create_job(vault, draft, force=True)
    assert made.scheduled_start.hour == 13


def test_status_moves_from_the_field(vault, company, maria):
    made = schedule.create_job(vault, job(company, assignee_id=maria.id))
    clock = vault.clock
    assert schedule.set_status(vault, made.id, "on_the_way").status == "on_the_way"
    started = schedule.set_status(vault, made.id, "in_progress")
    assert started.started_at == START
    refused(schedule.set_status, vault, made.id, "scheduled", match="only go on towards done")
    clock.advance(95 * 60)
    done = schedule.finish_job(vault, made.id, field_notes="Replaced the valve.")
    assert done.status == "done"
    assert done.finished_at == START + timedelta(minutes=95)
    assert done.minutes_worked == 95 and done.field_notes == "Replaced the valve."
    refused(schedule.cancel_job, vault, made.id, match="does not change any more")
    assert schedule.set_minutes_worked(vault, made.id, "120").minutes_worked == 120
    refused(schedule.set_minutes_worked, vault, made.id, "0", match="whole number of minutes")


def test_done_without_a_start_counts_the_given_or_planned_time(vault, company):
    one = schedule.create_job(vault, job(company))
    assert schedule.finish_job(vault, one.id).minutes_worked == 90
    two = schedule.create_job(vault, job(company))
    assert schedule.finish_job(vault, two.id, minutes_worked=45).minutes_worked == 45


def test_cancelled_from_anywhere_but_done_and_planned_again(vault, company):
    made = schedule.create_job(vault, job(company))
    schedule.set_status(vault, made.id, "in_progress")
    assert schedule.cancel_job(vault, made.id).status == "cancelled"
    refused(schedule.set_status, vault, made.id, "done", match="schedule it again first")
    again = schedule.set_status(vault, made.id, "scheduled")
    assert again.status == "scheduled" and again.started_at is None


def test_timeline_shows_creation_and_completion(vault, company, ada):
    made = schedule.create_job(vault, job(company, person_id=ada.id))
    schedule.finish_job(vault, made.id, minutes_worked=75)
    subjects = [e.subject for e in timeline.organization_timeline(vault, company.id)]
    assert "Job 1 created: Boiler service" in subjects
    assert "Job 1 done: Boiler service (1 h 15 min)" in subjects
    assert {e.subject_kind for e in timeline.person_timeline(vault, ada.id)} == {"job"}


def test_materials_from_products_and_typed(vault, company):
    valve = catalog.save_product(vault, ProductDraft("Valve", D("12.50"), "EUR", unit="pcs"))
    made = schedule.create_job(vault, job(company))
    line = schedule.add_material(vault, made.id, MaterialDraft(product_id=valve.id,
                                                               quantity="2"))
    assert (line.description, line.unit, line.unit_price, line.quantity) == (
        "Valve", "pcs", D("12.50"), D(2))
    schedule.add_material(vault, made.id, MaterialDraft("Sealing tape", "1.5", "m", "3.20"))
    changed = schedule.update_material(vault, line.id, MaterialDraft(
        product_id=valve.id, quantity="3"))
    assert changed.amount == D("37.50")
    record = schedule.get_job(vault, made.id)
    assert [m.description for m in record.materials] == ["Valve", "Sealing tape"]
    refused(schedule.add_material, vault, made.id, MaterialDraft("Pipe", "0", "m", "1"),
            match="above zero")
    refused(schedule.add_material, vault, made.id, MaterialDraft("Pipe", "1", "m"),
            match="Give the material a price")
    schedule.remove_material(vault, line.id)
    assert len(schedule.get_job(vault, made.id).materials) == 1


def test_a_finished_job_becomes_an_invoice_draft(vault, company, ada):
    rate = catalog.save_product(vault, ProductDraft("Technician hour", D("60.00"), "EUR",
                                                    unit="h"))
    valve = catalog.save_product(vault, ProductDraft("Valve", D("12.50"), "EUR", unit="pcs"))
    made = schedule.create_job(vault, job(company, person_id=ada.id))
    schedule.add_material(vault, made.id, MaterialDraft(product_id=valve.id, quantity="2"))
    refused(schedule.invoice_from_job, vault, made.id, match="not done")
    schedule.finish_job(vault, made.id, minutes_worked=90)
    refused(schedule.invoice_from_job, vault, made.id, match="Set how time is invoiced")
    assert schedule.set_labour_rate(vault, product_id=rate.id).hourly_rate == D("60.00")
    invoice = schedule.invoice_from_job(vault, made.id)
    assert invoice.status == "draft" and invoice.customer_organization_id == company.id
    assert [(x.description, x.quantity, x.unit, x.unit_price) for x in invoice.lines] == [
        ("Labour, Job 1: Boiler service (1 h 30 min)", D("1.5"), "h", D("60.00")),
        ("Valve", D(2), "pcs", D("12.50")),
    ]
    assert invoice.net == D("115.00")
    linked = schedule.get_job(vault, made.id)
    assert linked.invoice_id == invoice.id
    refused(schedule.invoice_from_job, vault, made.id, match="already on an invoice draft")
    refused(schedule.add_material, vault, made.id, MaterialDraft("Pipe", "1", "m", "1"),
            match="already on an invoice")
    subjects = [e.subject for e in timeline.organization_timeline(vault, company.id)]
    assert "Job 1 invoiced (draft)" in subjects
    # Deleting the draft frees the job to be invoiced again.
    invoices.delete_draft(vault, invoice.id)
    assert schedule.get_job(vault, made.id).invoice_id is None


def test_an_hourly_rate_instead_of_a_product(vault, company):
    made = schedule.create_job(vault, job(company))
    schedule.finish_job(vault, made.id, minutes_worked=50)
    refused(schedule.set_labour_rate, vault, hourly_rate="-5", match="above zero")
    schedule.set_labour_rate(vault, hourly_rate="48")
    invoice = schedule.invoice_from_job(vault, made.id)
    [line] = invoice.lines
    assert (line.quantity, line.unit_price) == (D("0.83"), D("48"))


def test_links_to_ticket_and_deal(vault, company):
    with vault.unit_of_work() as uow:
        ticket = Ticket(number=7, subject="Heating broken")
        uow.session.add(ticket)
        uow.session.flush()
        ticket_id = ticket.id
    made = schedule.create_job(vault, job(company, ticket_id=ticket_id))
    assert made.ticket_number == 7


def test_search_finds_jobs_by_number_title_address_and_company(vault, company):
    made = schedule.create_job(vault, job(company, title="Roof inspection",
                                          site_address="Lindenallee 9, Potsdam"))
    for text in ("Job 1", "roof insp", "Lindenallee", "Kühnemann", "1"):
        hits = search.search(vault, text, kinds=["job"]).hits
        assert [h.id for h in hits] == [made.id], text
    [hit] = search.search(vault, "roof", kinds=["job"]).hits
    assert hit.title == "Job 1: Roof inspection"
    assert hit.subtitle == "Kühnemann Bau · scheduled"
    updated = schedule.update_job(vault, made.id, replace(made.draft(), title="Gutter"))
    assert search.search(vault, "roof", kinds=["job"]).empty
    assert search.search(vault, "gutter", kinds=["job"]).hits[0].id == updated.id
    schedule.delete_job(vault, made.id)
    assert search.search(vault, "gutter", kinds=["job"]).empty


def test_a_restricted_person_gets_no_new_jobs(vault, ada):
    earlier = schedule.create_job(vault, job(ada))
    privacy_consent.restrict(vault, ada.id, "Disputes the data")
    refused(schedule.create_job, vault, job(ada), match="restricted")
    refused(schedule.set_field_notes, vault, earlier.id, "x", match="restricted")
    refused(schedule.move_job, vault, earlier.id, start=at(15, 9), assignee_id=None,
            match="restricted")
    refused(schedule.finish_job, vault, earlier.id, match="restricted")
    refused(schedule.invoice_from_job, vault, earlier.id, match="restricted")


def test_a_job_cannot_be_moved_onto_a_restricted_customer(vault, company, ada):
    made = schedule.create_job(vault, job(company))
    privacy_consent.restrict(vault, ada.id, "Disputes the data")
    refused(schedule.update_job, vault, made.id, replace(made.draft(), person_id=ada.id),
            match="restricted")


def test_erasing_a_person_deletes_their_jobs(vault, company, ada, maria):
    own = schedule.create_job(vault, job(ada, organization_id=None, title="Kitchen tap"))
    schedule.add_material(vault, own.id, MaterialDraft("Tap", "1", "pcs", "40"))
    theirs = schedule.create_job(vault, job(company, person_id=ada.id))
    other = schedule.create_job(vault, job(company, title="Other job"))
    preview = privacy_erase.erase_preview(vault, ada.id)
    jobs = next(item for item in preview.deleted if item.kind == "job")
    assert jobs.count == 2
    privacy_erase.erase_person(vault, ada.id, confirmation="Ada Lovelace")
    left = [r.id for r in schedule.list_jobs(vault).rows]
    assert left == [other.id]
    assert own.id not in left and theirs.id not in left
    assert search.search(vault, "kitchen", kinds=["job"]).empty
    with vault.unit_of_work() as uow:
        count = uow.session.execute(schedule.select(schedule.func.count()).select_from(
            schedule.JobMaterial)).scalar()
    assert count == 0


def test_a_persons_export_holds_their_jobs_without_staff_names(vault, tmp_path, ada, maria,
                                                              company):
    mine = schedule.create_job(vault, job(ada, organization_id=None, assignee_id=maria.id,
                                          title="Kitchen tap"))
    schedule.add_material(vault, mine.id, MaterialDraft("Tap", "1", "pcs", "40"))
    schedule.create_job(vault, job(company, title="Someone else's job"))
    out = tmp_path / "ada.zip"
    summary = privacy_export.export_person(vault, ada.id, out)
    assert summary.counts["job"] == 1 and summary.counts["job_material"] == 1
    with zipfile.ZipFile(out) as zf:
        data = zf.read("data/job.json").decode()
    assert "Kitchen tap" in data and "Someone else" not in data
    assert "assignee_id" not in json.dumps(data)


def test_jobs_done_per_person(vault, company, maria, tomasz):
    for who, minutes in ((maria, 60), (maria, 30), (tomasz, 45)):
        made = schedule.create_job(vault, job(company, assignee_id=who.id,
                                              start=at(15, 9)), force=True)
        schedule.finish_job(vault, made.id, minutes_worked=minutes)
    work = schedule.jobs_done_per_person(vault, at(10, 0).date(), at(10, 0).date())
    assert [(w.name, w.jobs, w.minutes) for w in work] == [
        ("Maria Rossi", 2, 90), ("Tomasz Nowak", 1, 45)]
    assert schedule.jobs_done_per_person(vault, at(11, 0).date(), at(12, 0).date()) == []


def test_the_list_pages_by_key(vault, company):
    for hour in range(8, 14):
        schedule.create_job(vault, job(company, start=at(14, hour), title=f"At {hour}"))
    first = schedule.list_jobs(vault, limit=4)
    assert [r.title for r in first.rows] == ["At 8", "At 9", "At 10", "At 11"]
    rest = schedule.list_jobs(vault, after=first.next_after, limit=4)
    assert [r.title for r in rest.rows] == ["At 12", "At 13"] and rest.next_after is None
    today = schedule.list_jobs(vault, schedule.JobFilter(first_day=at(14, 0).date(),
                                                        last_day=at(14, 0).date()))
    assert len(today.rows) == 6
    assert schedule.list_jobs(vault, schedule.JobFilter(
        first_day=at(15, 0).date())).rows == ()


def test_times_are_stored_in_utc(vault, company):
    made = schedule.create_job(vault, job(company))
    with vault.unit_of_work() as uow:
        stored = uow.session.get(schedule.Job, made.id)
        assert stored.window_start == datetime(2026, 12, 14, 8, 0)


def test_a_job_invoiced_from_another_window_meanwhile_takes_back_the_staff_draft(
        vault, company, monkeypatch):
    """Two windows invoice the same job: the later one gives its own draft back even for
    a Staff user, who may make invoices but not delete them."""
    from crasme_desktop.domain.permissions import BUILTIN_ROLE_IDS
    from crasme_desktop.services import invoice_lists, permissions, users

    made = schedule.create_job(vault, job(company))
    schedule.finish_job(vault, made.id, minutes_worked=60)
    schedule.set_labour_rate(vault, hourly_rate="50")
    first = schedule.invoice_from_job(vault, made.id)
    invoices.delete_draft(vault, first.id)  # free again; the Owner may delete
    staff = users.add_user(vault, "Sam Staff", BUILTIN_ROLE_IDS["staff"])
    permissions.act_as(vault, staff.id)
    other_window = {}
    real_save = invoices.save_invoice_draft

    def save_while_another_window_invoices(v, draft):
        if "invoice" not in other_window:  # the other window, first, wins the race
            other_window["invoice"] = None
            other_window["invoice"] = schedule.invoice_from_job(v, made.id)
        return real_save(v, draft)

    monkeypatch.setattr(invoices, "save_invoice_draft", save_while_another_window_invoices)
    refused(schedule.invoice_from_job, vault, made.id, match="from another window meanwhile")
    monkeypatch.undo()
    kept = other_window["invoice"]
    assert schedule.get_job(vault, made.id).invoice_id == kept.id
    assert [r.id for r in invoice_lists.first_invoice_rows(vault)] == [kept.id]
