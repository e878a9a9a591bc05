"""Readable privacy documents as A4 PDFs: the report of everything held on one person
(subject access) and the record of processing.

Both are a `PrivacyDocument`: a title, a few facts, and sections, each with its own
facts (why it is kept, since when, until when) and entries (label/value pairs). The
services fill in the words, already in the reader's language and date format; this
module only lays them out, with the fonts of `pdf_text` (Unicode names in any script).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crasme_desktop import APP_NAME, __version__
from crasme_desktop.formats.pdf_text import BOLD, REGULAR, markup, register_fonts

Facts = tuple[tuple[str, str], ...]

_INK = "#1f2933"
_MUTED = "#616e7c"
_ACCENT = "#2d6a9f"
_RULE = "#d9e2ec"


@dataclass(frozen=True)
class Section:
    heading: str
    facts: Facts = ()
    entries: tuple[Facts, ...] = ()
    text: tuple[str, ...] = ()
    #: Said when the section has no entries.
    empty: str = ""


@dataclass(frozen=True)
class PrivacyDocument:
    title: str
    subtitle: str = ""
    facts: Facts = ()
    intro: tuple[str, ...] = ()
    sections: tuple[Section, ...] = field(default_factory=tuple)
    footer: str = ""


def render_privacy_pdf(doc: PrivacyDocument) -> bytes:
    """The document as an A4 PDF."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    register_fonts()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
        bottomMargin=18 * mm, title=doc.title, author=APP_NAME,
        creator=f"{APP_NAME} {__version__}", initialFontName=REGULAR,
    )
    footer = doc.footer or f"{APP_NAME} {__version__}"

    def on_page(canvas: Any, page: Any) -> None:
        from reportlab.lib import colors

        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(colors.HexColor(_MUTED))
        canvas.drawString(page.leftMargin, 10 * mm, footer)
        canvas.drawRightString(page.leftMargin + page.width, 10 * mm, str(page.page))
        canvas.restoreState()

    template.build(_story(doc, template.width), onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _story(doc: PrivacyDocument, width: float) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    s = _styles()
    story: list[Any] = [Paragraph(APP_NAME, s["brand"]), Paragraph(_m(doc.title), s["title"])]
    if doc.subtitle:
        story.append(Paragraph(_m(doc.subtitle), s["subtitle"]))
    if doc.facts:
        story += [_facts_table(doc.facts, width, s), Spacer(1, 3 * mm)]
    story += [Paragraph(_m(p), s["body"]) for p in doc.intro]
    for section in doc.sections:
        story += [Spacer(1, 4 * mm), Paragraph(_m(section.heading), s["heading"])]
        if section.facts:
            story.append(_facts_table(section.facts, width, s, muted=True))
        story += [Paragraph(_m(p), s["body"]) for p in section.text]
        if not section.entries and section.empty:
            story.append(Paragraph(_m(section.empty), s["muted"]))
        for entry in section.entries:
            story += [Spacer(1, 1.5 * mm), _facts_table(entry, width, s, boxed=True)]
    return story


def _facts_table(facts: Sequence[tuple[str, str]], width: float, s: dict[str, Any], *,
                 muted: bool = False, boxed: bool = False) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    label_width = 42 * mm
    rows = [[Paragraph(_m(label), s["label"]),
             Paragraph(_m(value), s["muted_value" if muted else "value"])]
            for label, value in facts]
    table = Table(rows, colWidths=[label_width, width - label_width], hAlign="LEFT")
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
             ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
    if boxed:
        style += [("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(_RULE)),
                  ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f5f7fa"))]
    table.setStyle(TableStyle(style))
    return table


def _m(text: str) -> str:
    """Paragraph markup for plain text: escaped, fallback fonts, line breaks kept."""
    return "<br/>".join(markup(line) for line in text.split("\n"))


def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    ink, muted = colors.HexColor(_INK), colors.HexColor(_MUTED)
    return {
        "brand": ParagraphStyle("brand", fontName=BOLD, fontSize=11,
                                textColor=colors.HexColor(_ACCENT)),
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=20, leading=26,
                                textColor=ink, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", fontName=REGULAR, fontSize=11, leading=15,
                                   textColor=muted, spaceAfter=6),
        "heading": ParagraphStyle("heading", fontName=BOLD, fontSize=13, leading=17,
                                  textColor=ink, spaceAfter=3),
        "body": ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=14,
                               textColor=ink, spaceAfter=3),
        "muted": ParagraphStyle("muted", fontName=REGULAR, fontSize=9.5, leading=13,
                                textColor=muted),
        "label": ParagraphStyle("label", fontName=REGULAR, fontSize=9, leading=12,
                                textColor=muted),
        "value": ParagraphStyle("value", fontName=REGULAR, fontSize=9.5, leading=12.5,
                                textColor=ink),
        "muted_value": ParagraphStyle("muted_value", fontName=REGULAR, fontSize=9.5,
                                      leading=12.5, textColor=muted),
    }
