"""Backups on real SQLCipher files: made, checked, listed, rotated, restored, drilled."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import Cancelled, UserError
from crasme_desktop.domain.models import Person
from crasme_desktop.domain.progress import Progress
from crasme_desktop.services import backups
from crasme_desktop.vault import backup as vault_backup
from crasme_desktop.vault import engine as eng
from crasme_desktop.vault import keyslot_path, open_vault
from crasme_desktop.vault.migrate import SCHEMA_HEAD
from crasme_desktop.vault.paths import backup_dir
from sqlalchemy import func, select

DATA = Path(__file__).resolve().parents[1] / "data" / "vaults"
STORED_PASSPHRASE = "stored vault passphrase"

SQLITE_HEADER = b"SQLite format 3\x00"


def add_people(vault, *names):
    with vault.unit_of_work() as uow:
        for name in names:
            uow.session.add(Person(given_name=name, display_name=name, sort_key=name.lower()))


def people(vault):
    with vault.unit_of_work() as uow:
        return sorted(uow.session.scalars(select(Person.given_name)))


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def opened(created, keychain, clock):
    vault = open_vault(created.path, keychain=keychain, clock=clock)
    yield vault
    vault.close()


def test_a_backup_is_encrypted_checked_and_opens_with_the_recovery_key(opened, created, tmp_path):
    add_people(opened, "Ada", "Grace")
    info = backups.make_backup(opened, folder=tmp_path / "copies")

    assert info.path.parent == tmp_path / "copies"
    assert info.path.read_bytes()[:16] != SQLITE_HEADER
    assert info.counts["person"] == 2
    manifest = json.loads(vault_backup.manifest_path(info.path).read_text())
    assert manifest["counts"]["person"] == 2 and manifest["sha256"] == info.sha256
    assert keyslot_path(info.path).exists(), "the key slots of the day go with the backup"
    assert not [p for p in info.path.parent.iterdir() if p.name.startswith(".")]
    # One file: no write-ahead log to carry along.
    assert not info.path.with_name(info.path.name + "-wal").exists()

    assert opened.check_backup(info.path).ok
    with open_vault(info.path, use_keychain=False, recovery_key=created.recovery_key) as copy:
        assert people(copy) == ["Ada", "Grace"]
        assert copy.doctor()["cipher_integrity_check"] == "ok"


def test_a_backup_is_one_moment_even_while_another_connection_writes(opened, tmp_path):
    add_people(opened, *(f"P{i}" for i in range(300)))
    started = threading.Event()
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            add_people(opened, f"W{n}")
            n += 1
            started.set()

    thread = threading.Thread(target=writer)
    thread.start()
    started.wait(10)
    try:
        info = opened.backup(tmp_path / "copies")
    finally:
        stop.set()
        thread.join()
    # The counts were taken in the same read transaction as the copy, and the copy
    # was checked against them before it was kept.
    assert opened.check_backup(info.path).ok
    assert info.counts["person"] >= 300


def test_a_settled_vault_copied_as_it_lies_is_the_snapshot_while_writes_go_on(
    opened, tmp_path, monkeypatch
):
    """The byte-for-byte copy is the moment its read transaction fixed, even while
    another connection commits and tries to checkpoint during the copy: a checkpoint
    may not write into the file while a reader reads the file alone."""
    add_people(opened, *(f"Before {i} " + "x" * 200 for i in range(2000)))
    with opened.engine.connect() as conn:  # the log folded in: the file is the moment
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    snapshot = opened.path.read_bytes()
    before = people(opened)
    key = bytes(opened._key_for_connection())

    monkeypatch.setattr(vault_backup, "COPY_CHUNK", 4096)  # many steps to write between
    paths = []
    for name in ("_copy_file", "_copy_pages"):
        real = getattr(vault_backup, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            paths.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(vault_backup, name, spy)
    other = eng.connect(opened.path, key)
    other.execute("PRAGMA busy_timeout = 0")
    checkpoints, file_unchanged = [], []

    def during(done, total):
        if done % 50 != 1:
            return
        add_people(opened, f"During {done}")  # committed, into the log
        checkpoints.append(other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())
        checkpoints.append(other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())
        file_unchanged.append(opened.path.read_bytes() == snapshot)

    try:
        info = opened.backup(tmp_path / "copies", progress=during)
    finally:
        other.close()

    assert paths == ["_copy_file"], "copied as it lies, not page by page"
    assert len(file_unchanged) >= 3 and all(file_unchanged), (
        "no checkpoint wrote into the file while the copy read it"
    )
    assert all(log > 0 for _busy, log, _done in checkpoints), "each had frames to fold in"
    data = info.path.read_bytes()
    # Page 1 differs only because the copy was switched to a rollback journal.
    assert len(data) == len(snapshot) and data[4096:] == snapshot[4096:]
    assert info.counts["person"] == len(before) == 2000
    assert len(people(opened)) == 2000 + len(file_unchanged), "the writes were kept"
    with opened.engine.connect() as conn:  # and, the copy done, folded into the file
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert opened.path.read_bytes() != snapshot
    copy = vault_backup._open_read_only(info.path, key)
    try:
        names = sorted(r[0] for r in copy.execute("SELECT given_name FROM person"))
    finally:
        copy.close()
    assert names == before


def test_a_damaged_backup_fails_its_check_with_a_reason(opened, tmp_path):
    add_people(opened, "Ada")
    info = opened.backup(tmp_path / "copies")
    data = bytearray(info.path.read_bytes())
    data[4096 + 100] ^= 0xFF  # a byte in page 2
    info.path.write_bytes(bytes(data))
    check = opened.check_backup(info.path)
    assert not check.ok
    assert "damaged" in check.problems[0] or "encryption check" in check.problems[0]


def test_a_backup_of_another_vault_is_refused_not_opened(opened, tmp_path, keychain):
    from crasme_desktop.vault import create_vault

    other = create_vault(tmp_path / "other" / "other.crasme", passphrase=None, keychain=keychain)
    with open_vault(other.path, keychain=keychain) as vault:
        foreign = vault.backup(tmp_path / "foreign")
    check = opened.check_backup(foreign.path)
    assert not check.ok and "key" in check.problems[0]


def test_cancelling_leaves_no_partial_file(opened, tmp_path):
    add_people(opened, *(f"Person {i} " + "x" * 400 for i in range(3000)))
    seen = []

    def listener(done, total, text):
        seen.append(done)
        if done:
            progress.cancel()

    progress = Progress(listener)
    with pytest.raises(Cancelled):
        backups.make_backup(opened, folder=tmp_path / "copies", progress=progress)
    assert any(seen), "the copy had started"
    assert list((tmp_path / "copies").iterdir()) == []


def test_a_folder_that_vanishes_mid_copy_leaves_a_clear_sentence(opened, tmp_path):
    add_people(opened, *(f"Person {i} " + "x" * 400 for i in range(3000)))
    folder = tmp_path / "drive" / "backups"
    folder.mkdir(parents=True)

    def unplug(done, total):
        if done and folder.exists():
            shutil.rmtree(tmp_path / "drive")

    with pytest.raises(UserError) as caught:
        opened.backup(folder, progress=unplug)
    assert "cannot be reached" in caught.value.message
    assert not (tmp_path / "drive").exists(), "the folder is not quietly made again"
    assert len(people(opened)) == 3000


def test_a_folder_on_a_drive_that_is_not_there_is_not_created(opened, tmp_path):
    missing = tmp_path / "media" / "usb" / "Backups"
    with pytest.raises(UserError, match="cannot be reached"):
        backups.make_backup(opened, folder=missing)
    assert not (tmp_path / "media").exists()


def test_rotation_keeps_the_chosen_days_and_always_the_newest(opened, clock, created):
    add_people(opened, "Ada")
    made = []
    for _ in range(5):
        made.append(backups.make_backup(opened).path)
        clock.advance(timedelta(days=10).total_seconds())
    # Made on days 0, 10, 20, 30, 40; the last make rotated with now = day 40.
    left = {b.path for b in backups.list_backups(opened)}
    assert left == set(made[1:])
    assert backup_dir(created.path) == made[0].parent
    assert not vault_backup.manifest_path(made[0]).exists()

    # Even when every backup is old, the newest checked one stays.
    clock.advance(timedelta(days=400).total_seconds())
    vault_backup.rotate_backups(backup_dir(created.path), 30, clock.now())
    assert [b.path for b in backups.list_backups(opened)] == [made[-1]]


def test_preferences_are_checked_and_kept(opened, tmp_path):
    with pytest.raises(UserError, match="full path"):
        backups.save_preferences(opened, backups.BackupPreferences(folder="relative/dir"))
    saved = backups.save_preferences(
        opened, backups.BackupPreferences(folder=str(tmp_path / "ext"), keep_days=7)
    )
    assert backups.get_preferences(opened) == saved
    assert backups.folder_for(opened) == tmp_path / "ext"


def test_daily_backup_is_due_once_a_day_and_status_warns_when_late(opened, clock):
    status = backups.backup_status(opened)
    assert status.overdue and status.last_good is None
    assert backups.make_due_backup(opened) is not None
    assert backups.make_due_backup(opened) is None, "not due again the same day"
    assert not backups.backup_status(opened).overdue
    clock.advance(timedelta(days=1, hours=1).total_seconds())
    assert backups.backup_due(opened)
    assert not backups.backup_status(opened).overdue, "a grace of some hours"
    clock.advance(timedelta(hours=12).total_seconds())
    late = backups.backup_status(opened)
    assert late.overdue and "1 days ago" not in late.summary and "hours ago" in late.summary

    backups.save_preferences(opened, backups.BackupPreferences(interval_days=0))
    assert not backups.backup_due(opened)
    assert not backups.backup_status(opened).overdue


def test_the_quit_backup_is_made_only_when_something_changed(opened):
    first = backups.make_quit_backup(opened)
    assert first is not None
    assert backups.make_quit_backup(opened) is None
    # What backups write themselves (a restore test, their preferences) is no change.
    backups.restore_drill(opened, force=True)
    backups.save_preferences(opened, backups.BackupPreferences(keep_days=60))
    assert not backups.changed_since_last_backup(opened)
    assert backups.make_quit_backup(opened) is None
    add_people(opened, "Changed")
    from crasme_desktop.services import audit

    audit.record(opened, "person.create")
    assert backups.make_quit_backup(opened) is not None


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(opened, clock, unchanged):
    add_people(opened, "Kept")
    chosen = backups.make_backup(opened)
    clock.advance(60)
    add_people(opened, "Later")
    assert people(opened) == ["Kept", "Later"]

    outcome = backups.restore_backup(opened, chosen.path)

    assert people(opened) == ["Kept"], "the vault now holds what the backup held"
    assert outcome.safety_backup.reason == "before-restore"
    with open_vault(outcome.safety_backup.path, use_keychain=False,
                    passphrase="correct horse battery") as safety:
        assert people(safety) == ["Kept", "Later"]
    assert opened.doctor()["integrity_check"] == "ok"
    add_people(opened, "After")  # still usable for writing
    assert people(opened) == ["After", "Kept"]


def test_a_damaged_backup_is_never_restored_and_the_vault_is_untouched(
    opened, created, unchanged
):
    add_people(opened, "Ada")
    info = backups.make_backup(opened)
    data = bytearray(info.path.read_bytes())
    data[len(data) // 2] ^= 0x55
    info.path.write_bytes(bytes(data))
    with opened.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    check = unchanged(created.path)
    with pytest.raises(UserError, match="cannot be restored"):
        backups.restore_backup(opened, info.path)
    check()
    assert people(opened) == ["Ada"]
    assert not [p for p in created.path.parent.iterdir() if ".restore-" in p.name]


def test_another_vaults_backup_is_refused_before_anything_is_copied(
    opened, created, unchanged, tmp_path, keychain
):
    from crasme_desktop.vault import create_vault

    add_people(opened, "Ada")
    other = create_vault(tmp_path / "other" / "other.crasme", passphrase=None, keychain=keychain)
    with open_vault(other.path, keychain=keychain) as vault:
        foreign = vault.backup(tmp_path / "foreign")
    with opened.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    check = unchanged(created.path)
    with pytest.raises(UserError, match="cannot be restored because it does not open with"):
        vault_backup.stage_restore(foreign.path, opened._key_for_connection(), created.path)
    check()
    assert not [p for p in created.path.parent.iterdir() if ".restore-" in p.name]
    assert people(opened) == ["Ada"]


def test_restore_upgrades_a_backup_made_by_an_older_schema(tmp_path):
    # Opening a stored vault of the first schema upgrades it, and makes a backup of it
    # as it was first: restoring that backup must upgrade it again.
    stored = DATA / "schema-0001.crasme"
    copy = tmp_path / "old.crasme"
    shutil.copyfile(stored, copy)
    shutil.copyfile(keyslot_path(stored), keyslot_path(copy))
    with open_vault(copy, use_keychain=False, passphrase=STORED_PASSPHRASE) as vault:
        (before_upgrade,) = backups.list_backups(vault, backup_dir(copy))
        assert before_upgrade.schema == "0001" and before_upgrade.reason.startswith(
            "before-upgrade"
        )
        add_people(vault, "Added after the upgrade")
        backups.restore_backup(vault, before_upgrade.path)
        with vault.engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        assert version == SCHEMA_HEAD
        with vault.unit_of_work() as uow:
            names = sorted(uow.session.scalars(select(Person.display_name)))
    assert names == ["Ada Lovelace", "Jonas Kühnemann"]


def test_the_restore_drill_runs_monthly_and_reports(opened, clock):
    report = backups.restore_drill(opened)
    assert report is not None and not report.ok and "no backup" in report.message
    add_people(opened, "Ada")
    backups.make_backup(opened)
    report = backups.restore_drill(opened, force=True)
    assert report.ok, report.message
    assert backups.restore_drill(opened) is None, "not again within a month"
    clock.advance(timedelta(days=31).total_seconds())
    assert backups.drill_due(opened)
    newest = backups.list_backups(opened)[0]
    data = bytearray(newest.path.read_bytes())
    data[len(data) // 2] ^= 0x55
    newest.path.write_bytes(bytes(data))
    report = backups.restore_drill(opened)
    assert report is not None and not report.ok
    assert "does not restore" in report.message
    assert "restore test failed" in backups.backup_status(opened).summary
    assert not [p for p in newest.path.parent.iterdir() if ".drill-" in p.name]


def test_counts_cover_every_ordinary_table(opened, tmp_path):
    info = opened.backup(tmp_path / "copies")
    with opened.engine.connect() as conn:
        tables = set(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'").scalars())
        persons = conn.execute(select(func.count()).select_from(Person)).scalar()
    assert set(info.counts) == tables
    assert info.counts["person"] == persons


def test_a_damaged_vault_is_restored_and_a_raw_copy_of_it_kept(created, keychain, tmp_path):
    from crasme_desktop.vault.backup import BackupFailed
    from crasme_desktop.vault.errors import VaultDamaged

    with open_vault(created.path, keychain=keychain) as vault:
        add_people(vault, *(f"Person {i} " + "x" * 300 for i in range(400)))
        good = backups.make_backup(vault, folder=tmp_path / "good")
        with vault.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(created.path.read_bytes())
    page = 4096
    data[page * (len(data) // page // 2) + 200] ^= 0xFF  # a byte in a middle page
    created.path.write_bytes(bytes(data))

    with open_vault(created.path, keychain=keychain) as vault:
        with pytest.raises((VaultDamaged, BackupFailed)):
            vault.backup(tmp_path / "more")
        assert not list((tmp_path / "more").iterdir()), "no backup of a damaged vault is kept"
        outcome = backups.restore_backup(vault, good.path)
        assert outcome.safety_backup.reason == "damaged-before-restore"
        assert not outcome.safety_backup.has_manifest
        assert outcome.safety_backup.path.read_bytes() == bytes(data)
        assert len(people(vault)) == 400
        assert vault.doctor()["integrity_check"] == "ok"


def test_what_a_killed_backup_left_behind_is_swept_by_the_next(opened, tmp_path):
    folder = tmp_path / "copies"
    first = opened.backup(folder)
    # As if killed just before the final rename: manifest and key slots, no backup.
    orphan = folder / first.name.replace(".crasme", "-7.crasme")
    for suffix in (".json", ".keys"):
        (folder / (orphan.name + suffix)).write_bytes(b"{}")
    dead_partial = folder / f".{first.name}.partial-999999"
    dead_partial.write_bytes(b"x")
    dead_journal = folder / f".{first.name}.partial-999999-journal"  # SQLite's, beside it
    dead_journal.write_bytes(b"x")
    other_vault = folder / "other-20260101-000000-manual.crasme.keys"
    other_vault.write_bytes(b"{}")
    assert [b.path for b in vault_backup.list_backups(folder)] == [first.path]

    opened.backup(folder)

    assert not (folder / (orphan.name + ".json")).exists()
    assert not (folder / (orphan.name + ".keys")).exists()
    assert not dead_partial.exists() and not dead_journal.exists()
    assert other_vault.exists(), "another vault's files are left alone"
    assert vault_backup.manifest_path(first.path).exists()
