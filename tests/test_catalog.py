"""flopcast.report.catalog: the figure registry, and what each figure takes from the data."""

from __future__ import annotations

import pytest

from flopcast.core.errors import UnknownNameError
from flopcast.core.registry import Registry
from flopcast.report import catalog


def test_the_figures_are_a_registry_that_refuses_a_second_stem():
    assert isinstance(catalog.FIGURES, Registry)
    assert list(catalog.FIGURES) == [
        "fan_chart",
        "forest_plot",
        "rl_share",
        "score_vs_compute",
        "sensitivity_tornado",
    ]
    with pytest.raises(ValueError, match="report figure 'fan_chart' is already registered"):
        catalog.figure("fan_chart", "again", "")(lambda data, stamp: None)


def test_an_unknown_figure_names_the_close_ones():
    with pytest.raises(UnknownNameError) as err:
        catalog.FIGURES["fan_chrat"]
    assert "fan_chart" in str(err.value)


def test_bounds_are_the_summarys_own_interval():
    s = {"median": 2.0, "p5": 1.0, "p95": 3.0, "lo": 0.5, "hi": 4.0, "level": 0.8}
    assert catalog.bounds(s) == {"median": 2.0, "lo": 0.5, "hi": 4.0}  # lo/hi, not p5/p95
    assert catalog.bounds({"median": 2.0, "p5": 1.0, "p95": 3.0}) == {
        "median": 2.0,
        "lo": 1.0,
        "hi": 3.0,
    }
    assert catalog.bounds(None) is None


@pytest.mark.parametrize(
    ("row", "ends"),
    [
        # "3 to 5" is a 90% interval: its 5th and 95th percentiles are 3 and 5 as stated
        (
            {"value": "3 to 5", "unit": "months", "low": 2.99433, "high": 4.9771},
            ("3 months", "5 months"),
        ),
        (
            {"value": "3e26 to 5e26", "unit": "FLOP", "low": 3.01e26, "high": 4.98e26},
            ("3e26 FLOP", "5e26 FLOP"),
        ),
        # anything else: the values tried, through fmt.number
        (
            {"value": "10 * (3e23 to 1.2e24)", "unit": "FLOP", "low": 2.995e24, "high": 1.19e25},
            ("3e24 FLOP", "1.2e25 FLOP"),
        ),
        ({"value": "4", "unit": None, "low": 4.0, "high": 4.0}, ("4", "4")),
        ({"value": "1.2.3 to 4", "unit": "x", "low": 1.0, "high": 4.0}, ("1 x", "4 x")),
    ],
)
def test_tornado_ends_as_the_scenario_states_them(row, ends):
    assert catalog.tornado_ends(row) == ends


def test_nothing_to_draw_is_none():
    data = {"models": [], "sources_short": {"dataset": []}, "scores": None, "sensitivity": []}
    assert catalog.FIGURES["forest_plot"].draw(data, None) is None
    assert catalog.FIGURES["rl_share"].draw(data, None) is None
    assert catalog.FIGURES["score_vs_compute"].draw(data, None) is None
