"""Erase one person, or the whole vault (the right to erasure, done properly).

`erase_preview` says what an erase would delete, what it must keep (issued invoices
and credit notes keep their printed billing snapshot for the invoice retention period,
7 years after issue by default), what it changes on other records, and what stops it.
`erase_person` then does it in ONE write transaction: the person and every row that
is theirs (emails, phones, addresses, tags, consents, restrictions, timeline entries on
their record, attachments with their bytes, merge snapshots, own quotes, draft invoices
and recurring plans, search entries), clears their name from the privacy register and
from the owner field of other records, cuts the links of kept invoices to them, and
remembers the erasure only as sha256(person id) in `erasure`. After the commit the
WAL is checkpointed and truncated (`Vault.scrub`), so with `secure_delete` (pages) and
FTS5 `secure-delete` (search index) nothing of the person is left in the file.

Decisions (documented, tested):
- The typed confirmation is the person's display name, compared without regard to
  case, accents' composition or repeated spaces; a person without a name is confirmed
  with the word ERASE (`ErasePreview.confirm_text` says which).
- Unpaid issued invoices of the person REFUSE the erase: record the payment or issue
  a credit note first (an erase must not make a debt unreadable or unprovable).
- Other records whose owner is the person's name get an empty owner.
- A kept invoice stays findable by its number only; its e-mail address (not printed,
  not frozen) is cleared.
- Restoring an older backup re-applies every erasure made since (`reapply_erasures`,
  wired into `services.backups.restore_backup`).
- Erase everything: the typed words ERASE EVERYTHING; files are deleted, not
  overwritten (overwriting does not reach the old blocks on SSDs and journaling file
  systems; the vault's encryption is what protects them once the key is gone).
- Permissions: the preview and the erase of a person need `erase`; erasing everything
  with the vault unlocked needs `erase` and `backups_restore` (its backups go too).
  Re-applying erasures after a restore is part of the restore, so it checks nothing.
"""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Table, and_, delete, false, func, or_, select, text, true, update
from sqlalchemy.orm import Session

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import (
    Activity,
    Attachment,
    Base,
    Consent,
    CustomerCredit,
    Deal,
    Erasure,
    InboxItem,
    Invoice,
    MergeRecord,
    Organization,
    Person,
    PersonEmail,
    PersonPhone,
    PostalAddress,
    PrivacyRequest,
    Quote,
    RecurringInvoice,
    Restriction,
    Ticket,
    TicketMessage,
    person_tag,
)
from crasme_desktop.domain.personal_data import PERSONAL
from crasme_desktop.domain.progress import Progress
from crasme_desktop.services import audit, permissions, search_index
from crasme_desktop.services.merge import forget_merges
from crasme_desktop.vault import Keychain, Vault

log = logging.getLogger(__name__)

#: Months an issued invoice is kept after its issue date when no rule says otherwise.
DEFAULT_INVOICE_MONTHS = 84
INVOICE_RULE_KEY = "invoices"
NAMELESS_CONFIRMATION = "ERASE"
ERASE_ALL_CONFIRMATION = "ERASE EVERYTHING"
ALREADY_ERASED = "This person has already been erased."
INVOICE_REASON = (
    "Issued invoices and credit notes must be kept for bookkeeping; they keep the "
    "billing details printed on them"
)
OPEN_STATUSES = ("issued", "partly_paid")


# -- results -------------------------------------------------------------------------
@dataclass(frozen=True)
class EraseItem:
    """A kind of data and how many rows of it (deleted or changed)."""

    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class KeptItem:
    what: str
    reason: str
    until: date | None = None


@dataclass(frozen=True)
class Blocker:
    """Something that stops the erase (`refuses`) or that the erase handles a certain
    way; `message` says what to do in one sentence."""

    kind: str
    message: str
    refuses: bool = True


@dataclass(frozen=True)
class ErasePreview:
    person_id: str
    display_name: str
    confirm_text: str
    deleted: tuple[EraseItem, ...]
    changed: tuple[EraseItem, ...]
    kept: tuple[KeptItem, ...]
    blockers: tuple[Blocker, ...]
    kept_until: date | None

    @property
    def can_erase(self) -> bool:
        return not any(b.refuses for b in self.blockers)

    @property
    def deleted_total(self) -> int:
        return sum(item.count for item in self.deleted)


