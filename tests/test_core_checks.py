"""Argument checks and stated limits."""

from __future__ import annotations

import math

import pytest

from flopcast.core import checks
from flopcast.core.errors import InputError


def test_finite_accepts_numbers_within_the_bound():
    assert checks.finite(3, "x") == 3.0
    assert checks.finite("2.5", "x") == 2.5
    assert checks.finite(-1e300, "x") == -1e300


@pytest.mark.parametrize(
    "value, message",
    [
        ("abc", "x must be a number, got 'abc'"),
        (None, "x must be a number, got None"),
        (math.nan, "x must be a finite number, got nan"),
        (math.inf, "x must be a finite number, got inf"),
        (1e301, "x is 1e301; numbers are limited to 1e300 in size"),
        (10**400, "x is too large; numbers are limited to 1e300 in size"),
    ],
)
def test_finite_refuses(value, message):
    with pytest.raises(InputError, match=message):
        checks.finite(value, "x")


def test_positive_and_span():
    assert checks.positive(2, "hours") == 2.0
    with pytest.raises(InputError, match="hours must be positive, got -1"):
        checks.positive(-1, "hours")
    assert checks.span(10) == 10.0
    with pytest.raises(InputError, match="span must be above 1"):
        checks.span(1)


def test_level_bounds():
    assert checks.level(0.9) == 0.9
    for bad in (0, 1, 1.5, True, "0.9"):
        with pytest.raises(InputError, match="between 0 and 1"):
            checks.level(bad)
    with pytest.raises(InputError, match="below 1e-06: such an interval has no width"):
        checks.level(1e-20)


def test_z_and_exp():
    assert checks.z(0.95) == pytest.approx(1.6448536269514722)
    assert checks.z(0.5) == 0.0
    assert checks.z(0.0) == -math.inf and checks.z(1.0) == math.inf
    assert checks.exp(1.0) == math.e
    with pytest.raises(InputError, match="the mean is beyond the float range"):
        checks.exp(710.0, "the mean")  # ln(1.8e308) = 709.78
