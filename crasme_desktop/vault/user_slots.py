"""Signing in as one of a vault's users: user key slots, rate limits, remembered sign-ins.

Rules:

* Each user who may open the vault has their own slot in the key-slot file: their
  passphrase (through Argon2id) gives an X25519 key to which the vault's data key is
  sealed (see `keyslots`). The passphrase is never stored anywhere. The slot carries
  the user's id (the `app_user` id, a uuid4 text) and a salted, slow hash of their
  normalised sign-in name (trimmed, inner spaces collapsed, case-folded), never the
  name itself; a name is used by one slot at most.
* Unlock order. A vault with user slots is opened by signing in (`open_as_user`):
  first the sign-in this OS account remembered in its keychain (when no name is
  given), then a name and passphrase. The opened vault knows who signed in
  (`Vault.signed_in_user_id`, `key_source` "user" or "user-keychain"). The vault-wide
  ways of `open_vault` (the keychain's vault key, the vault passphrase, the recovery
  key) still open it, with `signed_in_user_id` None: they are the owner's ways in, and
  what an opening without a user may do is for the services to decide.
* Removing a user removes their slot and rotates the data key in the same crash-safe
  steps as a rekey: the slot file without the user, with the new key's slots beside it
  as pending, goes to disk in one atomic write; then SQLCipher re-encrypts the file;
  then pending becomes current. Every other user, the vault passphrase, the recovery
  key and this computer's keychain entry keep working; a copy of the vault made
  afterwards does not open with the removed user's passphrase. A key set a removed
  user knew is marked `rotation_due` until the rotation is done: calling
  `remove_user_slot` again finishes it.
* Failed sign-ins are counted in a small file beside the vault (`<vault>.signin`:
  a count and a time, nothing personal), so the count survives a restart: after
  `FREE_FAILURES` wrong tries in a row, signing in pauses for `FIRST_PAUSE`, doubling
  with each further wrong try up to `MAX_PAUSE`. A correct sign-in clears it. Wrong
  vault passphrases and recovery keys count in the same file (`vault.attempts`). This
  slows guessing through the program; Argon2id slows guessing on a copied file.
* Remembering: a user may keep their own slot secret (the derived X25519 key, not the
  passphrase) in this OS account's keychain, one per vault; it stays valid when the
  data key rotates and stops working when their passphrase changes or they are removed.
"""

from __future__ import annotations

import contextlib
import unicodedata
from pathlib import Path

from crasme_desktop.domain.clock import SYSTEM_CLOCK, Clock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.vault import keyslots
from crasme_desktop.vault.attempts import (
    FIRST_PAUSE,
    FREE_FAILURES,
    MAX_PAUSE,
    SignInState,
    clear_failures,
    count_failure,
    read_sign_in_state,
    record_failure,
    sign_in_state_path,
)
from crasme_desktop.vault.core import Vault, _keychain_usable, _quick_check, _write_slots
from crasme_desktop.vault.core import open_with_keys as _open_with_keys
from crasme_desktop.vault.errors import (
    KeychainLocked,
    KeyUnavailable,
    SignInPaused,
    VaultError,
    WrongPassphrase,
    WrongSignIn,
)
from crasme_desktop.vault.keychain import (
    Keychain,
    KeychainUnavailableError,
    delete_user_secret,
    get_user_secret,
    store_user_secret,
)
from crasme_desktop.vault.unlock import Candidate, KeySearch, read_slot_file


# -- names ---------------------------------------------------------------------------------
def normalise_sign_in_name(name: str) -> str:
    """The form a sign-in name is compared in: trimmed, inner spaces collapsed to one,
    Unicode-normalised and case-folded ("  Anna  Berg " and "anna berg" are the same)."""
    text = " ".join(unicodedata.normalize("NFKC", name or "").split()).casefold()
    if not text:
        raise UserError("Enter the name you sign in with.")
    return text


def _lookup(slots: keyslots.SlotFile, sign_in_name: str) -> str | None:
    if slots.user_lookup is None:
        return None
    return keyslots.name_lookup(slots.user_lookup, normalise_sign_in_name(sign_in_name))


