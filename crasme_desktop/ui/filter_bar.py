"""The filter bar above a list: tag, owner, company and creation period.

It edits the filter part of a `ListSpec` and says `changed` when the person changed
a filter (never when the page sets it). Company names are looked up as they are
typed, through a function the page passes in (it runs a service on the task runner).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from crasme_desktop.domain.list_spec import UNAVAILABLE_FILTERS, ListSpec

#: The earliest date a date box shows; it stands for "no limit".
_NO_DATE = QDate(1900, 1, 1)
_ANY = object()

#: `lookup(text, on_done)` finds companies whose name starts with `text` and calls
#: `on_done([(id, name), ...])`.
CompanyLookup = Callable[[str, Callable[[list[tuple[str, str]]], None]], None]


class FilterBar(QWidget):
    changed = Signal()

    def __init__(self, *, companies: CompanyLookup | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self._quiet = False
        self._lookup = companies

        self.tag = QComboBox()
        self.tag.setObjectName("tagFilter")
        self.tag.setToolTip("Show only records with this tag")
        self.tag.setMinimumContentsLength(10)
        self.owner = QComboBox()
        self.owner.setObjectName("ownerFilter")
        self.owner.setToolTip("Show only records of this owner")
        self.owner.setMinimumContentsLength(8)
        self.set_choices((), ())

        self.company: QComboBox | None = None
        if companies is not None:
            self.company = QComboBox()
            self.company.setObjectName("companyFilter")
            self.company.setEditable(True)
            self.company.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            self.company.setMinimumContentsLength(14)
            self.company.lineEdit().setPlaceholderText("Any company")
            self.company.setToolTip("Type the start of a company's name, then pick it")
            self.company.activated.connect(self._company_picked)
            self.company.lineEdit().textEdited.connect(self._company_typed)
            self._company_timer = QTimer(self)
            self._company_timer.setSingleShot(True)
            self._company_timer.setInterval(200)
            self._company_timer.timeout.connect(self._look_up_companies)
        self._company_id: str | None = None
        self._company_name = ""

        self.created_from = self._date_box("createdFrom", "Created from any date")
        self.created_to = self._date_box("createdTo", "Created until any date")
        self.open_ticket = QCheckBox("Open ticket")
        self.open_ticket.setEnabled(False)
        self.open_ticket.setToolTip(UNAVAILABLE_FILTERS["has_open_ticket"])
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setObjectName("clearFilters")
        self.clear_button.clicked.connect(self._clear_clicked)

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.tag)
        row.addWidget(self.owner)
        if self.company is not None:
            row.addWidget(self.company)
        row.addWidget(QLabel("Created"))
        row.addWidget(self.created_from)
        row.addWidget(QLabel("to"))
        row.addWidget(self.created_to)
        row.addWidget(self.open_ticket)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        self.tag.activated.connect(self._emit)
        self.owner.activated.connect(self._emit)
        self.created_from.dateChanged.connect(self._emit)
        self.created_to.dateChanged.connect(self._emit)

    def _date_box(self, name: str, empty: str) -> QDateEdit:
        box = QDateEdit()
        box.setObjectName(name)
        box.setCalendarPopup(True)
        box.setMinimumDate(_NO_DATE)
        box.setSpecialValueText("any date")
        box.setToolTip(empty)
        box.setDate(_NO_DATE)
        return box

    # -- what the page sets -------------------------------------------------------
    def set_choices(self, tags: tuple[str, ...], owners: tuple[str, ...]) -> None:
        """Fill the tag and owner lists, keeping what is chosen."""
        tag, owner = self._chosen(self.tag), self._chosen(self.owner)
        self._quiet = True
        try:
            self.tag.clear()
            self.tag.addItem("Any tag", _ANY)
            for name in tags:
                self.tag.addItem(name, name)
            self.owner.clear()
            self.owner.addItem("Anyone", _ANY)
            for name in owners:
                self.owner.addItem(name or "No owner", name)
            self._select(self.tag, tag)
            self._select(self.owner, owner)
        finally:
            self._quiet = False

    def set_spec(self, spec: ListSpec) -> None:
        """Show the filters of a spec (without emitting `changed`)."""
        self._quiet = True
        try:
            self._select(self.tag, spec.tags[0] if spec.tags else _ANY, add=True)
            self._select(self.owner, spec.owner if spec.owner is not None else _ANY, add=True)
            self._company_id = spec.organization_id
            self._company_name = spec.organization_name if spec.organization_id else ""
            if self.company is not None:
                self.company.clear()
                self.company.setEditText(self._company_name)
            self.created_from.setDate(self._qdate(spec.created_from))
            self.created_to.setDate(self._qdate(spec.created_to))
        finally:
            self._quiet = False

    def apply_to(self, spec: ListSpec) -> ListSpec:
        """The spec with this bar's filters (its sort order kept)."""
        tag = self.tag.currentData()
        owner = self.owner.currentData()
        return replace(
            spec,
            tags=(tag,) if isinstance(tag, str) else (),
            owner=owner if isinstance(owner, str) else None,
            organization_id=self._company_id,
            organization_name=self._company_name if self._company_id else "",
            created_from=self._date(self.created_from),
            created_to=self._date(self.created_to),
            has_open_ticket=None,
        )

    def clear_filters(self) -> None:
        self.set_spec(ListSpec())

    def focus(self) -> None:
        self.tag.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- helpers ------------------------------------------------------------------
    @staticmethod
    def _chosen(box: QComboBox) -> Any:
        data = box.currentData()
        return _ANY if data is None else data

    @staticmethod
    def _select(box: QComboBox, value: Any, add: bool = False) -> None:
        for i in range(box.count()):
            if box.itemData(i) is value or box.itemData(i) == value:
                box.setCurrentIndex(i)
                return
        if add and isinstance(value, str):
            box.addItem(value or "No owner", value)  # from a saved view; lists fill later
            box.setCurrentIndex(box.count() - 1)
        else:
            box.setCurrentIndex(0)

    @staticmethod
    def _qdate(value: date | None) -> QDate:
        return _NO_DATE if value is None else QDate(value.year, value.month, value.day)

    @staticmethod
    def _date(box: QDateEdit) -> date | None:
        value = box.date()
        if value == _NO_DATE:
            return None
        return date(value.year(), value.month(), value.day())

    def _emit(self, *_args: object) -> None:
        if not self._quiet:
            self.changed.emit()

    def _clear_clicked(self) -> None:
        self.clear_filters()
        self.changed.emit()

    # -- company look-up ----------------------------------------------------------
    def _company_typed(self, text: str) -> None:
        if not text.strip():
            self._company_timer.stop()
            if self._company_id is not None:
                self._company_id, self._company_name = None, ""
                self._emit()
            return
        self._company_timer.start()

    def _look_up_companies(self) -> None:
        if self.company is None or self._lookup is None:
            return
        text = self.company.currentText()
        self._lookup(text, lambda found, typed=text: self._show_companies(typed, found))

    def _show_companies(self, typed: str, found: list[tuple[str, str]]) -> None:
        if self.company is None or self.company.currentText() != typed:
            return  # typed on meanwhile: a newer look-up is coming
        self._quiet = True
        try:
            self.company.clear()
            for company_id, name in found:
                self.company.addItem(name, company_id)
            self.company.setEditText(typed)
        finally:
            self._quiet = False
        if found:
            self.company.showPopup()

    def _company_picked(self, index: int) -> None:
        if self.company is None or index < 0:
            return
        self._company_id = self.company.itemData(index)
        self._company_name = self.company.itemText(index)
        self._emit()
