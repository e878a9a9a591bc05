"""Invoices and credit notes: drafts, issuing, payments, credits, recurring invoices.

- A draft changes freely. Issuing checks it (business name and address, a customer,
  lines with a description, a quantity above zero and a discount within 0..100 %),
  takes the next number of its series and freezes the buyer's and the seller's details,
  all in one write transaction begun with BEGIN IMMEDIATE: two processes issuing at
  once wait for each other, so numbers never repeat and have no gaps.
- An issued invoice is never changed or deleted (the service refuses with a sentence,
  and triggers of schema 0005 refuse even raw SQL). Corrections are credit notes.
- Payments: partial -> partly_paid, full -> paid; the currency must match. More than
  is open is refused, or with `overpayment="credit"` the rest is kept as customer
  credit; `paid_minor` counts only what settled the invoice.
- Credit notes carry positive amounts with kind "credit_note" (as Factur-X type 381),
  have their own series, reference the invoice (`credit_of_id`), are issued at once
  and settled against it: the invoice's `credited_minor` grows by their total and its
  open amount shrinks (open = total - paid - credited). What a credit note gives back
  beyond the open amount of an invoice already paid is kept as customer credit.
  A partial credit note (`create_partial_credit_note`) names lines of the invoice and a
  quantity or an amount for each; each line's credit lines keep the position of the line
  they correct, so what is left to credit per line is known (`creditable_lines`), and no
  line is credited beyond what was invoiced.
- Customer credit (from an overpayment or a credit note on a paid invoice) pays later
  invoices of the same customer in the same currency (`apply_credit`): a payment with
  method "credit", the oldest credit used first.
- Recurring invoices make a draft for every period that is due
  (`make_due_recurring`), at most once per plan and period (a unique index).

Permissions (area "invoices" for invoices, credit notes, payments and recurring
invoices; checked first in every public function that takes the vault): reading an
invoice, its creditable lines, the customer's credit, the recurring plans or a
printable document needs invoices.view (a quote's document quotes.view); a new draft,
a credit note, a recurring plan or the drafts of due plans invoices.create; changing a
draft or a plan, issuing, recording a payment, paying from credit, pausing or resuming
a plan invoices.edit; deleting a draft or a plan invoices.delete. An invoice from a
quote needs invoices.create and quotes.edit (the quote becomes accepted). Making due
recurring drafts after an unlock is skipped (refused, logged) for a role that may not
create invoices; they are made when someone who may opens the vault.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crasme_desktop.domain import sales as rules
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import (
    CustomerCredit,
    Invoice,
    InvoiceLine,
    InvoiceTaxTotal,
    NumberSeries,
    Payment,
    Quote,
    RecurringInvoice,
)
from crasme_desktop.domain.money import (
    MoneyLine,
    Totals,
    bp_to_percent,
    from_minor,
    line_amount,
    percent_to_bp,
    to_minor,
)
from crasme_desktop.domain.sales_document import DocumentLine, Party, SalesDocument, TaxTotal
from crasme_desktop.domain.validation import check_no_card_number, clean_text, quoted
from crasme_desktop.services import (
    audit,
    business,
    permissions,
    privacy_consent,
    search_index,
)
from crasme_desktop.services.quotes import (
    CheckedLine,
    Customer,
    LineDraft,
    LineRecord,
    add_timeline,
    check_lines,
    line_columns,
    line_record,
    load_customer,
    money_text,
    tax_totals,
    today_of,
    totals_of,
)
from crasme_desktop.vault import Vault

PAYMENT_METHODS = ("bank transfer", "cash", "card", "cheque", "direct debit", "other",
                   "credit")


# -- what callers get ----------------------------------------------------------------
@dataclass(frozen=True)
class InvoiceDraft:
    customer_person_id: str | None = None
    customer_organization_id: str | None = None
    currency: str = ""  # "": the business's default currency
    issue_date: date | None = None  # replaced by the day of issuing
    due_date: date | None = None  # None: issue date + payment terms
    payment_terms_days: int | None = None  # None: the business's default
    prices_include_tax: bool | None = None  # None: the business's default
    lines: tuple[LineDraft, ...] = ()
    notes: str = ""
    series_id: str | None = None  # None: the default invoice series


@dataclass(frozen=True)
class PaymentDraft:
    paid_on: date
    amount: Decimal
    currency: str
    method: str = "bank transfer"
    reference: str = ""
    note: str = ""


@dataclass(frozen=True)
class PaymentRecord:
    id: str
    paid_on: date
    amount: Decimal
    currency: str
    method: str
    reference: str
    note: str


@dataclass(frozen=True)
class InvoiceRecord:
    id: str
    kind: str
    number: str  # "" while a draft
    status: str
    customer_person_id: str | None
    customer_organization_id: str | None
    billing_name: str
    billing_address: tuple[str, ...]
    billing_country: str
    billing_tax_id: str
    billing_email: str
    currency: str
    issue_date: date
    due_date: date | None
    payment_terms_days: int
    prices_include_tax: bool
    lines: tuple[LineRecord, ...]
    tax_totals: tuple[TaxTotal, ...]
    net: Decimal
    tax: Decimal
    total: Decimal
    paid: Decimal
    credited: Decimal
    open_amount: Decimal
    payments: tuple[PaymentRecord, ...]
    credit_of_id: str | None
    credit_of_number: str
    credit_note_ids: tuple[str, ...]
    quote_id: str | None
    recurring_id: str | None
    series_id: str | None
    notes: str
    issued_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    def is_overdue(self, today: date) -> bool:
        return rules.is_overdue(self.status, self.due_date, today)


@dataclass(frozen=True)
class RecurringDraft:
    interval: str  # monthly | quarterly | yearly
    start_date: date
    lines: tuple[LineDraft, ...]
    customer_person_id: str | None = None
    customer_organization_id: str | None = None
    currency: str = ""
    prices_include_tax: bool | None = None
    payment_terms_days: int | None = None
    end_date: date | None = None
    name: str = ""
    notes: str = ""
    active: bool = True
    #: On a change: the day of the next invoice, when it is moved (periods then count
    #: from that day). None keeps the plan's schedule.
    next_date: date | None = None


@dataclass(frozen=True)
class RecurringRecord:
    id: str
    name: str
    interval: str
    start_date: date
    next_date: date
    end_date: date | None
    active: bool
    customer_person_id: str | None
    customer_organization_id: str | None
    currency: str
    lines: tuple[LineDraft, ...]
    customer_name: str = ""
    prices_include_tax: bool = False
    payment_terms_days: int = 14
    notes: str = ""
    total: Decimal = Decimal(0)  # of one invoice, as the lines are priced today
    made: int = 0  # drafts made so far

    @property
    def ended(self) -> bool:
        """No invoice is due any more: the end date is behind the next date."""
        return self.end_date is not None and self.next_date > self.end_date

    @property
    def state(self) -> str:
        """"active", "paused" or "ended"."""
        return "ended" if self.ended else ("active" if self.active else "paused")


@dataclass(frozen=True)
class CreditAvailable:
    """What a customer may still use of their credit, for one invoice."""

    currency: str  # the invoice's
    amount: Decimal  # available in the invoice's currency
    other: tuple[tuple[str, Decimal], ...]  # credit in other currencies (not usable here)


@dataclass(frozen=True)
class CreditableLine:
    """A line of an issued invoice and how much of it a credit note may still take."""

    id: str
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate_id: str | None
    tax_rate_percent: Decimal
    amount: Decimal  # as priced (net, or gross with tax-inclusive prices)
    credited: Decimal  # by earlier credit notes, as priced
    remaining: Decimal

    @property
    def remaining_quantity(self) -> Decimal:
        """The quantity still creditable at the line's price (rounded down to 4 places)."""
        if self.remaining <= 0 or self.amount <= 0:
            return Decimal(0)
        if self.credited == 0:
            return self.quantity
        exact = self.quantity * self.remaining / self.amount
        return exact.quantize(Decimal("0.0001"), rounding="ROUND_DOWN").normalize()


