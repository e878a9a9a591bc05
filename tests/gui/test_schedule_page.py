"""The Schedule page on a real vault in the Berlin office zone (fake clock: Thursday 10
December 2026): cards placed at their times in a lane per person, drops (real
QDropEvents with the page's own drag data) and keys that move jobs, a clash asking
"Move anyway?" and forcing, the week views, status moves and the invoice draft, my day,
the printed day sheet read back with pdftotext, and a calendar file out and in again."""

from __future__ import annotations

import getpass
import subprocess  # nosec B404  # pdftotext reads the day sheet back
from datetime import date, datetime

import pytest
from crasme_desktop.services import schedule, staff
from crasme_desktop.services.staff import StaffDraft
from crasme_desktop.ui.pages.schedule import ME, SchedulePage
from crasme_desktop.ui.schedule_views import PX_PER_MINUTE, encode_drag
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import QLocale, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest
from tests.support.clicks import click
from tests.support.schedule_data import at, job

pytest_plugins = ("tests.support.schedule_fixtures",)

WAIT = 20_000
TUESDAY = date(2026, 12, 15)


@pytest.fixture
def created(make_vault):
    return make_vault(use_keychain=True)


@pytest.fixture
def vault(office_vault):
    return office_vault


@pytest.fixture
def page(qtbot, vault):
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    crashes: list[BaseException] = []
    tasks = TaskRunner(report_crash=crashes.append)
    shown = SchedulePage(tasks)
    tasks.changed.connect(shown.on_changed)
    qtbot.addWidget(shown)
    shown.resize(1280, 800)
    shown.show()
    shown.confirm_conflict = lambda question, sentences: pytest.fail(
        f"unexpected question {question} {sentences}")
    yield shown
    if shown.editor is not None:
        shown.editor.reject()
    tasks.invalidate()
    tasks.wait(10_000)
    QLocale.setDefault(usual)
    assert not crashes, crashes


def show(qtbot, page, vault, day=TUESDAY, count=None):
    attached = page.vault is not None
    page.set_day(day)  # before attaching: only shown, nothing loaded yet
    if not attached:
        page.attach(vault)
    qtbot.waitUntil(lambda: page.loaded is not None and page.loaded.day == day, timeout=WAIT)
    if count is not None:
        wait_cards(qtbot, page, count)


def wait_cards(qtbot, page, count):
    def ready():
        view = page.board if page.views.currentWidget() is page.board else page.grid
        cards = view.cards + (page.unassigned.cards if view is page.grid else [])
        return len(cards) == count

    qtbot.waitUntil(ready, timeout=WAIT)


