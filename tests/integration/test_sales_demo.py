"""`crasme demo` sales data: products, quotes, invoices and payments that the services
read like their own, numbered so that the next issued invoice continues the series."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.services import catalog, demo, invoices, quotes
from crasme_desktop.services.invoices import InvoiceDraft
from crasme_desktop.services.quotes import LineDraft
from crasme_desktop.vault import open_vault
from sqlalchemy import text


def test_demo_adds_sales_in_proportion_and_numbers_continue(created, keychain):
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    with open_vault(created.path, keychain=keychain, clock=clock) as vault:
        demo.fill_demo(vault, contacts=160)
        with vault.engine.connect() as conn:
            counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                      for t in ("invoice", "quote", "product", "payment")}
            numbers = conn.execute(text(
                "SELECT number FROM invoice WHERE number IS NOT NULL "
                "AND number LIKE 'INV-2026-%' ORDER BY number")).scalars().all()
            wrong = conn.execute(text(
                "SELECT count(*) FROM invoice i WHERE total_minor <> "
                "(SELECT sum(net_minor) + sum(tax_minor) FROM invoice_tax_total t "
                " WHERE t.invoice_id = i.id)")).scalar_one()
        assert counts["invoice"] == 160 * 3 // 8 and counts["quote"] == 10
        assert counts["product"] == len(demo.DEMO_PRODUCTS) and counts["payment"] > 0
        assert wrong == 0
        assert numbers == [f"INV-2026-{n:04d}" for n in range(1, len(numbers) + 1)]
        products = catalog.list_products(vault)
        customer = invoices.get_invoice(vault, invoices.find_invoice_by_number(
            vault, "INV-2025-0001")).customer_organization_id
        new = invoices.save_invoice_draft(vault, InvoiceDraft(
            customer_organization_id=customer,
            lines=(LineDraft("Consulting", Decimal(1), "h", products[0].unit_price),)))
        issued = invoices.issue_invoice(vault, new.id)
        assert issued.number == f"INV-2026-{len(numbers) + 1:04d}"
        assert quotes.list_quotes(vault)[0].number.startswith("Q-")
