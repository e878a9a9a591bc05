"""The ticket queues (the Tickets page's lists), their counts, and triage on several
tickets at once.

Queues (`QUEUES`): "mine" (assigned to the staff member whose computer account is the
current one), "unassigned", "due_soon" (the SLA's next target within `sla.DUE_SOON_MINUTES` business
minutes),
"breached" (the next target already past), "all_open" (new, open, pending, on hold),
one queue per status, and "all". Filters combine with AND: priority, assignee,
category, requester, company and text (through the search index: number, subject,
requester's name).

Lists page by key, never by OFFSET, over the indexes of migration 0008:
- status queues read newest first by number. A queue of several statuses asks each
  status's index range ("status, number" or "assignee, status, number") for one page
  and merges them, so a page costs a few short index walks however many tickets are
  closed;
- due queues read `ix_ticket_due` (next_due_at, id), earliest first; only running
  clocks are in that index.
Each row carries the SLA's due state (`services.sla.due_state`) for the list.

Triage (`assign`, `set_priority`, `set_status`) works on several tickets in one
transaction: tickets that can take the change get it; each one that cannot is named in
a sentence in the outcome's `refused` (a bad status move, a restricted requester), and
the others still change.

Permissions (area "tickets"): the lists and counts need tickets.view; triage changes
tickets, so it needs tickets.edit (checked once, before any ticket is looked at).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import (
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    Organization,
    Person,
    StaffMember,
    Ticket,
)
from crasme_desktop.domain.validation import quoted
from crasme_desktop.services import (
    audit,
    permissions,
    privacy_consent,
    search,
    search_index,
    sla,
    tickets,
)
from crasme_desktop.vault import Vault

PAGE = 100
MAX_PAGE = 1000
#: At most this many tickets match a text filter (the best matches of the search).
TEXT_MATCHES = 2000
STATUS_QUEUES = tuple(TICKET_STATUSES)
QUEUES = ("mine", "unassigned", "due_soon", "breached", "all_open", *STATUS_QUEUES, "all")
QUEUE_LABELS = {
    "mine": "My tickets", "unassigned": "Unassigned", "due_soon": "Due soon",
    "breached": "Breached", "all_open": "All open", "new": "New", "open": "Open",
    "pending": "Pending", "on_hold": "On hold", "solved": "Solved", "closed": "Closed",
    "all": "All tickets",
}

__all__ = [
    "QUEUES",
    "QUEUE_LABELS",
    "QueueCounts",
    "TicketPage",
    "TicketQuery",
    "TicketRow",
    "TriageOutcome",
    "assign",
    "list_tickets",
    "queue_counts",
    "set_priority",
    "set_status",
]


@dataclass(frozen=True)
class TicketQuery:
    """Which tickets a list shows. `queue` one of `QUEUES`; the rest narrow it ("" any).
    `assignee_id` "none" means unassigned."""

    queue: str = "all_open"
    priority: str = ""
    assignee_id: str = ""
    category: str = ""
    requester_id: str = ""
    organization_id: str = ""
    text: str = ""


@dataclass(frozen=True)
class TicketRow:
    id: str
    number: int
    subject: str
    requester_name: str
    requester_email: str
    organization_name: str
    status: str
    priority: str
    category: str
    assignee_id: str | None
    assignee_name: str
    tags: str
    last_message_at: datetime
    created_at: datetime
    due: sla.DueState
    #: This row's place in its order: pass it as `after` to read the next page.
    key: tuple[Any, str]

    @property
    def due_text(self) -> str:
        return self.due.text


@dataclass(frozen=True)
class TicketPage:
    rows: tuple[TicketRow, ...]
    #: The key to pass as `after` for the next page; None when this was the last.
    next_after: tuple[Any, str] | None
    #: For "mine" when this computer's account is no staff member's: why it is empty.
    note: str = ""


@dataclass(frozen=True)
class QueueCounts:
    mine: int
    unassigned: int
    due_soon: int
    breached: int
    all_open: int
    #: per status, except closed (the largest, never needed at a glance)
    by_status: dict[str, int]
    #: the staff member "mine" stands for (None: this computer account is nobody's)
    me_id: str | None
    me_name: str

    def of(self, queue: str) -> int | None:
        if queue in ("mine", "unassigned", "due_soon", "breached", "all_open"):
            return int(getattr(self, queue))
        return self.by_status.get(queue)


@dataclass(frozen=True)
class TriageOutcome:
    changed: tuple[int, ...]  # ticket numbers
    refused: tuple[str, ...] = field(default_factory=tuple)  # one sentence per ticket

    @property
    def message(self) -> str:
        n = len(self.changed)
        said = "No ticket was changed." if not n else (
            f"Ticket #{self.changed[0]} was changed." if n == 1 else f"{n} tickets were changed.")
        return " ".join((said, *self.refused))


# -- the lists ---------------------------------------------------------------------------
def list_tickets(
    vault: Vault, spec: TicketQuery | None = None, *,
    after: tuple[Any, str] | Sequence[Any] | None = None, limit: int = PAGE,
    now: datetime | None = None,
) -> TicketPage:
    """One page of a queue, read by key: pass the previous page's `next_after` as
    `after` (never OFFSET). Status queues come newest first; due queues earliest due
    first."""
    permissions.require(vault, "tickets.view")
    spec = spec or TicketQuery()
    if spec.queue not in QUEUES:
        raise ValueError(f"unknown ticket queue {spec.queue!r}")
    limit = max(1, min(int(limit), MAX_PAGE))
    now = as_utc(now or vault.clock.now())
    with vault.unit_of_work() as uow:
        s = uow.session
        where = _filters(s, spec)
        if where is None:
            return TicketPage((), None)
        if spec.queue == "mine":
            me = tickets.my_staff(s)
            if me is None:
                return TicketPage((), None, _nobody())
            where.append(Ticket.assignee_id == me.id)
        elif spec.queue == "unassigned":
            where.append(Ticket.assignee_id.is_(None))
        if spec.queue in ("due_soon", "breached"):
            ids, more = _due_ids(s, spec.queue, where, now, after, limit)
        else:
            ids, more = _number_ids(s, _statuses(spec.queue), where, after, limit)
        rows = _rows(s, ids, now, by_due=spec.queue in ("due_soon", "breached"))
    return TicketPage(tuple(rows), rows[-1].key if more and rows else None)


def queue_counts(vault: Vault, now: datetime | None = None) -> QueueCounts:
    """How many tickets each queue holds now (closed tickets are not counted)."""
    permissions.require(vault, "tickets.view")
    now = as_utc(now or vault.clock.now())
    with vault.unit_of_work() as uow:
        s = uow.session
        by_status = {st: 0 for st in TICKET_STATUSES if st != "closed"}
        for status, n in s.execute(
                select(Ticket.status, func.count()).where(Ticket.status.in_(list(by_status)))
                .group_by(Ticket.status)):
            by_status[status] = n
        me = tickets.my_staff(s)
        mine = _count(s, Ticket.assignee_id == me.id,
                      Ticket.status.in_(tickets.ACTIVE)) if me else 0
        unassigned = _count(s, Ticket.assignee_id.is_(None), Ticket.status.in_(tickets.ACTIVE))
        due = Ticket.next_due_at
        breached = _count(s, due.is_not(None), due < _naive(now))
        until = sla.due_soon_until(sla.calendar_in(s), now)
        soon = _count(s, due.is_not(None), due >= _naive(now), due <= until)
        return QueueCounts(
            mine=mine, unassigned=unassigned, due_soon=soon, breached=breached,
            all_open=sum(by_status[st] for st in tickets.ACTIVE), by_status=by_status,
            me_id=me.id if me else None, me_name=me.name if me else "")


# -- triage --------------------------------------------------------------------------------
def assign(vault: Vault, ticket_ids: Sequence[str], staff_id: str | None) -> TriageOutcome:
    """Assign these tickets to a staff member (None: nobody)."""
    permissions.require(vault, "tickets.edit")
    def change(s: Session, ticket: Ticket, now: datetime) -> bool:
        if ticket.assignee_id == staff_id:
            return False
        ticket.assignee_id = staff_id
        ticket.updated_at = now
        audit.add(s, "ticket.assign", "ticket", ticket.id)
        return True

    def check(s: Session) -> None:
        if staff_id is None:
            return
        member = s.get(StaffMember, staff_id)
        if member is None:
            raise UserError("That staff member no longer exists; choose someone else.")
        if not member.active:
            raise UserError(f"{member.name} is no longer active; choose someone who is.")

    return _triage(vault, ticket_ids, change, check)


def set_priority(vault: Vault, ticket_ids: Sequence[str], priority: str) -> TriageOutcome:
    """Give these tickets a priority (their SLA targets follow it)."""
    permissions.require(vault, "tickets.edit")
    wanted = (priority or "").strip().lower()

    def check(_s: Session) -> None:
        if wanted not in TICKET_PRIORITIES:
            raise UserError(f"{quoted(priority)} is not a priority; choose low, normal, high "
                            "or urgent.")

    def change(s: Session, ticket: Ticket, now: datetime) -> bool:
        if ticket.priority == wanted:
            return False
        ticket.priority = wanted
        ticket.updated_at = now
        s.flush()
        sla.after_priority_change(s, ticket, now)
        audit.add(s, "ticket.priority", "ticket", ticket.id)
        return True

    return _triage(vault, ticket_ids, change, check)


def set_status(vault: Vault, ticket_ids: Sequence[str], status: str) -> TriageOutcome:
    """Move these tickets to `status`; each move `tickets.MOVES` does not allow is
    refused with a sentence naming the ticket."""
    permissions.require(vault, "tickets.edit")

    def check(_s: Session) -> None:
        if status not in TICKET_STATUSES:
            raise UserError(tickets.move_sentence(0, "", status))

    def change(s: Session, ticket: Ticket, now: datetime) -> bool:
        if ticket.status == status:
            return False
        return tickets.move_in(s, ticket, status, now)

    return _triage(vault, ticket_ids, change, check)


def _triage(vault: Vault, ticket_ids: Sequence[str], change: Any, check: Any) -> TriageOutcome:
    now = vault.clock.now()
    changed: list[int] = []
    refused: list[str] = []
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        check(s)
        ids = list(dict.fromkeys(i for i in ticket_ids if i))
        found = {t.id: t for start in range(0, len(ids), 500) for t in s.scalars(
            select(Ticket).where(Ticket.id.in_(ids[start:start + 500])))}
        restricted = privacy_consent.restricted_among(
            s, {t.requester_id for t in found.values() if t.requester_id})
        for ticket in sorted(found.values(), key=lambda t: t.number):
            if ticket.requester_id in restricted:
                refused.append(f"Ticket #{ticket.number} was left as it was: its requester "
                               "is restricted (lift the restriction on the Privacy page "
                               "first).")
                continue
            try:  # a refused change raises before it touches the ticket
                if change(s, ticket, now):
                    changed.append(ticket.number)
            except UserError as exc:
                refused.append(exc.message)
        gone = len(ids) - len(found)
        if gone:
            refused.append("One ticket no longer exists." if gone == 1 else
                           f"{gone} tickets no longer exist.")
    return TriageOutcome(tuple(changed), tuple(refused))


# -- inside: reading ------------------------------------------------------------------------
def _statuses(queue: str) -> tuple[str, ...]:
    if queue in STATUS_QUEUES:
        return (queue,)
    if queue == "all":
        return ()
    return tickets.ACTIVE


def _naive(value: datetime) -> datetime:
    return as_utc(value).replace(tzinfo=None)


def _filters(s: Session, spec: TicketQuery) -> list[Any] | None:
    """The WHERE terms of the filters; None when the text filter matches nothing."""
    where: list[Any] = []
    if spec.priority:
        if spec.priority not in TICKET_PRIORITIES:
            raise ValueError(f"unknown ticket priority {spec.priority!r}")
        where.append(Ticket.priority == spec.priority)
    if spec.assignee_id == "none":
        where.append(Ticket.assignee_id.is_(None))
    elif spec.assignee_id:
        where.append(Ticket.assignee_id == spec.assignee_id)
    if spec.category:
        where.append(Ticket.category == spec.category)
    if spec.requester_id:
        where.append(Ticket.requester_id == spec.requester_id)
    if spec.organization_id:
        where.append(Ticket.organization_id == spec.organization_id)
    if spec.text.strip():
        ids = _text_ids(s, spec.text)
        if not ids:
            return None
        where.append(Ticket.id.in_(ids))
    return where


def _text_ids(s: Session, text: str) -> list[str]:
    """Ids of the tickets the search index finds for `text` (at most TEXT_MATCHES)."""
    plan = search.plan_query(text)
    if plan is None:
        return []
    low, high = search_index.kind_range("ticket")
    raw = s.connection().connection.dbapi_connection
    assert raw is not None  # nosec B101  # narrows a type: an open session has a connection
    docs: dict[int, None] = {}
    for table, match in plan.tiers:
        # The first tier that finds anything decides: the looser ones after it (any
        # word, then any substring) are for when the stricter ones find nothing.
        for (doc_id,) in raw.execute(search.TIER_SQL.format(table=table),
                                     (match, low, high, TEXT_MATCHES)).fetchall():
            docs.setdefault(doc_id, None)
        if docs:
            break
    if not docs:
        return []
    ids: list[str] = []
    doc_list = list(docs)[:TEXT_MATCHES]
    for start in range(0, len(doc_list), 500):
        chunk = doc_list[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        ids.extend(r for (r,) in raw.execute(
            f"SELECT record_id FROM search_doc WHERE doc_id IN ({marks})", chunk))  # nosec B608  # only placeholders are built; values are bound
    return ids


def _after_number(after: tuple[Any, str] | Sequence[Any] | None) -> int | None:
    if after is None:
        return None
    return int(after[0])


def _number_ids(s: Session, statuses: tuple[str, ...], where: list[Any],
                after: Any, limit: int) -> tuple[list[str], bool]:
    """Ids of one page, newest number first: one index walk per status, merged."""
    below = _after_number(after)
    key = [Ticket.number < below] if below is not None else []
    arms: list[list[tuple[int, str]]] = []
    for status in statuses or (None,):
        terms = [*where, *key]
        if status is not None:
            terms.append(Ticket.status == status)
        arms.append([(n, i) for n, i in s.execute(
            select(Ticket.number, Ticket.id).where(*terms)
            .order_by(Ticket.number.desc()).limit(limit + 1))])
    merged = list(heapq.merge(*arms, key=lambda r: -r[0]))[:limit + 1]
    return [i for _n, i in merged[:limit]], len(merged) > limit


def _due_ids(s: Session, queue: str, where: list[Any], now: datetime, after: Any,
             limit: int) -> tuple[list[str], bool]:
    due = Ticket.next_due_at
    terms = [*where, due.is_not(None)]
    if queue == "breached":
        terms.append(due < _naive(now))
    else:
        terms.extend((due >= _naive(now), due <= sla.due_soon_until(sla.calendar_in(s), now)))
    if after is not None:
        stamp = after[0]
        stamp = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
        terms.append(tuple_(due, Ticket.id) > tuple_(_naive(stamp), str(after[1])))
    ids = list(s.execute(select(Ticket.id).where(*terms).order_by(due, Ticket.id)
                         .limit(limit + 1)).scalars())
    return ids[:limit], len(ids) > limit


def _rows(s: Session, ids: list[str], now: datetime, *, by_due: bool) -> list[TicketRow]:
    if not ids:
        return []
    calendar = sla.calendar_in(s)
    found = {}
    for ticket, person, email, org, staff in s.execute(
        select(Ticket, Person.display_name, Ticket.requester_email, Organization.name,
               StaffMember.name)
        .outerjoin(Person, Person.id == Ticket.requester_id)
        .outerjoin(Organization, Organization.id == Ticket.organization_id)
        .outerjoin(StaffMember, StaffMember.id == Ticket.assignee_id)
        .where(Ticket.id.in_(ids))
    ):
        due_at = as_utc(ticket.next_due_at) if ticket.next_due_at is not None else None
        key = (due_at, ticket.id) if by_due else (ticket.number, ticket.id)
        found[ticket.id] = TicketRow(
            id=ticket.id, number=ticket.number, subject=ticket.subject,
            requester_name=person or "", requester_email=email, organization_name=org or "",
            status=ticket.status, priority=ticket.priority, category=ticket.category,
            assignee_id=ticket.assignee_id, assignee_name=staff or "", tags=ticket.tags,
            last_message_at=as_utc(ticket.last_message_at),
            created_at=as_utc(ticket.created_at),
            due=sla.due_state(ticket, now, calendar), key=key)
    return [found[i] for i in ids if i in found]


def _count(s: Session, *where: Any) -> int:
    return int(s.scalar(select(func.count()).select_from(Ticket).where(*where)) or 0)


def _nobody() -> str:
    actor = audit.current_actor() or "this account"
    return (f"No staff member is linked to the computer account {quoted(actor)}; set it "
            "on a staff member to see their tickets here.")
