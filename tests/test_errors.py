"""The error hierarchy: builtin bases, one-line messages that say where."""

from __future__ import annotations

import pytest
import yaml

from flopcast.core import errors


def test_each_error_is_a_flopcast_error_and_the_builtin_users_expect():
    assert issubclass(errors.InputError, ValueError)
    assert issubclass(errors.ExpressionError, errors.InputError)
    assert issubclass(errors.DataError, ValueError)
    assert issubclass(errors.ConfigError, errors.DataError)
    assert issubclass(errors.ScenarioError, errors.DataError)
    assert issubclass(errors.UnknownNameError, KeyError)
    for cls in (errors.InputError, errors.DataError, errors.UnknownNameError):
        assert issubclass(cls, errors.FlopcastError)


def test_expression_error_draws_a_caret_under_the_position():
    err = errors.ExpressionError("unexpected '*'", "140k * * 3", 7)
    assert str(err) == "unexpected '*'\n  140k * * 3\n         ^"  # 2 + 7 spaces, then ^
    assert err.message == "unexpected '*'" and err.position == 7
    assert str(errors.ExpressionError("plain")) == "plain"


def test_a_long_expression_is_shown_as_a_window_around_the_caret():
    text = "1 + " * 100 + "x" + " + 1" * 100  # 801 characters, the bad token at 400
    lines = str(errors.ExpressionError("unknown name 'x'", text, 400)).splitlines()
    assert lines[1] == "  ..." + text[340:460] + "..."  # 60 characters either side
    assert lines[2] == "  " + " " * (3 + 60) + "^"  # under the x, after "..."


def test_unknown_name_error_is_unquoted_with_suggestions():
    err = errors.UnknownNameError("chip", "H10", ["H100", "H200"])
    assert str(err) == "unknown chip 'H10'; did you mean 'H100', 'H200'?"
    assert str(errors.UnknownNameError("model", "x")) == "unknown model 'x'"


@pytest.mark.parametrize(
    "kwargs, text",
    [
        ({"path": "r.yaml", "line": 3, "field": "rl.date"}, "r.yaml:3: rl.date: bad date"),
        ({"path": "r.yaml"}, "r.yaml: bad date"),
        ({"field": "date"}, "date: bad date"),
        ({}, "bad date"),
    ],
)
def test_data_error_says_where(kwargs, text):
    err = errors.DataError("bad date", **kwargs)
    assert str(err) == text


def test_yaml_error_is_one_line_with_the_line():
    with pytest.raises(yaml.YAMLError) as info:
        yaml.safe_load("a: [1\nb: 2\n")
    err = errors.yaml_error(info.value, "x.yaml", errors.ScenarioError)
    assert isinstance(err, errors.ScenarioError)
    assert str(err).startswith("x.yaml:")
    assert "not valid YAML" in str(err) and "\n" not in str(err)
