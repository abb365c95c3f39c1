"""flopcast.accounting.step: the phases of one RL step by hand, histograms, and the expected
causal pairs of two histograms, fast and by the grid."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopcast.accounting.architecture import from_config
from flopcast.accounting.model import keys_causal
from flopcast.accounting.step import (
    Histogram,
    Stage,
    coefficients,
    expect_keys,
    expect_keys_grid,
    step_flop,
)
from flopcast.core.errors import InputError
from flopcast.estimate.functions import evaluate

# A hand-checkable Llama (d=8, h=2 heads of 4, h_kv=1, f=16, L=1, V=10, untied), shared with
# the other accounting tests.
TOY = json.loads(
    (Path(__file__).parent / "data" / "configs" / "toy-llama-by-hand.json").read_text()
)
# C = 1152 (layers), V = 160 (head), A = 32 per causal pair; see tests/test_architecture.py


def _stage(**kw):
    base = dict(
        name="s",
        steps=1,
        prompts_per_step=1,
        samples_per_prompt=1,
        prompt_length=3,
        response_length=4,
    )
    return Stage(**{**base, **kw})


def test_one_sequence_by_hand():
    arch = from_config(TOY)
    f = step_flop(arch, 3, 4, _stage())
    assert f["generation_prefill"] == 1152 * 3 + 32 * 6 + 160  # 3808: keys(3) = 6
    # decode: 3 passes at positions 3..5, keys(6) - keys(3) = 21 - 6 = 15
    assert f["generation_decode"] == (1152 + 160) * 3 + 32 * 15  # 4416
    full = (1152 + 160) * 7 + 32 * 28  # F(7) = 10080, keys(7) = 28
    assert f["old_logprob"] == full
    assert f["reference"] == full
    assert f["update"] == 3 * full
    assert f["critic"] == 0 and f["reward"] == 0


def test_generation_equals_one_forward_over_the_sequence_minus_unused_logits():
    # prefill + decode = F(P + R - 1) minus the head on the P - 1 prompt positions
    arch = from_config("deepseek-v3")
    p, r = 500, 3000
    f = step_flop(arch, p, r, _stage())
    assert f["generation_prefill"] + f["generation_decode"] == pytest.approx(
        arch.forward_flop(p + r - 1) - arch.head_flop_per_token * (p - 1)
    )


def test_critic_reward_and_epochs():
    arch = from_config(TOY)
    f = step_flop(arch, 3, 4, _stage(critic=True, reward="model", epochs=2))
    value = (1152 + 16) * 7 + 32 * 28  # value head d -> 1 is 2 * 8 FLOP
    assert f["critic"] == (1 + 3 * 2) * value
    assert f["reward"] == value
    assert f["update"] == 6 * ((1152 + 160) * 7 + 32 * 28)


def test_prefill_shared_by_the_samples_of_a_prompt():
    arch = from_config(TOY)
    shared = step_flop(arch, 3, 4, _stage(prompts_per_step=2, samples_per_prompt=8))
    separate = step_flop(
        arch, 3, 4, _stage(prompts_per_step=2, samples_per_prompt=8, shared_prefill=False)
    )
    assert separate["generation_prefill"] == 8 * shared["generation_prefill"]
    assert shared["update"] == 16 * step_flop(arch, 3, 4, _stage())["update"]


def test_histogram_equals_the_brute_force_sum():
    arch = from_config("qwq-32b")
    ps = Histogram.of([100, 300, 900], [1, 2, 1])
    rs = Histogram.of([1000, 4000, 20_000, 30_000], [4, 3, 2, 1])
    st = _stage(prompts_per_step=4, samples_per_prompt=2)
    fast = step_flop(arch, ps, rs, st)
    grid_p, grid_r = np.meshgrid(ps.lengths, rs.lengths, indexing="ij")
    w = (ps.weights[:, None] * rs.weights[None, :]).ravel()
    for phase in ("generation_decode", "old_logprob", "update"):
        brute = sum(
            wi * step_flop(arch, float(pi), float(ri), st)[phase]
            for pi, ri, wi in zip(grid_p.ravel(), grid_r.ravel(), w, strict=True)
        )
        assert fast[phase] == pytest.approx(brute, rel=1e-12)


def test_histogram_with_windows_uses_the_grid():
    arch = from_config(
        {
            "model_type": "mistral",
            "hidden_size": 16,
            "num_attention_heads": 2,
            "intermediate_size": 32,
            "num_hidden_layers": 2,
            "vocab_size": 20,
            "sliding_window": 50,
        }
    )
    rs = Histogram.of([10, 100])
    fast = step_flop(arch, 20, rs, _stage())["old_logprob"]
    assert fast == pytest.approx((arch.forward_flop(30) + arch.forward_flop(120)) / 2)


def test_per_sequence_arrays_sum_over_the_batch():
    arch = from_config(TOY)
    f = step_flop(arch, [3, 3], [4, 4])
    assert f["update"] == 2 * step_flop(arch, 3, 4, _stage())["update"]


def test_uncertain_lengths_give_uncertain_flop():
    arch = from_config("deepseek-v3")
    f = step_flop(arch, 500, evaluate("2k to 8k"), _stage())
    lo, hi = f["update"].interval(0.9)
    assert step_flop(arch, 500, 2000, _stage())["update"] == pytest.approx(lo, rel=0.02)
    assert step_flop(arch, 500, 8000, _stage())["update"] == pytest.approx(hi, rel=0.02)


def test_fast_path_is_constant_in_the_number_of_sequences():
    coef = coefficients(from_config("deepseek-v3"))
    ps, rs = Histogram.of(np.linspace(50, 1000, 64)), Histogram.of(np.linspace(100, 32_000, 64))
    small = step_flop(coef, ps, rs, _stage(prompts_per_step=1, samples_per_prompt=1))
    large = step_flop(coef, ps, rs, _stage(prompts_per_step=10_000, samples_per_prompt=64))
    assert large["update"] == pytest.approx(640_000 * small["update"])


def test_bad_lengths():
    arch = from_config(TOY)
    with pytest.raises(InputError, match="response length must be non-negative"):
        step_flop(arch, 3, -4, _stage())
    with pytest.raises(InputError, match="as many weights as lengths"):
        Histogram.of([1, 2], [1])


# ---- expected pairs of two histograms ---------------------------------------------------

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
