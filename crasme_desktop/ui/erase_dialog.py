"""Erase one person, or everything: the preview, a typed confirmation, the result.

`EraseDialog` reads the erase preview through the task runner and shows it in two
lists, "Will be deleted" (with what else changes) and "Will be kept" (why, and until
when, in the person's own date format), plus whatever stops the erase. The Erase
button stays disabled until the confirmation field holds the person's name as shown
(case and spacing do not matter) and nothing blocks. The erase runs as one write;
the dialog then says what was done.

`EraseAllDialog` deletes the vault, its keys and its backups after the words ERASE
EVERYTHING are typed; it says plainly that files are deleted, not overwritten.
When it is done and closed it emits `erased`, and the app goes back to the start.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.tasks import TaskRunner

ERASE_ALL_WORDS = "ERASE EVERYTHING"
WRITES = {"contacts", "organizations", "sales", "privacy"}


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _day(value: Any) -> str:
    return QLocale().toString(value, QLocale.FormatType.LongFormat)


def _list(name: str) -> QListWidget:
    out = QListWidget()
    out.setObjectName(name)
    out.setWordWrap(True)
    out.setSelectionMode(QListWidget.SelectionMode.NoSelection)
    out.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return out


class _Confirmed(QDialog):
    """What both dialogs share: a confirmation field, an action button, a close button,
    an inline error and a result sentence."""

    def _build_common(self, action: str, name: str) -> None:
        self.error = label("", "error")
        self.error.setObjectName(f"{name}Error")
        self.error.hide()
        self.result_text = label("", "notice")
        self.result_text.setObjectName(f"{name}Result")
        self.result_text.hide()
        self.confirm_hint = label("", "hint")
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setObjectName(f"{name}Confirm")
        self.confirm_edit.textChanged.connect(self._update_button)
        self.action_button = QPushButton(action)
        self.action_button.setObjectName(f"{name}Button")
        self.action_button.setEnabled(False)
        self.action_button.setAutoDefault(False)
        self.action_button.clicked.connect(self._run)
        self.close_button = QPushButton("Cancel")
        self.close_button.setObjectName(f"{name}Close")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.buttons = QDialogButtonBox()
        self.buttons.addButton(self.action_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.busy = False
        self.done_ok = False

    def _wanted(self) -> str | None:  # what must be typed, None while not allowed
        raise NotImplementedError

    def reject(self) -> None:
        if self.busy:  # an erase is running: it is not stopped half-way
            return
        super().reject()

    def _run(self) -> None:
        raise NotImplementedError

    def _update_button(self) -> None:
        wanted = self._wanted()
        self.action_button.setEnabled(
            not self.busy and not self.done_ok and wanted is not None
            and _normal(self.confirm_edit.text()) == _normal(wanted))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.confirm_edit.setEnabled(not busy and not self.done_ok)
        self.close_button.setEnabled(not busy)
        self._update_button()

    def _failed(self, error: UserError) -> None:
        self._set_busy(False)
        self.error.setText(error.message)
        self.error.show()

    def _finished(self, sentence: str) -> None:
        self.done_ok = True
        self._set_busy(False)
        self.error.hide()
        self.result_text.setText(sentence)
        self.result_text.show()
        self.confirm_edit.setEnabled(False)
        self.action_button.hide()
        self.close_button.setText("Close")
        self.close_button.setFocus()


class EraseDialog(_Confirmed):
    """Erase one person after a preview and a typed confirmation."""

    #: (person_id) once the person is erased.
    erased = Signal(str)

    def __init__(self, tasks: TaskRunner, vault: Any, person_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eraseDialog")
        self.tasks, self.vault, self.person_id = tasks, vault, person_id
        self.preview: Any = None
        self.outcome: Any = None
        self.setWindowTitle("Erase a person")
        self.setModal(True)
        self.setMinimumWidth(620)
        self._build_common("&Erase for good", "erase")

        self.heading = label("Erase a person", "title")
        self.heading.setObjectName("eraseHeading")
        self.loading = label("Finding everything held on this person…", "hint")
        self.deleted = _list("eraseDeleted")
        self.kept = _list("eraseKept")
        self.blockers = label("", "error")
        self.blockers.setObjectName("eraseBlockers")
        self.blockers.hide()
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(label("Will be deleted", "section"))
        column.addWidget(self.deleted, 2)
        column.addWidget(label("Will be kept, why, and until when", "section"))
        column.addWidget(self.kept, 1)
        column.addWidget(self.blockers)
        column.addWidget(self.confirm_hint)
        column.addWidget(self.confirm_edit)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.loading)
        self.stack.addWidget(body)
        self.body = body

        box = QVBoxLayout(self)
        box.setSpacing(10)
        box.addWidget(self.heading)
        box.addWidget(self.stack, 1)
        box.addWidget(self.error)
        box.addWidget(self.result_text)
        box.addWidget(self.buttons)
        self._load()

    # -- preview ------------------------------------------------------------------------
    def _load(self) -> None:
        self.stack.setCurrentWidget(self.loading)
        self.tasks.submit(service("privacy_erase.erase_preview"), self.vault, self.person_id,
                          on_done=self._show, on_error=self._load_failed)

    def _load_failed(self, error: UserError) -> None:
        self.loading.setText("")
        self.close_button.setText("Close")
        self._failed(error)

    def _show(self, preview: Any) -> None:
        self.preview = preview
        self.heading.setText(f"Erase {preview.display_name}")
        self.deleted.clear()
        for item in preview.deleted:
            self.deleted.addItem(f"{item.label}: {QLocale().toString(item.count)}")
        for item in preview.changed:
            self.deleted.addItem(f"Changed — {item.label}: {QLocale().toString(item.count)}")
        self.kept.clear()
        for kept in preview.kept:
            until = f" Kept until {_day(kept.until)}." if kept.until else ""
            self.kept.addItem(f"{kept.what}. {kept.reason}{until}")
        refusing = [b.message for b in preview.blockers if b.refuses]
        notes = [b.message for b in preview.blockers if not b.refuses]
        if refusing:
            self.blockers.setText("The person cannot be erased yet:\n" + "\n".join(refusing))
        elif notes:
            self.blockers.setText("\n".join(notes))
        self.blockers.setVisible(bool(refusing or notes))
        self.confirm_hint.setText(
            f"This cannot be undone. Type {preview.confirm_text} to confirm.")
        self.confirm_edit.setPlaceholderText(preview.confirm_text)
        self.confirm_edit.setEnabled(not refusing)
        self.stack.setCurrentWidget(self.body)
        self._update_button()
        if not refusing:
            self.confirm_edit.setFocus()

    def _wanted(self) -> str | None:
        if self.preview is None or not self.preview.can_erase:
            return None
        return str(self.preview.confirm_text)

    # -- erase ---------------------------------------------------------------------------
    def _run(self) -> None:
        if not self.action_button.isEnabled():
            return
        self.error.hide()
        self._set_busy(True)
        self.tasks.submit(
            service("privacy_erase.erase_person"), self.vault, self.person_id,
            confirmation=self.confirm_edit.text(), progress_title="Erasing the person…",
            writes=WRITES, on_done=self._erased, on_error=self._failed)

    def _erased(self, outcome: Any) -> None:
        self.outcome = outcome
        sentence = outcome.message
        if not outcome.scrubbed:
            sentence += (" Part of it is still in the vault's journal file; it goes when "
                         "the vault is locked.")
        self._finished(sentence)
        self.erased.emit(self.person_id)


class EraseAllDialog(_Confirmed):
    """Delete the vault, its keys and its backups; `erased` once done and closed."""

    #: (vault path) after everything was deleted and the dialog was closed.
    erased = Signal(Path)

    def __init__(self, tasks: TaskRunner, vault_path: Path, parent: QWidget | None = None,
                 *, vault: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("eraseAllDialog")
        self.tasks, self.vault_path, self.vault = tasks, Path(vault_path), vault
        self.outcome: Any = None
        self.setWindowTitle("Erase everything")
        self.setModal(True)
        self.setMinimumWidth(560)
        self._build_common("&Erase everything", "eraseAll")
        heading = label("Erase everything", "title")
        explain = label(
            f"This deletes the vault {self.vault_path}, its key file, its key in this "
            "computer's keychain, and its backups (beside the vault, in the backup "
            "folder chosen in Settings, and its off-site copies if they are set up). "
            "Export what you want to keep first.", "description")
        honest = label(
            "The files are deleted, not overwritten: on today's disks (SSDs) overwriting "
            "does not reach the old copies of a file. What may remain on the disk is "
            "encrypted, and its key is deleted with it.", "hint")
        honest.setObjectName("eraseAllHonest")
        self.confirm_hint.setText(f"This cannot be undone. Type {ERASE_ALL_WORDS} to confirm.")
        self.confirm_edit.setPlaceholderText(ERASE_ALL_WORDS)
        box = QVBoxLayout(self)
        box.setSpacing(10)
        for widget in (heading, explain, honest, self.confirm_hint, self.confirm_edit,
                       self.error, self.result_text, self.buttons):
            box.addWidget(widget)
        self.finished.connect(self._closed)

    def _wanted(self) -> str | None:
        return ERASE_ALL_WORDS

    def _run(self) -> None:
        if not self.action_button.isEnabled():
            return
        self.error.hide()
        self._set_busy(True)
        self.tasks.submit(
            service("privacy_erase.erase_everything"), self.vault_path,
            confirmation=self.confirm_edit.text(), vault=self.vault or self._open_vault(),
            on_done=self._erased, on_error=self._failed)

    def _host(self) -> Any:
        """The main window this dialog was opened from, if any."""
        parent = self.parentWidget()
        return parent.window() if parent is not None else None

    def _open_vault(self) -> Any:
        # Opened from a page without the vault: the window's, if it is this one. The
        # erase reads its backup folder, then closes it before deleting its files.
        vault = getattr(self._host(), "vault", None)
        if vault is not None and Path(vault.path) == self.vault_path:
            return vault
        return None

    def _erased(self, outcome: Any) -> None:
        self.outcome = outcome
        self._finished(" ".join((outcome.message, *outcome.left)))

    def _closed(self, _result: int) -> None:
        if not self.done_ok:
            return
        self.erased.emit(self.vault_path)
        # The window goes back to the start screen (see AppController).
        signal = getattr(self._host(), "vault_erased", None)
        if signal is not None:
            signal.emit()
