"""flopcast.evidence.counts: a recipe line's value is the shipped recipe's total."""

from __future__ import annotations

import pytest

from flopcast.accounting import rl
from flopcast.core.errors import DataError
from flopcast.evidence import counts


def test_one_recipe_is_its_total_as_a_lognormal():
    total = rl.load_recipe("deepseek-r1-zero").run().total
    line = counts.recipe_total(["deepseek-r1-zero"])
    p5, p95 = total.percentile([5, 95], n=counts.SAMPLES, seed=0)
    assert line.is_exact and line.percentile([5, 95]) == pytest.approx([p5, p95], rel=1e-9)
    assert line.median() == pytest.approx((p5 * p95) ** 0.5, rel=1e-9)  # sqrt(p5 x p95)
    assert line.median() == pytest.approx(total.median(n=counts.SAMPLES), rel=0.05)
    assert line.unit == "FLOP" and line.method == "recipe count"


def test_several_recipes_are_summed_before_the_summary():
    a = rl.load_recipe("deepseek-r1-zero").run().total
    b = rl.load_recipe("deepseek-r1").run().total
    both = counts.recipe_total(["deepseek-r1-zero", "deepseek-r1"])
    p5, p95 = (a + b).percentile([5, 95], n=counts.SAMPLES, seed=0)
    assert both.percentile([5, 95]) == pytest.approx([p5, p95], rel=1e-9)


def test_unknown_recipe_is_one_line_with_suggestions():
    with pytest.raises(DataError) as err:
        counts.recipe_total(["deepseek-r2-zero"])
    msg = err.value.message
    assert "unknown recipe 'deepseek-r2-zero'" in msg and "did you mean deepseek-r1-zero" in msg
    assert "\n" not in msg
