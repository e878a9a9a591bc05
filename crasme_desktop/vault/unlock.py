"""Finding the data key: keychain, then passphrase, then recovery key.

Each way yields the current key and, after an interrupted rekey, the pending one.
Nothing here touches the vault file; `core.open_vault` tries the keys in order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from crasme_desktop.vault import keyslots
from crasme_desktop.vault.errors import (
    KeychainLocked,
    KeychainMismatch,
    KeySlotsMissing,
    KeyUnavailable,
    VaultError,
    WrongPassphrase,
    WrongRecoveryKey,
)
from crasme_desktop.vault.keychain import Keychain, KeychainUnavailableError
from crasme_desktop.vault.paths import keyslot_path

log = logging.getLogger(__name__)

NO_KEYCHAIN_NOTICE = (
    "This computer has no keychain, so Crasme Desktop will ask for the vault's "
    "passphrase each time it opens."
)


@dataclass
class Candidate:
    """A key to try, where it came from, and whether it is the pending one."""

    key: bytearray
    source: str  # "keychain", "passphrase" or "recovery"
    pending: bool


@dataclass
class KeySearch:
    candidates: list[Candidate] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def read_slot_file(vault: Path) -> keyslots.SlotFile:
    path = keyslot_path(vault)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise KeySlotsMissing(path) from exc
    try:
        return keyslots.SlotFile.from_bytes(data)
    except keyslots.SlotFileError as exc:
        raise VaultError(
            f"The key file {path} is damaged; restore it from a backup or your recovery kit."
        ) from exc


def find_keys(
    slots: keyslots.SlotFile,
    *,
    keychain: Keychain | None,
    passphrase: str | None,
    recovery_key: str | None,
    before_typed: Callable[[], None] | None = None,
) -> KeySearch:
    """Gather keys to try, in the order of the unlock rules, or raise the clearest error.

    `before_typed` is called once, just before the first typed secret (passphrase or
    recovery key) is tried, so that a paused unlock refuses before any key is derived."""
    search = KeySearch()
    keysets = [(slots.current, False)] + ([(slots.pending, True)] if slots.pending else [])
    keychain_problem: VaultError | None = None

    if keychain is not None:
        try:
            if not keychain.available:
                search.notices.append(NO_KEYCHAIN_NOTICE)
            else:
                for keyset, pending in keysets:
                    key = keychain.get(slots.vault_id, pending=pending)
                    if key is None:
                        continue
                    if keyslots.key_check(key, slots.vault_id) == keyset.key_check:
                        search.candidates.append(Candidate(bytearray(key), "keychain", pending))
                    else:
                        keychain_problem = KeychainMismatch()
        except KeychainLocked as exc:
            keychain_problem = exc
        except KeychainUnavailableError as exc:
            log.info("Keychain unreachable: %s", exc)
            search.notices.append(NO_KEYCHAIN_NOTICE)

    secret_problem: VaultError | None = None
    for kind, secret, error in (
        ("passphrase", passphrase, WrongPassphrase),
        ("recovery", recovery_key, WrongRecoveryKey),
    ):
        if secret is None or (search.candidates and secret_problem is None):
            continue  # an earlier way already found the key: skip the slow derivation
        if kind not in slots.current.kinds():
            secret_problem = secret_problem or KeyUnavailable(
                "This vault has no passphrase; unlock it with the keychain or your recovery key."
                if kind == "passphrase"
                else "This vault has no recovery key; unlock it with the keychain or passphrase."
            )
            continue
        if before_typed is not None:
            before_typed()
            before_typed = None
        before = len(search.candidates)
        for keyset, pending in keysets:
            key = keyslots.unwrap(keyset, slots.vault_id, kind, secret)
            if key is not None:
                search.candidates.append(Candidate(key, kind, pending))
        if len(search.candidates) == before:
            secret_problem = secret_problem or error()

    if not search.candidates:
        raise secret_problem or keychain_problem or KeyUnavailable()
    return search
