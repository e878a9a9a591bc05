"""Migration 0007 (deals): a 0006 vault upgrades with the default pipeline; deleting a
deal by any path clears the quotes' link to it and its search entry."""

from __future__ import annotations

import shutil
from pathlib import Path

from crasme_desktop.vault import keyslot_path, migrate, open_vault
from sqlalchemy import text

DATA = Path(__file__).resolve().parents[1] / "data" / "vaults"
PASSPHRASE = "stored vault passphrase"
STAMP = "'2026-01-01 00:00:00.000000'"


def copy_of(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copyfile(DATA / name, target)
    shutil.copyfile(keyslot_path(DATA / name), keyslot_path(target))
    return target


def test_a_0006_vault_gains_the_deal_tables_and_the_default_pipeline(tmp_path):
    path = copy_of("schema-0006.crasme", tmp_path)
    with open_vault(path, use_keychain=False, passphrase=PASSPHRASE) as vault, \
            vault.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD >= "0007"
        pipelines = conn.exec_driver_sql(
            "SELECT name, is_default FROM pipeline").all()
        stages = conn.exec_driver_sql(
            "SELECT s.name, s.probability, s.kind FROM deal_stage s ORDER BY s.position").all()
        quote_columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(quote)")}
        people = conn.exec_driver_sql("SELECT count(*) FROM person").scalar_one()
    assert [tuple(p) for p in pipelines] == [("Sales", 1)]
    assert [tuple(s) for s in stages] == [
        ("Lead", 10, "open"), ("Qualified", 25, "open"), ("Proposal", 50, "open"),
        ("Negotiation", 75, "open"), ("Won", 100, "won"), ("Lost", 0, "lost")]
    assert "deal_id" in quote_columns
    assert people == 2


def test_a_deleted_deal_leaves_no_link_and_no_search_entry(tmp_path):
    path = copy_of("schema-0007.crasme", tmp_path)
    with open_vault(path, use_keychain=False, passphrase=PASSPHRASE) as vault:
        with vault.engine.begin() as conn:
            pipeline, stage = conn.execute(text(
                "SELECT pipeline_id, id FROM deal_stage WHERE name = 'Lead'")).one()
            person = conn.execute(text(
                "SELECT id FROM person WHERE display_name = 'Ada Lovelace'")).scalar_one()
            conn.execute(text(
                "INSERT INTO deal (id, title, title_key, pipeline_id, stage_id, status, position,"
                " value_minor, currency, expected_close, owner, next_step, person_id,"
                " close_reason, notes, created_at, updated_at) VALUES ('d1', 'Analytical"
                " engine', 'analytical engine', :p, :s, 'open', 0, 100000, 'EUR', '2026-12-01',"
                f" '', '', :person, '', '', {STAMP}, {STAMP})"),
                {"p": pipeline, "s": stage, "person": person})
            conn.execute(text(
                "INSERT INTO quote (id, number, status, billing_name, currency, issue_date,"
                " prices_include_tax, net_minor, tax_minor, total_minor, notes, deal_id,"
                f" created_at, updated_at) VALUES ('q1', 'Q-1', 'draft', 'Ada', 'EUR',"
                f" '2026-01-01', 0, 0, 0, 0, '', 'd1', {STAMP}, {STAMP})"))
            conn.execute(text(
                "INSERT INTO search_doc (doc_id, record_id, name, other) VALUES"
                " (:d, 'd1', 'Analytical engine', '')"), {"d": (4 << 40) + 1})
            for table in ("search_word", "search_trigram"):
                conn.execute(text(f"INSERT INTO {table} (rowid, name, other) VALUES"
                                  " (:d, 'Analytical engine', '')"), {"d": (4 << 40) + 1})
            # A stage with deals cannot go (RESTRICT); deleting the person unlinks the deal.
            conn.execute(text("DELETE FROM person WHERE id = :p"), {"p": person})
            assert conn.execute(text("SELECT person_id FROM deal")).scalar_one() is None
            conn.execute(text("DELETE FROM deal WHERE id = 'd1'"))
        with vault.engine.connect() as conn:
            link = conn.execute(text("SELECT deal_id FROM quote WHERE id = 'q1'")).scalar_one()
            docs = conn.execute(text(
                "SELECT count(*) FROM search_doc WHERE record_id = 'd1'")).scalar_one()
            found = conn.execute(text(
                "SELECT count(*) FROM search_word WHERE search_word MATCH 'analytical'")
            ).scalar_one()
    assert link is None
    assert (docs, found) == (0, 0)
