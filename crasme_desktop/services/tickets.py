"""Support tickets: creating them, their status moves, their thread (public replies,
internal notes, the customer's messages, with attachments kept encrypted in the vault),
merging two tickets, and the session-level intake the mailbox uses.

Numbers: a ticket's number is the next whole number (the highest so far + 1), taken
inside the write transaction that makes the ticket (`immediate`), so two windows never
take the same one and no number is skipped.

Statuses and the moves between them (`MOVES`; anything else is refused with a sentence
that names the ticket):

    new      -> open, pending, on hold, solved
    open     -> pending, on hold, solved
    pending  -> open, on hold, solved
    on hold  -> open, pending, solved
    solved   -> open (reopen), closed
    closed   -> nothing: closed is final

A closed ticket is never reopened. When its customer writes again, the message opens a
follow-up ticket (same requester, company, priority and category) whose thread starts
with an internal note "Follow-up to ticket #N", and the closed ticket gets a note naming
the follow-up. A message to a ticket that was merged goes to the ticket it was merged
into. Merging closes the source ticket without going through `MOVES` (its messages
leave it; nothing is left to work on).

A customer's message moves a pending or on-hold ticket back to open, and reopens a
solved one. A public reply on a new ticket makes it open (or takes the status the agent
chose with it, "reply and set pending"). Every move writes a `TicketStatusChange` row
(creation writes "" -> "new") and calls the SLA clock (`services.sla`) in the same
transaction; the first public reply is the first response.

Restriction of processing: a restricted person cannot get new tickets by hand and their
tickets cannot be changed (replies, notes, status, triage). Mail from a restricted person
is still taken in (refusing it would lose what they wrote, and keeping it is allowed
under a restriction): the message is stored and the usual status move happens, so the
ticket shows in the queues, and an internal note says the requester is restricted, so
nobody answers before the restriction is lifted.

Timeline: each ticket has entries on its requester's and its company's timeline
(subject "ticket"): created, solved, reopened, merged. Search: kind "ticket", its number
("#1234" and "1234"), subject and requester's name, kept in step on create and on
changes of subject or requester. Audit events carry ids only.

Permissions (area "tickets"): making a ticket by hand is tickets.create; whatever adds
to or changes an existing ticket (its fields, its status, a reply, a note, the
customer's words typed in, merging two tickets) is tickets.edit; reading one, its
thread or finding it by number tickets.view. Tickets are never deleted here (a ticket is
closed; deleting canned replies is tickets.delete). The session-level intake the
mailbox uses (`open_ticket_in`, `add_customer_message_in`) and the other helpers that
take a session check nothing: `ticket_mail` checks before it takes mail in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import (
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    Attachment,
    AttachmentContent,
    Invoice,
    Job,
    Organization,
    Person,
    PersonEmail,
    StaffMember,
    Ticket,
    TicketMessage,
    TicketStatusChange,
)
from crasme_desktop.domain.validation import (
    check_no_card_number,
    clean_text,
    email_key,
    normalize_email,
    quoted,
    sort_key,
)
from crasme_desktop.services import (
    attachments,
    audit,
    permissions,
    privacy_consent,
    search_index,
    sla,
)
from crasme_desktop.services.attachments import AttachmentInfo
from crasme_desktop.services.quotes import add_timeline
from crasme_desktop.vault import Vault

SUBJECT_MAX, CATEGORY_MAX, TAG_MAX, TAGS_MAX = 300, 100, 50, 1000
BODY_MAX = 200_000
AUTHOR_MAX = 200
#: Letters of the random part of a mail reference (no 0/o, 1/l that read alike).
TOKEN_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # nosec B105  # an alphabet, not a password
TOKEN_LENGTH = 6
ACTIVE = ("new", "open", "pending", "on_hold")
DONE = ("solved", "closed")
MOVES: dict[str, frozenset[str]] = {
    "": frozenset({"new"}),
    "new": frozenset({"open", "pending", "on_hold", "solved"}),
    "open": frozenset({"pending", "on_hold", "solved"}),
    "pending": frozenset({"open", "on_hold", "solved"}),
    "on_hold": frozenset({"open", "pending", "solved"}),
    "solved": frozenset({"open", "closed"}),
    "closed": frozenset(),
}
STATUS_LABELS = {"new": "new", "open": "open", "pending": "pending", "on_hold": "on hold",
                 "solved": "solved", "closed": "closed"}
SUBJECT_KIND = "ticket"
MESSAGE_KIND = "ticket_message"
_REFERENCE = re.compile(r"\[#(\d{1,12})-([a-z0-9]{4,20})\]", re.IGNORECASE)

__all__ = [
    "ACTIVE",
    "MOVES",
    "STATUS_LABELS",
    "InvoiceLink",
    "JobLink",
    "MessageRecord",
    "NewAttachment",
    "StatusChangeRecord",
    "TicketDraft",
    "TicketRecord",
    "add_customer_message",
    "add_customer_message_in",
    "add_note",
    "add_reply",
    "agent_for",
    "can_move",
    "change_status",
    "create_ticket",
    "find_person_by_email",
    "find_ticket_by_number",
    "get_ticket",
    "index_tickets",
    "merge_tickets",
    "move_in",
    "move_sentence",
    "my_staff",
    "normalize_tags",
    "open_ticket_in",
    "parse_reference",
    "reference",
    "split_tags",
    "thread",
    "update_ticket",
]

#: An attachment as given: (file name, media type or "", bytes).
NewAttachment = tuple[str, str, bytes]


# -- what callers get ------------------------------------------------------------------
@dataclass(frozen=True)
class TicketDraft:
    """A ticket as a form gives it. `requester_email` "" : the requester's primary email;
    `organization_id` None: the requester's company (give "" for none at all);
    `tags` comma-separated as typed."""

    subject: str
    requester_id: str | None = None
    requester_email: str = ""
    organization_id: str | None = None
    priority: str = "normal"
    category: str = ""
    assignee_id: str | None = None
    tags: str = ""
    invoice_id: str | None = None


@dataclass(frozen=True)
class MessageRecord:
    id: str
    ticket_id: str
    kind: str  # reply | note | customer
    author: str
    author_email: str
    body: str
    occurred_at: datetime
    message_id: str
    references: str
    mail_status: str  # "" | sending | sent | failed
    mail_error: str
    attachments: tuple[AttachmentInfo, ...]

    @property
    def public(self) -> bool:
        return self.kind != "note"


@dataclass(frozen=True)
class StatusChangeRecord:
    at: datetime
    from_status: str
    to_status: str


@dataclass(frozen=True)
class JobLink:
    id: str
    number: int
    title: str
    status: str
    scheduled_start: datetime


@dataclass(frozen=True)
class InvoiceLink:
    id: str
    number: str  # "" for a draft
    status: str


@dataclass(frozen=True)
class TicketRecord:
    id: str
    number: int
    reference: str  # "[#1234-k3j9q2]", for mail subjects
    subject: str
    requester_id: str | None
    requester_name: str
    requester_email: str
    organization_id: str | None
    organization_name: str
    status: str
    priority: str
    category: str
    assignee_id: str | None
    assignee_name: str
    tags: tuple[str, ...]
    invoice: InvoiceLink | None
    jobs: tuple[JobLink, ...]
    merged_into_id: str | None
    merged_into_number: int | None
    due: sla.DueState  # .text, .breached, .paused, .due_at
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_response_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    last_message_at: datetime
    created_at: datetime
    updated_at: datetime
    restricted: bool
    messages: tuple[MessageRecord, ...]
    history: tuple[StatusChangeRecord, ...]

    @property
    def moves(self) -> tuple[str, ...]:
        """The statuses this ticket may be set to now, in the usual order."""
        return tuple(s for s in TICKET_STATUSES if s in MOVES[self.status])

    def draft(self) -> TicketDraft:
        return TicketDraft(
            subject=self.subject, requester_id=self.requester_id,
            requester_email=self.requester_email,
            organization_id=self.organization_id or "", priority=self.priority,
            category=self.category, assignee_id=self.assignee_id, tags=", ".join(self.tags),
            invoice_id=self.invoice.id if self.invoice else None)


# -- references in mail subjects ---------------------------------------------------------
def reference(ticket: Any) -> str:
    """The reference put in mail subjects, "[#1234-k3j9q2]" (number and random token)."""
    return f"[#{ticket.number}-{ticket.mail_token}]"


def parse_reference(subject: str) -> tuple[int, str] | None:
    """(number, token) of the first reference in a mail subject, or None. The caller
    must check the token against the ticket's: a number alone is easy to guess."""
    found = _REFERENCE.search(subject or "")
    if found is None:
        return None
    return int(found.group(1)), found.group(2).lower()


