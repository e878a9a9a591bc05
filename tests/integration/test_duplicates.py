"""Finding possible duplicates on a real SQLCipher vault: same email, same phone,
similar names at the same company; companies by name and website; batches."""

from __future__ import annotations

import pytest
from crasme_desktop.domain.validation_records import clean_organization, clean_person
from crasme_desktop.services import contacts, duplicates
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
        yield opened


@pytest.fixture
def bau(vault):
    return contacts.create_organization(
        vault, OrganizationDraft("Kühnemann Bau GmbH", website="www.kuehnemann-bau.de")
    )


@pytest.fixture
def ada(vault, bau):
    return contacts.create_person(
        vault,
        PersonDraft(
            "Ada Augusta", "Lovelace", organization_id=bau.id,
            emails=(EmailDraft("Ada@Example.org"),),
            phones=(PhoneDraft("+44 20 7946 0123"),),
        ),
        region="GB",
    )


def draft(**fields) -> PersonDraft:
    return clean_person(PersonDraft(**fields), region="GB")


def ids(matches) -> list[str]:
    return [m.person_id for m in matches]


def test_the_same_email_in_another_case_is_a_match_and_says_so(vault, ada):
    found = duplicates.find_person_matches(
        vault, draft(given_name="Someone", emails=(EmailDraft("ADA@example.ORG"),))
    )
    assert ids(found) == [ada.id]
    assert found[0].display_name == "Ada Augusta Lovelace"
    assert found[0].reasons == ("same email Ada@example.org",)


def test_the_same_phone_typed_another_way_is_a_match(vault, ada):
    found = duplicates.find_person_matches(
        vault, draft(given_name="Someone", phones=(PhoneDraft("020 7946 0123"),))
    )
    assert ids(found) == [ada.id]
    assert found[0].reasons == ("same phone +44 20 7946 0123",)


def test_a_different_extension_of_the_same_switchboard_is_no_match(vault, bau):
    contacts.create_person(vault, PersonDraft("Jonas", phones=(PhoneDraft("+49 30 1234567",
                                                                          extension="12"),)))
    other = draft(given_name="Mia", phones=(PhoneDraft("+49 30 1234567", extension="13"),))
    assert duplicates.find_person_matches(vault, other) == []


@pytest.mark.parametrize(
    "given, family",
    [
        ("Ada", "Lovelace"),  # middle name left out
        ("Lovelace", "Ada Augusta"),  # given and family swapped
        ("ADA AUGUSTA", "lovelace"),  # case
        ("Adá Augusta", "Lóvelace"),  # accents
    ],
)
def test_similar_names_at_the_same_company_match(vault, bau, ada, given, family):
    found = duplicates.find_person_matches(
        vault, draft(given_name=given, family_name=family, organization_id=bau.id)
    )
    assert ids(found) == [ada.id]
    assert found[0].reasons == ("similar name at Kühnemann Bau GmbH",)


def test_a_similar_name_elsewhere_or_a_different_name_is_no_match(vault, bau, ada):
    other_company = contacts.create_organization(vault, OrganizationDraft("Other Ltd"))
    assert duplicates.find_person_matches(
        vault, draft(given_name="Ada", family_name="Lovelace", organization_id=other_company.id)
    ) == []
    assert duplicates.find_person_matches(
        vault, draft(given_name="Ada", family_name="Byron", organization_id=bau.id)
    ) == []
    assert duplicates.find_person_matches(
        vault, draft(given_name="Ada", organization_id=bau.id)  # one word only: too loose
    ) == []


def test_a_company_typed_by_name_finds_people_there(vault, bau, ada):
    found = duplicates.find_person_matches(
        vault, draft(given_name="Ada", family_name="Lovelace"),
        organization_name="kühnemann bau gmbh",
    )
    assert ids(found) == [ada.id]


