"""Running a scenario: when reasoning-training compute meets its cap, and the bands around it.

:func:`run` evaluates a scenario's parameters once (:mod:`flopcast.forecast.draws`), draws
them ``n`` times and computes the meeting date of every draw in closed form
(:mod:`flopcast.forecast.trajectory`); :class:`ForecastResult` summarises the draws: dates,
headroom, growth, probabilities, a histogram and monthly percentile bands
(:mod:`flopcast.forecast.bands`). Summaries have the one shape of :mod:`flopcast.core.summary`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import ndtri

from flopcast.core import summary as _summary
from flopcast.core.dates import month_grid, to_date, to_year
from flopcast.core.errors import InputError, ScenarioError
from flopcast.forecast import plausible
from flopcast.forecast.bands import BAND_BYTES, band_percentiles
from flopcast.forecast.caps import CAPS
from flopcast.forecast.draws import Draws, Quantities, draw, quantities
from flopcast.forecast.exact import ExactForecast, exact_form
from flopcast.forecast.histogram import histogram
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
    "METHODS",
    "check_reachable",
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


METHODS = ("auto", "exact", "mc")
_ASKED_MC = "Monte Carlo was asked for (--method mc)"


def run(
    sc: Scenario | str,
    n: int = 20_000,
    seed: int = 0,
    *,
    dataset: Any = None,
    overrides: Mapping[str, Any] | None = None,
    method: str = "auto",
    reuse: ForecastResult | None = None,
) -> ForecastResult:
    """Run a scenario: in closed form where it allows (``method="exact"``,
    :mod:`flopcast.forecast.exact`), by ``n`` Monte Carlo draws otherwise (``"mc"``);
    ``"auto"`` picks the closed form whenever there is one. The result says which it used.

    ``reuse``: an earlier result; if it is in closed form, of an equal scenario and the same
    dataset, its closed form is reused (:meth:`ForecastResult.reseeded`): the same result, without
    evaluating the scenario again.

    Raises :class:`ScenarioError` if the cap sits below the start for the median outcome or if
    ``method="exact"`` is asked of a scenario with no closed form (:func:`check_reachable`
    tells a cap that is never met). Warns (PlausibilityWarning, :mod:`flopcast.forecast.plausible`)
    when a parameter or the median meeting date lies outside its plausible range.
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    if isinstance(sc, str):
        sc = load_scenario(sc, overrides)
    elif overrides:
        sc = sc.with_overrides(overrides)
    n = int(n)
    if n < 1:
        raise InputError(f"the number of samples must be at least 1, got {n}")
    if reuse is not None and _reusable(reuse, sc, dataset, method):
        return reuse.reseeded(seed, n)
    q = quantities(sc, dataset)
    form = exact_form(q) if method != "mc" else _ASKED_MC
    if method == "exact" and isinstance(form, str):
        raise ScenarioError(f"no closed form for this scenario: {form}; use --method mc", sc.path)
    res = ForecastResult(
        scenario=sc,
        n=n,
        seed=int(seed),
        quantities=q,
        exact=None if isinstance(form, str) else form,
        method_note="" if not isinstance(form, str) else form,
        data_version=getattr(q.dataset, "version", None) if q.dataset is not None else None,
    )
    _check_cap(res)
    res.warnings = plausible.warn(q.values, res.t0 + res._years_after_start([50])[0])
    return res


def _reusable(res: ForecastResult, sc: Scenario, dataset: Any, method: str) -> bool:
    """Whether ``res`` is the closed form :func:`run` would make for ``sc`` and ``dataset``."""
    used = res.quantities.dataset  # None: no parameter read the dataset
    same_data = used is None or used is dataset
    return res.exact is not None and method != "mc" and same_data and res.scenario == sc


