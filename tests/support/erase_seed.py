"""A person with data in every corner of the vault, for the erase tests.

Wilhelmina Quxbridge has emails, phones, an address, tags, a note, timeline entries
with an attachment, a merged duplicate (so a merge snapshot), consents, a quote, a
draft invoice, an issued and paid invoice (kept), and search entries. Her colleague
Bartholomew Fenwick (another person, whose name differs in every 5 characters) must
survive her erase untouched. The values are spelled out here so that the page scan
knows what to look for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from crasme_desktop.services import (
    attachments,
    business,
    contacts,
    invoices,
    merge,
    privacy_consent,
    quotes,
    timeline,
)
from crasme_desktop.services.contacts import (
    AddressDraft,
    EmailDraft,
    OrganizationDraft,
    PersonDraft,
    PhoneDraft,
)
from crasme_desktop.services.invoices import InvoiceDraft, PaymentDraft
from crasme_desktop.services.quotes import LineDraft, QuoteDraft

GIVEN, FAMILY = "Wilhelmina", "Quxbridge"
DISPLAY = f"{GIVEN} {FAMILY}"
EMAILS = ("wilhelmina.qux@vozzlethorp.example", "w.quxbridge@oldbox.example")
PHONES = ("+49 30 4179 2263", "+49 171 5558 2904")
DUPLICATE_GIVEN = "Wilhelmina Augusta"
COLLEAGUE = ("Bartholomew", "Fenwick", "bart@fenwickery.example", "+33 1 88 77 66 55")
ISSUED_ON = date(2026, 3, 2)


@dataclass(frozen=True)
class Seeded:
    person_id: str
    colleague_id: str
    company_id: str
    kept_invoice_id: str
    kept_number: str
    draft_id: str
    quote_id: str

    @property
    def names_emails_phones(self) -> list[str]:
        """Every name, email and phone number of the erased person, as typed and stored."""
        e164 = [p.replace(" ", "") for p in PHONES]
        return [GIVEN, FAMILY, DISPLAY, DUPLICATE_GIVEN, *EMAILS, *PHONES, *e164]

    @property
    def colleague_values(self) -> list[str]:
        given, family, mail, phone = COLLEAGUE
        return [given, family, f"{given} {family}", mail, phone, phone.replace(" ", "")]


def seed(vault, *, paid: bool = True) -> Seeded:  # type: ignore[no-untyped-def]
    business.save_business(vault, business.BusinessSettings(
        name="Scan Seller GmbH", address_lines=("Kantstraße 3", "10623 Berlin"),
        country_code="DE", iban="DE89370400440532013000"))
    company = contacts.create_organization(vault, OrganizationDraft("Orbital Anvils AG"))
    given, family, mail, phone = COLLEAGUE
    colleague = contacts.create_person(vault, PersonDraft(
        given, family, job_title="Account manager", organization_id=company.id,
        emails=(EmailDraft(mail),), phones=(PhoneDraft(phone),), notes="Handles the north."))
    person = contacts.create_person(vault, PersonDraft(
        GIVEN, FAMILY, job_title="Buyer",
        emails=(EmailDraft(EMAILS[0], primary=True),),
        phones=(PhoneDraft(PHONES[0]),),
        addresses=(AddressDraft("billing", "Zolterweg 7", "10115", "Berlin", "", "DE"),),
        tags=("VIP",), owner=f"{given} {family}",
        notes=f"{GIVEN} prefers calls before noon."))
    duplicate = contacts.create_person(vault, PersonDraft(
        DUPLICATE_GIVEN, FAMILY, emails=(EmailDraft(EMAILS[1]),),
        phones=(PhoneDraft(PHONES[1], "mobile"),), notes=f"Met {DUPLICATE_GIVEN} at a fair."))
    merge.merge_people(vault, person.id, duplicate.id,
                       {"given_name": "keep", "display_name": "keep", "notes": "both"})
    # Bartholomew's company and his own notes name him as owner of a company record;
    # Wilhelmina is named as the owner of the company (to be cleared by the erase).
    contacts.update_organization(vault, company.id, OrganizationDraft(
        "Orbital Anvils AG", owner=DISPLAY))
    entry = timeline.add_note(vault, f"Called {DISPLAY} about the order.", person_id=person.id)
    attachments.add_attachment(vault, filename="passport-wilhelmina.txt",
                               data=f"Passport of {DISPLAY}, {EMAILS[0]}".encode(),
                               activity_id=entry.id)
    attachments.add_attachment(vault, filename="card.txt",
                               data=f"{DISPLAY} {PHONES[0]}".encode(), person_id=person.id)
    timeline.add_call(vault, subject="Weekly call", body="Talked with Bartholomew.",
                      person_id=colleague.id)
    privacy_consent.record_consent(vault, person.id, "newsletter", True, source="web form")
    privacy_consent.record_consent(vault, person.id, "newsletter", False, source="phone call")
    line = (LineDraft("Anvil polishing", Decimal(2), "h", Decimal("90.00")),)
    quote = quotes.save_quote(vault, QuoteDraft(customer_person_id=person.id, lines=line))
    kept = invoices.save_invoice_draft(vault, InvoiceDraft(customer_person_id=person.id,
                                                           lines=line))
    issued = invoices.issue_invoice(vault, kept.id, today=ISSUED_ON)
    if paid:
        invoices.record_payment(vault, kept.id, PaymentDraft(
            ISSUED_ON, issued.total, issued.currency))
    draft = invoices.save_invoice_draft(vault, InvoiceDraft(customer_person_id=person.id,
                                                            lines=line))
    return Seeded(person.id, colleague.id, company.id, kept.id, issued.number or "",
                  draft.id, quote.id)
