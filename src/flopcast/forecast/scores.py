"""Proper scores of a forecast (draws) against one observation, in log10 units.

* **log score**: the natural log of the forecast's density at the observation, the density
  estimated from the draws by a Gaussian kernel with Scott's bandwidth ``h = sd n^(-1/5)``
  (what scipy's ``gaussian_kde`` uses in one dimension), summed in log space so that an
  observation far in the tail gets a finite, very low score instead of ``-inf``; higher is
  better; per OOM.
* **CRPS** (continuous ranked probability score, Gneiting & Raftery 2007, JASA 102:359):
  ``E|X - y| - E|X - X'| / 2`` for draws ``X`` of the forecast, in OOM; lower is better; from
  sorted draws, ``E|X - X'| = 2 / n^2 sum_i (2 i - n - 1) x_(i)``.
* **PIT**, the share of draws below the observation, and whether the observation lies inside
  the central 50% and 90% bands.

NB: the observation is the record's median; its own spread is not scored.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["crps", "log_score", "score"]

_KDE_DRAWS = 20_000  # a kernel density needs no more draws than this


def crps(draws: np.ndarray, y: float) -> float:
    """CRPS of draws against ``y`` (same units), exactly for the empirical distribution."""
    x = np.sort(np.asarray(draws, dtype=float))
    n = len(x)
    spread = 2.0 / n**2 * float(np.sum((2 * np.arange(1, n + 1) - n - 1) * x))
    return float(np.mean(np.abs(x - y))) - 0.5 * spread


def log_score(draws: np.ndarray, y: float) -> float:
    """ln density at ``y`` of a Gaussian kernel estimate of the draws' distribution."""
    x = np.asarray(draws, dtype=float)[:_KDE_DRAWS]
    if np.ptp(x) == 0:
        return math.inf if y == x[0] else -math.inf
    n = len(x)
    h = float(np.std(x, ddof=1)) * n ** (-0.2)  # Scott's rule in one dimension
    a = -0.5 * ((y - x) / h) ** 2
    top = float(a.max())
    return top + math.log(float(np.exp(a - top).sum())) - math.log(n * h * math.sqrt(2 * math.pi))


def score(draws: np.ndarray, y: float) -> dict[str, Any]:
    """Every score of one observation: ``pit``, ``inside_50``, ``inside_90``, ``log_score``,
    ``crps``."""
    pit = float(np.mean(np.asarray(draws) < y))
    return {
        "pit": pit,
        "inside_50": bool(0.25 <= pit <= 0.75),
        "inside_90": bool(0.05 <= pit <= 0.95),
        "log_score": log_score(draws, y),
        "crps": crps(draws, y),
    }