@dataclass(frozen=True)
class EraseOutcome:
    person_id: str
    deleted: tuple[EraseItem, ...]
    kept_until: date | None
    #: False if another connection kept the write-ahead log from being emptied; the
    #: next checkpoint (at the latest when the vault closes) finishes the job.
    scrubbed: bool
    message: str


@dataclass(frozen=True)
class EraseAllOutcome:
    removed: tuple[Path, ...]
    keychain_cleared: bool
    message: str
    left: tuple[str, ...] = field(default_factory=tuple)
    #: Files deleted from the off-site storage (backups, manifests and key slots).
    remote_deleted: int = 0


# -- helpers ---------------------------------------------------------------------------
def subject_hash(person_id: str) -> str:
    """The one-way fingerprint under which an erasure is remembered."""
    return hashlib.sha256(person_id.encode("utf-8")).hexdigest()


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def confirmation_for(display_name: str) -> str:
    """What the person erasing must type: the display name, or ERASE if it is empty."""
    return display_name.strip() or NAMELESS_CONFIRMATION


def _add_years_months(day: date, months: int) -> date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def invoice_retention_months(vault: Vault) -> int:
    """The invoice retention period of the retention rules (84 months by default)."""
    from crasme_desktop.services import retention  # it imports backups, which imports us

    for rule in retention.retention_rules(vault):
        if rule.key == INVOICE_RULE_KEY and rule.months > 0:
            return int(rule.months)
    return DEFAULT_INVOICE_MONTHS


def _today(vault: Vault) -> date:
    return vault.clock.now().astimezone().date()


def _count(s: Session, statement: Any) -> int:
    return int(s.execute(statement).scalar() or 0)


def _ids(s: Session, statement: Any) -> list[str]:
    return [row[0] for row in s.execute(statement)]


def _is_erased(s: Session, person_id: str) -> bool:
    found = s.execute(
        select(Erasure.subject_hash).where(Erasure.subject_hash == subject_hash(person_id))
    ).first()
    return found is not None


def _load(s: Session, person_id: str) -> Person:
    person = s.get(Person, person_id)
    if person is None:
        if _is_erased(s, person_id):
            raise UserError(ALREADY_ERASED)
        raise UserError("That person no longer exists; it may have been deleted meanwhile.")
    return person


def _owner_names(person: Person) -> set[str]:
    full = " ".join(p for p in (person.given_name, person.family_name) if p.strip())
    return {n for n in (_normal(person.display_name), _normal(full)) if len(n) >= 2}


# -- the survey: what an erase touches ----------------------------------------------
@dataclass
class _Survey:
    person: Person
    activity_ids: list[str]
    attachment_ids: list[str]
    own_quotes: list[str]
    own_drafts: list[str]
    own_plans: list[str]
    kept_invoices: list[tuple[str, str, str, date]]  # id, kind, number, issue date
    linked_invoices: list[str]  # every invoice naming the person (kept, company, draft)
    owned: dict[str, list[str]]  # table -> ids whose owner is the person's name
    own_deals: list[str]  # deals with no company: theirs alone, deleted
    company_deals: list[str]  # company deals naming them as the contact: link cut
    tickets: list[str]  # tickets they asked for (or sent from their address): deleted
    deleted: list[EraseItem]
    changed: list[EraseItem]
    blockers: list[Blocker]


