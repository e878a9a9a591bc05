"""Rendered sales PDFs checked with real tools: qpdf --check, pdftotext (per page),
pdffonts, pdfimages, and the Factur-X XML read back out of the file."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
import segno
from babel.numbers import format_currency
from crasme_desktop.formats.facturx_xml import read_facturx_totals
from crasme_desktop.formats.sales_pdf import QR_MASK, epc_payload, render_pdf
from PIL import Image
from pypdf import PdfReader
from tests.support.required import unavailable
from tests.support.sales_documents import BUYER, make_document, make_lines

TOOLS = ("qpdf", "pdftotext", "pdffonts", "pdfimages")
NAMES = ("Ελληνικά", "Кириллица", "العربية", "中文", "日本語")


@pytest.fixture(autouse=True)
def _tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        unavailable(", ".join(missing), "qpdf and poppler-utils are not installed")


def write(tmp_path: Path, pdf: bytes, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def run(*args: object) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def text_of(path: Path, page: int | None = None) -> str:
    pages = ["-f", page, "-l", page] if page else []
    raw = run("pdftotext", "-layout", *pages, path, "-")
    # Spaces babel writes inside amounts (no-break, narrow no-break) read as spaces.
    return unicodedata.normalize("NFKC", raw).replace("\u202f", " ").replace("\xa0", " ")


def plain(value: str) -> str:
    return unicodedata.normalize("NFKC", value).replace("\u202f", " ").replace("\xa0", " ")


def page_count(path: Path) -> int:
    return len(PdfReader(path).pages)


def qpdf_check(path: Path) -> None:
    done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No syntax or stream encoding errors found" in done.stdout


@pytest.mark.parametrize("kind", ["invoice", "credit_note", "quote"])
def test_documents_pass_qpdf_and_read_back(tmp_path, kind):
    doc = make_document(kind=kind)
    path = write(tmp_path, render_pdf(doc))
    qpdf_check(path)
    text = text_of(path)
    title = {"invoice": "Invoice", "credit_note": "Credit note", "quote": "Quote"}[kind]
    assert f"{title} {doc.number}" in text
    assert doc.buyer.name in text
    assert "14.813,31 €" in text  # the grand total, German style
    assert "12.454,45 €" in text  # net
    assert "2.354,49 €" in text  # 19 % tax of 12.392,05 €
    assert "14.03.2026" in text
    # Due date (invoice), valid until (quote); a credit note is not due.
    assert ("28.03.2026" in text) == (kind != "credit_note")
    assert "Page 1 of 1" in text
    assert page_count(path) == 1


def test_paid_and_due_on_a_partly_paid_invoice(tmp_path):
    doc = make_document(paid=Decimal("5000"))
    text = text_of(write(tmp_path, render_pdf(doc)))
    assert re.search(r"Paid\s+-5\.000,00 €", text)
    assert re.search(r"Amount due\s+9\.813,31 €", text)
    assert "Please transfer 9.813,31 € by 28.03.2026" in text
    assert "DE89 3704 0044 0532 0130 00" in text


def test_draft_is_marked(tmp_path):
    text = text_of(write(tmp_path, render_pdf(make_document(number=""))))
    assert "Invoice (draft)" in text
    assert "DRAFT" in text


def test_names_in_any_script_print_and_extract(tmp_path):
    name = " ".join(NAMES)
    buyer = dataclasses.replace(BUYER, name=name, address_lines=("東京都千代田区 1-1",))
    lines = make_lines(2)
    lines[0]["description"] = "Перевод: Ελληνικά → العربية, 日本語"
    path = write(tmp_path, render_pdf(make_document(lines, buyer=buyer)))
    qpdf_check(path)
    text = text_of(path)
    for word in NAMES:
        assert word in text
    assert "東京都千代田区" in text
    # Every font is embedded (a subset), none is left to the reader's machine.
    fonts = run("pdffonts", path).splitlines()[2:]
    assert len(fonts) >= 3  # regular, bold and the CJK fallback
    for row in fonts:
        assert re.search(r"\byes\s+yes\s+yes\b", row), row  # emb sub uni


def test_long_invoice_runs_over_pages_with_the_header_on_each(tmp_path):
    doc = make_document(make_lines(120))
    path = write(tmp_path, render_pdf(doc))
    qpdf_check(path)
    pages = page_count(path)
    assert pages >= 3
    numbers: list[int] = []
    for page in range(1, pages + 1):
        text = text_of(path, page)
        assert f"Page {page} of {pages}" in text
        assert "Kühnemann Consulting GmbH" in text
        found = list(re.finditer(r"^\s*(\d{1,3})\s+(Consulting|Travel|Printed|Software|"
                                 r"On-site|Books|Hosting|Data)\b", text, re.M))
        rows = [int(m.group(1)) for m in found]
        if rows:  # a page with lines has the table header above them
            header = re.search(r"#\s+Description\s+Qty\s+Unit\s+Unit price\s+Disc\.\s+Tax"
                               r"\s+Net amount", text)
            assert header, f"no table header on page {page}"
            assert header.start() < found[0].start()
        numbers += rows
        if page > 1:
            assert "Invoice INV-2026-0042" in text.splitlines()[0]
    assert numbers == list(range(1, 121))
    last = text_of(path, pages)
    assert plain(format_currency(doc.grand_total, "EUR", locale="de_DE")) in last
    assert plain(format_currency(doc.grand_total, "EUR", locale="de_DE")) not in text_of(path, 1)


def qr_images(tmp_path: Path, path: Path) -> list[Path]:
    out = tmp_path / "img"
    out.mkdir(exist_ok=True)
    run("pdfimages", "-png", path, out / "i")
    return sorted(out.glob("i-*.png"))


def test_eur_invoice_carries_the_payment_code(tmp_path):
    doc = make_document()
    path = write(tmp_path, render_pdf(doc))
    images = qr_images(tmp_path, path)
    assert len(images) == 1
    # The image is the QR code of the EPC payload, one pixel per module.
    expected = segno.make_qr(epc_payload(doc).encode(), error="m", boost_error=False,
                             mask=QR_MASK)
    assert expected.version <= 13  # as the EPC guideline asks
    matrix = [[bool(v) for v in row] for row in expected.matrix]
    image = Image.open(images[0]).convert("L")
    size = len(matrix)
    border = (image.width - size) // 2
    assert image.width == image.height == size + 2 * border
    seen = [[image.getpixel((x + border, y + border)) < 128 for x in range(size)]
            for y in range(size)]
    assert seen == matrix
    assert "Scan to pay" in text_of(path)


@pytest.mark.parametrize("changes", [{"currency": "USD", "locale": "en_US"}, {"iban": ""},
                                     {"kind": "quote"}])
def test_no_payment_code_otherwise(tmp_path, changes):
    path = write(tmp_path, render_pdf(make_document(**changes)))
    assert qr_images(tmp_path, path) == []


@pytest.mark.parametrize(("currency", "locale"), [
    ("EUR", "de_DE"), ("USD", "en_US"), ("JPY", "ja_JP"), ("KWD", "ar_KW"), ("KWD", "en_GB"),
    ("CHF", "de_CH"), ("EUR", "fr_FR"),
])
def test_amounts_in_each_currency_and_locale(tmp_path, currency, locale):
    doc = make_document(currency=currency, locale=locale)
    path = write(tmp_path, render_pdf(doc))
    qpdf_check(path)
    text = text_of(path)
    for amount in (doc.grand_total, doc.net_total, doc.tax_total):
        formatted = format_currency(amount, currency, locale=locale)
        if locale.startswith("ar"):
            # Right-to-left amounts: the digits come back in their order.
            number = re.search(r"\d[\d.,٫٬]*\d", plain(formatted))
            assert number and number.group(0) in text
        else:
            assert plain(formatted) in text
    digits = {"JPY": 0, "KWD": 3}.get(currency, 2)
    assert -doc.grand_total.as_tuple().exponent == digits


def test_facturx_pdf_reads_back_the_same_totals(tmp_path):
    doc = make_document(paid=Decimal("1000.00"))
    pdf = render_pdf(doc, facturx=True)
    path = write(tmp_path, pdf)
    qpdf_check(path)
    totals = read_facturx_totals(pdf)
    assert totals["type_code"] == "380"
    assert (totals["net_total"], totals["tax_total"], totals["grand_total"],
            totals["paid_total"], totals["amount_due"]) == (
        doc.net_total, doc.tax_total, doc.grand_total, doc.paid_total, doc.amount_due)
    # PDF/A-3: the XMP says so, an sRGB output intent is there, the XML is attached.
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"<pdfaid:part>3</pdfaid:part>" in xmp
    intent = reader.trailer["/Root"]["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert b"factur-x.xml" in run("qpdf", "--list-attachments", path).encode()
    assert "Invoice INV-2026-0042" in text_of(path)


def test_facturx_credit_note(tmp_path):
    doc = make_document(kind="credit_note", currency="JPY", locale="ja_JP")
    totals = read_facturx_totals(render_pdf(doc, facturx=True))
    assert totals["type_code"] == "381"
    assert totals["grand_total"] == doc.grand_total
    assert totals["currency"] == "JPY"
