"""Retention: how long records are kept, and the run that deletes what is older.

Rules (defaults; kept in the `setting` table under "privacy.retention", except the
backups' period, which is the backup preferences' "keep days"):

- `activity`: timeline entries (notes, calls, meetings, emails, done tasks) whose
  date is more than 24 months ago, with their attachments and search index entries.
  Open tasks stay until they are done: they are work still to do.
- `audit`: audit events older than 24 months (the trail holds ids only, so deleting
  old events is all there is to it).
- `invoices`: issued invoices and credit notes 7 years (84 months) after their issue
  date, with their lines, tax totals, payments and search entries. The period can be
  made longer, never shorter: the database itself refuses to delete an issued invoice
  younger than seven years (migration 0006). An invoice still credited by a kept
  credit note stays until the credit note goes too.
- `backups`: backup files older than 30 days, the newest checked backup always kept;
  this is the backups' own rotation (`vault.backup.rotate_backups`) with their "keep
  days" preference, so both screens show and change one value.
- `inactive_people`: people with no activity (no timeline entry, quote or invoice,
  no change) for 36 months are tagged "Inactive" for someone to review. Off by
  default; it never deletes anyone (erasing is the Privacy page's Erase…).

`preview_retention` counts what each rule would remove and changes nothing;
`apply_retention` removes it in one transaction and records a `retention_run` (with
the counts), then rotates old backups. `run_retention_if_due` applies the rules once
a day: after unlock and from the app's hourly timer.

Permissions: reading the rules and the runs needs none (they are the office's policy,
shown in the notice, the record of processing and people's reports). Changing a rule,
previewing and applying the rules by hand need `settings`. The daily run applies the
rules the office set, whoever is signed in, so it checks nothing.
"""

from __future__ import annotations

import calendar
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import (
    Activity,
    Attachment,
    AttachmentContent,
    AuditEvent,
    Invoice,
    InvoiceLine,
    InvoiceTaxTotal,
    Payment,
    Person,
    Quote,
    RetentionRun,
    Tag,
    person_tag,
)
from crasme_desktop.domain.progress import Progress
from crasme_desktop.services import audit, permissions, search_index
from crasme_desktop.services import backups as backup_service
from crasme_desktop.services.stored import read_json, write_json
from crasme_desktop.vault import Vault
from crasme_desktop.vault import backup as vault_backup

log = logging.getLogger(__name__)

SETTING_KEY = "privacy.retention"
#: The law asks to keep invoices this long; migration 0006's triggers hold the same.
INVOICE_MIN_MONTHS = 84
INACTIVE_TAG = "Inactive"
CHUNK = 500
RULE_KEYS = ("activity", "audit", "invoices", "backups", "inactive_people")


@dataclass(frozen=True)
class RetentionRule:
    key: str
    title: str
    #: The period, in `unit` (months, or days for backups).
    months: int
    enabled: bool
    unit: str = "months"
    #: The shortest period allowed, and the longest.
    minimum: int = 1
    maximum: int = 600
    #: Whether the rule can be turned off.
    can_disable: bool = True
    #: What the rule does, in one line for the Retention tab.
    description: str = ""

    @property
    def period_text(self) -> str:
        n = self.months
        if self.unit == "days":
            return f"{n} day{'s' if n != 1 else ''}"
        if n % 12 == 0:
            years = n // 12
            return f"{years} year{'s' if years != 1 else ''}"
        return f"{n} month{'s' if n != 1 else ''}"


DEFAULTS: dict[str, RetentionRule] = {
    "activity": RetentionRule(
        "activity", "Timeline entries", 24, True, minimum=1,
        description="Notes, calls, meetings, emails and done tasks older than this are "
                    "deleted with their attachments. Open tasks stay."),
    "audit": RetentionRule(
        "audit", "Audit trail", 24, True, minimum=1,
        description="Audit events (who changed which record, when) older than this are "
                    "deleted."),
    "invoices": RetentionRule(
        "invoices", "Issued invoices", INVOICE_MIN_MONTHS, True, minimum=INVOICE_MIN_MONTHS,
        maximum=1200, can_disable=False,
        description="Issued invoices and credit notes are kept this long after their issue "
                    "date, then deleted with their payments. Never less than 7 years."),
    "backups": RetentionRule(
        "backups", "Backups", 30, True, unit="days", minimum=1, maximum=3650,
        can_disable=False,
        description="Backups older than this are deleted; the newest checked backup always "
                    "stays. The same setting as on the Settings page."),
    "inactive_people": RetentionRule(
        "inactive_people", "Inactive people", 36, False, minimum=6,
        description=f"People with no activity for this long are tagged “{INACTIVE_TAG}” "
                    "for review. Nobody is deleted."),
}


