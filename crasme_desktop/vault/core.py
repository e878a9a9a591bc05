"""Create, open, lock and rekey a vault.

A vault is one SQLCipher 4 file keyed with a random 256-bit raw key, plus a
key-slot file beside it. Every failure a person can meet is a `VaultError` with one
sentence, and opening never changes the file's bytes unless it has unlocked it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crasme_desktop.domain.clock import SYSTEM_CLOCK, Clock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.permissions import Actor
from crasme_desktop.vault import attempts, keyslots, migrate
from crasme_desktop.vault import engine as eng
from crasme_desktop.vault.errors import (
    NotAVault,
    UnlockPaused,
    VaultBusy,
    VaultDamaged,
    VaultError,
    VaultExists,
    VaultNotFound,
    VaultReadOnly,
    WrongPassphrase,
    WrongRecoveryKey,
)
from crasme_desktop.vault.files import atomic_write, folder_writable, storage_error
from crasme_desktop.vault.keychain import Keychain, KeychainUnavailableError
from crasme_desktop.vault.lockfile import VaultLock
from crasme_desktop.vault.paths import backup_dir, keyslot_path, sidecar_paths
from crasme_desktop.vault.unlock import (
    NO_KEYCHAIN_NOTICE,
    Candidate,
    KeySearch,
    find_keys,
    read_slot_file,
)

if TYPE_CHECKING:
    from crasme_desktop.vault.backup import BackupCheck, BackupInfo

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
PAGE_SIZE = 4096


@dataclass(frozen=True)
class CreatedVault:
    path: Path
    vault_id: str
    recovery_key: str
    keychain_used: bool
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class VaultDescription:
    path: Path
    exists: bool
    vault_id: str | None
    has_passphrase: bool
    has_recovery: bool
    keychain_available: bool
    keychain_has_key: bool
    #: People sign in by name and passphrase (see `vault.user_slots`).
    has_user_slots: bool = False


class UnitOfWork:
    """One transaction: commits when the block ends cleanly, rolls back otherwise."""

    def __init__(self, vault: Vault, *, immediate: bool = False) -> None:
        self._vault = vault
        self._immediate = immediate
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._vault._sessions()
        # The audit trail reads who acts (vault.actor) from the session it writes in.
        self.session.info["vault"] = self._vault
        if self._immediate:
            # Take the write lock now (waiting its turn), so that a read-then-write
            # cannot fail on a snapshot another writer has made stale meanwhile.
            self.session.connection(execution_options={"begin": "immediate"})
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None:
                try:
                    self.session.commit()
                except Exception as error:
                    self.session.rollback()
                    mapped = eng.map_storage_error(error, self._vault.path)
                    if mapped is not error:
                        raise mapped from error
                    raise
            else:
                self.session.rollback()
                # A write refused for a lock or a stale snapshot is a clear sentence, not
                # a bug: nothing was written, and trying again works.
                mapped = eng.map_storage_error(exc, self._vault.path)
                if isinstance(mapped, VaultBusy):
                    raise mapped from exc
        finally:
            self.session.close()


class Vault:
    """An unlocked vault. Thread-safe: one engine, a session per unit of work."""

    def __init__(
        self,
        path: Path,
        vault_id: str,
        key: bytearray,
        key_source: str,
        lock: VaultLock,
        keychain: Keychain | None,
        notices: tuple[str, ...],
        clock: Clock,
        first_connection: Any | None = None,
    ) -> None:
        self.path = path
        self.vault_id = vault_id
        self.key_source = key_source
        #: The user who signed in (their `app_user` id) when the vault was opened by a
        #: user slot (`user_slots.open_as_user`); None when opened by a vault-wide way.
        self.signed_in_user_id: str | None = None
        self.notices = notices
        self.clock = clock
        self._key = key
        self._lock = lock
        self._keychain = keychain
        self._guard = threading.Lock()
        self._spare = [first_connection] if first_connection is not None else []
        self._engine: Engine | None = eng.make_engine(path, self._key_for_connection, self._spare)
        self._sessions = eng.sessions_for(self._engine)
        #: Who is acting: set at sign-in (`services.permissions.act_as`); while None,
        #: the services act as the vault's only, or first, Owner.
        self.actor: Actor | None = None

    # -- state --------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._engine is None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise UserError("The vault is locked; unlock it first.")
        return self._engine

    @property
    def has_passphrase(self) -> bool:
        return "passphrase" in read_slot_file(self.path).current.kinds()

    def _key_for_connection(self) -> bytearray:
        if self._engine is None or not any(self._key):
            raise UserError("The vault is locked; unlock it first.")
        return self._key

    def unit_of_work(self, *, immediate: bool = False) -> UnitOfWork:
        """One transaction. With `immediate`, it holds the write lock from its start:
        for read-then-write work such as taking the next invoice number."""
        self.engine  # noqa: B018 - raises if locked
        return UnitOfWork(self, immediate=immediate)

    def close(self) -> None:
        """Lock: close every connection, overwrite the key in memory, release the file."""
        with self._guard:
            engine, self._engine = self._engine, None
            if engine is not None:
                eng.release_engine(engine)
            while self._spare:
                self._spare.pop().close()
            for i in range(len(self._key)):
                self._key[i] = 0
            self.actor = None
            self._lock.release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- key rotation -------------------------------------------------------
    def rekey(self, passphrase: str | None = None) -> str:
        """Rotate the data key; returns the new recovery key (shown once).

        Crash-safe: the new key's slots (and keychain entry) are saved as pending
        first, then SQLCipher re-encrypts the file in one transaction, then pending
        becomes current. Opening tries the current key, then the pending one.
        """
        slots = read_slot_file(self.path)
        keeps_passphrase = "passphrase" in slots.current.kinds()
        if keeps_passphrase:
            if passphrase is None:
                raise UserError("Enter the vault's passphrase to rotate its key.")
            if keyslots.unwrap(slots.current, self.vault_id, "passphrase", passphrase) is None:
                raise WrongPassphrase()
        new_key = keyslots.new_data_key()
        recovery = keyslots.new_recovery_key()
        pending = keyslots.build_keyset(
            new_key,
            self.vault_id,
            passphrase=passphrase if keeps_passphrase else None,
            recovery_key=recovery,
        )
        # Each user keeps their sign-in: their slot is sealed to the new key too.
        pending.slots += [keyslots.reseal(slot, new_key, self.vault_id)
                          for slot in slots.current.slots if slot.kind == "user"]
        self.rotate_to(slots, pending, new_key)
        return recovery

    def rotate_to(
        self, slots: keyslots.SlotFile, pending: keyslots.KeySet, new_key: bytearray
    ) -> None:
        """Re-encrypt the file with `new_key`, whose slots are `pending`, crash-safely:
        `slots` (as it should stay if the rotation never happens) goes to disk with
        `pending` beside it first, then SQLCipher re-encrypts the file in one
        transaction, then pending becomes current. The keychain's vault key follows."""
        slots.pending = pending
        use_keychain = self._keychain is not None and self._keychain_holds_key()
        with eng.quiet(self.engine), self._guard:
            self.engine.pool.dispose()
            while self._spare:
                self._spare.pop().close()
            _write_slots(self.path, slots)
            if use_keychain:
                assert self._keychain is not None  # nosec B101  # narrows a type the code above guarantees
                self._keychain.store(self.vault_id, new_key, pending=True)
            self._apply_rekey(new_key)
            self._key[:] = new_key
        finish_rekey(self.path, slots, self._keychain if use_keychain else None, new_key)

    def change_passphrase(self, current: str | None, new: str) -> None:
        """Wrap the data key with a new passphrase (or give the vault one); the data is
        not re-encrypted, so this is instant. The old passphrase stops working at once;
        the recovery key and the keychain entry stay valid."""
        slots = read_slot_file(self.path)
        if slots.pending is not None:
            raise UserError("A key rotation is unfinished; lock and unlock the vault first.")
        if "passphrase" in slots.current.kinds():
            if not current:
                raise UserError("Enter the vault's current passphrase to change it.")
            if keyslots.unwrap(slots.current, self.vault_id, "passphrase", current) is None:
                raise WrongPassphrase()
        with self._guard:
            self.engine  # noqa: B018 - raises if the vault was locked meanwhile
            slots.current = keyslots.with_passphrase(slots.current, self._key, self.vault_id, new)
            _write_slots(self.path, slots)

    def _apply_rekey(self, new_key: bytearray) -> None:
        conn = eng.connect(self.path, self._key)
        try:
            conn.execute(f"PRAGMA rekey = \"x'{bytes(new_key).hex()}'\"").fetchall()
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except Exception as exc:
            raise eng.map_storage_error(exc, self.path) from exc
        finally:
            conn.close()

    @property
    def keychain(self) -> Keychain | None:
        """The keychain this vault was unlocked with (None when it was not used)."""
        return self._keychain

    def keychain_holds_key(self) -> bool:
        """Whether this computer's keychain holds the current key (False if unreachable)."""
        return self._keychain is not None and self._keychain_holds_key()

    def _keychain_holds_key(self) -> bool:
        assert self._keychain is not None  # nosec B101  # narrows a type the code above guarantees
        try:
            return self._keychain.available and self._keychain.get(self.vault_id) is not None
        except (VaultError, KeychainUnavailableError):
            return False

    def scrub(self) -> bool:
        """Make deleted data leave the disk files after an erase: copy the write-ahead
        log into the file (whose freed space `secure_delete` has zeroed) and truncate
        the log to nothing. A connection still reading an older snapshot keeps the log
        alive; the checkpoint waits for it (the busy timeout) and returns False if it
        did not finish, and the next checkpoint, at the latest when the vault closes,
        does the job."""
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        return not busy

    # -- checks ---------------------------------------------------------------
    def doctor(self) -> dict[str, Any]:
        """Facts about the vault and both integrity checks (reads every page)."""
        slots = read_slot_file(self.path)
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            facts = eng.cipher_facts(raw)
            revision = migrate.current_revision(conn)
            try:
                integrity = [r[0] for r in raw.execute("PRAGMA integrity_check").fetchall()]
                cipher_problems = [r[0] for r in raw.execute("PRAGMA cipher_integrity_check")]
                counts: dict[str, int] | None = {
                    table: raw.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # nosec B608  # names are code constants; values are bound
                    for table in ("organization", "person", "activity", "audit_event")
                }
            except Exception as exc:
                mapped = eng.map_storage_error(exc, self.path)
                integrity, cipher_problems, counts = [str(mapped)], [str(mapped)], None
        wal, _shm = sidecar_paths(self.path)
        return {
            "vault": str(self.path),
            "vault_id": self.vault_id,
            "key_slots_file": str(keyslot_path(self.path)),
            "key_slots": sorted(slots.current.kinds()),
            "rekey_pending": slots.pending is not None,
            "unlocked_with": self.key_source,
            "file_size": self.path.stat().st_size,
            "wal_size": wal.stat().st_size if wal.exists() else 0,
            "encrypted": _looks_encrypted(self.path),
            "cipher": facts,
            "integrity_check": "ok" if integrity == ["ok"] else "; ".join(integrity[:20]),
            "cipher_integrity_check": "ok"
            if not cipher_problems
            else "; ".join(cipher_problems[:20]),
            "schema_version": revision,
            "schema_head": migrate.head_revision(),
            "counts": counts,
        }

    def backup(
        self,
        folder: Path,
        *,
        reason: str = "manual",
        progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> BackupInfo:
        """Make, check and keep a backup in `folder` (see `vault.backup`)."""
        from crasme_desktop.vault import backup

        return backup.create_backup(
            self.path,
            self._key_for_connection(),
            folder,
            reason=reason,
            now=self.clock.now(),
            progress=progress,
            should_stop=should_stop,
        )

    def check_backup(
        self, path: Path, *, expected_counts: dict[str, int] | None = None
    ) -> BackupCheck:
        """Open a backup with this vault's key and run every check on it (the counts
        compared with `expected_counts`, else with its manifest's)."""
        from crasme_desktop.vault import backup

        return backup.check_backup(
            path, self._key_for_connection(), expected_counts=expected_counts
        )

    def restore_from(self, source: Path, safety_folder: Path) -> RestoreOutcome:
        """Replace the vault's contents with a checked backup.

        First a backup of the vault as it is now goes to `safety_folder`; then the
        chosen backup is checked, copied beside the vault and checked again; only then
        are all connections closed and the copy renamed over the vault. The vault stays
        unlocked (new connections open the restored file) and is upgraded if the
        backup was made by an older version.
        """
        from crasme_desktop.vault import backup

        key = self._key_for_connection()
        prepared = backup.stage_restore(source, key, self.path)
        try:
            try:
                safety = self.backup(safety_folder, reason="before-restore")
            except (VaultDamaged, backup.BackupFailed):
                # The usual reason to restore: the vault cannot be backed up as it is.
                safety = backup.keep_damaged_copy(self.path, safety_folder,
                                                  now=self.clock.now())
        except BaseException:
            backup.discard(prepared)
            raise
        with eng.quiet(self.engine), self._guard:
            engine = self.engine
            engine.pool.dispose()
            while self._spare:
                self._spare.pop().close()
            conn = eng.connect(self.path, key)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except eng.DBAPIErrorType:
                pass  # a damaged vault: its copy (with the log) is already kept
            finally:
                conn.close()
            try:
                backup.swap_in(prepared, self.path)
            except BaseException:
                backup.discard(prepared)
                raise
        with self.engine.connect() as connection:
            revision = migrate.stored_revision(connection.connection.driver_connection)
        if revision != migrate.head_revision():
            try:
                with self.engine.begin() as connection:
                    migrate.upgrade(connection)
            except Exception as exc:
                raise eng.map_storage_error(exc, self.path) from exc
        return RestoreOutcome(prepared.backup, safety, prepared.counts)


@dataclass(frozen=True)
class RestoreOutcome:
    restored: BackupInfo
    safety_backup: BackupInfo
    counts: dict[str, int]


# -- creating --------------------------------------------------------------------
def create_vault(
    path: Path,
    *,
    passphrase: str | None,
    use_keychain: bool = True,
    keychain: Keychain | None = None,
) -> CreatedVault:
    """Make a new, empty, migrated vault; nothing is left behind if it fails."""
    path = Path(path).expanduser().absolute()
    slots_path = keyslot_path(path)
    if path.exists() or slots_path.exists():
        raise VaultExists(path)
    if passphrase is not None and len(passphrase) < keyslots.MIN_PASSPHRASE_LENGTH:
        raise UserError(
            f"Choose a passphrase of at least {keyslots.MIN_PASSPHRASE_LENGTH} characters."
        )
    notices: list[str] = []
    chain = (keychain or Keychain()) if use_keychain else None
    keychain_ok = False
    if chain is not None:
        try:
            keychain_ok = chain.available
        except KeychainUnavailableError:
            keychain_ok = False
        if not keychain_ok:
            notices.append(NO_KEYCHAIN_NOTICE)
    if not keychain_ok and passphrase is None:
        raise UserError(
            "Without the computer's keychain the vault needs a passphrase; please choose one."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise storage_error(exc, path) from exc
    if not folder_writable(path.parent):
        raise VaultReadOnly(path)

    vault_id = str(uuid.uuid4())
    key = keyslots.new_data_key()
    recovery = keyslots.new_recovery_key()
    made: list[Path] = []
    try:
        made.append(slots_path)
        _write_slots(
            path,
            keyslots.SlotFile(
                vault_id,
                keyslots.build_keyset(key, vault_id, passphrase=passphrase, recovery_key=recovery),
            ),
        )
        made.extend([path, *sidecar_paths(path)])
        # Created private before SQLite opens it; SQLite gives its -wal and -shm the same mode.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        eng.connect(path, key).close()  # makes the encrypted file, in WAL mode
        lock = VaultLock(path)
        made.append(lock.path)
        lock.acquire()
        vault = Vault(path, vault_id, bytearray(key), "new", lock, None, (), SYSTEM_CLOCK)
        try:
            with vault.engine.begin() as connection:
                migrate.upgrade(connection)
            with vault.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            vault.close()
        if keychain_ok:
            assert chain is not None  # nosec B101  # narrows a type the code above guarantees
            chain.store(vault_id, key)
    except BaseException as exc:
        for leftover in made:
            with contextlib.suppress(OSError):
                leftover.unlink()
        if isinstance(exc, VaultError | UserError):
            raise
        mapped = eng.map_storage_error(exc, path) if isinstance(exc, Exception) else exc
        if mapped is not exc:
            raise mapped from exc
        raise
    finally:
        for i in range(len(key)):
            key[i] = 0
    return CreatedVault(path, vault_id, recovery, keychain_ok, tuple(notices))


# -- opening ---------------------------------------------------------------------
def describe_vault(path: Path, keychain: Keychain | None = None) -> VaultDescription:
    """What the unlock screen needs to know, without decrypting anything."""
    path = Path(path).expanduser().absolute()
    chain = keychain or Keychain()
    try:
        available = chain.available
    except KeychainUnavailableError:
        available = False
    if not path.exists():
        return VaultDescription(path, False, None, False, False, available, False)
    try:
        slots = read_slot_file(path)
    except VaultError:
        return VaultDescription(path, True, None, False, False, available, False)
    has_key = False
    if available:
        try:
            has_key = chain.get(slots.vault_id) is not None or (
                slots.pending is not None and chain.get(slots.vault_id, pending=True) is not None
            )
        except (VaultError, KeychainUnavailableError):
            has_key = False
    kinds = slots.current.kinds()
    return VaultDescription(
        path, True, slots.vault_id, "passphrase" in kinds, "recovery" in kinds, available, has_key,
        has_user_slots="user" in kinds,
    )


def open_vault(
    path: Path,
    *,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    use_keychain: bool = True,
    keychain: Keychain | None = None,
    remember_in_keychain: bool = False,
    clock: Clock = SYSTEM_CLOCK,
) -> Vault:
    """Unlock a vault (keychain, then passphrase, then recovery key) and bring its schema
    up to date; raises a `VaultError` with one clear sentence on any known failure.

    With `remember_in_keychain`, a key found by passphrase or recovery key is stored in
    the keychain so that the next start needs no typing.

    A wrong passphrase or recovery key is counted with the wrong sign-ins
    (`vault.attempts`); after too many in a row, typing either is refused with
    `UnlockPaused` until the pause is over (the keychain still opens the vault)."""
    path = Path(path).expanduser().absolute()
    slots = _quick_check(path)
    chain = (keychain or Keychain()) if use_keychain else None
    search = _typed_search(path, slots, chain, passphrase, recovery_key, clock)
    vault = open_with_keys(path, slots, chain, search, clock=clock)
    try:
        if remember_in_keychain and vault.key_source != "keychain" and _keychain_usable(chain):
            assert chain is not None  # nosec B101  # narrows a type the code above guarantees
            chain.store(vault.vault_id, vault._key)
    except BaseException:
        vault.close()
        raise
    return vault


def _typed_search(
    path: Path,
    slots: keyslots.SlotFile,
    chain: Keychain | None,
    passphrase: str | None,
    recovery_key: str | None,
    clock: Clock,
) -> KeySearch:
    """`find_keys`, with typed secrets paused, counted and cleared as `vault.attempts`
    says."""
    now = clock.now()

    def refuse_while_paused() -> None:
        wait = attempts.read_sign_in_state(path).wait_seconds(now)
        if wait:
            raise UnlockPaused(wait)

    try:
        search = find_keys(slots, keychain=chain, passphrase=passphrase,
                           recovery_key=recovery_key, before_typed=refuse_while_paused)
    except (WrongPassphrase, WrongRecoveryKey):
        wait = attempts.count_failure(path, now).wait_seconds(now)
        if wait:
            raise UnlockPaused(wait) from None
        raise
    if any(c.source in ("passphrase", "recovery") for c in search.candidates):
        attempts.clear_failures(path)
    return search


def open_with_keys(
    path: Path,
    slots: keyslots.SlotFile,
    chain: Keychain | None,
    search: KeySearch,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> Vault:
    """Open `path` with the first of the found keys SQLCipher accepts: take the lock,
    finish an interrupted rekey, bring the schema up to date."""
    if not folder_writable(path.parent) or not os.access(path, os.W_OK):
        raise VaultReadOnly(path)
    lock = VaultLock(path)
    lock.acquire()
    conn = None
    try:
        chosen, conn = _first_working_key(path, search.candidates)
        if chosen.pending or slots.pending is not None:
            # Finish (or forget) a rekey that was interrupted.
            usable = chain if _keychain_usable(chain) else None
            finish_rekey(path, slots, usable, chosen.key, promote=chosen.pending)
        revision = migrate.stored_revision(conn)
        vault = Vault(
            path,
            slots.vault_id,
            chosen.key,
            chosen.source,
            lock,
            chain,
            tuple(search.notices),
            clock,
            first_connection=conn,
        )
    except BaseException as exc:
        if conn is not None:
            conn.close()
        lock.release()
        if isinstance(exc, eng.DBAPIErrorType):
            raise eng.map_storage_error(exc, path) from exc
        if isinstance(exc, OSError):
            raise storage_error(exc, path) from exc
        raise
    try:
        if revision != migrate.head_revision():
            _migrate_with_backup(vault, revision)
    except BaseException:
        vault.close()
        raise
    return vault


def _quick_check(path: Path) -> keyslots.SlotFile:
    """The key slots of a file that looks like a vault at a glance (one `stat`); anything
    odd gets `check_file`'s full diagnosis and its clear error."""
    try:
        info = os.stat(path)
        if stat.S_ISREG(info.st_mode) and info.st_size and not info.st_size % PAGE_SIZE:
            return read_slot_file(path)
    except (OSError, VaultError):
        pass
    check_file(path)  # raises the precise error
    return read_slot_file(path)


def check_file(path: Path) -> None:
    """Cheap checks before any key is tried: exists, is a file, looks like a vault."""
    try:
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise NotAVault(path)
            head = fh.read(16)
        size = info.st_size
    except FileNotFoundError as exc:
        raise VaultNotFound(path) from exc
    except IsADirectoryError as exc:
        raise NotAVault(path) from exc
    except PermissionError as exc:
        raise VaultReadOnly(path) from exc
    except OSError as exc:
        raise storage_error(exc, path) from exc
    if head.startswith(SQLITE_HEADER):
        raise NotAVault(path)
    if not keyslot_path(path).exists():
        if size == 0 or size % PAGE_SIZE:
            raise NotAVault(path)
        read_slot_file(path)  # raises KeySlotsMissing: the file may be a vault without its keys
    if size == 0 or size % PAGE_SIZE:
        raise VaultDamaged(path)


def _first_working_key(path: Path, candidates: list[Candidate]) -> tuple[Candidate, Any]:
    """The first candidate SQLCipher accepts, with its open, checked connection."""
    # Candidates passed the key check, so "not a database" with every one of them means
    # the file's first page is damaged, not that the key is wrong.
    last: Exception | None = None
    for candidate in sorted(candidates, key=lambda c: c.pending):
        try:
            conn = eng.connect(path, candidate.key)
        except eng.WrongKeyError as exc:
            last = exc
            continue
        except Exception as exc:
            raise eng.map_storage_error(exc, path) from exc
        return candidate, conn
    check_file(path)  # a plain SQLite file is "not a vault", not a damaged one
    raise VaultDamaged(path) from last


def finish_rekey(
    path: Path,
    slots: keyslots.SlotFile,
    keychain: Keychain | None,
    key: bytearray,
    *,
    promote: bool = True,
) -> None:
    """Make the pending key current (the file is keyed with it) or drop it (it is not).

    The keychain's vault key follows only where the keychain held one (the old or the
    pending key): finishing a rotation never puts a vault key into a keychain that had
    none, such as that of a user who signs in by name."""
    if promote and slots.pending is not None:
        slots.current, slots.pending = slots.pending, None
        _write_slots(path, slots)
        if keychain is not None and _keychain_had_key(keychain, slots.vault_id):
            keychain.store(slots.vault_id, key)
    elif slots.pending is not None:
        slots.pending = None
        _write_slots(path, slots)
    if keychain is not None:
        with contextlib.suppress(VaultError, KeychainUnavailableError):
            keychain.delete(slots.vault_id, pending=True)


def _keychain_had_key(keychain: Keychain, vault_id: str) -> bool:
    try:
        return (keychain.get(vault_id, pending=True) is not None
                or keychain.get(vault_id) is not None)
    except (VaultError, KeychainUnavailableError):
        return False


def _migrate_with_backup(vault: Vault, current: str | None) -> None:
    if not migrate.is_known_revision(current):
        raise UserError(
            f"The vault {vault.path} was made by a newer version of Crasme Desktop; "
            "update the program to open it."
        )
    made = vault.backup(backup_dir(vault.path), reason=f"before-upgrade-{current or 'new'}")
    log.info("Backed up %s to %s before upgrading its schema", vault.path, made.path)
    try:
        with vault.engine.begin() as conn:
            migrate.upgrade(conn)
    except Exception as exc:
        raise eng.map_storage_error(exc, vault.path) from exc


def _keychain_usable(chain: Keychain | None) -> bool:
    if chain is None:
        return False
    try:
        return chain.available
    except KeychainUnavailableError:
        return False


def _write_slots(path: Path, slots: keyslots.SlotFile) -> None:
    atomic_write(keyslot_path(path), slots.to_bytes())


def _looks_encrypted(path: Path) -> bool:
    with open(path, "rb") as fh:
        return not fh.read(16).startswith(SQLITE_HEADER)
