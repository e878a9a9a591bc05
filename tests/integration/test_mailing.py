"""Mail settings and sending against a real SMTP server (aiosmtpd on 127.0.0.1).

The password goes to the test keychain (or a real Secret Service in the `keychain`
test); the server checks it, and TLS uses a CA made for the test, trusted either
through the certificate-file setting or an injected SSL context.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict

import keyring
import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import mailing
from crasme_desktop.services.mailing import MailSettings
from crasme_desktop.vault import create_vault, open_vault
from crasme_desktop.vault.keychain import SECRET_USER
from keyring.backends import fail
from sqlalchemy import text
from tests.integration.conftest import PASSPHRASE
from tests.support.sentences import assert_one_sentence
from tests.support.smtp_server import (
    TlsFiles,
    closed_port,
    make_tls_files,
    running_smtp_server,
    silent_port,
)

USER, PASSWORD = "office@example.org", "pässword with spaces"
PDF = b"%PDF-1.7\n% a tiny stand-in\n%%EOF\n"


@pytest.fixture
def vault(created, keychain) -> Iterator:
    with open_vault(created.path, keychain=keychain) as opened:
        yield opened


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("tls"))


def settings_for(server, **changes) -> MailSettings:
    values = {
        "host": server.host,
        "port": server.port,
        "security": server.security,
        "username": server.username,
        "from_address": "office@example.org",
        "from_name": "Müller & Söhne GmbH",
    }
    values.update(changes)
    return MailSettings(**values)


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(UserError) as caught:
        call(*args, **kwargs)
    assert_one_sentence(caught.value.message)
    return caught.value.message


# -- settings and the keychain -------------------------------------------------------
def test_password_goes_to_the_keychain_under_the_vault_and_nowhere_else(vault, file_keyring):
    settings = MailSettings("smtp.example.org", 587, "starttls", USER, "office@example.org",
                            "Office")
    setup = mailing.save_mail_settings(vault, settings, PASSWORD)
    assert setup.password_saved and setup.keychain_available
    assert mailing.get_mail_settings(vault) == settings
    entries = file_keyring.entries()
    name = mailing.password_name(vault)
    assert vault.vault_id in name
    assert entries[name] == {SECRET_USER: PASSWORD}
    with vault.unit_of_work() as uow:
        rows = uow.session.execute(text("SELECT key, value FROM setting")).all()
        audit = uow.session.execute(text("SELECT * FROM audit_event")).all()
    assert all(PASSWORD not in value for _key, value in rows)
    assert json.loads(dict(rows)["mail"]) == asdict(settings)
    assert all(PASSWORD not in repr(row) for row in audit)

    # None keeps the saved password, "" forgets it.
    assert mailing.save_mail_settings(vault, settings, None).password_saved
    assert file_keyring.entries()[name] == {SECRET_USER: PASSWORD}
    assert not mailing.save_mail_settings(vault, settings, "").password_saved
    assert name not in file_keyring.entries()


def test_two_vaults_keep_their_own_mail_password(vault, tmp_path, keychain, file_keyring):
    other_created = create_vault(tmp_path / "other.crasme", passphrase=PASSPHRASE,
                                 keychain=keychain)
    settings = MailSettings("smtp.example.org", 465, "ssl", USER, "office@example.org")
    mailing.save_mail_settings(vault, settings, "first secret")
    with open_vault(other_created.path, keychain=keychain) as other:
        mailing.save_mail_settings(other, settings, "second secret")
        assert mailing.password_name(other) != mailing.password_name(vault)
        stored = file_keyring.entries()
        assert stored[mailing.password_name(other)] == {SECRET_USER: "second secret"}
        assert stored[mailing.password_name(vault)] == {SECRET_USER: "first secret"}
        mailing.forget_mail_settings(other)
        assert mailing.password_name(other) not in file_keyring.entries()
        assert mailing.get_mail_settings(other) == MailSettings()
    assert mailing.get_mail_setup(vault).password_saved


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"host": "  "}, "name of your mail server"),
        ({"host": "smtp example.org"}, "not a server name"),
        ({"port": 0}, "port must be a number"),
        ({"port": "abc"}, "port must be a number"),
        ({"security": "tls13"}, "Choose STARTTLS, SSL"),
        ({"from_address": ""}, "address your emails come from"),
        ({"from_address": "office.example.org"}, "missing the @ sign"),
        ({"ca_file": "/nowhere/ca.pem"}, "cannot be found"),
        ({"security": "none", "port": 25, "username": "ann"}, "never sent unencrypted"),
    ],
)
def test_bad_settings_are_refused_with_a_sentence(vault, changes, words):
    values = {"host": "smtp.example.org", "port": 587, "security": "starttls",
              "from_address": "office@example.org"}
    values.update(changes)
    message = error_of(mailing.save_mail_settings, vault, values, None)
    assert words in message
    assert mailing.get_mail_settings(vault) == MailSettings()


def test_without_a_keychain_the_password_is_not_kept_and_is_asked_each_time(vault, tls,
                                                                             file_keyring):
    keyring.set_keyring(fail.Keyring())
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        setup = mailing.save_mail_settings(
            vault, settings_for(server, ca_file=str(tls.ca_file)), PASSWORD
        )
        assert not setup.keychain_available and not setup.password_saved
        assert mailing.password_name(vault) not in file_keyring.entries()
        with pytest.raises(mailing.MailPasswordNeeded) as caught:
            mailing.send_message(vault, "anna@example.com", "Hello", "Hi", [])
        assert caught.value.needs_password
        assert_one_sentence(caught.value.message)
        assert server.messages == []
        mailing.send_message(vault, "anna@example.com", "Hello", "Hi", [], password=PASSWORD)
    assert len(server.messages) == 1
    with vault.unit_of_work() as uow:
        values = [v for (v,) in uow.session.execute(text("SELECT value FROM setting"))]
    assert all(PASSWORD not in v for v in values)


# -- sending ---------------------------------------------------------------------------
def test_starttls_with_the_certificate_file_setting_delivers_message_and_attachment(
        vault, tls):
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        mailing.save_mail_settings(vault, settings_for(server, ca_file=str(tls.ca_file)),
                                   PASSWORD)
        sent = mailing.send_message(
            vault, "Anna.Schmidt@example.com; bob@example.net", "Invoice INV-2026-0007",
            "Dear Anna,\n\nplease find the invoice attached.\n",
            [("Invoice INV-2026-0007.pdf", PDF, "application/pdf")],
        )
    assert sent.recipients == ("Anna.Schmidt@example.com", "bob@example.net")
    assert sent.attachment_names == ("Invoice INV-2026-0007.pdf",)
    [received] = server.messages
    assert received.logged_in_as == USER
    assert received.mail_from == "office@example.org"
    assert set(received.rcpt_tos) == {"Anna.Schmidt@example.com", "bob@example.net"}
    message = received.message
    assert message["Subject"] == "Invoice INV-2026-0007"
    assert message["To"] == "Anna.Schmidt@example.com, bob@example.net"
    assert message["From"].addresses[0].display_name == "Müller & Söhne GmbH"
    assert message["From"].addresses[0].addr_spec == "office@example.org"
    assert message["Message-ID"] == sent.message_id
    assert "please find the invoice attached" in message.get_body(("plain",)).get_content()
    assert received.attachments() == [("Invoice INV-2026-0007.pdf", "application/pdf", PDF)]


def test_ssl_with_an_injected_context(vault, tls):
    with running_smtp_server("ssl", tls=tls, username=USER, password=PASSWORD) as server:
        mailing.save_mail_settings(vault, settings_for(server), PASSWORD)
        mailing.check_mail_settings(vault, ssl_context=tls.client_context())
        mailing.send_message(vault, "anna@example.com", "Quote Q-1", "Hello", [
            ("Quote Q-1.pdf", PDF, "application/pdf")], ssl_context=tls.client_context())
    [received] = server.messages
    assert received.logged_in_as == USER
    assert received.message["Subject"] == "Quote Q-1"
    assert received.attachments()[0][2] == PDF


def test_plain_server_without_login(vault):
    with running_smtp_server("none") as server:
        mailing.save_mail_settings(vault, settings_for(server, username=""), "ignored")
        sent = mailing.send_test_email(vault)
    [received] = server.messages
    assert received.rcpt_tos == ("office@example.org",)
    assert received.message["Subject"] == sent.subject
    assert received.logged_in_as == ""


def test_test_email_tries_unsaved_settings_and_a_typed_password(vault, tls):
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        values = asdict(settings_for(server, ca_file=str(tls.ca_file)))
        mailing.send_test_email(vault, settings=values, password=PASSWORD,
                                to="check@example.com")
    assert server.messages[0].rcpt_tos == ("check@example.com",)
    assert mailing.get_mail_settings(vault) == MailSettings()


# -- what goes wrong, in one sentence each -----------------------------------------------
def test_wrong_password_is_named_and_nothing_is_sent(vault, tls):
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        mailing.save_mail_settings(vault, settings_for(server, ca_file=str(tls.ca_file)),
                                   "not the password")
        message = error_of(mailing.send_message, vault, "anna@example.com", "Hi", "Hi", [])
        check = error_of(mailing.check_mail_settings, vault)
    assert "did not accept the user name or password" in message
    assert check == message
    assert server.messages == []
    assert server.logins and not any(ok for _mech, _user, ok in server.logins)


def test_untrusted_certificate_is_a_tls_failure(vault, tls):
    """Verification stays on: without the CA, the test server's certificate is refused."""
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        mailing.save_mail_settings(vault, settings_for(server), PASSWORD)
        message = error_of(mailing.send_message, vault, "anna@example.com", "Hi", "Hi", [])
    assert "could not prove its identity" in message
    assert server.messages == [] and server.logins == []


