"""The global search box: type-ahead after a pause, stale queries cancelled, hits grouped
by kind, keyboard navigation, and Ctrl+K / opening a record in the main window."""

from __future__ import annotations

import pytest
from crasme_desktop.services import contacts
from crasme_desktop.services.contacts import EmailDraft, OrganizationDraft, PersonDraft
from crasme_desktop.ui.search_box import HEADER_ROLE, SearchBox
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.vault import open_vault
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

PASSPHRASE = "correct horse battery staple"  # what make_vault uses
WAIT = 20_000


@pytest.fixture
def vault(make_vault):
    created = make_vault()
    with open_vault(created.path, passphrase=PASSPHRASE, use_keychain=False) as opened:
        bau = contacts.create_organization(opened, OrganizationDraft(name="Adams Bau"))
        contacts.create_person(opened, PersonDraft(
            given_name="Ada", family_name="Lovelace",
            emails=(EmailDraft("ada@example.org"),)))
        contacts.create_person(opened, PersonDraft(
            given_name="Adam", family_name="Smith", organization_id=bau.id))
        yield opened


@pytest.fixture
def box(qtbot, vault):
    tasks = TaskRunner()
    window = QWidget()
    window.resize(700, 500)
    qtbot.addWidget(window)
    search = SearchBox(tasks, window, debounce_ms=60_000)  # tests say when the pause ends
    search.setGeometry(10, 10, 300, 30)
    search.attach(vault)
    window.show()
    qtbot.waitExposed(window)
    search.setFocus()
    yield search
    search.clear_vault()
    tasks.wait(WAIT)


def _pause_ends(box):
    box.timer.setInterval(0)
    box.timer.start()


def _rows(box):
    items = [box.panel.list.item(r) for r in range(box.panel.list.count())]
    return [("# " if i.data(HEADER_ROLE) else "") + i.text() for i in items]


def _answered(qtbot, box, text):
    qtbot.waitUntil(lambda: box.panel_visible and box._shown_text == text, timeout=WAIT)


def test_nothing_is_asked_until_the_typing_pauses(qtbot, box):
    qtbot.keyClicks(box, "ad")
    assert box.timer.isActive()
    assert box.pending is None and box.panel is None
    _pause_ends(box)
    _answered(qtbot, box, "ad")
    assert _rows(box) == ["# People", "Ada Lovelace", "Adam Smith", "# Companies", "Adams Bau"]


def test_the_default_pause_is_short_and_the_answer_arrives(qtbot, vault):
    tasks = TaskRunner()
    search = SearchBox(tasks)
    qtbot.addWidget(search)
    search.attach(vault)
    assert search.timer.interval() == 150
    search.show()
    qtbot.keyClicks(search, "love")
    _answered(qtbot, search, "love")
    assert _rows(search) == ["# People", "Ada Lovelace"]
    search.clear_vault()
    tasks.wait(WAIT)


def test_a_new_query_cancels_the_one_before_and_stale_answers_are_dropped(qtbot, box):
    box.setText("a")
    box._ask()  # the pause ended
    first = box._token
    assert first is not None and box.pending is not None
    box.setText("adam")
    box._ask()  # the next pause ended before the first answer came
    assert first.cancelled
    assert box._token is not first and not box._token.cancelled
    _answered(qtbot, box, "adam")
    assert _rows(box) == ["# People", "Adam Smith", "# Companies", "Adams Bau"]
    # Whatever the first query still delivers is ignored.
    box._answered(1, type("R", (), {"text": "a", "groups": ()})())
    assert box._shown_text == "adam"


def test_arrow_keys_skip_headers_and_enter_opens_the_hit(qtbot, box):
    qtbot.keyClicks(box, "ad")
    _pause_ends(box)
    _answered(qtbot, box, "ad")
    assert box.panel.current_hit()[0] == "person"
    assert box.panel.list.currentItem().text() == "Ada Lovelace"
    QTest.keyClick(box, Qt.Key.Key_Down)
    QTest.keyClick(box, Qt.Key.Key_Down)  # over the "Companies" header
    assert box.panel.list.currentItem().text() == "Adams Bau"
    QTest.keyClick(box, Qt.Key.Key_Down)  # stays on the last hit
    assert box.panel.list.currentItem().text() == "Adams Bau"
    QTest.keyClick(box, Qt.Key.Key_Up)
    assert box.panel.list.currentItem().text() == "Adam Smith"
    with qtbot.waitSignal(box.open_requested) as opened:
        QTest.keyClick(box, Qt.Key.Key_Return)
    assert opened.args[0] == "person"
    assert not box.panel_visible


