"""Backups in the window: made on unlock and on closing, the Settings section, restore,
and the status bar's warning."""

from __future__ import annotations

from pathlib import Path

from crasme_desktop.services import backups, contacts
from crasme_desktop.services.contacts import PersonDraft
from crasme_desktop.vault import open_vault
from crasme_desktop.vault.paths import backup_dir
from PySide6.QtWidgets import QMessageBox
from tests.gui.conftest import PASSPHRASE
from tests.support.clicks import click

WAIT = 20_000


def _reasons(folder: Path) -> list[str]:
    from crasme_desktop.vault import backup

    return sorted(b.reason for b in backup.list_backups(folder))


def _opened(qtbot, make_controller, path):
    controller = make_controller(path, env_passphrase=PASSPHRASE)
    controller.start()
    qtbot.waitUntil(lambda: controller.vault is not None, timeout=WAIT)
    return controller


def _write(controller, fn, *args):
    """A write from the test itself: in the app every write goes through the task
    runner, one after another, so wait for the runner's work to finish first."""
    assert controller.tasks.wait(WAIT)
    return fn(controller.vault, *args)


def test_unlocking_makes_the_daily_backup_and_the_status_bar_stays_quiet(
    qtbot, make_vault, make_controller
):
    created = make_vault()
    controller = _opened(qtbot, make_controller, created.path)
    qtbot.waitUntil(lambda: _reasons(backup_dir(created.path)) == ["daily"], timeout=WAIT)
    window = controller.main_window
    window.show_page("settings")
    section = window.settings_page.backups
    qtbot.waitUntil(
        lambda: section.status is not None and section.status.last_good is not None,
        timeout=WAIT,
    )
    assert section.summary.text().startswith("Last good backup:")
    assert not window.status_backup.isVisible()


def test_back_up_now_and_restore_from_the_settings_page(
    qtbot, make_vault, make_controller, monkeypatch
):
    created = make_vault()
    controller = _opened(qtbot, make_controller, created.path)
    vault = controller.vault
    qtbot.waitUntil(lambda: _reasons(backup_dir(created.path)) == ["daily"], timeout=WAIT)
    _write(controller, contacts.create_person, PersonDraft("Ada", "Lovelace"))
    window = controller.main_window
    window.show_page("settings")
    section = window.settings_page.backups
    qtbot.waitUntil(lambda: section.status is not None, timeout=WAIT)

    click(qtbot, section.backup_now)
    qtbot.waitUntil(lambda: "Backed up and checked" in section.note.text(), timeout=WAIT)
    assert "manual" in _reasons(backup_dir(created.path))

    _write(controller, contacts.create_person, PersonDraft("Grace", "Hopper"))
    assert len(contacts.list_people(vault)) == 2

    click(qtbot, section.restore_button)
    dialog = section.restore_dialog
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=WAIT)
    assert dialog.table.item(0, 1).text() == "Made by hand"
    assert dialog.table.item(1, 1).text() == "Automatic"

    click(qtbot, dialog.check_button)
    qtbot.waitUntil(lambda: "intact" in dialog.message.text(), timeout=WAIT)

    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    click(qtbot, dialog.restore_button)
    qtbot.waitUntil(lambda: "Restored the backup" in section.note.text(), timeout=WAIT)
    assert [p.display_name for p in contacts.list_people(vault)] == ["Ada Lovelace"]
    assert "before-restore" in _reasons(backup_dir(created.path))


def test_a_backup_folder_that_is_not_there_shows_in_the_status_bar(
    qtbot, make_vault, make_controller, tmp_path
):
    created = make_vault()
    with open_vault(created.path, passphrase=PASSPHRASE, use_keychain=False) as vault:
        backups.save_preferences(
            vault, backups.BackupPreferences(folder=str(tmp_path / "usb-drive" / "Backups"))
        )
    controller = _opened(qtbot, make_controller, created.path)
    window = controller.main_window
    qtbot.waitUntil(lambda: window.status_backup.isVisible(), timeout=WAIT)
    assert "No backup yet" in window.status_backup.text()
    assert "cannot be reached" in window.status_backup.toolTip()
    window.status_backup.linkActivated.emit("#backups")
    assert window.current_page().key == "settings"


def test_closing_the_app_makes_a_backup_when_something_changed(
    qtbot, make_vault, make_controller, monkeypatch
):
    created = make_vault()
    controller = _opened(qtbot, make_controller, created.path)
    folder = backup_dir(created.path)
    qtbot.waitUntil(lambda: _reasons(folder) == ["daily"], timeout=WAIT)
    _write(controller, contacts.create_person, PersonDraft("Ada", "Lovelace"))

    quits = []
    monkeypatch.setattr("crasme_desktop.ui.controller.QApplication.quit",
                        lambda: quits.append(True))
    controller.quit()
    qtbot.waitUntil(lambda: bool(quits), timeout=WAIT)
    assert controller.state == "closed"
    assert _reasons(folder) == ["daily", "quit"]
