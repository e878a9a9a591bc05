"""The business section of Settings on a real vault: details saved (logo included),
a bad IBAN refused with its sentence, tax rates added and made default, and the
number series pattern with its live preview."""

from __future__ import annotations

from decimal import Decimal

import pytest
from crasme_desktop.services import business
from crasme_desktop.ui.business_settings import BusinessSettingsSection, SeriesDialog
from PySide6.QtGui import QColor, QImage
from tests.support.clicks import click

pytest_plugins = ("tests.support.records",)  # the `vault` and `runner` fixtures

WAIT = 20_000


@pytest.fixture
def section(qtbot, runner, vault):
    shown = BusinessSettingsSection(runner)
    runner.changed.connect(lambda _areas: None)
    qtbot.addWidget(shown)
    shown.resize(1100, 1000)
    shown.show()
    shown.attach(vault)
    qtbot.waitUntil(lambda: shown.loaded, timeout=WAIT)
    yield shown
    shown.clear()


def test_business_details_are_saved_with_the_logo(qtbot, section, vault, tmp_path):
    picture = QImage(900, 300, QImage.Format.Format_RGB32)
    picture.fill(QColor("#2f6f8f"))
    logo_file = tmp_path / "logo.jpg"
    assert picture.save(str(logo_file))
    section.ask_logo_path = lambda: str(logo_file)

    section.name.setText("Müller & Söhne GmbH")
    section.address.setPlainText("Hauptstraße 5\n10115 Berlin\n")
    section.country.setCurrentIndex(section.country.findData("DE"))
    section.tax_id.setText("DE136695976")
    section.email.setText("rechnung@mueller.example")
    section.iban.setText("DE89 3704 0044 0532 0130 00")
    section.bic.setText("COBADEFFXXX")
    section.bank_name.setText("Commerzbank")
    section.terms.setValue(30)
    section.footer.setPlainText("Thank you for your order.")
    section.currency.setCurrentText("EUR")
    section.prices_include_tax.setChecked(True)
    click(qtbot, section.logo_button)
    assert section.logo.pixmap() is not None and not section.logo.pixmap().isNull()

    click(qtbot, section.save_button)
    qtbot.waitUntil(lambda: section.business_note.text() == "Saved.", timeout=WAIT)

    saved = business.get_business(vault)
    assert saved.name == "Müller & Söhne GmbH"
    assert saved.address_lines == ("Hauptstraße 5", "10115 Berlin")
    assert saved.country_code == "DE"
    assert saved.payment_terms_days == 30
    assert saved.prices_include_tax is True
    assert saved.footer == "Thank you for your order."
    assert saved.iban.replace(" ", "") == "DE89370400440532013000"
    logo = QImage.fromData(saved.logo_png)
    assert saved.logo_png.startswith(b"\x89PNG") and logo.width() == 600  # scaled down


def test_a_bad_iban_is_refused_with_a_sentence(qtbot, section, vault):
    section.name.setText("Acme")
    section.iban.setText("DE00 1234 5678")
    click(qtbot, section.save_button)
    qtbot.waitUntil(lambda: section.business_error.isVisible(), timeout=WAIT)
    assert "IBAN" in section.business_error.text()
    assert business.get_business(vault).name == ""  # nothing saved


def test_a_tax_rate_is_added_and_made_the_default(qtbot, section, vault):
    section.ask_tax_rate = lambda _rate: ("Reduced", Decimal("7"), False)
    before = len(section.tax_rates)
    click(qtbot, section.add_rate_button)
    qtbot.waitUntil(lambda: len(section.tax_rates) == before + 1, timeout=WAIT)
    row = next(i for i, r in enumerate(section.tax_rates) if r.name == "Reduced")
    assert section.rates_table.item(row, 1).text() == "7 %"

    section.rates_table.selectRow(row)
    click(qtbot, section.default_rate_button)
    qtbot.waitUntil(lambda: any(r.name == "Reduced" and r.is_default
                                for r in section.tax_rates), timeout=WAIT)
    rates = business.list_tax_rates(vault)
    assert [r.name for r in rates if r.is_default] == ["Reduced"]
    assert rates[0].rate_percent == Decimal("7")


def test_a_rate_is_archived_and_stays_listed(qtbot, section, vault):
    section.ask_tax_rate = lambda _rate: ("Zero", Decimal("0"), False)
    click(qtbot, section.add_rate_button)
    qtbot.waitUntil(lambda: any(r.name == "Zero" for r in section.tax_rates), timeout=WAIT)
    row = next(i for i, r in enumerate(section.tax_rates) if r.name == "Zero")
    section.rates_table.selectRow(row)
    click(qtbot, section.archive_rate_button)
    qtbot.waitUntil(lambda: any(r.name == "Zero" and r.archived for r in section.tax_rates),
                    timeout=WAIT)
    assert "Zero" not in [r.name for r in business.list_tax_rates(vault)]
    row = next(i for i, r in enumerate(section.tax_rates) if r.name == "Zero")
    assert section.rates_table.item(row, 3).text() == "Archived"


def test_the_series_pattern_shows_the_next_number_and_is_saved(qtbot, section, vault):
    invoices = next(s for s in section.series if s.kind == "invoice")
    dialog = SeriesDialog(invoices)
    qtbot.addWidget(dialog)
    dialog.pattern.setText("R{YY}-{00000}")
    year = vault.clock.now().date().year % 100
    assert dialog.preview.text() == f"R{year:02d}-00001"
    dialog.pattern.setText("R-{YYYY}")  # no counter
    assert dialog.preview.text() == ""
    assert "counter" in dialog.error.text() and not dialog.save_button.isEnabled()

    section.ask_series = lambda _series: ("RE-{YYYY}/{000}", "never")
    section.series_table.selectRow(section.series.index(invoices))
    click(qtbot, section.edit_series_button)
    qtbot.waitUntil(lambda: any(s.pattern == "RE-{YYYY}/{000}" for s in section.series),
                    timeout=WAIT)
    saved = next(s for s in business.list_series(vault) if s.id == invoices.id)
    assert (saved.pattern, saved.reset) == ("RE-{YYYY}/{000}", "never")
    row = section.series.index(next(s for s in section.series if s.id == invoices.id))
    assert section.series_table.item(row, 3).text().startswith("RE-")
