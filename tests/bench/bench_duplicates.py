"""Duplicate look-ups at N people, against the same index look-ups on bare sqlcipher3.

    python -c "import sys; from tests.bench.bench_duplicates import main; main()" \
        [--duplicates-sizes 100000] [--duplicates-batch 10000]

(`tests/bench/run.py` loads bench modules by name from its EXTRA list; adding
"duplicates" there runs this one with the others.)

For each size a vault is filled with `services.demo`. Scenarios:
- detail pane: `duplicate_people(vault, id)` for people taken from the vault
  (a unit of work, the person's emails and phones, the email/phone IN-lists, the
  name key ranges at their company, the display names), vs the bare statements of
  the same look-ups (email keys, numbers, one key range per name word) on one bare
  connection. Median and p95.
- import batch: `match_people(session, drafts)` for a batch of drafts made from
  stored people (every one matches), in drafts per second, vs the bare IN-list and
  range statements over the same keys.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path
from typing import Any

from tests.bench.run import Result, bare_connection, sample_vault


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duplicates-sizes", default="100000",
                        help="people in the vaults, comma separated (default 100000)")
    parser.add_argument("--duplicates-batch", type=int, default=10000,
                        help="drafts in the import batch (default 10000)")
    parser.add_argument("--duplicates-people", type=int, default=200,
                        help="people looked up one by one (default 200)")


def run(args: argparse.Namespace, work: Path) -> list[Result]:
    out = []
    for size in (int(s) for s in str(args.duplicates_sizes).split(",") if s.strip()):
        out.extend(_bench_size(size, args, work))
    return out


def _bench_size(size: int, args: argparse.Namespace, work: Path) -> list[Result]:
    from crasme_desktop.services import vaults

    path = work / f"duplicates-{size}.crasme"
    sample_vault(path, size, "duplicates")
    bare = bare_connection(path, check_same_thread=False)
    vault = vaults.unlock(path)
    try:
        return [_detail(vault, bare, size, args), _batch(vault, bare, size, args)]
    finally:
        vault.close()
        bare.close()


def _people(bare: Any, n: int) -> list[tuple[str, str, str | None, list[str], list[str]]]:
    rng = random.Random(7)
    ids = [r[0] for r in bare.execute("SELECT id FROM person")]
    out = []
    for pid in rng.sample(ids, min(n, len(ids))):
        key, org = bare.execute("SELECT sort_key, organization_id FROM person WHERE id = ?",
                                (pid,)).fetchone()
        emails = [r[0] for r in bare.execute(
            "SELECT address_key FROM person_email WHERE person_id = ?", (pid,))]
        phones = [r[0] for r in bare.execute(
            "SELECT number FROM person_phone WHERE person_id = ?", (pid,))]
        out.append((pid, key, org, emails, phones))
    return out


def _bare_lookup(bare: Any, key: str, org: str | None, emails: list[str],
                 phones: list[str]) -> None:
    if emails:
        marks = ",".join("?" * len(emails))
        bare.execute(f"SELECT person_id FROM person_email WHERE address_key IN ({marks})",
                     emails).fetchall()
    if phones:
        marks = ",".join("?" * len(phones))
        bare.execute(f"SELECT person_id FROM person_phone WHERE number IN ({marks})",
                     phones).fetchall()
    if org:
        for word in set(key.split()):
            bare.execute("SELECT id FROM person WHERE organization_id = ? AND sort_key >= ? "
                         "AND sort_key < ?", (org, word, word + "0")).fetchall()


def _detail(vault: Any, bare: Any, size: int, args: argparse.Namespace) -> Result:
    from crasme_desktop.services import duplicates

    people = _people(bare, args.duplicates_people)
    ours, base = [], []
    for pid, key, org, emails, phones in people:
        t = time.perf_counter()
        bare.execute("SELECT * FROM person WHERE id = ?", (pid,)).fetchone()
        _bare_lookup(bare, key, org, emails, phones)
        base.append(time.perf_counter() - t)
        t = time.perf_counter()
        duplicates.duplicate_people(vault, pid)
        ours.append(time.perf_counter() - t)
    ours.sort()
    p95 = ours[int(len(ours) * 0.95) - 1]
    median, base_median = statistics.median(ours), statistics.median(base)
    return Result(
        scenario=f"duplicates of one person at {size:,} people",
        median_s=median, baseline_median_s=base_median, ratio=median / base_median,
        goal="p95 <= 50 ms", passed=p95 <= 0.050, runs=len(ours),
        note=f"p95 {p95 * 1000:.1f} ms",
    )


def _batch(vault: Any, bare: Any, size: int, args: argparse.Namespace) -> Result:
    from crasme_desktop.domain.validation_records import EmailDraft, PersonDraft, PhoneDraft
    from crasme_desktop.services import duplicates

    people = _people(bare, args.duplicates_batch)
    drafts = []
    for pid, _key, org, emails, phones in people:
        given, family, display = bare.execute(
            "SELECT given_name, family_name, display_name FROM person WHERE id = ?", (pid,)
        ).fetchone()
        drafts.append(PersonDraft(
            given_name=given, family_name=family, display_name=display, organization_id=org,
            emails=tuple(EmailDraft(e, key=e) for e in emails),
            phones=tuple(PhoneDraft(p) for p in phones),
        ))
    t = time.perf_counter()
    with vault.unit_of_work() as uow:
        found = duplicates.match_people(uow.session, drafts)
    ours = time.perf_counter() - t
    matched = sum(1 for f in found if any(m.person_id for m in f))
    t = time.perf_counter()
    for _pid, key, org, emails, phones in people:
        _bare_lookup(bare, key, org, emails, phones)
    base = time.perf_counter() - t
    return Result(
        scenario=f"match a batch of {len(drafts):,} drafts at {size:,} people",
        median_s=ours, baseline_median_s=base, ratio=ours / base,
        goal=">= 5,000 drafts/s", passed=len(drafts) / ours >= 5000, runs=1,
        note=f"{len(drafts) / ours:,.0f} drafts/s; {matched:,} of {len(drafts):,} matched",
    )


def main(argv: list[str] | None = None) -> None:
    """Run this bench alone, in private folders with the test keychain."""
    import tempfile

    from tests.bench.run import isolate, print_table

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as root:
        isolate(Path(root), "file")
        print_table(run(args, Path(root) / "work"))
