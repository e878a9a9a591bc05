"""Export of the whole vault or of one person (subject access) as one ZIP, and import
of a whole-vault export into a new, empty vault.

What the ZIP holds (every file is listed in `manifest.json` with its sha256 and size):
- `manifest.json`: format and version, app version, schema version, time, scope,
  counts per record type (table);
- `data/<table>.json`: the rows as stored, one JSON object per line inside the
  document, following `schemas/crasme-export-data-1.schema.json` (also shipped in
  `resources/schemas/`); booleans as true/false, times as stored (UTC, no offset),
  the bytes of attached files as the path of their file in the ZIP;
- `csv/<table>.csv`: the same rows as CSV (UTF-8, comma, header row);
- `contacts.vcf` (vCard 4.0), `calendar.ics` (meetings and calls as events, tasks as
  to-dos), `attachments/…` (the attached files), `invoices/<number>.pdf` (issued
  invoices and credit notes);
- for one person, `report.pdf`: everything held on them, why, since when, until when.

What counts as one person's data, and what is left out of their export (the rule
the notice promises, tested in tests/privacy/test_export_promises.py):
- in: their person row, emails, phones, addresses, tags, their timeline (entries
  with their person id) and files attached to them or to those entries, quotes,
  invoices (with lines, tax totals and payments), credit and recurring invoices
  where they are the customer, consents, restrictions, privacy requests, merges of
  their record, their support tickets (those they asked for, or sent from one of their
  addresses) with the whole thread, internal notes included, its files and the status
  history, the jobs and appointments done for them (with their materials; who was
  sent is a colleague's name and left out), and the audit events about their record
  (ids and times);
- out: the names of colleagues (who owns a record, who did something: the "staff"
  columns of `domain.personal_data`), their company's own record beyond its name,
  and anyone else's records: other people at their company, other customers and
  their invoices; full names (two words or more) and email addresses of other
  people in the vault, and colleagues' names, are replaced by "[another person]"
  in the texts that are exported (notes, timeline texts, invoice lines).

The ZIP is written to a hidden temporary file beside the target and renamed into
place only when complete, so a full disk, a folder that disappears or Cancel leaves
nothing behind. With a password it is encrypted with AES-256 (WinZip AES, pyzipper).

Exporting one person needs `export` and `contacts.view`; the whole vault holds every
area, so it needs `export` and the view permission of each (`WHOLE_VAULT`). A refused
export writes nothing. Importing a whole-vault export into a new vault needs
`backups_restore`, as restoring a backup does.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import pyzipper
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crasme_desktop import APP_NAME, RESOURCES, __version__
from crasme_desktop.domain import personal_data
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Base, Person
from crasme_desktop.domain.permissions import WHOLE_VAULT_EXPORT
from crasme_desktop.domain.progress import Progress
from crasme_desktop.formats import ics
from crasme_desktop.formats.vcard import write_vcards
from crasme_desktop.services import permissions
from crasme_desktop.vault import Vault
from crasme_desktop.vault.files import fsync_dir
from crasme_desktop.vault.migrate import SCHEMA_HEAD

FORMAT = "crasme-desktop-export"
FORMAT_VERSION = 1
SCHEMAS_DIR = RESOURCES / "schemas"
DATA_SCHEMA = f"crasme-export-data-{FORMAT_VERSION}.schema.json"
MANIFEST_SCHEMA = f"crasme-export-manifest-{FORMAT_VERSION}.schema.json"
PASSWORD_ENV = "CRASME_EXPORT_PASSWORD"  # nosec B105  # a label or setting name, not a password
MIN_PASSWORD = 8
BATCH = 500
REDACTED = "[another person]"
#: What exporting the whole vault needs (every area's view and export).
WHOLE_VAULT = WHOLE_VAULT_EXPORT
NOT_ENCRYPTED = ("The export file is not encrypted: anyone who gets a copy of it can read "
                 "everything in it.")

__all__ = ["ExportSummary", "ImportSummary", "data_schema", "export_person", "export_vault",
           "import_export", "is_encrypted", "is_export", "manifest_schema", "read_manifest"]


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    scope: str  # "vault" | "person"
    person_id: str | None
    encrypted: bool
    size: int
    counts: dict[str, int]
    files: int

    @property
    def message(self) -> str:
        from crasme_desktop.formats.contact_record import size_text

        how = "encrypted with AES-256" if self.encrypted else "not encrypted"
        what = "This person's data" if self.scope == "person" else "The whole vault"
        return f"{what} was exported to {self.path} ({size_text(self.size)}, {how})."


@dataclass(frozen=True)
class ImportSummary:
    path: Path
    counts: dict[str, int]
    format_version: int
    created_at: str


# ----------------------------------------------------------------------- exporting


def export_vault(vault: Vault, out: Path | str, *, password: str | None = None,
                 progress: Progress | None = None) -> ExportSummary:
    """Every table of the vault, its contacts, calendar, files and invoice PDFs."""
    for permission in WHOLE_VAULT:
        permissions.require(vault, permission)
    return _export(vault, Path(out), None, password, progress or Progress())


def export_person(vault: Vault, person_id: str, out: Path | str, *,
                  password: str | None = None, progress: Progress | None = None
                  ) -> ExportSummary:
    """Everything held on one person (see the module notes for what counts), with a
    readable report; records a done "access" privacy request for them."""
    permissions.require(vault, "export")
    permissions.require(vault, "contacts.view")
    return _export(vault, Path(out), person_id, password, progress or Progress())


def _export(vault: Vault, out: Path, person_id: str | None, password: str | None,
            progress: Progress) -> ExportSummary:
    password = check_password(password)
    progress.update(0, 1, "Reading the vault…")
    with _ZipTarget(out, password) as target:
        with vault.unit_of_work() as uow:  # one snapshot for every table
            scope = _Scope.build(uow.session, person_id)
            steps = _Steps(progress, scope.total_steps())
            writer = _Writer(target.zip, uow.session, scope, steps, vault)
            writer.write_all()
        # Issued invoices are frozen, so drawing them after the snapshot changes nothing.
        _write_invoice_pdfs(target.zip, vault, writer.invoice_pdfs, steps)
        if person_id is not None:
            from crasme_desktop.services.privacy_report import person_report_pdf

            steps.say("Writing the report…")
            target.zip.write_file("report.pdf", person_report_pdf(vault, writer.kept))
        _write_schemas(target.zip)
        target.zip.write_manifest(_manifest(vault, scope, writer.counts, password is not None))
        steps.check()
        target.close_zip()
        with vault.unit_of_work(immediate=True) as record_uow:
            _record(record_uow.session, vault, person_id)
            target.publish()  # renamed into place inside the transaction that records it
    size = out.stat().st_size
    progress.update(1, 1, "")
    return ExportSummary(out, "person" if person_id else "vault", person_id,
                         password is not None, size, writer.counts, len(target.zip.files))


def check_password(password: str | None) -> str | None:
    """None for a plain export; a password shorter than 8 characters is refused."""
    if password is None:
        return None
    if len(password) < MIN_PASSWORD:
        raise UserError(f"Choose a password of at least {MIN_PASSWORD} characters for the "
                        "export, or export without encryption.")
    return password


def _record(s: Session, vault: Vault, person_id: str | None) -> None:
    from crasme_desktop.services import audit

    if person_id is None:
        audit.add(s, "vault.export", "vault", "")
        return
    from crasme_desktop.services import privacy_requests

    audit.add(s, "person.privacy_export", "person", person_id)
    privacy_requests.record_done(s, "access", person_id, today=vault.clock.now().date())


# ------------------------------------------------------------------- what to export


def _table_columns(table: sa.Table) -> list[str]:
    return [c.name for c in table.columns]


def _order(table: sa.Table) -> str:
    return ", ".join(f'"{c.name}"' for c in table.primary_key.columns)


#: A person's tickets: those they asked for, and those taken in from one of their
#: addresses with no requester (as services.privacy_erase counts them).
_TICKETS = ("SELECT id FROM ticket WHERE requester_id = :p OR (requester_id IS NULL AND "
            "lower(requester_email) IN (SELECT address_key FROM person_email "
            "WHERE person_id = :p))")
_ATTACHMENTS = ("person_id = :p OR activity_id IN (SELECT id FROM activity WHERE person_id = "
                ":p) OR (subject_kind = 'ticket_message' AND subject_id IN (SELECT id FROM "
                f"ticket_message WHERE ticket_id IN ({_TICKETS})))")  # nosec B608  # built from code constants only
#: In a person's export, which rows of each table are theirs (others are left out).
_PERSON_ROWS: Mapping[str, str] = {
    "person": "id = :p",
    "person_email": "person_id = :p",
    "person_phone": "person_id = :p",
    "postal_address": "person_id = :p",
    "person_tag": "person_id = :p",
    "tag": "id IN (SELECT tag_id FROM person_tag WHERE person_id = :p)",
    "organization": "id = (SELECT organization_id FROM person WHERE id = :p)",
    "activity": "person_id = :p",
    "attachment": _ATTACHMENTS,
    "attachment_content": f"attachment_id IN (SELECT id FROM attachment WHERE {_ATTACHMENTS})",  # nosec B608  # built from code constants only
    "merge_record": "kind = 'person' AND (kept_id = :p OR removed_id = :p)",
    "audit_event": "record_type = 'person' AND record_id = :p",
    "quote": "customer_person_id = :p",
    "quote_line": "quote_id IN (SELECT id FROM quote WHERE customer_person_id = :p)",
    "invoice": "customer_person_id = :p",
    "invoice_line": "invoice_id IN (SELECT id FROM invoice WHERE customer_person_id = :p)",
    "invoice_tax_total": "invoice_id IN (SELECT id FROM invoice "
                         "WHERE customer_person_id = :p)",
    "payment": "invoice_id IN (SELECT id FROM invoice WHERE customer_person_id = :p)",
    "customer_credit": "customer_person_id = :p",
    "recurring_invoice": "customer_person_id = :p",
    "consent": "person_id = :p",
    "restriction": "person_id = :p",
    "privacy_request": "person_id = :p",
    "deal": "person_id = :p",
    "ticket": f"id IN ({_TICKETS})",
    "ticket_message": f"ticket_id IN ({_TICKETS})",
    "ticket_status_change": f"ticket_id IN ({_TICKETS})",
    "job": "person_id = :p",
    "job_material": "job_id IN (SELECT id FROM job WHERE person_id = :p)",
}
#: Columns a person's export leaves out besides the colleagues' ("staff") ones: who
#: wrote a ticket message is a colleague or the person (its `kind` says which), and a
#: failed sending's error text is the mail server's.
_PERSON_DROPPED: Mapping[str, tuple[str, ...]] = {
    "ticket_message": ("author", "author_email", "mail_error"),
    "ticket": ("subject_key",),  # the subject again, in a form that cannot be redacted
    "job": ("title_key",),  # likewise the title
}
#: Columns of their company's record that a person's export keeps: its name only.
_ORGANIZATION_KEPT = ("id", "name")
#: Text columns in which other people's names and emails are replaced in a person's export.
_REDACTED_TEXT: Mapping[str, tuple[str, ...]] = {
    "person": ("notes",), "activity": ("subject", "body"), "attachment": ("filename",),
    "quote": ("notes",), "quote_line": ("description",), "invoice": ("notes",),
    "invoice_line": ("description",), "payment": ("note", "reference"),
    "customer_credit": ("note",), "recurring_invoice": ("notes",),
    "privacy_request": ("note",), "restriction": ("start_reason", "lift_reason"),
    "deal": ("title", "next_step", "close_reason", "notes"),
    "ticket": ("subject", "category", "tags"), "ticket_message": ("body",),
    "job": ("title", "site_address", "notes", "field_notes"), "job_material": ("description",),
}


@dataclass
class _Part:
    table: sa.Table
    columns: list[str]
    where: str = ""

    def select_sql(self, columns: Iterable[str] | None = None) -> str:
        names = ", ".join(f'"{c}"' for c in (columns or self.columns))
        where = f" WHERE {self.where}" if self.where else ""
        return f'SELECT {names} FROM "{self.table.name}"{where} ORDER BY {_order(self.table)}'  # nosec B608  # names are code constants; values are bound


@dataclass
class _Scope:
    person_id: str | None
    parts: list[_Part]
    counts: dict[str, int]
    redactor: Callable[[str], str] = field(default=lambda text: text)

    @classmethod
    def build(cls, s: Session, person_id: str | None) -> _Scope:
        params = {"p": person_id}
        parts: list[_Part] = []
        if person_id is not None and s.get(Person, person_id) is None:
            raise UserError("This person is no longer in the vault; choose another person.")
        for table in Base.metadata.sorted_tables:
            columns = _table_columns(table)
            if person_id is None:
                parts.append(_Part(table, columns))
                continue
            where = _PERSON_ROWS.get(table.name)
            if where is None:
                continue
            staff = set(personal_data.staff_columns(table.name))
            staff.update(_PERSON_DROPPED.get(table.name, ()))
            columns = [c for c in columns if c not in staff]
            if table.name == "organization":
                columns = [c for c in columns if c in _ORGANIZATION_KEPT]
            parts.append(_Part(table, columns, where))
        counts: dict[str, int] = {}
        conn = s.connection()
        for part in parts:
            where = f" WHERE {part.where}" if part.where else ""
            counts[part.table.name] = int(conn.execute(
                sa.text(f'SELECT count(*) FROM "{part.table.name}"{where}'), params  # nosec B608  # names are code constants; values are bound
            ).scalar_one())
        scope = cls(person_id, parts, counts)
        if person_id is not None:
            from crasme_desktop.services.privacy_report import redactor_for

            scope.redactor = redactor_for(s, person_id, _texts(s, scope))
        return scope

    @property
    def params(self) -> dict[str, Any]:
        return {"p": self.person_id}

    def total_steps(self) -> int:
        rows = sum(self.counts.values())
        return 2 * rows + self.counts.get("person", 0) + self.counts.get("activity", 0) + \
            self.counts.get("attachment_content", 0) + self.counts.get("invoice", 0) + 3


def _texts(s: Session, scope: _Scope) -> Iterator[str]:
    """Every text of the person's export in which other people may be named."""
    conn = s.connection()
    for part in scope.parts:
        for column in _REDACTED_TEXT.get(part.table.name, ()):
            sql = part.select_sql([column])
            for (value,) in conn.execute(sa.text(sql), scope.params):
                if value:
                    yield value


