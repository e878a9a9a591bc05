"""Migration 0006 (privacy): a 0005 vault upgrades; issued invoices may be deleted only
once their issue date is more than seven years old, even with raw SQL."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from crasme_desktop.vault import keyslot_path, migrate, open_vault
from sqlalchemy import exc, text

DATA = Path(__file__).resolve().parents[1] / "data" / "vaults"
PASSPHRASE = "stored vault passphrase"
STAMP = "'2026-01-01 00:00:00.000000'"
PRIVACY_TABLES = {"consent", "restriction", "privacy_request", "erasure", "notice_ack",
                  "retention_run"}


def copy_of(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copyfile(DATA / name, target)
    shutil.copyfile(keyslot_path(DATA / name), keyslot_path(target))
    return target


def years_ago(years: int, days: int = 0) -> date:
    today = date.today()
    try:
        then = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        then = today.replace(year=today.year - years, day=28)
    return then + timedelta(days=days)


def test_a_0005_vault_gains_the_privacy_tables(tmp_path):
    path = copy_of("schema-0005.crasme", tmp_path)
    with open_vault(path, use_keychain=False, passphrase=PASSPHRASE) as vault, \
            vault.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD >= "0006"
        names = set(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table'").scalars())
        people = conn.exec_driver_sql("SELECT count(*) FROM person").scalar_one()
        no_delete = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'trg_invoice_no_delete'").scalar_one()
    assert names >= PRIVACY_TABLES
    assert people == 2
    assert "-7 years" in no_delete


def _issued_invoice(conn, invoice_id: str, issued: date) -> None:
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
        " '', 'EUR', :issued, 14, 0, 1000, 190, 1190, 0, 0, '',"
        f" {STAMP}, {STAMP})"), {"id": invoice_id, "issued": issued.isoformat()})
    conn.execute(text(
        "INSERT INTO invoice_line (id, invoice_id, position, description, quantity, unit,"
        " unit_price_minor, discount_bp, tax_rate_bp, net_minor, created_at, updated_at)"
        f" VALUES (:id || '-l', :id, 0, 'Work', '1', 'h', 1000, 0, 1900, 1000, {STAMP},"
        f" {STAMP})"), {"id": invoice_id})
    conn.execute(text(
        "INSERT INTO invoice_tax_total (invoice_id, rate_bp, net_minor, tax_minor)"
        " VALUES (:id, 1900, 1000, 190)"), {"id": invoice_id})
    conn.execute(text(
        "UPDATE invoice SET status = 'issued', number = :id WHERE id = :id"), {"id": invoice_id})


def _refused(conn, sql: str) -> None:
    with pytest.raises(exc.DBAPIError, match="until seven years after its issue"), \
            conn.begin_nested():
        conn.execute(text(sql))


def test_only_invoices_issued_more_than_seven_years_ago_can_be_deleted(tmp_path):
    path = copy_of("schema-0006.crasme", tmp_path)
    with open_vault(path, use_keychain=False, passphrase=PASSPHRASE) as vault:
        with vault.engine.begin() as conn:
            _issued_invoice(conn, "young", years_ago(7, days=1))
            _issued_invoice(conn, "old", years_ago(7, days=-1))
        with vault.engine.begin() as conn:
            for sql in (
                "DELETE FROM invoice WHERE id = 'young'",
                "DELETE FROM invoice_line WHERE invoice_id = 'young'",
                "DELETE FROM invoice_tax_total WHERE invoice_id = 'young'",
            ):
                _refused(conn, sql)
            # Making the young invoice look old is refused by the 0005 freeze.
            with pytest.raises(exc.DBAPIError, match="An issued invoice cannot be changed"), \
                    conn.begin_nested():
                conn.execute(text(
                    "UPDATE invoice SET issue_date = '2000-01-01' WHERE id = 'young'"))
            conn.execute(text("DELETE FROM invoice WHERE id = 'old'"))
        with vault.engine.connect() as conn:
            left = conn.execute(text("SELECT id FROM invoice")).scalars().all()
            lines = conn.execute(text("SELECT invoice_id FROM invoice_line")).scalars().all()
            totals = conn.execute(text(
                "SELECT invoice_id FROM invoice_tax_total")).scalars().all()
    assert left == ["young"]
    assert lines == ["young"]
    assert totals == ["young"]


def test_privacy_rows_follow_their_person(tmp_path):
    """Consent and restriction go with the person; a request keeps its row (person NULL)."""
    path = copy_of("schema-0006.crasme", tmp_path)
    with open_vault(path, use_keychain=False, passphrase=PASSPHRASE) as vault:
        with vault.engine.begin() as conn:
            person = conn.execute(text(
                "SELECT id FROM person WHERE display_name = 'Ada Lovelace'")).scalar_one()
            params = {"p": person}
            conn.execute(text(
                "INSERT INTO consent (id, person_id, purpose, granted, at, source,"
                f" notice_version, created_at, updated_at) VALUES ('c1', :p, 'newsletter', 1,"
                f" {STAMP}, 'form', '1', {STAMP}, {STAMP})"), params)
            conn.execute(text(
                "INSERT INTO restriction (id, person_id, started_at, start_reason, lift_reason,"
                f" created_at, updated_at) VALUES ('r1', :p, {STAMP}, 'asked', '', {STAMP},"
                f" {STAMP})"), params)
            conn.execute(text(
                "INSERT INTO privacy_request (id, kind, person_id, subject_label, received_on,"
                " due_on, status, note, created_at, updated_at) VALUES ('q1', 'erasure', :p,"
                f" 'Ada Lovelace', '2026-01-31', '2026-02-28', 'received', '', {STAMP},"
                f" {STAMP})"), params)
            with pytest.raises(exc.IntegrityError), conn.begin_nested():
                conn.execute(text(
                    "INSERT INTO privacy_request (id, kind, subject_label, received_on, due_on,"
                    " status, note, created_at, updated_at) VALUES ('q2', 'gossip', '',"
                    f" '2026-01-01', '2026-02-01', 'received', '', {STAMP}, {STAMP})"))
            conn.execute(text("DELETE FROM person WHERE id = :p"), params)
        with vault.engine.connect() as conn:
            consents = conn.execute(text("SELECT count(*) FROM consent")).scalar_one()
            restrictions = conn.execute(text("SELECT count(*) FROM restriction")).scalar_one()
            request = conn.execute(text(
                "SELECT person_id, kind FROM privacy_request")).one()
    assert (consents, restrictions) == (0, 0)
    assert tuple(request) == (None, "erasure")
