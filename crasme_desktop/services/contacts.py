"""People and companies: create, change, delete, tag, link, and read whole records.

Every write is one unit of work with one audit event (ids only, never values) and
checks its input with `domain.validation_records` first. What leaves this module
is a frozen dataclass, never an ORM object. Phones are read in the office's country
(`office_region`), which is the vault setting `office.country`, else the system's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import (
    Organization,
    Person,
    PersonEmail,
    PersonPhone,
    PostalAddress,
    Setting,
    Tag,
    organization_tag,
    person_tag,
)
from crasme_desktop.domain.permissions import Permission
from crasme_desktop.domain.validation import (
    default_display_name,
    normalize_country_code,
    normalize_tag,
    sort_key,
    system_region,
)
from crasme_desktop.domain.validation_records import (
    AddressDraft,
    EmailDraft,
    OrganizationDraft,
    PersonDraft,
    PhoneDraft,
    clean_organization,
    clean_person,
)
from crasme_desktop.services import audit, permissions, privacy_consent, search_index
from crasme_desktop.vault import Vault

OFFICE_COUNTRY_KEY = "office.country"
_Row = TypeVar("_Row", PersonEmail, PersonPhone, PostalAddress)
RecordKind = Literal["person", "organization"]
#: The permission that changing a record of each kind (its tags too) needs.
_EDIT = {"person": "contacts.edit", "organization": "companies.edit"}

__all__ = [  # noqa: RUF022 - grouped: drafts (input), records (output), then actions
    "AddressDraft",
    "EmailDraft",
    "OrganizationDraft",
    "PersonDraft",
    "PhoneDraft",
    "AddressRecord",
    "EmailRecord",
    "NotFound",
    "OrganizationChoice",
    "OrganizationRecord",
    "PersonRecord",
    "PersonRow",
    "PersonSummary",
    "PhoneRecord",
    "TagUse",
    "add_person",
    "add_tags",
    "create_organization",
    "create_person",
    "delete_organization",
    "delete_person",
    "find_or_add_organization",
    "find_organizations",
    "get_organization",
    "get_person",
    "link_person_to_organization",
    "list_people",
    "list_tags",
    "office_region",
    "remove_tags",
    "save_person",
    "set_office_region",
    "update_organization",
    "update_person",
]


class NotFound(UserError):
    """The record is gone (deleted meanwhile, perhaps in another window)."""


# -- what callers get back -------------------------------------------------------------
@dataclass(frozen=True)
class EmailRecord:
    id: str
    address: str
    kind: str
    primary: bool


@dataclass(frozen=True)
class PhoneRecord:
    id: str
    number: str  # E.164
    kind: str
    primary: bool
    extension: str = ""


@dataclass(frozen=True)
class AddressRecord:
    id: str
    kind: str
    street: str
    postal_code: str
    city: str
    region: str
    country_code: str

    def draft(self) -> AddressDraft:
        return AddressDraft(
            self.kind, self.street, self.postal_code, self.city, self.region, self.country_code
        )


@dataclass(frozen=True)
class PersonSummary:
    id: str
    display_name: str
    job_title: str


@dataclass(frozen=True)
class PersonRecord:
    id: str
    given_name: str
    family_name: str
    display_name: str
    job_title: str
    organization_id: str | None
    organization_name: str
    emails: tuple[EmailRecord, ...]
    phones: tuple[PhoneRecord, ...]
    addresses: tuple[AddressRecord, ...]
    tags: tuple[str, ...]
    owner: str
    source: str
    notes: str
    created_at: datetime
    updated_at: datetime

    @property
    def primary_email(self) -> str:
        return next((e.address for e in self.emails if e.primary), "")

    @property
    def primary_phone(self) -> str:
        return next((p.number for p in self.phones if p.primary), "")

    def draft(self) -> PersonDraft:
        """The record as a draft, to change a few fields and pass to `update_person`."""
        # A display name that is just the names stays blank, so it follows them.
        custom = self.display_name != default_display_name(self.given_name, self.family_name)
        return PersonDraft(
            given_name=self.given_name,
            family_name=self.family_name,
            display_name=self.display_name if custom else "",
            job_title=self.job_title,
            organization_id=self.organization_id,
            emails=tuple(EmailDraft(e.address, e.kind, e.primary) for e in self.emails),
            phones=tuple(
                PhoneDraft(p.number, p.kind, p.primary, p.extension) for p in self.phones
            ),
            addresses=tuple(a.draft() for a in self.addresses),
            tags=self.tags,
            owner=self.owner,
            source=self.source,
            notes=self.notes,
        )


@dataclass(frozen=True)
class OrganizationRecord:
    id: str
    name: str
    tax_id: str
    website: str
    addresses: tuple[AddressRecord, ...]
    tags: tuple[str, ...]
    owner: str
    notes: str
    people: tuple[PersonSummary, ...]
    people_count: int
    created_at: datetime
    updated_at: datetime

    def draft(self) -> OrganizationDraft:
        return OrganizationDraft(
            name=self.name,
            tax_id=self.tax_id,
            website=self.website,
            addresses=tuple(a.draft() for a in self.addresses),
            tags=self.tags,
            owner=self.owner,
            notes=self.notes,
        )


@dataclass(frozen=True)
class OrganizationChoice:
    id: str
    name: str


@dataclass(frozen=True)
class PersonRow:
    id: str
    display_name: str
    organization: str
    email: str
    phone: str


@dataclass(frozen=True)
class TagUse:
    name: str
    people: int
    organizations: int


# -- the office's country --------------------------------------------------------------
def office_region(vault: Vault) -> str:
    """The country phones are read in when typed without "+": the vault setting, else
    the system locale's country, else "US"."""
    with vault.unit_of_work() as uow:
        return _office_region(uow.session)


