"""Export of a list of people or companies (the whole filtered list or a selection) to
CSV or vCard 4.0.

Records are read and written in batches, so a million people never sit in memory at
once. The file is written beside its destination under a temporary name, flushed to
disk and then moved into place: whatever happens midway (a full disk, Cancel), the
destination is either the old file or the whole new one, never half of one.

The CSV writer sizes its "Email n"/"Phone n"/"Address n" columns from the records it
is given; a streamed file needs one header for all batches, so the widest record of
the export is measured first (a cheap count per batch) and every batch is written at
that width.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session, selectinload

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Organization, Person
from crasme_desktop.domain.progress import Progress
from crasme_desktop.formats.contact_record import Address, ContactRecord
from crasme_desktop.formats.csv_contacts import csv_headers, write_csv
from crasme_desktop.formats.vcard import write_vcards
from crasme_desktop.services import audit, lists, permissions, privacy_consent
from crasme_desktop.services.lists import ListKind, ListSpec
from crasme_desktop.vault import Vault

ExportFormat = Literal["csv", "vcard"]
#: Records per read; big enough to amortise the queries, small enough for memory.
BATCH = 500
Selection = ListSpec | Sequence[int] | Sequence[str]

__all__ = ["ExportOutcome", "export_companies", "export_people"]


@dataclass(frozen=True)
class ExportOutcome:
    path: Path
    #: Records written.
    count: int
    format: str
    #: People left out because their data is restricted (see `privacy_consent`).
    left_out: int = 0


def export_people(
    vault: Vault,
    spec_or_ids: Selection,
    path: Path | str,
    fmt: ExportFormat = "csv",
    progress: Progress | None = None,
) -> ExportOutcome:
    """Write people to `path` as CSV or vCard 4.0.

    `spec_or_ids` is a `ListSpec` (the whole filtered list, in its order), or the
    records to export in order: rowids (ints, as the list pages hold them) or ids.
    """
    if fmt not in ("csv", "vcard"):
        raise ValueError(f"unknown export format {fmt!r}")
    return _export(vault, "person", spec_or_ids, Path(path), fmt, progress)


def export_companies(
    vault: Vault,
    spec_or_ids: Selection,
    path: Path | str,
    fmt: ExportFormat = "csv",
    progress: Progress | None = None,
) -> ExportOutcome:
    """Write companies to `path` as CSV (one row per company: name, website, address,
    tags, notes). `spec_or_ids` as for `export_people`."""
    if fmt != "csv":
        raise ValueError("companies are exported as CSV only")
    return _export(vault, "organization", spec_or_ids, Path(path), fmt, progress)


def _export(
    vault: Vault, kind: ListKind, spec_or_ids: Selection, path: Path, fmt: str,
    progress: Progress | None,
) -> ExportOutcome:
    # Exporting is a sensitive action of its own, on top of seeing the records.
    permissions.require(vault, "contacts.view" if kind == "person" else "companies.view")
    permissions.require(vault, "export")
    progress = progress or Progress()
    keys = _keys(vault, kind, spec_or_ids)
    total = len(keys)
    progress.update(0, total)
    with replacing_file(path) as file:
        if fmt == "csv":
            widths = _widths(vault, kind, keys, progress)
            writer: Callable[[list[ContactRecord]], None] = _CsvStream(file, widths).write
        else:
            def writer(records: list[ContactRecord]) -> None:
                file.write(write_vcards(records).encode("utf-8"))
        done = left_out = written = 0
        for batch in _batches(keys):
            progress.check()
            records, restricted = _records(vault, kind, batch)
            writer(records)
            written += len(records)
            left_out += restricted
            done += len(batch)
            progress.update(done, total)
    with vault.unit_of_work() as uow:
        audit.add(uow.session, f"{kind}.export", kind, "")
    return ExportOutcome(path, written, fmt, left_out)


# -- which records ---------------------------------------------------------------------
def _keys(vault: Vault, kind: ListKind, spec_or_ids: Selection) -> array | list[str]:
    if isinstance(spec_or_ids, ListSpec):
        return lists.ordered_ids(vault, kind, spec_or_ids)
    if isinstance(spec_or_ids, array):
        return spec_or_ids
    values = list(spec_or_ids)
    if all(isinstance(v, str) for v in values):
        return [str(v) for v in values]
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return array("q", values)
    raise TypeError("export takes a ListSpec, rowids (int) or record ids (str)")


def _batches(keys: array | list[str]) -> Iterator[Sequence[int] | Sequence[str]]:
    for start in range(0, len(keys), BATCH):
        yield keys[start:start + BATCH]


def _model(kind: ListKind) -> type[Person] | type[Organization]:
    return Person if kind == "person" else Organization


def _key_column(kind: ListKind, batch: Sequence[int] | Sequence[str]) -> object:
    table = "person" if kind == "person" else "organization"
    if batch and isinstance(batch[0], str):
        return _model(kind).id
    return literal_column(f"{table}.rowid")


def _loaded(s: Session, kind: ListKind, batch: Sequence[int] | Sequence[str]) -> list:
    model = _model(kind)
    column = _key_column(kind, batch)
    options = (
        [selectinload(Person.organization), selectinload(Person.emails),
         selectinload(Person.phones), selectinload(Person.addresses),
         selectinload(Person.tags)]
        if kind == "person"
        else [selectinload(Organization.addresses), selectinload(Organization.tags)]
    )
    rows = s.execute(
        select(column, model).where(column.in_(list(batch))).options(*options)  # type: ignore[attr-defined]
    ).all()
    found = {key: record for key, record in rows}
    return [found[k] for k in batch if k in found]  # deleted meanwhile: left out


def _records(vault: Vault, kind: ListKind, batch: Sequence[int] | Sequence[str]
             ) -> tuple[list[ContactRecord], int]:
    """The batch's records, and how many restricted people were left out of them."""
    with vault.unit_of_work() as uow:
        loaded = _loaded(uow.session, kind, batch)
        if kind != "person":
            return [_company(o) for o in loaded], 0
        restricted = privacy_consent.restricted_among(uow.session, (p.id for p in loaded))
        kept = [contact_record(p) for p in loaded if p.id not in restricted]
        return kept, len(loaded) - len(kept)


