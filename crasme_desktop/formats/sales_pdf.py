"""Invoices, credit notes and quotes on A4 paper, as PDF bytes (no disk, no database).

The layout follows what businesses in Europe send (DIN 5008 form B): the seller's
logo and details at the top, the buyer's address where the window of a DL/C5 envelope
shows it (20 mm from the left, 45 mm from the top, with a small return-address line),
an information block beside it (number, dates, customer tax id), then the title, the
lines table (its header repeats on every page), totals per tax rate, what is paid and
due, payment terms with the bank details and, on EUR invoices, an EPC payment QR code
("GiroCode") that banking apps scan. Every page has a footer with the seller's legal
details and "Page n of m". Drafts carry a "DRAFT" watermark.

Amounts and dates are written in the document's locale with babel; all text goes
through `pdf_text`, which embeds DejaVu Sans (and a CJK face when needed) and shapes
Arabic. `render_pdf(doc, facturx=True)` also embeds the EN 16931 XML of
`facturx_xml.py` (Factur-X, PDF/A-3 with an sRGB output intent).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from crasme_desktop import APP_NAME, __version__
from crasme_desktop.domain.money import MoneyLine, format_money, line_amount
from crasme_desktop.domain.sales_document import DocumentLine, Party, SalesDocument
from crasme_desktop.formats import pdf_text
from crasme_desktop.formats.pdf_text import BOLD, REGULAR, draw_text, markup, text_width

MM = 72 / 25.4
PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 in points
LEFT = 20 * MM
RIGHT = PAGE_W - 20 * MM
CONTENT_W = RIGHT - LEFT
INFO_X = 125 * MM
FIRST_FRAME_TOP = PAGE_H - 92 * MM
LATER_FRAME_TOP = PAGE_H - 26 * MM
FRAME_BOTTOM = 27 * MM
QR_SIZE = 30 * MM
#: Any of the eight masks makes a valid code; choosing the best one (segno scores all
#: eight) costs three quarters of the time the code takes, for a code on white paper.
QR_MASK = 2

INK = "#1f2a37"
MUTED = "#5b6675"
RULE = "#c9d1da"
HEAD_BG = "#eef2f6"
DRAFT_INK = "#f5d9d9"

TITLES = {"invoice": "Invoice", "credit_note": "Credit note", "quote": "Quote"}
NUMBER_LABELS = {"invoice": "Invoice no.", "credit_note": "Credit note no.",
                 "quote": "Quote no."}
#: Countries whose sales tax is called VAT on paper; elsewhere it is "Tax".
VAT_COUNTRIES = frozenset((
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "GB",
    "CH", "NO", "IS", "LI",
))


# --------------------------------------------------------------------------- public


def render_pdf(doc: SalesDocument, *, facturx: bool = False) -> bytes:
    """The document as an A4 PDF; with `facturx`, a Factur-X (EN 16931) e-invoice."""
    from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

    _setup()
    text = _Texts.of(doc)
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer, pagesize=(PAGE_W, PAGE_H), leftMargin=LEFT, rightMargin=PAGE_W - RIGHT,
        topMargin=PAGE_H - LATER_FRAME_TOP, bottomMargin=FRAME_BOTTOM,
        title=text.title, author=doc.seller.name, subject=text.subject,
        creator=f"{APP_NAME} {__version__}", initialFontName=REGULAR,
        lang=doc.locale.replace("_", "-"),
    )
    first = Frame(LEFT, FRAME_BOTTOM, CONTENT_W, FIRST_FRAME_TOP - FRAME_BOTTOM, id="first",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    later = Frame(LEFT, FRAME_BOTTOM, CONTENT_W, LATER_FRAME_TOP - FRAME_BOTTOM, id="later",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([
        PageTemplate("first", [first], onPage=lambda c, _d: _first_page(c, doc, text)),
        PageTemplate("later", [later], onPage=lambda c, _d: _later_page(c, doc, text)),
    ])
    story = [NextPageTemplate("later"), *_story(doc, text)]
    template.build(story, canvasmaker=_canvas_class(facturx))
    pdf = buffer.getvalue()
    if facturx:
        from crasme_desktop.formats.facturx_xml import embed_facturx

        pdf = embed_facturx(pdf, doc)
    return pdf


@functools.cache
def _setup() -> None:
    from reportlab import rl_config

    pdf_text.register_fonts()
    # Binary streams as they are: ASCII85 (for 7-bit mail of the 1990s) makes every
    # stream a quarter bigger and costs a fifth of the rendering time in pure Python.
    rl_config.useA85 = 0


def epc_payload(doc: SalesDocument) -> str | None:
    """The EPC QR (SEPA credit transfer, version 002) text for `doc`, or None when the
    document gets no payment code: only issued EUR invoices with an IBAN and an amount
    due get one."""
    if (doc.kind != "invoice" or doc.currency != "EUR" or not doc.number
            or not doc.iban or doc.amount_due <= 0 or doc.amount_due > Decimal("999999999.99")):
        return None
    iban = "".join(doc.iban.split()).upper()
    bic = "".join(doc.bic.split()).upper()
    name = " ".join(doc.seller.name.split())[:70]
    if not 5 <= len(iban) <= 34 or len(bic) not in (0, 8, 11) or not name:
        return None
    amount = f"{doc.amount_due.quantize(Decimal('0.01')):f}"
    return "\n".join([
        "BCD", "002", "1", "SCT", bic, name, iban, f"EUR{amount}", "", "",
        f"{TITLES[doc.kind]} {doc.number}"[:140],
    ])


# ---------------------------------------------------------------------- the texts


@dataclass(frozen=True)
class _Texts:
    """Everything written from the document's values, formatted once."""

    locale: str
    title: str
    subject: str
    tax_word: str
    money: Callable[[Decimal], str]
    date: Callable[[date], str]

    @staticmethod
    def of(doc: SalesDocument) -> _Texts:
        locale = _locale(doc.locale)
        name = TITLES.get(doc.kind, "Invoice")
        title = f"{name} {doc.number}" if doc.number else f"{name} (draft)"
        tax_word = "VAT" if doc.seller.country_code.upper() in VAT_COUNTRIES else "Tax"
        return _Texts(
            locale=locale, title=title,
            subject=f"{title} from {doc.seller.name} to {doc.buyer.name}",
            tax_word=tax_word,
            money=lambda amount: format_money(amount, doc.currency, locale),
            date=lambda day: format_date(day, format="medium", locale=locale),
        )

    def price(self, amount: Decimal, currency: str) -> str:
        """A unit price: the currency's digits at least, more when entered with more."""
        return format_currency(amount, currency, locale=self.locale,
                               decimal_quantization=False)

    def number(self, value: Decimal) -> str:
        return format_decimal(value.normalize() if value == value.to_integral() else value,
                              locale=self.locale, decimal_quantization=False)

    def percent(self, value: Decimal) -> str:
        return format_percent(value / 100, locale=self.locale, decimal_quantization=False)


