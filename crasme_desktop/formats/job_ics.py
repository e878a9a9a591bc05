"""A staff member's jobs as an iCalendar file (RFC 5545), and ICS files read back as
events to put on the schedule. Pure conversion: no database, no files.

Writing: one VEVENT per job with its UID (made once per job and kept), DTSTART and
DTEND in UTC ("...Z", so no VTIMEZONE is needed), SUMMARY, LOCATION (the site address
on one line), DESCRIPTION (customer, phone, agreed window, notes) and STATUS
(CANCELLED for cancelled jobs, else CONFIRMED). `icalendar` escapes the text and folds
the lines.

Reading (`read_events`), decided so that an import is predictable and all or nothing:
- A file that is not a calendar, has a line that cannot be read, a broken value (a date
  such as "2026121X", a repeat rule such as FREQ=SOMETIMES), an event without a start,
  or an event that ends before it starts is refused with one sentence naming the
  problem (`UserError`): the caller then imports nothing.
- Times with a TZID are converted from that zone (IANA names, Windows names such as
  "W. Europe Standard Time", or a VTIMEZONE in the file); a TZID nobody knows is
  refused. Floating times (no zone) and all-day dates are in the office's zone; an
  all-day event covers its days from midnight to midnight. An event without DTEND or
  DURATION lasts an hour (a whole day when all-day).
- Repeating events (RRULE, with RDATE and EXDATE) are expanded in the event's own wall
  clock (a weekly 09:00 meeting stays at 09:00 across daylight-saving changes) for
  occurrences starting from the import day up to `HORIZON_DAYS` later, at most
  `MAX_OCCURRENCES` per event; a rule that repeats more often (or more often than
  daily) is refused with a sentence. Changed occurrences (RECURRENCE-ID) replace theirs.
  Each occurrence gets the UID "<event UID>/<its original start in UTC>", so importing
  the same file again finds it.
- STATUS:CANCELLED marks an event (or occurrence) cancelled. An event without a UID gets
  one made from its summary and start, so a second import matches it too.
- At most `MAX_EVENTS` events per file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from crasme_desktop.domain.errors import UserError

PRODID = "-//Crasme Desktop//Schedule//EN"
HORIZON_DAYS = 365
MAX_OCCURRENCES = 400
MAX_EVENTS = 5000
DEFAULT_LENGTH = timedelta(hours=1)
_TOO_OFTEN = ("SECONDLY", "MINUTELY", "HOURLY")

__all__ = ["HORIZON_DAYS", "MAX_EVENTS", "MAX_OCCURRENCES", "IcsEvent", "IcsJob",
           "read_events", "write_calendar"]


@dataclass(frozen=True)
class IcsJob:
    """One job as it goes into the file (times aware, any zone)."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    location: str = ""
    description: str = ""
    cancelled: bool = False
    created: datetime | None = None
    modified: datetime | None = None


@dataclass(frozen=True)
class IcsEvent:
    """One event (or one occurrence of a repeating event) read from a file."""

    uid: str
    summary: str
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    location: str = ""
    description: str = ""
    cancelled: bool = False
    all_day: bool = False