def _survey(s: Session, person: Person) -> _Survey:
    pid = person.id
    activities = _ids(s, select(Activity.id).where(or_(
        Activity.person_id == pid,
        and_(Activity.subject_kind == "person", Activity.subject_id == pid))))
    attachments = _ids(s, select(Attachment.id).where(or_(
        Attachment.person_id == pid,
        and_(Attachment.subject_kind == "person", Attachment.subject_id == pid),
        Attachment.activity_id.in_(activities) if activities else false())))
    own_quotes = _ids(s, select(Quote.id).where(
        Quote.customer_person_id == pid, Quote.customer_organization_id.is_(None)))
    own_drafts = _ids(s, select(Invoice.id).where(
        Invoice.customer_person_id == pid, Invoice.customer_organization_id.is_(None),
        Invoice.status == "draft"))
    own_plans = _ids(s, select(RecurringInvoice.id).where(
        RecurringInvoice.customer_person_id == pid,
        RecurringInvoice.customer_organization_id.is_(None)))
    kept = [
        (row.id, row.kind, row.number or "", row.issue_date)
        for row in s.execute(
            select(Invoice.id, Invoice.kind, Invoice.number, Invoice.issue_date)
            .where(Invoice.customer_person_id == pid, Invoice.status != "draft")
            .order_by(Invoice.issue_date, Invoice.number))
    ]
    linked = _ids(s, select(Invoice.id).where(Invoice.customer_person_id == pid))
    unpaid = s.execute(
        select(Invoice.number).where(
            Invoice.customer_person_id == pid,
            Invoice.customer_organization_id.is_(None),
            Invoice.kind == "invoice",
            Invoice.status.in_(OPEN_STATUSES),
            Invoice.total_minor - Invoice.paid_minor - Invoice.credited_minor > 0,
        ).order_by(Invoice.issue_date, Invoice.number)
    ).scalars().all()
    owned = _owned_records(s, person)
    own_deals = _ids(s, select(Deal.id).where(
        Deal.person_id == pid, Deal.organization_id.is_(None)))
    company_deals = _ids(s, select(Deal.id).where(
        Deal.person_id == pid, Deal.organization_id.is_not(None)))
    tickets = _person_tickets(s, pid)

    def n(table: Any, *where: Any) -> int:
        return _count(s, select(func.count()).select_from(table).where(*where))

    deleted = [
        EraseItem("person", "The person's record (names, job title, notes)", 1),
        EraseItem("emails", "Email addresses", n(PersonEmail, PersonEmail.person_id == pid)),
        EraseItem("phones", "Phone numbers", n(PersonPhone, PersonPhone.person_id == pid)),
        EraseItem("addresses", "Postal addresses",
                  n(PostalAddress, PostalAddress.person_id == pid)),
        EraseItem("tags", "Tags on the person", n(person_tag, person_tag.c.person_id == pid)),
        EraseItem("timeline", "Timeline entries on their record", len(activities)),
        EraseItem("attachments", "Attachments (with their contents)", len(attachments)),
        EraseItem("merges", "Merge histories (kept to undo a merge)", n(
            MergeRecord.__table__, MergeRecord.kind == "person",
            or_(MergeRecord.kept_id == pid, MergeRecord.removed_id == pid))),
        EraseItem("search", "Search index entries", _count(s, text(
            "SELECT count(*) FROM search_doc WHERE record_id = :p").bindparams(p=pid))),
        EraseItem("quotes", "Quotes to them", len(own_quotes)),
        EraseItem("draft_invoices", "Draft invoices to them", len(own_drafts)),
        EraseItem("recurring", "Recurring invoice plans for them", len(own_plans)),
        EraseItem("deals", "Deals with them (no company)", len(own_deals)),
    ]
    deleted.append(EraseItem("consent", "Consent records", n(Consent, Consent.person_id == pid)))
    deleted.append(EraseItem("restriction", "Restrictions of processing",
                             n(Restriction, Restriction.person_id == pid)))
    deleted.extend(_other_cascades(s, pid))
    deleted.extend(_ticket_items(s, tickets, activities))
    deleted = [item for item in deleted if item.count]

    company_docs = _count(s, select(func.count()).select_from(Invoice).where(
        Invoice.customer_person_id == pid, Invoice.customer_organization_id.is_not(None)))
    company_docs += _count(s, select(func.count()).select_from(Quote).where(
        Quote.customer_person_id == pid, Quote.customer_organization_id.is_not(None)))
    credits = _count(s, select(func.count()).select_from(CustomerCredit).where(
        CustomerCredit.customer_person_id == pid))
    changed = [
        EraseItem("company_documents",
                  "Company quotes and invoices no longer name them as the contact",
                  company_docs),
        EraseItem("kept_invoice_links",
                  "Kept invoices lose their link to the person and their e-mail address",
                  len(kept)),
        EraseItem("credits", "Customer credit records lose their link to the person", credits),
        EraseItem("company_deals", "Company deals no longer name them as the contact",
                  len(company_deals)),
        EraseItem("owner", "Records that named them as owner get an empty owner",
                  sum(len(v) for v in owned.values())),
        EraseItem("requests", "Privacy requests about them lose their name",
                  _requests_about(s, pid)),
    ]
    changed = [item for item in changed if item.count]

    blockers = [
        Blocker("unpaid_invoice",
                f"Invoice {number} to this person is not fully paid: record the payment "
                "or issue a credit note first, then erase the person.")
        for number in unpaid
    ]
    blockers.extend(open_ticket_blockers(s, pid))
    return _Survey(person, activities, attachments, own_quotes, own_drafts, own_plans,
                   kept, linked, owned, own_deals, company_deals, tickets, deleted, changed,
                   blockers)


