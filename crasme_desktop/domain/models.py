"""The vault's tables as SQLAlchemy mapped classes.

The schema itself is made by the migrations in `vault/migrations`; these classes
must match them (a test compares the two). Later areas add their own tables.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index, String, Text
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


class Organization(Stamped, Base):
    __tablename__ = "organization"
    name: Mapped[str] = mapped_column(String(300))
    tax_id: Mapped[str] = mapped_column(String(100), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    people: Mapped[list[Person]] = relationship(back_populates="organization")

    __table_args__ = (Index("ix_organization_name", "name"),)


class Person(Stamped, Base):
    __tablename__ = "person"
    given_name: Mapped[str] = mapped_column(String(200), default="")
    family_name: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    organization: Mapped[Organization | None] = relationship(back_populates="people")
    emails: Mapped[list[PersonEmail]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonEmail.position"
    )
    phones: Mapped[list[PersonPhone]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="PersonPhone.position"
    )

    __table_args__ = (
        Index("ix_person_family_given", "family_name", "given_name", "id"),
        Index("ix_person_organization", "organization_id"),
    )

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)


class PersonEmail(Stamped, Base):
    __tablename__ = "person_email"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="work")
    address: Mapped[str] = mapped_column(String(320))
    position: Mapped[int] = mapped_column(default=0)
    person: Mapped[Person] = relationship(back_populates="emails")

    __table_args__ = (
        Index("ix_person_email_person", "person_id"),
        Index("ix_person_email_address", "address"),
    )


class PersonPhone(Stamped, Base):
    __tablename__ = "person_phone"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="work")
    number: Mapped[str] = mapped_column(String(40))  # E.164
    position: Mapped[int] = mapped_column(default=0)
    person: Mapped[Person] = relationship(back_populates="phones")

    __table_args__ = (
        Index("ix_person_phone_person", "person_id"),
        Index("ix_person_phone_number", "number"),
    )


class Activity(Stamped, Base):
    """A note, call, meeting or email on a person's or company's timeline."""

    __tablename__ = "activity"
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )

    __table_args__ = (
        Index("ix_activity_person", "person_id", "occurred_at"),
        Index("ix_activity_organization", "organization_id", "occurred_at"),
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
