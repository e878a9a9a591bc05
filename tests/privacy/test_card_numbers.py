"""No card numbers: every family of services that stores free text refuses a payment
card number with the reason, and stores nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from crasme_desktop.domain.validation import CardNumberRefused, InvalidRecord
from crasme_desktop.services import (
    attachments,
    business,
    catalog,
    contacts,
    invoices,
    privacy_consent,
    quotes,
    timeline,
)
from crasme_desktop.services.contacts import AddressDraft, OrganizationDraft, PersonDraft
from crasme_desktop.services.invoices import InvoiceDraft, PaymentDraft, RecurringDraft
from crasme_desktop.services.quotes import LineDraft, QuoteDraft

pytestmark = pytest.mark.promise("no-card-numbers")

CARDS = ("4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005")
REASON = "looks like a payment card number; Crasme Desktop does not store card numbers."


@pytest.fixture
def person(vault):
    business.save_business(vault, business.BusinessSettings(
        name="Seller", address_lines=("Kantstraße 3", "10623 Berlin"), country_code="DE"))
    return contacts.create_person(vault, PersonDraft(given_name="Ann", family_name="Card"))


def refused(action):
    with pytest.raises((CardNumberRefused, InvalidRecord)) as caught:
        action()
    messages = [p.message for p in getattr(caught.value, "problems", ())] or [
        caught.value.message]
    assert any(REASON in m and m.endswith("Remove it and save again.") for m in messages)
    return caught.value


@pytest.mark.parametrize("card", CARDS)
def test_people_and_companies(vault, person, card):
    for field in ("given_name", "family_name", "job_title", "notes", "source"):
        error = refused(lambda f=field: contacts.update_person(
            vault, person.id, PersonDraft(given_name="Ann", **{f: f"x {card} y"})
            if f != "given_name" else PersonDraft(given_name=f"x {card}")))
        assert field in [p.field for p in error.problems]
    refused(lambda: contacts.update_person(vault, person.id, PersonDraft(
        given_name="Ann", addresses=(AddressDraft(street=f"Card {card}"),))))
    refused(lambda: contacts.add_tags(vault, "person", person.id, [card]))
    refused(lambda: contacts.create_organization(vault, OrganizationDraft(
        "Firm", notes=card)))
    assert contacts.get_person(vault, person.id).notes == ""


def test_timeline_and_files(vault, person):
    card = CARDS[0]
    refused(lambda: timeline.add_note(vault, f"card {card}", person_id=person.id))
    refused(lambda: timeline.add_call(vault, subject=card, person_id=person.id))
    entry = timeline.add_note(vault, "fine", person_id=person.id)
    refused(lambda: timeline.update_entry(vault, entry.id, body=card))
    refused(lambda: attachments.add_attachment(
        vault, filename=f"{card}.txt", data=b"x", person_id=person.id))
    assert [e.body for e in timeline.person_timeline(vault, person.id)] == ["fine"]


def test_sales(vault, person):
    card = CARDS[1]
    line = LineDraft("Consulting", Decimal(1), "h", Decimal("90.00"))
    refused(lambda: quotes.save_quote(vault, QuoteDraft(
        customer_person_id=person.id, lines=(LineDraft(card, Decimal(1), "", Decimal(1)),))))
    refused(lambda: quotes.save_quote(vault, QuoteDraft(
        customer_person_id=person.id, lines=(line,), notes=card)))
    refused(lambda: invoices.save_invoice_draft(vault, InvoiceDraft(
        customer_person_id=person.id, lines=(line,), notes=f"paid with {card}")))
    draft = invoices.save_invoice_draft(vault, InvoiceDraft(
        customer_person_id=person.id, lines=(line,)))
    issued = invoices.issue_invoice(vault, draft.id, today=date(2026, 3, 2))
    for payment in (PaymentDraft(date(2026, 3, 3), Decimal(10), issued.currency, note=card),
                    PaymentDraft(date(2026, 3, 3), Decimal(10), issued.currency,
                                 reference=card)):
        refused(lambda p=payment: invoices.record_payment(vault, issued.id, p))
    refused(lambda: invoices.save_recurring(vault, RecurringDraft(
        "monthly", date(2026, 4, 1), (line,), customer_person_id=person.id, notes=card)))
    refused(lambda: catalog.save_product(vault, catalog.ProductDraft(
        "Service", Decimal(5), description=card)))
    assert invoices.get_invoice(vault, issued.id).payments == ()


def test_privacy_records(vault, person):
    refused(lambda: privacy_consent.record_consent(
        vault, person.id, "sms", True, source=CARDS[2]))
    refused(lambda: privacy_consent.restrict(vault, person.id, f"card {CARDS[2]}"))
