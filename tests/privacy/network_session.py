"""A scripted session of the services with every network attempt recorded.

    python -m tests.privacy.network_session OUT.json VAULT [SMTP_HOST SMTP_PORT]

An audit hook (sys.addaudithook) sees every socket connect, name look-up and
datagram the process makes, from the first import on; they are written to OUT.json
as [event, detail] pairs. The session creates a vault, adds people, companies, notes,
an invoice with its PDF, searches, exports a list, makes and checks a backup, renders
the privacy notice, runs retention and the command line's doctor and search; with an
SMTP server named, it also sends the invoice there.
"""

from __future__ import annotations

import json
import socket
import sys

EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
          "socket.gethostbyaddr", "socket.getnameinfo", "socket.sendto", "socket.sendmsg",
          "urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect"}
seen: list[list[str]] = []


def _hook(event: str, args: tuple) -> None:
    if event not in EVENTS:
        return
    if event == "socket.connect":
        sock, address = args[0], args[1]
        if getattr(sock, "family", None) == socket.AF_UNIX:
            return  # a local socket file, not the network
        seen.append([event, repr(address)])
    else:
        seen.append([event, repr(args[:2])])


sys.addaudithook(_hook)


def main(argv: list[str]) -> int:
    from datetime import date
    from decimal import Decimal
    from pathlib import Path

    from crasme_desktop.__main__ import main as cli_main
    from crasme_desktop.services import (
        backups,
        business,
        contacts,
        contacts_export,
        invoices,
        mailing,
        privacy_notice,
        search,
        timeline,
    )
    from crasme_desktop.services.contacts import EmailDraft, OrganizationDraft, PersonDraft
    from crasme_desktop.services.invoices import InvoiceDraft
    from crasme_desktop.services.quotes import LineDraft
    from crasme_desktop.vault import create_vault, open_vault

    out, vault_path = Path(argv[0]), Path(argv[1])
    smtp = (argv[2], int(argv[3])) if len(argv) >= 4 else None
    create_vault(vault_path, passphrase="network session passphrase")
    with open_vault(vault_path, passphrase="network session passphrase") as vault:
        business.save_business(vault, business.BusinessSettings(
            name="Session Seller", address_lines=("Kantstraße 3", "10623 Berlin"),
            country_code="DE"))
        company = contacts.create_organization(vault, OrganizationDraft("Session Customer"))
        person = contacts.create_person(vault, PersonDraft(
            given_name="Nora", family_name="Network", organization_id=company.id,
            emails=(EmailDraft("nora@example.org"),)))
        timeline.add_call(vault, subject="Called", body="About the invoice",
                          person_id=person.id)
        draft = invoices.save_invoice_draft(vault, InvoiceDraft(
            customer_person_id=person.id,
            lines=(LineDraft("Consulting", Decimal(2), "h", Decimal("90.00")),)))
        invoice = invoices.issue_invoice(vault, draft.id, today=date(2026, 3, 2))
        from crasme_desktop.formats.sales_pdf import render_pdf

        render_pdf(invoices.document_for(vault, "invoice", invoice.id))
        search.search(vault, "Nora")
        contacts_export.export_people(vault, [person.id], vault_path.with_name("people.csv"))
        backups.make_backup(vault)
        privacy_notice.render_notice(vault)
        try:
            from crasme_desktop.services import retention

            retention.apply_retention(vault)
        except ImportError:
            pass
        if smtp is not None:
            mailing.save_mail_settings(vault, mailing.MailSettings(
                host=smtp[0], port=smtp[1], security="none",
                from_address="office@example.org"))
            mailing.send_document(vault, "invoice", invoice.id, "nora@example.org",
                                  "Your invoice", "Please find it attached.")
    for args in (["--vault", str(vault_path), "doctor"],
                 ["--vault", str(vault_path), "search", "Nora"]):
        cli_main(args)
    out.write_text(json.dumps(seen), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
