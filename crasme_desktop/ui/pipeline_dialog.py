"""The "Pipelines and stages" dialog of the Deals page.

Pick a pipeline, add one or rename it; in the chosen pipeline add a stage, rename it,
set its default probability (the percent a deal in it counts with unless the deal has
its own), make it an open, won or lost stage, move it up or down (buttons, or Alt+Up
and Alt+Down in the list), and delete it after a confirmation. Every change is saved as
it is made, so there is nothing to apply: a stage's name and probability are saved when
the field is left (Tab, Enter, another stage chosen, or the dialog closed).

The rules are the service's (`services.deals`): a stage that still holds deals cannot
be deleted or change its kind, a pipeline keeps one open stage, names are unique. Its
sentence appears above the buttons. Reading and writing run on the task runner; each
write names the "deals" area, so the board behind the dialog redraws itself.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.permission_gate import allowed, gate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import FieldError, line_edit, push_button, select_rows

WRITES = {"deals"}
KINDS = (("open", "Open"), ("won", "Won"), ("lost", "Lost"))
KIND_WORDS = dict(KINDS)
STAGE_COLUMNS = ("Stage", "Default probability", "Kind", "Deals")
ID_ROLE = Qt.ItemDataRole.UserRole + 1
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def load_pipelines(vault: Any) -> tuple[list[Any], dict[str, int]]:
    """Worker job: every pipeline with its stages, and how many deals each stage holds."""
    return (list(service("deals.list_pipelines")(vault)),
            service("deals.stage_deal_counts")(vault))


def percent_box(name: str, accessible: str) -> QSpinBox:
    box = QSpinBox()
    box.setObjectName(name)
    box.setRange(0, 100)
    box.setSuffix(" %")
    box.setAccessibleName(accessible)
    box.setKeyboardTracking(False)
    box.setFixedWidth(box.fontMetrics().horizontalAdvance("100 %") + 48)
    return box


def ask_name(parent: QWidget, title: str, question: str, current: str) -> str | None:
    """The name typed, or None when the person cancelled."""
    text, ok = QInputDialog.getText(parent, title, question, QLineEdit.EchoMode.Normal,
                                    current)
    return text if ok else None


class StageTable(QTableWidget):
    """The pipeline's stages in order; Alt+Up and Alt+Down move the chosen one."""

    def __init__(self, dialog: PipelineDialog) -> None:
        super().__init__(0, len(STAGE_COLUMNS))
        self.dialog = dialog
        self.setObjectName("stageTable")
        self.setAccessibleName("Stages of the pipeline, in order")
        self.setHorizontalHeaderLabels(list(STAGE_COLUMNS))
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(30)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        select_rows(self)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(STAGE_COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if alt and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.dialog.move_stage(-1 if event.key() == Qt.Key.Key_Up else 1)
            event.accept()
            return
        super().keyPressEvent(event)


class PipelineDialog(QDialog):
    """Pipelines and their stages, changed one step at a time through the service."""

    def __init__(self, tasks: TaskRunner, vault: Any, parent: QWidget | None = None, *,
                 pipeline_id: str = "") -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.vault = vault
        self.pipelines: list[Any] = []
        self.stages: list[Any] = []  # the chosen pipeline's, as shown
        self.counts: dict[str, int] = {}
        self._want_pipeline = pipeline_id
        self._want_stage = ""
        self._form_stage = ""  # the stage whose fields the form shows
        self._writes = 0  # writes asked for and not yet answered
        self._generation = 0
        self.shown_generation = 0  # the read now on screen
        self.ask_name = lambda title, question, current: ask_name(self, title, question,
                                                                  current)
        self.confirm = self._confirm
        self.setObjectName("pipelineDialog")
        self.setWindowTitle("Pipelines and stages")
        self.setMinimumSize(720, 460)

        intro = label("Each stage is a column on the board; changes here are saved as you "
                      "make them.", "description")
        intro.setObjectName("pipelineIntro")

        self.pipeline = QComboBox()
        self.pipeline.setObjectName("pipelineChoice")
        self.pipeline.setAccessibleName("Pipeline")
        self.pipeline.setMinimumWidth(200)
        self.pipeline.activated.connect(lambda _i: self._pipeline_chosen())
        # No button is a default one: Enter in a field saves that field, nothing else.
        self.rename_button = push_button("Rename…", "renamePipeline", self.rename_pipeline,
                                         tip="Give this pipeline another name",
                                         auto_default=False)
        self.rename_button.setAccessibleName("Rename pipeline")
        self.new_pipeline_button = push_button("New pipeline…", "newPipeline",
                                               self.new_pipeline, auto_default=False,
                                               tip="Add a pipeline with the usual stages")
        self.new_pipeline_button.setAccessibleName("New pipeline")
        top = QHBoxLayout()
        pipeline_label = QLabel("&Pipeline")
        pipeline_label.setBuddy(self.pipeline)
        top.addWidget(pipeline_label)
        top.addWidget(self.pipeline, 1)
        top.addWidget(self.rename_button)
        top.addWidget(self.new_pipeline_button)

        self.table = StageTable(self)
        self.table.itemSelectionChanged.connect(self._stage_chosen)
        self.up_button = push_button("Move up", "stageUp", lambda: self.move_stage(-1),
                                     tip="Move the stage one place to the left on the "
                                     "board (Alt+Up in the list)", auto_default=False)
        self.up_button.setAccessibleName("Move stage up")
        self.down_button = push_button("Move down", "stageDown", lambda: self.move_stage(1),
                                       tip="Move the stage one place to the right on the "
                                       "board (Alt+Down in the list)", auto_default=False)
        self.down_button.setAccessibleName("Move stage down")
        self.delete_button = push_button("Delete stage…", "deleteStage", self.delete_stage,
                                         auto_default=False,
                                         tip="Delete the stage (only when it holds no "
                                         "deals)")
        self.delete_button.setAccessibleName("Delete stage")
        moves = QHBoxLayout()
        moves.addWidget(self.up_button)
        moves.addWidget(self.down_button)
        moves.addStretch(1)
        moves.addWidget(self.delete_button)
        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        left.addLayout(moves)

        self.name = line_edit("stageName", "The stage's name", accessible="Stage name")
        self.name.editingFinished.connect(self.save_stage)
        self.probability = percent_box("stageProbability", "Default probability in percent")
        self.probability.setToolTip("The chance of winning a deal in this stage, unless the "
                                    "deal has its own")
        self.probability.editingFinished.connect(self.save_stage)
        self.kind = QComboBox()
        self.kind.setObjectName("stageKind")
        self.kind.setAccessibleName("Kind of stage: open, won or lost")
        self.kind.setToolTip("Deals moved into a won or lost stage are closed; won deals "
                             "count 100 %, lost ones 0 %")
        for value, text in KINDS:
            self.kind.addItem(text, value)
        self.kind.activated.connect(lambda _i: self.change_kind())
        self.held = label("", "hint")
        self.held.setObjectName("stageDeals")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Default probability", self.probability)
        form.addRow("Kind", self.kind)
        form.addRow("", self.held)
        self.stage_form = QWidget()
        self.stage_form.setObjectName("stageForm")
        self.stage_form.setLayout(form)
        self.stage_form.setMinimumWidth(280)

        self.new_name = line_edit("newStageName", "New stage's name",
                                  accessible="New stage's name")
        self.new_name.returnPressed.connect(self.add_stage)
        self.new_probability = percent_box("newStageProbability",
                                           "New stage's default probability in percent")
        self.new_probability.setValue(50)
        self.add_button = push_button("Add stage", "addStage", self.add_stage,
                                      auto_default=False,
                                      tip="Add the stage before the won and lost stages")
        self.add_button.setAccessibleName("Add stage")
        adding = QHBoxLayout()
        adding.addWidget(self.new_name, 1)
        adding.addWidget(self.new_probability)
        adding.addWidget(self.add_button)
        right = QVBoxLayout()
        right.addWidget(label("Chosen stage", "section"))
        right.addWidget(self.stage_form)
        right.addStretch(1)
        right.addWidget(label("New stage", "section"))
        right.addLayout(adding)

        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addSpacing(12)
        body.addLayout(right, 1)

        self.error = FieldError("pipelineDialogError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("closePipelines")
        self.close_button.setAccessibleName("Close")
        self.close_button.setAutoDefault(False)
        self.close_button.setDefault(False)
        self.buttons.rejected.connect(self.reject)

        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addLayout(top)
        box.addLayout(body, 1)
        box.addWidget(self.error)
        box.addWidget(self.buttons)
        order = (self.pipeline, self.rename_button, self.new_pipeline_button, self.table,
                 self.up_button, self.down_button, self.delete_button, self.name,
                 self.probability, self.kind, self.new_name, self.new_probability,
                 self.add_button, self.close_button)
        for before, after in pairwise(order):
            self.setTabOrder(before, after)
        self._show_stage(None)
        self.resize(820, 520)
        self.reload()

    # -- reading ---------------------------------------------------------------------------
    def reload(self) -> None:
        if self.vault is None:
            return
        self._generation += 1
        generation = self._generation
        self.tasks.submit(load_pipelines, self.vault,
                          on_done=lambda result: self._arrived(generation, *result),
                          on_error=self.show_error)

    def _arrived(self, generation: int, pipelines: list[Any], counts: dict[str, int]) -> None:
        if generation != self._generation or self._writes:
            return  # a newer read, or a write whose answer reads again, is on its way
        self.pipelines, self.counts = pipelines, counts
        self.shown_generation = generation
        chosen = self._want_pipeline or self.pipeline_id()
        self.pipeline.blockSignals(True)
        self.pipeline.clear()
        for p in pipelines:
            self.pipeline.addItem(p.name, p.id)
        index = self.pipeline.findData(chosen)
        if index < 0:
            index = next((n for n, p in enumerate(pipelines) if p.is_default), 0)
        self.pipeline.setCurrentIndex(index)
        self.pipeline.blockSignals(False)
        self._want_pipeline = ""
        self._show_pipeline()

    def pipeline_id(self) -> str:
        return self.pipeline.currentData() or ""

    def settled(self) -> bool:
        """No write is waiting for its answer and the latest read is on screen."""
        return not self._writes and self.shown_generation == self._generation

    def current(self) -> Any:
        """The chosen pipeline's record."""
        return next((p for p in self.pipelines if p.id == self.pipeline_id()), None)

    def current_stage(self) -> Any:
        row = self.table.currentRow()
        return self.stages[row] if 0 <= row < len(self.stages) else None

    def _show_pipeline(self) -> None:
        pipeline = self.current()
        self.stages = list(pipeline.stages) if pipeline is not None else []
        keep = self._want_stage or self._form_stage
        self._want_stage = ""
        self._fill_table(keep)

    def _fill_table(self, select_id: str) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.stages))
        for row, st in enumerate(self.stages):
            count = self.counts.get(st.id, 0)
            cells = (st.name, f"{st.probability} %", KIND_WORDS.get(st.kind, st.kind),
                     QLocale().toString(count))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, st.id)
                if column in (1, 3):
                    item.setTextAlignment(_RIGHT)
                self.table.setItem(row, column, item)
        row = next((n for n, st in enumerate(self.stages) if st.id == select_id), 0)
        if self.stages:
            self.table.setCurrentCell(row, 0)
        self.table.blockSignals(False)
        self._show_stage(self.current_stage())

    def _show_stage(self, st: Any) -> None:
        self._form_stage = st.id if st is not None else ""
        has = st is not None
        for widget in (self.stage_form, self.up_button, self.down_button,
                       self.delete_button):
            widget.setEnabled(has)
        if has and not allowed(self.vault, "deals.delete"):
            gate(self.delete_button, self.vault, "deals.delete")
        self.rename_button.setEnabled(self.current() is not None)
        if not has:
            self.name.clear()
            self.held.clear()
            return
        row = self.stages.index(st)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(row < len(self.stages) - 1)
        self.name.setText(st.name)
        self.probability.setValue(st.probability)
        self.probability.setEnabled(st.kind == "open")
        self.kind.setCurrentIndex(max(self.kind.findData(st.kind), 0))
        count = self.counts.get(st.id, 0)
        self.held.setText("No deals are in this stage." if not count else
                          f"{QLocale().toString(count)} {'deal is' if count == 1 else 'deals are'}"
                          " in this stage.")

    def _stage_chosen(self) -> None:
        self.save_stage()
        self._show_stage(self.current_stage())

    def _pipeline_chosen(self) -> None:
        self.save_stage()
        self.error.clear_message()
        self._form_stage = ""
        self._show_pipeline()

    # -- writing ---------------------------------------------------------------------------
    def _write(self, call: str, /, *args: Any, on_done: Any = None, **kwargs: Any) -> None:
        """One service call that changes deals; the dialog reads again once the last
        write asked for has answered."""
        if not allowed(self.vault, "deals.edit"):
            return
        self.error.clear_message()
        self._writes += 1

        def done(result: Any) -> None:
            self._writes -= 1
            if on_done is not None:
                on_done(result)
            if not self._writes:
                self.reload()

        def failed(error: UserError) -> None:
            self._writes -= 1
            self.show_error(error)
            if not self._writes:
                self.reload()

        self.tasks.submit(service(f"deals.{call}"), self.vault, *args, writes=WRITES,
                          on_done=done, on_error=failed, **kwargs)

    def save_stage(self) -> None:
        """Save the form's name and probability when they differ from the stage's."""
        st = next((s for s in self.stages if s.id == self._form_stage), None)
        if st is None or self.vault is None:
            return
        changes: dict[str, Any] = {}
        name = self.name.text().strip()
        if name != st.name:
            changes["name"] = name
        if st.kind == "open" and self.probability.value() != st.probability:
            changes["probability"] = self.probability.value()
        if not changes:
            return
        # Shown at once, so that leaving the field twice does not save twice.
        self._replace(replace(st, **changes))
        self._write("update_stage", st.id, **changes)

    def change_kind(self) -> None:
        st = self.current_stage()
        kind = self.kind.currentData()
        if st is None or kind == st.kind:
            return
        self.save_stage()
        self._want_stage = st.id
        self._write("update_stage", st.id, kind=kind)

    def move_stage(self, step: int) -> None:
        st = self.current_stage()
        pipeline = self.current()
        if st is None or pipeline is None:
            return
        row = self.stages.index(st)
        target = row + step
        if not 0 <= target < len(self.stages):
            return
        self.save_stage()
        self.stages.insert(target, self.stages.pop(row))
        self._fill_table(st.id)
        self.table.setFocus()
        self._want_stage = st.id
        self._write("reorder_stages", pipeline.id, [s.id for s in self.stages])

    def delete_stage(self) -> None:
        st = self.current_stage()
        if st is None or not allowed(self.vault, "deals.delete"):
            return
        self.save_stage()
        # A stage that still holds deals is refused by the service, in its own words;
        # there is nothing to confirm then.
        if not self.counts.get(st.id) and not self.confirm(
                f"Delete the stage “{st.name}”? Deals can no longer be put in it."):
            return
        row = self.stages.index(st)
        neighbour = self.stages[row + 1] if row + 1 < len(self.stages) else (
            self.stages[row - 1] if row else None)
        self._want_stage = neighbour.id if neighbour is not None else ""
        self._write("delete_stage", st.id)

    def add_stage(self) -> None:
        pipeline = self.current()
        if pipeline is None:
            return
        self.save_stage()
        name = self.new_name.text()

        def added(record: Any) -> None:
            self._want_stage = record.id
            self.new_name.clear()

        self._write("add_stage", pipeline.id, name, self.new_probability.value(),
                    on_done=added)

    def new_pipeline(self) -> None:
        name = self.ask_name("New pipeline", "Name of the new pipeline:", "")
        if name is None:
            return
        self.save_stage()

        def added(record: Any) -> None:
            self._want_pipeline = record.id
            self._form_stage = ""

        self._write("add_pipeline", name, on_done=added)

    def rename_pipeline(self) -> None:
        pipeline = self.current()
        if pipeline is None:
            return
        name = self.ask_name("Rename pipeline", "New name for the pipeline:", pipeline.name)
        if name is None or name.strip() == pipeline.name:
            return
        self._want_pipeline = pipeline.id
        self._write("rename_pipeline", pipeline.id, name)

    def _replace(self, record: Any) -> None:
        self.stages = [record if s.id == record.id else s for s in self.stages]
        row = self.stages.index(record)
        self.table.item(row, 0).setText(record.name)
        self.table.item(row, 1).setText(f"{record.probability} %")

    # -- showing -----------------------------------------------------------------------------
    def show_error(self, error: UserError) -> None:
        self.error.show_message(error.message)

    def done(self, result: int) -> None:
        self.save_stage()  # a name or percent typed and not yet left
        super().done(result)

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, APP_NAME, text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes
