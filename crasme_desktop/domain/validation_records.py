"""Whole person and company records as typed, checked at once.

A draft holds what a form, an import or a script wants saved. `clean_person` and
`clean_organization` return the draft normalised (E.164 phones, checked emails with
one primary, https websites, upper-case country codes, tidy tags) or raise
`InvalidRecord` listing every problem, field by field, so a form can mark each one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from crasme_desktop.domain.validation import (
    ADDRESS_KINDS,
    EMAIL_KINDS,
    PHONE_KINDS,
    InvalidRecord,
    InvalidValue,
    Problem,
    check_kind,
    check_length,
    check_no_card_number,
    clean_text,
    default_display_name,
    normalize_country_code,
    normalize_email,
    normalize_phone,
    normalize_tag,
    normalize_website,
    sort_key,
)

T = TypeVar("T")


@dataclass(frozen=True)
class EmailDraft:
    address: str
    kind: str = "work"
    primary: bool = False
    #: Filled in by `clean_person`: the duplicate-finding key.
    key: str = ""


@dataclass(frozen=True)
class PhoneDraft:
    number: str
    kind: str = "work"
    primary: bool = False
    extension: str = ""


@dataclass(frozen=True)
class AddressDraft:
    kind: str = "work"
    street: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""
    country_code: str = ""

    def is_empty(self) -> bool:
        return not any(
            (self.street.strip(), self.postal_code.strip(), self.city.strip(),
             self.region.strip(), self.country_code.strip())
        )


@dataclass(frozen=True)
class PersonDraft:
    """A person as it should be saved; empty emails, phones and addresses are dropped."""

    given_name: str = ""
    family_name: str = ""
    display_name: str = ""
    job_title: str = ""
    organization_id: str | None = None
    emails: tuple[EmailDraft, ...] = ()
    phones: tuple[PhoneDraft, ...] = ()
    addresses: tuple[AddressDraft, ...] = ()
    tags: tuple[str, ...] = ()
    owner: str = ""
    source: str = ""
    notes: str = ""
    #: Filled in by `clean_person`.
    sort_key: str = field(default="", compare=False)


@dataclass(frozen=True)
class OrganizationDraft:
    name: str = ""
    tax_id: str = ""
    website: str = ""
    addresses: tuple[AddressDraft, ...] = ()
    tags: tuple[str, ...] = ()
    owner: str = ""
    notes: str = ""
    sort_key: str = field(default="", compare=False)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def check(self, where: str, fn: Callable[[], T], fallback: T) -> T:
        try:
            return fn()
        except InvalidValue as exc:
            self.problems.append(Problem(where, exc.message))
            return fallback

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidRecord(self.problems)


def clean_person(draft: PersonDraft, *, region: str | None = None) -> PersonDraft:
    """The draft checked and normalised; `region` is the office's default country."""
    c = _Collector()
    given = c.check("given_name", lambda: _short(draft.given_name, 200, "first name"), "")
    family = c.check("family_name", lambda: _short(draft.family_name, 200, "last name"), "")
    display = c.check(
        "display_name", lambda: _short(draft.display_name, 400, "display name"), ""
    ) or default_display_name(given, family)
    if not display and not any(p.field.endswith("_name") for p in c.problems):
        c.problems.append(Problem("given_name", "Enter a first name, a last name or both."))
    job = c.check("job_title", lambda: _short(draft.job_title, 200, "job title"), "")
    emails = _clean_emails(c, draft.emails)
    phones = _clean_phones(c, draft.phones, region)
    addresses = _clean_addresses(c, draft.addresses)
    tags = _clean_tags(c, draft.tags)
    owner = c.check("owner", lambda: _short(draft.owner, 100, "owner"), "")
    source = c.check("source", lambda: _short(draft.source, 100, "source"), "")
    _refuse_card_numbers(c, {
        "given_name": (given, "first name"), "family_name": (family, "last name"),
        "display_name": (display, "display name"), "job_title": (job, "job title"),
        "owner": (owner, "owner"), "source": (source, "source"), "notes": (draft.notes, "note"),
    }, addresses)
    c.raise_if_any()
    return replace(
        draft,
        given_name=given,
        family_name=family,
        display_name=display,
        sort_key=sort_key(display),
        job_title=job,
        emails=emails,
        phones=phones,
        addresses=addresses,
        tags=tags,
        owner=owner,
        source=source,
        notes=(draft.notes or "").strip(),
    )


