"""When does reasoning-training compute meet the frontier, and how fast does it grow after?

The model (Epoch AI, "How far can reasoning models scale?", May 2025,
https://epoch.ai/gradient-updates/how-far-can-reasoning-models-scale), in log10 FLOP with time
``t`` in decimal years:

* frontier of total training compute ``f(t) = f0 + g_f (t - t_f0)``, ``g_f = log10(4)`` per
  year by default (https://epoch.ai/blog/training-compute-of-frontier-ai-models-grows-by-4-5x-per-year);
* a cap on reasoning compute, a straight line ``c(t) = c0 + g_c (t - t_c)``: a share of the
  frontier (``c0 = f0 + log10(share)``, ``g_c = g_f``) or what a yearly budget buys
  (``c0 = log10(B / p)``, ``g_c = log10(budget growth) + log10(price decline)``);
* reasoning compute ``u(t) = r0 + (t - t0) / T`` (``T`` years per 10x) until it meets the cap,
  then the cap: ``r(t) = min(u(t), c(t))`` for ``t >= t0``.

Meeting time, per parameter draw, in closed form (no time loop): with headroom
``h = c(t0) - r0`` (orders of magnitude) and closing speed ``d = 1/T - g_c`` (OOM per year),
``t* = t0 + h / d`` if ``h > 0`` and ``d > 0``; ``t0`` if ``h <= 0`` (already at the cap);
never (``inf``) if ``h > 0`` and ``d <= 0``.

Every parameter may be uncertain: a scenario (:mod:`flopcast.forecast.scenario`) is drawn ``n`` times
and every formula here runs on numpy arrays of draws. Percentile bands over time are computed on
a monthly grid in chunks of months, so memory stays bounded for a million draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from flopcast.core.errors import InputError, ScenarioError
from flopcast.forecast.scenario import (
    Draws,
    Scenario,
    draw,
    list_scenarios,
    load_scenario,
    to_date,
    to_year,
)

__all__ = [
    "ForecastResult",
    "Lines",
    "SERIES",
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
BAND_BYTES = 64 * 2**20  # memory budget of one chunk of band columns
_TEMPORARIES = 4  # arrays of one chunk's shape alive at once while it is evaluated


# ---- the formulas ------------------------------------------------------------------------------


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
    a, b, w = _floats(a), _floats(b), np.asarray(width, float)
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


# ---- caps (registry) ---------------------------------------------------------------------------

CapLine = tuple[np.ndarray, float, np.ndarray]  # (c0 log10 FLOP at t_c, t_c, g_c OOM/yr)
_CAPS: dict[str, Callable[[Draws], CapLine]] = {}


def _cap(kind: str) -> Callable:
    def register(fn: Callable[[Draws], CapLine]) -> Callable[[Draws], CapLine]:
        if kind in _CAPS:
            raise ValueError(f"cap kind {kind!r} is registered twice")
        _CAPS[kind] = fn
        return fn

    return register


@_cap("share")
def _share_cap(d: Draws) -> CapLine:
    """A share of the frontier: ``c(t) = f(t) + log10(share)``."""
    v = d.values
    c0 = np.log10(v["frontier.flop"]) + np.log10(v["cap.share"])
    return c0, d.years["frontier.date"], np.log10(v["frontier.growth_per_year"])


@_cap("budget")
def _budget_cap(d: Draws) -> CapLine:
    """What a yearly budget buys: ``c(t) = log10(B(t) / p(t))``, both exponential in time."""
    v = d.values
    c0 = np.log10(v["budget.usd_per_year"]) - np.log10(v["budget.usd_per_flop"])
    g_c = np.log10(v["budget.growth_per_year"]) + np.log10(v["budget.price_decline_per_year"])
    return c0, d.years["budget.date"], g_c


# ---- lines: draws as the model's numbers -------------------------------------------------------


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
        c0, t_c, g_c = _CAPS[d.cap_kind](d)
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

    def frontier(self, t: Any) -> np.ndarray:
        return frontier_log(t, _col(self.f0), self.t_f0, _col(self.g_f))


def _col(a: np.ndarray) -> np.ndarray:
    return a[:, None] if np.ndim(a) == 1 else a


# ---- running a scenario ------------------------------------------------------------------------


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
    d = draw(sc, n, seed, dataset)
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
    version = None
    if d.resolved:
        from flopcast.evidence import dataset as _dataset

        version = getattr(dataset if dataset is not None else _dataset.load(), "version", None)
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
    def headroom_oom(self) -> dict[str, float]:
        """Orders of magnitude between the reasoning start and the cap at the start date."""
        p5, p50, p95 = np.percentile(self.lines.headroom, [5, 50, 95])
        return {"median": float(p50), "p5": float(p5), "p95": float(p95)}

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
    def growth(self) -> dict[str, dict[str, float]]:
        """Yearly growth factor of reasoning compute before and after the meeting (x per year)."""
        out = {}
        for name, oom in (
            ("before", self.lines.inv_T),
            ("after", self.lines.g_c),
            ("frontier", self.lines.g_f),
        ):
            p5, p50, p95 = np.percentile(np.broadcast_to(oom, (self.n,)), [5, 50, 95])
            out[name] = {"median": 10**p50, "p5": 10**p5, "p95": 10**p95}
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
            t = self.lines.t0 + np.arange(int(round(years * 12)) + 1) / 12.0
            # share met: the sorted meeting dates at or before each month (inf sorts last)
            met = np.searchsorted(np.sort(self.meeting_years), t, side="right") / self.n
            cached.update(t=t.tolist(), dates=[to_date(x) for x in t], met=met.tolist())
        missing = [name for name in SERIES if name in names and name not in cached]
        if missing:
            t = np.asarray(cached["t"])
            dtype = np.float64 if exact else np.float32
            acc = _band_percentiles(self.lines, t, missing, ps, dtype, max_bytes, progress)
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
            "meeting_years_after_start": _summary(self.meeting_years - self.lines.t0),
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


def _floats(x: Any) -> np.ndarray:
    """``x`` as a float array, keeping float32 as float32 (bands sort float32 values)."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(float)


