"""The Tickets page on a real vault: the queues with their counts, switching queues,
the filter, triage by keyboard on two tickets at once (A, P, S with the chooser), the
refusals named in a sentence, a new ticket from the dialog, the dashboard's filters,
and the list read page by page."""

from __future__ import annotations

import pytest
from crasme_desktop.domain.models import TICKET_PRIORITIES, TICKET_STATUSES
from crasme_desktop.services import ticket_queues, tickets
from crasme_desktop.ui.pages import tickets as tickets_page
from crasme_desktop.ui.pages.tickets import PAGE_ROWS, fetch_summary
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from tests.support.sentences import assert_one_sentence
from tests.support.ticket_helpers import (
    WAIT,
    attach,
    choose_queue,
    count_of,
    new_ticket,
    numbers,
)

pytest_plugins = ("tests.support.ticket_desk",)


def select_rows(page, rows):
    selection = page.table.selectionModel()
    page.table.setCurrentIndex(page.model.index(rows[0], 0))
    for row in rows[1:]:
        selection.select(page.model.index(row, 0),
                         QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)
    page.table.setFocus()


def answer(page, wanted):
    """Make the chooser pick the option whose value is `wanted`; returns what it saw."""
    seen = []

    def choose(title, options):
        seen.append((title, [text for text, _value in options]))
        return next(value for _text, value in options if value == wanted)

    page.choose = choose
    return seen


def test_the_ui_knows_the_same_statuses_and_priorities_as_the_vault():
    assert tickets_page.STATUSES == TICKET_STATUSES
    assert set(tickets_page.PRIORITIES) == set(TICKET_PRIORITIES)
    assert set(tickets_page.QUEUE_ORDER) - {""} <= set(ticket_queues.QUEUES)


def test_queues_show_their_counts_and_switching_shows_their_tickets(
        qtbot, page, vault, people, staff_members):
    me, other = staff_members
    first = new_ticket(vault, people[0], "Boiler leaks", assignee_id=me.id)
    second = new_ticket(vault, people[1], "Invoice question")
    third = new_ticket(vault, people[0], "Radiator cold", assignee_id=other.id)
    tickets.change_status(vault, third.id, "pending")
    attach(qtbot, page, vault)
    assert numbers(page) == [third.number, second.number, first.number]
    assert (count_of(page, "mine"), count_of(page, "unassigned"), count_of(page, "new"),
            count_of(page, "pending"), count_of(page, "all_open")) == (1, 1, 2, 1, 3)
    assert count_of(page, "closed") is None  # closed tickets are never counted
    # The first row is shown in the pane.
    qtbot.waitUntil(lambda: page.view.record is not None, timeout=WAIT)
    assert page.view.record.id == third.id

    choose_queue(qtbot, page, "mine")
    assert numbers(page) == [first.number]
    choose_queue(qtbot, page, "pending")
    assert numbers(page) == [third.number]
    choose_queue(qtbot, page, "unassigned")
    assert numbers(page) == [second.number]
    assert page.model.data(page.model.index(0, 3)) == "Bob Builder"
    assert page.model.data(page.model.index(0, 4)) == "New"
    assert page.model.data(page.model.index(0, 2)).startswith("Reply due in")


def test_the_filter_narrows_the_queue(qtbot, page, vault, people):
    new_ticket(vault, people[0], "Boiler leaks")
    wanted = new_ticket(vault, people[1], "Invoice question")
    attach(qtbot, page, vault)
    page.search.setText("invoice")
    qtbot.waitUntil(lambda: numbers(page) == [wanted.number], timeout=WAIT)
    page.search.setText("nothing like this")
    qtbot.waitUntil(lambda: page.count.text() == "No tickets match the filter.",
                    timeout=WAIT)
    page.search.clear()
    qtbot.waitUntil(lambda: len(numbers(page)) == 2, timeout=WAIT)


