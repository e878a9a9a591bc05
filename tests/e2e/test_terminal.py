"""`crasme` at a terminal: it asks for what it needs instead of failing."""

from __future__ import annotations

import re

from tests.support.cli_runner import PASSPHRASE, run_in_terminal


def test_init_asks_for_the_passphrase_twice_and_retries_when_they_differ(crasme, vault_path):
    run = run_in_terminal(
        ["init", "--vault", str(vault_path)],
        [("New passphrase: ", PASSPHRASE),
         ("Repeat the passphrase: ", "something else"),
         ("New passphrase: ", PASSPHRASE),
         ("Repeat the passphrase: ", PASSPHRASE)],
    )

    assert run.returncode == 0, run.output
    assert "differ" in run.output
    assert PASSPHRASE not in run.output  # never echoed
    assert len(re.findall(r"\b[A-Z0-9]{5}(?:-[A-Z0-9]{5}){3,}\b", run.output)) == 1
    # The typed passphrase really protects the vault:
    crasme.ok("doctor", "--vault", vault_path, "--no-keychain",
              env={"CRASME_PASSPHRASE": PASSPHRASE})
    wrong = crasme("doctor", "--vault", vault_path, "--no-keychain",
                   env={"CRASME_PASSPHRASE": "something else"})
    assert wrong.returncode == 10


def test_init_with_keychain_lets_enter_skip_the_passphrase(crasme, vault_path):
    run = run_in_terminal(["init", "--vault", str(vault_path)], [("New passphrase: ", "")])

    assert run.returncode == 0, run.output
    report = crasme.ok("doctor", "--vault", vault_path, "--json").stdout
    assert '"passphrase_slot": false' in report


def test_doctor_asks_for_the_passphrase_when_the_keychain_lacks_the_key(crasme, vault_path,
                                                                       file_keyring):
    crasme.ok("init", "--vault", vault_path, "--passphrase-stdin", input=PASSPHRASE + "\n")
    file_keyring.clear()

    run = run_in_terminal(["doctor", "--vault", str(vault_path)],
                          [(f"Passphrase for {vault_path}: ", PASSPHRASE)])

    assert run.returncode == 0, run.output
    assert "unlocked with: passphrase" in run.output


def test_ctrl_d_at_the_prompt_cancels_quietly_with_exit_4(crasme, vault_path, file_keyring):
    crasme.ok("init", "--vault", vault_path, "--passphrase-stdin", input=PASSPHRASE + "\n")
    file_keyring.clear()

    run = run_in_terminal(["doctor", "--vault", str(vault_path)],
                          [(f"Passphrase for {vault_path}: ", "\x04")])

    assert run.returncode == 4, run.output
    assert "Traceback" not in run.output
