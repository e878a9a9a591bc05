"""The "Language" section of the Settings page: the language of the window, the PDFs and
the e-mails.

"Same as this computer" (the default, `AppSettings.language == ""`) follows the system's
language, English when it is not one of the shipped ones; or one of the shipped languages,
each named in its own language so a person who cannot read the current one still finds
theirs. The choice is an app setting (this computer, not the vault), read and written on
the task runner; it takes effect at the next start, because the pages build their texts
once (ui/i18n.py), and the section says so under the choice.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from crasme_desktop.domain.i18n import LANGUAGE_NAMES, SHIPPED_LANGUAGES, current_language
from crasme_desktop.domain.settings import AppSettings
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import titled_card
from crasme_desktop.vault import load_app_settings, update_app_settings


def save_language(language: str) -> AppSettings:
    """Worker job: store the chosen language, keeping the other settings as on disk."""

    def change(settings: AppSettings) -> bool:
        if settings.language == language:
            return False
        settings.language = language
        return True

    return update_app_settings(change)


class LanguageSettingsSection(QWidget):
    """A card with the language combo and a note on when the choice takes effect."""

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._loading = True
        frame, box = titled_card(self.tr("Language"), "languageCard")
        self.choice = QComboBox()
        self.choice.setObjectName("languageChoice")
        self.choice.setAccessibleName(self.tr("Language"))
        self.choice.addItem(self.tr("Same as this computer"), "")
        for code in SHIPPED_LANGUAGES:
            self.choice.addItem(LANGUAGE_NAMES[code], code)
        self.choice.setMinimumWidth(220)
        self.choice.currentIndexChanged.connect(self._chosen)
        self.note = label("", "hint")
        self.note.setObjectName("languageNote")
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.choice)
        row.addWidget(self.note, 1)
        box.addWidget(label(self.tr(
            "The language of the window, of the PDFs and of the e-mails made on this "
            "computer."), "hint"))
        box.addLayout(row)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self.tasks.submit(load_app_settings, on_done=self._show)

    def _show(self, settings: AppSettings) -> None:
        self._loading = True
        index = self.choice.findData(settings.language)
        self.choice.setCurrentIndex(max(index, 0))
        self._loading = False

    def _chosen(self) -> None:
        if self._loading:
            return
        self.note.clear()
        self.tasks.submit(save_language, self.choice.currentData(), on_done=self._saved)

    def _saved(self, settings: AppSettings) -> None:
        if settings.language and settings.language != current_language():
            self.note.setText(self.tr("Saved. The new language is used from the next start."))
        else:
            self.note.setText(self.tr("Saved."))
