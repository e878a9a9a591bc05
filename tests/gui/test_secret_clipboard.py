"""A copied recovery key leaves the clipboard on its own (30 seconds by default)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from crasme_desktop.ui import widgets
from crasme_desktop.ui.recovery_key import RecoveryKeyPanel
from PySide6.QtGui import QGuiApplication
from tests.support.clicks import click


def _panel(qtbot, make_controller, tmp_path) -> RecoveryKeyPanel:
    controller = make_controller(tmp_path / "x.crasme")
    panel = RecoveryKeyPanel(controller.tasks)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_key("ABCD-EFGH-JKLM-NPQR", vault_path=tmp_path / "x.crasme",
                  vault_id="v", created=datetime.now())
    return panel


def test_the_copied_key_is_cleared_after_the_delay(qtbot, make_controller, monkeypatch,
                                                    tmp_path: Path):
    calls: list[float] = []
    real = widgets.copy_secret

    def quick(text: str, *, seconds: float = widgets.SECRET_CLIPBOARD_SECONDS) -> None:
        calls.append(seconds)
        real(text, seconds=0.2)

    monkeypatch.setattr("crasme_desktop.ui.recovery_key.copy_secret", quick)
    panel = _panel(qtbot, make_controller, tmp_path)
    click(qtbot, panel.copy_button)
    board = QGuiApplication.clipboard()
    assert board.text() == "ABCD-EFGH-JKLM-NPQR"
    assert calls == [30]
    assert "cleared in 30 seconds" in panel.status.text()
    mime = board.mimeData()
    assert bytes(mime.data("x-kde-passwordManagerHint")) == b"secret"
    qtbot.waitUntil(lambda: board.text() == "", timeout=3000)


def test_something_copied_since_is_left_alone(qtbot):
    board = QGuiApplication.clipboard()
    widgets.copy_secret("SECRET-KEY-1234", seconds=0.2)
    assert board.text() == "SECRET-KEY-1234"
    board.setText("a phone number the person copied later")
    qtbot.wait(500)
    assert board.text() == "a phone number the person copied later"
