"""Sample tickets for `crasme demo`: about one per ten contacts, with threads, status
history over the last ninety days and SLA clocks, so the queues and the figures have
something to show.

Rows go in by bulk insert (a demo of 100k people makes 10k tickets in about a second),
with the very values the tickets service and `services.sla` would have written for the
same story: targets counted in the office's business hours from creation with the
priority's policy, a pause while waiting on the customer moving both targets by the
business minutes it lasted, the first public reply deciding `response_met`, the solve
deciding `resolution_met`, one `ticket_status_change` row per move ("" -> new first),
timeline entries for creation and solving, a search entry per ticket.

The mix: about 10 % new, 20 % open, 12 % pending, 5 % on hold, 18 % solved and 35 %
closed; a fifth answered late and some solved late, so the breached queue and the SLA
attainment are not all green. Tickets go to active staff members when there are any.
Restricted people get none.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from crasme_desktop.domain.business_hours import BusinessCalendar
from crasme_desktop.domain.ids import new_id
from crasme_desktop.domain.models import (
    Activity,
    StaffMember,
    Ticket,
    TicketMessage,
    TicketStatusChange,
)
from crasme_desktop.domain.validation import sort_key
from crasme_desktop.services import audit, privacy_consent, search_index, sla
from crasme_desktop.services.tickets import TOKEN_ALPHABET, TOKEN_LENGTH

BATCH = 2000
PER_CONTACTS = 10
DAYS = 90
STATUS_WEIGHTS = (("new", 10), ("open", 20), ("pending", 12), ("on_hold", 5),
                  ("solved", 18), ("closed", 35))
PRIORITY_WEIGHTS = (("low", 20), ("normal", 50), ("high", 22), ("urgent", 8))
#: How many days back a ticket of each final status was made (at most).
AGE_DAYS = {"new": 4, "open": 25, "pending": 30, "on_hold": 40, "solved": 20, "closed": DAYS}
CATEGORIES = ("Billing", "Hardware", "Software", "Installation", "Account", "")
PROBLEMS = (
    ("Invoice shows the wrong address", "Billing"),
    ("Printer does not print", "Hardware"),
    ("Cannot log in to the portal", "Account"),
    ("Heating makes a knocking noise", "Installation"),
    ("Update failed with an error", "Software"),
    ("Question about the last invoice", "Billing"),
    ("Device arrived damaged", "Hardware"),
    ("Please change our contact person", "Account"),
    ("Appointment needs to be moved", "Installation"),
    ("Export to spreadsheet is empty", "Software"),
    ("Password reset link expired", "Account"),
    ("Warranty question", ""),
)
OPENINGS = ("Hello, ", "Good morning, ", "Hi, ", "Dear support team, ", "")
CUSTOMER_TEXT = (
    "since yesterday we have this problem and cannot work properly. Can you help?",
    "this happened again today. What should we do?",
    "could you please look into this as soon as possible?",
    "we tried restarting, but nothing changed.",
)
FOLLOW_UPS = ("Thanks, but it still does not work.", "Here is the information you asked for.",
              "Any news on this?", "That worked, thank you!")
REPLIES = ("Thank you for your message. We are looking into it and come back to you today.",
           "Could you send us a photo or the exact error message?",
           "We have fixed the problem on our side; please try again.",
           "A technician will call you to arrange a visit.")
NOTES = ("Customer called, sounded in a hurry.", "Checked the account: all settings look fine.",
         "Asked the supplier about a replacement.")
SUPPORT = "Support"


@dataclass
class _Story:
    """One ticket's life, in naive UTC."""

    created: datetime
    status: str = "new"
    moves: list[tuple[datetime, str, str]] = field(default_factory=list)
    messages: list[tuple[datetime, str, str]] = field(default_factory=list)  # at, kind, body
    paused_minutes: int = 0
    paused_since: datetime | None = None
    first_response_at: datetime | None = None
    solved_at: datetime | None = None
    closed_at: datetime | None = None

    def move(self, at: datetime, status: str) -> None:
        self.moves.append((at, self.status, status))
        self.status = status


@dataclass
class _Customer:
    person_id: str
    name: str
    organization_id: str | None
    email: str