def drop_on(widget, job_id, point, grab=0):
    data = encode_drag(job_id, grab)  # what a drag of the card carries; kept alive here
    event = QDropEvent(QPointF(point), Qt.DropAction.MoveAction, data,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(event)
    del data
    return event


def wait_job(qtbot, vault, job_id, check):
    qtbot.waitUntil(lambda: check(schedule.get_job(vault, job_id)), timeout=WAIT)
    return schedule.get_job(vault, job_id)


def test_the_day_places_cards_at_their_times_in_a_lane_per_person(qtbot, page, vault,
                                                                  company, maria, tomasz):
    boiler = schedule.create_job(vault, job(company, start=at(15, 9), duration=90,
                                            assignee_id=maria.id))
    pipe = schedule.create_job(vault, job(company, title="Pipe", start=at(15, 11, 30),
                                          duration=45, assignee_id=tomasz.id))
    loose = schedule.create_job(vault, job(company, title="Gutter", start=at(15, 14)))
    show(qtbot, page, vault, count=3)
    grid = page.grid
    assert [c.title for c in grid.columns] == ["Maria Rossi", "Tomasz Nowak"]
    assert grid.columns[1].subtitle == "07:00–15:00 · 1 job"
    assert page.period.text() == "Tuesday, 15 December 2026"
    body = grid.body
    first = grid.card(boiler.id)
    assert first.geometry().top() == body.y_of(9 * 60) + 1
    assert first.height() == pytest.approx(90 * PX_PER_MINUTE, abs=3)
    left, width = body.column_span(0)
    assert left <= first.geometry().left() and first.geometry().right() <= left + width
    second = grid.card(pipe.id)
    assert second.geometry().top() == body.y_of(11 * 60 + 30) + 1
    left, width = body.column_span(1)
    assert left <= second.geometry().left() and second.geometry().right() <= left + width
    assert [c.job.id for c in page.unassigned.cards] == [loose.id]
    assert page.unassigned.title.text() == "Unassigned · 1"
    assert first.accessibleName().startswith("Job 1, 09:00–10:30, Boiler service, "
                                             "Kühnemann Bau")
    assert "Agreed window 09:00–12:00" in first.toolTip()
    # The working day is in view at first: Tomasz's 07:00 less an hour.
    assert grid.area.verticalScrollBar().value() == body.y_of(6 * 60) - 4


def test_dropping_a_card_on_another_lane_moves_the_job(qtbot, page, vault, company, maria,
                                                       tomasz):
    boiler = schedule.create_job(vault, job(company, start=at(15, 9), duration=90,
                                            assignee_id=maria.id))
    show(qtbot, page, vault, count=1)
    grid = page.grid
    event = drop_on(grid.body, boiler.id, grid.drop_point(1, 12 * 60 + 7))  # snaps to 12:00
    assert event.isAccepted()
    moved = wait_job(qtbot, vault, boiler.id, lambda j: j.assignee_id == tomasz.id)
    assert moved.scheduled_start.replace(tzinfo=None) == datetime(2026, 12, 15, 12, 0)
    wait_cards(qtbot, page, 1)
    qtbot.waitUntil(lambda: grid.card(boiler.id) is not None
                    and grid.card(boiler.id).column == 1, timeout=WAIT)
    # Grabbed 30 minutes below its top: the top lands half an hour above the pointer.
    drop_on(grid.body, boiler.id, grid.drop_point(0, 10 * 60), grab=30)
    moved = wait_job(qtbot, vault, boiler.id, lambda j: j.assignee_id == maria.id)
    assert moved.scheduled_start.replace(tzinfo=None) == datetime(2026, 12, 15, 9, 30)
    # Onto the unassigned list: nobody has it, at the same time.
    wait_cards(qtbot, page, 1)
    drop_on(page.unassigned, boiler.id, page.unassigned.rect().center())
    moved = wait_job(qtbot, vault, boiler.id, lambda j: j.assignee_id is None)
    assert moved.scheduled_start.replace(tzinfo=None) == datetime(2026, 12, 15, 9, 30)


def test_a_clashing_drop_asks_and_moving_anyway_forces_it(qtbot, page, vault, company,
                                                          maria, tomasz):
    boiler = schedule.create_job(vault, job(company, start=at(15, 9), duration=90,
                                            assignee_id=maria.id))
    show(qtbot, page, vault, count=1)
    asked = []
    answers = [False, True]
    page.confirm_conflict = lambda question, sentences: (
        asked.append((question, sentences)), answers.pop(0))[1]
    drop_on(page.grid.body, boiler.id, page.grid.drop_point(1, 14 * 60))  # 14:00-15:30
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=WAIT)
    question, sentences = asked[0]
    assert question == "Move Job 1 anyway?"
    assert sentences == ["This is outside Tomasz Nowak's working hours (07:00 to 15:00)."]
    page.tasks.wait(WAIT)
    assert schedule.get_job(vault, boiler.id).assignee_id == maria.id  # "No" kept it
    drop_on(page.grid.body, boiler.id, page.grid.drop_point(1, 14 * 60))
    moved = wait_job(qtbot, vault, boiler.id, lambda j: j.assignee_id == tomasz.id)
    assert moved.scheduled_start.replace(tzinfo=None) == datetime(2026, 12, 15, 14, 0)
    assert len(asked) == 2
    wait_cards(qtbot, page, 1)
    qtbot.waitUntil(lambda: page.grid.card(boiler.id) is not None
                    and bool(page.grid.card(boiler.id).job.warnings), timeout=WAIT)
    assert "⚠ This is outside Tomasz Nowak's working hours" in \
        page.grid.card(boiler.id).toolTip()
    assert "1 with warnings" in page.summary.text()


