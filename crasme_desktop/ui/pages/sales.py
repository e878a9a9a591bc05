"""The Sales page: invoices, quotes, recurring invoices, the product catalog and two
simple reports.

Invoices are a big list: a `RecordListModel` over the ordered rowids that
`services.invoice_lists` reads in SQL, rows fetched in batches as they are painted;
status, overdue, customer, period and text filters run in SQL, and the line under
the list sums the filtered rows per currency. Quotes are read the same way (by key,
never OFFSET); recurring plans and products are short lists.
Opening a record (Enter or a double click) opens the editor: drafts can be changed,
issued invoices are shown read-only with their actions. Ctrl+N starts an invoice.
"""

from __future__ import annotations

import importlib
from array import array
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QLocale, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
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
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui import theme
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.list_model import ListColumn, RecordListModel, RecordTable
from crasme_desktop.ui.pages.base import EmptyState, Page, label
from crasme_desktop.ui.permission_gate import gate
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
    status_text,
)
from crasme_desktop.ui.sales_recurring import RecurringTab
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import FieldError, push_button, row_table

BATCH = 100
_NO_DATE = QDate(1900, 1, 1)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_Index = QModelIndex | QPersistentModelIndex
STATUS_FILTERS = (("", "All invoices"), ("open", "Not fully paid"), ("overdue", "Overdue"),
                  ("draft", "Drafts"), ("issued", "Issued, unpaid"),
                  ("partly_paid", "Partly paid"), ("paid", "Paid"))


def editor_class() -> Any:
    return importlib.import_module("crasme_desktop.ui.sales_editor").SalesEditor


# -- values of service rows (they carry Decimals, or minor units with the currency) -----
def amount_of(row: Any, name: str) -> Decimal | None:
    value = field(row, name, f"{name}_amount")
    if isinstance(value, Decimal):
        return value
    minor = field(row, f"{name}_minor")
    if minor is None:
        return None if value is None else Decimal(value)
    from crasme_desktop.domain.money import from_minor

    return from_minor(int(minor), field(row, "currency", default="EUR"))


def row_money(row: Any, name: str) -> str:
    return money_text(amount_of(row, name), field(row, "currency", default=""))


def is_overdue(row: Any) -> bool:
    value = field(row, "overdue", "is_overdue")
    if value is not None:
        return bool(value)
    due = field(row, "due_date")
    return (field(row, "status") in ("issued", "partly_paid") and due is not None
            and due < date.today())


def invoice_number(row: Any) -> str:
    number = field(row, "number", default="") or ""
    if not number:
        return "Draft"
    return f"{number} (credit note)" if field(row, "kind") == "credit_note" else number


def customer_of(row: Any) -> str:
    return field(row, "customer_name", "billing_name", "customer", default="") or ""


INVOICE_COLUMNS = (
    ListColumn("Number", invoice_number, width=150),
    ListColumn("Customer", customer_of, width=230),
    ListColumn("Issued", lambda r: date_text(field(r, "issue_date")), width=100),
    ListColumn("Due", lambda r: date_text(field(r, "due_date")), width=100),
    ListColumn("Total", lambda r: row_money(r, "total"), width=120),
    ListColumn("Open", lambda r: row_money(r, "open"), width=120),
    ListColumn("Status", lambda r: status_text(field(r, "status", default=""),
                                               is_overdue(r)), width=130),
)
_AMOUNT_COLUMNS = {4, 5}
_STATUS_COLUMN = 6


class InvoiceListModel(RecordListModel):
    """The invoice rows: amounts right-aligned, overdue invoices in red."""

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if index.column() in _AMOUNT_COLUMNS else None
        if role == Qt.ItemDataRole.ForegroundRole:
            record = self.record_at(index.row())
            if record is not None and is_overdue(record) and index.column() in (
                    _STATUS_COLUMN, 3, 5):
                return QColor(theme.DANGER)
        return super().data(index, role)


# -- worker jobs -----------------------------------------------------------------------
def invoice_filter(values: dict[str, Any]) -> Any:
    return service("invoice_lists.InvoiceFilter")(**values)


def load_first_invoices(vault: Any, values: dict[str, Any]) -> list[Any]:
    """The first rows of the filtered list, straight from an index (the quick paint)."""
    return list(service("invoice_lists.first_invoice_rows")(vault, invoice_filter(values)))


