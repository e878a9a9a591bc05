"""Invoices in the search index: found by their number (its start, its digits, its last
group) and by their customer, under an "Invoices" group; re-indexing follows changes
and deleted drafts leave the index."""

from __future__ import annotations

from datetime import date

import pytest
from crasme_desktop.domain.models import Invoice
from crasme_desktop.services import contacts, search, search_index
from crasme_desktop.services.contacts import OrganizationDraft, PersonDraft
from crasme_desktop.vault import open_vault
from sqlalchemy import text


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain) as opened:
        yield opened


def add(vault, number, name, *, status="issued", kind="invoice", org=None, person=None):
    with vault.unit_of_work() as uow:
        inv = Invoice(kind=kind, number=number, status=status, billing_name=name,
                      customer_organization_id=org, customer_person_id=person,
                      currency="EUR", issue_date=date(2026, 1, 10), total_minor=100)
        uow.session.add(inv)
        uow.session.flush()
        search_index.index_invoices(uow.session, [inv.id])
        return inv.id


def invoices(vault, typed):
    found = search.search(vault, typed, limit=20)
    groups = {g.kind: g for g in found.groups}
    if "invoice" not in groups:
        return []
    assert groups["invoice"].label == "Invoices"
    return [h.title for h in groups["invoice"].hits]


@pytest.fixture
def ledger(vault):
    kuehne = contacts.create_organization(vault, OrganizationDraft("Kühne Logistik"))
    ada = contacts.create_person(vault, PersonDraft("Ada", "Lovelace"))
    ids = {
        "0042": add(vault, "INV-2026-0042", "Kühne Logistik GmbH", org=kuehne.id),
        "0043": add(vault, "INV-2026-0043", "Ada Lovelace", person=ada.id),
        "0100": add(vault, "INV-2026-0100", "Zeta Bau"),
        "2025": add(vault, "INV-2025-0042", "Zeta Bau"),
        "cn": add(vault, "CN-2026-0007", "Zeta Bau", kind="credit_note"),
        "draft": add(vault, None, "Bären & Söhne", status="draft"),
    }
    return {"ids": ids, "kuehne": kuehne.id, "ada": ada.id}


def test_number_start_finds_the_series(vault, ledger):
    assert sorted(invoices(vault, "INV-2026-00")) == ["INV-2026-0042", "INV-2026-0043"]
    assert sorted(invoices(vault, "inv-2026-01")) == ["INV-2026-0100"]
    assert invoices(vault, "INV-2026-0042") == ["INV-2026-0042"]
    assert sorted(invoices(vault, "INV 2025")) == ["INV-2025-0042"]


def test_digits_of_a_number_find_it(vault, ledger):
    # Typed as on the paper's last group, with or without the zeros, or all digits.
    assert sorted(invoices(vault, "0042")) == ["INV-2025-0042", "INV-2026-0042"]
    assert sorted(invoices(vault, "42")) == ["INV-2025-0042", "INV-2026-0042"]
    assert invoices(vault, "20260042") == ["INV-2026-0042"]
    assert invoices(vault, "2026-0043") == ["INV-2026-0043"]
    assert invoices(vault, "0099") == []


def test_customer_names_find_invoices_with_people_and_companies(vault, ledger):
    found = search.search(vault, "kuhne", limit=20)
    kinds = {g.kind: [h.title for h in g.hits] for g in found.groups}
    assert kinds["organization"] == ["Kühne Logistik"]
    assert kinds["invoice"] == ["INV-2026-0042"]
    hit = next(h for h in found.hits if h.kind == "invoice")
    assert hit.id == ledger["ids"]["0042"]
    assert hit.subtitle == "Invoice · Kühne Logistik GmbH"
    assert invoices(vault, "lovelace") == ["INV-2026-0043"]
    assert sorted(invoices(vault, "zeta")) == ["CN-2026-0007", "INV-2025-0042",
                                               "INV-2026-0100"]
    note = next(h for h in search.search(vault, "CN-2026").hits if h.kind == "invoice")
    assert note.subtitle == "Credit note · Zeta Bau"
    # A draft has no number yet: found by its customer, titled as a draft.
    draft = next(h for h in search.search(vault, "baren").hits if h.kind == "invoice")
    assert (draft.title, draft.subtitle) == ("Draft invoice", "Bären & Söhne")


def test_reindexing_follows_changes_and_deleted_drafts_leave(vault, ledger):
    draft = ledger["ids"]["draft"]
    with vault.engine.begin() as conn:
        conn.execute(text("UPDATE invoice SET billing_name = 'Quast AG' WHERE id = :i"),
                     {"i": draft})
    with vault.unit_of_work() as uow:
        search_index.index_invoices(uow.session, [draft])
    assert invoices(vault, "baren") == []
    assert invoices(vault, "quast") == ["Draft invoice"]
    with vault.engine.begin() as conn:
        conn.execute(text("DELETE FROM invoice WHERE id = :i"), {"i": draft})
    with vault.unit_of_work() as uow:
        search_index.index_invoices(uow.session, [draft])
        left = uow.session.execute(
            text("SELECT count(*) FROM search_doc WHERE record_id = :i"), {"i": draft}
        ).scalar()
    assert left == 0
    assert invoices(vault, "quast") == []
    with vault.unit_of_work() as uow:
        search_index.unindex(uow.session, "invoice", [ledger["ids"]["0100"]])
    assert invoices(vault, "INV-2026-01") == []


def test_invoices_keep_their_own_id_range(vault, ledger):
    low, high = search_index.kind_range("invoice")
    with vault.engine.connect() as conn:
        doc_ids = conn.execute(text(
            "SELECT d.doc_id FROM search_doc d JOIN invoice i ON i.id = d.record_id"
        )).scalars().all()
    assert len(doc_ids) == 6 and all(low <= d <= high for d in doc_ids)
    assert search_index.kind_of(doc_ids[0]) == "invoice"


def test_invoice_text_forms():
    t = search_index.invoice_text("INV-2026-0042", "Acme GmbH", "Ada Lovelace", "Acme")
    assert t.name == "INV-2026-0042 Acme GmbH"
    assert t.other.split() == ["INV-2026-0042", "20260042", "42", "Ada", "Lovelace", "Acme"]
    assert search_index.invoice_text("", "Acme").name == "Acme"
    assert search_index.invoice_text("R000", "X").other == "R000"
