"""The one summary shape: median, mean, p5, p25, p75, p95, lo, hi, level, unit."""

from __future__ import annotations

import numpy as np
import pytest

import flopcast as fc
from flopcast.core import summary


def test_summary_from_a_percentile_function():
    s = summary.summary(lambda ps: [10 * p for p in ps], level=0.8, mean=500.0, unit="FLOP")
    assert tuple(s) == summary.KEYS
    assert s["p5"] == 50 and s["p25"] == 250 and s["median"] == 500 and s["p95"] == 950
    # the 80% interval: 10 * 10 and 10 * 90 (50 * (1 - 0.8) is 10.000000000000002 in floats)
    assert (s["lo"], s["hi"]) == (pytest.approx(100), pytest.approx(900))
    assert s["level"] == 0.8 and s["unit"] == "FLOP" and s["mean"] == 500.0


def test_of_samples_uses_linear_interpolation_and_keeps_inf():
    x = np.arange(101, dtype=float)  # 0, 1, ..., 100: the p-th percentile is p
    s = summary.of_samples(x)
    assert (s["p5"], s["p25"], s["median"], s["p75"], s["p95"]) == (5, 25, 50, 75, 95)
    assert s["mean"] == 50.0  # (0 + 100) / 2
    never = summary.of_samples(np.array([1.0, 2.0, np.inf]))
    assert never["mean"] is None  # a mean with "never" in it does not exist
    assert never["median"] == 2.0  # rank 0.5 * 2 = 1: the second value
    assert never["p25"] == 1.5  # rank 0.5: halfway between 1 and 2
    assert never["p95"] == np.inf  # rank 1.9 reaches into "never"


def test_of_point_is_the_number_everywhere():
    s = summary.of_point(3.0, unit="s")
    assert all(s[k] == 3.0 for k in ("median", "mean", "p5", "p25", "p75", "p95", "lo", "hi"))
    assert s["unit"] == "s"


def test_of_quantity_matches_the_uncertain_summary():
    q = fc.ci(1, 100, unit="FLOP")
    s = summary.of_quantity(q)
    full = q.summary()
    for key in summary.KEYS:
        assert s[key] == full[key]
    assert s["median"] == pytest.approx(10.0)  # sqrt(1 * 100)
    assert summary.of_quantity(7.0)["p95"] == 7.0
