"""Auto-lock: lock the vault after a spell with no key presses or mouse use.

Time comes from an injectable `Clock` (a `FakeClock` in tests) and is polled by a
QTimer, rather than a single long timer being restarted on every mouse move: polling
costs one comparison a second, restarting a timer on every event costs far more, and
a fake clock can be moved forward without waiting.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot

from crasme_desktop.domain.clock import SYSTEM_CLOCK, Clock

#: What counts as a person being there. Paint, timer and focus events do not.
ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


class IdleLock(QObject):
    """Emits `idle` once after `minutes` without activity; 0 minutes never locks.

    Install it on the QApplication (`app.installEventFilter(idle)`) so that it sees
    every key and mouse event of every window.
    """

    idle = Signal()

    def __init__(
        self,
        minutes: int,
        *,
        clock: Clock = SYSTEM_CLOCK,
        poll_ms: int = 1000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._minutes = max(0, minutes)
        self._last_activity = clock.monotonic()
        self._armed = False
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.poll)

    @property
    def minutes(self) -> int:
        return self._minutes

    def set_minutes(self, minutes: int) -> None:
        """Change the idle limit; counting starts again from now."""
        self._minutes = max(0, minutes)
        self.touch()

    def start(self) -> None:
        """Begin watching (after an unlock)."""
        self._armed = True
        self.touch()
        self._timer.start()

    def stop(self) -> None:
        """Stop watching (while locked there is nothing to lock)."""
        self._armed = False
        self._timer.stop()

    @property
    def running(self) -> bool:
        return self._armed

    def touch(self) -> None:
        """Note that the person is there."""
        self._last_activity = self._clock.monotonic()

    def idle_seconds(self) -> float:
        return self._clock.monotonic() - self._last_activity

    @Slot()
    def poll(self) -> None:
        if not self._armed or self._minutes == 0:
            return
        if self.idle_seconds() >= self._minutes * 60:
            # Disarm before emitting: the lock handler may take a while, and one
            # lock per idle spell is enough.
            self.stop()
            self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._armed and event.type() in ACTIVITY_EVENTS:
            self._last_activity = self._clock.monotonic()
        return False
