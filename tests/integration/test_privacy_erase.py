"""Erasing one person (issue 7, part 4): preview, confirmation, blockers, a second
erase, the kept invoice snapshot, search, restore, and the decrypting page scan."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, date, datetime

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.personal_data import PERSONAL
from crasme_desktop.services import (
    backups,
    contacts,
    invoices,
    privacy_erase,
    privacy_requests,
    sales_files,
    search,
)
from crasme_desktop.services.invoices import PaymentDraft
from crasme_desktop.vault import open_vault
from sqlalchemy import text
from tests.support import erase_seed
from tests.support.vault_pages import all_plain_pages, find_pieces, pieces

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def vault(created, keychain, clock):
    with open_vault(created.path, keychain=keychain, clock=clock) as opened:
        yield opened


@pytest.fixture
def seeded(vault) -> erase_seed.Seeded:
    return erase_seed.seed(vault)


def table_rows(vault) -> dict[str, list[tuple]]:
    """Every row of every table of the schema (for "nothing changed" checks)."""
    out = {}
    with vault.engine.connect() as conn:
        for table in sorted(PERSONAL):
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            out[table] = sorted((tuple(r) for r in rows), key=repr)
        out["search_doc"] = sorted(
            (tuple(r) for r in conn.execute(text("SELECT * FROM search_doc"))), key=repr)
    return out


def count(vault, sql: str, **params) -> int:
    with vault.engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar() or 0)


def hits(vault, words: str) -> list[str]:
    return [h.title for g in search.search(vault, words).groups for h in g.hits]


# -- preview ------------------------------------------------------------------------------
def test_preview_lists_what_goes_what_changes_and_what_stays(vault, seeded):
    preview = privacy_erase.erase_preview(vault, seeded.person_id)
    deleted = {item.kind: item.count for item in preview.deleted}
    entries = count(vault, "SELECT count(*) FROM activity WHERE person_id = :p",
                    p=seeded.person_id)
    assert entries >= 2  # the note, and what the quote and invoices wrote
    assert deleted == {
        "person": 1, "emails": 2, "phones": 2, "addresses": 1, "tags": 1,
        "timeline": entries, "attachments": 2, "merges": 1, "search": 1, "quotes": 1,
        "draft_invoices": 1, "consent": 2,
    }
    changed = {item.kind: item.count for item in preview.changed}
    assert changed == {"kept_invoice_links": 1, "owner": 1}
    assert preview.blockers == ()
    assert preview.can_erase
    assert preview.confirm_text == erase_seed.DISPLAY
    # The kept invoice: named, with the reason and the date (7 years after issue).
    invoice = [k for k in preview.kept if seeded.kept_number in k.what]
    assert len(invoice) == 1
    assert "bookkeeping" in invoice[0].reason
    assert invoice[0].until == date(2033, 3, 2) == preview.kept_until


def test_preview_changes_nothing(vault, seeded):
    before = table_rows(vault)
    privacy_erase.erase_preview(vault, seeded.person_id)
    assert table_rows(vault) == before


# -- confirmation ---------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["", "Wilhelmina", "Bartholomew Fenwick", "ERASE"])
def test_a_wrong_confirmation_changes_nothing(vault, seeded, typed):
    before = table_rows(vault)
    with pytest.raises(UserError, match="Type Wilhelmina Quxbridge exactly"):
        privacy_erase.erase_person(vault, seeded.person_id, confirmation=typed)
    assert table_rows(vault) == before


def test_the_confirmation_ignores_case_and_spacing(vault, seeded):
    outcome = privacy_erase.erase_person(vault, seeded.person_id,
                                         confirmation="  wilhelmina   QUXBRIDGE ")
    assert outcome.person_id == seeded.person_id
    assert count(vault, "SELECT count(*) FROM person WHERE id = :p", p=seeded.person_id) == 0


def test_a_person_without_a_name_is_confirmed_with_erase():
    # The services always give a person a name; an old import may not have.
    assert privacy_erase.confirmation_for("  ") == "ERASE"
    assert privacy_erase.confirmation_for(" Ada Lovelace ") == "Ada Lovelace"


# -- the erase itself -------------------------------------------------------------------------
def test_erase_removes_the_person_from_every_table(vault, seeded, clock):
    outcome = privacy_erase.erase_person(vault, seeded.person_id,
                                         confirmation=erase_seed.DISPLAY)
    pid = seeded.person_id
    assert outcome.scrubbed
    assert outcome.kept_until == date(2033, 3, 2)
    assert "2033-03-02" in outcome.message
    for table, tag in PERSONAL.items():
        if tag.subject and tag.subject != "self":
            assert count(vault, f'SELECT count(*) FROM "{table}" WHERE "{tag.subject}" = :p',
                         p=pid) == 0, table
    for sql in (
        "SELECT count(*) FROM person WHERE id = :p",
        "SELECT count(*) FROM merge_record",
        "SELECT count(*) FROM attachment",
        "SELECT count(*) FROM attachment_content",
        "SELECT count(*) FROM activity WHERE body LIKE '%Wilhelmina%'",
        "SELECT count(*) FROM quote",
        "SELECT count(*) FROM search_doc WHERE record_id = :p",
        "SELECT count(*) FROM invoice WHERE billing_email <> ''",
        "SELECT count(*) FROM organization WHERE owner <> ''",
        "SELECT count(*) FROM privacy_request WHERE subject_label <> ''",
    ):
        assert count(vault, sql, p=pid) == 0, sql
    # What is kept: the issued invoice (unlinked), its payment, the colleague and his
    # timeline, an erasure row with the hash only, a done request, an audit event.
    assert count(vault, "SELECT count(*) FROM invoice") == 1
    assert count(vault, "SELECT count(*) FROM invoice WHERE customer_person_id IS NULL") == 1
    assert count(vault, "SELECT count(*) FROM payment") == 1
    assert count(vault, "SELECT count(*) FROM person WHERE id = :c", c=seeded.colleague_id) == 1
    assert count(vault, "SELECT count(*) FROM activity WHERE person_id = :c",
                 c=seeded.colleague_id) == 1
    digest = hashlib.sha256(pid.encode()).hexdigest()
    assert count(vault, "SELECT count(*) FROM erasure WHERE subject_hash = :h "
                        "AND kept_until = '2033-03-02'", h=digest) == 1
    done = privacy_requests.list_requests(vault)
    assert [(r.kind, r.status, r.subject_label) for r in done] == [("erasure", "done", "")]
    assert count(vault, "SELECT count(*) FROM audit_event WHERE action = 'person.erase' "
                        "AND record_id = :p", p=pid) == 1


def test_search_no_longer_finds_the_person_but_finds_the_invoice_by_number(vault, seeded):
    assert erase_seed.DISPLAY in hits(vault, "Quxbridge")
    assert hits(vault, "vozzlethorp")
    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    for words in ("Quxbridge", "Wilhelmina", "vozzlethorp", "4179", "+49304179"):
        assert hits(vault, words) == [], words
    assert hits(vault, seeded.kept_number)  # the kept invoice, by its number
    assert hits(vault, "Fenwick")  # the colleague


def test_the_kept_invoice_still_prints_with_its_billing_snapshot(
    vault, seeded, tmp_path, pdftotext
):
    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    pdf = sales_files.save_pdf(vault, "invoice", seeded.kept_invoice_id, tmp_path / "k.pdf")
    shown = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    assert seeded.kept_number in shown
    assert erase_seed.DISPLAY in shown  # the printed buyer stays, for the bookkeeping
    assert "Zolterweg 7" in shown
    assert erase_seed.EMAILS[0] not in shown


def test_a_second_erase_says_the_person_is_already_erased(vault, seeded):
    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    before = table_rows(vault)
    with pytest.raises(UserError, match=r"^This person has already been erased\.$"):
        privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    with pytest.raises(UserError, match=r"^This person has already been erased\.$"):
        privacy_erase.erase_preview(vault, seeded.person_id)
    assert table_rows(vault) == before


def test_an_unknown_person_is_not_called_erased(vault):
    with pytest.raises(UserError, match="no longer exists"):
        privacy_erase.erase_preview(vault, "0190f0f0-0000-7000-8000-000000000000")


# -- blockers -------------------------------------------------------------------------------
def test_an_unpaid_invoice_refuses_the_erase_until_it_is_paid(vault, clock):
    seeded = erase_seed.seed(vault, paid=False)
    preview = privacy_erase.erase_preview(vault, seeded.person_id)
    assert not preview.can_erase
    (blocker,) = preview.blockers
    assert blocker.kind == "unpaid_invoice"
    assert seeded.kept_number in blocker.message
    assert "record the payment or issue a credit note first" in blocker.message
    before = table_rows(vault)
    with pytest.raises(UserError, match="record the payment or issue a credit note"):
        privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    assert table_rows(vault) == before
    record = invoices.get_invoice(vault, seeded.kept_invoice_id)
    invoices.record_payment(vault, seeded.kept_invoice_id, PaymentDraft(
        erase_seed.ISSUED_ON, record.total, record.currency))
    assert privacy_erase.erase_preview(vault, seeded.person_id).can_erase
    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)


def test_a_credited_invoice_does_not_block(vault):
    seeded = erase_seed.seed(vault, paid=False)
    invoices.create_credit_note(vault, seeded.kept_invoice_id)
    preview = privacy_erase.erase_preview(vault, seeded.person_id)
    assert preview.can_erase
    kept = [k.what for k in preview.kept]
    assert any(k.startswith("Credit note") for k in kept)
    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    assert count(vault, "SELECT count(*) FROM invoice") == 2


def test_owner_of_other_records_is_cleared_not_the_colleagues_own(vault, seeded):
    preview = privacy_erase.erase_preview(vault, seeded.person_id)
    assert any(c.kind == "owner" and c.count == 1 for c in preview.changed)
    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    assert contacts.get_organization(vault, seeded.company_id).owner == ""


def test_open_tickets_hook_blocks_nothing_while_there_are_no_tickets(vault, seeded):
    with vault.unit_of_work() as uow:
        assert privacy_erase.open_ticket_blockers(uow.session, seeded.person_id) == []


# -- restore ---------------------------------------------------------------------------------
def test_restoring_an_older_backup_erases_the_person_again(vault, seeded, clock):
    older = backups.make_backup(vault)
    clock.advance(3600)
    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    clock.advance(3600)
    outcome = backups.restore_backup(vault, older.path)
    assert outcome.restored.path == older.path
    assert count(vault, "SELECT count(*) FROM person WHERE id = :p", p=seeded.person_id) == 0
    assert count(vault, "SELECT count(*) FROM person WHERE id = :c", c=seeded.colleague_id) == 1
    assert hits(vault, "Quxbridge") == []
    assert count(vault, "SELECT count(*) FROM erasure") == 1
    assert count(vault, "SELECT count(*) FROM invoice") == 1  # the kept one, again
    # and once more: the restored vault remembers the erasure itself
    assert privacy_erase.erasure_hashes(vault) == [
        hashlib.sha256(seeded.person_id.encode()).hexdigest()]


def test_reapply_erasures_counts_only_people_still_there(vault, seeded):
    digest = hashlib.sha256(seeded.person_id.encode()).hexdigest()
    assert privacy_erase.reapply_erasures(vault, []) == 0
    assert privacy_erase.reapply_erasures(vault, ["0" * 64]) == 0
    assert count(vault, "SELECT count(*) FROM person") == 2
    assert privacy_erase.reapply_erasures(vault, [digest]) == 1
    assert privacy_erase.reapply_erasures(vault, [digest]) == 0
    assert sorted(privacy_erase.erasure_hashes(vault)) == sorted(["0" * 64, digest])


# -- the page scan ----------------------------------------------------------------------------
def test_page_scan_finds_nothing_of_the_erased_person(vault, seeded):
    key = bytes(vault._key)
    wanted = pieces(seeded.names_emails_phones)
    others = pieces(seeded.colleague_values)
    wanted -= others  # e.g. ".example": also in the colleague's address, who stays
    before = find_pieces(all_plain_pages(vault.path, key), wanted)
    # The scan can see: before the erase the person is all over the pages.
    assert "Quxbr" in before and "+4930" in before and "vozzl" in before

    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    with vault.unit_of_work() as uow:
        snapshot = uow.session.execute(text(
            "SELECT billing_name, billing_address FROM invoice WHERE id = :i"),
            {"i": seeded.kept_invoice_id}).one()
    masks = [snapshot.billing_name, snapshot.billing_address]
    assert snapshot.billing_name == erase_seed.DISPLAY

    open_pages = all_plain_pages(vault.path, key)
    # The colleague is still there and readable: the decryption works.
    assert find_pieces(open_pages, {"Fenwick", "fenwickery"}).keys() == {
        "Fenwick", "fenwickery"}
    found = find_pieces(open_pages, wanted, masks=masks)
    assert found == {}
    path = vault.path
    vault.close()
    assert find_pieces(all_plain_pages(path, key), wanted, masks=masks) == {}


def test_page_scan_sees_a_deleted_value_that_was_not_scrubbed(vault, seeded):
    """The scan's own check: the kept snapshot is found when it is not masked."""
    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    found = find_pieces(all_plain_pages(vault.path, bytes(vault._key)),
                        pieces([erase_seed.FAMILY]))
    assert found  # only inside the kept invoice's printed billing name


