"""Helpers for the schedule's tests: wall-clock times, job drafts, refusals. The
fixtures are in `tests.support.schedule_fixtures`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services.business import BusinessSettings
from crasme_desktop.services.schedule import JobDraft
from tests.support.sentences import assert_one_sentence

#: Thursday 10 December 2026, 10:00 in Berlin.
START = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
ZONE = "Europe/Berlin"
SELLER = BusinessSettings(
    name="Rossi Haustechnik", address_lines=("Hauptstr. 1", "10115 Berlin"),
    country_code="DE", default_currency="EUR", locale="en_GB",
)


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime:
    """A wall-clock time in the office's zone (naive, as a form gives it)."""
    return datetime(year, month, day, hour, minute)


def job(customer: Any = None, *, title: str = "Boiler service", start: datetime | None = None,
        hours: float = 3, duration: int = 90, **more: Any) -> JobDraft:
    """A job draft with a window of `hours` from `start` (default Monday 14 December,
    09:00)."""
    from datetime import timedelta

    begin = start or at(14, 9)
    if customer is not None:
        key = "organization_id" if hasattr(customer, "website") else "person_id"
        more.setdefault(key, customer.id)
    return JobDraft(title=title, window_start=begin, window_end=begin + timedelta(hours=hours),
                    duration_minutes=duration, **more)


def refused(call: Any, *args: Any, match: str, kind: type[Exception] = UserError,
            **kwargs: Any) -> Any:
    """Call, expect a UserError of `kind` with one sentence containing `match`."""
    with pytest.raises(kind) as caught:
        call(*args, **kwargs)
    assert_one_sentence(caught.value.message)  # type: ignore[attr-defined]
    assert match in caught.value.message, caught.value.message  # type: ignore[attr-defined]
    return caught.value