@dataclass(frozen=True)
class PlanItem:
    key: str
    title: str
    enabled: bool
    #: Records (or backup files) older than this date go.
    cutoff: date
    count: int


@dataclass(frozen=True)
class RetentionPlan:
    today: date
    dry_run: bool
    items: list[PlanItem] = field(default_factory=list)
    run_id: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {i.key: i.count for i in self.items}

    @property
    def total(self) -> int:
        return sum(i.count for i in self.items if i.enabled)


@dataclass(frozen=True)
class RunRow:
    id: str
    at: datetime
    dry_run: bool
    counts: dict[str, int]


# --------------------------------------------------------------------------- rules


def retention_rules(vault: Vault) -> list[RetentionRule]:
    """The rules as they stand, with their defaults where nothing was changed."""
    with vault.unit_of_work() as uow:
        stored = _stored(uow.session)
    keep_days = backup_service.get_preferences(vault).keep_days
    return [_rule(key, stored, keep_days) for key in RULE_KEYS]


def set_retention_rule(vault: Vault, key: str, months: int, enabled: bool) -> RetentionRule:
    """Change one rule's period (in its unit: days for backups) and whether it runs."""
    permissions.require(vault, "settings")
    default = _check_rule(key, months, enabled)
    months = int(months)
    if key == "backups":
        prefs = backup_service.get_preferences(vault)
        backup_service.save_preferences(vault, replace(prefs, keep_days=months))
        return replace(default, months=months, enabled=True)
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        stored = _stored(s)
        stored[key] = {"months": months, "enabled": bool(enabled)}
        write_json(s, SETTING_KEY, stored)
        audit.add(s, "setting.update", "setting", SETTING_KEY)
    return replace(default, months=months, enabled=bool(enabled))


def set_retention_rules(vault: Vault, changes: dict[str, tuple[int, bool]]) -> list[RetentionRule]:
    """Change several rules (key -> (period, enabled)); all are checked before any is
    saved. Returns the rules as they now stand."""
    permissions.require(vault, "settings")
    current = {r.key: r for r in retention_rules(vault)}
    for key, (months, enabled) in changes.items():
        _check_rule(key, months, enabled)
    for key, (months, enabled) in changes.items():
        rule = current[key]
        if (rule.months, rule.enabled) != (int(months), bool(enabled)):
            set_retention_rule(vault, key, months, enabled)
    return retention_rules(vault)


def _check_rule(key: str, months: int, enabled: bool) -> RetentionRule:
    if key not in DEFAULTS:
        raise UserError("There is no such retention rule; choose one from the list.")
    default = DEFAULTS[key]
    if not default.minimum <= int(months) <= default.maximum:
        if key == "invoices":
            raise UserError("Issued invoices must be kept at least 7 years (84 months); "
                            "choose 84 months or more.")
        raise UserError(f"Choose a period for “{default.title}” of {default.minimum} to "
                        f"{default.maximum} {default.unit}.")
    if not enabled and not default.can_disable:
        raise UserError(f"The rule for “{default.title}” cannot be turned off; choose a "
                        "longer period instead.")
    return default


# ------------------------------------------------------------------------- running


def preview_retention(vault: Vault, *, today: date | None = None,
                      record: bool = False) -> RetentionPlan:
    """What each rule would delete today; changes nothing (with `record`, the preview
    is noted in the runs as a dry run)."""
    permissions.require(vault, "settings")
    today = today or vault.clock.now().date()
    rules = retention_rules(vault)
    with vault.unit_of_work(immediate=record) as uow:
        s = uow.session
        items = [_plan_item(s, vault, rule, today) for rule in rules]
        run_id = _record_run(s, vault, items, dry_run=True) if record else None
    return RetentionPlan(today=today, dry_run=True, items=items, run_id=run_id)


