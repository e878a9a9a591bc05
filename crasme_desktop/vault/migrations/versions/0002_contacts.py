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

EMPTY = sa.text("''")
FALSE = sa.text("0")


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


def _extend_people_and_companies() -> None:
    # New NOT NULL columns need a server default for the rows already there.
    with op.batch_alter_table("organization") as batch_op:
        batch_op.add_column(
            sa.Column("sort_key", sa.String(length=300), nullable=False, server_default=EMPTY)
        )
        batch_op.add_column(
            sa.Column("owner", sa.String(length=100), nullable=False, server_default=EMPTY)
        )
        batch_op.create_index("ix_organization_created", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_organization_owner", ["owner", "sort_key", "id"], unique=False)
        batch_op.create_index("ix_organization_sort", ["sort_key", "id"], unique=False)

    with op.batch_alter_table("person") as batch_op:
        for name, length in (
            ("display_name", 400),
            ("sort_key", 400),
            ("owner", 100),
            ("source", 100),
        ):
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default=EMPTY)
            )
        # Lists now page by the display name's sort key, which replaces family/given.
        batch_op.drop_index("ix_person_family_given")
        batch_op.drop_index("ix_person_organization")
        batch_op.create_index(
            "ix_person_organization", ["organization_id", "sort_key", "id"], unique=False
        )
        batch_op.create_index("ix_person_created", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_person_owner", ["owner", "sort_key", "id"], unique=False)
        batch_op.create_index("ix_person_sort", ["sort_key", "id"], unique=False)

    with op.batch_alter_table("person_email") as batch_op:
        batch_op.add_column(
            sa.Column("address_key", sa.String(length=320), nullable=False, server_default=EMPTY)
        )
        batch_op.add_column(
            sa.Column("is_primary", sa.Boolean(), nullable=False, server_default=FALSE)
        )
        batch_op.drop_index("ix_person_email_address")
        batch_op.create_index("ix_person_email_key", ["address_key"], unique=False)

    with op.batch_alter_table("person_phone") as batch_op:
        batch_op.add_column(
            sa.Column("extension", sa.String(length=20), nullable=False, server_default=EMPTY)
        )
        batch_op.add_column(
            sa.Column("is_primary", sa.Boolean(), nullable=False, server_default=FALSE)
        )


def _extend_activities() -> None:
    with op.batch_alter_table("activity") as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("remind_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("done_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("owner", sa.String(length=100), nullable=False, server_default=EMPTY)
        )
        batch_op.add_column(
            sa.Column("subject_kind", sa.String(length=30), nullable=False, server_default=EMPTY)
        )
        batch_op.add_column(
            sa.Column("subject_id", sa.String(length=36), nullable=False, server_default=EMPTY)
        )
        batch_op.drop_index("ix_activity_organization")
        batch_op.create_index(
            "ix_activity_organization", ["organization_id", "occurred_at", "id"], unique=False
        )
        batch_op.drop_index("ix_activity_person")
        batch_op.create_index(
            "ix_activity_person", ["person_id", "occurred_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_activity_subject",
            ["subject_kind", "subject_id", "occurred_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_activity_open_task_due",
            ["due_at"],
            unique=False,
            sqlite_where=sa.text("kind = 'task' AND done_at IS NULL AND due_at IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_activity_open_task_remind",
            ["remind_at"],
            unique=False,
            sqlite_where=sa.text(
                "kind = 'task' AND done_at IS NULL AND remind_at IS NOT NULL"
            ),
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
                f" FROM (SELECT DISTINCT person_id FROM {table}) p)"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("activity") as batch_op:
        batch_op.drop_index("ix_activity_open_task_remind")
        batch_op.drop_index("ix_activity_open_task_due")
        batch_op.drop_index("ix_activity_subject")
        batch_op.drop_index("ix_activity_person")
        batch_op.create_index("ix_activity_person", ["person_id", "occurred_at"], unique=False)
        batch_op.drop_index("ix_activity_organization")
        batch_op.create_index(
            "ix_activity_organization", ["organization_id", "occurred_at"], unique=False
        )
        for name in ("subject_id", "subject_kind", "owner", "done_at", "remind_at", "due_at"):
            batch_op.drop_column(name)
    with op.batch_alter_table("person_phone") as batch_op:
        batch_op.drop_column("is_primary")
        batch_op.drop_column("extension")
    with op.batch_alter_table("person_email") as batch_op:
        batch_op.drop_index("ix_person_email_key")
        batch_op.create_index("ix_person_email_address", ["address"], unique=False)
        batch_op.drop_column("is_primary")
        batch_op.drop_column("address_key")
    with op.batch_alter_table("person") as batch_op:
        for name in ("ix_person_sort", "ix_person_owner", "ix_person_created"):
            batch_op.drop_index(name)
        batch_op.drop_index("ix_person_organization")
        batch_op.create_index("ix_person_organization", ["organization_id"], unique=False)
        batch_op.create_index(
            "ix_person_family_given", ["family_name", "given_name", "id"], unique=False
        )
        for name in ("source", "owner", "sort_key", "display_name"):
            batch_op.drop_column(name)
    with op.batch_alter_table("organization") as batch_op:
        for name in ("ix_organization_sort", "ix_organization_owner", "ix_organization_created"):
            batch_op.drop_index(name)
        batch_op.drop_column("owner")
        batch_op.drop_column("sort_key")
    op.drop_table("attachment_content")
    op.drop_table("attachment")
    op.drop_table("postal_address")
    op.drop_table("person_tag")
    op.drop_table("organization_tag")
    op.drop_table("tag")
