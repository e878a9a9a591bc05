"""The "Pipelines and stages" dialog on a real vault, opened from the Deals page: a stage
added, renamed, given another probability, made a won stage, moved with the buttons and
with Alt+Up/Alt+Down, deleted (refused in the service's sentence while deals sit in it,
after a confirmation when empty), pipelines added and renamed, and the board behind the
dialog showing the new column order once it closes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from crasme_desktop.services import contacts, deals
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.services.deals import DealDraft
from crasme_desktop.ui.pages.deals import DealsPage
from crasme_desktop.ui.pipeline_dialog import PipelineDialog
from crasme_desktop.ui.tasks import TaskRunner
from PySide6.QtCore import QLocale, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from tests.support.clicks import click
from tests.support.sentences import assert_one_sentence

pytest_plugins = ("tests.support.records",)  # the `vault` fixture

WAIT = 20_000
USUAL = ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]


@pytest.fixture
def page(qtbot, vault):
    usual = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    crashes: list[BaseException] = []
    tasks = TaskRunner(report_crash=crashes.append)
    shown = DealsPage(tasks)
    tasks.changed.connect(shown.on_changed)
    qtbot.addWidget(shown)
    shown.resize(1400, 800)
    shown.show()
    shown.attach(vault)
    qtbot.waitUntil(lambda: len(shown.board.columns) == 6, timeout=WAIT)
    yield shown
    if shown.pipeline_dialog is not None:
        shown.pipeline_dialog.reject()
    tasks.invalidate()
    tasks.wait(10_000)
    QLocale.setDefault(usual)
    assert not crashes, crashes


@pytest.fixture
def dialog(qtbot, page) -> PipelineDialog:
    click(qtbot, page.stages_button)
    opened = page.pipeline_dialog
    assert opened is not None and opened.isVisible()
    qtbot.waitUntil(lambda: names(opened) == USUAL, timeout=WAIT)
    return opened


def names(dialog):
    table = dialog.table
    return [table.item(r, 0).text() for r in range(table.rowCount())]


def stored(vault, pipeline=0):
    return list(deals.list_pipelines(vault)[pipeline].stages)


def settle(qtbot, dialog):
    """Every write asked for has answered and the dialog shows the vault read after."""
    qtbot.waitUntil(dialog.settled, timeout=WAIT)


def choose(qtbot, dialog, name):
    """Click the stage's row, as a person would."""
    row = names(dialog).index(name)
    table = dialog.table
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.current_stage().name == name
    assert dialog.name.text() == name


def focusable(dialog):
    """What Tab stops at: the dialog's own controls (not the line edit inside a spin
    box or combo box)."""
    return [w for w in dialog.findChildren(QWidget)
            if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisibleTo(dialog)
            and not (w.parent() is not None and (w.parent().inherits("QAbstractSpinBox")
                                                 or w.parent().inherits("QComboBox")))]


def add_deal(vault, stage_id, title="Roof"):
    company = contacts.create_organization(vault, OrganizationDraft(name=f"{title} Ltd"))
    return deals.create_deal(vault, DealDraft(
        title=title, value="1000", currency="EUR", stage_id=stage_id,
        expected_close=date.today() + timedelta(days=10), organization_id=company.id))


def test_the_dialog_explains_itself_names_every_control_and_tabs_in_order(qtbot, page,
                                                                         dialog):
    assert dialog.windowTitle() == "Pipelines and stages"
    intro = dialog.findChild(object, "pipelineIntro").text()
    assert intro == "Each stage is a column on the board; changes here are saved as you make them."
    assert dialog.pipeline.currentText() == "Sales"
    assert [dialog.table.item(r, 1).text() for r in range(6)] == [
        "10 %", "25 %", "50 %", "75 %", "100 %", "0 %"]
    assert [dialog.table.item(r, 2).text() for r in range(6)] == [
        "Open", "Open", "Open", "Open", "Won", "Lost"]
    controls = focusable(dialog)
    unnamed = [w.objectName() for w in controls if not w.accessibleName()]
    assert not unnamed, unnamed
    # Tab goes left to right, top to bottom: pipeline row, the stages and their buttons,
    # the chosen stage's fields, the new stage, Close.
    chain, widget = [], dialog.pipeline
    while widget.objectName() not in chain:
        chain.append(widget.objectName())
        widget = widget.nextInFocusChain()
        while widget not in controls:
            widget = widget.nextInFocusChain()
    assert chain == ["pipelineChoice", "renamePipeline", "newPipeline", "stageTable",
                     "stageUp", "stageDown", "deleteStage", "stageName", "stageProbability",
                     "stageKind", "newStageName", "newStageProbability", "addStage",
                     "closePipelines"]
    assert len(controls) == len(chain)
    assert "Ctrl+Shift+P" in page.stages_button.toolTip()


