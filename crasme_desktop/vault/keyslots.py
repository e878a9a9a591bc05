"""Key slots: the vault's data key, wrapped so that people can unlock it.

The data key is a random 256-bit key given to SQLCipher as a raw key. It is never
written anywhere in the clear; each slot holds it encrypted with AES-256-GCM under
a key-encryption key (KEK):

* a passphrase slot derives its KEK with Argon2id (slow on purpose: passphrases are
  guessable);
* a recovery slot derives its KEK with HKDF-SHA256 from a random 200-bit recovery
  key (fast is fine: it cannot be guessed).

The vault id and the slot kind are bound in as associated data, so a slot cannot be
moved to another vault or posed as another kind. A key check (an HMAC made with the
data key) lets us tell "this key is not this vault's" from "this file is damaged".

During a rekey the new key's slots are stored as `pending` before SQLCipher
re-encrypts the file; on open, the current key is tried first, then the pending one.

Sealed slots (version 2 of the file). New passphrase and recovery slots, and every
user slot, are *sealed*: the secret is turned (by Argon2id or HKDF) into an X25519
private key, the slot keeps the matching public key, and the data key is encrypted to
that public key (ephemeral X25519, HKDF-SHA256, AES-256-GCM). So whoever holds the data
key can wrap a *new* data key for a slot without knowing its secret: rotating the key
after a user is removed keeps every other way in (each user's passphrase, the recovery
key, the vault passphrase) exactly as it was. Slots made by earlier versions (wrapped
directly under the derived key) still open; they cannot be re-sealed, see `reseal`.

User slots (kind "user") also carry the user's id (a uuid4 text, the `app_user` id) and
`lookup`, a slow salted hash of the normalised sign-in name, so the slot is found by
name without the name being in the file; both are bound in as associated data, so a
slot cannot be moved to another user or name. The hash's salt and cost are stored once
per file (`user_lookup`). A key set may be marked `rotation_due`: a removed user knew
its key, and the rotation that retires it has not finished yet.

The file says version 1 while it holds only the slots earlier versions understand,
and version 2 once it holds sealed or user slots, which earlier versions then refuse
instead of misreading.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = "crasme-desktop-keyslots"
FORMAT_VERSION = 1
#: The version written once the file holds sealed or user slots.
SEALED_FORMAT_VERSION = 2
READABLE_VERSIONS = (FORMAT_VERSION, SEALED_FORMAT_VERSION)
KEY_BYTES = 32

#: Argon2id cost for new passphrase slots: about a quarter second on an old laptop.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 2

_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely
RECOVERY_GROUPS = 8
RECOVERY_GROUP_LEN = 5
MIN_PASSPHRASE_LENGTH = 8

#: Cost of the sign-in-name hash: one per sign-in (all user slots share the salt), and
#: enough that trying a list of names against a stolen key file is not free.
LOOKUP_TIME_COST = 2
LOOKUP_MEMORY_KIB = 16 * 1024


class SlotFileError(ValueError):
    """The key-slot file is not one of ours or is damaged."""


def new_data_key() -> bytearray:
    return bytearray(secrets.token_bytes(KEY_BYTES))


def new_recovery_key() -> str:
    """A recovery key such as `K7QMX-...` (8 groups of 5: 40 symbols of 5 bits)."""
    chars = [
        secrets.choice(_RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LEN)
    ]
    groups = [
        "".join(chars[i : i + RECOVERY_GROUP_LEN]) for i in range(0, len(chars), RECOVERY_GROUP_LEN)
    ]
    return "-".join(groups)


def key_check(key: bytes | bytearray, vault_id: str) -> str:
    mac = hmac.new(bytes(key), b"crasme-desktop key check\x00" + vault_id.encode(), hashlib.sha256)
    return _b64(mac.digest()[:16])


@dataclass
class Slot:
    kind: str  # "passphrase", "recovery" or "user"
    kdf: dict[str, Any]
    nonce: str
    wrapped: str
    #: Sealed slots: the slot's X25519 public key and the ephemeral one of this sealing.
    public: str | None = None
    ephemeral: str | None = None
    #: User slots: the user's id and the hash of their sign-in name.
    user_id: str | None = None
    lookup: str | None = None

    @property
    def sealed(self) -> bool:
        return self.public is not None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "kdf": self.kdf, "nonce": self.nonce,
                               "wrapped": self.wrapped}
        for name in _OPTIONAL_SLOT_FIELDS:
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Slot:
        try:
            slot = cls(str(raw["kind"]), dict(raw["kdf"]), str(raw["nonce"]), str(raw["wrapped"]),
                       **{name: str(raw[name]) for name in _OPTIONAL_SLOT_FIELDS if name in raw})
        except (KeyError, TypeError, ValueError) as exc:
            raise SlotFileError(f"bad slot: {exc}") from exc
        if (slot.public is None) != (slot.ephemeral is None):
            raise SlotFileError("bad slot: half a sealing")
        if slot.kind == "user" and (slot.user_id is None or slot.lookup is None
                                    or not slot.sealed):
            raise SlotFileError("bad user slot")
        return slot


_OPTIONAL_SLOT_FIELDS = ("public", "ephemeral", "user_id", "lookup")


@dataclass
class KeySet:
    """The slots for one data key, with its check value."""

    key_check: str
    slots: list[Slot] = field(default_factory=list)
    #: A removed user knew this key; a rotation to a new key is due.
    rotation_due: bool = False

    def kinds(self) -> set[str]:
        return {s.kind for s in self.slots}

    def slot(self, kind: str) -> Slot | None:
        return next((s for s in self.slots if s.kind == kind), None)

    def user_slot(self, user_id: str) -> Slot | None:
        return next((s for s in self.slots if s.kind == "user" and s.user_id == user_id), None)

    def user_slot_by_lookup(self, lookup: str) -> Slot | None:
        return next(
            (s for s in self.slots
             if s.kind == "user" and s.lookup is not None
             and hmac.compare_digest(s.lookup, lookup)),
            None,
        )

    def user_ids(self) -> list[str]:
        return [s.user_id for s in self.slots if s.kind == "user" and s.user_id is not None]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key_check": self.key_check,
                               "slots": [s.to_dict() for s in self.slots]}
        if self.rotation_due:
            out["rotation_due"] = True
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> KeySet:
        if not isinstance(raw, dict) or "key_check" not in raw:
            raise SlotFileError("bad key set")
        return cls(str(raw["key_check"]), [Slot.from_dict(s) for s in raw.get("slots", [])],
                   rotation_due=bool(raw.get("rotation_due", False)))


@dataclass
class SlotFile:
    vault_id: str
    current: KeySet
    pending: KeySet | None = None
    #: How sign-in names are hashed in this file (salt and Argon2id cost), made with
    #: the first user slot.
    user_lookup: dict[str, Any] | None = None

    @property
    def version(self) -> int:
        sets = [self.current, *([self.pending] if self.pending else [])]
        new = self.user_lookup is not None or any(
            slot.sealed or slot.kind == "user" for ks in sets for slot in ks.slots
        )
        return SEALED_FORMAT_VERSION if new else FORMAT_VERSION

    def to_bytes(self) -> bytes:
        body: dict[str, Any] = {
            "format": FORMAT,
            "version": self.version,
            "vault_id": self.vault_id,
            "current": self.current.to_dict(),
            "pending": self.pending.to_dict() if self.pending else None,
        }
        if self.user_lookup is not None:
            body["user_lookup"] = self.user_lookup
        return (json.dumps(body, indent=2) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> SlotFile:
        try:
            raw = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise SlotFileError("not JSON") from exc
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise SlotFileError("not a key-slot file")
        if raw.get("version") not in READABLE_VERSIONS:
            raise SlotFileError(f"unknown version {raw.get('version')!r}")
        pending = raw.get("pending")
        lookup = raw.get("user_lookup")
        if lookup is not None and (not isinstance(lookup, dict) or "salt" not in lookup):
            raise SlotFileError("bad user_lookup")
        try:
            return cls(
                vault_id=str(raw["vault_id"]),
                current=KeySet.from_dict(raw["current"]),
                pending=KeySet.from_dict(pending) if pending else None,
                user_lookup=dict(lookup) if lookup is not None else None,
            )
        except KeyError as exc:
            raise SlotFileError(f"missing {exc}") from exc


def build_keyset(
    key: bytes | bytearray, vault_id: str, *, passphrase: str | None, recovery_key: str | None
) -> KeySet:
    """Wrap `key` in a passphrase slot and/or a recovery slot."""
    slots = []
    if passphrase is not None:
        slots.append(_wrap_passphrase(key, vault_id, passphrase))
    if recovery_key is not None:
        slots.append(_wrap_recovery(key, vault_id, recovery_key))
    return KeySet(key_check(key, vault_id), slots)


def with_passphrase(
    keyset: KeySet, key: bytes | bytearray, vault_id: str, passphrase: str
) -> KeySet:
    """The same key set with its passphrase slot (added or) replaced by one for `passphrase`;
    the other slots stay exactly as they were."""
    if key_check(key, vault_id) != keyset.key_check:
        raise ValueError("the key does not belong to this key set")
    others = [slot for slot in keyset.slots if slot.kind != "passphrase"]
    return KeySet(keyset.key_check, [_wrap_passphrase(key, vault_id, passphrase), *others],
                  rotation_due=keyset.rotation_due)


def unwrap(keyset: KeySet, vault_id: str, kind: str, secret: str) -> bytearray | None:
    """The data key if `secret` opens this set's slot of `kind`, else None."""
    slot = keyset.slot(kind)
    if slot is None:
        return None
    if slot.sealed:
        return open_sealed(keyset, vault_id, slot, _derive(slot, secret))
    kek = _derive(slot, secret)
    try:
        key = AESGCM(kek).decrypt(_unb64(slot.nonce), _unb64(slot.wrapped), _aad(vault_id, kind))
    except (InvalidTag, ValueError):
        return None
    out = bytearray(key)
    if not hmac.compare_digest(key_check(out, vault_id), keyset.key_check):
        return None
    return out


