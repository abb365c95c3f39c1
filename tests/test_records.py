"""flopcast.evidence.records: the record schema and reading one file with its lines."""

from __future__ import annotations

import pytest

from flopcast.evidence import records
from flopcast.evidence.records import Evidence, Line

SRC = [{"url": "https://example.org/a", "title": "t", "states": "s", "accessed": "2026-01-01"}]


def test_a_line_gives_exactly_one_of_estimate_method_recipe():
    with pytest.raises(ValueError, match="exactly one of"):
        Line(estimate="1", recipe="deepseek-r1", confidence="Likely", sources=SRC)
    with pytest.raises(ValueError, match="exactly one of"):
        Line(confidence="Likely", sources=SRC)


def test_a_recipe_line_is_a_count():
    line = Line(recipe="deepseek-r1-zero", confidence="Likely", sources=SRC)
    assert line.recipe == ["deepseek-r1-zero"] and line.kind == "count"
    assert line.expression() == "recipe(deepseek-r1-zero)" and line.references() == []
    with pytest.raises(ValueError, match="kind 'count'"):
        Line(recipe="deepseek-r1-zero", kind="outside", confidence="Likely", sources=SRC)


def test_shorthand_keeps_the_hardware_on_the_quantity():
    ev = Evidence.model_validate(
        {
            "estimate": "1e22",
            "confidence": "Likely",
            "sources": SRC,
            "hardware": {"chip": "H800", "chip_hours": 1000, "sources": SRC},
        }
    )
    assert ev.hardware is not None and ev.hardware.chip_hours == "1000"
    assert len(ev.lines) == 1


def test_parse_record_reports_every_problem_with_its_line():
    text = (
        "id: Bad_Id\nname: x\ndeveloper: y\nrelease_date: 2025-13-01\n"
        "rl:\n  estimate: 1e22\n  confidence: Sure\n  sources: []\n"
    )
    with pytest.raises(records.Problems) as err:
        records.parse_record(text, "bad.yaml")
    where = {(e.field, e.line) for e in err.value.errors}
    assert ("id", 1) in where and ("release_date", 4) in where
    assert ("rl.lines[0].confidence", 7) in where and ("rl.lines[0].sources", 8) in where


def test_a_record_built_in_code_is_validated():
    rec = records.validate_record(
        {"id": "x", "name": "X", "developer": "Y", "release_date": "2025-01-01"}
    )
    assert rec.id == "x" and rec.path == "<built>"
    with pytest.raises(records.Problems):
        records.validate_record({"id": "x"})


def test_line_of_finds_a_shorthand_lines_keys():
    rec = records.parse_record(
        "id: x\nname: X\ndeveloper: Y\nrelease_date: 2025-01-01\n"
        "rl:\n  label: a\n  estimate: 1e22\n  confidence: Likely\n"
        "  sources: [{url: 'https://example.org/a', title: t, states: s, accessed: 2026-01-01}]\n",
        "x.yaml",
    )
    assert rec.line_of("rl", "lines", 0, "estimate") == 7  # the shorthand's `estimate:` line
    assert rec.line_of("rl") == 5
