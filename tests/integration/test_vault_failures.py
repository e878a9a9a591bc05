"""Every known failure: one clear sentence, a distinct exit code, and untouched files."""

from __future__ import annotations

import sqlite3

import pytest
from crasme_desktop.domain.errors import ExitCode, UserError
from crasme_desktop.domain.models import Person
from crasme_desktop.services import vaults
from crasme_desktop.vault import Keychain, create_vault, keyslot_path, open_vault
from crasme_desktop.vault import errors as E
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringLocked
from tests.integration.conftest import PASSPHRASE
from tests.support.sentences import assert_one_sentence


class LockedKeyring(KeyringBackend):
    """A keychain whose owner refuses to unlock it (what SecretService raises then)."""

    priority = 1

    def delete_password(self, service, username):
        raise KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service, username):
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service, username, password):
        raise KeyringLocked("Failed to unlock the collection!")


def expect(error, code, fn, *args, **kwargs):
    with pytest.raises(error) as info:
        fn(*args, **kwargs)
    assert info.value.exit_code == code
    assert_one_sentence(info.value.message)
    return info.value.message


def test_wrong_passphrase(created, unchanged):
    check = unchanged(created.path)
    msg = expect(
        E.WrongPassphrase,
        ExitCode.WRONG_PASSPHRASE,
        open_vault,
        created.path,
        use_keychain=False,
        passphrase="Correct Horse Battery",
    )
    assert "passphrase" in msg
    check()


def test_wrong_recovery_key(created, unchanged):
    check = unchanged(created.path)
    expect(
        E.WrongRecoveryKey,
        ExitCode.WRONG_RECOVERY_KEY,
        open_vault,
        created.path,
        use_keychain=False,
        recovery_key="AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF-GGGGG-HHHHH",
    )
    check()


def test_keychain_entry_missing(created, keychain, unchanged):
    keychain.delete(created.vault_id)
    check = unchanged(created.path)
    msg = expect(
        E.KeyUnavailable, ExitCode.KEY_UNAVAILABLE, open_vault, created.path, keychain=keychain
    )
    assert "keychain" in msg and "passphrase" in msg
    check()


def test_keychain_holding_another_vaults_key(created, keychain, unchanged):
    keychain.store(created.vault_id, b"\x01" * 32)
    check = unchanged(created.path)
    expect(
        E.KeychainMismatch, ExitCode.KEYCHAIN_MISMATCH, open_vault, created.path, keychain=keychain
    )
    check()


def test_locked_keychain_refused(created, unchanged):
    check = unchanged(created.path)
    msg = expect(
        E.KeychainLocked,
        ExitCode.KEYCHAIN_LOCKED,
        open_vault,
        created.path,
        keychain=Keychain(LockedKeyring()),
    )
    assert "locked" in msg
    check()
    # With the passphrase offered too, the refused keychain is no obstacle.
    with open_vault(created.path, keychain=Keychain(LockedKeyring()), passphrase=PASSPHRASE) as v:
        assert v.key_source == "passphrase"


def test_no_keychain_and_no_passphrase_cannot_create(tmp_path):
    target = tmp_path / "v.crasme"
    msg = expect(
        UserError,
        ExitCode.USER_ERROR,
        create_vault,
        target,
        passphrase=None,
        keychain=Keychain(fail.Keyring()),
    )
    assert "passphrase" in msg
    assert not target.exists() and not keyslot_path(target).exists()


def test_plain_sqlite_file_is_not_a_vault(tmp_path, unchanged):
    path = tmp_path / "contacts.crasme"
    with sqlite3.connect(path) as conn:
        conn.execute("create table t(x)")
    check = unchanged(path)
    expect(
        E.NotAVault,
        ExitCode.NOT_A_VAULT,
        open_vault,
        path,
        use_keychain=False,
        passphrase=PASSPHRASE,
    )
    check()


def test_text_file_is_not_a_vault(tmp_path, unchanged):
    path = tmp_path / "notes.crasme"
    path.write_text("shopping list\n")
    check = unchanged(path)
    expect(E.NotAVault, ExitCode.NOT_A_VAULT, open_vault, path, passphrase=PASSPHRASE)
    check()


def test_missing_file(tmp_path):
    msg = expect(E.VaultNotFound, ExitCode.VAULT_NOT_FOUND, open_vault, tmp_path / "x.crasme")
    assert "crasme init" in msg


