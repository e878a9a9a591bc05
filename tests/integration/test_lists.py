"""The list service on a real SQLCipher vault: filters, sort orders read from indexes,
stable order among equal names, saved views, and export read back with the parsers."""

from __future__ import annotations

from array import array
from datetime import UTC, date, datetime, timedelta

import pytest
from crasme_desktop.domain.errors import Cancelled, UserError
from crasme_desktop.domain.progress import Progress
from crasme_desktop.formats.csv_contacts import read_csv
from crasme_desktop.formats.vcard import read_vcards
from crasme_desktop.services import contacts, contacts_export, lists
from crasme_desktop.services.contacts import (
    AddressDraft,
    EmailDraft,
    OrganizationDraft,
    PersonDraft,
    PhoneDraft,
)
from crasme_desktop.services.lists import ListSpec
from crasme_desktop.vault import open_vault
from sqlalchemy import text


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain) as opened:
        yield opened


def person(vault, given, family="", **fields):
    return contacts.create_person(vault, PersonDraft(given, family, **fields))


def names(vault, spec, kind="person"):
    ids = lists.ordered_ids(vault, kind, spec)
    rows = []
    for start in range(0, len(ids), lists.BATCH):
        rows += lists.fetch_rows(vault, kind, ids[start:start + lists.BATCH])
    return [r.display_name if kind == "person" else r.name for r in rows]


def set_times(vault, table, record_id, created, updated=None):
    with vault.engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET created_at = :c, updated_at = :u WHERE id = :id"),
                     {"c": created.replace(tzinfo=None), "u": (updated or created)
                      .replace(tzinfo=None), "id": record_id})


@pytest.fixture
def office(vault):
    acme = contacts.create_organization(vault, OrganizationDraft("Acme", owner="anna",
                                                                 tags=("Key",)))
    zeta = contacts.create_organization(vault, OrganizationDraft("Zeta Bau"))
    made = {
        "ada": person(vault, "Ada", "Lovelace", organization_id=zeta.id, owner="anna",
                      tags=("VIP", "Lead"), emails=(EmailDraft("ada@example.com"),),
                      phones=(PhoneDraft("+44 20 7946 0000"),)),
        "bob": person(vault, "Bob", "Builder", organization_id=acme.id, owner="ben",
                      tags=("VIP",)),
        "emile": person(vault, "Émile", "Zola", owner="anna"),
        "cyd": person(vault, "Cyd", "Charisse", organization_id=acme.id),
    }
    base = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    for i, key in enumerate(("ada", "bob", "emile", "cyd")):
        set_times(vault, "person", made[key].id, base + timedelta(days=i),
                  base + timedelta(days=10 - i))
    made["acme"], made["zeta"] = acme, zeta
    return made


def test_sort_orders_both_ways(vault, office):
    assert names(vault, ListSpec()) == ["Ada Lovelace", "Bob Builder", "Cyd Charisse",
                                        "Émile Zola"]
    assert names(vault, ListSpec(descending=True)) == ["Émile Zola", "Cyd Charisse",
                                                       "Bob Builder", "Ada Lovelace"]
    assert names(vault, ListSpec(sort="created")) == ["Ada Lovelace", "Bob Builder",
                                                      "Émile Zola", "Cyd Charisse"]
    assert names(vault, ListSpec(sort="updated")) == ["Cyd Charisse", "Émile Zola",
                                                      "Bob Builder", "Ada Lovelace"]
    # By company name (Acme, then Zeta Bau), people without a company last.
    assert names(vault, ListSpec(sort="company")) == ["Bob Builder", "Cyd Charisse",
                                                      "Ada Lovelace", "Émile Zola"]
    assert names(vault, ListSpec(sort="company", descending=True)) == [
        "Émile Zola", "Ada Lovelace", "Cyd Charisse", "Bob Builder"]


def test_filters(vault, office):
    assert names(vault, ListSpec(tags=("vip",))) == ["Ada Lovelace", "Bob Builder"]
    assert names(vault, ListSpec(tags=("VIP", "Lead"))) == ["Ada Lovelace"]
    assert names(vault, ListSpec(tags=("Nobody has this",))) == []
    assert names(vault, ListSpec(owner="anna")) == ["Ada Lovelace", "Émile Zola"]
    assert names(vault, ListSpec(owner="")) == ["Cyd Charisse"]
    assert names(vault, ListSpec(organization_id=office["acme"].id, sort="company")) == [
        "Bob Builder", "Cyd Charisse"]
    assert names(vault, ListSpec(created_from=date(2024, 3, 11), created_to=date(2024, 3, 12),
                                 owner="anna")) == ["Émile Zola"]
    assert names(vault, ListSpec(created_to=date(2024, 3, 9))) == []


