"""Reports printed to an A4 PDF: a title and the period on top, then each report with
its note, its chart or charts (one per currency; reportlab's own bar and line charts)
and the table of its figures below, which may run over onto the next page with its
header repeated.

Figures and dates are written for people in the given locale with babel ("1.234,50 €"
for de_DE, "Mar 2026" or "März 2026"); the same reports as CSV are for programs
(`services.reports.to_csv`). Text goes through `pdf_text`, so names in any script print.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from crasme_desktop import APP_NAME, __version__
from crasme_desktop.domain.report import (
    CURRENCY,
    DAY,
    HOURS,
    LINES,
    MONEY,
    MONTH,
    PERCENT,
    STACKED,
    WEEK,
    Chart,
    Column,
    Report,
)
from crasme_desktop.formats.pdf_text import BOLD, REGULAR, markup, register_fonts

_INK = "#1f2933"
_MUTED = "#616e7c"
_ACCENT = "#2f6f8f"
_RULE = "#d9e2ec"
_ZEBRA = "#f5f7fa"
#: Series colours, as on screen (ui/charts.py).
PALETTE = ("#2f6f8f", "#e0913f", "#6aa56a", "#c4566a", "#8a76bf", "#c9a83c", "#4fa3b8",
           "#8c6d5a", "#9aa5b1")
#: Rows of a table kept on the page of its chart.
SHORT_TABLE = 15
#: Category labels a chart writes at most (others are left blank to stay readable).
MAX_LABELS = 14


def render_reports_pdf(reports: Sequence[Report], *, locale: str, title: str = "Reports",
                       generated: datetime | None = None) -> bytes:
    """The reports as an A4 PDF, figures written in `locale` (e.g. "de_DE")."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()
    words = Words(_locale(locale))
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
        bottomMargin=18 * mm, title=title, author=APP_NAME,
        creator=f"{APP_NAME} {__version__}", initialFontName=REGULAR,
    )
    when = generated or datetime.now().astimezone()
    footer = f"{APP_NAME} · {words.moment(when)}"

    def on_page(canvas: Any, page: Any) -> None:
        from reportlab.lib import colors

        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(colors.HexColor(_MUTED))
        canvas.drawString(page.leftMargin, 10 * mm, footer)
        canvas.drawRightString(page.leftMargin + page.width, 10 * mm, str(page.page))
        canvas.restoreState()

    template.build(_story(reports, title, words, template.width), onFirstPage=on_page,
                   onLaterPages=on_page)
    return buffer.getvalue()


