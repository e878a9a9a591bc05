"""`crasme ... --user NAME`: a command signs in as one of the vault's users."""

from __future__ import annotations

import json

import pytest
from crasme_desktop.domain.errors import ExitCode
from crasme_desktop.services import users
from crasme_desktop.vault import Keychain, open_vault, user_slots
from tests.support.cli_runner import NINA_PASS
from tests.support.sentences import assert_one_sentence

pytestmark = pytest.mark.usefixtures("cheap_user_slots")




def assert_staff_refused_doctor(done, unlocked_with: str) -> None:
    """Nina signed in (the report says how), but the checks need "settings", which Staff
    lacks: the report says so and the command exits as a user error."""
    report = json.loads(done.stdout)
    assert report["unlocked_with"] == unlocked_with
    assert report["error"] == {"message": "Your role (Staff) does not allow changing settings.",
                               "exit_code": ExitCode.USER_ERROR}
    assert done.returncode == ExitCode.USER_ERROR


def test_a_command_signs_in_as_the_named_user(crasme, vault_path, nina):
    done = crasme("doctor", "--json", "--vault", vault_path, "--no-keychain",
                  "--user", "Nina", "--passphrase-stdin", input=NINA_PASS + "\n")
    assert_staff_refused_doctor(done, "user")
    done = crasme("search", "--vault", vault_path, "--no-keychain", "--user", "nina", "x",
                  env={"CRASME_PASSPHRASE": "not nina's at all"})
    assert done.returncode == ExitCode.WRONG_PASSPHRASE
    assert_one_sentence(done.stderr.strip().splitlines()[-1])
    assert "name and passphrase" in done.stderr
    done = crasme("doctor", "--vault", vault_path, "--no-keychain", "--user", "nina")
    assert done.returncode == ExitCode.USAGE and "passphrase of nina" in done.stderr


def test_the_user_this_computer_remembers_signs_in_without_typing(crasme, vault_path, nina,
                                                                   file_keyring):
    with user_slots.open_as_user(vault_path, "nina", NINA_PASS, keychain=Keychain(file_keyring),
                                 remember_in_keychain=True):
        pass
    done = crasme("doctor", "--json", "--vault", vault_path)
    assert_staff_refused_doctor(done, "user-keychain")


def test_a_deactivated_user_cannot_sign_in(crasme, vault_path, nina, file_keyring):
    with open_vault(vault_path, keychain=Keychain(file_keyring)) as vault:
        users.set_active(vault, nina, False)
    done = crasme("doctor", "--vault", vault_path, "--no-keychain", "--user", "nina",
                  "--passphrase-stdin", input=NINA_PASS + "\n")
    assert done.returncode == ExitCode.USER_ERROR
    assert "deactivated" in done.stderr