def test_truncated_vault(created, keychain, unchanged):
    data = created.path.read_bytes()
    created.path.write_bytes(data[: len(data) // 2 + 100])
    check = unchanged(created.path)
    expect(E.VaultDamaged, ExitCode.VAULT_DAMAGED, open_vault, created.path, keychain=keychain)
    check()


def test_damaged_first_page(created, keychain, unchanged):
    data = bytearray(created.path.read_bytes())
    data[200] ^= 0xFF  # inside page 1's encrypted body: its HMAC no longer matches
    created.path.write_bytes(bytes(data))
    check = unchanged(created.path)
    msg = expect(
        E.VaultDamaged, ExitCode.VAULT_DAMAGED, open_vault, created.path, keychain=keychain
    )
    assert "backup" in msg
    check()


def test_damaged_later_page_is_found_by_doctor(created, keychain):
    with open_vault(created.path, keychain=keychain) as vault, vault.unit_of_work() as uow:
        uow.session.add_all(Person(given_name=f"P{i}", notes="x" * 500) for i in range(200))
    data = bytearray(created.path.read_bytes())
    assert len(data) > 20 * 4096
    data[len(data) - 3 * 4096 + 100] ^= 0xFF
    created.path.write_bytes(bytes(data))
    with open_vault(created.path, keychain=keychain) as vault:
        report = vault.doctor()
    assert report["cipher_integrity_check"] != "ok"


def test_vault_already_exists(created, keychain, unchanged):
    check = unchanged(created.path)
    expect(
        E.VaultExists,
        ExitCode.VAULT_EXISTS,
        create_vault,
        created.path,
        passphrase=PASSPHRASE,
        keychain=keychain,
    )
    check()


def test_read_only_folder(created, keychain, unchanged, read_only_folder):
    read_only_folder(created.path.parent)
    check = unchanged(created.path)
    msg = expect(E.VaultReadOnly, ExitCode.READ_ONLY, open_vault, created.path, keychain=keychain)
    assert "write" in msg
    check()


def test_read_only_folder_on_create(tmp_path, keychain, read_only_folder):
    folder = tmp_path / "ro"
    folder.mkdir()
    read_only_folder(folder)
    expect(
        E.VaultReadOnly,
        ExitCode.READ_ONLY,
        create_vault,
        folder / "v.crasme",
        passphrase=PASSPHRASE,
        keychain=keychain,
    )
    assert list(folder.iterdir()) == []


def test_full_disk_on_create_leaves_nothing(small_disk, keychain):
    (small_disk / "filler2").write_bytes(b"\0" * (2 * 1024 * 1024 - 40 * 1024))
    target = small_disk / "v.crasme"
    expect(
        E.DiskFull,
        ExitCode.DISK_FULL,
        create_vault,
        target,
        passphrase=PASSPHRASE,
        keychain=keychain,
    )
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler2"]


def test_full_disk_while_writing_keeps_what_was_saved(small_disk, keychain):
    path = small_disk / "v.crasme"
    create_vault(path, passphrase=PASSPHRASE, keychain=keychain)
    with open_vault(path, keychain=keychain) as vault:
        with vault.unit_of_work() as uow:
            uow.session.add(Person(given_name="Kept", family_name="Safe"))
        with pytest.raises(E.DiskFull) as info:
            for _ in range(100):
                with vault.unit_of_work() as uow:
                    uow.session.add_all(
                        Person(given_name="Filler", notes="y" * 4000) for _ in range(100)
                    )
        assert_one_sentence(info.value.message)
        assert info.value.exit_code == ExitCode.DISK_FULL
    # The vault opens again, is intact, and has every row that was committed.
    with open_vault(path, keychain=keychain) as vault:
        report = vault.doctor()
        with vault.unit_of_work() as uow:
            kept = uow.session.query(Person).filter_by(given_name="Kept").count()
    assert report["integrity_check"] == "ok" and report["cipher_integrity_check"] == "ok"
    assert kept == 1


def test_service_unlock_records_an_audit_event_without_personal_values(created, keychain):
    with vaults.unlock(created.path, keychain=keychain) as vault, vault.unit_of_work() as uow:
        from crasme_desktop.domain.models import AuditEvent

        actions = [e.action for e in uow.session.query(AuditEvent)]
    assert actions == ["vault.unlock:keychain"]