def _percentiles(x: np.ndarray, ps: Iterable[float]) -> list[float]:
    """Percentiles that keep ``inf`` (never) as ``inf`` instead of NaN."""
    finite = np.isfinite(x)
    if not finite.any():
        return [math.inf for _ in ps]
    top = float(np.max(x[finite]))
    y = np.where(finite, x, _BIG)
    return [math.inf if v > top else float(v) for v in np.percentile(y, list(ps))]


def _band_percentiles(
    lines: Lines,
    t: np.ndarray,
    names: Iterable[str],
    ps: list[float],
    dtype: type,
    max_bytes: int,
    progress: Callable[[int, int], None] | None,
) -> dict[str, np.ndarray]:
    """Percentiles ``ps`` of each series in ``names`` at each time ``t``: ``{name: (len(ps),
    len(t))}``. Draws lie along rows (one row per month, contiguous), so each month is one
    in-place sort; time is counted from the start, so float32 keeps its precision."""
    n = len(lines.r0)
    s_all = t - lines.t0  # years since the start

    def row(a: Any) -> Any:
        return np.asarray(a, dtype=dtype)[None, :] if np.ndim(a) else dtype(a)

    # each line moved to the start date (in float64), then cast: c(t) = c_start + g_c s
    c_start = row(lines.c0 + lines.g_c * (lines.t0 - lines.t_c))
    f_start = lines.f0 + lines.g_f * (lines.t0 - lines.t_f0)
    r0, inv_T, g_c, g_f, width = (
        row(a) for a in (lines.r0, lines.inv_T, lines.g_c, lines.g_f, lines.width)
    )
    f_row = row(f_start)
    out = {name: np.empty((len(ps), len(t))) for name in names}
    todo = list(names)
    if "frontier" in todo and np.ptp(np.atleast_1d(lines.g_f)) == 0:
        # NB: one slope for every draw: percentiles of f_start + g s are those of f_start plus
        # g s (linear interpolation commutes with a shift), so no month needs sorting
        g = float(np.atleast_1d(lines.g_f)[0])
        start = np.percentile(np.broadcast_to(f_start, (n,)), ps)
        out["frontier"][:] = start[:, None] + g * s_all[None, :]
        todo.remove("frontier")
    if not todo:
        if progress is not None:
            progress(len(t), len(t))
        return out

    # NB: one chunk holds about _TEMPORARIES arrays of step x n values at once
    step = max(1, min(len(t), int(max_bytes // (np.dtype(dtype).itemsize * n * _TEMPORARIES))))
    smooth = bool(np.any(np.asarray(lines.width) > 0))
    # At the kink, reasoning and growth share u(t) and c(t): they are evaluated once per chunk,
    # in place, into buffers allocated once (fresh large arrays cost page faults every time).
    slots = [*(() if smooth else ("u", "c", "growth")), "frontier"]
    buf = dict(zip(slots, np.empty((len(slots), step, n), dtype), strict=True))
    for lo in range(0, len(t), step):
        s: np.ndarray = s_all[lo : lo + step, None].astype(dtype)
        m = len(s)
        chunk: dict[str, np.ndarray] = {}
        if smooth:  # the softmin: the formulas as written
            if "reasoning" in todo:
                r = reasoning_log(s, r0, 0.0, inv_T, c_start, 0.0, g_c, width)
                chunk["reasoning"] = np.array(np.broadcast_to(r, (m, n)), dtype=dtype)
            if "growth" in todo:
                gr = reasoning_growth(s, r0, 0.0, inv_T, c_start, 0.0, g_c, width)
                chunk["growth"] = np.array(np.broadcast_to(gr, (m, n)), dtype=dtype)
        elif "reasoning" in todo or "growth" in todo:
            u = np.multiply(inv_T, s, out=buf["u"][:m])
            u += r0  # u(t) = r0 + s / T
            c = np.multiply(g_c, s, out=buf["c"][:m])
            c += c_start  # c(t) = c_start + g_c s
            if "growth" in todo:  # reasoning_growth at the kink: 1/T before it, g_c from it on
                growth = buf["growth"][:m]
                growth[...] = g_c
                np.copyto(growth, inv_T, where=u < c)
                chunk["growth"] = growth
            if "reasoning" in todo:  # reasoning_log at the kink: min(u, c)
                chunk["reasoning"] = np.minimum(u, c, out=u)
        if "frontier" in todo:  # frontier_log: f(t) = f_start + g_f s
            frontier = np.multiply(g_f, s, out=buf["frontier"][:m])
            frontier += f_row
            chunk["frontier"] = frontier
        for name, values in chunk.items():
            values.sort(axis=1)
            out[name][:, lo : lo + step] = _sorted_percentiles(values, ps)
        del chunk
        if progress is not None:
            progress(min(lo + step, len(t)), len(t))
    return out


def _sorted_percentiles(rows: np.ndarray, ps: list[float]) -> np.ndarray:
    """Percentiles of each sorted row, ``(len(ps), len(rows))``: numpy's default ('linear')
    method, ``h = (n - 1) p / 100`` between order statistics ``floor(h)`` and ``floor(h) + 1``,
    with numpy's lerp (from the upper neighbour when the weight is at least 0.5)."""
    n = rows.shape[1]
    h = (n - 1) * (np.asarray(ps, dtype=float) / 100.0)
    below = np.floor(h).astype(np.intp)
    above = np.minimum(below + 1, n - 1)
    g = (h - below)[:, None]
    a = rows[:, below].T.astype(float)
    b = rows[:, above].T.astype(float)
    diff = b - a
    return np.where(g >= 0.5, b - diff * (1.0 - g), a + diff * g)


def _summary(x: np.ndarray) -> dict[str, float]:
    p5, p25, p50, p75, p95 = _percentiles(x, PERCENTILES)
    return {"median": p50, "p5": p5, "p25": p25, "p75": p75, "p95": p95}


def _pkey(p: float) -> int | float:
    return int(p) if float(p).is_integer() else p
