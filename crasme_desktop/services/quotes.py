"""Quotes: offers to a customer that can be sent, accepted or declined, that expire
after their valid-until date, and that become an invoice draft in one step.

Lines (`LineDraft`) are shared with invoices: amounts are Decimals in the document's
currency, rounded as `domain.money` documents. A quote takes its number from the quote
series when it is first saved (quotes may be deleted, so their numbers may have gaps;
invoices never do). Status moves and conversion go on the customer's timeline.

Permissions (area "quotes", checked first in every public function that takes the
vault): reading a quote or the list needs quotes.view; a new quote quotes.create;
changing one, marking it sent, accepted, declined or expired quotes.edit; deleting
one quotes.delete. Turning a quote into an invoice draft needs quotes.edit and
invoices.create.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from crasme_desktop.domain import sales as rules
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import (
    Activity,
    Deal,
    Organization,
    Person,
    PostalAddress,
    Product,
    Quote,
    QuoteLine,
    TaxRate,
)
from crasme_desktop.domain.money import (
    MoneyLine,
    Totals,
    bp_to_percent,
    compute_totals,
    format_money,
    from_minor,
    to_minor,
)
from crasme_desktop.domain.sales_document import TaxTotal
from crasme_desktop.domain.validation import check_no_card_number, clean_text
from crasme_desktop.services import audit, business, permissions, privacy_consent
from crasme_desktop.vault import Vault

if TYPE_CHECKING:
    from crasme_desktop.services.invoices import InvoiceRecord

QUOTE_VALID_DAYS = 30
PAGE = 200


# -- lines (shared with invoices) ----------------------------------------------------
@dataclass(frozen=True)
class LineDraft:
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    tax_rate_id: str | None = None  # None: the default tax rate
    product_id: str | None = None


@dataclass(frozen=True)
class LineRecord:
    id: str
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate_id: str | None
    tax_rate_percent: Decimal
    net_amount: Decimal
    product_id: str | None

    def as_draft(self) -> LineDraft:
        return LineDraft(
            description=self.description,
            quantity=self.quantity,
            unit=self.unit,
            unit_price=self.unit_price,
            discount_percent=self.discount_percent,
            tax_rate_id=self.tax_rate_id,
            product_id=self.product_id,
        )


@dataclass(frozen=True)
class CheckedLine:
    """A line ready to store: checked numbers and the tax rate it carries."""

    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate_id: str | None
    tax_rate_bp: int
    product_id: str | None

    @property
    def money(self) -> MoneyLine:
        return MoneyLine(
            quantity=self.quantity,
            unit_price=self.unit_price,
            discount_percent=self.discount_percent,
            tax_rate_percent=bp_to_percent(self.tax_rate_bp),
        )


def check_lines(s: Session, lines: Sequence[LineDraft], currency: str) -> list[CheckedLine]:
    """Check what can be stored: numbers, price digits, discount range, tax rates.
    (Quantities above zero and descriptions are required only to issue.)"""
    out: list[CheckedLine] = []
    default_rate: TaxRate | None = None
    if len(lines) > 1000:
        raise UserError("A document can have at most 1000 lines; split it in two.")
    for line in lines:
        quantity = rules.parse_decimal(line.quantity, "quantity")
        price = rules.parse_decimal(line.unit_price, "price")
        discount = rules.parse_decimal(line.discount_percent, "discount")
        rules.check_price_digits(price, currency)
        rules.check_discount(discount)
        if quantity != quantity.quantize(Decimal("0.0001")):
            raise UserError(f"The quantity {quantity} has more than four decimals; round it.")
        if abs(quantity) >= Decimal(10) ** 9 or abs(price) >= Decimal(10) ** 12:
            raise UserError("That quantity or price is too large for one line.")
        if line.tax_rate_id:
            rate = s.get(TaxRate, line.tax_rate_id)
            if rate is None:
                raise UserError("A line's tax rate no longer exists; choose another one.")
        else:
            default_rate = default_rate or business.default_tax_rate(s)
            rate = default_rate
        product_id = line.product_id
        if product_id and s.get(Product, product_id) is None:
            product_id = None
        description = line.description.strip()
        if len(description) > 2000:
            raise UserError("Keep a line's description under 2000 characters.")
        check_no_card_number(description, "line's description")
        out.append(CheckedLine(
            description=description,
            quantity=quantity.normalize() if quantity else Decimal(0),
            unit=clean_text(line.unit)[:30],
            unit_price=price,
            discount_percent=discount,
            tax_rate_id=rate.id,
            tax_rate_bp=rate.rate_bp,
            product_id=product_id,
        ))
    return out


def line_columns(
    line: CheckedLine, position: int, net: Decimal, currency: str
) -> dict[str, Any]:
    """Column values of a stored quote or invoice line."""
    return {
        "position": position,
        "product_id": line.product_id,
        "description": line.description,
        "quantity": _decimal_text(line.quantity),
        "unit": line.unit,
        "unit_price_minor": to_minor(line.unit_price, currency),
        "discount_bp": int(line.discount_percent * 100),
        "tax_rate_id": line.tax_rate_id,
        "tax_rate_bp": line.tax_rate_bp,
        "net_minor": to_minor(net, currency),
    }


def line_record(row: QuoteLine, currency: str) -> LineRecord:  # also InvoiceLine
    return LineRecord(
        id=row.id,
        position=row.position,
        description=row.description,
        quantity=Decimal(row.quantity),
        unit=row.unit,
        unit_price=from_minor(row.unit_price_minor, currency),
        discount_percent=bp_to_percent(row.discount_bp),
        tax_rate_id=row.tax_rate_id,
        tax_rate_percent=bp_to_percent(row.tax_rate_bp),
        net_amount=from_minor(row.net_minor, currency),
        product_id=row.product_id,
    )


def totals_of(lines: Sequence[CheckedLine], currency: str, prices_include_tax: bool) -> Totals:
    return compute_totals([line.money for line in lines], currency, prices_include_tax)


def tax_totals(totals: Totals) -> tuple[TaxTotal, ...]:
    return tuple(TaxTotal(r.rate_percent, r.net, r.tax) for r in totals.per_rate)


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


# -- customers -----------------------------------------------------------------------
@dataclass(frozen=True)
class Customer:
    name: str
    address_lines: tuple[str, ...]
    country_code: str
    tax_id: str
    email: str


def load_customer(s: Session, person_id: str | None, organization_id: str | None) -> Customer:
    """Who a document is for, from the contact records: the company if there is one,
    else the person; the billing address, else the first address."""
    person = s.get(Person, person_id) if person_id else None
    org = s.get(Organization, organization_id) if organization_id else None
    if (person_id and person is None) or (organization_id and org is None):
        raise UserError("That customer no longer exists; choose the customer again.")
    email = ""
    if person is not None and person.emails:
        primary = [e for e in person.emails if e.is_primary] or list(person.emails)
        email = primary[0].address
    owner_addresses: list[PostalAddress] = list(
        (org.addresses if org is not None else []) or (person.addresses if person else [])
    )
    address = next((a for a in owner_addresses if a.kind == "billing"), None) or (
        owner_addresses[0] if owner_addresses else None
    )
    lines: tuple[str, ...] = ()
    country = ""
    if address is not None:
        city = " ".join(p for p in (address.postal_code, address.city) if p)
        parts = [*address.street.splitlines(), city, address.region]
        lines = tuple(clean_text(p) for p in parts if clean_text(p))
        country = address.country_code
    if org is not None:
        name = org.name
        if person is not None:
            lines = (f"Attn. {person.display_name}", *lines)
        return Customer(name, lines, country, org.tax_id, email)
    if person is not None:
        return Customer(person.display_name, lines, country, "", email)
    return Customer("", (), "", "", "")


def add_timeline(
    s: Session,
    subject_kind: str,
    subject_id: str,
    person_id: str | None,
    organization_id: str | None,
    subject: str,
    now: datetime,
    body: str = "",
) -> None:
    """A note on the customer's timeline about a quote or an invoice."""
    s.add(Activity(
        kind="note",
        subject=subject[:300],
        body=body,
        occurred_at=now,
        person_id=person_id,
        organization_id=organization_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        created_at=now,
        updated_at=now,
    ))