def load_invoice_ids(vault: Any, values: dict[str, Any]) -> array:
    """The ordered rowids of every filtered invoice."""
    return service("invoice_lists.ordered_invoice_ids")(vault, invoice_filter(values))


def load_invoice_totals(vault: Any, values: dict[str, Any]) -> Any:
    """Count, total and open amount of the filtered invoices per currency (reads every
    filtered row: it comes last, after the list is on screen)."""
    return service("invoice_lists.invoice_totals")(vault, invoice_filter(values))


def load_reports(vault: Any, today: date) -> tuple[Any, list[Any]]:
    start = date(today.year - 1, today.month, 1)
    return (service("invoice_lists.aging_summary")(vault),
            list(service("invoice_lists.revenue_by_month")(vault, start, today)))


def load_product_setup(vault: Any, text: str, include_archived: bool) -> tuple[list, list, Any]:
    return (list(service("catalog.list_products")(vault, text,
                                                  include_archived=include_archived)),
            list(service("business.list_tax_rates")(vault)),
            service("business.get_business")(vault))


def save_product_fields(vault: Any, values: dict[str, Any]) -> Any:
    values = dict(values)
    product_id = values.pop("id", None)
    draft = service("catalog.ProductDraft")(**values)
    return service("catalog.save_product")(vault, draft, product_id)


def _table(name: str, headers: tuple[str, ...]) -> QTableWidget:
    table = row_table(name, headers)
    table.verticalHeader().setDefaultSectionSize(30)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    return table


