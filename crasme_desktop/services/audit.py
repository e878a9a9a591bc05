"""The audit trail: who did what, when, to which record. Never personal values.

Every event holds the app user who acted (`user_id`, from `vault.actor`, see
`services.permissions`), the computer account (`actor`), a fixed action word
("person.update", "contacts.export", "person.open"), a record type and a record id.
Nothing else: no names, no addresses, no text someone typed.

The trail is hash-chained (`domain.audit_chain`). `add` appends inside the caller's
transaction: it reads the newest entry from the database (never from memory) and
inserts the next `seq` with its hash at once, so two events of one transaction chain
in order. SQLite lets one writer at a time commit and refuses a write made on a stale
snapshot (the unit of work turns that into "try again"), and `seq` is unique, so two
writers can never both append entry n.

`verify_chain` walks the trail in `seq` order and names the first entry that was
edited, removed or slipped in; `crasme doctor` reports it. Retention removes old
events only from the start of the trail (`prune_before`) and keeps where the trail
now starts (seq and previous hash) in the setting `audit.chain_start`, so a
trimmed trail still checks and entries cut from its start by hand are still found.

Reading the trail (`list_events`, `events_for_record`, `filter_choices`) needs the
`audit.view` permission; `export_events` writes the filtered trail to CSV and needs
`export` too, and an export of the trail is itself an event of the trail.
"""

from __future__ import annotations

import csv
import getpass
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from crasme_desktop.domain.audit_chain import GENESIS, entry_hash
from crasme_desktop.domain.clock import SYSTEM_CLOCK, as_utc
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.ids import new_id
from crasme_desktop.domain.models import AppUser, AuditEvent
from crasme_desktop.domain.progress import Progress
from crasme_desktop.services import permissions
from crasme_desktop.services.stored import read_json, write_json
from crasme_desktop.vault import Vault

_ALLOWED_DETAIL = {"keychain", "passphrase", "recovery", "user", "user-keychain", ""}

#: Where a trimmed trail starts: {"seq": first kept seq, "prev_hash": its prev hash}.
CHAIN_START_KEY = "audit.chain_start"
#: Most events one page of `list_events` returns.
MAX_PAGE = 1000
_VERIFY_BATCH = 2000


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    user_id: str | None
    user_name: str  # the user's display name now ("" when unknown or removed)
    actor: str
    action: str
    record_type: str
    record_id: str


@dataclass(frozen=True)
class ChainReport:
    """The outcome of `verify_chain`: `ok`, how many entries were checked, and for a
    broken chain the first bad `seq`, what is wrong with it and one sentence."""

    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str = ""  # "changed", "missing", "out_of_place" or ""
    message: str = ""


def current_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return ""


# ------------------------------------------------------------------------- writing


def add(session: Session, action: str, record_type: str = "", record_id: str = "") -> None:
    """Append an event inside the caller's transaction, chained to the newest entry."""
    vault = session.info.get("vault")
    acting = permissions.actor_in(session)
    clock = vault.clock if vault is not None else SYSTEM_CLOCK
    at = as_utc(clock.now()).replace(tzinfo=None)
    seq, prev = _head(session)
    seq += 1
    user_id = acting.user_id if acting is not None else None
    actor = current_actor()
    session.execute(insert(AuditEvent).values(
        id=new_id(), at=at, actor=actor, action=action, record_type=record_type,
        record_id=record_id, user_id=user_id, seq=seq, prev_hash=prev,
        hash=entry_hash(seq, at, user_id, actor, action, record_type, record_id, prev)))


def _head(session: Session) -> tuple[int, str]:
    """The newest entry's seq and hash (or where a trimmed, empty trail goes on)."""
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    if row is not None:
        return int(row.seq), str(row.hash)
    start = _chain_start(session)
    return start[0] - 1, start[1]


def _chain_start(session: Session) -> tuple[int, str]:
    raw = read_json(session, CHAIN_START_KEY)
    if isinstance(raw, dict) and isinstance(raw.get("seq"), int) \
            and isinstance(raw.get("prev_hash"), str):
        return raw["seq"], raw["prev_hash"]
    return 1, GENESIS


def record(vault: Vault, action: str, *, detail: str = "") -> None:
    """Record a vault-level event in its own transaction (detail is a fixed word, not data)."""
    if detail not in _ALLOWED_DETAIL:
        raise ValueError("audit detail must be a fixed word")
    record_read(vault, action + (f":{detail}" if detail else ""), "vault", "")


def record_read(vault: Vault, action: str, record_type: str, record_id: str) -> None:
    """Record an event in a transaction of its own that takes the write lock first
    (waiting its turn): for a sensitive read, whose reading transaction wrote nothing,
    so appending there could meet a snapshot another writer made stale."""
    with vault.unit_of_work(immediate=True) as uow:
        add(uow.session, action, record_type, record_id)


