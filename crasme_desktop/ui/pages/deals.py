"""The Deals page: the sales pipeline (filled by a later issue)."""

from __future__ import annotations

from crasme_desktop.ui.pages.base import PlannedPage


class DealsPage(PlannedPage):
    key = "deals"
    title = "Deals"
    description = "Follow each opportunity from first call to signed order."
    icon_name = "deals"
    empty_title = "No deals yet"
    empty_text = (
        "Deals you track will show here by stage, with their value and expected close date. "
        "Deal tracking arrives in a coming update."
    )
