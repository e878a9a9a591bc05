"""A table model over the ordered ids of a big list, and the table view that shows it.

The model holds the list's integer rowids (an `array('q')`, 8 bytes a record) and a
bounded cache of plain rows. A row that is painted but not cached asks for its
batch; batches are fetched on the task runner, and until one arrives its rows show
"Loading…". Rows of a refreshed list stay on screen, marked stale, until their new
values arrive, so a refresh never flashes. Nothing here touches the database.

Before the whole id list is known, `set_preview(rows)` shows the first rows alone
(they come straight from the index, in a few milliseconds); `set_ids` then extends
the list without disturbing them.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from crasme_desktop.ui import theme

_Index = QModelIndex | QPersistentModelIndex
#: What a fetcher gets: the rowids of one batch and where to hand the rows it read.
Fetcher = Callable[[list[int], Callable[[list[Any]], None]], None]
LOADING = "Loading…"
_GONE = object()  # a rowid whose record was deleted since the id list was read


@dataclass(frozen=True)
class ListColumn:
    title: str
    text: Callable[[Any], str]
    #: The `ListSpec.sort` this column's header sorts by (None: not sortable).
    sort: str | None = None
    #: Starting width in pixels (the person can drag it; no resize-to-contents on lists).
    width: int = 120


class RecordListModel(QAbstractTableModel):
    """Rows of a list read in batches as they are painted."""

    #: Rows of a batch arrived (first row, last row), e.g. to fill a waiting detail pane.
    rows_loaded = Signal(int, int)

    def __init__(
        self,
        columns: Sequence[ListColumn],
        fetch: Fetcher,
        *,
        batch: int = 100,
        max_cached: int = 6000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.batch = batch
        self.max_cached = max_cached
        self._fetch = fetch
        self._ids = array("q")
        self.complete = False  # True once the whole id list is in
        self._rows: OrderedDict[int, Any] = OrderedDict()
        self._stale: set[int] = set()
        self._loading: set[int] = set()
        self._wanted: set[int] = set()
        self._epoch = 0
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._flush)
        self.batches_requested = 0  # how many batch fetches were started (tests, bench)

    # -- filling ------------------------------------------------------------------
    def set_preview(self, rows: Sequence[Any]) -> None:
        """Show only these first rows until `set_ids` brings the whole list."""
        self.beginResetModel()
        self._new_epoch()
        self._rows.clear()
        self._stale.clear()
        self._ids = array("q", (r.rowid for r in rows))
        for row in rows:
            self._rows[row.rowid] = row
        self.complete = False
        self.endResetModel()

    def set_ids(self, ids: array) -> None:
        """Show the whole list. Rows already cached stay on screen (marked stale after a
        refresh) until their batch is read again."""
        n = len(self._ids)
        if not self.complete and n and len(ids) >= n and ids[:n] == self._ids:
            # The preview is the start of the list: add the rest below it.
            self.complete = True
            if len(ids) > n:
                self.beginInsertRows(QModelIndex(), n, len(ids) - 1)
                self._ids = ids
                self.endInsertRows()
            return
        was_preview = not self.complete
        self.beginResetModel()
        self._new_epoch()
        if not was_preview:
            self._stale = set(self._rows)
        self._ids = ids
        self.complete = True
        self.endResetModel()

    def clear(self) -> None:
        """Drop every id and row (on lock)."""
        self.beginResetModel()
        self._new_epoch()
        self._ids = array("q")
        self._rows.clear()
        self._stale.clear()
        self.complete = False
        self.endResetModel()

    def _new_epoch(self) -> None:
        self._epoch += 1
        self._loading.clear()
        self._wanted.clear()

    # -- lookups ------------------------------------------------------------------
    @property
    def ids(self) -> array:
        return self._ids

    def rowid_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def record_at(self, row: int) -> Any | None:
        """The cached row at this position (None while its batch is loading)."""
        rowid = self.rowid_at(row)
        if rowid is None:
            return None
        record = self._rows.get(rowid)
        return None if record is None or record is _GONE else record

    def row_of(self, rowid: int) -> int:
        """The position of a rowid in the list, or -1."""
        try:
            return self._ids.index(rowid)
        except ValueError:
            return -1

    @property
    def cached(self) -> int:
        return len(self._rows)

    # -- Qt -----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        if not 0 <= row < len(self._ids):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                        Qt.ItemDataRole.ForegroundRole):
            return None
        rowid = self._ids[row]
        record = self._rows.get(rowid)
        if record is None or rowid in self._stale:
            self._want(row // self.batch)
        if record is None:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(theme.QUIET)
            if role == Qt.ItemDataRole.DisplayRole:
                return LOADING if index.column() == 0 else ""
            return None
        if record is _GONE or role == Qt.ItemDataRole.ForegroundRole:
            return None
        return self.columns[index.column()].text(record)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section].title
        return None

    # -- batches ------------------------------------------------------------------
    def _want(self, batch: int) -> None:
        if batch in self._loading or batch in self._wanted:
            return
        self._wanted.add(batch)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _flush(self) -> None:
        wanted, self._wanted = sorted(self._wanted), set()
        for batch in wanted:
            start = batch * self.batch
            rowids = list(self._ids[start:start + self.batch])
            if not rowids:
                continue
            self._loading.add(batch)
            self.batches_requested += 1
            epoch = self._epoch
            self._fetch(rowids, lambda rows, b=batch, e=epoch, ids=rowids:
                        self._arrived(e, b, ids, rows))

    def _arrived(self, epoch: int, batch: int, rowids: list[int], rows: list[Any]) -> None:
        if epoch != self._epoch:
            return  # the list changed since: its positions mean other records now
        self._loading.discard(batch)
        for rowid in rowids:
            self._rows.pop(rowid, None)
            self._rows[rowid] = _GONE
            self._stale.discard(rowid)
        for row in rows:
            self._rows[row.rowid] = row
        while len(self._rows) > self.max_cached:
            old, _ = self._rows.popitem(last=False)
            self._stale.discard(old)
        first = batch * self.batch
        last = min(first + self.batch, len(self._ids)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0),
                                  self.index(last, len(self.columns) - 1))
            self.rows_loaded.emit(first, last)


class RecordTable(QTableView):
    """The list's table: whole rows, fixed heights, and the keys of a record list."""

    open_requested = Signal()
    delete_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        # Fixed row heights and no resize-to-contents: Qt then never measures rows.
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(30)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        model = self.model()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.currentIndex().isValid():
                self.open_requested.emit()
            event.accept()
            return
        if key == Qt.Key.Key_Delete:
            if self.currentIndex().isValid():
                self.delete_requested.emit()
            event.accept()
            return
        if key in (Qt.Key.Key_Home, Qt.Key.Key_End) and model is not None and \
                model.rowCount() and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            # Home/End go to the first/last record, not to the first/last column.
            row = 0 if key == Qt.Key.Key_Home else model.rowCount() - 1
            column = max(self.currentIndex().column(), 0)
            self.setCurrentIndex(model.index(row, column))
            event.accept()
            return
        super().keyPressEvent(event)


