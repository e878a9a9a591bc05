"""The Contacts page: every person in the vault in a list that stays fast at a million,
with filters, sort orders, saved views and the person's details beside it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QLocale

from crasme_desktop.ui.list_model import ListColumn
from crasme_desktop.ui.pages.list_page import ListPage


def local_date(value: datetime) -> str:
    """A stored (UTC) time as a short local date in the user's locale."""
    return QLocale().toString(value.astimezone().date(), QLocale.FormatType.ShortFormat)


def _tags(row: Any) -> str:
    return ", ".join(row.tags)


PEOPLE_COLUMNS = (
    ListColumn("Name", lambda r: r.display_name, "name", width=190),
    ListColumn("Company", lambda r: r.company, "company", width=170),
    ListColumn("Email", lambda r: r.email, width=230),
    ListColumn("Phone", lambda r: r.phone, width=150),
    ListColumn("Owner", lambda r: r.owner, width=80),
    ListColumn("Tags", _tags, width=140),
    ListColumn("Created", lambda r: local_date(r.created_at), "created", width=100),
    ListColumn("Updated", lambda r: local_date(r.updated_at), "updated", width=100),
)


class ContactsPage(ListPage):
    key = "contacts"
    title = "Contacts"
    description = "The people you work with, and the companies they belong to."
    icon_name = "contacts"
    areas = frozenset({"contacts", "organizations"})

    kind = "person"
    view_page = "contacts"
    nouns = ("person", "people")
    all_label = "All people"
    new_label = "New person…"
    columns = PEOPLE_COLUMNS
    detail_module = "crasme_desktop.ui.person_detail"
    detail_class = "PersonDetail"
    editor_class = "PersonEditor"
    delete_service = "contacts.delete_person"
    delete_writes = frozenset({"contacts"})
    delete_question = ("Delete “{name}”? Their emails, phones, addresses, timeline and "
                       "attachments are deleted too.")
    export_service = "contacts_export.export_people"
    export_formats = ("csv", "vcard")
    with_company_filter = True
    empty_title = "No people yet"
    empty_text = (
        "People you add or import will be listed here with their company, email "
        "and phone. You can also start with sample data from the Dashboard."
    )

    def show_person(self, person_id: str) -> None:
        """Select this person in the list (clearing filters that hide them) and show
        their details."""
        self.show_record(person_id)

