"""The report's within-run section: the numbers of `flopcast fit --curve`, laid out as blocks."""

from __future__ import annotations

import math

from flopcast.forecast.fitcurves import read_curve
from flopcast.report import withinrun


def test_the_shipped_curve_gives_its_slope_interval_and_the_two_forms():
    (w,) = withinrun.gather(seed=0)
    assert w["curve"] == "deepseek-r1-zero-aime" and w["points"] == 35 and w["cumulative"]
    s = w["slope_per_10x"]
    lo, hi = s["interval"]
    assert lo < s["value"] < hi
    # the end-to-end rise over the decades of cumulative compute, 15.6% -> 71.0% over 2.47
    # decades = 22.4 points per 10x, is near the fitted slope
    c = read_curve("deepseek-r1-zero-aime")
    assert abs(s["value"] - (c.score[-1] - c.score[0]) / math.log10(c.flop[-1] / c.flop[0])) < 4
    rows = w["comparison"]
    assert {r["model"] for r in rows} == {"linear", "saturating"}
    assert rows[0]["cv_rmse"] <= rows[1]["cv_rmse"]  # best held-out error first


def test_blocks_state_the_slope_and_compare_the_forms():
    within = withinrun.gather(seed=0)
    out = withinrun.blocks(within)
    assert out[0] == ("h2", "Within one run: the seed's premise")
    text = " ".join(b[1] for b in out if b[0] == "p")
    assert "points per 10x RL compute (90% interval" in text and "lower AIC" in text
    (table,) = [b for b in out if b[0] == "table"]
    assert [row[0] for row in table[2]] == [r["model"] for r in within[0]["comparison"]]
    assert withinrun.blocks(None) == [] and withinrun.blocks([]) == []
