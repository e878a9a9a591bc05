"""Property tests: no input crashes the importers, and what we write reads back.

Whole-file problems may raise `FormatError`; anything else that escapes is a bug.
Every problem names a line that exists in the file and is one plain sentence.
"""

from __future__ import annotations

import dataclasses
import re

from crasme_desktop.formats.contact_record import (
    Address,
    ContactRecord,
    FormatError,
    ImportLimits,
    ParseResult,
    Photo,
    clean_notes,
    clean_text,
)
from crasme_desktop.formats.csv_contacts import csv_bytes, read_csv
from crasme_desktop.formats.vcard import read_vcards, write_vcards
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.support.sentences import assert_one_sentence

FUZZ = settings(max_examples=400,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
ROUND_TRIP = settings(FUZZ, max_examples=300)
# Small limits, so that "giant" fields and files are cheap to make.
SMALL = ImportLimits(max_file_bytes=20_000, max_records=40, max_field_chars=300,
                     max_photo_bytes=600)


def _physical_lines(data: bytes) -> int:
    return len(re.split(rb"\r\n|\r|\n", data))


def _check(read, data: bytes, limits: ImportLimits = SMALL) -> ParseResult | None:
    try:
        result = read(data, limits=limits)
    except FormatError as exc:
        assert_one_sentence(exc.message)
        return None
    # UTF-16 files have more bytes per line, never more lines than this.
    lines = _physical_lines(data) + 1
    for problem in result.problems:
        assert 1 <= problem.line <= lines, problem
        assert_one_sentence(problem.message)
        assert f"line {problem.line}" in problem.message.casefold()
    for record in result.records:
        assert record.has_identity()
        assert 1 <= record.source_line <= lines
    return result


# ---------------------------------------------------------------- junk in

@FUZZ
@given(st.binary(max_size=3000))
def test_csv_random_bytes(data):
    _check(read_csv, data)


@FUZZ
@given(st.binary(max_size=3000))
def test_vcard_random_bytes(data):
    _check(read_vcards, data)


_ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])


@FUZZ
@given(st.text(max_size=1500), _ENCODINGS)
def test_random_text_in_any_encoding(text, encoding):
    data = text.encode(encoding, "ignore")
    _check(read_csv, data)
    _check(read_vcards, data)


_HEADERS = ["First Name", "Last Name", "Name", "E-mail 1 - Value", "E-mail 1 - Type",
            "Phone 1 - Value", "Phone 1 - Label", "Address 1 - Street", "Labels", "Notes",
            "Birthday", "Company", "E-mail Address", "Mobile Phone", "Business Phone",
            "Categories", "Firma", "Courriel", "Telefon", "PLZ", "Ort", "Email 2 Type", "??",
            ""]
_CELL = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", '"', '""', "a,b", "a;b", "x\ny", "\r", "=1+1", "--03-14", "0/0/00",
                     "31.02.2000", "* myContacts ::: Friends", "a@b.c ::: d@e.f", "\x00"]),
    st.integers(0, 400).map(lambda n: "x" * n),  # may exceed the field limit
)


