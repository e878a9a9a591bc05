"""The Staff section of the Settings page: the people who do the jobs, and their days off.

A table of staff members (name with their colour, working days and hours, the computer
account that makes "my day" theirs, active or not); Add, Edit and Remove. Removing
someone who has jobs or tickets makes them inactive instead (the service says which it
did). Below it, the selected person's days off: from, to and why, added and removed
here. Every check is the service's (`services.staff`), whose sentence appears under the
buttons; reading and writing run in the task runner.
"""

from __future__ import annotations

import getpass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, QLocale, Qt, QTime, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.schedule_views import PALETTE
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import FieldError, line_edit, row_table, titled_card

AREAS = {"staff", "schedule"}
STAFF_COLUMNS = ("Name", "Works", "Hours", "Computer account", "")
ABSENCE_COLUMNS = ("From", "To", "Why")
ID_ROLE = Qt.ItemDataRole.UserRole + 1


def load_staff(vault: Any) -> tuple[list[Any], list[Any]]:
    """Worker job: every member (inactive ones too) and the absences from a month ago
    on."""
    members = service("staff.list_staff")(vault, include_inactive=True)
    since = date.today() - timedelta(days=31)
    return members, service("staff.list_absences")(vault, start=since)


def save_member(vault: Any, staff_id: str | None, values: dict[str, Any]) -> Any:
    draft = service("staff.StaffDraft")(**values)
    if staff_id:
        return service("staff.update_staff")(vault, staff_id, draft)
    return service("staff.create_staff")(vault, draft)


def day_names() -> list[str]:
    """Monday..Sunday, short, as the person's locale writes them."""
    locale = QLocale()
    return [locale.dayName(n, QLocale.FormatType.ShortFormat) for n in range(1, 8)]


def work_days_text(work_days: str) -> str:
    """"Mon–Fri", "Tue–Sat" or "Mon, Wed, Fri"."""
    names = day_names()
    days = [n for n, flag in enumerate(work_days) if flag == "1"]
    if not days:
        return ""
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        return f"{names[days[0]]}–{names[days[-1]]}"
    return ", ".join(names[n] for n in days)


