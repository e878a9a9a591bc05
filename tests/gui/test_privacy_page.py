"""The Privacy page on a real vault: pick a person and see what is held on them, work
requests through (late ones stand out), edit retention rules, preview and apply."""

from __future__ import annotations

from datetime import date

import pytest
from crasme_desktop.domain.validation_records import EmailDraft, PersonDraft
from crasme_desktop.services import contacts, privacy_requests, retention, timeline
from crasme_desktop.ui.pages.privacy import PrivacyPage
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QMessageBox
from tests.support.clicks import click

pytest_plugins = ("tests.support.records",)  # the `vault` fixture

WAIT = 20_000


@pytest.fixture
def ada(vault):
    return contacts.create_person(vault, PersonDraft(
        given_name="Ada", family_name="Lovelace",
        emails=(EmailDraft("ada@example.org"),))).id


@pytest.fixture
def page(qtbot, vault):
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    crashes: list[BaseException] = []
    shown_errors: list = []
    tasks = TaskRunner(report_crash=crashes.append, show_error=shown_errors.append)
    shown = PrivacyPage(tasks)
    shown.shown_errors = shown_errors
    tasks.changed.connect(shown.on_changed)
    qtbot.addWidget(shown)
    shown.resize(1200, 800)
    shown.show()
    yield shown
    shown.clear()
    tasks.invalidate()
    tasks.wait(10_000)
    QLocale.setDefault(usual)
    assert not crashes, crashes


def idle(qtbot, page):
    qtbot.waitUntil(lambda: page.tasks.active == 0, timeout=WAIT)


def test_pick_a_person_and_see_what_is_held(qtbot, vault, page, ada):
    timeline.add_note(vault, "Met at the fair", person_id=ada)
    page.attach(vault)
    qtbot.keyClicks(page.find_edit, "Lovel")
    qtbot.waitUntil(lambda: page.matches.count() == 1, timeout=WAIT)
    assert page.matches.item(0).text().startswith("Ada Lovelace")
    qtbot.keyClick(page.find_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.holdings is not None, timeout=WAIT)
    assert page.person_name.text() == "Ada Lovelace"
    assert page.fact_labels["Email addresses"].text() == "1"
    assert page.fact_labels["Timeline entries"].text() == "1"
    assert page.fact_labels["Invoices and credit notes"].text() == "0"
    assert "No consent to any marketing" in page.state_label.text()
    assert all(b.isEnabled() for b in (page.export_button, page.erase_button,
                                       page.restrict_button, page.consent_button))
    assert page.restrict_button.text() == "Re&strict…"


def test_requests_are_listed_with_late_ones_marked_and_worked_through(qtbot, vault, page,
                                                                      ada):
    today = vault.clock.now().date()
    late = privacy_requests.open_request(vault, "access", ada,
                                         received_on=date(today.year - 1, 1, 1))
    privacy_requests.open_request(vault, "objection", ada, note="Phoned in")
    page.attach(vault)
    idle(qtbot, page)
    table = page.request_table
    assert table.rowCount() == 2
    assert table.item(0, 0).text() == "Access" and table.item(0, 4).text() == "Late"
    assert table.item(0, 4).foreground().color().name() == "#b3261e"
    assert table.item(1, 4).text() == "Received"
    assert "1 privacy request late" in page.due_label.text()

    table.selectRow(0)
    assert page.done_button.isEnabled()
    click(qtbot, page.done_button)
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=WAIT)  # "Open" hides done
    assert [r.status for r in privacy_requests.list_requests(vault)
            if r.id == late.id] == ["done"]

    table.selectRow(0)
    click(qtbot, page.refuse_button)
    dialog = page.reason_dialog
    qtbot.waitUntil(lambda: dialog.isVisible(), timeout=WAIT)
    dialog.setTextValue("We hold nothing for marketing")
    dialog.accept()
    qtbot.waitUntil(lambda: table.rowCount() == 0, timeout=WAIT)
    page.request_filter.setCurrentIndex(1)  # All
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=WAIT)
    assert {table.item(r, 4).text() for r in range(2)} == {"Done", "Refused"}


