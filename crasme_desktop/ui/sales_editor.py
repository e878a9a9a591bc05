"""The editor of a quote or an invoice: customer, currency, dates, lines and totals.

A draft can be changed freely; the totals under the lines are worked out as the
person types, by the same rule the services use (`domain.money.compute_totals`).
Issuing takes the next number and freezes the invoice: it then opens read-only,
with its payments and the actions left to it (record a payment, credit note, PDF,
email). Quotes move from draft to sent, accepted or declined, and an accepted quote
becomes an invoice in one step.

Everything that reads or writes runs in the task runner. Questions to the person
(`confirm`, `ask_pdf_path`, `ask_payment`, `ask_credit`) are attributes, so tests can
answer them. A payment may come from the customer's credit; a credit note may take some
lines or part of them; "Repeat…" starts a recurring invoice from the one shown.

What the role does not allow is disabled with the reason as tool tip: without
invoices.edit (quotes.edit) a draft opens read-only like an issued one; Delete draft
needs the area's delete, Record payment and Issue invoices.edit, a credit note, Repeat
and Create invoice invoices.create, the quote's status buttons quotes.edit, Save PDF and
Send by email "print".
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui import theme
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.permission_gate import first_denial, gate
from crasme_desktop.ui.sales_common import (
    COMMON_CURRENCIES,
    KIND_WORDS,
    CustomerPicker,
    date_text,
    decimal_input,
    field,
    from_qdate,
    money_text,
    number_text,
    parse_decimal,
    rate_label,
    status_text,
    to_qdate,
)
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import FieldError, push_button

QUOTE_VALID_DAYS = 30
COLUMNS = ("Description", "Quantity", "Unit", "Unit price", "Discount %", "Tax", "Amount")
DESCRIPTION, QUANTITY, UNIT, PRICE, DISCOUNT, TAX, AMOUNT = range(len(COLUMNS))
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_EDITABLE_STATUSES = {"invoice": {"draft"}, "quote": {"draft", "sent"}}


# -- worker jobs -----------------------------------------------------------------------
@dataclass(frozen=True)
class EditorSetup:
    business: Any
    tax_rates: list[Any]
    products: list[Any]
    record: Any  # the QuoteRecord or InvoiceRecord, None for a new one


def load_setup(vault: Any, kind: str, record_id: str | None) -> EditorSetup:
    record = None
    if record_id is not None:
        getter = "quotes.get_quote" if kind == "quote" else "invoices.get_invoice"
        record = service(getter)(vault, record_id)
    return EditorSetup(
        business=service("business.get_business")(vault),
        tax_rates=list(service("business.list_tax_rates")(vault, include_archived=True)),
        products=list(service("catalog.list_products")(vault, "")),
        record=record,
    )


def save_document(vault: Any, kind: str, record_id: str | None, values: dict[str, Any],
                  lines: list[dict[str, Any]]) -> Any:
    """Build the draft from plain values (on the worker) and save it."""
    module = "quotes" if kind == "quote" else "invoices"
    line_drafts = tuple(service("quotes.LineDraft")(**line) for line in lines)
    if kind == "quote":
        draft = service("quotes.QuoteDraft")(**values, lines=line_drafts)
        return service("quotes.save_quote")(vault, draft, record_id)
    draft = service(f"{module}.InvoiceDraft")(**values, lines=line_drafts)
    return service("invoices.save_invoice_draft")(vault, draft, record_id)


def record_payment_job(vault: Any, invoice_id: str, values: dict[str, Any],
                       overpayment: str) -> Any:
    """A payment, or with method "credit" the customer's credit used on the invoice."""
    if values.get("method") == "credit":
        return service("invoices.apply_credit")(
            vault, invoice_id, values["amount"], currency=values.get("currency"),
            paid_on=values.get("paid_on"), note=values.get("note", ""))
    draft = service("invoices.PaymentDraft")(**values)
    return service("invoices.record_payment")(vault, invoice_id, draft, overpayment=overpayment)


def credit_note_job(vault: Any, invoice_id: str, parts: list[dict[str, Any]],
                    notes: str) -> Any:
    made = tuple(service("invoices.CreditPart")(**part) for part in parts)
    return service("invoices.create_partial_credit_note")(vault, invoice_id, made,
                                                          notes=notes)


def save_recurring_job(vault: Any, values: dict[str, Any]) -> Any:
    from crasme_desktop.ui.sales_recurring import save_plan

    return save_plan(vault, values, None)


def rate_percent(rate: Any) -> Decimal:
    from crasme_desktop.ui.business_settings import rate_percent_of

    return Decimal(rate_percent_of(rate))


def _money_label(name: str, strong: bool = False) -> QLabel:
    out = QLabel()
    out.setObjectName(name)
    out.setAlignment(_RIGHT)
    if strong:
        out.setStyleSheet("font-weight: 600; font-size: 15px;")
    return out