@functools.cache
def _locale(name: str) -> str:
    try:
        return str(Locale.parse(name or "en_US"))
    except (ValueError, UnknownLocaleError):
        return "en_US"


@functools.cache
def _country_name(code: str, locale: str) -> str:
    return Locale.parse(locale).territories.get(code.upper(), code.upper())


def _party_lines(party: Party, locale: str, *, with_country: bool) -> list[str]:
    lines = [line for line in party.address_lines if line.strip()]
    if with_country and party.country_code:
        lines.append(_country_name(party.country_code, locale))
    return lines


# ---------------------------------------------------------------------- page parts


def _first_page(canvas: Any, doc: SalesDocument, text: _Texts) -> None:
    canvas.saveState()
    _watermark(canvas, doc)
    _letterhead(canvas, doc, text)
    _address_window(canvas, doc, text)
    _info_block(canvas, doc, text)
    _footer(canvas, doc, text)
    canvas.restoreState()


def _later_page(canvas: Any, doc: SalesDocument, text: _Texts) -> None:
    canvas.saveState()
    _watermark(canvas, doc)
    canvas.setFillColor(_rgb(INK))
    y = PAGE_H - 15 * MM
    draw_text(canvas, LEFT, y, doc.seller.name, 9, bold=True)
    draw_text(canvas, RIGHT, y, f"{text.title} · {text.date(doc.issue_date)}", 9,
              align="right")
    canvas.setStrokeColor(_rgb(RULE))
    canvas.setLineWidth(0.6)
    canvas.line(LEFT, y - 3 * MM, RIGHT, y - 3 * MM)
    _footer(canvas, doc, text)
    canvas.restoreState()


def _watermark(canvas: Any, doc: SalesDocument) -> None:
    if doc.number:
        return
    canvas.saveState()
    canvas.setFillColor(_rgb(DRAFT_INK))
    canvas.translate(PAGE_W / 2, PAGE_H / 2 - 20 * MM)
    canvas.rotate(35)
    canvas.setFont(BOLD, 120)
    canvas.drawCentredString(0, -40, "DRAFT")
    canvas.restoreState()


