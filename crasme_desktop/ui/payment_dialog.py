"""Record a payment of an invoice: date, amount (the open amount to start with),
method and reference.

A payment larger than what is open is not taken silently: the dialog says by how
much it exceeds the open amount and asks whether to refuse it (and correct the
amount) or to keep the difference as the customer's credit.

When the customer holds credit in the invoice's currency (from an overpayment or a
credit note on a paid invoice), the dialog says how much and offers "Use credit": the
method becomes "Customer credit" and the amount the credit or the open amount, whichever
is smaller; such a payment is never more than either. Credit in another currency is
named, and cannot be used.
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
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
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
#: The method of a payment taken from the customer's credit (`invoices.apply_credit`).
CREDIT = "credit"


class PaymentDialog(QDialog):
    """Asks for one payment; `answer()` gives (values for PaymentDraft, overpayment)."""

    def __init__(self, currency: str, open_amount: Decimal, parent: QWidget | None = None,
                 *, today: date | None = None, credit: Decimal | None = None,
                 other_credit: tuple[tuple[str, Decimal], ...] = ()) -> None:
        super().__init__(parent)
        self.setObjectName("paymentDialog")
        self.setWindowTitle(f"Record payment – {APP_NAME}")
        self.currency = currency
        self.open_amount = open_amount
        self.credit = credit if credit is not None and credit > 0 else Decimal(0)
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
        if self.credit:
            self.method.addItem("Customer credit", CREDIT)
        self.method.currentIndexChanged.connect(self._method_changed)
        self.credit_note = label("", "hint")
        self.credit_note.setObjectName("paymentCreditNote")
        self.credit_note.setWordWrap(True)
        self.use_credit = QPushButton("Use credit")
        self.use_credit.setObjectName("useCredit")
        self.use_credit.clicked.connect(self.choose_credit)
        if self.credit:
            self.credit_note.setText(
                f"This customer has {money_text(self.credit, currency)} of credit, which "
                "can pay this invoice.")
        elif other_credit:
            held = ", ".join(money_text(amount, code) for code, amount in other_credit)
            self.credit_note.setText(
                f"This customer has credit in another currency ({held}); it cannot pay an "
                f"invoice in {currency}.")
        self.credit_note.setVisible(bool(self.credit or other_credit))
        self.use_credit.setVisible(bool(self.credit))
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
        credit_row = QHBoxLayout()
        credit_row.addWidget(self.credit_note, 1)
        credit_row.addWidget(self.use_credit)
        box.addLayout(credit_row)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addWidget(buttons)
        self.setMinimumWidth(420)

    def choose_credit(self) -> None:
        """Pay from the customer's credit: as much as it covers of the open amount."""
        self.method.setCurrentIndex(self.method.findData(CREDIT))

    def _method_changed(self, _index: int) -> None:
        if self.method.currentData() == CREDIT:
            self.amount.setText(decimal_input(min(self.credit, self.open_amount)))
            self.reference.setPlaceholderText("Taken from the customer's credit")

    def check(self) -> None:
        amount = parse_decimal(self.amount.text())
        if amount is None or amount <= 0:
            self.error.show_message("Type the amount received as a number above zero, "
                                    "for example 250 or 99.90.")
            return
        if self.method.currentData() == CREDIT:
            if amount > self.credit:
                self.error.show_message(
                    f"The customer has only {money_text(self.credit, self.currency)} of "
                    "credit; use at most that.")
                return
            if amount > self.open_amount:
                self.error.show_message(
                    f"Only {money_text(self.open_amount, self.currency)} is due; use at most "
                    "that much credit.")
                return
            self.error.clear_message()
            self.accept()
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
