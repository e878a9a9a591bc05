"""Off-site copies against a real S3-compatible server (moto's server mode on
127.0.0.1, signatures checked): sent, verified, listed, rotated, restored; a wrong
secret, a missing bucket and a server that goes down mid-upload each end in one
sentence with the local backup intact; unset, nothing touches the network."""

from __future__ import annotations

import hashlib
import logging
import socket
import sys
import threading
from datetime import UTC, datetime

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Person, Setting
from crasme_desktop.domain.progress import Progress
from crasme_desktop.services import backups, offsite
from crasme_desktop.vault import backup as vault_backup
from crasme_desktop.vault import keychain as secrets
from crasme_desktop.vault import keyslot_path, open_vault
from crasme_desktop.vault.paths import backup_dir
from sqlalchemy import select
from tests.support.s3_server import running_s3_server

DAY = 24 * 3600


def add_people(vault, *names):
    with vault.unit_of_work() as uow:
        for name in names:
            uow.session.add(Person(given_name=name, display_name=name, sort_key=name.lower()))


def people(vault):
    with vault.unit_of_work() as uow:
        return sorted(uow.session.scalars(select(Person.given_name)))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def opened(created, keychain, clock):
    vault = open_vault(created.path, keychain=keychain, clock=clock)
    yield vault
    vault.close()


@pytest.fixture
def s3():
    with running_s3_server() as server:
        yield server


def set_up(vault, s3, *, secret=None, bucket=None, prefix="office"):
    settings = offsite.OffsiteSettings(
        endpoint_url=s3.endpoint, region="eu-central-1", bucket=bucket or s3.bucket,
        prefix=prefix, access_key_id=s3.access_key_id,
    )
    return offsite.save_settings(vault, settings, secret if secret is not None else s3.secret_key)


def test_each_backup_goes_off_site_whole_encrypted_and_checked(opened, s3):
    add_people(opened, "Ada", "Grace")
    setup = set_up(opened, s3)
    assert setup.secret_saved and setup.settings.configured

    info = backups.make_backup(opened)

    objects = s3.objects()
    base = f"office/{opened.vault_id}/{info.name}"
    assert set(objects) == {base, base + ".json", base + ".keys"}
    for key, path in ((base, info.path), (base + ".json", vault_backup.manifest_path(info.path)),
                      (base + ".keys", keyslot_path(info.path))):
        local = path.read_bytes()
        assert objects[key]["body"] == local, "sent as it lies in the backup folder"
        assert objects[key]["metadata"]["sha256"] == sha256(local)
        assert objects[key]["size"] == len(local)
    assert not objects[base]["body"].startswith(b"SQLite format 3"), "encrypted before it left"
    assert b"Grace" not in objects[base]["body"]

    status = backups.backup_status(opened)
    assert status.offsite is not None and status.offsite.last_good.name == info.name
    assert status.offsite.last_failure is None
    assert "Last off-site copy just now." in status.summary

    listed = offsite.list_remote(opened)
    assert [(b.name, b.size, b.complete) for b in listed] == [(info.name, info.size, True)]


def test_the_secret_key_stays_in_the_keychain_only(opened, s3, caplog):
    caplog.set_level(logging.DEBUG)
    set_up(opened, s3)
    backups.make_backup(opened)
    assert secrets.load_secret(offsite.secret_name(opened)) == s3.secret_key
    with opened.unit_of_work() as uow:
        stored = " ".join(uow.session.scalars(select(Setting.value)))
    assert s3.access_key_id in stored
    assert s3.secret_key not in stored
    assert s3.secret_key not in caplog.text
    assert s3.secret_key not in opened.path.read_bytes().decode("latin-1")


