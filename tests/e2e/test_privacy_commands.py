"""`crasme privacy requests [--status S] [--json]` and `crasme retention preview|apply
[--json]` as a script uses them, on a copy of the stored schema-0006 vault."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from crasme_desktop.services import privacy_requests, retention, timeline
from crasme_desktop.vault import open_vault
from sqlalchemy import text

DATA = Path(__file__).resolve().parents[1] / "data" / "vaults"
STORED_PASSPHRASE = "stored vault passphrase"
ENV = {"CRASME_PASSPHRASE": STORED_PASSPHRASE}


@pytest.fixture
def stored(tmp_path):
    """Ada Lovelace with a late access request and a timeline note from 2020."""
    copy = tmp_path / "stored.crasme"
    shutil.copyfile(DATA / "schema-0006.crasme", copy)
    shutil.copyfile(DATA / "schema-0006.crasme.keys", tmp_path / "stored.crasme.keys")
    with open_vault(copy, use_keychain=False, passphrase=STORED_PASSPHRASE) as vault:
        with vault.engine.connect() as conn:
            ada = conn.execute(text(
                "SELECT id FROM person WHERE display_name = 'Ada Lovelace'")).scalar_one()
        privacy_requests.open_request(vault, "access", ada, received_on=date(2025, 1, 10),
                                      note="By letter")
        timeline.add_note(vault, "Old note", person_id=ada,
                          occurred_at=datetime(2020, 1, 1, tzinfo=UTC))
    return copy


def test_requests_as_json_and_as_lines(crasme, stored):
    report = json.loads(crasme.ok("privacy", "requests", "--vault", stored, "--json",
                                  "--no-keychain", env=ENV).stdout)
    [row] = report["requests"]
    assert (row["kind"], row["subject"], row["status"], row["late"]) == (
        "access", "Ada Lovelace", "received", True)
    assert (row["received_on"], row["due_on"]) == ("2025-01-10", "2025-02-10")
    lines = crasme.ok("privacy", "requests", "--vault", stored, "--no-keychain",
                      env=ENV).stdout.splitlines()
    assert lines == ["2025-01-10  due 2025-02-10  LATE        access        Ada Lovelace"]
    done = crasme.ok("privacy", "requests", "--status", "done", "--vault", stored,
                     "--no-keychain", env=ENV)
    assert done.stdout == "No privacy requests with that status.\n"


def test_retention_preview_then_apply(crasme, stored):
    preview = json.loads(crasme.ok("retention", "preview", "--vault", stored, "--json",
                                   "--no-keychain", env=ENV).stdout)
    counts = {r["rule"]: r["count"] for r in preview["rules"]}
    assert preview["dry_run"] is True
    assert counts["activity"] >= 1  # the 2020 note (the stored vault has its own too)
    with open_vault(stored, use_keychain=False, passphrase=STORED_PASSPHRASE) as vault:
        assert retention.preview_retention(vault).counts["activity"] == counts["activity"]

    plain = crasme.ok("retention", "apply", "--vault", stored, "--no-keychain", env=ENV)
    assert "Timeline entries (kept 2 years, before " in plain.stdout
    assert f"removed {counts['activity']}" in plain.stdout
    with open_vault(stored, use_keychain=False, passphrase=STORED_PASSPHRASE) as vault:
        assert retention.preview_retention(vault).counts["activity"] == 0
        runs = retention.retention_runs(vault)
    assert [r.dry_run for r in runs] == [False, True]


def test_a_wrong_status_is_refused_by_the_parser(crasme, stored):
    result = crasme("privacy", "requests", "--status", "lost", "--vault", stored,
                    "--no-keychain", env=ENV)
    assert result.returncode != 0 and "invalid choice" in result.stderr
