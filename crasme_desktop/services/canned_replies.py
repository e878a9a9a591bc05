"""Canned replies: texts the office answers with often, with placeholders filled in
from the ticket when one is used.

Placeholders (`PLACEHOLDERS`) are written in braces: {requester_name},
{requester_first_name}, {ticket_number}, {ticket_subject}, {agent_name},
{company_name}. A word in braces that is not one of them is refused when the reply is
saved (it would reach the customer as it is); other braces ("{", "{ }") are kept as
text. Names are unique, compared without regard to case.

Permissions (area "tickets", as the replies belong to the Tickets page): listing and
filling in a canned reply is tickets.view, adding one tickets.create, changing one
tickets.edit, deleting one tickets.delete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import CannedReply, Organization, Person, Ticket
from crasme_desktop.domain.validation import check_no_card_number, clean_text, quoted
from crasme_desktop.services import audit, permissions, tickets
from crasme_desktop.vault import Vault

NAME_MAX, BODY_MAX = 100, 20_000
PLACEHOLDERS = ("requester_name", "requester_first_name", "ticket_number", "ticket_subject",
                "agent_name", "company_name")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

__all__ = [
    "PLACEHOLDERS",
    "CannedReplyRecord",
    "delete_canned",
    "list_canned",
    "render_canned",
    "render_text",
    "save_canned",
]


@dataclass(frozen=True)
class CannedReplyRecord:
    id: str
    name: str
    body: str
    updated_at: datetime


def list_canned(vault: Vault) -> list[CannedReplyRecord]:
    """Every canned reply, by name."""
    permissions.require(vault, "tickets.view")
    with vault.unit_of_work() as uow:
        return [_record(c) for c in uow.session.scalars(
            select(CannedReply).order_by(CannedReply.name_key, CannedReply.id))]


def save_canned(vault: Vault, name: str, body: str,
                canned_id: str | None = None) -> CannedReplyRecord:
    """Add a canned reply, or change the one with `canned_id`."""
    permissions.require(vault, "tickets.edit" if canned_id else "tickets.create")
    now = vault.clock.now()
    clean_name = _name(name)
    text = _body(body)
    with vault.unit_of_work() as uow:
        s = uow.session
        clash = s.scalar(select(CannedReply.id).where(
            CannedReply.name_key == clean_name.casefold(),
            CannedReply.id != (canned_id or "")))
        if clash is not None:
            raise UserError(f"There is already a canned reply called {quoted(clean_name)}; "
                            "choose another name.")
        if canned_id:
            row = _load(s, canned_id)
            row.name, row.name_key, row.body, row.updated_at = (
                clean_name, clean_name.casefold(), text, now)
            action = "canned_reply.update"
        else:
            row = CannedReply(name=clean_name, name_key=clean_name.casefold(), body=text,
                              created_at=now, updated_at=now)
            s.add(row)
            action = "canned_reply.create"
        s.flush()
        audit.add(s, action, "canned_reply", row.id)
        return _record(row)


def delete_canned(vault: Vault, canned_id: str) -> None:
    permissions.require(vault, "tickets.delete")
    with vault.unit_of_work() as uow:
        s = uow.session
        s.delete(_load(s, canned_id))
        audit.add(s, "canned_reply.delete", "canned_reply", canned_id)


def render_canned(vault: Vault, canned_id: str, ticket_id: str) -> str:
    """The canned reply's text with the ticket's values in its placeholders (a value
    that is unknown, such as a company the ticket has none of, becomes "")."""
    permissions.require(vault, "tickets.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        row = _load(s, canned_id)
        return render_text(row.body, _values(s, ticket_id))


def render_text(body: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def _values(s: Session, ticket_id: str) -> dict[str, str]:
    ticket = s.get(Ticket, ticket_id) if ticket_id else None
    if ticket is None:
        raise UserError("That ticket no longer exists (it may have been deleted meanwhile).")
    person = s.get(Person, ticket.requester_id) if ticket.requester_id else None
    org = s.get(Organization, ticket.organization_id) if ticket.organization_id else None
    agent, _email = tickets.agent_for(s, None)
    first = ""
    if person is not None:
        first = person.given_name.strip() or person.display_name.split(" ")[0]
    return {
        "requester_name": person.display_name if person is not None else "",
        "requester_first_name": first,
        "ticket_number": str(ticket.number),
        "ticket_subject": ticket.subject,
        "agent_name": agent,
        "company_name": org.name if org is not None else "",
    }


def _name(value: str) -> str:
    text = clean_text(value)
    if not text:
        raise UserError("Give the canned reply a name, such as “Password reset”.")
    if len(text) > NAME_MAX:
        raise UserError(f"Keep the canned reply's name under {NAME_MAX} characters.")
    return check_no_card_number(text, "canned reply's name")


def _body(value: str) -> str:
    text = (value or "").strip()
    if not text:
        raise UserError("Write the canned reply's text before saving it.")
    if len(text) > BODY_MAX:
        raise UserError(f"Keep the canned reply under {BODY_MAX:,} characters.")
    unknown = [m.group(1) for m in _PLACEHOLDER.finditer(text)
               if m.group(1) not in PLACEHOLDERS]
    if unknown:
        known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        raise UserError(f"The placeholder {{{unknown[0]}}} is not known; use one of {known}.")
    return check_no_card_number(text, "canned reply")


def _load(s: Session, canned_id: str) -> CannedReply:
    row = s.get(CannedReply, canned_id) if canned_id else None
    if row is None:
        raise UserError("That canned reply no longer exists; it may have been deleted "
                        "meanwhile.")
    return row


def _record(row: CannedReply) -> CannedReplyRecord:
    return CannedReplyRecord(row.id, row.name, row.body, as_utc(row.updated_at))

