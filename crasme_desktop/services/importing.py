"""Import people from a CSV or vCard file: a plan to look at first, then one commit.

`plan_import` reads the file (CSV or vCard, told apart by what it holds), turns each
record into a checked `PersonDraft` and decides, row by row, what would happen:

- **create** a new person;
- **merge** into a person already in the vault (found by `duplicates.match_people`)
  or into an earlier row of the same file: empty fields are filled and new emails,
  phones, addresses, tags and a photo are added; a value already there is never
  overwritten;
- **skip** a row that cannot be used, or one that adds nothing to a person we have.

Every row gets one sentence starting with its line number. `commit_import` then
writes the plan in ONE transaction with bulk inserts, so a cancelled or failed
import leaves the vault exactly as it was. It first checks that the vault did not
change since the plan was made and, if it did, plans again inside the same
transaction, so a merge never works on stale facts.

Planning and committing need `contacts.view` and `contacts.create` (the plan reads who
is in the vault), and also `contacts.edit` when rows merge into people already in the
vault and `companies.create` when it adds companies. A refused commit writes nothing.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.ids import new_id
from crasme_desktop.domain.models import (
    Attachment,
    AuditEvent,
    Organization,
    Person,
    PersonEmail,
    PersonPhone,
    PostalAddress,
    Tag,
    person_tag,
)
from crasme_desktop.domain.permissions import Actor, Permission
from crasme_desktop.domain.progress import Progress
from crasme_desktop.domain.search_text import organization_text, person_text
from crasme_desktop.domain.validation import (
    ADDRESS_KINDS,
    EMAIL_KINDS,
    PHONE_KINDS,
    InvalidRecord,
    default_display_name,
    quoted,
    sort_key,
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
from crasme_desktop.formats import csv_contacts, vcard
from crasme_desktop.formats.contact_record import (
    DEFAULT_LIMITS,
    Address,
    ContactRecord,
    FormatError,
    ImportLimits,
    Photo,
    size_text,
)
from crasme_desktop.formats.csv_contacts import Column
from crasme_desktop.services import (
    audit,
    duplicates,
    permissions,
    privacy_consent,
    search_index,
)
from crasme_desktop.services.contacts import office_region
from crasme_desktop.vault import Vault

CREATE, MERGE, SKIP = "create", "merge", "skip"
ACTIONS = (CREATE, MERGE, SKIP)
CSV, VCARD = "csv", "vcard"
#: Rows per executemany; big enough to be fast, small enough to cancel promptly.
BATCH = 2000
#: Values per IN (...) when looking rows up (SQLite allows 32766 parameters).
LOOKUP_CHUNK = 900
#: Drafts per call of `duplicates.match_people`.
MATCH_BATCH = 5000
SOURCE = "Import"
_VCARD_START = re.compile(rb"(?im)^[ \t]*BEGIN[ \t]*:[ \t]*VCARD[ \t]*\r?$")

__all__ = [
    "ACTIONS",
    "CREATE",
    "MERGE",
    "SKIP",
    "FileInfo",
    "ImportOutcome",
    "ImportPlan",
    "ParsedFile",
    "RowPlan",
    "commit_import",
    "inspect_file",
    "parse_file",
    "plan_import",
]


# -- what callers get back -------------------------------------------------------------
@dataclass(frozen=True)
class RowPlan:
    """What happens to one row (or card) of the file, and why, in one sentence."""

    line: int
    action: str  # CREATE, MERGE or SKIP
    name: str
    reason: str
    email: str = ""
    phone: str = ""
    organization: str = ""
    #: The person in the vault this row merges into (None for a new person).
    person_id: str | None = None
    #: The earlier line of the same file this row is combined with.
    same_as_line: int | None = None
    #: Values of the row that were left out, one sentence each.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileInfo:
    """What a file is, for the first screens of the import: its kind and, for CSV,
    columns, the mapping the file suggests and a few rows of sample values."""

    path: Path
    kind: str  # CSV or VCARD
    encoding: str = ""
    delimiter: str = ""
    headers: tuple[str, ...] = ()
    preset: str = ""
    mapping: Mapping[int, Column] = field(default_factory=dict)
    samples: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class ImportPlan:
    """Row-by-row decisions for one file; hand it to `commit_import` to carry out."""

    path: Path
    kind: str
    rows: tuple[RowPlan, ...]
    people_created: int
    people_merged: int
    rows_skipped: int
    organizations_created: int
    region: str
    encoding: str = ""
    delimiter: str = ""
    headers: tuple[str, ...] = ()
    preset: str = ""
    mapping: Mapping[int, Column] = field(default_factory=dict)
    stamp: tuple[Any, ...] = field(default=(), repr=False)
    _records: tuple[ContactRecord, ...] = field(default=(), repr=False, compare=False)
    _problems: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    _targets: tuple[_Target, ...] = field(default=(), repr=False, compare=False)

    def count(self, action: str) -> int:
        """How many rows get this action."""
        return sum(1 for r in self.rows if r.action == action)

    def summary(self) -> str:
        """One sentence for people: what the import would do."""
        return (f"{_n(len(self.rows), 'row')} read: "
                f"{_n(self.people_created, 'new person', 'new people')}, "
                f"{_n(self.people_merged, 'person', 'people')} already in the vault "
                f"completed, {_n(self.rows_skipped, 'row')} skipped.")


@dataclass(frozen=True)
class ImportOutcome:
    """What `commit_import` wrote. `plan` is the plan carried out: a new one when the
    vault changed after planning (then `replanned` is True)."""

    import_id: str
    people_created: int
    people_merged: int
    rows_skipped: int
    organizations_created: int
    replanned: bool
    plan: ImportPlan = field(repr=False)


# -- reading the file ------------------------------------------------------------------
def _read_file(path: Path, limits: ImportLimits) -> bytes:
    path = Path(path)
    name = quoted(path.name)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise UserError(f"{name} is a folder; choose a contact file to import.")
        if size > limits.max_file_bytes:
            raise FormatError(f"The file is larger than {size_text(limits.max_file_bytes)}, "
                              "which is more than one import can take.")
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"The file {name} was not found.") from None
    except PermissionError:
        raise UserError(f"The file {name} cannot be read: permission denied.") from None
    except IsADirectoryError:
        raise UserError(f"{name} is a folder; choose a contact file to import.") from None
    except OSError as exc:
        raise UserError(f"The file {name} cannot be read ({exc.strerror or 'unknown error'})."
                        ) from None


def _kind_of(data: bytes) -> str:
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "replace").encode("utf-8", "replace")
    return VCARD if _VCARD_START.search(head) else CSV


def inspect_file(path: Path, *, sample_rows: int = 5,
                 limits: ImportLimits = DEFAULT_LIMITS) -> FileInfo:
    """The kind of a contact file and, for CSV, its columns, suggested mapping and
    sample values. Raises `UserError` with one sentence when it cannot be read."""
    data = _read_file(path, limits)
    if _kind_of(data) == VCARD:
        if not data.strip():
            raise FormatError("The file is empty.")
        return FileInfo(Path(path), VCARD)
    layout, rows = csv_contacts.preview_csv(data, sample_rows, limits)
    chosen = csv_contacts.choose_mapping(layout.headers)
    return FileInfo(Path(path), CSV, layout.encoding, layout.delimiter, layout.headers,
                    chosen.preset, dict(chosen.columns), tuple(tuple(r) for r in rows))


@dataclass(frozen=True)
class ParsedFile:
    """A contact file read and parsed, before any vault is involved (`parse_file`)."""

    path: Path
    kind: str
    records: tuple[ContactRecord, ...]
    problems: tuple[Any, ...]
    encoding: str = ""
    delimiter: str = ""
    headers: tuple[str, ...] = ()
    preset: str = ""
    mapping: Mapping[int, Column] = field(default_factory=dict)


def parse_file(path: Path, *, mapping: Mapping[int, Column] | None = None,
               preset: str | None = None, limits: ImportLimits = DEFAULT_LIMITS) -> ParsedFile:
    """Read and parse a contact file without touching any vault, e.g. to refuse a bad
    file before unlocking; `plan_import` takes the result in place of a path."""
    return _parse(Path(path), _read_file(path, limits), mapping, preset, limits)


def _parse(path: Path, data: bytes, mapping: Mapping[int, Column] | None,
           preset: str | None, limits: ImportLimits) -> ParsedFile:
    if _kind_of(data) == VCARD:
        result = vcard.read_vcards(data, limits=limits)
        return ParsedFile(path, VCARD, result.records, result.problems)
    if mapping is None and preset:
        if preset not in csv_contacts.PRESETS:
            raise UserError(f"There is no preset called {quoted(preset)}; choose one of "
                            f"{', '.join(csv_contacts.PRESETS)}.")
        layout = csv_contacts.sniff_csv(data, limits)
        mapping = csv_contacts.preset_mapping(layout.headers, preset)
        if not mapping:
            raise UserError(f"None of the file's column names fits the {preset} preset.")
    parsed = csv_contacts.read_csv(data, mapping, limits=limits)
    chosen = parsed.mapping
    return ParsedFile(path, CSV, parsed.records, parsed.problems, parsed.encoding,
                      parsed.delimiter, parsed.headers, preset or chosen.preset,
                      dict(chosen.columns))


# -- planning --------------------------------------------------------------------------
def plan_import(vault: Vault, path: Path | ParsedFile, *,
                mapping: Mapping[int, Column] | None = None, preset: str | None = None,
                progress: Progress | None = None,
                limits: ImportLimits = DEFAULT_LIMITS) -> ImportPlan:
    """Read `path` and decide for every row whether it creates, merges or is skipped.

    `mapping` (column index → Column) or `preset` ("google", "outlook", "guessed")
    choose how CSV columns are read; by default the file's headers decide. `path` may
    also be a `ParsedFile` from `parse_file`. Nothing is written. Raises `UserError`
    (one sentence) when the file cannot be read.
    """
    permissions.require(vault, "contacts.view")
    permissions.require(vault, "contacts.create")
    progress = progress or Progress()
    progress.update(0, 0, "Reading the file")
    parsed = (path if isinstance(path, ParsedFile)
              else parse_file(path, mapping=mapping, preset=preset, limits=limits))
    region = office_region(vault)
    with vault.unit_of_work() as uow:
        plan = _plan(uow.session, parsed, region, progress)
    _require_plan(permissions.actor_of(vault), plan)  # said before anyone clicks Import
    return plan


def _plan(s: Session, parsed: ParsedFile, region: str, progress: Progress) -> ImportPlan:
    stamp = _vault_stamp(s)
    rows, targets = _Planner(s, region, progress).run(parsed)
    new_orgs = _missing_organizations(s, {t.org_name for t in targets if t.org_name})
    return ImportPlan(
        path=parsed.path, kind=parsed.kind, rows=tuple(rows),
        people_created=sum(1 for t in targets if t.person_id is None),
        people_merged=sum(1 for t in targets if t.person_id is not None and t.changed),
        rows_skipped=sum(1 for r in rows if r.action == SKIP),
        organizations_created=len(new_orgs), region=region,
        encoding=parsed.encoding, delimiter=parsed.delimiter, headers=parsed.headers,
        preset=parsed.preset, mapping=parsed.mapping, stamp=stamp,
        _records=parsed.records, _problems=parsed.problems, _targets=tuple(targets))


def _vault_stamp(s: Session) -> tuple[Any, ...]:
    """Changes whenever people or companies change: every write adds an audit event
    (ids are time-ordered) and the counts catch anything else."""
    last_event = s.scalar(select(func.max(AuditEvent.id)))
    people = s.scalar(select(func.count()).select_from(Person))
    orgs = s.scalar(select(func.count()).select_from(Organization))
    return (last_event, people, orgs)


@dataclass
class _Target:
    """One person the import writes: new (person_id None) or already in the vault.

    Rows of the file are folded into it one after another; each adds only what the
    person does not have yet.
    """

    line: int
    person_id: str | None
    name: str = ""
    values: dict[str, str] = field(default_factory=dict)
    filled: dict[str, str] = field(default_factory=dict)
    display_follows: bool = True
    has_org: bool = False
    org_name: str = ""
    email_keys: set[str] = field(default_factory=set)
    phone_keys: set[tuple[str, str]] = field(default_factory=set)
    address_keys: set[tuple[str, ...]] = field(default_factory=set)
    tag_keys: set[str] = field(default_factory=set)
    n_emails: int = 0
    n_phones: int = 0
    n_addresses: int = 0
    emails: list[EmailDraft] = field(default_factory=list)
    phones: list[PhoneDraft] = field(default_factory=list)
    addresses: list[AddressDraft] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    has_photo: bool = False
    photo: Photo | None = None

    @property
    def changed(self) -> bool:
        return bool(self.filled or self.org_name or self.emails or self.phones
                    or self.addresses or self.tags or self.photo)

    def absorb(self, d: PersonDraft, org_name: str, photo: Photo | None) -> list[str]:
        """Add what `d` knows and this person lacks; returns what was added, in words."""
        added: list[str] = []
        names_before = (self.values.get("given_name", ""), self.values.get("family_name", ""))
        for name, words in _FILLABLE:
            value = getattr(d, name)
            if value and not self.values.get(name):
                self.values[name] = self.filled[name] = value
                added.append(words)
        if d.display_name and not self.values.get("display_name"):
            self.values["display_name"] = d.display_name
            self.display_follows = d.display_name == default_display_name(
                self.values.get("given_name", ""), self.values.get("family_name", ""))
        elif self.display_follows and names_before != (self.values.get("given_name", ""),
                                                       self.values.get("family_name", "")):
            shown = default_display_name(self.values.get("given_name", ""),
                                         self.values.get("family_name", ""))
            if shown and shown != self.values.get("display_name"):
                self.values["display_name"] = self.filled["display_name"] = shown
        if org_name and not self.has_org:
            self.has_org, self.org_name = True, org_name
            added.append("the company")
        added += self._add_emails(d.emails) + self._add_phones(d.phones)
        added += self._add_addresses(d.addresses) + self._add_tags(d.tags)
        if photo is not None and not self.has_photo:
            self.has_photo, self.photo = True, photo
            added.append("the photo")
        if not self.name:
            self.name = self.values.get("display_name", "")
        return added

    def _add_emails(self, emails: Iterable[EmailDraft]) -> list[str]:
        count = 0
        for e in emails:
            if e.key not in self.email_keys:
                self.email_keys.add(e.key)
                first = self.n_emails == 0
                self.emails.append(EmailDraft(e.address, e.kind, e.primary if first else False,
                                              e.key))
                count += 1
        self.n_emails += count
        if count and not any(e.primary for e in self.emails) and self.n_emails == count:
            self.emails[0] = replace(self.emails[0], primary=True)
        return [_n(count, "email")] if count else []

    def _add_phones(self, phones: Iterable[PhoneDraft]) -> list[str]:
        count = 0
        had = self.n_phones
        for p in phones:
            key = (p.number, p.extension)
            if key not in self.phone_keys:
                self.phone_keys.add(key)
                self.phones.append(p if had == 0 or not p.primary else replace(p, primary=False))
                count += 1
        self.n_phones += count
        if count and had == 0 and not any(p.primary for p in self.phones):
            self.phones[0] = replace(self.phones[0], primary=True)
        return [_n(count, "phone number")] if count else []

    def _add_addresses(self, addresses: Iterable[AddressDraft]) -> list[str]:
        count = 0
        for a in addresses:
            key = _address_key(a)
            if key not in self.address_keys:
                self.address_keys.add(key)
                self.addresses.append(a)
                count += 1
        self.n_addresses += count
        return [_n(count, "address", "addresses")] if count else []

    def _add_tags(self, tags: Iterable[str]) -> list[str]:
        count = 0
        for tag in tags:
            key = tag.casefold()
            if key not in self.tag_keys:
                self.tag_keys.add(key)
                self.tags.append(tag)
                count += 1
        return [_n(count, "tag")] if count else []


_FILLABLE = (("given_name", "the first name"), ("family_name", "the last name"),
             ("job_title", "the job title"), ("notes", "the notes"))


def _address_key(a: AddressDraft) -> tuple[str, ...]:
    return tuple(" ".join(v.split()).casefold()
                 for v in (a.street, a.postal_code, a.city, a.country_code))


@dataclass
class _Row:
    record: ContactRecord
    draft: PersonDraft | None
    org_name: str
    notes: list[str]
    skip: str = ""


class _Planner:
    def __init__(self, s: Session, region: str, progress: Progress) -> None:
        self.s = s
        self.region = region
        self.progress = progress
        self._restricted: set[str] = set()

    def run(self, parsed: ParsedFile) -> tuple[list[RowPlan], list[_Target]]:
        total = len(parsed.records)
        rows: list[_Row] = []
        for i, record in enumerate(parsed.records):
            if i % 500 == 0:
                self.progress.update(i, total, f"Checking row {i:,} of {total:,}")
            rows.append(_row_of(record, self.region))
        _add_value_notes(rows, parsed.problems)
        self.progress.update(total, total, "Looking for people already in the vault")
        _attach_existing_organizations(self.s, rows)
        good = [r for r in rows if r.draft is not None]
        matches = _match_people(self.s, good)
        match_of = {id(r): m for r, m in zip(good, matches, strict=True)}
        existing = _load_existing(self.s, {m.person_id for m in matches if m is not None})
        # A restricted person may be read but not changed: rows matching one add nothing.
        self._restricted = privacy_consent.restricted_among(self.s, existing)
        plans = _skipped_problems(parsed.problems)
        targets: list[_Target] = []
        by_key: dict[Any, _Target] = {}
        by_person: dict[str, _Target] = {}
        for row in rows:
            plans.append(self._decide(row, match_of.get(id(row)), existing, targets,
                                      by_key, by_person))
        plans.sort(key=lambda p: p.line)
        return plans, targets

    def _decide(self, row: _Row, match: Any, existing: dict[str, _Target],
                targets: list[_Target], by_key: dict[Any, _Target],
                by_person: dict[str, _Target]) -> RowPlan:
        rec, d = row.record, row.draft
        line = rec.source_line
        if d is None:
            return _row_plan(rec, SKIP, row.skip, notes=row.notes)
        keys = _keys(d)
        earlier = next((by_key[k] for k in keys if k in by_key), None)
        if earlier is not None:
            why = _why_same(keys, by_key, earlier)
            added = earlier.absorb(d, row.org_name, rec.photo)
            for k in keys:
                by_key.setdefault(k, earlier)
            reason = (f"Line {line}: the same person as line {earlier.line} of this file "
                      f"({why}); {_adds(added)}.")
            return _row_plan(rec, MERGE if added else SKIP, reason, d, row, earlier)
        if match is not None and match.person_id in self._restricted:
            shown = quoted(match.display_name or existing[match.person_id].name)
            return _row_plan(rec, SKIP, f"Line {line}: {shown} is already in the vault and "
                             "restricted, so nothing was added to them; lift the restriction "
                             "on the Privacy page first to import this row.", notes=row.notes)
        if match is not None and match.person_id in existing:
            target = by_person.get(match.person_id)
            if target is None:
                target = existing[match.person_id]
                by_person[match.person_id] = target
                targets.append(target)
            added = target.absorb(d, row.org_name, rec.photo)
            for k in keys:
                by_key.setdefault(k, target)
            why = ", ".join(match.reasons) or "the same details"
            shown = quoted(match.display_name or target.name)
            if added:
                reason = (f"Line {line}: {shown} is already in the vault ({why}); "
                          f"{_adds(added)}, and nothing there is overwritten.")
            else:
                reason = (f"Line {line}: {shown} is already in the vault ({why}) with "
                          "everything this row holds; it was skipped.")
            return _row_plan(rec, MERGE if added else SKIP, reason, d, row, target)
        target = _Target(line=line, person_id=None)
        target.absorb(d, row.org_name, rec.photo)
        targets.append(target)
        for k in keys:
            by_key.setdefault(k, target)
        return _row_plan(rec, CREATE, f"Line {line}: {quoted(d.display_name)} is new.", d,
                         row, target)


def _adds(added: list[str]) -> str:
    if not added:
        return "it adds nothing new, so it was skipped"
    return "adds " + _join(added)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _keys(d: PersonDraft) -> list[Any]:
    """What makes two rows of one file the same person: an email, or a phone number
    together with the same name (an office's main number is shared by many)."""
    keys: list[Any] = [("email", e.key) for e in d.emails]
    keys += [("phone", p.number, d.sort_key) for p in d.phones]
    return keys


def _why_same(keys: list[Any], by_key: dict[Any, _Target], target: _Target) -> str:
    kinds = [k[0] for k in keys if by_key.get(k) is target]
    return "same email" if "email" in kinds else "same name and phone number"


def _row_plan(rec: ContactRecord, action: str, reason: str, d: PersonDraft | None = None,
              row: _Row | None = None, target: _Target | None = None,
              notes: list[str] | None = None) -> RowPlan:
    same = None
    if target is not None and target.line != rec.source_line and target.person_id is None:
        same = target.line
    return RowPlan(
        line=rec.source_line, action=action,
        name=(d.display_name if d is not None else rec.shown_name())[:200],
        reason=reason,
        email=d.emails[0].address if d is not None and d.emails else "",
        phone=d.phones[0].number if d is not None and d.phones else "",
        organization=row.org_name if row is not None else rec.organization[:300],
        person_id=target.person_id if target is not None else None,
        same_as_line=same,
        notes=tuple(notes if notes is not None else (row.notes if row is not None else ())),
    )


def _skipped_problems(problems: Sequence[Any]) -> list[RowPlan]:
    """Rows the parser left out whole become skip rows with the parser's sentence."""
    return [RowPlan(line=p.line, action=SKIP, name="", reason=p.message)
            for p in problems if p.skipped]


def _add_value_notes(rows: list[_Row], problems: Sequence[Any]) -> None:
    """Values the parser left out go to the row (or card) they were in: the last one
    starting on or before the problem's line."""
    starts = [r.record.source_line for r in rows]
    for p in reversed(problems):  # inserted at the front, so they end up in file order
        if p.skipped:
            continue
        at = bisect.bisect_right(starts, p.line) - 1
        if at >= 0:
            rows[at].notes.insert(0, p.message)


# -- one record to one draft -----------------------------------------------------------
def _row_of(rec: ContactRecord, region: str) -> _Row:
    line = rec.source_line
    notes: list[str] = []
    org_name = _organization_name(rec.organization, line, notes)
    draft = _draft_of(rec)
    try:
        clean = clean_person(draft, region=region)
    except InvalidRecord as exc:
        draft, fatal = _without_bad_values(draft, exc, line, notes)
        if fatal:
            return _Row(rec, None, org_name, notes,
                        f"Line {line} was skipped because {_clause(fatal)}.")
        try:
            clean = clean_person(draft, region=region)
        except InvalidRecord as again:
            return _Row(rec, None, org_name, notes,
                        f"Line {line} was skipped because {_clause(again.problems[0].message)}.")
    return _Row(rec, clean, org_name, notes)


def _draft_of(rec: ContactRecord) -> PersonDraft:
    given, family = rec.given_name, rec.family_name
    display = rec.display_name
    if display and display == default_display_name(given, family):
        display = ""  # it follows the names
    if not (given or family or display):
        display = rec.organization or (rec.emails[0][1] if rec.emails else "") or (
            rec.phones[0][1] if rec.phones else "")
    notes = rec.notes
    extra = []
    if rec.website:
        extra.append(f"Website: {rec.website}")
    if rec.birthday is not None:
        extra.append(f"Birthday: {rec.birthday.isoformat()}")
    if extra:
        notes = "\n".join([notes, "", *extra] if notes else extra)
    return PersonDraft(
        given_name=given, family_name=family, display_name=display,
        job_title=rec.job_title,
        emails=tuple(EmailDraft(v, _kind(k, EMAIL_KINDS)) for k, v in rec.emails),
        phones=tuple(PhoneDraft(v, _kind(k, PHONE_KINDS)) for k, v in rec.phones),
        addresses=tuple(_address_draft(a) for a in rec.addresses),
        tags=rec.tags, source=SOURCE, notes=notes,
    )


@functools.lru_cache(maxsize=64)
def _kind(label: str, allowed: tuple[str, ...]) -> str:
    if not label:
        return allowed[0]
    return label if label in allowed else "other"


def _address_draft(a: Address) -> AddressDraft:
    code = _country_code(a.country)
    region = a.region
    if a.country and not code:  # a country we cannot name by code: keep its words
        region = f"{region}, {a.country}" if region else a.country
    return AddressDraft(_kind(a.type, ADDRESS_KINDS), a.street, a.postal_code, a.city,
                        region, code)


# Names people write that the phone-number library's country names leave out.
_MORE_COUNTRIES = {"usa": "US", "u.s.a.": "US", "u.s.": "US", "united states of america": "US",
                   "uk": "GB", "u.k.": "GB", "great britain": "GB", "england": "GB",
                   "scotland": "GB", "wales": "GB", "northern ireland": "GB",
                   "holland": "NL", "the netherlands": "NL", "korea": "KR",
                   "south korea": "KR", "czechia": "CZ", "türkiye": "TR", "turkiye": "TR"}


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).split()).casefold()


