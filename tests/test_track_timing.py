"""Timed spans: validation, GPU-synchronised timer, ranks side by side."""

from __future__ import annotations

import sys
import time
import types

import pytest

from flopcast.accounting.track.timing import Span, merge_rank_spans, timer
from flopcast.core.errors import InputError, UnknownNameError


def test_timer_measures_wall_time():
    with timer() as t:
        time.sleep(0.02)
    assert 0.02 <= t[0] < 1.0


def test_spans_are_validated():
    with pytest.raises(InputError, match="at least 1 GPU, got 0"):
        Span(("update",), 1.0, 0)
    with pytest.raises(InputError, match="non-negative, got -1"):
        Span(("update",), -1.0, 1)
    with pytest.raises(UnknownNameError, match="unknown phase 'rollout'"):
        Span(("rollout",), 1.0, 1)
    s = Span(("generation_prefill", "generation_decode"), 2.0, 8, "H100")
    assert s.label == "generation_prefill+generation_decode"
    assert Span.from_dict(s.to_dict()) == s


def test_ranks_side_by_side_take_the_slowest_and_add_gpus():
    rank0 = [Span(("update",), 1.0, 1), Span(("update",), 0.5, 1)]  # timed in two pieces
    rank1 = [Span(("update",), 1.2, 1), Span(("reference",), 0.3, 1)]
    merged = {s.label: (s.seconds, s.gpus) for s in merge_rank_spans([rank0, rank1])}
    assert merged == {"update": (1.5, 2), "reference": (0.3, 1)}  # max(1.0 + 0.5, 1.2)


def test_timer_synchronises_cuda_at_both_ends(monkeypatch):
    calls: list[str] = []
    cuda = types.SimpleNamespace(
        is_available=lambda: True, synchronize=lambda: calls.append("sync")
    )
    monkeypatch.setitem(sys.modules, "torch", types.SimpleNamespace(cuda=cuda))
    with timer():
        calls.append("work")
    assert calls == ["sync", "work", "sync"]  # queued kernels finish inside the measured time
