"""`crasme doctor` checks the audit trail's hash chain: an entry edited by hand fails
the check with one sentence naming it, and exit code 27."""

from __future__ import annotations

import json

from crasme_desktop.vault import open_vault
from sqlalchemy import text
from tests.support.cli_runner import PASSPHRASE


def test_doctor_names_the_edited_audit_entry_and_fails(crasme, vault_path):
    crasme.ok("init", "--vault", vault_path, "--passphrase-stdin", input=PASSPHRASE + "\n")
    crasme.ok("demo", "--vault", vault_path, "--contacts", "20")
    healthy = json.loads(crasme.ok("doctor", "--vault", vault_path, "--json").stdout)
    assert healthy["ok"] is True
    assert healthy["audit_chain"]["ok"] is True and healthy["audit_chain"]["entries"] > 3

    with open_vault(vault_path, use_keychain=False, passphrase=PASSPHRASE) as vault, \
            vault.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET action = 'person.view' WHERE seq = 3"))

    result = crasme("doctor", "--vault", vault_path)
    assert result.returncode == 27, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"The audit trail was changed: entry 3 is not as it was written (vault {vault_path}); "
        "keep this copy as evidence and compare it with a backup.")
    report = json.loads(crasme("doctor", "--vault", vault_path, "--json").stdout)
    assert report["ok"] is False
    assert report["audit_chain"]["first_bad_entry"] == 3
