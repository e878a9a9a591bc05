"""The unlock screen: shown at start and whenever the vault is locked.

It knows nothing about how unlocking works; it asks for one of the ways in, emits
`unlock_requested`, and shows the one sentence of a `UserError` inline, under the
field, when the attempt fails. That keeps the slow parts (the keychain, key
derivation, opening the file) in the task runner and this widget importable before
the database stack is loaded.

A vault nobody signs in to by name offers three ways: this computer's keychain, the
passphrase, the recovery key.

A vault with user sign-ins (someone was given a passphrase of their own in Settings,
Users and roles) asks who you are, and the policy is:

* Signing in is the way in: a name and passphrase (names are kept only as slow
  hashes, so the person types theirs), with a choice to "remember me on this
  computer", which keeps only that user's own slot secret in this OS account's
  keychain. A remembered sign-in opens at once at start; after a lock it waits for
  a press of Sign in, and "Sign in as someone else" asks for a name.
* The vault-wide key in the keychain is never used, silently or otherwise: it would
  open the vault as its Owner for anyone who uses this OS account.
* The vault's passphrase and recovery key stay an explicit way in, offered as "the
  Owner's vault passphrase or recovery key"; opened that way, the vault acts as its
  Owner.
* Too many wrong sign-ins pause signing in; the pause is said in one sentence with
  how long to wait (the count lives beside the vault, see `vault.user_slots`).

The controller enforces the same policy where the vault is opened (`unlock_vault`
never takes the keychain's vault key for a vault with sign-ins), so no path through
this screen can get around it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
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
from crasme_desktop.ui.unlock_request import (
    KEYCHAIN,
    PASSPHRASE,
    RECOVERY,
    REMEMBERED,
    SIGN_IN,
    USER_METHODS,
    UnlockRequest,
)

#: The unlock card's width in pixels (its margins take 64 of it).
CARD_WIDTH = 480

__all__ = ["KEYCHAIN", "PASSPHRASE", "RECOVERY", "REMEMBERED", "SIGN_IN", "UnlockRequest",
           "UnlockScreen"]


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
        self.has_user_slots = False
        self.remembers_sign_in = False
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
        self.passphrase_caption = self.passphrase_page.findChild(QLabel)
        self._build_sign_in_page()
        self.remembered_page = QWidget()
        remembered = QVBoxLayout(self.remembered_page)
        remembered.setContentsMargins(0, 0, 0, 0)
        remembered.addWidget(label(self.tr(
            "This computer remembers your sign-in. Press Sign in to open the vault; "
            "there is nothing to type."), "hint"))
        for page in (self.busy_page, self.keychain_page, self.passphrase_page,
                     self.recovery_page, self.sign_in_page, self.remembered_page):
            self.pages.addWidget(page)

        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setProperty("primary", True)
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._submit)
        self.passphrase_edit.returnPressed.connect(self._submit)
        self.recovery_edit.returnPressed.connect(self._submit)
        self.user_passphrase_edit.returnPressed.connect(self._submit)
        self.user_name_edit.returnPressed.connect(self.user_passphrase_edit.setFocus)

        self.use_keychain = _link("Use this computer's keychain instead")
        self.use_passphrase = _link("Use passphrase instead")
        self.use_recovery = _link("Use recovery key instead")
        self.use_recovery.setObjectName("useRecovery")
        self.use_keychain.clicked.connect(lambda: self.show_form(KEYCHAIN))
        self.use_passphrase.clicked.connect(lambda: self.show_form(PASSPHRASE))
        self.use_recovery.clicked.connect(lambda: self.show_form(RECOVERY))
        self.use_sign_in = _link(self.tr("Sign in as someone else"))
        self.use_sign_in.setObjectName("useSignIn")
        self.use_sign_in.clicked.connect(lambda: self.show_form(SIGN_IN))
        self.use_remembered = _link(self.tr("Use the sign-in this computer remembers"))
        self.use_remembered.setObjectName("useRemembered")
        self.use_remembered.clicked.connect(lambda: self.show_form(REMEMBERED))
        self.use_owner = _link(self.tr("Use the Owner's vault passphrase or recovery key"))
        self.use_owner.setObjectName("useOwnerKey")
        self.use_owner.setToolTip(self.tr(
            "The vault's own passphrase or recovery key opens it as its Owner"))
        self.use_owner.clicked.connect(
            lambda: self.show_form(PASSPHRASE if self.has_passphrase else RECOVERY))

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
        self._forget_typed()
        self.user_name_edit.clear()
        self.remember_check.setChecked(False)
        self.has_user_slots = self.remembers_sign_in = False
        self._clear_error()
        self.notice.hide()
        self.show_checking(f"Opening {vault_path.name}…")

    # -- layout -----------------------------------------------------------------
    def _build_layout(self) -> None:
        card = QFrame()
        card.setProperty("role", "card")
        card.setFixedWidth(CARD_WIDTH)
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
        for link in self._method_links():
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

    def _build_sign_in_page(self) -> None:
        self.sign_in_page = QWidget()
        box = QVBoxLayout(self.sign_in_page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        self.user_name_edit = QLineEdit()
        self.user_name_edit.setObjectName("signInName")
        self.user_name_edit.setPlaceholderText(self.tr("Your name, as the Owner set it up"))
        self.user_name_edit.setAccessibleName(self.tr("Your name"))
        self.user_passphrase_edit = QLineEdit()
        self.user_passphrase_edit.setObjectName("signInPassphrase")
        self.user_passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.user_passphrase_edit.setPlaceholderText(self.tr("Your own passphrase"))
        self.user_passphrase_edit.setAccessibleName(self.tr("Your passphrase"))
        self.remember_check = QCheckBox(self.tr("Remember me on this computer"))
        self.remember_check.setObjectName("rememberSignIn")
        self.remember_check.setToolTip(self.tr(
            "Keep your own sign-in in this computer's keychain, so that next time the "
            "vault opens as you without typing. Only for a computer nobody else uses "
            "with your account."))
        for edit in (self.user_name_edit, self.user_passphrase_edit):
            edit.textEdited.connect(self._clear_error)
        box.addWidget(label(self.tr("Name"), "section"))
        box.addWidget(self.user_name_edit)
        box.addWidget(label(self.tr("Passphrase"), "section"))
        box.addWidget(self.user_passphrase_edit)
        box.addWidget(self.remember_check)

    def _method_links(self) -> tuple[QPushButton, ...]:
        return (self.use_remembered, self.use_sign_in, self.use_keychain,
                self.use_passphrase, self.use_recovery, self.use_owner)

    # -- states -------------------------------------------------------------------
    def set_options(self, *, has_passphrase: bool, keychain_has_key: bool,
                    has_user_slots: bool = False, remembers_sign_in: bool = False) -> None:
        """Which ways this vault can be unlocked (from `describe_vault`, and whether
        this computer remembers a sign-in for it)."""
        self.has_passphrase = has_passphrase
        self.keychain_has_key = keychain_has_key
        self.has_user_slots = has_user_slots
        self.remembers_sign_in = has_user_slots and remembers_sign_in

    def _show_page(self, page: QWidget) -> None:
        """Show `page`, the card as tall as it needs (not as the tallest page: the
        sign-in page is much taller than the passphrase one)."""
        self.pages.setCurrentWidget(page)
        width = self.pages.width() if self.pages.width() > 100 else CARD_WIDTH - 64
        height = page.heightForWidth(width) if page.hasHeightForWidth() else -1
        self.pages.setFixedHeight(max(height, page.sizeHint().height()))

    def show_checking(self, text: str) -> None:
        """Show that something is under way and nothing needs doing yet."""
        self.busy_text.setText(text)
        self._show_page(self.busy_page)
        self.unlock_button.setEnabled(False)
        for link in self._method_links():
            link.setVisible(False)
        for link in (self.other_vault, self.new_vault):
            link.setEnabled(False)

    def default_method(self) -> str:
        """The way this vault is best opened from here."""
        if self.has_user_slots:
            return REMEMBERED if self.remembers_sign_in else SIGN_IN
        if self.keychain_has_key:
            return KEYCHAIN
        return PASSPHRASE if self.has_passphrase else RECOVERY

    def show_form(self, method: str | None = None, *, notice: str | None = None) -> None:
        """Ask for `method` (default: the best one this vault offers)."""
        if method is None:
            method = self.default_method()
        if method == KEYCHAIN and self.has_user_slots:
            method = self.default_method()  # the policy above: never the vault-wide key
        self.method = method
        page = {
            KEYCHAIN: self.keychain_page,
            PASSPHRASE: self.passphrase_page,
            RECOVERY: self.recovery_page,
            SIGN_IN: self.sign_in_page,
            REMEMBERED: self.remembered_page,
        }[method]
        self._show_page(page)
        users = self.has_user_slots
        by_user = method in USER_METHODS
        if users and by_user:
            self.heading.setText(self.tr("Who are you?") if method == SIGN_IN
                                 else self.tr("Welcome back"))
        elif users:
            self.heading.setText(self.tr("Open as the Owner"))
        else:
            self.heading.setText(self.tr("Unlock your vault"))
        if self.passphrase_caption is not None:
            self.passphrase_caption.setText(
                self.tr("Owner's vault passphrase") if users else self.tr("Passphrase"))
        self.unlock_button.setText(self.tr("Sign in") if by_user else self.tr("Unlock"))
        self.unlock_button.setEnabled(True)
        for link in (self.other_vault, self.new_vault):
            link.setEnabled(True)
        self.use_keychain.setVisible(
            not users and self.keychain_has_key and method != KEYCHAIN)
        self.use_remembered.setVisible(self.remembers_sign_in and method != REMEMBERED)
        self.use_sign_in.setVisible(users and method != SIGN_IN)
        self.use_sign_in.setText(self.tr("Sign in as someone else") if self.remembers_sign_in
                                 else self.tr("Sign in with your name"))
        self.use_owner.setVisible(users and by_user)
        self.use_passphrase.setVisible(
            self.has_passphrase and method != PASSPHRASE and not (users and by_user))
        self.use_passphrase.setText(self.tr("Use the Owner's vault passphrase instead")
                                    if users else self.tr("Use passphrase instead"))
        self.use_recovery.setVisible(method != RECOVERY and not (users and by_user))
        self.notice.setText(notice or "")
        self.notice.setVisible(bool(notice))
        self._clear_error()
        edit = self._edit()
        if method == SIGN_IN and not self.user_name_edit.text().strip():
            edit = self.user_name_edit
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

    def show_locked(self, method: str | None = None) -> None:
        """After a lock: forget anything typed and wait for the person (`method`:
        SIGN_IN when someone else is to sign in)."""
        self._forget_typed()
        if method == SIGN_IN:
            self.user_name_edit.clear()
        self.show_form(method)
        if method != SIGN_IN:
            self.heading.setText(self.tr("Vault locked"))

    def anything_typed(self) -> bool:
        return any(edit.text() for edit in (self.passphrase_edit, self.recovery_edit,
                                            self.user_passphrase_edit))

    def _forget_typed(self) -> None:
        for edit in (self.passphrase_edit, self.recovery_edit, self.user_passphrase_edit):
            edit.clear()

    def error_text(self) -> str:
        return self.error.text() if self.error.isVisibleTo(self) else ""

    # -- actions ----------------------------------------------------------------
    def _edit(self) -> QLineEdit | None:
        return {PASSPHRASE: self.passphrase_edit, RECOVERY: self.recovery_edit,
                SIGN_IN: self.user_passphrase_edit}.get(self.method)

    def _submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        if self.method == SIGN_IN:
            self._submit_sign_in()
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
        self.show_checking(self.tr("Signing in…") if self.method == REMEMBERED
                           else self.tr("Unlocking…"))
        self.unlock_requested.emit(UnlockRequest(self.method, secret))

    def _submit_sign_in(self) -> None:
        name = self.user_name_edit.text().strip()
        secret = self.user_passphrase_edit.text()
        if not name:
            self.show_error(self.tr("Type the name you sign in with first."))
            self.user_name_edit.setFocus()
            return
        if not secret:
            self.show_error(self.tr("Type your passphrase first."))
            return
        self._clear_error()
        self.show_checking(self.tr("Signing in…"))
        self.unlock_requested.emit(UnlockRequest(SIGN_IN, secret, name=name,
                                                 remember=self.remember_check.isChecked()))

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