@dataclass(frozen=True)
class CreditPart:
    """One line of a partial credit note: the invoice line (`line_id`) and either a
    quantity (at the line's price and discount) or an amount (as priced)."""

    line_id: str
    quantity: Decimal | None = None
    amount: Decimal | None = None


# -- drafts --------------------------------------------------------------------------
def save_invoice_draft(
    vault: Vault, draft: InvoiceDraft, invoice_id: str | None = None
) -> InvoiceRecord:
    """Add an invoice draft or change one; an issued invoice is refused."""
    permissions.require(vault, "invoices.create" if invoice_id is None else "invoices.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        invoice = _write_draft(s, vault, draft, invoice_id)
        search_index.index_invoices(s, [invoice.id])
        return _record(s, invoice)


def _write_draft(
    s: Session, vault: Vault, draft: InvoiceDraft, invoice_id: str | None,
    *, quote_id: str | None = None, recurring: tuple[str, date] | None = None,
) -> Invoice:
    now = vault.clock.now()
    settings = business.load_business(s)
    currency = rules.normalize_currency(draft.currency or settings.default_currency)
    terms = settings.payment_terms_days if draft.payment_terms_days is None \
        else draft.payment_terms_days
    if not 0 <= terms <= 365:
        raise UserError("Payment terms must be between 0 and 365 days.")
    inclusive = (settings.prices_include_tax if draft.prices_include_tax is None
                 else draft.prices_include_tax)
    lines = check_lines(s, draft.lines, currency)
    customer = load_customer(s, draft.customer_person_id, draft.customer_organization_id)
    privacy_consent.ensure_not_restricted(s, draft.customer_person_id, "invoiced")
    if invoice_id is None:
        series = (s.get(NumberSeries, draft.series_id) if draft.series_id
                  else business.default_series(s, "invoice"))
        if series is None or series.kind != "invoice":
            raise UserError("Choose a number series for invoices.")
        invoice = Invoice(kind="invoice", status="draft", series_id=series.id,
                          created_at=now, updated_at=now)
        s.add(invoice)
    else:
        invoice = _load(s, invoice_id)
        _refuse_if_issued(invoice, "changed")
        if draft.series_id:
            invoice.series_id = draft.series_id
        s.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id))
        s.expire(invoice, ["lines"])
    totals = totals_of(lines, currency, inclusive)
    invoice.customer_person_id = draft.customer_person_id
    invoice.customer_organization_id = draft.customer_organization_id
    invoice.billing_name = customer.name
    invoice.billing_address = "\n".join(customer.address_lines)
    invoice.billing_country = customer.country_code
    invoice.billing_tax_id = customer.tax_id
    invoice.billing_email = customer.email
    invoice.currency = currency
    invoice.issue_date = draft.issue_date or today_of(vault, None)
    invoice.due_date = draft.due_date
    invoice.payment_terms_days = terms
    invoice.prices_include_tax = inclusive
    _set_totals(invoice, totals, currency)
    invoice.notes = check_no_card_number(draft.notes.strip(), "invoice note")
    invoice.quote_id = quote_id or invoice.quote_id
    if recurring is not None:
        invoice.recurring_id, invoice.recurring_period = recurring
    invoice.updated_at = now
    s.flush()
    for i, line in enumerate(lines):
        s.add(InvoiceLine(invoice_id=invoice.id,
                          **line_columns(line, i, totals.line_nets[i], currency)))
    s.flush()
    audit.add(s, "invoice.save_draft", "invoice", invoice.id)
    return invoice


def delete_draft(vault: Vault, invoice_id: str) -> None:
    """Delete an invoice draft; issued invoices are kept for good."""
    permissions.require(vault, "invoices.delete")
    with vault.unit_of_work() as uow:
        remove_draft(uow.session, invoice_id)


def remove_draft(s: Session, invoice_id: str) -> None:
    """`delete_draft` inside the caller's transaction, without a permission check: for
    a service taking back the draft it just made (its caller was allowed to make it)."""
    invoice = _load(s, invoice_id)
    _refuse_if_issued(invoice, "deleted")
    quote = s.scalars(select(Quote).where(Quote.invoice_id == invoice.id)).first()
    if quote is not None:
        quote.invoice_id = None
    s.delete(invoice)
    s.flush()
    search_index.index_invoices(s, [invoice_id])
    audit.add(s, "invoice.delete_draft", "invoice", invoice_id)


def invoice_from_quote(vault: Vault, quote_id: str) -> InvoiceRecord:
    """`quotes.quote_to_invoice`: a draft with the quote's customer and lines."""
    permissions.require(vault, "quotes.edit")
    permissions.require(vault, "invoices.create")
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        quote = s.get(Quote, quote_id)
        if quote is None:
            raise UserError("That quote no longer exists; it may have been deleted meanwhile.")
        if quote.invoice_id:
            raise UserError(f"Quote {quote.number} already became an invoice; open that one.")
        if quote.status == "declined":
            raise UserError(
                f"Quote {quote.number} was declined; mark it sent or accepted before "
                "turning it into an invoice."
            )
        lines = tuple(line_record(line, quote.currency).as_draft() for line in quote.lines)
        draft = InvoiceDraft(
            customer_person_id=quote.customer_person_id,
            customer_organization_id=quote.customer_organization_id,
            currency=quote.currency,
            prices_include_tax=quote.prices_include_tax,
            lines=lines,
            notes=quote.notes,
        )
        invoice = _write_draft(s, vault, draft, None, quote_id=quote.id)
        quote.invoice_id = invoice.id
        quote.status = "accepted"
        quote.updated_at = now
        add_timeline(s, "quote", quote.id, quote.customer_person_id,
                     quote.customer_organization_id,
                     f"Quote {quote.number} accepted and turned into an invoice draft", now)
        audit.add(s, "quote.to_invoice", "quote", quote.id)
        search_index.index_invoices(s, [invoice.id])
        return _record(s, invoice)


