"""Tickets and the privacy promises: an unsolved ticket stops an erase (with a sentence
naming it); erasing deletes the person's tickets with their messages, files, history,
timeline entries and search entries; a person's export carries their tickets and the
whole thread, without colleagues' names."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import pyzipper
from crasme_desktop.domain.validation_records import EmailDraft
from crasme_desktop.services import (
    contacts,
    privacy_erase,
    privacy_export,
    search,
    staff,
    tickets,
)
from crasme_desktop.services.contacts import OrganizationDraft, PersonDraft
from crasme_desktop.services.tickets import TicketDraft
from sqlalchemy import text
from tests.support.sentences import assert_one_sentence


@pytest.fixture
def company(vault):
    return contacts.create_organization(vault, OrganizationDraft("Orbital Ltd"))


@pytest.fixture
def zoe(vault, company):
    return contacts.create_person(vault, PersonDraft(
        given_name="Zoe", family_name="Quaternion", organization_id=company.id,
        emails=(EmailDraft("zoe@quaternion.example", primary=True),)))


@pytest.fixture
def colleague(vault):
    return staff.create_staff(vault, staff.StaffDraft(name="Casper Colleague"))


def ticket_of(vault, person, subject="Zoe's flux capacitor", body="It hums."):
    return tickets.create_ticket(vault, TicketDraft(subject=subject, requester_id=person.id),
                                 body=body, attachments=[("hum.wav", "audio/wav", b"RIFF")])


def counts(vault) -> dict[str, int]:
    with vault.engine.connect() as conn:
        return {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()  # nosec B608
                for table in ("ticket", "ticket_message", "ticket_status_change",
                              "attachment", "attachment_content")}


def test_an_unsolved_ticket_stops_the_erase_with_a_sentence(vault, zoe):
    ticket = ticket_of(vault, zoe)
    tickets.change_status(vault, ticket.id, "pending")
    preview = privacy_erase.erase_preview(vault, zoe.id)
    assert not preview.can_erase
    blocker = next(b for b in preview.blockers if b.kind == "open_ticket")
    assert f"#{ticket.number}" in blocker.message and "pending" in blocker.message
    assert_one_sentence(blocker.message)
    with pytest.raises(Exception) as caught:
        privacy_erase.erase_person(vault, zoe.id, confirmation="Zoe Quaternion")
    assert f"#{ticket.number}" in str(caught.value)
    assert counts(vault)["ticket"] == 1


@pytest.mark.promise("erase-person")
def test_erasing_deletes_the_persons_solved_tickets_and_everything_of_them(vault, zoe,
                                                                          company):
    other = contacts.create_person(vault, PersonDraft(given_name="Olaf", family_name="Other"))
    kept = ticket_of(vault, other, subject="Olaf's printer", body="Jammed")
    first = ticket_of(vault, zoe)
    tickets.add_reply(vault, first.id, "Have you tried oiling it?",
                      [("manual.pdf", "", b"%PDF-1.4")], author="Sam")
    tickets.change_status(vault, first.id, "solved")
    second = ticket_of(vault, zoe, subject="Zoe again")
    tickets.change_status(vault, second.id, "solved")
    tickets.change_status(vault, second.id, "closed")
    # mail from her address before she was known: no requester, her address
    with vault.unit_of_work(immediate=True) as uow:
        stray = tickets.open_ticket_in(
            uow.session, subject="From Zoe's address", body="Hello",
            requester_id=None, requester_email="Zoe@Quaternion.example", author="Zoe",
            occurred_at=datetime(2026, 1, 5, 8, tzinfo=UTC))
        tickets.move_in(uow.session, stray, "solved", vault.clock.now())
    before = counts(vault)

    preview = privacy_erase.erase_preview(vault, zoe.id)
    assert preview.can_erase
    deleted = {item.kind: item.count for item in preview.deleted}
    assert deleted["tickets"] == 3
    assert deleted["ticket_messages"] == before["ticket_message"] - 1  # Olaf's stays
    assert deleted["ticket_attachments"] == 3  # two hums and the manual

    privacy_erase.erase_person(vault, zoe.id, confirmation="Zoe Quaternion")

    after = counts(vault)
    assert after["ticket"] == 1 and after["ticket_message"] == 1
    assert after["ticket_status_change"] == 1  # Olaf's "" -> new
    assert after["attachment"] == after["attachment_content"] == 1
    assert tickets.get_ticket(vault, kept.id).subject == "Olaf's printer"
    for words in ("flux capacitor", "Quaternion", f"#{first.number}", "Zoe again"):
        assert not search.search(vault, words, kinds=["ticket"]).hits, words
    with vault.engine.connect() as conn:
        notes = conn.execute(text(
            "SELECT count(*) FROM activity WHERE subject_kind = 'ticket' "
            "AND organization_id = :o"), {"o": company.id}).scalar()
    assert notes == 0


def test_the_persons_export_carries_their_tickets_and_thread(vault, zoe, colleague,
                                                             tmp_path):
    other = contacts.create_person(vault, PersonDraft(given_name="Olaf", family_name="Other"))
    ticket_of(vault, other, subject="Olaf's printer")
    ticket = ticket_of(vault, zoe)
    tickets.add_reply(vault, ticket.id, "Ask Olaf Other about it.",
                      [("manual.pdf", "application/pdf", b"%PDF-manual")],
                      author="Casper Colleague")
    tickets.add_note(vault, ticket.id, "She called twice.", author="Casper Colleague")

    summary = privacy_export.export_person(vault, zoe.id, tmp_path / "zoe.zip")
    with pyzipper.AESZipFile(summary.path) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    ticket_rows = json.loads(files["data/ticket.json"])["rows"]
    assert [r["subject"] for r in ticket_rows] == ["Zoe's flux capacitor"]
    assert "assignee_id" not in ticket_rows[0] and "subject_key" not in ticket_rows[0]
    messages = json.loads(files["data/ticket_message.json"])["rows"]
    assert [m["kind"] for m in messages] == ["customer", "reply", "note"]
    assert "author" not in messages[0]
    assert "Olaf Other" not in messages[1]["body"]  # another person's name is redacted
    history = json.loads(files["data/ticket_status_change.json"])["rows"]
    assert [h["to_status"] for h in history] == ["new", "open"]
    attachment_rows = json.loads(files["data/attachment.json"])["rows"]
    names = {r["filename"] for r in attachment_rows}
    assert names == {"hum.wav", "manual.pdf"}
    manual = next(r for r in attachment_rows if r["filename"] == "manual.pdf")
    assert files[f"attachments/{manual['id']}"] == b"%PDF-manual"
    everything = b"".join(files.values())
    assert b"Casper Colleague" not in everything
    assert b"Olaf's printer" not in everything