# ------------------------------------------------------------------------ the writer


class _Steps:
    """Progress over the whole export, and the place that checks for Cancel."""

    def __init__(self, progress: Progress, total: int) -> None:
        self._progress = progress
        self._total = max(total, 1)
        self._done = 0
        self._text = ""

    def advance(self, n: int = 1, text: str | None = None) -> None:
        self._done = min(self._done + n, self._total)
        if text is not None:
            self._text = text
        self._progress.update(self._done, self._total, self._text)

    def say(self, text: str) -> None:
        self.advance(0, text)

    def check(self) -> None:
        self._progress.check()


class _Writer:
    def __init__(self, zf: _Zip, s: Session, scope: _Scope, steps: _Steps,
                 vault: Vault) -> None:
        self.zip = zf
        self.s = s
        self.conn = s.connection()
        self.scope = scope
        self.steps = steps
        self.vault = vault
        self.counts: dict[str, int] = {}
        #: a person's rows per table, for their report (empty for a whole-vault export)
        self.kept: dict[str, list[dict[str, Any]]] = {}
        self.invoice_pdfs: list[tuple[str, str]] = []

    def write_all(self) -> None:
        for part in self.scope.parts:
            self._table_json(part)
            self._table_csv(part)
        self._attachments()
        self._vcards()
        self._calendar()
        self.invoice_pdfs = [(i, n) for i, n in self.conn.execute(sa.text(
            "SELECT id, number FROM invoice WHERE number IS NOT NULL"
            + (" AND customer_person_id = :p" if self.scope.person_id else "")  # nosec B608  # names are code constants; values are bound
            + " ORDER BY issue_date, id"), self.scope.params)]

    # -- rows ---------------------------------------------------------------------------
    def _rows(self, part: _Part) -> Iterator[list[dict[str, Any]]]:
        table = part.table
        binary = {c.name for c in table.columns if isinstance(c.type, sa.LargeBinary)}
        booleans = {c.name for c in table.columns if isinstance(c.type, sa.Boolean)}
        redacted = _REDACTED_TEXT.get(table.name, ()) if self.scope.person_id else ()
        columns = [c for c in part.columns if c not in binary]
        result = self.conn.execute(sa.text(part.select_sql(columns)), self.scope.params)
        while batch := result.fetchmany(BATCH):
            self.steps.check()
            rows = []
            for values in batch:
                row = dict(zip(columns, values, strict=True))
                for name in booleans & row.keys():
                    if row[name] is not None:
                        row[name] = bool(row[name])
                for name in redacted:
                    if row.get(name):
                        row[name] = self.scope.redactor(row[name])
                for name in binary & set(part.columns):
                    row[name] = _attachment_path(row["attachment_id"])
                rows.append({c: row[c] for c in part.columns})
            yield rows

    def _table_json(self, part: _Part) -> None:
        name = part.table.name
        self.steps.say(f"Exporting {personal_data.PERSONAL[name].label.lower()}…")
        count = 0
        keep = self.scope.person_id is not None
        with self.zip.open_text(f"data/{name}.json") as out:
            out.write(json.dumps({"table": name, "format_version": FORMAT_VERSION,
                                  "columns": part.columns}, ensure_ascii=False)[:-1]
                      + ', "rows": [\n')
            for rows in self._rows(part):
                for row in rows:
                    out.write(("" if count == 0 else ",\n")
                              + json.dumps(row, ensure_ascii=False))
                    count += 1
                if keep:
                    self.kept.setdefault(name, []).extend(rows)
                self.steps.advance(len(rows))
            out.write("\n]}\n")
        self.counts[name] = count

    def _table_csv(self, part: _Part) -> None:
        with self.zip.open_text(f"csv/{part.table.name}.csv", newline="") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(part.columns)
            for rows in self._rows(part):
                writer.writerows([_csv_cell(row[c]) for c in part.columns] for row in rows)
                self.steps.advance(len(rows))

    def _attachments(self) -> None:
        part = next((p for p in self.scope.parts if p.table.name == "attachment_content"), None)
        if part is None:
            return
        ids = [i for (i,) in self.conn.execute(sa.text(part.select_sql(["attachment_id"])),
                                                self.scope.params)]
        self.steps.say("Exporting attached files…")
        for attachment_id in ids:
            self.steps.check()
            data = self.conn.execute(sa.text(
                "SELECT data FROM attachment_content WHERE attachment_id = :a"),
                {"a": attachment_id}).scalar_one()
            self.zip.write_file(_attachment_path(attachment_id), bytes(data))
            self.steps.advance()

    # -- contacts and calendar -------------------------------------------------------
    def _vcards(self) -> None:
        from crasme_desktop.services.contacts_export import contact_record

        self.steps.say("Writing contacts…")
        with self.zip.open_text("contacts.vcf", newline="") as out:
            after = ""
            while True:
                query = (select(Person).where(Person.id > after).order_by(Person.id)
                         .limit(BATCH).options(
                             selectinload(Person.organization), selectinload(Person.emails),
                             selectinload(Person.phones), selectinload(Person.addresses),
                             selectinload(Person.tags)))
                if self.scope.person_id is not None:
                    query = query.where(Person.id == self.scope.person_id)
                people = list(self.s.scalars(query))
                if not people:
                    break
                records = [contact_record(p) for p in people]
                if self.scope.person_id is not None:
                    import dataclasses

                    records = [dataclasses.replace(r, notes=self.scope.redactor(r.notes))
                               for r in records]
                out.write(write_vcards(records))
                self.steps.advance(len(people))
                after = people[-1].id
                self.s.expunge_all()

    def _calendar(self) -> None:
        self.steps.say("Writing the calendar…")
        now = self.vault.clock.now()
        redact = self.scope.redactor
        where = "kind IN ('meeting', 'call', 'task')"
        if self.scope.person_id is not None:
            where += " AND person_id = :p"
        result = self.conn.execute(sa.text(
            "SELECT id, kind, subject, body, occurred_at, due_at, done_at, created_at, "
            f"updated_at FROM activity WHERE {where} ORDER BY occurred_at, id"),  # nosec B608  # names are code constants; values are bound
            self.scope.params)
        with self.zip.open_text("calendar.ics", newline="") as out:
            out.write(ics.calendar_head())
            while batch := result.fetchmany(BATCH):
                self.steps.check()
                entries = [_calendar_entry(row, redact) for row in batch]
                out.write(ics.calendar_entries(entries, now=now))
                self.steps.advance(len(batch))
            out.write(ics.calendar_tail())


