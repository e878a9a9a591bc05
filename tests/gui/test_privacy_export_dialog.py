"""The export dialog and the record-of-processing view on a real vault, with the real
task runner: encryption on by default, the plain warning, inline mistakes, a vanished
folder, Cancel, and the record saved as a PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import pyzipper
from crasme_desktop.ui.privacy_export_dialog import ExportDialog, ProcessingRecordView
from tests.support.clicks import click
from tests.support.export_data import build_office
from tests.support.required import unavailable

pytest_plugins = ("tests.support.records",)  # the `vault` and `runner` fixtures
WAIT = 30_000
PASSWORD = "dialog password"


@pytest.fixture
def office(vault):
    return build_office(vault)


def open_dialog(qtbot, runner, vault, person_id=None, chosen=None):
    dialog = ExportDialog(runner, vault, person_id, choose_path=lambda suggested: chosen)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_person_export_is_encrypted_by_default(qtbot, runner, vault, office, tmp_path):
    target = tmp_path / "alice"
    dialog = open_dialog(qtbot, runner, vault, office.alice, chosen=target)
    qtbot.waitUntil(lambda: "Alice-Wondergem-personal-data" in dialog.path_edit.text(),
                    timeout=WAIT)
    assert dialog.encrypt.isChecked() and not dialog.warning.isVisible()
    dialog._browse()
    assert dialog.path_edit.text() == str(target.with_suffix(".zip"))
    dialog.password.setText(PASSWORD)
    dialog.repeat.setText(PASSWORD)
    click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=WAIT)
    assert "encrypted with AES-256" in dialog.status.text()
    assert str(target.with_suffix(".zip")) in dialog.status.text()
    with pyzipper.AESZipFile(target.with_suffix(".zip")) as zf:
        with pytest.raises(RuntimeError):
            zf.read("report.pdf")
        zf.setpassword(PASSWORD.encode())
        assert zf.read("report.pdf").startswith(b"%PDF")


def test_a_plain_export_says_so_plainly(qtbot, runner, vault, office, tmp_path):
    dialog = open_dialog(qtbot, runner, vault)
    dialog.path_edit.setText(str(tmp_path / "all.zip"))
    dialog.encrypt.setChecked(False)
    assert dialog.warning.isVisible() and "not be encrypted" in dialog.warning.text()
    assert not dialog.password.isEnabled()
    click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=WAIT)
    assert "not encrypted" in dialog.status.text()
    assert (tmp_path / "all.zip").stat().st_size == dialog.summary.size


def test_mistakes_are_shown_in_the_dialog(qtbot, runner, vault, office, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    dialog = open_dialog(qtbot, runner, vault)
    dialog.path_edit.setText(str(tmp_path / "all.zip"))
    dialog.password.setText(PASSWORD)
    dialog.repeat.setText(PASSWORD + "x")
    click(qtbot, dialog.export_button)
    assert "differ" in dialog.status.text() and not (tmp_path / "all.zip").exists()
    dialog.repeat.setText(PASSWORD)
    dialog.path_edit.setText(str(tmp_path / "gone" / "all.zip"))
    click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: "not there any more" in dialog.status.text(), timeout=WAIT)
    assert dialog.export_button.isEnabled() and sorted(p.name for p in tmp_path.iterdir()) \
        == []
    assert runner.shown_errors == []


def test_cancel_writes_nothing(qtbot, runner, vault, office, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    dialog = open_dialog(qtbot, runner, vault)
    dialog.path_edit.setText(str(tmp_path / "all.zip"))
    dialog.encrypt.setChecked(False)
    dialog.start()
    dialog.task.cancel()
    qtbot.waitUntil(lambda: "cancelled" in dialog.status.text(), timeout=WAIT)
    assert list(tmp_path.iterdir()) == []


def test_record_of_processing_shows_and_saves_a_pdf(qtbot, runner, vault, office, tmp_path):
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext", "poppler-utils is not installed")
    target = tmp_path / "record"
    view = ProcessingRecordView(runner, choose_path=lambda suggested: target)
    qtbot.addWidget(view)
    view.show(vault)
    qtbot.waitUntil(view.save_button.isEnabled, timeout=WAIT)
    shown = view.browser.toPlainText()
    assert "Record of processing" in shown and "Crasme Studio" in shown
    assert "Keeping in touch with customers" in shown and "24 months" in shown
    click(qtbot, view.save_button)
    qtbot.waitUntil(lambda: "was saved to" in view.status.text(), timeout=WAIT)
    pdf = Path(str(target) + ".pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Record of processing" in text and "Crasme Studio" in text


@pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
def test_the_person_pane_opens_the_export_for_that_person(qtbot, runner, vault, office):
    from crasme_desktop.ui.person_detail import PersonDetail

    pane = PersonDetail(runner)
    qtbot.addWidget(pane)
    pane.show()
    pane.show_record(vault, office.alice)
    qtbot.waitUntil(lambda: pane.record is not None, timeout=WAIT)
    click(qtbot, pane.export_button)
    dialog = pane.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible() and dialog.person_id == office.alice
    qtbot.waitUntil(lambda: "Alice-Wondergem" in dialog.path_edit.text(), timeout=WAIT)
    dialog.reject()
    runner.wait(WAIT)
