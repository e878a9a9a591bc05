"""The look of the app: the stylesheet, the colours it names and the line icons.

Icons are small SVG files drawn with ``currentColor``; they are tinted here when
loaded, so one file serves the sidebar, a selected item and a large, quiet
empty-state picture alike.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
ICONS = RESOURCES / "icons"
STYLES = RESOURCES / "styles"

# The palette the stylesheet is written in; code that paints needs the same values.
INK = "#1f2a37"
MUTED = "#5b6675"
QUIET = "#9aa5b1"
ACCENT = "#2f6f8f"
ACCENT_DARK = "#245a75"
DANGER = "#b3261e"


@cache
def stylesheet() -> str:
    """The application stylesheet (empty if the file is missing: plain Qt still works)."""
    try:
        return (STYLES / "light.qss").read_text(encoding="utf-8")
    except OSError:
        return ""


@cache
def _svg(name: str) -> str:
    return (ICONS / f"{name}.svg").read_text(encoding="utf-8")


def pixmap(name: str, size: int, color: str = INK, ratio: float = 2.0) -> QPixmap:
    """Render the icon `name` at `size` logical pixels in `color`, sharp on HiDPI."""
    data = _svg(name).replace("currentColor", color)
    renderer = QSvgRenderer(QByteArray(data.encode("utf-8")))
    side = round(size * ratio)
    out = QPixmap(side, side)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    out.setDevicePixelRatio(ratio)
    return out


def icon(name: str, color: str = MUTED, selected_color: str | None = ACCENT_DARK) -> QIcon:
    """A QIcon that is `color` normally and `selected_color` when its item is selected."""
    result = QIcon()
    for size in (16, 20, 24, 32):
        result.addPixmap(pixmap(name, size, color), QIcon.Mode.Normal)
        result.addPixmap(pixmap(name, size, QUIET), QIcon.Mode.Disabled)
        if selected_color:
            result.addPixmap(pixmap(name, size, selected_color), QIcon.Mode.Selected)
    return result


def app_icon() -> QIcon:
    """The window icon (a full-colour SVG, drawn without tinting)."""
    result = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        renderer = QSvgRenderer(str(ICONS / "crasme.svg"))
        out = QPixmap(QSize(size, size))
        out.fill(QColor(0, 0, 0, 0))
        painter = QPainter(out)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        result.addPixmap(out)
    return result
