"""Money: Decimal amounts, integer minor units in the vault, and how totals are rounded.

Amounts are `Decimal` everywhere and stored as integers of the currency's minor unit
(cents for EUR, yen for JPY, fils for KWD: ISO 4217 digits from babel). Never float.
Rounding is ROUND_HALF_UP (half away from zero) to the currency's minor unit.

The rounding rule for a document (EN 16931 style, so the totals agree with Factur-X):

Prices without tax (`prices_include_tax=False`):
  1. line net = round(quantity x unit price x (1 - discount / 100)), per line;
  2. per tax rate: net = sum of that rate's line nets (exact, already rounded),
     tax = round(net x rate / 100);
  3. total = sum of line nets + sum of the per-rate taxes.

Prices with tax (`prices_include_tax=True`):
  1. line gross = round(quantity x unit price x (1 - discount / 100)), per line;
  2. per tax rate: gross = sum of that rate's line grosses,
     net = round(gross / (1 + rate / 100)), tax = gross - net;
  3. total = sum of line grosses (= nets + taxes). The line nets shown on the document
     split each rate's net over its lines by cumulative rounding (line i gets
     round(net of lines 1..i) - round(net of lines 1..i-1)), so the line nets of a rate
     always add up to that rate's net, as EN 16931 requires (BR-CO-10, BR-S-08).

How far the total can be from the exact, unrounded amount (in minor units):
  with tax-inclusive prices at most lines x 1/2; with net prices at most
  sum over lines of (1 + rate) / 2 plus rates x 1/2, because the tax is charged on
  the rounded line nets. A rounding of half a cent on a line therefore moves the
  total by up to (1 + rate) half-cents: with rates up to 100 % that is within
  (number of rates + 2 x number of lines) half-minor-units. `tests/unit/test_money*.py`
  checks both bounds with hypothesis.

Credit notes carry positive amounts and `kind="credit_note"` (as in Factur-X type 381);
rounding is symmetric, so a negative amount rounds like its positive counterpart.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel.numbers import format_currency, get_currency_precision, is_currency

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@functools.lru_cache(maxsize=256)
def currency_digits(code: str) -> int:
    """Number of minor-unit digits of an ISO 4217 currency: EUR 2, JPY 0, KWD 3."""
    return int(get_currency_precision(code.upper()))


def is_known_currency(code: str) -> bool:
    """True for an ISO 4217 code babel knows, such as "EUR" (upper case expected)."""
    return len(code) == 3 and code.isalpha() and code.isupper() and bool(is_currency(code))


@functools.lru_cache(maxsize=256)
def _quantum(code: str) -> Decimal:
    return Decimal(1).scaleb(-currency_digits(code))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half up to the currency's minor unit (keeps that many digits)."""
    with localcontext() as ctx:
        ctx.prec = 60
        return amount.quantize(_quantum(currency), rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    """Integer minor units of `amount` (rounded half up first): 12.345 EUR -> 1235."""
    rounded = round_money(amount, currency)
    return int(rounded.scaleb(currency_digits(currency)))


def from_minor(minor: int, currency: str) -> Decimal:
    """The Decimal amount of `minor` units, with the currency's digits: 1235 -> 12.35."""
    return Decimal(int(minor)).scaleb(-currency_digits(currency))


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """Amount for people, in their locale: "1.234,50 €" (de_DE), "$1,234.50" (en_US)."""
    return format_currency(round_money(amount, currency), currency, locale=locale)


def percent_to_bp(percent: Decimal) -> int:
    """Tax rate percent to basis points: 19 -> 1900, 5.5 -> 550 (two decimals kept)."""
    return int((percent * HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def bp_to_percent(bp: int) -> Decimal:
    """Basis points to a percent without trailing zeros: 1900 -> 19, 550 -> 5.5."""
    value = Decimal(int(bp)).scaleb(-2)
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


@dataclass(frozen=True)
class MoneyLine:
    """What the totals need of one line: amounts as entered, percents as Decimals."""

    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate_percent: Decimal


@dataclass(frozen=True)
class RateTotal:
    rate_percent: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax: Decimal
    total: Decimal
    per_rate: tuple[RateTotal, ...]
    line_nets: tuple[Decimal, ...]
    line_amounts: tuple[Decimal, ...]  # as priced: nets, or grosses with inclusive prices


def line_amount(line: MoneyLine, currency: str) -> Decimal:
    """The rounded line amount as priced: quantity x price x (1 - discount)."""
    with localcontext() as ctx:
        ctx.prec = 60
        exact = line.quantity * line.unit_price * (HUNDRED - line.discount_percent) / HUNDRED
    return round_money(exact, currency)


def compute_totals(
    lines: Iterable[MoneyLine], currency: str, prices_include_tax: bool
) -> Totals:
    """Totals by the rule in this module's docstring; per-rate totals by ascending rate."""
    items: Sequence[MoneyLine] = tuple(lines)
    amounts = [line_amount(line, currency) for line in items]
    by_rate: dict[Decimal, list[int]] = {}
    for index, line in enumerate(items):
        by_rate.setdefault(line.tax_rate_percent.normalize(), []).append(index)
    line_nets: list[Decimal] = list(amounts)
    per_rate: list[RateTotal] = []
    with localcontext() as ctx:
        ctx.prec = 60
        for rate in sorted(by_rate):
            indexes = by_rate[rate]
            factor = (HUNDRED + rate) / HUNDRED
            if prices_include_tax:
                gross = sum((amounts[i] for i in indexes), ZERO)
                net = round_money(gross / factor, currency)
                tax = gross - net
                running = ZERO
                previous = ZERO
                for i in indexes:
                    running += amounts[i]
                    cumulative = round_money(running / factor, currency)
                    line_nets[i] = cumulative - previous
                    previous = cumulative
            else:
                net = sum((amounts[i] for i in indexes), ZERO)
                tax = round_money(net * rate / HUNDRED, currency)
            per_rate.append(RateTotal(rate_percent=rate, net=net, tax=tax))
    zero = round_money(ZERO, currency)
    net_total = sum((r.net for r in per_rate), zero)
    tax_total = sum((r.tax for r in per_rate), zero)
    return Totals(
        net=net_total,
        tax=tax_total,
        total=net_total + tax_total,
        per_rate=tuple(per_rate),
        line_nets=tuple(line_nets),
        line_amounts=tuple(amounts),
    )
