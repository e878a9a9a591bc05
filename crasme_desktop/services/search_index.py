"""Keeps the full-text search index in step with people and companies.

Called by the services inside the same session (so the same transaction) as the
write: `index_people(session, ids)` after creating or changing people,
`index_organizations(session, ids)` likewise, `unindex(session, kind, ids)` when
they are deleted (before or after the rows go: it needs only the ids).

The index (migration 0004): `search_doc` keeps one row per record with the exact
text indexed, under a row id in its kind's range (`code << 40`); the FTS5 tables
`search_word` and `search_trigram` use it as external content. Changing or
removing a record first gives FTS5 a 'delete' with the stored old text, which with
the `secure-delete` option removes its words from the index pages; nothing of an
erased record's text stays behind (after a WAL checkpoint).

Later areas (deals, invoices, tickets) add a kind to `KIND_CODES` and an
`index_<kind>` function that builds `SearchText` for their records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from crasme_desktop.domain.models import Organization, Person, PersonEmail, PersonPhone
from crasme_desktop.domain.search_text import (
    PART_LIMIT,
    SearchText,
    organization_text,
    person_text,
)

IndexKind = Literal["person", "organization"]

KIND_SHIFT = 40
#: A kind's rows in `search_doc` have ids in [code << 40, (code + 1) << 40).
KIND_CODES: dict[str, int] = {"person": 1, "organization": 2, "invoice": 3, "deal": 4,
                              "ticket": 5, "job": 6}
FTS_TABLES = ("search_word", "search_trigram")
#: Ids per statement (well under SQLite's limit of bound parameters).
CHUNK = 500

__all__ = [
    "FTS_TABLES",
    "KIND_CODES",
    "Document",
    "add_documents",
    "deal_text",
    "index_deals",
    "index_invoices",
    "index_jobs",
    "index_organizations",
    "index_people",
    "index_tickets",
    "invoice_text",
    "job_text",
    "kind_of",
    "kind_range",
    "ticket_text",
    "unindex",
]


@dataclass(frozen=True)
class Document:
    """One record's searchable text, for a bulk fill that already has the values."""

    kind: str
    record_id: str
    text: SearchText


def kind_range(kind: str) -> tuple[int, int]:
    """The first and last `search_doc` row id a kind may use."""
    code = _code(kind)
    return code << KIND_SHIFT, ((code + 1) << KIND_SHIFT) - 1


def kind_of(doc_id: int) -> str | None:
    code = doc_id >> KIND_SHIFT
    return next((k for k, c in KIND_CODES.items() if c == code), None)


# -- keeping in step ------------------------------------------------------------------
def index_people(session: Session, ids: Iterable[str]) -> None:
    """(Re)index these people as they are now in the session; ids of people that no
    longer exist are taken out of the index."""
    for chunk in _chunks(ids):
        session.flush()
        rows = session.execute(
            select(Person.id, Person.given_name, Person.family_name, Person.display_name,
                   Person.job_title).where(Person.id.in_(chunk))
        ).all()
        emails = _grouped(session, PersonEmail.person_id, PersonEmail.address,
                          PersonEmail.position, chunk)
        phones = _grouped(session, PersonPhone.person_id, PersonPhone.number,
                          PersonPhone.position, chunk)
        docs = {
            pid: person_text(given, family, display, job, emails.get(pid, ()),
                             phones.get(pid, ()))
            for pid, given, family, display, job in rows
        }
        _replace(session, "person", chunk, docs)


def index_organizations(session: Session, ids: Iterable[str]) -> None:
    """(Re)index these companies; ids of companies that no longer exist are unindexed."""
    for chunk in _chunks(ids):
        session.flush()
        rows = session.execute(
            select(Organization.id, Organization.name, Organization.website)
            .where(Organization.id.in_(chunk))
        ).all()
        docs = {oid: organization_text(name, website) for oid, name, website in rows}
        _replace(session, "organization", chunk, docs)


def index_invoices(session: Session, ids: Iterable[str]) -> None:
    """(Re)index these invoices and credit notes: the number (as written, its digits
    alone, and its last digit group without leading zeros, so "0042", "20260042" and
    "42" find INV-2026-0042) and the customer (billing name, person and company names);
    ids of invoices that no longer exist (deleted drafts) are unindexed."""
    for chunk in _chunks(ids):
        session.flush()
        marks = ", ".join(f":i{n}" for n in range(len(chunk)))
        rows = session.execute(
            text("SELECT i.id, coalesce(i.number, ''), i.billing_name, "
                 "coalesce(p.display_name, ''), coalesce(o.name, '') FROM invoice i "
                 "LEFT JOIN person p ON p.id = i.customer_person_id "
                 "LEFT JOIN organization o ON o.id = i.customer_organization_id "
                 f"WHERE i.id IN ({marks})"),  # nosec B608  # names are code constants; values are bound
            {f"i{n}": v for n, v in enumerate(chunk)},
        ).all()
        docs = {iid: invoice_text(number, billing, person, company)
                for iid, number, billing, person, company in rows}
        _replace(session, "invoice", chunk, docs)


