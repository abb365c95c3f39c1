"""Sensitivity of the meeting date: tornado swings and variance shares."""

from __future__ import annotations

import math

from flopcast.core.dates import to_year
from flopcast.forecast.sensitivity import sensitivity

LOG4 = math.log10(4)
O3_RELEASE = to_year("2025-04-16")


def test_sensitivity_fixed_parameter_contributes_nothing():
    rows = {r["parameter"]: r for r in sensitivity("seed-analysis", n=5000, seed=0)}
    for fixed in ("cap.share", "frontier.growth_per_year", "transition.width_oom"):
        assert rows[fixed]["fixed"] is True
        assert rows[fixed]["swing_years"] == 0.0
        assert rows[fixed]["variance_share"] == 0.0
    # o3's start from the records (90% 3e24-1e26, 1.5 OOM wide) now moves the date most; the
    # growth rate (3-5 months per 10x, 0.22 OOM wide in log) comes second
    first, second = sensitivity("seed-analysis", n=5000, seed=0)[:2]
    assert first["parameter"] == "reasoning.start_flop"
    assert first["median_low"] > first["median_high"]  # a larger start meets the cap earlier
    assert second["parameter"] == "growth.months_per_10x"
    assert second["median_low"] < second["median_high"]  # faster growth, earlier meeting
    assert first["variance_share"] > second["variance_share"] > 0


def test_sensitivity_made_fixed_by_override_drops_to_zero():
    rows = {
        r["parameter"]: r
        for r in sensitivity(
            "seed-analysis", n=5000, seed=0, overrides={"growth.months_per_10x": "4"}
        )
    }
    assert rows["growth.months_per_10x"]["swing_years"] == 0.0
    assert rows["growth.months_per_10x"]["variance_share"] == 0.0
    assert rows["reasoning.start_flop"]["variance_share"] > 0.8
