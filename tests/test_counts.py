"""flopcast.evidence.counts: a recipe line's value is the shipped recipe's total."""

from __future__ import annotations

import pytest

from flopcast.accounting import rl
from flopcast.core.errors import DataError
from flopcast.evidence import counts


def test_one_recipe_is_its_total():
    total = rl.load_recipe("deepseek-r1-zero").run().total
    line = counts.recipe_total(["deepseek-r1-zero"])
    assert line.median() == pytest.approx(total.median())
    assert line.unit == "FLOP" and line.method == "recipe count"


def test_several_recipes_are_summed():
    a = rl.load_recipe("deepseek-r1-zero").run().total
    b = rl.load_recipe("deepseek-r1").run().total
    both = counts.recipe_total(["deepseek-r1-zero", "deepseek-r1"])
    assert both.mean() == pytest.approx(a.mean() + b.mean(), rel=1e-9)  # means add exactly


def test_unknown_recipe_is_one_line_with_suggestions():
    with pytest.raises(DataError) as err:
        counts.recipe_total(["deepseek-r2-zero"])
    msg = err.value.message
    assert "unknown recipe 'deepseek-r2-zero'" in msg and "did you mean deepseek-r1-zero" in msg
    assert "\n" not in msg
