"""The Sales page: quotes, invoices and payments (filled by a later issue)."""

from __future__ import annotations

from crasme_desktop.ui.pages.base import PlannedPage


class SalesPage(PlannedPage):
    key = "sales"
    title = "Sales"
    description = "Quotes, invoices, payments and credit notes in one place."
    icon_name = "sales"
    empty_title = "No quotes or invoices yet"
    empty_text = (
        "Quotes and invoices you write will be listed here with what is paid and what is due."
        " Invoicing arrives in a coming update."
    )
