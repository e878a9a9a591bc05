"""Rules of sales documents, without a database: status moves, numbering patterns,
bank details, and what a line must hold before it can be issued.

Each refusal is a `UserError` with one sentence that says what to do.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.money import currency_digits, is_known_currency
from crasme_desktop.domain.validation import quoted

# -- statuses ------------------------------------------------------------------------
QUOTE_MOVES: dict[str, frozenset[str]] = {
    "draft": frozenset({"sent", "accepted", "declined"}),
    "sent": frozenset({"draft", "accepted", "declined", "expired"}),
    "expired": frozenset({"sent", "accepted", "declined"}),
    "declined": frozenset({"draft", "sent"}),
    "accepted": frozenset({"sent"}),
}
QUOTE_STATUS_WORDS = {
    "draft": "a draft",
    "sent": "sent",
    "accepted": "accepted",
    "declined": "declined",
    "expired": "expired",
}
INVOICE_STATUS_WORDS = {
    "draft": "a draft",
    "issued": "issued",
    "partly_paid": "partly paid",
    "paid": "paid",
    "cancelled": "cancelled",
}
OPEN_STATUSES = ("issued", "partly_paid")
RECURRING_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def check_quote_move(current: str, new: str) -> None:
    """Refuse a status change a quote cannot make, e.g. accepted -> declined."""
    if new not in QUOTE_STATUS_WORDS:
        raise ValueError(f"unknown quote status {new!r}")
    if new == current:
        return
    if new not in QUOTE_MOVES.get(current, frozenset()):
        raise UserError(
            f"A quote that is {QUOTE_STATUS_WORDS[current]} cannot be marked "
            f"{QUOTE_STATUS_WORDS[new]}; send it again first."
        )


def effective_quote_status(status: str, valid_until: date | None, today: date) -> str:
    """A draft or sent quote whose validity has passed counts as expired."""
    if status in ("draft", "sent") and valid_until is not None and valid_until < today:
        return "expired"
    return status


def status_after_money(total: int, paid: int, credited: int) -> str:
    """The status of an issued invoice from its amounts (minor units)."""
    if total - paid - credited <= 0:
        return "paid" if paid > 0 or total == 0 else "cancelled"
    return "partly_paid" if paid > 0 else "issued"


def is_overdue(status: str, due_date: date | None, today: date) -> bool:
    return status in OPEN_STATUSES and due_date is not None and due_date < today


# -- numbering -----------------------------------------------------------------------
_TOKEN = re.compile(r"\{([^{}]*)\}")
_COUNTER = re.compile(r"0+")
DATE_TOKENS = ("YYYY", "YY", "MM")


def check_pattern(pattern: str) -> str:
    """A numbering pattern such as `INV-{YYYY}-{0000}`: exactly one counter `{0000}`
    (its zeros give the least width), and optionally {YYYY}, {YY}, {MM}."""
    text = pattern.strip()
    if not text:
        raise UserError("Enter a numbering pattern, such as INV-{YYYY}-{0000}.")
    if len(text) > 40:
        raise UserError("Keep the numbering pattern under 40 characters.")
    counters = 0
    for token in _TOKEN.findall(text):
        if _COUNTER.fullmatch(token):
            counters += 1
        elif token not in DATE_TOKENS:
            raise UserError(
                f"The numbering pattern has an unknown part {quoted('{' + token + '}')}; "
                "use {YYYY}, {YY}, {MM} and one counter such as {0000}."
            )
    if counters != 1:
        raise UserError(
            "The numbering pattern needs exactly one counter, such as {0000}, "
            "for example INV-{YYYY}-{0000}."
        )
    if _TOKEN.sub("", text).count("{") or _TOKEN.sub("", text).count("}"):
        raise UserError("The numbering pattern has a brace that is not closed.")
    return text


def format_number(pattern: str, value: int, on: date) -> str:
    """`INV-{YYYY}-{0000}`, 7, 2026-03-01 -> `INV-2026-0007` (wider numbers grow)."""

    def part(match: re.Match[str]) -> str:
        token = match.group(1)
        if token == "YYYY":  # nosec B105  # a label or setting name, not a password
            return f"{on.year:04d}"
        if token == "YY":  # nosec B105  # a label or setting name, not a password
            return f"{on.year % 100:02d}"
        if token == "MM":  # nosec B105  # a label or setting name, not a password
            return f"{on.month:02d}"
        return f"{value:0{len(token)}d}"

    return _TOKEN.sub(part, pattern)


def counter_period(reset: str, on: date) -> str:
    """Which counter a number is taken from: the year for yearly series, else ""."""
    return f"{on.year:04d}" if reset == "yearly" else ""


# -- bank details --------------------------------------------------------------------
def normalize_iban(value: str) -> str:
    """An IBAN in its compact form (no spaces, upper case); empty stays empty."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return str(stdnum_iban.validate(text))
    except ValidationError:
        raise UserError(
            f"The IBAN {quoted(text)} is not valid; copy it again from your bank statement."
        ) from None


