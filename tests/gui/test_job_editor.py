"""The job editor on a real vault in the Berlin office zone: its sentences before saving
(a window that ends before it starts, no title, no customer, a quantity that is not a
number), a new job saved with its materials, a clash asking "Save anyway?", an existing
job shown and changed, and its materials edited and removed."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from crasme_desktop.services import schedule
from crasme_desktop.services.schedule import MaterialDraft
from crasme_desktop.ui.job_editor import ENDS_BEFORE, JobEditor
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import QDate, QLocale, QTime
from tests.support.clicks import click
from tests.support.schedule_data import at, job
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
def tasks(qtbot, vault):
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    crashes: list[BaseException] = []
    runner = TaskRunner(report_crash=crashes.append)
    yield runner
    runner.invalidate()
    runner.wait(10_000)
    QLocale.setDefault(usual)
    assert not crashes, crashes


def editor_for(qtbot, tasks, vault, job_id=None, **more):
    editor = JobEditor(tasks, vault, job_id, **more)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitUntil(lambda: editor._ready, timeout=WAIT)
    return editor


def set_window(editor, day, start, end_day, end):
    editor.window_day.setDate(QDate(2026, 12, day))
    editor.window_time.setTime(QTime(*start))
    editor.window_end_day.setDate(QDate(2026, 12, end_day))
    editor.window_end_time.setTime(QTime(*end))


def test_a_job_that_ends_before_it_starts_is_not_saved(qtbot, tasks, vault, company):
    editor = editor_for(qtbot, tasks, vault, start=at(15, 9))
    click(qtbot, editor.save_button)
    assert editor.error.text() == "Give the job a title, such as what is to be done."
    editor.title.setText("Boiler service")
    editor.company.pick("organization", company.id, "Kühnemann Bau")
    set_window(editor, 15, (11, 0), 15, (9, 0))
    click(qtbot, editor.save_button)
    assert editor.error.text() == ENDS_BEFORE
    assert_one_sentence(editor.error.text())
    set_window(editor, 15, (11, 0), 14, (18, 0))  # a day earlier, later in the day
    click(qtbot, editor.save_button)
    assert editor.error.text() == ENDS_BEFORE
    assert schedule.list_jobs(vault).rows == ()


def test_a_new_job_is_saved_with_its_customer_window_and_materials(qtbot, tasks, vault,
                                                                    company, maria):
    editor = editor_for(qtbot, tasks, vault, start=at(15, 9), staff_id=maria.id)
    assert editor.assignee.currentData() == maria.id
    assert editor.windowTitle() == "New job"
    editor.title.setText("Boiler service")
    click(qtbot, editor.save_button)
    assert editor.error.text() == "Choose a customer for the job: a person or a company."
    editor.company.setText("Kühne")  # typed, not picked from the list
    click(qtbot, editor.save_button)
    assert editor.error.text().startswith("Pick the company or person from the list")
    editor.company.pick("organization", company.id, "Kühnemann Bau")
    set_window(editor, 15, (9, 0), 15, (12, 0))
    editor.start_day.setDate(QDate(2026, 12, 15))
    editor.start_time.setTime(QTime(10, 0))
    editor.duration.setValue(90)
    assert editor.duration_text.text() == "1 h 30 min"
    editor.notes.setPlainText("Key with the caretaker.")
    editor.add_material()
    editor.materials.item(0, 0).setText("Valve")
    editor.materials.item(0, 1).setText("two")
    click(qtbot, editor.save_button)
    assert editor.error.text() == ("The quantity “two” on line 1 is not a number; type it "
                                   "like 2 or 1.5.")
    editor.materials.item(0, 1).setText("2")
    editor.materials.item(0, 2).setText("pcs")
    editor.materials.item(0, 3).setText("12.50")
    with qtbot.waitSignal(editor.saved, timeout=WAIT) as saved:
        click(qtbot, editor.save_button)
    record = saved.args[0]
    assert record.title == "Boiler service" and record.organization_id == company.id
    assert record.assignee_id == maria.id
    assert record.window_start.replace(tzinfo=None) == datetime(2026, 12, 15, 9, 0)
    assert record.scheduled_start.replace(tzinfo=None) == datetime(2026, 12, 15, 10, 0)
    assert record.duration_minutes == 90
    assert record.site_address == "Friedrichstraße 123\n10117 Berlin"  # the company's
    assert [(m.description, m.quantity, m.unit, m.unit_price) for m in record.materials] \
        == [("Valve", Decimal(2), "pcs", Decimal("12.50"))]
    assert record.notes == "Key with the caretaker."


def test_a_clash_asks_before_saving_anyway(qtbot, tasks, vault, company, maria):
    schedule.create_job(vault, job(company, start=at(15, 9), assignee_id=maria.id))
    editor = editor_for(qtbot, tasks, vault, start=at(15, 9), staff_id=maria.id)
    editor.title.setText("Second job")
    editor.company.pick("organization", company.id, "Kühnemann Bau")
    asked = []
    answers = [False, True]
    editor.confirm_conflict = lambda sentences: (asked.append(sentences), answers.pop(0))[1]
    click(qtbot, editor.save_button)
    qtbot.waitUntil(lambda: editor.error.isVisible(), timeout=WAIT)
    assert asked == [["This overlaps Job 1 for Maria Rossi from 09:00 to 10:30."]]
    assert editor.error.text().startswith("This overlaps Job 1 for Maria Rossi")
    assert len(schedule.list_jobs(vault).rows) == 1
    with qtbot.waitSignal(editor.saved, timeout=WAIT):
        click(qtbot, editor.save_button)
    assert len(schedule.list_jobs(vault).rows) == 2


def test_an_existing_job_is_shown_and_changed(qtbot, tasks, vault, company, ada, maria):
    made = schedule.create_job(vault, job(ada, start=at(15, 9), assignee_id=maria.id,
                                          notes="Ring twice"))
    valve = schedule.add_material(vault, made.id, MaterialDraft("Valve", "2", "pcs", "12.5"))
    schedule.add_material(vault, made.id, MaterialDraft("Seal", "1", "pcs", "1"))
    editor = editor_for(qtbot, tasks, vault, made.id)
    assert editor.windowTitle() == "Edit job"
    assert editor.title.text() == "Boiler service"
    assert editor.person.record_id == ada.id and editor.person.text() == "Ada Lovelace"
    assert editor.address.toPlainText() == "Gartenweg 5\n14467 Potsdam"
    assert (editor.window_time.time().hour(), editor.window_end_time.time().hour()) == (9, 12)
    assert editor.status.text() == "Job 1 · Scheduled"
    assert editor.materials.rowCount() == 2
    assert editor.total.text() == "Materials: €26.00"
    assert editor.delete_button.isVisible()
    # Moving the window's start takes the end and the planned start along.
    editor.window_time.setTime(QTime(13, 0))
    editor._window_moved()
    assert editor.window_end_time.time() == QTime(16, 0)
    assert editor.start_time.time() == QTime(13, 0)
    editor.materials.item(0, 1).setText("3")
    editor.materials.setCurrentCell(1, 0)
    editor.remove_material()
    editor.field_notes.setPlainText("Valve replaced.")
    with qtbot.waitSignal(editor.saved, timeout=WAIT):
        click(qtbot, editor.save_button)
    after = schedule.get_job(vault, made.id)
    assert after.scheduled_start.replace(tzinfo=None) == datetime(2026, 12, 15, 13, 0)
    assert [(m.id, m.quantity) for m in after.materials] == [(valve.id, Decimal(3))]
    assert after.field_notes == "Valve replaced." and after.notes == "Ring twice"


def test_deleting_a_job_asks_first(qtbot, tasks, vault, company):
    made = schedule.create_job(vault, job(company, start=at(15, 9)))
    editor = editor_for(qtbot, tasks, vault, made.id)
    editor.confirm_delete = lambda: False
    click(qtbot, editor.delete_button)
    tasks.wait(WAIT)
    assert schedule.find_job_by_number(vault, 1) == made.id
    editor.confirm_delete = lambda: True
    with qtbot.waitSignal(editor.accepted, timeout=WAIT):
        click(qtbot, editor.delete_button)
    assert schedule.find_job_by_number(vault, 1) is None