def _calendar_entry(row: Any, redact: Callable[[str], str]) -> ics.CalendarEntry:
    aid, kind, subject, body, occurred, due, done, created, updated = row
    todo = kind == "task"
    return ics.CalendarEntry(
        uid=f"{aid}@crasme-desktop", kind="todo" if todo else "event",
        summary=redact(subject) or kind.capitalize(), description=redact(body or ""),
        created=_parse_time(created), modified=_parse_time(updated),
        start=None if todo else _parse_time(occurred),
        due=_parse_time(due) if todo and due else None,
        completed=_parse_time(done) if todo and done else None,
        categories=(kind.upper(),),
    )


def _parse_time(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _attachment_path(attachment_id: str) -> str:
    return f"attachments/{attachment_id}"


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write_invoice_pdfs(zf: _Zip, vault: Vault, invoices: list[tuple[str, str]],
                        steps: _Steps) -> None:
    if not invoices:
        return
    from crasme_desktop.formats.sales_pdf import render_pdf
    from crasme_desktop.services.invoices import document_for

    steps.say("Drawing the invoices…")
    for invoice_id, number in invoices:
        steps.check()
        pdf = render_pdf(document_for(vault, "invoice", invoice_id))
        zf.write_file(f"invoices/{_safe_name(number)}.pdf", pdf)
        steps.advance()


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("._") or "document"


def _write_schemas(zf: _Zip) -> None:
    for name in (DATA_SCHEMA, MANIFEST_SCHEMA):
        zf.write_file(f"schemas/{name}", (SCHEMAS_DIR / name).read_bytes())


def _manifest(vault: Vault, scope: _Scope, counts: dict[str, int], encrypted: bool
              ) -> dict[str, Any]:
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION, "app": APP_NAME,
        "app_version": __version__, "schema_version": SCHEMA_HEAD,
        "created_at": vault.clock.now().astimezone().isoformat(timespec="seconds"),
        "scope": "person" if scope.person_id else "vault", "person_id": scope.person_id,
        "encrypted": encrypted, "counts": counts,
    }


