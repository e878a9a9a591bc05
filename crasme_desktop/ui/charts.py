"""A chart painted by hand: grouped bars, stacked bars and lines over categories.

Qt Charts is not part of PySide6-Essentials, so the Reports page and the Deals forecast
draw with QPainter here. A `ChartView` shows one `domain.report.Chart`: a legend on top
(with the unit: a currency, "%" or a count), a value axis with round steps and light
grid lines, and the categories below (months, weeks, days or names; labels are thinned
when they would overlap). Amounts stay `Decimal` until a bar's height is worked out.
Hovering a bar or a point shows its exact figure; the figures are also in the table
that goes with every chart, so nothing is only in the picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QLocale, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QWidget

from crasme_desktop.domain.report import (
    BARS,
    DAY,
    HOURS_UNIT,
    LINES,
    MONTH,
    STACKED,
    WEEK,
    Chart,
)
from crasme_desktop.ui import theme
from crasme_desktop.ui.sales_common import money_text, number_text

#: Series colours, in order (the first is the app's accent).
PALETTE = ("#2f6f8f", "#e0913f", "#6aa56a", "#c4566a", "#8a76bf", "#c9a83c", "#4fa3b8",
           "#8c6d5a", "#9aa5b1")
GRID = "#e4e8ee"
AXIS = "#c9d1da"


def category_text(value: Any, kind: str, *, short: bool = True) -> str:
    """A category as the person's locale writes it: "Mar 26", "9 Mar", a name."""
    if isinstance(value, date):
        locale, day = QLocale(), QDate(value.year, value.month, value.day)
        if kind == MONTH:
            return locale.toString(day, "MMM yy" if short else "MMMM yyyy")
        if kind in (DAY, WEEK):
            return locale.toString(day, "d MMM" if short else "d MMMM yyyy")
        return locale.toString(day, QLocale.FormatType.ShortFormat)
    return str(value)


def value_text(value: Decimal | int, unit: str) -> str:
    """An exact figure: money in its currency, a percent, or a count."""
    if unit == "%":
        return f"{number_text(Decimal(value), 1)} %"
    if unit == HOURS_UNIT:
        return f"{number_text(Decimal(value), 1)} h"
    if unit:
        return money_text(Decimal(value), unit)
    return QLocale().toString(int(value))


