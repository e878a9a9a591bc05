"""`crasme` against a real Secret Service (gnome-keyring under scripts/with-keyring)."""

from __future__ import annotations

import json

import pytest

SECRET_SERVICE = {"PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"}
KEY_SERVICE = "Crasme Desktop vault key"  # the keychain entry's service name


@pytest.mark.keychain
def test_init_keeps_the_key_in_the_secret_service_and_doctor_unlocks_from_it(
        crasme, vault_path, secret_service_keyring):
    created = json.loads(crasme.ok("init", "--vault", vault_path, "--json",
                                   env=SECRET_SERVICE).stdout)
    try:
        assert created["keychain_used"] is True
        stored = secret_service_keyring.get_password(KEY_SERVICE, created["vault_id"])
        assert stored is not None and len(bytes.fromhex(stored)) == 32

        report = json.loads(crasme.ok("doctor", "--vault", vault_path, "--json",
                                      env=SECRET_SERVICE).stdout)
        assert report["ok"] is True
        assert report["unlocked_with"] == "keychain"
        assert "SecretService" in report["keychain"]["backend"]

        # The same vault without that entry: only the recovery key opens it now.
        secret_service_keyring.delete_password(KEY_SERVICE, created["vault_id"])
        missing = crasme("doctor", "--vault", vault_path, env=SECRET_SERVICE)
        assert missing.returncode == 12, missing.stderr
        crasme.ok("doctor", "--vault", vault_path, "--recovery-key-stdin",
                  input=created["recovery_key"] + "\n", env=SECRET_SERVICE)
    finally:
        if secret_service_keyring.get_password(KEY_SERVICE, created["vault_id"]):
            secret_service_keyring.delete_password(KEY_SERVICE, created["vault_id"])