def fill_tickets(s: Session, rng: random.Random, now: datetime, contacts: int) -> int:
    """About one ticket per ten contacts (see the module doc). Returns how many timeline
    entries it added."""
    wanted = contacts // PER_CONTACTS
    if not wanted:
        return 0
    now = now.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    customers = _customers(s)
    if not customers:
        return 0
    cal = sla.calendar_in(s)
    policies = {p: sla.policy_in(s, p) for p, _w in PRIORITY_WEIGHTS}
    agents = [(sid, name, email) for sid, name, email in s.execute(
        select(StaffMember.id, StaffMember.name, StaffMember.email)
        .where(StaffMember.active.is_(True)).order_by(StaffMember.name_key))]
    number = (s.scalar(select(func.max(Ticket.number))) or 0)
    rows: dict[str, list[dict[str, Any]]] = {"ticket": [], "message": [], "change": [],
                                             "activity": []}
    docs: list[search_index.Document] = []
    for _ in range(wanted):
        number += 1
        customer = rng.choice(customers)
        status = _pick(rng, STATUS_WEIGHTS)
        priority = _pick(rng, PRIORITY_WEIGHTS)
        subject, category = rng.choice(PROBLEMS)
        agent = rng.choice(agents) if agents and rng.random() < 0.8 else None
        story = _story(rng, cal, now, status, policies[priority])
        ticket = _ticket_row(cal, story, number, subject, category, priority, customer,
                             agent, policies[priority], now, rng)
        rows["ticket"].append(ticket)
        rows["change"].extend(
            {"id": new_id(), "ticket_id": ticket["id"], "at": at, "from_status": old,
             "to_status": new, "created_at": at, "updated_at": at}
            for at, old, new in story.moves)
        agent_name, agent_email = (agent[1], agent[2]) if agent else (SUPPORT, "")
        for at, kind, body in story.messages:
            by_customer = kind == "customer"
            rows["message"].append({
                "id": new_id(), "ticket_id": ticket["id"], "kind": kind,
                "author": customer.name if by_customer else agent_name,
                "author_email": customer.email if by_customer else agent_email,
                "body": body, "occurred_at": at, "message_id": "", "references": "",
                "mail_status": "sent" if kind == "reply" and customer.email else "",
                "mail_error": "", "created_at": at, "updated_at": at})
        rows["activity"].extend(_timeline(ticket, story, customer))
        docs.append(search_index.Document("ticket", ticket["id"], search_index.ticket_text(
            number, subject, customer.name)))
    for model, key in ((Ticket, "ticket"), (TicketStatusChange, "change"),
                       (TicketMessage, "message"), (Activity, "activity")):
        for start in range(0, len(rows[key]), BATCH):
            s.execute(insert(model.__table__), rows[key][start:start + BATCH])
    search_index.add_documents(s, docs)
    audit.add(s, "demo.fill_tickets", "vault", "")
    return len(rows["activity"])


# -- one ticket's story -------------------------------------------------------------------
def _story(rng: random.Random, cal: BusinessCalendar, now: datetime, status: str,
           policy: sla.PolicyRecord) -> _Story:
    age = timedelta(days=rng.uniform(0.05, AGE_DAYS[status]))
    created = (now - age).replace(microsecond=0)
    story = _Story(created)
    story.moves.append((created, "", "new"))
    story.messages.append((created, "customer", rng.choice(OPENINGS)
                           + rng.choice(CUSTOMER_TEXT)))
    if status == "new":
        return story
    late = rng.random() < 0.2
    factor = rng.uniform(1.1, 2.5) if late else rng.uniform(0.05, 0.9)
    reply = _before(cal.add(created, max(1, int(policy.first_response_minutes * factor))),
                    created, now, rng)
    story.first_response_at = reply
    story.messages.append((reply, "reply", rng.choice(REPLIES)))
    if status in ("pending", "on_hold"):
        story.move(reply, status)
        story.paused_since = reply
        if rng.random() < 0.3:
            story.messages.append((_before(reply + timedelta(hours=1), reply, now, rng),
                                   "note", rng.choice(NOTES)))
        return story
    story.move(reply, "open")
    last = reply
    if rng.random() < 0.4:  # waited on the customer, who answered
        asked = _before(last + timedelta(hours=rng.uniform(0.5, 6)), last, now, rng)
        story.move(asked, "pending")
        answered = _before(asked + timedelta(hours=rng.uniform(2, 48)), asked, now, rng)
        story.messages.append((answered, "customer", rng.choice(FOLLOW_UPS)))
        story.move(answered, "open")
        story.paused_minutes = max(0, cal.minutes_between(asked, answered))
        last = answered
    if status == "open":
        if rng.random() < 0.3:
            story.messages.append((_before(last + timedelta(hours=2), last, now, rng), "note",
                                   rng.choice(NOTES)))
        return story
    target = policy.resolution_minutes + story.paused_minutes
    share = rng.uniform(1.05, 1.6) if rng.random() < 0.15 else rng.uniform(0.1, 0.9)
    solved = _before(cal.add(created, max(1, int(target * share))), last, now, rng)
    story.messages.append((solved, "reply", "We consider this solved; write back if "
                           "anything is left."))
    story.move(solved, "solved")
    story.solved_at = story.paused_since = solved
    if status == "closed":
        closed = _before(solved + timedelta(days=rng.uniform(2, 5)), solved, now, rng)
        story.move(closed, "closed")
        story.closed_at = closed
    return story


