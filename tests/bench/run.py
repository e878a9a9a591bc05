"""Speed scenarios of Crasme Desktop, each against a baseline measured in the same run.

    python -m tests.bench [--runs-open N] [--runs-start N] [--keychain file|system]

Prints one row per scenario: median, the baseline's median, their ratio, the
goal and pass/fail; exits 1 when a goal is missed. Results also go to
tests/bench/results/latest.json (ignored by git). Nothing here is collected by
pytest: the scenarios are too slow and too machine-dependent for the suite.

Scenarios
- open: `open_vault` with the raw key from the keychain, against the least any
  program must do to open the same vault from the same keychain: one bare
  `keyring` lookup of the key, then a bare sqlcipher3 connect + PRAGMA key +
  `SELECT count(*) FROM sqlite_master`. Both sides pay the keychain alike, so the
  ratio is what the vault layer adds (key slots, lock, pragmas, schema check,
  engine). Goal: at most 1.2 times the baseline. The note also gives the bare
  open without the keychain lookup.
- cold start: `python -m crasme_desktop --vault V` in a fresh process until its
  main window is shown and the event loop runs (the app writes the file named by
  CRASME_BENCH_READY_FILE then), against a bare PySide6 window started the same
  way and signalling the same way. Goal: at most 2 times the baseline and under 1 s.
  The vault was opened with the keychain before, as on any working day, so the main
  window comes first and the key is fetched behind it. A second row times the same
  starts until the vault is open in that window (CRASME_BENCH_UNLOCKED_FILE).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
READY_ENV = "CRASME_BENCH_READY_FILE"
UNLOCKED_ENV = "CRASME_BENCH_UNLOCKED_FILE"
START_TIMEOUT = 20.0

BARE_WINDOW = """
import os, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