# --------------------------------------------------------------------------- the ZIP


class _Zip:
    """A ZIP being written, plain or AES-256, that remembers each file's sha256."""

    def __init__(self, handle: IO[bytes], password: str | None) -> None:
        if password is None:
            self._zip: Any = pyzipper.ZipFile(handle, "w", compression=pyzipper.ZIP_DEFLATED)
        else:
            self._zip = pyzipper.AESZipFile(handle, "w", compression=pyzipper.ZIP_DEFLATED,
                                            encryption=pyzipper.WZ_AES)
            self._zip.setpassword(password.encode("utf-8"))
            self._zip.setencryption(pyzipper.WZ_AES, nbits=256)
        self.files: dict[str, dict[str, Any]] = {}

    def write_file(self, name: str, data: bytes) -> None:
        with self._open(name) as out:
            out.write(data)

    def open_text(self, name: str, newline: str | None = None) -> Any:
        return _TextEntry(self._open(name), newline)

    def _open(self, name: str) -> _Entry:
        return _Entry(self, name, self._zip.open(name, "w"))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        manifest = {**manifest, "files": dict(sorted(self.files.items()))}
        data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
        self._zip.writestr("manifest.json", data)

    def close(self) -> None:
        self._zip.close()

    def abandon(self) -> None:
        """Forget the half-written ZIP (its file is deleted), so that nothing tries to
        finish it later."""
        self._zip.fp = None


