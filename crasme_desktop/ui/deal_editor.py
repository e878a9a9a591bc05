"""The deal editor dialog, and the small dialog that asks why a deal was won or lost.

Every field of a deal: title, company and person (each picked by name), value and
currency, expected close date, pipeline and stage, probability (the stage's unless
chosen), owner, next step, notes, and the reason once it is won or lost. What can be
checked here is checked before saving, with a sentence next to the buttons; the rest
(e.g. a card number in a note) comes back from the service in the same place.
Reading and saving run on the task runner; the dialog never touches the database.
A role that may view deals but not edit them gets "View deal": the fields read-only,
no Save, and Won/Lost, Make quote and Delete disabled with the reason as tool tip.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.permission_gate import denial, gate
from crasme_desktop.ui.read_only import make_read_only
from crasme_desktop.ui.sales_common import (
    COMMON_CURRENCIES,
    CustomerPicker,
    decimal_input,
    from_qdate,
    parse_decimal,
    to_qdate,
)
from crasme_desktop.ui.tasks import TaskRunner

#: The probability box's first value, shown as "the stage's".
STAGE_DEFAULT = -1


# -- worker jobs -----------------------------------------------------------------------
def find_of_kind(vault: Any, text: str, kind: str) -> list[tuple[str, str, str, str]]:
    found = service("search.search")(vault, text, limit=12, kinds=(kind,))
    return [(hit.kind, hit.id, hit.title, hit.subtitle)
            for group in found.groups for hit in group.hits]


def load_editor(vault: Any, deal_id: str | None) -> tuple[Any, list[Any], Any]:
    deal = service("deals.get_deal")(vault, deal_id) if deal_id else None
    return deal, list(service("deals.list_pipelines")(vault)), \
        service("business.get_business")(vault)


def save_deal(vault: Any, deal_id: str | None, values: dict[str, Any]) -> Any:
    draft = service("deals.DealDraft")(**values)
    if deal_id:
        return service("deals.update_deal")(vault, deal_id, draft)
    return service("deals.create_deal")(vault, draft)


class KindPicker(CustomerPicker):
    """A CustomerPicker for one kind only: "person" or "organization"."""

    def __init__(self, tasks: TaskRunner, kind: str, placeholder: str) -> None:
        super().__init__(tasks, placeholder=placeholder)
        self.only = kind

    def _look_up(self) -> None:
        if self.vault is None:
            return
        self._loader.request(find_of_kind, self.vault, self.text().strip(), self.only,
                             on_done=self._found, on_error=lambda _error: None)


class ReasonDialog(QDialog):
    """Why was the deal won or lost? Required for lost."""

    def __init__(self, title: str, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setWindowTitle("Deal lost" if kind == "lost" else "Deal won")
        self.setObjectName("dealReasonDialog")
        question = (f"Why was “{title}” lost?" if kind == "lost"
                    else f"“{title}” is won. What made the difference? (optional)")
        self.text = QPlainTextEdit()
        self.text.setObjectName("dealReason")
        self.text.setPlaceholderText("For example: price, timing, chose another offer")
        self.text.setTabChangesFocus(True)
        self.error = QLabel("")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            "Mark lost" if kind == "lost" else "Mark won")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        label = QLabel(question)
        label.setWordWrap(True)
        box.addWidget(label)
        box.addWidget(self.text)
        box.addWidget(self.error)
        box.addWidget(buttons)
        self.resize(420, 220)

    def reason(self) -> str:
        return self.text.toPlainText().strip()

    def _check(self) -> None:
        if self.kind == "lost" and not self.reason():
            self.error.setText("Say why the deal was lost; the reason helps with the next one.")
            return
        self.accept()


def ask_reason(parent: QWidget, title: str, kind: str) -> str | None:
    """The reason typed, or None when the person cancelled."""
    dialog = ReasonDialog(title, kind, parent)
    return dialog.reason() if dialog.exec() == QDialog.DialogCode.Accepted else None


class DealEditor(QDialog):
    """Add or change one deal. `saved(record)` after a successful save; `quote_requested`
    and `closing_requested(kind)` ask the page to act on the saved deal."""

    saved = Signal(object)
    quote_requested = Signal(str)
    closing_requested = Signal(str, str)  # deal id, "won" | "lost"
    delete_requested = Signal(str)

    def __init__(self, tasks: TaskRunner, vault: Any, deal_id: str | None = None,
                 parent: QWidget | None = None, *, pipeline_id: str = "",
                 stage_id: str = "", today: date | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.vault = vault
        self.deal_id = deal_id
        self.deal: Any = None
        self.pipelines: list[Any] = []
        self._want_pipeline, self._want_stage = pipeline_id, stage_id
        self.setObjectName("dealEditor")
        #: Why this user may not save here (None when they may): the form is read-only.
        self.refusal = denial(vault, "deals.edit" if deal_id else "deals.create")
        self.read_only = self.refusal is not None
        self.setWindowTitle(("Edit deal" if not self.read_only else self.tr("View deal"))
                            if deal_id else "New deal")
        self.setMinimumWidth(560)

        self.title = QLineEdit()
        self.title.setObjectName("dealTitle")
        self.title.setPlaceholderText("What you hope to sell, e.g. “New roof for the barn”")
        self.company = KindPicker(tasks, "organization", "Type a company's name")
        self.company.setObjectName("dealCompany")
        self.company.vault = vault
        self.person = KindPicker(tasks, "person", "Type a person's name")
        self.person.setObjectName("dealPerson")
        self.person.vault = vault
        self.value = QLineEdit()
        self.value.setObjectName("dealValue")
        self.value.setPlaceholderText("0")
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.currency = QComboBox()
        self.currency.setObjectName("dealCurrency")
        self.currency.setEditable(True)
        self.currency.addItems(list(COMMON_CURRENCIES))
        money = QHBoxLayout()
        money.addWidget(self.value, 1)
        money.addWidget(self.currency)
        self.close_date = QDateEdit()
        self.close_date.setObjectName("dealClose")
        self.close_date.setCalendarPopup(True)
        self.close_date.setDate(to_qdate((today or date.today()) + timedelta(days=30)))
        self.pipeline = QComboBox()
        self.pipeline.setObjectName("dealPipeline")
        self.pipeline.currentIndexChanged.connect(self._fill_stages)
        self.stage = QComboBox()
        self.stage.setObjectName("dealStage")
        self.stage.currentIndexChanged.connect(self._stage_changed)
        self.probability = QSpinBox()
        self.probability.setObjectName("dealProbability")
        self.probability.setRange(STAGE_DEFAULT, 100)
        self.probability.setSuffix(" %")
        self.probability.setValue(STAGE_DEFAULT)
        self.owner = QLineEdit()
        self.owner.setObjectName("dealOwner")
        self.owner.setMaxLength(100)
        self.next_step = QLineEdit()
        self.next_step.setObjectName("dealNextStep")
        self.next_step.setMaxLength(300)
        self.next_step.setPlaceholderText("e.g. Call on Monday about the drawings")
        self.reason = QLineEdit()
        self.reason.setObjectName("dealCloseReason")
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("dealNotes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(90)

        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("Company", self.company)
        form.addRow("Person", self.person)
        form.addRow("Value", money)
        form.addRow("Expected close", self.close_date)
        form.addRow("Pipeline", self.pipeline)
        form.addRow("Stage", self.stage)
        form.addRow("Probability", self.probability)
        form.addRow("Owner", self.owner)
        form.addRow("Next step", self.next_step)
        self.reason_label = QLabel("Reason")
        form.addRow(self.reason_label, self.reason)
        form.addRow("Notes", self.notes)

        self.error = QLabel("")
        self.error.setObjectName("dealEditorError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("dealSave")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        actions = QHBoxLayout()
        self.won_button = QPushButton("Won…")
        self.won_button.setObjectName("dealWon")
        self.lost_button = QPushButton("Lost…")
        self.lost_button.setObjectName("dealLost")
        self.quote_button = QPushButton("Make quote")
        self.quote_button.setObjectName("dealMakeQuote")
        self.quote_button.setToolTip("A draft quote for this customer with the deal's "
                                     "title and value, opened in Sales")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("dealDelete")
        self.won_button.clicked.connect(lambda: self._closing("won"))
        self.lost_button.clicked.connect(lambda: self._closing("lost"))
        self.quote_button.clicked.connect(lambda: self.quote_requested.emit(self.deal_id or ""))
        self.delete_button.clicked.connect(lambda: self.delete_requested.emit(self.deal_id or ""))
        for button in (self.won_button, self.lost_button, self.quote_button,
                       self.delete_button):
            button.setVisible(bool(deal_id))
            actions.addWidget(button)
        actions.addStretch(1)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addLayout(actions)
        box.addWidget(self.buttons)
        if self.read_only:
            make_read_only(self, hide_buttons=False)
            self.save_button.hide()
            cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
            cancel.setText(self.tr("Close"))
            note = QLabel(self.refusal or "")
            note.setObjectName("readOnlyNote")
            note.setProperty("role", "hint")
            note.setWordWrap(True)
            box.insertWidget(box.count() - 1, note)
        self._gate_actions()
        self._set_busy(True)
        tasks.submit(load_editor, vault, deal_id, on_done=self._loaded,
                     on_error=self.show_error)

    def _gate_actions(self) -> None:
        """Won/Lost need deals.edit, Make quote quotes.create, Delete deals.delete."""
        deal = self.deal
        if gate(self.won_button, self.vault, "deals.edit"):
            self.won_button.setEnabled(deal is None or deal.status != "won")
        if gate(self.lost_button, self.vault, "deals.edit"):
            self.lost_button.setEnabled(deal is None or deal.status != "lost")
        gate(self.quote_button, self.vault, "quotes.create",
             tip="A draft quote for this customer with the deal's title and value, "
                 "opened in Sales")
        gate(self.delete_button, self.vault, "deals.delete")

    # -- filling -----------------------------------------------------------------------
    def _set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy and not self.read_only)

    def _loaded(self, got: tuple[Any, list[Any], Any]) -> None:
        deal, self.pipelines, settings = got
        self.deal = deal
        self.pipeline.blockSignals(True)
        self.pipeline.clear()
        for p in self.pipelines:
            self.pipeline.addItem(p.name, p.id)
        self.pipeline.blockSignals(False)
        if deal is None:
            self._select(self.currency, settings.default_currency)
            chosen = self._want_pipeline or next(
                (p.id for p in self.pipelines if p.is_default), "")
            self.pipeline.setCurrentIndex(max(self.pipeline.findData(chosen), 0))
            self._fill_stages()
            if self._want_stage:
                self.stage.setCurrentIndex(max(self.stage.findData(self._want_stage), 0))
        else:
            self.title.setText(deal.title)
            if deal.organization_id:
                self.company.set_customer("organization", deal.organization_id,
                                          deal.organization_name)
            if deal.person_id:
                self.person.set_customer("person", deal.person_id, deal.person_name)
            self.value.setText(decimal_input(deal.value))
            self._select(self.currency, deal.currency)
            self.close_date.setDate(to_qdate(deal.expected_close))
            self.pipeline.setCurrentIndex(max(self.pipeline.findData(deal.pipeline_id), 0))
            self._fill_stages()
            self.stage.setCurrentIndex(max(self.stage.findData(deal.stage_id), 0))
            self.probability.setValue(STAGE_DEFAULT if deal.probability is None
                                      else deal.probability)
            self.owner.setText(deal.owner)
            self.next_step.setText(deal.next_step)
            self.reason.setText(deal.close_reason)
            self.notes.setPlainText(deal.notes)
        self._gate_actions()
        self._stage_changed()
        self._set_busy(False)
        self.title.setFocus()

    @staticmethod
    def _select(box: QComboBox, text: str) -> None:
        index = box.findText(text)
        if index < 0:
            box.addItem(text)
            index = box.count() - 1
        box.setCurrentIndex(index)

    def _pipeline_record(self) -> Any:
        return next((p for p in self.pipelines if p.id == self.pipeline.currentData()), None)

    def _fill_stages(self) -> None:
        pipeline = self._pipeline_record()
        self.stage.blockSignals(True)
        self.stage.clear()
        for st in pipeline.stages if pipeline else ():
            self.stage.addItem(st.name, st.id)
        self.stage.blockSignals(False)
        self._stage_changed()

    def _current_stage(self) -> Any:
        pipeline = self._pipeline_record()
        return pipeline.stage(self.stage.currentData()) if pipeline else None

    def _stage_changed(self) -> None:
        stage = self._current_stage()
        default = stage.probability if stage is not None else 0
        self.probability.setSpecialValueText(f"The stage's ({default} %)")
        closed = stage is not None and stage.kind != "open"
        self.reason.setVisible(closed)
        self.reason_label.setVisible(closed)
        if stage is not None:
            self.reason_label.setText("Why lost" if stage.kind == "lost" else "Why won")

    # -- saving ------------------------------------------------------------------------
    def problem(self) -> str:
        """The first thing that stops saving, as a sentence ("" when none)."""
        if not self.title.text().strip():
            return "Give the deal a title, such as what you hope to sell."
        if not (self.company.record_id or self.person.record_id):
            if self.company.text().strip() or self.person.text().strip():
                return "Pick the company or person from the list that appears as you type."
            return "Choose a person or a company for the deal."
        text = self.value.text().strip()
        if text:
            value = parse_decimal(text)
            if value is None:
                return f"The value “{text}” is not a number; type it like 1250 or 1250.50."
            if value < 0:
                return "A deal's value cannot be negative; enter 0 or more."
        currency = self.currency.currentText().strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            return "Use a three-letter currency code such as EUR or USD."
        stage = self._current_stage()
        if stage is not None and stage.kind == "lost" and not self.reason.text().strip():
            return "Say why the deal was lost; the reason helps with the next one."
        return ""

    def values(self) -> dict[str, Any]:
        text = self.value.text().strip()
        value = parse_decimal(text) if text else Decimal(0)
        probability = self.probability.value()
        return {
            "title": self.title.text(),
            "value": value if value is not None else text,
            "currency": self.currency.currentText().strip().upper(),
            "expected_close": from_qdate(self.close_date.date()),
            "pipeline_id": self.pipeline.currentData(),
            "stage_id": self.stage.currentData(),
            "person_id": self.person.record_id or None,
            "organization_id": self.company.record_id or None,
            "owner": self.owner.text(),
            "next_step": self.next_step.text(),
            "probability": None if probability == STAGE_DEFAULT else probability,
            "close_reason": self.reason.text(),
            "notes": self.notes.toPlainText(),
        }

    def save(self) -> None:
        if self.read_only:
            return
        problem = self.problem()
        if problem:
            self.show_error(UserError(problem))
            return
        self.error.hide()
        self._set_busy(True)
        self.tasks.submit(save_deal, self.vault, self.deal_id, self.values(),
                          writes={"deals"}, on_done=self._saved, on_error=self._failed)

    def _saved(self, record: Any) -> None:
        self._set_busy(False)
        self.deal, self.deal_id = record, record.id
        self.saved.emit(record)
        self.accept()

    def _failed(self, error: UserError) -> None:
        self._set_busy(False)
        self.show_error(error)

    def show_error(self, error: UserError) -> None:
        self.error.setText(error.message)
        self.error.show()

    def _closing(self, kind: str) -> None:
        if self.deal_id and not self.read_only:
            self.closing_requested.emit(self.deal_id, kind)
            self.accept()

