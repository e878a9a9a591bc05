"""The screens follow the role (issue 9): on a real vault filled with sample data, a
Read-only user is offered no enabled control that creates, edits or deletes on any page
or editor, each disabled one says why on hover in the services' own sentence, no deal
card or job can be dragged and the shortcuts of refused actions do nothing; a Staff user
may add and edit but Delete says "Your role (Staff) does not allow deleting deals.";
an Owner sees everything enabled. Another user signing in after a lock gets the
permissions of their own role (the gate runs again on attach)."""

from __future__ import annotations

import importlib
import re

import pytest
from crasme_desktop.domain.models import Deal, Invoice, Job, Organization, Quote, Ticket
from crasme_desktop.domain.permissions import BUILTIN_ROLE_IDS
from crasme_desktop.services import permissions, users
from crasme_desktop.services.demo import fill_demo
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import QEvent, QLocale, QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QDropEvent, QKeySequence, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QWidget,
)
from sqlalchemy import select

pytest_plugins = ("tests.support.records",)  # the `vault` fixture

WAIT = 20_000
READ_ONLY = "Your role (Read-only) does not allow "
#: Words of a control that creates, changes or deletes something (or exports, prints).
EDITING = re.compile(
    r"\b(new|add|edit|delete|save|import|remove|merge|erase|archive|pause|resume|issue|"
    r"solve|reopen|refuse|mark|in progress|restrict|consent|correct|apply|fetch|export|"
    r"print|day sheet|move|attach|send|create|won|lost|accepted|declined|start|on the way|"
    r"done|rename|assign|priority|status|pipelines|sample|repeat|payment|canned|reply|"
    r"internal note)", re.IGNORECASE)
#: Controls whose words match but that only read: saving an attachment to a file, a
#: filter.
READING = {"Save as…", "Save…", "Show archived"}


@pytest.fixture
def demo(vault):
    """The vault with sample data of every area (people, deals, invoices, tickets,
    jobs), read as its Owner."""
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    fill_demo(vault, contacts=50)
    return vault


@pytest.fixture
def tasks(qtbot, demo):
    crashes: list[BaseException] = []
    runner = TaskRunner(report_crash=crashes.append, show_error=lambda _e: None)
    runner.pages = []  # the pages page_of made, deleted below
    yield runner
    runner.invalidate()
    runner.wait(10_000)
    # Delete the pages now, from Qt's side. Left to Python's cycle collector, a page can
    # go at any later moment, with its models' Python attributes cleared first while
    # their views still ask them for headers.
    for page in runner.pages:
        page.close()
        page.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not crashes, crashes


def sign_in_as(vault, role: str) -> None:
    user = users.add_user(vault, f"{role.title()} User", BUILTIN_ROLE_IDS[role])
    permissions.act_as(vault, user.id)


def first_id(vault, model, *where):
    with vault.unit_of_work() as uow:
        return uow.session.scalars(select(model.id).where(*where).limit(1)).one()


def shown(widget: QWidget, root: QWidget) -> bool:
    """Not hidden on purpose: pages of tabs and stacks that are merely not current
    count as shown (the walk covers every tab)."""
    while widget is not None and widget is not root:
        if widget.isHidden() and not isinstance(widget.parentWidget(), QStackedWidget):
            return False
        widget = widget.parentWidget()
    return True


def controls(root: QWidget) -> list[tuple[str, object]]:
    """(text, control) of every button and action under `root` whose words edit."""
    out: list[tuple[str, object]] = []
    for button in root.findChildren(QAbstractButton):
        text = button.text().replace("&", "") or button.accessibleName()
        if EDITING.search(text) and text not in READING and shown(button, root):
            out.append((text, button))
    for action in root.findChildren(QAction):
        text = action.text().replace("&", "")
        if EDITING.search(text) and text not in READING and action.isVisible():
            out.append((text, action))
    return out


