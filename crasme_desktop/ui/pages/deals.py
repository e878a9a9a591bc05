"""The Deals page: the pipeline as a board, the deals as a list, and the forecast.

Board: one column per stage, cards with title, company (else person), value in the
person's locale and expected close date; the column's header says how many deals it
holds and their value and weighted value per currency. Drag a card to another column or
place to move it; with the keyboard, arrow keys go between cards and columns,
Ctrl+Left/Right moves the current card to the stage before or after, Enter opens it.
Moving a card to Lost asks why. "Pipelines and stages…" (Ctrl+Shift+P) opens the
dialog that adds pipelines and names, orders and weighs their stages. List: every deal
with filters (status, stage, owner, expected close), sorted by a column header, read
page by page by key as it scrolls.
Forecast: open deals by month of expected close, value and weighted value per currency,
as bars and as a table (Qt Charts is not part of PySide6-Essentials, so the bars are
painted here). All reading and writing runs on the task runner.
A role without deals.edit sees the board without drag and drop (no drag starts, no
drop is taken, Ctrl+Left/Right does nothing) and opens deals read-only; New deal needs
deals.create, Pipelines and stages deals.edit; disabled buttons say why on hover.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QDate,
    QLocale,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.report import BARS, MONTH, Chart, Series
from crasme_desktop.ui import theme
from crasme_desktop.ui.charts import ChartView
from crasme_desktop.ui.deal_editor import DealEditor, ask_reason
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.list_model import KeyPagedModel
from crasme_desktop.ui.pages.base import Page, gate_shortcuts, label
from crasme_desktop.ui.permission_gate import gate
from crasme_desktop.ui.pipeline_dialog import PipelineDialog
from crasme_desktop.ui.sales_common import date_text, from_qdate, money_text, to_qdate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import select_rows

MIME = "application/x-crasme-deal"
CARD_ROLE = Qt.ItemDataRole.UserRole + 1
CARD_HEIGHT = 94
COLUMN_WIDTH = 176
PAGE_ROWS = 100
_NO_DATE = QDate(1900, 1, 1)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_Index = QModelIndex | QPersistentModelIndex
STATUS_FILTERS = (("", "All deals"), ("open", "Open"), ("won", "Won"), ("lost", "Lost"))


# -- worker jobs -----------------------------------------------------------------------
def load_board(vault: Any, pipeline_id: str | None) -> Any:
    return service("deals.board")(vault, pipeline_id)


def load_page(vault: Any, values: dict[str, Any], sort: str, descending: bool,
              after: Any) -> Any:
    filt = service("deals.DealFilter")(**values)
    return service("deals.list_deals")(vault, filt, sort=sort, descending=descending,
                                       after=after, limit=PAGE_ROWS)


def load_forecast(vault: Any, start: date, months: int, pipeline_id: str) -> Any:
    return service("deals.forecast")(vault, start=start, months=months,
                                     pipeline_id=pipeline_id)


def totals_text(count: int, totals: Any) -> list[str]:
    """"3 deals" and per currency "Total €1,500.50" and "Weighted €350.25"."""
    head = f"{QLocale().toString(count)} {'deal' if count == 1 else 'deals'}"
    lines = [head]
    for t in totals:
        lines.append(f"Total {money_text(t.value, t.currency)}")
        lines.append(f"Weighted {money_text(t.weighted, t.currency)}")
    return lines


# -- the board ---------------------------------------------------------------------------
class CardDelegate(QStyledItemDelegate):
    """Paints a deal as a card: title, customer, value and close date."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(COLUMN_WIDTH - 20, CARD_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        card = index.data(CARD_ROLE)
        if card is None:
            super().paint(painter, option, index)
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(2, 3, -2, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        painter.setPen(QPen(QColor(theme.ACCENT if selected else "#dfe4ea"),
                            2 if selected and focused else 1))
        painter.setBrush(QColor("#eef5f9" if selected else "#ffffff"))
        painter.drawRoundedRect(rect, 8, 8)
        inner = rect.adjusted(10, 7, -10, -7)
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(theme.INK))
        line = painter.fontMetrics().height()
        title = painter.fontMetrics().elidedText(card.title, Qt.TextElideMode.ElideRight,
                                                 inner.width())
        painter.drawText(QRect(inner.left(), inner.top(), inner.width(), line),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        font.setBold(False)
        painter.setFont(font)
        painter.setPen(QColor(theme.MUTED))
        customer = painter.fontMetrics().elidedText(card.customer or "No customer",
                                                    Qt.TextElideMode.ElideRight, inner.width())
        painter.drawText(QRect(inner.left(), inner.top() + line + 2, inner.width(), line),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, customer)
        amount = QRect(inner.left(), inner.top() + 2 * (line + 2), inner.width(), line)
        painter.setPen(QColor(theme.INK))
        font.setBold(True)
        painter.setFont(font)
        money = money_text(card.value, card.currency)
        painter.drawText(amount, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         money)
        money_width = painter.fontMetrics().horizontalAdvance(money)
        font.setBold(False)
        painter.setFont(font)
        painter.setPen(QColor(theme.MUTED))
        percent = f"{card.probability} %"
        percent_width = painter.fontMetrics().horizontalAdvance(percent)
        bottom = QRect(inner.left(), inner.top() + 3 * (line + 2), inner.width(), line)
        # Won and lost cards count 100 % and 0 %, as their column says. An open card's
        # percent goes beside its amount when both fit (else the tooltip has it).
        if card.status == "open" and money_width + 8 + percent_width <= inner.width():
            painter.drawText(amount, _RIGHT, percent)
        overdue = card.status == "open" and card.expected_close < date.today()
        painter.setPen(QColor(theme.DANGER if overdue else theme.MUTED))
        if card.status != "open" and card.closed_on is not None:
            when = f"{card.status.capitalize()} {date_text(card.closed_on)}"
        else:
            when = f"Closes {date_text(card.expected_close)}"
        when = painter.fontMetrics().elidedText(when, Qt.TextElideMode.ElideRight,
                                                bottom.width())
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         when)
        painter.restore()