def prune_before(session: Session, cutoff: datetime) -> int:
    """Remove the events older than `cutoff` from the start of the trail (retention);
    an older event after a newer one (the clock was set back) stays, so the trail keeps
    no holes. Returns how many went."""
    first_kept = session.execute(
        select(func.min(AuditEvent.seq)).where(AuditEvent.at >= cutoff)).scalar()
    if first_kept is None:
        head_seq, head_hash = _head(session)
        first_kept, prev = head_seq + 1, head_hash
    else:
        prev = session.execute(
            select(AuditEvent.prev_hash).where(AuditEvent.seq == first_kept)).scalar_one()
    result = session.execute(delete(AuditEvent).where(AuditEvent.seq < first_kept))
    gone = int(result.rowcount or 0)
    if gone:
        write_json(session, CHAIN_START_KEY, {"seq": int(first_kept), "prev_hash": prev})
    return gone


def unchained(rows: list[dict[str, object]], start: int) -> list[dict[str, object]]:
    """Rows of an export made before the chain (schema 0009), made insertable: a
    placeholder `seq` below zero (unique) and no hashes, until `chain_unchained`."""
    return [{**row, "user_id": None, "seq": -(start + i + 1), "prev_hash": "", "hash": ""}
            for i, row in enumerate(rows)]


def chain_unchained(session: Session) -> int:
    """Chain the events `unchained` put in, in time order, before any chained ones
    (only an import of an old export makes them; it runs in the import's transaction).
    Returns how many were chained."""
    loose = list(session.scalars(
        select(AuditEvent).where(AuditEvent.seq < 0)
        .order_by(AuditEvent.at, AuditEvent.seq.desc())))
    if not loose:
        return 0
    if session.scalar(select(func.count()).select_from(AuditEvent)
                      .where(AuditEvent.seq > 0)):
        raise ValueError("old events can only be chained into an empty trail")
    prev = GENESIS
    for seq, event in enumerate(loose, start=1):
        event.seq, event.prev_hash = seq, prev
        event.hash = prev = entry_hash(seq, event.at, None, event.actor, event.action,
                                       event.record_type, event.record_id, prev)
    session.flush()
    return len(loose)


# ------------------------------------------------------------------------- checking


def verify_chain(vault: Vault) -> ChainReport:
    """Walk the whole trail in order; the first entry that does not check names what
    was done to it. Reads in batches, so a long trail costs little memory."""
    with vault.unit_of_work() as uow:
        s = uow.session
        expected_seq, expected_prev = _chain_start(s)
        checked = 0
        for row in _rows_in_order(s):
            if row.seq != expected_seq:
                if row.seq < expected_seq:  # only before the recorded start of the trail
                    return _broken(row.seq, "out_of_place", checked,
                                   f"Audit entry {row.seq} lies before where the trail "
                                   "starts; it was added by hand.")
                missing = (f"entry {expected_seq} is" if row.seq == expected_seq + 1 else
                           f"entries {expected_seq} to {row.seq - 1} are")
                return _broken(expected_seq, "missing", checked,
                               f"The audit trail was changed: {missing} missing.")
            digest = entry_hash(row.seq, row.at, row.user_id, row.actor, row.action,
                                row.record_type, row.record_id, row.prev_hash)
            if digest != row.hash:
                return _broken(row.seq, "changed", checked,
                               f"The audit trail was changed: entry {row.seq} is not "
                               "as it was written.")
            if row.prev_hash != expected_prev:
                return _broken(row.seq, "out_of_place", checked,
                               f"The audit trail was changed: entry {row.seq} does not "
                               "follow the entry before it.")
            checked += 1
            expected_seq, expected_prev = row.seq + 1, row.hash
    return ChainReport(True, checked)


def _broken(seq: int, problem: str, checked: int, message: str) -> ChainReport:
    return ChainReport(False, checked, seq, problem, message)


def _rows_in_order(s: Session) -> Iterator[AuditEvent]:
    last: int | None = None
    while True:
        query = select(AuditEvent).order_by(AuditEvent.seq).limit(_VERIFY_BATCH)
        if last is not None:
            query = query.where(AuditEvent.seq > last)
        batch = list(s.scalars(query))
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
        s.expunge_all()


# ------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class AuditFilter:
    """Which events a list or an export holds; None (or "") leaves a field out.
    `action` ending in "." matches every action of an area ("person."); `since` is
    inclusive, `until` exclusive; `record_id` needs no `record_type`."""

    user_id: str | None = None
    action: str | None = None
    record_type: str | None = None
    record_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditChoices:
    """What the trail holds to filter by: its action words and record types, sorted."""

    actions: tuple[str, ...]
    record_types: tuple[str, ...]


@dataclass(frozen=True)
class AuditExport:
    path: Path
    count: int  # events written


