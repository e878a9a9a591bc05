"""Factur-X / ZUGFeRD e-invoices: EN 16931 CII XML from a `SalesDocument`, and back.

`facturx_xml(doc)` writes the Cross Industry Invoice of the Factur-X EN16931 profile
(type code 380 for an invoice, 381 for a credit note): seller and buyer with postal
addresses and tax ids, every line (price, quantity, discount as a line allowance,
tax), one tax breakdown per rate, the totals, the due date and terms, and the IBAN.
`embed_facturx(pdf, doc)` attaches it to a PDF with the `facturx` library (checked
against its XSD; the library adds the Factur-X XMP metadata for PDF/A-3), and
`read_facturx_totals(pdf)` reads the totals of an e-invoice back as Decimals.

Known limits: tax category is S for rates above zero and Z for zero (exemptions and
reverse charge are not modelled yet); amounts keep their currency's digits, so a
3-digit currency such as KWD passes the XSD but not the EN 16931 rule of at most two
decimals.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.money import MoneyLine, line_amount, round_money
from crasme_desktop.domain.sales_document import DocumentLine, Party, SalesDocument

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931 = "urn:cen.eu:en16931:2017"
TYPE_CODES = {"invoice": "380", "credit_note": "381"}

#: UN/ECE Recommendation 20 codes for the units people type.
UNIT_CODES = {
    "h": "HUR", "hr": "HUR", "hrs": "HUR", "hour": "HUR", "hours": "HUR", "std": "HUR",
    "min": "MIN", "minute": "MIN", "minutes": "MIN",
    "day": "DAY", "days": "DAY", "d": "DAY", "tag": "DAY", "tage": "DAY",
    "week": "WEE", "weeks": "WEE", "month": "MON", "months": "MON", "mo": "MON",
    "year": "ANN", "years": "ANN",
    "pcs": "H87", "pc": "H87", "piece": "H87", "pieces": "H87", "stk": "H87", "stück": "H87",
    "kg": "KGM", "g": "GRM", "t": "TNE", "m": "MTR", "km": "KMT", "cm": "CMT",
    "m2": "MTK", "m²": "MTK", "m3": "MTQ", "m³": "MTQ", "l": "LTR", "kwh": "KWH",
}
#: Characters XML 1.0 cannot hold (control characters, surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_POSTCODE_CITY = re.compile(r"^((?:[A-Z]{1,2}-)?\d[\dA-Z-]{2,9})\s+(.+)$")


def facturx_xml(doc: SalesDocument) -> bytes:
    """The EN 16931 (Factur-X EN16931 profile) CII XML of an invoice or credit note."""
    from lxml import etree

    if doc.kind not in TYPE_CODES:
        raise UserError("Only invoices and credit notes can be made into e-invoices.")
    if not doc.number:
        raise UserError("A draft has no number yet; issue it before making an e-invoice.")
    root = etree.Element(_q(RSM, "CrossIndustryInvoice"), nsmap=NSMAP)
    context = _sub(root, RSM, "ExchangedDocumentContext")
    _sub(_sub(context, RAM, "GuidelineSpecifiedDocumentContextParameter"), RAM, "ID",
         EN16931)
    header = _sub(root, RSM, "ExchangedDocument")
    _sub(header, RAM, "ID", doc.number)
    _sub(header, RAM, "TypeCode", TYPE_CODES[doc.kind])
    _date(_sub(header, RAM, "IssueDateTime"), doc.issue_date)
    if doc.notes.strip():
        _sub(_sub(header, RAM, "IncludedNote"), RAM, "Content", doc.notes.strip())

    trade = _sub(root, RSM, "SupplyChainTradeTransaction")
    for index, line in enumerate(doc.lines, start=1):
        _line(trade, index, line, doc)
    agreement = _sub(trade, RAM, "ApplicableHeaderTradeAgreement")
    if doc.reference and doc.kind == "invoice":
        _sub(agreement, RAM, "BuyerReference", doc.reference)
    _party(agreement, "SellerTradeParty", doc.seller)
    _party(agreement, "BuyerTradeParty", doc.buyer)
    _sub(trade, RAM, "ApplicableHeaderTradeDelivery")
    _settlement(trade, doc)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def check_facturx_xml(xml: bytes) -> None:
    """Raise when `xml` does not validate against the Factur-X EN16931 XSD."""
    from facturx import xml_check_xsd

    xml_check_xsd(xml, flavor="factur-x", level="en16931")


def embed_facturx(pdf: bytes, doc: SalesDocument) -> bytes:
    """`pdf` with the document's Factur-X XML attached (XSD-checked), as PDF/A-3."""
    from facturx import generate_from_binary

    xml = facturx_xml(doc)
    title = f"{'Credit note' if doc.kind == 'credit_note' else 'Invoice'} {doc.number}"
    return generate_from_binary(
        pdf, xml, flavor="factur-x", level="en16931", check_xsd=True,
        pdf_metadata={"author": doc.seller.name, "keywords": "Factur-X, Invoice",
                      "title": f"{doc.seller.name}: {title}",
                      "subject": f"{title} dated {doc.issue_date.isoformat()} issued by "
                                 f"{doc.seller.name}"},
        lang=doc.locale.replace("_", "-"),
    )