# -- tickets -------------------------------------------------------------------------
_TICKET_DONE = ("solved", "closed")
_TICKET_STATUS_WORDS = {"new": "new", "open": "open", "pending": "pending",
                        "on_hold": "on hold"}


def _person_tickets(s: Session, pid: str) -> list[str]:
    """The person's tickets: those they asked for, and those taken in from one of their
    addresses before the address was known to be theirs (no requester)."""
    keys = [k for k in s.execute(select(PersonEmail.address_key)
                                 .where(PersonEmail.person_id == pid)).scalars() if k]
    by_address = and_(Ticket.requester_id.is_(None),
                      func.lower(Ticket.requester_email).in_(keys)) if keys else false()
    return _ids(s, select(Ticket.id).where(or_(Ticket.requester_id == pid, by_address))
                .order_by(Ticket.number))


def open_ticket_blockers(session: Session, person_id: str) -> list[Blocker]:
    """One Blocker per ticket of this person that is not solved or closed: the office
    finishes the work (or closes it) before the person's data goes."""
    ids = _person_tickets(session, person_id)
    if not ids:
        return []
    rows = session.execute(select(Ticket.number, Ticket.status).where(
        Ticket.id.in_(ids), Ticket.status.not_in(_TICKET_DONE)).order_by(Ticket.number))
    return [
        Blocker("open_ticket",
                f"Ticket #{number} from this person is still "
                f"{_TICKET_STATUS_WORDS.get(status, status)}: solve or close it first, then "
                "erase the person.")
        for number, status in rows
    ]


def _ticket_items(s: Session, tickets: list[str], activities: list[str]) -> list[EraseItem]:
    if not tickets:
        return []
    messages = _ids(s, select(TicketMessage.id).where(TicketMessage.ticket_id.in_(tickets)))
    files = _count(s, select(func.count()).select_from(Attachment).where(
        Attachment.subject_kind == "ticket_message",
        Attachment.subject_id.in_(messages) if messages else false()))
    notes = _count(s, select(func.count()).select_from(Activity).where(
        Activity.subject_kind == "ticket", Activity.subject_id.in_(tickets),
        Activity.id.not_in(activities) if activities else true()))
    return [
        EraseItem("tickets", "Support tickets they asked for, with their status history",
                  len(tickets)),
        EraseItem("ticket_messages", "Messages of those tickets (replies, notes, theirs)",
                  len(messages)),
        EraseItem("ticket_attachments", "Files attached to those messages", files),
        EraseItem("ticket_timeline", "Entries about those tickets on their company's "
                  "timeline", notes),
    ]


def _erase_tickets(s: Session, tickets: list[str]) -> None:
    """Delete the person's tickets: messages and status history cascade, message
    attachments and search entries go by trigger (migration 0008); the mailbox's record
    of their mail keeps its place (so it is not taken in again) but not its
    Message-ID or reason."""
    for start in range(0, len(tickets), 500):
        chunk = tickets[start:start + 500]
        s.execute(update(InboxItem).where(InboxItem.ticket_id.in_(chunk))
                  .values(message_id="", reason=""))
        s.execute(delete(Activity).where(Activity.subject_kind == "ticket",
                                         Activity.subject_id.in_(chunk)))
        s.execute(delete(Ticket).where(Ticket.id.in_(chunk)))