def open_sealed(
    keyset: KeySet, vault_id: str, slot: Slot, private: bytes
) -> bytearray | None:
    """The data key if `private` (the X25519 key derived from the slot's secret, or kept
    in a keychain) opens this sealed slot of `keyset`, else None."""
    if not slot.sealed or slot not in keyset.slots:
        return None
    assert slot.public is not None and slot.ephemeral is not None  # nosec B101  # sealed
    try:
        me = X25519PrivateKey.from_private_bytes(private)
        mine = me.public_key().public_bytes_raw()
        if not hmac.compare_digest(mine, _unb64(slot.public)):
            return None
        ephemeral = _unb64(slot.ephemeral)
        shared = me.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        kek = _seal_kek(shared, ephemeral, mine)
        key = AESGCM(kek).decrypt(
            _unb64(slot.nonce), _unb64(slot.wrapped), _slot_aad(vault_id, slot)
        )
    except (InvalidTag, ValueError):
        return None
    out = bytearray(key)
    if not hmac.compare_digest(key_check(out, vault_id), keyset.key_check):
        return None
    return out


def reseal(slot: Slot, key: bytes | bytearray, vault_id: str) -> Slot:
    """The same slot (same secret, same user, same name) wrapping `key` instead; needs
    no secret. Raises `ValueError` for a slot made by an earlier version, which only
    its secret can re-wrap."""
    if not slot.sealed:
        raise ValueError(f"a {slot.kind} slot of the first format cannot be re-sealed")
    assert slot.public is not None  # nosec B101  # sealed
    out = Slot(slot.kind, dict(slot.kdf), "", "", public=slot.public,
               user_id=slot.user_id, lookup=slot.lookup)
    _seal_into(out, key, vault_id, _unb64(slot.public))
    return out


