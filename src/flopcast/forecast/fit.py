"""Fits of a score (benchmark accuracy) against training compute, and what they project.

Two curves in ``x = log10(C)``, ``C`` the compute in FLOP:

* :class:`LogLinearFit`: ``score = a + b x`` (ordinary least squares), as OpenAI's charts of AIME
  accuracy against log RL compute suggest over the range they show;
* :class:`LogisticFit`: ``score = floor + (ceiling - floor) / (1 + exp(-k (x - x0)))``, for
  scores that saturate; ``floor`` and ``ceiling`` fixed (e.g. 0 and 100 %) or fitted; least
  squares by ``scipy.optimize.least_squares``.

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

import csv
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from flopcast.core.errors import DataError, InputError, UnknownNameError

MODELS: dict[str, type[ScoreFit]] = {}


def register_model(name: str) -> Callable[[type[ScoreFit]], type[ScoreFit]]:
    """Class decorator: make a fit available by name (``--model NAME``); duplicates rejected."""

    def deco(cls: type[ScoreFit]) -> type[ScoreFit]:
        if name in MODELS:
            raise ValueError(f"fit model {name!r} is registered twice")
        MODELS[name] = cls
        cls.name = name
        return cls

    return deco


class ScoreFit(ABC):
    """Shared machinery: validation, bootstrap, intervals, inverse, projection."""

    name = "base"
    param_names: tuple[str, ...] = ()

    def __init__(self, *, n_boot: int = 200, seed: int = 0, bootstrap: str = "residuals"):
        self.n_boot = n_boot
        self.seed = seed
        self.bootstrap = bootstrap

    # -- to be provided by each model ----------------------------------------------------------
    @abstractmethod
    def _curve(self, params: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Scores at ``x`` for parameter rows ``params`` (shape (..., p)); broadcasts."""

    @abstractmethod
    def _inverse_curve(self, params: np.ndarray, score: float) -> np.ndarray:
        """Compute at which the curve of each parameter row reaches ``score``."""

    @abstractmethod
    def _solve(self, x: np.ndarray, y: np.ndarray, start: np.ndarray | None) -> np.ndarray:
        """Least-squares parameters for one data set."""

    def _solve_many(self, x: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Fit each row of ``ys`` (B, n) on the same or row-wise ``x``; default: a loop."""
        xs = np.broadcast_to(x, ys.shape)
        return np.array([self._solve(xi, yi, self.params_) for xi, yi in zip(xs, ys, strict=True)])

    # -- fitting --------------------------------------------------------------------------------
    def fit(self, compute_flop: ArrayLike, scores: ArrayLike) -> ScoreFit:
        """Fit scores against compute (FLOP, not log); returns ``self``."""
        x, y = _check_xy(compute_flop, scores, len(self.param_names) + 1)
        self._check_data(x, y)
        self.x_, self.y_ = x, y
        self.n_ = len(x)
        self.params_ = self._solve(x, y, None)
        self._set_params(self.params_)
        fitted = self._curve(self.params_, x)
        self.residuals_ = y - fitted
        self.rss_ = float(np.sum(self.residuals_**2))
        p = len(self.params_)
        self.residual_std_ = math.sqrt(self.rss_ / max(1, self.n_ - p))
        ll = self.n_ * math.log(max(self.rss_, 1e-300) / self.n_)
        self.aic_ = ll + 2 * p
        self.bic_ = ll + p * math.log(self.n_)
        self.boot_params_ = self._bootstrap(x, y, fitted)
        return self

    def _check_data(self, x: np.ndarray, y: np.ndarray) -> None:
        if np.ptp(x) == 0:
            raise InputError("all compute values are equal; a fit needs at least two")

    def _set_params(self, params: np.ndarray) -> None:
        for name, value in zip(self.param_names, params, strict=True):
            setattr(self, f"{name}_", float(value))

    def _bootstrap(self, x: np.ndarray, y: np.ndarray, fitted: np.ndarray) -> np.ndarray:
        if self.n_boot <= 0:
            return np.empty((0, len(self.params_)))
        rng = np.random.default_rng(self.seed)
        n = len(x)
        idx = rng.integers(0, n, size=(self.n_boot, n))
        if self.bootstrap == "residuals":
            p = len(self.params_)
            e = (self.residuals_ - self.residuals_.mean()) * math.sqrt(n / max(1, n - p))
            ys = fitted[None, :] + e[idx]
            out = self._solve_many(x, ys)
        elif self.bootstrap == "pairs":
            out = self._solve_many(x[idx], y[idx])
        else:
            raise InputError(f"bootstrap must be 'residuals' or 'pairs', got {self.bootstrap!r}")
        return out[np.all(np.isfinite(out), axis=1)]

    # -- using the fit --------------------------------------------------------------------------
    @property
    def params(self) -> dict[str, float]:
        self._fitted()
        return dict(zip(self.param_names, map(float, self.params_), strict=True))

    def interval(self, name: str, level: float = 0.9) -> tuple[float, float]:
        """Bootstrap percentile interval of one learned parameter."""
        self._fitted()
        if name not in self.param_names:
            raise UnknownNameError("fit parameter", name, list(self.param_names))
        col = self.boot_params_[:, self.param_names.index(name)]
        return _pct_interval(col, level)

    def predict(self, compute_flop: Any) -> np.ndarray:
        """The fitted score at ``compute_flop``."""
        self._fitted()
        return self._curve(self.params_, _log10(compute_flop))

    def predict_interval(
        self, compute_flop: Any, level: float = 0.9
    ) -> tuple[np.ndarray, np.ndarray]:
        """Bootstrap interval of the fitted curve (the mean score, not a single new result)."""
        self._fitted()
        x = np.atleast_1d(_log10(compute_flop))
        curves = self._curve(self.boot_params_[:, None, :], x[None, :])
        lo, hi = (np.percentile(curves, q, axis=0) for q in _tails(level))
        return lo, hi

    def inverse(self, score: float) -> float:
        """Compute (FLOP) at which the fitted curve reaches ``score``."""
        self._fitted()
        x = float(self._inverse_curve(self.params_[None, :], score)[0])
        if not math.isfinite(x):
            raise InputError(
                f"the fitted {self.name} curve never reaches a score of {score:g}"
                + self._reach_hint()
            )
        return 10.0**x

    def inverse_interval(self, score: float, level: float = 0.9) -> tuple[float, float]:
        """Bootstrap interval of :meth:`inverse`; ``inf`` where too many curves never reach it."""
        self._fitted()
        xs = self._inverse_curve(self.boot_params_, score)
        xs = np.where(np.isfinite(xs), xs, np.inf)
        lo, hi = np.percentile(np.where(np.isinf(xs), 1e300, xs), _tails(level))
        return (float(10.0**lo) if lo < 1e299 else math.inf), (
            float(10.0**hi) if hi < 1e299 else math.inf
        )

    def _reach_hint(self) -> str:
        return ""

    def project(
        self,
        result: Any,
        years: float = 10,
        percentiles: Sequence[float] = (5, 25, 50, 75, 95),
        *,
        seed: int | None = None,
        max_bytes: int = 64 * 2**20,
    ) -> dict[str, Any]:
        """Score over time: this fit applied to a forecast's reasoning-compute trajectories.

        Each trajectory draw is paired with one bootstrap parameter set (chosen with
        ``seed``), so the bands carry both the compute and the fit uncertainty. ``outside``
        is the share of draws whose compute lies outside the fitted range (extrapolation).
        """
        self._fitted()
        from flopcast.forecast.scenario import to_date

        lines = result.lines
        n = result.n
        rng = np.random.default_rng(self.seed if seed is None else seed)
        boot = self.boot_params_ if len(self.boot_params_) else self.params_[None, :]
        params = boot[rng.integers(0, len(boot), size=n)]
        t = lines.t0 + np.arange(int(round(years * 12)) + 1) / 12.0
        ps = [float(p) for p in percentiles]
        acc = np.empty((len(ps), len(t)))
        outside = np.empty(len(t))
        lo_x, hi_x = float(self.x_.min()), float(self.x_.max())
        step = max(1, int(max_bytes // (8 * n)))
        for a in range(0, len(t), step):
            x = lines.reasoning(t[a : a + step][None, :])
            s = self._curve(params[:, None, :], x)
            acc[:, a : a + step] = np.percentile(s, ps, axis=0)
            outside[a : a + step] = np.mean((x < lo_x) | (x > hi_x), axis=0)
        return {
            "t": t.tolist(),
            "dates": [to_date(v) for v in t],
            "score": {(int(p) if p.is_integer() else p): acc[i].tolist() for i, p in enumerate(ps)},
            "outside": outside.tolist(),
            "model": self.name,
        }

    def to_dict(self, level: float = 0.9) -> dict[str, Any]:
        """JSON-ready: parameters with intervals, fit statistics, settings."""
        self._fitted()
        return {
            "model": self.name,
            "n": self.n_,
            "params": {
                k: {"value": v, "interval": list(self.interval(k, level))}
                for k, v in self.params.items()
            },
            "level": level,
            "rss": self.rss_,
            "residual_std": self.residual_std_,
            "aic": self.aic_,
            "bic": self.bic_,
            "n_boot": len(self.boot_params_),
            "bootstrap": self.bootstrap,
            "seed": self.seed,
            "log10_compute_range": [float(self.x_.min()), float(self.x_.max())],
        }

    def _fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise InputError(
                f"this {type(self).__name__} is not fitted yet; call .fit(compute, scores)"
            )

    def __repr__(self) -> str:
        if not hasattr(self, "params_"):
            return f"{type(self).__name__}()"
        inner = ", ".join(f"{k}_={v:.4g}" for k, v in self.params.items())
        return f"{type(self).__name__}({inner})"


@register_model("linear")
class LogLinearFit(ScoreFit):
    """``score = intercept + slope * log10(C)``, ordinary least squares (closed form)."""

    param_names = ("intercept", "slope")

    def _curve(self, params: np.ndarray, x: Any) -> np.ndarray:
        params = np.asarray(params)
        return params[..., 0] + params[..., 1] * x

    def _inverse_curve(self, params: np.ndarray, score: float) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (score - params[..., 0]) / params[..., 1]
        return np.where(params[..., 1] != 0, x, np.nan)

    def _solve(self, x: np.ndarray, y: np.ndarray, start: np.ndarray | None) -> np.ndarray:
        return self._solve_many(x, y[None, :])[0]

    def _solve_many(self, x: np.ndarray, ys: np.ndarray) -> np.ndarray:
        xs = np.broadcast_to(x, ys.shape)
        xm = xs.mean(axis=-1, keepdims=True)
        ym = ys.mean(axis=-1, keepdims=True)
        sxx = np.sum((xs - xm) ** 2, axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            b = np.sum((xs - xm) * (ys - ym), axis=-1) / sxx
        b = np.where(sxx > 0, b, np.nan)
        a = ym[..., 0] - b * xm[..., 0]
        return np.stack([a, b], axis=-1)


@register_model("logistic")
class LogisticFit(ScoreFit):
    """``score = floor + (ceiling - floor) / (1 + exp(-k (log10 C - x0)))``.

    ``floor``/``ceiling`` given: held fixed; ``None``: fitted. ``k`` is per order of magnitude,
    ``x0`` the log10 compute of the midpoint.
    """

    def __init__(
        self,
        floor: float | None = None,
        ceiling: float | None = None,
        *,
        n_boot: int = 200,
        seed: int = 0,
        bootstrap: str = "residuals",
    ):
        super().__init__(n_boot=n_boot, seed=seed, bootstrap=bootstrap)
        self.floor = floor
        self.ceiling = ceiling
        if floor is not None and ceiling is not None and not floor < ceiling:
            raise InputError(f"floor ({floor}) must be below ceiling ({ceiling})")

    @property
    def param_names(self) -> tuple[str, ...]:  # type: ignore[override]
        names: tuple[str, ...] = ("k", "x0")
        if self.floor is None:
            names += ("floor",)
        if self.ceiling is None:
            names += ("ceiling",)
        return names

    def _set_params(self, params: np.ndarray) -> None:
        super()._set_params(params)
        if self.floor is not None:
            self.floor_ = float(self.floor)
        if self.ceiling is not None:
            self.ceiling_ = float(self.ceiling)

    def _full(self, params: np.ndarray) -> tuple[np.ndarray, ...]:
        params = np.asarray(params, dtype=float)
        k, x0 = params[..., 0], params[..., 1]
        i = 2
        if self.floor is None:
            lo = params[..., i]
            i += 1
        else:
            lo = np.full_like(k, self.floor)
        hi = params[..., i] if self.ceiling is None else np.full_like(k, self.ceiling)
        return k, x0, lo, hi

    def _curve(self, params: np.ndarray, x: Any) -> np.ndarray:
        k, x0, lo, hi = self._full(params)
        z = np.clip(-k * (x - x0), -500, 500)
        return lo + (hi - lo) / (1.0 + np.exp(z))

    def _inverse_curve(self, params: np.ndarray, score: float) -> np.ndarray:
        k, x0, lo, hi = self._full(params)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = (score - lo) / (hi - lo)
            x = x0 + np.log(u / (1 - u)) / k
        return np.where((u > 0) & (u < 1) & (k != 0), x, np.nan)

    def _reach_hint(self) -> str:
        return f" (it stays between {self.floor_:g} and {self.ceiling_:g})"

    def _start(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        lo = y.min() if self.floor is None else self.floor
        hi = y.max() if self.ceiling is None else self.ceiling
        span = max(np.ptp(y), 1e-9)
        if self.floor is None:
            lo = lo - 0.05 * span
        if self.ceiling is None:
            hi = hi + 0.05 * span
        sign = 1.0 if np.corrcoef(x, y)[0, 1] >= 0 else -1.0
        start = [sign * 4.0 / max(np.ptp(x), 1e-9), float(np.median(x))]
        if self.floor is None:
            start.append(lo)
        if self.ceiling is None:
            start.append(hi)
        return np.array(start, dtype=float)

    def _solve(self, x: np.ndarray, y: np.ndarray, start: np.ndarray | None) -> np.ndarray:
        from scipy.optimize import least_squares  # lazily: keeps the CLI start fast

        x0 = self._start(x, y) if start is None else np.asarray(start, dtype=float)
        sol = least_squares(lambda p: self._curve(p, x) - y, x0, method="lm", max_nfev=2000)
        if start is None and not sol.success:
            raise InputError("the logistic fit did not converge; try fixing floor and ceiling")
        return sol.x if sol.success else np.full_like(x0, np.nan)


def make_fit(model: str, **kwargs: Any) -> ScoreFit:
    """A fit by registered name (``linear``, ``logistic``); floor/ceiling only for logistic."""
    if model not in MODELS:
        raise UnknownNameError("fit model", model, list(MODELS))
    cls = MODELS[model]
    if cls is not LogisticFit:
        kwargs.pop("floor", None)
        kwargs.pop("ceiling", None)
    return cls(**kwargs)


def compare(
    compute_flop: ArrayLike,
    scores: ArrayLike,
    models: Sequence[ScoreFit] | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """AIC, BIC and k-fold held-out RMSE of each model (default: linear and logistic with fitted
    floor and ceiling), best held-out error first. With fewer points than ``folds``, leave-one-out.
    """
    x, y = _check_xy(compute_flop, scores, 3)
    models = list(models) if models is not None else [LogLinearFit(n_boot=0), LogisticFit(n_boot=0)]
    n = len(x)
    k = min(folds, n)
    order = np.random.default_rng(seed).permutation(n)
    groups = np.array_split(order, k)
    rows: list[dict[str, Any]] = []
    for m in models:
        proto = _settings(m)
        m_boot, m.n_boot = m.n_boot, 0
        full = m.fit(10**x, y)
        errors = []
        for g in groups:
            train = np.setdiff1d(np.arange(n), g)
            try:
                part = type(m)(**proto).fit(10 ** x[train], y[train])
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


def read_csv(path: str | Path, x: str, y: str) -> tuple[np.ndarray, np.ndarray]:
    """Two numeric columns of a CSV file with a header row (compute in FLOP, score)."""
    p = Path(path)
    if not p.is_file():
        raise DataError("no such CSV file", path=str(p))
    with p.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        for col in (x, y):
            if col not in header:
                raise DataError(f"no column {col!r}; columns: {', '.join(header)}", path=str(p))
        xs, ys = [], []
        for line, row in enumerate(reader, start=2):
            try:
                xs.append(float(row[x]))
                ys.append(float(row[y]))
            except (TypeError, ValueError):
                bad = x if not _is_float(row.get(x)) else y
                raise DataError(
                    f"{row.get(bad)!r} is not a number", path=str(p), line=line, field=bad
                ) from None
    return np.array(xs), np.array(ys)


def from_dataset(
    benchmark: str, compute: str = "rl", *, dataset: Any = None, setting: str | None = None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Benchmark scores from the dataset against each model's median compute (``rl`` or
    ``pretraining``/``total``); models without that compute figure are left out."""
    if dataset is None:
        from flopcast.evidence import dataset as _dataset

        dataset = _dataset.load()
    xs, ys, ids = [], [], []
    for row in dataset.benchmarks(benchmark):
        if setting is not None and row.get("setting") != setting:
            continue
        q = dataset.quantity(row["model"], compute)
        if q is None:
            continue
        xs.append(q.median())
        ys.append(float(row["value"]))
        ids.append(row["model"])
    if len(xs) < 3:
        raise DataError(
            f"only {len(xs)} result(s) of {benchmark!r} have a {compute!r} compute "
            "figure in the dataset; a fit needs at least 3"
        )
    return np.array(xs), np.array(ys), ids


# ---- private helpers --------------------------------------------------------------------------


def _check_xy(compute: Any, scores: Any, minimum: int) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(compute, dtype=float).ravel()
    y = np.asarray(scores, dtype=float).ravel()
    if c.shape != y.shape:
        raise InputError(f"compute and scores differ in length ({len(c)} vs {len(y)})")
    if len(c) < minimum:
        raise InputError(f"a fit needs at least {minimum} points, got {len(c)}")
    if not (np.all(np.isfinite(c)) and np.all(c > 0)):
        raise InputError("compute must be positive and finite FLOP (not log10)")
    if not np.all(np.isfinite(y)):
        raise InputError("scores must be finite numbers")
    return np.log10(c), y


def _log10(compute: Any) -> np.ndarray:
    c = np.asarray(compute, dtype=float)
    if np.any(c <= 0):
        raise InputError("compute must be positive FLOP")
    return np.log10(c)


def _tails(level: float) -> list[float]:
    if not 0 < level < 1:
        raise InputError(f"level must lie in (0, 1), got {level}")
    return [50 * (1 - level), 50 * (1 + level)]


def _pct_interval(x: np.ndarray, level: float) -> tuple[float, float]:
    if len(x) == 0:
        return (math.nan, math.nan)
    lo, hi = np.percentile(x, _tails(level))
    return float(lo), float(hi)


def _settings(m: ScoreFit) -> dict[str, Any]:
    out = {"n_boot": 0, "seed": m.seed, "bootstrap": m.bootstrap}
    if isinstance(m, LogisticFit):
        out.update(floor=m.floor, ceiling=m.ceiling)
    return out


def _is_float(v: Any) -> bool:
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False
