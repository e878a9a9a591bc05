"""Quotes and invoices sent as real PDFs to a real SMTP server (aiosmtpd on 127.0.0.1),
logged on the customer's timeline, with nothing of the message text in the audit trail."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.validation_records import EmailDraft
from crasme_desktop.services import business, contacts, invoices, mailing, quotes, timeline
from crasme_desktop.services.contacts import OrganizationDraft, PersonDraft
from crasme_desktop.services.mailing import MailSettings
from crasme_desktop.vault import open_vault
from sqlalchemy import text
from tests.support.sentences import assert_one_sentence
from tests.support.smtp_server import TlsFiles, make_tls_files, running_smtp_server

USER, PASSWORD = "office@example.org", "Pa55word"
BODY_MARK = "Private remark 7f3a: only for the customer"



@pytest.fixture
def vault(created, keychain) -> Iterator:
    with open_vault(created.path, keychain=keychain) as opened:
        yield opened


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def customer(vault):
    business.save_business(vault, business.BusinessSettings(
        name="Kühn Büro GmbH", address_lines=("Hauptstraße 1", "10115 Berlin"),
        country_code="DE", email="office@example.org", iban="DE89370400440532013000",
        default_currency="EUR",
    ))
    org = contacts.create_organization(vault, OrganizationDraft("Schmidt Bau AG"))
    person = contacts.create_person(vault, PersonDraft(
        "Anna", "Schmidt", organization_id=org.id,
        emails=(EmailDraft("anna.private@example.net", kind="home"),
                EmailDraft("anna@schmidt-bau.example", primary=True)),
    ))
    return person


@pytest.fixture
def server(vault, tls) -> Iterator:
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as running:
        mailing.save_mail_settings(vault, MailSettings(
            running.host, running.port, "starttls", USER, "office@example.org",
            "Kühn Büro GmbH", str(tls.ca_file)), PASSWORD)
        yield running


def a_quote(vault, customer):
    return quotes.save_quote(vault, quotes.QuoteDraft(
        customer_person_id=customer.id,
        lines=(quotes.LineDraft("Garden design", Decimal("12"), "h", Decimal("85.50")),),
    ))


def pdf_text(data: bytes, folder: Path, pdftotext: str) -> str:
    path = folder / "received.pdf"
    path.write_bytes(data)
    return subprocess.run([pdftotext, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_a_quote_arrives_as_a_pdf_and_is_noted_on_the_timeline(
        vault, customer, server, tmp_path, pdftotext):
    quote = a_quote(vault, customer)
    draft = mailing.prepare_email(vault, "quote", quote.id, "de_DE")
    assert draft.recipients[0] == "anna@schmidt-bau.example"  # the main address first
    assert "anna.private@example.net" in draft.recipients
    assert draft.number == quote.number
    assert draft.attachment_name == f"Quote {quote.number}.pdf"
    assert draft.amount == quote.total
    assert "€" in draft.amount_text and "," in draft.amount_text  # German writing
    assert draft.business_name == "Kühn Büro GmbH"
    assert draft.mail_ready and not draft.password_needed

    sent = mailing.send_document(vault, "quote", quote.id, draft.recipients[0],
                                 f"Quote {quote.number}", f"Hello Anna,\n\n{BODY_MARK}\n")
    [received] = server.messages
    message = received.message
    assert message["Subject"] == f"Quote {quote.number}"
    assert message["To"] == "anna@schmidt-bau.example"
    assert message["From"].addresses[0].addr_spec == "office@example.org"
    assert BODY_MARK in message.get_body(("plain",)).get_content()
    [(name, content_type, data)] = received.attachments()
    assert (name, content_type) == (f"Quote {quote.number}.pdf", "application/pdf")
    assert data.startswith(b"%PDF")
    assert quote.number in pdf_text(data, tmp_path, pdftotext)

    entry = timeline.get_entry(vault, sent.timeline_entry_id)
    assert entry.kind == "email"
    assert (entry.subject_kind, entry.subject_id) == ("quote", quote.id)
    assert entry.person_id == customer.id
    assert entry.subject == f"Quote {quote.number}"
    assert "anna@schmidt-bau.example" in entry.body and BODY_MARK not in entry.body
    assert quotes.get_quote(vault, quote.id).status == "sent"
    with vault.unit_of_work() as uow:
        audit_rows = uow.session.execute(text("SELECT * FROM audit_event")).all()
    assert audit_rows and all(BODY_MARK not in repr(row) for row in audit_rows)
    assert all("Hello Anna" not in repr(row) for row in audit_rows)


def test_a_failed_send_leaves_no_timeline_entry(vault, customer, server):
    quote = a_quote(vault, customer)
    mailing.save_mail_settings(vault, mailing.get_mail_settings(vault), "wrong password")
    with pytest.raises(UserError) as caught:
        mailing.send_document(vault, "quote", quote.id, "anna@schmidt-bau.example", "Quote",
                              "Hello")
    assert_one_sentence(caught.value.message)
    assert "user name or password" in caught.value.message
    assert server.messages == []
    emails = [e for e in timeline.subject_timeline(vault, "quote", quote.id)
              if e.kind == "email"]
    assert emails == []
    assert quotes.get_quote(vault, quote.id).status == "draft"


def test_prepare_without_mail_settings_says_so_in_the_draft(vault, customer):
    quote = a_quote(vault, customer)
    draft = mailing.prepare_email(vault, "quote", quote.id, "C")  # a system without a locale
    assert not draft.mail_ready
    assert draft.amount_text.startswith("€")  # written the en_US way
    with pytest.raises(UserError) as caught:
        mailing.send_document(vault, "quote", quote.id, "anna@schmidt-bau.example", "Quote",
                              "Hello")
    assert "Set up email first" in caught.value.message


def an_invoice(vault, customer, *, issue=True):
    draft = invoices.save_invoice_draft(vault, invoices.InvoiceDraft(
        customer_organization_id=customer.organization_id,
        lines=(quotes.LineDraft("Site visit", Decimal("2"), "day", Decimal("640")),
               quotes.LineDraft("Travel", Decimal("1"), "pcs", Decimal("45.20"))),
    ))
    return invoices.issue_invoice(vault, draft.id) if issue else draft


def test_an_issued_invoice_arrives_as_its_pdf_with_the_open_amount(
        vault, customer, server, tmp_path, pdftotext):
    invoice = an_invoice(vault, customer)
    invoices.record_payment(vault, invoice.id, invoices.PaymentDraft(
        date.today(), Decimal("100"), "EUR"))
    draft = mailing.prepare_email(vault, "invoice", invoice.id, "en_US")
    # A company customer: the addresses of its people, the main one first.
    assert draft.recipients[:2] == ("anna@schmidt-bau.example", "anna.private@example.net")
    assert draft.kind == "invoice" and draft.number == invoice.number
    assert draft.amount == invoice.total - Decimal("100")
    assert draft.due_date is not None
    assert draft.attachment_name == f"Invoice {invoice.number}.pdf"

    sent = mailing.send_document(vault, "invoice", invoice.id,
                                 "anna@schmidt-bau.example, accounts@schmidt-bau.example",
                                 f"Invoice {invoice.number}", BODY_MARK)
    [received] = server.messages
    assert set(received.rcpt_tos) == {"anna@schmidt-bau.example", "accounts@schmidt-bau.example"}
    [(name, _type, data)] = received.attachments()
    assert name == f"Invoice {invoice.number}.pdf"
    assert data.startswith(b"%PDF")
    assert invoice.number in pdf_text(data, tmp_path, pdftotext)
    entry = timeline.get_entry(vault, sent.timeline_entry_id)
    assert (entry.kind, entry.subject_kind, entry.subject_id) == ("email", "invoice", invoice.id)
    assert entry.organization_id == customer.organization_id
    assert "accounts@schmidt-bau.example" in entry.body and BODY_MARK not in entry.body
    on_company = contacts_timeline(vault, customer.organization_id)
    assert sent.timeline_entry_id in on_company


def test_a_credit_note_goes_under_its_own_name(vault, customer, server, tmp_path, pdftotext):
    invoice = an_invoice(vault, customer)
    credit = invoices.create_credit_note(vault, invoice.id)
    draft = mailing.prepare_email(vault, "invoice", credit.id)
    assert draft.kind == "credit_note"
    assert draft.attachment_name == f"Credit note {credit.number}.pdf"
    mailing.send_document(vault, "invoice", credit.id, "anna@schmidt-bau.example",
                          f"Credit note {credit.number}", "Hello")
    [(name, _type, data)] = server.messages[0].attachments()
    assert name == f"Credit note {credit.number}.pdf"
    assert credit.number in pdf_text(data, tmp_path, pdftotext)


def test_a_draft_invoice_cannot_be_sent(vault, customer, server):
    draft = an_invoice(vault, customer, issue=False)
    for call in (lambda: mailing.prepare_email(vault, "invoice", draft.id),
                 lambda: mailing.send_document(vault, "invoice", draft.id,
                                               "anna@schmidt-bau.example", "Invoice", "Hi")):
        with pytest.raises(UserError) as caught:
            call()
        assert "Issue this invoice before you send it" in caught.value.message
        assert_one_sentence(caught.value.message)
    assert server.messages == []


def contacts_timeline(vault, organization_id) -> set[str]:
    return {e.id for e in timeline.organization_timeline(vault, organization_id)}
