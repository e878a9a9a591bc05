"""Checking and normalising what people type into a contact: pure rules, no database.

Each problem is one sentence a person understands, naming the value they typed, e.g.
"The email address “bob@” is missing the part after @.". Functions here raise
`InvalidValue` for one bad value; `validation_records` gathers them for a whole record.
"""

from __future__ import annotations

import contextlib
import functools
import locale
import os
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from email_validator.syntax import validate_email_domain_name

from crasme_desktop.domain.errors import UserError

FALLBACK_REGION = "US"
EMAIL_KINDS = ("work", "home", "other")
PHONE_KINDS = ("work", "home", "mobile", "fax", "pager", "main", "other")
ADDRESS_KINDS = ("work", "home", "billing", "shipping", "other")
TAG_MAX = 50
_SPACES = re.compile(r"\s+")


class InvalidValue(UserError):
    """One value that cannot be saved; the message is one sentence naming it."""


@dataclass(frozen=True)
class Problem:
    """A problem with one field of a record (`field` is e.g. "emails.1" or "website")."""

    field: str
    message: str


class InvalidRecord(UserError):
    """A record with one or more problems; `problems` lists them all, field by field."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        if not problems:
            raise ValueError("InvalidRecord needs at least one problem")
        self.problems = tuple(problems)
        first = problems[0].message
        if len(problems) > 1:
            more = len(problems) - 1
            first = f"{first.rstrip('.')}, and {more} more problem{'s' if more > 1 else ''} "
            first += "need" if more > 1 else "needs"
            first += " fixing."
        super().__init__(first)


# -- names and text ------------------------------------------------------------------
def quoted(value: str, limit: int = 60) -> str:
    """A typed value for a message: on one line, shortened, in quotation marks."""
    text = value or ""
    if not text.isprintable():  # printable: no control, format or separator but " "
        text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"“{text}”"


def clean_text(value: str) -> str:
    """Trimmed, with runs of spaces and line breaks folded to one space."""
    return _SPACES.sub(" ", value or "").strip()


def check_length(value: str, limit: int, what: str) -> str:
    if len(value) > limit:
        raise InvalidValue(f"The {what} is longer than {limit} characters.")
    return value


def sort_key(text: str) -> str:
    """A key that sorts names blind to case and accents ("Émile" next to "Emil")."""
    if text.isascii():  # nothing to decompose
        return clean_text(text).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return clean_text(plain).casefold()


_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _is_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def default_display_name(given_name: str, family_name: str) -> str:
    """How a name is shown when no display name is given.

    Chinese, Japanese and Korean names are written family name first without a
    space ("山田太郎"); other names given name first ("Ada Lovelace").
    """
    given, family = clean_text(given_name), clean_text(family_name)
    if given and family and _is_cjk(given + family):
        return family + given
    return " ".join(p for p in (given, family) if p)



# -- payment card numbers ------------------------------------------------------------
#: A run of digit groups joined by single spaces or dashes ("4111 1111-1111 1111"),
#: not glued to a letter or digit on either side (so an IBAN or a code is one word).
_DIGIT_RUN = re.compile(r"(?<![\w])\d+(?:[ -]\d+)*(?![\w])")
#: Payment cards start with 2-6 (banking and financial industry identifiers).
_CARD_FIRST_DIGITS = "23456"


class CardNumberRefused(InvalidValue):
    """A free-text value holds what looks like a payment card number."""


def _luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = ord(char) - 48
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def card_numbers(text: str) -> list[str]:
    """The digits of every payment card number in `text`: a Luhn-valid run of 13 to 19
    digits starting with 2 to 6, written whole or in groups separated by spaces or
    dashes. Groups that follow the card's last group (an expiry date, a code) are
    ignored, so "4111 1111 1111 1111 12/27" is found too."""
    found: list[str] = []
    # The common case, at once: too short, or too few digits, to hold a card number.
    if not text or len(text) < 13 or sum(map(str.isdigit, text)) < 13:
        return found
    for match in _DIGIT_RUN.finditer(text):
        number = _card_in_run(re.split(r"[ -]", match.group()))
        if number:
            found.append(number)
    return found


def _card_in_run(groups: list[str]) -> str:
    """The first card number made of whole consecutive groups of one run (the longest
    from where it starts), or ""."""
    for start in range(len(groups)):
        digits = found = ""
        for group in groups[start:]:
            digits += group
            if len(digits) > 19:
                break
            if len(digits) >= 13 and digits[0] in _CARD_FIRST_DIGITS and _luhn_valid(digits):
                found = digits
        if found:
            return found
    return ""


def contains_card_number(text: str) -> bool:
    """True when `text` holds what looks like a payment card number (see `card_numbers`)."""
    return bool(card_numbers(text))


def check_no_card_number(text: str, what: str) -> str:
    """`text` unchanged, or `CardNumberRefused` saying why it cannot be stored; `what`
    names the field for a person ("note", "line description")."""
    numbers = card_numbers(text)
    if numbers:
        raise CardNumberRefused(
            f"The {what} holds a number ending in {numbers[0][-4:]} that looks like a payment "
            "card number; Crasme Desktop does not store card numbers. Remove it and save "
            "again."
        )
    return text


# -- email ---------------------------------------------------------------------------
@dataclass(frozen=True)
class EmailAddress:
    """A checked address as it should be shown, and the key that finds duplicates."""

    address: str
    key: str


def normalize_email(value: str) -> EmailAddress:
    """Check an email address's syntax (no network look-up) and normalise it."""
    text = (value or "").strip()
    if not text:
        raise InvalidValue("The email address is empty.")
    if any(c.isspace() for c in text):
        raise InvalidValue(f"The email address {quoted(text)} contains a space.")
    if "@" not in text:
        raise InvalidValue(f"The email address {quoted(text)} is missing the @ sign.")
    local, _, domain = text.rpartition("@")
    if not local:
        raise InvalidValue(f"The email address {quoted(text)} is missing the part before @.")
    if not domain:
        raise InvalidValue(f"The email address {quoted(text)} is missing the part after @.")
    if "@" in local and not local.startswith('"'):
        raise InvalidValue(f"The email address {quoted(text)} has more than one @ sign.")
    if "." not in domain:
        raise InvalidValue(
            f"The email address {quoted(text)} is missing the ending after @, such as “.com”."
        )
    if len(local) <= _LOCAL_MAX and len(text) <= _ADDRESS_MAX and _PLAIN_LOCAL.match(local):
        # The common case, a plain ASCII name before the @: only the domain needs the
        # full check, and a list of 100k addresses has few distinct domains.
        try:
            domain_shown, domain_ascii = _checked_domain(domain)
        except EmailNotValidError:
            pass  # the full check below gives the reason
        else:
            return EmailAddress(
                f"{local}@{domain_shown}", f"{local.casefold()}@{domain_ascii.lower()}"
            )
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        reason = str(exc).split(". ")[0].rstrip(".")
        reason = reason[:1].lower() + reason[1:]
        raise InvalidValue(
            f"The email address {quoted(text)} cannot be used because {reason}."
        ) from exc
    key = f"{checked.local_part.casefold()}@{checked.ascii_domain.lower()}"
    return EmailAddress(checked.normalized, key)


