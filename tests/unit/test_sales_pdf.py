"""Pieces of the printed sales documents that need no PDF tools: text shaping and font
choice, the EPC payment code, and the Factur-X XML (checked against its XSD)."""

from __future__ import annotations

import dataclasses
import unicodedata
from decimal import Decimal

import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.formats import pdf_text
from crasme_desktop.formats.facturx_xml import (
    RAM,
    check_facturx_xml,
    facturx_totals,
    facturx_xml,
)
from crasme_desktop.formats.sales_pdf import epc_payload, format_iban
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from tests.support.sales_documents import BUYER, make_document, make_lines

ARABIC = "العربية"


# ------------------------------------------------------------------------ text


def test_arabic_letters_take_their_joining_forms():
    shaped = pdf_text.shape_arabic(ARABIC)
    # alef isolated, lam initial, ain medial, reh final, beh initial, yeh medial,
    # teh marbuta final (from the Unicode charts, not from our table)
    assert shaped == "\ufe8d\ufedf\ufecc\ufeae\ufe91\ufef4\ufe94"
    assert unicodedata.normalize("NFKC", shaped) == ARABIC


def test_lam_alef_becomes_one_ligature():
    assert pdf_text.shape_arabic("لا") == "\ufefb"
    # seen initial, lam-alef final (joined to the seen), meem isolated
    assert pdf_text.shape_arabic("سلام") == "\ufeb3\ufefc\ufee1"


def test_right_to_left_text_is_drawn_in_visual_order():
    assert pdf_text.visual_order("abc 123") == "abc 123"
    # An Arabic paragraph: the letters run right to left, the number keeps its order
    # and sits at the left end of the line.
    assert pdf_text.visual_order("شركة 123") == "123 ةكرش"
    # Latin in an Arabic paragraph keeps its order; brackets are mirrored.
    assert pdf_text.visual_order("عربي (Test)") == "(Test) يبرع"
    # Arabic in a Latin paragraph is reversed in place.
    assert pdf_text.visual_order("Firma عربي GmbH") == "Firma يبرع GmbH"
    assert pdf_text.visual_order("عربي 14,813.308") == "14,813.308 يبرع"


def test_each_run_gets_the_font_that_has_its_glyphs():
    runs = pdf_text.font_runs("Ελληνικά Кириллица 中文 日本語")
    assert runs == [(pdf_text.REGULAR, "Ελληνικά Кириллица "), (pdf_text.CJK, "中文"),
                    (pdf_text.REGULAR, " "), (pdf_text.CJK, "日本語")]
    assert pdf_text.font_runs("Müller", bold=True) == [(pdf_text.BOLD, "Müller")]
    assert pdf_text.font_runs("") == []


def test_direction_marks_are_left_out():
    runs = pdf_text.font_runs("\u200f14,50\u00a0د.ك.\u200f")
    assert "\u200f" not in "".join(piece for _font, piece in runs)


def test_markup_escapes_and_tags_fallback_runs():
    assert pdf_text.markup("A & B <c>") == "A &amp; B &lt;c&gt;"
    assert pdf_text.markup("Tokyo 東京") == f'Tokyo <font face="{pdf_text.CJK}">東京</font>'


# --------------------------------------------------------------------- payment code


def test_epc_payload_of_an_eur_invoice():
    doc = make_document(paid=Decimal("813.31"))
    assert epc_payload(doc) == "\n".join([
        "BCD", "002", "1", "SCT", "COBADEFFXXX", "Kühnemann Consulting GmbH",
        "DE89370400440532013000", "EUR14000.00", "", "", "Invoice INV-2026-0042",
    ])


@pytest.mark.parametrize("changes", [
    {"currency": "USD"}, {"iban": ""}, {"amount_due": Decimal(0)}, {"number": ""},
    {"kind": "credit_note"}, {"kind": "quote"}, {"bic": "TOOSHORT0"},
])
def test_no_payment_code_where_nothing_is_to_be_paid_in_euros(changes):
    assert epc_payload(make_document()) is not None
    assert epc_payload(dataclasses.replace(make_document(), **changes)) is None


def test_iban_printed_in_groups_of_four():
    assert format_iban("de89 3704 00440532013000") == "DE89 3704 0044 0532 0130 00"


# ------------------------------------------------------------------------- Factur-X


def _find(xml: bytes, path: str) -> list[str]:
    return [e.text for e in etree.fromstring(xml).iterfind(path, {"ram": RAM})]


