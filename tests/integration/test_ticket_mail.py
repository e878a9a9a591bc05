"""Support mail in and out against real servers: Dovecot (IMAPS) and aiosmtpd (SMTP).

One Dovecot runs for the module; each test has its own folder in its mailbox (and its
own vault), so tests never see each other's mail. Messages go in by IMAP APPEND, as a
mail client would leave them there.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from crasme_desktop.domain.errors import Cancelled, UserError
from crasme_desktop.domain.models import (
    Attachment,
    AttachmentContent,
    InboxItem,
    Person,
    Ticket,
    TicketMessage,
)
from crasme_desktop.domain.progress import Progress
from crasme_desktop.services import (
    mailing,
    privacy_consent,
    support_mailbox,
    ticket_mail,
    tickets,
)
from crasme_desktop.services.mailing import MailSettings
from crasme_desktop.services.support_mailbox import MailboxSettings
from sqlalchemy import func, select
from tests.support.imap_server import ImapTestServer, running_imap_server
from tests.support.sentences import assert_one_sentence
from tests.support.smtp_server import TlsFiles, make_tls_files, running_smtp_server

IMAP_USER, IMAP_PASSWORD = "support@example.com", "imap s3cret"
SMTP_USER, SMTP_PASSWORD = "office@example.com", "smtp s3cret"
PDF = b"%PDF-1.7\n% a tiny stand-in\n%%EOF\n"
ADA = "Ada Lovelace <ada@example.org>"


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def imap(tmp_path_factory, tls) -> Iterator[ImapTestServer]:
    with running_imap_server(tmp_path_factory.mktemp("dovecot"), tls=tls,
                             username=IMAP_USER, password=IMAP_PASSWORD) as server:
        yield server


@pytest.fixture
def folder() -> str:
    return f"T{uuid.uuid4().hex[:12]}"


@pytest.fixture
def mailbox(vault, imap, tls, folder) -> MailboxSettings:
    """The vault set up to read this test's folder, the password in the test keychain."""
    settings = MailboxSettings(host=imap.host, port=imap.port, username=IMAP_USER,
                               folder=folder, ca_file=str(tls.ca_file))
    support_mailbox.save_mailbox_settings(vault, settings, IMAP_PASSWORD)
    return settings


def mail(body: str = "Hello,\n\nthe printer is on fire.\n\nAda", *, sender: str = ADA,
         subject: str = "Printer on fire", message_id: str | None = None,
         in_reply_to: str = "", references: str = "",
         files: tuple[tuple[str, bytes, str], ...] = ()) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = IMAP_USER
    message["Subject"] = subject
    message["Date"] = "Mon, 05 Jan 2026 10:30:00 +0100"
    message["Message-ID"] = message_id or make_msgid(domain="example.org")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    message.set_content(body)
    for name, data, content_type in files:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


def put(imap: ImapTestServer, folder: str, message: EmailMessage | bytes) -> int:
    raw = message if isinstance(message, bytes) else message.as_bytes()
    return imap.append(raw, mailbox=folder)


def fetch(vault, **kwargs) -> ticket_mail.FetchReport:
    report = ticket_mail.fetch(vault, **kwargs)
    assert_one_sentence(report.summary)
    for failed in report.failed:
        assert_one_sentence(failed.reason)
    return report


def inbox(vault) -> list[tuple[int, str, str | None, str]]:
    with vault.unit_of_work() as uow:
        return [(r.uid, r.outcome, r.ticket_id, r.reason) for r in uow.session.scalars(
            select(InboxItem).order_by(InboxItem.uid))]


def ticket_of(vault, number: int) -> tickets.TicketRecord:
    found = tickets.find_ticket_by_number(vault, number)
    assert found is not None
    return tickets.get_ticket(vault, found)


def counts(vault) -> dict[str, int]:
    with vault.unit_of_work() as uow:
        s = uow.session
        return {model.__tablename__: s.scalar(select(func.count()).select_from(model))
                for model in (Ticket, TicketMessage, Person, Attachment, AttachmentContent,
                              InboxItem)}


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(UserError) as caught:
        call(*args, **kwargs)
    assert_one_sentence(caught.value.message)
    return caught.value.message


