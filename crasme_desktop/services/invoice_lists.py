"""The views over invoices: the filtered, sorted invoice list, the totals of its rows,
the aging of open amounts and the revenue by month, all computed in SQL.

The list works like the contacts lists (`services.lists`): `ordered_invoice_ids`
returns the integer rowids of the whole filtered list in order, in an `array('q')`
(200k invoices cost 1.6 MB and no ORM object), `fetch_invoice_rows` reads the plain
rows of one batch of rowids as they scroll into view, and `first_invoice_rows` the first
batch straight from an index so that the page paints before the whole list is read.
Every order ends in a unique column, so equal dates or names keep one stable order,
and is read from an index (no OFFSET, no sort of the whole table): when a filter asks
for several statuses ("open": issued or partly paid), each status is read in index
order and SQLite merges them (UNION ALL ... ORDER BY), instead of sorting the lot.

"Overdue" is not stored: an invoice is overdue when it is issued or partly paid and its
due date is before today (the vault clock's local date unless `today=` is given).
The open amount of an invoice is total - paid - credited while it is issued or partly
paid, else zero. Credit notes are rows of the same table (kind "credit_note") with
positive amounts; in the filtered totals and the revenue they count negative.

Amounts leave as `Decimal` with their currency code (from integer minor units);
formatting them for people is the UI's job.

Permissions: everything here reads, so it needs invoices.view, checked first in every
public function that takes the vault. The aging and the revenue by month are also the
Reports page's figures (sums, no single invoice), so reports.view is enough for those two.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from crasme_desktop.domain.money import from_minor
from crasme_desktop.services import permissions
from crasme_desktop.vault import Vault

#: Rows per `fetch_invoice_rows` call the pages use (and the most one call takes).
BATCH = 100
MAX_BATCH = 2000

#: Statuses a filter may ask for: the stored ones, and "overdue"/"open" (derived).
STORED_STATUSES = ("draft", "issued", "partly_paid", "paid", "cancelled")
OPEN_STATUSES = ("issued", "partly_paid")
FILTER_STATUSES = ("", *STORED_STATUSES, "overdue", "open")
#: Sort orders: name -> the column (every order ends in a unique tie-breaker).
SORTS = ("issue_date", "number", "customer", "total", "due_date")
#: Aging buckets by days past the due date (upper bounds; the last is open-ended).
AGING_BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")

__all__ = [
    "AGING_BUCKETS",
    "BATCH",
    "FILTER_STATUSES",
    "SORTS",
    "Aging",
    "AgingRow",
    "CurrencyTotals",
    "FilterTotals",
    "InvoiceFilter",
    "InvoiceRow",
    "MonthRevenue",
    "aging_summary",
    "fetch_invoice_rows",
    "first_invoice_rows",
    "invoice_rowid",
    "invoice_totals",
    "ordered_invoice_ids",
    "revenue_by_month",
]


# -- what callers get --------------------------------------------------------------------
@dataclass(frozen=True)
class InvoiceFilter:
    """Which invoices a list shows (all fields combine with AND; empty means any).

    status: "draft" | "issued" | "partly_paid" | "paid" | "cancelled" | "overdue" |
    "open" (issued or partly paid); period: the issue date, both ends included;
    text: the start of the number ("INV-2026-00"), case-blind for letters;
    kind: "invoice" | "credit_note"."""

    status: str = ""
    customer_person_id: str = ""
    customer_organization_id: str = ""
    period_from: date | None = None
    period_to: date | None = None
    text: str = ""
    kind: str = ""


@dataclass(frozen=True)
class InvoiceRow:
    """One row of the invoice list (plain values, never an ORM object)."""

    rowid: int
    id: str
    kind: str  # "invoice" | "credit_note"
    number: str  # "" for a draft
    status: str  # as stored: draft, issued, partly_paid, paid, cancelled
    overdue: bool
    customer: str  # the billing name (kept current on drafts)
    customer_person_id: str | None
    customer_organization_id: str | None
    issue_date: date | None
    due_date: date | None
    currency: str
    net: Decimal
    tax: Decimal
    total: Decimal
    paid: Decimal
    open: Decimal  # total - paid - credited while issued or partly paid, else 0
    credit_of_id: str | None

    @property
    def state(self) -> str:
        """The status a person sees: "overdue" instead of issued/partly paid when late."""
        return "overdue" if self.overdue else self.status


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    count: int
    total: Decimal  # credit notes subtract
    open: Decimal


@dataclass(frozen=True)
class FilterTotals:
    """The totals of the filtered rows, one entry per currency (in code order)."""

    count: int
    per_currency: tuple[CurrencyTotals, ...]


@dataclass(frozen=True)
class AgingRow:
    """Open amounts of one currency by days past due as of the summary's day."""

    currency: str
    current: Decimal  # not yet due (or no due date)
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    days_over_90: Decimal
    total: Decimal
    count: int  # open invoices

    def buckets(self) -> tuple[Decimal, ...]:
        """The amounts in the order of `AGING_BUCKETS`."""
        return (self.current, self.days_1_30, self.days_31_60, self.days_61_90,
                self.days_over_90)