def money_text(minor: int, currency: str, locale: str) -> str:
    return format_money(from_minor(minor, currency), currency, locale or "en_US")


def today_of(vault: Vault, today: date | None) -> date:
    return today if today is not None else vault.clock.now().astimezone().date()


# -- quotes --------------------------------------------------------------------------
@dataclass(frozen=True)
class QuoteDraft:
    customer_person_id: str | None = None
    customer_organization_id: str | None = None
    currency: str = ""  # "": the business's default currency
    issue_date: date | None = None  # None: today
    valid_until: date | None = None  # None: 30 days after the issue date
    prices_include_tax: bool | None = None  # None: the business's default
    lines: tuple[LineDraft, ...] = ()
    notes: str = ""
    #: The deal a new quote is made from (kept when a quote is changed).
    deal_id: str | None = None


@dataclass(frozen=True)
class QuoteRecord:
    id: str
    number: str
    status: str  # as stored, except draft/sent past valid-until shows "expired"
    stored_status: str
    customer_person_id: str | None
    customer_organization_id: str | None
    billing_name: str
    currency: str
    issue_date: date
    valid_until: date | None
    prices_include_tax: bool
    lines: tuple[LineRecord, ...]
    tax_totals: tuple[TaxTotal, ...]
    net: Decimal
    tax: Decimal
    total: Decimal
    invoice_id: str | None
    notes: str
    created_at: datetime
    updated_at: datetime
    deal_id: str | None = None  # the deal it was made from