class StageList(QListWidget):
    """One column's cards. Drops carry the deal id; the page does the move."""

    def __init__(self, column: StageColumn) -> None:
        super().__init__()
        self.column = column
        self.setObjectName(f"stageList_{column.stage.name}")
        self.setItemDelegate(CardDelegate(self))
        # Moving a card is editing the deal: a role without deals.edit starts no drag.
        movable = column.board.page.may("deals.edit")
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop if movable
                             else QAbstractItemView.DragDropMode.NoDragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragEnabled(movable)
        self.setAcceptDrops(movable)
        self.setDropIndicatorShown(movable)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSpacing(1)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # See-through, so the column's tint shows (a stylesheet here would also restyle
        # the scroll bar).
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor(0, 0, 0, 0))
        self.setPalette(palette)
        self.viewport().setAutoFillBackground(False)
        self.itemActivated.connect(lambda item: column.board.open_card(self.card_of(item)))

    @staticmethod
    def card_of(item: QListWidgetItem | None) -> Any:
        return item.data(CARD_ROLE) if item is not None else None

    def current_card(self) -> Any:
        return self.card_of(self.currentItem())

    # -- drag and drop ---------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:
        data = QMimeData()
        if items:
            data.setData(MIME, QByteArray(self.card_of(items[0]).id.encode()))
        return data

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(MIME):
            super().dragMoveEvent(event)
            event.acceptProposedAction()
        else:
            event.ignore()

    def drop_row(self, y: int) -> int:
        """The row a card dropped at height `y` goes to (before the card under it,
        after it when dropped on its lower half)."""
        for row in range(self.count()):
            rect = self.visualItemRect(self.item(row))
            if y < rect.center().y():
                return row
        return self.count()

    def dropEvent(self, event: QDropEvent) -> None:
        data = event.mimeData()
        if not data.hasFormat(MIME):
            event.ignore()
            return
        deal_id = bytes(data.data(MIME).data()).decode()
        row = self.drop_row(int(event.position().y()))
        # The service counts among the column's *other* cards.
        here = next((r for r in range(self.count())
                     if self.card_of(self.item(r)).id == deal_id), -1)
        if 0 <= here < row:
            row -= 1
        # The board is read again after the move; Qt must not move or delete items.
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        self.column.board.move_card(deal_id, self.column.stage, row)

    # -- keys --------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if key == Qt.Key.Key_Left else 1
            if ctrl:
                card = self.current_card()
                if card is not None:
                    self.column.board.move_to_neighbour(card, self.column, step,
                                                        self.currentRow())
            else:
                self.column.board.focus_neighbour(self.column, step, self.currentRow())
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            card = self.current_card()
            if card is not None:
                self.column.board.open_card(card)
            event.accept()
            return
        super().keyPressEvent(event)


