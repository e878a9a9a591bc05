"""The task runner: every piece of database work runs here, off the GUI thread.

A widget calls `tasks.submit(service_fn, vault, ..., on_done=...)`. The function runs
on a worker thread; its result (or failure) comes back on the GUI thread through Qt
signals. Long work gets a progress dialog, but only once it has taken longer than a
moment, so quick work never flashes a window. How a failure is shown depends on its
kind: `Cancelled` shows nothing, a `UserError` shows its sentence, anything else is a
bug and goes to the crash reporter.

Writes run one at a time, in the order they were asked for (SQLite has one writer);
reads run beside them. After each write the runner emits `changed` once with the
areas it touched, and each page decides whether that concerns it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import Cancelled, UserError
from crasme_desktop.domain.progress import Progress

log = logging.getLogger(__name__)

#: Progress updates from a worker are thinned to this interval so a tight loop
#: reporting every row cannot flood the GUI thread's event queue.
_PROGRESS_INTERVAL_S = 0.05


class Task(QObject):
    """One submitted piece of work; lives on the GUI thread, runs its function on a worker."""

    _succeeded = Signal(object)
    _failed = Signal(object)
    _progressed = Signal(int, int, str)

    def __init__(
        self,
        runner: TaskRunner,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[UserError], None] | None,
        progress_title: str | None,
        cancellable: bool,
        writes: frozenset[str] | None,
    ) -> None:
        # No Qt parent: the runner keeps running tasks alive, the caller may keep the
        # returned task after that, and Python frees it when nobody holds it.
        super().__init__()
        self._runner = runner
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self._on_done = on_done
        self._on_error = on_error
        self.title = progress_title
        self.cancellable = cancellable
        self.writes = writes
        self.generation = runner.generation
        self.progress = Progress(self._report_progress)
        self.dialog: QProgressDialog | None = None
        self.finished = False
        self._last_report = 0.0
        self._last_values = (0, 0, "")
        self._succeeded.connect(self._deliver_result)
        self._failed.connect(self._deliver_error)
        self._progressed.connect(self._show_progress)

    # -- worker side ----------------------------------------------------------
    def run(self) -> None:
        """Runs on a worker thread: call the function, hand the outcome to the GUI thread."""
        try:
            result = self._fn(*self._args, **self._kwargs)
        except BaseException as exc:  # every outcome must reach the GUI thread
            self._failed.emit(exc)
        else:
            self._succeeded.emit(result)

    def _report_progress(self, done: int, total: int, text: str) -> None:
        self._last_values = (done, total, text)
        now = time.monotonic()
        if now - self._last_report >= _PROGRESS_INTERVAL_S or (total and done >= total):
            self._last_report = now
            self._progressed.emit(done, total, text)

    # -- GUI side -------------------------------------------------------------
    def cancel(self) -> None:
        """Ask the work to stop at its next check; it ends as `Cancelled`, showing nothing."""
        self.progress.cancel()

    @Slot()
    def show_dialog(self) -> None:
        """Open the progress dialog, unless the work is already done."""
        if self.finished or self.dialog is not None or self.title is None:
            return
        dialog = QProgressDialog(self._runner.parent_widget())
        dialog.setObjectName("taskProgress")
        dialog.setWindowTitle(APP_NAME)
        dialog.setLabelText(self.title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.setMinimumWidth(380)
        if self.cancellable:
            dialog.setCancelButtonText("Cancel")
            dialog.canceled.connect(self.cancel)
        else:
            dialog.setCancelButton(None)
        done, total, text = self._last_values
        self._apply(dialog, done, total, text)
        self.dialog = dialog
        dialog.show()

    @Slot(int, int, str)
    def _show_progress(self, done: int, total: int, text: str) -> None:
        if self.dialog is not None:
            self._apply(self.dialog, done, total, text)

    def _apply(self, dialog: QProgressDialog, done: int, total: int, text: str) -> None:
        # A total of 0 means "not known yet": Qt shows a busy bar for a 0..0 range.
        dialog.setRange(0, max(total, 0))
        dialog.setValue(min(done, total) if total else 0)
        label = self.title or ""
        dialog.setLabelText(f"{label}\n{text}" if text else label)

    @Slot(object)
    def _deliver_result(self, result: Any) -> None:
        self._finish()
        if self._stale():
            return
        if self.writes:
            self._runner.changed.emit(self.writes)
        if self._on_done is not None:
            self._guarded(self._on_done, result)

    @Slot(object)
    def _deliver_error(self, exc: BaseException) -> None:
        self._finish()
        if self._stale():
            log.debug("Dropped the failure of a task from before the vault was locked: %r", exc)
            return
        if isinstance(exc, Cancelled):
            # A cancelled batch may already have committed part of its work.
            if self.writes:
                self._runner.changed.emit(self.writes)
            return
        if isinstance(exc, UserError):
            handler = self._on_error or self._runner.show_error
            self._guarded(handler, exc)
            return
        self._runner.report_crash(exc)

    def _guarded(self, callback: Callable[[Any], None], value: Any) -> None:
        try:
            callback(value)
        except Exception as exc:  # a bug in a result handler is still a bug to report
            self._runner.report_crash(exc)

    def _stale(self) -> bool:
        return self.generation != self._runner.generation

    def _finish(self) -> None:
        self.finished = True
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        self._runner._forget(self)


class TaskRunner(QObject):
    """Runs functions on worker threads and brings their outcome back to the GUI thread."""

    #: The areas (e.g. {"contacts"}) that a finished write task touched.
    changed = Signal(object)
    #: True while any task is running.
    busy_changed = Signal(bool)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        parent_widget: Callable[[], QWidget | None] = lambda: None,
        report_crash: Callable[[BaseException], None] | None = None,
        show_error: Callable[[UserError], None] | None = None,
        progress_delay_ms: int = 300,
        readers: int = 3,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent_widget
        self._report_crash = report_crash
        self._show_error = show_error
        self.progress_delay_ms = progress_delay_ms
        self.generation = 0
        self.message_boxes: list[QMessageBox] = []
        self._tasks: set[Task] = set()
        self._guard = threading.Lock()
        self._readers = QThreadPool(self)
        self._readers.setMaxThreadCount(readers)
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[UserError], None] | None = None,
        progress_title: str | None = None,
        cancellable: bool = False,
        writes: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> Task:
        """Run `fn(*args, **kwargs)` on a worker thread.

        With `progress_title` (or `cancellable`) the function also gets `progress=`, a
        domain `Progress`, and a dialog appears if the work lasts longer than a moment.
        `on_done(result)` and `on_error(user_error)` run on the GUI thread; without
        `on_error`, a `UserError` is shown in a message box. `writes` names the areas
        the work changes: it then runs in order with other writes, and `changed` is
        emitted once when it is done.
        """
        areas = frozenset(writes) if writes is not None else None
        task = Task(
            self, fn, args, dict(kwargs),
            on_done=on_done, on_error=on_error, progress_title=progress_title,
            cancellable=cancellable, writes=areas,
        )
        if progress_title is not None or cancellable:
            task._kwargs["progress"] = task.progress
        with self._guard:
            self._tasks.add(task)
            first = len(self._tasks) == 1
        if first:
            self.busy_changed.emit(True)
        if progress_title is not None:
            QTimer.singleShot(self.progress_delay_ms, task.show_dialog)
        pool = self._writer if areas else self._readers
        pool.start(task.run)
        return task

    @property
    def active(self) -> int:
        """How many tasks have not delivered their outcome yet."""
        with self._guard:
            return len(self._tasks)

    def invalidate(self) -> None:
        """Drop the outcome of every running task (used when the vault is locked)."""
        self.generation += 1
        with self._guard:
            running = list(self._tasks)
        for task in running:
            task.cancel()

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker threads are idle (for shutdown); True if they are."""
        readers = self._readers.waitForDone(msecs)
        return self._writer.waitForDone(msecs) and readers

    def show_error(self, error: UserError) -> None:
        """Show a `UserError`'s sentence (without blocking the caller)."""
        if self._show_error is not None:
            self._show_error(error)
            return
        box = QMessageBox(self.parent_widget())
        box.setObjectName("userError")
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(APP_NAME)
        box.setText(error.message)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_boxes.append(box)
        box.finished.connect(lambda _result: self.message_boxes.remove(box))
        box.open()

    def report_crash(self, exc: BaseException) -> None:
        if self._report_crash is not None:
            self._report_crash(exc)
        else:  # no reporter wired (a bare runner): the log still gets the traceback
            log.error("Unexpected problem in a task", exc_info=exc)

    def _forget(self, task: Task) -> None:
        with self._guard:
            self._tasks.discard(task)
            idle = not self._tasks
        if idle:
            self.busy_changed.emit(False)