@dataclass(frozen=True)
class QuoteRow:
    id: str
    number: str
    status: str
    billing_name: str
    currency: str
    issue_date: date
    valid_until: date | None
    total: Decimal
    invoice_id: str | None
    rowid: int = 0  # the list's key (see `ordered_quote_ids`)


def save_quote(vault: Vault, draft: QuoteDraft, quote_id: str | None = None) -> QuoteRecord:
    """Add a quote (numbered from the quote series) or change one not yet accepted."""
    permissions.require(vault, "quotes.create" if quote_id is None else "quotes.edit")
    now = vault.clock.now()
    today = today_of(vault, None)
    if not (draft.customer_person_id or draft.customer_organization_id):
        raise UserError("Choose a customer for the quote.")
    with vault.unit_of_work() as uow:
        s = uow.session
        settings = business.load_business(s)
        currency = rules.normalize_currency(draft.currency or settings.default_currency)
        issue = draft.issue_date or today
        valid = draft.valid_until or issue + timedelta(days=QUOTE_VALID_DAYS)
        if valid < issue:
            raise UserError("The quote's valid-until date is before its date; pick a later one.")
        inclusive = (settings.prices_include_tax if draft.prices_include_tax is None
                     else draft.prices_include_tax)
        lines = check_lines(s, draft.lines, currency)
        customer = load_customer(s, draft.customer_person_id, draft.customer_organization_id)
        privacy_consent.ensure_not_restricted(s, draft.customer_person_id, "quoted")
        if quote_id is None:
            series = business.default_series(s, "quote")
            quote = Quote(number=business.take_number(s, series, issue), series_id=series.id,
                          status="draft", created_at=now, updated_at=now)
            s.add(quote)
            event = "created"
        else:
            quote = _load(s, quote_id)
            if quote.status == "accepted" or quote.invoice_id:
                raise UserError(
                    f"Quote {quote.number} was accepted and can no longer be changed; "
                    "copy it into a new quote instead."
                )
            event = "changed"
            for old in list(quote.lines):
                s.delete(old)
            s.flush()
        totals = totals_of(lines, currency, inclusive)
        quote.customer_person_id = draft.customer_person_id
        quote.customer_organization_id = draft.customer_organization_id
        quote.billing_name = customer.name
        quote.currency, quote.issue_date, quote.valid_until = currency, issue, valid
        quote.prices_include_tax = inclusive
        quote.net_minor = to_minor(totals.net, currency)
        quote.tax_minor = to_minor(totals.tax, currency)
        quote.total_minor = to_minor(totals.total, currency)
        quote.notes = check_no_card_number(draft.notes.strip(), "quote note")
        quote.lines = [QuoteLine(**line_columns(line, i, totals.line_nets[i], currency))
                       for i, line in enumerate(lines)]
        if event == "created" and draft.deal_id:
            if s.get(Deal, draft.deal_id) is None:
                raise UserError("That deal no longer exists; the quote was not made.")
            quote.deal_id = draft.deal_id
        s.flush()
        if event == "created":
            add_timeline(s, "quote", quote.id, quote.customer_person_id,
                         quote.customer_organization_id,
                         f"Quote {quote.number} created: "
                         f"{money_text(quote.total_minor, currency, settings.locale)}", now)
            if quote.deal_id:
                add_timeline(s, "deal", quote.deal_id, quote.customer_person_id,
                             quote.customer_organization_id,
                             f"Quote {quote.number} made from the deal", now)
        audit.add(s, f"quote.{'create' if event == 'created' else 'update'}", "quote", quote.id)
        return _record(quote, today)


