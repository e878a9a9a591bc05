"""Invoices on a real SQLCipher vault: drafts, issuing with gapless numbers, frozen
issued invoices, payments, credit notes, recurring invoices and the printable document."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal as D  # noqa: N817 - short amounts in tables of cases

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import business, contacts, invoices, quotes, timeline
from crasme_desktop.services.business import BusinessSettings
from crasme_desktop.services.contacts import OrganizationDraft, PersonDraft
from crasme_desktop.services.invoices import InvoiceDraft, PaymentDraft, RecurringDraft
from crasme_desktop.services.quotes import LineDraft
from crasme_desktop.vault import open_vault
from sqlalchemy import exc, text
from tests.support.sentences import assert_one_sentence

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
SELLER = BusinessSettings(
    name="Crasme Studio", address_lines=("Hauptstr. 1", "10115 Berlin"), country_code="DE",
    tax_id="DE136695976", iban="DE89 3704 0044 0532 0130 00", default_currency="EUR",
    payment_terms_days=14, locale="de_DE",
)


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain, clock=FakeClock(START)) as opened:
        yield opened


@pytest.fixture
def seller(vault):
    return business.save_business(vault, SELLER)


@pytest.fixture
def customer(vault):
    return contacts.create_organization(vault, OrganizationDraft("Kühnemann Bau"))


def work(qty="2", price="100.00", discount="0", rate_id=None, description="Consulting"):
    return LineDraft(description, D(qty), "h", D(price), D(discount), rate_id)


def draft(customer, *lines, **more):
    return InvoiceDraft(customer_organization_id=customer.id,
                        lines=lines or (work(),), **more)


def refused(call, *args, match, **kwargs):
    with pytest.raises(UserError) as caught:
        call(*args, **kwargs)
    assert_one_sentence(caught.value.message)
    assert match in caught.value.message, caught.value.message
    return caught.value.message


def test_issuing_numbers_and_freezes_an_invoice(vault, seller, customer):
    saved = invoices.save_invoice_draft(vault, draft(customer))
    assert (saved.status, saved.number, saved.total) == ("draft", "", D("238.00"))
    issued = invoices.issue_invoice(vault, saved.id, today=TODAY)
    second = invoices.issue_invoice(
        vault, invoices.save_invoice_draft(vault, draft(customer)).id, today=TODAY)
    assert (issued.number, second.number) == ("INV-2026-0001", "INV-2026-0002")
    assert issued.status == "issued" and issued.due_date == date(2026, 3, 16)
    assert issued.billing_name == "Kühnemann Bau"
    assert [(t.rate_percent, t.net_amount, t.tax_amount) for t in issued.tax_totals] == [
        (D(19), D("200.00"), D("38.00"))]
    assert invoices.find_invoice_by_number(vault, "inv-2026-0001") == issued.id

    refused(invoices.save_invoice_draft, vault, draft(customer), issued.id,
            match="INV-2026-0001 is issued and can no longer be changed")
    refused(invoices.delete_draft, vault, issued.id, match="can no longer be deleted")
    # A later rename of the customer or the business does not change the issued invoice.
    contacts.update_organization(vault, customer.id, OrganizationDraft("Renamed GmbH")) \
        if hasattr(contacts, "update_organization") else None
    business.save_business(vault, BusinessSettings(**{**SELLER.__dict__, "name": "New name"}))
    doc = invoices.document_for(vault, "invoice", issued.id)
    assert doc.seller.name == "Crasme Studio" and doc.buyer.name == "Kühnemann Bau"
    assert doc.number == "INV-2026-0001" and doc.grand_total == D("238.00")
    assert doc.iban == "DE89 3704 0044 0532 0130 00" and doc.locale == "de_DE"
    entries = timeline.organization_timeline(vault, customer.id)
    assert any(e.subject_kind == "invoice" and "INV-2026-0001 issued" in e.subject
               for e in entries)


def test_sql_cannot_change_an_issued_invoice(vault, seller, customer):
    issued = invoices.issue_invoice(
        vault, invoices.save_invoice_draft(vault, draft(customer)).id, today=TODAY)
    with pytest.raises(exc.DBAPIError, match="cannot be changed"), vault.engine.begin() as conn:
        conn.execute(text("UPDATE invoice SET total_minor = 1 WHERE id = :i"), {"i": issued.id})
    assert invoices.get_invoice(vault, issued.id).total == D("238.00")


def test_issue_refuses_what_is_missing(vault, customer):
    no_business = invoices.save_invoice_draft(vault, draft(customer))
    refused(invoices.issue_invoice, vault, no_business.id,
            match="Add your business name in Settings > Business")
    business.save_business(vault, BusinessSettings(name="Crasme Studio"))
    refused(invoices.issue_invoice, vault, no_business.id,
            match="Add your business address in Settings > Business")
    business.save_business(vault, SELLER)
    for lines, match in (
        ((), "Add at least one line"),
        ((work(qty="0"),), "enter a quantity above zero"),
        ((work(qty="-1"),), "enter a quantity above zero"),
        ((work(description=""),), "Describe what line 1 is for"),
    ):
        bad = invoices.save_invoice_draft(vault, InvoiceDraft(
            customer_organization_id=customer.id, lines=lines))
        refused(invoices.issue_invoice, vault, bad.id, match=match)
    refused(invoices.save_invoice_draft, vault, draft(customer, work(discount="120")),
            match="between 0 and 100")
    refused(invoices.save_invoice_draft, vault, draft(customer, work(price="1.005")),
            match="more decimals than EUR allows")
    # Nothing was numbered by the refusals: the next number is still the first.
    good = invoices.issue_invoice(vault, no_business.id, today=TODAY)
    assert good.number == "INV-2026-0001"


def test_issuing_at_once_from_many_threads_gives_unique_gapless_numbers(vault, seller,
                                                                          customer):
    ids = [invoices.save_invoice_draft(vault, draft(customer)).id for _ in range(24)]
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def issue(chunk):
        try:
            start.wait()
            for invoice_id in chunk:
                invoices.issue_invoice(vault, invoice_id, today=TODAY)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=issue, args=(ids[i::6],)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(invoices.get_invoice(vault, i).number for i in ids)
    assert numbers == [f"INV-2026-{n:04d}" for n in range(1, 25)]


def test_payments_partial_full_currency_and_overpayment(vault, seller, customer):
    inv = invoices.issue_invoice(
        vault, invoices.save_invoice_draft(vault, draft(customer)).id, today=TODAY)
    refused(invoices.record_payment, vault, inv.id, PaymentDraft(TODAY, D(10), "USD"),
            match="record the payment in EUR")
    part = invoices.record_payment(vault, inv.id, PaymentDraft(TODAY, D("100.00"), "EUR"))
    assert (part.status, part.paid, part.open_amount) == ("partly_paid", D("100.00"),
                                                          D("138.00"))
    refused(invoices.record_payment, vault, inv.id, PaymentDraft(TODAY, D("200"), "EUR"),
            match="more than the")
    paid = invoices.record_payment(vault, inv.id, PaymentDraft(TODAY, D("200"), "EUR"),
                                   overpayment="credit")
    assert (paid.status, paid.paid, paid.open_amount) == ("paid", D("238.00"), D("0.00"))
    assert [p.amount for p in paid.payments] == [D("100.00"), D("200.00")]
    with vault.engine.connect() as conn:
        credit = conn.execute(text("SELECT amount_minor, currency FROM customer_credit")).one()
    assert tuple(credit) == (6200, "EUR")


def test_credit_notes_reduce_the_open_amount(vault, seller, customer):
    inv = invoices.issue_invoice(vault, invoices.save_invoice_draft(
        vault, draft(customer, work(qty="1"), work(qty="1", description="Travel"))).id,
        today=TODAY)
    part = invoices.create_credit_note(vault, inv.id, [work(qty="1", description="Travel")],
                                       today=TODAY)
    assert (part.kind, part.number, part.total) == ("credit_note", "CN-2026-0001", D("119.00"))
    after = invoices.get_invoice(vault, inv.id)
    assert (after.credited, after.open_amount, after.status) == (D("119.00"), D("119.00"),
                                                                  "issued")
    assert after.credit_note_ids == (part.id,)
    refused(invoices.create_credit_note, vault, inv.id, [work(qty="2")], match="not yet credited")
    refused(invoices.create_credit_note, vault, inv.id, match="already partly credited")
    rest = invoices.create_credit_note(vault, inv.id, [work(qty="1")], today=TODAY)
    assert (rest.number, rest.total) == ("CN-2026-0002", D("119.00"))
    assert invoices.get_invoice(vault, inv.id).status == "cancelled"
    doc = invoices.document_for(vault, "invoice", part.id)
    assert doc.kind == "credit_note" and doc.reference == "INV-2026-0001"


def test_full_credit_cancels_an_unpaid_invoice(vault, seller, customer):
    inv = invoices.issue_invoice(
        vault, invoices.save_invoice_draft(vault, draft(customer)).id, today=TODAY)
    note = invoices.create_credit_note(vault, inv.id, today=TODAY)
    after = invoices.get_invoice(vault, inv.id)
    assert note.total == D("238.00") and note.credit_of_number == "INV-2026-0001"
    assert (after.status, after.open_amount) == ("cancelled", D("0.00"))


def test_quote_to_invoice_in_one_step(vault, seller, customer):
    quote = quotes.save_quote(vault, quotes.QuoteDraft(
        customer_organization_id=customer.id, lines=(work(),), issue_date=TODAY))
    assert quote.number == "Q-2026-0001" and quote.valid_until == date(2026, 4, 1)
    assert quotes.set_quote_status(vault, quote.id, "sent", today=TODAY).status == "sent"
    assert quotes.get_quote(vault, quote.id, today=date(2026, 4, 2)).status == "expired"
    inv = quotes.quote_to_invoice(vault, quote.id)
    assert (inv.status, inv.quote_id, inv.total) == ("draft", quote.id, D("238.00"))
    assert quotes.get_quote(vault, quote.id).status == "accepted"
    refused(quotes.quote_to_invoice, vault, quote.id, match="already became an invoice")
    doc = invoices.document_for(vault, "quote", quote.id)
    assert doc.kind == "quote" and doc.due_date == date(2026, 4, 1)


def test_recurring_invoices_are_made_once_per_period(vault, seller, customer):
    plan = invoices.save_recurring(vault, RecurringDraft(
        "monthly", date(2026, 1, 31), (work(),), customer_organization_id=customer.id))
    made = invoices.make_due_recurring(vault, date(2026, 3, 30))
    assert sorted(invoices.get_invoice(vault, i).issue_date for i in made) == [
        date(2026, 1, 31), date(2026, 2, 28)]
    assert invoices.make_due_recurring(vault, date(2026, 3, 30)) == []
    more = invoices.make_due_recurring(vault, date(2026, 3, 31))
    assert [invoices.get_invoice(vault, i).issue_date for i in more] == [date(2026, 3, 31)]
    assert invoices.list_recurring(vault)[0].next_date == date(2026, 4, 30)
    assert plan.interval == "monthly"


def test_person_customer_and_tax_inclusive_prices(vault, seller):
    ada = contacts.create_person(vault, PersonDraft("Ada", "Lovelace"))
    inv = invoices.save_invoice_draft(vault, InvoiceDraft(
        customer_person_id=ada.id, prices_include_tax=True, lines=(work("1", "119.00"),)))
    assert (inv.net, inv.tax, inv.total) == (D("100.00"), D("19.00"), D("119.00"))
    assert inv.billing_name == "Ada Lovelace"
