"""Monte Carlo bands: monotone, chunking-invariant, equal to a plain percentile reference."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flopcast.core.dates import to_year
from flopcast.forecast.model import run

LOG4 = math.log10(4)
O3_RELEASE = to_year("2025-04-16")


@pytest.fixture(scope="module")
def seed_result():
    return run("seed-analysis", n=20_000, seed=0, method="mc")


def test_bands_monotone_in_percentile_and_chunking_invariant(seed_result):
    b = seed_result.bands(10)
    assert len(b["t"]) == 121 and b["dates"][0] == "2025-04-16"  # 10 years monthly, both ends
    for name in ("reasoning", "frontier", "growth"):
        rows = np.array([b[name][p] for p in (5, 25, 50, 75, 95)])
        assert np.all(np.diff(rows, axis=0) >= -1e-12), name
    small = seed_result.bands(10, percentiles=(5, 50, 95), max_bytes=8 * seed_result.n)
    assert small["reasoning"][50] == pytest.approx(b["reasoning"][50])


@pytest.mark.parametrize(
    "overrides",
    [
        {},  # the kink, one frontier slope for every draw
        {"frontier.growth_per_year": "3 to 6"},  # a frontier slope per draw
        {"transition.width_oom": "0.05 to 0.5"},  # the softmin
    ],
)
def test_bands_match_a_plain_percentile_reference(overrides):
    res = run("seed-analysis", n=501, seed=4, overrides=overrides, method="mc")
    t = res.lines.t0 + np.arange(25) / 12.0  # 2 years monthly
    ps = (5, 25, 50, 75, 95)
    reference = {
        "reasoning": res.lines.reasoning(t[None, :]),  # draws x months
        "frontier": res.lines.frontier(t[None, :]),
        "growth": res.lines.growth(t[None, :]),
    }
    exact = res.bands(2, float64=True, max_bytes=3 * 8 * res.n)  # chunks of months
    fast = res.bands(2)
    assert exact["t"] == pytest.approx(t.tolist(), abs=1e-12)
    for name, values in reference.items():
        expected = np.percentile(values, ps, axis=0)
        for i, p in enumerate(ps):
            assert exact[name][p] == pytest.approx(expected[i], rel=0, abs=1e-12), (name, p)
            # float32 sorting: rounding of a few ulp of ~30 (log10 FLOP), far below MC noise
            assert fast[name][p] == pytest.approx(expected[i], rel=0, abs=1e-4), (name, p)
    met = [float(np.mean(res.meeting_years <= x)) for x in t]
    assert exact["met"] == fast["met"] == met
