"""The chart widget on Qt Charts: the series Qt draws hold the domain chart's figures
(grouped bars, stacked bars, lines), the category labels are the short ones and are
thinned when they would overlap, the value axis covers every bar with round steps in
the chart's unit, the bars come out in the series colours, the figure under the
pointer is named (and becomes the tool tip), and an empty chart says so."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D  # noqa: N817 - short amounts

import pytest
from crasme_desktop.domain.report import (
    BARS,
    DAY,
    HOURS_UNIT,
    LINES,
    MONTH,
    STACKED,
    TEXT,
    Chart,
    Series,
)
from crasme_desktop.ui.charts import PALETTE, ChartView
from crasme_desktop.ui.sales_common import money_text
from PySide6.QtCharts import QBarSeries, QCategoryAxis, QLineSeries, QStackedBarSeries
from PySide6.QtCore import QLocale, QPoint, QPointF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

MONTHS = (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
NET = Series("Net", (D("100.00"), D("250.50"), D("80.00")))
TAX = Series("Tax", (D("19.00"), D("47.60"), D("15.20")))
SERIES_TYPE = {BARS: QBarSeries, STACKED: QStackedBarSeries, LINES: QLineSeries}


@pytest.fixture
def english():
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(usual)


@pytest.fixture
def view(qtbot, english):
    shown = ChartView("testChart")
    qtbot.addWidget(shown)
    shown.resize(640, 280)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def laid_out(qtbot, view: ChartView, chart: Chart | None, **kwargs) -> ChartView:
    """Shows `chart` and waits for Qt Charts' layout (posted): the plot area sits right
    of the value axis's labels and below the legend."""
    view.set_chart(chart, **kwargs)
    qtbot.waitUntil(lambda: view.chart().plotArea().left() > 20
                    and view.chart().plotArea().top() > 20)
    return view


def axis_labels(axis: QCategoryAxis) -> list[tuple[str, float]]:
    return [(text, axis.endValue(text)) for text in axis.categoriesLabels()]


def figures(series) -> list[list[float]]:
    if isinstance(series, QLineSeries):
        return [[p.y() for p in series.points()]]
    return [[bars.at(i) for i in range(bars.count())] for bars in series.barSets()]


@pytest.mark.parametrize("kind", [BARS, STACKED, LINES])
def test_the_series_qt_draws_hold_the_charts_figures(qtbot, view, kind):
    laid_out(qtbot, view, Chart(kind, MONTHS, MONTH, (NET, TAX), "EUR"))
    drawn = view.chart().series()
    assert all(isinstance(s, SERIES_TYPE[kind]) for s in drawn)
    if kind == LINES:
        assert [s.name() for s in drawn] == ["Net", "Tax"]
        assert [[p.x() for p in s.points()] for s in drawn] == [[0, 1, 2]] * 2
        assert [f for s in drawn for f in figures(s)] == [[100.0, 250.5, 80.0],
                                                          [19.0, 47.6, 15.2]]
        assert drawn[0].pointsVisible()
    else:
        one, = drawn
        assert [b.label() for b in one.barSets()] == ["Net", "Tax"]
        assert figures(one) == [[100.0, 250.5, 80.0], [19.0, 47.6, 15.2]]
        assert [b.color().name() for b in one.barSets()] == list(PALETTE[:2])
    assert view.chart().legend().isVisible()
    assert not view.showing_empty
    words = {BARS: "Bar chart", STACKED: "Stacked bar chart", LINES: "Line chart"}[kind]
    assert view.accessibleDescription() == (
        f"{words} of Net, Tax over 3 categories in EUR; the table below holds the same "
        "figures.")


@pytest.mark.parametrize("kind", [BARS, STACKED, LINES])
def test_categories_are_the_short_labels_and_the_value_axis_covers_every_bar(
        qtbot, view, kind):
    laid_out(qtbot, view, Chart(kind, MONTHS, MONTH, (NET, TAX), "EUR"))
    assert axis_labels(view.x_axis) == [("Jan 26", 0), ("Feb 26", 1), ("Mar 26", 2)]
    assert (view.x_axis.min(), view.x_axis.max()) == (-0.5, 2.5)
    # The highest bar (or, stacked, the highest sum: 250.50 + 47.60) is inside the axis,
    # which runs from zero in round steps, in EUR.
    assert view.y_axis.min() == 0 and view.y_axis.max() == 300
    assert axis_labels(view.y_axis) == [("0", 0), ("100", 100), ("200", 200), ("300", 300)]
    assert view.y_axis.titleText() == "EUR"


@pytest.mark.parametrize(("unit", "values", "labels", "title"), [
    ("%", (D("12.5"), D("40")), ["0", "25 %", "50 %", "75 %", "100 %"], "percent"),
    ("", (1, 2), ["0", "1", "2"], "count"),
    (HOURS_UNIT, (D("3.5"), D("9.25")), ["0", "2.5", "5", "7.5", "10"], "hours"),
    ("EUR", (D("1250000"), D("3900000")), ["0", "1 M", "2 M", "3 M", "4 M"], "EUR"),
])
def test_the_value_axis_speaks_the_unit(qtbot, view, unit, values, labels, title):
    laid_out(qtbot, view, Chart(BARS, ("A", "B"), TEXT, (Series("V", values),), unit))
    shown = [text for text, _value in axis_labels(view.y_axis)]
    assert shown[0].startswith("0") and shown[1:] == labels[1:]
    assert view.y_axis.max() >= max(float(v) for v in values)
    assert view.y_axis.titleText() == title