def set_office_region(vault: Vault, region: str) -> str:
    code = normalize_country_code(region)
    permissions.require(vault, "settings")
    with vault.unit_of_work() as uow:
        uow.session.merge(Setting(key=OFFICE_COUNTRY_KEY, value=json.dumps(code)))
        audit.add(uow.session, "setting.update", "setting", OFFICE_COUNTRY_KEY)
    return code or system_region()


def office_region_of(session: Session) -> str:
    """`office_region` inside a unit of work the caller already has."""
    return _office_region(session)


def _office_region(session: Session, region: str | None = None) -> str:
    if region:
        return region.upper()
    stored = session.get(Setting, OFFICE_COUNTRY_KEY)
    if stored is not None:
        try:
            value = json.loads(stored.value)
        except ValueError:
            value = None
        if isinstance(value, str) and value:
            return value.upper()
    return system_region()


# -- people ------------------------------------------------------------------------------
def create_person(vault: Vault, draft: PersonDraft, *, region: str | None = None) -> PersonRecord:
    permissions.require(vault, "contacts.create")
    with vault.unit_of_work() as uow:
        s = uow.session
        clean = clean_person(draft, region=_office_region(s, region))
        person = Person()
        _apply_person(s, person, clean)
        s.add(person)
        s.flush()
        audit.add(s, "person.create", "person", person.id)
        search_index.index_people(s, [person.id])
        return _person_record(person)