def assert_nothing_edits(root: QWidget, *, role: str = "Read-only") -> int:
    """No editing control is enabled; each has the refusal as its tool tip. Returns
    how many were checked."""
    found = controls(root)
    enabled = [text for text, c in found if c.isEnabled()]
    assert not enabled, f"{root.objectName() or type(root).__name__}: {enabled}"
    wrong = [(text, c.toolTip()) for text, c in found
             if not c.toolTip().startswith(f"Your role ({role}) does not allow ")]
    assert not wrong, wrong
    return len(found)


def page_of(qtbot, cls, tasks):
    page = cls(tasks)
    tasks.pages.append(page)
    tasks.changed.connect(page.on_changed)
    qtbot.addWidget(page)
    page.resize(1400, 860)
    page.show()
    return page


def settle(qtbot, tasks):
    """Until every task (and those their answers start) has delivered its outcome."""
    qtbot.waitUntil(lambda: tasks.active == 0, timeout=WAIT)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: tasks.active == 0, timeout=WAIT)


# -- Read-only ----------------------------------------------------------------------------
PAGES = ("contacts.ContactsPage", "companies.CompaniesPage", "deals.DealsPage",
         "sales.SalesPage", "tickets.TicketsPage", "schedule.SchedulePage",
         "privacy.PrivacyPage", "reports.ReportsPage", "dashboard.DashboardPage")


@pytest.mark.parametrize("name", PAGES)
def test_a_read_only_user_sees_no_enabled_editing_control_on_a_page(qtbot, demo, tasks, name):
    module, cls = name.split(".")
    page_class = getattr(importlib.import_module(f"crasme_desktop.ui.pages.{module}"), cls)
    sign_in_as(demo, "read_only")
    page = page_of(qtbot, page_class, tasks)
    page.attach(demo)
    settle(qtbot, tasks)
    tabs = getattr(page, "tabs", None)
    checked = 0
    for index in range(tabs.count() if tabs is not None else 1):
        if tabs is not None:
            tabs.setCurrentIndex(index)
            settle(qtbot, tasks)
        checked += assert_nothing_edits(page)
    # The walk found controls to refuse (the dashboard has only its sample-data button,
    # shown on an empty vault).
    assert checked > 0 or cls == "DashboardPage"


