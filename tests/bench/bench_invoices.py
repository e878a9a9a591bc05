"""Speed of the invoice views at N invoices, against bare sqlcipher3 in the same run.

    python -m tests.bench --only invoices [--invoices-count 200000] [--invoices-runs 15]

A vault with a few thousand demo contacts gets N invoices written straight into the
table with executemany (five years of them: mostly paid, the recent ones open, some
overdue, drafts and credit notes, customers from the vault, two currencies). Then,
interleaved (ours, bare, ours, bare, ...) after warm-up runs:

- first rows: `invoice_lists.first_invoice_rows` (a unit of work, the ordered rowids
  from the index with LIMIT, then the batch's rows by rowid) for the default list
  (newest first), the overdue filter, the "paid" filter and the customer filters (the
  company and the person with the most invoices); baseline: one bare
  statement reading the same 100 rows' columns in the same order. Goal <= 150 ms.
- whole id list: `ordered_invoice_ids` vs a bare `SELECT rowid ... ORDER BY` with all
  rows fetched.
- totals of the filtered rows, aging and revenue by month: ours vs the same
  aggregate statements on the bare connection.
Finally the index asked of the schema for status filters in date order,
(status, issue_date, id), is made on the bench vault when it is missing and the
"paid", "open" and "overdue" first rows are measured again, to show what it changes.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench.run import Result, bare_connection, sample_vault

GOAL_FIRST_S = 0.150
TODAY = date(2026, 3, 15)
ROW_COLUMNS = ("i.rowid, i.id, i.kind, i.number, i.status, i.billing_name, "
               "i.customer_person_id, i.customer_organization_id, i.issue_date, "
               "i.due_date, i.currency, i.net_minor, i.tax_minor, i.total_minor, "
               "i.paid_minor, i.credited_minor, i.credit_of_id")
STATUS_INDEX = "ix_invoice_status_issue"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--invoices-count", type=int, default=200_000,
                        help="invoices in the benchmark vault (default 200000)")
    parser.add_argument("--invoices-people", type=int, default=5_000,
                        help="demo people the invoices are made out to (default 5000)")
    parser.add_argument("--invoices-runs", type=int, default=15,
                        help="timed runs per scenario (default 15)")


def run(args: argparse.Namespace, work: Path) -> list[Result]:
    from crasme_desktop.services import invoice_lists as views
    from crasme_desktop.services import vaults
    from crasme_desktop.services.invoice_lists import InvoiceFilter

    count, runs = args.invoices_count, args.invoices_runs
    path = work / f"invoices-{count}.crasme"
    sample_vault(path, args.invoices_people, "invoices")
    bare = bare_connection(path, check_same_thread=False)
    start = time.perf_counter()
    made = _fill(bare, count)
    print(f"bench invoices: wrote {count:,} invoices in {time.perf_counter() - start:.1f} s "
          f"({made['overdue']:,} overdue, {made['paid']:,} paid)", file=sys.stderr)
    n = f"{count:,} invoices"
    today = TODAY.isoformat()
    results: list[Result] = []
    vault = vaults.unlock(path)
    try:
        def first(filt: InvoiceFilter) -> Any:
            return lambda: views.first_invoice_rows(vault, filt, today=TODAY)

        def bare_first(where: str, params: tuple[Any, ...] = ()) -> Any:
            sql = (f"SELECT {ROW_COLUMNS} FROM invoice i {where} "
                   "ORDER BY i.issue_date DESC, i.id DESC LIMIT 100")
            return lambda: bare.execute(sql, params).fetchall()

        # The customers with the most invoices (the slowest customer filter).
        busiest_org = bare.execute(
            "SELECT customer_organization_id FROM invoice WHERE customer_organization_id "
            "IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        busiest_person = bare.execute(
            "SELECT customer_person_id FROM invoice WHERE customer_person_id "
            "IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        # A company with a few paid invoices only: the worst case of status + customer.
        rare_org = bare.execute(
            "SELECT customer_organization_id FROM invoice WHERE customer_organization_id "
            "IS NOT NULL GROUP BY 1 HAVING sum(status = 'paid') BETWEEN 1 AND 20 "
            "ORDER BY 1 LIMIT 1").fetchone()
        rare_org = rare_org[0] if rare_org else busiest_org
        overdue_where = ("WHERE i.status IN ('issued', 'partly_paid') AND i.kind = 'invoice' "
                         "AND i.due_date < ?")
        cases = [
            ("default list", InvoiceFilter(), bare_first("")),
            ("overdue filter", InvoiceFilter(status="overdue"),
             bare_first(overdue_where, (today,))),
            ("'paid' filter", InvoiceFilter(status="paid"),
             bare_first("WHERE i.status = 'paid'")),
            ("customer filter (company)",
             InvoiceFilter(customer_organization_id=busiest_org),
             bare_first("WHERE i.customer_organization_id = ?", (busiest_org,))),
            ("customer filter (person)", InvoiceFilter(customer_person_id=busiest_person),
             bare_first("WHERE i.customer_person_id = ?", (busiest_person,))),
            ("customer and 'paid' filter",
             InvoiceFilter(status="paid", customer_organization_id=busiest_org),
             bare_first("WHERE i.status = 'paid' AND i.customer_organization_id = ?",
                        (busiest_org,))),
            ("'paid' filter, a company with few invoices",
             InvoiceFilter(status="paid", customer_organization_id=rare_org),
             bare_first("WHERE i.status = 'paid' AND i.customer_organization_id = ?",
                        (rare_org,))),
            ("overdue filter and customer",
             InvoiceFilter(status="overdue", customer_organization_id=busiest_org),
             bare_first(overdue_where + " AND i.customer_organization_id = ?",
                        (today, busiest_org))),
        ]
        for label, filt, baseline in cases:
            ours_t, bare_t = _pair(first(filt), baseline, runs)
            results.append(_result(f"invoices: first rows, {label} ({n})", ours_t, bare_t,
                                   "<= 150 ms", GOAL_FIRST_S,
                                   "first_invoice_rows (100 rows) vs one bare statement "
                                   "reading the same rows"))

        ours_t, bare_t = _pair(
            lambda: views.ordered_invoice_ids(vault, today=TODAY),
            lambda: bare.execute("SELECT rowid FROM invoice ORDER BY issue_date DESC, "
                                 "id DESC").fetchall(), max(3, runs // 3))
        results.append(_result(f"invoices: whole id list ({n})", ours_t, bare_t, "-", None,
                               "ordered_invoice_ids vs bare SELECT rowid ... ORDER BY, "
                               "all rows fetched"))

        totals_sql = ("SELECT i.currency, count(*), sum(CASE WHEN i.kind = 'credit_note' "
                      "THEN -i.total_minor ELSE i.total_minor END), sum(CASE WHEN i.kind = "
                      "'invoice' AND i.status IN ('issued', 'partly_paid') THEN i.total_minor "
                      "- i.paid_minor - i.credited_minor ELSE 0 END) FROM invoice i {where} "
                      "GROUP BY i.currency")
        for label, filt, where, params in (
            ("all", InvoiceFilter(), "", ()),
            ("overdue", InvoiceFilter(status="overdue"), overdue_where, (today,)),
            ("'paid'", InvoiceFilter(status="paid"), "WHERE i.status = 'paid'", ()),
            ("customer", InvoiceFilter(customer_organization_id=busiest_org),
             "WHERE i.customer_organization_id = ?", (busiest_org,)),
        ):
            sql = totals_sql.format(where=where)
            ours_t, bare_t = _pair(
                lambda f=filt: views.invoice_totals(vault, f, today=TODAY),
                lambda s=sql, p=params: bare.execute(s, p).fetchall(), runs)
            results.append(_result(f"invoices: totals, {label} ({n})", ours_t, bare_t,
                                   "-", None, "invoice_totals vs the same sums on bare "
                                   "sqlcipher3"))

        ours_t, bare_t = _pair(lambda: views.aging_summary(vault, TODAY),
                               lambda: bare.execute(views._AGING_SQL, (today,)).fetchall(),
                               runs)
        results.append(_result(f"invoices: aging summary ({n})", ours_t, bare_t, "-", None,
                               "aging_summary vs the same statement on bare sqlcipher3"))
        year = (date(2025, 4, 1), date(2026, 3, 31))
        ours_t, bare_t = _pair(
            lambda: views.revenue_by_month(vault, *year),
            lambda: bare.execute(views._REVENUE_SQL,
                                 tuple(d.isoformat() for d in year)).fetchall(), runs)
        results.append(_result(f"invoices: revenue by month, 12 months ({n})", ours_t, bare_t,
                               "-", None, "revenue_by_month vs the same statement on bare "
                               "sqlcipher3"))

        # What the asked-for (status, issue_date, id) index changes.
        has_index = bare.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                                 (STATUS_INDEX,)).fetchone()
        if not has_index:
            bare.execute(f"CREATE INDEX {STATUS_INDEX} ON invoice (status, issue_date, id)")
            bare.commit()
        for label, filt, baseline in (
            ("'paid' filter", InvoiceFilter(status="paid"),
             bare_first("WHERE i.status = 'paid'")),
            ("open filter", InvoiceFilter(status="open"),
             bare_first("WHERE i.status IN ('issued', 'partly_paid') AND i.kind = 'invoice'")),
            ("overdue filter", InvoiceFilter(status="overdue"),
             bare_first(overdue_where, (today,))),
        ):
            ours_t, bare_t = _pair(first(filt), baseline, runs)
            note = ("with" if has_index else "after making") + f" {STATUS_INDEX}"
            results.append(_result(f"invoices: first rows, {label}, {note} ({n})", ours_t,
                                   bare_t, "<= 150 ms", GOAL_FIRST_S,
                                   "first_invoice_rows vs one bare statement"))
    finally:
        vault.close()
        bare.close()
    return results


def _pair(ours: Any, bare: Any, runs: int, warmup: int = 2) -> tuple[list[float], list[float]]:
    ours_t, bare_t = [], []
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        ours()
        t1 = time.perf_counter()
        bare()
        t2 = time.perf_counter()
        if i >= warmup:
            ours_t.append(t1 - t0)
            bare_t.append(t2 - t1)
    return ours_t, bare_t


def _result(name: str, ours: list[float], bare: list[float], goal: str,
            limit: float | None, note: str) -> Result:
    median, base = statistics.median(ours), statistics.median(bare)
    return Result(name, median, base, median / base if base else None, goal,
                  limit is None or median <= limit, len(ours),
                  f"{note}; max ours {max(ours) * 1000:.1f} ms")


# ---------------------------------------------------------------------- the invoices
def _fill(conn: Any, count: int) -> dict[str, int]:
    """`count` invoices over the five years before TODAY, straight into the table."""
    rng = random.Random(4)
    orgs = conn.execute("SELECT id, name FROM organization").fetchall()
    people = conn.execute("SELECT id, display_name FROM person").fetchall()
    if not orgs and not people:
        raise RuntimeError("the bench vault has no contacts to invoice")
    first_day = TODAY - timedelta(days=5 * 365)
    span = (TODAY - first_day).days
    # Issue days in order, so numbers follow dates as a real series does.
    days = sorted(first_day + timedelta(days=rng.randrange(span + 1)) for _ in range(count))
    counters: dict[tuple[str, int], int] = {}
    stamp = datetime(2026, 3, 15, 9, 0).strftime("%Y-%m-%d %H:%M:%S.%f")
    rows, made = [], {"overdue": 0, "paid": 0}
    last_invoice: str | None = None
    for n, issued in enumerate(days):
        age = (TODAY - issued).days
        kind = "credit_note" if last_invoice and rng.random() < 0.02 else "invoice"
        due = issued + timedelta(days=14)
        total = rng.randrange(2_000, 2_000_000)
        currency = "EUR" if rng.random() < 0.9 else "USD"
        paid = credited = 0
        if kind == "credit_note":
            status = "issued"
        elif age < 5 and rng.random() < 0.5:
            status = "draft"
        elif age > 120 and rng.random() < 0.97:
            status, paid = "paid", total
        else:
            status = rng.choice(("issued", "issued", "partly_paid", "paid"))
            if status == "paid":
                paid = total
            elif status == "partly_paid":
                paid = total // 3
        if status in ("issued", "partly_paid") and kind == "invoice" and due < TODAY:
            made["overdue"] += 1
        made["paid"] += status == "paid"
        number = None
        if status != "draft":
            prefix = "CN" if kind == "credit_note" else "INV"
            key = (prefix, issued.year)
            counters[key] = counters.get(key, 0) + 1
            number = f"{prefix}-{issued.year}-{counters[key]:05d}"
        if rng.random() < 0.7 and orgs:
            org_id, name = rng.choice(orgs)
            person_id = None
        else:
            person_id, name = rng.choice(people)
            org_id = None
        net = total * 100 // 119
        iid = f"00000000-0000-7000-8000-{n:012d}"
        rows.append((iid, stamp, stamp, kind, number, status, person_id, org_id, name,
                     currency, issued.isoformat(), due.isoformat(), net, total - net, total,
                     paid, credited, last_invoice if kind == "credit_note" else None))
        if kind == "invoice" and status != "draft":
            last_invoice = iid
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO invoice (id, created_at, updated_at, kind, number, status, "
        "customer_person_id, customer_organization_id, billing_name, billing_address, "
        "billing_country, billing_tax_id, billing_email, seller_snapshot, currency, "
        "issue_date, due_date, payment_terms_days, prices_include_tax, net_minor, "
        "tax_minor, total_minor, paid_minor, credited_minor, credit_of_id, notes) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '', '', '{}', ?, ?, ?, 14, 0, ?, ?, ?, ?, ?, ?, "
        "'')", rows)
    conn.execute("COMMIT")  # no ANALYZE: the app never runs it, so no statistics
    return made