def _check_cap(res: ForecastResult) -> None:
    """A cap below the start for the median outcome makes no forecast."""
    sc, cap = res.scenario, CAPS[res.scenario.cap_kind]
    e = res.exact
    median_h = e.headroom.mu if e is not None else float(np.median(res.lines.headroom))
    t0 = e.t0 if e is not None else res.lines.t0
    if median_h < 0:
        raise ScenarioError(
            f"the cap at the start ({to_date(t0)}) is {-median_h:.2f} orders of "
            "magnitude below reasoning.start_flop for the median draw, so reasoning compute "
            "would already exceed its cap; raise the cap or lower the start",
            path=sc.path,
            field=cap.level_key,
        )


def check_reachable(res: ForecastResult) -> None:
    """ScenarioError when the cap grows at least as fast as reasoning compute in every outcome,
    so it is never met from below (the CLI calls this; a library caller may want the result,
    whose ``prob_never`` then says so)."""
    e = res.exact
    slower = e.prob_slower if e is not None else float(np.mean(res.lines.inv_T <= res.lines.g_c))
    if slower >= 1.0 - 1e-12:
        raise ScenarioError(
            "the cap grows at least as fast as reasoning compute in every outcome, so "
            "reasoning compute never meets it; slow the cap's growth or speed up reasoning's",
            path=res.scenario.path,
            field="growth.months_per_10x",
        )


