"""``flopcast calibrate`` through the CLI runner: output, JSON, plot and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flopcast.cli import app

FIXTURE = Path(__file__).parent / "data" / "epoch" / "notable_ai_models_fixture.csv"
runner = CliRunner()


def test_calibrate_fixture_prints_coverage_and_breakdowns():
    res = runner.invoke(app, ["calibrate", str(FIXTURE)])
    assert res.exit_code == 0, res.output
    assert "11 rows compared, 1 skipped" in res.output
    assert "by precision" in res.output and "by year" in res.output
    assert "PIT histogram" in res.output


def test_calibrate_json_and_plot(tmp_path: Path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "pit.png"
    res = runner.invoke(app, ["calibrate", str(FIXTURE), "--json", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["summary"]["compared"] == 11
    assert out["basis"] == "epoch" and out["plot"] == str(png)
    assert png.stat().st_size > 0


def test_calibrate_without_file_uses_shipped_records():
    res = runner.invoke(app, ["calibrate", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["source"] == "shipped records"


def test_bad_input_is_one_line_exit_1(tmp_path: Path):
    res = runner.invoke(app, ["calibrate", str(tmp_path / "missing.csv")])
    assert res.exit_code == 1 and res.output.startswith("error: ")
    res = runner.invoke(app, ["calibrate", str(FIXTURE), "--basis", "x"])
    assert res.exit_code == 1
    assert "unknown basis 'x'; allowed: epoch, prior" in res.output
    assert "Traceback" not in res.output


def test_crossval_without_independent_rows_is_one_line_and_exit_1():
    # the fixture has no "Training compute estimation method" column: no independent rows
    res = runner.invoke(app, ["calibrate", str(FIXTURE), "--basis", "crossval"])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "error: basis crossval needs more independent rows (operation counting or reported) "
        "than precision groups; this file has 0"
    ]


def test_shipped_records_are_scored_without_a_file():
    res = runner.invoke(app, ["calibrate", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["summary"]["compared"] == len(out["rows"]) >= 10
    assert any("recipe deepseek-r1-zero" in r["model"] for r in out["rows"])