def test_nothing_changes_when_the_erase_fails_half_way(vault, seeded, monkeypatch):
    before = table_rows(vault)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(privacy_erase.search_index, "add_documents", broken)
    with pytest.raises(RuntimeError):
        privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    assert table_rows(vault) == before


def test_kept_until_follows_the_invoice_retention_rule(vault, seeded):
    from crasme_desktop.services import retention

    retention.set_retention_rule(vault, "invoices", 120, True)
    assert privacy_erase.invoice_retention_months(vault) == 120
    preview = privacy_erase.erase_preview(vault, seeded.person_id)
    assert preview.kept_until == date(2036, 3, 2)


def test_a_reader_holding_the_log_leaves_it_to_the_close_which_scrubs_it(vault, seeded):
    key = bytes(vault._key)
    wanted = pieces(seeded.names_emails_phones) - pieces(seeded.colleague_values)
    reader = vault.engine.connect()
    reader.execute(text("SELECT count(*) FROM person")).scalar()  # an open read snapshot
    try:
        outcome = privacy_erase.erase_person(vault, seeded.person_id,
                                             confirmation=erase_seed.DISPLAY)
        assert outcome.scrubbed is False  # said, not hidden
        wal = vault.path.with_name(vault.path.name + "-wal")
        assert wal.stat().st_size > 0
    finally:
        reader.close()
    with vault.unit_of_work() as uow:
        name, address = uow.session.execute(text(
            "SELECT billing_name, billing_address FROM invoice WHERE id = :i"),
            {"i": seeded.kept_invoice_id}).one()
    path = vault.path
    vault.close()  # the last connection checkpoints and removes the log
    assert find_pieces(all_plain_pages(path, key), wanted, masks=[name, address]) == {}


