"""Backup and verify of a demo vault, beside a plain copy of the same file.

    python -m tests.bench --only backup [--backup-people 100000] [--backup-runs 3]
        [--backup-vault /tmp/bench-100k.crasme]

With --backup-vault the demo vault is made there once (with a passphrase, as the
bench's keychain is thrown away after each run) and reused by later runs.

(`tests/bench/run.py` loads this module by name from its EXTRA list.)

Scenarios, each the median of a few runs on the same vault:
- backup + verify: `services.backups.make_backup` (the online backup API from one read
  transaction into a file keyed like the vault, both integrity checks, the row count
  of every table compared, manifest and key slots written, fsync and rename), vs a
  plain file copy of the vault with an fsync (what copying it by hand at best costs).
  The goal of issue 8: at most 3x.
- verify alone: `check_backup` on the made backup (both integrity checks and counts),
  reported beside the same plain copy, for where the time goes.
- integrity_check alone: the one `PRAGMA integrity_check` of the backup, with the page
  cache the check gives it. SQLite runs it on one core and the rest of the check runs
  beside it, so it is the floor of backup+verify.
Figures in seconds and MB/s of the vault's size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

from tests.bench.run import Result, sample_vault

GOAL_RATIO = 3.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backup-people", type=int, default=100_000,
                        help="people in the demo vault (default 100000)")
    parser.add_argument("--backup-runs", type=int, default=3,
                        help="runs of each scenario (default 3)")
    parser.add_argument("--backup-vault", type=Path, default=None,
                        help="make the demo vault here once and reuse it (big vaults take "
                             "minutes to make)")


BENCH_PASSPHRASE = "bench vault passphrase"


def _vault(args: argparse.Namespace, work: Path):
    from crasme_desktop.services import vaults

    if args.backup_vault is None:
        path = work / "backup.crasme"
        sample_vault(path, args.backup_people, "backup")
        return vaults.unlock(path)
    path = args.backup_vault.expanduser().absolute()
    if not path.exists():
        vaults.create(path, passphrase=BENCH_PASSPHRASE, use_keychain=False,
                      sample_contacts=args.backup_people)
    return vaults.unlock(path, passphrase=BENCH_PASSPHRASE, use_keychain=False)


def run(args: argparse.Namespace, work: Path) -> list[Result]:
    from crasme_desktop.services import backups

    vault = _vault(args, work)
    path = vault.path
    size = path.stat().st_size
    mb = size / 1e6
    copies, made, checks, structure = [], [], [], []
    try:
        with vault.engine.connect() as conn:  # a settled file: the log folded in
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        for i in range(args.backup_runs):
            target = work / f"copy-{i}.crasme"
            start = time.perf_counter()
            shutil.copyfile(path, target)
            with open(target, "rb+") as fh:
                os.fsync(fh.fileno())
            copies.append(time.perf_counter() - start)
            target.unlink()

            start = time.perf_counter()
            info = backups.make_backup(vault, folder=work / f"backups-{i}")
            made.append(time.perf_counter() - start)

            start = time.perf_counter()
            check = vault.check_backup(info.path)
            checks.append(time.perf_counter() - start)
            assert check.ok, check.problems

            start = time.perf_counter()
            _integrity_check(info.path, vault._key_for_connection())
            structure.append(time.perf_counter() - start)
            shutil.rmtree(work / f"backups-{i}")
    finally:
        vault.close()
    copy = statistics.median(copies)
    backup = statistics.median(made)
    verify = statistics.median(checks)
    ratio = backup / copy
    return [
        Result(
            scenario=f"backup+verify {args.backup_people:,} people ({mb:.0f} MB)",
            median_s=backup, baseline_median_s=copy, ratio=ratio,
            goal=f"<= {GOAL_RATIO:g}x a plain copy", passed=ratio <= GOAL_RATIO,
            runs=args.backup_runs,
            note=f"{mb / backup:.0f} MB/s vs copy {mb / copy:.0f} MB/s",
        ),
        Result(
            scenario=f"verify alone {args.backup_people:,} people",
            median_s=verify, baseline_median_s=copy, ratio=verify / copy,
            goal="(where the time goes)", passed=True, runs=args.backup_runs,
            note=f"{mb / verify:.0f} MB/s",
        ),
        Result(
            scenario=f"integrity_check alone {args.backup_people:,} people",
            median_s=statistics.median(structure), baseline_median_s=copy,
            ratio=statistics.median(structure) / copy,
            goal="(the floor: one core)", passed=True, runs=args.backup_runs,
            note=f"{mb / statistics.median(structure):.0f} MB/s",
        ),
    ]


def _integrity_check(path: Path, key: bytes | bytearray) -> None:
    from crasme_desktop.vault import backup as vault_backup
    from crasme_desktop.vault import engine as eng

    conn = eng.sqlcipher.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        conn.execute(eng.key_pragma(key))
        conn.execute(f"PRAGMA cache_size = -{vault_backup.check_cache_bytes(path) // 1024}")
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
