"""The merge dialog: two people (or two companies) side by side, one choice per field.

It loads both records through the task runner, shows one row of radio buttons for
each single field on which they differ (preset to the fuller, else the newer value;
notes can keep both), lists what will be united (emails, phones, addresses, tags,
timeline entries, attachments, a company's people), and lets the person swap which
record is kept. Merge runs the service as a write; the dialog then says the merge is
done and offers Undo, which stays possible from the record's page for 30 days.

Everything works from the keyboard: Tab moves between the rows, the arrow keys pick
within a row, Alt+S swaps, Enter merges, Esc closes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.duplicates_panel import WRITES
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.permission_gate import first_denial
from crasme_desktop.ui.tasks import TaskRunner

UNDO_DAYS = 30
_VALUE_CHARS = 80
_WHAT = {"person": ("person", "people"), "organization": ("company", "companies")}


def _short(value: str) -> str:
    text = " ".join(value.split())
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 1] + "…"


def _head(title: str, created: datetime) -> str:
    day = QLocale().toString(created.astimezone().date(), QLocale.FormatType.ShortFormat)
    return f"{title}\nadded {day}"


def _number(n: int) -> str:
    return QLocale().toString(n)


class MergeDialog(QDialog):
    """Merge `other_id` into `keep_id` (both of `kind`: "person" or "organization")."""

    #: (merge_id) once the merge is saved.
    merged = Signal(str)
    #: (merge_id) once it was undone from this dialog.
    undone = Signal(str)

    def __init__(
        self,
        tasks: TaskRunner,
        vault: Any,
        kind: str,
        keep_id: str,
        other_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if kind not in _WHAT:
            raise ValueError(f"cannot merge records of kind {kind!r}")
        self.setObjectName("mergeDialog")
        self.tasks, self.vault, self.kind = tasks, vault, kind
        self.keep_id, self.other_id = keep_id, other_id
        self.preview: Any = None
        self.outcome: Any = None
        self.groups: dict[str, QButtonGroup] = {}
        self._loading_ticket = 0
        what, many = _WHAT[kind]
        self.setWindowTitle(f"Merge two {many}")
        self.setModal(True)
        self.setMinimumWidth(640)

        self.heading = label("", "title")
        self.heading.setObjectName("mergeHeading")
        self.intro = label("", "hint")
        self.error = label("", "error")
        self.error.setObjectName("mergeError")
        self.error.hide()

        self.stack = QStackedWidget()
        self.loading = label(f"Loading both {many}…", "hint")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.choose_page = QScrollArea()
        self.choose_page.setWidgetResizable(True)
        self.choose_page.setFrameShape(QFrame.Shape.NoFrame)
        self.choose_page.viewport().setAutoFillBackground(False)
        self.done_text = label("", "notice")
        self.done_text.setObjectName("mergeDone")
        done_page = QWidget()
        done_box = QVBoxLayout(done_page)
        done_box.addWidget(self.done_text)
        done_box.addStretch(1)
        for page in (self.loading, self.choose_page, done_page):
            self.stack.addWidget(page)
        self.done_page = done_page

        self.swap_button = QPushButton("&Swap")
        self.swap_button.setObjectName("mergeSwap")
        self.swap_button.setToolTip(f"Keep the other {what} instead")
        self.swap_button.clicked.connect(self.swap)
        self.merge_button = QPushButton("&Merge")
        self.merge_button.setObjectName("mergeConfirm")
        self.merge_button.setProperty("primary", True)
        self.merge_button.setDefault(True)
        self.merge_button.clicked.connect(self.merge)
        self.undo_button = QPushButton("&Undo merge")
        self.undo_button.setObjectName("mergeUndo")
        self.undo_button.clicked.connect(self.undo)
        self.close_button = QPushButton("Cancel")
        self.close_button.setObjectName("mergeClose")
        self.close_button.clicked.connect(self.reject)
        self.buttons = QDialogButtonBox()
        self.buttons.addButton(self.swap_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.undo_button.hide()
        # Enter merges (or, once merged, closes); no other button takes that over on focus.
        for button in (self.swap_button, self.undo_button, self.close_button):
            button.setAutoDefault(False)

        box = QVBoxLayout(self)
        box.setSpacing(10)
        box.addWidget(self.heading)
        box.addWidget(self.intro)
        box.addWidget(self.stack, 1)
        box.addWidget(self.error)
        box.addWidget(self.buttons)
        self._load()

    # -- loading ------------------------------------------------------------------------
    def _load(self) -> None:
        self._loading_ticket += 1
        ticket = self._loading_ticket
        self.preview = None
        self.heading.setText(f"Merge two {_WHAT[self.kind][1]}")
        self.intro.setText("")
        self.stack.setCurrentWidget(self.loading)
        self._set_busy(True)
        self.tasks.submit(
            service("merge.merge_preview"), self.vault, self.kind, self.keep_id, self.other_id,
            on_done=lambda preview: self._loaded(ticket, preview),
            on_error=lambda error: self._load_failed(ticket, error),
        )

    def _loaded(self, ticket: int, preview: Any) -> None:
        if ticket != self._loading_ticket:
            return
        self.preview = preview
        if preview.keep_title == preview.other_title:
            self.heading.setText(f"Merge two records of {preview.keep_title}")
        else:
            self.heading.setText(f"Merge {preview.other_title} into {preview.keep_title}")
        self.intro.setText(
            "The record on the left is kept; the one on the right is removed, and everything "
            "it holds moves over. Where the two differ, choose the value to keep."
        )
        old = self.choose_page.takeWidget()
        if old is not None:
            old.deleteLater()
        self.choose_page.setWidget(self._choices_widget(preview))
        self.stack.setCurrentWidget(self.choose_page)
        self._set_busy(False)
        self.merge_button.setDefault(True)
        first = next(iter(self.groups.values()), None)
        target = first.checkedButton() if first is not None else self.merge_button
        (target or self.merge_button).setFocus()

    def _load_failed(self, ticket: int, error: UserError) -> None:
        if ticket != self._loading_ticket:
            return
        self._show_error(error)
        self.loading.setText("")
        self.merge_button.setEnabled(False)
        self.swap_button.setEnabled(False)
        self.close_button.setText("Close")
        self.close_button.setEnabled(True)

    def _choices_widget(self, preview: Any) -> QWidget:
        body = QWidget()
        body.setObjectName("mergeChoices")
        body.setAutoFillBackground(False)
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(12)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(8)
        grid.addWidget(label("Keep", "section"), 0, 1)
        grid.addWidget(label("Merge into it", "section"), 0, 2)
        keep_head = label(_head(preview.keep_title, preview.keep_created), "")
        keep_head.setObjectName("mergeKeepTitle")
        other_head = label(_head(preview.other_title, preview.other_created), "")
        other_head.setObjectName("mergeOtherTitle")
        grid.addWidget(keep_head, 1, 1)
        grid.addWidget(other_head, 1, 2)
        self.groups = {}
        for row, field in enumerate(preview.fields, start=2):
            grid.addWidget(label(field.label, "hint"), row, 0)
            group = QButtonGroup(body)
            group.setObjectName(f"choice_{field.name}")
            options = [("keep", field.keep_value, 1), ("other", field.other_value, 2)]
            if field.allows_both:
                options.append(("both", "Both", 3))
            for side, value, col in options:
                shown = _short(value) if value else "(empty)"
                button = QRadioButton(shown)
                button.setObjectName(f"{field.name}_{side}")
                button.setProperty("side", side)
                if value and value != shown:
                    button.setToolTip(value)
                group.addButton(button)
                grid.addWidget(button, row, col, Qt.AlignmentFlag.AlignLeft)
                button.setChecked(side == field.default)
            self.groups[field.name] = group
        if not preview.fields:
            grid.addWidget(label("Every single field is the same in both.", "hint"),
                           2, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        column.addLayout(grid)
        if preview.same:
            same = "; ".join(f"{name}: {_short(value)}" for name, value in preview.same)
            same_label = label(f"The same in both — {same}.", "hint")
            same_label.setObjectName("mergeSame")
            column.addWidget(same_label)
        column.addWidget(label("United in the kept record", "section"))
        united = label("\n".join(self._united_line(u) for u in preview.united), "")
        united.setObjectName("mergeUnited")
        united.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(united)
        column.addStretch(1)
        return body

    @staticmethod
    def _united_line(line: Any) -> str:
        counts = f"{_number(line.total)}"
        if line.keep_count and line.other_count:
            counts += f" ({_number(line.keep_count)} + {_number(line.other_count)})"
        items = [i for i in line.items if i]
        if items:
            listed = ", ".join(_short(i) for i in items[:6])
            more = len(items) - 6
            if more > 0:
                listed += f" and {_number(more)} more"
            return f"{line.label}: {counts} — {listed}"
        return f"{line.label}: {counts}"

    # -- actions --------------------------------------------------------------------------
    def choices(self) -> dict[str, str]:
        """The side picked for each differing field ("keep", "other" or "both")."""
        out = {}
        for name, group in self.groups.items():
            checked = group.checkedButton()
            if checked is not None:
                out[name] = str(checked.property("side"))
        return out

    def swap(self) -> None:
        """Keep the other record instead (reloads both, so defaults follow)."""
        if self.outcome is not None:
            return
        self.keep_id, self.other_id = self.other_id, self.keep_id
        self._clear_error()
        self._load()

    def refusal(self) -> str | None:
        """Why this user may not merge (a merge edits one record and deletes the other)."""
        area = "contacts" if self.kind == "person" else "companies"
        return first_denial(self.vault, (f"{area}.edit", f"{area}.delete"))

    def merge(self) -> None:
        if self.preview is None or self.outcome is not None or self.refusal():
            return
        self._clear_error()
        self._set_busy(True)
        self.intro.setText("Merging…")
        self.tasks.submit(
            service("merge.merge_records"), self.vault, self.kind, self.keep_id, self.other_id,
            self.choices(),
            writes=WRITES[self.kind],
            on_done=self._merged,
            on_error=self._merge_failed,
        )

    def _merged(self, outcome: Any) -> None:
        self.outcome = outcome
        where = "person's" if self.kind == "person" else "company's"
        self.heading.setText("Merged")
        self.intro.setText("")
        self.done_text.setText(
            f"{self.preview.other_title} was merged into {outcome.title}. You can undo this "
            f"here, or from the {where} page for {UNDO_DAYS} days."
        )
        self.stack.setCurrentWidget(self.done_page)
        self.swap_button.hide()
        self.merge_button.hide()
        self.undo_button.show()
        self.undo_button.setEnabled(True)
        self.close_button.setText("Close")
        self.close_button.setEnabled(True)
        self.merge_button.setDefault(False)
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.merged.emit(outcome.merge_id)

    def _merge_failed(self, error: UserError) -> None:
        self._set_busy(False)
        self.intro.setText("")
        self._show_error(error)

    def undo(self) -> None:
        if self.outcome is None or self.refusal():
            return
        self._clear_error()
        self.undo_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.tasks.submit(
            service("merge.undo_merge"), self.vault, self.outcome.merge_id,
            writes=WRITES[self.kind],
            on_done=self._undone,
            on_error=self._undo_failed,
        )

    def _undone(self, _result: Any) -> None:
        merge_id = self.outcome.merge_id
        self.heading.setText("Merge undone")
        self.done_text.setText(
            f"{self.preview.keep_title} and {self.preview.other_title} are back as they were."
        )
        self.undo_button.hide()
        self.close_button.setEnabled(True)
        self.close_button.setFocus()
        self.undone.emit(merge_id)

    def _undo_failed(self, error: UserError) -> None:
        self._show_error(error)
        self.undo_button.setEnabled(True)
        self.close_button.setEnabled(True)

    # -- bits ---------------------------------------------------------------------------
    def _set_busy(self, busy: bool) -> None:
        refusal = self.refusal()
        self.merge_button.setEnabled(not busy and refusal is None)
        if refusal is not None:
            self.merge_button.setToolTip(refusal)
        self.swap_button.setEnabled(not busy)
        self.close_button.setEnabled(True)

    def _show_error(self, error: UserError) -> None:
        self.error.setText(error.message)
        self.error.show()

    def _clear_error(self) -> None:
        self.error.setText("")
        self.error.hide()


__all__ = ["MergeDialog"]