# -- what the file holds ---------------------------------------------------------------------
def has_user_slots(vault_path: Path) -> bool:
    """Whether people sign in to this vault by name (reads only the key-slot file)."""
    return "user" in read_slot_file(Path(vault_path).expanduser().absolute()).current.kinds()


def user_ids_with_slots(vault_path: Path) -> list[str]:
    """The ids of the users who have a sign-in, in slot order."""
    return read_slot_file(Path(vault_path).expanduser().absolute()).current.user_ids()


def rotation_due(vault_path: Path) -> bool:
    """Whether a removed user still knows the current key (their removal was interrupted
    before the key rotated); `remove_user_slot` with their id finishes it."""
    return read_slot_file(Path(vault_path).expanduser().absolute()).current.rotation_due


# -- changing slots (on an unlocked vault) ----------------------------------------------------
def add_user_slot(vault: Vault, user_id: str, sign_in_name: str, passphrase: str) -> None:
    """Give `user_id` a sign-in: `sign_in_name` and `passphrase` will open this vault as
    them. Instant: the data is not re-encrypted."""
    _check_passphrase(passphrase)
    with vault._guard:
        slots = _slots_for_change(vault)
        if slots.current.user_slot(user_id) is not None:
            raise UserError("This user can already sign in; change their passphrase instead.")
        if slots.user_lookup is None:
            slots.user_lookup = keyslots.new_lookup_params()
        lookup = keyslots.name_lookup(slots.user_lookup, normalise_sign_in_name(sign_in_name))
        if slots.current.user_slot_by_lookup(lookup) is not None:
            raise UserError("Another user already signs in with that name; choose another.")
        slot = keyslots.wrap_user(vault._key, vault.vault_id, user_id, lookup, passphrase)
        slots.current.slots.append(slot)
        _write_slots(vault.path, slots)


def set_user_passphrase(vault: Vault, user_id: str, passphrase: str) -> None:
    """Give `user_id` a new passphrase without their old one (an owner resetting a
    forgotten one). The old passphrase stops working at once."""
    _check_passphrase(passphrase)
    with vault._guard:
        slots = _slots_for_change(vault)
        old = _existing(slots, user_id)
        assert old.lookup is not None  # nosec B101  # user slots always have one
        new = keyslots.wrap_user(vault._key, vault.vault_id, user_id, old.lookup, passphrase)
        slots.current.slots[slots.current.slots.index(old)] = new
        _write_slots(vault.path, slots)
        _update_remembered(vault, user_id, new, passphrase)


def change_user_passphrase(vault: Vault, user_id: str, current: str, new: str) -> None:
    """A user changing their own passphrase: `current` must be their passphrase now."""
    if not check_user_passphrase(vault, user_id, current):
        raise WrongPassphrase()
    set_user_passphrase(vault, user_id, new)


def check_user_passphrase(vault: Vault, user_id: str, passphrase: str) -> bool:
    """Whether `passphrase` is `user_id`'s (to confirm who is at the keyboard before a
    sensitive step); slow on purpose, like a sign-in."""
    slots = read_slot_file(vault.path)
    slot = _existing(slots, user_id)
    private = keyslots.slot_private_key(slot, passphrase)
    return keyslots.open_sealed(slots.current, vault.vault_id, slot, private) is not None


def rename_user_slot(vault: Vault, user_id: str, sign_in_name: str) -> None:
    """Let `user_id` sign in with another name; their passphrase stays the same."""
    with vault._guard:
        slots = _slots_for_change(vault)
        old = _existing(slots, user_id)
        assert slots.user_lookup is not None  # nosec B101  # made with the first user slot
        lookup = keyslots.name_lookup(slots.user_lookup, normalise_sign_in_name(sign_in_name))
        other = slots.current.user_slot_by_lookup(lookup)
        if other is not None and other.user_id != user_id:
            raise UserError("Another user already signs in with that name; choose another.")
        renamed = keyslots.Slot("user", old.kdf, old.nonce, old.wrapped, public=old.public,
                                user_id=user_id, lookup=lookup)
        renamed = keyslots.reseal(renamed, vault._key, vault.vault_id)  # binds the new name
        slots.current.slots[slots.current.slots.index(old)] = renamed
        _write_slots(vault.path, slots)


def remove_user_slot(vault: Vault, user_id: str, *, passphrase: str | None = None) -> str | None:
    """Take away `user_id`'s sign-in and rotate the data key, so that nothing they knew
    opens the vault, or any copy of it made from now on.

    Every other slot is sealed to the new key without its secret. Slots made by an
    earlier version cannot be: an old-style vault passphrase slot needs `passphrase`,
    and an old-style recovery slot is replaced by a new recovery key, which is returned
    (show it once, as after a rekey); otherwise None is returned. Calling this again
    for a user whose removal was interrupted finishes the rotation."""
    with vault._guard:
        slots = _slots_for_change(vault)
    removed = slots.current.user_slot(user_id)
    if removed is None and not slots.current.rotation_due:
        raise UserError("This user has no sign-in to remove.")
    kept = [slot for slot in slots.current.slots if slot is not removed]
    if not kept:
        raise UserError("This sign-in is the only way left to unlock the vault, so it "
                        "cannot be removed.")
    new_key = keyslots.new_data_key()
    new_recovery: str | None = None
    pending = keyslots.KeySet(keyslots.key_check(new_key, vault.vault_id))
    for slot in kept:
        if slot.sealed:
            pending.slots.append(keyslots.reseal(slot, new_key, vault.vault_id))
        elif slot.kind == "passphrase":
            if passphrase is None:
                raise UserError("Enter the vault's passphrase: removing a user changes the "
                                "vault's key, and the passphrase must be wrapped again.")
            if keyslots.unwrap(slots.current, vault.vault_id, "passphrase", passphrase) is None:
                raise WrongPassphrase()
            pending.slots.append(keyslots.build_keyset(
                new_key, vault.vault_id, passphrase=passphrase, recovery_key=None).slots[0])
        elif slot.kind == "recovery":
            new_recovery = keyslots.new_recovery_key()
            pending.slots.append(keyslots.build_keyset(
                new_key, vault.vault_id, passphrase=None, recovery_key=new_recovery).slots[0])
    # What stays on disk if the rotation never happens: the user's slot is gone already.
    slots.current = keyslots.KeySet(slots.current.key_check, kept, rotation_due=True)
    vault.rotate_to(slots, pending, new_key)
    for i in range(len(new_key)):
        new_key[i] = 0
    chain = vault.keychain
    if _keychain_usable(chain):
        assert chain is not None  # nosec B101  # checked just above
        with contextlib.suppress(VaultError, KeychainUnavailableError):
            remembered = get_user_secret(chain, vault.vault_id)
            if remembered is not None and remembered[0] == user_id:
                delete_user_secret(chain, vault.vault_id)
    return new_recovery


def _slots_for_change(vault: Vault) -> keyslots.SlotFile:
    vault.engine  # noqa: B018 - raises if the vault was locked meanwhile
    slots = read_slot_file(vault.path)
    if slots.pending is not None:
        raise UserError("A key rotation is unfinished; lock and unlock the vault first.")
    return slots


def _existing(slots: keyslots.SlotFile, user_id: str) -> keyslots.Slot:
    slot = slots.current.user_slot(user_id)
    if slot is None:
        raise UserError("This user has no sign-in for this vault.")
    return slot


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase or "") < keyslots.MIN_PASSPHRASE_LENGTH:
        raise UserError(
            f"Choose a passphrase of at least {keyslots.MIN_PASSPHRASE_LENGTH} characters."
        )