def update_person(
    vault: Vault, person_id: str, draft: PersonDraft, *, region: str | None = None
) -> PersonRecord:
    """Replace the person's fields with the draft's (use `PersonRecord.draft()` to start)."""
    permissions.require(vault, "contacts.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        person = _load_person(s, person_id)
        privacy_consent.ensure_not_restricted(s, person_id, "changed")
        clean = clean_person(draft, region=_office_region(s, region))
        _apply_person(s, person, clean)
        person.updated_at = vault.clock.now()
        s.flush()
        audit.add(s, "person.update", "person", person.id)
        search_index.index_people(s, [person.id])
        return _person_record(person)


def save_person(
    vault: Vault,
    person_id: str | None,
    draft: PersonDraft,
    *,
    organization_name: str = "",
    region: str | None = None,
) -> PersonRecord:
    """Create (`person_id` None) or change a person, as a form saves one: a company
    typed by name (`organization_name`, used when the draft links none) is found or
    made in the same transaction, so a person that cannot be saved leaves no company."""
    permissions.require(vault, "contacts.create" if person_id is None else "contacts.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        person = Person() if person_id is None else _load_person(s, person_id)
        privacy_consent.ensure_not_restricted(s, person_id, "changed")
        clean = clean_person(draft, region=_office_region(s, region))
        _apply_person(s, person, clean)
        if clean.organization_id is None and organization_name.strip():
            person.organization = find_or_add_organization(s, organization_name)
        if person_id is None:
            s.add(person)
        else:
            person.updated_at = vault.clock.now()
        s.flush()
        s.expire(person, ["organization"])
        audit.add(s, "person.create" if person_id is None else "person.update", "person",
                  person.id)
        search_index.index_people(s, [person.id])
        return _person_record(person)


def delete_person(vault: Vault, person_id: str) -> None:
    """Delete a person with their emails, phones, addresses, tags links, timeline
    entries and attachments (the database cascades; secure_delete overwrites)."""
    permissions.require(vault, "contacts.delete")
    with vault.unit_of_work() as uow:
        s = uow.session
        if s.get(Person, person_id) is None:
            raise _missing("person")
        privacy_consent.ensure_not_restricted(s, person_id, "deleted")
        s.execute(delete(Person).where(Person.id == person_id))
        _forget_merges(s, "person", person_id)
        audit.add(s, "person.delete", "person", person_id)
        search_index.unindex(s, "person", [person_id])


def get_person(vault: Vault, person_id: str) -> PersonRecord:
    """A person's whole record, read only (the editor's starting point, checks)."""
    permissions.require(vault, "contacts.view")
    with vault.unit_of_work() as uow:
        return _person_record(_load_person(uow.session, person_id))


def open_person(vault: Vault, person_id: str) -> PersonRecord:
    """A person's whole record as someone opens it to look at it: a sensitive read,
    recorded in the audit trail ("person.open", ids only).

    It writes, so it runs as a write (in the app: on the task runner's writer queue).
    It takes the write lock before it reads: a reader thread that committed an event
    would otherwise make a concurrent writer's older snapshot stale and fail it."""
    permissions.require(vault, "contacts.view")
    with vault.unit_of_work(immediate=True) as uow:
        record = _person_record(_load_person(uow.session, person_id))
        audit.add(uow.session, "person.open", "person", person_id)
        return record


def link_person_to_organization(
    vault: Vault, person_id: str, organization_id: str | None
) -> PersonRecord:
    """Put a person at a company, or take them off it with `None`."""
    permissions.require(vault, "contacts.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        person = _load_person(s, person_id)
        privacy_consent.ensure_not_restricted(s, person_id, "linked to a company")
        if organization_id is not None and s.get(Organization, organization_id) is None:
            raise _missing("organization")
        person.organization_id = organization_id
        person.updated_at = vault.clock.now()
        s.flush()
        s.expire(person, ["organization"])
        audit.add(s, "person.link", "person", person.id)
        return _person_record(person)


def add_person(
    vault: Vault,
    *,
    given_name: str,
    family_name: str,
    email: str = "",
    phone: str = "",
    organization: str = "",
    notes: str = "",
    region: str | None = None,
) -> PersonRow:
    """Quick add with one work email and phone; the company is found or made by name."""
    permissions.require(vault, "contacts.create")
    with vault.unit_of_work() as uow:
        s = uow.session
        draft = PersonDraft(
            given_name=given_name,
            family_name=family_name,
            emails=(EmailDraft(email),) if email.strip() else (),
            phones=(PhoneDraft(phone),) if phone.strip() else (),
            notes=notes,
        )
        clean = clean_person(draft, region=_office_region(s, region))
        person = Person()
        _apply_person(s, person, clean)
        if organization.strip():
            person.organization = find_or_add_organization(s, organization)
        s.add(person)
        s.flush()
        audit.add(s, "person.create", "person", person.id)
        search_index.index_people(s, [person.id])
        return _row(person)


def list_people(vault: Vault, limit: int = 200) -> list[PersonRow]:
    """People in name order (the first page; the big list pages by key)."""
    permissions.require(vault, "contacts.view")
    with vault.unit_of_work() as uow:
        people = uow.session.scalars(
            select(Person)
            .options(
                selectinload(Person.organization),
                selectinload(Person.emails),
                selectinload(Person.phones),
            )
            .order_by(Person.sort_key, Person.id)
            .limit(limit)
        ).all()
        return [_row(p) for p in people]


# -- companies -------------------------------------------------------------------------
def create_organization(vault: Vault, draft: OrganizationDraft) -> OrganizationRecord:
    permissions.require(vault, "companies.create")
    with vault.unit_of_work() as uow:
        s = uow.session
        clean = clean_organization(draft)
        org = Organization()
        _apply_organization(s, org, clean)
        s.add(org)
        s.flush()
        audit.add(s, "organization.create", "organization", org.id)
        search_index.index_organizations(s, [org.id])
        return _organization_record(s, org)


def update_organization(
    vault: Vault, organization_id: str, draft: OrganizationDraft
) -> OrganizationRecord:
    permissions.require(vault, "companies.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        org = _load_organization(s, organization_id)
        _apply_organization(s, org, clean_organization(draft))
        org.updated_at = vault.clock.now()
        s.flush()
        audit.add(s, "organization.update", "organization", org.id)
        search_index.index_organizations(s, [org.id])
        return _organization_record(s, org)


def delete_organization(vault: Vault, organization_id: str) -> None:
    """Delete a company with its addresses, tag links, timeline and attachments; its
    people stay, no longer linked to it."""
    permissions.require(vault, "companies.delete")
    with vault.unit_of_work() as uow:
        s = uow.session
        if s.get(Organization, organization_id) is None:
            raise _missing("organization")
        s.execute(delete(Organization).where(Organization.id == organization_id))
        _forget_merges(s, "organization", organization_id)
        audit.add(s, "organization.delete", "organization", organization_id)
        search_index.unindex(s, "organization", [organization_id])


def get_organization(
    vault: Vault, organization_id: str, *, people_limit: int = 200
) -> OrganizationRecord:
    permissions.require(vault, "companies.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        return _organization_record(s, _load_organization(s, organization_id), people_limit)


def find_organizations(vault: Vault, text: str, *, limit: int = 20) -> list[OrganizationChoice]:
    """Companies whose name starts with `text` (blind to case and accents), in name
    order; for a company field's completer."""
    key = sort_key(text)
    query = select(Organization.id, Organization.name)
    if key:
        query = query.where(Organization.sort_key >= key, Organization.sort_key < key + "\uffff")
    query = query.order_by(Organization.sort_key, Organization.id).limit(limit)
    permissions.require(vault, "companies.view")
    with vault.unit_of_work() as uow:
        return [OrganizationChoice(i, n) for i, n in uow.session.execute(query)]


def find_or_add_organization(session: Session, name: str) -> Organization:
    """The company with exactly this name, made if there is none (inside the caller's
    transaction)."""
    clean = clean_organization(OrganizationDraft(name=name))
    org = session.scalars(
        select(Organization).where(Organization.name == clean.name).limit(1)
    ).first()
    if org is None:
        acting = permissions.actor_in(session)
        if acting is not None:
            acting.require(Permission("companies", "create"))
        org = Organization(name=clean.name, sort_key=clean.sort_key)
        session.add(org)
        session.flush()
        audit.add(session, "organization.create", "organization", org.id)
        search_index.index_organizations(session, [org.id])
    return org


# -- tags ------------------------------------------------------------------------------
def add_tags(
    vault: Vault, record_kind: RecordKind, record_id: str, tags: Iterable[str]
) -> tuple[str, ...]:
    """Add tags to a person or company; returns all its tags."""
    permissions.require(vault, _EDIT[record_kind])
    with vault.unit_of_work() as uow:
        s = uow.session
        record = _tagged(s, record_kind, record_id)
        if record_kind == "person":
            privacy_consent.ensure_not_restricted(s, record_id, "tagged")
        have = {t.name_key for t in record.tags}
        for tag in _tag_rows(s, tags):
            if tag.name_key not in have:
                record.tags.append(tag)
                have.add(tag.name_key)
        record.updated_at = vault.clock.now()
        s.flush()
        audit.add(s, f"{record_kind}.tag", record_kind, record_id)
        return tuple(t.name for t in sorted(record.tags, key=lambda t: t.name_key))


def remove_tags(
    vault: Vault, record_kind: RecordKind, record_id: str, tags: Iterable[str]
) -> tuple[str, ...]:
    """Take tags off a person or company (unknown ones are ignored); returns the rest."""
    keys = {normalize_tag(t)[1] for t in tags if t.strip()}
    permissions.require(vault, _EDIT[record_kind])
    with vault.unit_of_work() as uow:
        s = uow.session
        record = _tagged(s, record_kind, record_id)
        if record_kind == "person":
            privacy_consent.ensure_not_restricted(s, record_id, "changed")
        record.tags = [t for t in record.tags if t.name_key not in keys]
        record.updated_at = vault.clock.now()
        s.flush()
        audit.add(s, f"{record_kind}.untag", record_kind, record_id)
        return tuple(t.name for t in sorted(record.tags, key=lambda t: t.name_key))


def list_tags(vault: Vault) -> list[TagUse]:
    """Every tag in name order, with how many people and companies carry it."""
    permissions.require(vault, "contacts.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        people = (
            select(func.count()).where(person_tag.c.tag_id == Tag.id).scalar_subquery()
        )
        orgs = (
            select(func.count())
            .where(organization_tag.c.tag_id == Tag.id)
            .scalar_subquery()
        )
        rows = s.execute(select(Tag.name, people, orgs).order_by(Tag.name_key)).all()
        return [TagUse(name, p, o) for name, p, o in rows]


# -- inside a unit of work -----------------------------------------------------------
def _forget_merges(s: Session, kind: RecordKind, record_id: str) -> None:
    # Merge records keep the merged record's data for undo: they go with either side.
    from crasme_desktop.services.merge import forget_merges  # merge imports this module

    forget_merges(s, kind, [record_id])


def _missing(kind: str) -> NotFound:
    what = {"person": "person", "organization": "company"}.get(kind, kind)
    return NotFound(f"That {what} no longer exists; it may have been deleted meanwhile.")


def _load_person(s: Session, person_id: str) -> Person:
    person = s.scalars(
        select(Person)
        .where(Person.id == person_id)
        .options(
            selectinload(Person.organization),
            selectinload(Person.emails),
            selectinload(Person.phones),
            selectinload(Person.addresses),
            selectinload(Person.tags),
        )
    ).first()
    if person is None:
        raise _missing("person")
    return person


def _load_organization(s: Session, organization_id: str) -> Organization:
    org = s.scalars(
        select(Organization)
        .where(Organization.id == organization_id)
        .options(selectinload(Organization.addresses), selectinload(Organization.tags))
    ).first()
    if org is None:
        raise _missing("organization")
    return org


def _tagged(s: Session, kind: RecordKind, record_id: str) -> Person | Organization:
    model = {"person": Person, "organization": Organization}.get(kind)
    if model is None:
        raise ValueError(f"cannot tag a {kind!r}")
    record = s.scalars(
        select(model).where(model.id == record_id).options(selectinload(model.tags))
    ).first()
    if record is None:
        raise _missing(kind)
    return record


def _tag_rows(s: Session, names: Iterable[str]) -> list[Tag]:
    wanted: dict[str, str] = {}
    for name in names:
        if name.strip():
            shown, key = normalize_tag(name)
            wanted.setdefault(key, shown)
    if not wanted:
        return []
    found = {t.name_key: t for t in s.scalars(select(Tag).where(Tag.name_key.in_(wanted)))}
    for key, shown in wanted.items():
        if key not in found:
            found[key] = Tag(name=shown, name_key=key)
            s.add(found[key])
    return [found[k] for k in wanted]


def _apply_person(s: Session, person: Person, d: PersonDraft) -> None:
    if d.organization_id is not None and s.get(Organization, d.organization_id) is None:
        raise _missing("organization")
    person.given_name, person.family_name = d.given_name, d.family_name
    person.display_name, person.sort_key = d.display_name, d.sort_key
    person.job_title, person.organization_id = d.job_title, d.organization_id
    person.owner, person.source, person.notes = d.owner, d.source, d.notes
    old_emails = {e.address_key: e for e in person.emails}
    person.emails = [
        _reuse(old_emails.pop(e.key, None) or PersonEmail(), position=i, kind=e.kind,
               address=e.address, address_key=e.key, is_primary=e.primary)
        for i, e in enumerate(d.emails)
    ]
    old_phones = {(p.number, p.extension): p for p in person.phones}
    person.phones = [
        _reuse(old_phones.pop((p.number, p.extension), None) or PersonPhone(), position=i,
               kind=p.kind, number=p.number, extension=p.extension, is_primary=p.primary)
        for i, p in enumerate(d.phones)
    ]
    person.addresses = _addresses(person.addresses, d.addresses)
    person.tags = _tag_rows(s, d.tags)


def _apply_organization(s: Session, org: Organization, d: OrganizationDraft) -> None:
    org.name, org.sort_key, org.tax_id = d.name, d.sort_key, d.tax_id
    org.website, org.owner, org.notes = d.website, d.owner, d.notes
    org.addresses = _addresses(org.addresses, d.addresses)
    org.tags = _tag_rows(s, d.tags)


def _addresses(
    old: Sequence[PostalAddress], drafts: tuple[AddressDraft, ...]
) -> list[PostalAddress]:
    # Rows keep their ids where they can, so that a later sync sees edits, not churn.
    spare = list(old)
    out = []
    for i, a in enumerate(drafts):
        row = spare.pop(0) if spare else PostalAddress()
        out.append(
            _reuse(row, position=i, kind=a.kind, street=a.street, postal_code=a.postal_code,
                   city=a.city, region=a.region, country_code=a.country_code)
        )
    return out


def _reuse(row: _Row, **values: object) -> _Row:
    for name, value in values.items():
        if getattr(row, name, None) != value:
            setattr(row, name, value)
    return row


def _address_record(a: PostalAddress) -> AddressRecord:
    return AddressRecord(
        a.id, a.kind, a.street, a.postal_code, a.city, a.region, a.country_code
    )


def _person_record(p: Person) -> PersonRecord:
    return PersonRecord(
        id=p.id,
        given_name=p.given_name,
        family_name=p.family_name,
        display_name=p.display_name,
        job_title=p.job_title,
        organization_id=p.organization_id,
        organization_name=p.organization.name if p.organization else "",
        emails=tuple(EmailRecord(e.id, e.address, e.kind, e.is_primary) for e in p.emails),
        phones=tuple(
            PhoneRecord(ph.id, ph.number, ph.kind, ph.is_primary, ph.extension) for ph in p.phones
        ),
        addresses=tuple(_address_record(a) for a in p.addresses),
        tags=tuple(t.name for t in sorted(p.tags, key=lambda t: t.name_key)),
        owner=p.owner,
        source=p.source,
        notes=p.notes,
        created_at=as_utc(p.created_at),
        updated_at=as_utc(p.updated_at),
    )


def _organization_record(
    s: Session, org: Organization, people_limit: int = 200
) -> OrganizationRecord:
    people = s.execute(
        select(Person.id, Person.display_name, Person.job_title)
        .where(Person.organization_id == org.id)
        .order_by(Person.sort_key, Person.id)
        .limit(people_limit)
    ).all()
    count = s.scalar(
        select(func.count()).select_from(Person).where(Person.organization_id == org.id)
    )
    return OrganizationRecord(
        id=org.id,
        name=org.name,
        tax_id=org.tax_id,
        website=org.website,
        addresses=tuple(_address_record(a) for a in org.addresses),
        tags=tuple(t.name for t in sorted(org.tags, key=lambda t: t.name_key)),
        owner=org.owner,
        notes=org.notes,
        people=tuple(PersonSummary(*row) for row in people),
        people_count=count or 0,
        created_at=as_utc(org.created_at),
        updated_at=as_utc(org.updated_at),
    )


def _row(p: Person) -> PersonRow:
    email = next((e.address for e in p.emails if e.is_primary), "")
    phone = next((ph.number for ph in p.phones if ph.is_primary), "")
    return PersonRow(
        id=p.id,
        display_name=p.display_name,
        organization=p.organization.name if p.organization else "",
        email=email or (p.emails[0].address if p.emails else ""),
        phone=phone or (p.phones[0].number if p.phones else ""),
    )
