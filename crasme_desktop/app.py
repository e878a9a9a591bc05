"""Start-up wiring for the window: Qt first, the database stack in the background.

A bare Qt window shows in about a quarter of a second, while SQLAlchemy, the vault
and the keychain take the better part of a second to import. So `run` creates the
QApplication and shows the unlock screen (or the first-run wizard) before any of that
is imported, and the controller's first background task imports it while the person
looks at the window.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from crasme_desktop import APP_NAME, BUNDLE_ID

log = logging.getLogger(__name__)


def set_windows_app_id(platform: str = sys.platform, shell32: Any = None) -> bool:
    """On Windows, give this process the same explicit AppUserModelID as the Start-menu
    shortcut the installer makes (`installers/windows/crasme.iss`), before any window
    exists: Windows then groups the window under the pinned taskbar icon instead of
    showing a second one. Elsewhere nothing is done. True when it was set."""
    if platform != "win32":
        return False
    if shell32 is None:
        import ctypes

        shell32 = ctypes.windll.shell32  # type: ignore[attr-defined]
    try:
        return int(shell32.SetCurrentProcessExplicitAppUserModelID(BUNDLE_ID)) == 0  # S_OK
    except (AttributeError, OSError) as exc:  # very old Windows: keep the default grouping
        log.info("Could not set the AppUserModelID: %s", exc)
        return False


def run(vault_path: Path | None, *, argv: list[str]) -> int:
    """Open the window for `vault_path` (default: the usual place); returns the exit code."""
    set_windows_app_id()
    from PySide6.QtCore import QLocale, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from crasme_desktop.ui import theme
    from crasme_desktop.ui.controller import AppController
    from crasme_desktop.ui.crash import CrashReporter, setup_logging

    # The vault package loads its names lazily: this costs no SQLAlchemy import.
    from crasme_desktop.vault import load_app_settings, paths

    log_path = setup_logging(paths.log_dir())
    settings = load_app_settings()
    if vault_path:
        path = Path(vault_path).expanduser()
    else:
        path = paths.startup_vault_path(settings.last_vault)

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)  # nosec B101  # narrows a type the code above guarantees
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("Crasme")
    app.setDesktopFileName("crasme-desktop")
    app.setWindowIcon(theme.app_icon())
    app.setStyle("Fusion")  # the stylesheet is written for Fusion on every platform
    app.setStyleSheet(theme.stylesheet())
    if QLocale.system().language() == QLocale.Language.C:
        # No locale set up (LANG=C): dates and numbers the common English way rather
        # than Qt's bare "29 11 2023".
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    # Before any window: the translators for the chosen (or the system's) language.
    from crasme_desktop.ui.i18n import apply_language

    apply_language(settings.language)

    crash = CrashReporter(log_path)
    crash.install_hooks()
    controller = AppController(
        path,
        env_passphrase=os.environ.get("CRASME_PASSPHRASE") or None,
        settings=settings,
        crash=crash,
    )
    crash.parent_widget = controller.active_window
    # macOS hands a double-clicked .crasme file to the running program as an event.
    from crasme_desktop.ui.file_open import FileOpenFilter

    file_open = FileOpenFilter(controller.open_requested, app)
    app.installEventFilter(file_open)
    app.aboutToQuit.connect(controller.shutdown)
    controller.start()
    log.info("%s started for %s", APP_NAME, path)
    return int(app.exec())
