"""A morning at the support desk, end to end on the Tickets page with real servers: a
customer's mail waits in a real Dovecot; F5 fetches it and it is a new ticket in New;
A and P assign it and raise its priority from the keyboard; R and Ctrl+Enter send a
reply that sets it pending, which a real SMTP server receives with the ticket's
reference in its subject; the customer's answer to that mail is fetched into the same
ticket, which is open again with a thread of three messages; Solve closes the day."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from crasme_desktop.services import mailing, support_mailbox, tickets
from crasme_desktop.services.mailing import MailSettings
from crasme_desktop.services.support_mailbox import MailboxSettings
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.support.imap_server import ImapTestServer, running_imap_server
from tests.support.smtp_server import TlsFiles, make_tls_files, running_smtp_server
from tests.support.ticket_helpers import WAIT, attach, choose_queue, count_of, numbers

pytest_plugins = ("tests.support.ticket_desk",)

IMAP_USER, IMAP_PASSWORD = "support@example.com", "imap s3cret"
SMTP_USER, SMTP_PASSWORD = "office@example.com", "smtp s3cret"


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def imap(tmp_path_factory, tls) -> Iterator[ImapTestServer]:
    with running_imap_server(tmp_path_factory.mktemp("dovecot"), tls=tls,
                             username=IMAP_USER, password=IMAP_PASSWORD) as server:
        yield server


@pytest.fixture
def smtp(vault, tls) -> Iterator:
    with running_smtp_server("ssl", tls=tls, username=SMTP_USER,
                             password=SMTP_PASSWORD) as server:
        mailing.save_mail_settings(vault, MailSettings(
            server.host, server.port, "ssl", SMTP_USER, "office@example.com", "The Office",
            ca_file=str(tls.ca_file)), SMTP_PASSWORD)
        yield server


def customer_mail(subject: str, body: str, when: str = "08:30", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Ada Lovelace <ada@example.org>"
    message["To"] = IMAP_USER
    message["Subject"] = subject
    message["Date"] = f"Mon, 02 Mar 2026 {when}:00 +0000"
    message["Message-ID"] = make_msgid(domain="example.org")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def fetch(qtbot, page, expected: str) -> None:
    page.status_line.clear()
    QTest.keyClick(page.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: page.status_line.text().startswith("Fetched")
                    or page.error.isVisible(), timeout=WAIT)
    assert not page.error.isVisible(), page.error.text()
    assert page.status_line.text() == expected
    # The progress window has closed; in the app it gives the focus back to the main
    # window, its parent. Here the page is its own window, so it takes it back itself.
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=WAIT)


def test_mail_in_triage_reply_answer_and_solve(qtbot, page, vault, people, staff_members,
                                               imap, tls, smtp):
    assert [m.name for m in staff_members] == ["Me Myself", "Sam Other"]
    folder = f"T{uuid.uuid4().hex[:12]}"
    support_mailbox.save_mailbox_settings(vault, MailboxSettings(
        host=imap.host, port=imap.port, username=IMAP_USER, folder=folder,
        ca_file=str(tls.ca_file)), IMAP_PASSWORD)
    attach(qtbot, page, vault, "new")
    assert numbers(page) == []
    qtbot.waitUntil(lambda: len(page.staff) == 2, timeout=WAIT)

    # Mail in: the customer writes; F5 takes it in as a new ticket.
    imap.append(customer_mail("Printer on fire", "Hello,\n\nthe printer is on fire.\n\nAda"),
                mailbox=folder)
    page.table.setFocus()
    fetch(qtbot, page, "Fetched the support mailbox: 1 new ticket, 0 replies.")
    qtbot.waitUntil(lambda: len(numbers(page)) == 1 and count_of(page, "new") == 1,
                    timeout=WAIT)
    [number] = numbers(page)
    qtbot.waitUntil(lambda: page.view.record is not None, timeout=WAIT)
    ticket = page.view.record
    assert (ticket.subject, ticket.requester_name, ticket.status) == (
        "Printer on fire", "Ada Lovelace", "new")

    # Triage from the keyboard: assign to me, priority high.
    page.table.setCurrentIndex(page.model.index(0, 0))
    page.table.setFocus()
    page.choose = lambda _title, options: next(v for t, v in options if t == "Me Myself")
    QTest.keyClick(page.table, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: count_of(page, "mine") == 1, timeout=WAIT)
    page.choose = lambda _title, options: "high"
    QTest.keyClick(page.table, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: page.view.record.priority == "high"
                    and page.view.record.assignee_name == "Me Myself", timeout=WAIT)
    assert page.model.rows[0].assignee_name == "Me Myself"

    # Reply: R puts the cursor in the box; Ctrl+Enter sends it by email, set pending.
    QTest.keyClick(page.table, Qt.Key.Key_R)
    assert page.view.text.hasFocus()
    QTest.keyClicks(page.view.text, "Please unplug it; we are on our way.")
    page.view.after.setCurrentIndex(page.view.after.findData("pending"))
    QTest.keyClick(page.view.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(smtp.messages) == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: page.status_line.text() == "Reply sent.", timeout=WAIT)
    [sent] = smtp.messages
    assert sent.rcpt_tos == ("ada@example.org",)
    assert sent.message["Subject"] == f"Re: Printer on fire {ticket.reference}"
    assert f"[#{number}-" in sent.message["Subject"]
    qtbot.waitUntil(lambda: page.view.record.status == "pending"
                    and count_of(page, "pending") == 1, timeout=WAIT)
    choose_queue(qtbot, page, "new")
    assert numbers(page) == []  # it left New

    # The customer answers that mail; the answer joins the ticket and opens it again.
    imap.append(customer_mail(f"Re: Printer on fire {ticket.reference}",
                              "Unplugged it, the fire is out.", "09:30",
                              In_Reply_To=str(sent.message["Message-ID"])), mailbox=folder)
    page.table.setFocus()
    fetch(qtbot, page, "Fetched the support mailbox: 0 new tickets, 1 reply.")
    choose_queue(qtbot, page, "open")
    assert numbers(page) == [number]
    qtbot.waitUntil(lambda: page.view.record is not None and page.view.record.id == ticket.id
                    and page.view.record.status == "open", timeout=WAIT)
    qtbot.waitUntil(lambda: [c.message.kind for c in page.view.thread.cards] == [
        "customer", "reply", "customer"], timeout=WAIT)
    assert page.view.thread.cards[-1].body.text() == "Unplugged it, the fire is out."
    assert page.view.thread.cards[1].mail_state.text() == "Emailed to the customer"

    # Solved.
    QTest.mouseClick(page.view.solve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: count_of(page, "solved") == 1 and count_of(page, "open") == 0,
                    timeout=WAIT)
    assert tickets.get_ticket(vault, ticket.id).status == "solved"
    assert count_of(page, "mine") == 0  # solved tickets leave my queue


def test_fetch_asks_for_the_mailbox_password_the_keychain_does_not_hold(
        qtbot, page, vault, people, imap, tls):
    folder = f"T{uuid.uuid4().hex[:12]}"
    support_mailbox.save_mailbox_settings(vault, MailboxSettings(
        host=imap.host, port=imap.port, username=IMAP_USER, folder=folder,
        ca_file=str(tls.ca_file)))  # no password kept
    imap.append(customer_mail("Boiler leaks", "Water everywhere."), mailbox=folder)
    attach(qtbot, page, vault)
    asked = []
    page.ask_password = lambda why: asked.append(why) or IMAP_PASSWORD
    fetch(qtbot, page, "Fetched the support mailbox: 1 new ticket, 0 replies.")
    assert asked == ["Type the support mailbox password: this computer's keychain does "
                     "not hold it."]
    qtbot.waitUntil(lambda: len(numbers(page)) == 1, timeout=WAIT)

    # Locking drops every row the page read.
    page.clear()
    assert (page.model.rows, page.view.record, page.staff, page.counts) == ([], None, [], None)
    assert count_of(page, "all_open") is None