class LinesTable(QTableWidget):
    """The line grid: Delete removes the current line when no cell is being edited."""

    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and \
                self.state() != QAbstractItemView.State.EditingState:
            self.delete_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class SalesEditor(QDialog):
    """A quote or invoice: editable while a draft, read-only with actions once issued."""

    saved = Signal(str)
    #: Ask the page to open another record (kind, id): the invoice made from a quote,
    #: a credit note just created.
    open_other = Signal(str, str)

    def __init__(self, tasks: TaskRunner, vault: Any, kind: str, record_id: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("salesEditor")
        self.tasks = tasks
        self.vault = vault
        self.kind = kind  # "invoice" or "quote" (a credit note is an invoice)
        self.record_id = record_id
        self.record: Any = None
        self.setup: EditorSetup | None = None
        self.loaded = False
        self.busy = False
        self.editable = True
        self.totals: Any = None
        self._due_edited = False
        self._filling = False
        self.child: QDialog | None = None
        self.confirm: Callable[[str], bool] = self._confirm
        self.ask_pdf_path: Callable[[str], str | None] = self._ask_pdf_path
        #: Ask for a payment: return (values, overpayment) at once, or None and call
        #: `pay(values, overpayment)` later (the real dialog is not modal-blocking).
        self.ask_payment: Callable[[Any], tuple[dict[str, Any], str] | None] = \
            self._ask_payment
        #: Ask which lines to credit: (parts, notes) at once, or None and call
        #: `credit(parts, notes)` later.
        self.ask_credit: Callable[[list[Any]], tuple[list[dict[str, Any]], str] | None] = \
            self._ask_credit
        self.credit: Any = None  # the customer's available credit (CreditAvailable)
        self.setModal(True)
        self.resize(980, 720)
        self.setWindowTitle(f"{KIND_WORDS.get(kind, 'Invoice')} – {APP_NAME}")

        self.heading = label(self._title_text(), "title")
        self.heading.setObjectName("editorHeading")
        self.state_line = label("", "description")
        self.state_line.setObjectName("editorState")
        self.error = label("", "error")
        self.error.setObjectName("editorError")
        self.error.hide()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 16)
        outer.setSpacing(10)
        outer.addWidget(self.heading)
        outer.addWidget(self.state_line)
        outer.addLayout(self._build_header())
        outer.addLayout(self._build_lines(), 1)
        outer.addLayout(self._build_bottom())
        outer.addWidget(self.error)
        outer.addLayout(self._build_buttons())
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_draft)
        self._set_loaded(False)
        self.tasks.submit(load_setup, vault, kind, record_id, on_done=self._fill,
                          on_error=self._load_failed)

    # -- building ----------------------------------------------------------------------
    def _build_header(self) -> QGridLayout:
        self.customer = CustomerPicker(self.tasks, self.vault)
        self.customer.setObjectName("customer")
        self.customer_error = FieldError("customerError")
        self.currency = QComboBox()
        self.currency.setObjectName("currency")
        self.currency.setEditable(True)
        self.currency.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.currency.addItems(list(COMMON_CURRENCIES))
        self.currency.currentTextChanged.connect(self._recompute)
        self.issue_date = QDateEdit()
        self.issue_date.setObjectName("issueDate")
        self.issue_date.setCalendarPopup(True)
        self.issue_date.setDate(to_qdate(date.today()))
        self.issue_date.dateChanged.connect(self._issue_date_changed)
        self.due_date = QDateEdit()
        self.due_date.setObjectName("dueDate")
        self.due_date.setCalendarPopup(True)
        self.due_date.dateChanged.connect(self._due_date_changed)
        self.prices_include_tax = QCheckBox("Prices include tax")
        self.prices_include_tax.setObjectName("editorPricesIncludeTax")
        self.prices_include_tax.toggled.connect(self._recompute)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(4)
        grid.addWidget(QLabel("Customer"), 0, 0)
        grid.addWidget(QLabel("Currency"), 0, 1)
        grid.addWidget(QLabel("Issue date"), 0, 2)
        grid.addWidget(QLabel("Valid until" if self.kind == "quote" else "Due date"), 0, 3)
        grid.addWidget(self.customer, 1, 0)
        grid.addWidget(self.currency, 1, 1)
        grid.addWidget(self.issue_date, 1, 2)
        grid.addWidget(self.due_date, 1, 3)
        grid.addWidget(self.prices_include_tax, 1, 4)
        grid.addWidget(self.customer_error, 2, 0, 1, 5)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(5, 1)
        return grid

    def _build_lines(self) -> QVBoxLayout:
        self.lines = LinesTable(0, len(COLUMNS))
        self.lines.setObjectName("lineGrid")
        self.lines.setHorizontalHeaderLabels(list(COLUMNS))
        self.lines.verticalHeader().setDefaultSectionSize(32)
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        header = self.lines.horizontalHeader()
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        for column, width in ((QUANTITY, 80), (UNIT, 60), (PRICE, 100), (DISCOUNT, 96),
                              (TAX, 150), (AMOUNT, 110)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.lines.itemChanged.connect(self._cell_changed)
        self.lines.delete_pressed.connect(self.remove_line)

        self.product = QComboBox()
        self.product.setObjectName("productPicker")
        self.product.setMinimumContentsLength(24)
        self.product.activated.connect(self._product_picked)
        self.add_line_button = QPushButton("Add line")
        self.add_line_button.setObjectName("addLine")
        self.add_line_button.clicked.connect(lambda: self.add_line())
        self.remove_line_button = QPushButton("Remove line")
        self.remove_line_button.setObjectName("removeLine")
        self.remove_line_button.setToolTip("Remove the current line (Delete)")
        self.remove_line_button.clicked.connect(self.remove_line)
        self.up_button = QPushButton(theme.icon("chevron-up"), "")
        self.up_button.setObjectName("lineUp")
        self.up_button.setToolTip("Move the line up")
        self.up_button.clicked.connect(lambda: self.move_line(-1))
        self.down_button = QPushButton(theme.icon("chevron-down"), "")
        self.down_button.setObjectName("lineDown")
        self.down_button.setToolTip("Move the line down")
        self.down_button.clicked.connect(lambda: self.move_line(1))
        row = QHBoxLayout()
        row.addWidget(self.product)
        row.addWidget(self.add_line_button)
        row.addStretch(1)
        row.addWidget(self.up_button)
        row.addWidget(self.down_button)
        row.addWidget(self.remove_line_button)
        self.lines_error = FieldError("linesError")
        box = QVBoxLayout()
        box.setSpacing(6)
        box.addWidget(self.lines, 1)
        box.addLayout(row)
        box.addWidget(self.lines_error)
        return box

    def _build_bottom(self) -> QHBoxLayout:
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("documentNotes")
        self.notes.setPlaceholderText("Notes printed on the document (optional)")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(84)
        self.payments = label("", "hint")
        self.payments.setObjectName("paymentsList")
        self.payments.setTextFormat(Qt.TextFormat.PlainText)
        left = QVBoxLayout()
        left.addWidget(self.notes)
        left.addWidget(self.payments)
        left.addStretch(1)

        self.totals_box = QFrame()
        self.totals_box.setProperty("role", "card")
        self.totals_box.setMinimumWidth(300)
        self.totals_grid = QFormLayout(self.totals_box)
        self.totals_grid.setContentsMargins(16, 10, 16, 10)
        self.totals_grid.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.net_total = _money_label("netTotal")
        self.tax_lines = QLabel()
        self.tax_lines.setObjectName("taxTotals")
        self.tax_lines.setAlignment(_RIGHT)
        self.tax_captions = QLabel()
        self.grand_total = _money_label("grandTotal", strong=True)
        self.paid_total = _money_label("paidTotal")
        self.open_total = _money_label("openTotal", strong=True)
        self.paid_caption = QLabel("Paid")
        self.open_caption = QLabel("Open")
        self.totals_grid.addRow("Net", self.net_total)
        self.totals_grid.addRow(self.tax_captions, self.tax_lines)
        total_caption = QLabel("Total")
        total_caption.setStyleSheet("font-weight: 600; font-size: 15px;")
        self.totals_grid.addRow(total_caption, self.grand_total)
        self.totals_grid.addRow(self.paid_caption, self.paid_total)
        self.totals_grid.addRow(self.open_caption, self.open_total)
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addLayout(left, 1)
        row.addWidget(self.totals_box, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _build_buttons(self) -> QHBoxLayout:
        def button(text: str, name: str, slot: Callable[[], None],
                   primary: bool = False) -> QPushButton:
            return push_button(text, name, slot, primary=primary, auto_default=False)

        self.delete_button = button("Delete draft", "deleteDraft", self.delete_draft)
        self.payment_button = button("Record payment…", "recordPayment", self.record_payment,
                                     primary=True)
        self.credit_button = button("Create credit note…", "createCreditNote",
                                    self.create_credit_note)
        self.repeat_button = button("Repeat…", "repeatInvoice", self.repeat_invoice)
        self.repeat_button.setToolTip("Make this invoice again every month, quarter or year")
        self.pdf_button = button("Save PDF…", "savePdf", self.save_pdf)
        self.send_button = button("Send by email…", "sendEmail", self.send_email)
        self.sent_button = button("Mark sent", "markSent", lambda: self.set_status("sent"))
        self.accepted_button = button("Accepted", "markAccepted",
                                      lambda: self.set_status("accepted"))
        self.declined_button = button("Declined", "markDeclined",
                                      lambda: self.set_status("declined"))
        self.to_invoice_button = button("Create invoice", "createInvoice",
                                        self.create_invoice, primary=True)
        self.close_button = button("Close", "closeEditor", self.reject)
        self.save_button = button("Save draft" if self.kind == "invoice" else "Save",
                                  "saveDraft", self.save_draft)
        self.issue_button = button("Issue…", "issueInvoice", self.issue, primary=True)
        self.save_button.setDefault(False)
        row = QHBoxLayout()
        for b in (self.delete_button, self.payment_button, self.credit_button,
                  self.repeat_button, self.sent_button, self.accepted_button, self.declined_button,
                  self.to_invoice_button):
            row.addWidget(b)
        row.addStretch(1)
        for b in (self.pdf_button, self.send_button, self.close_button, self.save_button,
                  self.issue_button):
            row.addWidget(b)
        return row

    # -- filling -----------------------------------------------------------------------
    def _title_text(self) -> str:
        record = self.record
        if record is None:
            return "New quote" if self.kind == "quote" else "New invoice"
        kind = field(record, "kind", default=self.kind)
        number = field(record, "number", default="") or ""
        word = KIND_WORDS.get(kind, "Invoice")
        return f"{word} {number}" if number else f"Draft {word.lower()}"

    def _load_failed(self, error: UserError) -> None:
        self.show_error(error)
        self.loaded = False

    def _fill(self, setup: EditorSetup) -> None:
        self.setup = setup
        self.record = setup.record
        business = setup.business
        self._filling = True
        try:
            self.product.clear()
            self.product.addItem("Add a product or service…", None)
            for product in setup.products:
                price = money_text(self._product_price(product),
                                   field(product, "currency", default=""))
                self.product.addItem(
                    f"{field(product, 'name')} ({field(product, 'unit')}, {price})", product.id)
            record = self.record
            if record is None:
                self.currency.setCurrentText(business.default_currency or "EUR")
                self.prices_include_tax.setChecked(bool(business.prices_include_tax))
                self._set_default_due()
                self.add_line()
            else:
                self._fill_record(record)
        finally:
            self._filling = False
        self.loaded = True
        self._set_loaded(True)
        self._apply_state()
        self._recompute()

    def _fill_record(self, record: Any) -> None:
        name = field(record, "customer_name", "billing_name", "customer", default="") or ""
        person = field(record, "customer_person_id")
        organization = field(record, "customer_organization_id")
        if organization:
            self.customer.set_customer("organization", organization, name)
        elif person:
            self.customer.set_customer("person", person, name)
        self.currency.setCurrentText(record.currency)
        self.prices_include_tax.setChecked(bool(field(record, "prices_include_tax",
                                                      default=False)))
        if field(record, "issue_date") is not None:
            self.issue_date.setDate(to_qdate(record.issue_date))
        due = field(record, "valid_until", "due_date")
        if due is not None:
            self.due_date.setDate(to_qdate(due))
            self._due_edited = True
        self.notes.setPlainText(field(record, "notes", default="") or "")
        self.lines.setRowCount(0)
        for line in field(record, "lines", default=()) or ():
            self.add_line(line)

    def _product_price(self, product: Any) -> Decimal | None:
        from crasme_desktop.ui.pages.sales import amount_of

        return amount_of(product, "unit_price")

    @property
    def area(self) -> str:
        return "quotes" if self.kind == "quote" else "invoices"

    def refusal(self, *needed: str) -> str | None:
        """Why the acting user may not do all of `needed` (None when they may)."""
        return first_denial(self.vault, needed)

    def _apply_state(self) -> None:
        record = self.record
        status = field(record, "status", default="draft") if record is not None else "draft"
        kind = field(record, "kind", default=self.kind) if record is not None else self.kind
        write = f"{self.area}.edit" if record is not None else f"{self.area}.create"
        role_refusal = self.refusal(write)
        self.editable = (status in _EDITABLE_STATUSES.get(self.kind, {"draft"})
                         and role_refusal is None)
        self.heading.setText(self._title_text())
        for widget in (self.customer, self.currency, self.issue_date, self.due_date,
                       self.prices_include_tax):
            widget.setEnabled(self.editable)
        for widget in (self.product, self.add_line_button, self.remove_line_button,
                       self.up_button, self.down_button):
            widget.setVisible(self.editable)
        self.notes.setReadOnly(not self.editable)
        self.lines.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            if self.editable else QAbstractItemView.EditTrigger.NoEditTriggers)
        for row in range(self.lines.rowCount()):
            combo = self.lines.cellWidget(row, TAX)
            if combo is not None:
                combo.setEnabled(self.editable)
        is_invoice = self.kind == "invoice"
        saved = record is not None
        issued = is_invoice and saved and status not in ("draft", "cancelled")
        self.save_button.setVisible(self.editable)
        self.issue_button.setVisible(is_invoice and self.editable)
        self.delete_button.setVisible(is_invoice and saved and status == "draft")
        open_amount = self._open_amount()
        self.payment_button.setVisible(issued and kind == "invoice")
        self.payment_button.setEnabled(open_amount is not None and open_amount > 0)
        self.credit_button.setVisible(issued and kind == "invoice")
        self.repeat_button.setVisible(is_invoice and saved and kind == "invoice")
        self.pdf_button.setVisible(saved)
        self.send_button.setVisible(saved and importlib.util.find_spec(
            "crasme_desktop.ui.send_dialog") is not None)
        quote = self.kind == "quote" and saved
        self.sent_button.setVisible(quote and status == "draft")
        self.accepted_button.setVisible(quote and status in ("draft", "sent"))
        self.declined_button.setVisible(quote and status in ("draft", "sent"))
        self.to_invoice_button.setVisible(quote and status == "accepted"
                                          and not field(record, "invoice_id"))
        self.close_button.setText("Cancel" if self.editable else "Close")
        self.state_line.setText(self._state_text(status, kind)
                                + (f" · {role_refusal}" if role_refusal else ""))
        self._gate_actions(open_amount)
        self._show_payments()

    def _gate_actions(self, open_amount: Decimal | None) -> None:
        """Disable (with the reason as tool tip) what the role may not do."""
        vault = self.vault
        gate(self.delete_button, vault, f"{self.area}.delete")
        if gate(self.payment_button, vault, "invoices.edit"):
            self.payment_button.setEnabled(open_amount is not None and open_amount > 0)
        gate(self.issue_button, vault, "invoices.edit")
        gate(self.credit_button, vault, "invoices.create")
        gate(self.repeat_button, vault, "invoices.create",
             tip="Make this invoice again every month, quarter or year")
        gate(self.to_invoice_button, vault, "invoices.create")
        for button in (self.sent_button, self.accepted_button, self.declined_button):
            gate(button, vault, "quotes.edit")
        for button in (self.pdf_button, self.send_button):
            gate(button, vault, "print")

    def _state_text(self, status: str, kind: str) -> str:
        record = self.record
        if record is None:
            return ("A draft until you issue it: it gets its number then and can no longer "
                    "be changed." if self.kind == "invoice" else
                    "A quote for your customer; once accepted it becomes an invoice in one step.")
        overdue = bool(field(record, "overdue", default=False))
        text = status_text(status, overdue)
        if kind == "credit_note":
            reference = field(record, "credit_of_number", "reference", default="")
            text += f" · corrects invoice {reference}" if reference else ""
        if not self.editable and self.kind == "invoice":
            text += " · issued invoices cannot be changed; correct them with a credit note"
        return text

    def _set_loaded(self, loaded: bool) -> None:
        for b in (self.save_button, self.issue_button):
            b.setEnabled(loaded)
        if loaded and self.refusal("invoices.edit"):
            self.issue_button.setEnabled(False)

    # -- lines -------------------------------------------------------------------------
    def _tax_combo(self, chosen_id: str | None) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName("lineTaxRate")
        rates = self.setup.tax_rates if self.setup is not None else []
        default = None
        for rate in rates:
            archived = bool(field(rate, "archived", default=False))
            if archived and rate.id != chosen_id:
                continue
            combo.addItem(rate_label(field(rate, "name", default=""), rate_percent(rate)),
                          rate.id)
            if field(rate, "is_default", default=False):
                default = rate.id
        combo.setCurrentIndex(max(combo.findData(chosen_id or default), 0))
        combo.currentIndexChanged.connect(self._recompute)
        return combo

    def add_line(self, line: Any = None) -> int:
        """Append a line (empty, or filled from a record line or a product)."""
        row = self.lines.rowCount()
        was_filling, self._filling = self._filling, True
        try:
            self.lines.insertRow(row)
            quantity = field(line, "quantity", default=Decimal(1)) if line is not None \
                else Decimal(1)
            price = None
            if line is not None:
                from crasme_desktop.ui.pages.sales import amount_of

                price = amount_of(line, "unit_price")
            discount = field(line, "discount_percent", default=Decimal(0)) if line else Decimal(0)
            texts = {
                DESCRIPTION: field(line, "description", default="") or "",
                QUANTITY: decimal_input(Decimal(quantity)),
                UNIT: field(line, "unit", default="") or "",
                PRICE: decimal_input(price) if price is not None else "",
                DISCOUNT: decimal_input(Decimal(discount)) if discount else "",
            }
            for column, text in texts.items():
                item = QTableWidgetItem(text)
                if column in (QUANTITY, PRICE, DISCOUNT):
                    item.setTextAlignment(_RIGHT)
                if column == DESCRIPTION:
                    item.setData(Qt.ItemDataRole.UserRole, field(line, "product_id"))
                self.lines.setItem(row, column, item)
            amount = QTableWidgetItem("")
            amount.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            amount.setTextAlignment(_RIGHT)
            self.lines.setItem(row, AMOUNT, amount)
            self.lines.setCellWidget(row, TAX, self._tax_combo(field(line, "tax_rate_id")))
        finally:
            self._filling = was_filling
        self.lines.setCurrentCell(row, DESCRIPTION)
        self._recompute()
        return row

    def add_product(self, product: Any) -> int:
        """A line filled from a catalog product (description, unit, price, tax rate)."""
        description = field(product, "name", default="")
        detail = field(product, "description", default="")
        values = {
            "description": f"{description} – {detail}" if detail else description,
            "quantity": Decimal(1),
            "unit": field(product, "unit", default=""),
            "unit_price": self._product_price(product),
            "discount_percent": Decimal(0),
            "tax_rate_id": field(product, "tax_rate_id"),
            "product_id": product.id,
        }
        empty = self._empty_last_row()
        if empty is not None:
            self.lines.removeRow(empty)
        return self.add_line(_Values(values))

    def _empty_last_row(self) -> int | None:
        row = self.lines.rowCount() - 1
        if row < 0:
            return None
        text = [self._text(row, c) for c in (DESCRIPTION, PRICE)]
        return row if not any(text) else None

    def _product_picked(self, index: int) -> None:
        product_id = self.product.itemData(index)
        self.product.setCurrentIndex(0)
        if product_id is None or self.setup is None:
            return
        for product in self.setup.products:
            if product.id == product_id:
                self.add_product(product)
                return

    def remove_line(self) -> None:
        if not self.editable:
            return
        row = self.lines.currentRow()
        if 0 <= row < self.lines.rowCount():
            self.lines.removeRow(row)
            if self.lines.rowCount():
                self.lines.setCurrentCell(min(row, self.lines.rowCount() - 1), DESCRIPTION)
            self._recompute()

    def move_line(self, step: int) -> None:
        row = self.lines.currentRow()
        target = row + step
        if not self.editable or not (0 <= row < self.lines.rowCount()) or \
                not (0 <= target < self.lines.rowCount()):
            return
        values = self._line_values(row)
        column = self.lines.currentColumn()
        self._filling = True
        try:
            self.lines.removeRow(row)
        finally:
            self._filling = False
        self._insert_at(target, values)
        self.lines.setCurrentCell(target, max(column, 0))
        self._recompute()

    def _insert_at(self, target: int, values: dict[str, Any]) -> None:
        row = self.add_line(_Values(values))
        # add_line appends; move the new row's contents up by swapping rows.
        while row > target:
            self._swap(row - 1, row)
            row -= 1

    def _swap(self, a: int, b: int) -> None:
        self._filling = True
        try:
            for column in (DESCRIPTION, QUANTITY, UNIT, PRICE, DISCOUNT, AMOUNT):
                item_a = self.lines.takeItem(a, column)
                item_b = self.lines.takeItem(b, column)
                self.lines.setItem(a, column, item_b)
                self.lines.setItem(b, column, item_a)
            combo_a = self.lines.cellWidget(a, TAX)
            combo_b = self.lines.cellWidget(b, TAX)
            id_a, id_b = combo_a.currentData(), combo_b.currentData()
            combo_a.setCurrentIndex(max(combo_a.findData(id_b), 0))
            combo_b.setCurrentIndex(max(combo_b.findData(id_a), 0))
        finally:
            self._filling = False

    def _text(self, row: int, column: int) -> str:
        item = self.lines.item(row, column)
        return item.text().strip() if item is not None else ""

    def _line_values(self, row: int) -> dict[str, Any]:
        item = self.lines.item(row, DESCRIPTION)
        combo = self.lines.cellWidget(row, TAX)
        return {
            "description": self._text(row, DESCRIPTION),
            "quantity": parse_decimal(self._text(row, QUANTITY)),
            "unit": self._text(row, UNIT),
            "unit_price": parse_decimal(self._text(row, PRICE)),
            "discount_percent": parse_decimal(self._text(row, DISCOUNT) or "0"),
            "tax_rate_id": combo.currentData() if combo is not None else None,
            "product_id": item.data(Qt.ItemDataRole.UserRole) if item is not None else None,
        }

    def line_values(self) -> list[dict[str, Any]]:
        return [self._line_values(row) for row in range(self.lines.rowCount())]

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        if not self._filling and item.column() != AMOUNT:
            self._recompute()

    # -- totals ------------------------------------------------------------------------
    def _rate_percent_of(self, rate_id: Any) -> Decimal | None:
        if self.setup is None:
            return None
        for rate in self.setup.tax_rates:
            if rate.id == rate_id:
                return rate_percent(rate)
        return None

    def _recompute(self, *_args: object) -> None:
        if self._filling or not self.loaded:
            return
        from crasme_desktop.domain.money import MoneyLine, compute_totals, is_known_currency

        currency = self.currency.currentText().strip().upper()
        if not is_known_currency(currency):
            self.lines_error.show_message(
                f"“{currency}” is not a currency code; pick one such as EUR or USD.")
            return
        money_lines = []
        rows = []
        problems = []
        for row, values in enumerate(self.line_values()):
            rate = self._rate_percent_of(values["tax_rate_id"])
            bad = [name for name, key in (("quantity", "quantity"), ("unit price", "unit_price"),
                                          ("discount", "discount_percent"))
                   if values[key] is None and (key != "unit_price" or self._text(row, PRICE))]
            if bad:
                problems.append(f"Line {row + 1}: the {bad[0]} is not a number.")
                self._set_amount(row, "")
                continue
            if values["unit_price"] is None or rate is None:
                self._set_amount(row, "")
                continue
            money_lines.append(MoneyLine(values["quantity"], values["unit_price"],
                                         values["discount_percent"], rate))
            rows.append(row)
        self.lines_error.show_message(" ".join(problems))
        totals = compute_totals(money_lines, currency, self.prices_include_tax.isChecked())
        self.totals = totals
        for row, amount in zip(rows, totals.line_amounts, strict=True):
            self._set_amount(row, money_text(amount, currency))
        self.net_total.setText(money_text(totals.net, currency))
        self.tax_captions.setText("\n".join(
            f"Tax {number_text(r.rate_percent)} % on {money_text(r.net, currency)}"
            for r in totals.per_rate) or "Tax")
        self.tax_lines.setText("\n".join(money_text(r.tax, currency) for r in totals.per_rate)
                               or money_text(Decimal(0), currency))
        self.grand_total.setText(money_text(totals.total, currency))

    def _set_amount(self, row: int, text: str) -> None:
        item = self.lines.item(row, AMOUNT)
        if item is not None and item.text() != text:
            self._filling = True
            try:
                item.setText(text)
            finally:
                self._filling = False

    def _open_amount(self) -> Decimal | None:
        from crasme_desktop.ui.pages.sales import amount_of

        record = self.record
        if record is None:
            return None
        return amount_of(record, "open") if field(record, "open", "open_amount",
                                                  "open_minor") is not None else None

    def _show_payments(self) -> None:
        from crasme_desktop.ui.pages.sales import amount_of

        record = self.record
        issued = record is not None and self.kind == "invoice" and not self.editable
        for widget in (self.paid_caption, self.paid_total, self.open_caption, self.open_total):
            widget.setVisible(issued)
        if not issued:
            self.payments.clear()
            return
        currency = record.currency
        self.paid_total.setText(money_text(amount_of(record, "paid") or Decimal(0), currency))
        self.open_total.setText(money_text(self._open_amount() or Decimal(0), currency))
        lines = []
        for p in field(record, "payments", default=()) or ():
            amount = amount_of(p, "amount")
            method = field(p, "method", default="") or ""
            method = "customer credit" if method == "credit" else method
            reference = field(p, "reference", default="") or ""
            extra = " · ".join(x for x in (method, reference) if x)
            lines.append(f"Paid {money_text(amount, currency)} on "
                         f"{date_text(field(p, 'paid_on'))}" + (f" ({extra})" if extra else ""))
        self.payments.setText("\n".join(lines) if lines else "No payments yet.")

    # -- dates -------------------------------------------------------------------------
    def _set_default_due(self) -> None:
        issue = from_qdate(self.issue_date.date())
        if self.kind == "quote":
            days = QUOTE_VALID_DAYS
        else:
            business = self.setup.business if self.setup is not None else None
            days = int(field(business, "payment_terms_days", default=14) or 0)
        was, self._filling = self._filling, True
        try:
            self.due_date.setDate(to_qdate(issue + timedelta(days=days)))
        finally:
            self._filling = was

    def _issue_date_changed(self, _date: QDate) -> None:
        if not self._due_edited and not self._filling:
            self._set_default_due()

    def _due_date_changed(self, _date: QDate) -> None:
        if not self._filling:
            self._due_edited = True

    # -- saving ------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        kind = self.customer.kind
        due = from_qdate(self.due_date.date())
        out: dict[str, Any] = {
            "customer_person_id": self.customer.record_id if kind == "person" else None,
            "customer_organization_id": self.customer.record_id
            if kind == "organization" else None,
            "currency": self.currency.currentText().strip().upper(),
            "issue_date": from_qdate(self.issue_date.date()),
            "prices_include_tax": self.prices_include_tax.isChecked(),
            "notes": self.notes.toPlainText().strip(),
        }
        out["valid_until" if self.kind == "quote" else "due_date"] = due
        return out

    def _checked_lines(self) -> list[dict[str, Any]] | None:
        lines = self.line_values()
        if not self.customer.record_id:
            self.customer_error.show_message(
                "Choose the customer: type a few letters of their name and pick them.")
            return None
        self.customer_error.clear_message()
        out = []
        for row, values in enumerate(lines):
            if not values["description"] and values["unit_price"] is None:
                continue  # an empty line is left out, not refused
            for key, word in (("quantity", "quantity"), ("unit_price", "unit price"),
                              ("discount_percent", "discount")):
                if values[key] is None:
                    self.lines_error.show_message(
                        f"Line {row + 1}: type the {word} as a number.")
                    return None
            out.append(values)
        return out

    def save_draft(self) -> None:
        if not self.loaded or self.busy or not self.editable:
            return
        lines = self._checked_lines()
        if lines is None:
            return
        self._start()
        self.tasks.submit(save_document, self.vault, self.kind, self.record_id, self.values(),
                          lines, writes={"sales"}, on_done=self._saved,
                          on_error=self.show_error)

    def issue(self) -> None:
        if not self.loaded or self.busy or self.kind != "invoice" or not self.editable:
            return
        if self.refusal("invoices.edit"):
            return
        lines = self._checked_lines()
        if lines is None:
            return
        if not self.confirm("Issue this invoice now? It takes the next number, and "
                            "afterwards it can no longer be changed or deleted: mistakes "
                            "are corrected with a credit note."):
            return
        self._start()
        # Saved first, then issued: if issuing is refused (say the business address is
        # missing) the draft is kept, and a second try issues that same draft.
        self.tasks.submit(save_document, self.vault, "invoice", self.record_id, self.values(),
                          lines, writes={"sales"}, on_done=self._issue_saved,
                          on_error=self.show_error)

    def _issue_saved(self, record: Any) -> None:
        self._saved(record)
        self.busy = True
        self.tasks.submit(service("invoices.issue_invoice"), self.vault, record.id,
                          writes={"sales"}, on_done=self._saved, on_error=self.show_error)

    def _saved(self, record: Any) -> None:
        self.busy = False
        self.record = record
        self.record_id = record.id
        self.saved.emit(record.id)
        self.error.hide()
        self._filling = True
        try:
            self._fill_record(record)
        finally:
            self._filling = False
        self._apply_state()
        self._recompute()

    def _start(self) -> None:
        self.busy = True
        self.error.hide()
        self.lines_error.clear_message()

    def show_error(self, error: UserError) -> None:
        self.busy = False
        self.error.setText(error.message)
        self.error.show()

    # -- other actions -----------------------------------------------------------------
    def delete_draft(self) -> None:
        if self.record_id is None or self.refusal(f"{self.area}.delete") or not self.confirm(
                "Delete this draft? It has no number yet, so nothing else changes."):
            return
        self.tasks.submit(service("invoices.delete_draft"), self.vault, self.record_id,
                          writes={"sales"}, on_done=lambda _r: self.close_without_asking(),
                          on_error=self.show_error)

    def set_status(self, status: str) -> None:
        if self.record_id is None or self.refusal("quotes.edit"):
            return
        self.tasks.submit(service("quotes.set_quote_status"), self.vault, self.record_id,
                          status, writes={"sales"}, on_done=self._reloaded_quote,
                          on_error=self.show_error)

    def _reloaded_quote(self, record: Any) -> None:
        if record is None or not hasattr(record, "status"):
            self.tasks.submit(service("quotes.get_quote"), self.vault, self.record_id,
                              on_done=self._saved, on_error=self.show_error)
            return
        self._saved(record)

    def create_invoice(self) -> None:
        if self.record_id is None or self.refusal("invoices.create"):
            return
        self.tasks.submit(service("quotes.quote_to_invoice"), self.vault, self.record_id,
                          writes={"sales"}, on_done=self._open_made_invoice,
                          on_error=self.show_error)

    def _open_made_invoice(self, invoice: Any) -> None:
        self.close_without_asking()
        self.open_other.emit("invoice", invoice.id)

    def create_credit_note(self) -> None:
        """Ask which lines (all that is left, to start with) and issue the credit note."""
        if self.record_id is None or self.refusal("invoices.create"):
            return
        self.tasks.submit(service("invoices.creditable_lines"), self.vault, self.record_id,
                          on_done=self._credit_lines_loaded, on_error=self.show_error)

    def _credit_lines_loaded(self, lines: list[Any]) -> None:
        answer = self.ask_credit(lines)
        if answer is not None:
            self.credit_lines(*answer)

    def credit_lines(self, parts: list[dict[str, Any]], notes: str = "") -> None:
        if self.record_id is None or not parts:
            return
        self.tasks.submit(credit_note_job, self.vault, self.record_id, parts, notes,
                          writes={"sales"}, on_done=self._open_made_invoice,
                          on_error=self.show_error)

    def _ask_credit(self, lines: list[Any]) -> None:
        from crasme_desktop.ui.sales_credit_dialog import CreditNoteDialog

        record = self.record
        dialog = CreditNoteDialog(record.number, record.currency, lines, self,
                                  prices_include_tax=bool(record.prices_include_tax))
        dialog.accepted.connect(lambda: self.credit_lines(*dialog.answer()))
        self.child = dialog
        dialog.open()
        return None

    def record_payment(self) -> None:
        """Ask for a payment (after reading the customer's credit) and record it."""
        if self.record is None or self.refusal("invoices.edit"):
            return
        self.tasks.submit(service("invoices.available_credit"), self.vault, self.record.id,
                          on_done=self._credit_loaded, on_error=self.show_error)

    def _credit_loaded(self, credit: Any) -> None:
        self.credit = credit
        answer = self.ask_payment(self.record)
        if answer is not None:
            self.pay(*answer)

    def pay(self, values: dict[str, Any], overpayment: str = "refuse") -> None:
        if self.record is None:
            return
        self.tasks.submit(record_payment_job, self.vault, self.record.id, values, overpayment,
                          writes={"sales"}, on_done=self._saved, on_error=self.show_error)

    def _ask_payment(self, record: Any) -> None:
        from crasme_desktop.ui.payment_dialog import PaymentDialog

        credit = self.credit
        dialog = PaymentDialog(
            record.currency, self._open_amount() or Decimal(0), self,
            credit=field(credit, "amount", default=None),
            other_credit=tuple(field(credit, "other", default=()) or ()))
        dialog.accepted.connect(lambda: self.pay(*dialog.answer()))
        self.child = dialog
        dialog.open()
        return None

    def repeat_invoice(self) -> None:
        """Start a recurring invoice from this one (its customer, lines and terms)."""
        if self.record_id is None or self.refusal("invoices.create"):
            return
        from crasme_desktop.ui.sales_recurring import draft_from_invoice

        self.tasks.submit(draft_from_invoice, self.vault, self.record_id,
                          on_done=self._repeat_loaded, on_error=self.show_error)

    def _repeat_loaded(self, got: tuple[Any, list[Any], Any]) -> None:
        from crasme_desktop.ui.sales_recurring import RecurringDialog

        draft, rates, business = got
        dialog = RecurringDialog(self.tasks, self.vault, draft, rates,
                                 field(business, "default_currency", default="EUR"), self)
        dialog.accepted.connect(lambda: self.tasks.submit(
            save_recurring_job, self.vault, dialog.values(), writes={"sales"},
            on_done=self._repeat_saved, on_error=self.show_error))
        self.child = dialog
        dialog.open()

    def _repeat_saved(self, plan: Any) -> None:
        from crasme_desktop.ui.sales_recurring import INTERVAL_WORDS

        self.state_line.setText(
            f"{INTERVAL_WORDS.get(plan.interval, plan.interval)} from "
            f"{date_text(plan.next_date)}: a draft is made on each day (see the Recurring "
            "tab).")

    def save_pdf(self) -> None:
        if self.record is None or self.refusal("print"):
            return
        number = field(self.record, "number", default="") or "draft"
        path = self.ask_pdf_path(f"{number}.pdf")
        if not path:
            return
        kind = "quote" if self.kind == "quote" else "invoice"
        self.tasks.submit(service("sales_files.save_pdf"), self.vault, kind, self.record.id,
                          Path(path), progress_title="Saving the PDF…",
                          on_done=lambda saved: self.state_line.setText(f"Saved {saved}."),
                          on_error=self.show_error)

    def _ask_pdf_path(self, suggested: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(self, f"Save PDF – {APP_NAME}", suggested,
                                                    "PDF files (*.pdf)")
        return path or None

    def send_email(self) -> None:
        if self.record is None or self.refusal("print"):
            return
        module = importlib.import_module("crasme_desktop.ui.send_dialog")
        kind = "quote" if self.kind == "quote" else "invoice"
        dialog = module.SendDialog(self.tasks, self.vault, kind, self.record.id, self)
        self.child = dialog
        dialog.open()

    # -- closing -----------------------------------------------------------------------
    def close_without_asking(self) -> None:
        super().reject()

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, APP_NAME, text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes


class _Values:
    """Attribute access over a dict, so a product or a moved line fills a row like a
    record line does."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
