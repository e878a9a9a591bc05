"""Settings › Users and roles on real vaults: the Owner makes a Bookkeeper role that only
reads invoices and a user with it, who then signs in with exactly that; removing a user
takes their sign-in; built-in roles open read-only; a refusal shows the service's
sentence; a Staff user sees no Users section and the settings they may not change
disabled with the reason."""

from __future__ import annotations

import pytest
from crasme_desktop.domain.permissions import BUILTIN_ROLE_IDS, Permission
from crasme_desktop.services import users, vaults
from crasme_desktop.ui.unlock import SIGN_IN
from crasme_desktop.vault import user_slots
from tests.support.clicks import click

from .conftest import PASSPHRASE as VAULT_PASSPHRASE

WAIT = 20_000
STAFF_PASS = "stefan's own passphrase"
BEA_PASS = "bea reads the invoices"


pytestmark = pytest.mark.usefixtures("cheap_user_slots")


@pytest.fixture
def office(make_vault, keychain):
    """A vault with its Owner and Stefan (Staff), who signs in."""
    created = make_vault()
    with vaults.unlock(created.path, passphrase=VAULT_PASSPHRASE, use_keychain=False,
                       keychain=keychain) as vault:
        users.add_user(vault, "Stefan", BUILTIN_ROLE_IDS["staff"], passphrase=STAFF_PASS)
    return created


def _unlocked(controller):
    window = controller.main_window
    return controller.vault is not None and window is not None and window.isVisible()


def _open_settings(qtbot, controller):
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)
    page = controller.main_window.page("settings")
    return page, page.users


def _listed(section):
    return {u.display_name: (u.role_name, u.active, u.has_sign_in) for u in section.users}


def _as_owner(qtbot, office, make_controller):
    controller = make_controller(office.path, env_passphrase=VAULT_PASSPHRASE)
    controller.start()
    page, section = _open_settings(qtbot, controller)
    qtbot.waitUntil(lambda: "Stefan" in _listed(section), timeout=WAIT)
    return controller, page, section


def _save(qtbot, dialog):
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        click(qtbot, dialog.save_button)


def _sign_in(qtbot, controller, name, passphrase):
    screen = controller.unlock_screen
    qtbot.waitUntil(lambda: screen.isVisible() and screen.method == SIGN_IN
                    and screen.unlock_button.isEnabled(), timeout=WAIT)
    screen.user_name_edit.setText(name)
    screen.user_passphrase_edit.setText(passphrase)
    click(qtbot, screen.unlock_button)
    qtbot.waitUntil(lambda: _unlocked(controller), timeout=WAIT)


def test_the_owner_adds_a_bookkeeper_who_may_only_read_invoices(
    qtbot, office, make_controller
):
    controller, _page, section = _as_owner(qtbot, office, make_controller)
    assert section.card.isVisibleTo(section)
    assert _listed(section)["Owner"] == ("Owner", True, False)

    role_dialog = section.new_role()
    role_dialog.name.setText("Bookkeeper")
    role_dialog.boxes["invoices.view"].setChecked(True)
    _save(qtbot, role_dialog)
    qtbot.waitUntil(lambda: any(r.name == "Bookkeeper" for r in section.roles), timeout=WAIT)

    dialog = section.add_user()
    dialog.name.setText("Bea Berger")
    dialog.role.setCurrentIndex(dialog.role.findText("Bookkeeper"))
    dialog.fields.first.setText(BEA_PASS)
    dialog.fields.second.setText("a different one")
    click(qtbot, dialog.save_button)
    assert dialog.error.text() == "The two passphrases are not the same yet."
    dialog.fields.second.setText(BEA_PASS)
    _save(qtbot, dialog)
    qtbot.waitUntil(lambda: "Bea Berger" in _listed(section), timeout=WAIT)
    assert _listed(section)["Bea Berger"] == ("Bookkeeper", True, True)
    assert section.status.text() == "User added."

    controller.switch_user()
    _sign_in(qtbot, controller, "bea berger", BEA_PASS)
    actor = controller.vault.actor
    assert actor.role_name == "Bookkeeper"
    assert actor.permissions == frozenset({Permission("invoices", "view")})
    section = controller.main_window.page("settings").users
    assert not section.card.isVisibleTo(section)  # no `users`: no Users and roles


def test_removing_a_user_takes_their_sign_in_after_asking(qtbot, office, make_controller):
    # Reads of the pages may still be running: the key rotation waits for them.
    _controller, _page, section = _as_owner(qtbot, office, make_controller)
    asked = []
    section.confirm = lambda text: asked.append(text) or True
    section.select_user("Stefan")
    stefan = section.current_user()
    section.remove_user()
    qtbot.waitUntil(lambda: "Stefan" not in _listed(section), timeout=WAIT)
    assert "changed" in asked[0] and "may take a moment" in asked[0]
    assert section.status.text() == "Stefan was removed."
    assert stefan.id not in user_slots.user_ids_with_slots(office.path)


def test_a_refusal_shows_the_services_sentence(qtbot, office, make_controller):
    _controller, _page, section = _as_owner(qtbot, office, make_controller)
    section.select_user("Owner")
    section.toggle_active()  # the Owner deactivating themself
    qtbot.waitUntil(lambda: section.error.text() != "", timeout=WAIT)
    assert section.error.text() == (
        "You cannot deactivate your own user; ask another Owner or Admin.")
    section.select_role("Staff")  # built in: no delete
    assert not section.delete_role_button.isEnabled()


def test_a_built_in_role_opens_read_only_with_its_permissions(qtbot, office, make_controller):
    _controller, _page, section = _as_owner(qtbot, office, make_controller)
    section.select_role("Read-only")
    dialog = section.open_role()
    assert dialog.name.isReadOnly()
    assert all(not box.isEnabled() for box in dialog.boxes.values())
    assert dialog.boxes["contacts.view"].isChecked()
    assert not dialog.boxes["contacts.edit"].isChecked()
    assert not dialog.boxes["export"].isChecked()
    dialog.reject()


def test_a_staff_user_sees_no_users_section_and_cannot_change_settings(
    qtbot, office, make_controller
):
    controller = make_controller(office.path)
    controller.start()
    _sign_in(qtbot, controller, "Stefan", STAFF_PASS)
    page, section = _open_settings(qtbot, controller)
    assert controller.vault.actor.role_name == "Staff"
    assert not section.card.isVisibleTo(section)
    assert section.own_card.isVisibleTo(section)  # but may change their own passphrase
    assert not page.business.isEnabled()
    assert page.business.toolTip() == "Your role (Staff) does not allow changing settings."
    assert not page.rotate_key_button.isEnabled()
    assert page.rotate_key_button.toolTip() == (
        "Your role (Staff) does not allow changing the vault's key.")
    assert not page.backups.isEnabled()
