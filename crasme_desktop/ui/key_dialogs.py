"""Dialogs that change how the vault is protected: a new passphrase, a new data key.

Both run their work in the task runner (key derivation and re-encryption take from a
second to minutes) and show the one sentence of a failure inline, so the person can
correct a mistyped passphrase without starting again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.passphrase import PassphraseFields
from crasme_desktop.ui.recovery_key import ChoosePath, RecoveryKeyPanel
from crasme_desktop.ui.tasks import TaskRunner


def _label(text: str, role: str, name: str = "") -> QLabel:
    out = label(text, role)
    if name:
        out.setObjectName(name)
    return out


def _secret_edit(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


class ChangePassphraseDialog(QDialog):
    """Current passphrase (if the vault has one), the new one twice, then save."""

    def __init__(
        self, tasks: TaskRunner, vault: Any, *, has_passphrase: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("changePassphraseDialog")
        self.setWindowTitle(self.tr("Change passphrase") if has_passphrase
                            else self.tr("Add a passphrase"))
        self.setModal(True)
        self.setMinimumWidth(460)
        self.tasks = tasks
        self.vault = vault
        self.has_passphrase = has_passphrase
        self.done_message = ""

        intro = (
            self.tr("The new passphrase opens this vault from now on; the old one stops working at "
            "once. Your recovery key and this computer's keychain keep working as before.")
            if has_passphrase
            else self.tr("With a passphrase you can open this vault on a computer whose keychain "
            "does not hold its key. Your recovery key keeps working as before.")
        )
        self.current = _secret_edit("currentPassphrase", self.tr("Your passphrase now"))
        self.fields = PassphraseFields()
        self.error = _label("", "error", "changePassphraseError")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton(self.tr("Change passphrase") if has_passphrase
                                       else self.tr("Add passphrase"))
        self.save_button.setObjectName("savePassphrase")
        self.save_button.setProperty("primary", True)
        self.save_button.setDefault(True)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)

        box = QVBoxLayout(self)
        box.setSpacing(12)
        box.addWidget(_label(intro, "hint"))
        if has_passphrase:
            form = QFormLayout()
            form.addRow(self.tr("Current passphrase"), self.current)
            box.addLayout(form)
            self.current.textEdited.connect(self._clear_error)
        else:
            self.current.hide()
        box.addWidget(self.fields)
        box.addWidget(self.error)
        box.addWidget(self.buttons)
        self.fields.changed.connect(self._clear_error)
        (self.current if has_passphrase else self.fields.first).setFocus()

    def _save(self) -> None:
        if self.has_passphrase and not self.current.text():
            self.show_error(self.tr("Type the passphrase you use now first."))
            return
        problem = self.fields.problem()
        if problem:
            self.show_error(problem)
            return
        self._busy(True)
        self.tasks.submit(
            service("vaults.change_passphrase"),
            self.vault,
            self.current.text() if self.has_passphrase else None,
            self.fields.passphrase(),
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, _result: object) -> None:
        self.done_message = self.tr("Passphrase changed. Use the new one from now on.")
        self.current.clear()
        self.fields.first.clear()
        self.fields.second.clear()
        self.accept()

    def _failed(self, error: UserError) -> None:
        self._busy(False)
        self.show_error(error.message)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _clear_error(self) -> None:
        self.error.hide()

    def _busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.current.setEnabled(not busy)
        self.fields.set_enabled(not busy)


class RotateKeyDialog(QDialog):
    """Explain, ask for the passphrase if there is one, re-encrypt, show the new key once."""

    def __init__(
        self,
        tasks: TaskRunner,
        vault: Any,
        *,
        has_passphrase: bool,
        choose_kit_path: ChoosePath | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("rotateKeyDialog")
        self.setWindowTitle(self.tr("Rotate the vault's key"))
        self.setModal(True)
        self.setMinimumWidth(560)
        self.tasks = tasks
        self.vault = vault
        self.has_passphrase = has_passphrase

        self.pages = QStackedWidget()
        # Page 1: what happens, and the passphrase.
        ask = QWidget()
        ask_box = QVBoxLayout(ask)
        ask_box.setContentsMargins(0, 0, 0, 0)
        ask_box.setSpacing(12)
        ask_box.addWidget(
            _label(
                self.tr("A new key is made and the whole vault is encrypted with it. Do this when "
                "you think someone may have had the old key or your recovery kit. Your "
                "recovery key changes too: you will see the new one once, and the old "
                "recovery kit stops working. Large vaults take a minute or two; if the "
                "computer stops meanwhile, the vault opens with either key afterwards."),
                "hint",
            )
        )
        self.passphrase = _secret_edit("rotatePassphrase", self.tr("Your passphrase"))
        if has_passphrase:
            form = QFormLayout()
            form.addRow(self.tr("Passphrase"), self.passphrase)
            ask_box.addLayout(form)
            self.passphrase.textEdited.connect(lambda: self.error.hide())
        else:
            self.passphrase.hide()
        self.error = _label("", "error", "rotateKeyError")
        self.error.hide()
        ask_box.addWidget(self.error)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # SQLCipher re-encrypts in one go: no steps to count
        self.busy.setFixedHeight(6)
        self.busy_text = _label(
            self.tr("Encrypting the vault with a new key… keep this window open."), "hint")
        for widget in (self.busy_text, self.busy):
            widget.hide()
            ask_box.addWidget(widget)
        ask_box.addStretch(1)
        # Page 2: the new recovery key.
        shown = QWidget()
        shown_box = QVBoxLayout(shown)
        shown_box.setContentsMargins(0, 0, 0, 0)
        shown_box.setSpacing(10)
        shown_box.addWidget(
            _label(
                self.tr("The vault now has a new key. This is your new recovery key: write it "
                "down or save the recovery kit and print it. It is shown only now."),
                "hint",
            )
        )
        self.panel = RecoveryKeyPanel(tasks, choose_path=choose_kit_path)
        shown_box.addWidget(self.panel)
        self.pages.addWidget(ask)
        self.pages.addWidget(shown)

        self.rotate_button = QPushButton(self.tr("Rotate key"))
        self.rotate_button.setObjectName("rotateKey")
        self.rotate_button.setProperty("primary", True)
        self.rotate_button.setDefault(True)
        self.rotate_button.clicked.connect(self._rotate)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.reject)
        self.done_button = QPushButton(self.tr("Done"))
        self.done_button.setObjectName("rotateDone")
        self.done_button.setProperty("primary", True)
        self.done_button.setEnabled(False)
        self.done_button.clicked.connect(self._finish)
        self.panel.confirmed_changed.connect(self.done_button.setEnabled)
        buttons = QDialogButtonBox()
        for button in (self.cancel_button, self.rotate_button, self.done_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.done_button.hide()  # after addButton, which shows what it is given

        box = QVBoxLayout(self)
        box.setSpacing(12)
        box.addWidget(self.pages)
        box.addWidget(buttons, 0, Qt.AlignmentFlag.AlignRight)
        (self.passphrase if has_passphrase else self.rotate_button).setFocus()

    @property
    def showing_key(self) -> bool:
        return self.pages.currentIndex() == 1

    def _rotate(self) -> None:
        if self.has_passphrase and not self.passphrase.text():
            self._show_error(self.tr("Type the vault's passphrase first."))
            return
        self._busy(True)
        self.tasks.submit(
            service("vaults.rekey"),
            self.vault,
            self.passphrase.text() if self.has_passphrase else None,
            on_done=self._rotated,
            on_error=self._failed,
        )

    def _rotated(self, recovery_key: str) -> None:
        self._busy(False)
        self.passphrase.clear()
        self.panel.set_key(
            recovery_key,
            vault_path=self.vault.path,
            vault_id=self.vault.vault_id,
            created=datetime.now().astimezone(),
        )
        self.pages.setCurrentIndex(1)
        self.rotate_button.hide()
        self.cancel_button.hide()
        self.done_button.show()
        self.panel.confirm.setFocus()

    def _failed(self, error: UserError) -> None:
        self._busy(False)
        self._show_error(error.message)

    def _busy(self, busy: bool) -> None:
        self.rotate_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.passphrase.setEnabled(not busy)
        self.busy.setVisible(busy)
        self.busy_text.setVisible(busy)
        if busy:
            self.error.hide()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _finish(self) -> None:
        self.panel.forget()
        self.accept()

    def reject(self) -> None:
        if self.busy.isVisible():  # re-encrypting: closing now would not stop it
            return
        if self.showing_key and not self.panel.confirmed:
            # The key is shown once; leaving before keeping it would lose it.
            self.panel.status.setText(
                self.tr("Keep the new recovery key first: tick the box once it is written down "
                "or printed.")
            )
            return
        self.panel.forget()
        super().reject()
