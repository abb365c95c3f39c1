"""Decimal years and ISO dates."""

from __future__ import annotations

import math

import pytest

from flopcast.core.dates import bounded_date, to_date, to_year
from flopcast.core.errors import ScenarioError

LOG4 = math.log10(4)
O3_RELEASE = to_year("2025-04-16")


def test_dates_round_trip():
    assert to_year("2025-01-01") == 2025.0
    assert to_year("2025-07-02") == pytest.approx(2025 + 182 / 365)
    for d in ("2024-02-29", "2025-04-16", "2025-12-31"):
        assert to_date(to_year(d)) == d
    assert to_date(math.inf) == ""


def test_a_scenario_date_must_lie_between_2010_and_2100():
    assert bounded_date("2010-01-01").isoformat() == "2010-01-01"
    assert bounded_date("2100-12-31").isoformat() == "2100-12-31"
    for text in ("2009-12-31", "2101-01-01", "9999-12-31"):
        with pytest.raises(ScenarioError, match="outside the range a forecast covers"):
            bounded_date(text, "reasoning.start_date")
