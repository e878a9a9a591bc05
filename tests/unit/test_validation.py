"""Checking what people type: emails, phones, websites, names, tags, country codes."""

from __future__ import annotations

import pytest
from crasme_desktop.domain import validation as v
from crasme_desktop.domain.validation import InvalidValue
from hypothesis import given
from hypothesis import strategies as st
from tests.support.sentences import assert_one_sentence


def problem(fn, *args) -> str:
    with pytest.raises(InvalidValue) as caught:
        fn(*args)
    assert_one_sentence(caught.value.message)
    return caught.value.message


# -- email -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("bob@", "The email address “bob@” is missing the part after @."),
        ("bob", "The email address “bob” is missing the @ sign."),
        ("@example.com", "The email address “@example.com” is missing the part before @."),
        ("a@@example.com", "The email address “a@@example.com” has more than one @ sign."),
        ("bob@example", "The email address “bob@example” is missing the ending after @, "
                        "such as “.com”."),
        ("bob smith@example.com", "The email address “bob smith@example.com” contains a space."),
        ("", "The email address is empty."),
    ],
)
def test_email_problems_read_as_one_plain_sentence(typed, message):
    assert problem(v.normalize_email, typed) == message


@pytest.mark.parametrize("typed", ["bob@x..com", "a,b@example.com", "bob.@example.com",
                                   "bob@-example.com", "bob@host.invalid"])
def test_other_bad_emails_name_the_address_and_the_reason(typed):
    message = problem(v.normalize_email, typed)
    assert message.startswith(f"The email address “{typed}” cannot be used because ")


def test_emails_are_normalised_and_keyed_for_duplicates():
    checked = v.normalize_email("  Bob.Smith@Bücher.DE ")
    assert checked.address == "Bob.Smith@bücher.de"
    assert checked.key == "bob.smith@xn--bcher-kva.de"
    assert v.normalize_email("bob.smith@xn--bcher-kva.de").key == checked.key
    assert v.email_key("Bob.Smith@bücher.de") == checked.key


def test_international_addresses_are_accepted():
    assert v.normalize_email("用户@例子.广告").address == "用户@例子.广告"
    assert v.normalize_email("jörg@example.de").key == "jörg@example.de"


# -- phone -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "region", "e164"),
    [
        ("030 1234567", "DE", "+49301234567"),
        ("+49 (30) 123-4567", "US", "+49301234567"),
        ("0049 30 1234567", "FR", "+49301234567"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("(212) 555-0100", "US", "+12125550100"),
        ("06 12 34 56 78", "fr", "+33612345678"),
    ],
)
def test_phones_become_e164_in_the_office_country(typed, region, e164):
    assert v.normalize_phone(typed, region).e164 == e164


def test_a_phone_extension_is_kept_apart():
    phone = v.normalize_phone("(212) 555-0100 ext. 42", "US")
    assert phone == v.PhoneNumber("+12125550100", "42")


@pytest.mark.parametrize(
    ("typed", "region", "message"),
    [
        ("12", "DE", "The phone number “12” is too short."),
        ("+999 1234567", "DE", "The phone number “+999 1234567” starts with an unknown "
                               "country code."),
        ("hello", "US", "The phone number “hello” does not look like a phone number."),
        ("1234567", "US", "The phone number “1234567” is missing its area code."),
        ("+49 30 1234567890123456", "DE", "The phone number “+49 30 1234567890123456” is "
                                          "too long."),
        ("", "DE", "The phone number is empty."),
        ("000000", "DE", "The phone number “000000” has the wrong number of digits."),
    ],
)
def test_phone_problems_read_as_one_plain_sentence(typed, region, message):
    assert problem(v.normalize_phone, typed, region) == message


def test_the_same_digits_mean_different_numbers_in_different_countries():
    assert v.normalize_phone("030 1234567", "DE").e164 != v.normalize_phone(
        "030 1234567", "JP").e164