@functools.lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    import phonenumbers

    names: dict[str, str] = {}
    for code, by_language in _locale_data().items():
        if code not in phonenumbers.SUPPORTED_REGIONS:
            continue
        for name in by_language.values():
            if name and not name.startswith("*"):
                names.setdefault(_fold(name), code)
    names.update({_fold(k): v for k, v in _MORE_COUNTRIES.items()})
    return names


def _locale_data() -> dict[str, dict[str, str]]:
    """phonenumbers' country names by language. Its module sits in the `geodata` package,
    whose import loads 40 MB of place names first (about a second); the module itself
    needs none of them, so it is loaded on its own when it can be."""
    import importlib.util

    spec = importlib.util.find_spec("phonenumbers")
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    if origin is not None and (origin.parent / "geodata" / "locale.py").is_file():
        located = importlib.util.spec_from_file_location(
            "phonenumbers.geodata.locale", origin.parent / "geodata" / "locale.py")
        if located is not None and located.loader is not None:
            module = importlib.util.module_from_spec(located)
            module.__package__ = "phonenumbers.geodata"  # for its `from ..util import u`
            located.loader.exec_module(module)
            return module.LOCALE_DATA  # type: ignore[no-any-return]
    from phonenumbers.geodata.locale import LOCALE_DATA

    return LOCALE_DATA