def _letterhead(canvas: Any, doc: SalesDocument, text: _Texts) -> None:
    top = PAGE_H - 14 * MM
    canvas.setFillColor(_rgb(INK))
    if doc.logo_png and _draw_logo(canvas, doc.logo_png, LEFT, top):
        pass
    else:
        _fit_text(canvas, LEFT, top - 8 * MM, doc.seller.name, 17, 95 * MM, bold=True)
    seller = doc.seller
    lines = _party_lines(seller, text.locale, with_country=bool(seller.country_code))
    lines += [x for x in (seller.phone, seller.email) if x]
    if seller.tax_id:
        lines.append(f"{text.tax_word} ID {seller.tax_id}")
    y = top - 3 * MM
    draw_text(canvas, RIGHT, y, seller.name, 9, bold=True, align="right")
    canvas.setFillColor(_rgb(MUTED))
    for line in lines:
        y -= 3.9 * MM
        draw_text(canvas, RIGHT, y, line, 8, align="right")


def _draw_logo(canvas: Any, png: bytes, x: float, top: float) -> bool:
    image = _image_reader(png)
    if image is None:
        return False
    width, height = image.getSize()
    scale = min(60 * MM / width, 24 * MM / height)
    w, h = width * scale, height * scale
    canvas.drawImage(image, x, top - h, w, h, mask="auto")
    return True


@functools.lru_cache(maxsize=8)
def _image_reader(png: bytes) -> Any:
    from reportlab.lib.utils import ImageReader

    try:
        reader = ImageReader(io.BytesIO(png))
        reader.getSize()
    except Exception:  # a broken logo must not stop the invoice
        return None
    return reader


def _address_window(canvas: Any, doc: SalesDocument, text: _Texts) -> None:
    seller, buyer = doc.seller, doc.buyer
    x = LEFT
    back = " · ".join([seller.name, *[line for line in seller.address_lines if line]])
    canvas.setFillColor(_rgb(MUTED))
    width = _fit_text(canvas, x, PAGE_H - 49 * MM, back, 7, 85 * MM)
    canvas.setStrokeColor(_rgb(MUTED))
    canvas.setLineWidth(0.4)
    canvas.line(x, PAGE_H - 49.8 * MM, x + width, PAGE_H - 49.8 * MM)
    canvas.setFillColor(_rgb(INK))
    y = PAGE_H - 57 * MM
    _fit_text(canvas, x, y, buyer.name, 10.5, 85 * MM, bold=True)
    abroad = bool(buyer.country_code) and (
        buyer.country_code.upper() != seller.country_code.upper())
    for line in _party_lines(buyer, text.locale, with_country=False)[:5]:
        y -= 4.6 * MM
        _fit_text(canvas, x, y, line, 10, 85 * MM)
    if abroad:
        y -= 4.6 * MM
        _fit_text(canvas, x, y, _country_name(buyer.country_code, text.locale).upper(),
                  10, 85 * MM)


def _info_rows(doc: SalesDocument, text: _Texts) -> list[tuple[str, str]]:
    rows = [(NUMBER_LABELS.get(doc.kind, "Number"), doc.number or "DRAFT"),
            ("Date", text.date(doc.issue_date))]
    if doc.due_date is not None and doc.kind != "credit_note":
        rows.append(("Valid until" if doc.kind == "quote" else "Due date",
                     text.date(doc.due_date)))
    if doc.reference:
        rows.append(("Corrects invoice" if doc.kind == "credit_note" else "Reference",
                     doc.reference))
        if doc.kind == "credit_note" and doc.reference_date is not None:
            rows.append(("Invoice date", text.date(doc.reference_date)))
    if doc.buyer.tax_id:
        rows.append((f"Your {text.tax_word} ID", doc.buyer.tax_id))
    return rows


def _info_block(canvas: Any, doc: SalesDocument, text: _Texts) -> None:
    y = PAGE_H - 57 * MM
    for label, value in _info_rows(doc, text):
        canvas.setFillColor(_rgb(MUTED))
        draw_text(canvas, INFO_X, y, label, 8.5)
        canvas.setFillColor(_rgb(INK))
        _fit_text(canvas, RIGHT, y, value, 9, RIGHT - INFO_X - 26 * MM, align="right")
        y -= 5 * MM


