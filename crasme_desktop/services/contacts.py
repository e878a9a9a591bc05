"""People and companies (the first use cases; the contacts area builds on these)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Organization, Person, PersonEmail, PersonPhone
from crasme_desktop.services import audit
from crasme_desktop.vault import Vault


@dataclass(frozen=True)
class PersonRow:
    id: str
    display_name: str
    organization: str
    email: str
    phone: str


def add_person(
    vault: Vault,
    *,
    given_name: str,
    family_name: str,
    email: str = "",
    phone: str = "",
    organization: str = "",
    notes: str = "",
) -> PersonRow:
    given_name, family_name = given_name.strip(), family_name.strip()
    if not (given_name or family_name):
        raise UserError("Enter at least a first or a last name.")
    with vault.unit_of_work() as uow:
        org = find_or_add_organization(uow.session, organization) if organization.strip() else None
        person = Person(
            given_name=given_name, family_name=family_name, organization=org, notes=notes
        )
        if email.strip():
            person.emails.append(PersonEmail(address=email.strip(), kind="work"))
        if phone.strip():
            person.phones.append(PersonPhone(number=phone.strip(), kind="work"))
        uow.session.add(person)
        uow.session.flush()
        audit.add(uow.session, "person.create", "person", person.id)
        return _row(person)


def find_or_add_organization(session: Session, name: str) -> Organization:
    name = name.strip()
    org = session.scalars(select(Organization).where(Organization.name == name).limit(1)).first()
    if org is None:
        org = Organization(name=name)
        session.add(org)
        session.flush()
        audit.add(session, "organization.create", "organization", org.id)
    return org


def list_people(vault: Vault, limit: int = 200) -> list[PersonRow]:
    """People in name order (the first page; the big list pages by key)."""
    with vault.unit_of_work() as uow:
        people = uow.session.scalars(
            select(Person)
            .options(
                selectinload(Person.organization),
                selectinload(Person.emails),
                selectinload(Person.phones),
            )
            .order_by(Person.family_name, Person.given_name, Person.id)
            .limit(limit)
        ).all()
        return [_row(p) for p in people]


def _row(p: Person) -> PersonRow:
    return PersonRow(
        id=p.id,
        display_name=p.display_name,
        organization=p.organization.name if p.organization else "",
        email=p.emails[0].address if p.emails else "",
        phone=p.phones[0].number if p.phones else "",
    )
