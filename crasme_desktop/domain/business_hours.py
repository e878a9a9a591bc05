"""Business hours: the office's weekly opening hours, its holidays and its time zone,
and counting in business minutes across them.

`OpeningHours` gives each weekday (Monday first) zero or more local intervals, in
minutes from local midnight (a day may end at 24:00); the default is Monday to Friday
09:00-17:00. A holiday closes the whole local day.

`BusinessCalendar` counts real elapsed time inside those intervals. Each local
interval is turned into UTC on its own day, so a 09:00-17:00 day is 8 business hours
even on a daylight-saving change day (the change happens at night); an interval that
spans a change is as long as the clock really runs (an interval 00:00-24:00 is 23 h on
the spring day). A wall-clock time skipped by a spring-forward change is read with the
offset before the change (`zoneinfo`, fold=0).

Times go in and come out as naive UTC, as the vault stores them (aware times are
accepted and converted). `add(start, m)` is the earliest moment by which `m` business
minutes have passed since `start`: Friday 16:30 + 30 min is Friday 17:00, + 60 min is
Monday 09:30. `minutes_between(a, b)` counts the whole business minutes between two
moments (negative when b is before a), so `minutes_between(a, add(a, m)) == m`.

Both walk interval by interval (a day's intervals are computed once and kept), and a
whole week with no holiday and no change of UTC offset is skipped in one step, so
targets of weeks cost a few steps and spans of years a few hundred. For figures over
many tickets, `minutes_between_many` builds a table of the days spanned once and reads
each moment's business time from it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from crasme_desktop.domain.errors import UserError

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY_MINUTES = 24 * 60

Interval = tuple[int, int]

__all__ = [
    "DAY_MINUTES",
    "DEFAULT_HOURS",
    "WEEKDAY_KEYS",
    "WEEKDAY_NAMES",
    "BusinessCalendar",
    "OpeningHours",
    "clock_text",
    "duration_text",
    "parse_clock",
]


def parse_clock(text: str, *, day: str = "", allow_24: bool = False) -> int:
    """"HH:MM" as minutes from midnight; "24:00" only where `allow_24` (an end)."""
    value = str(text).strip()
    hours, sep, minutes = value.partition(":")
    ok = (sep == ":" and hours.isdigit() and minutes.isdigit() and len(minutes) == 2
          and len(hours) in (1, 2))
    if ok:
        total = int(hours) * 60 + int(minutes)
        limit = DAY_MINUTES if allow_24 else DAY_MINUTES - 1
        if int(minutes) < 60 and total <= limit:
            return total
    where = f" for {day}" if day else ""
    raise UserError(f"“{value}”{where} is not a time of day; write it as HH:MM, "
                    "for example 09:00 or 17:30.")


def clock_text(minute: int) -> str:
    """Minutes from midnight as "HH:MM" (1440 is "24:00")."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def duration_text(minutes: int) -> str:
    """A number of minutes for people: "40 min", "3 h", "2 h 15 min"."""
    minutes = abs(int(minutes))
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


