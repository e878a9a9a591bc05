"""The timeline and attachments of one person or company, with a bar to add to it.

Entries come newest first, a page at a time (keyset paging in the service: "Show
older entries" passes the last one shown). Every read and write goes through the
task runner; a write names the area it touched ("activities" or "attachments") and
the panel reloads when the runner says that area changed, whoever wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, QLocale, QStandardPaths, Qt, QTime
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateTimeEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui import theme
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.permission_gate import denial, gate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import (
    ChooseOpenPaths,
    ChooseSavePath,
    FieldError,
    LatestLoader,
    ask_open_paths,
    ask_save_path,
    card,
    from_qdatetime,
    link_button,
    local_datetime,
    text_label,
)

PAGE_SIZE = 50
KINDS = (("note", "Note"), ("call", "Call"), ("meeting", "Meeting"),
         ("email", "Email"), ("task", "Task"))
KIND_NAMES = dict(KINDS)
_KIND_STYLE = (
    "QLabel { color: #1c4a61; background: #e8f2f7; border-radius: 4px;"
    " padding: 1px 6px; font-size: 9pt; font-weight: 600; }"
)
_SEGMENT_STYLE = (
    "QPushButton { padding: 4px 12px; } "
    "QPushButton:checked { background: #d9e7ef; border-color: #9fbccb; color: #1c4a61;"
    " font-weight: 600; }"
)


def load_timeline(
    vault: Any, kind: str, record_id: str, limit: int, before: Any = None
) -> tuple[list[Any], list[Any] | None]:
    """Runs on a worker: a page of entries, and the record's attachments with the first."""
    if kind == "person":
        entries = service("timeline.person_timeline")(
            vault, record_id, limit=limit, before=before
        )
        links = {"person_id": record_id}
    else:
        entries = service("timeline.organization_timeline")(
            vault, record_id, limit=limit, before=before
        )
        links = {"organization_id": record_id}
    files = None if before is not None else service("attachments.list_attachments")(
        vault, **links
    )
    return entries, files


class EntryRow(QFrame):
    """One timeline entry: its kind, title, text and date; a task has a done box."""

    def __init__(self, entry: Any, *, show_person: bool, now: datetime,
                 on_done_toggled: Callable[[EntryRow, bool], None]) -> None:
        super().__init__()
        self.setObjectName("timelineEntry")
        self.entry = entry
        kind = QLabel(KIND_NAMES.get(entry.kind, entry.kind.title()))
        kind.setObjectName("entryKind")
        kind.setStyleSheet(_KIND_STYLE)
        kind.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        when = text_label(local_datetime(entry.occurred_at), "hint", name="entryDate")
        when.setWordWrap(False)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(kind, 0, Qt.AlignmentFlag.AlignTop)
        self.done: QCheckBox | None = None
        title = text_label(entry.subject, name="entryTitle")
        if entry.kind == "task":
            # A bare box beside a wrapped title: a long title wraps instead of widening.
            self.done = QCheckBox()
            self.done.setObjectName("taskDone")
            self.done.setChecked(entry.done_at is not None)
            self.done.setToolTip("Mark done" if entry.done_at is None else "Mark not done")
            self.done.setAccessibleName(f"Done: {entry.subject}")
            self.done.toggled.connect(lambda checked: on_done_toggled(self, checked))
            top.addWidget(self.done, 0, Qt.AlignmentFlag.AlignTop)
            if entry.done_at is not None:
                title.setStyleSheet("color: #5b6675; text-decoration: line-through;")
        else:
            title.setStyleSheet("font-weight: 600;")
        top.addWidget(title, 1)
        top.addWidget(when, 0, Qt.AlignmentFlag.AlignTop)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 8)
        box.setSpacing(3)
        box.addLayout(top)
        details = []
        overdue = False
        if entry.kind == "task":
            if entry.done_at is not None:
                details.append(f"Done {local_datetime(entry.done_at)}")
            if entry.due_at is not None:
                overdue = entry.done_at is None and entry.due_at < now
                due = local_datetime(entry.due_at)
                details.append(f"Overdue since {due}" if overdue else f"Due {due}")
            if entry.remind_at is not None and entry.done_at is None:
                details.append(f"Reminder {local_datetime(entry.remind_at)}")
        if show_person and entry.person_name:
            details.append(f"With {entry.person_name}")
        if entry.owner:
            details.append(f"By {entry.owner}")
        self.details = text_label(" · ".join(details), "hint", name="entryDetails")
        if overdue:
            self.details.setStyleSheet(f"color: {theme.DANGER};")
        self.details.setVisible(bool(details))
        box.addWidget(self.details)
        self.body = text_label(entry.body, name="entryBody")
        self.body.setVisible(bool(entry.body))
        box.addWidget(self.body)


