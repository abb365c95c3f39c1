"""Scenario files: loading, defaults, overrides, round trip, one-line errors."""

from __future__ import annotations

import math

import pytest

from flopcast.core.errors import ScenarioError, UnknownNameError
from flopcast.forecast.dates import to_year
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
