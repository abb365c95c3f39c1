"""flopcast.report.gather: the report's numbers, picked from the library's results."""

from __future__ import annotations

import importlib

import pytest

from flopcast.core import fmt
from flopcast.core.errors import InputError
from flopcast.report import gather

forecast = importlib.import_module("flopcast.forecast.model")
dataset = importlib.import_module("flopcast.evidence.dataset")


@pytest.fixture(scope="module")
def ds():
    return dataset.load()


def test_fit_label_numbers_go_through_fmt():
    assert gather.fit_label(-512.345, 23.456, 7) == "score = -512 + 23.5 × log10(FLOP) (n = 7)"
    assert gather.fit_label(1.03e3, 0.5, 3).startswith(f"score = {fmt.number(1.03e3)} + 0.5")


def test_headline_states_the_forecast_through_fmt(ds):
    sc = forecast.load_scenario("seed-analysis")
    res = forecast.run(sc, n=2_000, seed=1, dataset=ds)
    result = res.to_dict()
    h = result["headroom_oom"]
    sentence = gather.headline(sc, result, res)["sentence"]
    assert f"starting {fmt.number(h['median'])} orders of magnitude" in sentence
    assert f"(90% interval {fmt.number(h['p5'])} to {fmt.number(h['p95'])})" in sentence
    assert f"on {result['meeting_date']['median']} (median;" in sentence


def test_scores_pick_the_benchmark_and_their_intervals(ds):
    table = ds.table(seed=0)
    s = gather.scores(ds, table, None, 0)
    assert s["benchmark"] == gather.DEFAULT_BENCHMARK
    rl = {r["id"]: r["rl"] for r in table if r.get("rl")}
    for p in s["points"]:
        want = (rl[p["id"]]["median"], rl[p["id"]]["p5"], rl[p["id"]]["p95"])
        # lo/hi of the 90% interval are the 5th/95th percentiles (equal up to rounding)
        assert (p["median"], p["lo"], p["hi"]) == pytest.approx(want, rel=1e-12)
    assert len(s["curve"]["x"]) == 60
    with pytest.raises(InputError, match="no model with RL compute reports benchmark 'No Such'"):
        gather.scores(ds, table, "No Such", 0)
