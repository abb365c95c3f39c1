"""Running a scenario: when reasoning-training compute meets its cap, and the bands around it.

:func:`run` evaluates a scenario's parameters once (:mod:`flopcast.forecast.draws`), draws
them ``n`` times and computes the meeting date of every draw in closed form
(:mod:`flopcast.forecast.trajectory`); :class:`ForecastResult` summarises the draws: dates,
headroom, growth, probabilities, a histogram and monthly percentile bands
(:mod:`flopcast.forecast.bands`). Summaries have the one shape of :mod:`flopcast.core.summary`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from flopcast.core import summary as _summary
from flopcast.core.errors import InputError, ScenarioError
from flopcast.forecast.bands import BAND_BYTES, band_percentiles
from flopcast.forecast.dates import month_grid, to_date, to_year
from flopcast.forecast.draws import Draws, draw, quantities
from flopcast.forecast.scenario import Scenario, list_scenarios, load_scenario
from flopcast.forecast.trajectory import (
    Lines,
    frontier_log,
    meeting_time,
    reasoning_growth,
    reasoning_log,
    softmin10,
)

__all__ = [
    "PERCENTILES",
    "SERIES",
    "ForecastResult",
    "Lines",
    "frontier_log",
    "list_scenarios",
    "load_scenario",
    "meeting_time",
    "reasoning_growth",
    "reasoning_log",
    "run",
    "softmin10",
]

PERCENTILES = (5, 25, 50, 75, 95)
SERIES = ("reasoning", "frontier", "growth")  # what ForecastResult.bands can compute


def run(
    sc: Scenario | str,
    n: int = 20_000,
    seed: int = 0,
    *,
    dataset: Any = None,
    overrides: Mapping[str, Any] | None = None,
) -> ForecastResult:
    """Draw a scenario ``n`` times and compute the meeting date of every draw in closed form.

    Raises :class:`ScenarioError` if the cap sits below the start for the median draw (the
    reasoning start would already exceed what the cap allows).
    """
    if isinstance(sc, str):
        sc = load_scenario(sc, overrides)
    elif overrides:
        sc = sc.with_overrides(overrides)
    n = int(n)
    if n < 1:
        raise InputError(f"the number of samples must be at least 1, got {n}")
    q = quantities(sc, dataset)
    d = draw(q, n, seed)
    lines = Lines.from_draws(d)
    h = lines.headroom
    if np.median(h) < 0:
        raise ScenarioError(
            f"the cap at the start ({to_date(lines.t0)}) is {-np.median(h):.2f} orders of "
            "magnitude below reasoning.start_flop for the median draw, so reasoning compute "
            "would already exceed its cap; raise the cap or lower the start",
            path=sc.path,
            field="cap.share" if d.cap_kind == "share" else "budget.usd_per_year",
        )
    version = getattr(q.dataset, "version", None) if q.dataset is not None else None
    return ForecastResult(
        scenario=sc,
        n=n,
        seed=int(seed),
        draws=d,
        lines=lines,
        meeting_years=lines.meeting(),
        data_version=version,
    )


@dataclass
class ForecastResult:
    """The outcome of :func:`run`: meeting dates per draw and everything summarised from them."""

    scenario: Scenario
    n: int
    seed: int
    draws: Draws
    lines: Lines
    meeting_years: np.ndarray
    data_version: str | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def start_date(self) -> str:
        return to_date(self.lines.t0)

    @property
    def meeting_date(self) -> dict[str, str | None]:
        """Percentiles of the meeting date as ISO dates (None where it never happens)."""
        qs = _percentiles(self.meeting_years, PERCENTILES)
        names = ("p5", "p25", "median", "p75", "p95")
        return {k: (to_date(v) or None) for k, v in zip(names, qs, strict=True)}

    @property
    def headroom_oom(self) -> dict[str, Any]:
        """Orders of magnitude between the reasoning start and the cap at the start date."""
        return _summary.of_samples(self.lines.headroom, unit="OOM")

    @property
    def prob_never(self) -> float:
        """Share of draws in which the cap grows at least as fast as reasoning compute."""
        return float(np.mean(np.isinf(self.meeting_years)))

    @property
    def prob_at_start(self) -> float:
        """Share of draws already at (or above) the cap at the start date."""
        return float(np.mean(self.lines.headroom <= 0))

    def prob_before(self, date: str) -> float:
        """P(meeting date < ``date``)."""
        return float(np.mean(self.meeting_years < to_year(date)))

    @property
    def growth(self) -> dict[str, dict[str, Any]]:
        """Yearly growth factor of reasoning compute before and after the meeting (x per year)."""
        out = {}
        for name, oom in (
            ("before", self.lines.inv_T),
            ("after", self.lines.g_c),
            ("frontier", self.lines.g_f),
        ):
            out[name] = _factor_summary(np.broadcast_to(oom, (self.n,)))
        return out

    def histogram(self, bins: int = 40, range: tuple[float, float] | None = None) -> dict[str, Any]:
        """Counts of the meeting-date draws per bin of decimal years.

        ``range`` (decimal years, ``lo < hi``) defaults to the 0.5th to 99.5th percentile of the
        draws that meet, widened to a year if they all meet at one date. Draws before or after
        it (``below``, ``above``) and those that never meet (``never``) are counted apart, so
        ``sum(counts) + below + above + never == n``. Keys: ``edges`` (``bins + 1``), ``counts``,
        ``below``, ``above``, ``never``, ``n``. No draw that meets: empty edges and counts.
        """
        bins = int(bins)
        if bins < 1:
            raise InputError(f"a histogram needs at least 1 bin, got {bins}")
        years = np.asarray(self.meeting_years, dtype=float)
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

    def reasoning_at(self, date: str | float) -> np.ndarray:
        """log10 FLOP of reasoning compute at a date, one value per draw."""
        t = to_year(date) if isinstance(date, str) else float(date)
        return self.lines.reasoning(np.full((1,), t))[:, 0]

    def frontier_at(self, date: str | float) -> np.ndarray:
        t = to_year(date) if isinstance(date, str) else float(date)
        return self.lines.frontier(np.full((1,), t))[:, 0]

    def bands(
        self,
        years: float = 10,
        percentiles: Iterable[float] = PERCENTILES,
        *,
        series: Iterable[str] = SERIES,
        exact: bool = False,
        max_bytes: int = BAND_BYTES,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, Any]:
        """Percentile bands on a monthly grid from the start date over ``years`` years.

        Keys: ``t`` (decimal years), ``dates`` (ISO), one entry per name in ``series`` --
        ``reasoning`` and ``frontier`` (log10 FLOP), ``growth`` (OOM per year of reasoning
        compute) -- each ``{percentile: [...]}``, and ``met`` (share of draws past their meeting
        date). Ask only for the series you use: each costs a sort of every month's draws.

        Percentiles are numpy's default (linear interpolation between order statistics), read
        from each month's sorted draws, all percentiles of a month from one sort. Months are
        evaluated in chunks of at most ``max_bytes`` per array. NB: unless ``exact``, values
        are sorted as float32: a few 1e-6 OOM of rounding at 1e30 FLOP (up to about 3e-5 with
        a smooth transition), far below the Monte Carlo noise (about 1e-3 OOM at a million
        draws); ``exact=True`` sorts float64 and equals ``np.percentile`` to rounding.
        ``progress(done, total)`` is called after each chunk.
        """
        ps = [float(p) for p in percentiles]
        names = tuple(dict.fromkeys(series))
        unknown = [name for name in names if name not in SERIES]
        if unknown or not names:
            raise InputError(
                f"unknown band series {unknown[0] if unknown else 'none'!r}; "
                f"allowed: {', '.join(SERIES)}"
            )
        if not ps or any(not 0 <= p <= 100 for p in ps):
            raise InputError(f"percentiles must lie in [0, 100], got {ps}")
        if years <= 0:
            raise InputError(f"years must be positive, got {years}")
        cached = self._cache.setdefault(("bands", float(years), tuple(ps), bool(exact)), {})
        if "t" not in cached:
            t = month_grid(self.lines.t0, years)
            # share met: the sorted meeting dates at or before each month (inf sorts last)
            met = np.searchsorted(np.sort(self.meeting_years), t, side="right") / self.n
            cached.update(t=t.tolist(), dates=[to_date(x) for x in t], met=met.tolist())
        missing = [name for name in SERIES if name in names and name not in cached]
        if missing:
            t = np.asarray(cached["t"])
            dtype = np.float64 if exact else np.float32
            acc = band_percentiles(self.lines, t, missing, ps, dtype, max_bytes, progress)
            for name in missing:
                cached[name] = {_pkey(p): acc[name][i].tolist() for i, p in enumerate(ps)}
        out = {"t": cached["t"], "dates": cached["dates"]}
        out.update({name: cached[name] for name in SERIES if name in names})
        out["met"] = cached["met"]
        return out

    def to_dict(self, *, bands_years: float | None = None) -> dict[str, Any]:
        """A JSON-ready summary: scenario, seed, n, data version, dates, headroom, growth."""
        first = int(math.floor(self.lines.t0)) + 1
        out = {
            "scenario": self.scenario.name,
            "scenario_path": self.scenario.path,
            "parameters": self.scenario.parameters,
            "overrides": self.scenario.overrides,
            "resolved": self.draws.resolved,
            "seed": self.seed,
            "samples": self.n,
            "n": self.n,
            "data_version": self.data_version,
            "start_date": self.start_date,
            "meeting_date": self.meeting_date,
            "meeting_years_after_start": _summary.summary(
                lambda ps: _percentiles(self.meeting_years - self.lines.t0, ps), unit="years"
            ),
            "headroom_oom": self.headroom_oom,
            "prob_never": self.prob_never,
            "prob_at_start": self.prob_at_start,
            "prob_before": {
                f"{y}-01-01": self.prob_before(f"{y}-01-01") for y in range(first, first + 5)
            },
            "growth_per_year": self.growth,
        }
        if bands_years:
            out["bands"] = self.bands(bands_years)
        return out


# ---- private helpers --------------------------------------------------------------------------

_BIG = 1e9  # stands in for "never" inside percentile arithmetic


def _percentiles(x: np.ndarray, ps: Iterable[float]) -> list[float]:
    """Percentiles that keep ``inf`` (never) as ``inf`` instead of NaN."""
    finite = np.isfinite(x)
    if not finite.any():
        return [math.inf for _ in ps]
    top = float(np.max(x[finite]))
    y = np.where(finite, x, _BIG)
    return [math.inf if v > top else float(v) for v in np.percentile(y, list(ps))]


def _factor_summary(oom: np.ndarray) -> dict[str, Any]:
    """The summary of ``10 ** oom`` (a yearly growth factor) from draws of ``oom``."""

    def percentile(ps: Any) -> Any:
        return 10 ** np.percentile(oom, ps)

    return _summary.summary(percentile, unit="x per year")


def _pkey(p: float) -> int | float:
    return int(p) if float(p).is_integer() else p
