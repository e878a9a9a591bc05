"""Tickets on a real SQLCipher vault: numbers, status moves and bad ones, the thread with
attachments, customer messages that reopen or open a follow-up, canned replies, merging,
the mailbox's session-level intake, restriction, timeline and search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import AuditEvent, Job, TicketStatusChange
from crasme_desktop.domain.validation_records import EmailDraft
from crasme_desktop.services import (
    attachments,
    canned_replies,
    contacts,
    invoices,
    office_time,
    privacy_consent,
    search,
    staff,
    tickets,
    timeline,
)
from crasme_desktop.services.contacts import OrganizationDraft, PersonDraft
from crasme_desktop.services.quotes import LineDraft
from crasme_desktop.services.tickets import TicketDraft
from crasme_desktop.vault import open_vault
from sqlalchemy import select
from tests.support.sentences import assert_one_sentence

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def vault(created, keychain, clock):
    with open_vault(created.path, keychain=keychain, clock=clock) as opened:
        office_time.set_office_zone(opened, "UTC")
        yield opened


@pytest.fixture
def company(vault):
    return contacts.create_organization(vault, OrganizationDraft("Kühnemann Bau"))


@pytest.fixture
def ada(vault, company):
    return contacts.create_person(vault, PersonDraft(
        given_name="Ada", family_name="Lovelace", organization_id=company.id,
        emails=(EmailDraft("ada.work@example.com"),
                EmailDraft("ada@example.com", primary=True))))


@pytest.fixture
def bob(vault):
    return contacts.create_person(vault, PersonDraft(
        given_name="Bob", family_name="Marley", emails=(EmailDraft("bob@example.org"),)))


def new(vault, person, subject="Printer is on fire", body="Help", **more):
    return tickets.create_ticket(vault, TicketDraft(subject=subject, requester_id=person.id,
                                                    **more), body=body)


def refused(call, *args, match, **kwargs):
    with pytest.raises(UserError) as caught:
        call(*args, **kwargs)
    assert_one_sentence(caught.value.message)
    assert match in caught.value.message, caught.value.message
    return caught.value.message


def test_a_new_ticket_takes_the_next_number_and_the_requesters_defaults(vault, ada, company):
    first = new(vault, ada)
    second = new(vault, ada, subject="Second")
    assert (first.number, second.number) == (1, 2)
    assert first.status == "new"
    assert first.requester_email == "ada@example.com"  # the primary one
    assert first.organization_id == company.id
    assert first.organization_name == "Kühnemann Bau"
    assert [(h.from_status, h.to_status) for h in first.history] == [("", "new")]
    assert first.reference.startswith("[#1-") and first.reference.endswith("]")
    assert tickets.parse_reference(f"Re: Printer {first.reference}") == (
        1, first.reference[4:-1])
    assert first.due.text.startswith("Reply due in")
    assert first.response_due_at is not None
    assert [m.kind for m in first.messages] == ["customer"]
    assert first.messages[0].author == "Ada Lovelace"


def test_numbers_stay_gapless_when_a_creation_is_refused(vault, ada):
    new(vault, ada)
    refused(new, vault, ada, subject="   ", match="subject")
    refused(new, vault, ada, priority="asap", match="priority")
    assert new(vault, ada).number == 2


def test_tags_are_normalised_and_a_company_can_be_none(vault, ada):
    record = new(vault, ada, tags=" vip, Printer ,VIP,, printer ", organization_id="")
    assert record.tags == ("vip", "Printer")
    assert record.organization_id is None


@pytest.mark.parametrize(("path", "bad"), [
    (["solved", "closed"], "open"),
    ([], "closed"),
    (["open"], "new"),
])
def test_bad_moves_are_refused_with_the_tickets_number(vault, ada, path, bad):
    ticket = new(vault, ada)
    for status in path:
        tickets.change_status(vault, ticket.id, status)
    message = refused(tickets.change_status, vault, ticket.id, bad, match=f"#{ticket.number}")
    assert tickets.get_ticket(vault, ticket.id).status == (path[-1] if path else "new")
    assert message


def test_every_allowed_move_is_recorded_and_reopen_goes_on_the_timeline(vault, ada, clock):
    ticket = new(vault, ada)
    for status in ("open", "pending", "on_hold", "open", "solved", "open", "solved",
                   "closed"):
        clock.advance(60)
        tickets.change_status(vault, ticket.id, status)
    record = tickets.get_ticket(vault, ticket.id)
    assert [h.to_status for h in record.history] == [
        "new", "open", "pending", "on_hold", "open", "solved", "open", "solved", "closed"]
    assert record.closed_at is not None and record.moves == ()
    subjects = [e.subject for e in timeline.person_timeline(vault, ada.id)
                if e.subject.startswith("Ticket")]
    company = [e.subject for e in timeline.organization_timeline(
        vault, ada.organization_id, include_people=False)]
    assert company == [e.subject for e in timeline.subject_timeline(vault, "ticket", ticket.id)]
    assert any("reopened" in s for s in subjects)
    assert sum("solved" in s for s in subjects) == 2
    assert any("created" in s for s in subjects)


def test_a_reply_with_attachments_keeps_their_bytes_and_is_the_first_response(vault, ada,
                                                                             clock):
    ticket = new(vault, ada)
    clock.advance(1800)
    payload = bytes(range(256)) * 40
    reply = tickets.add_reply(vault, ticket.id, "Try turning it off.",
                              [("../../etc/manual.pdf", "", payload),
                               ("photo.png", "image/png", b"\x89PNG\r\n")],
                              author="Sam Support", send=True)
    assert reply.kind == "reply" and reply.mail_status == "sending"
    assert [a.filename for a in reply.attachments] == ["manual.pdf", "photo.png"]
    assert reply.attachments[0].media_type == "application/pdf"
    stored = attachments.read_attachment(vault, reply.attachments[0].id)
    assert stored.data == payload
    record = tickets.get_ticket(vault, ticket.id)
    assert record.status == "open"
    assert record.first_response_at == START + timedelta(seconds=1800)
    assert record.due.target == "resolution"
    clock.advance(600)
    tickets.add_reply(vault, ticket.id, "Still there?", status="pending")
    again = tickets.get_ticket(vault, ticket.id)
    assert again.first_response_at == record.first_response_at
    assert again.status == "pending" and again.due.paused


def test_a_note_is_internal_and_no_response(vault, ada):
    ticket = new(vault, ada)
    note = tickets.add_note(vault, ticket.id, "Customer sounds upset.", author="Kim")
    record = tickets.get_ticket(vault, ticket.id)
    assert note.kind == "note" and not note.public and note.mail_status == ""
    assert record.status == "new" and record.first_response_at is None
    refused(tickets.add_note, vault, ticket.id, "  ", match="Write something")


def test_a_reply_is_not_marked_for_sending_without_an_address(vault, bob):
    ticket = new(vault, bob)
    draft = tickets.get_ticket(vault, ticket.id).draft()
    tickets.update_ticket(vault, ticket.id, draft)
    with vault.unit_of_work() as uow:
        uow.session.get(tickets.Ticket, ticket.id).requester_email = ""
    reply = tickets.add_reply(vault, ticket.id, "Hello", send=True)
    assert reply.mail_status == ""


def test_a_customer_message_reopens_and_moves_waiting_tickets_to_open(vault, ada):
    ticket = new(vault, ada)
    tickets.add_reply(vault, ticket.id, "Which model?", status="pending")
    tickets.add_customer_message(vault, ticket.id, "The big one.")
    assert tickets.get_ticket(vault, ticket.id).status == "open"
    tickets.change_status(vault, ticket.id, "solved")
    tickets.add_customer_message(vault, ticket.id, "It is burning again.")
    record = tickets.get_ticket(vault, ticket.id)
    assert record.status == "open" and record.solved_at is None
    assert [h.to_status for h in record.history][-2:] == ["solved", "open"]


def test_a_customer_message_on_a_closed_ticket_opens_a_linked_follow_up(vault, ada):
    ticket = new(vault, ada, priority="high", category="Hardware")
    tickets.change_status(vault, ticket.id, "solved")
    tickets.change_status(vault, ticket.id, "closed")
    message = tickets.add_customer_message(vault, ticket.id, "Me again.")
    assert message.ticket_id != ticket.id
    follow = tickets.get_ticket(vault, message.ticket_id)
    assert follow.number == ticket.number + 1
    assert (follow.priority, follow.category, follow.requester_id) == (
        "high", "Hardware", ada.id)
    assert follow.messages[0].kind == "note"
    assert f"#{ticket.number}" in follow.messages[0].body
    assert follow.messages[1].body == "Me again."
    closed = tickets.get_ticket(vault, ticket.id)
    assert closed.status == "closed"
    assert f"#{follow.number}" in closed.messages[-1].body


def test_canned_replies_fill_placeholders_and_refuse_unknown_ones(vault, ada):
    ticket = new(vault, ada)
    message = refused(canned_replies.save_canned, vault, "Hi", "Dear {customer_name}",
                      match="{customer_name}")
    assert "{requester_name}" in message
    canned = canned_replies.save_canned(
        vault, "Thanks", "Hello {requester_first_name} ({requester_name}), about "
        "#{ticket_number} \u201c{ticket_subject}\u201d at {company_name}: {agent_name}. {x")
    text = canned_replies.render_canned(vault, canned.id, ticket.id)
    assert text.startswith("Hello Ada (Ada Lovelace), about #1 \u201cPrinter is on fire\u201d "
                           "at Kühnemann Bau: ")
    assert text.endswith(". {x")
    refused(canned_replies.save_canned, vault, "THANKS", "Other", match="already")
    changed = canned_replies.save_canned(vault, "Thanks!", "Bye", canned.id)
    assert [c.name for c in canned_replies.list_canned(vault)] == ["Thanks!"]
    canned_replies.delete_canned(vault, changed.id)
    assert canned_replies.list_canned(vault) == []


def test_merging_moves_the_thread_and_closes_the_source(vault, ada, bob, clock):
    target = new(vault, ada, subject="Printer")
    clock.advance(60)
    source = new(vault, ada, subject="Printer again", body="Second mail")
    clock.advance(60)
    tickets.add_customer_message(vault, target.id, "Third, on the first ticket")
    merged = tickets.merge_tickets(vault, source.id, target.id)
    bodies = [m.body for m in merged.messages if m.kind != "note"]
    assert bodies == ["Help", "Second mail", "Third, on the first ticket"]
    assert any(f"#{source.number}" in m.body for m in merged.messages if m.kind == "note")
    gone = tickets.get_ticket(vault, source.id)
    assert gone.status == "closed" and gone.merged_into_id == target.id
    assert gone.merged_into_number == target.number
    assert [m.kind for m in gone.messages] == ["note"]
    refused(tickets.merge_tickets, vault, target.id, target.id, match="itself")
    refused(tickets.merge_tickets, vault, source.id, target.id, match="already closed")
    other = new(vault, bob)
    refused(tickets.merge_tickets, vault, other.id, target.id, match="different requesters")
    tickets.merge_tickets(vault, other.id, target.id, allow_different_requesters=True)
    # mail to a merged ticket goes on to the ticket it was merged into
    message = tickets.add_customer_message(vault, source.id, "To the old one")
    assert message.ticket_id == target.id


def test_merging_into_a_closed_ticket_is_refused(vault, ada):
    target, source = new(vault, ada), new(vault, ada)
    tickets.change_status(vault, target.id, "solved")
    tickets.change_status(vault, target.id, "closed")
    refused(tickets.merge_tickets, vault, source.id, target.id, match="is closed")


def test_mail_intake_at_session_level(vault, ada, clock):
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        person = tickets.find_person_by_email(s, "ADA@Example.com")
        assert person is not None and person.id == ada.id
        assert tickets.find_person_by_email(s, "nobody@example.com") is None
        ticket = tickets.open_ticket_in(
            s, subject="  Broken\tscreen ", body="It flickers.", requester_id=person.id,
            requester_email="ada@example.com", author="Ada Lovelace",
            occurred_at=datetime(2026, 3, 2, 10, 30, tzinfo=UTC) - timedelta(hours=2),
            message_id="<m1@example.com>", references="",
            attachments=[("screen.jpg", "image/jpeg", b"JPEG")], now=clock.now())
        ticket_id, number, token = ticket.id, ticket.number, ticket.mail_token
    record = tickets.get_ticket(vault, ticket_id)
    assert record.subject == "Broken screen"
    assert record.organization_name == "Kühnemann Bau"
    assert record.messages[0].message_id == "<m1@example.com>"
    assert record.messages[0].attachments[0].filename == "screen.jpg"
    assert tickets.parse_reference(f"Re: [#{number}-{token.upper()}] x") == (number, token)
    tickets.change_status(vault, ticket_id, "solved")
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        row = s.get(tickets.Ticket, ticket_id)
        message = tickets.add_customer_message_in(
            s, row, body="Again", author="Ada", author_email="ada@example.com",
            occurred_at=clock.now(), message_id="<m2@example.com>",
            references="<m1@example.com>", attachments=(), now=clock.now())
        assert message.ticket_id == ticket_id
    assert tickets.get_ticket(vault, ticket_id).status == "open"


def test_mail_from_unknown_senders_has_no_requester(vault):
    with vault.unit_of_work(immediate=True) as uow:
        ticket = tickets.open_ticket_in(
            uow.session, subject="", body="", requester_id=None,
            requester_email="stranger@example.net", author="", occurred_at=START,
            message_id="", references="", attachments=())
        ticket_id = ticket.id
    record = tickets.get_ticket(vault, ticket_id)
    assert record.subject == "(no subject)" and record.requester_id is None
    assert record.requester_email == "stranger@example.net"


def test_restricted_people_get_no_new_tickets_but_their_mail_is_kept(vault, ada):
    ticket = new(vault, ada)
    privacy_consent.restrict(vault, ada.id, "Disputes the data")
    refused(new, vault, ada, match="restricted")
    refused(tickets.add_reply, vault, ticket.id, "Hello", match="restricted")
    refused(tickets.change_status, vault, ticket.id, "open", match="restricted")
    with vault.unit_of_work(immediate=True) as uow:
        row = uow.session.get(tickets.Ticket, ticket.id)
        tickets.add_customer_message_in(
            uow.session, row, body="Where is my answer?", author="Ada",
            author_email="ada@example.com", occurred_at=START, message_id="",
            references="", attachments=())
    record = tickets.get_ticket(vault, ticket.id)
    assert record.restricted
    assert record.messages[-2].body == "Where is my answer?"
    assert record.messages[-1].kind == "note" and "restricted" in record.messages[-1].body


def test_update_changes_fields_priority_recounts_and_search_follows(vault, ada, clock):
    ticket = new(vault, ada, subject="Old words")
    member = staff.create_staff(vault, staff.StaffDraft(name="Sam Support"))
    before = tickets.get_ticket(vault, ticket.id)
    draft = before.draft()
    changed = tickets.update_ticket(vault, ticket.id, type(draft)(
        **{**draft.__dict__, "subject": "Fresh words", "priority": "urgent",
           "assignee_id": member.id, "category": "Billing"}))
    assert changed.assignee_name == "Sam Support" and changed.category == "Billing"
    assert changed.response_due_at < before.response_due_at
    titles = [h.title for h in search.search(vault, "fresh", kinds=["ticket"]).hits]
    assert titles == [f"#{ticket.number} Fresh words"]
    assert search.search(vault, "old words", kinds=["ticket"]).empty


def test_search_finds_tickets_by_number_subject_and_requester(vault, ada):
    ticket = new(vault, ada, subject="Invoice question")
    for text in (f"#{ticket.number}", str(ticket.number), "invoice quest", "lovelace"):
        hits = search.search(vault, text, kinds=["ticket"]).hits
        assert [h.id for h in hits] == [ticket.id], text
    hit = search.search(vault, "invoice question").hits
    ticket_hit = next(h for h in hit if h.kind == "ticket")
    assert ticket_hit.subtitle == "Ada Lovelace · Kühnemann Bau · New"
    groups = search.search(vault, "invoice question").groups
    assert any(g.label == "Tickets" for g in groups)


def test_jobs_of_a_ticket_are_listed(vault, ada):
    ticket = new(vault, ada)
    with vault.unit_of_work() as uow:
        uow.session.add(Job(number=1, title="Visit", person_id=ada.id, ticket_id=ticket.id,
                            window_start=START, window_end=START + timedelta(hours=2),
                            scheduled_start=START))
    record = tickets.get_ticket(vault, ticket.id)
    assert [(j.number, j.title) for j in record.jobs] == [(1, "Visit")]


def test_creation_and_moves_leave_history_rows_and_audit_ids_only(vault, ada):
    ticket = new(vault, ada, subject="Secret subject")
    tickets.change_status(vault, ticket.id, "open")
    with vault.unit_of_work() as uow:
        s = uow.session
        rows = s.scalars(select(TicketStatusChange).where(
            TicketStatusChange.ticket_id == ticket.id)).all()
        assert len(rows) == 2
        events = s.execute(select(AuditEvent.action, AuditEvent.record_id)).all()
    assert ("ticket.create", ticket.id) in events
    assert ("ticket.status:open", ticket.id) in events
    assert not any("Secret" in (a or "") for a, _ in events)


def test_a_ticket_links_an_invoice_and_refuses_a_missing_one(vault, ada):
    draft = invoices.save_invoice_draft(vault, invoices.InvoiceDraft(
        customer_person_id=ada.id, currency="EUR",
        lines=(LineDraft("Repair", Decimal("1"), "h", Decimal("80.00")),)))
    ticket = new(vault, ada, invoice_id=draft.id)
    assert ticket.invoice is not None and ticket.invoice.id == draft.id
    assert ticket.invoice.status == "draft" and ticket.invoice.number == ""
    refused(new, vault, ada, invoice_id="gone", match="invoice")
    unlinked = tickets.update_ticket(vault, ticket.id, TicketDraft(
        subject=ticket.subject, requester_id=ada.id, invoice_id=None))
    assert unlinked.invoice is None