# -- writing ---------------------------------------------------------------------------
def write_calendar(jobs: Iterable[IcsJob], *, name: str, now: datetime) -> bytes:
    """The jobs as one VCALENDAR (CRLF line ends, folded lines)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = _utc(now)
    for job in jobs:
        event = Event()
        event.add("uid", job.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", _utc(job.start))
        event.add("dtend", _utc(job.end))
        event.add("summary", job.summary)
        if job.location:
            event.add("location", ", ".join(p.strip() for p in job.location.splitlines()
                                            if p.strip()))
        if job.description:
            event.add("description", job.description)
        event.add("status", "CANCELLED" if job.cancelled else "CONFIRMED")
        if job.created is not None:
            event.add("created", _utc(job.created))
        if job.modified is not None:
            event.add("last-modified", _utc(job.modified))
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def _utc(moment: datetime) -> datetime:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(UTC)


# -- reading ---------------------------------------------------------------------------
def read_events(data: bytes, *, zone: ZoneInfo, today: date,
                horizon_days: int = HORIZON_DAYS,
                max_occurrences: int = MAX_OCCURRENCES) -> list[IcsEvent]:
    """Every event of the file (repeating ones expanded, see the module notes), in the
    order of their start. Raises `UserError` with one sentence for a file it refuses."""
    from icalendar import Calendar

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError("The calendar file is not UTF-8 text as ICS files are, so nothing "
                        "was imported.") from None
    try:
        calendar = Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as exc:
        raise UserError(f"This is not a calendar file or it is damaged "
                        f"({_first_line(str(exc))}), so nothing was imported.") from None
    if isinstance(calendar, list) or calendar.name != "VCALENDAR":
        raise UserError("This is not one calendar (VCALENDAR), so nothing was imported.")
    broken = _first_error(calendar)
    if broken:
        raise UserError(f"The calendar file is damaged ({broken}), so nothing was imported.")
    events = list(calendar.walk("VEVENT"))
    if len(events) > MAX_EVENTS:
        raise UserError(f"The calendar has {len(events)} events, more than {MAX_EVENTS}; "
                        "export a shorter period and import that.")
    horizon = _Horizon(zone, today, horizon_days)
    masters: dict[str, Any] = {}
    overrides: dict[str, dict[datetime, Any]] = {}
    for event in events:
        uid = _uid(event, zone)
        if event.get("RECURRENCE-ID") is not None:
            original = _moment(event, "RECURRENCE-ID", zone)[0]
            overrides.setdefault(uid, {})[original] = event
        else:
            masters[uid] = event
    out: list[IcsEvent] = []
    for uid, event in masters.items():
        changed = overrides.pop(uid, {})
        if event.get("RRULE") is None and event.get("RDATE") is None:
            out.append(_single(uid, event, zone))
            continue
        out.extend(_expanded(uid, event, changed, zone, horizon, max_occurrences))
    for uid, changed in overrides.items():  # changed occurrences of a series not in the file
        for original, event in changed.items():
            out.append(_single(_occurrence_uid(uid, original), event, zone))
    out.sort(key=lambda e: (e.start, e.uid))
    return out


@dataclass(frozen=True)
class _Horizon:
    zone: ZoneInfo
    today: date
    days: int

    @property
    def start(self) -> datetime:
        return datetime.combine(self.today, time(0), tzinfo=self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return (datetime.combine(self.today + timedelta(days=self.days), time(0),
                                 tzinfo=self.zone).astimezone(UTC))


def _first_line(text: str) -> str:
    """icalendar's reason, in words a person reads ("the line “…” cannot be read")."""
    line = " ".join(text.split())
    unreadable = _UNREADABLE.search(line)
    if unreadable:
        return f"the line “{unreadable[1][:80]}” cannot be read"
    bad_date = _BAD_DATE.search(line)
    if bad_date:
        return f"“{bad_date[1][:40]}” is not a date"
    return line[:120].rstrip(".")


_UNREADABLE = re.compile(r"Content line could not be parsed into parts: '(.*?)'(?::|$)")
_BAD_DATE = re.compile(r"Wrong date(?:time)? format:? (\S+)")


def _first_error(calendar: Any) -> str:
    for component in calendar.walk():
        for prop, message in getattr(component, "errors", ()):
            what = _first_line(str(message))
            return f"{prop}: {what}" if prop else what
    return ""


def _summary(event: Any) -> str:
    return " ".join(str(event.get("SUMMARY", "") or "").split())


def _name(event: Any) -> str:
    summary = _summary(event)
    shown = summary if len(summary) <= 60 else summary[:59] + "…"
    return f"“{shown}”" if shown else "without a title"


