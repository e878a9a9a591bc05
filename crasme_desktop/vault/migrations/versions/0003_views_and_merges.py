"""views and merges: saved list views, and merges kept for undo

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

`saved_view` holds the filters and sort order a person saved on a list page (as
JSON, no personal values beyond what they typed as a filter). `merge_record` keeps
what a merge of two people or two companies changed, so that it can be undone:
the removed record as it was and where its timeline, emails and phones went. It
holds personal data, so erasing either person also deletes it, and it expires
with the undo period.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _stamped() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "saved_view",
        sa.Column("page", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_stamped(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_saved_view_name", "saved_view", ["page", "name_key"], unique=True)
    op.create_table(
        "merge_record",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("kept_id", sa.String(length=36), nullable=False),
        sa.Column("removed_id", sa.String(length=36), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        *_stamped(),
        sa.CheckConstraint("kind IN ('person', 'organization')", name="ck_merge_record_kind"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_merge_record_kept", "merge_record", ["kept_id", "created_at"])
    op.create_index("ix_merge_record_removed", "merge_record", ["removed_id"])


def downgrade() -> None:
    op.drop_index("ix_merge_record_removed", table_name="merge_record")
    op.drop_index("ix_merge_record_kept", table_name="merge_record")
    op.drop_table("merge_record")
    op.drop_index("uq_saved_view_name", table_name="saved_view")
    op.drop_table("saved_view")