def test_rows_carry_what_the_list_shows(vault, office):
    contacts.set_office_region(vault, "DE")
    ids = lists.ordered_ids(vault, "person", ListSpec())
    ada = lists.fetch_rows(vault, "person", ids[:1])[0]
    # The phone is written for reading: international, as the office is in Germany.
    assert (ada.display_name, ada.company, ada.email, ada.phone, ada.owner, ada.tags) == (
        "Ada Lovelace", "Zeta Bau", "ada@example.com", "+44 20 7946 0000", "anna",
        ("Lead", "VIP"))
    assert ada.created_at == datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    assert lists.first_rows(vault, "person", ListSpec(), 2) == lists.fetch_rows(
        vault, "person", ids[:2])
    assert lists.rowid_of(vault, "person", office["bob"].id) == ids[1]
    contacts.delete_person(vault, office["bob"].id)
    assert [r.display_name for r in lists.fetch_rows(vault, "person", ids)] == [
        "Ada Lovelace", "Cyd Charisse", "Émile Zola"]
    companies = lists.fetch_rows(vault, "organization",
                                 lists.ordered_ids(vault, "organization", ListSpec()))
    assert [(c.name, c.people, c.tags, c.owner) for c in companies] == [
        ("Acme", 1, ("Key",), "anna"), ("Zeta Bau", 1, (), "")]


def test_equal_names_keep_one_stable_order_by_id(vault):
    made = [person(vault, "Sam", "Smith").id for _ in range(25)]
    person(vault, "Aaron", "Able")
    ids = lists.ordered_ids(vault, "person", ListSpec())
    rows = [r for start in range(0, len(ids), 7)
            for r in lists.fetch_rows(vault, "person", ids[start:start + 7])]
    sams = [r.id for r in rows if r.display_name == "Sam Smith"]
    assert sams == sorted(made)
    assert lists.ordered_ids(vault, "person", ListSpec()) == ids
    backwards = lists.ordered_ids(vault, "person", ListSpec(descending=True))
    assert list(backwards) == list(reversed(ids))


def test_the_main_orders_read_an_index_without_sorting(vault, office):
    plans = {}
    with vault.unit_of_work() as uow:
        for spec in (ListSpec(), ListSpec(descending=True), ListSpec(sort="created"),
                     ListSpec(sort="company"), ListSpec(owner="anna"),
                     ListSpec(organization_id="x")):
            for sql, params in lists._parts(uow.session, "person", spec):
                plan = uow.session.execute(text("EXPLAIN QUERY PLAN " + sql.replace(
                    "?", ":p")), {"p": params[0] if params else None}).all()
                plans[(spec.sort, spec.descending, spec.owner, sql)] = " | ".join(
                    str(r[-1]) for r in plan)
        for sql, _params in lists._parts(uow.session, "organization", ListSpec()):
            plan = uow.session.execute(text("EXPLAIN QUERY PLAN " + sql)).all()
            plans[("org", sql)] = " | ".join(str(r[-1]) for r in plan)
    for key, plan in plans.items():
        assert "TEMP B-TREE" not in plan, (key, plan)
        assert "INDEX" in plan, (key, plan)


def test_the_open_ticket_filter_is_reported_unavailable(vault, office):
    with pytest.raises(UserError, match="tickets"):
        lists.ordered_ids(vault, "person", ListSpec(has_open_ticket=True))
    assert "has_open_ticket" in lists.UNAVAILABLE_FILTERS


def test_filter_choices_and_company_look_up(vault, office):
    choices = lists.filter_choices(vault, "person")
    assert choices.tags == ("Key", "Lead", "VIP")
    assert choices.owners == ("", "anna", "ben")
    assert [c.name for c in lists.find_companies(vault, "zeta")] == ["Zeta Bau"]
    assert [c.name for c in lists.find_companies(vault, "")] == ["Acme", "Zeta Bau"]


def test_saved_views_round_trip_rename_and_delete(vault):
    spec = ListSpec(tags=("VIP",), owner="anna", created_from=date(2024, 1, 1),
                    sort="created", descending=True)
    saved = lists.save_view(vault, "contacts", "  My   VIPs ", spec)
    assert saved.name == "My VIPs" and saved.spec == spec
    lists.save_view(vault, "companies", "Other page", ListSpec())
    again = lists.save_view(vault, "contacts", "my vips", ListSpec(owner="ben"))
    assert again.id == saved.id and again.spec == ListSpec(owner="ben")
    assert again.name == "my vips"  # saved again as typed this time
    b = lists.save_view(vault, "contacts", "Another", ListSpec())
    assert [v.name for v in lists.list_views(vault, "contacts")] == ["Another", "my vips"]

    with pytest.raises(UserError, match="already a view"):
        lists.rename_view(vault, b.id, "MY VIPS")
    with pytest.raises(UserError, match="needs a name"):
        lists.rename_view(vault, b.id, "   ")
    assert lists.rename_view(vault, b.id, "Zed").name == "Zed"
    lists.delete_view(vault, saved.id)
    assert [v.name for v in lists.list_views(vault, "contacts")] == ["Zed"]
    with pytest.raises(UserError, match="no longer exists"):
        lists.delete_view(vault, saved.id)


