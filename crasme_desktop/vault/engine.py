"""SQLCipher connections through SQLAlchemy, and the storage errors they raise.

The only place that imports sqlcipher3. Every connection gets the raw data key and
the same pragmas, and is checked with a read at once: a wrong key shows up as
"file is not a database" on the first read, never at `PRAGMA key`.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from crasme_desktop.vault.errors import DiskFull, NotAVault, VaultDamaged, VaultReadOnly

DBAPIErrorType = sqlcipher.Error

#: Applied to every connection, in this order, right after the key.
CONNECTION_PRAGMAS = (
    "PRAGMA cipher_log_level = NONE",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
)


class WrongKeyError(Exception):
    """SQLCipher could not read page 1 with this key."""


def key_pragma(key: bytes | bytearray) -> str:
    # The raw-key form skips SQLCipher's own PBKDF2: our key is already random.
    return f"PRAGMA key = \"x'{bytes(key).hex()}'\""


def connect(path: Path, key: bytes | bytearray, *, check: bool = True) -> sqlcipher.Connection:
    """Open one raw connection with the key and pragmas; raise `WrongKeyError` on a bad key."""
    conn = sqlcipher.connect(str(path), timeout=5.0, check_same_thread=False)
    try:
        conn.execute(key_pragma(key))
        if check:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        for pragma in CONNECTION_PRAGMAS:
            conn.execute(pragma).fetchall()
    except sqlcipher.DatabaseError as exc:
        conn.close()
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise WrongKeyError(str(exc)) from exc
        raise
    except BaseException:
        conn.close()
        raise
    return conn


def make_engine(
    path: Path,
    key_holder: Callable[[], bytearray],
    spare: list[sqlcipher.Connection] | None = None,
) -> Engine:
    """An engine whose connections are keyed from `key_holder()` at the moment they open.

    Connections in `spare` (already opened and checked with the key) are handed out
    first, so that opening a vault costs one connection, not two; the caller closes
    any still in `spare` when it disposes of the engine."""
    spare = spare if spare is not None else []

    def creator() -> sqlcipher.Connection:
        if spare:
            return spare.pop()
        return connect(path, key_holder())

    engine = create_engine(
        "sqlite+pysqlite://",
        creator=creator,
        module=sqlcipher,
        poolclass=QueuePool,
        pool_size=3,
        max_overflow=2,
        pool_pre_ping=False,
    )

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the DB-API module, decide where transactions begin.
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


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
