"""Dated frontiers and the growth fitted to them (synthetic records, not real figures)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flopcast.core.dates import to_year
from flopcast.core.errors import ScenarioError
from flopcast.core.uncertain import ci, point
from flopcast.forecast.lognormal import Z95
from flopcast.forecast.trends import TrendFit, fit_trend, frontier_points, frontier_row


def _row(rid, date, rl=None, total=None, pretraining=None):
    def stats(x):
        return None if x is None else {"median": x, "p5": x / 2, "p95": x * 2}

    return {
        "id": rid,
        "release_date": date,
        "rl": stats(rl),
        "total": stats(total),
        "pretraining": stats(pretraining),
    }


def test_the_fit_recovers_a_known_slope_from_synthetic_records():
    # dated records on a line of 2 OOM per year (10x every 6 months), each a 90% factor-2 interval
    dates = ["2024-01-01", "2024-07-01", "2025-01-01", "2025-07-01", "2026-01-01"]
    t = np.array([to_year(d) for d in dates])
    medians = 10 ** (24 + 2.0 * (t - t[0]))
    rows = [_row(f"m{i}", d, total=m) for i, (d, m) in enumerate(zip(dates, medians, strict=True))]
    values = {r["id"]: ci(m / 2, m * 2, name=r["id"]) for r, m in zip(rows, medians, strict=True)}
    trend = fit_trend(rows, "total", lambda rid, f: values[rid])
    assert [p.id for p in trend.points] == ["m0", "m1", "m2", "m3", "m4"]
    assert trend.fit.slope_ == pytest.approx(2.0, abs=0.02)  # medians of 4,000 joint draws
    # sd of the slope: sigma / sqrt(sum (t - mean t)^2), sigma = log10(2) / 1.645 = 0.183 OOM
    spread = math.sqrt(np.sum((t - t.mean()) ** 2))
    assert trend.fit.slope_sd_ == pytest.approx(math.log10(2) / Z95 / spread, rel=0.05)
    assert trend.fit.months_per_10x().median() == pytest.approx(6.0, rel=0.02)  # 12 / 2
    assert trend.fit.per_year().median() == pytest.approx(100.0, rel=0.05)  # 10 ** 2


def test_points_exactly_on_a_line_give_its_slope_and_the_textbook_sd():
    t = np.array([2024.0, 2024.5, 2025.0, 2025.5, 2026.0])
    sigma = math.log10(2) / Z95
    fit = TrendFit().fit(t, 24 + 2.0 * (t - 2024), np.eye(5) * sigma**2)
    assert fit.slope_ == pytest.approx(2.0, abs=1e-9)
    # sum (t - 2025)^2 = 1 + 0.25 + 0 + 0.25 + 1 = 2.5
    assert fit.slope_sd_ == pytest.approx(sigma / math.sqrt(2.5), rel=1e-9)


def test_noisy_synthetic_records_recover_the_slope_within_its_interval():
    rng = np.random.default_rng(1)
    t = 2024 + np.sort(rng.uniform(0, 3, 40))
    sd = 0.3
    y = 25 + 1.5 * (t - 2024) + rng.normal(0, sd, t.size)
    fit = TrendFit().fit(t, y, np.eye(t.size) * sd**2)
    lo, hi = fit.slope_interval()
    assert lo < 1.5 < hi
    assert fit.slope_ == pytest.approx(1.5, abs=3 * fit.slope_sd_)


def test_a_prior_is_the_conjugate_normal_update():
    # two points with sd 1 OOM, 1 year apart: data slope 4 +- sqrt(2); prior 2 +- 1
    fit = TrendFit(prior_slope=(2.0, 1.0)).fit([2025.0, 2026.0], [24.0, 28.0], np.eye(2))
    # precision 1/2 + 1 = 1.5; mean (4 * 0.5 + 2 * 1) / 1.5 = 8/3
    assert fit.slope_ == pytest.approx(8 / 3)
    assert fit.slope_sd_ == pytest.approx(math.sqrt(1 / 1.5))
    # one point and a prior: the prior alone
    one = TrendFit(prior_slope=(2.0, 1.0)).fit([2025.0], [24.0], [[0.25]])
    assert (one.slope_, one.slope_sd_) == pytest.approx((2.0, 1.0))


def test_the_running_maximum_and_the_pretraining_fallback():
    rows = [
        _row("a", "2024-01-01", total=1e25),
        _row("b", "2024-06-01", total=5e24),  # below a: not a new maximum
        _row("c", "2025-01-01", pretraining=3e25),  # no total: its pre-training, a lower bound
        _row("d", "2025-06-01", total=2e25),
    ]
    assert [(r["id"], f) for r, f in frontier_points(rows, "total")] == [
        ("a", "total"),
        ("c", "pretraining"),
    ]
    row, used = frontier_row(rows, "total")
    assert (row["id"], used) == ("c", "pretraining")
    assert frontier_points(rows, "rl") == []


def test_the_rl_trend_uses_the_o1_o3_prior_and_later_new_maxima():
    rows = [
        _row("o1", "2024-12-05", rl=1e24),
        _row("o3", "2025-04-16", rl=1e25),
        _row("small", "2025-05-01", rl=1e23),  # not a new maximum
        _row("big", "2025-10-16", rl=1e26),
    ]
    values = {"o1": point(1e24), "o3": ci(5e24, 2e25, name="o3"), "big": ci(5e25, 2e26, name="big")}
    trend = fit_trend(rows, "rl", lambda rid, f: values[rid])
    assert [p.id for p in trend.points] == ["o3", "big"]  # o1 is inside the prior
    assert trend.excluded == ["o1", "o3"]
    dt = to_year("2025-04-16") - to_year("2024-12-05")
    # prior: log10(10) / dt OOM per year, sd log10(2) / 1.645 / dt (ratio "10 * (0.5 to 2)")
    assert trend.prior["slope"][0] == pytest.approx(1 / dt, rel=1e-6)
    assert trend.prior["slope"][1] == pytest.approx(math.log10(2) / 1.6448536 / dt, rel=1e-3)
    # the data say 1 OOM in half a year (2 OOM/yr), the prior ~2.7 OOM/yr: in between
    assert 2.0 < trend.fit.slope_ < 1 / dt


def test_a_trend_needs_its_prior_records_and_enough_points():
    rows = [_row("o3", "2025-04-16", rl=1e25)]
    with pytest.raises(ScenarioError, match="needs record"):
        fit_trend(rows, "rl", lambda rid, f: point(1e25))
    with pytest.raises(ScenarioError, match="at least 2"):
        fit_trend([_row("a", "2024-01-01", total=1e25)], "total", lambda rid, f: point(1e25))
    with pytest.raises(ScenarioError, match="no trend is defined"):
        fit_trend(rows, "post_training", lambda rid, f: None)


def test_no_growth_in_the_interval_is_refused_for_months_per_10x():
    fit = TrendFit().fit([2025.0, 2026.0], [25.0, 25.1], np.eye(2))
    with pytest.raises(ScenarioError, match="includes no growth"):
        fit.months_per_10x()
    assert fit.per_year().median() == pytest.approx(10**0.1, rel=1e-6)
