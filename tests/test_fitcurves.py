"""Within-run curve files: chart reading on linear and log axes, steps to FLOP, errors in x."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from flopcast.core.errors import DataError, InputError
from flopcast.forecast.fitcurves import read_curve

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
