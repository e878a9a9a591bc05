"""Unlocking (keychain, passphrase, recovery key), locking by hand and when idle."""

from __future__ import annotations

from crasme_desktop.ui.unlock import PASSPHRASE, RECOVERY
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.support.clicks import click

RIGHT = "correct horse battery staple"  # the passphrase make_vault uses

WAIT = 20_000  # Argon2id on a slow CI machine


def _form_ready(controller, method=PASSPHRASE):
    screen = controller.unlock_screen
    return (
        screen is not None
        and screen.isVisible()
        and screen.method == method
        and screen.unlock_button.isEnabled()
    )


def _unlocked(controller):
    window = controller.main_window
    return controller.vault is not None and window is not None and window.isVisible()


def _unlock_with_passphrase(qtbot, controller, text):
    screen = controller.unlock_screen
    screen.passphrase_edit.setText(text)
    click(qtbot, screen.unlock_button)


def test_wrong_passphrase_is_said_inline_and_the_right_one_opens_the_window(
    qtbot, make_vault, make_controller
):
    created = make_vault(sample_contacts=12)
    controller = make_controller(created.path)
    controller.start()
    qtbot.waitUntil(lambda: _form_ready(controller), timeout=WAIT)
    screen = controller.unlock_screen

    _unlock_with_passphrase(qtbot, controller, "not the passphrase")
    qtbot.waitUntil(lambda: screen.error_text() != "", timeout=WAIT)
    assert screen.error_text() == (
        "That passphrase does not unlock this vault; check it and try again."
    )
    assert controller.vault is None
    assert screen.unlock_button.isEnabled()

    _unlock_with_passphrase(qtbot, controller, RIGHT)
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    window = controller.main_window
    assert not screen.isVisible()
    assert window.windowTitle() == "Crasme Desktop — office.crasme"
    assert window.status_key.text() == "Unlocked with your passphrase"
    assert window.status_encryption.text() == "Encrypted (SQLCipher 4)"
    dashboard = window.page("dashboard")
    qtbot.waitUntil(lambda: dashboard.tiles["people"].value.text() == "12", timeout=WAIT)
    contacts = window.page("contacts")
    qtbot.waitUntil(lambda: contacts.model.rowCount() == 12, timeout=WAIT)


def test_the_keychain_unlocks_silently(qtbot, make_vault, make_controller):
    created = make_vault(passphrase=None, use_keychain=True)
    controller = make_controller(created.path)
    controller.start()
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    assert controller.vault.key_source == "keychain"
    assert controller.main_window.status_key.text() == "Unlocked with this computer's keychain"


def test_a_keychain_that_lost_the_key_falls_back_to_asking(
    qtbot, make_vault, make_controller, memory_keyring
):
    created = make_vault(use_keychain=True)
    # The entry is there but holds another vault's key: the silent try must fail.
    for entry in memory_keyring.entries:
        memory_keyring.entries[entry] = "00" * 32
    controller = make_controller(created.path)
    controller.start()
    qtbot.waitUntil(lambda: _form_ready(controller), timeout=WAIT)
    assert controller.vault is None
    assert controller.unlock_screen.notice.text() != ""


def test_the_recovery_key_unlocks_too(qtbot, make_vault, make_controller):
    created = make_vault()
    controller = make_controller(created.path)
    controller.start()
    qtbot.waitUntil(lambda: _form_ready(controller), timeout=WAIT)
    screen = controller.unlock_screen
    assert screen.use_recovery.isVisible()
    click(qtbot, screen.use_recovery)
    assert screen.method == RECOVERY
    screen.recovery_edit.setText(created.recovery_key.lower())
    qtbot.keyClick(screen.recovery_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    assert controller.vault.key_source == "recovery"


def test_crasme_passphrase_unlocks_without_asking(qtbot, make_vault, make_controller):
    created = make_vault()
    controller = make_controller(created.path, env_passphrase=RIGHT)
    controller.start()
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)


def _open(qtbot, make_vault, make_controller):
    created = make_vault(sample_contacts=5)
    controller = make_controller(created.path, env_passphrase=RIGHT)
    controller.start()
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    contacts = controller.main_window.page("contacts")
    qtbot.waitUntil(lambda: contacts.model.rowCount() == 5, timeout=WAIT)
    return controller


def test_ctrl_l_locks_closes_the_vault_and_clears_every_page(qtbot, make_vault, make_controller):
    controller = _open(qtbot, make_vault, make_controller)
    vault = controller.vault
    window = controller.main_window
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: controller.vault is None)
    assert vault.closed
    assert not window.isVisible()
    assert controller.unlock_screen.isVisible()
    assert controller.unlock_screen.heading.text() == "Vault locked"
    assert window.page("contacts").model.rowCount() == 0
    assert all(page.vault is None for page in window.built_pages())
    assert window.page("dashboard").tiles["people"].value.text() == "–"

    _unlock_with_passphrase(qtbot, controller, RIGHT)
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    assert controller.main_window is window  # the same window comes back
    qtbot.waitUntil(lambda: window.page("contacts").model.rowCount() == 5, timeout=WAIT)


def test_idle_for_the_limit_locks_and_activity_resets_the_count(
    qtbot, make_vault, make_controller, clock
):
    controller = _open(qtbot, make_vault, make_controller)
    vault = controller.vault
    assert controller.idle.minutes == 10  # the default from AppSettings

    clock.advance(9 * 60)
    qtbot.wait(80)  # several polls
    assert controller.vault is vault

    # A key press is activity: the ten minutes start again from here.
    QTest.keyClick(controller.main_window.nav, Qt.Key.Key_Down)
    clock.advance(9 * 60)
    qtbot.wait(80)
    assert controller.vault is vault and not vault.closed

    clock.advance(61)
    qtbot.waitUntil(lambda: controller.vault is None)
    assert vault.closed
    assert controller.unlock_screen.isVisible()
    assert not controller.main_window.isVisible()


def test_zero_minutes_never_locks(qtbot, make_vault, make_controller, clock):
    controller = _open(qtbot, make_vault, make_controller)
    controller.idle.set_minutes(0)
    clock.advance(48 * 3600)
    qtbot.wait(80)
    assert controller.vault is not None


def test_the_settings_page_saves_the_auto_lock_minutes(qtbot, make_vault, make_controller):
    from crasme_desktop.vault import load_app_settings

    controller = _open(qtbot, make_vault, make_controller)
    settings = controller.main_window.settings_page
    controller.main_window.show_page("settings")
    assert settings.vault_file.text() == str(controller.vault_path)
    settings.auto_lock.setValue(3)
    qtbot.waitUntil(lambda: settings.saved_note.text() == "Saved.", timeout=WAIT)
    assert load_app_settings().auto_lock_minutes == 3
    assert controller.idle.minutes == 3


def test_go_menu_shortcuts_switch_pages(qtbot, make_vault, make_controller):
    controller = _open(qtbot, make_vault, make_controller)
    window = controller.main_window
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page().key == "contacts"
    QTest.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page().key == "settings"
