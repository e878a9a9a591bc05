"""The privacy notice's own promises: where data lives, how it is protected, that
nothing leaves the machine unless set up, no telemetry, clean logs, no card numbers,
and the acknowledgement; and that the notice says what the live settings are."""

from __future__ import annotations

import ast
import getpass
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from crasme_desktop.domain.models import AuditEvent, NoticeAck
from crasme_desktop.domain.validation import CardNumberRefused
from crasme_desktop.services import (
    attachments,
    backups,
    contacts,
    mailing,
    privacy_notice,
    timeline,
)
from crasme_desktop.services.contacts import EmailDraft, PersonDraft
from crasme_desktop.vault import open_vault
from crasme_desktop.vault.paths import backup_dir, keyslot_path, log_dir
from sqlalchemy import select
from tests.integration.test_plaintext_scan import files_under, found_in, known_strings
from tests.privacy.conftest import PASSPHRASE
from tests.support.smtp_server import running_smtp_server

REPO = Path(__file__).resolve().parents[2]
CARD = "4111 1111 1111 1111"


def write_known_strings(vault, words):
    """People, notes, timeline texts and attachments holding `words` (4 per person)."""
    ids = []
    for i in range(0, len(words), 4):
        given, family, note, body = words[i:i + 4]
        person = contacts.create_person(vault, PersonDraft(
            given_name=given, family_name=family, notes=note,
            emails=(EmailDraft(f"{given}@example.org"),)))
        timeline.add_note(vault, body, person_id=person.id)
        attachments.add_attachment(vault, filename="a.txt", person_id=person.id,
                                   data=f"says {note}".encode())
        ids.append(person.id)
    return ids


# -- where, and how it is protected ----------------------------------------------------------
@pytest.mark.promise("local-only")
def test_the_notice_names_where_the_data_is_and_nothing_is_written_elsewhere(
    vault, isolated_env, tmp_path
):
    outside = sorted(p for p in tmp_path.rglob("*") if vault.path.parent not in p.parents)
    write_known_strings(vault, known_strings(20, seed=1))
    backups.make_backup(vault)
    notice = privacy_notice.render_notice(vault).markdown
    assert str(vault.path) in notice and str(keyslot_path(vault.path)) in notice
    assert str(backup_dir(vault.path)) in notice and str(log_dir()) in notice
    # The session wrote only beside the vault (and its backups there) or in the app's
    # own folders: nothing else under the test's folder changed.
    after = sorted(p for p in tmp_path.rglob("*") if vault.path.parent not in p.parents)
    assert after == outside
    assert any(backup_dir(vault.path).iterdir())


@pytest.mark.promise("encrypted-at-rest")
def test_nothing_typed_is_readable_in_the_vault_its_wal_or_backups(vault, created):
    words = known_strings(200, seed=2)
    ids = write_known_strings(vault, words)
    backups.make_backup(vault)
    files = list(files_under(vault.path.parent))
    assert any(p.name.endswith("-wal") for p in files)  # scanned while open, WAL and all
    assert found_in(files, words) == {}
    for path in files:
        assert not path.read_bytes().startswith(b"SQLite format 3")
    # The scan would see them: they are there, through the key.
    assert contacts.get_person(vault, ids[0]).given_name == words[0]
    vault.close()
    assert found_in(list(files_under(vault.path.parent)), words) == {}


@pytest.mark.promise("key-in-keychain")
def test_the_key_is_in_the_keychain_and_locked_in_the_slots_never_in_clear(
    created, keychain, file_keyring, clock
):
    with open_vault(created.path, keychain=keychain, clock=clock) as vault:
        assert vault.key_source == "keychain"  # opened with no passphrase typed
        key = bytes(vault._key)
        notice = privacy_notice.render_notice(vault).markdown
    assert "keychain" in notice and "holds it" in notice
    assert "with your passphrase and with your recovery key" in notice
    stored = Path(file_keyring.path).read_text(encoding="utf-8")
    assert stored.strip()  # the test keychain holds an entry for the vault
    for path in files_under(created.path.parent):
        data = path.read_bytes()
        for form in (key, key.hex().encode(), key.hex().upper().encode()):
            assert form not in data, path


@pytest.mark.promise("key-in-keychain")
def test_without_the_keychain_the_notice_says_so(tmp_path, keychain, clock):
    from crasme_desktop.vault import create_vault

    made = create_vault(tmp_path / "plain.crasme", passphrase=PASSPHRASE,
                        keychain=keychain, use_keychain=False)
    with open_vault(made.path, passphrase=PASSPHRASE, keychain=keychain, clock=clock) as v:
        assert not v.keychain_holds_key()
        notice = privacy_notice.render_notice(v).markdown
    assert "keychain does not hold it" in notice