def apply_retention(vault: Vault, *, today: date | None = None,
                    progress: Progress | None = None) -> RetentionPlan:
    """Delete what the rules say is past its time, in one transaction, and record the
    run; then rotate old backups. The plan returned holds what was removed."""
    permissions.require(vault, "settings")
    return _apply_retention(vault, today=today, progress=progress)


def _apply_retention(vault: Vault, *, today: date | None,
                     progress: Progress | None = None) -> RetentionPlan:
    today = today or vault.clock.now().date()
    if progress is not None:
        progress.update(0, 0, "Removing what is past its retention period")
    rules = retention_rules(vault)
    by_key = {r.key: r for r in rules}
    try:
        with vault.unit_of_work(immediate=True) as uow:
            s = uow.session
            # The run's own audit event first: audit retention never leaves the trail
            # with a lower newest row than before (backups compare with it).
            counts: dict[str, int] = {}
            planned = [_plan_item(s, vault, r, today) for r in rules if r.key != "backups"]
            if any(i.count for i in planned):
                audit.add(s, "retention.apply", "retention_run", "")
                s.flush()
            counts["activity"] = _apply_activity(s, by_key["activity"], today)
            counts["audit"] = _apply_audit(s, by_key["audit"], today)
            counts["invoices"] = _apply_invoices(s, by_key["invoices"], today)
            counts["inactive_people"] = _apply_inactive(s, by_key["inactive_people"], today)
            counts["backups"] = len(_old_backups(vault, by_key["backups"], today))
            items = [
                PlanItem(r.key, r.title, r.enabled, _cutoff(r, today),
                         counts[r.key] if r.enabled else 0)
                for r in rules
            ]
            run_id = _record_run(s, vault, items, dry_run=False)
    except DBAPIError as exc:
        if "seven years" in str(exc.orig):
            raise UserError("An invoice younger than seven years cannot be deleted; check the "
                            "computer's date and try again.") from exc
        raise
    _rotate_backups(vault, by_key["backups"], today)
    return RetentionPlan(today=today, dry_run=False, items=items, run_id=run_id)


def retention_runs(vault: Vault, *, limit: int = 50) -> list[RunRow]:
    """The newest runs first (dry runs included)."""
    with vault.unit_of_work() as uow:
        rows = uow.session.scalars(
            select(RetentionRun).order_by(RetentionRun.at.desc(), RetentionRun.id.desc())
            .limit(limit)
        ).all()
        return [RunRow(r.id, _aware(r.at), r.dry_run, _counts(r.summary)) for r in rows]


def last_applied(vault: Vault) -> date | None:
    """The day of the last run that applied the rules (not a preview)."""
    with vault.unit_of_work() as uow:
        at = uow.session.scalar(
            select(func.max(RetentionRun.at)).where(RetentionRun.dry_run.is_(False)))
    return _aware(at).date() if at is not None else None


def run_retention_if_due(vault: Vault, *, today: date | None = None) -> RetentionPlan | None:
    """Apply the rules if they have not been applied yet today (after unlock, and from
    the hourly timer, so at least daily while the app stays open)."""
    today = today or vault.clock.now().date()
    last = last_applied(vault)
    if last is not None and last >= today:
        return None
    plan = _apply_retention(vault, today=today)
    if plan.total:
        log.info("Retention removed %s", ", ".join(
            f"{i.count} {i.key}" for i in plan.items if i.count))
    return plan


# ------------------------------------------------------------------------ the rules


def subtract_months(day: date, months: int) -> date:
    """`day` minus whole calendar months, clamped to the end of a shorter month."""
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _cutoff(rule: RetentionRule, today: date) -> date:
    if rule.unit == "days":
        return today - timedelta(days=rule.months)
    return subtract_months(today, rule.months)


def _start(day: date) -> datetime:
    return datetime.combine(day, time())


