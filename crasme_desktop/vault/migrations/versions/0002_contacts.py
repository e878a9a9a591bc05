"""contacts: display and sort names, owners, tags, addresses, typed emails and phones
with a primary, tasks on the timeline, attachments kept inside the vault

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Existing rows are filled in: each person's display name and sort key from the names,
each company's sort key, each email's duplicate key, and the first email and phone of
each person become the primary ones. The helpers below are frozen copies on purpose:
a migration must do the same thing forever, whatever the domain code becomes.
"""

from __future__ import annotations

import contextlib
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

def _clean(text: str) -> str:
    return " ".join((text or "").split())


def _sort_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return _clean("".join(c for c in decomposed if not unicodedata.combining(c))).casefold()


def _display_name(given: str, family: str) -> str:
    return " ".join(p for p in (_clean(given), _clean(family)) if p)


def _email_key(address: str) -> str:
    local, _, domain = address.strip().rpartition("@")
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return f"{local.casefold()}@{domain.lower()}"


def _stamped() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    _create_tags()
    _create_addresses()
    _create_attachments()
    _extend_people_and_companies()
    _extend_activities()
    _fill_existing_rows()


def _create_tags() -> None:
    op.create_table(
        "tag",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("name_key", sa.String(length=50), nullable=False),
        *_stamped(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_tag_name_key", "tag", ["name_key"], unique=True)
    for owner, table in (("person", "person_tag"), ("organization", "organization_tag")):
        op.create_table(
            table,
            sa.Column(f"{owner}_id", sa.String(length=36), nullable=False),
            sa.Column("tag_id", sa.String(length=36), nullable=False),
            sa.ForeignKeyConstraint([f"{owner}_id"], [f"{owner}.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint(f"{owner}_id", "tag_id"),
        )
        op.create_index(f"ix_{table}_tag", table, ["tag_id", f"{owner}_id"], unique=False)


def _create_addresses() -> None:
    op.create_table(
        "postal_address",
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("street", sa.Text(), nullable=False),
        sa.Column("postal_code", sa.String(length=40), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_stamped(),
        sa.CheckConstraint(
            "(person_id IS NULL) <> (organization_id IS NULL)",
            name="ck_postal_address_one_owner",
        ),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_postal_address_organization", "postal_address", ["organization_id"], unique=False
    )
    op.create_index("ix_postal_address_person", "postal_address", ["person_id"], unique=False)


def _create_attachments() -> None:
    op.create_table(
        "attachment",
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.String(length=36), nullable=True),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("subject_kind", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        *_stamped(),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    for name, columns in (
        ("ix_attachment_activity", ["activity_id"]),
        ("ix_attachment_organization", ["organization_id"]),
        ("ix_attachment_person", ["person_id"]),
        ("ix_attachment_subject", ["subject_kind", "subject_id"]),
    ):
        op.create_index(name, "attachment", columns, unique=False)
    op.create_table(
        "attachment_content",
        sa.Column("attachment_id", sa.String(length=36), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("attachment_id"),
    )


def _add(table: str, name: str, kind: sa.types.TypeEngine, default: str | None) -> None:
    # Plain ALTER TABLE ADD COLUMN, never a batch "move and copy": the vault runs with
    # foreign keys on, so dropping the old copy of `person` would cascade and delete
    # every email, phone and activity. A string default keeps Alembic from copying.
    nullable = default is None
    op.add_column(table, sa.Column(name, kind, nullable=nullable, server_default=default))


def _extend_people_and_companies() -> None:
    _add("organization", "sort_key", sa.String(length=300), "")
    _add("organization", "owner", sa.String(length=100), "")
    op.create_index("ix_organization_created", "organization", ["created_at", "id"])
    op.create_index("ix_organization_owner", "organization", ["owner", "sort_key", "id"])
    op.create_index("ix_organization_sort", "organization", ["sort_key", "id"])

    for name, length in (("display_name", 400), ("sort_key", 400), ("owner", 100),
                         ("source", 100)):
        _add("person", name, sa.String(length=length), "")
    # Lists now page by the display name's sort key, which replaces family/given.
    op.drop_index("ix_person_family_given", table_name="person")
    op.drop_index("ix_person_organization", table_name="person")
    op.create_index("ix_person_organization", "person", ["organization_id", "sort_key", "id"])
    op.create_index("ix_person_created", "person", ["created_at", "id"])
    op.create_index("ix_person_owner", "person", ["owner", "sort_key", "id"])
    op.create_index("ix_person_sort", "person", ["sort_key", "id"])

    _add("person_email", "address_key", sa.String(length=320), "")
    _add("person_email", "is_primary", sa.Boolean(), "0")
    op.drop_index("ix_person_email_address", table_name="person_email")
    op.create_index("ix_person_email_key", "person_email", ["address_key"])

    _add("person_phone", "extension", sa.String(length=20), "")
    _add("person_phone", "is_primary", sa.Boolean(), "0")


def _extend_activities() -> None:
    for name in ("due_at", "remind_at", "done_at"):
        _add("activity", name, sa.DateTime(), None)
    _add("activity", "owner", sa.String(length=100), "")
    _add("activity", "subject_kind", sa.String(length=30), "")
    _add("activity", "subject_id", sa.String(length=36), "")
    op.drop_index("ix_activity_organization", table_name="activity")
    op.create_index(
        "ix_activity_organization", "activity", ["organization_id", "occurred_at", "id"]
    )
    op.drop_index("ix_activity_person", table_name="activity")
    op.create_index("ix_activity_person", "activity", ["person_id", "occurred_at", "id"])
    op.create_index(
        "ix_activity_subject", "activity", ["subject_kind", "subject_id", "occurred_at", "id"]
    )
    # Only open tasks are in these two, so they stay small however long timelines get.
    op.create_index(
        "ix_activity_open_task_due",
        "activity",
        ["due_at"],
        sqlite_where=sa.text("kind = 'task' AND done_at IS NULL AND due_at IS NOT NULL"),
    )
    op.create_index(
        "ix_activity_open_task_remind",
        "activity",
        ["remind_at"],
        sqlite_where=sa.text("kind = 'task' AND done_at IS NULL AND remind_at IS NOT NULL"),
    )


def _fill_existing_rows() -> None:
    bind = op.get_bind()
    people = bind.execute(sa.text("SELECT id, given_name, family_name FROM person")).all()
    rows = []
    for pid, given, family in people:
        display = _display_name(given, family)
        rows.append({"id": pid, "display": display, "key": _sort_key(display)})
    if rows:
        bind.execute(
            sa.text("UPDATE person SET display_name = :display, sort_key = :key WHERE id = :id"),
            rows,
        )
    orgs = bind.execute(sa.text("SELECT id, name FROM organization")).all()
    if orgs:
        bind.execute(
            sa.text("UPDATE organization SET sort_key = :key WHERE id = :id"),
            [{"id": oid, "key": _sort_key(name)} for oid, name in orgs],
        )
    emails = bind.execute(sa.text("SELECT id, address FROM person_email")).all()
    if emails:
        bind.execute(
            sa.text("UPDATE person_email SET address_key = :key WHERE id = :id"),
            [{"id": eid, "key": _email_key(address)} for eid, address in emails],
        )
    for table in ("person_email", "person_phone"):
        # The first of each person's rows (by position, then id) becomes the primary one.
        bind.execute(
            sa.text(
                f"UPDATE {table} SET is_primary = 1 WHERE id IN ("
                f" SELECT (SELECT c.id FROM {table} c WHERE c.person_id = p.person_id"
                "          ORDER BY c.position, c.id LIMIT 1)"
                f" FROM (SELECT DISTINCT person_id FROM {table}) p)"  # nosec B608  # names are code constants; values are bound
            )
        )


def downgrade() -> None:
    # SQLite drops columns in place (ALTER TABLE DROP COLUMN) once no index uses them;
    # no table is copied, for the reason given in `_add`.
    for index in ("ix_activity_open_task_remind", "ix_activity_open_task_due",
                  "ix_activity_subject", "ix_activity_person", "ix_activity_organization"):
        op.drop_index(index, table_name="activity")
    op.create_index("ix_activity_person", "activity", ["person_id", "occurred_at"])
    op.create_index("ix_activity_organization", "activity", ["organization_id", "occurred_at"])
    op.drop_index("ix_person_email_key", table_name="person_email")
    op.create_index("ix_person_email_address", "person_email", ["address"])
    for index in ("ix_person_sort", "ix_person_owner", "ix_person_created",
                  "ix_person_organization"):
        op.drop_index(index, table_name="person")
    op.create_index("ix_person_organization", "person", ["organization_id"])
    op.create_index("ix_person_family_given", "person", ["family_name", "given_name", "id"])
    for index in ("ix_organization_sort", "ix_organization_owner", "ix_organization_created"):
        op.drop_index(index, table_name="organization")
    for table, columns in (
        ("activity", ("subject_id", "subject_kind", "owner", "done_at", "remind_at", "due_at")),
        ("person_phone", ("is_primary", "extension")),
        ("person_email", ("is_primary", "address_key")),
        ("person", ("source", "owner", "sort_key", "display_name")),
        ("organization", ("owner", "sort_key")),
    ):
        for column in columns:
            op.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    op.drop_table("attachment_content")
    op.drop_table("attachment")
    op.drop_table("postal_address")
    op.drop_table("person_tag")
    op.drop_table("organization_tag")
    op.drop_table("tag")
