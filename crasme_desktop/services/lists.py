"""The big lists of people and companies: filters and sort orders in SQL, ordered ids,
rows fetched in batches as they scroll into view, and saved views.

A list is described by a `ListSpec` (filters and sort order, never free text: the
search box does that). `ordered_ids` returns the integer rowids of the whole filtered
list in order, in an `array('q')`, so a million people cost about 8 MB and no ORM
object; `fetch_rows` reads the plain rows of one batch of rowids when they scroll
into view, and `first_rows` the first batch straight from the index so that a page
paints before the whole id list has been read. Every order ends in `id`, so records
with equal names still keep one stable order, and every order reads an index: no
OFFSET and no sort of the whole table (except by "updated", which has no index yet).

Saved views keep a spec as versioned JSON under a name per page; keys a later
version does not know are ignored, and values that do not fit fall back to "no filter".

Reading a list (and its filter choices and saved views) needs the area's `view`
(`contacts.view` for people, `companies.view` for companies); saving, renaming and
deleting a saved view, which everyone using the vault shares, needs its `edit`.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.list_spec import (
    SORT_FIELDS,
    UNAVAILABLE_FILTERS,
    ListSpec,
)
from crasme_desktop.domain.models import SavedView
from crasme_desktop.domain.permissions import Actor, Permission
from crasme_desktop.domain.validation import clean_text, format_phone, normalize_tag, sort_key
from crasme_desktop.services import audit, contacts, permissions
from crasme_desktop.vault import Vault

ListKind = Literal["person", "organization"]
#: Rows per `fetch_rows` call that the pages use (and the most one call takes).
BATCH = 100
MAX_BATCH = 2000
VIEW_NAME_MAX = 100
#: The saved-view pages: "contacts" lists people, "companies" lists companies.
VIEW_PAGES = {"contacts": "person", "companies": "organization"}
#: The permission area of each kind of list.
_AREAS = {"person": "contacts", "organization": "companies"}


__all__ = [
    "BATCH",
    "SORT_FIELDS",
    "UNAVAILABLE_FILTERS",
    "CompanyChoice",
    "CompanyListRow",
    "FilterChoices",
    "ListSpec",
    "PersonListRow",
    "SavedViewRecord",
    "delete_view",
    "fetch_rows",
    "filter_choices",
    "find_companies",
    "first_rows",
    "list_views",
    "ordered_ids",
    "rename_view",
    "rowid_of",
    "save_view",
]


@dataclass(frozen=True)
class PersonListRow:
    """One row of the people list (a plain value, never an ORM object)."""

    rowid: int
    id: str
    display_name: str
    company: str
    email: str
    phone: str
    owner: str
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    organization_id: str | None = None


@dataclass(frozen=True)
class CompanyListRow:
    """One row of the companies list."""

    rowid: int
    id: str
    name: str
    website: str
    owner: str
    tags: tuple[str, ...]
    people: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class FilterChoices:
    tags: tuple[str, ...]
    owners: tuple[str, ...]  # "" (no owner) included when some record has none


@dataclass(frozen=True)
class CompanyChoice:
    id: str
    name: str


@dataclass(frozen=True)
class SavedViewRecord:
    id: str
    page: str
    name: str
    spec: ListSpec = field(default_factory=ListSpec)


# -- SQL per kind ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Table:
    table: str
    alias: str
    tag_table: str
    tag_column: str


_TABLES = {
    "person": _Table("person", "p", "person_tag", "person_id"),
    "organization": _Table("organization", "o", "organization_tag", "organization_id"),
}
_SEP = "\x1f"

_PERSON_ROWS = f"""
SELECT p.rowid, p.id, p.display_name, coalesce(o.name, ''),
  coalesce((SELECT e.address FROM person_email e WHERE e.person_id = p.id
            ORDER BY e.is_primary DESC, e.position LIMIT 1), ''),
  coalesce((SELECT ph.number FROM person_phone ph WHERE ph.person_id = p.id
            ORDER BY ph.is_primary DESC, ph.position LIMIT 1), ''),
  p.owner,
  coalesce((SELECT group_concat(name, '{_SEP}') FROM (
      SELECT t.name FROM person_tag pt JOIN tag t ON t.id = pt.tag_id
      WHERE pt.person_id = p.id ORDER BY t.name_key)), ''),
  p.created_at, p.updated_at, p.organization_id
FROM person p LEFT JOIN organization o ON o.id = p.organization_id
WHERE p.rowid IN ({{marks}})
"""  # nosec B608  # names are code constants; values are bound

_COMPANY_ROWS = f"""
SELECT o.rowid, o.id, o.name, o.website, o.owner,
  coalesce((SELECT group_concat(name, '{_SEP}') FROM (
      SELECT t.name FROM organization_tag ot JOIN tag t ON t.id = ot.tag_id
      WHERE ot.organization_id = o.id ORDER BY t.name_key)), ''),
  (SELECT count(*) FROM person p WHERE p.organization_id = o.id),
  o.created_at, o.updated_at
