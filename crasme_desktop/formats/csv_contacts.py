"""Contacts in CSV files: reading what other tools export, writing our own.

`read_csv(data)` takes a file's bytes and finds out, in this order, the encoding
(a BOM if there is one, else strict UTF-8, else cp1252: a Western Windows export is
by far the most common file that is not UTF-8), the delimiter (comma, semicolon or
tab), the header row, and the column mapping: a preset when the headers are those of
a Google Contacts or Outlook export, else a guess from header synonyms in English,
German and French. The caller may pass its own mapping, e.g. after the user fixed
the guess in the import dialog.

Rows that cannot be used (ragged, too long, nothing to know the person by) become
`Problem`s with their line number and the rest of the file still imports. Only a
file that cannot be read at all raises `FormatError`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

from crasme_desktop.formats.contact_record import (
    DEFAULT_LIMITS,
    FAX,
    HOME,
    MAIN,
    MOBILE,
    OTHER,
    PAGER,
    WORK,
    Address,
    BirthdayError,
    ContactRecord,
    FormatError,
    ImportLimits,
    Problem,
    clean_notes,
    clean_text,
    normalise_label,
    parse_birthday,
    size_text,
)

# ---------------------------------------------------------------- column mapping

#: Fields a column can fill. email/phone/address columns also name a slot and part.
SCALAR_FIELDS = ("given_name", "middle_name", "family_name", "display_name",
                 "organization", "job_title", "website", "notes", "tags", "birthday")
ADDRESS_PARTS = ("street", "postal_code", "city", "region", "country")
#: How a tags cell is split: "auto" (";" if present, else ","), "semicolon", "google".
TAG_SPLITS = ("auto", "semicolon", "google")


@dataclass(frozen=True)
class Column:
    """Where one CSV column goes in a ContactRecord.

    ``Column("email", slot=2)`` is the value of the second email, ``Column("email",
    slot=2, part="type")`` its type, ``Column("phone", 1, label="mobile")`` a phone
    whose type the header itself says, ``Column("address", 1, part="city")`` the
    city of the first address, ``Column("tags", part="google")`` Google's labels.
    """

    field: str
    slot: int = 1
    part: str = "value"
    label: str = ""


@dataclass(frozen=True)
class ChosenMapping:
    """The mapping for a header row and where it came from: "google", "outlook" or
    "guessed"."""

    preset: str
    columns: Mapping[int, Column]


@dataclass(frozen=True)
class CsvParseResult:
    """What `read_csv` read, with what it decided on the way (for the preview)."""

    records: tuple[ContactRecord, ...]
    problems: tuple[Problem, ...]
    headers: tuple[str, ...] = ()
    mapping: ChosenMapping = field(default_factory=lambda: ChosenMapping("guessed", {}))
    encoding: str = "utf-8"
    delimiter: str = ","


def _compact(header: str) -> str:
    """"E-mail 1 - Value" → "email1value": case, spaces and punctuation ignored."""
    return "".join(ch for ch in header.casefold() if ch.isalnum())


# -- Google Contacts: the older export ("Given Name", "E-mail 1 - Type") and the
#    newer one ("First Name", "E-mail 1 - Label", "Organization Name", "Labels").
_GOOGLE_NUMBERED = re.compile(
    r"^(e-mail|phone|address|website|organization) (\d+) - "
    r"(type|label|value|formatted|street|city|po box|region|postal code|country|"
    r"extended address|name|title)$", re.IGNORECASE)
_GOOGLE_SCALARS = {
    "name": Column("display_name"), "given name": Column("given_name"),
    "additional name": Column("middle_name"), "family name": Column("family_name"),
    "first name": Column("given_name"), "middle name": Column("middle_name"),
    "last name": Column("family_name"), "organization name": Column("organization"),
    "organization title": Column("job_title"), "birthday": Column("birthday"),
    "notes": Column("notes"), "group membership": Column("tags", part="google"),
    "labels": Column("tags", part="google"),
}
_GOOGLE_ADDRESS_PARTS = {
    "street": "street", "po box": "street", "extended address": "street",
    "formatted": "formatted", "city": "city", "region": "region",
    "postal code": "postal_code", "country": "country", "type": "type", "label": "type",
}


def _google_column(header: str) -> Column | None:
    key = " ".join(header.split()).casefold()
    if key in _GOOGLE_SCALARS:
        return _GOOGLE_SCALARS[key]
    match = _GOOGLE_NUMBERED.match(key)
    if not match:
        return None
    kind, slot_text, part = match.groups()
    slot = int(slot_text)
    if kind in ("e-mail", "phone"):
        target = "email" if kind == "e-mail" else "phone"
        if part in ("type", "label"):
            return Column(target, slot, "type")
        return Column(target, slot) if part == "value" else None
    if kind == "address":
        mapped = _GOOGLE_ADDRESS_PARTS.get(part)
        return Column("address", slot, mapped) if mapped else None
    if kind == "website":
        return Column("website") if part == "value" else None
    if slot == 1 and part in ("name", "title"):  # the older "Organization 1 - Name"
        return Column("organization" if part == "name" else "job_title")
    return None


def _is_google(headers: Sequence[str]) -> bool:
    return any(re.match(r"^(e-mail|phone) \d+ - (type|label|value)$",
                        " ".join(h.split()).casefold()) for h in headers)


# -- Outlook (and Google's "Outlook CSV"): fixed English headers.
_OUTLOOK_PHONES = {
    "business phone": WORK, "business phone 2": WORK, "company main phone": MAIN,
    "primary phone": MAIN, "mobile phone": MOBILE, "home phone": HOME,
    "home phone 2": HOME, "other phone": OTHER, "business fax": FAX, "home fax": FAX,
    "other fax": FAX, "pager": PAGER, "car phone": "car", "assistant's phone": "assistant",
    "callback": "callback", "radio phone": "radio", "isdn": "isdn",
    "tty/tdd phone": "tty", "telex": "telex",
}
_OUTLOOK_ADDRESS_KINDS = {"business": (1, WORK), "home": (2, HOME), "other": (3, OTHER)}
_OUTLOOK_ADDRESS_PARTS = {
    "street": "street", "street 2": "street", "street 3": "street",
    "address po box": "street", "city": "city", "state": "region",
    "postal code": "postal_code", "country/region": "country", "country": "country",
}
_OUTLOOK_SCALARS = {
    "first name": Column("given_name"), "middle name": Column("middle_name"),
    "last name": Column("family_name"), "company": Column("organization"),
    "job title": Column("job_title"), "notes": Column("notes"),
    "categories": Column("tags", part="semicolon"), "birthday": Column("birthday"),
    "web page": Column("website"), "e-mail address": Column("email", 1),
    "e-mail 2 address": Column("email", 2), "e-mail 3 address": Column("email", 3),
}


def _outlook_column(header: str) -> Column | None:
    key = " ".join(header.split()).casefold()
    if key in _OUTLOOK_SCALARS:
        return _OUTLOOK_SCALARS[key]
    if key in _OUTLOOK_PHONES:
        slot = list(_OUTLOOK_PHONES).index(key) + 1
        return Column("phone", slot, label=_OUTLOOK_PHONES[key])
    kind, _, rest = key.partition(" ")
    if kind in _OUTLOOK_ADDRESS_KINDS and rest in _OUTLOOK_ADDRESS_PARTS:
        slot, label = _OUTLOOK_ADDRESS_KINDS[kind]
        return Column("address", slot, _OUTLOOK_ADDRESS_PARTS[rest], label=label)
    return None


def _is_outlook(headers: Sequence[str]) -> bool:
    keys = {" ".join(h.split()).casefold() for h in headers}
    return "e-mail address" in keys and bool(keys & {"business phone", "mobile phone",
                                                     "home phone", "e-mail display name"})


# -- Anything else: synonyms, compared without case, spaces or punctuation.
_SYNONYMS: dict[str, Column] = {}


def _add(column: Column, *words: str) -> None:
    for word in words:
        _SYNONYMS[_compact(word)] = column


_add(Column("given_name"), "first name", "given name", "first", "forename", "vorname",
     "prénom", "prenom")
_add(Column("middle_name"), "middle name", "additional name", "zweiter vorname")
_add(Column("family_name"), "last name", "family name", "surname", "last", "nachname",
     "familienname", "nom", "nom de famille")
_add(Column("display_name"), "name", "full name", "display name", "contact", "contact name",
     "anzeigename", "vollständiger name", "nom complet")
_add(Column("organization"), "company", "company name", "organization", "organisation",
     "organization name", "org", "employer", "account", "firma", "firmenname",
     "unternehmen", "société", "societe", "entreprise", "organisme")
_add(Column("job_title"), "job title", "title", "position", "role", "job", "organization title",
     "berufsbezeichnung", "funktion", "titel", "titre", "poste", "fonction")
_add(Column("website"), "website", "web site", "web", "web page", "homepage", "url",
     "webseite", "internetseite", "site web", "site")
_add(Column("notes"), "notes", "note", "comments", "comment", "description", "notizen",
     "notiz", "bemerkung", "bemerkungen", "kommentar", "remarques", "commentaire",
     "commentaires")
_add(Column("tags", part="auto"), "tags", "tag", "labels", "categories", "category",
     "groups", "group", "kategorien", "kategorie", "gruppen", "schlagwörter",
     "étiquettes", "etiquettes", "catégories", "groupes")
_add(Column("birthday"), "birthday", "birth date", "birthdate", "date of birth", "dob",
     "geburtstag", "geburtsdatum", "anniversaire", "date de naissance")

_EMAIL_WORDS = ("email", "emailaddress", "emailadresse", "mail", "mailadresse", "courriel",
                "adressecourriel", "adresseemail", "adresseelectronique",
                "adresseélectronique")
_PHONE_WORDS = {
    "phone": "", "phonenumber": "", "telephone": "", "tel": "", "telefon": "",
    "telefonnummer": "", "téléphone": "", "numéro": "", "numero": "", "rufnummer": "",
    "mobile": MOBILE, "mobilephone": MOBILE, "cell": MOBILE, "cellphone": MOBILE,
    "handy": MOBILE, "mobil": MOBILE, "mobiltelefon": MOBILE, "mobilnummer": MOBILE,
    "portable": MOBILE, "téléphoneportable": MOBILE, "telephoneportable": MOBILE,
    "workphone": WORK, "businessphone": WORK, "officephone": WORK,
    "telefongeschäftlich": WORK, "telefondienstlich": WORK, "téléphonebureau": WORK,
    "homephone": HOME, "telefonprivat": HOME, "privattelefon": HOME,
    "téléphonedomicile": HOME, "fax": FAX, "faxnumber": FAX, "telefax": FAX,
}
_ADDRESS_WORDS = {
    "street": "street", "streetaddress": "street", "address": "street", "adresse": "street",
    "straße": "street", "strasse": "street", "anschrift": "street", "rue": "street",
    "zip": "postal_code", "zipcode": "postal_code", "postcode": "postal_code",
    "postalcode": "postal_code", "plz": "postal_code", "postleitzahl": "postal_code",
    "codepostal": "postal_code", "cp": "postal_code",
    "city": "city", "town": "city", "ort": "city", "stadt": "city", "ville": "city",
    "state": "region", "region": "region", "province": "region", "county": "region",
    "bundesland": "region", "région": "region",
    "country": "country", "countryregion": "country", "land": "country", "pays": "country",
}
_NUMBERED = re.compile(r"^(\D+?)(\d+)(type|label|value|)$")
_ADDRESS_KINDS = {"work": (1, WORK), "business": (1, WORK), "geschäftlich": (1, WORK),
                  "home": (2, HOME), "privat": (2, HOME), "other": (3, OTHER)}
_ADDRESS_HEADER = re.compile(
    r"^(?P<kind>work|business|geschäftlich|home|privat|other)?"
    r"(?P<address>address|adresse|anschrift)?(?P<slot>\d*)(?P<part>\D*)$")


def guess_column(header: str) -> Column | None:
    """Guess where a column of an unknown CSV goes, from its header alone.

    Understands plain synonyms ("E-Mail", "Courriel", "Telefon", "Firma", "Société",
    "PLZ", "Ville"), numbered ones ("Email 2", "Email 2 Type", "Phone 1 Label"),
    phone kinds ("Mobile", "Handy", "Work Phone") and address parts with a kind
    ("Home City", "Address 1 Street", "Address 1 Postal Code").
    """
    key = _compact(header)
    if not key:
        return None
    if key in _SYNONYMS:
        return _SYNONYMS[key]
    slot, part = 1, "value"
    match = _NUMBERED.match(key)
    if match:
        key, slot, part = match.group(1), int(match.group(2)), match.group(3) or "value"
        part = "type" if part in ("type", "label") else "value"
    if key in _EMAIL_WORDS:
        return Column("email", slot, part)
    if key in _PHONE_WORDS:
        return Column("phone", slot, part, label=_PHONE_WORDS[key] if part == "value" else "")
    return _guess_address(_compact(header))


def _guess_address(key: str) -> Column | None:
    match = _ADDRESS_HEADER.match(key)
    if not match:
        return None
    kind, has_address, slot_text, part = match.group("kind", "address", "slot", "part")
    slot, label = _ADDRESS_KINDS.get(kind or "", (1, ""))
    if slot_text:
        slot = int(slot_text)
    if part in ("type", "label") and has_address:
        return Column("address", slot, "type")
    if not part and has_address:
        part = "street"
    if part not in _ADDRESS_WORDS or (slot_text and not has_address):
        return None
    return Column("address", slot, _ADDRESS_WORDS[part], label=label)


def guess_mapping(headers: Sequence[str]) -> dict[int, Column]:
    """A mapping for a CSV without a preset: each header guessed on its own.

    When two columns guess the same place (two "Phone" columns), the later one moves
    to the next free slot, so nothing is lost.
    """
    mapping: dict[int, Column] = {}
    taken: set[tuple[str, int, str]] = set()
    for index, header in enumerate(headers):
        column = guess_column(header)
        if column is None:
            continue
        if column.field in ("email", "phone"):
            while (column.field, column.slot, column.part) in taken:
                column = Column(column.field, column.slot + 1, column.part, column.label)
        elif (column.field, column.slot, column.part) in taken and column.field != "address":
            continue  # a second "Name" or "Notes" column: keep the first one
        taken.add((column.field, column.slot, column.part))
        mapping[index] = column
    return mapping


def choose_mapping(headers: Sequence[str]) -> ChosenMapping:
    """The Google or Outlook preset when the headers are theirs, else a guess."""
    if _is_google(headers):
        preset, column_for = "google", _google_column
    elif _is_outlook(headers):
        preset, column_for = "outlook", _outlook_column
    else:
        return ChosenMapping("guessed", guess_mapping(headers))
    columns = {i: c for i, h in enumerate(headers) if (c := column_for(h)) is not None}
    return ChosenMapping(preset, columns)


#: The presets a person can pick for a CSV whose headers were not recognised.
PRESETS = ("google", "outlook", "guessed")


def preset_mapping(headers: Sequence[str], preset: str) -> dict[int, Column]:
    """The mapping `preset` ("google", "outlook" or "guessed") gives these headers,
    whether or not the headers look like that exporter's."""
    if preset == "guessed":
        return guess_mapping(headers)
    column_for = {"google": _google_column, "outlook": _outlook_column}.get(preset)
    if column_for is None:
        raise ValueError(f"unknown preset {preset!r}")
    return {i: c for i, h in enumerate(headers) if (c := column_for(h)) is not None}


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class CsvLayout:
    """How a CSV file is written: its text encoding, delimiter and column names."""

    encoding: str
    delimiter: str
    headers: tuple[str, ...]


