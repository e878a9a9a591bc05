"""Each way opening a vault can fail: a distinct exit code, one sentence, files untouched."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.cli_runner import PASSPHRASE, fill_disk, fingerprint, key_slots, one_sentence


def make_vault(crasme, vault: Path, *extra: str, passphrase: str | None = PASSPHRASE) -> dict:
    args = ["init", "--vault", vault, "--json", *extra]
    stdin = None
    if passphrase is not None:
        args.append("--passphrase-stdin")
        stdin = passphrase + "\n"
    return json.loads(crasme.ok(*args, input=stdin).stdout)


def vault_files(vault: Path) -> list[Path]:
    return [vault, key_slots(vault)]


def test_wrong_passphrase_exits_10_and_changes_nothing(crasme, vault_path):
    make_vault(crasme, vault_path, "--no-keychain")
    before = fingerprint(*vault_files(vault_path))

    result = crasme("doctor", "--vault", vault_path, "--passphrase-stdin",
                    input="not the passphrase\n")

    assert result.returncode == 10
    assert "passphrase" in one_sentence(result.stderr)
    assert fingerprint(*vault_files(vault_path)) == before


def test_doctor_json_still_reports_files_and_the_error_when_it_cannot_unlock(crasme,
                                                                            vault_path):
    make_vault(crasme, vault_path, "--no-keychain")

    result = crasme("doctor", "--vault", vault_path, "--json", "--passphrase-stdin",
                    input="not the passphrase\n")

    assert result.returncode == 10
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["error"]["exit_code"] == 10
    assert report["files"]["key_slots"]["exists"] is True
    assert report["keychain"]["passphrase_slot"] is True


def test_wrong_passphrase_from_environment_exits_10(crasme, vault_path):
    make_vault(crasme, vault_path, "--no-keychain")

    result = crasme("demo", "--vault", vault_path, "--contacts", "5",
                    env={"CRASME_PASSPHRASE": "nope"})

    assert result.returncode == 10
    one_sentence(result.stderr)


def test_wrong_recovery_key_exits_11_and_changes_nothing(crasme, vault_path):
    created = make_vault(crasme, vault_path)
    before = fingerprint(*vault_files(vault_path))
    real = created["recovery_key"]
    wrong = ("B" if real[0] != "B" else "C") + real[1:]

    result = crasme("doctor", "--vault", vault_path, "--no-keychain", "--recovery-key-stdin",
                    input=wrong + "\n")

    assert result.returncode == 11
    assert "recovery key" in one_sentence(result.stderr)
    assert fingerprint(*vault_files(vault_path)) == before


def test_missing_keychain_entry_without_passphrase_exits_12(crasme, vault_path, file_keyring):
    make_vault(crasme, vault_path, passphrase=None)
    file_keyring.clear()
    before = fingerprint(*vault_files(vault_path))

    result = crasme("doctor", "--vault", vault_path)

    assert result.returncode == 12
    sentence = result.stderr.strip().splitlines()[-1]
    assert "keychain" in sentence
    assert fingerprint(*vault_files(vault_path)) == before


def test_no_keychain_on_this_computer_and_no_passphrase_exits_12(crasme, vault_path):
    make_vault(crasme, vault_path)  # keychain and passphrase slot

    result = crasme("demo", "--vault", vault_path, "--contacts", "1",
                    env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})

    assert result.returncode == 12, result.stderr
    one_sentence(result.stderr)


@pytest.mark.parametrize("content", ["text", "sqlite"])
def test_a_file_that_is_not_a_vault_exits_20_and_is_left_alone(crasme, vault_path, content):
    if content == "text":
        vault_path.write_text("Dear diary,\n" * 500)
    elif content == "sqlite":
        with sqlite3.connect(vault_path) as db:
            db.execute("CREATE TABLE people (name TEXT)")
            db.execute("INSERT INTO people VALUES ('Ada')")
        db.close()
    before = fingerprint(vault_path)

    result = crasme("doctor", "--vault", vault_path)

    assert result.returncode == 20, result.stderr
    assert "not a Crasme Desktop vault" in result.stderr.splitlines()[-1]
    assert fingerprint(vault_path) == before
    assert not key_slots(vault_path).exists()


def test_encrypted_looking_file_without_its_key_file_says_the_key_file_is_missing(
        crasme, vault_path):
    # Ciphertext looks like noise, so noise without a key file may be a vault whose
    # key file was lost: say that, rather than "not a vault".
    vault_path.write_bytes(bytes(range(256)) * 64)
    before = fingerprint(vault_path)

    result = crasme("doctor", "--vault", vault_path)

    assert result.returncode == 12, result.stderr
    assert str(key_slots(vault_path)) in result.stderr.splitlines()[-1]
    assert fingerprint(vault_path) == before


def test_a_truncated_vault_exits_21(crasme, vault_path):
    make_vault(crasme, vault_path)
    crasme.ok("demo", "--vault", vault_path, "--contacts", "300")
    data = vault_path.read_bytes()
    vault_path.write_bytes(data[: len(data) // 3])
    before = fingerprint(*vault_files(vault_path))

    result = crasme("doctor", "--vault", vault_path)

    assert result.returncode == 21, result.stderr
    assert "damaged" in result.stderr.splitlines()[-1]
    assert fingerprint(*vault_files(vault_path)) == before


def test_a_damaged_first_page_exits_21_not_wrong_key(crasme, vault_path):
    make_vault(crasme, vault_path)
    data = bytearray(vault_path.read_bytes())
    for i in range(100, 200):  # past the salt: the page's ciphertext
        data[i] ^= 0xFF
    vault_path.write_bytes(bytes(data))
    before = fingerprint(*vault_files(vault_path))

    result = crasme("doctor", "--vault", vault_path)

    assert result.returncode == 21, result.stderr
    assert fingerprint(*vault_files(vault_path)) == before


def test_a_damaged_later_page_fails_doctor(crasme, vault_path):
    make_vault(crasme, vault_path)
    crasme.ok("demo", "--vault", vault_path, "--contacts", "300")
    data = bytearray(vault_path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    start = len(data) - 2 * page + 200
    for i in range(start, start + 64):
        data[i] ^= 0x55
    vault_path.write_bytes(bytes(data))

    result = crasme("doctor", "--vault", vault_path, "--json")

    assert result.returncode in (21, 27), result.stderr
    assert json.loads(result.stdout)["ok"] is False


def test_a_vault_open_in_another_process_exits_24(crasme, vault_path):
    make_vault(crasme, vault_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys\n"
         "from crasme_desktop.services import vaults\n"
         f"v = vaults.unlock({str(vault_path)!r})\n"
         "print('open', flush=True)\n"
         "sys.stdin.read()\n"
         "v.close()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open", holder.stderr.read()  # type: ignore[union-attr]
        before = fingerprint(*vault_files(vault_path))

        result = crasme("doctor", "--vault", vault_path)

        assert result.returncode == 24, result.stderr
        assert "already open" in result.stderr.splitlines()[-1]
        assert fingerprint(*vault_files(vault_path)) == before
    finally:
        holder.communicate("", timeout=30)
    assert holder.returncode == 0
    crasme.ok("doctor", "--vault", vault_path)  # free again once the holder is gone


def test_a_vault_in_a_read_only_folder_exits_22(crasme, tmpfs_factory):
    fs = tmpfs_factory("8m")
    vault = fs.path / "office.crasme"
    make_vault(crasme, vault)
    fs.remount_read_only()
    before = fingerprint(*vault_files(vault))

    result = crasme("demo", "--vault", vault, "--contacts", "5")

    assert result.returncode == 22, result.stderr
    assert "cannot write" in one_sentence(result.stderr)
    assert fingerprint(*vault_files(vault)) == before


def test_init_in_a_read_only_folder_exits_22_and_creates_nothing(crasme, tmpfs_factory):
    fs = tmpfs_factory("1m")
    fs.remount_read_only()

    result = crasme("init", "--vault", fs.path / "office.crasme", "--passphrase-stdin",
                    input=PASSPHRASE + "\n")

    assert result.returncode == 22, result.stderr
    one_sentence(result.stderr)
    assert list(fs.path.iterdir()) == []


def test_a_full_disk_exits_23_and_the_vault_survives(crasme, tmpfs_factory):
    fs = tmpfs_factory("6m")
    vault = fs.path / "office.crasme"
    make_vault(crasme, vault)
    crasme.ok("demo", "--vault", vault, "--contacts", "10")
    filler = fill_disk(fs.path)

    result = crasme("demo", "--vault", vault, "--contacts", "3000")

    assert result.returncode == 23, result.stderr
    assert "full" in result.stderr.strip().splitlines()[-1]
    filler.unlink()
    report = json.loads(crasme.ok("doctor", "--vault", vault, "--json").stdout)
    assert report["ok"] is True


def test_init_on_a_full_disk_exits_23_and_leaves_nothing(crasme, tmpfs_factory):
    fs = tmpfs_factory("2m")
    filler = fill_disk(fs.path)

    result = crasme("init", "--vault", fs.path / "office.crasme", "--passphrase-stdin",
                    input=PASSPHRASE + "\n")

    assert result.returncode == 23, result.stderr
    one_sentence(result.stderr)
    assert sorted(fs.path.iterdir()) == [filler]
