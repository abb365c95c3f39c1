"""Which assumption moves the meeting date most.

Two views on the same Monte Carlo draws of a scenario (:func:`flopcast.forecast.draws.draw`):

* **one at a time (tornado)**: every parameter at its median, then one parameter at its 5th and
  at its 95th percentile; the swing is the distance between the two meeting dates (closed form,
  :func:`flopcast.forecast.trajectory.meeting_time`). A parameter held fixed has p5 = p95, hence a swing of
  exactly zero.
* **variance-based**: the first-order Sobol index ``S_i = Var(E[Y | X_i]) / Var(Y)`` of the
  meeting time ``Y`` (years after the start), estimated from the draws by cutting ``X_i`` into
  20 quantile bins (the correlation ratio; Saltelli et al., *Global Sensitivity Analysis: The
  Primer*, 2008, ch. 1). NB: interactions are not attributed, so the shares need not sum to 1,
  and a parameter that does not matter still gets a small positive estimate of order
  ``bins / n``; a constant parameter gets exactly 0.

NB: "never meets" draws are counted at a horizon of ``NEVER_YEARS`` after the start, so that
the variance stays finite.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from flopcast.core.dates import to_date
from flopcast.core.errors import InputError
from flopcast.forecast.draws import Draws, draw
from flopcast.forecast.params import PARAMETERS
from flopcast.forecast.scenario import Scenario, load_scenario
from flopcast.forecast.trajectory import Lines

NEVER_YEARS = 50.0
BINS = 20


def sensitivity(
    sc: Scenario | str,
    n: int = 20_000,
    seed: int = 0,
    *,
    dataset: Any = None,
    overrides: dict[str, Any] | None = None,
    bins: int = BINS,
) -> list[dict]:
    """One row per quantity parameter the scenario uses, largest swing first.

    Row keys: ``parameter``, ``value`` (its text), ``unit``, ``low``/``high`` (its 5th and 95th
    percentile), ``median_low``/``median_high`` (ISO meeting dates with the parameter at low or
    high and every other one at its median), ``years_low``/``years_high`` (the same in years
    after the start), ``swing_years``, ``variance_share`` (first-order index) and ``fixed``.
    """
    if isinstance(sc, str):
        sc = load_scenario(sc, overrides)
    elif overrides:
        sc = sc.with_overrides(overrides)
    if int(n) < 2 * bins:
        raise InputError(f"sensitivity needs at least {2 * bins} samples, got {n}")
    d = draw(sc, int(n), seed, dataset)
    lines = Lines.from_draws(d)
    y = _years_after_start(lines)
    medians = {k: float(np.median(v)) for k, v in d.values.items()}
    base = _meeting_at(d, medians)
    rows: list[dict[str, Any]] = []
    for key, x in d.values.items():
        lo, hi = (float(v) for v in np.percentile(x, [5, 95]))
        fixed = bool(np.all(x == x[0]))
        if fixed:
            lo = hi = float(x[0])
        t_lo = _meeting_at(d, {**medians, key: lo})
        t_hi = _meeting_at(d, {**medians, key: hi})
        swing = abs(t_hi - t_lo) if np.isfinite(t_hi) or np.isfinite(t_lo) else 0.0
        if fixed:
            swing = 0.0
        rows.append(
            {
                "parameter": key,
                "value": sc.value(key),
                "unit": PARAMETERS[key].unit,
                "low": lo,
                "high": hi,
                "median_low": to_date(t_lo) or None,
                "median_high": to_date(t_hi) or None,
                "years_low": t_lo - lines.t0,
                "years_high": t_hi - lines.t0,
                "swing_years": float(swing),
                "variance_share": 0.0 if fixed else correlation_ratio(x, y, bins),
                "fixed": fixed,
                "baseline": to_date(base) or None,
            }
        )
    rows.sort(key=lambda r: (-r["swing_years"], -r["variance_share"], r["parameter"]))
    return rows


def correlation_ratio(x: np.ndarray, y: np.ndarray, bins: int = BINS) -> float:
    """``Var(E[y | x]) / Var(y)`` with ``x`` cut into ``bins`` quantile bins (ties kept together)."""
    var = float(np.var(y))
    if var == 0 or np.all(x == x[0]):
        return 0.0
    edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)[1:-1]))
    labels = np.searchsorted(edges, x, side="right")
    counts = np.bincount(labels)
    sums = np.bincount(labels, weights=y)
    used = counts > 0
    means = sums[used] / counts[used]
    between = float(np.sum(counts[used] * (means - y.mean()) ** 2) / len(y))
    return between / var


def _years_after_start(lines: Lines) -> np.ndarray:
    y = lines.meeting() - lines.t0
    return np.where(np.isfinite(y), y, NEVER_YEARS)


def _meeting_at(d: Draws, values: dict[str, float]) -> float:
    """Meeting year for one set of parameter values (every quantity given as a number)."""
    one = Draws(
        n=1,
        values={k: np.array([v]) for k, v in values.items()},
        years=d.years,
        cap_kind=d.cap_kind,
        resolved=d.resolved,
        choices=d.choices,
    )
    return float(Lines.from_draws(one).meeting()[0])
