"""Consent per purpose, and restriction of processing, for one person.

Consent is opt-in and kept as history: each change is a new row (purpose, granted or
withdrawn, when, where it came from, and the version of the privacy notice in force);
the newest row per purpose is the person's choice, and no row means no. A person may
be contacted for a purpose (`may_contact`) only when that choice is a yes and they
are not restricted.

A restricted person (a `restriction` row not yet lifted) can be read but not changed,
emailed, or included in list exports. The services enforce it, not only the screens:
they call `ensure_not_restricted` inside their own transaction. A restriction starts
and ends only with a reason, and both are kept. Every change is audited (ids only).

Recording consent and starting or lifting a restriction need the `privacy_requests`
permission; reading a person's choices needs `contacts.view`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import CONSENT_PURPOSES, Consent, Person, Restriction
from crasme_desktop.domain.validation import check_no_card_number, clean_text
from crasme_desktop.services import audit, permissions
from crasme_desktop.vault import Vault

PURPOSES = CONSENT_PURPOSES
#: How each purpose is named to people.
PURPOSE_NAMES = {
    "marketing_email": "Marketing email",
    "sms": "Text messages (SMS)",
    "newsletter": "Newsletter",
}
SOURCE_MAX = 100
REASON_MAX = 2000
#: Ids per query when checking many people at once.
_CHUNK = 500


class PersonRestricted(UserError):
    """The person's data is restricted: it can be read, not changed or used."""


@dataclass(frozen=True)
class ConsentRow:
    id: str
    purpose: str
    granted: bool
    at: datetime
    source: str
    notice_version: str


@dataclass(frozen=True)
class RestrictionRow:
    id: str
    started_at: datetime
    start_reason: str
    lifted_at: datetime | None
    lift_reason: str

    @property
    def active(self) -> bool:
        return self.lifted_at is None


@dataclass(frozen=True)
class PersonPrivacy:
    """What the Privacy page shows about one person's choices and restriction."""

    person_id: str
    name: str
    consents: dict[str, bool]
    restricted: bool
    restriction: RestrictionRow | None  # the active one, if any


# -- consent -----------------------------------------------------------------------------
def record_consent(
    vault: Vault, person_id: str, purpose: str, granted: bool, *, source: str
) -> None:
    """Record that the person granted (True) or withdrew (False) consent to `purpose`,
    saying where the choice came from ("phone call", "web form", ...)."""
    from crasme_desktop.services.privacy_notice import NOTICE_VERSION

    permissions.require(vault, "privacy_requests")
    purpose = _check_purpose(purpose)
    source = clean_text(source)
    if not source:
        raise UserError("Say where this choice came from, such as “phone call” or “signed form”.")
    if len(source) > SOURCE_MAX:
        raise UserError(f"Keep where the choice came from under {SOURCE_MAX} characters.")
    check_no_card_number(source, "source")
    with vault.unit_of_work() as uow:
        s = uow.session
        _person(s, person_id)
        row = Consent(person_id=person_id, purpose=purpose, granted=bool(granted),
                      at=vault.clock.now(), source=source, notice_version=NOTICE_VERSION)
        s.add(row)
        s.flush()
        audit.add(s, f"consent.{'grant' if granted else 'withdraw'}:{purpose}", "person",
                  person_id)


