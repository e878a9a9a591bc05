"""The unlock screen: shown at start and whenever the vault is locked.

It knows nothing about how unlocking works; it asks for one of three ways (the
keychain, a passphrase, the recovery key), emits `unlock_requested`, and shows the
one sentence of a `UserError` inline, under the field, when the attempt fails. That
keeps the slow parts (the keychain, key derivation, opening the file) in the task
runner and this widget importable before the database stack is loaded.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.ui import theme
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.unlock_request import KEYCHAIN, PASSPHRASE, RECOVERY, UnlockRequest

__all__ = ["KEYCHAIN", "PASSPHRASE", "RECOVERY", "UnlockRequest", "UnlockScreen"]


class UnlockScreen(QWidget):
    """A calm card in the middle of the window: vault name, one field, one button."""

    unlock_requested = Signal(object)  # UnlockRequest
    quit_requested = Signal()
    other_vault_requested = Signal()
    new_vault_requested = Signal()

    def __init__(self, vault_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unlockScreen")
        self.setWindowIcon(theme.app_icon())
        self.resize(760, 560)
        self.has_passphrase = True
        self.keychain_has_key = False
        self.method = PASSPHRASE

        self.heading = label("Unlock your vault", "title")
        self.where = label("", "hint")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = label("", "notice")
        self.error = label("", "error")
        self.error.setObjectName("unlockError")

        self.pages = QStackedWidget()
        self.busy_page, self.busy_text = self._busy_page()
        self.keychain_page, self.keychain_button = self._keychain_page()
        self.passphrase_page, self.passphrase_edit = self._secret_page(
            "Passphrase", "Your passphrase", QLineEdit.EchoMode.Password
        )
        self.recovery_page, self.recovery_edit = self._secret_page(
            "Recovery key", "XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX",
            QLineEdit.EchoMode.Normal,
        )
        self.recovery_edit.setFont(_mono_font(self.recovery_edit.font().pointSize() + 1))
        for page in (self.busy_page, self.keychain_page, self.passphrase_page, self.recovery_page):
            self.pages.addWidget(page)

        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setProperty("primary", True)
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._submit)
        self.passphrase_edit.returnPressed.connect(self._submit)
        self.recovery_edit.returnPressed.connect(self._submit)

        self.use_keychain = _link("Use this computer's keychain instead")
        self.use_passphrase = _link("Use passphrase instead")
        self.use_recovery = _link("Use recovery key instead")
        self.use_recovery.setObjectName("useRecovery")
        self.use_keychain.clicked.connect(lambda: self.show_form(KEYCHAIN))
        self.use_passphrase.clicked.connect(lambda: self.show_form(PASSPHRASE))
        self.use_recovery.clicked.connect(lambda: self.show_form(RECOVERY))

        self.other_vault = _link("Open another vault…")
        self.other_vault.setObjectName("otherVault")
        self.other_vault.setToolTip("Unlock a different vault file (Ctrl+O)")
        self.other_vault.setShortcut(QKeySequence("Ctrl+O"))
        self.other_vault.clicked.connect(self.other_vault_requested)
        self.new_vault = _link("Create a new vault…")
        self.new_vault.setObjectName("newVault")
        self.new_vault.setToolTip("Start a new, empty vault in a file of your choice (Ctrl+N)")
        self.new_vault.setShortcut(QKeySequence("Ctrl+N"))
        self.new_vault.clicked.connect(self.new_vault_requested)

        self._build_layout()
        self.set_vault(vault_path)

    def set_vault(self, vault_path: Path) -> None:
        """Point the screen at `vault_path` and wait for its unlock options."""
        self.vault_path = vault_path
        self.setWindowTitle(f"{APP_NAME} — {vault_path.name}")
        self.where.setText(str(vault_path))
        self.passphrase_edit.clear()
        self.recovery_edit.clear()
        self._clear_error()
        self.notice.hide()
        self.show_checking(f"Opening {vault_path.name}…")

    # -- layout -----------------------------------------------------------------
    def _build_layout(self) -> None:
        card = QFrame()
        card.setProperty("role", "card")
        card.setFixedWidth(480)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 24)
        inner.setSpacing(10)
        logo = QLabel()
        logo.setPixmap(theme.app_icon().pixmap(48, 48))
        inner.addWidget(logo)
        inner.addWidget(self.heading)
        inner.addWidget(self.where)
        inner.addSpacing(6)
        inner.addWidget(self.notice)
        inner.addWidget(self.pages)
        inner.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        inner.addLayout(buttons)
        links = QVBoxLayout()
        links.setSpacing(0)
        for link in (self.use_keychain, self.use_passphrase, self.use_recovery):
            links.addWidget(link, 0, Qt.AlignmentFlag.AlignLeft)
        inner.addLayout(links)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setProperty("role", "rule")
        inner.addWidget(rule)
        other = QHBoxLayout()
        other.setSpacing(12)
        other.addWidget(self.other_vault)
        other.addWidget(self.new_vault)
        other.addStretch(1)
        inner.addLayout(other)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        for hidden in (self.notice, self.error):
            hidden.hide()

    def _busy_page(self) -> tuple[QWidget, QLabel]:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 6, 0, 6)
        text = label("", "hint")
        bar = QProgressBar()
        bar.setRange(0, 0)  # busy: the time an unlock takes is not known in advance
        bar.setFixedHeight(6)
        box.addWidget(text)
        box.addWidget(bar)
        return page, text

    def _keychain_page(self) -> tuple[QWidget, QLabel]:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        text = label(
            "The key to this vault is kept in this computer's keychain. "
            "Press Unlock to open it; there is nothing to type.",
            "hint",
        )
        box.addWidget(text)
        return page, text

    def _secret_page(
        self, caption: str, placeholder: str, echo: QLineEdit.EchoMode
    ) -> tuple[QWidget, QLineEdit]:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        edit = QLineEdit()
        edit.setEchoMode(echo)
        edit.setPlaceholderText(placeholder)
        edit.setObjectName(f"{caption.split()[0].lower()}Edit")
        edit.textEdited.connect(self._clear_error)
        box.addWidget(label(caption, "section"))
        box.addWidget(edit)
        return page, edit

    # -- states -------------------------------------------------------------------
    def set_options(self, *, has_passphrase: bool, keychain_has_key: bool) -> None:
        """Which ways this vault can be unlocked (from `describe_vault`)."""
        self.has_passphrase = has_passphrase
        self.keychain_has_key = keychain_has_key

    def show_checking(self, text: str) -> None:
        """Show that something is under way and nothing needs doing yet."""
        self.busy_text.setText(text)
        self.pages.setCurrentWidget(self.busy_page)
        self.unlock_button.setEnabled(False)
        for link in (self.use_keychain, self.use_passphrase, self.use_recovery):
            link.setVisible(False)
        for link in (self.other_vault, self.new_vault):
            link.setEnabled(False)

    def show_form(self, method: str | None = None, *, notice: str | None = None) -> None:
        """Ask for `method` (default: the best one this vault offers)."""
        if method is None:
            method = (
                KEYCHAIN if self.keychain_has_key
                else PASSPHRASE if self.has_passphrase
                else RECOVERY
            )
        self.method = method
        page = {
            KEYCHAIN: self.keychain_page,
            PASSPHRASE: self.passphrase_page,
            RECOVERY: self.recovery_page,
        }[method]
        self.pages.setCurrentWidget(page)
        self.heading.setText("Unlock your vault")
        self.unlock_button.setEnabled(True)
        for link in (self.other_vault, self.new_vault):
            link.setEnabled(True)
        self.use_keychain.setVisible(self.keychain_has_key and method != KEYCHAIN)
        self.use_passphrase.setVisible(self.has_passphrase and method != PASSPHRASE)
        self.use_recovery.setVisible(method != RECOVERY)
        self.notice.setText(notice or "")
        self.notice.setVisible(bool(notice))
        self._clear_error()
        edit = self._edit()
        if edit is not None:
            edit.setEnabled(True)
            edit.setFocus()
        else:
            self.unlock_button.setFocus()

    def show_error(self, message: str) -> None:
        """Show why the last attempt failed, under the field, and let the person retry."""
        if self.pages.currentWidget() is self.busy_page:
            self.show_form(self.method)
        self.error.setText(message)
        self.error.show()
        edit = self._edit()
        if edit is not None:
            edit.selectAll()
            edit.setFocus()

    def show_locked(self) -> None:
        """After a lock: forget anything typed and wait for the person."""
        self.passphrase_edit.clear()
        self.recovery_edit.clear()
        self.show_form()
        self.heading.setText("Vault locked")

    def error_text(self) -> str:
        return self.error.text() if self.error.isVisibleTo(self) else ""

    # -- actions ----------------------------------------------------------------
    def _edit(self) -> QLineEdit | None:
        return {PASSPHRASE: self.passphrase_edit, RECOVERY: self.recovery_edit}.get(self.method)

    def _submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        edit = self._edit()
        secret = edit.text() if edit is not None else None
        if edit is not None and not secret.strip():
            self.show_error(
                "Type your passphrase first." if self.method == PASSPHRASE
                else "Type the recovery key from your recovery kit first."
            )
            return
        self._clear_error()
        self.show_checking("Unlocking…")
        self.unlock_requested.emit(UnlockRequest(self.method, secret))

    def _clear_error(self) -> None:
        self.error.clear()
        self.error.hide()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.quit_requested.emit()
        super().closeEvent(event)


def _link(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setProperty("link", True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setFlat(True)
    return button


def _mono_font(size: int) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(max(size, 10))
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font