def invoice_text(
    number: str, billing_name: str, person: str = "", company: str = ""
) -> SearchText:
    """The searchable text of an invoice: number and billing name as its name, the
    number's digit forms and the customer records' names as the rest."""
    groups = re.findall(r"\d+", number)
    other = [number, "".join(groups)] if len(groups) > 1 else [number]
    if groups and groups[-1].lstrip("0"):
        other.append(groups[-1].lstrip("0"))
    name = " ".join(p for p in (number, billing_name.strip()) if p)
    return SearchText(name[:PART_LIMIT], _words(other, person, company)[:PART_LIMIT])


def _words(parts: Sequence[str], *more: str) -> str:
    out: dict[str, str] = {}
    for part in (*parts, *more):
        for word in part.split():
            out.setdefault(word.casefold(), word)
    return " ".join(out.values())


def index_deals(session: Session, ids: Iterable[str]) -> None:
    """(Re)index these deals by their title (names of people are left out, so that a
    deal's entry never keeps a deleted person's name); ids of deals that no longer exist
    are unindexed. (Deleting a deal also unindexes it by trigger, migration 0007.)"""
    for chunk in _chunks(ids):
        session.flush()
        marks = ", ".join(f":i{n}" for n in range(len(chunk)))
        rows = session.execute(
            text(f"SELECT id, title FROM deal WHERE id IN ({marks})"),  # nosec B608  # names are code constants; values are bound
            {f"i{n}": v for n, v in enumerate(chunk)},
        ).all()
        _replace(session, "deal", chunk, {did: deal_text(title) for did, title in rows})


def deal_text(title: str) -> SearchText:
    return SearchText(title.strip()[:PART_LIMIT], "")


def index_tickets(session: Session, ids: Iterable[str]) -> None:
    """(Re)index these tickets: number, subject and requester's name; ids of tickets that
    no longer exist are unindexed. (Deleting a ticket also unindexes it by trigger,
    migration 0008, so erasing its requester takes the name out with it.)"""
    for chunk in _chunks(ids):
        session.flush()
        marks = ", ".join(f":i{n}" for n in range(len(chunk)))
        rows = session.execute(
            text("SELECT t.id, t.number, t.subject, coalesce(p.display_name, '') FROM ticket t "
                 f"LEFT JOIN person p ON p.id = t.requester_id WHERE t.id IN ({marks})"),  # nosec B608  # names are code constants; values are bound
            {f"i{n}": v for n, v in enumerate(chunk)},
        ).all()
        _replace(session, "ticket", chunk, {tid: ticket_text(number, subject, requester)
                                            for tid, number, subject, requester in rows})


def ticket_text(number: int, subject: str, requester: str = "") -> SearchText:
    """A ticket's searchable text: "#1234 subject" as its name; the number's digits (what
    a search for digits looks at) and the requester's name as the rest."""
    name = f"#{number} {subject.strip()}"
    return SearchText(name[:PART_LIMIT], f"{number} {requester.strip()}".strip()[:PART_LIMIT])


def index_jobs(session: Session, ids: Iterable[str]) -> None:
    """(Re)index these jobs: "Job 12" and the title as the name, the site address and
    the company as the rest (people's names are left out, as for deals); ids of jobs
    that no longer exist are unindexed. (Deleting a job also unindexes it by trigger,
    migration 0008.)"""
    for chunk in _chunks(ids):
        session.flush()
        marks = ", ".join(f":i{n}" for n in range(len(chunk)))
        rows = session.execute(
            text("SELECT j.id, j.number, j.title, j.site_address, coalesce(o.name, '') "
                 "FROM job j LEFT JOIN organization o ON o.id = j.organization_id "
                 f"WHERE j.id IN ({marks})"),  # nosec B608  # names are code constants; values are bound
            {f"i{n}": v for n, v in enumerate(chunk)},
        ).all()
        _replace(session, "job", chunk, {jid: job_text(number, title, address, company)
                                         for jid, number, title, address, company in rows})


