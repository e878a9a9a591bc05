"""Reading the CSV files other tools export, and writing our own."""

from __future__ import annotations

import codecs
from datetime import date
from pathlib import Path

import pytest
from crasme_desktop.formats.contact_record import (
    Address,
    ContactRecord,
    FormatError,
    ImportLimits,
)
from crasme_desktop.formats.csv_contacts import (
    Column,
    choose_mapping,
    csv_bytes,
    decode_text,
    guess_column,
    guess_mapping,
    read_csv,
    sniff_csv,
    sniff_delimiter,
    split_tags,
)
from tests.support.sentences import assert_one_sentence

DATA = Path(__file__).resolve().parents[2] / "data" / "import"


def _read(name: str):
    return read_csv((DATA / name).read_bytes())


def _by_family(result):
    return {r.family_name: r for r in result.records}


def test_google_export_with_the_newer_headers():
    result = _read("google-contacts.csv")
    assert result.mapping.preset == "google"
    people = _by_family(result)
    assert set(people) == {"Durand", "佐藤", "Haddad", "Müller"}
    amelie = people["Durand"]
    assert amelie.given_name == "Amélie"
    assert amelie.organization == "Boulangerie Durand" and amelie.job_title == "Gérante"
    assert amelie.emails == (("work", "amelie.durand@example.test"),
                             ("home", "amelie@example.org"))
    assert amelie.phones == (("mobile", "+33 6 12 34 56 78"), ("work", "01 42 00 00 01"))
    assert amelie.addresses == (Address("work", "12 rue des Lilas", "75011", "Paris",
                                        "Île-de-France", "France"),)
    assert amelie.tags == ("Clients", "Paris")  # "* myContacts" is Google's, not the user's
    assert amelie.notes == "Prefers calls before 10,\nnever on Mondays."
    assert amelie.birthday == date(1984, 7, 21)
    assert amelie.website == "https://boulangerie-durand.example"
    assert amelie.source_line == 2
    # Several addresses in one cell, separated by " ::: ".
    assert people["佐藤"].emails == (("work", "ken.sato@example.jp"), ("work", "k.sato@example.jp"))
    assert people["佐藤"].source_line == 6  # Amélie's row spans lines 2-5
    assert people["Haddad"].organization == "شركة النخيل"
    assert people["Haddad"].addresses[0].street == "Office 4, Palm Tower, Dubai"
    assert people["Müller"].given_name == "Jonas Peter"
    assert people["Müller"].addresses[0].street == "Hauptstraße 5, 2. Hinterhof"


def test_google_export_problems_have_lines_and_sentences():
    problems = _read("google-contacts.csv").problems
    assert [(p.line, p.skipped) for p in problems] == [(6, False), (11, True)]
    assert problems[0].message == ("Line 6 has a birthday without a year (--11-03); "
                                   "it was left out.")
    assert problems[1].message == "Line 11 has 6 fields but the header has 36; it was skipped."
    for problem in problems:
        assert_one_sentence(problem.message)


def test_google_export_with_the_older_headers():
    result = _read("google-contacts-legacy.csv")
    assert result.mapping.preset == "google"
    sofia = _by_family(result)["Rossi"]
    assert sofia.display_name == "Sofia Rossi"
    assert sofia.organization == "Ceramiche Rossi" and sofia.job_title == "Export manager"
    assert sofia.emails == (("work", "sofia.rossi@example.it"),)
    assert sofia.phones == (("mobile", "+39 347 123 4567"), ("fax", "+39 051 765 4321"))
    assert sofia.tags == ("Trade fair",)
    assert sofia.addresses[0].city == "Bologna"
    assert result.problems == ()


def test_outlook_export_in_cp1252_with_semicolons():
    result = _read("outlook-cp1252-semicolon.csv")
    assert (result.mapping.preset, result.encoding, result.delimiter) == ("outlook", "cp1252", ";")
    people = _by_family(result)
    juergen = people["Weiß"]
    assert juergen.given_name == "Jürgen"  # "Herr" is Outlook's Title, not a job title
    assert juergen.job_title == "Einkaufsleiter" and juergen.organization == "Bäckerei Weiß KG"
    assert juergen.phones == (("work", "+49 711 123450"), ("mobile", "+49 151 98765432"),
                              ("fax", "+49 711 1234599"))
    assert juergen.addresses == (Address("work", "Königstraße 12, Gebäude B", "70173",
                                         "Stuttgart", "BW", "Deutschland"),)
    assert juergen.tags == ("Lieferant", "Kunde")
    assert juergen.birthday == date(1968, 9, 3)
    assert juergen.notes == "Rückruf erwünscht; bitte vormittags."
    assert people["Lefèvre"].emails == (("", "francoise.lefevre@example.fr"),
                                        ("", "f.lefevre@example.org"))
    assert people["Lefèvre"].birthday is None  # Outlook's 0/0/00
    assert [p.message for p in result.problems] == [
        "Line 4 has no name, company, email or phone; it was skipped."]


