"""Kill a worker doing real writes with SIGKILL at random moments; after every kill
the vault must open, pass both integrity checks, hold every change logged as
committed, hold nothing half-written, and keep its invoice numbers gapless.

CRASH_KILLS (default 200) sets the number of kills, CRASH_SEED the random seed (a
failure names the seed of the worker and the operation it was killed in).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from crasme_desktop.vault import backup as vault_backup
from crasme_desktop.vault import engine as eng
from crasme_desktop.vault import keyslots, open_vault
from crasme_desktop.vault.unlock import read_slot_file
from tests.crash.checks import Ledger, check_backup_folder, check_vault, prune_backups
from tests.crash.conftest import PASSPHRASE, CrashVault, ForkServer

KILLS = int(os.environ.get("CRASH_KILLS", "200"))
SEED = int(os.environ.get("CRASH_SEED", "20260302"))
#: The first kills start the worker as its own `python -m` process, as documented;
#: the rest come from the fork server (same code, no start-up cost).
PLAIN_STARTS = 3
#: Every this many kills the check also unlocks with the passphrase and runs doctor.
FULL_OPEN_EVERY = 10


class Keys:
    """The data keys seen so far (they change with every rekey)."""

    def __init__(self, vault: Path) -> None:
        self.vault = vault
        self.known: list[bytes] = []

    def connect(self) -> object:
        for key in reversed(self.known):
            try:
                return eng.connect(self.vault, key)
            except eng.WrongKeyError:
                continue
        self.unlock_with_passphrase()  # a rekey happened: finds the current or pending key
        return eng.connect(self.vault, self.known[-1])

    def unlock_with_passphrase(self) -> dict[str, object]:
        with open_vault(self.vault, passphrase=PASSPHRASE, use_keychain=False) as vault:
            self.known.append(bytes(vault._key))
            return vault.doctor()

    def check_backup(self, path: Path) -> vault_backup.BackupCheck:
        for key in reversed(self.known):
            result = vault_backup.check_backup(path, key)
            if result.ok or "does not open" not in result.problems[0]:
                return result
        # Made with a key this test has not seen: its own key slots say which.
        slots = read_slot_file(path)
        key = keyslots.unwrap(slots.current, slots.vault_id, "passphrase", PASSPHRASE)
        assert key is not None, f"the passphrase does not open the key slots of {path.name}"
        self.known.append(bytes(key))
        return vault_backup.check_backup(path, key)


def run_plain_worker(crash: CrashVault, seed: int, delay: float, err: Path) -> int:
    with open(err, "ab") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.crash.worker", str(crash.path), str(crash.log),
             str(seed)], env=crash.env, stderr=stderr, stdin=subprocess.DEVNULL,
            cwd=Path(__file__).resolve().parents[2])
        # Let it get past Python's start and its imports before the clock runs.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None and (
                not crash.log.exists() or b"committed open" not in crash.log.read_bytes()):
            time.sleep(0.02)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
    return process.returncode


@pytest.mark.timeout(900)
def test_the_vault_survives_kills_at_random_moments(crash_vault: CrashVault,
                                                     fork_server: ForkServer,
                                                     tmp_path: Path) -> None:
    rng = random.Random(SEED)
    ledger = Ledger()
    keys = Keys(crash_vault.path)
    keys.unlock_with_passphrase()
    verified: set[str] = set()
    started = time.monotonic()
    for kill in range(1, KILLS + 1):
        seed = rng.randrange(1 << 30)
        delay = rng.uniform(0.0, 1.2)
        if kill <= PLAIN_STARTS:
            err = tmp_path / "plain-worker.err"
            code = run_plain_worker(crash_vault, seed, delay, err)
            assert code == -signal.SIGKILL, (
                f"worker {seed} ended by itself ({code}): {err.read_text()[-3000:]}")
        else:
            pid = fork_server.start(crash_vault.path, crash_vault.log, seed)
            time.sleep(delay)
            with contextlib.suppress(ProcessLookupError):  # it may have died on its own
                os.kill(pid, signal.SIGKILL)
            status = fork_server.ended()
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                f"worker {seed} ended by itself ({status}): {fork_server.errors()}")

        ledger.read(crash_vault.log)
        where = f"after kill {kill} (worker seed {seed}, killed in {ledger.in_flight})"
        conn = keys.connect()
        try:
            problems = check_vault(conn, ledger)
            if not problems:
                ledger.settle(conn)
        finally:
            conn.close()  # type: ignore[attr-defined]
        problems += check_backup_folder(crash_vault.backups, ledger, verified,
                                        keys.check_backup)
        assert not problems, f"{where}:\n" + "\n".join(problems)
        if kill % FULL_OPEN_EVERY == 0 or kill == KILLS:
            facts = keys.unlock_with_passphrase()
            assert (facts["integrity_check"], facts["cipher_integrity_check"]) == ("ok", "ok"), (
                f"{where}: doctor says {facts}")
        prune_backups(crash_vault.backups, keep=3)

    seconds = time.monotonic() - started
    print(f"\n{KILLS} kills in {seconds:.0f} s; committed operations {dict(ledger.ops)}; "
          f"killed during {dict(ledger.kills_in)}")
    # The kills must have landed in the middle of real work, or the test proves little.
    assert all(ledger.ops[op] for op in ("create", "update", "delete", "import", "issue",
                                         "backup")), ledger.ops
    if KILLS >= 100:
        assert ledger.ops["rekey"] and ledger.kills_in["create"] and ledger.kills_in["issue"], (
            ledger.ops, ledger.kills_in)
