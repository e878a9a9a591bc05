"""Send a quote or invoice by email: who to, the subject and message, the PDF it carries.

The dialog asks the services what it needs (`mailing.prepare_email`: the customer's
addresses, number, amount, due date, business name, the PDF's file name) and fills in
a message from a template, with the amount and date written the person's way. Sending
renders the PDF and talks to the mail server on a worker; a busy bar shows meanwhile,
a failure is one sentence in the dialog, and success says where the mail went. A
password field appears only when this computer's keychain does not hold the password.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.sales_common import money_text, to_qdate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import FieldError

#: What a sent email changes: the customer's timeline (and the sales views that show it).
CHANGED_AREAS = frozenset({"activities", "sales"})
KIND_WORDS = {"invoice": "invoice", "credit_note": "credit note", "quote": "quote"}
PASSWORD_HINT = (
    "This computer's keychain does not hold the email password; type it for this email."
)  # nosec B105  # a label or setting name, not a password


def long_date(value: date, locale: QLocale | None = None) -> str:
    return (locale or QLocale()).toString(to_qdate(value), QLocale.FormatType.LongFormat)


def email_template(draft: Any, locale: QLocale | None = None) -> tuple[str, str]:
    """(subject, body) for a `MailDraft`, with amount and date as `locale` writes them."""
    word = KIND_WORDS.get(draft.kind, "document")
    business = draft.business_name
    subject = f"{word.capitalize()} {draft.number}" + (f" from {business}" if business else "")
    amount = money_text(draft.amount, draft.currency, locale)
    if draft.kind == "quote":
        what = f"our quote {draft.number} for {amount}"
        when = f", valid until {long_date(draft.due_date, locale)}" if draft.due_date else ""
    elif draft.kind == "credit_note":
        what, when = f"credit note {draft.number} for {amount}", ""
    else:
        what = f"invoice {draft.number} for {amount}"
        when = f", due on {long_date(draft.due_date, locale)}" if draft.due_date else ""
    greeting = f"Hello {draft.customer_name}," if draft.customer_name else "Hello,"
    lines = [greeting, "", f"please find attached {what}{when}.", "", "Kind regards"]
    if business:
        lines.append(business)
    return subject, "\n".join(lines) + "\n"


class SendDialog(QDialog):
    """`SendDialog(tasks, vault, kind, record_id)`; kind "invoice" (credit notes too)
    or "quote". Emits `sent(SentMail)` once the mail is on its way."""

    sent = Signal(object)

    def __init__(self, tasks: TaskRunner, vault: Any, kind: str, record_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sendDialog")
        self.setWindowTitle("Send by email")
        self.setModal(True)
        self.setMinimumWidth(560)
        self.tasks = tasks
        self.vault = vault
        self.kind = kind
        self.record_id = record_id
        self.draft: Any = None
        self.result: Any = None

        self.intro = label("Getting the email ready…", "hint")
        self.intro.setObjectName("sendIntro")
        self.to = QComboBox()
        self.to.setObjectName("sendTo")
        self.to.setEditable(True)
        self.to.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.to.lineEdit().setPlaceholderText("name@example.com")
        self.to.setToolTip("Several addresses can be separated by commas")
        self.subject = QLineEdit()
        self.subject.setObjectName("sendSubject")
        self.body = QPlainTextEdit()
        self.body.setObjectName("sendBody")
        self.body.setMinimumHeight(180)
        self.attachment = QLabel()
        self.attachment.setObjectName("sendAttachment")
        self.attachment.setTextFormat(Qt.TextFormat.PlainText)
        self.password = QLineEdit()
        self.password.setObjectName("sendPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Email password")
        self.password_hint = label(PASSWORD_HINT, "hint")
        self.error = FieldError("sendError")
        self.progress = QProgressBar()
        self.progress.setObjectName("sendProgress")
        self.progress.setRange(0, 0)  # busy: how long the server takes is not known
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.done_note = label("", "hint")
        self.done_note.setObjectName("sendDone")
        self.done_note.hide()

        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setProperty("primary", True)
        self.send_button.setDefault(True)
        self.send_button.setEnabled(False)
        self.send_button.clicked.connect(self.send)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)

        self.form = QFormLayout()
        self.form.addRow("To", self.to)
        self.form.addRow("Subject", self.subject)
        self.form.addRow("Message", self.body)
        self.form.addRow("Attached", self.attachment)
        self.form.addRow("Password", self.password)
        self.form.addRow("", self.password_hint)
        self._show_password_row(False)
        box = QVBoxLayout(self)
        box.setSpacing(12)
        box.addWidget(self.intro)
        box.addLayout(self.form)
        box.addWidget(self.error)
        box.addWidget(self.progress)
        box.addWidget(self.done_note)
        box.addWidget(self.buttons)
        for edit in (self.subject, self.password):
            edit.textEdited.connect(self._edited)
        self.to.editTextChanged.connect(self._edited)
        self.body.textChanged.connect(self._edited)

        self.tasks.submit(service("mailing.prepare_email"), vault, kind, record_id,
                          QLocale().name(), on_done=self._prepared, on_error=self._not_ready)

    # -- filling in ------------------------------------------------------------------
    def _prepared(self, draft: Any) -> None:
        self.draft = draft
        word = KIND_WORDS.get(draft.kind, "document")
        self.setWindowTitle(f"Send {word} {draft.number}")
        self.intro.setText(
            f"The {word} goes as a PDF attachment; the email is noted on the customer's "
            "timeline."
        )
        self.to.clear()
        self.to.addItems(list(draft.recipients))
        if draft.recipients:
            self.to.setCurrentIndex(0)
        subject, body = email_template(draft)
        self.subject.setText(subject)
        self.body.setPlainText(body)
        self.attachment.setText(draft.attachment_name)
        self._show_password_row(draft.password_needed)
        if not draft.mail_ready:
            self.error.show_message(
                "Set up email first: enter your mail server and address in Settings › Email."
            )
            return
        self.error.clear_message()
        self.send_button.setEnabled(True)
        (self.password if draft.password_needed and draft.recipients else self.to).setFocus()

    def _not_ready(self, error: UserError) -> None:
        self.intro.setText("This cannot be sent yet.")
        self.error.show_message(error.message)

    def _show_password_row(self, visible: bool) -> None:
        self.form.setRowVisible(self.password, visible)
        self.form.setRowVisible(self.password_hint, visible)

    def _edited(self) -> None:
        if self.draft is not None and self.draft.mail_ready and self.result is None:
            self.error.clear_message()

    # -- sending -----------------------------------------------------------------------
    def send(self) -> None:
        if self.draft is None or self.result is not None:
            return
        self.error.clear_message()
        self._busy(True)
        # Not a queued write: a slow mail server must not hold up other saves. The one
        # timeline entry is a short write of its own inside the service.
        self.tasks.submit(
            service("mailing.send_document"), self.vault, self.kind, self.record_id,
            self.to.currentText(), self.subject.text(), self.body.toPlainText(),
            password=self.password.text() or None,
            on_done=self._sent, on_error=self._failed,
        )

    def _sent(self, result: Any) -> None:
        self.result = result
        self._busy(False)
        self.tasks.changed.emit(CHANGED_AREAS)
        note = f"Sent to {', '.join(result.recipients)}."
        if result.refused:
            note = (f"Sent to {', '.join(result.recipients)}; the mail server refused "
                    f"{', '.join(result.refused)}.")
        self.done_note.setText(note)
        self.done_note.show()
        self.send_button.hide()
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        for widget in (self.to, self.subject, self.body, self.password):
            widget.setEnabled(False)
        self.sent.emit(result)

    def _failed(self, error: UserError) -> None:
        self._busy(False)
        self.error.show_message(error.message)
        if getattr(error, "needs_password", False):
            self._show_password_row(True)
            self.password.setFocus()

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.send_button.setEnabled(not busy)
        for widget in (self.to, self.subject, self.body, self.password):
            widget.setEnabled(not busy)
