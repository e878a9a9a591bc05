"""A small office for the privacy export tests: one subject (Alice) with everything a
person can have, a colleague at her company (Bob), another customer (Carla), and a
colleague of the office who owns Alice's record (Olga Owner).

`build_office(vault)` fills a vault through the services and returns an `Office`
with the ids and the strings that must (or must not) appear in Alice's export.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from crasme_desktop.domain.validation_records import (
    AddressDraft,
    EmailDraft,
    OrganizationDraft,
    PersonDraft,
    PhoneDraft,
)
from crasme_desktop.services import (
    attachments,
    business,
    contacts,
    invoices,
    privacy_consent,
    privacy_requests,
    quotes,
    timeline,
)
from crasme_desktop.services.business import BusinessSettings
from crasme_desktop.services.invoices import InvoiceDraft, PaymentDraft
from crasme_desktop.services.quotes import LineDraft, QuoteDraft

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
SELLER = BusinessSettings(
    name="Crasme Studio", address_lines=("Hauptstr. 1", "10115 Berlin"), country_code="DE",
    tax_id="DE136695976", iban="DE89 3704 0044 0532 0130 00", default_currency="EUR",
    payment_terms_days=14, locale="en_GB",
)
COLLEAGUE = "Olga Owner"
ALICE_NOTE = "Prefers mornings. Met Bob Builder and carla.customer@example.org at the fair."


@dataclass(frozen=True)
class Office:
    alice: str
    bob: str
    carla: str
    company: str
    alice_invoice: str
    alice_invoice_number: str
    carla_invoice_number: str
    attachment_bytes: bytes
    #: strings of Alice's that her export must hold
    alice_strings: tuple[str, ...]
    #: strings of other people's that her export must not hold
    others_strings: tuple[str, ...]


def build_office(vault: Any) -> Office:
    business.save_business(vault, SELLER)
    company = contacts.create_organization(vault, OrganizationDraft(
        name="Acme Tools GmbH", website="https://acme.example", tax_id="DE811907980")).id
    alice = contacts.create_person(vault, PersonDraft(
        given_name="Alice", family_name="Wondergem", job_title="Head of Purchasing",
        organization_id=company, owner=COLLEAGUE, source="Trade fair",
        emails=(EmailDraft("alice.wondergem@acme.example", primary=True),),
        phones=(PhoneDraft("+49 30 1234567", primary=True),),
        addresses=(AddressDraft(street="Lindenallee 7", postal_code="10115", city="Berlin",
                                country_code="DE"),),
        tags=("VIP",), notes=ALICE_NOTE)).id
    bob = contacts.create_person(vault, PersonDraft(
        given_name="Bob", family_name="Builder", organization_id=company,
        emails=(EmailDraft("bob.builder@acme.example"),),
        phones=(PhoneDraft("+49 30 7654321"),), notes="Bob's private remark")).id
    carla = contacts.create_person(vault, PersonDraft(
        given_name="Carla", family_name="Customer",
        emails=(EmailDraft("carla.customer@example.org"),),
        addresses=(AddressDraft(street="Rosenweg 99", postal_code="80331", city="München",
                                country_code="DE"),))).id
    timeline.add_note(vault, "Called about the spring order; Bob Builder joined.",
                      person_id=alice, owner=COLLEAGUE)
    meeting = timeline.add_meeting(vault, "Contract review", "Went through clause 4",
                                   person_id=alice, occurred_at=START + timedelta(days=3))
    timeline.add_task(vault, "Send the price list", person_id=alice,
                      due_at=START + timedelta(days=7))
    timeline.add_call(vault, "Follow-up call", "Agreed on delivery", person_id=alice)
    timeline.add_note(vault, "Carla's own timeline note", person_id=carla, owner=COLLEAGUE)
    timeline.add_note(vault, "Bob's own timeline note", person_id=bob)
    timeline.add_note(vault, "A note on the company only", organization_id=company)
    content = b"%PDF-1.4 the signed contract of Alice\n"
    attachments.add_attachment(vault, filename="contract.pdf", data=content,
                               media_type="application/pdf", person_id=alice)
    attachments.add_attachment(vault, filename="minutes.txt", data=b"minutes of the review",
                               activity_id=meeting.id)
    attachments.add_attachment(vault, filename="carla.txt", data=b"carla's file",
                               person_id=carla)
    line = LineDraft("Consulting", Decimal(2), "h", Decimal("120.00"))
    alice_invoice = invoices.save_invoice_draft(vault, InvoiceDraft(
        customer_person_id=alice, lines=(line,), notes="Thank you, Alice")).id
    issued = invoices.issue_invoice(vault, alice_invoice, today=TODAY)
    invoices.record_payment(vault, alice_invoice, PaymentDraft(
        paid_on=TODAY, amount=Decimal("100.00"), currency="EUR", reference="ALICE-REF-1"))
    carla_invoice = invoices.save_invoice_draft(vault, InvoiceDraft(
        customer_person_id=carla, lines=(LineDraft("Training for Carla", Decimal(1), "day",
                                                   Decimal("800.00")),)))
    carla_issued = invoices.issue_invoice(vault, carla_invoice.id, today=TODAY)
    quotes.save_quote(vault, QuoteDraft(customer_person_id=alice, lines=(line,)))
    privacy_consent.record_consent(vault, alice, "newsletter", True, source="web form")
    privacy_requests.open_request(vault, "access", alice)
    return Office(
        alice=alice, bob=bob, carla=carla, company=company, alice_invoice=alice_invoice,
        alice_invoice_number=issued.number or "", carla_invoice_number=carla_issued.number or "",
        attachment_bytes=content,
        alice_strings=("Wondergem", "alice.wondergem@acme.example", "+49301234567",
                       "Lindenallee 7", "Head of Purchasing", "Contract review",
                       "Send the price list", "ALICE-REF-1", "Acme Tools GmbH"),
        others_strings=(COLLEAGUE, "Bob Builder", "bob.builder@acme.example",
                        "carla.customer@example.org", "Rosenweg", "Training for Carla",
                        "Carla's own timeline note", "Bob's private remark",
                        "A note on the company only", "DE811907980", "https://acme.example",
                        "carla's file"),
    )
