"""Wrong vault passphrases and recovery keys are counted and paused like wrong sign-ins.

Real SQLCipher vaults; Argon2id runs with a small cost (the slots store their cost) so
that each try takes milliseconds. The clock is a FakeClock: no test waits.
"""

from __future__ import annotations

import uuid

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.vault import attempts, create_vault, keyslots, open_vault, user_slots
from crasme_desktop.vault import errors as E
from tests.integration.conftest import PASSPHRASE
from tests.support.sentences import assert_one_sentence

ANNA = str(uuid.uuid4())
ANNA_PASS = "anna's long passphrase"


pytestmark = pytest.mark.usefixtures("cheap_user_slots")


@pytest.fixture
def made(vault_path, keychain):
    """A vault with a passphrase, a recovery key and the key in the test keychain."""
    return create_vault(vault_path, passphrase=PASSPHRASE, keychain=keychain)


def typed(path, clock, *, passphrase=None, recovery_key=None):
    return open_vault(path, passphrase=passphrase, recovery_key=recovery_key,
                      use_keychain=False, clock=clock)


def fail_free_tries(path, clock):
    """The wrong passphrases allowed before the pause (the last one starts it)."""
    for _ in range(attempts.FREE_FAILURES - 1):
        with pytest.raises(E.WrongPassphrase):
            typed(path, clock, passphrase="not the passphrase")
    with pytest.raises(E.UnlockPaused) as caught:
        typed(path, clock, passphrase="not the passphrase")
    return caught.value


def test_wrong_passphrases_pause_unlocking_then_the_right_one_resets(made, unchanged):
    clock = FakeClock()
    path = made.path
    paused = fail_free_tries(path, clock)
    message = str(paused)
    assert_one_sentence(message)
    assert message == ("There were too many wrong passphrases or sign-ins, so unlocking is "
                       "paused; wait 30 seconds and try again.")
    assert paused.exit_code == E.SignInPaused(1).exit_code
    assert attempts.read_sign_in_state(path).failures == attempts.FREE_FAILURES
    # During the pause even the right passphrase waits, nothing is counted or changed.
    clock.advance(20)
    check = unchanged(path)
    with pytest.raises(E.UnlockPaused, match="wait 10 seconds"):
        typed(path, clock, passphrase=PASSPHRASE)
    check()
    assert attempts.read_sign_in_state(path).failures == attempts.FREE_FAILURES
    # A wrong try after the pause doubles it.
    clock.advance(10)
    with pytest.raises(E.UnlockPaused, match="wait 1 minute and try"):
        typed(path, clock, passphrase="still wrong")
    clock.advance(60)
    with typed(path, clock, passphrase=PASSPHRASE) as vault:
        assert vault.key_source == "passphrase"
    assert not attempts.sign_in_state_path(path).exists()
    with pytest.raises(E.WrongPassphrase):
        typed(path, clock, passphrase="wrong once more")


def test_wrong_recovery_keys_count_and_pause_the_same_way(made):
    clock = FakeClock()
    path = made.path
    wrong = keyslots.new_recovery_key()
    for _ in range(attempts.FREE_FAILURES - 1):
        with pytest.raises(E.WrongRecoveryKey):
            typed(path, clock, recovery_key=wrong)
    with pytest.raises(E.UnlockPaused, match="wait 30 seconds"):
        typed(path, clock, recovery_key=wrong)
    with pytest.raises(E.UnlockPaused):
        typed(path, clock, recovery_key=made.recovery_key)
    clock.advance(30)
    with typed(path, clock, recovery_key=made.recovery_key) as vault:
        assert vault.key_source == "recovery"
    assert attempts.read_sign_in_state(path).failures == 0


def test_passphrases_and_sign_ins_share_one_count(made, keychain):
    clock = FakeClock()
    path = made.path
    with open_vault(path, keychain=keychain) as vault:
        user_slots.add_user_slot(vault, ANNA, "Anna", ANNA_PASS)
    for _ in range(attempts.FREE_FAILURES - 1):
        with pytest.raises(E.WrongSignIn):
            user_slots.open_as_user(path, "anna", "not anna's", use_keychain=False,
                                    clock=clock)
    # The fifth wrong try, by vault passphrase, starts the pause for both ways in.
    with pytest.raises(E.UnlockPaused):
        typed(path, clock, passphrase="guessing the owner's instead")
    with pytest.raises(E.SignInPaused, match="signing in is paused"):
        user_slots.open_as_user(path, "anna", ANNA_PASS, use_keychain=False, clock=clock)


def test_the_keychain_is_neither_paused_nor_counted(made, keychain):
    clock = FakeClock()
    path = made.path
    fail_free_tries(path, clock)
    with open_vault(path, keychain=keychain, clock=clock) as vault:
        assert vault.key_source == "keychain"
    # A wrong passphrase given beside a key the keychain holds is never tried.
    with open_vault(path, keychain=keychain, passphrase="wrong", clock=clock) as vault:
        assert vault.key_source == "keychain"
    assert attempts.read_sign_in_state(path).failures == attempts.FREE_FAILURES


def test_a_vault_without_a_passphrase_says_so_without_counting(vault_path, keychain):
    made = create_vault(vault_path, passphrase=None, keychain=keychain)
    with pytest.raises(E.KeyUnavailable):
        typed(made.path, FakeClock(), passphrase="anything")
    assert not attempts.sign_in_state_path(made.path).exists()


def test_a_read_only_folder_still_says_wrong_passphrase(made, read_only_folder):
    read_only_folder(made.path.parent)
    with pytest.raises(E.WrongPassphrase):
        typed(made.path, FakeClock(), passphrase="wrong")
    assert attempts.read_sign_in_state(made.path).failures == 0