def _uid(event: Any, zone: ZoneInfo) -> str:
    uid = str(event.get("UID", "") or "").strip()
    if uid:
        return uid
    start = event.get("DTSTART")
    seed = f"{_summary(event)}|{start.to_ical().decode() if start is not None else ''}"
    return "made-" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]


def _occurrence_uid(uid: str, original: datetime) -> str:
    base = uid if len(uid) <= 200 else "sha256-" + hashlib.sha256(uid.encode()).hexdigest()
    return f"{base}/{original.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _moment(event: Any, name: str, zone: ZoneInfo) -> tuple[datetime, bool]:
    """A date or time property as an aware time, and whether it was a date (all-day)."""
    prop = event.get(name)
    if prop is None:
        raise UserError(f"The event {_name(event)} has no {_PROPERTY_WORDS.get(name, name)}, "
                        "so nothing was imported.")
    value = prop.dt
    if isinstance(value, datetime):
        if value.tzinfo is None:
            tzid = prop.params.get("TZID")
            if tzid:
                raise UserError(f"The event {_name(event)} uses the time zone “{tzid}”, "
                                "which this computer does not know, so nothing was "
                                "imported.")
            value = value.replace(tzinfo=zone)  # floating: the office's wall clock
        return value, False
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=zone), True
    raise UserError(f"The event {_name(event)} has a {name} that is not a date or a time, "
                    "so nothing was imported.")


_PROPERTY_WORDS = {"DTSTART": "start time", "DTEND": "end time",
                   "RECURRENCE-ID": "original start"}


def _span(event: Any, zone: ZoneInfo) -> tuple[datetime, datetime, bool]:
    start, all_day = _moment(event, "DTSTART", zone)
    if event.get("DTEND") is not None:
        end, _ = _moment(event, "DTEND", zone)
    elif event.get("DURATION") is not None:
        length = event["DURATION"].dt
        if not isinstance(length, timedelta):
            raise UserError(f"The event {_name(event)} has a length that cannot be read, so "
                            "nothing was imported.")
        end = _wall_add(start, length) if all_day else start + length
    else:
        end = _wall_add(start, timedelta(days=1)) if all_day else start + DEFAULT_LENGTH
    if end.astimezone(UTC) <= start.astimezone(UTC):
        raise UserError(f"The event {_name(event)} ends before it starts, so nothing was "
                        "imported.")
    return start, end, all_day


def _wall_add(start: datetime, length: timedelta) -> datetime:
    """`start` + whole days on the wall clock (a day across a change is 23 or 25 h)."""
    zone = start.tzinfo
    return (start.replace(tzinfo=None) + length).replace(tzinfo=zone)


def _text(event: Any, name: str) -> str:
    return str(event.get(name, "") or "").strip()


def _cancelled(event: Any) -> bool:
    return _text(event, "STATUS").upper() == "CANCELLED"


def _single(uid: str, event: Any, zone: ZoneInfo) -> IcsEvent:
    start, end, all_day = _span(event, zone)
    return IcsEvent(uid, _summary(event), start.astimezone(UTC), end.astimezone(UTC),
                    _text(event, "LOCATION"), _text(event, "DESCRIPTION"), _cancelled(event),
                    all_day)


def _expanded(uid: str, event: Any, changed: dict[datetime, Any], zone: ZoneInfo,
              horizon: _Horizon, limit: int) -> list[IcsEvent]:
    start, end, all_day = _span(event, zone)
    length_wall = end.replace(tzinfo=None) - start.replace(tzinfo=None)
    own_zone: tzinfo = start.tzinfo or zone
    starts = _occurrences(event, start, own_zone, horizon, limit)
    by_utc = {s.astimezone(UTC): s for s in starts}
    overrides = {k.astimezone(UTC): v for k, v in changed.items()}
    for original_utc, original in ((k.astimezone(UTC), k) for k in changed):
        by_utc.setdefault(original_utc, original)
    out = []
    for original_utc, occurrence in sorted(by_utc.items()):
        override = overrides.get(original_utc)
        if override is not None:
            one = _single(_occurrence_uid(uid, original_utc), override, zone)
            if one.end <= horizon.start or one.start >= horizon.end:
                continue
            out.append(one)
            continue
        finish = (occurrence.replace(tzinfo=None) + length_wall).replace(tzinfo=own_zone)
        if finish.astimezone(UTC) <= occurrence.astimezone(UTC):
            finish = occurrence + (end - start)
        out.append(IcsEvent(_occurrence_uid(uid, original_utc), _summary(event),
                            occurrence.astimezone(UTC), finish.astimezone(UTC),
                            _text(event, "LOCATION"), _text(event, "DESCRIPTION"),
                            _cancelled(event), all_day))
    return out


