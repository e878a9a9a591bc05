"""The keychain against a real Secret Service (gnome-keyring on a private D-Bus)."""

from __future__ import annotations

import pytest
from crasme_desktop.vault import Keychain, create_vault, describe_vault, open_vault
from crasme_desktop.vault import errors as E
from tests.integration.conftest import PASSPHRASE

pytestmark = pytest.mark.keychain


def test_real_keychain_holds_the_key_and_unlocks_without_typing(tmp_path, secret_service_keyring):
    keychain = Keychain(secret_service_keyring)
    assert keychain.available
    path = tmp_path / "office.crasme"
    created = create_vault(path, passphrase=PASSPHRASE, keychain=keychain)
    try:
        assert created.keychain_used
        stored = keychain.get(created.vault_id)
        assert stored is not None and len(stored) == 32
        assert describe_vault(path, keychain).keychain_has_key
        with open_vault(path, keychain=keychain) as vault:
            assert vault.key_source == "keychain"
            recovery = vault.rekey(PASSPHRASE)
        assert keychain.get(created.vault_id) != stored
        assert keychain.get(created.vault_id, pending=True) is None
        with open_vault(path, keychain=keychain) as vault:
            assert vault.key_source == "keychain"
        # Entry missing: a clear error, and the passphrase or recovery key still works.
        keychain.delete(created.vault_id)
        assert keychain.get(created.vault_id) is None
        with pytest.raises(E.KeyUnavailable):
            open_vault(path, keychain=keychain)
        with open_vault(
            path, keychain=keychain, recovery_key=recovery, remember_in_keychain=True
        ) as vault:
            assert vault.key_source == "recovery"
        with open_vault(path, keychain=keychain) as vault:
            assert vault.key_source == "keychain"
    finally:
        keychain.delete(created.vault_id)
        keychain.delete(created.vault_id, pending=True)
