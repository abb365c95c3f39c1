"""Sums and mixtures in closed form agree with a 1e7-draw Monte Carlo within its sampling error.

The check is distribution-free: for each percentile p, the closed-form quantile must lie between
the order statistics of ranks ``n p -/+ 4 sqrt(n p (1 - p))`` of an independent 1e7-draw sample
(a 4-sigma band of the binomial count below the true quantile).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import flopcast as fc
from flopcast.core import closedform

N = 10_000_000
Z95 = 1.6448536269514722
PS = (1, 5, 25, 50, 75, 95, 99)


def _lognormal(rng: np.random.Generator, lo: float, hi: float) -> np.ndarray:
    mu, sigma = math.log(lo * hi) / 2, math.log(hi / lo) / (2 * Z95)
    return np.exp(mu + sigma * rng.standard_normal(N))


def _assert_within_sampling_error(q: fc.Uncertain, x: np.ndarray) -> None:
    ranks = []
    for p in PS:
        k = N * p / 100
        half = 4 * math.sqrt(N * p / 100 * (1 - p / 100))
        ranks += [int(k - half), int(k + half)]
    part = np.partition(x, ranks)
    values = q.percentile(list(PS))
    for i, p in enumerate(PS):
        lo, hi = part[ranks[2 * i]], part[ranks[2 * i + 1]]
        assert lo <= values[i] <= hi, (p, lo, values[i], hi)


def test_sum_of_two_lognormals_matches_a_1e7_monte_carlo():
    q = fc.ci(1e23, 1e24, name="a") + fc.ci(3e23, 3e24, name="b")
    assert q._dist() is not None  # summarised by quadrature, not sampled
    rng = np.random.default_rng(1)
    x = _lognormal(rng, 1e23, 1e24) + _lognormal(rng, 3e23, 3e24)
    _assert_within_sampling_error(q, x)
    # the mean is exact: means add, e^(mu + sigma^2 / 2) each
    s = math.log(10) / (2 * Z95)
    assert q.mean() == pytest.approx(math.exp(s * s / 2) * (math.sqrt(1e47) + math.sqrt(9e47)))


def test_sum_of_four_unequal_terms_with_a_shift_matches_monte_carlo():
    q = (
        fc.ci(1, 100, name="wide")
        + fc.ci(5, 6, name="narrow")
        + 2 * fc.ci(0.1, 0.3, name="small")
        + fc.ci(10, 1000, name="big")
        + 7
    )
    assert isinstance(q._dist(), closedform.Sum)
    rng = np.random.default_rng(2)
    x = (
        _lognormal(rng, 1, 100)
        + _lognormal(rng, 5, 6)
        + 2 * _lognormal(rng, 0.1, 0.3)
        + _lognormal(rng, 10, 1000)
        + 7
    )
    _assert_within_sampling_error(q, x)


def test_mixture_matches_monte_carlo_and_inverts_its_exact_cdf():
    a, b = fc.ci(1e23, 1e24, name="a"), fc.ci(3e23, 3e24, name="b")
    q = fc.mix([a, b], [0.3, 0.7])
    rng = np.random.default_rng(3)
    xa, xb = _lognormal(rng, 1e23, 1e24), _lognormal(rng, 3e23, 3e24)
    x = np.where(rng.random(N) < 0.3, xa, xb)
    _assert_within_sampling_error(q, x)
    med = q.median()
    # F(median) = 0.3 F_a(median) + 0.7 F_b(median) = 0.5
    assert 0.3 * a.prob_below(med) + 0.7 * b.prob_below(med) == pytest.approx(0.5, abs=1e-12)


def test_mixture_of_points_has_exact_atoms():
    q = fc.mix([fc.point(1.0), fc.point(100.0)], [0.25, 0.75])
    assert q.percentile([10, 24, 26, 90]) == [1.0, 1.0, 100.0, 100.0]  # F jumps at 1 (0.25)
    assert q.mean() == 75.25  # 0.25 * 1 + 0.75 * 100
    assert q.prob_below(100.0) == 0.25 and q.prob_above(1.0) == 0.75


def test_mixture_of_a_sum_and_a_lognormal():
    s = fc.ci(1, 10, name="s1") + fc.ci(1, 10, name="s2")
    q = fc.mix([s, fc.ci(100, 1000, name="far")], [0.5, 0.5])
    # halfway: every draw of the sum lies below ~60 and every draw of "far" above ~20
    assert q.prob_below(q.median()) == pytest.approx(0.5, abs=1e-9)
    assert q.mean() == pytest.approx(0.5 * s.mean() + 0.5 * fc.ci(100, 1000).mean())


def test_shared_inputs_or_correlations_are_sampled_not_summed():
    x = fc.ci(1, 10, name="x")
    assert (x + x * fc.ci(1, 2, name="y"))._dist() is None  # x appears in both terms
    a, b = fc.correlate(fc.ci(1, 10, name="a"), fc.ci(1, 10, name="b"), 0.5)
    assert (a + b)._dist() is None
    assert (a + b).summary()["computed_by"] == "monte carlo"
    assert (fc.ci(1, 2) + fc.ci(3, 4)).summary()["computed_by"] == "closed form"


def test_closed_form_leaves_the_draws_unchanged():
    q = fc.ci(1, 10, name="a") + fc.ci(1, 10, name="b")
    a, b = fc.ci(1, 10, name="a"), fc.ci(1, 10, name="b")
    # sample identity: the same inputs, seeded by name, give the same draws
    assert np.array_equal(
        q.samples(1000, seed=4), (a * 1).samples(1000, seed=4) + b.samples(1000, seed=4)
    )


def test_percentile_edges():
    q = fc.ci(1, 10) + 3
    assert q.percentile(0) == 3.0  # the support starts at the shift
    assert q.percentile(100) == math.inf


def test_a_zero_atom_and_extreme_magnitudes():
    q = fc.mix([fc.point(0.0), fc.ci(1, 2)])  # half the mass exactly at 0
    assert q.percentile([10, 50]) == [0.0, 0.0]
    assert q.summary()["computed_by"] == "closed form"
    tiny = fc.ci(1e-300, 1e-299, name="a") + fc.ci(1e-300, 1e-299, name="b")
    huge = fc.ci(1e299, 1e300, name="a") + fc.ci(1e299, 1e300, name="b")
    # the same shape 599 orders of magnitude apart: the medians are too (up to rounding)
    assert math.log10(huge.median()) - math.log10(tiny.median()) == pytest.approx(599, abs=1e-9)
    unit = fc.ci(1, 10, name="a") + fc.ci(1, 10, name="b")  # the same sum at scale 1
    assert tiny.median() == pytest.approx(unit.median() * 1e-300, rel=1e-9)


def test_a_term_spanning_eight_orders_of_magnitude_matches_monte_carlo():
    # the quadrature's hard case: the integrand's cutoff where the narrow term reaches s
    q = fc.ci(1, 10, name="narrow") + fc.ci(1e-3, 1e5, name="wide")
    rng = np.random.default_rng(5)
    x = _lognormal(rng, 1, 10) + _lognormal(rng, 1e-3, 1e5)
    _assert_within_sampling_error(q, x)
