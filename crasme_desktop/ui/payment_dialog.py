"""Record a payment of an invoice: date, amount (the open amount to start with),
method and reference.

A payment larger than what is open is not taken silently: the dialog says by how
much it exceeds the open amount and asks whether to refuse it (and correct the
amount) or to keep the difference as the customer's credit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.sales_common import (
    decimal_input,
    from_qdate,
    money_text,
    parse_decimal,
    to_qdate,
)
from crasme_desktop.ui.widgets import FieldError

#: (stored text, shown text): the stored text is what the invoice's payment list shows.
METHODS = (("bank transfer", "Bank transfer"), ("cash", "Cash"), ("card", "Card"),
           ("direct debit", "Direct debit"), ("PayPal", "PayPal"), ("cheque", "Cheque"),
           ("other", "Other"))


class PaymentDialog(QDialog):
    """Asks for one payment; `answer()` gives (values for PaymentDraft, overpayment)."""

    def __init__(self, currency: str, open_amount: Decimal, parent: QWidget | None = None,
                 *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paymentDialog")
        self.setWindowTitle(f"Record payment – {APP_NAME}")
        self.currency = currency
        self.open_amount = open_amount
        self.overpayment = "refuse"
        #: Asks what to do with an overpayment: "credit", "refuse" or None (go back).
        self.ask_overpayment = self._ask_overpayment

        self.paid_on = QDateEdit()
        self.paid_on.setObjectName("paidOn")
        self.paid_on.setCalendarPopup(True)
        self.paid_on.setDate(to_qdate(today or date.today()))
        self.amount = QLineEdit(decimal_input(open_amount))
        self.amount.setObjectName("paymentAmount")
        self.amount.selectAll()
        self.method = QComboBox()
        self.method.setObjectName("paymentMethod")
        for value, text in METHODS:
            self.method.addItem(text, value)
        self.reference = QLineEdit()
        self.reference.setObjectName("paymentReference")
        self.reference.setPlaceholderText("Bank reference, receipt number…")
        self.note = QLineEdit()
        self.note.setObjectName("paymentNote")
        self.error = FieldError("paymentError")
        form = QFormLayout()
        form.addRow("Date", self.paid_on)
        form.addRow(f"Amount ({currency})", self.amount)
        form.addRow("Method", self.method)
        form.addRow("Reference", self.reference)
        form.addRow("Note", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Record payment")
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(label(f"Still open: {money_text(open_amount, currency)}", "description"))
        box.addLayout(form)
        box.addWidget(self.error)
        box.addWidget(buttons)
        self.setMinimumWidth(420)

    def check(self) -> None:
        amount = parse_decimal(self.amount.text())
        if amount is None or amount <= 0:
            self.error.show_message("Type the amount received as a number above zero, "
                                    "for example 250 or 99.90.")
            return
        if amount > self.open_amount:
            choice = self.ask_overpayment(amount - self.open_amount)
            if choice is None or choice == "refuse":
                self.error.show_message(
                    f"Only {money_text(self.open_amount, self.currency)} is open; correct "
                    "the amount, or keep the difference as credit.")
                return
            self.overpayment = "credit"
        self.error.clear_message()
        self.accept()

    def answer(self) -> tuple[dict[str, Any], str]:
        values = {
            "paid_on": from_qdate(self.paid_on.date()),
            "amount": parse_decimal(self.amount.text()),
            "currency": self.currency,
            "method": str(self.method.currentData()),
            "reference": self.reference.text().strip(),
            "note": self.note.text().strip(),
        }
        return values, self.overpayment

    def _ask_overpayment(self, excess: Decimal) -> str | None:
        box = QMessageBox(self)
        box.setWindowTitle(APP_NAME)
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(f"This payment is {money_text(excess, self.currency)} more than what is "
                    "open on the invoice.")
        box.setInformativeText("Keep the difference as the customer's credit, or go back "
                               "and correct the amount?")
        keep = box.addButton("Keep as credit", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Correct the amount", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return "credit" if box.clickedButton() is keep else "refuse"
