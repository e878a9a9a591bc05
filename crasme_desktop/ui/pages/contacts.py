"""The Contacts page: the people in the vault, in name order.

For now it shows the first `LIMIT` people from `services.contacts.list_people` in a
small table model; the contacts issue replaces it with a model over ordered ids that
fetches rows as they scroll into view.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import EmptyState, Page, label
from crasme_desktop.ui.tasks import TaskRunner

LIMIT = 200
_Index = QModelIndex | QPersistentModelIndex


class PeopleListModel(QAbstractTableModel):
    """A fixed list of `PersonRow`s (plain dataclasses, never ORM objects)."""

    COLUMNS = (
        ("Name", "display_name"),
        ("Company", "organization"),
        ("Email", "email"),
        ("Phone", "phone"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return getattr(self._rows[index.row()], self.COLUMNS[index.column()][1]) or ""
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section][0]
        return None


class ContactsPage(Page):
    key = "contacts"
    title = "Contacts"
    description = "The people you work with, and the companies they belong to."
    icon_name = "contacts"
    areas = frozenset({"contacts", "organizations"})

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.model = PeopleListModel(self)
        self.table = QTableView()
        self.table.setObjectName("peopleTable")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # Fixed row heights and stretched columns: no resize-to-contents on lists.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(32)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        self.count = label("", "hint")

        listing = QWidget()
        box = QVBoxLayout(listing)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.table, 1)
        box.addWidget(self.count)
        self.listing = listing
        self.empty = EmptyState(
            "contacts",
            "No people yet",
            "People you add or import will be listed here with their company, email "
            "and phone. You can also start with sample data from the Dashboard.",
        )
        self.stack.addWidget(listing)
        self.stack.addWidget(self.empty)

    def refresh(self) -> None:
        if self.vault is None:
            return
        self.tasks.submit(
            service("contacts.list_people"), self.vault, limit=LIMIT, on_done=self._show
        )

    def _show(self, rows: list[Any]) -> None:
        if self.vault is None:
            return
        self.model.set_rows(rows)
        if len(rows) >= LIMIT:
            self.count.setText(f"Showing the first {LIMIT} people in name order.")
        else:
            self.count.setText(f"{len(rows)} {'person' if len(rows) == 1 else 'people'}.")
        self.stack.setCurrentWidget(self.listing if rows else self.empty)

    def clear(self) -> None:
        super().clear()
        self.model.clear()
        self.count.clear()
