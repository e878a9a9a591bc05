"""The first-run wizard: where the vault lives, how it is unlocked, its recovery key.

Pages: location → protection (its "Create vault" runs the creation as a task, with
progress) → recovery key (shown once, must be confirmed) → ready (optionally with
sample data). Once the vault exists there is no going back: the protection and key
pages are commit pages, and the wizard cannot be dismissed before the key is
confirmed, because the key is never shown again.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui import theme
from crasme_desktop.ui.passphrase import PassphraseFields
from crasme_desktop.ui.recovery_key import ChoosePath, RecoveryKeyPanel
from crasme_desktop.ui.tasks import TaskRunner

VAULT_SUFFIX = ".crasme"
#: How many made-up people "Start with sample data" adds: enough to look around.
SAMPLE_CONTACTS = 250


def create_and_open(
    path: Path, *, passphrase: str | None, use_keychain: bool, keychain: Any = None
) -> tuple[Any, Any]:
    """Worker-thread job: create the vault, then open it; returns (CreatedVault, Vault)."""
    from crasme_desktop.services import vaults

    created = vaults.create(
        path, passphrase=passphrase, use_keychain=use_keychain, keychain=keychain
    )
    vault = vaults.unlock(
        created.path,
        passphrase=passphrase,
        use_keychain=created.keychain_used,
        keychain=keychain,
        # Only when neither the keychain nor a passphrase was kept can this happen;
        # the key was shown moments ago, so it is the right way in.
        recovery_key=None if (passphrase or created.keychain_used) else created.recovery_key,
    )
    return created, vault


def _text(text: str, role: str = "hint") -> QLabel:
    label = QLabel(text)
    label.setProperty("role", role)
    label.setWordWrap(True)
    return label


class LocationPage(QWizardPage):
    def __init__(self, default_path: Path) -> None:
        super().__init__()
        self.setTitle(self.tr("Welcome to {app}").format(app=APP_NAME))
        self.setSubTitle(
            self.tr("Your contacts, deals and invoices are kept in one encrypted file on this "
            "computer. Choose where that file goes.")
        )
        self.path_edit = QLineEdit(str(default_path))
        self.path_edit.setObjectName("vaultPath")
        self.path_edit.textChanged.connect(self._edited)
        browse = QPushButton(theme.icon("folder"), self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        self.error = _text("", "error")
        self.error.hide()
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        box = QVBoxLayout(self)
        box.addWidget(_text(self.tr("Vault file"), "section"))
        box.addLayout(row)
        box.addWidget(
            _text(
                self.tr("The suggested place is fine for most people. If you pick your own, choose "
                "a folder that your backups include.")
            )
        )
        box.addWidget(self.error)
        box.addStretch(1)

    def vault_path(self) -> Path:
        path = Path(self.path_edit.text().strip()).expanduser()
        return path if path.suffix == VAULT_SUFFIX else path.with_name(path.name + VAULT_SUFFIX)

    def isComplete(self) -> bool:
        return bool(self.path_edit.text().strip())

    def validatePage(self) -> bool:
        path = self.vault_path()
        if path.exists():
            self._fail(self.tr("A vault already exists at {path}; choose another name or folder.")
                       .format(path=path))
            return False
        if path.parent.exists() and not path.parent.is_dir():
            self._fail(self.tr("{path} is a file, not a folder; choose a folder.")
                       .format(path=path.parent))
            return False
        return True

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _edited(self) -> None:
        self.error.hide()
        self.completeChanged.emit()

    def _browse(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Where to keep the vault"), self.path_edit.text(),
            self.tr("{app} vaults (*{suffix})").format(app=APP_NAME, suffix=VAULT_SUFFIX),
        )
        if name:
            self.path_edit.setText(name)


class ProtectionPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("How should the vault be unlocked?"))
        self.setSubTitle(
            self.tr("Everything in the vault is encrypted. Choose how you will open it; you will "
            "also get a recovery key in case everything else is lost.")
        )
        self.keychain_known = False
        self.keychain_available = False
        self.use_keychain = QCheckBox(
            self.tr("Unlock with this computer's keychain (nothing to type)"))
        self.use_keychain.setObjectName("useKeychain")
        self.keychain_note = _text(self.tr("Checking this computer's keychain…"))
        self.use_passphrase = QCheckBox(self.tr("Protect it with a passphrase as well"))
        self.use_passphrase.setObjectName("usePassphrase")
        self.passphrase_note = _text(
            self.tr("With a passphrase you can open the vault on another computer, or after this "
            "computer's keychain has been reset.")
        )
        self.fields = PassphraseFields()
        self.creating = False
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: key derivation time is not known in advance
        self.bar.setFixedHeight(6)
        self.bar.hide()
        self.status = _text("")
        self.status.hide()
        self.error = _text("", "error")
        self.error.setObjectName("createError")
        self.error.hide()
        self.use_keychain.toggled.connect(self._changed)
        self.use_passphrase.toggled.connect(self._changed)
        self.fields.changed.connect(self.completeChanged)
        box = QVBoxLayout(self)
        box.addWidget(self.use_keychain)
        box.addWidget(self.keychain_note)
        box.addSpacing(8)
        box.addWidget(self.use_passphrase)
        box.addWidget(self.passphrase_note)
        box.addWidget(self.fields)
        box.addStretch(1)
        box.addWidget(self.status)
        box.addWidget(self.bar)
        box.addWidget(self.error)
        # A commit page: once the vault exists, Back must not lead to choosing again.
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Create vault"))
        self.use_keychain.setEnabled(False)
        self._changed()

    def set_keychain_available(self, available: bool) -> None:
        self.keychain_known = True
        self.keychain_available = available
        self.use_keychain.setEnabled(available)
        self.use_keychain.setChecked(available)
        if available:
            self.keychain_note.setText(
                self.tr("The key is kept in your computer's keychain, which opens when you log in.")
            )
            self.use_passphrase.setEnabled(True)
        else:
            self.keychain_note.setText(
                self.tr("This computer has no keychain that Crasme Desktop can use, so the vault "
                "needs a passphrase.")
            )
            self.use_passphrase.setText(self.tr("Protect it with a passphrase"))
            self.use_passphrase.setChecked(True)
            self.use_passphrase.setEnabled(False)
        self._changed()

    def wants_passphrase(self) -> bool:
        return self.use_passphrase.isChecked()

    def passphrase(self) -> str | None:
        return self.fields.passphrase() if self.wants_passphrase() else None

    def wants_keychain(self) -> bool:
        return self.keychain_available and self.use_keychain.isChecked()

    def set_creating(self, creating: bool, error: str | None = None) -> None:
        """Show the creation under way (fields frozen), or its failure."""
        self.creating = creating
        for widget in (self.use_keychain, self.use_passphrase):
            widget.setEnabled(not creating)
        if not creating and self.keychain_known:
            self.use_keychain.setEnabled(self.keychain_available)
            self.use_passphrase.setEnabled(self.keychain_available)
        self.fields.set_enabled(not creating)
        self.bar.setVisible(creating)
        self.status.setText(self.tr("Creating your vault: making the key and the file…"))
        self.status.setVisible(creating)
        self.error.setText(error or "")
        self.error.setVisible(bool(error))
        self.completeChanged.emit()

    def validatePage(self) -> bool:
        # Creation runs in the background; Next is pressed again by the wizard when
        # it is done, and only then does this page let the wizard move on.
        wizard = self.wizard()
        if isinstance(wizard, FirstRunWizard) and wizard.created is None:
            if not self.creating:
                wizard.start_creating()
            return False
        return True

    def isComplete(self) -> bool:
        if self.creating or not self.keychain_known:
            return False
        if not (self.wants_keychain() or self.wants_passphrase()):
            return False
        return not self.wants_passphrase() or self.fields.problem() is None

    def _changed(self) -> None:
        self.fields.setVisible(self.use_passphrase.isChecked())
        self.completeChanged.emit()


class RecoveryPage(QWizardPage):
    def __init__(self, tasks: TaskRunner, choose_kit_path: ChoosePath | None) -> None:
        super().__init__()
        self.setTitle(self.tr("Your recovery key"))
        # The wizard header fits two lines; the rest of the explanation is in the body.
        self.setSubTitle(self.tr("Shown only this once. Write it down or print it now."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Continue"))
        self.panel = RecoveryKeyPanel(tasks, choose_path=choose_kit_path)
        self.panel.confirmed_changed.connect(self.completeChanged)
        box = QVBoxLayout(self)
        box.addWidget(
            _text(
                self.tr("If this computer's keychain and your passphrase are ever both lost, this "
                "key is the only way into your vault. Nobody, including us, can recover "
                "the data without it.")
            )
        )
        box.addWidget(self.panel)
        box.addWidget(
            _text(
                self.tr("Print it, or write it down, and keep it away from this computer: with the "
                "key and a copy of the file, anyone could read the vault.")
            )
        )
        box.addStretch(1)

    def isComplete(self) -> bool:
        return self.panel.confirmed


class ReadyPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("All set"))
        self.setSubTitle(self.tr("Your vault is created and open."))
        self.summary = _text("")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty = QRadioButton(self.tr("Start with an empty vault"))
        self.empty.setChecked(True)
        self.sample = QRadioButton(self.tr(
            "Start with sample data: about {count} made-up people and their "
            "companies to look around with"
        ).format(count=SAMPLE_CONTACTS))
        self.sample.setObjectName("sampleData")
        box = QVBoxLayout(self)
        box.addWidget(self.summary)
        box.addSpacing(8)
        box.addWidget(self.empty)
        box.addWidget(self.sample)
        box.addWidget(_text(
            self.tr("The sample people have made-up names and example.com addresses.")))
        box.addStretch(1)
        self.setButtonText(QWizard.WizardButton.FinishButton,
                           self.tr("Open {app}").format(app=APP_NAME))

    def describe(self, path: Path, *, keychain: bool, passphrase: bool) -> None:
        if keychain and passphrase:
            text = self.tr("The vault is at {path}.\nIt unlocks with this computer's keychain "
                           "or your passphrase, or with the recovery key.")
        elif keychain:
            text = self.tr("The vault is at {path}.\nIt unlocks with this computer's keychain, "
                           "or with the recovery key.")
        else:
            text = self.tr("The vault is at {path}.\nIt unlocks with your passphrase, or with "
                           "the recovery key.")
        self.summary.setText(text.format(path=path))


class FirstRunWizard(QWizard):
    """Creates a vault and leaves it open in `vault` when accepted."""

    def __init__(
        self,
        tasks: TaskRunner,
        default_path: Path,
        *,
        keychain: Any = None,
        choose_kit_path: ChoosePath | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunWizard")
        self.setWindowTitle(self.tr("Set up {app}").format(app=APP_NAME))
        self.setWindowIcon(theme.app_icon())
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, theme.app_icon().pixmap(48, 48))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.resize(720, 560)
        self._tasks = tasks
        self._keychain = keychain
        self.created: Any = None
        self.vault: Any = None
        self.location = LocationPage(default_path)
        self.protection = ProtectionPage()
        self.recovery = RecoveryPage(tasks, choose_kit_path)
        self.ready = ReadyPage()
        for page in (self.location, self.protection, self.recovery, self.ready):
            self.addPage(page)

    def set_keychain_available(self, available: bool) -> None:
        """Called once the background check of the keychain has an answer."""
        self.protection.set_keychain_available(available)

    @property
    def wants_sample_data(self) -> bool:
        return self.ready.sample.isChecked()

    def start_creating(self) -> None:
        self.protection.set_creating(True)
        # No Back or Cancel while the file is being made: either would leave the
        # wizard on a page that no longer matches what exists on disk.
        self.setButtonLayout(
            [QWizard.WizardButton.Stretch, QWizard.WizardButton.CommitButton]
        )
        self._tasks.submit(
            create_and_open,
            self.location.vault_path(),
            passphrase=self.protection.passphrase(),
            use_keychain=self.protection.wants_keychain(),
            keychain=self._keychain,
            on_done=self._created,
            on_error=self._create_failed,
        )

    def _created(self, result: tuple[Any, Any]) -> None:
        self.created, self.vault = result
        # From here the vault exists: no way back, and no Cancel that would hide the key.
        self._restore_buttons(created=True)
        self.recovery.panel.set_key(
            self.created.recovery_key,
            vault_path=self.created.path,
            vault_id=self.created.vault_id,
            created=datetime.now().astimezone(),
        )
        self.ready.describe(
            self.created.path,
            keychain=self.created.keychain_used,
            passphrase=self.protection.wants_passphrase(),
        )
        self.protection.set_creating(False)
        self.next()

    def _create_failed(self, error: UserError) -> None:
        self._restore_buttons()
        self.protection.set_creating(False, error.message)

    def _restore_buttons(self, *, created: bool = False) -> None:
        buttons = [QWizard.WizardButton.Stretch]
        if not created:
            buttons.append(QWizard.WizardButton.BackButton)
        buttons += [
            QWizard.WizardButton.NextButton,
            QWizard.WizardButton.CommitButton,
            QWizard.WizardButton.FinishButton,
        ]
        if not created:
            buttons.append(QWizard.WizardButton.CancelButton)
        self.setButtonLayout(buttons)

    def accept(self) -> None:
        self.recovery.panel.forget()
        super().accept()

    def reject(self) -> None:
        # Before the key is confirmed, closing would lose the only sight of it.
        if self.created is not None and not self.recovery.panel.confirmed:
            return
        if self.created is not None:
            self.accept()
            return
        super().reject()