# -- mail in ------------------------------------------------------------------------------
def test_a_mail_with_an_attachment_becomes_a_ticket_of_a_new_person(vault, imap, folder,
                                                                    mailbox):
    uid = put(imap, folder, mail(message_id="<first@example.org>",
                                 files=(("photo.pdf", PDF, "application/pdf"),)))
    report = fetch(vault)
    assert (report.new_tickets, report.replies, report.failed, report.already_seen) == (
        1, 0, (), 0)
    [item] = report.messages
    assert (item.uid, item.outcome, item.subject, item.sender, item.reason) == (
        uid, "ticket", "Printer on fire", "ada@example.org", "")
    ticket = ticket_of(vault, item.ticket_number)
    assert ticket.subject == "Printer on fire"
    assert ticket.requester_email == "ada@example.org"
    assert ticket.requester_name == "Ada Lovelace"
    [message] = ticket.messages
    assert message.kind == "customer" and message.message_id == "<first@example.org>"
    assert message.body == "Hello,\n\nthe printer is on fire.\n\nAda"
    assert message.author == "Ada Lovelace" and message.author_email == "ada@example.org"
    assert [(f.filename, f.media_type, f.size) for f in message.attachments] == [
        ("photo.pdf", "application/pdf", len(PDF))]
    with vault.unit_of_work() as uow:
        person = uow.session.get(Person, ticket.requester_id)
        assert (person.given_name, person.family_name, person.source) == (
            "Ada", "Lovelace", "Support email")
        assert [e.address for e in person.emails] == ["ada@example.org"]
        stored = uow.session.scalar(select(AttachmentContent.data))
    assert stored == PDF
    assert inbox(vault) == [(uid, "ticket", ticket.id, "")]
    # Left on the server, marked read.
    assert imap.count(mailbox=folder) == 1
    assert "\\Seen" in imap.flags(uid, mailbox=folder)


def test_without_mark_seen_the_mail_stays_unread(vault, imap, folder, mailbox):
    support_mailbox.save_mailbox_settings(vault, {**mailbox.__dict__, "mark_seen": False})
    uid = put(imap, folder, mail())
    assert fetch(vault).new_tickets == 1
    assert "\\Seen" not in imap.flags(uid, mailbox=folder)


def test_a_known_sender_becomes_the_requester_without_a_new_person(vault, imap, folder,
                                                                   mailbox):
    from crasme_desktop.services import contacts

    known = contacts.add_person(vault, given_name="Ada", family_name="King",
                                email="ADA@example.org")
    put(imap, folder, mail(sender="Someone Else <ada@example.org>"))
    before = counts(vault)["person"]
    report = fetch(vault)
    ticket = ticket_of(vault, report.messages[0].ticket_number)
    assert ticket.requester_id == known.id
    assert counts(vault)["person"] == before


def test_a_reply_joins_its_ticket_by_message_id_and_reopens_it(vault, imap, folder, mailbox):
    put(imap, folder, mail(message_id="<first@example.org>"))
    first = fetch(vault).messages[0]
    tickets.change_status(vault, ticket_of(vault, first.ticket_number).id, "pending")
    put(imap, folder, mail("It is out now.", subject="something else entirely",
                           message_id="<second@example.org>",
                           in_reply_to="<first@example.org>",
                           references="<first@example.org>"))
    report = fetch(vault)
    assert (report.new_tickets, report.replies, report.already_seen) == (0, 1, 1)
    assert report.messages[0].ticket_number == first.ticket_number
    ticket = ticket_of(vault, first.ticket_number)
    assert [m.body for m in ticket.messages if m.kind == "customer"] == [
        "Hello,\n\nthe printer is on fire.\n\nAda", "It is out now."]
    assert ticket.messages[-1].references == "<first@example.org>"
    assert ticket.status == "open"


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(vault, imap, folder, mailbox):
    put(imap, folder, mail(message_id="<first@example.org>"))
    number = fetch(vault).messages[0].ticket_number
    closed = ticket_of(vault, number)
    tickets.change_status(vault, closed.id, "solved")
    tickets.change_status(vault, closed.id, "closed")
    put(imap, folder, mail("It broke again.", in_reply_to="<first@example.org>"))
    [item] = fetch(vault).messages
    assert item.outcome == "reply" and item.ticket_number != number
    follow_up = ticket_of(vault, item.ticket_number)
    assert follow_up.requester_id == closed.requester_id
    assert [m.body for m in follow_up.messages if m.kind == "customer"] == ["It broke again."]
    assert ticket_of(vault, number).status == "closed"


