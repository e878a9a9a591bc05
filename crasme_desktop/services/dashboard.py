"""Figures for the dashboard's tiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from crasme_desktop.domain.models import Activity, Organization, Person
from crasme_desktop.vault import Vault


@dataclass(frozen=True)
class DashboardSummary:
    people: int
    organizations: int
    activities: int
    last_changed: datetime | None


def summary(vault: Vault) -> DashboardSummary:
    with vault.unit_of_work() as uow:
        s = uow.session

        def count(model: type) -> int:
            return s.scalar(select(func.count()).select_from(model)) or 0

        last = s.scalar(select(func.max(Person.updated_at)))
        return DashboardSummary(count(Person), count(Organization), count(Activity), last)
