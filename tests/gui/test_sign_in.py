"""Signing in to a vault with user sign-ins: who are you, wrong and right passphrases,
the pause after too many wrong tries, a remembered sign-in, the Owner's vault
passphrase, and the keychain's vault-wide key left unused. Real vaults; Argon2id runs
cheaply (the slots keep the cost they were made with)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crasme_desktop.domain.permissions import BUILTIN_ROLE_IDS
from crasme_desktop.services import users, vaults
from crasme_desktop.ui.unlock import PASSPHRASE, REMEMBERED, SIGN_IN
from crasme_desktop.vault import user_slots
from PySide6.QtCore import Qt
from tests.support.clicks import click

from .conftest import PASSPHRASE as VAULT_PASSPHRASE

WAIT = 20_000
ANNA_PASS, BEN_PASS = "anna's long passphrase", "ben keeps another one"


pytestmark = pytest.mark.usefixtures("cheap_user_slots")


@pytest.fixture
def two_users(make_vault, keychain):
    """A vault where Anna (Staff) and Ben (Read-only) sign in, plus its Owner."""

    def make(**options):
        created = make_vault(**options)
        with vaults.unlock(created.path, passphrase=VAULT_PASSPHRASE, use_keychain=False,
                           keychain=keychain) as vault:
            anna = users.add_user(vault, "Anna Berg", BUILTIN_ROLE_IDS["staff"],
                                  passphrase=ANNA_PASS)
            ben = users.add_user(vault, "Ben", BUILTIN_ROLE_IDS["read_only"],
                                 passphrase=BEN_PASS)
        return created, anna, ben

    return make


def _asking(controller, method=SIGN_IN):
    screen = controller.unlock_screen
    return (screen is not None and screen.isVisible() and screen.method == method
            and screen.unlock_button.isEnabled())


def _unlocked(controller):
    window = controller.main_window
    return controller.vault is not None and window is not None and window.isVisible()


def _sign_in(qtbot, screen, name, passphrase, *, remember=False):
    screen.user_name_edit.setText(name)
    screen.user_passphrase_edit.setText(passphrase)
    screen.remember_check.setChecked(remember)
    click(qtbot, screen.unlock_button)


def test_a_two_user_vault_asks_who_you_are_and_opens_as_that_user(
    qtbot, two_users, make_controller
):
    created, anna, _ben = two_users()
    controller = make_controller(created.path)
    controller.start()
    qtbot.waitUntil(lambda: _asking(controller), timeout=WAIT)
    screen = controller.unlock_screen
    assert screen.heading.text() == "Who are you?"
    assert screen.unlock_button.text() == "Sign in"
    assert screen.use_owner.isVisible() and not screen.use_keychain.isVisible()

    _sign_in(qtbot, screen, "Anna Berg", "not her passphrase")
    qtbot.waitUntil(lambda: screen.error_text() != "", timeout=WAIT)
    assert screen.error_text() == (
        "That name and passphrase do not sign in to this vault; check both and try again.")
    assert controller.vault is None
    assert screen.user_name_edit.text() == "Anna Berg"  # only the passphrase to retype

    _sign_in(qtbot, screen, "anna berg", ANNA_PASS)
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    vault = controller.vault
    assert vault.signed_in_user_id == anna.id
    assert (vault.actor.user_id, vault.actor.role_name) == (anna.id, "Staff")
    assert vault.key_source == "user"


def test_too_many_wrong_sign_ins_pause_in_one_sentence(qtbot, two_users, make_controller):
    created, _anna, _ben = two_users()
    for _ in range(user_slots.FREE_FAILURES):
        user_slots.record_failure(created.path, datetime.now(UTC))
    controller = make_controller(created.path)
    controller.start()
    qtbot.waitUntil(lambda: _asking(controller), timeout=WAIT)
    screen = controller.unlock_screen
    _sign_in(qtbot, screen, "Ben", BEN_PASS)  # right, but it must wait
    qtbot.waitUntil(lambda: screen.error_text() != "", timeout=WAIT)
    text = screen.error_text()
    assert text.startswith("There were too many wrong")
    assert "wait " in text and text.endswith("and try again.") and text.count(".") == 1
    assert controller.vault is None


def test_a_remembered_sign_in_opens_at_once_and_waits_after_a_lock(
    qtbot, two_users, make_controller, memory_keyring
):
    created, _anna, ben = two_users()
    controller = make_controller(created.path)
    controller.start()
    qtbot.waitUntil(lambda: _asking(controller), timeout=WAIT)
    _sign_in(qtbot, controller.unlock_screen, "ben", BEN_PASS, remember=True)
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    assert len(memory_keyring.entries) == 1  # only Ben's own slot secret

    controller.lock()  # back to the sign-in screen, which waits for a press
    screen = controller.unlock_screen
    qtbot.waitUntil(lambda: _asking(controller, REMEMBERED), timeout=WAIT)
    assert controller.vault is None
    assert screen.use_sign_in.isVisible()
    controller.shutdown()

    again = make_controller(created.path)
    again.start()
    qtbot.waitUntil(lambda: _unlocked(again), timeout=WAIT)
    assert again.vault.signed_in_user_id == ben.id
    assert again.vault.key_source == "user-keychain"
    assert again.vault.actor.role_name == "Read-only"


def test_switch_user_asks_for_a_name_even_when_one_is_remembered(
    qtbot, two_users, make_controller
):
    created, anna, _ben = two_users()
    controller = make_controller(created.path)
    controller.start()
    qtbot.waitUntil(lambda: _asking(controller), timeout=WAIT)
    _sign_in(qtbot, controller.unlock_screen, "ben", BEN_PASS, remember=True)
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    controller.switch_user()
    qtbot.waitUntil(lambda: _asking(controller, SIGN_IN), timeout=WAIT)
    screen = controller.unlock_screen
    assert screen.user_name_edit.text() == "" and screen.user_passphrase_edit.text() == ""
    # The quiet re-check after the lock finds Ben remembered: offered, not taken.
    qtbot.waitUntil(screen.use_remembered.isVisible, timeout=WAIT)
    assert screen.method == SIGN_IN
    _sign_in(qtbot, screen, "Anna Berg", ANNA_PASS)
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    assert controller.vault.actor.user_id == anna.id


def test_the_owners_vault_passphrase_opens_it_as_the_owner(qtbot, two_users, make_controller):
    created, _anna, _ben = two_users()
    controller = make_controller(created.path)
    controller.start()
    qtbot.waitUntil(lambda: _asking(controller), timeout=WAIT)
    screen = controller.unlock_screen
    click(qtbot, screen.use_owner)
    assert screen.method == PASSPHRASE
    assert screen.passphrase_caption.text() == "Owner's vault passphrase"
    assert screen.use_sign_in.isVisible() and screen.use_recovery.isVisible()
    screen.passphrase_edit.setText(VAULT_PASSPHRASE)
    qtbot.keyClick(screen.passphrase_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    vault = controller.vault
    assert vault.signed_in_user_id is None and vault.key_source == "passphrase"
    assert vault.actor.role_name == "Owner"


def test_the_keychains_vault_key_is_not_used_for_a_vault_people_sign_in_to(
    qtbot, two_users, make_controller, keychain
):
    created, _anna, _ben = two_users(use_keychain=True)
    assert keychain.get(created.vault_id) is not None  # it is there, and must stay unused
    controller = make_controller(created.path)
    controller.start()
    qtbot.waitUntil(lambda: _asking(controller), timeout=WAIT)
    assert controller.vault is None
    screen = controller.unlock_screen
    assert not screen.use_keychain.isVisible()
    screen.show_form("keychain")  # even asked for directly, it is the sign-in form
    assert screen.method == SIGN_IN
