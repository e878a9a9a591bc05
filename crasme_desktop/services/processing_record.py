"""The record of processing, generated from the personal-data map and the live settings.

Each purpose of `domain.personal_data` becomes one processing activity: the kinds of
record kept for it, the categories of personal data they hold, the legal ground and
how long they are kept (from the retention rules as set now). Where the data is
stored and who receives it come from the vault and its settings: nobody, unless an
email server is set up (for mail the user sends) or backups go to another place.
Making the record needs the `privacy_requests` permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from crasme_desktop import APP_NAME
from crasme_desktop.domain.personal_data import CATEGORIES, DERIVED, PERSONAL, PURPOSES
from crasme_desktop.formats.privacy_pdf import PrivacyDocument, Section, render_privacy_pdf
from crasme_desktop.services import permissions
from crasme_desktop.vault import Vault

__all__ = ["ProcessingActivity", "ProcessingRecord", "processing_record",
           "processing_record_document", "processing_record_pdf", "save_processing_record_pdf"]


@dataclass(frozen=True)
class ProcessingActivity:
    purpose: str
    legal_ground: str
    records: tuple[str, ...]
    categories: tuple[str, ...]
    retention: tuple[str, ...]
    subjects: str


@dataclass(frozen=True)
class ProcessingRecord:
    controller: str
    generated_on: date
    storage: tuple[str, ...]
    recipients: tuple[str, ...]
    activities: tuple[ProcessingActivity, ...]
    security: tuple[str, ...]
    derived: tuple[str, ...]


def processing_record(vault: Vault) -> ProcessingRecord:
    """The record of processing as the vault is set up now."""
    from crasme_desktop.services import backups, business, mailing
    from crasme_desktop.services.privacy_report import retention_periods, retention_text

    permissions.require(vault, "privacy_requests")
    periods = retention_periods(vault)
    activities = []
    for key, (purpose, ground) in PURPOSES.items():
        tags = [t for t in PERSONAL.values() if t.purpose == key]
        categories = sorted({c for t in tags for c in t.personal.values()})
        if not categories:
            continue
        activities.append(ProcessingActivity(
            purpose=purpose, legal_ground=ground,
            records=tuple(t.label for t in tags if t.personal),
            categories=tuple(CATEGORIES[c] for c in categories),
            retention=tuple(dict.fromkeys(retention_text(t.retention, periods)
                                          for t in tags if t.personal)),
            subjects=_subjects(key),
        ))
    backup_folder = backups.folder_for(vault)
    storage = (
        f"The vault file {vault.path} on this computer, encrypted with SQLCipher "
        "(AES-256); its key is kept in this computer's keychain and/or behind a passphrase.",
        f"Encrypted backups in {backup_folder}, kept for "
        f"{backups.get_preferences(vault).keep_days} days.",
    )
    recipients: list[str] = []
    mail = mailing.get_mail_settings(vault)
    if mail.configured:
        recipients.append(f"The email server {mail.host}, for the emails you send from "
                          f"{APP_NAME} (quotes, invoices), and their recipients.")
    vault_folder = vault.path.parent.resolve()
    if backup_folder.resolve() != vault_folder and vault_folder not in \
            backup_folder.resolve().parents:
        recipients.append(f"The backup place {backup_folder} (encrypted copies only).")
    return ProcessingRecord(
        controller=business.get_business(vault).name or "This office",
        generated_on=vault.clock.now().date(),
        storage=storage,
        recipients=tuple(recipients) or (
            f"None: {APP_NAME} sends nothing anywhere, and has no telemetry.",),
        activities=tuple(activities),
        security=("Encryption at rest (SQLCipher, AES-256) of the vault and its backups.",
                  "Deleted data is overwritten (secure delete) and erased people are "
                  "remembered only as one-way hashes.",
                  "An audit trail of who changed which record (ids only)."),
        derived=tuple(DERIVED.values()),
    )


def _subjects(purpose: str) -> str:
    if purpose == "sales":
        return "Customers (people and the contacts of companies)"
    if purpose == "security":
        return "Contacts and customers; the colleagues who use Crasme Desktop"
    if purpose == "privacy":
        return "Contacts and customers who use their rights or give consent; colleagues " \
               "who acknowledge the notice"
    return "Contacts, customers and the people at companies you work with"


def processing_record_document(record: ProcessingRecord) -> PrivacyDocument:
    from babel.dates import format_date

    sections = [
        Section(activity.purpose, facts=(
            ("Legal ground", activity.legal_ground.capitalize()),
            ("People concerned", activity.subjects),
            ("Data", "\n".join(activity.categories)),
            ("Records", ", ".join(activity.records)),
            ("Kept", "\n".join(activity.retention)),
        ))
        for activity in record.activities
    ]
    sections += [
        Section("Where the data is stored", text=record.storage),
        Section("Who receives it", text=record.recipients),
        Section("How it is protected", text=record.security),
        Section("Copies made for searching", text=record.derived),
    ]
    day = format_date(record.generated_on, format="long", locale="en_GB")
    return PrivacyDocument(
        title="Record of processing",
        subtitle=f"{record.controller} \u2014 personal data kept in {APP_NAME}",
        facts=(("Controller", record.controller), ("Prepared on", day)),
        intro=("Made by Crasme Desktop from the way it stores data and from its settings "
               "today, so that it says what the program does.",),
        sections=tuple(sections),
        footer=f"{APP_NAME} \u2014 record of processing \u2014 {day}",
    )


def processing_record_pdf(vault: Vault) -> bytes:
    permissions.require(vault, "privacy_requests")
    return render_privacy_pdf(processing_record_document(processing_record(vault)))


def save_processing_record_pdf(vault: Vault, path: Path | str) -> Path:
    """Write the record's PDF at `path` (temp file, then rename)."""
    from crasme_desktop.services.sales_files import write_atomically

    permissions.require(vault, "privacy_requests")
    target = Path(path)
    write_atomically(target, processing_record_pdf(vault))
    return target
