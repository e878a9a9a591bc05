"""Search over people and companies (and, as they arrive, deals, invoices, tickets).

`search(vault, text)` returns hits grouped by kind. How a query is found, in tiers
tried in order until a kind has enough hits:

1. every word of the input is the start of a word of the record's *name*
   (FTS5 word index, prefix query restricted to the `name` column);
2. every word is the start of any word of the record (emails, phones, job title,
   website too);
3. every piece of the input of 3 or more characters is a substring of the record
   (FTS5 trigram index), so "hnem" finds Kühnemann and "example.de" an email.

Input made only of digits and phone punctuation ("030 1234", "+49 30-1234") is a
phone search: its digits, as the start of a number's digits (the index holds each
number in E.164, national with and without trunk prefix), then as a substring.
Within a tier, names that start with the whole input come first, then name order.

User input never reaches FTS5 as syntax: it is cut into words and pieces that go
in as quoted strings, so quotes, `*`, `-`, `:`, `AND`, `NEAR(` are just text.

A search can be cancelled (the UI cancels the previous one on every keystroke):
pass `cancel=` a `Progress` or a `threading.Event`; a SQLite progress handler
checks it while the query runs and the search ends with `Cancelled`.

Later areas add their kind with `register_kind` (a label and a function that
describes hits) and index their records through `search_index`.

Search finds only the kinds the acting user may view: each kind belongs to an area
(`SearchKind.area`, else `KIND_AREAS`), and kinds of areas their role does not allow
viewing are left out of the search, never refused as a whole. A kind with no known
area is searched only for a role that may view every area.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from crasme_desktop.domain.errors import Cancelled
from crasme_desktop.domain.permissions import AREAS, Actor, Permission
from crasme_desktop.domain.progress import Progress
from crasme_desktop.domain.validation import sort_key
from crasme_desktop.services import permissions, search_index
from crasme_desktop.vault import Vault

#: Longest input looked at; the rest is ignored (nobody types more into a search box).
MAX_INPUT = 100
#: SQLite virtual machine steps between two looks at the cancel flag.
CANCEL_CHECK_STEPS = 1000
_PHONE_INPUT = re.compile(r"\+?[\d\s().\-/]+")
_WORD = re.compile(r"[^\W_]+")
#: The permission area whose `view` a kind of hit needs (unless its `SearchKind` says).
KIND_AREAS = {
    "person": "contacts",
    "organization": "companies",
    "deal": "deals",
    "quote": "quotes",
    "invoice": "invoices",
    "ticket": "tickets",
    "job": "schedule",
}

__all__ = [
    "DESCRIBE_DEALS_SQL",
    "DESCRIBE_INVOICES_SQL",
    "DESCRIBE_JOBS_SQL",
    "DESCRIBE_ORGANIZATIONS_SQL",
    "DESCRIBE_PEOPLE_SQL",
    "DESCRIBE_TICKETS_SQL",
    "KIND_AREAS",
    "TIER_SQL",
    "Described",
    "SearchGroup",
    "SearchHit",
    "SearchKind",
    "SearchPlan",
    "SearchResults",
    "candidates_wanted",
    "plan_query",
    "register_kind",
    "search",
    "viewable",
]


# -- what callers get back --------------------------------------------------------------
@dataclass(frozen=True)
class SearchHit:
    kind: str  # "person", "organization", ...
    id: str
    title: str
    subtitle: str


@dataclass(frozen=True)
class SearchGroup:
    kind: str
    label: str  # "People", "Companies", ...
    hits: tuple[SearchHit, ...]


@dataclass(frozen=True)
class SearchResults:
    text: str
    groups: tuple[SearchGroup, ...]

    @property
    def hits(self) -> tuple[SearchHit, ...]:
        return tuple(h for g in self.groups for h in g.hits)

    @property
    def empty(self) -> bool:
        return not any(g.hits for g in self.groups)


# -- kinds ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Described:
    record_id: str
    title: str
    subtitle: str
    sort_key: str


#: What `describe` gets: the vault's DB-API connection (`.execute(sql, params)`), so that
#: describing 20 hits costs one statement and no ORM work on the type-ahead path.
RawConnection = Any


@dataclass(frozen=True)
class SearchKind:
    """A kind of record search can find: its index kind, the group's label, and how to
    describe found index rows (`search_doc` doc id -> record id, title, subtitle, sort
    key), given a raw connection and the doc ids."""

    kind: str
    label: str
    describe: Callable[[RawConnection, list[int]], dict[int, Described]]
    #: The permission area whose `view` its hits need ("": from `KIND_AREAS`).
    area: str = ""


def viewable(actor: Actor, kind: SearchKind) -> bool:
    """Whether `actor` may see hits of `kind`."""
    area = kind.area or KIND_AREAS.get(kind.kind, "")
    if area:
        return actor.may(Permission(area, "view"))
    return all(actor.may(Permission(a, "view")) for a in AREAS)


_KINDS: dict[str, SearchKind] = {}


def register_kind(kind: SearchKind) -> None:
    """Add (or replace) a kind; groups come out in the order kinds were registered."""
    search_index.kind_range(kind.kind)  # raises for a kind the index does not know
    _KINDS[kind.kind] = kind


def _marks(count: int) -> str:
    return ", ".join("?" * count)


#: One statement per kind describes the hits ({docs} is a list of `?`). Public, so that
#: the benchmark's bare baseline runs the very same statements.
DESCRIBE_PEOPLE_SQL = (
    "SELECT d.doc_id, p.id, p.display_name, p.sort_key, o.name, "
    "(SELECT e.address FROM person_email e WHERE e.person_id = p.id "
    "ORDER BY e.is_primary DESC, e.position LIMIT 1) "
    "FROM search_doc d JOIN person p ON p.id = d.record_id "
    "LEFT JOIN organization o ON o.id = p.organization_id WHERE d.doc_id IN ({docs})"
)
DESCRIBE_ORGANIZATIONS_SQL = (
    "SELECT d.doc_id, o.id, o.name, o.sort_key, o.website "
    "FROM search_doc d JOIN organization o ON o.id = d.record_id WHERE d.doc_id IN ({docs})"
)


def _describe_people(conn: RawConnection, doc_ids: list[int]) -> dict[int, Described]:
    rows = conn.execute(DESCRIBE_PEOPLE_SQL.format(docs=_marks(len(doc_ids))), doc_ids)
    return {
        doc: Described(pid, name, " · ".join(p for p in (company, email) if p), key)
        for doc, pid, name, key, company, email in rows
    }


def _describe_organizations(conn: RawConnection, doc_ids: list[int]) -> dict[int, Described]:
    rows = conn.execute(DESCRIBE_ORGANIZATIONS_SQL.format(docs=_marks(len(doc_ids))), doc_ids)
    return {doc: Described(oid, name, _host(website), key)
            for doc, oid, name, key, website in rows}


def _host(website: str) -> str:
    host = re.sub(r"^https?://", "", website or "", flags=re.IGNORECASE)
    return host.removeprefix("www.").rstrip("/")


#: Invoices and credit notes: the number as title (drafts have none yet), the customer.
DESCRIBE_INVOICES_SQL = (
    "SELECT d.doc_id, i.id, coalesce(i.number, ''), i.kind, i.billing_name "
    "FROM search_doc d JOIN invoice i ON i.id = d.record_id WHERE d.doc_id IN ({docs})"
)


def _describe_invoices(conn: RawConnection, doc_ids: list[int]) -> dict[int, Described]:
    rows = conn.execute(DESCRIBE_INVOICES_SQL.format(docs=_marks(len(doc_ids))), doc_ids)
    out = {}
    for doc, iid, number, kind, customer in rows:
        what = "Credit note" if kind == "credit_note" else "Invoice"
        title = number or f"Draft {what.lower()}"
        subtitle = " · ".join(p for p in ((what if number else ""), customer) if p)
        out[doc] = Described(iid, title, subtitle, sort_key(number or customer))
    return out


#: Deals: the title, with the company (else the person) and the stage.
DESCRIBE_DEALS_SQL = (
    "SELECT d.doc_id, x.id, x.title, x.title_key, coalesce(o.name, p.display_name, ''), "
    "s.name FROM search_doc d JOIN deal x ON x.id = d.record_id "
    "JOIN deal_stage s ON s.id = x.stage_id "
    "LEFT JOIN organization o ON o.id = x.organization_id "
    "LEFT JOIN person p ON p.id = x.person_id WHERE d.doc_id IN ({docs})"
)


def _describe_deals(conn: RawConnection, doc_ids: list[int]) -> dict[int, Described]:
    rows = conn.execute(DESCRIBE_DEALS_SQL.format(docs=_marks(len(doc_ids))), doc_ids)
    return {doc: Described(did, title, " · ".join(p for p in (customer, stage) if p), key)
            for doc, did, title, key, customer, stage in rows}


#: Tickets: "#1234 subject", with the requester (else the address they wrote from), the
#: company and the status.
DESCRIBE_TICKETS_SQL = (
    "SELECT d.doc_id, t.id, t.number, t.subject, t.subject_key, "
    "coalesce(p.display_name, t.requester_email), coalesce(o.name, ''), t.status "
    "FROM search_doc d JOIN ticket t ON t.id = d.record_id "
    "LEFT JOIN person p ON p.id = t.requester_id "
    "LEFT JOIN organization o ON o.id = t.organization_id WHERE d.doc_id IN ({docs})"
)
_TICKET_STATUS_WORDS = {"new": "New", "open": "Open", "pending": "Pending",
                        "on_hold": "On hold", "solved": "Solved", "closed": "Closed"}


def _describe_tickets(conn: RawConnection, doc_ids: list[int]) -> dict[int, Described]:
    rows = conn.execute(DESCRIBE_TICKETS_SQL.format(docs=_marks(len(doc_ids))), doc_ids)
    return {
        doc: Described(tid, f"#{number} {subject}",
                       " · ".join(p for p in (requester, company,
                                              _TICKET_STATUS_WORDS.get(status, status)) if p),
                       key)
        for doc, tid, number, subject, key, requester, company, status in rows
    }


#: Jobs: "Job 12: title", with the customer (company, else person) and the status.
DESCRIBE_JOBS_SQL = (
    "SELECT d.doc_id, j.id, j.number, j.title, j.title_key, "
    "coalesce(o.name, p.display_name, ''), j.status "
    "FROM search_doc d JOIN job j ON j.id = d.record_id "
    "LEFT JOIN organization o ON o.id = j.organization_id "
    "LEFT JOIN person p ON p.id = j.person_id WHERE d.doc_id IN ({docs})"
)
_JOB_STATUS_WORDS = {"scheduled": "scheduled", "on_the_way": "on the way",
                     "in_progress": "in progress", "done": "done", "cancelled": "cancelled"}


def _describe_jobs(conn: RawConnection, doc_ids: list[int]) -> dict[int, Described]:
    rows = conn.execute(DESCRIBE_JOBS_SQL.format(docs=_marks(len(doc_ids))), doc_ids)
    return {doc: Described(jid, f"Job {number}: {title}",
                           " · ".join(p for p in (customer, _JOB_STATUS_WORDS.get(status, ""))
                                      if p), key)
            for doc, jid, number, title, key, customer, status in rows}


register_kind(SearchKind("person", "People", _describe_people))
register_kind(SearchKind("organization", "Companies", _describe_organizations))
register_kind(SearchKind("deal", "Deals", _describe_deals))
register_kind(SearchKind("invoice", "Invoices", _describe_invoices))
register_kind(SearchKind("job", "Jobs", _describe_jobs))
register_kind(SearchKind("ticket", "Tickets", _describe_tickets))


# -- building the query ---------------------------------------------------------------
@dataclass(frozen=True)
class SearchPlan:
    """The FTS5 queries for one input, tried in order: (table, MATCH expression)."""

    tiers: tuple[tuple[str, str], ...]
    #: The input as names are compared with it for ranking (accent- and case-blind).
    needle: str


def plan_query(text: str) -> SearchPlan | None:
    """The queries for what the user typed, or None when there is nothing to look for."""
    clean = _clean(text)
    if not clean:
        return None
    if _PHONE_INPUT.fullmatch(clean) and any(c.isdigit() for c in clean):
        digits = "".join(c for c in clean if c.isdigit())
        tiers = [("search_word", f"other : {_quote(digits)}*")]
        if len(digits) >= 3:
            tiers.append(("search_trigram", f"other : {_quote(digits)}"))
        return SearchPlan(tuple(tiers), sort_key(clean))
    tiers = []
    words = _WORD.findall(clean)
    if words:
        every = " AND ".join(f"{_quote(w)}*" for w in words)
        tiers.append(("search_word", f"name : ({every})"))
        tiers.append(("search_word", every))
    pieces = [p for p in clean.split() if len(p) >= 3]
    if pieces:
        tiers.append(("search_trigram", " AND ".join(_quote(p) for p in pieces)))
    if not tiers:
        return None
    return SearchPlan(tuple(tiers), sort_key(clean))


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")[: MAX_INPUT * 2]
    # Control, format, private-use and unpaired surrogate characters are never typed
    # on purpose, and a lone surrogate cannot even be sent to SQLite.
    kept = "".join(
        " " if c.isspace() else c
        for c in text
        if c.isspace() or not unicodedata.category(c).startswith("C")
    )
    return " ".join(kept.split())[:MAX_INPUT].strip()


def _quote(term: str) -> str:
    """A FTS5 string: inside double quotes nothing is syntax; quotes are doubled."""
    return '"' + term.replace('"', '""') + '"'


# -- searching ------------------------------------------------------------------------
#: The FTS5 statement of one tier; public for the benchmark's bare baseline.
TIER_SQL = "SELECT rowid FROM {table} WHERE {table} MATCH ? AND rowid BETWEEN ? AND ? LIMIT ?"


def candidates_wanted(limit: int) -> int:
    """Index rows read per kind: a few more than shown, so ranking inside a tier has
    something to choose from."""
    return max(limit * 2, 20)


def search(
    vault: Vault,
    text: str,
    *,
    limit: int = 20,
    kinds: tuple[str, ...] | list[str] | None = None,
    cancel: Progress | threading.Event | None = None,
) -> SearchResults:
    """Up to `limit` hits per kind for `text`, grouped by kind (only groups with hits).

    Only kinds the acting user may view are searched (see the module notes).
    Raises `Cancelled` when `cancel` is set before or while it runs."""
    _check(cancel)
    actor = permissions.actor_of(vault)
    chosen = [k for k in _KINDS.values()
              if (kinds is None or k.kind in kinds) and viewable(actor, k)]
    plan = plan_query(text)
    if plan is None or limit < 1 or not chosen:
        return SearchResults(text, ())
    groups = []
    with vault.unit_of_work() as uow:
        # Type-ahead runs a handful of small statements per key press: they go to the
        # DB-API connection of this unit of work directly, without the ORM's overhead
        # (which was five times the statements' own time).
        raw = uow.session.connection().connection.dbapi_connection
        with _watched(raw, cancel):
            for kind in chosen:
                hits = _search_kind(raw, kind, plan, limit, cancel)
                if hits:
                    groups.append(SearchGroup(kind.kind, kind.label, hits))
    return SearchResults(text, tuple(groups))


def _search_kind(
    raw: RawConnection, kind: SearchKind, plan: SearchPlan, limit: int,
    cancel: Progress | threading.Event | None,
) -> tuple[SearchHit, ...]:
    low, high = search_index.kind_range(kind.kind)
    want = candidates_wanted(limit)
    found: dict[int, int] = {}  # doc id -> tier
    for tier, (table, match) in enumerate(plan.tiers):
        if len(found) >= want:
            break
        _check(cancel)
        rows = _run(cancel, lambda t=table, m=match: raw.execute(
            TIER_SQL.format(table=t), (m, low, high, want + len(found))).fetchall())
        for (doc_id,) in rows:
            found.setdefault(doc_id, tier)
    if not found:
        return ()
    described = _run(cancel, lambda: kind.describe(raw, list(found)))

    def rank(doc_id: int) -> tuple[int, int, str]:
        d = described[doc_id]
        return (found[doc_id], 0 if d.sort_key.startswith(plan.needle) else 1, d.sort_key)

    ranked = sorted((d for d in found if d in described), key=rank)[:limit]
    return tuple(
        SearchHit(kind.kind, described[d].record_id, described[d].title,
                  described[d].subtitle)
        for d in ranked
    )


_T = TypeVar("_T")


def _run(cancel: Progress | threading.Event | None, work: Callable[[], _T]) -> _T:
    try:
        return work()
    except Exception as exc:
        # SQLite's "interrupted" (the progress handler said stop) means cancelled.
        if _is_set(cancel) and "interrupt" in str(exc).lower():
            raise Cancelled() from exc
        raise


@contextmanager
def _watched(raw: RawConnection, cancel: Progress | threading.Event | None) -> Iterator[None]:
    """While inside, SQLite stops a running statement once `cancel` is set."""
    setter = getattr(raw, "set_progress_handler", None)
    if cancel is None or setter is None:
        yield
        return
    setter(lambda: 1 if _is_set(cancel) else 0, CANCEL_CHECK_STEPS)
    try:
        yield
    finally:
        setter(None, 0)


def _is_set(cancel: Progress | threading.Event | None) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, Progress):
        return cancel.cancelled
    return cancel.is_set()


def _check(cancel: Progress | threading.Event | None) -> None:
    if _is_set(cancel):
        raise Cancelled()
