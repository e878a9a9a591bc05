"""The Tickets page: the support desk.

Left, the queues with how many tickets each holds (My tickets, Unassigned, Due soon,
Breached, then one per status); the counts are read again after every change. In the
middle, the chosen queue's tickets, read page by page by key as the list scrolls
(`ticket_queues.list_tickets`), so a desk with 500,000 tickets opens as fast as one
with five; the order is the queue's own (newest first, or earliest due first in the
due queues), and the box above narrows it by number, subject or requester. On the
right, the ticket (ui/ticket_view).

Keys on the list work on every selected ticket at once: A assign, P priority, S status
(each opens a small chooser), R reply and N internal note (the cursor goes to the box),
Enter opens the reply box too. Ctrl+N makes a new ticket, F5 or Ctrl+R fetches the
support mailbox (with progress and Cancel) and sums up what came in; Ctrl+Enter in the
box sends. A triage that some tickets refuse changes the others and names each refusal
in a sentence. All reading and writing runs on the task runner.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui import theme
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.list_model import KeyPagedModel
from crasme_desktop.ui.pages.base import Page, gate_shortcuts, label
from crasme_desktop.ui.permission_gate import allowed, gate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.ticket_view import PRIORITY_TEXT, STATUS_TEXT, TicketView, due_colour
from crasme_desktop.ui.widgets import local_datetime

PAGE_ROWS = 100
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
#: The queue list, top to bottom ("" is the "By status" heading).
QUEUE_ORDER = ("mine", "unassigned", "due_soon", "breached", "all_open", "", *STATUSES,
               "all")
QUEUE_TEXT = {"mine": "My tickets", "unassigned": "Unassigned", "due_soon": "Due soon",
              "breached": "Breached", "all_open": "All open", "all": "All tickets",
              **{s: STATUS_TEXT[s] for s in STATUSES}}
KEYS_HELP = ("Keys: A assign · P priority · S status · R reply · N note · Ctrl+N new "
             "ticket · Ctrl+Enter send · F5 fetch mail")
QUEUE_ROLE = Qt.ItemDataRole.UserRole + 1
COUNT_ROLE = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex


# -- worker jobs -----------------------------------------------------------------------
def load_page(vault: Any, values: dict[str, Any], after: Any) -> Any:
    query = service("ticket_queues.TicketQuery")(**values)
    return service("ticket_queues.list_tickets")(vault, query, after=after, limit=PAGE_ROWS)


def fetch_mail(vault: Any, password: str | None = None, *, progress: Any = None) -> Any:
    return service("ticket_mail.fetch")(vault, password=password, progress=progress)


def fetch_summary(report: Any) -> str:
    """"3 new tickets, 2 replies; 1 message could not be taken in: <reason>"."""
    def count(n: int, one: str, many: str) -> str:
        return f"{QLocale().toString(n)} {one if n == 1 else many}"

    parts = [count(report.new_tickets, "new ticket", "new tickets"),
             count(report.replies, "reply", "replies")]
    if report.ignored:
        parts.append(count(report.ignored, "message already in a ticket",
                           "messages already in a ticket"))
    text = ", ".join(parts)
    failed = tuple(report.failed)
    if failed:
        reasons = " ".join(f"“{m.subject or '(no subject)'}” from {m.sender or 'unknown'}: "
                           f"{m.reason}" for m in failed)
        verb = "message could not" if len(failed) == 1 else "messages could not"
        text += f"; {QLocale().toString(len(failed))} {verb} be taken in: {reasons}"
    return f"Fetched the support mailbox: {text}" + ("" if text.endswith(".") else ".")


# -- the queues ------------------------------------------------------------------------
class QueueDelegate(QStyledItemDelegate):
    """A queue's name with its count on the right (red for breached tickets)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        size = super().sizeHint(option, index)
        heading = not index.data(QUEUE_ROLE)
        return QSize(size.width(), 26 if heading else 32)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        queue = index.data(QUEUE_ROLE)
        painter.save()
        rect = option.rect.adjusted(8, 0, -10, 0)
        if not queue:  # the "By status" heading
            font = QFont(option.font)
            font.setPointSizeF(font.pointSizeF() * 0.9)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(QColor(theme.QUIET))
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                             index.data(Qt.ItemDataRole.DisplayRole))
            painter.restore()
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#e3eef4"))
            painter.drawRoundedRect(option.rect.adjusted(2, 2, -2, -2), 6, 6)
        font = QFont(option.font)
        font.setBold(selected)
        painter.setFont(font)
        painter.setPen(QColor(theme.ACCENT_DARK if selected else theme.INK))
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         index.data(Qt.ItemDataRole.DisplayRole))
        count = index.data(COUNT_ROLE)
        if count is not None:
            alert = queue == "breached" and count > 0
            painter.setPen(QColor(theme.DANGER if alert else theme.MUTED))
            font.setBold(alert or selected)
            painter.setFont(font)
            painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             QLocale().toString(count))
        painter.restore()