def _requests_about(s: Session, pid: str) -> int:
    return _count(s, select(func.count()).select_from(PrivacyRequest).where(
        PrivacyRequest.person_id == pid, PrivacyRequest.subject_label != ""))


#: Tables whose rows of a person the survey names itself.
_HANDLED = {"person", "person_email", "person_phone", "postal_address", "person_tag",
            "activity", "attachment", "consent", "restriction", "quote", "invoice",
            "customer_credit", "recurring_invoice", "privacy_request", "deal",
            "ticket"}


def _other_tables() -> list[tuple[Table, Any, str]]:
    """(table, person column, label) for tables the list above does not name yet (later
    areas) whose rows belong to one person, found through the personal-data map (or,
    for a table it does not know, a foreign key to the person that cascades): such
    rows go with the person."""
    out = []
    for table in Base.metadata.sorted_tables:
        if table.name in _HANDLED:
            continue
        tag = PERSONAL.get(table.name)
        if tag is not None and tag.subject in table.c:
            columns = [table.c[tag.subject]]
        else:
            columns = [fk.parent for fk in table.foreign_keys
                       if fk.column.table.name == "person"
                       and (fk.ondelete or "").upper() == "CASCADE"]
        label = tag.label if tag is not None else table.name.replace("_", " ").capitalize()
        out.extend((table, column, label) for column in columns)
    return out


def _other_cascades(s: Session, pid: str) -> list[EraseItem]:
    return [
        EraseItem(table.name, label,
                  _count(s, select(func.count()).select_from(table).where(column == pid)))
        for table, column, label in _other_tables()
    ]


def _owned_records(s: Session, person: Person) -> dict[str, list[str]]:
    names = _owner_names(person)
    if not names:
        return {}
    out: dict[str, list[str]] = {}
    for model in (Person, Organization, Activity, Deal):
        # Owners are short names; compared in Python (case-folded) over the distinct few.
        owners = [o for o in s.execute(select(model.owner).distinct()).scalars()
                  if o and _normal(o) in names]
        if owners:
            ids = _ids(s, select(model.id).where(model.owner.in_(owners),
                                                 model.id != person.id))
            if ids:
                out[model.__tablename__] = ids
    return out


def _kept_items(survey: _Survey, months: int) -> list[KeptItem]:
    items = []
    for _id, kind, number, issued in survey.kept_invoices:
        what = "Credit note" if kind == "credit_note" else "Invoice"
        items.append(KeptItem(
            f"{what} {number}: billing name, address and tax id as printed, its lines "
            "and payments",
            INVOICE_REASON + f" ({months // 12 if months % 12 == 0 else months} "
            f"{'years' if months % 12 == 0 else 'months'} after issue).",
            _add_years_months(issued, months)))
    items.append(KeptItem(
        "A note that an erasure was done: the date and a one-way fingerprint of the "
        "record's id, no name",
        "So that restoring an older backup erases the person again.", None))
    items.append(KeptItem(
        "Audit entries (what was done and when, with record ids only)",
        "The vault's record of changes holds no names, e-mails or phone numbers.", None))
    return items


def _kept_until(survey: _Survey, months: int) -> date | None:
    dates = [_add_years_months(issued, months) for *_x, issued in survey.kept_invoices]
    return max(dates) if dates else None


# -- public API ------------------------------------------------------------------------
def erase_preview(vault: Vault, person_id: str) -> ErasePreview:
    """What erasing this person would delete, change and keep, and what stops it."""
    permissions.require(vault, "erase")
    months = invoice_retention_months(vault)
    with vault.unit_of_work() as uow:
        s = uow.session
        survey = _survey(s, _load(s, person_id))
        person = survey.person
        return ErasePreview(
            person_id=person.id,
            display_name=person.display_name,
            confirm_text=confirmation_for(person.display_name),
            deleted=tuple(survey.deleted),
            changed=tuple(survey.changed),
            kept=tuple(_kept_items(survey, months)),
            blockers=tuple(survey.blockers),
            kept_until=_kept_until(survey, months),
        )


