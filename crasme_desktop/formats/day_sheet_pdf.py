"""A printable day sheet for one staff member: an A4 PDF with the day's jobs in visiting
order (no database, no files).

At the top: the business's name, "Day sheet", the person's name and the date written
out in the business's locale (babel), how many visits and from when to when. Then one
block per job, never split over two pages: its place in the day (1, 2, 3, ...), the
planned time and the agreed window, the job's number and title, the customer, their
phone, the site address, the office's notes and any notes already taken, and an empty
ruled area for notes from the field with lines for the time worked and the materials
used. Every page has a footer with the time zone, when it was printed and
"Page n of m". Text goes through `pdf_text` (DejaVu Sans embedded, a CJK face when
needed, Arabic shaped), as on invoices.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time

from crasme_desktop import APP_NAME, __version__
from crasme_desktop.domain.validation import format_phone
from crasme_desktop.formats import pdf_text
from crasme_desktop.formats.pdf_text import BOLD, REGULAR, draw_text, markup

MM = 72 / 25.4
PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 in points
LEFT = 18 * MM
RIGHT = PAGE_W - 18 * MM
CONTENT_W = RIGHT - LEFT
TOP = PAGE_H - 46 * MM
BOTTOM = 20 * MM
ORDER_W = 34 * MM
NOTE_LINES = 4

INK = "#1f2a37"
MUTED = "#5b6675"
RULE = "#c9d1da"
HEAD_BG = "#eef2f6"
ACCENT = "#2563eb"

__all__ = ["DaySheet", "SheetJob", "render_day_sheet"]


@dataclass(frozen=True)
class SheetJob:
    """One visit. Times are aware, in the office's zone."""

    number: int
    title: str
    start: datetime
    end: datetime
    window_start: datetime
    window_end: datetime
    customer: str = ""
    phone: str = ""  # E.164 or ""
    site_address: str = ""
    notes: str = ""
    field_notes: str = ""
    kind: str = "job"  # job | appointment
    status: str = "scheduled"


@dataclass(frozen=True)
class DaySheet:
    staff_name: str
    day: date
    jobs: tuple[SheetJob, ...]
    business_name: str = ""
    locale: str = "en_US"
    country_code: str = ""  # the office's, for phone numbers written the national way
    time_zone: str = ""
    printed_at: datetime | None = None


def render_day_sheet(sheet: DaySheet) -> bytes:
    """The sheet as A4 PDF bytes."""
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer

    _setup()
    locale = _locale(sheet.locale)
    buffer = io.BytesIO()
    title = f"Day sheet · {sheet.staff_name} · {sheet.day.isoformat()}"
    template = BaseDocTemplate(
        buffer, pagesize=(PAGE_W, PAGE_H), leftMargin=LEFT, rightMargin=PAGE_W - RIGHT,
        topMargin=PAGE_H - TOP, bottomMargin=BOTTOM, title=title, author=sheet.business_name,
        subject=title, creator=f"{APP_NAME} {__version__}", initialFontName=REGULAR,
        lang=locale.replace("_", "-"),
    )
    frame = Frame(LEFT, BOTTOM, CONTENT_W, TOP - BOTTOM, id="jobs", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate("sheet", [frame],
                                            onPage=lambda c, _d: _page(c, sheet, locale))])
    story: list[Any] = []
    if not sheet.jobs:
        story.append(Paragraph(markup("No visits are planned for this day."),
                               _styles()["body"]))
    for order, job in enumerate(sheet.jobs, start=1):
        story.append(_job_block(order, job, sheet, locale))
        story.append(Spacer(1, 5 * MM))
    template.build(story, canvasmaker=_numbered_canvas(sheet, locale))
    return buffer.getvalue()


# -- the page --------------------------------------------------------------------------
@functools.cache
def _setup() -> None:
    from reportlab import rl_config

    pdf_text.register_fonts()
    rl_config.useA85 = 0


def _locale(name: str) -> str:
    try:
        return str(Locale.parse(name or "en_US"))
    except (ValueError, UnknownLocaleError):
        return "en_US"


def _time(moment: datetime, locale: str) -> str:
    return format_time(moment, format="short", tzinfo=moment.tzinfo, locale=locale)


def _span(start: datetime, end: datetime, locale: str) -> str:
    """"08:00 – 09:30", kept on one line (no-break spaces around the dash)."""
    if start.date() == end.date():
        return f"{_time(start, locale)}\u00a0–\u00a0{_time(end, locale)}"
    return (f"{_time(start, locale)} – {format_date(end.date(), 'short', locale=locale)} "
            f"{_time(end, locale)}")


def _page(canvas: Any, sheet: DaySheet, locale: str) -> None:
    canvas.saveState()
    canvas.setFillColor(_rgb(MUTED))
    y = PAGE_H - 16 * MM
    if sheet.business_name:
        draw_text(canvas, LEFT, y, sheet.business_name, 9)
    draw_text(canvas, RIGHT, y, "Day sheet", 9, align="right")
    canvas.setFillColor(_rgb(INK))
    draw_text(canvas, LEFT, y - 11 * MM, sheet.staff_name, 20, bold=True)
    draw_text(canvas, LEFT, y - 19 * MM, format_date(sheet.day, format="full", locale=locale),
              12)
    canvas.setFillColor(_rgb(MUTED))
    visits = len(sheet.jobs)
    summary = f"{visits} visit{'s' if visits != 1 else ''}"
    if sheet.jobs:
        summary += (f" · {_time(sheet.jobs[0].start, locale)} – "
                    f"{_time(max(j.end for j in sheet.jobs), locale)}")
    draw_text(canvas, RIGHT, y - 19 * MM, summary, 10, align="right")
    canvas.setStrokeColor(_rgb(ACCENT))
    canvas.setLineWidth(1.2)
    canvas.line(LEFT, y - 23 * MM, RIGHT, y - 23 * MM)
    canvas.restoreState()


