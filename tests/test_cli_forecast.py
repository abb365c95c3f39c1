"""``flopcast forecast | sensitivity | fit | backtest`` through the CLI runner."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pytest

from flopcast.cli import app
from flopcast.cli.forecast import parse_sets
from flopcast.forecast.fitcurves import read_curve

DATA = Path(__file__).parent / "data" / "fit"


def _ok(result):
    assert result.exit_code == 0, result.output
    return result


def _one_line_error(result, *words):
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    for w in words:
        assert w in lines[0]


def test_forecast_json(runner):
    r = _ok(runner.invoke(app, ["forecast", "--json", "--samples", "5000", "--seed", "3"]))
    d = json.loads(r.stdout)
    assert set(d["meeting_date"]) == {"median", "p5", "p25", "p75", "p95"}
    dates = [
        dt.date.fromisoformat(d["meeting_date"][k]) for k in ("p5", "p25", "median", "p75", "p95")
    ]
    assert dates == sorted(dates)
    assert {"median", "p5", "p95", "lo", "hi", "unit"} <= set(d["headroom_oom"])  # summary shape
    assert d["scenario"] == "seed-analysis" and d["seed"] == 3 and d["samples"] == 5000
    assert "bands" not in d


def test_forecast_text_and_overrides(runner):
    r = _ok(
        runner.invoke(
            app,
            [
                "forecast",
                "--samples",
                "2000",
                "--set",
                "growth.months_per_10x=3 to 5",
                "--set",
                "cap.share=0.5",
            ],
        )
    )
    assert "90% interval" in r.stdout and "Headroom at the start" in r.stdout
    assert "override cap.share = 0.5" in r.stdout


def test_forecast_bands_in_json(runner):
    r = _ok(
        runner.invoke(app, ["forecast", "--json", "--samples", "1000", "--bands", "--years", "2"])
    )
    b = json.loads(r.stdout)["bands"]
    assert len(b["t"]) == 25 and set(b["reasoning"]) == {"5", "25", "50", "75", "95"}


def test_forecast_scenario_file(runner, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: mine\nparameters:\n  growth.months_per_10x:\n    value: '6'\n    source: my guess\n"
    )
    r = _ok(runner.invoke(app, ["forecast", "--scenario", str(path), "--json", "--samples", "500"]))
    assert json.loads(r.stdout)["scenario"] == "mine"


@pytest.mark.parametrize(
    "args, words",
    [
        (["--set", "growth.speed=3"], ["unknown parameter 'growth.speed'", "allowed:"]),
        (["--set", "growth.months_per_10x=-3"], ["negative or zero growth"]),
        (["--set", "evidence.as_of=2024-01-01"], ["after evidence.as_of"]),
        (["--set", "cap.share=0.001"], ["below reasoning.start_flop"]),
        (["--set", "growth.months_per_10x"], ["--set expects KEY=VALUE"]),
        (["--scenario", "seed-analisys"], ["unknown scenario", "seed-analysis"]),
        (["--set", "growth.months_per_10x=3 to"], ["growth.months_per_10x", "cannot evaluate"]),
    ],
)
def test_forecast_bad_input_is_one_line(runner, args, words):
    _one_line_error(runner.invoke(app, ["forecast", "--samples", "500", *args]), *words)


def test_sensitivity_json_and_text(runner):
    r = _ok(runner.invoke(app, ["sensitivity", "--json", "--samples", "2000"]))
    rows = {row["parameter"]: row for row in json.loads(r.stdout)["parameters"]}
    assert rows["cap.share"]["swing_years"] == 0 and rows["cap.share"]["variance_share"] == 0
    r = _ok(runner.invoke(app, ["sensitivity", "--samples", "2000"]))
    assert "growth.months_per_10x" in r.stdout and "fixed" in r.stdout


def test_fit_csv_json(runner):
    r = _ok(
        runner.invoke(
            app,
            [
                "fit",
                str(DATA / "synthetic_logistic.csv"),
                "--x",
                "rl_flop",
                "--y",
                "accuracy",
                "--model",
                "logistic",
                "--json",
                "--bootstrap",
                "50",
                "--target",
                "50",
                "--compare",
            ],
        )
    )
    d = json.loads(r.stdout)
    assert d["model"] == "logistic" and set(d["params"]) == {"k", "x0", "floor", "ceiling"}
    assert abs(d["params"]["x0"]["value"] - 24) < 0.3  # generated with x0 = 24
    lo, hi = d["target"]["interval"]
    assert lo < d["target"]["compute"] < hi
    assert {row["model"] for row in d["comparison"]} == {"linear", "logistic"}


def test_fit_text(runner):
    r = _ok(
        runner.invoke(
            app,
            [
                "fit",
                str(DATA / "synthetic_logistic.csv"),
                "--x",
                "rl_flop",
                "--y",
                "accuracy",
                "--bootstrap",
                "20",
            ],
        )
    )
    assert r.stdout.startswith("linear fit of") and "slope" in r.stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (["--x", "flop", "--y", "accuracy"], ["no column 'flop'"]),
        (["--x", "rl_flop", "--y", "accuracy", "--model", "cubic"], ["unknown fit model 'cubic'"]),
    ],
)
def test_fit_bad_input_is_one_line(runner, args, words):
    _one_line_error(
        runner.invoke(app, ["fit", str(DATA / "synthetic_logistic.csv"), *args]), *words
    )


def test_fit_needs_data(runner):
    _one_line_error(runner.invoke(app, ["fit", "--x", "a"]), "--benchmark")
    _one_line_error(
        runner.invoke(
            app, ["fit", str(DATA / "bad_cell.csv"), "--x", "rl_flop", "--y", "accuracy"]
        ),
        "bad_cell.csv:3",
    )


def test_backtest_bad_date_is_one_line(runner):
    _one_line_error(runner.invoke(app, ["backtest", "--as-of", "last year"]), "not an ISO date")


def test_parse_sets():
    assert parse_sets(['a.b="3 to 5"', "c=1"]) == {"a.b": "3 to 5", "c": "1"}
    assert parse_sets(None) == {}


def test_forecast_leads_with_the_as_of_status(runner):
    r = _ok(runner.invoke(app, ["forecast"]))
    lines = r.stdout.splitlines()
    assert lines[0].startswith("As of ") and "newest record" in lines[0]
    assert (
        re.search(r"closest record [a-z0-9-]+ \(20", lines[1]) and "P(met)" in lines[1]
    )  # its record
    assert any(ln.startswith("Method: closed form") for ln in lines)
    d = json.loads(_ok(runner.invoke(app, ["forecast", "--json"])).stdout)
    closest = d["status"]["closest"]["id"]  # the JSON names the record the text names
    assert f"closest record {closest} (" in lines[1] and d["method"]["used"] == "exact"


def test_forecast_method_is_chosen_and_shown(runner):
    mc = _ok(runner.invoke(app, ["forecast", "--method", "mc", "-n", "2000"]))
    assert "Method: Monte Carlo, 2,000 draws" in mc.stdout
    _one_line_error(
        runner.invoke(app, ["forecast", "--method", "exact", "--set", "transition.width_oom=0.2"]),
        "no closed form for this scenario",
        "transition.width_oom",
    )


def test_budget_cap_works_with_shipped_defaults(runner):
    _ok(runner.invoke(app, ["forecast", "--set", "cap.kind=budget", "-n", "2000"]))


def test_a_cap_never_met_is_one_line(runner):
    args = ["forecast", "--set", "frontier.growth_per_year=1e6", "--set", "growth.months_per_10x=4"]
    _one_line_error(runner.invoke(app, args), "never meets it")


def test_backtest_prints_scores_and_coverage(runner):
    r = _ok(runner.invoke(app, ["backtest", "--as-of", "2025-05-13", "-n", "4000"]))
    out = r.stdout
    assert out.startswith("Backtest of seed-analysis as of 2025-05-13")
    for words in ("log score", "CRPS", "coverage 50%", "90%", "meeting observed by"):
        assert words in out


def test_backtest_before_any_evidence_is_one_line(runner):
    _one_line_error(
        runner.invoke(app, ["backtest", "--as-of", "2012-01-01"]), "no evidence on or before"
    )
    # before 2010 (or after 2100) the date itself is refused
    _one_line_error(runner.invoke(app, ["backtest", "--as-of", "2000-01-01"]), "outside the range")


@pytest.mark.parametrize(
    "override",
    ["reasoning.start_date=9999-12-31", "frontier.date=2009-12-31", "evidence.as_of=2101-01-01"],
)
def test_dates_outside_the_sane_range_are_one_line(runner, override):
    _one_line_error(
        runner.invoke(app, ["forecast", "--set", override]),
        "is outside the range a forecast covers (2010-01-01 to 2100-12-31)",
    )


def test_an_overflowing_interval_is_one_line(runner):
    _one_line_error(
        runner.invoke(app, ["forecast", "--set", "growth.months_per_10x=(1 to 2) * 1e308"]),
        "too large",  # core refuses numbers beyond 1e300 before any arithmetic
    )


def test_an_absurd_frontier_warns_in_one_line(runner):
    r = runner.invoke(app, ["forecast", "--set", "frontier.flop=1e250", "--json"])
    assert r.exit_code == 0
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("warning: frontier.flop = 1e250 FLOP")
    # 1e250 is ~224 OOM above the records' frontier: the meeting lands after 2100 and says so
    assert "after 2100-12-31" in lines[0]
    assert json.loads(r.stdout)["warnings"][1].startswith("the median meeting date 21")


def test_fit_within_run_curve(runner):
    r = _ok(
        runner.invoke(
            app, ["fit", "--curve", str(DATA / "within_run_saturating.yaml"), "--bootstrap", "40"]
        )
    )
    out = r.stdout
    assert out.startswith("Within-run fit of synthetic-saturating")
    assert "points per 10x RL compute" in out and "saturating (ScaleRL)" in out
    assert "preferred by held-out error: saturating" in out
    d = json.loads(
        _ok(
            runner.invoke(
                app,
                [
                    "fit",
                    "--curve",
                    str(DATA / "within_run_loglinear.yaml"),
                    "--json",
                    "--bootstrap",
                    "40",
                ],
            )
        ).stdout
    )
    lo, hi = d["slope_per_10x"]["interval"]
    assert d["within_run"] is True and lo < 8.0 < hi  # the synthetic truth: 8 points per 10x


def test_fit_on_the_shipped_r1_zero_curve(runner):
    d = json.loads(
        _ok(
            runner.invoke(
                app, ["fit", "--curve", "deepseek-r1-zero-aime", "--json", "--bootstrap", "60"]
            )
        ).stdout
    )
    assert d["points"] == 35 and d["within_run"] is True and d["benchmark"] == "AIME 2024"
    # x is cumulative RL compute (responses grow ~500 -> ~9,500 tokens): 3.6e19 FLOP at step
    # 200 to 1.07e22 at step 8,400 is 2.47 decades for 15.6% -> 71.0%, 22.4 points per 10x
    # end to end; the fitted slope and its interval sit near that
    c = read_curve("deepseek-r1-zero-aime")
    end_to_end = (c.score[-1] - c.score[0]) / math.log10(c.flop[-1] / c.flop[0])
    slope, (lo, hi) = d["slope_per_10x"]["value"], d["slope_per_10x"]["interval"]
    assert lo < slope < hi and abs(slope - end_to_end) < 4
    assert {r["model"] for r in d["comparison"]} == {"linear", "saturating"}
    assert d["saturating"]["params"]["A"]["interval"][1] <= 100  # max_score bounds the asymptote


def test_fit_fewer_points_than_parameters_is_one_line(runner, tmp_path):
    f = tmp_path / "few.csv"
    f.write_text("c,s\n1e22,10\n1e23,20\n")
    _one_line_error(
        runner.invoke(app, ["fit", str(f), "--x", "c", "--y", "s"]),
        "linear fit has 2 parameters",
    )


def test_fit_across_models_is_labelled_exploratory(runner):
    r = runner.invoke(app, ["fit", "--benchmark", "AIME 2024", "--bootstrap", "20"])
    if r.exit_code == 0:
        assert "EXPLORATORY" in r.stdout
