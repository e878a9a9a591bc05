"""Search on a real SQLCipher vault: what finds whom, ranking, grouping, cancelling,
and an index that the services keep in step (including leaving no words behind)."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from crasme_desktop.domain.errors import Cancelled
from crasme_desktop.domain.progress import Progress
from crasme_desktop.services import contacts, demo, search, search_index
from crasme_desktop.services.contacts import (
    EmailDraft,
    OrganizationDraft,
    PersonDraft,
    PhoneDraft,
)
from crasme_desktop.vault import open_vault
from sqlalchemy import text


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain) as opened:
        contacts.set_office_region(opened, "DE")
        yield opened


@pytest.fixture
def people(vault):
    bau = contacts.create_organization(
        vault, OrganizationDraft(name="Kühnemann Bau", website="www.kuehnemann-bau.example.de"))
    jonas = contacts.create_person(vault, PersonDraft(
        given_name="Jonas", family_name="Kühnemann", job_title="Site lead",
        organization_id=bau.id,
        emails=(EmailDraft("jonas@kuehnemann-bau.example.de"),),
        phones=(PhoneDraft("030 1234567"),)))
    ada = contacts.create_person(vault, PersonDraft(
        given_name="Ada", family_name="Lovelace",
        emails=(EmailDraft("ada@analytical.example.org"),),
        phones=(PhoneDraft("+44 20 7946 0123"),)))
    maria = contacts.create_person(vault, PersonDraft(given_name="Maria", family_name="Adams"))
    return {"bau": bau.id, "jonas": jonas.id, "ada": ada.id, "maria": maria.id}


def titles(results, kind="person"):
    return [h.title for g in results.groups if g.kind == kind for h in g.hits]


@pytest.mark.parametrize(("typed", "expected"), [
    ("jo", ["Jonas Kühnemann"]),              # short input: prefix of a word
    ("J", ["Jonas Kühnemann"]),
    ("kühn", ["Jonas Kühnemann"]),
    ("kuhn", ["Jonas Kühnemann"]),            # accents do not matter
    ("KÜHNEMANN", ["Jonas Kühnemann"]),
    ("hnema", ["Jonas Kühnemann"]),           # substring of 3+ characters
    ("jonas k", ["Jonas Kühnemann"]),         # several words, all must match
    ("analytical", ["Ada Lovelace"]),         # email words
    ("cal.exam", ["Ada Lovelace"]),           # email substring with punctuation
    ("site", ["Jonas Kühnemann"]),            # job title
    ("030 1234", ["Jonas Kühnemann"]),        # national phone digits
    ("+49301234", ["Jonas Kühnemann"]),       # E.164 digits
    ("(030) 123-45", ["Jonas Kühnemann"]),
    ("4567", ["Jonas Kühnemann"]),            # phone digits in the middle
    ("020 7946", ["Ada Lovelace"]),
    ("nobody", []),
])
def test_finds_people_by_any_part(vault, people, typed, expected):
    assert titles(search.search(vault, typed)) == expected


def test_companies_are_their_own_group_found_by_name_and_website(vault, people):
    results = search.search(vault, "kuehnemann-bau")
    assert [g.label for g in results.groups] == ["People", "Companies"]
    assert titles(results, "organization") == ["Kühnemann Bau"]
    company = results.groups[1].hits[0]
    assert (company.kind, company.id, company.subtitle) == (
        "organization", people["bau"], "kuehnemann-bau.example.de")


def test_a_hit_says_what_it_is(vault, people):
    (hit,) = search.search(vault, "jonas").hits
    assert hit.kind == "person"
    assert hit.id == people["jonas"]
    assert hit.subtitle == "Kühnemann Bau · jonas@kuehnemann-bau.example.de"


def test_name_matches_come_before_other_matches_and_whole_prefix_first(vault, people):
    contacts.create_person(vault, PersonDraft(
        given_name="Zed", family_name="Zimmer", emails=(EmailDraft("ada.fan@example.org"),)))
    assert titles(search.search(vault, "ada")) == ["Ada Lovelace", "Maria Adams", "Zed Zimmer"]


def test_kinds_and_limit(vault, people):
    for i in range(5):
        contacts.create_person(vault, PersonDraft(given_name="Jon", family_name=f"Doe{i}"))
    assert len(search.search(vault, "jo", limit=3).hits) == 3
    only = search.search(vault, "kühnemann", kinds=["organization"])
    assert [g.kind for g in only.groups] == ["organization"]
    assert search.search(vault, "jo", limit=0).empty


@pytest.mark.parametrize("typed", [
    '"', '""', '"jonas', "jonas*", "-jonas", "jonas -ada", "a:b", "name:jonas",
    "NEAR(jonas ada)", "jonas AND", "OR", "NOT ada", "^jo", "(", ")", "{name}: x",
    "*", "--", "+", "+()", "\x00jo", "\ud800", "jo\u200bnas", "   ", "",
])
def test_odd_input_never_breaks_the_query(vault, people, typed):
    search.search(vault, typed)  # no exception


def test_operators_are_searched_as_text(vault, people):
    contacts.create_person(vault, PersonDraft(given_name="Near", family_name="Ornot"))
    assert titles(search.search(vault, "NEAR")) == ["Near Ornot"]
    assert titles(search.search(vault, '"jonas"')) == ["Jonas Kühnemann"]
    assert titles(search.search(vault, "jonas*")) == ["Jonas Kühnemann"]


def test_changes_are_found_at_once_and_old_words_are_gone(vault, people):
    record = contacts.get_person(vault, people["ada"])
    contacts.update_person(vault, record.id, dataclasses.replace(
        record.draft(), family_name="Byron", emails=()))
    assert titles(search.search(vault, "byron")) == ["Ada Byron"]
    assert search.search(vault, "lovelace").empty
    assert search.search(vault, "analytical").empty


def test_quick_add_and_its_new_company_are_indexed(vault):
    contacts.add_person(vault, given_name="Grace", family_name="Hopper",
                        email="grace@navy.example.mil", organization="Navy Labs")
    assert titles(search.search(vault, "hopp")) == ["Grace Hopper"]
    assert titles(search.search(vault, "navy lab"), "organization") == ["Navy Labs"]


def test_company_changes_and_deletes_keep_the_index_in_step(vault, people):
    company = contacts.get_organization(vault, people["bau"])
    contacts.update_organization(vault, company.id, OrganizationDraft(name="Baufirma Nord"))
    assert titles(search.search(vault, "nord"), "organization") == ["Baufirma Nord"]
    assert titles(search.search(vault, "kühnemann"), "organization") == []
    contacts.delete_organization(vault, company.id)
    assert search.search(vault, "baufirma").empty


def _matches(vault, word):
    with vault.unit_of_work() as uow:
        return [
            uow.session.execute(
                text(f"SELECT count(*) FROM {table} WHERE {table} MATCH :q"), {"q": word}
            ).scalar()
            for table in search_index.FTS_TABLES
        ]


def _stored_terms(vault, table):
    """Every term the FTS5 index holds (the fts5vocab view reads the index pages)."""
    with vault.unit_of_work() as uow:
        s = uow.session
        s.execute(text(f"CREATE VIRTUAL TABLE temp.v_{table} USING fts5vocab(main, "
                       f"{table}, 'row')"))
        try:
            return set(s.execute(text(f"SELECT term FROM temp.v_{table}")).scalars())
        finally:
            s.execute(text(f"DROP TABLE temp.v_{table}"))


def test_deleting_a_person_leaves_no_words_in_the_index(vault, people):
    contacts.create_person(vault, PersonDraft(given_name="Quirinus", family_name="Zwetschke",
                                              emails=(EmailDraft("qz@plum.example"),)))
    assert "zwetschke" in _stored_terms(vault, "search_word")
    assert "tsc" in _stored_terms(vault, "search_trigram")
    (hit,) = search.search(vault, "zwetschke").hits
    contacts.delete_person(vault, hit.id)
    assert _matches(vault, '"zwetschke"') == [0, 0]
    # Not merely hidden: secure-delete took the terms out of the index pages.
    assert "zwetschke" not in _stored_terms(vault, "search_word")
    assert "quirinus" not in _stored_terms(vault, "search_word")
    assert "tsc" not in _stored_terms(vault, "search_trigram")
    with vault.unit_of_work() as uow:
        left = uow.session.execute(
            text("SELECT count(*) FROM search_doc WHERE name LIKE '%Zwetschke%'")).scalar()
    assert left == 0


def test_secure_delete_is_on_for_both_indexes(vault):
    with vault.unit_of_work() as uow:
        for table in search_index.FTS_TABLES:
            value = uow.session.execute(
                text(f"SELECT v FROM {table}_config WHERE k = 'secure-delete'")).scalar()
            assert value == 1, table


def test_unindex_and_reindex_many_at_once(vault, people):
    ids = [people["jonas"], people["ada"], people["maria"]]
    with vault.unit_of_work() as uow:
        search_index.unindex(uow.session, "person", ids)
    assert search.search(vault, "jonas").empty
    with vault.unit_of_work() as uow:
        search_index.index_people(uow.session, [*ids, "no-such-id"])
        search_index.index_people(uow.session, ids)  # twice changes nothing
    assert titles(search.search(vault, "a")) == ["Ada Lovelace", "Maria Adams"]
    with vault.unit_of_work() as uow:
        count = uow.session.execute(text("SELECT count(*) FROM search_doc")).scalar()
    assert count == 4
    assert _integrity_ok(vault)


def test_a_write_that_fails_leaves_the_index_as_it_was(vault, people):
    with pytest.raises(RuntimeError), vault.unit_of_work() as uow:
        search_index.unindex(uow.session, "person", [people["jonas"]])
        raise RuntimeError("boom")
    assert titles(search.search(vault, "jonas")) == ["Jonas Kühnemann"]


def test_unknown_kind_is_a_programming_error(vault):
    with vault.unit_of_work() as uow, pytest.raises(ValueError):
        search_index.unindex(uow.session, "spaceship", ["x"])


def _integrity_ok(vault):
    with vault.unit_of_work() as uow:
        for table in search_index.FTS_TABLES:
            uow.session.execute(text(f"INSERT INTO {table}({table}) VALUES ('integrity-check')"))
    return True


def test_demo_data_is_searchable_and_the_index_is_consistent(vault):
    demo.fill_demo(vault, contacts=300)
    results = search.search(vault, "a", limit=5)
    # The demo also writes deals (found by title), invoices (by customer's name), jobs
    # (number, title, site address) and tickets (number, subject).
    assert [g.kind for g in results.groups] == ["person", "organization", "deal", "invoice",
                                                "job", "ticket"]
    with vault.unit_of_work() as uow:
        docs = uow.session.execute(text("SELECT count(*) FROM search_doc")).scalar()
        people = uow.session.execute(text("SELECT count(*) FROM person")).scalar()
        orgs = uow.session.execute(text("SELECT count(*) FROM organization")).scalar()
        invoices = uow.session.execute(text("SELECT count(*) FROM invoice")).scalar()
        deals = uow.session.execute(text("SELECT count(*) FROM deal")).scalar()
        jobs = uow.session.execute(text("SELECT count(*) FROM job")).scalar()
        tickets = uow.session.execute(text("SELECT count(*) FROM ticket")).scalar()
    assert invoices > 0 and deals > 0 and jobs > 0 and tickets > 0
    assert docs == people + orgs + invoices + deals + jobs + tickets
    assert _integrity_ok(vault)
    # A demo person's phone finds them by its national digits.
    with vault.unit_of_work() as uow:
        number, name = uow.session.execute(text(
            "SELECT ph.number, p.display_name FROM person_phone ph JOIN person p "
            "ON p.id = ph.person_id WHERE ph.number LIKE '+4930%' LIMIT 1")).one()
    assert name in titles(search.search(vault, "0" + number[3:], limit=50))


def test_a_cancelled_search_stops_with_cancelled(vault, people):
    token = Progress()
    token.cancel()
    with pytest.raises(Cancelled):
        search.search(vault, "jonas", cancel=token)
    event = threading.Event()
    event.set()
    with pytest.raises(Cancelled):
        search.search(vault, "jonas", cancel=event)


def test_cancelling_while_the_query_runs_interrupts_it(vault, people, monkeypatch):
    token = threading.Event()
    monkeypatch.setattr(search, "CANCEL_CHECK_STEPS", 1)
    original = search.search_index.kind_range

    def cancel_once_running(kind):
        token.set()  # set after the progress handler is in place, before any query
        return original(kind)

    monkeypatch.setattr(search.search_index, "kind_range", cancel_once_running)
    monkeypatch.setattr(search, "_check", lambda _cancel: None)  # only SQLite may stop it
    with pytest.raises(Cancelled):
        search.search(vault, "jonas", cancel=token)
    # The connection goes back to the pool without the handler: the next search works.
    monkeypatch.setattr(search.search_index, "kind_range", original)
    monkeypatch.undo()
    assert titles(search.search(vault, "jonas", cancel=threading.Event())) == [
        "Jonas Kühnemann"]


def test_a_vault_from_before_search_is_indexed_when_it_upgrades(tmp_path):
    import shutil
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data" / "vaults"
    copy = tmp_path / "old.crasme"
    shutil.copyfile(data / "schema-0003.crasme", copy)
    shutil.copyfile(data / "schema-0003.crasme.keys", tmp_path / "old.crasme.keys")
    with open_vault(copy, use_keychain=False, passphrase="stored vault passphrase") as old:
        assert titles(search.search(old, "love")) == ["Ada Lovelace"]
        assert titles(search.search(old, "030 123")) == ["Jonas Kühnemann"]
        assert titles(search.search(old, "hnem"), "organization") == ["Kühnemann Bau"]
        assert _integrity_ok(old)


def test_one_call_with_a_changed_and_a_new_record_gives_each_its_own_number(vault, people):
    # Maria was indexed last, so hers is the highest number: changing her and indexing
    # a record new to the index in the same call must not hand that number out twice.
    with vault.unit_of_work() as uow:
        search_index.unindex(uow.session, "person", [people["jonas"]])  # the first one
    with vault.unit_of_work() as uow:
        uow.session.execute(
            text("UPDATE person SET given_name = 'Marie' WHERE id = :id"), {"id": people["maria"]})
        search_index.index_people(uow.session, [people["maria"], people["jonas"]])
    assert titles(search.search(vault, "jonas")) == ["Jonas Kühnemann"]
    assert search.search(vault, "marie").hits
    assert _integrity_ok(vault)
