"""The support sections of the Settings page: the support mailbox, and the desk's SLA
targets, opening hours, holidays and canned replies.

Support mailbox: the IMAPS server customers' mail waits on (server, port, user name,
password, folder, the address customers write to, a certificate file to trust, and
whether to mark mail read). The password goes to this computer's keychain only. "Test
connection" saves and then logs in and opens the folder, saying how many messages it
holds, or the one sentence of what is wrong.

Support desk, in tabs:
- SLA targets: first response and resolution per priority, in business time ("1 h",
  "90 min", "2 h 30 min" or minutes);
- Opening hours: per weekday, from–to times separated by commas ("08:00–12:00,
  13:00–17:00"), empty for closed; the SLA clocks count only these;
- Holidays: days the office is closed;
- Canned replies: names and texts with placeholders such as {requester_first_name}.
Every refusal is the service's sentence, shown under the tab's buttons. Loading and
saving run on the task runner.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import FieldError, line_edit, row_table, titled_card

AREAS = {"support"}
PRIORITY_ROWS = (("urgent", "Urgent"), ("high", "High"), ("normal", "Normal"), ("low", "Low"))
WEEKDAYS = (("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"),
            ("fri", "Friday"), ("sat", "Saturday"), ("sun", "Sunday"))
PLACEHOLDER_HELP = ("Placeholders: {requester_name}, {requester_first_name}, "
                    "{ticket_number}, {ticket_subject}, {agent_name}, {company_name}")
NO_KEYCHAIN = ("This computer has no keychain, so the password is not saved anywhere: "
               "you will be asked for it each time mail is fetched.")
SAVED_PASSWORD_HINT = "Saved in this computer's keychain"  # nosec B105  # a hint, not a password
_DURATION = re.compile(r"^\s*(?:(\d+(?:[.,]\d+)?)\s*(?:h|hr|hrs|hours?))?\s*"
                       r"(?:(\d+)\s*(?:m|min|mins|minutes?)?)?\s*$", re.IGNORECASE)
_RANGE = re.compile(r"\s*(?:–|—|-|to)\s*")


# -- reading what was typed ----------------------------------------------------------
def parse_duration(text: str) -> int | str:
    """"1 h 30 min", "2 h", "90 min" or "90" as minutes; anything else comes back as
    typed, for the service to refuse with its sentence."""
    found = _DURATION.match(text or "")
    if not found or not (found.group(1) or found.group(2)):
        return text
    hours = float((found.group(1) or "0").replace(",", "."))
    minutes = int(found.group(2) or 0)
    total = hours * 60 + minutes
    return int(total) if total == int(total) else text


def duration_input(minutes: int) -> str:
    """Minutes as they are shown to be edited: "1 h 30 min", "8 h", "45 min"."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


def parse_hours(rows: dict[str, str]) -> dict[str, list[list[str]]]:
    """Each weekday's "08:00–12:00, 13:00–17:00" as the JSON the SLA service keeps;
    the times themselves are checked by the service."""
    out: dict[str, list[list[str]]] = {}
    names = dict(WEEKDAYS)
    for key, text in rows.items():
        pairs = []
        for piece in (p.strip() for p in text.split(",")):
            if not piece:
                continue
            parts = _RANGE.split(piece)
            if len(parts) != 2 or not all(parts):
                raise UserError(f"“{piece}” for {names[key]} is not a from–to time; write "
                                "it like 09:00–17:00, several separated by commas.")
            pairs.append([parts[0].strip(), parts[1].strip()])
        out[key] = pairs
    return out


def hours_text(intervals: list[list[str]]) -> str:
    return ", ".join(f"{start}–{end}" for start, end in intervals)


# -- worker jobs -----------------------------------------------------------------------
def load_desk(vault: Any) -> dict[str, Any]:
    return {
        "policies": service("sla.policies")(vault),
        "hours": service("sla.business_hours")(vault).to_json(),
        "holidays": service("sla.list_holidays")(vault),
        "canned": service("canned_replies.list_canned")(vault),
    }


def save_policies(vault: Any, rows: list[tuple[str, Any, Any]]) -> list[Any]:
    """Each priority's targets; a refusal names the priority it is about."""
    names = dict(PRIORITY_ROWS)
    saved = []
    for priority, first, resolution in rows:
        try:
            saved.append(service("sla.update_policy")(vault, priority, first, resolution))
        except UserError as exc:
            text = exc.message
            raise UserError(f"For {names[priority].lower()} priority, "
                            f"{text[:1].lower()}{text[1:]}") from None
    return saved


