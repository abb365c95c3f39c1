"""Within-run curve files: chart reading on linear and log axes, steps to FLOP, errors in x."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from flopcast.core.errors import DataError, InputError
from flopcast.forecast.fitcurves import fit_within_run, read_curve

DATA = Path(__file__).parent / "data" / "fit"


def test_pixels_become_steps_flop_and_errors_in_x():
    c = read_curve(DATA / "within_run_loglinear.yaml")
    # x axis: 100 px = step 0, 900 px = step 10,000 -> 12.5 steps per pixel; the first point is
    # step 500 at 1e18 FLOP per step = 5e20 FLOP
    assert c.flop[0] == pytest.approx(5e20, rel=1e-3)
    # a 2 px (90%) reading error = 25 steps; sd in log10 = 25 / 1.645 / (500 ln 10)
    assert c.sx[0] == pytest.approx(25 / 1.6448536 / (500 * math.log(10)), rel=1e-3)
    assert c.flop_per_step == 1e18 and len(c.score) == 20


def test_points_as_numbers_have_no_errors_in_x():
    c = read_curve(DATA / "within_run_saturating.yaml")
    assert np.all(c.sx == 0) and c.flop[0] == pytest.approx(200 * 1e19)


def test_log_axis_reading(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(
        "name: c\nbenchmark: b\nsetting: s\nx: flop\n"
        "source: {url: 'https://example.org/x'}\n"
        "axes: {x: {ticks: [[0, 1.0e22], [100, 1.0e24]], scale: log}, y: {ticks: [[0, 0], [100, 100]]}}\n"
        "points: [{px: [50, 30]}, {px: [75, 40]}]\n"
    )
    c = read_curve(f)
    # 50 px per decade: 50 px -> 1e23, 75 px -> 10^23.5
    assert c.flop == pytest.approx([1e23, 10**23.5])
    assert c.score == pytest.approx([30, 40])


def test_bad_curve_files_are_one_line(tmp_path):
    with pytest.raises(InputError, match="no curve file"):
        read_curve("no-such-curve")
    f = tmp_path / "c.yaml"
    f.write_text(
        "name: c\nbenchmark: b\nsetting: s\nx: steps\nsource: {url: u}\npoints: [{steps: 1, score: 2}]\n"
    )
    with pytest.raises(DataError, match="give run"):
        read_curve(f)


def test_the_shipped_r1_zero_curve_reproduces_the_papers_stated_ends():
    c = read_curve("deepseek-r1-zero-aime")
    assert len(c.score) == 35 and c.max_score == 100
    # x: 1,031 px per 2,000 steps from 474 px (step 0); the first marker at 577 px is step 200,
    # the last at 4,804 px is step 8,400
    steps = c.steps
    assert steps is not None
    assert steps[0] == pytest.approx(200, abs=2) and steps[-1] == pytest.approx(8400, abs=2)
    # y: 354.7 px per 0.1; the paper's text gives the ends, "from an initial 15.6% to ... 71.0%"
    assert c.score[0] == pytest.approx(15.6, abs=0.15)
    assert c.score[-1] == pytest.approx(71.0, abs=0.15)
    assert np.all(np.diff(steps) > 0)  # one point per evaluated step, in order


def _profile_curve(tmp_path: Path, profile_points: str) -> Path:
    f = tmp_path / "p.yaml"
    f.write_text(
        "name: p\nbenchmark: b\nsetting: s\nx: steps\nrun: deepseek-r1-zero\n"
        "source: {url: 'https://example.org/x'}\n"
        "cost_profile:\n  source: {url: 'https://example.org/len'}\n"
        f"  points: {profile_points}\n"
        "points: [{steps: 50, score: 10}, {steps: 100, score: 20}]\n"
    )
    return f


def test_a_cost_profile_makes_x_the_cumulative_compute_of_the_recipes_steps(tmp_path):
    from flopcast.accounting import rl
    from flopcast.accounting.architecture import from_config
    from flopcast.accounting.step import step_flop

    recipe = rl.load_recipe("deepseek-r1-zero")
    st = recipe.stages[0]
    model = from_config(recipe.architecture)
    prompt = float(st.prompt_length.median())

    def per_step(length: float) -> float:
        return sum(float(v) for v in step_flop(model, prompt, length, st).values())

    # constant 1,000-token responses: C(s) = s x f(1000)
    c = read_curve(
        _profile_curve(tmp_path, "[{steps: 0, length: 1000}, {steps: 100, length: 1000}]")
    )
    assert c.flop == pytest.approx([50 * per_step(1000), 100 * per_step(1000)], rel=1e-9)
    # responses growing 1,000 -> 3,000 over 100 steps: trapezoids on steps 0, 50, 100
    c = read_curve(
        _profile_curve(tmp_path, "[{steps: 0, length: 1000}, {steps: 100, length: 3000}]")
    )
    f0, f50, f100 = per_step(1000), per_step(2000), per_step(3000)
    assert c.flop[0] == pytest.approx(50 * (f0 + f50) / 2, rel=1e-9)
    assert c.flop[1] == pytest.approx(50 * (f0 + f50) / 2 + 50 * (f50 + f100) / 2, rel=1e-9)
    # later steps cost more, so the second half of the steps holds more than half the compute
    assert c.flop[1] > 2 * c.flop[0]


def test_a_cost_profile_needs_a_run(tmp_path):
    f = _profile_curve(tmp_path, "[{steps: 0, length: 1000}, {steps: 100, length: 1000}]")
    f.write_text(f.read_text().replace("run: deepseek-r1-zero\n", "flop_per_step: 1.0e+18\n"))
    with pytest.raises(DataError, match="cost_profile needs run"):
        read_curve(f)


def test_bad_cost_profiles_and_scores_above_the_maximum_are_one_line(tmp_path):
    f = _profile_curve(tmp_path, "[{steps: 0, length: 1000}, {steps: 100, length: -5}]")
    with pytest.raises(DataError, match="lengths must be positive"):
        read_curve(f)
    f = _profile_curve(tmp_path, "[{steps: 0, length: 1000}]")
    with pytest.raises(DataError, match="at least two points"):
        read_curve(f)
    f = _profile_curve(tmp_path, "[{px: [1, 2]}, {px: [3, 4]}]")
    with pytest.raises(DataError, match="axes.x is not calibrated"):
        read_curve(f)
    f = _profile_curve(tmp_path, "[{steps: 0, length: 1000}, {steps: 100, length: 1000}]")
    f.write_text(f.read_text().replace("x: steps\n", "x: steps\nmax_score: 15\n"))
    with pytest.raises(DataError, match="above max_score"):
        read_curve(f)


def test_a_curve_with_too_many_points_is_one_line(tmp_path):
    from flopcast.forecast.fitcurves import MAX_POINTS

    f = tmp_path / "big.yaml"
    pts = ", ".join(f"{{steps: {i + 1}, score: 1}}" for i in range(MAX_POINTS + 1))
    f.write_text(
        "name: c\nbenchmark: b\nsetting: s\nx: steps\nflop_per_step: 1.0e+18\n"
        f"source: {{url: 'https://example.org/x'}}\npoints: [{pts}]\n"
    )
    with pytest.raises(DataError, match="points"):
        read_curve(f)


def test_fit_within_run_recovers_the_synthetic_slope_and_compares_both_forms():
    from flopcast.forecast.fitcurves import fit_within_run

    out = fit_within_run(DATA / "within_run_loglinear.yaml", n_boot=40, seed=0)
    lo, hi = out["slope_per_10x"]["interval"]
    assert lo < 8.0 < hi  # make_within_run.py's truth: 8 points per 10x
    assert {r["model"] for r in out["comparison"]} == {"linear", "saturating"}
    assert out["within_run"] and out["points"] == 20
    quick = fit_within_run(
        DATA / "within_run_loglinear.yaml", n_boot=40, seed=0, saturating_intervals=False
    )
    assert quick["saturating"]["n_boot"] == 0 and quick["slope_per_10x"] == out["slope_per_10x"]


def test_a_curve_listed_out_of_order_is_the_same_curve(tmp_path):
    """Points may come in any order: they are read by step, so the compute range runs from the
    smallest to the largest and the fit is the fit of the ordered file."""
    import yaml

    doc = yaml.safe_load((DATA / "within_run_saturating.yaml").read_text())
    doc["points"] = doc["points"][::-1]
    f = tmp_path / "shuffled.yaml"
    f.write_text(yaml.safe_dump(doc))
    ordered = fit_within_run(DATA / "within_run_saturating.yaml", n_boot=20, seed=0)
    shuffled = fit_within_run(f, n_boot=20, seed=0)
    assert shuffled["compute"] == ordered["compute"] == [200 * 1e19, max(read_curve(f).flop)]
    assert shuffled["slope_per_10x"] == ordered["slope_per_10x"]