def test_default_region_comes_from_the_locale_then_falls_back_to_us(monkeypatch):
    for name in ("LC_ALL", "LC_TELEPHONE", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(v.locale, "getlocale", lambda: (None, None))
    assert v.system_region() == "US"
    monkeypatch.setenv("LANG", "de_AT.UTF-8")
    assert v.system_region() == "AT"
    assert v.normalize_phone("01 5123456").e164 == "+4315123456"  # Vienna, read as Austria
    monkeypatch.setenv("LC_ALL", "C.UTF-8")  # no country in it: the next one counts
    assert v.system_region() == "AT"
    monkeypatch.setenv("LC_ALL", "xx_ZZ")  # not a country: skipped
    assert v.system_region() == "AT"


def test_stored_numbers_read_nationally_at_home_and_internationally_abroad():
    assert v.format_phone("+49301234567", "DE") == "030 1234567"
    assert v.format_phone("+49301234567", "US") == "+49 30 1234567"


# -- website ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("Example.com", "https://example.com"),
        ("example.com/shop", "https://example.com/shop"),
        ("http://EXAMPLE.com/", "http://example.com"),
        ("www.example.co.uk:8080/a?b=1", "https://www.example.co.uk:8080/a?b=1"),
        ("bücher.de", "https://bücher.de"),
        ("", ""),
    ],
)
def test_websites_are_normalised(typed, normalised):
    assert v.normalize_website(typed) == normalised


@pytest.mark.parametrize("typed", ["foo", "https://exa mple.com", "-bad.com", "localhost",
                                   "http://user:pw@example.com", "example.123"])
def test_websites_that_are_not_web_addresses_are_refused(typed):
    assert problem(v.normalize_website, typed) == (
        f"The website “{typed}” does not look like a web address, such as example.com."
    )


@pytest.mark.parametrize("typed", ["ftp://example.com", "mailto:bob@example.com"])
def test_websites_must_be_http(typed):
    assert problem(v.normalize_website, typed) == (
        f"The website “{typed}” must start with http:// or https://."
    )


# -- names, tags, countries, kinds -----------------------------------------------------
def test_sort_keys_ignore_case_and_accents():
    assert v.sort_key("Émile  Zola") == v.sort_key("emile zola") == "emile zola"
    names = ["Zoe", "Émile", "Ada", "ada", "Ørsted", "Ölmez"]
    assert sorted(names, key=v.sort_key)[:4] == ["Ada", "ada", "Émile", "Ölmez"]


def test_display_names_put_east_asian_family_names_first():
    assert v.default_display_name("Ada", "Lovelace") == "Ada Lovelace"
    assert v.default_display_name("太郎", "山田") == "山田太郎"
    assert v.default_display_name("민준", "김") == "김민준"
    assert v.default_display_name("", " Lovelace ") == "Lovelace"


def test_tags_are_trimmed_and_keyed_without_case():
    assert v.normalize_tag("  Key   account ") == ("Key account", "key account")
    assert problem(v.normalize_tag, "   ") == "A tag cannot be empty."
    assert "longer than 50" in problem(v.normalize_tag, "x" * 51)


def test_country_codes():
    assert v.normalize_country_code(" de ") == "DE"
    assert v.normalize_country_code("") == ""
    assert problem(v.normalize_country_code, "XX") == (
        "The country code “XX” is not a known two-letter country code, such as DE or US."
    )


def test_kinds_default_and_refuse_unknown_ones():
    assert v.check_kind("", v.EMAIL_KINDS, "email") == "work"
    assert v.check_kind("Home", v.EMAIL_KINDS, "email") == "home"
    assert problem(v.check_kind, "fax", v.EMAIL_KINDS, "email") == (
        "“fax” is not a kind of email; choose work, home or other."
    )


def test_typed_values_are_quoted_on_one_short_line():
    assert v.quoted("a\nb\t c\x00") == "“a b c”"
    assert v.quoted("x" * 100, 10) == "“xxxxxxxxx…”"
    assert problem(v.normalize_phone, "12\n\n3", "DE") == "The phone number “12 3” is too short."


# -- properties ------------------------------------------------------------------------
def assert_plain_message(message: str) -> None:
    """One line ending like a sentence (a typed value inside may hold ". X")."""
    assert "\n" not in message and "\r" not in message
    assert message.endswith(".") and "Traceback" not in message
    assert len(message) < 300