def erase_person(
    vault: Vault, person_id: str, *, confirmation: str, progress: Progress | None = None
) -> EraseOutcome:
    """Erase one person in one transaction, then scrub the file (see the module doc)."""
    permissions.require(vault, "erase")
    months = invoice_retention_months(vault)
    today = _today(vault)
    if progress is not None:
        progress.update(0, 2, "Erasing the person")
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        person = _load(s, person_id)
        wanted = confirmation_for(person.display_name)
        if _normal(confirmation) != _normal(wanted):
            raise UserError(f"Type {wanted} exactly to confirm; nothing was erased.")
        survey = _survey(s, person)
        refusing = [b for b in survey.blockers if b.refuses]
        if refusing:
            raise UserError(refusing[0].message)
        _record_request(s, person_id, today)
        kept_until = _kept_until(survey, months)
        _erase(s, survey, vault.clock.now(), kept_until)
        deleted = tuple(survey.deleted)
    if progress is not None:
        progress.update(1, 2, "Removing the erased data from the file")
    scrubbed = vault.scrub()
    if progress is not None:
        progress.update(2, 2, "Done")
    total = sum(item.count for item in deleted)
    message = f"The person and {total - 1} records about them were erased."
    if kept_until is not None:
        message += (" Their issued invoices are kept for bookkeeping until "
                    f"{kept_until.isoformat()}.")
    return EraseOutcome(person_id, deleted, kept_until, scrubbed, message)


def _record_request(s: Session, person_id: str, today: date) -> None:
    from crasme_desktop.services import privacy_requests

    privacy_requests.record_done(s, "erasure", person_id, today=today)


def _erase(s: Session, survey: _Survey, now: Any, kept_until: date | None) -> None:
    """Everything of one person, inside the caller's transaction."""
    pid = survey.person.id
    from crasme_desktop.services import privacy_requests

    privacy_requests.clear_labels(s, pid)
    # Kept invoices: no e-mail (not printed), no "Attn." line on company drafts.
    if survey.linked_invoices:
        s.execute(update(Invoice).where(Invoice.id.in_(survey.linked_invoices))
                  .values(billing_email=""))
        attn = f"Attn. {survey.person.display_name}"
        for row in s.execute(select(Invoice.id, Invoice.billing_address).where(
                Invoice.id.in_(survey.linked_invoices), Invoice.status == "draft")):
            lines = [line for line in row.billing_address.split("\n") if line != attn]
            s.execute(update(Invoice).where(Invoice.id == row.id)
                      .values(billing_address="\n".join(lines)))
    for table_name, ids in survey.owned.items():
        model = {"person": Person, "organization": Organization, "activity": Activity,
                 "deal": Deal}[table_name]
        s.execute(update(model).where(model.id.in_(ids)).values(owner=""))
    if survey.own_drafts:
        search_index.unindex(s, "invoice", survey.own_drafts)
        s.execute(delete(Invoice).where(Invoice.id.in_(survey.own_drafts)))
    if survey.own_quotes:
        s.execute(update(Invoice).where(Invoice.quote_id.in_(survey.own_quotes))
                  .values(quote_id=None))
        s.execute(delete(Quote).where(Quote.id.in_(survey.own_quotes)))
    if survey.own_plans:
        s.execute(delete(RecurringInvoice).where(RecurringInvoice.id.in_(survey.own_plans)))
    if survey.own_deals:  # a trigger drops their search entries and quote links
        s.execute(delete(Deal).where(Deal.id.in_(survey.own_deals)))
    if survey.company_deals:
        s.execute(update(Deal).where(Deal.id.in_(survey.company_deals))
                  .values(person_id=None, updated_at=now))
    if survey.tickets:
        _erase_tickets(s, survey.tickets)
    if survey.attachment_ids:
        s.execute(delete(Attachment).where(Attachment.id.in_(survey.attachment_ids)))
    if survey.activity_ids:
        s.execute(delete(Activity).where(Activity.id.in_(survey.activity_ids)))
    for table, column, _label in _other_tables():
        s.execute(delete(table).where(column == pid))
    forget_merges(s, "person", [pid])
    search_index.unindex(s, "person", [pid])
    s.execute(delete(Person).where(Person.id == pid))  # the rest cascades or is cut
    _reindex_kept(s, [i for i in survey.linked_invoices if i not in survey.own_drafts])
    s.add(Erasure(subject_hash=subject_hash(pid), erased_at=now, kept_until=kept_until))
    audit.add(s, "person.erase", "person", pid)


