"""users and roles, and the audit trail's hash chain

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22

New tables `role` (the five built-in roles seeded with fixed ids: Owner, Admin,
Manager, Staff, Read-only; their permissions live in `domain.permissions`),
`role_permission` (the permissions of custom roles, as text) and `app_user` (display
name, role, active; no secrets: sign-in goes through the key slots). Every vault gets
one active user "Owner" with the Owner role, so that a vault used by one person acts
as its only Owner from the start.

`audit_event` gains `user_id` (no foreign key: removing a user never rewrites the
trail), `seq`, `prev_hash` and `hash` (see `domain.audit_chain`). The events already
there are chained here in the order of their time (then their row order), with no
user (they were made before there were users).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from crasme_desktop.domain.audit_chain import GENESIS, entry_hash
from crasme_desktop.domain.ids import new_id
from crasme_desktop.domain.permissions import BUILTIN_ROLES, OWNER_ROLE_ID

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

FIRST_USER_NAME = "Owner"


def upgrade() -> None:
    op.create_table(
        "role",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("builtin", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_role_name", "role", ["name_key"], unique=True)
    op.create_table(
        "role_permission",
        sa.Column("role_id", sa.String(length=36), nullable=False),
        sa.Column("permission", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(["role_id"], ["role.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("role_id", "permission"),
    )
    op.create_table(
        "app_user",
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("role_id", sa.String(length=36), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["role_id"], ["role.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_app_user_role", "app_user", ["role_id"], unique=False)
    op.create_index("uq_app_user_name", "app_user", ["name_key"], unique=True)

    now = datetime.now(UTC).replace(tzinfo=None)
    role = sa.table("role", *(sa.column(c) for c in (
        "id", "name", "name_key", "builtin", "description", "created_at", "updated_at")))
    op.bulk_insert(role, [
        {"id": role_id, "name": name, "name_key": name.casefold(), "builtin": key,
         "description": "", "created_at": now, "updated_at": now}
        for key, (name, role_id, _permissions) in BUILTIN_ROLES.items()
    ])
    user = sa.table("app_user", *(sa.column(c) for c in (
        "id", "display_name", "name_key", "role_id", "active", "created_at", "updated_at")))
    op.bulk_insert(user, [
        {"id": new_id(), "display_name": FIRST_USER_NAME,
         "name_key": FIRST_USER_NAME.casefold(), "role_id": OWNER_ROLE_ID, "active": True,
         "created_at": now, "updated_at": now}
    ])

    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("user_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_existing_events()
    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch.drop_index("ix_audit_event_record")
        batch.create_index("ix_audit_event_record", ["record_type", "record_id", "seq"],
                           unique=False)
        batch.create_index("ix_audit_event_user", ["user_id", "seq"], unique=False)
        batch.create_index("uq_audit_event_seq", ["seq"], unique=True)


def _chain_existing_events() -> None:
    conn = op.get_bind()
    rows = conn.exec_driver_sql(
        "SELECT rowid, at, actor, action, record_type, record_id FROM audit_event "
        "ORDER BY at, rowid").all()
    prev = GENESIS
    updates = []
    for seq, (rowid, at, actor, action, record_type, record_id) in enumerate(rows, start=1):
        moment = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        digest = entry_hash(seq, moment, None, actor or "", action, record_type or "",
                            record_id or "", prev)
        updates.append((seq, prev, digest, rowid))
        prev = digest
    if updates:
        conn.exec_driver_sql(
            "UPDATE audit_event SET seq = ?, prev_hash = ?, hash = ? WHERE rowid = ?", updates)


def downgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_index("uq_audit_event_seq")
        batch.drop_index("ix_audit_event_user")
        batch.drop_index("ix_audit_event_record")
        batch.create_index("ix_audit_event_record", ["record_type", "record_id"], unique=False)
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
        batch.drop_column("seq")
        batch.drop_column("user_id")
    op.drop_index("uq_app_user_name", table_name="app_user")
    op.drop_index("ix_app_user_role", table_name="app_user")
    op.drop_table("app_user")
    op.drop_table("role_permission")
    op.drop_index("uq_role_name", table_name="role")
    op.drop_table("role")