class StageColumn(QFrame):
    """A stage's header (name, count and sums) above its cards."""

    def __init__(self, board: BoardTab, column: Any) -> None:
        super().__init__()
        self.board = board
        self.stage = column.stage
        self.setObjectName(f"stageColumn_{column.stage.name}")
        self.setMinimumWidth(COLUMN_WIDTH)
        self.setMaximumWidth(COLUMN_WIDTH + 90)
        self.tint = QColor({"won": "#e9f4ec", "lost": "#f6eeed"}.get(column.stage.kind,
                                                                   "#eef1f5"))
        name = QLabel(column.stage.name)
        font = name.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        name.setFont(font)
        percent = label(f"{column.stage.probability} %", "hint", wrap=False)
        head = QHBoxLayout()
        head.addWidget(name, 1)
        head.addWidget(percent)
        self.totals = label("\n".join(totals_text(column.count, column.totals)), "hint")
        self.totals.setMinimumHeight(self.totals.fontMetrics().height()
                                     * (1 + 2 * max(1, len(column.totals))))
        self.totals.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.totals.setObjectName(f"stageTotals_{column.stage.name}")
        self.list = StageList(self)
        for card in column.cards:
            item = QListWidgetItem()
            item.setData(CARD_ROLE, card)
            item.setData(Qt.ItemDataRole.AccessibleTextRole,
                         f"{card.title}, {card.customer}, {money_text(card.value, card.currency)}"
                         f", {card.probability} %")
            item.setToolTip("\n".join(p for p in (card.title, card.customer,
                                                  f"Probability {card.probability} %",
                                                  card.next_step and f"Next: {card.next_step}",
                                                  card.owner and f"Owner: {card.owner}") if p))
            item.setSizeHint(QSize(COLUMN_WIDTH - 20, CARD_HEIGHT))
            self.list.addItem(item)
        box = QVBoxLayout(self)
        box.setContentsMargins(10, 10, 10, 8)
        box.setSpacing(4)
        box.addLayout(head)
        box.addWidget(self.totals)
        box.addWidget(self.list, 1)
        if column.more > 0:
            more = label(f"and {QLocale().toString(column.more)} more in the List tab",
                         "hint")
            box.addWidget(more)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.tint)
        painter.drawRoundedRect(self.rect(), 10, 10)

    def select_deal(self, deal_id: str) -> bool:
        for row in range(self.list.count()):
            if self.list.card_of(self.list.item(row)).id == deal_id:
                self.list.setCurrentRow(row)
                self.list.setFocus()
                return True
        return False


