"""Per-phase counters: equal to flopcast's step_flop for the same tokens, packed sums exact."""

from __future__ import annotations

import numpy as np
import pytest

from flopcast.accounting.architecture import from_config
from flopcast.accounting.rl import Stage, step_flop
from flopcast.accounting.track.counts import Model, PackedSums, StepCounts
from flopcast.core.errors import InputError, UnknownNameError

TINY = "tests/data/configs/tiny-qwen2.json"
ARCH = from_config(TINY)
MODEL = Model.of(ARCH)
P = np.array([5, 7, 9, 3])
R = np.array([10, 1, 0, 4])


def test_phases_equal_step_flop_for_the_same_tokens():
    s = StepCounts(MODEL)
    s.rollout(P, R)
    for phase in ("old_logprob", "reference", "update"):
        s.count(phase, P + R)
    plan = step_flop(ARCH, P, R, Stage("s", 1, 1, 1, 0, 0, shared_prefill=False))
    assert s.flop() == pytest.approx(plan, rel=1e-12)


def test_counts_by_hand():
    # tiny-qwen2: C = 147456, V = 2 * 64 * 256 = 32768, A = 512 per (query, key) pair
    s = StepCounts(MODEL)
    s.count("old_logprob", [3])
    assert s.phases["old_logprob"].pairs == {None: 6}  # 3 * 4 / 2
    assert s.flop()["old_logprob"] == 3 * (147456 + 32768) + 6 * 512
    s.prefill([3])
    assert s.flop()["generation_prefill"] == 3 * 147456 + 32768 + 6 * 512  # logits once
    s.decode([3], [2])  # one decode pass at position 3: 4 keys
    assert s.flop()["generation_decode"] == 147456 + 32768 + 4 * 512


def test_update_is_three_forwards_and_critic_uses_the_value_head():
    s = StepCounts(MODEL)
    s.count("update", [4])
    s.count("reference", [4])
    s.count("critic", [4], passes=4)  # values forward + one update epoch (1 + 3)
    f = s.flop()
    assert f["update"] == 3 * f["reference"]
    assert f["critic"] == 4 * (4 * (147456 + 2 * 64) + 10 * 512)  # keys(4) = 10


def test_packed_sums_equal_per_sequence_lengths():
    lengths = np.array([17, 3, 250, 41])
    a, b = StepCounts(MODEL), StepCounts(MODEL)
    a.count("update", lengths)
    sums = PackedSums(4, int(lengths.sum()), int((lengths**2).sum()))
    b.count("update", sums=sums)
    assert a.flop() == b.flop()
    # max length squared (the bug of NeMo-RL PR #2790) would overcount the attention
    assert b.phases["update"].pairs[None] < 3 * 4 * 250 * 251 // 2


def test_impossible_sums_negative_counts_and_unknown_phase_are_refused():
    with pytest.raises(InputError, match="impossible for 2 sequences of 10 tokens"):
        PackedSums(2, 10, 20)  # at least 10^2 / 2 = 50
    with pytest.raises(InputError, match="non-negative"):
        PackedSums(1, -1, 1)
    s = StepCounts(MODEL)
    with pytest.raises(InputError, match="prompt lengths must be non-negative, got -2"):
        s.prefill([4, -2])
    with pytest.raises(UnknownNameError, match="unknown phase 'decode'"):
        s.count("decode", [4])
    assert s.phases == {}  # nothing half-counted


def test_windowed_model_needs_lengths_and_counts_windows():
    model = Model.of("tests/data/configs/tiny-mistral.json")
    assert model.windows == (8,)
    with pytest.raises(InputError, match=r"sliding-window layers \(window 8\)"):
        StepCounts(model).count("update", sums=PackedSums(1, 4, 16))
    arch = from_config("tests/data/configs/tiny-gemma2.json")
    g = StepCounts(Model.of(arch))
    g.count("reference", [300, 7])
    plan = step_flop(arch, [300, 7], [0, 0], Stage("s", 1, 1, 1, 0, 0))
    assert g.flop()["reference"] == pytest.approx(plan["reference"], rel=1e-12)


def test_vector_round_trip_and_merge():
    s = StepCounts(MODEL)
    s.rollout(P, R)
    s.count("update", P + R)
    back = StepCounts.from_vector(MODEL, s.vector())
    assert back.to_dict() == s.to_dict()
    back.merge(s)
    assert back.flop()["update"] == 2 * s.flop()["update"]
    other = StepCounts(Model.of("tests/data/configs/tiny-gpt2.json"))
    with pytest.raises(InputError, match="cannot add counters of model"):
        back.merge(other)