FROM organization o
WHERE o.rowid IN ({{marks}})
"""  # nosec B608  # names are code constants; values are bound


def _stamp(day: date) -> str:
    """The UTC time stored for local midnight at the start of `day`, as SQLite text."""
    local = datetime.combine(day, time()).astimezone()  # naive: taken as local time
    utc = local.astimezone(UTC).replace(tzinfo=None)
    return utc.strftime("%Y-%m-%d %H:%M:%S.%f")


def _check_available(spec: ListSpec) -> None:
    if spec.has_open_ticket is not None:
        raise UserError(UNAVAILABLE_FILTERS["has_open_ticket"])


def _where(s: Session, kind: ListKind, spec: ListSpec) -> tuple[list[str], list[Any]] | None:
    """The WHERE terms and parameters for the spec; None when it cannot match anything."""
    _check_available(spec)
    t = _TABLES[kind]
    a = t.alias
    terms: list[str] = []
    params: list[Any] = []
    if spec.tags:
        keys = {normalize_tag(tag)[1] for tag in spec.tags if tag.strip()}
        rows = _raw(s, f"SELECT id FROM tag WHERE name_key IN ({_marks(len(keys))})",  # nosec B608  # names are code constants; values are bound
                    list(keys)).fetchall()
        if len(rows) < len(keys):
            return None  # a tag nobody carries: nobody carries all of them
        for (tag_id,) in rows:
            terms.append(f"{a}.id IN (SELECT {t.tag_column} FROM {t.tag_table} "
                         "WHERE tag_id = ?)")  # nosec B608  # names are code constants; values are bound
            params.append(tag_id)
    if spec.owner is not None:
        terms.append(f"{a}.owner = ?")
        params.append(clean_text(spec.owner))
    if kind == "person" and spec.organization_id:
        terms.append("p.organization_id = ?")
        params.append(spec.organization_id)
    if spec.created_from is not None:
        terms.append(f"{a}.created_at >= ?")
        params.append(_stamp(spec.created_from))
    if spec.created_to is not None:
        terms.append(f"{a}.created_at < ?")
        params.append(_stamp(spec.created_to + timedelta(days=1)))
    return terms, params


def _parts(s: Session, kind: ListKind, spec: ListSpec) -> list[tuple[str, list[Any]]]:
    """The queries whose rowids, one after the other, make the ordered list."""
    found = _where(s, kind, spec)
    if found is None:
        return []
    terms, params = found
    t = _TABLES[kind]
    a = t.alias
    desc = " DESC" if spec.descending else ""
    where = " AND ".join(terms)

    def query(extra: str, order: Sequence[str], joins: str = "") -> str:
        conds = " AND ".join(c for c in (where, extra) if c)
        return (f"SELECT {a}.rowid FROM {joins or f'{t.table} {a}'}"
                f"{' WHERE ' + conds if conds else ''} "
                f"ORDER BY {', '.join(col + desc for col in order)}")  # nosec B608  # names are code constants; values are bound

    sort = spec.sort if spec.sort in SORT_FIELDS else "name"
    if kind == "organization" and sort == "company":
        sort = "name"
    if sort == "company" and not spec.organization_id:
        # People by their company's name, then their own; those without a company last.
        # CROSS JOIN keeps companies as the outer loop, walked in name order, and each
        # company's people come through ix_person_organization. `o.rowid` tells SQLite
        # that the outer rows are distinct, so it needs no sort for the inner terms.
        with_company = query("", ("o.sort_key", "o.id", "o.rowid", "p.sort_key", "p.id"),
                             "organization o CROSS JOIN person p ON p.organization_id = o.id")
        without = query("p.organization_id IS NULL", ("p.sort_key", "p.id"))
        ordered = [(with_company, params), (without, params)]
        return ordered[::-1] if spec.descending else ordered
    column = {"name": "sort_key", "company": "sort_key", "created": "created_at",
              "updated": "updated_at"}[sort]
    return [(query("", (f"{a}.{column}", f"{a}.id")), params)]


# -- reading the list ---------------------------------------------------------------------
def ordered_ids(vault: Vault, kind: ListKind, spec: ListSpec) -> array:
    """The rowids of every record in the filtered list, in order (`len()` is the count)."""
    _require(vault, kind, "view")
    out = array("q")
    with vault.unit_of_work() as uow:
        for sql, params in _parts(uow.session, kind, spec):
            # One text value instead of a row per record: about a third faster than
            # fetching a million one-column rows, and the ids never become row objects.
            text = _raw(uow.session, f"SELECT group_concat(rowid) FROM ({sql})",  # nosec B608  # names are code constants; values are bound
                        params).fetchone()[0]
            if text:
                out.extend(map(int, text.split(",")))
    return out


def first_rows(
    vault: Vault, kind: ListKind, spec: ListSpec, limit: int = BATCH
) -> list[PersonListRow] | list[CompanyListRow]:
    """The first `limit` rows of the list, read straight from the index (for a first
    paint before `ordered_ids` has read the whole list)."""
    _require(vault, kind, "view")
    limit = max(0, min(limit, MAX_BATCH))
    with vault.unit_of_work() as uow:
        s = uow.session
        rowids: list[int] = []
        for sql, params in _parts(s, kind, spec):
            if len(rowids) >= limit:
                break
            rows = _raw(s, f"{sql} LIMIT ?", [*params, limit - len(rowids)]).fetchall()
            rowids.extend(r[0] for r in rows)
        return _rows(s, kind, rowids)


def fetch_rows(
    vault: Vault, kind: ListKind, rowids: Sequence[int]
) -> list[PersonListRow] | list[CompanyListRow]:
    """The rows of these rowids, in the order asked; rowids of deleted records are
    left out."""
    _require(vault, kind, "view")
    if len(rowids) > MAX_BATCH:
        raise ValueError(f"fetch at most {MAX_BATCH} rows at a time")
    with vault.unit_of_work() as uow:
        return _rows(uow.session, kind, list(rowids))


def rowid_of(vault: Vault, kind: ListKind, record_id: str) -> int | None:
    """The rowid of a person or company by its id (None if it is gone)."""
    _require(vault, kind, "view")
    t = _TABLES[kind]
    with vault.unit_of_work() as uow:
        row = _raw(uow.session, f"SELECT rowid FROM {t.table} WHERE id = ?",  # nosec B608  # names are code constants; values are bound
                   [record_id]).fetchone()
        return None if row is None else int(row[0])


def _rows(s: Session, kind: ListKind, rowids: list[int]) -> list[Any]:
    if not rowids:
        return []
    sql = (_PERSON_ROWS if kind == "person" else _COMPANY_ROWS).format(
        marks=_marks(len(rowids)))
    fetched = _raw(s, sql, list(rowids)).fetchall()
    if kind == "person":
        region = contacts.office_region_of(s)
        made: list[Any] = [_person_row(r, region) for r in fetched]
    else:
        made = [_company_row(r) for r in fetched]
    by_rowid = {row.rowid: row for row in made}
    return [by_rowid[r] for r in rowids if r in by_rowid]


def _person_row(r: Sequence[Any], region: str) -> PersonListRow:
    return PersonListRow(
        rowid=r[0], id=r[1], display_name=r[2], company=r[3], email=r[4],
        phone=format_phone(r[5], region) if r[5] else "",
        owner=r[6], tags=tuple(r[7].split(_SEP)) if r[7] else (),
        created_at=_time(r[8]), updated_at=_time(r[9]), organization_id=r[10],
    )


def _company_row(r: Sequence[Any]) -> CompanyListRow:
    return CompanyListRow(
        rowid=r[0], id=r[1], name=r[2], website=r[3], owner=r[4],
        tags=tuple(r[5].split(_SEP)) if r[5] else (), people=int(r[6]),
        created_at=_time(r[7]), updated_at=_time(r[8]),
    )


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime.fromisoformat(str(value)))


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _raw(s: Session, sql: str, params: Sequence[Any]) -> Any:
    """A DB-API cursor on the session's connection: the id lists are too long to go
    through SQLAlchemy's result rows (a million of them would cost most of a second)."""
    cursor = s.connection().connection.cursor()
    cursor.execute(sql, tuple(params))
    return cursor


