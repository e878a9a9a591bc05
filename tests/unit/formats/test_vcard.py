"""Reading the vCards phones export, and writing vCard 4.0."""

from __future__ import annotations

import base64
import dataclasses
from datetime import date
from pathlib import Path

import pytest
from crasme_desktop.formats.contact_record import (
    Address,
    ContactRecord,
    FormatError,
    ImportLimits,
    Photo,
)
from crasme_desktop.formats.vcard import (
    escape_text,
    fold_line,
    read_vcards,
    unescape_text,
    write_vcards,
)
from tests.support.sentences import assert_one_sentence

DATA = Path(__file__).resolve().parents[2] / "data" / "import"
JPEG = (DATA / "photo-8x8.jpg").read_bytes()
PNG = (DATA / "photo-8x8.png").read_bytes()


def _read(name: str):
    return read_vcards((DATA / name).read_bytes())


def _by_family(result):
    return {r.family_name or r.display_name: r for r in result.records}


def test_iphone_vcard_3_0():
    result = _read("iphone-3.0.vcf")
    people = _by_family(result)
    assert set(people) == {"García López", "Nguyễn"}
    maria = people["García López"]
    assert (maria.given_name, maria.display_name) == ("María José", "María José García López")
    assert maria.organization == "Viñedos del Sur S.L."  # the department after ; is not the company
    assert maria.job_title == "Directora comercial"
    assert maria.emails == (("work", "mj.garcia@example.es"), ("home", "mariajose@example.com"))
    # The third phone's label is in a grouped X-ABLabel line, as iPhones write it.
    assert maria.phones == (("mobile", "+34 612 345 678"), ("work", "+34 954 123 456"),
                            ("assistant", "+34 600 000 111"))
    assert maria.addresses == (Address("work", "Calle Sierpes 25", "41004", "Sevilla",
                                       "Andalucía", "España"),)
    assert maria.website == "https://vinedos.example.es"
    assert maria.notes == "Prefiere WhatsApp, no llamadas.\nVisita en mayo."
    assert maria.tags == ("Clientes", "Vino")
    assert maria.birthday == date(1982, 10, 5)
    assert maria.photo == Photo(JPEG, "image/jpeg")
    assert maria.source_line == 1
    assert [(p.line, p.skipped, p.message) for p in result.problems] == [
        (39, False, "Line 39 (card 2) has a birthday without a year (--04-30); it was left out."),
        (41, True, "Card 3, starting on line 41, has no name, company, email or phone; "
                   "it was skipped."),
    ]


def test_vcard_4_0_with_data_uri_photo_cjk_and_arabic():
    result = _read("android-4.0.vcf")
    people = _by_family(result)
    wang = people["王"]
    assert (wang.given_name, wang.display_name, wang.organization) == (
        "小明", "王小明", "上海贸易有限公司")
    assert wang.phones == (("mobile", "+86-138-0013-8000"), ("work", "+86 21 5555 0000"))
    assert wang.addresses == (Address("work", "南京东路100号", "200001", "上海", "", "中国"),)
    assert wang.birthday == date(1988, 6, 15)
    assert wang.photo == Photo(PNG, "image/png")
    alali = people["العلي"]
    assert alali.given_name == "محمد" and alali.tags == ("عملاء", "VIP")
    assert alali.emails == (("home", "m.alali@example.sa"),)
    # A card whose END was lost ends where the next card begins; both import.
    assert people["Sharma"].emails == (("", "priya.sharma@example.in"),)
    assert people["Eriksson"].phones == (("home", "+46 8 123 456 78"),)
    assert [p.message for p in result.problems] == [
        "Card 3, starting on line 25, has no END:VCARD line; it was read as far as the next "
        "card or the end of the file."]


def test_vcard_2_1_quoted_printable_with_soft_line_breaks():
    (joerg,) = _read("legacy-2.1-quoted-printable.vcf").records
    assert (joerg.given_name, joerg.family_name, joerg.display_name) == (
        "Jörg", "Müller", "Jörg Müller")
    assert joerg.notes == "Eine lange Notiz über den Kunden, die über mehrere Zeilen geht."
    assert joerg.phones == (("mobile", "+49 160 1111111"), ("work", "+49 89 222222"))
    assert joerg.emails == (("work", "joerg.mueller@example.de"),)
    assert joerg.photo == Photo(JPEG, "image/jpeg")


def test_broken_file_keeps_every_card_it_can():
    result = _read("broken.vcf")
    people = _by_family(result)
    # Folded in the middle of "ö": the bytes are joined before decoding.
    assert people["Ström"].display_name == "Björn Ström"
    assert people["Ström"].notes == ("This note was folded by a program that forgot\n"
                                     "the leading space.")
    assert people["Ström"].emails == (("", "bjorn@example.se"),)
    assert people["Bad;Card"].phones == (("work", "+1 555 0100"),)
    assert people["Latin-1 Klärchen"].emails == (("", "klaerchen@example.at"),)  # cp1252 card
    assert [(p.line, p.message) for p in result.problems] == [
        (1, "Line 1 is not inside a vCard; it was ignored."),
        (10, "Line 10 (card 1) could not be read as a vCard line; it was left out."),
        (11, "Line 11 (card 1) has a birthday that is not a date (not a date); "
             "it was left out."),
        (13, "Line 13 is not inside a vCard; it was ignored."),
        (17, "Line 17 (card 2) could not be read as a vCard line; it was left out."),
    ]
    for problem in result.problems:
        assert_one_sentence(problem.message)


