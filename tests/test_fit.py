"""Score-vs-compute fits: recovery, bootstrap coverage, inverse, comparison, projection."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from flopcast.core.errors import DataError, InputError, UnknownNameError
from flopcast.forecast.fit import (
    MODELS,
    LogisticFit,
    LogLinearFit,
    SaturatingFit,
    compare,
    make_fit,
    read_csv,
    register_model,
)

DATA = Path(__file__).parent / "data" / "fit"


def _linear_data(seed, n=40, a=-150.0, b=8.0, sd=2.0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(22, 26, n)
    return 10**x, a + b * x + rng.normal(0, sd, n)


def _logistic_data(seed, n=60, k=2.0, x0=24.0, lo=5.0, hi=90.0, sd=1.5):
    rng = np.random.default_rng(seed)
    x = rng.uniform(21, 27, n)
    return 10**x, lo + (hi - lo) / (1 + np.exp(-k * (x - x0))) + rng.normal(0, sd, n)


def test_linear_exact_on_noiseless_points():
    c = np.array([1e22, 1e23, 1e24])
    f = LogLinearFit(n_boot=0).fit(c, [10, 20, 30])  # +10 points per 10x
    assert f.slope_ == pytest.approx(10.0)
    assert f.intercept_ == pytest.approx(10 - 10 * 22)  # 10 at log10 C = 22
    assert f.predict(1e25) == pytest.approx(40.0)
    assert f.inverse(25) == pytest.approx(10**23.5)


def test_linear_recovers_known_parameters_with_noise():
    c, y = _linear_data(1)
    f = LogLinearFit(seed=0).fit(c, y)
    assert f is not None and isinstance(f, LogLinearFit)  # fit returns the fitted object
    assert f.slope_ == pytest.approx(8.0, abs=0.8)
    lo, hi = f.interval("slope", 0.99)  # the 90% rate is tested over many draws below
    assert lo < 8.0 < hi
    assert f.residual_std_ == pytest.approx(2.0, rel=0.3)


def test_logistic_recovers_known_parameters_with_noise():
    c, y = _logistic_data(3)
    f = LogisticFit(n_boot=50, seed=0).fit(c, y)
    assert f.k_ == pytest.approx(2.0, rel=0.2)
    assert f.x0_ == pytest.approx(24.0, abs=0.15)
    assert f.floor_ == pytest.approx(5.0, abs=2.0)
    assert f.ceiling_ == pytest.approx(90.0, abs=2.0)
    fixed = LogisticFit(floor=5, ceiling=90, n_boot=50).fit(c, y)
    assert fixed.param_names == ("k", "x0") and fixed.floor_ == 5.0
    assert fixed.x0_ == pytest.approx(24.0, abs=0.1)


def test_bootstrap_interval_covers_truth_at_nominal_rate():
    """100 synthetic data sets x 200 residual-bootstrap refits (vectorised) at 90%."""
    hits = 0
    reps = 100
    for rep in range(reps):
        c, y = _linear_data(1000 + rep, n=25)
        lo, hi = LogLinearFit(n_boot=200, seed=rep).fit(c, y).interval("slope", 0.9)
        hits += lo <= 8.0 <= hi
    # binomial sd at p = 0.9, 100 draws: 3 points; the band is about +-2.5 sd
    assert 0.82 <= hits / reps <= 0.97


def test_inverse_and_its_interval():
    c, y = _logistic_data(4)
    f = LogisticFit(floor=0, ceiling=100, n_boot=100, seed=1).fit(c, y)
    need = f.inverse(60)
    assert f.predict(need) == pytest.approx(60)
    lo, hi = f.inverse_interval(60)
    assert lo < need < hi
    with pytest.raises(InputError, match="never reaches a score of 120"):
        f.inverse(120)
    p_lo, p_hi = f.predict_interval([1e23, 1e24, 1e25])
    assert np.all(p_lo <= f.predict([1e23, 1e24, 1e25])) and np.all(
        f.predict([1e23, 1e24, 1e25]) <= p_hi
    )


def test_comparison_prefers_the_true_shape():
    c, y = _logistic_data(5)
    rows = compare(c, y, seed=0)
    assert [r["model"] for r in rows] == ["logistic", "linear"]
    best, other = rows
    assert best["cv_rmse"] < other["cv_rmse"] and best["aic"] < other["aic"]
    # on straight-line data the linear model is not worse on held-out error
    c, y = _linear_data(6)
    rows = {r["model"]: r for r in compare(c, y, seed=0)}
    assert rows["linear"]["cv_rmse"] <= rows["logistic"]["cv_rmse"] * 1.05
    assert rows["linear"]["bic"] < rows["logistic"]["bic"]


def test_csv_file_and_errors():
    c, y = read_csv(DATA / "synthetic_logistic.csv", "rl_flop", "accuracy")
    assert len(c) == 24 and c.min() > 1e21
    f = LogisticFit(n_boot=20).fit(c, y)  # generator: k=2, x0=24 (make_synthetic.py)
    assert f.x0_ == pytest.approx(24.0, abs=0.3)
    with pytest.raises(DataError, match="no column 'flop'"):
        read_csv(DATA / "synthetic_logistic.csv", "flop", "accuracy")
    with pytest.raises(DataError, match=r"bad_cell.csv:3: rl_flop: 'not-a-number' is not a number"):
        read_csv(DATA / "bad_cell.csv", "rl_flop", "accuracy")


def test_bad_inputs():
    with pytest.raises(InputError, match="positive and finite FLOP"):
        LogLinearFit().fit([0, 1e23, 1e24], [1, 2, 3])
    with pytest.raises(InputError, match="at least 3 points"):
        LogLinearFit().fit([1e23, 1e24], [1, 2])
    with pytest.raises(InputError, match="not fitted yet"):
        LogLinearFit().predict(1e24)
    with pytest.raises(InputError, match="floor .* must be below ceiling"):
        LogisticFit(floor=100, ceiling=10)
    with pytest.raises(UnknownNameError, match="did you mean"):
        make_fit("quadratic")


def test_registry_rejects_duplicates():
    assert set(MODELS) >= {"linear", "logistic"}
    with pytest.raises(ValueError, match="already registered"):
        register_model("linear")(LogLinearFit)


def test_projection_over_a_forecast_has_monotone_bands():
    from flopcast.forecast.model import run

    res = run("seed-analysis", n=4000, seed=0)
    c, y = _linear_data(7)
    f = LogLinearFit(seed=0).fit(c, y)
    p = f.project(res, years=2)
    rows = np.array([p["score"][q] for q in (5, 25, 50, 75, 95)])
    assert np.all(np.diff(rows, axis=0) >= -1e-9)
    # median score at the start: the fit at the median start compute, 6e24 -> -150 + 8 * 24.78
    assert p["score"][50][0] == pytest.approx(f.predict(10 ** np.median(res.lines.r0)), abs=1.0)
    assert p["outside"][0] < p["outside"][-1]  # compute leaves the fitted 1e22-1e26 range


def test_to_dict_is_json_ready():
    import json

    c, y = _linear_data(8)
    d = LogLinearFit(n_boot=50).fit(c, y).to_dict()
    assert set(d["params"]) == {"intercept", "slope"}
    json.dumps(d)
    assert math.isfinite(d["aic"]) and d["n"] == 40


def test_the_settings_compare_refits_a_model_with_are_its_own():
    from flopcast.forecast.fit import _settings

    m = SaturatingFit(r0=5.0, ceiling=100.0, seed=3)
    assert _settings(m) == {
        "n_boot": 0,
        "seed": 3,
        "bootstrap": "residuals",
        "r0": 5.0,
        "ceiling": 100.0,
    }


def test_make_fit_hands_the_saturating_form_its_ceiling_and_refuses_bounds_for_the_line():
    """``--model saturating --ceiling 100`` bounds A (it was dropped before); the linear form has
    no floor or ceiling, so giving one is a one-line error instead of being ignored."""
    from flopcast.forecast.fit import make_fit

    fit = make_fit("saturating", floor=5.0, ceiling=100.0, seed=3)
    assert isinstance(fit, SaturatingFit) and fit.r0 == 5.0 and fit.ceiling == 100.0
    with pytest.raises(InputError, match="not to linear"):
        make_fit("linear", ceiling=100.0)
    assert make_fit("linear").__class__ is LogLinearFit