def job_text(number: int, title: str, site_address: str = "", company: str = "") -> SearchText:
    """The searchable text of a job: "Job 12" and its title as the name; the number's
    digits (what a search for digits looks at), the site address and the customer
    company as the rest."""
    name = f"Job {number} {title.strip()}"
    other = " ".join(p for p in (str(number), " ".join(site_address.split()),
                                 company.strip()) if p)
    return SearchText(name[:PART_LIMIT], other[:PART_LIMIT])


def unindex(session: Session, kind: str, ids: Iterable[str]) -> None:
    """Take these records of `kind` out of the index (their words leave the file)."""
    _code(kind)
    for chunk in _chunks(ids):
        _remove(session, _stored(session, chunk))


def add_documents(session: Session, documents: Sequence[Document]) -> None:
    """Index new records whose text the caller already built (bulk fills of records
    that are not in the index yet)."""
    by_kind: dict[str, list[Document]] = {}
    for doc in documents:
        by_kind.setdefault(doc.kind, []).append(doc)
    for kind, docs in by_kind.items():
        first = _next_id(session, kind)
        _insert(session, [(first + i, d.record_id, d.text) for i, d in enumerate(docs)])


# -- inside ----------------------------------------------------------------------------
def _code(kind: str) -> int:
    try:
        return KIND_CODES[kind]
    except KeyError:
        raise ValueError(f"no search index kind {kind!r}") from None


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    unique = list(dict.fromkeys(i for i in ids if i))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


def _grouped(
    session: Session, owner: Any, value: Any, position: Any, ids: list[str]
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, item in session.execute(
        select(owner, value).where(owner.in_(ids)).order_by(owner, position)
    ):
        out.setdefault(key, []).append(item)
    return out


def _stored(session: Session, ids: list[str]) -> dict[str, tuple[int, str, str]]:
    """record id -> (doc id, name, other) as indexed now."""
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    rows = session.execute(
        text(f"SELECT record_id, doc_id, name, other FROM search_doc "
             f"WHERE record_id IN ({marks})"),  # nosec B608  # names are code constants; values are bound
        {f"i{n}": v for n, v in enumerate(ids)},
    )
    return {rid: (doc_id, name, other) for rid, doc_id, name, other in rows}


def _replace(
    session: Session, kind: str, ids: list[str], docs: dict[str, SearchText]
) -> None:
    stored = _stored(session, ids)
    changed = {
        rid: old for rid, old in stored.items()
        if rid not in docs or (old[1], old[2]) != (docs[rid].name, docs[rid].other)
    }
    fresh = [rid for rid in docs if rid not in stored]
    # New numbers are taken before the changed documents are removed: a changed one
    # keeps its number, and it may be the highest, which `_next_id` would hand out again.
    first = _next_id(session, kind) if fresh else 0
    _remove(session, changed)
    keep = {rid: old[0] for rid, old in stored.items() if rid in docs}
    rows: list[tuple[int, str, SearchText]] = [
        (keep[rid], rid, docs[rid]) for rid in changed if rid in docs
    ]
    rows.extend((first + i, rid, docs[rid]) for i, rid in enumerate(fresh))
    _insert(session, rows)


def _remove(session: Session, stored: dict[str, tuple[int, str, str]]) -> None:
    if not stored:
        return
    olds = [{"d": doc_id, "n": name, "o": other} for doc_id, name, other in stored.values()]
    for table in FTS_TABLES:
        session.execute(
            text(f"INSERT INTO {table} ({table}, rowid, name, other) "
                 f"VALUES ('delete', :d, :n, :o)"),  # nosec B608  # names are code constants; values are bound
            olds,
        )
    session.execute(text("DELETE FROM search_doc WHERE doc_id = :d"), olds)


def _insert(session: Session, rows: list[tuple[int, str, SearchText]]) -> None:
    if not rows:
        return
    # Plain driver executemany on the session's connection (so the same transaction):
    # SQLAlchemy's per-row parameter handling cost as much as the inserts (bulk imports).
    conn = session.connection()
    conn.exec_driver_sql(
        "INSERT INTO search_doc (doc_id, record_id, name, other) VALUES (?, ?, ?, ?)",
        [(d, r, t.name, t.other) for d, r, t in rows],
    )
    values = [(d, t.name, t.other) for d, _r, t in rows]
    for table in FTS_TABLES:
        conn.exec_driver_sql(
            f"INSERT INTO {table} (rowid, name, other) VALUES (?, ?, ?)", values  # nosec B608  # names are code constants; values are bound
        )


def _next_id(session: Session, kind: str) -> int:
    low, high = kind_range(kind)
    top = session.execute(
        text("SELECT max(doc_id) FROM search_doc WHERE doc_id BETWEEN :lo AND :hi"),
        {"lo": low, "hi": high},
    ).scalar()
    return (top if top is not None else low) + 1