class BoardTab(QWidget):
    def __init__(self, page: DealsPage) -> None:
        super().__init__()
        self.page = page
        self.tasks = page.tasks
        self.data: Any = None
        self.columns: list[StageColumn] = []
        self._generation = 0
        self._focus_deal = ""
        self.area = QScrollArea()
        self.area.setObjectName("dealBoard")
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.inner = QWidget()
        self.row = QHBoxLayout(self.inner)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(10)
        self.area.setWidget(self.inner)
        self.hint = label("Drag a card to move it. Keyboard: arrows between cards, "
                          "Ctrl+Left/Right to move a card, Enter to open it.", "hint")
        self.hint.setObjectName("boardHint")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 10, 0, 0)
        box.addWidget(self.area, 1)
        box.addWidget(self.hint)

    def reload(self) -> None:
        vault = self.page.vault
        if vault is None:
            return
        self._generation += 1
        generation = self._generation
        current = self.current_card()
        if current is not None and not self._focus_deal:
            self._focus_deal = current.id
        self.tasks.submit(load_board, vault, self.page.pipeline_id() or None,
                          on_done=lambda b: self._arrived(generation, b),
                          on_error=self.page.show_error)

    def _arrived(self, generation: int, board: Any) -> None:
        if generation != self._generation or self.page.vault is None:
            return
        self.data = board
        self.page.set_pipelines(board.pipelines, board.pipeline.id)
        had_focus = self.isAncestorOf(self.focusWidget()) if self.focusWidget() else False
        for column in self.columns:
            column.setParent(None)
            column.deleteLater()
        self.columns = [StageColumn(self, c) for c in board.columns]
        while self.row.count():
            self.row.takeAt(0)
        for column in self.columns:
            self.row.addWidget(column, 1)
        self.row.addStretch(0)
        if self._focus_deal:
            for column in self.columns:
                if column.select_deal(self._focus_deal):
                    if not had_focus:
                        column.list.clearFocus()
                    break
            self._focus_deal = ""

    def current_card(self) -> Any:
        """The card of the column that has the keyboard focus, if any."""
        return next((c.list.current_card() for c in self.columns if c.list.hasFocus()), None)

    def column_of(self, stage_id: str) -> StageColumn | None:
        return next((c for c in self.columns if c.stage.id == stage_id), None)

    def clear(self) -> None:
        self._generation += 1
        self.data = None
        for column in self.columns:
            column.setParent(None)
            column.deleteLater()
        self.columns = []

    # -- acting --------------------------------------------------------------------------
    def open_card(self, card: Any) -> None:
        if card is not None:
            self.page.open_deal(card.id)

    def focus_neighbour(self, column: StageColumn, step: int, row: int) -> None:
        index = self.columns.index(column) + step
        if 0 <= index < len(self.columns):
            target = self.columns[index].list
            target.setFocus()
            if target.count():
                target.setCurrentRow(max(0, min(row, target.count() - 1)))
            self.area.ensureWidgetVisible(self.columns[index])

    def move_to_neighbour(self, card: Any, column: StageColumn, step: int, row: int) -> None:
        index = self.columns.index(column) + step
        if 0 <= index < len(self.columns):
            target = self.columns[index]
            self.move_card(card.id, target.stage, min(max(row, 0), target.list.count()))

    def apply_permissions(self) -> None:
        movable = self.page.may("deals.edit")
        self.hint.setText(
            "Drag a card to move it. Keyboard: arrows between cards, "
            "Ctrl+Left/Right to move a card, Enter to open it." if movable else
            self.tr("Keyboard: arrows between cards, Enter to open one. Your role does not "
                    "allow moving deals."))

    def move_card(self, deal_id: str, stage: Any, index: int) -> None:
        """Move a deal to `stage` at `index` (among its other cards): asks why for lost."""
        if not self.page.may("deals.edit"):
            return
        card = self._card(deal_id)
        reason = ""
        current = card.status if card is not None else "open"
        if stage.kind == "lost" and (card is None or self._stage_of(deal_id) != stage.id):
            answer = self.page.ask_reason(card.title if card else "this deal", "lost")
            if answer is None:
                return
            reason = answer
        elif stage.kind == "won" and current != "won":
            reason = ""
        self._focus_deal = deal_id
        self.tasks.submit(service("deals.move_deal"), self.page.vault, deal_id, stage.id,
                          index, reason=reason, writes={"deals"},
                          on_error=self.page.show_error)

    def _card(self, deal_id: str) -> Any:
        for column in self.columns:
            for row in range(column.list.count()):
                card = column.list.card_of(column.list.item(row))
                if card.id == deal_id:
                    return card
        return None

    def _stage_of(self, deal_id: str) -> str:
        for column in self.columns:
            for row in range(column.list.count()):
                if column.list.card_of(column.list.item(row)).id == deal_id:
                    return column.stage.id
        return ""


# -- the list ----------------------------------------------------------------------------
LIST_COLUMNS = (
    ("Title", "title", 220), ("Customer", None, 180), ("Stage", None, 110),
    ("Value", "value", 110), ("Probability", None, 80), ("Weighted", None, 110),
    ("Expected close", "expected_close", 110), ("Owner", None, 100), ("Next step", None, 200),
)


class DealListModel(KeyPagedModel):
    """Deals read page by page by key."""

    def __init__(self, tab: ListTab) -> None:
        super().__init__(tab, [c[0] for c in LIST_COLUMNS], lambda after: tab.load(after))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        r = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column in (3, 4, 5) else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if r.status == "open" and r.expected_close < date.today() and column == 6:
                return QColor(theme.DANGER)
            return QColor(theme.MUTED) if r.status == "lost" else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        status = "" if r.status == "open" else f" ({r.status})"
        return (r.title, r.customer, r.stage_name + status, money_text(r.value, r.currency),
                f"{r.probability} %", money_text(r.weighted, r.currency),
                date_text(r.expected_close), r.owner, r.next_step)[column]


def _date_box(name: str, tip: str) -> QDateEdit:
    box = QDateEdit()
    box.setObjectName(name)
    box.setCalendarPopup(True)
    box.setMinimumDate(_NO_DATE)
    box.setSpecialValueText("any date")
    box.setToolTip(tip)
    box.setDate(_NO_DATE)
    return box