app = QApplication(sys.argv)
window = QMainWindow()
window.setWindowTitle("Bare PySide6 window")
window.setCentralWidget(QLabel("Hello"))
window.resize(1100, 720)
window.show()
QTimer.singleShot(0, lambda: Path(os.environ["CRASME_BENCH_READY_FILE"]).write_text("ready"))
sys.exit(app.exec())
"""


@dataclass
class Result:
    scenario: str
    median_s: float | None
    baseline_median_s: float | None
    ratio: float | None
    goal: str
    passed: bool
    runs: int
    note: str = ""


# --------------------------------------------------------------------- environment


def isolate(root: Path, keychain: str) -> None:
    """Private XDG folders, and the test keychain unless the system one is asked for."""
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        folder = root / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        os.environ[name] = str(folder)
    os.environ.pop("CRASME_VAULT", None)
    os.environ.pop("CRASME_PASSPHRASE", None)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    if keychain == "file":
        os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.file_keyring.FileKeyring"
        os.environ["CRASME_TEST_KEYRING_FILE"] = str(root / "keyring.json")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def make_vault(path: Path, contacts: int) -> None:
    """A vault whose key is in the keychain, unlocked once the way the app does it (so
    the app settings note that the keychain opens it, as after any real first use)."""
    from crasme_desktop.services import vaults

    vaults.create(path, passphrase=None, use_keychain=True, sample_contacts=contacts)
    with vaults.unlock(path) as vault:
        vaults.remember_unlock(vault)


def sample_vault(path: Path, people: int, scenario: str) -> None:
    """A vault of `people` demo people with its key in the keychain (says how long it
    took on stderr: big vaults take minutes)."""
    from crasme_desktop.services import vaults

    start = time.perf_counter()
    vaults.create(path, passphrase=None, use_keychain=True, sample_contacts=people)
    print(f"bench {scenario}: made a vault of {people:,} people in "
          f"{time.perf_counter() - start:.1f} s ({path.stat().st_size / 1e6:.0f} MB)",
          file=sys.stderr)


def bare_connection(path: Path, **connect: Any) -> Any:
    """A bare sqlcipher3 connection to a vault whose key is in the keychain, with the
    key and the same pragmas as ours, for baselines: no key slots, lock or engine."""
    import sqlcipher3.dbapi2 as sqlcipher
    from crasme_desktop.vault import Keychain, describe_vault
    from crasme_desktop.vault.engine import CONNECTION_PRAGMAS, key_pragma

    keychain = Keychain()
    vault_id = describe_vault(path, keychain).vault_id
    assert vault_id is not None
    key = keychain.get(vault_id)
    assert key is not None, "the bench vault's key is not in the keychain"
    conn = sqlcipher.connect(str(path), **connect)
    conn.executescript(";".join((key_pragma(key), *CONNECTION_PRAGMAS)) + ";")
    return conn


def timed(fn: Callable[[], object], runs: int, warmup: int = 3) -> list[float]:
    times = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        if i >= warmup:
            times.append(elapsed)
    return times


# ------------------------------------------------------------------------ scenarios


def bench_open(vault_path: Path, runs: int) -> Result:
    import sqlcipher3.dbapi2 as sqlcipher
    from crasme_desktop.vault import Keychain, describe_vault, open_vault
    from crasme_desktop.vault.keychain import SERVICE

    keychain = Keychain()
    vault_id = describe_vault(vault_path, keychain).vault_id
    assert vault_id is not None
    key = keychain.get(vault_id)
    if key is None:
        return Result("open vault (keychain, raw key)", None, None, None, "<= 1.2x", False, 0,
                      "the vault's key is not in the keychain")

    opened: list[object] = []

    def ours() -> None:
        opened.append(open_vault(vault_path, keychain=keychain))

    backend = keychain.backend

    def bare_open(raw: bytes) -> None:
        conn = sqlcipher.connect(str(vault_path))
        conn.execute(f"PRAGMA key = \"x'{raw.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        opened.append(conn)

    def bare() -> None:
        bare_open(bytes.fromhex(backend.get_password(SERVICE, vault_id)))

    def bare_no_keychain() -> None:
        bare_open(key)

    def close_all() -> None:
        while opened:
            opened.pop().close()  # type: ignore[attr-defined]

    our_times, bare_times, plain_times = [], [], []
    for _ in range(3):  # warm caches for both
        ours()
        close_all()
        bare()
        close_all()
    for _ in range(runs):  # interleaved, so drift hits both alike; closing is not timed
        our_times.append(timed(ours, 1, warmup=0)[0])
        close_all()
        bare_times.append(timed(bare, 1, warmup=0)[0])
        close_all()
        plain_times.append(timed(bare_no_keychain, 1, warmup=0)[0])
        close_all()
    median, base = statistics.median(our_times), statistics.median(bare_times)
    ratio = median / base
    plain = statistics.median(plain_times)
    return Result("open vault (keychain, raw key)", median, base, ratio, "<= 1.2x",
                  ratio <= 1.2, runs,
                  f"keychain: {keychain.backend_name}; the bare open without the keychain "
                  f"lookup: {_ms(plain)}")


def start_until_ready(cmd: list[str], ready: Path, unlocked: Path | None = None
                      ) -> tuple[float | None, float | None]:
    """Seconds from spawning `cmd` until it writes `ready` (and then `unlocked`, when
    given); None for a file it never writes."""
    ready.unlink(missing_ok=True)
    env = dict(os.environ, **{READY_ENV: str(ready)})
    if unlocked is not None:
        unlocked.unlink(missing_ok=True)
        env[UNLOCKED_ENV] = str(unlocked)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    to_ready: float | None = None
    to_unlocked: float | None = None
    try:
        while time.perf_counter() - start < START_TIMEOUT:
            if to_ready is None and ready.exists():
                to_ready = time.perf_counter() - start
            if unlocked is not None and to_unlocked is None and unlocked.exists():
                to_unlocked = time.perf_counter() - start
            if to_ready is not None and (unlocked is None or to_unlocked is not None):
                break
            if proc.poll() is not None:
                break
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
    if (to_ready is None or (unlocked is not None and to_unlocked is None)) and stderr.strip():
        print(f"bench: {cmd[-1]!r} did not get ready:\n{stderr.strip()[-2000:]}",
              file=sys.stderr)
    return to_ready, to_unlocked


def bench_cold_start(vault_path: Path, runs: int, work: Path) -> list[Result]:
    ready, unlocked = work / "ready", work / "unlocked"
    app_cmd = [sys.executable, "-m", "crasme_desktop", "--vault", str(vault_path)]
    bare_cmd = [sys.executable, "-c", BARE_WINDOW]
    name = "cold start to main window"
    name_unlocked = "cold start to unlocked vault"
    goal = "<= 2x and < 1 s"
    goal_unlocked = "< 1 s"

    def failed(note: str, runs_done: int = 0) -> list[Result]:
        return [Result(name, None, None, None, goal, False, runs_done, note),
                Result(name_unlocked, None, None, None, goal_unlocked, False, runs_done, note)]

    # Warm the OS file cache once each.
    if None in start_until_ready(app_cmd, ready, unlocked):
        return failed(f"the app never wrote {READY_ENV} or {UNLOCKED_ENV} (see stderr above)")
    if start_until_ready(bare_cmd, ready)[0] is None:
        return failed(f"the bare window never wrote {READY_ENV} (see stderr above)")
    ours, ours_unlocked, bare = [], [], []
    for _ in range(runs):
        a, a_unlocked = start_until_ready(app_cmd, ready, unlocked)
        b, _ = start_until_ready(bare_cmd, ready)
        if a is None or a_unlocked is None or b is None:
            return failed("a start failed midway (see stderr above)", len(ours))
        ours.append(a)
        ours_unlocked.append(a_unlocked)
        bare.append(b)
    median, base = statistics.median(ours), statistics.median(bare)
    median_unlocked = statistics.median(ours_unlocked)
    platform = os.environ.get("QT_QPA_PLATFORM") or "default"
    return [
        Result(name, median, base, median / base, goal,
               median / base <= 2.0 and median < 1.0, runs,
               f"Qt platform: {platform}; the main window takes input while the key is "
               "fetched from the keychain"),
        Result(name_unlocked, median_unlocked, base, median_unlocked / base, goal_unlocked,
               median_unlocked < 1.0, runs,
               "until the vault is open and its pages are filling"),
    ]


# --------------------------------------------------------------------------- output


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.2f} ms"


def print_table(results: list[Result]) -> None:
    header = ("scenario", "median", "baseline", "ratio", "goal", "result")
    rows = [header] + [
        (r.scenario, _ms(r.median_s), _ms(r.baseline_median_s),
         "-" if r.ratio is None else f"{r.ratio:.2f}x", r.goal, "pass" if r.passed else "FAIL")
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    for r in results:
        if r.note:
            print(f"  {r.scenario}: {r.note} ({r.runs} runs)")


#: Scenarios of the later areas, one module each in tests/bench: every module has
#: `add_arguments(parser)` (options prefixed with its name) and `run(args, work)`,
#: which returns `Result` rows and makes its own vaults under `work`.
EXTRA = ("search", "lists", "import", "duplicates", "invoices", "pdf", "mail", "backup",
         "reports", "tickets")


def _extra_modules() -> dict[str, Any]:
    import importlib.util

    found = {}
    for name in EXTRA:
        module_name = f"tests.bench.bench_{name}"
        if importlib.util.find_spec(module_name) is not None:
            found[name] = importlib.import_module(module_name)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs-open", type=int, default=50)
    parser.add_argument("--runs-start", type=int, default=7)
    parser.add_argument("--contacts", type=int, default=500,
                        help="sample people in the benchmark vault")
    parser.add_argument("--keychain", choices=("file", "system"), default="file",
                        help="file: the test keychain (default, stable numbers); "
                        "system: whatever keyring finds (e.g. under scripts/with-keyring)")
    parser.add_argument("--only", choices=("open", "start", *EXTRA), default=None)
    for module in _extra_modules().values():
        module.add_arguments(parser)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="crasme-bench-") as tmp:
        work = Path(tmp)
        isolate(work, args.keychain)
        vault_path = work / "bench.crasme"
        make_vault(vault_path, args.contacts)
        results = []
        if args.only in (None, "open"):
            results.append(bench_open(vault_path, args.runs_open))
        if args.only in (None, "start"):
            results.extend(bench_cold_start(vault_path, args.runs_start, work))
        for name, module in _extra_modules().items():
            if args.only in (None, name):
                results.extend(module.run(args, work))

    print_table(results)
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    (RESULTS_DIR / "latest.json").write_text(
        json.dumps({"when": stamp, "results": [asdict(r) for r in results]}, indent=2) + "\n"
    )
    return 0 if all(r.passed for r in results) else 1
