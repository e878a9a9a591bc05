"""The window in German (issue 11): the translators really load, a converted screen shows
German, Qt's own buttons follow, a PDF made in German reads German, and the language
choice in Settings is stored. Every test puts English back (the language is process-wide).
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from crasme_desktop.domain import i18n
from crasme_desktop.ui.i18n import apply_language
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QDialogButtonBox

ENGLISH_SYSTEM = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


@pytest.fixture
def german(qapp):
    """The app switched to German as a German-speaking computer would start it."""
    lang = apply_language("", system=QLocale(QLocale.Language.German, QLocale.Country.Germany))
    assert lang == "de"
    yield
    apply_language("en", system=ENGLISH_SYSTEM)
    assert i18n.current_language() == "en"


def test_the_first_run_screen_shows_german(qtbot, german, tmp_path):
    from crasme_desktop.ui.first_run import LocationPage, ProtectionPage

    page = LocationPage(tmp_path / "Büro.crasme")
    qtbot.addWidget(page)
    assert page.title() == "Willkommen bei Crasme Desktop"
    assert "verschlüsselten Datei" in page.subTitle()
    protection = ProtectionPage()
    qtbot.addWidget(protection)
    assert protection.use_passphrase.text() == "Zusätzlich mit einer Passphrase schützen"
    assert QLocale().name() == "de_DE"


def test_qt_s_own_buttons_and_a_service_sentence_follow(qtbot, german):
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Abbrechen"
    # What services and formats mark goes through the same catalog.
    assert i18n.translate("RecoveryKit", "Recovery kit") == "Wiederherstellungsblatt"
    assert i18n.language("fr").translate("RecoveryKit", "Recovery kit") == "Kit de récupération"


def test_the_system_language_is_followed_unless_settings_choose(qapp):
    french_system = QLocale(QLocale.Language.French, QLocale.Country.Switzerland)
    try:
        assert apply_language("", system=french_system) == "fr"
        assert QLocale().name() == "fr_CH"  # the system's own country stays
        assert apply_language("de", system=french_system) == "de"
        assert QLocale().name() == "de_DE"
        assert apply_language("", system=QLocale(QLocale.Language.Italian)) == "en"
    finally:
        apply_language("en", system=ENGLISH_SYSTEM)


@pytest.mark.usefixtures("pdftotext")
def test_a_recovery_kit_made_in_german_reads_german(german):
    from crasme_desktop.formats.recovery_kit import RecoveryKit, render_recovery_kit

    pdf = render_recovery_kit(RecoveryKit(
        vault_path=Path("/home/maria/Büro.crasme"), vault_id="0190f5a2-7c3e",
        recovery_key="ABCDE-FGHIJ-KLMNP-QRSTU", created=datetime(2026, 3, 5, 9, 30, tzinfo=UTC)))
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")
    flat = " ".join(text.split())
    assert "Wiederherstellungsblatt" in flat
    assert "So verwenden Sie ihn" in flat
    assert "März 2026" in flat  # the date in German
    assert "How to use it" not in flat


def test_the_language_choice_is_saved(qtbot, tmp_path):
    from crasme_desktop.ui.language_settings import LanguageSettingsSection
    from crasme_desktop.ui.tasks import TaskRunner
    from crasme_desktop.vault import load_app_settings

    tasks = TaskRunner()
    section = LanguageSettingsSection(tasks)
    qtbot.addWidget(section)
    qtbot.waitUntil(lambda: not section._loading)
    assert section.choice.currentData() == ""
    section.choice.setCurrentIndex(section.choice.findData("fr"))
    qtbot.waitUntil(lambda: section.note.text() != "")
    assert load_app_settings().language == "fr"
    assert "next start" in section.note.text()
    assert tasks.wait(5000)
