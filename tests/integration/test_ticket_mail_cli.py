"""`crasme mailbox test|fetch [--json]` in a subprocess, against a real Dovecot."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from crasme_desktop.services import support_mailbox
from crasme_desktop.services.support_mailbox import MailboxSettings
from crasme_desktop.vault import open_vault
from tests.support.cli_runner import Crasme, one_sentence
from tests.support.imap_server import ImapTestServer, running_imap_server
from tests.support.smtp_server import make_tls_files

PASSWORD = "imap s3cret"


@pytest.fixture
def imap(tmp_path) -> Iterator[ImapTestServer]:
    tls = make_tls_files(tmp_path / "tls")
    with running_imap_server(tmp_path / "imap", tls=tls, password=PASSWORD) as server:
        yield server


def set_up(created, keychain, imap: ImapTestServer, password: str = PASSWORD) -> None:
    with open_vault(created.path, keychain=keychain) as vault:
        support_mailbox.save_mailbox_settings(vault, MailboxSettings(
            imap.host, imap.port, imap.username, ca_file=str(imap.tls.ca_file)), password)


def mail(sender: str, subject: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "support@example.org", subject
    message.set_content("Please help.")
    return message.as_bytes()


def test_mailbox_test_and_fetch_report_what_came_in(tmp_path, created, keychain, imap):
    set_up(created, keychain, imap)
    imap.append(mail("Ada Lovelace <ada@example.org>", "Printer on fire"))
    imap.append(b"Subject: anonymous\r\n\r\nno sender\r\n")
    crasme = Crasme(tmp_path)

    tested = crasme.ok("mailbox", "test", "--vault", created.path)
    assert tested.stdout.strip() == "The support mailbox works: 2 messages in “INBOX”."

    fetched = crasme.ok("mailbox", "fetch", "--json", "--vault", created.path)
    report = json.loads(fetched.stdout)
    assert (report["new_tickets"], report["replies"], report["already_seen"]) == (1, 0, 0)
    assert [m["outcome"] for m in report["messages"]] == ["ticket", "failed"]
    assert "no sender address" in report["failed"][0]["reason"]
    assert report["summary"].startswith("Fetched the support mailbox: 1 new ticket, 0 replies")

    again = crasme.ok("mailbox", "fetch", "--vault", created.path)
    assert again.stdout.strip() == "Fetched the support mailbox: 0 new tickets, 0 replies."


def test_a_refused_password_is_one_sentence_and_exit_3(tmp_path, created, keychain, imap):
    set_up(created, keychain, imap, password="wrong")
    result = Crasme(tmp_path)("mailbox", "fetch", "--vault", created.path)
    assert result.returncode == 3
    assert one_sentence(result.stderr) == (
        "The support mailbox did not accept the user name or password; check them in "
        "Settings › Support mailbox.")
