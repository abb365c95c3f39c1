"""The shared fit machinery: errors in x (orthogonal distance regression) and input checks."""

from __future__ import annotations

import numpy as np
import pytest

from flopcast.core.errors import InputError
from flopcast.forecast.fitbase import check_xy
from flopcast.forecast.fitmodels import LogLinearFit


def test_errors_in_x_undo_the_attenuation_of_least_squares():
    # truth: score = 10 + 8 x over x in [22, 26] (var 4/3); x read with sd 0.6. Least squares
    # shrinks the slope by var(x) / (var(x) + 0.36) = 1.333 / 1.693 = 0.79 -> ~6.3; ODR with the
    # stated x error recovers ~8
    rng = np.random.default_rng(3)
    x_true = rng.uniform(22, 26, 400)
    y = 10 + 8 * x_true + rng.normal(0, 0.5, 400)
    x_read = x_true + rng.normal(0, 0.6, 400)
    ols = LogLinearFit(n_boot=0).fit(10**x_read, y)
    odr = LogLinearFit(n_boot=0).fit(10**x_read, y, sx=0.6)
    assert ols.slope_ == pytest.approx(8 * 1.3333 / 1.6933, abs=0.4)
    assert odr.slope_ == pytest.approx(8.0, abs=0.4)


def test_check_xy_messages():
    x, y = check_xy([1e22, 1e23, 1e24], [1, 2, 3], 3, "linear")
    assert x.tolist() == [22.0, 23.0, 24.0]
    with pytest.raises(InputError, match="the linear fit has 2 parameters, so it needs at least 3"):
        check_xy([1e22, 1e23], [1, 2], 3, "linear")
    with pytest.raises(InputError, match="positive and finite FLOP"):
        check_xy([1e22, -1, 1e24], [1, 2, 3], 3)
    with pytest.raises(InputError, match="errors in x"):
        LogLinearFit(n_boot=0).fit([1e22, 1e23, 1e24], [1, 2, 3], sx=-1.0)
