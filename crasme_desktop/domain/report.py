"""Reports as plain records, shared by the Reports page, the CSV export and the PDF.

A `Report` is a title, the period it covers, typed columns and rows of plain values
(dates, text, `Decimal` amounts, integers), and the charts drawn from those rows. A
money column's amounts are in the currency held by the same row's "currency" column;
amounts of different currencies are never added up, so a report with several
currencies has one chart per currency.

Periods: the presets are calendar periods around today (this month is the 1st to the
last day of the month, last 12 months the twelve whole months up to and including this
one); a custom period is two dates, both included, at most `MAX_YEARS` years apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from crasme_desktop.domain.errors import UserError

#: (key, what a person reads), in the order a period picker offers them.
PRESETS = (
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("this_quarter", "This quarter"),
    ("last_quarter", "Last quarter"),
    ("this_year", "This year"),
    ("last_12_months", "Last 12 months"),
    ("custom", "Custom dates"),
)
MAX_YEARS = 10
#: A chart's unit for values in hours (currency codes are three capital letters).
HOURS_UNIT = "h"

#: Column kinds: how a value is written (for people and in CSV).
MONTH, WEEK, DAY, TEXT, CURRENCY, MONEY, COUNT, PERCENT, HOURS = (
    "month", "week", "day", "text", "currency", "money", "count", "percent", "hours")
#: Chart kinds: grouped bars, stacked bars, lines.
BARS, STACKED, LINES = "bars", "stacked", "lines"


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included
    preset: str = "custom"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        month, last, out = self.start.replace(day=1), self.end.replace(day=1), []
        while month <= last:
            out.append(month)
            month = add_months(month, 1)
        return out


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header
    title: str  # what a person reads
    kind: str  # one of the column kinds above

    @property
    def numeric(self) -> bool:
        return self.kind in (MONEY, COUNT, PERCENT, HOURS)


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[Decimal | int, ...]  # one per category of the chart


@dataclass(frozen=True)
class Chart:
    kind: str  # BARS | STACKED | LINES
    #: The x axis: dates (first day of a month, week or day: see `category_kind`) or text.
    categories: tuple[Any, ...]
    category_kind: str  # MONTH | WEEK | DAY | TEXT
    series: tuple[Series, ...]
    #: What the values are: a currency code, "%" for percents, "h" (HOURS_UNIT) for
    #: hours, "" for counts.
    unit: str = ""
    #: Set when a report has one chart per currency (the currency code).
    title: str = ""

    @property
    def empty(self) -> bool:
        return not self.categories or not any(v for s in self.series for v in s.values)


@dataclass(frozen=True)
class Report:
    key: str
    title: str
    period: Period
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    chart_kind: str
    charts: tuple[Chart, ...] = ()
    #: One sentence saying what is counted (shown under the title and in the PDF).
    note: str = ""

    def index(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def currency_of(self, row: tuple[Any, ...]) -> str:
        """The currency of the row's money columns ("" when the report has none)."""
        keys = [c.key for c in self.columns]
        return str(row[keys.index("currency")]) if "currency" in keys else ""


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_for(preset: str, today: date, start: date | None = None,
               end: date | None = None) -> Period:
    """The period a preset names around `today`, or the custom dates checked."""
    month = today.replace(day=1)
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    spans = {
        "this_month": (month, add_months(month, 1)),
        "last_month": (add_months(month, -1), month),
        "this_quarter": (quarter, add_months(quarter, 3)),
        "last_quarter": (add_months(quarter, -3), quarter),
        "this_year": (date(today.year, 1, 1), date(today.year + 1, 1, 1)),
        "last_12_months": (add_months(month, -11), add_months(month, 1)),
    }
    if preset in spans:
        first, after = spans[preset]
        return Period(first, after - timedelta(days=1), preset)
    if preset != "custom":
        raise ValueError(f"no period preset {preset!r}")
    if start is None or end is None:
        raise UserError("Choose the first and the last day of the period.")
    if end < start:
        raise UserError("The period ends before it starts; choose a last day on or after "
                        "the first.")
    if end > add_months(start, 12 * MAX_YEARS):
        raise UserError(f"A report covers at most {MAX_YEARS} years; choose a shorter "
                        "period.")
    return Period(start, end, "custom")
