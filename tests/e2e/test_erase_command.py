"""`crasme erase --person ID | --all [--confirm TEXT] [--json]` as a script uses it."""

from __future__ import annotations

import json

import pytest
from crasme_desktop.services import contacts
from crasme_desktop.services.contacts import EmailDraft, PersonDraft
from crasme_desktop.vault import create_vault, keyslot_path, open_vault
from tests.support.cli_runner import one_sentence

PASSPHRASE = "erase command passphrase"
ENV = {"CRASME_PASSPHRASE": PASSPHRASE}


@pytest.fixture
def people(vault_path):
    create_vault(vault_path, passphrase=PASSPHRASE, use_keychain=False)
    with open_vault(vault_path, passphrase=PASSPHRASE, use_keychain=False) as vault:
        ada = contacts.create_person(vault, PersonDraft(
            "Ada", "Lovelace", emails=(EmailDraft("ada@example.org"),)))
        grace = contacts.create_person(vault, PersonDraft("Grace", "Hopper"))
    return {"ada": ada.id, "grace": grace.id}


def names(vault_path) -> list[str]:
    with open_vault(vault_path, passphrase=PASSPHRASE, use_keychain=False) as vault:
        return sorted(p.display_name for p in contacts.list_people(vault))


def test_erase_a_person_with_confirm_and_json(crasme, vault_path, people):
    result = crasme.ok("erase", "--person", people["ada"], "--confirm", "Ada Lovelace",
                       "--json", "--vault", vault_path, "--no-keychain", env=ENV)
    report = json.loads(result.stdout)
    assert report["person_id"] == people["ada"]
    assert report["erased"]["person"] == 1 and report["erased"]["emails"] == 1
    assert report["kept_until"] is None and report["scrubbed"] is True
    assert names(vault_path) == ["Grace Hopper"]
    again = crasme("erase", "--person", people["ada"], "--confirm", "Ada Lovelace",
                   "--vault", vault_path, "--no-keychain", env=ENV)
    assert again.returncode == 3
    assert one_sentence(again.stderr) == "This person has already been erased."


def test_a_wrong_confirmation_erases_nothing(crasme, vault_path, people):
    result = crasme("erase", "--person", people["ada"], "--confirm", "Grace Hopper",
                    "--vault", vault_path, "--no-keychain", env=ENV)
    assert result.returncode == 3
    assert "Type Ada Lovelace exactly to confirm; nothing was erased." in result.stderr
    assert names(vault_path) == ["Ada Lovelace", "Grace Hopper"]


def test_without_a_terminal_or_confirm_nothing_is_erased(crasme, vault_path, people):
    result = crasme("erase", "--person", people["ada"], "--vault", vault_path,
                    "--no-keychain", env=ENV)
    assert result.returncode == 2
    assert "--confirm" in result.stderr
    assert names(vault_path) == ["Ada Lovelace", "Grace Hopper"]


def test_erase_all_deletes_the_vault_and_its_keys(crasme, vault_path, people):
    refused = crasme("erase", "--all", "--confirm", "yes", "--vault", vault_path,
                     "--no-keychain", env=ENV)
    assert refused.returncode == 3 and vault_path.exists()
    result = crasme.ok("erase", "--all", "--confirm", "ERASE EVERYTHING", "--json",
                       "--vault", vault_path, "--no-keychain", env=ENV)
    report = json.loads(result.stdout)
    assert str(vault_path) in report["removed"]
    assert report["backup_folder_read"] is True
    assert not vault_path.exists() and not keyslot_path(vault_path).exists()
    assert list(vault_path.parent.iterdir()) == []