def _item(text: str, right: bool = False, color: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(_RIGHT)
    if color:
        item.setForeground(QColor(color))
    return item


def _date_box(name: str, tip: str) -> QDateEdit:
    box = QDateEdit()
    box.setObjectName(name)
    box.setCalendarPopup(True)
    box.setMinimumDate(_NO_DATE)
    box.setSpecialValueText("any date")
    box.setToolTip(tip)
    box.setDate(_NO_DATE)
    return box


def _box_date(box: QDateEdit) -> date | None:
    return None if box.date() == _NO_DATE else from_qdate(box.date())


# -- the tabs --------------------------------------------------------------------------
class InvoicesTab(QWidget):
    """The filtered invoice list with its totals line."""

    def __init__(self, page: SalesPage) -> None:
        super().__init__()
        self.page = page
        self.tasks = page.tasks
        self._generation = 0
        self._restore: tuple[int | None, int] | None = None
        self.totals: Any = None

        self.status = QComboBox()
        self.status.setObjectName("invoiceStatusFilter")
        for value, text in STATUS_FILTERS:
            self.status.addItem(text, value)
        self.status.activated.connect(self.reload)
        self.customer = CustomerPicker(self.tasks, placeholder="Any customer")
        self.customer.setObjectName("invoiceCustomerFilter")
        self.customer.setMinimumWidth(200)
        self.customer.chosen.connect(lambda *_a: self.reload())
        self.period_from = _date_box("invoicesFrom", "Issued on or after this day")
        self.period_to = _date_box("invoicesTo", "Issued on or before this day")
        self.period_from.dateChanged.connect(self.reload)
        self.period_to.dateChanged.connect(self.reload)
        self.text = QLineEdit()
        self.text.setObjectName("invoiceTextFilter")
        self.text.setPlaceholderText("Number or customer")
        self.text.setClearButtonEnabled(True)
        self.text.returnPressed.connect(self.reload)
        self.text.textChanged.connect(lambda t: self.reload() if not t else None)
        clear = QPushButton("Clear filters")
        clear.setObjectName("clearInvoiceFilters")
        clear.clicked.connect(self.clear_filters)
        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(self.status)
        bar.addWidget(self.customer)
        bar.addWidget(QLabel("Issued"))
        bar.addWidget(self.period_from)
        bar.addWidget(QLabel("to"))
        bar.addWidget(self.period_to)
        bar.addWidget(self.text, 1)
        bar.addWidget(clear)

        self.model = InvoiceListModel(INVOICE_COLUMNS, self._fetch, batch=BATCH, parent=self)
        self.table = RecordTable()
        self.table.setObjectName("invoiceTable")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSortIndicatorShown(False)
        for section, column in enumerate(INVOICE_COLUMNS):
            self.table.horizontalHeader().resizeSection(section, column.width)
        self.table.open_requested.connect(self.open_current)
        self.table.doubleClicked.connect(lambda _index: self.open_current())
        self.table.delete_requested.connect(self.delete_current)
        self.totals_line = label("", "hint")
        self.totals_line.setObjectName("invoiceTotals")
        self.totals_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty = EmptyState("sales", "No invoices yet",
                                "Invoices you write will be listed here with what is paid "
                                "and what is still due.", action="New invoice")
        self.empty.action_clicked.connect(lambda: self.page.new_document("invoice"))
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 10, 0, 0)
        box.addLayout(bar)
        box.addWidget(self.table, 1)
        box.addWidget(self.empty, 1)
        box.addWidget(self.totals_line)
        self.empty.hide()

    # -- filters -----------------------------------------------------------------------
    def filter_values(self) -> dict[str, Any]:
        return {
            "status": self.status.currentData() or "",
            "customer_person_id": self.customer.record_id if self.customer.kind == "person"
            else "",
            "customer_organization_id": self.customer.record_id
            if self.customer.kind == "organization" else "",
            "period_from": _box_date(self.period_from),
            "period_to": _box_date(self.period_to),
            "text": self.text.text().strip(),
        }

    def filtered(self) -> bool:
        values = self.filter_values()
        return any(values.values())

    def set_status_filter(self, status: str) -> None:
        self.status.setCurrentIndex(max(self.status.findData(status), 0))
        self.reload()

    def clear_filters(self) -> None:
        for widget in (self.status, self.period_from, self.period_to, self.text):
            widget.blockSignals(True)
        self.status.setCurrentIndex(0)
        self.period_from.setDate(_NO_DATE)
        self.period_to.setDate(_NO_DATE)
        self.text.clear()
        self.customer.set_customer("", "", "")
        for widget in (self.status, self.period_from, self.period_to, self.text):
            widget.blockSignals(False)
        self.reload()

    # -- loading -----------------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.customer.vault = vault
        self.reload()

    def reload(self, *_args: object, keep_rows: bool = False) -> None:
        """Read the list again: its first rows first (a quick paint), then every id,
        then the totals. With `keep_rows` (after a write) the rows on screen stay until
        the new list replaces them."""
        vault = self.page.vault
        if vault is None:
            return
        self._generation += 1
        generation = self._generation
        row = self.table.currentIndex().row()
        self._restore = (self.model.rowid_at(row), row)
        values = self.filter_values()
        if keep_rows and self.model.complete:
            self._load_ids(generation, values)
            return
        self.tasks.submit(load_first_invoices, vault, values,
                          on_done=lambda rows: self._first_arrived(generation, values, rows),
                          on_error=self.page.show_error)

    def _first_arrived(self, generation: int, values: dict[str, Any], rows: list[Any]) -> None:
        if generation != self._generation or self.page.vault is None:
            return
        self.model.set_preview(rows)
        self._show_list(len(rows))
        if rows and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))
        self._load_ids(generation, values)

    def _load_ids(self, generation: int, values: dict[str, Any]) -> None:
        vault = self.page.vault
        self.tasks.submit(load_invoice_ids, vault, values,
                          on_done=lambda ids: self._arrived(generation, values, ids),
                          on_error=self.page.show_error)

    def _show_list(self, n: int) -> None:
        empty = n == 0 and not self.filtered()
        self.table.setVisible(not empty)
        self.empty.setVisible(empty)

    def _arrived(self, generation: int, values: dict[str, Any], ids: array) -> None:
        if generation != self._generation or self.page.vault is None:
            return
        self.model.set_ids(ids)
        n = len(ids)
        self._show_list(n)
        if n == 0:
            self.totals = None
            self.totals_line.setText(self._totals_text(0, None))
        else:
            self.tasks.submit(
                load_invoice_totals, self.page.vault, values,
                on_done=lambda totals: self._totals_arrived(generation, n, totals),
                on_error=self.page.show_error,
            )
        if n and self._restore is not None:
            rowid, row = self._restore
            found = self.model.row_of(rowid) if rowid is not None else -1
            target = found if found >= 0 else min(max(row, 0), n - 1)
            self.table.setCurrentIndex(self.model.index(target, 0))

    def _totals_arrived(self, generation: int, n: int, totals: Any) -> None:
        if generation != self._generation or self.page.vault is None:
            return
        self.totals = totals
        self.totals_line.setText(self._totals_text(n, totals))

    def _totals_text(self, n: int, totals: Any) -> str:
        if n == 0:
            return "No invoices match these filters." if self.filtered() else ""
        head = f"{QLocale().toString(n)} {'invoice' if n == 1 else 'invoices'}"
        parts = []
        for t in field(totals, "per_currency", "currencies", default=totals) or ():
            currency = field(t, "currency", default="")
            total = amount_of(t, "total")
            open_ = amount_of(t, "open")
            parts.append(f"{currency}: total {money_text(total, currency)}, "
                         f"open {money_text(open_, currency)}")
        return f"{head} · " + " · ".join(parts) if parts else head

    def _fetch(self, rowids: list[int], deliver: Callable[[list[Any]], None]) -> None:
        if self.page.vault is not None:
            self.tasks.submit(service("invoice_lists.fetch_invoice_rows"), self.page.vault,
                              rowids, on_done=deliver)

    def clear(self) -> None:
        self._generation += 1
        self.model.clear()
        self.totals_line.clear()
        self.customer.vault = None
        self.customer.set_customer("", "", "")

    # -- actions -----------------------------------------------------------------------
    def current_record(self) -> Any | None:
        return self.model.record_at(self.table.currentIndex().row())

    def open_current(self) -> None:
        record = self.current_record()
        if record is not None:
            self.page.open_document("invoice", record.id)

    def delete_current(self) -> None:
        record = self.current_record()
        if record is None or field(record, "status") != "draft":
            return
        if not self.page.may("invoices.delete"):
            return
        if self.page.confirm("Delete this draft invoice? It has no number yet, so nothing "
                             "else changes."):
            self.tasks.submit(service("invoices.delete_draft"), self.page.vault, record.id,
                              writes={"sales"}, on_error=self.page.show_error)


