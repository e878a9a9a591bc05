"""The task runner: work off the GUI thread, progress, cancel, errors, `changed`."""

from __future__ import annotations

import threading

import pytest
from crasme_desktop.domain.errors import Cancelled, UserError
from crasme_desktop.domain.progress import Progress
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton
from tests.support.clicks import click


@pytest.fixture
def runner(qtbot):
    crashes: list[BaseException] = []
    tasks = TaskRunner(report_crash=crashes.append, progress_delay_ms=50)
    tasks.crashes = crashes
    yield tasks
    tasks.invalidate()
    tasks.wait(5000)
    for box in list(tasks.message_boxes):
        box.close()


def _progress_dialogs() -> list[QProgressDialog]:
    return [
        w for w in QApplication.topLevelWidgets()
        if isinstance(w, QProgressDialog) and w.isVisible()
    ]


def test_work_runs_on_a_worker_and_the_result_comes_back_on_the_gui_thread(qtbot, runner):
    seen: dict[str, object] = {}

    def work(a, b, *, c):
        seen["worker"] = threading.get_ident()
        return a + b + c

    def done(result):
        seen["result"] = result
        seen["delivered"] = threading.get_ident()

    runner.submit(work, 1, 2, c=3, on_done=done)
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["result"] == 6
    assert seen["worker"] != threading.get_ident()
    assert seen["delivered"] == threading.get_ident()
    assert runner.active == 0


def test_long_work_shows_progress_and_quick_work_shows_none(qtbot, runner):
    release = threading.Event()

    def long_work(progress: Progress):
        progress.update(3, 10, "Three of ten")
        assert release.wait(10)
        return "finished"

    results = []
    runner.submit(long_work, progress_title="Copying records…", on_done=results.append)
    qtbot.waitUntil(lambda: len(_progress_dialogs()) == 1)
    dialog = _progress_dialogs()[0]
    qtbot.waitUntil(lambda: dialog.value() == 3)
    assert dialog.maximum() == 10
    assert "Copying records…" in dialog.labelText()
    assert "Three of ten" in dialog.labelText()
    release.set()
    qtbot.waitUntil(lambda: results == ["finished"])
    assert _progress_dialogs() == []

    quick = []
    runner.submit(lambda progress: "quick", progress_title="Quick", on_done=quick.append)
    qtbot.waitUntil(lambda: quick == ["quick"])
    qtbot.wait(120)  # past the delay: the dialog must not appear for finished work
    assert _progress_dialogs() == []


def test_cancel_stops_the_work_and_shows_nothing(qtbot, runner):
    started = threading.Event()
    outcome: list[str] = []

    def endless(progress: Progress):
        started.set()
        done = 0
        while True:
            progress.update(done, 1_000_000, "Working")
            done += 1
            threading.Event().wait(0.001)

    runner.submit(
        endless, progress_title="Long job", cancellable=True,
        on_done=lambda _r: outcome.append("done"), on_error=lambda e: outcome.append("error"),
    )
    qtbot.waitUntil(lambda: len(_progress_dialogs()) == 1)
    dialog = _progress_dialogs()[0]
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"
    click(qtbot, cancel)
    qtbot.waitUntil(lambda: runner.active == 0)
    assert outcome == []
    assert runner.message_boxes == []
    assert runner.crashes == []
    assert _progress_dialogs() == []


def test_a_user_error_shows_its_sentence(qtbot, runner):
    def fails():
        raise UserError("The disk holding the vault is full; free some space and try again.")

    runner.submit(fails)
    qtbot.waitUntil(lambda: len(runner.message_boxes) == 1)
    box = runner.message_boxes[0]
    assert isinstance(box, QMessageBox)
    assert box.text() == "The disk holding the vault is full; free some space and try again."
    assert box.isVisible()
    assert runner.crashes == []


def test_a_user_error_goes_to_the_inline_handler_when_there_is_one(qtbot, runner):
    inline: list[str] = []
    runner.submit(lambda: (_ for _ in ()).throw(UserError("Wrong key.")),
                  on_error=lambda e: inline.append(e.message))
    qtbot.waitUntil(lambda: inline == ["Wrong key."])
    assert runner.message_boxes == []


def test_a_bug_goes_to_the_crash_reporter_not_a_message_box(qtbot, runner):
    runner.submit(lambda: 1 / 0)
    qtbot.waitUntil(lambda: len(runner.crashes) == 1)
    assert isinstance(runner.crashes[0], ZeroDivisionError)
    assert runner.message_boxes == []


def test_a_bug_in_a_result_handler_is_reported_too(qtbot, runner):
    runner.submit(lambda: 5, on_done=lambda value: [][value])
    qtbot.waitUntil(lambda: len(runner.crashes) == 1)
    assert isinstance(runner.crashes[0], IndexError)


def test_changed_is_emitted_once_per_write_and_never_for_reads(qtbot, runner):
    emitted: list[frozenset[str]] = []
    runner.changed.connect(emitted.append)
    finished: list[int] = []

    runner.submit(lambda: 1, on_done=finished.append)  # a read
    runner.submit(lambda: 2, writes={"contacts"}, on_done=finished.append)
    runner.submit(lambda: 3, writes={"contacts", "organizations"}, on_done=finished.append)
    qtbot.waitUntil(lambda: len(finished) == 3)
    assert emitted == [frozenset({"contacts"}), frozenset({"contacts", "organizations"})]


def test_writes_run_one_at_a_time_in_order(qtbot, runner):
    order: list[int] = []
    inside = threading.Semaphore(1)
    overlaps: list[int] = []

    def write(n):
        if not inside.acquire(blocking=False):
            overlaps.append(n)
            return
        try:
            threading.Event().wait(0.01)
            order.append(n)
        finally:
            inside.release()

    for n in range(6):
        runner.submit(write, n, writes={"contacts"})
    qtbot.waitUntil(lambda: runner.active == 0)
    assert overlaps == []
    assert order == list(range(6))


def test_a_failed_write_emits_no_change_but_a_cancelled_one_does(qtbot, runner):
    emitted: list[frozenset[str]] = []
    runner.changed.connect(emitted.append)
    runner.submit(lambda: (_ for _ in ()).throw(UserError("No.")), writes={"contacts"},
                  on_error=lambda e: None)

    def cancelled():
        raise Cancelled()

    runner.submit(cancelled, writes={"organizations"})
    qtbot.waitUntil(lambda: runner.active == 0)
    # A cancelled batch may have committed its first part, so views must refresh.
    assert emitted == [frozenset({"organizations"})]


def test_invalidate_drops_the_outcome_of_running_work(qtbot, runner):
    release = threading.Event()
    results: list[str] = []
    runner.submit(lambda: release.wait(10) and "late", on_done=results.append)
    runner.invalidate()
    release.set()
    qtbot.waitUntil(lambda: runner.active == 0)
    qtbot.wait(20)
    assert results == []