def test_her_own_deals_go_and_company_deals_only_lose_her_name(vault, seeded):
    from crasme_desktop.services import deals
    from crasme_desktop.services.deals import DealDraft

    own = deals.create_deal(vault, DealDraft(
        "Garden redesign", "1200", expected_close="2026-06-30", person_id=seeded.person_id))
    company = deals.create_deal(vault, DealDraft(
        "Office fit-out", "9000", expected_close="2026-07-31", person_id=seeded.person_id,
        organization_id=seeded.company_id))
    owned = deals.create_deal(vault, DealDraft(
        "Annual support", "500", expected_close="2026-05-31",
        organization_id=seeded.company_id, owner=erase_seed.DISPLAY))
    preview = privacy_erase.erase_preview(vault, seeded.person_id)
    assert {i.kind: i.count for i in preview.deleted}["deals"] == 1
    assert {i.kind: i.count for i in preview.changed}["company_deals"] == 1

    privacy_erase.erase_person(vault, seeded.person_id, confirmation=erase_seed.DISPLAY)
    assert count(vault, "SELECT count(*) FROM deal WHERE id = :d", d=own.id) == 0
    assert count(vault, "SELECT count(*) FROM deal WHERE id = :d AND person_id IS NULL",
                 d=company.id) == 1
    assert count(vault, "SELECT count(*) FROM deal WHERE id = :d AND owner = ''",
                 d=owned.id) == 1
    assert count(vault, "SELECT count(*) FROM search_doc WHERE record_id = :d",
                 d=own.id) == 0
