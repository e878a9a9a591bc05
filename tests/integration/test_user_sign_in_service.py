"""Sign-ins through `services.users`: giving, resetting and changing a passphrase,
renaming a user's sign-in with them, and removing a user, which removes their key slot
and rotates the data key so that a copy made afterwards does not open for them.

Real SQLCipher vaults; Argon2id runs cheaply here as in test_user_slots.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.permissions import BUILTIN_ROLE_IDS, PermissionDenied
from crasme_desktop.services import audit, permissions, users, vaults
from crasme_desktop.vault import errors as E
from crasme_desktop.vault import open_vault, user_slots
from crasme_desktop.vault.paths import keyslot_path
from tests.integration.conftest import PASSPHRASE
from tests.support.sentences import assert_one_sentence

ANNA_PASS, BEN_PASS = "anna's long passphrase", "ben keeps another one"


pytestmark = pytest.mark.usefixtures("cheap_user_slots")


def sign_in(path, name, passphrase):
    return vaults.sign_in(path, name, passphrase, use_keychain=False)


def copy_vault(path: Path, folder: Path) -> Path:
    folder.mkdir()
    target = folder / path.name
    shutil.copyfile(path, target)
    shutil.copyfile(keyslot_path(path), keyslot_path(target))
    return target


def as_owner(created, keychain):
    """The vault opened the Owner's way (its keychain key), acting as its Owner."""
    return open_vault(created.path, keychain=keychain)


def test_a_user_added_with_a_passphrase_signs_in_as_themself(created, keychain):
    with as_owner(created, keychain) as vault:
        anna = users.add_user(vault, "Anna Berg", BUILTIN_ROLE_IDS["staff"],
                              passphrase=ANNA_PASS)
        assert anna.has_sign_in
        listed = {u.display_name: u.has_sign_in for u in users.list_users(vault)}
        assert listed == {"Anna Berg": True, "Owner": False}
        assert users.acting_user(vault).display_name == "Owner"
    with sign_in(created.path, "  anna   BERG ", ANNA_PASS) as opened:
        assert opened.signed_in_user_id == anna.id
        assert opened.actor.role_name == "Staff"
        assert users.acting_user(opened).display_name == "Anna Berg"


def test_a_refused_passphrase_adds_no_user(vault):
    with pytest.raises(UserError) as caught:
        users.add_user(vault, "Anna Berg", BUILTIN_ROLE_IDS["staff"], passphrase="short")
    assert_one_sentence(caught.value.message)
    assert [u.display_name for u in users.list_users(vault)] == ["Owner"]
    assert not user_slots.has_user_slots(vault.path)


def test_giving_and_resetting_a_passphrase_needs_users_and_the_old_one_stops(created,
                                                                             keychain):
    with as_owner(created, keychain) as vault:
        ben = users.add_user(vault, "Ben", BUILTIN_ROLE_IDS["read_only"])
        assert not ben.has_sign_in
        assert users.set_sign_in(vault, ben.id, BEN_PASS).has_sign_in
    with sign_in(created.path, "ben", BEN_PASS) as opened:
        assert opened.signed_in_user_id == ben.id
        with pytest.raises(PermissionDenied):  # Read-only may not reset anyone's
            users.set_sign_in(opened, ben.id, "something else entirely")
    with as_owner(created, keychain) as vault:
        users.set_sign_in(vault, ben.id, "a brand new passphrase")
    with pytest.raises(E.WrongSignIn):
        sign_in(created.path, "ben", BEN_PASS)
    with sign_in(created.path, "ben", "a brand new passphrase") as opened:
        assert opened.signed_in_user_id == ben.id
    with as_owner(created, keychain) as vault:
        actions = [e.action for e in audit.events_for_record(vault, "app_user", ben.id)]
    assert actions.count("user.sign_in_set") == 2


def test_a_user_changes_their_own_passphrase_knowing_the_current_one(created, keychain):
    with as_owner(created, keychain) as vault:
        ben = users.add_user(vault, "Ben", BUILTIN_ROLE_IDS["read_only"], passphrase=BEN_PASS)
        with pytest.raises(UserError) as caught:  # not signed in: whose would it be?
            users.change_own_passphrase(vault, BEN_PASS, "whatever it may be")
        assert_one_sentence(caught.value.message)
    with sign_in(created.path, "ben", BEN_PASS) as opened:
        with pytest.raises(E.WrongPassphrase):
            users.change_own_passphrase(opened, "not it at all", "my new passphrase")
        users.change_own_passphrase(opened, BEN_PASS, "my new passphrase")
    with pytest.raises(E.WrongSignIn):
        sign_in(created.path, "ben", BEN_PASS)
    with sign_in(created.path, "ben", "my new passphrase") as opened:
        assert opened.signed_in_user_id == ben.id


def test_renaming_a_user_renames_their_sign_in(created, keychain):
    with as_owner(created, keychain) as vault:
        ben = users.add_user(vault, "Ben", BUILTIN_ROLE_IDS["staff"], passphrase=BEN_PASS)
        users.rename_user(vault, ben.id, "Benjamin Kraus")
    with pytest.raises(E.WrongSignIn):
        sign_in(created.path, "ben", BEN_PASS)
    with sign_in(created.path, "benjamin kraus", BEN_PASS) as opened:
        assert opened.signed_in_user_id == ben.id


def test_removing_a_user_makes_their_passphrase_useless_on_a_later_copy(created, keychain,
                                                                        tmp_path):
    with as_owner(created, keychain) as vault:
        anna = users.add_user(vault, "Anna Berg", BUILTIN_ROLE_IDS["staff"],
                              passphrase=ANNA_PASS)
        ben = users.add_user(vault, "Ben", BUILTIN_ROLE_IDS["staff"], passphrase=BEN_PASS)
    before = copy_vault(created.path, tmp_path / "before")
    with as_owner(created, keychain) as vault:
        assert users.remove_user(vault, anna.id) is None  # new-style slots: no new key kit
        assert [u.display_name for u in users.list_users(vault)] == ["Ben", "Owner"]
        assert audit.verify_chain(vault).ok
    assert user_slots.user_ids_with_slots(created.path) == [ben.id]
    assert not user_slots.rotation_due(created.path)
    after = copy_vault(created.path, tmp_path / "after")
    with pytest.raises(E.WrongSignIn):
        sign_in(after, "anna berg", ANNA_PASS)
    with sign_in(after, "ben", BEN_PASS) as opened:
        assert opened.signed_in_user_id == ben.id
    with open_vault(after, use_keychain=False, passphrase=PASSPHRASE) as opened:
        assert permissions.actor_of(opened).role_name == "Owner"
    with open_vault(after, use_keychain=False, recovery_key=created.recovery_key):
        pass
    # The copy made before still knew her (which is why the key had to change).
    _key, user_id = user_slots.unlock_as_user(before, "anna berg", ANNA_PASS)
    assert user_id == anna.id


def test_a_refused_removal_changes_no_key(vault):
    ben = users.add_user(vault, "Ben", BUILTIN_ROLE_IDS["staff"], passphrase=BEN_PASS)
    owner = next(u for u in users.list_users(vault) if u.display_name == "Owner")
    slots_before = keyslot_path(vault.path).read_bytes()
    with pytest.raises(UserError) as caught:
        users.remove_user(vault, owner.id)  # the last Owner, and oneself
    assert_one_sentence(caught.value.message)
    assert keyslot_path(vault.path).read_bytes() == slots_before
    assert user_slots.user_ids_with_slots(vault.path) == [ben.id]
