"""`crasme import FILE [--dry-run] [--json] [--preset ...]` as a script would run it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.support.cli_runner import fingerprint, key_slots, one_sentence
from tests.support.sentences import assert_one_sentence

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
GOOGLE = DATA / "google-contacts.csv"
OUTLOOK = DATA / "outlook-cp1252-semicolon.csv"
PHONE_VCARD = DATA / "iphone-3.0.vcf"


@pytest.fixture
def vault(crasme, vault_path: Path) -> Path:
    crasme.ok("init", "--vault", vault_path, "--json")
    return vault_path


def import_json(crasme, vault: Path, *args) -> dict:
    return json.loads(crasme.ok("import", "--vault", vault, "--json", *args).stdout)


def test_google_csv_imports_and_reports_every_row(crasme, vault):
    report = import_json(crasme, vault, GOOGLE)

    assert report["kind"] == "csv" and report["preset"] == "google"
    assert report["dry_run"] is False and report["import_id"]
    assert (report["people_created"], report["people_merged"], report["rows_skipped"]) == (4, 0, 1)
    assert [(r["line"], r["action"]) for r in report["rows"]] == [
        (2, "create"), (6, "create"), (7, "create"), (10, "create"), (11, "skip")]
    for row in report["rows"]:
        assert_one_sentence(row["reason"])
        assert row["reason"].startswith(f"Line {row['line']}")
    assert {r["name"] for r in report["rows"][:4]} == {
        "Amélie Durand", "佐藤健", "Layla Haddad", "Jonas Peter Müller"}

    again = import_json(crasme, vault, GOOGLE, "--dry-run")
    assert again["people_created"] == 0
    assert {r["action"] for r in again["rows"]} == {"skip"}


def test_dry_run_commits_nothing(crasme, vault):
    dry = import_json(crasme, vault, OUTLOOK, "--dry-run")
    assert dry["dry_run"] is True and dry["import_id"] is None
    assert dry["people_created"] == 2

    real = import_json(crasme, vault, OUTLOOK)
    assert real["people_created"] == 2  # the dry run had added none of them
    assert (real["encoding"], real["delimiter"]) == ("cp1252", ";")


def test_human_output_lists_rows_and_a_summary(crasme, vault):
    result = crasme.ok("import", "--vault", vault, OUTLOOK)

    lines = result.stdout.splitlines()
    assert lines[0].startswith("new") and "Line 2" in lines[0] and "Jürgen Weiß" in lines[0]
    assert any(line.startswith("skip") and "Line 4" in line for line in lines)
    assert "2 new people" in result.stdout
    assert f"Imported into {vault}" in lines[-1]


def test_a_phone_vcard_imports_then_merges_on_the_second_run(crasme, vault, tmp_path):
    first = import_json(crasme, vault, PHONE_VCARD)
    assert first["kind"] == "vcard"
    assert first["people_created"] == 2 and first["rows_skipped"] == 1

    more = tmp_path / "more.vcf"
    more.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:María José García López\r\n"
                    "N:García López;María José;;;\r\nEMAIL:mj.garcia@example.es\r\n"
                    "TEL;TYPE=HOME:+34 911 222 333\r\nEND:VCARD\r\n", encoding="utf-8")
    second = import_json(crasme, vault, more)
    (row,) = second["rows"]
    assert row["action"] == "merge" and row["person_id"]
    assert "already in the vault" in row["reason"] and "1 phone number" in row["reason"]
    assert second["people_merged"] == 1 and second["people_created"] == 0


def test_preset_option_reads_columns_as_that_exporter(crasme, vault, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("Given Name,Family Name,E-mail 1 - Value\nIda,Pfeiffer,ida@example.org\n",
                   encoding="utf-8")
    report = import_json(crasme, vault, odd, "--preset", "google")
    assert report["rows"][0]["email"] == "ida@example.org"

    bad = crasme("import", "--vault", vault, odd, "--preset", "nonsense")
    assert bad.returncode == 2


@pytest.mark.parametrize("content", [
    bytes(range(256)) * 20,
    b"PK\x03\x04 a workbook, not a CSV",
    b"",
    b"BEGIN:VCARD-ish\nnothing here\n",
])
def test_a_malformed_file_exits_with_one_sentence_and_leaves_the_vault(crasme, vault, tmp_path,
                                                                       content):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    before = fingerprint(vault, key_slots(vault))

    result = crasme("import", "--vault", vault, bad)

    assert result.returncode == 3, result.stderr
    assert_one_sentence(one_sentence(result.stderr))
    assert result.stdout == ""
    assert fingerprint(vault, key_slots(vault)) == before
    after = import_json(crasme, vault, OUTLOOK, "--dry-run")
    assert after["people_created"] == 2


def test_a_missing_file_is_one_sentence(crasme, vault, tmp_path):
    result = crasme("import", "--vault", vault, tmp_path / "nowhere.csv")
    assert result.returncode == 3
    assert "nowhere.csv" in one_sentence(result.stderr)
