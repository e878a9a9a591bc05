"""Reports on a real vault against hand counts: revenue and aging from issued invoices
and a credit note, the pipeline by stage with weighted values, won and lost by month,
the ticket backlog and SLA attainment from status history, jobs done per person by the
office's months; the machine CSV; the PDF read back as text; and the sentences for bad
periods and unwritable places."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal as D  # noqa: N817 - short amounts
from zoneinfo import ZoneInfo

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Job, StaffMember, Ticket, TicketStatusChange
from crasme_desktop.domain.report import period_for
from crasme_desktop.services import business, contacts, deals, invoices, office_time, reports
from crasme_desktop.services.business import BusinessSettings
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.services.deals import DealDraft
from crasme_desktop.services.invoices import InvoiceDraft, PaymentDraft
from crasme_desktop.services.quotes import LineDraft
from crasme_desktop.vault import open_vault
from tests.support.sentences import assert_one_sentence

NOW = datetime(2026, 3, 16, 11, 0, tzinfo=UTC)  # Monday 16 March 2026, 12:00 in Berlin
TODAY = date(2026, 3, 16)
BERLIN = ZoneInfo("Europe/Berlin")
SELLER = BusinessSettings(
    name="Crasme Studio", address_lines=("Hauptstr. 1", "10115 Berlin"), country_code="DE",
    tax_id="DE136695976", iban="DE89 3704 0044 0532 0130 00", default_currency="EUR",
    payment_terms_days=14, locale="de_DE",
)


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain, clock=FakeClock(NOW)) as opened:
        business.save_business(opened, SELLER)
        office_time.set_office_zone(opened, "Europe/Berlin")
        yield opened


@pytest.fixture
def acme(vault):
    return contacts.create_organization(vault, OrganizationDraft("Kühnemann Bau"))


def at(*parts: int) -> datetime:
    """A Berlin wall-clock time as stored (naive UTC)."""
    return datetime(*parts, tzinfo=BERLIN).astimezone(UTC).replace(tzinfo=None)


def issue(vault, customer, day, price="100.00", qty="1"):
    lines = (LineDraft("Consulting", D(qty), "h", D(price), D(0), None),)
    made = invoices.save_invoice_draft(
        vault, InvoiceDraft(customer_organization_id=customer.id, lines=lines))
    return invoices.issue_invoice(vault, made.id, today=day)


def column(report, key):
    i = report.index(key)
    return [row[i] for row in report.rows]


# -- periods -----------------------------------------------------------------------------
def test_presets_are_calendar_periods_around_today():
    cases = {
        "this_month": (date(2026, 3, 1), date(2026, 3, 31)),
        "last_month": (date(2026, 2, 1), date(2026, 2, 28)),
        "this_quarter": (date(2026, 1, 1), date(2026, 3, 31)),
        "last_quarter": (date(2025, 10, 1), date(2025, 12, 31)),
        "this_year": (date(2026, 1, 1), date(2026, 12, 31)),
        "last_12_months": (date(2025, 4, 1), date(2026, 3, 31)),
    }
    for preset, (start, end) in cases.items():
        period = period_for(preset, TODAY)
        assert (period.start, period.end, period.preset) == (start, end, preset)
    assert len(period_for("last_12_months", TODAY).months()) == 12
    custom = period_for("custom", TODAY, date(2026, 2, 10), date(2026, 2, 10))
    assert custom.days == 1 and custom.months() == [date(2026, 2, 1)]


@pytest.mark.parametrize(("start", "end", "words"), [
    (date(2026, 3, 2), date(2026, 3, 1), "ends before it starts"),
    (date(2010, 1, 1), date(2026, 3, 1), "at most 10 years"),
    (None, date(2026, 3, 1), "first and the last day"),
])
def test_a_bad_custom_period_is_one_sentence(start, end, words):
    with pytest.raises(UserError, match=words) as caught:
        period_for("custom", TODAY, start, end)
    assert_one_sentence(caught.value.message)


# -- sales -------------------------------------------------------------------------------
def test_revenue_aging_and_their_csv(vault, acme):
    issue(vault, acme, date(2026, 1, 20), "1234.50")  # 1469.06 with tax, 41 days late
    paid = issue(vault, acme, date(2026, 3, 2))       # 119.00, paid in full below
    issue(vault, acme, date(2025, 12, 1), qty="2")  # 238.00, 91 days late, last year
    credited = issue(vault, acme, date(2026, 3, 3), "50.00")
    invoices.record_payment(vault, paid.id, PaymentDraft(date(2026, 3, 4), D("119.00"), "EUR"))
    invoices.create_credit_note(vault, credited.id, today=date(2026, 3, 4))
    period = period_for("this_quarter", TODAY)

    revenue = reports.build(vault, "revenue", period)
    assert [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in revenue.rows] == [
        (date(2026, 1, 1), "EUR", D("1234.50"), D("1469.06"), 1, 0),
        (date(2026, 2, 1), "EUR", D("0.00"), D("0.00"), 0, 0),
        (date(2026, 3, 1), "EUR", D("100.00"), D("119.00"), 2, 1),
    ]
    chart, = revenue.charts
    assert (chart.title, chart.kind, [s.name for s in chart.series]) == (
        "EUR", "bars", ["Net", "With tax"])
    assert chart.series[0].values == (D("1234.50"), D("0.00"), D("100.00"))
    assert reports.to_csv(revenue).splitlines() == [
        "month,currency,net,gross,invoices,credit_notes",
        "2026-01,EUR,1234.50,1469.06,1,0",
        "2026-02,EUR,0.00,0.00,0,0",
        "2026-03,EUR,100.00,119.00,2,1",
    ]

    aging = reports.build(vault, "aging", period, now=NOW)
    assert aging.rows == (("EUR", D(0), D(0), D("1469.06"), D(0), D("238.00"),
                           D("1707.06"), 2),)
    assert aging.charts[0].categories[0] == "Not yet due"


# -- deals -------------------------------------------------------------------------------
def test_pipeline_by_stage_weighted_per_currency(vault, acme):
    stages = {s.name: s for s in deals.list_pipelines(vault)[0].stages}

    def add(title, value, currency, stage, close=date(2026, 3, 20), probability=None):
        return deals.create_deal(vault, DealDraft(
            title=title, value=value, currency=currency, expected_close=close,
            stage_id=stages[stage].id, organization_id=acme.id, probability=probability))

    add("Roof", "1000", "EUR", "Lead")              # 10 %: 100.00
    add("Gutter", "333", "EUR", "Lead", probability=15)  # 49.95
    add("Boiler", "2000", "EUR", "Proposal")        # 50 %: 1000.00
    add("Tiles", "500", "USD", "Qualified")         # 25 %: 125.00
    add("Later", "9999", "EUR", "Lead", close=date(2026, 4, 2))  # outside the period
    won = add("Won", "700", "EUR", "Negotiation")
    deals.mark_won(vault, won.id, today=TODAY)

    report = reports.build(vault, "pipeline", period_for("this_month", TODAY))
    assert [r[1:] for r in report.rows] == [
        ("Lead", "EUR", 2, D("1333.00"), D("149.95")),
        ("Qualified", "USD", 1, D("500.00"), D("125.00")),
        ("Proposal", "EUR", 1, D("2000.00"), D("1000.00")),
    ]
    eur, usd = report.charts
    assert (eur.title, usd.title) == ("EUR", "USD")
    assert eur.categories == ("Lead", "Qualified", "Proposal", "Negotiation")
    assert eur.series[1].values == (D("149.95"), D("0.00"), D("1000.00"), D("0.00"))


def test_won_and_lost_by_the_month_they_closed(vault, acme):
    def add(title, value, currency="EUR"):
        return deals.create_deal(vault, DealDraft(title=title, value=value, currency=currency,
                                                  expected_close=date(2026, 6, 1),
                                                  organization_id=acme.id))

    deals.mark_won(vault, add("A", "100").id, today=date(2026, 1, 15))
    deals.mark_won(vault, add("B", "250").id, today=date(2026, 3, 1))
    deals.mark_won(vault, add("C", "40", "USD").id, today=date(2026, 3, 2))
    deals.mark_lost(vault, add("D", "75").id, "No budget", today=date(2026, 3, 9))
    deals.mark_lost(vault, add("E", "10").id, "Too late", today=date(2025, 12, 31))
    add("Still open", "500")

    report = reports.build(vault, "won_lost", period_for("this_quarter", TODAY))
    assert report.rows == (
        (date(2026, 1, 1), "EUR", 1, D("100.00"), 0, D("0.00")),
        (date(2026, 3, 1), "EUR", 1, D("250.00"), 1, D("75.00")),
        (date(2026, 3, 1), "USD", 1, D("40.00"), 0, D("0.00")),
    )
    chart, = report.charts
    assert [s.values for s in chart.series] == [(1, 0, 2), (0, 0, 1)]


# -- tickets -----------------------------------------------------------------------------
def put_ticket(session, number, moves, **fields):
    ticket = Ticket(number=number, subject=f"Ticket {number}", status=moves[-1][2],
                    created_at=moves[0][0], **fields)
    session.add(ticket)
    session.flush()
    for when, old, new in moves:
        session.add(TicketStatusChange(ticket_id=ticket.id, at=when, from_status=old,
                                       to_status=new))


def test_ticket_backlog_by_step_and_sla_attainment(vault):
    with vault.unit_of_work() as uow:
        s = uow.session
        # Open since February: in every day's backlog.
        put_ticket(s, 1, [(at(2026, 2, 20, 9, 0), "", "new")],
                   first_response_at=at(2026, 2, 20, 10, 0), response_met=True)
        # Opened 2 March, solved 4 March at 23:30 Berlin (still 4 March locally).
        put_ticket(s, 2, [(at(2026, 3, 2, 9, 0), "", "new"),
                          (at(2026, 3, 4, 23, 30), "new", "solved")],
                   first_response_at=at(2026, 3, 2, 9, 30), response_met=False,
                   solved_at=at(2026, 3, 4, 23, 30), resolution_met=True)
        # Opened 10 March just after local midnight (9 March in UTC).
        put_ticket(s, 3, [(at(2026, 3, 10, 0, 30), "", "new")],
                   first_response_at=at(2026, 3, 10, 8, 0), response_met=True)

    days = reports.build(vault, "ticket_backlog", period_for("this_month", TODAY), now=NOW)
    assert days.columns[0].kind == "day"
    waiting = dict(zip(column(days, "start"), column(days, "waiting"), strict=True))
    assert len(waiting) == 16  # 1 to 16 March: none after today
    assert (waiting[date(2026, 3, 1)], waiting[date(2026, 3, 2)], waiting[date(2026, 3, 4)],
            waiting[date(2026, 3, 5)], waiting[date(2026, 3, 9)],
            waiting[date(2026, 3, 10)]) == (1, 2, 1, 1, 1, 2)
    assert days.charts[0].kind == "lines"

    weeks = reports.build(vault, "ticket_backlog", period_for("this_quarter", TODAY), now=NOW)
    assert weeks.columns[0].kind == "week"
    # Weeks from Monday; the first starts on 1 January (a Thursday); each row is the
    # backlog at the end of its week, the last one at the end of today.
    assert column(weeks, "start")[:2] == [date(2026, 1, 1), date(2026, 1, 5)]
    assert column(weeks, "start")[-1] == date(2026, 3, 16)
    assert dict(zip(column(weeks, "start"), column(weeks, "waiting"), strict=True))[
        date(2026, 3, 2)] == 1  # the week of 2 March ends Sunday 8 March: ticket 1 only

    sla_report = reports.build(vault, "sla", period_for("this_quarter", TODAY))
    assert sla_report.rows == (
        (date(2026, 1, 1), 0, 0, None, 0, 0, None),
        (date(2026, 2, 1), 1, 1, D("100.0"), 0, 0, None),
        (date(2026, 3, 1), 2, 1, D("50.0"), 1, 1, D("100.0")),
    )
    assert sla_report.charts[0].unit == "%"
    assert reports.to_csv(sla_report).splitlines()[1] == "2026-01,0,0,,0,0,"

    # Response times by hand, in the default hours (Monday to Friday 09:00-17:00 Berlin):
    # first replies after 60 business minutes (1 h elapsed), 30 (0.5 h) and 0 (a reply at
    # 08:00 before opening, 7.5 h after a ticket made at 00:30): medians 0.5 h and 1.0 h.
    # The one solve: 2 to 4 March 09:00 to 23:30 is three whole days, 24 business hours,
    # 62.5 h elapsed.
    times = reports.build(vault, "support_times", period_for("this_quarter", TODAY))
    assert times.rows == (("First response", 3, D("0.5"), D("1.0")),
                          ("Resolution", 1, D("24.0"), D("62.5")))
    assert times.charts[0].unit == "h"
    assert reports.to_csv(times).splitlines()[1:] == ["First response,3,0.5,1.0",
                                                      "Resolution,1,24.0,62.5"]


# -- jobs --------------------------------------------------------------------------------
def test_jobs_done_per_person_by_the_office_month(vault):
    with vault.unit_of_work() as uow:
        s = uow.session
        anna = StaffMember(name="Anna Berg", name_key="anna berg")
        tomasz = StaffMember(name="Tomasz Nowak", name_key="tomasz nowak")
        s.add_all([anna, tomasz])
        s.flush()

        def job(number, who, finished, minutes=None, status="done"):
            s.add(Job(number=number, title=f"Job {number}", window_start=finished,
                      window_end=at(2026, 12, 31, 0, 0), scheduled_start=finished,
                      assignee_id=who.id if who else None, status=status,
                      finished_at=finished if status == "done" else None,
                      minutes_worked=minutes))

        job(1, anna, at(2026, 1, 31, 23, 30), 90)   # 31 Jan in Berlin (22:30 UTC)
        job(2, anna, at(2026, 2, 1, 0, 30), 30)     # 1 Feb in Berlin, 31 Jan in UTC
        job(3, tomasz, at(2026, 2, 10, 9, 0), 60)
        job(4, tomasz, at(2026, 2, 11, 9, 0), 45)
        job(5, None, at(2026, 3, 3, 9, 0))
        job(6, anna, at(2026, 3, 4, 9, 0), status="in_progress")
    report = reports.build(vault, "jobs_done", period_for("this_quarter", TODAY))
    assert report.rows == (
        (date(2026, 1, 1), "Anna Berg", 1, D("1.5")),
        (date(2026, 2, 1), "Anna Berg", 1, D("0.5")),
        (date(2026, 2, 1), "Tomasz Nowak", 2, D("1.8")),
        (date(2026, 3, 1), "Not assigned", 1, D("0.0")),
    )
    chart, = report.charts
    assert chart.kind == "stacked"
    assert [(s.name, s.values) for s in chart.series] == [
        ("Anna Berg", (1, 1, 0)), ("Tomasz Nowak", (0, 2, 0)), ("Not assigned", (0, 0, 1))]


# -- files -------------------------------------------------------------------------------
def test_the_pdf_prints_every_report_with_figures_for_people(vault, acme, tmp_path):
    issue(vault, acme, date(2026, 3, 2), "1234.50")
    target = tmp_path / "reports.pdf"
    saved = reports.print_pdf(vault, period_for("this_month", TODAY), target, locale="de_DE")
    assert saved == target and target.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True,
                          text=True, check=True).stdout
    for title, _key in ((t, k) for k, t in reports.REPORTS):
        assert title in text
    assert "01.03.2026 – 31.03.2026" in text
    assert "1.234,50 €" in text and "März 2026" in text
    assert not list(tmp_path.glob("*.part"))


def test_saving_where_nothing_can_be_written_is_one_sentence(vault, tmp_path):
    report = reports.build(vault, "revenue", period_for("this_month", TODAY))
    with pytest.raises(UserError, match="choose another place for the CSV file") as caught:
        reports.save_csv(report, tmp_path / "gone" / "revenue.csv")
    assert_one_sentence(caught.value.message)
    saved = reports.save_csv(report, tmp_path / "revenue.csv")
    assert saved.read_text(encoding="utf-8").startswith("month,currency,net,gross")
