"""`crasme search TEXT [--json] [--limit N]` as a script uses it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.support.cli_runner import one_sentence

DATA = Path(__file__).resolve().parents[1] / "data" / "vaults"
STORED_PASSPHRASE = "stored vault passphrase"


@pytest.fixture
def stored(tmp_path):
    """A copy of the stored schema-0004 vault (Ada Lovelace, Jonas Kühnemann, Kühnemann
    Bau), opened with its passphrase from the environment."""
    copy = tmp_path / "stored.crasme"
    shutil.copyfile(DATA / "schema-0004.crasme", copy)
    shutil.copyfile(DATA / "schema-0004.crasme.keys", tmp_path / "stored.crasme.keys")
    return copy


ENV = {"CRASME_PASSPHRASE": STORED_PASSPHRASE}


def test_json_groups_hits_by_kind(crasme, stored):
    result = crasme.ok("search", "kühnem", "--vault", stored, "--json", "--no-keychain",
                       env=ENV)

    report = json.loads(result.stdout)
    assert report["text"] == "kühnem"
    assert [(g["kind"], g["label"]) for g in report["groups"]] == [
        ("person", "People"), ("organization", "Companies")]
    person = report["groups"][0]["hits"][0]
    assert person["title"] == "Jonas Kühnemann"
    assert person["kind"] == "person"
    assert len(person["id"]) == 36
    assert report["groups"][1]["hits"][0]["title"] == "Kühnemann Bau"


def test_plain_output_lists_titles_under_group_labels(crasme, stored):
    result = crasme.ok("search", "030 1234", "--vault", stored, "--no-keychain", env=ENV)

    lines = result.stdout.splitlines()
    assert lines[0] == "People"
    assert lines[1].startswith("  Jonas Kühnemann  (Kühnemann Bau")
    assert len(lines) == 2


def test_nothing_found_is_said_and_is_not_an_error(crasme, stored):
    result = crasme.ok("search", 'no "such* -person:', "--vault", stored, "--no-keychain",
                       env=ENV)
    assert result.stdout == "No matches for \u201cno \"such* -person:\u201d.\n"
    empty = crasme.ok("search", "zzz", "--vault", stored, "--json", "--no-keychain", env=ENV)
    assert json.loads(empty.stdout)["groups"] == []


def test_limit_caps_each_group(crasme, stored):
    def sizes(*limit):
        result = crasme.ok("search", "example", *limit, "--vault", stored, "--json",
                           "--no-keychain", env=ENV)
        return [len(g["hits"]) for g in json.loads(result.stdout)["groups"]]

    assert sizes() == [2, 1]
    assert sizes("--limit", "1") == [1, 1]


@pytest.mark.parametrize("args", [["search"], ["search", "x", "--limit", "0"],
                                  ["search", "x", "--limit", "many"]])
def test_usage_errors_exit_2(crasme, args):
    result = crasme(*args)
    assert result.returncode == 2
    assert "usage: crasme" in result.stderr


def test_wrong_passphrase_is_one_sentence_and_its_exit_code(crasme, stored):
    result = crasme("search", "ada", "--vault", stored, "--no-keychain",
                    env={"CRASME_PASSPHRASE": "not the passphrase"})
    assert result.returncode == 10
    assert result.stdout == ""
    one_sentence(result.stderr)


def test_missing_vault_exits_25(crasme, tmp_path):
    result = crasme("search", "ada", "--vault", tmp_path / "nowhere.crasme")
    assert result.returncode == 25
    one_sentence(result.stderr)
