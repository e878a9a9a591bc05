"""Attachments live encrypted inside the vault, never as loose files."""

from __future__ import annotations

import hashlib

import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import attachments, contacts, timeline
from crasme_desktop.services.attachments import AttachmentDamaged, clean_filename
from crasme_desktop.services.contacts import NotFound, PersonDraft
from crasme_desktop.vault import keyslot_path, open_vault
from crasme_desktop.vault.paths import sidecar_paths
from sqlalchemy import text
from tests.support.sentences import assert_one_sentence

SECRET = (
    b"Floor plan of the vault room: the safe is behind the third panel, code 7741-QX. "
    b"Zyxwvutsrq-unique-marker-0042."
) * 40  # several kilobytes: spans pages and overflow pages


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain) as opened:
        yield opened


@pytest.fixture
def jonas(vault):
    return contacts.create_person(vault, PersonDraft("Jonas"))


def test_bytes_round_trip_with_their_facts(vault, jonas):
    note = timeline.add_note(vault, "See the plan.", person_id=jonas.id)
    info = attachments.add_attachment(vault, filename="plan.pdf", data=SECRET,
                                      activity_id=note.id)

    got = attachments.read_attachment(vault, info.id)

    assert got.data == SECRET
    assert got.info == info
    assert (info.filename, info.media_type, info.size) == ("plan.pdf", "application/pdf",
                                                           len(SECRET))
    assert info.sha256 == hashlib.sha256(SECRET).hexdigest()
    assert [a.id for a in attachments.list_attachments(vault, activity_id=note.id)] == [info.id]
    assert attachments.list_attachments(vault, person_id=jonas.id) == []


def test_attachment_bytes_never_reach_the_disk_in_the_clear(created, keychain, jonas, vault):
    files = [created.path, *sidecar_paths(created.path), keyslot_path(created.path)]
    needles = [SECRET[:64], b"Zyxwvutsrq-unique-marker-0042", b"7741-QX"]

    def leaks(paths):
        found = []
        for path in paths:
            if path.exists():
                data = path.read_bytes()
                found += [f"{path.name}: {n!r}" for n in needles if n in data]
        return found

    attachments.add_attachment(vault, filename="plan.txt", data=SECRET, person_id=jonas.id)
    wal, _shm = sidecar_paths(created.path)
    assert wal.exists() and wal.stat().st_size > len(SECRET)  # the bytes are in the WAL...
    assert leaks(files) == []  # ...encrypted
    assert list(created.path.parent.glob("*.txt")) == []  # and no loose file beside it
    vault.close()
    assert leaks(files) == []
    # The check can fail: the same bytes in a plain file are found.
    plain = created.path.with_name("plain.bin")
    plain.write_bytes(SECRET)
    assert leaks([plain])


def test_too_large_is_refused_with_a_clear_sentence(vault, jonas):
    with pytest.raises(UserError) as caught:
        attachments.add_attachment(vault, filename="scan.tiff", data=b"x" * 3000,
                                   person_id=jonas.id, max_bytes=2048)
    assert caught.value.message == (
        "The file “scan.tiff” is 3 KB, and attachments can be at most 2 KB."
    )
    assert_one_sentence(caught.value.message)
    with pytest.raises(UserError, match=r"is 26 MB, and attachments can be at most 25 MB\."):
        attachments.add_attachment(vault, filename="big.bin", person_id=jonas.id,
                                   data=bytes(26 * 1024 * 1024))
    assert attachments.list_attachments(vault, person_id=jonas.id) == []


def test_a_file_is_read_and_its_size_checked_first(vault, jonas, tmp_path):
    source = tmp_path / "Angebot März.pdf"
    source.write_bytes(b"%PDF-1.7 quote")
    info = attachments.add_attachment_from_file(vault, source, person_id=jonas.id)
    assert info.filename == "Angebot März.pdf" and info.media_type == "application/pdf"
    assert attachments.read_attachment(vault, info.id).data == b"%PDF-1.7 quote"
    assert source.exists()  # the original is left alone

    with pytest.raises(UserError, match="at most 4 bytes"):
        attachments.add_attachment_from_file(vault, source, person_id=jonas.id, max_bytes=4)
    with pytest.raises(UserError, match="was not found"):
        attachments.add_attachment_from_file(vault, tmp_path / "gone.pdf", person_id=jonas.id)


def test_damaged_bytes_are_reported_not_returned(vault, jonas):
    info = attachments.add_attachment(vault, filename="a.txt", data=b"original",
                                      person_id=jonas.id)
    with vault.engine.begin() as conn:
        conn.execute(text("UPDATE attachment_content SET data = x'00'"))
    with pytest.raises(AttachmentDamaged) as caught:
        attachments.read_attachment(vault, info.id)
    assert caught.value.message == "The attachment “a.txt” is damaged; restore it from a backup."


def test_delete_and_cascades(vault, jonas):
    note = timeline.add_note(vault, "With a file", person_id=jonas.id)
    on_note = attachments.add_attachment(vault, filename="a.txt", data=b"a",
                                         activity_id=note.id)
    on_person = attachments.add_attachment(vault, filename="b.txt", data=b"b",
                                           person_id=jonas.id)

    attachments.delete_attachment(vault, on_person.id)
    timeline.delete_entry(vault, note.id)

    with vault.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM attachment")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM attachment_content")).scalar_one() == 0
        actions = [r[0] for r in conn.execute(text(
            "SELECT action FROM audit_event WHERE record_type = 'attachment' ORDER BY at"))]
    assert actions == ["attachment.create", "attachment.create", "attachment.delete"]
    with pytest.raises(NotFound):
        attachments.read_attachment(vault, on_note.id)


def test_an_attachment_must_belong_somewhere_that_exists(vault):
    with pytest.raises(UserError, match="must belong to"):
        attachments.add_attachment(vault, filename="a.txt", data=b"a")
    with pytest.raises(NotFound):
        attachments.add_attachment(vault, filename="a.txt", data=b"a", person_id="gone")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        (r"C:\Users\ada\Desktop\plan.pdf", "plan.pdf"),
        ("tab\there.txt", "tabhere.txt"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_file_names_lose_their_folders_and_control_characters(given, kept):
    assert clean_filename(given) == kept


def test_a_file_name_is_needed():
    with pytest.raises(UserError, match="needs a file name"):
        clean_filename("../")
