"""Erase everything (issue 7, part 5): the vault file, its WAL and SHM, key slots,
keychain entry, lock file and backups go; other vaults' backups stay."""

from __future__ import annotations

from pathlib import Path

import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import backups, contacts, privacy_erase
from crasme_desktop.services.contacts import PersonDraft
from crasme_desktop.vault import create_vault, keyslot_path, open_vault
from crasme_desktop.vault.paths import backup_dir, lock_path

OTHER_PASSPHRASE = "another office passphrase"


@pytest.fixture
def office(created, keychain, tmp_path):
    """The vault with a person, a backup beside it and one in a configured folder that
    also holds a backup of another vault."""
    drive = tmp_path / "drive"
    drive.mkdir()
    other = create_vault(drive.parent / "other" / "office.crasme",
                         passphrase=OTHER_PASSPHRASE, use_keychain=False)
    with open_vault(other.path, passphrase=OTHER_PASSPHRASE, use_keychain=False) as vault:
        foreign = vault.backup(drive)
    vault = open_vault(created.path, keychain=keychain)
    contacts.create_person(vault, PersonDraft("Ada", "Lovelace"))
    beside = backups.make_backup(vault)
    backups.save_preferences(vault, backups.BackupPreferences(folder=str(drive)))
    configured = backups.make_backup(vault)
    yield {"vault": vault, "drive": drive, "foreign": foreign.path, "beside": beside.path,
           "configured": configured.path, "vault_id": created.vault_id}
    vault.close()


def vault_files(path: Path) -> list[Path]:
    return [p for p in (path, keyslot_path(path), lock_path(path),
                        path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
            if p.exists()]


def test_erase_everything_removes_the_vault_its_keys_and_its_backups(office, keychain):
    vault = office["vault"]
    path = vault.path
    assert keychain.get(office["vault_id"]) is not None
    assert vault_files(path)
    outcome = privacy_erase.erase_everything(
        path, confirmation="erase everything", vault=vault, keychain=keychain)
    assert vault.closed
    assert vault_files(path) == []
    assert not office["beside"].exists() and not office["configured"].exists()
    assert not backup_dir(path).exists()  # the emptied folder beside it goes too
    assert keychain.get(office["vault_id"]) is None
    assert outcome.keychain_cleared and outcome.left == ()
    assert path in outcome.removed and office["configured"] in outcome.removed
    assert "not overwritten" in outcome.message
    # Another vault's backup in the same folder is not this vault's to erase.
    assert office["foreign"].exists() and keyslot_path(office["foreign"]).exists()
    remaining = {p.name for p in office["drive"].iterdir()}
    assert remaining and all(n.startswith(office["foreign"].name) for n in remaining)


@pytest.mark.parametrize("typed", ["", "ERASE", "erase all", "Ada Lovelace"])
def test_a_wrong_confirmation_erases_nothing(office, keychain, typed):
    vault = office["vault"]
    before = sorted(p for p in vault.path.parent.rglob("*"))
    with pytest.raises(UserError, match="Type ERASE EVERYTHING to confirm"):
        privacy_erase.erase_everything(vault.path, confirmation=typed, vault=vault,
                                       keychain=keychain)
    assert not vault.closed
    assert sorted(p for p in vault.path.parent.rglob("*")) == before
    assert keychain.get(office["vault_id"]) is not None
    assert contacts.list_people(vault)


def test_a_locked_vault_is_erased_with_its_default_backups(office, keychain):
    vault = office["vault"]
    path = vault.path
    vault.close()
    privacy_erase.erase_everything(path, confirmation="ERASE EVERYTHING", keychain=keychain,
                                   backup_folders=[office["drive"]])
    assert vault_files(path) == []
    assert not office["beside"].exists() and not office["configured"].exists()
    assert office["foreign"].exists()
