"""The Audit page: who did what, when, to which record, and whether the trail is whole.

A list of audit events newest first, read page by page by key on the task runner
(`services.audit.list_events`): the time in the person's locale and time zone, the
user who acted, the action in plain words, the record type and the record id. The
trail holds ids only, never personal values, so neither does this page. Filters
narrow it by user, action, record type, dates and a record id.

"Export…" writes the filtered events to CSV (a machine format: UTC times, ids, the
chain's hashes) through the task runner with progress and Cancel; it needs the
`export` permission besides `audit.view`, and is itself recorded in the trail.
"Check the trail" walks the hash chain (`audit.verify_chain`) and says in one
sentence whether it is intact or where it is broken.

The main window lists this page only for a role with `audit.view`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.list_model import KeyPagedModel
from crasme_desktop.ui.pages.base import Page, label
from crasme_desktop.ui.permission_gate import gate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import (
    ChooseSavePath,
    ask_save_path,
    line_edit,
    link_button,
    local_datetime,
    push_button,
)

PAGE_ROWS = 200
#: The date edits show "Any" at this date (no bound).
NO_DATE = QDate(2000, 1, 1)
#: Record types whose records another page shows (a double-click opens them there).
OPENABLE = frozenset({"person", "organization", "invoice", "quote", "deal", "ticket", "job"})
_Index = QModelIndex | QPersistentModelIndex


def _tr(text: str) -> str:
    return QCoreApplication.translate("AuditPage", text)


# -- plain words -------------------------------------------------------------------------
#: The last part of an action word ("person.open" -> "open") in plain words.
_VERBS: dict[str, str] = {
    "open": "Opened", "create": "Created", "update": "Changed", "delete": "Deleted",
    "export": "Exported", "print": "Printed", "erase": "Erased", "merge": "Merged",
    "merge_undo": "Merge undone", "link": "Linked to a company", "tag": "Tagged",
    "untag": "Tag removed", "restrict": "Restricted", "unrestrict": "Restriction lifted",
    "privacy_export": "Their data exported", "unlock": "Unlocked", "rekey": "Key rotated",
    "passphrase_changed": "Passphrase changed",  # nosec B105  # a label, not a password
    "import_export": "Export imported",
    "import": "Imported", "status": "Status changed", "assign": "Assigned",
    "priority": "Priority changed", "issue": "Issued", "payment": "Payment recorded",
    "save": "Saved", "save_draft": "Draft saved", "delete_draft": "Draft deleted",
    "apply_credit": "Credit applied", "rename": "Renamed", "role": "Role changed",
    "activate": "Activated", "deactivate": "Deactivated", "stage": "Moved to a stage",
    "move": "Moved", "to_invoice": "Made into an invoice", "archive": "Archived",
    "restore": "Restored", "pause": "Paused", "resume": "Resumed", "reopen": "Reopened",
    "complete": "Completed", "remind": "Reminder set", "grant": "Consent given",
    "withdraw": "Consent withdrawn", "done": "Done", "acknowledge": "Acknowledged",
    "added": "Added", "removed": "Removed", "changed": "Changed", "preview": "Previewed",
    "apply": "Applied", "mail": "Mail status", "reorder": "Reordered",
    "ics_export": "Calendar exported", "import_ics": "Calendar imported",
    "field_notes": "Field notes", "minutes_worked": "Time worked",
    "material_add": "Material added", "material_update": "Material changed",
    "material_remove": "Material removed", "failed": "Failed",
}
#: Record types in plain words.
_TYPES: dict[str, str] = {
    "person": "Person", "organization": "Company", "deal": "Deal", "deal_stage": "Stage",
    "pipeline": "Pipeline", "quote": "Quote", "invoice": "Invoice",
    "credit_note": "Credit note", "recurring_invoice": "Recurring invoice",
    "product": "Product", "tax_rate": "Tax rate", "number_series": "Number series",
    "ticket": "Ticket", "ticket_message": "Ticket message", "canned_reply": "Canned reply",
    "inbox_item": "Mail received", "job": "Job", "staff_member": "Staff member",
    "staff_absence": "Absence", "holiday": "Holiday", "sla_policy": "SLA target",
    "app_user": "User", "role": "Role", "setting": "Setting", "vault": "Vault",
    "backup": "Backup", "activity": "Timeline entry", "attachment": "Attachment",
    "privacy_request": "Privacy request", "saved_view": "Saved view",
    "retention_run": "Retention run", "audit_event": "Audit trail",
}


def _words(key: str) -> str:
    return key.replace("_", " ").capitalize()


def action_text(action: str) -> str:
    """"person.open" -> "Opened"; "ticket.status:solved" -> "Status changed (solved)";
    an action word this version does not know reads as its words."""
    word, _, detail = action.partition(":")
    verb = word.rpartition(".")[2] or word
    known = _VERBS.get(verb)
    text = _tr(known) if known is not None else _words(verb)
    return f"{text} ({detail.replace('_', ' ')})" if detail else text


def record_type_text(record_type: str) -> str:
    if not record_type:
        return ""
    known = _TYPES.get(record_type)
    return _tr(known) if known is not None else _words(record_type)


def choice_text(action: str) -> str:
    """An action word as the filter lists it: its area and what happened."""
    area = action.partition(":")[0].rpartition(".")[0]
    return f"{record_type_text(area)}: {action_text(action)}" if area else action_text(action)


def user_text(entry: Any) -> str:
    if entry.user_name:
        return str(entry.user_name)
    return _tr("Removed user") if entry.user_id else _tr("No user")


# -- worker jobs --------------------------------------------------------------------------
@dataclass(frozen=True)
class EventPage:
    rows: list[Any]
    next_after: int | None


@dataclass(frozen=True)
class Choices:
    users: list[Any]
    trail: Any  # services.audit.AuditChoices


def load_events(vault: Any, where: dict[str, Any], after: int | None) -> EventPage:
    rows = service("audit.list_events")(vault, after=after, limit=PAGE_ROWS, **where)
    return EventPage(rows, rows[-1].seq if len(rows) == PAGE_ROWS else None)


def load_choices(vault: Any) -> Choices:
    return Choices(service("users.list_users")(vault), service("audit.filter_choices")(vault))


def export_trail(vault: Any, path: Path, where: dict[str, Any], *,
                 progress: Any = None) -> Any:
    chosen = service("audit.AuditFilter")(**where)
    return service("audit.export_events")(vault, path, chosen, progress=progress)


# -- the list -----------------------------------------------------------------------------
class AuditTableModel(KeyPagedModel):
    """The events read page by page by key (newest first)."""

    def __init__(self, page: AuditPage) -> None:
        super().__init__(page, [_tr("When"), _tr("User"), _tr("Action"), _tr("Record type"),
                                _tr("Record id")], page.load)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        entry = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (local_datetime(entry.at), user_text(entry), action_text(entry.action),
                    record_type_text(entry.record_type), entry.record_id)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 1 and entry.actor:
                return _tr("Computer account: {name}").format(name=entry.actor)
            if column == 2:
                return entry.action
            if column == 4 and entry.record_type in OPENABLE and entry.record_id:
                return _tr("Double-click to open this record")
        return None


class AuditPage(Page):
    key = "audit"
    title = "Audit trail"
    description = "Who opened, changed, exported or erased what, and when."
    icon_name = "audit"
    #: Every write adds to the trail, so any change concerns this page (see on_changed).
    areas = frozenset({"audit"})

    #: ("person" | "invoice" | …, id): show that record on its page.
    record_requested = Signal(str, str)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.header_title.setText(self.tr("Audit trail"))
        self.header_description.setText(
            self.tr("Who opened, changed, exported or erased what, and when."))
        self.choose_save_path: ChooseSavePath = ask_save_path(self, self.tr("Export the "
                                                                           "audit trail to"))
        self._stale = False
        self._filling = False
        self.check_report: Any = None

        self.user = self._combo("auditUser", self.tr("Show only what this user did"))
        self.action = self._combo("auditAction", self.tr("Show only this action"))
        self.record_type = self._combo("auditRecordType",
                                       self.tr("Show only events about this kind of record"))
        self.since = self._date("auditSince", self.tr("Show events from this day on"))
        self.until = self._date("auditUntil", self.tr("Show events up to this day"))
        self.record_id = line_edit("auditRecordId", self.tr("Record id"),
                                   accessible=self.tr("Record id"))
        self.record_id.setClearButtonEnabled(True)
        self.record_id.setToolTip(self.tr("Show only events about the record with this id"))
        self._id_timer = QTimer(self)
        self._id_timer.setSingleShot(True)
        self._id_timer.setInterval(300)
        self._id_timer.timeout.connect(self.reload)
        self.record_id.textChanged.connect(lambda _text: self._id_timer.start())
        self.clear_filters = link_button(self.tr("Clear filters"), "auditClearFilters")
        self.clear_filters.clicked.connect(self.reset_filters)

        self.check_button = push_button(
            self.tr("Check the trail"), "auditCheck", self.check_trail,
            tip=self.tr("Check that no entry was changed, removed or slipped in"))
        self.export_button = push_button(self.tr("Export…"), "auditExport", self.export,
                                         tip=self.tr("Save the events shown to a CSV file"))
        self.check_result = label("", "notice")
        self.check_result.setObjectName("auditCheckResult")
        self.check_result.hide()
        self.note = label("", "hint")
        self.note.setObjectName("auditNote")

        self.model = AuditTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setAccessibleName(self.tr("Audit events"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        for section, width in enumerate((150, 160, 220, 130)):
            header.resizeSection(section, width)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self._open_row)
        self.count = label("", "hint", wrap=False)
        self.count.setObjectName("auditCount")

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addWidget(self._build_filters())
        column.addWidget(self.check_result)
        column.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.note)
        column.addLayout(bottom)
        self.stack.addWidget(body)
        for combo in (self.user, self.action, self.record_type):
            combo.currentIndexChanged.connect(self._filters_changed)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self._filters_changed)
        self._set_choices(None)

    # -- building -------------------------------------------------------------------------
    def _combo(self, name: str, tip: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setToolTip(tip)
        combo.setAccessibleName(tip)
        combo.setMinimumContentsLength(12)
        combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        return combo

    def _date(self, name: str, tip: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setToolTip(tip)
        edit.setAccessibleName(tip)
        edit.setCalendarPopup(True)
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText(self.tr("Any day"))
        edit.setDate(NO_DATE)
        edit.setDisplayFormat(QLocale().dateFormat(QLocale.FormatType.ShortFormat))
        return edit

    def _build_filters(self) -> QWidget:
        bar = QWidget()
        bar.setObjectName("auditFilters")
        grid = QGridLayout(bar)
        grid.setContentsMargins(0, 0, 0, 4)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        fields = ((self.tr("User"), self.user), (self.tr("Action"), self.action),
                  (self.tr("Record type"), self.record_type), (self.tr("From"), self.since),
                  (self.tr("To"), self.until), (self.tr("Record id"), self.record_id))
        for n, (caption, widget) in enumerate(fields):
            row, col = divmod(n, 3)
            name = QLabel(caption)
            name.setBuddy(widget)
            grid.addWidget(name, row, col * 2)
            grid.addWidget(widget, row, col * 2 + 1)
        for col in (1, 3, 5):
            grid.setColumnStretch(col, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.clear_filters)
        actions.addStretch(1)
        actions.addWidget(self.check_button)
        actions.addWidget(self.export_button)
        grid.addLayout(actions, 2, 0, 1, 6)
        return bar

    # -- life cycle -----------------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self.apply_permissions()
        self._load_choices()
        self.reload()

    def apply_permissions(self) -> None:
        """Export needs the `export` permission besides seeing the trail."""
        gate(self.export_button, self.vault, "audit.view", "export",
             tip=self.tr("Save the events shown to a CSV file"))

    def clear(self) -> None:
        super().clear()
        self._id_timer.stop()
        self.model.reset()
        self._set_choices(None)
        self.count.clear()
        self.note.clear()
        self.check_result.hide()
        self.check_report = None
        self._stale = False

    def refresh(self) -> None:
        self._load_choices()
        self.reload()

    def concerned(self, areas: frozenset[str]) -> bool:
        # Every write appends to the trail, whatever area it names.
        return self.vault is not None and bool(areas)

    def on_changed(self, areas: frozenset[str]) -> None:
        """Read the trail again when it is on screen; else when it is next shown, so
        writes elsewhere do not reread a list nobody is looking at."""
        if not self.concerned(areas):
            return
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._stale and self.vault is not None:
            self._stale = False
            self.refresh()

    # -- filters --------------------------------------------------------------------------
    def filter_values(self) -> dict[str, Any]:
        """The filters as `services.audit.AuditFilter` fields (times as aware UTC)."""
        values: dict[str, Any] = {
            "user_id": self.user.currentData() or None,
            "action": self.action.currentData() or None,
            "record_type": self.record_type.currentData() or None,
            "record_id": self.record_id.text().strip() or None,
        }
        if self.since.date() != NO_DATE:
            values["since"] = _local_midnight(self.since.date().toPython())
        if self.until.date() != NO_DATE:  # up to and with the day chosen
            values["until"] = _local_midnight(self.until.date().toPython() + timedelta(days=1))
        return values

    def reset_filters(self) -> None:
        self._filling = True
        for combo in (self.user, self.action, self.record_type):
            combo.setCurrentIndex(0)
        self.since.setDate(NO_DATE)
        self.until.setDate(NO_DATE)
        self.record_id.clear()
        self._filling = False
        self._id_timer.stop()
        self.reload()

    def _filters_changed(self) -> None:
        if not self._filling:
            self.reload()

    def _load_choices(self) -> None:
        if self.vault is not None:
            self.tasks.submit(load_choices, self.vault, on_done=self._set_choices,
                              on_error=self._show_problem)

    def _set_choices(self, choices: Choices | None) -> None:
        """Fill the filter lists, keeping what was chosen when it is still there."""
        if choices is None and self.vault is not None:
            return
        self._filling = True
        users = [] if choices is None else [(u.display_name, u.id) for u in choices.users]
        actions = [] if choices is None else sorted(
            ((choice_text(a), a) for a in choices.trail.actions), key=lambda c: c[0].casefold())
        types = [] if choices is None else sorted(
            ((record_type_text(t), t) for t in choices.trail.record_types),
            key=lambda c: c[0].casefold())
        for combo, first, items in ((self.user, self.tr("Anyone"), users),
                                    (self.action, self.tr("Any action"), actions),
                                    (self.record_type, self.tr("Any record"), types)):
            chosen = combo.currentData()
            combo.clear()
            combo.addItem(first, None)
            for text, data in items:
                combo.addItem(text, data)
            index = combo.findData(chosen) if chosen is not None else 0
            combo.setCurrentIndex(max(index, 0))
        self._filling = False

    # -- the list -------------------------------------------------------------------------
    def reload(self) -> None:
        if self.vault is None:
            return
        self._id_timer.stop()
        self.model.reset()
        self.load(None)

    def load(self, after: int | None) -> None:
        if self.vault is None:
            return
        self.model.loading = True
        generation = self.model.generation
        self.tasks.submit(load_events, self.vault, self.filter_values(), after,
                          on_done=lambda page: self._arrived(generation, page),
                          on_error=self._show_problem)

    def _arrived(self, generation: int, page: EventPage) -> None:
        if self.vault is None or not self.model.add_page(generation, page):
            return
        n = len(self.model.rows)
        count = QLocale().toString(n)
        if not n:
            self.count.setText(self.tr("No events match these filters."))
        elif self.model.complete:
            self.count.setText((self.tr("{count} event") if n == 1 else
                                self.tr("{count} events")).format(count=count))
        else:
            self.count.setText(self.tr("{count} events so far; scroll for more")
                               .format(count=count))

    def _show_problem(self, error: Any) -> None:
        self.model.loading = False
        self.count.setText(error.message)

    def _open_row(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.model.rows):
            entry = self.model.rows[index.row()]
            if entry.record_type in OPENABLE and entry.record_id:
                self.record_requested.emit(entry.record_type, entry.record_id)

    # -- check and export -----------------------------------------------------------------
    def check_trail(self) -> None:
        if self.vault is None:
            return
        self.check_button.setEnabled(False)
        self.tasks.submit(service("audit.verify_chain"), self.vault,
                          on_done=self._checked, on_error=self._check_failed)

    def _checked(self, report: Any) -> None:
        self.check_button.setEnabled(True)
        self.check_report = report
        if report.ok:
            text = (self.tr("The audit trail is intact: its one entry is as it was written.")
                    if report.entries == 1 else
                    self.tr("The audit trail is intact: all {count} entries are as they "
                            "were written.").format(count=QLocale().toString(report.entries)))
        else:
            text = report.message + " " + self.tr(
                "Keep this copy of the vault as evidence and compare it with a backup.")
        self._show_check(text, ok=report.ok)

    def _check_failed(self, error: Any) -> None:
        self.check_button.setEnabled(True)
        self._show_check(error.message, ok=False)

    def _show_check(self, text: str, *, ok: bool) -> None:
        self.check_result.setText(text)
        self.check_result.setProperty("role", "notice" if ok else "error")
        self.check_result.style().unpolish(self.check_result)
        self.check_result.style().polish(self.check_result)
        self.check_result.show()

    def export(self) -> None:
        if self.vault is None or not self.export_button.isEnabled():
            return
        suggested = Path.home() / f"audit-trail-{date.today().isoformat()}.csv"
        path = self.choose_save_path(suggested)
        if not path:
            return
        self.note.clear()
        self.tasks.submit(export_trail, self.vault, Path(path), self.filter_values(),
                          progress_title=self.tr("Exporting the audit trail…"),
                          cancellable=True, writes={"audit"},
                          on_done=self._exported, on_error=self._export_failed)

    def _exported(self, outcome: Any) -> None:
        text = (self.tr("Exported {count} event to {name}.") if outcome.count == 1 else
                self.tr("Exported {count} events to {name}."))
        self.note.setText(text.format(count=QLocale().toString(outcome.count),
                                      name=outcome.path.name))
        self.note.setToolTip(str(outcome.path))

    def _export_failed(self, error: Any) -> None:
        self.note.setText(error.message)


def _local_midnight(day: date) -> datetime:
    """The start of `day` in this computer's time zone, as an aware datetime."""
    return datetime.combine(day, time()).astimezone()

