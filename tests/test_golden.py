"""Golden JSON outputs of the main commands on the shipped data.

The files under tests/golden/ were written by tests/golden/generate.sh before the package
layout changed (issue 9); a refactor must leave every value in them unchanged. New keys may
appear (the one summary shape adds ``mean``/``p25``/``p75`` where a producer had fewer), so the
comparison is "every golden value is present and equal". A change that is meant to move a
number regenerates them with that script and says why in its commit.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flopcast.cli import app

GOLDEN = Path(__file__).parent / "golden"
SRC = str(Path(__file__).resolve().parents[1] / "src")


def _commands() -> list[tuple[str, list[str]]]:
    cases = []
    for line in (GOLDEN / "generate.sh").read_text().splitlines():
        if line.startswith("flopcast "):
            argv, target = line.split(" > ")
            name = target.strip().strip('"').split("/")[-1]
            cases.append((name, shlex.split(argv)[1:]))
    return cases


def _normalise(obj: object) -> object:
    """Absolute paths differ between clones; keep what follows the repository root."""
    if isinstance(obj, dict):
        return {k: _normalise(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_normalise(v) for v in obj]
    if isinstance(obj, str) and "/src/flopcast/" in obj:
        return "src/flopcast/" + obj.split("/src/flopcast/", 1)[1]
    return obj


def test_generate_script_names_eight_outputs() -> None:
    assert len(_commands()) == 8


@pytest.mark.parametrize(("name", "argv"), _commands(), ids=[c[0] for c in _commands()])
def test_json_output_matches_golden(name: str, argv: list[str]) -> None:
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    expected = json.loads((GOLDEN / name).read_text())
    _assert_contains(_normalise(json.loads(result.stdout)), _normalise(expected), name)


def _assert_contains(got: object, want: object, where: str) -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict), where
        for k, v in want.items():
            assert k in got, f"{where}.{k} is missing"
            _assert_contains(got[k], v, f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _assert_contains(g, w, f"{where}[{i}]")
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


def test_contains_refuses_a_changed_value() -> None:
    with pytest.raises(AssertionError):
        _assert_contains({"a": {"b": 1.0, "c": 2}}, {"a": {"b": 1.5}}, "x")
    _assert_contains({"a": {"b": 1.0, "c": 2}}, {"a": {"b": 1.0}}, "x")