@dataclass(frozen=True)
class Aging:
    as_of: date
    rows: tuple[AgingRow, ...]  # one per currency with open invoices, in code order


@dataclass(frozen=True)
class MonthRevenue:
    """Invoices issued in a month minus credit notes issued in it, for one currency."""

    month: date  # the first day of the month
    currency: str
    net: Decimal
    gross: Decimal
    invoices: int
    credit_notes: int


# -- the SQL of a filter -------------------------------------------------------------------
def _require_figures(vault: Vault) -> None:
    """invoices.view, or reports.view for the sums the Reports page shows."""
    permissions.require_any(vault, "reports.view", "invoices.view")


def _today(vault: Vault, today: date | None) -> date:
    return today if today is not None else vault.clock.now().astimezone().date()


def _statuses(status: str) -> tuple[str, ...]:
    if status not in FILTER_STATUSES:
        raise ValueError(f"no invoice status filter {status!r}")
    if status in ("overdue", "open"):
        return OPEN_STATUSES
    return (status,) if status else ()


def _where(
    filt: InvoiceFilter, today: date, sort: str = "", broad_text: bool = False
) -> tuple[list[str], list[Any]]:
    """The WHERE terms and parameters, except the status itself (see `_arms`)."""
    terms: list[str] = []
    params: list[Any] = []
    if filt.kind:
        if filt.kind not in ("invoice", "credit_note"):
            raise ValueError(f"no invoice kind {filt.kind!r}")
        terms.append("i.kind = ?")
        params.append(filt.kind)
    elif filt.status in ("overdue", "open"):
        terms.append("i.kind = 'invoice'")
    if filt.status == "overdue":
        # In another order than by due date, `+` keeps SQLite from taking the due-date
        # range of (status, due_date, id) and sorting every late invoice: it walks the
        # (status, issue_date, id) index in order and skips those not yet due.
        terms.append(("i.due_date" if sort in ("", "due_date") else "+i.due_date") + " < ?")
        params.append(today.isoformat())
    if filt.customer_organization_id:
        terms.append("i.customer_organization_id = ?")
        params.append(filt.customer_organization_id)
    if filt.customer_person_id:
        terms.append("i.customer_person_id = ?")
        params.append(filt.customer_person_id)
    if filt.period_from is not None:
        terms.append("i.issue_date >= ?")
        params.append(filt.period_from.isoformat())
    if filt.period_to is not None:
        terms.append("i.issue_date <= ?")
        params.append(filt.period_to.isoformat())
    text = " ".join(filt.text.split())
    if text:
        # Number prefix as a range over the unique number index; numbers are mostly
        # written in capitals, so "inv-20" also looks for "INV-20".
        # A prefix that most numbers share ("INV") would read and sort them all: then
        # `+` makes SQLite walk the order's index and test each number instead.
        column = "+i.number" if broad_text and sort != "number" else "i.number"
        ranges = []
        for prefix in _prefixes(text):
            ranges.append(f"({column} >= ? AND {column} < ?)")
            params.extend((prefix, prefix + "\U0010ffff"))
        terms.append("(" + " OR ".join(ranges) + ")")
    return terms, params


def _arms(
    filt: InvoiceFilter, today: date, sort: str = "", broad_text: bool = False
) -> list[tuple[list[str], list[Any]]]:
    """One (terms, params) per status asked for: each is read in index order."""
    terms, params = _where(filt, today, sort, broad_text)
    statuses = _statuses(filt.status)
    if not statuses:
        return [(terms, params)]
    # With a customer, the customer's (customer, issue_date, id) index is the narrow one:
    # `+` keeps SQLite from walking every invoice of the status instead (182k paid rows
    # at 200k invoices for a customer with fewer than a page of them).
    status = "+i.status" if (filt.customer_person_id or filt.customer_organization_id) \
        else "i.status"
    return [([f"{status} = ?", *terms], [s, *params]) for s in statuses]