def test_a_spec_from_another_version_is_read_safely():
    spec = ListSpec.from_json('{"version": 7, "tags": ["VIP", 3, ""], "owner": 5, '
                              '"sort": "colour", "created_from": "not a date", '
                              '"created_to": "2024-05-01", "descending": "yes", '
                              '"new_filter": {"x": 1}}')
    assert spec == ListSpec(tags=("VIP",), created_to=date(2024, 5, 1))
    assert ListSpec.from_json("[1, 2]") == ListSpec()
    assert ListSpec.from_json("{broken") == ListSpec()
    full = ListSpec(tags=("A",), owner="", organization_id="o", organization_name="Acme",
                    created_from=date(2024, 1, 2), has_open_ticket=False, sort="company")
    assert ListSpec.from_json(full.to_json()) == full


def test_export_people_csv_and_vcard_read_back(vault, office, tmp_path):
    contacts.update_person(vault, office["ada"].id, contacts.get_person(
        vault, office["ada"].id).draft().__class__(
        "Ada", "Lovelace", organization_id=office["zeta"].id, tags=("VIP", "Lead"),
        emails=(EmailDraft("ada@example.com"), EmailDraft("ada@home.example", "home")),
        phones=(PhoneDraft("+44 20 7946 0000"), PhoneDraft("+44 7700 900123", "mobile")),
        addresses=(AddressDraft("work", "1 Main St", "N1 9GU", "London", "", "GB"),),
        notes="Line one\nline two, with = sign"))
    csv_path, vcf_path = tmp_path / "people.csv", tmp_path / "people.vcf"
    outcome = contacts_export.export_people(vault, ListSpec(), csv_path, "csv")
    assert outcome.count == 4
    by_csv = read_csv(csv_path.read_bytes())
    assert not by_csv.problems
    assert [r.display_name for r in by_csv.records] == names(vault, ListSpec())
    ada = by_csv.records[0]
    assert ada.emails == (("work", "ada@example.com"), ("home", "ada@home.example"))
    assert ada.phones == (("work", "+442079460000"), ("mobile", "+447700900123"))
    assert (ada.organization, ada.tags, ada.notes) == ("Zeta Bau", ("Lead", "VIP"),
                                                       "Line one\nline two, with = sign")
    assert ada.addresses[0].city == "London"

    contacts_export.export_people(vault, ListSpec(tags=("VIP",)), vcf_path, "vcard")
    by_vcard = read_vcards(vcf_path.read_bytes())
    assert [r.display_name for r in by_vcard.records] == ["Ada Lovelace", "Bob Builder"]
    assert by_vcard.records[0].emails == ada.emails


def test_export_in_many_batches_keeps_one_header_and_width(vault, tmp_path, monkeypatch):
    monkeypatch.setattr(contacts_export, "BATCH", 3)
    for i in range(8):
        emails = tuple(EmailDraft(f"p{i}.{n}@example.com") for n in range(1 + (i == 6) * 2))
        person(vault, f"P{i}", "Batch", emails=emails)
    path = tmp_path / "batched.csv"
    contacts_export.export_people(vault, ListSpec(), path, "csv")
    data = path.read_bytes()
    assert data.count(b"Given Name") == 1 and data.count("\ufeff".encode()) == 1
    result = read_csv(data)
    assert not result.problems
    assert [len(r.emails) for r in result.records] == [1, 1, 1, 1, 1, 1, 3, 1]


def test_export_of_chosen_records_and_of_companies(vault, office, tmp_path):
    ids = lists.ordered_ids(vault, "person", ListSpec())
    path = tmp_path / "two.csv"
    contacts_export.export_people(vault, array("q", [ids[3], ids[0]]), path)
    assert [r.display_name for r in read_csv(path.read_bytes()).records] == [
        "Émile Zola", "Ada Lovelace"]
    contacts_export.export_people(vault, [office["cyd"].id], path)
    assert [r.display_name for r in read_csv(path.read_bytes()).records] == ["Cyd Charisse"]
    companies = tmp_path / "companies.csv"
    contacts_export.export_companies(vault, ListSpec(), companies)
    records = read_csv(companies.read_bytes()).records
    assert [(r.organization, r.tags) for r in records] == [("Acme", ("Key",)),
                                                          ("Zeta Bau", ())]


def test_a_cancelled_export_leaves_the_old_file_and_no_temp_file(vault, office, tmp_path,
                                                                 monkeypatch):
    monkeypatch.setattr(contacts_export, "BATCH", 1)
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "people.csv"
    path.write_bytes(b"old")
    progress = Progress()

    def cancel_midway(done, total, _text):
        if done:
            progress.cancel()

    progress._listener = cancel_midway
    with pytest.raises(Cancelled):
        contacts_export.export_people(vault, ListSpec(), path, "csv", progress)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in folder.iterdir()) == ["people.csv"]


def test_an_unwritable_place_is_one_clear_sentence(vault, office, tmp_path):
    with pytest.raises(UserError, match="could not be written") as caught:
        contacts_export.export_people(vault, ListSpec(), tmp_path / "no" / "x.csv")
    assert caught.value.message.count(".") >= 1 and "\n" not in caught.value.message