def _plan_item(s: Session, vault: Vault, rule: RetentionRule, today: date) -> PlanItem:
    cutoff = _cutoff(rule, today)
    if rule.key == "backups":
        count = len(_old_backups(vault, rule, today))
    elif rule.key == "activity":
        count = _count(s, Activity, _old_activity(cutoff))
    elif rule.key == "audit":
        count = _count(s, AuditEvent, AuditEvent.at < _start(cutoff))
    elif rule.key == "invoices":
        count = len(_old_invoices(s, cutoff))
    else:
        count = len(_inactive_people(s, cutoff, untagged_only=True))
    return PlanItem(rule.key, rule.title, rule.enabled, cutoff, count if rule.enabled else 0)


def _old_activity(cutoff: date) -> Any:
    open_task = and_(Activity.kind == "task", Activity.done_at.is_(None))
    return and_(Activity.occurred_at < _start(cutoff), ~open_task)


def _apply_activity(s: Session, rule: RetentionRule, today: date) -> int:
    if not rule.enabled:
        return 0
    ids = list(s.scalars(select(Activity.id).where(_old_activity(_cutoff(rule, today)))))
    _delete_activities(s, ids)
    return len(ids)


def _delete_activities(s: Session, ids: list[str]) -> None:
    """Timeline entries with their attachments (bytes too) and any search entries."""
    if "activity" in search_index.KIND_CODES:
        search_index.unindex(s, "activity", ids)
    for chunk in _chunks(ids):
        attachments = list(s.scalars(select(Attachment.id).where(or_(
            Attachment.activity_id.in_(chunk),
            and_(Attachment.subject_kind == "activity", Attachment.subject_id.in_(chunk))))))
        _delete_attachments(s, attachments)
        s.execute(delete(Activity).where(Activity.id.in_(chunk)))


def _delete_attachments(s: Session, ids: list[str]) -> None:
    for chunk in _chunks(ids):
        s.execute(delete(AttachmentContent).where(AttachmentContent.attachment_id.in_(chunk)))
        s.execute(delete(Attachment).where(Attachment.id.in_(chunk)))


def _apply_audit(s: Session, rule: RetentionRule, today: date) -> int:
    if not rule.enabled:
        return 0
    # From the start of the hash chain only, noting where it now starts.
    return audit.prune_before(s, _start(_cutoff(rule, today)))


def _old_invoices(s: Session, cutoff: date) -> list[str]:
    """Issued invoices and credit notes issued before `cutoff`, less those still credited
    by a credit note that stays."""
    rows = s.execute(
        select(Invoice.id, Invoice.credit_of_id)
        .where(Invoice.status != "draft", Invoice.issue_date < cutoff)
    ).all()
    going = {r.id for r in rows}
    if not going:
        return []
    kept_credits = select(Invoice.credit_of_id).where(
        Invoice.credit_of_id.is_not(None),
        or_(Invoice.status == "draft", Invoice.issue_date >= cutoff))
    held = set(s.scalars(kept_credits))
    return sorted(going - held)


def _apply_invoices(s: Session, rule: RetentionRule, today: date) -> int:
    if not rule.enabled:
        return 0
    ids = _old_invoices(s, _cutoff(rule, today))
    if not ids:
        return 0
    search_index.unindex(s, "invoice", ids)
    for chunk in _chunks(ids):
        entries = list(s.scalars(select(Activity.id).where(
            Activity.subject_kind == "invoice", Activity.subject_id.in_(chunk))))
        _delete_activities(s, entries)
        files = list(s.scalars(select(Attachment.id).where(
            Attachment.subject_kind == "invoice", Attachment.subject_id.in_(chunk))))
        _delete_attachments(s, files)
        s.execute(update(Quote).where(Quote.invoice_id.in_(chunk)).values(invoice_id=None))
        s.execute(delete(Payment).where(Payment.invoice_id.in_(chunk)))
    # Credit notes before the invoices they credit (credit_of_id is RESTRICT).
    credit_notes = set(s.scalars(select(Invoice.id).where(
        Invoice.id.in_(ids), Invoice.credit_of_id.is_not(None))))
    for group in (sorted(credit_notes), [i for i in ids if i not in credit_notes]):
        for chunk in _chunks(group):
            s.execute(delete(InvoiceTaxTotal).where(InvoiceTaxTotal.invoice_id.in_(chunk)))
            s.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id.in_(chunk)))
            s.execute(delete(Invoice).where(Invoice.id.in_(chunk)))
    return len(ids)