def test_with_off_site_unset_nothing_touches_the_network(opened, tmp_path):
    add_people(opened, "Ada")
    events: list[tuple[str, tuple]] = []
    watching = threading.Event()

    def hook(event, args):
        if not watching.is_set() or not event.startswith(("socket.", "http.client.")):
            return
        if event == "socket.connect" and getattr(args[0], "family", None) == socket.AF_UNIX:
            return  # a local socket file (a keychain's bus), not the network
        events.append((event, args))

    sys.addaudithook(hook)  # audit hooks cannot be removed: the event gates it
    watching.set()
    try:
        info = backups.make_backup(opened)
        status = backups.on_unlock(opened)
        outcome = offsite.push_after_backup(opened, info)
    finally:
        watching.clear()
    assert outcome is None and status.offsite is None
    assert events == []
    # The same watch does see a connection when there is one (the test can fail).
    watching.set()
    try:
        with pytest.raises(UserError):
            offsite.test_connection(opened, offsite.OffsiteSettings(
                endpoint_url="http://127.0.0.1:9", bucket="office-backups",
                access_key_id="AKIAEXAMPLE0001"), secret_key="x" * 20)
    finally:
        watching.clear()
    assert any(e == "socket.connect" for e, _ in events)


def test_remote_copies_rotate_with_the_local_keep_days(opened, s3, clock):
    backups.save_preferences(opened, backups.BackupPreferences(keep_days=15))
    set_up(opened, s3)
    made = []
    for day in range(4):  # days 0, 10, 20, 30
        add_people(opened, f"Day {day}")
        made.append(backups.make_backup(opened, reason="daily"))
        clock.advance(10 * DAY)
    names = [b.name for b in offsite.list_remote(opened)]
    # The last push (day 30) kept day 20 and day 30 (newer than 15 days); the objects of
    # the older ones are gone with their manifests and key slots.
    assert names == [made[3].name, made[2].name]
    assert len(s3.objects()) == 6
    assert [b.path.name for b in backups.list_backups(opened)] == names

    clock.advance(100 * DAY)  # only stale copies: the newest whole one always stays
    removed = offsite.rotate_remote(opened)
    assert removed == [made[2].name]
    assert [b.name for b in offsite.list_remote(opened)] == [made[3].name]


def test_a_remote_backup_restores_through_the_checked_path(opened, s3, tmp_path):
    add_people(opened, "Ada", "Grace")
    set_up(opened, s3)
    info = backups.make_backup(opened)
    # The computer's own backups are lost; the vault carries on and changes.
    for path in backup_dir(opened.path).iterdir():
        path.unlink()
    add_people(opened, "Later")

    seen = []
    outcome = offsite.restore_remote(opened, info.name,
                                     progress=Progress(lambda d, t, text: seen.append(text)))

    assert people(opened) == ["Ada", "Grace"]
    assert outcome.counts["person"] == 2
    assert "Downloading the off-site backup" in seen
    # A safety backup of the vault as it was came first, and holds "Later".
    assert outcome.safety_backup.path.exists()
    with open_vault(outcome.safety_backup.path, keychain=None, use_keychain=False,
                    passphrase="correct horse battery") as before:
        assert "Later" in people(before)
    assert not [p for p in opened.path.parent.iterdir() if p.name.startswith(".offsite")]


def test_a_remote_copy_damaged_in_storage_is_not_restored(opened, s3):
    add_people(opened, "Ada")
    set_up(opened, s3)
    info = backups.make_backup(opened)
    add_people(opened, "Grace")
    key = f"office/{opened.vault_id}/{info.name}"
    head = s3.admin.head_object(Bucket=s3.bucket, Key=key)
    body = bytearray(s3.objects()[key]["body"])
    body[5000] ^= 0x01
    s3.admin.put_object(Bucket=s3.bucket, Key=key, Body=bytes(body), Metadata=head["Metadata"])

    with pytest.raises(UserError, match="arrived damaged"):
        offsite.restore_remote(opened, info.name)
    assert people(opened) == ["Ada", "Grace"], "the vault was not touched"


def test_a_wrong_secret_key_is_one_sentence_and_the_local_backup_stands(opened, s3):
    add_people(opened, "Ada")
    set_up(opened, s3, secret="w" * 40)

    with pytest.raises(UserError) as caught:
        offsite.test_connection(opened)
    assert caught.value.message.startswith("The secret access key does not match")

    info = backups.make_backup(opened)
    assert info.path.exists() and opened.check_backup(info.path).ok
    status = backups.backup_status(opened)
    assert status.last_good is not None and status.last_good.path == str(info.path)
    assert status.offsite.last_good is None
    assert status.offsite.last_failure.message.startswith("The secret access key does not match")
    assert "The last off-site copy failed" in status.summary
    assert s3.objects() == {}


