"""Timelines on a real SQLCipher vault, with a fake clock for tasks and reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import contacts, timeline
from crasme_desktop.services.contacts import NotFound, OrganizationDraft, PersonDraft
from crasme_desktop.vault import open_vault
from sqlalchemy import text
from tests.support.sentences import assert_one_sentence

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def vault(created, keychain, clock):
    with open_vault(created.path, keychain=keychain, clock=clock) as opened:
        yield opened


@pytest.fixture
def office(vault):
    org = contacts.create_organization(vault, OrganizationDraft("Kühnemann Bau"))
    jonas = contacts.create_person(vault, PersonDraft("Jonas", organization_id=org.id))
    ada = contacts.create_person(vault, PersonDraft("Ada"))
    return org, jonas, ada


def at(hours: int) -> datetime:
    return START + timedelta(hours=hours)


def test_every_kind_of_entry_lands_on_the_timeline_newest_first(vault, office):
    _org, jonas, _ada = office
    note = timeline.add_note(vault, "Keys are with the neighbour.", person_id=jonas.id,
                             occurred_at=at(-5))
    call = timeline.add_call(vault, "Asked for a quote", person_id=jonas.id, occurred_at=at(-4))
    meeting = timeline.add_meeting(vault, "Site visit", "Roof looks fine.", person_id=jonas.id,
                                   occurred_at=at(-3))
    email = timeline.add_email(vault, "Quote sent", person_id=jonas.id, occurred_at=at(-2))
    task = timeline.add_task(vault, "Call back", person_id=jonas.id, due_at=at(24))

    entries = timeline.person_timeline(vault, jonas.id)

    assert [e.id for e in entries] == [task.id, email.id, meeting.id, call.id, note.id]
    assert [e.kind for e in entries] == ["task", "email", "meeting", "call", "note"]
    assert task.occurred_at == START  # the vault's clock
    assert meeting.body == "Roof looks fine." and entries[0].person_name == "Jonas"
    assert all(e.occurred_at.tzinfo is not None for e in entries)


def test_times_in_other_zones_are_kept_as_the_same_moment(vault, office):
    _org, jonas, _ada = office
    berlin = timezone(timedelta(hours=1))
    entry = timeline.add_call(vault, "From Berlin", person_id=jonas.id,
                              occurred_at=datetime(2026, 3, 2, 11, 0, tzinfo=berlin))
    assert timeline.get_entry(vault, entry.id).occurred_at == datetime(
        2026, 3, 2, 10, 0, tzinfo=UTC)


def test_pages_follow_on_by_key_without_gaps_or_repeats(vault, office):
    _org, jonas, _ada = office
    made = [timeline.add_note(vault, f"note {i}", person_id=jonas.id, occurred_at=at(i % 4))
            for i in range(11)]  # equal times on purpose: the id breaks ties
    seen, page = [], timeline.person_timeline(vault, jonas.id, limit=4)
    while page:
        seen += page
        page = timeline.person_timeline(vault, jonas.id, limit=4, before=page[-1])
    assert len(seen) == 11 and {e.id for e in seen} == {e.id for e in made}
    keys = [(e.occurred_at, e.id) for e in seen]
    assert keys == sorted(keys, reverse=True)


def test_a_company_timeline_includes_its_peoples_entries(vault, office):
    org, jonas, ada = office
    own = timeline.add_meeting(vault, "Annual review", organization_id=org.id, occurred_at=at(1))
    staff = timeline.add_call(vault, "Jonas called", person_id=jonas.id, occurred_at=at(2))
    timeline.add_call(vault, "Ada called", person_id=ada.id, occurred_at=at(3))

    assert [e.id for e in timeline.organization_timeline(vault, org.id)] == [staff.id, own.id]
    assert [e.id for e in timeline.organization_timeline(vault, org.id, include_people=False)
            ] == [own.id]
    assert timeline.organization_timeline(vault, org.id)[0].person_name == "Jonas"


def test_other_areas_add_entries_by_subject(vault, office):
    _org, jonas, _ada = office
    entry = timeline.add_note(vault, "Deal moved to won.", subject_kind="deal",
                              subject_id="deal-1", person_id=jonas.id)
    assert [e.id for e in timeline.subject_timeline(vault, "deal", "deal-1")] == [entry.id]
    assert [e.id for e in timeline.person_timeline(vault, jonas.id)] == [entry.id]
    assert timeline.subject_timeline(vault, "deal", "deal-2") == []


def test_tasks_come_due_and_remind_by_the_clock(vault, office, clock):
    _org, jonas, ada = office
    soon = timeline.add_task(vault, "Send the quote", person_id=jonas.id,
                             due_at=at(2), remind_at=at(1))
    later = timeline.add_task(vault, "Order materials", person_id=ada.id,
                              due_at=at(48), remind_at=at(24), owner="anna")
    timeline.add_task(vault, "Someday", person_id=ada.id)  # no due date: never due

    assert timeline.due_tasks(vault) == []
    assert timeline.reminders_due(vault) == []
    clock.advance(3600)
    assert [t.id for t in timeline.reminders_due(vault)] == [soon.id]
    assert timeline.due_tasks(vault) == []
    clock.advance(3600)
    assert [t.id for t in timeline.due_tasks(vault)] == [soon.id]
    assert [t.id for t in timeline.due_tasks(vault, by=at(100))] == [soon.id, later.id]
    assert [t.id for t in timeline.due_tasks(vault, by=at(100), owner="anna")] == [later.id]

    done = timeline.complete_task(vault, soon.id)
    assert done.done_at == at(2) and not done.is_open_task
    assert timeline.due_tasks(vault, by=at(100)) == [timeline.get_entry(vault, later.id)]
    clock.advance(60)
    assert timeline.complete_task(vault, soon.id).done_at == at(2)  # first time kept
    assert timeline.reopen_task(vault, soon.id).done_at is None
    assert [t.id for t in timeline.due_tasks(vault)] == [soon.id]


def test_reminders_can_be_snoozed_and_dismissed(vault, office, clock):
    _org, jonas, _ada = office
    task = timeline.add_task(vault, "Call back", person_id=jonas.id, remind_at=at(0))
    assert [t.id for t in timeline.reminders_due(vault)] == [task.id]
    timeline.snooze_reminder(vault, task.id, at(1))
    assert timeline.reminders_due(vault) == []
    clock.advance(3600)
    assert [t.id for t in timeline.reminders_due(vault)] == [task.id]
    timeline.snooze_reminder(vault, task.id, None)
    assert timeline.reminders_due(vault, by=at(1000)) == []


def test_open_task_lists_use_their_small_indexes(vault, office):
    with vault.engine.connect() as conn:
        for index, column in (("ix_activity_open_task_due", "due_at"),
                              ("ix_activity_open_task_remind", "remind_at")):
            plan = " ".join(str(r[-1]) for r in conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT id FROM activity WHERE kind = 'task' "
                f"AND done_at IS NULL AND {column} IS NOT NULL AND {column} <= '2026' "
                f"ORDER BY {column}, id LIMIT 200")))
            assert index in plan


def test_updates_and_deletes(vault, office, clock):
    _org, jonas, _ada = office
    task = timeline.add_task(vault, "Call back", person_id=jonas.id, due_at=at(5))
    clock.advance(10)
    changed = timeline.update_entry(vault, task.id, subject="Call back today", due_at=None)
    assert (changed.subject, changed.due_at) == ("Call back today", None)
    assert changed.updated_at > task.updated_at
    timeline.delete_entry(vault, task.id)
    assert timeline.person_timeline(vault, jonas.id) == []
    with pytest.raises(NotFound):
        timeline.get_entry(vault, task.id)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda v, p: timeline.add_note(v, "  ", person_id=p), "Write something in the note "
                                                              "before saving it."),
        (lambda v, p: timeline.add_task(v, "", person_id=p), "Give the task a title."),
        (lambda v, p: timeline.add_entry(v, "call", subject="x", person_id=p, due_at=START),
         "Only tasks have a due date and a reminder."),
        (lambda v, p: timeline.add_note(v, "orphan"), "A timeline entry must belong to a "
                                                      "person, a company or another record."),
        (lambda v, p: timeline.add_note(v, "x", person_id="gone"), "That person no longer "
         "exists; it may have been deleted meanwhile."),
    ],
)
def test_bad_entries_are_refused_with_one_sentence_and_save_nothing(vault, office, call,
                                                                     message):
    _org, jonas, _ada = office
    with pytest.raises(UserError) as caught:
        call(vault, jonas.id)
    assert caught.value.message == message
    assert_one_sentence(message)
    with vault.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM activity")).scalar_one() == 0


def test_only_tasks_are_completed(vault, office):
    _org, jonas, _ada = office
    note = timeline.add_note(vault, "Just a note", person_id=jonas.id)
    with pytest.raises(UserError, match=r"Only tasks can be marked done\."):
        timeline.complete_task(vault, note.id)


def test_every_write_is_audited_by_id(vault, office):
    _org, jonas, _ada = office
    task = timeline.add_task(vault, "Secret plan", person_id=jonas.id)
    timeline.complete_task(vault, task.id)
    timeline.delete_entry(vault, task.id)
    with vault.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT action, record_id FROM audit_event WHERE record_type = 'activity' "
            "ORDER BY at, id")).all()
    assert [tuple(r) for r in rows] == [
        ("activity.create:task", task.id), ("task.complete", task.id),
        ("activity.delete", task.id),
    ]
