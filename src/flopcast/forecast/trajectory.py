"""The trajectory model's formulas, in log10 FLOP with time ``t`` in decimal years.

(Epoch AI, "How far can reasoning models scale?", May 2025,
https://epoch.ai/gradient-updates/how-far-can-reasoning-models-scale.)

* frontier of total training compute ``f(t) = f0 + g_f (t - t_f0)``, ``g_f = log10(4)`` per
  year by default (https://epoch.ai/blog/training-compute-of-frontier-ai-models-grows-by-4-5x-per-year);
* a cap on reasoning compute, a straight line ``c(t) = c0 + g_c (t - t_c)``
  (:mod:`flopcast.forecast.caps`);
* reasoning compute ``u(t) = r0 + (t - t0) / T`` (``T`` years per 10x) until it meets the cap,
  then the cap: ``r(t) = min(u(t), c(t))`` for ``t >= t0``.

Meeting time, per parameter draw, in closed form (no time loop): with headroom
``h = c(t0) - r0`` (orders of magnitude) and closing speed ``d = 1/T - g_c`` (OOM per year),
``t* = t0 + h / d`` if ``h > 0`` and ``d > 0``; ``t0`` if ``h <= 0`` (already at the cap);
never (``inf``) if ``h > 0`` and ``d <= 0``. Every formula runs on numpy arrays of draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from flopcast.forecast.caps import CAPS
from flopcast.forecast.draws import Draws

__all__ = [
    "Lines",
    "frontier_log",
    "meeting_time",
    "reasoning_growth",
    "reasoning_log",
    "softmin10",
]


def frontier_log(t: Any, f0: Any, t_f0: Any, g_f: Any) -> np.ndarray:
    """``f(t) = f0 + g_f (t - t_f0)``: log10 FLOP of the largest training run at time ``t``."""
    return np.asarray(f0 + g_f * (np.asarray(t) - t_f0))


def meeting_time(r0: Any, t0: Any, inv_T: Any, c0: Any, t_c: Any, g_c: Any) -> np.ndarray:
    """Decimal year at which ``u(t) = r0 + inv_T (t - t0)`` meets ``c(t) = c0 + g_c (t - t_c)``.

    ``t0`` where the start is already at or above the cap, ``inf`` where the cap grows at least
    as fast as reasoning compute and is above it. Vectorised over every argument.
    """
    r0, inv_T, c0, g_c = (np.asarray(a, dtype=float) for a in (r0, inv_T, c0, g_c))
    h = c0 + g_c * (t0 - t_c) - r0  # headroom at the start, OOM
    d = inv_T - g_c  # closing speed, OOM per year
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(d > 0, t0 + h / np.where(d > 0, d, 1.0), np.inf)
    return np.where(h <= 0, np.broadcast_to(t0, np.shape(t)), t)


def softmin10(a: Any, b: Any, width: Any) -> np.ndarray:
    """Smooth minimum in base 10: ``-w log10(10^(-a/w) + 10^(-b/w))``; exact min when ``w = 0``.

    NB: at the crossing it lies ``w log10(2)`` below both lines, and ``w log10(1 + 10^(-|a-b|/w))``
    below the minimum elsewhere; far from the crossing it is the minimum.
    """
    a, b, w = floats(a), floats(b), np.asarray(width, float)
    m = np.minimum(a, b)
    if not np.any(w > 0):  # the kink: skip the soft branch (most scenarios; keeps bands fast)
        return m
    with np.errstate(divide="ignore", invalid="ignore"):
        soft = m - w * np.log10(1.0 + 10.0 ** (-np.abs(a - b) / np.where(w > 0, w, 1.0)))
    return np.where(w > 0, soft, m)


def reasoning_log(
    t: Any, r0: Any, t0: Any, inv_T: Any, c0: Any, t_c: Any, g_c: Any, width: Any = 0.0
) -> np.ndarray:
    """``r(t) = min(r0 + inv_T (t - t0), c0 + g_c (t - t_c))`` (softmin of width ``width`` OOM)."""
    u = r0 + inv_T * (np.asarray(t) - t0)
    c = c0 + g_c * (np.asarray(t) - t_c)
    return softmin10(u, c, width)


def reasoning_growth(
    t: Any, r0: Any, t0: Any, inv_T: Any, c0: Any, t_c: Any, g_c: Any, width: Any = 0.0
) -> np.ndarray:
    """``dr/dt`` in OOM per year: ``inv_T`` before the meeting, ``g_c`` after (kink), or the
    softmin's blend ``s inv_T + (1 - s) g_c`` with ``s = 1 / (1 + 10^((u - c) / w))``."""
    u = r0 + inv_T * (np.asarray(t) - t0)
    c = c0 + g_c * (np.asarray(t) - t_c)
    w = np.asarray(width, float)
    if not np.any(w > 0):  # NB: at the kink itself, the cap's slope
        return np.where(u < c, inv_T, g_c)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        s_soft = 1.0 / (1.0 + 10.0 ** np.clip((u - c) / np.where(w > 0, w, 1.0), -300, 300))
    s = np.where(w > 0, s_soft, (u < c).astype(float))  # NB: at the kink itself, the cap's slope
    return s * inv_T + (1.0 - s) * g_c