# -- signing in -------------------------------------------------------------------------------
def unlock_as_user(
    vault_path: Path, sign_in_name: str, passphrase: str, *, clock: Clock = SYSTEM_CLOCK
) -> tuple[bytearray, str]:
    """(data key, user id) for a name and passphrase, without opening the vault; raises
    `WrongSignIn` or `SignInPaused` (rate-limited like every sign-in). After an
    interrupted rotation this is the key the file is most likely keyed with (current)."""
    path = Path(vault_path).expanduser().absolute()
    slots = read_slot_file(path)
    found, user_id, _private = _sign_in_keys(path, slots, sign_in_name, passphrase, clock)
    clear_failures(path)
    return found[0].key, user_id


def open_as_user(
    vault_path: Path,
    sign_in_name: str | None = None,
    passphrase: str | None = None,
    *,
    use_keychain: bool = True,
    keychain: Keychain | None = None,
    remember_in_keychain: bool = False,
    clock: Clock = SYSTEM_CLOCK,
) -> Vault:
    """Sign in and open the vault: with no name, by the sign-in this OS account's
    keychain remembers; else by name and passphrase. The vault's `signed_in_user_id`
    says who it is. With `remember_in_keychain`, a name-and-passphrase sign-in is
    remembered (only this user's slot secret) so that next time needs no typing."""
    path = Path(vault_path).expanduser().absolute()
    slots = _quick_check(path)
    if "user" not in slots.current.kinds():
        raise KeyUnavailable("Nobody signs in to this vault by name; unlock it with the "
                             "keychain, its passphrase or its recovery key.")
    chain = (keychain or Keychain()) if use_keychain else None
    secret: bytes | None = None
    if sign_in_name is None:
        candidates, user_id = _remembered_keys(slots, chain)
    else:
        if passphrase is None:
            raise UserError("Enter your passphrase to sign in.")
        candidates, user_id, secret = _sign_in_keys(path, slots, sign_in_name, passphrase,
                                                    clock)
    vault = _open_with_keys(path, slots, chain, KeySearch(candidates), clock=clock)
    vault.signed_in_user_id = user_id
    if sign_in_name is not None:
        clear_failures(path)
    try:
        if remember_in_keychain and secret is not None and _keychain_usable(chain):
            assert chain is not None  # nosec B101  # checked just above
            store_user_secret(chain, vault.vault_id, user_id, secret)
    except BaseException:
        vault.close()
        raise
    return vault


def _sign_in_keys(
    path: Path,
    slots: keyslots.SlotFile,
    sign_in_name: str,
    passphrase: str,
    clock: Clock,
) -> tuple[list[Candidate], str, bytes]:
    """The keys a name and passphrase open (current first), the user's id and their slot
    secret; or a counted failure."""
    now = clock.now()
    wait = read_sign_in_state(path).wait_seconds(now)
    if wait:
        raise SignInPaused(wait)
    lookup = _lookup(slots, sign_in_name)
    keysets = [(slots.current, False)] + ([(slots.pending, True)] if slots.pending else [])
    candidates: list[Candidate] = []
    user_id = ""
    private = b""
    slot = slots.current.user_slot_by_lookup(lookup) if lookup else None
    if slot is None and slots.pending is not None and lookup:
        slot = slots.pending.user_slot_by_lookup(lookup)
    if slot is None:
        # As slow as a real try, so the time taken does not tell whether a name exists.
        keyslots.slot_private_key(keyslots.Slot("user", keyslots._argon2_params(), "", ""),
                                  passphrase)
    else:
        user_id = slot.user_id or ""
        private = keyslots.slot_private_key(slot, passphrase)
        for keyset, pending in keysets:
            same = keyset.user_slot(user_id)
            if same is None or same.lookup != slot.lookup:
                continue
            key = keyslots.open_sealed(keyset, slots.vault_id, same, private)
            if key is not None:
                candidates.append(Candidate(key, "user", pending))
    if not candidates:
        state = count_failure(path, now)
        wait = state.wait_seconds(now)
        if wait:
            raise SignInPaused(wait)
        raise WrongSignIn()
    return candidates, user_id, private


