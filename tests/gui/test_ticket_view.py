"""The ticket pane on a real vault: the header and the due state counting down on a
fake clock, the thread with notes told apart and attachments saved, a canned reply
filled in and sent (a failure kept with its sentence and Retry, then sent through a
real SMTP server), an internal note, merging by number (with the different-requester
question), solve and reopen, and the requester's link."""

from __future__ import annotations

import pytest
from crasme_desktop.services import canned_replies, mailing, tickets
from crasme_desktop.services.mailing import MailSettings
from crasme_desktop.ui.ticket_view import REFRESH_MS, WARNING, TicketView
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from tests.support.sentences import assert_one_sentence
from tests.support.smtp_server import running_smtp_server
from tests.support.ticket_helpers import WAIT, new_ticket

pytest_plugins = ("tests.support.ticket_desk",)


@pytest.fixture
def view(qtbot, vault, tasks):
    shown = TicketView(tasks)
    qtbot.addWidget(shown)
    shown.resize(700, 900)
    shown.show()
    shown.attach(vault)
    yield shown
    shown.clear()


def show(qtbot, view, ticket, check=None):
    view.show_ticket(ticket.id)
    qtbot.waitUntil(lambda: view.record is not None and view.record.id == ticket.id
                    and (check is None or check(view.record)), timeout=WAIT)


def kinds(view):
    return [card.message.kind for card in view.thread.cards]


def wait_idle(qtbot, view):
    qtbot.waitUntil(lambda: view.tasks.active == 0, timeout=WAIT)


def test_the_header_and_the_due_state_counting_down(qtbot, view, vault, people, desk_clock,
                                                    staff_members):
    ticket = new_ticket(vault, people[0], "Boiler leaks", priority="urgent",
                        category="Heating", tags="boiler, leak",
                        assignee_id=staff_members[1].id)
    show(qtbot, view, ticket)
    assert view.title.text() == f"#{ticket.number}  Boiler leaks"
    assert "Ada Lovelace" in view.requester.text()
    assert view.requester.toolTip() == "ada@example.org"
    assert "Acme Plumbing" in view.company.text()
    assert (view.status.text(), view.priority.text(), view.category.text(),
            view.assignee.text()) == ("New", "Urgent", "Heating", "Sam Other")
    assert view.tags.tags == ("boiler", "leak")
    assert view.due.text() == "Reply due in 1 h"
    assert WARNING in view.due.styleSheet()  # within two business hours: due soon
    assert view.timer.isActive() and view.timer.interval() == REFRESH_MS == 60_000

    desk_clock.advance(40 * 60)
    view.timer.timeout.emit()  # the minute's refresh
    qtbot.waitUntil(lambda: view.due.text() == "Reply due in 20 min", timeout=WAIT)
    desk_clock.advance(50 * 60)
    view.timer.timeout.emit()
    qtbot.waitUntil(lambda: view.due.text() == "Reply overdue by 30 min", timeout=WAIT)
    assert "#b3261e" in view.due.styleSheet()

    tickets.change_status(vault, ticket.id, "pending")
    view.reload()
    qtbot.waitUntil(lambda: view.due.text() == "Clock paused (waiting on the customer)",
                    timeout=WAIT)


def test_the_requester_link_asks_to_show_the_person(qtbot, view, vault, people):
    ticket = new_ticket(vault, people[0], "Boiler leaks")
    show(qtbot, view, ticket)
    with qtbot.waitSignal(view.record_requested) as asked:
        view.requester.linkActivated.emit(f"person:{people[0].id}")
    assert asked.args == ["person", people[0].id]


def test_the_thread_tells_notes_apart_and_saves_attachments(qtbot, view, vault, people,
                                                            tmp_path):
    ticket = new_ticket(vault, people[0], "Boiler leaks")
    tickets.add_note(vault, ticket.id, "Ada is a regular; be quick.",
                     [("plan.txt", "text/plain", b"step one\n")])
    tickets.add_reply(vault, ticket.id, "We are on our way.")
    show(qtbot, view, ticket)
    assert kinds(view) == ["customer", "note", "reply"]
    note = view.thread.cards[1]
    assert "fff6d6" in note.styleSheet()  # the notes' yellow
    assert note.findChild(type(view.title), "messageKind").text() == "Internal note"
    assert note.body.text() == "Ada is a regular; be quick."
    target = tmp_path / "saved-plan.txt"
    view.choose_save_path = lambda suggested: target
    [save] = note.save_buttons
    QTest.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(target.exists, timeout=WAIT)
    assert target.read_bytes() == b"step one\n"


