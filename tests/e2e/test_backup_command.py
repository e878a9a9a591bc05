"""`crasme backup create|list|verify|restore|drill` end to end in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli_runner import fill_disk, one_sentence


def init(crasme, vault: Path) -> None:
    crasme.ok("init", "--vault", vault, "--json")


def people_count(crasme, vault: Path) -> int:
    return json.loads(crasme.ok("doctor", "--vault", vault, "--json").stdout)["counts"]["person"]


def test_create_list_verify_restore_round_trip(crasme, vault_path):
    init(crasme, vault_path)
    crasme.ok("demo", "--vault", vault_path, "--contacts", "20")
    made = json.loads(crasme.ok("backup", "create", "--vault", vault_path, "--json").stdout)
    assert made["counts"]["person"] == 20
    backup = Path(made["path"])
    assert backup.parent.name == "office backups"
    assert backup.read_bytes()[:16] != b"SQLite format 3\x00"

    listed = json.loads(crasme.ok("backup", "list", "--vault", vault_path, "--json").stdout)
    assert [b["path"] for b in listed["backups"]] == [str(backup)]
    human = crasme.ok("backup", "list", "--vault", vault_path).stdout
    assert "manual" in human and str(backup) in human

    verified = crasme.ok("backup", "verify", "--vault", vault_path).stdout
    assert verified.strip() == f"{backup}: ok"

    crasme.ok("demo", "--vault", vault_path, "--contacts", "5")
    assert people_count(crasme, vault_path) == 25
    restored = crasme.ok("backup", "restore", str(backup), "--vault", vault_path, "--yes")
    assert "Restored" in restored.stdout and "before-restore" in restored.stdout
    assert people_count(crasme, vault_path) == 20

    drill = crasme.ok("backup", "drill", "--vault", vault_path, "--json")
    assert json.loads(drill.stdout)["ok"] is True


def test_verify_names_a_damaged_backup_and_exits_27(crasme, vault_path):
    init(crasme, vault_path)
    crasme.ok("demo", "--vault", vault_path, "--contacts", "30")
    made = json.loads(crasme.ok("backup", "create", "--vault", vault_path, "--json").stdout)
    backup = Path(made["path"])
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x20
    backup.write_bytes(bytes(data))

    result = crasme("backup", "verify", str(backup), "--vault", vault_path)
    assert result.returncode == 27
    assert "FAILED" in result.stdout

    refused = crasme("backup", "restore", str(backup), "--vault", vault_path, "--yes")
    assert refused.returncode == 27
    one_sentence(refused.stderr)
    assert "cannot be restored" in refused.stderr
    assert people_count(crasme, vault_path) == 30
    assert not [p for p in vault_path.parent.iterdir() if ".restore-" in p.name]


def test_restore_of_a_missing_file_is_one_sentence(crasme, vault_path):
    init(crasme, vault_path)
    result = crasme("backup", "restore", "/nowhere/x.crasme", "--vault", vault_path, "--yes")
    assert result.returncode == 3
    one_sentence(result.stderr)


def test_a_backup_to_a_full_disk_keeps_nothing_and_says_so(crasme, vault_path, tmpfs_factory):
    init(crasme, vault_path)
    crasme.ok("demo", "--vault", vault_path, "--contacts", "200")
    fs = tmpfs_factory("1m", name="usb")
    filler = fill_disk(fs.path)

    result = crasme("backup", "create", "--to", fs.path, "--vault", vault_path)

    assert result.returncode == 23, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert "full" in last and "no backup was kept" in last
    assert "Traceback" not in result.stderr
    assert sorted(fs.path.iterdir()) == [filler]
    assert people_count(crasme, vault_path) == 200