def _before(wanted: datetime, after: datetime, now: datetime, rng: random.Random) -> datetime:
    """`wanted`, or a moment between `after` and now when `wanted` is in the future."""
    if wanted <= now:
        return max(wanted, after).replace(microsecond=0)
    return (after + (now - after) * rng.uniform(0.2, 0.9)).replace(microsecond=0)


def _ticket_row(cal: BusinessCalendar, story: _Story, number: int, subject: str,
                category: str, priority: str, customer: _Customer,
                agent: tuple[str, str, str] | None, policy: sla.PolicyRecord,
                now: datetime, rng: random.Random) -> dict[str, Any]:
    paused = story.paused_minutes
    response_due = cal.add(story.created, policy.first_response_minutes + paused)
    resolution_due = cal.add(story.created, policy.resolution_minutes + paused)
    if story.first_response_at is not None and paused:
        # the reply came before the pause: it is judged by the target as it stood then
        at_reply = cal.add(story.created, policy.first_response_minutes)
        response_met = story.first_response_at <= at_reply
    else:
        response_met = (story.first_response_at <= response_due
                        if story.first_response_at is not None else None)
    running = story.status in ("new", "open")
    next_due = None
    if running:
        next_due = response_due if story.first_response_at is None else resolution_due
    last_public = max(at for at, kind, _b in story.messages if kind != "note")
    changed = max(story.moves[-1][0], max(at for at, _k, _b in story.messages))
    token = "".join(rng.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
    return {
        "id": new_id(), "number": number, "subject": subject,
        "subject_key": sort_key(subject), "requester_id": customer.person_id,
        "requester_email": customer.email, "organization_id": customer.organization_id,
        "status": story.status, "priority": priority, "category": category,
        "assignee_id": agent[0] if agent else None, "tags": "", "invoice_id": None,
        "merged_into_id": None, "mail_token": token, "response_due_at": response_due,
        "resolution_due_at": resolution_due, "next_due_at": next_due,
        "paused_since": story.paused_since, "paused_minutes": paused,
        "first_response_at": story.first_response_at, "response_met": response_met,
        "solved_at": story.solved_at,
        "resolution_met": story.solved_at <= resolution_due if story.solved_at else None,
        "closed_at": story.closed_at, "last_message_at": last_public,
        "created_at": story.created, "updated_at": min(changed, now),
    }


def _timeline(ticket: dict[str, Any], story: _Story, customer: _Customer) -> list[dict]:
    entries = [(story.created, f"Ticket #{ticket['number']} created: {ticket['subject']}")]
    if story.solved_at is not None:
        entries.append((story.solved_at,
                        f"Ticket #{ticket['number']} solved: {ticket['subject']}"))
    return [{"id": new_id(), "kind": "note", "subject": subject, "body": "",
             "occurred_at": at, "owner": "", "person_id": customer.person_id,
             "organization_id": customer.organization_id, "subject_kind": "ticket",
             "subject_id": ticket["id"], "created_at": at, "updated_at": at}
            for at, subject in entries]


# -- inside ---------------------------------------------------------------------------------
def _customers(s: Session) -> list[_Customer]:
    rows = s.execute(text(
        "SELECT p.id, p.display_name, p.organization_id, coalesce((SELECT e.address FROM "
        "person_email e WHERE e.person_id = p.id ORDER BY e.is_primary DESC, e.position "
        "LIMIT 1), '') FROM person p")).all()
    restricted = privacy_consent.restricted_among(s, [r[0] for r in rows])
    return [_Customer(pid, name, org, email) for pid, name, org, email in rows
            if pid not in restricted]


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]
