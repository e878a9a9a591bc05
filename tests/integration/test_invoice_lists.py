"""The invoice views on a real SQLCipher vault: the list's filters and sort orders, the
totals of the filtered rows, the aging of open amounts and the revenue by month, and
the query plans that keep them on indexes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.models import Invoice
from crasme_desktop.services import contacts, invoice_lists
from crasme_desktop.services.contacts import OrganizationDraft, PersonDraft
from crasme_desktop.services.invoice_lists import InvoiceFilter
from crasme_desktop.vault import open_vault
from sqlalchemy import text

TODAY = date(2026, 3, 15)


@pytest.fixture
def vault(created, keychain):
    # The vault clock's local date is TODAY (noon UTC is that date in every zone
    # within twelve hours of UTC).
    clock = FakeClock(datetime(2026, 3, 15, 12, 0, tzinfo=UTC))
    with open_vault(created.path, keychain=keychain, clock=clock) as opened:
        yield opened


def add(vault, number, *, status="issued", issued=date(2026, 1, 10), due=None,
        total=11900, paid=0, credited=0, currency="EUR", kind="invoice", name="Acme",
        org=None, person=None, credit_of=None):
    """One invoice straight into the table (the list reads only the table)."""
    net = total * 100 // 119
    inv = Invoice(kind=kind, number=number, status=status, billing_name=name,
                  customer_organization_id=org, customer_person_id=person,
                  currency=currency, issue_date=issued, due_date=due, net_minor=net,
                  tax_minor=total - net, total_minor=total, paid_minor=paid,
                  credited_minor=credited, credit_of_id=credit_of)
    with vault.unit_of_work() as uow:
        uow.session.add(inv)
        uow.session.flush()
        return inv.id


def numbers(vault, filt=None, sort="issue_date", descending=True, today=TODAY):
    ids = invoice_lists.ordered_invoice_ids(vault, filt, sort, descending, today=today)
    rows = []
    for start in range(0, len(ids), invoice_lists.BATCH):
        rows += invoice_lists.fetch_invoice_rows(vault, ids[start:start + 5], today=today)
        rows += invoice_lists.fetch_invoice_rows(vault, ids[start + 5:start + 100],
                                                 today=today)
    first = invoice_lists.first_invoice_rows(vault, filt, sort, descending, today=today)
    assert [r.rowid for r in first] == list(ids[:invoice_lists.BATCH])
    return [r.number or f"draft:{r.customer}" for r in rows]


@pytest.fixture
def book(vault):
    """A small sales ledger across statuses, customers, currencies and months."""
    acme = contacts.create_organization(vault, OrganizationDraft("Acme"))
    ada = contacts.create_person(vault, PersonDraft("Ada", "Lovelace"))
    d = date
    made = {
        # number: (status, issued, due, total, paid)
        "INV-2026-0001": add(vault, "INV-2026-0001", status="paid", issued=d(2026, 1, 5),
                             due=d(2026, 1, 19), total=11900, paid=11900, org=acme.id),
        "INV-2026-0002": add(vault, "INV-2026-0002", issued=d(2026, 1, 20),
                             due=d(2026, 2, 3), total=23800, name="Ada Lovelace",
                             person=ada.id),
        "INV-2026-0003": add(vault, "INV-2026-0003", status="partly_paid",
                             issued=d(2026, 2, 1), due=d(2026, 3, 15), total=5950,
                             paid=1000, org=acme.id),
        "INV-2026-0004": add(vault, "INV-2026-0004", issued=d(2026, 2, 20),
                             due=d(2026, 3, 14), total=1190, name="Zeta Bau"),
        "INV-2026-0005": add(vault, "INV-2026-0005", issued=d(2026, 3, 1),
                             due=d(2026, 3, 31), total=100000, currency="JPY",
                             name="Kyoto KK"),
        "CN-2026-0001": None,
        "draft": add(vault, None, status="draft", issued=d(2026, 3, 10),
                     due=d(2026, 3, 24), total=500, name="Bären GmbH"),
    }
    made["CN-2026-0001"] = add(vault, "CN-2026-0001", kind="credit_note",
                               issued=d(2026, 2, 25), due=None, total=1190,
                               name="Zeta Bau", credit_of=made["INV-2026-0004"])
    return {"ids": made, "acme": acme.id, "ada": ada.id}


def test_default_order_is_newest_issue_date_first_with_every_row(vault, book):
    assert numbers(vault) == ["draft:Bären GmbH", "INV-2026-0005", "CN-2026-0001",
                              "INV-2026-0004", "INV-2026-0003", "INV-2026-0002",
                              "INV-2026-0001"]
    assert numbers(vault, descending=False)[0] == "INV-2026-0001"


def test_rows_carry_decimal_amounts_the_open_amount_and_overdue(vault, book):
    ids = invoice_lists.ordered_invoice_ids(vault, today=TODAY)
    rows = {r.number: r for r in invoice_lists.fetch_invoice_rows(vault, ids, today=TODAY)}
    partly = rows["INV-2026-0003"]
    assert (partly.total, partly.paid, partly.open) == (
        Decimal("59.50"), Decimal("10.00"), Decimal("49.50"))
    assert partly.net + partly.tax == partly.total
    assert partly.customer_organization_id == book["acme"]
    assert not partly.overdue and partly.state == "partly_paid"  # due today: not late
    late = rows["INV-2026-0004"]
    assert late.overdue and late.state == "overdue" and late.status == "issued"
    yen = rows["INV-2026-0005"]
    assert yen.currency == "JPY" and yen.total == Decimal("100000")
    assert str(yen.total) == "100000"  # no decimals for yen
    assert rows["INV-2026-0001"].open == Decimal("0.00")
    note = rows["CN-2026-0001"]
    assert note.kind == "credit_note" and note.open == 0 and not note.overdue
    assert note.credit_of_id == book["ids"]["INV-2026-0004"]
    draft = rows[""]
    assert draft.status == "draft" and draft.customer == "Bären GmbH"
    assert draft.issue_date == date(2026, 3, 10) and draft.due_date == date(2026, 3, 24)


def test_rows_come_back_in_the_order_asked_and_skip_deleted_drafts(vault, book):
    ids = list(invoice_lists.ordered_invoice_ids(vault, today=TODAY))
    draft_rowid = invoice_lists.invoice_rowid(vault, book["ids"]["draft"])
    assert draft_rowid == ids[0]
    with vault.engine.begin() as conn:
        conn.execute(text("DELETE FROM invoice WHERE id = :i"), {"i": book["ids"]["draft"]})
    back = invoice_lists.fetch_invoice_rows(vault, ids[::-1], today=TODAY)
    assert [r.rowid for r in back] == ids[:0:-1]
    assert invoice_lists.invoice_rowid(vault, book["ids"]["draft"]) is None
    with pytest.raises(ValueError):
        invoice_lists.fetch_invoice_rows(vault, list(range(invoice_lists.MAX_BATCH + 1)))


def test_status_filters(vault, book):
    f = InvoiceFilter
    assert numbers(vault, f(status="draft")) == ["draft:Bären GmbH"]
    assert numbers(vault, f(status="paid")) == ["INV-2026-0001"]
    # "issued" is the stored status: credit notes are issued documents too.
    assert numbers(vault, f(status="issued")) == ["INV-2026-0005", "CN-2026-0001",
                                                  "INV-2026-0004", "INV-2026-0002"]
    assert numbers(vault, f(status="issued", kind="invoice")) == [
        "INV-2026-0005", "INV-2026-0004", "INV-2026-0002"]
    # Open: issued or partly paid invoices, merged in date order; no credit notes.
    assert numbers(vault, f(status="open")) == ["INV-2026-0005", "INV-2026-0004",
                                                "INV-2026-0003", "INV-2026-0002"]
    assert numbers(vault, f(status="open"), descending=False) == [
        "INV-2026-0002", "INV-2026-0003", "INV-2026-0004", "INV-2026-0005"]
    # Overdue: open and due before today (0003 is due today, 0005 later).
    assert numbers(vault, f(status="overdue")) == ["INV-2026-0004", "INV-2026-0002"]
    assert numbers(vault, f(status="overdue"), today=date(2026, 3, 16)) == [
        "INV-2026-0004", "INV-2026-0003", "INV-2026-0002"]
    assert numbers(vault, f(status="overdue"), today=date(2026, 2, 3)) == []
    with pytest.raises(ValueError):
        invoice_lists.ordered_invoice_ids(vault, f(status="late"))


def test_overdue_as_of_the_vault_clock_when_no_day_is_given(vault, book):
    ids = invoice_lists.ordered_invoice_ids(vault, InvoiceFilter(status="overdue"))
    rows = invoice_lists.fetch_invoice_rows(vault, ids)
    assert [r.number for r in rows] == ["INV-2026-0004", "INV-2026-0002"]
    assert all(r.overdue for r in rows)


def test_customer_period_and_number_filters(vault, book):
    f = InvoiceFilter
    assert numbers(vault, f(customer_organization_id=book["acme"])) == [
        "INV-2026-0003", "INV-2026-0001"]
    assert numbers(vault, f(customer_person_id=book["ada"])) == ["INV-2026-0002"]
    assert numbers(vault, f(customer_organization_id=book["acme"], status="open")) == [
        "INV-2026-0003"]
    # The period is the issue date, both ends included.
    assert numbers(vault, f(period_from=date(2026, 2, 1), period_to=date(2026, 2, 25))) == [
        "CN-2026-0001", "INV-2026-0004", "INV-2026-0003"]
    assert numbers(vault, f(period_to=date(2026, 1, 5))) == ["INV-2026-0001"]
    assert numbers(vault, f(text="INV-2026-000"), sort="number", descending=False) == [
        "INV-2026-0001", "INV-2026-0002", "INV-2026-0003", "INV-2026-0004",
        "INV-2026-0005"]
    assert numbers(vault, f(text=" inv-2026-0004 ")) == ["INV-2026-0004"]
    assert numbers(vault, f(text="CN")) == ["CN-2026-0001"]
    assert numbers(vault, f(text="INV-2027")) == []
    assert numbers(vault, f(text="2026")) == []  # a prefix, not a substring


def test_sort_orders(vault, book):
    assert numbers(vault, sort="number", descending=False) == [
        "draft:Bären GmbH", "CN-2026-0001", "INV-2026-0001", "INV-2026-0002",
        "INV-2026-0003", "INV-2026-0004", "INV-2026-0005"]
    assert numbers(vault, sort="customer", descending=False) == [
        "INV-2026-0001", "INV-2026-0003", "INV-2026-0002", "draft:Bären GmbH",
        "INV-2026-0005", "INV-2026-0004", "CN-2026-0001"]
    assert numbers(vault, sort="total")[:3] == ["INV-2026-0005", "INV-2026-0002",
                                                 "INV-2026-0001"]
    by_due = numbers(vault, sort="due_date", descending=False)
    assert by_due[0] == "CN-2026-0001"  # no due date: first going up
    assert by_due[1:] == ["INV-2026-0001", "INV-2026-0002", "INV-2026-0004",
                          "INV-2026-0003", "draft:Bären GmbH", "INV-2026-0005"]
    assert numbers(vault, InvoiceFilter(status="open"), sort="due_date") == [
        "INV-2026-0005", "INV-2026-0003", "INV-2026-0004", "INV-2026-0002"]
    with pytest.raises(ValueError):
        invoice_lists.ordered_invoice_ids(vault, None, "colour")


def test_equal_dates_keep_one_stable_order(vault):
    made = [add(vault, f"INV-{n:04d}", issued=date(2026, 1, 1)) for n in range(30)]
    expected = sorted(made, reverse=True)
    ids = invoice_lists.ordered_invoice_ids(vault, today=TODAY)
    assert [r.id for r in invoice_lists.fetch_invoice_rows(vault, ids)] == expected
    opened = invoice_lists.ordered_invoice_ids(vault, InvoiceFilter(status="open"),
                                               today=TODAY)
    assert list(opened) == list(ids)


def test_totals_of_the_filtered_rows_per_currency(vault, book):
    every = invoice_lists.invoice_totals(vault, today=TODAY)
    assert every.count == 7
    eur, jpy = every.per_currency
    # Credit notes subtract; the open amount counts issued and partly paid invoices.
    assert eur.currency == "EUR" and eur.count == 6
    assert eur.total == Decimal("119.00") + Decimal("238.00") + Decimal("59.50") + \
        Decimal("11.90") - Decimal("11.90") + Decimal("5.00")
    assert eur.open == Decimal("238.00") + Decimal("49.50") + Decimal("11.90")
    assert (jpy.currency, jpy.count, jpy.total, jpy.open) == (
        "JPY", 1, Decimal("100000"), Decimal("100000"))
    late = invoice_lists.invoice_totals(vault, InvoiceFilter(status="overdue"), today=TODAY)
    assert late.count == 2
    assert late.per_currency[0].open == Decimal("249.90")
    acme = invoice_lists.invoice_totals(
        vault, InvoiceFilter(customer_organization_id=book["acme"]), today=TODAY)
    assert (acme.count, acme.per_currency[0].total, acme.per_currency[0].open) == (
        2, Decimal("178.50"), Decimal("49.50"))
    assert invoice_lists.invoice_totals(vault, InvoiceFilter(text="X")).per_currency == ()


def test_aging_buckets_by_days_past_due(vault):
    today = date(2026, 6, 30)

    def due(days_late, total, **kw):
        return add(vault, f"INV-A{days_late:+04d}-{total}", issued=date(2026, 1, 1),
                   due=today - timedelta(days=days_late), total=total, **kw)

    due(-5, 100)       # not yet due
    due(0, 200)        # due today: current
    due(1, 400)
    due(30, 800)
    due(31, 1600, status="partly_paid", paid=600)  # 1000 open
    due(60, 3200)
    due(61, 6400, credited=400)                     # 6000 open
    due(90, 12800)
    due(91, 25600)
    due(400, 7, currency="JPY")
    due(45, 99999, status="paid", paid=99999)       # paid: not in the aging
    add(vault, None, status="draft", due=today - timedelta(days=45), total=55555)
    add(vault, "CN-A", kind="credit_note", due=today - timedelta(days=50), total=3)
    add(vault, "INV-NODUE", due=None, total=50)     # no due date: current
    aging = invoice_lists.aging_summary(vault, today)
    assert aging.as_of == today
    eur, jpy = aging.rows
    assert eur.buckets() == (Decimal("3.50"), Decimal("12.00"), Decimal("42.00"),
                             Decimal("188.00"), Decimal("256.00"))
    assert eur.total == sum(eur.buckets()) and eur.count == 10
    assert jpy.buckets() == (0, 0, 0, 0, Decimal("7")) and jpy.count == 1
    # As of the vault clock's day (2026-03-15) everything is still current.
    early = invoice_lists.aging_summary(vault).rows[0]
    assert early.current == early.total


def test_aging_with_nothing_open_is_empty(vault):
    add(vault, "INV-1", status="paid", paid=11900, due=date(2026, 1, 1))
    assert invoice_lists.aging_summary(vault, TODAY).rows == ()


def test_revenue_by_month_subtracts_credit_notes(vault, book):
    months = invoice_lists.revenue_by_month(vault, date(2026, 1, 1), date(2026, 4, 30))
    got = {(m.month, m.currency): m for m in months}
    assert [m.month for m in months] == [date(2026, n, 1) for n in (1, 2, 3, 4)
                                         for _ in ("EUR", "JPY")]
    jan = got[(date(2026, 1, 1), "EUR")]
    assert (jan.gross, jan.net, jan.invoices, jan.credit_notes) == (
        Decimal("357.00"), Decimal("300.00"), 2, 0)
    feb = got[(date(2026, 2, 1), "EUR")]
    # 59.50 and 11.90 issued, the 11.90 credited in the same month; paid or not counts.
    assert (feb.gross, feb.invoices, feb.credit_notes) == (Decimal("59.50"), 2, 1)
    assert feb.net == Decimal("50.00") + Decimal("10.00") - Decimal("10.00")
    mar = got[(date(2026, 3, 1), "EUR")]
    assert (mar.gross, mar.invoices) == (Decimal("0.00"), 0)  # the draft does not count
    assert got[(date(2026, 3, 1), "JPY")].gross == Decimal("100000")
    assert got[(date(2026, 4, 1), "JPY")].gross == 0
    # Both ends included; a period with nothing issued is empty.
    only = invoice_lists.revenue_by_month(vault, date(2026, 1, 20), date(2026, 1, 20))
    assert [(m.month, m.gross) for m in only] == [(date(2026, 1, 1), Decimal("238.00"))]
    assert invoice_lists.revenue_by_month(vault, date(2025, 1, 1), date(2025, 12, 31)) == []
    assert invoice_lists.revenue_by_month(vault, date(2026, 5, 1), date(2026, 1, 1)) == []


# -- query plans ----------------------------------------------------------------------------
def plan(vault, filt=None, sort="issue_date", descending=True, limit=True):
    sql, params = invoice_lists.list_sql(filt or InvoiceFilter(), sort, descending, TODAY)
    if limit:
        sql += " LIMIT 100"
    with vault.engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", tuple(params)).fetchall()
    return [r[3] for r in rows]


def full_scan(steps):
    """A step that reads the whole invoice table without an index."""
    return [s for s in steps if s.startswith("SCAN i") and "INDEX" not in s]


def test_the_default_order_reads_an_index_and_never_sorts(vault):
    for descending in (True, False):
        steps = plan(vault, descending=descending)
        assert any("ix_invoice_issue" in s for s in steps), steps
        assert not any("TEMP B-TREE" in s for s in steps), steps
    steps = plan(vault, sort="number")
    assert any("uq_invoice_number" in s for s in steps), steps
    assert not any("TEMP B-TREE" in s for s in steps), steps


@pytest.mark.parametrize("filt, index", [
    (InvoiceFilter(customer_organization_id="x"), "ix_invoice_organization"),
    (InvoiceFilter(customer_person_id="x"), "ix_invoice_person"),
    (InvoiceFilter(period_from=date(2026, 1, 1), period_to=date(2026, 1, 31)),
     "ix_invoice_issue"),
    (InvoiceFilter(customer_organization_id="x", period_from=date(2026, 1, 1)),
     "ix_invoice_organization"),
])
def test_customer_and_period_filters_read_their_index_in_order(vault, filt, index):
    steps = plan(vault, filt)
    assert any(f"SEARCH i USING COVERING INDEX {index}" in s for s in steps), steps
    assert not any("TEMP B-TREE" in s for s in steps), steps


@pytest.mark.parametrize("status", ["draft", "issued", "paid", "open", "overdue"])
def test_status_filters_search_an_index_never_scan_the_table(vault, status):
    steps = plan(vault, InvoiceFilter(status=status))
    assert not full_scan(steps), steps
    assert any(s.startswith("SEARCH i USING") and "(status=?" in s for s in steps), steps


def test_number_prefix_searches_the_number_index(vault):
    steps = plan(vault, InvoiceFilter(text="INV-2026"))
    assert not full_scan(steps), steps
    assert any("uq_invoice_number" in s for s in steps), steps


def test_a_broad_number_prefix_walks_the_date_index_with_the_same_rows(vault, book,
                                                                       monkeypatch):
    narrow = numbers(vault, InvoiceFilter(text="inv-2026"))
    assert narrow == ["INV-2026-0005", "INV-2026-0004", "INV-2026-0003", "INV-2026-0002",
                      "INV-2026-0001"]
    monkeypatch.setattr(invoice_lists, "BROAD_PREFIX", 3)
    assert numbers(vault, InvoiceFilter(text="inv-2026")) == narrow
    assert numbers(vault, InvoiceFilter(text="INV-2026-0003")) == ["INV-2026-0003"]
    sql, params = invoice_lists.list_sql(InvoiceFilter(text="INV"), broad_text=True)
    with vault.engine.connect() as conn:
        steps = [r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql} LIMIT 100",
                                                    tuple(params))]
    assert any("ix_invoice_issue" in s for s in steps), steps
    assert not any("TEMP B-TREE" in s for s in steps), steps
