"""The closed-form forecast against Monte Carlo, its arithmetic, and when it does not apply."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import ndtr

from flopcast.core.dates import to_year
from flopcast.core.errors import ScenarioError
from flopcast.forecast.draws import quantities
from flopcast.forecast.exact import ExactForecast, exact_form
from flopcast.forecast.lognormal import Log10Normal
from flopcast.forecast.model import run
from flopcast.forecast.scenario import load_scenario

PS = (5, 25, 50, 75, 95)
LOG4 = math.log10(4)
# A scenario of numbers only (no dataset): start 6e24 (1.2e24-3e25 90%), 3-5 months per 10x,
# frontier 3e26-5e26 on 2025-02-27 growing 4x per year, cap = the frontier.
PLAIN = {
    "reasoning.start_flop": "1.2e24 to 3e25",
    "reasoning.start_date": "2025-04-16",
    "frontier.flop": "3e26 to 5e26",
}


@pytest.fixture(scope="module")
def pair():
    sc = load_scenario("seed-analysis", PLAIN)
    return run(sc, method="exact"), run(sc, n=400_000, seed=1, method="mc")


def test_closed_form_agrees_with_monte_carlo(pair):
    exact, mc = pair
    assert exact.method == "exact" and mc.method == "mc"
    got = np.array(exact._years_after_start(PS))
    want = np.percentile(mc.meeting_years - mc.lines.t0, PS)
    # MC sampling error of a percentile: sqrt(p (1 - p) / n) / density; ~0.002 years here
    assert got == pytest.approx(want, abs=0.004)
    be, bm = exact.bands(10, series=("reasoning", "frontier")), mc.bands(10, float64=True)
    for name in ("reasoning", "frontier"):
        for p in PS:
            assert np.max(np.abs(np.array(be[name][p]) - bm[name][p])) < 0.01, (name, p)
    assert np.max(np.abs(np.array(be["met"]) - bm["met"])) < 0.003  # 3 sd of a share at 4e5
    assert exact.headroom_oom["median"] == pytest.approx(mc.headroom_oom["median"], abs=0.002)


def test_headroom_is_the_difference_of_two_normals():
    sc = load_scenario("seed-analysis", PLAIN)
    e = exact_form(quantities(sc))
    assert isinstance(e, ExactForecast)
    # start: log10 median = log10(sqrt(1.2e24 * 3e25)) = 24.778, sd = log10(25) / 2 / 1.6449
    assert e.r0.mu == pytest.approx(math.log10(math.sqrt(1.2e24 * 3e25)))
    assert e.r0.sd == pytest.approx(math.log10(3e25 / 1.2e24) / 2 / 1.6448536)
    # cap at the start: frontier moved from 2025-02-27 to 2025-04-16 at log10(4) OOM per year
    shift = LOG4 * (to_year("2025-04-16") - to_year("2025-02-27"))
    assert e.cap.mu == pytest.approx(math.log10(math.sqrt(3e26 * 5e26)) + shift)
    assert e.headroom.mu == pytest.approx(e.cap.mu - e.r0.mu)
    assert e.headroom.sd == pytest.approx(math.hypot(e.cap.sd, e.r0.sd))
    # growth 1/T: 12 / months, log10 median log10(12 / sqrt(15)) = 0.4911
    assert e.v.mu == pytest.approx(math.log10(12 / math.sqrt(15)))


def test_never_and_at_start_in_closed_form():
    # start 1e24 (sd 0.1 OOM), cap 1e25 (sd 0.1), cap slope 1 OOM/yr, growth 10^(0 +- 0.2):
    # P(h <= 0) = Phi(-1 / sqrt(0.02)); P(v <= 1) = Phi(0) = 1/2
    e = ExactForecast(
        r0=Log10Normal(24.0, 0.1),
        t0=2025.0,
        v=Log10Normal(0.0, 0.2),
        cap=Log10Normal(25.0, 0.1),
        g=1.0,
        frontier=Log10Normal(25.0, 0.1),
        g_f=1.0,
    )
    at_start = float(ndtr(-1 / math.sqrt(0.02)))
    assert e.prob_at_start == pytest.approx(at_start)
    assert e.prob_never == pytest.approx((1 - at_start) * 0.5)
    assert e.meeting_quantiles([75])[0] == math.inf  # more than 25% never meet
    cdf = e.meeting_cdf(np.array([0.0, 1e6]))
    assert cdf[0] == pytest.approx(at_start)
    assert cdf[1] == pytest.approx(1 - e.prob_never, abs=1e-3)


def test_error_bound_is_stated_and_small(pair):
    info = pair[0].method_info()
    assert info["used"] == "exact"
    err = info["error_bound"]
    assert err["nodes"] == 24
    assert err["meeting_days"] < 0.01 and err["band_oom"] < 1e-4 and err["met_share"] < 1e-4


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"transition.width_oom": "0.2"}, "transition.width_oom is not 0"),
        ({"frontier.growth_per_year": "4 to 5"}, "frontier.growth_per_year is uncertain"),
        ({"growth.months_per_10x": "between(3, 5)"}, "growth.months_per_10x is not lognormal"),
        ({"reasoning.start_flop": "6e24"}, "known number"),
        ({"cap.kind": "parity", "cap.parity_in": "gpu_time"}, "GPU-time parity"),
    ],
)
def test_scenarios_without_a_closed_form_use_monte_carlo(overrides, why):
    sc = load_scenario("seed-analysis", {**PLAIN, **overrides})
    res = run(sc, n=2000)
    assert res.method == "mc" and why in res.method_note
    with pytest.raises(ScenarioError, match="no closed form for this scenario"):
        run(sc, method="exact")


def test_parity_in_flop_is_half_the_frontier_run():
    sc = load_scenario("seed-analysis", {**PLAIN, "cap.kind": "parity"})
    share = load_scenario("seed-analysis", {**PLAIN, "cap.share": "0.5"})
    a, b = exact_form(quantities(sc)), exact_form(quantities(share))
    assert a.cap.mu == pytest.approx(b.cap.mu)  # RL = pre-training: RL is 1/2 of the run
    assert a.cap.mu == pytest.approx(
        exact_form(quantities(load_scenario("seed-analysis", PLAIN))).cap.mu - math.log10(2)
    )


def test_quantiles_are_remembered_and_each_caller_gets_its_own_copy():
    e = exact_form(quantities(load_scenario("seed-analysis")))
    s = np.linspace(0.0, 2.0, 25)
    first, bands = e.meeting_quantiles([5, 50, 95]), e.reasoning_quantiles(s, [5, 50])
    first[:] = 0.0
    bands[:] = 0.0
    assert e.meeting_quantiles([5, 50, 95]).min() > 0  # the remembered values are untouched
    assert e.reasoning_quantiles(s, [5, 50]).min() > 20  # log10 FLOP: above 1e20
    fresh = exact_form(quantities(load_scenario("seed-analysis")))
    assert np.array_equal(e.meeting_quantiles([5, 50, 95]), fresh.meeting_quantiles([5, 50, 95]))
    assert np.array_equal(e.reasoning_quantiles(s, [5, 50]), fresh.reasoning_quantiles(s, [5, 50]))


@pytest.mark.parametrize("growth", ["3 to 5", "2 to 12"])
def test_meeting_density_is_the_slope_of_the_cdf_and_newton_finds_each_quantile(growth):
    e = exact_form(quantities(load_scenario("seed-analysis", {"growth.months_per_10x": growth})))
    assert isinstance(e, ExactForecast)
    s = np.linspace(0.05, 3.0, 60)
    h = 1e-6  # central differences: error ~h^2 f''' , far below the tolerance below
    slope = (e.meeting_cdf(s + h) - e.meeting_cdf(s - h)) / (2 * h)
    assert e.meeting_pdf(s) == pytest.approx(slope, rel=1e-5, abs=1e-9)
    # each quantile q satisfies CDF(q) = p: checked by bisection on the CDF, independently
    ps = np.array([1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0])
    got = e.meeting_quantiles(ps)
    for p, q in zip(ps / 100, got, strict=True):
        lo, hi = 0.0, 64.0
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if e.meeting_cdf(np.array([mid]))[0] < p else (lo, mid)
        assert q == pytest.approx(hi, abs=1e-9)  # years: 0.03 ms


def test_meeting_quantiles_beyond_and_below_the_search_grid_solve_the_cdf():
    """A quantile past the grid's 1,000 years (slow growth: 0.5% of outcomes never meet, and
    the CDF still climbs after 1,000 years) or before its first hour is bracketed from the
    grid's end and found all the same: CDF(q) = p."""
    e = exact_form(quantities(load_scenario("seed-analysis", {"growth.months_per_10x": "2 to 12"})))
    assert isinstance(e, ExactForecast)
    far = 100 * (e.meeting_cdf(np.array([1e3]))[0] + 1 - e.prob_never) / 2  # between them
    near = 100 * (e.prob_at_start + e.meeting_cdf(np.array([1e-4]))[0]) / 2
    q_far, q_near = e.meeting_quantiles([far, near])
    assert q_far > 1e3 and 0 < q_near < 1e-4
    assert e.meeting_cdf(np.array([q_far, q_near])) == pytest.approx(
        [far / 100, near / 100], abs=1e-12
    )
