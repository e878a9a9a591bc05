"""Issue 4's "Done when", walked as a person would on a real vault with the real
dialogs: set up the business in Settings, write a quote, accept it and turn it into an
invoice, issue it, take a partial payment, issue a credit note for part of it, and
email the invoice's PDF to a real SMTP server on 127.0.0.1. The invoice and credit-note
PDFs are checked by qpdf, read back with pdftotext (totals per rate, the credit note's
reference to the invoice) and turned into PNGs (pdftoppm -r 60) to look at."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from crasme_desktop.domain.validation_records import AddressDraft, EmailDraft
from crasme_desktop.services import contacts, invoices, mailing, timeline
from crasme_desktop.services.contacts import PersonDraft
from crasme_desktop.ui.business_settings import BusinessSettingsSection
from crasme_desktop.ui.pages.sales import SalesPage
from crasme_desktop.ui.payment_dialog import PaymentDialog
from crasme_desktop.ui.sales_credit_dialog import CreditNoteDialog
from crasme_desktop.ui.sales_editor import DESCRIPTION, PRICE, QUANTITY, TAX, UNIT
from crasme_desktop.ui.send_dialog import SendDialog
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QDialogButtonBox
from tests.support.clicks import click
from tests.support.required import unavailable
from tests.support.smtp_server import make_tls_files, running_smtp_server

pytest_plugins = ("tests.support.records",)  # the `vault` and `runner` fixtures

WAIT = 20_000
USER, PASSWORD = "office@example.org", "Pa55word"


@pytest.fixture(autouse=True)
def us_english():
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(usual)


@pytest.fixture
def tools():
    missing = [t for t in ("qpdf", "pdftotext", "pdftoppm") if shutil.which(t) is None]
    if missing:
        unavailable(f"{', '.join(missing)} (poppler-utils, qpdf) needed to check the PDFs")


def set_up_business(qtbot, runner, vault, logo: Path) -> None:
    section = BusinessSettingsSection(runner)
    qtbot.addWidget(section)
    section.resize(1100, 1000)
    section.show()
    section.attach(vault)
    qtbot.waitUntil(lambda: section.loaded, timeout=WAIT)
    section.ask_logo_path = lambda: str(logo)
    section.name.setText("Kühn & Partner Landschaftsbau GmbH")
    section.address.setPlainText("Hauptstraße 5\n10115 Berlin\n")
    section.country.setCurrentIndex(section.country.findData("DE"))
    section.tax_id.setText("DE136695976")
    section.email.setText("rechnung@kuehn.example")
    section.iban.setText("DE89 3704 0044 0532 0130 00")
    section.bic.setText("COBADEFFXXX")
    section.bank_name.setText("Commerzbank")
    section.terms.setValue(30)
    section.footer.setPlainText("Thank you for your order. Registered at Amtsgericht "
                                "Charlottenburg, HRB 123456.")
    section.currency.setCurrentText("EUR")
    click(qtbot, section.logo_button)
    click(qtbot, section.save_button)
    qtbot.waitUntil(lambda: section.business_note.text() == "Saved.", timeout=WAIT)
    for name, percent, default in (("Standard", Decimal("19"), True),
                                   ("Reduced", Decimal("7"), False)):
        section.ask_tax_rate = lambda _rate, a=(name, percent, default): a
        before = len(section.tax_rates)
        click(qtbot, section.add_rate_button)
        qtbot.waitUntil(lambda b=before: len(section.tax_rates) == b + 1, timeout=WAIT)
    section.clear()


def rate_id(editor, name: str) -> str:
    return next(r.id for r in editor.setup.tax_rates if r.name == name and not r.archived)


def type_line(editor, row, description, quantity, unit, price, rate_name):
    editor.lines.item(row, DESCRIPTION).setText(description)
    editor.lines.item(row, QUANTITY).setText(quantity)
    editor.lines.item(row, UNIT).setText(unit)
    editor.lines.item(row, PRICE).setText(price)
    combo = editor.lines.cellWidget(row, TAX)
    combo.setCurrentIndex(combo.findData(rate_id(editor, rate_name)))


def ok_button(dialog):
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)


def pdf_text(path: Path) -> str:
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def to_pngs(path: Path) -> list[Path]:
    prefix = path.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(prefix)], check=True)
    pages = sorted(path.parent.glob(f"{prefix.name}-*.png"))
    assert pages and all(p.stat().st_size > 5_000 for p in pages)
    return pages


def test_quote_invoice_payment_credit_note_and_email(qtbot, runner, vault, tmp_path, tools):
    from PySide6.QtGui import QColor, QImage

    logo = tmp_path / "logo.png"
    picture = QImage(600, 200, QImage.Format.Format_RGB32)
    picture.fill(QColor("#2f6f8f"))
    assert picture.save(str(logo))

    # 1. The business, in Settings.
    set_up_business(qtbot, runner, vault, logo)
    customer = contacts.create_person(vault, PersonDraft(
        "Anna", "Schmidt", emails=(EmailDraft("anna@schmidt-bau.example"),),
        addresses=(AddressDraft("billing", "Gartenweg 12", "80331", "München",
                                country_code="DE"),)))

    page = SalesPage(runner)
    runner.changed.connect(page.on_changed)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.attach(vault)

    # 2. A quote, accepted, becomes an invoice draft.
    click(qtbot, page.new_quote_button)
    quote = page.editor
    qtbot.waitUntil(lambda: quote.loaded, timeout=WAIT)
    quote.customer.pick("person", customer.id, "Anna Schmidt")
    type_line(quote, 0, "Garden design: site survey, planting plan in three variants and "
                        "a cost estimate for the terrace and the pond", "12", "h", "95",
              "Standard")
    for description, quantity, unit, price, rate in (
            ("Perennials (mixed, 1 l pots)", "140", "pcs", "4.80", "Reduced"),
            ("Delivery", "1", "flat", "65", "Standard")):
        row = quote.add_line()
        type_line(quote, row, description, quantity, unit, price, rate)
    assert quote.grand_total.text() == "€2,152.99"
    click(qtbot, quote.save_button)
    qtbot.waitUntil(lambda: quote.record is not None, timeout=WAIT)
    click(qtbot, quote.accepted_button)
    qtbot.waitUntil(lambda: quote.record.status == "accepted", timeout=WAIT)
    click(qtbot, quote.to_invoice_button)
    qtbot.waitUntil(lambda: page.editor is not quote and page.editor.loaded, timeout=WAIT)
    editor = page.editor
    assert editor.kind == "invoice" and editor.editable
    assert editor.lines.rowCount() == 3 and editor.grand_total.text() == "€2,152.99"

    # 3. Issued: numbered and frozen.
    editor.confirm = lambda _text: True
    click(qtbot, editor.issue_button)
    qtbot.waitUntil(lambda: editor.record is not None and bool(editor.record.number),
                    timeout=WAIT)
    number = editor.record.number
    assert not editor.editable and editor.open_total.text() == "€2,152.99"

    # 4. A partial payment, in the payment dialog.
    click(qtbot, editor.payment_button)
    qtbot.waitUntil(lambda: isinstance(editor.child, PaymentDialog), timeout=WAIT)
    payment = editor.child
    assert payment.amount.text() == "2152.99" and not payment.use_credit.isVisible()
    payment.amount.setText("1000")
    payment.reference.setText("SEPA 2026-118")
    click(qtbot, ok_button(payment))
    qtbot.waitUntil(lambda: editor.record.status == "partly_paid", timeout=WAIT)
    assert editor.open_total.text() == "€1,152.99"

    # 5. A credit note for part of it: 20 plants were not delivered.
    click(qtbot, editor.credit_button)
    qtbot.waitUntil(lambda: isinstance(editor.child, CreditNoteDialog), timeout=WAIT)
    credit = editor.child
    credit.set_line(0, ticked=False)
    credit.set_line(1, quantity=Decimal(20))
    credit.set_line(2, ticked=False)
    credit.notes.setPlainText("20 perennials were not delivered.")
    assert credit.total.text() == "Credit note: €96.00 before tax"
    click(qtbot, credit.ok_button)
    qtbot.waitUntil(lambda: page.editor is not editor and page.editor.loaded, timeout=WAIT)
    note_editor = page.editor
    note = note_editor.record
    assert note.kind == "credit_note" and note.credit_of_number == number
    assert note.total == Decimal("102.72")  # 96.00 + 7 %
    assert f"corrects invoice {number}" in note_editor.state_line.text()
    invoice = invoices.get_invoice(vault, editor.record.id)
    assert (invoice.status, invoice.open_amount) == ("partly_paid", Decimal("1050.27"))

    # 6. The PDFs, saved from the editors.
    pdfs = {}
    for name, shown in (("invoice", None), ("credit-note", note_editor)):
        if shown is None:
            page.open_document("invoice", invoice.id)
            shown = page.editor
            qtbot.waitUntil(lambda s=shown: s.loaded, timeout=WAIT)
        target = tmp_path / f"{name}.pdf"
        shown.ask_pdf_path = lambda _suggested, t=target: str(t)
        click(qtbot, shown.pdf_button)
        qtbot.waitUntil(target.exists, timeout=WAIT)
        qtbot.waitUntil(lambda s=shown: "Saved" in s.state_line.text(), timeout=WAIT)
        pdfs[name] = target
    invoice_editor = page.editor

    text = pdf_text(pdfs["invoice"])
    for expected in (number, "Anna Schmidt", "Gartenweg 12", "Kühn & Partner",
                     "DE136695976", "DE89 3704 0044 0532 0130 00", "Perennials"):
        assert expected in text, expected
    # Totals per rate, the payment and what is still due.
    for expected in ("1,205.00", "228.95", "672.00", "47.04", "2,152.99", "1,000.00",
                     "1,050.27"):
        assert expected in text, (expected, text)
    assert "…" not in text  # no line cut short (the return address once was)
    note_text = pdf_text(pdfs["credit-note"])
    assert note.number in note_text and number in note_text
    # The credit note names the invoice it corrects, with its date.
    issued_on = invoice.issue_date.strftime("%b %-d, %Y")
    assert f"corrects invoice {number} of {issued_on}" in note_text
    assert "Invoice date" in note_text and "Due date" not in note_text
    assert "96.00" in note_text and "6.72" in note_text and "102.72" in note_text
    assert "20 perennials were not delivered" in note_text
    for name, path in pdfs.items():
        for png in to_pngs(path):
            shutil.copy(png, tmp_path / f"look-{name}-{png.name}")

    # 7. Email the invoice's PDF to a real SMTP server.
    tls = make_tls_files(tmp_path / "tls")
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        mailing.save_mail_settings(vault, mailing.MailSettings(
            server.host, server.port, "starttls", USER, "rechnung@kuehn.example",
            "Kühn & Partner", str(tls.ca_file)), PASSWORD)
        click(qtbot, invoice_editor.send_button)
        qtbot.waitUntil(lambda: isinstance(invoice_editor.child, SendDialog)
                        and invoice_editor.child.draft is not None, timeout=WAIT)
        send = invoice_editor.child
        assert send.to.currentText() == "anna@schmidt-bau.example"
        assert number in send.subject.text()
        click(qtbot, send.send_button)
        qtbot.waitUntil(send.done_note.isVisible, timeout=WAIT)
    [received] = server.messages
    assert received.message["To"] == "anna@schmidt-bau.example"
    [(filename, _type, payload)] = received.attachments()
    assert number in filename and payload.startswith(b"%PDF")
    mailed = tmp_path / "mailed.pdf"
    mailed.write_bytes(payload)
    assert "1,050.27" in pdf_text(mailed)
    # Every step is on the customer's timeline, the email too.
    entries = timeline.person_timeline(vault, customer.id)
    assert any(e.kind == "email" and number in e.subject for e in entries)
    assert any(f"{number} issued" in e.subject for e in entries)
    assert any("Payment of" in e.subject and number in e.subject for e in entries)
    assert invoice.issue_date == date.today()
