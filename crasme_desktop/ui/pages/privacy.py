"""The Privacy page: exports, erasure, consent and retention (filled by a later issue)."""

from __future__ import annotations

from crasme_desktop.ui.pages.base import PlannedPage


class PrivacyPage(PlannedPage):
    key = "privacy"
    title = "Privacy"
    description = "What you hold about people, and their requests to see, correct or erase it."
    icon_name = "privacy"
    empty_title = "Your privacy centre"
    empty_text = (
        "Exports for subject access, erasure with a preview, consent and retention rules will"
        " live here. The privacy centre arrives in a coming update; your vault is already "
        "encrypted on this computer."
    )