class _Entry:
    def __init__(self, owner: _Zip, name: str, raw: IO[bytes]) -> None:
        self._owner, self._name, self._raw = owner, name, raw
        self._hash = hashlib.sha256()
        self._size = 0

    def write(self, data: bytes) -> int:
        self._hash.update(data)
        self._size += len(data)
        return self._raw.write(data)

    def close(self) -> None:
        self._raw.close()
        self._owner.files[self._name] = {"sha256": self._hash.hexdigest(), "size": self._size}

    def __enter__(self) -> _Entry:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()


class _TextEntry:
    """UTF-8 text into an entry, in chunks of about 64 KiB."""

    def __init__(self, entry: _Entry, newline: str | None) -> None:
        self._entry = entry
        self._parts: list[str] = []
        self._size = 0
        self._newline = newline

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._size += len(text)
        if self._size > 65536:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._parts:
            self._entry.write("".join(self._parts).encode("utf-8"))
            self._parts, self._size = [], 0

    def __enter__(self) -> _TextEntry:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.flush()
            self._entry.close()


class _ZipTarget:
    """The ZIP written to a hidden temporary file beside `path`, renamed into place by
    `publish`; anything that stops it first removes the temporary file."""

    def __init__(self, path: Path, password: str | None) -> None:
        self.path = path
        self._password = password
        self._temp: Path | None = None
        self._handle: IO[bytes] | None = None
        self.zip: _Zip

    def __enter__(self) -> _ZipTarget:
        try:
            handle = tempfile.NamedTemporaryFile(
                dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".part",
                delete=False)
        except OSError as exc:
            raise export_write_error(self.path, exc) from exc
        self._handle = handle
        self._temp = Path(handle.name)
        self.zip = _Zip(handle, self._password)
        return self

    def close_zip(self) -> None:
        assert self._handle is not None  # nosec B101  # narrows a type the code above guarantees
        try:
            self.zip.close()
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
        except OSError as exc:
            raise export_write_error(self.path, exc) from exc

    def publish(self) -> None:
        assert self._temp is not None  # nosec B101  # narrows a type the code above guarantees
        try:
            os.replace(self._temp, self.path)
        except OSError as exc:
            raise export_write_error(self.path, exc) from exc
        self._temp = None
        fsync_dir(self.path.parent)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None and self._handle is not None:
            self.zip.abandon()
        if self._handle is not None and not self._handle.closed:
            with contextlib.suppress(OSError):
                self._handle.close()
        if self._temp is not None:
            with contextlib.suppress(OSError):
                self._temp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, UserError):
            raise export_write_error(self.path, exc) from exc