class QueueList(QListWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("ticketQueues")
        self.setItemDelegate(QueueDelegate(self))
        self.setFixedWidth(164)
        self.setAccessibleName("Ticket queues")
        for queue in QUEUE_ORDER:
            item = QListWidgetItem(QUEUE_TEXT.get(queue, "By status"))
            item.setData(QUEUE_ROLE, queue)
            if not queue:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)

    def item_of(self, queue: str) -> QListWidgetItem | None:
        return next((self.item(r) for r in range(self.count())
                     if self.item(r).data(QUEUE_ROLE) == queue), None)

    def current_queue(self) -> str:
        item = self.currentItem()
        return item.data(QUEUE_ROLE) if item is not None else "all"

    def show_counts(self, counts: Any) -> None:
        for row in range(self.count()):
            item = self.item(row)
            queue = item.data(QUEUE_ROLE)
            value = counts.of(queue) if queue and counts is not None else None
            item.setData(COUNT_ROLE, value)
            name = QUEUE_TEXT.get(queue, "By status")
            item.setData(Qt.ItemDataRole.AccessibleTextRole,
                         f"{name}, {value}" if value is not None else name)


# -- the list --------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    width: int


COLUMNS = (
    Column("#", lambda r: str(r.number), 48),
    Column("Subject", lambda r: r.subject, 190),
    Column("Due", lambda r: r.due.text, 175),
    Column("Requester", lambda r: r.requester_name or r.requester_email, 130),
    Column("Status", lambda r: STATUS_TEXT.get(r.status, r.status), 76),
    Column("Priority", lambda r: PRIORITY_TEXT.get(r.priority, r.priority), 70),
    Column("Assignee", lambda r: r.assignee_name, 110),
    Column("Company", lambda r: r.organization_name, 130),
    Column("Last activity", lambda r: local_datetime(r.last_message_at), 130),
)
DUE_COLUMN = 2
PRIORITY_COLUMN = 5


class TicketListModel(KeyPagedModel):
    """A queue's tickets read page by page by key."""

    def __init__(self, page: TicketsPage) -> None:
        super().__init__(page, [c.title for c in COLUMNS], lambda after: page.load(after))
        self.page = page

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        r = self.rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = COLUMNS[column].text(r)
            if role == Qt.ItemDataRole.ToolTipRole and column == DUE_COLUMN and \
                    r.due.due_at is not None:
                from datetime import UTC

                return f"{text} (target {local_datetime(r.due.due_at.replace(tzinfo=UTC))})"
            return text
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == DUE_COLUMN:
                colour = due_colour(r.due)
                return QColor(colour) if colour else None
            if column == PRIORITY_COLUMN and r.priority == "urgent":
                return QColor(theme.DANGER)
            if r.status in ("solved", "closed"):
                return QColor(theme.MUTED)
            return None
        if role == Qt.ItemDataRole.FontRole and r.status == "new" and column == 1:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def row_of(self, ticket_id: str) -> int:
        return next((n for n, r in enumerate(self.rows) if r.id == ticket_id), -1)


