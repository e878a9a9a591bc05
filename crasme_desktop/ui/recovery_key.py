"""Showing a recovery key once: large, copyable, printable, and confirmed.

Used by the first-run wizard and by anything else that makes a new key (rekey). The
person cannot go on until they tick that they have written it down or printed it,
because this is the only moment the key is ever shown.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop.domain.errors import UserError
from crasme_desktop.ui import theme
from crasme_desktop.ui.tasks import TaskRunner
from crasme_desktop.ui.widgets import SECRET_CLIPBOARD_SECONDS, copy_secret

#: Asks where to save the kit; gets a suggested path, returns the chosen one or None.
ChoosePath = Callable[[Path], Path | None]


def ask_kit_path(parent: QWidget | None) -> ChoosePath:
    """The normal file chooser for the kit (tests pass their own `ChoosePath`)."""

    def choose(suggested: Path) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(
            parent,
            QCoreApplication.translate("RecoveryKeyPanel", "Save recovery kit"),
            str(suggested),
            QCoreApplication.translate("RecoveryKeyPanel", "PDF documents (*.pdf)"),
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")

    return choose


def save_recovery_kit(
    target: Path, *, vault_path: Path, vault_id: str, recovery_key: str, created: datetime
) -> Path:
    """Render the kit and write it to `target` safely (temp file, then replace)."""
    from crasme_desktop.formats.recovery_kit import RecoveryKit, render_recovery_kit

    pdf = render_recovery_kit(
        RecoveryKit(
            vault_path=vault_path, vault_id=vault_id, recovery_key=recovery_key, created=created
        )
    )
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(pdf)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise UserError(_save_failure(target, exc)) from exc
    return target


def _save_failure(target: Path, exc: OSError) -> str:
    translate = QCoreApplication.translate
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return translate(
            "RecoveryKeyPanel", "The disk is full, so the recovery kit could not be saved to "
            "{path}.").format(path=target)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return translate(
            "RecoveryKeyPanel", "Crasme Desktop may not write to {folder}; choose another "
            "folder.").format(folder=target.parent)
    if exc.errno == errno.ENOENT:
        return translate(
            "RecoveryKeyPanel", "The folder {folder} does not exist; choose another "
            "folder.").format(folder=target.parent)
    return translate(
        "RecoveryKeyPanel", "The recovery kit could not be saved to {path} ({reason})."
    ).format(path=target, reason=exc.strerror or exc)


def spaced_key(recovery_key: str, per_line: int = 4) -> str:
    """The key in lines of whole groups, as on the printed kit."""
    groups = [g for g in recovery_key.split("-") if g]
    lines = ["-".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line)]
    return "\n".join(lines)


class RecoveryKeyPanel(QWidget):
    """The key in big monospace, with Copy, Save as PDF and the confirmation box."""

    confirmed_changed = Signal(bool)

    def __init__(
        self,
        tasks: TaskRunner,
        *,
        choose_path: ChoosePath | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._choose_path = choose_path or ask_kit_path(self)
        self._vault_path = Path()
        self._vault_id = ""
        self._created = datetime.now().astimezone()
        self.recovery_key = ""
        self.saved_to: Path | None = None

        self.key_label = QLabel()
        self.key_label.setObjectName("recoveryKey")
        self.key_label.setProperty("role", "recoveryKey")
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.copy_button = QPushButton(theme.icon("copy"), self.tr("Copy"))
        self.copy_button.setObjectName("copyKey")
        self.copy_button.clicked.connect(self.copy)
        self.save_button = QPushButton(theme.icon("printer"),
                                       self.tr("Save recovery kit as PDF…"))
        self.save_button.setObjectName("saveKit")
        self.save_button.clicked.connect(self.save_kit)
        self.status = QLabel()
        self.status.setProperty("role", "hint")
        self.status.setWordWrap(True)
        self.status.setObjectName("kitStatus")
        self.confirm = QCheckBox(self.tr("I have written it down or printed it"))
        self.confirm.setObjectName("confirmKey")
        self.confirm.toggled.connect(self.confirmed_changed)

        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        box.addWidget(self.key_label)
        box.addLayout(buttons)
        box.addWidget(self.status)
        box.addSpacing(6)
        box.addWidget(self.confirm)

    def set_key(
        self, recovery_key: str, *, vault_path: Path, vault_id: str, created: datetime
    ) -> None:
        self.recovery_key = recovery_key
        self._vault_path = vault_path
        self._vault_id = vault_id
        self._created = created
        self.key_label.setText(spaced_key(recovery_key))
        self.confirm.setChecked(False)
        self.status.clear()
        self.saved_to = None

    def forget(self) -> None:
        """Drop the key from the widget once it is no longer needed on screen."""
        self.recovery_key = ""
        self.key_label.clear()

    @property
    def confirmed(self) -> bool:
        return self.confirm.isChecked()

    def copy(self) -> None:
        copy_secret(self.recovery_key)
        self.status.setText(self.tr(
            "Copied. Paste it somewhere safe now: the clipboard is cleared in "
            "{seconds} seconds."
        ).format(seconds=SECRET_CLIPBOARD_SECONDS))

    def save_kit(self) -> None:
        # The home folder, not beside the vault: the kit is for printing, and a copy
        # next to the vault would hand both halves to whoever takes the folder.
        name = self.tr("{vault} recovery kit.pdf").format(vault=self._vault_path.stem)
        target = self._choose_path(Path.home() / name)
        if target is None:
            return
        self.save_button.setEnabled(False)
        self.status.setText(self.tr("Saving the recovery kit…"))
        self._tasks.submit(
            save_recovery_kit,
            target,
            vault_path=self._vault_path,
            vault_id=self._vault_id,
            recovery_key=self.recovery_key,
            created=self._created,
            on_done=self._saved,
            on_error=self._save_failed,
        )

    def _saved(self, path: Path) -> None:
        self.saved_to = path
        self.save_button.setEnabled(True)
        self.status.setText(self.tr(
            "Saved to {path}. Print it, then keep the paper somewhere safe.").format(path=path))

    def _save_failed(self, error: UserError) -> None:
        self.save_button.setEnabled(True)
        self.status.setText(error.message)
