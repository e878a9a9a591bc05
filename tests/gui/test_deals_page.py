"""The Deals page on a real vault: the board with its column totals, a card dropped on
another column (a real QDropEvent with the board's own MIME data), keyboard moves,
Lost asking why, the editor with its sentences, the list read page by page, the
forecast, and the dashboard's tile opening the month's list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from crasme_desktop.services import contacts, deals
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.services.deals import DealDraft
from crasme_desktop.ui.pages.deals import MIME, DealsPage
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import QLocale, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest
from tests.support.clicks import click

pytest_plugins = ("tests.support.records",)  # the `vault` fixture

WAIT = 20_000
SOON = date.today() + timedelta(days=10)


@pytest.fixture
def acme(vault):
    return contacts.create_organization(vault, OrganizationDraft(name="Acme Analytics"))


def add(vault, acme, title, value="1000", **more):
    return deals.create_deal(vault, DealDraft(title=title, value=value, currency="EUR",
                                              expected_close=more.pop("close", SOON),
                                              organization_id=acme.id, **more))


@pytest.fixture
def page(qtbot, vault):
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    crashes: list[BaseException] = []
    tasks = TaskRunner(report_crash=crashes.append)
    shown = DealsPage(tasks)
    tasks.changed.connect(shown.on_changed)
    qtbot.addWidget(shown)
    shown.resize(1500, 800)
    shown.show()
    yield shown
    if shown.editor is not None:
        shown.editor.reject()
    tasks.invalidate()
    tasks.wait(10_000)
    QLocale.setDefault(usual)
    assert not crashes, crashes


def attach(qtbot, page, vault):
    page.attach(vault)
    qtbot.waitUntil(lambda: len(page.board.columns) == 6, timeout=WAIT)


def titles(page, stage):
    column = next(c for c in page.board.columns if c.stage.name == stage)
    return [column.list.card_of(column.list.item(r)).title for r in range(column.list.count())]


def column(page, stage):
    return next(c for c in page.board.columns if c.stage.name == stage)


def wait_titles(qtbot, page, stage, expected):
    qtbot.waitUntil(lambda: titles(page, stage) == expected, timeout=WAIT)


def test_the_board_shows_columns_cards_and_totals(qtbot, page, vault, acme):
    add(vault, acme, "Roof", "1000")
    add(vault, acme, "Barn", "500.50", probability=50)
    attach(qtbot, page, vault)
    assert [c.stage.name for c in page.board.columns] == [
        "Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    assert titles(page, "Lead") == ["Roof", "Barn"]
    totals = column(page, "Lead").totals.text()
    assert "2 deals" in totals
    assert "Total €1,500.50" in totals and "Weighted €350.25" in totals
    card = column(page, "Lead").list.card_of(column(page, "Lead").list.item(0))
    assert card.customer == "Acme Analytics"


def drop(target_list, deal_id, y):
    from PySide6.QtCore import QByteArray, QMimeData

    data = QMimeData()
    data.setData(MIME, QByteArray(deal_id.encode()))
    event = QDropEvent(QPointF(20, y), Qt.DropAction.MoveAction, data,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    target_list.dropEvent(event)
    return event


def test_dropping_a_card_on_another_column_moves_it(qtbot, page, vault, acme):
    roof = add(vault, acme, "Roof")
    add(vault, acme, "Barn")
    add(vault, acme, "Shed", stage_id=deals.list_pipelines(vault)[0].stages[2].id)
    attach(qtbot, page, vault)
    source = column(page, "Lead").list
    mime = source.mimeData([source.item(0)])
    assert bytes(mime.data(MIME).data()).decode() == roof.id  # what a drag carries
    target = column(page, "Proposal").list
    first = target.visualItemRect(target.item(0))
    event = drop(target, roof.id, first.top() + 2)  # above Shed's middle: before it
    assert event.dropAction() == Qt.DropAction.IgnoreAction  # the board is read again
    wait_titles(qtbot, page, "Proposal", ["Roof", "Shed"])
    assert titles(page, "Lead") == ["Barn"]
    assert deals.get_deal(vault, roof.id).stage_name == "Proposal"
    # Within one column: dropped below the last card goes to the end.
    target = column(page, "Proposal").list
    drop(target, roof.id, target.visualItemRect(target.item(1)).bottom() - 2)
    wait_titles(qtbot, page, "Proposal", ["Shed", "Roof"])


def test_dropping_on_lost_asks_why_and_cancel_changes_nothing(qtbot, page, vault, acme):
    roof = add(vault, acme, "Roof")
    attach(qtbot, page, vault)
    answers = [None, "Too expensive"]
    asked = []
    page.ask_reason = lambda title, kind: (asked.append((title, kind)), answers.pop(0))[1]
    drop(column(page, "Lost").list, roof.id, 5)
    page.tasks.wait(WAIT)
    assert deals.get_deal(vault, roof.id).status == "open"
    drop(column(page, "Lost").list, roof.id, 5)
    wait_titles(qtbot, page, "Lost", ["Roof"])
    lost = deals.get_deal(vault, roof.id)
    assert (lost.status, lost.close_reason, lost.closed_on) == (
        "lost", "Too expensive", date.today())
    assert asked == [("Roof", "lost"), ("Roof", "lost")]


def test_keyboard_moves_between_cards_and_stages(qtbot, page, vault, acme):
    add(vault, acme, "Roof")
    add(vault, acme, "Barn")
    attach(qtbot, page, vault)
    lead = column(page, "Lead").list
    lead.setFocus()
    lead.setCurrentRow(0)
    QTest.keyClick(lead, Qt.Key.Key_Down)
    assert lead.current_card().title == "Barn"
    QTest.keyClick(lead, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    wait_titles(qtbot, page, "Qualified", ["Barn"])
    assert titles(page, "Lead") == ["Roof"]
    qualified = column(page, "Qualified").list
    qtbot.waitUntil(lambda: qualified.current_card() is not None, timeout=WAIT)
    assert qualified.current_card().title == "Barn"  # the card keeps the selection
    QTest.keyClick(qualified, Qt.Key.Key_Left)
    assert column(page, "Lead").list.hasFocus() or page.focusWidget() is column(
        page, "Lead").list
    QTest.keyClick(column(page, "Lead").list, Qt.Key.Key_Right,
                   Qt.KeyboardModifier.ControlModifier)
    wait_titles(qtbot, page, "Qualified", ["Roof", "Barn"])


def test_the_editor_checks_and_saves_a_new_deal(qtbot, page, vault, acme):
    attach(qtbot, page, vault)
    editor = page.new_deal()
    qtbot.waitUntil(lambda: editor.pipeline.count() == 1, timeout=WAIT)
    click(qtbot, editor.save_button)
    assert editor.error.text() == "Give the deal a title, such as what you hope to sell."
    editor.title.setText("Conservatory")
    click(qtbot, editor.save_button)
    assert editor.error.text() == "Choose a person or a company for the deal."
    editor.company.pick("organization", acme.id, "Acme Analytics")
    editor.value.setText("-10")
    click(qtbot, editor.save_button)
    assert "cannot be negative" in editor.error.text()
    editor.value.setText("12,500.50")
    editor.stage.setCurrentIndex(editor.stage.findText("Lost"))
    click(qtbot, editor.save_button)
    assert editor.error.text().startswith("Say why the deal was lost")
    editor.stage.setCurrentIndex(editor.stage.findText("Proposal"))
    editor.next_step.setText("Pay with 4111 1111 1111 1111")
    click(qtbot, editor.save_button)
    qtbot.waitUntil(lambda: "card number" in editor.error.text(), timeout=WAIT)
    editor.next_step.setText("Send drawings")
    click(qtbot, editor.save_button)
    wait_titles(qtbot, page, "Proposal", ["Conservatory"])
    saved = deals.list_deals(vault).rows[0]
    assert (saved.title, saved.value, saved.next_step) == (
        "Conservatory", deals.Decimal("12500.50"), "Send drawings")


def test_the_list_pages_by_key_and_filters(qtbot, page, vault, acme):
    for i in range(130):
        add(vault, acme, f"Deal {i:03d}", close=SOON + timedelta(days=i))
    lost = add(vault, acme, "Gone")
    deals.mark_lost(vault, lost.id, "No budget")
    attach(qtbot, page, vault)
    page.tabs.setCurrentWidget(page.list)
    model = page.list.model
    qtbot.waitUntil(lambda: model.rowCount() == 100, timeout=WAIT)
    assert model.canFetchMore()
    page.list.table.scrollToBottom()
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 131, timeout=WAIT)
    assert not model.canFetchMore()
    page.list.status.setCurrentIndex(page.list.status.findData("lost"))
    page.list.reload()
    qtbot.waitUntil(lambda: [r.title for r in model.rows] == ["Gone"], timeout=WAIT)
    assert model.index(0, 2).data() == "Lost (lost)"


def test_the_forecast_and_the_month_list(qtbot, page, vault, acme):
    today = date.today()
    add(vault, acme, "This month", "2000", close=today.replace(day=28 if today.day > 28
                                                                else today.day))
    attach(qtbot, page, vault)
    page.tabs.setCurrentWidget(page.forecast)
    table = page.forecast.table
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=WAIT)
    assert table.item(0, 3).text() == "€2,000.00" and table.item(0, 4).text() == "€200.00"
    page.show_closing_this_month()
    qtbot.waitUntil(lambda: [r.title for r in page.list.model.rows] == ["This month"],
                    timeout=WAIT)
    assert page.tabs.currentWidget() is page.list


def test_make_quote_asks_the_sales_page_to_open_it(qtbot, page, vault, acme):
    roof = add(vault, acme, "Roof", "900")
    attach(qtbot, page, vault)
    with qtbot.waitSignal(page.record_requested, timeout=WAIT) as signal:
        page.make_quote(roof.id)
    kind, quote_id = signal.args
    assert kind == "quote"
    assert deals.get_deal(vault, roof.id).quotes[0].id == quote_id