def test_new_request_for_the_chosen_person(qtbot, vault, page, ada):
    page.attach(vault)
    idle(qtbot, page)
    page.select_person(ada)
    qtbot.waitUntil(lambda: page.holdings is not None, timeout=WAIT)
    click(qtbot, page.new_request_button)
    dialog = page.dialog
    qtbot.waitUntil(lambda: dialog.isVisible(), timeout=WAIT)
    assert dialog.who.text() == "Ada Lovelace" and dialog.who.isReadOnly()
    dialog.kind.setCurrentIndex(dialog.kind.findData("erasure"))
    dialog.note.setPlainText("By letter")
    dialog.accept()
    qtbot.waitUntil(lambda: page.request_table.rowCount() == 1, timeout=WAIT)
    [row] = privacy_requests.list_requests(vault)
    assert (row.kind, row.person_id, row.note) == ("erasure", ada, "By letter")
    assert page.request_table.item(0, 1).text() == "Ada Lovelace"


def test_retention_rules_preview_and_apply(qtbot, vault, page, ada):
    old = timeline.add_note(vault, "Long ago", person_id=ada,
                            occurred_at=vault.clock.now().replace(year=2020))
    page.attach(vault)
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: "activity" in page.rule_widgets, timeout=WAIT)
    spin, check, would = page.rule_widgets["activity"]
    assert spin.value() == 24 and check.isChecked()
    invoices_spin, invoices_on, _ = page.rule_widgets["invoices"]
    assert invoices_spin.minimum() == 84 and not invoices_on.isEnabled()
    assert not page.rule_widgets["inactive_people"][1].isChecked()

    click(qtbot, page.preview_button)
    qtbot.waitUntil(lambda: would.text() == "1", timeout=WAIT)
    assert page.rule_widgets["inactive_people"][2].text() == "off"
    assert old.id in {e.id for e in timeline.person_timeline(vault, ada)}
    qtbot.waitUntil(lambda: page.runs_table.rowCount() == 1, timeout=WAIT)
    assert page.runs_table.item(0, 1).text() == "Preview"

    # Cancel changes nothing; Remove applies.
    click(qtbot, page.apply_button)
    box = page.confirm_box
    qtbot.waitUntil(lambda: box.isVisible(), timeout=WAIT)
    box.button(QMessageBox.StandardButton.Cancel).click()
    idle(qtbot, page)
    assert old.id in {e.id for e in timeline.person_timeline(vault, ada)}
    click(qtbot, page.apply_button)
    box = page.confirm_box
    qtbot.waitUntil(lambda: box.isVisible(), timeout=WAIT)
    page.apply_confirm.click()
    qtbot.waitUntil(lambda: page.runs_table.rowCount() == 2, timeout=WAIT)
    assert page.runs_table.item(0, 1).text() == "Applied"
    assert "1 timeline entries" in page.runs_table.item(0, 2).text()
    assert old.id not in {e.id for e in timeline.person_timeline(vault, ada)}

    spin.setValue(36)
    page.rule_widgets["inactive_people"][1].setChecked(True)
    click(qtbot, page.save_rules_button)
    idle(qtbot, page)
    rules = {r.key: r for r in retention.retention_rules(vault)}
    assert rules["activity"].months == 36 and rules["inactive_people"].enabled


def test_lock_forgets_everything_shown(qtbot, vault, page, ada):
    privacy_requests.open_request(vault, "access", ada)
    page.attach(vault)
    page.select_person(ada)
    qtbot.waitUntil(lambda: page.holdings is not None and page.request_table.rowCount() == 1,
                    timeout=WAIT)
    page.clear()
    assert page.request_table.rowCount() == 0 and page.holdings is None
    assert page.matches.count() == 0 and page.person_name.text().startswith("Choose")


