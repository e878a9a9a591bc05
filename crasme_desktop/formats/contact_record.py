"""What a contact file says about one person, before the services judge it.

Both importers (CSV and vCard) produce `ContactRecord`s and both exporters consume
them, so the services deal with one shape whatever the file was. A record keeps what
the file says, trimmed: phones as written, emails unchecked, labels folded to a small
vocabulary. Normalising phones to E.164 and validating emails is the services' job,
because only they know the office's default country and how to report a bad value.

A file-wide failure (empty, too large, not text at all) is a `FormatError`; anything
smaller is a `Problem` with the line it starts on and one sentence, and the rest of
the file still imports.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from crasme_desktop.domain.errors import UserError

#: Labels a type can fold to; anything else is kept as written (lowercase).
WORK, HOME, MOBILE, FAX, PAGER, MAIN, OTHER = (
    "work", "home", "mobile", "fax", "pager", "main", "other")

_LABEL_WORDS = {
    "work": WORK, "business": WORK, "office": WORK, "company": WORK, "arbeit": WORK,
    "geschäftlich": WORK, "dienstlich": WORK, "travail": WORK, "bureau": WORK,
    "professionnel": WORK, "pro": WORK,
    "home": HOME, "personal": HOME, "private": HOME, "privat": HOME, "zuhause": HOME,
    "domicile": HOME, "personnel": HOME, "maison": HOME,
    "mobile": MOBILE, "cell": MOBILE, "cellular": MOBILE, "handy": MOBILE, "mobil": MOBILE,
    "portable": MOBILE, "iphone": MOBILE,
    "fax": FAX, "telefax": FAX, "télécopie": FAX,
    "pager": PAGER,
    "main": MAIN, "primary": MAIN, "pref": MAIN,
    "other": OTHER, "andere": OTHER, "sonstige": OTHER, "autre": OTHER,
}
# Type words that say nothing about whose line it is (vCard TYPE=INTERNET,VOICE...).
_NEUTRAL_WORDS = frozenset({"internet", "voice", "x400", "msg", "text", "pref", "smtp",
                            "dom", "intl", "postal", "parcel", "x-internet"})


class FormatError(UserError):
    """The whole file cannot be read (empty, too large, not a contact file)."""


@dataclass(frozen=True)
class Problem:
    """Something in the file that was left out, with the line it starts on.

    `skipped` is True when a whole row or card was left out, False when only one
    value was (the rest of the record still imports).
    """

    line: int
    message: str
    skipped: bool = True


@dataclass(frozen=True)
class Address:
    """A postal address; `type` is a label such as "work" or "home"."""

    type: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""
    country: str = ""

    def is_empty(self) -> bool:
        return not any((self.street, self.postal_code, self.city, self.region, self.country))


@dataclass(frozen=True)
class Photo:
    """A picture carried inside the file, e.g. ``Photo(b"...", "image/jpeg")``."""

    data: bytes
    media_type: str = "image/jpeg"


@dataclass(frozen=True)
class ContactRecord:
    """One person as a contact file describes them.

    `emails` and `phones` are ``(type, value)`` pairs in file order; `source_line` is
    the 1-based line of a CSV row, or the line a vCard starts on.
    """

    given_name: str = ""
    family_name: str = ""
    display_name: str = ""
    organization: str = ""
    job_title: str = ""
    emails: tuple[tuple[str, str], ...] = ()
    phones: tuple[tuple[str, str], ...] = ()
    addresses: tuple[Address, ...] = ()
    website: str = ""
    notes: str = ""
    tags: tuple[str, ...] = ()
    birthday: date | None = None
    photo: Photo | None = None
    source_line: int = 0

    def has_identity(self) -> bool:
        """True when there is something to know the person by: a name, company,
        email or phone."""
        return bool(self.given_name or self.family_name or self.display_name
                    or self.organization or self.emails or self.phones)

    def shown_name(self) -> str:
        """The name a list would show: display name, else given + family, else the
        company, else the first email."""
        if self.display_name:
            return self.display_name
        joined = " ".join(p for p in (self.given_name, self.family_name) if p)
        if joined:
            return joined
        if self.organization:
            return self.organization
        return self.emails[0][1] if self.emails else ""


@dataclass(frozen=True)
class ParseResult:
    """What an importer read: the records it could use and the problems it met."""

    records: tuple[ContactRecord, ...]
    problems: tuple[Problem, ...]


_SPLIT_LABEL = re.compile(r"[\s,;/+_-]+")


@functools.lru_cache(maxsize=4096)  # a file repeats the same few labels on every row
def normalise_label(text: str) -> str:
    """Fold a file's type label to the small vocabulary above.

    "* Mobile" (Google's starred primary), "CELL,VOICE", "Business Phone" and
    "Handy" all become "mobile"/"work"; words that say nothing (INTERNET, VOICE,
    PREF) are dropped; an unknown label is kept in lowercase, e.g. "assistant".
    """
    words = [w for w in _SPLIT_LABEL.split(text.strip().strip("*").casefold()) if w]
    found = [_LABEL_WORDS[w] for w in words if w in _LABEL_WORDS and w != "pref"]
    # A fax or pager at work is first of all a fax or a pager.
    for special in (FAX, PAGER, MOBILE):
        if special in found:
            return special
    if found:
        return found[0]
    rest = [w for w in words if w not in _NEUTRAL_WORDS and w not in {"phone", "e-mail",
                                                                      "email", "tel"}]
    return " ".join(rest)


def clean_text(value: str) -> str:
    """Trim a single-line value and collapse the line breaks some exporters leave in."""
    if not value or (value.isprintable() and "  " not in value and value.strip() == value):
        return value  # the common case, without building a list
    return " ".join(value.split())


def clean_notes(value: str) -> str:
    """Trim notes but keep their line breaks (normalised to \\n)."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


@dataclass(frozen=True)
class ImportLimits:
    """How much one import may take; beyond these a file or a value is refused.

    The defaults leave room for a million contacts while keeping a hostile file from
    filling the memory of an old laptop.
    """

    max_file_bytes: int = 256 * 1024 * 1024
    max_records: int = 1_000_000
    max_field_chars: int = 64 * 1024
    max_photo_bytes: int = 8 * 1024 * 1024


DEFAULT_LIMITS = ImportLimits()


def size_text(n_bytes: int) -> str:
    """A size as people read it: "64 KiB", "256 MiB"."""
    if n_bytes >= 1024 * 1024 and n_bytes % (1024 * 1024) == 0:
        return f"{n_bytes // (1024 * 1024)} MiB"
    if n_bytes >= 1024 and n_bytes % 1024 == 0:
        return f"{n_bytes // 1024} KiB"
    return f"{n_bytes:,} bytes"


_ISO_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})$")
# Outlook writes this for "no birthday".
_EMPTY_DATES = frozenset({"0/0/00", "00/00/0000", "0000-00-00", "0.0.00"})


