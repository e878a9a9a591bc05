"""Migrations: the schema they make matches the models, and every stored vault upgrades."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from crasme_desktop.domain.models import Base, Person
from crasme_desktop.vault import keyslot_path, migrate, open_vault
from crasme_desktop.vault.errors import UserError
from crasme_desktop.vault.paths import backup_dir
from sqlalchemy import text

DATA = Path(__file__).resolve().parents[1] / "data" / "vaults"
STORED = sorted(DATA.glob("schema-*.crasme"))
STORED_PASSPHRASE = "stored vault passphrase"


#: The search index (migration 0004) is written with SQL by services/search_index.py, not
#: mapped: its content table, two FTS5 virtual tables and the shadow tables FTS5 makes.
SEARCH_INDEX_TABLES = frozenset(
    {"search_doc"}
    | {f"{fts}{suffix}" for fts in ("search_word", "search_trigram")
       for suffix in ("", "_data", "_idx", "_docsize", "_config")}
)


def _not_search_index(name, type_, _parents):
    return not (type_ == "table" and name in SEARCH_INDEX_TABLES)


def test_migrations_match_the_models(created, keychain):
    with open_vault(created.path, keychain=keychain) as vault, vault.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _not_search_index})
        diffs = compare_metadata(context, Base.metadata)
        tables = set(conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
    assert diffs == []
    assert tables >= SEARCH_INDEX_TABLES, "only tables that exist are left out of the comparison"


def test_there_is_a_stored_vault_for_every_schema_version():
    stored = {p.name.split("-")[1].split(".")[0] for p in STORED}
    assert migrate.head_revision() in stored, "add tests/data/vaults/schema-<head>.crasme"


@pytest.mark.parametrize("stored", STORED, ids=lambda p: p.name)
def test_each_stored_vault_upgrades_to_head(stored, tmp_path):
    copy = tmp_path / stored.name
    shutil.copyfile(stored, copy)
    shutil.copyfile(keyslot_path(stored), keyslot_path(copy))
    with open_vault(copy, use_keychain=False, passphrase=STORED_PASSPHRASE) as vault:
        with vault.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
        with vault.unit_of_work() as uow:
            people = sorted(p.display_name for p in uow.session.query(Person))
    assert people == ["Ada Lovelace", "Jonas Kühnemann"]
    revision = stored.name.split("-")[1].split(".")[0]
    if revision != migrate.head_revision():
        assert list(backup_dir(copy).glob("*.crasme")), "an upgrade makes a backup first"


def test_vault_from_a_newer_program_is_refused_untouched(created, keychain, unchanged):
    with open_vault(created.path, keychain=keychain) as vault, vault.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    check = unchanged(created.path)
    with pytest.raises(UserError, match="newer version"):
        open_vault(created.path, keychain=keychain)
    check()


def test_backup_copy_opens_with_the_same_keys(created, keychain, tmp_path):
    with open_vault(created.path, keychain=keychain) as vault:
        with vault.unit_of_work() as uow:
            uow.session.add(Person(given_name="Copied"))
        target = vault.backup(tmp_path / "copies").path
    assert target.read_bytes()[:16] != b"SQLite format 3\x00"
    with open_vault(target, use_keychain=False, recovery_key=created.recovery_key) as copy:
        report = copy.doctor()
        assert report["counts"]["person"] == 1
        assert report["cipher_integrity_check"] == "ok"
