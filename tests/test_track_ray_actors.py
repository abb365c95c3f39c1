"""Ray on CPU: two counter actors, one driver-side aggregator, the ledger of one process."""

from __future__ import annotations

import numpy as np
import pytest

from flopcast.accounting.track.counts import StepCounts
from flopcast.accounting.track.ledger import Ledger, read_ledger
from flopcast.accounting.track.ray_actors import RayAggregator, WorkerCounter, remote_counter
from flopcast.core.errors import InputError

ray = pytest.importorskip("ray")

TINY = "tests/data/configs/tiny-qwen2.json"
RNG = np.random.default_rng(3)
PROMPTS = [int(x) for x in RNG.integers(1, 60, 12)]
RESPONSES = [int(x) for x in RNG.integers(1, 300, 12)]


@pytest.fixture(scope="module")
def local_ray():
    # A local Ray of 2 CPUs; the docs example (tests/test_docs_integrations.py) may have
    # started it already in this process. A few small dicts travel, so a small object store
    # (the default reserves 30% of RAM, which takes minutes to set up here).
    if not ray.is_initialized():
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            object_store_memory=80 * 1024 * 1024,
        )
    yield
    ray.shutdown()


def test_two_actors_aggregate_to_one_process(local_ray, tmp_path):
    ledger = Ledger.open(tmp_path / "ray.jsonl", model=TINY, chip="H100", run_id="ray")
    actor = remote_counter(num_cpus=0)
    workers = [actor.remote(ledger.model.to_dict(), rank) for rank in (0, 1)]
    agg = RayAggregator(ledger)
    for step in range(2):
        calls = []
        for rank, w in enumerate(workers):
            p, r = PROMPTS[rank::2], RESPONSES[rank::2]
            calls += [
                w.rollout.remote(p, r),
                w.count.remote("update", [a + b for a, b in zip(p, r, strict=True)]),
            ]
            calls.append(w.add_time.remote("update", 1.5, 1))
        ray.get(calls)
        agg.collect(step, ray.get([w.report.remote(step) for w in workers]))
    ledger.close()
    one = StepCounts(ledger.model)
    one.rollout(PROMPTS, RESPONSES)
    one.count("update", [a + b for a, b in zip(PROMPTS, RESPONSES, strict=True)])
    data = read_ledger(tmp_path / "ray.jsonl")
    assert [s.step for s in data.steps] == [0, 1]
    for rec in data.steps:
        assert rec.counts.to_dict() == one.to_dict()
        assert [s.to_dict() for s in rec.counts.spans] == [
            {"phases": ["update"], "seconds": 1.5, "gpus": 2, "chip": None}
        ]


def test_a_rank_that_reports_twice_is_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "dup.jsonl"
    ledger = Ledger.open(path, model=TINY, chip="H100", run_id="dup")
    w = WorkerCounter(ledger.model.to_dict(), rank=1)
    w.rollout([4], [5])
    report = w.report(0)
    before = path.read_bytes()
    with pytest.raises(InputError, match="rank 1 reported twice for step 0"):
        RayAggregator(ledger).collect(0, [report, report])
    with pytest.raises(InputError, match="rank 1 reported step 0 while the driver collects step 1"):
        RayAggregator(ledger).collect(1, [report])
    assert path.read_bytes() == before and ledger.next_step == 0
