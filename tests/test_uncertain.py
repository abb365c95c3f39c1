"""Uncertain quantities: closed forms against scipy and Monte Carlo, invariants, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import flopcast as fc
from flopcast.core.uncertain import mix, named, sample_many

Z95 = 1.6448536269514722  # standard normal 95th percentile


def test_ci_is_a_lognormal_with_the_stated_90_percent_interval():
    q = fc.ci(1e22, 1e24)
    # median is the geometric mean of the bounds: sqrt(1e22 * 1e24) = 1e23
    assert q.median() == pytest.approx(1e23, rel=1e-12)
    lo, hi = q.interval(0.9)
    assert (lo, hi) == (pytest.approx(1e22, rel=1e-9), pytest.approx(1e24, rel=1e-9))
    assert q.width_oom() == pytest.approx(2.0)  # log10(1e24 / 1e22)


def test_exact_product_matches_scipy_lognorm():
    a = fc.ci(2, 8, name="a")  # sigma_a = ln(4) / (2 * 1.645)
    b = fc.ci(10, 1000, name="b")
    q = a * b / 3
    sigma = math.hypot(math.log(4) / (2 * Z95), math.log(100) / (2 * Z95))
    median = math.sqrt(2 * 8) * math.sqrt(10 * 1000) / 3  # 4 * 100 / 3
    ref = stats.lognorm(s=sigma, scale=median)
    assert q.is_exact
    assert q.median() == pytest.approx(ref.median(), rel=1e-12)
    assert q.mean() == pytest.approx(ref.mean(), rel=1e-12)
    for p in (1, 5, 25, 75, 95, 99.5):
        assert q.percentile(p) == pytest.approx(ref.ppf(p / 100), rel=1e-10)
    assert q.prob_above(200) == pytest.approx(ref.sf(200), rel=1e-10)
    assert q.prob_below(200) == pytest.approx(ref.cdf(200), rel=1e-10)


def test_power_and_quotient_stay_exact_and_match_monte_carlo():
    a = fc.ci(1, 10, name="a")
    b = fc.ci(3, 30, name="b")
    q = a**2 / b
    assert q.is_exact
    x = q.samples(400_000, seed=1)
    for p in (5, 50, 95):
        assert np.percentile(x, p) == pytest.approx(q.percentile(p), rel=0.02)
    assert x.mean() == pytest.approx(q.mean(), rel=0.03)


def test_sum_leaves_the_exact_path_and_its_mean_is_the_sum_of_means():
    a = fc.ci(1, 10, name="a")
    b = fc.ci(1, 10, name="b")
    s = a + b
    assert not s.is_exact  # not a lognormal any more: summarised in closed form
    sigma = math.log(10) / (2 * Z95)
    one = stats.lognorm(s=sigma, scale=math.sqrt(10))
    assert s.mean() == pytest.approx(2 * one.mean(), rel=1e-12)  # means add
    assert s.samples(400_000).mean() == pytest.approx(2 * one.mean(), rel=0.01)


def test_x_over_x_is_exactly_one_and_x_minus_x_exactly_zero():
    x = fc.ci(1e22, 1e24, name="x")
    assert (x / x).is_exact and (x / x).is_point
    assert (x / x).median() == 1.0
    assert (x - x).median() == 0.0 and (x - x).percentile(99) == 0.0
    y = x + fc.ci(1, 2)  # Monte Carlo: still the same draws
    assert np.all((y / y).samples(1000) == 1.0)
    assert np.all((y - y).samples(1000) == 0.0)


def test_a_quantity_used_twice_is_the_same_draw():
    x = fc.ci(1, 100, name="x")
    assert (x * x).width_oom() == pytest.approx(2 * x.width_oom())  # perfectly correlated
    z = fc.ci(1, 100, name="z")  # same spec, different input
    assert (x * z).width_oom() == pytest.approx(math.sqrt(2) * x.width_oom())


def test_ratio_of_scaled_estimates_keeps_the_uncertainty_of_the_base():
    o1 = fc.ci(1e23, 1e25, name="o1 RL")
    o3 = fc.ratio(o1, 10)
    assert (o3 / o1).median() == pytest.approx(10.0, rel=1e-12)
    assert (o3 / o1).is_point
    assert o3.width_oom() == pytest.approx(o1.width_oom())


def test_samples_reproducible_and_seed_dependent():
    q = fc.ci(1, 10, name="q") + fc.between(1, 100, name="r")
    assert np.array_equal(q.samples(1000, seed=7), q.samples(1000, seed=7))
    assert not np.array_equal(q.samples(1000, seed=7), q.samples(1000, seed=8))
    # an input keeps its draws whichever expression it is in: seeded by (seed, name)
    r = fc.between(1, 100, name="r")
    assert np.array_equal((r * 1).samples(500, seed=3), (r + 0).samples(500, seed=3))


def test_loguniform_and_normal_inputs():
    u = fc.between(1, 1e4, name="u")
    x = u.samples(200_000)
    assert np.median(np.log10(x)) == pytest.approx(2.0, abs=0.02)  # middle of 0..4 decades
    assert x.min() >= 1 and x.max() <= 1e4
    n = fc.ci(-1, 1, dist="normal", name="n")
    assert n.median(n=200_000) == pytest.approx(0, abs=0.01)
    assert n.interval(0.9, n=200_000)[1] == pytest.approx(1, rel=0.02)


def test_one_sided_bounds_state_their_assumed_other_end():
    q = fc.at_most(1e20)
    assert q.percentile(95) == pytest.approx(1e20)
    assert q.percentile(5) == pytest.approx(1e18)  # default span: two orders of magnitude
    assert "1e18" in q.inputs()[0].description
    r = fc.at_least(1e23, span=10)
    assert r.interval() == (pytest.approx(1e23), pytest.approx(1e24))


def test_mixture_draws_from_its_components_in_proportion():
    m = mix([fc.point(1.0), fc.point(100.0)], [0.25, 0.75], name="m")
    x = m.samples(100_000, seed=0)
    assert np.mean(x == 1.0) == pytest.approx(0.25, abs=0.01)
    assert m.contributions() == {"m": pytest.approx(1.0)}


def test_contributions_exact_path_are_variance_shares():
    a = fc.ci(1, 10, name="a")  # 1 decade wide
    b = fc.ci(1, 1000, name="b")  # 3 decades wide -> 9x the variance
    c = (a * b).contributions()
    assert c == {"a": pytest.approx(0.1), "b": pytest.approx(0.9)}  # 1/(1+9), 9/(1+9)


def test_contributions_monte_carlo_agree_with_exact_for_a_product():
    a = fc.ci(1, 10, name="a")
    b = fc.ci(1, 1000, name="b")
    mc = (a * b + 0 * fc.ci(1, 2, name="c")).contributions(n=200_000)
    assert mc["a"] == pytest.approx(0.1, abs=0.02)
    assert mc["b"] == pytest.approx(0.9, abs=0.02)


def test_correlated_lognormals_stay_exact_and_match_monte_carlo():
    a, b = fc.correlate(fc.ci(1, 10, name="a"), fc.ci(1, 10, name="b"), 0.6)
    q = a * b
    assert q.is_exact
    s = math.log(10) / (2 * Z95)
    # Var(ln a + ln b) = s^2 + s^2 + 2 * 0.6 * s^2 = 3.2 s^2
    expected_hi = math.sqrt(10) ** 2 * math.exp(Z95 * s * math.sqrt(3.2))
    assert q.percentile(95) == pytest.approx(expected_hi, rel=1e-9)
    lx = np.log((q + 0).samples(300_000, seed=2))  # "+ 0" forces the Monte Carlo path
    assert lx.std() == pytest.approx(s * math.sqrt(3.2), rel=0.01)
    xa, xb = sample_many([a, b], 300_000, seed=2)
    assert np.corrcoef(np.log(xa), np.log(xb))[0, 1] == pytest.approx(0.6, abs=0.01)


def test_rank_correlation_is_converted_for_the_gaussian_copula():
    a, b = fc.correlate(fc.between(1, 10, name="a"), fc.between(1, 10, name="b"), 0.5, kind="rank")
    x, y = sample_many([a, b], 200_000)
    assert stats.spearmanr(x, y).statistic == pytest.approx(0.5, abs=0.01)


def test_combine_precision_weighting_and_disagreement():
    a = fc.ci(1e23, 1e25, name="a")
    b = fc.ci(1e23, 1e25, name="b")
    pooled = fc.combine([a, b])
    # two equally precise lines at the same median: same median, log-sd / sqrt(2)
    assert pooled.median() == pytest.approx(1e24, rel=1e-9)
    assert pooled.width_oom() == pytest.approx(2 / math.sqrt(2))
    assert pooled.disagreement["consistent"] is True
    far = fc.combine([fc.ci(5e23, 7e23, name="epoch"), fc.ci(1e23, 2e23, name="lab")])
    assert far.disagreement["consistent"] is False
    assert far.disagreement["p_value"] < 0.05
    geo = fc.combine([fc.ci(1, 100, name="x"), fc.ci(100, 10000, name="y")], method="geometric")
    assert geo.median() == pytest.approx(100.0)  # sqrt(10 * 1000)


def test_named_renames_only_made_up_names():
    q = named(fc.ci(0.1, 0.4), "utilization")
    assert q.inputs()[0].name == "utilization"
    kept = named(fc.ci(0.1, 0.4, name="mine"), "utilization")
    assert kept.inputs()[0].name == "mine"


def test_repr_reads_like_an_estimate():
    q = fc.ci(4.2e22, 2.3e23).with_unit("FLOP")
    assert repr(q) == "9.8e22 FLOP (90% CI 4.2e22 - 2.3e23)"  # sqrt(4.2e22 * 2.3e23) = 9.83e22
    assert repr(fc.point(140e3)) == "1.4e5"


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: fc.ci(10, 1), "lower bound 10 is above upper bound 1"),
        (lambda: fc.ci(-1, 1), "needs positive bounds"),
        (lambda: fc.ci(float("nan"), 1), "must be a finite number"),
        (lambda: fc.ci(1, float("inf")), "must be a finite number"),
        (lambda: fc.ci(1, 2, level=1.5), "between 0 and 1"),
        (lambda: fc.between(0, 1), "positive bounds"),
        (lambda: fc.at_most(-5), "must be positive"),
        (lambda: fc.mix([fc.point(1), fc.point(2)], [1, -1]), "non-negative"),
        (lambda: fc.combine([fc.point(1), fc.point(2)]), "states no uncertainty"),
        (lambda: fc.correlate(fc.ci(1, 2) * 2, fc.ci(1, 2), 0.5), "single uncertain input"),
        (lambda: fc.correlate(fc.ci(1, 2), fc.ci(1, 2), 1.0), "strictly between -1 and 1"),
        (lambda: fc.ci(1, 2).percentile(101), "between 0 and 100"),
    ],
)
def test_bad_input_is_one_clear_error(make, message):
    with pytest.raises(fc.InputError, match=message):
        make()


# ---- properties -----------------------------------------------------------------------------

bounds = st.tuples(st.floats(1e-3, 1e3), st.floats(1.01, 1e4)).map(lambda t: (t[0], t[0] * t[1]))


@given(bounds)
@settings(max_examples=50, deadline=None)
def test_property_x_over_x_and_x_minus_x(b):
    x = fc.ci(*b)
    assert (x / x).median() == 1.0
    assert (x - x).median() == 0.0
    y = x * fc.between(1, 10)
    assert np.all((y / y).samples(200) == 1.0)
    assert np.all((y - y).samples(200) == 0.0)


@given(bounds, st.lists(st.floats(0.1, 99.9), min_size=2, max_size=6))
@settings(max_examples=50, deadline=None)
def test_property_percentiles_monotone(b, qs):
    for q in (fc.ci(*b), fc.ci(*b) + fc.ci(*b)):
        values = q.percentile(sorted(qs), n=2000)
        assert all(v1 <= v2 for v1, v2 in zip(values, values[1:], strict=False))


@given(bounds, st.integers(0, 2**31 - 1))
@settings(max_examples=30, deadline=None)
def test_property_same_seed_same_result(b, seed):
    q1 = fc.ci(*b, name="a") + fc.between(1, 5, name="c")
    q2 = fc.ci(*b, name="a") + fc.between(1, 5, name="c")
    assert q1.median(n=1000, seed=seed) == q2.median(n=1000, seed=seed)


@given(st.lists(bounds, min_size=1, max_size=5))
@settings(max_examples=30, deadline=None)
def test_property_contributions_are_the_variance_shares_written_out(bs):
    q = fc.point(1.0)
    for i, b in enumerate(bs):
        q = q * fc.ci(*b, name=f"x{i}")
    # each input's sigma_i = ln(hi / lo) / (2 z95); its share is sigma_i^2 / sum_j sigma_j^2
    sig2 = [(math.log(hi / lo) / (2 * Z95)) ** 2 for lo, hi in bs]
    expected = {f"x{i}": v / sum(sig2) for i, v in enumerate(sig2)}
    assert q.contributions() == {k: pytest.approx(v, rel=1e-9) for k, v in expected.items()}


def test_monte_carlo_contributions_agree_with_the_exact_shares():
    a, b, c = fc.ci(1, 10, name="a"), fc.ci(1, 100, name="b"), fc.ci(1, 1000, name="c")
    # (ln 10)^2 : (ln 100)^2 : (ln 1000)^2 = 1 : 4 : 9 of 14
    mc = (a * b * c - fc.point(0.0, "zero")).contributions(n=200_000)
    assert mc == {
        "a": pytest.approx(1 / 14, abs=0.01),
        "b": pytest.approx(4 / 14, abs=0.01),
        "c": pytest.approx(9 / 14, abs=0.01),
    }
