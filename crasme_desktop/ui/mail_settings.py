"""The Email section of the Settings page: the mail server quotes and invoices go through.

Server, port, security (STARTTLS, SSL or none), user name, password, the name and
address mail comes from, and optionally a certificate file to trust for a server whose
certificate comes from the office's own authority. The password goes to this
computer's keychain only; where there is none, a sentence says so and the password is
typed again for each send. Loading, saving and the test email run in the task runner;
a failure shows its one sentence under the buttons.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import FieldError, line_edit, titled_card

SECURITY_CHOICES = (
    ("starttls", "STARTTLS (usually port 587)"),
    ("ssl", "SSL/TLS (usually port 465)"),
    ("none", "None: not encrypted (only inside a trusted network)"),
)
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
NO_KEYCHAIN = (
    "This computer has no keychain, so the password is not saved anywhere: you will be "
    "asked for it each time you send."
)
SAVED_PASSWORD_HINT = "Saved in this computer's keychain"  # nosec B105  # a label or setting name, not a password
AREAS = {"mail"}




class MailSettingsSection(QWidget):
    """A card for the Settings page; `attach(vault)` loads, `clear()` forgets."""

    #: The saved settings (a `MailSetup`), after each save.
    saved = Signal(object)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mailSettings")
        self.tasks = tasks
        self.vault: Any = None
        self.setup: Any = None
        self._busy_count = 0

        self.host = line_edit("mailHost", "smtp.example.com")
        self.port = QSpinBox()
        self.port.setObjectName("mailPort")
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORTS["starttls"])
        self.port.setMinimumWidth(110)
        self.security = QComboBox()
        self.security.setObjectName("mailSecurity")
        for value, text in SECURITY_CHOICES:
            self.security.addItem(text, value)
        self._security_shown = "starttls"
        self.security.currentIndexChanged.connect(self._security_changed)
        self.username = line_edit("mailUsername", "Often your email address")
        self.password = line_edit("mailPassword", "Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.from_name = line_edit("mailFromName", "Your business's name")
        self.from_address = line_edit("mailFromAddress", "office@example.com")
        self.ca_file = line_edit("mailCaFile",
                                 "Optional: only for a server with its own certificate")
        self.choose_ca = QPushButton("Choose…")
        self.choose_ca.setObjectName("mailChooseCaFile")
        self.choose_ca.clicked.connect(self._choose_ca_file)
        self.keychain_note = label(NO_KEYCHAIN, "hint")
        self.keychain_note.setObjectName("mailKeychainNote")
        self.keychain_note.hide()

        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("mailSave")
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(self.save)
        self.test_button = QPushButton("Send a test email")
        self.test_button.setObjectName("mailTest")
        self.test_button.setToolTip("Send a short message to the from address with these settings")
        self.test_button.clicked.connect(self.send_test)
        self.status = label("", "hint")
        self.status.setObjectName("mailStatus")
        self.error = FieldError("mailError")

        port_row = QHBoxLayout()
        port_row.addWidget(self.port)
        port_row.addWidget(self.security, 1)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.choose_ca)
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(10)
        form.addRow("Mail server", self.host)
        form.addRow("Port and security", port_row)
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        form.addRow("", self.keychain_note)
        form.addRow("From name", self.from_name)
        form.addRow("From address", self.from_address)
        form.addRow("Certificate file", ca_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.status, 1)

        card, box = titled_card("Email", "mailCard")
        box.addWidget(label(
            "Quotes and invoices are sent through your email provider's mail server; your "
            "provider's help pages name the server, port and security to use. The password "
            "is kept in this computer's keychain, never in the vault.", "hint"))
        box.addLayout(form)
        box.addLayout(buttons)
        box.addWidget(self.error)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(card)
        for edit in (self.host, self.username, self.password, self.from_name,
                     self.from_address, self.ca_file):
            edit.textEdited.connect(self._edited)
        self.port.valueChanged.connect(self._edited)
        self._set_enabled(False)

    # -- vault ---------------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self._set_enabled(False)
        self.tasks.submit(service("mailing.get_mail_setup"), vault, on_done=self._show,
                          on_error=self._failed)

    def clear(self) -> None:
        """Forget the vault and everything typed (the password above all)."""
        self.vault = None
        self.setup = None
        for edit in (self.host, self.username, self.password, self.from_name,
                     self.from_address, self.ca_file):
            edit.clear()
        self.status.clear()
        self.error.clear_message()
        self._set_enabled(False)

    def _show(self, setup: Any) -> None:
        if self.vault is None:
            return
        self.setup = setup
        settings = setup.settings
        self.host.setText(settings.host)
        self._select_security(settings.security)
        self.port.setValue(settings.port)
        self.username.setText(settings.username)
        self.from_name.setText(settings.from_name)
        self.from_address.setText(settings.from_address)
        self.ca_file.setText(settings.ca_file)
        self.password.clear()
        self._show_password_state(setup)
        self._set_enabled(True)

    def _show_password_state(self, setup: Any) -> None:
        self.keychain_note.setVisible(not setup.keychain_available)
        self.password.setPlaceholderText(
            SAVED_PASSWORD_HINT if setup.password_saved else "Password"
        )

    # -- the form ------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The form as `MailSettings` fields."""
        return {
            "host": self.host.text().strip(),
            "port": self.port.value(),
            "security": self.security.currentData(),
            "username": self.username.text().strip(),
            "from_address": self.from_address.text().strip(),
            "from_name": self.from_name.text().strip(),
            "ca_file": self.ca_file.text().strip(),
        }

    def typed_password(self) -> str | None:
        """The password typed in the form, or None to keep (or use) the saved one."""
        return self.password.text() or None

    def _select_security(self, value: str) -> None:
        index = self.security.findData(value)
        self._security_shown = value
        self.security.blockSignals(True)
        self.security.setCurrentIndex(max(index, 0))
        self.security.blockSignals(False)

    def _security_changed(self) -> None:
        new = self.security.currentData()
        # Follow the usual port of the choice unless the person typed another one.
        if self.port.value() == DEFAULT_PORTS.get(self._security_shown):
            self.port.setValue(DEFAULT_PORTS[new])
        self._security_shown = new
        self._edited()

    def _edited(self) -> None:
        self.status.clear()
        self.error.clear_message()

    def _choose_ca_file(self) -> None:
        dialog = QFileDialog(self, "Certificate file to trust")
        dialog.setObjectName("mailCaFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(["Certificates (*.pem *.crt *.cer)", "All files (*)"])
        dialog.fileSelected.connect(lambda path: (self.ca_file.setText(path), self._edited()))
        dialog.open()

    # -- actions -------------------------------------------------------------------
    def save(self) -> None:
        if self.vault is None:
            return
        self._edited()
        self._busy(True)
        self.tasks.submit(
            service("mailing.save_mail_settings"), self.vault, self.values(),
            self.typed_password(), writes=AREAS, on_done=self._saved, on_error=self._failed,
        )

    def _saved(self, setup: Any) -> None:
        self._busy(False)
        self.setup = setup
        self._show_password_state(setup)
        if setup.keychain_available:
            self.password.clear()  # it is in the keychain now; nothing to keep on screen
        note = "Saved."
        if self.typed_password() and not setup.keychain_available:
            note = "Saved, except the password: there is no keychain to keep it in."
        self.status.setText(note)
        self.saved.emit(setup)

    def send_test(self) -> None:
        if self.vault is None:
            return
        self._edited()
        self._busy(True)
        self.status.setText("Sending a test email…")
        self.tasks.submit(
            service("mailing.send_test_email"), self.vault, settings=self.values(),
            password=self.typed_password(), on_done=self._tested, on_error=self._failed,
        )

    def _tested(self, sent: Any) -> None:
        self._busy(False)
        self.status.setText(
            f"Test email sent to {', '.join(sent.recipients)}: check that it arrived."
        )

    def _failed(self, error: UserError) -> None:
        self._busy(False)
        self.status.clear()
        self.error.show_message(error.message)
        if getattr(error, "needs_password", False):
            self.password.setFocus()

    def _busy(self, busy: bool) -> None:
        self._busy_count = max(0, self._busy_count + (1 if busy else -1))
        self._set_enabled(self.vault is not None and not self._busy_count)

    def _set_enabled(self, enabled: bool) -> None:
        self.save_button.setEnabled(enabled)
        self.test_button.setEnabled(enabled)
