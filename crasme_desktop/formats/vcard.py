"""Contacts in vCard files (.vcf): reading 2.1, 3.0 and 4.0, writing 4.0.

Phones export vCards with every kind of damage: folds that lost their leading space,
folds in the middle of a UTF-8 character, quoted-printable soft line breaks (vCard
2.1 habits in 3.0 files), a card without its END line, binary junk between cards. So
the file is cut into cards here, line by line on the raw bytes, and each card is
read on its own: one bad card becomes a `Problem` with its number and first line,
and the others still import.

vobject reads each content line (name, group, parameters with their quoting,
quoted-printable with its CHARSET). Values are unescaped here rather than through
vobject's text behaviour, which keeps only the part before the first unescaped
comma of a NOTE or TITLE.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from vobject.base import ContentLine, textLineToContentLine

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
    ParseResult,
    Photo,
    Problem,
    clean_notes,
    clean_text,
    normalise_label,
    parse_birthday,
    size_text,
)

# ---------------------------------------------------------------- reading

_CONTENT_LINE_START = re.compile(rb"^(?:[A-Za-z0-9_-]+\.)?([A-Za-z0-9_-]+)[;:]")
_MULTILINE_TEXT = frozenset({b"NOTE", b"ADR", b"LABEL"})
_BINARY_NAMES = frozenset({b"PHOTO", b"LOGO", b"SOUND", b"KEY"})
_BASE64_LINE = re.compile(rb"^\s*[A-Za-z0-9+/=]+\s*$")
_PHYSICAL_LINE = re.compile(rb"\r\n|\r|\n")
_QP = re.compile(rb"quoted-printable", re.IGNORECASE)
_BINARY_PROPERTIES = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_MEDIA_TYPES = {"JPEG": "image/jpeg", "JPG": "image/jpeg", "PNG": "image/png",
                "GIF": "image/gif", "BMP": "image/bmp", "WEBP": "image/webp",
                "HEIC": "image/heic", "TIFF": "image/tiff"}
_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
          (b"GIF8", "image/gif"), (b"BM", "image/bmp"))


@dataclass
class _Line:
    """One logical (unfolded) line: its bytes and the physical line it starts on."""

    raw: bytearray
    number: int
    name: bytes = b""
    quoted_printable: bool = False


@dataclass
class _Card:
    number: int
    first_line: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    closed: bool = False


def _logical_lines(data: bytes) -> Iterator[_Line]:
    """Unfold the file on its raw bytes, so that a fold inside a UTF-8 character
    does not break the character.

    Folds that lost their leading space are mended where that is likely: a line that
    does not start like a property continues a NOTE, ADR or LABEL (as a line break)
    or a photo (when it looks like base64). Anywhere else it stays a line of its
    own, which is then reported as unreadable.
    """
    current: _Line | None = None
    for number, physical in enumerate(_PHYSICAL_LINE.split(data), start=1):
        if current is not None and current.quoted_printable and current.raw.endswith(b"="):
            del current.raw[-1]  # a quoted-printable soft line break
            current.raw += physical
            continue
        if not physical.strip():
            if current is not None:
                yield current
            current = None
            continue
        if physical[:1] in (b" ", b"\t") and current is not None:
            current.raw += physical[1:]
            continue
        start = _CONTENT_LINE_START.match(physical)
        if current is not None and start is None:
            if current.name in _MULTILINE_TEXT:
                current.raw += b"\\n" + physical
                continue
            if current.name in _BINARY_NAMES and _BASE64_LINE.match(physical):
                current.raw += physical.strip()
                continue
        if current is not None:
            yield current
        name = start.group(1).upper() if start else b""
        head = physical.split(b":", 1)[0]
        current = _Line(bytearray(physical), number, name, bool(_QP.search(head)))
    if current is not None:
        yield current


def _decode_line(raw: bytes) -> str:
    # Line by line, so that one cp1252 card in a UTF-8 file keeps its accents.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _to_utf8(data: bytes) -> bytes:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace").encode("utf-8")
    return data


def _cards(data: bytes, problems: list[Problem], limits: ImportLimits) -> list[_Card]:
    cards: list[_Card] = []
    card: _Card | None = None
    junk_reported = False
    for line in _logical_lines(data):
        text = _decode_line(bytes(line.raw)).replace("\x00", "")
        upper = text.strip().upper()
        if upper == "BEGIN:VCARD":
            if card is not None:
                cards.append(card)  # it never ended: it ends where the next one begins
            if len(cards) >= limits.max_records:
                raise FormatError(f"The file has more than {limits.max_records:,} cards, "
                                  "which is more than one import can take.")
            card = _Card(len(cards) + 1, line.number)
        elif card is None:
            if not junk_reported:
                problems.append(Problem(line.number, f"Line {line.number} is not inside a "
                                                     "vCard; it was ignored."))
                junk_reported = True
        elif upper == "END:VCARD":
            card.closed = True
            cards.append(card)
            card = None
            junk_reported = False
        else:
            card.lines.append((line.number, text))
    if card is not None:
        cards.append(card)
    return cards


def read_vcards(data: bytes, *, limits: ImportLimits = DEFAULT_LIMITS) -> ParseResult:
    """Read every card of a .vcf file's bytes (vCard 2.1, 3.0 or 4.0).

    Raises `FormatError` when the file is empty, too large or holds no card at all;
    anything smaller is a `Problem` in the result and the other cards still import.
    """
    if not data.strip():
        raise FormatError("The file is empty.")
    if len(data) > limits.max_file_bytes:
        raise FormatError(f"The file is larger than {size_text(limits.max_file_bytes)}, "
                          "which is more than one import can take.")
    problems: list[Problem] = []
    cards = _cards(_to_utf8(data), problems, limits)
    if not cards:
        raise FormatError("The file holds no vCard (no line says BEGIN:VCARD).")
    records = []
    for card in cards:
        if not card.closed:
            problems.append(Problem(card.first_line, f"Card {card.number}, starting on line "
                                                     f"{card.first_line}, has no END:VCARD "
                                                     "line; it was read as far as the next "
                                                     "card or the end of the file.",
                                            skipped=False))
        record = _CardReader(card, limits, problems).record()
        if record.has_identity():
            records.append(record)
        else:
            problems.append(Problem(card.first_line, f"Card {card.number}, starting on line "
                                                     f"{card.first_line}, has no name, company, "
                                                     "email or phone; it was skipped."))
    return ParseResult(tuple(records), tuple(sorted(problems, key=lambda p: p.line)))


def _split_unescaped(value: str, separator: str) -> list[str]:
    """Split at separators that are not escaped with a backslash."""
    parts, current, escaped = [], [], False
    for ch in value:
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def unescape_text(value: str) -> str:
    r"""Undo vCard text escaping: \n and \N are line breaks, \\ \, \; \: the
    character itself; any other backslash stays as written."""
    def replace(match: re.Match[str]) -> str:
        ch = match.group(1)
        if ch in "nN":
            return "\n"
        return ch if ch in "\\,;:" else match.group(0)
    return _ESCAPE.sub(replace, value)


class _CardReader:
    """Reads the properties of one card into a ContactRecord."""

    def __init__(self, card: _Card, limits: ImportLimits, problems: list[Problem]) -> None:
        self.card = card
        self.limits = limits
        self.problems = problems
        self.fields: dict[str, str] = {}
        self.notes: list[str] = []
        self.tags: list[str] = []
        self.emails: list[tuple[str, str, str | None]] = []
        self.phones: list[tuple[str, str, str | None]] = []
        self.addresses: list[tuple[Address, str | None]] = []
        self.group_labels: dict[str, str] = {}
        self.birthday: date | None = None
        self.photo: Photo | None = None

    def _problem(self, line: int, clause: str) -> None:
        self.problems.append(Problem(line, f"Line {line} (card {self.card.number}) {clause}; "
                                           "it was left out.", skipped=False))

    def record(self) -> ContactRecord:
        for number, text in self.card.lines:
            prop = self._content_line(number, text)
            if prop is not None:
                self._take(number, prop)
        return ContactRecord(
            given_name=self.fields.get("given", ""), family_name=self.fields.get("family", ""),
            display_name=self.fields.get("FN", ""),
            organization=self.fields.get("ORG", ""), job_title=self.fields.get("TITLE", ""),
            emails=self._labelled(self.emails), phones=self._labelled(self.phones),
            addresses=tuple(a if a.type or g is None else
                            Address(self.group_labels.get(g, ""), a.street, a.postal_code,
                                    a.city, a.region, a.country)
                            for a, g in self.addresses),
            website=self.fields.get("URL", ""), notes=clean_notes("\n\n".join(self.notes)),
            tags=tuple(self.tags), birthday=self.birthday, photo=self.photo,
            source_line=self.card.first_line)

    def _labelled(self, items: list[tuple[str, str, str | None]]) -> tuple[tuple[str, str], ...]:
        # iPhone keeps custom labels in a grouped X-ABLabel line: item1.EMAIL + item1.X-ABLabel.
        return tuple((label or (self.group_labels.get(group, "") if group else ""), value)
                     for label, value, group in items)

    def _content_line(self, number: int, text: str) -> ContentLine | None:
        name = text.split(":", 1)[0].split(";", 1)[0].rpartition(".")[2].upper()
        limit = (self.limits.max_photo_bytes * 4 // 3 + 1024 if name in _BINARY_PROPERTIES
                 else self.limits.max_field_chars)
        if len(text) > limit:
            shown = "a photo larger than" if name == "PHOTO" else "a value longer than"
            unit = (size_text(self.limits.max_photo_bytes) if name in _BINARY_PROPERTIES
                    else f"{self.limits.max_field_chars:,} characters")
            self._problem(number, f"has {shown} {unit}")
            return None
        try:
            return textLineToContentLine(text, number)
        except Exception:
            # vobject raises ParseError for a malformed line, but also UnicodeDecodeError,
            # LookupError or ValueError from quoted-printable with a bad CHARSET.
            self._problem(number, "could not be read as a vCard line")
            return None

    def _take(self, number: int, prop: ContentLine) -> None:
        name, value = prop.name, str(prop.value)
        if name in ("N", "FN", "ORG", "TITLE", "URL", "NOTE", "CATEGORIES", "EMAIL", "TEL",
                    "ADR", "BDAY", "PHOTO", "X-ABLABEL"):
            getattr(self, "_take_" + name.replace("-", "_").lower())(number, prop, value)

    def _first(self, key: str, value: str) -> None:
        if key not in self.fields and value:
            self.fields[key] = value

    def _take_n(self, _number: int, _prop: ContentLine, value: str) -> None:
        parts = [clean_text(" ".join(unescape_text(p) for p in _split_unescaped(part, ",")))
                 for part in _split_unescaped(value, ";")] + ["", "", ""]
        if "family" not in self.fields and "given" not in self.fields:
            self.fields["family"] = parts[0]
            self.fields["given"] = " ".join(p for p in parts[1:3] if p)

    def _take_fn(self, _number: int, _prop: ContentLine, value: str) -> None:
        self._first("FN", clean_text(unescape_text(value)))

    def _take_org(self, _number: int, _prop: ContentLine, value: str) -> None:
        self._first("ORG", clean_text(unescape_text(_split_unescaped(value, ";")[0])))

    def _take_title(self, _number: int, _prop: ContentLine, value: str) -> None:
        self._first("TITLE", clean_text(unescape_text(value)))

    def _take_url(self, _number: int, _prop: ContentLine, value: str) -> None:
        self._first("URL", clean_text(unescape_text(value)))

    def _take_note(self, _number: int, _prop: ContentLine, value: str) -> None:
        note = clean_notes(unescape_text(value))
        if note:
            self.notes.append(note)

    def _take_categories(self, _number: int, _prop: ContentLine, value: str) -> None:
        for part in _split_unescaped(value, ","):
            tag = clean_text(unescape_text(part))
            if tag and tag not in self.tags:
                self.tags.append(tag)

    def _take_x_ablabel(self, _number: int, prop: ContentLine, value: str) -> None:
        if prop.group:
            text = clean_text(unescape_text(value))
            match = _APPLE_LABEL.match(text)
            self.group_labels[prop.group.lower()] = normalise_label(
                match.group(1) if match else text)

    def _take_email(self, _number: int, prop: ContentLine, value: str) -> None:
        address = clean_text(unescape_text(value)).removeprefix("mailto:")
        if address:
            self.emails.append((_label(prop), address, _group(prop)))

    def _take_tel(self, _number: int, prop: ContentLine, value: str) -> None:
        number = clean_text(unescape_text(value))
        if number.casefold().startswith("tel:"):
            number = number[4:]
        if number:
            self.phones.append((_label(prop), number, _group(prop)))

    def _take_adr(self, _number: int, prop: ContentLine, value: str) -> None:
        parts = [unescape_text(p) for p in _split_unescaped(value, ";")] + [""] * 7
        box, extended, street, city, region, code, country = parts[:7]
        lines = [clean_text(line) for part in (street, extended, box)
                 for line in part.split("\n")]
        address = Address(_label(prop), ", ".join(line for line in lines if line),
                          clean_text(code), clean_text(city), clean_text(region),
                          clean_text(country))
        if not address.is_empty():
            self.addresses.append((address, _group(prop)))

    def _take_bday(self, number: int, prop: ContentLine, value: str) -> None:
        if self.birthday is not None:
            return
        text = clean_text(unescape_text(value))
        omitted = _params(prop, "X-APPLE-OMIT-YEAR")
        if omitted and text.startswith(omitted[0]):
            # Apple writes a birthday without a year as 1604-03-14;X-APPLE-OMIT-YEAR=1604.
            self._problem(number, f"has a birthday without a year (--{text[5:10]})")
            return
        try:
            self.birthday = parse_birthday(text)
        except BirthdayError as exc:
            self._problem(number, str(exc))

    def _take_photo(self, number: int, prop: ContentLine, value: str) -> None:
        if self.photo is not None:
            return
        media_type = ""
        text = value.strip()
        if text[:5].lower() == "data:":  # vCard 4.0: PHOTO:data:image/jpeg;base64,...
            header, _, text = text[5:].partition(",")
            if ";base64" not in header.lower():
                return
            media_type = header.split(";", 1)[0].strip().lower()
        elif not _is_base64(prop):
            return  # a link to a picture on the web: nothing we fetch
        try:
            data = base64.b64decode(_pad("".join(text.split())), validate=False)
        except (binascii.Error, ValueError):
            self._problem(number, "has a photo that is not valid base64")
            return
        if not data:
            return
        if len(data) > self.limits.max_photo_bytes:
            limit = size_text(self.limits.max_photo_bytes)
            self._problem(number, f"has a photo larger than {limit}")
            return
        self.photo = Photo(data, media_type or _photo_type(prop, data))


def _params(prop: ContentLine, name: str) -> list[str]:
    return [str(v) for v in prop.params.get(name, [])]


def _label(prop: ContentLine) -> str:
    # 3.0/4.0: TYPE=WORK,INTERNET (maybe several TYPE params); 2.1: bare ;WORK;CELL.
    words = [w for v in _params(prop, "TYPE") for w in v.split(",")]
    words += [str(v) for v in prop.singletonparams]
    words = [w[2:] if w.lower().startswith("x-") else w for w in words]
    return normalise_label(" ".join(words))


def _group(prop: ContentLine) -> str | None:
    return prop.group.lower() if prop.group else None


def _is_base64(prop: ContentLine) -> bool:
    encodings = {v.upper() for v in _params(prop, "ENCODING")}
    singletons = {str(v).upper() for v in prop.singletonparams}
    return bool(encodings & {"B", "BASE64"} or "BASE64" in singletons)


def _pad(text: str) -> str:
    cleaned = "".join(ch for ch in text if ch.isalnum() or ch in "+/-_")
    cleaned = cleaned.replace("-", "+").replace("_", "/")
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]  # one stray character cannot be decoded; drop it
    return cleaned + "=" * (-len(cleaned) % 4)


def _photo_type(prop: ContentLine, data: bytes) -> str:
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    for word in _params(prop, "TYPE") + _params(prop, "MEDIATYPE") + [
            str(v) for v in prop.singletonparams]:
        word = word.strip().upper()
        if word.startswith("IMAGE/"):
            return word.lower()
        if word in _MEDIA_TYPES:
            return _MEDIA_TYPES[word]
    return "application/octet-stream"


# ---------------------------------------------------------------- writing

#: Our labels as vCard 4.0 TYPE values; any other label is written as x-<label>.
_TYPE_FOR_LABEL = {WORK: "work", HOME: "home", MOBILE: "cell", FAX: "fax", PAGER: "pager",
                   MAIN: "x-main", OTHER: "x-other"}
_UNSAFE_TYPE = re.compile(r"[^a-z0-9-]+")
_UNSAFE_MEDIA_TYPE = re.compile(r"[^a-z0-9.+/-]+")


def escape_text(value: str) -> str:
    r"""vCard 4.0 text escaping: backslash, comma, semicolon and line breaks."""
    return (value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold_line(line: str) -> str:
    """Fold one content line at 75 octets (RFC 6350 3.2) without splitting a UTF-8
    character; each continuation starts with a space. Ends with CRLF."""
    out: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for ch in line:
        width = len(ch.encode("utf-8", "surrogatepass"))
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [], 0, 74  # the leading space takes one octet
        current.append(ch)
        size += width
    out.append("".join(current))
    return "\r\n ".join(out) + "\r\n"


def _type_param(label: str) -> str:
    if not label:
        return ""
    value = _TYPE_FOR_LABEL.get(label)
    if value is None:
        value = "x-" + _UNSAFE_TYPE.sub("-", label.casefold()).strip("-")
    return f";TYPE={value}"


def _card_lines(record: ContactRecord) -> Iterator[str]:
    yield "BEGIN:VCARD"
    yield "VERSION:4.0"
    yield "FN:" + escape_text(record.shown_name())
    if record.given_name or record.family_name:
        yield f"N:{escape_text(record.family_name)};{escape_text(record.given_name)};;;"
    if record.organization:
        yield "ORG:" + escape_text(record.organization)
    if record.job_title:
        yield "TITLE:" + escape_text(record.job_title)
    for label, address in record.emails:
        yield f"EMAIL{_type_param(label)}:{escape_text(address)}"
    for label, number in record.phones:
        # As written, not as a tel: URI: normalising is for the services to do.
        yield f"TEL;VALUE=text{_type_param(label)}:{escape_text(number)}"
    for a in record.addresses:
        parts = ("", "", a.street, a.city, a.region, a.postal_code, a.country)
        yield f"ADR{_type_param(a.type)}:" + ";".join(escape_text(p) for p in parts)
    if record.website:
        yield "URL:" + escape_text(record.website)
    if record.birthday:
        yield f"BDAY:{record.birthday.year:04d}{record.birthday.month:02d}{record.birthday.day:02d}"
    if record.tags:
        yield "CATEGORIES:" + ",".join(escape_text(tag) for tag in record.tags)
    if record.notes:
        yield "NOTE:" + escape_text(record.notes)
    if record.photo:
        encoded = base64.b64encode(record.photo.data).decode("ascii")
        media_type = _UNSAFE_MEDIA_TYPE.sub("", record.photo.media_type.casefold())
        yield f"PHOTO:data:{media_type or 'application/octet-stream'};base64,{encoded}"
    yield "END:VCARD"


def write_vcards(records: Sequence[ContactRecord]) -> str:
    """The records as one vCard 4.0 file: CRLF line ends, folded at 75 octets. Encode
    the text as UTF-8 (the only charset vCard 4.0 allows)."""
    return "".join(fold_line(line) for record in records for line in _card_lines(record))
