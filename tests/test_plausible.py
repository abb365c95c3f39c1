"""Allowed but absurd forecasts warn (PlausibilityWarning) instead of printing quietly."""

from __future__ import annotations

import warnings

import pytest

from flopcast.core.dates import to_year
from flopcast.core.errors import PlausibilityWarning
from flopcast.core.uncertain import ci
from flopcast.forecast.model import run
from flopcast.forecast.plausible import problems, warn


def test_a_parameter_outside_its_plausible_range_is_named():
    found = problems({"frontier.flop": 1e308, "reasoning.start_flop": 1e25}, to_year("2026-01-01"))
    assert len(found) == 1 and found[0].startswith("frontier.flop = 1e308 FLOP (median)")
    assert "plausible 1e15 to 1e31" in found[0]
    # the median of a lognormal is read exactly: sqrt(1e30 * 1e34) = 1e32 > 1e31
    assert problems({"frontier.flop": ci(1e30, 1e34)}, to_year("2026-01-01"))
    assert not problems({"frontier.flop": ci(1e26, 1e28)}, to_year("2026-01-01"))


def test_a_meeting_after_2100_is_named_and_never_is_not():
    assert "2138-05-18" in problems({}, to_year("2138-05-18"))[0]
    assert problems({}, to_year("2100-12-31")) == []
    assert problems({}, float("inf")) == []  # "never" is a result, not an absurd date


def test_warn_issues_one_warning_for_all_problems():
    with pytest.warns(PlausibilityWarning) as record:
        found = warn({"frontier.flop": 1e308}, to_year("2138-05-18"))
    assert len(found) == 2 and len(record) == 1
    assert str(record[0].message).endswith("the forecast from these values is not meaningful")


def test_run_warns_on_an_absurd_frontier_and_not_on_the_seed():
    with pytest.warns(PlausibilityWarning, match="frontier.flop = 1e250"):
        res = run("seed-analysis", n=2_000, overrides={"frontier.flop": "1e250"})
    assert len(res.warnings) == 2 and res.to_dict()["warnings"] == res.warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlausibilityWarning)
        assert run("seed-analysis", n=2_000).warnings == []
