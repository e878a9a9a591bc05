"""Support mail in and out: the mailbox's messages become tickets or join the ticket they
answer, and the office's replies go to the customer by email.

Fetching (`fetch`): the folder of the support mailbox (services/support_mailbox) is read
over IMAPS. A message is known by (mailbox, UIDVALIDITY, UID); each one taken in leaves
an `InboxItem`, so a message is read once and nothing is skipped silently: every
message ends as "ticket" (a new ticket), "reply" (joined a ticket), "ignored" (the same
Message-ID is already in a thread) or "failed" (with a sentence saying why). Mail on
the server is never deleted or moved; with `mark_seen` in the settings it is marked
read once it is in the vault (a failed one stays unread there, for a person to look
at). Every message of the folder is taken in, read or not, so the first fetch takes
in all the folder holds: point the settings at a folder for support mail only.

One message, one transaction: the ticket or message, its attachments and its
InboxItem are written together, so a crash leaves all of it or nothing, and the next
fetch takes the message again. A message that cannot be taken in gets its "failed"
InboxItem in a transaction of its own, and the fetch goes on with the next one.

Which ticket a message joins. It must name the ticket, by its headers (In-Reply-To or
References hold the Message-ID of a message of that ticket's thread) or by its subject
(the reference "[#1234-k3j9q2]" with that ticket's own random token: a number alone is
easy to guess). And it must come from the ticket's requester: the address the ticket
was opened with, or any address of the requester's person record. A message that names
a ticket but comes from someone else, or carries a reference whose token is wrong,
becomes a new ticket, and its InboxItem says why, so a forged reply never lands in
another customer's thread. A message to a merged ticket goes to the ticket it was
merged into; one to a closed ticket opens a follow-up (services/tickets).

A new ticket's requester is the person who has the sender's address. When nobody has
it, a person is created from the From header (its name split into first and last name,
else the address as display name; source "Support email"), checked as any new contact
is, so the ticket has a requester to answer and shows on a timeline. A message with no
usable sender address is recorded as failed: there would be nobody to answer.

Size limits. A message over `MESSAGE_LIMIT` bytes on the server is not downloaded: it is
recorded as failed with its size, to be read in a mail program. Inside a message, an
attachment over `ATTACHMENT_LIMIT` (the vault's attachment limit) is not kept, and the
message is taken in without it, with a note at the end of its text and in its InboxItem
naming the file and its size. (Refusing the whole message would keep the customer's
words out of the queue for the sake of a file the office cannot store anyway.) Other
notes from reading the mail (an unknown character set, damaged parts) are added the
same way.

Sending (`send_reply`): a public reply of a ticket goes to the ticket's requester email
over SMTP with the same settings and keychain secret as invoices (services/mailing),
with the subject "Re: <subject> [#1234-token]", a new Message-ID kept on the message,
In-Reply-To and References from the thread, Reply-To set to the support mailbox's
address, and the reply's attachments. Its `mail_status` goes "sending" (with the
Message-ID, before the server is reached, so an answer to it threads even if the app
stops half-way), then "sent", or "failed" with the sentence in `mail_error`. A
restricted requester is refused, as mailing refuses any mail to them.

Permissions (area "tickets"): fetching mail (`fetch`, and `take_in` for one message)
makes tickets, so it needs tickets.create; sending a reply by email is working on the
ticket, tickets.edit. Setting up the mailbox is support_mailbox's ("settings").
"""

from __future__ import annotations

