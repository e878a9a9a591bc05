"""Alembic environment: always run through `crasme_desktop.vault.migrate` with an open
connection to an unlocked vault (there is no URL: the key never goes in a config)."""

from __future__ import annotations

from alembic import context

from crasme_desktop.domain.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
