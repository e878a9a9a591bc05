"""The Schedule page: who goes where, day by day.

Toolbar: Day or Week, Today, the previous and next day or week (Alt+Left/Right or
PgUp/PgDn), a date, whose plan (everyone, one person, or "My day": the person this
computer's account belongs to), a new job (Ctrl+N), the day sheet to print, and a
person's calendar file out (export) or in (import).

- Day, everyone: a column per active person in the time grid, the jobs nobody has in a
  list beside it. Day, one person: their column alone. Week, one person: seven day
  columns. Week, everyone: a row per person with their jobs of each day.
- Drag a card (or use Ctrl+arrows, see `ui.schedule_views`) to move it; a move that
  clashes with the plan asks "Move anyway?" with the service's sentences. Double-click
  or Enter opens the job; its context menu moves its status (Done asks the minutes
  worked) and makes an invoice draft of a done job, shown in Sales.
- My day: the person's jobs of the day in visiting order with address, phone, window,
  status buttons and notes from the field. It is all in the vault on this computer, so
  it works without a network.

Times are the office's wall clock (`services.office_time`), written the way the
person's locale writes times and dates. All reading and writing runs on the task runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QLocale, QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui import theme
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import EmptyState, Page, gate_shortcuts, label
from crasme_desktop.ui.permission_gate import allowed, gate
from crasme_desktop.ui.schedule_views import (
    PALETTE,
    STATUS_LABELS,
    BoardRow,
    GridColumn,
    ScheduleView,
    TimeGrid,
    UnassignedPanel,
    WeekBoard,
    span_text,
    time_text,
)
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import LatestLoader, escaped_lines

EVERYONE, ME = "", "__me__"
DAY, WEEK = "day", "week"
#: Status moves offered on a card, in the order of a job's day.
STATUS_ACTIONS = (("on_the_way", "On the way"), ("in_progress", "In progress"),
                  ("done", "Done…"), ("cancelled", "Cancel job"))


# -- worker jobs ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Loaded:
    """What one load brings: the staff, the plan asked for, and the office's clock."""

    mode: str
    day: date
    person: str
    staff: tuple[Any, ...]
    me: Any
    data: Any
    problem: str
    today: date
    now: datetime
    zone: str


def load_schedule(vault: Any, mode: str, on: date, person: str) -> Loaded:
    members = tuple(service("staff.list_staff")(vault))
    me = service("staff.current_staff")(vault)
    zone = service("office_time.office_zone")(vault)
    now = service("office_time.to_local")(vault.clock.now(), zone)
    problem, data = "", None
    if person == ME:
        try:
            data = service("schedule.my_day")(vault, on)
        except UserError as error:
            problem = error.message
    elif mode == DAY:
        data = service("schedule.day")(vault, on, person or None)
    else:
        data = service("schedule.week")(vault, on, person or None)
    return Loaded(mode, on, person, members, me, data, problem, now.date(), now, zone.key)


def move(vault: Any, job_id: str, start: datetime | None, staff: Any, force: bool) -> Any:
    schedule = service("schedule.get_job")
    if start is None or staff == "":
        job = schedule(vault, job_id)
        start = start if start is not None else job.scheduled_start.replace(tzinfo=None)
        staff = job.assignee_id if staff == "" else staff
    return service("schedule.move_job")(vault, job_id, start=start, assignee_id=staff,
                                        force=force)


def off_text(reason: str | None) -> str | None:
    """Why someone is off, short enough for a column's head."""
    if reason is None:
        return None
    return {"not a working day": "Day off", "no longer active": "No longer active"}.get(
        reason, reason[:1].upper() + reason[1:])


def colours_of(members: tuple[Any, ...]) -> dict[str | None, str]:
    """Each person's colour; people without one get the palette's in list order."""
    return {m.id: m.colour or PALETTE[n % len(PALETTE)] for n, m in enumerate(members)}