_SORT_COLUMNS = {
    # sort -> (column, tie-breaker); the tie-breaker is what the index holds after it.
    "issue_date": ("i.issue_date", "i.id"),
    "number": ("i.number", "i.rowid"),  # the unique number index holds the rowid
    "customer": ("i.billing_name", "i.id"),
    "total": ("i.total_minor", "i.id"),
    "due_date": ("i.due_date", "i.id"),
}


def list_sql(
    filt: InvoiceFilter, sort: str = "issue_date", descending: bool = True,
    today: date | None = None, broad_text: bool = False,
) -> tuple[str, list[Any]]:
    """The statement that selects the rowids (`r`) of the list in order, and its
    parameters (public for the tests' query plans and the benchmark's baseline)."""
    if sort not in _SORT_COLUMNS:
        raise ValueError(f"no invoice sort {sort!r}")
    column, tie = _SORT_COLUMNS[sort]
    desc = " DESC" if descending else ""
    arms = _arms(filt, today or date.today(), sort, broad_text)

    def where(terms: list[str]) -> str:
        return f" WHERE {' AND '.join(terms)}" if terms else ""

    if len(arms) == 1:
        terms, params = arms[0]
        return (f"SELECT i.rowid AS r FROM invoice i{where(terms)} "
                f"ORDER BY {column}{desc}, {tie}{desc}", params)  # nosec B608  # names are code constants; values are bound
    # Several statuses: each arm reads its (status, column, id) index in order and the
    # compound ORDER BY merges them, so SQLite never sorts the whole set.
    selects, params = [], []
    for terms, arm_params in arms:
        selects.append(f"SELECT i.rowid AS r, {column} AS k, {tie} AS t "
                       f"FROM invoice i{where(terms)}")  # nosec B608  # names are code constants; values are bound
        params.extend(arm_params)
    return (f"SELECT r FROM ({' UNION ALL '.join(selects)} ORDER BY k{desc}, t{desc})",  # nosec B608  # names are code constants; values are bound
            params)


#: Numbers sharing a typed prefix beyond which the list walks its order's index instead.
BROAD_PREFIX = 2000


def _prefixes(text: str) -> list[str]:
    """The number prefixes looked for: as typed, and in capitals ("inv-20" -> "INV-20")."""
    return list(dict.fromkeys((text, text.upper())))


def _broad_text(s: Session, filt: InvoiceFilter) -> bool:
    """Whether more than `BROAD_PREFIX` numbers start with the filter's text (counted on
    the number index, stopping there)."""
    text = " ".join(filt.text.split())
    if not text:
        return False
    for prefix in _prefixes(text):
        found = _raw(s, "SELECT count(*) FROM (SELECT 1 FROM invoice WHERE number >= ? "
                     "AND number < ? LIMIT ?)",
                     [prefix, prefix + "\U0010ffff", BROAD_PREFIX + 1]).fetchone()[0]
        if found > BROAD_PREFIX:
            return True
    return False


# -- the list ------------------------------------------------------------------------------
def ordered_invoice_ids(
    vault: Vault, filt: InvoiceFilter | None = None, sort: str = "issue_date",
    descending: bool = True, *, today: date | None = None,
) -> array:
    """The rowids of every invoice in the filtered list, in order (`len()` is the count).

    sort: one of `SORTS`; the default is the newest issue date first."""
    permissions.require(vault, "invoices.view")
    filt = filt or InvoiceFilter()
    out = array("q")
    with vault.unit_of_work() as uow:
        sql, params = list_sql(filt, sort, descending, _today(vault, today),
                               _broad_text(uow.session, filt))
        # One text value instead of a row per invoice (see services.lists).
        text = _raw(uow.session, f"SELECT group_concat(r) FROM ({sql})", params).fetchone()[0]  # nosec B608  # names are code constants; values are bound
    if text:
        out.extend(map(int, text.split(",")))
    return out


def first_invoice_rows(
    vault: Vault, filt: InvoiceFilter | None = None, sort: str = "issue_date",
    descending: bool = True, *, limit: int = BATCH, today: date | None = None,
) -> list[InvoiceRow]:
    """The first `limit` rows of the list, read straight from the index (for a first
    paint before `ordered_invoice_ids` has read the whole list)."""
    permissions.require(vault, "invoices.view")
    day = _today(vault, today)
    filt = filt or InvoiceFilter()
    limit = max(0, min(limit, MAX_BATCH))
    with vault.unit_of_work() as uow:
        s = uow.session
        sql, params = list_sql(filt, sort, descending, day, _broad_text(s, filt))
        rowids = [r[0] for r in _raw(s, f"{sql} LIMIT ?", [*params, limit]).fetchall()]
        return _rows(s, rowids, day)


