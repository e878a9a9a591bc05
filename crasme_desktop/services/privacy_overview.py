"""What the Privacy page shows about one person: finding them, and counts of what the
vault holds on them (the "what we hold" summary beside Export…, Erase…, Restrict…
and Consent…). Both need `contacts.view`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.models import (
    CONSENT_PURPOSES,
    Activity,
    Attachment,
    Consent,
    Invoice,
    Person,
    PersonEmail,
    PersonPhone,
    PostalAddress,
    PrivacyRequest,
    Quote,
    Restriction,
)
from crasme_desktop.services import permissions, search
from crasme_desktop.services.contacts import NotFound
from crasme_desktop.vault import Vault

PICK_LIMIT = 20


@dataclass(frozen=True)
class PersonChoice:
    id: str
    name: str
    detail: str


@dataclass(frozen=True)
class Holdings:
    person_id: str
    name: str
    since: datetime
    emails: int
    phones: int
    addresses: int
    timeline_entries: int
    attachments: int
    invoices: int
    quotes: int
    #: Purpose -> the latest choice (purposes never asked are absent: not consented).
    consents: dict[str, bool] = field(default_factory=dict)
    consent_changes: int = 0
    restricted: bool = False
    open_requests: int = 0

    def rows(self) -> list[tuple[str, int]]:
        """(caption, count) for the summary, in reading order."""
        return [
            ("Email addresses", self.emails),
            ("Phone numbers", self.phones),
            ("Postal addresses", self.addresses),
            ("Timeline entries", self.timeline_entries),
            ("Attachments", self.attachments),
            ("Invoices and credit notes", self.invoices),
            ("Quotes", self.quotes),
            ("Consent records", self.consent_changes),
        ]


def find_people(vault: Vault, text: str, *, limit: int = PICK_LIMIT) -> list[PersonChoice]:
    """People whose name, email or phone matches `text` (the search index); with no
    text, the first people by name."""
    permissions.require(vault, "contacts.view")
    if text.strip():
        results = search.search(vault, text, limit=limit, kinds=("person",))
        return [PersonChoice(h.id, h.title, h.subtitle)
                for g in results.groups for h in g.hits]
    with vault.unit_of_work() as uow:
        rows = uow.session.execute(
            select(Person.id, Person.display_name, Person.job_title)
            .order_by(Person.sort_key, Person.id).limit(limit)
        ).all()
    return [PersonChoice(pid, name, job) for pid, name, job in rows]


def what_we_hold(vault: Vault, person_id: str) -> Holdings:
    """Counts of everything the vault holds on the person, and their privacy state."""
    permissions.require(vault, "contacts.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        person = s.get(Person, person_id)
        if person is None:
            raise NotFound("That person is no longer in the vault; pick them again.")
        entry_ids = select(Activity.id).where(Activity.person_id == person_id)
        return Holdings(
            person_id=person_id,
            name=person.display_name,
            since=as_utc(person.created_at),
            emails=_count(s, PersonEmail, PersonEmail.person_id == person_id),
            phones=_count(s, PersonPhone, PersonPhone.person_id == person_id),
            addresses=_count(s, PostalAddress, PostalAddress.person_id == person_id),
            timeline_entries=_count(s, Activity, Activity.person_id == person_id),
            attachments=_count(s, Attachment, or_(
                Attachment.person_id == person_id, Attachment.activity_id.in_(entry_ids))),
            invoices=_count(s, Invoice, Invoice.customer_person_id == person_id),
            quotes=_count(s, Quote, Quote.customer_person_id == person_id),
            consents=_consents(s, person_id),
            consent_changes=_count(s, Consent, Consent.person_id == person_id),
            restricted=_count(s, Restriction, Restriction.person_id == person_id,
                              Restriction.lifted_at.is_(None)) > 0,
            open_requests=_count(s, PrivacyRequest, PrivacyRequest.person_id == person_id,
                                 PrivacyRequest.status.in_(("received", "in_progress"))),
        )


def _consents(s: Session, person_id: str) -> dict[str, bool]:
    out: dict[str, bool] = {}
    for purpose in CONSENT_PURPOSES:
        granted = s.scalar(
            select(Consent.granted).where(Consent.person_id == person_id,
                                          Consent.purpose == purpose)
            .order_by(Consent.at.desc(), Consent.id.desc()).limit(1))
        if granted is not None:
            out[purpose] = bool(granted)
    return out


def _count(s: Session, model: type, *where: object) -> int:
    return s.scalar(select(func.count()).select_from(model).where(*where)) or 0
