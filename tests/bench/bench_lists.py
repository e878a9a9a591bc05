"""Speed of the Contacts list at N people, against bare sqlcipher3 in the same run.

    python -m tests.bench --only lists [--lists-people 100000] [--lists-runs 7]

A real ContactsPage runs in an offscreen QApplication in a child process (so its
resident memory is its own), on a vault filled with `services.demo`:
- first paint: from `refresh()` until the first batch is in the model and the table
  has painted it; baseline: bare sqlcipher3 reading the first 100 rows in name
  order (`ORDER BY sort_key, id LIMIT 100`, with the same columns). Goal ≤ 150 ms.
- whole id list: until every rowid is in the model; baseline: bare
  `SELECT rowid FROM person ORDER BY sort_key, id`, all rows fetched, plus the first
  100 rows as above. Goal ≤ 2x.
- page down: one PageDown key press: the frame (until the table has painted, with
  "Loading…" where rows are not read yet; goal < 33 ms) and until the rows are shown
  (their batch fetched on the task runner).
- resident memory with the list open and scrolled (goal ≤ 300 MB at 1M).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.bench.run import REPO_ROOT, Result, bare_connection, sample_vault

RUN_TIMEOUT_S = 1800


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lists-people", type=int, default=100_000,
                        help="people in the lists benchmark vault (default 100000)")
    parser.add_argument("--lists-runs", type=int, default=7,
                        help="first-paint runs (default 7)")
    parser.add_argument("--lists-steps", type=int, default=40,
                        help="page-down steps (default 40)")


def run(args: argparse.Namespace, work: Path) -> list[Result]:
    people = args.lists_people
    path = work / f"lists-{people}.crasme"
    sample_vault(path, people, "lists")
    proc = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_lists", str(path), str(args.lists_runs),
         str(args.lists_steps)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
    )
    if proc.returncode:
        note = (proc.stderr.strip().splitlines() or ["no output"])[-1][:300]
        return [Result(f"lists: contacts page ({people:,} people)", None, None, None,
                       "<= 150 ms", False, 0, f"the child failed: {note}")]
    m = json.loads(proc.stdout.strip().splitlines()[-1])
    return _results(people, m)


def _results(people: int, m: dict[str, Any]) -> list[Result]:
    n = f"{people:,} people"
    paint, paint_base = statistics.median(m["first_paint"]), statistics.median(m["raw_first"])
    ids = statistics.median(m["ids"])
    ids_base = statistics.median(a + b for a, b in zip(m["raw_ids"], m["raw_first"],
                                                        strict=True))
    frames = sorted(m["frames"])
    frame, frame_p95 = statistics.median(frames), frames[int(0.95 * (len(frames) - 1))]
    shown = sorted(m["shown"])
    rss = m["rss_mb"]
    return [
        Result(f"lists: first rows painted ({n})", paint, paint_base, paint / paint_base,
               "<= 150 ms", paint <= 0.150, len(m["first_paint"]),
               "refresh() to the first batch painted; baseline: bare sqlcipher3 first 100 "
               "rows in name order"),
        Result(f"lists: whole id list ({n})", ids, ids_base, ids / ids_base, "<= 2x",
               ids / ids_base <= 2.0, len(m["ids"]),
               "refresh() until every rowid is in the model (the first rows are painted "
               "before); baseline: bare SELECT rowid ... ORDER BY sort_key, id plus the first "
               "100 rows"),
        Result(f"lists: page-down frame ({n})", frame, None, None, "< 33 ms",
               frame_p95 < 0.033, len(frames),
               f"key press to painted frame; p95 {frame_p95 * 1000:.1f} ms, max "
               f"{frames[-1] * 1000:.1f} ms"),
        Result(f"lists: page-down rows shown ({n})", statistics.median(shown), None, None,
               "-", True, len(shown),
               f"key press until the new rows' batch is fetched and painted; p95 "
               f"{shown[int(0.95 * (len(shown) - 1))] * 1000:.1f} ms"),
        Result(f"lists: resident memory ({n})", None, None, None, "<= 300 MB",
               rss <= 300, 1,
               f"{rss:.0f} MB resident with the list open and scrolled (a bare "
               f"QApplication + vault open: {m['rss_base_mb']:.0f} MB)"),
    ]


# ------------------------------------------------------------------- the child process
def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _raw_baseline(path: Path, runs: int) -> tuple[list[float], list[float]]:
    conn = bare_connection(path)
    first, ids = [], []
    for i in range(runs + 1):
        start = time.perf_counter()
        conn.execute(
            "SELECT p.rowid, p.id, p.display_name, p.owner, p.created_at, p.organization_id "
            "FROM person p ORDER BY p.sort_key, p.id LIMIT 100").fetchall()
        took = time.perf_counter() - start
        start = time.perf_counter()
        rows = conn.execute("SELECT rowid FROM person ORDER BY sort_key, id").fetchall()
        took_ids = time.perf_counter() - start
        del rows
        if i:  # the first run warms the cache
            first.append(took)
            ids.append(took_ids)
    conn.close()
    return first, ids


def child(path: Path, runs: int, steps: int) -> dict[str, Any]:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from crasme_desktop.services import lists  # noqa: F401 - imported as the app would have
    from crasme_desktop.ui.pages.contacts import ContactsPage
    from crasme_desktop.ui.tasks import TaskRunner
    from crasme_desktop.vault import Keychain, open_vault
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    vault = open_vault(path, keychain=Keychain())
    rss_base = _rss_mb()
    raw_first, raw_ids = _raw_baseline(path, runs)
    tasks = TaskRunner()
    page = ContactsPage(tasks)
    page.resize(1280, 860)
    page.show()
    app.processEvents()

    class PaintClock(QObject):
        last = 0.0

        def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.last = time.perf_counter()
            return False

    clock = PaintClock()
    page.table.viewport().installEventFilter(clock)

    def spin_until(done: Any, limit: float = 120.0) -> None:
        end = time.perf_counter() + limit
        while not done():
            app.processEvents()
            if time.perf_counter() > end:
                raise TimeoutError("the page did not get there in time")
            time.sleep(0.0005)

    page.vault = vault
    first_paint, ids = [], []
    for i in range(runs + 1):
        page.model.clear()
        app.processEvents()
        start = time.perf_counter()
        page.refresh()
        spin_until(lambda s=start: page.model.record_at(0) is not None and clock.last > s)
        painted = clock.last - start
        spin_until(lambda: page.model.complete)
        whole = time.perf_counter() - start
        if i:
            first_paint.append(painted)
            ids.append(whole)

    page.table.setFocus()
    view_rows = page.table.viewport().height() // page.table.verticalHeader().defaultSectionSize()
    frames, shown = [], []
    for _ in range(steps):
        start = time.perf_counter()
        QTest.keyClick(page.table, Qt.Key.Key_PageDown)
        spin_until(lambda s=start: clock.last > s)
        frames.append(clock.last - start)
        top = page.table.rowAt(0)
        visible = range(top, min(top + view_rows, page.model.rowCount()))
        if all(page.model.record_at(r) is not None for r in visible):
            shown.append(frames[-1])  # painted with their rows at once
            continue
        spin_until(lambda v=visible: all(page.model.record_at(r) is not None for r in v))
        loaded = time.perf_counter()
        spin_until(lambda t=loaded: clock.last > t)
        shown.append(clock.last - start)
    rss = _rss_mb()
    tasks.invalidate()
    tasks.wait(10_000)
    vault.close()
    return {"first_paint": first_paint, "ids": ids, "raw_first": raw_first, "raw_ids": raw_ids,
            "frames": frames, "shown": shown, "rss_mb": rss, "rss_base_mb": rss_base,
            "rows": page.model.rowCount()}


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))))
