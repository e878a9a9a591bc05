"""Decrypt every page of a SQLCipher 4 vault file and of its write-ahead log, by hand.

For scans that must see what is really on the disk, freed pages and slack space
included (which SQL never shows). The vault is keyed with a raw 256-bit key, which
SQLCipher uses as the AES-256 key directly; each page is AES-256-CBC encrypted with
a random IV stored in its reserved tail (16 bytes IV + 64 bytes HMAC-SHA512 = 80).
Page 1 starts with the file's 16-byte salt, not encrypted. A WAL file is a 32-byte
header and frames of a 24-byte header plus one page, encrypted the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE_SIZE = 4096
RESERVE = 80
IV_SIZE = 16
SALT_SIZE = 16
WAL_HEADER = 32
FRAME_HEADER = 24


def decrypt_page(page: bytes, key: bytes, *, first: bool) -> bytes:
    """The plain content of one page (page 1 without its salt)."""
    assert len(page) == PAGE_SIZE
    start = SALT_SIZE if first else 0
    end = PAGE_SIZE - RESERVE
    iv = page[end : end + IV_SIZE]
    decryptor = Cipher(algorithms.AES(bytes(key)), modes.CBC(iv)).decryptor()
    return decryptor.update(page[start:end]) + decryptor.finalize()


def vault_pages(path: Path, key: bytes) -> Iterator[tuple[int, bytes]]:
    """(page number, plain bytes) for every page of the vault file."""
    data = path.read_bytes()
    assert len(data) % PAGE_SIZE == 0, "not a whole number of pages"
    for index in range(len(data) // PAGE_SIZE):
        page = data[index * PAGE_SIZE : (index + 1) * PAGE_SIZE]
        yield index + 1, decrypt_page(page, key, first=index == 0)


def wal_pages(path: Path, key: bytes) -> Iterator[tuple[int, bytes]]:
    """(page number, plain bytes) for every frame of a WAL file (none if absent)."""
    if not path.exists():
        return
    data = path.read_bytes()
    offset = WAL_HEADER
    while offset + FRAME_HEADER + PAGE_SIZE <= len(data):
        number = int.from_bytes(data[offset : offset + 4], "big")
        page = data[offset + FRAME_HEADER : offset + FRAME_HEADER + PAGE_SIZE]
        yield number, decrypt_page(page, key, first=number == 1)
        offset += FRAME_HEADER + PAGE_SIZE


def all_plain_pages(vault: Path, key: bytes) -> list[tuple[str, bytes]]:
    """('file:N' or 'wal:N', plain bytes) for every page of the vault and its WAL."""
    out = [(f"file:{n}", page) for n, page in vault_pages(vault, key)]
    wal = vault.with_name(vault.name + "-wal")
    out += [(f"wal:{n}", page) for n, page in wal_pages(wal, key)]
    return out


def pieces(values: list[str], size: int = 5) -> set[str]:
    """Every run of `size` characters of the values, as written and in lower case."""
    out: set[str] = set()
    for value in values:
        for form in {value, value.casefold()}:
            out.update(form[i : i + size] for i in range(len(form) - size + 1))
    return {p for p in out if p.strip() and len(p.strip()) == size}


_HEXISH = frozenset(b"0123456789abcdefABCDEF-:. T")
_ID_OR_TIME = re.compile(
    rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # a record id
    rb"|[0-9a-f]{64}"  # a sha256
    rb"|\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?"  # a stored time
)


def _inside_id_or_time(page: bytes, start: int, end: int) -> bool:
    """Whether digits found at [start, end) are part of a record id, a hash or a stored
    time (5 digits of a phone number turn up there by chance)."""
    left, right = start, end
    while left > 0 and page[left - 1] in _HEXISH:
        left -= 1
    while right < len(page) and page[right] in _HEXISH:
        right += 1
    for match in _ID_OR_TIME.finditer(page, left, right):
        if match.start() <= start and end <= match.end():
            return True
    return False


def find_pieces(
    pages: list[tuple[str, bytes]], wanted: set[str], *, masks: list[str] = ()  # type: ignore[assignment]
) -> dict[str, list[str]]:
    """{piece: [where]} for every piece found (UTF-8 or UTF-16-LE) in the pages, after
    blanking every occurrence of the `masks` (whole values allowed to stay)."""
    blanks = [m.encode(e) for m in masks for e in ("utf-8", "utf-16-le") if m]
    needles = [(p, p.encode(e)) for p in wanted for e in ("utf-8", "utf-16-le")]
    hits: dict[str, list[str]] = {}
    for where, page in pages:
        for blank in blanks:
            page = page.replace(blank, b"\0" * len(blank))
        for piece, needle in needles:
            at = page.find(needle)
            while at >= 0:
                digits = needle.isdigit()
                if not (digits and _inside_id_or_time(page, at, at + len(needle))):
                    hits.setdefault(piece, []).append(where)
                    break
                at = page.find(needle, at + 1)
    return hits
