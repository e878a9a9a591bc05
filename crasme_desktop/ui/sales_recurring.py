"""Recurring invoices: plans that make an invoice draft every month, quarter or year.

The Sales page's Recurring tab lists the plans with their next run and lets the person
add, change, pause, resume and delete them. A plan holds a customer, lines (typed here,
or copied from an invoice with "Repeat…" in the invoice editor), how often, the day of
the next invoice and an optional end date. The drafts are made after each unlock
(`invoices.make_due_recurring`) and appear in the invoice list to be checked and issued.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.permission_gate import allowed, gate
from crasme_desktop.ui.sales_common import (
    COMMON_CURRENCIES,
    CustomerPicker,
    date_text,
    decimal_input,
    field,
    from_qdate,
    money_text,
    parse_decimal,
    rate_label,
    to_qdate,
)
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import FieldError, row_table

INTERVALS = (("monthly", "Every month"), ("quarterly", "Every quarter"),
             ("yearly", "Every year"))
INTERVAL_WORDS = dict(INTERVALS)
STATE_WORDS = {"active": "Active", "paused": "Paused", "ended": "Ended"}
LINE_COLUMNS = ("Description", "Quantity", "Unit", "Unit price", "Tax")
DESCRIPTION, QUANTITY, UNIT, PRICE, TAX = range(len(LINE_COLUMNS))
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


# -- worker jobs -----------------------------------------------------------------------
def load_plans(vault: Any) -> tuple[list[Any], list[Any], Any]:
    return (list(service("invoices.list_recurring")(vault)),
            list(service("business.list_tax_rates")(vault)),
            service("business.get_business")(vault))


def save_plan(vault: Any, values: dict[str, Any], plan_id: str | None) -> Any:
    """Build the RecurringDraft from plain values (on the worker) and save it."""
    values = dict(values)
    lines = tuple(service("quotes.LineDraft")(**line) for line in values.pop("lines"))
    draft = service("invoices.RecurringDraft")(**values, lines=lines)
    return service("invoices.save_recurring")(vault, draft, plan_id)


def draft_from_invoice(vault: Any, invoice_id: str) -> tuple[Any, list[Any], Any]:
    return (service("invoices.recurring_draft_from_invoice")(vault, invoice_id),
            list(service("business.list_tax_rates")(vault)),
            service("business.get_business")(vault))


def _rate_percent(rate: Any) -> Decimal:
    from crasme_desktop.ui.business_settings import rate_percent_of

    return Decimal(rate_percent_of(rate))


# -- the dialog ------------------------------------------------------------------------
class RecurringDialog(QDialog):
    """One plan: customer, name, how often, next date, end date, currency and lines.
    `plan` is a RecurringRecord (to change), a RecurringDraft (to start from, e.g. an
    invoice) or None. `values()` gives the RecurringDraft's fields."""

    def __init__(self, tasks: TaskRunner, vault: Any, plan: Any, rates: list[Any],
                 default_currency: str = "EUR", parent: QWidget | None = None,
                 *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recurringDialog")
        self.setWindowTitle("Recurring invoice")
        self.setMinimumSize(760, 520)
        self.plan = plan
        self.rates = rates
        self.editing = plan is not None and hasattr(plan, "made")  # a saved plan
        self.customer = CustomerPicker(tasks, vault)
        self.customer.setObjectName("recurringCustomer")
        name = field(plan, "customer_name", "name", default="") or ""
        if field(plan, "customer_organization_id"):
            self.customer.set_customer("organization", plan.customer_organization_id, name)
        elif field(plan, "customer_person_id"):
            self.customer.set_customer("person", plan.customer_person_id, name)
        self.name = QLineEdit(field(plan, "name", default="") or "")
        self.name.setObjectName("recurringName")
        self.name.setPlaceholderText("What it is for, e.g. Monthly support")
        self.interval = QComboBox()
        self.interval.setObjectName("recurringInterval")
        for value, text in INTERVALS:
            self.interval.addItem(text, value)
        self.interval.setCurrentIndex(max(self.interval.findData(
            field(plan, "interval", default="monthly")), 0))
        first = field(plan, "next_date", default=None) if self.editing else \
            field(plan, "start_date", default=None)
        self.next_date = QDateEdit(to_qdate(first or today or date.today()))
        self.next_date.setObjectName("recurringNextDate")
        self.next_date.setCalendarPopup(True)
        self.ends = QCheckBox("Ends on")
        self.ends.setObjectName("recurringEnds")
        end = field(plan, "end_date")
        self.end_date = QDateEdit(to_qdate(end) if end else
                                  self.next_date.date().addYears(1))
        self.end_date.setObjectName("recurringEndDate")
        self.end_date.setCalendarPopup(True)
        self.ends.setChecked(end is not None)
        self.end_date.setEnabled(end is not None)
        self.ends.toggled.connect(self.end_date.setEnabled)
        self.currency = QComboBox()
        self.currency.setObjectName("recurringCurrency")
        self.currency.setEditable(True)
        self.currency.addItems(list(COMMON_CURRENCIES))
        self.currency.setCurrentText(field(plan, "currency", default="") or default_currency)
        self.lines = QTableWidget(0, len(LINE_COLUMNS))
        self.lines.setObjectName("recurringLines")
        self.lines.setHorizontalHeaderLabels(list(LINE_COLUMNS))
        self.lines.verticalHeader().hide()
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.lines.horizontalHeader()
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        for column, width in ((QUANTITY, 80), (UNIT, 60), (PRICE, 100), (TAX, 150)):
            header.resizeSection(column, width)
        for line in field(plan, "lines", default=()) or ():
            self.add_line(line)
        if not self.lines.rowCount():
            self.add_line()
        add = QPushButton("Add line")
        add.setObjectName("recurringAddLine")
        add.clicked.connect(lambda: self.add_line())
        remove = QPushButton("Remove line")
        remove.setObjectName("recurringRemoveLine")
        remove.clicked.connect(self.remove_line)
        self.error = FieldError("recurringError")

        form = QFormLayout()
        form.addRow("Customer", self.customer)
        form.addRow("Name", self.name)
        form.addRow("How often", self.interval)
        when = QHBoxLayout()
        when.addWidget(self.next_date)
        when.addSpacing(16)
        when.addWidget(self.ends)
        when.addWidget(self.end_date)
        when.addStretch(1)
        form.addRow("Next invoice on", when)
        form.addRow("Currency", self.currency)
        tools = QHBoxLayout()
        tools.addWidget(add)
        tools.addWidget(remove)
        tools.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.setObjectName("recurringButtons")
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(label("Each invoice is made as a draft on its day, to check and "
                            "issue from the invoice list.", "hint"))
        box.addWidget(self.lines, 1)
        box.addLayout(tools)
        box.addWidget(self.error)
        box.addWidget(buttons)

    # -- lines -------------------------------------------------------------------------
    def add_line(self, line: Any = None) -> int:
        row = self.lines.rowCount()
        self.lines.insertRow(row)
        quantity = field(line, "quantity", default=Decimal(1)) if line is not None \
            else Decimal(1)
        price = field(line, "unit_price", default=None) if line is not None else None
        texts = {DESCRIPTION: field(line, "description", default="") or "",
                 QUANTITY: decimal_input(Decimal(quantity)),
                 UNIT: field(line, "unit", default="") or "",
                 PRICE: decimal_input(price) if price is not None else ""}
        for column, text in texts.items():
            item = QTableWidgetItem(text)
            if column in (QUANTITY, PRICE):
                item.setTextAlignment(_RIGHT)
            if column == DESCRIPTION:
                item.setData(Qt.ItemDataRole.UserRole, (
                    field(line, "product_id"), field(line, "discount_percent",
                                                     default=Decimal(0))))
            self.lines.setItem(row, column, item)
        combo = QComboBox()
        combo.setObjectName("recurringLineTax")
        chosen = field(line, "tax_rate_id")
        default = None
        for rate in self.rates:
            if field(rate, "archived", default=False) and rate.id != chosen:
                continue
            combo.addItem(rate_label(field(rate, "name", default=""), _rate_percent(rate)),
                          rate.id)
            if field(rate, "is_default", default=False):
                default = rate.id
        combo.setCurrentIndex(max(combo.findData(chosen or default), 0))
        self.lines.setCellWidget(row, TAX, combo)
        return row

    def remove_line(self) -> None:
        row = self.lines.currentRow()
        if 0 <= row < self.lines.rowCount():
            self.lines.removeRow(row)

    def _text(self, row: int, column: int) -> str:
        item = self.lines.item(row, column)
        return item.text().strip() if item is not None else ""

    def line_values(self) -> list[dict[str, Any]] | None:
        out = []
        for row in range(self.lines.rowCount()):
            description = self._text(row, DESCRIPTION)
            price_text = self._text(row, PRICE)
            if not description and not price_text:
                continue
            quantity = parse_decimal(self._text(row, QUANTITY))
            price = parse_decimal(price_text)
            if quantity is None or price is None:
                what = "quantity" if quantity is None else "unit price"
                self.error.show_message(f"Line {row + 1}: type the {what} as a number.")
                return None
            item = self.lines.item(row, DESCRIPTION)
            product_id, discount = item.data(Qt.ItemDataRole.UserRole) or (None, Decimal(0))
            combo = self.lines.cellWidget(row, TAX)
            out.append({"description": description, "quantity": quantity,
                        "unit": self._text(row, UNIT), "unit_price": price,
                        "discount_percent": Decimal(discount or 0),
                        "tax_rate_id": combo.currentData() if combo is not None else None,
                        "product_id": product_id})
        return out

    # -- answer ------------------------------------------------------------------------
    def check(self) -> None:
        if not self.customer.record_id:
            self.error.show_message("Choose the customer: type a few letters of their name "
                                    "and pick them.")
            return
        lines = self.line_values()
        if lines is None:
            return
        if not lines:
            self.error.show_message("Add at least one line the invoice repeats.")
            return
        if self.ends.isChecked() and self.end_date.date() < self.next_date.date():
            self.error.show_message("The end date is before the next invoice; pick a later "
                                    "end date or untick “Ends on”.")
            return
        self.error.clear_message()
        self.accept()

    def values(self) -> dict[str, Any]:
        kind, record_id = self.customer.kind, self.customer.record_id
        next_day = from_qdate(self.next_date.date())
        out: dict[str, Any] = {
            "interval": self.interval.currentData(),
            "start_date": field(self.plan, "start_date", default=next_day)
            if self.editing else next_day,
            "customer_person_id": record_id if kind == "person" else None,
            "customer_organization_id": record_id if kind == "organization" else None,
            "currency": self.currency.currentText().strip().upper(),
            "end_date": from_qdate(self.end_date.date()) if self.ends.isChecked() else None,
            "name": self.name.text().strip(),
            "notes": field(self.plan, "notes", default="") or "",
            "active": bool(field(self.plan, "active", default=True)),
            "lines": self.line_values() or [],
        }
        for key in ("prices_include_tax", "payment_terms_days"):
            value = field(self.plan, key)
            if value is not None:
                out[key] = value
        if self.editing:
            out["next_date"] = next_day
        return out


# -- the tab ---------------------------------------------------------------------------
class RecurringTab(QWidget):
    """The plans, the next due first, with their next run."""

    HEADERS = ("Name", "Customer", "How often", "Next invoice", "Ends", "Amount", "Made",
               "State")

    def __init__(self, page: Any) -> None:
        super().__init__()
        self.page = page
        self.plans: list[Any] = []
        self.rates: list[Any] = []
        self.currency = "EUR"
        self.dialog: RecurringDialog | None = None
        self.confirm: Callable[[str], bool] = lambda text: bool(page.confirm(text))
        self.table = row_table("recurringTable", self.HEADERS)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        for section, width in enumerate((170, 190, 110, 110, 100, 110, 60)):
            self.table.horizontalHeader().resizeSection(section, width)
        self.table.doubleClicked.connect(lambda _index: self.edit_plan())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.new_button = QPushButton("New recurring invoice…")
        self.new_button.setObjectName("newRecurring")
        self.new_button.clicked.connect(lambda: self.open_dialog(None))
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setObjectName("editRecurring")
        self.edit_button.clicked.connect(self.edit_plan)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setObjectName("pauseRecurring")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("deleteRecurring")
        self.delete_button.clicked.connect(self.delete_plan)
        self.count = label("", "hint")
        self.count.setObjectName("recurringCount")
        self.error = FieldError("recurringTabError")
        bar = QHBoxLayout()
        bar.addWidget(self.count, 1)
        for b in (self.new_button, self.edit_button, self.pause_button, self.delete_button):
            bar.addWidget(b)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 10, 0, 0)
        box.addLayout(bar)
        box.addWidget(self.table, 1)
        box.addWidget(self.error)
        self._update_buttons()

    def reload(self) -> None:
        if self.page.vault is not None:
            self.page.tasks.submit(load_plans, self.page.vault, on_done=self._show,
                                   on_error=self.page.show_error)

    def _show(self, got: tuple[list[Any], list[Any], Any]) -> None:
        if self.page.vault is None:
            return
        plans, self.rates, business = got
        self.currency = field(business, "default_currency", default="EUR") or "EUR"
        current = self.current_plan()
        current_id = current.id if current is not None else None
        self.plans = list(plans)
        self.table.setRowCount(len(self.plans))
        for row, plan in enumerate(self.plans):
            state = plan.state
            cells = (plan.name or "", plan.customer_name,
                     INTERVAL_WORDS.get(plan.interval, plan.interval),
                     "" if state == "ended" else date_text(plan.next_date),
                     date_text(plan.end_date) if plan.end_date else "Never",
                     money_text(plan.total, plan.currency), str(plan.made),
                     STATE_WORDS.get(state, state))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (5, 6):
                    item.setTextAlignment(_RIGHT)
                self.table.setItem(row, column, item)
            if plan.id == current_id:
                self.table.selectRow(row)
        n = len(self.plans)
        upcoming = [p for p in self.plans if p.state == "active"]
        if n:
            text = f"{n} recurring {'invoice' if n == 1 else 'invoices'}"
            if upcoming:
                first = min(upcoming, key=lambda p: p.next_date)
                text += (f" · next run {date_text(first.next_date)} for "
                         f"{first.customer_name or first.name}")
        else:
            text = ("No recurring invoices. A recurring invoice makes a draft every month, "
                    "quarter or year.")
        self.count.setText(text)
        self._update_buttons()

    def current_plan(self) -> Any | None:
        if not self.table.selectionModel().hasSelection():
            return None
        row = self.table.currentRow()
        return self.plans[row] if 0 <= row < len(self.plans) else None

    def _update_buttons(self) -> None:
        """Enabled by the selection, and by the role: New needs invoices.create, Edit and
        Pause invoices.edit, Delete invoices.delete (else disabled, saying why)."""
        plan = self.current_plan()
        vault = self.page.vault
        gate(self.new_button, vault, "invoices.create")
        for b, needed in ((self.edit_button, "invoices.edit"),
                          (self.pause_button, "invoices.edit"),
                          (self.delete_button, "invoices.delete")):
            if gate(b, vault, needed):
                b.setEnabled(plan is not None)
        state = plan.state if plan is not None else "active"
        self.pause_button.setText("Resume" if state != "active" else "Pause")
        if allowed(vault, "invoices.edit"):
            self.pause_button.setEnabled(plan is not None and state != "ended")

    # -- actions -----------------------------------------------------------------------
    def open_dialog(self, plan: Any) -> RecurringDialog | None:
        if not allowed(self.page.vault, "invoices.edit" if plan is not None and
                       hasattr(plan, "made") else "invoices.create"):
            return None
        dialog = RecurringDialog(self.page.tasks, self.page.vault, plan, self.rates,
                                 self.currency, self)
        plan_id = plan.id if plan is not None and hasattr(plan, "made") else None
        dialog.accepted.connect(lambda: self._save(dialog.values(), plan_id))
        self.dialog = dialog
        dialog.open()
        return dialog

    def edit_plan(self) -> None:
        plan = self.current_plan()
        if plan is not None:
            self.open_dialog(plan)

    def _save(self, values: dict[str, Any], plan_id: str | None) -> None:
        self.error.clear_message()
        self.page.tasks.submit(save_plan, self.page.vault, values, plan_id, writes={"sales"},
                               on_error=self._failed)

    def _failed(self, error: Any) -> None:
        self.error.show_message(error.message)
        if self.dialog is not None:
            self.dialog.error.show_message(error.message)

    def toggle_pause(self) -> None:
        plan = self.current_plan()
        if plan is None or not allowed(self.page.vault, "invoices.edit"):
            return
        self.page.tasks.submit(service("invoices.set_recurring_active"), self.page.vault,
                               plan.id, plan.state != "active", writes={"sales"},
                               on_error=self._failed)

    def delete_plan(self) -> None:
        plan = self.current_plan()
        if plan is None or not allowed(self.page.vault, "invoices.delete") or not self.confirm(
                "Delete this recurring invoice? No more drafts are made from it; the "
                "invoices it made stay."):
            return
        self.page.tasks.submit(service("invoices.delete_recurring"), self.page.vault, plan.id,
                               writes={"sales"}, on_error=self._failed)

    def clear(self) -> None:
        self.plans = []
        self.table.setRowCount(0)
        self.count.clear()
