"""Companies on a real SQLCipher vault: their fields, their people, deleting them."""

from __future__ import annotations

import dataclasses

import pytest
from crasme_desktop.domain.validation import InvalidRecord
from crasme_desktop.services import contacts, timeline
from crasme_desktop.services.contacts import AddressDraft, OrganizationDraft, PersonDraft
from crasme_desktop.vault import open_vault
from sqlalchemy import text

BAU = OrganizationDraft(
    name="Kühnemann Bau GmbH",
    tax_id="DE123456789",
    website="Kuehnemann-Bau.example.de/",
    addresses=(
        AddressDraft("work", "Hauptstraße 5", "10115", "Berlin", "Berlin", "de"),
        AddressDraft("billing", "Postfach 12 34", "10001", "Berlin", "", "DE"),
    ),
    tags=("Supplier",),
    owner="ben",
    notes="Yard behind the house.",
)


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain) as opened:
        yield opened


def test_a_company_is_saved_normalised_and_read_back_whole(vault):
    made = contacts.create_organization(vault, BAU)
    again = contacts.get_organization(vault, made.id)

    assert again == made
    assert again.website == "https://kuehnemann-bau.example.de"
    assert [(a.kind, a.city, a.country_code) for a in again.addresses] == [
        ("work", "Berlin", "DE"), ("billing", "Berlin", "DE")
    ]
    assert (again.tax_id, again.owner, again.tags) == ("DE123456789", "ben", ("Supplier",))
    assert again.people == () and again.people_count == 0


def test_a_company_lists_its_people_in_name_order(vault):
    org = contacts.create_organization(vault, BAU)
    for given in ("Petra", "Jonas", "Ömer"):
        contacts.create_person(
            vault, PersonDraft(given, "Kühnemann", job_title="Site lead", organization_id=org.id)
        )
    contacts.create_person(vault, PersonDraft("Elsewhere"))

    record = contacts.get_organization(vault, org.id, people_limit=2)

    assert [p.display_name for p in record.people] == ["Jonas Kühnemann", "Ömer Kühnemann"]
    assert record.people_count == 3
    with vault.engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM person WHERE organization_id = 'x' "
            "ORDER BY sort_key, id LIMIT 50")))
    assert "ix_person_organization" in plan and "TEMP B-TREE" not in plan


def test_update_keeps_address_rows_and_checks_the_website(vault):
    made = contacts.create_organization(vault, BAU)
    draft = dataclasses.replace(made.draft(), name="Kühnemann Bau AG", addresses=(
        dataclasses.replace(made.draft().addresses[0], street="Hauptstraße 7"),))

    changed = contacts.update_organization(vault, made.id, draft)

    assert changed.name == "Kühnemann Bau AG"
    assert [a.street for a in changed.addresses] == ["Hauptstraße 7"]
    assert changed.addresses[0].id == made.addresses[0].id
    with vault.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM postal_address")).scalar_one() == 1
    with pytest.raises(InvalidRecord, match="does not look like a web address"):
        contacts.update_organization(vault, made.id, dataclasses.replace(draft, website="x"))
    assert contacts.get_organization(vault, made.id).website == made.website


def test_deleting_a_company_keeps_its_people_unlinked(vault):
    org = contacts.create_organization(vault, BAU)
    jonas = contacts.create_person(vault, PersonDraft("Jonas", organization_id=org.id))
    timeline.add_note(vault, "Company note", organization_id=org.id)
    own = timeline.add_note(vault, "Jonas's own note", person_id=jonas.id)

    contacts.delete_organization(vault, org.id)

    survivor = contacts.get_person(vault, jonas.id)
    assert survivor.organization_id is None and survivor.organization_name == ""
    assert [e.id for e in timeline.person_timeline(vault, jonas.id)] == [own.id]
    with vault.engine.connect() as conn:
        for table in ("organization", "organization_tag", "postal_address"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0


def test_a_company_with_no_name_is_refused(vault):
    with pytest.raises(InvalidRecord) as caught:
        contacts.create_organization(vault, OrganizationDraft(name="   "))
    assert caught.value.message == "Enter the company's name."
