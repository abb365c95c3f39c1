"""Proper scores of a forecast (draws) against one observation, in log10 units.

* **log score**: the natural log of the forecast's density at the observation, the density
  estimated from the draws by a Gaussian kernel (Scott's bandwidth, scipy's ``gaussian_kde``);
  higher is better; per OOM.
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
from scipy.stats import gaussian_kde

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
    dens = float(gaussian_kde(x)(np.array([y]))[0])
    return math.log(dens) if dens > 0 else -math.inf


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
