"""The register of privacy requests: due dates a calendar month on, statuses, requests
made by export and erase in their own transaction, and the dashboard's counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.validation_records import PersonDraft
from crasme_desktop.services import contacts, privacy_requests
from crasme_desktop.services.privacy_requests import due_date
from crasme_desktop.vault import open_vault


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))


@pytest.fixture
def vault(created, keychain, clock):
    with open_vault(created.path, keychain=keychain, clock=clock) as opened:
        yield opened


@pytest.fixture
def ada(vault):
    return contacts.create_person(vault, PersonDraft(given_name="Ada",
                                                     family_name="Lovelace")).id


@pytest.mark.parametrize(("received", "due"), [
    (date(2026, 1, 15), date(2026, 2, 15)),
    (date(2026, 1, 31), date(2026, 2, 28)),
    (date(2028, 1, 31), date(2028, 2, 29)),
    (date(2026, 3, 31), date(2026, 4, 30)),
    (date(2026, 12, 20), date(2027, 1, 20)),
])
def test_a_request_is_due_one_calendar_month_later(received, due):
    assert due_date(received) == due


def test_open_a_request_then_work_it_through(vault, ada):
    row = privacy_requests.open_request(vault, "access", ada, note="Asked by letter")
    assert (row.kind, row.status, row.subject_label) == ("access", "received", "Ada Lovelace")
    assert (row.received_on, row.due_on) == (date(2026, 3, 10), date(2026, 4, 10))
    row = privacy_requests.set_status(vault, row.id, "in_progress")
    assert row.status == "in_progress" and row.done_on is None
    row = privacy_requests.set_status(vault, row.id, "done")
    assert row.done_on == date(2026, 3, 10) and row.note == "Asked by letter"
    assert [r.id for r in privacy_requests.list_requests(vault, status="done")] == [row.id]
    assert privacy_requests.list_requests(vault, status="open") == []


def test_refusing_needs_a_reason(vault, ada):
    row = privacy_requests.open_request(vault, "erasure", ada)
    with pytest.raises(UserError, match="why"):
        privacy_requests.set_status(vault, row.id, "refused")
    row = privacy_requests.set_status(vault, row.id, "refused",
                                      "Unpaid invoices must be kept")
    assert row.status == "refused" and row.note == "Unpaid invoices must be kept"


def test_bad_input_is_one_sentence(vault, ada):
    with pytest.raises(UserError, match="kind of request"):
        privacy_requests.open_request(vault, "gossip", ada)
    with pytest.raises(UserError, match="future"):
        privacy_requests.open_request(vault, "access", ada, received_on=date(2026, 3, 11))
    with pytest.raises(UserError, match="type who asked"):
        privacy_requests.open_request(vault, "access", None)
    with pytest.raises(UserError, match="no longer in the vault"):
        privacy_requests.open_request(vault, "access", "no-such-person")
    with pytest.raises(UserError, match="statuses"):
        privacy_requests.set_status(vault, "x", "lost")
    with pytest.raises(UserError, match="no longer in the register"):
        privacy_requests.set_status(vault, "no-such-request", "done")
    assert privacy_requests.list_requests(vault) == []


def test_someone_not_in_the_vault_can_ask(vault):
    row = privacy_requests.open_request(vault, "access", None, subject_label="M. Dupont")
    assert row.person_id is None and row.subject_label == "M. Dupont"


def test_record_done_closes_an_open_request_or_adds_a_done_one(vault, ada):
    opened = privacy_requests.open_request(vault, "access", ada, received_on=date(2026, 3, 1))
    with vault.unit_of_work() as uow:
        privacy_requests.record_done(uow.session, "access", ada, today=date(2026, 3, 10))
    with vault.unit_of_work() as uow:
        privacy_requests.record_done(uow.session, "erasure", ada, today=date(2026, 3, 10))
    rows = {r.kind: r for r in privacy_requests.list_requests(vault)}
    assert rows["access"].id == opened.id and rows["access"].status == "done"
    assert rows["access"].done_on == date(2026, 3, 10)
    assert (rows["erasure"].status, rows["erasure"].received_on) == ("done", date(2026, 3, 10))
    assert len(privacy_requests.list_requests(vault)) == 2


def test_record_done_is_undone_with_its_transaction(vault, ada):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), vault.unit_of_work() as uow:
        privacy_requests.record_done(uow.session, "access", ada, today=date(2026, 3, 10))
        raise Boom
    assert privacy_requests.list_requests(vault) == []


def test_a_deleted_person_leaves_the_request_without_a_name(vault, ada):
    privacy_requests.open_request(vault, "erasure", ada)
    with vault.unit_of_work() as uow:
        assert privacy_requests.clear_labels(uow.session, ada) == 1
    contacts.delete_person(vault, ada)
    [row] = privacy_requests.list_requests(vault)
    assert (row.person_id, row.subject_label, row.kind) == (None, "", "erasure")


def test_due_summary_counts_late_and_due_soon(vault, ada):
    late = privacy_requests.open_request(vault, "access", ada, received_on=date(2026, 2, 1))
    privacy_requests.open_request(vault, "rectification", ada, received_on=date(2026, 2, 12))
    privacy_requests.open_request(vault, "objection", ada, received_on=date(2026, 3, 9))
    done = privacy_requests.open_request(vault, "erasure", ada, received_on=date(2026, 1, 2))
    privacy_requests.set_status(vault, done.id, "done")
    summary = privacy_requests.due_summary(vault)
    # Due 1 March: late; due 12 March: soon; due 9 April: neither; done: not counted.
    assert (summary.late, summary.due_soon) == (1, 1)
    assert "1 privacy request late" in summary.sentence
    rows = privacy_requests.list_requests(vault)
    assert rows[0].id == late.id and rows[0].is_late(date(2026, 3, 10))
    assert rows[-1].id == done.id
    assert privacy_requests.due_summary(vault, today=date(2026, 1, 1)) == \
        privacy_requests.DueSummary(due_soon=0, late=0)


def test_a_card_number_in_a_note_is_refused(vault, ada):
    with pytest.raises(UserError, match="card number"):
        privacy_requests.open_request(vault, "access", ada, note="Paid with 4111 1111 1111 1111")
    assert privacy_requests.list_requests(vault) == []
