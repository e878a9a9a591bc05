"""The new-ticket dialog: a ticket made by hand, for a call or a visit.

Subject, requester (a person, picked by name as the deal editor picks one), company
(the requester's unless another is picked), priority, category, assignee, tags and
the first message, either what the customer said or an internal note. What can be
checked here (a subject, a picked requester) is checked before saving, with a
sentence above the buttons; the rest comes back from the service in the same place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.deal_editor import KindPicker
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.permission_gate import allowed, gate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.ticket_view import PRIORITY_TEXT

FIRST_MESSAGE_KINDS = (("customer", "What the customer said"), ("note", "An internal note"))


def create(vault: Any, values: dict[str, Any], body: str, body_kind: str) -> Any:
    draft = service("tickets.TicketDraft")(**values)
    return service("tickets.create_ticket")(vault, draft, body=body, body_kind=body_kind)


class TicketEditor(QDialog):
    """`saved(record)` once the ticket is made."""

    saved = Signal(object)

    def __init__(self, tasks: TaskRunner, vault: Any, staff: Sequence[Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.vault = vault
        self.setObjectName("ticketEditor")
        self.setWindowTitle("New ticket")
        self.setMinimumWidth(540)
        self.subject = QLineEdit()
        self.subject.setObjectName("ticketSubject")
        self.subject.setPlaceholderText("A few words that say what the problem is")
        self.subject.setMaxLength(300)
        self.requester = KindPicker(tasks, "person", "Type the person's name")
        self.requester.setObjectName("ticketRequesterPicker")
        self.requester.vault = vault
        self.company = KindPicker(tasks, "organization", "The requester's company")
        self.company.setObjectName("ticketCompanyPicker")
        self.company.vault = vault
        self.priority = QComboBox()
        self.priority.setObjectName("ticketPriorityChoice")
        for value in ("low", "normal", "high", "urgent"):
            self.priority.addItem(PRIORITY_TEXT[value], value)
        self.priority.setCurrentIndex(1)
        self.category = QLineEdit()
        self.category.setObjectName("ticketCategoryField")
        self.category.setPlaceholderText("e.g. Billing, Heating, Website")
        self.assignee = QComboBox()
        self.assignee.setObjectName("ticketAssigneeChoice")
        self.assignee.addItem("Nobody yet", "")
        for member in staff:
            if member.active:
                self.assignee.addItem(member.name, member.id)
        self.tags = QLineEdit()
        self.tags.setObjectName("ticketTagsField")
        self.tags.setPlaceholderText("Separated by commas")
        self.first_kind = QComboBox()
        self.first_kind.setObjectName("ticketFirstKind")
        for value, text in FIRST_MESSAGE_KINDS:
            self.first_kind.addItem(text, value)
        self.first_message = QPlainTextEdit()
        self.first_message.setObjectName("ticketFirstMessage")
        self.first_message.setTabChangesFocus(True)
        self.first_message.setPlaceholderText("What the customer asked or told you")
        self.first_message.setFixedHeight(120)

        form = QFormLayout()
        form.addRow("Subject", self.subject)
        form.addRow("Requester", self.requester)
        form.addRow("Company", self.company)
        form.addRow("Priority", self.priority)
        form.addRow("Category", self.category)
        form.addRow("Assignee", self.assignee)
        form.addRow("Tags", self.tags)
        form.addRow("First message", self.first_kind)
        form.addRow("", self.first_message)
        self.error = QLabel("")
        self.error.setObjectName("ticketEditorError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("ticketSave")
        self.save_button.setText("Add ticket")
        gate(self.save_button, vault, "tickets.create")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addWidget(self.buttons)
        self.subject.setFocus()

    def problem(self) -> str:
        """The first thing that stops saving, as a sentence ("" when none)."""
        if not self.subject.text().strip():
            return "Give the ticket a subject: a few words that say what the problem is."
        if not self.requester.record_id:
            if self.requester.text().strip():
                return "Pick the requester from the list that appears as you type."
            return "Choose who asked: a ticket needs a requester."
        if self.company.text().strip() and not self.company.record_id:
            return "Pick the company from the list that appears as you type, or leave it empty."
        return ""

    def values(self) -> dict[str, Any]:
        return {
            "subject": self.subject.text(),
            "requester_id": self.requester.record_id or None,
            "organization_id": self.company.record_id or None,
            "priority": self.priority.currentData(),
            "category": self.category.text(),
            "assignee_id": self.assignee.currentData() or None,
            "tags": self.tags.text(),
        }

    def save(self) -> None:
        if not allowed(self.vault, "tickets.create"):
            return
        problem = self.problem()
        if problem:
            self.show_error(UserError(problem))
            return
        self.error.hide()
        self.save_button.setEnabled(False)
        self.tasks.submit(create, self.vault, self.values(), self.first_message.toPlainText(),
                          self.first_kind.currentData(), writes={"tickets"},
                          on_done=self._saved, on_error=self._failed)

    def _saved(self, record: Any) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(record)
        self.accept()

    def _failed(self, error: UserError) -> None:
        self.save_button.setEnabled(True)
        self.show_error(error)

    def show_error(self, error: UserError) -> None:
        self.error.setText(error.message)
        self.error.show()
