"""The Staff section of Settings on a real vault: adding a member through the dialog
(and the service's sentence for a clash), editing their days and hours, days off added
and removed, and removing someone who has jobs (made inactive instead, as the service
says)."""

from __future__ import annotations

from datetime import date

import pytest
from crasme_desktop.services import schedule, staff
from crasme_desktop.services.staff import StaffDraft
from crasme_desktop.ui.staff_settings import StaffSettingsSection, work_days_text
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import QDate, QLocale, QTime
from tests.support.clicks import click
from tests.support.schedule_data import at, job

pytest_plugins = ("tests.support.schedule_fixtures",)

WAIT = 20_000


@pytest.fixture
def created(make_vault):
    return make_vault(use_keychain=True)


@pytest.fixture
def vault(office_vault):
    return office_vault


@pytest.fixture
def section(qtbot, vault):
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    crashes: list[BaseException] = []
    tasks = TaskRunner(report_crash=crashes.append)
    shown = StaffSettingsSection(tasks)
    qtbot.addWidget(shown)
    shown.resize(900, 700)
    shown.show()
    yield shown
    if shown.dialog is not None:
        shown.dialog.reject()
    tasks.invalidate()
    tasks.wait(10_000)
    QLocale.setDefault(usual)
    assert not crashes, crashes


def names(section):
    return [section.table.item(r, 0).text() for r in range(section.table.rowCount())]


def attach(qtbot, section, vault, count):
    section.attach(vault)
    qtbot.waitUntil(lambda: section.table.rowCount() == count
                    and section.add_button.isEnabled(), timeout=WAIT)


def test_adding_a_member_through_the_dialog(qtbot, section, vault, maria):
    attach(qtbot, section, vault, 1)
    dialog = section.add_member()
    dialog.name.setText("maria rossi")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert dialog.error.text().startswith("There is already a staff member called")
    dialog.name.setText("Tomasz Nowak")
    dialog.phone.setText("+49 30 1234567")
    for n in range(7):
        dialog.days[n].setChecked(1 <= n <= 5)  # Tuesday to Saturday
    dialog.day_start.setTime(QTime(7, 0))
    dialog.day_end.setTime(QTime(15, 30))
    dialog.colour.setCurrentIndex(dialog.colour.findData("#2e8b57"))
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: names(section) == ["Maria Rossi", "Tomasz Nowak"], timeout=WAIT)
    assert section.status.text() == "Tomasz Nowak added."
    added = next(m for m in staff.list_staff(vault) if m.name == "Tomasz Nowak")
    assert (added.work_days, added.day_start, added.day_end, added.colour, added.phone) == (
        "0111110", "07:00", "15:30", "#2e8b57", "+49301234567")
    assert section.current().id == added.id  # the new one is selected
    assert section.table.item(1, 1).text() == "Tue–Sat"
    assert section.table.item(1, 2).text() == "07:00–15:30"


def test_editing_a_member_keeps_what_was_not_changed(qtbot, section, vault, maria):
    attach(qtbot, section, vault, 1)
    dialog = section.edit_member()
    assert dialog.name.text() == "Maria Rossi"
    assert [b.isChecked() for b in dialog.days] == [True] * 5 + [False] * 2
    assert dialog.colour.currentData() == "#3b82f6"
    dialog.day_end.setTime(QTime(7, 0))
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert dialog.error.text() == ("The working day ends before it starts; check the start "
                                   "and end times.")
    dialog.day_end.setTime(QTime(16, 0))
    dialog.os_user.setText("maria")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        click(qtbot, dialog.save_button)
    after = staff.get_staff(vault, maria.id)
    assert (after.day_end, after.os_user, after.colour) == ("16:00", "maria", "#3b82f6")


def test_days_off_are_added_and_removed(qtbot, section, vault, maria, tomasz):
    attach(qtbot, section, vault, 2)
    section.table.selectRow(1)
    assert section.absence_title.text() == "Days off of Tomasz Nowak"
    section.first_day.setDate(QDate(2026, 12, 21))
    section.last_day.setDate(QDate(2026, 12, 23))
    section.reason.setText("Holiday")
    click(qtbot, section.add_absence_button)
    qtbot.waitUntil(lambda: section.absence_table.rowCount() == 1, timeout=WAIT)
    assert section.status.text() == "Days off added for Tomasz Nowak."
    assert section.absence_table.item(0, 2).text() == "Holiday"
    assert section.absence_table.item(0, 0).text() == "21/12/2026"
    assert staff.is_off(vault, tomasz.id, date(2026, 12, 22)) == "Holiday"
    # Overlapping days off for another reason: the service's sentence.
    section.first_day.setDate(QDate(2026, 12, 22))
    section.last_day.setDate(QDate(2026, 12, 22))
    section.reason.setText("Training")
    click(qtbot, section.add_absence_button)
    qtbot.waitUntil(lambda: section.error.isVisible(), timeout=WAIT)
    assert section.error.text().startswith("Tomasz Nowak is already off from Monday 21 "
                                           "December to Wednesday 23 December (Holiday)")
    section.table.selectRow(0)  # Maria has none
    assert section.absence_table.rowCount() == 0
    section.table.selectRow(1)
    section.absence_table.selectRow(0)
    click(qtbot, section.remove_absence_button)
    qtbot.waitUntil(lambda: section.absence_table.rowCount() == 0, timeout=WAIT)
    assert staff.is_off(vault, tomasz.id, date(2026, 12, 22)) is None


def test_removing_someone_with_jobs_makes_them_inactive(qtbot, section, vault, company,
                                                        maria, tomasz):
    schedule.create_job(vault, job(company, start=at(15, 9), assignee_id=maria.id))
    attach(qtbot, section, vault, 2)
    section.confirm = lambda text: True
    section.table.selectRow(0)
    click(qtbot, section.remove_button)
    qtbot.waitUntil(lambda: "made inactive" in section.status.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: section.table.rowCount() == 2
                    and section.table.item(0, 4).text() == "Inactive", timeout=WAIT)
    assert not staff.get_staff(vault, maria.id).active
    section.table.selectRow(1)
    click(qtbot, section.remove_button)
    qtbot.waitUntil(lambda: names(section) == ["Maria Rossi"], timeout=WAIT)
    assert section.status.text() == "Tomasz Nowak was deleted."


def test_working_days_in_words():
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    assert work_days_text("1111100") == "Mon–Fri"
    assert work_days_text("1010100") == "Mon, Wed, Fri"
    assert work_days_text("1100000") == "Mon, Tue"


def test_the_settings_page_holds_the_section(qtbot, vault, maria):
    from crasme_desktop.ui.pages.settings import SettingsPage

    tasks = TaskRunner()
    page = SettingsPage(tasks)
    qtbot.addWidget(page)
    page.attach(vault)
    qtbot.waitUntil(lambda: page.staff.table.rowCount() == 1, timeout=WAIT)
    page.clear()
    assert page.staff.table.rowCount() == 0 and page.staff.vault is None
    tasks.invalidate()
    tasks.wait(10_000)


def test_a_member_made_in_the_service_shows(qtbot, section, vault):
    staff.create_staff(vault, StaffDraft("Lena Fischer", work_days="1111111"))
    attach(qtbot, section, vault, 1)
    assert section.table.item(0, 1).text() == "Mon–Sun"