def _reindex_kept(s: Session, invoice_ids: list[str]) -> None:
    """Kept invoices stay findable by number (and their company), not by the person."""
    if not invoice_ids:
        return
    search_index.unindex(s, "invoice", invoice_ids)
    rows = s.execute(
        select(Invoice.id, Invoice.number, Invoice.billing_name, Organization.name)
        .outerjoin(Organization, Organization.id == Invoice.customer_organization_id)
        .where(Invoice.id.in_(invoice_ids))
    ).all()
    docs = [
        search_index.Document("invoice", iid, search_index.invoice_text(
            number or "", billing if company else "", "", company or ""))
        for iid, number, billing, company in rows
    ]
    search_index.add_documents(s, docs)


# -- restoring older backups -------------------------------------------------------
def erasure_hashes(vault: Vault) -> list[str]:
    """Every erasure this vault remembers (sha256 hex of the erased person ids)."""
    with vault.unit_of_work() as uow:
        return list(uow.session.execute(
            select(Erasure.subject_hash).order_by(Erasure.subject_hash)).scalars())


def reapply_erasures(vault: Vault, hashes: Iterable[str]) -> int:
    """Erase again everyone in `hashes` that this vault still holds (after restoring an
    older backup), remember the hashes, and return how many people were erased again.
    Blockers do not stop it: the erase was already done and confirmed."""
    wanted = set(hashes)
    if not wanted:
        return 0
    months = invoice_retention_months(vault)
    now = vault.clock.now()
    erased = 0
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        known = set(s.execute(select(Erasure.subject_hash)).scalars())
        for missing in sorted(wanted - known):
            s.add(Erasure(subject_hash=missing, erased_at=now))
        again = [pid for pid in s.execute(select(Person.id)).scalars()
                 if subject_hash(pid) in wanted]
        for pid in again:
            person = s.get(Person, pid)
            assert person is not None  # nosec B101  # narrows a type the code above guarantees
            survey = _survey(s, person)
            _erase_again(s, survey, now, _kept_until(survey, months))
            erased += 1
    if erased:
        vault.scrub()
    return erased


def _erase_again(s: Session, survey: _Survey, now: Any, kept_until: date | None) -> None:
    pid = survey.person.id
    s.execute(delete(Erasure).where(Erasure.subject_hash == subject_hash(pid)))
    _erase(s, survey, now, kept_until)


# -- erase everything -------------------------------------------------------------------
def _erase_offsite(vault: Vault, left: list[str]) -> int:
    """Delete this vault's off-site copies and forget the storage's settings and secret
    key; a failure is said in `left` (the local erase goes on). Returns objects deleted."""
    from crasme_desktop.services import offsite

    settings = offsite.get_settings(vault)
    if not settings.configured:
        return 0
    try:
        gone = offsite.delete_all_remote(vault)
    except UserError as exc:
        left.append(f"The off-site copies in {settings.place} could not be deleted "
                    f"({exc.message.rstrip('.')}); delete them there by hand.")
        return 0
    with contextlib.suppress(UserError):
        offsite.forget_settings(vault)
    return gone