import hmac
import logging
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import (
    Attachment,
    AttachmentContent,
    InboxItem,
    Person,
    PersonEmail,
    Ticket,
    TicketMessage,
)
from crasme_desktop.domain.progress import Progress
from crasme_desktop.domain.validation import (
    EmailAddress,
    contains_card_number,
    email_key,
    normalize_email,
    quoted,
)
from crasme_desktop.domain.validation_records import EmailDraft, PersonDraft, clean_person
from crasme_desktop.formats.mail_message import (
    LeftOutAttachment,
    ParsedMail,
    clean_filename,
    parse_mail,
)
from crasme_desktop.services import (
    attachments,
    audit,
    contacts,
    mailing,
    permissions,
    privacy_consent,
    search_index,
    support_mailbox,
    tickets,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crasme_desktop.vault import Vault

log = logging.getLogger(__name__)

ATTACHMENT_LIMIT = attachments.MAX_ATTACHMENT_BYTES
MESSAGE_LIMIT = 64 * 1024 * 1024
PERSON_SOURCE = "Support email"
#: Message-IDs of the thread put in a reply's References (the newest ones).
REFERENCES_MAX = 20
#: A Date header more than this far ahead of the clock is not believed.
_FUTURE_SLACK = timedelta(hours=1)


@dataclass(frozen=True)
class FetchedMessage:
    """What became of one message of the mailbox."""

    uid: int
    outcome: str  # "ticket" | "reply" | "ignored" | "failed"
    ticket_number: int | None
    subject: str
    sender: str
    #: Why it failed, was ignored or became a new ticket instead of a reply, and what
    #: could not be read as sent; "" when all went as it came.
    reason: str


@dataclass(frozen=True)
class FetchReport:
    mailbox: str
    new_tickets: int
    replies: int
    ignored: int
    #: Messages already taken in by an earlier fetch (left alone).
    already_seen: int
    failed: tuple[FetchedMessage, ...]
    messages: tuple[FetchedMessage, ...] = field(default=())

    @property
    def summary(self) -> str:
        """One sentence for the whole fetch."""
        parts = [_count(self.new_tickets, "new ticket"), _count(self.replies, "reply",
                                                                 "replies")]
        if self.ignored:
            parts.append(_count(self.ignored, "message already in a ticket",
                                "messages already in a ticket"))
        text = ", ".join(parts)
        if self.failed:
            text += (f"; {_count(len(self.failed), 'message')} could not be taken in "
                     "(the reasons are listed)")
        return f"Fetched the support mailbox: {text}."


@dataclass(frozen=True)
class SentReply:
    ticket_message_id: str
    mail_message_id: str
    to: str
    subject: str
    attachment_names: tuple[str, ...]


# -- fetching ----------------------------------------------------------------------------
def fetch(
    vault: Vault,
    *,
    password: str | None = None,
    progress: Progress | None = None,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = support_mailbox.TIMEOUT_S,
    attachment_limit: int = ATTACHMENT_LIMIT,
    message_limit: int = MESSAGE_LIMIT,
) -> FetchReport:
    """Take in the support mailbox's new messages (see the module's rules). Cancelling
    `progress` stops between two messages (`Cancelled`); what was taken in stays. A
    server that cannot be reached, refuses the password or fails TLS is a `UserError`
    with one sentence, and so is a connection lost half-way (what came before stays)."""
    permissions.require(vault, "tickets.create")
    progress = progress or Progress()
    settings = support_mailbox.configured_settings(vault)
    secret = support_mailbox.mailbox_password(vault, password)
    progress.check()
    with support_mailbox.open_mailbox(settings, secret, ssl_context=ssl_context,
                                      timeout=timeout, writable=settings.mark_seen) as box:
        uids = box.uids()
        known = _known_uids(vault, settings.name, box.uid_validity)
        new = [u for u in uids if u not in known]
        sizes = box.sizes(new) if new else {}
        done: list[FetchedMessage] = []
        for index, uid in enumerate(new):
            progress.update(index, len(new), f"Taking in message {index + 1} of {len(new)}")
            progress.check()  # a cancel from the listener itself stops before this message
            size = sizes.get(uid, 0)
            try:
                header = box.read_header(uid) if size > message_limit else None
                raw = box.read(uid) if size <= message_limit else None
            except UserError as exc:
                raise _stopped(exc, done) from None
            if header is not None:
                done.append(_record_failure(
                    vault, settings.name, box.uid_validity, uid, parse_mail(header),
                    f"The message is {_size(size)}, more than the {_size(message_limit)} a "
                    "message can be to be taken in; read it in a mail program."))
                continue
            if raw is None:
                done.append(_record_failure(
                    vault, settings.name, box.uid_validity, uid, None,
                    "The message was deleted from the mailbox before it could be read."))
                continue
            result = take_in(vault, settings.name, box.uid_validity, uid, raw,
                             attachment_limit=attachment_limit)
            done.append(result)
            if settings.mark_seen and result.outcome != "failed":
                try:
                    box.mark_seen(uid)
                except UserError as exc:
                    raise _stopped(exc, done) from None
        if new:
            progress.update(len(new), len(new), "Done")
    report = FetchReport(
        mailbox=settings.name,
        new_tickets=sum(1 for m in done if m.outcome == "ticket"),
        replies=sum(1 for m in done if m.outcome == "reply"),
        ignored=sum(1 for m in done if m.outcome == "ignored"),
        already_seen=len(uids) - len(new),
        failed=tuple(m for m in done if m.outcome == "failed"),
        messages=tuple(done),
    )
    log.info("Fetched the support mailbox: %d new, %d replies, %d ignored, %d failed",
             report.new_tickets, report.replies, report.ignored, len(report.failed))
    return report


def take_in(
    vault: Vault, mailbox: str, uid_validity: int, uid: int, raw: bytes, *,
    attachment_limit: int = ATTACHMENT_LIMIT,
) -> FetchedMessage:
    """One message into the vault in one transaction, or its failure in another."""
    permissions.require(vault, "tickets.create")
    parsed = parse_mail(raw, attachment_limit=attachment_limit)
    now = vault.clock.now()
    try:
        with vault.unit_of_work(immediate=True) as uow:
            return _take_in(uow.session, mailbox, uid_validity, uid, parsed, now)
    except (IntegrityError, _TakenMeanwhile):
        # Another window took the same message in meanwhile: it is theirs.
        return FetchedMessage(uid, "ignored", None, parsed.subject, parsed.from_address,
                              "Another window took this message in at the same time.")
    except UserError as exc:
        return _record_failure(vault, mailbox, uid_validity, uid, parsed,
                               f"The message could not be taken in: {_lower(exc.message)}")


def _take_in(s: Session, mailbox: str, uid_validity: int, uid: int, parsed: ParsedMail,
             now: datetime) -> FetchedMessage:
    if s.scalar(select(InboxItem.id).where(InboxItem.mailbox == mailbox,
                                           InboxItem.uid_validity == uid_validity,
                                           InboxItem.uid == uid)) is not None:
        raise _TakenMeanwhile()
    sender = _sender(parsed)
    if sender is None:
        raise UserError("it has no sender address that can be answered, so there would be "
                        "nobody to reply to; read it in a mail program.")
    if parsed.message_id:
        earlier = s.scalars(select(TicketMessage).where(
            TicketMessage.message_id == parsed.message_id).limit(1)).first()
        if earlier is not None:
            number = s.get(Ticket, earlier.ticket_id).number  # type: ignore[union-attr]
            reason = f"The same message (its Message-ID) is already in ticket #{number}."
            _inbox(s, mailbox, uid_validity, uid, parsed, "ignored", earlier.ticket_id,
                   reason, now)
            return FetchedMessage(uid, "ignored", number, parsed.subject, sender.address,
                                  reason)
    ticket, refused = _matching_ticket(s, parsed, sender)
    notes = _notes(parsed)
    body = _body_with_notes(parsed.body, notes)
    files = _files(parsed)
    occurred = _occurred_at(parsed, now)
    references = " ".join(parsed.thread_ids)[:20_000]
    if ticket is not None:
        message = tickets.add_customer_message_in(
            s, ticket, body=body, author=parsed.from_name or sender.address,
            author_email=sender.address, occurred_at=occurred, message_id=parsed.message_id,
            references=references, attachments=files, now=now)
        joined = s.get(Ticket, message.ticket_id)
        assert joined is not None  # nosec B101  # the message was just written to it
        reason = " ".join(notes)
        _inbox(s, mailbox, uid_validity, uid, parsed, "reply", joined.id, reason, now)
        return FetchedMessage(uid, "reply", joined.number, parsed.subject, sender.address,
                              reason)
    person = _requester(s, parsed, sender)
    opened = tickets.open_ticket_in(
        s, subject=parsed.subject or "(no subject)", body=body, requester_id=person.id,
        requester_email=sender.address, author=parsed.from_name or sender.address,
        occurred_at=occurred, message_id=parsed.message_id, references=references,
        attachments=files, now=now)
    reason = " ".join([*refused, *notes])
    _inbox(s, mailbox, uid_validity, uid, parsed, "ticket", opened.id, reason, now)
    return FetchedMessage(uid, "ticket", opened.number, parsed.subject, sender.address,
                          reason)


def _matching_ticket(s: Session, parsed: ParsedMail,
                     sender: EmailAddress) -> tuple[Ticket | None, list[str]]:
    """The ticket this message answers, if it names one and comes from its requester;
    else None and the sentences saying which tickets it named in vain."""
    named: list[Ticket] = []
    ids = parsed.thread_ids
    if ids:
        rows = s.execute(select(TicketMessage.message_id, TicketMessage.ticket_id)
                         .where(TicketMessage.message_id.in_(ids))).all()
        by_id = {mid: tid for mid, tid in rows}
        for mid in ids:  # the message it answers first
            ticket = s.get(Ticket, by_id[mid]) if mid in by_id else None
            if ticket is not None and ticket not in named:
                named.append(ticket)
    refused: list[str] = []
    found = tickets.parse_reference(parsed.subject)
    if found is not None:
        number, token = found
        ticket = s.scalars(select(Ticket).where(Ticket.number == number)).first()
        if ticket is not None and hmac.compare_digest(token.encode(),
                                                      ticket.mail_token.lower().encode()):
            if ticket not in named:
                named.append(ticket)
        elif ticket is not None:
            refused.append(f"Its subject names ticket #{number} with a reference that does not "
                           "match that ticket's, so it became a new ticket.")
    for ticket in named:
        if _from_requester(s, ticket, sender):
            return ticket, []
    for ticket in named:
        refused.append(f"It answers ticket #{ticket.number} but comes from an address that "
                       "is not that ticket's requester's, so it became a new ticket.")
    return None, refused


def _from_requester(s: Session, ticket: Ticket, sender: EmailAddress) -> bool:
    if ticket.requester_email and email_key(ticket.requester_email) == sender.key:
        return True
    if not ticket.requester_id:
        return False
    return s.scalar(select(PersonEmail.id).where(
        PersonEmail.person_id == ticket.requester_id,
        PersonEmail.address_key == sender.key).limit(1)) is not None


def _requester(s: Session, parsed: ParsedMail, sender: EmailAddress) -> Person:
    """The person with the sender's address, or a new one made from the From header."""
    found = tickets.find_person_by_email(s, sender.address)
    if found is not None:
        return found
    given, family = split_name(parsed.from_name)
    draft = PersonDraft(
        given_name=given, family_name=family,
        display_name="" if (given or family) else sender.address,
        emails=(EmailDraft(sender.address, primary=True),), source=PERSON_SOURCE)
    try:
        clean = clean_person(draft, region=contacts.office_region_of(s))
    except UserError:
        # A name the contact rules refuse (too long, a card number in it): the address
        # alone is always a valid display name.
        clean = clean_person(PersonDraft(display_name=sender.address,
                                         emails=(EmailDraft(sender.address, primary=True),),
                                         source=PERSON_SOURCE),
                             region=contacts.office_region_of(s))
    person = Person(given_name=clean.given_name, family_name=clean.family_name,
                    display_name=clean.display_name, sort_key=clean.sort_key,
                    source=clean.source)
    person.emails = [PersonEmail(kind=e.kind, address=e.address, address_key=e.key,
                                 is_primary=e.primary, position=i)
                     for i, e in enumerate(clean.emails)]
    s.add(person)
    s.flush()
    audit.add(s, "person.create", "person", person.id)
    search_index.index_people(s, [person.id])
    return person


def split_name(name: str) -> tuple[str, str]:
    """(first name, last name) of a From header's name: "Lovelace, Ada" and "Ada
    Lovelace" both give ("Ada", "Lovelace"); one word is a first name."""
    text = " ".join((name or "").replace('"', " ").split())
    if "@" in text:
        return "", ""  # a name that is an address says nothing more than the address
    if "," in text:
        family, _, given = text.partition(",")
        return given.strip(), family.strip()
    given, _, family = text.rpartition(" ")
    return (given, family) if given else (family, "")


def _sender(parsed: ParsedMail) -> EmailAddress | None:
    if not parsed.from_address:
        return None
    try:
        return normalize_email(parsed.from_address)
    except UserError:
        return None


def _notes(parsed: ParsedMail) -> list[str]:
    notes = list(parsed.notes)
    for left in parsed.too_large:
        notes.append(_too_large_note(left))
    for filename, _type, _data in _files(parsed, renamed_only=True):
        notes.append(f"An attachment's name looked like a card number, so it is kept as "
                     f"{quoted(filename)}.")
    return notes


def _too_large_note(left: LeftOutAttachment) -> str:
    return (f"The attachment {quoted(left.filename)} ({_size(left.size)}) was not kept: "
            f"attachments over {_size(ATTACHMENT_LIMIT)} are not taken in, so ask the "
            "sender for it another way.")


def _files(parsed: ParsedMail, *, renamed_only: bool = False) -> list[tickets.NewAttachment]:
    """The attachments to keep; a name that looks like a card number is replaced (the
    vault refuses to store one) rather than losing the file."""
    out: list[tickets.NewAttachment] = []
    for item in parsed.attachments:
        renamed = contains_card_number(item.filename)
        name = clean_filename("", item.media_type) if renamed else item.filename
        if renamed or not renamed_only:
            out.append((name, item.media_type, item.data))
    return out


def _body_with_notes(body: str, notes: Sequence[str]) -> str:
    if not notes:
        return body
    block = "\n".join(f"[{note}]" for note in notes)
    return f"{body}\n\n{block}" if body else block


def _occurred_at(parsed: ParsedMail, now: datetime) -> datetime:
    now = as_utc(now)
    if parsed.sent_at is None:
        return now
    sent = as_utc(parsed.sent_at)
    return now if sent > now + _FUTURE_SLACK else sent


def _inbox(s: Session, mailbox: str, uid_validity: int, uid: int, parsed: ParsedMail | None,
           outcome: str, ticket_id: str | None, reason: str, now: datetime) -> InboxItem:
    row = InboxItem(mailbox=mailbox, uid_validity=uid_validity, uid=uid,
                    message_id=(parsed.message_id if parsed else "")[:998], outcome=outcome,
                    ticket_id=ticket_id, reason=reason, fetched_at=now, created_at=now,
                    updated_at=now)
    s.add(row)
    s.flush()
    return row


def _record_failure(vault: Vault, mailbox: str, uid_validity: int, uid: int,
                    parsed: ParsedMail | None, reason: str) -> FetchedMessage:
    now = vault.clock.now()
    try:
        with vault.unit_of_work() as uow:
            row = _inbox(uow.session, mailbox, uid_validity, uid, parsed, "failed", None,
                         reason, now)
            audit.add(uow.session, "inbox_item.failed", "inbox_item", row.id)
    except IntegrityError:
        pass  # recorded meanwhile by another window
    log.info("A support mail could not be taken in (uid %d)", uid)
    return FetchedMessage(uid, "failed", None, parsed.subject if parsed else "",
                          parsed.from_address if parsed else "", reason)


class _TakenMeanwhile(Exception):
    """The message got its InboxItem from another window since this fetch listed it."""


def _known_uids(vault: Vault, mailbox: str, uid_validity: int) -> set[int]:
    with vault.unit_of_work() as uow:
        return set(uow.session.scalars(select(InboxItem.uid).where(
            InboxItem.mailbox == mailbox, InboxItem.uid_validity == uid_validity)))


def _stopped(exc: UserError, done: Sequence[FetchedMessage]) -> UserError:
    if not done:
        return exc
    return UserError(f"{exc.message.rstrip('.')}; the {_count(len(done), 'message')} before "
                     "that are taken in, so fetch again for the rest.")


# -- sending ----------------------------------------------------------------------------
def send_reply(
    vault: Vault,
    message_id: str,
    *,
    password: str | None = None,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = mailing.TIMEOUT_S,
) -> SentReply:
    """Email a ticket's public reply to its requester (see the module's rules). A failure
    is kept on the message (`mail_status` "failed", `mail_error`) and raised as its
    `UserError`; a password still to be typed (`MailPasswordNeeded`) changes nothing."""
    permissions.require(vault, "tickets.edit")
    draft = _reply_draft(vault, message_id)
    try:
        outgoing = mailing.compose_message(vault, draft.to, draft.subject, draft.body,
                                           draft.files)
    except UserError as exc:  # e.g. no mail server set up: the reply is not left "sending"
        _set_mail_status(vault, message_id, "failed", exc.message, draft.mail_id)
        raise
    if draft.in_reply_to:
        outgoing["In-Reply-To"] = draft.in_reply_to
    if draft.references:
        outgoing["References"] = " ".join(draft.references)
    reply_to = support_mailbox.get_mailbox_settings(vault).reply_address
    if reply_to:
        outgoing["Reply-To"] = reply_to
    mail_id = str(outgoing["Message-ID"])
    _set_mail_status(vault, message_id, "sending", "", mail_id)
    try:
        sent = mailing.send_email_message(vault, outgoing, password=password,
                                          ssl_context=ssl_context, timeout=timeout)
    except mailing.MailPasswordNeeded:
        _set_mail_status(vault, message_id, draft.status, draft.error, draft.mail_id)
        raise
    except UserError as exc:
        _set_mail_status(vault, message_id, "failed", exc.message, mail_id)
        raise
    if not sent.recipients:
        error = f"The mail server refused the address {draft.to}; check it and send again."
        _set_mail_status(vault, message_id, "failed", error, mail_id)
        raise UserError(error)
    _set_mail_status(vault, message_id, "sent", "", mail_id)
    return SentReply(message_id, mail_id, draft.to, sent.subject, sent.attachment_names)


@dataclass(frozen=True)
class _ReplyDraft:
    to: str
    subject: str
    body: str
    files: tuple[tuple[str, bytes, str], ...]
    in_reply_to: str
    references: tuple[str, ...]
    status: str  # the message's mail status and error before this send
    error: str
    mail_id: str


def _reply_draft(vault: Vault, message_id: str) -> _ReplyDraft:
    with vault.unit_of_work() as uow:
        s = uow.session
        message = s.get(TicketMessage, message_id)
        if message is None:
            raise UserError("That reply no longer exists; it may have been deleted meanwhile.")
        ticket = s.get(Ticket, message.ticket_id)
        assert ticket is not None  # nosec B101  # the foreign key cascades deletes
        if message.kind != "reply":
            raise UserError("Only a public reply is sent by email; an internal note or the "
                            "customer's own message is not.")
        if message.mail_status == "sent":
            raise UserError(f"This reply on ticket #{ticket.number} was already sent by "
                            "email.")
        if not ticket.requester_email:
            raise UserError(f"Ticket #{ticket.number} has no requester email address, so "
                            "the reply cannot be sent by email.")
        privacy_consent.ensure_not_restricted(s, ticket.requester_id, "emailed")
        thread = s.execute(
            select(TicketMessage.kind, TicketMessage.message_id)
            .where(TicketMessage.ticket_id == ticket.id, TicketMessage.id != message.id,
                   TicketMessage.message_id != "",
                   TicketMessage.occurred_at <= message.occurred_at)
            .order_by(TicketMessage.occurred_at, TicketMessage.id)).all()
        customer = [mid for kind, mid in thread if kind == "customer"]
        files = tuple(
            (row.filename, _checked(row, data), row.media_type)
            for row, data in s.execute(
                select(Attachment, AttachmentContent.data)
                .join(AttachmentContent, AttachmentContent.attachment_id == Attachment.id)
                .where(Attachment.subject_kind == tickets.MESSAGE_KIND,
                       Attachment.subject_id == message.id)
                .order_by(Attachment.created_at, Attachment.id)).all())
        return _ReplyDraft(
            to=ticket.requester_email,
            subject=f"{reply_subject(ticket.subject)} {tickets.reference(ticket)}",
            body=message.body,
            files=files,
            in_reply_to=customer[-1] if customer else (thread[-1][1] if thread else ""),
            references=tuple(dict.fromkeys(mid for _kind, mid in thread))[-REFERENCES_MAX:],
            status=message.mail_status,
            error=message.mail_error,
            mail_id=message.message_id,
        )


def reply_subject(subject: str) -> str:
    """ "Re: " once before the subject, without an old ticket reference."""
    text = " ".join((subject or "").split())
    while True:
        head = text[:3].lower()
        if head in ("re:", "aw:", "sv:") or text[:4].lower() == "fwd:":
            text = text.split(":", 1)[1].strip()
            continue
        break
    found = tickets.parse_reference(text)
    if found is not None:
        text = " ".join(text.replace(f"[#{found[0]}-{found[1]}]", "").split())
    return f"Re: {text}" if text else "Re: your request"


def _checked(row: Attachment, data: bytes) -> bytes:
    import hashlib

    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise attachments.AttachmentDamaged(
            f"The attachment {quoted(row.filename)} is damaged; restore it from a backup.")
    return bytes(data)


def _set_mail_status(vault: Vault, message_id: str, status: str, error: str,
                     mail_id: str) -> None:
    with vault.unit_of_work() as uow:
        s = uow.session
        message = s.get(TicketMessage, message_id)
        if message is None:
            return
        message.mail_status, message.mail_error, message.message_id = status, error, mail_id
        message.updated_at = vault.clock.now()
        audit.add(s, f"ticket_message.mail:{status or 'reset'}", "ticket_message",
                  message_id)


# -- small helpers -----------------------------------------------------------------------
def _size(size: int) -> str:
    mb = size / (1024 * 1024)
    if mb >= 1:
        return f"{mb:.0f} MB" if mb >= 10 else f"{mb:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _lower(sentence: str) -> str:
    """A sentence to follow a colon: its first letter small unless it is a name."""
    if len(sentence) > 1 and sentence[0].isupper() and not sentence[1].isupper():
        return sentence[0].lower() + sentence[1:]
    return sentence
