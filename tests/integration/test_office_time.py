"""The office's time zone: kept in the vault, refused with a sentence when unknown,
and local days that are 23 or 25 hours long across daylight-saving changes."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import office_time


def test_the_chosen_zone_is_kept_in_the_vault(vault):
    office_time.set_office_zone(vault, "Europe/Berlin")
    assert office_time.office_zone(vault) == ZoneInfo("Europe/Berlin")


def test_an_unknown_zone_is_refused_in_a_sentence(vault):
    with pytest.raises(UserError, match="not a time zone this computer knows"):
        office_time.set_office_zone(vault, "Mars/Olympus")


def test_local_days_across_daylight_saving_changes():
    berlin = ZoneInfo("Europe/Berlin")
    start, end = office_time.local_day_bounds(date(2026, 3, 29), berlin)
    assert (end - start).total_seconds() == 23 * 3600
    start, end = office_time.local_day_bounds(date(2026, 10, 25), berlin)
    assert (end - start).total_seconds() == 25 * 3600
    assert start == datetime(2026, 10, 24, 22, 0)


def test_round_trip_between_wall_clock_and_stored_utc():
    berlin = ZoneInfo("Europe/Berlin")
    stored = office_time.to_utc(datetime(2026, 7, 1, 9, 30), berlin)
    assert stored == datetime(2026, 7, 1, 7, 30)
    assert office_time.to_local(stored, berlin).hour == 9