def erase_everything(
    vault_path: Path,
    *,
    confirmation: str,
    vault: Vault | None = None,
    keychain: Keychain | None = None,
    backup_folders: Sequence[Path] = (),
) -> EraseAllOutcome:
    """Delete the vault, its WAL and SHM, its key slots, its keychain entry, its lock
    file and its backups (in the folder beside it, the configured backup folder and
    `backup_folders`). `vault`, if given and unlocked, is asked for the configured
    backup folder and then closed. Backups of other vaults in those folders stay.

    Files are deleted, not overwritten: on SSDs and journaling file systems an
    overwrite does not reach the old blocks; without the key, what remains on the disk
    is encrypted noise."""
    from crasme_desktop.services import backups as backup_service
    from crasme_desktop.vault.backup import list_backups, manifest_path
    from crasme_desktop.vault.errors import VaultError
    from crasme_desktop.vault.keychain import KeychainUnavailableError
    from crasme_desktop.vault.lockfile import VaultLock
    from crasme_desktop.vault.paths import backup_dir, keyslot_path, sidecar_paths
    from crasme_desktop.vault.unlock import read_slot_file

    if vault is not None and not vault.closed:
        permissions.require(vault, "erase")
        permissions.require(vault, "backups_restore")
    if _normal(confirmation) != _normal(ERASE_ALL_CONFIRMATION):
        raise UserError(f"Type {ERASE_ALL_CONFIRMATION} to confirm; nothing was erased.")
    path = Path(vault_path).expanduser().absolute()
    folders = [backup_dir(path), *(Path(f).expanduser().absolute() for f in backup_folders)]
    if vault is not None and keychain is None:
        keychain = vault.keychain
    left: list[str] = []
    remote_gone = 0
    if vault is not None and not vault.closed:
        with contextlib.suppress(UserError, OSError):
            folders.append(backup_service.folder_for(vault).absolute())
        remote_gone = _erase_offsite(vault, left)
        vault.close()
    try:
        vault_id: str | None = read_slot_file(path).vault_id
    except (VaultError, OSError):
        vault_id = None
    lock = VaultLock(path)
    lock.acquire()  # raises VaultInUse if another window has it open
    removed: list[Path] = []

    def remove(target: Path) -> None:
        try:
            target.unlink()
        except FileNotFoundError:
            return
        except OSError as exc:
            left.append(f"{target} could not be deleted ({exc.strerror or exc}).")
            return
        removed.append(target)

    try:
        for target in (path, *sidecar_paths(path), keyslot_path(path)):
            remove(target)
        for folder in dict.fromkeys(folders):
            for info in _own_backups(folder, path, vault_id, list_backups):
                for target in (info, manifest_path(info), keyslot_path(info),
                               *sidecar_paths(info)):
                    remove(target)
            if folder == backup_dir(path):
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only if empty
        cleared = False
        if vault_id is not None:
            chain = keychain or Keychain()
            try:
                chain.delete(vault_id)
                chain.delete(vault_id, pending=True)
                cleared = True
            except (VaultError, KeychainUnavailableError):
                left.append("The key in this computer's keychain could not be removed; "
                            "delete the Crasme Desktop entry in the keychain by hand.")
    finally:
        lock.release()
        remove(lock.path)
    message = (f"The vault and {len(removed) - 1 if removed else 0} files belonging to it "
               "were deleted. The files were deleted, not overwritten: on today's disks "
               "an overwrite does not reach the old blocks, and without the key what "
               "remains is unreadable.")
    if remote_gone:
        message += f" The off-site storage's {remote_gone} files of it were deleted too."
    return EraseAllOutcome(tuple(removed), cleared, message, tuple(left), remote_gone)


def _own_backups(folder: Path, vault_path: Path, vault_id: str | None,
                 list_backups: Any) -> list[Path]:
    """Backups of this vault in `folder`: named after it and, when they have key slots,
    made with the same vault id."""
    from crasme_desktop.vault.errors import VaultError
    from crasme_desktop.vault.unlock import read_slot_file

    try:
        infos = list_backups(folder)
    except (UserError, OSError):
        return []
    own = []
    prefix = f"{vault_path.stem}-"
    for info in infos:
        if not info.path.name.startswith(prefix):
            continue
        try:
            backup_id: str | None = read_slot_file(info.path).vault_id
        except (VaultError, OSError):
            backup_id = None
        if backup_id is None or backup_id == vault_id:
            own.append(info.path)
    return own


__all__ = [
    "ALREADY_ERASED",
    "ERASE_ALL_CONFIRMATION",
    "NAMELESS_CONFIRMATION",
    "Blocker",
    "EraseAllOutcome",
    "EraseItem",
    "EraseOutcome",
    "ErasePreview",
    "KeptItem",
    "confirmation_for",
    "erase_everything",
    "erase_person",
    "erase_preview",
    "erasure_hashes",
    "invoice_retention_months",
    "open_ticket_blockers",
    "reapply_erasures",
    "subject_hash",
]