def test_a_lines_highest_point_stays_below_the_top(qtbot, view):
    laid_out(qtbot, view, Chart(LINES, MONTHS, MONTH, (Series("Waiting", (0, 2, 8)),)))
    assert view.y_axis.max() == 10  # 8 is a round step, but the dot would be cut
    laid_out(qtbot, view, Chart(BARS, MONTHS, MONTH, (Series("Waiting", (0, 2, 8)),)))
    assert view.y_axis.max() == 8


def test_negative_stacks_reach_below_zero(qtbot, view):
    laid_out(qtbot, view, Chart(STACKED, ("Q1", "Q2"), TEXT, (
        Series("In", (D(300), D(100))), Series("Out", (D(-150), D(-250)))), "EUR"))
    assert view.y_axis.min() <= -250 and view.y_axis.max() >= 300
    assert view.tip_at(view.bar_rect(1, 1).center()) == \
        f"Q2\nOut: {money_text(D(-250), 'EUR')}"  # "(€250.00)" in en_US
    assert view.tip_at(view.bar_rect(0, 0).center()) == "Q1\nIn: €300.00"


@pytest.mark.parametrize("kind", [BARS, STACKED, LINES])
def test_the_figure_under_the_pointer_is_named_and_drawn_in_its_colour(qtbot, view, kind):
    laid_out(qtbot, view, Chart(kind, MONTHS, MONTH, (NET, TAX), "EUR"))
    image = view.grab().toImage()
    february = view.bar_rect(1, 0)
    assert view.tip_at(february.center()) == "February 2026\nNet: €250.50"
    assert view.tip_at(view.bar_rect(2, 1).center()) == "March 2026\nTax: €15.20"
    assert view.tip_at(QPointF(2, 2)) == ""  # the legend's corner, outside the plot
    if kind == BARS:  # a grouped bar's whole column names it
        assert view.tip_at(QPointF(february.center().x(), february.top() - 20)) \
            == "February 2026\nNet: €250.50"
    # Net's February bar (or point) is painted in the first series colour.
    spot = february.center().toPoint() if kind != LINES else february.topLeft().toPoint()
    colour = image.pixelColor(spot)
    accent = QColor(PALETTE[0])
    assert abs(colour.red() - accent.red()) + abs(colour.green() - accent.green()) \
        + abs(colour.blue() - accent.blue()) < 60, colour.name()
    # Moving the pointer there makes it the chart's tool tip.
    centre = february.center().toPoint()
    qtbot.mouseMove(view.viewport(), centre)
    qtbot.waitUntil(lambda: view.chart().toolTip() == "February 2026\nNet: €250.50")
    qtbot.mouseMove(view.viewport(), QPoint(2, 2))
    qtbot.waitUntil(lambda: view.chart().toolTip() == "")


def test_colours_given_by_the_caller_are_used(qtbot, view):
    laid_out(qtbot, view, Chart(BARS, MONTHS, MONTH, (NET, TAX), "EUR"),
             colors=("#b9d3e0", "#245a75"))
    one, = view.chart().series()
    assert [b.color().name() for b in one.barSets()] == ["#b9d3e0", "#245a75"]


def test_crowded_category_labels_are_thinned_and_return_when_there_is_room(qtbot, view):
    days = tuple(date(2026, 1, 1) + timedelta(days=d) for d in range(90))
    laid_out(qtbot, view, Chart(LINES, days, DAY, (Series("Open", tuple(
        d % 13 for d in range(90))),)))
    narrow = axis_labels(view.x_axis)
    assert 3 <= len(narrow) < 30
    assert narrow[:2] == [("1 Jan", 0), (view.labels[view.every], view.every)]
    assert all(value % view.every == 0 for _text, value in narrow)
    assert not view.chart().series()[0].pointsVisible()  # 90 dots would be a smear
    view.resize(1800, 280)
    qtbot.waitUntil(lambda: len(axis_labels(view.x_axis)) > len(narrow))


def test_repeated_category_names_keep_their_own_labels(qtbot, view):
    laid_out(qtbot, view, Chart(BARS, ("Lead", "Lead", "Won"), TEXT,
                                (Series("Deals", (2, 3, 1)),)))
    texts = [text for text, _value in axis_labels(view.x_axis)]
    assert len(texts) == 3 and len(set(texts)) == 3
    assert [t.rstrip("\u200b") for t in texts] == ["Lead", "Lead", "Won"]


def test_an_empty_chart_says_so(qtbot, view):
    view.empty_text = "No open deals are expected to close in these months."
    assert view.showing_empty and view.accessibleDescription() == view.empty_text
    laid_out(qtbot, view, Chart(BARS, MONTHS, MONTH, (NET,), "EUR"))
    assert not view.showing_empty and len(view.chart().series()) == 1
    view.set_chart(Chart(BARS, ("Lead", "Won"), TEXT, (Series("Value", (0, 0)),)))
    assert view.showing_empty and view.chart().series() == []
    assert not view.chart().legend().isVisible() and not view.x_axis.isVisible()
    assert view.accessibleDescription() == view.empty_text
    assert view.tip_at(QPointF(300, 150)) == ""
    view.set_chart(None)
    assert view.showing_empty and view.chart().series() == []
    assert view.findChild(QLabel, "testChart_empty").text() == view.empty_text