def export_write_error(path: Path, exc: OSError) -> UserError:
    """One sentence for a failed write of the export file."""
    folder = path.parent
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return UserError(f"The disk is full, so nothing was exported to {folder}; free some "
                         "space or choose another place.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return UserError(f"Crasme Desktop may not write in {folder}, so nothing was "
                         "exported; choose another folder.")
    if exc.errno == errno.ENOENT or not folder.is_dir():
        return UserError(f"The folder {folder} is not there any more, so nothing was "
                         "exported; choose another place.")
    reason = (exc.strerror or "the system refused").lower()
    return UserError(f"Nothing was exported to {folder} ({reason}); choose another place.")


# ------------------------------------------------------------------------- schemas


def _column_schema(table: str, column: sa.Column) -> dict[str, Any]:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        schema: dict[str, Any] = {"type": "boolean"}
    elif isinstance(kind, sa.Integer):
        schema = {"type": "integer"}
    elif isinstance(kind, sa.DateTime):
        schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$",
                  "description": "UTC date and time, no offset"}
    elif isinstance(kind, sa.Date):
        schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    elif isinstance(kind, sa.LargeBinary):
        schema = {"type": "string", "description": "the path of the file in the ZIP"}
    else:
        schema = {"type": "string"}
        length = getattr(kind, "length", None)
        if length:
            schema["maxLength"] = length
    category = personal_data.category_of(table, column.name)
    note = f"personal data: {category}" if category else "not personal data"
    schema["description"] = "; ".join(p for p in (schema.get("description"), note) if p)
    if column.nullable:
        schema["type"] = [schema["type"], "null"]
    return schema


def data_schema() -> dict[str, Any]:
    """The JSON Schema of `data/<table>.json`, made from the tables themselves."""
    tables = Base.metadata.sorted_tables
    defs = {
        t.name: {
            "type": "object",
            "description": personal_data.PERSONAL[t.name].label,
            "properties": {c.name: _column_schema(t.name, c) for c in t.columns},
            "additionalProperties": False,
        }
        for t in tables
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:crasme-desktop:export-data:{FORMAT_VERSION}",
        "title": f"{APP_NAME} export: the rows of one table",
        "type": "object",
        "required": ["table", "format_version", "columns", "rows"],
        "properties": {
            "table": {"enum": [t.name for t in tables]},
            "format_version": {"const": FORMAT_VERSION},
            "columns": {"type": "array", "items": {"type": "string"}},
            "rows": {"type": "array"},
        },
        "additionalProperties": False,
        "allOf": [
            {"if": {"properties": {"table": {"const": name}}},
             "then": {"properties": {"rows": {"items": {"$ref": f"#/$defs/{name}"}}}}}
            for name in defs
        ],
        "$defs": defs,
    }


