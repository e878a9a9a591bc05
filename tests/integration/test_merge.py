"""Merging people and companies on a real SQLCipher vault, and undoing the merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import AuditEvent, MergeRecord
from crasme_desktop.services import attachments, contacts, merge, timeline
from crasme_desktop.services.contacts import (
    AddressDraft,
    EmailDraft,
    NotFound,
    OrganizationDraft,
    PersonDraft,
    PhoneDraft,
)
from crasme_desktop.vault import open_vault
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from tests.support.sentences import assert_one_sentence

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
#: Tables whose every byte an undo must put back (the audit trail, the merge records
#: and the search index record what happened and may differ).
RECORD_TABLES = (
    "person", "person_email", "person_phone", "postal_address", "person_tag", "tag",
    "organization", "organization_tag", "activity", "attachment", "attachment_content",
)


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def vault(created, keychain, clock):
    with open_vault(created.path, keychain=keychain, clock=clock) as opened:
        yield opened


def dump(vault) -> dict[str, list[tuple]]:
    """Every stored value of the record tables, exactly as stored, by rowid-free order."""
    out = {}
    with vault.engine.connect() as conn:
        for table in RECORD_TABLES:
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out


def audit_actions(vault) -> list[tuple[str, str, str]]:
    with vault.unit_of_work() as uow:
        rows = uow.session.execute(
            select(AuditEvent.action, AuditEvent.record_type, AuditEvent.record_id)
        )
        return [tuple(r) for r in rows]


@pytest.fixture
def pair(vault, clock):
    """Ada (kept) and a second record of her with overlapping and extra details."""
    bau = contacts.create_organization(vault, OrganizationDraft("Kühnemann Bau"))
    ada = contacts.create_person(
        vault,
        PersonDraft(
            "Ada", "Lovelace", job_title="Analyst", organization_id=bau.id,
            emails=(EmailDraft("ada@example.org"), EmailDraft("ada@home.net", "home")),
            phones=(PhoneDraft("+44 20 7946 0123"),),
            addresses=(AddressDraft("work", "1 Main St", "SW1", "London", "", "GB"),),
            tags=("VIP",), owner="anna", notes="Prefers letters.",
        ),
    )
    clock.advance(60)
    other = contacts.create_person(
        vault,
        PersonDraft(
            "Ada Augusta", "Lovelace", job_title="",
            emails=(EmailDraft("ADA@example.org", primary=False),
                    EmailDraft("countess@lovelace.uk", primary=True)),
            phones=(PhoneDraft("+44 7700 900123", "mobile"), PhoneDraft("+44 20 7946 0123")),
            addresses=(AddressDraft("work", "1 Main St", "SW1", "London", "", "GB"),
                       AddressDraft("home", "12 St James's Square", "SW1Y 4JH", "London", "",
                                    "GB")),
            tags=("vip", "Newsletter"), source="Import", notes="Met at the fair.",
        ),
    )
    for i in range(3):
        timeline.add_note(vault, f"Note {i} on Ada", person_id=ada.id)
    entries = [timeline.add_call(vault, f"Call {i}", person_id=other.id) for i in range(4)]
    task = timeline.add_task(vault, "Send the offer", person_id=other.id,
                             due_at=START + timedelta(days=2))
    file_on_entry = attachments.add_attachment(
        vault, filename="offer.pdf", data=b"%PDF-1.7 offer", activity_id=entries[0].id
    )
    file_on_person = attachments.add_attachment(
        vault, filename="card.png", data=b"\x89PNG card", person_id=other.id
    )
    clock.advance(60)
    return {"bau": bau, "ada": ada, "other": other, "entries": [*entries, task],
            "files": [file_on_entry, file_on_person]}


def test_merge_keeps_every_timeline_entry_attachment_and_email(vault, pair):
    ada, other = pair["ada"], pair["other"]
    outcome = merge.merge_people(vault, ada.id, other.id, {})

    assert outcome.kept_id == ada.id and outcome.removed_id == other.id
    with pytest.raises(NotFound):
        contacts.get_person(vault, other.id)
    kept = contacts.get_person(vault, ada.id)
    assert [e.address for e in kept.emails] == [
        "ada@example.org", "ada@home.net", "countess@lovelace.uk"
    ]
    assert [p.number for p in kept.phones] == ["+442079460123", "+447700900123"]
    assert sum(e.primary for e in kept.emails) == 1 and sum(p.primary for p in kept.phones) == 1
    assert len(kept.addresses) == 2  # the shared work address once
    assert kept.tags == ("Newsletter", "VIP")
    on_timeline = {e.id for e in timeline.person_timeline(vault, ada.id, limit=100)}
    assert {e.id for e in pair["entries"]} <= on_timeline
    assert len(on_timeline) == 3 + 5
    assert timeline.due_tasks(vault, by=START + timedelta(days=3))[0].person_id == ada.id
    person_files = attachments.list_attachments(vault, person_id=ada.id)
    assert [f.id for f in person_files] == [pair["files"][1].id]
    assert attachments.read_attachment(vault, pair["files"][0].id).data == b"%PDF-1.7 offer"
    assert outcome.moved["activity"] == 5 and outcome.moved["person_email"] == 1
    assert ("person.merge", "person", ada.id) in audit_actions(vault)
    assert ("person.merge:removed", "person", other.id) in audit_actions(vault)


def test_defaults_take_the_fuller_value_then_the_newer_record(vault, pair):
    ada, other = pair["ada"], pair["other"]
    merge.merge_people(vault, ada.id, other.id)
    kept = contacts.get_person(vault, ada.id)
    assert kept.given_name == "Ada Augusta"  # fuller
    assert kept.display_name == "Ada Augusta Lovelace"  # follows the names
    assert kept.job_title == "Analyst"  # the other has none
    assert kept.organization_id == pair["bau"].id
    assert kept.source == "Import"
    assert kept.notes == "Prefers letters.\n\nMet at the fair."  # notes: both
    assert kept.primary_email == "countess@lovelace.uk"  # the newer record's main email


def test_choices_pick_each_field(vault, pair):
    ada, other = pair["ada"], pair["other"]
    merge.merge_people(vault, ada.id, other.id, {
        "given_name": "keep", "job_title": "other", "organization_id": "other",
        "notes": "keep", "primary_email": "keep", "primary_phone": "other", "source": "keep",
    })
    kept = contacts.get_person(vault, ada.id)
    assert (kept.given_name, kept.job_title, kept.organization_id) == ("Ada", "", None)
    assert kept.notes == "Prefers letters." and kept.source == ""
    assert kept.primary_email == "ada@example.org"
    assert kept.primary_phone == "+447700900123"
    with pytest.raises(ValueError):
        merge.merge_people(vault, ada.id, contacts.create_person(vault, PersonDraft("Zed")).id,
                           {"shoe_size": "keep"})


def test_undo_restores_every_value_and_id_exactly(vault, pair, clock):
    before = dump(vault)
    outcome = merge.merge_people(vault, pair["ada"].id, pair["other"].id,
                                 {"job_title": "other", "notes": "both"})
    assert dump(vault) != before
    clock.advance(3600)
    undone = merge.undo_merge(vault, outcome.merge_id)

    assert undone.restored_id == pair["other"].id
    assert dump(vault) == before
    assert ("person.merge_undo", "person", pair["ada"].id) in audit_actions(vault)
    with vault.unit_of_work() as uow:
        record = uow.session.get(MergeRecord, outcome.merge_id)
        assert record.undone_at is not None
        assert "Lovelace" not in record.snapshot  # no personal data kept once undone


def test_undo_twice_is_refused(vault, pair):
    outcome = merge.merge_people(vault, pair["ada"].id, pair["other"].id)
    merge.undo_merge(vault, outcome.merge_id)
    with pytest.raises(UserError) as refused:
        merge.undo_merge(vault, outcome.merge_id)
    assert refused.value.message == "This merge has already been undone."


def test_undo_is_refused_once_the_kept_person_was_edited(vault, pair):
    outcome = merge.merge_people(vault, pair["ada"].id, pair["other"].id)
    kept = contacts.get_person(vault, pair["ada"].id)
    contacts.update_person(vault, kept.id, kept.draft())  # saved unchanged: still safe
    changed = contacts.update_person(
        vault, kept.id, PersonDraft(**{**_fields(kept.draft()), "job_title": "Countess"})
    )
    before = dump(vault)
    with pytest.raises(UserError) as refused:
        merge.undo_merge(vault, outcome.merge_id)
    assert_one_sentence(refused.value.message)
    assert refused.value.message.startswith(f"{changed.display_name} was changed after the merge")
    assert dump(vault) == before


def _fields(draft: PersonDraft) -> dict:
    return {f: getattr(draft, f) for f in PersonDraft.__dataclass_fields__ if f != "sort_key"}


def test_an_unchanged_save_still_allows_undo(vault, pair):
    before = dump(vault)
    outcome = merge.merge_people(vault, pair["ada"].id, pair["other"].id)
    kept = contacts.get_person(vault, pair["ada"].id)
    contacts.update_person(vault, kept.id, kept.draft())
    merge.undo_merge(vault, outcome.merge_id)
    assert dump(vault) == before


def test_timeline_added_after_the_merge_stays_with_the_kept_person(vault, pair):
    outcome = merge.merge_people(vault, pair["ada"].id, pair["other"].id)
    later = timeline.add_note(vault, "After the merge", person_id=pair["ada"].id)
    merge.undo_merge(vault, outcome.merge_id)
    assert later.id in {e.id for e in timeline.person_timeline(vault, pair["ada"].id)}
    other_entries = {e.id for e in timeline.person_timeline(vault, pair["other"].id)}
    assert other_entries == {e.id for e in pair["entries"]}


def test_a_later_merge_must_be_undone_first(vault, pair):
    third = contacts.create_person(vault, PersonDraft("A.", "Lovelace"))
    first = merge.merge_people(vault, pair["ada"].id, pair["other"].id)
    second = merge.merge_people(vault, pair["ada"].id, third.id)
    with pytest.raises(UserError) as refused:
        merge.undo_merge(vault, first.merge_id)
    assert_one_sentence(refused.value.message)
    assert "later merge" in refused.value.message
    merge.undo_merge(vault, second.merge_id)
    merge.undo_merge(vault, first.merge_id)
    assert contacts.get_person(vault, third.id).family_name == "Lovelace"


def test_undo_expires_after_thirty_days_and_records_are_pruned(vault, pair, clock):
    outcome = merge.merge_people(vault, pair["ada"].id, pair["other"].id)
    assert [m.merge_id for m in merge.list_merges(vault, "person", pair["ada"].id)] == [
        outcome.merge_id
    ]
    assert merge.list_merges(vault, "person", pair["ada"].id)[0].removed_title == (
        "Ada Augusta Lovelace"
    )
    clock.advance(31 * 24 * 3600)
    assert merge.list_merges(vault, "person", pair["ada"].id) == []
    with pytest.raises(UserError) as refused:
        merge.undo_merge(vault, outcome.merge_id)
    assert_one_sentence(refused.value.message)
    assert merge.prune_merge_records(vault) == 1
    with pytest.raises(UserError):
        merge.undo_merge(vault, outcome.merge_id)


def test_deleting_the_kept_person_deletes_the_merge_record(vault, pair):
    outcome = merge.merge_people(vault, pair["ada"].id, pair["other"].id)
    contacts.delete_person(vault, pair["ada"].id)
    with vault.unit_of_work() as uow:
        assert uow.session.get(MergeRecord, outcome.merge_id) is None
    with vault.engine.connect() as conn:
        kept = conn.execute(text("SELECT count(*) FROM merge_record")).scalar_one()
    assert kept == 0


def test_merging_with_itself_or_a_missing_person_is_refused(vault, pair):
    with pytest.raises(UserError) as itself:
        merge.merge_people(vault, pair["ada"].id, pair["ada"].id)
    assert_one_sentence(itself.value.message)
    with pytest.raises(NotFound) as gone:
        merge.merge_people(vault, pair["ada"].id, "no-such-id")
    assert_one_sentence(gone.value.message)


def test_preview_lists_the_differing_fields_and_what_is_united(vault, pair):
    preview = merge.merge_preview(vault, "person", pair["ada"].id, pair["other"].id)
    fields = {f.name: f for f in preview.fields}
    assert set(fields) == {"given_name", "job_title", "organization_id", "owner", "source",
                           "notes", "primary_email", "primary_phone"}
    assert fields["organization_id"].keep_value == "Kühnemann Bau"
    assert fields["notes"].default == "both" and fields["notes"].allows_both
    assert fields["given_name"].default == "other"
    assert ("Last name", "Lovelace") in preview.same
    united = {line.label: line for line in preview.united}
    assert united["Emails"].total == 3 and united["Emails"].keep_count == 2
    assert united["Timeline entries"].total == 8
    assert united["Attachments"].total == 1  # the one on the person; the other is on an entry
    assert united["Tags"].items == ("Newsletter", "VIP")


# -- companies --------------------------------------------------------------------------
def test_merge_companies_moves_people_and_timeline_and_undo_restores(vault, clock):
    keep = contacts.create_organization(vault, OrganizationDraft("Acme Ltd", tags=("Lead",)))
    other = contacts.create_organization(vault, OrganizationDraft(
        "ACME", website="acme.com", addresses=(AddressDraft("work", "2 High St"),),
    ))
    people = [contacts.create_person(vault, PersonDraft(f"P{i}", organization_id=other.id))
              for i in range(3)]
    note = timeline.add_note(vault, "Visited", organization_id=other.id)
    clock.advance(10)
    before = dump(vault)

    outcome = merge.merge_organizations(vault, keep.id, other.id, {"name": "keep"})

    kept = contacts.get_organization(vault, keep.id)
    assert kept.name == "Acme Ltd" and kept.website == "https://acme.com"
    assert kept.people_count == 3 and len(kept.addresses) == 1
    assert timeline.organization_timeline(vault, keep.id)[0].id == note.id
    assert outcome.moved["person"] == 3
    merge.undo_merge(vault, outcome.merge_id)
    assert dump(vault) == before
    assert {p.id for p in contacts.get_organization(vault, other.id).people} == {
        p.id for p in people
    }


def test_deleting_a_company_deletes_its_merge_records(vault):
    keep = contacts.create_organization(vault, OrganizationDraft("Acme Ltd"))
    other = contacts.create_organization(vault, OrganizationDraft("ACME"))
    outcome = merge.merge_organizations(vault, keep.id, other.id)
    contacts.delete_organization(vault, keep.id)
    with pytest.raises(UserError):
        merge.undo_merge(vault, outcome.merge_id)


# -- any two people ------------------------------------------------------------------------
EMAILS = [f"{n}@example.org" for n in ("ada", "bob", "cy", "di")]
PHONES = ["+442079460123", "+447700900123", "+4930123456", "+33142685300"]
TAGS = ["VIP", "Lead", "Press"]
names = st.sampled_from(["", "Ada", "Ada Augusta", "Lovelace", "Émile", "山田"])
texts = st.sampled_from(["", "Analyst", "Met at the fair.", "x" * 50])
person_drafts = st.builds(
    lambda given, family, job, notes, emails, phones, tags, owner: PersonDraft(
        given or "Someone", family, job_title=job, notes=notes, owner=owner,
        emails=tuple(EmailDraft(e.upper() if i % 2 else e) for i, e in enumerate(emails)),
        phones=tuple(PhoneDraft(p) for p in phones), tags=tuple(tags),
    ),
    names, names, texts, texts,
    st.lists(st.sampled_from(EMAILS), unique=True, max_size=3),
    st.lists(st.sampled_from(PHONES), unique=True, max_size=3),
    st.lists(st.sampled_from(TAGS), unique=True, max_size=2),
    st.sampled_from(["", "anna", "ben"]),
)
sides = st.fixed_dictionaries({}, optional={
    name: st.sampled_from(["keep", "other"])
    for name in ("given_name", "family_name", "job_title", "owner", "notes", "primary_email",
                 "primary_phone")
})


@settings(max_examples=25,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=person_drafts, b=person_drafts, entries=st.tuples(st.integers(0, 3), st.integers(0, 3)),
       choices=sides)
def test_any_two_people_merged_then_undone_are_the_originals(vault, clock, a, b, entries,
                                                             choices):
    first = contacts.create_person(vault, a)
    second = contacts.create_person(vault, b)
    for person, count in zip((first, second), entries, strict=True):
        for i in range(count):
            timeline.add_note(vault, f"note {i}", person_id=person.id)
    clock.advance(1)
    before = dump(vault)
    kept_before = contacts.get_person(vault, first.id)
    other_before = contacts.get_person(vault, second.id)

    outcome = merge.merge_people(vault, first.id, second.id, choices)
    kept = contacts.get_person(vault, first.id)
    keys = {e.address.casefold() for e in (*kept_before.emails, *other_before.emails)}
    assert {e.address.casefold() for e in kept.emails} == keys
    assert len(timeline.person_timeline(vault, first.id, limit=50)) == sum(entries)
    assert sum(e.primary for e in kept.emails) == (1 if keys else 0)
    clock.advance(1)
    merge.undo_merge(vault, outcome.merge_id)

    assert dump(vault) == before
    assert contacts.get_person(vault, first.id) == kept_before
    assert contacts.get_person(vault, second.id) == other_before


def test_the_search_index_follows_the_merge_and_its_undo(vault, pair):
    from crasme_desktop.services import search

    def found(word: str) -> set[str]:
        return {h.id for g in search.search(vault, word).groups for h in g.hits}

    assert found("countess") == {pair["other"].id}
    outcome = merge.merge_people(vault, pair["ada"].id, pair["other"].id)
    assert found("countess") == {pair["ada"].id}  # the email moved to the kept person
    assert pair["other"].id not in found("Lovelace")
    merge.undo_merge(vault, outcome.merge_id)
    assert found("countess") == {pair["other"].id}
    assert found("Lovelace") >= {pair["ada"].id, pair["other"].id}
