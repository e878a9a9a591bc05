"""Opening a vault the desktop hands over: on macOS, double-clicking a `.crasme` file
(or dropping it on the Dock icon) does not start a second process with the file as an
argument, as Windows and Linux do; it sends the running program a `QFileOpenEvent`.

`FileOpenFilter` catches that event on the application and passes the path to the
controller's `open_requested`: while a vault is locked (or the program is still
starting) the unlock screen moves to the new file; while one is open, the same file
just comes to the front and another one is explained in a sentence, because the open
vault must be locked first (nothing is closed behind the person's back).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFileOpenEvent

__all__ = ["FileOpenFilter"]


class FileOpenFilter(QObject):
    """Installed on the QApplication; hands each opened file to `on_open`."""

    def __init__(self, on_open: Callable[[Path], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_open = on_open
        self.received: list[Path] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            name = event.file()
            if name:
                path = Path(name)
                self.received.append(path)
                self._on_open(path)
                return True
        return super().eventFilter(watched, event)