class ListTab(QWidget):
    def __init__(self, page: DealsPage) -> None:
        super().__init__()
        self.page = page
        self.tasks = page.tasks
        self.sort, self.descending = "expected_close", False
        self.status = QComboBox()
        self.status.setObjectName("dealStatusFilter")
        for value, text in STATUS_FILTERS:
            self.status.addItem(text, value)
        self.status.activated.connect(lambda _i: self.reload())
        self.stage = QComboBox()
        self.stage.setObjectName("dealStageFilter")
        self.stage.addItem("Any stage", "")
        self.stage.activated.connect(lambda _i: self.reload())
        self.owner = QLineEdit()
        self.owner.setObjectName("dealOwnerFilter")
        self.owner.setPlaceholderText("Owner")
        self.owner.setClearButtonEnabled(True)
        self.owner.returnPressed.connect(self.reload)
        self.owner.textChanged.connect(lambda t: self.reload() if not t else None)
        self.close_from = _date_box("dealsFrom", "Expected to close on or after this day")
        self.close_to = _date_box("dealsTo", "Expected to close on or before this day")
        self.close_from.dateChanged.connect(lambda _d: self.reload())
        self.close_to.dateChanged.connect(lambda _d: self.reload())
        clear = QPushButton("Clear filters")
        clear.setObjectName("clearDealFilters")
        clear.clicked.connect(self.clear_filters)
        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(self.status)
        bar.addWidget(self.stage)
        bar.addWidget(self.owner)
        bar.addWidget(QLabel("Closing"))
        bar.addWidget(self.close_from)
        bar.addWidget(QLabel("to"))
        bar.addWidget(self.close_to)
        bar.addStretch(1)
        bar.addWidget(clear)
        self.model = DealListModel(self)
        self.table = QTableView()
        self.table.setObjectName("dealTable")
        self.table.setModel(self.model)
        select_rows(self.table)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        header.setStretchLastSection(True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(6, Qt.SortOrder.AscendingOrder)
        header.sectionClicked.connect(self._header_clicked)
        for section, (_title, _sort, width) in enumerate(LIST_COLUMNS):
            header.resizeSection(section, width)
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        self.table.activated.connect(lambda _i: self.open_current())
        self.count = label("", "hint")
        self.count.setObjectName("dealListCount")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 10, 0, 0)
        box.addLayout(bar)
        box.addWidget(self.table, 1)
        box.addWidget(self.count)

    def set_stages(self, stages: Any) -> None:
        chosen = self.stage.currentData()
        self.stage.blockSignals(True)
        self.stage.clear()
        self.stage.addItem("Any stage", "")
        for st in stages:
            self.stage.addItem(st.name, st.id)
        self.stage.setCurrentIndex(max(self.stage.findData(chosen), 0))
        self.stage.blockSignals(False)

    def filter_values(self) -> dict[str, Any]:
        def day(box: QDateEdit) -> date | None:
            return None if box.date() == _NO_DATE else from_qdate(box.date())

        return {"pipeline_id": self.page.pipeline_id(), "stage_id": self.stage.currentData() or "",
                "owner": self.owner.text().strip(), "status": self.status.currentData() or "",
                "close_from": day(self.close_from), "close_to": day(self.close_to)}

    def set_filter(self, *, status: str = "", close_from: date | None = None,
                   close_to: date | None = None) -> None:
        for widget in (self.close_from, self.close_to):
            widget.blockSignals(True)
        self.status.setCurrentIndex(max(self.status.findData(status), 0))
        self.stage.setCurrentIndex(0)
        self.owner.blockSignals(True)
        self.owner.clear()
        self.owner.blockSignals(False)
        self.close_from.setDate(to_qdate(close_from) if close_from else _NO_DATE)
        self.close_to.setDate(to_qdate(close_to) if close_to else _NO_DATE)
        for widget in (self.close_from, self.close_to):
            widget.blockSignals(False)
        self.reload()

    def clear_filters(self) -> None:
        self.set_filter()

    def _header_clicked(self, section: int) -> None:
        sort = LIST_COLUMNS[section][1]
        if sort is None:
            current = next(i for i, c in enumerate(LIST_COLUMNS) if c[1] == self.sort)
            self.table.horizontalHeader().setSortIndicator(
                current, Qt.SortOrder.DescendingOrder if self.descending
                else Qt.SortOrder.AscendingOrder)
            return
        self.descending = not self.descending if sort == self.sort else False
        self.sort = sort
        self.table.horizontalHeader().setSortIndicator(
            section, Qt.SortOrder.DescendingOrder if self.descending
            else Qt.SortOrder.AscendingOrder)
        self.reload()

    def reload(self) -> None:
        if self.page.vault is None:
            return
        self.model.reset()
        self.load(None)

    def load(self, after: Any) -> None:
        vault = self.page.vault
        if vault is None:
            return
        self.model.loading = True
        generation = self.model.generation
        self.tasks.submit(load_page, vault, self.filter_values(), self.sort, self.descending,
                          after, on_done=lambda page: self._arrived(generation, page),
                          on_error=self.page.show_error)

    def _arrived(self, generation: int, page: Any) -> None:
        self.model.add_page(generation, page)
        n = len(self.model.rows)
        more = "" if self.model.complete else " so far; scroll for more"
        self.count.setText(f"{QLocale().toString(n)} {'deal' if n == 1 else 'deals'}{more}"
                           if n else "No deals match these filters.")

    def current_row(self) -> Any:
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def open_current(self) -> None:
        row = self.current_row()
        if row is not None:
            self.page.open_deal(row.id)

    def clear(self) -> None:
        self.model.reset()
        self.count.clear()