def test_a_reply_joins_its_ticket_by_the_subject_reference(vault, imap, folder, mailbox):
    put(imap, folder, mail())
    number = fetch(vault).messages[0].ticket_number
    ticket = ticket_of(vault, number)
    put(imap, folder, mail("Any news?", subject=f"Re: Printer on fire {ticket.reference}"))
    report = fetch(vault)
    assert report.replies == 1 and report.messages[0].ticket_number == number
    assert len(ticket_of(vault, number).messages) == 2


def test_a_reply_from_another_address_of_the_requester_joins(vault, imap, folder, mailbox):
    from crasme_desktop.services import contacts
    from crasme_desktop.services.contacts import EmailDraft

    put(imap, folder, mail(message_id="<first@example.org>"))
    number = fetch(vault).messages[0].ticket_number
    ticket = ticket_of(vault, number)
    person = contacts.get_person(vault, ticket.requester_id)
    draft = person.draft()
    contacts.update_person(vault, person.id, type(draft)(**{
        **draft.__dict__, "emails": (*draft.emails, EmailDraft("ada@home.example.net"))}))
    put(imap, folder, mail("From home.", sender="Ada <ada@home.example.net>",
                           in_reply_to="<first@example.org>"))
    report = fetch(vault)
    assert report.replies == 1 and report.messages[0].ticket_number == number


def test_a_forged_reference_from_another_sender_becomes_a_new_ticket(vault, imap, folder,
                                                                     mailbox):
    put(imap, folder, mail(message_id="<first@example.org>"))
    number = fetch(vault).messages[0].ticket_number
    ticket = ticket_of(vault, number)
    put(imap, folder, mail("Let me in.", sender="Mallory <mallory@example.net>",
                           subject=f"Re: Printer on fire {ticket.reference}",
                           in_reply_to="<first@example.org>"))
    put(imap, folder, mail("Guessing.", sender=ADA,
                           subject=f"Re: Printer on fire [#{number}-zzzzzz]"))
    report = fetch(vault)
    assert (report.new_tickets, report.replies) == (2, 0)
    forged, guessed = report.messages
    assert forged.outcome == "ticket" and forged.ticket_number != number
    assert f"ticket #{number}" in forged.reason and "not that ticket's requester" in (
        forged.reason)
    assert guessed.outcome == "ticket" and guessed.ticket_number != number
    assert "does not match" in guessed.reason
    # The original thread is untouched, and Mallory's ticket is Mallory's.
    assert len(ticket_of(vault, number).messages) == 1
    assert ticket_of(vault, forged.ticket_number).requester_email == "mallory@example.net"
    reasons = {uid: reason for uid, _o, _t, reason in inbox(vault)}
    assert reasons[forged.uid] == forged.reason


def test_broken_mime_is_taken_in_with_what_can_be_read_and_a_note(vault, imap, folder,
                                                                  mailbox):
    raw = (b"From: Bob <bob@example.org>\r\nSubject: broken\r\nMessage-ID: <b@example.org>\r\n"
           b"Content-Type: multipart/mixed\r\n\r\nthe words are still here\r\n")
    put(imap, folder, raw)
    report = fetch(vault)
    [item] = report.messages
    assert item.outcome == "ticket" and "damaged" in item.reason
    [message] = ticket_of(vault, item.ticket_number).messages
    assert message.body.startswith("the words are still here\n\n[Parts of this message")


