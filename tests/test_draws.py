"""Drawing a scenario: evaluated once, seeded per parameter, bounds checked on the draws."""

from __future__ import annotations

import numpy as np

from flopcast.forecast.draws import draw, param_seed, quantities
from flopcast.forecast.scenario import load_scenario


def test_param_seed_is_stable_and_depends_on_the_key():
    assert param_seed(0, "a") == param_seed(0, "a")
    assert param_seed(0, "a") != param_seed(0, "b") != param_seed(1, "a")


def test_equal_texts_are_independent_draws():
    sc = load_scenario(
        "seed-analysis", {"frontier.flop": "3 to 5", "growth.months_per_10x": "3 to 5"}
    )
    d = draw(sc, 2000, seed=0)
    a, b = d.values["frontier.flop"], d.values["growth.months_per_10x"]
    assert not np.array_equal(a, b)
    assert abs(np.corrcoef(np.log(a), np.log(b))[0, 1]) < 0.1  # independent: ~N(0, 1/sqrt(2000))


def test_quantities_are_evaluated_once_and_reused():
    sc = load_scenario("seed-analysis")
    q = quantities(sc)
    assert set(q.values) >= {"reasoning.start_flop", "growth.months_per_10x", "frontier.flop"}
    assert "budget.usd_per_year" not in q.values  # not in use with a share cap
    assert q.records == {"o3": "2025-04-16"}
    d1, d2 = draw(q, 500, 3), draw(q, 500, 3)
    assert np.array_equal(d1.values["reasoning.start_flop"], d2.values["reasoning.start_flop"])
