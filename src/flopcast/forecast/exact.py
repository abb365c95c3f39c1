"""Dates, headroom and monthly bands in closed form, no sampling, when the scenario allows it.

With ``log10`` start ``r0 ~ N(mu_r, sd_r)``, cap at the start ``c ~ N(mu_c, sd_c)`` (independent
of ``r0``), growth ``v = 1/T`` lognormal (``log10 v ~ N(mu_v, sd_v)``) and a cap slope ``g`` and
frontier slope ``g_f`` that are numbers, everything the forecast shows is a one-dimensional
integral over ``v``:

* headroom ``h = c - r0 ~ N(mu_c - mu_r, sd_c^2 + sd_r^2)``, exactly;
* meeting ``s`` years after the start: ``P(t* <= t0 + s)
  ... = E[Phi((max(v - g, 0) s - mu_h) / sd_h)]`` (Gauss-Hermite over ``log10 v``); its
  quantiles by Newton's method with the density kept inside a bracket; ``P(never) = P(h > 0)
  P(v <= g)``, exactly;
* reasoning compute ``R = min(r0 + v s, c + g s)``: ``P(R <= y) = 1 - A(y) B(y)`` with
  ``A = E[1 - Phi((y - mu_r - v s) / sd_r)]`` (Gauss-Hermite over ``log10 v``) and
  ``B = 1 - Phi((y - mu_c - g s) / sd_c)``; quantiles by Newton's method kept inside a bracket
  (``Q_{X+Y}(q) >= Q_X(q/2) + Q_Y(q/2)`` and ``<= Q_X((1+q)/2) + Q_Y((1+q)/2)``);
* the frontier ``f(t0 + s) ~ N(mu_f + g_f s, sd_f^2)``, exactly.

Error bound: the integrands are smooth (analytic in the node variable), so Gauss rules converge
geometrically; :attr:`ExactForecast.error` states the a-posteriori bound, the largest change
of any date (days) or band value (OOM) between ``NODES`` and ``NODES // 2`` nodes, which bounds
the error of the coarser rule and, conservatively, of the finer one. Costs do not depend on a
draw count: there are no draws.

When a condition fails (a smooth transition, an uncertain slope of the cap, a parameter that is
not lognormal, a known-number start or cap, dependent start and cap), :func:`exact_form` says
which, and the forecast uses Monte Carlo.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy.special import ndtr, ndtri

from flopcast.forecast.caps import CAPS
from flopcast.forecast.draws import Quantities
from flopcast.forecast.lognormal import Log10Normal
from flopcast.forecast.params import check_draws

NODES = 24  # quadrature nodes; the error estimate uses half as many
_NEWTON_STEPS = 40  # at most; stops when every step is below _TOL
_TOL = 1e-10  # OOM (bands) and years (dates)
_MEETING_STEPS = 64  # at most, Newton steps for a meeting quantile (about 3 in practice)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_MEMO = 64  # quantile sets remembered per closed form
_MEMO_PERCENTILES = 512  # meeting percentiles remembered per rule (a dashboard asks for many)
# Where meeting quantiles are first looked for: about an hour to 1,000 years after the start, 24 points
# a decade (a target outside it is bracketed by doubling instead)
_GRID = np.geomspace(1e-4, 1e3, 7 * 24 + 1)

__all__ = ["NODES", "ExactForecast", "exact_form"]


def exact_form(q: Quantities) -> ExactForecast | str:
    """The closed form of a scenario, or the reason there is none (one sentence)."""
    w = q.values["transition.width_oom"]
    if not (w.is_point and float(w.median()) == 0.0):
        return "transition.width_oom is not 0 (a smooth turn onto the cap)"
    forms = {}
    for key in ("reasoning.start_flop", "growth.months_per_10x", "frontier.flop"):
        form = Log10Normal.of(q.values[key])
        if form is None:
            return f"{key} is not lognormal or a number"
        forms[key] = form
    _check_bounds(q)
    g_f = Log10Normal.of(q.values["frontier.growth_per_year"])
    if g_f is None or not g_f.is_point:
        return "frontier.growth_per_year is uncertain"
    cap = CAPS[q.cap_kind].exact(q)
    if isinstance(cap, str):
        return cap
    c0, t_c, g_c = cap
    r0, months = forms["reasoning.start_flop"], forms["growth.months_per_10x"]
    for other in ("frontier.flop", "growth.months_per_10x", *_cap_keys(q)):
        if other in q.values and q.shares_inputs("reasoning.start_flop", other):
            return f"reasoning.start_flop and {other} share inputs (dependent draws)"
    if r0.is_point or c0.is_point:
        return "the start or the cap is a known number (an atom the closed form does not cover)"
    t0 = q.years["reasoning.start_date"]
    return ExactForecast(
        r0=r0,
        t0=t0,
        v=Log10Normal(math.log10(12.0) - months.mu, months.sd),
        cap=c0.shift(g_c * (t0 - t_c)),
        g=g_c,
        frontier=forms["frontier.flop"].shift(g_f.mu * (t0 - q.years["frontier.date"])),
        g_f=g_f.mu,
    )


@dataclass
class ExactForecast:
    """The closed form of one scenario: log10 values at the start ``t0`` and slopes (OOM/yr)."""

    r0: Log10Normal  # reasoning compute at t0
    t0: float
    v: Log10Normal  # log10 of the growth rate 1/T, OOM per year
    cap: Log10Normal  # the cap at t0
    g: float  # the cap's slope
    frontier: Log10Normal  # the frontier at t0
    g_f: float
    nodes: int = NODES
    error: dict[str, float] = field(default_factory=dict)
    # Quantiles already computed, by their arguments: the fields above do not change once
    # made, and a forecast asks for the same percentiles several times (and, reseeded, once
    # per request: ForecastResult.reseeded).
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def headroom(self) -> Log10Normal:
        """``h = c(t0) - r0`` in OOM, a normal (Log10Normal as the carrier of mean and sd)."""
        return self.cap.plus(self.r0, -1.0)

    @property
    def prob_at_start(self) -> float:
        h = self.headroom
        return float(ndtr(-h.mu / h.sd))

    @property
    def prob_slower(self) -> float:
        """``P(v <= g)``: the cap grows at least as fast as reasoning compute."""
        if self.g <= 0:
            return 0.0
        if self.v.sd == 0:
            return float(10**self.v.mu <= self.g)
        return float(ndtr((math.log10(self.g) - self.v.mu) / self.v.sd))

    @property
    def prob_never(self) -> float:
        return (1.0 - self.prob_at_start) * self.prob_slower

    def meeting_cdf(self, s: Any, nodes: int | None = None) -> np.ndarray:
        """``P(t* <= t0 + s) = P(h <= max(v - g, 0) s)`` for years ``s >= 0`` after the start.

        A draw with ``v <= g`` meets at the start if ``h <= 0`` and never otherwise. Integrated
        over whichever of ``h`` and ``v s`` has the smaller spread at ``s``, the other in closed
        form: ``E_v[Phi((max(v - g, 0) s - mu_h) / sd_h)]`` or ``E_h[1 if h <= 0 else
        P(v >= g + h / s)]``.
        """
        return self._meeting(np.asarray(s, dtype=float), nodes, density=False)[0]

    def meeting_pdf(self, s: Any, nodes: int | None = None) -> np.ndarray:
        """The density of the meeting time, ``d/ds`` of :meth:`meeting_cdf` (per year), by the
        same rule: ``E_v[phi(.) max(v - g, 0) / sd_h]`` or ``E_h[f_v(g + h / s) h / s^2]``."""
        return self._meeting(np.asarray(s, dtype=float), nodes, density=True)[1]

    def _meeting(
        self, s: np.ndarray, nodes: int | None, *, density: bool
    ) -> tuple[np.ndarray, Any]:
        """The CDF at ``s`` and, with ``density``, the density (without it, None: the density
        costs another pass over the nodes)."""
        h = self.headroom
        z, w = _hermite(nodes or self.nodes)
        v = 10.0 ** (self.v.mu + self.v.sd * z)
        a = np.maximum(v - self.g, 0.0)
        zv = (a * s[..., None] - h.mu) / h.sd
        over_v = ndtr(zv) @ w
        d_v = (np.exp(-0.5 * zv * zv) * a) @ w * (_INV_SQRT_2PI / h.sd) if density else None
        if self.v.sd == 0:
            return over_v, d_v
        hz = h.mu + h.sd * z  # headroom at the nodes
        safe_s = np.where(s > 0, s, 1.0)[..., None]
        with np.errstate(divide="ignore", invalid="ignore"):
            need = np.maximum(self.g + hz / safe_s, 1e-300)
            zn = (np.log10(need) - self.v.mu) / self.v.sd
            faster = ndtr(-zn)
        # NB: 1 for h <= 0 (met at the start) inside the integral, not P(h <= 0) added outside:
        # the integrand stays continuous, so the Gauss rule keeps its geometric convergence
        over_h = np.where(hz > 0, faster, 1.0) @ w
        use_h = (10**self.v.mu * s * math.log(10) * self.v.sd > h.sd) & (s > 0)
        if not density:
            return np.where(use_h, over_h, over_v), None
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            f = np.exp(-0.5 * zn * zn) * hz / (need * safe_s * safe_s)
        d_h = np.where(hz > 0, f, 0.0) @ w * (_INV_SQRT_2PI / (self.v.sd * math.log(10)))
        return np.where(use_h, over_h, over_v), np.where(use_h, d_h, d_v)

    def meeting_quantiles(
        self, ps: Any, nodes: int | None = None, *, start: np.ndarray | None = None
    ) -> np.ndarray:
        """Years after the start at which a share ``p`` of outcomes has met (inf: never).

        ``start``: where Newton's method starts, one value per ``p`` (e.g. the same quantiles
        by another rule, for the error estimate); the answer does not depend on it."""
        p = np.asarray(ps, dtype=float) / 100.0
        # remembered per percentile: callers ask for overlapping sets (the median, then five
        # percentiles, then those with the interval's ends)
        known = self._memo.setdefault(("meeting", nodes or self.nodes), {})
        flat = p.ravel()
        todo = np.unique(flat[[float(x) not in known for x in flat]])
        if todo.size:
            if len(known) >= _MEMO_PERCENTILES:
                known.clear()
            guess = None
            if start is not None:
                at = {float(x): float(g) for x, g in zip(flat, np.ravel(start), strict=True)}
                guess = np.array([at[x] for x in todo.tolist()])
            found = self._meeting_quantiles(todo, nodes, guess)
            known.update(zip(todo.tolist(), found.tolist(), strict=True))
        return np.array([known[float(x)] for x in flat]).reshape(p.shape)

    def _meeting_quantiles(
        self, p: np.ndarray, nodes: int | None, start: np.ndarray | None = None
    ) -> np.ndarray:
        out = np.full(p.shape, np.inf)
        at_start = p <= self.prob_at_start
        out[at_start] = 0.0
        todo = ~at_start & (p < 1.0 - self.prob_never)
        if not todo.any():
            return out
        target = p[todo]
        # The bracket and a first guess from the CDF on a fixed log grid (one call, remembered):
        # the grid points either side of each target, and linear interpolation between them.
        grid, cdf_grid = _GRID, self._meeting_table(nodes)
        i = np.searchsorted(cdf_grid, target, side="left")  # cdf_grid[i - 1] < target <= [i]
        inside = (i > 0) & (i < len(grid))
        j = np.clip(i, 1, len(grid) - 1)
        # below the grid: [0, its first point]; beyond it: from its last point, doubled until
        # the bracket holds the target
        lo = np.where(inside, grid[j - 1], np.where(i == 0, 0.0, grid[-1]))
        hi = np.where(inside, grid[j], np.where(i == 0, grid[0], 2.0 * grid[-1]))
        for _ in range(0 if inside.all() else 200):
            short = ~inside & (self.meeting_cdf(hi, nodes) < target)
            if not short.any():
                break
            lo, hi = np.where(short, hi, lo), np.where(short, hi * 2.0, hi)
        f_lo, f_hi = cdf_grid[j - 1], cdf_grid[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            x = lo + (target - f_lo) / (f_hi - f_lo) * (hi - lo)
        x = np.where(inside & np.isfinite(x) & (x > lo) & (x < hi), x, 0.5 * (lo + hi))
        # Newton's method on the CDF with its density (meeting_pdf), kept inside the bracket
        # (a step that leaves it, or a flat spot, bisects), each target on its own until its
        # step is below _TOL: two or three steps from that guess where bisection took 35.
        if start is not None:
            guess = start[todo]
            x = np.where(np.isfinite(guess) & (guess > 0) & (guess < hi), guess, x)
        active = np.ones(target.shape, dtype=bool)
        for _ in range(_MEETING_STEPS):
            idx = np.flatnonzero(active)
            cdf, pdf = self._meeting(x[idx], nodes, density=True)
            f = cdf - target[idx]
            below = f < 0
            a, b = np.where(below, x[idx], lo[idx]), np.where(below, hi[idx], x[idx])
            lo[idx], hi[idx] = a, b
            with np.errstate(divide="ignore", invalid="ignore"):
                new = x[idx] - f / pdf
            new = np.where(np.isfinite(new) & (new >= a) & (new <= b), new, 0.5 * (a + b))
            step = np.abs(new - x[idx])
            x[idx] = new
            active[idx] = step >= _TOL
            if not active.any():
                break
        out[todo] = x
        return out

    def _meeting_table(self, nodes: int | None) -> np.ndarray:
        """:meth:`meeting_cdf` on :data:`_GRID` (years after the start), made once per rule."""
        key = ("meeting-table", nodes or self.nodes)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = np.maximum.accumulate(self.meeting_cdf(_GRID, nodes))
        return hit  # type: ignore[no-any-return]

    def frontier_quantiles(self, s: np.ndarray, ps: Any) -> np.ndarray:
        """``(len(ps), len(s))`` log10 FLOP of the frontier: normal quantiles, exactly."""
        z = ndtri(np.asarray(ps, dtype=float) / 100.0)[:, None]
        return self.frontier.mu + self.frontier.sd * z + self.g_f * s[None, :]

    def reasoning_quantiles(
        self, s: np.ndarray, ps: Any, nodes: int | None = None, *, start: np.ndarray | None = None
    ) -> np.ndarray:
        """``(len(ps), len(s))`` log10 FLOP of reasoning compute (see the module docstring).

        ``start``: where Newton's method starts, shaped as the answer (as for meeting
        quantiles); the answer does not depend on it."""
        s, p = np.asarray(s, dtype=float), np.asarray(ps, dtype=float)
        key = ("reasoning", s.shape, s.tobytes(), p.tobytes(), nodes or self.nodes)
        return self._remember(key, lambda: self._reasoning_quantiles(s, p, nodes, start))

    def _reasoning_quantiles(
        self, s: np.ndarray, ps: np.ndarray, nodes: int | None, start: np.ndarray | None = None
    ) -> np.ndarray:
        p = (ps / 100.0)[:, None] * np.ones((1, len(s)))
        r, c = self.r0, self.cap
        cap_line = c.mu + self.g * s[None, :]
        lo = np.minimum(_q_sum(r, self.v, p / 4, s), cap_line + c.sd * ndtri(p / 2))
        hi = np.minimum(_q_sum(r, self.v, (1 + p) / 2, s), cap_line + c.sd * ndtri(p))
        y = np.minimum(_q_sum(r, self.v, p, s), cap_line + c.sd * ndtri(p))
        if start is not None and np.shape(start) == y.shape:
            y = np.where(np.isfinite(start), start, y)
        y = np.clip(y, lo, hi)
        above_u = _AboveU(r, self.v, s, nodes or self.nodes)
        cols = np.arange(len(s))  # the months still moving: each stops once its steps are small
        for self.iterations in range(1, _NEWTON_STEPS + 1):
            yc, pc, lc, hc = y[:, cols], p[:, cols], lo[:, cols], hi[:, cols]
            a_u, d_u = above_u(yc, cols)
            zc = (yc - cap_line[:, cols]) / c.sd
            a_c = ndtr(-zc)
            d_c = np.exp(-0.5 * zc * zc) * (_INV_SQRT_2PI / c.sd)
            cdf = 1.0 - a_u * a_c
            below = cdf < pc
            lc, hc = np.where(below, yc, lc), np.where(below, hc, yc)
            with np.errstate(divide="ignore", invalid="ignore"):
                new = yc - (cdf - pc) / (d_u * a_c + a_u * d_c)
            ok = np.isfinite(new) & (new >= lc) & (new <= hc)
            new = np.where(ok, new, 0.5 * (lc + hc))
            moving = np.max(np.abs(new - yc), axis=0) >= _TOL
            y[:, cols], lo[:, cols], hi[:, cols] = new, lc, hc
            cols = cols[moving]
            if not cols.size:
                break
        return y

    def estimate_error(self, s: np.ndarray, ps: Any) -> dict[str, float]:
        """The a-posteriori error bound: ``NODES`` against ``NODES // 2`` nodes."""
        half = max(2, self.nodes // 2)
        # NB: the coarse rule starts from the fine rule's answers (they differ by about the
        # error itself), so its Newton steps are few; where it starts does not change its answer
        fine = self.meeting_quantiles(ps)
        coarse = self.meeting_quantiles(ps, half, start=fine)
        finite = np.isfinite(fine) & np.isfinite(coarse)
        days = float(np.max(np.abs(fine[finite] - coarse[finite]), initial=0.0) * 365.25)
        fine_bands = self.reasoning_quantiles(s, ps)
        coarse_bands = self.reasoning_quantiles(s, ps, half, start=fine_bands)
        bands = float(np.max(np.abs(fine_bands - coarse_bands)))
        met = float(np.max(np.abs(self.meeting_cdf(s) - self.meeting_cdf(s, half))))
        self.error = {
            "meeting_days": days,
            "band_oom": bands,
            "met_share": met,
            "nodes": self.nodes,
        }
        return self.error

    def _remember(self, key: tuple, make: Callable[[], np.ndarray]) -> np.ndarray:
        """``make()`` once per ``key`` (a copy each time: callers may change what they get);
        at most ``_MEMO`` entries, so a long-lived forecast asked for many grids stays small."""
        hit = self._memo.get(key)
        if hit is None:  # NB: two threads may both make it; the results are equal
            hit = make()
            if len(self._memo) >= _MEMO:
                self._memo.clear()
            self._memo[key] = hit
        return hit.copy()


class _AboveU:
    """``P(U > y)`` and the density of ``U = r0 + v s`` at ``y``, per month ``s``.

    Each month integrates over whichever of ``r0`` (normal) and ``v s`` (lognormal) has the
    smaller spread, with the other in closed form, so the integrand is smooth in the node
    variable and a few Gauss-Hermite nodes suffice.
    """

    def __init__(self, r: Log10Normal, v: Log10Normal, s: np.ndarray, nodes: int):
        self.r, self.v, self.s = r, v, s
        self.z, self.w = _hermite(nodes)
        spread_vs = 10**v.mu * s * math.log(10) * v.sd
        self.over_r = spread_vs > r.sd  # integrate over r0 in these months
        self.rates = 10.0 ** (v.mu + v.sd * self.z)  # (N,)

    def __call__(self, y: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """At ``y`` (percentiles x the months ``cols``, indices into ``s``)."""
        above, dens = np.empty_like(y), np.empty_like(y)
        over_r, s = self.over_r[cols], self.s[cols]
        by_v, by_r = ~over_r, over_r
        if by_v.any():
            above[:, by_v], dens[:, by_v] = self._over_v(y[:, by_v], s[by_v])
        if by_r.any():
            above[:, by_r], dens[:, by_r] = self._over_r(y[:, by_r], s[by_r])
        return above, dens

    def _over_v(self, y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``E_v[P(r0 > y - v s)]``, the normal tail in closed form."""
        r, w = self.r, self.w
        zu = (y[..., None] - r.mu - self.rates * s[None, :, None]) / r.sd
        return ndtr(-zu) @ w, (np.exp(-0.5 * zu * zu) @ w) * (_INV_SQRT_2PI / r.sd)

    def _over_r(self, y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``E_r0[P(v > (y - r0) / s)]`` (``s > 0`` here), the lognormal tail in closed form;
        1 where ``y <= r0``."""
        r, v, w = self.r, self.v, self.w
        gap = y[..., None] - (r.mu + r.sd * self.z)
        pos = gap > 0
        x = np.where(pos, gap, 1.0) / s[None, :, None]
        zv = (np.log10(x) - v.mu) / v.sd
        above = np.where(pos, ndtr(-zv), 1.0) @ w
        dens = np.where(pos, np.exp(-0.5 * zv * zv) / x, 0.0) @ w
        return above, dens * (_INV_SQRT_2PI / (v.sd * math.log(10))) / s[None, :]


@functools.lru_cache(maxsize=8)
def _hermite(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Probabilists' Gauss-Hermite nodes and weights normalised to sum 1 (E over N(0, 1))."""
    z, w = hermegauss(nodes)
    return z, w / w.sum()


def _q_sum(r: Log10Normal, v: Log10Normal, q: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``Q_r(q) + Q_v(q) s``: a bound on a quantile of ``r0 + v s`` (see the docstring)."""
    z = ndtri(q)
    return r.mu + r.sd * z + 10.0 ** (v.mu + v.sd * z) * s[None, :]


_STRATA = ndtri(np.linspace(0.5, 2000.5, 2001) / 2001.5)  # equal-probability normal scores


def _check_bounds(q: Quantities) -> None:
    """The Monte Carlo bounds check, on 2001 equal-probability quantiles instead of draws."""
    for key, u in q.values.items():
        form = Log10Normal.of(u)
        if form is not None and form.sd > 0:
            x = 10.0 ** (form.mu + form.sd * _STRATA)
            check_draws(key, x, q.scenario.value(key), q.scenario.path)


def _cap_keys(q: Quantities) -> tuple[str, ...]:
    return tuple(k for k in q.values if k.startswith(("cap.", "budget.", "utilization.")))
