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
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, aliased

from crasme_desktop.domain.errors import Cancelled
from crasme_desktop.domain.models import Organization, Person, PersonEmail
from crasme_desktop.domain.progress import Progress
from crasme_desktop.domain.validation import sort_key
from crasme_desktop.services import search_index
from crasme_desktop.vault import Vault

#: Longest input looked at; the rest is ignored (nobody types more into a search box).
MAX_INPUT = 100
#: SQLite virtual machine steps between two looks at the cancel flag.
CANCEL_CHECK_STEPS = 1000
_PHONE_INPUT = re.compile(r"\+?[\d\s().\-/]+")
_WORD = re.compile(r"[^\W_]+")

__all__ = [
    "Described",
    "SearchGroup",
    "SearchHit",
    "SearchKind",
    "SearchPlan",
    "SearchResults",
    "plan_query",
    "register_kind",
    "search",
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
    title: str
    subtitle: str
    sort_key: str


@dataclass(frozen=True)
class SearchKind:
    """A kind of record search can find: its index kind, the group's label, and how
    to describe found records (record id -> title, subtitle, sort key)."""

    kind: str
    label: str
    describe: Callable[[Session, list[str]], dict[str, Described]]


_KINDS: dict[str, SearchKind] = {}


def register_kind(kind: SearchKind) -> None:
    """Add (or replace) a kind; groups come out in the order kinds were registered."""
    search_index.kind_range(kind.kind)  # raises for a kind the index does not know
    _KINDS[kind.kind] = kind


def _describe_people(s: Session, ids: list[str]) -> dict[str, Described]:
    first_email = (
        select(PersonEmail.address)
        .where(PersonEmail.person_id == Person.id)
        .order_by(PersonEmail.is_primary.desc(), PersonEmail.position)
        .limit(1)
        .scalar_subquery()
    )
    org = aliased(Organization)
    rows = s.execute(
        select(Person.id, Person.display_name, Person.sort_key, org.name, first_email)
        .outerjoin(org, org.id == Person.organization_id)
        .where(Person.id.in_(ids))
    )
    return {
        pid: Described(name, " · ".join(p for p in (company, email) if p), key)
        for pid, name, key, company, email in rows
    }


def _describe_organizations(s: Session, ids: list[str]) -> dict[str, Described]:
    rows = s.execute(
        select(Organization.id, Organization.name, Organization.sort_key,
               Organization.website).where(Organization.id.in_(ids))
    )
    return {
        oid: Described(name, _host(website), key) for oid, name, key, website in rows
    }


def _host(website: str) -> str:
    host = re.sub(r"^https?://", "", website or "", flags=re.IGNORECASE)
    return host.removeprefix("www.").rstrip("/")


register_kind(SearchKind("person", "People", _describe_people))
register_kind(SearchKind("organization", "Companies", _describe_organizations))


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
def search(
    vault: Vault,
    text: str,
    *,
    limit: int = 20,
    kinds: tuple[str, ...] | list[str] | None = None,
    cancel: Progress | threading.Event | None = None,
) -> SearchResults:
    """Up to `limit` hits per kind for `text`, grouped by kind (only groups with hits).

    Raises `Cancelled` when `cancel` is set before or while it runs."""
    _check(cancel)
    chosen = [k for k in _KINDS.values() if kinds is None or k.kind in kinds]
    plan = plan_query(text)
    if plan is None or limit < 1 or not chosen:
        return SearchResults(text, ())
    groups = []
    with vault.unit_of_work() as uow, _watched(uow.session, cancel):
        for kind in chosen:
            hits = _search_kind(uow.session, kind, plan, limit, cancel)
            if hits:
                groups.append(SearchGroup(kind.kind, kind.label, hits))
    return SearchResults(text, tuple(groups))


def _search_kind(
    s: Session, kind: SearchKind, plan: SearchPlan, limit: int,
    cancel: Progress | threading.Event | None,
) -> tuple[SearchHit, ...]:
    low, high = search_index.kind_range(kind.kind)
    # A few more than shown, so that ranking inside a tier has something to choose from.
    want = max(limit * 2, 20)
    found: dict[int, int] = {}  # doc id -> tier
    for tier, (table, match) in enumerate(plan.tiers):
        if len(found) >= want:
            break
        _check(cancel)
        rows = _run(s, cancel,
                    f"SELECT rowid FROM {table} WHERE {table} MATCH :q "
                    "AND rowid BETWEEN :lo AND :hi LIMIT :n",
                    {"q": match, "lo": low, "hi": high, "n": want + len(found)})
        for (doc_id,) in rows:
            found.setdefault(doc_id, tier)
    if not found:
        return ()
    doc_ids = list(found)
    marks = ", ".join(f":d{i}" for i in range(len(doc_ids)))
    records = dict(_run(s, cancel,
                        f"SELECT doc_id, record_id FROM search_doc WHERE doc_id IN ({marks})",
                        {f"d{i}": d for i, d in enumerate(doc_ids)}))
    described = kind.describe(s, list(records.values()))

    def rank(doc_id: int) -> tuple[int, int, str]:
        d = described[records[doc_id]]
        return (found[doc_id], 0 if d.sort_key.startswith(plan.needle) else 1, d.sort_key)

    ranked = sorted((d for d in doc_ids if records.get(d) in described), key=rank)
    return tuple(
        SearchHit(kind.kind, records[d], described[records[d]].title,
                  described[records[d]].subtitle)
        for d in ranked[:limit]
    )


def _run(s: Session, cancel: Progress | threading.Event | None, sql: str,
         params: dict[str, Any]) -> list[Any]:
    try:
        return [tuple(row) for row in s.execute(sql_text(sql), params)]
    except OperationalError as exc:
        if _is_set(cancel):
            raise Cancelled() from exc
        raise


@contextmanager
def _watched(s: Session, cancel: Progress | threading.Event | None) -> Iterator[None]:
    """While inside, SQLite stops a running statement once `cancel` is set."""
    if cancel is None:
        yield
        return
    raw = s.connection().connection.dbapi_connection
    setter = getattr(raw, "set_progress_handler", None)
    if setter is None:
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
