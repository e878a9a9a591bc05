"""The Companies page: how many companies the vault holds; the list comes with issue 3."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import EmptyState, Page
from crasme_desktop.ui.tasks import TaskRunner


class CompaniesPage(Page):
    key = "companies"
    title = "Companies"
    description = "The organisations you do business with, and who works there."
    icon_name = "companies"
    areas = frozenset({"organizations"})

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.empty = EmptyState("companies", "No companies yet", self._text(0))
        self.stack.addWidget(self.empty)

    def refresh(self) -> None:
        if self.vault is not None:
            self.tasks.submit(service("dashboard.summary"), self.vault, on_done=self._show)

    def _show(self, summary: Any) -> None:
        if self.vault is None:
            return
        count = summary.organizations
        self.empty.title.setText(
            "No companies yet" if count == 0
            else f"{count:,} {'company' if count == 1 else 'companies'} in this vault"
        )
        self.empty.text.setText(self._text(count))

    def clear(self) -> None:
        super().clear()
        self.empty.title.setText("No companies yet")
        self.empty.text.setText(self._text(0))

    @staticmethod
    def _text(count: int) -> str:
        if count == 0:
            return (
                "Companies are added with the people who work there. Browsing and editing "
                "them on their own arrives in a coming update."
            )
        return (
            "Their people are listed under Contacts. Browsing and editing companies on "
            "their own arrives in a coming update."
        )
