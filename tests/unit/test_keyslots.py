"""Key slots: wrapping and unwrapping the data key (no disk, no database)."""

from __future__ import annotations

import json

import pytest
from crasme_desktop.vault import keyslots as K
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def keyset():
    key = K.new_data_key()
    recovery = K.new_recovery_key()
    return (
        key,
        recovery,
        K.build_keyset(key, "vault-1", passphrase="pass phrase", recovery_key=recovery),
    )


def test_both_slots_give_back_the_key(keyset):
    key, recovery, ks = keyset
    assert K.unwrap(ks, "vault-1", "passphrase", "pass phrase") == key
    assert K.unwrap(ks, "vault-1", "recovery", recovery) == key


def test_wrong_secrets_and_other_vaults_get_nothing(keyset):
    _key, _recovery, ks = keyset
    assert K.unwrap(ks, "vault-1", "passphrase", "pass phrasE") is None
    assert K.unwrap(ks, "vault-1", "recovery", K.new_recovery_key()) is None
    # A slot copied into another vault's file does not open: the vault id is bound in.
    assert K.unwrap(ks, "vault-2", "passphrase", "pass phrase") is None
    # A passphrase slot cannot pose as a recovery slot.
    swapped = K.KeySet(
        ks.key_check,
        [
            K.Slot(
                "recovery",
                *[getattr(ks.slot("passphrase"), a) for a in ("kdf", "nonce", "wrapped")],
            )
        ],
    )
    assert K.unwrap(swapped, "vault-1", "recovery", "pass phrase") is None


def test_tampered_ciphertext_is_rejected(keyset):
    _key, _recovery, ks = keyset
    slot = ks.slot("passphrase")
    raw = bytearray(K._unb64(slot.wrapped))
    raw[0] ^= 1
    bad = K.KeySet(ks.key_check, [K.Slot("passphrase", slot.kdf, slot.nonce, K._b64(bytes(raw)))])
    assert K.unwrap(bad, "vault-1", "passphrase", "pass phrase") is None


def test_passphrase_slot_uses_argon2id_with_a_real_cost(keyset):
    kdf = keyset[2].slot("passphrase").kdf
    assert kdf["name"] == "argon2id"
    assert kdf["memory_kib"] >= 64 * 1024 and kdf["time_cost"] >= 3
    assert len(K._unb64(kdf["salt"])) == 16


def test_recovery_key_shape_and_typing_tolerance(keyset):
    _key, recovery, ks = keyset
    groups = recovery.split("-")
    assert len(groups) == 8 and all(len(g) == 5 for g in groups)
    assert not set(recovery) & set("01OI")
    assert (
        K.unwrap(ks, "vault-1", "recovery", " " + recovery.lower().replace("-", "  ")) is not None
    )
    assert len({K.new_recovery_key() for _ in range(200)}) == 200


def test_slot_file_round_trip_and_no_key_in_it(keyset):
    key, _recovery, ks = keyset
    sf = K.SlotFile("vault-1", ks, pending=ks)
    data = sf.to_bytes()
    assert bytes(key).hex().encode() not in data and bytes(key) not in data
    back = K.SlotFile.from_bytes(data)
    assert back.vault_id == "vault-1" and back.pending is not None
    assert back.current.kinds() == {"passphrase", "recovery"}


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[]",
        json.dumps({"format": "other"}).encode(),
        json.dumps({"format": K.FORMAT, "version": 99}).encode(),
        b"\xff\xfe",
    ],
)
def test_foreign_or_damaged_slot_files_are_refused(data):
    with pytest.raises(K.SlotFileError):
        K.SlotFile.from_bytes(data)


@settings(max_examples=25)
@given(st.binary(min_size=32, max_size=32), st.text(min_size=1, max_size=40))
def test_recovery_slot_round_trip_for_any_key(raw_key, vault_id):
    recovery = K.new_recovery_key()
    ks = K.build_keyset(raw_key, vault_id, passphrase=None, recovery_key=recovery)
    assert K.unwrap(ks, vault_id, "recovery", recovery) == bytearray(raw_key)
    assert ks.key_check == K.key_check(raw_key, vault_id)
    assert ks.key_check != K.key_check(raw_key, vault_id + "x")


def test_a_new_passphrase_replaces_the_old_and_keeps_the_recovery_slot(keyset):
    key, recovery, old = keyset
    new = K.with_passphrase(old, key, "vault-1", "a brand new passphrase")
    assert K.unwrap(new, "vault-1", "passphrase", "a brand new passphrase") == key
    assert K.unwrap(new, "vault-1", "passphrase", "pass phrase") is None
    assert K.unwrap(new, "vault-1", "recovery", recovery) == key
    assert new.slot("recovery") == old.slot("recovery")
    assert [s.kind for s in new.slots].count("passphrase") == 1


def test_a_passphrase_is_only_added_for_the_key_of_the_set(keyset):
    _key, _recovery, old = keyset
    with pytest.raises(ValueError):
        K.with_passphrase(old, bytes(32), "vault-1", "a brand new passphrase")
