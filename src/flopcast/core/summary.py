"""The one summary shape of an uncertain number, used by the library, CLI JSON, report and API.

A summary is a plain dict (JSON-ready) with these keys:

``median``, ``mean`` (None when not computed), ``p5``, ``p25``, ``p75``, ``p95`` (percentiles),
``lo``/``hi`` (the central interval at ``level``, 0.9 unless said), ``level`` and ``unit``
(None for a dimensionless number). Producers may add keys of their own (``exact``,
``contributions``, ``inputs``) but never rename these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

PERCENTILES = (5, 25, 50, 75, 95)
KEYS = ("median", "mean", "p5", "p25", "p75", "p95", "lo", "hi", "level", "unit")


def summary(
    percentile: Callable[[Sequence[float]], Sequence[float]],
    *,
    level: float = 0.9,
    mean: float | None = None,
    unit: str | None = None,
) -> dict[str, Any]:
    """The shape from a ``percentile(list of p in 0-100) -> values`` function."""
    lo_q, hi_q = 50 * (1 - level), 50 * (1 + level)
    p5, p25, p50, p75, p95, lo, hi = (float(v) for v in percentile([*PERCENTILES, lo_q, hi_q]))
    return {
        "median": p50,
        "mean": None if mean is None else float(mean),
        "p5": p5,
        "p25": p25,
        "p75": p75,
        "p95": p95,
        "lo": lo,
        "hi": hi,
        "level": level,
        "unit": unit,
    }


def of_samples(
    x: np.ndarray, *, level: float = 0.9, unit: str | None = None, mean: bool = True
) -> dict[str, Any]:
    """The shape of a sample (NaN-free; ``inf`` is kept as ``inf``, e.g. "never")."""
    x = np.asarray(x, dtype=float)
    finite = x[np.isfinite(x)]
    m = float(finite.mean()) if mean and finite.size == x.size and x.size else None
    xs = np.sort(x)
    return summary(lambda ps: _percentiles(xs, ps), level=level, mean=m, unit=unit)


def of_point(value: float, *, level: float = 0.9, unit: str | None = None) -> dict[str, Any]:
    """A known number: every percentile is the number."""
    return summary(lambda ps: [value] * len(ps), level=level, mean=value, unit=unit)


def of_quantity(q: Any, *, level: float = 0.9, **kwargs: Any) -> dict[str, Any]:
    """The shape of an :class:`~flopcast.core.uncertain.Uncertain` or a plain number."""
    if not hasattr(q, "percentile"):
        return of_point(float(q), level=level)
    return summary(
        lambda ps: q.percentile(list(ps), **kwargs),
        level=level,
        mean=q.mean(**kwargs),
        unit=q.unit,
    )


def detailed(
    q: Any, *, level: float, n: int, seed: int, contributions: bool = True
) -> dict[str, Any]:
    """:meth:`~flopcast.core.quantity.Uncertain.summary`: the shape of ``q`` plus ``exact``,
    ``inputs``, ``contributions``; off the exact path ``computed_by`` ("closed form" or "monte
    carlo"), ``samples``, ``seed``; ``method``, ``assumptions``, ``disagreement`` when set."""
    out = of_quantity(q, level=level, n=n, seed=seed)
    out["exact"] = q.is_exact
    if not q.is_exact:
        out["computed_by"] = "closed form" if q._dist() is not None else "monte carlo"
        out["samples"] = n
        out["seed"] = seed
    if contributions:
        out["contributions"] = q.contributions(n=n, seed=seed)
    out["inputs"] = [inp.to_dict() for inp in q.inputs()]
    if q.method:
        out["method"] = q.method
    if q.assumptions:
        out["assumptions"] = q.assumptions
    if q.disagreement is not None:
        out["disagreement"] = q.disagreement
    return out


def _percentiles(xs: np.ndarray, ps: Sequence[float]) -> list[float]:
    """numpy's linear percentiles of sorted ``xs``, except that a rank touching ``inf`` is inf
    (numpy gives NaN there: ``inf - inf``)."""
    rank = np.asarray(ps, dtype=float) / 100 * (len(xs) - 1)
    lo = np.floor(rank).astype(int)
    hi = np.ceil(rank).astype(int)
    frac = rank - lo
    a, b = xs[lo], xs[hi]
    with np.errstate(invalid="ignore"):
        # numpy's own two-sided lerp, so finite results are bit-identical to np.percentile
        out = np.where(frac >= 0.5, b - (b - a) * (1 - frac), a + (b - a) * frac)
        out = np.where(frac > 0, out, a)
    out = np.where(np.isposinf(b) & (frac > 0) | np.isposinf(a), np.inf, out)
    return [float(v) for v in out]