def test_ssl_chosen_for_a_starttls_port_is_a_tls_failure(vault, tls):
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        mailing.save_mail_settings(
            vault, settings_for(server, security="ssl", ca_file=str(tls.ca_file)), PASSWORD
        )
        message = error_of(mailing.check_mail_settings, vault)
    assert "secure connection" in message and "STARTTLS or SSL" in message


def test_starttls_chosen_for_a_server_without_it(vault):
    with running_smtp_server("none") as server:
        mailing.save_mail_settings(vault, settings_for(server, security="starttls",
                                                       username=""), None)
        message = error_of(mailing.check_mail_settings, vault)
    assert "does not offer STARTTLS" in message


def test_unreachable_server(vault):
    with closed_port() as port:
        mailing.save_mail_settings(
            vault, MailSettings("127.0.0.1", port, "none", "", "office@example.org"), None
        )
        message = error_of(mailing.send_message, vault, "anna@example.com", "Hi", "Hi", [])
    assert "could not be reached" in message and str(port) in message


def test_unknown_server_name(vault):
    mailing.save_mail_settings(
        vault, MailSettings("no-such-host.invalid", 587, "none", "", "office@example.org"), None
    )
    message = error_of(mailing.check_mail_settings, vault)
    assert "was not found" in message


def test_a_silent_server_times_out(vault):
    with silent_port() as port:
        mailing.save_mail_settings(
            vault, MailSettings("127.0.0.1", port, "none", "", "office@example.org"), None
        )
        message = error_of(mailing.check_mail_settings, vault, timeout=0.3)
    assert "did not answer" in message


