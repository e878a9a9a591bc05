"""The Backups section of the Settings page, and the dialog that restores one.

Where backups go (beside the vault unless a folder is chosen, such as an external
drive or a synced folder), how often they are made on their own, whether one is made
when the app closes, and how long they are kept. "Back up now" makes and checks one
with a progress bar; "Restore…" lists the backups and swaps a checked one in, after a
backup of the vault as it is. Everything runs in the task runner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.pages.base import label
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import line_edit, push_button, row_table, titled_card

#: The columns of both backup lists (this computer's and the off-site one).
BACKUP_COLUMNS = ("Made", "Why", "Size")
#: A restore changes every record: every page refreshes.
RESTORED = frozenset({"vault"})
REASONS = {
    "manual": "Made by hand",
    "daily": "Automatic",
    "quit": "When closing",
    "before-restore": "Before a restore",
}


def describe_reason(reason: str) -> str:
    if reason.startswith("before-upgrade"):
        return "Before an update"
    base = reason.rsplit("-", 1)[0] if reason[-1:].isdigit() and "-" in reason else reason
    return REASONS.get(reason, REASONS.get(base, reason.replace("-", " ").capitalize()))


def local_time(moment: Any) -> str:
    """A UTC datetime in the user's time zone and locale, short form."""
    from PySide6.QtCore import QDateTime

    stamp = QDateTime.fromSecsSinceEpoch(int(moment.timestamp())).toLocalTime()
    return QLocale().toString(stamp, QLocale.FormatType.ShortFormat)


def file_size(size: int) -> str:
    return QLocale().formattedDataSize(size)


