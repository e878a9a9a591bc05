"""Schema migrations with Alembic, run on open after an automatic backup.

Alembic is imported only when a vault actually needs upgrading: opening a vault
that is up to date compares one stored string with `SCHEMA_HEAD` (a test keeps
that constant equal to the newest migration).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MIGRATIONS = Path(__file__).with_name("migrations")

#: The newest migration's revision id; `tests/unit/test_migrate_head.py` checks it.
SCHEMA_HEAD = "0009"


def _config(connection: Any | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    return SCHEMA_HEAD


def script_head() -> str | None:
    """The head as Alembic computes it from the migration scripts (slow; for tests)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(connection: Any) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def stored_revision(dbapi_connection: Any) -> str | None:
    """The schema version read straight from a raw DB-API connection (cheap, on open)."""
    try:
        row = dbapi_connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except dbapi_connection.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    return row[0] if row else None


def is_known_revision(revision: str | None) -> bool:
    if revision is None:
        return True
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    return any(rev.revision == revision for rev in script.walk_revisions())


def upgrade(connection: Any) -> None:
    from alembic import command

    command.upgrade(_config(connection), "head")
