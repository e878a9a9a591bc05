"""The detail pane of one company: its card, its people (links), timeline and files.

Read like the person pane: one task-runner job per record, newest request wins.
The company's timeline includes the entries of its people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import EmptyState, label
from crasme_desktop.ui.permission_gate import gate
from crasme_desktop.ui.person_detail import (
    add_fact,
    address_html,
    detail_frame,
    duplicates_section,
    fact_grid,
    set_fact,
)
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.timeline_panel import PAGE_SIZE, TimelinePanel, load_timeline
from crasme_desktop.ui.widgets import (
    ChooseOpenPaths,
    ChooseSavePath,
    LatestLoader,
    TagChips,
    card,
    link,
    link_button,
    local_datetime,
    rich_label,
    text_label,
)

#: How many of a company's people the card lists (the Contacts page filters the rest).
PEOPLE_SHOWN = 50


@dataclass(frozen=True)
class CompanyCard:
    record: Any
    timeline: tuple[list[Any], list[Any] | None]


def load_company_card(vault: Any, organization_id: str, limit: int = PAGE_SIZE) -> CompanyCard:
    """Runs on a worker: the company, its first people, its timeline and files."""
    record = service("contacts.get_organization")(
        vault, organization_id, people_limit=PEOPLE_SHOWN
    )
    return CompanyCard(record, load_timeline(vault, "organization", organization_id, limit))


class CompanyDetail(QWidget):
    """A company's card, people and timeline, for a list's detail pane."""

    open_record = Signal(str, str)
    merge_requested = Signal(str, str, str)
    edit_requested = Signal(str)

    def __init__(
        self,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        choose_save_path: ChooseSavePath | None = None,
        choose_open_paths: ChooseOpenPaths | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("companyDetail")
        self.tasks = tasks
        self.vault: Any = None
        self.organization_id = ""
        self.record: Any = None
        self._loader = LatestLoader(tasks)

        self.name = text_label("", "title", name="companyName")
        self.website = rich_label("companyWebsite")
        self.edit_button = QPushButton("Edit")
        self.edit_button.setObjectName("editCompany")
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self.organization_id))
        names = QVBoxLayout()
        names.setSpacing(2)
        names.addWidget(self.name)
        names.addWidget(self.website)
        header = QHBoxLayout()
        header.addLayout(names, 1)
        header.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)

        facts_card, facts_box = card("companyFacts")
        grid = fact_grid()
        self.tax_id = text_label("", name="companyTaxId")
        self.addresses = rich_label("companyAddresses")
        self.tags = TagChips()
        self.owner = text_label("", name="companyOwner")
        self.notes = text_label("", name="companyNotes")
        self._facts = {
            key: (add_fact(grid, caption, widget), widget)
            for key, caption, widget in (
                ("tax_id", "Tax id", self.tax_id),
                ("addresses", "Address", self.addresses),
                ("tags", "Tags", self.tags),
                ("owner", "Owner", self.owner),
                ("notes", "Notes", self.notes),
            )
        }
        self.nothing = text_label("No address or tax id yet.", "hint", name="companyNoFacts")
        self.stamps = text_label("", "hint", name="companyStamps")
        facts_box.addLayout(grid)
        facts_box.addWidget(self.nothing)
        facts_box.addSpacing(4)
        facts_box.addWidget(self.stamps)

        people_card, people_box = card("companyPeopleCard")
        self.people_box = QVBoxLayout()
        self.people_box.setSpacing(2)
        self.people_count = text_label("", "hint", name="companyPeopleCount")
        people_box.addLayout(self.people_box)
        people_box.addWidget(self.people_count)
        self.people_title = label("People", "section")

        self.duplicates_area, self.duplicates = duplicates_section(tasks, "organization")
        self.duplicates.merge_requested.connect(self.merge_requested)

        self.timeline = TimelinePanel(tasks, choose_save_path=choose_save_path,
                                      choose_open_paths=choose_open_paths)

        content = QWidget()
        content.setObjectName("detailContent")
        column = QVBoxLayout(content)
        column.setContentsMargins(24, 20, 24, 24)
        column.setSpacing(12)
        column.addLayout(header)
        column.addWidget(facts_card)
        column.addWidget(self.duplicates_area)
        column.addWidget(self.people_title)
        column.addWidget(people_card)
        column.addWidget(self.timeline)
        column.addStretch(1)
        self.placeholder = EmptyState(
            "companies", "No company chosen", "Choose a company in the list to see its details."
        )
        self.problem = EmptyState("warning", "This company cannot be shown", "")
        self.scroll, self.stack = detail_frame(self, content, self.placeholder, self.problem)
        tasks.changed.connect(self._on_changed)

    # -- contract ---------------------------------------------------------------------
    def show_record(self, vault: Any, organization_id: str) -> None:
        self.vault = vault
        self.organization_id = organization_id
        gate(self.edit_button, vault, "companies.edit")
        self._loader.request(load_company_card, vault, organization_id,
                             on_done=self._show, on_error=self._failed)

    def clear(self) -> None:
        self._loader.reset()
        self.vault, self.organization_id, self.record = None, "", None
        self.timeline.clear()
        for widget in (self.name, self.website, self.tax_id, self.addresses, self.owner,
                       self.notes, self.stamps, self.people_count):
            widget.clear()
        self.tags.set_tags(())
        self._set_people([])
        self.duplicates.clear()
        self.duplicates_area.hide()
        self.stack.setCurrentWidget(self.placeholder)

    @property
    def loading(self) -> bool:
        return self._loader.busy

    def person_links(self) -> list[QPushButton]:
        out = []
        for i in range(self.people_box.count()):
            row = self.people_box.itemAt(i).widget()
            button = row.findChild(QPushButton, "companyPerson") if row else None
            if button is not None:
                out.append(button)
        return out

    # -- showing ----------------------------------------------------------------------
    def _on_changed(self, areas: Any) -> None:
        if self.vault is not None and self.organization_id and {
            "contacts", "organizations"
        } & set(areas):
            self.show_record(self.vault, self.organization_id)

    def _failed(self, error: UserError) -> None:
        self.record = None
        self.problem.text.setText(error.message)
        self.stack.setCurrentWidget(self.problem)

    def _show(self, loaded: CompanyCard) -> None:
        r = loaded.record
        self.record = r
        self.name.setText(r.name)
        shown_site = r.website.removeprefix("https://").removeprefix("http://").rstrip("/")
        self.website.setText(link(r.website, shown_site) if r.website else "")
        self.website.setVisible(bool(r.website))
        self.tax_id.setText(r.tax_id)
        self.addresses.setText("<br><br>".join(address_html(a) for a in r.addresses))
        self.tags.set_tags(r.tags)
        self.owner.setText(r.owner)
        self.notes.setText(r.notes)
        shown = {
            "tax_id": bool(r.tax_id), "addresses": bool(r.addresses), "tags": bool(r.tags),
            "owner": bool(r.owner), "notes": bool(r.notes),
        }
        for key, (caption, widget) in self._facts.items():
            set_fact(caption, widget, shown[key])
        self.nothing.setVisible(not any(shown.values()))
        self.stamps.setText(
            f"Added {local_datetime(r.created_at)} · changed {local_datetime(r.updated_at)}"
        )
        self._set_people(r.people)
        count = r.people_count
        if count == 0:
            self.people_count.setText("Nobody is linked to this company yet.")
        elif count > len(r.people):
            self.people_count.setText(
                f"The first {len(r.people)} of {QLocale().toString(count)} people are listed."
            )
        else:
            self.people_count.setText("")
        self.people_count.setVisible(bool(self.people_count.text()))
        self.timeline.set_subject(self.vault, "organization", r.id, loaded.timeline)
        self.duplicates.show_record(self.vault, r.id)
        self.duplicates_area.setVisible(True)
        self.stack.setCurrentWidget(self.scroll)

    def _set_people(self, people: Any) -> None:
        while (item := self.people_box.takeAt(0)) is not None:
            if item.widget() is not None:
                item.widget().deleteLater()
        for person in people:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.setSpacing(8)
            button = link_button(person.display_name, "companyPerson")
            button.setProperty("person_id", person.id)
            button.clicked.connect(
                lambda _checked=False, pid=person.id: self.open_record.emit("person", pid)
            )
            line.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            line.addWidget(text_label(person.job_title, "hint"), 1)
            self.people_box.addWidget(row)