def set_quote_status(
    vault: Vault, quote_id: str, status: str, *, today: date | None = None
) -> QuoteRecord:
    """Mark a quote sent, accepted, declined, expired, or back to draft."""
    permissions.require(vault, "quotes.edit")
    day = today_of(vault, today)
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        quote = _load(s, quote_id)
        current = rules.effective_quote_status(quote.status, quote.valid_until, day)
        if status == "accepted" and current == "expired":
            raise UserError(
                f"Quote {quote.number} expired on {quote.valid_until}; extend its valid-until "
                "date before marking it accepted."
            )
        if quote.invoice_id and status != quote.status:
            raise UserError(f"Quote {quote.number} already became an invoice; its status stays.")
        rules.check_quote_move(quote.status if current != "expired" else "expired", status)
        if status == quote.status:
            return _record(quote, day)
        quote.status = status
        quote.updated_at = now
        add_timeline(s, "quote", quote.id, quote.customer_person_id,
                     quote.customer_organization_id,
                     f"Quote {quote.number} marked {rules.QUOTE_STATUS_WORDS[status]}", now)
        audit.add(s, f"quote.status:{status}", "quote", quote.id)
        s.flush()
        return _record(quote, day)


def expire_quotes(vault: Vault, today: date | None = None) -> int:
    """Store "expired" on sent quotes whose valid-until date has passed; returns how many."""
    permissions.require(vault, "quotes.edit")
    day = today_of(vault, today)
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        quotes = s.scalars(select(Quote).where(
            Quote.status == "sent", Quote.valid_until < day)).all()
        for quote in quotes:
            quote.status = "expired"
            quote.updated_at = now
            audit.add(s, "quote.status:expired", "quote", quote.id)
        return len(quotes)


def quote_to_invoice(vault: Vault, quote_id: str) -> InvoiceRecord:
    """Make an invoice draft from a quote in one step; the quote becomes accepted."""
    from crasme_desktop.services import invoices

    permissions.require(vault, "quotes.edit")
    permissions.require(vault, "invoices.create")
    return invoices.invoice_from_quote(vault, quote_id)


def get_quote(vault: Vault, quote_id: str, *, today: date | None = None) -> QuoteRecord:
    permissions.require(vault, "quotes.view")
    with vault.unit_of_work() as uow:
        return _record(_load(uow.session, quote_id), today_of(vault, today))


def delete_quote(vault: Vault, quote_id: str) -> None:
    permissions.require(vault, "quotes.delete")
    with vault.unit_of_work() as uow:
        s = uow.session
        quote = _load(s, quote_id)
        if quote.invoice_id:
            raise UserError(
                f"Quote {quote.number} became an invoice and is kept with it; it cannot be deleted."
            )
        s.delete(quote)
        audit.add(s, "quote.delete", "quote", quote_id)


