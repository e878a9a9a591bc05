"""SQLCipher connections through SQLAlchemy, and the storage errors they raise.

The only place that imports sqlcipher3. Every connection gets the raw data key and
the same pragmas, and is checked with a read at once: a wrong key shows up as
"file is not a database" on the first read, never at `PRAGMA key`.
"""

from __future__ import annotations

import contextlib
import errno
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from crasme_desktop.domain.errors import UserError
from crasme_desktop.vault.errors import (
    DiskFull,
    NotAVault,
    VaultBusy,
    VaultDamaged,
    VaultReadOnly,
)

DBAPIErrorType = sqlcipher.Error

#: Applied to every connection, in this order, right after the key. The busy timeout
#: comes from `connect(timeout=...)`. `journal_mode` is last because it is the first
#: statement that reads the file: with a wrong key it fails with "not a database",
#: so it doubles as the key check.
CONNECTION_PRAGMAS = (
    "PRAGMA cipher_log_level = NONE",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA synchronous = FULL",
    "PRAGMA journal_mode = WAL",
)
BUSY_TIMEOUT_S = 5.0


class WrongKeyError(Exception):
    """SQLCipher could not read page 1 with this key."""


def key_pragma(key: bytes | bytearray) -> str:
    # The raw-key form skips SQLCipher's own PBKDF2: our key is already random.
    return f"PRAGMA key = \"x'{bytes(key).hex()}'\""


def connect(path: Path, key: bytes | bytearray) -> sqlcipher.Connection:
    """Open one raw connection with the key and pragmas; raise `WrongKeyError` on a bad key."""
    conn = sqlcipher.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    try:
        # One call for the key and every pragma: the statements are the same as one
        # `execute` each, without a Python round trip per statement.
        conn.executescript(";".join((key_pragma(key), *CONNECTION_PRAGMAS)) + ";")
    except sqlcipher.DatabaseError as exc:
        conn.close()
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise WrongKeyError(str(exc)) from exc
        raise
    except BaseException:
        conn.close()
        raise
    return conn


