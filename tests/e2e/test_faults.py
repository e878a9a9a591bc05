"""Faults the disk can bring, through the `crasme` command: each ends in one clear
sentence and no lost data. (Full disks, read-only folders, truncated files and a
backup folder that vanishes are covered beside the code they test:
test_vault_failures.py, test_backup_command.py and integration/test_backups.py.)
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from tests.support.cli_runner import fill_disk, key_slots, one_sentence

PAGE = 4096


def init_with_backup(crasme, vault: Path, contacts: int = 300) -> Path:
    crasme.ok("init", "--vault", vault, "--json")
    crasme.ok("demo", "--vault", vault, "--contacts", str(contacts))
    made = json.loads(crasme.ok("backup", "create", "--vault", vault, "--json").stdout)
    return Path(made["path"])


def people_in(crasme, vault: Path) -> int:
    report = json.loads(crasme.ok("doctor", "--vault", vault, "--json").stdout)
    assert report["ok"] is True, report
    return report["counts"]["person"]


@pytest.mark.parametrize("seed", range(6))
def test_a_byte_flipped_in_a_random_page_is_named_and_the_newest_backup_offered(
        crasme, vault_path, tmp_path, seed):
    backup = init_with_backup(crasme, vault_path)
    data = bytearray(vault_path.read_bytes())
    rng = random.Random(seed)
    page = rng.randrange(len(data) // PAGE)
    data[page * PAGE + rng.randrange(PAGE)] ^= rng.randrange(1, 256)
    vault_path.write_bytes(bytes(data))

    result = crasme("doctor", "--vault", vault_path)

    assert result.returncode in (21, 27), (page, result.stderr)  # damaged / checks failed
    said = result.stderr.splitlines()[-1]
    assert "damaged" in said or "failed its integrity checks" in said, said
    assert f"restore it from a backup (the newest is {backup})" in said, said
    # No lost data: the backup it names holds every person, and opens on its own.
    scratch = tmp_path / "scratch" / "copy.crasme"
    scratch.parent.mkdir()
    shutil.copyfile(backup, scratch)
    shutil.copyfile(key_slots(backup), key_slots(scratch))
    assert people_in(crasme, scratch) == 300


def test_a_damaged_vault_without_backups_says_so_without_naming_one(crasme, vault_path):
    crasme.ok("init", "--vault", vault_path, "--json")
    data = bytearray(vault_path.read_bytes())
    data[300] ^= 0x01
    vault_path.write_bytes(bytes(data))

    said = one_sentence(crasme("doctor", "--vault", vault_path).stderr)

    assert said.endswith("restore it from a backup.") and "newest" not in said


def test_a_full_disk_during_a_write_keeps_what_was_saved(crasme, tmpfs_factory):
    disk = tmpfs_factory("8m")
    vault = disk.path / "office.crasme"
    crasme.ok("init", "--vault", vault, "--json")
    crasme.ok("demo", "--vault", vault, "--contacts", "50")
    filler = fill_disk(disk.path)

    result = crasme("demo", "--vault", vault, "--contacts", "2000")

    assert result.returncode == 23, result.stderr  # disk full
    assert "full" in one_sentence(result.stderr)
    filler.unlink()
    assert people_in(crasme, vault) == 50  # the failed write took nothing away


def test_a_backup_onto_a_read_only_drive_keeps_nothing_and_says_so(crasme, vault_path,
                                                                   tmpfs_factory):
    drive = tmpfs_factory("8m", name="drive")
    crasme.ok("init", "--vault", vault_path, "--json")
    crasme.ok("demo", "--vault", vault_path, "--contacts", "20")
    (drive.path / "backups").mkdir()
    drive.remount_read_only()

    result = crasme("backup", "create", "--vault", vault_path, "--to", drive.path / "backups")

    assert result.returncode == 22, result.stderr  # read-only
    said = result.stderr.splitlines()[-1]  # after the progress line
    assert f"cannot write to the backup folder {drive.path / 'backups'}" in said, said
    drive.remount_read_write()
    assert list((drive.path / "backups").iterdir()) == []
    assert people_in(crasme, vault_path) == 20
