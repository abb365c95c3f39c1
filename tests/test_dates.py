"""Decimal years and ISO dates."""

from __future__ import annotations

import math

import pytest

from flopcast.forecast.dates import to_date, to_year

LOG4 = math.log10(4)
O3_RELEASE = to_year("2025-04-16")


def test_dates_round_trip():
    assert to_year("2025-01-01") == 2025.0
    assert to_year("2025-07-02") == pytest.approx(2025 + 182 / 365)
    for d in ("2024-02-29", "2025-04-16", "2025-12-31"):
        assert to_date(to_year(d)) == d
    assert to_date(math.inf) == ""