@st.composite
def csv_files(draw):
    headers = draw(st.lists(st.sampled_from(_HEADERS), min_size=1, max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    rows = draw(st.lists(st.lists(_CELL, max_size=len(headers) + 2), max_size=12))
    quote = draw(st.booleans())

    def line(cells):
        if quote:
            cells = ['"' + c.replace('"', '""') + '"' for c in cells]
        return delimiter.join(cells)

    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(line(r) for r in [headers, *rows])
    return text.encode(draw(_ENCODINGS), "ignore")


@FUZZ
@given(csv_files())
def test_csv_ragged_quoted_and_giant(data):
    _check(read_csv, data)


_VCARD_LINES = st.one_of(
    st.sampled_from([
        "BEGIN:VCARD", "END:VCARD", "VERSION:3.0", "VERSION:4.0", "FN:Ada Lovelace",
        "N:Lovelace;Ada;;;", "N:;;;", "N:a\\;b;c\\,d", "ORG:Acme;Dept", "TITLE:Countess",
        "EMAIL;TYPE=INTERNET,WORK:ada@example.test", "TEL;CELL:+44 20 1234",
        "TEL;VALUE=uri:tel:+1-555", "item1.TEL:1", "item1.X-ABLabel:_$!<Mobile>!$_",
        "ADR;TYPE=home:;;1 Main St;Town;;123;UK", "ADR:;;;", "URL:https://example.test",
        "NOTE:a\\nb\\, c", "NOTE;ENCODING=QUOTED-PRINTABLE:caf=C3=A9=", "=3D=",
        "NOTE;CHARSET=nonsense;ENCODING=QUOTED-PRINTABLE:=E9", "CATEGORIES:a,b\\,c",
        "BDAY:1985-03-14", "BDAY:--0314", "BDAY:xx", "BDAY;X-APPLE-OMIT-YEAR=1604:1604-01-01",
        "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQ", "PHOTO:data:image/png;base64,iVBORw0K",
        "PHOTO;ENCODING=b:!!!!", "PHOTO:data:;base64,", "PHOTO;BASE64:", "AAAA", ":", ";",
        "X-;=:", 'EMAIL;TYPE="a,b":x@y.z', "BEGIN:VCARD\x00", " folded", "\tfolded", "",
        "TEL;TYPE=:", "N", "END", "begin:vcard", "end:vcard",
    ]),
    st.text(max_size=30),
    st.integers(0, 900).map(lambda n: "NOTE:" + "y" * n),
    st.integers(0, 1200).map(lambda n: "PHOTO;ENCODING=b:" + "QUFB" * (n // 4)),
)


@st.composite
def vcard_files(draw):
    lines = draw(st.lists(_VCARD_LINES, max_size=30))
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    data = newline.join(lines).encode(draw(_ENCODINGS), "ignore")
    # Broken folding: cut the bytes anywhere (even inside a UTF-8 character) and fold
    # with or without the leading space.
    for cut in draw(st.lists(st.integers(0, max(len(data), 1)), max_size=4)):
        fold = draw(st.sampled_from([b"\r\n ", b"\r\n", b"\n\t", b"\n"]))
        data = data[:cut] + fold + data[cut:]
    return data


@FUZZ
@given(vcard_files())
def test_vcard_broken_folding_junk_and_mixed_encodings(data):
    _check(read_vcards, data)


@FUZZ
@given(st.lists(st.binary(max_size=200), max_size=6), st.binary(max_size=400))
def test_vcard_cards_around_binary_junk(chunks, junk):
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Card\r\nEND:VCARD\r\n"
    data = card + b"".join(chunk + card for chunk in chunks) + junk
    result = _check(read_vcards, data)
    # Junk may swallow a BEGIN or END line, but the first card always survives.
    assert result is not None and result.records[0].display_name.startswith("Card")


# ---------------------------------------------------------------- round trips

_SAFE = st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn"),
                      blacklist_characters="\ufffd\ufeff")
# Biased towards the characters both formats must escape or quote.
_TRICKY = st.sampled_from([*list(',;:"\\\'=+-@*'), "\u2028", "\x85", " ", "é", "李", "ع"])
_TEXT = st.text(st.one_of(_SAFE, _TRICKY), max_size=25).map(clean_text)
_NOTES = st.text(st.one_of(_SAFE, _TRICKY, st.just("\n")), max_size=60).map(clean_notes)
_LABEL = st.sampled_from(["", "work", "home", "mobile", "fax", "pager", "main", "other",
                          "assistant"])
_EMAIL = st.from_regex(r"[a-z0-9._%+-]{1,12}@[a-z0-9-]{1,10}\.[a-z]{2,6}", fullmatch=True)
_PHONE = st.from_regex(r"\+?[0-9][0-9 ()./-]{2,14}", fullmatch=True).map(clean_text)
_TAG = _TEXT.filter(lambda t: t and ";" not in t and ":::" not in t)
_ADDRESS = st.builds(Address, _LABEL, _TEXT, _TEXT, _TEXT, _TEXT, _TEXT).filter(
    lambda a: not a.is_empty())
_PHOTO = st.builds(Photo, st.binary(min_size=1, max_size=300),
                   st.sampled_from(["image/jpeg", "image/png", "image/gif"]))


@st.composite
def records(draw, with_photo: bool):
    record = ContactRecord(
        given_name=draw(_TEXT), family_name=draw(_TEXT), display_name=draw(_TEXT),
        organization=draw(_TEXT), job_title=draw(_TEXT),
        emails=tuple(draw(st.lists(st.tuples(_LABEL, _EMAIL), max_size=3))),
        phones=tuple(draw(st.lists(st.tuples(_LABEL, _PHONE), max_size=3))),
        addresses=tuple(draw(st.lists(_ADDRESS, max_size=2))),
        website=draw(_TEXT), notes=draw(_NOTES),
        tags=tuple(dict.fromkeys(draw(st.lists(_TAG, max_size=4)))),
        birthday=draw(st.none() | st.dates()),
        photo=draw(_PHOTO | st.none()) if with_photo else None)
    if not record.has_identity():
        record = dataclasses.replace(record, given_name="Ada")
    return record


def _comparable(record: ContactRecord, *, vcard: bool) -> ContactRecord:
    record = dataclasses.replace(record, source_line=0)
    if vcard:  # FN is required in a vCard, so the shown name is always written
        record = dataclasses.replace(record, display_name=record.shown_name())
    return record


@ROUND_TRIP
@given(st.lists(records(with_photo=False), min_size=1, max_size=5))
def test_csv_round_trip_keeps_every_field(written):
    result = read_csv(csv_bytes(written))
    assert result.problems == ()
    assert [_comparable(r, vcard=False) for r in result.records] == written


@ROUND_TRIP
@given(st.lists(records(with_photo=True), min_size=1, max_size=5))
def test_vcard_round_trip_keeps_every_field(written):
    text = write_vcards(written)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    result = read_vcards(text.encode("utf-8"))
    assert result.problems == ()
    assert [_comparable(r, vcard=False) for r in result.records] == [
        _comparable(r, vcard=True) for r in written]
