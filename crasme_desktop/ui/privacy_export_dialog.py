"""The export dialog (the whole vault, or everything held on one person) and the view
of the record of processing, both opened from the Privacy page.

Neither imports a service: the work is named with `jobs.service` and runs on the task
runner's workers, with its progress dialog and Cancel.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME
from crasme_desktop.domain.errors import Cancelled, UserError
from crasme_desktop.ui.jobs import service
from crasme_desktop.ui.permission_gate import allowed, gate
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import ChooseSavePath, ask_save_path, escaped_lines

MIN_PASSWORD = 8
NOT_ENCRYPTED = ("The file will not be encrypted: anyone who gets a copy of it can read "
                 "everything in it.")


def _documents() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()


def _file_stem(text: str) -> str:
    kept = "".join(c if c.isalnum() or c in "-_" else "-" for c in text.strip())
    return "-".join(p for p in kept.split("-") if p) or "person"


def _cancellable(name: str) -> Any:
    """The service job, with Cancel coming back as None (so the dialog can say so)."""
    job = service(name)

    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return job(*args, **kwargs)
        except Cancelled:
            return None

    return run


class ExportDialog(QDialog):
    """Export the whole vault, or with `person_id` one person's data, as one ZIP."""

    def __init__(self, tasks: TaskRunner, vault: Any, person_id: str | None = None,
                 parent: QWidget | None = None, *,
                 choose_path: ChooseSavePath | None = None) -> None:
        super().__init__(parent)
        self.tasks, self.vault, self.person_id = tasks, vault, person_id
        self.task: Any = None
        self.summary: Any = None
        self._choose = choose_path or ask_save_path(self, "Export to")
        person = person_id is not None
        self.setWindowTitle(f"Export this person's data – {APP_NAME}" if person
                            else f"Export the whole vault – {APP_NAME}")
        self.setObjectName("privacy-export-dialog")
        intro = QLabel(
            "Everything held on this person goes into one ZIP file: their data as JSON and "
            "CSV, a vCard, a calendar file, their invoices as PDFs and a readable report. "
            "Other people's data is left out." if person else
            "Every record of the vault goes into one ZIP file: JSON and CSV for each kind "
            "of record, the contacts as vCards, a calendar file, attached files and the "
            "invoices as PDFs. It can be imported into a new vault.")
        intro.setWordWrap(True)
        self.path_edit = QLineEdit(str(self._suggested("")))
        self.path_edit.setObjectName("export-path")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path_edit, 1)
        where.addWidget(browse)
        self.encrypt = QCheckBox("Encrypt the file with a password (AES-256)")
        self.encrypt.setChecked(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setObjectName("export-password")
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setObjectName("export-password-repeat")
        self.warning = QLabel(NOT_ENCRYPTED)
        self.warning.setObjectName("export-not-encrypted")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b54708; font-weight: 600;")
        self.status = QLabel("")
        self.status.setObjectName("export-status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("Save to", where)
        form.addRow("", self.encrypt)
        form.addRow("Password", self.password)
        form.addRow("Repeat it", self.repeat)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("export-button")
        self.export_button.setDefault(True)
        gate(self.export_button, self.vault, "export")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.encrypt.toggled.connect(self._encryption_changed)
        self._encryption_changed(True)
        if person:
            tasks.submit(service("contacts.get_person"), vault, person_id,
                         on_done=self._person_loaded, on_error=self._show_error)

    # -- choices -------------------------------------------------------------------------
    def _suggested(self, name: str) -> Path:
        day = date.today().isoformat()
        if self.person_id is None:
            return _documents() / f"crasme-export-{day}.zip"
        return _documents() / f"{_file_stem(name)}-personal-data-{day}.zip"

    def _person_loaded(self, record: Any) -> None:
        name = getattr(record, "display_name", "") or "person"
        if self.path_edit.text() == str(self._suggested("")):
            self.path_edit.setText(str(self._suggested(name)))

    def _browse(self) -> None:
        chosen = self._choose(Path(self.path_edit.text()))
        if chosen is not None:
            self.path_edit.setText(str(chosen if chosen.suffix.lower() == ".zip"
                                       else chosen.with_suffix(".zip")))

    def _encryption_changed(self, on: bool) -> None:
        self.password.setEnabled(on)
        self.repeat.setEnabled(on)
        self.warning.setVisible(not on)

    # -- export --------------------------------------------------------------------------
    def _checked_password(self) -> str | None:
        if not self.encrypt.isChecked():
            return None
        password = self.password.text()
        if len(password) < MIN_PASSWORD:
            raise UserError(f"Choose a password of at least {MIN_PASSWORD} characters, or "
                            "turn encryption off.")
        if password != self.repeat.text():
            raise UserError("The two passwords differ; type the same password twice.")
        return password

    def start(self) -> None:
        if not allowed(self.vault, "export"):
            return
        try:
            password = self._checked_password()
            text = self.path_edit.text().strip()
            if not text:
                raise UserError("Choose where to save the export.")
        except UserError as error:
            self._show_error(error)
            return
        path = Path(text).expanduser()
        self.export_button.setEnabled(False)
        self.status.setText("Exporting…")
        if self.person_id is None:
            args: tuple[Any, ...] = (self.vault, path)
            job = _cancellable("privacy_export.export_vault")
        else:
            args = (self.vault, self.person_id, path)
            job = _cancellable("privacy_export.export_person")
        self.task = self.tasks.submit(
            job, *args, password=password, on_done=self._done, on_error=self._show_error,
            progress_title="Exporting…", cancellable=True, writes={"privacy"})

    def _done(self, summary: Any) -> None:
        self.export_button.setEnabled(allowed(self.vault, "export"))
        if summary is None:
            self.status.setText("The export was cancelled; nothing was written.")
            return
        self.summary = summary
        self.status.setText(summary.message)

    def _show_error(self, error: UserError) -> None:
        self.export_button.setEnabled(allowed(self.vault, "export"))
        self.status.setText(error.message)


class ProcessingRecordView(QWidget):
    """The record of processing, made from the personal-data map and the settings."""

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None, *,
                 choose_path: ChooseSavePath | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.vault: Any = None
        self.record: Any = None
        self._choose = choose_path or ask_save_path(self, "Save the record of processing")
        self.setObjectName("processing-record-view")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.save_button = QPushButton("Save as PDF…")
        self.save_button.setObjectName("processing-record-save")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save_pdf)
        self.status = QLabel("")
        self.status.setObjectName("processing-record-status")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser, 1)
        layout.addLayout(row)

    def show(self, vault: Any) -> None:  # type: ignore[override]
        """Load the record of `vault` (and show the widget)."""
        self.vault = vault
        if gate(self.save_button, vault, "print"):
            self.save_button.setEnabled(self.record is not None)
        super().show()
        self.browser.setPlainText("Loading…")
        self.tasks.submit(service("processing_record.processing_record"), vault,
                          on_done=self._loaded, on_error=self._show_error)

    def _loaded(self, record: Any) -> None:
        self.record = record
        self.browser.setHtml(record_html(record))
        gate(self.save_button, self.vault, "print")

    def save_pdf(self) -> None:
        if self.vault is None or not allowed(self.vault, "print"):
            return
        day = date.today().isoformat()
        chosen = self._choose(_documents() / f"record-of-processing-{day}.pdf")
        if chosen is None:
            return
        target = chosen if chosen.suffix.lower() == ".pdf" else chosen.with_suffix(".pdf")
        self.status.setText("Saving…")
        self.tasks.submit(service("processing_record.save_processing_record_pdf"),
                          self.vault, target, on_done=self._saved, on_error=self._show_error)

    def _saved(self, path: Any) -> None:
        self.status.setText(f"The record of processing was saved to {path}.")

    def _show_error(self, error: UserError) -> None:
        self.status.setText(error.message)


def record_html(record: Any) -> str:
    def items(values: Any) -> str:
        return "<ul>" + "".join(f"<li>{escaped_lines(v)}</li>" for v in values) + "</ul>"

    parts = [f"<h2>Record of processing</h2><p>{escaped_lines(record.controller)} — "
             f"prepared on {record.generated_on.isoformat()}</p>"]
    for activity in record.activities:
        parts.append(
            f"<h3>{escaped_lines(activity.purpose)}</h3>"
            f"<p><b>Legal ground:</b> {escaped_lines(activity.legal_ground)}<br>"
            f"<b>People concerned:</b> {escaped_lines(activity.subjects)}<br>"
            f"<b>Records:</b> {escaped_lines(', '.join(activity.records))}</p>"
            f"<p><b>Data</b></p>{items(activity.categories)}"
            f"<p><b>Kept</b></p>{items(activity.retention)}")
    for title, values in (("Where the data is stored", record.storage),
                          ("Who receives it", record.recipients),
                          ("How it is protected", record.security)):
        parts.append(f"<h3>{title}</h3>{items(values)}")
    return "".join(parts)
