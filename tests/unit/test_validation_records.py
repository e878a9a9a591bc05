"""Whole person and company drafts: every problem found at once, values normalised."""

from __future__ import annotations

import pytest
from crasme_desktop.domain.validation import InvalidRecord
from crasme_desktop.domain.validation_records import (
    AddressDraft,
    EmailDraft,
    OrganizationDraft,
    PersonDraft,
    PhoneDraft,
    clean_organization,
    clean_person,
)
from tests.support.sentences import assert_one_sentence


def problems(fn, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(InvalidRecord) as caught:
        fn(*args, **kwargs)
    assert_one_sentence(caught.value.message)
    return {p.field: p.message for p in caught.value.problems}


def test_a_person_needs_a_name():
    assert problems(clean_person, PersonDraft(given_name="  ")) == {
        "given_name": "Enter a first name, a last name or both."
    }
    assert clean_person(PersonDraft(display_name="Dr. Who")).display_name == "Dr. Who"


def test_every_problem_is_reported_with_its_field():
    draft = PersonDraft(
        given_name="Ada",
        emails=(EmailDraft("ada@example.org"), EmailDraft("bob@")),
        phones=(PhoneDraft("12"),),
        addresses=(AddressDraft(city="Atlantis", country_code="ZZ"),),
        tags=("x" * 60,),
    )
    found = problems(clean_person, draft, region="DE")
    assert found == {
        "emails.1": "The email address “bob@” is missing the part after @.",
        "phones.0": "The phone number “12” is too short.",
        "addresses.0.country_code": "The country code “ZZ” is not a known two-letter "
        "country code, such as DE or US.",
        "tags.0": "The tag “xxxxxxxxxxxxxxxxxxxx…” is longer than 50 characters.",
    }


def test_the_summary_sentence_counts_the_other_problems():
    with pytest.raises(InvalidRecord) as caught:
        clean_person(PersonDraft(emails=(EmailDraft("bob@"),), phones=(PhoneDraft("1"),)))
    assert caught.value.message == (
        "Enter a first name, a last name or both, and 2 more problems need fixing."
    )


def test_a_person_is_normalised():
    clean = clean_person(
        PersonDraft(
            given_name="  Émile ",
            family_name="Zola",
            emails=(EmailDraft(" Emile@Example.ORG ", "Home"), EmailDraft("")),
            phones=(PhoneDraft("030 1234567", "mobile"), PhoneDraft("+49 30 1234567")),
            addresses=(AddressDraft(street=" Rue 1 \n\n Bât. B ", country_code="fr"),
                       AddressDraft()),
            tags=("VIP", "vip", " new  lead "),
        ),
        region="DE",
    )
    assert clean.display_name == "Émile Zola" and clean.sort_key == "emile zola"
    assert clean.emails == (EmailDraft("Emile@example.org", "home", True, "emile@example.org"),)
    assert clean.phones == (PhoneDraft("+49301234567", "mobile", True),)  # duplicate dropped
    assert clean.addresses == (AddressDraft("work", "Rue 1\nBât. B", "", "", "", "FR"),)
    assert clean.tags == ("VIP", "new lead")


def test_exactly_one_primary_email_and_phone():
    unmarked = clean_person(
        PersonDraft("A", emails=(EmailDraft("a@example.org"), EmailDraft("b@example.org")))
    )
    assert [e.primary for e in unmarked.emails] == [True, False]
    two_marked = clean_person(
        PersonDraft("A", emails=(EmailDraft("a@example.org"),
                                 EmailDraft("b@example.org", primary=True),
                                 EmailDraft("c@example.org", primary=True)))
    )
    assert [e.primary for e in two_marked.emails] == [False, True, False]
    # A duplicate marked primary passes the mark to the copy that is kept.
    dup = clean_person(
        PersonDraft("A", emails=(EmailDraft("a@example.org"), EmailDraft("b@example.org"),
                                 EmailDraft("B@EXAMPLE.org", primary=True)))
    )
    assert [(e.address, e.primary) for e in dup.emails] == [
        ("a@example.org", False), ("b@example.org", True)
    ]


def test_a_company_needs_a_name_and_a_real_website():
    assert problems(clean_organization, OrganizationDraft(website="foo")) == {
        "name": "Enter the company's name.",
        "website": "The website “foo” does not look like a web address, such as example.com.",
    }
    clean = clean_organization(OrganizationDraft(name=" Kühnemann  Bau ", website="Kb.de"))
    assert (clean.name, clean.sort_key, clean.website) == (
        "Kühnemann Bau", "kuhnemann bau", "https://kb.de"
    )


def test_overlong_names_are_refused():
    assert problems(clean_person, PersonDraft(given_name="x" * 201)) == {
        "given_name": "The first name is longer than 200 characters."
    }
