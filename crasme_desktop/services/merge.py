"""Merging two people (or two companies) into one, and undoing that for 30 days.

The person kept takes, field by field, the value the user chose; what can hold many
values is united: emails and phones (one row per mailbox or number, one primary),
addresses, tags, and every row elsewhere that points at the removed person (timeline
entries, attachments, and whatever later areas add) moves to the kept one. Nothing
is lost: rows that duplicate one the kept person already has are dropped, and kept
in the merge record.

The merge record (`merge_record`) holds a JSON snapshot: the removed record's rows
exactly as stored (ids, stamps and all, read as raw column values so that undo
writes back the very same bytes), the kept record's rows as they were, which rows
moved, and a fingerprint of the kept record right after the merge. Undo checks that
fingerprint first: if the kept record was edited since, undoing would lose that
edit, so it refuses with a sentence saying so. Records expire after `UNDO_DAYS`;
they hold personal data, so deleting either record deletes them too
(`forget_merges`), and an undone record keeps no data at all.

Merging removes one record into the other, so previewing, merging and undoing need
both `edit` and `delete` on the area (`contacts.*` for people, `companies.*` for
companies); listing the merges of a record needs its `view`. Pruning expired merge
records is the app's own housekeeping after unlock and checks nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, bindparam, delete, or_, select, text
from sqlalchemy.orm import Session

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Base, MergeRecord
from crasme_desktop.domain.validation import default_display_name, format_phone, sort_key
from crasme_desktop.services import audit, permissions, privacy_consent, search_index
from crasme_desktop.services.contacts import NotFound
from crasme_desktop.vault import Vault

UNDO_DAYS = 30
SNAPSHOT_VERSION = 1
Kind = Literal["person", "organization"]
Side = Literal["keep", "other", "both"]
#: The permission area of each kind of record.
_AREAS = {"person": "contacts", "organization": "companies"}


# -- what callers get back ----------------------------------------------------------
@dataclass(frozen=True)
class FieldChoice:
    """One single-valued field on which the two records differ."""

    name: str  # as passed in `choices`, e.g. "job_title"
    label: str  # "Job title"
    keep_value: str  # as shown
    other_value: str
    default: Side
    allows_both: bool = False


@dataclass(frozen=True)
class UnitedLine:
    """What the merge unites under one heading, e.g. the emails of both."""

    label: str  # "Emails"
    items: tuple[str, ...]  # the values the kept record ends up with (may be empty)
    keep_count: int
    other_count: int
    total: int


@dataclass(frozen=True)
class MergePreview:
    kind: Kind
    keep_id: str
    other_id: str
    keep_title: str
    other_title: str
    keep_created: datetime
    other_created: datetime
    keep_updated: datetime
    other_updated: datetime
    fields: tuple[FieldChoice, ...]
    #: Fields both have with the same value: (label, value).
    same: tuple[tuple[str, str], ...]
    united: tuple[UnitedLine, ...]


@dataclass(frozen=True)
class MergeOutcome:
    merge_id: str
    kind: Kind
    kept_id: str
    removed_id: str
    title: str  # the kept record's name after the merge
    expires_at: datetime
    #: How many rows moved to the kept record, per table ("activity": 12, ...).
    moved: Mapping[str, int]


@dataclass(frozen=True)
class UndoOutcome:
    merge_id: str
    kind: Kind
    kept_id: str
    restored_id: str


@dataclass(frozen=True)
class MergeInfo:
    """A merge that can still be undone, for the record's timeline."""

    merge_id: str
    kind: Kind
    kept_id: str
    removed_id: str
    removed_title: str
    created_at: datetime
    expires_at: datetime


# -- the two kinds --------------------------------------------------------------------
@dataclass(frozen=True)
class _Child:
    table: str
    column: str
    key: tuple[str, ...]  # equal keys are the same value: the other's copy is dropped
    primary: bool = False  # has is_primary, one per record


@dataclass(frozen=True)
class _Kind:
    kind: Kind
    table: str
    what: str  # "person" / "company", for sentences
    fields: tuple[tuple[str, str], ...]  # (field, label) that the user chooses
    children: tuple[_Child, ...]
    tag_table: str
    tag_column: str
    allows_both: frozenset[str]
    area: str  # the task runner's "changed" area