# -- my day ------------------------------------------------------------------------------
class StopCard(QFrame):
    """One stop of a field worker's day: where, when, who, and what to press."""

    def __init__(self, page: SchedulePage, order: int, job: Any) -> None:
        super().__init__()
        self.page = page
        self.job = job
        self.setObjectName(f"myDayStop_{job.number}")
        self.setProperty("role", "card")
        self.setAccessibleName(f"Stop {order}: {job.label}, {job.title}")
        number = QLabel(str(order))
        number.setFixedSize(34, 34)
        number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        number.setStyleSheet(f"background: {theme.ACCENT}; color: white; border-radius: 17px;"
                             " font-weight: 600; font-size: 12pt;")
        head = QLabel(f"<b>{span_text(job.start, job.end)}</b> &nbsp;·&nbsp; "
                      f"{escaped_lines(job.label)} &nbsp;·&nbsp; "
                      f"<span style='color:{theme.MUTED}'>window "
                      f"{span_text(job.window_start, job.window_end)}</span>")
        title = QLabel(job.title)
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        title.setWordWrap(True)
        status = QLabel(STATUS_LABELS.get(job.status) or "Scheduled")
        status.setObjectName("myDayStatus")
        status.setStyleSheet("background: #e8f2f7; color: #1c4a61; border-radius: 9px; "
                             "padding: 2px 10px;")
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(status, 0, Qt.AlignmentFlag.AlignTop)
        details = QLabel()
        details.setTextFormat(Qt.TextFormat.RichText)
        details.setOpenExternalLinks(True)
        details.setWordWrap(True)
        details.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        parts = []
        if job.customer:
            parts.append(f"<b>{escaped_lines(job.customer)}</b>")
        if job.site_address:
            parts.append(escaped_lines(job.site_address))
        if job.phone:
            parts.append(f"<a href='tel:{job.phone}' style='color:{theme.ACCENT}'>"
                         f"{escaped_lines(job.phone)}</a>")
        if job.notes:
            parts.append(f"<span style='color:{theme.MUTED}'>{escaped_lines(job.notes)}</span>")
        details.setText("<br>".join(parts) or "No customer or address given.")
        details.setObjectName("myDayDetails")
        self.notes = QPlainTextEdit(job.field_notes)
        self.notes.setObjectName(f"myDayNotes_{job.number}")
        self.notes.setAccessibleName(f"Notes from the field for {job.label}")
        self.notes.setPlaceholderText("Notes from the site: what was done, parts used, "
                                      "what is left")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(64)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for status_key, text in (("on_the_way", "On the way"), ("in_progress", "Start"),
                                 ("done", "Done…")):
            button = QPushButton(text)
            button.setObjectName(f"myDay_{status_key}_{job.number}")
            button.setAccessibleName(f"{text.rstrip('…')}: {job.label}")
            button.clicked.connect(lambda _=False, s=status_key: page.change_status(job, s))
            self.buttons[status_key] = button
            buttons.addWidget(button)
        self.save_notes = QPushButton("Save notes")
        self.save_notes.setObjectName(f"myDaySaveNotes_{job.number}")
        self.save_notes.clicked.connect(
            lambda: page.save_field_notes(job.id, self.notes.toPlainText()))
        editable = page.may("schedule.edit")
        buttons.addStretch(1)
        buttons.addWidget(self.save_notes)
        order_of = ("scheduled", "on_the_way", "in_progress", "done")
        here = order_of.index(job.status) if job.status in order_of else len(order_of)
        for status_key, button in self.buttons.items():
            button.setEnabled(order_of.index(status_key) > here)
            button.setVisible(job.status not in ("done", "cancelled"))
            if not editable:
                gate(button, page.vault, "schedule.edit")
        if not editable:
            gate(self.save_notes, page.vault, "schedule.edit")
            self.notes.setReadOnly(True)
        if job.status in ("on_the_way", "in_progress"):
            nxt = order_of[here + 1]
            self.buttons[nxt].setProperty("primary", True)
        elif job.status == "scheduled":
            self.buttons["on_the_way"].setProperty("primary", True)
        text = QVBoxLayout()
        text.setSpacing(6)
        text.addLayout(top)
        text.addWidget(head)
        text.addWidget(details)
        for warning in job.warnings:
            note = label(f"⚠ {warning}", "hint")
            note.setStyleSheet("color: #c2410c;")
            text.addWidget(note)
        text.addWidget(self.notes)
        text.addLayout(buttons)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 14, 16, 14)
        row.setSpacing(14)
        row.addWidget(number, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)


class MyDayPanel(QWidget):
    """A field worker's day as a list of stops in visiting order."""

    def __init__(self, page: SchedulePage) -> None:
        super().__init__()
        self.page = page
        self.setObjectName("myDay")
        self.stops: list[StopCard] = []
        self.intro = label("", "hint")
        self.intro.setObjectName("myDayIntro")
        self.list = QWidget()
        self.rows = QVBoxLayout(self.list)
        self.rows.setContentsMargins(0, 0, 8, 0)
        self.rows.setSpacing(10)
        area = QScrollArea()
        area.setObjectName("myDayScroll")
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(self.list)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.intro)
        box.addWidget(area, 1)

    def show_day(self, schedule: Any) -> None:
        self.clear()
        lane = schedule.lanes[0] if schedule.lanes else None
        jobs = [j for j in lane.jobs if j.status != "cancelled"] if lane else []
        who = lane.name if lane else ""
        off = f" {who} is off ({lane.off})." if lane and lane.off else ""
        count = f"{len(jobs)} stop{'s' if len(jobs) != 1 else ''}" if jobs else "No stops"
        self.intro.setText(f"{who}: {count} in visiting order.{off} Everything is kept on "
                           "this computer, so this works without a network.")
        for order, job in enumerate(jobs, start=1):
            stop = StopCard(self.page, order, job)
            self.rows.addWidget(stop)
            self.stops.append(stop)
        self.rows.addStretch(1)

    def clear(self) -> None:
        for stop in self.stops:
            stop.setParent(None)
            stop.deleteLater()
        self.stops = []
        while self.rows.count():
            self.rows.takeAt(0)
        self.intro.clear()