# -- issuing -------------------------------------------------------------------------
def issue_invoice(vault: Vault, invoice_id: str, *, today: date | None = None) -> InvoiceRecord:
    """Check a draft, give it the next number of its series and freeze it."""
    permissions.require(vault, "invoices.edit")
    day = today_of(vault, today)
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        invoice = _load(s, invoice_id)
        _refuse_if_issued(invoice, "issued again")
        _issue(s, vault, invoice, day)
        search_index.index_invoices(s, [invoice.id])
        return _record(s, invoice)


def _issue(s: Session, vault: Vault, invoice: Invoice, day: date) -> None:
    now = vault.clock.now()
    settings = business.load_business(s)
    missing = settings.missing_for_issue()
    if missing:
        raise UserError(missing)
    what = "credit note" if invoice.kind == "credit_note" else "invoice"
    if not (invoice.customer_person_id or invoice.customer_organization_id) \
            and invoice.kind == "invoice":
        raise UserError("Choose a customer before issuing the invoice.")
    privacy_consent.ensure_not_restricted(s, invoice.customer_person_id, "invoiced")
    lines = list(invoice.lines)
    if not lines:
        raise UserError(f"Add at least one line before issuing the {what}.")
    records = [line_record(line, invoice.currency) for line in lines]
    for position, line in enumerate(records, start=1):
        rules.check_line_for_issue(rules.LineCheck(
            line.quantity, line.unit_price, line.discount_percent, line.description), position)
    checked = [_checked(line, row.tax_rate_bp) for line, row in zip(records, lines, strict=True)]
    totals = totals_of(checked, invoice.currency, invoice.prices_include_tax)
    if totals.total < 0:
        raise UserError(
            f"The {what} total is below zero; issue a credit note for the amount instead."
        )
    if invoice.kind == "invoice" and (invoice.customer_person_id
                                      or invoice.customer_organization_id):
        customer = load_customer(s, invoice.customer_person_id,
                                 invoice.customer_organization_id)
        if not customer.name:
            raise UserError("The customer has no name; add one before issuing the invoice.")
        invoice.billing_name = customer.name
        invoice.billing_address = "\n".join(customer.address_lines)
        invoice.billing_country = customer.country_code
        invoice.billing_tax_id = customer.tax_id
        invoice.billing_email = customer.email
    # Lines and tax totals are written while still a draft: the triggers freeze them
    # once the status changes.
    for line, net in zip(lines, totals.line_nets, strict=True):
        line.net_minor = to_minor(net, invoice.currency)
    s.execute(delete(InvoiceTaxTotal).where(InvoiceTaxTotal.invoice_id == invoice.id))
    for rate in totals.per_rate:
        s.add(InvoiceTaxTotal(invoice_id=invoice.id, rate_bp=percent_to_bp(rate.rate_percent),
                              net_minor=to_minor(rate.net, invoice.currency),
                              tax_minor=to_minor(rate.tax, invoice.currency)))
    s.flush()
    series = s.get(NumberSeries, invoice.series_id) if invoice.series_id else None
    if series is None:
        series = business.default_series(s, invoice.kind)
        invoice.series_id = series.id
    number = business.take_number(s, series, day)
    if s.scalar(select(Invoice.id).where(Invoice.number == number)) is not None:
        raise UserError(
            f"The number {number} is already used; change the numbering pattern in "
            "Settings > Business."
        )
    invoice.number = number
    invoice.status = "issued"
    invoice.issue_date = day
    if invoice.due_date is None or invoice.due_date < day:
        invoice.due_date = day + timedelta(days=invoice.payment_terms_days)
    invoice.seller_snapshot = json.dumps(_seller_json(settings), ensure_ascii=False)
    _set_totals(invoice, totals, invoice.currency)
    invoice.issued_at = now
    invoice.updated_at = now
    try:
        s.flush()
    except IntegrityError:
        raise UserError(
            f"The number {number} is already used; change the numbering pattern in "
            "Settings > Business."
        ) from None
    add_timeline(s, "invoice", invoice.id, invoice.customer_person_id,
                 invoice.customer_organization_id,
                 f"{what.capitalize()} {number} issued: "
                 f"{money_text(invoice.total_minor, invoice.currency, settings.locale)}", now)
    audit.add(s, f"{invoice.kind}.issue", "invoice", invoice.id)


def _checked(line: LineRecord, rate_bp: int) -> CheckedLine:
    return CheckedLine(line.description, line.quantity, line.unit, line.unit_price,
                       line.discount_percent, line.tax_rate_id, rate_bp, line.product_id)


def _seller_json(settings: business.BusinessSettings) -> dict[str, object]:
    return {
        "name": settings.name, "address_lines": list(settings.address_lines),
        "country_code": settings.country_code, "tax_id": settings.tax_id,
        "email": settings.email, "phone": settings.phone, "iban": settings.iban,
        "bic": settings.bic, "bank_name": settings.bank_name, "footer": settings.footer,
        "locale": settings.locale,
    }


# -- payments ------------------------------------------------------------------------
def record_payment(
    vault: Vault, invoice_id: str, payment: PaymentDraft, *, overpayment: str = "refuse"
) -> InvoiceRecord:
    """Record money received for an issued invoice."""
    permissions.require(vault, "invoices.edit")
    if overpayment not in ("refuse", "credit"):
        raise ValueError("overpayment is 'refuse' or 'credit'")
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        invoice = _load(s, invoice_id)
        settings = business.load_business(s)
        if invoice.status == "draft":
            raise UserError("Issue the invoice before recording a payment for it.")
        if invoice.kind == "credit_note":
            raise UserError("A credit note is settled against its invoice; record payments "
                            "on invoices.")
        currency = rules.normalize_currency(payment.currency)
        if currency != invoice.currency:
            raise UserError(
                f"Invoice {invoice.number} is in {invoice.currency}; record the payment in "
                f"{invoice.currency}, converted at your bank's rate."
            )
        amount = rules.parse_decimal(payment.amount, "amount")
        if amount <= 0:
            raise UserError("Enter the amount received, above zero.")
        rules.check_price_digits(amount, currency, "amount")
        minor = to_minor(amount, currency)
        open_minor = invoice.total_minor - invoice.paid_minor - invoice.credited_minor
        if open_minor <= 0:
            raise UserError(f"Invoice {invoice.number} has nothing left to pay.")
        extra = minor - open_minor
        if extra > 0 and overpayment == "refuse":
            raise UserError(
                f"The payment of {money_text(minor, currency, settings.locale)} is more than "
                f"the {money_text(open_minor, currency, settings.locale)} still open on "
                f"{invoice.number}; enter the open amount, or keep the rest as customer credit."
            )
        row = Payment(invoice_id=invoice.id, paid_on=payment.paid_on, amount_minor=minor,
                      currency=currency, method=clean_text(payment.method)[:30],
                      reference=check_no_card_number(clean_text(payment.reference)[:200],
                                                     "payment reference"),
                      note=check_no_card_number(payment.note.strip(), "payment note"),
                      created_at=now, updated_at=now)
        s.add(row)
        s.flush()
        invoice.paid_minor += min(minor, open_minor)
        if extra > 0:
            s.add(CustomerCredit(
                customer_person_id=invoice.customer_person_id,
                customer_organization_id=invoice.customer_organization_id,
                payment_id=row.id, invoice_id=invoice.id, amount_minor=extra,
                currency=currency, note=f"Overpayment of {invoice.number}",
                created_at=now, updated_at=now))
        invoice.status = rules.status_after_money(invoice.total_minor, invoice.paid_minor,
                                                  invoice.credited_minor)
        invoice.updated_at = now
        add_timeline(s, "invoice", invoice.id, invoice.customer_person_id,
                     invoice.customer_organization_id,
                     f"Payment of {money_text(minor, currency, settings.locale)} received for "
                     f"{invoice.number}", now)
        audit.add(s, "invoice.payment", "invoice", invoice.id)
        s.flush()
        return _record(s, invoice)