def _occurrences(event: Any, start: datetime, own_zone: tzinfo, horizon: _Horizon,
                 limit: int) -> list[datetime]:
    """The starts of the series in the horizon, on the event's own wall clock."""
    from dateutil.rrule import rrulestr

    wall_start = start.replace(tzinfo=None)
    found: list[datetime] = []
    rules = event.get("RRULE")
    for rule in rules if isinstance(rules, list) else ([rules] if rules is not None else []):
        freq = (rule.get("FREQ") or [""])[0]
        if str(freq).upper() in _TOO_OFTEN:
            raise UserError(f"The event {_name(event)} repeats more often than daily; such "
                            "events are not imported, so nothing was imported.")
        parts = {k: v for k, v in rule.items() if k != "UNTIL"}
        text = type(rule)(parts).to_ical().decode()
        try:
            expanded = rrulestr(text, dtstart=wall_start)
            until = (rule.get("UNTIL") or [None])[0]
            if until is not None:
                expanded = expanded.replace(until=_wall_until(until, own_zone))
        except (ValueError, TypeError) as exc:
            raise UserError(f"The event {_name(event)} has a repeat rule that cannot be read "
                            f"({_first_line(str(exc))}), so nothing was imported.") from None
        for wall in expanded:
            moment = wall.replace(tzinfo=own_zone)
            utc = moment.astimezone(UTC)
            if utc >= horizon.end:
                break
            if utc >= horizon.start:
                found.append(moment)
                if len(found) > limit:
                    raise UserError(
                        f"The event {_name(event)} repeats more than {limit} times in the "
                        f"next {horizon.days} days; shorten the series in your calendar, "
                        "then import it again (nothing was imported).")
    extra_times, extra_days = _date_list(event, "RDATE", own_zone)
    extra_times += [datetime.combine(d, wall_start.time()).replace(tzinfo=own_zone)
                    for d in extra_days]
    found += [m for m in extra_times if horizon.start <= m.astimezone(UTC) < horizon.end]
    gone_times, gone_days = _date_list(event, "EXDATE", own_zone)
    gone = {x.astimezone(UTC) for x in gone_times}
    unique = {m.astimezone(UTC): m for m in found
              if m.astimezone(UTC) not in gone and m.date() not in gone_days}
    return [unique[k] for k in sorted(unique)]


def _wall_until(until: date | datetime, own_zone: tzinfo) -> datetime:
    if isinstance(until, datetime):
        if until.tzinfo is not None:
            return until.astimezone(own_zone).replace(tzinfo=None)
        return until
    return datetime.combine(until, time(23, 59, 59))


def _date_list(event: Any, name: str, own_zone: tzinfo) -> tuple[list[datetime], set[date]]:
    """An RDATE or EXDATE property: its times (aware) and its whole days."""
    value = event.get(name)
    times: list[datetime] = []
    days: set[date] = set()
    for item in value if isinstance(value, list) else ([value] if value is not None else []):
        for one in getattr(item, "dts", []):
            moment = one.dt
            if isinstance(moment, datetime):
                times.append(moment if moment.tzinfo else moment.replace(tzinfo=own_zone))
            elif isinstance(moment, date):
                days.add(moment)
    return times, days
