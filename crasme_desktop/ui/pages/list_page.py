"""What the Contacts and Companies pages share: a big list beside a detail pane.

The list is a `RecordListModel` over the ordered rowids that `services.lists` reads
in SQL; rows are fetched in batches on the task runner as they are painted. Opening
the page (or changing a filter or the sort order) first asks for the first rows
alone, straight from the index, and paints them; the whole id list follows. A
refresh after a write keeps the rows on screen, the selection and the scroll
position. Filters and sort order live in a `ListSpec`, which saved views keep.

What the signed-in user's role does not allow is disabled with the reason as tool
tip (`apply_permissions`, on every attach): New and Import need the area's create,
Export needs export, deleting (the Delete key) needs the area's delete; opening a
record without the area's edit shows it read-only.

Dialogs that ask the person something (`confirm`, `ask_text`, `ask_export`,
`ask_save_path`) are attributes, so tests can answer them without a modal loop.
"""

from __future__ import annotations

import importlib
from array import array
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QLocale, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.list_spec import ListSpec
from crasme_desktop.ui.filter_bar import FilterBar
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.list_model import ListColumn, RecordListModel, RecordTable
from crasme_desktop.ui.pages.base import EmptyState, Page, gate_shortcuts, label
from crasme_desktop.ui.permission_gate import gate
from crasme_desktop.ui.tasks import TaskRunner

BATCH = 100
FORMAT_NAMES = {"csv": "CSV (spreadsheets)", "vcard": "vCard 4.0 (address books, phones)"}
FORMAT_FILTERS = {"csv": "CSV files (*.csv)", "vcard": "vCard files (*.vcf)"}
FORMAT_SUFFIX = {"csv": ".csv", "vcard": ".vcf"}


def lazy_class(module: str, name: str) -> Any:
    """A class from a UI module imported only when first needed (a page that is never
    opened never loads its dialogs)."""
    return getattr(importlib.import_module(module), name)


def count_text(n: int, nouns: tuple[str, str]) -> str:
    """"12,345 people" in the user's locale."""
    return f"{QLocale().toString(n)} {nouns[0] if n == 1 else nouns[1]}"


class ExportChoice(QDialog):
    """Asks what to export (the whole list or the selection) and in which format."""

    def __init__(self, whole: str, selected: str, has_selection: bool,
                 formats: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportChoice")
        self.setWindowTitle(f"Export – {APP_NAME}")
        self.whole = QRadioButton(f"The whole list ({whole})")
        self.selection = QRadioButton(f"The selection ({selected})")
        self.selection.setEnabled(has_selection)
        (self.selection if has_selection else self.whole).setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.whole)
        group.addButton(self.selection)
        self.format = QComboBox()
        for fmt in formats:
            self.format.addItem(FORMAT_NAMES[fmt], fmt)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(label("What do you want to export?", "description"))
        box.addWidget(self.whole)
        box.addWidget(self.selection)
        box.addSpacing(8)
        box.addWidget(QLabel("Format"))
        box.addWidget(self.format)
        box.addWidget(buttons)

    def choice(self) -> tuple[str, str]:
        return ("selection" if self.selection.isChecked() else "list",
                str(self.format.currentData()))


