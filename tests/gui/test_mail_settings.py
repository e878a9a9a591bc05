"""The Email section of the Settings page, driven like a person would, against a real
vault, the test keychain and a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import keyring
import pytest
from crasme_desktop.ui.mail_settings import NO_KEYCHAIN, SAVED_PASSWORD_HINT, MailSettingsSection
from crasme_desktop.ui.tasks import TaskRunner
from keyring.backends import fail
from tests.gui.conftest import PASSPHRASE
from tests.support.clicks import click
from tests.support.sentences import assert_one_sentence
from tests.support.smtp_server import make_tls_files, running_smtp_server

WAIT = 20_000
USER, PASSWORD = "office@example.org", "s3cret pass"


@pytest.fixture
def vault(make_vault, keychain):
    from crasme_desktop.vault import open_vault

    created = make_vault()
    with open_vault(created.path, keychain=keychain, passphrase=PASSPHRASE) as opened:
        yield opened


@pytest.fixture
def tasks(qtbot, crashes):
    runner = TaskRunner(report_crash=crashes.report, progress_delay_ms=10_000)
    yield runner
    runner.wait(WAIT)
    assert not crashes.reports, crashes.reports


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return make_tls_files(tmp_path_factory.mktemp("tls"))


def shown_section(qtbot, tasks, vault) -> MailSettingsSection:
    section = MailSettingsSection(tasks)
    qtbot.addWidget(section)
    section.show()
    section.attach(vault)
    qtbot.waitUntil(lambda: section.save_button.isEnabled(), timeout=WAIT)
    return section


def fill(qtbot, section, server, *, password=PASSWORD, ca_file="") -> None:
    section.host.setText(server.host)
    section.security.setCurrentIndex(section.security.findData(server.security))
    section.port.setValue(server.port)
    section.username.setText(server.username)
    qtbot.keyClicks(section.password, password)
    section.from_name.setText("Kühn Büro")
    section.from_address.setText("office@example.org")
    section.ca_file.setText(ca_file)


def mail_settings(vault):
    from crasme_desktop.services import mailing

    return mailing.get_mail_setup(vault)


def test_save_keeps_the_password_in_the_keychain_and_the_rest_in_the_vault(
        qtbot, tasks, vault, tls, file_keyring):
    section = shown_section(qtbot, tasks, vault)
    assert section.host.text() == "" and section.keychain_note.isHidden()
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        fill(qtbot, section, server, ca_file=str(tls.ca_file))
        click(qtbot, section.save_button)
        qtbot.waitUntil(lambda: section.status.text() == "Saved.", timeout=WAIT)
    setup = mail_settings(vault)
    assert setup.password_saved
    assert setup.settings.host == server.host and setup.settings.port == server.port
    assert setup.settings.security == "starttls" and setup.settings.from_name == "Kühn Büro"
    assert PASSWORD not in repr(setup.settings)
    from crasme_desktop.services import mailing

    assert PASSWORD in file_keyring.entries()[mailing.password_name(vault)].values()
    assert section.password.text() == ""
    assert section.password.placeholderText() == SAVED_PASSWORD_HINT

    # Shown again from the vault after a lock and unlock.
    section.clear()
    assert section.host.text() == ""
    section.attach(vault)
    qtbot.waitUntil(lambda: section.host.text() == server.host, timeout=WAIT)
    assert section.security.currentData() == "starttls"
    assert section.port.value() == server.port
    assert section.ca_file.text() == str(tls.ca_file)


def test_send_a_test_email_with_the_settings_on_screen(qtbot, tasks, vault, tls):
    section = shown_section(qtbot, tasks, vault)
    with running_smtp_server("ssl", tls=tls, username=USER, password=PASSWORD) as server:
        fill(qtbot, section, server, ca_file=str(tls.ca_file))
        click(qtbot, section.test_button)
        qtbot.waitUntil(lambda: "Test email sent" in section.status.text(), timeout=WAIT)
    assert "office@example.org" in section.status.text()
    [received] = server.messages
    assert received.logged_in_as == USER
    assert received.rcpt_tos == ("office@example.org",)
    assert "Kühn Büro" in str(received.message["From"])


def test_a_wrong_password_shows_one_sentence(qtbot, tasks, vault, tls):
    section = shown_section(qtbot, tasks, vault)
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        fill(qtbot, section, server, password="wrong", ca_file=str(tls.ca_file))
        click(qtbot, section.test_button)
        qtbot.waitUntil(lambda: section.error.isVisible(), timeout=WAIT)
    assert "user name or password" in section.error.text()
    assert_one_sentence(section.error.text())
    assert server.messages == []
    assert section.test_button.isEnabled()
    section.password.setText("")
    qtbot.keyClicks(section.password, "x")  # typing clears the sentence
    assert not section.error.isVisible()


def test_bad_settings_are_refused_inline(qtbot, tasks, vault):
    section = shown_section(qtbot, tasks, vault)
    section.host.setText("smtp.example.org")
    section.from_address.setText("not an address")
    click(qtbot, section.save_button)
    qtbot.waitUntil(lambda: section.error.isVisible(), timeout=WAIT)
    assert_one_sentence(section.error.text())
    assert not mail_settings(vault).settings.configured


def test_security_choice_follows_the_usual_port(qtbot, tasks, vault):
    section = shown_section(qtbot, tasks, vault)
    assert section.port.value() == 587
    section.security.setCurrentIndex(section.security.findData("ssl"))
    assert section.port.value() == 465
    section.port.setValue(2525)
    section.security.setCurrentIndex(section.security.findData("starttls"))
    assert section.port.value() == 2525  # a port the person chose is kept


def test_without_a_keychain_the_section_says_so_and_the_typed_password_still_works(
        qtbot, tasks, vault, tls):
    keyring.set_keyring(fail.Keyring())
    section = shown_section(qtbot, tasks, vault)
    assert section.keychain_note.isVisible()
    assert section.keychain_note.text() == NO_KEYCHAIN
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        fill(qtbot, section, server, ca_file=str(tls.ca_file))
        click(qtbot, section.save_button)
        qtbot.waitUntil(lambda: section.status.text().startswith("Saved"), timeout=WAIT)
        assert "except the password" in section.status.text()
        assert not mail_settings(vault).password_saved
        click(qtbot, section.test_button)
        qtbot.waitUntil(lambda: "Test email sent" in section.status.text(), timeout=WAIT)
        # Without the typed password, the section asks for it.
        section.password.clear()
        click(qtbot, section.test_button)
        qtbot.waitUntil(lambda: section.error.isVisible(), timeout=WAIT)
    assert "Type the email password" in section.error.text()
    assert len(server.messages) == 1


def test_the_settings_page_shows_the_email_section(qtbot, tasks, vault):
    from crasme_desktop.services import mailing
    from crasme_desktop.ui.pages.settings import SettingsPage

    mailing.save_mail_settings(
        vault, {"host": "smtp.example.org", "port": 465, "security": "ssl",
                "from_address": "office@example.org"}, None)
    page = SettingsPage(tasks)
    qtbot.addWidget(page)
    page.attach(vault)
    qtbot.waitUntil(lambda: page.mail.host.text() == "smtp.example.org", timeout=WAIT)
    assert page.mail.security.currentData() == "ssl"
    page.clear()
    assert page.mail.host.text() == ""
