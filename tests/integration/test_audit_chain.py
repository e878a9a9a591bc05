"""The audit trail's hash chain: appended in order by every write, checked by
`verify_chain` and `crasme doctor`, which find an entry edited, removed or slipped in
by hand; filtered, key-paged lists; "who saw or changed this person"."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
from crasme_desktop.domain.audit_chain import GENESIS, entry_hash
from crasme_desktop.domain.permissions import BUILTIN_ROLE_IDS, PermissionDenied
from crasme_desktop.domain.validation_records import PersonDraft
from crasme_desktop.services import audit, contacts, permissions, users, vaults
from sqlalchemy import text
from tests.support.sentences import assert_one_sentence


def make_people(vault, n: int = 3) -> list[str]:
    return [contacts.create_person(vault, PersonDraft(given_name="Ada", family_name=f"L{i}")).id
            for i in range(n)]


def trail(vault) -> list[tuple]:
    with vault.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT seq, prev_hash, hash, user_id, action, record_type, record_id"
            " FROM audit_event ORDER BY seq"))]


def raw(vault, sql: str, **params) -> None:
    with vault.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_every_write_appends_the_next_entry_chained_to_the_one_before(vault):
    people = make_people(vault)
    contacts.delete_person(vault, people[0])
    rows = trail(vault)
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0][1] == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after[1] == before[2]
    owner = permissions.actor_of(vault).user_id
    assert owner is not None
    assert {r[3] for r in rows} == {owner}
    assert [r[4] for r in rows][-1] == "person.delete"
    report = audit.verify_chain(vault)
    assert (report.ok, report.entries, report.first_bad_seq) == (True, len(rows), None)


def test_two_events_of_one_transaction_chain_in_order(vault):
    make_people(vault, 1)
    with vault.unit_of_work() as uow:
        audit.add(uow.session, "test.first", "vault", "")
        audit.add(uow.session, "test.second", "vault", "")
    rows = trail(vault)
    assert [r[4] for r in rows[-2:]] == ["test.first", "test.second"]
    assert rows[-1][1] == rows[-2][2]
    assert audit.verify_chain(vault).ok


def test_a_rolled_back_transaction_leaves_no_entry_and_no_gap(vault):
    make_people(vault, 1)
    before = trail(vault)
    with pytest.raises(RuntimeError), vault.unit_of_work() as uow:
        audit.add(uow.session, "test.undone", "vault", "")
        raise RuntimeError("changed my mind")
    assert trail(vault) == before
    make_people(vault, 1)
    assert audit.verify_chain(vault).ok


def test_writers_on_several_threads_keep_one_gapless_chain(vault):
    person = make_people(vault, 1)[0]
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(15):
                contacts.open_person(vault, person)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = trail(vault)
    assert sum(1 for r in rows if r[4] == "person.open") == 60
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert audit.verify_chain(vault).ok


def test_an_edited_entry_is_found_by_its_seq(vault):
    make_people(vault, 4)
    raw(vault, "UPDATE audit_event SET action = 'person.view' WHERE seq = 3")
    report = audit.verify_chain(vault)
    assert (report.ok, report.first_bad_seq, report.problem) == (False, 3, "changed")
    assert report.entries == 2
    assert report.message == "The audit trail was changed: entry 3 is not as it was written."
    assert_one_sentence(report.message)


def test_an_edited_user_or_time_is_found_too(vault):
    make_people(vault, 3)
    raw(vault, "UPDATE audit_event SET user_id = NULL WHERE seq = 2")
    assert audit.verify_chain(vault).first_bad_seq == 2
    raw(vault, "UPDATE audit_event SET user_id = :u WHERE seq = 2",
        u=permissions.actor_of(vault).user_id)
    assert audit.verify_chain(vault).ok
    raw(vault, "UPDATE audit_event SET at = '2020-01-01 00:00:00.000000' WHERE seq = 1")
    assert audit.verify_chain(vault).first_bad_seq == 1


def test_a_deleted_entry_is_found_where_it_is_missing(vault):
    make_people(vault, 4)
    raw(vault, "DELETE FROM audit_event WHERE seq = 2")
    report = audit.verify_chain(vault)
    assert (report.ok, report.first_bad_seq, report.problem) == (False, 2, "missing")
    assert report.message == "The audit trail was changed: entry 2 is missing."
    raw(vault, "DELETE FROM audit_event WHERE seq = 3")
    assert audit.verify_chain(vault).message == (
        "The audit trail was changed: entries 2 to 3 are missing.")


def test_deleting_the_first_entry_is_found(vault):
    make_people(vault, 2)
    raw(vault, "DELETE FROM audit_event WHERE seq = 1")
    report = audit.verify_chain(vault)
    assert (report.ok, report.first_bad_seq, report.problem) == (False, 1, "missing")


def _insert(vault, seq: int, prev: str, digest: str | None = None) -> None:
    at = datetime(2026, 5, 1, 12, 0)
    digest = digest or entry_hash(seq, at, None, "mallory", "person.delete", "person", "x",
                                  prev)
    raw(vault, "INSERT INTO audit_event (id, at, actor, action, record_type, record_id,"
        " user_id, seq, prev_hash, hash) VALUES ('forged', :at, 'mallory', 'person.delete',"
        " 'person', 'x', NULL, :seq, :prev, :hash)",
        at="2026-05-01 12:00:00.000000", seq=seq, prev=prev, hash=digest)


def test_an_inserted_entry_is_found(vault):
    make_people(vault, 3)
    rows = trail(vault)
    _insert(vault, len(rows) + 1, rows[-1][2], digest="0" * 64)
    report = audit.verify_chain(vault)
    assert (report.ok, report.first_bad_seq, report.problem) == (False, len(rows) + 1,
                                                                 "changed")


def test_an_inserted_entry_with_a_good_hash_but_a_made_up_link_is_found(vault):
    make_people(vault, 3)
    n = len(trail(vault))
    _insert(vault, n + 1, "f" * 64)
    report = audit.verify_chain(vault)
    assert (report.ok, report.first_bad_seq, report.problem) == (False, n + 1,
                                                                 "out_of_place")


def test_an_entry_cannot_be_slipped_between_two_others(vault):
    make_people(vault, 3)
    with pytest.raises(Exception, match="UNIQUE"):
        _insert(vault, 2, GENESIS)


def test_an_entry_put_before_the_start_is_found(vault):
    make_people(vault, 2)
    _insert(vault, 0, GENESIS)
    report = audit.verify_chain(vault)
    assert (report.ok, report.first_bad_seq, report.problem) == (False, 0, "out_of_place")


def test_doctor_reports_a_broken_chain_and_is_not_ok(vault):
    make_people(vault, 2)
    healthy = vaults.doctor(vault)
    assert healthy["ok"] is True
    assert healthy["audit_chain"] == {"checked": True, "ok": True, "entries": 2}
    raw(vault, "UPDATE audit_event SET record_id = 'someone-else' WHERE seq = 1")
    report = vaults.doctor(vault)
    assert report["ok"] is False
    assert report["integrity_check"] == "ok"
    assert report["audit_chain"]["first_bad_entry"] == 1
    assert report["audit_chain"]["problem"] == "changed"


def test_retention_trims_the_start_and_the_trail_still_checks(vault):
    make_people(vault, 4)
    raw(vault, "UPDATE audit_event SET at = '2020-01-01 00:00:00.000000' WHERE seq <= 2")
    # the two old entries were edited above: chain them again as if written then
    rows = trail(vault)
    with vault.engine.begin() as conn:
        prev = GENESIS
        for seq, _p, _h, user, action, rtype, rid in rows:
            at = conn.execute(text("SELECT at FROM audit_event WHERE seq = :s"),
                              {"s": seq}).scalar_one()
            actor = conn.execute(text("SELECT actor FROM audit_event WHERE seq = :s"),
                                 {"s": seq}).scalar_one()
            digest = entry_hash(seq, datetime.fromisoformat(at), user, actor, action, rtype,
                                rid, prev)
            conn.execute(text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE seq = :s"),
                         {"p": prev, "h": digest, "s": seq})
            prev = digest
    assert audit.verify_chain(vault).ok
    with vault.unit_of_work() as uow:
        assert audit.prune_before(uow.session, datetime(2024, 1, 1)) == 2
    assert [r[0] for r in trail(vault)] == [3, 4]
    report = audit.verify_chain(vault)
    assert (report.ok, report.entries) == (True, 2)
    make_people(vault, 1)
    assert [r[0] for r in trail(vault)] == [3, 4, 5]
    assert audit.verify_chain(vault).ok
    raw(vault, "DELETE FROM audit_event WHERE seq = 3")
    assert audit.verify_chain(vault).first_bad_seq == 3


def test_opening_a_person_is_recorded_with_ids_only(vault):
    person = contacts.create_person(vault, PersonDraft(given_name="Ada",
                                                        family_name="Lovelace")).id
    assert contacts.get_person(vault, person).family_name == "Lovelace"  # a plain read
    assert contacts.open_person(vault, person).family_name == "Lovelace"
    events = audit.events_for_record(vault, "person", person)
    assert [e.action for e in events] == ["person.open", "person.create"]
    assert events[0].user_name == "Owner"
    with vault.engine.connect() as conn:
        values = " ".join(str(v) for row in conn.execute(text("SELECT * FROM audit_event"))
                          for v in row)
    assert "Ada" not in values and "Lovelace" not in values


def test_who_saw_or_changed_a_person_names_each_user(vault):
    person = make_people(vault, 1)[0]
    clerk = users.add_user(vault, "Carla Clerk", BUILTIN_ROLE_IDS["staff"])
    permissions.act_as(vault, clerk.id)
    contacts.open_person(vault, person)
    contacts.update_person(vault, person, PersonDraft(given_name="Ada", family_name="King"))
    with pytest.raises(PermissionDenied):
        audit.events_for_record(vault, "person", person)  # Staff may not read the trail
    vault.actor = None  # back to the Owner
    events = audit.events_for_record(vault, "person", person)
    assert [(e.action, e.user_name) for e in events] == [
        ("person.update", "Carla Clerk"), ("person.open", "Carla Clerk"),
        ("person.create", "Owner")]


def test_list_events_filters_and_pages_by_key(vault):
    people = make_people(vault, 5)
    clerk = users.add_user(vault, "Carla Clerk", BUILTIN_ROLE_IDS["staff"])
    permissions.act_as(vault, clerk.id)
    contacts.open_person(vault, people[0])
    contacts.open_person(vault, people[1])
    vault.actor = None

    newest = audit.list_events(vault, limit=3)
    assert [e.seq for e in newest] == [8, 7, 6]
    following = audit.list_events(vault, after=newest[-1].seq, limit=3)
    assert [e.seq for e in following] == [5, 4, 3]
    assert [e.seq for e in audit.list_events(vault, after=following[-1].seq)] == [2, 1]

    assert [e.seq for e in audit.list_events(vault, user_id=clerk.id)] == [8, 7]
    assert len(audit.list_events(vault, action="person.create")) == 5
    assert len(audit.list_events(vault, action="person.")) == 7
    assert [e.action for e in audit.list_events(vault, record_type="app_user")] == [
        "user.create"]
    now = datetime.now(UTC)
    assert len(audit.list_events(vault, since=now - timedelta(hours=1))) == 8
    assert audit.list_events(vault, until=now - timedelta(hours=1)) == []
    assert audit.list_events(vault, since=now + timedelta(hours=1)) == []
    with pytest.raises(Exception, match="between 1 and"):
        audit.list_events(vault, limit=0)


def test_a_read_only_user_cannot_list_the_trail(vault):
    reader = users.add_user(vault, "Rita Reader", BUILTIN_ROLE_IDS["read_only"])
    permissions.act_as(vault, reader.id)
    with pytest.raises(PermissionDenied, match=r"Your role \(Read-only\) does not allow "
                                               "viewing the audit trail."):
        audit.list_events(vault)


def _as_before_0009(source, target):
    """A plain whole-vault export rewritten as a version before users and roles wrote it:
    no role or user files, audit events without user, seq or hashes."""
    import hashlib
    import json
    import zipfile

    with zipfile.ZipFile(source) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(files.pop("manifest.json"))
    for table in ("role", "role_permission", "app_user"):
        files.pop(f"data/{table}.json", None)
        manifest["counts"].pop(table, None)
    lines = files["data/audit_event.json"].decode().split("\n")
    out = []
    for line in lines:
        if line.startswith("{"):  # a row; the header line does not parse on its own
            try:
                row = json.loads(line.rstrip(","))
            except ValueError:
                out.append(line)
                continue
            if "seq" in row:
                for key in ("user_id", "seq", "prev_hash", "hash"):
                    row.pop(key)
                line = json.dumps(row) + ("," if line.endswith(",") else "")
        out.append(line)
    files["data/audit_event.json"] = "\n".join(out).encode()
    manifest["files"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                         for n, d in files.items()}
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        for name, data in files.items():
            zf.writestr(name, data)
    return target


def test_an_export_made_before_the_chain_imports_chained_with_the_built_in_roles(
        vault, tmp_path, keychain):
    from crasme_desktop.services import privacy_export
    from crasme_desktop.vault import create_vault, open_vault

    make_people(vault, 3)
    exported = privacy_export.export_vault(vault, tmp_path / "all.zip").path
    old = _as_before_0009(exported, tmp_path / "old.zip")
    made = create_vault(tmp_path / "new" / "new.crasme", passphrase="another passphrase",
                        keychain=keychain)
    with open_vault(made.path, keychain=keychain) as fresh:
        privacy_export.import_export(fresh, old)
        rows = trail(fresh)
        assert [r[4] for r in rows] == ["person.create"] * 3 + ["vault.import_export"]
        assert [r[0] for r in rows] == [1, 2, 3, 4]
        assert audit.verify_chain(fresh).ok
        assert [r.builtin for r in users.list_roles(fresh)] == [
            "owner", "admin", "manager", "staff", "read_only"]
        assert permissions.actor_of(fresh).role_name == "Owner"
