"""The Windows taskbar groups a window under its pinned Start-menu shortcut only when
the process and the shortcut carry the same explicit AppUserModelID: the installer sets
it on the shortcut, the program on itself, both from `crasme_desktop.BUNDLE_ID`."""

from __future__ import annotations

import re
from pathlib import Path

from crasme_desktop import BUNDLE_ID
from crasme_desktop.app import set_windows_app_id

ISS = Path(__file__).resolve().parents[2] / "installers" / "windows" / "crasme.iss"


class Shell32:
    """Stands in for `ctypes.windll.shell32`, which exists only on Windows."""

    def __init__(self, result: int = 0) -> None:
        self.result = result
        self.calls: list[str] = []

    def SetCurrentProcessExplicitAppUserModelID(self, app_id: str) -> int:
        self.calls.append(app_id)
        return self.result


def test_the_start_menu_shortcut_and_the_program_use_the_same_id():
    text = ISS.read_text(encoding="utf-8")
    shortcuts = [line for line in text.splitlines() if line.startswith("Name: \"{auto")]
    assert len(shortcuts) == 2  # the Start menu and the optional desktop shortcut
    for line in shortcuts:
        assert f'AppUserModelID: "{BUNDLE_ID}"' in line, line
    # the file type as well, so vaults opened from Explorer join the same taskbar button
    file_type = re.search(r'ValueName: "AppUserModelID"; ValueData: "([^"]+)"', text)
    assert file_type is not None and file_type.group(1) == BUNDLE_ID
    shell = Shell32()
    assert set_windows_app_id("win32", shell) is True
    assert shell.calls == [BUNDLE_ID]


def test_a_refusal_from_windows_is_not_taken_for_success():
    assert set_windows_app_id("win32", Shell32(result=-2147024809)) is False  # E_INVALIDARG


def test_nothing_is_done_on_other_systems():
    shell = Shell32()
    assert set_windows_app_id("linux", shell) is False
    assert set_windows_app_id("darwin", shell) is False
    assert shell.calls == []
