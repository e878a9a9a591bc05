"""The Off-site copy card of the Settings page against a real S3-compatible server
(moto's server mode on 127.0.0.1): save, test the connection (through the task
runner), send now, the status bar's word, and a wrong secret said in one sentence."""

from __future__ import annotations

from crasme_desktop.services import offsite
from tests.gui.conftest import PASSPHRASE
from tests.support.clicks import click
from tests.support.s3_server import running_s3_server

WAIT = 30_000


def _settings_card(qtbot, make_vault, make_controller):
    created = make_vault()
    controller = make_controller(created.path, env_passphrase=PASSPHRASE)
    controller.start()
    qtbot.waitUntil(lambda: controller.vault is not None, timeout=WAIT)
    window = controller.main_window
    window.show_page("settings")
    card = window.settings_page.backups.offsite
    qtbot.waitUntil(lambda: card.setup is not None, timeout=WAIT)
    return controller, window, card


def _fill(card, s3, secret):
    card.endpoint.setText(s3.endpoint)
    card.region.setText("eu-central-1")
    card.bucket.setText(s3.bucket)
    card.prefix.setText("office")
    card.access_key.setText(s3.access_key_id)
    card.secret.setText(secret)


def test_set_up_test_and_send_an_off_site_copy(qtbot, make_vault, make_controller):
    with running_s3_server() as s3:
        controller, window, card = _settings_card(qtbot, make_vault, make_controller)
        assert card.status.text().startswith("Off-site copies are off")
        assert not card.push_button.isEnabled()
        assert not window.status_offsite.isVisible()

        _fill(card, s3, s3.secret_key)
        click(qtbot, card.test_button)
        qtbot.waitUntil(lambda: card.note.text().startswith("Connected"), timeout=WAIT)
        assert "office-backups/office at 127.0.0.1" in card.note.text()
        assert s3.objects() == {}, "the test file was deleted again"

        click(qtbot, card.save_button)
        qtbot.waitUntil(lambda: card.note.text().startswith("Saved."), timeout=WAIT)
        assert card.secret.text() == ""
        assert card.secret.placeholderText() == "saved in this computer's keychain"
        assert card.push_button.isEnabled()

        # Nothing to send before a backup exists; the unlock made one already, though.
        click(qtbot, card.push_button)
        qtbot.waitUntil(lambda: card.note.text().startswith("Sent and checked off-site"),
                        timeout=WAIT)
        assert len(s3.objects()) == 3
        qtbot.waitUntil(lambda: card.status.text().startswith("Last off-site copy:"),
                        timeout=WAIT)
        qtbot.waitUntil(lambda: window.status_offsite.text().endswith("Off-site copy ok</a>"),
                        timeout=WAIT)
        assert controller.tasks.wait(WAIT)
        assert offsite.offsite_status(controller.vault).last_good is not None


def test_a_wrong_secret_is_said_in_one_sentence(qtbot, make_vault, make_controller):
    with running_s3_server() as s3:
        controller, _window, card = _settings_card(qtbot, make_vault, make_controller)
        _fill(card, s3, "w" * 40)
        click(qtbot, card.test_button)
        qtbot.waitUntil(lambda: card.note.text().startswith("The secret access key does "
                                                            "not match"), timeout=WAIT)
        assert card.test_button.isEnabled()

        click(qtbot, card.save_button)
        qtbot.waitUntil(lambda: card.note.text().startswith("Saved."), timeout=WAIT)
        click(qtbot, card.push_button)
        qtbot.waitUntil(lambda: "secret access key does not match" in card.note.text(),
                        timeout=WAIT)
        qtbot.waitUntil(lambda: "The last attempt failed" in card.status.text(), timeout=WAIT)
        assert controller.tasks.wait(WAIT)
        assert offsite.offsite_status(controller.vault).last_failure is not None