def consent_history(vault: Vault, person_id: str) -> list[ConsentRow]:
    """Every recorded choice of the person, newest first."""
    permissions.require(vault, "contacts.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        _person(s, person_id)
        rows = s.scalars(
            select(Consent).where(Consent.person_id == person_id)
            .order_by(Consent.at.desc(), Consent.id.desc())
        ).all()
        return [ConsentRow(r.id, r.purpose, r.granted, as_utc(r.at), r.source,
                           r.notice_version) for r in rows]


def current_consents(vault: Vault, person_id: str) -> dict[str, bool]:
    """{purpose: consented} for every purpose (False where nothing was recorded)."""
    permissions.require(vault, "contacts.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        _person(s, person_id)
        return _current(s, person_id)


def may_contact(session: Session, person_id: str, purpose: str) -> bool:
    """Whether the person may be contacted for `purpose` now: their newest choice for
    it is a yes and they are not restricted (inside the caller's transaction)."""
    purpose = _check_purpose(purpose)
    if is_restricted(session, person_id):
        return False
    return _current(session, person_id).get(purpose, False)


def _current(s: Session, person_id: str) -> dict[str, bool]:
    state = dict.fromkeys(PURPOSES, False)
    seen: set[str] = set()
    rows = s.execute(
        select(Consent.purpose, Consent.granted).where(Consent.person_id == person_id)
        .order_by(Consent.at.desc(), Consent.id.desc())
    )
    for purpose, granted in rows:
        if purpose not in seen:
            seen.add(purpose)
            state[purpose] = bool(granted)
    return state


# -- restriction --------------------------------------------------------------------------
def restrict(vault: Vault, person_id: str, reason: str) -> None:
    """Restrict processing of the person's data, for the reason given."""
    permissions.require(vault, "privacy_requests")
    reason = _check_reason(reason, "restricting")
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        person = _person(s, person_id)
        if _active(s, person_id) is not None:
            raise UserError(f"{_name(person)} is already restricted.")
        now = vault.clock.now()
        row = Restriction(person_id=person_id, started_at=now, start_reason=reason,
                          created_at=now, updated_at=now)
        s.add(row)
        s.flush()
        audit.add(s, "person.restrict", "person", person_id)


def lift_restriction(vault: Vault, person_id: str, reason: str) -> None:
    """End the person's restriction; the reason is kept with it."""
    permissions.require(vault, "privacy_requests")
    reason = _check_reason(reason, "lifting the restriction")
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        person = _person(s, person_id)
        row = _active(s, person_id)
        if row is None:
            raise UserError(f"{_name(person)} is not restricted.")
        now = vault.clock.now()
        row.lifted_at, row.lift_reason, row.updated_at = now, reason, now
        s.flush()
        audit.add(s, "person.unrestrict", "person", person_id)


def restriction_history(vault: Vault, person_id: str) -> list[RestrictionRow]:
    """Every restriction of the person, newest first."""
    permissions.require(vault, "contacts.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        _person(s, person_id)
        rows = s.scalars(
            select(Restriction).where(Restriction.person_id == person_id)
            .order_by(Restriction.started_at.desc(), Restriction.id.desc())
        ).all()
        return [_restriction_row(r) for r in rows]


def person_privacy(vault: Vault, person_id: str) -> PersonPrivacy:
    """The person's current choices and restriction, in one read."""
    permissions.require(vault, "contacts.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        person = _person(s, person_id)
        active = _active(s, person_id)
        return PersonPrivacy(
            person_id, _name(person), _current(s, person_id), active is not None,
            _restriction_row(active) if active is not None else None,
        )


def is_restricted(session: Session, person_id: str) -> bool:
    return _active(session, person_id) is not None


def restricted_among(session: Session, person_ids: Iterable[str]) -> set[str]:
    """Those of `person_ids` who are restricted (for lists and exports)."""
    ids = [i for i in dict.fromkeys(person_ids) if i]
    found: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        found.update(session.scalars(
            select(Restriction.person_id).where(
                Restriction.person_id.in_(ids[start:start + _CHUNK]),
                Restriction.lifted_at.is_(None),
            )
        ))
    return found


def ensure_not_restricted(session: Session, person_id: str | None, doing: str) -> None:
    """Raise `PersonRestricted` when the person is restricted; `doing` says what was
    tried, as in "… cannot be {doing}" ("changed", "emailed", "tagged")."""
    if not person_id or not is_restricted(session, person_id):
        return
    person = session.get(Person, person_id)
    name = _name(person) if person is not None else "This person"
    raise PersonRestricted(
        f"{name} is restricted and cannot be {doing}: lift the restriction on the Privacy "
        "page first."
    )


# -- helpers ------------------------------------------------------------------------------
def _check_purpose(purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    return purpose


def _check_reason(reason: str, doing: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise UserError(f"Give a reason for {doing}; it is kept with the person's record.")
    if len(text) > REASON_MAX:
        raise UserError(f"Keep the reason under {REASON_MAX} characters.")
    check_no_card_number(text, "reason")
    return text


def _person(s: Session, person_id: str) -> Person:
    from crasme_desktop.services.contacts import NotFound  # contacts imports this module

    person = s.get(Person, person_id)
    if person is None:
        raise NotFound("That person no longer exists; they may have been deleted meanwhile.")
    return person


def _name(person: Person) -> str:
    return person.display_name or "This person"


def _active(s: Session, person_id: str) -> Restriction | None:
    return s.scalars(
        select(Restriction).where(Restriction.person_id == person_id,
                                  Restriction.lifted_at.is_(None)).limit(1)
    ).first()


def _restriction_row(r: Restriction) -> RestrictionRow:
    return RestrictionRow(r.id, as_utc(r.started_at), r.start_reason,
                          as_utc(r.lifted_at) if r.lifted_at else None, r.lift_reason)


@dataclass(frozen=True)
class PrivacyChoices:
    """A person's consent and restriction, now and as history, for the dialogs."""

    person: PersonPrivacy
    consents: list[ConsentRow]
    restrictions: list[RestrictionRow]


def privacy_choices(vault: Vault, person_id: str) -> PrivacyChoices:
    """Everything the consent and restriction dialogs show, in one call."""
    permissions.require(vault, "contacts.view")
    return PrivacyChoices(person_privacy(vault, person_id), consent_history(vault, person_id),
                          restriction_history(vault, person_id))