def _addresses(rows: Sequence[object]) -> tuple[Address, ...]:
    return tuple(
        Address(a.kind, a.street, a.postal_code, a.city, a.region, a.country_code)  # type: ignore[attr-defined]
        for a in rows
    )


def contact_record(p: Person) -> ContactRecord:
    """A person as the vCard and CSV writers take them (also used by the privacy export)."""
    return ContactRecord(
        given_name=p.given_name,
        family_name=p.family_name,
        display_name=p.display_name,
        organization=p.organization.name if p.organization else "",
        job_title=p.job_title,
        emails=tuple((e.kind, e.address) for e in p.emails),
        phones=tuple((ph.kind, ph.number + (f" x{ph.extension}" if ph.extension else ""))
                     for ph in p.phones),
        addresses=_addresses(p.addresses),
        notes=p.notes,
        tags=tuple(t.name for t in sorted(p.tags, key=lambda t: t.name_key)),
    )


def _company(o: Organization) -> ContactRecord:
    return ContactRecord(
        organization=o.name,
        website=o.website,
        addresses=_addresses(o.addresses),
        notes=o.notes,
        tags=tuple(t.name for t in sorted(o.tags, key=lambda t: t.name_key)),
    )


# -- CSV at one width ------------------------------------------------------------------
def _widths(vault: Vault, kind: ListKind, keys: array | list[str], progress: Progress
            ) -> tuple[int, int, int]:
    """The most emails, phones and addresses any exported record has."""
    if kind == "organization":
        counts = ("0", "0", "(SELECT count(*) FROM postal_address a "
                  "WHERE a.organization_id = r.id)")
        table = "organization"
    else:
        counts = tuple(f"(SELECT count(*) FROM {t} c WHERE c.person_id = r.id)"  # nosec B608  # names are code constants; values are bound
                       for t in ("person_email", "person_phone", "postal_address"))
        table = "person"
    widest = [0, 0, 0]
    with vault.unit_of_work() as uow:
        cursor = uow.session.connection().connection.cursor()
        for batch in _batches(keys):
            progress.check()
            column = "id" if batch and isinstance(batch[0], str) else "rowid"
            cursor.execute(
                f"SELECT max({counts[0]}), max({counts[1]}), max({counts[2]}) "
                f"FROM {table} r WHERE r.{column} IN ({', '.join('?' * len(batch))})",  # nosec B608  # names are code constants; values are bound
                tuple(batch),
            )
            row = cursor.fetchone()
            widest = [max(w, int(v or 0)) for w, v in zip(widest, row, strict=True)]
    return widest[0], widest[1], widest[2]


class _CsvStream:
    """Writes batches of records as one CSV file with a single header row.

    Each batch goes through `write_csv` together with an empty record of the export's
    full width, so every batch has the same columns; that record's row (all empty
    cells) and the repeated header are cut from the output.
    """

    def __init__(self, file: IO[bytes], widths: tuple[int, int, int]) -> None:
        emails, phones, addresses = widths
        self._file = file
        self._widest = ContactRecord(emails=(("", ""),) * emails, phones=(("", ""),) * phones,
                                     addresses=(Address(),) * addresses)
        columns = len(csv_headers([self._widest]))
        self._empty_row = ("," * (columns - 1) + "\r\n").encode("ascii")
        self._first = True

    def write(self, records: list[ContactRecord]) -> None:
        buffer = io.BytesIO()
        write_csv([*records, self._widest], buffer)
        data = buffer.getvalue()
        if not data.endswith(self._empty_row):  # pragma: no cover - the writer changed
            raise RuntimeError("the CSV writer no longer writes empty cells bare")
        data = data[: -len(self._empty_row)]
        if not self._first:
            data = data[data.index(b"\r\n") + 2:]  # the header (with its BOM) once only
        self._first = False
        self._file.write(data)


# -- the file --------------------------------------------------------------------------
@contextlib.contextmanager
def replacing_file(path: Path) -> Iterator[IO[bytes]]:
    """A temporary file beside `path` that replaces it only when the block succeeds."""
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, or deleted
            dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    temp = Path(handle.name)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise _write_error(path, exc) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _write_error(path: Path, exc: OSError) -> UserError:
    reason = os.strerror(exc.errno).lower() if exc.errno else "the system refused"
    return UserError(f"The export could not be written to {path}: {reason}.")
