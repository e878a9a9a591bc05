"""Retention on a fake clock: what is past its period goes, what is younger stays, a
preview changes nothing, and every run is recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import backups, retention, search
from crasme_desktop.vault import open_vault
from crasme_desktop.vault.backup import list_backups
from tests.support.retention_data import (
    NOW,
    TODAY,
    backdate_people,
    fill,
    ids_in,
    table_counts,
)


@pytest.fixture
def clock():
    return FakeClock(NOW)


@pytest.fixture
def vault(created, keychain, clock):
    with open_vault(created.path, keychain=keychain, clock=clock) as opened:
        yield opened


@pytest.fixture
def aged(vault):
    return fill(vault)


def test_defaults(vault):
    rules = {r.key: r for r in retention.retention_rules(vault)}
    assert [(k, r.months, r.unit, r.enabled) for k, r in rules.items()] == [
        ("activity", 24, "months", True), ("audit", 24, "months", True),
        ("invoices", 84, "months", True), ("backups", 30, "days", True),
        ("inactive_people", 36, "months", False)]
    assert rules["invoices"].period_text == "7 years"


def test_a_preview_counts_and_changes_nothing(vault, aged):
    before = table_counts(vault)
    plan = retention.preview_retention(vault)
    assert plan.today == TODAY and plan.dry_run
    counts = plan.counts
    # The old note and the old done task (the open task stays); the invoice note is young.
    assert counts["activity"] == 2
    assert counts["audit"] == 1
    # old_invoice, credited_old and its credit note; not the held one nor the young one.
    assert counts["invoices"] == 3
    assert counts["inactive_people"] == 0
    assert table_counts(vault) == before
    assert retention.retention_runs(vault) == []


def test_apply_removes_what_is_past_its_period_and_keeps_the_rest(vault, aged):
    plan = retention.apply_retention(vault)
    assert plan.counts["activity"] == 2 and plan.counts["invoices"] == 3

    entries = ids_in(vault, "activity")
    assert aged.old_note not in entries and aged.old_done_task not in entries
    assert {aged.young_note, aged.old_open_task} <= entries
    assert aged.old_attachment not in ids_in(vault, "attachment")
    with vault.engine.connect() as conn:
        contents = conn.exec_driver_sql("SELECT count(*) FROM attachment_content").scalar_one()
        audit_left = set(conn.exec_driver_sql(
            "SELECT id FROM audit_event WHERE id LIKE 'audit-%'").scalars())
        payments = conn.exec_driver_sql("SELECT count(*) FROM payment").scalar_one()
    assert contents == 0
    assert audit_left == {"audit-1"}

    left = ids_in(vault, "invoice")
    assert aged.old_invoice not in left
    assert aged.credited_old not in left and aged.old_credit_note not in left
    # 6 years 11 months: kept; an old invoice credited by a young credit note: kept.
    assert {aged.young_invoice, aged.held_invoice, aged.young_credit_note} == left
    assert payments == 0
    # The search index no longer finds the deleted invoices.
    with vault.engine.connect() as conn:
        indexed = set(conn.exec_driver_sql(
            "SELECT record_id FROM search_doc").scalars())
    assert not {aged.old_invoice, aged.credited_old, aged.old_credit_note} & indexed
    assert aged.young_invoice in indexed

    runs = retention.retention_runs(vault)
    assert [(r.dry_run, r.counts["invoices"]) for r in runs] == [(False, 3)]
    # A second run the same day has nothing left to do and is not due.
    assert retention.run_retention_if_due(vault) is None
    assert retention.preview_retention(vault).total == 0


def test_inactive_people_are_left_alone_by_default_and_only_tagged_when_on(vault, aged):
    backdate_people(vault, aged.jonas)
    before = table_counts(vault)
    retention.apply_retention(vault)
    assert ids_in(vault, "person") == {aged.ada, aged.jonas}
    assert table_counts(vault)["person_tag"] == before["person_tag"] == 0

    retention.set_retention_rule(vault, "inactive_people", 36, True)
    assert retention.preview_retention(vault).counts["inactive_people"] == 1
    plan = retention.apply_retention(vault, today=TODAY + timedelta(days=1))
    assert plan.counts["inactive_people"] == 1
    with vault.engine.connect() as conn:
        tagged = conn.exec_driver_sql(
            "SELECT pt.person_id FROM person_tag pt JOIN tag t ON t.id = pt.tag_id"
            " WHERE t.name = 'Inactive'").scalars().all()
    assert tagged == [aged.jonas]
    assert ids_in(vault, "person") == {aged.ada, aged.jonas}
    # Already tagged: not counted again.
    assert retention.preview_retention(vault).counts["inactive_people"] == 0


def test_rules_can_be_changed_within_limits(vault, aged):
    retention.set_retention_rule(vault, "activity", 120, True)
    retention.set_retention_rule(vault, "audit", 24, False)
    plan = retention.preview_retention(vault)
    assert plan.counts["activity"] == 0 and plan.counts["audit"] == 0
    with pytest.raises(UserError, match="at least 7 years"):
        retention.set_retention_rule(vault, "invoices", 83, True)
    with pytest.raises(UserError, match="cannot be turned off"):
        retention.set_retention_rule(vault, "invoices", 96, False)
    retention.set_retention_rule(vault, "invoices", 96, True)
    assert retention.preview_retention(vault).counts["invoices"] == 0
    # The backups' period is the backup preferences' keep days.
    retention.set_retention_rule(vault, "backups", 45, True)
    assert backups.get_preferences(vault).keep_days == 45
    assert {r.key: r.months for r in retention.retention_rules(vault)}["backups"] == 45


def test_run_if_due_runs_once_a_day(vault, aged, clock):
    first = retention.run_retention_if_due(vault)
    assert first is not None and not first.dry_run
    assert retention.run_retention_if_due(vault) is None
    clock.advance(24 * 3600)
    assert retention.run_retention_if_due(vault) is not None
    assert [r.dry_run for r in retention.retention_runs(vault)] == [False, False]
    assert retention.last_applied(vault) == date(2026, 6, 16)


def test_backups_follow_the_backup_rotation(vault, clock):
    first = backups.make_backup(vault)
    clock.advance(24 * 3600)
    second = backups.make_backup(vault)
    clock.advance(31 * 24 * 3600)
    folder = backups.folder_for(vault)
    plan = retention.preview_retention(vault)
    # The older one goes; the newest checked backup stays whatever its age.
    assert plan.counts["backups"] == 1
    assert {b.path for b in list_backups(folder)} == {first.path, second.path}
    retention.apply_retention(vault)
    assert [b.path for b in list_backups(folder)] == [second.path]


def test_the_search_page_no_longer_finds_a_deleted_invoice(vault, aged):
    with vault.engine.connect() as conn:
        number = conn.exec_driver_sql(
            "SELECT number FROM invoice WHERE id = ?", (aged.old_invoice,)).scalar_one()
    assert _found(vault, number)
    retention.apply_retention(vault)
    assert not _found(vault, number)


def _found(vault, number: str) -> bool:
    results = search.search(vault, number)
    return any(hit.title == number or number in hit.subtitle
               for group in results.groups for hit in group.hits)
