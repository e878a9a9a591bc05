"""The import wizard: choose a file, match its columns, look at every row, import.

Steps: choose a CSV or vCard file → for CSV, the column mapping (guessed from the
file, a preset picker, one drop-down per column beside sample values) → a preview
of every row with what will happen to it and why, filterable by action, with the
counts → Import, with progress and Cancel → a summary. All reading and writing runs
in the task runner; this module names service calls and never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import Cancelled, UserError
from crasme_desktop.formats.csv_contacts import Column, preset_mapping
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import push_button

ChooseFile = Callable[[], Path | None]
WRITES = frozenset({"contacts", "organizations"})
PRESET_CHOICES = (("Recognised from the column names", "guessed"),
                  ("Google Contacts", "google"), ("Outlook", "outlook"))
ACTION_WORDS = {"create": "New", "merge": "Merge", "skip": "Skip"}
FILTERS = (("All rows", ""), ("New people", "create"), ("Merged into someone", "merge"),
           ("Skipped", "skip"))
_STOPPED = object()
_ROOT = QModelIndex()

_SCALARS = (("First name", "given_name"), ("Middle name", "middle_name"),
            ("Last name", "family_name"), ("Full name", "display_name"),
            ("Company", "organization"), ("Job title", "job_title"),
            ("Website", "website"), ("Notes", "notes"), ("Tags", "tags"),
            ("Birthday", "birthday"))
_ADDRESS_WORDS = {"street": "street", "postal_code": "postal code", "city": "city",
                  "region": "region", "country": "country", "type": "type",
                  "formatted": "whole address"}


def describe_column(column: Column | None) -> str:
    """A column's place in words: "Email 2", "Phone 1 type", "Address 1 city"."""
    if column is None:
        return "Leave out"
    for text, name in _SCALARS:
        if column.field == name:
            return text
    if column.field in ("email", "phone"):
        base = f"{column.field.capitalize()} {column.slot}"
        if column.part == "type":
            return f"{base} type"
        return f"{base} ({column.label})" if column.label else base
    if column.field == "address":
        part = _ADDRESS_WORDS.get(column.part, column.part)
        kind = f", {column.label}" if column.label else ""
        return f"Address {column.slot} {part}{kind}"
    return column.field.replace("_", " ").capitalize()


def standard_choices() -> list[Column | None]:
    """What a column can be set to in the mapping step, in the order shown."""
    out: list[Column | None] = [None]
    out += [Column(name) for _text, name in _SCALARS]
    for slot in (1, 2, 3):
        out += [Column("email", slot), Column("email", slot, "type")]
    for slot in (1, 2, 3, 4):
        out += [Column("phone", slot), Column("phone", slot, "type")]
    for slot in (1, 2):
        out += [Column("address", slot, part) for part in
                ("street", "postal_code", "city", "region", "country", "type")]
    return out


def _ask_file(parent: QWidget | None) -> ChooseFile:
    def choose() -> Path | None:
        name, _filter = QFileDialog.getOpenFileName(
            parent, "Import contacts", "", "Contact files (*.csv *.vcf *.vcard *.txt);;"
            "All files (*)")
        return Path(name) if name else None

    return choose


