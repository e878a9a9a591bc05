"""The text a record puts into the search index, as pure functions.

Used by the search index service to keep the index in step and by the migration
that builds the index for vaults made before it, so both write the same words.
A record's text has two parts: `name` (what it is called; matches there rank
first) and `other` (emails, phone digits, job title, website).

Phones are indexed as digits three ways, so that "+49 30 1234", "030 1234" and
"30 1234" all find +49301234567: the E.164 digits, the national number with the
country's trunk prefix ("0301234567") and without it ("301234567").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

#: Longest text kept per part, so one giant note-like field cannot bloat the index.
PART_LIMIT = 2000


@dataclass(frozen=True)
class SearchText:
    name: str
    other: str


def person_text(
    given_name: str,
    family_name: str,
    display_name: str,
    job_title: str = "",
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
) -> SearchText:
    """The searchable text of a person (phones in E.164)."""
    name = _join_new([display_name, given_name, family_name])
    other_parts = [*emails]
    for number in phones:
        other_parts.extend(phone_digits(number))
    other_parts.append(job_title)
    return SearchText(name[:PART_LIMIT], _join_new(other_parts)[:PART_LIMIT])


def organization_text(name: str, website: str = "") -> SearchText:
    """The searchable text of a company: its name, and its website without the scheme."""
    host = website.strip()
    for scheme in ("https://", "http://"):
        if host.lower().startswith(scheme):
            host = host[len(scheme):]
    if host.lower().startswith("www."):
        host = host[4:]
    return SearchText(name.strip()[:PART_LIMIT], host.rstrip("/")[:PART_LIMIT])


def phone_digits(e164: str) -> tuple[str, ...]:
    """The digit strings a phone number is found by (see the module's note)."""
    digits = "".join(c for c in e164 if c.isdigit())
    if not digits:
        return ()
    if not e164.lstrip().startswith("+"):
        return (digits,)
    for length in (1, 2, 3):
        trunk = _trunk_prefix(digits[:length])
        if trunk is not None:
            national = digits[length:]
            forms = [digits, national]
            if trunk and not national.startswith(trunk):
                forms.append(trunk + national)
            return tuple(dict.fromkeys(f for f in forms if f))
    return (digits,)


def digits_only(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


@lru_cache(maxsize=512)
def _trunk_prefix(country_code: str) -> str | None:
    """The national trunk prefix ("0" in Germany, "" where there is none) of a calling
    code, or None if no country uses that code."""
    region = phonenumbers.region_code_for_country_code(int(country_code))
    if region == phonenumbers.UNKNOWN_REGION:
        return None
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        int(country_code), region
    )
    prefix = getattr(metadata, "national_prefix", None) if metadata is not None else None
    # North America's "1" is the country code again, not something people type first.
    return "" if not prefix or prefix == country_code else str(prefix)


def _join_new(parts: Iterable[str]) -> str:
    """The words of the parts joined by spaces, each word once (case-blind)."""
    out: dict[str, str] = {}
    for part in parts:
        for word in part.split():
            out.setdefault(word.casefold(), word)
    return " ".join(out.values())
