"""What finished issue 4, on a real SQLCipher vault: customer credit used on a later
invoice, partial credit notes by line (quantity or amount), recurring plans managed and
run by a fake clock across month ends, and the quote list paged by key."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D  # noqa: N817 - short amounts in tables of cases

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import business, contacts, invoice_lists, invoices, quotes
from crasme_desktop.services.business import BusinessSettings
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.services.invoices import CreditPart, InvoiceDraft, PaymentDraft, RecurringDraft
from crasme_desktop.services.quotes import LineDraft
from crasme_desktop.vault import open_vault
from tests.support.sentences import assert_one_sentence

START = datetime(2028, 1, 31, 9, 0, tzinfo=UTC)  # 2028 is a leap year
TODAY = date(2028, 1, 31)
SELLER = BusinessSettings(
    name="Crasme Studio", address_lines=("Hauptstr. 1", "10115 Berlin"), country_code="DE",
    default_currency="EUR", payment_terms_days=14, locale="en_US",
)


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def vault(created, keychain, clock):
    with open_vault(created.path, keychain=keychain, clock=clock) as opened:
        business.save_business(opened, SELLER)
        yield opened


@pytest.fixture
def acme(vault):
    return contacts.create_organization(vault, OrganizationDraft("Acme Analytics"))


def work(qty="2", price="100.00", description="Consulting", discount="0"):
    return LineDraft(description, D(qty), "h", D(price), D(discount))


def issued(vault, customer, *lines, currency=""):
    draft = invoices.save_invoice_draft(vault, InvoiceDraft(
        customer_organization_id=customer.id, currency=currency, lines=lines or (work(),)))
    return invoices.issue_invoice(vault, draft.id, today=TODAY)


def refused(call, *args, match, **kwargs):
    with pytest.raises(UserError) as caught:
        call(*args, **kwargs)
    assert_one_sentence(caught.value.message)
    assert match in caught.value.message, caught.value.message
    return caught.value.message


# -- customer credit ---------------------------------------------------------------------
def test_an_overpayment_pays_a_later_invoice_as_credit(vault, acme):
    first = issued(vault, acme)  # 238.00
    invoices.record_payment(vault, first.id, PaymentDraft(TODAY, D("300"), "EUR"),
                            overpayment="credit")
    later = issued(vault, acme, work(qty="1"))  # 119.00
    assert invoices.available_credit(vault, later.id).amount == D("62.00")

    refused(invoices.apply_credit, vault, later.id, D("70"), match="only €62.00 of credit")
    refused(invoices.apply_credit, vault, later.id, D("10"), currency="USD",
            match="is in EUR; credit in USD cannot pay it")
    after = invoices.apply_credit(vault, later.id, D("50"))
    assert (after.status, after.paid, after.open_amount) == ("partly_paid", D("50.00"),
                                                             D("69.00"))
    assert [(p.method, p.amount) for p in after.payments] == [("credit", D("50.00"))]
    assert "Overpayment of INV-2028-0001" in after.payments[0].reference
    assert invoices.available_credit(vault, later.id).amount == D("12.00")
    paid = invoices.apply_credit(vault, later.id, D("12"))
    assert paid.open_amount == D("57.00")
    refused(invoices.apply_credit, vault, later.id, D("1"), match="no credit left")


def test_credit_is_never_more_than_the_amount_due(vault, acme):
    first = issued(vault, acme)
    invoices.record_payment(vault, first.id, PaymentDraft(TODAY, D("500"), "EUR"),
                            overpayment="credit")
    small = issued(vault, acme, work(qty="1", price="10"))  # 11.90
    refused(invoices.apply_credit, vault, small.id, D("20"),
            match="more than the €11.90 due on INV-2028-0002")
    assert invoices.apply_credit(vault, small.id, D("11.90")).status == "paid"
    refused(invoices.apply_credit, vault, small.id, D("1"), match="nothing left to pay")


def test_credit_in_another_currency_is_refused_clearly(vault, acme):
    dollars = issued(vault, acme, currency="USD")
    invoices.record_payment(vault, dollars.id, PaymentDraft(TODAY, D("300"), "USD"),
                            overpayment="credit")
    euros = issued(vault, acme)
    available = invoices.available_credit(vault, euros.id)
    assert available.amount == D("0.00") and available.other == (("USD", D("62.00")),)
    refused(invoices.apply_credit, vault, euros.id, D("10"),
            match="credit is in USD; it cannot pay an invoice in EUR")


def test_a_credit_note_on_a_paid_invoice_becomes_usable_credit(vault, acme):
    first = issued(vault, acme, work(qty="1"))
    invoices.record_payment(vault, first.id, PaymentDraft(TODAY, D("119"), "EUR"))
    invoices.create_credit_note(vault, first.id, today=TODAY)
    later = issued(vault, acme, work(qty="1"))
    assert invoices.apply_credit(vault, later.id, D("119")).status == "paid"


# -- partial credit notes ----------------------------------------------------------------
def test_a_partial_credit_note_by_quantity_and_by_amount(vault, acme):
    inv = issued(vault, acme, work(qty="10", price="50"), work(qty="1", price="200",
                                                              description="Travel"))
    lines = invoices.creditable_lines(vault, inv.id)
    assert [(x.description, x.amount, x.remaining) for x in lines] == [
        ("Consulting", D("500.00"), D("500.00")), ("Travel", D("200.00"), D("200.00"))]
    note = invoices.create_partial_credit_note(vault, inv.id, [
        CreditPart(lines[0].id, quantity=D("3")), CreditPart(lines[1].id, amount=D("40"))],
        today=TODAY)
    assert note.kind == "credit_note" and note.credit_of_number == inv.number
    assert note.net == D("190.00") and note.total == D("226.10")  # 150 + 40, plus 19 %
    after = invoices.get_invoice(vault, inv.id)
    assert (after.credited, after.open_amount, after.status) == (
        D("226.10"), inv.total - D("226.10"), "issued")
    lines = invoices.creditable_lines(vault, inv.id)
    assert [(x.credited, x.remaining) for x in lines] == [
        (D("150.00"), D("350.00")), (D("40.00"), D("160.00"))]
    assert lines[0].remaining_quantity == D("7")

    refused(invoices.create_partial_credit_note, vault, inv.id,
            [CreditPart(lines[0].id, quantity=D("8"))], match="Only €350.00 of line 1")
    refused(invoices.create_partial_credit_note, vault, inv.id,
            [CreditPart(lines[1].id, amount=D("160.01"))], match="left to credit")
    refused(invoices.create_partial_credit_note, vault, inv.id,
            [CreditPart(lines[0].id, quantity=D("11"))], match="Only 10 was invoiced")
    refused(invoices.create_partial_credit_note, vault, inv.id,
            [CreditPart(lines[0].id, quantity=D("0"))], match="above zero")
    refused(invoices.create_partial_credit_note, vault, inv.id, [],
            match="Choose at least one line")
    refused(invoices.create_partial_credit_note, vault, inv.id,
            [CreditPart(lines[0].id, quantity=D("1"), amount=D("1"))],
            match="either a quantity or an amount")

    rest = invoices.create_partial_credit_note(vault, inv.id, [
        CreditPart(lines[0].id, quantity=D("7")), CreditPart(lines[1].id, amount=D("160"))],
        today=TODAY)
    final = invoices.get_invoice(vault, inv.id)
    assert final.status == "cancelled" and final.open_amount == D("0.00")
    assert final.credit_note_ids == (note.id, rest.id)
    assert all(x.remaining == 0 for x in invoices.creditable_lines(vault, inv.id))


def test_a_partial_credit_of_a_partly_paid_invoice_settles_it(vault, acme):
    inv = issued(vault, acme, work(qty="2", price="100"))  # 238.00
    invoices.record_payment(vault, inv.id, PaymentDraft(TODAY, D("119"), "EUR"))
    line = invoices.creditable_lines(vault, inv.id)[0]
    invoices.create_partial_credit_note(vault, inv.id, [CreditPart(line.id, quantity=D(1))],
                                        today=TODAY)
    after = invoices.get_invoice(vault, inv.id)
    assert (after.status, after.open_amount) == ("paid", D("0.00"))
    doc = invoices.document_for(vault, "invoice", after.credit_note_ids[0])
    assert (doc.reference, doc.reference_date) == (inv.number, inv.issue_date)
    from crasme_desktop.formats import facturx_xml

    xml = facturx_xml.facturx_xml(doc)
    facturx_xml.check_facturx_xml(xml)
    assert b"<ram:IssuerAssignedID>INV-2028-0001</ram:IssuerAssignedID>" in xml
    assert b'format="102">20280131</qdt:DateTimeString>' in xml


# -- recurring plans ---------------------------------------------------------------------
def test_a_monthly_plan_from_jan_31_runs_on_month_ends_by_the_clock(vault, acme, clock):
    plan = invoices.save_recurring(vault, RecurringDraft(
        "monthly", TODAY, (work(),), customer_organization_id=acme.id, name="Support"))
    assert (plan.state, plan.next_date, plan.customer_name, plan.total) == (
        "active", TODAY, "Acme Analytics", D("238.00"))
    made = invoices.make_due_recurring(vault)  # the clock's day: Jan 31
    assert [invoices.get_invoice(vault, i).issue_date for i in made] == [TODAY]
    clock.advance(timedelta(days=28).total_seconds())  # Feb 28, 2028: not yet
    assert invoices.make_due_recurring(vault) == []
    clock.advance(timedelta(days=1).total_seconds())  # Feb 29 (a leap year)
    made = invoices.make_due_recurring(vault)
    assert [invoices.get_invoice(vault, i).issue_date for i in made] == [date(2028, 2, 29)]
    assert invoices.get_recurring(vault, plan.id).next_date == date(2028, 3, 31)
    clock.advance(timedelta(days=31).total_seconds())  # Mar 31
    assert len(invoices.make_due_recurring(vault)) == 1
    # The drafts are in the invoice list, to be checked and issued.
    drafts = invoice_lists.first_invoice_rows(vault, invoice_lists.InvoiceFilter(
        status="draft"))
    assert sorted(r.issue_date for r in drafts) == [TODAY, date(2028, 2, 29),
                                                    date(2028, 3, 31)]
    assert invoices.get_recurring(vault, plan.id).made == 3


def test_a_plan_is_paused_resumed_edited_and_deleted(vault, acme):
    plan = invoices.save_recurring(vault, RecurringDraft(
        "quarterly", date(2027, 11, 30), (work(),), customer_organization_id=acme.id,
        end_date=date(2028, 12, 31)))
    paused = invoices.set_recurring_active(vault, plan.id, False)
    assert paused.state == "paused"
    assert invoices.make_due_recurring(vault, date(2028, 6, 1)) == []
    # Resuming skips the periods that passed while paused.
    resumed = invoices.set_recurring_active(vault, plan.id, True, today=date(2028, 6, 1))
    assert resumed.next_date == date(2028, 8, 30) and resumed.state == "active"
    moved = invoices.save_recurring(vault, RecurringDraft(
        "yearly", resumed.start_date, (work(qty="5"),), customer_organization_id=acme.id,
        next_date=date(2028, 7, 1)), plan.id)
    assert (moved.interval, moved.next_date, moved.total) == ("yearly", date(2028, 7, 1),
                                                              D("595.00"))
    refused(invoices.save_recurring, vault, RecurringDraft(
        "monthly", TODAY, (work(),), customer_organization_id=acme.id,
        end_date=date(2027, 1, 1)), match="end date is before")
    refused(invoices.save_recurring, vault, RecurringDraft(
        "monthly", TODAY, (), customer_organization_id=acme.id), match="at least one line")
    made = invoices.make_due_recurring(vault, date(2028, 7, 1))
    invoices.delete_recurring(vault, plan.id)
    assert invoices.list_recurring(vault) == []
    kept = invoices.get_invoice(vault, made[0])  # the drafts it made stay
    assert kept.recurring_id is None
    refused(invoices.set_recurring_active, vault, plan.id, True, match="no longer exists")


def test_a_plan_that_reached_its_end_date_ends(vault, acme):
    plan = invoices.save_recurring(vault, RecurringDraft(
        "monthly", TODAY, (work(),), customer_organization_id=acme.id,
        end_date=date(2028, 2, 29)))
    assert len(invoices.make_due_recurring(vault, date(2028, 5, 1))) == 2
    ended = invoices.get_recurring(vault, plan.id)
    assert ended.state == "ended"
    refused(invoices.set_recurring_active, vault, plan.id, True, match="has ended")


def test_a_plan_starts_from_an_invoice(vault, acme):
    inv = issued(vault, acme, work(qty="3", description="Hosting"))
    draft = invoices.recurring_draft_from_invoice(vault, inv.id, "monthly")
    assert draft.start_date == date(2028, 2, 29)  # one month after Jan 31
    assert draft.customer_organization_id == acme.id
    assert [(x.description, x.quantity) for x in draft.lines] == [("Hosting", D("3"))]
    saved = invoices.save_recurring(vault, draft)
    assert saved.total == inv.total


# -- the quote list ----------------------------------------------------------------------
def test_the_quote_list_is_read_by_key_beyond_one_page(vault, acme):
    globex = contacts.create_organization(vault, OrganizationDraft("Globex"))
    made = []
    for n in range(quotes.PAGE + 37):
        customer = acme if n % 3 else globex
        made.append(quotes.save_quote(vault, quotes.QuoteDraft(
            customer_organization_id=customer.id, lines=(work(),),
            issue_date=TODAY - timedelta(days=n % 50))))
    ids = quotes.ordered_quote_ids(vault)
    assert len(ids) == len(made) > quotes.PAGE
    first = quotes.first_quote_rows(vault)
    assert len(first) == quotes.PAGE
    assert [r.rowid for r in first] == list(ids[:quotes.PAGE])
    rest = quotes.fetch_quote_rows(vault, list(ids[quotes.PAGE:]))
    everything = first + rest
    assert len({r.id for r in everything}) == len(made)
    keys = [(r.issue_date, r.id) for r in everything]
    assert keys == sorted(keys, reverse=True)
    by_customer = quotes.ordered_quote_ids(vault, customer_organization_id=globex.id)
    assert len(by_customer) == sum(1 for n in range(len(made)) if n % 3 == 0)
    accepted = made[5]
    quotes.set_quote_status(vault, accepted.id, "accepted")
    rows = quotes.first_quote_rows(vault, status="accepted")
    assert [r.id for r in rows] == [accepted.id]
    expired = quotes.first_quote_rows(vault, status="expired", today=TODAY + timedelta(days=60))
    assert len(expired) == quotes.PAGE and all(r.status == "expired" for r in expired)


def test_the_quote_list_is_read_in_index_order(vault, acme):
    """No sort of the whole table (and no OFFSET): the plan walks an index in order."""
    for person, org in (("", ""), ("", acme.id)):
        sql, params = quotes._quote_list_sql("", person, org, TODAY)
        assert "OFFSET" not in sql.upper()
        with vault.engine.connect() as conn:
            plan = " | ".join(str(row[-1]) for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {sql} LIMIT 200", tuple(params)))
        assert "TEMP B-TREE" not in plan.upper(), plan
        assert "INDEX" in plan.upper(), plan


def test_a_status_and_customer_filter_reads_the_customers_index(vault, acme):
    """A customer with few paid invoices must not make the list walk every paid one."""
    filt = invoice_lists.InvoiceFilter(status="paid", customer_organization_id=acme.id)
    sql, params = invoice_lists.list_sql(filt, today=TODAY)
    with vault.engine.connect() as conn:
        plan = " | ".join(str(row[-1]) for row in conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {sql} LIMIT 100", tuple(params)))
    assert "ix_invoice_organization" in plan and "TEMP B-TREE" not in plan.upper(), plan
