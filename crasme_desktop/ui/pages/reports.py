"""The Reports page: figures and charts (filled by a later issue)."""

from __future__ import annotations

from crasme_desktop.ui.pages.base import PlannedPage


class ReportsPage(PlannedPage):
    key = "reports"
    title = "Reports"
    description = "Figures for sales, support and the team at a glance."
    icon_name = "reports"
    empty_title = "No reports yet"
    empty_text = (
        "Once there are deals, invoices and tickets, their figures and charts will be here. "
        "Reports arrive in a coming update."
    )
