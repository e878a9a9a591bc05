"""Qt's compiled translation files (.qm) read without Qt, for code that may not import it.

The window hands the same files to QTranslator; the CLI, the PDFs and e-mails written
in a language other than the window's (`domain.i18n.language`) read them here. Only
what `pyside6-lrelease` writes by default is read: the Messages section, whose records
keep the context, the source text (UTF-8) and the translation (UTF-16 big-endian).
Plural forms are not used outside ui/, so a message with several forms gives its first.
A damaged or foreign file is refused with `ValueError`; a missing one is `None` from
`load`, so the program runs in English rather than failing.

The layout (Qt's src/corelib/kernel/qtranslator.cpp): a 16-byte magic, then sections
of (tag byte, big-endian u32 length, bytes); in the Messages section each message is a
run of (tag byte, value) records closed by Tag_End.
"""

from __future__ import annotations

import logging
import struct
from pathlib import Path

from crasme_desktop.domain.i18n import Catalog

log = logging.getLogger(__name__)

MAGIC = bytes.fromhex("3cb86418caef9c95cd211cbf60a1bddd")
SECTION_MESSAGES = 0x69
TAG_END, TAG_SOURCE16, TAG_TRANSLATION, TAG_CONTEXT16 = 1, 2, 3, 4
TAG_OBSOLETE1, TAG_SOURCE, TAG_CONTEXT, TAG_COMMENT, TAG_OBSOLETE2 = 5, 6, 7, 8, 9
NULL_STRING = 0xFFFFFFFF


def catalog_path(folder: Path, lang: str) -> Path:
    """Where the compiled catalog of `lang` is: `<folder>/crasme_<lang>.qm`."""
    return folder / f"crasme_{lang}.qm"


def load(folder: Path, lang: str) -> Catalog | None:
    """The catalog of `lang` from `folder`, or None when it was never compiled there."""
    path = catalog_path(folder, lang)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        log.warning("No compiled translations at %s (run scripts/translations build)", path)
        return None
    return Catalog(lang, parse(data))


def parse(data: bytes) -> dict[tuple[str, str], str]:
    """(context, source) -> translation from the bytes of a .qm file."""
    if not data.startswith(MAGIC):
        raise ValueError("not a Qt translation file")
    messages: dict[tuple[str, str], str] = {}
    pos = len(MAGIC)
    while pos < len(data):
        if pos + 5 > len(data):
            raise ValueError("truncated Qt translation file")
        tag = data[pos]
        (length,) = struct.unpack_from(">I", data, pos + 1)
        start, pos = pos + 5, pos + 5 + length
        if pos > len(data):
            raise ValueError("truncated Qt translation file")
        if tag == SECTION_MESSAGES:
            _read_messages(data[start:pos], messages)
    return messages


def _read_messages(block: bytes, out: dict[tuple[str, str], str]) -> None:
    pos = 0
    context = source = ""
    translation: str | None = None
    while pos < len(block):
        tag = block[pos]
        pos += 1
        if tag == TAG_END:
            if translation and source:
                out.setdefault((context, source), translation)
            context = source = ""
            translation = None
        elif tag in (TAG_OBSOLETE1, TAG_OBSOLETE2):
            pos += 4  # a 4-byte value no longer used
        elif tag in (TAG_TRANSLATION, TAG_SOURCE, TAG_CONTEXT, TAG_COMMENT, TAG_SOURCE16,
                     TAG_CONTEXT16):
            (length,) = struct.unpack_from(">I", block, pos)
            pos += 4
            if length == NULL_STRING:
                continue
            raw = block[pos:pos + length]
            pos += length
            if tag == TAG_TRANSLATION:
                if translation is None:  # the first plural form
                    translation = raw.decode("utf-16-be")
            elif tag == TAG_SOURCE:
                source = raw.decode("utf-8")
            elif tag == TAG_CONTEXT:
                context = raw.decode("utf-8")
            elif tag in (TAG_SOURCE16, TAG_CONTEXT16):
                value = raw.decode("utf-16-be")
                if tag == TAG_SOURCE16:
                    source = value
                else:
                    context = value
        else:
            raise ValueError(f"unknown record {tag:#x} in a Qt translation file")
