"""Starting straight onto the main window, choosing another vault, and the key dialogs."""

from __future__ import annotations

import re

from crasme_desktop.ui.controller import KEYCHAIN_LOST
from crasme_desktop.ui.key_dialogs import ChangePassphraseDialog, RotateKeyDialog
from crasme_desktop.ui.unlock import KEYCHAIN, PASSPHRASE
from crasme_desktop.vault import load_app_settings, open_vault
from crasme_desktop.vault.errors import WrongPassphrase, WrongRecoveryKey
from PySide6.QtWidgets import QApplication
from tests.support.clicks import click

RIGHT = "correct horse battery staple"  # the passphrase make_vault uses
WAIT = 20_000


def _unlocked(controller):
    window = controller.main_window
    return controller.vault is not None and window is not None and window.isVisible()


def _form_ready(controller, method=PASSPHRASE):
    screen = controller.unlock_screen
    return (
        screen is not None
        and screen.isVisible()
        and screen.method == method
        and screen.unlock_button.isEnabled()
    )


def _unlock_once_with_keychain(qtbot, make_controller, path):
    """A first day: the unlock screen, the keychain opens it, the note is saved."""
    first = make_controller(path)
    first.start()
    assert first.unlock_screen is not None and first.unlock_screen.isVisible()
    qtbot.waitUntil(lambda: _unlocked(first), timeout=WAIT)
    qtbot.waitUntil(lambda: str(path) in load_app_settings().keychain_start, timeout=WAIT)
    first.shutdown()


def test_after_a_keychain_unlock_the_next_start_opens_the_main_window_first(
    qtbot, make_vault, make_controller
):
    created = make_vault(passphrase=None, use_keychain=True, sample_contacts=3)
    _unlock_once_with_keychain(qtbot, make_controller, created.path)
    assert load_app_settings().last_vault == str(created.path)

    controller = make_controller(created.path)
    controller.start()
    window = controller.main_window
    # At once, before any background work: the main window, no unlock screen at all.
    assert window is not None and window.isVisible()
    assert controller.unlock_screen is None
    assert window.status_key.text() == "Unlocking with this computer's keychain…"
    assert not window.lock_action.isEnabled()
    qtbot.waitUntil(lambda: controller.vault is not None, timeout=WAIT)
    assert window.lock_action.isEnabled()
    assert window.status_key.text() == "Unlocked with this computer's keychain"
    dashboard = window.page("dashboard")
    qtbot.waitUntil(lambda: dashboard.tiles["people"].value.text() == "3", timeout=WAIT)


def test_when_the_keychain_lost_the_key_the_main_window_gives_way_to_the_unlock_screen(
    qtbot, make_vault, make_controller, memory_keyring
):
    created = make_vault(use_keychain=True)  # a passphrase too
    _unlock_once_with_keychain(qtbot, make_controller, created.path)
    memory_keyring.entries.clear()

    controller = make_controller(created.path)
    controller.start()
    assert controller.main_window.isVisible()
    qtbot.waitUntil(lambda: _form_ready(controller), timeout=WAIT)
    assert not controller.main_window.isVisible()
    assert controller.unlock_screen.notice.text() == KEYCHAIN_LOST
    # The note is dropped, so the next start asks first instead of flashing a window.
    qtbot.waitUntil(
        lambda: str(created.path) not in load_app_settings().keychain_start, timeout=WAIT
    )
    controller.unlock_screen.passphrase_edit.setText(RIGHT)
    click(qtbot, controller.unlock_screen.unlock_button)
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)


def test_open_another_vault_from_the_unlock_screen(qtbot, make_vault, make_controller):
    first = make_vault("office.crasme")
    second = make_vault("branch.crasme", passphrase=None, use_keychain=True, sample_contacts=2)
    asked: list = []

    def choose(folder):
        asked.append(folder)
        return second.path

    controller = make_controller(first.path, choose_vault_path=choose)
    controller.start()
    qtbot.waitUntil(lambda: _form_ready(controller), timeout=WAIT)
    screen = controller.unlock_screen
    assert screen.other_vault.isEnabled()
    click(qtbot, screen.other_vault)
    assert asked == [first.path.parent]
    assert screen.where.text() == str(second.path)
    # The second vault's key is in the keychain: it opens without typing.
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    assert controller.vault.path == second.path
    assert controller.main_window.windowTitle() == "Crasme Desktop — branch.crasme"


