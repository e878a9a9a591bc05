"""Migration 0002 (contacts): what a 0001 vault holds survives and is filled in."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from crasme_desktop.domain.validation import normalize_email
from crasme_desktop.services import attachments, contacts, timeline
from crasme_desktop.vault import keyslot_path, migrate, open_vault
from sqlalchemy import text

DATA = Path(__file__).resolve().parents[1] / "data" / "vaults"
PASSPHRASE = "stored vault passphrase"
ADA = "01a200fa-49c5-7000-b3db-2fb6b9e38848"
JONAS = "01a200fa-49d0-7001-891a-4ce1f795213c"
BAU = "01a200fa-49cf-7000-b871-d7c311f43a7d"


def copy_of(name: str, tmp_path: Path) -> Path:
    source = DATA / name
    target = tmp_path / name
    shutil.copyfile(source, target)
    shutil.copyfile(keyslot_path(source), keyslot_path(target))
    return target


def open_copy(path: Path):
    return open_vault(path, use_keychain=False, passphrase=PASSPHRASE)


def test_people_companies_emails_and_audit_of_0001_survive(tmp_path):
    path = copy_of("schema-0001.crasme", tmp_path)
    with open_copy(path) as vault:
        ada = contacts.get_person(vault, ADA)
        jonas = contacts.get_person(vault, JONAS)
        bau = contacts.get_organization(vault, BAU)
        with vault.engine.connect() as conn:
            keys = conn.execute(text("SELECT id, sort_key FROM person ORDER BY id")).all()
            email_key = conn.execute(text("SELECT address_key FROM person_email")).scalar_one()
            audit = conn.execute(text("SELECT action, record_id FROM audit_event")).all()

    assert (ada.given_name, ada.family_name, ada.display_name) == ("Ada", "Lovelace",
                                                                  "Ada Lovelace")
    assert [(e.address, e.kind, e.primary) for e in ada.emails] == [
        ("ada@example.org", "work", True)
    ]
    assert email_key == "ada@example.org"
    assert jonas.display_name == "Jonas Kühnemann" and jonas.organization_name == "Kühnemann Bau"
    assert [p.id for p in bau.people] == [JONAS]
    assert dict(keys) == {ADA: "ada lovelace", JONAS: "jonas kuhnemann"}
    assert (ada.owner, ada.source, ada.tags, ada.addresses) == ("", "", (), ())
    assert ("person.create", ADA) in [tuple(r) for r in audit] and len(audit) >= 3


def test_phones_and_activities_of_a_0001_vault_survive(tmp_path, monkeypatch):
    path = copy_of("schema-0001.crasme", tmp_path)
    # Open without upgrading, to add rows of kinds the stored 0001 vault lacks.
    monkeypatch.setattr(migrate, "head_revision", lambda: "0001")
    with open_copy(path) as vault, vault.engine.begin() as conn:
        assert migrate.current_revision(conn) == "0001"
        for i, (number, position) in enumerate((("+442079460999", 1), ("+442079460111", 0))):
            conn.execute(text(
                "INSERT INTO person_phone (id, person_id, kind, number, position, created_at,"
                " updated_at) VALUES (:id, :p, 'work', :n, :pos, '2026-01-01 00:00:00.000000',"
                " '2026-01-01 00:00:00.000000')"), {"id": f"ph-{i}", "p": ADA, "n": number,
                                                    "pos": position})
        conn.execute(text(
            "INSERT INTO person_email (id, person_id, kind, address, position, created_at,"
            " updated_at) VALUES ('em-2', :p, 'home', 'Jonas@Kühnemann.Example', 0,"
            " '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')"), {"p": JONAS})
        conn.execute(text(
            "INSERT INTO activity (id, kind, subject, body, occurred_at, person_id,"
            " organization_id, created_at, updated_at) VALUES ('act-1', 'call', 'Old call',"
            " 'Talked about the roof.', '2026-02-01 10:00:00.000000', :p, NULL,"
            " '2026-02-01 10:00:00.000000', '2026-02-01 10:00:00.000000')"), {"p": JONAS})
    monkeypatch.undo()

    with open_copy(path) as vault:
        with vault.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
            key = conn.execute(text(
                "SELECT address_key FROM person_email WHERE id = 'em-2'")).scalar_one()
        ada = contacts.get_person(vault, ADA)
        jonas = contacts.get_person(vault, JONAS)
        entries = timeline.organization_timeline(vault, BAU)

    assert [(p.number, p.primary) for p in ada.phones] == [
        ("+442079460111", True), ("+442079460999", False)
    ]
    assert jonas.primary_email == "Jonas@Kühnemann.Example"
    # The same key a newly typed address gets, so duplicates are found across both.
    assert key == normalize_email("Jonas@Kühnemann.Example").key == "jonas@xn--khnemann-65a.example"
    assert [(e.id, e.kind, e.subject, e.body) for e in entries] == [
        ("act-1", "call", "Old call", "Talked about the roof.")
    ]
    assert entries[0].occurred_at == datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
    assert entries[0].done_at is None and entries[0].subject_kind == ""


def test_the_stored_0002_vault_holds_every_kind_of_contact_data(tmp_path):
    path = copy_of("schema-0002.crasme", tmp_path)
    with open_copy(path) as vault:
        people = {p.display_name: p for p in contacts.list_people(vault)}
        ada = contacts.get_person(vault, people["Ada Lovelace"].id)
        jonas = contacts.get_person(vault, people["Jonas Kühnemann"].id)
        note = timeline.person_timeline(vault, ada.id)[0]
        files = attachments.list_attachments(vault, activity_id=note.id)
        data = attachments.read_attachment(vault, files[0].id).data
        tasks = timeline.due_tasks(vault, by=datetime(2027, 1, 1, tzinfo=UTC))

    assert ada.tags == ("VIP",) and ada.addresses[0].country_code == "GB"
    assert [p.kind for p in ada.phones] == ["work", "mobile"]
    assert jonas.organization_name == "Kühnemann Bau" and jonas.primary_phone == "+49301234567"
    assert note.body == "Met at the trade fair."
    assert data == b"Stand B12, hall 3.\n"
    assert [(t.subject, t.person_id) for t in tasks] == [("Send the quote", jonas.id)]


def test_downgrade_to_0001_and_back_loses_no_row_of_0001(tmp_path):
    path = copy_of("schema-0001.crasme", tmp_path)
    tables = ("person", "person_email", "person_phone", "organization", "activity",
              "audit_event")

    def counts(conn):
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}

    with open_copy(path) as vault, vault.engine.begin() as conn:
        upgraded = counts(conn)
        command.downgrade(migrate._config(conn), "0001")
        assert migrate.current_revision(conn) == "0001"
        assert counts(conn) == upgraded
        command.upgrade(migrate._config(conn), "head")
        assert counts(conn) == upgraded
        names = conn.execute(text("SELECT display_name FROM person ORDER BY sort_key")).all()
    assert upgraded["person_email"] == 1 and upgraded["audit_event"] >= 3
    assert [n[0] for n in names] == ["Ada Lovelace", "Jonas Kühnemann"]
