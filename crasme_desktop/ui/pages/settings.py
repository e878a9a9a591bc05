"""The Settings page: the vault's file and key, and when it locks itself.

Each section follows what the signed-in user's role allows (`ui.permission_gate`):
Users and roles appears only with `users`; the key buttons need `rekey`, backups
`backups_restore`, the business, mail, schedule and support-mailbox settings
`settings`, and the staff and support-desk sections `staff.edit` (what their services
ask). A section the role may not change is shown disabled, its tool tip saying why.

App settings (not business data) live in a small JSON file read and written through
`vault.load_app_settings`/`save_app_settings`; saving runs in the task runner so a
slow disk never freezes the window, and a burst of spin-box clicks is saved once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.settings import AppSettings
from crasme_desktop.ui import theme
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import Page, label
from crasme_desktop.ui.permission_gate import gate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import titled_card
from crasme_desktop.vault import load_app_settings, update_app_settings

KEY_SOURCES = {
    "keychain": "this computer's keychain",
    "passphrase": "your passphrase",
    "recovery": "the recovery key",
    "user": "your own sign-in",
    "user-keychain": "your sign-in remembered on this computer",
}  # nosec B105  # a label or setting name, not a password


def describe_key_source(source: str) -> str:
    return KEY_SOURCES.get(source, source)


def update_auto_lock(minutes: int) -> AppSettings:
    """Worker job: change one setting, keeping the others as they are on disk."""

    def change(settings: AppSettings) -> None:
        settings.auto_lock_minutes = minutes

    return update_app_settings(change)


class SettingsPage(Page):
    key = "settings"
    title = "Settings"
    description = "Where your vault is, how it is protected, and when it locks itself."
    icon_name = "settings"

    #: The new idle limit in minutes (0 = never), once it is saved.
    auto_lock_changed = Signal(int)
    lock_requested = Signal()

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.vault_file = label("", "value")
        self.vault_file.setObjectName("settingsVaultPath")
        self.vault_file.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.encryption = label("SQLCipher 4, with a random 256-bit key", "value")
        self.key_source = label("", "value")
        self.key_source.setObjectName("settingsKeySource")

        self.auto_lock = QSpinBox()
        self.auto_lock.setObjectName("autoLockMinutes")
        self.auto_lock.setRange(0, 24 * 60)
        self.auto_lock.setSuffix(" minutes")
        self.auto_lock.setSpecialValueText("Never")
        self.auto_lock.setValue(AppSettings().auto_lock_minutes)
        self.auto_lock.setMinimumWidth(150)
        self.auto_lock.valueChanged.connect(self._auto_lock_edited)
        self.saved_note = label("", "hint")
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(400)
        self._save_timer.timeout.connect(self._save_auto_lock)
        self._loading = False
        self._edited = False
        self.key_dialog: Any = None

        self.lock_button = QPushButton(theme.icon("lock"), "Lock now")
        self.lock_button.setObjectName("lockNow")
        self.lock_button.setToolTip("Lock the vault (Ctrl+L)")
        self.lock_button.clicked.connect(self.lock_requested)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(14)
        vault_form = QFormLayout()
        vault_form.setHorizontalSpacing(24)
        vault_form.setVerticalSpacing(10)
        vault_form.addRow("Vault file", self.vault_file)
        vault_form.addRow("Encryption", self.encryption)
        vault_form.addRow("Unlocked with", self.key_source)
        self.change_passphrase_button = QPushButton("Change passphrase…")
        self.change_passphrase_button.setObjectName("changePassphrase")
        self.change_passphrase_button.setToolTip(
            "Choose a new passphrase for this vault (or give it one)"
        )
        self.change_passphrase_button.clicked.connect(lambda: self._ask_key_change("passphrase"))
        self.rotate_key_button = QPushButton("Rotate key…")
        self.rotate_key_button.setObjectName("rotateKeyButton")
        self.rotate_key_button.setToolTip(
            "Encrypt the vault with a new key and get a new recovery key"
        )
        self.rotate_key_button.clicked.connect(lambda: self._ask_key_change("rotate"))
        self.key_note = label("", "hint")
        self.key_note.setObjectName("keyNote")
        key_row = QHBoxLayout()
        key_row.addWidget(self.change_passphrase_button)
        key_row.addWidget(self.rotate_key_button)
        key_row.addWidget(self.key_note, 1)
        vault_box = QVBoxLayout()
        vault_box.addLayout(vault_form)
        vault_box.addLayout(key_row)
        column.addWidget(_card("Vault", vault_box))

        lock_row = QHBoxLayout()
        lock_row.addWidget(self.auto_lock)
        lock_row.addWidget(self.saved_note, 1)
        lock_form = QFormLayout()
        lock_form.setHorizontalSpacing(24)
        lock_form.addRow("Lock after", lock_row)
        lock_box = QVBoxLayout()
        lock_box.addLayout(lock_form)
        lock_box.addWidget(
            label(
                "After this many minutes without a key press or mouse use, the vault locks: "
                "the window is hidden and the key is wiped from memory until you unlock "
                "again. Choose 0 for never.",
                "hint",
            )
        )
        button_row = QHBoxLayout()
        button_row.addWidget(self.lock_button)
        button_row.addStretch(1)
        lock_box.addLayout(button_row)
        column.addWidget(_card("Locking", lock_box))
        from crasme_desktop.ui.language_settings import LanguageSettingsSection

        column.addWidget(LanguageSettingsSection(tasks))
        from crasme_desktop.ui.users_settings import UsersSettingsSection

        self.users = UsersSettingsSection(tasks)
        column.addWidget(self.users)
        from crasme_desktop.ui.backup_settings import BackupSettingsSection

        self.backups = BackupSettingsSection(tasks)
        column.addWidget(self.backups)
        from crasme_desktop.ui.business_settings import BusinessSettingsSection

        self.business = BusinessSettingsSection(tasks)
        column.addWidget(self.business)
        from crasme_desktop.ui.mail_settings import MailSettingsSection

        self.mail = MailSettingsSection(tasks)
        column.addWidget(self.mail)
        from crasme_desktop.ui.staff_settings import StaffSettingsSection

        self.staff = StaffSettingsSection(tasks)
        column.addWidget(self.staff)
        from crasme_desktop.ui.schedule_settings import ScheduleSettingsSection

        self.schedule = ScheduleSettingsSection(tasks)
        column.addWidget(self.schedule)
        from crasme_desktop.ui.support_settings import (
            SupportDeskSection,
            SupportMailboxSection,
        )

        self.support_mailbox = SupportMailboxSection(tasks)
        column.addWidget(self.support_mailbox)
        self.support_desk = SupportDeskSection(tasks)
        column.addWidget(self.support_desk)
        column.addStretch(1)
        self.stack.addWidget(_scrolled(body))

    def attach(self, vault: Any) -> None:
        super().attach(vault)
        self.backups.attach(vault)
        self.business.attach(vault)
        self.mail.attach(vault)
        self.staff.attach(vault)
        self.schedule.attach(vault)
        self.support_mailbox.attach(vault)
        self.support_desk.attach(vault)
        self.users.attach(vault)
        self.apply_permissions()
        self.vault_file.setText(str(vault.path))
        self.key_source.setText(describe_key_source(vault.key_source).capitalize())
        self.tasks.submit(load_app_settings, on_done=self._show_settings)

    def apply_permissions(self) -> None:
        """Disable, with the reason as tool tip, what the acting user's role may not
        change; hide Users and roles without `users`."""
        vault = self.vault
        gate(self.change_passphrase_button, vault, "rekey",
             tip=self.tr("Choose a new passphrase for this vault (or give it one)"))
        gate(self.rotate_key_button, vault, "rekey",
             tip=self.tr("Encrypt the vault with a new key and get a new recovery key"))
        gate(self.backups, vault, "backups_restore")
        for section in (self.business, self.mail, self.schedule, self.support_mailbox):
            gate(section, vault, "settings")
        for section in (self.staff, self.support_desk):
            gate(section, vault, "staff.edit")

    def on_changed(self, areas: frozenset[str]) -> None:
        super().on_changed(areas)
        if self.vault is not None and {"users", "vault"} & set(areas):
            self.apply_permissions()  # the acting user's role may have changed
            self.users.attach(self.vault)

    def _ask_key_change(self, which: str) -> None:
        """Find out whether the vault has a passphrase (a file read, off the GUI thread),
        then open the dialog for `which` ("passphrase" or "rotate")."""
        vault = self.vault
        if vault is None:
            return
        self.key_note.clear()
        self.tasks.submit(
            service("vaults.has_passphrase"),
            vault,
            on_done=lambda has: self._open_key_dialog(which, has),
        )

    def _open_key_dialog(self, which: str, has_passphrase: bool) -> None:
        from crasme_desktop.ui.key_dialogs import ChangePassphraseDialog, RotateKeyDialog

        if self.vault is None:  # locked meanwhile
            return
        dialog: ChangePassphraseDialog | RotateKeyDialog
        if which == "passphrase":
            dialog = ChangePassphraseDialog(
                self.tasks, self.vault, has_passphrase=has_passphrase, parent=self
            )
            dialog.accepted.connect(lambda: self.key_note.setText(dialog.done_message))
        else:
            dialog = RotateKeyDialog(
                self.tasks, self.vault, has_passphrase=has_passphrase, parent=self
            )
            dialog.accepted.connect(
                lambda: self.key_note.setText("New key in place; keep the new recovery kit.")
            )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.key_dialog = dialog
        dialog.open()

    def clear(self) -> None:
        super().clear()
        self.backups.clear()
        self.business.clear()
        self.mail.clear()
        self.staff.clear()
        self.schedule.clear()
        self.support_mailbox.clear()
        self.support_desk.clear()
        self.users.clear()
        self.key_note.clear()
        self.key_source.clear()
        self.saved_note.clear()
        self._edited = False

    def _show_settings(self, settings: AppSettings) -> None:
        if self._edited:  # the person changed it before the stored value arrived
            return
        self._loading = True  # showing the stored value is not an edit to save back
        self.auto_lock.setValue(settings.auto_lock_minutes)
        self._loading = False

    def _auto_lock_edited(self) -> None:
        if not self._loading:
            self._edited = True
            self.saved_note.clear()
            self._save_timer.start()

    def _save_auto_lock(self) -> None:
        self.tasks.submit(update_auto_lock, self.auto_lock.value(), on_done=self._saved)

    def _saved(self, settings: AppSettings) -> None:
        self.saved_note.setText("Saved.")
        self.auto_lock_changed.emit(settings.auto_lock_minutes)


def _card(title: str, content: Any) -> QFrame:
    frame, box = titled_card(title)
    box.addLayout(content)
    return frame


def _scrolled(body: QWidget) -> QScrollArea:
    """The page's cards in a scroll area: the business section makes them taller than
    a laptop screen."""
    scroll = QScrollArea()
    scroll.setObjectName("settingsScroll")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    body.setContentsMargins(0, 0, 12, 0)
    scroll.setWidget(body)
    return scroll
