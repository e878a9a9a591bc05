"""domain.sales: status moves, numbering patterns, bank details, lines, periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from crasme_desktop.domain import sales
from crasme_desktop.domain.errors import UserError
from tests.support.sentences import assert_one_sentence


def refused(call, *args, match):
    with pytest.raises(UserError) as caught:
        call(*args)
    assert_one_sentence(caught.value.message)
    assert match in caught.value.message, caught.value.message


def test_number_patterns():
    on = date(2026, 3, 9)
    assert sales.format_number("INV-{YYYY}-{0000}", 7, on) == "INV-2026-0007"
    assert sales.format_number("{YY}{MM}-{000}", 12345, on) == "2603-12345"
    assert sales.check_pattern(" R{0} ") == "R{0}"
    refused(sales.check_pattern, "INV-{YYYY}", match="exactly one counter")
    refused(sales.check_pattern, "{0}-{00}", match="exactly one counter")
    refused(sales.check_pattern, "INV-{DD}-{0}", match="unknown part")
    refused(sales.check_pattern, "", match="Enter a numbering pattern")
    assert (sales.counter_period("yearly", on), sales.counter_period("never", on)) == ("2026", "")


def test_quote_moves():
    sales.check_quote_move("draft", "sent")
    sales.check_quote_move("sent", "accepted")
    refused(sales.check_quote_move, "accepted", "declined", match="cannot be marked declined")
    assert sales.effective_quote_status("sent", date(2026, 1, 1), date(2026, 1, 2)) == "expired"
    assert sales.effective_quote_status("accepted", date(2026, 1, 1), date(2026, 2, 1)) \
        == "accepted"


def test_status_from_money():
    assert sales.status_after_money(100, 0, 0) == "issued"
    assert sales.status_after_money(100, 40, 0) == "partly_paid"
    assert sales.status_after_money(100, 40, 60) == "paid"
    assert sales.status_after_money(100, 0, 100) == "cancelled"
    assert sales.is_overdue("issued", date(2026, 1, 1), date(2026, 1, 2))
    assert not sales.is_overdue("paid", date(2026, 1, 1), date(2026, 1, 2))


def test_bank_details_and_currency():
    assert sales.normalize_iban("de89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert sales.format_iban("DE89370400440532013000") == "DE89 3704 0044 0532 0130 00"
    refused(sales.normalize_iban, "DE89 3704 0044 0532 0130 01", match="is not valid")
    assert sales.normalize_bic("cobadeffxxx") == "COBADEFFXXX"
    refused(sales.normalize_bic, "COBA", match="8 or 11")
    assert sales.normalize_currency(" eur ") == "EUR"
    refused(sales.normalize_currency, "EURO", match="three-letter code")


def test_lines():
    sales.check_price_digits(Decimal("1.50"), "EUR")
    refused(sales.check_price_digits, Decimal("1.5"), "JPY", match="no decimals")
    refused(sales.check_discount, Decimal("100.5"), match="between 0 and 100")
    refused(sales.check_line_for_issue,
            sales.LineCheck(Decimal(0), Decimal(1), Decimal(0), "Work"), 1,
            match="quantity above zero")
    assert sales.parse_decimal("1,5", "quantity") == Decimal("1.5")
    refused(sales.parse_decimal, "abc", "quantity", match="is not a number")
    with pytest.raises(TypeError):
        sales.parse_decimal(1.5, "quantity")


def test_recurring_periods_do_not_drift():
    assert sales.recurring_dates(date(2026, 1, 31), "monthly", None, date(2026, 4, 30)) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert sales.recurring_dates(date(2026, 1, 15), "quarterly", date(2026, 1, 15),
                                 date(2027, 1, 15)) == [
        date(2026, 4, 15), date(2026, 7, 15), date(2026, 10, 15), date(2027, 1, 15)]
    assert sales.recurring_dates(date(2024, 2, 29), "yearly", None, date(2026, 3, 1)) == [
        date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28)]