class BirthdayError(ValueError):
    """A birthday that cannot be kept; the message is a clause such as
    "has a birthday without a year (--03-14)"."""


def parse_birthday(text: str) -> date | None:
    """Read a birthday as exporters write it; None when the text is empty.

    Accepts ISO 8601 (1985-03-14, 19850314, with or without a time), 14.03.1985 and
    14-03-1985 (day first), 3/14/1985 (month first, as US Outlook writes it, unless
    the first number is over 12) and two-digit years. Raises `BirthdayError` for a
    date without a year (--03-14) or one that does not exist.
    """
    value = text.strip()
    if not value or value in _EMPTY_DATES:
        return None
    if _NO_YEAR.match(value):
        raise BirthdayError(f"has a birthday without a year ({value})")
    match = _ISO_DATE.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _NUMERIC_DATE.match(value)
        if not match:
            raise BirthdayError(f"has a birthday that is not a date ({_quote(value)})")
        first, sep, second, year_text = match.groups()
        a, b = int(first), int(second)
        day, month = (b, a) if sep == "/" and a <= 12 else (a, b)
        year = int(year_text)
        if len(year_text) == 2:
            year += 1900 if year > date.today().year % 100 else 2000
    try:
        return date(year, month, day)
    except ValueError:
        raise BirthdayError(f"has a birthday that does not exist ({_quote(value)})") from None


_SENTENCE_BREAK = re.compile(r"[.!?]+(?=\s)|(?i:traceback|error:)")


def _quote(value: str, limit: int = 40) -> str:
    # A value quoted in a problem must not make the sentence read as two sentences.
    shown = _SENTENCE_BREAK.sub("", clean_text(value))
    shown = "".join(ch if ch.isprintable() else "?" for ch in shown)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def excerpt(value: str, limit: int = 40) -> str:
    """A short, single-line excerpt of a value for a problem sentence."""
    return _quote(value, limit)