def new_mail_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


# -- status moves --------------------------------------------------------------------------
def can_move(old: str, new: str) -> bool:
    return new in MOVES.get(old, frozenset())


def move_sentence(number: int, old: str, new: str) -> str:
    """Why ticket `number` cannot go from `old` to `new`, in one sentence."""
    if new not in TICKET_STATUSES:
        return f"{quoted(new)} is not a ticket status; choose new, open, pending, on hold, " \
               "solved or closed."
    if old == new:
        return f"Ticket #{number} is already {STATUS_LABELS[new]}."
    if old == "closed":
        return (f"Ticket #{number} is closed, which is final: it cannot be set to "
                f"{STATUS_LABELS[new]} (a new message from the customer opens a follow-up "
                "ticket).")
    if new == "closed":
        return f"Ticket #{number} is {STATUS_LABELS[old]}: solve it before closing it."
    if new == "new":
        return f"Ticket #{number} has been worked on and cannot be set back to new."
    return f"Ticket #{number} cannot go from {STATUS_LABELS[old]} to {STATUS_LABELS[new]}."


def move_in(session: Session, ticket: Ticket, status: str, now: datetime, *,
            force: bool = False) -> bool:
    """Set the ticket's status inside the caller's transaction: the history row, the SLA
    clock, timeline entries for solved and reopened, an audit event. Returns False when
    it already had that status; raises UserError for a move `MOVES` does not allow
    (`force`: merging closes a ticket from any status)."""
    old = ticket.status
    if status == old:
        return False
    if not force and not can_move(old, status):
        raise UserError(move_sentence(ticket.number, old, status))
    ticket.status = status
    ticket.updated_at = now
    session.add(TicketStatusChange(ticket_id=ticket.id, at=now, from_status=old,
                                   to_status=status, created_at=now, updated_at=now))
    sla.after_status_change(session, ticket, old, now)
    if status == "solved":
        _timeline(session, ticket, f"Ticket #{ticket.number} solved: {ticket.subject}", now)
    elif old in DONE and status in ACTIVE:
        _timeline(session, ticket, f"Ticket #{ticket.number} reopened: {ticket.subject}", now)
    audit.add(session, f"ticket.status:{status}", "ticket", ticket.id)
    return True