def read_facturx_totals(pdf: bytes) -> dict[str, Any]:
    """The totals of the Factur-X XML inside `pdf`, as Decimals (XSD-checked on the way).

    Keys: number, type_code, currency, issue_date, due_date, net_total, tax_total,
    grand_total, paid_total, amount_due and tax_totals (tuples of rate, basis, tax).
    """
    from facturx import get_facturx_xml_from_pdf

    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=True)
    if not xml:
        raise UserError("This PDF holds no e-invoice.")
    return facturx_totals(xml)


def facturx_totals(xml: bytes) -> dict[str, Any]:
    """The totals of a Factur-X CII XML (see `read_facturx_totals`)."""
    from lxml import etree

    root = etree.fromstring(xml)
    ns = {"rsm": RSM, "ram": RAM, "udt": UDT}

    def text(path: str) -> str:
        found = root.find(path, ns)
        return "" if found is None or found.text is None else found.text.strip()

    def amount(path: str) -> Decimal:
        value = text(path)
        return Decimal(value) if value else Decimal(0)

    settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
    sums = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    taxes = tuple(
        (Decimal(tax.findtext("ram:RateApplicablePercent", "0", ns)),
         Decimal(tax.findtext("ram:BasisAmount", "0", ns)),
         Decimal(tax.findtext("ram:CalculatedAmount", "0", ns)))
        for tax in root.findall(f"{settlement}/ram:ApplicableTradeTax", ns)
    )
    due = text(f"{settlement}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/"
               "udt:DateTimeString")
    return {
        "number": text("rsm:ExchangedDocument/ram:ID"),
        "type_code": text("rsm:ExchangedDocument/ram:TypeCode"),
        "currency": text(f"{settlement}/ram:InvoiceCurrencyCode"),
        "issue_date": _parse_date(text("rsm:ExchangedDocument/ram:IssueDateTime/"
                                       "udt:DateTimeString")),
        "due_date": _parse_date(due) if due else None,
        "net_total": amount(f"{sums}/ram:TaxBasisTotalAmount"),
        "tax_total": amount(f"{sums}/ram:TaxTotalAmount"),
        "grand_total": amount(f"{sums}/ram:GrandTotalAmount"),
        "paid_total": amount(f"{sums}/ram:TotalPrepaidAmount"),
        "amount_due": amount(f"{sums}/ram:DuePayableAmount"),
        "tax_totals": taxes,
    }


# ------------------------------------------------------------------------- pieces


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def _sub(parent: Any, namespace: str, tag: str, text: str | None = None,
         **attributes: str) -> Any:
    from lxml import etree

    element = etree.SubElement(parent, _q(namespace, tag), attributes)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _date(parent: Any, day: date) -> None:
    _sub(parent, UDT, "DateTimeString", day.strftime("%Y%m%d"), format="102")


