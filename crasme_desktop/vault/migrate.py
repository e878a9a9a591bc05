"""Schema migrations with Alembic, run on open after an automatic backup."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(connection: Any | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Any) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def stored_revision(dbapi_connection: Any) -> str | None:
    """The schema version read straight from a raw DB-API connection (cheap, on open)."""
    has_table = dbapi_connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if not has_table:
        return None
    row = dbapi_connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def is_known_revision(revision: str | None) -> bool:
    if revision is None:
        return True
    script = ScriptDirectory.from_config(_config())
    return any(rev.revision == revision for rev in script.walk_revisions())


def upgrade(connection: Any) -> None:
    from alembic import command

    command.upgrade(_config(connection), "head")