_DELIMITERS = (",", ";", "\t")
_QUOTED = re.compile(r'"[^"]*"')
# A cell written as '=… by `write_csv` so that spreadsheets do not run it as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?[\d\s()./-]*$")


def decode_text(data: bytes) -> tuple[str, str]:
    """Turn a file's bytes into text and say which encoding was used.

    A BOM decides (UTF-8 or UTF-16); otherwise strict UTF-8 is tried first, since
    random Western text is almost never valid UTF-8 by accident, and cp1252 takes
    the rest. Undecodable bytes become U+FFFD: this never fails.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace"), "cp1252"


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab, judged from the header line first (contact exports
    have many columns there and rarely quote them), then by csv.Sniffer."""
    first = next((line for line in text[:65536].splitlines() if line.strip()), "")
    unquoted = _QUOTED.sub("", first)
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    used = [d for d, n in counts.items() if n]
    if len(used) == 1:
        return used[0]
    sample = text[:8192]
    if "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        found = csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        found = ""
    if found in used:
        return found
    return max(_DELIMITERS, key=lambda d: counts[d]) if used else ","


def _check_file(data: bytes, limits: ImportLimits) -> None:
    if not data.strip():
        raise FormatError("The file is empty.")
    if len(data) > limits.max_file_bytes:
        raise FormatError(f"The file is larger than {size_text(limits.max_file_bytes)}, "
                          "which is more than one import can take.")
    if data.startswith(b"PK\x03\x04"):
        raise FormatError("The file is an Excel workbook or another ZIP archive, not CSV; "
                          "save it as CSV from the program that made it.")