def test_values_with_commas_are_kept_whole():
    # vobject's own text decoding keeps only "Call after 5" here.
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nNOTE:Call after 5, not before\r\nEND:VCARD\r\n"
    assert read_vcards(card).records[0].notes == "Call after 5, not before"


def test_utf16_vcard_with_bom():
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ærøskøbing Ældre\r\nEND:VCARD\r\n"
    (record,) = read_vcards(b"\xff\xfe" + text.encode("utf-16-le")).records
    assert record.display_name == "Ærøskøbing Ældre"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty."),
    (b"\r\n  \r\n", "The file is empty."),
    (b"FN:Ada\r\nEMAIL:ada@example.test\r\n", "holds no vCard"),
    (bytes(range(256)), "holds no vCard"),
])
def test_whole_file_problems_are_format_errors(data, message):
    with pytest.raises(FormatError, match=message) as caught:
        read_vcards(data)
    assert_one_sentence(caught.value.message)


def test_limits():
    card = b"BEGIN:VCARD\r\nFN:Ada\r\nEND:VCARD\r\n"
    with pytest.raises(FormatError, match="larger than 64 bytes"):
        read_vcards(card * 3, limits=ImportLimits(max_file_bytes=64))
    with pytest.raises(FormatError, match="more than 2 cards"):
        read_vcards(card * 3, limits=ImportLimits(max_records=2))
    long_note = b"BEGIN:VCARD\r\nFN:Ada\r\nNOTE:" + b"x" * 50 + b"\r\nEND:VCARD\r\n"
    result = read_vcards(long_note, limits=ImportLimits(max_field_chars=40))
    assert result.records[0].notes == ""
    assert [p.message for p in result.problems] == [
        "Line 3 (card 1) has a value longer than 40 characters; it was left out."]
    photo = (b"BEGIN:VCARD\r\nFN:Ada\r\nPHOTO;ENCODING=b;TYPE=JPEG:" + b"QUFB" * 100
             + b"\r\nEND:VCARD\r\n")
    result = read_vcards(photo, limits=ImportLimits(max_photo_bytes=100))
    assert result.records[0].photo is None
    assert result.problems[0].message == ("Line 3 (card 1) has a photo larger than 100 bytes; "
                                          "it was left out.")


def test_photo_forms():
    def photo_of(line: bytes) -> Photo | None:
        card = b"BEGIN:VCARD\r\nFN:A\r\n" + line + b"\r\nEND:VCARD\r\n"
        return read_vcards(card).records[0].photo

    b64 = base64.b64encode(PNG)
    assert photo_of(b"PHOTO;ENCODING=b;TYPE=PNG:" + b64) == Photo(PNG, "image/png")
    assert photo_of(b"PHOTO;ENCODING=BASE64;TYPE=GIF:" + b64) == Photo(PNG, "image/png")
    assert photo_of(b"PHOTO;BASE64:" + b64.rstrip(b"=")) == Photo(PNG, "image/png")
    assert photo_of(b"PHOTO:data:image/png;base64," + b64) == Photo(PNG, "image/png")
    assert photo_of(b"PHOTO;VALUE=uri:https://example.test/a.jpg") is None  # never fetched
    # A broken fold inside the base64 is mended.
    assert photo_of(b"PHOTO;ENCODING=b:" + b64[:40] + b"\r\n" + b64[40:]) == Photo(PNG, "image/png")


def test_escaping_and_folding_rules():
    assert escape_text("a\\b,c;d\ne") == "a\\\\b\\,c\\;d\\ne"
    assert unescape_text(escape_text("a\\b,c;d\ne")) == "a\\b,c;d\ne"
    assert unescape_text(r"keep \x as written") == r"keep \x as written"
    folded = fold_line("NOTE:" + "日本語" * 40)
    lines = folded.removesuffix("\r\n").split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])
    unfolded = "".join(line[1:] if i else line for i, line in enumerate(lines))
    assert unfolded == "NOTE:" + "日本語" * 40
    assert fold_line("FN:Ada") == "FN:Ada\r\n"


def test_write_vcards_writes_4_0_and_reads_back():
    record = ContactRecord(
        given_name="Zoë", family_name="李", organization="Acme, Inc; Ltd", job_title="Boss",
        emails=(("work", "zoe@example.test"), ("", "z@example.org")),
        phones=(("mobile", "+1 555 0100"), ("assistant", "+1 555 0101")),
        addresses=(Address("home", "1 Main St, Apt 2", "12345", "Springfield", "IL", "USA"),),
        website="https://example.test", notes="Line one\nline two; with \\ and ,",
        tags=("VIP", "a, b"), birthday=date(1990, 1, 2), photo=Photo(JPEG, "image/jpeg"),
        source_line=7)
    text = write_vcards([record])
    lines = text.split("\r\n")
    assert lines[:3] == ["BEGIN:VCARD", "VERSION:4.0", "FN:Zoë 李"]
    assert "TEL;VALUE=text;TYPE=cell:+1 555 0100" in lines
    assert "ADR;TYPE=home:;;1 Main St\\, Apt 2;Springfield;IL;12345;USA" in lines
    assert "CATEGORIES:VIP,a\\, b" in lines
    assert "BDAY:19900102" in lines
    assert any(line.startswith("PHOTO:data:image/jpeg;base64,") for line in lines)
    assert all(len(line.encode()) <= 75 for line in lines)
    (back,) = read_vcards(text.encode()).records
    assert dataclasses.replace(back, source_line=7, display_name="") == record
