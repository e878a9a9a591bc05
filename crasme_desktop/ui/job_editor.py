"""The job editor: plan a new job or appointment, or change one.

Fields: title and kind; the customer (a company and/or a person, picked by name as in
the deal editor); the site address (left empty, the service takes the customer's);
the agreed time window, the planned start and the expected duration; who does it; links
to a ticket and a deal, and the invoice made from it; notes for the technician and the
notes from the field; the materials used (description, quantity, unit, price).

Times are the office's wall clock, typed as dates and times without any zone: the
service reads them in the office's zone. What can be checked here is checked before
saving (a window that ends before it starts, a missing title or customer, a quantity
that is not a number), with one sentence above the buttons; the rest comes back from
the service in the same place. A plan that clashes (double booking, a day off, outside
working hours) asks "Save anyway?" with the service's sentences.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.deal_editor import KindPicker
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.permission_gate import allowed, denial, gate
from crasme_desktop.ui.read_only import make_read_only
from crasme_desktop.ui.sales_common import decimal_input, money_text, parse_decimal
from crasme_desktop.ui.tasks import TaskRunner

KINDS = (("job", "Job at a customer's"), ("appointment", "Appointment"))
MATERIAL_COLUMNS = ("Description", "Quantity", "Unit", "Price")
ENDS_BEFORE = ("The job ends before it starts; make the end of its time window later than "
               "its start.")
ID_ROLE = Qt.ItemDataRole.UserRole + 1


# -- worker jobs -----------------------------------------------------------------------
def load_job(vault: Any, job_id: str | None) -> tuple[Any, tuple[Any, ...]]:
    job = service("schedule.get_job")(vault, job_id) if job_id else None
    return job, tuple(service("staff.list_staff")(vault, include_inactive=True))


def save_job(vault: Any, job_id: str | None, values: dict[str, Any], force: bool,
             materials: list[tuple[str, dict[str, Any]]], removed: list[str],
             field_notes: str | None) -> tuple[Any, str]:
    """Save the job, then its materials and notes from the field. Returns the job as
    saved and the sentence of a later step that failed ("" when none), so that a job
    created before a bad material line is not created twice."""
    draft = service("schedule.JobDraft")(**values)
    if job_id:
        record = service("schedule.update_job")(vault, job_id, draft, force=force)
    else:
        record = service("schedule.create_job")(vault, draft, force=force)
    problem = ""
    try:
        for material_id in removed:
            service("schedule.remove_material")(vault, material_id)
        for material_id, line in materials:
            line_draft = service("schedule.MaterialDraft")(**line)
            if material_id:
                service("schedule.update_material")(vault, material_id, line_draft)
            else:
                service("schedule.add_material")(vault, record.id, line_draft)
        if field_notes is not None:
            service("schedule.set_field_notes")(vault, record.id, field_notes)
    except UserError as error:
        problem = error.message
    return service("schedule.get_job")(vault, record.id), problem


# -- small helpers ---------------------------------------------------------------------
def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _qtime(value: datetime | time) -> QTime:
    return QTime(value.hour, value.minute)


def _when(day: QDateEdit, hour: QTimeEdit) -> datetime:
    d, t = day.date(), hour.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())


def _set_when(day: QDateEdit, hour: QTimeEdit, value: datetime) -> None:
    day.setDate(_qdate(value.date()))
    hour.setTime(_qtime(value))


def duration_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{rest} min" if rest else ""]
    return " ".join(p for p in parts if p) or "0 min"


class JobEditor(QDialog):
    """Add or change one job. `saved(record)` after a successful save;
    `invoice_requested(job id)` asks the page to make an invoice draft of a done job."""

    saved = Signal(object)
    invoice_requested = Signal(str)

    def __init__(self, tasks: TaskRunner, vault: Any, job_id: str | None = None,
                 parent: QWidget | None = None, *, staff: tuple[Any, ...] = (),
                 start: datetime | None = None, staff_id: str | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.vault = vault
        self.job_id = job_id
        self.job: Any = None
        self.staff = tuple(staff)
        self._want_staff = staff_id
        self._removed: list[str] = []
        self._ready = False
        #: Asks whether to save despite the plan's warnings; tests answer for the person.
        self.confirm_conflict = self._confirm_conflict
        self.confirm_delete = self._confirm_delete
        self.setObjectName("jobEditor")
        #: Why this user may not save here (None when they may): the form is read-only.
        self.refusal = denial(vault, "schedule.edit" if job_id else "schedule.create")
        self.read_only = self.refusal is not None
        self.setWindowTitle(("Edit job" if not self.read_only else self.tr("View job"))
                            if job_id else "New job")
        self.setMinimumWidth(860)
        self._build(start or datetime.combine(date.today(), time(9, 0)))
        if self.read_only:
            self._lock()
        self._set_busy(True)
        tasks.submit(load_job, vault, job_id, on_done=self._loaded, on_error=self.show_error)

    # -- building --------------------------------------------------------------------
    def _build(self, start: datetime) -> None:
        self.title = self._line("jobTitle", "Title", "What is to be done, e.g. “Boiler "
                                "service”")
        self.kind = QComboBox()
        self.kind.setObjectName("jobKind")
        self.kind.setAccessibleName("Kind")
        for value, text in KINDS:
            self.kind.addItem(text, value)
        self.kind.setMinimumWidth(200)
        self.company = KindPicker(self.tasks, "organization", "Type a company's name")
        self.company.setObjectName("jobCompany")
        self.company.setAccessibleName("Company")
        self.company.vault = self.vault
        self.person = KindPicker(self.tasks, "person", "Type a person's name")
        self.person.setObjectName("jobPerson")
        self.person.setAccessibleName("Person")
        self.person.vault = self.vault
        self.address = QPlainTextEdit()
        self.address.setObjectName("jobSiteAddress")
        self.address.setAccessibleName("Site address")
        self.address.setPlaceholderText("Left empty: the customer's address")
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(64)
        self.ticket = KindPicker(self.tasks, "ticket", "Type a ticket's number or subject")
        self.ticket.setObjectName("jobTicket")
        self.ticket.setAccessibleName("Ticket")
        self.ticket.vault = self.vault
        self.deal = KindPicker(self.tasks, "deal", "Type a deal's title")
        self.deal.setObjectName("jobDeal")
        self.deal.setAccessibleName("Deal")
        self.deal.vault = self.vault
        self.invoice = label("None yet", "hint")
        self.invoice.setObjectName("jobInvoice")
        self.invoice_button = QPushButton("Create invoice draft")
        self.invoice_button.setObjectName("jobMakeInvoice")
        self.invoice_button.clicked.connect(lambda: self._invoice())
        self.invoice_button.hide()
        invoice_row = QHBoxLayout()
        invoice_row.addWidget(self.invoice, 1)
        invoice_row.addWidget(self.invoice_button)

        self.window_day = self._date("jobWindowStartDay", "Window starts on")
        self.window_time = self._time("jobWindowStartTime", "Window starts at")
        self.window_end_day = self._date("jobWindowEndDay", "Window ends on")
        self.window_end_time = self._time("jobWindowEndTime", "Window ends at")
        self.start_day = self._date("jobStartDay", "Planned start day")
        self.start_time = self._time("jobStartTime", "Planned start time")
        self.duration = QSpinBox()
        self.duration.setObjectName("jobDuration")
        self.duration.setAccessibleName("Expected duration in minutes")
        self.duration.setRange(1, 7 * 24 * 60)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(" min")
        self.duration.setValue(60)
        self.duration_text = label("1 h", "hint", wrap=False)
        self.duration.valueChanged.connect(
            lambda v: self.duration_text.setText(duration_words(v)))
        self.assignee = QComboBox()
        self.assignee.setObjectName("jobAssignee")
        self.assignee.setAccessibleName("Who does it")
        self.status = label("", "hint")
        self.status.setObjectName("jobStatus")
        _set_when(self.window_day, self.window_time, start)
        _set_when(self.window_end_day, self.window_end_time, start + timedelta(hours=2))
        _set_when(self.start_day, self.start_time, start)
        self._last_window_start = start
        for edit in (self.window_day, self.window_time):
            edit.editingFinished.connect(self._window_moved)

        self.notes = QPlainTextEdit()
        self.notes.setObjectName("jobNotes")
        self.notes.setAccessibleName("Notes for the technician")
        self.notes.setPlaceholderText("What the technician should know: access, parts, "
                                      "the customer's wishes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(70)
        self.field_notes = QPlainTextEdit()
        self.field_notes.setObjectName("jobFieldNotes")
        self.field_notes.setAccessibleName("Notes from the field")
        self.field_notes.setPlaceholderText("Written on site: what was done, what is left")
        self.field_notes.setTabChangesFocus(True)
        self.field_notes.setFixedHeight(70)

        self.materials = QTableWidget(0, len(MATERIAL_COLUMNS))
        self.materials.setObjectName("jobMaterials")
        self.materials.setAccessibleName("Materials")
        self.materials.setHorizontalHeaderLabels(list(MATERIAL_COLUMNS))
        self.materials.verticalHeader().hide()
        self.materials.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.materials.setFixedHeight(128)
        header = self.materials.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 90), (2, 80), (3, 110)):
            header.resizeSection(column, width)
        self.materials.itemChanged.connect(lambda _i: self._show_total())
        self.add_line = QPushButton("Add material")
        self.add_line.setObjectName("jobAddMaterial")
        self.add_line.clicked.connect(lambda: self.add_material())
        self.remove_line = QPushButton("Remove")
        self.remove_line.setObjectName("jobRemoveMaterial")
        self.remove_line.clicked.connect(self.remove_material)
        self.total = label("", "hint", wrap=False)
        self.total.setObjectName("jobMaterialsTotal")

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.kind)
        left = QFormLayout()
        left.setHorizontalSpacing(14)
        left.addRow("Company", self.company)
        left.addRow("Person", self.person)
        left.addRow("Site address", self.address)
        left.addRow("Ticket", self.ticket)
        left.addRow("Deal", self.deal)
        left.addRow("Invoice", invoice_row)
        right = QFormLayout()
        right.setHorizontalSpacing(14)
        right.addRow("Who", self.assignee)
        right.addRow("Window from", self._pair(self.window_day, self.window_time))
        right.addRow("Window to", self._pair(self.window_end_day, self.window_end_time))
        right.addRow("Planned start", self._pair(self.start_day, self.start_time))
        right.addRow("Duration", self._pair(self.duration, self.duration_text))
        right.addRow("Status", self.status)
        columns = QGridLayout()
        columns.setHorizontalSpacing(28)
        columns.addLayout(left, 0, 0)
        columns.addLayout(right, 0, 1)
        columns.setColumnStretch(0, 5)
        columns.setColumnStretch(1, 4)
        notes = QGridLayout()
        notes.setHorizontalSpacing(28)
        notes.addWidget(label("Notes for the technician", "section"), 0, 0)
        notes.addWidget(label("Notes from the field", "section"), 0, 1)
        notes.addWidget(self.notes, 1, 0)
        notes.addWidget(self.field_notes, 1, 1)
        lines = QHBoxLayout()
        lines.addWidget(label("Materials", "section"))
        lines.addStretch(1)
        lines.addWidget(self.total)
        lines.addWidget(self.add_line)
        lines.addWidget(self.remove_line)

        self.error = QLabel("")
        self.error.setObjectName("jobEditorError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("jobSave")
        self.buttons.accepted.connect(lambda: self.save())
        self.buttons.rejected.connect(self.reject)
        self.delete_button = QPushButton("Delete job")
        self.delete_button.setObjectName("jobDelete")
        self.delete_button.clicked.connect(self.delete)
        self.delete_button.setVisible(bool(self.job_id))
        bottom = QHBoxLayout()
        bottom.addWidget(self.delete_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        box = QVBoxLayout(self)
        box.setSpacing(10)
        box.addLayout(head)
        box.addLayout(columns)
        box.addLayout(notes)
        box.addLayout(lines)
        box.addWidget(self.materials)
        box.addWidget(self.error)
        box.addLayout(bottom)

    def _line(self, name: str, accessible: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(300)
        return edit

    @staticmethod
    def _date(name: str, accessible: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setCalendarPopup(True)
        edit.setMinimumWidth(120)
        return edit

    @staticmethod
    def _time(name: str, accessible: str) -> QTimeEdit:
        edit = QTimeEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setMinimumWidth(90)
        return edit

    @staticmethod
    def _pair(first: QWidget, second: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(first)
        row.addWidget(second)
        row.addStretch(1)
        return row

    def _lock(self) -> None:
        """A role that may view jobs but not change them: every field read-only, no
        Save, the reason shown above the buttons (Delete and the invoice draft say
        theirs on hover)."""
        make_read_only(self, hide_buttons=False)
        for button in (self.add_line, self.remove_line):
            button.hide()
        self.save_button.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Close"))
        note = QLabel(self.refusal or "")
        note.setObjectName("readOnlyNote")
        note.setProperty("role", "hint")
        note.setWordWrap(True)
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(layout.count() - 1, note)

    # -- filling ---------------------------------------------------------------------
    def _set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy and not self.read_only)
        if gate(self.delete_button, self.vault, "schedule.delete"):
            self.delete_button.setEnabled(not busy)
        gate(self.invoice_button, self.vault, "invoices.create")

    def _loaded(self, got: tuple[Any, tuple[Any, ...]]) -> None:
        job, self.staff = got
        self.job = job
        wanted = job.assignee_id if job is not None else self._want_staff
        self.assignee.clear()
        self.assignee.addItem("Nobody yet", "")
        for member in self.staff:
            if member.active or member.id == wanted:
                suffix = "" if member.active else " (no longer active)"
                self.assignee.addItem(member.name + suffix, member.id)
        self.assignee.setCurrentIndex(max(self.assignee.findData(wanted or ""), 0))
        if job is not None:
            self._show_job(job)
        self._ready = True
        self._set_busy(False)
        self.title.setFocus()

    def _show_job(self, job: Any) -> None:
        self.title.setText(job.title)
        self.kind.setCurrentIndex(max(self.kind.findData(job.kind), 0))
        if job.organization_id:
            self.company.set_customer("organization", job.organization_id,
                                      job.organization_name)
        if job.person_id:
            self.person.set_customer("person", job.person_id, job.person_name)
        self.address.setPlainText(job.site_address)
        if job.ticket_id:
            self.ticket.set_customer("ticket", job.ticket_id, f"Ticket {job.ticket_number}")
        if job.deal_id:
            self.deal.set_customer("deal", job.deal_id, job.deal_title)
        for day, hour, value in (
                (self.window_day, self.window_time, job.window_start),
                (self.window_end_day, self.window_end_time, job.window_end),
                (self.start_day, self.start_time, job.scheduled_start)):
            _set_when(day, hour, value.replace(tzinfo=None))
        self._last_window_start = job.window_start.replace(tzinfo=None)
        self.duration.setValue(job.duration_minutes)
        self.notes.setPlainText(job.notes)
        self.field_notes.setPlainText(job.field_notes)
        status = job.status.replace("_", " ").capitalize()
        if job.minutes_worked:
            status += f", {duration_words(job.minutes_worked)} worked"
        self.status.setText(f"{job.label} · {status}")
        if job.invoice_id:
            self.invoice.setText(f"Invoice {job.invoice_number}" if job.invoice_number
                                 else "An invoice draft")
        self.invoice_button.setVisible(job.status == "done" and not job.invoice_id)
        self.materials.blockSignals(True)
        self.materials.setRowCount(0)
        for material in job.materials:
            self.add_material(material)
        self.materials.blockSignals(False)
        self._show_total()
        invoiced = bool(job.invoice_id)
        for widget in (self.add_line, self.remove_line):
            widget.setEnabled(not invoiced)
        if self.read_only:
            make_read_only(self.materials)
        if invoiced:
            self.materials.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    def _window_moved(self) -> None:
        """Moving the window's start takes its end and the planned start along."""
        new = _when(self.window_day, self.window_time)
        shift = new - self._last_window_start
        if not shift:
            return
        self._last_window_start = new
        end = _when(self.window_end_day, self.window_end_time) + shift
        _set_when(self.window_end_day, self.window_end_time, end)
        planned = _when(self.start_day, self.start_time) + shift
        _set_when(self.start_day, self.start_time, planned)

    # -- materials -------------------------------------------------------------------
    def add_material(self, material: Any = None) -> int:
        row = self.materials.rowCount()
        self.materials.insertRow(row)
        if material is None:
            cells = ("", "1", "", "")
        else:
            cells = (material.description, decimal_input(material.quantity), material.unit,
                     decimal_input(material.unit_price))
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column in (1, 3):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            self.materials.setItem(row, column, item)
        if material is not None:
            first = self.materials.item(row, 0)
            first.setData(ID_ROLE, material.id)
            first.setData(ID_ROLE + 1, cells)
            first.setData(ID_ROLE + 2, material.product_id or "")
        else:
            self.materials.setCurrentCell(row, 0)
            self.materials.editItem(self.materials.item(row, 0))
        self._show_total()
        return row

    def remove_material(self) -> None:
        row = self.materials.currentRow()
        if row < 0:
            return
        material_id = self.materials.item(row, 0).data(ID_ROLE)
        if material_id:
            self._removed.append(material_id)
        self.materials.removeRow(row)
        self._show_total()

    def _cells(self, row: int) -> tuple[str, str, str, str]:
        def text(column: int) -> str:
            item = self.materials.item(row, column)
            return item.text().strip() if item is not None else ""

        return text(0), text(1), text(2), text(3)

    def _show_total(self) -> None:
        total = Decimal(0)
        for row in range(self.materials.rowCount()):
            _d, quantity, _u, price = self._cells(row)
            q, p = parse_decimal(quantity), parse_decimal(price)
            if q is not None and p is not None:
                total += q * p
        currency = self.job.materials[0].currency if self.job is not None and \
            self.job.materials else ""
        rows = self.materials.rowCount()
        self.total.setText(f"Materials: {money_text(total, currency)}" if rows and currency
                           else "")

    def material_lines(self) -> list[tuple[str, dict[str, Any]]]:
        """(material id or "", MaterialDraft fields) for each new or changed line."""
        out = []
        for row in range(self.materials.rowCount()):
            first = self.materials.item(row, 0)
            cells = self._cells(row)
            material_id = first.data(ID_ROLE) or "" if first is not None else ""
            if material_id and tuple(first.data(ID_ROLE + 1) or ()) == cells:
                continue
            description, quantity, unit, price = cells
            q, p = parse_decimal(quantity), parse_decimal(price)
            out.append((material_id, {
                "description": description, "quantity": q if q is not None else quantity,
                "unit": unit, "unit_price": p if p is not None else (price or None),
                "product_id": (first.data(ID_ROLE + 2) or None) if first is not None else None,
            }))
        return out

    # -- saving ----------------------------------------------------------------------
    def problem(self) -> str:
        """The first thing that stops saving, as a sentence ("" when none)."""
        if not self.title.text().strip():
            return "Give the job a title, such as what is to be done."
        start = _when(self.window_day, self.window_time)
        end = _when(self.window_end_day, self.window_end_time)
        if end <= start:
            return ENDS_BEFORE
        if self.kind.currentData() == "job" and not (self.company.record_id
                                                     or self.person.record_id):
            if self.company.text().strip() or self.person.text().strip():
                return "Pick the company or person from the list that appears as you type."
            return "Choose a customer for the job: a person or a company."
        for row in range(self.materials.rowCount()):
            description, quantity, _unit, price = self._cells(row)
            if not description:
                return f"Say what the material on line {row + 1} is."
            if parse_decimal(quantity) is None:
                return (f"The quantity “{quantity}” on line {row + 1} is not a number; type "
                        "it like 2 or 1.5.")
            if parse_decimal(price) is None:
                return (f"The price “{price}” on line {row + 1} is not a number; type it "
                        "like 12.50.")
        return ""

    def values(self) -> dict[str, Any]:
        return {
            "title": self.title.text(),
            "kind": self.kind.currentData(),
            "window_start": _when(self.window_day, self.window_time),
            "window_end": _when(self.window_end_day, self.window_end_time),
            "scheduled_start": _when(self.start_day, self.start_time),
            "duration_minutes": self.duration.value(),
            "person_id": self.person.record_id or None,
            "organization_id": self.company.record_id or None,
            "site_address": self.address.toPlainText(),
            "assignee_id": self.assignee.currentData() or None,
            "ticket_id": self.ticket.record_id or None,
            "deal_id": self.deal.record_id or None,
            "notes": self.notes.toPlainText(),
        }

    def save(self, force: bool = False) -> None:
        if not self._ready or self.read_only:
            return
        problem = self.problem()
        if problem:
            self.show_error(UserError(problem))
            return
        self.error.hide()
        self._set_busy(True)
        notes = self.field_notes.toPlainText()
        old_notes = self.job.field_notes if self.job is not None else ""
        self.tasks.submit(save_job, self.vault, self.job_id, self.values(), force,
                          self.material_lines(), list(self._removed),
                          notes if notes.strip() != old_notes.strip() else None,
                          writes={"schedule"}, on_done=self._saved, on_error=self._failed)

    def _saved(self, got: tuple[Any, str]) -> None:
        record, problem = got
        self._set_busy(False)
        self.job, self.job_id = record, record.id
        self._removed = []
        self.delete_button.show()
        self.setWindowTitle("Edit job")
        self.saved.emit(record)
        if problem:
            self._show_job(record)
            self.show_error(UserError(problem))
            return
        self.accept()

    def _failed(self, error: UserError) -> None:
        self._set_busy(False)
        warnings = getattr(error, "warnings", None)
        if warnings and self.confirm_conflict(list(warnings)):
            self.save(force=True)
            return
        self.show_error(error)

    def show_error(self, error: UserError) -> None:
        self.error.setText(error.message)
        self.error.show()

    def delete(self) -> None:
        if not self.job_id or not allowed(self.vault, "schedule.delete"):
            return
        if not self.confirm_delete():
            return
        self._set_busy(True)
        self.tasks.submit(service("schedule.delete_job"), self.vault, self.job_id,
                          writes={"schedule"}, on_done=lambda _r: self.accept(),
                          on_error=self._failed)

    def _invoice(self) -> None:
        if self.job_id and allowed(self.vault, "invoices.create"):
            self.invoice_requested.emit(self.job_id)
            self.accept()

    def _confirm_conflict(self, sentences: list[str]) -> bool:
        box = QMessageBox(self)
        box.setObjectName("jobConflict")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(APP_NAME)
        box.setText("Save anyway?")
        box.setInformativeText("\n".join(f"• {s}" for s in sentences))
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _confirm_delete(self) -> bool:
        answer = QMessageBox.question(
            self, APP_NAME, "Delete this job? An invoice made from it stays in Sales.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes
