"""The bounded parser: every limit is one ExpressionError, never a RecursionError."""

from __future__ import annotations

import time

import pytest

from flopcast.core import syntax
from flopcast.core.errors import ExpressionError


def _refused(text: str, message: str) -> ExpressionError:
    t0 = time.perf_counter()
    with pytest.raises(ExpressionError, match=message) as info:
        syntax.parse(text)
    assert time.perf_counter() - t0 < 0.5
    return info.value


def test_150_nested_parentheses_are_one_error():
    err = _refused("(" * 150 + "1" + ")" * 150, "nests deeper than 50 levels")
    assert err.position == 50  # the 51st parenthesis


def test_1000_chained_terms_are_one_error():
    _refused(" + ".join(["1"] * 1000), "more than 250 operations")


def test_200_nested_calls_are_one_error():
    _refused("ci(" * 200 + "1, 2" + ")" * 200, "nests deeper than 50 levels")


def test_long_sign_and_power_chains_are_bounded():
    _refused("-" * 300 + "1", "nests deeper")
    _refused("2^" * 100 + "2", "nests deeper")


def test_length_is_bounded():
    _refused("1" * 5001, "5,001 characters; the limit is 5,000")


def test_numbers_are_bounded_in_size():
    _refused("1e308", "too large; numbers are limited to 1e300")
    _refused("1e-308", "too small")
    assert syntax.parse("0").value == 0.0
    assert syntax.parse("1e300").value == 1e300


def test_at_the_limits_it_parses():
    node = syntax.parse("(" * 49 + "1" + ")" * 49)
    assert node.kind == "num"
    chain = syntax.parse(" + ".join(["1"] * 251))  # 250 operators
    assert chain.kind == "binary"


def test_tree_shape():
    node = syntax.parse("2 * 3 to 4 ^ 2")
    # "to" binds tighter than "*", "^" applies to the range: 2 * ((3 to 4) ^ 2)
    assert node.kind == "binary" and node.value == "*"
    power = node.args[1]
    assert power.value == "^" and power.args[0].kind == "range"


def test_suffixes_and_tokens():
    assert [t.kind for t in syntax.tokenize("140k * @o1.rl")] == ["number", "op", "ref", "end"]
    assert syntax.tokenize("140k")[0].value == 140_000.0  # 140 x 1e3
    assert syntax.tokenize("20%")[0].value == 0.2
