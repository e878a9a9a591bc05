"""`crasme tickets list [--queue Q] [--json]` and `crasme tickets show NUMBER [--json]` in
a subprocess, on a real vault whose tickets were made through the services."""

from __future__ import annotations

import json

import pytest
from crasme_desktop import cli
from crasme_desktop.domain.errors import ExitCode
from crasme_desktop.services import contacts, ticket_queues, tickets
from crasme_desktop.services.contacts import PersonDraft
from crasme_desktop.services.tickets import TicketDraft
from crasme_desktop.vault import open_vault
from tests.support.cli_runner import Crasme, one_sentence


@pytest.fixture
def filled(created, keychain):
    with open_vault(created.path, keychain=keychain) as vault:
        ada = contacts.create_person(vault, PersonDraft(given_name="Ada",
                                                        family_name="Lovelace"))
        first = tickets.create_ticket(vault, TicketDraft("Engine stalls", requester_id=ada.id),
                                      body="It stops after a minute.")
        tickets.add_reply(vault, first.id, "Check the fuel.", author="Sam Support",
                          attachments=[("guide.txt", "text/plain", b"fuel")])
        second = tickets.create_ticket(vault, TicketDraft("Paper jam", requester_id=ada.id,
                                                          priority="urgent"))
        tickets.change_status(vault, second.id, "solved")
    return created.path, first, second


def test_list_shows_a_queue_as_text_and_json(tmp_path, filled):
    vault, first, second = filled
    run = Crasme(cwd=tmp_path)
    text = run.ok("tickets", "list", "--vault", vault).stdout
    assert f"#{first.number}" in text and "Engine stalls" in text and "(Ada Lovelace)" in text
    assert "Paper jam" not in text  # solved: not in all_open
    solved = json.loads(run.ok("tickets", "list", "--queue", "solved", "--json",
                               "--vault", vault).stdout)
    assert solved["queue"] == "solved"
    assert [t["number"] for t in solved["tickets"]] == [second.number]
    assert solved["tickets"][0]["due"] == "Solved within target"
    assert solved["more"] is False
    assert run.ok("tickets", "list", "--queue", "pending", "--vault",
                  vault).stdout.strip() == "No tickets in this queue."


def test_show_prints_the_thread_and_json(tmp_path, filled):
    vault, first, _second = filled
    run = Crasme(cwd=tmp_path)
    text = run.ok("tickets", "show", f"#{first.number}", "--vault", vault).stdout
    assert text.startswith(f"#{first.number} Engine stalls\n")
    assert "Reply by Sam Support [1 attached]" in text and "  Check the fuel." in text
    record = json.loads(run.ok("tickets", "show", str(first.number), "--json",
                               "--vault", vault).stdout)
    assert record["status"] == "open" and record["requester_name"] == "Ada Lovelace"
    assert [m["kind"] for m in record["messages"]] == ["customer", "reply"]
    assert record["messages"][1]["attachments"][0]["filename"] == "guide.txt"
    assert [h["to_status"] for h in record["history"]] == ["new", "open"]


def test_unknown_number_and_queue_are_clear(tmp_path, filled):
    vault, *_rest = filled
    run = Crasme(cwd=tmp_path)
    missing = run("tickets", "show", "999", "--vault", vault)
    assert missing.returncode == ExitCode.USER_ERROR
    assert "999" in one_sentence(missing.stderr)
    assert run("tickets", "list", "--queue", "someday", "--vault",
               vault).returncode == ExitCode.USAGE


def test_the_command_lines_queues_are_the_services():
    assert cli.TICKET_QUEUES == ticket_queues.QUEUES