def test_keyboard_triage_on_two_tickets(qtbot, page, vault, people, staff_members):
    me, _other = staff_members
    a = new_ticket(vault, people[0], "Boiler leaks")
    b = new_ticket(vault, people[1], "Invoice question")
    new_ticket(vault, people[1], "Left alone")
    attach(qtbot, page, vault)
    select_rows(page, [1, 2])  # b and a (newest first)
    assert sorted(page.selected_ids()) == sorted([a.id, b.id])

    seen = answer(page, me.id)
    QTest.keyClick(page.table, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: count_of(page, "mine") == 2, timeout=WAIT)
    assert seen[0][0] == "Assign 2 tickets to"
    assert "Me Myself" in seen[0][1] and "Nobody (unassign)" in seen[0][1]
    assert page.status_line.text() == "2 tickets were changed."
    assert {tickets.get_ticket(vault, i).assignee_name for i in (a.id, b.id)} == {"Me Myself"}
    # The selection survives the refresh, so the next key acts on the same two.
    qtbot.waitUntil(lambda: sorted(page.selected_ids()) == sorted([a.id, b.id]),
                    timeout=WAIT)

    answer(page, "urgent")
    QTest.keyClick(page.table, Qt.Key.Key_P)
    qtbot.waitUntil(lambda: tickets.get_ticket(vault, a.id).priority == "urgent",
                    timeout=WAIT)
    assert tickets.get_ticket(vault, b.id).priority == "urgent"
    qtbot.waitUntil(lambda: bool(page.model.rows) and page.model.rows[1].priority == "urgent",
                    timeout=WAIT)
    urgent = page.model.data(page.model.index(1, 5), Qt.ItemDataRole.ForegroundRole)
    assert urgent == QColor("#b3261e")

    qtbot.waitUntil(lambda: sorted(page.selected_ids()) == sorted([a.id, b.id]),
                    timeout=WAIT)
    answer(page, "pending")
    QTest.keyClick(page.table, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: count_of(page, "pending") == 2, timeout=WAIT)
    assert count_of(page, "new") == 1


def test_a_refused_status_move_is_named_and_the_others_still_change(
        qtbot, page, vault, people):
    a = new_ticket(vault, people[0], "Boiler leaks")
    b = new_ticket(vault, people[1], "Invoice question")
    tickets.change_status(vault, a.id, "solved")
    tickets.change_status(vault, a.id, "closed")
    attach(qtbot, page, vault, "all")
    select_rows(page, [0, 1])
    answer(page, "solved")
    QTest.keyClick(page.table, Qt.Key.Key_S)
    qtbot.waitUntil(page.error.isVisible, timeout=WAIT)
    assert page.error.text() == tickets.move_sentence(a.number, "closed", "solved")
    assert_one_sentence(page.error.text())
    assert tickets.get_ticket(vault, b.id).status == "solved"


def test_a_dismissed_chooser_changes_nothing(qtbot, page, vault, people):
    a = new_ticket(vault, people[0], "Boiler leaks")
    attach(qtbot, page, vault)
    select_rows(page, [0])
    page.choose = lambda _title, _options: None
    QTest.keyClick(page.table, Qt.Key.Key_P)
    QTest.keyClick(page.table, Qt.Key.Key_S)
    page.tasks.wait(5000)
    assert tickets.get_ticket(vault, a.id).priority == "normal"
    assert tickets.get_ticket(vault, a.id).status == "new"


def test_r_and_n_put_the_cursor_in_the_box_as_reply_or_note(qtbot, page, vault, people):
    new_ticket(vault, people[0], "Boiler leaks")
    attach(qtbot, page, vault)
    qtbot.waitUntil(lambda: page.view.record is not None, timeout=WAIT)
    select_rows(page, [0])
    QTest.keyClick(page.table, Qt.Key.Key_N)
    assert page.view.mode == "note" and page.view.text.hasFocus()
    assert page.view.send_button.text() == "Add note"
    page.table.setFocus()
    QTest.keyClick(page.table, Qt.Key.Key_R)
    assert page.view.mode == "reply" and page.view.text.hasFocus()
    assert page.view.send_button.text() == "Send"
    for button in (page.assign_button, page.priority_button, page.status_button,
                   page.fetch_button, page.new_button):
        assert "(" in button.toolTip()  # each names its key
    assert "A assign" in page.help.text() and "F5 fetch mail" in page.help.text()