class TicketTable(QTableView):
    """The list; its letter keys triage the selected tickets."""

    def __init__(self, page: TicketsPage) -> None:
        super().__init__()
        self.page = page
        self.setObjectName("ticketTable")
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(30)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        self.setToolTip(KEYS_HELP)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods == Qt.KeyboardModifier.NoModifier:
            action = {
                Qt.Key.Key_A: self.page.assign, Qt.Key.Key_P: self.page.set_priority,
                Qt.Key.Key_S: self.page.set_status,
                Qt.Key.Key_R: lambda: self.page.view.start("reply"),
                Qt.Key.Key_N: lambda: self.page.view.start("note"),
                Qt.Key.Key_Return: lambda: self.page.view.start(self.page.view.mode),
                Qt.Key.Key_Enter: lambda: self.page.view.start(self.page.view.mode),
            }.get(Qt.Key(event.key()))
            if action is not None:
                action()
                event.accept()
                return
        super().keyPressEvent(event)


# -- the page ------------------------------------------------------------------------------
class TicketsPage(Page):
    key = "tickets"
    title = "Tickets"
    description = "Customer questions and problems, with who is on them and when they are due."
    icon_name = "tickets"
    areas = frozenset({"tickets", "staff", "support", "contacts", "organizations"})
    #: (kind, record id): the main window shows that record (a person, a company).
    record_requested = Signal(str, str)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.staff: list[Any] = []
        self.counts: Any = None
        self.editor: Any = None
        self.fetch_task: Any = None
        self._keep: tuple[list[str], str] = ([], "")
        #: Asks which of `options` (text, value) to take; None when dismissed.
        self.choose: Callable[[str, Sequence[tuple[str, Any]]], Any] = self._choose
        self.ask_password: Callable[[str], str | None] = self._ask_password

        self.queues = QueueList()
        self.queues.currentItemChanged.connect(lambda _now, _before: self.reload())
        self.search = QLineEdit()
        self.search.setObjectName("ticketFilter")
        self.search.setPlaceholderText("Number, subject or requester")
        self.search.setToolTip("Show only the tickets whose number, subject or requester's "
                               "name matches")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.reload)
        self.priority_filter = QComboBox()
        self.priority_filter.setObjectName("ticketPriorityFilter")
        self.priority_filter.addItem("Any priority", "")
        for p in reversed(PRIORITIES):
            self.priority_filter.addItem(PRIORITY_TEXT[p], p)
        self.priority_filter.activated.connect(lambda _i: self.reload())
        self.assign_button = self._button("Assign…", "triageAssign", self.assign,
                                          "Assign the selected tickets (A)")
        self.priority_button = self._button("Priority…", "triagePriority", self.set_priority,
                                            "Set the selected tickets' priority (P)")
        self.status_button = self._button("Status…", "triageStatus", self.set_status,
                                          "Set the selected tickets' status (S)")
        self.fetch_button = self._button("Fetch mail", "fetchMail", self.fetch,
                                         "Take in new mail from the support mailbox "
                                         "(F5 or Ctrl+R)")
        self.new_button = self._button("New ticket…", "newTicket", self.new_ticket,
                                       "Add a ticket by hand, e.g. for a call (Ctrl+N)")
        self.new_button.setProperty("primary", True)
        toolbar = QWidget()
        row = QHBoxLayout(toolbar)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.search, 2)
        row.addWidget(self.priority_filter)
        row.addSpacing(10)
        row.addWidget(self.assign_button)
        row.addWidget(self.priority_button)
        row.addWidget(self.status_button)
        row.addStretch(1)
        row.addWidget(self.fetch_button)
        row.addWidget(self.new_button)
        self.layout().insertWidget(3, toolbar)
        self.status_line = label("", "hint")
        self.status_line.setObjectName("ticketsStatus")
        self.status_line.hide()
        self.error = label("", "error")
        self.error.setObjectName("ticketsError")
        self.error.hide()
        self.layout().insertWidget(4, self.status_line)
        self.layout().insertWidget(5, self.error)

        self.model = TicketListModel(self)
        self.table = TicketTable(self)
        self.table.setModel(self.model)
        for section, column in enumerate(COLUMNS):
            self.table.horizontalHeader().resizeSection(section, column.width)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _before: self._current_changed(current.row()))
        self.count = label("", "hint")
        self.count.setObjectName("ticketCount")
        self.help = label(KEYS_HELP, "hint")
        self.help.setObjectName("ticketKeys")
        self.view = TicketView(tasks)
        self.view.record_requested.connect(self.record_requested)
        self.view.status_message.connect(self.show_status)

        middle = QWidget()
        middle_box = QVBoxLayout(middle)
        middle_box.setContentsMargins(0, 0, 0, 0)
        middle_box.addWidget(self.table, 1)
        middle_box.addWidget(self.count)
        middle_box.addWidget(self.help)
        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(10, 0, 0, 0)
        right_box.addWidget(self.view)
        right.setMinimumWidth(400)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("ticketSplitter")
        self.splitter.addWidget(middle)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        body = QWidget()
        body_row = QHBoxLayout(body)
        body_row.setContentsMargins(0, 8, 0, 0)
        body_row.setSpacing(12)
        body_row.addWidget(self.queues)
        body_row.addWidget(self.splitter, 1)
        self.stack.addWidget(body)
        self.queues.setCurrentItem(self.queues.item_of("all_open"))

        self.shortcuts: list[QShortcut] = []
        for keys, slot in (("Ctrl+N", self.new_ticket), ("F5", self.fetch),
                           ("Ctrl+R", self.fetch)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            self.shortcuts.append(shortcut)
        self.due_timer = QTimer(self)
        self.due_timer.setInterval(60_000)
        self.due_timer.timeout.connect(self.refresh_counts)

    def _button(self, text: str, name: str, slot: Callable[[], Any], tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # -- life cycle ------------------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self.apply_permissions()
        self.view.attach(vault)
        self.load_staff()
        self.refresh()
        self.due_timer.start()

    def apply_permissions(self) -> None:
        """New ticket and Fetch mail (which makes tickets) need tickets.create; the
        triage buttons (and their letter keys) tickets.edit."""
        vault = self.vault
        gate(self.new_button, vault, "tickets.create",
             tip="Add a ticket by hand, e.g. for a call (Ctrl+N)")
        gate(self.fetch_button, vault, "tickets.create",
             tip="Take in new mail from the support mailbox (F5 or Ctrl+R)")
        for button, tip in ((self.assign_button, "Assign the selected tickets (A)"),
                            (self.priority_button, "Set the selected tickets' priority (P)"),
                            (self.status_button, "Set the selected tickets' status (S)")):
            gate(button, vault, "tickets.edit", tip=tip)
        gate_shortcuts(self.shortcuts, vault, "tickets.create")
        self.help.setText(KEYS_HELP if allowed(vault, "tickets.edit")
                          else self.tr("Up and down choose a ticket. Your role does not allow "
                                       "editing tickets."))
        self.table.setToolTip(self.help.text())

    def refresh(self) -> None:
        """Counts and list again, keeping the selection and the ticket shown."""
        if self.vault is None:
            return
        self.refresh_counts()
        self._keep = (self.selected_ids(), self.view.ticket_id)
        self.reload(keep=True)
        self.view.reload()

    def on_changed(self, areas: frozenset[str]) -> None:
        if not self.concerned(areas):
            return
        if areas & {"staff", "vault"}:
            self.load_staff()
        if areas & {"support", "vault"}:
            self.view.load_canned()
        self.refresh()

    def clear(self) -> None:
        super().clear()
        self.due_timer.stop()
        self.model.reset()
        self.view.clear()
        self.staff = []
        self.counts = None
        self.queues.show_counts(None)
        self.count.clear()
        self.status_line.hide()
        self.error.hide()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        if self.editor is not None:
            self.editor.reject()
            self.editor = None

    def load_staff(self) -> None:
        if self.vault is not None:
            self.tasks.submit(service("staff.list_staff"), self.vault,
                              on_done=self._staff_arrived, on_error=self.show_error)

    def _staff_arrived(self, members: list[Any]) -> None:
        if self.vault is not None:
            self.staff = list(members)

    def refresh_counts(self) -> None:
        if self.vault is not None:
            self.tasks.submit(service("ticket_queues.queue_counts"), self.vault,
                              on_done=self._counts_arrived, on_error=self.show_error)

    def _counts_arrived(self, counts: Any) -> None:
        if self.vault is None:
            return
        self.counts = counts
        self.queues.show_counts(counts)
        item = self.queues.item_of("mine")
        if item is not None:
            item.setToolTip(f"Tickets assigned to {counts.me_name}" if counts.me_name else
                            "Link your computer account to a staff member (Settings › "
                            "Support) to see your tickets here")

    # -- the list --------------------------------------------------------------------------
    def query_values(self) -> dict[str, Any]:
        return {"queue": self.queues.current_queue(),
                "priority": self.priority_filter.currentData() or "",
                "text": self.search.text().strip()}

    def reload(self, keep: bool = False) -> None:
        if self.vault is None:
            return
        self._search_timer.stop()
        if not keep:
            self._keep = ([], "")
        self.model.reset()
        self.load(None)

    def load(self, after: Any) -> None:
        if self.vault is None:
            return
        self.model.loading = True
        generation = self.model.generation
        self.tasks.submit(load_page, self.vault, self.query_values(), after,
                          on_done=lambda page: self._arrived(generation, page),
                          on_error=self.show_error)

    def _arrived(self, generation: int, page: Any) -> None:
        first = not self.model.rows
        if self.vault is None or not self.model.add_page(generation, page):
            return
        n = len(self.model.rows)
        if page.note:
            self.count.setText(page.note)
        elif not n:
            self.count.setText("No tickets in this queue." if not self.search.text().strip()
                               else "No tickets match the filter.")
        else:
            more = "" if self.model.complete else " so far; scroll for more"
            self.count.setText(f"{QLocale().toString(n)} "
                               f"{'ticket' if n == 1 else 'tickets'}{more}")
        if first:
            self._restore_selection()

    def _restore_selection(self) -> None:
        ids, shown = self._keep
        self._keep = ([], "")
        selection = self.table.selectionModel()
        rows = [self.model.row_of(i) for i in ids]
        rows = [r for r in rows if r >= 0]
        current = self.model.row_of(shown) if shown else -1
        if current < 0 and rows:
            current = rows[0]
        if current < 0 and not shown:
            if not self.model.rows:
                self.view.show_ticket("")
                return
            current = 0
        if current >= 0:
            selection.blockSignals(True)
            self.table.setCurrentIndex(self.model.index(current, 0))
            selection.blockSignals(False)
            for r in rows:
                selection.select(self.model.index(r, 0),
                                 selection.SelectionFlag.Select
                                 | selection.SelectionFlag.Rows)
            if self.model.rows[current].id != self.view.ticket_id:
                self.view.show_ticket(self.model.rows[current].id)

    def _current_changed(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            self.view.show_ticket(self.model.rows[row].id)

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        ids = [self.model.rows[r].id for r in rows if r < len(self.model.rows)]
        if not ids and self.view.ticket_id:
            ids = [self.view.ticket_id]
        return ids

    # -- opening ---------------------------------------------------------------------------
    def open_filtered(self, filter_name: str) -> None:
        """A queue asked for by name (the dashboard's tiles): "breached", "due_soon",
        "mine", a status, ..."""
        item = self.queues.item_of(filter_name)
        if item is None:
            return
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.priority_filter.setCurrentIndex(0)
        if self.queues.currentItem() is item:
            self.reload()
        else:
            self.queues.setCurrentItem(item)

    def show_ticket(self, ticket_id: str) -> None:
        """Show a ticket found elsewhere (the global search)."""
        row = self.model.row_of(ticket_id)
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, 0))
        self.view.show_ticket(ticket_id)

    def new_ticket(self) -> Any:
        if not self.may("tickets.create"):
            return None
        from crasme_desktop.ui.ticket_editor import TicketEditor

        if self.editor is not None:
            self.editor.deleteLater()
        editor = TicketEditor(self.tasks, self.vault, self.staff, self)
        editor.saved.connect(self._created)
        self.editor = editor
        editor.open()
        return editor

    def _created(self, record: Any) -> None:
        self.show_status(f"Ticket #{record.number} was added.")
        self._keep = ([record.id], record.id)
        self.view.show_ticket(record.id)

    # -- triage ----------------------------------------------------------------------------
    def assign(self) -> None:
        ids = self.selected_ids()
        if not ids or not self.may("tickets.edit"):
            return
        options = [(m.name, m.id) for m in self.staff if m.active]
        options.append(("Nobody (unassign)", ""))
        chosen = self.choose(f"Assign {self._how_many(ids)} to", options)
        if chosen is None:
            return
        self._triage(service("ticket_queues.assign"), ids, chosen or None)

    def set_priority(self) -> None:
        ids = self.selected_ids()
        if not ids or not self.may("tickets.edit"):
            return
        chosen = self.choose(f"Priority of {self._how_many(ids)}",
                             [(f"&{PRIORITY_TEXT[p]}", p) for p in reversed(PRIORITIES)])
        if chosen:
            self._triage(service("ticket_queues.set_priority"), ids, chosen)

    def set_status(self) -> None:
        ids = self.selected_ids()
        if not ids or not self.may("tickets.edit"):
            return
        options = [(f"&{STATUS_TEXT[s]}" if s != "on_hold" else "On &hold", s)
                   for s in STATUSES if s != "new"]
        chosen = self.choose(f"Status of {self._how_many(ids)}", options)
        if chosen:
            self._triage(service("ticket_queues.set_status"), ids, chosen)

    @staticmethod
    def _how_many(ids: Sequence[str]) -> str:
        return "this ticket" if len(ids) == 1 else f"{len(ids)} tickets"

    def _triage(self, job: Callable[..., Any], ids: list[str], value: Any) -> None:
        self._keep = (list(ids), self.view.ticket_id)
        self.tasks.submit(job, self.vault, ids, value, writes={"tickets"},
                          on_done=self._triaged, on_error=self.show_error)

    def _triaged(self, outcome: Any) -> None:
        n = len(outcome.changed)
        said = ("No ticket was changed." if not n else
                f"Ticket #{outcome.changed[0]} was changed." if n == 1 else
                f"{n} tickets were changed.")
        self.show_status(said)
        if outcome.refused:
            self.show_error(UserError(" ".join(outcome.refused)))

    # -- mail --------------------------------------------------------------------------------
    def fetch(self, password: str | None = None) -> None:
        if not self.may("tickets.create") or (self.fetch_task is not None and
                                  not self.fetch_task.finished):
            return
        self.error.hide()
        self.show_status("Fetching the support mailbox…")
        self.fetch_button.setEnabled(False)
        self.fetch_task = self.tasks.submit(
            fetch_mail, self.vault, password or None,
            progress_title="Fetching the support mailbox", cancellable=True,
            writes={"tickets", "contacts"}, on_done=self._fetched,
            on_error=self._fetch_failed)

    def _fetched(self, report: Any) -> None:
        self.fetch_button.setEnabled(self.may("tickets.create"))
        self.fetch_task = None
        self.show_status(fetch_summary(report))

    def _fetch_failed(self, error: UserError) -> None:
        self.fetch_button.setEnabled(self.may("tickets.create"))
        self.fetch_task = None
        if getattr(error, "needs_password", False):
            password = self.ask_password(error.message)
            if password:
                self.fetch(password)
                return
        self.status_line.hide()
        self.show_error(error)

    # -- messages ----------------------------------------------------------------------------
    def show_status(self, text: str) -> None:
        self.error.hide()
        self.status_line.setText(text)
        self.status_line.setVisible(bool(text))

    def show_error(self, error: UserError) -> None:
        self.error.setText(error.message)
        self.error.show()

    def _choose(self, title: str, options: Sequence[tuple[str, Any]]) -> Any:
        """A small menu of choices under the current ticket; & marks a key to press."""
        menu = QMenu(self)
        menu.setObjectName("triageChooser")
        menu.setTitle(title)
        heading = menu.addAction(title)
        heading.setEnabled(False)
        menu.addSeparator()
        actions = {}
        for text, value in options:
            actions[menu.addAction(text)] = value
        rect: QRect = self.table.visualRect(self.table.currentIndex())
        spot = self.table.viewport().mapToGlobal(
            rect.bottomLeft() if rect.isValid() else QPoint(0, 0))
        picked = menu.exec(spot)
        return actions.get(picked) if picked is not None else None

    def _ask_password(self, why: str) -> str | None:
        text, ok = QInputDialog.getText(self, APP_NAME, why, QLineEdit.EchoMode.Password)
        return text if ok and text else None
