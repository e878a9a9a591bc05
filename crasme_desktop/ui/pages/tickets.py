"""The Tickets page: the support desk (filled by a later issue)."""

from __future__ import annotations

from crasme_desktop.ui.pages.base import PlannedPage


class TicketsPage(PlannedPage):
    key = "tickets"
    title = "Tickets"
    description = "Customer questions and problems, with who is on them and when they are due."
    icon_name = "tickets"
    empty_title = "No open tickets"
    empty_text = (
        "Support tickets will appear here with their priority and response deadline. The "
        "ticket desk arrives in a coming update."
    )
