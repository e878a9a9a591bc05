"""The Schedule page: dispatch of field jobs (filled by a later issue)."""

from __future__ import annotations

from crasme_desktop.ui.pages.base import PlannedPage


class SchedulePage(PlannedPage):
    key = "schedule"
    title = "Schedule"
    description = "Field jobs by day and technician."
    icon_name = "schedule"
    empty_title = "Nothing scheduled"
    empty_text = (
        "Jobs you plan for your team will show here, day by day, in visiting order. "
        "Scheduling arrives in a coming update."
    )