def test_unlock_applies_retention_and_the_dashboard_links_to_late_requests(
        qtbot, make_vault, make_controller, clock):
    from crasme_desktop.vault import open_vault
    from tests.gui.conftest import PASSPHRASE

    created = make_vault()
    today = clock.now().date()
    with open_vault(created.path, passphrase=PASSPHRASE, use_keychain=False,
                    clock=clock) as vault:
        ada = contacts.create_person(vault, PersonDraft(given_name="Ada",
                                                        family_name="Lovelace")).id
        old = timeline.add_note(vault, "Long ago", person_id=ada,
                                occurred_at=clock.now().replace(year=today.year - 3)).id
        privacy_requests.open_request(vault, "access", ada,
                                      received_on=date(today.year - 1, 6, 1))

    controller = make_controller(created.path, env_passphrase=PASSPHRASE)
    controller.start()
    qtbot.waitUntil(lambda: controller.vault is not None, timeout=WAIT)
    vault = controller.vault
    qtbot.waitUntil(lambda: len(retention.retention_runs(vault)) == 1, timeout=WAIT)
    controller.tasks.wait(WAIT)
    assert old not in {e.id for e in timeline.person_timeline(vault, ada)}
    [run] = retention.retention_runs(vault)
    assert not run.dry_run and run.counts["activity"] == 1
    # The hourly check does not run it again the same day.
    controller.check_retention()
    controller.tasks.wait(WAIT)
    assert len(retention.retention_runs(vault)) == 1

    window = controller.main_window
    dashboard = window.page("dashboard")
    line = dashboard.requests_line
    qtbot.waitUntil(lambda: line.isVisible(), timeout=WAIT)
    assert "1 privacy request is late" in line.text()
    line.linkActivated.emit("requests")
    assert window.current_page().key == "privacy"
    privacy = window.page("privacy")
    assert privacy.tabs.currentIndex() == 0
    qtbot.waitUntil(lambda: privacy.request_table.rowCount() == 1, timeout=WAIT)
    assert privacy.request_table.item(0, 4).text() == "Late"


def test_the_person_buttons_open_the_privacy_dialogs(qtbot, vault, page, ada):
    page.attach(vault)
    page.select_person(ada)
    qtbot.waitUntil(lambda: page.holdings is not None, timeout=WAIT)
    for button, name in ((page.consent_button, "ConsentDialog"),
                         (page.restrict_button, "RestrictionDialog"),
                         (page.erase_button, "EraseDialog"),
                         (page.export_button, "ExportDialog"),
                         (page.correct_button, "PersonEditor")):
        click(qtbot, button)
        dialog = page.dialog
        assert dialog is not None and not page.shown_errors, name
        qtbot.waitUntil(lambda d=dialog: d.isVisible(), timeout=WAIT)
        assert type(dialog).__name__ == name
        dialog.reject()
        qtbot.waitUntil(lambda: page.dialog is None, timeout=WAIT)
        idle(qtbot, page)


def test_the_notice_tab_shows_the_notice(qtbot, vault, page):
    page.attach(vault)
    page.tabs.setCurrentWidget(page.notice_tab)
    qtbot.waitUntil(lambda: page.notice_view is not None, timeout=WAIT)
    assert page.notice_view is not False, "the notice view is installed"
    assert page.notice_view.parent() is page.notice_tab


def test_correct_opens_the_persons_editor_and_the_change_shows(qtbot, vault, page, ada):
    page.attach(vault)
    page.select_person(ada)
    qtbot.waitUntil(lambda: page.holdings is not None, timeout=WAIT)
    click(qtbot, page.correct_button)
    editor = page.dialog
    qtbot.waitUntil(lambda: editor.isVisible() and editor.loaded, timeout=WAIT)
    assert editor.given.text() == "Ada"
    editor.family.setText("King")
    with qtbot.waitSignal(editor.saved, timeout=WAIT):
        editor.save()
    qtbot.waitUntil(lambda: page.dialog is None, timeout=WAIT)
    assert contacts.get_person(vault, ada).family_name == "King"
    qtbot.waitUntil(lambda: "King" in page.person_name.text(), timeout=WAIT)
