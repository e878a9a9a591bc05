"""Rotating the data key, including a crash at each step."""

from __future__ import annotations

import pytest
from crasme_desktop.domain.models import Person
from crasme_desktop.vault import errors as E
from crasme_desktop.vault import keyslots, open_vault
from crasme_desktop.vault.core import finish_rekey
from crasme_desktop.vault.unlock import read_slot_file
from tests.integration.conftest import PASSPHRASE


def add_person(vault, name):
    with vault.unit_of_work() as uow:
        uow.session.add(Person(given_name=name))


def names(vault):
    with vault.unit_of_work() as uow:
        return sorted(p.given_name for p in uow.session.query(Person))


def test_rekey_rotates_every_way_in(created, keychain):
    old_key = keychain.get(created.vault_id)
    with open_vault(created.path, keychain=keychain) as vault:
        add_person(vault, "Before")
        new_recovery = vault.rekey(PASSPHRASE)
        add_person(vault, "After")  # the live vault goes on working with the new key
    assert keychain.get(created.vault_id) != old_key
    assert keychain.get(created.vault_id, pending=True) is None
    assert read_slot_file(created.path).pending is None
    with pytest.raises(E.WrongRecoveryKey):
        open_vault(created.path, use_keychain=False, recovery_key=created.recovery_key)
    for kwargs in ({"recovery_key": new_recovery}, {"passphrase": PASSPHRASE}):
        with open_vault(created.path, use_keychain=False, **kwargs) as vault:
            assert names(vault) == ["After", "Before"]
    with open_vault(created.path, keychain=keychain) as vault:
        assert vault.key_source == "keychain"


def test_rekey_needs_the_passphrase(created, keychain):
    with open_vault(created.path, keychain=keychain) as vault:
        with pytest.raises(E.UserError, match="passphrase"):
            vault.rekey(None)
        with pytest.raises(E.WrongPassphrase):
            vault.rekey("not it at all")
    assert read_slot_file(created.path).pending is None


def _crash_during_rekey(created, keychain, *, applied: bool):
    """Do a rekey's first steps by hand, as if the process died after them."""
    vault = open_vault(created.path, keychain=keychain)
    add_person(vault, "Kept")
    slots = read_slot_file(created.path)
    new_key = keyslots.new_data_key()
    slots.pending = keyslots.build_keyset(
        new_key, created.vault_id, passphrase=PASSPHRASE, recovery_key="NEWRK-NEWRK-NEWRK-NEWRK"
    )
    vault.engine.dispose()
    from crasme_desktop.vault.core import _write_slots

    _write_slots(created.path, slots)
    keychain.store(created.vault_id, new_key, pending=True)
    if applied:
        vault._apply_rekey(new_key)
    vault._engine = None  # the process is gone: nothing more is written
    vault._lock.release()
    return new_key


@pytest.mark.parametrize("how", ["keychain", "passphrase", "recovery"])
def test_crash_after_rekey_applied_opens_with_pending_key(created, keychain, how):
    new_key = _crash_during_rekey(created, keychain, applied=True)
    kwargs = {
        "keychain": {"keychain": keychain},
        "passphrase": {"use_keychain": False, "passphrase": PASSPHRASE},
        "recovery": {"use_keychain": False, "recovery_key": "NEWRK-NEWRK-NEWRK-NEWRK"},
    }[how]
    with open_vault(created.path, **kwargs) as vault:
        assert names(vault) == ["Kept"]
    slots = read_slot_file(created.path)
    assert slots.pending is None, "the interrupted rekey is finished on open"
    assert slots.current.key_check == keyslots.key_check(new_key, created.vault_id)
    if how == "keychain":
        assert keychain.get(created.vault_id) == bytes(new_key)


def test_crash_before_rekey_applied_keeps_current_key(created, keychain):
    _crash_during_rekey(created, keychain, applied=False)
    with open_vault(created.path, keychain=keychain) as vault:
        assert names(vault) == ["Kept"]
    assert read_slot_file(created.path).pending is None
    assert keychain.get(created.vault_id, pending=True) is None
    with open_vault(created.path, use_keychain=False, recovery_key=created.recovery_key):
        pass


def test_finish_rekey_is_idempotent(created, keychain):
    slots = read_slot_file(created.path)
    finish_rekey(created.path, slots, keychain, bytearray(keychain.get(created.vault_id)))
    with open_vault(created.path, keychain=keychain) as vault:
        assert vault.key_source == "keychain"


def test_a_rekey_waits_for_a_read_in_progress_and_holds_new_ones_back(created, keychain):
    """A read that began before the rotation ends with the old key (SQLCipher would fail
    it once the file is re-encrypted); reads begun meanwhile wait and use the new key."""
    import threading

    with open_vault(created.path, keychain=keychain) as vault:
        add_person(vault, "Before")
        reading, may_finish = threading.Event(), threading.Event()
        seen: list[object] = []

        def long_read() -> None:
            try:
                with vault.unit_of_work() as uow:
                    seen.append(uow.session.query(Person).count())
                    reading.set()
                    may_finish.wait(30)
                    seen.append(sorted(p.given_name for p in uow.session.query(Person)))
            except BaseException as error:
                seen.append(error)

        reader = threading.Thread(target=long_read)
        reader.start()
        assert reading.wait(30)
        rotation = threading.Thread(target=vault.rekey, args=(PASSPHRASE,))
        rotation.start()
        rotation.join(0.5)
        assert rotation.is_alive()  # waiting for the read, not re-encrypting under it
        later: list[object] = []
        def late_read() -> None:
            try:
                later.append(names(vault))
            except BaseException as error:
                later.append(error)

        late_reader = threading.Thread(target=late_read)
        late_reader.start()
        late_reader.join(0.3)
        assert late_reader.is_alive() and not later  # held back while the key changes
        may_finish.set()
        reader.join(30)
        rotation.join(60)
        late_reader.join(30)
        assert seen == [1, ["Before"]]
        assert later == [["Before"]]
        add_person(vault, "After")
        assert names(vault) == ["After", "Before"]
    assert keychain.get(created.vault_id) is not None
