"""flopcast.evidence.checks: every bad record is one problem with its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from flopcast.evidence import checks, dataset

BAD = Path(__file__).parent / "data" / "bad-evidence"


@pytest.fixture(scope="module")
def problems():
    return {Path(p.path).name: p for p in dataset.validate([BAD]) if p.path}


@pytest.mark.parametrize(
    "name, line, field, words",
    [
        ("unknown-recipe.yaml", 7, "rl.lines[0]", "unknown recipe 'deepseek-r2-zero'"),
        ("supersession-cycle.yaml", 10, "rl.lines[0].supersedes", "supersession cycle: 'A'"),
        ("above-bound.yaml", 8, "rl.lines[0]", "above the physics bound 3.56e+21"),
        ("negative.yaml", 6, "rl.lines[0]", "compute must be a positive number"),
        ("overconfident.yaml", 7, "rl.lines[0].confidence", "label it Speculative"),
    ],
)
def test_each_problem_is_one_line(problems, name, line, field, words):
    p = problems[name]
    assert (p.line, p.field) == (line, field)
    assert words in p.message and "\n" not in str(p)


def test_one_problem_per_bad_file():
    assert len(dataset.validate([BAD])) == 5  # 1e22 over 1,000 H800-hours is 281% of peak


def test_shipped_data_has_no_cycles_and_no_problems():
    ds = dataset.load()
    problems, cyclic = checks.find_cycles(ds)
    assert problems == [] and cyclic == set()
    assert checks.evaluate_all(ds) == []
