"""macOS opens a double-clicked vault with a QFileOpenEvent to the running program."""

from __future__ import annotations

from crasme_desktop.ui.file_open import FileOpenFilter
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication, QMessageBox

WAIT = 20_000


def _send_open(path) -> bool:
    app = QApplication.instance()
    return QApplication.sendEvent(app, QFileOpenEvent(str(path)))


def test_a_file_opened_while_locked_moves_the_unlock_screen_to_it(
        qtbot, make_vault, make_controller, tmp_path):
    first = make_vault(sample_contacts=0)
    second = make_vault("branch.crasme", sample_contacts=0)
    controller = make_controller(first.path)
    controller.start()
    qtbot.waitUntil(lambda: controller.state == "locked" and controller.unlock_screen
                    is not None and controller.unlock_screen.isVisible(), timeout=WAIT)
    app = QApplication.instance()
    opener = FileOpenFilter(controller.open_requested)
    app.installEventFilter(opener)
    try:
        assert _send_open(second.path) is True
    finally:
        app.removeEventFilter(opener)
    assert opener.received == [second.path]
    assert controller.vault_path == second.path
    screen = controller.unlock_screen
    assert screen.windowTitle() == "Crasme Desktop — branch.crasme"
    assert screen.where.text() == str(second.path)
    qtbot.waitUntil(lambda: screen.unlock_button.isEnabled(), timeout=WAIT)


def test_another_file_while_a_vault_is_open_is_explained_and_nothing_closes(
        qtbot, make_vault, make_controller, tmp_path, monkeypatch):
    first = make_vault(sample_contacts=0)
    controller = make_controller(first.path)
    controller.state = "unlocked"
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information",
                        lambda parent, title, text, *a, **k: said.append(text))
    controller.open_requested(tmp_path / "elsewhere.crasme")
    assert controller.vault_path == first.path
    assert said == ["“elsewhere.crasme” can be opened once this vault is locked: press "
                    "Ctrl+L to lock it, then open the file again."]
