"""The look of the app: the stylesheet, the colours it names and the line icons.

Icons are small SVG files drawn with ``currentColor``; they are tinted here when
loaded, so one file serves the sidebar, a selected item and a large, quiet
empty-state picture alike.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from crasme_desktop import RESOURCES

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
        text = (STYLES / "light.qss").read_text(encoding="utf-8")
    except OSError:
        return ""
    # Images in the stylesheet are named from the icon folder, wherever it is installed.
    return text.replace("@ICONS@", ICONS.as_posix())


@cache
def _svg(name: str) -> str:
    return (ICONS / f"{name}.svg").read_text(encoding="utf-8")


@cache
def _renderer(name: str, color: str) -> QSvgRenderer:
    return QSvgRenderer(QByteArray(_svg(name).replace("currentColor", color).encode("utf-8")))


def pixmap(name: str, size: int, color: str = INK, ratio: float = 2.0) -> QPixmap:
    """Render the icon `name` at `size` logical pixels in `color`, sharp on HiDPI."""
    renderer = _renderer(name, color)
    side = round(size * ratio)
    out = QPixmap(side, side)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, side, side))
    painter.end()
    out.setDevicePixelRatio(ratio)
    return out


@cache
def icon(name: str, color: str = MUTED, selected_color: str | None = ACCENT_DARK) -> QIcon:
    """A QIcon that is `color` normally, `selected_color` when its item is selected and
    quiet when disabled. Each is drawn once, on first use, at the size asked for."""
    return QIcon(_TintedIcon(name, color, selected_color))


class _TintedIcon(QIconEngine):
    """Draws an SVG icon in the colour of its mode when Qt first asks for a size."""

    def __init__(self, name: str, color: str, selected_color: str | None) -> None:
        super().__init__()
        self._name = name
        self._colors = {
            QIcon.Mode.Normal: color,
            QIcon.Mode.Active: color,
            QIcon.Mode.Disabled: QUIET,
            QIcon.Mode.Selected: selected_color or color,
        }
        self._drawn: dict[tuple[int, int, QIcon.Mode], QPixmap] = {}

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        side = min(size.width(), size.height())
        key = (side, round(scale * 100), mode)
        drawn = self._drawn.get(key)
        if drawn is None:
            color = self._colors.get(mode, self._colors[QIcon.Mode.Normal])
            drawn = pixmap(self._name, side, color, max(scale, 1.0))
            self._drawn[key] = drawn
        return drawn

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, ratio))

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        side = min(size.width(), size.height())
        return QSize(side, side)

    def clone(self) -> QIconEngine:
        return _TintedIcon(self._name, self._colors[QIcon.Mode.Normal],
                           self._colors[QIcon.Mode.Selected])


@cache
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
