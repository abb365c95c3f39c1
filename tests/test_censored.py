"""Interval-censored normal MLE and the Student-t distribution, against tables and scipy."""

from __future__ import annotations

import math

import pytest

from flopcast.estimate import censored as cz


def test_t_quantiles_match_the_printed_table():
    # Student-t 95th percentiles from any statistics table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2)
    assert cz.t_ppf(0.95, 1) == pytest.approx(6.314, abs=1e-3)
    assert cz.t_ppf(0.95, 4) == pytest.approx(2.132, abs=1e-3)
    assert cz.t_ppf(0.95, 15) == pytest.approx(1.753, abs=1e-3)
    assert cz.t_cdf(0.0, 3) == pytest.approx(0.5)
    assert cz.t_ppf(0.95, 10_000) == pytest.approx(1.645, abs=1e-3)  # -> the normal quantile


def test_t_matches_scipy():
    from scipy import stats

    for df in (1, 2, 3, 7, 30):
        for x in (-3.0, -0.7, 0.4, 2.5):
            assert cz.t_cdf(x, df) == pytest.approx(stats.t.cdf(x, df), abs=1e-12)


def test_exact_points_give_the_ordinary_normal_mle():
    mu, sigma = cz.fit_groups([("a", 0.1, 0.1), ("a", 0.2, 0.2), ("a", 0.4, 0.4)])
    # ln 0.1, ln 0.2, ln 0.4 are ln 0.2 -/+ ln 2: mean ln 0.2, MLE sd sqrt(2 (ln 2)^2 / 3)
    assert mu["a"] == pytest.approx(math.log(0.2))
    assert sigma == pytest.approx(math.sqrt(2 * math.log(2) ** 2 / 3))


def test_interval_points_are_censored_data_at_the_likelihood_maximum():
    from scipy import optimize, stats

    obs = [("a", 0.05, 0.05), ("a", 0.3, 0.3), ("a", 0.01, 0.02), ("a", 0.1, 0.4)]
    mu, sigma = cz.fit_groups(obs)

    def nll(theta: list[float]) -> float:
        m, s = theta[0], math.exp(theta[1])
        out = 0.0
        for _, lo, hi in obs:
            a, b = math.log(lo), math.log(hi)
            if lo == hi:
                out -= stats.norm.logpdf(a, m, s)
            else:
                out -= math.log(stats.norm.cdf(b, m, s) - stats.norm.cdf(a, m, s))
        return out

    best = optimize.minimize(nll, [-2.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-10})
    assert mu["a"] == pytest.approx(best.x[0], abs=1e-5)
    assert sigma == pytest.approx(math.exp(best.x[1]), abs=1e-5)


def test_groups_share_the_spread_but_not_the_level():
    obs = [("bf16", 0.4, 0.4), ("bf16", 0.2, 0.2), ("fp8", 0.2, 0.2), ("fp8", 0.1, 0.1)]
    mu, sigma = cz.fit_groups(obs)
    assert mu["bf16"] == pytest.approx(math.log(math.sqrt(0.08)))  # geometric mean of 0.4, 0.2
    assert mu["fp8"] == pytest.approx(math.log(math.sqrt(0.02)))
    assert sigma == pytest.approx(math.log(2) / 2)  # every point ln 2 / 2 from its group mean


def test_predictive_interval_is_student_t_truncated_at_one():
    lo, hi = cz.predictive_interval(-1.0, 0.5, 4, upper=100.0)  # no truncation in effect
    assert lo == pytest.approx(-1.0 - 0.5 * 2.1318, abs=1e-3)
    assert hi == pytest.approx(-1.0 + 0.5 * 2.1318, abs=1e-3)
    _, hi_cut = cz.predictive_interval(-1.0, 2.0, 4)  # ln u <= 0: u <= 1
    assert hi_cut < 0


def test_predict_groups_is_the_student_t_predictive_of_each_group():
    # exact points ln u = -2, -1, 0 (one group): MLE mean -1, MLE sd sqrt(2/3)
    obs = [("a", math.exp(x), math.exp(x)) for x in (-2.0, -1.0, 0.0)]
    pred = cz.predict_groups(obs)["a"]
    assert pred.mu_mle == pytest.approx(-1.0, abs=1e-9)
    assert pred.sigma_mle == pytest.approx(math.sqrt(2 / 3), abs=1e-9)
    assert (pred.n, pred.n_total, pred.df) == (3, 3, 2)
    # scale = sd * sqrt(3/2) * sqrt(1 + 1/3) = 1 * sqrt(4/3); t with 2 df, truncated at ln u = 0
    lo, hi = cz.predictive_interval(-1.0, math.sqrt(4 / 3), 2)
    assert (pred.lo, pred.hi) == pytest.approx((lo, hi), abs=1e-9)
    assert pred.mu == pytest.approx((lo + hi) / 2) and pred.sigma == pytest.approx(
        (hi - lo) / (2 * cz.Z90)
    )