def _inactive_people(s: Session, cutoff: date, *, untagged_only: bool) -> list[str]:
    since = _start(cutoff)
    q = select(Person.id).where(
        Person.updated_at < since,
        ~exists().where(Activity.person_id == Person.id, Activity.occurred_at >= since),
        ~exists().where(Invoice.customer_person_id == Person.id, Invoice.issue_date >= cutoff),
        ~exists().where(Quote.customer_person_id == Person.id, Quote.issue_date >= cutoff),
    )
    if untagged_only:
        tag_id = _inactive_tag_id(s, create=False)
        if tag_id is not None:
            q = q.where(~exists().where(person_tag.c.person_id == Person.id,
                                        person_tag.c.tag_id == tag_id))
    return list(s.scalars(q))


def _inactive_tag_id(s: Session, *, create: bool) -> str | None:
    key = INACTIVE_TAG.casefold()
    tag_id = s.scalar(select(Tag.id).where(Tag.name_key == key))
    if tag_id is None and create:
        tag = Tag(name=INACTIVE_TAG, name_key=key)
        s.add(tag)
        s.flush()
        tag_id = tag.id
    return tag_id


def _apply_inactive(s: Session, rule: RetentionRule, today: date) -> int:
    if not rule.enabled:
        return 0
    ids = _inactive_people(s, _cutoff(rule, today), untagged_only=True)
    if not ids:
        return 0
    tag_id = _inactive_tag_id(s, create=True)
    for chunk in _chunks(ids):
        s.execute(insert(person_tag), [{"person_id": p, "tag_id": tag_id} for p in chunk])
    return len(ids)


def _old_backups(vault: Vault, rule: RetentionRule, today: date) -> list[Path]:
    try:
        folder = backup_service.folder_for(vault)
        return vault_backup.backups_to_rotate(folder, rule.months, _now_on(vault, today))
    except UserError as exc:
        log.warning("Old backups could not be listed: %s", exc)
        return []


def _rotate_backups(vault: Vault, rule: RetentionRule, today: date) -> None:
    try:
        folder = backup_service.folder_for(vault)
        vault_backup.rotate_backups(folder, rule.months, _now_on(vault, today))
    except UserError as exc:
        log.warning("Old backups were not rotated: %s", exc)


def _now_on(vault: Vault, today: date) -> datetime:
    """The clock's time of day on `today` (today is usually the clock's own date)."""
    now = vault.clock.now().astimezone(UTC)
    return now if now.date() == today else datetime.combine(today, now.timetz())


# ------------------------------------------------------------------------- helpers


def _stored(s: Session) -> dict[str, Any]:
    raw = read_json(s, SETTING_KEY)
    return raw if isinstance(raw, dict) else {}


def _rule(key: str, stored: dict[str, Any], keep_days: int) -> RetentionRule:
    default = DEFAULTS[key]
    if key == "backups":
        return replace(default, months=keep_days)
    raw = stored.get(key)
    if not isinstance(raw, dict):
        return default
    months = raw.get("months", default.months)
    enabled = raw.get("enabled", default.enabled)
    if not isinstance(months, int) or not default.minimum <= months <= default.maximum:
        months = default.months
    if not isinstance(enabled, bool) or not default.can_disable:
        enabled = default.enabled
    return replace(default, months=months, enabled=enabled)


def _record_run(s: Session, vault: Vault, items: list[PlanItem], *, dry_run: bool) -> str:
    summary = {i.key: i.count for i in items}
    run = RetentionRun(at=vault.clock.now().astimezone(UTC).replace(tzinfo=None),
                       dry_run=dry_run, summary=json.dumps(summary, sort_keys=True))
    s.add(run)
    s.flush()
    if dry_run:
        audit.add(s, "retention.preview", "retention_run", run.id)
    return run.id


def _count(s: Session, model: type, where: Any) -> int:
    return s.scalar(select(func.count()).select_from(model).where(where)) or 0


def _counts(summary: str) -> dict[str, int]:
    try:
        raw = json.loads(summary)
    except ValueError:
        return {}
    return {k: v for k, v in raw.items() if isinstance(v, int)} if isinstance(raw, dict) else {}


def _chunks(ids: Iterable[str]) -> Iterator[list[str]]:
    items = list(ids)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