class KeyPagedModel(QAbstractTableModel):
    """Rows read page by page by key (a service page: `rows` and `next_after`, None at
    the end): `fetchMore` asks `load(next_after)` for the page after the last row, and
    `add_page` drops a page asked for before the last `reset` (a stale answer).
    Subclasses give the cells (`data`); the header is `titles`."""

    def __init__(self, parent: QWidget, titles: Sequence[str],
                 load: Callable[[Any], None]) -> None:
        super().__init__(parent)
        self.titles = tuple(titles)
        self._load = load
        self.rows: list[Any] = []
        self.next_after: Any = None
        self.complete = False
        self.loading = False
        self.generation = 0

    def reset(self) -> None:
        self.beginResetModel()
        self.generation += 1
        self.rows, self.next_after, self.complete, self.loading = [], None, False, False
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self.titles)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.titles[section]
        return None

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.complete and not self.loading \
            and bool(self.rows)

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._load(self.next_after)

    def add_page(self, generation: int, page: Any) -> bool:
        """Append `page` if it answers the current list; False when it came too late."""
        if generation != self.generation:
            return False
        self.loading = False
        if page.rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self.rows.extend(page.rows)
            self.endInsertRows()
        self.next_after = page.next_after
        self.complete = page.next_after is None
        return True
