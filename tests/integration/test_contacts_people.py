"""People on a real SQLCipher vault: create, read, change, tag, link, delete."""

from __future__ import annotations

import dataclasses

import pytest
from crasme_desktop.domain.models import AuditEvent
from crasme_desktop.domain.validation import InvalidRecord
from crasme_desktop.services import attachments, contacts, timeline
from crasme_desktop.services.contacts import (
    AddressDraft,
    EmailDraft,
    NotFound,
    OrganizationDraft,
    PersonDraft,
    PhoneDraft,
)
from crasme_desktop.vault import open_vault
from sqlalchemy import select, text
from tests.support.sentences import assert_one_sentence

ADA = PersonDraft(
    given_name="Ada",
    family_name="Lovelace",
    job_title="Analyst",
    emails=(EmailDraft("Ada@Example.org"), EmailDraft("ada.home@example.net", "home")),
    phones=(PhoneDraft("020 7946 0123"), PhoneDraft("07700 900123", "mobile")),
    addresses=(AddressDraft("home", "12 St James's Square", "SW1Y 4JH", "London", "", "gb"),),
    tags=("VIP", "Newsletter"),
    owner="anna",
    source="Referral",
    notes="Prefers letters.",
)


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain) as opened:
        yield opened


def count(vault, table: str) -> int:
    with vault.engine.connect() as conn:
        return conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()


def audit_actions(vault) -> list[tuple[str, str, str]]:
    with vault.unit_of_work() as uow:
        rows = uow.session.execute(
            select(AuditEvent.action, AuditEvent.record_type, AuditEvent.record_id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
        return [tuple(r) for r in rows]


def test_a_person_is_saved_normalised_and_read_back_whole(vault):
    made = contacts.create_person(vault, ADA, region="GB")
    again = contacts.get_person(vault, made.id)

    assert again == made
    assert again.display_name == "Ada Lovelace"
    assert [(e.address, e.kind, e.primary) for e in again.emails] == [
        ("Ada@example.org", "work", True), ("ada.home@example.net", "home", False)
    ]
    assert [(p.number, p.kind, p.primary) for p in again.phones] == [
        ("+442079460123", "work", True), ("+447700900123", "mobile", False)
    ]
    assert again.primary_email == "Ada@example.org"
    assert again.primary_phone == "+442079460123"
    assert again.addresses[0].country_code == "GB"
    assert again.tags == ("Newsletter", "VIP")
    assert (again.owner, again.source, again.notes) == ("anna", "Referral", "Prefers letters.")
    assert again.created_at.tzinfo is not None
    assert ("person.create", "person", made.id) in audit_actions(vault)


def test_the_duplicate_keys_are_stored_and_indexed(vault):
    made = contacts.create_person(vault, ADA, region="GB")
    with vault.engine.connect() as conn:
        key = conn.execute(
            text("SELECT person_id FROM person_email WHERE address_key = 'ada@example.org'")
        ).scalar_one()
        plan = " ".join(
            str(r[-1]) for r in conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT person_id FROM person_email WHERE address_key = 'x'"
            ))
        )
        phone_plan = " ".join(
            str(r[-1]) for r in conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT person_id FROM person_phone WHERE number = '+1'"
            ))
        )
    assert key == made.id
    assert "ix_person_email_key" in plan
    assert "ix_person_phone_number" in phone_plan


def test_invalid_input_saves_nothing_and_names_every_problem(vault):
    before = count(vault, "audit_event")
    bad = dataclasses.replace(ADA, emails=(EmailDraft("bob@"),), phones=(PhoneDraft("12"),))

    with pytest.raises(InvalidRecord) as caught:
        contacts.create_person(vault, bad, region="GB")

    assert_one_sentence(caught.value.message)
    assert [p.field for p in caught.value.problems] == ["emails.0", "phones.0"]
    assert count(vault, "person") == 0
    assert count(vault, "audit_event") == before


def test_phones_are_read_in_the_office_country_setting(vault):
    assert contacts.set_office_region(vault, "de") == "DE"
    assert contacts.office_region(vault) == "DE"

    made = contacts.create_person(vault, PersonDraft("Jonas", phones=(PhoneDraft("030 1234567"),)))

    assert made.phones[0].number == "+49301234567"
    # An explicit region wins over the setting.
    other = contacts.create_person(
        vault, PersonDraft("Jo", phones=(PhoneDraft("030 1234567"),)), region="JP"
    )
    assert other.phones[0].number == "+81301234567"


def test_update_replaces_fields_and_keeps_unchanged_rows(vault):
    made = contacts.create_person(vault, ADA, region="GB")
    draft = dataclasses.replace(
        made.draft(),
        family_name="King",
        emails=(*made.draft().emails[1:], EmailDraft("countess@example.org", primary=True)),
        tags=("VIP",),
    )

    changed = contacts.update_person(vault, made.id, draft, region="GB")

    assert changed.display_name == "Ada King"  # the display name follows the names
    assert [e.address for e in changed.emails] == ["ada.home@example.net", "countess@example.org"]
    assert changed.primary_email == "countess@example.org"
    home_before = next(e.id for e in made.emails if e.kind == "home")
    assert changed.emails[0].id == home_before  # the same row, not a new one
    assert changed.tags == ("VIP",)
    assert changed.updated_at >= made.updated_at
    assert count(vault, "person_email") == 2
    assert ("person.update", "person", made.id) in audit_actions(vault)


