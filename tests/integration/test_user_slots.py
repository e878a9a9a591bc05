"""Signing in as one of a vault's users: own key slots, rate limits, removal rotates the key.

Real SQLCipher vaults and the test keychain of tests/conftest.py. Argon2id runs with a
small cost here (the slots store their cost; tests/unit/test_keyslots.py checks the
real one) so that a sign-in takes milliseconds on a shared machine.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Person
from crasme_desktop.vault import Keychain, create_vault, keyslots, open_vault, user_slots
from crasme_desktop.vault import engine as eng
from crasme_desktop.vault import errors as E
from crasme_desktop.vault.core import Vault, _write_slots, describe_vault
from crasme_desktop.vault.keychain import get_user_secret
from crasme_desktop.vault.paths import keyslot_path
from crasme_desktop.vault.unlock import read_slot_file
from tests.integration.conftest import PASSPHRASE
from tests.support.sentences import assert_one_sentence

ANNA, BEN = str(uuid.uuid4()), str(uuid.uuid4())
ANNA_PASS, BEN_PASS = "anna's long passphrase", "ben keeps another one"


pytestmark = pytest.mark.usefixtures("cheap_user_slots")


@pytest.fixture
def two_users(created, keychain):
    """The fresh vault with one person in it and two users who can sign in."""
    with open_vault(created.path, keychain=keychain) as vault:
        with vault.unit_of_work() as uow:
            uow.session.add(Person(given_name="Kept"))
        user_slots.add_user_slot(vault, ANNA, "Anna Berg", ANNA_PASS)
        user_slots.add_user_slot(vault, BEN, "ben", BEN_PASS)
    return created


def names(vault):
    with vault.unit_of_work() as uow:
        return sorted(p.given_name for p in uow.session.query(Person))


def sign_in(path, name, passphrase, **kwargs):
    kwargs.setdefault("use_keychain", False)
    return user_slots.open_as_user(path, name, passphrase, **kwargs)


def copy_vault(path: Path, folder: Path) -> Path:
    folder.mkdir()
    target = folder / path.name
    shutil.copyfile(path, target)
    shutil.copyfile(keyslot_path(path), keyslot_path(target))
    return target


def test_each_user_signs_in_with_their_own_passphrase(two_users):
    assert user_slots.has_user_slots(two_users.path)
    assert describe_vault(two_users.path).has_user_slots
    for name, passphrase, user_id in (("Anna Berg", ANNA_PASS, ANNA),
                                      ("  ANNA   berg ", ANNA_PASS, ANNA),
                                      ("Ben", BEN_PASS, BEN)):
        with sign_in(two_users.path, name, passphrase) as vault:
            assert vault.signed_in_user_id == user_id
            assert vault.key_source == "user"
            assert names(vault) == ["Kept"]
    key, user_id = user_slots.unlock_as_user(two_users.path, "ben", BEN_PASS)
    assert user_id == BEN and keyslots.key_check(key, two_users.vault_id) == read_slot_file(
        two_users.path).current.key_check
    raw = keyslot_path(two_users.path).read_bytes()
    assert json.loads(raw)["version"] == keyslots.SEALED_FORMAT_VERSION
    for secret in (b"Anna", b"anna", b"ben", ANNA_PASS.encode(), BEN_PASS.encode()):
        assert secret not in raw


def test_the_vault_wide_ways_in_still_work_and_say_no_user(two_users, keychain):
    with open_vault(two_users.path, use_keychain=False, passphrase=PASSPHRASE) as vault:
        assert vault.signed_in_user_id is None
    with open_vault(two_users.path, use_keychain=False,
                    recovery_key=two_users.recovery_key) as vault:
        assert names(vault) == ["Kept"]


def test_a_wrong_sign_in_is_refused_in_one_sentence_and_changes_nothing(two_users, unchanged):
    check = unchanged(two_users.path)
    messages = set()
    for name, passphrase in (("anna berg", BEN_PASS), ("nobody", ANNA_PASS),
                             ("ben", "ben keeps another onE")):
        with pytest.raises(E.WrongSignIn) as caught:
            sign_in(two_users.path, name, passphrase)
        messages.add(str(caught.value))
    check()
    assert len(messages) == 1, "a wrong name reads like a wrong passphrase"
    assert_one_sentence(messages.pop())
    assert user_slots.read_sign_in_state(two_users.path).failures == 3


def test_a_slot_moved_to_another_user_opens_nothing(two_users):
    slots = read_slot_file(two_users.path)
    for slot in slots.current.slots:  # Anna's slot claims to be Ben's, and the reverse
        if slot.kind == "user":
            slot.user_id = BEN if slot.user_id == ANNA else ANNA
    _write_slots(two_users.path, slots)
    with pytest.raises(E.WrongSignIn):
        sign_in(two_users.path, "anna berg", ANNA_PASS)


def test_failed_sign_ins_pause_then_a_correct_one_resets(two_users, unchanged):
    clock = FakeClock()
    path = two_users.path
    for _ in range(user_slots.FREE_FAILURES - 1):
        with pytest.raises(E.WrongSignIn):
            sign_in(path, "ben", "not ben's at all", clock=clock)
    with pytest.raises(E.SignInPaused) as caught:
        sign_in(path, "ben", "not ben's at all", clock=clock)
    assert_one_sentence(str(caught.value))
    assert "wait 30 seconds" in str(caught.value)
    # Even the right passphrase waits, and a try during the pause is not counted.
    clock.advance(20)
    check = unchanged(path)
    with pytest.raises(E.SignInPaused, match="wait 10 seconds"):
        sign_in(path, "ben", BEN_PASS, clock=clock)
    check()
    # The count is on disk, so a restart (a fresh read) still knows it.
    assert user_slots.read_sign_in_state(path).failures == user_slots.FREE_FAILURES
    clock.advance(10)
    with pytest.raises(E.SignInPaused, match="wait 1 minute and try"):
        sign_in(path, "ben", "still not it", clock=clock)
    clock.advance(59)
    with pytest.raises(E.SignInPaused, match="wait 1 second"):
        sign_in(path, "ben", BEN_PASS, clock=clock)
    clock.advance(1)
    with sign_in(path, "ben", BEN_PASS, clock=clock) as vault:
        assert vault.signed_in_user_id == BEN
    assert user_slots.read_sign_in_state(path).failures == 0
    assert not user_slots.sign_in_state_path(path).exists()
    with pytest.raises(E.WrongSignIn):
        sign_in(path, "ben", "wrong once more", clock=clock)


def test_the_pause_doubles_up_to_its_cap(tmp_path):
    clock = FakeClock()
    vault = tmp_path / "v.crasme"
    pauses = []
    for _ in range(user_slots.FREE_FAILURES + 8):
        state = user_slots.record_failure(vault, clock.now())
        pauses.append(state.wait_seconds(clock.now()))
    assert pauses[: user_slots.FREE_FAILURES - 1] == [0] * (user_slots.FREE_FAILURES - 1)
    assert pauses[user_slots.FREE_FAILURES - 1 : user_slots.FREE_FAILURES + 3] == [
        30, 60, 120, 240]
    assert max(pauses) == user_slots.MAX_PAUSE == pauses[-1]
    assert "15 minutes" in str(E.SignInPaused(user_slots.MAX_PAUSE))


def test_removing_a_user_makes_their_passphrase_useless_on_a_later_copy(two_users, keychain,
                                                                        tmp_path):
    path = two_users.path
    old_slots = keyslot_path(path).read_bytes()
    old_key, _ = user_slots.unlock_as_user(path, "anna berg", ANNA_PASS)
    with open_vault(path, keychain=keychain) as vault:
        assert user_slots.remove_user_slot(vault, ANNA) is None  # the recovery key stays
        with vault.unit_of_work() as uow:
            uow.session.add(Person(given_name="After"))
    assert not user_slots.rotation_due(path)
    assert user_slots.user_ids_with_slots(path) == [BEN]
    copy = copy_vault(path, tmp_path / "copy")
    with pytest.raises(E.WrongSignIn):
        sign_in(copy, "anna berg", ANNA_PASS)
    # The key Anna once had does not open the copy, not even with the old key file.
    with pytest.raises(eng.WrongKeyError):
        eng.connect(copy, old_key)
    keyslot_path(copy).write_bytes(old_slots)
    with pytest.raises(E.VaultError):
        sign_in(copy, "anna berg", ANNA_PASS)
    keyslot_path(copy).write_bytes(keyslot_path(path).read_bytes())
    # Everyone else keeps their way in, unchanged.
    with sign_in(copy, "ben", BEN_PASS) as vault:
        assert vault.signed_in_user_id == BEN and names(vault) == ["After", "Kept"]
    with open_vault(copy, use_keychain=False, recovery_key=two_users.recovery_key) as vault:
        assert names(vault) == ["After", "Kept"]
    with open_vault(copy, use_keychain=False, passphrase=PASSPHRASE):
        pass
    with open_vault(path, keychain=keychain) as vault:
        assert vault.key_source == "keychain"  # the keychain's vault key was rotated too
    assert keychain.get(two_users.vault_id) != bytes(old_key)


def test_rekey_and_passphrase_changes_keep_user_sign_ins(two_users, keychain):
    with open_vault(two_users.path, keychain=keychain) as vault:
        vault.rekey(PASSPHRASE)
        vault.change_passphrase(PASSPHRASE, "a new vault passphrase")
    with sign_in(two_users.path, "anna berg", ANNA_PASS) as vault:
        user_slots.change_user_passphrase(vault, ANNA, ANNA_PASS, "anna's newer passphrase")
        with pytest.raises(E.WrongPassphrase):
            user_slots.change_user_passphrase(vault, ANNA, ANNA_PASS, "whatever it is now")
    with pytest.raises(E.WrongSignIn):
        sign_in(two_users.path, "anna berg", ANNA_PASS)
    with sign_in(two_users.path, "anna berg", "anna's newer passphrase") as vault:
        assert vault.signed_in_user_id == ANNA
        assert user_slots.check_user_passphrase(vault, BEN, BEN_PASS)
        assert not user_slots.check_user_passphrase(vault, BEN, ANNA_PASS)


def test_names_are_unique_and_can_change(two_users, keychain):
    with open_vault(two_users.path, keychain=keychain) as vault:
        for user_id, name, passphrase, words in (
            (str(uuid.uuid4()), " BEN ", "long enough pass", "already signs in"),
            (BEN, "benjamin", "long enough pass", "can already sign in"),
            (str(uuid.uuid4()), "carla", "short", "at least 8"),
            (str(uuid.uuid4()), "   ", "long enough pass", "Enter the name"),
        ):
            with pytest.raises(UserError, match=words) as caught:
                user_slots.add_user_slot(vault, user_id, name, passphrase)
            assert_one_sentence(str(caught.value))
        user_slots.rename_user_slot(vault, BEN, "Benjamin K")
        with pytest.raises(UserError, match="already signs in"):
            user_slots.rename_user_slot(vault, BEN, "anna berg")
    with pytest.raises(E.WrongSignIn):
        sign_in(two_users.path, "ben", BEN_PASS)
    with sign_in(two_users.path, "benjamin k", BEN_PASS) as vault:
        assert vault.signed_in_user_id == BEN


def test_the_keychain_remembers_only_this_users_slot_secret(two_users, keychain,
                                                            isolated_env):
    path = two_users.path
    with pytest.raises(E.KeyUnavailable) as caught:
        user_slots.open_as_user(path, keychain=keychain)
    assert_one_sentence(str(caught.value))
    with sign_in(path, "anna berg", ANNA_PASS, use_keychain=True, keychain=keychain,
                 remember_in_keychain=True):
        pass
    stored = isolated_env.keyring_file.read_text()
    assert ANNA_PASS not in stored and "anna" not in stored.lower()
    assert user_slots.remembered_user_id(path, keychain) == ANNA
    with user_slots.open_as_user(path, keychain=keychain) as vault:
        assert (vault.signed_in_user_id, vault.key_source) == (ANNA, "user-keychain")
        # Ben leaves: the key rotates, and Anna's remembered sign-in still works.
        user_slots.remove_user_slot(vault, BEN)
        # Anna changes her passphrase here: this computer's entry follows.
        user_slots.change_user_passphrase(vault, ANNA, ANNA_PASS, "anna's newer passphrase")
    with user_slots.open_as_user(path, keychain=keychain) as vault:
        assert vault.signed_in_user_id == ANNA
    user_slots.forget_sign_in(path, keychain)
    assert get_user_secret(keychain, two_users.vault_id) is None
    with pytest.raises(E.KeyUnavailable):
        user_slots.open_as_user(path, keychain=keychain)
    # Remembering later needs the passphrase; removing Anna forgets her here.
    with sign_in(path, "anna berg", "anna's newer passphrase", use_keychain=True,
                 keychain=keychain) as vault:
        with pytest.raises(E.WrongPassphrase):
            user_slots.remember_sign_in(vault, ANNA_PASS)
        user_slots.remember_sign_in(vault, "anna's newer passphrase")
        user_slots.add_user_slot(vault, BEN, "ben", BEN_PASS)
    assert user_slots.remembered_user_id(path, keychain) == ANNA
    with open_vault(path, keychain=keychain) as vault:
        user_slots.remove_user_slot(vault, ANNA)
    assert user_slots.remembered_user_id(path, keychain) is None


def test_old_style_slots_need_the_passphrase_and_get_a_new_recovery_key(created, keychain):
    key = bytearray(keychain.get(created.vault_id))
    slots = read_slot_file(created.path)
    slots.current.slots = [
        keyslots.wrap_first_format("passphrase", keyslots._argon2_params(), key,
                                   created.vault_id, PASSPHRASE),
        keyslots.wrap_first_format("recovery", {"name": "hkdf-sha256", "salt": "A" * 22 + "=="},
                                   key, created.vault_id, created.recovery_key),
    ]
    _write_slots(created.path, slots)
    with open_vault(created.path, keychain=keychain) as vault:
        user_slots.add_user_slot(vault, ANNA, "anna", ANNA_PASS)
        with pytest.raises(UserError, match="vault's passphrase") as caught:
            user_slots.remove_user_slot(vault, ANNA)
        assert_one_sentence(str(caught.value))
        with pytest.raises(E.WrongPassphrase):
            user_slots.remove_user_slot(vault, ANNA, passphrase="not the passphrase")
        new_recovery = user_slots.remove_user_slot(vault, ANNA, passphrase=PASSPHRASE)
    assert new_recovery and new_recovery != created.recovery_key
    with pytest.raises(E.WrongRecoveryKey):
        open_vault(created.path, use_keychain=False, recovery_key=created.recovery_key)
    with open_vault(created.path, use_keychain=False, recovery_key=new_recovery):
        pass
    with open_vault(created.path, use_keychain=False, passphrase=PASSPHRASE):
        pass
    assert all(slot.sealed for slot in read_slot_file(created.path).current.slots)


_KILLER = """
import os, signal, sys
from pathlib import Path
from crasme_desktop.vault import core, open_vault, user_slots

