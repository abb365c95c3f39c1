"""Scenario files: loading, defaults, overrides, round trip, one-line errors."""

from __future__ import annotations

import math

import pytest

from flopcast.core.dates import to_year
from flopcast.core.errors import ScenarioError, UnknownNameError
from flopcast.evidence import dataset
from flopcast.forecast.draws import quantities
from flopcast.forecast.params import PARAMETERS
from flopcast.forecast.scenario import list_scenarios, load_scenario

LOG4 = math.log10(4)
O3_RELEASE = to_year("2025-04-16")


def test_shipped_scenarios_have_sources_for_every_parameter():
    assert {"seed-analysis", "latest-evidence"} <= set(list_scenarios())
    sc = load_scenario("seed-analysis")
    assert set(sc.parameters) == set(PARAMETERS)
    assert all(p["source"] for p in sc.parameters.values())
    assert sc.value("reasoning.start_date") == "@o3"  # read from the record, not restated
    assert sc.value("reasoning.start_flop") == "@o3.rl"


def test_overrides_and_yaml_round_trip(tmp_path):
    sc = load_scenario("seed-analysis", {"growth.months_per_10x": "3 to 5", "cap.share": 0.5})
    assert sc.parameters["cap.share"] == {"value": "0.5", "source": "override (--set)"}
    path = tmp_path / "mine.yaml"
    path.write_text(sc.to_yaml())
    again = load_scenario(str(path))
    assert again.parameters == sc.parameters


@pytest.mark.parametrize(
    "overrides, words",
    [
        (
            {"growth.months_per_100x": "4"},
            ["unknown parameter 'growth.months_per_100x'", "growth.months_per_10x"],
        ),
        ({"growth.months_per_10x": "-4"}, ["growth.months_per_10x", "negative or zero growth"]),
        ({"frontier.growth_per_year": "0.5"}, ["frontier.growth_per_year", "negative growth"]),
        ({"evidence.as_of": "2025-01-01"}, ["frontier.date", "after evidence.as_of"]),
        ({"reasoning.start_date": "16/04/2025"}, ["not an ISO date"]),
        ({"cap.kind": "dollars"}, ["not one of share, parity, budget"]),
        ({"cap.share": "1.5"}, ["cap.share", "(0, 1]"]),
    ],
)
def test_bad_scenarios_give_one_clear_error(overrides, words):
    with pytest.raises(ScenarioError) as err:
        load_scenario("seed-analysis", overrides)
    message = str(err.value)
    assert "\n" not in message
    for w in words:
        assert w in message


def test_unknown_scenario_suggests(tmp_path):
    with pytest.raises(UnknownNameError, match="seed-analysis"):
        load_scenario("seed-analisys")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nparameters:\n  cap.share:\n    value: 1\n")
    with pytest.raises(ScenarioError, match="needs a 'source'"):
        load_scenario(str(bad))


def test_frontier_and_trend_references_resolve_on_the_shipped_records():
    ds = dataset.load()
    q = quantities(load_scenario("rl-frontier-fit"), ds)
    rows = ds.table()
    rl_top = max((r for r in rows if r["rl"]), key=lambda r: r["rl"]["median"])
    # the start is the newest point of the running maximum of RL, i.e. the largest RL median
    assert q.years["reasoning.start_date"] == to_year(rl_top["release_date"])
    # growth: months per 10x from the fitted trend, its median 12 / slope
    trend = q.resolved["growth.months_per_10x: @months_per_10x.rl"]
    assert trend.startswith("trend of rl:") and "prior o1 -> o3" in trend
    months = q.values["growth.months_per_10x"]
    assert 1 < months.median() < 24
    # the frontier: the largest total (or pre-training where the total is unknown)
    best = max((r.get("total") or r.get("pretraining") or {"median": 0})["median"] for r in rows)
    assert q.values["frontier.flop"].median() == pytest.approx(best, rel=0.05)


def test_a_trend_as_of_a_date_sees_only_the_prior_and_older_records():
    sc = load_scenario("rl-frontier-fit", {"evidence.as_of": "2025-05-13"})
    q = quantities(sc, dataset.load())
    # as of 2025-05-13 the RL frontier after o3 is empty: o3 anchors, the prior decides
    assert "from o3; prior o1 -> o3" in q.resolved["growth.months_per_10x: @months_per_10x.rl"]
    assert all(d <= "2025-05-13" for d in q.records.values())


def test_a_trend_whose_prior_is_newer_than_the_cut_off_is_refused():
    # the o1 -> o3 prior was published with o3 (2025-04-16): not known on 2025-03-01
    sets = {
        "evidence.as_of": "2025-03-01",
        "reasoning.start_flop": "1e24",
        "reasoning.start_date": "2024-12-05",
    }
    sc = load_scenario("rl-frontier-fit", sets)
    with pytest.raises(ScenarioError, match="published 2025-04-16, after evidence.as_of"):
        quantities(sc, dataset.load())