def save_and_check(vault: Any, values: dict[str, Any], password: str | None) -> Any:
    setup = service("support_mailbox.save_mailbox_settings")(vault, values, password)
    check = service("support_mailbox.check_mailbox")(vault, password)
    return setup, check


# -- the mailbox -----------------------------------------------------------------------
class SupportMailboxSection(QWidget):
    """The "Support mailbox" card; `attach(vault)` loads, `clear()` forgets."""

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supportMailbox")
        self.tasks = tasks
        self.vault: Any = None
        self._busy_count = 0
        self.host = line_edit("supportHost", "imap.example.com")
        self.port = QSpinBox()
        self.port.setObjectName("supportPort")
        self.port.setRange(1, 65535)
        self.port.setValue(993)
        self.port.setMinimumWidth(110)
        self.username = line_edit("supportUsername", "Often the mailbox's address")
        self.password = line_edit("supportPassword", "Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.folder = line_edit("supportFolder", "INBOX")
        self.address = line_edit("supportAddress",
                                 "Where customers write, e.g. help@example.com")
        self.ca_file = line_edit("supportCaFile",
                                 "Optional: only for a server with its own certificate")
        self.choose_ca = QPushButton("Choose…")
        self.choose_ca.setObjectName("supportChooseCaFile")
        self.choose_ca.clicked.connect(self._choose_ca_file)
        self.mark_seen = QCheckBox("Mark mail as read on the server once it is a ticket")
        self.mark_seen.setObjectName("supportMarkSeen")
        self.mark_seen.setChecked(True)
        self.keychain_note = label(NO_KEYCHAIN, "hint")
        self.keychain_note.setObjectName("supportKeychainNote")
        self.keychain_note.hide()
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("supportSave")
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(self.save)
        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("supportTest")
        self.test_button.setToolTip("Save, then log in to the mailbox and open its folder")
        self.test_button.clicked.connect(self.test)
        self.status = label("", "hint")
        self.status.setObjectName("supportStatus")
        self.error = FieldError("supportError")

        port_row = QHBoxLayout()
        port_row.addWidget(self.port)
        port_row.addWidget(label("IMAP over TLS (IMAPS), usually port 993", "hint"), 1)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.choose_ca)
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(10)
        form.addRow("Mail server", self.host)
        form.addRow("Port", port_row)
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        form.addRow("", self.keychain_note)
        form.addRow("Folder", self.folder)
        form.addRow("Customers write to", self.address)
        form.addRow("Certificate file", ca_row)
        form.addRow("", self.mark_seen)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.status, 1)
        card, box = titled_card("Support mailbox", "supportMailboxCard")
        box.addWidget(label(
            "Mail to this mailbox becomes tickets when you press Fetch mail (F5) on the "
            "Tickets page; answers to your replies join their ticket. Replies go out "
            "through the Email settings above. Nothing is deleted from the server.",
            "hint"))
        box.addLayout(form)
        box.addLayout(buttons)
        box.addWidget(self.error)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(card)
        for edit in (self.host, self.username, self.password, self.folder, self.address,
                     self.ca_file):
            edit.textEdited.connect(self._edited)
        self._set_enabled(False)

    def attach(self, vault: Any) -> None:
        self.vault = vault
        self._set_enabled(False)
        self.tasks.submit(service("support_mailbox.get_mailbox_setup"), vault,
                          on_done=self._show, on_error=self._failed)

    def clear(self) -> None:
        self.vault = None
        for edit in (self.host, self.username, self.password, self.folder, self.address,
                     self.ca_file):
            edit.clear()
        self.status.clear()
        self.error.clear_message()
        self._set_enabled(False)

    def _show(self, setup: Any) -> None:
        if self.vault is None:
            return
        s = setup.settings
        self.host.setText(s.host)
        self.port.setValue(s.port)
        self.username.setText(s.username)
        self.folder.setText(s.folder)
        self.address.setText(s.address)
        self.ca_file.setText(s.ca_file)
        self.mark_seen.setChecked(s.mark_seen)
        self.password.clear()
        self._show_password_state(setup)
        self._set_enabled(True)

    def _show_password_state(self, setup: Any) -> None:
        self.keychain_note.setVisible(not setup.keychain_available)
        self.password.setPlaceholderText(SAVED_PASSWORD_HINT if setup.password_saved
                                         else "Password")

    def values(self) -> dict[str, Any]:
        return {"host": self.host.text().strip(), "port": self.port.value(),
                "username": self.username.text().strip(),
                "folder": self.folder.text().strip() or "INBOX",
                "address": self.address.text().strip(), "ca_file": self.ca_file.text().strip(),
                "mark_seen": self.mark_seen.isChecked()}

    def typed_password(self) -> str | None:
        return self.password.text() or None

    def save(self) -> None:
        if self.vault is None:
            return
        self._edited()
        self._busy(True)
        self.tasks.submit(service("support_mailbox.save_mailbox_settings"), self.vault,
                          self.values(), self.typed_password(), writes=AREAS,
                          on_done=self._saved, on_error=self._failed)

    def _saved(self, setup: Any) -> None:
        self._busy(False)
        self._after_save(setup)
        self.status.setText("Saved.")

    def _after_save(self, setup: Any) -> None:
        self._show_password_state(setup)
        if setup.keychain_available:
            self.password.clear()

    def test(self) -> None:
        if self.vault is None:
            return
        self._edited()
        self._busy(True)
        self.status.setText("Connecting…")
        self.tasks.submit(save_and_check, self.vault, self.values(), self.typed_password(),
                          writes=AREAS, on_done=self._tested, on_error=self._failed)

    def _tested(self, outcome: tuple[Any, Any]) -> None:
        setup, check = outcome
        self._busy(False)
        self._after_save(setup)
        n = check.messages
        self.status.setText(f"Saved and connected: the folder {check.folder} holds {n} "
                            f"{'message' if n == 1 else 'messages'}.")

    def _failed(self, error: UserError) -> None:
        self._busy(False)
        self.status.clear()
        self.error.show_message(error.message)
        if getattr(error, "needs_password", False):
            self.password.setFocus()

    def _edited(self) -> None:
        self.status.clear()
        self.error.clear_message()

    def _choose_ca_file(self) -> None:
        dialog = QFileDialog(self, "Certificate file to trust")
        dialog.setObjectName("supportCaFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(["Certificates (*.pem *.crt *.cer)", "All files (*)"])
        dialog.fileSelected.connect(lambda path: (self.ca_file.setText(path), self._edited()))
        dialog.open()

    def _busy(self, busy: bool) -> None:
        self._busy_count = max(0, self._busy_count + (1 if busy else -1))
        self._set_enabled(self.vault is not None and not self._busy_count)

    def _set_enabled(self, enabled: bool) -> None:
        self.save_button.setEnabled(enabled)
        self.test_button.setEnabled(enabled)


# -- the desk ---------------------------------------------------------------------------
class SupportDeskSection(QWidget):
    """The "Support desk" card: SLA targets, opening hours, holidays, canned replies."""

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supportDesk")
        self.tasks = tasks
        self.vault: Any = None
        self.canned: list[Any] = []
        self.holidays: list[Any] = []
        self.tabs = QTabWidget()
        self.tabs.setObjectName("supportTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_targets(), "SLA targets")
        self.tabs.addTab(self._build_hours(), "Opening hours")
        self.tabs.addTab(self._build_holidays(), "Holidays")
        self.tabs.addTab(self._build_canned(), "Canned replies")
        card, box = titled_card("Support desk", "supportDeskCard")
        box.addWidget(label(
            "How soon tickets must be answered and solved, counted in the office's opening "
            "hours without its holidays, and the answers you give often. A change applies "
            "to tickets whose clock starts afterwards.", "hint"))
        box.addWidget(self.tabs)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(card)
        self._set_enabled(False)

    # -- building ----------------------------------------------------------------------
    def _build_targets(self) -> QWidget:
        tab = QWidget()
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(8)
        grid.addWidget(label("Priority", "hint", wrap=False), 0, 0)
        grid.addWidget(label("First response within", "hint", wrap=False), 0, 1)
        grid.addWidget(label("Solved within", "hint", wrap=False), 0, 2)
        self.targets: dict[str, tuple[QLineEdit, QLineEdit]] = {}
        for row, (priority, text) in enumerate(PRIORITY_ROWS, start=1):
            first = line_edit(f"slaFirst_{priority}", "e.g. 4 h")
            resolution = line_edit(f"slaResolution_{priority}", "e.g. 16 h")
            for edit in (first, resolution):
                edit.setMaximumWidth(180)
                edit.textEdited.connect(lambda _t: self._clear_note(self.targets_note,
                                                                    self.targets_error))
            grid.addWidget(QLabel(text), row, 0)
            grid.addWidget(first, row, 1)
            grid.addWidget(resolution, row, 2)
            self.targets[priority] = (first, resolution)
        grid.setColumnStretch(3, 1)
        self.targets_save = QPushButton("Save targets")
        self.targets_save.setObjectName("slaSave")
        self.targets_save.setProperty("primary", True)
        self.targets_save.clicked.connect(self.save_targets)
        self.targets_note = label("", "hint")
        self.targets_error = FieldError("slaError")
        box = QVBoxLayout(tab)
        box.setContentsMargins(0, 10, 0, 0)
        box.addWidget(label("In business time: “1 h”, “90 min”, “2 h 30 min”; a day of "
                            "opening hours is often 8 h.", "hint"))
        box.addLayout(grid)
        box.addLayout(_button_row(self.targets_save, self.targets_note))
        box.addWidget(self.targets_error)
        box.addStretch(1)
        return tab

    def _build_hours(self) -> QWidget:
        tab = QWidget()
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(8)
        self.hours: dict[str, QLineEdit] = {}
        for key, name in WEEKDAYS:
            edit = line_edit(f"hours_{key}", "Closed")
            edit.setMaximumWidth(320)
            edit.textEdited.connect(lambda _t: self._clear_note(self.hours_note,
                                                                self.hours_error))
            form.addRow(name, edit)
            self.hours[key] = edit
        self.hours_save = QPushButton("Save opening hours")
        self.hours_save.setObjectName("hoursSave")
        self.hours_save.setProperty("primary", True)
        self.hours_save.clicked.connect(self.save_hours)
        self.hours_note = label("", "hint")
        self.hours_error = FieldError("hoursError")
        box = QVBoxLayout(tab)
        box.setContentsMargins(0, 10, 0, 0)
        box.addWidget(label("From–to times in the office's time zone, several separated by "
                            "commas (08:00–12:00, 13:00–17:00); leave a day empty when the "
                            "office is closed.", "hint"))
        box.addLayout(form)
        box.addLayout(_button_row(self.hours_save, self.hours_note))
        box.addWidget(self.hours_error)
        box.addStretch(1)
        return tab

    def _build_holidays(self) -> QWidget:
        tab = QWidget()
        self.holiday_table = row_table("holidayTable", ["Day", "Name"],
                                       accessible="Holidays")
        self.holiday_table.horizontalHeader().setStretchLastSection(True)
        self.holiday_table.setColumnWidth(0, 200)
        self.holiday_table.setMinimumHeight(160)
        self.holiday_day = QDateEdit()
        self.holiday_day.setObjectName("holidayDay")
        self.holiday_day.setCalendarPopup(True)
        self.holiday_day.setDate(QDate.currentDate())
        self.holiday_name = line_edit("holidayName", "e.g. Christmas Day")
        self.holiday_add = QPushButton("Add holiday")
        self.holiday_add.setObjectName("holidayAdd")
        self.holiday_add.clicked.connect(self.add_holiday)
        self.holiday_remove = QPushButton("Remove")
        self.holiday_remove.setObjectName("holidayRemove")
        self.holiday_remove.clicked.connect(self.remove_holiday)
        self.holiday_error = FieldError("holidayError")
        row = QHBoxLayout()
        row.addWidget(self.holiday_day)
        row.addWidget(self.holiday_name, 1)
        row.addWidget(self.holiday_add)
        row.addWidget(self.holiday_remove)
        box = QVBoxLayout(tab)
        box.setContentsMargins(0, 10, 0, 0)
        box.addWidget(self.holiday_table, 1)
        box.addLayout(row)
        box.addWidget(self.holiday_error)
        return tab

    def _build_canned(self) -> QWidget:
        tab = QWidget()
        self.canned_list = QListWidget()
        self.canned_list.setObjectName("cannedList")
        self.canned_list.setMaximumWidth(220)
        self.canned_list.currentItemChanged.connect(lambda item, _b: self._show_canned(item))
        self.canned_name = line_edit("cannedName", "e.g. Password reset")
        self.canned_body = QPlainTextEdit()
        self.canned_body.setObjectName("cannedBody")
        self.canned_body.setTabChangesFocus(True)
        self.canned_body.setMinimumHeight(130)
        self.canned_body.setPlaceholderText("Hello {requester_first_name},\n\n…")
        self.canned_new = QPushButton("New")
        self.canned_new.setObjectName("cannedNew")
        self.canned_new.clicked.connect(self.new_canned)
        self.canned_save = QPushButton("Save reply")
        self.canned_save.setObjectName("cannedSave")
        self.canned_save.setProperty("primary", True)
        self.canned_save.clicked.connect(self.save_canned)
        self.canned_delete = QPushButton("Delete")
        self.canned_delete.setObjectName("cannedDelete")
        self.canned_delete.clicked.connect(self.delete_canned)
        self.canned_note = label("", "hint")
        self.canned_error = FieldError("cannedError")
        editor = QVBoxLayout()
        editor.addWidget(self.canned_name)
        editor.addWidget(self.canned_body, 1)
        editor.addWidget(label(PLACEHOLDER_HELP, "hint"))
        buttons = QHBoxLayout()
        for button in (self.canned_new, self.canned_save, self.canned_delete):
            buttons.addWidget(button)
        buttons.addWidget(self.canned_note, 1)
        editor.addLayout(buttons)
        editor.addWidget(self.canned_error)
        row = QHBoxLayout(tab)
        row.setContentsMargins(0, 10, 0, 0)
        row.addWidget(self.canned_list)
        row.addLayout(editor, 1)
        return tab

    # -- life cycle --------------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self.reload()

    def reload(self) -> None:
        if self.vault is not None:
            self.tasks.submit(load_desk, self.vault, on_done=self._show,
                              on_error=lambda e: self.targets_error.show_message(e.message))

    def clear(self) -> None:
        self.vault = None
        self.canned, self.holidays = [], []
        for first, resolution in self.targets.values():
            first.clear()
            resolution.clear()
        for edit in self.hours.values():
            edit.clear()
        self.holiday_table.setRowCount(0)
        self.canned_list.clear()
        self.canned_name.clear()
        self.canned_body.clear()
        for note in (self.targets_note, self.hours_note, self.canned_note):
            note.clear()
        for error in (self.targets_error, self.hours_error, self.holiday_error,
                      self.canned_error):
            error.clear_message()
        self._set_enabled(False)

    def _show(self, loaded: dict[str, Any]) -> None:
        if self.vault is None:
            return
        for policy in loaded["policies"]:
            first, resolution = self.targets[policy.priority]
            first.setText(duration_input(policy.first_response_minutes))
            resolution.setText(duration_input(policy.resolution_minutes))
        for key, edit in self.hours.items():
            edit.setText(hours_text(loaded["hours"].get(key, [])))
        self._show_holidays(loaded["holidays"])
        self._show_canned_list(loaded["canned"])
        self._set_enabled(True)

    def _set_enabled(self, enabled: bool) -> None:
        for button in (self.targets_save, self.hours_save, self.holiday_add,
                       self.holiday_remove, self.canned_new, self.canned_save,
                       self.canned_delete):
            button.setEnabled(enabled)

    @staticmethod
    def _clear_note(note: QLabel, error: FieldError) -> None:
        note.clear()
        error.clear_message()

    # -- SLA targets -------------------------------------------------------------------
    def save_targets(self) -> None:
        if self.vault is None:
            return
        self._clear_note(self.targets_note, self.targets_error)
        rows = [(p, parse_duration(first.text()), parse_duration(resolution.text()))
                for p, (first, resolution) in self.targets.items()]
        self.tasks.submit(save_policies, self.vault, rows, writes=AREAS,
                          on_done=lambda _p: self.targets_note.setText("Saved."),
                          on_error=lambda e: self.targets_error.show_message(e.message))

    # -- opening hours -----------------------------------------------------------------
    def save_hours(self) -> None:
        if self.vault is None:
            return
        self._clear_note(self.hours_note, self.hours_error)
        try:
            hours = parse_hours({k: e.text() for k, e in self.hours.items()})
        except UserError as error:
            self.hours_error.show_message(error.message)
            return
        self.tasks.submit(service("sla.set_business_hours"), self.vault, hours, writes=AREAS,
                          on_done=self._hours_saved,
                          on_error=lambda e: self.hours_error.show_message(e.message))

    def _hours_saved(self, hours: Any) -> None:
        for key, edit in self.hours.items():
            edit.setText(hours_text(hours.to_json().get(key, [])))
        self.hours_note.setText("Saved.")

    # -- holidays ----------------------------------------------------------------------
    def _show_holidays(self, holidays: list[Any]) -> None:
        self.holidays = list(holidays)
        self.holiday_table.setRowCount(len(self.holidays))
        for row, h in enumerate(self.holidays):
            day = QDate(h.day.year, h.day.month, h.day.day)
            self.holiday_table.setItem(row, 0, QTableWidgetItem(
                day.toString("dddd d MMMM yyyy")))
            self.holiday_table.setItem(row, 1, QTableWidgetItem(h.name))

    def add_holiday(self) -> None:
        if self.vault is None:
            return
        self.holiday_error.clear_message()
        picked = self.holiday_day.date()
        day = date(picked.year(), picked.month(), picked.day())
        self.tasks.submit(service("sla.add_holiday"), self.vault, day,
                          self.holiday_name.text(), writes=AREAS,
                          on_done=lambda _h: (self.holiday_name.clear(), self.reload()),
                          on_error=lambda e: self.holiday_error.show_message(e.message))

    def remove_holiday(self) -> None:
        row = self.holiday_table.currentRow()
        if self.vault is None or not 0 <= row < len(self.holidays):
            self.holiday_error.show_message("Choose the holiday to remove in the list first.")
            return
        self.holiday_error.clear_message()
        self.tasks.submit(service("sla.remove_holiday"), self.vault, self.holidays[row].id,
                          writes=AREAS, on_done=lambda _n: self.reload(),
                          on_error=lambda e: self.holiday_error.show_message(e.message))

    # -- canned replies ----------------------------------------------------------------
    def _show_canned_list(self, replies: list[Any], chosen: str = "") -> None:
        current = chosen or self._current_canned_id()
        self.canned = list(replies)
        self.canned_list.blockSignals(True)
        self.canned_list.clear()
        for reply in self.canned:
            item = QListWidgetItem(reply.name)
            item.setData(Qt.ItemDataRole.UserRole, reply.id)
            self.canned_list.addItem(item)
            if reply.id == current:
                self.canned_list.setCurrentItem(item)
        self.canned_list.blockSignals(False)
        self._show_canned(self.canned_list.currentItem())

    def _current_canned_id(self) -> str:
        item = self.canned_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else ""

    def _show_canned(self, item: QListWidgetItem | None) -> None:
        reply = next((r for r in self.canned if item is not None
                      and r.id == item.data(Qt.ItemDataRole.UserRole)), None)
        self.canned_name.setText(reply.name if reply else "")
        self.canned_body.setPlainText(reply.body if reply else "")
        self.canned_delete.setEnabled(reply is not None and self.vault is not None)
        self._clear_note(self.canned_note, self.canned_error)

    def new_canned(self) -> None:
        self.canned_list.setCurrentItem(None)
        self.canned_list.clearSelection()
        self._show_canned(None)
        self.canned_name.setFocus()

    def save_canned(self) -> None:
        if self.vault is None:
            return
        self._clear_note(self.canned_note, self.canned_error)
        self.tasks.submit(service("canned_replies.save_canned"), self.vault,
                          self.canned_name.text(), self.canned_body.toPlainText(),
                          self._current_canned_id() or None, writes=AREAS,
                          on_done=self._canned_saved,
                          on_error=lambda e: self.canned_error.show_message(e.message))

    def _canned_saved(self, record: Any) -> None:
        self.tasks.submit(service("canned_replies.list_canned"), self.vault,
                          on_done=lambda replies: (
                              self._show_canned_list(replies, record.id),
                              self.canned_note.setText("Saved.")))

    def delete_canned(self) -> None:
        canned_id = self._current_canned_id()
        if self.vault is None or not canned_id:
            return
        self.tasks.submit(service("canned_replies.delete_canned"), self.vault, canned_id,
                          writes=AREAS, on_done=lambda _n: self.reload(),
                          on_error=lambda e: self.canned_error.show_message(e.message))


def _button_row(button: QPushButton, note: QLabel) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(button)
    row.addWidget(note, 1)
    return row
