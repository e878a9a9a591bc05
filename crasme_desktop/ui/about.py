"""Help › About: the program's name, icon and version, its licence, and the versions of
Qt, SQLCipher and Python it runs on (the lines `crasme --version` prints, so a person
reporting a problem can copy them from either place)."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crasme_desktop import APP_NAME, COPYRIGHT, LICENCE_NAME, __version__, version_text
from crasme_desktop.ui import theme
from crasme_desktop.vault.versions import sqlcipher_version


def about_details() -> str:
    """The version lines: the same text as `crasme --version` after its first line."""
    return version_text(qt=qVersion(), sqlcipher=sqlcipher_version(),
                        python=platform.python_version())


class AboutDialog(QDialog):
    """The About box. `details` holds the copyable version lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutBox")
        self.setWindowTitle(self.tr("About {app}").format(app=APP_NAME))
        self.details = about_details()

        icon = QLabel()
        icon.setObjectName("aboutIcon")
        icon.setPixmap(theme.app_icon().pixmap(64, 64))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)

        self.title = QLabel(f"<b>{APP_NAME}</b> {__version__}")
        self.title.setObjectName("aboutTitle")
        blurb = QLabel(self.tr(
            "A CRM for small offices that keeps everything in one encrypted file on your "
            "own computer. Nothing is sent anywhere."
        ))
        blurb.setWordWrap(True)
        self.licence = QLabel(self.tr(
            "{copyright}.<br>Free software under the {licence}: you may share and "
            "change it under its terms. It comes with no warranty. "
            '<a href="https://www.gnu.org/licenses/gpl-3.0.html">Read the licence</a>.'
        ).format(copyright=COPYRIGHT, licence=LICENCE_NAME))
        self.licence.setObjectName("aboutLicence")
        self.licence.setWordWrap(True)
        self.licence.setOpenExternalLinks(True)
        self.versions = QLabel(self.details.split("\n", 1)[1])
        self.versions.setObjectName("aboutVersions")
        self.versions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.versions.setToolTip(f"PySide6 {PySide6.__version__}")  # untranslated: a name

        text = QVBoxLayout()
        for label in (self.title, blurb, self.versions, self.licence):
            text.addWidget(label)
        row = QHBoxLayout()
        row.addWidget(icon)
        row.addLayout(text, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(self.tr("Copy version details"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

    def copy_details(self) -> None:
        """Put the version lines on the clipboard (for a problem report)."""
        QGuiApplication.clipboard().setText(f"{self.details}\n")
