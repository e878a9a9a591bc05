"""Forms to add or change a person or a company.

Checking is the domain's (`clean_person`, `clean_organization`): when it finds
problems, each sentence appears under the field it is about. Before a new person is
saved, the duplicates service is asked whether they are already in the vault; if so
the form says who and why, and the person chooses to save anyway or open the one
that exists. Everything that reads or writes runs in the task runner.

Ctrl+S (or Enter in a one-line field) saves; Esc cancels, asking first when
something was changed.

A role that may view but not edit people (or companies) gets the same form titled
"View person", its fields read-only, no Save and the reason under the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.validation import (
    ADDRESS_KINDS,
    EMAIL_KINDS,
    PHONE_KINDS,
    InvalidRecord,
    Problem,
)
from crasme_desktop.domain.validation_records import (
    AddressDraft,
    EmailDraft,
    OrganizationDraft,
    PersonDraft,
    PhoneDraft,
)
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.permission_gate import denial
from crasme_desktop.ui.read_only import make_read_only
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import FieldError, LatestLoader, country_name, line_edit, link_button

#: Asked before unsaved changes are thrown away; True means "discard them".
ConfirmDiscard = Callable[[QWidget], bool]
_WARNING_STYLE = (
    "QFrame#duplicateWarning { background: #fff7e6; border: 1px solid #f0d49b;"
    " border-radius: 8px; }"
    " QFrame#duplicateWarning QLabel { color: #5c4100; background: transparent; }"
)


def ask_discard(parent: QWidget) -> bool:
    answer = QMessageBox.question(
        parent, "Discard changes?",
        "You have changes that are not saved. Close the form and lose them?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


def check_new_person(vault: Any, draft: PersonDraft, organization_name: str = "") -> list[Any]:
    """Runs on a worker: raises `InvalidRecord` when the draft cannot be saved, else
    returns the people it may duplicate."""
    from crasme_desktop.domain.validation_records import clean_person

    clean = clean_person(draft, region=service("contacts.office_region")(vault))
    return list(service("duplicates.find_person_matches")(
        vault, clean, organization_name=organization_name
    ))


def load_person_for_edit(vault: Any, person_id: str) -> tuple[Any, list[str]]:
    """Runs on a worker: the person, and their phones as people write them (the
    international form, which reads back the same wherever the office is)."""
    from crasme_desktop.ui.person_detail import format_phones

    record = service("contacts.get_person")(vault, person_id)
    return record, [p.international for p in format_phones(record.phones, "")]


def _caption(text: str) -> QLabel:
    out = QLabel(text)
    out.setStyleSheet("font-weight: 600;")
    return out




def _combo(name: str, items: tuple[str, ...]) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for item in items:
        combo.addItem(item.capitalize(), item)
    return combo


def _countries() -> list[tuple[str, str]]:
    import phonenumbers

    names = [(country_name(code), code) for code in phonenumbers.SUPPORTED_REGIONS
             if len(code) == 2 and code.isalpha()]
    return sorted(names, key=lambda pair: pair[0].casefold())


# -- rows of repeated fields -----------------------------------------------------------
class _Row(QFrame):
    """A row that can be removed, with its own error line."""

    def __init__(self, on_remove: Callable[[_Row], None]) -> None:
        super().__init__()
        self.error = FieldError("rowError")
        self.remove_button = link_button("Remove", "removeRow")
        self.remove_button.clicked.connect(lambda: on_remove(self))


class ContactRow(_Row):
    """An email address or a phone number, its kind and whether it is the primary one."""

    def __init__(self, kinds: tuple[str, ...], placeholder: str, group: QButtonGroup,
                 on_remove: Callable[[_Row], None], on_change: Callable[[], None]) -> None:
        super().__init__(on_remove)
        self.value = line_edit("rowValue", placeholder)
        self.kind = _combo("rowKind", kinds)
        self.primary = QRadioButton("Primary")
        self.primary.setObjectName("rowPrimary")
        group.addButton(self.primary)
        line = QHBoxLayout()
        line.setSpacing(8)
        line.addWidget(self.value, 1)
        line.addWidget(self.kind)
        line.addWidget(self.primary)
        line.addWidget(self.remove_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(line)
        box.addWidget(self.error)
        self.value.textChanged.connect(on_change)
        self.kind.currentIndexChanged.connect(on_change)
        self.primary.toggled.connect(on_change)

    # Names the tests and callers read easily.
    @property
    def address(self) -> QLineEdit:
        return self.value

    @property
    def number(self) -> QLineEdit:
        return self.value

    def set(self, value: str, kind: str, primary: bool) -> None:
        self.value.setText(value)
        self.kind.setCurrentIndex(max(self.kind.findData(kind), 0))
        self.primary.setChecked(primary)


class AddressRow(_Row):
    def __init__(self, countries: list[tuple[str, str]], on_remove: Callable[[_Row], None],
                 on_change: Callable[[], None]) -> None:
        super().__init__(on_remove)
        self.kind = _combo("addressKind", ADDRESS_KINDS)
        self.street = QPlainTextEdit()
        self.street.setObjectName("addressStreet")
        self.street.setPlaceholderText("Street and number")
        self.street.setTabChangesFocus(True)
        self.street.setFixedHeight(56)
        self.postal_code = line_edit("addressPostalCode", "Postal code")
        self.city = line_edit("addressCity", "City")
        self.region = line_edit("addressRegion", "Region or state")
        self.country = QComboBox()
        self.country.setObjectName("addressCountry")
        self.country.addItem("Country…", "")
        for name, code in countries:
            self.country.addItem(name, code)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        grid.addWidget(self.street, 0, 0, 1, 3)
        top = QVBoxLayout()
        top.addWidget(self.kind)
        top.addStretch(1)
        top.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignRight)
        grid.addLayout(top, 0, 3)
        grid.addWidget(self.postal_code, 1, 0)
        grid.addWidget(self.city, 1, 1, 1, 2)
        grid.addWidget(self.region, 2, 0)
        grid.addWidget(self.country, 2, 1, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 4, 0, 8)
        box.setSpacing(2)
        box.addLayout(grid)
        box.addWidget(self.error)
        for edit in (self.postal_code, self.city, self.region):
            edit.textChanged.connect(on_change)
        self.street.textChanged.connect(on_change)
        self.kind.currentIndexChanged.connect(on_change)
        self.country.currentIndexChanged.connect(on_change)

    def set(self, address: Any) -> None:
        self.kind.setCurrentIndex(max(self.kind.findData(address.kind), 0))
        self.street.setPlainText(address.street)
        self.postal_code.setText(address.postal_code)
        self.city.setText(address.city)
        self.region.setText(address.region)
        index = self.country.findData(address.country_code)
        if index < 0 and address.country_code:
            self.country.addItem(address.country_code, address.country_code)
            index = self.country.count() - 1
        self.country.setCurrentIndex(max(index, 0))

    def draft(self) -> AddressDraft:
        return AddressDraft(
            kind=self.kind.currentData(),
            street=self.street.toPlainText(),
            postal_code=self.postal_code.text(),
            city=self.city.text(),
            region=self.region.text(),
            country_code=self.country.currentData() or "",
        )


class RowList(QWidget):
    """A titled list of rows with an "Add …" link under it."""

    def __init__(self, title: str, add_text: str, make: Callable[[], _Row],
                 on_change: Callable[[], None], name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self._make = make
        self._on_change = on_change
        self.rows: list[_Row] = []
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.row_box = QVBoxLayout()
        self.row_box.setSpacing(6)
        self.add_button = link_button(add_text, f"{name}Add")
        self.add_button.clicked.connect(self.add_row)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        box.addWidget(_caption(title))
        box.addLayout(self.row_box)
        box.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

    def add_row(self) -> _Row:
        row = self._make()
        self.rows.append(row)
        self.row_box.addWidget(row)
        primary = getattr(row, "primary", None)
        if primary is not None and self.group.checkedButton() in (None, primary):
            primary.setChecked(True)
        self._on_change()
        return row

    def remove_row(self, row: _Row) -> None:
        if row not in self.rows:
            return
        self.rows.remove(row)
        primary = getattr(row, "primary", None)
        if primary is not None:
            self.group.removeButton(primary)
        self.row_box.removeWidget(row)
        row.hide()
        row.deleteLater()
        if primary is not None and primary.isChecked() and self.rows:
            self.rows[0].primary.setChecked(True)  # type: ignore[attr-defined]
        self._on_change()

    def clear_rows(self) -> None:
        for row in list(self.rows):
            self.remove_row(row)


# -- the shared form ---------------------------------------------------------------
class _RecordEditor(QDialog):
    saved = Signal(str)
    #: The permission area of the record ("contacts" or "companies").
    area = "contacts"

    def __init__(self, tasks: TaskRunner, vault: Any, record_id: str | None,
                 parent: QWidget | None, confirm_discard: ConfirmDiscard | None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.vault = vault
        self.record_id = record_id
        self.record: Any = None
        self.busy = False
        self.loaded = record_id is None
        self.confirm_discard = confirm_discard or ask_discard
        #: Why this user may not save here (None when they may): the form is read-only.
        self.refusal = denial(vault, f"{self.area}.create" if record_id is None
                              else f"{self.area}.edit")
        self.read_only = self.refusal is not None
        self.errors: dict[str, FieldError] = {}
        self._snapshot: Any = None
        self._countries = _countries()
        self.setModal(True)
        self.setMinimumWidth(640)

        self.form = QWidget()
        self.form.setObjectName("editorForm")
        self.form.setStyleSheet("QWidget#editorForm { background: #f6f7f9; }")
        self.column = QVBoxLayout(self.form)
        self.column.setContentsMargins(24, 20, 24, 12)
        self.column.setSpacing(14)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.form)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.general_error = label("", "error")
        self.general_error.setObjectName("editorError")
        self.general_error.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelEdit")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveRecord")
        self.save_button.setProperty("primary", True)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        self.footer = QVBoxLayout()
        self.footer.setContentsMargins(24, 8, 24, 18)
        self.footer.setSpacing(10)
        self.footer.addWidget(self.general_error)
        self.role_note = label(self.refusal or "", "hint")
        self.role_note.setObjectName("readOnlyNote")
        self.role_note.setVisible(self.read_only)
        self.footer.addWidget(self.role_note)
        self.footer.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(scroll, 1)
        outer.addLayout(self.footer)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)

    def lock_if_read_only(self) -> None:
        """For a role that may not save here: every field read-only, no add or remove
        links, no Save; Cancel becomes Close (called again after the record's rows are
        filled in)."""
        if not self.read_only:
            return
        make_read_only(self.form)
        self.save_button.hide()
        self.save_button.setEnabled(False)
        self.cancel_button.setText(self.tr("Close"))
        self.cancel_button.setDefault(True)
        if hasattr(self, "duplicate_box"):
            self.duplicate_box.hide()

    # -- building ----------------------------------------------------------------------
    def field(self, caption: str, widget: QWidget, key: str, hint: str = "") -> QWidget:
        """A caption, the widget and the error line under it, as one block."""
        block = QWidget()
        box = QVBoxLayout(block)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        box.addWidget(_caption(caption))
        box.addWidget(widget)
        if hint:
            box.addWidget(label(hint, "hint"))
        error = FieldError(f"{key}Error")
        box.addWidget(error)
        self.errors[key] = error
        return block

    def pair(self, left: QWidget, right: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(16)
        row.addWidget(left, 1, Qt.AlignmentFlag.AlignTop)
        row.addWidget(right, 1, Qt.AlignmentFlag.AlignTop)
        return row

    def address_list(self) -> RowList:
        holder: dict[str, RowList] = {}
        rows = RowList(
            "Addresses", "Add an address",
            lambda: AddressRow(self._countries, holder["list"].remove_row, self._changed),
            self._changed, "addresses",
        )
        holder["list"] = rows
        return rows

    def notes_edit(self) -> QPlainTextEdit:
        notes = QPlainTextEdit()
        notes.setObjectName("notes")
        notes.setTabChangesFocus(True)
        notes.setFixedHeight(80)
        notes.textChanged.connect(self._changed)
        return notes

    # -- state -------------------------------------------------------------------------
    def snapshot(self) -> Any:
        raise NotImplementedError

    def is_dirty(self) -> bool:
        return not self.read_only and self.loaded and self.snapshot() != self._snapshot

    def _mark_clean(self) -> None:
        self._snapshot = self.snapshot()

    def _changed(self) -> None:
        """Hook for edits; the snapshot comparison decides what counts as changed."""

    def reject(self) -> None:
        if self.is_dirty() and not self.confirm_discard(self):
            return
        super().reject()

    def close_without_asking(self) -> None:
        super().reject()

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.save_button.setEnabled(not busy and self.loaded and not self.read_only)

    # -- errors ------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for error in self.errors.values():
            error.clear_message()
        for rows in self.row_lists():
            for row in rows.rows:
                row.error.clear_message()
        self.general_error.hide()

    def row_lists(self) -> list[RowList]:
        return []

    def error_for(self, field: str) -> FieldError | None:
        if field in self.errors:
            return self.errors[field]
        head, _, rest = field.partition(".")
        for rows in self.row_lists():
            if rows.objectName() == head:
                index = rest.partition(".")[0]
                if index.isdigit() and int(index) < len(rows.rows):
                    return rows.rows[int(index)].error
        return self.errors.get(head)

    def show_error(self, error: UserError) -> None:
        self.set_busy(False)
        problems = error.problems if isinstance(error, InvalidRecord) else (
            Problem("", error.message),
        )
        unplaced = []
        first: QWidget | None = None
        for problem in problems:
            target = self.error_for(problem.field) if problem.field else None
            if target is None:
                unplaced.append(problem.message)
            else:
                target.add_message(problem.message)
                first = first or target
        if unplaced:
            self.general_error.setText(" ".join(unplaced))
            self.general_error.show()
        if first is not None:
            QTimer.singleShot(0, lambda: self._reveal(first))

    def _reveal(self, widget: QWidget) -> None:
        scroll = self.form.parentWidget().parentWidget()
        if isinstance(scroll, QScrollArea):
            scroll.ensureWidgetVisible(widget, 0, 60)

    def save(self) -> None:
        raise NotImplementedError


# -- people ----------------------------------------------------------------------------
class PersonEditor(_RecordEditor):
    """Add a person (`person_id` None) or change one; emits `saved(person_id)`."""

    #: The person chose to open an existing person instead of saving a duplicate.
    open_existing = Signal(str)

    def __init__(
        self,
        tasks: TaskRunner,
        vault: Any,
        person_id: str | None = None,
        parent: QWidget | None = None,
        *,
        confirm_discard: ConfirmDiscard | None = None,
    ) -> None:
        super().__init__(tasks, vault, person_id, parent, confirm_discard)
        self.setObjectName("personEditor")
        self.setWindowTitle("New person" if person_id is None else
                            self.tr("View person") if self.read_only else "Change person")
        self.matches: list[Any] = []
        self.choice = ""  # "saved", "open" or "" (cancelled)
        self._duplicates_checked = False
        self._company_ids: dict[str, str] = {}
        self._display_name = ""

        self.given = line_edit("givenName")
        self.family = line_edit("familyName")
        self.job_title = line_edit("jobTitle")
        self.company = line_edit("company", "Type to find a company, or a new name")
        self.company_model = QStringListModel(self)
        completer = QCompleter(self.company_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.company.setCompleter(completer)
        self._company_timer = QTimer(self)
        self._company_timer.setSingleShot(True)
        self._company_timer.setInterval(150)
        self._company_timer.timeout.connect(self._find_companies)
        self._company_loader = LatestLoader(tasks)
        self.company.textEdited.connect(lambda _text: self._company_timer.start())

        self.emails = RowList("Email addresses", "Add an email address",
                              lambda: self._contact_row(self.emails, EMAIL_KINDS,
                                                        "name@example.com"),
                              self._changed, "emails")
        self.phones = RowList("Phone numbers", "Add a phone number",
                              lambda: self._contact_row(self.phones, PHONE_KINDS,
                                                        "+49 30 1234567 or 030 1234567"),
                              self._changed, "phones")
        self.addresses = self.address_list()
        self.tags = line_edit("tags", "customer, newsletter")
        self.owner = line_edit("owner")
        self.source = line_edit("source", "Where you met them")
        self.notes = self.notes_edit()

        self.column.addLayout(self.pair(self.field("First name", self.given, "given_name"),
                                        self.field("Last name", self.family, "family_name")))
        self.column.addLayout(self.pair(self.field("Job title", self.job_title, "job_title"),
                                        self.field("Company", self.company, "company")))
        self.column.addWidget(self.emails)
        self.column.addWidget(self.phones)
        self.column.addWidget(self.addresses)
        self.column.addWidget(self.field("Tags", self.tags, "tags",
                                         "Separate tags with commas."))
        self.column.addLayout(self.pair(self.field("Owner", self.owner, "owner"),
                                        self.field("Source", self.source, "source")))
        self.column.addWidget(self.field("Notes", self.notes, "notes"))
        self.column.addStretch(1)
        self.errors["display_name"] = self.errors["given_name"]
        for edit in (self.given, self.family, self.job_title, self.company, self.tags,
                     self.owner, self.source):
            edit.textChanged.connect(self._changed)

        self.duplicate_box = self._duplicate_box()
        self.footer.insertWidget(0, self.duplicate_box)

        if person_id is None:
            self._add_first_rows()
            self._mark_clean()
        else:
            self.form.setEnabled(False)
            self.set_busy(False)
            tasks.submit(load_person_for_edit, vault, person_id,
                         on_done=self._fill, on_error=self._load_failed)
        self.lock_if_read_only()
        self.resize(680, 760)

    # -- rows --------------------------------------------------------------------------
    def _contact_row(self, rows: RowList, kinds: tuple[str, ...], hint: str) -> ContactRow:
        return ContactRow(kinds, hint, rows.group, rows.remove_row, self._changed)

    def _add_first_rows(self) -> None:
        self.emails.add_row()
        self.phones.add_row()

    @property
    def email_rows(self) -> list[ContactRow]:
        return self.emails.rows  # type: ignore[return-value]

    @property
    def phone_rows(self) -> list[ContactRow]:
        return self.phones.rows  # type: ignore[return-value]

    @property
    def address_rows(self) -> list[AddressRow]:
        return self.addresses.rows  # type: ignore[return-value]

    def add_email_row(self) -> ContactRow:
        return self.emails.add_row()  # type: ignore[return-value]

    def add_phone_row(self) -> ContactRow:
        return self.phones.add_row()  # type: ignore[return-value]

    def add_address_row(self) -> AddressRow:
        return self.addresses.add_row()  # type: ignore[return-value]

    def row_lists(self) -> list[RowList]:
        return [self.emails, self.phones, self.addresses]

    # -- loading -----------------------------------------------------------------------
    def _fill(self, loaded: tuple[Any, list[str]]) -> None:
        record, phones = loaded
        self.record = record
        self._display_name = record.draft().display_name
        self.given.setText(record.given_name)
        self.family.setText(record.family_name)
        self.job_title.setText(record.job_title)
        if record.organization_id:
            self._company_ids[record.organization_name.casefold()] = record.organization_id
        self.company.setText(record.organization_name)
        for rows, values in ((self.emails, [(e.address, e.kind, e.primary)
                                            for e in record.emails]),
                             (self.phones, [(shown + (f" ext. {p.extension}"
                                                      if p.extension else ""),
                                             p.kind, p.primary)
                                            for p, shown in zip(record.phones, phones,
                                                                strict=True)])):
            rows.clear_rows()
            for value, kind, primary in values:
                rows.add_row().set(value, kind, primary)  # type: ignore[attr-defined]
            if not rows.rows:
                rows.add_row()
        self.addresses.clear_rows()
        for address in record.addresses:
            self.add_address_row().set(address)
        self.tags.setText(", ".join(record.tags))
        self.owner.setText(record.owner)
        self.source.setText(record.source)
        self.notes.setPlainText(record.notes)
        self.form.setEnabled(True)
        self.loaded = True
        self.set_busy(False)
        self._mark_clean()
        self.lock_if_read_only()
        self.given.setFocus()

    def _load_failed(self, error: UserError) -> None:
        self.general_error.setText(error.message)
        self.general_error.show()
        self.save_button.setEnabled(False)

    # -- companies ---------------------------------------------------------------------
    def _find_companies(self) -> None:
        self._company_loader.request(
            service("contacts.find_organizations"), self.vault, self.company.text().strip(),
            on_done=self._companies_found, on_error=lambda _error: None,
        )

    def _companies_found(self, choices: list[Any]) -> None:
        for choice in choices:
            self._company_ids.setdefault(choice.name.casefold(), choice.id)
        self.company_model.setStringList([c.name for c in choices])
        if choices and self.company.hasFocus():
            self.company.completer().complete()

    # -- drafts ------------------------------------------------------------------------
    def draft(self) -> PersonDraft:
        company = self.company.text().strip()
        return PersonDraft(
            given_name=self.given.text(),
            family_name=self.family.text(),
            display_name=self._display_name,
            job_title=self.job_title.text(),
            organization_id=self._company_ids.get(company.casefold()) if company else None,
            emails=tuple(EmailDraft(r.value.text(), r.kind.currentData(), r.primary.isChecked())
                         for r in self.email_rows),
            phones=tuple(PhoneDraft(r.value.text(), r.kind.currentData(), r.primary.isChecked())
                         for r in self.phone_rows),
            addresses=tuple(r.draft() for r in self.address_rows),
            tags=tuple(t for t in (p.strip() for p in self.tags.text().split(",")) if t),
            owner=self.owner.text(),
            source=self.source.text(),
            notes=self.notes.toPlainText(),
        )

    def snapshot(self) -> Any:
        return (self.draft(), self.company.text().strip())

    # -- saving ------------------------------------------------------------------------
    def save(self) -> None:
        if self.busy or not self.loaded or self.read_only:
            return
        self.clear_errors()
        self.set_busy(True)
        draft = self.draft()
        if self.record_id is None and not self._duplicates_checked:
            company = self.company.text().strip() if draft.organization_id is None else ""
            self.tasks.submit(check_new_person, self.vault, draft, company,
                              on_done=lambda matches: self._checked(draft, matches),
                              on_error=self.show_error)
        else:
            self._write(draft)

    def save_anyway(self) -> None:
        self._duplicates_checked = True
        self.duplicate_box.hide()
        self.save()

    def open_match(self) -> None:
        if not self.matches:
            return
        self.choice = "open"
        self.open_existing.emit(self.matches[0].person_id)
        self.close_without_asking()

    def _checked(self, draft: PersonDraft, matches: list[Any]) -> None:
        self.matches = list(matches)
        if not self.matches:
            self._write(draft)
            return
        self.set_busy(False)
        lines = [
            f"Possible duplicate: {m.display_name} — {'; '.join(m.reasons) or 'similar'}."
            for m in self.matches[:3]
        ]
        if len(self.matches) > 3:
            lines.append(f"And {len(self.matches) - 3} more.")
        self.duplicate_text.setText("\n".join(lines))
        self.open_button.setText(
            "Open the existing person" if len(self.matches) == 1
            else f"Open {self.matches[0].display_name}"
        )
        self.duplicate_box.show()
        self.save_anyway_button.setFocus()

    def _write(self, draft: PersonDraft) -> None:
        company = self.company.text().strip()
        areas = {"contacts"}
        if company and draft.organization_id is None:
            areas.add("organizations")  # a company may be made by its name
        self.tasks.submit(
            service("contacts.save_person"), self.vault, self.record_id, draft,
            organization_name=company if draft.organization_id is None else "",
            writes=areas, on_done=self._saved, on_error=self.show_error,
        )

    def _saved(self, record: Any) -> None:
        self.set_busy(False)
        self.record = record
        self.choice = "saved"
        self._mark_clean()
        self.saved.emit(record.id)
        self.accept()

    def _duplicate_box(self) -> QFrame:
        box = QFrame()
        box.setObjectName("duplicateWarning")
        box.setStyleSheet(_WARNING_STYLE)
        self.duplicate_text = QLabel()
        self.duplicate_text.setObjectName("duplicateText")
        self.duplicate_text.setWordWrap(True)
        self.duplicate_text.setTextFormat(Qt.TextFormat.PlainText)
        self.save_anyway_button = QPushButton("Save anyway")
        self.save_anyway_button.setObjectName("saveAnyway")
        self.save_anyway_button.setAutoDefault(False)
        self.save_anyway_button.clicked.connect(self.save_anyway)
        self.open_button = QPushButton("Open the existing person")
        self.open_button.setObjectName("openExisting")
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.open_match)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.save_anyway_button)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(14, 10, 14, 10)
        inner.addWidget(self.duplicate_text)
        inner.addLayout(buttons)
        box.hide()
        return box

    def _changed(self) -> None:
        # A changed form must be checked for duplicates again before it is saved.
        if self.record_id is None and self._duplicates_checked and self.is_dirty():
            self._duplicates_checked = False
        if getattr(self, "duplicate_box", None) is not None and not self.busy:
            self.duplicate_box.hide()


# -- companies -------------------------------------------------------------------------
class CompanyEditor(_RecordEditor):
    """Add a company (`organization_id` None) or change one; emits `saved(id)`."""

    area = "companies"

    def __init__(
        self,
        tasks: TaskRunner,
        vault: Any,
        organization_id: str | None = None,
        parent: QWidget | None = None,
        *,
        confirm_discard: ConfirmDiscard | None = None,
    ) -> None:
        super().__init__(tasks, vault, organization_id, parent, confirm_discard)
        self.setObjectName("companyEditor")
        self.setWindowTitle("New company" if organization_id is None else
                            self.tr("View company") if self.read_only else "Change company")
        self.name = line_edit("companyName")
        self.website = line_edit("website", "example.com")
        self.tax_id = line_edit("taxId")
        self.addresses = self.address_list()
        self.tags = line_edit("tags", "customer, supplier")
        self.owner = line_edit("owner")
        self.notes = self.notes_edit()
        self.column.addWidget(self.field("Name", self.name, "name"))
        self.column.addLayout(self.pair(self.field("Website", self.website, "website"),
                                        self.field("Tax id", self.tax_id, "tax_id")))
        self.column.addWidget(self.addresses)
        self.column.addWidget(self.field("Tags", self.tags, "tags",
                                         "Separate tags with commas."))
        self.column.addWidget(self.field("Owner", self.owner, "owner"))
        self.column.addWidget(self.field("Notes", self.notes, "notes"))
        self.column.addStretch(1)
        for edit in (self.name, self.website, self.tax_id, self.tags, self.owner):
            edit.textChanged.connect(self._changed)
        if organization_id is None:
            self.add_address_row()
            self._mark_clean()
        else:
            self.form.setEnabled(False)
            self.set_busy(False)
            tasks.submit(service("contacts.get_organization"), vault, organization_id,
                         people_limit=0, on_done=self._fill, on_error=self._load_failed)
        self.lock_if_read_only()
        self.resize(640, 640)

    @property
    def address_rows(self) -> list[AddressRow]:
        return self.addresses.rows  # type: ignore[return-value]

    def add_address_row(self) -> AddressRow:
        return self.addresses.add_row()  # type: ignore[return-value]

    def row_lists(self) -> list[RowList]:
        return [self.addresses]

    def _fill(self, record: Any) -> None:
        self.record = record
        self.name.setText(record.name)
        self.website.setText(record.website)
        self.tax_id.setText(record.tax_id)
        self.addresses.clear_rows()
        for address in record.addresses:
            self.add_address_row().set(address)
        if not record.addresses:
            self.add_address_row()
        self.tags.setText(", ".join(record.tags))
        self.owner.setText(record.owner)
        self.notes.setPlainText(record.notes)
        self.form.setEnabled(True)
        self.loaded = True
        self.set_busy(False)
        self._mark_clean()
        self.lock_if_read_only()
        self.name.setFocus()

    def _load_failed(self, error: UserError) -> None:
        self.general_error.setText(error.message)
        self.general_error.show()
        self.save_button.setEnabled(False)

    def draft(self) -> OrganizationDraft:
        return OrganizationDraft(
            name=self.name.text(),
            tax_id=self.tax_id.text(),
            website=self.website.text(),
            addresses=tuple(r.draft() for r in self.address_rows),
            tags=tuple(t for t in (p.strip() for p in self.tags.text().split(",")) if t),
            owner=self.owner.text(),
            notes=self.notes.toPlainText(),
        )

    def snapshot(self) -> Any:
        return self.draft()

    def save(self) -> None:
        if self.busy or not self.loaded or self.read_only:
            return
        self.clear_errors()
        self.set_busy(True)
        if self.record_id is None:
            self.tasks.submit(service("contacts.create_organization"), self.vault,
                              self.draft(), writes={"organizations"},
                              on_done=self._saved, on_error=self.show_error)
        else:
            self.tasks.submit(service("contacts.update_organization"), self.vault,
                              self.record_id, self.draft(), writes={"organizations"},
                              on_done=self._saved, on_error=self.show_error)

    def _saved(self, record: Any) -> None:
        self.set_busy(False)
        self.record = record
        self._mark_clean()
        self.saved.emit(record.id)
        self.accept()
