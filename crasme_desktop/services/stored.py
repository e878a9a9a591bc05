"""Values the services keep in the vault's `setting` table, as JSON, inside the caller's
transaction (backup preferences and state, off-site settings, retention rules)."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from crasme_desktop.domain.models import Setting

T = TypeVar("T")


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


def read_record(session: Session, key: str, kind: type[T]) -> T:
    """A settings dataclass from its stored JSON: each field whose stored value has the
    type of the field's default; the defaults (`kind()`) for the rest, for a missing
    value, or for a value that is not a JSON object."""
    raw = read_json(session, key)
    if not isinstance(raw, dict):
        return kind()
    default = kind()
    return kind(**{
        f.name: raw[f.name]
        for f in fields(kind)  # type: ignore[arg-type]
        if f.name in raw and isinstance(raw[f.name], type(getattr(default, f.name)))
    })
