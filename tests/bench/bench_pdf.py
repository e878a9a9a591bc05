"""Invoice PDFs: how fast `render_pdf` turns documents into paper.

- pdf: render N typical invoices (default 1,000; 8 lines, two tax rates, a discount,
  a partial payment, EPC QR code, German locale) with `formats.sales_pdf.render_pdf`,
  each with its own number. The baseline, measured in the same run and interleaved
  with ours, is a bare reportlab page: a canvas with the same DejaVu Sans TTF font
  (registered once, as ours is) drawing the same number of text lines, saved to bytes.
  Reports invoices/s and pages/s, and the ratio of one invoice to one bare page.
  Goal: at least 20 invoices/s. The note also gives a 120-line invoice and a Factur-X
  invoice (XML built, XSD-checked and embedded).
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import statistics
import time
from pathlib import Path

from tests.bench.run import Result

GOAL_INVOICES_PER_S = 20.0
BATCH = 25


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pdf-count", type=int, default=1000,
                        help="invoices rendered for the pdf scenario")


def _bare_page_maker(lines: int):
    from crasme_desktop.formats.pdf_text import FONTS_DIR
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    if "BenchSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("BenchSans", str(FONTS_DIR / "DejaVuSans.ttf")))
    texts = [f"Line {i}: Consulting, requirements workshop 7,5 h 120,00 € 900,00 €"
             for i in range(lines)]

    def bare_page() -> bytes:
        out = io.BytesIO()
        canvas = Canvas(out, initialFontName="BenchSans")
        canvas.setFont("BenchSans", 9)
        for i, text in enumerate(texts):
            canvas.drawString(56, 800 - i * 14, text)
        canvas.showPage()
        canvas.save()
        return out.getvalue()

    return bare_page


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def run(args: argparse.Namespace, work: Path) -> list[Result]:
    from decimal import Decimal

    from crasme_desktop.formats.sales_pdf import render_pdf
    from tests.support.sales_documents import make_document, make_lines

    count = max(BATCH, args.pdf_count)
    doc = make_document(paid=Decimal("1000.00"))
    docs = [dataclasses.replace(doc, number=f"INV-2026-{i:05d}") for i in range(count)]
    sample = render_pdf(docs[0])
    pages_per_invoice = _pages(sample)
    # About as many text lines as an invoice page draws (header, address, lines, totals).
    bare_page = _bare_page_maker(48)
    for _ in range(3):  # warm both: fonts registered, caches filled
        render_pdf(docs[0])
        bare_page()

    ours: list[float] = []
    bare: list[float] = []
    start_all = time.perf_counter()
    for first in range(0, count, BATCH):
        batch = docs[first:first + BATCH]
        start = time.perf_counter()
        for item in batch:
            render_pdf(item)
        ours.append((time.perf_counter() - start) / len(batch))
        start = time.perf_counter()
        for _ in range(len(batch)):
            bare_page()
        bare.append((time.perf_counter() - start) / len(batch))
    wall = time.perf_counter() - start_all - sum(bare) * BATCH

    per_invoice = statistics.median(ours)
    per_bare_page = statistics.median(bare)
    invoices_per_s = 1 / per_invoice
    long_doc = make_document(make_lines(120))
    long_start = time.perf_counter()
    long_pdf = render_pdf(long_doc)
    long_s = time.perf_counter() - long_start
    facturx_runs = 20
    facturx_start = time.perf_counter()
    for item in docs[:facturx_runs]:
        render_pdf(item, facturx=True)
    facturx_s = (time.perf_counter() - facturx_start) / facturx_runs
    note = (f"{invoices_per_s:.1f} invoices/s, {invoices_per_s * pages_per_invoice:.1f} "
            f"pages/s ({pages_per_invoice} page each, {len(sample) / 1024:.0f} KiB); bare "
            f"page {1 / per_bare_page:.0f} pages/s; {count} invoices in {wall:.1f} s "
            f"(ours only); 120-line invoice: {_pages(long_pdf)} pages in "
            f"{long_s * 1000:.0f} ms; Factur-X invoice: {facturx_s * 1000:.0f} ms each")
    return [Result(f"render invoice PDF ({len(doc.lines)} lines)", per_invoice, per_bare_page,
                   per_invoice / per_bare_page, f">= {GOAL_INVOICES_PER_S:.0f} invoices/s",
                   invoices_per_s >= GOAL_INVOICES_PER_S, count, note)]