def test_spreadsheet_csv_with_bom_and_german_headers():
    result = _read("generic-utf8-bom.csv")
    assert (result.mapping.preset, result.encoding) == ("guessed", "utf-8-sig")
    assert result.headers[0] == "Vorname"  # the BOM is not part of the first header
    omer = _by_family(result)["Yılmaz"]
    assert omer.given_name == "Ömer" and omer.organization == "Yılmaz Transporte"
    assert omer.phones == (("", "030 9876543"), ("mobile", "0176 1234567"))
    assert omer.addresses == (Address("", "Kantstraße 3", "10623", "Berlin", "", "Deutschland"),)
    assert omer.tags == ("Spedition", "Partner")
    assert _by_family(result)["Søndergaard"].notes == "Zwei\nZeilen"


@pytest.mark.parametrize(("header", "column"), [
    ("E-Mail", Column("email")), ("Courriel", Column("email")), ("e_mail 2", Column("email", 2)),
    ("Email 2 Type", Column("email", 2, "type")), ("Telefon", Column("phone")),
    ("Handy", Column("phone", label="mobile")), ("Work Phone", Column("phone", label="work")),
    ("Firma", Column("organization")), ("Société", Column("organization")),
    ("SOCIETE", Column("organization")), ("Prénom", Column("given_name")),
    ("Nachname", Column("family_name")), ("PLZ", Column("address", 1, "postal_code")),
    ("Ville", Column("address", 1, "city")), ("Home City", Column("address", 2, "city", "home")),
    ("Address 2 Street", Column("address", 2, "street")),
    ("Kategorien", Column("tags", part="auto")),
    ("Geburtsdatum", Column("birthday")), ("Shoe size", None), ("", None),
])
def test_guess_column_understands_english_german_and_french(header, column):
    assert guess_column(header) == column


def test_guess_mapping_moves_a_second_phone_to_the_next_slot():
    mapping = guess_mapping(["Name", "Phone", "Mobile", "Name", "Fax"])
    assert mapping == {0: Column("display_name"), 1: Column("phone", 1),
                       2: Column("phone", 2, label="mobile"), 4: Column("phone", 3, label="fax")}


def test_presets_are_chosen_from_the_headers():
    assert choose_mapping(["First Name", "E-mail 1 - Value"]).preset == "google"
    assert choose_mapping(["Given Name", "Phone 1 - Type", "Phone 1 - Value"]).preset == "google"
    assert choose_mapping(["First Name", "E-mail Address", "Mobile Phone"]).preset == "outlook"
    assert choose_mapping(["First Name", "E-mail"]).preset == "guessed"


def test_a_mapping_from_the_user_replaces_the_guess():
    data = b"Col A,Col B\nAda,ada@example.test\n"
    with pytest.raises(FormatError, match="matched by hand"):
        read_csv(data)
    result = read_csv(data, {0: Column("given_name"), 1: Column("email", 1, label="work")})
    assert result.mapping.preset == "custom"
    assert result.records[0].emails == (("work", "ada@example.test"),)


@pytest.mark.parametrize(("data", "encoding", "text"), [
    (b"Name\nJos\xc3\xa9\n", "utf-8", "José"),
    (codecs.BOM_UTF8 + b"Name\nJos\xc3\xa9\n", "utf-8-sig", "José"),
    (codecs.BOM_UTF16_LE + "Name\nJosé\n".encode("utf-16-le"), "utf-16", "José"),
    (codecs.BOM_UTF16_BE + "Name\nJosé\n".encode("utf-16-be"), "utf-16", "José"),
    (b"Name\nJos\xe9 \x80\n", "cp1252", "José €"),
    (b"Name\n\x81\x8d\xff\n", "cp1252", "\ufffd\ufffdÿ"),  # never fails, whatever the bytes
])
def test_encoding_detection(data, encoding, text):
    decoded, found = decode_text(data)
    assert found == encoding
    assert decoded.splitlines()[1] == text


@pytest.mark.parametrize(("text", "delimiter"), [
    ("a,b,c\n1,2,3\n", ","), ("a;b;c\n1;2;3\n", ";"), ("a\tb\tc\n1\t2\t3\n", "\t"),
    ('"Name, full";Phone\n"Doe, Jane";1\n', ";"), ("Name\nAda\n", ","),
])
def test_delimiter_sniffing(text, delimiter):
    assert sniff_delimiter(text) == delimiter