# -- credit notes --------------------------------------------------------------------
def create_credit_note(
    vault: Vault,
    invoice_id: str,
    lines: Sequence[LineDraft] | None = None,
    *,
    today: date | None = None,
    notes: str = "",
) -> InvoiceRecord:
    """Issue a credit note for an invoice: all of it when `lines` is None, else those
    lines. It is numbered from the credit note series and settled against the invoice.
    (To credit part of some lines, see `create_partial_credit_note`.)"""
    permissions.require(vault, "invoices.create")
    day = today_of(vault, today)
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        original = _creditable_invoice(s, invoice_id)
        if lines is None and original.credited_minor:
            raise UserError(
                f"Invoice {original.number} is already partly credited; choose the lines "
                "the new credit note is for."
            )
        if lines is None:
            rows = list(original.lines)
            drafts = tuple(line_record(line, original.currency).as_draft() for line in rows)
            checked = [replace(line, tax_rate_bp=row.tax_rate_bp) for line, row in
                       zip(check_lines(s, drafts, original.currency), rows, strict=True)]
            positions = [row.position for row in rows]
        else:
            checked = check_lines(s, tuple(lines), original.currency)
            positions = list(range(len(checked)))
        note = _make_credit_note(s, vault, original, checked, positions, day, notes)
        return _record(s, note)


