"""The invoice views over invoices made by the sales services (draft, issue, partial
payment, credit note): what the list, its totals, the aging, the revenue and the search
show after each step."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D  # noqa: N817 - short amounts

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.services import business, contacts, invoice_lists, invoices, search
from crasme_desktop.services.business import BusinessSettings
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.services.invoice_lists import InvoiceFilter
from crasme_desktop.services.invoices import InvoiceDraft, PaymentDraft
from crasme_desktop.services.quotes import LineDraft
from crasme_desktop.vault import open_vault

ISSUED = date(2026, 3, 2)
SELLER = BusinessSettings(
    name="Crasme Studio", address_lines=("Hauptstr. 1", "10115 Berlin"), country_code="DE",
    tax_id="DE136695976", iban="DE89 3704 0044 0532 0130 00", default_currency="EUR",
    payment_terms_days=14, locale="de_DE",
)


@pytest.fixture
def vault(created, keychain):
    clock = FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    with open_vault(created.path, keychain=keychain, clock=clock) as opened:
        business.save_business(opened, SELLER)
        yield opened


def issue(vault, customer, qty="1"):
    lines = (LineDraft("Consulting", D(qty), "h", D("100.00"), D(0), None),)
    made = invoices.save_invoice_draft(
        vault, InvoiceDraft(customer_organization_id=customer.id, lines=lines))
    return invoices.issue_invoice(vault, made.id, today=ISSUED)


def rows(vault, filt=None, today=ISSUED):
    ids = invoice_lists.ordered_invoice_ids(vault, filt, today=today)
    return invoice_lists.fetch_invoice_rows(vault, ids, today=today)


def test_the_views_follow_issue_payment_and_credit(vault):
    acme = contacts.create_organization(vault, OrganizationDraft("Kühnemann Bau"))
    first = issue(vault, acme, "2")   # 238.00
    second = issue(vault, acme, "1")  # 119.00
    invoices.record_payment(vault, first.id, PaymentDraft(ISSUED, D("38.00"), "EUR"))
    note = invoices.create_credit_note(vault, second.id, today=ISSUED)
    draft = invoices.save_invoice_draft(vault, InvoiceDraft(
        customer_organization_id=acme.id,
        lines=(LineDraft("Travel", D(1), "trip", D("50.00"), D(0), None),)))

    listed = {r.id: r for r in rows(vault)}
    assert set(listed) == {first.id, second.id, note.id, draft.id}
    assert listed[first.id].state == "partly_paid"
    assert (listed[first.id].total, listed[first.id].open) == (D("238.00"), D("200.00"))
    assert listed[second.id].state == "cancelled" and listed[second.id].open == 0
    assert listed[note.id].kind == "credit_note" and listed[note.id].customer == "Kühnemann Bau"
    assert listed[draft.id].number == "" and listed[draft.id].status == "draft"

    # Fifteen days on, the partly paid invoice (due in 14 days) is overdue.
    later = date(2026, 3, 17)
    late = rows(vault, InvoiceFilter(status="overdue"), later)
    assert [r.id for r in late] == [first.id] and late[0].state == "overdue"
    assert rows(vault, InvoiceFilter(status="overdue")) == []
    assert [r.id for r in rows(vault, InvoiceFilter(status="open"))] == [first.id]

    totals = invoice_lists.invoice_totals(vault, InvoiceFilter(status="open"), today=later)
    assert [(t.currency, t.count, t.total, t.open) for t in totals.per_currency] == [
        ("EUR", 1, D("238.00"), D("200.00"))]
    aging = invoice_lists.aging_summary(vault, later)
    assert aging.rows[0].buckets() == (0, D("200.00"), 0, 0, 0)
    assert invoice_lists.aging_summary(vault, ISSUED).rows[0].current == D("200.00")

    # Revenue: both invoices issued, the credit note takes the second back.
    (march,) = invoice_lists.revenue_by_month(vault, date(2026, 3, 1), date(2026, 3, 31))
    assert (march.gross, march.net, march.invoices, march.credit_notes) == (
        D("238.00"), D("200.00"), 2, 1)

    # Search finds them by number and by customer.
    found = search.search(vault, first.number, kinds=["invoice"])
    assert [h.id for h in found.hits][:1] == [first.id]
    by_customer = {h.id for h in search.search(vault, "kuhnemann", kinds=["invoice"]).hits}
    assert by_customer == {first.id, second.id, note.id, draft.id}
    invoices.delete_draft(vault, draft.id)
    assert draft.id not in {h.id for h in search.search(vault, "kuhnemann").hits}