@dataclass
class Lines:
    """The model's parameters for ``n`` draws, in log10 FLOP and decimal years."""

    r0: np.ndarray
    t0: float
    inv_T: np.ndarray  # OOM per year before the meeting (12 / months_per_10x)
    c0: np.ndarray
    t_c: float
    g_c: np.ndarray
    f0: np.ndarray
    t_f0: float
    g_f: np.ndarray
    width: np.ndarray

    @classmethod
    def from_draws(cls, d: Draws) -> Lines:
        v = d.values
        c0, t_c, g_c = CAPS[d.cap_kind].line(d)
        return cls(
            r0=np.log10(v["reasoning.start_flop"]),
            t0=d.years["reasoning.start_date"],
            inv_T=12.0 / v["growth.months_per_10x"],
            c0=c0,
            t_c=t_c,
            g_c=g_c,
            f0=np.log10(v["frontier.flop"]),
            t_f0=d.years["frontier.date"],
            g_f=np.log10(v["frontier.growth_per_year"]),
            width=v["transition.width_oom"],
        )

    def take(self, idx: Any) -> Lines:
        """A subset of the draws (a slice or index array)."""

        def sub(a: Any) -> Any:
            return a[idx] if np.ndim(a) else a

        return Lines(**{k: sub(getattr(self, k)) for k in self.__dataclass_fields__})

    @property
    def headroom(self) -> np.ndarray:
        """``c(t0) - r0``: orders of magnitude between the start and the cap at the start."""
        return self.c0 + self.g_c * (self.t0 - self.t_c) - self.r0

    def meeting(self) -> np.ndarray:
        return meeting_time(self.r0, self.t0, self.inv_T, self.c0, self.t_c, self.g_c)

    def reasoning(self, t: Any) -> np.ndarray:
        """log10 FLOP; ``t`` broadcasts against the draws (use ``t[None, :]`` for a grid)."""
        return reasoning_log(t, *self._columns())

    def growth(self, t: Any) -> np.ndarray:
        return reasoning_growth(t, *self._columns())

    def frontier(self, t: Any) -> np.ndarray:
        return frontier_log(t, _col(self.f0), self.t_f0, _col(self.g_f))

    def _columns(self) -> tuple[Any, ...]:
        """The trajectory parameters, as columns that broadcast against a time grid."""
        return (
            _col(self.r0),
            self.t0,
            _col(self.inv_T),
            _col(self.c0),
            self.t_c,
            _col(self.g_c),
            _col(self.width),
        )


def floats(x: Any) -> np.ndarray:
    """``x`` as a float array, keeping float32 as float32 (bands sort float32 values)."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(float)


def _col(a: np.ndarray) -> np.ndarray:
    return a[:, None] if np.ndim(a) == 1 else a
