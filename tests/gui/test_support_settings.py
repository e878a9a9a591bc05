"""The support sections of Settings on a real vault: SLA targets in business time,
opening hours, holidays and canned replies saved and refused with the services'
sentences, and the support mailbox saved and tested against a real Dovecot."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from crasme_desktop.services import canned_replies, sla, support_mailbox
from crasme_desktop.ui.support_settings import (
    SupportDeskSection,
    SupportMailboxSection,
    parse_duration,
    parse_hours,
)
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from tests.support.imap_server import ImapTestServer, running_imap_server
from tests.support.sentences import assert_one_sentence
from tests.support.smtp_server import TlsFiles, make_tls_files
from tests.support.ticket_helpers import WAIT

pytest_plugins = ("tests.support.ticket_desk",)

IMAP_USER, IMAP_PASSWORD = "support@example.com", "imap s3cret"


@pytest.fixture
def desk(qtbot, vault, tasks):
    shown = SupportDeskSection(tasks)
    qtbot.addWidget(shown)
    shown.resize(900, 700)
    shown.show()
    shown.attach(vault)
    qtbot.waitUntil(lambda: shown.targets_save.isEnabled(), timeout=WAIT)
    yield shown
    shown.clear()


def click(button):
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def idle(qtbot, section):
    qtbot.waitUntil(lambda: section.tasks.active == 0, timeout=WAIT)


def test_durations_and_hours_are_read_as_people_write_them():
    assert [parse_duration(t) for t in ("90", "90 min", "1 h", "1 h 30 min", "2h30",
                                        "1.5 h", "8 hours")] == [90, 90, 60, 90, 150, 90, 480]
    assert parse_duration("soon") == "soon"  # left for the service to refuse
    assert parse_hours({"mon": "08:00–12:00, 13:00-17:00", "sat": ""}) == {
        "mon": [["08:00", "12:00"], ["13:00", "17:00"]], "sat": []}


def test_sla_targets_are_shown_saved_and_refused(qtbot, desk, vault):
    first, resolution = desk.targets["urgent"]
    assert (first.text(), resolution.text()) == ("1 h", "8 h")
    high_first, high_resolution = desk.targets["high"]
    high_first.setText("2 h 30 min")
    click(desk.targets_save)
    qtbot.waitUntil(lambda: desk.targets_note.text() == "Saved.", timeout=WAIT)
    assert next(p for p in sla.policies(vault) if p.priority == "high") \
        .first_response_minutes == 150

    high_first.setText("soon")
    click(desk.targets_save)
    qtbot.waitUntil(desk.targets_error.isVisible, timeout=WAIT)
    assert desk.targets_error.text() == ("For high priority, the first-response target must "
                                         "be a whole number of minutes above 0.")
    high_first.setText("20 h")
    high_resolution.setText("2 h")
    click(desk.targets_save)
    qtbot.waitUntil(lambda: "cannot be longer" in desk.targets_error.text(), timeout=WAIT)
    assert_one_sentence(desk.targets_error.text())
    assert next(p for p in sla.policies(vault) if p.priority == "high") \
        .first_response_minutes == 150


def test_opening_hours_are_saved_and_refused(qtbot, desk, vault):
    desk.tabs.setCurrentIndex(1)
    assert desk.hours["mon"].text() == "09:00–17:00"
    assert desk.hours["sun"].text() == ""
    desk.hours["sat"].setText("09:00-12:00")
    click(desk.hours_save)
    qtbot.waitUntil(lambda: desk.hours_note.text() == "Saved.", timeout=WAIT)
    assert desk.hours["sat"].text() == "09:00–12:00"
    assert sla.business_hours(vault).to_json()["sat"] == [["09:00", "12:00"]]

    desk.hours["sat"].setText("9 until noon")
    click(desk.hours_save)
    assert desk.hours_error.text() == ("“9 until noon” for Saturday is not a from–to time; "
                                       "write it like 09:00–17:00, several separated by "
                                       "commas.")
    desk.hours["sat"].setText("25:00–26:00")
    click(desk.hours_save)
    qtbot.waitUntil(lambda: "is not a time of day" in desk.hours_error.text(), timeout=WAIT)
    for edit in desk.hours.values():
        edit.clear()
    click(desk.hours_save)
    qtbot.waitUntil(lambda: desk.hours_error.text().startswith("Open the office on at least "
                                                               "one day"), timeout=WAIT)
    assert sla.business_hours(vault).to_json()["sat"] == [["09:00", "12:00"]]


def test_holidays_are_added_refused_twice_and_removed(qtbot, desk, vault):
    desk.tabs.setCurrentIndex(2)
    desk.holiday_day.setDate(QDate(2026, 12, 25))
    desk.holiday_name.setText("Christmas Day")
    click(desk.holiday_add)
    qtbot.waitUntil(lambda: desk.holiday_table.rowCount() == 1, timeout=WAIT)
    assert desk.holiday_table.item(0, 0).text() == "Friday 25 December 2026"
    assert desk.holiday_table.item(0, 1).text() == "Christmas Day"
    click(desk.holiday_add)
    qtbot.waitUntil(desk.holiday_error.isVisible, timeout=WAIT)
    assert desk.holiday_error.text() == ("Friday 2026-12-25 is already a holiday "
                                         "(Christmas Day).")
    desk.holiday_table.setCurrentCell(0, 0)
    click(desk.holiday_remove)
    qtbot.waitUntil(lambda: desk.holiday_table.rowCount() == 0, timeout=WAIT)
    assert sla.list_holidays(vault) == []


def test_canned_replies_are_written_refused_and_deleted(qtbot, desk, vault):
    desk.tabs.setCurrentIndex(3)
    click(desk.canned_new)
    desk.canned_name.setText("On our way")
    desk.canned_body.setPlainText("Hello {first_name}, a plumber is on the way.")
    click(desk.canned_save)
    qtbot.waitUntil(desk.canned_error.isVisible, timeout=WAIT)
    assert desk.canned_error.text().startswith("The placeholder {first_name} is not known; "
                                               "use one of {requester_name}")
    desk.canned_body.setPlainText("Hello {requester_first_name}, a plumber is on the way.")
    click(desk.canned_save)
    qtbot.waitUntil(lambda: desk.canned_note.text() == "Saved.", timeout=WAIT)
    assert [r.name for r in canned_replies.list_canned(vault)] == ["On our way"]
    assert desk.canned_list.currentItem().text() == "On our way"
    # Changing it keeps one reply.
    desk.canned_body.setPlainText("Hi {requester_first_name}, we are coming.")
    click(desk.canned_save)
    qtbot.waitUntil(lambda: desk.canned_note.text() == "Saved.", timeout=WAIT)
    [saved] = canned_replies.list_canned(vault)
    assert saved.body == "Hi {requester_first_name}, we are coming."
    click(desk.canned_delete)
    qtbot.waitUntil(lambda: desk.canned_list.count() == 0, timeout=WAIT)
    assert canned_replies.list_canned(vault) == []


def test_the_settings_page_holds_both_support_sections(qtbot, vault, tasks):
    from crasme_desktop.ui.pages.settings import SettingsPage

    page = SettingsPage(tasks)
    qtbot.addWidget(page)
    page.attach(vault)
    qtbot.waitUntil(lambda: page.support_desk.targets_save.isEnabled()
                    and page.support_mailbox.save_button.isEnabled(), timeout=WAIT)
    assert page.support_desk.targets["normal"][0].text() == "8 h"
    page.clear()
    assert page.support_desk.targets["normal"][0].text() == ""
    idle(qtbot, page.support_desk)


# -- the mailbox ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def imap(tmp_path_factory, tls) -> Iterator[ImapTestServer]:
    with running_imap_server(tmp_path_factory.mktemp("dovecot"), tls=tls,
                             username=IMAP_USER, password=IMAP_PASSWORD) as server:
        yield server


@pytest.fixture
def mailbox(qtbot, vault, tasks):
    shown = SupportMailboxSection(tasks)
    qtbot.addWidget(shown)
    shown.show()
    shown.attach(vault)
    qtbot.waitUntil(shown.save_button.isEnabled, timeout=WAIT)
    yield shown
    shown.clear()


def test_the_mailbox_is_refused_without_a_server(qtbot, mailbox, vault):
    click(mailbox.save_button)
    qtbot.waitUntil(mailbox.error.isVisible, timeout=WAIT)
    assert mailbox.error.text() == ("Type the name of the support mailbox's server, such as "
                                    "imap.example.com.")
    assert not support_mailbox.get_mailbox_settings(vault).configured


def test_test_connection_against_a_real_dovecot(qtbot, mailbox, vault, imap, tls):
    folder = f"T{uuid.uuid4().hex[:12]}"
    imap.append(b"From: ada@example.org\r\nSubject: hi\r\n\r\nhello\r\n", mailbox=folder)
    mailbox.host.setText(imap.host)
    mailbox.port.setValue(imap.port)
    mailbox.username.setText(IMAP_USER)
    mailbox.password.setText("wrong")
    mailbox.folder.setText(folder)
    mailbox.ca_file.setText(str(tls.ca_file))
    click(mailbox.test_button)
    qtbot.waitUntil(mailbox.error.isVisible, timeout=WAIT)
    assert_one_sentence(mailbox.error.text())
    assert "password" in mailbox.error.text().lower()

    mailbox.password.setText(IMAP_PASSWORD)
    click(mailbox.test_button)
    qtbot.waitUntil(lambda: mailbox.status.text().startswith("Saved and connected"),
                    timeout=WAIT)
    assert mailbox.status.text() == (f"Saved and connected: the folder {folder} holds 1 "
                                     "message.")
    assert mailbox.password.text() == ""  # in the keychain now
    assert mailbox.password.placeholderText() == "Saved in this computer's keychain"
    saved = support_mailbox.get_mailbox_settings(vault)
    assert (saved.host, saved.port, saved.folder) == (imap.host, imap.port, folder)