@pytest.mark.parametrize(("kind", "code"), [("invoice", "380"), ("credit_note", "381")])
def test_facturx_type_codes_and_totals(kind, code):
    doc = make_document(kind=kind)
    xml = facturx_xml(doc)
    check_facturx_xml(xml)
    totals = facturx_totals(xml)
    assert totals["type_code"] == code
    assert totals["number"] == doc.number
    assert (totals["net_total"], totals["tax_total"], totals["grand_total"]) == (
        doc.net_total, doc.tax_total, doc.grand_total)
    assert totals["tax_totals"] == tuple(
        (t.rate_percent, t.net_amount, t.tax_amount) for t in doc.tax_totals)
    if kind == "credit_note":
        assert _find(xml, ".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == [
            doc.reference]


def test_facturx_carries_parties_bank_and_due_date():
    doc = make_document(paid=Decimal("100.00"))
    xml = facturx_xml(doc)
    check_facturx_xml(xml)
    assert _find(xml, ".//ram:SellerTradeParty/ram:Name") == [doc.seller.name]
    assert _find(xml, ".//ram:SellerTradeParty/ram:PostalTradeAddress/ram:PostcodeCode") == [
        "10117"]
    assert _find(xml, ".//ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CityName") == [
        "Paris"]
    assert _find(xml, ".//ram:IBANID") == ["DE89370400440532013000"]
    totals = facturx_totals(xml)
    assert totals["due_date"] == doc.due_date
    assert totals["paid_total"] == Decimal("100.00")
    assert totals["amount_due"] == doc.grand_total - Decimal("100.00")
    # The 10 % discount on line 4 is a line allowance; the line total stays the net.
    assert _find(xml, ".//ram:SpecifiedTradeAllowanceCharge/ram:CalculationPercent") == [
        "10", "10"]
    assert sum(Decimal(x) for x in _find(xml, ".//ram:LineTotalAmount")[:-1]) == doc.net_total


def test_quotes_and_drafts_are_not_e_invoices():
    with pytest.raises(UserError):
        facturx_xml(make_document(kind="quote"))
    with pytest.raises(UserError, match="issue it"):
        facturx_xml(make_document(number=""))


def test_facturx_rejected_by_the_xsd_when_broken():
    xml = facturx_xml(make_document())
    broken = xml.replace(b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:Kind>380</ram:Kind>")
    assert broken != xml
    with pytest.raises(Exception, match="not valid"):
        check_facturx_xml(broken)


def test_control_characters_are_left_out_of_the_xml():
    doc = make_document(make_lines(1), notes="Paid\x1b in cash\x00")
    lines = [dataclasses.replace(doc.lines[0], description="Box\x07 of tea\ufffe")]
    xml = facturx_xml(dataclasses.replace(doc, lines=tuple(lines)))
    check_facturx_xml(xml)
    assert _find(xml, ".//ram:SpecifiedTradeProduct/ram:Name") == ["Box of tea"]
    assert _find(xml, ".//ram:IncludedNote/ram:Content") == ["Paid in cash"]


def test_facturx_with_names_in_any_script():
    buyer = dataclasses.replace(BUYER, name="Ελληνικά Кириллица العربية 中文")
    xml = facturx_xml(make_document(buyer=buyer))
    check_facturx_xml(xml)
    assert _find(xml, ".//ram:BuyerTradeParty/ram:Name") == [buyer.name]


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
line = st.fixed_dictionaries({
    "description": st.text(min_size=1, max_size=40).filter(str.strip),
    "quantity": st.decimals(min_value=Decimal("0.25"), max_value=Decimal("100"), places=2),
    "unit": st.sampled_from(["h", "pcs", "day", "kg", "Stück", ""]),
    "unit_price": amounts,
    "discount_percent": st.sampled_from([Decimal(0), Decimal(5), Decimal("12.5")]),
    "tax_rate_percent": st.sampled_from([Decimal(0), Decimal(7), Decimal(19),
                                         Decimal("5.5")]),
})


@settings(max_examples=25)
@given(lines=st.lists(line, min_size=1, max_size=6),
       currency=st.sampled_from(["EUR", "JPY", "KWD", "CHF"]),
       inclusive=st.booleans())
def test_facturx_totals_read_back_for_any_lines(lines, currency, inclusive):
    doc = make_document(lines, currency=currency, prices_include_tax=inclusive)
    xml = facturx_xml(doc)
    check_facturx_xml(xml)
    totals = facturx_totals(xml)
    assert totals["currency"] == currency
    assert (totals["net_total"], totals["tax_total"], totals["grand_total"],
            totals["amount_due"]) == (doc.net_total, doc.tax_total, doc.grand_total,
                                      doc.amount_due)
    line_totals = [Decimal(x) for x in _find(xml, ".//ram:SpecifiedTradeSettlementLine"
                                                  "MonetarySummation/ram:LineTotalAmount")]
    assert sum(line_totals) == doc.net_total