def test_sniff_csv_gives_the_layout_for_the_mapping_screen():
    data = "Vorname;Nachname;E-Mail\r\nAnna;Schmidt;a@example.test\r\n".encode("cp1252")
    layout = sniff_csv(data)
    assert (layout.encoding, layout.delimiter, layout.headers) == (
        "utf-8", ";", ("Vorname", "Nachname", "E-Mail"))


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty."),
    (b" \r\n\t", "The file is empty."),
    (b"PK\x03\x04 rest of a workbook", "Excel workbook"),
    (bytes(range(32)) * 50, "not text"),
    (b"\n\n,,,\n", "no line of column names"),
])
def test_whole_file_problems_are_format_errors(data, message):
    with pytest.raises(FormatError, match=message) as caught:
        read_csv(data)
    assert_one_sentence(caught.value.message)


def test_limits_on_file_size_rows_and_fields():
    limits = ImportLimits(max_file_bytes=200, max_records=2, max_field_chars=10)
    with pytest.raises(FormatError, match="larger than 200 bytes"):
        read_csv(b"Name\n" + b"x\n" * 200, limits=limits)
    with pytest.raises(FormatError, match="more than 2 contacts"):
        read_csv(b"Name\nA\nB\nC\n", limits=limits)
    result = read_csv(b"Name,Email\nAda,a@ex.test\nBob,bob@example.test\n", limits=limits)
    assert [r.display_name for r in result.records] == ["Ada"]
    assert [p.message for p in result.problems] == [
        "Line 3 has a value longer than 10 characters; it was skipped."]


def test_a_field_beyond_the_csv_modules_own_limit_is_a_problem_not_a_crash():
    giant = b"x" * 200_000
    data = b"Name,Email\nAda,ada@example.test\n\"" + giant + b"\",b@example.test\nBob,bob@x.test\n"
    result = read_csv(data)
    assert [r.display_name for r in result.records] == ["Ada", "Bob"]
    assert len(result.problems) == 1 and result.problems[0].line == 3
    assert "longer than 65,536 characters" in result.problems[0].message


def test_ragged_rows_are_reported_and_an_unclosed_quote_is_hinted():
    data = b'Name,Email,Phone\nAda,a@x.test,1\nBob,b@x.test\n"Cy,c@x.test,2\nDee,d@x.test,3\n'
    result = read_csv(data)
    assert [r.display_name for r in result.records] == ["Ada"]
    assert [p.message for p in result.problems] == [
        "Line 3 has 2 fields but the header has 3; it was skipped.",
        "Line 4 has 1 field but the header has 3 (perhaps a quote is not closed); "
        "it was skipped."]


def test_trailing_empty_fields_are_not_ragged():
    result = read_csv(b"Name,Email\nAda,a@x.test,,\n")
    assert result.records[0].emails == (("", "a@x.test"),) and result.problems == ()


def test_tags_split_rules():
    assert split_tags("a; b,c ::: d") == ("a", "b,c", "d")
    assert split_tags("a, b") == ("a", "b")
    assert split_tags("* myContacts ::: Friends ::: * starred", "google") == ("Friends",)
    assert split_tags("x;y;x", "semicolon") == ("x", "y")


def test_write_csv_round_trip_and_layout():
    records = [
        ContactRecord(given_name="Zoë", family_name="O'Brien", organization="Acme, Inc.",
                      emails=(("work", "zoe@example.test"), ("", "z@example.org")),
                      phones=(("mobile", "+353 85 123 4567"),), tags=("VIP", "Dublin, IE"),
                      addresses=(Address("work", "1 Main St", "D02", "Dublin", "", "Ireland"),),
                      notes="Two\nlines", birthday=date(1991, 12, 1), source_line=5),
        ContactRecord(display_name="王小明", phones=(("", "+86 138 0013 8000"),)),
    ]
    data = csv_bytes(records)
    assert data.startswith(codecs.BOM_UTF8)
    header = data.decode("utf-8-sig").split("\r\n", 1)[0]
    assert header.startswith("Given Name,Family Name,Display Name,Organization,Job Title,"
                             "Email 1,Email 1 Type,Email 2,Email 2 Type,Phone 1,Phone 1 Type")
    back = read_csv(data)
    assert back.problems == ()
    assert [r.__class__(**{**r.__dict__, "source_line": 0}) for r in back.records] == [
        r.__class__(**{**r.__dict__, "source_line": 0}) for r in records]


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK"), ("@SUM(A1)", "'@SUM"),
    ("+cmd|' /C calc'!A0", "'+cmd"), ("-2+3", "'-2+3"),
    ("+49 30 1234567", "+49 30 1234567"), ("'=x", "''=x"),
])
def test_cells_that_spreadsheets_would_run_as_formulas_are_made_text(value, cell):
    data = csv_bytes([ContactRecord(given_name="Ada", notes=value)])
    assert cell in data.decode("utf-8-sig")
    assert read_csv(data).records[0].notes == value