QUOTE_COLUMNS = (
    ListColumn("Number", lambda q: field(q, "number", default="") or "Draft", width=130),
    ListColumn("Customer", customer_of, width=230),
    ListColumn("Issued", lambda q: date_text(field(q, "issue_date")), width=100),
    ListColumn("Valid until", lambda q: date_text(field(q, "valid_until")), width=100),
    ListColumn("Total", lambda q: row_money(q, "total"), width=120),
    ListColumn("Status", lambda q: status_text(field(q, "status", default="")), width=120),
)
QUOTE_STATUS_FILTERS = (("", "All quotes"), ("draft", "Drafts"), ("sent", "Sent"),
                        ("accepted", "Accepted"), ("declined", "Declined"),
                        ("expired", "Expired"))


class QuoteListModel(RecordListModel):
    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if index.column() == 4 else None
        return super().data(index, role)


def load_first_quotes(vault: Any, values: dict[str, Any]) -> list[Any]:
    return list(service("quotes.first_quote_rows")(vault, limit=BATCH, **values))


def load_quote_ids(vault: Any, values: dict[str, Any]) -> array:
    return service("quotes.ordered_quote_ids")(vault, **values)


class QuotesTab(QWidget):
    """Quotes with their status, newest first: read by key like the invoice list (the
    first rows from the index, then every id, rows fetched as they scroll into view)."""

    def __init__(self, page: SalesPage) -> None:
        super().__init__()
        self.page = page
        self.tasks = page.tasks
        self._generation = 0
        self.status = QComboBox()
        self.status.setObjectName("quoteStatusFilter")
        for value, text in QUOTE_STATUS_FILTERS:
            self.status.addItem(text, value)
        self.status.activated.connect(lambda _i: self.reload())
        self.model = QuoteListModel(QUOTE_COLUMNS, self._fetch, batch=BATCH, parent=self)
        self.table = RecordTable()
        self.table.setObjectName("quoteTable")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSortIndicatorShown(False)
        for section, column in enumerate(QUOTE_COLUMNS):
            self.table.horizontalHeader().resizeSection(section, column.width)
        self.table.open_requested.connect(self.open_current)
        self.table.doubleClicked.connect(lambda _index: self.open_current())
        new = QPushButton("New quote…")
        new.setObjectName("newQuote")
        new.clicked.connect(lambda: page.new_document("quote"))
        self.new_button = new
        self.count = label("", "hint")
        self.count.setObjectName("quoteCount")
        row = QHBoxLayout()
        row.addWidget(self.status)
        row.addWidget(self.count, 1)
        row.addWidget(new)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 10, 0, 0)
        box.addLayout(row)
        box.addWidget(self.table, 1)

    def filter_values(self) -> dict[str, Any]:
        return {"status": self.status.currentData() or ""}

    def reload(self) -> None:
        vault = self.page.vault
        if vault is None:
            return
        self._generation += 1
        generation = self._generation
        values = self.filter_values()
        current = self.current_record()
        self._keep = current.rowid if current is not None else None
        self.tasks.submit(load_first_quotes, vault, values,
                          on_done=lambda rows: self._first_arrived(generation, values, rows),
                          on_error=self.page.show_error)

    def _first_arrived(self, generation: int, values: dict[str, Any], rows: list[Any]) -> None:
        if generation != self._generation or self.page.vault is None:
            return
        if not self.model.complete or not self.model.rowCount():
            self.model.set_preview(rows)
            if rows and not self.table.currentIndex().isValid():
                self.table.setCurrentIndex(self.model.index(0, 0))
        self.tasks.submit(load_quote_ids, self.page.vault, values,
                          on_done=lambda ids: self._arrived(generation, ids),
                          on_error=self.page.show_error)

    def _arrived(self, generation: int, ids: array) -> None:
        if generation != self._generation or self.page.vault is None:
            return
        self.model.set_ids(ids)
        n = len(ids)
        filtered = bool(self.status.currentData())
        if n:
            self.count.setText(f"{QLocale().toString(n)} {'quote' if n == 1 else 'quotes'}")
        else:
            self.count.setText("No quotes match this filter." if filtered else
                               "No quotes yet. A quote can become an invoice once it is "
                               "accepted.")
        keep = getattr(self, "_keep", None)
        found = self.model.row_of(keep) if keep is not None else -1
        if n:
            self.table.setCurrentIndex(self.model.index(max(found, 0), 0))

    def _fetch(self, rowids: list[int], deliver: Callable[[list[Any]], None]) -> None:
        if self.page.vault is not None:
            self.tasks.submit(service("quotes.fetch_quote_rows"), self.page.vault, rowids,
                              on_done=deliver)

    def current_record(self) -> Any | None:
        return self.model.record_at(self.table.currentIndex().row())

    def open_current(self) -> None:
        record = self.current_record()
        if record is not None:
            self.page.open_document("quote", record.id)

    def clear(self) -> None:
        self._generation += 1
        self.model.clear()
        self.count.clear()