def list_quotes(
    vault: Vault,
    *,
    status: str = "",
    customer_person_id: str = "",
    customer_organization_id: str = "",
    after: QuoteRow | None = None,
    limit: int = PAGE,
    today: date | None = None,
) -> list[QuoteRow]:
    """Quotes newest first, paged by key (`after` = last row of the previous page).
    `status` "expired" also finds draft and sent quotes past their valid-until date."""
    permissions.require(vault, "quotes.view")
    day = today_of(vault, today)
    query = select(Quote).order_by(Quote.issue_date.desc(), Quote.id.desc()).limit(limit)
    if status == "expired":
        query = query.where(
            (Quote.status == "expired")
            | (Quote.status.in_(("draft", "sent")) & (Quote.valid_until < day))
        )
    elif status in ("draft", "sent"):
        query = query.where(Quote.status == status,
                            (Quote.valid_until.is_(None)) | (Quote.valid_until >= day))
    elif status:
        query = query.where(Quote.status == status)
    if customer_person_id:
        query = query.where(Quote.customer_person_id == customer_person_id)
    if customer_organization_id:
        query = query.where(Quote.customer_organization_id == customer_organization_id)
    if after is not None:
        query = query.where(tuple_(Quote.issue_date, Quote.id) < (after.issue_date, after.id))
    with vault.unit_of_work() as uow:
        return [
            QuoteRow(
                id=q.id, number=q.number,
                status=rules.effective_quote_status(q.status, q.valid_until, day),
                billing_name=q.billing_name, currency=q.currency, issue_date=q.issue_date,
                valid_until=q.valid_until, total=from_minor(q.total_minor, q.currency),
                invoice_id=q.invoice_id,
            )
            for q in uow.session.scalars(query)
        ]


# -- the quote list (paged by key, like the invoice list) ----------------------------
def _quote_where(
    status: str, person_id: str, organization_id: str, day: date
) -> tuple[str, list[Any]]:
    terms: list[str] = []
    params: list[Any] = []
    if status == "expired":
        terms.append("(q.status = 'expired' OR (q.status IN ('draft', 'sent') "
                     "AND q.valid_until < ?))")
        params.append(day.isoformat())
    elif status in ("draft", "sent"):
        terms.append("q.status = ? AND (q.valid_until IS NULL OR q.valid_until >= ?)")
        params.extend((status, day.isoformat()))
    elif status:
        if status not in rules.QUOTE_STATUS_WORDS:
            raise ValueError(f"no quote status {status!r}")
        terms.append("q.status = ?")
        params.append(status)
    if person_id:
        terms.append("q.customer_person_id = ?")
        params.append(person_id)
    if organization_id:
        terms.append("q.customer_organization_id = ?")
        params.append(organization_id)
    return (" WHERE " + " AND ".join(terms)) if terms else "", params


def _quote_list_sql(status: str, person_id: str, organization_id: str,
                    day: date) -> tuple[str, list[Any]]:
    where, params = _quote_where(status, person_id, organization_id, day)
    # Newest first, read from (issue_date, id) or the customer's (customer, issue_date,
    # id) index: never OFFSET, never a sort of the whole table.
    return (f"SELECT q.rowid FROM quote q{where} ORDER BY q.issue_date DESC, q.id DESC",  # nosec B608  # names are code constants; values are bound
            params)


def ordered_quote_ids(
    vault: Vault, *, status: str = "", customer_person_id: str = "",
    customer_organization_id: str = "", today: date | None = None,
) -> array:
    """The rowids of every quote of the filtered list, newest first (`len()` counts)."""
    permissions.require(vault, "quotes.view")
    sql, params = _quote_list_sql(status, customer_person_id, customer_organization_id,
                                  today_of(vault, today))
    out = array("q")
    with vault.unit_of_work() as uow:
        text = _raw(uow.session, f"SELECT group_concat(rowid) FROM ({sql})",  # nosec B608  # names are code constants; values are bound
                    params).fetchone()[0]
    if text:
        out.extend(map(int, text.split(",")))
    return out