@dataclass
class ForecastResult:
    """The outcome of :func:`run`: the meeting date and everything summarised around it.

    ``exact`` holds the closed form when the run used it (``method == "exact"``); then dates,
    headroom, probabilities, growth and the reasoning and frontier bands come from it, and the
    Monte Carlo draws (``draws``, ``lines``, ``meeting_years``) are made only when something
    asks for them (a histogram, the growth band, values at a date).
    """

    scenario: Scenario
    n: int
    seed: int
    quantities: Quantities
    exact: ExactForecast | None = None
    method_note: str = ""  # why Monte Carlo, when it was used
    data_version: str | None = None
    warnings: list[str] = field(default_factory=list)  # PlausibilityWarning messages issued
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def method(self) -> str:
        return "exact" if self.exact is not None else "mc"

    @property
    def draws(self) -> Draws:
        if "draws" not in self._cache:
            self._cache["draws"] = draw(self.quantities, self.n, self.seed)
        return self._cache["draws"]

    @property
    def lines(self) -> Lines:
        if "lines" not in self._cache:
            self._cache["lines"] = Lines.from_draws(self.draws)
        return self._cache["lines"]

    @property
    def meeting_years(self) -> np.ndarray:
        if "meeting" not in self._cache:
            self._cache["meeting"] = self.lines.meeting()
        return self._cache["meeting"]

    @property
    def t0(self) -> float:
        return self.quantities.years["reasoning.start_date"]

    @property
    def start_date(self) -> str:
        return to_date(self.t0)

    @property
    def meeting_date(self) -> dict[str, str | None]:
        """Percentiles of the meeting date as ISO dates (None where it never happens)."""
        qs = [self.t0 + y for y in self._years_after_start(PERCENTILES)]
        names = ("p5", "p25", "median", "p75", "p95")
        return {k: (to_date(v) or None) for k, v in zip(names, qs, strict=True)}

    @property
    def headroom_oom(self) -> dict[str, Any]:
        """Orders of magnitude between the reasoning start and the cap at the start date."""
        if self.exact is None:
            return _summary.of_samples(self.lines.headroom, unit="OOM")
        h = self.exact.headroom
        return _summary.summary(
            lambda ps: h.mu + h.sd * ndtri(np.asarray(ps) / 100.0), mean=h.mu, unit="OOM"
        )

    @property
    def prob_never(self) -> float:
        """Share of outcomes in which the cap grows at least as fast as reasoning compute."""
        if self.exact is not None:
            return self.exact.prob_never
        return float(np.mean(np.isinf(self.meeting_years)))

    @property
    def prob_at_start(self) -> float:
        """Share of outcomes already at (or above) the cap at the start date."""
        if self.exact is not None:
            return self.exact.prob_at_start
        return float(np.mean(self.lines.headroom <= 0))

    def prob_before(self, date: str) -> float:
        """P(meeting date < ``date``)."""
        s = to_year(date) - self.t0
        if self.exact is not None:
            return float(self.exact.meeting_cdf(s)) if s > 0 else 0.0
        return float(np.mean(self.meeting_years < to_year(date)))

    @property
    def growth(self) -> dict[str, dict[str, Any]]:
        """Yearly growth factor of reasoning compute before and after the meeting (x per year)."""
        e = self.exact
        if e is None:
            rates = {
                "before": self.lines.inv_T,
                "after": self.lines.g_c,
                "frontier": self.lines.g_f,
            }
            return {k: _factor_summary(np.broadcast_to(v, (self.n,))) for k, v in rates.items()}

        def before(ps: Any) -> Any:
            return 10 ** (10 ** (e.v.mu + e.v.sd * ndtri(np.asarray(ps) / 100.0)))

        return {
            "before": _summary.summary(before, unit="x per year"),
            "after": _summary.of_point(10**e.g, unit="x per year"),
            "frontier": _summary.of_point(10**e.g_f, unit="x per year"),
        }

    def histogram(self, bins: int = 40, range: tuple[float, float] | None = None) -> dict[str, Any]:
        """Counts of the meeting-date draws per bin of decimal years.

        ``range`` (decimal years, ``lo < hi``) defaults to the 0.5th to 99.5th percentile of the
        draws that meet, widened to a year if they all meet at one date. Draws before or after
        it (``below``, ``above``) and those that never meet (``never``) are counted apart, so
        ``sum(counts) + below + above + never == n``. Keys: ``edges`` (``bins + 1``), ``counts``,
        ``below``, ``above``, ``never``, ``n``. No draw that meets: empty edges and counts.
        """
        return histogram(self.meeting_years, bins, range)

    def reasoning_at(self, date: str | float) -> np.ndarray:
        """log10 FLOP of reasoning compute at a date, one value per draw."""
        t = to_year(date) if isinstance(date, str) else float(date)
        return self.lines.reasoning(np.full((1,), t))[:, 0]  # NB: Monte Carlo draws

    def frontier_at(self, date: str | float) -> np.ndarray:
        t = to_year(date) if isinstance(date, str) else float(date)
        return self.lines.frontier(np.full((1,), t))[:, 0]

    def bands(
        self,
        years: float = 10,
        percentiles: Iterable[float] = PERCENTILES,
        *,
        series: Iterable[str] = SERIES,
        float64: bool = False,
        max_bytes: int = BAND_BYTES,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, Any]:
        """Percentile bands on a monthly grid from the start date over ``years`` years.

        Keys: ``t`` (decimal years), ``dates`` (ISO), one entry per name in ``series`` --
        ``reasoning`` and ``frontier`` (log10 FLOP), ``growth`` (OOM per year of reasoning
        compute) -- each ``{percentile: [...]}``, and ``met`` (share of outcomes past their
        meeting date), and ``method``.

        With the closed form, reasoning, frontier and ``met`` are quantiles and probabilities
        computed exactly (error bound in ``to_dict()["method"]``); the growth band is read
        from Monte Carlo draws. Otherwise every series is read from each month's sorted draws
        (numpy's default linear interpolation between order statistics), months in chunks of at
        most ``max_bytes`` per array. NB: unless ``float64``, draws are sorted as float32: a few
        1e-6 OOM of rounding at 1e30 FLOP, far below the Monte Carlo noise (about 1e-3 OOM at a
        million draws). ``progress(done, total)`` is called after each chunk.
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
        e = self.exact
        if e is not None and any(p in (0.0, 100.0) for p in ps):
            e = None  # the closed form has no finite 0th or 100th percentile
        cached = self._cache.setdefault(("bands", float(years), tuple(ps), bool(float64)), {})
        t = month_grid(self.t0, years)
        if "t" not in cached:
            if e is not None:
                met = e.meeting_cdf(t - self.t0)
            else:  # the sorted meeting dates at or before each month (inf sorts last)
                met = np.searchsorted(np.sort(self.meeting_years), t, side="right") / self.n
            cached.update(t=t.tolist(), dates=[to_date(x) for x in t], met=met.tolist())
        missing = [name for name in SERIES if name in names and name not in cached]
        if e is not None:
            closed = {"reasoning": e.reasoning_quantiles, "frontier": e.frontier_quantiles}
            for name in [m for m in missing if m in closed]:
                values = closed[name](t - self.t0, ps)
                cached[name] = {_pkey(p): values[i].tolist() for i, p in enumerate(ps)}
                missing.remove(name)
        if missing:
            dtype = np.float64 if float64 else np.float32
            acc = band_percentiles(self.lines, t, missing, ps, dtype, max_bytes, progress)
            for name in missing:
                cached[name] = {_pkey(p): acc[name][i].tolist() for i, p in enumerate(ps)}
        out = {"t": cached["t"], "dates": cached["dates"]}
        out.update({name: cached[name] for name in SERIES if name in names})
        out["met"] = cached["met"]
        return out

    def to_dict(self, *, bands_years: float | None = None) -> dict[str, Any]:
        """A JSON-ready summary: scenario, seed, n, data version, dates, headroom, growth."""
        first = int(math.floor(self.t0)) + 1
        out = {
            "scenario": self.scenario.name,
            "scenario_path": self.scenario.path,
            "parameters": self.scenario.parameters,
            "overrides": self.scenario.overrides,
            "resolved": self.quantities.resolved,
            "method": self.method_info(),
            "seed": self.seed,
            "samples": self.n,
            "n": self.n,
            "data_version": self.data_version,
            "start_date": self.start_date,
            "meeting_date": self.meeting_date,
            "meeting_years_after_start": _summary.summary(self._years_after_start, unit="years"),
            "headroom_oom": self.headroom_oom,
            "prob_never": self.prob_never,
            "prob_at_start": self.prob_at_start,
            "prob_before": {
                f"{y}-01-01": self.prob_before(f"{y}-01-01") for y in range(first, first + 5)
            },
            "growth_per_year": self.growth,
            "warnings": list(self.warnings),
        }
        if bands_years:
            out["bands"] = self.bands(bands_years)
        return out

    def reseeded(self, seed: int, n: int | None = None) -> ForecastResult:
        """This forecast with another ``seed`` (and ``n``), as :func:`run` would make it.

        In closed form only the draws depend on the seed and ``n`` (a histogram, the growth
        band, values at a date): the copy shares the closed form and the quantiles it has
        computed, warnings included (not issued again), and draws anew when asked. A Monte
        Carlo forecast is run again.
        """
        n = self.n if n is None else int(n)
        if self.exact is None or n < 1:  # run says why n is wrong
            how = "mc" if self.method_note == _ASKED_MC else "auto"
            return run(self.scenario, n, seed, dataset=self.quantities.dataset, method=how)
        return dataclasses.replace(
            self, n=n, seed=int(seed), warnings=list(self.warnings), _cache={}
        )

    def method_info(self) -> dict[str, Any]:
        """How the numbers were computed: ``used`` (exact or mc), why, and the error bound."""
        if self.exact is None:
            return {"used": "mc", "samples": self.n, "why": self.method_note}
        if not self.exact.error:
            # NB: the grid as `bands(years=10)` makes it, so the dashboard's bands reuse it
            self.exact.estimate_error(month_grid(self.t0, 10.0) - self.t0, PERCENTILES)
        return {
            "used": "exact",
            "why": "closed form: one-dimensional Gauss-Hermite quadrature over the growth rate",
            "error_bound": dict(self.exact.error),
        }

    def _years_after_start(self, ps: Any) -> list[float]:
        if self.exact is not None:
            return [float(v) for v in self.exact.meeting_quantiles(ps)]
        return _percentiles(self.meeting_years - self.lines.t0, ps)


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
