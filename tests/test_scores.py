"""Proper scores: CRPS and log score against their closed forms for a normal forecast."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from flopcast.forecast.scores import crps, log_score, score


def test_crps_of_a_point_forecast_is_the_absolute_error():
    assert crps(np.full(10, 2.0), 5.0) == pytest.approx(3.0)  # |2 - 5|, no spread


def test_crps_of_two_draws_by_hand():
    # draws 0 and 2, y = 1: E|X - y| = 1, E|X - X'| = (0 + 2 + 2 + 0) / 4 = 1 -> 1 - 0.5 = 0.5
    assert crps(np.array([0.0, 2.0]), 1.0) == pytest.approx(0.5)


def test_scores_of_a_normal_forecast_match_closed_forms():
    x = norm.ppf((np.arange(20_000) + 0.5) / 20_000)  # a standard normal, stratified
    # CRPS of N(0, 1) at y: y (2 Phi(y) - 1) + 2 phi(y) - 1 / sqrt(pi)  (Gneiting & Raftery)
    y = 0.7
    want = y * (2 * norm.cdf(y) - 1) + 2 * norm.pdf(y) - 1 / math.sqrt(math.pi)
    assert crps(x, y) == pytest.approx(want, abs=1e-4)
    assert log_score(x, y) == pytest.approx(norm.logpdf(y), abs=0.02)  # kernel smoothing
    s = score(x, 0.0)
    assert s["pit"] == pytest.approx(0.5) and s["inside_50"] and s["inside_90"]
    assert not score(x, 2.0)["inside_90"]  # Phi(2) = 0.977 > 0.95


def test_log_score_equals_scipys_kernel_estimate_and_stays_finite_in_the_tail():
    from scipy.stats import gaussian_kde

    x = np.random.default_rng(3).normal(size=5_000)
    for y in (-1.0, 0.2, 2.5):
        assert log_score(x, y) == pytest.approx(np.log(gaussian_kde(x)(y)[0]), rel=1e-9)
    # 40 sd out the density underflows a float; the log-space sum still gives a number
    far = log_score(x, 40.0)
    assert math.isfinite(far) and far < -500
