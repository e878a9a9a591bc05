"""A restricted person stays untouched by every path that could change them: merges,
imports that match them, quotes, invoices (draft, issue, recurring plans)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D  # noqa: N817 - short amounts

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import (
    business,
    contacts,
    importing,
    invoices,
    merge,
    privacy_consent,
    quotes,
)
from crasme_desktop.services.business import BusinessSettings
from crasme_desktop.services.contacts import EmailDraft, PersonDraft
from crasme_desktop.services.invoices import InvoiceDraft, RecurringDraft
from crasme_desktop.services.quotes import LineDraft, QuoteDraft
from crasme_desktop.vault import open_vault
from tests.support.sentences import assert_one_sentence

TODAY = date(2028, 3, 1)
LIFT = "lift the restriction on the Privacy page first"


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain,
                    clock=FakeClock(datetime(2028, 3, 1, 9, tzinfo=UTC))) as opened:
        business.save_business(opened, BusinessSettings(
            name="Crasme Studio", address_lines=("Hauptstr. 1", "10115 Berlin"),
            country_code="DE", default_currency="EUR", locale="en_US"))
        yield opened


@pytest.fixture
def ann(vault):
    person = contacts.create_person(vault, PersonDraft(
        given_name="Ann", family_name="Example", emails=(EmailDraft("ann@example.org"),)))
    return person


def restrict(vault, person):
    privacy_consent.restrict(vault, person.id, "She disputes her address")


def refused(call, *args, doing: str, **kwargs) -> None:
    with pytest.raises(UserError) as caught:
        call(*args, **kwargs)
    assert_one_sentence(caught.value.message)
    assert f"cannot be {doing}" in caught.value.message and LIFT in caught.value.message


def line() -> LineDraft:
    return LineDraft("Consulting", D("2"), "h", D("100.00"), D("0"))


def test_a_restricted_person_cannot_be_merged_either_way(vault, ann):
    twin = contacts.create_person(vault, PersonDraft(
        given_name="Ann", family_name="Example", emails=(EmailDraft("ann@work.example"),)))
    restrict(vault, ann)
    refused(merge.merge_people, vault, twin.id, ann.id, doing="merged")
    refused(merge.merge_people, vault, ann.id, twin.id, doing="merged")
    assert contacts.get_person(vault, twin.id).id == twin.id  # both still there
    assert contacts.get_person(vault, ann.id).id == ann.id


def test_an_import_row_matching_a_restricted_person_adds_nothing(vault, ann, tmp_path):
    restrict(vault, ann)
    csv = tmp_path / "people.csv"
    csv.write_text("First Name,Last Name,E-mail Address,Job Title\n"
                   "Ann,Example,ann@example.org,Director\n"
                   "Bea,Other,bea@example.org,Clerk\n", encoding="utf-8")
    plan = importing.plan_import(vault, csv)
    ann_row = next(r for r in plan.rows if r.name.startswith("Ann"))
    assert ann_row.action == importing.SKIP
    assert "restricted" in ann_row.reason and LIFT in ann_row.reason
    importing.commit_import(vault, plan)
    assert contacts.get_person(vault, ann.id).job_title == ""  # untouched
    assert any(p.display_name == "Bea Other" for p in contacts.list_people(vault))


def test_a_restricted_person_gets_no_quote_and_no_invoice(vault, ann):
    draft = invoices.save_invoice_draft(vault, InvoiceDraft(
        customer_person_id=ann.id, lines=(line(),)))
    restrict(vault, ann)
    refused(quotes.save_quote, vault, QuoteDraft(customer_person_id=ann.id, lines=(line(),)),
            doing="quoted")
    refused(invoices.save_invoice_draft, vault,
            InvoiceDraft(customer_person_id=ann.id, lines=(line(),)), doing="invoiced")
    refused(invoices.issue_invoice, vault, draft.id, today=TODAY, doing="invoiced")
    assert invoices.get_invoice(vault, draft.id).status == "draft"
    refused(invoices.save_recurring, vault, RecurringDraft(
        "monthly", TODAY, (line(),), customer_person_id=ann.id, name="Support"),
        doing="invoiced")


def test_a_restricted_customers_plan_waits_until_the_restriction_is_lifted(vault, ann):
    plan = invoices.save_recurring(vault, RecurringDraft(
        "monthly", TODAY, (line(),), customer_person_id=ann.id, name="Support"))
    restrict(vault, ann)
    assert invoices.make_due_recurring(vault, today=TODAY) == []
    assert invoices.get_recurring(vault, plan.id).next_date == TODAY  # nothing skipped
    privacy_consent.lift_restriction(vault, ann.id, "Address confirmed")
    assert len(invoices.make_due_recurring(vault, today=TODAY)) == 1
