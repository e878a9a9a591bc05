"""The Companies page: every company in the vault in a list that stays fast, with
filters, sort orders, saved views and the company's details beside it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale

from crasme_desktop.ui.list_model import ListColumn
from crasme_desktop.ui.pages.contacts import local_date
from crasme_desktop.ui.pages.list_page import ListPage


def _people(row: Any) -> str:
    return QLocale().toString(row.people)


COMPANY_COLUMNS = (
    ListColumn("Name", lambda r: r.name, "name", width=230),
    ListColumn("People", _people, width=70),
    ListColumn("Website", lambda r: r.website, width=210),
    ListColumn("Owner", lambda r: r.owner, width=80),
    ListColumn("Tags", lambda r: ", ".join(r.tags), width=140),
    ListColumn("Created", lambda r: local_date(r.created_at), "created", width=100),
    ListColumn("Updated", lambda r: local_date(r.updated_at), "updated", width=100),
)


class CompaniesPage(ListPage):
    key = "companies"
    title = "Companies"
    description = "The organisations you do business with, and who works there."
    icon_name = "companies"
    # People moving between companies change the people counts shown here.
    areas = frozenset({"organizations", "contacts"})

    kind = "organization"
    area = "companies"
    view_page = "companies"
    nouns = ("company", "companies")
    all_label = "All companies"
    new_label = "New company…"
    columns = COMPANY_COLUMNS
    detail_module = "crasme_desktop.ui.company_detail"
    detail_class = "CompanyDetail"
    editor_class = "CompanyEditor"
    delete_service = "contacts.delete_organization"
    delete_writes = frozenset({"organizations", "contacts"})
    delete_question = ("Delete “{name}”? Its addresses and timeline are deleted too; its "
                       "people stay, without a company.")
    export_service = "contacts_export.export_companies"
    export_formats = ("csv",)
    empty_title = "No companies yet"
    empty_text = (
        "Companies you add, import or link to people will be listed here with their "
        "website, owner and tags."
    )

    def show_organization(self, organization_id: str) -> None:
        """Select this company in the list (clearing filters that hide it) and show
        its details."""
        self.show_record(organization_id)