def test_an_unknown_charset_is_read_with_replacement_and_a_note(vault, imap, folder,
                                                                mailbox):
    raw = (b"From: =?x-unknown?q?J=E9r=F4me?= <jerome@example.org>\r\n"
           b"Subject: =?x-unknown?q?caf=E9?=\r\nMessage-ID: <c@example.org>\r\n"
           b"Content-Type: text/plain; charset=x-unknown\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\ncaf\xe9 cr\xe8me\r\n")
    put(imap, folder, raw)
    [item] = fetch(vault).messages
    assert item.outcome == "ticket" and "x-unknown" in item.reason
    ticket = ticket_of(vault, item.ticket_number)
    assert ticket.subject == "caf\ufffd"
    assert ticket.messages[0].body.startswith("caf\ufffd cr\ufffdme\n\n[")


def test_a_huge_attachment_is_left_out_with_a_note_and_the_rest_taken_in(vault, imap, folder,
                                                                         mailbox):
    huge = b"\x00" * (ticket_mail.ATTACHMENT_LIMIT + 1024 * 1024)
    put(imap, folder, mail(files=(("disk.img", huge, "application/octet-stream"),
                                  ("photo.pdf", PDF, "application/pdf"))))
    [item] = fetch(vault).messages
    assert item.outcome == "ticket"
    assert "“disk.img” (26 MB) was not kept" in item.reason
    [message] = ticket_of(vault, item.ticket_number).messages
    assert [f.filename for f in message.attachments] == ["photo.pdf"]
    assert "[The attachment “disk.img” (26 MB) was not kept" in message.body
    assert counts(vault)["attachment_content"] == 1


def test_a_message_that_cannot_be_stored_whole_leaves_nothing_but_its_failure(
        vault, imap, folder, mailbox):
    # Allowing a bigger attachment than the vault keeps makes the store refuse it after
    # the ticket, person and message were written in the same transaction.
    huge = b"\x00" * (ticket_mail.ATTACHMENT_LIMIT + 1024)
    uid = put(imap, folder, mail(files=(("disk.img", huge, "application/octet-stream"),)))
    before = counts(vault)
    report = fetch(vault, attachment_limit=ticket_mail.ATTACHMENT_LIMIT * 2)
    [failed] = report.failed
    assert failed.uid == uid and failed.reason.startswith("The message could not be taken in")
    after = counts(vault)
    assert after == {**before, "inbox_item": before["inbox_item"] + 1}
    assert inbox(vault) == [(uid, "failed", None, failed.reason)]
    assert "\\Seen" not in imap.flags(uid, mailbox=folder)


def test_a_message_over_the_size_limit_is_not_downloaded_and_is_reported(vault, imap, folder,
                                                                        mailbox):
    uid = put(imap, folder, mail(files=(("big.bin", b"x" * 50_000, "application/zip"),)))
    put(imap, folder, mail("small one", subject="Small"))
    report = fetch(vault, message_limit=20_000)
    assert report.new_tickets == 1
    [failed] = report.failed
    assert failed.uid == uid and "more than the 20 KB a message can be" in failed.reason
    assert (failed.subject, failed.sender) == ("Printer on fire", "ada@example.org")
    assert fetch(vault).already_seen == 2  # not tried again


def test_a_message_without_a_sender_address_is_reported_not_skipped(vault, imap, folder,
                                                                    mailbox):
    uid = put(imap, folder, b"Subject: who am I\r\nFrom: nobody at all\r\n\r\nhello\r\n")
    report = fetch(vault)
    [failed] = report.failed
    assert failed.uid == uid and "no sender address" in failed.reason
    assert counts(vault)["ticket"] == 0


def test_fetching_again_takes_nothing_twice_and_a_copied_message_is_ignored(
        vault, imap, folder, mailbox):
    first = mail(message_id="<once@example.org>")
    put(imap, folder, first)
    put(imap, folder, mail("second", subject="Other"))
    assert fetch(vault).new_tickets == 2
    again = fetch(vault)
    assert (again.new_tickets, again.replies, again.already_seen, again.messages) == (
        0, 0, 2, ())
    before = counts(vault)
    put(imap, folder, first)  # the same message again, under a new UID
    copied = fetch(vault)
    assert (copied.ignored, copied.new_tickets) == (1, 0)
    assert "already in ticket #1" in copied.messages[0].reason
    assert counts(vault) == {**before, "inbox_item": before["inbox_item"] + 1}