@functools.lru_cache(maxsize=1024)
def _country_code(name: str) -> str:
    """The two-letter code of a country as a file writes it ("Deutschland", "España",
    "FR"); "" when we cannot tell."""
    import phonenumbers

    text = name.strip()
    if not text:
        return ""
    if len(text) == 2 and text.upper() in phonenumbers.SUPPORTED_REGIONS:
        return text.upper()
    return _country_names().get(_fold(text), "")


def _organization_name(name: str, line: int, notes: list[str]) -> str:
    if not name:
        return ""
    try:
        return _clean_org_name(name)
    except InvalidRecord as exc:
        notes.append(f"Line {line}: {_clause(exc.problems[0].message)}; "
                     "the company was left out.")
        return ""


@functools.lru_cache(maxsize=65536)  # a file names the same companies again and again
def _clean_org_name(name: str) -> str:
    return clean_organization(OrganizationDraft(name=name)).name


_ITEM = re.compile(r"^(emails|phones|addresses|tags)\.(\d+)")


def _without_bad_values(d: PersonDraft, exc: InvalidRecord, line: int, notes: list[str]
                        ) -> tuple[PersonDraft, str]:
    """The draft without the emails, phones, addresses and tags it could not keep
    (each noted); second, the first problem that sinks the whole row, if any."""
    drop: dict[str, set[int]] = {}
    for problem in exc.problems:
        match = _ITEM.match(problem.field)
        if match is None:
            return d, problem.message
        drop.setdefault(match.group(1), set()).add(int(match.group(2)))
        notes.append(f"Line {line}: {_clause(problem.message)}; "
                     "it was left out.")
    kept = {name: tuple(v for i, v in enumerate(getattr(d, name)) if i not in drop.get(name, ()))
            for name in ("emails", "phones", "addresses", "tags")}
    return replace(d, **kept), ""


