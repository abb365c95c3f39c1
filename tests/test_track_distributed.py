"""torch.distributed on CPU: two gloo ranks all-reduce to the count of one process."""

from __future__ import annotations

import os
import socket

import numpy as np
import pytest

torch = pytest.importorskip("torch")
dist = pytest.importorskip("torch.distributed")
mp = pytest.importorskip("torch.multiprocessing")

from flopcast.accounting.track.counts import Model, StepCounts  # noqa: E402
from flopcast.accounting.track.distributed import all_reduce  # noqa: E402

pytestmark = pytest.mark.torch
TINY = "tests/data/configs/tiny-qwen2.json"
RNG = np.random.default_rng(7)
PROMPTS = RNG.integers(1, 60, 16)
RESPONSES = RNG.integers(1, 300, 16)


def _feed(s: StepCounts, idx: slice) -> None:
    p, r = PROMPTS[idx], RESPONSES[idx]
    s.rollout(p, r)
    s.count("old_logprob", p + r)
    s.count("update", p + r)


def _rank(rank: int, world: int, port: int, out: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        s = StepCounts(Model.of(TINY))
        _feed(s, slice(rank, None, world))  # each rank its share of the batch
        s.add_time("update", 1.0 + rank, gpus=1)
        total = all_reduce(s)
        torch.save(
            {"vector": total.vector(), "spans": [x.to_dict() for x in total.spans]},
            f"{out}.{rank}",
        )
    finally:
        dist.destroy_process_group()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_gloo_ranks_sum_to_one_process(tmp_path):
    out = str(tmp_path / "rank")
    mp.spawn(_rank, args=(2, _free_port(), out), nprocs=2, join=True)
    one = StepCounts(Model.of(TINY))
    _feed(one, slice(None))
    for rank in (0, 1):
        got = torch.load(f"{out}.{rank}")
        assert got["vector"] == one.vector()  # every rank holds the same totals
        # the update lasted as long as the slower rank (2 s), on both ranks' GPUs
        assert got["spans"] == [{"phases": ["update"], "seconds": 2.0, "gpus": 2, "chip": None}]