def test_cancelling_stops_between_messages_and_keeps_what_came_in(vault, imap, folder,
                                                                 mailbox):
    for n in range(3):
        put(imap, folder, mail(f"message {n}", subject=f"Subject {n}"))
    def listener(done: int, total: int, text: str) -> None:
        if done == 1 and total == 3:
            progress.cancel()

    progress = Progress(listener)
    with pytest.raises(Cancelled):
        ticket_mail.fetch(vault, progress=progress)
    assert counts(vault)["ticket"] == 1
    rest = fetch(vault)
    assert (rest.new_tickets, rest.already_seen) == (2, 1)


# -- the mailbox's failures -----------------------------------------------------------------
def test_a_refused_password_is_one_sentence_and_changes_nothing(vault, imap, folder, mailbox):
    put(imap, folder, mail())
    support_mailbox.save_mailbox_settings(vault, mailbox, "wrong password")
    message = error_of(ticket_mail.fetch, vault)
    assert message == ("The support mailbox did not accept the user name or password; "
                       "check them in Settings › Support mailbox.")
    assert inbox(vault) == []
    assert "did not accept" in error_of(support_mailbox.check_mailbox, vault)


def test_an_unreachable_port_is_one_sentence(vault, imap, mailbox):
    from tests.support.smtp_server import closed_port

    with closed_port() as port:
        support_mailbox.save_mailbox_settings(vault, {**mailbox.__dict__, "port": port})
        message = error_of(ticket_mail.fetch, vault)
    assert message == (f"The mail server 127.0.0.1 could not be reached on port {port}; check "
                       "the server name and port in Settings › Support mailbox and your "
                       "internet connection.")


def test_a_server_that_does_not_answer_is_one_sentence(vault, imap, mailbox):
    from tests.support.smtp_server import silent_port

    with silent_port() as port:
        support_mailbox.save_mailbox_settings(vault, {**mailbox.__dict__, "port": port})
        message = error_of(ticket_mail.fetch, vault, timeout=0.5)
    assert message.startswith(f"The mail server 127.0.0.1 did not answer on port {port};")


def test_an_untrusted_certificate_is_one_sentence(vault, imap, mailbox):
    support_mailbox.save_mailbox_settings(vault, {**mailbox.__dict__, "ca_file": ""})
    message = error_of(ticket_mail.fetch, vault)
    assert message.startswith("The mail server 127.0.0.1 could not prove its identity")
    assert "certificate file in Settings › Support mailbox" in message


def test_a_port_without_tls_is_one_sentence(vault, imap, mailbox):
    with running_smtp_server("none") as plain:
        support_mailbox.save_mailbox_settings(vault, {**mailbox.__dict__,
                                                      "port": plain.port})
        message = error_of(ticket_mail.fetch, vault)
    assert message.startswith(f"A secure connection to 127.0.0.1 on port {plain.port} could "
                              "not be made")


def test_a_port_that_is_not_imap_is_one_sentence(vault, imap, mailbox, tls):
    with running_smtp_server("ssl", tls=tls) as smtps:
        support_mailbox.save_mailbox_settings(vault, {**mailbox.__dict__,
                                                      "port": smtps.port})
        message = error_of(ticket_mail.fetch, vault)
    assert message == (f"The server 127.0.0.1 does not answer as a mailbox (IMAP) on port "
                       f"{smtps.port}; check the port in Settings › Support mailbox (usually "
                       "993).")


def test_a_missing_folder_is_one_sentence(vault, imap, mailbox):
    support_mailbox.save_mailbox_settings(vault, {**mailbox.__dict__, "folder": "Nowhere"})
    assert error_of(ticket_mail.fetch, vault) == (
        "The folder “Nowhere” was not found in the support mailbox; check the folder name "
        "in Settings › Support mailbox.")


