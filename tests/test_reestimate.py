"""flopcast.evidence.reestimate: Epoch rows re-derived by the hardware method."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from flopcast.estimate.utilization import fits
from flopcast.evidence import epoch, reestimate

FIXTURE = Path(__file__).parent / "data" / "epoch" / "notable_ai_models_fixture.csv"


@pytest.fixture(scope="module")
def rows():
    return epoch.read_csv(FIXTURE)


def test_reestimate(rows):
    result = reestimate.reestimate(rows, seed=0)
    by = {r["model"]: r for r in result["rows"]}
    llama = by["Llama 3.1-405B"]
    # 16384 H100 x 1882 h x 3600 s x 9.89e14 FLOP/s x the median of the fitted bf16
    # pre-training prior (data/utilization.yaml, about 0.42)
    u = fits()["utilization.pretraining.bf16"].median
    assert llama["median"] == pytest.approx(16384 * 1882 * 3600 * 9.89e14 * u, rel=0.02)
    assert llama["inside"] is True
    assert llama["implied_utilization"] == pytest.approx(3.8e25 / (16384 * 1882 * 3600 * 9.89e14))
    assert by["AlphaGo Zero"]["note"].startswith("several chips listed")
    assert [s["model"] for s in result["skipped"]] == ["Tiny run on unknown chip"]
    s = result["summary"]
    assert s["rows"] == len(result["rows"]) and s["inside"] <= s["compared"]
    logs = sorted(abs(math.log10(r["ratio"])) for r in result["rows"] if r["ratio"])
    assert s["median_abs_log10_ratio"] == pytest.approx(
        logs[len(logs) // 2]
        if len(logs) % 2
        else (logs[len(logs) // 2 - 1] + logs[len(logs) // 2]) / 2
    )


def test_epoch_reexports_reestimate():
    assert epoch.reestimate is reestimate.reestimate  # the name older callers import
