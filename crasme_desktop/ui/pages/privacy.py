"""The Privacy page: what the vault holds about a person and the rights they have over
it (export, erase, restrict, consent), the register of requests, the retention rules
with a preview, the privacy notice and the record of processing.

Database work runs on the task runner; the dialogs of export, erase, consent and
restriction come from their own modules and are imported when first opened.
"""

from __future__ import annotations

import importlib
from datetime import date, datetime
from typing import Any, ClassVar

from PySide6.QtCore import QDate, QLocale, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import Page, label
from crasme_desktop.ui.permission_gate import gate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import row_table, titled_card

APP_NAME = "Crasme Desktop"
LATE_COLOUR = QColor("#b3261e")
FIND_DELAY_MS = 200

KIND_LABELS = {
    "access": "Access",
    "erasure": "Erasure",
    "rectification": "Rectification",
    "restriction": "Restriction",
    "objection": "Objection",
}
STATUS_LABELS = {
    "received": "Received",
    "in_progress": "In progress",
    "done": "Done",
    "refused": "Refused",
}
PURPOSE_LABELS = {"marketing_email": "marketing email", "sms": "text messages",
                  "newsletter": "newsletter"}
FILTERS = (("Open", "open"), ("All", None), ("Done", "done"), ("Refused", "refused"))
#: Everything a retention run may change.
RETENTION_AREAS = frozenset({"privacy", "activities", "sales", "contacts"})

#: The other helpers' widgets: (module, class name) under crasme_desktop.ui.
DIALOGS = {
    "export": ("privacy_export_dialog", "ExportDialog"),
    "record": ("privacy_export_dialog", "ProcessingRecordView"),
    "erase": ("erase_dialog", "EraseDialog"),
    "erase_all": ("erase_dialog", "EraseAllDialog"),
    "notice": ("privacy_notice", "NoticeView"),
    "consent": ("privacy_notice", "ConsentDialog"),
    "restriction": ("privacy_notice", "RestrictionDialog"),
    "correct": ("record_editor", "PersonEditor"),
}


def widget_class(name: str) -> Any:
    """One of the privacy widgets, imported when first needed (not while starting)."""
    module_name, class_name = DIALOGS[name]
    return getattr(importlib.import_module(f"crasme_desktop.ui.{module_name}"), class_name)


def date_text(day: date | None) -> str:
    if day is None:
        return ""
    return QLocale().toString(QDate(day.year, day.month, day.day),
                              QLocale.FormatType.ShortFormat)


def moment_text(moment: datetime) -> str:
    local = as_utc(moment).astimezone()
    return QLocale().toString(local.replace(tzinfo=None), QLocale.FormatType.ShortFormat)