def first_quote_rows(
    vault: Vault, *, status: str = "", customer_person_id: str = "",
    customer_organization_id: str = "", limit: int = PAGE, today: date | None = None,
) -> list[QuoteRow]:
    """The first `limit` rows of the list straight from the index (the quick paint)."""
    permissions.require(vault, "quotes.view")
    day = today_of(vault, today)
    sql, params = _quote_list_sql(status, customer_person_id, customer_organization_id, day)
    with vault.unit_of_work() as uow:
        s = uow.session
        rowids = [r[0] for r in _raw(s, f"{sql} LIMIT ?",
                                     [*params, max(0, min(limit, MAX_FETCH))]).fetchall()]
        return _quote_rows(s, rowids, day)


def fetch_quote_rows(
    vault: Vault, rowids: Sequence[int], *, today: date | None = None
) -> list[QuoteRow]:
    """The rows of these rowids in the order asked (deleted quotes are left out)."""
    permissions.require(vault, "quotes.view")
    if len(rowids) > MAX_FETCH:
        raise ValueError(f"fetch at most {MAX_FETCH} rows at a time")
    with vault.unit_of_work() as uow:
        return _quote_rows(uow.session, list(rowids), today_of(vault, today))


MAX_FETCH = 2000


def _quote_rows(s: Session, rowids: list[int], day: date) -> list[QuoteRow]:
    if not rowids:
        return []
    marks = ", ".join("?" * len(rowids))
    fetched = _raw(s, "SELECT q.rowid, q.id, q.number, q.status, q.billing_name, "
                      "q.currency, q.issue_date, q.valid_until, q.total_minor, q.invoice_id "
                      f"FROM quote q WHERE q.rowid IN ({marks})", rowids).fetchall()  # nosec B608  # names are code constants; values are bound
    made = {}
    for rowid, qid, number, status, name, currency, issued, valid, total, invoice_id \
            in fetched:
        issue_date = _as_date(issued)
        valid_until = _as_date(valid)
        made[rowid] = QuoteRow(
            id=qid, number=number, billing_name=name, currency=currency,
            status=rules.effective_quote_status(status, valid_until, day),
            issue_date=issue_date, valid_until=valid_until,  # type: ignore[arg-type]
            total=from_minor(total or 0, currency), invoice_id=invoice_id, rowid=rowid)
    return [made[r] for r in rowids if r in made]


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _raw(s: Session, sql: str, params: Sequence[Any]) -> Any:
    cursor = s.connection().connection.cursor()
    cursor.execute(sql, tuple(params))
    return cursor


def _load(s: Session, quote_id: str) -> Quote:
    quote = s.get(Quote, quote_id)
    if quote is None:
        raise UserError("That quote no longer exists; it may have been deleted meanwhile.")
    return quote


def _record(q: Quote, today: date) -> QuoteRecord:
    lines = tuple(line_record(line, q.currency) for line in q.lines)
    checked = [
        MoneyLine(line.quantity, line.unit_price, line.discount_percent, line.tax_rate_percent)
        for line in lines
    ]
    totals = compute_totals(checked, q.currency, q.prices_include_tax)
    return QuoteRecord(
        id=q.id,
        number=q.number,
        status=rules.effective_quote_status(q.status, q.valid_until, today),
        stored_status=q.status,
        customer_person_id=q.customer_person_id,
        customer_organization_id=q.customer_organization_id,
        billing_name=q.billing_name,
        currency=q.currency,
        issue_date=q.issue_date,
        valid_until=q.valid_until,
        prices_include_tax=q.prices_include_tax,
        lines=lines,
        tax_totals=tax_totals(totals),
        net=from_minor(q.net_minor, q.currency),
        tax=from_minor(q.tax_minor, q.currency),
        total=from_minor(q.total_minor, q.currency),
        invoice_id=q.invoice_id,
        notes=q.notes,
        created_at=q.created_at,
        updated_at=q.updated_at,
        deal_id=q.deal_id,
    )

