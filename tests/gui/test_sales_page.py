"""The Sales page on a real vault: the invoice list with status, open amounts and the
totals line, the overdue filter, credit notes in the list, quotes, products and the
reports tab."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from crasme_desktop.services import business, catalog, contacts, invoices, quotes
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.services.quotes import LineDraft
from crasme_desktop.ui.pages.sales import SalesPage
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import QLocale, Qt
from tests.support.clicks import click

pytest_plugins = ("tests.support.records",)  # the `vault` fixture

WAIT = 20_000


@pytest.fixture
def office(vault):
    business.save_business(vault, business.BusinessSettings(
        name="Crasme Test Office", address_lines=("1 Main Street", "10115 Berlin"),
        country_code="DE", default_currency="EUR", payment_terms_days=14))
    rate = business.save_tax_rate(vault, "Standard", Decimal("19"), is_default=True)
    acme = contacts.create_organization(vault, OrganizationDraft(name="Acme Analytics"))
    globex = contacts.create_organization(vault, OrganizationDraft(name="Globex"))
    return {"rate": rate, "acme": acme, "globex": globex}


def make_invoice(vault, office, customer, price, *, issue=True, issued_on=None, due=None):
    line = LineDraft("Consulting", Decimal(1), "h", Decimal(price),
                     tax_rate_id=office["rate"].id)
    draft = invoices.InvoiceDraft(customer_organization_id=office[customer].id,
                                  issue_date=issued_on, due_date=due, lines=(line,))
    record = invoices.save_invoice_draft(vault, draft)
    if issue:
        record = invoices.issue_invoice(vault, record.id, today=issued_on)
    return record


@pytest.fixture
def page(qtbot, vault):
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    crashes: list[BaseException] = []
    tasks = TaskRunner(report_crash=crashes.append)
    shown = SalesPage(tasks)
    tasks.changed.connect(shown.on_changed)
    qtbot.addWidget(shown)
    shown.resize(1200, 700)
    shown.show()
    yield shown
    if shown.editor is not None:
        shown.editor.close_without_asking()
    tasks.invalidate()
    tasks.wait(10_000)
    QLocale.setDefault(usual)
    assert not crashes, crashes


def rows(page):
    model = page.invoices.model
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def wait_rows(qtbot, page, count):
    qtbot.waitUntil(lambda: page.invoices.model.rowCount() == count
                    and all(r[0] != "Loading…" for r in rows(page)), timeout=WAIT)


def test_the_list_shows_a_partly_paid_invoice_and_its_open_amount(qtbot, page, vault, office):
    invoice = make_invoice(vault, office, "acme", "100")  # 119.00 with tax
    invoices.record_payment(vault, invoice.id, invoices.PaymentDraft(
        paid_on=date.today(), amount=Decimal("19"), currency="EUR"))
    make_invoice(vault, office, "globex", "50", issue=False)
    page.attach(vault)
    wait_rows(qtbot, page, 2)
    by_customer = {r[1]: r for r in rows(page)}
    acme = by_customer["Acme Analytics"]
    assert acme[0] == invoice.number
    assert (acme[4], acme[5], acme[6]) == ("€119.00", "€100.00", "Partly paid")
    assert by_customer["Globex"][0] == "Draft"
    # The totals read every filtered row, so they follow the list.
    qtbot.waitUntil(lambda: page.invoices.totals_line.text().startswith("2 invoices"))
    totals = page.invoices.totals_line.text()
    assert "€178.50" in totals and "€100.00" in totals


def test_the_overdue_filter_shows_only_overdue_invoices(qtbot, page, vault, office):
    long_ago = date.today() - timedelta(days=60)
    late = make_invoice(vault, office, "acme", "10", issued_on=long_ago,
                        due=long_ago + timedelta(days=14))
    make_invoice(vault, office, "globex", "20")
    page.attach(vault)
    wait_rows(qtbot, page, 2)
    page.invoices.set_status_filter("overdue")
    wait_rows(qtbot, page, 1)
    row = rows(page)[0]
    assert row[0] == late.number and row[6] == "Issued · overdue"
    status = page.invoices.model.index(0, 6)
    assert status.data(Qt.ItemDataRole.ForegroundRole).name() == "#b3261e"
    click(qtbot, page.findChild(type(page.new_invoice_button), "clearInvoiceFilters"))
    wait_rows(qtbot, page, 2)


def test_a_credit_note_appears_in_the_list(qtbot, page, vault, office):
    invoice = make_invoice(vault, office, "acme", "100")
    page.attach(vault)
    wait_rows(qtbot, page, 1)
    note = invoices.create_credit_note(vault, invoice.id)
    page.tasks.changed.emit(frozenset({"sales"}))  # as after a write in the app
    wait_rows(qtbot, page, 2)
    numbers = [r[0] for r in rows(page)]
    assert f"{note.number} (credit note)" in numbers


def test_enter_opens_the_invoice_read_only(qtbot, page, vault, office):
    invoice = make_invoice(vault, office, "acme", "100")
    page.attach(vault)
    wait_rows(qtbot, page, 1)
    page.invoices.table.setFocus()
    page.invoices.table.setCurrentIndex(page.invoices.model.index(0, 0))
    qtbot.keyClick(page.invoices.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.editor is not None and page.editor.loaded, timeout=WAIT)
    assert page.editor.record.id == invoice.id and not page.editor.editable


def test_ctrl_n_starts_a_new_invoice(qtbot, page, vault, office):
    page.attach(vault)
    page.invoices.table.setFocus()
    qtbot.keyClick(page.invoices.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.editor is not None and page.editor.loaded, timeout=WAIT)
    assert page.editor.kind == "invoice" and page.editor.record is None


def test_quotes_and_products_tabs_list_their_records(qtbot, page, vault, office):
    line = LineDraft("Audit", Decimal(2), "day", Decimal("800"), tax_rate_id=office["rate"].id)
    quote = quotes.save_quote(vault, quotes.QuoteDraft(
        customer_organization_id=office["acme"].id, lines=(line,)))
    catalog.save_product(vault, catalog.ProductDraft(name="Audit day", unit_price=Decimal("800"),
                                                     unit="day"))
    page.attach(vault)
    page.tabs.setCurrentWidget(page.quotes)
    qtbot.waitUntil(lambda: page.quotes.model.complete
                    and page.quotes.model.rowCount() == 1, timeout=WAIT)
    model = page.quotes.model
    assert model.index(0, 0).data() == quote.number
    assert model.index(0, 4).data() == "€1,904.00"
    page.tabs.setCurrentWidget(page.products)
    qtbot.waitUntil(lambda: page.products.table.rowCount() == 1, timeout=WAIT)
    assert page.products.table.item(0, 2).text() == "€800.00"
    page.products.ask_product = lambda product: {
        "id": None, "name": "Travel", "description": "", "unit": "km",
        "unit_price": Decimal("0.30"), "currency": "EUR", "tax_rate_id": office["rate"].id}
    click(qtbot, page.products.add_button)
    qtbot.waitUntil(lambda: page.products.table.rowCount() == 2, timeout=WAIT)


def test_the_reports_tab_shows_aging_and_revenue(qtbot, page, vault, office):
    long_ago = date.today() - timedelta(days=45)
    make_invoice(vault, office, "acme", "100", issued_on=long_ago,
                 due=long_ago + timedelta(days=10))
    page.attach(vault)
    page.tabs.setCurrentWidget(page.reports)
    qtbot.waitUntil(lambda: page.reports.aging.rowCount() == 1, timeout=WAIT)
    assert page.reports.aging.item(0, 0).text() == "EUR"
    assert page.reports.aging.item(0, 3).text() == "€119.00"  # 31-60 days late
    assert page.reports.revenue.rowCount() >= 1


def test_the_quote_list_pages_by_key_beyond_its_first_rows(qtbot, page, vault, office):
    """More quotes than one batch: the first rows come from the index, then every id;
    rows further down are read as they scroll into view."""
    from crasme_desktop.ui.pages.sales import BATCH

    line = LineDraft("Audit", Decimal(1), "day", Decimal("800"), tax_rate_id=office["rate"].id)
    total = BATCH * 2 + 15
    for n in range(total):
        quotes.save_quote(vault, quotes.QuoteDraft(
            customer_organization_id=office["acme" if n % 2 else "globex"].id, lines=(line,),
            issue_date=date.today() - timedelta(days=n)))
    page.attach(vault)
    page.tabs.setCurrentWidget(page.quotes)
    model = page.quotes.model
    qtbot.waitUntil(lambda: model.complete and model.rowCount() == total, timeout=WAIT)
    assert page.quotes.count.text() == f"{total} quotes"
    last = model.index(total - 1, 2)
    model.data(last)  # asks for the last batch, as painting it would
    oldest = date.today() - timedelta(days=total - 1)
    qtbot.waitUntil(lambda: model.index(total - 1, 2).data() not in ("", "Loading…", None),
                    timeout=WAIT)
    from crasme_desktop.ui.sales_common import date_text

    assert model.index(total - 1, 2).data() == date_text(oldest)
    page.quotes.status.setCurrentIndex(page.quotes.status.findData("declined"))
    page.quotes.status.activated.emit(page.quotes.status.currentIndex())
    qtbot.waitUntil(lambda: model.complete and model.rowCount() == 0, timeout=WAIT)
    assert "No quotes match" in page.quotes.count.text()
