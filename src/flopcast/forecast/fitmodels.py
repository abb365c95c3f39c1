"""The registered score-vs-compute curves, in ``x = log10(C)``, ``C`` the compute in FLOP.

* :class:`LogLinearFit` (``linear``): ``score = a + b x`` (ordinary least squares), as OpenAI's
  charts of AIME accuracy against log RL compute suggest over the range they show;
* :class:`LogisticFit` (``logistic``): ``score = floor + (ceiling - floor) / (1 + exp(-k (x -
  x0)))``, for scores that saturate; ``floor`` and ``ceiling`` fixed or fitted; least squares by
  ODRPACK in its OLS mode (:meth:`~flopcast.forecast.fitbase.ScoreFit._ols`);
* :class:`SaturatingFit` (``saturating``): ScaleRL's ``R(C) = R0 + (A - R0) / (1 + (C_mid /
  C)^B)`` (Meta, "The Art of Scaling Reinforcement Learning Compute for LLMs", 2025): ``A`` the
  asymptote, ``B`` the scaling exponent, ``C_mid`` the compute at half the gain
  (``x_mid = log10 C_mid``), ``R0`` the score at no RL compute, fixed or fitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from flopcast.core.errors import InputError
from flopcast.forecast.fitbase import ScoreFit, register_model

__all__ = ["LogLinearFit", "LogisticFit", "SaturatingFit"]


@register_model("linear")
class LogLinearFit(ScoreFit):
    """``score = intercept + slope * log10(C)``, ordinary least squares (closed form)."""

    param_names = ("intercept", "slope")
    intercept_: float
    slope_: float

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
        x0 = self._start(x, y) if start is None else np.asarray(start, dtype=float)
        beta, ok = self._ols(x, y, x0)
        if start is None and not ok:
            raise InputError("the logistic fit did not converge; try fixing floor and ceiling")
        return beta if ok else np.full_like(x0, np.nan)


@register_model("saturating")
class SaturatingFit(ScoreFit):
    """``score = R0 + (A - R0) / (1 + 10^(B (x_mid - log10 C)))``, ScaleRL's form in log10.

    ``R0`` given: held fixed (e.g. the score before RL); ``None``: fitted. ``ceiling``: the
    score's largest possible value (100 for a percentage), a bound on the asymptote ``A``
    (ScaleRL's A is an attainable pass rate, so it cannot exceed it); ``None``: unbounded.
    """

    def __init__(
        self,
        r0: float | None = None,
        *,
        ceiling: float | None = None,
        n_boot: int = 200,
        seed: int = 0,
        bootstrap: str = "residuals",
    ):
        super().__init__(n_boot=n_boot, seed=seed, bootstrap=bootstrap)
        self.r0 = r0
        self.ceiling = ceiling

    @property
    def param_names(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("A", "B", "x_mid") + (("R0",) if self.r0 is None else ())

    def _set_params(self, params: np.ndarray) -> None:
        super()._set_params(params)
        if self.r0 is not None:
            self.R0_ = float(self.r0)

    def _full(self, params: np.ndarray) -> tuple[np.ndarray, ...]:
        params = np.asarray(params, dtype=float)
        a, b, x_mid = params[..., 0], params[..., 1], params[..., 2]
        r0 = params[..., 3] if self.r0 is None else np.full_like(a, self.r0)
        return a, b, x_mid, r0

    def _curve(self, params: np.ndarray, x: Any) -> np.ndarray:
        a, b, x_mid, r0 = self._full(params)
        z = np.clip(b * (x_mid - x), -300, 300)
        return r0 + (a - r0) / (1.0 + 10.0**z)

    def _inverse_curve(self, params: np.ndarray, score: float) -> np.ndarray:
        a, b, x_mid, r0 = self._full(params)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = (a - r0) / (score - r0) - 1.0
            x = x_mid - np.log10(u) / b
        return np.where((u > 0) & (b != 0) & np.isfinite(x), x, np.nan)

    def _odr(
        self, x: np.ndarray, y: np.ndarray, start: np.ndarray, fixed: Sequence[int] = ()
    ) -> np.ndarray:
        """ODR as the base class does; with a ``ceiling``, an asymptote above it is refitted
        with ``A`` held at the ceiling (the bounded optimum lies on the bound)."""
        beta = super()._odr(x, y, start, fixed)
        if not self._above_ceiling(beta):
            return beta
        return super()._odr(x, y, self._on_ceiling(beta), (0, *fixed))

    def _above_ceiling(self, beta: np.ndarray) -> bool:
        return self.ceiling is not None and beta[0] > self.ceiling

    def _on_ceiling(self, beta: np.ndarray) -> np.ndarray:
        """``beta`` with ``A`` at the ceiling: the start of the fit held on the bound (where the
        bounded optimum lies when the free one is above it)."""
        at_bound = np.array(beta, dtype=float)
        at_bound[0] = self.ceiling
        return at_bound

    def _reach_hint(self) -> str:
        a, _, _, r0 = (float(v) for v in self._full(self.params_))
        return f" (it stays between {r0:g} and {a:g})"

    def _solve(self, x: np.ndarray, y: np.ndarray, start: np.ndarray | None) -> np.ndarray:
        if start is None:
            span = max(float(np.ptp(y)), 1e-9)
            guess = [float(y.max()) + 0.1 * span, 1.0, float(np.median(x))]
            if self.r0 is None:
                guess.append(float(y.min()) - 0.1 * span)
            x0 = np.array(guess)
        else:
            x0 = np.array(start, dtype=float)  # a copy: the caller's start stays as it was
        if self._above_ceiling(x0):
            x0 = self._on_ceiling(x0)
        beta, ok = self._ols(x, y, x0, maxit=4000)
        if ok and self._above_ceiling(beta):  # A <= ceiling: refit with A held on the bound
            beta, ok = self._ols(x, y, self._on_ceiling(beta), (0,), maxit=4000)
        if start is None and not ok:
            raise InputError("the saturating fit did not converge; try fixing R0 (--floor)")
        return beta if ok else np.full_like(x0, np.nan)
