"""Dated timeline entries as an iCalendar file (RFC 5545): meetings and calls as
VEVENT, tasks as VTODO.

Times are written in UTC ("…Z"), so the file needs no VTIMEZONE. Text values are
escaped (backslash, semicolon, comma, newline) and lines folded at 75 octets without
cutting a UTF-8 character, with CRLF line ends, as the RFC requires.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

PRODID = "-//Crasme Desktop//Privacy export//EN"


@dataclass(frozen=True)
class CalendarEntry:
    """One dated entry; `kind` is "event" (meeting, call) or "todo" (task)."""

    uid: str
    kind: str
    summary: str
    description: str
    created: datetime
    modified: datetime
    start: datetime | None = None
    due: datetime | None = None
    completed: datetime | None = None
    categories: tuple[str, ...] = ()


def escape_text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 section 3.3.11 says."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _stamp(moment: datetime) -> str:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.strftime("%Y%m%dT%H%M%SZ")


def _entry_lines(entry: CalendarEntry, now: datetime) -> list[str]:
    name = "VEVENT" if entry.kind == "event" else "VTODO"
    lines = [f"BEGIN:{name}", f"UID:{entry.uid}", f"DTSTAMP:{_stamp(now)}",
             f"CREATED:{_stamp(entry.created)}", f"LAST-MODIFIED:{_stamp(entry.modified)}"]
    if entry.start is not None:
        lines.append(f"DTSTART:{_stamp(entry.start)}")
    if entry.kind == "todo" and entry.due is not None:
        if entry.start is not None and entry.start > entry.due:
            lines.pop()  # a DUE before DTSTART is invalid: keep the due date only
        lines.append(f"DUE:{_stamp(entry.due)}")
    if entry.kind == "todo":
        if entry.completed is not None:
            lines += [f"COMPLETED:{_stamp(entry.completed)}", "STATUS:COMPLETED"]
        else:
            lines.append("STATUS:NEEDS-ACTION")
    lines.append(f"SUMMARY:{escape_text(entry.summary)}")
    if entry.description:
        lines.append(f"DESCRIPTION:{escape_text(entry.description)}")
    if entry.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in entry.categories))
    lines.append(f"END:{name}")
    return lines


def calendar_head() -> str:
    """The lines that open a VCALENDAR (for writing one in pieces)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    return "".join(line + "\r\n" for line in lines)


def calendar_entries(entries: Iterable[CalendarEntry], *, now: datetime) -> str:
    """The folded lines of these entries."""
    return "".join(fold(line) + "\r\n" for entry in entries
                   for line in _entry_lines(entry, now))


def calendar_tail() -> str:
    return "END:VCALENDAR\r\n"


def write_calendar(entries: Iterable[CalendarEntry], *, now: datetime) -> str:
    """The whole VCALENDAR, CRLF line ends."""
    return calendar_head() + calendar_entries(entries, now=now) + calendar_tail()
