"""Choose what a credit note corrects: lines of the invoice, each for a quantity or an
amount, never more than is left to credit on that line.

The dialog opens with everything still creditable ticked (a full credit note); the
person unticks lines or lowers a quantity or types an amount instead. The total of the
credit note before tax is worked out as they type. `answer()` gives the parts for
`invoices.create_partial_credit_note`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.sales_common import decimal_input, money_text, number_text, parse_decimal
from crasme_desktop.ui.widgets import FieldError

COLUMNS = ("Credit", "#", "Description", "Invoiced", "Left to credit", "Quantity",
           "or amount")
TICK, NUMBER, DESCRIPTION, INVOICED, LEFT, QUANTITY, AMOUNT = range(len(COLUMNS))
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class CreditNoteDialog(QDialog):
    """`CreditNoteDialog(number, currency, lines)`: `lines` are `CreditableLine`s."""

    def __init__(self, number: str, currency: str, lines: list[Any],
                 parent: QWidget | None = None, *, prices_include_tax: bool = False) -> None:
        super().__init__(parent)
        self.prices_include_tax = prices_include_tax
        self.setObjectName("creditNoteDialog")
        self.setWindowTitle(f"Credit note for {number}")
        self.setMinimumSize(820, 420)
        self.currency = currency
        self.lines = list(lines)
        self.quantities: list[QLineEdit] = []
        self.amounts: list[QLineEdit] = []
        self.table = QTableWidget(len(self.lines), len(COLUMNS))
        self.table.setObjectName("creditLines")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        for column, width in ((TICK, 56), (NUMBER, 30), (INVOICED, 120), (LEFT, 110),
                              (QUANTITY, 90), (AMOUNT, 100)):
            header.resizeSection(column, width)
        for row, line in enumerate(self.lines):
            left = line.remaining > 0
            tick = QTableWidgetItem()
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                          if left else Qt.ItemFlag.NoItemFlags)
            tick.setCheckState(Qt.CheckState.Checked if left else Qt.CheckState.Unchecked)
            self.table.setItem(row, TICK, tick)
            invoiced = f"{number_text(line.quantity)} {line.unit}".strip()
            for column, text in ((NUMBER, str(line.position + 1)),
                                 (DESCRIPTION, line.description),
                                 (INVOICED, f"{invoiced} · {money_text(line.amount, currency)}"),
                                 (LEFT, money_text(line.remaining, currency))):
                item = QTableWidgetItem(text)
                if column in (INVOICED, LEFT):
                    item.setTextAlignment(_RIGHT)
                self.table.setItem(row, column, item)
            quantity = QLineEdit()
            quantity.setObjectName("creditQuantity")
            quantity.setAlignment(_RIGHT)
            amount = QLineEdit()
            amount.setObjectName("creditAmount")
            amount.setAlignment(_RIGHT)
            amount.setPlaceholderText(money_text(Decimal(0), currency))
            if left and line.credited == 0:
                quantity.setText(decimal_input(line.quantity))
            elif left:
                amount.setText(decimal_input(line.remaining))
            quantity.setEnabled(left)
            amount.setEnabled(left)
            quantity.textEdited.connect(lambda _t, r=row: self._typed(r, QUANTITY))
            amount.textEdited.connect(lambda _t, r=row: self._typed(r, AMOUNT))
            self.table.setCellWidget(row, QUANTITY, quantity)
            self.table.setCellWidget(row, AMOUNT, amount)
            self.quantities.append(quantity)
            self.amounts.append(amount)
        self.table.itemChanged.connect(lambda _item: self._update_total())
        self.total = label("", "description")
        self.total.setObjectName("creditTotal")
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("creditNotes")
        self.notes.setPlaceholderText(f"Reason printed on the credit note (optional), e.g. "
                                      f"returned goods; it always names invoice {number}")
        self.notes.setFixedHeight(56)
        self.error = FieldError("creditError")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Issue credit note")
        self.ok_button.setObjectName("issueCreditNote")
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(label("Tick the lines to credit and give a quantity, or an amount "
                            "instead. The credit note is issued at once with its own "
                            "number and reduces what is open on the invoice.", "hint"))
        box.addWidget(self.table, 1)
        box.addWidget(self.total)
        box.addWidget(self.notes)
        box.addWidget(self.error)
        box.addWidget(buttons)
        self._update_total()

    # -- typing ------------------------------------------------------------------------
    def _typed(self, row: int, column: int) -> None:
        """A quantity clears the amount and the other way round; typing ticks the line."""
        other = self.amounts[row] if column == QUANTITY else self.quantities[row]
        mine = self.quantities[row] if column == QUANTITY else self.amounts[row]
        if mine.text().strip():
            other.clear()
            self.table.item(row, TICK).setCheckState(Qt.CheckState.Checked)
        self._update_total()

    def set_line(self, row: int, *, quantity: Decimal | None = None,
                 amount: Decimal | None = None, ticked: bool = True) -> None:
        """Fill one line as the person would (tests, "credit this line only")."""
        self.quantities[row].setText(decimal_input(quantity) if quantity is not None else "")
        self.amounts[row].setText(decimal_input(amount) if amount is not None else "")
        self.table.item(row, TICK).setCheckState(
            Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self._update_total()

    def _line_amount(self, row: int) -> Decimal | None:
        from crasme_desktop.domain.money import MoneyLine, line_amount

        line = self.lines[row]
        quantity = parse_decimal(self.quantities[row].text())
        if quantity is not None:
            return line_amount(MoneyLine(quantity, line.unit_price, line.discount_percent,
                                         line.tax_rate_percent), self.currency)
        return parse_decimal(self.amounts[row].text())

    def _ticked(self, row: int) -> bool:
        return self.table.item(row, TICK).checkState() == Qt.CheckState.Checked

    def _update_total(self) -> None:
        total = Decimal(0)
        for row in range(len(self.lines)):
            if self._ticked(row):
                total += self._line_amount(row) or Decimal(0)
        priced = "with tax" if self.prices_include_tax else "before tax"
        self.total.setText(f"Credit note: {money_text(total, self.currency)} {priced}")

    # -- answer ------------------------------------------------------------------------
    def check(self) -> None:
        parts = self._parts()
        if parts is None:
            return
        if not parts:
            self.error.show_message("Tick at least one line to credit.")
            return
        self.error.clear_message()
        self.accept()

    def _parts(self) -> list[dict[str, Any]] | None:
        out = []
        for row, line in enumerate(self.lines):
            if not self._ticked(row):
                continue
            where = f"Line {line.position + 1}"
            quantity_text = self.quantities[row].text().strip()
            amount_text = self.amounts[row].text().strip()
            if quantity_text:
                quantity = parse_decimal(quantity_text)
                if quantity is None or quantity <= 0:
                    self.error.show_message(f"{where}: type the quantity as a number above "
                                            "zero.")
                    return None
                if quantity > line.quantity:
                    self.error.show_message(
                        f"{where}: only {number_text(line.quantity)} was invoiced; credit "
                        "at most that.")
                    return None
                amount = self._line_amount(row) or Decimal(0)
                part: dict[str, Any] = {"line_id": line.id, "quantity": quantity}
            elif amount_text:
                amount = parse_decimal(amount_text) or Decimal(0)
                if amount <= 0:
                    self.error.show_message(f"{where}: type the amount as a number above "
                                            "zero.")
                    return None
                part = {"line_id": line.id, "amount": amount}
            else:
                self.error.show_message(f"{where}: give a quantity or an amount, or untick "
                                        "the line.")
                return None
            if amount > line.remaining:
                self.error.show_message(
                    f"{where}: only {money_text(line.remaining, self.currency)} is left to "
                    "credit; lower the quantity or amount.")
                return None
            out.append(part)
        return out

    def answer(self) -> tuple[list[dict[str, Any]], str]:
        """(parts for CreditPart, the note text)."""
        return self._parts() or [], self.notes.toPlainText().strip()