def _parse_date(value: str) -> date:
    return datetime.strptime(value, "%Y%m%d").date()


def _money(amount: Decimal, currency: str) -> str:
    return f"{round_money(amount, currency):f}"


def _plain(value: Decimal, places: int = 4) -> str:
    quantized = value.quantize(Decimal(1).scaleb(-places))
    text = f"{quantized:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _category(rate: Decimal) -> str:
    return "S" if rate > 0 else "Z"


def _line(trade: Any, index: int, line: DocumentLine, doc: SalesDocument) -> None:
    item = _sub(trade, RAM, "IncludedSupplyChainTradeLineItem")
    _sub(_sub(item, RAM, "AssociatedDocumentLineDocument"), RAM, "LineID", str(index))
    name = " ".join(line.description.split()) or "-"
    _sub(_sub(item, RAM, "SpecifiedTradeProduct"), RAM, "Name", name)
    allowance = Decimal(0)
    if doc.prices_include_tax or not line.quantity:
        # Gross prices: the net price is what the rounded line net gives per unit.
        net_price = line.net_amount / line.quantity if line.quantity else line.unit_price
    else:
        net_price = line.unit_price
        undiscounted = line_amount(MoneyLine(line.quantity, line.unit_price, Decimal(0),
                                             line.tax_rate_percent), doc.currency)
        allowance = undiscounted - line.net_amount
    agreement = _sub(item, RAM, "SpecifiedLineTradeAgreement")
    _sub(_sub(agreement, RAM, "NetPriceProductTradePrice"), RAM, "ChargeAmount",
         _plain(net_price))
    _sub(_sub(item, RAM, "SpecifiedLineTradeDelivery"), RAM, "BilledQuantity",
         _plain(line.quantity), unitCode=UNIT_CODES.get(line.unit.strip().lower(), "C62"))
    settlement = _sub(item, RAM, "SpecifiedLineTradeSettlement")
    tax = _sub(settlement, RAM, "ApplicableTradeTax")
    _sub(tax, RAM, "TypeCode", "VAT")
    _sub(tax, RAM, "CategoryCode", _category(line.tax_rate_percent))
    _sub(tax, RAM, "RateApplicablePercent", _plain(line.tax_rate_percent, 2))
    if allowance > 0:
        charge = _sub(settlement, RAM, "SpecifiedTradeAllowanceCharge")
        _sub(_sub(charge, RAM, "ChargeIndicator"), UDT, "Indicator", "false")
        _sub(charge, RAM, "CalculationPercent", _plain(line.discount_percent, 2))
        _sub(charge, RAM, "BasisAmount", _money(allowance + line.net_amount, doc.currency))
        _sub(charge, RAM, "ActualAmount", _money(allowance, doc.currency))
        _sub(charge, RAM, "Reason", "Discount")
    _sub(_sub(settlement, RAM, "SpecifiedTradeSettlementLineMonetarySummation"), RAM,
         "LineTotalAmount", _money(line.net_amount, doc.currency))


def _party(agreement: Any, tag: str, party: Party) -> None:
    element = _sub(agreement, RAM, tag)
    _sub(element, RAM, "Name", party.name)
    address = _sub(element, RAM, "PostalTradeAddress")
    lines = [line.strip() for line in party.address_lines if line.strip()]
    postcode = city = ""
    if lines:
        match = _POSTCODE_CITY.match(lines[-1])
        if match:
            postcode, city = match.groups()
            lines.pop()
        elif len(lines) > 1:
            city = lines.pop()
    if postcode:
        _sub(address, RAM, "PostcodeCode", postcode)
    for tag_name, line in zip(("LineOne", "LineTwo", "LineThree"), lines, strict=False):
        _sub(address, RAM, tag_name, line)
    if city:
        _sub(address, RAM, "CityName", city)
    _sub(address, RAM, "CountryID", (party.country_code or "").upper() or "ZZ")
    if party.email:
        _sub(_sub(element, RAM, "URIUniversalCommunication"), RAM, "URIID", party.email,
             schemeID="EM")
    if party.tax_id:
        compact = "".join(party.tax_id.split()).upper()
        scheme = "VA" if re.match(r"^[A-Z]{2}[0-9A-Z+*.]{2,13}$", compact) else "FC"
        _sub(_sub(element, RAM, "SpecifiedTaxRegistration"), RAM, "ID",
             compact if scheme == "VA" else party.tax_id, schemeID=scheme)