def test_a_missing_bucket_is_named(opened, s3):
    set_up(opened, s3, bucket="no-such-bucket")
    with pytest.raises(UserError, match="The bucket “no-such-bucket” does not exist"):
        offsite.test_connection(opened)
    info = backups.make_backup(opened)
    assert opened.check_backup(info.path).ok
    assert "does not exist" in offsite.offsite_status(opened).last_failure.message


def test_a_server_down_mid_upload_leaves_the_local_backup_intact(opened, s3):
    add_people(opened, *(f"Person {i} " + "x" * 400 for i in range(2000)))
    set_up(opened, s3)

    def listener(done, total, text):
        if text == "Sending the backup off-site" and done:
            s3.go_down()

    info = backups.make_backup(opened, progress=Progress(listener))

    assert s3.stopped, "the server went down during the upload"
    assert info.path.exists()
    assert opened.check_backup(info.path).ok
    assert backups.last_good(opened).path == str(info.path)
    failure = offsite.offsite_status(opened).last_failure
    assert failure is not None
    assert "could not be reached" in failure.message or "broke off" in failure.message
    assert offsite.offsite_status(opened).last_good is None
    with pytest.raises(UserError, match="could not be reached"):
        offsite.list_remote(opened)


def test_a_good_copy_after_a_failure_clears_it(opened, s3):
    set_up(opened, s3, secret="w" * 40)
    backups.make_backup(opened)
    assert offsite.offsite_status(opened).last_failure is not None
    set_up(opened, s3)  # the right secret this time
    outcome = offsite.push_backup(opened)
    status = offsite.offsite_status(opened)
    assert status.last_failure is None and status.last_good == outcome.copy


def test_settings_are_checked():
    good = dict(bucket="office-backups", access_key_id="AKIAEXAMPLE0001")
    with pytest.raises(UserError, match="https://"):
        offsite.clean_settings(offsite.OffsiteSettings(
            endpoint_url="http://s3.example.com", **good))
    with pytest.raises(UserError, match="bucket"):
        offsite.clean_settings(offsite.OffsiteSettings(bucket="Bad_Bucket",
                                                       access_key_id="AKIAEXAMPLE0001"))
    clean = offsite.clean_settings(offsite.OffsiteSettings(
        endpoint_url=" https://s3.wasabisys.com/ ", prefix="/office//crasme/", **good))
    assert clean.endpoint_url == "https://s3.wasabisys.com" and clean.prefix == "office/crasme"
    assert clean.place == "office-backups/office/crasme at s3.wasabisys.com"
    assert not offsite.OffsiteSettings().configured



def test_erasing_everything_deletes_the_off_site_copies_too(opened, s3, created):
    from crasme_desktop.services import privacy_erase

    add_people(opened, "Ada")
    set_up(opened, s3)
    backups.make_backup(opened)
    assert len([k for k in s3.objects() if opened.vault_id in k]) == 3
    secret = offsite.secret_name(opened)
    assert secrets.load_secret(secret) == s3.secret_key
    outcome = privacy_erase.erase_everything(created.path, confirmation="ERASE EVERYTHING",
                                             vault=opened)
    assert outcome.remote_deleted == 3 and outcome.left == ()
    assert "off-site" in outcome.message
    assert s3.objects() == {}
    assert secrets.load_secret(secret) is None
    assert not created.path.exists()


def test_an_unreachable_storage_is_named_and_the_local_erase_goes_on(opened, s3, created):
    from crasme_desktop.services import privacy_erase

    set_up(opened, s3)
    backups.make_backup(opened)
    s3.go_down()
    outcome = privacy_erase.erase_everything(created.path, confirmation="ERASE EVERYTHING",
                                             vault=opened)
    assert outcome.remote_deleted == 0
    assert len(outcome.left) == 1 and "delete them there by hand" in outcome.left[0]
    assert not created.path.exists()