def test_a_canned_reply_filled_in_then_sent_after_a_failure(qtbot, view, vault, people,
                                                           tmp_path):
    canned_replies.save_canned(vault, "On our way",
                               "Hello {requester_first_name}, about ticket {ticket_number}: "
                               "a plumber is on the way.")
    ticket = new_ticket(vault, people[0], "Boiler leaks")
    view.load_canned()
    qtbot.waitUntil(lambda: len(view._canned) == 1, timeout=WAIT)
    show(qtbot, view, ticket)
    view._fill_canned_menu()
    [action] = view.canned_menu.actions()
    assert action.text() == "On our way"
    action.trigger()
    expected = f"Hello Ada, about ticket {ticket.number}: a plumber is on the way."
    qtbot.waitUntil(lambda: view.text.toPlainText() == expected, timeout=WAIT)
    attached = tmp_path / "steps.txt"
    attached.write_bytes(b"1. turn off the water\n")
    view.choose_files = lambda: [attached]
    QTest.mouseClick(view.attach_button, Qt.MouseButton.LeftButton)
    assert "steps.txt" in view.file_list.text()

    # No mail server set up yet: the reply is kept, marked not sent, with the sentence.
    QTest.keyClick(view.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(view.error.isVisible, timeout=WAIT)
    assert view.error.text().startswith("The reply is kept in the thread but was not sent: ")
    assert view.text.toPlainText() == ""  # the reply is in the thread, not in the box
    qtbot.waitUntil(lambda: kinds(view) == ["customer", "reply"], timeout=WAIT)
    card = view.thread.cards[1]
    assert card.body.text() == expected
    assert card.retry_button is not None
    assert [a.filename for a in card.message.attachments] == ["steps.txt"]
    assert view.record.status == "open"  # a reply opens a new ticket

    with running_smtp_server("none") as smtp:
        mailing.save_mail_settings(vault, MailSettings(smtp.host, smtp.port, "none", "",
                                                       "office@example.com", "The Office"))
        QTest.mouseClick(card.retry_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(smtp.messages) == 1, timeout=WAIT)
        qtbot.waitUntil(lambda: bool(view.thread.cards) and view.thread.cards[-1]
                        .message.mail_status == "sent", timeout=WAIT)
    [received] = smtp.messages
    assert received.rcpt_tos == ("ada@example.org",)
    assert received.message["Subject"] == f"Re: Boiler leaks {view.record.reference}"
    assert expected in received.message.get_body(("plain",)).get_content()
    assert view.thread.cards[-1].mail_state.text() == "Emailed to the customer"
    assert view.thread.cards[-1].retry_button is None


def test_a_reply_can_set_the_status_with_it(qtbot, view, vault, people):
    ticket = new_ticket(vault, people[1], "Invoice question")
    show(qtbot, view, ticket)
    view.text.setPlainText("Could you send us the invoice number?")
    view.after.setCurrentIndex(view.after.findData("pending"))
    QTest.mouseClick(view.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.record.status == "pending", timeout=WAIT)
    assert view.after.currentData() == ""  # back to "keep the status" for the next one


def test_an_internal_note_is_added_and_never_sent(qtbot, view, vault, people):
    ticket = new_ticket(vault, people[0], "Boiler leaks")
    show(qtbot, view, ticket)
    view.start("note")
    assert not view.after.isVisible()
    view.submit()
    assert view.error.text() == "Write something in the box first."
    view.text.setPlainText("Called her back, no answer.")
    QTest.keyClick(view.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: kinds(view) == ["customer", "note"], timeout=WAIT)
    note = view.thread.cards[1]
    assert note.message.mail_status == "" and note.mail_state is None
    assert view.record.status == "new"  # a note is not a response


def test_merging_into_another_ticket_by_number(qtbot, view, vault, people):
    target = new_ticket(vault, people[0], "Boiler leaks")
    source = new_ticket(vault, people[0], "Boiler still leaking", body="Again!")
    show(qtbot, view, source)
    view.ask_text = lambda _title, _question: "999"
    view.merge()
    qtbot.waitUntil(view.error.isVisible, timeout=WAIT)
    assert view.error.text() == "There is no ticket #999; check the number and try again."
    assert_one_sentence(view.error.text())
    view.error.clear_message()
    view.ask_text = lambda _title, _question: f"#{target.number}"
    view.merge()
    qtbot.waitUntil(lambda: view.record.status == "closed", timeout=WAIT)
    assert f"Merged into ticket #{target.number}." in view.notice.text()
    assert not view.merge_button.isEnabled() and not view.reply_frame.isEnabled()
    merged = tickets.get_ticket(vault, target.id)
    assert "Again!" in [m.body for m in merged.messages]


def test_merging_tickets_of_different_requesters_asks_first(qtbot, view, vault, people):
    target = new_ticket(vault, people[1], "Invoice question")
    source = new_ticket(vault, people[0], "Boiler leaks")
    show(qtbot, view, source)
    asked = []
    view.ask_text = lambda _title, _question: str(target.number)
    view.confirm = lambda text: asked.append(text) or False
    view.merge()
    qtbot.waitUntil(lambda: bool(asked), timeout=WAIT)
    assert asked == [f"Ticket #{source.number} is from Ada Lovelace and #{target.number} "
                     "from Bob Builder. Merge them anyway?"]
    wait_idle(qtbot, view)
    assert tickets.get_ticket(vault, source.id).status == "new"
    view.confirm = lambda _text: True
    view.merge()
    qtbot.waitUntil(lambda: view.record.status == "closed", timeout=WAIT)


def test_solve_and_reopen(qtbot, view, vault, people):
    ticket = new_ticket(vault, people[0], "Boiler leaks")
    show(qtbot, view, ticket)
    assert view.solve_button.text() == "Solve"
    QTest.mouseClick(view.solve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.record.status == "solved", timeout=WAIT)
    assert view.solve_button.text() == "Reopen"
    assert view.due.text() == "Solved within target"
    QTest.mouseClick(view.solve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.record.status == "open", timeout=WAIT)


def test_a_restricted_requester_is_said_and_a_reply_refused(qtbot, view, vault, people):
    from crasme_desktop.services import privacy_consent

    ticket = new_ticket(vault, people[0], "Boiler leaks")
    privacy_consent.restrict(vault, people[0].id, "Disputes the data")
    show(qtbot, view, ticket)
    assert view.notice.isVisible() and "restricted" in view.notice.text()
    view.text.setPlainText("Hello")
    view.submit()
    qtbot.waitUntil(view.error.isVisible, timeout=WAIT)
    assert_one_sentence(view.error.text())
    assert view.text.toPlainText() == "Hello"  # kept, nothing was saved