def creditable_lines(vault: Vault, invoice_id: str) -> list[CreditableLine]:
    """The lines of an issued invoice with what earlier credit notes took of each and
    what is left to credit (amounts as priced)."""
    permissions.require(vault, "invoices.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        return _creditable(s, _creditable_invoice(s, invoice_id))


def create_partial_credit_note(
    vault: Vault,
    invoice_id: str,
    parts: Sequence[CreditPart],
    *,
    today: date | None = None,
    notes: str = "",
) -> InvoiceRecord:
    """Issue a credit note for some lines of an invoice, each for a quantity (at the
    line's price and discount) or an amount; never more of a line than is left to
    credit. Its lines keep the positions of the lines they correct."""
    permissions.require(vault, "invoices.create")
    day = today_of(vault, today)
    if not parts:
        raise UserError("Choose at least one line to credit, with a quantity or an amount.")
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        original = _creditable_invoice(s, invoice_id)
        currency = original.currency
        lines = {line.id: line for line in _creditable(s, original)}
        rows = {row.id: row for row in original.lines}
        seen: set[str] = set()
        drafts: list[tuple[int, LineDraft, int]] = []
        for part in parts:
            line = lines.get(part.line_id)
            if line is None:
                raise UserError("A chosen line is not on this invoice any more; open the "
                                "invoice again.")
            if part.line_id in seen:
                raise UserError(f"Line {line.position + 1} is chosen twice; credit each line "
                                "once.")
            seen.add(part.line_id)
            name = f"line {line.position + 1} ({quoted(line.description, 40)})"
            if (part.quantity is None) == (part.amount is None):
                raise UserError(f"Give either a quantity or an amount to credit for {name}.")
            if part.quantity is not None:
                quantity = rules.parse_decimal(part.quantity, "quantity")
                if quantity <= 0:
                    raise UserError(f"The quantity to credit for {name} must be above zero.")
                if quantity > line.quantity:
                    raise UserError(
                        f"Only {_qty(line.quantity)} was invoiced on {name}; credit at most "
                        "that quantity.")
                draft = LineDraft(line.description, quantity, line.unit, line.unit_price,
                                  line.discount_percent, line.tax_rate_id)
                amount = line_amount(MoneyLine(quantity, line.unit_price,
                                               line.discount_percent,
                                               line.tax_rate_percent), currency)
            else:
                amount = rules.parse_decimal(part.amount, "amount")  # type: ignore[arg-type]
                if amount <= 0:
                    raise UserError(f"The amount to credit for {name} must be above zero.")
                rules.check_price_digits(amount, currency, "amount")
                draft = LineDraft(line.description, Decimal(1), "", amount, Decimal(0),
                                  line.tax_rate_id)
            if amount > line.remaining:
                left = money_text(to_minor(line.remaining, currency), currency, "")
                raise UserError(
                    f"Only {left} of {name} is left to credit; lower the quantity or "
                    "amount.")
            drafts.append((line.position, draft, rows[line.id].tax_rate_bp))
        drafts.sort(key=lambda item: item[0])
        checked = [replace(c, tax_rate_bp=bp) for c, (_p, _d, bp) in zip(
            check_lines(s, [d for _p, d, _bp in drafts], currency), drafts, strict=True)]
        note = _make_credit_note(s, vault, original, checked, [p for p, _d, _b in drafts],
                                 day, notes)
        return _record(s, note)


def _creditable_invoice(s: Session, invoice_id: str) -> Invoice:
    original = _load(s, invoice_id)
    if original.kind != "invoice":
        raise UserError("A credit note corrects an invoice, not another credit note.")
    if original.status == "draft":
        raise UserError("Change or delete the draft instead; credit notes are for issued "
                        "invoices.")
    return original


def _creditable(s: Session, original: Invoice) -> list[CreditableLine]:
    currency = original.currency
    earlier: dict[int, Decimal] = {}
    rows = list(original.lines)
    by_position = {row.position: row for row in rows}
    notes = s.scalars(select(Invoice).where(Invoice.credit_of_id == original.id,
                                            Invoice.status != "draft")).all()
    for note in notes:
        for credit in note.lines:
            # A credit line corrects the line at its position when it names the same
            # thing at the same rate (credit notes of any lines keep their own order).
            row = by_position.get(credit.position)
            if row is None or row.description != credit.description \
                    or row.tax_rate_bp != credit.tax_rate_bp:
                continue
            record = line_record(credit, currency)
            earlier[credit.position] = earlier.get(credit.position, Decimal(0)) + \
                _priced(record, currency)
    out = []
    for row in rows:
        record = line_record(row, currency)
        amount = _priced(record, currency)
        credited = earlier.get(row.position, from_minor(0, currency))
        out.append(CreditableLine(
            id=row.id, position=row.position, description=record.description,
            quantity=record.quantity, unit=record.unit, unit_price=record.unit_price,
            discount_percent=record.discount_percent, tax_rate_id=record.tax_rate_id,
            tax_rate_percent=record.tax_rate_percent, amount=amount, credited=credited,
            remaining=max(amount - credited, from_minor(0, currency))))
    return out


def _priced(line: LineRecord, currency: str) -> Decimal:
    return line_amount(MoneyLine(line.quantity, line.unit_price, line.discount_percent,
                                 line.tax_rate_percent), currency)


def _qty(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _make_credit_note(
    s: Session, vault: Vault, original: Invoice, checked: Sequence[CheckedLine],
    positions: Sequence[int], day: date, notes: str,
) -> Invoice:
    now = vault.clock.now()
    totals = totals_of(checked, original.currency, original.prices_include_tax)
    creditable = original.total_minor - original.credited_minor
    total_minor = to_minor(totals.total, original.currency)
    if total_minor > creditable:
        raise UserError(
            f"This credit note of {money_text(total_minor, original.currency, '')} is "
            f"more than the {money_text(creditable, original.currency, '')} of "
            f"{original.number} not yet credited; lower its lines."
        )
    series = business.default_series(s, "credit_note")
    note = Invoice(
        kind="credit_note", status="draft", series_id=series.id,
        customer_person_id=original.customer_person_id,
        customer_organization_id=original.customer_organization_id,
        billing_name=original.billing_name, billing_address=original.billing_address,
        billing_country=original.billing_country, billing_tax_id=original.billing_tax_id,
        billing_email=original.billing_email, currency=original.currency,
        issue_date=day, payment_terms_days=0,
        prices_include_tax=original.prices_include_tax, credit_of_id=original.id,
        # The printed reference names the invoice and its date; notes are the reason.
        notes=check_no_card_number(notes.strip(), "credit note's text"),
        created_at=now, updated_at=now,
    )
    _set_totals(note, totals, original.currency)
    s.add(note)
    s.flush()
    for i, line in enumerate(checked):
        s.add(InvoiceLine(invoice_id=note.id, **line_columns(
            line, positions[i], totals.line_nets[i], original.currency)))
    s.flush()
    s.refresh(note, ["lines"])
    _issue(s, vault, note, day)
    note.paid_minor = note.total_minor
    note.status = "paid"
    open_before = original.total_minor - original.paid_minor - original.credited_minor
    original.credited_minor += note.total_minor
    refund = note.total_minor - max(open_before, 0)
    if refund > 0:
        s.add(CustomerCredit(
            customer_person_id=original.customer_person_id,
            customer_organization_id=original.customer_organization_id,
            invoice_id=note.id, amount_minor=refund, currency=original.currency,
            note=f"Credit note {note.number} for paid invoice {original.number}",
            created_at=now, updated_at=now))
    original.status = rules.status_after_money(
        original.total_minor, original.paid_minor, original.credited_minor)
    original.updated_at = now
    s.flush()
    search_index.index_invoices(s, [note.id, original.id])
    return note


# -- customer credit -----------------------------------------------------------------
def available_credit(vault: Vault, invoice_id: str) -> CreditAvailable:
    """The credit the invoice's customer may use on it (in its currency), and what they
    hold in other currencies."""
    permissions.require(vault, "invoices.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        invoice = _load(s, invoice_id)
        per: dict[str, int] = {}
        for credit in _credits(s, invoice):
            left = credit.amount_minor - credit.used_minor
            if left > 0:
                per[credit.currency] = per.get(credit.currency, 0) + left
        currency = invoice.currency
        return CreditAvailable(
            currency=currency, amount=from_minor(per.pop(currency, 0), currency),
            other=tuple((c, from_minor(m, c)) for c, m in sorted(per.items())))


def apply_credit(
    vault: Vault, invoice_id: str, amount: Decimal, *, currency: str | None = None,
    paid_on: date | None = None, note: str = "",
) -> InvoiceRecord:
    """Pay (part of) an issued invoice from the customer's credit in its currency: a
    payment with method "credit"; the oldest credit is used first."""
    permissions.require(vault, "invoices.edit")
    day = today_of(vault, paid_on)
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        invoice = _load(s, invoice_id)
        settings = business.load_business(s)
        if invoice.status == "draft":
            raise UserError("Issue the invoice before paying it from the customer's credit.")
        if invoice.kind == "credit_note":
            raise UserError("Customer credit pays invoices, not credit notes.")
        money_currency = rules.normalize_currency(currency or invoice.currency)
        if money_currency != invoice.currency:
            raise UserError(
                f"Invoice {invoice.number} is in {invoice.currency}; credit in "
                f"{money_currency} cannot pay it, so record a payment in "
                f"{invoice.currency} instead.")
        value = rules.parse_decimal(amount, "amount")
        if value <= 0:
            raise UserError("Enter the amount of credit to use, above zero.")
        rules.check_price_digits(value, money_currency, "amount")
        minor = to_minor(value, money_currency)
        open_minor = invoice.total_minor - invoice.paid_minor - invoice.credited_minor
        if open_minor <= 0 or invoice.status not in rules.OPEN_STATUSES:
            raise UserError(f"Invoice {invoice.number} has nothing left to pay.")

        def text(m: int) -> str:
            return money_text(m, money_currency, settings.locale)

        if minor > open_minor:
            raise UserError(
                f"The credit of {text(minor)} is more than the {text(open_minor)} due on "
                f"{invoice.number}; use at most the amount due.")
        credits = [c for c in _credits(s, invoice) if c.currency == money_currency
                   and c.amount_minor > c.used_minor]
        left = sum(c.amount_minor - c.used_minor for c in credits)
        if left <= 0:
            others = sorted({c.currency for c in _credits(s, invoice)
                             if c.amount_minor > c.used_minor})
            if others:
                raise UserError(
                    f"This customer's credit is in {', '.join(others)}; it cannot pay an "
                    f"invoice in {money_currency}, so record a payment instead.")
            raise UserError("This customer has no credit left; record a payment instead.")
        if minor > left:
            raise UserError(
                f"This customer has only {text(left)} of credit; use at most that.")
        need = minor
        sources = []
        for credit in credits:
            take = min(need, credit.amount_minor - credit.used_minor)
            credit.used_minor += take
            credit.updated_at = now
            need -= take
            sources.append(credit.note)
            if need == 0:
                break
        s.add(Payment(invoice_id=invoice.id, paid_on=day, amount_minor=minor,
                      currency=money_currency, method="credit",
                      reference=clean_text("; ".join(sources))[:200],
                      note=check_no_card_number(note.strip(), "payment note"),
                      created_at=now, updated_at=now))
        invoice.paid_minor += minor
        invoice.status = rules.status_after_money(invoice.total_minor, invoice.paid_minor,
                                                  invoice.credited_minor)
        invoice.updated_at = now
        add_timeline(s, "invoice", invoice.id, invoice.customer_person_id,
                     invoice.customer_organization_id,
                     f"Customer credit of {text(minor)} used for {invoice.number}", now)
        audit.add(s, "invoice.apply_credit", "invoice", invoice.id)
        s.flush()
        return _record(s, invoice)


def _credits(s: Session, invoice: Invoice) -> list[CustomerCredit]:
    """The customer's credit rows, oldest first: the company's when the invoice is made
    out to a company, else the person's own (not those through a company)."""
    query = select(CustomerCredit).order_by(CustomerCredit.created_at, CustomerCredit.id)
    if invoice.customer_organization_id:
        query = query.where(CustomerCredit.customer_organization_id
                            == invoice.customer_organization_id)
    elif invoice.customer_person_id:
        query = query.where(CustomerCredit.customer_person_id == invoice.customer_person_id,
                            CustomerCredit.customer_organization_id.is_(None))
    else:
        return []
    return list(s.scalars(query))


# -- reading -------------------------------------------------------------------------
def get_invoice(vault: Vault, invoice_id: str) -> InvoiceRecord:
    permissions.require(vault, "invoices.view")
    with vault.unit_of_work() as uow:
        return _record(uow.session, _load(uow.session, invoice_id))


def find_invoice_by_number(vault: Vault, number: str) -> str | None:
    """The id of the invoice or credit note with this number (exact, then case-blind)."""
    permissions.require(vault, "invoices.view")
    text = number.strip()
    with vault.unit_of_work() as uow:
        s = uow.session
        found = s.scalar(select(Invoice.id).where(Invoice.number == text))
        if found is None:
            found = s.scalar(select(Invoice.id).where(Invoice.number.ilike(text)))
        return found


def document_for(vault: Vault, kind: str, record_id: str) -> SalesDocument:
    """The printable document of an invoice or credit note (kind "invoice") or of a
    quote (kind "quote"). Issued invoices print their frozen seller and buyer."""
    from crasme_desktop.services import quotes

    permissions.require(vault, "quotes.view" if kind == "quote" else "invoices.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        settings = business.load_business(s)
        if kind == "quote":
            quote = quotes.get_quote(vault, record_id)
            customer = load_customer(s, quote.customer_person_id,
                                     quote.customer_organization_id)
            return SalesDocument(
                kind="quote", number=quote.number, issue_date=quote.issue_date,
                due_date=quote.valid_until, currency=quote.currency,
                seller=settings.party, buyer=_customer_party(customer),
                lines=_doc_lines(quote.lines), tax_totals=quote.tax_totals,
                net_total=quote.net, tax_total=quote.tax, grand_total=quote.total,
                amount_due=quote.total, prices_include_tax=quote.prices_include_tax,
                iban=rules.format_iban(settings.iban), bic=settings.bic,
                bank_name=settings.bank_name, footer=settings.footer, notes=quote.notes,
                logo_png=settings.logo_png, locale=_locale(settings.locale),
            )
        if kind != "invoice":
            raise ValueError(f"unknown document kind {kind!r}")
        invoice = _load(s, record_id)
        record = _record(s, invoice)
        seller, bank = settings.party, settings
        seller_locale = settings.locale
        if invoice.seller_snapshot:
            snap = json.loads(invoice.seller_snapshot)
            seller = Party(name=snap["name"], address_lines=tuple(snap["address_lines"]),
                           country_code=snap["country_code"], tax_id=snap["tax_id"],
                           email=snap["email"], phone=snap["phone"])
            bank = business.BusinessSettings(iban=snap["iban"], bic=snap["bic"],
                                             bank_name=snap["bank_name"],
                                             footer=snap["footer"])
            seller_locale = snap.get("locale", "")
        buyer = Party(name=record.billing_name, address_lines=record.billing_address,
                      country_code=record.billing_country, tax_id=record.billing_tax_id,
                      email=record.billing_email)
        reference_date = None
        if invoice.credit_of_id:
            reference_date = s.scalar(select(Invoice.issue_date).where(
                Invoice.id == invoice.credit_of_id))
        terms = ""
        if invoice.kind == "invoice":
            terms = ("Payable on receipt" if record.payment_terms_days == 0
                     else f"Payable within {record.payment_terms_days} days")
        return SalesDocument(
            kind=invoice.kind, number=record.number, issue_date=record.issue_date,
            due_date=record.due_date or (record.issue_date
                                         + timedelta(days=record.payment_terms_days)),
            currency=record.currency, seller=seller, buyer=buyer,
            lines=_doc_lines(record.lines), tax_totals=record.tax_totals,
            net_total=record.net, tax_total=record.tax, grand_total=record.total,
            paid_total=record.paid, amount_due=max(record.open_amount, Decimal(0)),
            prices_include_tax=record.prices_include_tax,
            iban=rules.format_iban(bank.iban), bic=bank.bic, bank_name=bank.bank_name,
            payment_terms=terms, footer=bank.footer, notes=record.notes,
            reference=record.credit_of_number, reference_date=reference_date,
            logo_png=settings.logo_png,
            locale=_locale(seller_locale),
        )


def _doc_lines(lines: Sequence[LineRecord]) -> tuple[DocumentLine, ...]:
    return tuple(
        DocumentLine(description=line.description, quantity=line.quantity, unit=line.unit,
                     unit_price=line.unit_price, discount_percent=line.discount_percent,
                     tax_rate_percent=line.tax_rate_percent, net_amount=line.net_amount)
        for line in lines
    )


def _customer_party(customer: Customer) -> Party:
    return Party(name=customer.name, address_lines=customer.address_lines,
                 country_code=customer.country_code, tax_id=customer.tax_id,
                 email=customer.email)


def _locale(value: str) -> str:
    """The business's locale for paper, else the system's; the C/POSIX locale (no
    grouping: "€ 1140.00") is taken as en_US."""
    if value:
        return value
    from babel import default_locale

    found = default_locale("LC_NUMERIC") or ""
    return "en_US" if not found or found.endswith("POSIX") or found in ("C", "c") \
        else found


# -- recurring -----------------------------------------------------------------------
def save_recurring(
    vault: Vault, draft: RecurringDraft, recurring_id: str | None = None
) -> RecurringRecord:
    """Add or change a plan that makes an invoice draft every period from `start_date`."""
    permissions.require(vault, "invoices.create" if recurring_id is None else "invoices.edit")
    if draft.interval not in rules.RECURRING_MONTHS:
        raise UserError("Choose how often the invoice repeats: monthly, quarterly or yearly.")
    if not (draft.customer_person_id or draft.customer_organization_id):
        raise UserError("Choose a customer for the recurring invoice.")
    if draft.end_date is not None and draft.end_date < draft.start_date:
        raise UserError("The end date is before the start date; pick a later end date.")
    if not draft.lines:
        raise UserError("Add at least one line to the recurring invoice.")
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        settings = business.load_business(s)
        currency = rules.normalize_currency(draft.currency or settings.default_currency)
        checked = check_lines(s, draft.lines, currency)
        privacy_consent.ensure_not_restricted(s, draft.customer_person_id, "invoiced")
        if recurring_id is None:
            plan = RecurringInvoice(start_date=draft.start_date, next_date=draft.start_date,
                                    created_at=now, updated_at=now)
            s.add(plan)
        else:
            plan = _load_plan(s, recurring_id)
            moved = draft.next_date if draft.next_date is not None else None
            if moved is not None and moved != plan.next_date:
                plan.start_date = plan.next_date = moved
            elif moved is None and plan.start_date != draft.start_date:
                plan.start_date = plan.next_date = draft.start_date
        if draft.end_date is not None and draft.end_date < plan.next_date:
            raise UserError("The end date is before the next invoice's date; pick a later "
                            "end date or remove it.")
        plan.name = check_no_card_number(clean_text(draft.name)[:200], "plan's name")
        plan.interval, plan.end_date, plan.active = draft.interval, draft.end_date, draft.active
        plan.customer_person_id = draft.customer_person_id
        plan.customer_organization_id = draft.customer_organization_id
        plan.currency = currency
        plan.prices_include_tax = (settings.prices_include_tax if draft.prices_include_tax
                                   is None else draft.prices_include_tax)
        plan.payment_terms_days = (settings.payment_terms_days if draft.payment_terms_days
                                   is None else draft.payment_terms_days)
        if not 0 <= plan.payment_terms_days <= 365:
            raise UserError("Payment terms must be between 0 and 365 days.")
        load_customer(s, draft.customer_person_id, draft.customer_organization_id)
        plan.lines = json.dumps([_line_json(line) for line in checked])
        plan.notes = check_no_card_number(draft.notes.strip(), "plan's note")
        plan.updated_at = now
        s.flush()
        audit.add(s, "recurring.save", "recurring_invoice", plan.id)
        return _recurring_record(s, plan)


def list_recurring(vault: Vault) -> list[RecurringRecord]:
    """Every plan, the next due first (a short list: no paging)."""
    permissions.require(vault, "invoices.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        plans = s.scalars(
            select(RecurringInvoice).order_by(RecurringInvoice.next_date, RecurringInvoice.id))
        return [_recurring_record(s, p) for p in plans]


def get_recurring(vault: Vault, recurring_id: str) -> RecurringRecord:
    permissions.require(vault, "invoices.view")
    with vault.unit_of_work() as uow:
        return _recurring_record(uow.session, _load_plan(uow.session, recurring_id))


def set_recurring_active(
    vault: Vault, recurring_id: str, active: bool, *, today: date | None = None
) -> RecurringRecord:
    """Pause a plan, or resume it: periods that passed while it was paused are skipped
    (the next invoice is the first period from `today` on)."""
    permissions.require(vault, "invoices.edit")
    day = today_of(vault, today)
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        plan = _load_plan(s, recurring_id)
        if active and plan.end_date is not None and plan.next_date > plan.end_date:
            raise UserError("This recurring invoice has ended; move its end date later to "
                            "resume it.")
        if active and not plan.active and plan.next_date < day:
            upcoming = rules.recurring_dates(plan.start_date, plan.interval,
                                             day - timedelta(days=1),
                                             rules.add_months(day, 13))
            plan.next_date = upcoming[0]
        plan.active = active
        plan.updated_at = now
        audit.add(s, "recurring.resume" if active else "recurring.pause",
                  "recurring_invoice", plan.id)
        s.flush()
        return _recurring_record(s, plan)


def delete_recurring(vault: Vault, recurring_id: str) -> None:
    """Delete a plan; the invoices it made stay (they only lose the link to it)."""
    permissions.require(vault, "invoices.delete")
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        plan = _load_plan(s, recurring_id)
        s.delete(plan)
        s.flush()
        audit.add(s, "recurring.delete", "recurring_invoice", recurring_id)


def recurring_draft_from_invoice(
    vault: Vault, invoice_id: str, interval: str = "monthly", *, today: date | None = None
) -> RecurringDraft:
    """A plan to start from an invoice (a draft as a template, or one already issued):
    its customer, currency, prices, terms, lines and notes; the next invoice one
    interval after the invoice's date (or today, if that is later)."""
    permissions.require(vault, "invoices.view")
    day = today_of(vault, today)
    record = get_invoice(vault, invoice_id)
    if record.kind != "invoice":
        raise UserError("A credit note cannot repeat; start from an invoice.")
    start = rules.add_months(record.issue_date, rules.RECURRING_MONTHS[interval])
    return RecurringDraft(
        interval=interval, start_date=max(start, day),
        lines=tuple(line.as_draft() for line in record.lines),
        customer_person_id=record.customer_person_id,
        customer_organization_id=record.customer_organization_id,
        currency=record.currency, prices_include_tax=record.prices_include_tax,
        payment_terms_days=record.payment_terms_days, notes=record.notes,
        name=record.billing_name,
    )


def _load_plan(s: Session, recurring_id: str) -> RecurringInvoice:
    plan = s.get(RecurringInvoice, recurring_id)
    if plan is None:
        raise UserError("That recurring invoice no longer exists; it may have been deleted "
                        "meanwhile.")
    return plan


def make_due_recurring(vault: Vault, today: date | None = None) -> list[str]:
    """Make an invoice draft for every period of every active plan that is due by
    `today` (the vault clock's local date if not given); running it again makes
    nothing new. Returns the new drafts' ids. The app runs it after each unlock."""
    permissions.require(vault, "invoices.create")
    if today is None:
        today = vault.clock.now().astimezone().date()
    made: list[str] = []
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        plans = s.scalars(select(RecurringInvoice).where(
            RecurringInvoice.active.is_(True), RecurringInvoice.next_date <= today)).all()
        # A restricted customer's plan waits (nothing is made, nothing skipped) until
        # the restriction is lifted.
        restricted = privacy_consent.restricted_among(
            s, {p.customer_person_id for p in plans if p.customer_person_id})
        for plan in plans:
            if plan.customer_person_id in restricted:
                continue
            until = min(today, plan.end_date) if plan.end_date else today
            periods = rules.recurring_dates(plan.start_date, plan.interval, None, until)
            have = set(s.scalars(select(Invoice.recurring_period).where(
                Invoice.recurring_id == plan.id)))
            lines = tuple(_line_from_json(item) for item in json.loads(plan.lines))
            for period in periods:
                if period < plan.next_date or period in have:
                    continue
                draft = InvoiceDraft(
                    customer_person_id=plan.customer_person_id,
                    customer_organization_id=plan.customer_organization_id,
                    currency=plan.currency, issue_date=period,
                    payment_terms_days=plan.payment_terms_days,
                    prices_include_tax=plan.prices_include_tax, lines=lines, notes=plan.notes,
                    series_id=plan.series_id,
                )
                invoice = _write_draft(s, vault, draft, None, recurring=(plan.id, period))
                made.append(invoice.id)
            following = rules.recurring_dates(plan.start_date, plan.interval, until,
                                              rules.add_months(until, 13))
            plan.next_date = following[0] if following else until
            if plan.end_date is not None and plan.next_date > plan.end_date:
                plan.active = False
        if made:
            search_index.index_invoices(s, made)
    return made


def _line_json(line: CheckedLine) -> dict[str, object]:
    return {"description": line.description, "quantity": str(line.quantity),
            "unit": line.unit, "unit_price": str(line.unit_price),
            "discount_percent": str(line.discount_percent), "tax_rate_id": line.tax_rate_id,
            "product_id": line.product_id}


def _line_from_json(item: dict[str, str]) -> LineDraft:
    return LineDraft(description=item["description"], quantity=Decimal(item["quantity"]),
                     unit=item["unit"], unit_price=Decimal(item["unit_price"]),
                     discount_percent=Decimal(item["discount_percent"]),
                     tax_rate_id=item.get("tax_rate_id"), product_id=item.get("product_id"))


def _recurring_record(s: Session, plan: RecurringInvoice) -> RecurringRecord:
    lines = tuple(_line_from_json(item) for item in json.loads(plan.lines))
    try:
        customer = load_customer(s, plan.customer_person_id, plan.customer_organization_id)
        name = customer.name
    except UserError:
        name = ""
    try:
        total = totals_of(check_lines(s, lines, plan.currency), plan.currency,
                          plan.prices_include_tax).total
    except UserError:
        total = Decimal(0)
    made = s.scalar(select(func.count()).select_from(Invoice).where(
        Invoice.recurring_id == plan.id)) or 0
    return RecurringRecord(
        id=plan.id, name=plan.name, interval=plan.interval, start_date=plan.start_date,
        next_date=plan.next_date, end_date=plan.end_date, active=plan.active,
        customer_person_id=plan.customer_person_id,
        customer_organization_id=plan.customer_organization_id, currency=plan.currency,
        lines=lines, customer_name=name, prices_include_tax=plan.prices_include_tax,
        payment_terms_days=plan.payment_terms_days, notes=plan.notes, total=total,
        made=int(made),
    )


# -- helpers -------------------------------------------------------------------------
def _load(s: Session, invoice_id: str) -> Invoice:
    invoice = s.get(Invoice, invoice_id)
    if invoice is None:
        raise UserError("That invoice no longer exists; it may have been deleted meanwhile.")
    return invoice


def _refuse_if_issued(invoice: Invoice, verb: str) -> None:
    if invoice.status != "draft":
        what = "credit note" if invoice.kind == "credit_note" else "invoice"
        advice = ("" if invoice.kind == "credit_note"
                  else "; create a credit note to correct it")
        raise UserError(
            f"The {what} {invoice.number} is issued and can no longer be {verb}{advice}."
        )


def _set_totals(invoice: Invoice, totals: Totals, currency: str) -> None:
    invoice.net_minor = to_minor(totals.net, currency)
    invoice.tax_minor = to_minor(totals.tax, currency)
    invoice.total_minor = to_minor(totals.total, currency)


def _record(s: Session, inv: Invoice) -> InvoiceRecord:
    s.flush()
    s.refresh(inv)
    currency = inv.currency
    lines = tuple(line_record(line, currency) for line in inv.lines)
    if inv.status == "draft":
        checked = [_checked(line, percent_to_bp(line.tax_rate_percent)) for line in lines]
        taxes = tax_totals(totals_of(checked, currency, inv.prices_include_tax))
    else:
        taxes = tuple(
            TaxTotal(bp_to_percent(t.rate_bp), from_minor(t.net_minor, currency),
                     from_minor(t.tax_minor, currency))
            for t in s.scalars(select(InvoiceTaxTotal).where(
                InvoiceTaxTotal.invoice_id == inv.id).order_by(InvoiceTaxTotal.rate_bp))
        )
    payments = tuple(
        PaymentRecord(p.id, p.paid_on, from_minor(p.amount_minor, p.currency), p.currency,
                      p.method, p.reference, p.note)
        for p in s.scalars(select(Payment).where(Payment.invoice_id == inv.id)
                           .order_by(Payment.paid_on, Payment.id))
    )
    credit_of_number = ""
    if inv.credit_of_id:
        credit_of_number = s.scalar(select(Invoice.number).where(
            Invoice.id == inv.credit_of_id)) or ""
    credit_ids = tuple(s.scalars(select(Invoice.id).where(Invoice.credit_of_id == inv.id)
                                 .order_by(Invoice.issue_date, Invoice.id)))
    open_minor = inv.total_minor - inv.paid_minor - inv.credited_minor
    return InvoiceRecord(
        id=inv.id, kind=inv.kind, number=inv.number or "", status=inv.status,
        customer_person_id=inv.customer_person_id,
        customer_organization_id=inv.customer_organization_id,
        billing_name=inv.billing_name,
        billing_address=tuple(x for x in inv.billing_address.split("\n") if x),
        billing_country=inv.billing_country, billing_tax_id=inv.billing_tax_id,
        billing_email=inv.billing_email, currency=currency, issue_date=inv.issue_date,
        due_date=inv.due_date, payment_terms_days=inv.payment_terms_days,
        prices_include_tax=inv.prices_include_tax, lines=lines, tax_totals=taxes,
        net=from_minor(inv.net_minor, currency), tax=from_minor(inv.tax_minor, currency),
        total=from_minor(inv.total_minor, currency), paid=from_minor(inv.paid_minor, currency),
        credited=from_minor(inv.credited_minor, currency),
        open_amount=from_minor(open_minor, currency), payments=payments,
        credit_of_id=inv.credit_of_id, credit_of_number=credit_of_number,
        credit_note_ids=credit_ids, quote_id=inv.quote_id, recurring_id=inv.recurring_id,
        series_id=inv.series_id, notes=inv.notes, issued_at=inv.issued_at,
        created_at=inv.created_at, updated_at=inv.updated_at,
    )