def test_cancelling_the_other_vault_question_changes_nothing(qtbot, make_vault, make_controller):
    created = make_vault()
    controller = make_controller(created.path, choose_vault_path=lambda folder: None)
    controller.start()
    qtbot.waitUntil(lambda: _form_ready(controller), timeout=WAIT)
    controller.open_other_vault()
    assert controller.vault_path == created.path
    assert _form_ready(controller)


def test_after_a_lock_the_unlock_options_are_read_again(
    qtbot, make_vault, make_controller, memory_keyring
):
    created = make_vault(use_keychain=True)
    controller = make_controller(created.path)
    controller.start()
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    # While it is open, the keychain entry disappears (removed by hand, say).
    memory_keyring.entries.clear()
    controller.lock()
    screen = controller.unlock_screen
    assert screen.method == KEYCHAIN  # what it knew before the lock
    qtbot.waitUntil(lambda: _form_ready(controller, PASSPHRASE), timeout=WAIT)
    assert not screen.keychain_has_key
    assert not screen.use_keychain.isVisible()


def _settings(qtbot, controller):
    window = controller.main_window
    window.show_page("settings")
    return window.page("settings")


def _open_dialog(qtbot, settings, button, kind):
    click(qtbot, button)
    qtbot.waitUntil(lambda: isinstance(settings.key_dialog, kind), timeout=WAIT)
    return settings.key_dialog


def test_change_passphrase_checks_the_old_one_and_the_new_one_opens_the_vault(
    qtbot, make_vault, make_controller
):
    created = make_vault()
    controller = make_controller(created.path, env_passphrase=RIGHT)
    controller.start()
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    settings = _settings(qtbot, controller)
    dialog = _open_dialog(qtbot, settings, settings.change_passphrase_button,
                          ChangePassphraseDialog)
    assert dialog.has_passphrase

    new = "plum orchard lantern seventeen"
    dialog.current.setText("not the passphrase")
    dialog.fields.first.setText(new)
    dialog.fields.second.setText(new)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=WAIT)
    assert dialog.error.text() == WrongPassphrase().message

    dialog.current.setText(RIGHT)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: settings.key_note.text() != "", timeout=WAIT)
    assert settings.key_note.text() == "Passphrase changed. Use the new one from now on."

    controller.lock()
    with open_vault(created.path, passphrase=new, use_keychain=False) as vault:
        assert vault.key_source == "passphrase"
    try:
        open_vault(created.path, passphrase=RIGHT, use_keychain=False).close()
    except WrongPassphrase:
        pass
    else:
        raise AssertionError("the old passphrase still opens the vault")
    # The recovery key is untouched.
    with open_vault(created.path, recovery_key=created.recovery_key, use_keychain=False):
        pass


def test_rotate_key_shows_the_new_recovery_key_once_and_only_it_works(
    qtbot, make_vault, make_controller
):
    created = make_vault(sample_contacts=4)
    controller = make_controller(created.path, env_passphrase=RIGHT)
    controller.start()
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    settings = _settings(qtbot, controller)
    dialog = _open_dialog(qtbot, settings, settings.rotate_key_button, RotateKeyDialog)

    click(qtbot, dialog.rotate_button)
    assert dialog.error.text() == "Type the vault's passphrase first."
    dialog.passphrase.setText(RIGHT)
    click(qtbot, dialog.rotate_button)
    qtbot.waitUntil(lambda: dialog.showing_key, timeout=WAIT)
    new_key = dialog.panel.recovery_key
    assert re.fullmatch(r"[A-Z0-9]{5}(-[A-Z0-9]{5}){7}", new_key)
    assert new_key != created.recovery_key
    # Closing before keeping the key is refused with a reason.
    dialog.reject()
    assert dialog.isVisible()
    assert "tick the box" in dialog.panel.status.text()
    assert not dialog.done_button.isEnabled()
    dialog.panel.confirm.setChecked(True)
    click(qtbot, dialog.done_button)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    QApplication.processEvents()

    # The data is still there, read through the new key.
    dashboard = controller.main_window.page("dashboard")
    controller.main_window.show_page("dashboard")
    dashboard.refresh()
    qtbot.waitUntil(lambda: dashboard.tiles["people"].value.text() == "4", timeout=WAIT)
    controller.lock()
    with open_vault(created.path, recovery_key=new_key, use_keychain=False) as vault:
        assert vault.key_source == "recovery"
    try:
        open_vault(created.path, recovery_key=created.recovery_key, use_keychain=False).close()
    except WrongRecoveryKey:
        pass
    else:
        raise AssertionError("the old recovery key still opens the vault")
