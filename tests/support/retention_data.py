"""A vault with records of known ages around the retention cut-offs, for the retention
tests (integration and promise tests).

"Today" is TODAY (a fake clock). It must lie before the real date: the database's own
guard (migration 0006) lets an issued invoice be deleted only when it is more than
seven years older than the real date, so invoices old by the fake clock are old by
the real one too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from crasme_desktop.domain.validation_records import PersonDraft
from crasme_desktop.services import attachments, business, contacts, invoices, timeline
from crasme_desktop.services.business import BusinessSettings
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.services.invoices import InvoiceDraft, PaymentDraft
from crasme_desktop.services.quotes import LineDraft
from sqlalchemy import text

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
SELLER = BusinessSettings(
    name="Crasme Studio", address_lines=("Hauptstr. 1", "10115 Berlin"), country_code="DE",
    tax_id="DE136695976", iban="DE89 3704 0044 0532 0130 00", default_currency="EUR",
    payment_terms_days=14, locale="en_GB",
)


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 12, 0, tzinfo=UTC)


@dataclass
class Aged:
    ada: str
    jonas: str
    company: str
    old_note: str
    young_note: str
    old_done_task: str
    old_open_task: str
    old_attachment: str
    old_invoice: str
    young_invoice: str
    credited_old: str
    old_credit_note: str
    held_invoice: str
    young_credit_note: str


def issue(vault, customer_id: str, day: date, amount: str = "100.00") -> str:
    lines = (LineDraft("Consulting", Decimal(1), "h", Decimal(amount), Decimal(0), None),)
    made = invoices.save_invoice_draft(
        vault, InvoiceDraft(customer_organization_id=customer_id, lines=lines))
    return invoices.issue_invoice(vault, made.id, today=day).id


def fill(vault) -> Aged:
    """People, timeline entries, attachments, invoices and audit events of known ages."""
    business.save_business(vault, SELLER)
    ada = contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="Lovelace")).id
    jonas = contacts.create_person(vault, PersonDraft(given_name="Jonas",
                                                      family_name="Kühnemann")).id
    company = contacts.create_organization(vault, OrganizationDraft("Kühnemann Bau")).id
    # Timeline: 24 months before TODAY is 2024-06-15.
    old_note = timeline.add_note(vault, "Met at the fair", person_id=ada,
                                 occurred_at=at(2024, 6, 14)).id
    young_note = timeline.add_note(vault, "Called back", person_id=ada,
                                   occurred_at=at(2024, 6, 16)).id
    old_done_task = timeline.add_entry(vault, "task", subject="Send brochure", person_id=ada,
                                       occurred_at=at(2020, 1, 1)).id
    timeline.complete_task(vault, old_done_task)
    old_open_task = timeline.add_entry(vault, "task", subject="Renew contract",
                                       organization_id=company,
                                       occurred_at=at(2020, 1, 1)).id
    old_attachment = attachments.add_attachment(
        vault, filename="fair-notes.txt", data=b"notes from the fair",
        activity_id=old_note).id
    # Invoices: 7 years before TODAY is 2019-06-15.
    old_invoice = issue(vault, company, date(2019, 6, 14))
    invoices.record_payment(vault, old_invoice,
                            PaymentDraft(date(2019, 6, 20), Decimal("119.00"), "EUR"))
    young_invoice = issue(vault, company, date(2019, 7, 15))  # 6 years 11 months
    credited_old = issue(vault, company, date(2019, 5, 1))
    old_credit_note = invoices.create_credit_note(vault, credited_old,
                                                  today=date(2019, 5, 2)).id
    held_invoice = issue(vault, company, date(2019, 5, 10))
    young_credit_note = invoices.create_credit_note(vault, held_invoice,
                                                    today=date(2020, 1, 10)).id
    timeline.add_note(vault, "Invoice sent", organization_id=company,
                      subject_kind="invoice", subject_id=old_invoice,
                      occurred_at=at(2024, 7, 1))
    with vault.engine.begin() as conn:
        for i, when in enumerate(("2024-06-14 10:00:00", "2024-06-16 10:00:00")):
            conn.execute(text(
                "INSERT INTO audit_event (id, at, actor, action, record_type, record_id,"
                " seq, prev_hash, hash) VALUES (:id, :at, 'office', 'person.update',"
                " 'person', :p, :seq, '', '')"),
                {"id": f"audit-{i}", "at": when, "p": ada, "seq": -1 - i})
        rechain_by_time(conn)
    return Aged(ada, jonas, company, old_note, young_note, old_done_task, old_open_task,
                old_attachment, old_invoice, young_invoice, credited_old, old_credit_note,
                held_invoice, young_credit_note)


def rechain_by_time(conn) -> None:
    """Chain the audit trail again in time order, as if events put in by hand with old
    times had been written then (the way migration 0009 chains a trail)."""
    from crasme_desktop.domain.audit_chain import GENESIS, entry_hash

    rows = conn.execute(text(
        "SELECT id, at, user_id, actor, action, record_type, record_id FROM audit_event"
        " ORDER BY at, seq")).all()
    conn.execute(text("UPDATE audit_event SET seq = -seq - 1000000"))
    prev = GENESIS
    for seq, row in enumerate(rows, start=1):
        at = datetime.fromisoformat(str(row.at))
        digest = entry_hash(seq, at, row.user_id, row.actor, row.action, row.record_type,
                            row.record_id, prev)
        conn.execute(text("UPDATE audit_event SET seq = :s, prev_hash = :p, hash = :h"
                          " WHERE id = :id"), {"s": seq, "p": prev, "h": digest, "id": row.id})
        prev = digest


def backdate_people(vault, *ids: str, when: str = "2020-01-01 00:00:00") -> None:
    """Make people look untouched since `when` (their rows and their timelines)."""
    with vault.engine.begin() as conn:
        for pid in ids:
            conn.execute(text("UPDATE person SET updated_at = :w, created_at = :w"
                              " WHERE id = :p"), {"w": when, "p": pid})
            conn.execute(text("UPDATE activity SET occurred_at = :w WHERE person_id = :p"),
                         {"w": when, "p": pid})


def table_counts(vault) -> dict[str, int]:
    with vault.engine.connect() as conn:
        names = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'search_%'").scalars().all()
        return {n: conn.exec_driver_sql(f'SELECT count(*) FROM "{n}"').scalar_one()
                for n in names}


def ids_in(vault, table: str) -> set[str]:
    with vault.engine.connect() as conn:
        return set(conn.exec_driver_sql(f'SELECT id FROM "{table}"').scalars())
