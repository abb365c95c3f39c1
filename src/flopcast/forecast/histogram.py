"""A histogram of meeting dates (decimal years), with the draws outside it counted apart."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from flopcast.core.errors import InputError

__all__ = ["histogram"]


def histogram(
    meeting_years: np.ndarray, bins: int = 40, range: tuple[float, float] | None = None
) -> dict[str, Any]:
    """See :meth:`flopcast.forecast.model.ForecastResult.histogram`."""

    bins = int(bins)
    if bins < 1:
        raise InputError(f"a histogram needs at least 1 bin, got {bins}")
    years = np.asarray(meeting_years, dtype=float)
    finite = years[np.isfinite(years)]
    out = {"never": int(years.size - finite.size), "n": int(years.size)}
    if range is None:
        if finite.size == 0:
            return {"edges": [], "counts": [], "below": 0, "above": 0, **out}
        lo, hi = (float(v) for v in np.percentile(finite, [0.5, 99.5]))
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
    else:
        try:
            lo, hi = (float(v) for v in range)
        except (TypeError, ValueError):
            lo, hi = math.nan, math.nan
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise InputError(
                f"a histogram range is two finite decimal years, low < high; got {range!r}"
            )
    counts, edges = np.histogram(finite, bins=bins, range=(lo, hi))
    return {
        "edges": edges.tolist(),
        "counts": counts.tolist(),
        "below": int(np.count_nonzero(finite < lo)),
        "above": int(np.count_nonzero(finite > hi)),
        **out,
    }