def test_a_new_stage_goes_before_won_and_lost(qtbot, page, vault, dialog):
    QTest.keyClicks(dialog.new_name, "Site survey")
    dialog.new_probability.setValue(40)
    click(qtbot, dialog.add_button)
    qtbot.waitUntil(lambda: "Site survey" in names(dialog), timeout=WAIT)
    settle(qtbot, dialog)
    assert names(dialog)[4] == "Site survey"
    survey = stored(vault)[4]
    assert (survey.name, survey.probability, survey.kind) == ("Site survey", 40, "open")
    assert dialog.current_stage().id == survey.id  # the new stage is chosen
    assert dialog.new_name.text() == ""
    # The same name again: the service's sentence, nothing added.
    QTest.keyClicks(dialog.new_name, "site SURVEY")
    QTest.keyClick(dialog.new_name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert_one_sentence(dialog.error.text())
    assert "already has a stage called" in dialog.error.text()
    assert len(stored(vault)) == 7


def test_renaming_a_stage_and_setting_its_probability(qtbot, page, vault, dialog):
    choose(qtbot, dialog, "Qualified")
    dialog.name.setFocus()
    dialog.name.selectAll()
    QTest.keyClicks(dialog.name, "Site visit done")
    QTest.keyClick(dialog.name, Qt.Key.Key_Return)
    dialog.probability.setFocus()
    dialog.probability.setValue(35)
    QTest.keyClick(dialog.probability, Qt.Key.Key_Return)
    assert dialog.isVisible()  # Enter saves the field; no button is pressed
    settle(qtbot, dialog)
    second = stored(vault)[1]
    assert (second.name, second.probability) == ("Site visit done", 35)
    assert dialog.table.item(1, 0).text() == "Site visit done"
    assert dialog.table.item(1, 1).text() == "35 %"
    # The board behind the dialog follows.
    qtbot.waitUntil(lambda: [c.stage.name for c in page.board.columns][1]
                    == "Site visit done", timeout=WAIT)
    # A name another stage has is refused in one sentence; the old name comes back.
    dialog.name.selectAll()
    QTest.keyClicks(dialog.name, "lead")
    QTest.keyClick(dialog.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    settle(qtbot, dialog)
    assert_one_sentence(dialog.error.text())
    assert "already has a stage called “lead”" in dialog.error.text()
    assert stored(vault)[1].name == "Site visit done"
    assert dialog.name.text() == "Site visit done"


def test_what_is_typed_is_saved_when_another_stage_is_chosen_or_the_dialog_closes(
        qtbot, page, vault, dialog):
    choose(qtbot, dialog, "Proposal")
    dialog.probability.setValue(60)  # arrows only: the field is never left
    choose(qtbot, dialog, "Lead")
    dialog.name.setText("First call")
    click(qtbot, dialog.close_button)
    assert not dialog.isVisible()
    page.tasks.wait(WAIT)
    qtbot.waitUntil(lambda: stored(vault)[0].name == "First call",
                    timeout=WAIT)
    assert stored(vault)[2].probability == 60


def test_stages_move_with_buttons_and_alt_arrows_and_the_board_follows(qtbot, page, vault,
                                                                       dialog):
    choose(qtbot, dialog, "Lead")
    assert not dialog.up_button.isEnabled()  # already first
    click(qtbot, dialog.down_button)
    assert names(dialog)[:2] == ["Qualified", "Lead"]  # shown at once
    dialog.table.setFocus()
    QTest.keyClick(dialog.table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    QTest.keyClick(dialog.table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    choose(qtbot, dialog, "Won")
    QTest.keyClick(dialog.table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    expected = ["Qualified", "Proposal", "Negotiation", "Won", "Lead", "Lost"]
    assert names(dialog) == expected
    settle(qtbot, dialog)
    assert names(dialog) == expected
    assert [s.name for s in stored(vault)] == expected
    assert dialog.current_stage().name == "Won"  # the moved stage stays chosen
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: [c.stage.name for c in page.board.columns] == expected,
                    timeout=WAIT)


def test_a_stage_with_deals_is_not_deleted_and_the_service_says_why(qtbot, page, vault,
                                                                    dialog):
    lead = stored(vault)[0]
    add_deal(vault, lead.id, "Roof")
    add_deal(vault, lead.id, "Barn")
    dialog.reload()
    qtbot.waitUntil(lambda: dialog.table.item(0, 3).text() == "2", timeout=WAIT)
    asked = []
    dialog.confirm = lambda text: (asked.append(text), True)[1]
    choose(qtbot, dialog, "Lead")
    assert dialog.held.text() == "2 deals are in this stage."
    click(qtbot, dialog.delete_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    settle(qtbot, dialog)
    assert dialog.error.text() == ("The stage “Lead” still has 2 deals; move them to another "
                                   "stage first.")
    assert_one_sentence(dialog.error.text())
    assert asked == []  # nothing to confirm when it cannot go
    assert names(dialog) == USUAL
    assert [s.name for s in stored(vault)] == USUAL


def test_an_empty_stage_is_deleted_after_a_confirmation(qtbot, page, vault, dialog):
    answers = [False, True]
    asked = []
    dialog.confirm = lambda text: (asked.append(text), answers.pop(0))[1]
    choose(qtbot, dialog, "Proposal")
    click(qtbot, dialog.delete_button)  # "No"
    page.tasks.wait(WAIT)
    assert [s.name for s in stored(vault)] == USUAL
    click(qtbot, dialog.delete_button)  # "Yes"
    qtbot.waitUntil(lambda: "Proposal" not in names(dialog), timeout=WAIT)
    settle(qtbot, dialog)
    assert asked == ["Delete the stage “Proposal”? Deals can no longer be put in it."] * 2
    assert [s.name for s in stored(vault)] == ["Lead", "Qualified", "Negotiation", "Won",
                                               "Lost"]
    assert dialog.current_stage().name == "Negotiation"  # its neighbour is chosen
    qtbot.waitUntil(lambda: "Proposal" not in [c.stage.name for c in page.board.columns],
                    timeout=WAIT)


def test_a_stage_becomes_a_won_stage_only_while_it_is_empty(qtbot, page, vault, dialog):
    choose(qtbot, dialog, "Negotiation")
    dialog.kind.setFocus()
    QTest.keyClick(dialog.kind, Qt.Key.Key_Down)  # Open -> Won
    settle(qtbot, dialog)
    fourth = stored(vault)[3]
    assert (fourth.kind, fourth.probability) == ("won", 100)
    assert dialog.table.item(3, 2).text() == "Won"
    assert not dialog.probability.isEnabled()  # won counts 100 %
    add_deal(vault, stored(vault)[2].id)  # a deal in Proposal
    choose(qtbot, dialog, "Proposal")
    dialog.kind.setFocus()
    QTest.keyClick(dialog.kind, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    settle(qtbot, dialog)
    assert "still has 1 deal; move it to another stage" in dialog.error.text()
    assert_one_sentence(dialog.error.text())
    assert stored(vault)[2].kind == "open"
    assert dialog.kind.currentData() == "open"  # the form shows what is stored


def test_pipelines_are_added_and_renamed(qtbot, page, vault, dialog):
    dialog.ask_name = lambda title, question, current: "Renovations"
    click(qtbot, dialog.new_pipeline_button)
    qtbot.waitUntil(lambda: dialog.pipeline.currentText() == "Renovations", timeout=WAIT)
    settle(qtbot, dialog)
    assert names(dialog) == USUAL  # the usual stages to start from
    assert [p.name for p in deals.list_pipelines(vault)] == ["Sales", "Renovations"]
    QTest.keyClicks(dialog.new_name, "Permit")
    click(qtbot, dialog.add_button)
    qtbot.waitUntil(lambda: "Permit" in names(dialog), timeout=WAIT)
    assert "Permit" in [s.name for s in stored(vault, 1)]
    assert "Permit" not in [s.name for s in stored(vault, 0)]
    questions = []
    dialog.ask_name = lambda title, question, current: (questions.append(current),
                                                        "Repairs")[1]
    click(qtbot, dialog.rename_button)
    qtbot.waitUntil(lambda: dialog.pipeline.currentText() == "Repairs", timeout=WAIT)
    assert questions == ["Renovations"]
    assert [p.name for p in deals.list_pipelines(vault)] == ["Sales", "Repairs"]
    # A name another pipeline has: the service's sentence.
    dialog.ask_name = lambda title, question, current: "sales"
    click(qtbot, dialog.rename_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert_one_sentence(dialog.error.text())
    assert "already a pipeline called" in dialog.error.text()
    # The page's pipeline choice learns the new names.
    qtbot.waitUntil(lambda: [page.pipeline.itemText(i) for i in range(page.pipeline.count())]
                    == ["Sales", "Repairs"], timeout=WAIT)


def test_the_page_closes_the_dialog_on_lock(qtbot, page, vault, dialog):
    page.clear()
    assert not dialog.isVisible()
    assert page.pipeline_dialog is None


def test_board_cards_tell_their_probability_in_the_tooltip(qtbot, page, vault):
    """Seen on the screenshots: a long amount ran into the probability beside it; the
    card now leaves the percent out when it does not fit, and the tooltip has it."""
    add_deal(vault, stored(vault)[1].id, "Roof")
    page.refresh()
    qtbot.waitUntil(lambda: page.board.columns[1].list.count() == 1, timeout=WAIT)
    tip = page.board.columns[1].list.item(0).toolTip().splitlines()
    assert tip == ["Roof", "Roof Ltd", "Probability 25 %"]
    spoken = page.board.columns[1].list.item(0).data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken == "Roof, Roof Ltd, €1,000.00, 25 %"