def wrap_user(
    key: bytes | bytearray, vault_id: str, user_id: str, lookup: str, passphrase: str
) -> Slot:
    """A user slot: `passphrase` (through Argon2id) opens `key` for `user_id`."""
    slot = Slot("user", _argon2_params(), "", "", user_id=user_id, lookup=lookup)
    public = X25519PrivateKey.from_private_bytes(_derive(slot, passphrase)).public_key()
    _seal_into(slot, key, vault_id, public.public_bytes_raw())
    return slot


def slot_private_key(slot: Slot, secret: str) -> bytes:
    """The X25519 private key a secret gives for a sealed slot (slow for passphrases):
    what a keychain may keep instead of the passphrase itself."""
    return _derive(slot, secret)


def new_lookup_params() -> dict[str, Any]:
    return {
        "name": "argon2id",
        "time_cost": LOOKUP_TIME_COST,
        "memory_kib": LOOKUP_MEMORY_KIB,
        "parallelism": 1,
        "salt": _b64(secrets.token_bytes(16)),
    }


def name_lookup(params: dict[str, Any], normalised_name: str) -> str:
    """The hash that finds a user slot by its (already normalised) sign-in name."""
    probe = Slot("user", params, "", "")
    return _b64(_derive(probe, normalised_name))


def _seal_into(slot: Slot, key: bytes | bytearray, vault_id: str, public: bytes) -> None:
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    slot.public = _b64(public)
    slot.ephemeral = _b64(ephemeral_public)
    slot.nonce = _b64(secrets.token_bytes(12))
    kek = _seal_kek(shared, ephemeral_public, public)
    slot.wrapped = _b64(
        AESGCM(kek).encrypt(_unb64(slot.nonce), bytes(key), _slot_aad(vault_id, slot))
    )


