"""Importing contact files into a real vault: plan, report, merge, commit, cancel."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from crasme_desktop.domain.errors import Cancelled, UserError
from crasme_desktop.domain.progress import Progress
from crasme_desktop.formats.contact_record import ImportLimits
from crasme_desktop.formats.csv_contacts import Column
from crasme_desktop.services import contacts, importing
from crasme_desktop.services.contacts import EmailDraft, PersonDraft, PhoneDraft
from crasme_desktop.vault import open_vault
from sqlalchemy import text
from tests.support.sentences import assert_one_sentence

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
GOOGLE = DATA / "google-contacts.csv"
OUTLOOK = DATA / "outlook-cp1252-semicolon.csv"
IPHONE = DATA / "iphone-3.0.vcf"


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain) as opened:
        contacts.set_office_region(opened, "DE")
        yield opened


def rows(vault, sql: str, **params) -> list[tuple]:
    with vault.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def snapshot(vault) -> dict[str, list[tuple]]:
    """Every row of every table, to prove that a vault is exactly as it was."""
    names = [n for (n,) in rows(vault, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: sorted(rows(vault, f'SELECT * FROM "{n}"'), key=repr) for n in names}


def person_by_email(vault, address: str) -> contacts.PersonRecord:
    found = rows(vault, "SELECT person_id FROM person_email WHERE address_key = :k",
                 k=address.casefold())
    assert len(found) == 1, found
    return contacts.get_person(vault, found[0][0])


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_google_csv_plan_reports_every_row_with_its_line(vault):
    plan = importing.plan_import(vault, GOOGLE)

    assert (plan.kind, plan.preset) == ("csv", "google")
    assert [(r.line, r.action) for r in plan.rows] == [
        (2, "create"), (6, "create"), (7, "create"), (10, "create"), (11, "skip")]
    assert (plan.people_created, plan.people_merged, plan.rows_skipped) == (4, 0, 1)
    assert plan.organizations_created == 4
    for row in plan.rows:
        assert_one_sentence(row.reason)
        assert row.reason.startswith(f"Line {row.line}")
        for note in row.notes:
            assert_one_sentence(note)
    assert "36" in plan.rows[-1].reason  # the ragged row says why
    assert any("without a year" in n for n in plan.rows[1].notes)
    assert rows(vault, "SELECT count(*) FROM person") == [(0,)]  # a plan writes nothing


def test_google_csv_commit_creates_people_with_everything(vault):
    plan = importing.plan_import(vault, GOOGLE)
    outcome = importing.commit_import(vault, plan)

    assert (outcome.people_created, outcome.people_merged, outcome.replanned) == (4, 0, False)
    jonas = person_by_email(vault, "j.mueller@example.de")
    assert (jonas.given_name, jonas.family_name) == ("Jonas Peter", "Müller")
    assert jonas.organization_name == "Müller & Söhne GmbH"
    assert jonas.job_title == "Geschäftsführer"
    assert [p.number for p in jonas.phones] == ["+49301234567", "+491712345678"]
    assert [p.kind for p in jonas.phones] == ["work", "mobile"]
    assert jonas.tags == ("Lieferanten",)
    (address,) = jonas.addresses
    assert (address.city, address.postal_code, address.country_code) == ("Berlin", "10115", "DE")
    assert "Birthday: 1979-02-14" in jonas.notes
    assert jonas.source == "Import"
    ken = person_by_email(vault, "k.sato@example.jp")
    assert [e.address for e in ken.emails] == ["ken.sato@example.jp", "k.sato@example.jp"]
    assert sum(e.primary for e in ken.emails) == 1
    amelie = person_by_email(vault, "amelie@example.org")
    assert amelie.notes.startswith("Prefers calls before 10,\nnever on Mondays.")
    assert set(amelie.tags) == {"Clients", "Paris"}
    # One audit event for the whole import, with ids only.
    events = rows(vault, "SELECT action, record_type, record_id FROM audit_event "
                         "WHERE action LIKE 'contacts.import%'")
    assert events == [("contacts.import", "import", outcome.import_id)]
    # The search index knows the new people and companies.
    indexed = {r for (r,) in rows(vault, "SELECT record_id FROM search_doc")}
    people = {r for (r,) in rows(vault, "SELECT id FROM person")}
    orgs = {r for (r,) in rows(vault, "SELECT id FROM organization")}
    assert people | orgs <= indexed


def test_outlook_cp1252_reads_accents_and_semicolons(vault):
    outcome = importing.commit_import(vault, importing.plan_import(vault, OUTLOOK))

    assert outcome.plan.encoding == "cp1252" and outcome.plan.delimiter == ";"
    assert outcome.people_created == 2
    weiss = person_by_email(vault, "j.weiss@example.de")
    assert weiss.display_name == "Jürgen Weiß"
    assert weiss.organization_name == "Bäckerei Weiß KG"
    assert set(weiss.tags) == {"Lieferant", "Kunde"}
    assert "Rückruf erwünscht; bitte vormittags." in weiss.notes
    assert {p.kind for p in weiss.phones} >= {"fax", "work", "mobile"}


def test_vcard_photo_becomes_an_attachment_byte_for_byte(vault):
    plan = importing.plan_import(vault, IPHONE)
    assert plan.kind == "vcard"
    importing.commit_import(vault, plan)

    maria = person_by_email(vault, "mj.garcia@example.es")
    assert maria.organization_name == "Viñedos del Sur S.L."
    stored = rows(vault, "SELECT a.filename, a.media_type, c.data FROM attachment a JOIN "
                         "attachment_content c ON c.attachment_id = a.id WHERE a.person_id = :p",
                  p=maria.id)
    assert len(stored) == 1
    filename, media_type, data = stored[0]
    assert (filename, media_type) == ("photo.jpg", "image/jpeg")
    assert hashlib.sha256(data).digest() == hashlib.sha256(
        (DATA / "photo-8x8.jpg").read_bytes()).digest()


def test_merge_fills_empty_fields_and_adds_new_values_but_never_overwrites(vault, tmp_path):
    kept = contacts.create_person(vault, PersonDraft(
        given_name="Mia", family_name="Wagner", notes="Existing notes.",
        emails=(EmailDraft("mia@example.org"),), phones=(PhoneDraft("+49 30 1111111"),)))
    path = write(tmp_path, "people.csv",
                 "First Name,Last Name,Email,Email 2,Phone,Job Title,Notes,Tags\n"
                 "Maria,Wagner,MIA@example.org,mia.home@example.net,+49 30 2222222,Buyer,"
                 "New notes,VIP\n")

    plan = importing.plan_import(vault, path)
    (row,) = plan.rows
    assert (row.action, row.person_id) == ("merge", kept.id)
    assert_one_sentence(row.reason)
    assert "Mia Wagner" in row.reason and "job title" in row.reason
    importing.commit_import(vault, plan)

    after = contacts.get_person(vault, kept.id)
    assert after.given_name == "Mia"  # not overwritten by "Maria"
    assert after.notes == "Existing notes."
    assert after.job_title == "Buyer"  # was empty: filled
    assert [e.address for e in after.emails] == ["mia@example.org", "mia.home@example.net"]
    assert [e.primary for e in after.emails] == [True, False]
    assert [p.number for p in after.phones] == ["+49301111111", "+49302222222"]
    assert after.tags == ("VIP",)
    assert rows(vault, "SELECT count(*) FROM person") == [(1,)]


def test_duplicates_inside_the_file_become_one_person(vault, tmp_path):
    path = write(tmp_path, "dups.csv",
                 "First Name,Last Name,Email,Phone,Company\n"
                 "Ana,Lima,ana@example.com,,\n"
                 "Bruno,Costa,bruno@example.com,,\n"
                 "Ana,Lima,ANA@example.com,+49 30 3333333,Lima Lda\n"
                 "Ana,Lima,ana@example.com,,\n")

    plan = importing.plan_import(vault, path)
    assert [(r.line, r.action, r.same_as_line) for r in plan.rows] == [
        (2, "create", None), (3, "create", None), (4, "merge", 2), (5, "skip", 2)]
    assert "line 2" in plan.rows[2].reason
    importing.commit_import(vault, plan)

    ana = person_by_email(vault, "ana@example.com")
    assert ana.organization_name == "Lima Lda"
    assert [p.number for p in ana.phones] == ["+49303333333"]
    assert rows(vault, "SELECT count(*) FROM person") == [(2,)]


def test_importing_the_same_file_twice_adds_nothing(vault):
    importing.commit_import(vault, importing.plan_import(vault, GOOGLE))
    before = snapshot(vault)

    again = importing.plan_import(vault, GOOGLE)
    assert {r.action for r in again.rows} == {"skip"}
    assert again.people_created == again.people_merged == 0
    for row in again.rows[:-1]:
        assert "already in the vault" in row.reason
    importing.commit_import(vault, again)
    after = snapshot(vault)
    after["audit_event"] = [r for r in after["audit_event"] if r not in before["audit_event"]]
    assert len(after.pop("audit_event")) == 1
    before.pop("audit_event")
    assert after == before


def test_cancelled_commit_leaves_every_table_as_it_was(vault, tmp_path):
    contacts.create_person(vault, PersonDraft(given_name="Kept", family_name="Before",
                                              emails=(EmailDraft("kept@example.org"),)))
    lines = ["First Name,Last Name,Email,Company,Tags"]
    lines += [f"P{i},Q{i},p{i}@example.org,Firm {i % 7},T{i % 3}" for i in range(5000)]
    lines.append("Kept,Before,kept@example.org,Firm 1,New")
    path = write(tmp_path, "many.csv", "\n".join(lines) + "\n")
    plan = importing.plan_import(vault, path)
    before = snapshot(vault)
    calls = []

    def listener(done: int, total: int, text: str) -> None:
        calls.append(done)
        if done >= importing.BATCH:  # after at least one batch went in
            progress.cancel()

    progress = Progress(listener)
    with pytest.raises(Cancelled):
        importing.commit_import(vault, plan, progress)

    assert max(calls) >= importing.BATCH
    assert snapshot(vault) == before


def test_failed_commit_rolls_back_too(vault, tmp_path, monkeypatch):
    path = write(tmp_path, "few.csv", "Name,Email\nA B,a@example.org\nC D,c@example.org\n")
    plan = importing.plan_import(vault, path)
    before = snapshot(vault)

    def broken(session, ids):
        raise RuntimeError("index broke")

    monkeypatch.setattr(importing.search_index, "index_people", broken)
    monkeypatch.setattr(importing.search_index, "add_documents", broken)
    with pytest.raises(RuntimeError):
        importing.commit_import(vault, plan)
    assert snapshot(vault) == before


def test_a_vault_changed_after_the_plan_is_planned_again(vault, tmp_path):
    path = write(tmp_path, "one.csv", "Name,Email,Job Title\nLea Roth,lea@example.org,Buyer\n")
    plan = importing.plan_import(vault, path)
    assert plan.rows[0].action == "create"
    meanwhile = contacts.create_person(vault, PersonDraft(
        given_name="Lea", family_name="Roth", emails=(EmailDraft("lea@example.org"),)))

    outcome = importing.commit_import(vault, plan)

    assert outcome.replanned
    assert outcome.plan.rows[0].action == "merge"
    assert (outcome.people_created, outcome.people_merged) == (0, 1)
    assert rows(vault, "SELECT count(*) FROM person") == [(1,)]
    assert contacts.get_person(vault, meanwhile.id).job_title == "Buyer"


def test_bad_values_are_left_out_with_a_sentence_and_the_row_still_imports(vault, tmp_path):
    path = write(tmp_path, "bad.csv",
                 "Name,Email,Email 2,Phone,Country\n"
                 "Tom Baker,not-an-email,tom@example.org,12,Narnia\n"
                 f"{'X' * 500},x@example.org,,,\n")
    plan = importing.plan_import(vault, path)

    tom, long_name = plan.rows
    assert tom.action == "create"
    assert len(tom.notes) == 2
    for note in tom.notes:
        assert_one_sentence(note)
        assert note.startswith("Line 2")
    assert long_name.action == "skip"
    assert_one_sentence(long_name.reason)
    assert long_name.reason.startswith("Line 3 was skipped because")
    importing.commit_import(vault, plan)
    person = person_by_email(vault, "tom@example.org")
    assert [e.address for e in person.emails] == ["tom@example.org"] and not person.phones


def test_mapping_and_preset_choose_the_columns(vault, tmp_path):
    path = write(tmp_path, "odd.csv", "A,B,C\nIda,Pfeiffer,ida@example.org\n")
    with pytest.raises(UserError) as exc:
        importing.plan_import(vault, path)
    assert_one_sentence(exc.value.message)

    mapping = {0: Column("given_name"), 1: Column("family_name"), 2: Column("email")}
    plan = importing.plan_import(vault, path, mapping=mapping)
    assert plan.rows[0].name == "Ida Pfeiffer" and plan.rows[0].email == "ida@example.org"

    google_headers = write(tmp_path, "g.csv", "Given Name,Family Name\nIda,Pfeiffer\n")
    assert importing.plan_import(vault, google_headers, preset="google").preset == "google"
    with pytest.raises(UserError):
        importing.plan_import(vault, google_headers, preset="outlook")


def test_inspect_file_gives_columns_mapping_and_samples():
    info = importing.inspect_file(OUTLOOK)
    assert (info.kind, info.preset, info.delimiter) == ("csv", "outlook", ";")
    assert info.headers[1] == "First Name"
    assert info.mapping[1] == Column("given_name")
    assert info.samples[0][1] == "Jürgen"
    assert importing.inspect_file(IPHONE).kind == "vcard"


@pytest.mark.parametrize(("content", "words"), [
    (b"", "empty"),
    (b"PK\x03\x04" + bytes(range(256)) * 4, "Excel"),
    (bytes(range(256)) * 40, "not text"),
    (b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nEND:VCARD\r\n", None),
])
def test_files_that_cannot_be_imported_say_why_and_change_nothing(vault, tmp_path, content,
                                                                  words):
    path = write(tmp_path, "bad.dat", content)
    before = snapshot(vault)
    try:
        plan = importing.plan_import(vault, path)
    except UserError as exc:
        assert_one_sentence(exc.message)
        if words:
            assert words in exc.message
    else:
        assert words is None and plan.people_created == 0
        importing.commit_import(vault, plan)
        after = snapshot(vault)
        assert len(after.pop("audit_event")) == len(before.pop("audit_event")) + 1
        assert after == before
        return
    assert snapshot(vault) == before


def test_missing_file_and_folder_are_sentences(vault, tmp_path):
    for path in (tmp_path / "nothing.csv", tmp_path):
        with pytest.raises(UserError) as exc:
            importing.plan_import(vault, path)
        assert_one_sentence(exc.value.message)


def test_limits_refuse_giant_files_and_fields_in_sentences(vault, tmp_path):
    small = ImportLimits(max_file_bytes=2000, max_records=3, max_field_chars=50)
    big = write(tmp_path, "big.csv", "Name,Email\n" + "A B,a@example.org\n" * 200)
    with pytest.raises(UserError) as exc:
        importing.plan_import(vault, big, limits=small)
    assert_one_sentence(exc.value.message)
    assert "2,000 bytes" in exc.value.message or "larger than" in exc.value.message

    many = write(tmp_path, "many.csv", "Name,Email\n" + "A B,a@example.org\n" * 5)
    with pytest.raises(UserError) as exc:
        importing.plan_import(vault, many, limits=small)
    assert "more than 3" in exc.value.message

    wide = write(tmp_path, "wide.csv", f"Name,Notes\nA B,{'n' * 80}\nC D,short\n")
    plan = importing.plan_import(vault, wide, limits=small)
    assert [r.action for r in plan.rows] == ["skip", "create"]
    assert "longer than 50 characters" in plan.rows[0].reason