def test_a_password_with_accents_logs_in_and_a_folder_with_accents_is_read(
        vault, tmp_path, tls):
    password = "pässwört mit Leerzeichen"
    with running_imap_server(tmp_path / "imap", tls=tls, username=IMAP_USER,
                             password=password) as server:
        folder = "Kundendienst-Grüße & Co"
        with server.client() as client:
            encoded = '"' + support_mailbox.imap_utf7(folder) + '"'
            assert client.create(encoded)[0] == "OK"
            assert client.append(encoded, None, None, mail().as_bytes())[0] == "OK"
        support_mailbox.save_mailbox_settings(vault, MailboxSettings(
            server.host, server.port, IMAP_USER, folder, ca_file=str(tls.ca_file)), password)
        assert support_mailbox.check_mailbox(vault).messages == 1
        assert fetch(vault).new_tickets == 1
    assert support_mailbox.imap_utf7("Grüße & Co") == "Gr&APwA3w-e &- Co"


# -- settings ------------------------------------------------------------------------------
def test_the_password_lives_in_the_keychain_only(vault, file_keyring, mailbox):
    from crasme_desktop.vault.keychain import SECRET_USER
    from sqlalchemy import text

    name = support_mailbox.password_name(vault)
    assert vault.vault_id in name and name != mailing.password_name(vault)
    assert file_keyring.entries()[name] == {SECRET_USER: IMAP_PASSWORD}
    with vault.unit_of_work() as uow:
        values = [v for (v,) in uow.session.execute(text("SELECT value FROM setting"))]
    assert all(IMAP_PASSWORD not in v for v in values)
    assert support_mailbox.get_mailbox_settings(vault) == mailbox
    setup = support_mailbox.save_mailbox_settings(vault, mailbox, "")
    assert not setup.password_saved and name not in file_keyring.entries()
    with pytest.raises(support_mailbox.MailboxPasswordNeeded) as caught:
        ticket_mail.fetch(vault)
    assert_one_sentence(caught.value.message)


@pytest.mark.parametrize(("changes", "words"), [
    ({"host": " "}, "name of the support mailbox's server"),
    ({"host": "imap example.org"}, "not a server name"),
    ({"port": 0}, "port must be a number"),
    ({"username": ""}, "user name of the support mailbox"),
    ({"folder": "In*box"}, "folder name cannot contain"),
    ({"address": "support.example.org"}, "missing the @ sign"),
    ({"ca_file": "/nowhere/ca.pem"}, "cannot be found"),
])
def test_bad_mailbox_settings_are_refused_with_a_sentence(vault, changes, words):
    values = {"host": "imap.example.org", "username": "support@example.org"}
    message = error_of(support_mailbox.save_mailbox_settings, vault, {**values, **changes})
    assert words in message
    assert support_mailbox.get_mailbox_settings(vault) == MailboxSettings()


def test_fetch_before_set_up_says_where_to_set_it_up(vault):
    assert "Settings › Support mailbox" in error_of(ticket_mail.fetch, vault)


# -- mail out -------------------------------------------------------------------------------
@pytest.fixture
def smtp(vault, tls) -> Iterator:
    with running_smtp_server("ssl", tls=tls, username=SMTP_USER,
                             password=SMTP_PASSWORD) as server:
        mailing.save_mail_settings(vault, MailSettings(
            server.host, server.port, "ssl", SMTP_USER, "office@example.com", "Example Office",
            ca_file=str(tls.ca_file)), SMTP_PASSWORD)
        yield server