def manifest_schema() -> dict[str, Any]:
    """The JSON Schema of `manifest.json`."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:crasme-desktop:export-manifest:{FORMAT_VERSION}",
        "title": f"{APP_NAME} export: manifest",
        "type": "object",
        "required": ["format", "format_version", "app_version", "schema_version",
                     "created_at", "scope", "counts", "files"],
        "properties": {
            "format": {"const": FORMAT},
            "format_version": {"type": "integer", "minimum": 1},
            "app": {"type": "string"},
            "app_version": {"type": "string"},
            "schema_version": {"type": "string", "pattern": r"^\d{4}$"},
            "created_at": {"type": "string", "format": "date-time"},
            "scope": {"enum": ["vault", "person"]},
            "person_id": {"type": ["string", "null"]},
            "encrypted": {"type": "boolean"},
            "counts": {"type": "object", "additionalProperties": {"type": "integer",
                                                                  "minimum": 0}},
            "files": {
                "type": "object",
                "additionalProperties": {
                    "type": "object", "required": ["sha256", "size"],
                    "properties": {"sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                   "size": {"type": "integer", "minimum": 0}},
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    }


def write_schema_files(folder: Path = SCHEMAS_DIR) -> list[Path]:
    """Write both schemas (run when the tables change; a test compares them)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in ((DATA_SCHEMA, data_schema()), (MANIFEST_SCHEMA, manifest_schema())):
        path = folder / name
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written


# ------------------------------------------------------------------------- importing


