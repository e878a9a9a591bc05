"""Finding people and companies that are probably the same as another one.

People match on the same email (the `address_key`), the same phone (E.164 number
and extension), or a similar name at the same company: the same words in any order,
blind to case and accents ("Müller Jonas" and "jonas muller"), or one name with
middle parts left out ("Ada Lovelace" and "Ada Augusta Lovelace"). Companies match
on the same name once legal forms are set aside ("Kühnemann Bau GmbH" and
"Kühnemann Bau") or the same website domain.

Every look-up goes through an index: IN-lists over the email key and phone number
in chunks, and for names one query of key ranges over (company, sort key), so that
thousands of drafts from an import cost a handful of queries, never a scan of
everyone in Python. `match_people` also matches the drafts of one batch against
each other: such a match names the earlier draft by `batch_index` (its `person_id`
is empty).

Looking for a stored record's likely duplicates needs the area's `view`
(`contacts.view` for people, `companies.view` for companies); merging them is
`services.merge`'s, which needs `edit` and `delete`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crasme_desktop.domain.models import (
    Organization,
    Person,
    PersonEmail,
    PersonPhone,
)
from crasme_desktop.domain.validation import (
    default_display_name,
    email_key,
    format_phone,
    sort_key,
)
from crasme_desktop.domain.validation_records import (
    EmailDraft,
    OrganizationDraft,
    PersonDraft,
    PhoneDraft,
)
from crasme_desktop.services import permissions
from crasme_desktop.vault import Vault

#: Most matches returned for one record, strongest first.
MATCH_LIMIT = 20
#: Values per IN-list (SQLite allows far more; this keeps statements small).
_CHUNK = 500
#: Key ranges per name query (three bound values each).
_RANGE_CHUNK = 200
#: Words of one name looked up (names with more words rarely come in another order).
_RANGE_WORDS = 4
#: Sort keys that are a word, or start with it and a space or punctuation, lie in
#: [word, word + "0") in SQLite's binary order; "0" sorts after those and before letters.
_AFTER_WORD = "0"
_PUNCT = ".,;:'\"()[]{}!?«»“”‘’"

_EMAIL, _PHONE, _NAME = 3, 2, 1

#: Legal forms left out when company names are compared (as sort-key words).
LEGAL_FORMS = frozenset((
    "&", "ab", "ag", "aps", "as", "asa", "bv", "bvba", "co", "company", "corp",
    "corporation", "cv", "eg", "ek", "ev", "gbr", "gmbh", "inc", "incorporated", "kg",
    "kgaa", "kft", "kk", "limited", "llc", "llp", "lp", "ltd", "ltda", "mbh", "nv", "oy",
    "oyj", "ohg", "plc", "pte", "pty", "sa", "sab", "sarl", "sas", "sasu", "spa", "sl",
    "srl", "sro", "ug",
))

T = TypeVar("T")


@dataclass(frozen=True)
class PersonMatch:
    """A person who may be the same as a draft, and why (short phrases)."""

    person_id: str
    display_name: str
    reasons: tuple[str, ...]
    #: For a match within one batch: the index of the earlier draft (person_id is "").
    batch_index: int | None = None


@dataclass(frozen=True)
class OrganizationMatch:
    """A company that may be the same as a draft, and why."""

    organization_id: str
    name: str
    reasons: tuple[str, ...]
    batch_index: int | None = None


# -- people ------------------------------------------------------------------------------
def find_person_matches(
    vault: Vault,
    draft: PersonDraft,
    *,
    exclude_id: str | None = None,
    organization_name: str = "",
) -> list[PersonMatch]:
    """People who may be the same as this cleaned draft (for a form before saving;
    `exclude_id` is the person being edited)."""
    permissions.require(vault, "contacts.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        found = match_people(
            s, [draft], organization_names=[organization_name],
            exclude_ids={exclude_id} if exclude_id else None,
        )
        return found[0]


def duplicate_people(vault: Vault, person_id: str) -> list[PersonMatch]:
    """People who may be the same as this stored person (for the detail pane)."""
    permissions.require(vault, "contacts.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        draft = _stored_person_draft(s, person_id)
        if draft is None:
            return []
        return match_people(s, [draft], exclude_ids={person_id})[0]


def match_people(
    session: Session,
    drafts: Sequence[PersonDraft],
    *,
    organization_names: Sequence[str | None] | None = None,
    exclude_ids: set[str] | None = None,
    limit: int = MATCH_LIMIT,
    within_batch: bool = True,
) -> list[list[PersonMatch]]:
    """For each cleaned draft, the stored people (and earlier drafts of the same batch)
    that may be the same person, strongest first.

    A draft's company is its `organization_id`, else `organization_names[i]` (a
    company typed by name: matched to a stored company by its sort key, and to the
    other drafts by name). `within_batch=False` leaves the drafts of the batch out, for
    a caller that matches them against each other itself (the import)."""
    probes = [_PersonProbe.of(d) for d in drafts]
    names = list(organization_names or [])
    _resolve_companies(session, probes, names)
    found: list[dict[str, _Hits]] = [defaultdict(_Hits) for _ in probes]
    org_names: dict[str, str] = {}
    _match_emails(session, probes, found)
    _match_phones(session, probes, found)
    _match_names(session, probes, found, org_names)
    exclude = exclude_ids or set()
    shown = _display_names(
        session, {pid for hits in found for pid in hits if pid not in exclude}
    )
    results: list[list[PersonMatch]] = []
    batch = (_match_batch(probes, org_names) if within_batch
             else [[] for _ in probes])
    for i, hits in enumerate(found):
        matches = [
            (PersonMatch(pid, shown[pid], h.reasons()), h.score)
            for pid, h in hits.items()
            if pid not in exclude and pid in shown
        ]
        matches += batch[i]
        matches.sort(key=lambda m: (-m[1], m[0].display_name.casefold(), m[0].person_id))
        results.append([m for m, _score_ in matches[:limit]])
    return results


@dataclass
class _Hits:
    phrases: dict[str, int] = field(default_factory=dict)

    def add(self, phrase: str, weight: int) -> None:
        self.phrases.setdefault(phrase, weight)

    def reasons(self) -> tuple[str, ...]:
        return tuple(sorted(self.phrases, key=lambda p: -self.phrases[p]))

    @property
    def score(self) -> int:
        weights = list(self.phrases.values())
        return sum(set(weights)) * 10 + len(weights)


@dataclass
class _PersonProbe:
    emails: tuple[tuple[str, str], ...]  # (key, address)
    phones: tuple[tuple[str, str], ...]  # (number, extension)
    names: tuple[tuple[str, ...], ...]  # word lists of the name's variants
    shown_name: str
    organization_id: str | None
    company_key: str = ""  # the organization id, or "name:<sort key>" for a typed name

    @classmethod
    def of(cls, d: PersonDraft) -> _PersonProbe:
        emails = tuple(
            (e.key or email_key(e.address), e.address) for e in d.emails if e.address
        )
        phones = tuple((p.number, p.extension) for p in d.phones if p.number)
        display = d.display_name or default_display_name(d.given_name, d.family_name)
        variants = {name_words(display), name_words(f"{d.given_name} {d.family_name}")}
        names = tuple(v for v in variants if v)
        return cls(emails, phones, names, display, d.organization_id, d.organization_id or "")


@lru_cache(maxsize=8192)
def name_words(name: str) -> tuple[str, ...]:
    """A name as words blind to case, accents and stray punctuation."""
    return tuple(w for w in (w.strip(_PUNCT) for w in sort_key(name).split()) if w)


def similar_names(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """The same words in any order, or one of two-plus words with middle parts left out
    (same first and last word, in either order, and nothing the longer lacks)."""
    if not a or not b:
        return False
    if sorted(a) == sorted(b):
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 2:
        return False
    if {short[0], short[-1]} != {long_[0], long_[-1]} or short[0] == short[-1]:
        return False
    rest = list(long_)
    for word in short:
        if word not in rest:
            return False
        rest.remove(word)
    return True


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _resolve_companies(
    s: Session, probes: list[_PersonProbe], names: Sequence[str | None]
) -> None:
    typed: dict[str, list[_PersonProbe]] = defaultdict(list)
    for probe, name in zip(probes, names, strict=False):
        if probe.organization_id is None and name and name.strip():
            key = sort_key(name)
            probe.company_key = f"name:{key}"
            typed[key].append(probe)
    keys = list(typed)
    for chunk in _chunks(keys):
        rows = s.execute(
            select(Organization.sort_key, Organization.id)
            .where(Organization.sort_key.in_(chunk))
            .order_by(Organization.sort_key, Organization.id)
        )
        for key, org_id in rows:
            for probe in typed.pop(key, []):  # the first company of that name
                probe.organization_id = org_id


def _match_emails(s: Session, probes: list[_PersonProbe], found: list[dict[str, _Hits]]) -> None:
    wanted: dict[str, list[int]] = defaultdict(list)
    for i, probe in enumerate(probes):
        for key, _address in probe.emails:
            wanted[key].append(i)
    for chunk in _chunks(list(wanted)):
        rows = s.execute(
            select(PersonEmail.address_key, PersonEmail.address, PersonEmail.person_id)
            .where(PersonEmail.address_key.in_(chunk))
        )
        for key, address, person_id in rows:
            for i in wanted[key]:
                found[i][person_id].add(f"same email {address}", _EMAIL)


def _match_phones(s: Session, probes: list[_PersonProbe], found: list[dict[str, _Hits]]) -> None:
    wanted: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, probe in enumerate(probes):
        for number, extension in probe.phones:
            wanted[number].append((i, extension))
    for chunk in _chunks(list(wanted)):
        rows = s.execute(
            select(PersonPhone.number, PersonPhone.extension, PersonPhone.person_id)
            .where(PersonPhone.number.in_(chunk))
        )
        for number, extension, person_id in rows:
            for i, want_ext in wanted[number]:
                if want_ext == extension:
                    found[i][person_id].add(f"same phone {_phone_text(number, extension)}",
                                            _PHONE)


@lru_cache(maxsize=4096)
def _phone_text(number: str, extension: str = "") -> str:
    return format_phone(number, international=True, extension=extension)


def _word_range(word: str) -> tuple[str, str]:
    """Sort keys that are this word or start with it followed by a space or punctuation."""
    return word, word + _AFTER_WORD


def _match_names(
    s: Session,
    probes: list[_PersonProbe],
    found: list[dict[str, _Hits]],
    org_names: dict[str, str],
) -> None:
    # (company, first-or-last word) -> the probes wanting people whose name starts so.
    wanted: dict[tuple[str, str], set[int]] = defaultdict(set)
    for i, probe in enumerate(probes):
        if probe.organization_id is None:
            continue
        # A stored name similar to this one starts with one of its words (the same
        # words in another order, or with middle parts left out on either side).
        for words in probe.names:
            for word in {*words[:_RANGE_WORDS], words[-1]}:
                wanted[(probe.organization_id, word)].add(i)
    if not wanted:
        return
    _company_names(s, {org for org, _word in wanted}, org_names)
    terms = list(wanted)
    conn = s.connection()
    for chunk in _chunks(terms, _RANGE_CHUNK):
        # Plain SQL: building hundreds of ORM comparisons costs more than the look-up.
        where = " OR ".join(["(organization_id = ? AND sort_key >= ? AND sort_key < ?)"]
                            * len(chunk))
        params: list[str] = []
        for org, word in chunk:
            params.extend((org, *_word_range(word)))
        rows = conn.exec_driver_sql(
            "SELECT id, organization_id, sort_key, given_name, family_name FROM person "
            f"WHERE {where}", tuple(params),  # nosec B608  # names are code constants; values are bound
        )
        for pid, org, key, given, family in rows:
            stored = {name_words(key), name_words(f"{given} {family}")}
            stored.discard(())
            first_words = {w[0] for w in stored}
            candidates: set[int] = set()
            for word in first_words:
                candidates |= wanted.get((org, word), set())
            for i in candidates:
                if any(similar_names(a, b) for a in probes[i].names for b in stored):
                    found[i][pid].add(f"similar name at {org_names.get(org, 'the same company')}",
                                      _NAME)


def _company_names(s: Session, ids: Iterable[str], into: dict[str, str]) -> None:
    missing = [i for i in ids if i not in into]
    for chunk in _chunks(missing):
        for org_id, name in s.execute(
            select(Organization.id, Organization.name).where(Organization.id.in_(chunk))
        ):
            into[org_id] = name


def _display_names(s: Session, ids: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in _chunks(sorted(ids)):
        for pid, name in s.execute(
            select(Person.id, Person.display_name).where(Person.id.in_(chunk))
        ):
            out[pid] = name
    return out


def _match_batch(
    probes: list[_PersonProbe], org_names: dict[str, str]
) -> list[list[tuple[PersonMatch, int]]]:
    """Each draft against the earlier drafts of the same batch, through dictionaries."""
    out: list[list[tuple[PersonMatch, int]]] = [[] for _ in probes]
    if len(probes) < 2:
        return out
    emails: dict[str, int] = {}
    phones: dict[tuple[str, str], int] = {}
    names: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, probe in enumerate(probes):
        hits: dict[int, _Hits] = defaultdict(_Hits)
        for key, address in probe.emails:
            if key in emails:
                hits[emails[key]].add(f"same email {address}", _EMAIL)
            emails.setdefault(key, i)
        for number, extension in probe.phones:
            if (number, extension) in phones:
                hits[phones[(number, extension)]].add(
                    f"same phone {_phone_text(number, extension)}", _PHONE
                )
            phones.setdefault((number, extension), i)
        company = probe.organization_id or probe.company_key
        if company:
            where = org_names.get(company) or (
                company.removeprefix("name:") if company.startswith("name:") else ""
            )
            phrase = f"similar name at {where or 'the same company'}"
            seen: set[int] = set()
            for words in probe.names:
                for sig in _name_signatures(company, words):
                    for j in names[sig]:
                        if j not in seen and any(
                            similar_names(words, other) for other in probes[j].names
                        ):
                            seen.add(j)
                            hits[j].add(phrase, _NAME)
            for words in probe.names:
                for sig in _name_signatures(company, words):
                    if not names[sig] or names[sig][-1] != i:
                        names[sig].append(i)
        for j, h in hits.items():
            if j != i:
                out[i].append((PersonMatch("", probes[j].shown_name, h.reasons(), j), h.score))
    return out


def _name_signatures(company: str, words: tuple[str, ...]) -> list[tuple[str, ...]]:
    sigs = [(company, "all", *sorted(words))]
    if len(words) >= 2:
        sigs.append((company, "ends", *sorted((words[0], words[-1]))))
    return sigs


def _stored_person_draft(s: Session, person_id: str) -> PersonDraft | None:
    person = s.get(Person, person_id)
    if person is None:
        return None
    emails = s.execute(
        select(PersonEmail.address, PersonEmail.address_key).where(
            PersonEmail.person_id == person_id
        )
    ).all()
    phones = s.execute(
        select(PersonPhone.number, PersonPhone.extension).where(
            PersonPhone.person_id == person_id
        )
    ).all()
    return PersonDraft(
        given_name=person.given_name,
        family_name=person.family_name,
        display_name=person.display_name,
        organization_id=person.organization_id,
        emails=tuple(EmailDraft(a, key=k) for a, k in emails),
        phones=tuple(PhoneDraft(n, extension=x) for n, x in phones),
    )


# -- companies ---------------------------------------------------------------------------
def find_organization_matches(
    vault: Vault, draft: OrganizationDraft, *, exclude_id: str | None = None
) -> list[OrganizationMatch]:
    """Companies that may be the same as this cleaned draft (for a form before saving)."""
    permissions.require(vault, "companies.view")
    with vault.unit_of_work() as uow:
        return match_organizations(
            uow.session, [draft], exclude_ids={exclude_id} if exclude_id else None
        )[0]


def duplicate_organizations(vault: Vault, organization_id: str) -> list[OrganizationMatch]:
    """Companies that may be the same as this stored one (for the detail pane)."""
    permissions.require(vault, "companies.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        org = s.get(Organization, organization_id)
        if org is None:
            return []
        draft = OrganizationDraft(name=org.name, website=org.website)
        return match_organizations(s, [draft], exclude_ids={organization_id})[0]


def company_name_key(name: str) -> str:
    """A company's name as words, without legal forms at the end ("GmbH", "Ltd.")."""
    words = list(name_words(name.replace("&", " & ")))
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def website_domain(website: str) -> str:
    """The host of a website without "www." ("https://www.Example.com/x" -> "example.com")."""
    text = (website or "").strip()
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    try:
        host = (urlsplit(text).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def match_organizations(
    session: Session,
    drafts: Sequence[OrganizationDraft],
    *,
    exclude_ids: set[str] | None = None,
    limit: int = MATCH_LIMIT,
) -> list[list[OrganizationMatch]]:
    """For each cleaned draft, the stored companies (and earlier drafts of the batch)
    with the same name (legal forms aside) or the same website domain."""
    keys = [company_name_key(d.name) for d in drafts]
    domains = [website_domain(d.website) for d in drafts]
    found: list[dict[str, _Hits]] = [defaultdict(_Hits) for _ in drafts]
    names: dict[str, str] = {}
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        if key:
            by_key[key].append(i)
    conn = session.connection()
    for chunk in _chunks(list(by_key), _RANGE_CHUNK):
        where = " OR ".join(["(sort_key >= ? AND sort_key < ?)"] * len(chunk))
        params = [v for k in chunk for v in _word_range(k)]
        rows = conn.exec_driver_sql(
            f"SELECT id, name, sort_key FROM organization WHERE {where}", tuple(params)  # nosec B608  # names are code constants; values are bound
        )
        for org_id, name, stored_key in rows:
            names[org_id] = name
            for i in by_key.get(company_name_key(stored_key), []):
                same = sort_key(name) == sort_key(drafts[i].name)
                found[i][org_id].add("same name" if same else "similar name", _EMAIL)
    _match_domains(session, domains, found, names)
    exclude = exclude_ids or set()
    batch = _batch_organizations(drafts, keys, domains)
    results = []
    for i, hits in enumerate(found):
        scored = [
            (OrganizationMatch(oid, names[oid], h.reasons()), h.score)
            for oid, h in hits.items()
            if oid not in exclude
        ]
        scored += batch[i]
        scored.sort(key=lambda m: (-m[1], sort_key(m[0].name), m[0].organization_id))
        results.append([m for m, _score_ in scored[:limit]])
    return results


def _match_domains(
    s: Session, domains: list[str], found: list[dict[str, _Hits]], names: dict[str, str]
) -> None:
    wanted: dict[str, list[int]] = defaultdict(list)
    for i, domain in enumerate(domains):
        if domain:
            wanted[domain].append(i)
    # There is no index on websites (yet), so this one look-up reads the company table;
    # it is one pass however many drafts there are, and companies are few next to people.
    for chunk in _chunks(list(wanted), 50):
        terms = []
        for domain in chunk:
            for prefix in ("http://", "https://", "http://www.", "https://www."):
                terms.append(Organization.website == prefix + domain)
                terms.append(Organization.website.like(_like(prefix + domain) + "/%", "\\"))
                terms.append(Organization.website.like(_like(prefix + domain) + ":%", "\\"))
        rows = s.execute(
            select(Organization.id, Organization.name, Organization.website).where(or_(*terms))
        )
        for org_id, name, website in rows:
            domain = website_domain(website)
            names[org_id] = name
            for i in wanted.get(domain, []):
                found[i][org_id].add(f"same website {domain}", _PHONE)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _batch_organizations(
    drafts: Sequence[OrganizationDraft], keys: list[str], domains: list[str]
) -> list[list[tuple[OrganizationMatch, int]]]:
    """Each draft against the earlier drafts of the batch (the first of each key)."""
    out: list[list[tuple[OrganizationMatch, int]]] = [[] for _ in drafts]
    first_key: dict[str, int] = {}
    first_domain: dict[str, int] = {}
    for i, draft in enumerate(drafts):
        hits: dict[int, _Hits] = defaultdict(_Hits)
        if keys[i]:
            j = first_key.setdefault(keys[i], i)
            if j != i:
                same = sort_key(draft.name) == sort_key(drafts[j].name)
                hits[j].add("same name" if same else "similar name", _EMAIL)
        if domains[i]:
            j = first_domain.setdefault(domains[i], i)
            if j != i:
                hits[j].add(f"same website {domains[i]}", _PHONE)
        for j, h in hits.items():
            out[i].append((OrganizationMatch("", drafts[j].name, h.reasons(), j), h.score))
    return out


__all__ = [
    "LEGAL_FORMS",
    "MATCH_LIMIT",
    "OrganizationMatch",
    "PersonMatch",
    "company_name_key",
    "duplicate_organizations",
    "duplicate_people",
    "find_organization_matches",
    "find_person_matches",
    "match_organizations",
    "match_people",
    "name_words",
    "similar_names",
    "website_domain",
]
