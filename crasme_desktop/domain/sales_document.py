"""The printable sales document: everything a PDF or an e-invoice needs, no database.

Services build a `SalesDocument` from a quote or an invoice (`invoices.document_for`);
`formats/sales_pdf.py` and `formats/facturx_xml.py` turn it into paper and XML. Amounts
are Decimals in the document's currency, already rounded (see `domain.money`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Party:
    name: str
    address_lines: tuple[str, ...] = ()   # street, postcode + city, ... (no country line)
    country_code: str = ""                 # ISO 3166 alpha-2, e.g. "DE"
    tax_id: str = ""                       # VAT id or tax number
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class DocumentLine:
    description: str
    quantity: Decimal
    unit: str                  # "h", "pcs", "day", ... free text
    unit_price: Decimal        # in the document's currency, as entered (net or gross)
    discount_percent: Decimal  # 0..100
    tax_rate_percent: Decimal  # e.g. Decimal("19")
    net_amount: Decimal        # line total after discount, rounded, net of tax


@dataclass(frozen=True)
class TaxTotal:
    rate_percent: Decimal
    net_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class SalesDocument:
    kind: str                  # "invoice" | "credit_note" | "quote"
    number: str                # "" for a draft (prints as DRAFT)
    issue_date: date
    due_date: date | None      # invoices: due date; quotes: valid until
    currency: str              # ISO 4217
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    tax_totals: tuple[TaxTotal, ...]
    net_total: Decimal
    tax_total: Decimal
    grand_total: Decimal
    paid_total: Decimal = Decimal(0)
    amount_due: Decimal = Decimal(0)
    prices_include_tax: bool = False
    iban: str = ""
    bic: str = ""
    bank_name: str = ""
    payment_terms: str = ""    # e.g. "Payable within 14 days"
    footer: str = ""
    notes: str = ""
    reference: str = ""        # credit note: number of the invoice it corrects
    reference_date: date | None = None  # credit note: the date of that invoice
    logo_png: bytes | None = None
    locale: str = "en_US"      # for amounts and dates on paper
