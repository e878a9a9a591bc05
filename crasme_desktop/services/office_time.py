"""The office's time zone: business hours, SLA clocks, the schedule's days and the
day sheet are in it; times are stored in UTC and converted here.

The zone is kept in the vault (setting "office.time_zone", an IANA name such as
"Europe/Berlin"), so a vault carried to another machine keeps its office hours. Until
one is chosen it is the computer's own zone (TZ, then /etc/localtime, then /etc/timezone),
and UTC where none of those names one.

Permissions: the office's calendar (its zone here, the opening hours, holidays and SLA
targets in services.sla) and the list of staff members are read by every area that
plans with them, so reading them needs viewing staff, tickets or the schedule
(`require_planning_view`, in the public functions the screens call; the session-level
helpers others count with check nothing). Choosing the zone is a vault setting, like
the office's country: it needs "settings".
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy.orm import Session

from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import audit, permissions, stored
from crasme_desktop.vault import Vault

KEY = "office.time_zone"
#: Areas whose viewers may read the office's calendar and its staff list (besides staff).
PLANNING_AREAS = ("tickets", "schedule")

__all__ = ["KEY", "PLANNING_AREAS", "local_day_bounds", "office_zone",
           "require_planning_view", "set_office_zone", "system_zone_name", "to_local",
           "to_utc", "zone_in"]


def require_planning_view(vault: Vault) -> None:
    """Refuse (as "viewing staff members") unless the acting user may view staff, tickets
    or the schedule: the areas that count with the office's calendar and its staff."""
    permissions.require_any(vault, *(f"{area}.view" for area in PLANNING_AREAS), "staff.view")


def system_zone_name() -> str:
    """The computer's zone name, or "UTC" when it cannot be told."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    localtime = Path("/etc/localtime")
    try:
        if localtime.is_symlink():
            target = str(localtime.resolve())
            if "zoneinfo/" in target:
                candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    for name in candidates:
        if name and _zone(name) is not None:
            return name
    return "UTC"


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone_in(session: Session) -> ZoneInfo:
    """The office's zone, inside the caller's transaction."""
    name = stored.read_json(session, KEY)
    zone = _zone(name) if isinstance(name, str) and name else None
    return zone or _zone(system_zone_name()) or ZoneInfo("UTC")


def office_zone(vault: Vault) -> ZoneInfo:
    require_planning_view(vault)
    with vault.unit_of_work() as uow:
        return zone_in(uow.session)


def set_office_zone(vault: Vault, name: str) -> ZoneInfo:
    """Choose the office's zone by its IANA name (e.g. "Europe/Berlin")."""
    permissions.require(vault, "settings")
    name = name.strip()
    zone = _zone(name) if name in available_timezones() or name == "UTC" else None
    if zone is None:
        raise UserError(f"“{name}” is not a time zone this computer knows; "
                        "choose one such as Europe/Berlin or America/New_York.")
    with vault.unit_of_work() as uow:
        stored.write_json(uow.session, KEY, name)
        audit.add(uow.session, "setting.update", "setting", KEY)
    return zone


def to_local(value: datetime, zone: ZoneInfo) -> datetime:
    """A stored (naive UTC) or aware time, as an aware time in `zone`."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone)


def to_utc(value: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone` (naive) or an aware time, as naive UTC for storing.

    A wall-clock time that does not exist (skipped by a spring-forward change) is read
    with the offset before the change, as `zoneinfo` does (fold=0)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC).replace(tzinfo=None)


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC (naive) start and end of a local calendar day: 23, 24 or 25 hours long."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return (start.astimezone(UTC).replace(tzinfo=None), end.astimezone(UTC).replace(tzinfo=None))
