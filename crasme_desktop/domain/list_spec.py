"""What a big list of people or companies shows: its filters and sort order.

A pure value shared by the list service (which turns it into SQL) and the list pages
(which edit it in the filter bar and keep it in saved views as versioned JSON). Free
text is not here: the search box does that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

SORT_FIELDS: tuple[str, ...] = ("name", "company", "created", "updated")
SPEC_VERSION = 1

#: Filters the spec can hold that cannot be used yet, with the sentence that says why.
UNAVAILABLE_FILTERS = {
    "has_open_ticket": "Filtering by open tickets becomes possible once tickets arrive.",
}


@dataclass(frozen=True)
class ListSpec:
    """Filters and sort order of a list of people or companies.

    `tags`: records carrying every one of these tags (case-blind). `owner`: exactly
    this owner ("" means records with no owner); None means anyone. `organization_id`:
    people at this company (ignored for companies); `organization_name` only labels it.
    `created_from`/`created_to`: creation day in the local calendar, both ends
    included. `has_open_ticket` is declared for saved views but not available yet (see
    `UNAVAILABLE_FILTERS`).
    """

    tags: tuple[str, ...] = ()
    owner: str | None = None
    organization_id: str | None = None
    organization_name: str = ""
    created_from: date | None = None
    created_to: date | None = None
    has_open_ticket: bool | None = None
    sort: str = "name"
    descending: bool = False

    @property
    def filtered(self) -> bool:
        """True when any filter narrows the list (the sort order does not count)."""
        return bool(self.tags or self.owner is not None or self.organization_id
                    or self.created_from or self.created_to
                    or self.has_open_ticket is not None)

    def without_filters(self) -> ListSpec:
        """The same sort order with every filter cleared."""
        return ListSpec(sort=self.sort, descending=self.descending)

    def to_json(self) -> str:
        data: dict[str, Any] = {"version": SPEC_VERSION, "sort": self.sort,
                                "descending": self.descending}
        if self.tags:
            data["tags"] = list(self.tags)
        if self.owner is not None:
            data["owner"] = self.owner
        if self.organization_id:
            data["organization_id"] = self.organization_id
            data["organization_name"] = self.organization_name
        for name in ("created_from", "created_to"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value.isoformat()
        if self.has_open_ticket is not None:
            data["has_open_ticket"] = self.has_open_ticket
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ListSpec:
        """Read a stored spec; unknown keys are ignored and bad values become defaults,
        so a view saved by another version still opens."""
        try:
            data = json.loads(text)
        except (TypeError, ValueError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        tags = data.get("tags")
        owner = data.get("owner")
        org = data.get("organization_id")
        org_name = data.get("organization_name")
        sort = data.get("sort")
        ticket = data.get("has_open_ticket")
        return cls(
            tags=tuple(t for t in tags if isinstance(t, str) and t.strip())[:20]
            if isinstance(tags, list) else (),
            owner=owner if isinstance(owner, str) else None,
            organization_id=org if isinstance(org, str) and org else None,
            organization_name=org_name if isinstance(org_name, str) else "",
            created_from=_date_or_none(data.get("created_from")),
            created_to=_date_or_none(data.get("created_to")),
            has_open_ticket=ticket if isinstance(ticket, bool) else None,
            sort=sort if sort in SORT_FIELDS else "name",
            descending=data.get("descending") is True,
        )


def _date_or_none(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
