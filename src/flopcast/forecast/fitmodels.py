"""The registered score-vs-compute curves, in ``x = log10(C)``, ``C`` the compute in FLOP.

* :class:`LogLinearFit` (``linear``): ``score = a + b x`` (ordinary least squares), as OpenAI's
  charts of AIME accuracy against log RL compute suggest over the range they show;
* :class:`LogisticFit` (``logistic``): ``score = floor + (ceiling - floor) / (1 + exp(-k (x -
  x0)))``, for scores that saturate; ``floor`` and ``ceiling`` fixed or fitted; least squares by
  ``scipy.optimize.least_squares``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopcast.core.errors import InputError
from flopcast.forecast.fitbase import ScoreFit, register_model

__all__ = ["LogLinearFit", "LogisticFit"]


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