def _settlement(trade: Any, doc: SalesDocument) -> None:
    currency = doc.currency
    settlement = _sub(trade, RAM, "ApplicableHeaderTradeSettlement")
    if doc.number:
        _sub(settlement, RAM, "PaymentReference", doc.number)
    _sub(settlement, RAM, "InvoiceCurrencyCode", currency)
    if doc.iban:
        means = _sub(settlement, RAM, "SpecifiedTradeSettlementPaymentMeans")
        _sub(means, RAM, "TypeCode", "58" if currency == "EUR" else "30")
        account = _sub(means, RAM, "PayeePartyCreditorFinancialAccount")
        _sub(account, RAM, "IBANID", "".join(doc.iban.split()).upper())
        if doc.bic:
            _sub(_sub(means, RAM, "PayeeSpecifiedCreditorFinancialInstitution"), RAM,
                 "BICID", "".join(doc.bic.split()).upper())
    for total in doc.tax_totals:
        tax = _sub(settlement, RAM, "ApplicableTradeTax")
        _sub(tax, RAM, "CalculatedAmount", _money(total.tax_amount, currency))
        _sub(tax, RAM, "TypeCode", "VAT")
        _sub(tax, RAM, "BasisAmount", _money(total.net_amount, currency))
        _sub(tax, RAM, "CategoryCode", _category(total.rate_percent))
        _sub(tax, RAM, "RateApplicablePercent", _plain(total.rate_percent, 2))
    if doc.payment_terms.strip() or (doc.due_date and doc.kind == "invoice"):
        terms = _sub(settlement, RAM, "SpecifiedTradePaymentTerms")
        if doc.payment_terms.strip():
            _sub(terms, RAM, "Description", " ".join(doc.payment_terms.split()))
        if doc.due_date and doc.kind == "invoice":
            _date(_sub(terms, RAM, "DueDateDateTime"), doc.due_date)
    if doc.kind == "invoice" and (doc.paid_total > 0 or doc.amount_due > 0):
        due = doc.amount_due
    else:
        due = doc.grand_total - doc.paid_total
    prepaid = doc.grand_total - due
    sums = _sub(settlement, RAM, "SpecifiedTradeSettlementHeaderMonetarySummation")
    line_total = sum((line.net_amount for line in doc.lines), Decimal(0))
    _sub(sums, RAM, "LineTotalAmount", _money(line_total, currency))
    _sub(sums, RAM, "TaxBasisTotalAmount", _money(doc.net_total, currency))
    _sub(sums, RAM, "TaxTotalAmount", _money(doc.tax_total, currency), currencyID=currency)
    _sub(sums, RAM, "GrandTotalAmount", _money(doc.grand_total, currency))
    if prepaid:
        _sub(sums, RAM, "TotalPrepaidAmount", _money(prepaid, currency))
    _sub(sums, RAM, "DuePayableAmount", _money(due, currency))
    if doc.kind == "credit_note" and doc.reference:
        referenced = _sub(settlement, RAM, "InvoiceReferencedDocument")
        _sub(referenced, RAM, "IssuerAssignedID", doc.reference)
        if doc.reference_date is not None:  # BT-26, the preceding invoice's date
            _sub(_sub(referenced, RAM, "FormattedIssueDateTime"), QDT, "DateTimeString",
                 doc.reference_date.strftime("%Y%m%d"), format="102")
