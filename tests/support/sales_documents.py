"""Hand-built `SalesDocument`s for the PDF and e-invoice tests and the PDF bench.

Totals come from `domain.money.compute_totals`, the same rule the services use, so a
sample is a document the app could have made.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

from crasme_desktop.domain.money import MoneyLine, compute_totals
from crasme_desktop.domain.sales_document import DocumentLine, Party, SalesDocument, TaxTotal

SELLER = Party(
    name="Kühnemann Consulting GmbH",
    address_lines=("Friedrichstraße 123", "10117 Berlin"),
    country_code="DE", tax_id="DE123456789", email="billing@kuehnemann.example",
    phone="+49 30 1234567",
)
BUYER = Party(
    name="Acme Trading Ltd",
    address_lines=("Attn. Accounts Payable", "12 Harbour Road", "75011 Paris"),
    country_code="FR", tax_id="FR40303265045",
)
IBAN = "DE89370400440532013000"

ITEMS = (
    ("Consulting: requirements workshop with the sales team", "h", "120.00", "19"),
    ("Travel expenses (train, Berlin – Paris, return)", "pcs", "289.40", "19"),
    ("Printed handbook", "pcs", "12.50", "7"),
    ("Software licence, one year, up to 25 users, including updates and support",
     "pcs", "1490.00", "19"),
    ("On-site training", "day", "950.00", "19"),
    ("Books on negotiation", "pcs", "24.90", "7"),
    ("Hosting of the customer portal", "month", "79.00", "19"),
    ("Data migration from the old system", "h", "95.00", "19"),
)


def make_lines(count: int, *, discount: bool = True) -> list[dict[str, Any]]:
    lines = []
    for i in range(count):
        description, unit, price, rate = ITEMS[i % len(ITEMS)]
        lines.append({
            "description": description if count <= len(ITEMS) else f"{description} ({i + 1})",
            "quantity": Decimal((i % 5) + 1) if unit != "h" else Decimal("7.5"),
            "unit": unit,
            "unit_price": Decimal(price),
            "discount_percent": Decimal(10) if discount and i % 4 == 3 else Decimal(0),
            "tax_rate_percent": Decimal(rate),
        })
    return lines


def make_document(lines: list[dict[str, Any]] | None = None, *, kind: str = "invoice",
                  currency: str = "EUR", prices_include_tax: bool = False,
                  paid: Decimal = Decimal(0), **changes: Any) -> SalesDocument:
    """A complete document of `lines` (dicts of DocumentLine fields without net_amount)."""
    lines = make_lines(8) if lines is None else lines
    totals = compute_totals(
        [MoneyLine(x["quantity"], x["unit_price"], x["discount_percent"],
                   x["tax_rate_percent"]) for x in lines],
        currency, prices_include_tax,
    )
    doc = SalesDocument(
        kind=kind,
        number={"invoice": "INV-2026-0042", "credit_note": "CN-2026-0003",
                "quote": "Q-2026-0107"}[kind],
        issue_date=date(2026, 3, 14),
        due_date=date(2026, 3, 28),
        currency=currency,
        seller=SELLER,
        buyer=BUYER,
        lines=tuple(DocumentLine(net_amount=net, **x)
                    for x, net in zip(lines, totals.line_nets, strict=True)),
        tax_totals=tuple(TaxTotal(r.rate_percent, r.net, r.tax) for r in totals.per_rate),
        net_total=totals.net,
        tax_total=totals.tax,
        grand_total=totals.total,
        paid_total=paid,
        amount_due=totals.total - paid if kind == "invoice" else Decimal(0),
        prices_include_tax=prices_include_tax,
        iban=IBAN,
        bic="COBADEFFXXX",
        bank_name="Commerzbank Berlin",
        payment_terms="Payable within 14 days without deduction.",
        footer="Managing director: Anna Kühnemann · Register court Berlin HRB 12345",
        notes="Thank you for your business.",
        reference="INV-2026-0042" if kind == "credit_note" else "",
        locale="de_DE",
    )
    return dataclasses.replace(doc, **changes) if changes else doc
