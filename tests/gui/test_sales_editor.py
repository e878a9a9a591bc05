"""The quote and invoice editor on a real vault: live totals per tax rate, issuing
(number, read-only), a partial payment, a payment from the customer's credit, the line
grid's keys, quotes that become invoices, full and partial credit notes and the PDF."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal

import pytest
from crasme_desktop.services import business, catalog, contacts
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.ui.payment_dialog import PaymentDialog
from crasme_desktop.ui.sales_credit_dialog import CreditNoteDialog
from crasme_desktop.ui.sales_editor import DESCRIPTION, PRICE, QUANTITY, TAX, SalesEditor
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QDialogButtonBox
from tests.support.clicks import click

pytest_plugins = ("tests.support.records",)  # the `vault` and `runner` fixtures

WAIT = 20_000


@pytest.fixture(autouse=True)
def us_english():
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(usual)


@pytest.fixture
def office(vault):
    """A business that may issue invoices, two tax rates and a customer company."""
    business.save_business(vault, business.BusinessSettings(
        name="Crasme Test Office", address_lines=("1 Main Street", "10115 Berlin"),
        country_code="DE", default_currency="EUR", payment_terms_days=14))
    standard = business.save_tax_rate(vault, "Standard", Decimal("19"), is_default=True)
    reduced = business.save_tax_rate(vault, "Reduced", Decimal("7"))
    acme = contacts.create_organization(vault, OrganizationDraft(name="Acme Analytics"))
    return {"standard": standard, "reduced": reduced, "acme": acme}


@pytest.fixture
def open_editor(qtbot, runner, vault):
    made = []

    def make(kind="invoice", record_id=None):
        editor = SalesEditor(runner, vault, kind, record_id)
        editor.asked = []
        editor.confirm = lambda text: editor.asked.append(text) or True
        qtbot.addWidget(editor)
        editor.show()
        qtbot.waitUntil(lambda: editor.loaded, timeout=WAIT)
        made.append(editor)
        return editor

    yield make
    for editor in made:
        editor.close_without_asking()


def type_line(editor, row, description, quantity, price, rate_id):
    editor.lines.item(row, DESCRIPTION).setText(description)
    editor.lines.item(row, QUANTITY).setText(quantity)
    editor.lines.item(row, PRICE).setText(price)
    combo = editor.lines.cellWidget(row, TAX)
    combo.setCurrentIndex(combo.findData(rate_id))


def two_line_invoice(editor, office):
    editor.customer.pick("organization", office["acme"].id, "Acme Analytics")
    type_line(editor, 0, "Consulting", "2", "100", office["standard"].id)
    row = editor.add_line()
    type_line(editor, row, "Handbook", "3", "10.50", office["reduced"].id)


def test_two_lines_show_live_totals_per_tax_rate(qtbot, office, open_editor):
    editor = open_editor()
    two_line_invoice(editor, office)
    assert editor.lines.item(0, 6).text() == "€200.00"
    assert editor.lines.item(1, 6).text() == "€31.50"
    assert editor.net_total.text() == "€231.50"
    assert editor.tax_lines.text() == "€2.21\n€38.00"  # 7 % of 31.50, 19 % of 200
    assert editor.grand_total.text() == "€271.71"
    editor.lines.item(1, QUANTITY).setText("4")
    assert editor.grand_total.text() == "€282.94"  # 7 % of 42.00 is 2.94
    editor.lines.item(1, QUANTITY).setText("four")
    assert "Line 2" in editor.lines_error.text()
    assert editor.grand_total.text() == "€238.00"  # the unreadable line is left out


def test_delete_key_removes_the_current_line_and_lines_reorder(qtbot, office, open_editor):
    editor = open_editor()
    two_line_invoice(editor, office)
    editor.lines.setCurrentCell(0, DESCRIPTION)
    click(qtbot, editor.down_button)
    assert [editor.lines.item(r, DESCRIPTION).text() for r in range(2)] == [
        "Handbook", "Consulting"]
    assert editor.lines.cellWidget(1, TAX).currentData() == office["standard"].id
    editor.lines.setFocus()
    editor.lines.setCurrentCell(0, DESCRIPTION)
    qtbot.keyClick(editor.lines, Qt.Key.Key_Delete)
    assert editor.lines.rowCount() == 1
    assert editor.lines.item(0, DESCRIPTION).text() == "Consulting"
    assert editor.grand_total.text() == "€238.00"


def test_a_product_fills_a_line(qtbot, office, open_editor, vault):
    catalog.save_product(vault, catalog.ProductDraft(
        name="Workshop day", unit_price=Decimal("850"), unit="day",
        tax_rate_id=office["reduced"].id))
    editor = open_editor()
    editor.product.setCurrentIndex(1)
    editor.product.activated.emit(1)
    assert editor.lines.rowCount() == 1  # the empty first line was replaced
    assert editor.lines.item(0, DESCRIPTION).text() == "Workshop day"
    assert editor.lines.item(0, 2).text() == "day"
    assert editor.lines.cellWidget(0, TAX).currentData() == office["reduced"].id
    assert editor.grand_total.text() == "€909.50"


def test_an_invoice_without_customer_is_not_saved(qtbot, office, open_editor):
    editor = open_editor()
    type_line(editor, 0, "Consulting", "1", "10", office["standard"].id)
    click(qtbot, editor.save_button)
    assert "customer" in editor.customer_error.text()
    assert editor.record is None


def issued_invoice(qtbot, office, open_editor):
    editor = open_editor()
    two_line_invoice(editor, office)
    click(qtbot, editor.issue_button)
    qtbot.waitUntil(lambda: editor.record is not None and bool(editor.record.number),
                    timeout=WAIT)
    return editor


def test_issuing_gives_a_number_and_makes_the_invoice_read_only(qtbot, office, open_editor):
    editor = issued_invoice(qtbot, office, open_editor)
    assert "can no longer be changed" in editor.asked[0]
    year = date.today().year
    assert editor.record.number.startswith(f"INV-{year}") or str(year) in editor.record.number
    assert editor.record.number in editor.heading.text()
    assert not editor.editable
    assert not editor.save_button.isVisible() and not editor.issue_button.isVisible()
    assert editor.payment_button.isVisible() and editor.credit_button.isVisible()
    assert editor.customer.isEnabled() is False
    assert editor.lines.editTriggers() == editor.lines.EditTrigger.NoEditTriggers
    assert editor.open_total.text() == "€271.71"


def test_a_partial_payment_leaves_the_invoice_partly_paid(qtbot, office, open_editor, vault):
    editor = issued_invoice(qtbot, office, open_editor)
    editor.ask_payment = lambda record: ({
        "paid_on": date.today(), "amount": Decimal("100"), "currency": "EUR",
        "method": "bank_transfer", "reference": "SEPA 42", "note": ""}, "refuse")
    click(qtbot, editor.payment_button)
    qtbot.waitUntil(lambda: editor.record.status == "partly_paid", timeout=WAIT)
    assert "Partly paid" in editor.state_line.text()
    assert editor.open_total.text() == "€171.71"
    assert editor.paid_total.text() == "€100.00"
    assert "SEPA 42" in editor.payments.text()


def test_an_accepted_quote_becomes_an_invoice(qtbot, office, open_editor):
    editor = open_editor("quote")
    two_line_invoice(editor, office)
    click(qtbot, editor.save_button)
    qtbot.waitUntil(lambda: editor.record is not None, timeout=WAIT)
    assert editor.record.number  # quotes are numbered when saved
    click(qtbot, editor.accepted_button)
    qtbot.waitUntil(lambda: editor.record.status == "accepted", timeout=WAIT)
    with qtbot.waitSignal(editor.open_other, timeout=WAIT) as opened:
        click(qtbot, editor.to_invoice_button)
    assert opened.args[0] == "invoice"
    invoice = open_editor("invoice", opened.args[1])
    assert invoice.editable  # a draft
    assert invoice.customer.text() == "Acme Analytics"
    assert invoice.lines.rowCount() == 2
    assert invoice.grand_total.text() == "€271.71"


def test_a_credit_note_is_made_from_an_issued_invoice(qtbot, office, open_editor):
    editor = issued_invoice(qtbot, office, open_editor)
    click(qtbot, editor.credit_button)
    qtbot.waitUntil(lambda: isinstance(editor.child, CreditNoteDialog), timeout=WAIT)
    dialog = editor.child
    # Everything left is ticked to start with: a full credit note.
    assert dialog.total.text() == "Credit note: €231.50 before tax"
    with qtbot.waitSignal(editor.open_other, timeout=WAIT) as opened:
        click(qtbot, dialog.ok_button)
    note = open_editor("invoice", opened.args[1])
    assert note.record.kind == "credit_note"
    assert "Credit note" in note.heading.text()
    assert not note.editable and not note.payment_button.isVisible()
    assert note.record.total == Decimal("271.71")


def test_a_partial_credit_note_takes_some_lines_and_part_of_one(qtbot, office, open_editor,
                                                                 vault):
    from crasme_desktop.services import invoices

    editor = issued_invoice(qtbot, office, open_editor)
    click(qtbot, editor.credit_button)
    qtbot.waitUntil(lambda: isinstance(editor.child, CreditNoteDialog), timeout=WAIT)
    dialog = editor.child
    # Too much of line 1 is refused in the dialog, with a sentence.
    dialog.set_line(0, quantity=Decimal(3))
    click(qtbot, dialog.ok_button)
    assert "only 2 was invoiced" in dialog.error.text() and dialog.isVisible()
    dialog.set_line(0, quantity=Decimal(1))
    qtbot.keyClicks(dialog.amounts[1], "40")  # typing an amount clears the quantity
    assert dialog.quantities[1].text() == ""
    click(qtbot, dialog.ok_button)
    assert "only €31.50 is left" in dialog.error.text()
    dialog.set_line(1, amount=Decimal("10.50"))
    assert dialog.total.text() == "Credit note: €110.50 before tax"
    with qtbot.waitSignal(editor.open_other, timeout=WAIT) as opened:
        click(qtbot, dialog.ok_button)
    note = invoices.get_invoice(vault, opened.args[1])
    assert (note.net, note.total) == (Decimal("110.50"), Decimal("130.24"))  # 19+0.74 tax
    invoice = invoices.get_invoice(vault, editor.record.id)
    assert invoice.open_amount == Decimal("271.71") - Decimal("130.24")
    assert invoice.status == "issued" and invoice.credit_note_ids == (note.id,)
    # What is left shows the next time.
    again = open_editor("invoice", invoice.id)
    click(qtbot, again.credit_button)
    qtbot.waitUntil(lambda: isinstance(again.child, CreditNoteDialog), timeout=WAIT)
    assert again.child.table.item(0, 4).text() == "€100.00"
    assert again.child.amounts[0].text() == "100"  # partly credited: the amount left
    assert again.child.table.item(1, 4).text() == "€21.00"
    again.child.reject()


def test_a_payment_can_come_from_the_customers_credit(qtbot, office, open_editor, vault):
    from crasme_desktop.services import invoices

    first = issued_invoice(qtbot, office, open_editor)
    invoices.record_payment(vault, first.record.id, invoices.PaymentDraft(
        date.today(), Decimal("300"), "EUR"), overpayment="credit")  # 28.29 credit
    editor = issued_invoice(qtbot, office, open_editor)
    click(qtbot, editor.payment_button)
    qtbot.waitUntil(lambda: isinstance(editor.child, PaymentDialog), timeout=WAIT)
    dialog = editor.child
    assert dialog.use_credit.isVisible()
    assert "€28.29 of credit" in dialog.credit_note.text()
    click(qtbot, dialog.use_credit)
    assert dialog.method.currentData() == "credit" and dialog.amount.text() == "28.29"
    dialog.amount.setText("30")
    click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
    assert "only €28.29 of credit" in dialog.error.text()
    dialog.amount.setText("28.29")
    click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: editor.record.status == "partly_paid", timeout=WAIT)
    assert editor.paid_total.text() == "€28.29"
    assert "customer credit" in editor.payments.text()
    assert invoices.available_credit(vault, editor.record.id).amount == Decimal("0.00")
    # No credit left: the dialog no longer offers it.
    click(qtbot, editor.payment_button)
    qtbot.waitUntil(lambda: editor.child is not dialog and editor.child.isVisible(),
                    timeout=WAIT)
    assert not editor.child.use_credit.isVisible()
    assert editor.child.method.findData("credit") == -1
    editor.child.reject()


def test_save_pdf_writes_a_real_pdf(qtbot, office, open_editor, tmp_path):
    editor = issued_invoice(qtbot, office, open_editor)
    target = tmp_path / "out" / "invoice.pdf"
    target.parent.mkdir()
    editor.ask_pdf_path = lambda suggested: str(target)
    click(qtbot, editor.pdf_button)
    qtbot.waitUntil(lambda: target.exists(), timeout=WAIT)
    qtbot.waitUntil(lambda: "Saved" in editor.state_line.text(), timeout=WAIT)
    check = subprocess.run(["qpdf", "--check", str(target)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    assert [p.name for p in target.parent.iterdir()] == ["invoice.pdf"]  # no temp file


def test_save_pdf_into_a_missing_folder_says_so(qtbot, office, open_editor, tmp_path):
    editor = issued_invoice(qtbot, office, open_editor)
    editor.ask_pdf_path = lambda suggested: str(tmp_path / "gone" / "invoice.pdf")
    click(qtbot, editor.pdf_button)
    qtbot.waitUntil(lambda: editor.error.isVisible(), timeout=WAIT)
    assert "does not exist" in editor.error.text() and "choose another place" in \
        editor.error.text()
