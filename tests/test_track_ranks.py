"""Counters of several ranks added into one step; a rank reporting twice is refused."""

from __future__ import annotations

import pytest

from flopcast.accounting.track.counts import Model, StepCounts
from flopcast.accounting.track.ranks import merge_ranks
from flopcast.core.errors import InputError

MODEL = Model.of("tests/data/configs/tiny-qwen2.json")


def _rank(lengths):
    s = StepCounts(MODEL)
    s.count("update", lengths)
    s.add_time("update", float(len(lengths)), gpus=1)
    return s


def test_ranks_add_up_to_one_process():
    one = StepCounts(MODEL)
    one.count("update", [3, 9, 27, 81])
    total = merge_ranks([(0, _rank([3, 9])), (1, _rank([27, 81]))])
    assert total.to_dict() == one.to_dict()
    assert [(s.seconds, s.gpus) for s in total.spans] == [(2.0, 2)]


def test_a_rank_reporting_twice_is_refused():
    with pytest.raises(InputError, match="rank 0 reported twice for step 4"):
        merge_ranks([(0, _rank([3])), (0, _rank([3]))], step=4)
    with pytest.raises(InputError, match="no rank reported for step 2"):
        merge_ranks([], step=2)
