"""The registered curves: each recovers its known parameters from synthetic within-run curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flopcast.core.errors import InputError
from flopcast.forecast.fitcurves import read_curve
from flopcast.forecast.fitmodels import LogisticFit, LogLinearFit, SaturatingFit

DATA = Path(__file__).parent / "data" / "fit"


def test_saturating_curve_by_hand():
    f = SaturatingFit(n_boot=0)
    # R0 10, A 70, B 1.5, x_mid 22.5: at C_mid the score is halfway, (10 + 70) / 2 = 40
    params = np.array([70.0, 1.5, 22.5, 10.0])
    assert f._curve(params, 22.5) == pytest.approx(40.0)
    # one decade above: 10 + 60 / (1 + 10^-1.5) = 10 + 60 / 1.0316 = 68.16
    assert f._curve(params, 23.5) == pytest.approx(10 + 60 / (1 + 10**-1.5))
    assert f._inverse_curve(params[None, :], 40.0)[0] == pytest.approx(22.5)


def test_saturating_recovers_known_parameters_from_a_within_run_curve():
    c = read_curve(DATA / "within_run_saturating.yaml")  # truth: A 70, B 1.5, x_mid 22.5, R0 10
    f = SaturatingFit(seed=0).fit(c.flop, c.score)
    for name, truth in (("A", 70.0), ("B", 1.5), ("x_mid", 22.5), ("R0", 10.0)):
        lo, hi = f.interval(name, 0.99)
        assert lo < truth < hi, (name, lo, hi)
    assert f.A_ == pytest.approx(70, abs=1.5) and f.B_ == pytest.approx(1.5, abs=0.1)


def test_log_linear_recovers_known_slope_with_errors_in_x():
    c = read_curve(DATA / "within_run_loglinear.yaml")  # truth: -160 + 8 log10(C)
    f = LogLinearFit(seed=0).fit(c.flop, c.score, sx=c.sx)
    lo, hi = f.interval("slope", 0.99)
    assert lo < 8.0 < hi
    assert f.to_dict()["errors_in_x"] is True


def test_fewer_points_than_parameters_is_one_clear_error():
    with pytest.raises(InputError, match="saturating fit has 4 parameters, so it needs at least 5"):
        SaturatingFit().fit([1e22, 1e23, 1e24], [10, 20, 30])
    with pytest.raises(InputError, match="linear fit has 2 parameters"):
        LogLinearFit().fit([1e22, 1e23], [10, 20])


def test_fixed_r0_drops_a_parameter():
    f = SaturatingFit(10.0, n_boot=0)
    assert f.param_names == ("A", "B", "x_mid")
    assert LogisticFit(0, 100).param_names == ("k", "x0")  # floor and ceiling fixed too


def test_a_ceiling_bounds_the_saturating_asymptote():
    # a curve still rising steeply at its last point: unbounded, the asymptote lands above 100
    x = np.linspace(20.0, 22.0, 25)
    y = 10 + 110 / (1 + 10 ** (0.8 * (22.5 - x)))  # true A = 120 > 100, R0 = 10
    free = SaturatingFit(n_boot=0).fit(10**x, y)
    assert free.params["A"] > 100
    bounded = SaturatingFit(ceiling=100, n_boot=0).fit(10**x, y)
    assert bounded.params["A"] <= 100 + 1e-9
    # with errors in x (the ODR path) the bound holds too, by refitting with A at the bound
    sx = np.full_like(x, 0.01)
    with_x = SaturatingFit(ceiling=100, n_boot=20).fit(10**x, y, sx=sx)
    assert with_x.params["A"] == pytest.approx(100)
    assert np.all(with_x.boot_params_[:, 0] <= 100 + 1e-9)