def _footer(canvas: Any, doc: SalesDocument, text: _Texts) -> None:
    seller = doc.seller
    canvas.setStrokeColor(_rgb(RULE))
    canvas.setLineWidth(0.6)
    canvas.line(LEFT, 24 * MM, RIGHT, 24 * MM)
    columns = [
        [seller.name, *_party_lines(seller, text.locale, with_country=False)],
        [x for x in (seller.phone, seller.email,
                     f"{text.tax_word} ID {seller.tax_id}" if seller.tax_id else "") if x],
        [x for x in (doc.bank_name, f"IBAN {format_iban(doc.iban)}" if doc.iban else "",
                     f"BIC {doc.bic}" if doc.bic else "") if x],
    ]
    canvas.setFillColor(_rgb(MUTED))
    xs = (LEFT, LEFT + 62 * MM, LEFT + 114 * MM)
    for x, lines in zip(xs, columns, strict=True):
        y = 20.5 * MM
        for line in lines[:3]:
            _fit_text(canvas, x, y, line, 7, 54 * MM)
            y -= 3.2 * MM
    if doc.footer:
        _fit_text(canvas, LEFT, 9 * MM, " ".join(doc.footer.split()), 7, 140 * MM)
    # "Page n of m" is drawn by the canvas once the page count is known.


def _fit_text(canvas: Any, x: float, y: float, value: str, size: float, width: float, *,
              bold: bool = False, align: str = "left") -> float:
    """Draw one line, smaller (down to 70 %) and then cut short so it stays in `width`."""
    measured = text_width(value, size, bold)
    if measured > width:
        # A hair under the exact ratio: measuring at the scaled size may round a point
        # above `width`, which would cut a line that fits ("10115 Ber…").
        size = max(size * 0.7, size * width / measured * 0.995)
        while value and text_width(value, size, bold) > width:
            value = value[:-2].rstrip() + "…"
    return draw_text(canvas, x, y, value, size, bold=bold, align=align)


@functools.cache
def _canvas_class(pdfa: bool) -> type:
    """A canvas that writes "Page n of m" on every page once it knows m (and, for
    PDF/A, adds the sRGB output intent)."""
    from reportlab.pdfgen.canvas import Canvas

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
                self.setFillColor(_rgb(MUTED))
                draw_text(self, RIGHT, 9 * MM, f"Page {number} of {count}", 7.5,
                          align="right")
                Canvas.showPage(self)
            if pdfa:
                _add_output_intent(self)
            Canvas.save(self)

    return NumberedCanvas


def _add_output_intent(canvas: Any) -> None:
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString

    document = canvas._doc
    profile = PDFStream(PDFDictionary({"N": 3}), _srgb_profile(), filters=[])
    intent = PDFDictionary({
        "Type": PDFName("OutputIntent"),
        "S": PDFName("GTS_PDFA1"),
        "OutputConditionIdentifier": PDFString("sRGB IEC61966-2.1"),
        "Info": PDFString("sRGB IEC61966-2.1"),
        "DestOutputProfile": document.Reference(profile),
    })
    catalog = document.Catalog
    catalog.OutputIntents = PDFArray([intent])
    catalog.__NoDefault__ = [*type(catalog).__NoDefault__, "OutputIntents"]


@functools.cache
def _srgb_profile() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@functools.cache
def _rgb(value: str) -> Any:
    """A reportlab colour for "#rrggbb", made once (parsing it costs on every use)."""
    from reportlab.lib.colors import HexColor

    return HexColor(value)