class BackupSettingsSection(QWidget):
    """A card for the Settings page; `attach(vault)` loads, `clear()` forgets."""

    #: The backup status (`services.backups.BackupStatus`) each time it is read.
    status_changed = Signal(object)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupSettings")
        self.tasks = tasks
        self.vault: Any = None
        self.status: Any = None
        self._loading = False
        self.restore_dialog: RestoreDialog | None = None

        self.summary = label("", "value")
        self.summary.setObjectName("backupSummary")
        self.drill = label("", "hint")
        self.drill.setObjectName("backupDrill")

        self.folder = QLineEdit()
        self.folder.setObjectName("backupFolder")
        self.folder.setReadOnly(True)
        self.folder.setAccessibleName("Backup folder")
        self.choose_folder = QPushButton("Choose…")
        self.choose_folder.setObjectName("chooseBackupFolder")
        self.choose_folder.setToolTip("Back up to another folder, such as an external drive")
        self.choose_folder.clicked.connect(self._choose_folder)
        self.default_folder = QPushButton("Beside the vault")
        self.default_folder.setObjectName("defaultBackupFolder")
        self.default_folder.setToolTip("Keep backups in the folder next to the vault file")
        self.default_folder.clicked.connect(lambda: self._save(folder=""))

        self.interval = QSpinBox()
        self.interval.setObjectName("backupInterval")
        self.interval.setRange(0, 365)
        self.interval.setPrefix("every ")
        self.interval.setSuffix(" day(s)")
        self.interval.setSpecialValueText("Off")
        self.interval.setAccessibleName("Automatic backup interval in days")
        self.interval.valueChanged.connect(lambda v: self._save(interval_days=v))
        self.on_quit = QCheckBox("Also when Crasme Desktop closes, if anything changed")
        self.on_quit.setObjectName("backupOnQuit")
        self.on_quit.toggled.connect(lambda v: self._save(on_quit=v))
        self.keep = QSpinBox()
        self.keep.setObjectName("backupKeepDays")
        self.keep.setRange(1, 3650)
        self.keep.setSuffix(" days")
        self.keep.setAccessibleName("Keep backups for this many days")
        self.keep.valueChanged.connect(lambda v: self._save(keep_days=v))

        self.backup_now = QPushButton("Back up now")
        self.backup_now.setObjectName("backupNow")
        self.backup_now.setToolTip("Make an encrypted backup now and check it")
        self.backup_now.clicked.connect(self.make_backup)
        self.restore_button = QPushButton("Restore…")
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.setToolTip("Replace the vault's contents with one of its backups")
        self.restore_button.clicked.connect(self.open_restore)
        self.test_button = QPushButton("Test a restore")
        self.test_button.setObjectName("testRestore")
        self.test_button.setToolTip(
            "Prove that the newest backup restores (this also runs once a month on its own)"
        )
        self.test_button.clicked.connect(self.run_drill)
        self.note = label("", "hint")
        self.note.setObjectName("backupNote")

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.choose_folder)
        folder_row.addWidget(self.default_folder)
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(10)
        form.addRow("Status", self.summary)
        form.addRow("", self.drill)
        form.addRow("Folder", folder_row)
        form.addRow("Automatic backup", self.interval)
        form.addRow("", self.on_quit)
        form.addRow("Keep backups for", self.keep)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_now)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)

        frame, box = titled_card("Backups", "backupCard")
        box.addLayout(form)
        box.addWidget(label(
            "Backups are encrypted with the vault's own key and checked as soon as they "
            "are made. The newest checked backup is always kept, however old.", "hint"))
        box.addLayout(buttons)
        box.addWidget(self.note)
        self.offsite = OffsiteSection(tasks, self)
        self.offsite.sent.connect(lambda _outcome: self.refresh())
        self.offsite.restored.connect(self._restored)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        outer.addWidget(self.offsite)

    # -- loading ------------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self.offsite.attach(vault)
        self.refresh()

    def clear(self) -> None:
        self.vault = None
        self.status = None
        self.offsite.clear()
        self.summary.clear()
        self.drill.clear()
        self.note.clear()
        self.folder.clear()

    def refresh(self) -> None:
        if self.vault is None:
            return
        self.tasks.submit(service("backups.backup_status"), self.vault, on_done=self.show_status)

    def show_status(self, status: Any) -> None:
        if self.vault is None:
            return
        self.status = status
        prefs = status.preferences
        self._loading = True
        self.folder.setText(str(status.folder))
        self.folder.setToolTip(str(status.folder))
        self.interval.setValue(prefs.interval_days)
        self.on_quit.setChecked(prefs.on_quit)
        self.keep.setValue(prefs.keep_days)
        self._loading = False
        self.default_folder.setEnabled(bool(prefs.folder))
        text = status.summary
        if status.last_good is not None:
            text = f"Last good backup: {local_time(status.last_good.at)}"
            if status.overdue:
                text += " (older than the interval you chose)"
        self.summary.setText(text)
        self.summary.setProperty("state", "warning" if status.overdue else "")
        drill = status.last_drill
        if drill is None:
            self.drill.setText("No restore has been tested yet.")
        else:
            verdict = "passed" if drill.ok else "FAILED"
            self.drill.setText(
                f"Restore test {verdict} on {local_time(drill.at)}: {drill.message}"
            )
        self.offsite.show_status(status.offsite)
        self.status_changed.emit(status)

    # -- changing ----------------------------------------------------------------
    def _save(self, **change: Any) -> None:
        if self._loading or self.vault is None or self.status is None:
            return
        from dataclasses import replace

        prefs = replace(self.status.preferences, **change)
        self.tasks.submit(
            service("backups.save_preferences"), self.vault, prefs,
            writes={"backups"}, on_done=lambda _p: self.refresh(), on_error=self._failed,
        )

    def _choose_folder(self) -> None:
        start = self.folder.text() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Choose the backup folder", start)
        if chosen:
            self._save(folder=chosen)

    def make_backup(self) -> None:
        if self.vault is None:
            return
        self.note.clear()
        self.backup_now.setEnabled(False)
        self.tasks.submit(
            service("backups.make_backup"), self.vault,
            progress_title="Backing up the vault", cancellable=True, writes={"backups"},
            on_done=self._made, on_error=self._failed,
        )

    def _made(self, info: Any) -> None:
        self.backup_now.setEnabled(True)
        self.note.setText(
            f"Backed up and checked: {info.path.name} ({file_size(info.size)})."
        )
        self.refresh()

    def run_drill(self) -> None:
        if self.vault is None:
            return
        self.note.clear()
        self.tasks.submit(
            service("backups.restore_drill"), self.vault, force=True, writes={"backups"},
            progress_title="Testing a restore", on_done=self._drilled, on_error=self._failed,
        )

    def _drilled(self, report: Any) -> None:
        self.note.setText(report.message)
        self.refresh()

    def _failed(self, error: UserError) -> None:
        self.backup_now.setEnabled(True)
        self.note.setText(error.message)
        self.refresh()

    def open_restore(self) -> None:
        if self.vault is None:
            return
        dialog = RestoreDialog(self.tasks, self.vault, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restored.connect(lambda outcome: self._restored(outcome))
        self.restore_dialog = dialog
        dialog.open()

    def _restored(self, outcome: Any) -> None:
        self.note.setText(
            f"Restored the backup of {local_time(outcome.restored.created_at)}. The vault "
            f"as it was before is kept in {outcome.safety_backup.path.name}."
        )
        self.refresh()


class RestoreDialog(QDialog):
    """The backups of this vault, newest first; check one or restore it."""

    restored = Signal(object)

    def __init__(self, tasks: TaskRunner, vault: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle("Restore a backup")
        self.setMinimumSize(640, 380)
        self.tasks = tasks
        self.vault = vault
        self.backups: list[Any] = []
        self.table = row_table("backupList", BACKUP_COLUMNS,
                               accessible="Backups, newest first")
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.ask_restore())
        self.message = label("Reading the backup folder…", "hint")
        self.message.setObjectName("restoreMessage")
        self.check_button = QPushButton("Check")
        self.check_button.setObjectName("checkBackup")
        self.check_button.setToolTip("Run both integrity checks and compare the record counts")
        self.check_button.clicked.connect(self.check_selected)
        self.restore_button = QPushButton("Restore…")
        self.restore_button.setObjectName("restoreSelected")
        self.restore_button.clicked.connect(self.ask_restore)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label(
            "Restoring replaces everything in the vault with the chosen backup. A backup "
            "of the vault as it is now is made first, so a restore can itself be undone.",
            "hint"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._selection_changed()
        tasks.submit(service("backups.list_backups"), vault, on_done=self.show_backups,
                     on_error=lambda e: self.message.setText(e.message))

    def show_backups(self, backups: list[Any]) -> None:
        self.backups = list(backups)
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            made = QTableWidgetItem(local_time(info.created_at))
            made.setToolTip(str(info.path))
            size = QTableWidgetItem(file_size(info.size))
            size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, 0, made)
            self.table.setItem(row, 1, QTableWidgetItem(describe_reason(info.reason)))
            self.table.setItem(row, 2, size)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        if self.backups:
            self.table.selectRow(0)
            self.message.setText(f"{len(self.backups)} backups, newest first.")
        else:
            self.message.setText("There are no backups in the backup folder yet.")
        self.table.setFocus()

    def selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        has = self.selected() is not None if self.backups else False
        self.check_button.setEnabled(has)
        self.restore_button.setEnabled(has)

    def check_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        self.message.setText("Checking…")
        self.tasks.submit(service("backups.check_backup"), self.vault, info.path,
                          progress_title="Checking the backup", on_done=self._checked,
                          on_error=lambda e: self.message.setText(e.message))

    def _checked(self, check: Any) -> None:
        if check.ok:
            total = sum(check.counts.values())
            self.message.setText(f"The backup is intact ({total} rows, both checks passed).")
        else:
            self.message.setText("This backup is damaged: " + "; ".join(check.problems) + ".")

    def ask_restore(self) -> None:
        info = self.selected()
        if info is None:
            return
        answer = QMessageBox.question(
            self,
            "Restore this backup?",
            f"Replace everything in the vault with the backup made {local_time(info.created_at)}?"
            " Changes made since then will be in the safety backup made first, not in the "
            "vault.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restore(info)

    def restore(self, info: Any) -> None:
        self.message.setText("Restoring…")
        self.restore_button.setEnabled(False)
        self.tasks.submit(
            service("backups.restore_backup"), self.vault, info.path,
            writes=RESTORED, progress_title="Restoring the backup",
            on_done=self._restored, on_error=self._failed,
        )

    def _restored(self, outcome: Any) -> None:
        self.restored.emit(outcome)
        self.accept()

    def _failed(self, error: UserError) -> None:
        self.restore_button.setEnabled(True)
        self.message.setText(error.message)


def offsite_text(status: Any) -> tuple[str, bool]:
    """What the Settings page (and the status bar) say about off-site copies, and
    whether it is a warning; `status` is `services.offsite.OffsiteStatus` or None."""
    if status is None or not status.configured:
        return "Off-site copies are off: backups stay on this computer.", False
    if status.last_good is None:
        text = "No off-site copy yet."
    else:
        text = f"Last off-site copy: {local_time(status.last_good.sent_at)}"
    if status.last_failure is not None:
        return f"{text} The last attempt failed: {status.last_failure.message}", True
    return text, False


class OffsiteSection(QWidget):
    """The "Off-site copy" card: S3-compatible storage for copies of the backups."""

    sent = Signal(object)
    restored = Signal(object)

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offsiteSettings")
        self.tasks = tasks
        self.vault: Any = None
        self.setup: Any = None
        self.restore_dialog: RemoteRestoreDialog | None = None

        self.status = label("", "value")
        self.status.setObjectName("offsiteStatus")
        self.endpoint = self._field("offsiteEndpoint", "Endpoint address",
                                    "Empty for Amazon S3, or e.g. https://s3.wasabisys.com")
        self.region = self._field("offsiteRegion", "Region", "e.g. eu-central-1")
        self.bucket = self._field("offsiteBucket", "Bucket", "the bucket's name")
        self.prefix = self._field("offsitePrefix", "Folder in the bucket", "optional")
        self.access_key = self._field("offsiteAccessKey", "Access key id", "")
        self.secret = self._field("offsiteSecret", "Secret access key", "")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)

        self.save_button = self._button("offsiteSave", "Save", self.save,
                                        "Keep these settings (the secret goes to the keychain)")
        self.test_button = self._button("offsiteTest", "Test connection", self.test_connection,
                                        "Write a small test file to the bucket and delete it")
        self.push_button = self._button("offsitePush", "Send to off-site now", self.push,
                                        "Send the newest backup off-site and check it there")
        self.restore_button = self._button("offsiteRestore", "Restore from off-site…",
                                           self.open_restore,
                                           "List the off-site backups and restore one")
        self.forget_button = self._button("offsiteForget", "Stop off-site copies", self.forget,
                                          "Forget these settings and the secret access key")
        self.note = label("", "hint")
        self.note.setObjectName("offsiteNote")

        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(10)
        form.addRow("Status", self.status)
        for widget in (self.endpoint, self.region, self.bucket, self.prefix,
                       self.access_key, self.secret):
            form.addRow(widget.accessibleName(), widget)
        buttons = QHBoxLayout()
        for button in (self.save_button, self.test_button, self.push_button,
                       self.restore_button, self.forget_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        frame, box = titled_card("Off-site copy", "offsiteCard")
        box.addWidget(label(
            "Optionally, each backup is also sent to storage you rent (Amazon S3, Wasabi or "
            "any S3-compatible service). What is sent is the backup as it lies on disk, "
            "already encrypted: the vault's pages, a manifest (dates, sizes and record "
            "counts, no personal data) and the key slots (the vault's key locked by your "
            "passphrase and by the recovery key, so one of them is still needed to open "
            "it). Nothing else leaves this computer, and nothing at all until this is set "
            "up. The secret access key is kept in this computer's keychain only.", "hint"))
        box.addLayout(form)
        box.addLayout(buttons)
        box.addWidget(self.note)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self._enable()

    def _field(self, name: str, accessible: str, placeholder: str) -> QLineEdit:
        return line_edit(name, placeholder, accessible=accessible)

    def _button(self, name: str, text: str, slot: Any, tip: str) -> QPushButton:
        return push_button(text, name, slot, tip=tip)

    # -- loading ------------------------------------------------------------------
    def attach(self, vault: Any) -> None:
        self.vault = vault
        self.tasks.submit(service("offsite.offsite_setup"), vault, on_done=self.show_setup,
                          on_error=self._failed)

    def clear(self) -> None:
        self.vault = None
        self.setup = None
        for edit in (self.endpoint, self.region, self.bucket, self.prefix, self.access_key,
                     self.secret):
            edit.clear()
        self.note.clear()
        self.status.clear()
        self._enable()

    def show_setup(self, setup: Any) -> None:
        if self.vault is None:
            return
        self.setup = setup
        settings = setup.settings
        self.endpoint.setText(settings.endpoint_url)
        self.region.setText(settings.region)
        self.bucket.setText(settings.bucket)
        self.prefix.setText(settings.prefix)
        self.access_key.setText(settings.access_key_id)
        self.secret.clear()
        if setup.secret_saved:
            self.secret.setPlaceholderText("saved in this computer's keychain")
        elif not setup.keychain_available:
            self.secret.setPlaceholderText("no keychain here: typed for each copy")
        else:
            self.secret.setPlaceholderText("")
        self.show_status(setup.status)
        self._enable()

    def show_status(self, status: Any) -> None:
        text, warning = offsite_text(status)
        self.status.setText(text)
        self.status.setProperty("state", "warning" if warning else "")

    def _enable(self) -> None:
        configured = self.setup is not None and self.setup.settings.configured
        for button in (self.push_button, self.restore_button, self.forget_button):
            button.setEnabled(configured)
        self.save_button.setEnabled(self.vault is not None)
        self.test_button.setEnabled(self.vault is not None)

    def form_settings(self) -> dict[str, str]:
        return {"endpoint_url": self.endpoint.text(), "region": self.region.text(),
                "bucket": self.bucket.text(), "prefix": self.prefix.text(),
                "access_key_id": self.access_key.text()}

    def _typed_secret(self) -> str | None:
        return self.secret.text().strip() or None

    # -- actions ------------------------------------------------------------------
    def save(self) -> None:
        if self.vault is None:
            return
        self.note.setText("Saving…")
        self.tasks.submit(service("offsite.save_settings"), self.vault, self.form_settings(),
                          self._typed_secret(), writes={"backups"},
                          on_done=self._saved, on_error=self._failed)

    def _saved(self, setup: Any) -> None:
        self.show_setup(setup)
        self.note.setText("Saved. Use “Test connection” to check them." if
                          setup.settings.configured else "Saved: off-site copies are off.")

    def test_connection(self) -> None:
        if self.vault is None:
            return
        self.note.setText("Connecting…")
        self.test_button.setEnabled(False)
        self.tasks.submit(service("offsite.test_connection"), self.vault,
                          self.form_settings(), self._typed_secret(),
                          progress_title="Testing the off-site connection",
                          on_done=self._tested, on_error=self._failed)

    def _tested(self, message: str) -> None:
        self._enable()
        self.note.setText(message)

    def push(self) -> None:
        if self.vault is None:
            return
        self.note.setText("Sending…")
        self.push_button.setEnabled(False)
        self.tasks.submit(service("offsite.push_backup"), self.vault,
                          secret_key=self._typed_secret(), writes={"backups"},
                          progress_title="Sending the backup off-site", cancellable=True,
                          on_done=self._pushed, on_error=self._failed)

    def _pushed(self, outcome: Any) -> None:
        self._enable()
        self.note.setText(f"Sent and checked off-site: {outcome.copy.name} "
                          f"({file_size(outcome.copy.size)}).")
        self.sent.emit(outcome)

    def forget(self) -> None:
        if self.vault is None:
            return
        answer = QMessageBox.question(
            self, "Stop off-site copies?",
            "Forget the storage settings and remove the secret access key from the "
            "keychain? The copies already sent stay in the bucket.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.tasks.submit(service("offsite.forget_settings"), self.vault, writes={"backups"},
                          on_done=lambda _r: self.attach(self.vault), on_error=self._failed)

    def open_restore(self) -> None:
        if self.vault is None:
            return
        dialog = RemoteRestoreDialog(self.tasks, self.vault, self._typed_secret(), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.restored.connect(self.restored.emit)
        self.restore_dialog = dialog
        dialog.open()

    def _failed(self, error: UserError) -> None:
        self._enable()
        self.note.setText(error.message)
        if self.vault is not None:
            self.tasks.submit(service("offsite.offsite_status"), self.vault,
                              on_done=self.show_status)


class RemoteRestoreDialog(QDialog):
    """The off-site backups of this vault, newest first; restore one."""

    restored = Signal(object)

    def __init__(self, tasks: TaskRunner, vault: Any, secret: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("remoteRestoreDialog")
        self.setWindowTitle("Restore an off-site backup")
        self.setMinimumSize(600, 360)
        self.tasks = tasks
        self.vault = vault
        self.secret = secret
        self.backups: list[Any] = []
        self.table = row_table("remoteBackupList", BACKUP_COLUMNS,
                               accessible="Off-site backups, newest first")
        self.message = label("Asking the off-site storage…", "hint")
        self.message.setObjectName("remoteRestoreMessage")
        self.restore_button = QPushButton("Restore…")
        self.restore_button.setObjectName("remoteRestoreSelected")
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.ask_restore)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label(
            "The chosen backup is downloaded, compared with what was sent, checked like any "
            "backup, and only then swapped in; a backup of the vault as it is comes first.",
            "hint"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        tasks.submit(service("offsite.list_remote"), vault, secret_key=secret,
                     on_done=self.show_backups, on_error=lambda e: self.message.setText(e.message))

    def show_backups(self, backups: list[Any]) -> None:
        self.backups = [b for b in backups if b.complete]
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            self.table.setItem(row, 0, QTableWidgetItem(local_time(info.created_at)))
            self.table.setItem(row, 1, QTableWidgetItem(describe_reason(info.reason)))
            size = QTableWidgetItem(file_size(info.size))
            size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, 2, size)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        if self.backups:
            self.table.selectRow(0)
            self.message.setText(f"{len(self.backups)} off-site backups, newest first.")
        else:
            self.message.setText("There are no off-site backups of this vault yet.")
        self.restore_button.setEnabled(bool(self.backups))

    def selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def ask_restore(self) -> None:
        info = self.selected()
        if info is None:
            return
        answer = QMessageBox.question(
            self, "Restore this off-site backup?",
            f"Replace everything in the vault with the off-site backup made "
            f"{local_time(info.created_at)}? Changes made since then will be in the safety "
            "backup made first, not in the vault.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restore(info)

    def restore(self, info: Any) -> None:
        self.message.setText("Downloading and checking…")
        self.restore_button.setEnabled(False)
        self.tasks.submit(
            service("offsite.restore_remote"), self.vault, info.name, secret_key=self.secret,
            writes=RESTORED, progress_title="Restoring the off-site backup",
            on_done=self._restored, on_error=self._failed,
        )

    def _restored(self, outcome: Any) -> None:
        self.restored.emit(outcome)
        self.accept()

    def _failed(self, error: UserError) -> None:
        self.restore_button.setEnabled(True)
        self.message.setText(error.message)
