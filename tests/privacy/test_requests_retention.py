"""Promises of the notice about the requests register and retention, each proved on a
real vault with a fake clock (see tests/support/retention_data.py for the ages)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import (
    backups,
    dashboard,
    privacy_erase,
    privacy_export,
    privacy_requests,
    retention,
)
from crasme_desktop.vault.backup import list_backups
from tests.support.retention_data import NOW, TODAY, backdate_people, fill, ids_in, table_counts


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def aged(vault):
    return fill(vault)


@pytest.mark.promise("requests-register")
def test_exports_and_erasures_enter_the_register_and_late_ones_reach_the_dashboard(
        vault, aged, tmp_path):
    privacy_requests.open_request(vault, "objection", aged.jonas,
                                  received_on=TODAY - timedelta(days=40))
    privacy_export.export_person(vault, aged.ada, tmp_path / "ada.zip")
    preview = privacy_erase.erase_preview(vault, aged.jonas)
    assert not [b for b in preview.blockers if b.refuses]
    privacy_erase.erase_person(vault, aged.jonas,
                               confirmation=privacy_erase.confirmation_for("Jonas Kühnemann"))
    rows = privacy_requests.list_requests(vault)
    by_kind = {r.kind: r for r in rows}
    assert (by_kind["access"].status, by_kind["access"].person_id,
            by_kind["access"].done_on) == ("done", aged.ada, TODAY)
    # The erased person's requests keep their kind and dates, not their name.
    assert (by_kind["erasure"].status, by_kind["erasure"].person_id,
            by_kind["erasure"].subject_label) == ("done", None, "")
    objection = by_kind["objection"]
    assert objection.due_on == date(2026, 6, 6)  # received 6 May, due one month later
    assert objection.is_late(TODAY)
    figures = dashboard.summary(vault)
    assert (figures.requests_late, figures.requests_due_soon) == (1, 0)


@pytest.mark.promise("retention-activity")
def test_timeline_entries_go_after_24_months_with_their_attachments(vault, aged):
    assert retention.retention_rules(vault)[0].months == 24
    retention.apply_retention(vault)
    entries = ids_in(vault, "activity")
    assert aged.old_note not in entries and aged.old_done_task not in entries
    assert aged.young_note in entries and aged.old_open_task in entries
    assert aged.old_attachment not in ids_in(vault, "attachment")


@pytest.mark.promise("retention-audit")
def test_audit_events_go_after_24_months(vault, aged):
    retention.apply_retention(vault)
    with vault.engine.connect() as conn:
        cutoff = (TODAY.replace(year=TODAY.year - 2)).isoformat()
        older = conn.exec_driver_sql(
            "SELECT count(*) FROM audit_event WHERE at < ?", (cutoff,)).scalar_one()
        kept = conn.exec_driver_sql(
            "SELECT id FROM audit_event WHERE id LIKE 'audit-%'").scalars().all()
    assert older == 0
    assert kept == ["audit-1"]


@pytest.mark.promise("retention-invoices")
def test_issued_invoices_stay_seven_years_then_go(vault, aged):
    with pytest.raises(UserError, match="at least 7 years"):
        retention.set_retention_rule(vault, "invoices", 83, True)
    retention.apply_retention(vault, today=TODAY - timedelta(days=2))
    assert aged.old_invoice in ids_in(vault, "invoice")  # not yet seven years
    retention.apply_retention(vault)
    left = ids_in(vault, "invoice")
    assert aged.old_invoice not in left
    assert aged.young_invoice in left  # 6 years 11 months


@pytest.mark.promise("retention-backups")
def test_backups_go_after_30_days_keeping_the_newest(vault, clock):
    first = backups.make_backup(vault)
    clock.advance(24 * 3600)
    second = backups.make_backup(vault)
    clock.advance(29 * 24 * 3600)
    retention.apply_retention(vault)
    folder = backups.folder_for(vault)
    assert {b.path for b in list_backups(folder)} == {first.path, second.path}
    clock.advance(2 * 24 * 3600)  # the first is now 31 days old
    retention.apply_retention(vault)
    assert [b.path for b in list_backups(folder)] == [second.path]
    clock.advance(365 * 24 * 3600)
    retention.apply_retention(vault)
    assert [b.path for b in list_backups(folder)] == [second.path]


@pytest.mark.promise("retention-inactive-off")
def test_inactive_people_are_untouched_unless_turned_on(vault, aged):
    backdate_people(vault, aged.ada, aged.jonas, when="2019-01-01 00:00:00")
    before = table_counts(vault)
    rule = {r.key: r for r in retention.retention_rules(vault)}["inactive_people"]
    assert not rule.enabled
    plan = retention.apply_retention(vault)
    assert plan.counts["inactive_people"] == 0
    after = table_counts(vault)
    assert ids_in(vault, "person") == {aged.ada, aged.jonas}
    assert (after["person_tag"], after["tag"]) == (before["person_tag"], before["tag"])
    assert retention.last_applied(vault) == date(2026, 6, 15)