def _clause(message: str) -> str:
    text = message.strip().rstrip(".")
    if text[:4] in ("The ", "A ta", "Ente"):
        text = text[0].lower() + text[1:]
    return text


# -- the vault side of planning --------------------------------------------------------
def _chunks(values: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _organizations_by_name(s: Session, names: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(names))
    found: dict[str, str] = {}
    for chunk in _chunks(wanted):
        for oid, name in s.execute(select(Organization.id, Organization.name)
                                   .where(Organization.name.in_(chunk))
                                   .order_by(Organization.id)):
            found.setdefault(name, oid)
    return found


def _missing_organizations(s: Session, names: set[str]) -> list[str]:
    have = _organizations_by_name(s, names)
    return sorted(n for n in names if n not in have)


def _attach_existing_organizations(s: Session, rows: list[_Row]) -> None:
    """Drafts of people at a company the vault knows get its id, so that "similar
    name at the same company" can find them."""
    found = _organizations_by_name(s, {r.org_name for r in rows if r.org_name and r.draft})
    for row in rows:
        if row.draft is not None and row.org_name in found:
            row.draft = replace(row.draft, organization_id=found[row.org_name])


def _match_people(s: Session, rows: list[_Row]) -> list[Any]:
    """For each row with a draft, the first person in the vault it matches, or None.
    (Matches within the file are found by the planner itself, row by row, so
    `match_people` leaves them out.)"""
    drafts = [r.draft for r in rows if r.draft is not None]
    names = [r.org_name or None for r in rows if r.draft is not None]
    found: list[Any] = []
    for start in range(0, len(drafts), MATCH_BATCH):
        batch = duplicates.match_people(s, drafts[start:start + MATCH_BATCH],
                                        organization_names=names[start:start + MATCH_BATCH],
                                        within_batch=False)
        found += [matches[0] if matches else None for matches in batch]
    return found


def _load_existing(s: Session, person_ids: set[str]) -> dict[str, _Target]:
    """What the vault holds about these people, as merge targets."""
    ids = sorted(person_ids)
    targets: dict[str, _Target] = {}
    for chunk in _chunks(ids):
        for p in s.execute(select(Person.id, Person.given_name, Person.family_name,
                                  Person.display_name, Person.job_title, Person.notes,
                                  Person.organization_id).where(Person.id.in_(chunk))):
            t = _Target(line=0, person_id=p.id, name=p.display_name)
            t.values = {"given_name": p.given_name, "family_name": p.family_name,
                        "display_name": p.display_name, "job_title": p.job_title,
                        "notes": p.notes}
            t.display_follows = p.display_name == default_display_name(p.given_name,
                                                                       p.family_name)
            t.has_org = p.organization_id is not None
            targets[p.id] = t
        for pid, key in s.execute(select(PersonEmail.person_id, PersonEmail.address_key)
                                  .where(PersonEmail.person_id.in_(chunk))):
            targets[pid].email_keys.add(key)
            targets[pid].n_emails += 1
        for pid, number, ext in s.execute(
                select(PersonPhone.person_id, PersonPhone.number, PersonPhone.extension)
                .where(PersonPhone.person_id.in_(chunk))):
            targets[pid].phone_keys.add((number, ext))
            targets[pid].n_phones += 1
        for a in s.execute(select(PostalAddress.person_id, PostalAddress.street,
                                  PostalAddress.postal_code, PostalAddress.city,
                                  PostalAddress.country_code)
                           .where(PostalAddress.person_id.in_(chunk))):
            targets[a.person_id].address_keys.add(_address_key(AddressDraft(
                street=a.street, postal_code=a.postal_code, city=a.city,
                country_code=a.country_code)))
            targets[a.person_id].n_addresses += 1
        for pid, key in s.execute(select(person_tag.c.person_id, Tag.name_key)
                                  .join(Tag, Tag.id == person_tag.c.tag_id)
                                  .where(person_tag.c.person_id.in_(chunk))):
            targets[pid].tag_keys.add(key)
        for (pid,) in s.execute(select(Attachment.person_id).where(
                Attachment.person_id.in_(chunk), Attachment.filename.like("photo.%"))):
            targets[pid].has_photo = True
    return targets


# -- committing ------------------------------------------------------------------------
def commit_import(vault: Vault, plan: ImportPlan, progress: Progress | None = None
                  ) -> ImportOutcome:
    """Carry out `plan` in one transaction: all of it, or (on failure or Cancelled)
    nothing. Plans again first if the vault changed since `plan` was made."""
    permissions.require(vault, "contacts.view")
    actor = permissions.require(vault, "contacts.create")
    _require_plan(actor, plan)
    progress = progress or Progress()
    import_id = new_id()
    with vault.unit_of_work() as uow:
        s = uow.session
        replanned = _vault_stamp(s) != plan.stamp
        if replanned:
            parsed = ParsedFile(plan.path, plan.kind, plan._records, plan._problems,
                                plan.encoding, plan.delimiter, plan.headers, plan.preset,
                                plan.mapping)
            plan = _plan(s, parsed, plan.region, progress)
            _require_plan(actor, plan)
        _Writer(s, vault.clock.now(), progress).write(plan._targets)
        audit.add(s, "contacts.import", "import", import_id)
        progress.check()  # the last moment a cancel can still undo everything
    return ImportOutcome(import_id, plan.people_created, plan.people_merged,
                         plan.rows_skipped, plan.organizations_created, replanned, plan)


def _require_plan(actor: Actor, plan: ImportPlan) -> None:
    """Refuse a plan that merges into stored people or adds companies when the acting
    user's role does not allow editing people or creating companies."""
    for needed, wanted in ((plan.people_merged, Permission("contacts", "edit")),
                           (plan.organizations_created, Permission("companies", "create"))):
        if needed:
            actor.require(wanted)


#: Columns of the bulk inserts, in the order of the value tuples `_Writer` builds.
_COLUMNS = {
    "organization": ("id", "name", "sort_key", "tax_id", "website", "owner", "notes",
                     "created_at", "updated_at"),
    "tag": ("id", "name", "name_key", "created_at", "updated_at"),
    "person": ("id", "given_name", "family_name", "display_name", "sort_key", "job_title",
               "organization_id", "owner", "source", "notes", "created_at", "updated_at"),
    "person_email": ("id", "person_id", "kind", "address", "address_key", "is_primary",
                     "position", "created_at", "updated_at"),
    "person_phone": ("id", "person_id", "kind", "number", "extension", "is_primary",
                     "position", "created_at", "updated_at"),
    "postal_address": ("id", "person_id", "organization_id", "kind", "street", "postal_code",
                       "city", "region", "country_code", "position", "created_at",
                       "updated_at"),
    "person_tag": ("person_id", "tag_id"),
    "attachment": ("id", "filename", "media_type", "size", "sha256", "activity_id",
                   "person_id", "organization_id", "subject_kind", "subject_id",
                   "created_at", "updated_at"),
    "attachment_content": ("attachment_id", "data"),
}
#: Tables in the order they are filled (parents before the rows that point to them).
_PERSON_TABLES = ("person", "person_email", "person_phone", "postal_address", "person_tag",
                  "attachment", "attachment_content")


class _Writer:
    def __init__(self, s: Session, now: Any, progress: Progress) -> None:
        self.s = s
        self.now = now
        # Bulk rows go straight to the driver's executemany on the session's own
        # connection (so the same transaction), as value tuples in `_COLUMNS` order:
        # SQLAlchemy's per-row parameter processing cost as much as the inserts
        # themselves. Times are written the way SQLAlchemy writes them for SQLite:
        # naive UTC text with microseconds.
        self.stamp = as_utc(now).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        self.cursor = s.connection().connection.cursor()
        self.progress = progress

    def _bulk(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        columns = _COLUMNS[table]
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
               f"VALUES ({', '.join('?' for _ in columns)})")  # nosec B608  # names are code constants; values are bound
        self.cursor.executemany(sql, rows)

    def write(self, targets: Sequence[_Target]) -> None:
        changed = [t for t in targets if t.person_id is None or t.changed]
        total = len(changed)
        self.progress.update(0, total, "Adding companies and tags")
        org_ids = self._organizations({t.org_name for t in changed if t.org_name})
        tag_ids = self._tags([tag for t in changed for tag in t.tags])
        for start in range(0, total, BATCH):
            self.progress.update(start, total, f"Importing people ({start:,} of {total:,})")
            self._batch(changed[start:start + BATCH], org_ids, tag_ids)
        self.progress.update(total, total, "Finishing the import")

    def _organizations(self, names: set[str]) -> dict[str, str]:
        found = _organizations_by_name(self.s, names)
        now = self.stamp
        rows = []
        documents = []
        for name in sorted(names - found.keys()):
            found[name] = oid = new_id()
            rows.append((oid, name, sort_key(name), "", "", "", "", now, now))
            documents.append(search_index.Document("organization", oid,
                                                   organization_text(name)))
        for start in range(0, len(rows), BATCH):
            self.progress.check()
            self._bulk("organization", rows[start:start + BATCH])
            # New companies: their text is at hand (the name; they have no website yet).
            search_index.add_documents(self.s, documents[start:start + BATCH])
        return found

    def _tags(self, names: list[str]) -> dict[str, str]:
        wanted: dict[str, str] = {}
        for name in names:
            wanted.setdefault(name.casefold(), name)
        found: dict[str, str] = {}
        for chunk in _chunks(sorted(wanted)):
            for tid, key in self.s.execute(select(Tag.id, Tag.name_key)
                                           .where(Tag.name_key.in_(chunk))):
                found[key] = tid
        rows = []
        for key, name in wanted.items():
            if key not in found:
                found[key] = tid = new_id()
                rows.append((tid, name, key, self.stamp, self.stamp))
        self._bulk("tag", rows)
        return found

    def _batch(self, targets: Sequence[_Target], org_ids: dict[str, str],
               tag_ids: dict[str, str]) -> None:
        now = self.stamp
        rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in _PERSON_TABLES}
        people, emails, phones = rows["person"], rows["person_email"], rows["person_phone"]
        addresses, tags = rows["postal_address"], rows["person_tag"]
        merged: list[str] = []
        documents: list[search_index.Document] = []
        for t in targets:
            org_id = org_ids.get(t.org_name) if t.org_name else None
            if t.person_id is None:
                pid = new_id()
                v = t.values
                given, family = v.get("given_name", ""), v.get("family_name", "")
                display, job = v.get("display_name", ""), v.get("job_title", "")
                people.append((pid, given, family, display, sort_key(display), job, org_id,
                               "", SOURCE, v.get("notes", ""), now, now))
                first_email = first_phone = first_address = 0
                documents.append(search_index.Document("person", pid, person_text(
                    given, family, display, job, [e.address for e in t.emails],
                    [p.number for p in t.phones])))
            else:
                pid = t.person_id
                self._update(t, org_id)
                first_email = t.n_emails - len(t.emails)
                first_phone = t.n_phones - len(t.phones)
                first_address = t.n_addresses - len(t.addresses)
                merged.append(pid)
            for i, e in enumerate(t.emails, start=first_email):
                emails.append((new_id(), pid, e.kind, e.address, e.key, e.primary, i, now, now))
            for i, p in enumerate(t.phones, start=first_phone):
                phones.append((new_id(), pid, p.kind, p.number, p.extension, p.primary, i,
                               now, now))
            for i, a in enumerate(t.addresses, start=first_address):
                addresses.append((new_id(), pid, None, a.kind, a.street, a.postal_code, a.city,
                                  a.region, a.country_code, i, now, now))
            tags.extend((pid, tag_ids[tag.casefold()]) for tag in t.tags)
            if t.photo is not None:
                self._photo(pid, t.photo, rows["attachment"], rows["attachment_content"])
        for table in _PERSON_TABLES:
            self._bulk(table, rows[table])
        # New people: their text is at hand; merged ones are read back as they now are.
        search_index.add_documents(self.s, documents)
        search_index.index_people(self.s, merged)

    def _update(self, t: _Target, org_id: str | None) -> None:
        values: dict[str, Any] = dict(t.filled)
        if "display_name" in values:
            values["sort_key"] = sort_key(values["display_name"])
        if org_id is not None:
            values["organization_id"] = org_id
        values["updated_at"] = self.now
        self.s.execute(update(Person).where(Person.id == t.person_id).values(**values)
                       .execution_options(synchronize_session=False))

    def _photo(self, pid: str, photo: Photo, files: list[tuple[Any, ...]],
               contents: list[tuple[Any, ...]]) -> None:
        aid = new_id()
        ext = photo.media_type.rpartition("/")[2].replace("jpeg", "jpg") or "jpg"
        files.append((aid, f"photo.{ext}"[:255], photo.media_type[:127], len(photo.data),
                      hashlib.sha256(photo.data).hexdigest(), None, pid, None, "", "",
                      self.stamp, self.stamp))
        contents.append((aid, photo.data))