class _Binding:
    """What a cached engine's connections are opened with: the key and spare connections
    of the vault that holds it now. Empty while no vault holds the engine."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.key_holder: Callable[[], bytearray] | None = None
        self.spare: list[sqlcipher.Connection] = []
        # Connections checked out, per thread, and the thread holding new ones back
        # (see `quiet`).
        self.in_use: dict[int, int] = {}
        self.holder: int | None = None
        self.changed = threading.Condition()

    def _wait_turn(self) -> bool:
        """Wait while another thread holds connections back; True if it did."""
        me = threading.get_ident()
        waited = False
        while self.holder not in (None, me):
            waited = True
            self.changed.wait()
        return waited

    def checked_out(self, _dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        with self.changed:
            if self._wait_turn():
                # Taken from the pool before the key changed: open a new one instead.
                raise DisconnectionError("the vault's key changed")
            me = threading.get_ident()
            self.in_use[me] = self.in_use.get(me, 0) + 1
            record.info["crasme_thread"] = me

    def checked_in(self, _dbapi_conn: Any, record: Any) -> None:
        owner = record.info.pop("crasme_thread", None) if record is not None else None
        if owner is None:
            return
        with self.changed:
            left = self.in_use.get(owner, 0) - 1
            if left > 0:
                self.in_use[owner] = left
            else:
                self.in_use.pop(owner, None)
            self.changed.notify_all()

    def creator(self) -> sqlcipher.Connection:
        with self.changed:  # not with the key of a moment before it changes
            self._wait_turn()
        if self.spare:
            return self.spare.pop()
        if self.key_holder is None:
            raise UserError("The vault is locked; unlock it first.")
        return connect(self.path, self.key_holder())


_engines: dict[Path, tuple[Engine, _Binding]] = {}
_bindings: weakref.WeakKeyDictionary[Engine, _Binding] = weakref.WeakKeyDictionary()
#: How long a key rotation or restore waits for running reads and writes to end.
QUIET_WAIT_SECONDS = 120.0
_engines_guard = threading.Lock()


def make_engine(
    path: Path,
    key_holder: Callable[[], bytearray],
    spare: list[sqlcipher.Connection] | None = None,
) -> Engine:
    """An engine whose connections are keyed from `key_holder()` at the moment they open.

    Connections in `spare` (already opened and checked with the key) are handed out
    first, so that opening a vault costs one connection, not two.

    Engines are kept per vault path for the life of the process: locking and unlocking
    the same vault again reuses the engine (with no connection and no key in it while
    locked; see `release_engine`) instead of building a new one each time."""
    with _engines_guard:
        cached = _engines.get(path)
        if cached is not None and cached[1].key_holder is None:
            engine, binding = cached
        else:
            binding = _Binding(path)
            engine = _new_engine(binding)
            if cached is None:
                _engines[path] = (engine, binding)
        binding.key_holder = key_holder
        binding.spare = spare if spare is not None else []
    return engine


_sessionmakers: weakref.WeakKeyDictionary[Engine, sessionmaker[Session]] = (
    weakref.WeakKeyDictionary()
)


def sessions_for(engine: Engine) -> sessionmaker[Session]:
    """The session factory of an engine, made once per engine like the engine itself."""
    with _engines_guard:
        made = _sessionmakers.get(engine)
        if made is None:
            made = _sessionmakers[engine] = sessionmaker(bind=engine, expire_on_commit=False)
        return made


def release_engine(engine: Engine) -> None:
    """Close every pooled connection and forget the key holder; the engine opens no
    connection again until `make_engine` hands it to the next unlock."""
    engine.pool.dispose()
    with _engines_guard:
        for cached, binding in _engines.values():
            if cached is engine:
                binding.key_holder = None
                while binding.spare:
                    binding.spare.pop().close()
                return
    engine.dispose()  # not cached: a second engine for a path whose cached one was busy


def _new_engine(binding: _Binding) -> Engine:
    engine = create_engine(
        "sqlite+pysqlite://",
        creator=binding.creator,
        module=sqlcipher,
        poolclass=QueuePool,
        pool_size=3,
        max_overflow=2,
        pool_pre_ping=False,
        # Error messages must not carry the values of a statement (names, emails) into
        # logs or bug reports.
        hide_parameters=True,
    )

    event.listen(engine, "checkout", binding.checked_out)
    event.listen(engine, "checkin", binding.checked_in)
    _bindings[engine] = binding

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the DB-API module, decide where transactions begin.
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # `vault.unit_of_work(immediate=True)` takes the write lock at once (waiting up
        # to the busy timeout): a read-then-write cannot fail on a stale snapshot.
        immediate = conn.get_execution_options().get("begin") == "immediate"
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextlib.contextmanager
def quiet(engine: Engine, wait_seconds: float = QUIET_WAIT_SECONDS) -> Iterator[None]:
    """Hold new connections of `engine` back and wait (up to `wait_seconds`) until the
    ones other threads use are returned, for a change that makes them useless: SQLCipher
    fails a read still using the old key once the file is re-encrypted, and a restore
    replaces the file under it. Connections this thread holds are not waited for."""
    binding = _bindings[engine]
    me = threading.get_ident()
    with binding.changed:
        while binding.holder not in (None, me):
            binding.changed.wait()
        binding.holder = me
        binding.changed.wait_for(lambda: not set(binding.in_use) - {me}, timeout=wait_seconds)
    try:
        yield
    finally:
        with binding.changed:
            binding.holder = None
            binding.changed.notify_all()


def map_storage_error(exc: BaseException, path: Path) -> BaseException:
    """Turn a SQLite/SQLCipher or OS error into the sentence a person needs, if we know it."""
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(original, OSError):
        if original.errno in (errno.ENOSPC, errno.EDQUOT):
            return DiskFull(path)
        if original.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return VaultReadOnly(path)
        return exc
    if not isinstance(original, sqlcipher.Error):
        return exc
    name = getattr(original, "sqlite_errorname", "") or ""
    text = str(original).lower()
    if name == "SQLITE_FULL" or "disk is full" in text:
        return DiskFull(path)
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return VaultReadOnly(path)
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return VaultDamaged(path)
    if name == "SQLITE_NOTADB":
        return NotAVault(path)
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        # SQLite reports a write that ran out of space as an I/O error in some paths.
        return _io_error(path)
    if name.startswith("SQLITE_CANTOPEN"):
        return VaultReadOnly(path)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        # Another writer held the lock past the busy timeout, or committed between this
        # transaction's first read and its first write (a stale snapshot cannot write).
        return VaultBusy(path)
    return exc


def _io_error(path: Path) -> BaseException:
    import shutil

    try:
        free = shutil.disk_usage(path.parent).free
    except OSError:
        free = 1 << 30
    return DiskFull(path) if free < 1 << 20 else VaultDamaged(path)


def cipher_facts(conn: Any) -> dict[str, Any]:
    """SQLCipher's version and settings as in effect on this connection."""

    def one(sql: str) -> Any:
        row = conn.execute(sql).fetchone()
        return row[0] if row else None

    return {
        "sqlcipher_version": one("PRAGMA cipher_version"),
        "sqlite_version": one("SELECT sqlite_version()"),
        "cipher_provider": one("PRAGMA cipher_provider"),
        "cipher_provider_version": one("PRAGMA cipher_provider_version"),
        "cipher_page_size": one("PRAGMA cipher_page_size"),
        "cipher_hmac_algorithm": one("PRAGMA cipher_hmac_algorithm"),
        "key_derivation": "none (raw 256-bit key)",
        "journal_mode": one("PRAGMA journal_mode"),
        "synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(
            one("PRAGMA synchronous")
        ),
        "foreign_keys": bool(one("PRAGMA foreign_keys")),
        "secure_delete": bool(one("PRAGMA secure_delete")),
        "temp_store": {0: "DEFAULT", 1: "FILE", 2: "MEMORY"}.get(one("PRAGMA temp_store")),
        "page_count": one("PRAGMA page_count"),
    }
