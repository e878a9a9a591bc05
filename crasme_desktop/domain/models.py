"""The vault's tables as SQLAlchemy mapped classes.

The schema itself is made by the migrations in `vault/migrations`; these classes
must match them (a test compares the two). Later areas add their own tables.

Values are stored already checked and normalised (see `domain.validation`): phones
in E.164, emails with a lower-case `address_key` for finding duplicates, names with
a `sort_key` so that lists page by an index in a stable, accent-blind order.
Times are stored in UTC without an offset.
"""

from __future__ import annotations

from datetime import UTC, datetime

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
    """Who did what, when, to which record: ids only, never personal values."""

    __tablename__ = "audit_event"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(50))
    record_type: Mapped[str] = mapped_column(String(50), default="")
    record_id: Mapped[str] = mapped_column(String(36), default="")

    __table_args__ = (
        Index("ix_audit_event_at", "at"),
        Index("ix_audit_event_record", "record_type", "record_id"),
    )