class ListPage(Page):
    """Base of the Contacts and Companies pages; subclasses set the class attributes."""

    kind = "person"  # as `services.lists` names it
    area = "contacts"  # the permission area (`contacts.create`, ...)
    view_page = "contacts"  # saved views are kept per page
    nouns = ("person", "people")
    all_label = "All people"
    new_label = "New person…"
    columns: tuple[ListColumn, ...] = ()
    detail_module = ""
    detail_class = ""
    editor_class = ""
    delete_service = ""
    delete_writes: frozenset[str] = frozenset()
    #: The question before a delete; `{name}` is the record's name.
    delete_question = ""
    export_service = ""
    export_formats: tuple[str, ...] = ("csv",)
    with_company_filter = False
    empty_title = ""
    empty_text = ""

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.spec = ListSpec()
        self._generation = 0
        self._pending_rowid: int | None = None
        self._restore: tuple[int | None, int, int] | None = None
        self.shown_id: str | None = None  # the record in the detail pane
        self.dialog: QDialog | None = None  # the last editor/import dialog opened
        self.views_by_id: dict[str, Any] = {}
        self.note = ""
        self.confirm: Callable[[str], bool] = self._confirm
        self.ask_text: Callable[[str, str, str], str | None] = self._ask_text
        self.ask_export: Callable[[int, int, tuple[str, ...]], tuple[str, str] | None] = (
            self._ask_export)
        self.ask_save_path: Callable[[str, str], str | None] = self._ask_save_path

        self.model = RecordListModel(self.columns, self._fetch_batch, batch=BATCH, parent=self)
        self.model.rows_loaded.connect(self._rows_loaded)
        self.table = RecordTable()
        self.table.setModel(self.model)
        self.table.open_requested.connect(self.open_current)
        self.table.delete_requested.connect(self.delete_current)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        header = self.table.horizontalHeader()
        header.sectionClicked.connect(self._header_clicked)
        for section, column in enumerate(self.columns):
            header.resizeSection(section, column.width)
        header.setStretchLastSection(True)
        self._show_sort()

        self.filter_bar = FilterBar(
            companies=self._look_up_companies if self.with_company_filter else None)
        self.filter_bar.changed.connect(self._filters_changed)
        self.count = label("", "hint", wrap=False)
        self.count.setObjectName("listCount")

        self.detail_placeholder = label("", "hint")
        self.detail_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail: Any = None
        self.detail = lazy_class(self.detail_module, self.detail_class)(self.tasks, None)
        self.detail.open_record.connect(self._open_record)
        self.detail.merge_requested.connect(self._merge_requested)
        self.detail.edit_requested.connect(self._open_editor)
        #: The detail pane's buttons the role decides on: (attribute, permission, tip).
        self._detail_gates = [
            (name, needed, getattr(self.detail, name).toolTip())
            for name, needed in (("edit_button", f"{self.area}.edit"),
                                 ("export_button", "export"), ("erase_button", "erase"))
            if getattr(self.detail, name, None) is not None]
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(40)  # coalesce a held arrow key
        self._detail_timer.timeout.connect(self._show_current)

        # The toolbar and the filters span the page above the list and the detail
        # pane, so the list can be narrowed without squeezing the filters.
        self.layout().insertWidget(3, self._build_toolbar())
        self.layout().insertWidget(4, self.filter_bar)
        self.listing = self._build_listing()
        self.empty = EmptyState(self.icon_name, self.empty_title, self.empty_text)
        self.stack.addWidget(self.listing)
        self.stack.addWidget(self.empty)
        self._clear_detail()

        self.shortcuts: dict[str, QShortcut] = {}
        for name, keys, slot in (("new", QKeySequence.StandardKey.New, self.new_record),
                                 ("find", QKeySequence.StandardKey.Find, self.filter_bar.focus)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            self.shortcuts[name] = shortcut

    # -- building -----------------------------------------------------------------
    def _build_toolbar(self) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 6)
        self.views = QComboBox()
        self.views.setObjectName("savedViews")
        self.views.setMinimumContentsLength(16)
        self.views.addItem(self.all_label, None)
        self.views.activated.connect(self._view_chosen)
        self.views_button = QToolButton()
        self.views_button.setText("Views")
        self.views_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.views_button)
        self.save_view_action = menu.addAction("Save view…", self.save_view)
        self.rename_view_action = menu.addAction("Rename…", self.rename_view)
        self.delete_view_action = menu.addAction("Delete", self.delete_view)
        self.views_button.setMenu(menu)
        self.new_button = QPushButton("New…")
        self.new_button.setToolTip(f"{self.new_label} (Ctrl+N)")
        self.new_button.setProperty("primary", True)
        self.new_button.clicked.connect(self.new_record)
        self.import_button = QPushButton("Import…")
        self.import_button.clicked.connect(self.open_import)
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self.export)
        row.addWidget(self.views)
        row.addWidget(self.views_button)
        row.addStretch(1)
        for button in (self.new_button, self.import_button, self.export_button):
            row.addWidget(button)
        self._update_view_actions()
        return bar

    def _build_listing(self) -> QWidget:
        left = QWidget()
        box = QVBoxLayout(left)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.table, 1)
        box.addWidget(self.count)
        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(8, 0, 0, 0)
        right.setMinimumWidth(420)  # the card and timeline need room to be read
        right_box.addWidget(self.detail_placeholder, 1)
        if self.detail is not None:
            right_box.addWidget(self.detail, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        return self.splitter

    # -- life cycle ---------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self.apply_permissions()
        self._load_choices()
        self._load_views()
        self.refresh()

    def apply_permissions(self) -> None:
        create = f"{self.area}.create"
        gate(self.new_button, self.vault, create, tip=f"{self.new_label} (Ctrl+N)")
        gate(self.import_button, self.vault, create)
        gate(self.export_button, self.vault, f"{self.area}.view", "export")
        gate_shortcuts([self.shortcuts["new"]], self.vault, create)
        empty_button = getattr(self.empty, "button", None)
        if empty_button is not None:
            gate(empty_button, self.vault, create, hide=True)
        for name, needed, tip in self._detail_gates:
            gate(getattr(self.detail, name), self.vault, needed, tip=tip)
        self._update_view_actions()

    def on_changed(self, areas: frozenset[str]) -> None:
        if self.concerned(areas):
            self._load_choices()
            self.refresh(keep_rows=True)

    def refresh(self, keep_rows: bool = False) -> None:
        """Read the list again: the first rows first (for a quick paint), then every id.
        With `keep_rows` (after a write) the rows on screen stay until replaced."""
        if self.vault is None:
            return
        self._generation += 1
        generation = self._generation
        if keep_rows and self.model.complete:
            self._load_ids(generation)
            return
        self.tasks.submit(
            service("lists.first_rows"), self.vault, self.kind, self.spec, BATCH,
            on_done=lambda rows: self._first_rows_arrived(generation, rows),
        )

    def clear(self) -> None:
        super().clear()
        self._generation += 1
        self._pending_rowid = None
        self.model.clear()
        self.count.clear()
        self.filter_bar.set_choices((), ())
        self.views.clear()
        self.views.addItem(self.all_label, None)
        self.views_by_id.clear()
        self._clear_detail()

    # -- loading ------------------------------------------------------------------
    def _first_rows_arrived(self, generation: int, rows: list[Any]) -> None:
        if generation != self._generation or self.vault is None:
            return
        self.model.set_preview(rows)
        self._show_stack(len(rows))
        if rows:
            self.count.setText(f"{count_text(len(rows), self.nouns)} and more…"
                               if len(rows) >= BATCH else count_text(len(rows), self.nouns))
            if self._pending_rowid is None:
                self._select_row(0, scroll=False)
        self._load_ids(generation)

    def _load_ids(self, generation: int) -> None:
        current = self.table.currentIndex().row()
        self._restore = (self.model.rowid_at(current), current,
                         self.table.verticalScrollBar().value())
        self.tasks.submit(
            service("lists.ordered_ids"), self.vault, self.kind, self.spec,
            on_done=lambda ids: self._ids_arrived(generation, ids),
        )

    def _ids_arrived(self, generation: int, ids: array) -> None:
        if generation != self._generation or self.vault is None:
            return
        was_complete = self.model.complete
        restore = self._restore
        self.model.set_ids(ids)
        n = len(ids)
        self.count.setText(count_text(n, self.nouns) if n or not self.spec.filtered
                           else f"No {self.nouns[1]} match these filters.")
        self._show_stack(n)
        if self._pending_rowid is not None:
            rowid, self._pending_rowid = self._pending_rowid, None
            row = self.model.row_of(rowid)
            if row >= 0:
                self._select_row(row)
                return
        if was_complete and restore is not None and n:
            # A refresh after a write: same record (or the row where it was), same scroll.
            rowid, row, scroll = restore
            found = self.model.row_of(rowid) if rowid is not None else -1
            if found >= 0 or row >= 0:
                self._select_row(found if found >= 0 else min(row, n - 1), scroll=False)
            self.table.verticalScrollBar().setValue(scroll)
        elif n and not self.table.currentIndex().isValid():
            self._select_row(0, scroll=False)
        elif not n:
            self._clear_detail()

    def _show_stack(self, n: int) -> None:
        empty = n == 0 and not self.spec.filtered
        self.stack.setCurrentWidget(self.empty if empty else self.listing)

    def _fetch_batch(self, rowids: list[int], deliver: Callable[[list[Any]], None]) -> None:
        if self.vault is not None:
            self.tasks.submit(service("lists.fetch_rows"), self.vault, self.kind, rowids,
                              on_done=deliver)

    def _load_choices(self) -> None:
        self.tasks.submit(service("lists.filter_choices"), self.vault, self.kind,
                          on_done=self._choices_arrived)

    def _choices_arrived(self, choices: Any) -> None:
        if self.vault is not None:
            self.filter_bar.set_choices(choices.tags, choices.owners)

    def _look_up_companies(self, text: str,
                           on_done: Callable[[list[tuple[str, str]]], None]) -> None:
        if self.vault is not None:
            self.tasks.submit(service("lists.find_companies"), self.vault, text,
                              on_done=lambda found: on_done([(c.id, c.name) for c in found]))

    # -- selection and the detail pane --------------------------------------------
    def _select_row(self, row: int, scroll: bool = True) -> None:
        index = self.model.index(row, 0)
        if not index.isValid():
            return
        self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        if scroll:
            self.table.scrollTo(index, RecordTable.ScrollHint.PositionAtCenter)

    def current_record(self) -> Any | None:
        return self.model.record_at(self.table.currentIndex().row())

    def _current_changed(self, *_args: object) -> None:
        self._detail_timer.start()

    def _rows_loaded(self, first: int, last: int) -> None:
        if first <= self.table.currentIndex().row() <= last:
            self._detail_timer.start()

    def _show_current(self) -> None:
        record = self.current_record()
        if record is None or self.vault is None or record.id == self.shown_id:
            return
        self._show_detail(record.id, self._record_name(record))

    def _show_detail(self, record_id: str, name: str = "") -> None:
        self.shown_id = record_id
        if self.detail is not None:
            self.detail_placeholder.hide()
            self.detail.show()
            self.detail.show_record(self.vault, record_id)
        else:
            self.detail_placeholder.setText(
                f"{name}\n\nThe full record will be shown here." if name else "")

    def _clear_detail(self) -> None:
        self.shown_id = None
        if self.detail is not None:
            self.detail.clear()
            self.detail.hide()
        self.detail_placeholder.show()
        self.detail_placeholder.setText(f"Select a {self.nouns[0]} to see the details.")

    def show_record(self, record_id: str) -> None:
        """Select the record in the list and show it; filters that hide it are cleared."""
        if self.vault is None:
            return
        self._show_detail(record_id)
        self.tasks.submit(service("lists.rowid_of"), self.vault, self.kind, record_id,
                          on_done=self._select_rowid)

    def _select_rowid(self, rowid: int | None) -> None:
        if rowid is None or self.vault is None:
            return
        if self.model.complete:
            row = self.model.row_of(rowid)
            if row >= 0:
                self._select_row(row)
                return
            if self.spec.filtered:
                self.spec = self.spec.without_filters()
                self.filter_bar.set_spec(self.spec)
                self.views.setCurrentIndex(0)
        self._pending_rowid = rowid
        self.refresh()

    def _open_record(self, kind: str, record_id: str) -> None:
        if kind == self.kind:
            self.show_record(record_id)
            return
        opener = getattr(self.window(), "open_record", None)
        if callable(opener):
            opener(kind, record_id)

    def _merge_requested(self, kind: str, keep_id: str, other_id: str) -> None:
        if not self.may(f"{self.area}.edit", f"{self.area}.delete"):
            return
        dialog = lazy_class("crasme_desktop.ui.merge_dialog", "MergeDialog")(
            self.tasks, self.vault, kind, keep_id, other_id, self)
        dialog.merged.connect(lambda _merge_id: self.show_record(dialog.keep_id))
        self._open_dialog(dialog)

    @staticmethod
    def _record_name(record: Any) -> str:
        return str(getattr(record, "display_name", None) or getattr(record, "name", ""))

    # -- actions ------------------------------------------------------------------
    def new_record(self) -> None:
        if self.may(f"{self.area}.create"):
            self._open_editor(None)

    def open_current(self) -> None:
        record = self.current_record()
        if record is not None:
            self._open_editor(record.id)

    def _open_editor(self, record_id: str | None) -> None:
        if self.vault is None:
            return
        editor = lazy_class("crasme_desktop.ui.record_editor", self.editor_class)(
            self.tasks, self.vault, record_id, self)
        # A saved record is selected in the list; "Open the existing person" from the
        # duplicate warning selects that one instead.
        editor.saved.connect(self.show_record)
        if hasattr(editor, "open_existing"):
            editor.open_existing.connect(self.show_record)
        self._open_dialog(editor)

    def open_import(self) -> None:
        if not self.may(f"{self.area}.create"):
            return
        self._open_dialog(
            lazy_class("crasme_desktop.ui.import_dialog", "ImportDialog")(
                self.tasks, self.vault, self)
        )

    def _open_dialog(self, dialog: QDialog) -> None:
        # Not deleted on close: a dialog may still wait for a task's result. The one
        # before is done with by now and goes when the next one opens.
        if self.dialog is not None and not self.dialog.isVisible():
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()

    def delete_current(self) -> None:
        record = self.current_record()
        if record is None or not self.may(f"{self.area}.delete"):
            return
        if self.confirm(self.delete_question.format(name=self._record_name(record))):
            self.tasks.submit(service(self.delete_service), self.vault, record.id,
                              writes=self.delete_writes)

    # -- sorting and filtering ----------------------------------------------------
    def _header_clicked(self, section: int) -> None:
        sort = self.columns[section].sort if 0 <= section < len(self.columns) else None
        if sort is not None:
            descending = not self.spec.descending if sort == self.spec.sort else False
            self.spec = replace(self.spec, sort=sort, descending=descending)
            self.refresh()
        self._show_sort()

    def _show_sort(self) -> None:
        for i, column in enumerate(self.columns):
            if column.sort == self.spec.sort:
                order = (Qt.SortOrder.DescendingOrder if self.spec.descending
                         else Qt.SortOrder.AscendingOrder)
                self.table.horizontalHeader().setSortIndicator(i, order)
                return

    def _filters_changed(self) -> None:
        self.spec = self.filter_bar.apply_to(self.spec)
        self.refresh()

    def set_spec(self, spec: ListSpec) -> None:
        """Show the list with these filters and sort order."""
        self.spec = spec
        self.filter_bar.set_spec(spec)
        self._show_sort()
        self.refresh()

    # -- saved views --------------------------------------------------------------
    def _load_views(self, select: str | None = None) -> None:
        self.tasks.submit(service("lists.list_views"), self.vault, self.view_page,
                          on_done=lambda views: self._views_arrived(views, select))

    def _views_arrived(self, views: list[Any], select: str | None) -> None:
        if self.vault is None:
            return
        current = select if select is not None else self.views.currentData()
        self.views.clear()
        self.views.addItem(self.all_label, None)
        self.views_by_id = {v.id: v for v in views}
        for view in views:
            self.views.addItem(view.name, view.id)
        found = self.views.findData(current) if current else 0
        self.views.setCurrentIndex(max(found, 0))
        self._update_view_actions()

    def _view_chosen(self, index: int) -> None:
        view = self.views_by_id.get(self.views.itemData(index))
        self.set_spec(view.spec if view is not None else ListSpec())
        self._update_view_actions()

    def _update_view_actions(self) -> None:
        """Saved views are shared by everyone using the vault: saving, renaming and
        deleting one needs the area's edit."""
        chosen = self.views.currentData() is not None
        edit = f"{self.area}.edit"
        gate(self.save_view_action, self.vault, edit)
        if gate(self.rename_view_action, self.vault, edit):
            self.rename_view_action.setEnabled(chosen)
        if gate(self.delete_view_action, self.vault, edit):
            self.delete_view_action.setEnabled(chosen)
        self.views_button.menu().setToolTipsVisible(True)

    def save_view(self) -> None:
        if not self.may(f"{self.area}.edit"):
            return
        view = self.views_by_id.get(self.views.currentData())
        name = self.ask_text("Save view", "Name of this view:", view.name if view else "")
        if name:
            self.tasks.submit(service("lists.save_view"), self.vault, self.view_page, name,
                              self.spec, writes={"views"},
                              on_done=lambda saved: self._load_views(saved.id))

    def rename_view(self) -> None:
        view = self.views_by_id.get(self.views.currentData())
        if view is None or not self.may(f"{self.area}.edit"):
            return
        name = self.ask_text("Rename view", "New name of this view:", view.name)
        if name and name != view.name:
            self.tasks.submit(service("lists.rename_view"), self.vault, view.id, name,
                              writes={"views"},
                              on_done=lambda saved: self._load_views(saved.id))

    def delete_view(self) -> None:
        view = self.views_by_id.get(self.views.currentData())
        if view is None or not self.may(f"{self.area}.edit"):
            return
        if self.confirm(f"Delete the view “{view.name}”? Only the saved filters go; "
                        f"no {self.nouns[0]} is deleted."):
            self.views.setCurrentIndex(0)
            self.tasks.submit(service("lists.delete_view"), self.vault, view.id,
                              writes={"views"}, on_done=lambda _none: self._load_views())

    # -- export -------------------------------------------------------------------
    def selected_rowids(self) -> array:
        """The rowids of the selected rows, in list order (cheap for any selection)."""
        ranges = sorted((r.top(), r.bottom()) for r in self.table.selectionModel().selection())
        out = array("q")
        last = -1
        for top, bottom in ranges:
            top = max(top, last + 1)
            if bottom >= top:
                out.extend(self.model.ids[top:bottom + 1])
                last = bottom
        return out

    def export(self) -> None:
        if not self.may("export") or not self.model.complete:
            return
        selected = self.selected_rowids()
        choice = self.ask_export(len(self.model.ids), len(selected), self.export_formats)
        if choice is None:
            return
        scope, fmt = choice
        what: Any = selected if scope == "selection" else self.spec
        total = len(selected) if scope == "selection" else len(self.model.ids)
        path = self.ask_save_path(f"{self.nouns[1]}{FORMAT_SUFFIX[fmt]}", fmt)
        if not path:
            return
        self.tasks.submit(
            service(self.export_service), self.vault, what, path, fmt,
            progress_title=f"Exporting {count_text(total, self.nouns)}…", cancellable=True,
            on_done=self._exported,
        )

    def _exported(self, outcome: Any) -> None:
        self.note = f"Exported {count_text(outcome.count, self.nouns)} to {outcome.path}."
        left_out = getattr(outcome, "left_out", 0)
        if left_out:
            self.note += (f" {count_text(left_out, self.nouns)} left out because their data "
                          "is restricted.")
        self.count.setText(f"{count_text(len(self.model.ids), self.nouns)}. {self.note}")

    # -- dialogs (replaced in tests) ----------------------------------------------
    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, APP_NAME, text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _ask_text(self, title: str, prompt: str, text: str) -> str | None:
        value, ok = QInputDialog.getText(self, title, prompt, text=text)
        return value if ok else None

    def _ask_export(self, whole: int, selected: int,
                    formats: tuple[str, ...]) -> tuple[str, str] | None:
        dialog = ExportChoice(count_text(whole, self.nouns), count_text(selected, self.nouns),
                              selected > 0, formats, self)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _ask_save_path(self, suggested: str, fmt: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(self, f"Export – {APP_NAME}", suggested,
                                                    FORMAT_FILTERS[fmt])
        return path or None