@dataclass(frozen=True)
class OpeningHours:
    """Local opening intervals per weekday, Monday first, in minutes from midnight."""

    days: tuple[tuple[Interval, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError("opening hours need exactly seven days")
        for name, intervals in zip(WEEKDAY_NAMES, self.days, strict=True):
            previous_end = -1
            for start, end in intervals:
                if not 0 <= start < DAY_MINUTES or not 0 < end <= DAY_MINUTES:
                    raise UserError(f"{name}'s hours must lie between 00:00 and 24:00.")
                if end <= start:
                    raise UserError(f"{name}'s hours {clock_text(start)}–{clock_text(end)} "
                                    "end before they start.")
                if start < previous_end:
                    raise UserError(f"{name}'s opening hours overlap; give each stretch "
                                    "of the day once, in order.")
                previous_end = end

    @classmethod
    def weekdays(cls, start: str = "09:00", end: str = "17:00") -> OpeningHours:
        """The same hours Monday to Friday, closed at the weekend."""
        interval = (parse_clock(start), parse_clock(end, allow_24=True))
        return cls(tuple((interval,) if i < 5 else () for i in range(7)))

    @classmethod
    def from_json(cls, value: Any) -> OpeningHours:
        """From {"mon": [["09:00", "17:00"]], ...}; a missing day is closed."""
        if not isinstance(value, Mapping):
            raise UserError("The opening hours must give each weekday its list of "
                            "from-to times.")
        unknown = sorted(set(value) - set(WEEKDAY_KEYS))
        if unknown:
            raise UserError(f"“{unknown[0]}” is not a weekday; use mon, tue, wed, thu, "
                            "fri, sat or sun.")
        days: list[tuple[Interval, ...]] = []
        for key, name in zip(WEEKDAY_KEYS, WEEKDAY_NAMES, strict=True):
            raw = value.get(key) or []
            if not isinstance(raw, Sequence) or isinstance(raw, str):
                raise UserError(f"{name}'s hours must be a list of from-to times.")
            intervals = []
            for pair in raw:
                if (not isinstance(pair, Sequence) or isinstance(pair, str)
                        or len(pair) != 2):
                    raise UserError(f"{name}'s hours must be pairs of times, "
                                    "such as 09:00 to 17:00.")
                intervals.append((parse_clock(pair[0], day=name),
                                  parse_clock(pair[1], day=name, allow_24=True)))
            days.append(tuple(sorted(intervals)))
        return cls(tuple(days))

    def to_json(self) -> dict[str, list[list[str]]]:
        return {key: [[clock_text(s), clock_text(e)] for s, e in intervals]
                for key, intervals in zip(WEEKDAY_KEYS, self.days, strict=True)}

    @property
    def weekly_minutes(self) -> int:
        return sum(end - start for intervals in self.days for start, end in intervals)

    def describe(self) -> list[str]:
        """One line per weekday, e.g. "Monday: 09:00–12:00, 13:00–17:00" or "Sunday: closed"."""
        lines = []
        for name, intervals in zip(WEEKDAY_NAMES, self.days, strict=True):
            text = ", ".join(f"{clock_text(s)}–{clock_text(e)}" for s, e in intervals)
            lines.append(f"{name}: {text or 'closed'}")
        return lines


DEFAULT_HOURS = OpeningHours.weekdays()

_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_MINUTE = timedelta(minutes=1)
#: Days walked before giving up: beyond datetime's range.
_LAST_DAY = date.max - timedelta(days=14)


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


class BusinessCalendar:
    """Counting business minutes in one zone, with opening hours and holidays."""

    def __init__(self, hours: OpeningHours = DEFAULT_HOURS, holidays: Iterable[date] = (),
                 zone: tzinfo = UTC) -> None:
        self.hours = hours
        self.holidays = frozenset(holidays)
        self.zone = zone
        self._holiday_list = sorted(self.holidays)
        self._week = timedelta(minutes=hours.weekly_minutes)
        self._days: dict[date, tuple[tuple[datetime, datetime], ...]] = {}
        self._plain: dict[date, bool] = {}

    # -- days ------------------------------------------------------------------------

    def _utc(self, day: date, minute: int) -> datetime:
        local = datetime.combine(day, time()) + timedelta(minutes=minute)
        return local.replace(tzinfo=self.zone).astimezone(UTC).replace(tzinfo=None)

    def intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The local day's opening intervals in naive UTC (none on a holiday)."""
        found = self._days.get(day)
        if found is not None:
            return found
        out: list[tuple[datetime, datetime]] = []
        if day not in self.holidays:
            floor = self._utc(day, 0)
            ceiling = self._utc(day, DAY_MINUTES)
            for start, end in self.hours.days[day.weekday()]:
                s = min(max(self._utc(day, start), floor), ceiling)
                e = min(max(self._utc(day, end), s), ceiling)
                if e > s:
                    out.append((s, e))
                    floor = e
        result = tuple(out)
        if len(self._days) > 20000:
            self._days.clear()
        self._days[day] = result
        return result

    def local_date(self, value: datetime) -> date:
        """The office's calendar day of a (naive UTC or aware) moment."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(self.zone).date()

    def is_open(self, value: datetime) -> bool:
        value = _naive_utc(value)
        return any(s <= value < e for s, e in self.intervals(self.local_date(value)))

    def _plain_week(self, monday: date) -> bool:
        """No holiday and one UTC offset all week: its business time is the nominal one.
        Kept per week, as `intervals` keeps days: a page of tickets overdue for months
        asks about the same weeks for every row."""
        found = self._plain.get(monday)
        if found is not None:
            return found
        i = bisect_left(self._holiday_list, monday)
        if i < len(self._holiday_list) and self._holiday_list[i] < monday + _WEEK:
            plain = False
        else:
            offsets = {datetime.combine(monday + timedelta(days=k), time(), tzinfo=self.zone)
                       .utcoffset() for k in range(8)}
            plain = len(offsets) == 1
        self._plain[monday] = plain
        return plain

    # -- counting ------------------------------------------------------------------------

    def add(self, start: datetime, minutes: int) -> datetime:
        """The moment by which `minutes` business minutes have passed since `start`."""
        start = _naive_utc(start)
        if minutes < 0:
            raise ValueError("business minutes to add must not be negative")
        if minutes == 0:
            return start
        if not self._week:
            raise UserError("The office has no opening hours, so no target can be counted; "
                            "set the business hours first.")
        remaining = timedelta(minutes=minutes)
        day = self.local_date(start)
        first = True
        while True:
            if not first and day.weekday() == 0:
                while remaining > self._week and self._plain_week(day):
                    remaining -= self._week
                    day += _WEEK
                    if day > _LAST_DAY:
                        raise UserError("That target lies too far in the future to count.")
            for s, e in self.intervals(day):
                if e <= start:
                    continue
                s = max(s, start)
                if remaining <= e - s:
                    return s + remaining
                remaining -= e - s
            day += _DAY
            first = False
            if day > _LAST_DAY:
                raise UserError("That target lies too far in the future to count.")

    def minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole business minutes from `a` to `b` (negative when `b` is earlier)."""
        a, b = _naive_utc(a), _naive_utc(b)
        if b < a:
            return -self.minutes_between(b, a)
        total = timedelta()
        day, last = self.local_date(a), self.local_date(b)
        first = True
        while day <= last:
            if (not first and day.weekday() == 0 and day + _WEEK <= last
                    and self._plain_week(day)):
                total += self._week
                day += _WEEK
                continue
            for s, e in self.intervals(day):
                overlap = min(e, b) - max(s, a)
                if overlap > timedelta():
                    total += overlap
            day += _DAY
            first = False
        return total // _MINUTE

    def minutes_between_many(self, pairs: Sequence[tuple[datetime, datetime]]) -> list[int]:
        """`minutes_between` for many pairs at once (figures over many tickets): each
        moment becomes its business time since the first day, read from a table of the
        days the pairs span, with no time-zone conversion per moment."""
        if not pairs:
            return []
        clean = [(_naive_utc(a), _naive_utc(b)) for a, b in pairs]
        low = min(min(a, b) for a, b in clean)
        high = max(max(a, b) for a, b in clean)
        first = self.local_date(low) - _DAY
        count = (self.local_date(high) - first).days + 2
        days = [first + timedelta(days=i) for i in range(count)]
        starts = [self._utc(day, 0) for day in days]
        table = [self.intervals(day) for day in days]
        before = [timedelta()]
        for intervals in table:
            before.append(before[-1] + sum((e - s for s, e in intervals), timedelta()))

        def ordinal(moment: datetime) -> timedelta:
            i = max(bisect_right(starts, moment) - 1, 0)
            total = before[i]
            for s, e in table[i]:
                if moment <= s:
                    break
                total += min(e, moment) - s
            return total

        out = []
        for a, b in clean:
            span = ordinal(b) - ordinal(a)
            out.append(span // _MINUTE if span >= timedelta() else -((-span) // _MINUTE))
        return out

