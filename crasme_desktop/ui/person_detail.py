"""The detail pane of one person: a readable card, possible duplicates, the timeline.

`show_record(vault, person_id)` reads the person, the first page of their timeline
and their attachments in one task-runner job (phones are formatted there too, off
the GUI thread). Only the newest record asked for is shown: moving quickly through
a list with the keyboard starts at most two reads and never paints a record the
person has already moved past.

Opening a person is a sensitive read: once a person's card is shown, the pane records
it in the audit trail (`contacts.open_person`, run as a write on the task runner, once
per person shown, not again when the card is refreshed after a change). For a role
with `audit.view`, "Who saw or changed this" lists the person's audit events (who,
when, what), read after the open is recorded so it is among them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import EmptyState, label
from crasme_desktop.ui.permission_gate import allowed, gate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.timeline_panel import PAGE_SIZE, TimelinePanel, load_timeline
from crasme_desktop.ui.widgets import (
    ChooseOpenPaths,
    ChooseSavePath,
    FlowLayout,
    LatestLoader,
    TagChips,
    card,
    country_name,
    escaped_lines,
    link,
    local_datetime,
    rich_label,
    row_table,
    text_label,
)

#: Links to records inside the app: "record:organization/ID".
RECORD_SCHEME = "record:"
_QUIET_SPAN = '<span style="color:#5b6675">{}</span>'
#: How many of a person's audit events the pane lists (the Audit page has them all).
HISTORY_ROWS = 100


@dataclass(frozen=True)
class ShownPhone:
    number: str  # E.164, for the tel: link
    shown: str  # national at home, international abroad
    international: str
    kind: str
    primary: bool
    extension: str


@dataclass(frozen=True)
class PersonCard:
    record: Any
    phones: tuple[ShownPhone, ...]
    timeline: tuple[list[Any], list[Any] | None]


def format_phones(phones: Any, region: str) -> tuple[ShownPhone, ...]:
    """Runs on a worker (phonenumbers has a large table to load)."""
    from crasme_desktop.domain.validation import format_phone

    out = []
    for p in phones:
        out.append(ShownPhone(
            number=p.number,
            shown=format_phone(p.number, region),
            international=format_phone(p.number, international=True),
            kind=p.kind,
            primary=p.primary,
            extension=p.extension,
        ))
    return tuple(out)


def load_person_card(vault: Any, person_id: str, limit: int = PAGE_SIZE) -> PersonCard:
    """Runs on a worker: everything the pane shows, read at once."""
    record = service("contacts.get_person")(vault, person_id)
    region = service("contacts.office_region")(vault)
    return PersonCard(
        record=record,
        phones=format_phones(record.phones, region),
        timeline=load_timeline(vault, "person", person_id, limit),
    )


def address_html(address: Any) -> str:
    lines = [line for line in address.street.splitlines() if line.strip()]
    town = " ".join(p for p in (address.postal_code, address.city) if p)
    if address.region:
        town = f"{town}, {address.region}" if town else address.region
    if town:
        lines.append(town)
    if address.country_code:
        lines.append(country_name(address.country_code))
    text = escaped_lines("\n".join(lines))
    return f"{text}<br>{_QUIET_SPAN.format(html.escape(address.kind))}"


def fact_grid() -> QGridLayout:
    grid = QGridLayout()
    grid.setContentsMargins(0, 0, 0, 0)
    grid.setHorizontalSpacing(18)
    grid.setVerticalSpacing(10)
    grid.setColumnStretch(1, 1)
    return grid


def add_fact(grid: QGridLayout, name: str, widget: QWidget) -> QLabel:
    """A row of the card: a quiet field name, then its value; returns the name label."""
    row = grid.rowCount()
    caption = text_label(name, "hint", selectable=False)
    caption.setWordWrap(False)
    grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    grid.addWidget(widget, row, 1)
    return caption


def set_fact(caption: QLabel, widget: QWidget, shown: bool) -> None:
    caption.setVisible(shown)
    widget.setVisible(shown)


class PersonDetail(QWidget):
    """A person's card, possible duplicates and timeline, for a list's detail pane."""

    #: ("person" | "organization", id): the person wants to go to another record.
    open_record = Signal(str, str)
    #: ("person", keep_id, other_id): merge the shown person with a duplicate.
    merge_requested = Signal(str, str, str)
    #: The shown person's id: the person wants to change it.
    edit_requested = Signal(str)
    #: The shown person's id, once they were erased from the vault here.
    erased = Signal(str)

    def __init__(
        self,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        choose_save_path: ChooseSavePath | None = None,
        choose_open_paths: ChooseOpenPaths | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("personDetail")
        self.tasks = tasks
        self.vault: Any = None
        self.person_id = ""
        self.record: Any = None
        self._loader = LatestLoader(tasks)

        self.name = text_label("", "title", name="personName")
        # Job title and company on one wrapped line; the company is a link in the app.
        self.work = QLabel()
        self.work.setObjectName("personWork")
        self.work.setProperty("role", "description")
        self.work.setWordWrap(True)
        self.work.setTextFormat(Qt.TextFormat.RichText)
        self.work.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                          | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.work.linkActivated.connect(self._open_link)
        self.edit_button = QPushButton("Edit")
        self.edit_button.setObjectName("editPerson")
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self.person_id))
        self.erase_button = QPushButton("Erase this person…")
        self.erase_button.setObjectName("erasePerson")
        self.erase_button.setToolTip("Erase everything held on this person, for good")
        self.erase_button.clicked.connect(self.ask_erase)
        self.export_button = QPushButton("Export this person's data…")
        self.export_button.setObjectName("exportPerson")
        self.export_button.setToolTip("Everything held on this person, in one ZIP file")
        self.export_button.clicked.connect(self.ask_export)
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.name)
        names.addWidget(self.work)
        # The buttons wrap under the name, so a narrow pane is never wider than it looks.
        actions = QWidget()
        actions.setObjectName("personActions")
        flow = FlowLayout(actions)
        for button in (self.edit_button, self.export_button, self.erase_button):
            flow.addWidget(button)
        header = QVBoxLayout()
        header.setSpacing(10)
        header.addLayout(names)
        header.addWidget(actions)

        facts_card, facts_box = card("personFacts")
        grid = fact_grid()
        self.emails = rich_label("personEmails")
        self.phones = rich_label("personPhones")
        self.addresses = rich_label("personAddresses")
        self.tags = TagChips()
        self.owner = text_label("", name="personOwner")
        self.source = text_label("", name="personSource")
        self.notes = text_label("", name="personNotes")
        self._facts = {
            key: (add_fact(grid, caption, widget), widget)
            for key, caption, widget in (
                ("emails", "Email", self.emails),
                ("phones", "Phone", self.phones),
                ("addresses", "Address", self.addresses),
                ("tags", "Tags", self.tags),
                ("owner", "Owner", self.owner),
                ("source", "Source", self.source),
                ("notes", "Notes", self.notes),
            )
        }
        self.nothing = text_label("No email, phone or address yet.", "hint",
                                  name="personNoFacts")
        self.stamps = text_label("", "hint", name="personStamps")
        facts_box.addLayout(grid)
        facts_box.addWidget(self.nothing)
        facts_box.addSpacing(4)
        facts_box.addWidget(self.stamps)

        self.duplicates_area, self.duplicates = duplicates_section(tasks, "person")
        self.duplicates.merge_requested.connect(self.merge_requested)

        self.timeline = TimelinePanel(tasks, choose_save_path=choose_save_path,
                                      choose_open_paths=choose_open_paths)
        self.history_area = self._build_history()
        self.opened_id = ""  # the person whose opening was last recorded
        self.history_loading = False

        content = QWidget()
        content.setObjectName("detailContent")
        column = QVBoxLayout(content)
        column.setContentsMargins(18, 20, 18, 24)  # the timeline needs 359 px of a 398 px pane
        column.setSpacing(12)
        column.addLayout(header)
        column.addWidget(facts_card)
        column.addWidget(self.duplicates_area)
        column.addWidget(self.timeline)
        column.addWidget(self.history_area)
        column.addStretch(1)
        self.placeholder = EmptyState(
            "contacts", "No one chosen", "Choose a person in the list to see their details."
        )
        self.problem = EmptyState("warning", "This person cannot be shown", "")
        self.scroll, self.stack = detail_frame(self, content, self.placeholder, self.problem)
        tasks.changed.connect(self._on_changed)

    # -- contract ---------------------------------------------------------------------
    def show_record(self, vault: Any, person_id: str) -> None:
        """Read and show this person (the newest call wins)."""
        self.vault = vault
        self.person_id = person_id
        self.apply_permissions()
        self._loader.request(load_person_card, vault, person_id,
                             on_done=self._show, on_error=self._failed)

    def apply_permissions(self) -> None:
        """Erasing and exporting are sensitive actions of their own: disabled, with the
        reason as tool tip, for a role without them."""
        gate(self.erase_button, self.vault, "erase",
             tip=self.tr("Erase everything held on this person, for good"))
        gate(self.export_button, self.vault, "export", "contacts.view",
             tip=self.tr("Everything held on this person, in one ZIP file"))

    def clear(self) -> None:
        """Forget the person and everything read from the vault."""
        self._loader.reset()
        self.vault, self.person_id, self.record = None, "", None
        self.timeline.clear()
        for widget in (self.name, self.work, self.owner, self.source, self.notes,
                       self.emails, self.phones, self.addresses, self.stamps):
            widget.clear()
        self.tags.set_tags(())
        self.duplicates.clear()
        self.duplicates_area.hide()
        self.opened_id = ""
        self.history.setRowCount(0)
        self.history_note.clear()
        self.history_area.hide()
        self.stack.setCurrentWidget(self.placeholder)

    @property
    def loading(self) -> bool:
        return self._loader.busy

    def ask_erase(self) -> Any:
        """The erase dialog for the shown person (preview, typed confirmation)."""
        if self.vault is None or not self.person_id or not self.erase_button.isEnabled():
            return None
        from crasme_desktop.ui.erase_dialog import EraseDialog

        dialog = EraseDialog(self.tasks, self.vault, self.person_id, self)
        dialog.erased.connect(self._erased)
        dialog.open()
        return dialog

    def ask_export(self) -> Any:
        """The export dialog for the shown person (subject access)."""
        if self.vault is None or not self.person_id or not self.export_button.isEnabled():
            return None
        from crasme_desktop.ui.privacy_export_dialog import ExportDialog

        dialog = ExportDialog(self.tasks, self.vault, self.person_id, self)
        dialog.open()
        return dialog

    def _erased(self, person_id: str) -> None:
        if person_id == self.person_id:
            self.clear()
        self.erased.emit(person_id)

    # -- showing ----------------------------------------------------------------------
    def _on_changed(self, areas: Any) -> None:
        if self.vault is not None and self.person_id and {"contacts", "organizations"} & set(
            areas
        ):
            self.show_record(self.vault, self.person_id)

    def _failed(self, error: UserError) -> None:
        self.record = None
        self.problem.text.setText(error.message)
        self.stack.setCurrentWidget(self.problem)

    def _show(self, loaded: PersonCard) -> None:
        r = loaded.record
        self.record = r
        self.name.setText(r.display_name)
        self.work.setText(self.work_html(r))
        self.work.setVisible(bool(r.job_title or r.organization_id))

        self.emails.setText("<br>".join(self._email_line(e) for e in r.emails))
        self.phones.setText("<br>".join(self._phone_line(p) for p in loaded.phones))
        self.phones.setToolTip("\n".join(p.international for p in loaded.phones))
        self.addresses.setText("<br><br>".join(address_html(a) for a in r.addresses))
        self.tags.set_tags(r.tags)
        self.owner.setText(r.owner)
        self.source.setText(r.source)
        self.notes.setText(r.notes)
        shown = {
            "emails": bool(r.emails), "phones": bool(r.phones),
            "addresses": bool(r.addresses), "tags": bool(r.tags), "owner": bool(r.owner),
            "source": bool(r.source), "notes": bool(r.notes),
        }
        for key, (caption, widget) in self._facts.items():
            set_fact(caption, widget, shown[key])
        self.nothing.setVisible(not any(shown.values()))
        self.stamps.setText(
            f"Added {local_datetime(r.created_at)} · changed {local_datetime(r.updated_at)}"
        )
        self.timeline.set_subject(self.vault, "person", r.id, loaded.timeline)
        self._show_duplicates(r.id)
        self.stack.setCurrentWidget(self.scroll)
        self._record_open(r.id)

    # -- who saw or changed this ------------------------------------------------------
    def _build_history(self) -> QWidget:
        area = QWidget()
        area.setObjectName("personHistoryArea")
        box = QVBoxLayout(area)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        box.addWidget(label(self.tr("Who saw or changed this"), "section"))
        self.history = row_table(
            "personHistory", [self.tr("When"), self.tr("Who"), self.tr("What")],
            accessible=self.tr("Who saw or changed this person"))
        self.history.setWordWrap(False)
        self.history.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # At most a hundred short rows: columns sized to their text, the last one taking
        # the rest; never wider than the pane.
        header = self.history.horizontalHeader()
        for section in (0, 1):
            header.setSectionResizeMode(section, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.history.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.history.setFrameShape(QFrame.Shape.NoFrame)
        self.history_note = label("", "hint")
        self.history_note.setObjectName("personHistoryNote")
        history_card, card_box = card("personHistoryCard")
        card_box.addWidget(self.history)
        card_box.addWidget(self.history_note)
        box.addWidget(history_card)
        area.hide()
        return area

    def _fit_history(self) -> None:
        """As tall as its rows, up to about eight of them (then it scrolls)."""
        table = self.history
        rows = sum(table.rowHeight(r) for r in range(min(table.rowCount(), 8)))
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + rows
                             + 2 * table.frameWidth() + 2)

    def _record_open(self, person_id: str) -> None:
        """Record that this person was opened (once per person shown; a refresh after a
        change is not a new opening), then list who saw or changed them."""
        vault = self.vault
        if vault is None:
            return
        if person_id == self.opened_id:
            self._load_history()
            return
        self.opened_id = person_id
        self.history_loading = True
        self.tasks.submit(service("contacts.open_person"), vault, person_id, writes={"audit"},
                          on_done=lambda _record: self._load_history(),
                          on_error=lambda _error: self._load_history())

    def _load_history(self) -> None:
        vault, person_id = self.vault, self.person_id
        if vault is None or not person_id or not allowed(vault, "audit.view"):
            self.history_loading = False
            self.history_area.hide()
            return
        self.history_loading = True
        self.tasks.submit(service("audit.events_for_record"), vault, "person", person_id,
                          limit=HISTORY_ROWS,
                          on_done=lambda events: self._show_history(vault, person_id, events),
                          on_error=lambda _error: self._show_history(vault, person_id, None))

    def _show_history(self, vault: Any, person_id: str, events: list[Any] | None) -> None:
        if (vault, person_id) != (self.vault, self.person_id):
            return  # another person is shown by now
        from crasme_desktop.ui.pages.audit import action_text, user_text

        self.history_loading = False
        if events is None:  # the role may not read the trail (it changed meanwhile)
            self.history_area.hide()
            return
        self.history.setRowCount(len(events))
        for row, event in enumerate(events):
            for column, text in enumerate((local_datetime(event.at), user_text(event),
                                           action_text(event.action))):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setToolTip(event.action)
                self.history.setItem(row, column, item)
        self.history.resizeRowsToContents()
        self._fit_history()
        if len(events) >= HISTORY_ROWS:
            self.history_note.setText(self.tr("The newest {count} events; the Audit trail "
                                              "page lists them all.")
                                      .format(count=HISTORY_ROWS))
        else:
            self.history_note.clear()
        self.history_note.setVisible(bool(self.history_note.text()))
        self.history_area.show()

    def _show_duplicates(self, person_id: str) -> None:
        self.duplicates.show_record(self.vault, person_id)
        self.duplicates_area.setVisible(True)

    @staticmethod
    def _email_line(e: Any) -> str:
        notes = html.escape(e.kind + (" · primary" if e.primary else ""))
        return f"{link('mailto:' + e.address, e.address)}  {_QUIET_SPAN.format(notes)}"

    @staticmethod
    def _phone_line(p: ShownPhone) -> str:
        shown = p.shown + (f" ext. {p.extension}" if p.extension else "")
        href = "tel:" + p.number + (f";ext={p.extension}" if p.extension else "")
        notes = p.kind + (" · primary" if p.primary else "")
        return f"{link(href, shown)}  {_QUIET_SPAN.format(html.escape(notes))}"

    @staticmethod
    def work_html(r: Any) -> str:
        company = (
            link(f"{RECORD_SCHEME}organization/{r.organization_id}", r.organization_name)
            if r.organization_id else ""
        )
        if r.job_title and company:
            return f"{html.escape(r.job_title)} at {company}"
        return company or html.escape(r.job_title)

    def _open_link(self, href: str) -> None:
        """Opens a `record:KIND/ID` link inside the app."""
        if href.startswith(RECORD_SCHEME):
            kind, _, record_id = href.removeprefix(RECORD_SCHEME).partition("/")
            if kind and record_id:
                self.open_record.emit(kind, record_id)


def duplicates_section(tasks: TaskRunner, kind: str) -> tuple[QWidget, Any]:
    """A detail pane's "Possible duplicates" heading with its panel (hidden until a
    record is shown); returns the section and the `DuplicatesPanel`."""
    from crasme_desktop.ui.duplicates_panel import DuplicatesPanel

    area = QWidget()
    area.setObjectName("duplicatesArea")
    box = QVBoxLayout(area)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(label("Possible duplicates", "section"))
    panel = DuplicatesPanel(tasks, area, kind=kind)
    box.addWidget(panel)
    area.hide()
    return area, panel


def detail_frame(
    pane: QWidget, content: QWidget, placeholder: QWidget, problem: QWidget
) -> tuple[QScrollArea, QStackedWidget]:
    """Lay out a detail pane: `content` in a vertical scroll area, between a placeholder
    (nothing chosen) and a problem page (the record cannot be shown)."""
    content.setStyleSheet("QWidget#detailContent { background: #f6f7f9; }")
    scroll = QScrollArea()
    scroll.setObjectName("detailScroll")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    # The card wraps to the pane's width; it never scrolls sideways.
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(content)
    stack = QStackedWidget()
    for page in (placeholder, scroll, problem):
        stack.addWidget(page)
    box = QVBoxLayout(pane)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(stack)
    return scroll, stack