def _numbered_canvas(sheet: DaySheet, locale: str) -> type:
    """A canvas that writes the footer with "Page n of m" once it knows m."""
    from reportlab.pdfgen.canvas import Canvas

    printed = ""
    if sheet.printed_at is not None:
        printed = "Printed " + format_datetime(sheet.printed_at, format="short",
                                               tzinfo=sheet.printed_at.tzinfo, locale=locale)
    left = " · ".join(p for p in (printed, f"Times: {sheet.time_zone}" if sheet.time_zone
                                  else "") if p)

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            count = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setStrokeColor(_rgb(RULE))
                self.setLineWidth(0.6)
                self.line(LEFT, 14 * MM, RIGHT, 14 * MM)
                self.setFillColor(_rgb(MUTED))
                if left:
                    draw_text(self, LEFT, 10 * MM, left, 7.5)
                draw_text(self, RIGHT, 10 * MM, f"Page {number} of {count}", 7.5,
                          align="right")
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


# -- one job ---------------------------------------------------------------------------
def _job_block(order: int, job: SheetJob, sheet: DaySheet, locale: str) -> Any:
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    left = [
        _para(str(order), "order"),
        _para(_span(job.start, job.end, locale), "time"),
        _para("Window", "label"),
        _para(_span(job.window_start, job.window_end, locale), "small"),
    ]
    heading = f"Job {job.number}: {job.title}" if job.kind == "job" else job.title
    right: list[Any] = [_para(heading, "heading")]
    facts = []
    if job.customer:
        facts.append(("Customer", job.customer))
    if job.phone:
        facts.append(("Phone", format_phone(job.phone, sheet.country_code or None)))
    if job.site_address:
        facts.append(("Address", job.site_address))
    if job.status not in ("scheduled", ""):
        facts.append(("Status", job.status.replace("_", " ")))
    if job.notes:
        facts.append(("Notes", job.notes))
    if job.field_notes:
        facts.append(("Field notes", job.field_notes))
    if facts:
        rows = [[_para(label, "label"), _para(value, "body")] for label, value in facts]
        table = Table(rows, colWidths=[22 * MM, CONTENT_W - ORDER_W - 22 * MM - 6 * MM])
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ]))
        right.append(table)
    right.append(Spacer(1, 2 * MM))
    right.extend(_write_in_area(CONTENT_W - ORDER_W - 6 * MM))
    block = Table([[left, right]], colWidths=[ORDER_W, CONTENT_W - ORDER_W])
    block.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, 0), _rgb(HEAD_BG)),
        ("BOX", (0, 0), (-1, -1), 0.6, _rgb(RULE)),
        ("LEFTPADDING", (0, 0), (-1, -1), 3 * MM),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3 * MM),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5 * MM),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * MM),
    ]))
    return KeepTogether([block])


def _write_in_area(width: float) -> Any:
    """"Notes from the field" with ruled lines, then "Time worked" and "Materials used"
    side by side, each with a line to write on."""
    from reportlab.platypus import Table, TableStyle

    notes = Table([[_para("Notes from the field", "label")]] + [[""]] * NOTE_LINES,
                  colWidths=[width], rowHeights=[6 * MM] + [7 * MM] * NOTE_LINES)
    notes.setStyle(TableStyle(
        [("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 3),
         ("LINEABOVE", (0, 0), (0, 0), 0.5, _rgb(RULE))]
        + [("LINEBELOW", (0, row), (0, row), 0.5, _rgb(RULE))
           for row in range(1, NOTE_LINES + 1)]))
    gap = 6 * MM
    half = (width - gap) / 2
    bottom = Table([[_para("Time worked", "label"), "", _para("Materials used", "label")],
                    ["", "", ""]], colWidths=[half, gap, half],
                   rowHeights=[6 * MM, 7 * MM])
    bottom.setStyle(TableStyle([
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 1), (0, 1), 0.5, _rgb(RULE)),
        ("LINEBELOW", (2, 1), (2, 1), 0.5, _rgb(RULE)),
    ]))
    return [notes, bottom]


@functools.cache
def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=12.5,
                          textColor=_rgb(INK))
    return {
        "body": body,
        "heading": ParagraphStyle("heading", parent=body, fontName=BOLD, fontSize=11.5,
                                  leading=15, spaceAfter=1.5 * MM),
        "order": ParagraphStyle("order", parent=body, fontName=BOLD, fontSize=22, leading=26,
                                textColor=_rgb(ACCENT)),
        "time": ParagraphStyle("time", parent=body, fontName=BOLD, fontSize=10, leading=13,
                               spaceAfter=2 * MM),
        "label": ParagraphStyle("label", parent=body, fontSize=8, leading=11,
                                textColor=_rgb(MUTED)),
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11),
    }


def _para(value: str, style: str) -> Any:
    from reportlab.platypus import Paragraph

    bold = style in ("heading", "order", "time")
    text = "<br/>".join(markup(line, bold) for line in value.splitlines() or [""])
    return Paragraph(text, _styles()[style])


@functools.cache
def _rgb(value: str) -> Any:
    from reportlab.lib.colors import HexColor

    return HexColor(value)