# -- filter choices ----------------------------------------------------------------------
def filter_choices(vault: Vault, kind: ListKind) -> FilterChoices:
    """The tags and owners a filter bar offers, in name order."""
    _require(vault, kind, "view")
    t = _TABLES[kind]
    with vault.unit_of_work() as uow:
        s = uow.session
        tags = _raw(s, "SELECT name FROM tag ORDER BY name_key", []).fetchall()
        # Distinct owners by hopping through the owner index (one seek per owner),
        # instead of reading a million index entries.
        owners = _raw(s, f"""
            WITH RECURSIVE o(v) AS (
              SELECT min(owner) FROM {t.table}
              UNION ALL
              SELECT (SELECT min(owner) FROM {t.table} WHERE owner > o.v) FROM o
              WHERE o.v IS NOT NULL)
            SELECT v FROM o WHERE v IS NOT NULL""", []).fetchall()  # nosec B608  # names are code constants; values are bound
        return FilterChoices(tuple(r[0] for r in tags), tuple(r[0] for r in owners))


def find_companies(vault: Vault, text: str, limit: int = 30) -> list[CompanyChoice]:
    """Companies whose name starts with `text` (case- and accent-blind), in name order."""
    _require(vault, "organization", "view")
    key = sort_key(text)
    with vault.unit_of_work() as uow:
        rows = _raw(uow.session,
                    "SELECT id, name FROM organization WHERE sort_key >= ? AND sort_key < ?"
                    " ORDER BY sort_key, id LIMIT ?",
                    [key, key + "\U0010ffff", max(1, min(limit, 200))]).fetchall()
    return [CompanyChoice(r[0], r[1]) for r in rows]


