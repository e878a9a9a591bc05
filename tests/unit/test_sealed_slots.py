"""Sealed and user key slots (no disk, no database); Argon2id with a small cost here."""

from __future__ import annotations

import json

import pytest
from crasme_desktop.vault import keyslots as K


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    monkeypatch.setattr(K, "ARGON2_TIME_COST", 1)
    monkeypatch.setattr(K, "ARGON2_MEMORY_KIB", 8 * 1024)


@pytest.fixture
def sealed():
    key = K.new_data_key()
    recovery = K.new_recovery_key()
    ks = K.build_keyset(key, "vault-1", passphrase="pass phrase", recovery_key=recovery)
    lookup = K.name_lookup(K.new_lookup_params(), "anna")
    ks.slots.append(K.wrap_user(key, "vault-1", "user-a", lookup, "anna's passphrase"))
    return key, recovery, ks, lookup


def test_new_slots_are_sealed_and_reseal_without_their_secret(sealed):
    key, recovery, ks, _lookup = sealed
    assert all(slot.sealed for slot in ks.slots)
    new_key = K.new_data_key()
    resealed = K.KeySet(K.key_check(new_key, "vault-1"),
                        [K.reseal(slot, new_key, "vault-1") for slot in ks.slots])
    assert K.unwrap(resealed, "vault-1", "passphrase", "pass phrase") == new_key
    assert K.unwrap(resealed, "vault-1", "recovery", recovery) == new_key
    user = resealed.user_slot("user-a")
    private = K.slot_private_key(user, "anna's passphrase")
    assert K.open_sealed(resealed, "vault-1", user, private) == new_key
    assert K.open_sealed(resealed, "vault-1", user, K.slot_private_key(user, "other")) is None
    assert key != new_key


def test_a_user_slot_is_bound_to_its_user_name_and_vault(sealed):
    _key, _recovery, ks, lookup = sealed
    user = ks.user_slot("user-a")
    private = K.slot_private_key(user, "anna's passphrase")
    assert K.open_sealed(ks, "vault-1", user, private) is not None
    for change in ({"user_id": "user-b"}, {"lookup": K._b64(b"x" * 32)}):
        moved = K.Slot(**{**user.__dict__, **change})
        posed = K.KeySet(ks.key_check, [moved])
        assert K.open_sealed(posed, "vault-1", moved, private) is None
    assert K.open_sealed(ks, "vault-2", user, private) is None
    assert ks.user_slot_by_lookup(lookup) is user


def test_a_tampered_sealed_slot_opens_nothing(sealed):
    _key, _recovery, ks, _lookup = sealed
    slot = ks.slot("passphrase")
    raw = bytearray(K._unb64(slot.wrapped))
    raw[3] ^= 1
    bad = K.Slot(**{**slot.__dict__, "wrapped": K._b64(bytes(raw))})
    assert K.unwrap(K.KeySet(ks.key_check, [bad]), "vault-1", "passphrase", "pass phrase") is None


def test_first_format_slots_still_open_but_cannot_be_resealed():
    key = K.new_data_key()
    old = K.wrap_first_format("passphrase", K._argon2_params(), key, "vault-1", "pass phrase")
    ks = K.KeySet(K.key_check(key, "vault-1"), [old])
    assert not old.sealed
    assert K.unwrap(ks, "vault-1", "passphrase", "pass phrase") == key
    with pytest.raises(ValueError):
        K.reseal(old, K.new_data_key(), "vault-1")
    assert K.SlotFile("vault-1", ks).version == K.FORMAT_VERSION


def test_the_file_says_version_2_once_it_holds_sealed_or_user_slots(sealed):
    _key, _recovery, ks, _lookup = sealed
    sf = K.SlotFile("vault-1", ks, user_lookup=K.new_lookup_params())
    sf.current.rotation_due = True
    data = sf.to_bytes()
    assert json.loads(data)["version"] == K.SEALED_FORMAT_VERSION
    back = K.SlotFile.from_bytes(data)
    assert back.current.user_ids() == ["user-a"] and back.current.rotation_due
    assert back.user_lookup == sf.user_lookup
    assert back.current.slots == ks.slots


@pytest.mark.parametrize("broken", [
    {"kind": "user"},  # a user slot without its user and name
    {"ephemeral": None},  # half a sealing
])
def test_damaged_user_or_sealed_slots_are_refused(sealed, broken):
    _key, _recovery, ks, _lookup = sealed
    raw = ks.user_slot("user-a").to_dict() if "kind" not in broken else ks.slot(
        "passphrase").to_dict()
    raw.update(broken)
    raw = {k: v for k, v in raw.items() if v is not None}
    with pytest.raises(K.SlotFileError):
        K.Slot.from_dict(raw)


def test_user_slots_use_the_real_argon2_cost_by_default(monkeypatch):
    monkeypatch.undo()
    params = K._argon2_params()
    assert params["name"] == "argon2id" and params["memory_kib"] >= 64 * 1024
    assert params["time_cost"] >= 3
    lookup = K.new_lookup_params()
    assert lookup["name"] == "argon2id" and len(K._unb64(lookup["salt"])) == 16