def test_a_new_ticket_from_the_dialog(qtbot, page, vault, people, staff_members):
    attach(qtbot, page, vault)
    qtbot.waitUntil(lambda: len(page.staff) == 2, timeout=WAIT)
    QTest.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = page.editor
    assert editor is not None and editor.isVisible()
    editor.save()
    assert editor.error.text() == "Give the ticket a subject: a few words that say what " \
                                  "the problem is."
    editor.subject.setText("Heating off since Sunday")
    editor.requester.setText("Ada")
    editor.save()
    assert editor.error.text() == "Pick the requester from the list that appears as you type."
    editor.requester.pick("person", people[0].id, "Ada Lovelace")
    editor.priority.setCurrentIndex(editor.priority.findData("high"))
    editor.assignee.setCurrentIndex(editor.assignee.findText("Sam Other"))
    editor.tags.setText("heating, urgent-ish")
    editor.first_message.setPlainText("Called at 8:55, the heating is off.")
    editor.save()
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: page.view.record is not None
                    and page.view.record.subject == "Heating off since Sunday", timeout=WAIT)
    record = page.view.record
    assert (record.priority, record.assignee_name, record.organization_name, record.tags) == (
        "high", "Sam Other", "Acme Plumbing", ("heating", "urgent-ish"))
    assert [m.kind for m in record.messages] == ["customer"]
    qtbot.waitUntil(lambda: numbers(page) == [record.number], timeout=WAIT)
    assert page.status_line.text() == f"Ticket #{record.number} was added."


def test_the_dashboard_opens_the_breached_and_due_soon_queues(
        qtbot, page, vault, people, desk_clock):
    late = new_ticket(vault, people[0], "Boiler leaks", priority="urgent")  # reply in 1 h
    new_ticket(vault, people[1], "Invoice question", priority="low")
    attach(qtbot, page, vault)
    page.open_filtered("due_soon")
    qtbot.waitUntil(lambda: page.queues.current_queue() == "due_soon" and page.model.complete,
                    timeout=WAIT)
    assert numbers(page) == [late.number]
    desk_clock.advance(2 * 3600)
    page.open_filtered("breached")
    qtbot.waitUntil(lambda: page.queues.current_queue() == "breached" and page.model.complete
                    and numbers(page) == [late.number], timeout=WAIT)
    colour = page.model.data(page.model.index(0, 2), Qt.ItemDataRole.ForegroundRole)
    assert colour == QColor("#b3261e")
    assert page.model.data(page.model.index(0, 2)) == "Reply overdue by 1 h"
    page.refresh_counts()
    qtbot.waitUntil(lambda: count_of(page, "breached") == 1, timeout=WAIT)
    page.open_filtered("no such queue")  # ignored
    assert page.queues.current_queue() == "breached"


def test_the_list_is_read_page_by_page(qtbot, page, vault, people):
    made = [new_ticket(vault, people[n % 2], f"Problem {n}", body="") for n in
            range(PAGE_ROWS + 5)]
    attach(qtbot, page, vault)
    assert len(page.model.rows) == PAGE_ROWS and not page.model.complete
    assert "so far; scroll for more" in page.count.text()
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.complete, timeout=WAIT)
    assert numbers(page) == [t.number for t in reversed(made)]
    assert page.count.text() == f"{PAGE_ROWS + 5} tickets"


def test_the_fetch_summary_names_each_message_that_could_not_be_taken_in():
    from crasme_desktop.services.ticket_mail import FetchedMessage, FetchReport

    failed = FetchedMessage(7, "failed", None, "Photos", "ada@example.org",
                            "The message is 80 MB, more than the 64 MB a message can be.")
    report = FetchReport("box", 3, 2, 0, 0, (failed,))
    assert fetch_summary(report) == (
        "Fetched the support mailbox: 3 new tickets, 2 replies; 1 message could not be "
        "taken in: “Photos” from ada@example.org: The message is 80 MB, more than the "
        "64 MB a message can be.")
    assert fetch_summary(FetchReport("box", 1, 0, 0, 4, ())) == (
        "Fetched the support mailbox: 1 new ticket, 0 replies.")


def test_fetch_before_the_mailbox_is_set_up_says_where(qtbot, page, vault):
    attach(qtbot, page, vault)
    QTest.keyClick(page, Qt.Key.Key_F5)
    qtbot.waitUntil(page.error.isVisible, timeout=WAIT)
    assert "Settings › Support mailbox" in page.error.text()
    assert page.fetch_button.isEnabled()


@pytest.mark.parametrize("queue", ["mine"])
def test_my_tickets_says_why_it_is_empty_without_a_linked_staff_member(
        qtbot, page, vault, people, queue):
    new_ticket(vault, people[0], "Boiler leaks")
    attach(qtbot, page, vault, queue)
    assert numbers(page) == []
    assert "No staff member is linked to the computer account" in page.count.text()