#: A dot-atom of ASCII characters: a local part email-validator keeps exactly as typed.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*\Z")
_LOCAL_MAX, _ADDRESS_MAX = 64, 254


@functools.lru_cache(maxsize=4096)
def _checked_domain(domain: str) -> tuple[str, str]:
    """The domain as shown and in ASCII, checked as `validate_email` checks it."""
    checked = validate_email_domain_name(domain, test_environment=False,
                                         globally_deliverable=True)
    return checked["domain"], checked["ascii_domain"]


def email_key(address: str) -> str:
    """The duplicate-finding key of an address that was already checked."""
    local, _, domain = address.strip().rpartition("@")
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return f"{local.casefold()}@{domain.lower()}"


# -- phone ---------------------------------------------------------------------------
def system_region() -> str:
    """The two-letter country of the system's locale (e.g. "DE" for de_DE), else "US"."""
    candidates = [os.environ.get(name, "") for name in ("LC_ALL", "LC_TELEPHONE", "LANG")]
    with contextlib.suppress(ValueError):
        candidates.append(locale.getlocale()[0] or "")
    for name in candidates:
        match = re.match(r"^[A-Za-z]{2,3}[_-]([A-Za-z]{2})\b", name)
        if match:
            region = match.group(1).upper()
            if region in phonenumbers.SUPPORTED_REGIONS:
                return region
    return FALLBACK_REGION


@dataclass(frozen=True)
class PhoneNumber:
    """A checked phone number in E.164 ("+4930123456") and its extension, if any."""

    e164: str
    extension: str = ""


_PHONE_REASON = {
    phonenumbers.ValidationResult.TOO_SHORT: "is too short",
    phonenumbers.ValidationResult.TOO_LONG: "is too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "has the wrong number of digits",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "starts with an unknown country code",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "is missing its area code",
}


def normalize_phone(value: str, region: str | None = None) -> PhoneNumber:
    """Parse a phone number as typed; numbers without "+" are read as in `region`."""
    text = (value or "").strip()
    if not text:
        raise InvalidValue("The phone number is empty.")
    checked = _parsed_phone(text, (region or system_region()).upper())
    if isinstance(checked, str):
        raise InvalidValue(checked)
    return checked