class ProductDialog(QDialog):
    """A product or service of the catalog: name, unit, price and default tax rate."""

    def __init__(self, product: Any, rates: list[Any], currency: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from crasme_desktop.ui.business_settings import rate_percent_of

        self.setObjectName("productDialog")
        self.setWindowTitle("Product or service")
        self.product = product
        self.name = QLineEdit(field(product, "name", default=""))
        self.name.setObjectName("productName")
        self.description = QLineEdit(field(product, "description", default=""))
        self.description.setObjectName("productDescription")
        self.unit = QComboBox()
        self.unit.setObjectName("productUnit")
        self.unit.setEditable(True)
        self.unit.addItems(["h", "day", "pcs", "month", "km", "kg", "flat"])
        self.unit.setCurrentText(field(product, "unit", default="pcs"))
        self.price = QLineEdit()
        self.price.setObjectName("productPrice")
        price = amount_of(product, "unit_price") if product is not None else None
        if price is not None:
            self.price.setText(decimal_input(price))
        self.currency = QComboBox()
        self.currency.setObjectName("productCurrency")
        self.currency.setEditable(True)
        self.currency.addItems(list(COMMON_CURRENCIES))
        self.currency.setCurrentText(field(product, "currency", default=currency) or currency)
        self.tax_rate = QComboBox()
        self.tax_rate.setObjectName("productTaxRate")
        chosen = field(product, "tax_rate_id")
        for rate in rates:
            self.tax_rate.addItem(rate_label(field(rate, "name", default=""),
                                             rate_percent_of(rate)), rate.id)
            if chosen is None and field(rate, "is_default", default=False):
                chosen = rate.id
        self.tax_rate.setCurrentIndex(max(self.tax_rate.findData(chosen), 0))
        self.error = FieldError("productError")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Description", self.description)
        form.addRow("Unit", self.unit)
        form.addRow("Unit price", self.price)
        form.addRow("Currency", self.currency)
        form.addRow("Tax rate", self.tax_rate)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addWidget(buttons)
        self.setMinimumWidth(440)

    def _check(self) -> None:
        price = parse_decimal(self.price.text())
        if not self.name.text().strip():
            self.error.show_message("Give the product a name.")
        elif price is None:
            self.error.show_message("Type the unit price as a number, for example 80 or 12.50.")
        else:
            self.accept()

    def values(self) -> dict[str, Any]:
        return {
            "id": field(self.product, "id"),
            "name": self.name.text().strip(),
            "description": self.description.text().strip(),
            "unit": self.unit.currentText().strip(),
            "unit_price": parse_decimal(self.price.text()),
            "currency": self.currency.currentText().strip().upper(),
            "tax_rate_id": self.tax_rate.currentData(),
        }


class ProductsTab(QWidget):
    """The catalog: search, add, edit, archive."""

    HEADERS = ("Name", "Unit", "Price", "Tax rate", "Description")

    def __init__(self, page: SalesPage) -> None:
        super().__init__()
        self.page = page
        self.products: list[Any] = []
        self.rates: list[Any] = []
        self.currency = "EUR"
        self.ask_product: Callable[[Any], dict[str, Any] | None] = self._ask_product
        self.search = QLineEdit()
        self.search.setObjectName("productSearch")
        self.search.setPlaceholderText("Find a product")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self.reload())
        self.archived = QCheckBox("Show archived")
        self.archived.setObjectName("showArchivedProducts")
        self.archived.toggled.connect(lambda _on: self.reload())
        self.add_button = push_button("Add product…", "addProduct", self.add_product)
        self.edit_button = push_button("Edit…", "editProduct", self.edit_product)
        self.archive_button = push_button("Archive", "archiveProduct", self.archive_product)
        self.table = _table("productTable", self.HEADERS)
        for section, width in enumerate((240, 70, 110, 120)):
            self.table.horizontalHeader().resizeSection(section, width)
        self.table.doubleClicked.connect(lambda _index: self.edit_product())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, self.edit_product,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.error = FieldError("productsError")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.archived)
        bar.addWidget(self.add_button)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.archive_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 10, 0, 0)
        box.addLayout(bar)
        box.addWidget(self.table, 1)
        box.addWidget(self.error)
        self._update_buttons()

    def reload(self) -> None:
        if self.page.vault is not None:
            self.page.tasks.submit(load_product_setup, self.page.vault, self.search.text(),
                                   self.archived.isChecked(), on_done=self._show,
                                   on_error=self.page.show_error)

    def _show(self, setup: tuple[list[Any], list[Any], Any]) -> None:
        if self.page.vault is None:
            return
        from crasme_desktop.ui.business_settings import rate_percent_of

        products, rates, business = setup
        self.rates = rates
        self.currency = business.default_currency or "EUR"
        names = {r.id: rate_label(field(r, "name", default=""), rate_percent_of(r))
                 for r in rates}
        self.products = list(products)
        self.table.setRowCount(len(self.products))
        for row, p in enumerate(self.products):
            archived = bool(field(p, "archived", default=False))
            color = theme.QUIET if archived else None
            name = field(p, "name", default="") + (" (archived)" if archived else "")
            cells = (_item(name, color=color), _item(field(p, "unit", default=""), color=color),
                     _item(row_money(p, "unit_price"), right=True, color=color),
                     _item(names.get(field(p, "tax_rate_id"), "The default rate"), color=color),
                     _item(field(p, "description", default=""), color=color))
            for column, item in enumerate(cells):
                self.table.setItem(row, column, item)
        self._update_buttons()

    def current_product(self) -> Any | None:
        row = self.table.currentRow()
        if not self.table.selectionModel().hasSelection():
            return None
        return self.products[row] if 0 <= row < len(self.products) else None

    def _update_buttons(self) -> None:
        product = self.current_product()
        vault = self.page.vault
        gate(self.add_button, vault, "products.create")
        if gate(self.edit_button, vault, "products.edit"):
            self.edit_button.setEnabled(product is not None)
        if gate(self.archive_button, vault, "products.edit"):
            self.archive_button.setEnabled(product is not None)
        archived = product is not None and bool(field(product, "archived", default=False))
        self.archive_button.setText("Restore" if archived else "Archive")

    def add_product(self) -> None:
        if not self.page.may("products.create"):
            return
        values = self.ask_product(None)
        if values is not None:
            self._save(values)

    def edit_product(self) -> None:
        product = self.current_product()
        if product is None or not self.page.may("products.edit"):
            return
        values = self.ask_product(product)
        if values is not None:
            self._save(values)

    def _save(self, values: dict[str, Any]) -> None:
        self.error.clear_message()
        self.page.tasks.submit(save_product_fields, self.page.vault, values, writes={"sales"},
                               on_error=lambda e: self.error.show_message(e.message))

    def archive_product(self) -> None:
        product = self.current_product()
        if product is not None and self.page.may("products.edit"):
            archived = bool(field(product, "archived", default=False))
            self.page.tasks.submit(service("catalog.archive_product"), self.page.vault,
                                   product.id, not archived, writes={"sales"},
                                   on_error=lambda e: self.error.show_message(e.message))

    def _ask_product(self, product: Any) -> dict[str, Any] | None:
        dialog = ProductDialog(product, self.rates, self.currency, self)
        self.page.dialog = dialog
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def clear(self) -> None:
        self.products = []
        self.table.setRowCount(0)


