"""domain.money: minor units by ISO 4217 digits, rounding, and the totals rule (hypothesis)."""

from __future__ import annotations

from decimal import Decimal, localcontext

from crasme_desktop.domain.money import (
    MoneyLine,
    bp_to_percent,
    compute_totals,
    currency_digits,
    format_money,
    from_minor,
    percent_to_bp,
    round_money,
    to_minor,
)
from hypothesis import given
from hypothesis import strategies as st


def test_minor_units_follow_the_currency():
    assert (currency_digits("EUR"), currency_digits("JPY"), currency_digits("KWD")) == (2, 0, 3)
    assert to_minor(Decimal("12.345"), "EUR") == 1235
    assert to_minor(Decimal("-12.345"), "EUR") == -1235  # half away from zero
    assert to_minor(Decimal("1500.5"), "JPY") == 1501
    assert to_minor(Decimal("1.2345"), "KWD") == 1235
    assert from_minor(1235, "KWD") == Decimal("1.235") and str(from_minor(5, "EUR")) == "0.05"
    assert round_money(Decimal("0.125"), "EUR") == Decimal("0.13")
    assert (percent_to_bp(Decimal("5.5")), bp_to_percent(1900)) == (550, Decimal(19))


def test_amounts_are_formatted_in_the_locale():
    assert format_money(Decimal("1234.5"), "EUR", "de_DE") == "1.234,50\xa0€"
    assert format_money(Decimal("1234.5"), "USD", "en_US") == "$1,234.50"
    assert format_money(Decimal("1234"), "JPY", "ja_JP") == "￥1,234"


def test_net_prices_round_per_line_then_tax_per_rate():
    lines = [MoneyLine(Decimal(1), Decimal("0.05"), Decimal(0), Decimal(19))] * 3
    totals = compute_totals(lines, "EUR", prices_include_tax=False)
    # Tax on the sum of the rate's nets (0.15 x 19 % = 0.0285 -> 0.03), not per line (3 x 0.01).
    assert (totals.net, totals.tax, totals.total) == (Decimal("0.15"), Decimal("0.03"),
                                                      Decimal("0.18"))


def test_gross_prices_split_each_rate_and_line_nets_add_up():
    lines = [MoneyLine(Decimal(1), Decimal("10.00"), Decimal(0), Decimal(19))] * 3
    totals = compute_totals(lines, "EUR", prices_include_tax=True)
    assert (totals.net, totals.tax, totals.total) == (Decimal("25.21"), Decimal("4.79"),
                                                      Decimal("30.00"))
    assert sum(totals.line_nets) == totals.per_rate[0].net
    assert totals.line_nets == (Decimal("8.40"), Decimal("8.41"), Decimal("8.40"))


CURRENCIES = st.sampled_from(["EUR", "JPY", "KWD", "USD", "BHD", "CLP"])
RATES = st.sampled_from([Decimal(x) for x in ("0", "2.1", "5.5", "7", "8.1", "19", "20",
                                                "21", "25", "27")])


@st.composite
def documents(draw):
    currency = draw(CURRENCIES)
    digits = currency_digits(currency)
    lines = draw(st.lists(st.builds(
        MoneyLine,
        quantity=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(10000), places=4),
        unit_price=st.integers(min_value=0, max_value=10**9).map(
            lambda m: Decimal(m).scaleb(-digits)),
        discount_percent=st.decimals(min_value=0, max_value=100, places=2),
        tax_rate_percent=RATES,
    ), min_size=1, max_size=12))
    return currency, lines, draw(st.booleans())


@given(documents())
def test_totals_are_the_sum_of_rounded_parts_and_close_to_exact(doc):
    currency, lines, inclusive = doc
    totals = compute_totals(lines, currency, inclusive)
    quantum = Decimal(1).scaleb(-currency_digits(currency))
    half = quantum / 2
    rates = {line.tax_rate_percent for line in lines}

    # The documented rule, recomputed independently.
    amounts = [round_money(line.quantity * line.unit_price
                           * (100 - line.discount_percent) / 100, currency) for line in lines]
    assert totals.line_amounts == tuple(amounts)
    for r in totals.per_rate:
        mine = [a for a, line in zip(amounts, lines, strict=True)
                if line.tax_rate_percent == r.rate_percent]
        if inclusive:
            assert r.net == round_money(sum(mine) / (1 + r.rate_percent / 100), currency)
            assert r.net + r.tax == sum(mine)
        else:
            assert r.net == sum(mine)
            assert r.tax == round_money(r.net * r.rate_percent / 100, currency)
    assert totals.net == sum(r.net for r in totals.per_rate)
    assert totals.tax == sum(r.tax for r in totals.per_rate)
    assert totals.total == totals.net + totals.tax
    assert sum(totals.line_nets) == totals.net
    assert all(n == round_money(n, currency) for n in (*totals.line_nets, totals.total))

    # Distance from the exact, unrounded total.
    with localcontext() as ctx:
        ctx.prec = 80
        gross = [line.quantity * line.unit_price * (100 - line.discount_percent) / 100
                 for line in lines]
        if inclusive:
            exact = sum(gross)
            bound = len(lines) * half
        else:
            exact = sum(g * (100 + line.tax_rate_percent) / 100
                        for g, line in zip(gross, lines, strict=True))
            bound = sum((1 + line.tax_rate_percent / 100) * half for line in lines) \
                + len(rates) * half
        assert abs(totals.total - exact) <= bound
        # With rates up to 100 %: within (rates + 2 x lines) half-minor-units.
        assert abs(totals.total - exact) <= (len(rates) + 2 * len(lines)) * half


def test_the_brief_bound_of_rates_plus_lines_does_not_hold_for_net_prices():
    """Why the documented bound has (1 + rate) per line: tax is charged on rounded nets."""
    line = MoneyLine(Decimal(1), Decimal("0.015"), Decimal(0), Decimal(25))
    totals = compute_totals([line], "EUR", prices_include_tax=False)
    exact = Decimal("0.015") * Decimal("1.25")  # 0.01875
    assert totals.total == Decimal("0.03")  # net 0.02 (0.015 rounded up), tax 0.005 -> 0.01
    assert abs(totals.total - exact) > 2 * Decimal("0.005")  # more than (1 + 1) half-cents
