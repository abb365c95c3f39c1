"""Fits of a score (benchmark accuracy) against training compute, and how they compare.

Two curves in ``x = log10(C)``, ``C`` the compute in FLOP:

* :class:`LogLinearFit`: ``score = a + b x`` (ordinary least squares), as OpenAI's charts of AIME
  accuracy against log RL compute suggest over the range they show;
* :class:`LogisticFit`: ``score = floor + (ceiling - floor) / (1 + exp(-k (x - x0)))``, for
  scores that saturate; ``floor`` and ``ceiling`` fixed (e.g. 0 and 100 %) or fitted; least
  squares by ODRPACK (scipy.odr) in its OLS mode.

The API follows scikit-learn's estimator conventions: the constructor stores settings, ``fit``
returns the fitted object, learned values end in ``_`` (``slope_``, ``k_``, ``boot_params_``).

Uncertainty: a residual bootstrap (Efron & Tibshirani, *An Introduction to the Bootstrap*, 1993,
ch. 9): ``n_boot`` refits on ``yhat + e*`` with ``e*`` drawn with replacement from the centred
residuals, inflated by ``sqrt(n / (n - p))`` (NB: the usual small-sample correction for the
shrinkage of residuals, Davison & Hinkley 1997, sec. 6.2.3); percentile intervals. Seeded
explicitly (``seed``). ``bootstrap="pairs"`` resamples points instead.

Model comparison (:func:`compare`): AIC and BIC from the residual sum of squares under Gaussian
errors (``n ln(RSS/n) + 2p`` and ``n ln(RSS/n) + p ln n``) and held-out RMSE by k-fold
cross-validation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from flopcast.core.errors import InputError
from flopcast.forecast.fitbase import MODELS, ScoreFit, check_xy, register_model
from flopcast.forecast.fitdata import from_dataset, read_csv
from flopcast.forecast.fitmodels import LogisticFit, LogLinearFit, SaturatingFit

__all__ = [
    "MODELS",
    "LogLinearFit",
    "LogisticFit",
    "SaturatingFit",
    "ScoreFit",
    "compare",
    "from_dataset",
    "make_fit",
    "read_csv",
    "register_model",
]


def make_fit(model: str, **kwargs: Any) -> ScoreFit:
    """A fit by registered name (``linear``, ``logistic``, ``saturating``); ``floor`` and
    ``ceiling`` fix the logistic's bounds; ``floor`` fixes the saturating form's ``R0`` and
    ``ceiling`` bounds its ``A`` (a score's maximum). Given to the linear form, they are refused."""
    cls = MODELS[model]
    floor, ceiling = kwargs.pop("floor", None), kwargs.pop("ceiling", None)
    if cls is LogisticFit:
        return LogisticFit(floor, ceiling, **kwargs)
    if cls is SaturatingFit:
        return SaturatingFit(floor, ceiling=ceiling, **kwargs)
    if floor is not None or ceiling is not None:
        raise InputError(
            f"--floor and --ceiling apply to the logistic and saturating fits, not to {model}"
        )
    return cls(**kwargs)


def compare(
    compute_flop: ArrayLike,
    scores: ArrayLike,
    models: Sequence[ScoreFit] | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    sx: ArrayLike | None = None,
) -> list[dict[str, Any]]:
    """AIC, BIC and k-fold held-out RMSE of each model (``sx``: errors in log10 compute) (default: linear and logistic with fitted
    floor and ceiling), best held-out error first. With fewer points than ``folds``, leave-one-out.
    """
    x, y = check_xy(compute_flop, scores, 3)
    models = list(models) if models is not None else [LogLinearFit(n_boot=0), LogisticFit(n_boot=0)]
    n = len(x)
    k = min(folds, n)
    order = np.random.default_rng(seed).permutation(n)
    groups = np.array_split(order, k)
    rows: list[dict[str, Any]] = []
    for m in models:
        proto = _settings(m)
        m_boot, m.n_boot = m.n_boot, 0
        sxa = None if sx is None else np.broadcast_to(np.asarray(sx, float), x.shape)
        full = m.fit(10**x, y, sx=sxa)
        errors = []
        for g in groups:
            train = np.setdiff1d(np.arange(n), g)
            try:
                part = type(m)(**proto).fit(
                    10 ** x[train], y[train], sx=None if sxa is None else sxa[train]
                )
                errors.append(y[g] - part.predict(10 ** x[g]))
            except InputError:
                errors.append(np.full(len(g), np.nan))
        err = np.concatenate(errors)
        m.n_boot = m_boot
        rows.append(
            {
                "model": full.name,
                "params": full.params,
                "n_params": len(full.params_),
                "rss": full.rss_,
                "aic": full.aic_,
                "bic": full.bic_,
                "cv_rmse": float(np.sqrt(np.nanmean(err**2))),
                "folds": k,
            }
        )
    rows.sort(key=lambda r: r["cv_rmse"] if math.isfinite(r["cv_rmse"]) else math.inf)
    return rows


# ---- private helpers --------------------------------------------------------------------------


def _settings(m: ScoreFit) -> dict[str, Any]:
    out = {"n_boot": 0, "seed": m.seed, "bootstrap": m.bootstrap}
    if isinstance(m, LogisticFit):
        out.update(floor=m.floor, ceiling=m.ceiling)
    if isinstance(m, SaturatingFit):
        out.update(r0=m.r0, ceiling=m.ceiling)
    return out
