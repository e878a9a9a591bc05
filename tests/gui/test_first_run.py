"""The first-run wizard, end to end, creating a real vault in tmp_path."""

from __future__ import annotations

import re
import subprocess

import pytest
from PySide6.QtWidgets import QWizard
from tests.support.clicks import click

WAIT = 20_000


def _wizard_ready(controller):
    wizard = controller.wizard
    return wizard is not None and wizard.isVisible() and wizard.protection.keychain_known


def _next(qtbot, wizard, which=QWizard.WizardButton.NextButton):
    button = wizard.button(which)
    assert button.isVisible() and button.isEnabled(), f"{which} is not clickable"
    click(qtbot, button)


@pytest.mark.usefixtures("pdftotext")
def test_wizard_creates_the_vault_shows_the_key_saves_the_kit_and_opens(
    qtbot, tmp_path, make_controller, memory_keyring
):
    vault_path = tmp_path / "vaults" / "maria.crasme"
    kit_path = tmp_path / "kit.pdf"
    controller = make_controller(vault_path, choose_kit_path=lambda suggested: kit_path)
    controller.start()
    qtbot.waitUntil(lambda: _wizard_ready(controller), timeout=WAIT)
    wizard = controller.wizard
    assert wizard.location.path_edit.text() == str(vault_path)

    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.protection
    protection = wizard.protection
    assert protection.use_keychain.isChecked()  # the memory keychain is available
    protection.use_passphrase.setChecked(True)
    protection.fields.first.setText("short")
    assert "at least 8" in protection.fields.hint.text()
    assert not protection.isComplete()
    protection.fields.first.setText("correct horse battery staple")
    protection.fields.second.setText("correct horse battery stapl")
    assert not protection.isComplete()
    protection.fields.second.setText("correct horse battery staple")
    assert protection.isComplete()

    _next(qtbot, wizard, QWizard.WizardButton.CommitButton)  # "Create vault"
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery, timeout=WAIT)
    assert vault_path.exists()
    key = wizard.created.recovery_key
    assert re.fullmatch(r"[A-Z0-9]{5}(-[A-Z0-9]{5}){7}", key)
    panel = wizard.recovery.panel
    assert panel.key_label.text().replace("\n", "-") == key
    assert memory_keyring.entries, "the key should be in the keychain"
    # No way back to the choices, no Cancel that would hide the key.
    back = wizard.button(QWizard.WizardButton.BackButton)
    assert not (back.isVisible() and back.isEnabled())
    assert not wizard.button(QWizard.WizardButton.CancelButton).isVisible()
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    wizard.reject()  # closing before confirming is refused
    assert wizard.isVisible()

    click(qtbot, panel.save_button)
    qtbot.waitUntil(lambda: panel.saved_to == kit_path, timeout=WAIT)
    text = subprocess.run(
        ["pdftotext", str(kit_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    printed = "-".join(
        line.strip() for line in text.splitlines()
        if re.fullmatch(r"[A-Z0-9]{5}(-[A-Z0-9]{5})*", line.strip())
    )
    assert printed == key
    assert wizard.created.vault_id in text

    panel.confirm.setChecked(True)
    _next(qtbot, wizard, QWizard.WizardButton.CommitButton)
    assert wizard.currentPage() is wizard.ready
    assert "maria.crasme" in wizard.ready.summary.text()
    wizard.ready.sample.setChecked(True)
    _next(qtbot, wizard, QWizard.WizardButton.FinishButton)

    qtbot.waitUntil(lambda: controller.main_window is not None
                    and controller.main_window.isVisible(), timeout=WAIT)
    assert controller.vault is not None and controller.vault.path == vault_path
    dashboard = controller.main_window.page("dashboard")
    qtbot.waitUntil(lambda: dashboard.tiles["people"].value.text() == "250", timeout=60_000)
    assert panel.recovery_key == ""  # the key does not linger in the widget


def test_without_a_keychain_the_passphrase_is_required(qtbot, tmp_path, make_controller,
                                                        no_keychain):
    controller = make_controller(tmp_path / "v.crasme", keychain=no_keychain)
    controller.start()
    qtbot.waitUntil(lambda: _wizard_ready(controller), timeout=WAIT)
    wizard = controller.wizard
    _next(qtbot, wizard)
    protection = wizard.protection
    assert not protection.use_keychain.isEnabled()
    assert not protection.use_keychain.isChecked()
    assert protection.use_passphrase.isChecked() and not protection.use_passphrase.isEnabled()
    assert "no keychain" in protection.keychain_note.text()
    assert not protection.isComplete()
    protection.fields.first.setText("a long enough passphrase")
    protection.fields.second.setText("a long enough passphrase")
    assert protection.isComplete()


def test_an_existing_file_is_refused_on_the_first_page(qtbot, tmp_path, make_controller):
    controller = make_controller(tmp_path / "new.crasme")
    controller.start()
    qtbot.waitUntil(lambda: _wizard_ready(controller), timeout=WAIT)
    wizard = controller.wizard
    taken = tmp_path / "taken.crasme"
    taken.write_bytes(b"something")
    wizard.location.path_edit.setText(str(taken))
    _next(qtbot, wizard)
    assert wizard.currentPage() is wizard.location
    assert "already exists" in wizard.location.error.text()


def test_cancelling_the_wizard_before_creating_leaves_nothing(qtbot, tmp_path, make_controller):
    path = tmp_path / "never.crasme"
    controller = make_controller(path)
    controller.start()
    qtbot.waitUntil(lambda: _wizard_ready(controller), timeout=WAIT)
    controller.wizard.blockSignals(True)  # the real reject would quit the test's app
    controller.wizard.reject()
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []
