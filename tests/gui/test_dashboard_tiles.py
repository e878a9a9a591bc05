"""The dashboard's tiles on a real vault: each figure equals the count of the list behind
it (the same vault, the list services), the tiles show them in the locale with the
alarming ones in red, and a tile opened by mouse or keyboard shows its filtered list in
the main window (Sales filtered to overdue, Deals to this month's closings, Reports on
this month's revenue; Tickets and Schedule open their page)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D  # noqa: N817 - short amounts

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.models import Job, StaffMember, Ticket
from crasme_desktop.services import (
    business,
    contacts,
    dashboard,
    deals,
    invoice_lists,
    invoices,
    office_time,
    schedule,
    ticket_queues,
)
from crasme_desktop.services.business import BusinessSettings
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.services.deals import DealDraft
from crasme_desktop.services.invoice_lists import InvoiceFilter
from crasme_desktop.services.invoices import InvoiceDraft, PaymentDraft
from crasme_desktop.services.quotes import LineDraft
from crasme_desktop.services.ticket_queues import TicketQuery
from crasme_desktop.ui.main_window import MainWindow
from crasme_desktop.ui.pages.dashboard import DashboardPage
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.vault import open_vault
from PySide6.QtCore import QLocale, Qt
from tests.support.clicks import click

WAIT = 20_000
PASSPHRASE = "correct horse battery staple"
TODAY = date.today()
NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 12, 0, tzinfo=UTC)
SELLER = BusinessSettings(
    name="Crasme Studio", address_lines=("Hauptstr. 1", "10115 Berlin"), country_code="DE",
    tax_id="DE136695976", iban="DE89 3704 0044 0532 0130 00", default_currency="EUR",
    payment_terms_days=14, locale="de_DE",
)


@pytest.fixture
def english():
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(usual)


@pytest.fixture
def vault(make_vault, keychain):
    """A vault at noon UTC today (the office in UTC), with something for every tile."""
    created = make_vault(passphrase=PASSPHRASE)
    with open_vault(created.path, passphrase=PASSPHRASE, use_keychain=False,
                    keychain=keychain, clock=FakeClock(NOW)) as opened:
        office_time.set_office_zone(opened, "UTC")
        fill(opened)
        yield opened


def fill(vault):
    business.save_business(vault, SELLER)
    acme = contacts.create_organization(vault, OrganizationDraft("Kühnemann Bau"))

    def issue(day, price):
        made = invoices.save_invoice_draft(vault, InvoiceDraft(
            customer_organization_id=acme.id,
            lines=(LineDraft("Consulting", D(1), "h", D(price), D(0), None),)))
        return invoices.issue_invoice(vault, made.id, today=day)

    long_ago = TODAY - timedelta(days=40)
    issue(long_ago, "300.00")                      # overdue: 357.00 open
    partly = issue(long_ago, "100.00")             # overdue: 119.00 - 19.00 = 100.00 open
    invoices.record_payment(vault, partly.id, PaymentDraft(long_ago, D("19.00"), "EUR"))
    paid = issue(long_ago, "50.00")                # paid: not overdue
    invoices.record_payment(vault, paid.id, PaymentDraft(long_ago, D("59.50"), "EUR"))
    issue(TODAY, "1000.00")                        # this month, not yet due

    for title, close in (("Roof", TODAY), ("Gutter", TODAY.replace(day=1)),
                         ("Later", TODAY.replace(day=1) + timedelta(days=40))):
        deals.create_deal(vault, DealDraft(title=title, value="1000", currency="EUR",
                                           expected_close=close, organization_id=acme.id))

    now = NOW.replace(tzinfo=None)
    with vault.unit_of_work() as uow:
        s = uow.session
        for number, due, status in ((1, now - timedelta(hours=1), "open"),
                                    (2, now - timedelta(days=2), "new"),
                                    (3, now + timedelta(minutes=1), "open"),
                                    (4, now + timedelta(days=30), "open"),
                                    (5, None, "solved")):
            s.add(Ticket(number=number, subject=f"Ticket {number}", status=status,
                         next_due_at=due))
        tomasz = StaffMember(name="Tomasz Nowak", name_key="tomasz nowak")
        s.add(tomasz)
        s.flush()
        for number, hour, status, day in ((1, 9, "done", TODAY), (2, 14, "scheduled", TODAY),
                                          (3, 16, "cancelled", TODAY),
                                          (4, 14, "scheduled", TODAY - timedelta(days=1))):
            start = datetime(day.year, day.month, day.day, hour, 0)
            s.add(Job(number=number, title=f"Boiler {number}", window_start=start,
                      window_end=start + timedelta(hours=2), scheduled_start=start,
                      assignee_id=tomasz.id, status=status,
                      finished_at=start + timedelta(hours=1) if status == "done" else None))


def test_every_tile_equals_the_list_behind_it(vault):
    got = dashboard.summary(vault)

    day = schedule.day(vault, schedule.today(vault))
    assert got.jobs_today.count == len(day.jobs) == 2
    assert got.jobs_today.done == sum(j.status == "done" for j in day.jobs) == 1
    assert (got.jobs_today.next.title, got.jobs_today.next.start.hour,
            got.jobs_today.next.assignee) == ("Boiler 2", 14, "Tomasz Nowak")

    breached = ticket_queues.list_tickets(vault, TicketQuery(queue="breached"))
    soon = ticket_queues.list_tickets(vault, TicketQuery(queue="due_soon"))
    assert (got.tickets.breached, got.tickets.due_soon) == (
        len(breached.rows), len(soon.rows)) == (2, 1)

    overdue = InvoiceFilter(status="overdue")
    ids = invoice_lists.ordered_invoice_ids(vault, overdue)
    rows = invoice_lists.fetch_invoice_rows(vault, ids)
    assert got.overdue.count == len(ids) == 2
    assert got.overdue.per_currency[0].open == sum(r.open for r in rows) == D("457.00")

    listed = deals.list_deals(vault, deals.month_filter(TODAY))
    assert got.pipeline.count == len(listed.rows) == 2
    assert got.pipeline.totals[0].value == sum(r.value for r in listed.rows)

    month = invoice_lists.revenue_by_month(vault, TODAY.replace(day=1), TODAY)
    this = got.revenue[0]
    assert this.this_month == sum(m.net for m in month) == D("1000.00")
    assert this.currency == "EUR"


def test_revenue_change_against_the_same_days_of_last_month(vault):
    customer = contacts.create_organization(vault, OrganizationDraft("Elm Street Bakery")).id
    for day, price in ((date(2030, 2, 28), "100.00"), (date(2030, 3, 5), "150.00"),
                       (date(2030, 3, 31), "50.00")):
        made = invoices.save_invoice_draft(vault, InvoiceDraft(
            customer_organization_id=customer,
            lines=(LineDraft("Consulting", D(1), "h", D(price), D(0), None),)))
        invoices.issue_invoice(vault, made.id, today=day)
    # 31 March against 1-28 February (February has no 29th to 31st).
    [end_of_march] = dashboard.revenue_change(vault, date(2030, 3, 31))
    assert (end_of_march.this_month, end_of_march.last_month,
            end_of_march.change_percent) == (D("200.00"), D("100.00"), D(100))
    # 15 March against 1-15 February: nothing then, so no percent.
    [mid_march] = dashboard.revenue_change(vault, date(2030, 3, 15))
    assert (mid_march.this_month, mid_march.last_month, mid_march.change_percent) == (
        D("150.00"), D("0.00"), None)


def test_the_tiles_show_the_figures(qtbot, vault, english):
    tasks = TaskRunner()
    page = DashboardPage(tasks)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    page.attach(vault)
    links = page.links
    qtbot.waitUntil(lambda: page.summary is not None, timeout=WAIT)
    assert links["jobs_today"].value.text() == "2"
    detail = links["jobs_today"].detail.text().replace("\u202f", " ")  # Qt's narrow space
    assert detail == "1 done · next 2:00 PM Boiler 2 (Tomasz Nowak)"
    assert links["tickets_breached"].value.text() == "2"
    assert "b3261e" in links["tickets_breached"].value.styleSheet()  # red: act on it
    assert links["tickets_due_soon"].value.text() == "1"
    assert links["tickets_due_soon"].detail.text() == "Due within 2 business hours"
    assert links["invoices_overdue"].value.text() == "2"
    assert links["invoices_overdue"].detail.text() == "€457.00 open"
    assert links["pipeline"].value.text() == "€2,000.00"
    assert links["revenue"].value.text() == "€1,000.00"
    assert links["invoices_overdue"].accessibleName() == "Invoices overdue: 2"
    tasks.invalidate()
    tasks.wait(10_000)


def test_a_tile_opens_its_filtered_list(qtbot, vault, english):
    tasks = TaskRunner()
    window = MainWindow(tasks)
    qtbot.addWidget(window)
    window.resize(1280, 860)
    window.show()
    window.attach(vault)
    board = window.page("dashboard")
    qtbot.waitUntil(lambda: board.summary is not None, timeout=WAIT)

    click(qtbot, board.links["invoices_overdue"])
    assert window.current_page().key == "sales"
    sales = window.page("sales")
    assert sales.invoices.status.currentData() == "overdue"
    qtbot.waitUntil(lambda: sales.invoices.model.rowCount() == 2, timeout=WAIT)

    window.show_page("dashboard")
    tile = board.links["pipeline"]
    tile.setFocus()
    qtbot.keyClick(tile, Qt.Key.Key_Return)  # the keyboard opens it too
    assert window.current_page().key == "deals"
    listed = window.page("deals").list
    qtbot.waitUntil(lambda: {r.title for r in listed.model.rows} == {"Roof", "Gutter"},
                    timeout=WAIT)

    window.show_page("dashboard")
    board.links["tickets_breached"].clicked.emit()
    assert window.current_page().key == "tickets"
    queue = window.page("tickets")
    qtbot.waitUntil(lambda: {r.number for r in queue.model.rows} == {1, 2}, timeout=WAIT)

    window.show_page("dashboard")
    board.links["jobs_today"].clicked.emit()
    assert window.current_page().key == "schedule"

    window.show_page("dashboard")
    board.links["revenue"].clicked.emit()
    reports = window.page("reports")
    assert window.current_page() is reports
    assert reports.preset.currentData() == "this_month"
    revenue = reports.views["revenue"]
    qtbot.waitUntil(lambda: revenue.table.rowCount() == 1, timeout=WAIT)
    assert revenue.table.item(0, 2).text() == board.links["revenue"].value.text()
    window.clear()
    tasks.invalidate()
    tasks.wait(10_000)