class AttachmentRow(QWidget):
    def __init__(self, info: Any, on_save: Callable[[Any], None]) -> None:
        super().__init__()
        self.setObjectName("attachmentRow")
        self.info = info
        name = text_label(info.filename, name="attachmentName")
        size = QLocale().formattedDataSize(
            info.size, 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat
        )
        meta = text_label(f"{size} · added {local_datetime(info.created_at, with_time=False)}",
                          "hint", name="attachmentMeta")
        meta.setWordWrap(False)
        self.save_button = link_button("Save as…", "saveAttachment")
        self.save_button.clicked.connect(lambda: on_save(info))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        row.setSpacing(10)
        row.addWidget(name, 1)
        row.addWidget(meta)
        row.addWidget(self.save_button)


class QuickAdd(QFrame):
    """Kind buttons, a title, the text, and for a task its due date and reminder."""

    def __init__(self, on_add: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("quickAdd")
        self.kind_group = QButtonGroup(self)
        self.kind_group.setExclusive(True)
        kinds = QHBoxLayout()
        kinds.setSpacing(4)
        self.kind_buttons: dict[str, QPushButton] = {}
        for key, text in KINDS:
            button = QPushButton(text)
            button.setObjectName(f"kind_{key}")
            button.setCheckable(True)
            button.setStyleSheet(_SEGMENT_STYLE)
            self.kind_group.addButton(button)
            self.kind_buttons[key] = button
            kinds.addWidget(button)
            button.toggled.connect(self._kind_changed)
        kinds.addStretch(1)

        self.subject = QLineEdit()
        self.subject.setObjectName("entrySubject")
        self.body = QPlainTextEdit()
        self.body.setObjectName("entryBodyEdit")
        self.body.setTabChangesFocus(True)
        self.body.setFixedHeight(64)

        self.due = QDateTimeEdit()
        self.due.setObjectName("taskDue")
        self.due.setCalendarPopup(True)
        self.remind = QCheckBox("Remind me")
        self.remind.setObjectName("taskRemind")
        self.remind_at = QDateTimeEdit()
        self.remind_at.setObjectName("taskRemindAt")
        self.remind_at.setCalendarPopup(True)
        self.remind_at.setEnabled(False)
        self.remind.toggled.connect(self.remind_at.setEnabled)
        for edit in (self.due, self.remind_at):
            edit.setDisplayFormat(QLocale().dateTimeFormat(QLocale.FormatType.ShortFormat))
        self.task_row = QWidget()
        task = QHBoxLayout(self.task_row)
        task.setContentsMargins(0, 0, 0, 0)
        task.setSpacing(8)
        task.addWidget(QLabel("Due"))
        task.addWidget(self.due)
        task.addSpacing(12)
        task.addWidget(self.remind)
        task.addWidget(self.remind_at)
        task.addStretch(1)

        self.error = FieldError("quickAddError")
        self.add_button = QPushButton("Add to timeline")
        self.add_button.setObjectName("addEntry")
        self.add_button.setProperty("primary", True)
        self.add_button.clicked.connect(on_add)
        self.subject.returnPressed.connect(on_add)
        actions = QHBoxLayout()
        actions.addWidget(self.error, 1)
        actions.addWidget(
            self.add_button, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight
        )

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        box.addLayout(kinds)
        box.addWidget(self.subject)
        box.addWidget(self.body)
        box.addWidget(self.task_row)
        box.addLayout(actions)
        self.kind_buttons["note"].setChecked(True)
        self.reset_dates()

    @property
    def kind(self) -> str:
        return next((k for k, b in self.kind_buttons.items() if b.isChecked()), "note")

    def set_kind(self, kind: str) -> None:
        self.kind_buttons[kind].setChecked(True)

    def reset_dates(self) -> None:
        tomorrow = QDateTime(QDateTime.currentDateTime().date().addDays(1), QTime(9, 0))
        self.due.setDateTime(tomorrow)
        self.remind_at.setDateTime(tomorrow.addSecs(-3600))
        self.remind.setChecked(False)

    def clear_text(self) -> None:
        self.subject.clear()
        self.body.clear()
        self.error.clear_message()
        self.reset_dates()

    def values(self) -> dict[str, Any]:
        kind = self.kind
        values: dict[str, Any] = {
            "subject": self.subject.text(), "body": self.body.toPlainText(),
        }
        if kind == "task":
            values["due_at"] = from_qdatetime(self.due.dateTime())
            if self.remind.isChecked():
                values["remind_at"] = from_qdatetime(self.remind_at.dateTime())
        return values

    def _kind_changed(self) -> None:
        kind = self.kind
        self.task_row.setVisible(kind == "task")
        self.subject.setPlaceholderText(
            {"note": "Title (optional)", "task": "What needs doing?",
             "email": "Email subject"}.get(kind, f"What was the {kind} about?")
        )
        self.body.setPlaceholderText(
            {"note": "Write a note…", "task": "Details (optional)",
             "email": "The email's text (nothing is sent)"}.get(kind, "Notes (optional)")
        )
        self.add_button.setText("Add task" if kind == "task" else f"Add {kind}")
        self.error.clear_message()


class TimelinePanel(QWidget):
    """Timeline, quick-add bar and attachments of one person or company."""

    def __init__(
        self,
        tasks: TaskRunner,
        *,
        choose_save_path: ChooseSavePath | None = None,
        choose_open_paths: ChooseOpenPaths | None = None,
        page_size: int = PAGE_SIZE,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("timelinePanel")
        self.tasks = tasks
        self.vault: Any = None
        self.kind = ""
        self.record_id = ""
        self.page_size = page_size
        self.entries: list[Any] = []
        self.attachments: list[Any] = []
        self.has_more = False
        self.choose_save_path = choose_save_path or ask_save_path(self, "Save attachment as")
        self.choose_open_paths = choose_open_paths or ask_open_paths(self, "Attach files")
        self._loader = LatestLoader(tasks)

        self.quick_add = QuickAdd(self.add_entry)
        add_card, add_box = card("quickAddCard")
        add_box.addWidget(self.quick_add)
        self.add_card = add_card
        #: Why this user may not add to this record's timeline (None when they may).
        self.refusal: str | None = None

        self.entry_box = QVBoxLayout()
        self.entry_box.setSpacing(0)
        self.empty = text_label("Nothing on the timeline yet. Add a note, a call or a task above.",
                                "hint", name="timelineEmpty")
        self.older_button = link_button("Show older entries", "olderEntries")
        self.older_button.clicked.connect(self.load_older)
        self.older_button.hide()
        list_card, list_box = card("timelineCard")
        list_box.addWidget(self.empty)
        list_box.addLayout(self.entry_box)
        list_box.addWidget(self.older_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.file_box = QVBoxLayout()
        self.file_box.setSpacing(0)
        self.no_files = text_label("No files attached.", "hint", name="noAttachments")
        self.attach_button = QPushButton("Attach file…")
        self.attach_button.setObjectName("attachFile")
        self.attach_button.clicked.connect(self.attach_files)
        self.file_status = text_label("", "hint", name="attachmentStatus")
        self.file_status.hide()
        self.file_error = FieldError("attachmentError")
        files_card, files_box = card("attachmentsCard")
        files_box.addWidget(self.no_files)
        files_box.addLayout(self.file_box)
        files_box.addWidget(self.file_status)
        files_box.addWidget(self.file_error)
        files_box.addWidget(self.attach_button, 0, Qt.AlignmentFlag.AlignLeft)

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        box.addWidget(label("Timeline", "section"))
        box.addWidget(add_card)
        box.addWidget(list_card)
        box.addSpacing(6)
        box.addWidget(label("Attachments", "section"))
        box.addWidget(files_card)
        tasks.changed.connect(self._on_changed)

    # -- life cycle -------------------------------------------------------------------
    def set_subject(
        self, vault: Any, kind: str, record_id: str,
        page: tuple[list[Any], list[Any] | None] | None = None,
    ) -> None:
        """Show the timeline of ("person" | "organization", id): the `page` read with
        the record (see `load_timeline`), else loaded now."""
        if (vault, kind, record_id) != (self.vault, self.kind, self.record_id):
            self.quick_add.clear_text()
            self.file_status.hide()
            self.file_error.clear_message()
            self.entries = []
        self.vault, self.kind, self.record_id = vault, kind, record_id
        self.apply_permissions()
        if page is None:
            self.reload()
        else:
            self._loader.reset()
            self._loaded(page, append=False)

    def apply_permissions(self) -> None:
        """Adding notes, tasks and files, and ticking tasks done, is editing the record:
        a role that may not edit it sees no quick-add bar and a disabled Attach button
        that says why."""
        area = "contacts" if self.kind == "person" else "companies"
        self.refusal = denial(self.vault, f"{area}.edit")
        self.add_card.setVisible(self.refusal is None)
        gate(self.attach_button, self.vault, f"{area}.edit")
        for row in self.entry_rows():
            if row.done is not None:
                row.done.setEnabled(self.refusal is None)
                if self.refusal is not None:
                    row.done.setToolTip(self.refusal)

    def clear(self) -> None:
        self._loader.reset()
        self.vault, self.kind, self.record_id = None, "", ""
        self._show_entries([], append=False)
        self._show_files([])
        self.quick_add.clear_text()
        self.file_status.hide()
        self.file_error.clear_message()

    def reload(self) -> None:
        if self.vault is None:
            return
        limit = max(self.page_size, len(self.entries))
        self._loader.request(load_timeline, self.vault, self.kind, self.record_id, limit,
                             on_done=lambda page: self._loaded(page, append=False),
                             on_error=self._load_failed)

    def load_older(self) -> None:
        if self.vault is None or not self.entries:
            return
        self._loader.request(load_timeline, self.vault, self.kind, self.record_id,
                             self.page_size, self.entries[-1],
                             on_done=lambda page: self._loaded(page, append=True),
                             on_error=self._load_failed)

    def _on_changed(self, areas: Any) -> None:
        if self.vault is not None and {"activities", "attachments"} & set(areas):
            self.reload()

    def _loaded(self, page: tuple[list[Any], list[Any] | None], *, append: bool) -> None:
        entries, files = page
        self._show_entries(entries, append=append)
        if files is not None:
            self._show_files(files)

    def _load_failed(self, error: UserError) -> None:
        self.empty.setText(error.message)
        self.empty.show()

    # -- showing ----------------------------------------------------------------------
    def _show_entries(self, entries: list[Any], *, append: bool) -> None:
        if not append:
            while (item := self.entry_box.takeAt(0)) is not None:
                if item.widget() is not None:
                    item.widget().deleteLater()
            self.entries = []
        now = datetime.now(UTC)
        requested = self.page_size if append else max(self.page_size, len(self.entries))
        self.has_more = len(entries) >= requested
        for entry in entries:
            if self.entry_box.count():
                rule = QFrame()
                rule.setProperty("role", "rule")
                self.entry_box.addWidget(rule)
            self.entry_box.addWidget(EntryRow(
                entry, show_person=self.kind == "organization", now=now,
                on_done_toggled=self._toggle_done,
            ))
        self.entries.extend(entries)
        if self.refusal is not None:
            for row in self.entry_rows():
                if row.done is not None:
                    row.done.setEnabled(False)
                    row.done.setToolTip(self.refusal)
        self.empty.setText("Nothing on the timeline yet. Add a note, a call or a task above."
                           if self.refusal is None else self.tr("Nothing on the timeline yet."))
        self.empty.setVisible(not self.entries)
        self.older_button.setVisible(self.has_more and bool(self.entries))

    def entry_rows(self) -> list[EntryRow]:
        rows = []
        for i in range(self.entry_box.count()):
            widget = self.entry_box.itemAt(i).widget()
            if isinstance(widget, EntryRow):
                rows.append(widget)
        return rows

    def attachment_rows(self) -> list[AttachmentRow]:
        rows = []
        for i in range(self.file_box.count()):
            widget = self.file_box.itemAt(i).widget()
            if isinstance(widget, AttachmentRow):
                rows.append(widget)
        return rows

    def _show_files(self, files: list[Any]) -> None:
        while (item := self.file_box.takeAt(0)) is not None:
            if item.widget() is not None:
                item.widget().deleteLater()
        self.attachments = list(files)
        for info in files:
            self.file_box.addWidget(AttachmentRow(info, self.save_attachment))
        self.no_files.setVisible(not files)

    # -- writing ----------------------------------------------------------------------
    def _links(self) -> dict[str, str]:
        key = "person_id" if self.kind == "person" else "organization_id"
        return {key: self.record_id}

    def add_entry(self) -> None:
        if self.vault is None or self.refusal is not None:
            return
        self.quick_add.error.clear_message()
        self.quick_add.add_button.setEnabled(False)
        self.tasks.submit(
            service("timeline.add_entry"), self.vault, self.quick_add.kind,
            **self.quick_add.values(), **self._links(),
            writes={"activities"},
            on_done=self._added, on_error=self._add_failed,
        )

    def _added(self, _entry: Any) -> None:
        self.quick_add.add_button.setEnabled(True)
        self.quick_add.clear_text()

    def _add_failed(self, error: UserError) -> None:
        self.quick_add.add_button.setEnabled(True)
        self.quick_add.error.show_message(error.message)

    def _toggle_done(self, row: EntryRow, checked: bool) -> None:
        if self.vault is None or self.refusal is not None:
            return
        name = "timeline.complete_task" if checked else "timeline.reopen_task"

        def failed(error: UserError) -> None:
            if row.done is not None:
                row.done.blockSignals(True)
                row.done.setChecked(not checked)
                row.done.blockSignals(False)
            self.tasks.show_error(error)

        self.tasks.submit(service(name), self.vault, row.entry.id,
                          writes={"activities"}, on_error=failed)

    def attach_files(self) -> None:
        if self.vault is None or self.refusal is not None:
            return
        self.file_error.clear_message()
        for path in self.choose_open_paths():
            self.tasks.submit(
                service("attachments.add_attachment_from_file"), self.vault, path,
                **self._links(), writes={"attachments"},
                on_done=lambda info: self._say(f"Attached {info.filename}."),
                on_error=lambda error: self.file_error.show_message(error.message),
            )

    def save_attachment(self, info: Any) -> None:
        if self.vault is None:
            return
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DownloadLocation
        ) or str(Path.home())
        target = self.choose_save_path(Path(folder) / info.filename)
        if target is None:
            return
        self.file_error.clear_message()
        self.tasks.submit(
            service("attachments.save_attachment"), self.vault, info.id, target,
            on_done=lambda _info: self._say(f"Saved {target.name} to {target.parent}."),
            on_error=lambda error: self.file_error.show_message(error.message),
        )

    def _say(self, text: str) -> None:
        self.file_status.setText(text)
        self.file_status.show()

