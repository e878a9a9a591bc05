"""Creating and opening a vault on real SQLCipher files."""

from __future__ import annotations

import stat

import pytest
from crasme_desktop.domain.models import Person
from crasme_desktop.vault import Keychain, describe_vault, keyslot_path, open_vault
from crasme_desktop.vault.errors import VaultInUse
from crasme_desktop.vault.unlock import NO_KEYCHAIN_NOTICE
from sqlalchemy import text
from tests.integration.conftest import PASSPHRASE
from tests.support.sentences import assert_one_sentence


def test_new_vault_is_encrypted_private_and_migrated(created, keychain):
    head = created.path.read_bytes()[:16]
    assert head != b"SQLite format 3\x00"
    assert stat.S_IMODE(created.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keyslot_path(created.path).stat().st_mode) == 0o600
    assert created.keychain_used
    with open_vault(created.path, keychain=keychain) as vault:
        assert vault.key_source == "keychain"
        report = vault.doctor()
    assert report["cipher"]["sqlcipher_version"].startswith("4.")
    assert report["integrity_check"] == "ok"
    assert report["cipher_integrity_check"] == "ok"
    assert report["schema_version"] == report["schema_head"]


def test_every_connection_gets_the_pragmas(created, keychain):
    with open_vault(created.path, keychain=keychain) as vault:
        conns = [vault.engine.connect() for _ in range(3)]  # three distinct pooled connections
        try:
            for conn in conns:
                values = {
                    name: conn.execute(text(f"PRAGMA {name}")).scalar()
                    for name in (
                        "foreign_keys",
                        "journal_mode",
                        "synchronous",
                        "secure_delete",
                        "temp_store",
                        "busy_timeout",
                    )
                }
                assert values == {
                    "foreign_keys": 1,
                    "journal_mode": "wal",
                    "synchronous": 2,
                    "secure_delete": 1,
                    "temp_store": 2,
                    "busy_timeout": 5000,
                }
        finally:
            for conn in conns:
                conn.close()


def test_unlock_order_keychain_then_passphrase_then_recovery(created, keychain, file_keyring):
    # The keychain wins even when a (wrong) passphrase is offered: it is tried first.
    with open_vault(created.path, keychain=keychain, passphrase="not the passphrase") as v:
        assert v.key_source == "keychain"
    keychain.delete(created.vault_id)
    with open_vault(
        created.path, keychain=keychain, passphrase=PASSPHRASE, recovery_key=created.recovery_key
    ) as v:
        assert v.key_source == "passphrase"
    with open_vault(
        created.path,
        keychain=keychain,
        passphrase="wrong passphrase",
        recovery_key=created.recovery_key,
    ) as v:
        assert v.key_source == "recovery"


def test_recovery_key_accepts_what_people_type(created):
    typed = created.recovery_key.lower().replace("-", " ")
    with open_vault(created.path, use_keychain=False, recovery_key=typed) as v:
        assert v.key_source == "recovery"


def test_remember_in_keychain_after_passphrase_unlock(created, keychain):
    keychain.delete(created.vault_id)
    with open_vault(
        created.path, keychain=keychain, passphrase=PASSPHRASE, remember_in_keychain=True
    ):
        pass
    assert describe_vault(created.path, keychain).keychain_has_key
    with open_vault(created.path, keychain=keychain) as v:
        assert v.key_source == "keychain"


def test_data_survives_close_and_reopen(created, keychain):
    with open_vault(created.path, keychain=keychain) as vault, vault.unit_of_work() as uow:
        uow.session.add(Person(given_name="Ada", family_name="Kühnemann"))
    with open_vault(created.path, keychain=keychain) as vault, vault.unit_of_work() as uow:
        names = [p.family_name for p in uow.session.query(Person)]
    assert names == ["Kühnemann"]


def test_lock_disposes_engine_and_overwrites_key(created, keychain):
    vault = open_vault(created.path, keychain=keychain)
    key_buffer = vault._key
    assert any(key_buffer)
    vault.close()
    assert vault.closed
    assert not any(key_buffer), "the key bytes must be overwritten on lock"
    with pytest.raises(Exception, match="locked"):
        vault.unit_of_work()
    # The file lock is released: the vault opens again.
    with open_vault(created.path, keychain=keychain) as again:
        assert not again.closed


def test_unlocking_again_reuses_the_engine_but_not_the_key(created, keychain):
    first = open_vault(created.path, keychain=keychain)
    engine = first.engine
    with first.unit_of_work() as uow:
        uow.session.execute(text("SELECT 1"))
    first.close()
    # Locked: nothing pooled, and the engine refuses to open a connection.
    assert engine.pool.checkedin() == 0
    with pytest.raises(Exception, match="locked"):
        engine.connect()
    with open_vault(created.path, keychain=keychain) as second:
        assert second.engine is engine
        with second.unit_of_work() as uow:
            assert uow.session.execute(text("SELECT count(*) FROM person")).scalar() == 0


def test_second_open_is_refused_with_a_sentence(created, keychain, unchanged):
    with open_vault(created.path, keychain=keychain):
        check = unchanged(created.path)
        with pytest.raises(VaultInUse) as err:
            open_vault(created.path, keychain=keychain)
        check()
    assert err.value.exit_code == 24
    assert_one_sentence(err.value.message)
    assert "already open" in err.value.message


def test_stale_lock_from_a_dead_process_is_taken_over(created, keychain):
    lock = created.path.with_name(created.path.name + ".lock")
    lock.write_text("process 999999 on elsewhere, since 2020-01-01 00:00 UTC")
    with open_vault(created.path, keychain=keychain) as v:
        assert v.key_source == "keychain"
        assert f"process {__import__('os').getpid()}" in lock.read_text()


def test_no_keychain_falls_back_to_passphrase_and_says_so(created):
    from keyring.backends import fail

    with open_vault(created.path, keychain=Keychain(fail.Keyring()), passphrase=PASSPHRASE) as v:
        assert v.key_source == "passphrase"
        assert v.notices == (NO_KEYCHAIN_NOTICE,)
    assert_one_sentence(NO_KEYCHAIN_NOTICE)


def test_describe_reads_no_secret(created, keychain):
    d = describe_vault(created.path, keychain)
    assert (d.exists, d.has_passphrase, d.has_recovery, d.keychain_has_key) == (
        True,
        True,
        True,
        True,
    )
    assert d.vault_id == created.vault_id
    missing = describe_vault(created.path.with_name("nope.crasme"), keychain)
    assert not missing.exists
