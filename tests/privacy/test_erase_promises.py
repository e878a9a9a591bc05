"""The notice's erase promises, each proved on a real vault (see tests/privacy/conftest)."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import date

import pytest
from crasme_desktop.services import backups, privacy_erase, sales_files, search
from crasme_desktop.vault import keyslot_path
from crasme_desktop.vault.paths import backup_dir, lock_path
from sqlalchemy import text
from tests.support import erase_seed
from tests.support.vault_pages import all_plain_pages, find_pieces, pieces


def rows_naming(vault, person_id: str) -> int:
    """Rows in any table that still point at the person."""
    total = 0
    with vault.engine.connect() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'search_word%' AND name NOT LIKE 'search_trigram%'"))]
        for table in tables:
            columns = [c[1] for c in conn.execute(text(f'PRAGMA table_info("{table}")'))]
            for column in columns:
                if table == "audit_event" and column == "record_id":
                    continue  # the audit trail keeps ids, never values
                total += conn.execute(text(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}" = :p'),
                    {"p": person_id}).scalar()
    return total


@pytest.mark.promise("erase-person")
def test_an_erased_person_is_gone_from_every_table_the_search_and_the_file(vault):
    seeded = erase_seed.seed(vault)
    key = bytes(vault._key)
    wanted = pieces(seeded.names_emails_phones) - pieces(seeded.colleague_values)
    assert find_pieces(all_plain_pages(vault.path, key), wanted)  # there before
    assert rows_naming(vault, seeded.person_id) > 10

    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)

    assert rows_naming(vault, seeded.person_id) == 0
    for words in (erase_seed.FAMILY, erase_seed.EMAILS[0], "41792263"):
        assert search.search(vault, words).groups == (), words
    with vault.engine.connect() as conn:
        name, address = conn.execute(text(
            "SELECT billing_name, billing_address FROM invoice WHERE id = :i"),
            {"i": seeded.kept_invoice_id}).one()
    # Every page of the file and of its journal, decrypted: nothing of her names,
    # emails or phone numbers (5 characters or more) outside the kept invoice.
    assert find_pieces(all_plain_pages(vault.path, key), wanted, masks=[name, address]) == {}


@pytest.mark.promise("erase-kept-invoices")
def test_issued_invoices_keep_their_printed_billing_details_until_retention_ends(
    vault, tmp_path, pdftotext
):
    seeded = erase_seed.seed(vault)
    preview = privacy_erase.erase_preview(vault, seeded.person_id)
    (kept,) = [k for k in preview.kept if seeded.kept_number in k.what]
    assert kept.until == date(2033, 3, 2)  # issued 2 March 2026, kept 7 years
    assert "bookkeeping" in kept.reason

    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)

    pdf = sales_files.save_pdf(vault, "invoice", seeded.kept_invoice_id, tmp_path / "i.pdf")
    shown = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    assert seeded.kept_number in shown and erase_seed.DISPLAY in shown
    assert "Zolterweg 7" in shown
    with vault.engine.connect() as conn:
        kept_until = conn.execute(text("SELECT kept_until FROM erasure")).scalar()
        draft = conn.execute(text("SELECT count(*) FROM invoice WHERE status = 'draft'"))
        assert draft.scalar() == 0  # a draft is not a bookkeeping record: it went
    assert str(kept_until) == "2033-03-02"


@pytest.mark.promise("erase-everything")
def test_erase_everything_deletes_the_vault_keys_keychain_entry_and_backups(
    vault, keychain, created
):
    backup = backups.make_backup(vault)
    path = vault.path
    assert keychain.get(created.vault_id) is not None
    outcome = privacy_erase.erase_everything(path, confirmation="ERASE EVERYTHING",
                                             vault=vault, keychain=keychain)
    for gone in (path, keyslot_path(path), lock_path(path), backup.path,
                 path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                 backup_dir(path)):
        assert not gone.exists(), gone
    assert keychain.get(created.vault_id) is None
    assert outcome.left == ()


@pytest.mark.promise("erase-survives-restore")
def test_restoring_an_older_backup_erases_the_person_again(vault, clock):
    seeded = erase_seed.seed(vault)
    older = backups.make_backup(vault)
    clock.advance(60)
    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    with vault.engine.connect() as conn:
        remembered = conn.execute(text("SELECT * FROM erasure")).mappings().one()
    # Remembered only as a one-way code: the hash of the id, dates, nothing else.
    assert remembered["subject_hash"] == hashlib.sha256(seeded.person_id.encode()).hexdigest()
    assert not any(erase_seed.FAMILY in str(v) for v in remembered.values())

    backups.restore_backup(vault, older.path)

    assert rows_naming(vault, seeded.person_id) == 0
    assert search.search(vault, erase_seed.FAMILY).groups == ()
    with vault.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM person")).scalar() == 1  # colleague
