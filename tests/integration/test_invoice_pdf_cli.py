"""`crasme invoice pdf NUMBER --out FILE [--facturx]` in a subprocess, on a real vault
with an issued, partly paid invoice and its credit note made through the services."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from crasme_desktop.formats.facturx_xml import read_facturx_totals
from crasme_desktop.services import business, contacts, invoices
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.services.quotes import LineDraft
from crasme_desktop.vault import open_vault
from PIL import Image
from tests.support.cli_runner import Crasme, one_sentence
from tests.support.required import unavailable

LOGO = io.BytesIO()
Image.new("RGB", (240, 80), (47, 111, 143)).save(LOGO, format="PNG")


@pytest.fixture
def issued(created, keychain):
    """An issued invoice of 2 lines, 100 EUR paid, and a full credit note of it."""
    for tool in ("qpdf", "pdftotext"):
        if shutil.which(tool) is None:
            unavailable(tool, "qpdf and poppler-utils are not installed")
    with open_vault(created.path, keychain=keychain) as vault:
        business.save_business(vault, business.BusinessSettings(
            name="Kühn Büro GmbH", address_lines=("Hauptstraße 1", "10115 Berlin"),
            country_code="DE", tax_id="DE123456789", email="office@example.org",
            iban="DE89370400440532013000", bic="COBADEFFXXX", default_currency="EUR",
            footer="Amtsgericht Berlin HRB 1", locale="de_DE", logo_png=LOGO.getvalue(),
        ))
        org = contacts.create_organization(vault, OrganizationDraft("Ελληνικά Кириллица AG"))
        draft = invoices.save_invoice_draft(vault, invoices.InvoiceDraft(
            customer_organization_id=org.id,
            lines=(LineDraft("Gartenplanung", Decimal("12"), "h", Decimal("85.50")),
                   LineDraft("Pflanzen 中文", Decimal("3"), "pcs", Decimal("19.99"))),
        ))
        invoice = invoices.issue_invoice(vault, draft.id, today=date(2026, 3, 2))
        invoice = invoices.record_payment(vault, invoice.id, invoices.PaymentDraft(
            paid_on=date(2026, 3, 5), amount=Decimal("100.00"), currency="EUR"))
        credit = invoices.create_credit_note(vault, invoice.id)
        credit = invoices.get_invoice(vault, credit.id)
    return created.path, invoice, credit


def text_of(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout.replace("\xa0", " ")


def test_invoice_pdf_with_facturx_end_to_end(tmp_path, issued):
    vault, invoice, _credit = issued
    out = tmp_path / "out" / "invoice.pdf"
    out.parent.mkdir()
    result = Crasme(cwd=tmp_path).ok("invoice", "pdf", invoice.number, "--vault", vault,
                                     "--out", out, "--facturx", "--json")
    report = json.loads(result.stdout)
    assert report["path"] == str(out) and report["number"] == invoice.number
    check = subprocess.run(["qpdf", "--check", str(out)], capture_output=True, text=True,
                           check=False)
    assert check.returncode == 0, check.stdout
    text = text_of(out)
    assert f"Invoice {invoice.number}" in text
    assert "Ελληνικά Кириллица AG" in text and "Pflanzen 中文" in text
    assert f"{invoice.total:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") in text
    totals = read_facturx_totals(out.read_bytes())
    assert totals["number"] == invoice.number and totals["type_code"] == "380"
    assert (totals["net_total"], totals["tax_total"], totals["grand_total"]) == (
        invoice.net, invoice.tax, invoice.total)
    assert totals["paid_total"] + totals["amount_due"] == invoice.total


def test_credit_note_pdf(tmp_path, issued):
    vault, invoice, credit = issued
    out = tmp_path / "credit.pdf"
    result = Crasme(cwd=tmp_path).ok("invoice", "pdf", credit.number, "--vault", vault,
                                     "--out", out, "--facturx")
    assert result.stdout.strip() == (f"Credit note {credit.number} saved to {out} "
                                     "(with Factur-X e-invoice).")
    text = text_of(out)
    assert f"Credit note {credit.number}" in text
    assert invoice.number in text  # the invoice it corrects
    assert read_facturx_totals(out.read_bytes())["type_code"] == "381"


def test_unknown_number_is_one_sentence_and_exit_3(tmp_path, issued):
    vault, _invoice, _credit = issued
    out = tmp_path / "nothing.pdf"
    result = Crasme(cwd=tmp_path)("invoice", "pdf", "INV-1999-9999", "--vault", vault,
                                  "--out", out)
    assert result.returncode == 3
    assert "INV-1999-9999" in one_sentence(result.stderr)
    assert not out.exists()