def nice_step(span: float, steps: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) dividing `span` into about
    `steps` parts."""
    if span <= 0:
        return 1.0
    raw = span / steps
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


class ChartView(QWidget):
    """Paints one chart; `set_chart(None)` shows a quiet sentence instead."""

    def __init__(self, name: str = "chart", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setMinimumHeight(220)
        self.setMouseTracking(True)
        self.chart: Chart | None = None
        self.colors: tuple[str, ...] = PALETTE
        self.empty_text = "Nothing to show for this period."
        #: (area, tooltip) of every bar and point as last painted.
        self.hits: list[tuple[QRectF, str]] = []

    def sizeHint(self) -> QSize:
        return QSize(640, 260)

    def set_chart(self, chart: Chart | None, colors: Sequence[str] | None = None) -> None:
        self.chart = chart
        self.colors = tuple(colors) if colors else PALETTE
        self.hits = []
        if chart is None:
            self.setAccessibleDescription(self.empty_text)
        else:
            kind = {BARS: "Bar chart", STACKED: "Stacked bar chart", LINES: "Line chart"}
            names = ", ".join(s.name for s in chart.series)
            self.setAccessibleDescription(
                f"{kind.get(chart.kind, 'Chart')} of {names} over {len(chart.categories)} "
                f"{'category' if len(chart.categories) == 1 else 'categories'}"
                + (f" in {'hours' if chart.unit == HOURS_UNIT else chart.unit}"
                   if chart.unit and chart.unit != "%" else "")
                + "; the table below holds the same figures.")
        self.update()

    # -- painting ---------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.hits = []
        chart = self.chart
        if chart is None or chart.empty:
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        metrics = painter.fontMetrics()
        legend_bottom = self._paint_legend(painter, chart, metrics)
        low, high, step = self._scale(chart)
        ticks = self._ticks(low, high, step)
        labels = [self._axis_text(t, chart.unit) for t in ticks]
        left = max(metrics.horizontalAdvance(t) for t in labels) + 12
        line = metrics.height()
        area = QRectF(left, legend_bottom + 10, self.width() - left - 12,
                      self.height() - legend_bottom - 10 - line - 12)
        if area.width() < 40 or area.height() < 30:
            return

        def y_of(value: float) -> float:
            return area.bottom() - (value - low) / (high - low) * area.height()

        for tick, text in zip(ticks, labels, strict=True):
            y = y_of(tick)
            painter.setPen(QPen(QColor(AXIS if tick == 0 else GRID), 1))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(QRectF(0, y - line / 2, left - 6, line),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        slot = area.width() / len(chart.categories)
        if chart.kind == LINES:
            self._paint_lines(painter, chart, area, slot, y_of)
        else:
            self._paint_bars(painter, chart, area, slot, y_of)
        self._paint_categories(painter, chart, area, slot, metrics)

    def _paint_legend(self, painter: QPainter, chart: Chart, metrics: QFontMetrics) -> float:
        x, y, size = 0.0, 2.0, 10.0
        line = metrics.height()
        for i, series in enumerate(chart.series):
            width = size + 6 + metrics.horizontalAdvance(series.name) + 16
            if x + width > self.width() - 60 and x > 0:
                x, y = 0.0, y + line + 4
            painter.fillRect(QRectF(x, y + (line - size) / 2, size, size), self._color(i))
            painter.setPen(QColor(theme.INK))
            painter.drawText(QRectF(x + size + 6, y, width, line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             series.name)
            x += width
        unit = {"%": "percent", "": "count", HOURS_UNIT: "hours"}.get(chart.unit, chart.unit)
        painter.setPen(QColor(theme.MUTED))
        painter.drawText(QRectF(0, 2, self.width() - 4, line),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, unit)
        return y + line

    def _paint_bars(self, painter: QPainter, chart: Chart, area: QRectF, slot: float,
                    y_of: Any) -> None:
        stacked = chart.kind == STACKED
        groups = 1 if stacked else len(chart.series)
        group = min(slot * 0.72, 56.0 * groups)
        bar = group / groups
        zero = y_of(0)
        for c in range(len(chart.categories)):
            x0 = area.left() + slot * c + (slot - group) / 2
            up = down = 0.0
            for s, series in enumerate(chart.series):
                value = float(series.values[c])
                if stacked:
                    base = up if value >= 0 else down
                    top, bottom = y_of(base + value), y_of(base)
                    if value >= 0:
                        up += value
                    else:
                        down += value
                    rect = QRectF(x0, min(top, bottom), bar, abs(bottom - top))
                else:
                    y = y_of(value)
                    rect = QRectF(x0 + s * bar, min(y, zero), max(bar - 2, 1), abs(zero - y))
                if rect.height() > 0:
                    painter.fillRect(rect, self._color(s))
                hit = QRectF(rect.left(), area.top(), rect.width(), area.height()) \
                    if not stacked else rect
                self.hits.append((hit, self._tip(chart, c, s)))

    def _paint_lines(self, painter: QPainter, chart: Chart, area: QRectF, slot: float,
                     y_of: Any) -> None:
        dots = len(chart.categories) <= 45
        for s, series in enumerate(chart.series):
            color = self._color(s)
            path = QPainterPath()
            points = []
            for c, value in enumerate(series.values):
                point = QPointF(area.left() + slot * (c + 0.5), y_of(float(value)))
                points.append(point)
                if c == 0:
                    path.moveTo(point)
                else:
                    path.lineTo(point)
                self.hits.append((QRectF(point.x() - 5, point.y() - 5, 10, 10),
                                  self._tip(chart, c, s)))
            painter.setPen(QPen(color, 2.4 if s == 0 else 1.6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
            if dots or len(points) == 1:
                painter.setBrush(color)
                for point in points:
                    painter.drawEllipse(point, 2.6, 2.6)

    def _paint_categories(self, painter: QPainter, chart: Chart, area: QRectF, slot: float,
                          metrics: QFontMetrics) -> None:
        texts = [category_text(c, chart.category_kind) for c in chart.categories]
        widest = max(metrics.horizontalAdvance(t) for t in texts) + 10
        every = max(1, math.ceil(widest / slot)) if slot else 1
        painter.setPen(QColor(theme.MUTED))
        for i, text in enumerate(texts):
            if i % every:
                continue
            room = slot * every
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(room) - 4)
            x = area.left() + slot * (i + 0.5)
            painter.drawText(QRectF(x - room / 2, area.bottom() + 4, room, metrics.height()),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, shown)

    # -- figures ----------------------------------------------------------------------
    def _scale(self, chart: Chart) -> tuple[float, float, float]:
        if chart.kind == STACKED:
            highs = [sum(max(float(s.values[c]), 0) for s in chart.series)
                     for c in range(len(chart.categories))]
            lows = [sum(min(float(s.values[c]), 0) for s in chart.series)
                    for c in range(len(chart.categories))]
        else:
            highs = lows = [float(v) for s in chart.series for v in s.values]
        high, low = max(max(highs), 0.0), min(min(lows), 0.0)
        if chart.unit == "%":
            high = max(high, 100.0)
        step = nice_step(high - low)
        if chart.unit == "" and step < 1:
            step = 1.0
        return math.floor(low / step) * step, max(math.ceil(high / step) * step, step), step

    @staticmethod
    def _ticks(low: float, high: float, step: float) -> list[float]:
        count = round((high - low) / step)
        return [low + i * step for i in range(count + 1)]

    @staticmethod
    def _axis_text(value: float, unit: str) -> str:
        locale, value = QLocale(), float(value)
        if value and abs(value) >= 1_000_000 and unit != "%":
            return f"{locale.toString(value / 1_000_000, 'g', 3)} M"
        text = locale.toString(value, "f", 0 if value == int(value) else 1)
        return f"{text} %" if unit == "%" else text

    def _tip(self, chart: Chart, c: int, s: int) -> str:
        series = chart.series[s]
        return (f"{category_text(chart.categories[c], chart.category_kind, short=False)}\n"
                f"{series.name}: {value_text(series.values[c], chart.unit)}")

    def _color(self, index: int) -> QColor:
        return QColor(self.colors[index % len(self.colors)])

    # -- hovering ---------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        # The widget's own tool tip follows the pointer, so Qt shows it the usual way.
        tip = self.tip_at(event.position())
        if tip != self.toolTip():
            self.setToolTip(tip)
        super().mouseMoveEvent(event)

    def tip_at(self, point: QPointF) -> str:
        """The figure under `point` ("" where there is none)."""
        return next((tip for rect, tip in reversed(self.hits) if rect.contains(point)), "")