def test_refused_recipient(vault, tls):
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        server.refused_recipients.add("gone@example.com")
        mailing.save_mail_settings(vault, settings_for(server, ca_file=str(tls.ca_file)),
                                   PASSWORD)
        message = error_of(mailing.send_message, vault, "gone@example.com", "Hi", "Hi", [])
        partly = mailing.send_message(vault, "gone@example.com, anna@example.com", "Hi",
                                      "Hi", [])
    assert "refused the address gone@example.com" in message
    assert partly.recipients == ("anna@example.com",)
    assert partly.refused == ("gone@example.com",)
    assert [m.rcpt_tos for m in server.messages] == [("anna@example.com",)]


def test_a_server_that_wants_a_login_says_so(vault, tls):
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        mailing.save_mail_settings(
            vault, settings_for(server, username="", ca_file=str(tls.ca_file)), None
        )
        message = error_of(mailing.send_message, vault, "anna@example.com", "Hi", "Hi", [])
    assert "wants you to log in" in message


def test_no_settings_yet(vault):
    message = error_of(mailing.send_message, vault, "anna@example.com", "Hi", "Hi", [])
    assert "Set up email first" in message
    assert "Set up email first" in error_of(mailing.check_mail_settings, vault)


@pytest.mark.parametrize(("to", "words"), [("", "address to send to"),
                                           ("anna.example.com", "missing the @ sign")])
def test_bad_recipient_is_refused_before_connecting(vault, to, words):
    with running_smtp_server("none") as server:
        mailing.save_mail_settings(vault, settings_for(server, username=""), None)
        assert words in error_of(mailing.send_message, vault, to, "Hi", "Hi", [])
    assert server.messages == []


# -- a real Secret Service ---------------------------------------------------------------
@pytest.mark.keychain
def test_password_in_a_real_secret_service(vault, tls, secret_service_keyring):
    keyring.set_keyring(secret_service_keyring)
    name = mailing.password_name(vault)
    try:
        with running_smtp_server("ssl", tls=tls, username=USER, password=PASSWORD) as server:
            setup = mailing.save_mail_settings(
                vault, settings_for(server, ca_file=str(tls.ca_file)), PASSWORD
            )
            assert setup.password_saved
            assert secret_service_keyring.get_password(name, SECRET_USER) == PASSWORD
            mailing.send_message(vault, "anna@example.com", "Hi", "Hi", [])
        assert server.messages[0].logged_in_as == USER
    finally:
        mailing.forget_mail_settings(vault)
    assert secret_service_keyring.get_password(name, SECRET_USER) is None



def test_a_certificate_file_that_is_not_one_is_named(vault, tls, tmp_path):
    broken = tmp_path / "not-a-cert.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n")
    with running_smtp_server("starttls", tls=tls, username=USER, password=PASSWORD) as server:
        mailing.save_mail_settings(vault, settings_for(server, ca_file=str(broken)), PASSWORD)
        message = error_of(mailing.check_mail_settings, vault)
        assert "cannot be read as a certificate" in message
        # Fixed in place (same path, new contents): the new file is read, not a cached one.
        broken.write_bytes(tls.ca_file.read_bytes())
        mailing.check_mail_settings(vault)
    assert server.logins[-1] == ("PLAIN", USER, True)
