"""`crasme backup push|remote-list|remote-restore` end to end in a subprocess, against
a real S3-compatible server (moto's server mode on 127.0.0.1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from crasme_desktop.services import offsite
from crasme_desktop.vault import open_vault
from tests.support.cli_runner import one_sentence
from tests.support.s3_server import running_s3_server


@pytest.fixture
def s3():
    with running_s3_server() as server:
        yield server


def set_up(vault_path: Path, s3, secret: str) -> None:
    with open_vault(vault_path) as vault:  # the keychain file the subprocess reads too
        offsite.save_settings(vault, offsite.OffsiteSettings(
            endpoint_url=s3.endpoint, bucket=s3.bucket, prefix="cli",
            access_key_id=s3.access_key_id), secret)


def people_count(crasme, vault: Path) -> int:
    return json.loads(crasme.ok("doctor", "--vault", vault, "--json").stdout)["counts"]["person"]


def test_push_list_and_restore_from_the_command_line(crasme, vault_path, s3):
    crasme.ok("init", "--vault", vault_path, "--json")
    crasme.ok("demo", "--vault", vault_path, "--contacts", "12")
    set_up(vault_path, s3, s3.secret_key)

    # `backup create` sends the new backup off-site too.
    made = json.loads(crasme.ok("backup", "create", "--vault", vault_path, "--json").stdout)
    name = Path(made["path"]).name
    listed = json.loads(crasme.ok("backup", "remote-list", "--vault", vault_path,
                                  "--json").stdout)
    assert [(b["name"], b["size"], b["complete"]) for b in listed["backups"]] == [
        (name, made["size"], True)]
    assert listed["place"].startswith("office-backups/cli at 127.0.0.1")

    pushed = json.loads(crasme.ok("backup", "push", "--vault", vault_path, "--json").stdout)
    assert pushed["name"] == name and pushed["removed"] == []
    human = crasme.ok("backup", "remote-list", "--vault", vault_path).stdout
    assert name in human

    crasme.ok("demo", "--vault", vault_path, "--contacts", "3")
    assert people_count(crasme, vault_path) == 15
    restored = json.loads(crasme.ok("backup", "remote-restore", name, "--vault", vault_path,
                                    "--yes", "--json").stdout)
    assert restored["counts"]["person"] == 12
    assert people_count(crasme, vault_path) == 12


def test_failures_are_one_sentence(crasme, vault_path, s3):
    crasme.ok("init", "--vault", vault_path, "--json")
    result = crasme("backup", "push", "--vault", vault_path)
    assert result.returncode != 0
    assert one_sentence(result.stderr).startswith("Off-site copies are not set up")

    set_up(vault_path, s3, "w" * 40)
    made = crasme("backup", "create", "--vault", vault_path, "--json")
    assert made.returncode == 0, "a failed off-site copy never fails the local backup"
    result = crasme("backup", "remote-list", "--vault", vault_path)
    assert result.returncode != 0
    assert "secret access key" in one_sentence(result.stderr) or \
        "refused access" in one_sentence(result.stderr)
    result = crasme("backup", "remote-restore", "nothing.crasme", "--vault", vault_path, "--yes")
    assert result.returncode != 0 and "Traceback" not in result.stderr