def _looks_binary(text: str) -> bool:
    head = text[:4096]
    control = sum(1 for ch in head if (ch < " " and ch not in "\t\r\n") or ch == "\ufffd")
    return control > max(8, len(head) // 10)


def _rows(text: str, delimiter: str) -> Iterable[tuple[int, list[str] | None, str]]:
    """Yield (first line, row, csv error) for every row; the row is None on error."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"',
                        doublequote=True, skipinitialspace=False, strict=False)
    last_line = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield last_line + 1, None, str(exc)
        else:
            yield last_line + 1, row, ""
        last_line = reader.line_num


def sniff_csv(data: bytes, limits: ImportLimits = DEFAULT_LIMITS) -> CsvLayout:
    """Encoding, delimiter and column names of a CSV file, for the mapping screen.

    Raises `FormatError` when the file cannot be a CSV of contacts at all.
    """
    layout, _ = _open(data, limits)
    return layout


def preview_csv(data: bytes, rows: int = 20, limits: ImportLimits = DEFAULT_LIMITS
                ) -> tuple[CsvLayout, list[list[str]]]:
    """The layout and the first `rows` readable data rows, for the mapping screen.

    Raises `FormatError` when the file cannot be a CSV of contacts at all.
    """
    layout, found = _open(data, limits)
    sample: list[list[str]] = []
    for _line, row, _error in found:
        if len(sample) >= rows:
            break
        if row is not None and any(cell.strip() for cell in row):
            sample.append([cell[: limits.max_field_chars] for cell in row])
    return layout, sample


def _open(data: bytes, limits: ImportLimits
          ) -> tuple[CsvLayout, Iterable[tuple[int, list[str] | None, str]]]:
    _check_file(data, limits)
    text, encoding = decode_text(data)
    text = text.replace("\x00", "")
    if _looks_binary(text):
        raise FormatError("The file is not text, so it cannot be a CSV file.")
    delimiter = sniff_delimiter(text)
    rows = iter(_rows(text, delimiter))
    for _line, row, _error in rows:
        if row and any(cell.strip() for cell in row):
            if max(map(len, row), default=0) > limits.max_field_chars:
                break
            headers = tuple(cell.strip().lstrip("\ufeff").strip() for cell in row)
            return CsvLayout(encoding, delimiter, headers), rows
    raise FormatError("The file has no line of column names.")


def read_csv(data: bytes, mapping: Mapping[int, Column] | None = None, *,
             limits: ImportLimits = DEFAULT_LIMITS) -> CsvParseResult:
    """Read contacts from a CSV file's bytes.

    `mapping` (column index → Column) overrides the preset or guess. Raises
    `FormatError` for a file that cannot be read at all (empty, too large, binary,
    no column we know, too many rows); every other problem is in the result.
    """
    layout, rows = _open(data, limits)
    chosen = (ChosenMapping("custom", dict(mapping)) if mapping is not None
              else choose_mapping(layout.headers))
    if not chosen.columns:
        raise FormatError("None of the column names in the first line is one we know, "
                          "so the columns have to be matched by hand.")
    builder = _RowBuilder(chosen.columns, len(layout.headers))
    records: list[ContactRecord] = []
    problems: list[Problem] = []
    seen = 0
    for line, row, error in rows:
        if row is not None and not any(cell.strip() for cell in row):
            continue
        seen += 1
        if seen > limits.max_records:
            raise FormatError(f"The file has more than {limits.max_records:,} contacts, "
                              "which is more than one import can take.")
        if row is None:
            problems.append(Problem(line, _csv_error_sentence(line, error, limits)))
            continue
        record = builder.build(row, line, limits, problems)
        if record is not None:
            records.append(record)
    return CsvParseResult(tuple(records), tuple(problems), layout.headers, chosen,
                          layout.encoding, layout.delimiter)


def _csv_error_sentence(line: int, error: str, limits: ImportLimits) -> str:
    if "field limit" in error:
        return (f"Line {line} has a value longer than {limits.max_field_chars:,} "
                "characters; it was skipped.")
    return f"Line {line} could not be read as CSV; it was skipped."


class _RowBuilder:
    """Turns one row into a ContactRecord with a fixed mapping (made once per file)."""

    def __init__(self, columns: Mapping[int, Column], width: int) -> None:
        self.width = width
        self.items = [(index, c.field, (c.field, c.slot), c.part, c.label)
                      for index, c in sorted(columns.items()) if index < width]
        self.tag_split = {c.part for c in columns.values() if c.field == "tags"}

    def build(self, row: list[str], line: int, limits: ImportLimits,
              problems: list[Problem]) -> ContactRecord | None:
        if len(row) != self.width and not self._only_empty_extra(row):
            hint = " (perhaps a quote is not closed)" if any("\n" in c for c in row) else ""
            problems.append(Problem(line, f"Line {line} has {len(row)} field"
                                          f"{'s' if len(row) != 1 else ''} but the header has "
                                          f"{self.width}{hint}; it was skipped."))
            return None
        if max(map(len, row), default=0) > limits.max_field_chars:
            problems.append(Problem(line, f"Line {line} has a value longer than "
                                          f"{limits.max_field_chars:,} characters; "
                                          "it was skipped."))
            return None
        scalars: dict[str, str] = {}
        multi: dict[tuple[str, int], dict[str, list[str]]] = {}
        for index, kind, key, part, label in self.items:
            value = row[index]
            if not value or not (value := value.strip()):
                continue
            if value[0] == "'":
                value = _unescape_formula(value)
            if kind in _MULTI_FIELDS:
                slot = multi.setdefault(key, {})
                if label and "type" not in slot:
                    slot["label"] = [label]
                slot.setdefault(part, []).append(value)
            elif kind == "tags":
                scalars["tags"] = f"{scalars['tags']} ::: {value}" if "tags" in scalars else value
            elif kind not in scalars:
                scalars[kind] = value
        record = self._record(scalars, multi, line, problems)
        if not record.has_identity():
            problems.append(Problem(line, f"Line {line} has no name, company, email or "
                                          "phone; it was skipped."))
            return None
        return record

    def _only_empty_extra(self, row: list[str]) -> bool:
        return len(row) > self.width and not any(c.strip() for c in row[self.width:])

    def _record(self, scalars: dict[str, str], multi: dict[tuple[str, int], dict[str, list[str]]],
                line: int, problems: list[Problem]) -> ContactRecord:
        given = " ".join(clean_text(scalars.get(k, "")) for k in ("given_name", "middle_name"))
        birthday = None
        if "birthday" in scalars:
            try:
                birthday = parse_birthday(scalars["birthday"])
            except BirthdayError as exc:
                problems.append(Problem(line, f"Line {line} {exc}; it was left out.",
                                        skipped=False))
        emails, phones, addresses = [], [], []
        for (kind, _slot), parts in sorted(multi.items()):
            label = normalise_label((parts.get("type") or parts.get("label") or [""])[0])
            if kind == "address":
                address = _address(parts, label)
                if not address.is_empty():
                    addresses.append(address)
                continue
            target = emails if kind == "email" else phones
            splitter = _EMAIL_SPLIT if kind == "email" else _PHONE_SPLIT
            for value in parts.get("value", []):
                target.extend((label, v) for p in splitter.split(value) if (v := clean_text(p)))
        return ContactRecord(
            given_name=given.strip(),
            family_name=clean_text(scalars.get("family_name", "")),
            display_name=clean_text(scalars.get("display_name", "")),
            organization=clean_text(scalars.get("organization", "")),
            job_title=clean_text(scalars.get("job_title", "")),
            emails=tuple(emails), phones=tuple(phones), addresses=tuple(addresses),
            website=clean_text(scalars.get("website", "")),
            notes=clean_notes(scalars.get("notes", "")),
            tags=split_tags(scalars.get("tags", ""), next(iter(self.tag_split), "auto")),
            birthday=birthday, source_line=line)


_MULTI_FIELDS = frozenset({"email", "phone", "address"})
_EMAIL_SPLIT = re.compile(r"\s*(?::::|[;,])\s*")
_PHONE_SPLIT = re.compile(r"\s*(?::::|;)\s*")


def _unescape_formula(value: str) -> str:
    if value.startswith("'") and value[1:2] and value[1] in (*_FORMULA_START, "'"):
        return value[1:]
    return value


def _address(parts: dict[str, list[str]], label: str) -> Address:
    def joined(part: str) -> str:
        values = parts.get(part)
        if not values:
            return ""
        if len(values) == 1:
            return clean_text(values[0])
        return ", ".join(v for p in values if (v := clean_text(p)))

    street = joined("street")
    if not street and not any(parts.get(p) for p in ADDRESS_PARTS):
        # Only Google's one-cell "Formatted" address: keep it whole as the street.
        street = ", ".join(v for p in parts.get("formatted", []) for line in p.splitlines()
                           if (v := clean_text(line)))
    return Address(type=label, street=street, postal_code=joined("postal_code"),
                   city=joined("city"), region=joined("region"), country=joined("country"))


def split_tags(value: str, rule: str = "auto") -> tuple[str, ...]:
    """Split a tags cell: "google" on " ::: " (dropping "* myContacts" and other
    system groups), "semicolon" on ";", "auto" on ";" if there is one, else on ","."""
    tags: list[str] = []
    for piece in value.split(":::"):
        if rule == "google":
            words = [] if piece.strip().startswith("*") else [piece]
        elif rule == "semicolon" or ";" in piece:
            words = piece.split(";")
        else:
            words = piece.split(",")
        for word in words:
            tag = clean_text(word)
            if tag and tag not in tags:
                tags.append(tag)
    return tuple(tags)


# ---------------------------------------------------------------- writing

def csv_headers(records: Sequence[ContactRecord]) -> list[str]:
    """The header row `write_csv` uses for these records: as many "Email n",
    "Phone n" and "Address n …" columns as the fullest record needs (at least one)."""
    n_emails = max([1, *(len(r.emails) for r in records)])
    n_phones = max([1, *(len(r.phones) for r in records)])
    n_addresses = max([1, *(len(r.addresses) for r in records)])
    headers = ["Given Name", "Family Name", "Display Name", "Organization", "Job Title"]
    for i in range(1, n_emails + 1):
        headers += [f"Email {i}", f"Email {i} Type"]
    for i in range(1, n_phones + 1):
        headers += [f"Phone {i}", f"Phone {i} Type"]
    for i in range(1, n_addresses + 1):
        headers += [f"Address {i} {part}" for part in
                    ("Type", "Street", "Postal Code", "City", "Region", "Country")]
    return [*headers, "Website", "Birthday", "Tags", "Notes"]


def _row(record: ContactRecord, n_emails: int, n_phones: int, n_addresses: int) -> list[str]:
    row = [record.given_name, record.family_name, record.display_name, record.organization,
           record.job_title]
    for pairs, count in ((record.emails, n_emails), (record.phones, n_phones)):
        for i in range(count):
            kind, value = pairs[i] if i < len(pairs) else ("", "")
            row += [value, kind]
    for i in range(n_addresses):
        a = record.addresses[i] if i < len(record.addresses) else Address()
        row += [a.type, a.street, a.postal_code, a.city, a.region, a.country]
    tags = "; ".join(record.tags)
    if len(record.tags) == 1 and "," in tags:
        tags += ";"  # so that a reader does not split one tag at its comma
    row += [record.website, record.birthday.isoformat() if record.birthday else "", tags,
            record.notes]
    return [_escape_formula(cell) for cell in row]


def _escape_formula(value: str) -> str:
    # Spreadsheets run a cell starting with = + - @ as a formula (CSV injection); a
    # leading ' makes it text. Phone numbers such as +49 30 1234 stay as they are.
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    if value.startswith("'") and value[1:2] and value[1] in (*_FORMULA_START, "'"):
        return "'" + value  # so that the reader, which drops one such ', keeps this one
    return value


def write_csv(records: Sequence[ContactRecord], file: IO[bytes]) -> None:
    """Write records as UTF-8 CSV (with a BOM, so that Excel reads the accents) to a
    binary file; one email, phone and address part per column. Photos are left out:
    CSV has no place for them (the vCard export keeps them)."""
    headers = csv_headers(records)
    n_emails = sum(1 for h in headers if h.startswith("Email ") and not h.endswith("Type"))
    n_phones = sum(1 for h in headers if h.startswith("Phone ") and not h.endswith("Type"))
    n_addresses = sum(1 for h in headers if h.startswith("Address ") and h.endswith("Type"))
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(headers)
        for record in records:
            writer.writerow(_row(record, n_emails, n_phones, n_addresses))
        text.flush()
    finally:
        text.detach()  # the caller owns the file; do not close it


def csv_bytes(records: Sequence[ContactRecord]) -> bytes:
    """`write_csv` into memory."""
    buffer = io.BytesIO()
    write_csv(records, buffer)
    return buffer.getvalue()


