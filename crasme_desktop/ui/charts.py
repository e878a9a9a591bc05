"""Charts on Qt Charts: grouped bars, stacked bars and lines over categories.

A `ChartView` (a `QChartView`) shows one `domain.report.Chart`; the Reports page and
the Deals forecast use it. What it draws:

- a legend on top; the series in the given colours (the app's palette by default);
- the categories below in their short form ("Mar 26", "9 Mar", a name); when the
  labels would overlap, only every n-th is written, worked out again whenever the
  plot area changes size;
- a value axis with round steps (`nice_step`) and light grid lines, its labels in the
  person's locale ("1.5 M" for millions) and the unit as its title: a currency code,
  "percent", "hours" or "count". A percent axis always reaches 100 %, a count axis
  never steps by less than one;
- hovering a bar or a point shows its exact figure (`tip_at`), money in the currency
  as the locale writes it. The figures are also in the table that goes with every
  chart, so nothing is only in the picture, and the view's accessible description
  says what the chart is;
- no chart, or one with nothing but zeros, shows a quiet sentence (`empty_text`).

Amounts stay `Decimal` until they become a bar's height.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QLegend,
    QLineSeries,
    QStackedBarSeries,
)
from PySide6.QtCore import QDate, QLocale, QMargins, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

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
#: The share of a category's width its bars take, and the widest a bar may get (px).
BAR_SHARE, BAR_MAX = 0.72, 56.0
#: Lines get a dot on every point up to this many categories.
DOTS_UP_TO = 45
#: Room (px) kept between two category labels beyond the widest's width.
LABEL_GAP = 24
#: How near (px) the pointer must be to a line's point to name its figure.
POINT_REACH = 6.0


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
    """An exact figure: money in its currency, a percent, hours or a count."""
    if unit == "%":
        return f"{number_text(Decimal(value), 1)} %"
    if unit == HOURS_UNIT:
        return f"{number_text(Decimal(value), 1)} h"
    if unit:
        return money_text(Decimal(value), unit)
    return QLocale().toString(int(value))


def unit_title(unit: str) -> str:
    """What the value axis is in: a currency code, "percent", "hours" or "count"."""
    return {"%": "percent", "": "count", HOURS_UNIT: "hours"}.get(unit, unit)


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


def scale(chart: Chart) -> tuple[float, float, float]:
    """(lowest, highest, step) of the value axis: round numbers covering every bar or
    point (stacked bars: their sums), zero always included; a line's highest point
    stays below the top (except at 100 %)."""
    count = len(chart.categories)
    if chart.kind == STACKED:
        highs = [sum(max(float(s.values[c]), 0) for s in chart.series) for c in range(count)]
        lows = [sum(min(float(s.values[c]), 0) for s in chart.series) for c in range(count)]
    else:
        highs = lows = [float(v) for s in chart.series for v in s.values]
    high, low = max(max(highs, default=0.0), 0.0), min(min(lows, default=0.0), 0.0)
    if chart.unit == "%":
        high = max(high, 100.0)
    step = nice_step(high - low)
    if chart.unit == "" and step < 1:
        step = 1.0
    top = max(math.ceil(high / step) * step, step)
    if chart.kind == LINES and chart.unit != "%" and high == top:
        top += step  # a point on the plot's top edge would be cut in half
    return math.floor(low / step) * step, top, step


def ticks(low: float, high: float, step: float) -> list[float]:
    """The values the axis labels, `low` to `high` every `step`."""
    return [low + i * step for i in range(round((high - low) / step) + 1)]


def axis_text(value: float, unit: str) -> str:
    """A value axis label: "20,000", "1.5 M", "2.5", "50 %"."""
    locale, value = QLocale(), float(value)
    if value and abs(value) >= 1_000_000 and unit != "%":
        return f"{locale.toString(value / 1_000_000, 'g', 3)} M"
    text = locale.toString(value, "f", 0 if value == int(value) else 1)
    return f"{text} %" if unit == "%" else text


def distinct(texts: Sequence[str]) -> list[str]:
    """`texts` with repeats told apart by trailing zero-width spaces (Qt Charts' category
    axes drop a label they already hold)."""
    seen: set[str] = set()
    out = []
    for text in texts:
        while text in seen:
            text += "\u200b"  # a zero-width space
        seen.add(text)
        out.append(text)
    return out


class ChartView(QChartView):
    """Shows one chart; `set_chart(None)` (or a chart of zeros) shows `empty_text`."""

    def __init__(self, name: str = "chart", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setMinimumHeight(220)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.setFrameShape(QChartView.Shape.NoFrame)
        self.setStyleSheet("background: transparent;")
        #: The domain chart shown (None: nothing yet).
        self.shown: Chart | None = None
        self.colors: tuple[str, ...] = PALETTE
        #: Every category's short label, and every how many one is written.
        self.labels: list[str] = []
        self.every = 1
        self._empty = QLabel("Nothing to show for this period.")
        self._empty.setObjectName(f"{name}_empty")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setStyleSheet(f"color: {theme.MUTED}; background: transparent;")
        over = QVBoxLayout(self.viewport())
        over.addWidget(self._empty)
        qchart = QChart()
        qchart.setBackgroundVisible(False)
        qchart.setBackgroundRoundness(0)
        qchart.setMargins(QMargins(0, 4, 4, 0))
        qchart.layout().setContentsMargins(0, 0, 0, 0)
        qchart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.setChart(qchart)
        font = QFont(self.font())
        legend = qchart.legend()
        legend.setAlignment(Qt.AlignmentFlag.AlignTop)
        legend.setFont(font)
        legend.setLabelColor(QColor(theme.INK))
        # Both axes are value axes labelled at chosen values: the categories sit at 0,
        # 1, 2 … (so that only some need a label), the values at the round steps.
        self.x_axis, self.y_axis = QCategoryAxis(), QCategoryAxis()
        for axis in (self.x_axis, self.y_axis):
            axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
            axis.setLabelsFont(font)
            axis.setLabelsColor(QColor(theme.MUTED))
            axis.setLinePen(QPen(QColor(AXIS), 1))
            axis.setGridLinePen(QPen(QColor(GRID), 1))
        self.x_axis.setGridLineVisible(False)
        title = QFont(font)
        title.setPointSizeF(max(font.pointSizeF() - 1, 7))
        self.y_axis.setTitleFont(title)
        self.y_axis.setTitleBrush(QBrush(QColor(theme.MUTED)))
        qchart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        qchart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        qchart.plotAreaChanged.connect(self._fit)
        self._show_empty(True)

    @property
    def empty_text(self) -> str:
        return self._empty.text()

    @empty_text.setter
    def empty_text(self, text: str) -> None:
        self._empty.setText(text)
        if self.shown is None or self.shown.empty:
            self.setAccessibleDescription(text)

    @property
    def showing_empty(self) -> bool:
        """True while the sentence, not a chart, is shown."""
        return not self._empty.isHidden()

    def sizeHint(self) -> QSize:
        return QSize(640, 260)

    def set_chart(self, chart: Chart | None, colors: Sequence[str] | None = None) -> None:
        self.shown = chart
        self.colors = tuple(colors) if colors else PALETTE
        qchart = self.chart()
        qchart.removeAllSeries()
        for axis in (self.x_axis, self.y_axis):
            for label in axis.categoriesLabels():
                axis.remove(label)
        self.labels, self.every = [], 1
        qchart.setToolTip("")
        if chart is None or chart.empty:
            self._show_empty(True)
            return
        self._show_empty(False)
        self.labels = [category_text(c, chart.category_kind) for c in chart.categories]
        self.x_axis.setStartValue(-0.5)
        self.x_axis.setRange(-0.5, len(self.labels) - 0.5)
        low, high, step = scale(chart)
        self.y_axis.setStartValue(low)
        steps = ticks(low, high, step)
        for value, text in zip(steps, distinct([axis_text(v, chart.unit) for v in steps]),
                               strict=True):
            self.y_axis.append(text, value)
        self.y_axis.setRange(low, high)
        self.y_axis.setTitleText(unit_title(chart.unit))
        # Lines are keyed by a stroke, bars by a square of their colour.
        qchart.legend().setMarkerShape(QLegend.MarkerShape.MarkerShapeFromSeries
                                       if chart.kind == LINES
                                       else QLegend.MarkerShape.MarkerShapeRectangle)
        if chart.kind == LINES:
            self._add_lines(chart)
        else:
            self._add_bars(chart)
        self._describe(chart)
        self._fit()

    def _show_empty(self, empty: bool) -> None:
        self._empty.setVisible(empty)
        self.chart().legend().setVisible(not empty)
        self.x_axis.setVisible(not empty)
        self.y_axis.setVisible(not empty)
        if empty:
            self.setAccessibleDescription(self.empty_text)

    def _add_bars(self, chart: Chart) -> None:
        series = QStackedBarSeries() if chart.kind == STACKED else QBarSeries()
        for i, one in enumerate(chart.series):
            bars = QBarSet(one.name)
            bars.append([float(v) for v in one.values])
            bars.setColor(self._color(i))
            bars.setBorderColor(self._color(i))
            series.append(bars)
        self.chart().addSeries(series)
        series.attachAxis(self.x_axis)
        series.attachAxis(self.y_axis)

    def _add_lines(self, chart: Chart) -> None:
        dots = len(chart.categories) <= DOTS_UP_TO
        for i, one in enumerate(chart.series):
            line = QLineSeries()
            line.setName(one.name)
            line.append([QPointF(c, float(v)) for c, v in enumerate(one.values)])
            pen = QPen(self._color(i), 2.4 if i == 0 else 1.6)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            line.setPen(pen)
            line.setPointsVisible(dots)
            line.setMarkerSize(5.2)
            self.chart().addSeries(line)
            line.attachAxis(self.x_axis)
            line.attachAxis(self.y_axis)

    def _describe(self, chart: Chart) -> None:
        kind = {BARS: "Bar chart", STACKED: "Stacked bar chart", LINES: "Line chart"}
        names = ", ".join(s.name for s in chart.series)
        count = len(chart.categories)
        self.setAccessibleDescription(
            f"{kind.get(chart.kind, 'Chart')} of {names} over {count} "
            f"{'category' if count == 1 else 'categories'}"
            + (f" in {unit_title(chart.unit)}" if chart.unit and chart.unit != "%" else "")
            + "; the table below holds the same figures.")

    def _fit(self, *_args: Any) -> None:
        """Bar widths and which category labels are written, for the plot's width."""
        chart = self.shown
        if chart is None or chart.empty:
            return
        area = self.chart().plotArea()
        width = area.width() if area.width() > 0 else max(self.width() - 80, 1)
        slot = width / len(chart.categories)
        for series in self.chart().series():
            if isinstance(series, QAbstractBarSeries):
                groups = 1 if chart.kind == STACKED else len(chart.series)
                series.setBarWidth(min(BAR_SHARE, BAR_MAX * groups / slot))
        metrics = QFontMetrics(self.x_axis.labelsFont())
        widest = max(metrics.horizontalAdvance(t) for t in self.labels) + LABEL_GAP
        every = max(1, math.ceil(widest / slot))
        if every != self.every or not self.x_axis.count():
            self.every = every
            for label in self.x_axis.categoriesLabels():
                self.x_axis.remove(label)
            shown = distinct(self.labels[::every])
            for i, text in zip(range(0, len(self.labels), every), shown, strict=True):
                self.x_axis.append(text, i)

    # -- figures ------------------------------------------------------------------------
    def tip(self, c: int, s: int) -> str:
        """What hovering category `c` of series `s` shows."""
        chart = self.shown
        if chart is None:
            return ""
        series = chart.series[s]
        return (f"{category_text(chart.categories[c], chart.category_kind, short=False)}\n"
                f"{series.name}: {value_text(series.values[c], chart.unit)}")

    def _color(self, index: int) -> QColor:
        return QColor(self.colors[index % len(self.colors)])

    # -- hovering -----------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        # Graphics views show the tool tip of the item under the pointer: the chart.
        tip = self.tip_at(event.position())
        if tip != self.chart().toolTip():
            self.chart().setToolTip(tip)
        super().mouseMoveEvent(event)

    def tip_at(self, point: QPointF) -> str:
        """The figure under `point` (view coordinates), "" where there is none: anywhere
        in a grouped bar's column, on a stacked bar's own segment, or near a line's
        point (the last drawn wins where they overlap)."""
        chart = self.shown
        if chart is None or chart.empty:
            return ""
        plot = self.plot_rect()
        found = ""
        for s in range(len(chart.series)):
            for c in range(len(chart.categories)):
                rect = self.bar_rect(c, s)
                if chart.kind == LINES:
                    rect = rect.adjusted(-POINT_REACH, -POINT_REACH, POINT_REACH, POINT_REACH)
                elif chart.kind == BARS:
                    rect = QRectF(rect.left(), plot.top(), rect.width(), plot.height())
                if rect.contains(point):
                    found = self.tip(c, s)
        return found

    def plot_rect(self) -> QRectF:
        """The plot area (inside the axes) in view coordinates."""
        qchart = self.chart()
        return self.mapFromScene(qchart.mapToScene(qchart.plotArea())).boundingRect() \
            .toRectF()

    def bar_rect(self, c: int, s: int) -> QRectF:
        """Where category `c` of series `s` is drawn, in view coordinates (a bar, or a
        line's point as a rectangle of no size)."""
        chart, qchart = self.shown, self.chart()
        if chart is None or chart.empty:
            return QRectF()
        series = qchart.series()[0]

        def spot(x: float, y: float) -> QPointF:
            inside = qchart.mapToPosition(QPointF(x, y), series)
            return QPointF(self.mapFromScene(qchart.mapToScene(inside)))

        value = float(chart.series[s].values[c])
        if chart.kind == LINES:
            middle = spot(c, value)
            return QRectF(middle.x(), middle.y(), 0, 0)
        if not isinstance(series, QAbstractBarSeries):
            return QRectF()
        width = series.barWidth()
        if chart.kind == STACKED:
            below = [float(one.values[c]) for one in chart.series[:s]]
            base = sum(v for v in below if (v >= 0) == (value >= 0))
            return QRectF(spot(c - width / 2, base + value), spot(c + width / 2, base)) \
                .normalized()
        share = width / len(chart.series)
        left = c - width / 2 + s * share
        return QRectF(spot(left, value), spot(left + share, 0)).normalized()