def test_several_reasons_come_together_and_the_strongest_match_first(vault, bau, ada):
    namesake = contacts.create_person(
        vault, PersonDraft("Ada", "Lovelace", organization_id=bau.id)
    )
    found = duplicates.find_person_matches(
        vault,
        draft(given_name="Ada", family_name="Lovelace", organization_id=bau.id,
              emails=(EmailDraft("ada@example.org"),), phones=(PhoneDraft("02079460123"),)),
    )
    assert ids(found) == [ada.id, namesake.id]
    assert found[0].reasons == (
        "same email Ada@example.org",
        "same phone +44 20 7946 0123",
        "similar name at Kühnemann Bau GmbH",
    )


def test_the_person_being_edited_is_left_out(vault, ada):
    same = draft(given_name="Ada", emails=(EmailDraft("ada@example.org"),))
    assert ids(duplicates.find_person_matches(vault, same)) == [ada.id]
    assert duplicates.find_person_matches(vault, same, exclude_id=ada.id) == []


def test_duplicate_people_of_a_stored_person(vault, bau, ada):
    twin = contacts.create_person(
        vault, PersonDraft("Lovelace", "Ada", organization_id=bau.id,
                           emails=(EmailDraft("ada@example.org"),))
    )
    found = duplicates.duplicate_people(vault, ada.id)
    assert ids(found) == [twin.id]
    assert found[0].reasons == ("same email ada@example.org", "similar name at Kühnemann Bau GmbH")
    assert ids(duplicates.duplicate_people(vault, twin.id)) == [ada.id]
    assert duplicates.duplicate_people(vault, "no-such-id") == []


def test_a_batch_matches_the_vault_and_its_own_earlier_drafts(vault, bau, ada):
    drafts = [
        draft(given_name="New", family_name="Person", emails=(EmailDraft("new@x.de"),)),
        draft(given_name="Ada", family_name="Lovelace", organization_id=bau.id),
        draft(given_name="Again", emails=(EmailDraft("NEW@x.de"),)),
        draft(given_name="Person", family_name="New", phones=(PhoneDraft("+49 30 999999"),)),
        draft(given_name="Nobody"),
    ]
    with vault.unit_of_work() as uow:
        found = duplicates.match_people(uow.session, drafts)
    assert found[0] == []
    assert ids(found[1]) == [ada.id]
    assert [(m.person_id, m.batch_index, m.reasons) for m in found[2]] == [
        ("", 0, ("same email NEW@x.de",))
    ]
    assert found[3] == []  # the same name, but at no company
    assert found[4] == []


def test_batch_names_at_a_company_typed_by_name_match_each_other(vault):
    drafts = [draft(given_name="Jonas", family_name="Müller"),
              draft(given_name="Muller", family_name="Jonas")]
    with vault.unit_of_work() as uow:
        found = duplicates.match_people(uow.session, drafts,
                                        organization_names=["New Co", "new co"])
    assert [(m.batch_index, m.reasons) for m in found[1]] == [
        (0, ("similar name at new co",))
    ]


def test_a_big_batch_takes_a_few_queries_not_one_per_draft(vault, bau, ada):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    from sqlalchemy import event

    drafts = [
        draft(given_name=f"Person{i}", family_name="Test", organization_id=bau.id,
              emails=(EmailDraft(f"p{i}@example.org"),), phones=(PhoneDraft(f"+4930{i:07d}"),))
        for i in range(1500)
    ]
    drafts.append(draft(given_name="Ada", family_name="Lovelace", organization_id=bau.id))
    event.listen(vault.engine, "before_cursor_execute", count)
    try:
        with vault.unit_of_work() as uow:
            found = duplicates.match_people(uow.session, drafts)
    finally:
        event.remove(vault.engine, "before_cursor_execute", count)
    assert ids(found[-1]) == [ada.id]
    assert all(f == [] for f in found[:-1])
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) < 40


