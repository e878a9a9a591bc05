"""The send dialog against a real vault, real PDFs and a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import keyring
import pytest
from crasme_desktop.services.mailing import MailDraft
from crasme_desktop.ui.send_dialog import SendDialog, email_template
from crasme_desktop.ui.tasks import TaskRunner
from keyring.backends import fail
from PySide6.QtCore import QDate, QLocale
from tests.gui.conftest import PASSPHRASE
from tests.support.clicks import click
from tests.support.sentences import assert_one_sentence
from tests.support.smtp_server import make_tls_files, running_smtp_server

WAIT = 20_000
USER, PASSWORD = "office@example.org", "Pa55word"


def a_draft(**changes) -> MailDraft:
    values = dict(
        kind="invoice", record_id="r1", number="INV-2026-0042", customer_name="Anna Schmidt",
        recipients=("anna@example.com",), amount=Decimal("1234.50"), currency="EUR",
        amount_text="", due_date=date(2026, 3, 2), business_name="Kühn Büro GmbH",
        attachment_name="Invoice INV-2026-0042.pdf", mail_ready=True, password_needed=False,
    )
    values.update(changes)
    return MailDraft(**values)


def test_the_template_writes_amount_and_date_the_locales_way():
    german = QLocale(QLocale.Language.German, QLocale.Country.Germany)
    subject, body = email_template(a_draft(), german)
    assert subject == "Invoice INV-2026-0042 from Kühn Büro GmbH"
    assert "1.234,50" in body and "€" in body
    assert german.toString(QDate(2026, 3, 2), QLocale.FormatType.LongFormat) in body
    assert "März" in body
    assert body.startswith("Hello Anna Schmidt,")
    assert body.rstrip().endswith("Kühn Büro GmbH")

    american = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    _subject, body = email_template(a_draft(), american)
    assert "$" not in body and "1,234.50" in body and "March" in body


def test_the_template_for_quotes_and_credit_notes():
    english = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    subject, body = email_template(a_draft(kind="quote", number="Q-7"), english)
    assert subject.startswith("Quote Q-7")
    assert "our quote Q-7" in body and "valid until" in body
    subject, body = email_template(a_draft(kind="credit_note", number="CN-1", due_date=None,
                                           business_name=""), english)
    assert subject == "Credit note CN-1"
    assert "credit note CN-1" in body and "due" not in body


# -- the dialog on a real vault ------------------------------------------------------------
quotes = pytest.importorskip("crasme_desktop.services.quotes")
business = pytest.importorskip("crasme_desktop.services.business")


@pytest.fixture
def vault(make_vault, keychain):
    from crasme_desktop.vault import open_vault

    created = make_vault()
    with open_vault(created.path, keychain=keychain, passphrase=PASSPHRASE) as opened:
        yield opened


@pytest.fixture
def tasks(qtbot, crashes):
    runner = TaskRunner(report_crash=crashes.report, progress_delay_ms=10_000)
    yield runner
    runner.wait(WAIT)
    assert not crashes.reports, crashes.reports


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def quote(vault):
    from crasme_desktop.domain.validation_records import EmailDraft
    from crasme_desktop.services import contacts
    from crasme_desktop.services.contacts import PersonDraft

    business.save_business(vault, business.BusinessSettings(
        name="Kühn Büro GmbH", address_lines=("Hauptstraße 1", "10115 Berlin"),
        country_code="DE", default_currency="EUR"))
    person = contacts.create_person(vault, PersonDraft(
        "Anna", "Schmidt", emails=(EmailDraft("anna@schmidt-bau.example"),)))
    return quotes.save_quote(vault, quotes.QuoteDraft(
        customer_person_id=person.id,
        lines=(quotes.LineDraft("Garden design", Decimal("3"), "h", Decimal("90")),),
    ))


def set_up_mail(vault, server, tls, password=PASSWORD):
    from crasme_desktop.services import mailing

    return mailing.save_mail_settings(vault, mailing.MailSettings(
        server.host, server.port, server.security, server.username, "office@example.org",
        "Kühn Büro GmbH", str(tls.ca_file)), password)


def open_dialog(qtbot, tasks, vault, quote) -> SendDialog:
    dialog = SendDialog(tasks, vault, "quote", quote.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.draft is not None or dialog.error.isVisible(),
                    timeout=WAIT)
    return dialog


def test_send_a_quote_from_the_dialog(qtbot, tasks, vault, quote, tls):
    changed = []
    tasks.changed.connect(changed.append)
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        set_up_mail(vault, server, tls)
        dialog = open_dialog(qtbot, tasks, vault, quote)
        assert dialog.to.currentText() == "anna@schmidt-bau.example"
        assert dialog.subject.text().startswith(f"Quote {quote.number}")
        assert quote.number in dialog.body.toPlainText()
        assert dialog.attachment.text() == f"Quote {quote.number}.pdf"
        assert not dialog.password.isVisible()
        assert dialog.send_button.isEnabled()
        dialog.subject.setText(f"Our quote {quote.number}")
        server.gate = threading.Event()  # the server holds the message until told
        with qtbot.waitSignal(dialog.sent, timeout=WAIT) as sent:
            click(qtbot, dialog.send_button)
            qtbot.waitUntil(lambda: len(server.messages) == 0 and dialog.progress.isVisible(),
                            timeout=WAIT)
            assert not dialog.send_button.isEnabled() and not dialog.subject.isEnabled()
            assert not dialog.done_note.isVisible()
            server.gate.set()
    assert dialog.done_note.text() == "Sent to anna@schmidt-bau.example."
    assert not dialog.progress.isVisible() and not dialog.send_button.isVisible()
    assert sent.args[0].recipients == ("anna@schmidt-bau.example",)
    [received] = server.messages
    assert received.message["Subject"] == f"Our quote {quote.number}"
    assert received.attachments()[0][2].startswith(b"%PDF")
    assert any("activities" in areas for areas in changed)


def test_a_wrong_password_shows_one_sentence_and_allows_another_try(
        qtbot, tasks, vault, quote, tls):
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        set_up_mail(vault, server, tls, password="not it")
        dialog = open_dialog(qtbot, tasks, vault, quote)
        click(qtbot, dialog.send_button)
        qtbot.waitUntil(dialog.error.isVisible, timeout=WAIT)
        assert "user name or password" in dialog.error.text()
        assert_one_sentence(dialog.error.text())
        assert dialog.send_button.isEnabled() and not dialog.progress.isVisible()
        set_up_mail(vault, server, tls)
        click(qtbot, dialog.send_button)
        qtbot.waitUntil(dialog.done_note.isVisible, timeout=WAIT)
    assert len(server.messages) == 1


def test_without_a_keychain_the_dialog_asks_for_the_password(qtbot, tasks, vault, quote, tls):
    keyring.set_keyring(fail.Keyring())
    with running_smtp_server("ssl", tls=tls, username=USER, password=PASSWORD) as server:
        assert not set_up_mail(vault, server, tls).password_saved
        dialog = open_dialog(qtbot, tasks, vault, quote)
        assert dialog.password.isVisible() and dialog.password_hint.isVisible()
        click(qtbot, dialog.send_button)
        qtbot.waitUntil(dialog.error.isVisible, timeout=WAIT)
        assert "Type the email password" in dialog.error.text()
        qtbot.keyClicks(dialog.password, PASSWORD)
        click(qtbot, dialog.send_button)
        qtbot.waitUntil(dialog.done_note.isVisible, timeout=WAIT)
    assert server.messages[0].logged_in_as == USER


def test_without_mail_settings_the_dialog_says_where_to_set_them_up(
        qtbot, tasks, vault, quote):
    dialog = open_dialog(qtbot, tasks, vault, quote)
    assert "Set up email first" in dialog.error.text()
    assert dialog.error.isVisible() and not dialog.send_button.isEnabled()