def fetch_invoice_rows(
    vault: Vault, rowids: Sequence[int], *, today: date | None = None
) -> list[InvoiceRow]:
    """The rows of these rowids, in the order asked; rowids of deleted drafts are left
    out."""
    permissions.require(vault, "invoices.view")
    if len(rowids) > MAX_BATCH:
        raise ValueError(f"fetch at most {MAX_BATCH} rows at a time")
    day = _today(vault, today)
    with vault.unit_of_work() as uow:
        return _rows(uow.session, list(rowids), day)


def invoice_rowid(vault: Vault, invoice_id: str) -> int | None:
    """The rowid of an invoice by its id (None if it is gone), to select it in a list."""
    permissions.require(vault, "invoices.view")
    with vault.unit_of_work() as uow:
        row = _raw(uow.session, "SELECT rowid FROM invoice WHERE id = ?",
                   [invoice_id]).fetchone()
    return None if row is None else int(row[0])


_ROWS_SQL = """
SELECT i.rowid, i.id, i.kind, coalesce(i.number, ''), i.status,
  coalesce(nullif(i.billing_name, ''), o.name, p.display_name, ''),
  i.customer_person_id, i.customer_organization_id, i.issue_date, i.due_date,
  i.currency, i.net_minor, i.tax_minor, i.total_minor, i.paid_minor,
  i.total_minor - i.paid_minor - i.credited_minor, i.credit_of_id
FROM invoice i
LEFT JOIN organization o ON o.id = i.customer_organization_id
LEFT JOIN person p ON p.id = i.customer_person_id
WHERE i.rowid IN ({marks})
"""


def _rows(s: Session, rowids: list[int], today: date) -> list[InvoiceRow]:
    if not rowids:
        return []
    fetched = _raw(s, _ROWS_SQL.format(marks=_marks(len(rowids))), rowids).fetchall()
    made = {r[0]: _row(r, today) for r in fetched}
    return [made[r] for r in rowids if r in made]


def _row(r: Sequence[Any], today: date) -> InvoiceRow:
    (rowid, iid, kind, number, status, customer, person_id, org_id, issued, due,
     currency, net, tax, total, paid, left, credit_of) = r
    issue_date, due_date = _date(issued), _date(due)
    is_open = kind == "invoice" and status in OPEN_STATUSES
    return InvoiceRow(
        rowid=rowid, id=iid, kind=kind, number=number, status=status,
        overdue=is_open and due_date is not None and due_date < today,
        customer=customer, customer_person_id=person_id, customer_organization_id=org_id,
        issue_date=issue_date, due_date=due_date, currency=currency,
        net=from_minor(net or 0, currency), tax=from_minor(tax or 0, currency),
        total=from_minor(total or 0, currency), paid=from_minor(paid or 0, currency),
        open=from_minor(left or 0, currency) if is_open else from_minor(0, currency),
        credit_of_id=credit_of,
    )


# -- totals, aging, revenue ----------------------------------------------------------------
_OPEN_MINOR = ("CASE WHEN i.kind = 'invoice' AND i.status IN ('issued', 'partly_paid') "
               "THEN i.total_minor - i.paid_minor - i.credited_minor ELSE 0 END")
_SIGNED_TOTAL = "CASE WHEN i.kind = 'credit_note' THEN -i.total_minor ELSE i.total_minor END"


def invoice_totals(
    vault: Vault, filt: InvoiceFilter | None = None, *, today: date | None = None
) -> FilterTotals:
    """Count, total (credit notes subtract) and open amount of the filtered rows, per
    currency."""
    permissions.require(vault, "invoices.view")
    arms = _arms(filt or InvoiceFilter(), _today(vault, today))
    # The status arms are disjoint, so their rows are added up without a UNION's sort.
    selects, params = [], []
    for terms, arm_params in arms:
        where = f" WHERE {' AND '.join(terms)}" if terms else ""
        selects.append(f"SELECT i.currency AS c, count(*) AS n, sum({_SIGNED_TOTAL}) AS t, "
                       f"sum({_OPEN_MINOR}) AS o FROM invoice i{where} GROUP BY i.currency")  # nosec B608  # names are code constants; values are bound
        params.extend(arm_params)
    sql = (f"SELECT c, sum(n), sum(t), sum(o) FROM ({' UNION ALL '.join(selects)}) "
           "GROUP BY c ORDER BY c")  # nosec B608  # names are code constants; values are bound
    with vault.unit_of_work() as uow:
        rows = _raw(uow.session, sql, params).fetchall()
    per = tuple(CurrencyTotals(c, int(n), from_minor(t or 0, c), from_minor(o or 0, c))
                for c, n, t, o in rows)
    return FilterTotals(sum(t.count for t in per), per)