def test_a_reply_goes_out_threaded_and_the_answer_comes_back_to_the_ticket(
        vault, imap, folder, mailbox, smtp):
    put(imap, folder, mail(message_id="<first@example.org>"))
    number = fetch(vault).messages[0].ticket_number
    ticket = ticket_of(vault, number)
    reply = tickets.add_reply(vault, ticket.id, "We are on our way.",
                              [("steps.txt", "text/plain", b"1. unplug it\n")], send=True)
    sent = ticket_mail.send_reply(vault, reply.id)

    [received] = smtp.messages
    message = received.message
    assert received.rcpt_tos == ("ada@example.org",)
    assert message["Subject"] == f"Re: Printer on fire {ticket.reference}"
    assert message["In-Reply-To"] == "<first@example.org>"
    assert message["References"] == "<first@example.org>"
    assert message["Reply-To"] == IMAP_USER
    assert message["Message-ID"] == sent.mail_message_id
    assert "We are on our way." in message.get_body(("plain",)).get_content()
    assert received.attachments() == [("steps.txt", "text/plain", b"1. unplug it\n")]
    stored = next(m for m in ticket_of(vault, number).messages if m.id == reply.id)
    assert (stored.mail_status, stored.mail_error, stored.message_id) == (
        "sent", "", sent.mail_message_id)

    # The customer answers the mail as a mail program would: subject and headers kept.
    answer = mail("Thanks, it works again.", subject=str(message["Subject"]).replace(
        "Re: ", "Re: Re: ", 1), in_reply_to=sent.mail_message_id,
        references=f"<first@example.org> {sent.mail_message_id}")
    put(imap, folder, answer)
    report = fetch(vault)
    assert report.replies == 1 and report.messages[0].ticket_number == number
    thread = ticket_of(vault, number).messages
    assert [m.body for m in thread if m.kind == "customer"] == [
        "Hello,\n\nthe printer is on fire.\n\nAda", "Thanks, it works again."]
    with pytest.raises(UserError, match="already sent"):
        ticket_mail.send_reply(vault, reply.id)


def test_a_failed_send_is_kept_on_the_reply(vault, imap, folder, mailbox, smtp):
    put(imap, folder, mail())
    ticket = ticket_of(vault, fetch(vault).messages[0].ticket_number)
    reply = tickets.add_reply(vault, ticket.id, "Hello", send=True)
    message = error_of(ticket_mail.send_reply, vault, reply.id, password="wrong")
    assert "did not accept the user name or password" in message
    stored = next(m for m in ticket_of(vault, ticket.number).messages if m.id == reply.id)
    assert (stored.mail_status, stored.mail_error) == ("failed", message)
    assert stored.message_id.startswith("<") and smtp.messages == []
    ticket_mail.send_reply(vault, reply.id)  # a retry with the saved password
    assert len(smtp.messages) == 1


def test_a_reply_without_a_mail_server_is_marked_failed_with_the_reason(
        vault, imap, folder, mailbox):
    put(imap, folder, mail())
    ticket = ticket_of(vault, fetch(vault).messages[0].ticket_number)
    reply = tickets.add_reply(vault, ticket.id, "Hello", send=True)
    message = error_of(ticket_mail.send_reply, vault, reply.id)
    stored = next(m for m in ticket_of(vault, ticket.number).messages if m.id == reply.id)
    assert (stored.mail_status, stored.mail_error) == ("failed", message)


def test_a_restricted_requester_is_not_emailed(vault, imap, folder, mailbox, smtp):
    put(imap, folder, mail())
    ticket = ticket_of(vault, fetch(vault).messages[0].ticket_number)
    reply = tickets.add_reply(vault, ticket.id, "Hello", send=True)
    privacy_consent.restrict(vault, ticket.requester_id, "Asked us to stop processing.")
    message = error_of(ticket_mail.send_reply, vault, reply.id)
    assert "restricted" in message
    assert smtp.messages == []


def test_a_note_is_never_sent(vault, imap, folder, mailbox, smtp):
    put(imap, folder, mail())
    ticket = ticket_of(vault, fetch(vault).messages[0].ticket_number)
    note = tickets.add_note(vault, ticket.id, "internal")
    assert "internal note" in error_of(ticket_mail.send_reply, vault, note.id)
    assert smtp.messages == []


@pytest.mark.parametrize(("subject", "expected"), [
    ("Printer on fire", "Re: Printer on fire"),
    ("Re: RE: Aw: Printer", "Re: Printer"),
    ("Re: Printer [#12-abcdef]", "Re: Printer"),
    ("", "Re: your request"),
])
def test_reply_subjects(subject, expected):
    assert ticket_mail.reply_subject(subject) == expected


@pytest.mark.parametrize(("name", "split"), [
    ("Ada Lovelace", ("Ada", "Lovelace")), ("Lovelace, Ada", ("Ada", "Lovelace")),
    ("Ada", ("Ada", "")), ("", ("", "")), ("ada@example.org", ("", "")),
    ("Jean Claude Van Damme", ("Jean Claude Van", "Damme")),
])
def test_names_from_the_from_header(name, split):
    assert ticket_mail.split_name(name) == split