def format_iban(iban: str) -> str:
    """An IBAN in groups of four, as printed: DE89 3704 0044 0532 0130 00."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


# --------------------------------------------------------------------------- story


@functools.cache
def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12, textColor=_rgb(INK))
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=17,
                                leading=21, spaceAfter=2 * MM),
        "subtitle": ParagraphStyle("subtitle", parent=body, textColor=_rgb(MUTED),
                                   spaceAfter=4 * MM),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "cell_right": ParagraphStyle("cell_right", parent=body, fontSize=8.5, leading=10.5,
                                     alignment=TA_RIGHT),
        "heading": ParagraphStyle("heading", parent=body, fontName=BOLD, fontSize=9.5,
                                  leading=13, spaceBefore=3 * MM, spaceAfter=1 * MM),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10.5,
                                textColor=_rgb(MUTED)),
        "small_right": ParagraphStyle("small_right", parent=body, fontSize=8, leading=10.5,
                                      textColor=_rgb(MUTED), alignment=TA_RIGHT),
    }


def _para(value: str, style: str, *, bold: bool = False) -> Any:
    from reportlab.platypus import Paragraph

    lines = [markup(line, bold) for line in value.splitlines() or [""]]
    joined = "<br/>".join(lines)
    return Paragraph(f"<b>{joined}</b>" if bold else joined, _styles()[style])


def _story(doc: SalesDocument, text: _Texts) -> list[Any]:
    from reportlab.platypus import KeepTogether, Spacer

    story: list[Any] = [_para(text.title, "title", bold=True)]
    intro = _intro(doc, text)
    if intro:
        story.append(_para(intro, "subtitle"))
    else:
        story.append(Spacer(1, 3 * MM))
    story.append(_lines_table(doc, text))
    if doc.prices_include_tax:
        story.append(_para(f"Prices include {text.tax_word}.", "small"))
    story.append(Spacer(1, 4 * MM))
    story.append(KeepTogether([_totals_table(doc, text)]))
    payment = _payment_block(doc, text)
    if payment:
        story.append(Spacer(1, 3 * MM))
        story.append(KeepTogether(payment))
    if doc.notes.strip():
        story += [Spacer(1, 4 * MM), _para(doc.notes.strip(), "body")]
    return story


def _intro(doc: SalesDocument, text: _Texts) -> str:
    if doc.kind == "credit_note" and doc.reference:
        of = f" of {text.date(doc.reference_date)}" if doc.reference_date else ""
        return f"This credit note corrects invoice {doc.reference}{of}."
    if doc.kind == "quote" and doc.due_date is not None:
        return f"This quote is valid until {text.date(doc.due_date)}."
    return ""


def _lines_table(doc: SalesDocument, text: _Texts) -> Any:
    from reportlab.platypus import Table, TableStyle

    discounts = any(line.discount_percent for line in doc.lines)
    amount_head = "Gross amount" if doc.prices_include_tax else "Net amount"
    head = ["#", "Description", "Qty", "Unit", "Unit price", "Tax", amount_head]
    widths = [9, 74, 13, 14, 23, 11, 26]
    if discounts:
        head.insert(5, "Disc.")
        widths[1] -= 12
        widths.insert(5, 12)
    rows: list[list[Any]] = [head]
    for index, line in enumerate(doc.lines, start=1):
        rows.append(_line_row(index, line, doc, text, discounts))
    table = Table(rows, colWidths=[w * MM for w in widths], repeatRows=1)
    last = len(head) - 1
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("LEADING", (0, 0), (-1, -1), 10.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), _rgb(INK)),
        ("FONTNAME", (0, 0), (-1, 0), BOLD),
        ("FONTSIZE", (0, 0), (-1, 0), 8),
        ("BACKGROUND", (0, 0), (-1, 0), _rgb(HEAD_BG)),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, _rgb(MUTED)),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, _rgb(RULE)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (2, 0), (2, -1), "RIGHT"),
        ("ALIGN", (4, 0), (last, -1), "RIGHT"),
        ("TEXTCOLOR", (0, 1), (0, -1), _rgb(MUTED)),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _line_row(index: int, line: DocumentLine, doc: SalesDocument, text: _Texts,
              discounts: bool) -> list[Any]:
    if doc.prices_include_tax:
        amount = line_amount(MoneyLine(line.quantity, line.unit_price, line.discount_percent,
                                       line.tax_rate_percent), doc.currency)
    else:
        amount = line.net_amount
    row: list[Any] = [
        str(index), _para(line.description, "cell"), _cell(text.number(line.quantity), True),
        _cell(line.unit), _cell(text.price(line.unit_price, doc.currency), True),
        _cell(text.percent(line.tax_rate_percent), True), _cell(text.money(amount), True),
    ]
    if discounts:
        row.insert(5, _cell(text.percent(line.discount_percent), True)
                   if line.discount_percent else "")
    return row


def _cell(value: str, right: bool = False, bold: bool = False) -> Any:
    """Plain text for a table cell, or a paragraph when it needs a fallback font."""
    runs = pdf_text.font_runs(value, bold)
    if not runs:
        return ""
    if len(runs) == 1 and runs[0][0] != pdf_text.CJK:
        return runs[0][1]
    return _para(value, "cell_right" if right else "cell", bold=bold)


def _totals_table(doc: SalesDocument, text: _Texts) -> Any:
    from reportlab.platypus import Table, TableStyle

    rows: list[tuple[str, str]] = [("Net total", text.money(doc.net_total))]
    for tax in doc.tax_totals:
        rows.append((f"{text.tax_word} {text.percent(tax.rate_percent)} of "
                     f"{text.money(tax.net_amount)}", text.money(tax.tax_amount)))
    if len(doc.tax_totals) > 1:
        rows.append((f"Total {text.tax_word}", text.money(doc.tax_total)))
    total_row = len(rows)
    total_label = {"credit_note": "Total credit", "quote": "Total"}.get(doc.kind, "Total")
    rows.append((total_label, text.money(doc.grand_total)))
    due_row = None
    if doc.kind == "invoice" and doc.number:
        if doc.paid_total:
            rows.append(("Paid", text.money(-doc.paid_total)))
        if doc.paid_total or doc.amount_due != doc.grand_total:
            due_row = len(rows)
            rows.append(("Amount due", text.money(doc.amount_due)))
    strong = {total_row, due_row}
    cells = [[_cell(label, bold=i in strong), _cell(amount, True, bold=i in strong)]
             for i, (label, amount) in enumerate(rows)]
    table = Table(cells, colWidths=[62 * MM, 32 * MM], hAlign="RIGHT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("TEXTCOLOR", (0, 0), (-1, -1), _rgb(INK)),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEABOVE", (0, total_row), (-1, total_row), 0.8, _rgb(INK)),
        ("FONTNAME", (0, total_row), (-1, total_row), BOLD),
        ("FONTSIZE", (0, total_row), (-1, total_row), 10),
        ("TOPPADDING", (0, total_row), (-1, total_row), 4),
    ]
    if due_row is not None:
        style += [("FONTNAME", (0, due_row), (-1, due_row), BOLD),
                  ("BACKGROUND", (0, due_row), (-1, due_row), _rgb(HEAD_BG))]
    table.setStyle(TableStyle(style))
    return table


def _payment_block(doc: SalesDocument, text: _Texts) -> list[Any]:
    from reportlab.platypus import Spacer, Table, TableStyle

    parts: list[Any] = []
    if doc.kind == "invoice" and doc.number and doc.amount_due > 0:
        when = f" by {text.date(doc.due_date)}" if doc.due_date else ""
        parts.append(_para(f"Please transfer {text.money(doc.amount_due)}{when}, quoting "
                           f"{doc.number}.", "body"))
    if doc.payment_terms.strip():
        parts.append(_para(doc.payment_terms.strip(), "body"))
    if doc.kind == "invoice" and doc.iban:
        bank = [("Account holder", doc.seller.name), ("IBAN", format_iban(doc.iban))]
        if doc.bic:
            bank.append(("BIC", doc.bic))
        if doc.bank_name:
            bank.append(("Bank", doc.bank_name))
        details = Table([[label, _cell(value)] for label, value in bank],
                        colWidths=[30 * MM, 80 * MM], hAlign="LEFT")
        details.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), REGULAR), ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("TEXTCOLOR", (0, 0), (0, -1), _rgb(MUTED)), ("TEXTCOLOR", (1, 0), (1, -1), _rgb(INK)),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]))
        parts += [Spacer(1, 2 * MM), details]
    if not parts:
        return []
    heading = _para("Payment" if doc.kind == "invoice" else "Terms", "heading", bold=True)
    payload = epc_payload(doc)
    if payload is None:
        return [heading, *parts]
    qr = [_qr_image(payload), _para("Scan to pay", "small_right")]
    block = Table([[[heading, *parts], qr]],
                  colWidths=[CONTENT_W - QR_SIZE - 4 * MM, QR_SIZE + 4 * MM])
    block.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (1, 0), (1, 0), "RIGHT"),
    ]))
    return [block]


def _qr_image(payload: str) -> Any:
    """The QR code as a 1-bit image, one pixel per module (crisp at any scale)."""
    import segno
    from PIL import Image as PILImage
    from reportlab.platypus import Image

    qr = segno.make_qr(payload.encode("utf-8"), error="m", boost_error=False, mask=QR_MASK)
    matrix = qr.matrix
    border = 2
    size = len(matrix) + 2 * border
    image = PILImage.new("1", (size, size), 1)
    pixels = image.load()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                pixels[x + border, y + border] = 0
    png = io.BytesIO()
    image.save(png, format="PNG")
    png.seek(0)
    flowable = Image(png, width=QR_SIZE, height=QR_SIZE)
    flowable.hAlign = "RIGHT"
    return flowable
