"""privacy: consent, restriction, requests, erasures, notice acknowledgements, retention

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

Consent and restriction keep their history (a row per change). `privacy_request` is
the register of people's requests (due one calendar month after receipt).
`erasure` remembers erased people as sha256 hashes of their ids, so that restoring an
older backup can erase them again; it holds no personal data. `notice_ack` records who
acknowledged which version of the privacy notice. `retention_run` records each run of
the retention rules (which live in the `setting` table under "privacy.retention").

Issued invoices and retention. Migration 0005's triggers refuse to delete an issued
invoice, its lines or its tax totals at any time. The law asks to keep invoices for a
time, not for ever: retention deletes them seven years after their issue date. The
delete triggers are made again here with one exception: an issued invoice (with its
lines and tax totals) may be deleted once its `issue_date` is more than seven years
before today's date as SQLite computes it (`date('now', '-7 years')`, UTC). Raw SQL
cannot use this for a young invoice: the issue date of an issued invoice is itself
frozen (trg_invoice_frozen), an issued invoice cannot go back to draft, and the
cut-off comes from the system clock inside the database, not from the statement. The
retention period for invoices can be made longer in the settings, never shorter.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FROZEN_MESSAGE = "An issued invoice cannot be changed or deleted until seven years after its issue."
OLD_MESSAGE = "An issued invoice cannot be changed or deleted."
#: An issue date later than this is too young to delete (kept in step with
#: services/retention.py INVOICE_MIN_MONTHS).
YOUNG = "date('now', '-7 years')"


def _young_issued(invoice_id: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM invoice WHERE id = {invoice_id} AND status <> 'draft'"
        f" AND issue_date >= {YOUNG})"  # nosec B608  # names are code constants; values are bound
    )


#: The delete triggers as this migration makes them.
TRIGGERS = {
    "trg_invoice_no_delete": (
        f"BEFORE DELETE ON invoice WHEN OLD.status <> 'draft' AND OLD.issue_date >= {YOUNG}"
    ),
    "trg_invoice_line_frozen_delete": (
        f"BEFORE DELETE ON invoice_line WHEN {_young_issued('OLD.invoice_id')}"
    ),
    "trg_invoice_tax_total_frozen_delete": (
        f"BEFORE DELETE ON invoice_tax_total WHEN {_young_issued('OLD.invoice_id')}"
    ),
}


def _issued(invoice_id: str) -> str:
    return f"(SELECT status FROM invoice WHERE id = {invoice_id}) <> 'draft'"  # nosec B608  # names are code constants; values are bound


#: The same triggers as migration 0005 made them (for downgrade).
OLD_TRIGGERS = {
    "trg_invoice_no_delete": "BEFORE DELETE ON invoice WHEN OLD.status <> 'draft'",
    "trg_invoice_line_frozen_delete": (
        f"BEFORE DELETE ON invoice_line WHEN {_issued('OLD.invoice_id')}"
    ),
    "trg_invoice_tax_total_frozen_delete": (
        f"BEFORE DELETE ON invoice_tax_total WHEN {_issued('OLD.invoice_id')}"
    ),
}


def _make(triggers: dict[str, str], message: str) -> None:
    for name, condition in triggers.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END")


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "consent",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("notice_version", sa.String(length=20), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "purpose IN ('marketing_email', 'sms', 'newsletter')", name="ck_consent_purpose"
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_consent_person", "consent", ["person_id", "purpose", "at", "id"])
    op.create_table(
        "restriction",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("start_reason", sa.Text(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_restriction_person", "restriction", ["person_id", "lifted_at"])
    op.create_table(
        "privacy_request",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("subject_label", sa.String(length=200), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "kind IN ('access', 'erasure', 'rectification', 'restriction', 'objection')",
            name="ck_privacy_request_kind",
        ),
        sa.CheckConstraint(
            "status IN ('received', 'in_progress', 'done', 'refused')",
            name="ck_privacy_request_status",
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_privacy_request_status_due", "privacy_request", ["status", "due_on"])
    op.create_index("ix_privacy_request_person", "privacy_request", ["person_id"])
    op.create_table(
        "erasure",
        sa.Column("subject_hash", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.Column("kept_until", sa.Date(), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_erasure_subject_hash", "erasure", ["subject_hash"], unique=True)
    op.create_table(
        "notice_ack",
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notice_ack_at", "notice_ack", ["at"])
    op.create_table(
        "retention_run",
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_retention_run_at", "retention_run", ["at"])
    _make(TRIGGERS, FROZEN_MESSAGE)


def downgrade() -> None:
    _make(OLD_TRIGGERS, OLD_MESSAGE)
    op.drop_index("ix_retention_run_at", table_name="retention_run")
    op.drop_table("retention_run")
    op.drop_index("ix_notice_ack_at", table_name="notice_ack")
    op.drop_table("notice_ack")
    op.drop_index("uq_erasure_subject_hash", table_name="erasure")
    op.drop_table("erasure")
    op.drop_index("ix_privacy_request_person", table_name="privacy_request")
    op.drop_index("ix_privacy_request_status_due", table_name="privacy_request")
    op.drop_table("privacy_request")
    op.drop_index("ix_restriction_person", table_name="restriction")
    op.drop_table("restriction")
    op.drop_index("ix_consent_person", table_name="consent")
    op.drop_table("consent")
