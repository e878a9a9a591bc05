"""Bugs: write the details to the log and tell the person where it is.

A `UserError` is never a crash; it is shown as its sentence where it happened. What
reaches this module is a real bug. The dialog is calm and does not pretend the person
can fix it: it says the work was not finished, where the log is, and that it is safe
to carry on or restart.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from crasme_desktop import APP_NAME, __version__

log = logging.getLogger(__name__)

#: The same file the command line writes its bug reports to, so there is one place to look.
LOG_FILE_NAME = "crasme.log"
LOG_MAX_BYTES = 1_000_000
LOG_KEEP = 3


def setup_logging(log_dir: Path) -> Path | None:
    """Log warnings and bugs to `log_dir`/crasme.log; returns the file, or None if unwritable."""
    path = log_dir / LOG_FILE_NAME
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        _rotate(path)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    return path


def _rotate(path: Path, max_bytes: int = LOG_MAX_BYTES, keep: int = LOG_KEEP) -> None:
    """At start, move a log that grew past `max_bytes` to crasme.log.1 (and .1 to .2 …),
    keeping `keep` old files. Rotating at start, not while writing, keeps the standard
    library's slower-to-import rotating handler off the way to the first window."""
    try:
        if path.stat().st_size < max_bytes:
            return
    except FileNotFoundError:
        return
    for n in range(keep, 0, -1):
        older = path.with_name(f"{path.name}.{n}")
        newer = path.with_name(f"{path.name}.{n - 1}") if n > 1 else path
        if newer.exists():
            newer.replace(older)


class CrashReporter(QObject):
    """Logs a bug and shows the crash dialog; safe to call from any thread."""

    _reported = Signal(str)

    def __init__(
        self,
        log_path: Path | None,
        parent_widget: Callable[[], QWidget | None] = lambda: None,
        show_dialog: bool = True,
    ) -> None:
        super().__init__()
        self.log_path = log_path
        self.parent_widget = parent_widget
        self._show_dialog = show_dialog
        self.dialogs: list[QMessageBox] = []
        # Queued through a signal so that a bug in a worker thread still opens the
        # dialog on the GUI thread.
        self._reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def report(self, exc: BaseException) -> None:
        """Record `exc` with its traceback and tell the person (never raises)."""
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        log.error("Unexpected problem in %s %s:\n%s", APP_NAME, __version__, details)
        if self._show_dialog:
            self._reported.emit(details)

    def message(self) -> str:
        where = (
            self.tr("The details were written to {path}.").format(path=self.log_path)
            if self.log_path
            else self.tr("The details could not be written to a log file.")
        )
        return self.tr(
            "{app} ran into a problem it did not expect, so the last thing you asked "
            "for was not finished. {where} Your vault is safe; you can carry on, or close "
            "and reopen the app if something looks wrong."
        ).format(app=APP_NAME, where=where)

    @Slot(str)
    def _show(self, details: str) -> None:
        box = QMessageBox(self.parent_widget())
        box.setObjectName("crashDialog")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("{app} — unexpected problem").format(app=APP_NAME))
        box.setText(self.tr("Something went wrong"))
        box.setInformativeText(self.message())
        box.setDetailedText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogs.append(box)
        box.finished.connect(lambda _result: self.dialogs.remove(box))
        # open(), not exec(): a nested event loop here could re-enter whatever failed.
        box.open()

    def install_hooks(self) -> None:
        """Route uncaught exceptions (GUI slots and Python threads) here."""

        def excepthook(
            kind: type[BaseException], exc: BaseException, tb: TracebackType | None
        ) -> None:
            if issubclass(kind, KeyboardInterrupt):
                QApplication.quit()
                return
            self.report(exc.with_traceback(tb))

        def thread_hook(args: threading.ExceptHookArgs) -> None:
            if args.exc_value is not None:
                self.report(args.exc_value)

        sys.excepthook = excepthook
        threading.excepthook = thread_hook