@given(st.text(max_size=60))
def test_email_check_never_crashes_and_keys_are_stable(text):
    try:
        checked = v.normalize_email(text)
    except InvalidValue as exc:
        assert_plain_message(exc.message)
    else:
        assert v.normalize_email(checked.address).key == checked.key
        assert checked.key == checked.key.lower() or not checked.key.isascii()


@given(st.text(alphabet="0123456789 +-()x.#abc", max_size=30),
       st.sampled_from(["DE", "US", "GB", "JP"]))
def test_phone_check_never_crashes_and_is_idempotent(text, region):
    try:
        phone = v.normalize_phone(text, region)
    except InvalidValue as exc:
        assert_plain_message(exc.message)
    else:
        assert phone.e164.startswith("+") and phone.e164[1:].isdigit()
        assert v.normalize_phone(phone.e164, "US").e164 == phone.e164


@given(st.text(max_size=40))
def test_website_check_never_crashes_and_is_idempotent(text):
    try:
        url = v.normalize_website(text)
    except InvalidValue as exc:
        assert_plain_message(exc.message)
    else:
        assert url == "" or url.startswith(("http://", "https://"))
        assert v.normalize_website(url) == url


_LOCAL_CHARS = "abcXYZ019.!#$%&'*+/=?^_`{|}~-\"(),:;<>@[\\] é"
_DOMAINS = ["example.com", "Example.ORG", "mail.example.co.uk", "bücher.example", "localhost",
            "example.test", "exa_mple.com", "-bad.com", "a..b.com", "xn--bcher-kva.example",
            "example.invalid", "münchen.de", "x" * 70 + ".com", "1.2.3.4"]


@given(
    local=st.text(alphabet=_LOCAL_CHARS, min_size=1, max_size=70),
    domain=st.sampled_from(_DOMAINS),
)
def test_the_quick_path_for_plain_addresses_agrees_with_the_full_check(local, domain):
    from email_validator import EmailNotValidError, validate_email

    typed = f"{local}@{domain}"
    try:  # normalize_email trims the ends as people's typing needs; so does the reference
        full = validate_email(typed.strip(), check_deliverability=False)
    except EmailNotValidError:
        full = None
    try:
        ours = v.normalize_email(typed)
    except InvalidValue:
        ours = None
    if full is None:
        assert ours is None, typed
    elif ours is not None:
        assert ours.address == full.normalized, typed
        assert ours.key == f"{full.local_part.casefold()}@{full.ascii_domain.lower()}", typed


def test_phones_are_written_for_reading_at_home_abroad_or_anywhere():
    assert v.format_phone("+442079460123", "GB") == "020 7946 0123"
    assert v.format_phone("+442079460123", "DE") == "+44 20 7946 0123"
    assert v.format_phone("+442079460123", "GB", international=True) == "+44 20 7946 0123"
    assert v.format_phone("+4930123456", "DE", extension="12") == "030 123456 ext. 12"


def test_a_phone_read_again_gives_the_same_answer_and_the_same_sentence():
    # Parsing is remembered per (number, country) for imports that repeat numbers.
    first = [v.normalize_phone("030 1234567", region) for region in ("DE", "JP", "de")]
    again = [v.normalize_phone("030 1234567", region) for region in ("DE", "JP", "de")]
    assert first == again
    assert first[0] == first[2] != first[1]
    for _ in range(2):
        assert problem(v.normalize_phone, "+999 1234567", "DE") == (
            "The phone number “+999 1234567” starts with an unknown country code.")


def test_the_quick_card_number_check_still_finds_the_shortest_cards():
    # Texts under 13 characters or with fewer than 13 digits are answered at once.
    assert v.card_numbers("4222222222222") == ["4222222222222"]  # a 13-digit test Visa
    assert v.card_numbers("Card 4222222222222.") == ["4222222222222"]
    assert v.card_numbers("422222222222") == []
    assert v.card_numbers("42 22 22 22 22 22 2") == ["4222222222222"]  # in groups, too
    assert v.card_numbers("Call 4222 2222 2222 after lunch, please") == []  # 12 digits
