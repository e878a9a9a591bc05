"""The Reports page on a real vault: every report fills its tab through the task
runner, the table speaks the person's locale, the period picker (presets and custom
dates, a bad custom period said in a sentence), "Export CSV…" and "Print to PDF…" write
their files, the dashboard's revenue link, and lock clearing it. The chart widget itself
is tested in test_charts.py."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D  # noqa: N817 - short amounts

import pytest
from crasme_desktop.services import business, contacts, invoices
from crasme_desktop.services.business import BusinessSettings
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.services.invoices import InvoiceDraft
from crasme_desktop.services.quotes import LineDraft
from crasme_desktop.ui.pages.reports import REPORT_TABS, ReportsPage
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import QLocale, Qt
from tests.support.clicks import click
from tests.support.sentences import assert_one_sentence

pytest_plugins = ("tests.support.records",)  # the `vault` fixture

WAIT = 20_000
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
def sales(vault):
    """Two invoices issued this month: 1,234.50 and 100.00 net."""
    business.save_business(vault, SELLER)
    acme = contacts.create_organization(vault, OrganizationDraft("Kühnemann Bau"))
    for price in ("1234.50", "100.00"):
        made = invoices.save_invoice_draft(vault, InvoiceDraft(
            customer_organization_id=acme.id,
            lines=(LineDraft("Consulting", D(1), "h", D(price), D(0), None),)))
        invoices.issue_invoice(vault, made.id, today=date.today())
    return acme


@pytest.fixture
def page(qtbot, english):
    crashes: list[BaseException] = []
    tasks = TaskRunner(report_crash=crashes.append)
    shown = ReportsPage(tasks)
    qtbot.addWidget(shown)
    shown.resize(1200, 800)
    shown.show()
    yield shown
    tasks.invalidate()
    tasks.wait(10_000)
    assert not crashes, crashes


def loaded(qtbot, page):
    qtbot.waitUntil(lambda: all(v.report is not None for v in page.views.values()),
                    timeout=WAIT)


def test_every_report_fills_its_tab_in_the_locale(qtbot, page, vault, sales):
    page.set_period("this_month")
    page.attach(vault)
    loaded(qtbot, page)
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
        t for _k, t in REPORT_TABS]
    revenue = page.views["revenue"]
    table = revenue.table
    assert table.rowCount() == 1
    month = date.today().strftime("%B %Y")
    assert [table.item(0, c).text() for c in range(6)] == [
        month, "EUR", "€1,334.50", "€1,588.06", "2", "0"]
    assert table.item(0, 2).textAlignment() & Qt.AlignmentFlag.AlignRight
    assert revenue.chart.shown is not None and revenue.chart.shown.unit == "EUR"
    # Qt Charts draws the same figures: one bar series, Net and With tax for the month.
    bars, = revenue.chart.chart().series()
    assert [(b.label(), b.at(0)) for b in bars.barSets()] == [("Net", 1334.5),
                                                              ("With tax", 1588.06)]
    assert revenue.chart.x_axis.categoriesLabels() == [date.today().strftime("%b %y")]
    assert revenue.chart.y_axis.max() >= 1588.06
    assert revenue.export_button.isEnabled()
    assert not revenue.currency.isVisible()  # one currency: no picker
    # Nothing about tickets yet: the chart says so instead of drawing zeros.
    backlog = page.views["ticket_backlog"]
    assert backlog.chart.shown is None or backlog.chart.shown.empty
    assert backlog.chart.showing_empty and backlog.chart.chart().series() == []


def test_presets_and_custom_dates(qtbot, page, vault, sales):
    page.attach(vault)
    loaded(qtbot, page)
    assert page.period.preset == "last_12_months"
    assert not page.start.isEnabled()
    page.set_period("last_month")
    start = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    qtbot.waitUntil(lambda: page.views["revenue"].report.period.start == start, timeout=WAIT)
    assert page.views["revenue"].table.rowCount() == 0  # the invoices are this month's

    page.preset.setCurrentIndex(page.preset.findData("custom"))
    page.preset.activated.emit(page.preset.currentIndex())
    assert page.start.isEnabled() and page.end.isEnabled()
    page.end.setDate(page.start.date().addDays(-1))
    qtbot.waitUntil(lambda: page.error.isVisible(), timeout=WAIT)
    assert "ends before it starts" in page.error.text()
    assert_one_sentence(page.error.text())


def test_export_csv_and_print_pdf(qtbot, page, vault, sales, tmp_path):
    asked = []

    def choose(suggested):
        asked.append(suggested)
        return tmp_path / suggested.name

    page.choose_path = choose
    page.choose_pdf_path = choose
    page.set_period("this_month")
    page.attach(vault)
    loaded(qtbot, page)
    click(qtbot, page.views["revenue"].export_button)
    qtbot.waitUntil(lambda: page.saved.text().startswith("Saved"), timeout=WAIT)
    period = page.period
    name = f"revenue-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    assert asked[-1].name == name
    lines = (tmp_path / name).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "month,currency,net,gross,invoices,credit_notes"
    assert lines[1] == f"{date.today():%Y-%m},EUR,1334.50,1588.06,2,0"

    page.saved.clear()
    page.print_button.setFocus()
    qtbot.keyClick(page.print_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: page.saved.text().startswith("Saved"), timeout=WAIT)
    pdf = tmp_path / asked[-1].name
    assert pdf.suffix == ".pdf" and pdf.read_bytes().startswith(b"%PDF")


def test_the_dashboard_link_and_the_lock(qtbot, page, vault, sales):
    page.attach(vault)
    page.tabs.setCurrentWidget(page.views["jobs_done"])
    page.open_filtered("revenue_this_month")
    assert page.tabs.currentWidget() is page.views["revenue"]
    assert page.preset.currentData() == "this_month"
    qtbot.waitUntil(lambda: page.views["revenue"].table.rowCount() == 1, timeout=WAIT)
    page.clear()
    assert all(v.report is None and v.table.rowCount() == 0 for v in page.views.values())
    assert page.views["revenue"].chart.shown is None
    assert page.views["revenue"].chart.showing_empty


def test_controls_have_names_for_assistive_technology(page):
    for widget in (page.preset, page.start, page.end, page.print_button):
        assert widget.accessibleName() or widget.text()
    for view in page.views.values():
        assert view.export_button.accessibleName().startswith("Export")
        assert view.table.accessibleName().endswith("figures")
        assert view.chart.accessibleName().endswith("chart")