_PERSON = _Kind(
    kind="person",
    table="person",
    what="person",
    fields=(
        ("given_name", "First name"),
        ("family_name", "Last name"),
        ("display_name", "Shown as"),
        ("job_title", "Job title"),
        ("organization_id", "Company"),
        ("owner", "Owner"),
        ("source", "Source"),
        ("notes", "Notes"),
        ("primary_email", "Main email"),
        ("primary_phone", "Main phone"),
    ),
    children=(
        _Child("person_email", "person_id", ("address_key",), primary=True),
        _Child("person_phone", "person_id", ("number", "extension"), primary=True),
        _Child("postal_address", "person_id",
               ("kind", "street", "postal_code", "city", "region", "country_code")),
    ),
    tag_table="person_tag",
    tag_column="person_id",
    allows_both=frozenset({"notes"}),
    area="contacts",
)

_ORGANIZATION = _Kind(
    kind="organization",
    table="organization",
    what="company",
    fields=(
        ("name", "Name"),
        ("tax_id", "Tax id"),
        ("website", "Website"),
        ("owner", "Owner"),
        ("notes", "Notes"),
    ),
    children=(
        _Child("postal_address", "organization_id",
               ("kind", "street", "postal_code", "city", "region", "country_code")),
    ),
    tag_table="organization_tag",
    tag_column="organization_id",
    allows_both=frozenset({"notes"}),
    area="organizations",
)

_KINDS = {"person": _PERSON, "organization": _ORGANIZATION}


def _spec(kind: str) -> _Kind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise ValueError(f"cannot merge records of kind {kind!r}") from None


# -- raw rows --------------------------------------------------------------------------
# Rows are read and written as the driver gives them (text stamps, 0/1 booleans), so
# an undo writes back exactly the stored values, whatever wrote them first.
Row = dict[str, Any]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rows(s: Session, table: str, column: str, values: Sequence[str], order: str = "") -> list[Row]:
    if not values:
        return []
    sql = text(
        f"SELECT * FROM {_q(table)} WHERE {_q(column)} IN :values"  # nosec B608  # names are code constants; values are bound
        + (f" ORDER BY {order}" if order else "")
    ).bindparams(bindparam("values", expanding=True))
    return [dict(r._mapping) for r in s.execute(sql, {"values": list(values)})]


def _one(s: Session, table: str, record_id: str) -> Row | None:
    found = _rows(s, table, "id", [record_id])
    return found[0] if found else None


