"""Import of a large CSV through the service, against a bare executemany of the same rows.

- import: `plan_import` + `commit_import` of N generated rows (default 100,000; a
  realistic mix: names from several countries, a work email, one or two phones, a
  company for most, an address for half, tags and a few notes) into a fresh vault.
  The baseline is what any program must at least do to put the same rows into the
  same schema: every row the import wrote (people, emails, phones, addresses,
  companies, tags, the search index) read back and inserted with one bare
  `executemany` per table on a bare sqlcipher3 connection to another fresh vault,
  with the same key and pragmas, in one transaction. Goal: at least 20,000 rows/s.
  Three rows: the plan alone (reading, checking, matching: no baseline, it is where
  the time goes), the commit alone against the bare executemany (both only write),
  and plan + commit against the same baseline with the goal, saying by how much it
  is met or missed and how fast the bare executemany itself goes (a goal above that
  cannot be met by any writer of these rows on this machine). Notes give rows per CPU
  second too (benchmarks share the cores) and the peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import time
from pathlib import Path

from tests.bench.run import Result, bare_connection

GOAL_ROWS_PER_S = 20_000
#: Tables the import writes, parents first (foreign keys on).
TABLES = ("organization", "tag", "person", "person_email", "person_phone", "postal_address",
          "person_tag", "attachment", "attachment_content", "search_doc")
FTS = ("search_word", "search_trigram")

GIVEN = ("Jonas", "Petra", "Élodie", "Mateo", "Lucía", "Agnieszka", "Aylin", "Oliver",
         "Amelia", "James", "Emily", "Björn", "Siobhán", "Zoë", "Hugo", "Inès")
FAMILY = ("Kühnemann", "Schneider", "Dubois", "García", "Nowak", "Yılmaz", "Smith",
          "O'Neill", "Johnson", "Lindqvist", "Müller", "Rossi", "Fernández", "Brown")
#: (postal code, city, country, phone prefix to which four random digits are added)
CITIES = (("10115", "Berlin", "Germany", "+49 30 123"),
          ("75011", "Paris", "France", "+33 1 4500"),
          ("28001", "Madrid", "Spain", "+34 91 123"),
          ("00-001", "Warszawa", "Poland", "+48 22 123"),
          ("SW1A 1AA", "London", "United Kingdom", "+44 20 7946 "),
          ("10001", "New York", "USA", "+1 212 555 "))
TAGS = ("Customer", "Lead", "Supplier", "Partner", "VIP", "Newsletter")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--import-rows", type=int, default=100_000,
                        help="rows in the generated CSV for the import scenario")


def make_csv(rows: int, seed: int = 11) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["First Name", "Last Name", "E-mail Address", "Business Phone",
                     "Mobile Phone", "Company", "Job Title", "Business Street",
                     "Business City", "Business Postal Code", "Business Country/Region",
                     "Categories", "Notes"])
    for i in range(rows):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        postal, city, country, prefix = rng.choice(CITIES)
        company = f"{rng.choice(FAMILY)} {rng.choice(('Bau', 'Services', 'Trading'))} {i % 9000}"
        local = "".join(c for c in f"{given}.{family}".lower() if c.isascii() and c != "'")
        address = rng.random() < 0.5
        writer.writerow([
            given, family, f"{local}.{i}@example.com",
            f"{prefix}{rng.randrange(1000, 9999)}",
            f"+49 151 {rng.randrange(10_000_000, 99_999_999)}" if rng.random() < 0.4 else "",
            company if rng.random() < 0.85 else "",
            rng.choice(("Owner", "Buyer", "Site lead", "")),
            f"{rng.randrange(1, 200)} Main Street" if address else "",
            city if address else "", postal if address else "", country if address else "",
            ";".join(rng.sample(TAGS, rng.choice((0, 1, 1, 2)))),
            "Prefers calls in the morning." if rng.random() < 0.2 else "",
        ])
    return out.getvalue().encode("utf-8")


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(args: argparse.Namespace, work: Path) -> list[Result]:
    from crasme_desktop.domain.progress import Progress
    from crasme_desktop.services import importing, vaults

    n = args.import_rows
    folder = work / "import"
    folder.mkdir(exist_ok=True)
    source = folder / "contacts.csv"
    source.write_bytes(make_csv(n))
    ours_path, bare_path = folder / "ours.crasme", folder / "bare.crasme"
    vaults.create(ours_path, passphrase=None, use_keychain=True)
    vaults.create(bare_path, passphrase=None, use_keychain=True)
    rss_before = _peak_rss_mib()

    with vaults.unlock(ours_path) as vault:
        cpu = time.process_time()
        start = time.perf_counter()
        plan = importing.plan_import(vault, source, progress=Progress())
        planned = time.perf_counter()
        outcome = importing.commit_import(vault, plan, Progress())
        ours = time.perf_counter() - start
        commit = time.perf_counter() - planned
        cpu = time.process_time() - cpu
    rss_after = _peak_rss_mib()
    created = outcome.people_created
    del plan, outcome

    # The same rows, read back from our vault, into the other one with bare executemany.
    ours_conn = bare_connection(ours_path, isolation_level=None)
    tables = {t: ours_conn.execute(f"SELECT * FROM {t}").fetchall() for t in TABLES}
    columns = {t: [d[0] for d in ours_conn.execute(f"SELECT * FROM {t} LIMIT 0").description]
               for t in TABLES}
    ours_conn.close()
    written = sum(len(rows) for rows in tables.values())
    bare_conn = bare_connection(bare_path, isolation_level=None)
    start = time.perf_counter()
    bare_conn.execute("BEGIN")
    for table in TABLES:
        if tables[table]:
            marks = ", ".join("?" for _ in columns[table])
            bare_conn.executemany(f"INSERT INTO {table} ({', '.join(columns[table])}) "
                                  f"VALUES ({marks})", tables[table])
    docs = [(d, name, other) for d, _r, name, other in tables["search_doc"]]
    for fts in FTS:
        bare_conn.executemany(f"INSERT INTO {fts} (rowid, name, other) VALUES (?, ?, ?)", docs)
    bare_conn.execute("COMMIT")
    bare = time.perf_counter() - start
    bare_conn.close()

    plan_s = ours - commit
    rate, bare_rate = n / ours, n / bare
    if rate >= GOAL_ROWS_PER_S:
        verdict = f"goal met by {rate - GOAL_ROWS_PER_S:,.0f} rows/s"
    else:
        verdict = (f"goal missed by {GOAL_ROWS_PER_S - rate:,.0f} rows/s (it needs "
                   f"{GOAL_ROWS_PER_S / rate:.1f}x the speed)")
    reachable = ("above the goal" if bare_rate >= GOAL_ROWS_PER_S else
                 "itself below the goal: on this machine no program writing these rows "
                 "reaches it")
    return [
        Result(f"import {n:,} CSV rows: plan (read, check, match)", plan_s, None, None,
               "(where the time goes)", True, 1,
               f"{n / plan_s:,.0f} rows/s"),
        Result(f"import {n:,} CSV rows: commit (one transaction)", commit, bare,
               commit / bare, "(where the time goes)", True, 1,
               f"{n / commit:,.0f} rows/s; the bare executemany writes the same "
               f"{written:,} table rows (+ FTS)"),
        Result(
            f"import {n:,} CSV rows (plan + commit)", ours, bare, ours / bare,
            f">= {GOAL_ROWS_PER_S:,} rows/s", rate >= GOAL_ROWS_PER_S, 1,
            f"{rate:,.0f} rows/s, {verdict} ({created:,} people created; {n / cpu:,.0f} "
            f"rows per CPU second, as this process got {cpu / ours:.0%} of a core); "
            f"plan {plan_s:.2f} s, commit {commit:.2f} s; the bare executemany of the same "
            f"{written:,} table rows (+ FTS) took {bare:.2f} s, {bare_rate:,.0f} CSV rows/s, "
            f"{reachable}; peak RSS {rss_after:.0f} MiB (before the import "
            f"{rss_before:.0f} MiB)",
        ),
    ]