def test_a_custom_display_name_stays(vault):
    made = contacts.create_person(
        vault, dataclasses.replace(ADA, display_name="Countess"), region="GB"
    )
    changed = contacts.update_person(
        vault, made.id, dataclasses.replace(made.draft(), family_name="King")
    )
    assert changed.display_name == "Countess"


def test_tags_are_shared_case_blind_and_counted(vault):
    ada = contacts.create_person(vault, PersonDraft("Ada"))
    org = contacts.create_organization(vault, OrganizationDraft("Analytical Engines Ltd"))

    assert contacts.add_tags(vault, "person", ada.id, ["vip", " Key  account "]) == (
        "Key account", "vip"
    )
    assert contacts.add_tags(vault, "organization", org.id, ["VIP"]) == ("vip",)
    assert contacts.remove_tags(vault, "person", ada.id, ["KEY ACCOUNT", "unknown"]) == ("vip",)

    uses = {t.name: (t.people, t.organizations) for t in contacts.list_tags(vault)}
    assert uses == {"Key account": (0, 0), "vip": (1, 1)}
    assert count(vault, "tag") == 2
    with vault.engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT person_id FROM person_tag WHERE tag_id = 'x'")))
    assert "ix_person_tag_tag" in plan


def test_link_and_unlink_a_person_and_a_company(vault):
    ada = contacts.create_person(vault, PersonDraft("Ada"))
    org = contacts.create_organization(vault, OrganizationDraft("Analytical Engines Ltd"))

    linked = contacts.link_person_to_organization(vault, ada.id, org.id)
    assert (linked.organization_id, linked.organization_name) == (
        org.id, "Analytical Engines Ltd"
    )
    assert [p.id for p in contacts.get_organization(vault, org.id).people] == [ada.id]

    unlinked = contacts.link_person_to_organization(vault, ada.id, None)
    assert unlinked.organization_id is None and unlinked.organization_name == ""
    assert contacts.get_organization(vault, org.id).people_count == 0


def test_missing_records_are_a_clear_sentence(vault):
    for call in (
        lambda: contacts.get_person(vault, "nope"),
        lambda: contacts.delete_person(vault, "nope"),
        lambda: contacts.update_person(vault, "nope", ADA),
        lambda: contacts.add_tags(vault, "person", "nope", ["x"]),
        lambda: contacts.create_person(vault, PersonDraft("A", organization_id="nope")),
    ):
        with pytest.raises(NotFound) as caught:
            call()
        assert_one_sentence(caught.value.message)
    assert count(vault, "person") == 0


def test_deleting_a_person_deletes_everything_that_is_theirs(vault):
    ada = contacts.create_person(vault, ADA, region="GB")
    note = timeline.add_note(vault, "Met at the fair.", person_id=ada.id)
    attachments.add_attachment(vault, filename="a.txt", data=b"x", activity_id=note.id)
    attachments.add_attachment(vault, filename="b.txt", data=b"y", person_id=ada.id)
    keep = contacts.create_person(vault, PersonDraft("Jonas", tags=("VIP",)))

    contacts.delete_person(vault, ada.id)

    for table in ("person_email", "person_phone", "postal_address", "activity",
                  "attachment", "attachment_content"):
        assert count(vault, table) == 0, table
    assert count(vault, "person_tag") == 1  # Jonas's
    assert [p.id for p in contacts.list_people(vault)] == [keep.id]
    assert ("person.delete", "person", ada.id) in audit_actions(vault)


def test_the_audit_trail_holds_no_personal_values(vault):
    ada = contacts.create_person(vault, ADA, region="GB")
    contacts.update_person(vault, ada.id, ada.draft())
    contacts.add_tags(vault, "person", ada.id, ["Secret tag"])
    timeline.add_note(vault, "Confidential remark", person_id=ada.id)
    contacts.delete_person(vault, ada.id)

    with vault.engine.connect() as conn:
        dump = " ".join(
            " ".join(str(v) for v in row)
            for row in conn.execute(text("SELECT * FROM audit_event"))
        )
    for value in ("Ada", "Lovelace", "example.org", "7946", "London", "Secret tag",
                  "Confidential", "anna", "Referral"):
        assert value not in dump


def test_list_people_is_in_accent_blind_name_order(vault):
    for given, family in (("Zoe", "Adams"), ("émile", "Zola"), ("Emil", "Berg"), ("ada", "X")):
        contacts.add_person(vault, given_name=given, family_name=family)
    assert [p.display_name for p in contacts.list_people(vault)] == [
        "ada X", "Emil Berg", "émile Zola", "Zoe Adams"
    ]
    with vault.engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM person ORDER BY sort_key, id LIMIT 50")))
    assert "ix_person_sort" in plan and "TEMP B-TREE" not in plan


def test_quick_add_validates_and_finds_the_company_by_name(vault):
    first = contacts.add_person(vault, given_name="Jonas", family_name="Kühnemann",
                                email="jonas@example.de", phone="030 1234567",
                                organization="Kühnemann Bau", region="DE")
    second = contacts.add_person(vault, given_name="Petra", family_name="Kühnemann",
                                 organization="Kühnemann Bau", region="DE")
    assert first.phone == "+49301234567" and first.organization == "Kühnemann Bau"
    assert second.organization == "Kühnemann Bau"
    assert count(vault, "organization") == 1
    with pytest.raises(InvalidRecord, match="missing the part after @"):
        contacts.add_person(vault, given_name="Bob", family_name="", email="bob@")