AGING_BUCKETS = (("current", "Not yet due"), ("days_1_30", "1–30 days"),
                 ("days_31_60", "31–60 days"), ("days_61_90", "61–90 days"),
                 ("days_over_90", "Over 90 days"))


class ReportsTab(QWidget):
    """What customers owe by how late it is, and revenue by month."""

    def __init__(self, page: SalesPage) -> None:
        super().__init__()
        self.page = page
        self.aging = _table("agingTable", ("Currency", *(t for _k, t in AGING_BUCKETS),
                                           "Total open"))
        self.aging.setMaximumHeight(150)
        for section, width in enumerate((90, 130, 130, 130, 130, 130, 140)):
            self.aging.horizontalHeader().resizeSection(section, width)
        self.revenue = _table("revenueTable", ("Month", "Currency", "Net", "With tax",
                                               "Invoices", "Credit notes"))
        for section, width in enumerate((160, 90, 130, 130, 90, 110)):
            self.revenue.horizontalHeader().resizeSection(section, width)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 10, 0, 0)
        box.addWidget(label("Open amounts by how late they are (today)", "section"))
        box.addWidget(self.aging)
        box.addSpacing(10)
        box.addWidget(label("Revenue by month (issued invoices less credit notes, "
                            "last twelve months)", "section"))
        box.addWidget(self.revenue, 1)

    def reload(self) -> None:
        if self.page.vault is not None:
            self.page.tasks.submit(load_reports, self.page.vault, date.today(),
                                   on_done=self._show, on_error=self.page.show_error)

    def _show(self, got: tuple[Any, list[Any]]) -> None:
        if self.page.vault is None:
            return
        aging, months = got
        rows = list(field(aging, "per_currency", "currencies", "rows", default=aging) or ())
        self.aging.setRowCount(len(rows))
        for row, bucket in enumerate(rows):
            currency = field(bucket, "currency", default="")
            self.aging.setItem(row, 0, _item(currency))
            total = Decimal(0)
            for column, (name, _title) in enumerate(AGING_BUCKETS, start=1):
                amount = amount_of(bucket, name) or Decimal(0)
                total += amount
                late = column > 1 and amount > 0
                self.aging.setItem(row, column, _item(money_text(amount, currency), right=True,
                                                      color=theme.DANGER if late else None))
            self.aging.setItem(row, len(AGING_BUCKETS) + 1,
                               _item(money_text(total, currency), right=True))
        self.revenue.setRowCount(len(months))
        for row, month in enumerate(months):
            currency = field(month, "currency", default="")
            start = field(month, "month", "start", default=None)
            when = (QLocale().toString(QDate(start.year, start.month, 1), "MMMM yyyy")
                    if isinstance(start, date) else str(start))
            locale = QLocale()
            cells = (_item(when), _item(currency),
                     _item(money_text(amount_of(month, "net"), currency), right=True),
                     _item(money_text(amount_of(month, "gross"), currency), right=True),
                     _item(locale.toString(int(field(month, "invoices", default=0))),
                           right=True),
                     _item(locale.toString(int(field(month, "credit_notes", default=0))),
                           right=True))
            for column, item in enumerate(cells):
                self.revenue.setItem(row, column, item)

    def clear(self) -> None:
        self.aging.setRowCount(0)
        self.revenue.setRowCount(0)


