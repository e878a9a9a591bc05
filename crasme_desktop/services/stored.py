"""Values the services keep in the vault's `setting` table, as JSON, inside the caller's
transaction (backup preferences and state, off-site settings, retention rules)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from crasme_desktop.domain.models import Setting


def read_json(session: Session, key: str) -> Any:
    """The stored value, or None when there is none or it is not JSON."""
    row = session.get(Setting, key)
    if row is None:
        return None
    try:
        return json.loads(row.value)
    except ValueError:
        return None


def write_json(session: Session, key: str, value: Any) -> None:
    session.merge(Setting(key=key, value=json.dumps(value, sort_keys=True)))
