"""Name, icon and version live in one place and the About box and `crasme --version`
show the same: the versions of Qt, SQLCipher and Python and the licence."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import crasme_desktop
import pytest
from crasme_desktop import APP_NAME, __version__

REPO = Path(__file__).resolve().parents[2]


def test_pyproject_takes_the_version_from_the_package():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "crasme_desktop.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+([ab]\d+|rc\d+)?", __version__)


def test_resources_are_found_from_the_checkout():
    assert crasme_desktop.resource_path("icons", crasme_desktop.APP_ICON).is_file()
    assert crasme_desktop.resource_path("fonts", "DejaVuSans.ttf").is_file()
    assert crasme_desktop.resource_path("privacy", "notice.en.md").is_file()


def test_resources_inside_the_package_win(tmp_path, monkeypatch):
    """An installed package (wheel, PyInstaller) carries crasme_desktop/resources."""
    package = tmp_path / "crasme_desktop"
    (package / "resources" / "icons").mkdir(parents=True)
    (package / "resources" / "icons" / crasme_desktop.APP_ICON).write_text("<svg/>")
    monkeypatch.setattr(crasme_desktop, "__file__", str(package / "__init__.py"))
    assert crasme_desktop._find_resources() == package / "resources"


def test_version_command_prints_the_about_lines():
    out = subprocess.run([sys.executable, "-m", "crasme_desktop", "--version"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    lines = out.splitlines()
    assert lines[0] == f"crasme {__version__}"
    assert lines[1] == f"{APP_NAME} {__version__}"
    assert re.fullmatch(r"Qt 6\.\d+\.\d+, SQLCipher 4\.\d+\.\d+ community, "
                        r"Python 3\.\d+\.\d+", lines[2]), lines[2]
    assert "GPL-3.0-or-later" in lines[3]


@pytest.fixture
def main_window(qtbot):
    from crasme_desktop.ui.main_window import MainWindow
    from crasme_desktop.ui.tasks import TaskRunner

    tasks = TaskRunner()
    window = MainWindow(tasks)
    qtbot.addWidget(window)
    window.show()
    yield window
    tasks.wait(5000)


#: The offscreen platform plugin's own message, not our code's (as in tests/gui).
@pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
def test_about_box_from_the_help_menu(qtbot, main_window):
    from PySide6 import QtCore
    from PySide6.QtGui import QGuiApplication

    help_menu = next(a.menu() for a in main_window.menuBar().actions()
                     if a.text() == "&Help")
    about = next(a for a in help_menu.actions() if a.text() == f"&About {APP_NAME}")
    about.trigger()
    box = main_window.about_box
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert box.windowTitle() == f"About {APP_NAME}"
    assert box.title.text() == f"<b>{APP_NAME}</b> {__version__}"
    assert "GNU General Public License, version 3 or later" in box.licence.text()
    assert f"Qt {QtCore.qVersion()}," in box.versions.text()

    import sqlcipher3.dbapi2 as sqlcipher  # the test may ask SQLCipher itself
    conn = sqlcipher.connect(":memory:")
    expected = conn.execute("PRAGMA cipher_version").fetchone()[0]
    conn.close()
    assert f"SQLCipher {expected}," in box.versions.text()
    assert f"Python {sys.version.split()[0]}" in box.versions.text()
    icon = box.findChild(type(box.title), "aboutIcon")
    assert icon is not None and not icon.pixmap().isNull()

    # The same lines as `crasme --version` prints after "crasme X.Y.Z".
    cli = subprocess.run([sys.executable, "-m", "crasme_desktop", "--version"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert cli.split("\n", 1)[1].rstrip("\n") == box.details

    box.copy_button.click()
    assert QGuiApplication.clipboard().text() == f"{box.details}\n"
    with qtbot.waitSignal(box.destroyed, timeout=5000):  # closed and deleted
        box.reject()