@functools.lru_cache(maxsize=16384)  # an import file names an office's numbers again and again
def _parsed_phone(text: str, region: str) -> PhoneNumber | str:
    """`normalize_phone` of a trimmed, non-empty number: the number, or why not."""
    try:
        return _parse_phone(text, region)
    except InvalidValue as exc:
        return exc.message


def _parse_phone(text: str, region: str) -> PhoneNumber:
    if sum(map(str.isdigit, text)) < 5 and not any(c.isalpha() for c in text):
        raise InvalidValue(f"The phone number {quoted(text)} is too short.")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            if text.startswith(("+", "00")):
                reason = "starts with an unknown country code"
            else:
                reason = "needs its country code, such as +44, because no office country is set"
        elif exc.error_type == phonenumbers.NumberParseException.NOT_A_NUMBER:
            reason = "does not look like a phone number"
        elif exc.error_type == phonenumbers.NumberParseException.TOO_LONG:
            reason = "is too long"
        else:
            reason = "is too short"
        raise InvalidValue(f"The phone number {quoted(text)} {reason}.") from exc
    result = phonenumbers.is_possible_number_with_reason(number)
    if number.national_number == 0:  # all zeros: phonenumbers calls it possible
        result = phonenumbers.ValidationResult.INVALID_LENGTH
    if result != phonenumbers.ValidationResult.IS_POSSIBLE:
        reason = _PHONE_REASON.get(result, "is not a possible phone number")
        raise InvalidValue(f"The phone number {quoted(text)} {reason}.")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneNumber(e164, number.extension or "")


def format_phone(
    e164: str, region: str | None = None, *, international: bool = False, extension: str = ""
) -> str:
    """A stored number for reading: national style at home, international abroad (or
    always international, for text read in any country), with its extension if any."""
    if extension:
        shown = format_phone(e164, region, international=international)
        return f"{shown} ext. {extension}"
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    home = "" if international else (region or system_region()).upper()
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


# -- website -------------------------------------------------------------------------
_LABEL = re.compile(r"^(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?$", re.UNICODE)


def normalize_website(value: str) -> str:
    """ "Example.com/shop" -> "https://example.com/shop"; empty stays empty."""
    text = (value or "").strip()
    if not text:
        return ""
    unusable = InvalidValue(
        f"The website {quoted(text)} does not look like a web address, such as example.com."
    )
    if any(c.isspace() for c in text):
        raise unusable
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text):
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)", text):
            raise InvalidValue(f"The website {quoted(text)} must start with http:// or https://.")
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise unusable from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidValue(f"The website {quoted(text)} must start with http:// or https://.")
    host = (parts.hostname or "").rstrip(".")
    if parts.username or parts.password or not _valid_host(host):
        raise unusable
    netloc = host + (f":{port}" if port is not None else "")
    path = "" if parts.path == "/" and not parts.query and not parts.fragment else parts.path
    return urlunsplit((parts.scheme.lower(), netloc, path, parts.query, parts.fragment))


def _valid_host(host: str) -> bool:
    if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", host):
        return all(int(p) <= 255 for p in host.split("."))
    labels = host.split(".")
    if len(labels) < 2 or len(host) > 253:
        return False
    if labels[-1].isdigit():
        return False
    return all(_LABEL.match(label) for label in labels)


# -- other fields --------------------------------------------------------------------
def normalize_country_code(value: str) -> str:
    """A two-letter country code (ISO 3166-1), upper case; empty stays empty."""
    text = (value or "").strip().upper()
    if not text:
        return ""
    if text not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidValue(
            f"The country code {quoted(value.strip())} is not a known two-letter country code, "
            "such as DE or US."
        )
    return text


def normalize_tag(value: str) -> tuple[str, str]:
    """A tag as shown and its key (tags differing only in case are the same tag)."""
    name = clean_text(value)
    if not name:
        raise InvalidValue("A tag cannot be empty.")
    if len(name) > TAG_MAX:
        raise InvalidValue(f"The tag {quoted(name, 21)} is longer than {TAG_MAX} characters.")
    check_no_card_number(name, "tag")
    return name, name.casefold()


def check_kind(kind: str, allowed: tuple[str, ...], what: str) -> str:
    text = (kind or "").strip().lower() or allowed[0]
    if text not in allowed:
        choices = ", ".join(allowed[:-1]) + " or " + allowed[-1]
        raise InvalidValue(f"{quoted(kind)} is not a kind of {what}; choose {choices}.")
    return text