def _insert(s: Session, table: str, rows: Sequence[Row]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    sql = text(
        f"INSERT INTO {_q(table)} ({', '.join(_q(c) for c in columns)}) "
        f"VALUES ({', '.join(':' + c for c in columns)})"  # nosec B608  # names are code constants; values are bound
    )
    s.execute(sql, [dict(r) for r in rows])


def _update(s: Session, table: str, record_id: str, values: Row) -> None:
    if not values:
        return
    sets = ", ".join(f"{_q(c)} = :{c}" for c in values)
    s.execute(
        text(f"UPDATE {_q(table)} SET {sets} WHERE id = :_id"), {**values, "_id": record_id}  # nosec B608  # names are code constants; values are bound
    )


def _stamp(moment: datetime) -> str:
    """A time as the vault stores it (UTC, no offset, microseconds)."""
    return as_utc(moment).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _exists(s: Session, table: str, record_id: str | None) -> bool:
    if not record_id:
        return False
    sql = text(f"SELECT 1 FROM {_q(table)} WHERE id = :id")  # nosec B608  # names are code constants; values are bound
    return s.execute(sql, {"id": record_id}).first() is not None


def _references(spec: _Kind) -> list[tuple[str, str]]:
    """Every (table, column) pointing at this kind's table, except the children and tags
    handled one by one: timeline, attachments, people of a company, later areas' rows."""
    special = {(c.table, c.column) for c in spec.children} | {(spec.tag_table, spec.tag_column)}
    found = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == spec.table and (table.name, fk.parent.name) not in special:
                if "id" not in table.c:
                    raise RuntimeError(f"{table.name} points at {spec.table} but has no id")
                found.append((table.name, fk.parent.name))
    return sorted(set(found))


def _subject_references() -> list[str]:
    """Tables that name a record generically by subject_kind/subject_id."""
    return sorted(
        t.name for t in Base.metadata.sorted_tables
        if "subject_kind" in t.c and "subject_id" in t.c and "id" in t.c
    )


# -- a record and what belongs to it -----------------------------------------------------
def _state(s: Session, spec: _Kind, record_id: str) -> dict[str, Any] | None:
    row = _one(s, spec.table, record_id)
    if row is None:
        return None
    children = {
        c.table: _rows(s, c.table, c.column, [record_id], "position, id") for c in spec.children
    }
    tags = [
        r["tag_id"]
        for r in _rows(s, spec.tag_table, spec.tag_column, [record_id], "tag_id")
    ]
    return {"row": row, "children": children, "tags": tags}


def _fingerprint(state: dict[str, Any]) -> str:
    """The kept record's content without stamps: equal means nobody edited it since."""
    def plain(row: Row) -> Row:
        return {k: v for k, v in row.items() if k != "updated_at"}

    content = {
        "row": plain(state["row"]),
        "children": {
            t: sorted((plain(r) for r in rows), key=lambda r: r["id"])
            for t, rows in state["children"].items()
        },
        "tags": sorted(state["tags"]),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _title(spec: _Kind, row: Row) -> str:
    return row["display_name"] if spec.kind == "person" else row["name"]


# -- choosing single fields -------------------------------------------------------------
def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def default_side(keep_value: str, other_value: str, *, keep_newer: bool,
                 allows_both: bool = False) -> Side:
    """The fuller value, else both (where allowed), else the newer record's."""
    if other_value == keep_value or not other_value:
        return "keep"
    if not keep_value:
        return "other"
    k, o = keep_value.casefold(), other_value.casefold()
    if o in k:
        return "keep"
    if k in o:
        return "other"
    if allows_both:
        return "both"
    return "keep" if keep_newer else "other"


def _raw_values(s: Session, spec: _Kind, state: dict[str, Any]) -> dict[str, str]:
    """The value of each choosable field, as compared and shown."""
    row = state["row"]
    out = {name: _shown(row.get(name)) for name, _label in spec.fields if name in row}
    if spec.kind == "person":
        for child, name in (("person_email", "primary_email"), ("person_phone", "primary_phone")):
            primary = next((r for r in state["children"][child] if r["is_primary"]), None)
            if primary is None:
                out[name] = ""
            elif child == "person_email":
                out[name] = primary["address"]
            else:
                out[name] = format_phone(primary["number"], international=True,
                                         extension=primary["extension"])
        custom = row["display_name"] != default_display_name(row["given_name"], row["family_name"])
        out["display_name"] = row["display_name"] if custom else ""
    return out


def _choose(
    spec: _Kind,
    keep_values: dict[str, str],
    other_values: dict[str, str],
    keep_newer: bool,
    choices: Mapping[str, str],
) -> dict[str, Side]:
    unknown = set(choices) - {name for name, _label in spec.fields}
    if unknown:
        raise ValueError(f"unknown fields to choose: {sorted(unknown)}")
    sides: dict[str, Side] = {}
    for name, _label in spec.fields:
        allows_both = name in spec.allows_both
        side = choices.get(name) or default_side(
            _primary_key_text(keep_values, name), _primary_key_text(other_values, name),
            keep_newer=keep_newer, allows_both=allows_both,
        )
        if side not in ("keep", "other", "both") or (side == "both" and not allows_both):
            raise ValueError(f"cannot choose {side!r} for {name}")
        sides[name] = side  # type: ignore[assignment]
    return sides


def _primary_key_text(values: dict[str, str], name: str) -> str:
    value = values.get(name, "")
    return value.casefold() if name == "primary_email" else value


def _single_fields(
    spec: _Kind, keep: Row, other: Row, sides: dict[str, Side]
) -> Row:
    """The kept record's new single-valued columns."""
    def pick(name: str) -> Any:
        side = sides[name]
        if side == "both":
            return "\n\n".join(v for v in (keep[name], other[name]) if v)
        return (keep if side == "keep" else other)[name]

    out: Row = {}
    if spec.kind == "person":
        for name in ("given_name", "family_name", "job_title", "organization_id", "owner",
                     "source", "notes"):
            out[name] = pick(name)
        source = keep if sides["display_name"] == "keep" else other
        custom = source["display_name"] != default_display_name(
            source["given_name"], source["family_name"]
        )
        display = (
            source["display_name"] if custom
            else default_display_name(out["given_name"], out["family_name"])
        ) or source["display_name"]
        out["display_name"], out["sort_key"] = display, sort_key(display)
    else:
        for name in ("name", "tax_id", "website", "owner", "notes"):
            out[name] = pick(name)
        out["sort_key"] = sort_key(out["name"])
    return {k: v for k, v in out.items() if keep[k] != v}


# -- preview ------------------------------------------------------------------------------
def merge_preview(vault: Vault, kind: Kind, keep_id: str, other_id: str) -> MergePreview:
    """Both records side by side: the fields to choose and what will be united."""
    spec = _spec(kind)
    _require_merge(vault, spec)
    with vault.unit_of_work() as uow:
        s = uow.session
        keep, other = _load_pair(s, spec, keep_id, other_id)
        if spec.kind == "person":  # a restricted person's record may be read, not changed
            for person_id in (keep_id, other_id):
                privacy_consent.ensure_not_restricted(s, person_id, "merged")
        keep_newer = keep["row"]["updated_at"] >= other["row"]["updated_at"]
        kv, ov = _raw_values(s, spec, keep), _raw_values(s, spec, other)
        companies = _company_names(s, {kv.get("organization_id"), ov.get("organization_id")})
        fields, same = [], []
        for name, label in spec.fields:
            a, b = kv.get(name, ""), ov.get(name, "")
            if name == "organization_id":
                a, b = companies.get(a, ""), companies.get(b, "")
            if _primary_key_text(kv, name) == _primary_key_text(ov, name):
                if a:
                    same.append((label, a))
                continue
            if name.startswith("primary_") and not (a and b):
                continue  # one side has none: nothing to choose
            side = default_side(
                _primary_key_text(kv, name), _primary_key_text(ov, name),
                keep_newer=keep_newer, allows_both=name in spec.allows_both,
            )
            fields.append(FieldChoice(name, label, a, b, side, name in spec.allows_both))
        return MergePreview(
            kind=spec.kind,
            keep_id=keep_id,
            other_id=other_id,
            keep_title=_title(spec, keep["row"]),
            other_title=_title(spec, other["row"]),
            keep_created=_time(keep["row"]["created_at"]),
            other_created=_time(other["row"]["created_at"]),
            keep_updated=_time(keep["row"]["updated_at"]),
            other_updated=_time(other["row"]["updated_at"]),
            fields=tuple(fields),
            same=tuple(same),
            united=tuple(_united(s, spec, keep, other)),
        )


def _time(raw: Any) -> datetime:
    value = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    return as_utc(value)


def _company_names(s: Session, ids: Iterable[str | None]) -> dict[str, str]:
    wanted = [i for i in ids if i]
    return {r["id"]: r["name"] for r in _rows(s, "organization", "id", wanted)}


def _united(
    s: Session, spec: _Kind, keep: dict[str, Any], other: dict[str, Any]
) -> list[UnitedLine]:
    lines = []
    labels = {"person_email": "Emails", "person_phone": "Phones", "postal_address": "Addresses"}
    for child in spec.children:
        mine, theirs = keep["children"][child.table], other["children"][child.table]
        keys = {_key(child, r) for r in mine}
        result = mine + [r for r in theirs if _key(child, r) not in keys]
        lines.append(UnitedLine(labels[child.table], tuple(_child_text(child, r) for r in result),
                                len(mine), len(theirs), len(result)))
    tag_names = {
        r["id"]: r["name"] for r in _rows(s, "tag", "id", keep["tags"] + other["tags"])
    }
    tags = sorted(set(keep["tags"]) | set(other["tags"]), key=lambda t: tag_names.get(t, ""))
    lines.append(UnitedLine("Tags", tuple(tag_names.get(t, "") for t in tags),
                            len(keep["tags"]), len(other["tags"]), len(tags)))
    counted = [("activity", "Timeline entries"), ("attachment", "Attachments")]
    if spec.kind == "organization":
        counted.insert(0, ("person", "People"))
    for table, label in counted:
        a = _count(s, table, spec, keep["row"]["id"])
        b = _count(s, table, spec, other["row"]["id"])
        lines.append(UnitedLine(label, (), a, b, a + b))
    return lines


def _count(s: Session, table: str, spec: _Kind, record_id: str) -> int:
    column = "organization_id" if spec.kind == "organization" else "person_id"
    sql = text(f"SELECT count(*) FROM {_q(table)} WHERE {_q(column)} = :id")  # nosec B608  # names are code constants; values are bound
    return int(s.execute(sql, {"id": record_id}).scalar_one())


def _key(child: _Child, row: Row) -> tuple[Any, ...]:
    return tuple(row[k] for k in child.key)


def _child_text(child: _Child, row: Row) -> str:
    if child.table == "person_email":
        return str(row["address"])
    if child.table == "person_phone":
        return format_phone(row["number"], international=True, extension=row["extension"])
    parts = [row["street"].replace("\n", ", "), f"{row['postal_code']} {row['city']}".strip(),
             row["region"], row["country_code"]]
    return ", ".join(p for p in parts if p)


def _load_pair(
    s: Session, spec: _Kind, keep_id: str, other_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    if keep_id == other_id:
        raise UserError(f"A {spec.what} cannot be merged with itself.")
    keep, other = _state(s, spec, keep_id), _state(s, spec, other_id)
    if keep is None or other is None:
        raise NotFound(
            f"One of the two {_plural(spec)} no longer exists; it may have been deleted meanwhile."
        )
    return keep, other


def _plural(spec: _Kind) -> str:
    return "people" if spec.kind == "person" else "companies"


# -- merging --------------------------------------------------------------------------
def merge_people(
    vault: Vault, keep_id: str, other_id: str, choices: Mapping[str, str] | None = None
) -> MergeOutcome:
    """Merge `other_id` into `keep_id`. `choices` maps a field (given_name, family_name,
    display_name, job_title, organization_id, owner, source, notes, primary_email,
    primary_phone) to "keep" or "other" ("both" for notes); unnamed fields take the
    fuller, else the newer value."""
    return _merge(vault, _PERSON, keep_id, other_id, choices or {})


def merge_organizations(
    vault: Vault, keep_id: str, other_id: str, choices: Mapping[str, str] | None = None
) -> MergeOutcome:
    """Merge company `other_id` into `keep_id` (fields: name, tax_id, website, owner,
    notes); its people, timeline and attachments move to the kept company."""
    return _merge(vault, _ORGANIZATION, keep_id, other_id, choices or {})


def merge_records(
    vault: Vault, kind: Kind, keep_id: str, other_id: str,
    choices: Mapping[str, str] | None = None,
) -> MergeOutcome:
    """`merge_people` or `merge_organizations` by kind (for the merge dialog)."""
    return _merge(vault, _spec(kind), keep_id, other_id, choices or {})


def _merge(
    vault: Vault, spec: _Kind, keep_id: str, other_id: str, choices: Mapping[str, str]
) -> MergeOutcome:
    _require_merge(vault, spec)
    now = vault.clock.now()
    stamp = _stamp(now)
    with vault.unit_of_work() as uow:
        s = uow.session
        _prune(s, now, UNDO_DAYS)
        keep, other = _load_pair(s, spec, keep_id, other_id)
        if spec.kind == "person":  # a restricted person's record may be read, not changed
            for person_id in (keep_id, other_id):
                privacy_consent.ensure_not_restricted(s, person_id, "merged")
        keep_newer = keep["row"]["updated_at"] >= other["row"]["updated_at"]
        sides = _choose(
            spec, _raw_values(s, spec, keep), _raw_values(s, spec, other), keep_newer, choices
        )
        changes = _single_fields(spec, keep["row"], other["row"], sides)
        if changes.get("organization_id") and not _exists(
            s, "organization", changes["organization_id"]
        ):
            changes["organization_id"] = None
        moved: dict[str, int] = {}
        for child in spec.children:
            moved[child.table] = _unite_child(s, child, keep, other, sides, keep_id, stamp)
        new_tags = [t for t in other["tags"] if t not in set(keep["tags"])]
        _insert(s, spec.tag_table,
                [{spec.tag_column: keep_id, "tag_id": t} for t in new_tags])
        moves = _move_references(s, spec, other_id, keep_id, stamp)
        for move in moves:
            moved[move["table"]] = moved.get(move["table"], 0) + len(move["rows"])
        _update(s, spec.table, keep_id, {**changes, "updated_at": stamp})
        s.execute(text(f"DELETE FROM {_q(spec.table)} WHERE id = :id"), {"id": other_id})  # nosec B608  # names are code constants; values are bound
        after = _state(s, spec, keep_id)
        assert after is not None  # nosec B101  # narrows a type the code above guarantees
        tag_rows = _rows(s, "tag", "id", other["tags"])
        snapshot = {
            "version": SNAPSHOT_VERSION,
            "kind": spec.kind,
            "stamp": stamp,
            "kept_before": keep,
            "removed": {**other, "tag_rows": tag_rows},
            "moves": moves,
            "after": _fingerprint(after),
        }
        record = MergeRecord(
            kind=spec.kind, kept_id=keep_id, removed_id=other_id,
            snapshot=json.dumps(snapshot, separators=(",", ":")),
            created_at=now, updated_at=now,
        )
        s.add(record)
        s.flush()
        audit.add(s, f"{spec.kind}.merge", spec.kind, keep_id)
        audit.add(s, f"{spec.kind}.merge:removed", spec.kind, other_id)
        _reindex(s, spec, kept=[keep_id], removed=[other_id])
        return MergeOutcome(
            merge_id=record.id,
            kind=spec.kind,
            kept_id=keep_id,
            removed_id=other_id,
            title=_title(spec, after["row"]),
            expires_at=as_utc(now) + timedelta(days=UNDO_DAYS),
            moved=moved,
        )


def _unite_child(
    s: Session,
    child: _Child,
    keep: dict[str, Any],
    other: dict[str, Any],
    sides: dict[str, Side],
    keep_id: str,
    stamp: str,
) -> int:
    """Move the other's rows that the kept record lacks; returns how many moved. The
    other's duplicates stay behind and go with the removed record."""
    mine = keep["children"][child.table]
    theirs = other["children"][child.table]
    keys = {_key(child, r) for r in mine}
    incoming = [r for r in theirs if _key(child, r) not in keys]
    primary_key = None
    if child.primary:
        field = "primary_email" if child.table == "person_email" else "primary_phone"
        chosen = other if sides[field] == "other" else keep
        rows = chosen["children"][child.table]
        primary = next((r for r in rows if r["is_primary"]), None)
        if primary is not None:
            primary_key = _key(child, primary)
        elif mine or incoming:
            primary_key = _key(child, (mine or incoming)[0])
    for row in mine:
        values: Row = {}
        if child.primary and bool(row["is_primary"]) != (_key(child, row) == primary_key):
            values["is_primary"] = int(_key(child, row) == primary_key)
        if values:
            _update(s, child.table, row["id"], {**values, "updated_at": stamp})
    position = max((r["position"] for r in mine), default=-1) + 1
    for offset, row in enumerate(incoming):
        values = {child.column: keep_id, "position": position + offset, "updated_at": stamp}
        if child.primary:
            values["is_primary"] = int(_key(child, row) == primary_key)
        _update(s, child.table, row["id"], values)
    return len(incoming)


def _move_references(
    s: Session, spec: _Kind, from_id: str, to_id: str, stamp: str
) -> list[dict[str, Any]]:
    moves = []
    targets = [(t, c, "") for t, c in _references(spec)]
    targets += [(t, "subject_id", spec.kind) for t in _subject_references()]
    for table, column, subject_kind in targets:
        where = f"{_q(column)} = :old" + (" AND subject_kind = :kind" if subject_kind else "")
        params = {"old": from_id, "kind": subject_kind}
        rows = s.execute(
            text(f"SELECT id, updated_at FROM {_q(table)} WHERE {where}"), params  # nosec B608  # names are code constants; values are bound
        ).all()
        if not rows:
            continue
        s.execute(
            text(f"UPDATE {_q(table)} SET {_q(column)} = :new, updated_at = :stamp WHERE {where}"),  # nosec B608  # names are code constants; values are bound
            {**params, "new": to_id, "stamp": stamp},
        )
        moves.append({"table": table, "column": column,
                      "rows": [[r[0], r[1]] for r in rows]})
    return moves


# -- undo -------------------------------------------------------------------------------
def undo_merge(vault: Vault, merge_id: str) -> UndoOutcome:
    """Put both records back exactly as they were before the merge (same ids, same
    values, the same timeline entries on each)."""
    permissions.actor_of(vault)  # known before the transaction, which checks by kind
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        record = s.get(MergeRecord, merge_id)
        if record is not None:
            _require_merge(vault, _spec(record.kind))
        expired = UserError(
            f"This merge can no longer be undone, because undo is kept for {UNDO_DAYS} days."
        )
        if record is None:
            raise expired
        if record.undone_at is not None:
            raise UserError("This merge has already been undone.")
        if as_utc(record.created_at) < as_utc(now) - timedelta(days=UNDO_DAYS):
            raise expired
        spec = _spec(record.kind)
        snapshot = json.loads(record.snapshot)
        _check_undo(s, spec, record, snapshot)
        _restore(s, spec, snapshot)
        record.undone_at = now
        record.updated_at = now
        # Once undone the snapshot is of no use, and it held personal data.
        record.snapshot = json.dumps({"version": SNAPSHOT_VERSION, "undone": True})
        audit.add(s, f"{spec.kind}.merge_undo", spec.kind, record.kept_id)
        audit.add(s, f"{spec.kind}.merge_undo:restored", spec.kind, record.removed_id)
        _reindex(s, spec, kept=[record.kept_id, record.removed_id], removed=[])
        return UndoOutcome(record.id, spec.kind, record.kept_id, record.removed_id)


def _check_undo(s: Session, spec: _Kind, record: MergeRecord, snapshot: dict[str, Any]) -> None:
    later = s.scalars(
        select(MergeRecord)
        .where(MergeRecord.kind == spec.kind, MergeRecord.undone_at.is_(None),
               MergeRecord.id != record.id,
               or_(MergeRecord.created_at > record.created_at,
                   and_(MergeRecord.created_at == record.created_at,
                        MergeRecord.id > record.id)),
               or_(MergeRecord.kept_id == record.kept_id,
                   MergeRecord.removed_id == record.kept_id))
        .order_by(MergeRecord.created_at.desc())
        .limit(1)
    ).first()
    if later is not None:
        raise UserError(
            f"This {spec.what} was merged again afterwards; undo that later merge first."
        )
    current = _state(s, spec, record.kept_id)
    if current is None:
        raise UserError(
            f"The {spec.what} kept by this merge has been deleted, so it cannot be undone."
        )
    if _exists(s, spec.table, record.removed_id):
        raise UserError(f"The merged {spec.what} exists again, so the merge cannot be undone.")
    if _fingerprint(current) != snapshot["after"]:
        title = _title(spec, current["row"])
        raise UserError(
            f"{title or 'The record'} was changed after the merge, so undoing it now "
            "would lose those changes."
        )


def _restore(s: Session, spec: _Kind, snapshot: dict[str, Any]) -> None:
    kept, removed = snapshot["kept_before"], snapshot["removed"]
    kept_id, removed_id = kept["row"]["id"], removed["row"]["id"]
    tag_ids = _restore_tags(s, removed.get("tag_rows", []))
    # The kept record's rows go back to what they were, and the removed record's rows
    # (moved or dropped) return to it, all with their own ids.
    for child in spec.children:
        s.execute(text(f"DELETE FROM {_q(child.table)} WHERE {_q(child.column)} = :id"),  # nosec B608  # names are code constants; values are bound
                  {"id": kept_id})
    s.execute(text(f"DELETE FROM {_q(spec.tag_table)} WHERE {_q(spec.tag_column)} = :id"),  # nosec B608  # names are code constants; values are bound
              {"id": kept_id})
    _insert(s, spec.table, [_without_lost_company(s, spec, removed["row"])])
    _update(s, spec.table, kept_id,
            {k: v for k, v in _without_lost_company(s, spec, kept["row"]).items() if k != "id"})
    for child in spec.children:
        _insert(s, child.table, kept["children"][child.table])
        _insert(s, child.table, removed["children"][child.table])
    for owner, tags in ((kept_id, kept["tags"]), (removed_id, removed["tags"])):
        wanted = [tag_ids.get(t, t) for t in tags]
        present = {r["id"] for r in _rows(s, "tag", "id", wanted)}
        _insert(s, spec.tag_table,
                [{spec.tag_column: owner, "tag_id": t} for t in dict.fromkeys(wanted)
                 if t in present])
    stamp = snapshot["stamp"]
    for move in snapshot["moves"]:
        table, column = move["table"], move["column"]
        s.execute(
            text(
                f"UPDATE {_q(table)} SET {_q(column)} = :back, updated_at = CASE "
                "WHEN updated_at = :stamp THEN :old ELSE updated_at END "
                f"WHERE id = :id AND {_q(column)} = :kept"  # nosec B608  # names are code constants; values are bound
            ),
            [{"back": removed_id, "stamp": stamp, "old": old, "id": row_id, "kept": kept_id}
             for row_id, old in move["rows"]],
        )


def _without_lost_company(s: Session, spec: _Kind, row: Row) -> Row:
    """A person's company deleted since the merge: they come back without one, as the
    company's deletion would have left them."""
    if spec.kind == "person" and row.get("organization_id") and not _exists(
        s, "organization", row["organization_id"]
    ):
        return {**row, "organization_id": None}
    return row


def _restore_tags(s: Session, tag_rows: list[Row]) -> dict[str, str]:
    """Tags deleted since the merge come back; returns old id -> id to use."""
    mapping: dict[str, str] = {}
    for row in tag_rows:
        if _exists(s, "tag", row["id"]):
            continue
        same = s.execute(
            text("SELECT id FROM tag WHERE name_key = :key"), {"key": row["name_key"]}
        ).first()
        if same is not None:
            mapping[row["id"]] = same[0]
        else:
            _insert(s, "tag", [row])
    return mapping


# -- search index ---------------------------------------------------------------------
def _reindex(s: Session, spec: _Kind, *, kept: list[str], removed: list[str]) -> None:
    if removed:
        search_index.unindex(s, spec.kind, removed)
    index = search_index.index_people if spec.kind == "person" else (
        search_index.index_organizations
    )
    index(s, kept)


# -- listing and expiry -------------------------------------------------------------------
def list_merges(vault: Vault, kind: Kind, record_id: str) -> list[MergeInfo]:
    """Merges into this record that can still be undone, newest first."""
    spec = _spec(kind)
    permissions.require(vault, f"{_AREAS[spec.kind]}.view")
    now = vault.clock.now()
    since = as_utc(now) - timedelta(days=UNDO_DAYS)
    with vault.unit_of_work() as uow:
        records = uow.session.scalars(
            select(MergeRecord)
            .where(MergeRecord.kind == spec.kind, MergeRecord.kept_id == record_id,
                   MergeRecord.undone_at.is_(None))
            .order_by(MergeRecord.created_at.desc(), MergeRecord.id.desc())
        ).all()
        out = []
        for r in records:
            created = as_utc(r.created_at)
            if created < since:
                continue
            removed = json.loads(r.snapshot).get("removed", {}).get("row", {})
            out.append(MergeInfo(
                r.id, spec.kind, r.kept_id, r.removed_id,
                _title(spec, removed) if removed else "",
                created, created + timedelta(days=UNDO_DAYS),
            ))
        return out


def prune_merge_records(vault: Vault, older_than_days: int = UNDO_DAYS) -> int:
    """Delete merge records older than the undo period (and undone ones as old);
    returns how many went. Runs in the background after unlock, so it waits its turn
    for the write lock rather than meet another writer half-way."""
    with vault.unit_of_work(immediate=True) as uow:
        return _prune(uow.session, vault.clock.now(), older_than_days)


def _require_merge(vault: Vault, spec: _Kind) -> None:
    area = _AREAS[spec.kind]
    permissions.require(vault, f"{area}.edit")
    permissions.require(vault, f"{area}.delete")


def _prune(s: Session, now: datetime, days: int) -> int:
    cutoff = as_utc(now).replace(tzinfo=None) - timedelta(days=days)
    result = s.execute(delete(MergeRecord).where(MergeRecord.created_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def forget_merges(session: Session, kind: Kind, ids: Sequence[str]) -> int:
    """Delete the merge records that hold data of these records (inside the caller's
    transaction; used when a person or company is deleted or erased)."""
    total = 0
    for start in range(0, len(ids), 400):
        chunk = list(ids[start : start + 400])
        result = session.execute(
            delete(MergeRecord).where(
                MergeRecord.kind == kind,
                or_(MergeRecord.kept_id.in_(chunk), MergeRecord.removed_id.in_(chunk)),
            )
        )
        total += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return total


__all__ = [
    "UNDO_DAYS",
    "FieldChoice",
    "MergeInfo",
    "MergeOutcome",
    "MergePreview",
    "UndoOutcome",
    "UnitedLine",
    "default_side",
    "forget_merges",
    "list_merges",
    "merge_organizations",
    "merge_people",
    "merge_preview",
    "merge_records",
    "prune_merge_records",
    "undo_merge",
]
