"""The Recurring tab of the Sales page on a real vault: a plan made in its dialog, its
next run shown, the drafts it makes in the invoice list, edited, paused, resumed and
deleted; and "Repeat…" in the invoice editor starting a plan from an invoice."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from crasme_desktop.services import business, contacts, invoices
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.services.quotes import LineDraft
from crasme_desktop.ui.pages.sales import SalesPage
from crasme_desktop.ui.sales_common import date_text, to_qdate
from crasme_desktop.ui.sales_recurring import DESCRIPTION, PRICE, QUANTITY, RecurringDialog
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import QLocale
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
    return {"rate": rate, "acme": acme}


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
    shown.confirm = lambda _text: True
    shown.recurring.confirm = lambda _text: True
    yield shown
    if shown.editor is not None:
        shown.editor.close_without_asking()
    tasks.invalidate()
    tasks.wait(10_000)
    QLocale.setDefault(usual)
    assert not crashes, crashes


def cell(page, row, column):
    item = page.recurring.table.item(row, column)
    return item.text() if item is not None else None


def test_a_plan_is_made_run_edited_paused_and_deleted(qtbot, page, vault, office):
    page.attach(vault)
    page.tabs.setCurrentWidget(page.recurring)
    qtbot.waitUntil(lambda: "No recurring invoices" in page.recurring.count.text(),
                    timeout=WAIT)
    click(qtbot, page.recurring.new_button)
    dialog = page.recurring.dialog
    assert isinstance(dialog, RecurringDialog) and dialog.isVisible()
    # Without a customer the dialog says what to do.
    click(qtbot, dialog.save_button)
    assert "Choose the customer" in dialog.error.text()
    dialog.customer.pick("organization", office["acme"].id, "Acme Analytics")
    dialog.name.setText("Monthly support")
    dialog.lines.item(0, DESCRIPTION).setText("Support hours")
    dialog.lines.item(0, QUANTITY).setText("4")
    dialog.lines.item(0, PRICE).setText("abc")
    click(qtbot, dialog.save_button)
    assert "Line 1: type the unit price" in dialog.error.text()
    dialog.lines.item(0, PRICE).setText("90")
    start = date.today() - timedelta(days=1)
    dialog.next_date.setDate(to_qdate(start))
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: page.recurring.table.rowCount() == 1, timeout=WAIT)
    assert [cell(page, 0, c) for c in range(8)] == [
        "Monthly support", "Acme Analytics", "Every month", date_text(start), "Never",
        "€428.40", "0", "Active"]
    assert f"next run {date_text(start)}" in page.recurring.count.text()

    # On schedule (after an unlock) the plan makes a draft, shown in the invoice list.
    made = invoices.make_due_recurring(vault)
    assert len(made) == 1
    page.tasks.changed.emit(frozenset({"sales"}))
    qtbot.waitUntil(lambda: cell(page, 0, 6) == "1", timeout=WAIT)
    following = invoices.list_recurring(vault)[0].next_date
    assert cell(page, 0, 3) == date_text(following) and following > start
    page.tabs.setCurrentWidget(page.invoices)
    model = page.invoices.model
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.index(0, 0).data() == "Draft",
                    timeout=WAIT)
    assert model.index(0, 1).data() == "Acme Analytics"
    assert model.index(0, 4).data() == "€428.40"

    # Edit: quarterly, with an end date.
    page.tabs.setCurrentWidget(page.recurring)
    qtbot.waitUntil(lambda: page.recurring.table.rowCount() == 1, timeout=WAIT)
    page.recurring.table.selectRow(0)
    click(qtbot, page.recurring.edit_button)
    dialog = page.recurring.dialog
    assert dialog.customer.text() == "Acme Analytics"
    assert dialog.lines.item(0, DESCRIPTION).text() == "Support hours"
    dialog.interval.setCurrentIndex(dialog.interval.findData("quarterly"))
    dialog.ends.setChecked(True)
    end = following + timedelta(days=400)
    dialog.end_date.setDate(to_qdate(end))
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: cell(page, 0, 2) == "Every quarter", timeout=WAIT)
    assert cell(page, 0, 4) == date_text(end)

    page.recurring.table.selectRow(0)
    assert page.recurring.pause_button.text() == "Pause"
    click(qtbot, page.recurring.pause_button)
    qtbot.waitUntil(lambda: cell(page, 0, 7) == "Paused", timeout=WAIT)
    page.recurring.table.selectRow(0)
    assert page.recurring.pause_button.text() == "Resume"
    click(qtbot, page.recurring.pause_button)
    qtbot.waitUntil(lambda: cell(page, 0, 7) == "Active", timeout=WAIT)

    page.recurring.table.selectRow(0)
    click(qtbot, page.recurring.delete_button)
    qtbot.waitUntil(lambda: page.recurring.table.rowCount() == 0, timeout=WAIT)
    assert invoices.list_recurring(vault) == []
    assert invoices.get_invoice(vault, made[0]).status == "draft"  # the draft stays


def test_repeat_in_the_editor_starts_a_plan_from_an_invoice(qtbot, page, vault, office):
    line = LineDraft("Hosting", Decimal(1), "month", Decimal("49"),
                     tax_rate_id=office["rate"].id)
    invoice = invoices.issue_invoice(vault, invoices.save_invoice_draft(
        vault, invoices.InvoiceDraft(customer_organization_id=office["acme"].id,
                                     lines=(line,))).id)
    page.attach(vault)
    page.open_document("invoice", invoice.id)
    editor = page.editor
    qtbot.waitUntil(lambda: editor.loaded, timeout=WAIT)
    assert editor.repeat_button.isVisible()
    click(qtbot, editor.repeat_button)
    qtbot.waitUntil(lambda: isinstance(editor.child, RecurringDialog), timeout=WAIT)
    dialog = editor.child
    assert dialog.customer.text() == "Acme Analytics"
    assert dialog.lines.item(0, DESCRIPTION).text() == "Hosting"
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: "Recurring tab" in editor.state_line.text(), timeout=WAIT)
    plans = invoices.list_recurring(vault)
    assert len(plans) == 1 and plans[0].total == Decimal("58.31")
    assert plans[0].lines[0].description == "Hosting"