def swatch(colour: str, size: int = 12) -> QIcon:
    picture = QPixmap(size, size)
    picture.fill(Qt.GlobalColor.transparent)
    painter = QPainter(picture)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(0, 0, size, size)
    painter.end()
    return QIcon(picture)


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class StaffDialog(QDialog):
    """Add or change one staff member; `saved(record)` once the service took it."""

    saved = Signal(object)

    def __init__(self, tasks: TaskRunner, vault: Any, member: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.vault = vault
        self.member = member
        self.setObjectName("staffDialog")
        self.setWindowTitle("Edit staff member" if member else "New staff member")
        self.setMinimumWidth(520)
        self.name = line_edit("staffName", "First and last name", accessible="Name")
        self.email = line_edit("staffEmail", "name@example.com", accessible="Email")
        self.phone = line_edit("staffPhone", "+49 30 1234567", accessible="Phone")
        self.days: list[QCheckBox] = []
        days_row = QHBoxLayout()
        for n, name in enumerate(day_names()):
            box = QCheckBox(name)
            box.setObjectName(f"staffWorks_{n}")
            box.setChecked(n < 5)
            self.days.append(box)
            days_row.addWidget(box)
        days_row.addStretch(1)
        self.day_start = QTimeEdit(QTime(8, 0))
        self.day_start.setObjectName("staffDayStart")
        self.day_start.setAccessibleName("Working day starts")
        self.day_end = QTimeEdit(QTime(17, 0))
        self.day_end.setObjectName("staffDayEnd")
        self.day_end.setAccessibleName("Working day ends")
        hours = QHBoxLayout()
        hours.addWidget(self.day_start)
        hours.addWidget(QLabel("to"))
        hours.addWidget(self.day_end)
        hours.addStretch(1)
        self.colour = QComboBox()
        self.colour.setObjectName("staffColour")
        self.colour.setAccessibleName("Colour on the schedule")
        self.colour.addItem("Automatic", "")
        for value in PALETTE:
            self.colour.addItem(swatch(value), value, value)
        self.colour.addItem("Other…", "other")
        self.colour.activated.connect(self._colour_chosen)
        self.os_user = line_edit("staffOsUser", "The account name this person signs in "
                                 "with", accessible="Computer account")
        mine = QPushButton("This computer's")
        mine.setObjectName("staffThisAccount")
        mine.setToolTip("Link this person to the account signed in on this computer, so "
                        "that “My day” shows their jobs")
        mine.clicked.connect(lambda: self.os_user.setText(_this_account()))
        account = QHBoxLayout()
        account.addWidget(self.os_user, 1)
        account.addWidget(mine)
        self.active = QCheckBox("Active: can be given jobs and tickets")
        self.active.setObjectName("staffActive")
        self.active.setChecked(True)
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.addRow("Name", self.name)
        form.addRow("Email", self.email)
        form.addRow("Phone", self.phone)
        form.addRow("Works on", days_row)
        form.addRow("Working day", hours)
        form.addRow("Colour", self.colour)
        form.addRow("Computer account", account)
        form.addRow("", self.active)
        self.error = FieldError("staffDialogError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("staffSave")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addWidget(self.buttons)
        if member is not None:
            self._show(member)

    def _show(self, member: Any) -> None:
        self.name.setText(member.name)
        self.email.setText(member.email)
        self.phone.setText(member.phone)
        for n, box in enumerate(self.days):
            box.setChecked(member.work_days[n] == "1")
        self.day_start.setTime(QTime(member.start_time.hour, member.start_time.minute))
        self.day_end.setTime(QTime(member.end_time.hour, member.end_time.minute))
        self._select_colour(member.colour)
        self.os_user.setText(member.os_user)
        self.active.setChecked(member.active)

    def _select_colour(self, value: str) -> None:
        index = self.colour.findData(value)
        if index < 0:
            self.colour.insertItem(self.colour.count() - 1, swatch(value), value, value)
            index = self.colour.count() - 2
        self.colour.setCurrentIndex(index)

    def _colour_chosen(self, index: int) -> None:
        if self.colour.itemData(index) != "other":
            return
        picked = QColorDialog.getColor(QColor(PALETTE[0]), self, "Colour on the schedule")
        self._select_colour(picked.name() if picked.isValid() else "")

    def values(self) -> dict[str, Any]:
        colour = self.colour.currentData()
        return {
            "name": self.name.text(), "email": self.email.text(), "phone": self.phone.text(),
            "work_days": "".join("1" if box.isChecked() else "0" for box in self.days),
            "day_start": self.day_start.time().toString("HH:mm"),
            "day_end": self.day_end.time().toString("HH:mm"),
            "colour": colour if colour not in (None, "other") else "",
            "os_user": self.os_user.text(), "active": self.active.isChecked(),
        }

    def save(self) -> None:
        self.error.clear_message()
        self.save_button.setEnabled(False)
        self.tasks.submit(save_member, self.vault, self.member.id if self.member else None,
                          self.values(), writes=AREAS, on_done=self._saved,
                          on_error=self._failed)

    def _saved(self, record: Any) -> None:
        self.save_button.setEnabled(True)
        self.member = record
        self.saved.emit(record)
        self.accept()

    def _failed(self, error: UserError) -> None:
        self.save_button.setEnabled(True)
        self.error.show_message(error.message)


def _this_account() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no account name on this system: nothing to fill in
        return ""


class StaffSettingsSection(QWidget):
    """A card for the Settings page; `attach(vault)` loads, `clear()` forgets."""

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffSettings")
        self.tasks = tasks
        self.vault: Any = None
        self.members: list[Any] = []
        self.absences: list[Any] = []
        self.dialog: StaffDialog | None = None
        self.confirm = self._confirm

        self.table = row_table("staffTable", STAFF_COLUMNS, accessible="Staff members")
        self.table.setShowGrid(False)
        self.table.setFixedHeight(170)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 130), (2, 120), (3, 150), (4, 90)):
            header.resizeSection(column, width)
        self.table.itemSelectionChanged.connect(self._show_absences)
        self.table.doubleClicked.connect(lambda _i: self.edit_member())
        self.add_button = QPushButton("Add staff member…")
        self.add_button.setObjectName("staffAdd")
        self.add_button.clicked.connect(lambda: self.add_member())
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setObjectName("staffEdit")
        self.edit_button.clicked.connect(lambda: self.edit_member())
        self.remove_button = QPushButton("Remove…")
        self.remove_button.setObjectName("staffRemove")
        self.remove_button.clicked.connect(self.remove_member)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)

        self.absence_title = label("Days off", "section")
        self.absence_title.setObjectName("staffAbsenceTitle")
        self.absence_table = row_table("absenceTable", ABSENCE_COLUMNS,
                                       accessible="Days off")
        self.absence_table.setShowGrid(False)
        self.absence_table.setFixedHeight(130)
        self.absence_table.horizontalHeader().setStretchLastSection(True)
        self.absence_table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in ((0, 130), (1, 130)):
            self.absence_table.horizontalHeader().resizeSection(column, width)
        self.first_day = QDateEdit(_qdate(date.today()))
        self.first_day.setObjectName("absenceFirstDay")
        self.first_day.setAccessibleName("First day off")
        self.first_day.setCalendarPopup(True)
        self.first_day.dateChanged.connect(self._first_moved)
        self.last_day = QDateEdit(_qdate(date.today()))
        self.last_day.setObjectName("absenceLastDay")
        self.last_day.setAccessibleName("Last day off")
        self.last_day.setCalendarPopup(True)
        self.reason = line_edit("absenceReason", "Why: holiday, sick, training…",
                                accessible="Why")
        self.add_absence_button = QPushButton("Add days off")
        self.add_absence_button.setObjectName("absenceAdd")
        self.add_absence_button.clicked.connect(self.add_absence)
        self.remove_absence_button = QPushButton("Remove")
        self.remove_absence_button.setObjectName("absenceRemove")
        self.remove_absence_button.clicked.connect(self.remove_absence)
        absence_row = QHBoxLayout()
        absence_row.addWidget(self.first_day)
        absence_row.addWidget(QLabel("to"))
        absence_row.addWidget(self.last_day)
        absence_row.addWidget(self.reason, 1)
        absence_row.addWidget(self.add_absence_button)
        absence_row.addWidget(self.remove_absence_button)

        self.status = label("", "hint")
        self.status.setObjectName("staffStatus")
        self.error = FieldError("staffError")
        card, box = titled_card("Staff", "staffCard")
        box.addWidget(label(
            "The people who do the jobs. Their working days and hours show on the "
            "Schedule, where their days off are shaded; linking someone to their computer "
            "account makes “My day” theirs.", "hint"))
        box.addWidget(self.table)
        box.addLayout(buttons)
        box.addSpacing(6)
        box.addWidget(self.absence_title)
        box.addWidget(self.absence_table)
        box.addLayout(absence_row)
        box.addWidget(self.status)
        box.addWidget(self.error)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(card)
        self._set_enabled(False)

    # -- vault ---------------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self.reload()

    def clear(self) -> None:
        self.vault = None
        self.members, self.absences = [], []
        self.table.setRowCount(0)
        self.absence_table.setRowCount(0)
        self.status.clear()
        self.error.clear_message()
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None
        self._set_enabled(False)

    def reload(self, select: str = "") -> None:
        if self.vault is None:
            return
        chosen = select or (self.current().id if self.current() is not None else "")
        self.tasks.submit(load_staff, self.vault,
                          on_done=lambda got: self._show(got, chosen),
                          on_error=self._failed)

    def _show(self, got: tuple[list[Any], list[Any]], chosen: str) -> None:
        if self.vault is None:
            return
        self.members, self.absences = list(got[0]), list(got[1])
        self.table.setRowCount(len(self.members))
        for row, member in enumerate(self.members):
            colour = member.colour or PALETTE[row % len(PALETTE)]
            name = QTableWidgetItem(swatch(colour), member.name)
            name.setData(ID_ROLE, member.id)
            cells = [name, QTableWidgetItem(work_days_text(member.work_days)),
                     QTableWidgetItem(f"{member.day_start}–{member.day_end}"),
                     QTableWidgetItem(member.os_user),
                     QTableWidgetItem("" if member.active else "Inactive")]
            for column, item in enumerate(cells):
                if not member.active:
                    item.setForeground(QColor("#9aa5b1"))
                self.table.setItem(row, column, item)
        index = next((n for n, m in enumerate(self.members) if m.id == chosen), 0)
        if self.members:
            self.table.selectRow(index)
        self._show_absences()
        self._set_enabled(True)

    def current(self) -> Any:
        row = self.table.currentRow()
        return self.members[row] if 0 <= row < len(self.members) else None

    def _show_absences(self) -> None:
        member = self.current()
        self.absence_title.setText(f"Days off of {member.name}" if member else "Days off")
        mine = [a for a in self.absences if member is not None and a.staff_id == member.id]
        locale = QLocale()
        self.absence_table.setRowCount(len(mine))
        for row, absence in enumerate(mine):
            first = QTableWidgetItem(locale.toString(_qdate(absence.first_day),
                                                     QLocale.FormatType.ShortFormat))
            first.setData(ID_ROLE, absence.id)
            self.absence_table.setItem(row, 0, first)
            self.absence_table.setItem(row, 1, QTableWidgetItem(
                locale.toString(_qdate(absence.last_day), QLocale.FormatType.ShortFormat)))
            self.absence_table.setItem(row, 2, QTableWidgetItem(absence.reason))
        self._set_enabled(self.vault is not None)

    def _first_moved(self, value: QDate) -> None:
        if self.last_day.date() < value:
            self.last_day.setDate(value)

    # -- members --------------------------------------------------------------------
    def add_member(self) -> StaffDialog | None:
        return self._open(None)

    def edit_member(self) -> StaffDialog | None:
        member = self.current()
        return self._open(member) if member is not None else None

    def _open(self, member: Any) -> StaffDialog | None:
        if self.vault is None:
            return None
        if self.dialog is not None:
            self.dialog.deleteLater()
        dialog = StaffDialog(self.tasks, self.vault, member, self)
        dialog.saved.connect(lambda record: self._member_saved(record, member is None))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _member_saved(self, record: Any, new: bool) -> None:
        self.status.setText(f"{record.name} {'added' if new else 'saved'}.")
        self.reload(record.id)

    def remove_member(self) -> None:
        member = self.current()
        if member is None or self.vault is None:
            return
        if not self.confirm(f"Remove {member.name}? Someone with jobs or tickets is made "
                            "inactive instead, so their past work keeps their name."):
            return
        self.error.clear_message()
        self.tasks.submit(service("staff.delete_staff"), self.vault, member.id, writes=AREAS,
                          on_done=self._removed, on_error=self._failed)

    def _removed(self, removal: Any) -> None:
        self.status.setText(removal.message)
        self.reload()

    # -- absences -------------------------------------------------------------------
    def add_absence(self) -> None:
        member = self.current()
        if member is None or self.vault is None:
            return
        self.error.clear_message()
        self.tasks.submit(service("staff.add_absence"), self.vault, member.id,
                          _date(self.first_day.date()), _date(self.last_day.date()),
                          self.reason.text(), writes=AREAS,
                          on_done=lambda _a: self._absence_added(member),
                          on_error=self._failed)

    def _absence_added(self, member: Any) -> None:
        self.reason.clear()
        self.status.setText(f"Days off added for {member.name}.")
        self.reload(member.id)

    def remove_absence(self) -> None:
        row = self.absence_table.currentRow()
        item = self.absence_table.item(row, 0) if row >= 0 else None
        if item is None or self.vault is None:
            return
        self.error.clear_message()
        self.tasks.submit(service("staff.remove_absence"), self.vault, item.data(ID_ROLE),
                          writes=AREAS, on_done=lambda _r: self.reload(),
                          on_error=self._failed)

    # -- telling --------------------------------------------------------------------
    def _failed(self, error: UserError) -> None:
        self.status.clear()
        self.error.show_message(error.message)

    def _set_enabled(self, enabled: bool) -> None:
        has = enabled and self.current() is not None
        self.add_button.setEnabled(enabled)
        for widget in (self.edit_button, self.remove_button, self.add_absence_button,
                       self.remove_absence_button):
            widget.setEnabled(has)

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, APP_NAME, text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

