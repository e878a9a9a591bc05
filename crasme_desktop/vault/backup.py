"""Backups of the open vault: encrypted copies that count only once they are checked.

How a backup is made (`create_backup`):

1. A read transaction on the vault fixes one moment (a snapshot: writers carry on),
   and the row count of every table is taken inside it.
2. That snapshot goes into a hidden temp file in the backup folder, encrypted with
   the vault's own data key and cipher settings before a byte of it reaches the disk:
   - usually as the file lies: the write-ahead log was folded into the file just
     before, so the snapshot reads the file alone, and while it is open no checkpoint
     may write into the file (SQLite's WAL rules: a checkpoint stops at the end mark
     of the oldest reader, here the file itself). The already encrypted pages are
     copied byte for byte, beside the counts; nothing is decrypted;
   - when the log is in use (another reader keeps it), or when such a copy fails its
     check, through SQLite's online backup API, page by page through the cipher.
   It is then switched to a plain rollback journal so that the backup is one file.
3. The copy is flushed to disk once and checked: opened with the key,
   `integrity_check`, `cipher_integrity_check`, and every table's row count equal to
   the snapshot's.
4. Only then is it renamed into place, with a small manifest beside it (when, why,
   schema version, size, SHA-256 and the row counts: no personal data) and a copy of
   the key slots as they were, so that the passphrase or recovery key of that day
   opens it on another computer.

A copy that fails any step is deleted and the reason is said in one sentence; the
folder never holds a half-written backup under a backup's name.

Restoring (`stage_restore`, `swap_in`) never overwrites the live vault with anything
unchecked: the backup is copied beside the vault under a temp name, that copy is
checked (the file that will be used, checked once), and only then swapped in with
one atomic rename.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crasme_desktop.domain.errors import Cancelled, ExitCode, UserError
from crasme_desktop.vault import engine as eng
from crasme_desktop.vault.errors import DiskFull, VaultDamaged, VaultError, VaultReadOnly
from crasme_desktop.vault.files import atomic_write, fsync_dir, storage_error
from crasme_desktop.vault.paths import VAULT_SUFFIX, keyslot_path, sidecar_paths

MANIFEST_SUFFIX = ".json"
MANIFEST_FORMAT = 1
#: Pages copied per step of the backup API: small enough for a smooth progress bar
#: and a prompt cancel, large enough that the steps cost nothing measurable.
PAGES_PER_STEP = 2048
#: Bytes per read and write when a settled vault file is copied as it lies.
COPY_CHUNK = 8 * 1024 * 1024
#: Page cache of the connection running `integrity_check`: room for the whole file,
#: so that each page is decrypted once. The check walks every tree, then looks up
#: every index entry of every row; with a cache smaller than the file the lookups
#: decrypt pages again and again (measured on a 641 MB vault: 21 s with 64 MB or
#: 256 MB, 17 s with 512 MB, 9 to 15 s with the whole file). The cache grows only
#: as pages are read, up to a share of the computer's memory.
CHECK_CACHE_MIN = 64 * 1024 * 1024
#: Used when the computer's memory cannot be asked (not POSIX).
CHECK_CACHE_FALLBACK = 512 * 1024 * 1024
#: At most this share of the memory goes to that cache.
CHECK_CACHE_SHARE = 8
_STAMP = "%Y%m%d-%H%M%S"
_PARTIAL = re.compile(r"\.partial-(?P<pid>\d+)(?:-(?:journal|wal|shm))?$")
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})-(?P<reason>[a-z0-9-]+)$")

#: Progress callback: (pages done, pages in all).
StepProgress = Callable[[int, int], None]

log = logging.getLogger(__name__)


class BackupFailed(VaultError):
    """A backup could not be made or did not pass its checks; nothing was kept."""

    exit_code = ExitCode.INTEGRITY_FAILED


class BackupFolderUnavailable(VaultError):
    exit_code = ExitCode.READ_ONLY

    def __init__(self, folder: Path) -> None:
        super().__init__(
            f"The backup folder {folder} cannot be reached; connect the drive that holds "
            "it or choose another folder in Settings, then try again."
        )


@dataclass(frozen=True)
class BackupInfo:
    """One backup file in a folder, as its manifest describes it."""

    path: Path
    created_at: datetime
    reason: str
    size: int
    schema: str | None = None
    sha256: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    #: False for files without a manifest (made by hand, or by an older version).
    has_manifest: bool = True

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class BackupCheck:
    """What checking a backup found; `problems` are sentences for a person."""

    path: Path
    ok: bool
    problems: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    #: The file's SHA-256, when the check was asked to take it.
    sha256: str = ""


# --------------------------------------------------------------------------- naming


def backup_name(vault_path: Path, created_at: datetime, reason: str) -> str:
    stamp = created_at.astimezone(UTC).strftime(_STAMP)
    return f"{vault_path.stem}-{stamp}-{reason}{VAULT_SUFFIX}"


def parse_backup_name(name: str) -> tuple[datetime, str] | None:
    """When a backup named `name` was made and why, read from its name alone (for
    copies kept elsewhere, such as off-site, whose manifest is not at hand); None for a
    name that is not a backup's."""
    if not name.endswith(VAULT_SUFFIX) or name.startswith("."):
        return None
    match = _NAME.match(name[: -len(VAULT_SUFFIX)])
    if match is None:
        return None
    try:
        when = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    return when, match["reason"]


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def _companions(backup: Path) -> tuple[Path, ...]:
    wal, shm = sidecar_paths(backup)
    journal = backup.with_name(backup.name + "-journal")
    return manifest_path(backup), keyslot_path(backup), wal, shm, journal