# -- saved views -------------------------------------------------------------------------
def list_views(vault: Vault, page: str) -> list[SavedViewRecord]:
    """The views saved on a page ("contacts" or "companies"), in name order."""
    _check_page(page)
    _require(vault, VIEW_PAGES[page], "view")
    with vault.unit_of_work() as uow:
        views = uow.session.scalars(
            select(SavedView).where(SavedView.page == page)
            .order_by(SavedView.name_key, SavedView.id)
        ).all()
        return [_view_record(v) for v in views]


def save_view(vault: Vault, page: str, name: str, spec: ListSpec) -> SavedViewRecord:
    """Save the spec under a name on the page; a view of the same name (case-blind)
    gets the new spec."""
    _check_page(page)
    _require(vault, VIEW_PAGES[page], "edit")
    shown, key = _view_name(name)
    with vault.unit_of_work() as uow:
        s = uow.session
        view = s.scalars(
            select(SavedView).where(SavedView.page == page, SavedView.name_key == key)
        ).first()
        if view is None:
            last = s.scalar(select(func.max(SavedView.position))
                            .where(SavedView.page == page))
            view = SavedView(page=page, position=(last or 0) + 1)
            s.add(view)
        view.name, view.name_key, view.spec = shown, key, spec.to_json()
        view.updated_at = vault.clock.now()
        s.flush()
        audit.add(s, "view.save", "saved_view", view.id)
        return _view_record(view)


def rename_view(vault: Vault, view_id: str, name: str) -> SavedViewRecord:
    shown, key = _view_name(name)
    actor = permissions.actor_of(vault)
    with vault.unit_of_work() as uow:
        s = uow.session
        view = _load_view(s, view_id)
        _require_on_view(actor, view)
        clash = s.scalars(
            select(SavedView).where(SavedView.page == view.page, SavedView.name_key == key,
                                    SavedView.id != view.id)
        ).first()
        if clash is not None:
            raise UserError(f"There is already a view called “{clash.name}”; "
                            "choose another name.")
        view.name, view.name_key = shown, key
        view.updated_at = vault.clock.now()
        s.flush()
        audit.add(s, "view.rename", "saved_view", view.id)
        return _view_record(view)


def delete_view(vault: Vault, view_id: str) -> None:
    actor = permissions.actor_of(vault)
    with vault.unit_of_work() as uow:
        s = uow.session
        view = _load_view(s, view_id)
        _require_on_view(actor, view)
        s.delete(view)
        audit.add(s, "view.delete", "saved_view", view_id)


def _require(vault: Vault, kind: ListKind, action: str) -> None:
    permissions.require(vault, Permission(_AREAS[kind], action))


def _require_on_view(actor: Actor, view: SavedView) -> None:
    actor.require(Permission(_AREAS[VIEW_PAGES.get(view.page, "person")], "edit"))


def _check_page(page: str) -> None:
    if page not in VIEW_PAGES:
        raise ValueError(f"no list page called {page!r}")


def _view_name(name: str) -> tuple[str, str]:
    shown = clean_text(name)
    if not shown:
        raise UserError("A view needs a name.")
    if len(shown) > VIEW_NAME_MAX:
        raise UserError(f"A view name can be at most {VIEW_NAME_MAX} characters long.")
    return shown, shown.casefold()


def _load_view(s: Session, view_id: str) -> SavedView:
    view = s.get(SavedView, view_id)
    if view is None:
        raise UserError("That view no longer exists; it may have been deleted meanwhile.")
    return view


def _view_record(view: SavedView) -> SavedViewRecord:
    return SavedViewRecord(view.id, view.page, view.name, ListSpec.from_json(view.spec))


def with_sort(spec: ListSpec, sort: str, descending: bool) -> ListSpec:
    """The spec with another sort order (unknown orders become "name")."""
    return replace(spec, sort=sort if sort in SORT_FIELDS else "name", descending=descending)


def chunks(values: Sequence[int] | array, size: int = BATCH) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
