"""Click a widget the way a person would: only once it is on screen with a size."""

from __future__ import annotations

from typing import Any

WAIT_MS = 20_000


def click(qtbot: Any, widget: Any, timeout: int = WAIT_MS) -> None:
    """Wait until ``widget`` is visible and laid out, then left-click its centre.

    A button shown a moment ago may still have an empty geometry until Qt runs the
    posted layout request; a click sent then would land on whatever is behind it.
    """
    from PySide6.QtCore import Qt

    qtbot.waitUntil(
        lambda: widget.isVisible() and not widget.rect().isEmpty(), timeout=timeout
    )
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
