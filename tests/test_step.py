"""flopcast.accounting.step: the expected causal pairs of histograms, fast and by the grid."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopcast.accounting.model import keys_causal
from flopcast.accounting.step import Histogram, expect_keys, expect_keys_grid

lengths = st.lists(st.integers(0, 5000), min_size=1, max_size=40)


def _hist(xs: list[int], seed: int) -> Histogram:
    weights = np.random.default_rng(seed).uniform(0.1, 5.0, len(xs))
    return Histogram.of(xs, weights)


def test_windowed_pairs_by_hand():
    # window 4: keys(s) = s(s+1)/2 up to s = 4, then 10 + 4 (s - 4)
    x = Histogram.of([1, 3], [1, 1])  # prompts
    y = Histogram.of([2, 5], [1, 1])  # responses: s in {3, 6, 5, 8}
    assert expect_keys(x, y, 4) == pytest.approx(16.0)  # (6 + 18 + 14 + 26) / 4
    assert expect_keys_grid(x, y, 4) == pytest.approx(16.0)


@given(lengths, lengths, st.integers(1, 6000), st.integers(0, 2**16))
@settings(max_examples=200, deadline=None)
def test_fast_windowed_path_equals_the_grid(xs, ys, window, seed):
    x, y = _hist(xs, seed), _hist(ys, seed + 1)
    assert expect_keys(x, y, window) == pytest.approx(expect_keys_grid(x, y, window), rel=1e-12)


@given(lengths, st.integers(0, 5000), st.one_of(st.none(), st.integers(1, 3000)))
@settings(max_examples=100, deadline=None)
def test_a_number_and_a_histogram(xs, n, window):
    x = _hist(xs, 7)
    brute = float(x.weights @ keys_causal(x.lengths + n, window))
    assert expect_keys(x, n, window) == pytest.approx(brute, rel=1e-12)
    assert expect_keys(n, x, window) == pytest.approx(brute, rel=1e-12)


def test_two_numbers_are_keys_causal():
    assert expect_keys(3, 4, None) == 28  # 7 * 8 / 2
    assert expect_keys(3, 4, 4) == 10 + 4 * 3  # 22


def test_windowed_path_is_o_b_log_b():
    # Issue 12: the grid is O(B^2) (about 83 ms at B = 2,048 on the machine that filed it).
    rng = np.random.default_rng(0)
    b = 2048
    x = Histogram.of(rng.integers(10, 2000, b), rng.uniform(1, 2, b))
    y = Histogram.of(rng.integers(100, 30_000, b), rng.uniform(1, 2, b))
    expect_keys(x, y, 4096)
    grid_s = min(_timed(expect_keys_grid, x, y) for _ in range(3))
    fast_s = min(_timed(expect_keys, x, y) for _ in range(3))
    # measured in the same run: the fast path is at least 10x quicker than the grid at B = 2,048
    assert fast_s * 10 < grid_s, (fast_s, grid_s)
    assert expect_keys(x, y, 4096) == pytest.approx(expect_keys_grid(x, y, 4096), rel=1e-12)


def _timed(fn, x, y) -> float:
    t0 = time.perf_counter()
    fn(x, y, 4096)
    return time.perf_counter() - t0
