"""The shared machinery of score-vs-compute fits: validation, bootstrap, intervals, inverse.

Each fit is a subclass of :class:`ScoreFit` registered by name in :data:`MODELS` (a
:class:`~flopcast.core.registry.Registry`), following scikit-learn's estimator conventions: the
constructor stores settings, ``fit`` returns the fitted object, learned values end in ``_``.

Uncertainty: a residual bootstrap (Efron & Tibshirani, *An Introduction to the Bootstrap*, 1993,
ch. 9): ``n_boot`` refits on ``yhat + e*`` with ``e*`` drawn with replacement from the centred
residuals, inflated by ``sqrt(n / (n - p))`` (NB: the usual small-sample correction for the
shrinkage of residuals, Davison & Hinkley 1997, sec. 6.2.3); percentile intervals. Seeded
explicitly (``seed``). ``bootstrap="pairs"`` resamples points instead.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from flopcast.core.dates import month_grid, to_date
from flopcast.core.errors import InputError, UnknownNameError
from flopcast.core.registry import Registry

MODELS: Registry[type[ScoreFit]] = Registry("fit model")

__all__ = ["MODELS", "ScoreFit", "check_xy", "register_model"]


def register_model(name: str) -> Callable[[type[ScoreFit]], type[ScoreFit]]:
    """Class decorator: make a fit available by name (``--model NAME``); duplicates rejected."""

    def deco(cls: type[ScoreFit]) -> type[ScoreFit]:
        MODELS.register(name, cls)
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
    def fit(
        self, compute_flop: ArrayLike, scores: ArrayLike, *, sx: ArrayLike | None = None
    ) -> ScoreFit:
        """Fit scores against compute (FLOP, not log); returns ``self``.

        ``sx``: standard errors of ``log10`` compute, per point or one for all (errors in x,
        e.g. from reading a chart). Then the fit is orthogonal distance regression (scipy.odr,
        the Deming fit for a line; see :meth:`_odr` for the y error), and the bootstrap also
        redraws each ``x`` within its error.
        """
        x, y = check_xy(compute_flop, scores, len(self.param_names) + 1, self.name)
        self._check_data(x, y)
        self.x_, self.y_ = x, y
        self.n_ = len(x)
        self.sx_ = None if sx is None else np.broadcast_to(np.asarray(sx, float), x.shape).copy()
        if self.sx_ is not None and not (np.all(np.isfinite(self.sx_)) and np.all(self.sx_ >= 0)):
            raise InputError("errors in x (sx) must be finite and not negative, in log10 units")
        self.params_ = self._solve(x, y, None)
        if self.sx_ is not None and np.any(self.sx_ > 0):
            self.params_ = self._odr(x, y, self.params_)
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

    def _odr(
        self, x: np.ndarray, y: np.ndarray, start: np.ndarray, fixed: Sequence[int] = ()
    ) -> np.ndarray:
        """Orthogonal distance regression from ``start`` with x errors ``sx_``.

        ``fixed``: indices of parameters held at their ``start`` value (scipy.odr's ``ifixb``).

        The y error is what the least-squares residuals leave once the x errors are accounted
        for: ``sy^2 = var(resid) - mean((f'(x) sx)^2)`` (at least 5% of ``var(resid)``), so
        that a noisy x is not counted twice.
        """
        from scipy import odr  # lazily: scipy is imported only where a fit needs it

        resid = y - self._curve(start, x)
        p = len(start)
        var = float(np.sum(resid**2)) / max(1, len(x) - p)
        sx = np.maximum(np.asarray(self.sx_), 1e-12)
        h = 1e-4
        slope = (self._curve(start, x + h) - self._curve(start, x - h)) / (2 * h)
        sy = math.sqrt(max(var - float(np.mean((slope * sx) ** 2)), 0.05 * var, 1e-18))
        out = self._odr_job(odr.RealData(x, y, sx=sx, sy=sy), start, fixed).run()
        beta = np.asarray(out.beta, dtype=float)
        return beta if np.all(np.isfinite(beta)) else start

    def _odr_job(self, data: Any, start: np.ndarray, fixed: Sequence[int], **kw: Any) -> Any:
        """An ODRPACK job fitting the curve to ``data`` from ``start``, ``fixed`` held."""
        from scipy import odr

        model = odr.Model(lambda beta, xx: self._curve(np.asarray(beta), xx))
        ifixb = [0 if i in fixed else 1 for i in range(len(start))] if fixed else None
        return odr.ODR(data, model, beta0=start, ifixb=ifixb, **kw)

    def _ols(
        self,
        x: np.ndarray,
        y: np.ndarray,
        start: np.ndarray,
        fixed: Sequence[int] = (),
        *,
        maxit: int = 2000,
    ) -> tuple[np.ndarray, bool]:
        """Ordinary least squares of the curve from ``start``: ODRPACK in its OLS mode
        (``fit_type=2``, no error in x; a Levenberg-Marquardt trust region, Boggs & Rogers 1990),
        the same library as :meth:`_odr`. ``fixed`` as there. Returns the parameters and whether
        ODRPACK reports convergence (its ``info`` 1-3).

        NB: scipy.odr, not ``scipy.optimize.least_squares``: the same minimum, without importing
        scipy.optimize (about 0.25 s, a sixth of the report's time budget; issue 13).
        """
        from scipy import odr  # lazily: scipy is imported only where a fit needs it

        job = self._odr_job(odr.Data(x, y), start, fixed, maxit=maxit)
        job.set_job(fit_type=2)
        out = job.run()
        beta = np.asarray(out.beta, dtype=float)
        ok = bool(np.all(np.isfinite(beta))) and 1 <= int(out.info) <= 3
        return beta, ok

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
        if self.sx_ is not None and np.any(self.sx_ > 0):
            # errors in x: redraw each x within its error and each y from the residuals
            p = len(self.params_)
            e = (self.residuals_ - self.residuals_.mean()) * math.sqrt(n / max(1, n - p))
            xs = x[None, :] + rng.normal(0.0, 1.0, (self.n_boot, n)) * self.sx_[None, :]
            ys = fitted[None, :] + e[idx]
            out = np.array([self._odr(xi, yi, self.params_) for xi, yi in zip(xs, ys, strict=True)])
        elif self.bootstrap == "residuals":
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
        lines = result.lines
        n = result.n
        rng = np.random.default_rng(self.seed if seed is None else seed)
        boot = self.boot_params_ if len(self.boot_params_) else self.params_[None, :]
        params = boot[rng.integers(0, len(boot), size=n)]
        t = month_grid(lines.t0, years)
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
            "errors_in_x": self.sx_ is not None,
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


# ---- helpers ----------------------------------------------------------------------------------


def check_xy(
    compute: Any, scores: Any, minimum: int, model: str = ""
) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(compute, dtype=float).ravel()
    y = np.asarray(scores, dtype=float).ravel()
    if c.shape != y.shape:
        raise InputError(f"compute and scores differ in length ({len(c)} vs {len(y)})")
    if len(c) < minimum:
        what = f"the {model} fit has {minimum - 1} parameters, so it" if model else "a fit"
        raise InputError(f"{what} needs at least {minimum} points, got {len(c)}")
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