def is_export(path: Path | str) -> bool:
    """True when `path` is a ZIP with our manifest (readable without its password)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return "manifest.json" in zf.namelist() and any(
                n.startswith("data/") for n in zf.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def is_encrypted(path: Path | str) -> bool:
    """True when the files of this ZIP need a password."""
    try:
        with zipfile.ZipFile(path) as zf:
            return any(info.flag_bits & 0x1 for info in zf.infolist())
    except (OSError, zipfile.BadZipFile):
        return False


def _open_zip(path: Path, password: str | None) -> pyzipper.AESZipFile:
    try:
        zf = pyzipper.AESZipFile(path)
    except FileNotFoundError:
        raise UserError(f"There is no file at {path}; check the name.") from None
    except (OSError, zipfile.BadZipFile):
        raise UserError(f"{path} is not an export of {APP_NAME}; choose the ZIP file the "
                        "export made.") from None
    if password:
        zf.setpassword(password.encode("utf-8"))
    return zf


def _read(zf: pyzipper.AESZipFile, name: str) -> bytes:
    try:
        return zf.read(name)
    except RuntimeError as exc:
        if "password" in str(exc).lower():
            if "bad password" in str(exc).lower():
                raise UserError("The password does not open this export; check it and try "
                                "again.") from None
            raise UserError("This export is encrypted; give the password it was made "
                            "with.") from None
        raise
    except KeyError:
        raise UserError(f"The export is missing {name}; it cannot be imported.") from None
    except (zipfile.BadZipFile, zlib_error()) as exc:
        raise UserError(f"The export is damaged ({name} cannot be read); it cannot be "
                        "imported.") from exc


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


def read_manifest(path: Path | str, password: str | None = None) -> dict[str, Any]:
    """The manifest of an export, checked to be one this version can read."""
    with _open_zip(Path(path), password) as zf:
        return _checked_manifest(zf)


def _checked_manifest(zf: pyzipper.AESZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(_read(zf, "manifest.json"))
    except ValueError:
        raise UserError("The export's manifest cannot be read; it cannot be imported.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise UserError(f"This ZIP file is not an export of {APP_NAME}.")
    version = manifest.get("format_version")
    schema = str(manifest.get("schema_version", ""))
    if not isinstance(version, int) or version > FORMAT_VERSION or schema > SCHEMA_HEAD:
        raise UserError(f"This export was made by a newer version of {APP_NAME} "
                        f"({manifest.get('app_version', 'unknown')}); update {APP_NAME}, "
                        "then import it again.")
    return manifest


def import_export(vault: Vault, zip_path: Path | str, *, password: str | None = None,
                  progress: Progress | None = None) -> ImportSummary:
    """Load a whole-vault export into this vault, which must hold no records yet.

    Every file is checked against its sha256 first; the rows then go in as they were
    (ids, stamps, values) in one transaction, so a failure leaves the vault empty.
    """
    permissions.require(vault, "backups_restore")
    progress = progress or Progress()
    path = Path(zip_path)
    with _open_zip(path, password) as zf:
        manifest = _checked_manifest(zf)
        if manifest.get("scope") != "vault":
            raise UserError("This is the export of one person; only an export of a whole "
                            "vault can be imported.")
        with vault.unit_of_work() as uow:  # at once, before the long checks
            _ensure_empty(uow.session.connection())
        files: dict[str, Any] = manifest.get("files", {})
        total = sum(int(v.get("size", 0)) for v in files.values()) or 1
        done = 0
        for name, expected in files.items():
            progress.update(done, total * 2, "Checking the export…")
            digest = hashlib.sha256()
            try:
                with zf.open(name) as entry:
                    while chunk := entry.read(1 << 20):
                        digest.update(chunk)
            except KeyError:
                raise UserError(f"The export is missing {name}; it cannot be imported.") \
                    from None
            except RuntimeError:
                _read(zf, name)  # raises the password sentence
                raise
            if digest.hexdigest() != expected.get("sha256"):
                raise UserError(f"The export is damaged ({name} does not match its "
                                "checksum); it cannot be imported.")
            done += int(expected.get("size", 0))
        counts = _load_tables(vault, zf, manifest, progress, total)
    return ImportSummary(path, counts, int(manifest["format_version"]),
                         str(manifest.get("created_at", "")))


#: Tables whose rows mean the vault is in use (an import goes only into an empty one).
_USER_TABLES = ("person", "organization", "activity", "invoice", "quote", "product",
                "attachment", "tag")


def _ensure_empty(conn: Any) -> None:
    if any(conn.execute(sa.text(f'SELECT EXISTS (SELECT 1 FROM "{t}")')).scalar()  # nosec B608  # names are code constants; values are bound
           for t in _USER_TABLES):
        raise UserError("This vault already holds records; import the export into a "
                        "new, empty vault.")


def _load_tables(vault: Vault, zf: pyzipper.AESZipFile, manifest: dict[str, Any],
                 progress: Progress, total: int) -> dict[str, int]:
    from crasme_desktop.services import audit, search_index

    counts: dict[str, int] = {}
    expected: dict[str, int] = manifest.get("counts", {})
    rows_total = max(sum(expected.values()), 1)
    loaded = 0
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        conn = s.connection()
        _ensure_empty(conn)
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        # Issued invoices refuse new lines; the triggers come back before the commit.
        triggers = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
        for name, _sql in triggers:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        for table in Base.metadata.sorted_tables:
            conn.exec_driver_sql(f'DELETE FROM "{table.name}"')  # settings made at creation  # nosec B608  # names are code constants; values are bound
        for table in Base.metadata.sorted_tables:
            member = f"data/{table.name}.json"
            if member not in manifest.get("files", {}):
                continue
            count = 0
            for batch in _json_rows(zf, member):
                progress.update(total + (total * loaded) // rows_total, total * 2,
                                "Importing…")
                if table.name == "audit_event" and "seq" not in batch[0]:
                    batch = audit.unchained(batch, count)  # an export made before 0009
                conn.exec_driver_sql(*_insert(zf, table, batch))
                count += len(batch)
                loaded += len(batch)
            if count != expected.get(table.name, count):
                raise UserError(f"The export is damaged ({member} holds {count} rows, its "
                                f"manifest says {expected[table.name]}); it cannot be "
                                "imported.")
            counts[table.name] = count
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)
        # An export made before users and roles (schema 0009) brings neither the roles
        # nor a chained audit trail: put back the built-in roles, chain its events.
        permissions.ensure_builtin_roles(s)
        audit.chain_unchained(s)
        progress.update(total * 2 - 1, total * 2, "Rebuilding the search index…")
        for kind, index in (("person", search_index.index_people),
                            ("organization", search_index.index_organizations),
                            ("invoice", search_index.index_invoices),
                            ("deal", search_index.index_deals),
                            ("ticket", search_index.index_tickets),
                            ("job", search_index.index_jobs)):
            ids = [i for (i,) in conn.exec_driver_sql(f'SELECT id FROM "{kind}"')]  # nosec B608  # names are code constants; values are bound
            index(s, ids)
        problems = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        if problems:
            raise UserError("The export is damaged (records point at others that are not "
                            "in it); it cannot be imported.")
        audit.add(s, "vault.import_export", "vault", "")
    progress.update(total * 2, total * 2, "")
    return counts


def _json_rows(zf: pyzipper.AESZipFile, member: str) -> Iterator[list[dict[str, Any]]]:
    """The rows of one data file in batches: one row per line as the export writes it."""
    with zf.open(member) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8")
        header = text.readline()
        if not header.rstrip().endswith('"rows": ['):
            raise UserError(f"The export is damaged ({member} is not laid out as "
                            f"{APP_NAME} writes it); it cannot be imported.")
        batch: list[dict[str, Any]] = []
        for line in text:
            line = line.rstrip("\n")
            if line == "]}":
                break
            if not line:
                continue
            try:
                batch.append(json.loads(line.rstrip(",")))
            except ValueError:
                raise UserError(f"The export is damaged ({member} cannot be read); it "
                                "cannot be imported.") from None
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch


def _insert(zf: pyzipper.AESZipFile, table: sa.Table, rows: list[dict[str, Any]]
            ) -> tuple[str, list[tuple[Any, ...]]]:
    known = {c.name: c for c in table.columns}
    columns = list(rows[0])
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise UserError(f"The export has columns this version does not know "
                        f"({table.name}.{unknown[0]}); update {APP_NAME}, then import it "
                        "again.")
    values = []
    for row in rows:
        out = []
        for name in columns:
            value = row.get(name)
            kind = known[name].type
            if isinstance(kind, sa.LargeBinary) and value is not None:
                value = _read(zf, value)
            elif isinstance(value, bool):
                value = int(value)
            out.append(value)
        values.append(tuple(out))
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    return f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values  # nosec B608  # names are code constants; values are bound