def clean_organization(draft: OrganizationDraft) -> OrganizationDraft:
    c = _Collector()
    name = c.check("name", lambda: _short(draft.name, 300, "company name"), "")
    if not name and not c.problems:
        c.problems.append(Problem("name", "Enter the company's name."))
    tax_id = c.check("tax_id", lambda: _short(draft.tax_id, 100, "tax id"), "")
    website = c.check(
        "website", lambda: check_length(normalize_website(draft.website), 300, "website"), ""
    )
    addresses = _clean_addresses(c, draft.addresses)
    tags = _clean_tags(c, draft.tags)
    owner = c.check("owner", lambda: _short(draft.owner, 100, "owner"), "")
    _refuse_card_numbers(c, {
        "name": (name, "company name"), "tax_id": (tax_id, "tax id"),
        "owner": (owner, "owner"), "notes": (draft.notes, "note"),
    }, addresses)
    c.raise_if_any()
    return replace(
        draft,
        name=name,
        sort_key=sort_key(name),
        tax_id=tax_id,
        website=website,
        addresses=addresses,
        tags=tags,
        owner=owner,
        notes=(draft.notes or "").strip(),
    )


def _refuse_card_numbers(
    c: _Collector,
    fields: dict[str, tuple[str, str]],
    addresses: tuple[AddressDraft, ...],
) -> None:
    """A problem for each free-text field holding a payment card number: Crasme Desktop
    never stores them (`fields` maps a field to its value and its name for people; tags
    are checked by `normalize_tag`)."""
    for where, (value, what) in fields.items():
        c.check(where, lambda v=value, w=what: check_no_card_number(v, w), "")
    for i, a in enumerate(addresses):
        text = "\n".join((a.street, a.postal_code, a.city, a.region))
        c.check(f"addresses.{i}", lambda t=text: check_no_card_number(t, "address"), "")


def _short(value: str, limit: int, what: str) -> str:
    return check_length(clean_text(value), limit, what)


def _clean_emails(c: _Collector, emails: tuple[EmailDraft, ...]) -> tuple[EmailDraft, ...]:
    out: list[EmailDraft] = []
    seen: set[str] = set()
    for i, email in enumerate(emails):
        if not (email.address or "").strip():
            continue
        where = f"emails.{i}"
        checked = c.check(where, lambda e=email: normalize_email(e.address), None)
        kind = c.check(where, lambda e=email: check_kind(e.kind, EMAIL_KINDS, "email"), "")
        if checked is None or not kind:
            continue
        if checked.key in seen:  # the same mailbox twice: keep the first, and its flag
            if email.primary:
                out = [replace(e, primary=e.primary or e.key == checked.key) for e in out]
            continue
        seen.add(checked.key)
        out.append(EmailDraft(checked.address, kind, email.primary, checked.key))
    return _one_primary(out)


def _clean_phones(
    c: _Collector, phones: tuple[PhoneDraft, ...], region: str | None
) -> tuple[PhoneDraft, ...]:
    out: list[PhoneDraft] = []
    seen: set[tuple[str, str]] = set()
    for i, phone in enumerate(phones):
        if not (phone.number or "").strip():
            continue
        where = f"phones.{i}"
        checked = c.check(where, lambda p=phone: normalize_phone(p.number, region), None)
        kind = c.check(where, lambda p=phone: check_kind(p.kind, PHONE_KINDS, "phone"), "")
        if checked is None or not kind:
            continue
        extension = clean_text(phone.extension) or checked.extension
        if (checked.e164, extension) in seen:
            continue
        seen.add((checked.e164, extension))
        out.append(PhoneDraft(checked.e164, kind, phone.primary, extension[:20]))
    return _one_primary(out)


def _clean_addresses(
    c: _Collector, addresses: tuple[AddressDraft, ...]
) -> tuple[AddressDraft, ...]:
    out: list[AddressDraft] = []
    for i, address in enumerate(addresses):
        if address.is_empty():
            continue
        where = f"addresses.{i}"
        kind = c.check(
            where, lambda a=address: check_kind(a.kind, ADDRESS_KINDS, "address"), ""
        )
        country = c.check(
            f"{where}.country_code",
            lambda a=address: normalize_country_code(a.country_code),
            "",
        )
        out.append(
            AddressDraft(
                kind=kind,
                street="\n".join(
                    line.strip() for line in address.street.strip().splitlines() if line.strip()
                ),
                postal_code=clean_text(address.postal_code)[:40],
                city=clean_text(address.city)[:200],
                region=clean_text(address.region)[:200],
                country_code=country,
            )
        )
    return tuple(out)


def _clean_tags(c: _Collector, tags: tuple[str, ...]) -> tuple[str, ...]:
    out: dict[str, str] = {}
    for i, tag in enumerate(tags):
        if not clean_text(tag):
            continue
        checked = c.check(f"tags.{i}", lambda t=tag: normalize_tag(t), None)
        if checked is not None:
            out.setdefault(checked[1], checked[0])
    return tuple(out.values())


D = TypeVar("D", EmailDraft, PhoneDraft)


def _one_primary(items: list[D]) -> tuple[D, ...]:
    """Exactly one primary when there are any: the first one marked, else the first."""
    chosen = next((i for i, item in enumerate(items) if item.primary), 0)
    return tuple(item if item.primary == (i == chosen) else replace(item, primary=(i == chosen))
                 for i, item in enumerate(items))