def list_events(
    vault: Vault,
    *,
    user_id: str | None = None,
    action: str | None = None,
    record_type: str | None = None,
    record_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: int | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """Events newest first, filtered (see `AuditFilter`); page on by passing the last
    `seq` shown as `after`. Needs the `audit.view` permission."""
    permissions.require(vault, "audit.view")
    if not 1 <= limit <= MAX_PAGE:
        raise UserError(f"Show between 1 and {MAX_PAGE} audit entries at a time.")
    query = _filtered(select(AuditEvent), AuditFilter(
        user_id, action, record_type, record_id, since, until))
    if after is not None:
        query = query.where(AuditEvent.seq < after)
    return _entries(vault, query.order_by(AuditEvent.seq.desc()).limit(limit))


def _filtered(query: Select[Any], where: AuditFilter) -> Select[Any]:
    if where.user_id is not None:
        query = query.where(AuditEvent.user_id == where.user_id)
    if where.action:
        action = where.action
        query = query.where(AuditEvent.action.startswith(action, autoescape=True)
                            if action.endswith(".") else AuditEvent.action == action)
    if where.record_type is not None:
        query = query.where(AuditEvent.record_type == where.record_type)
    if where.record_id:
        query = query.where(AuditEvent.record_id == where.record_id)
    if where.since is not None:
        query = query.where(AuditEvent.at >= as_utc(where.since).replace(tzinfo=None))
    if where.until is not None:
        query = query.where(AuditEvent.at < as_utc(where.until).replace(tzinfo=None))
    return query


def filter_choices(vault: Vault) -> AuditChoices:
    """The action words and record types the trail holds (for the Audit page's filters)."""
    permissions.require(vault, "audit.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        actions = s.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
        types = s.scalars(select(AuditEvent.record_type).distinct()
                          .where(AuditEvent.record_type != "")
                          .order_by(AuditEvent.record_type))
        return AuditChoices(tuple(actions), tuple(types))


#: The columns of an exported trail, in order (a machine format: ids, UTC times, the
#: chain's hashes, so the file can be checked on its own).
EXPORT_COLUMNS = ("seq", "at_utc", "user_id", "user_name", "computer_account", "action",
                  "record_type", "record_id", "prev_hash", "hash")


def export_events(vault: Vault, path: Path | str, where: AuditFilter | None = None,
                  progress: Progress | None = None) -> AuditExport:
    """Write the events `where` selects, oldest first, to `path` as CSV (UTF-8, comma,
    a header row; times in ISO 8601 UTC). Needs `audit.view` and `export`, and is
    itself recorded ("audit.export"). The file appears whole or not at all."""
    from crasme_desktop.services.contacts_export import replacing_file  # imports this module

    permissions.require(vault, "audit.view")
    permissions.require(vault, "export")
    where = where or AuditFilter()
    progress = progress or Progress()
    target = Path(path)
    with vault.unit_of_work() as uow:
        total = int(uow.session.scalar(
            _filtered(select(func.count()).select_from(AuditEvent), where)) or 0)
    progress.update(0, total)
    done, last = 0, None
    with replacing_file(target) as file:
        text = io.TextIOWrapper(file, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        while True:
            progress.check()
            rows = _export_batch(vault, where, last)
            if not rows:
                break
            writer.writerows(rows)
            done += len(rows)
            last = int(rows[-1][0])
            progress.update(min(done, total), total)
        text.flush()
        text.detach()  # the file itself is flushed, synced and moved into place after
    record_read(vault, "audit.export", "audit_event", "")
    return AuditExport(target, done)


def _export_batch(vault: Vault, where: AuditFilter, after: int | None) -> list[list[str]]:
    query = _filtered(select(AuditEvent), where)
    if after is not None:
        query = query.where(AuditEvent.seq > after)
    with vault.unit_of_work() as uow:
        s = uow.session
        events = list(s.scalars(query.order_by(AuditEvent.seq).limit(_VERIFY_BATCH)))
        ids = {e.user_id for e in events if e.user_id}
        names = dict(s.execute(select(AppUser.id, AppUser.display_name)
                               .where(AppUser.id.in_(ids))).all()) if ids else {}
        return [[str(e.seq), e.at.isoformat() + "Z", e.user_id or "",
                 names.get(e.user_id or "", ""), e.actor, e.action, e.record_type,
                 e.record_id, e.prev_hash, e.hash] for e in events]


def events_for_record(vault: Vault, record_type: str, record_id: str, *,
                      limit: int = 500) -> list[AuditEntry]:
    """Who saw or changed one record, newest first (a person's "who saw this")."""
    permissions.require(vault, "audit.view")
    query = (select(AuditEvent)
             .where(AuditEvent.record_type == record_type, AuditEvent.record_id == record_id)
             .order_by(AuditEvent.seq.desc()).limit(limit))
    return _entries(vault, query)


def _entries(vault: Vault, query: object) -> list[AuditEntry]:
    with vault.unit_of_work() as uow:
        rows = list(uow.session.scalars(query))  # type: ignore[call-overload]
        ids = {r.user_id for r in rows if r.user_id}
        names = {i: n for i, n in uow.session.execute(
            select(AppUser.id, AppUser.display_name).where(AppUser.id.in_(ids)))} if ids else {}
        return [AuditEntry(r.seq, r.at.replace(tzinfo=UTC), r.user_id,
                           names.get(r.user_id or "", ""), r.actor, r.action, r.record_type,
                           r.record_id) for r in rows]
