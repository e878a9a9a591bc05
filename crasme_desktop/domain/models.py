"""The vault's tables as SQLAlchemy mapped classes.

The schema itself is made by the migrations in `vault/migrations`; these classes
must match them (a test compares the two). Later areas add their own tables.

Values are stored already checked and normalised (see `domain.validation`): phones
in E.164, emails with a lower-case `address_key` for finding duplicates, names with
a `sort_key` so that lists page by an index in a stable, accent-blind order.
Times are stored in UTC without an offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from crasme_desktop.domain.ids import new_id


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Stamped:
    """Every record: a client-made UUIDv7 key and created/updated stamps."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Setting(Base):
    """Settings of the business kept inside the vault (JSON values)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Tag(Stamped, Base):
    """A label on people and companies; `name_key` (case-folded) is unique."""

    __tablename__ = "tag"
    name: Mapped[str] = mapped_column(String(50))
    name_key: Mapped[str] = mapped_column(String(50))

    __table_args__ = (Index("uq_tag_name_key", "name_key", unique=True),)


person_tag = Table(
    "person_tag",
    Base.metadata,
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_person_tag_tag", "tag_id", "person_id"),
)

organization_tag = Table(
    "organization_tag",
    Base.metadata,
    Column("organization_id", ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_organization_tag_tag", "tag_id", "organization_id"),
)


class Organization(Stamped, Base):
    __tablename__ = "organization"
    name: Mapped[str] = mapped_column(String(300))
    sort_key: Mapped[str] = mapped_column(String(300), default="")
    tax_id: Mapped[str] = mapped_column(String(100), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    owner: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    people: Mapped[list[Person]] = relationship(back_populates="organization")
    addresses: Mapped[list[PostalAddress]] = relationship(
        back_populates="organization",
        cascade="all, delete-orphan",
        order_by="PostalAddress.position",
    )
    tags: Mapped[list[Tag]] = relationship(secondary=organization_tag, order_by=Tag.name_key)

    __table_args__ = (
        Index("ix_organization_name", "name"),
        Index("ix_organization_sort", "sort_key", "id"),
        Index("ix_organization_created", "created_at", "id"),
        Index("ix_organization_owner", "owner", "sort_key", "id"),
    )


class Person(Stamped, Base):
    __tablename__ = "person"
    given_name: Mapped[str] = mapped_column(String(200), default="")
    family_name: Mapped[str] = mapped_column(String(200), default="")
    display_name: Mapped[str] = mapped_column(String(400), default="")
    sort_key: Mapped[str] = mapped_column(String(400), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )
    owner: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    organization: Mapped[Organization | None] = relationship(back_populates="people")
    emails: Mapped[list[PersonEmail]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonEmail.position"
    )
    phones: Mapped[list[PersonPhone]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonPhone.position"
    )
    addresses: Mapped[list[PostalAddress]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PostalAddress.position"
    )
    tags: Mapped[list[Tag]] = relationship(secondary=person_tag, order_by=Tag.name_key)

    # Lists page by key over these (never OFFSET): name order, newest first, per
    # company and per owner, each ending in `id` so that equal keys still page stably.
    __table_args__ = (
        Index("ix_person_sort", "sort_key", "id"),
        Index("ix_person_created", "created_at", "id"),
        Index("ix_person_organization", "organization_id", "sort_key", "id"),
        Index("ix_person_owner", "owner", "sort_key", "id"),
    )


class PersonEmail(Stamped, Base):
    __tablename__ = "person_email"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="work")
    address: Mapped[str] = mapped_column(String(320))
    #: The address in lower case with an ASCII domain: equal keys are the same mailbox.
    address_key: Mapped[str] = mapped_column(String(320), default="")
    is_primary: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    person: Mapped[Person] = relationship(back_populates="emails")

    __table_args__ = (
        Index("ix_person_email_person", "person_id"),
        Index("ix_person_email_key", "address_key"),
    )


class PersonPhone(Stamped, Base):
    __tablename__ = "person_phone"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="work")
    number: Mapped[str] = mapped_column(String(40))  # E.164, which is its own duplicate key
    extension: Mapped[str] = mapped_column(String(20), default="")
    is_primary: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    person: Mapped[Person] = relationship(back_populates="phones")

    __table_args__ = (
        Index("ix_person_phone_person", "person_id"),
        Index("ix_person_phone_number", "number"),
    )


class PostalAddress(Stamped, Base):
    """A postal address of a person or of a company (exactly one of the two)."""

    __tablename__ = "postal_address"
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(20), default="work")
    street: Mapped[str] = mapped_column(Text, default="")
    postal_code: Mapped[str] = mapped_column(String(40), default="")
    city: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(200), default="")
    country_code: Mapped[str] = mapped_column(String(2), default="")  # ISO 3166-1 alpha-2
    position: Mapped[int] = mapped_column(default=0)
    person: Mapped[Person | None] = relationship(back_populates="addresses")
    organization: Mapped[Organization | None] = relationship(back_populates="addresses")

    __table_args__ = (
        CheckConstraint(
            "(person_id IS NULL) <> (organization_id IS NULL)",
            name="ck_postal_address_one_owner",
        ),
        Index("ix_postal_address_person", "person_id"),
        Index("ix_postal_address_organization", "organization_id"),
    )


ACTIVITY_KINDS = ("note", "call", "meeting", "email", "task")


class Activity(Stamped, Base):
    """An entry on a timeline: a note, call, meeting, email or task.

    It belongs to a person and/or a company; later areas (deals, invoices, tickets,
    jobs) also name their own record in `subject_kind`/`subject_id`.
    """

    __tablename__ = "activity"
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column()
    remind_at: Mapped[datetime | None] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column()
    owner: Mapped[str] = mapped_column(String(100), default="")
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    subject_kind: Mapped[str] = mapped_column(String(30), default="")
    subject_id: Mapped[str] = mapped_column(String(36), default="")

    __table_args__ = (
        Index("ix_activity_person", "person_id", "occurred_at", "id"),
        Index("ix_activity_organization", "organization_id", "occurred_at", "id"),
        Index("ix_activity_subject", "subject_kind", "subject_id", "occurred_at", "id"),
        # Only open tasks are in these two, so they stay small however long timelines get.
        Index(
            "ix_activity_open_task_due",
            "due_at",
            sqlite_where=text("kind = 'task' AND done_at IS NULL AND due_at IS NOT NULL"),
        ),
        Index(
            "ix_activity_open_task_remind",
            "remind_at",
            sqlite_where=text("kind = 'task' AND done_at IS NULL AND remind_at IS NOT NULL"),
        ),
    )


class Attachment(Stamped, Base):
    """A file kept inside the (encrypted) vault; its bytes are in `attachment_content`.

    It belongs to a timeline entry, a person or a company, or to a later area's record
    named by `subject_kind`/`subject_id`.
    """

    __tablename__ = "attachment"
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(127), default="application/octet-stream")
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    activity_id: Mapped[str | None] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE")
    )
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    subject_kind: Mapped[str] = mapped_column(String(30), default="")
    subject_id: Mapped[str] = mapped_column(String(36), default="")

    __table_args__ = (
        Index("ix_attachment_activity", "activity_id"),
        Index("ix_attachment_person", "person_id"),
        Index("ix_attachment_organization", "organization_id"),
        Index("ix_attachment_subject", "subject_kind", "subject_id"),
    )


class AttachmentContent(Base):
    """The bytes of one attachment, apart so that listing attachments never reads them."""

    __tablename__ = "attachment_content"
    attachment_id: Mapped[str] = mapped_column(
        ForeignKey("attachment.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)


class SavedView(Stamped, Base):
    """Filters and sort order saved under a name on a list page (`spec` is JSON)."""

    __tablename__ = "saved_view"
    page: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    spec: Mapped[str] = mapped_column(Text, default="{}")
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (Index("uq_saved_view_name", "page", "name_key", unique=True),)


class MergeRecord(Stamped, Base):
    """What one merge changed, kept so that it can be undone (`snapshot` is JSON).

    It holds the removed record's values, so erasing either side deletes it too.
    """

    __tablename__ = "merge_record"
    kind: Mapped[str] = mapped_column(String(20))
    kept_id: Mapped[str] = mapped_column(String(36))
    removed_id: Mapped[str] = mapped_column(String(36))
    snapshot: Mapped[str] = mapped_column(Text)
    undone_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        CheckConstraint("kind IN ('person', 'organization')", name="ck_merge_record_kind"),
        Index("ix_merge_record_kept", "kept_id", "created_at"),
        Index("ix_merge_record_removed", "removed_id"),
    )


class AuditEvent(Base):
    """Who did what, when, to which record: ids only, never personal values.

    Hash-chained (schema 0009, see `domain.audit_chain`): `seq` is gapless, `hash`
    covers the entry and `prev_hash`. `user_id` is the app user who acted (no foreign
    key: removing a user must not rewrite the trail); `actor` the computer account.
    """

    __tablename__ = "audit_event"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(50))
    record_type: Mapped[str] = mapped_column(String(50), default="")
    record_id: Mapped[str] = mapped_column(String(36), default="")
    user_id: Mapped[str | None] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column()
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_event_at", "at"),
        Index("ix_audit_event_record", "record_type", "record_id", "seq"),
        Index("ix_audit_event_user", "user_id", "seq"),
        Index("uq_audit_event_seq", "seq", unique=True),
    )


# --- Sales (schema 0005) ------------------------------------------------------------
#
# Money is stored as integer minor units of the record's currency (`domain.money`),
# tax rates and discounts in basis points (1900 = 19 %), quantities as decimal text
# ("1.5"), never floats. Issued invoices are frozen: triggers made by migration 0005
# refuse to change their printed columns, lines and tax totals, or to delete them.

SERIES_KINDS = ("invoice", "credit_note", "quote")
QUOTE_STATUSES = ("draft", "sent", "accepted", "declined", "expired")
INVOICE_KINDS = ("invoice", "credit_note")
INVOICE_STATUSES = ("draft", "issued", "partly_paid", "paid", "cancelled")
RECURRING_INTERVALS = ("monthly", "quarterly", "yearly")


class TaxRate(Stamped, Base):
    __tablename__ = "tax_rate"
    name: Mapped[str] = mapped_column(String(100))
    rate_bp: Mapped[int] = mapped_column()
    is_default: Mapped[bool] = mapped_column(default=False)
    archived: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint("rate_bp >= 0 AND rate_bp <= 10000", name="ck_tax_rate_bp"),)


class NumberSeries(Stamped, Base):
    """How documents of one kind are numbered, e.g. `INV-{YYYY}-{0000}` reset yearly."""

    __tablename__ = "number_series"
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100), default="")
    pattern: Mapped[str] = mapped_column(String(100))
    reset: Mapped[str] = mapped_column(String(10), default="yearly")
    is_default: Mapped[bool] = mapped_column(default=False)
    archived: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        CheckConstraint("kind IN ('invoice', 'credit_note', 'quote')", name="ck_series_kind"),
        CheckConstraint("reset IN ('yearly', 'never')", name="ck_series_reset"),
        Index("ix_number_series_kind", "kind", "is_default"),
    )


class NumberCounter(Base):
    """The last number taken in a series for a period ("2026", or "" when never reset)."""

    __tablename__ = "number_counter"
    series_id: Mapped[str] = mapped_column(
        ForeignKey("number_series.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class Product(Stamped, Base):
    __tablename__ = "product"
    name: Mapped[str] = mapped_column(String(300))
    sort_key: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(30), default="")
    unit_price_minor: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    tax_rate_id: Mapped[str | None] = mapped_column(
        ForeignKey("tax_rate.id", ondelete="SET NULL")
    )
    archived: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index("ix_product_sort", "archived", "sort_key", "id"),)


class Quote(Stamped, Base):
    __tablename__ = "quote"
    number: Mapped[str] = mapped_column(String(60))
    series_id: Mapped[str | None] = mapped_column(
        ForeignKey("number_series.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), default="draft")
    customer_person_id: Mapped[str | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    customer_organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )
    billing_name: Mapped[str] = mapped_column(String(400), default="")
    currency: Mapped[str] = mapped_column(String(3))
    issue_date: Mapped[date] = mapped_column()
    valid_until: Mapped[date | None] = mapped_column()
    prices_include_tax: Mapped[bool] = mapped_column(default=False)
    net_minor: Mapped[int] = mapped_column(default=0)
    tax_minor: Mapped[int] = mapped_column(default=0)
    total_minor: Mapped[int] = mapped_column(default=0)
    # No foreign key: invoice.quote_id points back, and two tables that point at each
    # other cannot be created or sorted; the services keep this one in step.
    invoice_id: Mapped[str | None] = mapped_column(String(36))
    notes: Mapped[str] = mapped_column(Text, default="")
    #: The deal this quote was made from (schema 0007). No foreign key (SQLite cannot add
    #: one to an existing table without rebuilding it): trigger trg_deal_deleted clears
    #: it when the deal goes.
    deal_id: Mapped[str | None] = mapped_column(String(36))
    lines: Mapped[list[QuoteLine]] = relationship(
        back_populates="quote", cascade="all, delete-orphan", order_by="QuoteLine.position"
    )

    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'sent', 'accepted', 'declined', 'expired')",
            name="ck_quote_status",
        ),
        Index("uq_quote_number", "number", unique=True),
        Index("ix_quote_issue", "issue_date", "id"),
        Index("ix_quote_status", "status", "valid_until", "id"),
        Index("ix_quote_person", "customer_person_id", "issue_date", "id"),
        Index("ix_quote_organization", "customer_organization_id", "issue_date", "id"),
        Index("ix_quote_deal", "deal_id"),
    )


class _LineColumns:
    """What a quote line and an invoice line both hold."""

    position: Mapped[int] = mapped_column(default=0)
    product_id: Mapped[str | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[str] = mapped_column(String(40), default="1")  # decimal text
    unit: Mapped[str] = mapped_column(String(30), default="")
    unit_price_minor: Mapped[int] = mapped_column(default=0)
    discount_bp: Mapped[int] = mapped_column(default=0)
    tax_rate_id: Mapped[str | None] = mapped_column(
        ForeignKey("tax_rate.id", ondelete="SET NULL")
    )
    tax_rate_bp: Mapped[int] = mapped_column(default=0)
    net_minor: Mapped[int] = mapped_column(default=0)


class QuoteLine(_LineColumns, Stamped, Base):
    __tablename__ = "quote_line"
    quote_id: Mapped[str] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"))
    quote: Mapped[Quote] = relationship(back_populates="lines")

    __table_args__ = (Index("ix_quote_line_quote", "quote_id", "position"),)


class Invoice(Stamped, Base):
    """An invoice or a credit note; `number` stays NULL while it is a draft.

    Overdue is not stored: status issued or partly_paid and due_date before today.
    Open amount = total_minor - paid_minor - credited_minor.
    """

    __tablename__ = "invoice"
    kind: Mapped[str] = mapped_column(String(20), default="invoice")
    series_id: Mapped[str | None] = mapped_column(
        ForeignKey("number_series.id", ondelete="RESTRICT")
    )
    number: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    customer_person_id: Mapped[str | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    customer_organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )
    billing_name: Mapped[str] = mapped_column(String(400), default="")
    billing_address: Mapped[str] = mapped_column(Text, default="")  # lines joined by "\n"
    billing_country: Mapped[str] = mapped_column(String(2), default="")
    billing_tax_id: Mapped[str] = mapped_column(String(100), default="")
    billing_email: Mapped[str] = mapped_column(String(320), default="")
    seller_snapshot: Mapped[str] = mapped_column(Text, default="")  # JSON, set at issue
    currency: Mapped[str] = mapped_column(String(3))
    issue_date: Mapped[date] = mapped_column()
    due_date: Mapped[date | None] = mapped_column()
    payment_terms_days: Mapped[int] = mapped_column(default=14)
    prices_include_tax: Mapped[bool] = mapped_column(default=False)
    net_minor: Mapped[int] = mapped_column(default=0)
    tax_minor: Mapped[int] = mapped_column(default=0)
    total_minor: Mapped[int] = mapped_column(default=0)
    paid_minor: Mapped[int] = mapped_column(default=0)
    credited_minor: Mapped[int] = mapped_column(default=0)
    credit_of_id: Mapped[str | None] = mapped_column(
        ForeignKey("invoice.id", ondelete="RESTRICT")
    )
    quote_id: Mapped[str | None] = mapped_column(ForeignKey("quote.id", ondelete="SET NULL"))
    recurring_id: Mapped[str | None] = mapped_column(
        ForeignKey("recurring_invoice.id", ondelete="SET NULL")
    )
    recurring_period: Mapped[date | None] = mapped_column()
    issued_at: Mapped[datetime | None] = mapped_column()
    notes: Mapped[str] = mapped_column(Text, default="")
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.position"
    )

    __table_args__ = (
        CheckConstraint("kind IN ('invoice', 'credit_note')", name="ck_invoice_kind"),
        CheckConstraint(
            "status IN ('draft', 'issued', 'partly_paid', 'paid', 'cancelled')",
            name="ck_invoice_status",
        ),
        CheckConstraint(
            "(status = 'draft') = (number IS NULL)", name="ck_invoice_number_when_issued"
        ),
        Index("uq_invoice_number", "number", unique=True),
        Index("ix_invoice_status_due", "status", "due_date", "id"),
        # The list's other orders and its status filters in the default (newest) order.
        Index("ix_invoice_status_issue", "status", "issue_date", "id"),
        Index("ix_invoice_due", "due_date", "id"),
        Index("ix_invoice_billing_name", "billing_name", "id"),
        Index("ix_invoice_total", "total_minor", "id"),
        Index("ix_invoice_issue", "issue_date", "id"),
        Index("ix_invoice_organization", "customer_organization_id", "issue_date", "id"),
        Index("ix_invoice_person", "customer_person_id", "issue_date", "id"),
        Index("ix_invoice_credit_of", "credit_of_id"),
        Index("uq_invoice_recurring_period", "recurring_id", "recurring_period", unique=True),
    )


class InvoiceLine(_LineColumns, Stamped, Base):
    __tablename__ = "invoice_line"
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoice.id", ondelete="CASCADE"))
    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    __table_args__ = (Index("ix_invoice_line_invoice", "invoice_id", "position"),)


class InvoiceTaxTotal(Base):
    __tablename__ = "invoice_tax_total"
    invoice_id: Mapped[str] = mapped_column(
        ForeignKey("invoice.id", ondelete="CASCADE"), primary_key=True
    )
    rate_bp: Mapped[int] = mapped_column(primary_key=True)
    net_minor: Mapped[int] = mapped_column(default=0)
    tax_minor: Mapped[int] = mapped_column(default=0)


class Payment(Stamped, Base):
    __tablename__ = "payment"
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoice.id", ondelete="RESTRICT"))
    paid_on: Mapped[date] = mapped_column()
    amount_minor: Mapped[int] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(30), default="")
    reference: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="ck_payment_positive"),
        Index("ix_payment_invoice", "invoice_id", "paid_on", "id"),
        Index("ix_payment_paid_on", "paid_on", "id"),
    )


class CustomerCredit(Stamped, Base):
    """Money a customer paid beyond an invoice, kept as credit for later invoices."""

    __tablename__ = "customer_credit"
    customer_person_id: Mapped[str | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    customer_organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )
    payment_id: Mapped[str | None] = mapped_column(ForeignKey("payment.id", ondelete="SET NULL"))
    invoice_id: Mapped[str | None] = mapped_column(ForeignKey("invoice.id", ondelete="SET NULL"))
    amount_minor: Mapped[int] = mapped_column()
    used_minor: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_customer_credit_person", "customer_person_id"),
        Index("ix_customer_credit_organization", "customer_organization_id"),
    )


class RecurringInvoice(Stamped, Base):
    """A plan that makes a draft invoice every period; `lines` is JSON of line drafts."""

    __tablename__ = "recurring_invoice"
    name: Mapped[str] = mapped_column(String(200), default="")
    interval: Mapped[str] = mapped_column(String(20), default="monthly")
    start_date: Mapped[date] = mapped_column()
    next_date: Mapped[date] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)
    customer_person_id: Mapped[str | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    customer_organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )
    series_id: Mapped[str | None] = mapped_column(
        ForeignKey("number_series.id", ondelete="SET NULL")
    )
    currency: Mapped[str] = mapped_column(String(3))
    prices_include_tax: Mapped[bool] = mapped_column(default=False)
    payment_terms_days: Mapped[int] = mapped_column(default=14)
    lines: Mapped[str] = mapped_column(Text, default="[]")
    notes: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint(
            "interval IN ('monthly', 'quarterly', 'yearly')", name="ck_recurring_interval"
        ),
        Index("ix_recurring_due", "active", "next_date", "id"),
    )


# --- Privacy (schema 0006) ----------------------------------------------------------
#
# Consent and restriction are histories: a new row per change, never an update, so
# that who agreed to what, when and under which notice version can be shown. Issued
# invoices may be deleted only by retention, once their issue date is more than seven
# years old: migration 0006 makes the frozen-invoice triggers refuse anything younger.

CONSENT_PURPOSES = ("marketing_email", "sms", "newsletter")
REQUEST_KINDS = ("access", "erasure", "rectification", "restriction", "objection")
REQUEST_STATUSES = ("received", "in_progress", "done", "refused")


class Consent(Stamped, Base):
    """One change of a person's consent to a purpose; the newest row per purpose counts.

    No row means not consented (opt-in).
    """

    __tablename__ = "consent"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(30))
    granted: Mapped[bool] = mapped_column()
    at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(100), default="")
    notice_version: Mapped[str] = mapped_column(String(20), default="")

    __table_args__ = (
        CheckConstraint(
            "purpose IN ('marketing_email', 'sms', 'newsletter')", name="ck_consent_purpose"
        ),
        Index("ix_consent_person", "person_id", "purpose", "at", "id"),
    )


class Restriction(Stamped, Base):
    """A restriction of processing; the person is restricted while `lifted_at` is NULL."""

    __tablename__ = "restriction"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    start_reason: Mapped[str] = mapped_column(Text, default="")
    lifted_at: Mapped[datetime | None] = mapped_column()
    lift_reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_restriction_person", "person_id", "lifted_at"),)


class PrivacyRequest(Stamped, Base):
    """A request from a person about their data, due one calendar month after receipt."""

    __tablename__ = "privacy_request"
    kind: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    subject_label: Mapped[str] = mapped_column(String(200), default="")
    received_on: Mapped[date] = mapped_column()
    due_on: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="received")
    done_on: Mapped[date | None] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint(
            "kind IN ('access', 'erasure', 'rectification', 'restriction', 'objection')",
            name="ck_privacy_request_kind",
        ),
        CheckConstraint(
            "status IN ('received', 'in_progress', 'done', 'refused')",
            name="ck_privacy_request_status",
        ),
        Index("ix_privacy_request_status_due", "status", "due_on"),
        Index("ix_privacy_request_person", "person_id"),
    )


class Erasure(Stamped, Base):
    """That someone was erased, as a one-way hash of their id: no personal data.

    Restoring an older backup re-applies these erasures.
    """

    __tablename__ = "erasure"
    subject_hash: Mapped[str] = mapped_column(String(64))
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
    kept_until: Mapped[date | None] = mapped_column()

    __table_args__ = (Index("uq_erasure_subject_hash", "subject_hash", unique=True),)


class NoticeAck(Stamped, Base):
    """Who acknowledged which version of the privacy notice, and when."""

    __tablename__ = "notice_ack"
    version: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_notice_ack_at", "at"),)


class RetentionRun(Stamped, Base):
    """One run of the retention rules; `summary` is JSON counts per rule."""

    __tablename__ = "retention_run"
    at: Mapped[datetime] = mapped_column(default=utcnow)
    dry_run: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[str] = mapped_column(Text, default="{}")

    __table_args__ = (Index("ix_retention_run_at", "at"),)


# --- Deals (schema 0007) ------------------------------------------------------------
#
# A pipeline is an ordered list of stages; each stage has a default probability (in
# percent) and a kind: open, won or lost. A deal sits in one stage of one pipeline at a
# `position` (the board's order inside the column, with gaps so a move touches one row).
# `status` repeats the stage's kind so that lists and the forecast filter by an index.
# Values are integer minor units of the deal's currency (`domain.money`). Deleting a
# deal takes its search entry with it and clears `quote.deal_id` (trigger
# trg_deal_deleted made by migration 0007), whichever way it is deleted.

STAGE_KINDS = ("open", "won", "lost")


class Pipeline(Stamped, Base):
    __tablename__ = "pipeline"
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    is_default: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (Index("ix_pipeline_position", "position", "id"),)


class DealStage(Stamped, Base):
    __tablename__ = "deal_stage"
    pipeline_id: Mapped[str] = mapped_column(ForeignKey("pipeline.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    probability: Mapped[int] = mapped_column(default=0)  # percent, 0..100
    kind: Mapped[str] = mapped_column(String(10), default="open")

    __table_args__ = (
        CheckConstraint("kind IN ('open', 'won', 'lost')", name="ck_deal_stage_kind"),
        CheckConstraint("probability >= 0 AND probability <= 100",
                        name="ck_deal_stage_probability"),
        Index("ix_deal_stage_pipeline", "pipeline_id", "position", "id"),
    )


class Deal(Stamped, Base):
    """A possible sale to a person and/or a company, moving through a pipeline."""

    __tablename__ = "deal"
    title: Mapped[str] = mapped_column(String(300))
    title_key: Mapped[str] = mapped_column(String(300), default="")
    pipeline_id: Mapped[str] = mapped_column(ForeignKey("pipeline.id", ondelete="RESTRICT"))
    stage_id: Mapped[str] = mapped_column(ForeignKey("deal_stage.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    position: Mapped[int] = mapped_column(default=0)
    value_minor: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    expected_close: Mapped[date] = mapped_column()
    owner: Mapped[str] = mapped_column(String(100), default="")
    next_step: Mapped[str] = mapped_column(String(300), default="")
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )
    #: Percent chosen for this deal; NULL: the stage's probability.
    probability: Mapped[int | None] = mapped_column()
    closed_on: Mapped[date | None] = mapped_column()  # the day it was won or lost
    close_reason: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("status IN ('open', 'won', 'lost')", name="ck_deal_status"),
        CheckConstraint("value_minor >= 0", name="ck_deal_value"),
        CheckConstraint("probability IS NULL OR (probability >= 0 AND probability <= 100)",
                        name="ck_deal_probability"),
        Index("ix_deal_board", "pipeline_id", "stage_id", "position", "id"),
        Index("ix_deal_stage", "stage_id"),
        Index("ix_deal_status_close", "status", "expected_close", "id"),
        Index("ix_deal_close", "expected_close", "id"),
        Index("ix_deal_title", "title_key", "id"),
        Index("ix_deal_value", "value_minor", "id"),
        Index("ix_deal_created", "created_at", "id"),
        Index("ix_deal_owner", "owner", "expected_close", "id"),
        Index("ix_deal_person", "person_id"),
        Index("ix_deal_organization", "organization_id"),
    )


# --- Staff, tickets and the schedule (migration 0008) ---------------------------------
#
# Staff members are the office's own people: ticket assignees and the field workers
# jobs are dispatched to. Ticket and job times are stored in UTC; business hours,
# holidays and a staff member's working day are in the office's local time (the
# services convert). Deleting a person or company keeps their tickets and jobs with
# the link cut (SET NULL); erasing a person deletes them (privacy_erase).

TICKET_STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
TICKET_PRIORITIES = ("low", "normal", "high", "urgent")
TICKET_MESSAGE_KINDS = ("reply", "note", "customer")
MAIL_STATUSES = ("", "sending", "sent", "failed")
INBOX_OUTCOMES = ("ticket", "reply", "failed", "ignored")
JOB_KINDS = ("job", "appointment")
JOB_STATUSES = ("scheduled", "on_the_way", "in_progress", "done", "cancelled")


def _in(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name)


class StaffMember(Stamped, Base):
    """Someone of the office who can be assigned tickets and jobs."""

    __tablename__ = "staff_member"
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(default=True)
    #: Monday..Sunday, "1" where this person works, e.g. "1111100".
    work_days: Mapped[str] = mapped_column(String(7), default="1111100")
    day_start: Mapped[str] = mapped_column(String(5), default="08:00")  # local HH:MM
    day_end: Mapped[str] = mapped_column(String(5), default="17:00")
    colour: Mapped[str] = mapped_column(String(7), default="")
    #: The operating-system account that is this person ("my tickets", "my day").
    os_user: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (
        CheckConstraint("length(work_days) = 7", name="ck_staff_work_days"),
        Index("uq_staff_member_name", "name_key", unique=True),
        Index("ix_staff_member_os_user", "os_user"),
    )


class StaffAbsence(Stamped, Base):
    """Days a staff member is off (holiday, sick, training), both ends included."""

    __tablename__ = "staff_absence"
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"))
    first_day: Mapped[date] = mapped_column()
    last_day: Mapped[date] = mapped_column()
    reason: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="ck_staff_absence_days"),
        Index("ix_staff_absence_staff", "staff_id", "first_day"),
    )


class Holiday(Stamped, Base):
    """A day the office is closed: SLA clocks do not run on it."""

    __tablename__ = "holiday"
    day: Mapped[date] = mapped_column()
    name: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (Index("uq_holiday_day", "day", unique=True),)


class SlaPolicy(Stamped, Base):
    """Targets for one priority, in business minutes."""

    __tablename__ = "sla_policy"
    priority: Mapped[str] = mapped_column(String(10))
    first_response_minutes: Mapped[int] = mapped_column()
    resolution_minutes: Mapped[int] = mapped_column()

    __table_args__ = (
        _in("priority", TICKET_PRIORITIES, "ck_sla_policy_priority"),
        CheckConstraint("first_response_minutes > 0 AND resolution_minutes > 0",
                        name="ck_sla_policy_minutes"),
        Index("uq_sla_policy_priority", "priority", unique=True),
    )


class CannedReply(Stamped, Base):
    """A reply text with placeholders such as {requester_first_name} or {ticket_number}."""

    __tablename__ = "canned_reply"
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("uq_canned_reply_name", "name_key", unique=True),)


class Ticket(Stamped, Base):
    """A customer's problem, with its thread and its SLA clock.

    SLA columns: `response_due_at`/`resolution_due_at` are the targets as they stand
    (moved later by the business minutes spent paused); `next_due_at` is the earliest
    target still to meet while the clock runs (NULL while paused, solved or closed),
    so the "due soon" and "breached" queues read one index. `response_met` and
    `resolution_met` are decided once, when the first reply or the solve happens.
    `mail_token` is a random part of the reference put in mail subjects, so that a
    guessed ticket number alone cannot attach mail to someone else's ticket.
    """

    __tablename__ = "ticket"
    number: Mapped[int] = mapped_column()
    subject: Mapped[str] = mapped_column(String(300))
    subject_key: Mapped[str] = mapped_column(String(300), default="")
    requester_id: Mapped[str | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"))
    requester_email: Mapped[str] = mapped_column(String(320), default="")
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="new")
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    category: Mapped[str] = mapped_column(String(100), default="")
    assignee_id: Mapped[str | None] = mapped_column(
        ForeignKey("staff_member.id", ondelete="SET NULL"))
    tags: Mapped[str] = mapped_column(Text, default="")  # comma-separated, as typed
    invoice_id: Mapped[str | None] = mapped_column(
        ForeignKey("invoice.id", ondelete="SET NULL"))
    merged_into_id: Mapped[str | None] = mapped_column(
        ForeignKey("ticket.id", ondelete="SET NULL"))
    mail_token: Mapped[str] = mapped_column(String(20), default="")
    response_due_at: Mapped[datetime | None] = mapped_column()
    resolution_due_at: Mapped[datetime | None] = mapped_column()
    next_due_at: Mapped[datetime | None] = mapped_column()
    paused_since: Mapped[datetime | None] = mapped_column()
    paused_minutes: Mapped[int] = mapped_column(default=0)  # business minutes
    first_response_at: Mapped[datetime | None] = mapped_column()
    response_met: Mapped[bool | None] = mapped_column()
    solved_at: Mapped[datetime | None] = mapped_column()
    resolution_met: Mapped[bool | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        _in("status", TICKET_STATUSES, "ck_ticket_status"),
        _in("priority", TICKET_PRIORITIES, "ck_ticket_priority"),
        Index("uq_ticket_number", "number", unique=True),
        Index("ix_ticket_status", "status", "number"),
        Index("ix_ticket_assignee", "assignee_id", "status", "number"),
        Index("ix_ticket_priority", "priority", "number"),
        Index("ix_ticket_due", "next_due_at", "id",
              sqlite_where=text("next_due_at IS NOT NULL")),
        Index("ix_ticket_subject", "subject_key", "id"),
        Index("ix_ticket_created", "created_at", "id"),
        Index("ix_ticket_last_message", "last_message_at", "id"),
        Index("ix_ticket_requester", "requester_id", "status"),
        Index("ix_ticket_organization", "organization_id", "status"),
        Index("ix_ticket_invoice", "invoice_id"),
        Index("ix_ticket_merged", "merged_into_id"),
    )


class TicketMessage(Stamped, Base):
    """One entry of a ticket's thread: a public reply, an internal note, or the
    customer's message. Attachments are `attachment` rows with subject_kind
    "ticket_message" and this id."""

    __tablename__ = "ticket_message"
    ticket_id: Mapped[str] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    author: Mapped[str] = mapped_column(String(200), default="")
    author_email: Mapped[str] = mapped_column(String(320), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    message_id: Mapped[str] = mapped_column(String(998), default="")  # RFC 5322
    references: Mapped[str] = mapped_column(Text, default="")  # In-Reply-To + References
    mail_status: Mapped[str] = mapped_column(String(10), default="")
    mail_error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        _in("kind", TICKET_MESSAGE_KINDS, "ck_ticket_message_kind"),
        _in("mail_status", MAIL_STATUSES, "ck_ticket_message_mail_status"),
        Index("ix_ticket_message_ticket", "ticket_id", "occurred_at", "id"),
        Index("ix_ticket_message_message_id", "message_id"),
    )


class TicketStatusChange(Stamped, Base):
    """Each move of a ticket's status (the backlog over time is counted from these)."""

    __tablename__ = "ticket_status_change"
    ticket_id: Mapped[str] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_status: Mapped[str] = mapped_column(String(10), default="")
    to_status: Mapped[str] = mapped_column(String(10))

    __table_args__ = (
        Index("ix_ticket_status_change_ticket", "ticket_id", "at"),
        Index("ix_ticket_status_change_at", "at"),
    )


