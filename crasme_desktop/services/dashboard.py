"""Figures for the dashboard's tiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from crasme_desktop.domain.models import Activity, Organization, Person
from crasme_desktop.services import deals, privacy_requests
from crasme_desktop.vault import Vault


@dataclass(frozen=True)
class DashboardSummary:
    people: int
    organizations: int
    activities: int
    last_changed: datetime | None
    #: Open privacy requests past their due date, and due within a week.
    requests_late: int = 0
    requests_due_soon: int = 0
    #: Open deals expected to close this month (`deals.PeriodSummary`): the list behind
    #: it is `deals.month_filter(today)`.
    pipeline: Any = None


def summary(vault: Vault, today: date | None = None) -> DashboardSummary:
    with vault.unit_of_work() as uow:
        s = uow.session

        def count(model: type) -> int:
            return s.scalar(select(func.count()).select_from(model)) or 0

        last = s.scalar(select(func.max(Person.updated_at)))
        figures = (count(Person), count(Organization), count(Activity), last)
    due = privacy_requests.due_summary(vault)
    return DashboardSummary(*figures, requests_late=due.late, requests_due_soon=due.due_soon,
                            pipeline=deals.pipeline_this_month(vault, today))
