"""Migration 0005 (sales): a 0004 vault upgrades, and issued invoices are frozen by triggers."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from crasme_desktop.vault import keyslot_path, migrate, open_vault
from sqlalchemy import exc, text

DATA = Path(__file__).resolve().parents[1] / "data" / "vaults"
PASSPHRASE = "stored vault passphrase"
MIGRATION = (Path(__file__).resolve().parents[2] / "crasme_desktop" / "vault" / "migrations"
             / "versions" / "0005_sales.py")
STAMP = "'2026-01-01 00:00:00.000000'"


def _triggers() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("sales_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TRIGGERS


def copy_of(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copyfile(DATA / name, target)
    shutil.copyfile(keyslot_path(DATA / name), keyslot_path(target))
    return target


def test_a_0004_vault_gains_the_sales_tables_and_triggers(tmp_path):
    path = copy_of("schema-0004.crasme", tmp_path)
    with open_vault(path, use_keychain=False, passphrase=PASSPHRASE) as vault, \
            vault.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD >= "0005"
        names = set(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')").scalars())
        people = conn.exec_driver_sql("SELECT count(*) FROM person").scalar_one()
    assert {"tax_rate", "number_series", "number_counter", "product", "quote", "quote_line",
            "invoice", "invoice_line", "invoice_tax_total", "payment", "customer_credit",
            "recurring_invoice"} <= names
    assert set(_triggers()) <= names
    assert people == 2


def _draft_invoice(conn, invoice_id: str = "inv-1") -> None:
    conn.execute(text(
        "INSERT INTO number_series (id, kind, name, pattern, reset, is_default, archived,"
        f" created_at, updated_at) VALUES ('s-1', 'invoice', '', 'INV-{{YYYY}}-{{0000}}',"
        f" 'yearly', 1, 0, {STAMP}, {STAMP}) ON CONFLICT DO NOTHING"))
    conn.execute(text(
        "INSERT INTO invoice (id, kind, series_id, number, status, billing_name,"
        " billing_address, billing_country, billing_tax_id, billing_email, seller_snapshot,"
        " currency, issue_date, payment_terms_days, prices_include_tax, net_minor, tax_minor,"
        " total_minor, paid_minor, credited_minor, notes, created_at, updated_at) VALUES"
        " (:id, 'invoice', 's-1', NULL, 'draft', 'Ada Lovelace', 'Street 1', 'GB', '', '',"
        " '', 'EUR', '2026-03-01', 14, 0, 1000, 190, 1190, 0, 0, '',"
        f" {STAMP}, {STAMP})"), {"id": invoice_id})
    conn.execute(text(
        "INSERT INTO invoice_line (id, invoice_id, position, description, quantity, unit,"
        " unit_price_minor, discount_bp, tax_rate_bp, net_minor, created_at, updated_at)"
        f" VALUES (:id || '-l', :id, 0, 'Work', '1', 'h', 1000, 0, 1900, 1000, {STAMP},"
        f" {STAMP})"), {"id": invoice_id})


def _refused(conn, sql: str) -> None:
    with pytest.raises(exc.DBAPIError, match="An issued invoice cannot be changed"), \
            conn.begin_nested():
        conn.execute(text(sql))


def test_an_issued_invoice_cannot_be_changed_or_deleted_even_with_sql(tmp_path):
    path = copy_of("schema-0005.crasme", tmp_path)
    with open_vault(path, use_keychain=False, passphrase=PASSPHRASE) as vault:
        with vault.engine.begin() as conn:
            _draft_invoice(conn)
            # A draft still changes freely.
            conn.execute(text("UPDATE invoice SET total_minor = 1190, notes = 'x'"))
            conn.execute(text("UPDATE invoice_line SET description = 'Consulting'"))
            conn.execute(text(
                "UPDATE invoice SET status = 'issued', number = 'INV-2026-0001'"
                " WHERE id = 'inv-1'"))
        with vault.engine.begin() as conn:
            for sql in (
                "UPDATE invoice SET total_minor = 1 WHERE id = 'inv-1'",
                "UPDATE invoice SET number = 'INV-2026-0009' WHERE id = 'inv-1'",
                "UPDATE invoice SET billing_name = 'Someone else' WHERE id = 'inv-1'",
                "UPDATE invoice SET issue_date = '2025-01-01' WHERE id = 'inv-1'",
                "UPDATE invoice SET status = 'draft', number = NULL WHERE id = 'inv-1'",
                "DELETE FROM invoice WHERE id = 'inv-1'",
                "UPDATE invoice_line SET net_minor = 5 WHERE invoice_id = 'inv-1'",
                "DELETE FROM invoice_line WHERE invoice_id = 'inv-1'",
                "INSERT INTO invoice_tax_total (invoice_id, rate_bp, net_minor, tax_minor)"
                " VALUES ('inv-1', 700, 1, 1)",
            ):
                _refused(conn, sql)
            # What happens after issuing still works: payments and credit notes.
            conn.execute(text(
                "UPDATE invoice SET status = 'paid', paid_minor = 1190 WHERE id = 'inv-1'"))
        with vault.engine.connect() as conn:
            row = conn.execute(text(
                "SELECT number, status, total_minor, paid_minor, billing_name FROM invoice")).one()
            lines = conn.execute(text("SELECT description, net_minor FROM invoice_line")).all()
    assert tuple(row) == ("INV-2026-0001", "paid", 1190, 1190, "Ada Lovelace")
    assert [tuple(r) for r in lines] == [("Consulting", 1000)]


def test_a_draft_invoice_is_deleted_with_its_lines(tmp_path):
    path = copy_of("schema-0005.crasme", tmp_path)
    with open_vault(path, use_keychain=False, passphrase=PASSPHRASE) as vault, \
            vault.engine.begin() as conn:
        _draft_invoice(conn, "inv-2")
        conn.execute(text("DELETE FROM invoice WHERE id = 'inv-2'"))
        left = conn.execute(text("SELECT count(*) FROM invoice_line")).scalar_one()
    assert left == 0