class InboxItem(Stamped, Base):
    """One message fetched from the support mailbox, and what became of it.

    (mailbox, uid_validity, uid) is unique, so a message is taken in once; a message
    that failed says why, so nothing is skipped silently.
    """

    __tablename__ = "inbox_item"
    mailbox: Mapped[str] = mapped_column(String(300))
    uid_validity: Mapped[int] = mapped_column()
    uid: Mapped[int] = mapped_column()
    message_id: Mapped[str] = mapped_column(String(998), default="")
    outcome: Mapped[str] = mapped_column(String(10))
    ticket_id: Mapped[str | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        _in("outcome", INBOX_OUTCOMES, "ck_inbox_item_outcome"),
        Index("uq_inbox_item_uid", "mailbox", "uid_validity", "uid", unique=True),
        Index("ix_inbox_item_message_id", "message_id"),
        Index("ix_inbox_item_ticket", "ticket_id"),
    )


class Job(Stamped, Base):
    """A field job or appointment on the schedule.

    `window_start`..`window_end` is the arrival window agreed with the customer;
    `scheduled_start` + `duration_minutes` is the plan. All UTC; real elapsed minutes,
    so a window across a daylight-saving change keeps its true length.
    """

    __tablename__ = "job"
    number: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(300))
    title_key: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(12), default="job")
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"))
    site_address: Mapped[str] = mapped_column(Text, default="")
    window_start: Mapped[datetime] = mapped_column()
    window_end: Mapped[datetime] = mapped_column()
    scheduled_start: Mapped[datetime] = mapped_column()
    duration_minutes: Mapped[int] = mapped_column(default=60)
    assignee_id: Mapped[str | None] = mapped_column(
        ForeignKey("staff_member.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    ticket_id: Mapped[str | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"))
    deal_id: Mapped[str | None] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"))
    invoice_id: Mapped[str | None] = mapped_column(
        ForeignKey("invoice.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, default="")
    field_notes: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    minutes_worked: Mapped[int | None] = mapped_column()
    #: iCalendar UID: kept from an imported event, made for exported ones.
    ics_uid: Mapped[str] = mapped_column(String(255), default="")

    __table_args__ = (
        _in("kind", JOB_KINDS, "ck_job_kind"),
        _in("status", JOB_STATUSES, "ck_job_status"),
        CheckConstraint("window_end > window_start", name="ck_job_window"),
        CheckConstraint("duration_minutes > 0", name="ck_job_duration"),
        Index("uq_job_number", "number", unique=True),
        Index("ix_job_assignee_start", "assignee_id", "scheduled_start", "id"),
        Index("ix_job_start", "scheduled_start", "id"),
        Index("ix_job_status_start", "status", "scheduled_start", "id"),
        Index("ix_job_person", "person_id"),
        Index("ix_job_organization", "organization_id"),
        Index("ix_job_ticket", "ticket_id"),
        Index("ix_job_deal", "deal_id"),
        Index("ix_job_invoice", "invoice_id"),
        Index("ix_job_ics_uid", "ics_uid"),
    )


class JobMaterial(Stamped, Base):
    """Materials used on a job, carried onto its invoice draft."""

    __tablename__ = "job_material"
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    product_id: Mapped[str | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[str] = mapped_column(String(40), default="1")  # decimal text
    unit: Mapped[str] = mapped_column(String(30), default="")
    unit_price_minor: Mapped[int] = mapped_column(default=0)

    __table_args__ = (Index("ix_job_material_job", "job_id", "position"),)


# --- Users and roles (schema 0009) --------------------------------------------------
#
# The people who use this vault and what their role lets them do. Built-in roles are
# seeded with fixed ids and take their permissions from `domain.permissions` (no
# `role_permission` rows); a custom role holds exactly its rows. No secret is ever
# stored here: sign-in goes through each user's key slot beside the vault.


class Role(Stamped, Base):
    """A role: built-in (`builtin` is its key, e.g. "owner") or custom (`builtin` "")."""

    __tablename__ = "role"
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    builtin: Mapped[str] = mapped_column(String(20), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("uq_role_name", "name_key", unique=True),)


class RolePermission(Base):
    """One permission of a custom role, as text ("invoices.view", "export")."""

    __tablename__ = "role_permission"
    role_id: Mapped[str] = mapped_column(
        ForeignKey("role.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(50), primary_key=True)


class AppUser(Stamped, Base):
    """Someone who signs in to this vault, with one role."""

    __tablename__ = "app_user"
    display_name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    role_id: Mapped[str] = mapped_column(ForeignKey("role.id", ondelete="RESTRICT"))
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        Index("uq_app_user_name", "name_key", unique=True),
        Index("ix_app_user_role", "role_id"),
    )
