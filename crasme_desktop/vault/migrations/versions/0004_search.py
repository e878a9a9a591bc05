"""search: a full-text index over people and companies

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

`search_doc` holds one row per indexed record: its kind is in the row id's range
(kind code << 40, so each kind's rows are one range of ids), its record id, and
the exact text that went into the index. Two FTS5 indexes read it as their
external content: `search_word` (unicode61 words with diacritics removed, prefix
indexes for 1 and 2 characters, for short input) and `search_trigram` (trigrams,
for substrings of 3 or more characters).

Why the text is kept and the FTS tables are not contentless: with
`contentless_delete=1`, a delete only adds a tombstone and the deleted words stay
in the index pages until a merge; an erased person's name would survive in the
file. An external-content table gets a real 'delete' with the old text, and with
the FTS5 `secure-delete` option (set here, it is persistent) the words are taken
out of the index pages at once.

Existing people and companies are indexed here, with the same text the services
write (`domain.search_text`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

from crasme_desktop.domain.search_text import SearchText, organization_text, person_text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KIND_SHIFT = 40
PERSON, ORGANIZATION = 1, 2
CHUNK = 5000

FTS_TABLES = {
    "search_word": "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2'",
    "search_trigram": "tokenize = 'trigram remove_diacritics 1'",
}


def upgrade() -> None:
    op.create_table(
        "search_doc",
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("other", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("doc_id"),
    )
    op.create_index("uq_search_doc_record", "search_doc", ["record_id"], unique=True)
    for table, options in FTS_TABLES.items():
        op.execute(
            f"CREATE VIRTUAL TABLE {table} USING fts5(name, other, content = 'search_doc', "
            f"content_rowid = 'doc_id', {options})"
        )
        op.execute(f"INSERT INTO {table}({table}, rank) VALUES ('secure-delete', 1)")  # nosec B608  # names are code constants; values are bound
    conn = op.get_bind()
    _index(conn, PERSON, _people(conn))
    _index(conn, ORGANIZATION, _organizations(conn))


def downgrade() -> None:
    for table in FTS_TABLES:
        op.execute(f"DROP TABLE {table}")
    op.drop_index("uq_search_doc_record", table_name="search_doc")
    op.drop_table("search_doc")


def _index(conn: Any, kind: int, docs: Iterator[list[tuple[str, SearchText]]]) -> None:
    next_id = kind << KIND_SHIFT
    for chunk in docs:
        rows = []
        for record_id, doc in chunk:
            next_id += 1
            rows.append((next_id, record_id, doc.name, doc.other))
        conn.exec_driver_sql(
            "INSERT INTO search_doc (doc_id, record_id, name, other) VALUES (?, ?, ?, ?)", rows
        )
        for table in FTS_TABLES:
            conn.exec_driver_sql(
                f"INSERT INTO {table} (rowid, name, other) VALUES (?, ?, ?)",  # nosec B608  # names are code constants; values are bound
                [(r[0], r[2], r[3]) for r in rows],
            )


def _people(conn: Any) -> Iterator[list[tuple[str, SearchText]]]:
    last = ""
    while True:
        people = conn.exec_driver_sql(
            "SELECT id, given_name, family_name, display_name, job_title FROM person "
            "WHERE id > ? ORDER BY id LIMIT ?",
            (last, CHUNK),
        ).all()
        if not people:
            return
        last = people[-1][0]
        ids = [p[0] for p in people]
        emails = _grouped(conn, "SELECT person_id, address FROM person_email", ids)
        phones = _grouped(conn, "SELECT person_id, number FROM person_phone", ids)
        yield [
            (pid, person_text(given, family, display, job, emails.get(pid, ()),
                              phones.get(pid, ())))
            for pid, given, family, display, job in people
        ]


def _organizations(conn: Any) -> Iterator[list[tuple[str, SearchText]]]:
    last = ""
    while True:
        orgs = conn.exec_driver_sql(
            "SELECT id, name, website FROM organization WHERE id > ? ORDER BY id LIMIT ?",
            (last, CHUNK),
        ).all()
        if not orgs:
            return
        last = orgs[-1][0]
        yield [(oid, organization_text(name, website)) for oid, name, website in orgs]


def _grouped(conn: Any, select: str, ids: list[str]) -> dict[str, list[str]]:
    marks = ", ".join("?" * len(ids))
    out: dict[str, list[str]] = {}
    rows = conn.exec_driver_sql(
        f"{select} WHERE person_id IN ({marks}) ORDER BY person_id, position", tuple(ids)
    )
    for owner, value in rows:
        out.setdefault(owner, []).append(value)
    return out