def test_keys_move_the_selected_card(qtbot, page, vault, company, maria, tomasz):
    boiler = schedule.create_job(vault, job(company, start=at(15, 9), duration=60,
                                            assignee_id=maria.id))
    show(qtbot, page, vault, count=1)
    card = page.grid.card(boiler.id)
    card.setFocus()
    QTest.keyClick(card, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    moved = wait_job(qtbot, vault, boiler.id,
                     lambda j: j.scheduled_start.replace(tzinfo=None).minute == 15)
    assert moved.scheduled_start.replace(tzinfo=None) == datetime(2026, 12, 15, 9, 15)
    # The card is drawn again and keeps the keyboard: the next key moves it on.
    qtbot.waitUntil(lambda: page.grid.card(boiler.id) is not None
                    and page.grid.card(boiler.id).job.start.minute == 15
                    and page.grid.card(boiler.id).hasFocus(), timeout=WAIT)
    card = page.grid.card(boiler.id)
    QTest.keyClick(card, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    moved = wait_job(qtbot, vault, boiler.id, lambda j: j.assignee_id == tomasz.id)
    assert moved.scheduled_start.replace(tzinfo=None) == datetime(2026, 12, 15, 9, 15)
    qtbot.waitUntil(lambda: page.grid.card(boiler.id) is not None
                    and page.grid.card(boiler.id).hasFocus(), timeout=WAIT)
    QTest.keyClick(page.grid.card(boiler.id), Qt.Key.Key_Right,
                   Qt.KeyboardModifier.ControlModifier)
    moved = wait_job(qtbot, vault, boiler.id,
                     lambda j: j.scheduled_start.date() == date(2026, 12, 16))
    assert moved.scheduled_start.replace(tzinfo=None) == datetime(2026, 12, 16, 9, 15)
    # Alt+Right shows the next day, where the job now is.
    page.setFocus()
    QTest.keyClick(page, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.loaded.day == date(2026, 12, 16), timeout=WAIT)
    wait_cards(qtbot, page, 1)
    assert page.date_edit.date().day() == 16
    # Enter opens the selected job in the editor.
    card = page.grid.card(boiler.id)
    card.setFocus()
    QTest.keyClick(card, Qt.Key.Key_Return)
    assert page.editor is not None and page.editor.job_id == boiler.id
    qtbot.waitUntil(lambda: page.editor.title.text() == "Boiler service", timeout=WAIT)


def test_the_weeks_of_one_person_and_of_the_team(qtbot, page, vault, company, maria,
                                                 tomasz):
    staff.add_absence(vault, maria.id, date(2026, 12, 17), date(2026, 12, 17), "Training")
    monday = schedule.create_job(vault, job(company, start=at(14, 10), duration=60,
                                            assignee_id=maria.id))
    wednesday = schedule.create_job(vault, job(company, title="Pipe", start=at(16, 13),
                                               duration=120, assignee_id=maria.id))
    page.person = maria.id
    page.mode = "week"
    show(qtbot, page, vault, count=2)
    grid = page.grid
    assert [c.day for c in grid.columns] == [date(2026, 12, d) for d in range(14, 21)]
    assert grid.columns[0].title == "Mon 14 Dec"
    assert grid.columns[3].off == "Training"
    assert grid.columns[5].off == "Day off"  # Saturday
    card = grid.card(wednesday.id)
    left, width = grid.body.column_span(2)
    assert left <= card.geometry().left() and card.geometry().right() <= left + width
    assert card.geometry().top() == grid.body.y_of(13 * 60) + 1
    assert card.height() == pytest.approx(120 * PX_PER_MINUTE, abs=3)
    assert grid.body.column_span(3)[1] < grid.body.column_span(2)[1]  # off: narrower
    assert page.period.text() == "14 – 20 December 2026  ·  Week 51"
    # A drop on the Friday column at 09:00 moves it there.
    drop_on(grid.body, monday.id, grid.drop_point(4, 9 * 60))
    wait_job(qtbot, vault, monday.id,
             lambda j: j.scheduled_start.replace(tzinfo=None) == datetime(2026, 12, 18, 9))

    page.set_person("")
    qtbot.waitUntil(lambda: page.views.currentWidget() is page.board
                    and len(page.board.cards) == 2, timeout=WAIT)
    board = page.board
    assert [r.name for r in board.rows] == ["Maria Rossi", "Tomasz Nowak"]
    cell = board.cell(0, date(2026, 12, 16))
    assert [c.job.id for c in board.cards if c.parent() is cell] == [wednesday.id]
    assert board.cell(1, date(2026, 12, 14)).off == "Day off"  # Tomasz: Tuesday-Saturday
    drop_on(board.cell(1, date(2026, 12, 15)), wednesday.id, cell.rect().center())
    moved = wait_job(qtbot, vault, wednesday.id, lambda j: j.assignee_id == tomasz.id)
    assert moved.scheduled_start.replace(tzinfo=None) == datetime(2026, 12, 15, 13, 0)


def test_status_moves_and_an_invoice_draft_from_the_menu(qtbot, page, vault, company,
                                                         maria):
    boiler = schedule.create_job(vault, job(company, start=at(10, 9), duration=60,
                                            assignee_id=maria.id))
    schedule.set_labour_rate(vault, hourly_rate="60")
    show(qtbot, page, vault, day=date(2026, 12, 10), count=1)
    menu = page.job_menu(page.grid.card(boiler.id).job)
    texts = {a.text(): a.isEnabled() for a in menu.actions() if a.text()}
    assert texts["On the way"] and texts["Done…"] and not texts["Create invoice draft"]
    page.ask_minutes = lambda job: 75
    page.change_status(page.job(boiler.id), "done")
    done = wait_job(qtbot, vault, boiler.id, lambda j: j.status == "done")
    assert done.minutes_worked == 75
    qtbot.waitUntil(lambda: page.grid.card(boiler.id) is not None
                    and page.grid.card(boiler.id).job.status == "done", timeout=WAIT)
    menu = page.job_menu(page.job(boiler.id))
    texts = {a.text(): a.isEnabled() for a in menu.actions() if a.text()}
    assert texts["Create invoice draft"] and not texts["Cancel job"]
    assert not texts["On the way"]
    with qtbot.waitSignal(page.record_requested, timeout=WAIT) as opened:
        page.make_invoice(boiler.id)
    kind, invoice_id = opened.args
    assert kind == "invoice"
    assert schedule.get_job(vault, boiler.id).invoice_id == invoice_id
    assert "invoice draft" in page.message.text()
    # Twice: the service's sentence, shown on the page.
    page.make_invoice(boiler.id)
    qtbot.waitUntil(lambda: "already on" in page.message.text(), timeout=WAIT)


def test_my_day_lists_the_stops_and_moves_their_status(qtbot, page, vault, company, ada):
    me = staff.create_staff(vault, StaffDraft("Maria Rossi", os_user=getpass.getuser()))
    late = schedule.create_job(vault, job(ada, title="Late", start=at(10, 14),
                                          assignee_id=me.id))
    early = schedule.create_job(vault, job(company, title="Early", start=at(10, 8),
                                           assignee_id=me.id))
    page.person = ME
    show(qtbot, page, vault, day=date(2026, 12, 10))
    qtbot.waitUntil(lambda: len(page.my_day.stops) == 2, timeout=WAIT)
    assert [s.job.id for s in page.my_day.stops] == [early.id, late.id]
    assert page.person_box.currentText() == "My day"
    assert "Maria Rossi" in page.person_box.itemData(page.person_box.currentIndex(),
                                                     Qt.ItemDataRole.ToolTipRole)
    assert "2 stops in visiting order" in page.my_day.intro.text()
    second = page.my_day.stops[1]
    details = second.findChild(type(page.period), "myDayDetails").text()
    assert "Gartenweg 5" in details and "tel:+49309876543" in details
    click(qtbot, second.buttons["on_the_way"])
    wait_job(qtbot, vault, late.id, lambda j: j.status == "on_the_way")
    qtbot.waitUntil(lambda: len(page.my_day.stops) == 2
                    and page.my_day.stops[1].job.status == "on_the_way", timeout=WAIT)
    stop = page.my_day.stops[1]
    assert not stop.buttons["on_the_way"].isEnabled() and stop.buttons["done"].isEnabled()
    stop.notes.setPlainText("Replaced the valve.")
    click(qtbot, stop.save_notes)
    wait_job(qtbot, vault, late.id, lambda j: j.field_notes == "Replaced the valve.")


def test_my_day_without_a_linked_account_says_what_to_do(qtbot, page, vault, maria):
    page.person = ME
    show(qtbot, page, vault, day=date(2026, 12, 10))
    qtbot.waitUntil(lambda: "staff settings" in page.my_day.intro.text(), timeout=WAIT)
    assert page.views.currentWidget() is page.my_day


def test_the_printed_day_sheet_has_the_jobs_in_visiting_order(qtbot, page, vault, company,
                                                              ada, maria, tmp_path,
                                                              pdftotext):
    schedule.create_job(vault, job(ada, title="Second stop", start=at(15, 13),
                                   assignee_id=maria.id))
    schedule.create_job(vault, job(company, title="First stop", start=at(15, 8),
                                   assignee_id=maria.id))
    show(qtbot, page, vault, count=2)
    target = tmp_path / "sheet.pdf"
    page.choose_person = lambda question, members: pytest.fail("the person is known")
    page.grid.select(page.grid.cards[0].job.id)
    page.choose_save_path = lambda title, suggested, filters: (
        suggested.name.startswith("Day sheet Maria Rossi 2026-12-15") or pytest.fail(
            suggested.name)) and target
    click(qtbot, page.print_button)
    qtbot.waitUntil(lambda: "day sheet of Maria Rossi" in page.message.text(), timeout=WAIT)
    text = subprocess.run([pdftotext, "-layout", str(target), "-"], capture_output=True,  # nosec B603  # the fixture's poppler pdftotext
                          check=True, text=True).stdout
    assert text.index("First stop") < text.index("Second stop")
    assert "Friedrichstraße 123" in text and "Gartenweg 5" in text


def test_a_calendar_file_goes_out_and_comes_back_in(qtbot, page, vault, company, maria,
                                                    tomasz, tmp_path):
    schedule.create_job(vault, job(company, title="Boiler", start=at(15, 9),
                                   assignee_id=maria.id))
    schedule.create_job(vault, job(company, title="Pipe", start=at(16, 10),
                                   assignee_id=maria.id))
    page.person = maria.id
    show(qtbot, page, vault, count=1)
    out = tmp_path / "maria.ics"
    page.choose_save_path = lambda title, suggested, filters: out
    page.export_calendar()
    qtbot.waitUntil(lambda: "jobs of Maria Rossi are saved" in page.message.text(),
                    timeout=WAIT)
    data = out.read_bytes()
    assert data.count(b"BEGIN:VEVENT") == 2 and b"SUMMARY:Job 1: Boiler" in data

    page.set_person(tomasz.id)
    qtbot.waitUntil(lambda: page.loaded.person == tomasz.id, timeout=WAIT)
    page.choose_open_path = lambda title, filters: out
    page.import_calendar()
    qtbot.waitUntil(lambda: "2 appointments added" in page.message.text(), timeout=WAIT)
    assert page.message.text().startswith("maria.ics for Tomasz Nowak: ")
    wait_cards(qtbot, page, 1)  # Tuesday's appointment on Tomasz's day
    card = page.grid.cards[0]
    assert card.job.title == "Job 1: Boiler" and card.job.kind == "appointment"
    assert card.job.start.replace(tzinfo=None) == datetime(2026, 12, 15, 9, 0)

    broken = tmp_path / "broken.ics"
    broken.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026121X\r\n"
                       b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    page.choose_open_path = lambda title, filters: broken
    page.import_calendar()
    qtbot.waitUntil(lambda: "nothing was imported" in page.message.text(), timeout=WAIT)
    assert page.message.property("role") == "error"


def test_no_staff_yet_shows_where_to_add_them(qtbot, page, vault):
    show(qtbot, page, vault)
    assert page.views.currentWidget() is page.empty


def test_the_dashboard_tile_opens_today(qtbot, page, vault, maria):
    page.attach(vault)
    qtbot.waitUntil(lambda: page.loaded is not None, timeout=WAIT)
    page.set_mode("week")
    page.open_filtered("today")
    qtbot.waitUntil(lambda: page.loaded.day == date(2026, 12, 10)
                    and page.loaded.mode == "day", timeout=WAIT)
    assert page.day_button.isChecked()