_AGING_SQL = f"""
SELECT c, count(*),
  sum(CASE WHEN late <= 0 THEN amount ELSE 0 END),
  sum(CASE WHEN late BETWEEN 1 AND 30 THEN amount ELSE 0 END),
  sum(CASE WHEN late BETWEEN 31 AND 60 THEN amount ELSE 0 END),
  sum(CASE WHEN late BETWEEN 61 AND 90 THEN amount ELSE 0 END),
  sum(CASE WHEN late > 90 THEN amount ELSE 0 END),
  sum(amount)
FROM (
  SELECT i.currency AS c, {_OPEN_MINOR} AS amount,
    coalesce(CAST(julianday(?) - julianday(i.due_date) AS INTEGER), 0) AS late
  FROM invoice i
  WHERE i.status IN ('issued', 'partly_paid') AND i.kind = 'invoice'
)
GROUP BY c ORDER BY c
"""  # nosec B608  # names are code constants; values are bound


def aging_summary(vault: Vault, today: date | None = None) -> Aging:
    """Open amounts of issued and partly paid invoices by days past their due date as
    of `today` (the vault clock's local date by default), per currency: not yet due,
    1-30, 31-60, 61-90 and more than 90 days."""
    _require_figures(vault)
    day = _today(vault, today)
    with vault.unit_of_work() as uow:
        rows = _raw(uow.session, _AGING_SQL, [day.isoformat()]).fetchall()
    out = []
    for c, n, *amounts in rows:
        current, d30, d60, d90, older, total = (from_minor(a or 0, c) for a in amounts)
        out.append(AgingRow(c, current, d30, d60, d90, older, total, int(n)))
    return Aging(day, tuple(out))


_REVENUE_SQL = """
SELECT substr(i.issue_date, 1, 7) AS m, i.currency,
  sum(CASE WHEN i.kind = 'credit_note' THEN -i.net_minor ELSE i.net_minor END),
  sum(CASE WHEN i.kind = 'credit_note' THEN -i.total_minor ELSE i.total_minor END),
  sum(i.kind = 'invoice'), sum(i.kind = 'credit_note')
FROM invoice i
WHERE i.issue_date >= ? AND i.issue_date <= ? AND i.number IS NOT NULL
  AND i.status <> 'draft'
GROUP BY m, i.currency ORDER BY m, i.currency
"""


def revenue_by_month(vault: Vault, start: date, end: date) -> list[MonthRevenue]:
    """Net and gross revenue per month and currency for invoices issued from `start` to
    `end` (both included): every issued invoice counts (paid or not), every issued
    credit note subtracts. Months without any are there with zeros, for every currency
    that has revenue in the period; an empty period gives an empty list."""
    _require_figures(vault)
    if end < start:
        return []
    with vault.unit_of_work() as uow:
        rows = _raw(uow.session, _REVENUE_SQL, [start.isoformat(), end.isoformat()]).fetchall()
    found = {(m, c): (net, gross, n_inv, n_cn) for m, c, net, gross, n_inv, n_cn in rows}
    currencies = sorted({c for _, c in found})
    out = []
    for month in _months(start, end):
        key = month.isoformat()[:7]
        for c in currencies:
            net, gross, n_inv, n_cn = found.get((key, c), (0, 0, 0, 0))
            out.append(MonthRevenue(month, c, from_minor(net or 0, c),
                                    from_minor(gross or 0, c), int(n_inv or 0),
                                    int(n_cn or 0)))
    return out


def _months(start: date, end: date) -> list[date]:
    month, last, out = start.replace(day=1), end.replace(day=1), []
    while month <= last:
        out.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return out


# -- inside --------------------------------------------------------------------------------
def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _raw(s: Session, sql: str, params: Sequence[Any]) -> Any:
    """A DB-API cursor on the session's connection (the id lists are too long for
    SQLAlchemy's result rows; see services.lists)."""
    cursor = s.connection().connection.cursor()
    cursor.execute(sql, tuple(params))
    return cursor
