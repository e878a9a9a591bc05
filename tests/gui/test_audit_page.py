"""The Audit page on a real vault: events with the user and the action in plain words,
filters that narrow them, paging by key, the CSV export (itself audited, refused to a
role without `export`), and "Check the trail" finding an entry edited by raw SQL."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest
from crasme_desktop.domain.permissions import BUILTIN_ROLE_IDS
from crasme_desktop.domain.validation_records import PersonDraft
from crasme_desktop.services import audit, contacts, permissions, users
from crasme_desktop.ui.pages.audit import AuditPage, action_text, choice_text
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import QDate, QLocale, Qt
from sqlalchemy import text
from tests.support.clicks import click

pytest_plugins = ("tests.support.records",)  # the `vault` fixture

WAIT = 20_000


@pytest.fixture
def trail(vault):
    """Two people made by the Owner; Carla (Staff) opens one and changes it."""
    ada = contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="Lovelace"))
    bob = contacts.create_person(vault, PersonDraft(given_name="Bob", family_name="Babbage"))
    carla = users.add_user(vault, "Carla Clerk", BUILTIN_ROLE_IDS["staff"])
    permissions.act_as(vault, carla.id)
    contacts.open_person(vault, ada.id)
    contacts.update_person(vault, ada.id, PersonDraft(given_name="Ada", family_name="King"))
    vault.actor = None  # back to the Owner
    return {"ada": ada.id, "bob": bob.id, "carla": carla.id}


@pytest.fixture
def page(qtbot, vault, tmp_path):
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    crashes: list[BaseException] = []
    shown_errors: list[object] = []
    tasks = TaskRunner(report_crash=crashes.append, show_error=shown_errors.append)
    shown = AuditPage(tasks)
    tasks.changed.connect(shown.on_changed)
    shown.saved_to = tmp_path / "trail.csv"
    shown.choose_save_path = lambda suggested: shown.saved_to
    qtbot.addWidget(shown)
    shown.resize(1200, 700)
    shown.show()
    yield shown
    tasks.invalidate()
    tasks.wait(10_000)
    QLocale.setDefault(usual)
    assert not crashes, crashes
    assert not shown_errors, shown_errors


def attach(qtbot, page, vault):
    page.attach(vault)
    wait_loaded(qtbot, page)
    qtbot.waitUntil(lambda: page.user.count() > 1, timeout=WAIT)


def wait_loaded(qtbot, page):
    qtbot.waitUntil(lambda: not page.model.loading and page.count.text() != "", timeout=WAIT)


def cells(page, row):
    return [page.model.data(page.model.index(row, c)) for c in range(5)]


def rows(page):
    return [cells(page, r) for r in range(page.model.rowCount())]


def test_events_show_who_did_what_to_which_record(qtbot, page, vault, trail):
    attach(qtbot, page, vault)
    shown = rows(page)
    assert len(shown) == len(audit.list_events(vault)) and len(shown) >= 5
    # Newest first: Carla changed Ada, before that she opened her.
    assert shown[0][1:] == ["Carla Clerk", "Changed", "Person", trail["ada"]]
    assert shown[1][1:] == ["Carla Clerk", "Opened", "Person", trail["ada"]]
    assert ["Owner", "Created", "Person", trail["bob"]] in [r[1:] for r in shown]
    assert shown[0][0]  # the time, as the locale writes it
    assert page.count.text() == f"{len(shown)} events"
    # No personal values anywhere in the list.
    assert not any("Lovelace" in str(c) or "Ada" in str(c) for r in shown for c in r)
    # The raw action word is the action's tool tip.
    tip = page.model.data(page.model.index(1, 2), Qt.ItemDataRole.ToolTipRole)
    assert tip == "person.open"


def test_plain_words_for_actions():
    assert action_text("person.open") == "Opened"
    assert action_text("ticket.status:solved") == "Status changed (solved)"
    assert action_text("vault.unlock:passphrase") == "Unlocked (passphrase)"
    assert action_text("thing.frobnicate_more") == "Frobnicate more"  # unknown: its words
    assert choice_text("person.erase") == "Person: Erased"


def test_filters_narrow_the_list(qtbot, page, vault, trail):
    attach(qtbot, page, vault)
    everything = len(rows(page))

    page.user.setCurrentIndex(page.user.findData(trail["carla"]))
    wait_loaded(qtbot, page)
    assert [r[1:3] for r in rows(page)] == [["Carla Clerk", "Changed"],
                                            ["Carla Clerk", "Opened"]]

    page.user.setCurrentIndex(0)
    page.action.setCurrentIndex(page.action.findData("person.create"))
    wait_loaded(qtbot, page)
    assert sorted(r[4] for r in rows(page)) == sorted([trail["ada"], trail["bob"]])

    page.action.setCurrentIndex(0)
    page.record_type.setCurrentIndex(page.record_type.findData("app_user"))
    wait_loaded(qtbot, page)
    assert [r[2:5] for r in rows(page)] == [["Created", "User", trail["carla"]]]

    page.record_type.setCurrentIndex(0)
    page.record_id.setText(trail["bob"])  # typed: read after a short pause
    qtbot.waitUntil(lambda: len(rows(page)) == 1, timeout=WAIT)
    assert rows(page)[0][2:] == ["Created", "Person", trail["bob"]]

    page.record_id.clear()
    tomorrow = date.today() + timedelta(days=1)
    page.since.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    qtbot.waitUntil(lambda: page.count.text() == "No events match these filters.",
                    timeout=WAIT)
    page.since.setDate(QDate(2000, 1, 1))  # "Any day" again
    today = date.today()
    page.until.setDate(QDate(today.year, today.month, today.day))  # up to and with today
    qtbot.waitUntil(lambda: len(rows(page)) == everything, timeout=WAIT)

    page.user.setCurrentIndex(page.user.findData(trail["carla"]))
    wait_loaded(qtbot, page)
    click(qtbot, page.clear_filters)
    qtbot.waitUntil(lambda: len(rows(page)) == everything, timeout=WAIT)
    assert page.user.currentIndex() == 0 and page.until.date() == QDate(2000, 1, 1)


def test_a_long_trail_is_read_page_by_page(qtbot, page, vault):
    for _n in range(230):
        audit.record_read(vault, "person.open", "person", "0000")
    attach(qtbot, page, vault)
    assert page.model.rowCount() == 200
    assert page.count.text() == "200 events so far; scroll for more"
    page.table.scrollToBottom()  # the view asks the model for more
    qtbot.waitUntil(lambda: page.model.complete, timeout=WAIT)
    total = len(audit.list_events(vault, limit=1000))
    assert page.model.rowCount() == total and total >= 230
    seqs = [e.seq for e in page.model.rows]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == total


def test_export_writes_the_filtered_events_to_csv_and_is_audited(qtbot, page, vault, trail):
    attach(qtbot, page, vault)
    page.user.setCurrentIndex(page.user.findData(trail["carla"]))
    wait_loaded(qtbot, page)
    assert page.export_button.isEnabled()
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: page.note.text().startswith("Exported"), timeout=WAIT)
    assert page.note.text() == "Exported 2 events to trail.csv."

    with page.saved_to.open(newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    assert table[0] == list(audit.EXPORT_COLUMNS)
    body = [dict(zip(table[0], r, strict=True)) for r in table[1:]]
    assert [(r["user_name"], r["action"], r["record_id"]) for r in body] == [
        ("Carla Clerk", "person.open", trail["ada"]),
        ("Carla Clerk", "person.update", trail["ada"])]  # oldest first
    assert all(r["user_id"] == trail["carla"] and r["at_utc"].endswith("Z") for r in body)
    assert "Lovelace" not in page.saved_to.read_text(encoding="utf-8")

    exported = audit.list_events(vault, action="audit.export")
    assert len(exported) == 1 and exported[0].user_name == "Owner"
    assert audit.verify_chain(vault).ok
    # The page follows the trail it just added to.
    page.user.setCurrentIndex(0)
    qtbot.waitUntil(lambda: bool(rows(page)) and rows(page)[0][2] == "Exported",
                    timeout=WAIT)


def test_export_is_disabled_with_the_reason_for_a_role_without_export(qtbot, page, vault):
    auditor = users.create_role(vault, "Auditor", ["audit.view"])
    anna = users.add_user(vault, "Anna Auditor", auditor.id)
    permissions.act_as(vault, anna.id)
    attach(qtbot, page, vault)
    assert not page.export_button.isEnabled()
    assert page.export_button.toolTip() == "Your role (Auditor) does not allow exporting data."
    page.export()  # the shortcut way in does nothing either
    assert not page.saved_to.exists()
    assert page.check_button.isEnabled()


def test_check_the_trail_says_intact_then_names_the_edited_entry(qtbot, page, vault, trail):
    attach(qtbot, page, vault)
    click(qtbot, page.check_button)
    qtbot.waitUntil(lambda: page.check_report is not None, timeout=WAIT)
    assert page.check_result.isVisible()
    entries = page.check_report.entries
    assert page.check_result.text() == (
        f"The audit trail is intact: all {entries} entries are as they were written.")
    assert page.check_result.property("role") == "notice"

    with vault.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET action = 'person.view' WHERE seq = 3"))
    page.check_report = None
    click(qtbot, page.check_button)
    qtbot.waitUntil(lambda: page.check_report is not None, timeout=WAIT)
    assert not page.check_report.ok
    assert page.check_result.text() == (
        "The audit trail was changed: entry 3 is not as it was written. Keep this copy "
        "of the vault as evidence and compare it with a backup.")
    assert page.check_result.property("role") == "error"


def test_locking_forgets_every_event(qtbot, page, vault, trail):
    attach(qtbot, page, vault)
    assert page.model.rowCount() > 0
    page.clear()
    assert page.model.rowCount() == 0 and page.user.count() == 1
    assert page.count.text() == "" and not page.check_result.isVisible()


def test_a_cancelled_export_leaves_no_file_and_no_event(vault, trail, tmp_path):
    from crasme_desktop.domain.errors import Cancelled
    from crasme_desktop.domain.progress import Progress

    stop = Progress()
    stop.cancel()
    target = tmp_path / "trail.csv"
    with pytest.raises(Cancelled):
        audit.export_events(vault, target, audit.AuditFilter(user_id=trail["carla"]),
                            progress=stop)
    assert not target.exists() and list(tmp_path.glob(".trail.csv.*")) == []
    assert audit.list_events(vault, action="audit.export") == []


def test_double_clicking_an_event_opens_its_record(qtbot, page, vault, trail):
    attach(qtbot, page, vault)
    row = next(r for r, cells_ in enumerate(rows(page)) if cells_[4] == trail["bob"])
    with qtbot.waitSignal(page.record_requested, timeout=WAIT) as opened:
        page.table.doubleClicked.emit(page.model.index(row, 0))
    assert opened.args == ["person", trail["bob"]]
