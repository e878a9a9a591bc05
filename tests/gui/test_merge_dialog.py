"""The merge dialog and the duplicates panel on a real vault, with real Qt."""

from __future__ import annotations

import pytest
from crasme_desktop.services import contacts, merge, timeline
from crasme_desktop.services.contacts import (
    EmailDraft,
    NotFound,
    OrganizationDraft,
    PersonDraft,
    PhoneDraft,
)
from crasme_desktop.ui.duplicates_panel import DuplicatesPanel
from crasme_desktop.ui.merge_dialog import MergeDialog
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.vault import open_vault
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QRadioButton
from tests.gui.conftest import PASSPHRASE
from tests.support.clicks import click

WAIT = 20_000


@pytest.fixture
def vault(make_vault):
    created = make_vault()
    opened = open_vault(created.path, passphrase=PASSPHRASE, use_keychain=False)
    yield opened
    opened.close()


@pytest.fixture
def tasks(qtbot):
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    crashes: list[BaseException] = []
    runner = TaskRunner(report_crash=crashes.append)
    runner.changes = []
    runner.changed.connect(runner.changes.append)
    yield runner
    runner.invalidate()
    runner.wait(10_000)
    QLocale.setDefault(usual)
    assert not crashes, crashes


@pytest.fixture
def people(vault):
    bau = contacts.create_organization(vault, OrganizationDraft("Kühnemann Bau"))
    ada = contacts.create_person(vault, PersonDraft(
        "Ada", "Lovelace", job_title="Analyst", organization_id=bau.id,
        emails=(EmailDraft("ada@example.org"),), phones=(PhoneDraft("+44 20 7946 0123"),),
        notes="Prefers letters.",
    ))
    twin = contacts.create_person(vault, PersonDraft(
        "Ada", "Lovelace", job_title="Countess", organization_id=bau.id,
        emails=(EmailDraft("ADA@example.org"), EmailDraft("countess@lovelace.uk")),
        notes="Met at the fair.",
    ))
    for i in range(2):
        timeline.add_note(vault, f"note {i}", person_id=twin.id)
    return ada, twin


def open_dialog(qtbot, tasks, vault, kind, keep, other) -> MergeDialog:
    dialog = MergeDialog(tasks, vault, kind, keep, other)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=WAIT)
    return dialog


def radio(dialog, name: str) -> QRadioButton:
    found = dialog.findChild(QRadioButton, name)
    assert found is not None, name
    return found


def test_the_dialog_shows_both_and_one_choice_per_differing_field(qtbot, tasks, vault, people):
    ada, twin = people
    dialog = open_dialog(qtbot, tasks, vault, "person", ada.id, twin.id)

    assert set(dialog.groups) == {"job_title", "notes"}
    assert radio(dialog, "job_title_keep").text() == "Analyst"
    assert radio(dialog, "job_title_other").text() == "Countess"
    assert radio(dialog, "notes_both").isChecked()  # both notes kept by default
    united = dialog.findChild(QLabel, "mergeUnited").text()
    assert "Emails: 2 (1 + 2) — ada@example.org, countess@lovelace.uk" in united
    assert "Timeline entries: 2" in united
    assert "Company: Kühnemann Bau" in dialog.findChild(QLabel, "mergeSame").text()


def test_merge_with_chosen_fields_then_undo(qtbot, tasks, vault, people):
    ada, twin = people
    before_ada, before_twin = contacts.get_person(vault, ada.id), contacts.get_person(vault,
                                                                                       twin.id)
    dialog = open_dialog(qtbot, tasks, vault, "person", ada.id, twin.id)
    click(qtbot, radio(dialog, "job_title_other"))
    click(qtbot, radio(dialog, "notes_keep"))
    assert dialog.choices() == {"job_title": "other", "notes": "keep"}
    with qtbot.waitSignal(dialog.merged, timeout=WAIT):
        click(qtbot, dialog.merge_button)

    kept = contacts.get_person(vault, ada.id)
    assert (kept.job_title, kept.notes) == ("Countess", "Prefers letters.")
    assert [e.address for e in kept.emails] == ["ada@example.org", "countess@lovelace.uk"]
    with pytest.raises(NotFound):
        contacts.get_person(vault, twin.id)
    assert frozenset({"contacts"}) in tasks.changes
    assert "30 days" in dialog.done_text.text()
    assert dialog.undo_button.isVisible() and not dialog.merge_button.isVisible()

    with qtbot.waitSignal(dialog.undone, timeout=WAIT):
        click(qtbot, dialog.undo_button)
    assert contacts.get_person(vault, ada.id) == before_ada
    assert contacts.get_person(vault, twin.id) == before_twin
    assert "back as they were" in dialog.done_text.text()
    assert not dialog.undo_button.isVisible()