def format_iban(value: str) -> str:
    """An IBAN in groups of four, as it is printed."""
    return str(stdnum_iban.format(value)) if value else ""


def normalize_bic(value: str) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return str(stdnum_bic.validate(text))
    except ValidationError:
        raise UserError(
            f"The BIC {quoted(text)} is not valid; it has 8 or 11 letters and digits, "
            "such as COBADEFFXXX."
        ) from None


def normalize_currency(value: str) -> str:
    text = (value or "").strip().upper()
    if not is_known_currency(text):
        raise UserError(
            f"The currency {quoted(value or '')} is not known; use a three-letter code "
            "such as EUR or USD."
        )
    return text


# -- lines ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LineCheck:
    """A line's numbers as an issued document needs them."""

    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    description: str


def parse_decimal(value: Decimal | str | int, what: str) -> Decimal:
    """A Decimal from a Decimal, an int or typed text ("1,5" is taken as 1.5)."""
    if isinstance(value, float):
        raise TypeError("amounts are never floats")
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise UserError(f"The {what} {quoted(str(value))} is not a number.") from None
    if not result.is_finite():
        raise UserError(f"The {what} {quoted(str(value))} is not a number.")
    return result


def check_price_digits(amount: Decimal, currency: str, what: str = "price") -> None:
    """Refuse more decimals than the currency has (prices are kept in minor units)."""
    digits = currency_digits(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-digits)):
        allowed = f"{digits} decimals" if digits else "no decimals"
        raise UserError(
            f"The {what} {amount} has more decimals than {currency} allows ({allowed}); "
            "round it."
        )


def check_discount(discount: Decimal) -> None:
    if discount < 0 or discount > 100:
        raise UserError(
            f"The discount {discount} % is outside 0 to 100 %; enter a discount between 0 and 100."
        )
    if discount != discount.quantize(Decimal("0.01")):
        raise UserError(f"The discount {discount} % has more than two decimals; round it.")


def check_line_for_issue(line: LineCheck, position: int) -> None:
    """Refuse a line that cannot go on an issued document (position counts from 1)."""
    name = quoted(line.description, 40) if line.description.strip() else f"line {position}"
    if line.quantity <= 0:
        raise UserError(
            f"The quantity of {name} is {line.quantity}; enter a quantity above zero "
            "or remove the line."
        )
    if line.discount_percent < 0 or line.discount_percent > 100:
        raise UserError(
            f"The discount of {name} is {line.discount_percent} %; "
            "enter a discount between 0 and 100."
        )
    if not line.description.strip():
        raise UserError(f"Describe what line {position} is for before issuing.")


# -- dates ---------------------------------------------------------------------------
def add_months(start: date, months: int) -> date:
    """`start` moved by whole months, the day kept or clamped to the month's end."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def recurring_dates(start: date, interval: str, after: date | None, until: date) -> list[date]:
    """The periods of a plan from `start` (each `interval` later, counted from `start` so
    that month ends do not drift) later than `after` and not later than `until`."""
    months = RECURRING_MONTHS[interval]
    out: list[date] = []
    k = 0
    while True:
        when = add_months(start, k * months)
        if when > until:
            return out
        if after is None or when > after:
            out.append(when)
        k += 1