path, user_id, point = Path(sys.argv[1]), sys.argv[2], sys.argv[3]

def die(*_args):
    os.kill(os.getpid(), signal.SIGKILL)

if point == "writing-the-key-file":
    real_replace = os.replace
    def replace(src, dst):
        if str(dst).endswith(".keys"):
            die()
        return real_replace(src, dst)
    os.replace = replace
elif point == "before-re-encrypting":
    core.Vault._apply_rekey = die
elif point == "after-re-encrypting":
    real_apply = core.Vault._apply_rekey
    def apply_then_die(self, key):
        real_apply(self, key)
        die()
    core.Vault._apply_rekey = apply_then_die
vault = open_vault(path)
user_slots.remove_user_slot(vault, user_id)
print("not killed")
"""


@pytest.mark.parametrize(
    "point", ["writing-the-key-file", "before-re-encrypting", "after-re-encrypting"])
def test_a_kill_while_removing_a_user_leaves_a_vault_that_opens(two_users, keychain, point):
    path = two_users.path
    old_check = read_slot_file(path).current.key_check
    done = subprocess.run([sys.executable, "-c", _KILLER, str(path), ANNA, point],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "not killed" not in done.stdout
    slots = read_slot_file(path)  # parses: never half a file
    with sign_in(path, "ben", BEN_PASS, use_keychain=True, keychain=keychain) as vault:
        assert names(vault) == ["Kept"]
    with open_vault(path, use_keychain=False, recovery_key=two_users.recovery_key):
        pass
    with open_vault(path, keychain=keychain) as vault:
        assert vault.key_source == "keychain"
    if point == "writing-the-key-file":  # nothing reached the disk: Anna is still there
        assert slots.pending is None and slots.current.user_slot(ANNA) is not None
        return
    with pytest.raises(E.WrongSignIn):
        sign_in(path, "anna berg", ANNA_PASS)
    after = read_slot_file(path)
    assert after.pending is None, "the interrupted rotation was finished or dropped on open"
    if point == "before-re-encrypting":
        assert after.current.key_check == old_check and user_slots.rotation_due(path)
        with open_vault(path, keychain=keychain) as vault:
            vault.change_passphrase(PASSPHRASE, "another vault passphrase")
            assert user_slots.rotation_due(path), "a passphrase change keeps the mark"
            assert user_slots.remove_user_slot(vault, ANNA) is None  # finishes the job
    assert not user_slots.rotation_due(path)
    assert read_slot_file(path).current.key_check != old_check
    with sign_in(path, "ben", BEN_PASS) as vault:
        assert names(vault) == ["Kept"]


@pytest.mark.keychain
def test_a_real_keychain_remembers_and_forgets_a_sign_in(tmp_path, secret_service_keyring):
    keychain = Keychain(secret_service_keyring)
    path = tmp_path / "office.crasme"
    created = create_vault(path, passphrase=PASSPHRASE, keychain=keychain, use_keychain=True)
    try:
        with open_vault(path, keychain=keychain) as vault:
            user_slots.add_user_slot(vault, ANNA, "anna", ANNA_PASS)
        with sign_in(path, "anna", ANNA_PASS, use_keychain=True, keychain=keychain,
                     remember_in_keychain=True):
            pass
        remembered = get_user_secret(keychain, created.vault_id)
        assert remembered is not None and remembered[0] == ANNA
        assert ANNA_PASS.encode() not in remembered[1]
        with user_slots.open_as_user(path, keychain=keychain) as vault:
            assert (vault.signed_in_user_id, vault.key_source) == (ANNA, "user-keychain")
        user_slots.forget_sign_in(path, keychain)
        assert user_slots.remembered_user_id(path, keychain) is None
    finally:
        user_slots.forget_sign_in(path, keychain)
        keychain.delete(created.vault_id)


def test_finishing_a_rotation_at_sign_in_adds_no_vault_key_to_the_keychain(two_users, keychain):
    """A user's computer whose keychain never held the vault key gets none when their
    sign-in finishes a rotation someone else's crash interrupted."""
    path = two_users.path
    keychain.delete(two_users.vault_id)
    vault = open_vault(path, use_keychain=False, passphrase=PASSPHRASE)
    real_apply = Vault._apply_rekey

    def apply_then_die(self, key):
        real_apply(self, key)
        raise KeyboardInterrupt  # the process ends here

    Vault._apply_rekey = apply_then_die
    try:
        with pytest.raises(KeyboardInterrupt):
            user_slots.remove_user_slot(vault, ANNA)
    finally:
        Vault._apply_rekey = real_apply
    vault._engine = None  # the process is gone: nothing more is written
    vault._lock.release()
    assert read_slot_file(path).pending is not None
    with sign_in(path, "ben", BEN_PASS, use_keychain=True, keychain=keychain) as vault:
        assert names(vault) == ["Kept"]
    assert read_slot_file(path).pending is None
    assert keychain.get(two_users.vault_id) is None
