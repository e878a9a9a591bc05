"""`crasme init`, `doctor`, `rekey` and `demo` as a script would run them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.cli_runner import PASSPHRASE, fingerprint, key_slots, one_sentence

RECOVERY_KEY = re.compile(r"^[A-Z0-9]{4,6}(-[A-Z0-9]{4,6}){3,}$")


def find(report: Any, key: str) -> list[Any]:
    """Every value stored under `key` anywhere in a nested JSON report."""
    found = []
    if isinstance(report, dict):
        for k, v in report.items():
            if k == key:
                found.append(v)
            found.extend(find(v, key))
    elif isinstance(report, list):
        for v in report:
            found.extend(find(v, key))
    return found


def init_json(crasme, vault: Path, *extra: str, passphrase: str | None = PASSPHRASE) -> dict:
    args = ["init", "--vault", vault, "--json", *extra]
    if passphrase is not None:
        args.append("--passphrase-stdin")
    result = crasme.ok(*args, input=f"{passphrase}\n" if passphrase is not None else None)
    return json.loads(result.stdout)


def test_init_creates_an_encrypted_vault_that_doctor_finds_healthy(crasme, vault_path,
                                                                   file_keyring):
    created = init_json(crasme, vault_path)

    assert RECOVERY_KEY.match(created["recovery_key"]), created["recovery_key"]
    assert created["keychain_used"] is True
    assert created["passphrase_slot"] is True
    assert Path(created["vault"]) == vault_path
    header = vault_path.read_bytes()[:16]
    assert header != b"SQLite format 3\x00"
    assert key_slots(vault_path).is_file()
    stored = [user for users in file_keyring.entries().values() for user in users]
    assert created["vault_id"] in stored

    doctor = crasme.ok("doctor", "--vault", vault_path, "--json")
    report = json.loads(doctor.stdout)
    assert report["ok"] is True
    versions = find(report, "sqlcipher_version")
    assert versions and str(versions[0]).startswith("4."), versions
    assert report["files"]["vault"]["path"] == str(vault_path)
    assert report["files"]["vault"]["size"] == vault_path.stat().st_size
    assert report["files"]["key_slots"]["path"] == str(key_slots(vault_path))
    assert report["files"]["key_slots"]["exists"] is True
    assert report["keychain"]["has_key_for_vault"] is True
    assert report["unlocked_with"] == "keychain"
    assert find(report, "journal_mode") == ["wal"]
    assert find(report, "secure_delete") == [True]


def test_init_prints_the_recovery_key_once_with_an_explanation(crasme, vault_path):
    result = crasme.ok("init", "--vault", vault_path)

    keys = re.findall(r"\b[A-Z0-9]{4,6}(?:-[A-Z0-9]{4,6}){3,}\b", result.stdout)
    assert len(keys) == 1, result.stdout
    assert "recovery key" in result.stdout.lower()
    assert "not be shown again" in result.stdout
    # Nothing secret on stderr, where logs of scripts often end up.
    assert keys[0] not in result.stderr


def test_init_refuses_to_overwrite_a_vault(crasme, vault_path):
    init_json(crasme, vault_path)
    before = fingerprint(vault_path, key_slots(vault_path))

    result = crasme("init", "--vault", vault_path)

    assert result.returncode == 26
    assert str(vault_path) in one_sentence(result.stderr)
    assert fingerprint(vault_path, key_slots(vault_path)) == before


def test_init_without_keychain_or_passphrase_is_refused_and_leaves_nothing(crasme, vault_path):
    result = crasme("init", "--vault", vault_path, "--no-keychain")

    assert result.returncode == 3, result.stderr
    one_sentence(result.stderr)
    assert list(vault_path.parent.iterdir()) == []


def test_vault_env_and_default_location(crasme, isolated_env, vault_path):
    crasme.ok("init", "--json")
    assert isolated_env.default_vault.is_file()

    crasme.ok("init", "--json", env={"CRASME_VAULT": str(vault_path)})
    assert vault_path.is_file()


def test_passphrase_from_the_environment_unlocks_without_keychain(crasme, vault_path):
    init_json(crasme, vault_path, "--no-keychain")

    env = {"CRASME_PASSPHRASE": PASSPHRASE}
    report = json.loads(crasme.ok("doctor", "--vault", vault_path, "--json", env=env).stdout)

    assert report["unlocked_with"] == "passphrase"
    assert report["keychain"]["has_key_for_vault"] is False


def test_recovery_key_unlocks_when_nothing_else_does(crasme, vault_path, file_keyring):
    created = init_json(crasme, vault_path, passphrase=None)
    file_keyring.clear()

    result = crasme.ok("doctor", "--vault", vault_path, "--json", "--recovery-key-stdin",
                       input=created["recovery_key"] + "\n")

    assert json.loads(result.stdout)["unlocked_with"] == "recovery"


def test_rekey_then_reopen_with_keychain_passphrase_and_new_recovery_key(crasme, vault_path):
    created = init_json(crasme, vault_path)
    crasme.ok("demo", "--vault", vault_path, "--contacts", "20")
    slots_before = fingerprint(key_slots(vault_path))

    result = crasme.ok("rekey", "--vault", vault_path, "--json", "--passphrase-stdin",
                       input=PASSPHRASE + "\n")
    new_key = json.loads(result.stdout)["recovery_key"]

    assert RECOVERY_KEY.match(new_key)
    assert new_key != created["recovery_key"]
    assert fingerprint(key_slots(vault_path)) != slots_before
    by_keychain = json.loads(crasme.ok("doctor", "--vault", vault_path, "--json").stdout)
    assert by_keychain["ok"] is True and by_keychain["unlocked_with"] == "keychain"
    by_passphrase = crasme.ok("doctor", "--vault", vault_path, "--json", "--no-keychain",
                              "--passphrase-stdin", input=PASSPHRASE + "\n")
    assert json.loads(by_passphrase.stdout)["unlocked_with"] == "passphrase"
    crasme.ok("doctor", "--vault", vault_path, "--no-keychain", "--recovery-key-stdin",
              input=new_key + "\n")
    old = crasme("doctor", "--vault", vault_path, "--no-keychain", "--recovery-key-stdin",
                 input=created["recovery_key"] + "\n")
    assert old.returncode == 11, old.stderr
    assert by_keychain["counts"]["person"] == 20


def test_rekey_prints_the_new_recovery_key_once(crasme, vault_path):
    init_json(crasme, vault_path)

    result = crasme.ok("rekey", "--vault", vault_path, "--passphrase-stdin",
                       input=PASSPHRASE + "\n")

    keys = re.findall(r"\b[A-Z0-9]{4,6}(?:-[A-Z0-9]{4,6}){3,}\b", result.stdout)
    assert len(keys) == 1
    assert "no longer opens" in result.stdout


def test_demo_fills_the_vault_and_doctor_counts_it(crasme, vault_path):
    init_json(crasme, vault_path)

    result = crasme.ok("demo", "--vault", vault_path, "--contacts", "120", "--json")

    assert json.loads(result.stdout)["people"] == 120
    assert "120/120" in result.stderr  # the progress line
    report = json.loads(crasme.ok("doctor", "--vault", vault_path, "--json").stdout)
    assert report["counts"]["person"] == 120
    assert report["ok"] is True


def test_ctrl_c_during_demo_exits_4_and_adds_nothing(crasme, vault_path):
    init_json(crasme, vault_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "crasme_desktop", "demo", "--vault", str(vault_path),
         "--contacts", "400000"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the first progress line: the work has begun
    assert first.startswith("Adding sample data: 0/400000"), first
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)

    assert proc.returncode == 4, err
    assert "Traceback" not in err
    assert out == ""
    report = json.loads(crasme.ok("doctor", "--vault", vault_path, "--json").stdout)
    assert report["ok"] is True
    assert report["counts"]["person"] == 0