class PlanRowsModel(QAbstractTableModel):
    """The rows of an import plan (in memory), filtered by action."""

    HEADERS = ("Line", "Action", "Name", "Email", "Company", "What happens")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[Any, ...] = ()
        self._shown: list[int] = []
        self.action = ""

    def set_rows(self, rows: tuple[Any, ...]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._shown = self._filtered()
        self.endResetModel()

    def set_action(self, action: str) -> None:
        self.beginResetModel()
        self.action = action
        self._shown = self._filtered()
        self.endResetModel()

    def _filtered(self) -> list[int]:
        return [i for i, r in enumerate(self._rows) if not self.action or r.action == self.action]

    def row_at(self, row: int) -> Any:
        return self._rows[self._shown[row]]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            reason = " ".join([row.reason, *row.notes])
            return (str(row.line), ACTION_WORDS.get(row.action, row.action), row.name,
                    row.email, row.organization, reason)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 5:
            return "\n".join([row.reason, *row.notes])
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


class ImportDialog(QDialog):
    """Import people from a CSV or vCard file into `vault`, through `tasks`."""

    CHOOSE, MAPPING, PREVIEW, DONE = range(4)

    def __init__(self, tasks: TaskRunner, vault: Any, parent: QWidget | None = None, *,
                 choose_file: ChooseFile | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import contacts")
        self.setMinimumSize(760, 520)
        self.tasks = tasks
        self.vault = vault
        self.choose_file = choose_file or _ask_file(self)
        self.path: Path | None = None
        self.info: Any = None
        self.plan: Any = None
        self.outcome: Any = None
        self.choices: list[Column | None] = []
        self.combos: list[QComboBox] = []

        self.pages = QStackedWidget()
        self.pages.addWidget(self._choose_page())
        self.pages.addWidget(self._mapping_page())
        self.pages.addWidget(self._preview_page())
        self.pages.addWidget(self._done_page())
        self.error = label("", "error")
        self.error.setObjectName("importError")
        self.error.hide()
        self.back_button = self._button("&Back", "importBack", self._back)
        self.next_button = self._button("&Next", "importNext", self._next)
        self.import_button = self._button("&Import", "importCommit", self._commit)
        self.close_button = self._button("Close", "importClose", self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.import_button,
                       self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self._show_page(self.CHOOSE)

    # -- building ---------------------------------------------------------------------
    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        return push_button(text, name, slot, auto_default=False)

    def _choose_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(label("Import people from a file", "title"))
        layout.addWidget(label(
            "Choose a CSV file (for example exported from Google Contacts, Outlook or a "
            "spreadsheet) or a vCard file from a phone. You will see what happens to every "
            "row before anything is imported.", "description"))
        self.choose_button = self._button("&Choose a file…", "importChoose", self._choose)
        self.path_label = label("", "hint")
        self.path_label.setObjectName("importPath")
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addWidget(self.path_label, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _mapping_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(label("Match the columns", "title"))
        self.mapping_hint = label("", "description")
        layout.addWidget(self.mapping_hint)
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("importPreset")
        for text, _preset in PRESET_CHOICES:
            self.preset_combo.addItem(text)
        self.preset_combo.activated.connect(self._preset_chosen)
        preset_label = QLabel("&Read the columns as:")
        preset_label.setBuddy(self.preset_combo)
        row = QHBoxLayout()
        row.addWidget(preset_label)
        row.addWidget(self.preset_combo, 1)
        layout.addLayout(row)
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setObjectName("importMapping")
        self.mapping_table.setHorizontalHeaderLabels(["Column in the file", "Sample values",
                                                      "Import as"])
        self.mapping_table.verticalHeader().setVisible(False)
        header = self.mapping_table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.mapping_table, 1)
        return page

    def _preview_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(label("Check what will happen", "title"))
        self.counts_label = label("", "description")
        self.counts_label.setObjectName("importCounts")
        layout.addWidget(self.counts_label)
        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("importFilter")
        for text, _action in FILTERS:
            self.filter_combo.addItem(text)
        self.filter_combo.currentIndexChanged.connect(
            lambda i: self.rows_model.set_action(FILTERS[i][1]))
        filter_label = QLabel("&Show:")
        filter_label.setBuddy(self.filter_combo)
        row = QHBoxLayout()
        row.addWidget(filter_label)
        row.addWidget(self.filter_combo)
        row.addStretch(1)
        layout.addLayout(row)
        self.rows_model = PlanRowsModel(self)
        self.rows_view = QTableView()
        self.rows_view.setObjectName("importRows")
        self.rows_view.setModel(self.rows_model)
        self.rows_view.verticalHeader().setVisible(False)
        self.rows_view.verticalHeader().setDefaultSectionSize(24)
        self.rows_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.rows_view.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((50, 70, 170, 190, 150)):
            self.rows_view.setColumnWidth(column, width)
        layout.addWidget(self.rows_view, 1)
        return page

    def _done_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(label("Import finished", "title"))
        self.summary_label = label("", "description")
        self.summary_label.setObjectName("importSummary")
        layout.addWidget(self.summary_label)
        layout.addStretch(1)
        return page

    # -- moving between steps ---------------------------------------------------------
    def _show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.back_button.setVisible(page in (self.MAPPING, self.PREVIEW))
        self.next_button.setVisible(page == self.MAPPING)
        self.import_button.setVisible(page == self.PREVIEW)
        self.close_button.setText("Close" if page == self.DONE else "Cancel")
        focus = {self.CHOOSE: self.choose_button, self.MAPPING: self.mapping_table,
                 self.PREVIEW: self.rows_view, self.DONE: self.close_button}[page]
        default = {self.CHOOSE: self.choose_button, self.MAPPING: self.next_button,
                   self.PREVIEW: self.import_button, self.DONE: self.close_button}[page]
        for button in (self.choose_button, self.next_button, self.import_button,
                       self.close_button):
            button.setDefault(button is default)
        focus.setFocus()

    def _back(self) -> None:
        page = self.pages.currentIndex()
        if page == self.PREVIEW and self.info is not None and self.info.kind == "csv":
            self._show_page(self.MAPPING)
        else:
            self._show_page(self.CHOOSE)
        self._clear_error()

    def _busy(self, busy: bool) -> None:
        for button in (self.choose_button, self.back_button, self.next_button,
                       self.import_button):
            button.setEnabled(not busy)

    def _show_error(self, error: UserError) -> None:
        self._busy(False)
        self.error.setText(error.message)
        self.error.show()

    def _clear_error(self) -> None:
        self.error.clear()
        self.error.hide()

    # -- step 1: the file -------------------------------------------------------------
    def _choose(self) -> None:
        path = self.choose_file()
        if path is None:
            return
        self.path = Path(path)
        self.path_label.setText(str(self.path))
        self._clear_error()
        self._busy(True)
        self.tasks.submit(service("importing.inspect_file"), self.path,
                          on_done=self._inspected, on_error=self._show_error)

    def _inspected(self, info: Any) -> None:
        self._busy(False)
        self.info = info
        if info.kind != "csv":
            self._plan()
            return
        self.mapping_hint.setText(
            f"The file has {len(info.headers)} columns. Check where each one goes; "
            "columns left out are not imported.")
        preset = next((i for i, (_t, p) in enumerate(PRESET_CHOICES) if p == info.preset), 0)
        self.preset_combo.setCurrentIndex(preset)
        self._fill_mapping(info.mapping)
        self._show_page(self.MAPPING)

    # -- step 2: the columns ----------------------------------------------------------
    def _fill_mapping(self, mapping: dict[int, Column]) -> None:
        info = self.info
        self.choices = standard_choices()
        for column in mapping.values():
            if column not in self.choices:
                self.choices.append(column)
        table = self.mapping_table
        table.setRowCount(len(info.headers))
        self.combos = []
        for row, header in enumerate(info.headers):
            name = QTableWidgetItem(header or f"Column {row + 1}")
            name.setFlags(Qt.ItemFlag.ItemIsEnabled)
            samples = [r[row] for r in info.samples if row < len(r) and r[row].strip()]
            sample = QTableWidgetItem(" · ".join(" ".join(s.split())[:40] for s in samples[:3]))
            sample.setFlags(Qt.ItemFlag.ItemIsEnabled)
            table.setItem(row, 0, name)
            table.setItem(row, 1, sample)
            combo = QComboBox()
            combo.setObjectName(f"importColumn{row}")
            combo.addItems([describe_column(c) for c in self.choices])
            combo.setCurrentIndex(self.choices.index(mapping.get(row)))
            table.setCellWidget(row, 2, combo)
            self.combos.append(combo)
        table.resizeColumnToContents(0)
        table.setColumnWidth(2, 200)

    def _preset_chosen(self, index: int) -> None:
        if self.info is None:
            return
        self._fill_mapping(preset_mapping(self.info.headers, PRESET_CHOICES[index][1]))

    def mapping(self) -> dict[int, Column]:
        """The columns as now chosen (column index → place)."""
        out = {}
        for row, combo in enumerate(self.combos):
            column = self.choices[combo.currentIndex()]
            if column is not None:
                out[row] = column
        return out

    def _next(self) -> None:
        if not self.mapping():
            self._show_error(UserError("Choose where at least one column goes."))
            return
        self._clear_error()
        self._plan()

    # -- step 3: the preview ----------------------------------------------------------
    def _plan(self) -> None:
        assert self.path is not None  # nosec B101  # narrows a type the code above guarantees
        mapping = self.mapping() if self.info is not None and self.info.kind == "csv" else None
        self._busy(True)
        self.tasks.submit(_stoppable(service("importing.plan_import")), self.vault, self.path,
                          mapping=mapping, on_done=self._planned, on_error=self._show_error,
                          progress_title="Reading the file", cancellable=True)

    def _planned(self, plan: Any) -> None:
        self._busy(False)
        if plan is _STOPPED:
            return
        self.plan = plan
        self.rows_model.set_rows(plan.rows)
        self.filter_combo.setCurrentIndex(0)
        self.counts_label.setText(plan.summary())
        self.import_button.setEnabled(plan.people_created + plan.people_merged > 0)
        self._show_page(self.PREVIEW)

    # -- step 4: the import -----------------------------------------------------------
    def _commit(self) -> None:
        if self.plan is None:
            return
        self._clear_error()
        self._busy(True)
        self.tasks.submit(_stoppable(service("importing.commit_import")), self.vault,
                          self.plan, on_done=self._committed, on_error=self._show_error,
                          progress_title="Importing people", cancellable=True, writes=WRITES)

    def _committed(self, outcome: Any) -> None:
        self._busy(False)
        if outcome is _STOPPED:
            self.error.setText("The import was stopped; nothing was changed.")
            self.error.show()
            return
        self.outcome = outcome
        again = (" The vault had changed since the preview, so the file was checked again "
                 "first." if outcome.replanned else "")
        self.summary_label.setText(
            f"{outcome.people_created:,} new people added, {outcome.people_merged:,} people "
            f"already in the vault completed, {outcome.rows_skipped:,} rows skipped."
            + again)
        self._show_page(self.DONE)


def _stoppable(job: Callable[..., Any]) -> Callable[..., Any]:
    """The job, returning a marker instead of raising when the person cancels, so that
    the dialog can say that nothing was changed."""

    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return job(*args, **kwargs)
        except Cancelled:
            return _STOPPED

    return run
