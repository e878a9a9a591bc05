"""sales: products, quotes, invoices, credit notes, payments, recurring invoices

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

Money is kept as integer minor units of each record's currency, tax rates and
discounts in basis points, quantities as decimal text; never floats.

Numbers: `number_series` says how a kind of document is numbered (a pattern such as
`INV-{YYYY}-{0000}`, reset yearly or never); `number_counter` holds the last number
taken per series and period. Issuing takes the next number in the same write
transaction as the status change, so numbers have no gaps and never repeat.

Issued invoices and credit notes are frozen by triggers: once an invoice is no longer
a draft, its printed columns (number, dates, buyer and seller snapshot, currency,
amounts, notes) cannot change, it cannot go back to draft or be deleted, and its lines
and tax totals cannot be added, changed or deleted. Only status, paid and credited
amounts (and the links to the customer records, which an erased contact clears) still
change. The services refuse first with a sentence; the triggers make sure a bug cannot.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Columns of an invoice that are printed, so frozen once it is issued.
FROZEN_COLUMNS = (
    "kind",
    "series_id",
    "number",
    "billing_name",
    "billing_address",
    "billing_country",
    "billing_tax_id",
    "seller_snapshot",
    "currency",
    "issue_date",
    "due_date",
    "payment_terms_days",
    "prices_include_tax",
    "net_minor",
    "tax_minor",
    "total_minor",
    "credit_of_id",
    "issued_at",
    "notes",
)
FROZEN_MESSAGE = "An issued invoice cannot be changed or deleted."


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)


def _issued(invoice_id: str) -> str:
    return f"(SELECT status FROM invoice WHERE id = {invoice_id}) <> 'draft'"  # nosec B608  # names are code constants; values are bound


TRIGGERS = {
    "trg_invoice_frozen": (
        "BEFORE UPDATE ON invoice WHEN OLD.status <> 'draft' AND "
        f"(NEW.status = 'draft' OR {_changed(FROZEN_COLUMNS)})"
    ),
    "trg_invoice_no_delete": "BEFORE DELETE ON invoice WHEN OLD.status <> 'draft'",
    **{
        f"trg_{table}_frozen_{event.lower()}": (
            f"BEFORE {event} ON {table} WHEN {_issued(row + '.invoice_id')}"
            + (f" OR {_issued('NEW.invoice_id')}" if event == "UPDATE" else "")
        )
        for table in ("invoice_line", "invoice_tax_total")
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
    },
}


def upgrade() -> None:
    op.create_table(
        "number_series",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("pattern", sa.String(length=100), nullable=False),
        sa.Column("reset", sa.String(length=10), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('invoice', 'credit_note', 'quote')", name="ck_series_kind"),
        sa.CheckConstraint("reset IN ('yearly', 'never')", name="ck_series_reset"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_number_series_kind", "number_series", ["kind", "is_default"], unique=False)
    op.create_table(
        "tax_rate",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name="ck_tax_rate_bp"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "number_counter",
        sa.Column("series_id", sa.String(length=36), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["number_series.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("series_id", "period"),
    )
    op.create_table(
        "product",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("sort_key", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=30), nullable=False),
        sa.Column("unit_price_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tax_rate_id", sa.String(length=36), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tax_rate_id"], ["tax_rate.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_product_sort", "product", ["archived", "sort_key", "id"], unique=False)
    op.create_table(
        "quote",
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("series_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("customer_person_id", sa.String(length=36), nullable=True),
        sa.Column("customer_organization_id", sa.String(length=36), nullable=True),
        sa.Column("billing_name", sa.String(length=400), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("prices_include_tax", sa.Boolean(), nullable=False),
        sa.Column("net_minor", sa.Integer(), nullable=False),
        sa.Column("tax_minor", sa.Integer(), nullable=False),
        sa.Column("total_minor", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.String(length=36), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'sent', 'accepted', 'declined', 'expired')", name="ck_quote_status"
        ),
        sa.ForeignKeyConstraint(
            ["customer_organization_id"], ["organization.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["customer_person_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["series_id"], ["number_series.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_quote_issue", "quote", ["issue_date", "id"], unique=False)
    op.create_index(
        "ix_quote_organization",
        "quote",
        ["customer_organization_id", "issue_date", "id"],
        unique=False,
    )
    op.create_index(
        "ix_quote_person", "quote", ["customer_person_id", "issue_date", "id"], unique=False
    )
    op.create_index("ix_quote_status", "quote", ["status", "valid_until", "id"], unique=False)
    op.create_index("uq_quote_number", "quote", ["number"], unique=True)
    op.create_table(
        "recurring_invoice",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("interval", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("next_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("customer_person_id", sa.String(length=36), nullable=True),
        sa.Column("customer_organization_id", sa.String(length=36), nullable=True),
        sa.Column("series_id", sa.String(length=36), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("prices_include_tax", sa.Boolean(), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "interval IN ('monthly', 'quarterly', 'yearly')", name="ck_recurring_interval"
        ),
        sa.ForeignKeyConstraint(
            ["customer_organization_id"], ["organization.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["customer_person_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["series_id"], ["number_series.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_recurring_due", "recurring_invoice", ["active", "next_date", "id"], unique=False
    )
    op.create_table(
        "invoice",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("series_id", sa.String(length=36), nullable=True),
        sa.Column("number", sa.String(length=60), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("customer_person_id", sa.String(length=36), nullable=True),
        sa.Column("customer_organization_id", sa.String(length=36), nullable=True),
        sa.Column("billing_name", sa.String(length=400), nullable=False),
        sa.Column("billing_address", sa.Text(), nullable=False),
        sa.Column("billing_country", sa.String(length=2), nullable=False),
        sa.Column("billing_tax_id", sa.String(length=100), nullable=False),
        sa.Column("billing_email", sa.String(length=320), nullable=False),
        sa.Column("seller_snapshot", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("prices_include_tax", sa.Boolean(), nullable=False),
        sa.Column("net_minor", sa.Integer(), nullable=False),
        sa.Column("tax_minor", sa.Integer(), nullable=False),
        sa.Column("total_minor", sa.Integer(), nullable=False),
        sa.Column("paid_minor", sa.Integer(), nullable=False),
        sa.Column("credited_minor", sa.Integer(), nullable=False),
        sa.Column("credit_of_id", sa.String(length=36), nullable=True),
        sa.Column("quote_id", sa.String(length=36), nullable=True),
        sa.Column("recurring_id", sa.String(length=36), nullable=True),
        sa.Column("recurring_period", sa.Date(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(status = 'draft') = (number IS NULL)", name="ck_invoice_number_when_issued"
        ),
        sa.CheckConstraint("kind IN ('invoice', 'credit_note')", name="ck_invoice_kind"),
        sa.CheckConstraint(
            "status IN ('draft', 'issued', 'partly_paid', 'paid', 'cancelled')",
            name="ck_invoice_status",
        ),
        sa.ForeignKeyConstraint(["credit_of_id"], ["invoice.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(
            ["customer_organization_id"], ["organization.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["customer_person_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["quote_id"], ["quote.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["recurring_id"], ["recurring_invoice.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["series_id"], ["number_series.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_invoice_credit_of", "invoice", ["credit_of_id"], unique=False)
    op.create_index("ix_invoice_issue", "invoice", ["issue_date", "id"], unique=False)
    op.create_index(
        "ix_invoice_organization",
        "invoice",
        ["customer_organization_id", "issue_date", "id"],
        unique=False,
    )
    op.create_index(
        "ix_invoice_person", "invoice", ["customer_person_id", "issue_date", "id"], unique=False
    )
    op.create_index("ix_invoice_status_due", "invoice", ["status", "due_date", "id"], unique=False)
    op.create_index(
        "ix_invoice_status_issue", "invoice", ["status", "issue_date", "id"], unique=False
    )
    op.create_index("ix_invoice_due", "invoice", ["due_date", "id"], unique=False)
    op.create_index("ix_invoice_billing_name", "invoice", ["billing_name", "id"], unique=False)
    op.create_index("ix_invoice_total", "invoice", ["total_minor", "id"], unique=False)
    op.create_index("uq_invoice_number", "invoice", ["number"], unique=True)
    op.create_index(
        "uq_invoice_recurring_period", "invoice", ["recurring_id", "recurring_period"], unique=True
    )
    op.create_table(
        "quote_line",
        sa.Column("quote_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=30), nullable=False),
        sa.Column("unit_price_minor", sa.Integer(), nullable=False),
        sa.Column("discount_bp", sa.Integer(), nullable=False),
        sa.Column("tax_rate_id", sa.String(length=36), nullable=True),
        sa.Column("tax_rate_bp", sa.Integer(), nullable=False),
        sa.Column("net_minor", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["quote_id"], ["quote.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tax_rate_id"], ["tax_rate.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_quote_line_quote", "quote_line", ["quote_id", "position"], unique=False)
    op.create_table(
        "invoice_line",
        sa.Column("invoice_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=30), nullable=False),
        sa.Column("unit_price_minor", sa.Integer(), nullable=False),
        sa.Column("discount_bp", sa.Integer(), nullable=False),
        sa.Column("tax_rate_id", sa.String(length=36), nullable=True),
        sa.Column("tax_rate_bp", sa.Integer(), nullable=False),
        sa.Column("net_minor", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["tax_rate_id"], ["tax_rate.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_invoice_line_invoice", "invoice_line", ["invoice_id", "position"], unique=False
    )
    op.create_table(
        "invoice_tax_total",
        sa.Column("invoice_id", sa.String(length=36), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("net_minor", sa.Integer(), nullable=False),
        sa.Column("tax_minor", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("invoice_id", "rate_bp"),
    )
    op.create_table(
        "payment",
        sa.Column("invoice_id", sa.String(length=36), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name="ck_payment_positive"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_payment_invoice", "payment", ["invoice_id", "paid_on", "id"], unique=False)
    op.create_index("ix_payment_paid_on", "payment", ["paid_on", "id"], unique=False)
    op.create_table(
        "customer_credit",
        sa.Column("customer_person_id", sa.String(length=36), nullable=True),
        sa.Column("customer_organization_id", sa.String(length=36), nullable=True),
        sa.Column("payment_id", sa.String(length=36), nullable=True),
        sa.Column("invoice_id", sa.String(length=36), nullable=True),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("used_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_organization_id"], ["organization.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["customer_person_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["payment_id"], ["payment.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_customer_credit_organization",
        "customer_credit",
        ["customer_organization_id"],
        unique=False,
    )
    op.create_index(
        "ix_customer_credit_person", "customer_credit", ["customer_person_id"], unique=False
    )
    for name, condition in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} {condition} BEGIN SELECT RAISE(ABORT, '{FROZEN_MESSAGE}'); END"
        )


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_customer_credit_person", table_name="customer_credit")
    op.drop_index("ix_customer_credit_organization", table_name="customer_credit")
    op.drop_table("customer_credit")
    op.drop_index("ix_payment_paid_on", table_name="payment")
    op.drop_index("ix_payment_invoice", table_name="payment")
    op.drop_table("payment")
    op.drop_table("invoice_tax_total")
    op.drop_index("ix_invoice_line_invoice", table_name="invoice_line")
    op.drop_table("invoice_line")
    op.drop_index("ix_quote_line_quote", table_name="quote_line")
    op.drop_table("quote_line")
    op.drop_index("uq_invoice_recurring_period", table_name="invoice")
    op.drop_index("uq_invoice_number", table_name="invoice")
    op.drop_index("ix_invoice_status_due", table_name="invoice")
    op.drop_index("ix_invoice_person", table_name="invoice")
    op.drop_index("ix_invoice_organization", table_name="invoice")
    op.drop_index("ix_invoice_issue", table_name="invoice")
    op.drop_index("ix_invoice_credit_of", table_name="invoice")
    op.drop_table("invoice")
    op.drop_index("ix_recurring_due", table_name="recurring_invoice")
    op.drop_table("recurring_invoice")
    op.drop_index("uq_quote_number", table_name="quote")
    op.drop_index("ix_quote_status", table_name="quote")
    op.drop_index("ix_quote_person", table_name="quote")
    op.drop_index("ix_quote_organization", table_name="quote")
    op.drop_index("ix_quote_issue", table_name="quote")
    op.drop_table("quote")
    op.drop_index("ix_product_sort", table_name="product")
    op.drop_table("product")
    op.drop_table("number_counter")
    op.drop_table("tax_rate")
    op.drop_index("ix_number_series_kind", table_name="number_series")
    op.drop_table("number_series")
