"""The Uncertain type: summaries in the one shape, known numbers, errors."""

from __future__ import annotations

import math

import pytest

import flopcast as fc
from flopcast.core import summary

Z95 = 1.6448536269514722


def test_summary_has_the_core_shape_and_its_extras():
    q = fc.ci(1, 100, name="x", unit="FLOP")
    s = q.summary(level=0.8)
    for key in summary.KEYS:
        assert key in s
    assert s["median"] == pytest.approx(10.0)  # sqrt(1 * 100)
    sigma = math.log(100) / (2 * Z95)
    z75 = 0.6744897501960817
    assert s["p25"] == pytest.approx(10 * math.exp(-z75 * sigma))
    assert s["p75"] == pytest.approx(10 * math.exp(z75 * sigma))
    z90 = 1.2815515655446004  # the 80% interval ends at the 10th and 90th percentiles
    assert s["lo"] == pytest.approx(10 * math.exp(-z90 * sigma))
    assert s["level"] == 0.8 and s["unit"] == "FLOP"
    assert s["exact"] is True and s["contributions"] == {"x": 1.0}
    assert s["inputs"][0]["name"] == "x"


def test_sampled_summary_says_how():
    s = (fc.between(1, 10, name="b") * 2).summary(n=1000, seed=3)
    assert s["computed_by"] == "monte carlo" and s["samples"] == 1000 and s["seed"] == 3


def test_float_of_a_known_number_and_not_of_an_uncertain_one():
    assert float(fc.point(3.0) * 4) == 12.0
    with pytest.raises(fc.InputError, match="has no single value"):
        float(fc.ci(1, 2))


def test_percentile_list_and_bounds():
    q = fc.ci(1, 100)
    lo, mid, hi = q.percentile([5, 50, 95])
    assert (lo, mid, hi) == (pytest.approx(1), pytest.approx(10), pytest.approx(100))
    with pytest.raises(fc.InputError, match="between 0 and 100"):
        q.percentile(math.nan)


def test_probabilities_exact():
    q = fc.ci(1, 100)
    assert q.prob_above(100) == pytest.approx(0.05)  # the 95th percentile
    assert q.prob_below(1) == pytest.approx(0.05)
    assert q.prob_above(-1) == 1.0


def test_width_needs_a_positive_interval():
    with pytest.raises(fc.InputError, match="needs a positive interval"):
        fc.ci(-1, 1, dist="normal").width_oom(n=1000)
