"""The "Schedule and time" section of Settings on a real vault: the office's time zone
(chosen, typed, refused with the service's sentence, the computer's zone marked), and
how job time is invoiced (an hourly rate that a done job's invoice then uses, a product
from the catalogue, a rate that is not a number refused); the Settings page shows the
card and forgets it on lock."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817

import pytest
from crasme_desktop.services import catalog, office_time, schedule
from crasme_desktop.services.catalog import ProductDraft
from crasme_desktop.ui.schedule_settings import (
    NO_RATE,
    TITLE,
    ScheduleSettingsSection,
)
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QLabel
from tests.support.clicks import click
from tests.support.schedule_data import job
from tests.support.sentences import assert_one_sentence

pytest_plugins = ("tests.support.schedule_fixtures",)

WAIT = 20_000


@pytest.fixture
def created(make_vault):
    return make_vault(use_keychain=True)


@pytest.fixture
def vault(office_vault):
    return office_vault


@pytest.fixture
def tasks():
    crashes: list[BaseException] = []
    runner = TaskRunner(report_crash=crashes.append)
    yield runner
    runner.invalidate()
    runner.wait(10_000)
    assert not crashes, crashes


@pytest.fixture
def section(qtbot, tasks, monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")  # the computer's zone, for the mark
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    shown = ScheduleSettingsSection(tasks)
    qtbot.addWidget(shown)
    shown.resize(900, 600)
    shown.show()
    yield shown
    QLocale.setDefault(usual)


def attach(qtbot, section, vault):
    section.attach(vault)
    qtbot.waitUntil(lambda: section.setup is not None and section.labour_button.isEnabled(),
                    timeout=WAIT)


def test_the_zone_list_shows_the_office_zone_and_marks_the_computers(qtbot, section, vault):
    assert not section.zone.isEnabled()  # nothing to show before a vault is attached
    attach(qtbot, section, vault)
    names = [section.zone.itemData(i) for i in range(section.zone.count())]
    assert names == sorted(names) and "Europe/Berlin" in names and len(names) > 300
    assert section.zone.currentData() == "Europe/Berlin"
    assert section.zone_name() == "Europe/Berlin"
    marked = section.zone.findData("America/New_York")
    assert section.zone.itemText(marked) == "America/New_York (this computer)"
    assert section.zone.itemText(section.zone.findData("Europe/Berlin")) == "Europe/Berlin"
    assert section.zone_status.text() == "The office's time zone is Europe/Berlin."
    for widget in (section.zone, section.zone_button, section.by_product, section.product,
                   section.by_rate, section.rate, section.labour_button):
        assert widget.accessibleName(), widget.objectName()
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.objectName()


def test_a_zone_is_saved_and_read_back_from_the_vault(qtbot, section, vault):
    attach(qtbot, section, vault)
    section.zone.setCurrentIndex(section.zone.findData("America/New_York"))
    assert section.zone_name() == "America/New_York"  # the mark is not part of the name
    click(qtbot, section.zone_button)
    qtbot.waitUntil(lambda: section.zone_status.text().startswith("Saved"), timeout=WAIT)
    assert office_time.office_zone(vault).key == "America/New_York"
    # Typed, in other letter case, and saved with Enter.
    section.zone.setEditText("asia/tokyo")
    qtbot.keyClick(section.zone.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: office_time.office_zone(vault).key == "Asia/Tokyo", timeout=WAIT)
    qtbot.waitUntil(lambda: section.zone_status.text()
                    == "Saved: the office's time zone is Asia/Tokyo.", timeout=WAIT)
    assert section.zone.currentData() == "Asia/Tokyo"
    # A fresh card reads it back from the vault.
    section.clear()
    assert section.zone.count() == 0 and not section.zone_button.isEnabled()
    attach(qtbot, section, vault)
    assert section.zone.currentData() == "Asia/Tokyo"


def test_an_unknown_zone_is_refused_with_the_services_sentence(qtbot, section, vault):
    attach(qtbot, section, vault)
    section.zone.setEditText("Mars/Olympus_Mons")
    click(qtbot, section.zone_button)
    qtbot.waitUntil(lambda: section.zone_error.isVisible(), timeout=WAIT)
    assert section.zone_error.text() == (
        "“Mars/Olympus_Mons” is not a time zone this computer knows; choose one such as "
        "Europe/Berlin or America/New_York.")
    assert_one_sentence(section.zone_error.text())
    assert office_time.office_zone(vault).key == "Europe/Berlin"
    assert section.zone_button.isEnabled()


def test_an_hourly_rate_is_what_a_done_jobs_invoice_charges(qtbot, section, vault, company):
    made = schedule.create_job(vault, job(company))
    schedule.finish_job(vault, made.id, minutes_worked=90)
    with pytest.raises(Exception, match="Settings › Schedule and time"):
        schedule.invoice_from_job(vault, made.id)  # the sentence names this card
    attach(qtbot, section, vault)
    assert section.labour_status.text() == NO_RATE
    assert section.by_rate.isChecked()
    assert section.rate_unit.text() == "€ (EUR) an hour"
    assert section.rate.accessibleName() == "Hourly rate in EUR"
    section.rate.setText("sixty")
    click(qtbot, section.labour_button)
    qtbot.waitUntil(lambda: section.labour_error.isVisible(), timeout=WAIT)
    assert section.labour_error.text() == "The hourly rate “sixty” is not a number."
    assert schedule.labour_rate(vault) is None
    section.rate.setText("0")
    click(qtbot, section.labour_button)
    qtbot.waitUntil(lambda: section.labour_error.text()
                    == "The hourly rate must be above zero.", timeout=WAIT)
    section.rate.setText("72.50")
    click(qtbot, section.labour_button)
    qtbot.waitUntil(lambda: section.labour_status.text().startswith("Saved"), timeout=WAIT)
    assert not section.labour_error.isVisible()
    assert section.labour_status.text() == "Saved. Time on jobs is invoiced at €72.50 an hour."
    labour = schedule.labour_rate(vault)
    assert (labour.hourly_rate, labour.currency, labour.product_id) == (D("72.50"), "EUR",
                                                                        None)
    invoice = schedule.invoice_from_job(vault, made.id)
    assert [(x.quantity, x.unit, x.unit_price) for x in invoice.lines] == [
        (D("1.5"), "h", D("72.50"))]
    assert invoice.lines[0].description.startswith("Labour, Job 1")
    assert invoice.net == D("108.75")


def test_a_product_from_the_catalogue_is_saved(qtbot, section, vault):
    hour = catalog.save_product(vault, ProductDraft("Technician hour", D("60.00"), "EUR",
                                                    unit="h"))
    catalog.save_product(vault, ProductDraft("Apprentice hour", D("35.00"), "EUR", unit="h"))
    schedule.set_labour_rate(vault, hourly_rate="50")
    attach(qtbot, section, vault)
    assert section.by_rate.isChecked() and section.rate.text() == "50"
    texts = [section.product.itemText(i) for i in range(section.product.count())]
    assert texts == ["Apprentice hour — €35.00 / h", "Technician hour — €60.00 / h"]
    section.product.setFocus()
    section.product.setCurrentIndex(section.product.findData(hour.id))
    section.product.activated.emit(section.product.currentIndex())  # as a person picks it
    assert section.by_product.isChecked()
    click(qtbot, section.labour_button)
    qtbot.waitUntil(lambda: section.labour_status.text().startswith("Saved"), timeout=WAIT)
    assert section.labour_status.text() == (
        "Saved. Time on jobs is invoiced as “Technician hour” at €60.00 an hour.")
    labour = schedule.labour_rate(vault)
    assert (labour.product_id, labour.hourly_rate) == (hour.id, D("60.00"))
    assert section.rate.text() == ""
    section.clear()
    attach(qtbot, section, vault)
    assert section.by_product.isChecked() and section.product.currentData() == hour.id


def test_no_products_yet_is_said_before_saving(qtbot, section, vault):
    attach(qtbot, section, vault)
    assert section.product.itemText(0) == "No products in the catalogue yet"
    section.by_product.setChecked(True)
    click(qtbot, section.labour_button)
    assert section.labour_error.text().startswith("The catalogue has no products yet")
    assert_one_sentence(section.labour_error.text())
    assert schedule.labour_rate(vault) is None


def test_the_settings_page_shows_the_card_and_forgets_it_on_lock(qtbot, tasks, vault,
                                                                  tmp_path):
    from crasme_desktop.ui.pages.settings import SettingsPage

    page = SettingsPage(tasks)
    qtbot.addWidget(page)
    page.resize(1000, 900)
    page.show()
    page.attach(vault)
    card = page.schedule
    qtbot.waitUntil(lambda: card.setup is not None, timeout=WAIT)
    titles = [w.text() for w in card.findChildren(QLabel) if w.property("role") == "section"]
    assert titles[0] == TITLE == "Schedule and time"
    picture = card.grab()
    assert picture.width() > 600 and picture.height() > 250
    assert picture.save(str(tmp_path / "schedule_settings.png"))
    page.clear()
    assert card.vault is None and card.zone.count() == 0 and card.labour_status.text() == ""