# ------------------------------------------------------------------------- creating


def create_backup(
    vault_path: Path,
    key: bytes | bytearray,
    folder: Path,
    *,
    reason: str = "manual",
    now: datetime | None = None,
    progress: StepProgress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> BackupInfo:
    """Make, check and keep one backup of the vault at `vault_path` in `folder`."""
    created_at = (now or datetime.now(UTC)).astimezone(UTC)
    if not re.fullmatch(r"[a-z0-9-]+", reason):
        raise ValueError(f"bad backup reason {reason!r}")
    _ensure_folder(folder)
    sweep_leftovers(folder, vault_path)
    target = folder / backup_name(vault_path, created_at, reason)
    serial = 1
    while target.exists():  # two backups within the same second keep both
        serial += 1
        target = folder / backup_name(vault_path, created_at, f"{reason}-{serial}")
    tmp = folder / f".{target.name}.partial-{os.getpid()}"
    _remove(tmp, *_companions(tmp))
    try:
        counts, schema, as_is = _copy_snapshot(vault_path, key, tmp, progress, should_stop)
        _fsync_file(tmp)
        check = check_backup(tmp, key, expected_counts=counts, digest=True)
        if not check.ok and as_is:
            # A file copied as it lies holds the vault's damage too: copy it page by
            # page instead, which reads (and so names) a damaged vault.
            _remove(tmp, *_companions(tmp))
            counts, schema, _ = _copy_snapshot(vault_path, key, tmp, progress, should_stop,
                                               as_is=False)
            _fsync_file(tmp)
            check = check_backup(tmp, key, expected_counts=counts, digest=True)
        if not check.ok:
            raise BackupFailed(
                f"The backup made in {folder} did not pass its check ({check.problems[0]}); "
                "nothing was kept. Try again, or choose another backup folder."
            )
        digest = check.sha256
        size = tmp.stat().st_size
        info = BackupInfo(target, created_at, reason, size, schema, digest, counts)
        slots = keyslot_path(vault_path)
        if slots.exists():
            atomic_write(keyslot_path(target), slots.read_bytes())
        atomic_write(manifest_path(target), _manifest_bytes(info))
        os.replace(tmp, target)
        fsync_dir(folder)
    except BaseException as exc:
        _remove(tmp, *_companions(tmp))
        if not target.exists():
            _remove(*_companions(target))
        if isinstance(exc, OSError):
            raise _folder_error(exc, folder) from exc
        mapped = eng.map_storage_error(exc, folder)
        if not folder.is_dir():
            raise BackupFolderUnavailable(folder) from exc
        if isinstance(mapped, VaultDamaged):
            # Damage found while reading: the vault's, not the backup folder's.
            raise VaultDamaged(vault_path) from exc
        if mapped is not exc:
            raise _reword(mapped, folder) from exc
        raise
    return info


def keep_damaged_copy(vault_path: Path, folder: Path, *, now: datetime | None = None) -> BackupInfo:
    """A byte-for-byte copy of a damaged vault (and its write-ahead log), kept before a
    restore replaces it: it cannot pass the checks a backup must, but whatever can
    still be read from it is not thrown away. It has no manifest, so it is never taken
    for a good backup."""
    created_at = (now or datetime.now(UTC)).astimezone(UTC)
    _ensure_folder(folder)
    target = folder / backup_name(vault_path, created_at, "damaged-before-restore")
    wal, _shm = sidecar_paths(vault_path)
    try:
        shutil.copyfile(vault_path, target)
        if wal.exists():
            shutil.copyfile(wal, sidecar_paths(target)[0])
        slots = keyslot_path(vault_path)
        if slots.exists():
            shutil.copyfile(slots, keyslot_path(target))
        _fsync_file(target)
        fsync_dir(folder)
    except OSError as exc:
        _remove(target, *_companions(target))
        raise _folder_error(exc, folder) from exc
    return BackupInfo(target, created_at, "damaged-before-restore", target.stat().st_size,
                      has_manifest=False)


def sweep_leftovers(folder: Path, vault_path: Path) -> list[Path]:
    """Remove what a backup of this vault cut short by a crash left behind: its hidden
    temp file, or the manifest and key slots written just before the final rename.
    (Only this vault's names; one instance per vault means none is being written.)"""
    prefix = f"{vault_path.stem}-"
    removed = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for path in entries:
        name = path.name
        if name.startswith(f".{prefix}") and ".partial-" in name:
            # The temp file, or SQLite's own files beside it (-journal, -wal, -shm).
            owner = _PARTIAL.search(name)
            pid = int(owner["pid"]) if owner else os.getpid()
            if pid != os.getpid() and not _alive(pid):
                _remove(path)
                removed.append(path)
            continue
        if not name.startswith(prefix):
            continue
        owner = name.removesuffix(MANIFEST_SUFFIX).removesuffix(".keys")
        if owner != name and owner.endswith(VAULT_SUFFIX) and not (folder / owner).exists():
            _remove(path)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _copy_snapshot(
    vault_path: Path,
    key: bytes | bytearray,
    tmp: Path,
    progress: StepProgress | None,
    should_stop: Callable[[], bool] | None,
    *,
    as_is: bool = True,
) -> tuple[dict[str, int], str | None, bool]:
    """Copy one moment of the vault into `tmp`; returns the row counts of that moment,
    the schema version, and whether the file was copied as it lies."""
    source = eng.connect(vault_path, key)
    try:
        # Fold the write-ahead log into the file first (if no one is reading it): a
        # settled file can be copied as it lies, without decrypting a page.
        settle = source.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        # One read transaction: the counts and every copied page see the same moment,
        # the one its first read fixes.
        source.execute("BEGIN")
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        schema = _schema_version(source)
        as_is = as_is and not settle[0] and _settled(vault_path)
        if as_is:
            # Counting decrypts pages (the processor), copying moves bytes (the disk):
            # the counts run beside the copy, on the same snapshot.
            counter = _Counter(source)
            counter.start()
            try:
                _copy_file(vault_path, tmp, progress, should_stop)
            except BaseException:
                source.interrupt()
                raise
            finally:
                counter.join()
            counts = counter.result()
        else:
            counts = table_counts(source)
            _copy_pages(source, key, tmp, progress, should_stop)
        target = eng.sqlcipher.connect(str(tmp), check_same_thread=False)
        try:
            target.execute(eng.key_pragma(key))
            # No flush of its own: the whole file is flushed once, by the caller.
            target.execute("PRAGMA synchronous = OFF")
            # The copy carries the vault's WAL flag; a backup is better as one file.
            target.execute("PRAGMA journal_mode = DELETE").fetchall()
        finally:
            target.close()
        source.execute("ROLLBACK")
    finally:
        source.close()
    return counts, schema, as_is


class _Counter(threading.Thread):
    """`table_counts` of a connection inside its open read transaction, on a thread."""

    def __init__(self, conn: Any) -> None:
        super().__init__(name="backup-source-counts", daemon=True)
        self._conn = conn
        self._counts: dict[str, int] = {}
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            self._counts = table_counts(self._conn)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def result(self) -> dict[str, int]:
        if self._error is not None:
            raise self._error
        return self._counts


def _settled(vault_path: Path) -> bool:
    """Whether the read transaction just begun reads the vault file alone.

    Called with the transaction open, after its first read. An empty (or absent) log
    now means it was empty or wholly copied into the file when the snapshot was
    taken (a log in use by a reader cannot be reset), so SQLite reads the file alone
    and holds read lock 0, which stops any checkpoint from writing into the file
    until the transaction ends: the file's bytes are the snapshot, and stay it."""
    wal, _shm = sidecar_paths(vault_path)
    try:
        return wal.stat().st_size == 0
    except FileNotFoundError:
        return True


def _copy_file(
    vault_path: Path,
    tmp: Path,
    progress: StepProgress | None,
    should_stop: Callable[[], bool] | None,
) -> None:
    """The settled vault file byte for byte: its pages as SQLCipher encrypted them
    (same key, same salt), never decrypted on the way."""
    buffer = memoryview(bytearray(COPY_CHUNK))
    with open(vault_path, "rb", buffering=0) as src, open(tmp, "wb", buffering=0) as dst:
        total = os.fstat(src.fileno()).st_size
        pages = max(1, -(-total // 4096))
        done = 0
        while done < total:
            if should_stop is not None and should_stop():
                raise Cancelled()
            read = src.readinto(buffer)
            if not read:
                break
            view = buffer[:read]
            while view:
                view = view[dst.write(view):]
            done += read
            if progress is not None:
                progress(min(pages, -(-done // 4096)), pages)
        if done != total:
            raise BackupFailed("The vault file ended while it was being copied; nothing was "
                               "kept. Try again.")


def _copy_pages(
    source: Any,
    key: bytes | bytearray,
    tmp: Path,
    progress: StepProgress | None,
    should_stop: Callable[[], bool] | None,
) -> None:
    """SQLite's online backup API, for a vault whose log is in use: every page of the
    snapshot decrypted and encrypted again with the same key into `tmp`."""
    target = eng.sqlcipher.connect(str(tmp), check_same_thread=False)
    try:
        target.execute(eng.key_pragma(key))
        target.execute("PRAGMA synchronous = OFF")  # flushed once, by the caller

        def step(_status: int, remaining: int, total: int) -> None:
            if should_stop is not None and should_stop():
                raise Cancelled()
            if progress is not None:
                progress(total - remaining, total)

        source.backup(target, pages=PAGES_PER_STEP, progress=step)
    finally:
        target.close()


def table_counts(conn: Any) -> dict[str, int]:
    """Rows in every ordinary table (virtual tables are counted through their own)."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        )
    ]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}  # nosec B608  # names are code constants; values are bound


def _schema_version(conn: Any) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except eng.sqlcipher.OperationalError:
        return None
    return row[0] if row else None


# ------------------------------------------------------------------------- checking


def check_backup(
    path: Path,
    key: bytes | bytearray,
    *,
    expected_counts: dict[str, int] | None = None,
    digest: bool = False,
) -> BackupCheck:
    """Open `path` read-only with `key` and run both integrity checks and the counts.

    `expected_counts` defaults to the counts in the backup's manifest (if it has one).
    With `digest`, the file's SHA-256 is taken too (in `BackupCheck.sha256`).
    """
    if expected_counts is None:
        expected_counts = read_info(path).counts if manifest_path(path).exists() else None
    try:
        conn = _open_read_only(path, key)
    except eng.WrongKeyError:
        return BackupCheck(
            path,
            False,
            ("it does not open with this vault's key: it was made before the key was "
             "changed, or belongs to another vault",),
        )
    except eng.sqlcipher.Error as exc:
        return BackupCheck(path, False, (_damage_sentence(exc),))
    problems: list[str] = []
    # The structure check is the long one; the encryption check (every page's HMAC),
    # the row counts and the digest run beside it on a second connection: SQLite and
    # hashlib work without Python's lock, so two cores share the work.
    side = _SideChecks(path, key, digest)
    side.start()
    try:
        conn.execute(f"PRAGMA cache_size = -{check_cache_bytes(path) // 1024}")
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if integrity != ["ok"]:
            # SQLite's own report (page numbers, many lines) goes to the log, not into
            # the sentence a person reads.
            log.info("integrity_check of %s: %s", path.name,
                        " | ".join(" ".join(r.split()) for r in integrity[:5]))
            problems.append("its contents are damaged")
    except eng.sqlcipher.Error as exc:
        problems.append(_damage_sentence(exc))
    finally:
        conn.close()
        side.join()
    counts = side.counts
    if side.error is not None:
        problems.append(_damage_sentence(side.error))
    elif side.damaged_pages:
        problems.append(f"{side.damaged_pages} of its pages fail the encryption check")
    if expected_counts is not None and not problems and counts != expected_counts:
        differing = sorted(
            name
            for name in set(counts) | set(expected_counts)
            if counts.get(name) != expected_counts.get(name)
        )
        problems.append(
            "it does not hold the same number of records as when it was made "
            f"({', '.join(differing[:5])})"
        )
    return BackupCheck(path, not problems, tuple(problems), counts, side.sha256)


class _SideChecks(threading.Thread):
    """`PRAGMA cipher_integrity_check` and the row counts on their own read-only
    connection, then (if asked) the file's SHA-256."""

    def __init__(self, path: Path, key: bytes | bytearray, digest: bool) -> None:
        super().__init__(name="backup-side-checks", daemon=True)
        self._path = path
        self._key = bytearray(key)
        self._digest = digest
        self.damaged_pages = 0
        self.counts: dict[str, int] = {}
        self.sha256 = ""
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            conn = _open_read_only(self._path, self._key)
            try:
                self.damaged_pages = len(conn.execute("PRAGMA cipher_integrity_check").fetchall())
                if not self.damaged_pages:
                    self.counts = table_counts(conn)
            finally:
                conn.close()
            if self._digest:
                self.sha256 = _sha256(self._path)
        except (eng.sqlcipher.Error, eng.WrongKeyError, OSError) as exc:
            self.error = exc
        finally:
            for i in range(len(self._key)):
                self._key[i] = 0


def check_cache_bytes(path: Path) -> int:
    """The page cache for `integrity_check` of the file at `path` (see CHECK_CACHE_MIN)."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        cap = max(CHECK_CACHE_MIN, memory // CHECK_CACHE_SHARE)
    except (AttributeError, ValueError, OSError):
        cap = CHECK_CACHE_FALLBACK
    return min(cap, max(CHECK_CACHE_MIN, size + size // 16))


def _open_read_only(path: Path, key: bytes | bytearray) -> Any:
    if not path.is_file():
        raise eng.sqlcipher.OperationalError("unable to open database file")
    conn = eng.sqlcipher.connect(
        f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
    )
    try:
        conn.executescript(
            f"{eng.key_pragma(key)}; PRAGMA cipher_log_level = NONE; "
            "PRAGMA temp_store = MEMORY; PRAGMA query_only = ON;"
        )
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except eng.sqlcipher.DatabaseError as exc:
        conn.close()
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise eng.WrongKeyError(str(exc)) from exc
        raise
    except BaseException:
        conn.close()
        raise
    return conn


def _damage_sentence(exc: BaseException) -> str:
    text = str(exc).lower()
    if "unable to open" in text:
        return "the file cannot be opened"
    return "its contents are damaged"


# -------------------------------------------------------------------------- listing


def read_info(path: Path) -> BackupInfo:
    """A backup's facts from its manifest, or from the file itself if it has none."""
    stat = path.stat()
    try:
        raw = json.loads(manifest_path(path).read_text(encoding="utf-8"))
        return BackupInfo(
            path=path,
            created_at=datetime.fromisoformat(raw["created_at"]),
            reason=str(raw.get("reason", "")),
            size=int(raw.get("size", stat.st_size)),
            schema=raw.get("schema"),
            sha256=str(raw.get("sha256", "")),
            counts={str(k): int(v) for k, v in dict(raw.get("counts", {})).items()},
        )
    except (OSError, ValueError, KeyError, TypeError):
        match = _NAME.match(path.name[: -len(VAULT_SUFFIX)]) if path.name.endswith(
            VAULT_SUFFIX
        ) else None
        when = datetime.fromtimestamp(stat.st_mtime, UTC)
        reason = "unknown"
        if match:
            with contextlib.suppress(ValueError):
                when = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
            reason = match["reason"]
        return BackupInfo(path, when, reason, stat.st_size, has_manifest=False)


def list_backups(folder: Path) -> list[BackupInfo]:
    """Every backup file in `folder`, newest first (none if the folder is missing)."""
    try:
        paths = [
            p for p in folder.iterdir()
            if p.name.endswith(VAULT_SUFFIX) and not p.name.startswith(".") and p.is_file()
        ]
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise _folder_error(exc, folder) from exc
    infos = []
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            infos.append(read_info(p))
    return sorted(infos, key=lambda i: (i.created_at, i.name), reverse=True)


def backups_to_rotate(folder: Path, keep_days: int, now: datetime | None = None) -> list[Path]:
    """The backups `rotate_backups` would delete now (for a preview): those older than
    `keep_days`, except the newest one that has a manifest (a checked backup)."""
    if keep_days <= 0:
        return []
    now = (now or datetime.now(UTC)).astimezone(UTC)
    backups = list_backups(folder)
    checked = [b for b in backups if b.has_manifest]
    keep_newest = checked[0].path if checked else None
    cutoff = now - timedelta(days=keep_days)
    return [
        info.path for info in backups
        if info.path != keep_newest and info.has_manifest and info.created_at < cutoff
    ]


def rotate_backups(folder: Path, keep_days: int, now: datetime | None = None) -> list[Path]:
    """Delete backups older than `keep_days`, always keeping the newest one that has a
    manifest (a checked backup) whatever its age. Returns what was deleted."""
    removed = []
    for path in backups_to_rotate(folder, keep_days, now):
        _remove(path, *_companions(path))
        removed.append(path)
    if removed:
        fsync_dir(folder)
    return removed


# ------------------------------------------------------------------------ restoring


@dataclass(frozen=True)
class PreparedRestore:
    """A checked copy of a backup beside the vault, ready to be swapped in."""

    backup: BackupInfo
    staged: Path
    counts: dict[str, int]


def stage_restore(backup: Path, key: bytes | bytearray, vault_path: Path) -> PreparedRestore:
    """Copy `backup` beside the vault under a temp name and check the copy.

    The full check runs once, on the copy: it is the file that will be swapped in.
    Before the copy, the backup is only opened with the key (so that another vault's
    backup is refused at once); when the copy fails its check, the backup itself is
    checked too, to say whether the backup or the copy is at fault.
    """
    if not backup.is_file():
        raise UserError(f"There is no backup at {backup}; choose one from the list.")
    info = read_info(backup)
    expected = info.counts if info.has_manifest else None
    try:
        _open_read_only(backup, key).close()
    except eng.WrongKeyError:
        raise _unrestorable(backup, check_backup(backup, key)) from None
    except eng.sqlcipher.Error as exc:
        raise _unrestorable(backup, BackupCheck(backup, False, (_damage_sentence(exc),))) from exc
    staged = vault_path.with_name(f".{vault_path.name}.restore-{os.getpid()}")
    _remove(staged, *_companions(staged))
    try:
        shutil.copyfile(backup, staged)
        _fsync_file(staged)
    except OSError as exc:
        _remove(staged)
        raise storage_error(exc, vault_path) from exc
    check = check_backup(staged, key, expected_counts=expected)
    if not check.ok:
        _remove(staged, *_companions(staged))
        first = check_backup(backup, key, expected_counts=expected)
        if not first.ok:
            raise _unrestorable(backup, first)
        raise BackupFailed(
            f"The copy of {backup.name} made beside the vault failed its check "
            f"({check.problems[0]}); the vault was not changed."
        )
    return PreparedRestore(info, staged, check.counts)


def _unrestorable(backup: Path, check: BackupCheck) -> BackupFailed:
    return BackupFailed(
        f"The backup {backup.name} cannot be restored because {check.problems[0]}; "
        "choose another backup."
    )


def swap_in(prepared: PreparedRestore, vault_path: Path) -> None:
    """Replace the (closed, checkpointed) vault file with the staged copy in one rename.

    The caller has closed every connection to the vault, so its write-ahead log is
    empty; a leftover log must not be applied to the restored file, so it goes first.
    """
    wal, shm = sidecar_paths(vault_path)
    _remove(wal, shm)
    try:
        os.replace(prepared.staged, vault_path)
        fsync_dir(vault_path.parent)
    except OSError as exc:
        raise storage_error(exc, vault_path) from exc


def discard(prepared: PreparedRestore) -> None:
    _remove(prepared.staged, *_companions(prepared.staged))


# ---------------------------------------------------------------------------- helpers


def _manifest_bytes(info: BackupInfo) -> bytes:
    from crasme_desktop import __version__

    data = {
        "format": MANIFEST_FORMAT,
        "app_version": __version__,
        "created_at": info.created_at.isoformat(),
        "reason": info.reason,
        "schema": info.schema,
        "size": info.size,
        "sha256": info.sha256,
        "counts": info.counts,
    }
    return json.dumps(data, indent=2, sort_keys=True).encode("utf-8")


def _ensure_folder(folder: Path) -> None:
    # Only the last part is created: a folder on a drive that is not plugged in must
    # not quietly reappear on this computer's own disk.
    try:
        folder.mkdir(exist_ok=True)
    except FileNotFoundError:
        raise BackupFolderUnavailable(folder) from None
    except OSError as exc:
        raise _folder_error(exc, folder) from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _folder_error(PermissionError(13, "not writable"), folder)


def _folder_error(exc: OSError, folder: Path) -> Exception:
    mapped = storage_error(exc, folder)
    if mapped is not exc:
        return _reword(mapped, folder)
    if not folder.is_dir():
        return BackupFolderUnavailable(folder)
    return BackupFailed(
        f"The backup could not be written to {folder} ({exc.strerror or exc}); "
        "choose another backup folder."
    )


def _reword(mapped: BaseException, folder: Path) -> BaseException:
    if isinstance(mapped, DiskFull):
        return BackupFailed(
            f"The disk holding the backup folder {folder} is full; free some space or "
            "choose another folder (no backup was kept).",
            exit_code=ExitCode.DISK_FULL,
        )
    if isinstance(mapped, VaultReadOnly) and folder.is_dir():
        return BackupFailed(
            f"Crasme Desktop cannot write to the backup folder {folder}; choose a folder "
            "you can change, or ask whoever manages this computer for write access (no "
            "backup was kept).",
            exit_code=ExitCode.READ_ONLY,
        )
    if not folder.is_dir():
        return BackupFolderUnavailable(folder)
    return mapped


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _remove(*paths: Path) -> None:
    for p in paths:
        with contextlib.suppress(OSError):
            p.unlink()
