"""Labels and birthdays as contact files write them."""

from __future__ import annotations

from datetime import date

import pytest
from crasme_desktop.formats.contact_record import (
    Address,
    BirthdayError,
    ContactRecord,
    excerpt,
    normalise_label,
    parse_birthday,
)
from tests.support.sentences import assert_one_sentence


@pytest.mark.parametrize(("written", "label"), [
    ("* Mobile", "mobile"), ("CELL,VOICE", "mobile"), ("Handy", "mobile"),
    ("INTERNET,WORK,pref", "work"), ("Business Phone", "work"), ("Geschäftlich", "work"),
    ("Work Fax", "fax"), ("HOME", "home"), ("domicile", "home"), ("pref", ""),
    ("INTERNET", ""), ("Assistant", "assistant"), ("", ""), ("  Other ", "other"),
])
def test_labels_fold_to_a_small_vocabulary(written, label):
    assert normalise_label(written) == label


@pytest.mark.parametrize(("written", "day"), [
    ("1985-03-14", date(1985, 3, 14)), ("19850314", date(1985, 3, 14)),
    ("1985-03-14T00:00:00Z", date(1985, 3, 14)), ("14.03.1985", date(1985, 3, 14)),
    ("3/14/1985", date(1985, 3, 14)), ("14/3/1985", date(1985, 3, 14)),
    ("14-03-1985", date(1985, 3, 14)), ("3/4/85", date(1985, 3, 4)),
    ("", None), ("0/0/00", None), ("  ", None),
])
def test_birthdays_in_the_forms_exporters_write(written, day):
    assert parse_birthday(written) == day


@pytest.mark.parametrize(("written", "clause"), [
    ("--03-14", "without a year"), ("--0314", "without a year"),
    ("1985-02-30", "does not exist"), ("next spring", "not a date"),
])
def test_birthdays_that_cannot_be_kept_say_why(written, clause):
    with pytest.raises(BirthdayError, match=clause):
        parse_birthday(written)


def test_identity_and_shown_name():
    assert not ContactRecord(notes="only a note", addresses=(Address(city="Oslo"),)).has_identity()
    assert ContactRecord(phones=(("", "123"),)).has_identity()
    assert ContactRecord(given_name="Ada", family_name="Lovelace").shown_name() == "Ada Lovelace"
    assert ContactRecord(organization="Acme").shown_name() == "Acme"
    assert ContactRecord(emails=(("", "a@example.test"),)).shown_name() == "a@example.test"


def test_excerpts_cannot_break_a_sentence_in_two():
    shown = excerpt("Soon. Error: Maybe!")
    message = f"Line 3 has a birthday that is not a date ({shown}); it was left out."
    assert_one_sentence(message)
    assert len(excerpt("x" * 500)) <= 40
