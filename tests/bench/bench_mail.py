"""Speed of emailing a quote, against bare smtplib sending the same bytes in the same run.

    python -m tests.bench --only mail [--mail-runs 30]

A real aiosmtpd server on 127.0.0.1 with STARTTLS and a login (a CA made for the run),
a vault with a business, a customer and a quote. Interleaved after warm-up runs:

- send_message: `mailing.send_message` with the quote's PDF already rendered (settings
  read from the vault, password from the keychain, message built, connect, STARTTLS,
  login, send, quit); baseline: bare smtplib doing connect, STARTTLS, login, send and
  quit with the same message, built once, and an SSL context made once. Goal <= 1.5x: what
  our layer adds around the conversation with the server.
- send_document: the whole "Send" button (the document read from the vault, the PDF
  rendered, the mail sent, the timeline entry written) against the same baseline; the
  note gives the share of it that rendering the PDF takes. Goal: under 1 s.
"""

from __future__ import annotations

import argparse
import smtplib
import statistics
import time
from decimal import Decimal
from pathlib import Path

from tests.bench.run import Result

GOAL_RATIO = 1.5
GOAL_DOCUMENT_S = 1.0
USER, PASSWORD = "bench@example.org", "bench password"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mail-runs", type=int, default=30,
                        help="timed sends per scenario (default 30)")


def run(args: argparse.Namespace, work: Path) -> list[Result]:
    from crasme_desktop.domain.validation_records import EmailDraft, PersonDraft
    from crasme_desktop.formats.sales_pdf import render_pdf
    from crasme_desktop.services import business, contacts, invoices, mailing, quotes, vaults
    from tests.support.smtp_server import make_tls_files, running_smtp_server

    runs = args.mail_runs
    path = work / "mail.crasme"
    vaults.create(path, passphrase=None, use_keychain=True)
    tls = make_tls_files(work / "tls")
    with vaults.unlock(path) as vault, running_smtp_server(
        "starttls", tls=tls, username=USER, password=PASSWORD
    ) as server:
        business.save_business(vault, business.BusinessSettings(
            name="Bench Büro GmbH", address_lines=("Hauptstraße 1", "10115 Berlin"),
            country_code="DE", default_currency="EUR", iban="DE89370400440532013000"))
        person = contacts.create_person(vault, PersonDraft(
            "Anna", "Schmidt", emails=(EmailDraft("anna@example.com"),)))
        quote = quotes.save_quote(vault, quotes.QuoteDraft(
            customer_person_id=person.id,
            lines=tuple(quotes.LineDraft(f"Work item {i}", Decimal(i), "h", Decimal("85.50"))
                        for i in range(1, 9)),
        ))
        mailing.save_mail_settings(vault, mailing.MailSettings(
            server.host, server.port, "starttls", USER, "bench@example.org", "Bench",
            str(tls.ca_file)), PASSWORD)
        pdf = render_pdf(invoices.document_for(vault, "quote", quote.id))
        name = mailing.attachment_name("quote", quote.number)
        subject, body = f"Quote {quote.number}", "Hello Anna,\n\nplease find our quote.\n"
        message = mailing._message(vault, mailing.get_mail_settings(vault), ("anna@example.com",),
                                   subject, body, [(name, pdf, "application/pdf")])
        context = tls.client_context()

        def ours_message() -> None:
            mailing.send_message(vault, "anna@example.com", subject, body,
                                 [(name, pdf, "application/pdf")])

        def ours_document() -> None:
            mailing.send_document(vault, "quote", quote.id, "anna@example.com", subject, body)

        def bare() -> None:
            client = smtplib.SMTP(server.host, server.port, timeout=30)
            client.starttls(context=context)
            client.login(USER, PASSWORD)
            client.send_message(message, "bench@example.org", ["anna@example.com"])
            client.quit()

        def render() -> None:
            render_pdf(invoices.document_for(vault, "quote", quote.id))

        times: dict[str, list[float]] = {"message": [], "document": [], "bare": [],
                                         "render": []}
        steps = (("message", ours_message), ("bare", bare), ("document", ours_document),
                 ("render", render))
        for _ in range(3):
            for _key, fn in steps:
                fn()
        for _ in range(runs):
            for key, fn in steps:
                start = time.perf_counter()
                fn()
                times[key].append(time.perf_counter() - start)
            server.messages.clear()
    med = {key: statistics.median(values) for key, values in times.items()}
    ratio = med["message"] / med["bare"]
    size = f"PDF {len(pdf) / 1024:.0f} KiB"
    return [
        Result("mail: send_message (STARTTLS, login, 1 PDF)", med["message"], med["bare"],
               ratio, f"<= {GOAL_RATIO}x", ratio <= GOAL_RATIO, runs,
               f"bare smtplib, same message; {size}"),
        Result("mail: send_document (read, render PDF, send, timeline)", med["document"],
               med["bare"], med["document"] / med["bare"], f"< {GOAL_DOCUMENT_S:.0f} s",
               med["document"] < GOAL_DOCUMENT_S, runs,
               f"rendering the PDF alone: {med['render'] * 1000:.0f} ms; {size}"),
    ]
