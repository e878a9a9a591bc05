"""deals: pipelines, stages and deals; quotes remember the deal they came from

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

A `pipeline` is an ordered list of `deal_stage`s, each with a default probability in
percent and a kind (open, won or lost). A `deal` sits in one stage at a `position`
(the board's order inside a column). Indexes: the board reads (pipeline, stage,
position); the list pages by key over (status, expected close), (expected close),
(title key), (value), (created) and (owner, expected close), each ending in `id`.

A default pipeline "Sales" is made here with the stages Lead 10 %, Qualified 25 %,
Proposal 50 %, Negotiation 75 %, Won (100 %) and Lost (0 %).

`quote.deal_id` links a quote made from a deal back to it. It has no foreign key:
SQLite cannot add one to an existing table, and rebuilding `quote` with foreign keys
on would cascade-delete its lines. Trigger `trg_deal_deleted` does what ON DELETE SET
NULL would, and also takes the deal out of the search index (FTS5 'delete' with the
stored text, as services/search_index does), so a deal deleted by any path (the deals
service, erasing a person) leaves neither a dangling link nor its words behind.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from crasme_desktop.domain.ids import new_id

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: The default pipeline's stages: (name, probability in percent, kind).
DEFAULT_STAGES = (
    ("Lead", 10, "open"),
    ("Qualified", 25, "open"),
    ("Proposal", 50, "open"),
    ("Negotiation", 75, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
)
DEFAULT_PIPELINE = "Sales"

DELETED_TRIGGER = """
CREATE TRIGGER trg_deal_deleted AFTER DELETE ON deal BEGIN
    UPDATE quote SET deal_id = NULL WHERE deal_id = OLD.id;
    INSERT INTO search_word (search_word, rowid, name, other)
        SELECT 'delete', doc_id, name, other FROM search_doc WHERE record_id = OLD.id;
    INSERT INTO search_trigram (search_trigram, rowid, name, other)
        SELECT 'delete', doc_id, name, other FROM search_doc WHERE record_id = OLD.id;
    DELETE FROM search_doc WHERE record_id = OLD.id;
END
"""


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    pipeline = op.create_table(
        "pipeline",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pipeline_position", "pipeline", ["position", "id"])
    stage = op.create_table(
        "deal_stage",
        sa.Column("pipeline_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        *_stamps(),
        sa.CheckConstraint("kind IN ('open', 'won', 'lost')", name="ck_deal_stage_kind"),
        sa.CheckConstraint("probability >= 0 AND probability <= 100",
                           name="ck_deal_stage_probability"),
        sa.ForeignKeyConstraint(["pipeline_id"], ["pipeline.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deal_stage_pipeline", "deal_stage", ["pipeline_id", "position", "id"])
    op.create_table(
        "deal",
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_key", sa.String(length=300), nullable=False),
        sa.Column("pipeline_id", sa.String(length=36), nullable=False),
        sa.Column("stage_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("next_step", sa.String(length=300), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("probability", sa.Integer(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("status IN ('open', 'won', 'lost')", name="ck_deal_status"),
        sa.CheckConstraint("value_minor >= 0", name="ck_deal_value"),
        sa.CheckConstraint("probability IS NULL OR (probability >= 0 AND probability <= 100)",
                           name="ck_deal_probability"),
        sa.ForeignKeyConstraint(["pipeline_id"], ["pipeline.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["stage_id"], ["deal_stage.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    for name, columns in (
        ("ix_deal_board", ["pipeline_id", "stage_id", "position", "id"]),
        ("ix_deal_stage", ["stage_id"]),
        ("ix_deal_status_close", ["status", "expected_close", "id"]),
        ("ix_deal_close", ["expected_close", "id"]),
        ("ix_deal_title", ["title_key", "id"]),
        ("ix_deal_value", ["value_minor", "id"]),
        ("ix_deal_created", ["created_at", "id"]),
        ("ix_deal_owner", ["owner", "expected_close", "id"]),
        ("ix_deal_person", ["person_id"]),
        ("ix_deal_organization", ["organization_id"]),
    ):
        op.create_index(name, "deal", columns)
    op.add_column("quote", sa.Column("deal_id", sa.String(length=36), nullable=True))
    op.create_index("ix_quote_deal", "quote", ["deal_id"])
    op.execute(DELETED_TRIGGER)

    now = datetime.now(UTC).replace(tzinfo=None)
    pipeline_id = new_id()
    op.bulk_insert(pipeline, [{"id": pipeline_id, "name": DEFAULT_PIPELINE, "position": 0,
                               "is_default": True, "created_at": now, "updated_at": now}])
    op.bulk_insert(stage, [
        {"id": new_id(), "pipeline_id": pipeline_id, "name": name, "position": i,
         "probability": probability, "kind": kind, "created_at": now, "updated_at": now}
        for i, (name, probability, kind) in enumerate(DEFAULT_STAGES)
    ])


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS trg_deal_deleted")
    op.drop_index("ix_quote_deal", table_name="quote")
    # Not batch mode: rebuilding `quote` with foreign keys on would cascade to its lines.
    op.execute("ALTER TABLE quote DROP COLUMN deal_id")
    for name in ("ix_deal_organization", "ix_deal_person", "ix_deal_owner", "ix_deal_created",
                 "ix_deal_value", "ix_deal_title", "ix_deal_close", "ix_deal_status_close",
                 "ix_deal_stage", "ix_deal_board"):
        op.drop_index(name, table_name="deal")
    op.drop_table("deal")
    op.drop_index("ix_deal_stage_pipeline", table_name="deal_stage")
    op.drop_table("deal_stage")
    op.drop_index("ix_pipeline_position", table_name="pipeline")
    op.drop_table("pipeline")