class Words:
    """Figures and dates for people in one locale."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def money(self, amount: Decimal, currency: str) -> str:
        return format_currency(amount, currency, locale=self.locale)

    def number(self, value: Decimal | int, digits: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def day(self, value: date, kind: str = DAY, *, short: bool = False) -> str:
        if kind == MONTH:
            return format_date(value, "MMM yy" if short else "MMMM y", locale=self.locale)
        if short:
            return format_date(value, "d MMM", locale=self.locale)
        return format_date(value, "medium", locale=self.locale)

    def moment(self, value: datetime) -> str:
        return format_datetime(value, "medium", locale=self.locale)

    def cell(self, value: Any, column: Column, currency: str) -> str:
        if value is None:
            return "–"
        if column.kind in (MONTH, WEEK, DAY) and isinstance(value, date):
            return self.day(value, column.kind)
        if column.kind == MONEY:
            return self.money(Decimal(value), currency)
        if column.kind == PERCENT:
            return f"{self.number(value, 1)} %"
        if column.kind == HOURS:
            return self.number(value, 1)
        if column.numeric:
            return self.number(value)
        return str(value)

    def axis(self, value: float, unit: str) -> str:
        if unit == "%":
            return f"{self.number(round(value))} %"
        if unit == "h":
            return f"{self.number(round(value))} h"
        if abs(value) >= 1_000_000:
            return f"{format_decimal(value / 1_000_000, format='#,##0.#', locale=self.locale)} M"
        return self.number(round(value))


def _story(reports: Sequence[Report], title: str, words: Words, width: float) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer

    s = _styles()
    story: list[Any] = [Paragraph(APP_NAME, s["brand"]), Paragraph(_m(title), s["title"])]
    if reports:
        period = reports[0].period
        story.append(Paragraph(
            _m(f"{words.day(period.start)} – {words.day(period.end)}"), s["subtitle"]))
    for report in reports:
        story += [CondPageBreak(90 * mm), Spacer(1, 5 * mm)]
        head = [Paragraph(_m(report.title), s["heading"])]
        if report.note:
            head.append(Paragraph(_m(report.note), s["muted"]))
        charts = [c for c in report.charts if not c.empty]
        if charts:
            head += [Spacer(1, 2 * mm), _drawing(charts[0], words, width)]
        else:
            head.append(Paragraph(_m("Nothing to show for this period."), s["muted"]))
        more = [_drawing(chart, words, width) for chart in charts[1:]]
        table = [Spacer(1, 3 * mm), _table(report, words, width, s)] if report.rows else []
        if len(report.rows) > SHORT_TABLE:
            story += [KeepTogether(head), *more, *table]
        elif more:  # a short table stays with the last chart
            story += [KeepTogether(head), *more[:-1], KeepTogether([more[-1], *table])]
        else:
            story.append(KeepTogether([*head, *table]))
    return story


def _drawing(chart: Chart, words: Words, width: float) -> Any:
    """A chart with its legend, `width` wide."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    height = 62 * mm
    drawing = Drawing(width, height)
    plot: Any = HorizontalLineChart() if chart.kind == LINES else VerticalBarChart()
    plot.x, plot.y = 16 * mm, 9 * mm
    plot.width, plot.height = width - 18 * mm, height - 20 * mm
    plot.data = [tuple(float(v) for v in s.values) for s in chart.series]
    names = [_category(c, chart.category_kind, words) for c in chart.categories]
    every = -(-len(names) // MAX_LABELS)
    plot.categoryAxis.categoryNames = [n if i % every == 0 else ""
                                       for i, n in enumerate(names)]
    plot.categoryAxis.labels.fontName = REGULAR
    plot.categoryAxis.labels.fontSize = 7
    plot.categoryAxis.labels.fillColor = colors.HexColor(_MUTED)
    plot.categoryAxis.strokeColor = colors.HexColor(_RULE)
    plot.valueAxis.labels.fontName = REGULAR
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.labels.fillColor = colors.HexColor(_MUTED)
    plot.valueAxis.strokeColor = colors.HexColor(_RULE)
    plot.valueAxis.visibleGrid = True
    plot.valueAxis.gridStrokeColor = colors.HexColor("#e4e8ee")
    plot.valueAxis.labelTextFormat = lambda v: words.axis(v, chart.unit)
    values = [v for row in plot.data for v in row]
    plot.valueAxis.valueMin = min(0.0, *values) if values else 0.0
    if chart.unit == "%":
        plot.valueAxis.valueMax = 100.0
    if chart.kind == LINES:
        plot.joinedLines = True
        for i in range(len(chart.series)):
            plot.lines[i].strokeColor = colors.HexColor(PALETTE[i % len(PALETTE)])
            plot.lines[i].strokeWidth = 1.8 if i == 0 else 1.1
    else:
        if chart.kind == STACKED:
            plot.categoryAxis.style = "stacked"
        plot.barSpacing = 0.5
        plot.groupSpacing = 4
        plot.bars.strokeColor = None
        for i in range(len(chart.series)):
            plot.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
    drawing.add(plot)
    legend = Legend()
    legend.x, legend.y = plot.x, height - 3 * mm
    legend.alignment = "right"
    legend.fontName, legend.fontSize = REGULAR, 8
    legend.columnMaximum = 1
    legend.deltax = 26 * mm
    legend.dx, legend.dy = 7, 7
    legend.boxAnchor = "nw"
    legend.colorNamePairs = [(colors.HexColor(PALETTE[i % len(PALETTE)]), s.name)
                             for i, s in enumerate(chart.series)]
    drawing.add(legend)
    unit = chart.unit if chart.unit not in ("", "%") else ("percent" if chart.unit else "")
    if unit:
        drawing.add(String(width, height - 5 * mm, unit, fontName=BOLD, fontSize=8,
                           fillColor=colors.HexColor(_MUTED), textAnchor="end"))
    return drawing


def _category(value: Any, kind: str, words: Words) -> str:
    if isinstance(value, date):
        return words.day(value, kind, short=True)
    text = str(value)
    return text if len(text) <= 18 else text[:17] + "…"


def _table(report: Report, words: Words, width: float, s: dict[str, Any]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    header = [Paragraph(_m(c.title), s["th_right" if c.numeric else "th"])
              for c in report.columns]
    body = []
    for row in report.rows:
        currency = report.currency_of(row)
        body.append([Paragraph(_m(words.cell(v, c, currency)),
                               s["td_right" if c.numeric else "td"])
                     for v, c in zip(row, report.columns, strict=True)])
    weights = [0.85 if c.kind == CURRENCY else 1.0 for c in report.columns]
    unit = width / sum(weights)
    table = Table([header, *body], colWidths=[w * unit for w in weights], repeatRows=1,
                  hAlign="LEFT")
    style = [("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(_ACCENT)),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
    style += [("BACKGROUND", (0, r), (-1, r), colors.HexColor(_ZEBRA))
              for r in range(2, len(body) + 1, 2)]
    table.setStyle(TableStyle(style))
    return table


def _locale(name: str) -> str:
    try:
        return str(Locale.parse((name or "en_US").replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        return "en_US"


def _m(text: str) -> str:
    return "<br/>".join(markup(line) for line in text.split("\n"))


def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    ink, muted = colors.HexColor(_INK), colors.HexColor(_MUTED)
    return {
        "brand": ParagraphStyle("brand", fontName=BOLD, fontSize=11,
                                textColor=colors.HexColor(_ACCENT)),
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=20, leading=26,
                                textColor=ink, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", fontName=REGULAR, fontSize=11, leading=15,
                                   textColor=muted, spaceAfter=4),
        "heading": ParagraphStyle("heading", fontName=BOLD, fontSize=13, leading=17,
                                  textColor=ink, spaceAfter=2),
        "muted": ParagraphStyle("muted", fontName=REGULAR, fontSize=9, leading=12,
                                textColor=muted),
        "th": ParagraphStyle("th", fontName=BOLD, fontSize=8, leading=10, textColor=ink),
        "th_right": ParagraphStyle("th_right", fontName=BOLD, fontSize=8, leading=10,
                                   textColor=ink, alignment=TA_RIGHT),
        "td": ParagraphStyle("td", fontName=REGULAR, fontSize=8, leading=10, textColor=ink),
        "td_right": ParagraphStyle("td_right", fontName=REGULAR, fontSize=8, leading=10,
                                   textColor=ink, alignment=TA_RIGHT),
    }