# -- the page ------------------------------------------------------------------------------
class SchedulePage(Page):
    key = "schedule"
    title = "Schedule"
    description = "Who goes where: field jobs and appointments by day and person."
    icon_name = "schedule"
    areas = frozenset({"schedule", "jobs", "staff", "contacts", "organizations", "sales",
                       "tickets"})
    #: (kind, record id): the main window shows that record ("invoice" in Sales).
    record_requested = Signal(str, str)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.mode = DAY
        self.day = date.today()
        self.person = EVERYONE
        self.loaded: Loaded | None = None
        self.editor: Any = None
        self.menu: QMenu | None = None
        self._loader = LatestLoader(tasks)
        # What the page asks a person; tests put their own answers here.
        self.confirm_conflict = self._confirm_conflict
        self.ask_minutes = self._ask_minutes
        self.choose_person = self._choose_person
        self.choose_save_path = self._choose_save_path
        self.choose_open_path = self._choose_open_path
        self._build_toolbar()
        self.grid = TimeGrid()
        self.unassigned = UnassignedPanel()
        self.board = WeekBoard()
        self.my_day = MyDayPanel(self)
        for view in (self.grid, self.unassigned, self.board):
            self._connect(view)
        day_box = QWidget()
        row = QHBoxLayout(day_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        row.addWidget(self.grid, 1)
        row.addWidget(self.unassigned)
        self.day_box = day_box
        self.empty = EmptyState("schedule", "No staff yet",
                                "Add the people who do the work in Settings, under Staff: "
                                "each gets a column here, with their working hours and "
                                "days off.")
        self.empty.setObjectName("scheduleEmpty")
        self.views = QStackedWidget()
        self.views.setObjectName("scheduleViews")
        for widget in (self.day_box, self.board, self.my_day, self.empty):
            self.views.addWidget(widget)
        self.stack.addWidget(self.views)
        self._shortcuts()
        self._show_period()

    # -- building ------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        self.day_button = self._toggle("Day", "scheduleDayMode", "Show one day (team lanes)")
        self.week_button = self._toggle("Week", "scheduleWeekMode", "Show the week")
        self.modes = QButtonGroup(self)
        self.modes.setExclusive(True)
        self.modes.addButton(self.day_button)
        self.modes.addButton(self.week_button)
        self.day_button.setChecked(True)
        self.day_button.clicked.connect(lambda: self.set_mode(DAY))
        self.week_button.clicked.connect(lambda: self.set_mode(WEEK))
        self.today_button = self._button("Today", "scheduleToday", self.go_today,
                                         "Go to today (Alt+Home)")
        self.previous_button = self._button("‹", "schedulePrevious", lambda: self.step(-1),
                                            "Previous day or week (Alt+Left, PgUp)")
        self.previous_button.setAccessibleName("Previous")
        self.next_button = self._button("›", "scheduleNext", lambda: self.step(1),
                                        "Next day or week (Alt+Right, PgDn)")
        self.next_button.setAccessibleName("Next")
        for button in (self.previous_button, self.next_button):
            button.setFixedWidth(34)
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("scheduleDate")
        self.date_edit.setAccessibleName("Date shown")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setMinimumWidth(118)
        self.date_edit.dateChanged.connect(self._date_edited)
        self.person_box = QComboBox()
        self.person_box.setObjectName("schedulePerson")
        self.person_box.setAccessibleName("Whose plan")
        self.person_box.setMinimumWidth(150)
        self.person_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.person_box.setMinimumContentsLength(14)
        self.person_box.addItem("Everyone", EVERYONE)
        self.person_box.addItem("My day", ME)
        self.person_box.activated.connect(
            lambda _i: self.set_person(self.person_box.currentData()))
        self.print_button = self._button("Day sheet…", "schedulePrint",
                                         self.print_day_sheet,
                                         "Save a person's day as a PDF to print (Ctrl+P)")
        self.print_button.setIcon(theme.icon("printer"))
        self.print_button.setAccessibleName("Print day sheet")
        self.calendar_button = QToolButton()
        self.calendar_button.setObjectName("scheduleCalendar")
        self.calendar_button.setText("Calendar file")
        self.calendar_button.setAccessibleName("Calendar file")
        self.calendar_button.setToolTip("A person's jobs as an ICS file, or an ICS file "
                                        "onto a person's plan")
        self.calendar_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.calendar_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.calendar_button.setStyleSheet(
            "QToolButton { background: #ffffff; border: 1px solid #c9d1da; border-radius: 6px;"
            " padding: 6px 14px; } QToolButton:hover { background: #f1f4f7; }"
            " QToolButton::menu-indicator { image: none; }")
        menu = QMenu(self.calendar_button)
        self.export_action = menu.addAction("Export calendar…", self.export_calendar)
        self.import_action = menu.addAction("Import calendar…", self.import_calendar)
        self.calendar_button.setMenu(menu)
        self.calendar_button.setText("Calendar ▾")
        self.new_button = self._button("New job…", "scheduleNewJob", lambda: self.new_job(),
                                       "Plan a job or an appointment (Ctrl+N)")
        self.new_button.setProperty("primary", True)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(6)
        segment = QHBoxLayout()
        segment.setSpacing(0)
        segment.addWidget(self.day_button)
        segment.addWidget(self.week_button)
        bar.addLayout(segment)
        bar.addSpacing(8)
        bar.addWidget(self.today_button)
        bar.addWidget(self.previous_button)
        bar.addWidget(self.next_button)
        bar.addWidget(self.date_edit)
        bar.addSpacing(8)
        bar.addWidget(self.person_box)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.calendar_button)
        bar.addWidget(self.new_button)
        self.period = QLabel("")
        self.period.setObjectName("schedulePeriod")
        font = self.period.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.period.setFont(font)
        self.summary = label("", "hint", wrap=False)
        self.summary.setObjectName("scheduleSummary")
        self.message = label("", "hint")
        self.message.setObjectName("scheduleMessage")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        heading = QHBoxLayout()
        heading.setContentsMargins(0, 0, 0, 0)
        heading.addWidget(self.period)
        heading.addSpacing(12)
        heading.addWidget(self.summary, 0, Qt.AlignmentFlag.AlignBottom)
        heading.addStretch(1)
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 6)
        column.setSpacing(10)
        column.addLayout(bar)
        column.addLayout(heading)
        column.addWidget(self.message)
        self.layout().insertWidget(3, top)
        self.header_description.hide()

    def _toggle(self, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setCheckable(True)
        button.setToolTip(tip)
        button.setAccessibleName(f"{text} view")
        button.setMinimumWidth(78)
        left = text == "Day"
        radius = "border-top-left-radius: 6px; border-bottom-left-radius: 6px; " \
                 "border-top-right-radius: 0; border-bottom-right-radius: 0;" if left else \
                 "border-top-right-radius: 6px; border-bottom-right-radius: 6px; " \
                 "border-top-left-radius: 0; border-bottom-left-radius: 0; border-left: none;"
        button.setStyleSheet(
            f"QPushButton {{ {radius} padding: 6px 16px; }} "
            f"QPushButton:checked {{ background: #d9e7ef; color: #1c4a61; font-weight: 600; "
            f"border-color: #9fbccb; }} "
            f"QPushButton:focus {{ border: 2px solid {theme.ACCENT}; }}")
        return button

    def _button(self, text: str, name: str, slot: Any, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(text.rstrip("…"))
        button.clicked.connect(lambda _=False: slot())
        return button

    def _shortcuts(self) -> None:
        pairs = ((QKeySequence.StandardKey.New, lambda: self.new_job()),
                 ("Alt+Left", lambda: self.step(-1)), ("Alt+Right", lambda: self.step(1)),
                 ("PgUp", lambda: self.step(-1)), ("PgDown", lambda: self.step(1)),
                 ("Alt+Home", self.go_today), ("Ctrl+P", self.print_day_sheet))
        self.shortcuts: dict[str, QShortcut] = {}
        for keys, slot in pairs:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            self.shortcuts[str(keys)] = shortcut

    def apply_permissions(self) -> None:
        """New job needs schedule.create, Day sheet print, exporting a calendar export,
        importing one schedule.create; moving jobs (drag and drop, Ctrl+arrows) and
        changing their status schedule.edit."""
        vault = self.vault
        gate(self.new_button, vault, "schedule.create",
             tip="Plan a job or an appointment (Ctrl+N)")
        gate(self.print_button, vault, "print",
             tip="Save a person's day as a PDF to print (Ctrl+P)")
        gate(self.export_action, vault, "export")
        gate(self.import_action, vault, "schedule.create")
        gate_shortcuts([self.shortcuts[str(QKeySequence.StandardKey.New)]], vault,
                       "schedule.create")
        gate_shortcuts([self.shortcuts["Ctrl+P"]], vault, "print")
        editable = allowed(vault, "schedule.edit")
        for view in (self.grid, self.board, self.unassigned):
            view.editable = editable

    def _connect(self, view: ScheduleView) -> None:
        view.move_requested.connect(self.move_job)
        view.open_requested.connect(self.open_job)
        view.menu_requested.connect(self.show_menu)
        view.new_requested.connect(lambda start, staff: self.new_job(start, staff))

    # -- choosing what to show -------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.day_button.setChecked(mode == DAY)
        self.week_button.setChecked(mode == WEEK)
        self._show_period()
        self.refresh()

    def set_day(self, day: date) -> None:
        self.day = day
        self._show_period()
        self.refresh()

    def go_today(self) -> None:
        today = self.loaded.today if self.loaded is not None else date.today()
        self.set_day(today)

    def step(self, direction: int) -> None:
        days = 7 if self.mode == WEEK and self.person != ME else 1
        self.set_day(self.day + timedelta(days=days * direction))

    def set_person(self, person: str) -> None:
        self.person = person or EVERYONE
        index = self.person_box.findData(self.person)
        if index >= 0:
            self.person_box.setCurrentIndex(index)
        self._show_period()
        self.refresh()

    def open_filtered(self, filter_name: str) -> None:
        """A list asked for by name (the dashboard's tile): "today"."""
        if filter_name == "today":
            self.mode, self.person = DAY, EVERYONE
            self.person_box.setCurrentIndex(0)
            self.day_button.setChecked(True)
            self.go_today()

    def show_job(self, job_id: str) -> None:
        """Show a job found elsewhere (the global search): its day, then the job."""
        if self.vault is None:
            return
        self.tasks.submit(service("schedule.get_job"), self.vault, job_id,
                          on_done=self._found_job, on_error=self.show_error)

    def _found_job(self, job: Any) -> None:
        self.grid.selected_id = self.board.selected_id = job.id
        self.mode = DAY
        self.day_button.setChecked(True)
        self.set_day(job.scheduled_start.date())
        self.open_job(job.id)

    def _date_edited(self, value: QDate) -> None:
        chosen = date(value.year(), value.month(), value.day())
        if chosen != self.day:
            self.day = chosen
            self._show_period()
            self.refresh()

    def _show_period(self) -> None:
        locale = QLocale()
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(self.day.year, self.day.month, self.day.day))
        self.date_edit.blockSignals(False)
        my = self.person == ME
        for button in (self.day_button, self.week_button):
            button.setEnabled(not my)
        if self.mode == WEEK and not my:
            monday = self.day - timedelta(days=self.day.weekday())
            sunday = monday + timedelta(days=6)
            first = QDate(monday.year, monday.month, monday.day)
            last = QDate(sunday.year, sunday.month, sunday.day)
            same_month = monday.month == sunday.month
            start = locale.toString(first, "d" if same_month else "d MMMM")
            self.period.setText(f"{start} – {locale.toString(last, 'd MMMM yyyy')}"
                                f"  ·  Week {first.weekNumber()[0]}")
        else:
            self.period.setText(locale.toString(QDate(self.day.year, self.day.month,
                                                      self.day.day),
                                                QLocale.FormatType.LongFormat))

    # -- life cycle ------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.vault is None:
            return
        self._loader.request(load_schedule, self.vault, self.mode, self.day, self.person,
                             on_done=self._arrived, on_error=self.show_error)

    def clear(self) -> None:
        super().clear()
        self._loader.reset()
        self.loaded = None
        self.grid.clear()
        self.grid.header.update()
        self.unassigned.clear()
        self.board.clear()
        self.my_day.clear()
        self.summary.clear()
        self.message.hide()
        while self.person_box.count() > 2:
            self.person_box.removeItem(1)
        if self.editor is not None:
            self.editor.reject()
            self.editor = None

    def _arrived(self, loaded: Loaded) -> None:
        if self.vault is None:
            return
        self.loaded = loaded
        self._fill_people(loaded)
        colours = colours_of(loaded.staff)
        order = [m.id for m in loaded.staff]
        for view in (self.grid, self.board, self.unassigned):
            view.lane_order = order
        if loaded.person == ME:
            self._show_my_day(loaded)
        elif not loaded.staff and not self.shown_jobs():
            self.views.setCurrentWidget(self.empty)
            self.summary.setText("")
        elif loaded.mode == DAY:
            self._show_day(loaded, colours)
        elif loaded.person:
            self._show_person_week(loaded, colours)
        else:
            self._show_team_week(loaded, colours)

    def _fill_people(self, loaded: Loaded) -> None:
        box = self.person_box
        box.blockSignals(True)
        while box.count() > 2:
            box.removeItem(1)
        for n, member in enumerate(loaded.staff, start=1):
            box.insertItem(n, member.name, member.id)
        me = loaded.me
        box.setItemData(box.count() - 1,
                        f"The jobs of {me.name}, this computer's account" if me else
                        "The jobs of the staff member linked to this computer's account",
                        Qt.ItemDataRole.ToolTipRole)
        index = box.findData(self.person)
        if index < 0:  # the person chosen is gone: everyone again
            self.person, index = EVERYONE, 0
        box.setCurrentIndex(index)
        box.blockSignals(False)

    def _hours_of(self, staff_id: str | None) -> tuple[Any, Any, str]:
        member = next((m for m in (self.loaded.staff if self.loaded else ())
                       if m.id == staff_id), None)
        if member is None:
            return None, None, ""
        return member.start_time, member.end_time, f"{time_text(member.start_time)}–" \
            f"{time_text(member.end_time)}"

    def _show_day(self, loaded: Loaded, colours: dict[str | None, str]) -> None:
        plan = loaded.data
        columns = []
        loose: list[Any] = []
        for lane in plan.lanes:
            if lane.staff_id is None:
                loose = list(lane.jobs)
                continue
            begin, end, hours = self._hours_of(lane.staff_id)
            jobs = len(lane.jobs)
            subtitle = f"{hours} · {jobs} job{'s' if jobs != 1 else ''}" if hours else \
                f"{jobs} job{'s' if jobs != 1 else ''}"
            columns.append(GridColumn(plan.day, lane.staff_id, lane.name, subtitle,
                                      colours.get(lane.staff_id, ""), off_text(lane.off),
                                      begin, end,
                                      lane.jobs, False))
        self.grid.show_columns(columns, colours, loaded.now)
        self.unassigned.show_jobs(loose, plan.day)
        self.unassigned.setVisible(not loaded.person)
        self.views.setCurrentWidget(self.day_box)
        self._summarise(plan.jobs, loaded)

    def _show_person_week(self, loaded: Loaded, colours: dict[str | None, str]) -> None:
        plan = loaded.data
        lane = plan.lanes[0]
        begin, end, hours = self._hours_of(lane.staff_id)
        locale = QLocale()
        columns = []
        jobs: list[Any] = []
        for lane_day in lane.days:
            qday = QDate(lane_day.day.year, lane_day.day.month, lane_day.day.day)
            count = len(lane_day.jobs)
            subtitle = f"{count} job{'s' if count != 1 else ''}" if count else "No jobs"
            columns.append(GridColumn(lane_day.day, lane.staff_id,
                                      locale.toString(qday, "ddd d" if lane_day.off
                                                      else "ddd d MMM"), subtitle,
                                      "", off_text(lane_day.off), begin, end, lane_day.jobs,
                                      lane_day.day == loaded.today))
            jobs.extend(lane_day.jobs)
        self.grid.show_columns(columns, colours, loaded.now)
        self.unassigned.hide()
        self.views.setCurrentWidget(self.day_box)
        self._summarise(jobs, loaded, who=f"{lane.name}, {hours}" if hours else lane.name)

    def _show_team_week(self, loaded: Loaded, colours: dict[str | None, str]) -> None:
        plan = loaded.data
        rows = []
        jobs: list[Any] = []
        for lane in plan.lanes:
            _b, _e, hours = self._hours_of(lane.staff_id)
            count = sum(len(d.jobs) for d in lane.days)
            subtitle = f"{hours} · {count} job{'s' if count != 1 else ''}" if hours else \
                f"{count} job{'s' if count != 1 else ''}"
            rows.append(BoardRow(lane.staff_id, lane.name, subtitle,
                                 colours.get(lane.staff_id, "") if lane.staff_id else "",
                                 lane.days))
            jobs.extend(j for d in lane.days for j in d.jobs)
        self.board.show_rows(plan.days, rows, colours, loaded.today)
        self.views.setCurrentWidget(self.board)
        self._summarise(jobs, loaded)

    def _show_my_day(self, loaded: Loaded) -> None:
        if loaded.problem:
            self.my_day.clear()
            self.my_day.intro.setText(loaded.problem)
            self.views.setCurrentWidget(self.my_day)
            self.summary.setText("")
            return
        self.my_day.show_day(loaded.data)
        self.views.setCurrentWidget(self.my_day)
        self._summarise(loaded.data.jobs, loaded)

    def _summarise(self, jobs: list[Any] | tuple[Any, ...], loaded: Loaded,
                   who: str = "") -> None:
        live = [j for j in jobs if j.status != "cancelled"]
        done = sum(1 for j in live if j.status == "done")
        warned = sum(1 for j in live if j.warnings)
        parts = [who] if who else []
        parts.append(f"{len(live)} job{'s' if len(live) != 1 else ''}")
        if done:
            parts.append(f"{done} done")
        if warned:
            parts.append(f"⚠ {warned} with warnings")
        parts.append(f"office time ({loaded.zone})")
        self.summary.setText("  ·  ".join(parts))

    # -- the jobs shown --------------------------------------------------------------------
    def shown_jobs(self) -> list[Any]:
        loaded = self.loaded
        if loaded is None or loaded.data is None:
            return []
        if loaded.mode == WEEK and loaded.person != ME:
            return [j for lane in loaded.data.lanes for d in lane.days for j in d.jobs]
        return list(loaded.data.jobs)

    def job(self, job_id: str) -> Any:
        return next((j for j in self.shown_jobs() if j.id == job_id), None)

    def current_view(self) -> ScheduleView:
        if self.views.currentWidget() is self.board:
            return self.board
        if self.unassigned.selected_id and any(c.hasFocus() for c in self.unassigned.cards):
            return self.unassigned
        return self.grid

    def selected_job(self) -> Any:
        view = self.current_view()
        return self.job(view.selected_id) if view.selected_id else None

    # -- acting ----------------------------------------------------------------------------
    def move_job(self, job_id: str, start: datetime | None, staff: Any,
                 force: bool = False) -> None:
        """Move a job (a drop or a key); a clash with the plan asks first."""
        if not self.may("schedule.edit"):
            return
        for view in (self.grid, self.board, self.unassigned):
            view.selected_id = job_id
        if staff is not None and staff != "":
            self.unassigned.selected_id = ""
        self.message.hide()
        self.tasks.submit(move, self.vault, job_id, start, staff, force, writes={"schedule"},
                          on_error=lambda error: self._move_refused(error, job_id, start,
                                                                    staff))

    def _move_refused(self, error: UserError, job_id: str, start: datetime | None,
                      staff: Any) -> None:
        warnings = getattr(error, "warnings", None)
        if not warnings:
            self.show_error(error)
            return
        job = self.job(job_id)
        name = job.label if job is not None else "the job"
        if self.confirm_conflict(f"Move {name} anyway?", list(warnings)):
            self.move_job(job_id, start, staff, force=True)

    def change_status(self, job: Any, status: str) -> None:
        if not self.may("schedule.edit"):
            return
        minutes = None
        if status == "done":
            minutes = self.ask_minutes(job)
            if minutes is None:
                return
        elif status == "cancelled" and not self.confirm_conflict(
                f"Cancel {job.label}, {job.title}?", []):
            return
        self.message.hide()
        self.tasks.submit(service("schedule.set_status"), self.vault, job.id, status,
                          minutes_worked=minutes, writes={"schedule"},
                          on_error=self.show_error)

    def save_field_notes(self, job_id: str, text: str) -> None:
        if not self.may("schedule.edit"):
            return
        self.tasks.submit(service("schedule.set_field_notes"), self.vault, job_id, text,
                          writes={"schedule"}, on_done=lambda job: self.say(
                              f"Notes for {job.label} saved."),
                          on_error=self.show_error)

    def make_invoice(self, job_id: str) -> None:
        if not self.may("invoices.create"):
            return
        self.tasks.submit(service("schedule.invoice_from_job"), self.vault, job_id,
                          writes={"schedule", "sales"}, on_done=self._invoiced,
                          on_error=self.show_error)

    def _invoiced(self, invoice: Any) -> None:
        self.say("An invoice draft was made from the job; it is open in Sales.")
        self.record_requested.emit("invoice", invoice.id)

    def show_menu(self, job: Any, where: QPoint) -> QMenu:
        """A card's context menu, at `where` (global)."""
        menu = self.job_menu(job)
        menu.popup(where)
        return menu

    def job_menu(self, job: Any) -> QMenu:
        """Open, the status moves the job can still make, and the invoice draft."""
        if self.menu is not None:
            self.menu.deleteLater()
        menu = QMenu(self)
        menu.setObjectName("jobMenu")
        menu.addAction("Open…", lambda: self.open_job(job.id))
        menu.addSeparator()
        order = ("scheduled", "on_the_way", "in_progress", "done")
        here = order.index(job.status) if job.status in order else -1
        for status, text in STATUS_ACTIONS:
            action = menu.addAction(text, lambda s=status: self.change_status(job, s))
            if status == "cancelled":
                action.setEnabled(job.status not in ("done", "cancelled"))
            else:
                action.setEnabled(job.status != "cancelled" and order.index(status) > here)
            if not self.may("schedule.edit"):
                gate(action, self.vault, "schedule.edit")
        if job.status == "cancelled":
            again = menu.addAction("Schedule again", lambda: self.change_status(job, "scheduled"))
            gate(again, self.vault, "schedule.edit")
        menu.addSeparator()
        invoice = menu.addAction("Create invoice draft", lambda: self.make_invoice(job.id))
        if gate(invoice, self.vault, "invoices.create"):
            invoice.setEnabled(job.status == "done")
        menu.setToolTipsVisible(True)
        self.menu = menu
        return menu

    # -- the editor --------------------------------------------------------------------------
    def new_job(self, start: datetime | None = None, staff_id: str | None = None) -> Any:
        if not self.may("schedule.create"):
            return None
        if start is None:
            start = datetime.combine(self.day, datetime.min.time()).replace(hour=9)
        if staff_id is None and self.person not in (EVERYONE, ME):
            staff_id = self.person
        return self._open_editor(None, start=start, staff_id=staff_id)

    def open_job(self, job_id: str) -> Any:
        return self._open_editor(job_id)

    def _open_editor(self, job_id: str | None, **more: Any) -> Any:
        if self.vault is None:
            return None
        from crasme_desktop.ui.job_editor import JobEditor

        if self.editor is not None:
            self.editor.deleteLater()
        staff = self.loaded.staff if self.loaded is not None else ()
        editor = JobEditor(self.tasks, self.vault, job_id, self, staff=staff, **more)
        editor.invoice_requested.connect(self.make_invoice)
        editor.saved.connect(lambda job: self._select_after(job.id))
        self.editor = editor
        editor.open()
        return editor

    def _select_after(self, job_id: str) -> None:
        for view in (self.grid, self.board, self.unassigned):
            view.selected_id = job_id

    # -- files ---------------------------------------------------------------------------------
    def _person_for_files(self, what: str) -> Any:
        """The person whose day sheet or calendar it is: the one shown, else the one of
        the selected card, else asked."""
        staff = self.loaded.staff if self.loaded is not None else ()
        if not staff:
            self.show_error(UserError("Add a staff member in Settings first; day sheets "
                                      "and calendars belong to a person."))
            return None
        wanted = self.person if self.person not in (EVERYONE, ME) else ""
        if self.person == ME and self.loaded is not None and self.loaded.me is not None:
            wanted = self.loaded.me.id
        if not wanted:
            job = self.selected_job()
            wanted = job.assignee_id if job is not None and job.assignee_id else ""
        if not wanted:
            wanted = self.choose_person(what, staff) or ""
        return next((m for m in staff if m.id == wanted), None)

    def print_day_sheet(self) -> None:
        if not self.may("print"):
            return
        member = self._person_for_files("Whose day sheet?")
        if member is None:
            return
        target = self.choose_save_path(
            "Save the day sheet", Path.home() / f"Day sheet {member.name} "
            f"{self.day.isoformat()}.pdf", "PDF files (*.pdf)")
        if target is None:
            return
        self.tasks.submit(service("schedule_files.save_day_sheet"), self.vault, member.id,
                          self.day, target, progress_title="Making the day sheet…",
                          on_done=lambda path: self.say(
                              f"The day sheet of {member.name} is saved as {path}."),
                          on_error=self.show_error)

    def export_calendar(self) -> None:
        if not self.may("export"):
            return
        member = self._person_for_files("Whose calendar?")
        if member is None:
            return
        target = self.choose_save_path("Export the calendar",
                                       Path.home() / f"{member.name} jobs.ics",
                                       "Calendar files (*.ics)")
        if target is None:
            return
        self.tasks.submit(service("schedule_files.save_ics"), self.vault, member.id, target,
                          on_done=lambda path: self.say(
                              f"The jobs of {member.name} are saved as {path}."),
                          on_error=self.show_error)

    def import_calendar(self) -> None:
        if not self.may("schedule.create"):
            return
        source = self.choose_open_path("Import a calendar", "Calendar files (*.ics)")
        if source is None:
            return
        member = self._person_for_files("Whose plan should the events go on?")
        if member is None:
            return
        self.tasks.submit(service("schedule_files.import_ics"), self.vault, source,
                          member.id, progress_title="Importing the calendar…",
                          writes={"schedule"},
                          on_done=lambda result: self.say(
                              f"{source.name} for {member.name}: {result.message}"),
                          on_error=self.show_error)

    # -- asking and telling ----------------------------------------------------------------------
    def say(self, text: str) -> None:
        self.message.setProperty("role", "hint")
        self.message.setStyleSheet(f"color: {theme.ACCENT_DARK};")
        self.message.setText(text)
        self.message.show()

    def show_error(self, error: UserError) -> None:
        self.message.setProperty("role", "error")
        self.message.setStyleSheet(f"color: {theme.DANGER};")
        self.message.setText(error.message)
        self.message.show()

    def _confirm_conflict(self, question: str, sentences: list[str]) -> bool:
        box = QMessageBox(self)
        box.setObjectName("scheduleConflict")
        box.setIcon(QMessageBox.Icon.Warning if sentences else QMessageBox.Icon.Question)
        box.setWindowTitle(APP_NAME)
        box.setText(question)
        if sentences:
            box.setInformativeText("\n".join(f"• {s}" for s in sentences))
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _ask_minutes(self, job: Any) -> int | None:
        worked, ok = QInputDialog.getInt(self, APP_NAME,
                                         f"Minutes worked on {job.label}, {job.title}:",
                                         job.duration_minutes, 1, 7 * 24 * 60, 15)
        return worked if ok else None

    def _choose_person(self, question: str, staff: tuple[Any, ...]) -> str | None:
        names = [m.name for m in staff]
        name, ok = QInputDialog.getItem(self, APP_NAME, question, names, 0, False)
        if not ok:
            return None
        return next((m.id for m in staff if m.name == name), None)

    def _choose_save_path(self, title: str, suggested: Path, filters: str) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(self, title, str(suggested), filters)
        return Path(name) if name else None

    def _choose_open_path(self, title: str, filters: str) -> Path | None:
        name, _filter = QFileDialog.getOpenFileName(self, title, str(Path.home()),
                                                    f"{filters};;All files (*)")
        return Path(name) if name else None
