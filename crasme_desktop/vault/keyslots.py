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
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = "crasme-desktop-keyslots"
FORMAT_VERSION = 1
KEY_BYTES = 32

#: Argon2id cost for new passphrase slots: about a quarter second on an old laptop.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 2

_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely
RECOVERY_GROUPS = 8
RECOVERY_GROUP_LEN = 5
MIN_PASSPHRASE_LENGTH = 8


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
    kind: str  # "passphrase" or "recovery"
    kdf: dict[str, Any]
    nonce: str
    wrapped: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "kdf": self.kdf, "nonce": self.nonce, "wrapped": self.wrapped}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Slot:
        try:
            return cls(str(raw["kind"]), dict(raw["kdf"]), str(raw["nonce"]), str(raw["wrapped"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise SlotFileError(f"bad slot: {exc}") from exc


@dataclass
class KeySet:
    """The slots for one data key, with its check value."""

    key_check: str
    slots: list[Slot] = field(default_factory=list)

    def kinds(self) -> set[str]:
        return {s.kind for s in self.slots}

    def slot(self, kind: str) -> Slot | None:
        return next((s for s in self.slots if s.kind == kind), None)

    def to_dict(self) -> dict[str, Any]:
        return {"key_check": self.key_check, "slots": [s.to_dict() for s in self.slots]}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> KeySet:
        if not isinstance(raw, dict) or "key_check" not in raw:
            raise SlotFileError("bad key set")
        return cls(str(raw["key_check"]), [Slot.from_dict(s) for s in raw.get("slots", [])])


@dataclass
class SlotFile:
    vault_id: str
    current: KeySet
    pending: KeySet | None = None

    def to_bytes(self) -> bytes:
        body = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "vault_id": self.vault_id,
            "current": self.current.to_dict(),
            "pending": self.pending.to_dict() if self.pending else None,
        }
        return (json.dumps(body, indent=2) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> SlotFile:
        try:
            raw = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise SlotFileError("not JSON") from exc
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise SlotFileError("not a key-slot file")
        if raw.get("version") != FORMAT_VERSION:
            raise SlotFileError(f"unknown version {raw.get('version')!r}")
        pending = raw.get("pending")
        return cls(
            vault_id=str(raw["vault_id"]),
            current=KeySet.from_dict(raw["current"]),
            pending=KeySet.from_dict(pending) if pending else None,
        )


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
    return KeySet(keyset.key_check, [_wrap_passphrase(key, vault_id, passphrase), *others])


def unwrap(keyset: KeySet, vault_id: str, kind: str, secret: str) -> bytearray | None:
    """The data key if `secret` opens this set's slot of `kind`, else None."""
    slot = keyset.slot(kind)
    if slot is None:
        return None
    kek = _derive(slot, secret)
    try:
        key = AESGCM(kek).decrypt(_unb64(slot.nonce), _unb64(slot.wrapped), _aad(vault_id, kind))
    except (InvalidTag, ValueError):
        return None
    out = bytearray(key)
    if not hmac.compare_digest(key_check(out, vault_id), keyset.key_check):
        return None
    return out


def _wrap_passphrase(key: bytes | bytearray, vault_id: str, passphrase: str) -> Slot:
    kdf = {
        "name": "argon2id",
        "time_cost": ARGON2_TIME_COST,
        "memory_kib": ARGON2_MEMORY_KIB,
        "parallelism": ARGON2_PARALLELISM,
        "salt": _b64(secrets.token_bytes(16)),
    }
    return _seal("passphrase", kdf, key, vault_id, passphrase)


def _wrap_recovery(key: bytes | bytearray, vault_id: str, recovery_key: str) -> Slot:
    kdf = {"name": "hkdf-sha256", "salt": _b64(secrets.token_bytes(16))}
    return _seal("recovery", kdf, key, vault_id, recovery_key)


def _seal(
    kind: str, kdf: dict[str, Any], key: bytes | bytearray, vault_id: str, secret: str
) -> Slot:
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
