"""Where personal data lives: every column of every table, tagged in one place.

Each table has a `TableTag`: what its rows are (a label), why they are kept (a
purpose), how long (a retention rule key), how a row belongs to one person (its
`subject` link), and for every column either a category of personal data or "not
personal". The privacy export, the erase and the record of processing read this
map; a test fails when a table or a column of the schema is missing from it, so a
new column cannot slip in untagged.

Categories (what kind of personal data a column holds):
- identity: names, job titles, tax ids of people and companies;
- contact: email addresses, phone numbers, postal and billing addresses, websites;
- notes: free text written about someone (notes, timeline texts, attachments);
- relationship: links and labels (which company, tags, where the contact came from);
- financial: what someone bought, owes and paid;
- privacy: consents, restrictions and privacy requests;
- staff: the names of the people who use Crasme Desktop (owners, actors). This is
  personal data of colleagues, not of the person a record is about, so it is left
  out of a person's export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

CATEGORIES: Mapping[str, str] = {
    "identity": "Identity (names, job title, tax number)",
    "contact": "Contact details (email, phone, postal and billing address)",
    "notes": "Notes, timeline entries and attached files",
    "relationship": "Relationship (company, tags, source)",
    "financial": "Deals, quotes, invoices, payments and credit",
    "privacy": "Consent, restriction and privacy requests",
    "staff": "Names of the colleagues who own or changed records",
}

#: Why each kind of record is kept, and on what ground.
PURPOSES: Mapping[str, tuple[str, str]] = {
    "relationship": ("Keeping in touch with customers and contacts",
                     "legitimate interests of the business, or a contract"),
    "sales": ("Quotes, invoicing, payments and bookkeeping",
              "a contract, and the legal duty to keep accounting records"),
    "privacy": ("Answering privacy rights and keeping consent",
                "a legal obligation"),
    "security": ("Keeping a record of who changed what, and undoing mistakes",
                 "legitimate interests (security and accountability)"),
    "support": ("Answering customers' questions and problems (support tickets)",
                "a contract, or legitimate interests of the business"),
    "field_work": ("Planning and doing work at customers' sites (jobs and appointments)",
                   "a contract"),
    "operation": ("Running Crasme Desktop (settings, numbering, lists)",
                  "no personal data"),
}

#: Retention rule keys with their default period in months (None: kept while the
#: record exists, until it is deleted or erased) and what the period counts from.
RETENTION: Mapping[str, tuple[int | None, str]] = {
    "while_kept": (None, "kept until it is deleted or the person is erased"),
    "inactive_people": (None, "kept until erased; people without activity can be flagged "
                              "after a chosen time (off by default)"),
    "activity": (24, "months after the entry's date"),
    "audit": (24, "months after the event"),
    "invoices": (84, "months (7 years) after the invoice was issued"),
    "privacy_records": (None, "kept as proof of how a right or consent was handled"),
    "backups": (None, "backups are kept for the days set in Settings"),
}

STAMPS = "id created_at updated_at"


@dataclass(frozen=True)
class TableTag:
    """How one table holds personal data."""

    label: str
    purpose: str
    retention: str
    #: column -> category (see CATEGORIES) for the columns that hold personal data.
    personal: Mapping[str, str]
    #: the other columns: ids, stamps, amounts and codes that say nothing about a person.
    plain: frozenset[str] = field(default_factory=frozenset)
    #: how a row belongs to one person: "" (never), "self" (the row is the person),
    #: or the name of a column holding the person's id.
    subject: str = ""

    @property
    def columns(self) -> frozenset[str]:
        return frozenset(self.personal) | self.plain

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(sorted({c for c in self.personal.values() if c != "staff"}))


def _tag(label: str, purpose: str, retention: str, personal: Mapping[str, str],
         plain: str, subject: str = "") -> TableTag:
    return TableTag(label, purpose, retention, dict(personal), frozenset(plain.split()),
                    subject)


_LINE = ("position product_id quantity unit unit_price_minor discount_bp tax_rate_id "
         "tax_rate_bp net_minor")

PERSONAL: Mapping[str, TableTag] = {
    "setting": _tag("Settings", "operation", "while_kept", {}, "key value updated_at"),
    "tag": _tag("Tags", "relationship", "while_kept", {}, f"{STAMPS} name name_key"),
    "person_tag": _tag("Tags of people", "relationship", "while_kept", {},
                       "person_id tag_id", subject="person_id"),
    "organization_tag": _tag("Tags of companies", "relationship", "while_kept", {},
                             "organization_id tag_id"),
    "organization": _tag(
        "Companies", "relationship", "while_kept",
        {"name": "identity", "sort_key": "identity", "tax_id": "identity",
         "website": "contact", "owner": "staff", "notes": "notes"},
        STAMPS),
    "person": _tag(
        "People", "relationship", "inactive_people",
        {"given_name": "identity", "family_name": "identity", "display_name": "identity",
         "sort_key": "identity", "job_title": "identity", "organization_id": "relationship",
         "owner": "staff", "source": "relationship", "notes": "notes"},
        STAMPS, subject="self"),
    "person_email": _tag(
        "Email addresses", "relationship", "inactive_people",
        {"address": "contact", "address_key": "contact"},
        f"{STAMPS} person_id kind is_primary position", subject="person_id"),
    "person_phone": _tag(
        "Phone numbers", "relationship", "inactive_people",
        {"number": "contact", "extension": "contact"},
        f"{STAMPS} person_id kind is_primary position", subject="person_id"),
    "postal_address": _tag(
        "Postal addresses", "relationship", "inactive_people",
        {"street": "contact", "postal_code": "contact", "city": "contact",
         "region": "contact", "country_code": "contact"},
        f"{STAMPS} person_id organization_id kind position", subject="person_id"),
    "activity": _tag(
        "Timeline entries (notes, calls, meetings, emails, tasks)", "relationship", "activity",
        {"subject": "notes", "body": "notes", "owner": "staff"},
        f"{STAMPS} kind occurred_at due_at remind_at done_at person_id organization_id "
        "subject_kind subject_id", subject="person_id"),
    "attachment": _tag(
        "Attached files", "relationship", "while_kept", {"filename": "notes"},
        f"{STAMPS} media_type size sha256 activity_id person_id organization_id "
        "subject_kind subject_id", subject="person_id"),
    "attachment_content": _tag("Contents of attached files", "relationship", "while_kept",
                               {"data": "notes"}, "attachment_id"),
    "saved_view": _tag("Saved list views", "operation", "while_kept", {},
                       f"{STAMPS} page name name_key spec position"),
    "merge_record": _tag(
        "Merges (to undo them)", "security", "while_kept", {"snapshot": "identity"},
        f"{STAMPS} kind kept_id removed_id undone_at"),
    "audit_event": _tag("Audit trail (ids only)", "security", "audit", {"actor": "staff"},
                        "id at action record_type record_id user_id seq prev_hash hash"),
    "tax_rate": _tag("Tax rates", "operation", "while_kept", {},
                     f"{STAMPS} name rate_bp is_default archived position"),
    "number_series": _tag("Number series", "operation", "while_kept", {},
                          f"{STAMPS} kind name pattern reset is_default archived"),
    "number_counter": _tag("Number counters", "operation", "while_kept", {},
                           "series_id period last_value"),
    "product": _tag("Products and services", "sales", "while_kept", {},
                    f"{STAMPS} name sort_key description unit unit_price_minor currency "
                    "tax_rate_id archived"),
    "quote": _tag(
        "Quotes", "sales", "while_kept",
        {"customer_person_id": "financial", "customer_organization_id": "financial",
         "billing_name": "identity", "net_minor": "financial", "tax_minor": "financial",
         "total_minor": "financial", "notes": "notes"},
        f"{STAMPS} number series_id status currency issue_date valid_until "
        "prices_include_tax invoice_id deal_id", subject="customer_person_id"),
    "quote_line": _tag("Quote lines", "sales", "while_kept", {"description": "financial"},
                       f"{STAMPS} quote_id {_LINE}"),
    "invoice": _tag(
        "Invoices and credit notes", "sales", "invoices",
        {"customer_person_id": "financial", "customer_organization_id": "financial",
         "billing_name": "identity", "billing_address": "contact",
         "billing_country": "contact", "billing_tax_id": "identity",
         "billing_email": "contact", "net_minor": "financial", "tax_minor": "financial",
         "total_minor": "financial", "paid_minor": "financial",
         "credited_minor": "financial", "notes": "notes"},
        f"{STAMPS} kind series_id number status seller_snapshot currency issue_date "
        "due_date payment_terms_days prices_include_tax credit_of_id quote_id "
        "recurring_id recurring_period issued_at", subject="customer_person_id"),
    "invoice_line": _tag("Invoice lines", "sales", "invoices", {"description": "financial"},
                         f"{STAMPS} invoice_id {_LINE}"),
    "invoice_tax_total": _tag("Invoice tax totals", "sales", "invoices",
                              {"net_minor": "financial", "tax_minor": "financial"},
                              "invoice_id rate_bp"),
    "payment": _tag(
        "Payments", "sales", "invoices",
        {"amount_minor": "financial", "reference": "financial", "note": "notes"},
        f"{STAMPS} invoice_id paid_on currency method"),
    "customer_credit": _tag(
        "Customer credit", "sales", "invoices",
        {"customer_person_id": "financial", "customer_organization_id": "financial",
         "amount_minor": "financial", "used_minor": "financial", "note": "notes"},
        f"{STAMPS} payment_id invoice_id currency", subject="customer_person_id"),
    "recurring_invoice": _tag(
        "Recurring invoices", "sales", "while_kept",
        {"customer_person_id": "financial", "customer_organization_id": "financial",
         "lines": "financial", "notes": "notes"},
        f"{STAMPS} name interval start_date next_date end_date active series_id currency "
        "prices_include_tax payment_terms_days", subject="customer_person_id"),
    # --- Privacy (schema 0006) ------------------------------------------------------
    "consent": _tag(
        "Consents", "privacy", "privacy_records",
        {"purpose": "privacy", "granted": "privacy", "at": "privacy", "source": "privacy",
         "notice_version": "privacy"},
        f"{STAMPS} person_id", subject="person_id"),
    "restriction": _tag(
        "Restrictions of processing", "privacy", "privacy_records",
        {"start_reason": "privacy", "lift_reason": "privacy"},
        f"{STAMPS} person_id started_at lifted_at", subject="person_id"),
    "privacy_request": _tag(
        "Privacy requests", "privacy", "privacy_records",
        {"subject_label": "identity", "note": "privacy"},
        f"{STAMPS} kind person_id received_on due_on status done_on", subject="person_id"),
    "erasure": _tag("Erasures (one-way hashes only)", "privacy", "privacy_records", {},
                    f"{STAMPS} subject_hash erased_at kept_until"),
    "notice_ack": _tag("Acknowledgements of the privacy notice", "privacy", "privacy_records",
                       {"actor": "staff"}, f"{STAMPS} version at"),
    "retention_run": _tag("Retention runs", "privacy", "privacy_records", {},
                          f"{STAMPS} at dry_run summary"),
    # --- Deals (schema 0007) ---------------------------------------------------------
    "pipeline": _tag("Sales pipelines", "operation", "while_kept", {},
                     f"{STAMPS} name position is_default"),
    "deal_stage": _tag("Stages of sales pipelines", "operation", "while_kept", {},
                       f"{STAMPS} pipeline_id name position probability kind"),
    # A deal belongs to its person: erasing them deletes it (see services/deals.py for
    # what a deal of a company with the person as contact should do instead).
    "deal": _tag(
        "Deals (possible sales)", "sales", "while_kept",
        {"title": "financial", "title_key": "financial", "value_minor": "financial",
         "person_id": "relationship", "organization_id": "relationship",
         "next_step": "notes", "close_reason": "notes", "notes": "notes",
         "owner": "staff"},
        f"{STAMPS} pipeline_id stage_id status position currency expected_close "
        "probability closed_on", subject="person_id"),
    # Staff, tickets and the schedule (migration 0008). Tickets and jobs belong to
    # their requester or customer: erasing the person deletes them.
    "app_user": _tag("Users of the vault", "security", "while_kept",
                     {"display_name": "staff", "name_key": "staff"},
                     f"{STAMPS} role_id active"),
    "role": _tag("Roles of users", "security", "while_kept", {},
                 f"{STAMPS} name name_key builtin description"),
    "role_permission": _tag("Permissions of custom roles", "security", "while_kept", {},
                            "role_id permission"),
    "staff_member": _tag(
        "Staff members", "operation", "while_kept",
        {"name": "staff", "name_key": "staff", "email": "staff", "phone": "staff",
         "os_user": "staff"},
        f"{STAMPS} active work_days day_start day_end colour"),
    "staff_absence": _tag("Absences of staff members", "operation", "while_kept",
                          {"reason": "staff"}, f"{STAMPS} staff_id first_day last_day"),
    "holiday": _tag("Holidays of the office", "operation", "while_kept", {},
                    f"{STAMPS} day name"),
    "sla_policy": _tag("Service targets (SLA)", "operation", "while_kept", {},
                       f"{STAMPS} priority first_response_minutes resolution_minutes"),
    "canned_reply": _tag("Canned replies", "operation", "while_kept", {},
                         f"{STAMPS} name name_key body"),
    "ticket": _tag(
        "Support tickets", "support", "while_kept",
        {"subject": "notes", "subject_key": "notes", "requester_id": "relationship",
         "requester_email": "contact", "organization_id": "relationship",
         "category": "notes", "tags": "relationship", "assignee_id": "staff"},
        f"{STAMPS} number status priority invoice_id merged_into_id mail_token "
        "response_due_at resolution_due_at next_due_at paused_since paused_minutes "
        "first_response_at response_met solved_at resolution_met closed_at last_message_at",
        subject="requester_id"),
    "ticket_message": _tag(
        "Messages of support tickets", "support", "while_kept",
        {"author": "identity", "author_email": "contact", "body": "notes",
         "message_id": "contact", "references": "contact", "mail_error": "notes"},
        f"{STAMPS} ticket_id kind occurred_at mail_status"),
    "ticket_status_change": _tag(
        "Status history of support tickets", "support", "while_kept", {},
        f"{STAMPS} ticket_id at from_status to_status"),
    "inbox_item": _tag(
        "Messages taken in from the support mailbox", "support", "while_kept",
        {"message_id": "contact", "reason": "notes"},
        f"{STAMPS} mailbox uid_validity uid outcome ticket_id fetched_at"),
    "job": _tag(
        "Jobs and appointments", "field_work", "while_kept",
        {"title": "notes", "title_key": "notes", "person_id": "relationship",
         "organization_id": "relationship", "site_address": "contact", "notes": "notes",
         "field_notes": "notes", "assignee_id": "staff"},
        f"{STAMPS} number kind window_start window_end scheduled_start duration_minutes "
        "status ticket_id deal_id invoice_id started_at finished_at minutes_worked ics_uid",
        subject="person_id"),
    "job_material": _tag(
        "Materials used on jobs", "field_work", "while_kept", {},
        f"{STAMPS} job_id position product_id description quantity unit unit_price_minor"),
}

#: Stores outside the tables above that copy personal data, and how they are handled.
DERIVED: Mapping[str, str] = {
    "search_doc": "the search index: names, emails and phone numbers of people and "
                  "companies, rebuilt from the tables and erased with them",
}


def personal_columns(table: str) -> tuple[str, ...]:
    """The columns of `table` that hold personal data (of anyone), in name order."""
    return tuple(sorted(PERSONAL[table].personal))


def category_of(table: str, column: str) -> str | None:
    """The category of personal data in this column, or None when it holds none."""
    return PERSONAL[table].personal.get(column)


def staff_columns(table: str) -> tuple[str, ...]:
    """Columns naming colleagues, left out of a person's export."""
    return tuple(sorted(c for c, cat in PERSONAL[table].personal.items() if cat == "staff"))


def untagged(tables: Mapping[str, frozenset[str]]) -> list[str]:
    """'table' or 'table.column' for each table and column given that the map does not
    tag, and for tagged columns that `tables` does not have (a stale tag)."""
    problems: list[str] = []
    for name, columns in sorted(tables.items()):
        tag = PERSONAL.get(name)
        if tag is None:
            problems.append(name)
            continue
        both = frozenset(tag.personal) & tag.plain
        problems += [f"{name}.{c} (tagged twice)" for c in sorted(both)]
        problems += [f"{name}.{c}" for c in sorted(columns - tag.columns)]
        problems += [f"{name}.{c} (no such column)" for c in sorted(tag.columns - columns)]
    return problems