# -- the page --------------------------------------------------------------------------
class SalesPage(Page):
    key = "sales"
    title = "Sales"
    description = "Quotes, invoices, payments and credit notes in one place."
    icon_name = "sales"
    areas = frozenset({"sales"})

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.dialog: QDialog | None = None
        self.editor: Any = None
        self.confirm: Callable[[str], bool] = self._confirm

        self.error = label("", "error")
        self.error.setObjectName("salesError")
        self.error.hide()
        self.new_invoice_button = QPushButton("New invoice…")
        self.new_invoice_button.setObjectName("newInvoice")
        self.new_invoice_button.setProperty("primary", True)
        self.new_invoice_button.setToolTip("Write a new invoice (Ctrl+N)")
        self.new_invoice_button.clicked.connect(lambda: self.new_document("invoice"))
        self.new_quote_button = QPushButton("New quote…")
        self.new_quote_button.setObjectName("newQuoteButton")
        self.new_quote_button.clicked.connect(lambda: self.new_document("quote"))
        toolbar = QWidget()
        row = QHBoxLayout(toolbar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.error, 1)
        row.addStretch(0)
        row.addWidget(self.new_quote_button)
        row.addWidget(self.new_invoice_button)
        self.layout().insertWidget(3, toolbar)

        self.invoices = InvoicesTab(self)
        self.quotes = QuotesTab(self)
        self.products = ProductsTab(self)
        self.recurring = RecurringTab(self)
        self.reports = ReportsTab(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("salesTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.invoices, "Invoices")
        self.tabs.addTab(self.quotes, "Quotes")
        self.tabs.addTab(self.recurring, "Recurring")
        self.tabs.addTab(self.products, "Products")
        self.tabs.addTab(self.reports, "Reports")
        self.tabs.currentChanged.connect(self._tab_shown)
        self.stack.addWidget(self.tabs)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self._new_shortcut)

    # -- life cycle --------------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self.apply_permissions()
        self.invoices.attach(vault)
        self._tab_shown(self.tabs.currentIndex())

    def refresh(self) -> None:
        if self.vault is None:
            return
        self.invoices.reload(keep_rows=True)
        self._tab_shown(self.tabs.currentIndex())

    def on_changed(self, areas: frozenset[str]) -> None:
        if self.concerned(areas):
            self.error.hide()
            self.refresh()

    def apply_permissions(self) -> None:
        gate(self.new_invoice_button, self.vault, "invoices.create",
             tip="Write a new invoice (Ctrl+N)")
        gate(self.new_quote_button, self.vault, "quotes.create")
        gate(self.quotes.new_button, self.vault, "quotes.create")
        self.products._update_buttons()
        self.recurring._update_buttons()

    def _tab_shown(self, index: int) -> None:
        tab = self.tabs.widget(index)
        if tab is not self.invoices and self.vault is not None:
            tab.reload()

    def clear(self) -> None:
        super().clear()
        for tab in (self.invoices, self.quotes, self.recurring, self.products, self.reports):
            tab.clear()
        if self.editor is not None:
            self.editor.close_without_asking()
            self.editor = None

    # -- opening -----------------------------------------------------------------------
    def _new_shortcut(self) -> None:
        self.new_document("quote" if self.tabs.currentWidget() is self.quotes else "invoice")

    def new_document(self, kind: str) -> None:
        if self.may("quotes.create" if kind == "quote" else "invoices.create"):
            self._open_editor(kind, None)

    def open_document(self, kind: str, record_id: str) -> None:
        self._open_editor(kind, record_id)

    def open_filtered(self, filter_name: str) -> None:
        """A list asked for by name (the dashboard's tiles): an invoice status filter
        such as "overdue", with every other filter cleared (so it shows what the tile
        counted)."""
        self.tabs.setCurrentWidget(self.invoices)
        self.invoices.clear_filters()
        self.invoices.set_status_filter(filter_name)

    def show_invoice(self, record_id: str) -> None:
        """Show an invoice found elsewhere (the global search)."""
        self.tabs.setCurrentWidget(self.invoices)
        self.open_document("invoice", record_id)

    def show_quote(self, record_id: str) -> None:
        """Show a quote made elsewhere (a deal's "Make quote")."""
        self.tabs.setCurrentWidget(self.quotes)
        self.open_document("quote", record_id)

    def _open_editor(self, kind: str, record_id: str | None) -> Any:
        if self.vault is None:
            return None
        if self.editor is not None and not self.editor.isVisible():
            self.editor.deleteLater()
        editor = editor_class()(self.tasks, self.vault, kind, record_id, self)
        editor.open_other.connect(self._open_editor)
        self.editor = editor
        editor.open()
        return editor

    # -- messages ----------------------------------------------------------------------
    def show_error(self, error: UserError) -> None:
        self.error.setText(error.message)
        self.error.show()

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, APP_NAME, text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes
