"""flopcast.accounting.rl: the stable public face of the RL accounting.

The work is tested in the module of each concern (test_step, test_algorithms, test_recipe,
test_hardware); here: every public name is the object its module defines, and one run goes
through the facade end to end.
"""

from __future__ import annotations

import pytest

from flopcast.accounting import algorithms, hardware, recipe, rl, step


def test_every_public_name_is_the_modules_own_object():
    homes = (step, algorithms, recipe, hardware)
    for name in rl.__all__:
        owner = next(m for m in homes if name in m.__all__)
        assert getattr(rl, name) is getattr(owner, name), name


def test_a_shipped_recipe_through_the_facade():
    run = rl.load_recipe("deepseek-r1-zero").run()
    out = run.to_dict()
    assert set(out["phases"]) == set(rl.PHASES)
    # the core summary shape: median, mean, percentiles, interval, level, unit
    assert {"median", "mean", "p5", "p25", "p75", "p95", "lo", "hi", "level", "unit"} <= set(
        out["total"]
    )
    # each stage is its step times its steps: 8,200 and 2,200 steps (numbers in the recipe)
    steps = {st.name: st.steps for st in run.recipe.stages}
    assert steps == {"max-32k": 8200, "max-64k": 2200}
    for name, n in steps.items():
        per_step = run.step[name]["update"].median()
        assert run.stages[name]["update"].median() == pytest.approx(n * per_step, rel=1e-12)


def test_summarize_of_a_number_is_a_point():
    s = rl.summarize(5.0)
    assert s["median"] == s["lo"] == s["hi"] == s["p5"] == s["p95"] == s["mean"] == 5.0
    assert s["level"] == 0.9