# -- creating and changing tickets ------------------------------------------------------
def create_ticket(
    vault: Vault, draft: TicketDraft, *, body: str = "", body_kind: str = "customer",
    attachments: Sequence[NewAttachment] = (), author: str | None = None,
) -> TicketRecord:
    """A new ticket made by hand (a call, a visit). `body` is the first message: the
    customer's words ("customer", by the requester) or an internal note ("note", by the
    agent)."""
    permissions.require(vault, "tickets.create")
    now = vault.clock.now()
    if body_kind not in ("customer", "note"):
        raise ValueError(f"unknown first message kind {body_kind!r}")
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        clean = _clean(s, draft)
        privacy_consent.ensure_not_restricted(s, clean["requester_id"], "given new tickets")
        ticket = _new_ticket(s, clean, now)
        text = _body(body, required=False)
        if text or attachments:
            if body_kind == "customer":
                who, email = _requester_name(s, ticket), ticket.requester_email
            else:
                who, email = agent_for(s, author)
            _message(s, ticket, body_kind, text, who, email, now, attachments=attachments)
        return _record(s, ticket, now)


def update_ticket(vault: Vault, ticket_id: str, draft: TicketDraft) -> TicketRecord:
    """Replace the ticket's fields with the draft's (start from `TicketRecord.draft()`).
    The status is changed with `change_status`, not here."""
    permissions.require(vault, "tickets.edit")
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        ticket = _load(s, ticket_id)
        _ensure_workable(s, ticket)
        clean = _clean(s, draft, current=ticket)
        if clean["requester_id"] != ticket.requester_id:
            privacy_consent.ensure_not_restricted(s, clean["requester_id"],
                                                  "given new tickets")
        reindex = (clean["subject"], clean["requester_id"]) != (ticket.subject,
                                                                 ticket.requester_id)
        priority_changed = clean["priority"] != ticket.priority
        for name, value in clean.items():
            setattr(ticket, name, value)
        ticket.updated_at = now
        s.flush()
        if priority_changed:
            sla.after_priority_change(s, ticket, now)
        if reindex:
            index_tickets(s, [ticket.id])
        audit.add(s, "ticket.update", "ticket", ticket.id)
        return _record(s, ticket, now)


def change_status(vault: Vault, ticket_id: str, status: str) -> TicketRecord:
    """Move one ticket to `status` (refused with a sentence when `MOVES` does not allow
    it). Several at once: `ticket_queues.set_status`."""
    permissions.require(vault, "tickets.edit")
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        ticket = _load(s, ticket_id)
        _ensure_workable(s, ticket)
        if status == ticket.status:
            raise UserError(move_sentence(ticket.number, ticket.status, status))
        move_in(s, ticket, status, now)
        s.flush()
        return _record(s, ticket, now)


def get_ticket(vault: Vault, ticket_id: str) -> TicketRecord:
    """The ticket with its thread (oldest first, attachments listed) and status history."""
    permissions.require(vault, "tickets.view")
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        return _record(s, _load(s, ticket_id), now)


