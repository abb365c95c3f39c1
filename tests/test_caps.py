"""Cap kinds: each cap line in closed form, and the shipped defaults of each kind."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flopcast.core.errors import ScenarioError
from flopcast.forecast.dates import to_year
from flopcast.forecast.model import run
from flopcast.forecast.scenario import load_scenario
from flopcast.forecast.sensitivity import sensitivity

LOG4 = math.log10(4)
O3_RELEASE = to_year("2025-04-16")


def test_budget_cap_closed_form():
    # $1e9 per year at $1e-18 per FLOP buys 1e27 FLOP, flat; start 1e25 growing 3 OOM/yr:
    # meets after (27 - 25) / 3 = 2/3 year
    res = run(
        "seed-analysis",
        n=100,
        seed=0,
        overrides={
            "cap.kind": "budget",
            "budget.usd_per_year": "1e9",
            "budget.usd_per_flop": "1e-18",
            "budget.growth_per_year": "1",
            "budget.price_decline_per_year": "1",
            "budget.date": "2025-01-01",
            "reasoning.start_flop": "1e25",
            "growth.months_per_10x": "4",
        },
    )
    assert res.meeting_years - res.lines.t0 == pytest.approx(np.full(100, 2 / 3))
    assert res.growth["after"]["median"] == pytest.approx(1.0)


def test_default_budget_scenario_runs():
    # the default $1M per year (early 2025) buys ~5e23 FLOP, below o3's start: a test input of
    # $1B per year; the cap then grows 2.4x (spend) * 1.4x (price) = 3.4x per year
    changes = {"cap.kind": "budget", "budget.usd_per_year": "1B"}
    res = run("seed-analysis", n=2000, seed=0, overrides=changes)
    assert 2.5 < res.growth["after"]["median"] < 4.5
    assert "budget.usd_per_flop" in {
        r["parameter"] for r in sensitivity(load_scenario("seed-analysis", changes), n=2000)
    }
    with pytest.raises(ScenarioError, match="budget.usd_per_year: the cap at the start"):
        run("seed-analysis", n=2000, overrides={"cap.kind": "budget"})
