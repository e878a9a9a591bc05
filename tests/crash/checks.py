"""What the crash test checks after every kill: the worker's log against the vault.

`Ledger` reads the worker's log (see tests/crash/worker.py) as it grows and keeps
what must be in the vault; `check_vault` compares that with the file, opened with
its raw data key straight through SQLCipher, and returns every difference as a
sentence (an empty list: all is well).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crasme_desktop.vault import backup as vault_backup

NUMBER = re.compile(r"^(?P<prefix>.*?)(?P<counter>\d+)$")


@dataclass
class Ledger:
    """What the log says was committed, and the one operation that may be half-way."""

    #: People made by "create" (id -> their work email) and not erased since.
    people: dict[str, str] = field(default_factory=dict)
    erased: set[str] = field(default_factory=set)
    #: The family name of the last committed edit of a person.
    names: dict[str, str] = field(default_factory=dict)
    #: Import tag -> people it created.
    imports: dict[str, int] = field(default_factory=dict)
    #: Invoice id -> its number.
    issued: dict[str, str] = field(default_factory=dict)
    backups: list[str] = field(default_factory=list)
    rekeys: int = 0
    #: The operation begun but not logged as committed when the worker died, if any.
    in_flight: tuple[str, ...] | None = None
    ops: Counter[str] = field(default_factory=Counter)
    kills_in: Counter[str] = field(default_factory=Counter)
    _offset: int = 0

    def read(self, log: Path) -> None:
        """Take in the lines the last worker added (a torn last line is cut off: it
        was not written, so the operation counts as begun at most)."""
        data = log.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            with open(log, "r+b") as fh:
                fh.truncate(end)
        self.in_flight = None
        for line in data[self._offset:end].decode("utf-8").splitlines():
            state, op, *args = line.split(" ")
            if state == "begin":
                self.in_flight = (op, *args)
                continue
            assert state == "committed", line
            self.in_flight = None
            self.ops[op] += 1
            self._apply(op, args)
        self._offset = end
        self.kills_in[self.in_flight[0] if self.in_flight else "between operations"] += 1

    def _apply(self, op: str, args: list[str]) -> None:
        if op == "create":
            self.people[args[0]] = args[1]
        elif op == "update":
            self.names[args[0]] = args[1]
        elif op == "delete":
            self.people.pop(args[0], None)
            self.names.pop(args[0], None)
            self.erased.add(args[0])
        elif op == "import":
            self.imports[args[0]] = int(args[1])
        elif op == "issue":
            self.issued[args[0]] = args[1]
        elif op == "backup":
            self.backups.append(args[0])
        elif op == "rekey":
            self.rekeys += 1

    def settle(self, conn: Any) -> None:
        """Once the vault passed its check, note how the operation in flight ended
        (it happened or it did not), so that later checks hold it to that."""
        if self.in_flight is None:
            return
        op, *args = self.in_flight
        if op == "create":
            row = conn.execute("SELECT person_id FROM person_email WHERE address = ?",
                               (args[0],)).fetchone()
            if row is not None:
                self.people[row[0]] = args[0]
        elif op == "update":
            row = conn.execute("SELECT family_name FROM person WHERE id = ?",
                               (args[0],)).fetchone()
            if row is not None:
                self.names[args[0]] = row[0]
        elif op == "delete":
            if conn.execute("SELECT 1 FROM person WHERE id = ?", (args[0],)).fetchone() is None:
                self._apply("delete", args)
        elif op == "import":
            made = conn.execute("SELECT count(*) FROM person WHERE given_name = 'Imported' "
                                "AND family_name LIKE ?", (f"% {args[0]}",)).fetchone()[0]
            self.imports[args[0]] = made
        elif op == "issue":
            row = conn.execute("SELECT number FROM invoice WHERE id = ?", (args[0],)).fetchone()
            if row is not None and row[0] is not None:
                self.issued[args[0]] = row[0]
        self.in_flight = None

    def doing(self, op: str, *args: str) -> bool:
        """Whether the worker died during `op` (on these arguments, if given)."""
        return self.in_flight is not None and self.in_flight[0] == op and (
            not args or tuple(self.in_flight[1:1 + len(args)]) == args)


def check_vault(conn: Any, ledger: Ledger) -> list[str]:
    """Every way the vault differs from the ledger, as sentences."""
    problems: list[str] = []

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return conn.execute(sql).fetchall()

    integrity = [r[0] for r in rows("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        problems.append(f"integrity_check: {integrity[:5]}")
    cipher = rows("PRAGMA cipher_integrity_check")
    if cipher:
        problems.append(f"cipher_integrity_check: {cipher[:5]}")
    dangling = rows("PRAGMA foreign_key_check")
    if dangling:
        problems.append(f"foreign_key_check: {dangling[:5]}")
    if problems:
        return problems

    # -- people made and edited one at a time
    made = {pid: (given, family) for pid, given, family in rows(
        "SELECT id, given_name, family_name FROM person")}
    emails: dict[str, set[str]] = defaultdict(set)
    for pid, address in rows("SELECT person_id, address FROM person_email"):
        emails[pid].add(address)
    for pid, email in ledger.people.items():
        if pid not in made:
            if not ledger.doing("delete", pid):
                problems.append(f"person {pid} ({email}) was logged as created but is gone")
            continue
        tag = email.split("@")[0]
        if emails[pid] != {email, f"{tag}.home@crash.example"}:
            problems.append(f"person {pid} has the emails {sorted(emails[pid])}, "
                            f"not the two it was created with")
    for pid in ledger.erased & set(made):
        problems.append(f"person {pid} was logged as erased but is still there")
    for pid, name in ledger.names.items():
        if pid in made and made[pid][1] != name and not ledger.doing("update", pid):
            problems.append(f"person {pid} is named {made[pid][1]!r}, but the last logged "
                            f"edit named them {name!r}")
    crash_people = {pid for pid, (given, _) in made.items() if given == "Crash"}
    unlogged = crash_people - set(ledger.people)
    if unlogged:
        allowed = ledger.doing("create") and len(unlogged) == 1 and emails[
            next(iter(unlogged))] >= {ledger.in_flight[1]}  # type: ignore[index]
        if not allowed:
            problems.append(f"{len(unlogged)} people are in the vault but were never logged "
                            f"as created (in flight: {ledger.in_flight})")
    without_email = [pid for pid in made if not emails[pid]]
    if without_email:
        problems.append(f"{len(without_email)} people have no email: half-written")

    # -- imports: all of a file or none of it
    imported: Counter[str] = Counter()
    for _pid, (given, family) in made.items():
        if given == "Imported":
            imported[family.rsplit(" ", 1)[-1]] += 1
    for tag, count in ledger.imports.items():
        if imported[tag] != count:
            problems.append(f"import {tag} was logged with {count} people; "
                            f"the vault has {imported[tag]}")
    for tag, count in imported.items():
        if tag in ledger.imports:
            continue
        if not (ledger.doing("import", tag) and count == int(ledger.in_flight[2])):  # type: ignore[index]
            problems.append(f"import {tag} is in the vault with {count} people but was not "
                            f"logged as committed (in flight: {ledger.in_flight})")

    # -- invoices: logged ones issued with their number, no half-issued one, no gaps
    invoices = {iid: (number, status, series, kind) for iid, number, status, series, kind in rows(
        "SELECT id, number, status, series_id, kind FROM invoice")}
    for iid, number in ledger.issued.items():
        if iid not in invoices:
            problems.append(f"invoice {number} was logged as issued but is gone")
        elif invoices[iid][:2] != (number, "issued"):
            problems.append(f"invoice {iid} was issued as {number} but is now "
                            f"{invoices[iid][:2]}")
    timeline = {sid for (sid,) in rows(
        "SELECT subject_id FROM activity WHERE subject_kind = 'invoice'")}
    totals = {iid for (iid,) in rows("SELECT DISTINCT invoice_id FROM invoice_tax_total")}
    counters = {(series, period): last for series, period, last in rows(
        "SELECT series_id, period, last_value FROM number_counter")}
    numbered: dict[tuple[str, str], list[int]] = defaultdict(list)
    for iid, (number, status, series, _kind) in invoices.items():
        if (number is None) != (status == "draft"):
            problems.append(f"invoice {iid} has status {status} and number {number!r}")
            continue
        if number is None:
            continue
        if iid not in ledger.issued and not ledger.doing("issue", iid):
            problems.append(f"invoice {number} is issued but was never logged")
        if iid not in timeline or iid not in totals:
            problems.append(f"invoice {number} is issued without its timeline entry or "
                            "tax totals: half-written")
        match = NUMBER.match(number)
        assert match, number
        numbered[(series, match["prefix"])].append(int(match["counter"]))
    for (series, prefix), values in numbered.items():
        values.sort()
        if values != list(range(1, len(values) + 1)):
            holes = sorted(set(range(1, max(values) + 1)) - set(values))
            doubles = [v for v, n in Counter(values).items() if n > 1]
            problems.append(f"numbers {prefix}… are not gapless: missing {holes[:10]}, "
                            f"twice {doubles[:10]}")
        period = next((p for (s, p) in counters if s == series and p in prefix), None)
        if period is not None and counters[(series, period)] != len(values):
            problems.append(f"the counter of {prefix}… stands at {counters[(series, period)]} "
                            f"but {len(values)} numbers were given")
    return problems


def check_backup_folder(folder: Path, ledger: Ledger, verified: set[str],
                        check: Any) -> list[str]:
    """Backups are whole and checked, or not there: every visible backup has its
    manifest and passes `check(path)` (-> BackupCheck); every logged one is there;
    nothing visible is left of one that was not finished."""
    problems: list[str] = []
    if not folder.exists():
        return problems
    listed = vault_backup.list_backups(folder)
    names = {info.name for info in listed}
    for info in listed:
        if not info.has_manifest:
            problems.append(f"backup {info.name} is listed without its manifest")
        if info.name in verified:
            continue
        result = check(info.path)
        if not result.ok:
            problems.append(f"backup {info.name} fails its check: {result.problems}")
        verified.add(info.name)
    for name in ledger.backups:
        if name not in names and name in verified:
            continue  # pruned by the test after it was checked
        if name not in names:
            problems.append(f"backup {name} was logged as made but is not listed")
    # A kill between writing a backup's manifest and key slots and renaming the backup
    # itself into place leaves those two behind; they are never listed (checked above)
    # and the next backup sweeps them. Anything else without its backup is a problem.
    for path in folder.iterdir():
        if path.name.startswith("."):
            continue
        owner = path.name.removesuffix(".json").removesuffix(".keys")
        if owner == path.name or (folder / owner).exists():
            continue
        named = vault_backup._NAME.match(owner.removesuffix(".crasme"))
        vault_of = folder / f"{named['stem'] if named else owner}.crasme"
        if path not in vault_backup.sweep_leftovers(folder, vault_of):
            problems.append(f"{path.name} is left of a backup that was never finished")
        elif owner == path.name and path.name not in names:
            problems.append(f"{path.name} is in the backup folder but is no backup")
    return problems


def prune_backups(folder: Path, keep: int) -> None:
    """Delete all but the newest `keep` backups (the test's own housekeeping, so that
    checking stays quick however many kills run)."""
    for info in vault_backup.list_backups(folder)[keep:]:
        for path in (info.path, *vault_backup._companions(info.path)):
            path.unlink(missing_ok=True)
