"""The one number formatter: compact exponents, plain digits in the middle, ratios with commas."""

from __future__ import annotations

import pytest

from flopcast.core import fmt


@pytest.mark.parametrize(
    "x, text",
    [
        (9.9e22, "9.9e22"),  # never 9.9e+22
        (9.96e25, "1e26"),  # the mantissa rounds up to ten: renormalised, never 10e25
        (140, "140"),  # plain digits between 1e-3 and 1e4, three significant figures
        (0.25, "0.25"),
        (1030.0, "1030"),
        (140_000, "1.4e5"),
        (5e-4, "5e-4"),
        (-2.5e22, "-2.5e22"),
        (0, "0"),
        (float("inf"), "inf"),
        (None, "unknown"),
        (float("nan"), "unknown"),
    ],
)
def test_number(x, text):
    assert fmt.number(x) == text


def test_number_digits_and_missing_word():
    assert fmt.number(1.23456e22, digits=4) == "1.235e22"
    assert fmt.number(None, missing=fmt.NOT_APPLICABLE) == "n/a"


@pytest.mark.parametrize(
    "x, text",
    [
        (1.9, "1.9x"),
        (20, "20x"),
        (1300, "1,300x"),
        (1.03e3, "1,000x"),  # two significant figures: never 1.03e+03x (issue 9)
        (2.5e7, "2.5e7x"),  # 1e6 and above: the compact exponent
        (0.5, "0.5x"),
    ],
)
def test_ratio(x, text):
    assert fmt.ratio(x) == text


def test_interval_percent_quantity():
    assert fmt.interval(1e22, 3e23) == "1e22 - 3e23"
    assert fmt.interval(3e24, 9.96e25, sep=" to ") == "3e24 to 1e26"  # not "10e25"
    assert fmt.percent(0.054) == "5.4%"  # 100 * 0.054
    assert fmt.percent(None) == "unknown"
    assert fmt.quantity(9.9e22, "FLOP") == "9.9e22 FLOP"
    assert fmt.quantity(9.9e22) == "9.9e22"