def test_swap_keeps_the_other_record(qtbot, tasks, vault, people):
    ada, twin = people
    dialog = open_dialog(qtbot, tasks, vault, "person", ada.id, twin.id)
    first_preview = dialog.preview
    click(qtbot, dialog.swap_button)
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.preview is not first_preview,
                    timeout=WAIT)
    assert (dialog.keep_id, dialog.other_id) == (twin.id, ada.id)
    assert radio(dialog, "job_title_keep").text() == "Countess"
    with qtbot.waitSignal(dialog.merged, timeout=WAIT):
        click(qtbot, dialog.merge_button)
    assert contacts.get_person(vault, twin.id).id == twin.id
    with pytest.raises(NotFound):
        contacts.get_person(vault, ada.id)


def test_the_keyboard_alone_can_choose_and_merge(qtbot, tasks, vault, people):
    ada, twin = people
    dialog = open_dialog(qtbot, tasks, vault, "person", ada.id, twin.id)
    keep = radio(dialog, "job_title_keep")
    qtbot.waitUntil(lambda: keep.hasFocus() or radio(dialog, "job_title_other").hasFocus(),
                    timeout=WAIT)
    keep.setFocus()
    qtbot.keyClick(keep, Qt.Key.Key_Right)  # arrows move within the row and pick
    assert radio(dialog, "job_title_other").isChecked()
    assert radio(dialog, "notes_both").isChecked()  # another row: untouched
    with qtbot.waitSignal(dialog.merged, timeout=WAIT):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert contacts.get_person(vault, ada.id).job_title == "Countess"


def test_a_failed_merge_shows_one_sentence_inline(qtbot, tasks, vault, people):
    ada, twin = people
    dialog = open_dialog(qtbot, tasks, vault, "person", ada.id, twin.id)
    contacts.delete_person(vault, twin.id)  # gone meanwhile (another window)
    click(qtbot, dialog.merge_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert "no longer exists" in dialog.error.text()
    assert dialog.merge_button.isEnabled() and dialog.outcome is None


def test_companies_merge_from_the_dialog(qtbot, tasks, vault):
    keep = contacts.create_organization(vault, OrganizationDraft("Acme Ltd"))
    other = contacts.create_organization(vault, OrganizationDraft("ACME", website="acme.com"))
    contacts.create_person(vault, PersonDraft("Jo", organization_id=other.id))
    dialog = open_dialog(qtbot, tasks, vault, "organization", keep.id, other.id)
    assert "People: 1" in dialog.findChild(QLabel, "mergeUnited").text()
    with qtbot.waitSignal(dialog.merged, timeout=WAIT):
        click(qtbot, dialog.merge_button)
    assert contacts.get_organization(vault, keep.id).people_count == 1
    assert frozenset({"organizations", "contacts"}) in tasks.changes


# -- the duplicates panel ---------------------------------------------------------------
def test_the_panel_lists_duplicates_and_asks_for_a_merge(qtbot, tasks, vault, people):
    ada, twin = people
    panel = DuplicatesPanel(tasks)
    qtbot.addWidget(panel)
    panel.show()
    panel.show_for(vault, "person", ada.id)
    qtbot.waitUntil(lambda: panel.status.text() == "This person may be the same as one other "
                    "record.", timeout=WAIT)
    reasons = panel.findChild(QLabel, "duplicateReasons").text()
    assert reasons == "same email ADA@example.org, similar name at Kühnemann Bau"
    with qtbot.waitSignal(panel.merge_requested, timeout=WAIT) as asked:
        click(qtbot, panel.findChild(QPushButton, "mergeDuplicate"))
    assert asked.args == ["person", ada.id, twin.id]


def test_the_panel_offers_undo_of_a_recent_merge(qtbot, tasks, vault, people):
    ada, twin = people
    merge.merge_people(vault, ada.id, twin.id)
    panel = DuplicatesPanel(tasks)
    qtbot.addWidget(panel)
    panel.show()
    panel.show_record(vault, ada.id)
    qtbot.waitUntil(lambda: panel.findChild(QPushButton, "undoMerge") is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: panel.status.text() == "No likely duplicates.", timeout=WAIT)
    with qtbot.waitSignal(panel.merge_undone, timeout=WAIT):
        click(qtbot, panel.findChild(QPushButton, "undoMerge"))
    assert contacts.get_person(vault, twin.id).job_title == "Countess"
    qtbot.waitUntil(lambda: panel.findChild(QPushButton, "mergeDuplicate") is not None
                    and panel.findChild(QPushButton, "mergeDuplicate").isVisible(), timeout=WAIT)


def test_the_panel_shows_only_the_last_record_asked_for(qtbot, tasks, vault, people):
    ada, _twin = people
    loner = contacts.create_person(vault, PersonDraft("Nobody", "Else"))
    panel = DuplicatesPanel(tasks)
    qtbot.addWidget(panel)
    panel.show()
    panel.show_for(vault, "person", ada.id)
    panel.show_for(vault, "person", loner.id)
    qtbot.waitUntil(lambda: panel.status.text() == "No likely duplicates.", timeout=WAIT)
    tasks.wait(5000)
    qtbot.wait(50)
    assert panel.matches == []
    assert panel.findChild(QPushButton, "mergeDuplicate") is None or not panel.findChild(
        QPushButton, "mergeDuplicate").isVisible()
    panel.clear()
    assert panel.status.text() == "" and panel.vault is None
