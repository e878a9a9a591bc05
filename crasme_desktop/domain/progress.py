"""Progress and cancellation for long work, with no Qt in sight.

Services take a `Progress`; the UI's task runner hands them one that forwards to a
progress dialog, the command line one that prints, tests a plain one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from crasme_desktop.domain.errors import Cancelled

Listener = Callable[[int, int, str], None]


class Progress:
    """Reports how far a piece of work has come and whether it should stop."""

    def __init__(self, listener: Listener | None = None) -> None:
        self._listener = listener
        self._cancel = threading.Event()

    def update(self, done: int, total: int, text: str = "") -> None:
        """Say how far the work is; raises `Cancelled` if the user asked to stop."""
        self.check()
        if self._listener is not None:
            self._listener(done, total, text)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise `Cancelled` if the user asked to stop."""
        if self._cancel.is_set():
            raise Cancelled()