def _item(text: str, data: Any = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


def _table(headers: list[str]) -> QTableWidget:
    table = row_table("", headers)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setTabKeyNavigation(False)
    return table


# ----------------------------------------------------------------------- new request


class NewRequestDialog(QDialog):
    """Register a request: its kind, who asked (the picked person or a name), when."""

    def __init__(self, person_id: str | None, person_name: str, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New privacy request")
        self.person_id = person_id
        self.kind = QComboBox()
        for kind, text in KIND_LABELS.items():
            self.kind.addItem(text, kind)
        self.who = QLineEdit(person_name)
        self.who.setReadOnly(person_id is not None)
        self.who.setPlaceholderText("Who asked (not in your contacts)")
        self.received = QDateEdit(QDate(today.year, today.month, today.day))
        self.received.setCalendarPopup(True)
        self.received.setMaximumDate(QDate(today.year, today.month, today.day))
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("How it arrived, what exactly was asked")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(80)
        form = QFormLayout()
        form.addRow("&Request", self.kind)
        form.addRow("&Who", self.who)
        form.addRow("Re&ceived on", self.received)
        form.addRow("&Note", self.note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Add request")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(label("It is due one month after it was received.", "hint"))
        box.addLayout(form)
        box.addWidget(self.buttons)

    def values(self) -> dict[str, Any]:
        d = self.received.date()
        return {
            "kind": str(self.kind.currentData()),
            "person_id": self.person_id,
            "received_on": date(d.year(), d.month(), d.day()),
            "note": self.note.toPlainText().strip(),
            "subject_label": "" if self.person_id else self.who.text().strip(),
        }


# ------------------------------------------------------------------------ the page


class PrivacyPage(Page):
    key = "privacy"
    title = "Privacy"
    description = "What you hold about people, and their requests to see, correct or erase it."
    icon_name = "privacy"
    areas = frozenset({"privacy", "contacts", "activities", "sales"})

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.person_id: str | None = None
        self.holdings: Any = None
        self.requests: list[Any] = []
        self.rules: list[Any] = []
        self.runs: list[Any] = []
        self.plan: Any = None
        self.dialog: Any = None
        self.confirm_box: QMessageBox | None = None
        self.apply_confirm: Any = None
        self.reason_dialog: QInputDialog | None = None
        self.notice_view: Any = None
        self.record_view: Any = None
        self._find_timer = QTimer(self)
        self._find_timer.setSingleShot(True)
        self._find_timer.setInterval(FIND_DELAY_MS)
        self._find_timer.timeout.connect(self._find)

        content = QWidget()
        outer = QVBoxLayout(content)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(12)
        outer.addWidget(self._person_card())
        self.tabs = QTabWidget()
        self.tabs.addTab(self._requests_tab(), "&Requests")
        self.tabs.addTab(self._retention_tab(), "Re&tention")
        self.notice_tab = QWidget()
        QVBoxLayout(self.notice_tab)
        self.tabs.addTab(self.notice_tab, "&Notice")
        self.record_tab = QWidget()
        QVBoxLayout(self.record_tab)
        self.tabs.addTab(self.record_tab, "Record of &processing")
        self.tabs.currentChanged.connect(self._tab_shown)
        outer.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        self.export_all_button = QPushButton("Export the whole vault…")
        self.export_all_button.clicked.connect(self.export_vault)
        self.erase_all_button = QPushButton("Erase all data…")
        self.erase_all_button.setProperty("danger", True)
        self.erase_all_button.clicked.connect(self.erase_everything)
        bottom.addWidget(self.export_all_button)
        bottom.addStretch(1)
        bottom.addWidget(self.erase_all_button)
        outer.addLayout(bottom)
        self.content = content
        self.stack.addWidget(content)

    # -- the person ------------------------------------------------------------------
    def _person_card(self) -> QWidget:
        frame, box = titled_card("A person", "privacyPerson")
        row = QHBoxLayout()
        picker = QVBoxLayout()
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText("Find a person by name, email or phone…")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.textEdited.connect(lambda _text: self._find_timer.start())
        self.find_edit.returnPressed.connect(self._pick_first)
        self.matches = QListWidget()
        self.matches.setMaximumHeight(150)
        self.matches.currentItemChanged.connect(self._match_changed)
        picker.addWidget(self.find_edit)
        picker.addWidget(self.matches)
        row.addLayout(picker, 2)

        held = QVBoxLayout()
        self.person_name = label("Choose a person to see what you hold about them.",
                                 "section")
        self.facts = QGridLayout()
        self.facts.setHorizontalSpacing(18)
        self.fact_labels: dict[str, QLabel] = {}
        self.state_label = label("", "hint")
        held.addWidget(self.person_name)
        held.addLayout(self.facts)
        held.addWidget(self.state_label)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("&Export…")
        self.erase_button = QPushButton("Erase…")
        self.erase_button.setProperty("danger", True)
        self.restrict_button = QPushButton("Re&strict…")
        self.consent_button = QPushButton("&Consent…")
        self.correct_button = QPushButton("Co&rrect…")
        self.correct_button.setToolTip("Open the person's record to correct it (the change "
                                       "is recorded in the audit trail)")
        self.correct_button.clicked.connect(self.correct_person)
        self.export_button.clicked.connect(self.export_person)
        self.erase_button.clicked.connect(self.erase_person)
        self.restrict_button.clicked.connect(self.restrict_person)
        self.consent_button.clicked.connect(self.consent_person)
        for button in self._person_buttons():
            buttons.addWidget(button)
            button.setEnabled(False)
        buttons.addStretch(1)
        held.addLayout(buttons)
        held.addStretch(1)
        row.addLayout(held, 3)
        box.addLayout(row)
        return frame

    def _person_buttons(self) -> list[QPushButton]:
        return [self.correct_button, self.export_button, self.erase_button,
                self.restrict_button, self.consent_button]

    #: What each action of this page needs (by the button's attribute name).
    NEEDS: ClassVar[dict[str, str]] = {
        "correct_button": "contacts.edit", "export_button": "export",
        "erase_button": "erase", "restrict_button": "privacy_requests",
        "consent_button": "privacy_requests", "export_all_button": "export",
        "erase_all_button": "erase", "new_request_button": "privacy_requests",
        "progress_button": "privacy_requests", "done_button": "privacy_requests",
        "refuse_button": "privacy_requests", "save_rules_button": "settings",
        "apply_button": "settings",
    }
    _TIPS: ClassVar[dict[str, str]] = {
        "correct_button": "Open the person's record to correct it (the change is recorded "
                          "in the audit trail)"}

    def _gate(self, name: str, enabled: bool = True) -> None:
        """Enable the button `name` when the role allows it and `enabled`; else it is
        disabled, with the role's refusal as tool tip when that is the reason."""
        button = getattr(self, name)
        if gate(button, self.vault, self.NEEDS[name], tip=self._TIPS.get(name, "")):
            button.setEnabled(enabled)

    def apply_permissions(self) -> None:
        for name in ("export_all_button", "erase_all_button", "new_request_button",
                     "save_rules_button", "apply_button"):
            self._gate(name)
        self._show_holdings(self.holdings)
        self._request_selected()

    def may_do(self, name: str) -> bool:
        return self.may(self.NEEDS[name])

    def _find(self) -> None:
        if self.vault is None:
            return
        vault = self.vault
        self.tasks.submit(service("privacy_overview.find_people"), vault,
                          self.find_edit.text(),
                          on_done=lambda found: self._show_matches(vault, found))

    def _show_matches(self, vault: Any, found: list[Any]) -> None:
        if self.vault is not vault:
            return
        self.matches.blockSignals(True)
        self.matches.clear()
        for choice in found:
            text = choice.name + (f" — {choice.detail}" if choice.detail else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            self.matches.addItem(item)
        self.matches.blockSignals(False)
        if self.person_id is not None:
            for i in range(self.matches.count()):
                if self.matches.item(i).data(Qt.ItemDataRole.UserRole) == self.person_id:
                    self.matches.blockSignals(True)
                    self.matches.setCurrentRow(i)
                    self.matches.blockSignals(False)

    def _pick_first(self) -> None:
        self._find_timer.stop()
        if self.matches.count():
            self.matches.setCurrentRow(0)
            self.matches.setFocus()

    def _match_changed(self, current: QListWidgetItem | None, _previous: Any) -> None:
        if current is not None:
            self.select_person(str(current.data(Qt.ItemDataRole.UserRole)))

    def select_person(self, person_id: str | None) -> None:
        """Show what the vault holds on this person (None: nobody chosen)."""
        self.person_id = person_id
        self.holdings = None
        if person_id is None or self.vault is None:
            self._show_holdings(None)
            return
        vault = self.vault
        self.tasks.submit(service("privacy_overview.what_we_hold"), vault, person_id,
                          on_done=lambda held: self._holdings_arrived(vault, person_id, held),
                          on_error=self._person_gone)

    def _holdings_arrived(self, vault: Any, person_id: str, held: Any) -> None:
        if self.vault is not vault or self.person_id != person_id:
            return
        self._show_holdings(held)

    def _person_gone(self, error: UserError) -> None:
        self.person_id = None
        self._show_holdings(None)
        self.state_label.setText(error.message)
        self._find()

    def _show_holdings(self, held: Any) -> None:
        self.holdings = held
        while self.facts.count():
            item = self.facts.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.fact_labels = {}
        for name in ("correct_button", "export_button", "erase_button", "restrict_button",
                     "consent_button"):
            self._gate(name, held is not None)
        if held is None:
            self.person_name.setText("Choose a person to see what you hold about them.")
            self.state_label.setText("")
            self.restrict_button.setText("Re&strict…")
            return
        locale = QLocale()
        self.person_name.setText(held.name or "(no name)")
        for i, (caption, count) in enumerate(held.rows()):
            value = QLabel(locale.toString(count))
            value.setObjectName(f"held_{i}")
            self.fact_labels[caption] = value
            self.facts.addWidget(QLabel(caption), i // 2, (i % 2) * 2)
            self.facts.addWidget(value, i // 2, (i % 2) * 2 + 1)
        self.state_label.setText(self._state_text(held))
        self.restrict_button.setText("Lift re&striction…" if held.restricted
                                     else "Re&strict…")

    @staticmethod
    def _state_text(held: Any) -> str:
        parts = [f"In your records since {date_text(as_utc(held.since).date())}."]
        if held.restricted:
            parts.append("Restricted: it can be read but not changed, emailed or exported "
                         "in lists.")
        agreed = [PURPOSE_LABELS.get(p, p) for p, yes in held.consents.items() if yes]
        parts.append("Agreed to: " + ", ".join(agreed) + "." if agreed
                     else "No consent to any marketing.")
        if held.open_requests:
            parts.append(f"Open requests: {held.open_requests}.")
        return " ".join(parts)

    # -- the buttons -----------------------------------------------------------------
    def _open(self, name: str, *args: Any, **kwargs: Any) -> Any:
        dialog = widget_class(name)(self.tasks, *args, parent=self, **kwargs)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: Any) -> None:
        if self.dialog is dialog:
            self.dialog = None
        self.refresh()

    def export_person(self) -> None:
        if self.may_do("export_button") and self.person_id:
            self._open("export", self.vault, person_id=self.person_id)

    def export_vault(self) -> None:
        if self.may_do("export_all_button"):
            self._open("export", self.vault, person_id=None)

    def erase_person(self) -> None:
        if self.may_do("erase_button") and self.person_id:
            self._open("erase", self.vault, self.person_id)

    def erase_everything(self) -> None:
        if self.may_do("erase_all_button"):
            self._open("erase_all", self.vault.path)

    def correct_person(self) -> None:
        """Rectification: the person's own editor, on this page."""
        if self.may_do("correct_button") and self.person_id:
            self._open("correct", self.vault, self.person_id)

    def restrict_person(self) -> None:
        if self.may_do("restrict_button") and self.person_id:
            self._open("restriction", self.vault, self.person_id)

    def consent_person(self) -> None:
        if self.may_do("consent_button") and self.person_id:
            self._open("consent", self.vault, self.person_id)

    # -- requests --------------------------------------------------------------------
    def _requests_tab(self) -> QWidget:
        tab = QWidget()
        box = QVBoxLayout(tab)
        top = QHBoxLayout()
        self.request_filter = QComboBox()
        for text, value in FILTERS:
            self.request_filter.addItem(text, value)
        self.request_filter.currentIndexChanged.connect(lambda _i: self._load_requests())
        self.due_label = label("", "hint")
        self.new_request_button = QPushButton("New re&quest…")
        self.new_request_button.clicked.connect(self.new_request)
        self.progress_button = QPushButton("In progress")
        self.done_button = QPushButton("Mark &done")
        self.refuse_button = QPushButton("Refuse…")
        self.progress_button.clicked.connect(lambda: self.set_request_status("in_progress"))
        self.done_button.clicked.connect(lambda: self.set_request_status("done"))
        self.refuse_button.clicked.connect(self.refuse_request)
        top.addWidget(QLabel("Show"))
        top.addWidget(self.request_filter)
        top.addWidget(self.due_label, 1)
        for button in (self.new_request_button, self.progress_button, self.done_button,
                       self.refuse_button):
            top.addWidget(button)
        box.addLayout(top)
        self.request_table = _table(["Request", "Who", "Received", "Due", "Status", "Note"])
        self.request_table.itemSelectionChanged.connect(self._request_selected)
        box.addWidget(self.request_table, 1)
        self._request_selected()
        return tab

    def show_requests(self, _record_id: str = "") -> None:
        """Open the Requests tab (the dashboard's link to late requests)."""
        self.tabs.setCurrentIndex(0)
        self.request_table.setFocus()

    def _load_requests(self) -> None:
        if self.vault is None:
            return
        vault = self.vault
        self.tasks.submit(service("privacy_requests.list_requests"), vault,
                          status=self.request_filter.currentData(),
                          on_done=lambda rows: self._show_requests(vault, rows))
        self.tasks.submit(service("privacy_requests.due_summary"), vault,
                          on_done=lambda due: self._show_due(vault, due))

    def _show_due(self, vault: Any, due: Any) -> None:
        if self.vault is vault:
            self.due_label.setText(due.sentence or "Nothing due this week.")

    def _show_requests(self, vault: Any, rows: list[Any]) -> None:
        if self.vault is not vault:
            return
        selected = self._selected_request_id()
        self.requests = rows
        today = self._today()
        table = self.request_table
        table.setRowCount(len(rows))
        bold = QFont()
        bold.setBold(True)
        for r, row in enumerate(rows):
            late = row.is_late(today)
            status = "Late" if late else STATUS_LABELS.get(row.status, row.status)
            who = row.subject_label or ("(erased)" if row.person_id is None else "")
            cells = [KIND_LABELS.get(row.kind, row.kind), who, date_text(row.received_on),
                     date_text(row.due_on), status, row.note]
            for c, text in enumerate(cells):
                item = _item(text, row.id if c == 0 else None)
                if late:
                    item.setForeground(QBrush(LATE_COLOUR))
                    if c in (3, 4):
                        item.setFont(bold)
                table.setItem(r, c, item)
            if row.id == selected:
                table.selectRow(r)
        self._request_selected()

    def _today(self) -> date:
        clock = getattr(self.vault, "clock", None)
        return clock.now().date() if clock is not None else date.today()

    def _selected_request_id(self) -> str | None:
        rows = self.request_table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.request_table.item(rows[0].row(), 0)
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _selected_request(self) -> Any:
        wanted = self._selected_request_id()
        return next((r for r in self.requests if r.id == wanted), None)

    def _request_selected(self) -> None:
        row = self._selected_request()
        is_open = row is not None and row.is_open
        self._gate("progress_button", is_open and row is not None and row.status == "received")
        self._gate("done_button", is_open)
        self._gate("refuse_button", is_open)

    def new_request(self) -> None:
        if not self.may_do("new_request_button"):
            return
        name = self.holdings.name if self.holdings is not None else ""
        dialog = NewRequestDialog(self.person_id if self.holdings is not None else None,
                                  name, self._today(), self)
        dialog.accepted.connect(lambda: self._add_request(dialog))
        self.dialog = dialog
        dialog.open()

    def _add_request(self, dialog: NewRequestDialog) -> None:
        if self.vault is None:
            return
        values = dialog.values()
        self.tasks.submit(service("privacy_requests.open_request"), self.vault,
                          values.pop("kind"), values.pop("person_id"), **values,
                          writes={"privacy"})

    def set_request_status(self, status: str, note: str = "") -> None:
        row = self._selected_request()
        if not self.may_do("done_button") or row is None:
            return
        self.tasks.submit(service("privacy_requests.set_status"), self.vault, row.id,
                          status, note, writes={"privacy"})

    def refuse_request(self) -> None:
        if self._selected_request() is None or not self.may_do("refuse_button"):
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Refuse the request")
        dialog.setLabelText("Why is it refused? The person must be told the reason.")
        dialog.setOkButtonText("Refuse")
        dialog.textValueSelected.connect(lambda text: self.set_request_status("refused",
                                                                              text))
        self.reason_dialog = dialog
        dialog.open()

    # -- retention -------------------------------------------------------------------
    def _retention_tab(self) -> QWidget:
        tab = QWidget()
        box = QVBoxLayout(tab)
        box.addWidget(label(
            "Retention runs when the vault is opened and once a day. Preview shows what a "
            "run would remove; nothing is removed until you apply it or the daily run comes.",
            "hint"))
        self.rules_grid = QGridLayout()
        self.rules_grid.setHorizontalSpacing(14)
        for c, text in enumerate(("Records", "Keep for", "On", "Would remove", "")):
            self.rules_grid.addWidget(label(text, "hint", wrap=False), 0, c)
        self.rule_widgets: dict[str, tuple[QSpinBox, QCheckBox, QLabel]] = {}
        box.addLayout(self.rules_grid)
        buttons = QHBoxLayout()
        self.save_rules_button = QPushButton("Save r&ules")
        self.preview_button = QPushButton("Pre&view")
        self.apply_button = QPushButton("&Apply now…")
        self.save_rules_button.clicked.connect(self.save_rules)
        self.preview_button.clicked.connect(self.preview)
        self.apply_button.clicked.connect(self.apply)
        for button in (self.save_rules_button, self.preview_button, self.apply_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        box.addWidget(label("Runs", "section"))
        self.runs_table = _table(["When", "Kind", "Removed"])
        box.addWidget(self.runs_table, 1)
        return tab

    def _load_retention(self) -> None:
        if self.vault is None:
            return
        vault = self.vault
        self.tasks.submit(service("retention.retention_rules"), vault,
                          on_done=lambda rules: self._show_rules(vault, rules))
        self.tasks.submit(service("retention.retention_runs"), vault,
                          on_done=lambda runs: self._show_runs(vault, runs))

    def _show_rules(self, vault: Any, rules: list[Any]) -> None:
        if self.vault is not vault:
            return
        self.rules = rules
        for r, rule in enumerate(rules, start=1):
            if rule.key not in self.rule_widgets:
                spin = QSpinBox()
                spin.setObjectName(f"rule_{rule.key}")
                check = QCheckBox()
                check.setObjectName(f"rule_{rule.key}_on")
                would = QLabel("")
                would.setObjectName(f"rule_{rule.key}_count")
                name = QLabel(rule.title)
                name.setToolTip(rule.description)
                name.setBuddy(spin)
                self.rules_grid.addWidget(name, r, 0)
                self.rules_grid.addWidget(spin, r, 1)
                self.rules_grid.addWidget(check, r, 2)
                self.rules_grid.addWidget(would, r, 3)
                self.rules_grid.addWidget(label(rule.description, "hint"), r, 4)
                self.rule_widgets[rule.key] = (spin, check, would)
            spin, check, _would = self.rule_widgets[rule.key]
            spin.setRange(rule.minimum, rule.maximum)
            spin.setSuffix(f" {rule.unit}")
            spin.setValue(rule.months)
            check.setChecked(rule.enabled)
            check.setEnabled(rule.can_disable)
            check.setToolTip("" if rule.can_disable else "This rule is always on.")
        self._show_plan(self.plan)

    def _show_runs(self, vault: Any, runs: list[Any]) -> None:
        if self.vault is not vault:
            return
        self.runs = runs
        titles = {r.key: r.title.lower() for r in self.rules}
        self.runs_table.setRowCount(len(runs))
        for r, run in enumerate(runs):
            removed = ", ".join(f"{n} {titles.get(k, k)}" for k, n in sorted(run.counts.items())
                                if n) or "nothing"
            self.runs_table.setItem(r, 0, _item(moment_text(run.at), run.id))
            self.runs_table.setItem(r, 1, _item("Preview" if run.dry_run else "Applied"))
            self.runs_table.setItem(r, 2, _item(removed))

    def _rule_changes(self) -> dict[str, tuple[int, bool]]:
        return {key: (spin.value(), check.isChecked())
                for key, (spin, check, _would) in self.rule_widgets.items()}

    def save_rules(self) -> None:
        if not self.may_do("save_rules_button"):
            return
        self.plan = None
        self.tasks.submit(service("retention.set_retention_rules"), self.vault,
                          self._rule_changes(), writes={"privacy"})

    def preview(self) -> None:
        if self.vault is None:
            return
        vault = self.vault
        self.tasks.submit(service("retention.preview_retention"), vault, record=True,
                          writes={"privacy"},
                          on_done=lambda plan: self._plan_arrived(vault, plan))

    def _plan_arrived(self, vault: Any, plan: Any) -> None:
        if self.vault is vault:
            self.plan = plan
            self._show_plan(plan)

    def _show_plan(self, plan: Any) -> None:
        counts = plan.counts if plan is not None else {}
        locale = QLocale()
        for key, (_spin, check, would) in self.rule_widgets.items():
            if plan is None:
                would.setText("")
            elif not check.isChecked():
                would.setText("off")
            else:
                would.setText(locale.toString(counts.get(key, 0)))

    def apply(self) -> None:
        if not self.may_do("apply_button"):
            return
        box = QMessageBox(self)
        box.setWindowTitle(APP_NAME)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText("Remove now everything the retention rules say is past its time?")
        box.setInformativeText("What is removed cannot be brought back, except from a "
                               "backup. Use Preview first to see how much goes.")
        self.apply_confirm = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _r: self._apply_answered(box))
        self.confirm_box = box
        box.open()

    def _apply_answered(self, box: QMessageBox) -> None:
        self.confirm_box = None
        if box.clickedButton() is not self.apply_confirm or self.vault is None:
            return
        vault = self.vault
        self.tasks.submit(service("retention.apply_retention"), vault,
                          writes=RETENTION_AREAS, progress_title="Applying retention…",
                          on_done=lambda plan: self._plan_arrived(vault, plan))

    # -- notice and record -----------------------------------------------------------
    def _tab_shown(self, index: int) -> None:
        if self.vault is None:
            return
        widget = self.tabs.widget(index)
        if widget is self.notice_tab:
            self.notice_view = self._embedded("notice", self.notice_tab, self.notice_view)
        elif widget is self.record_tab:
            self.record_view = self._embedded("record", self.record_tab, self.record_view)

    def _embedded(self, name: str, tab: QWidget, view: Any) -> Any:
        if view is None:
            view = widget_class(name)(self.tasks, parent=tab)
            tab.layout().addWidget(view)
        if self.vault is not None:
            view.show(self.vault)
        return view

    # -- life cycle ------------------------------------------------------------------
    def refresh(self) -> None:
        if self.vault is None:
            return
        if not self.find_edit.text() and self.matches.count() == 0:
            self._find()
        if self.person_id is not None:
            self.select_person(self.person_id)
        self._load_requests()
        self._load_retention()
        self._tab_shown(self.tabs.currentIndex())

    def clear(self) -> None:
        super().clear()
        self._find_timer.stop()
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None
        self.person_id = None
        self.find_edit.clear()
        self.matches.clear()
        self._show_holdings(None)
        self.requests = []
        self.request_table.setRowCount(0)
        self.due_label.setText("")
        self.rules = []
        self.runs = []
        self.plan = None
        self.runs_table.setRowCount(0)
        self._show_plan(None)
