"""Ledger totals and MFU: FLOP over (seconds x GPUs x peak), by span group and for the run."""

from __future__ import annotations

import pytest

from flopcast.accounting.rl import load_recipe
from flopcast.accounting.track.ledger import Ledger, read_ledger
from flopcast.accounting.track.summary import compare_with_recipe, step_series, summarize_ledger
from flopcast.core.errors import UnknownNameError
from flopcast.estimate.chips import peak_flop_per_s

TINY = "tests/data/configs/tiny-qwen2.json"


def _ledger(tmp_path):
    path = tmp_path / "run.jsonl"
    with Ledger.open(path, model=TINY, chip="H100", run_id="sum") as ledger:
        with ledger.step() as s:
            s.count("update", [100, 50])
            s.count("reference", [100, 50])
            s.add_time("update", 2.0, gpus=4)
        with ledger.step() as s:
            s.count("update", [10])
    return read_ledger(path)


def test_mfu_is_flop_over_capacity(tmp_path):
    data = _ledger(tmp_path)
    out = summarize_ledger(data)
    peak = peak_flop_per_s("H100", "bf16")
    update = out["phases"]["update"]["flop"]
    assert out["timed"]["update"]["mfu"] == pytest.approx(update / (2.0 * 4 * peak))
    assert out["mfu"] == pytest.approx(update / (2.0 * 4 * peak))
    assert out["untimed_flop"] == out["phases"]["reference"]["flop"]  # in no MFU
    assert out["total_flop"] == update + out["untimed_flop"]
    series = step_series(data)
    assert series["step"] == [0, 1] and series["mfu"][1] is None
    assert sum(series["flop"]) == pytest.approx(out["total_flop"])


def test_compare_with_recipe_stage(tmp_path):
    data = _ledger(tmp_path)
    rec = load_recipe("deepscaler-1.5b")
    out = compare_with_recipe(data, rec, "16k")
    assert out["stage"] == "16k" and set(out["phases"]) >= {"update", "reference"}
    row = out["phases"]["update"]
    assert row["ratio"] == pytest.approx(row["measured_per_step"] / row["planned_per_step"])
    with pytest.raises(UnknownNameError, match="unknown stage of recipe 'deepscaler-1.5b' '99k'"):
        compare_with_recipe(data, rec, "99k")


def test_each_span_uses_the_peak_of_its_own_pool(tmp_path):
    path = tmp_path / "pools.jsonl"
    with Ledger.open(path, model=TINY, chip="H100") as ledger:
        with ledger.step() as s:
            s.rollout([10, 20], [30, 40])
            s.add_time(("generation_prefill", "generation_decode"), 4.0, gpus=2, chip="A100")
            s.count("update", [40, 60])
            s.add_time("update", 1.0, gpus=8)  # the ledger's chip, H100
    out = summarize_ledger(read_ledger(path))
    rollout = out["timed"]["generation_prefill+generation_decode"]
    a100, h100 = peak_flop_per_s("A100"), peak_flop_per_s("H100")
    assert rollout["capacity_flop"] == pytest.approx(4.0 * 2 * a100)
    assert out["timed"]["update"]["capacity_flop"] == pytest.approx(1.0 * 8 * h100)
    assert out["mfu"] == pytest.approx(out["total_flop"] / (8 * a100 + 8 * h100))