# -- what leaves the machine ------------------------------------------------------------------
def run_session(tmp_path, *smtp):
    out = tmp_path / "network.json"
    env = dict(os.environ, CRASME_PASSPHRASE="network session passphrase",
               QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "tests.privacy.network_session", str(out),
         str(tmp_path / "session" / "office.crasme"), *map(str, smtp)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    return [tuple(e) for e in json.loads(out.read_text(encoding="utf-8"))]


@pytest.mark.promise("no-telemetry")
def test_a_whole_session_without_mail_makes_no_network_connection(tmp_path):
    assert run_session(tmp_path) == []


@pytest.mark.promise("no-telemetry")
def test_the_program_has_no_network_code_but_the_mail_client():
    """No HTTP, no sockets, no Qt networking anywhere, except smtplib in mailing.py,
    imaplib for the support mailbox (support_mailbox.py, and ticket_mail.py's TLS
    context for it), boto3 for off-site copies (offsite.py), and the host name in the
    lock file, which is no network use."""
    network = ("urllib.request", "http", "requests", "httpx", "aiohttp", "ftplib",
               "xmlrpc", "smtplib", "imaplib", "poplib", "socket", "ssl", "boto3",
               "botocore", "PySide6.QtNetwork", "PySide6.QtWebEngineWidgets",
               "PySide6.QtWebEngineCore")
    allowed = {"services/mailing.py": {"smtplib", "socket", "ssl"},
               "services/support_mailbox.py": {"imaplib", "socket", "ssl"},
               "services/ticket_mail.py": {"ssl"},
               "services/offsite.py": {"boto3", "botocore"},
               "vault/lockfile.py": {"socket"}}
    found: dict[str, set[str]] = {}
    for path in (REPO / "crasme_desktop").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                hit = next((n for n in network if name == n or name.startswith(n + ".")), None)
                if hit:
                    found.setdefault(str(path.relative_to(REPO / "crasme_desktop")),
                                     set()).add(hit)
    assert found == allowed
    lockfile = (REPO / "crasme_desktop" / "vault" / "lockfile.py").read_text(encoding="utf-8")
    assert "socket.gethostname()" in lockfile and "connect" not in lockfile


@pytest.mark.promise("nothing-leaves")
def test_with_mail_set_up_the_only_connection_is_to_that_server(tmp_path):
    with running_smtp_server("none") as server:
        events = run_session(tmp_path, server.host, server.port)
        assert len(server.messages) == 1  # the invoice went out, so the hook saw it
    connects = [detail for event, detail in events if event == "socket.connect"]
    assert connects and set(connects) == {repr((server.host, server.port))}
    lookups = [detail for event, detail in events if event != "socket.connect"]
    assert all(server.host in detail for detail in lookups), lookups  # no DNS look-up


@pytest.mark.promise("nothing-leaves")
def test_the_notice_names_the_mail_server_when_one_is_set_up(vault):
    assert "No mail server is set up" in privacy_notice.render_notice(vault).markdown
    mailing.save_mail_settings(vault, mailing.MailSettings(
        host="mail.example.org", port=465, security="ssl", from_address="o@example.org"))
    notice = privacy_notice.render_notice(vault).markdown
    assert "`mail.example.org` (port 465, encrypted with SSL/TLS)" in notice



@pytest.mark.promise("nothing-leaves")
def test_the_notice_names_the_support_mailbox_and_off_site_storage_when_set_up(vault):
    from crasme_desktop.services import offsite, support_mailbox

    before = privacy_notice.render_notice(vault).markdown
    assert "No support mailbox is set up, so Crasme Desktop reads no mail." in before
    assert "No off-site storage is set up" in before
    support_mailbox.save_mailbox_settings(vault, support_mailbox.MailboxSettings(
        host="imap.example.org", username="help@example.org", folder="Support"))
    offsite.save_settings(vault, offsite.OffsiteSettings(
        bucket="office-backups", prefix="crasme", access_key_id="AKIAEXAMPLE",
        endpoint_url="https://s3.wasabisys.com"))
    notice = privacy_notice.render_notice(vault).markdown
    assert ("the folder `Support` at `imap.example.org` (port 993, encrypted with SSL/TLS), "
            "only when you fetch mail") in notice
    assert "`office-backups/crasme at s3.wasabisys.com`" in notice
    assert "No support mailbox" not in notice and "No off-site storage" not in notice

# -- logs and card numbers ----------------------------------------------------------------------
@pytest.fixture
def debug_log(tmp_path):
    path = tmp_path / "debug.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    # aiosmtpd, the test's own mail server, logs what it receives: not the app's log.
    handler.addFilter(lambda record: not record.name.startswith("mail."))
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    root.setLevel(old)
    handler.close()


@pytest.mark.promise("no-personal-data-in-logs")
def test_a_session_logs_no_personal_data_even_at_debug_level(vault, debug_log, tmp_path):
    from crasme_desktop.domain.errors import UserError
    from crasme_desktop.services import contacts_export, search

    words = known_strings(40, seed=3)
    ids = write_known_strings(vault, words)
    search.search(vault, words[0])
    contacts_export.export_people(vault, ids, tmp_path / "out.csv")
    backups.make_backup(vault)
    with running_smtp_server("none") as server:
        mailing.save_mail_settings(vault, mailing.MailSettings(
            host=server.host, port=server.port, security="none", from_address="o@example.org"))
        mailing.send_message(vault, f"{words[0]}@example.org", f"Hello {words[1]}", words[2])
    with pytest.raises(UserError):  # a failure that names the person to the user...
        contacts.create_person(vault, PersonDraft(given_name=words[4], notes=CARD))
    logging.getLogger("crasme_desktop").warning("a warning so the log is not empty")
    assert debug_log.stat().st_size > 0
    assert found_in([debug_log], words) == {}  # ...but never in the log
    assert found_in([debug_log], [PASSPHRASE, "4111111111111111", CARD]) == {}


@pytest.mark.promise("no-card-numbers")
def test_a_card_number_is_refused_with_the_reason_and_never_stored(vault):
    with pytest.raises(Exception) as refused:
        contacts.create_person(vault, PersonDraft(
            given_name="Carla", notes=f"Pays by card {CARD}, exp 12/27"))
    message = str(refused.value)
    assert "looks like a payment card number" in message
    assert "Crasme Desktop does not store card numbers" in message
    assert "Remove it and save again." in message and "4111 1111" not in message
    person = contacts.create_person(vault, PersonDraft(
        given_name="Carla", notes="IBAN DE89 3704 0044 0532 0130 00, tel +49 30 1234567"))
    with pytest.raises(CardNumberRefused):
        timeline.add_note(vault, f"card {CARD.replace(' ', '-')}", person_id=person.id)
    vault.close()
    assert found_in(list(files_under(vault.path.parent)), ["Carla"]) == {}  # encrypted
    with open_vault(vault.path, passphrase=PASSPHRASE, use_keychain=False) as again:
        assert timeline.person_timeline(again, person.id) == []


# -- the notice itself ----------------------------------------------------------------------------
@pytest.mark.promise("notice-acknowledged")
def test_an_acknowledgement_records_who_when_and_which_version(vault, clock, monkeypatch):
    assert privacy_notice.needs_acknowledgement(vault)
    privacy_notice.acknowledge(vault)
    assert not privacy_notice.needs_acknowledgement(vault)
    (ack,) = privacy_notice.acknowledgements(vault)
    assert (ack.version, ack.actor, ack.at) == (
        privacy_notice.NOTICE_VERSION, getpass.getuser(), clock.now())
    with vault.unit_of_work() as uow:
        row_id = uow.session.scalar(select(NoticeAck.id))
        event = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "notice.acknowledge")).one()
        assert (event.record_type, event.record_id) == ("notice_ack", row_id)
    # A new version of the text is to be read and acknowledged again.
    monkeypatch.setattr(privacy_notice, "NOTICE_VERSION", "2099-1-1")
    assert privacy_notice.needs_acknowledgement(vault)
    clock.advance(86400)
    privacy_notice.acknowledge(vault)
    assert [a.version for a in privacy_notice.acknowledgements(vault)] == [
        "2099-1-1", ack.version]