def test_the_list_pages_refuse_and_their_shortcuts_do_nothing(qtbot, demo, tasks):
    from crasme_desktop.ui.pages.contacts import ContactsPage

    sign_in_as(demo, "read_only")
    page = page_of(qtbot, ContactsPage, tasks)
    page.attach(demo)
    qtbot.waitUntil(lambda: page.model.complete and page.current_record() is not None,
                    timeout=WAIT)
    assert page.new_button.toolTip() == READ_ONLY + "creating people."
    assert page.export_button.toolTip() == READ_ONLY + "exporting data."
    assert not page.shortcuts["new"].isEnabled()
    page.table.setFocus()
    QTest.keyClick(page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    asked: list[str] = []
    page.confirm = lambda text: asked.append(text) or True
    QTest.keyClick(page.table, Qt.Key.Key_Delete)
    assert page.dialog is None and not asked  # no editor opened, no delete asked
    page.open_current()  # a double click: the person, read-only
    editor = page.dialog
    assert editor.windowTitle() == "View person" and editor.read_only
    qtbot.waitUntil(lambda: editor.loaded, timeout=WAIT)
    assert editor.save_button.isHidden() and editor.cancel_button.text() == "Close"
    assert editor.role_note.text() == READ_ONLY + "editing people."
    edits = [w for kind in (QLineEdit, QPlainTextEdit) for w in editor.form.findChildren(kind)
             if w.isVisible()]
    assert edits and all(w.isReadOnly() for w in edits)
    assert assert_nothing_edits(editor) == 0  # add/remove links are gone entirely
    editor.close_without_asking()


def test_a_read_only_user_opens_every_editor_read_only(qtbot, demo, tasks):
    from crasme_desktop.ui.deal_editor import DealEditor
    from crasme_desktop.ui.job_editor import JobEditor
    from crasme_desktop.ui.record_editor import CompanyEditor
    from crasme_desktop.ui.sales_editor import SalesEditor
    from crasme_desktop.ui.ticket_view import TicketView

    sign_in_as(demo, "read_only")
    company = CompanyEditor(tasks, demo, first_id(demo, Organization))
    qtbot.addWidget(company)
    qtbot.waitUntil(lambda: company.loaded, timeout=WAIT)
    assert company.windowTitle() == "View company" and company.save_button.isHidden()
    assert_nothing_edits(company)

    deal = DealEditor(tasks, demo, first_id(demo, Deal))
    qtbot.addWidget(deal)
    qtbot.waitUntil(lambda: deal.deal is not None, timeout=WAIT)
    assert deal.windowTitle() == "View deal" and deal.save_button.isHidden()
    assert deal.title.isReadOnly() and not deal.pipeline.isEnabled()
    assert deal.delete_button.toolTip() == READ_ONLY + "deleting deals."
    assert assert_nothing_edits(deal) >= 3  # Won, Lost, Make quote, Delete

    for kind, model in (("invoice", Invoice), ("quote", Quote)):
        editor = SalesEditor(tasks, demo, kind, first_id(demo, model))
        qtbot.addWidget(editor)
        qtbot.waitUntil(lambda e=editor: e.loaded, timeout=WAIT)
        assert not editor.editable and editor.save_button.isHidden()
        assert READ_ONLY + ("editing invoices." if kind == "invoice" else "editing quotes.") \
            in editor.state_line.text()
        assert_nothing_edits(editor)
        editor.close_without_asking()

    job = JobEditor(tasks, demo, first_id(demo, Job))
    qtbot.addWidget(job)
    qtbot.waitUntil(lambda: job.job is not None, timeout=WAIT)
    assert job.windowTitle() == "View job" and job.save_button.isHidden()
    assert job.title.isReadOnly()
    assert_nothing_edits(job)

    view = TicketView(tasks)
    qtbot.addWidget(view)
    view.attach(demo)
    view.show_ticket(first_id(demo, Ticket))
    qtbot.waitUntil(lambda: view.record is not None, timeout=WAIT)
    assert view.reply_frame.isHidden()
    assert view.solve_button.toolTip() == READ_ONLY + "editing tickets."
    assert_nothing_edits(view)


def test_a_read_only_user_cannot_drag_a_deal_card_or_a_job(qtbot, demo, tasks):
    from crasme_desktop.ui.pages.deals import MIME, DealsPage
    from crasme_desktop.ui.pages.schedule import SchedulePage
    from crasme_desktop.ui.schedule_views import encode_drag

    sign_in_as(demo, "read_only")
    deals = page_of(qtbot, DealsPage, tasks)
    deals.attach(demo)
    qtbot.waitUntil(lambda: any(c.list.count() for c in deals.board.columns), timeout=WAIT)
    lists = [c.list for c in deals.board.columns]
    assert all(not lst.dragEnabled() and not lst.acceptDrops() for lst in lists)
    assert all(lst.dragDropMode() == QAbstractItemView.DragDropMode.NoDragDrop
               for lst in lists)
    source = next(c for c in deals.board.columns if c.list.count())
    card = source.list.card_of(source.list.item(0))
    deals.board.move_card(card.id, deals.board.columns[-1].stage, 0)
    source.list.setCurrentRow(0)
    source.list.setFocus()
    QTest.keyClick(source.list, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, tasks)
    with demo.unit_of_work() as uow:
        assert uow.session.get(Deal, card.id).stage_id == source.stage.id
    assert "Your role does not allow moving deals." in deals.board.hint.text()
    assert MIME  # the board's drag format exists; no list offers it

    schedule = page_of(qtbot, SchedulePage, tasks)
    with demo.unit_of_work() as uow:
        job_id, start, assignee = uow.session.execute(
            select(Job.id, Job.scheduled_start, Job.assignee_id)
            .where(Job.status == "scheduled", Job.scheduled_start.is_not(None))
            .limit(1)).one()
    schedule.set_day(start.date())
    schedule.attach(demo)
    qtbot.waitUntil(lambda: schedule.loaded is not None and (
        schedule.grid.card(job_id) is not None or schedule.unassigned.card(job_id)
        is not None), timeout=WAIT)
    card = schedule.grid.card(job_id) or schedule.unassigned.card(job_id)
    assert not card.movable and not schedule.grid.editable
    # A press and a long move start no drag (QDrag.exec would block; it is never reached).
    centre = QPointF(card.rect().center())
    press = QMouseEvent(QMouseEvent.Type.MouseButtonPress, centre, centre,
                        Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton,
                        Qt.KeyboardModifier.NoModifier)
    card.mousePressEvent(press)
    far = QPointF(centre + QPoint(0, 80))
    move = QMouseEvent(QMouseEvent.Type.MouseMove, far, far, Qt.MouseButton.NoButton,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    card.mouseMoveEvent(move)
    assert card._press is not None  # a drag would have taken the press
    # A drop that arrives anyway (another window) and Ctrl+Down move nothing.
    data = encode_drag(job_id, 0)
    drop = QDropEvent(QPointF(schedule.unassigned.rect().center()), Qt.DropAction.MoveAction,
                      data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    schedule.unassigned.dropEvent(drop)
    card.setFocus()
    QTest.keyClick(card, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, tasks)
    with demo.unit_of_work() as uow:
        again = uow.session.get(Job, job_id)
        assert (again.scheduled_start, again.assignee_id) == (start, assignee)
    del data
    assert not schedule.shortcuts[str(QKeySequence.StandardKey.New)].isEnabled()
    assert schedule.new_job() is None


# -- Staff and Owner -------------------------------------------------------------------------
def test_staff_may_add_and_edit_but_delete_says_why(qtbot, demo, tasks):
    from crasme_desktop.ui.deal_editor import DealEditor
    from crasme_desktop.ui.pages.contacts import ContactsPage
    from crasme_desktop.ui.pages.deals import DealsPage

    sign_in_as(demo, "staff")
    deals = page_of(qtbot, DealsPage, tasks)
    deals.attach(demo)
    assert deals.new_button.isEnabled() and deals.stages_button.isEnabled()
    editor = DealEditor(tasks, demo, first_id(demo, Deal, Deal.status == "open"))
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: editor.deal is not None, timeout=WAIT)
    assert editor.windowTitle() == "Edit deal" and editor.save_button.isEnabled()
    assert editor.won_button.isEnabled() and editor.quote_button.isEnabled()
    assert not editor.delete_button.isEnabled()
    assert editor.delete_button.toolTip() == "Your role (Staff) does not allow deleting deals."
    qtbot.waitUntil(lambda: any(c.list.count() for c in deals.board.columns), timeout=WAIT)
    assert all(c.list.dragEnabled() for c in deals.board.columns)

    contacts = page_of(qtbot, ContactsPage, tasks)
    contacts.attach(demo)
    assert contacts.new_button.isEnabled() and contacts.import_button.isEnabled()
    assert contacts.export_button.toolTip() == "Your role (Staff) does not allow exporting data."


def test_an_owner_sees_everything_enabled_and_a_later_sign_in_is_gated_again(qtbot, demo,
                                                                             tasks):
    from crasme_desktop.ui.pages.deals import DealsPage
    from crasme_desktop.ui.pages.privacy import PrivacyPage
    from crasme_desktop.ui.pages.sales import SalesPage

    pages = [page_of(qtbot, cls, tasks) for cls in (DealsPage, SalesPage, PrivacyPage)]
    for page in pages:  # the vault's first Owner (nobody signed in)
        page.attach(demo)
    settle(qtbot, tasks)
    deals, sales, privacy = pages
    for button in (deals.new_button, deals.stages_button, sales.new_invoice_button,
                   sales.new_quote_button, privacy.export_all_button,
                   privacy.erase_all_button, privacy.new_request_button):
        assert button.isEnabled(), button.text()
        assert not button.toolTip().startswith("Your role")
    # Locked, then a Read-only user signs in: the same pages refuse now.
    for page in pages:
        page.clear()
    sign_in_as(demo, "read_only")
    for page in pages:
        page.attach(demo)
    settle(qtbot, tasks)
    for page in pages:
        assert_nothing_edits(page)
    assert deals.new_button.toolTip() == READ_ONLY + "creating deals."
    assert privacy.erase_all_button.toolTip() == READ_ONLY + "erasing a person's data."