def test_clicking_a_hit_opens_it(qtbot, box):
    qtbot.keyClicks(box, "bau")
    _pause_ends(box)
    _answered(qtbot, box, "bau")
    row = next(r for r in box.panel.hit_rows())
    rect = box.panel.list.visualItemRect(box.panel.list.item(row))
    with qtbot.waitSignal(box.open_requested) as opened:
        QTest.mouseClick(box.panel.list.viewport(), Qt.MouseButton.LeftButton,
                         pos=rect.center())
    assert opened.args[0] == "organization"


def test_enter_before_the_answer_opens_the_first_hit_when_it_comes(qtbot, box):
    qtbot.keyClicks(box, "lovel")
    with qtbot.waitSignal(box.open_requested, timeout=WAIT) as opened:
        QTest.keyClick(box, Qt.Key.Key_Return)
    assert opened.args[0] == "person"


def test_no_matches_says_so_and_escape_closes_then_clears(qtbot, box):
    qtbot.keyClicks(box, 'zq"*')
    _pause_ends(box)
    _answered(qtbot, box, 'zq"*')
    assert box.panel.empty.isVisible()
    assert box.panel.empty.text() == "No matches for \u201czq\"*\u201d"
    QTest.keyClick(box, Qt.Key.Key_Escape)
    assert not box.panel_visible
    assert box.text() == 'zq"*'
    QTest.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == ""


def test_emptying_the_box_hides_the_panel_and_asks_nothing(qtbot, box):
    qtbot.keyClicks(box, "ad")
    _pause_ends(box)
    _answered(qtbot, box, "ad")
    box.selectAll()
    QTest.keyClick(box, Qt.Key.Key_Backspace)
    assert not box.panel_visible
    assert not box.timer.isActive()


def test_locking_clears_and_disables_the_box(qtbot, box):
    qtbot.keyClicks(box, "ad")
    _pause_ends(box)
    _answered(qtbot, box, "ad")
    box.clear_vault()
    assert box.text() == ""
    assert not box.isEnabled()
    assert not box.panel_visible
    assert box.panel.list.count() == 0


# -- in the main window -------------------------------------------------------------
def _unlocked_window(qtbot, make_vault, make_controller):
    created = make_vault(sample_contacts=3)
    with open_vault(created.path, passphrase=PASSPHRASE, use_keychain=False) as vault:
        person = contacts.create_person(vault, PersonDraft(given_name="Zelda",
                                                           family_name="Quist"))
        company = contacts.create_organization(vault, OrganizationDraft(name="Quist Werke"))
    controller = make_controller(created.path, env_passphrase=PASSPHRASE)
    controller.start()
    qtbot.waitUntil(lambda: controller.vault is not None and controller.main_window
                    is not None and controller.main_window.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: not controller.tasks.active, timeout=WAIT)  # pages loaded
    return controller, person.id, company.id


def test_ctrl_k_focuses_the_search_and_a_hit_opens_on_its_page(
    qtbot, make_vault, make_controller, monkeypatch
):
    controller, person_id, _company_id = _unlocked_window(qtbot, make_vault, make_controller)
    window = controller.main_window
    box = window.search_box
    assert box.isEnabled()
    shown = []
    contacts_page = window.page("contacts")
    monkeypatch.setattr(contacts_page, "show_person", shown.append, raising=False)
    window.activateWindow()
    window.nav.setFocus()
    QTest.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(box.hasFocus)
    qtbot.keyClicks(box, "zel")
    _answered(qtbot, box, "zel")
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert window.current_page() is contacts_page
    assert shown == [person_id]


def test_open_record_shows_the_company_page_and_the_record(
    qtbot, make_vault, make_controller, monkeypatch
):
    controller, _person_id, company_id = _unlocked_window(qtbot, make_vault, make_controller)
    window = controller.main_window
    page = window.page("companies")
    shown = []
    monkeypatch.setattr(page, "show_organization", shown.append, raising=False)
    window.open_record("organization", company_id)
    assert window.current_page() is page
    assert shown == [company_id]
    window.open_record("spaceship", "x")  # a kind without a page changes nothing
    assert window.current_page() is page


def test_the_search_is_off_while_locked(qtbot, make_vault, make_controller):
    controller, _person_id, _company_id = _unlocked_window(qtbot, make_vault, make_controller)
    window = controller.main_window
    window.search_box.setText("zel")
    window.clear()
    assert not window.search_box.isEnabled()
    assert window.search_box.text() == ""
    window.search_box.focus_search()  # Ctrl+K while locked does nothing
    assert not window.search_box.hasFocus()