def _remembered_keys(
    slots: keyslots.SlotFile, chain: Keychain | None
) -> tuple[list[Candidate], str]:
    stale = KeyUnavailable("This computer does not remember a sign-in for this vault; "
                           "sign in with your name and passphrase.")
    if chain is None or not _keychain_usable(chain):
        raise stale
    try:
        remembered = get_user_secret(chain, slots.vault_id)
    except KeychainUnavailableError as exc:
        raise stale from exc
    except KeychainLocked:
        raise
    if remembered is None:
        raise stale
    user_id, private = remembered
    keysets = [(slots.current, False)] + ([(slots.pending, True)] if slots.pending else [])
    candidates = []
    for keyset, pending in keysets:
        slot = keyset.user_slot(user_id)
        key = keyslots.open_sealed(keyset, slots.vault_id, slot, private) if slot else None
        if key is not None:
            candidates.append(Candidate(key, "user-keychain", pending))
    if not candidates:
        raise KeyUnavailable("The sign-in this computer remembered no longer opens this "
                             "vault; sign in with your name and passphrase.")
    return candidates, user_id


# -- remembering on this computer --------------------------------------------------------------
def remembered_user_id(vault_path: Path, keychain: Keychain | None = None) -> str | None:
    """The id of the user whose sign-in this OS account remembers for the vault, if any
    (a locked or missing keychain counts as none)."""
    path = Path(vault_path).expanduser().absolute()
    chain = keychain or Keychain()
    try:
        slots = read_slot_file(path)
        if not _keychain_usable(chain):
            return None
        remembered = get_user_secret(chain, slots.vault_id)
    except (VaultError, KeychainUnavailableError):
        return None
    return remembered[0] if remembered else None


def remember_sign_in(vault: Vault, passphrase: str, keychain: Keychain | None = None) -> None:
    """Keep the signed-in user's slot secret in this OS account's keychain (their
    passphrase confirms it is them); raises `KeychainUnavailableError` without one."""
    user_id = vault.signed_in_user_id
    if user_id is None:
        raise UserError("Only someone who signed in by name can be remembered.")
    chain = keychain or vault.keychain or Keychain()
    if not _keychain_usable(chain):
        raise KeychainUnavailableError("this computer has no keychain")
    slots = read_slot_file(vault.path)
    slot = _existing(slots, user_id)
    private = keyslots.slot_private_key(slot, passphrase)
    if keyslots.open_sealed(slots.current, vault.vault_id, slot, private) is None:
        raise WrongPassphrase()
    store_user_secret(chain, vault.vault_id, user_id, private)


def forget_sign_in(vault_path: Path, keychain: Keychain | None = None) -> None:
    """Forget the sign-in this OS account remembers for the vault (a missing one is fine)."""
    path = Path(vault_path).expanduser().absolute()
    chain = keychain or Keychain()
    slots = read_slot_file(path)
    with contextlib.suppress(KeychainUnavailableError):
        delete_user_secret(chain, slots.vault_id)


def _update_remembered(vault: Vault, user_id: str, slot: keyslots.Slot, passphrase: str) -> None:
    """After a passphrase change, keep this computer's remembered sign-in of that user
    working (anyone else's remembered sign-in of them stops, as it should)."""
    chain = vault.keychain
    if not _keychain_usable(chain):
        return
    assert chain is not None  # nosec B101  # checked just above
    with contextlib.suppress(VaultError, KeychainUnavailableError):
        remembered = get_user_secret(chain, vault.vault_id)
        if remembered is not None and remembered[0] == user_id:
            store_user_secret(chain, vault.vault_id, user_id,
                              keyslots.slot_private_key(slot, passphrase))


__all__ = [
    "FIRST_PAUSE",
    "FREE_FAILURES",
    "MAX_PAUSE",
    "SignInState",
    "add_user_slot",
    "change_user_passphrase",
    "check_user_passphrase",
    "forget_sign_in",
    "has_user_slots",
    "normalise_sign_in_name",
    "open_as_user",
    "read_sign_in_state",
    "record_failure",
    "remember_sign_in",
    "remembered_user_id",
    "remove_user_slot",
    "rename_user_slot",
    "rotation_due",
    "set_user_passphrase",
    "sign_in_state_path",
    "unlock_as_user",
    "user_ids_with_slots",
]