@pytest.mark.promise("notice-acknowledged")
@pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
def test_i_have_read_this_records_the_acknowledgement(qtbot, vault):
    from crasme_desktop.ui.privacy_notice import NoticeDialog
    from crasme_desktop.ui.tasks import TaskRunner
    from tests.support.clicks import click

    tasks = TaskRunner()
    dialog = NoticeDialog(tasks, vault, acknowledge=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.read_button.isEnabled(), timeout=20_000)
    text = dialog.view.text()
    assert str(vault.path) in text and "{promise:" not in text and "{{" not in text
    assert "not yet acknowledged" in dialog.view.acknowledged.text()
    with qtbot.waitSignal(dialog.acknowledged, timeout=20_000):
        click(qtbot, dialog.read_button)
    tasks.wait(10_000)
    assert not privacy_notice.needs_acknowledgement(vault)


def test_the_notice_follows_the_live_settings(vault):
    """Backups, retention and the vault's place come from the settings, not the text."""
    from crasme_desktop.services import retention

    before = privacy_notice.render_notice(vault).markdown
    assert "deleted 30 days after" in before and "every day" in before
    assert "deleted 2 years after they happened" in before
    backups.save_preferences(vault, backups.BackupPreferences(
        folder=str(vault.path.parent / "elsewhere"), interval_days=3, keep_days=90))
    retention.set_retention_rule(vault, "activity", 36, True)
    retention.set_retention_rule(vault, "inactive_people", 48, True)
    after = privacy_notice.render_notice(vault).markdown
    assert str(vault.path.parent / "elsewhere") in after and "every 3 days" in after
    assert "deleted 90 days after" in after
    assert "deleted 3 years after they happened" in after
    assert "after 4 years without any activity" in after
    assert privacy_notice.template_fields() <= set(privacy_notice.notice_facts(vault))


def test_the_rendered_html_escapes_what_the_settings_hold(vault):
    folder = vault.path.parent / "<b>x</b> `odd` *folder*"
    backups.save_preferences(vault, backups.BackupPreferences(folder=str(folder)))
    html = privacy_notice.render_notice(vault).html
    assert "<b>x</b>" not in html and "<em>" not in html
    assert "&lt;b&gt;x&lt;/b&gt; `odd` *folder*</code>" in html
