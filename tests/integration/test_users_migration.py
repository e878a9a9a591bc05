"""Migration 0009 (users, roles, audit chain): a 0008 vault upgrades with the five
built-in roles, one active Owner user, and its audit events chained in time order."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

from crasme_desktop.domain.audit_chain import GENESIS
from crasme_desktop.domain.permissions import BUILTIN_ROLES
from crasme_desktop.services import audit, contacts, permissions, users
from crasme_desktop.vault import keyslot_path, migrate, open_vault

DATA = Path(__file__).resolve().parents[1] / "data" / "vaults"
PASSPHRASE = "stored vault passphrase"


def copy_of(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copyfile(DATA / name, target)
    shutil.copyfile(keyslot_path(DATA / name), keyslot_path(target))
    return target


def test_a_0008_vault_gains_roles_an_owner_and_a_chained_audit_trail(tmp_path):
    path = copy_of("schema-0008.crasme", tmp_path)
    with open_vault(path, use_keychain=False, passphrase=PASSPHRASE) as vault:
        with vault.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD >= "0009"
            roles = conn.exec_driver_sql(
                "SELECT id, name, builtin FROM role ORDER BY id").all()
            events = conn.exec_driver_sql(
                "SELECT seq, prev_hash, hash, user_id, at, action FROM audit_event"
                " ORDER BY seq").all()
            custom = conn.exec_driver_sql("SELECT count(*) FROM role_permission").scalar()
        assert [tuple(r) for r in roles] == [
            (rid, name, key) for key, (name, rid, _p) in BUILTIN_ROLES.items()]
        assert custom == 0
        assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
        assert events[0].prev_hash == GENESIS
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert {e.user_id for e in events} == {None}
        assert audit.verify_chain(vault).ok
        listed = users.list_users(vault)
        assert [(u.display_name, u.role_name, u.active) for u in listed] == [
            ("Owner", "Owner", True)]
        assert permissions.actor_of(vault).user_id == listed[0].id
        # The upgraded vault goes on writing to the chain, under its Owner.
        people = contacts.list_people(vault)
        contacts.open_person(vault, people[0].id)
        assert audit.list_events(vault, limit=1)[0].seq == 7
        assert audit.list_events(vault, limit=1)[0].user_id == listed[0].id
        assert audit.verify_chain(vault).entries == 7


def test_the_stored_0009_vault_checks_as_it_was_made(tmp_path):
    path = copy_of("schema-0009.crasme", tmp_path)
    with open_vault(path, use_keychain=False, passphrase=PASSPHRASE) as vault:
        report = audit.verify_chain(vault)
        assert (report.ok, report.entries) == (True, 6)
