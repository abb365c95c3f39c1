"""The trajectory formulas: meeting time, the line then the cap, the softmin, Lines."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flopcast.core.dates import to_year
from flopcast.forecast.model import run
from flopcast.forecast.trajectory import (
    Lines,
    meeting_time,
    reasoning_growth,
    reasoning_log,
    softmin10,
)

LOG4 = math.log10(4)
O3_RELEASE = to_year("2025-04-16")


@pytest.fixture(scope="module")
def seed_result():
    return run("seed-analysis", n=20_000, seed=0, method="mc")


def test_meeting_time_worked_example():
    # start 1e24 in 2025.0, 10x per 4 months (3 OOM/yr); cap 1e26 in 2025.0 growing 4x/yr
    t = meeting_time(24.0, 2025.0, 3.0, 26.0, 2025.0, LOG4)
    assert t == pytest.approx(2025.0 + 2 / (3 - LOG4))  # headroom 2 OOM / closing 2.398 OOM/yr
    assert t == pytest.approx(2025.834, abs=1e-3)


def test_meeting_time_cap_reference_date_differs_from_start():
    # cap 1e26 at 2024.0 growing 1 OOM/yr is 1e27 at 2025.0; start 1e24, 4 OOM/yr: 3 / (4 - 1)
    t = meeting_time(24.0, 2025.0, 4.0, 26.0, 2024.0, 1.0)
    assert t == pytest.approx(2026.0)


def test_meeting_time_edge_cases():
    # already at the cap: meets at the start; cap faster than reasoning: never
    assert meeting_time(27.0, 2025.0, 3.0, 26.0, 2025.0, LOG4) == 2025.0
    assert meeting_time(26.0, 2025.0, 3.0, 26.0, 2025.0, LOG4) == 2025.0
    assert np.isinf(meeting_time(24.0, 2025.0, 0.5, 26.0, 2025.0, LOG4))
    assert np.isinf(meeting_time(24.0, 2025.0, LOG4, 26.0, 2025.0, LOG4))


def test_meeting_time_is_vectorised():
    r0 = np.array([24.0, 25.0, 27.0])
    t = meeting_time(r0, 2025.0, 3.0, 26.0, 2025.0, 0.0)
    assert t.tolist() == pytest.approx([2025 + 2 / 3, 2025 + 1 / 3, 2025.0])


def test_trajectory_follows_line_then_cap():
    args = (24.0, 2025.0, 3.0, 26.0, 2025.0, LOG4)
    tm = float(meeting_time(*args))
    before, after = tm - 0.1, tm + 0.5
    assert reasoning_log(before, *args) == pytest.approx(24.0 + 3.0 * (before - 2025.0))
    assert reasoning_log(after, *args) == pytest.approx(26.0 + LOG4 * (after - 2025.0))
    assert reasoning_growth(before, *args) == pytest.approx(3.0)
    assert reasoning_growth(after, *args) == pytest.approx(LOG4)


def test_softmin_reduces_to_min_and_smooths_the_kink():
    a, b = np.array([1.0, 2.0, 5.0]), np.array([2.0, 2.0, 1.0])
    assert softmin10(a, b, 0.0).tolist() == [1.0, 2.0, 1.0]
    soft = softmin10(a, b, 0.3)
    assert np.all(soft < np.minimum(a, b))
    assert soft[1] == pytest.approx(2.0 - 0.3 * math.log10(2))  # w log10(2) below at the crossing
    assert softmin10(0.0, 10.0, 0.3) == pytest.approx(0.0, abs=1e-12)  # far away: the minimum
    # the smooth growth rate blends from 1/T to g_c and ends at the cap's rate
    args = (24.0, 2025.0, 3.0, 26.0, 2025.0, LOG4)
    g = reasoning_growth(np.array([2025.0, 2025.8, 2028.0]), *args, width=0.2)
    assert g[0] == pytest.approx(3.0, abs=1e-6) and g[-1] == pytest.approx(LOG4, abs=1e-6)
    assert 3.0 > g[1] > LOG4


def test_closed_form_agrees_with_time_stepping(seed_result):
    """Step each draw month by month (1/1200 year) until it reaches the cap."""
    sub = seed_result.lines.take(slice(0, 500))
    dt_years = 1 / 1200
    t = sub.t0 + np.arange(0, 3 * 1200) * dt_years
    u = sub.r0[:, None] + sub.inv_T[:, None] * (t - sub.t0)
    cap = sub.c0[:, None] + sub.g_c[:, None] * (t - sub.t_c)
    stepped = t[np.argmax(u >= cap, axis=1)]
    closed = sub.meeting()
    assert np.all(stepped >= closed - 1e-9)
    assert np.all(stepped - closed <= dt_years + 1e-9)


def test_lines_take_subsets():
    res = run("seed-analysis", n=100, seed=0)
    sub = res.lines.take(slice(0, 10))
    assert isinstance(sub, Lines) and len(sub.r0) == 10 and sub.t0 == res.lines.t0
