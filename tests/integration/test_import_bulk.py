"""The fast paths of the import write the same rows the ORM and the indexers would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crasme_desktop.domain.models import Base, Organization, Person
from crasme_desktop.services import importing, search_index
from sqlalchemy import select, text


def _write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(content, encoding="utf-8")
    return path


def test_bulk_columns_are_real_and_cover_every_column_that_needs_a_value():
    for table, columns in importing._COLUMNS.items():
        real = Base.metadata.tables[table].c
        assert set(columns) <= set(real.keys()), table
        needed = {c.name for c in real if not c.nullable and c.server_default is None
                  and not (c.primary_key and c.autoincrement is True)}
        assert needed <= set(columns), (table, needed - set(columns))


def test_imported_companies_and_people_read_back_as_the_orm_writes_them(vault, tmp_path):
    path = _write(tmp_path, "First Name,Last Name,Email,Company\n"
                            "Lea,Roth,lea@example.org,Roth Bau GmbH\n"
                            "Max,Roth,max@example.org,Roth Bau GmbH\n")
    importing.commit_import(vault, importing.plan_import(vault, path))

    with vault.unit_of_work() as uow:
        s = uow.session
        (org,) = s.scalars(select(Organization)).all()
        people = s.scalars(select(Person)).all()
        assert org.name == "Roth Bau GmbH" and org.sort_key == "roth bau gmbh"
        assert {p.organization_id for p in people} == {org.id}
        # Times come back as the same datetimes, whichever path wrote them.
        assert {org.created_at, org.updated_at} == {p.created_at for p in people}
        assert org.created_at.tzinfo is None and org.created_at.microsecond >= 0
        # The company's index entry is exactly what reindexing it writes.
        indexed = s.execute(text("SELECT doc_id, name, other FROM search_doc "
                                 "WHERE record_id = :r"), {"r": org.id}).all()
        search_index.index_organizations(s, [org.id])
        assert s.execute(text("SELECT doc_id, name, other FROM search_doc "
                              "WHERE record_id = :r"), {"r": org.id}).all() == indexed
        assert indexed[0][1:] == ("Roth Bau GmbH", "")
        found = s.execute(text("SELECT rowid FROM search_word WHERE search_word MATCH 'roth'")
                          ).scalars().all()
        assert indexed[0][0] in found


def test_country_names_are_phonenumbers_own_and_load_without_its_place_names():
    from phonenumbers.geodata.locale import LOCALE_DATA

    assert importing._locale_data() == LOCALE_DATA
    script = ("import sys; from crasme_desktop.services import importing as i; "
              "print(i._country_code('Deutschland'), i._country_code('España'), "
              "'phonenumbers.geodata' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.split() == ["DE", "ES", "False"]


def test_match_people_can_leave_the_batch_out_for_the_import(vault):
    from crasme_desktop.domain.validation_records import clean_person
    from crasme_desktop.services import contacts, duplicates
    from crasme_desktop.services.contacts import EmailDraft, PersonDraft

    stored = contacts.create_person(vault, PersonDraft(
        given_name="Lea", family_name="Roth", emails=(EmailDraft("lea@example.org"),)))
    drafts = [clean_person(PersonDraft(given_name="Lea", family_name="Roth",
                                       emails=(EmailDraft(a),)))
              for a in ("lea@example.org", "lea@example.org")]
    with vault.unit_of_work() as uow:
        both = duplicates.match_people(uow.session, drafts)
        stored_only = duplicates.match_people(uow.session, drafts, within_batch=False)
    assert sorted(str(m.batch_index) for m in both[1]) == ["0", "None"]  # row 0, and stored
    assert [[m.person_id for m in found] for found in stored_only] == [[stored.id]] * 2
