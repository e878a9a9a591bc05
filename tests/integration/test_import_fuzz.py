"""Mutated contact files through the whole import: never a crash, only sentences, and
a rejected or cancelled import leaves the vault exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from crasme_desktop.domain.errors import Cancelled, UserError
from crasme_desktop.domain.progress import Progress
from crasme_desktop.formats.contact_record import ImportLimits
from crasme_desktop.services import contacts, importing
from crasme_desktop.vault import open_vault
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.integration.test_import import snapshot
from tests.support.sentences import assert_one_sentence

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
CSV_FILES = sorted(DATA.glob("*.csv"))
VCARD_FILES = sorted(DATA.glob("*.vcf"))
FUZZ = settings(max_examples=500,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
SMALL = ImportLimits(max_file_bytes=40_000, max_records=60, max_field_chars=400,
                     max_photo_bytes=2000)


@pytest.fixture
def vault(created, keychain):
    """A vault that already holds the people of two fixtures, so merges happen too."""
    with open_vault(created.path, keychain=keychain) as opened:
        contacts.set_office_region(opened, "DE")
        for name in ("google-contacts.csv", "iphone-3.0.vcf"):
            importing.commit_import(opened, importing.plan_import(opened, DATA / name))
        yield opened


@st.composite
def mutated(draw: st.DrawFn, files: list[Path]) -> bytes:
    data = bytearray(draw(st.sampled_from(files)).read_bytes())
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(("flip", "insert", "delete", "duplicate", "truncate",
                                     "newline", "quote")))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 60))]
        elif kind == "duplicate":
            data[at:at] = data[at:at + draw(st.integers(1, 400))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "newline":
            data[at:at] = draw(st.sampled_from((b"\n", b"\r\n", b"\r", b"\n ", b"\n\n")))
        else:
            data[at:at] = draw(st.sampled_from((b'"', b";", b",", b"\t", b":", b"\\", b"=")))
    return bytes(data)


def check_plan(vault, path: Path) -> importing.ImportPlan | None:
    try:
        plan = importing.plan_import(vault, path, limits=SMALL)
    except UserError as exc:
        assert_one_sentence(exc.message)
        return None
    for row in plan.rows:
        assert row.action in importing.ACTIONS
        assert_one_sentence(row.reason)
        assert f"line {row.line}" in row.reason.casefold()
        for note in row.notes:
            assert_one_sentence(note)
    assert plan.people_created == sum(1 for r in plan.rows if r.action == "create")
    return plan


@FUZZ
@given(data=mutated(CSV_FILES))
def test_mutated_csv_files_plan_without_crashing(vault, tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    check_plan(vault, path)


@FUZZ
@given(data=mutated(VCARD_FILES))
def test_mutated_vcards_plan_without_crashing(vault, tmp_path, data):
    path = tmp_path / "fuzz.vcf"
    path.write_bytes(data)
    check_plan(vault, path)


@settings(FUZZ, max_examples=60)
@given(data=mutated(CSV_FILES + VCARD_FILES), stop_after=st.integers(0, 1))
def test_cancelled_imports_of_mutated_files_leave_the_vault_as_it_was(vault, tmp_path, data,
                                                                      stop_after):
    path = tmp_path / "fuzz.dat"
    path.write_bytes(data)
    plan = check_plan(vault, path)
    if plan is None:
        return
    before = snapshot(vault)
    seen = []

    def listener(done: int, total: int, text: str) -> None:
        seen.append(done)
        if len(seen) > stop_after:
            progress.cancel()

    progress = Progress(listener)
    with pytest.raises(Cancelled):  # the commit reports progress at least twice
        importing.commit_import(vault, plan, progress)
    assert snapshot(vault) == before


@settings(FUZZ, max_examples=60)
@given(data=mutated(CSV_FILES + VCARD_FILES))
def test_mutated_files_commit_or_are_refused(vault, tmp_path, data):
    path = tmp_path / "fuzz.dat"
    path.write_bytes(data)
    before = snapshot(vault)
    plan = check_plan(vault, path)
    if plan is None:
        assert snapshot(vault) == before
        return
    outcome = importing.commit_import(vault, plan)
    people = len(before["person"]) + outcome.people_created
    assert len(snapshot(vault)["person"]) == people
