"""The payment card detector: Luhn-valid runs of 13-19 digits, whole or in groups."""

from __future__ import annotations

import pytest
from crasme_desktop.domain.validation import (
    CardNumberRefused,
    card_numbers,
    check_no_card_number,
    contains_card_number,
)
from hypothesis import given
from hypothesis import strategies as st


def luhn_complete(body: str) -> str:
    """`body` with the check digit that makes it Luhn-valid."""
    for digit in "0123456789":
        candidate = body + digit
        total = 0
        for i, c in enumerate(reversed(candidate)):
            n = int(c) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return candidate
    raise AssertionError


@pytest.mark.parametrize("text", [
    "4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111",
    "card: 5555 5555 5555 4444, exp 12/27", "Amex 378282246310005.",
    "4111 1111 1111 1111 12 27", "(6011111111111117)", "3530111333300000",
])
def test_card_numbers_are_found(text):
    assert contains_card_number(text)


@pytest.mark.parametrize("text", [
    "", "4111 1111 1111 1112",  # one digit off
    "IBAN DE89 3704 0044 0532 0130 00", "+49 30 12345678", "Order 1234567890123456",
    "x4111111111111111", "4111111111111111x", "41111111111111110000",  # 20 digits
    "1234-5678", "2026-03-02", "411111111111",  # too short
    "9111111111111111",  # not a payment card's first digit
])
def test_other_numbers_are_not(text):
    assert not contains_card_number(text)


@given(st.integers(2, 6), st.integers(11, 17), st.randoms(use_true_random=False),
       st.sampled_from(["", " ", "-"]))
def test_any_luhn_valid_number_is_found_however_grouped(first, length, rng, sep):
    body = str(first) + "".join(rng.choice("0123456789") for _ in range(length))
    number = luhn_complete(body)
    grouped = sep.join(number[i:i + 4] for i in range(0, len(number), 4))
    assert card_numbers(f"note {grouped} end") == [number]
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert wrong not in card_numbers(wrong)  # (a shorter valid prefix may still be one)


def test_the_refusal_says_why_without_repeating_the_number():
    with pytest.raises(CardNumberRefused) as refused:
        check_no_card_number("pay 4111 1111 1111 1111", "note")
    assert refused.value.message == (
        "The note holds a number ending in 1111 that looks like a payment card number; "
        "Crasme Desktop does not store card numbers. Remove it and save again.")
    assert check_no_card_number("no card here", "note") == "no card here"
