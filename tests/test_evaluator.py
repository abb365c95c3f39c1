"""Evaluating trees: constants with units, the function registry, arithmetic that stays finite."""

from __future__ import annotations

import pytest

from flopcast.core import evaluator
from flopcast.core.errors import ExpressionError
from flopcast.core.expr import evaluate


def test_constants_are_seconds_or_flop():
    assert evaluator.CONSTANTS["hour"].median() == 3600.0
    assert evaluator.CONSTANTS["hour"].unit == "s"
    assert evaluator.CONSTANTS["year"].median() == 365.25 * 86400  # Julian year
    assert evaluator.CONSTANTS["pflops_day"].median() == 8.64e19  # 1e15 FLOP/s x 86,400 s
    assert evaluator.CONSTANTS["pflops_day"].unit == "FLOP"


@pytest.mark.parametrize(
    "text, message",
    [
        ("0^-1", "zero to a negative power is a division by zero"),
        ("1e200 * 1e200", "beyond the float range"),
        ("10 ^ 400", "too large to represent"),
        ("(-8) ^ 0.5", "a negative number to a fractional power"),
        ("1 / 0", "division by zero"),
    ],
)
def test_plain_arithmetic_errors_are_one_line(text, message):
    with pytest.raises(ExpressionError, match=message):
        evaluate(text)


def test_the_registry_refuses_a_second_function_of_one_name():
    with pytest.raises(ValueError, match="function 'ci' is already registered"):
        evaluator.expression_function("ci")(lambda: None)


def test_unknown_function_suggests_a_close_name():
    with pytest.raises(ExpressionError, match="unknown function 'cii'; did you mean ci"):
        evaluate("cii(1, 2)")


def test_symbol_is_a_word_argument():
    assert str(evaluator.Symbol("H100")) == "H100"
    with pytest.raises(ExpressionError, match="expected a quantity, got the word 'H100'"):
        evaluate('"H100"')