def find_ticket_by_number(vault: Vault, number: int | str) -> str | None:
    """The id of the ticket with this number ("1234" or "#1234"), or None."""
    permissions.require(vault, "tickets.view")
    text = str(number).strip().lstrip("#").strip()
    if not text.isdigit():
        return None
    with vault.unit_of_work() as uow:
        return uow.session.scalar(select(Ticket.id).where(Ticket.number == int(text)))


def thread(vault: Vault, ticket_id: str) -> list[MessageRecord]:
    permissions.require(vault, "tickets.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        _load(s, ticket_id)
        return _messages(s, ticket_id)


# -- the thread -------------------------------------------------------------------------
def add_reply(
    vault: Vault, ticket_id: str, body: str, attachments: Sequence[NewAttachment] = (),
    author: str | None = None, *, send: bool = False, status: str | None = None,
) -> MessageRecord:
    """A public reply to the customer. The first one is the ticket's first response.
    With `send` and a requester email the reply is marked "sending" for
    `ticket_mail.send_reply` to send (without an email it is kept, marked ""). `status`:
    the status to set with it ("reply and set pending"); None keeps the status, except
    that a new ticket becomes open."""
    permissions.require(vault, "tickets.edit")
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        ticket = _load(s, ticket_id)
        _ensure_workable(s, ticket)
        if ticket.status == "closed":
            raise UserError(f"Ticket #{ticket.number} is closed, so it takes no more "
                            "replies; open a new ticket for the customer instead.")
        target = status or ("open" if ticket.status == "new" else ticket.status)
        if target != ticket.status and not can_move(ticket.status, target):
            raise UserError(move_sentence(ticket.number, ticket.status, target))
        who, email = agent_for(s, author)
        mail_status = "sending" if send and ticket.requester_email else ""
        message = _message(s, ticket, "reply", _body(body), who, email, now,
                           attachments=attachments, mail_status=mail_status)
        sla.after_public_reply(s, ticket, now)
        move_in(s, ticket, target, now)
        s.flush()
        return _message_record(s, message)


def add_note(
    vault: Vault, ticket_id: str, body: str, attachments: Sequence[NewAttachment] = (),
    author: str | None = None,
) -> MessageRecord:
    """An internal note: never sent, never a response, status unchanged."""
    permissions.require(vault, "tickets.edit")
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        ticket = _load(s, ticket_id)
        _ensure_workable(s, ticket)
        who, email = agent_for(s, author)
        message = _message(s, ticket, "note", _body(body), who, email, now,
                           attachments=attachments)
        s.flush()
        return _message_record(s, message)


def add_customer_message(
    vault: Vault, ticket_id: str, body: str, attachments: Sequence[NewAttachment] = (),
) -> MessageRecord:
    """What the customer said, entered by hand (a call): as a message by mail would, it
    reopens the ticket or opens a follow-up (see `add_customer_message_in`)."""
    permissions.require(vault, "tickets.edit")
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        ticket = _load(s, ticket_id)
        _ensure_workable(s, ticket)
        message = add_customer_message_in(
            s, ticket, body=body, author=_requester_name(s, ticket),
            author_email=ticket.requester_email, occurred_at=now, message_id="",
            references="", attachments=attachments, now=now)
        s.flush()
        return _message_record(s, message)


# -- session level: the mailbox's intake --------------------------------------------------
def open_ticket_in(
    session: Session, *, subject: str, body: str, requester_id: str | None,
    requester_email: str, author: str, occurred_at: datetime, message_id: str = "",
    references: str = "", attachments: Sequence[NewAttachment] = (),
    now: datetime | None = None,
) -> Ticket:
    """A new ticket from a customer's mail, inside the caller's write transaction (open it
    with `immediate=True`: the number is taken here). The company is the requester's;
    priority normal. `now` (the vault's clock; default the real time) starts the SLA
    clock; `occurred_at` is when the customer wrote. A restricted requester's mail is
    taken in with an internal note (see the module doc)."""
    now = now or datetime.now(UTC)
    clean = {
        "subject": _subject(subject or "(no subject)", mail=True),
        "requester_id": requester_id or None,
        "requester_email": _mail_address(requester_email),
        "organization_id": None,
        "priority": "normal",
        "category": "",
        "assignee_id": None,
        "tags": "",
        "invoice_id": None,
    }
    if clean["requester_id"]:
        person = session.get(Person, clean["requester_id"])
        if person is None:
            clean["requester_id"] = None
        else:
            clean["organization_id"] = person.organization_id
    clean["subject_key"] = sort_key(clean["subject"])[:SUBJECT_MAX]
    ticket = _new_ticket(session, clean, now)
    _message(session, ticket, "customer", _mail_body(body), _author(author),
             _mail_address(requester_email), occurred_at, message_id=message_id,
             references=references, attachments=attachments, now=now)
    _restricted_note(session, ticket, now)
    return ticket


def add_customer_message_in(
    session: Session, ticket: Ticket, *, body: str, author: str, author_email: str,
    occurred_at: datetime, message_id: str = "", references: str = "",
    attachments: Sequence[NewAttachment] = (), now: datetime | None = None,
) -> TicketMessage:
    """The customer's message on `ticket`, inside the caller's write transaction. A
    pending or on-hold ticket becomes open, a solved one is reopened; on a merged ticket
    the message goes to the ticket it was merged into; on a closed one it opens a
    follow-up ticket and the message is that ticket's (check `message.ticket_id`)."""
    now = now or datetime.now(UTC)
    ticket = _merge_target(session, ticket)
    if ticket.status == "closed":
        ticket = _follow_up(session, ticket, now)
    message = _message(session, ticket, "customer", _mail_body(body), _author(author),
                       _mail_address(author_email), occurred_at, message_id=message_id,
                       references=references, attachments=attachments, now=now)
    if ticket.status in ("pending", "on_hold", "solved"):
        move_in(session, ticket, "open", now)
    _restricted_note(session, ticket, now)
    return message


def find_person_by_email(session: Session, address: str) -> Person | None:
    """The person with this email address (compared as duplicates are: case-blind, IDN
    domains in ASCII); the primary address wins, then the oldest record."""
    text = (address or "").strip()
    if "@" not in text:
        return None
    key = email_key(text)
    return session.scalars(
        select(Person).join(PersonEmail, PersonEmail.person_id == Person.id)
        .where(PersonEmail.address_key == key)
        .order_by(PersonEmail.is_primary.desc(), Person.created_at, Person.id).limit(1)
    ).first()


# -- merge ---------------------------------------------------------------------------------
def merge_tickets(
    vault: Vault, source_id: str, target_id: str, *, allow_different_requesters: bool = False,
) -> TicketRecord:
    """Merge `source` into `target`: the source's messages move to the target's thread
    (which stays in time order), the source is closed and points to the target, and
    both get a note. Refused into itself, into or from a closed ticket, and between
    different requesters unless `allow_different_requesters`. Returns the target."""
    permissions.require(vault, "tickets.edit")
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        source, target = _load(s, source_id), _load(s, target_id)
        if source.id == target.id:
            raise UserError(f"Ticket #{source.number} cannot be merged into itself; choose "
                            "another ticket.")
        if target.status == "closed":
            raise UserError(f"Ticket #{target.number} is closed, so nothing can be merged "
                            "into it; choose an open ticket.")
        if source.status == "closed":
            raise UserError(f"Ticket #{source.number} is already closed"
                            + (" (it was merged before)" if source.merged_into_id else "")
                            + ", so it cannot be merged.")
        if source.requester_id != target.requester_id and not allow_different_requesters:
            raise UserError(f"Tickets #{source.number} and #{target.number} are from "
                            "different requesters; confirm that they belong together to "
                            "merge them.")
        for ticket in (source, target):
            _ensure_workable(s, ticket)
        s.execute(update(TicketMessage).where(TicketMessage.ticket_id == source.id)
                  .values(ticket_id=target.id, updated_at=now))
        who, email = agent_for(s, None)
        _message(s, source, "note", f"Merged into ticket #{target.number}.", who, email, now)
        _message(s, target, "note", f"Ticket #{source.number} ({source.subject}) was merged "
                 "into this ticket; its messages are in this thread.", who, email, now)
        source.merged_into_id = target.id
        move_in(s, source, "closed", now, force=True)
        latest = s.scalar(select(func.max(TicketMessage.occurred_at))
                          .where(TicketMessage.ticket_id == target.id))
        if latest is not None and as_utc(latest) > as_utc(target.last_message_at):
            target.last_message_at = latest
        target.updated_at = now
        _timeline(s, source, f"Ticket #{source.number} merged into #{target.number}: "
                  f"{source.subject}", now)
        audit.add(s, "ticket.merge", "ticket", target.id)
        s.flush()
        return _record(s, target, now)


# -- search ----------------------------------------------------------------------------
def index_tickets(session: Session, ids: Iterable[str]) -> None:
    """(Re)index these tickets (see services.search_index)."""
    search_index.index_tickets(session, ids)


# -- inside: making rows -------------------------------------------------------------------
def _new_ticket(s: Session, clean: dict[str, Any], now: datetime) -> Ticket:
    number = (s.scalar(select(func.max(Ticket.number))) or 0) + 1
    ticket = Ticket(**clean, number=number, status="new", mail_token=new_mail_token(),
                    paused_minutes=0, last_message_at=now, created_at=now, updated_at=now)
    s.add(ticket)
    s.flush()
    s.add(TicketStatusChange(ticket_id=ticket.id, at=now, from_status="", to_status="new",
                             created_at=now, updated_at=now))
    sla.start_clock(s, ticket, now)
    _timeline(s, ticket, f"Ticket #{number} created: {ticket.subject}", now)
    audit.add(s, "ticket.create", "ticket", ticket.id)
    s.flush()
    index_tickets(s, [ticket.id])
    return ticket


def _message(
    s: Session, ticket: Ticket, kind: str, body: str, author: str, author_email: str,
    occurred_at: datetime, *, message_id: str = "", references: str = "",
    attachments: Sequence[NewAttachment] = (), mail_status: str = "",
    now: datetime | None = None,
) -> TicketMessage:
    occurred_at = as_utc(occurred_at)
    now = as_utc(now or occurred_at)
    message = TicketMessage(
        ticket_id=ticket.id, kind=kind, author=author[:AUTHOR_MAX],
        author_email=author_email[:320], body=body, occurred_at=occurred_at,
        message_id=(message_id or "")[:998], references=references or "",
        mail_status=mail_status, mail_error="", created_at=now, updated_at=now)
    s.add(message)
    s.flush()
    for filename, media_type, data in attachments:
        _attach(s, message.id, filename, media_type, data, now)
    if kind != "note":
        stamp = as_utc(occurred_at)
        if ticket.last_message_at is None or stamp > as_utc(ticket.last_message_at):
            ticket.last_message_at = stamp
    ticket.updated_at = now
    audit.add(s, f"ticket_message.create:{kind}", "ticket_message", message.id)
    return message


def _attach(s: Session, message_id: str, filename: str, media_type: str, data: bytes,
            now: datetime) -> Attachment:
    """An attachment of a ticket message, kept in the vault as services.attachments
    keeps files (same checks: name, size, card numbers in the name)."""
    name = check_no_card_number(attachments.clean_filename(filename), "file name")
    if len(data) > attachments.MAX_ATTACHMENT_BYTES:
        raise UserError(f"The file {quoted(name)} is larger than "
                        f"{attachments.MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB, the most "
                        "an attachment can be.")
    media = (media_type or "").strip().lower() or attachments.guess_media_type(name)
    row = Attachment(filename=name, media_type=media[:127], size=len(data),
                     sha256=hashlib.sha256(data).hexdigest(), subject_kind=MESSAGE_KIND,
                     subject_id=message_id, created_at=now, updated_at=now)
    s.add(row)
    s.flush()
    s.add(AttachmentContent(attachment_id=row.id, data=bytes(data)))
    audit.add(s, "attachment.create", "attachment", row.id)
    return row


def _follow_up(s: Session, closed: Ticket, now: datetime) -> Ticket:
    clean = {
        "subject": closed.subject, "subject_key": closed.subject_key,
        "requester_id": closed.requester_id, "requester_email": closed.requester_email,
        "organization_id": closed.organization_id, "priority": closed.priority,
        "category": closed.category, "assignee_id": closed.assignee_id,
        "tags": closed.tags, "invoice_id": closed.invoice_id,
    }
    follow = _new_ticket(s, clean, now)
    who, email = agent_for(s, None)
    _message(s, follow, "note", f"Follow-up to ticket #{closed.number}, which was closed "
             "when the customer wrote again.", who, email, now)
    _message(s, closed, "note", f"The customer wrote again; the message is in follow-up "
             f"ticket #{follow.number}.", who, email, now)
    return follow


def _merge_target(s: Session, ticket: Ticket) -> Ticket:
    seen = {ticket.id}
    while ticket.merged_into_id:
        target = s.get(Ticket, ticket.merged_into_id)
        if target is None or target.id in seen:
            break
        seen.add(target.id)
        ticket = target
    return ticket


def _restricted_note(s: Session, ticket: Ticket, now: datetime) -> None:
    if ticket.requester_id and privacy_consent.is_restricted(s, ticket.requester_id):
        who, email = agent_for(s, None)
        _message(s, ticket, "note", "The requester's data is restricted: their message was "
                 "kept, but do not answer or work on the ticket until the restriction is "
                 "lifted on the Privacy page.", who, email, now)


def _timeline(s: Session, ticket: Ticket, subject: str, now: datetime) -> None:
    if ticket.requester_id or ticket.organization_id:
        add_timeline(s, SUBJECT_KIND, ticket.id, ticket.requester_id, ticket.organization_id,
                     subject, now)


# -- inside: checking input ---------------------------------------------------------------
def _subject(value: str, *, mail: bool = False) -> str:
    text = clean_text(value)
    if not text:
        raise UserError("Give the ticket a subject: a few words that say what the problem "
                        "is.")
    if len(text) > SUBJECT_MAX:
        if not mail:
            raise UserError(f"Keep the ticket's subject under {SUBJECT_MAX} characters.")
        text = text[:SUBJECT_MAX].rstrip()
    return text if mail else check_no_card_number(text, "ticket's subject")


def _body(value: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise UserError("Write something in the message before adding it.")
    if len(text) > BODY_MAX:
        raise UserError(f"Keep a message under {BODY_MAX:,} characters.")
    return check_no_card_number(text, "message")


def _mail_body(value: str) -> str:
    """A customer's text is kept as it came (cut only at the size limit)."""
    return (value or "").strip()[:BODY_MAX]


def _author(value: str) -> str:
    return clean_text(value or "")[:AUTHOR_MAX]


def _mail_address(value: str) -> str:
    return (value or "").strip()[:320]


def normalize_tags(value: str | Iterable[str]) -> str:
    """Tags as stored: trimmed, duplicates (any case) dropped, joined by ", "."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    out: dict[str, str] = {}
    for part in parts:
        tag = clean_text(part)
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise UserError(f"The tag {quoted(tag, 21)} is longer than {TAG_MAX} characters.")
        out.setdefault(tag.casefold(), check_no_card_number(tag, "tag"))
    text = ", ".join(out.values())
    if len(text) > TAGS_MAX:
        raise UserError(f"Keep a ticket's tags under {TAGS_MAX} characters in all.")
    return text


def split_tags(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in (text or "").split(",") if t.strip())


def _clean(s: Session, d: TicketDraft, current: Ticket | None = None) -> dict[str, Any]:
    subject = _subject(d.subject)
    requester_id = d.requester_id or None
    person = s.get(Person, requester_id) if requester_id else None
    if requester_id and person is None:
        raise UserError("That person no longer exists; choose the requester again.")
    if person is None:
        raise UserError("Choose who asked: a ticket needs a requester.")
    if d.organization_id is None:
        organization_id = person.organization_id
    else:
        organization_id = d.organization_id or None
    if organization_id and s.get(Organization, organization_id) is None:
        raise UserError("That company no longer exists; choose the company again.")
    if d.requester_email.strip():
        email = normalize_email(d.requester_email).address
    elif current is not None and current.requester_id == requester_id:
        email = current.requester_email
    else:
        email = _primary_email(s, person.id)
    priority = (d.priority or "normal").strip().lower()
    if priority not in TICKET_PRIORITIES:
        raise UserError(f"{quoted(d.priority)} is not a priority; choose low, normal, high or "
                        "urgent.")
    category = clean_text(d.category)
    if len(category) > CATEGORY_MAX:
        raise UserError(f"Keep the category under {CATEGORY_MAX} characters.")
    assignee_id = d.assignee_id or None
    if assignee_id and s.get(StaffMember, assignee_id) is None:
        raise UserError("That staff member no longer exists; choose who handles the ticket "
                        "again.")
    invoice_id = d.invoice_id or None
    if invoice_id and s.get(Invoice, invoice_id) is None:
        raise UserError("That invoice no longer exists; choose the invoice again.")
    return {
        "subject": subject,
        "subject_key": sort_key(subject)[:SUBJECT_MAX],
        "requester_id": person.id,
        "requester_email": email,
        "organization_id": organization_id,
        "priority": priority,
        "category": check_no_card_number(category, "category"),
        "assignee_id": assignee_id,
        "tags": normalize_tags(d.tags),
        "invoice_id": invoice_id,
    }


def _primary_email(s: Session, person_id: str) -> str:
    return s.scalar(select(PersonEmail.address).where(PersonEmail.person_id == person_id)
                    .order_by(PersonEmail.is_primary.desc(), PersonEmail.position)
                    .limit(1)) or ""


def agent_for(s: Session, author: str | None) -> tuple[str, str]:
    """(name, email) of who writes: `author` if given, else the staff member of this
    computer's account, else the account's name."""
    if author:
        return _author(author), ""
    me = my_staff(s)
    if me is not None:
        return me.name, me.email
    return audit.current_actor() or "Staff", ""


def my_staff(s: Session) -> StaffMember | None:
    """The active staff member whose computer account is the current one, if any."""
    actor = audit.current_actor()
    if not actor:
        return None
    return s.scalars(select(StaffMember).where(StaffMember.os_user == actor,
                                               StaffMember.active.is_(True))
                     .order_by(StaffMember.name_key, StaffMember.id).limit(1)).first()


def _requester_name(s: Session, ticket: Ticket) -> str:
    person = s.get(Person, ticket.requester_id) if ticket.requester_id else None
    return person.display_name if person is not None else ticket.requester_email


def _ensure_workable(s: Session, ticket: Ticket) -> None:
    privacy_consent.ensure_not_restricted(s, ticket.requester_id, "given ticket updates")


def _load(s: Session, ticket_id: str) -> Ticket:
    ticket = s.get(Ticket, ticket_id) if ticket_id else None
    if ticket is None:
        raise UserError("That ticket no longer exists (it may have been deleted meanwhile).")
    return ticket


# -- inside: reading ----------------------------------------------------------------------
def _messages(s: Session, ticket_id: str) -> list[MessageRecord]:
    rows = list(s.scalars(select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
                          .order_by(TicketMessage.occurred_at, TicketMessage.id)))
    files = _files(s, [m.id for m in rows])
    return [_message_record(s, m, files.get(m.id, ())) for m in rows]


def _files(s: Session, message_ids: Sequence[str]) -> dict[str, tuple[AttachmentInfo, ...]]:
    out: dict[str, list[AttachmentInfo]] = {}
    for start in range(0, len(message_ids), 500):
        chunk = list(message_ids[start:start + 500])
        for row in s.scalars(select(Attachment).where(
                Attachment.subject_kind == MESSAGE_KIND, Attachment.subject_id.in_(chunk))
                .order_by(Attachment.created_at, Attachment.id)):
            out.setdefault(row.subject_id, []).append(attachments._info(row))
    return {k: tuple(v) for k, v in out.items()}


def _message_record(s: Session, m: TicketMessage,
                    files: tuple[AttachmentInfo, ...] | None = None) -> MessageRecord:
    if files is None:
        files = _files(s, [m.id]).get(m.id, ())
    return MessageRecord(m.id, m.ticket_id, m.kind, m.author, m.author_email, m.body,
                         as_utc(m.occurred_at), m.message_id, m.references, m.mail_status,
                         m.mail_error, files)


def _record(s: Session, t: Ticket, now: datetime) -> TicketRecord:
    s.flush()
    person = s.get(Person, t.requester_id) if t.requester_id else None
    org = s.get(Organization, t.organization_id) if t.organization_id else None
    staff = s.get(StaffMember, t.assignee_id) if t.assignee_id else None
    invoice = s.get(Invoice, t.invoice_id) if t.invoice_id else None
    merged = s.get(Ticket, t.merged_into_id) if t.merged_into_id else None
    jobs = tuple(JobLink(j.id, j.number, j.title, j.status, as_utc(j.scheduled_start))
                 for j in s.scalars(select(Job).where(Job.ticket_id == t.id)
                                    .order_by(Job.scheduled_start, Job.id)))
    history = tuple(StatusChangeRecord(as_utc(c.at), c.from_status, c.to_status)
                    for c in s.scalars(select(TicketStatusChange)
                                       .where(TicketStatusChange.ticket_id == t.id)
                                       .order_by(TicketStatusChange.at,
                                                 TicketStatusChange.id)))
    return TicketRecord(
        id=t.id, number=t.number, reference=reference(t), subject=t.subject,
        requester_id=t.requester_id, requester_name=person.display_name if person else "",
        requester_email=t.requester_email, organization_id=t.organization_id,
        organization_name=org.name if org else "", status=t.status, priority=t.priority,
        category=t.category, assignee_id=t.assignee_id,
        assignee_name=staff.name if staff else "", tags=split_tags(t.tags),
        invoice=InvoiceLink(invoice.id, invoice.number or "", invoice.status)
        if invoice else None,
        jobs=jobs, merged_into_id=t.merged_into_id,
        merged_into_number=merged.number if merged else None,
        due=sla.due_state(t, now, sla.calendar_in(s)),
        response_due_at=_utc(t.response_due_at), resolution_due_at=_utc(t.resolution_due_at),
        first_response_at=_utc(t.first_response_at), solved_at=_utc(t.solved_at),
        closed_at=_utc(t.closed_at), last_message_at=as_utc(t.last_message_at),
        created_at=as_utc(t.created_at), updated_at=as_utc(t.updated_at),
        restricted=bool(t.requester_id) and privacy_consent.is_restricted(s, t.requester_id),
        messages=tuple(_messages(s, t.id)), history=history,
    )


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None

