"""The `crasme` command under roles: a Staff user's refused command says why in one
sentence and exits 3 with nothing changed; the Owner's still works; wrong vault
passphrases pause unlocking like wrong sign-ins."""

from __future__ import annotations

import json

import pytest
from crasme_desktop.domain.errors import ExitCode
from crasme_desktop.vault.attempts import FREE_FAILURES
from crasme_desktop.vault.paths import backup_dir
from tests.support.cli_runner import NINA_PASS, PASSPHRASE, fingerprint, key_slots, one_sentence

pytestmark = pytest.mark.usefixtures("cheap_user_slots")


@pytest.fixture
def office(vault_path, nina):
    """A vault whose Owner opens it from the keychain, and a Staff user, Nina."""
    return vault_path


def as_nina(crasme, *args):
    return crasme(*args, "--no-keychain", "--user", "nina", "--passphrase-stdin",
                  input=NINA_PASS + "\n")


def test_staff_may_not_make_a_backup_and_none_is_written(crasme, office):
    done = as_nina(crasme, "backup", "create", "--vault", office)
    assert done.returncode == ExitCode.USER_ERROR
    assert one_sentence(done.stderr) == ("Your role (Staff) does not allow making and "
                                         "restoring backups.")
    folder = backup_dir(office)
    assert not folder.exists() or not any(folder.iterdir())
    # The Owner (the keychain opens the vault, and acts as its first Owner) still may.
    made = json.loads(crasme.ok("backup", "create", "--vault", office, "--json").stdout)
    assert made["path"].startswith(str(folder))


def test_staff_may_not_rotate_the_key_and_the_key_file_stays(crasme, office):
    before = fingerprint(key_slots(office))
    done = as_nina(crasme, "rekey", "--vault", office)
    assert done.returncode == ExitCode.USER_ERROR
    assert one_sentence(done.stderr) == ("Your role (Staff) does not allow changing the "
                                         "vault's key.")
    assert fingerprint(key_slots(office)) == before


def test_wrong_passphrases_pause_the_command_with_one_sentence(crasme, vault_path):
    crasme.ok("init", "--vault", vault_path, "--no-keychain", "--passphrase-stdin",
              input=PASSPHRASE + "\n")
    for _ in range(FREE_FAILURES - 1):
        done = crasme("doctor", "--vault", vault_path, "--no-keychain",
                      env={"CRASME_PASSPHRASE": "not the passphrase"})
        assert done.returncode == ExitCode.WRONG_PASSPHRASE
    done = crasme("search", "--vault", vault_path, "--no-keychain", "anyone",
                  env={"CRASME_PASSPHRASE": "not the passphrase"})
    assert done.returncode == ExitCode.USER_ERROR
    assert one_sentence(done.stderr) == ("There were too many wrong passphrases or sign-ins, "
                                         "so unlocking is paused; wait 30 seconds and try "
                                         "again.")
    # The right passphrase waits too (the count is on disk, beside the vault).
    done = crasme("search", "--vault", vault_path, "--no-keychain", "anyone",
                  env={"CRASME_PASSPHRASE": PASSPHRASE})
    assert done.returncode == ExitCode.USER_ERROR and "paused" in done.stderr