# -- the forecast ------------------------------------------------------------------------
class ForecastBars(ChartView):
    """Value (light) and weighted value (dark) per month for one currency."""

    def __init__(self) -> None:
        super().__init__("forecastBars")
        self.empty_text = "No open deals are expected to close in these months."

    def show_data(self, months: tuple[date, ...], currency: str,
                  values: dict[date, tuple[Decimal, Decimal]]) -> None:
        if not months:
            self.set_chart(None)
            return
        pairs = [values.get(m, (Decimal(0), Decimal(0))) for m in months]
        self.set_chart(Chart(BARS, months, MONTH, (
            Series("Value", tuple(p[0] for p in pairs)),
            Series("Weighted", tuple(p[1] for p in pairs))), currency, currency),
            colors=("#b9d3e0", theme.ACCENT))


class ForecastTab(QWidget):
    def __init__(self, page: DealsPage) -> None:
        super().__init__()
        self.page = page
        self.tasks = page.tasks
        self.result: Any = None
        self.months = QSpinBox()
        self.months.setObjectName("forecastMonths")
        self.months.setRange(1, 24)
        self.months.setValue(6)
        self.months.setSuffix(" months")
        self.months.valueChanged.connect(lambda _v: self.reload())
        self.currency = QComboBox()
        self.currency.setObjectName("forecastCurrency")
        self.currency.currentIndexChanged.connect(lambda _i: self._draw())
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Open deals by expected close, next"))
        bar.addWidget(self.months)
        bar.addWidget(QLabel("Chart in"))
        bar.addWidget(self.currency)
        bar.addStretch(1)
        self.bars = ForecastBars()
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("forecastTable")
        self.table.setHorizontalHeaderLabels(["Month", "Currency", "Deals", "Value",
                                              "Weighted", "Won"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        self.overdue = label("", "hint")
        self.overdue.setObjectName("forecastOverdue")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 10, 0, 0)
        box.addLayout(bar)
        box.addWidget(self.bars)
        box.addWidget(self.table, 1)
        box.addWidget(self.overdue)

    def reload(self) -> None:
        if self.page.vault is None:
            return
        self.tasks.submit(load_forecast, self.page.vault, date.today(), self.months.value(),
                          self.page.pipeline_id(), on_done=self._show,
                          on_error=self.page.show_error)

    def _show(self, result: Any) -> None:
        if self.page.vault is None:
            return
        self.result = result
        chosen = self.currency.currentText()
        self.currency.blockSignals(True)
        self.currency.clear()
        self.currency.addItems(list(result.currencies))
        self.currency.setCurrentIndex(max(self.currency.findText(chosen), 0))
        self.currency.blockSignals(False)
        self.table.setRowCount(len(result.rows))
        locale = QLocale()
        for n, r in enumerate(result.rows):
            month = locale.toString(QDate(r.month.year, r.month.month, 1), "MMMM yyyy")
            cells = (month, r.currency, locale.toString(r.count), money_text(r.value, r.currency),
                     money_text(r.weighted, r.currency), money_text(r.won, r.currency))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(_RIGHT)
                self.table.setItem(n, c, item)
        self.table.resizeColumnsToContents()
        self.overdue.setText(
            "Past their expected close and still open: " + "; ".join(
                f"{t.count} {'deal' if t.count == 1 else 'deals'}, "
                f"{money_text(t.value, t.currency)}" for t in result.overdue)
            if result.overdue else "")
        self._draw()

    def _draw(self) -> None:
        if self.result is None:
            return
        currency = self.currency.currentText()
        values = {r.month: (r.value, r.weighted) for r in self.result.rows
                  if r.currency == currency}
        self.bars.show_data(self.result.months, currency, values)

    def clear(self) -> None:
        self.result = None
        self.table.setRowCount(0)
        self.overdue.clear()
        self.bars.show_data((), "", {})


# -- the page ------------------------------------------------------------------------------
class DealsPage(Page):
    key = "deals"
    title = "Deals"
    description = "Follow each opportunity from first call to signed order."
    icon_name = "deals"
    areas = frozenset({"deals", "contacts", "organizations", "sales"})
    #: (kind, record id): the main window shows that record ("quote" in Sales).
    record_requested = Signal(str, str)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.editor: DealEditor | None = None
        self.pipeline_dialog: PipelineDialog | None = None
        self.ask_reason = lambda title, kind: ask_reason(self, title, kind)
        self.confirm = self._confirm
        self._pipelines: tuple[Any, ...] = ()

        self.pipeline = QComboBox()
        self.pipeline.setObjectName("dealPipelineChoice")
        self.pipeline.setMinimumWidth(160)
        self.pipeline.activated.connect(lambda _i: self.refresh())
        self.error = label("", "error")
        self.error.setObjectName("dealsError")
        self.error.hide()
        self.new_button = QPushButton("New deal…")
        self.new_button.setObjectName("newDeal")
        self.new_button.setProperty("primary", True)
        self.new_button.setToolTip("Add a deal (Ctrl+N)")
        self.new_button.clicked.connect(lambda: self.new_deal())
        self.stages_button = QPushButton("Pipelines and stages…")
        self.stages_button.setObjectName("editPipelines")
        self.stages_button.setAccessibleName("Pipelines and stages")
        self.stages_button.setToolTip("Add pipelines, name and order their stages, set "
                                      "their probabilities (Ctrl+Shift+P)")
        self.stages_button.clicked.connect(lambda: self.open_pipelines())
        toolbar = QWidget()
        row = QHBoxLayout(toolbar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Pipeline"))
        row.addWidget(self.pipeline)
        row.addSpacing(12)
        row.addWidget(self.error, 1)
        row.addStretch(1)
        row.addWidget(self.stages_button)
        row.addWidget(self.new_button)
        self.layout().insertWidget(3, toolbar)

        self.board = BoardTab(self)
        self.list = ListTab(self)
        self.forecast = ForecastTab(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("dealTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.board, "Board")
        self.tabs.addTab(self.list, "List")
        self.tabs.addTab(self.forecast, "Forecast")
        self.tabs.currentChanged.connect(lambda _i: self._reload_tab())
        self.stack.addWidget(self.tabs)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.New), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda: self.new_deal())
        stages_key = QShortcut(QKeySequence("Ctrl+Shift+P"), self)
        stages_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        stages_key.activated.connect(lambda: self.open_pipelines())
        self.new_shortcut, self.stages_shortcut = shortcut, stages_key

    # -- life cycle ----------------------------------------------------------------------
    def apply_permissions(self) -> None:
        gate(self.new_button, self.vault, "deals.create", tip="Add a deal (Ctrl+N)")
        gate(self.stages_button, self.vault, "deals.edit",
             tip="Add pipelines, name and order their stages, set their probabilities "
                 "(Ctrl+Shift+P)")
        gate_shortcuts([self.new_shortcut], self.vault, "deals.create")
        gate_shortcuts([self.stages_shortcut], self.vault, "deals.edit")
        self.board.apply_permissions()

    def refresh(self) -> None:
        if self.vault is None:
            return
        self.error.hide()
        self.board.reload()
        if self.tabs.currentWidget() is not self.board:
            self._reload_tab()

    def _reload_tab(self) -> None:
        tab = self.tabs.currentWidget()
        if tab is not self.board and self.vault is not None:
            tab.reload()

    def clear(self) -> None:
        super().clear()
        self.board.clear()
        self.list.clear()
        self.forecast.clear()
        self.pipeline.clear()
        self._pipelines = ()
        if self.editor is not None:
            self.editor.reject()
            self.editor = None
        if self.pipeline_dialog is not None:
            self.pipeline_dialog.vault = None  # nothing is saved once the vault is locked
            self.pipeline_dialog.reject()
            self.pipeline_dialog = None

    def pipeline_id(self) -> str:
        return self.pipeline.currentData() or ""

    def set_pipelines(self, pipelines: Any, chosen: str) -> None:
        self._pipelines = tuple(pipelines)
        self.pipeline.blockSignals(True)
        self.pipeline.clear()
        for p in pipelines:
            self.pipeline.addItem(p.name, p.id)
        self.pipeline.setCurrentIndex(max(self.pipeline.findData(chosen), 0))
        self.pipeline.blockSignals(False)
        current = next((p for p in pipelines if p.id == chosen), None)
        if current is not None:
            self.list.set_stages(current.stages)

    # -- opening ---------------------------------------------------------------------------
    def new_deal(self, stage_id: str = "") -> DealEditor | None:
        if not self.may("deals.create"):
            return None
        return self._open_editor(None, stage_id)

    def open_deal(self, deal_id: str) -> DealEditor | None:
        return self._open_editor(deal_id)

    def show_deal(self, deal_id: str) -> None:
        """Show a deal found elsewhere (the global search)."""
        self.open_deal(deal_id)

    def open_filtered(self, filter_name: str) -> None:
        """A list asked for by name (the dashboard's tiles): "closing_this_month"."""
        if filter_name == "closing_this_month":
            self.show_closing_this_month()

    def show_closing_this_month(self, _record_id: str = "") -> None:
        """The list behind the dashboard's "Pipeline this month" tile."""
        today = date.today()
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        self.tabs.setCurrentWidget(self.list)
        self.list.set_filter(status="open", close_from=start, close_to=end)

    def open_pipelines(self) -> PipelineDialog | None:
        """The dialog that adds pipelines and names, orders and deletes their stages."""
        if not self.may("deals.edit"):
            return None
        if self.pipeline_dialog is not None:
            self.pipeline_dialog.deleteLater()
        dialog = PipelineDialog(self.tasks, self.vault, self, pipeline_id=self.pipeline_id())
        self.pipeline_dialog = dialog
        dialog.open()
        return dialog

    def _open_editor(self, deal_id: str | None, stage_id: str = "") -> DealEditor | None:
        if self.vault is None:
            return None
        if self.editor is not None:
            self.editor.deleteLater()
        editor = DealEditor(self.tasks, self.vault, deal_id, self,
                            pipeline_id=self.pipeline_id(), stage_id=stage_id)
        editor.quote_requested.connect(self.make_quote)
        editor.closing_requested.connect(self.close_deal)
        editor.delete_requested.connect(self.delete_deal)
        self.editor = editor
        editor.open()
        return editor

    # -- acting ----------------------------------------------------------------------------
    def close_deal(self, deal_id: str, kind: str) -> None:
        """Won or lost, with the reason asked first (required for lost)."""
        if not self.may("deals.edit"):
            return
        title = ""
        card = self.board._card(deal_id)
        if card is not None:
            title = card.title
        reason = self.ask_reason(title or "this deal", kind)
        if reason is None:
            return
        job = "deals.mark_won" if kind == "won" else "deals.mark_lost"
        if kind == "won":
            self.tasks.submit(service(job), self.vault, deal_id, reason=reason,
                              writes={"deals"}, on_error=self.show_error)
        else:
            self.tasks.submit(service(job), self.vault, deal_id, reason, writes={"deals"},
                              on_error=self.show_error)

    def make_quote(self, deal_id: str) -> None:
        if not self.may("quotes.create") or not deal_id:
            return
        if self.editor is not None:
            self.editor.accept()
        self.tasks.submit(service("deals.quote_from_deal"), self.vault, deal_id,
                          writes={"sales", "deals"},
                          on_done=lambda quote: self.record_requested.emit("quote", quote.id),
                          on_error=self.show_error)

    def delete_deal(self, deal_id: str) -> None:
        if not deal_id or not self.may("deals.delete"):
            return
        if not self.confirm("Delete this deal? Quotes made from it stay in Sales."):
            return
        if self.editor is not None:
            self.editor.accept()
        self.tasks.submit(service("deals.delete_deal"), self.vault, deal_id,
                          writes={"deals"}, on_error=self.show_error)

    def show_error(self, error: UserError) -> None:
        self.error.setText(error.message)
        self.error.show()

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, APP_NAME, text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes
