"""The expression language: numbers, intervals, functions, references, errors with a caret."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flopcast as fc
from flopcast.core.expr import evaluate, parse


@pytest.mark.parametrize(
    "text, value",
    [
        ("140k", 140e3),
        ("1.5M", 1.5e6),
        ("37B", 37e9),
        ("14.8T", 14.8e12),
        ("2P", 2e15),
        ("6e23", 6e23),
        ("1.65e+24", 1.65e24),
        ("20%", 0.2),
        ("6 * 37B * 14.8T", 3.2856e24),  # 6 x 37e9 x 14.8e12
        ("2 ^ 10", 1024.0),
        ("2 ** 3 ** 2", 512.0),  # right-associative: 2^(3^2)
        ("-3 + 5", 2.0),
        ("(1 + 2) * 3", 9.0),
        ("10 / 4", 2.5),
        ("140k * hour", 5.04e8),  # 140,000 x 3,600 s
        ("pflops_day", 8.64e19),
    ],
)
def test_numbers_and_arithmetic(text, value):
    q = evaluate(text)
    assert q.is_point
    assert q.median() == pytest.approx(value, rel=1e-12)


def test_to_is_a_90_percent_lognormal_interval_binding_tighter_than_times():
    q = evaluate("140k * 0.1 to 0.4")
    assert q.interval(0.9) == (pytest.approx(14e3), pytest.approx(56e3))  # 140k x (0.1, 0.4)
    assert q.is_exact


def test_functions_with_positional_and_named_arguments():
    assert evaluate("ci(1, 100, 0.8)").interval(0.8) == (pytest.approx(1), pytest.approx(100))
    q = evaluate('between(1, 100, name="spread")')
    assert q.inputs()[0].name == "spread"
    n = evaluate("normal(-1, 1)")
    assert n.median(n=100_000) == pytest.approx(0, abs=0.02)
    assert evaluate("at_most(1e20)").percentile(95) == pytest.approx(1e20)
    assert evaluate("mix(1 to 2, 10 to 20)").inputs()[0].kind == "mixture"


def test_operations_method_from_an_expression():
    q = evaluate("operations(N=37B, D=14.8T)")
    assert q.median() == pytest.approx(6 * 37e9 * 14.8e12)
    assert q.unit == "FLOP"


def test_references_are_resolved_by_the_callback():
    o1 = fc.ci(1e23, 1e24, name="o1 rl")
    q = evaluate("@o1.rl * 10", resolve=lambda ref: {"o1.rl": o1}[ref])
    assert (q / o1).median() == pytest.approx(10.0)


def test_reference_without_a_dataset_is_an_error():
    with pytest.raises(fc.ExpressionError, match="needs a dataset"):
        evaluate("@o1.rl * 10")


@pytest.mark.parametrize(
    "text, message, caret_at",
    [
        ("140k * * 3", "unexpected '\\*'", 7),
        ("1 to", "ends too early", 4),
        ("(1 + 2", "expected '\\)'", 6),
        ("37X", "unknown number suffix", 2),
        ("3 $ 4", "unexpected character '\\$'", 2),
        ("hourz * 2", "unknown name 'hourz'; did you mean hour", 0),
        ("pick(1, 2)", "unknown function 'pick'", 0),
        ("10 to 1", "lower bound 10 is above upper bound 1", 3),
        ("0 to 1", "positive bounds", 2),
        ("1 / 0", "division by zero", 2),
        ("ci(1)", "missing 1 required positional argument", 0),
        ("ci(lo=1, 2)", "positional argument cannot follow", 9),
        ("", "empty expression", 0),
        ("2 * 1e400", "the number '1e400' is too large", 4),
        (
            "ci(1, 2, 3, 4, 5)",
            r"ci\(\): takes from 2 to 4 positional arguments but 5 were given",
            0,
        ),
    ],
)
def test_errors_show_the_expression_with_a_caret(text, message, caret_at):
    with pytest.raises(fc.ExpressionError, match=message) as info:
        evaluate(text)
    err = info.value
    assert err.position == caret_at
    lines = str(err).splitlines()
    if text:
        assert lines[1] == "  " + text
        assert lines[2] == "  " + " " * caret_at + "^"


def test_parse_never_uses_python_eval():
    # Python syntax that eval would run is just a bad token here.
    with pytest.raises(fc.ExpressionError):
        parse("__import__('os').system('true')")
    with pytest.raises(fc.ExpressionError):
        evaluate("[1, 2]")


# ---- regression tests for the reported repros (issue 14) -----------------------------------


def test_exact_inputs_stay_exact():
    assert evaluate("123").median() == 123.0  # was 122.99999999999994
    assert evaluate("140k").median() == 140_000.0


@pytest.mark.parametrize(
    "text, message",
    [
        ("(" * 150 + "1" + ")" * 150, "nests deeper than 50 levels"),
        ("+".join(["1"] * 1000), "more than 250 operations"),
        ("ci(" * 200 + "1, 2" + ")" * 200, "nests deeper than 50 levels"),
        ("(1 to 2) * 1e308", "the number '1e308' is too large"),
        ("1e-308 to 1e308", "the number '1e-308' is too small"),
        ("0^-1", "zero to a negative power"),
        ("ci(1,10,level=1e-20)", "interval level 1e-20 is below 1e-06"),
        ("mix(" + ", ".join(["1 to 2"] * 2000) + ")", "characters; the limit is 5,000"),
    ],
)
def test_repros_are_one_expression_error(text, message):
    with pytest.raises(fc.ExpressionError, match=message):
        evaluate(text)


def test_a_mixture_of_many_parts_is_refused_by_count():
    parts = ", ".join(str(i + 1) for i in range(300))  # 1,191 characters, one operation
    with pytest.raises(fc.ExpressionError, match="mix has 300 components; the limit is 256"):
        evaluate(f"mix({parts})")


def test_a_wide_sum_at_1e7_samples_is_refused_not_sampled():
    q = evaluate(" + ".join(f'between(1, 2, name="t{i}")' for i in range(20)))
    with pytest.raises(fc.InputError, match="GiB"):
        q.summary(n=10_000_000)


# ---- fuzz: any text is a quantity or one FlopcastError (issue 14) ---------------------------

_PIECES = [
    "1",
    "0",
    "2.5",
    "1e308",
    "1e-308",
    "1e300",
    "140k",
    "20%",
    "-",
    "+",
    "*",
    "/",
    "^",
    "**",
    "(",
    ")",
    ",",
    " to ",
    "hour",
    "pflops_day",
    "ci(",
    "mix(",
    "between(",
    "at_most(",
    "point(",
    "normal(",
    "level=",
    "name=",
    '"x"',
    "@ref",
    "zz",
    "=",
    "9" * 40,
    "1e-20",
    "0.0",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=40))
@settings(max_examples=400, deadline=None)
def test_fuzz_expressions_never_raise_anything_but_flopcast_errors(pieces):
    text = "".join(pieces)
    try:
        q = evaluate(text)
        q.percentile([5, 50, 95], n=200)
        q.mean(n=200)
    except fc.FlopcastError as exc:
        assert str(exc).splitlines()[0]  # one line first: what was wrong
