"""Backups as the office sees them: where they go, when they are made, and proof
that they restore.

The making and checking of one backup is `vault.backup`; this module adds the
policy: the folder (beside the vault unless the user picks one, such as an external
drive or a synced folder), automatic backups (daily, and when the app quits), how
long they are kept (30 days by default, the newest checked one always), the status
the window shows, and a monthly restore drill that proves the newest backup restores.

The preferences, the last good backup and the last drill are kept in the vault's
own settings (paths and times only, no personal data).

Who may: making, listing, checking and restoring backups, testing one now and changing
the preferences need "backups_restore". The status (`backup_status`, `last_good`,
`last_drill`, the preferences it shows) stays open to everyone, for the status bar.
The automatic backups (`on_unlock`, `make_due_backup`, `make_quit_backup`) and the
monthly drill follow the policy someone allowed has set, so they run whoever is
signed in: a day on which only Staff use the vault still gets its backup.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.progress import Progress
from crasme_desktop.services import audit, permissions
from crasme_desktop.services.stored import read_json, write_json
from crasme_desktop.vault import Vault
from crasme_desktop.vault import backup as backups
from crasme_desktop.vault.backup import BackupCheck, BackupInfo
from crasme_desktop.vault.paths import backup_dir

log = logging.getLogger(__name__)

PREFS_KEY = "backup.preferences"
LAST_GOOD_KEY = "backup.last_good"
LAST_DRILL_KEY = "backup.last_drill"
#: A restore drill runs when the last one is older than this.
DRILL_EVERY = timedelta(days=30)
#: The status bar warns once the newest good backup is older than the interval plus this.
GRACE = timedelta(hours=12)


@dataclass(frozen=True)
class BackupPreferences:
    #: Empty: the "<vault name> backups" folder beside the vault.
    folder: str = ""
    #: Make a backup automatically when the last one is older than this many days
    #: (1 = daily); 0 turns automatic backups off.
    interval_days: int = 1
    #: Make a backup when the app quits (if anything changed since the last one).
    on_quit: bool = True
    #: Delete backups older than this many days (the newest checked one always stays).
    keep_days: int = 30

    def cleaned(self) -> BackupPreferences:
        folder = self.folder.strip()
        if folder and not Path(folder).expanduser().is_absolute():
            raise UserError("Choose the backup folder with its full path, such as /media/backup.")
        if not 0 <= self.interval_days <= 365:
            raise UserError("Choose an interval between automatic backups of 1 to 365 days.")
        if not 1 <= self.keep_days <= 3650:
            raise UserError("Keep backups for at least 1 day and at most 10 years.")
        return replace(self, folder=folder)


@dataclass(frozen=True)
class LastGood:
    at: datetime
    path: str
    size: int


@dataclass(frozen=True)
class DrillReport:
    at: datetime
    backup: str
    ok: bool
    message: str


@dataclass(frozen=True)
class BackupStatus:
    folder: Path
    preferences: BackupPreferences
    last_good: LastGood | None
    last_drill: DrillReport | None
    #: True when automatic backups are on and the newest good one is older than the
    #: interval (or there is none).
    overdue: bool
    #: One sentence for the status bar or the Settings page.
    summary: str
    #: Off-site copies (`services.offsite.OffsiteStatus`), None while they are off.
    offsite: Any = None


# ---------------------------------------------------------------------- preferences


def get_preferences(vault: Vault) -> BackupPreferences:
    with vault.unit_of_work() as uow:
        raw = read_json(uow.session, PREFS_KEY)
    if not isinstance(raw, dict):
        return BackupPreferences()
    known = {k: raw[k] for k in asdict(BackupPreferences()) if k in raw}
    try:
        return BackupPreferences(**known).cleaned()
    except (TypeError, UserError):
        return BackupPreferences()


def save_preferences(vault: Vault, prefs: BackupPreferences) -> BackupPreferences:
    permissions.require(vault, "backups_restore")
    prefs = prefs.cleaned()
    with vault.unit_of_work(immediate=True) as uow:
        write_json(uow.session, PREFS_KEY, asdict(prefs))
        audit.add(uow.session, "setting.update", "setting", PREFS_KEY)
    return prefs


def folder_for(vault: Vault, prefs: BackupPreferences | None = None) -> Path:
    prefs = prefs or get_preferences(vault)
    if prefs.folder:
        return Path(prefs.folder).expanduser()
    return backup_dir(vault.path)


# -------------------------------------------------------------------------- making


def make_backup(
    vault: Vault,
    *,
    reason: str = "manual",
    folder: Path | None = None,
    progress: Progress | None = None,
) -> BackupInfo:
    """Make and check a backup, remember it as the last good one, and rotate old ones."""
    permissions.require(vault, "backups_restore")
    return _make_backup(vault, reason=reason, folder=folder, progress=progress)


def _make_backup(
    vault: Vault,
    *,
    reason: str,
    folder: Path | None = None,
    progress: Progress | None = None,
) -> BackupInfo:
    prefs = get_preferences(vault)
    target = folder if folder is not None else folder_for(vault, prefs)
    step = None
    stop = None
    if progress is not None:
        progress.update(0, 0, "Copying the vault")

        def step(done: int, total: int) -> None:
            progress.update(done, total, "Copying the vault")

        def stop() -> bool:
            return progress.cancelled
    info = vault.backup(target, reason=reason, progress=step, should_stop=stop)
    with vault.unit_of_work(immediate=True) as uow:
        audit.add(uow.session, "backup.create", "backup")
        uow.session.flush()
        write_json(
            uow.session,
            LAST_GOOD_KEY,
            {"at": info.created_at.isoformat(), "path": str(info.path), "size": info.size,
             "audit_mark": _audit_mark(uow.session)},
        )
    if folder is None:
        try:
            removed = backups.rotate_backups(target, prefs.keep_days, vault.clock.now())
        except UserError as exc:
            log.warning("Old backups were not rotated: %s", exc)
        else:
            if removed:
                log.info("Removed %d backups older than %d days", len(removed), prefs.keep_days)
        # Then the off-site copy, if one is set up (else no connection at all); its
        # failure is kept for the status and never undoes the local backup.
        from crasme_desktop.services import offsite

        offsite.push_after_backup(vault, info, progress)
    return info


def backup_due(vault: Vault) -> bool:
    """Whether an automatic backup is due now (interval on, none recent enough)."""
    prefs = get_preferences(vault)
    if prefs.interval_days == 0:
        return False
    last = last_good(vault)
    if last is None:
        return True
    return vault.clock.now() - last.at >= timedelta(days=prefs.interval_days)


def make_due_backup(vault: Vault, progress: Progress | None = None) -> BackupInfo | None:
    """The automatic backup: made if due, else nothing."""
    if not backup_due(vault):
        return None
    return _make_backup(vault, reason="daily", progress=progress)


def make_quit_backup(vault: Vault) -> BackupInfo | None:
    """The backup made when the app quits, if asked for and the vault changed since."""
    prefs = get_preferences(vault)
    if not prefs.on_quit:
        return None
    if not changed_since_last_backup(vault):
        return None
    return _make_backup(vault, reason="quit")


def changed_since_last_backup(vault: Vault) -> bool:
    """Whether anything was written since the last good backup (every write leaves an
    audit event, and the newest one's row number is kept with the last backup)."""
    with vault.unit_of_work() as uow:
        raw = read_json(uow.session, LAST_GOOD_KEY)
        mark = raw.get("audit_mark") if isinstance(raw, dict) else None
        if not isinstance(mark, int):
            return True
        return _audit_mark(uow.session) > mark


def _audit_mark(session: Any) -> int:
    from sqlalchemy import text

    # Backups' own events (made, tested, preferences) are not changes worth a backup.
    return int(session.execute(text(
        "SELECT coalesce(max(rowid), 0) FROM audit_event "
        "WHERE action NOT LIKE 'backup.%' AND record_id != :prefs"
    ), {"prefs": PREFS_KEY}).scalar())


# ------------------------------------------------------------------ listing, checks


def list_backups(vault: Vault, folder: Path | None = None) -> list[BackupInfo]:
    permissions.require(vault, "backups_restore")
    return backups.list_backups(folder if folder is not None else folder_for(vault))


def check_backup(vault: Vault, path: Path, progress: Progress | None = None) -> BackupCheck:
    permissions.require(vault, "backups_restore")
    if progress is not None:
        progress.update(0, 0, "Checking every page of the backup")
    return vault.check_backup(Path(path))


def restore_backup(vault: Vault, path: Path, progress: Progress | None = None) -> Any:
    """Swap a checked backup in for the vault; a safety backup of the vault as it was
    is made first. Returns `RestoreOutcome` (restored, safety_backup, counts)."""
    permissions.require(vault, "backups_restore")
    if progress is not None:
        progress.update(0, 0, "Checking the backup, then restoring it")
    from crasme_desktop.services import privacy_erase

    prefs = get_preferences(vault)
    folder = folder_for(vault, prefs)
    safety_folder = folder if folder.is_dir() else backup_dir(vault.path)
    # People erased since the backup was made are erased again once it is back.
    try:
        erased = privacy_erase.erasure_hashes(vault)
    except Exception:  # a damaged vault: its erasures cannot be read, restore anyway
        log.warning("The erasures of the vault could not be read before a restore")
        erased = []
    outcome = vault.restore_from(Path(path), safety_folder)
    again = privacy_erase.reapply_erasures(vault, erased)
    with vault.unit_of_work(immediate=True) as uow:
        audit.add(uow.session, "backup.restore", "backup")
    if again:
        log.info("Erased %d people again after the restore", again)
    return outcome


# ---------------------------------------------------------------------- the drill


def drill_due(vault: Vault) -> bool:
    last = last_drill(vault)
    return last is None or vault.clock.now() - last.at >= DRILL_EVERY


def restore_drill(
    vault: Vault, *, force: bool = False, progress: Progress | None = None
) -> DrillReport | None:
    """Prove the newest backup restores: copy it to a scratch file beside it, check
    the copy (both integrity checks, the counts of its manifest), then delete it.
    Runs when the last drill is a month old (or `force`: "Test now", which needs
    "backups_restore"; the monthly one runs for anyone); the report is kept."""
    if force:
        permissions.require(vault, "backups_restore")
    if not force and not drill_due(vault):
        return None
    now = vault.clock.now()
    folder = folder_for(vault)
    try:
        found = [b for b in backups.list_backups(folder) if b.has_manifest]
    except UserError as exc:
        report = DrillReport(now, "", False, exc.message)
    else:
        if not found:
            report = DrillReport(
                now, "", False, "There is no backup to test yet; make one in Settings."
            )
        else:
            report = _drill_one(vault, found[0], now)
    with vault.unit_of_work(immediate=True) as uow:
        write_json(uow.session, LAST_DRILL_KEY, {**asdict(report), "at": report.at.isoformat()})
        audit.add(uow.session, "backup.drill", "backup")
    return report


def _drill_one(vault: Vault, info: BackupInfo, now: datetime) -> DrillReport:
    scratch = info.path.with_name(f".{info.path.name}.drill-{os.getpid()}")
    try:
        shutil.copyfile(info.path, scratch)
        # The scratch copy has no manifest of its own: its counts are the original's.
        check = vault.check_backup(scratch, expected_counts=info.counts)
    except OSError as exc:
        return DrillReport(now, info.name, False,
                           f"The backup {info.name} could not be copied for the test "
                           f"({exc.strerror or exc}).")
    finally:
        for leftover in (scratch, backups.manifest_path(scratch)):
            with contextlib.suppress(OSError):
                leftover.unlink()
    if not check.ok:
        return DrillReport(now, info.name, False,
                           f"The backup {info.name} does not restore: {check.problems[0]}.")
    total = sum(check.counts.values())
    return DrillReport(now, info.name, True,
                       f"The backup {info.name} restored and checked ({total} rows).")


# ------------------------------------------------------------------------- status


def last_good(vault: Vault) -> LastGood | None:
    with vault.unit_of_work() as uow:
        raw = read_json(uow.session, LAST_GOOD_KEY)
    try:
        return LastGood(_aware(datetime.fromisoformat(raw["at"])), str(raw["path"]),
                        int(raw["size"]))
    except (TypeError, KeyError, ValueError):
        return None


def last_drill(vault: Vault) -> DrillReport | None:
    with vault.unit_of_work() as uow:
        raw = read_json(uow.session, LAST_DRILL_KEY)
    try:
        return DrillReport(_aware(datetime.fromisoformat(raw["at"])), str(raw["backup"]),
                           bool(raw["ok"]), str(raw["message"]))
    except (TypeError, KeyError, ValueError):
        return None


def backup_status(vault: Vault) -> BackupStatus:
    """What the Settings page and the status bar say about backups."""
    prefs = get_preferences(vault)
    folder = folder_for(vault, prefs)
    good = last_good(vault)
    drill = last_drill(vault)
    now = vault.clock.now()
    overdue = False
    if prefs.interval_days:
        limit = timedelta(days=prefs.interval_days) + GRACE
        overdue = good is None or now - good.at > limit
    if good is None:
        summary = "No backup has been made yet."
    else:
        age = now - good.at
        summary = f"Last good backup {_age(age)}."
    if drill is not None and not drill.ok:
        summary += " The last restore test failed: " + drill.message
    from crasme_desktop.services import offsite

    remote = offsite.offsite_status(vault)
    if remote.configured:
        summary += " " + remote.summary(now)
    return BackupStatus(folder, prefs, good, drill, overdue, summary,
                        remote if remote.configured else None)


def _age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 2:
        return "just now"
    if minutes < 120:
        return f"{minutes} minutes ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hours ago"
    return f"{hours // 24} days ago"


# ------------------------------------------------------------------------ helpers




def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# ------------------------------------------------------------------- on each unlock


def on_unlock(vault: Vault, progress: Progress | None = None) -> BackupStatus:
    """What the app does with backups when a vault is unlocked (and hourly while it
    stays open): the automatic backup if one is due, the monthly restore drill if due;
    then the status to show. A backup that cannot be made (a drive not plugged in)
    does not stop anything: its sentence leads the status."""
    failure = ""
    try:
        made = make_due_backup(vault, progress)
    except UserError as exc:
        failure = exc.message
        made = None
    if made is not None:
        log.info("Automatic backup made: %s", made.path.name)
    try:
        restore_drill(vault)  # only when the last one is a month old
    except UserError as exc:
        log.warning("Restore drill could not run: %s", exc)
    status = backup_status(vault)
    if failure:
        status = replace(status, overdue=True,
                         summary=f"The automatic backup failed: {failure} {status.summary}")
    return status
