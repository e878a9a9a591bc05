"""Possible duplicates of one person or company, for a detail pane.

Lists the records that may be the same one (with why: "same email …", "similar name
at …"), each with a "Merge…" button that asks the page to open the merge dialog, and
below them the merges into this record that can still be undone, each with "Undo".
Loading runs through the task runner; only the answer for the record shown last is
used, so quickly stepping through a list never shows another record's duplicates.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.permission_gate import first_denial, gate
from crasme_desktop.ui.tasks import TaskRunner

KINDS = ("person", "organization")
_DUPLICATES = {"person": "duplicates.duplicate_people",
               "organization": "duplicates.duplicate_organizations"}
#: The areas a merge (or its undo) of each kind changes; people move with companies.
WRITES = {"person": frozenset({"contacts"}),
          "organization": frozenset({"organizations", "contacts"})}


class DuplicatesPanel(QWidget):
    """Possible duplicates of the record shown, and its recent merges."""

    #: (kind, keep_id, other_id): the person asked to merge `other_id` into the shown one.
    merge_requested = Signal(str, str, str)
    #: (kind, merge_id) after a merge into the shown record was undone here.
    merge_undone = Signal(str, str)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None, *,
                 kind: str = "person") -> None:
        super().__init__(parent)
        self.setObjectName("duplicatesPanel")
        self.tasks = tasks
        self.default_kind = kind
        self.vault: Any = None
        self.kind = kind
        self.record_id = ""
        self.matches: list[Any] = []
        self.merges: list[Any] = []
        self._ticket = 0
        self.status = label("", "hint")
        self.status.setObjectName("duplicatesStatus")
        self.rows = QVBoxLayout()
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(6)
        self.undo_rows = QVBoxLayout()
        self.undo_rows.setContentsMargins(0, 0, 0, 0)
        self.undo_rows.setSpacing(6)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        box.addWidget(self.status)
        box.addLayout(self.rows)
        box.addLayout(self.undo_rows)

    # -- what the embedding pane calls ----------------------------------------------------
    def show_for(self, vault: Any, kind: str, record_id: str) -> None:
        """Look up the duplicates and undoable merges of this record (off the GUI thread)."""
        if kind not in KINDS:
            raise ValueError(f"no duplicates for records of kind {kind!r}")
        self._reset()
        self.vault, self.kind, self.record_id = vault, kind, record_id
        self.status.setText("Looking for possible duplicates…")
        ticket = self._ticket
        self.tasks.submit(
            service(_DUPLICATES[kind]), vault, record_id,
            on_done=lambda found: self._found(ticket, found),
            on_error=lambda error: self._failed(ticket, error),
        )
        self.tasks.submit(
            service("merge.list_merges"), vault, kind, record_id,
            on_done=lambda merges: self._merges_found(ticket, merges),
            on_error=lambda error: self._failed(ticket, error),
        )

    def show_record(self, vault: Any, record_id: str) -> None:
        """`show_for` with the kind this panel was made for."""
        self.show_for(vault, self.default_kind, record_id)

    def clear(self) -> None:
        """Forget the record and everything read about it (on lock or when nothing is shown)."""
        self._reset()
        self.vault, self.record_id = None, ""
        self.status.setText("")

    def refresh(self) -> None:
        if self.vault is not None and self.record_id:
            self.show_for(self.vault, self.kind, self.record_id)

    # -- answers --------------------------------------------------------------------------
    def _reset(self) -> None:
        self._ticket += 1
        self.matches, self.merges = [], []
        for layout in (self.rows, self.undo_rows):
            while layout.count():
                item = layout.takeAt(0)
                widget = item.widget()
                if widget is not None:
                    widget.hide()
                    widget.deleteLater()

    def _found(self, ticket: int, found: list[Any]) -> None:
        if ticket != self._ticket:
            return
        self.matches = list(found)
        for match in self.matches:
            self.rows.addWidget(self._match_row(match))
        self._update_status()

    def _merges_found(self, ticket: int, merges: list[Any]) -> None:
        if ticket != self._ticket:
            return
        self.merges = list(merges)
        for info in self.merges:
            self.undo_rows.addWidget(self._undo_row(info))

    def _failed(self, ticket: int, error: UserError) -> None:
        if ticket == self._ticket:
            self.status.setText(error.message)

    def _update_status(self) -> None:
        if self.matches:
            what = "person" if self.kind == "person" else "company"
            count = len(self.matches)
            self.status.setText(
                f"This {what} may be the same as {_count(count, 'other record')}."
                if count > 1 else f"This {what} may be the same as one other record."
            )
        else:
            self.status.setText("No likely duplicates.")

    def _match_row(self, match: Any) -> QWidget:
        record_id = match.person_id if self.kind == "person" else match.organization_id
        title = match.display_name if self.kind == "person" else match.name
        row = QFrame()
        row.setObjectName("duplicateRow")
        row.setProperty("record_id", record_id)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        text = QVBoxLayout()
        text.setSpacing(0)
        name = label(title or "(no name)", "", wrap=True)
        name.setObjectName("duplicateName")
        why = label(", ".join(match.reasons), "hint")
        why.setObjectName("duplicateReasons")
        text.addWidget(name)
        text.addWidget(why)
        button = QPushButton("Merge…")
        button.setObjectName("mergeDuplicate")
        button.setToolTip(f"Merge {title} into the record shown here")
        button.clicked.connect(
            lambda _checked=False, other=record_id: self.merge_requested.emit(
                self.kind, self.record_id, other
            )
        )
        gate(button, self.vault, *self.merge_permissions(),
             tip=f"Merge {title} into the record shown here")
        line.addLayout(text, 1)
        line.addWidget(button)
        return row

    def merge_permissions(self) -> tuple[str, str]:
        """A merge changes the record kept and deletes the other: both are needed (and
        so for undoing one)."""
        area = "contacts" if self.kind == "person" else "companies"
        return f"{area}.edit", f"{area}.delete"

    def _undo_row(self, info: Any) -> QWidget:
        row = QFrame()
        row.setObjectName("mergeUndoRow")
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        when = QLocale().toString(info.created_at.astimezone().date(),
                                  QLocale.FormatType.ShortFormat)
        until = QLocale().toString(info.expires_at.astimezone().date(),
                                   QLocale.FormatType.ShortFormat)
        who = info.removed_title or "another record"
        text = label(f"Merged with {who} on {when}; can be undone until {until}.", "hint")
        button = QPushButton("Undo merge")
        button.setObjectName("undoMerge")
        button.clicked.connect(lambda _checked=False, mid=info.merge_id: self._undo(mid, button))
        gate(button, self.vault, *self.merge_permissions())
        line.addWidget(text, 1)
        line.addWidget(button)
        return row

    def _undo(self, merge_id: str, button: QPushButton) -> None:
        if self.vault is None or first_denial(self.vault, self.merge_permissions()):
            return
        button.setEnabled(False)
        kind, ticket = self.kind, self._ticket
        self.tasks.submit(
            service("merge.undo_merge"), self.vault, merge_id,
            writes=WRITES[kind],
            on_done=lambda _outcome: self._undone(kind, merge_id),
            on_error=lambda error: self._undo_failed(ticket, error, button),
        )

    def _undone(self, kind: str, merge_id: str) -> None:
        self.merge_undone.emit(kind, merge_id)
        self.refresh()

    def _undo_failed(self, ticket: int, error: UserError, button: QPushButton) -> None:
        if ticket != self._ticket:  # another record is shown now; its rows are new
            return
        self.status.setText(error.message)
        button.setEnabled(True)


def _count(n: int, noun: str) -> str:
    return f"{QLocale().toString(n)} {noun}{'' if n == 1 else 's'}"