def test_name_look_ups_use_the_company_and_name_index(vault, bau, ada):
    """The key ranges over (company, sort key) are searched in the index, never a scan."""
    from crasme_desktop.domain.models import Person
    from sqlalchemy import and_, or_, select

    query = select(Person.id).where(or_(
        and_(Person.organization_id == bau.id, Person.sort_key >= "ada",
             Person.sort_key < "ada0"),
        and_(Person.organization_id == bau.id, Person.sort_key >= "lovelace",
             Person.sort_key < "lovelace0"),
    ))
    sql = str(query.compile(compile_kwargs={"literal_binds": True}))
    with vault.engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "ix_person_organization" in plan and "SCAN person" not in plan


# -- names -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "a, b, similar",
    [
        ("Ada Lovelace", "ada lovelace", True),
        ("Ada Lovelace", "Lovelace Ada", True),
        ("Ada Lovelace", "Ada Augusta Lovelace", True),
        ("Ada Lovelace", "Lovelace Augusta Ada", True),
        ("José Núñez", "Jose Nunez", True),
        ("Ada Lovelace", "Ada Byron", False),
        ("Ada", "Ada Lovelace", False),
        ("Ada Lovelace", "Ada Lovelace Byron", False),
        ("Ada Ada", "Ada Lovelace Ada", False),
        ("", "Ada", False),
    ],
)
def test_similar_names(a, b, similar):
    words = duplicates.name_words
    assert duplicates.similar_names(words(a), words(b)) is similar
    assert duplicates.similar_names(words(b), words(a)) is similar


# -- companies -------------------------------------------------------------------------
def company(**fields) -> OrganizationDraft:
    return clean_organization(OrganizationDraft(**fields))


@pytest.mark.parametrize(
    "name, reason",
    [("Kühnemann Bau GmbH", "same name"), ("KUHNEMANN BAU", "similar name"),
     ("Kühnemann Bau GmbH & Co. KG", "similar name")],
)
def test_companies_match_by_name_without_legal_forms(vault, bau, name, reason):
    found = duplicates.find_organization_matches(vault, company(name=name))
    assert [(m.organization_id, m.reasons) for m in found] == [(bau.id, (reason,))]
    assert found[0].name == "Kühnemann Bau GmbH"


def test_companies_match_by_website_domain(vault, bau):
    found = duplicates.find_organization_matches(
        vault, company(name="KB Bauunternehmen", website="http://kuehnemann-bau.de/impressum")
    )
    assert [(m.organization_id, m.reasons) for m in found] == [
        (bau.id, ("same website kuehnemann-bau.de",))
    ]
    assert duplicates.find_organization_matches(
        vault, company(name="Other", website="kuehnemann.de")
    ) == []


def test_a_longer_name_is_no_match(vault, bau):
    assert duplicates.find_organization_matches(vault, company(name="Kühnemann Bauten")) == []
    assert duplicates.find_organization_matches(vault, company(name="Kühnemann")) == []


def test_duplicate_organizations_of_a_stored_company(vault, bau):
    twin = contacts.create_organization(vault, OrganizationDraft("Kuehnemann-Bau",
                                                                 website="kuehnemann-bau.de"))
    assert [m.organization_id for m in duplicates.duplicate_organizations(vault, bau.id)] == [
        twin.id
    ]
    assert duplicates.duplicate_organizations(vault, "gone") == []


def test_company_batch_matches_earlier_drafts(vault):
    drafts = [company(name="Acme Ltd"), company(name="ACME"), company(name="Other",
                                                                       website="acme.com"),
              company(name="Acme Inc.", website="https://www.acme.com")]
    with vault.unit_of_work() as uow:
        found = duplicates.match_organizations(uow.session, drafts)
    assert found[0] == []
    assert [(m.batch_index, m.reasons) for m in found[1]] == [(0, ("similar name",))]
    assert found[2] == []
    assert sorted((m.batch_index, m.reasons) for m in found[3]) == [
        (0, ("similar name",)), (2, ("same website acme.com",))
    ]


def test_name_keys_and_domains():
    assert duplicates.company_name_key("Acme, Inc.") == "acme"
    assert duplicates.company_name_key("GmbH") == "gmbh"
    assert duplicates.website_domain("https://WWW.Example.com:8080/x") == "example.com"
    assert duplicates.website_domain("") == ""