def _seal_kek(shared: bytes, ephemeral_public: bytes, public: bytes) -> bytes:
    return HKDF(
        hashes.SHA256(), KEY_BYTES, None, b"crasme-desktop seal\x00" + ephemeral_public + public
    ).derive(shared)


def _slot_aad(vault_id: str, slot: Slot) -> bytes:
    if slot.kind == "user":
        return f"crasme-desktop/{vault_id}/user/{slot.user_id}/{slot.lookup}".encode()
    return f"crasme-desktop/{vault_id}/{slot.kind}/sealed".encode()


def _argon2_params() -> dict[str, Any]:
    return {
        "name": "argon2id",
        "time_cost": ARGON2_TIME_COST,
        "memory_kib": ARGON2_MEMORY_KIB,
        "parallelism": ARGON2_PARALLELISM,
        "salt": _b64(secrets.token_bytes(16)),
    }


def _wrap_passphrase(key: bytes | bytearray, vault_id: str, passphrase: str) -> Slot:
    return _wrap_sealed("passphrase", _argon2_params(), key, vault_id, passphrase)


def _wrap_recovery(key: bytes | bytearray, vault_id: str, recovery_key: str) -> Slot:
    kdf = {"name": "hkdf-sha256", "salt": _b64(secrets.token_bytes(16))}
    return _wrap_sealed("recovery", kdf, key, vault_id, recovery_key)


def _wrap_sealed(
    kind: str, kdf: dict[str, Any], key: bytes | bytearray, vault_id: str, secret: str
) -> Slot:
    slot = Slot(kind, kdf, "", "")
    public = X25519PrivateKey.from_private_bytes(_derive(slot, secret)).public_key()
    _seal_into(slot, key, vault_id, public.public_bytes_raw())
    return slot


def wrap_first_format(
    kind: str, kdf: dict[str, Any], key: bytes | bytearray, vault_id: str, secret: str
) -> Slot:
    """A slot as versions before sealing made them (the key wrapped directly under the
    derived key): still read, no longer written; kept to check old files open."""
    slot = Slot(kind, kdf, _b64(secrets.token_bytes(12)), "")
    kek = _derive(slot, secret)
    slot.wrapped = _b64(AESGCM(kek).encrypt(_unb64(slot.nonce), bytes(key), _aad(vault_id, kind)))
    return slot


def _derive(slot: Slot, secret: str) -> bytes:
    kdf = slot.kdf
    salt = _unb64(kdf["salt"])
    if kdf["name"] == "argon2id":
        from argon2.low_level import Type, hash_secret_raw

        return hash_secret_raw(
            secret.encode("utf-8"),
            salt,
            time_cost=int(kdf["time_cost"]),
            memory_cost=int(kdf["memory_kib"]),
            parallelism=int(kdf["parallelism"]),
            hash_len=KEY_BYTES,
            type=Type.ID,
        )
    if kdf["name"] == "hkdf-sha256":
        material = canonical_recovery_key(secret).encode("ascii")
        return HKDF(hashes.SHA256(), KEY_BYTES, salt, b"crasme-desktop recovery").derive(material)
    raise SlotFileError(f"unknown key derivation {kdf['name']!r}")


def canonical_recovery_key(text: str) -> str:
    """Accept what people type: any case, with or without spaces and dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _aad(vault_id: str, kind: str) -> bytes:
    return f"crasme-desktop/{vault_id}/{kind}".encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise SlotFileError("bad base64") from exc
