"""Utilisation priors fitted to published points, by phase and precision.

``data/utilization.yaml`` lists published utilisation points (MFU measurements, or arithmetic
on published FLOP and chip-hours; format in ``data/README-utilization.md``). This module
validates that file and fits, at load time, one lognormal prior per phase (and per precision
where a phase has points at several precisions). No utilisation number is typed by hand: every
prior is this fit of that file.

The fit (stated once, here and in docs/methodology.md):

* each point is an observation of ``ln u``; a point with ``lo``/``hi`` is **interval data**
  (``ln u`` somewhere in ``[ln lo, ln hi]``), a point with only ``value`` is exact;
* ``ln u ~ Normal(mu_g, sigma)``: one location per precision group ``g`` and one spread shared
  by the groups of a phase (precision moves the level, the run-to-run scatter is common);
* ``(mu_g, sigma)`` by maximum likelihood for interval-censored normal data, computed by EM
  (Dempster, Laird & Rubin 1977: the E-step replaces each interval by the truncated-normal
  moments, the M-step is the ordinary normal fit);
* the prior is the **predictive** distribution of a new run, widened for few points: a 90%
  interval ``mu_g +/- t(0.95, N - G) * s * sqrt(1 + 1/n_g)`` with ``s`` the MLE spread rescaled by
  ``sqrt(N / (N - G))`` (Student-t prediction interval; N points, G groups, n_g in the group),
  represented as the lognormal with that 90% interval;
* points of ``kind: flopcast-count`` (their FLOP is flopcast's own recipe count) are shown but
  never fitted, so checking a prior against flopcast's recipes is not circular.

NB: a lognormal has no upper bound; where evidence is scarce the upper tail of a prior can pass
1 (100% of peak). The 90% interval says so rather than being clipped.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from flopcast.core import yamlio
from flopcast.core.errors import DataError
from flopcast.core.uncertain import Uncertain, ci

Phase = Literal["pretraining", "finetune", "rl_run", "rollout", "rl_update", "inference"]
Precision = Literal["fp32", "tf32", "bf16", "fp16", "fp8", "fp4"]
Kind = Literal["measured", "derived", "flopcast-count"]

# prior name -> phase it is fitted to (``utilization.rl`` is the whole-run prior)
PRIOR_PHASES: dict[str, str] = {
    "utilization.pretraining": "pretraining",
    "utilization.finetune": "finetune",
    "utilization.rl": "rl_run",
    "utilization.rl_update": "rl_update",
    "utilization.inference": "inference",
}
ROLLOUT_PRIOR = "utilization.rollout"
ROLLOUT_ASSUMPTION = (
    "assumed: no published rollout-engine utilisation of an RL run; the rollout prior is "
    "fitted to the decode (token generation) inference points, the nearest published workload"
)
Z90 = 1.6448536269514722  # standard normal 95th percentile (two-sided 90%)


# ---- file format -----------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PointSource(_Strict):
    url: str = Field(pattern=r"^https?://")
    title: str
    states: str
    accessed: dt.date


class Point(_Strict):
    """One published utilisation point (fraction of dense peak at ``precision``)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    phase: Phase
    precision: Precision
    value: float | None = Field(default=None, gt=0, le=1)
    lo: float | None = Field(default=None, gt=0, le=1)
    hi: float | None = Field(default=None, gt=0, le=1)
    mode: Literal["prefill", "decode"] | None = None
    chip: str
    year: int = Field(ge=2010, le=2030)
    kind: Kind
    sources: list[PointSource] = Field(min_length=1)
    notes: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Point:
        if (self.lo is None) != (self.hi is None):
            raise ValueError("give both lo and hi, or neither")
        if self.value is None and self.lo is None:
            raise ValueError("a point needs value, or lo and hi")
        if self.lo is not None and self.hi is not None and self.lo > self.hi:
            raise ValueError(f"lo {self.lo} is above hi {self.hi}")
        if self.value is not None and self.lo is not None and self.hi is not None:
            if not self.lo <= self.value <= self.hi:
                raise ValueError(f"value {self.value} is outside lo-hi {self.lo}-{self.hi}")
        if self.kind != "measured" and not self.notes:
            raise ValueError(f"a {self.kind} point needs notes showing its arithmetic")
        if self.mode is not None and self.phase != "inference":
            raise ValueError("mode (prefill/decode) applies to inference points only")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        """``(lo, hi)`` of the observation; ``lo == hi`` for an exact point."""
        if self.lo is not None and self.hi is not None:
            return (self.lo, self.hi)
        assert self.value is not None
        return (self.value, self.value)


class PointsFile(_Strict):
    points: list[Point] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> PointsFile:
        seen: set[str] = set()
        for p in self.points:
            if p.id in seen:
                raise ValueError(f"duplicate point id {p.id!r}")
            seen.add(p.id)
        return self


# ---- the fit ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    """A fitted utilisation prior: lognormal ``exp(mu) x exp(sigma Z)`` (predictive)."""

    name: str
    phase: str
    precision: str | None  # None: precisions pooled into one location
    points: tuple[str, ...]
    excluded: tuple[str, ...]
    mu: float  # centre of ln u for a new run (of the truncated predictive's 90% interval)
    mu_mle: float  # maximum-likelihood location of the points
    sigma_mle: float
    sigma: float  # spread of ln u for a new run (same 90% interval)
    n: int  # points in this group
    n_phase: int  # points in the phase fit (all groups)
    df: int
    assumed: str = ""
    sources: tuple[str, ...] = ()  # the first source URL of each fitted point

    @property
    def median(self) -> float:
        return math.exp(self.mu)

    def interval(self, level: float = 0.9) -> tuple[float, float]:
        z = _norm_ppf((1 + level) / 2)
        return (math.exp(self.mu - z * self.sigma), math.exp(self.mu + z * self.sigma))

    def quantity(self) -> Uncertain:
        """The prior as a named lognormal input (its 90% interval)."""
        lo, hi = self.interval(0.9)
        return ci(
            lo,
            hi,
            name=self.name.replace(".", " "),
            description=self.describe(),
            source="; ".join(dict.fromkeys(self.sources)),
        )

    def describe(self) -> str:
        basis = f"{self.precision} points" if self.precision else "all precisions pooled"
        text = (
            f"lognormal fitted by maximum likelihood to {self.n} published {self.phase} "
            f"point(s) ({basis}; {self.n_phase} in the phase fit, t with {self.df} df "
            f"for the predictive spread)"
        )
        return f"{text}; {self.assumed}" if self.assumed else text


def fit_groups(
    observations: Sequence[tuple[str, float, float]],
    *,
    tol: float = 1e-12,
    max_iter: int = 20_000,
) -> tuple[dict[str, float], float]:
    """MLE of ``ln u ~ Normal(mu_g, sigma)`` for interval-censored data, by EM.

    ``observations``: ``(group, lo, hi)`` with ``0 < lo <= hi`` (``lo == hi``: exact).
    Returns ``({group: mu_g}, sigma)`` in natural-log units.
    """
    obs = [(g, math.log(lo), math.log(hi)) for g, lo, hi in observations]
    groups = sorted({g for g, _, _ in obs})
    if len(obs) <= len(groups):
        raise DataError(f"a fit needs more points ({len(obs)}) than groups ({len(groups)})")
    mid = {g: _mean([(a + b) / 2 for h, a, b in obs if h == g]) for g in groups}
    spread = math.sqrt(_mean([((a + b) / 2 - mid[g]) ** 2 for g, a, b in obs]))
    mu, sigma = dict(mid), max(spread, 0.05)
    for _ in range(max_iter):
        moments = [_moments(a, b, mu[g], sigma) for g, a, b in obs]
        new_mu = {
            g: _mean([m for (h, _, _), (m, _) in zip(obs, moments, strict=True) if h == g])
            for g in groups
        }
        var = _mean(
            [
                m2 - 2 * new_mu[g] * m + new_mu[g] ** 2
                for (g, _, _), (m, m2) in zip(obs, moments, strict=True)
            ]
        )
        new_sigma = math.sqrt(max(var, 1e-12))
        done = abs(new_sigma - sigma) < tol and all(abs(new_mu[g] - mu[g]) < tol for g in groups)
        mu, sigma = new_mu, new_sigma
        if done:
            break
    return mu, sigma


def fit_phase(
    phase: str,
    points: Iterable[Point],
    *,
    by_precision: bool,
    name: str,
    select: str = "",
    assumed: str = "",
) -> dict[str, Fit]:
    """The pooled fit (``name``) and, with ``by_precision``, one fit per precision group."""
    chosen = [p for p in points if p.phase == phase and (not select or p.mode == select)]
    used = [p for p in chosen if p.kind != "flopcast-count"]
    excluded = tuple(p.id for p in chosen if p.kind == "flopcast-count")
    out: dict[str, Fit] = {}
    layouts = [False]
    if by_precision and len({p.precision for p in used}) > 1:
        layouts.append(True)
    for grouped in layouts:
        key = (lambda p: p.precision) if grouped else (lambda p: "all")
        mu, sigma = fit_groups([(key(p), *p.bounds) for p in used])
        n_total, n_groups = len(used), len(mu)
        df = n_total - n_groups
        for g, mu_g in mu.items():
            members = [p for p in used if key(p) == g]
            scale = sigma * math.sqrt(n_total / df) * math.sqrt(1 + 1 / len(members))
            lo, hi = predictive_interval(mu_g, scale, df)
            fit_name = f"{name}.{g}" if grouped else name
            out[fit_name] = Fit(
                name=fit_name,
                phase=phase,
                precision=g if grouped else _only_precision(members),
                points=tuple(p.id for p in members),
                excluded=excluded,
                mu=(lo + hi) / 2,
                mu_mle=mu_g,
                sigma_mle=sigma,
                sigma=(hi - lo) / (2 * Z90),
                n=len(members),
                n_phase=n_total,
                df=df,
                assumed=assumed,
                sources=tuple(p.sources[0].url for p in members),
            )
    return out


@functools.cache
def fits() -> dict[str, Fit]:
    """Every utilisation prior fitted to the shipped points, by prior name."""
    points = load_points()
    out: dict[str, Fit] = {}
    for name, phase in PRIOR_PHASES.items():
        out.update(fit_phase(phase, points, by_precision=True, name=name))
    if any(p.phase == "rollout" and p.kind != "flopcast-count" for p in points):
        out.update(fit_phase("rollout", points, by_precision=True, name=ROLLOUT_PRIOR))
    else:
        out.update(
            fit_phase(
                "inference",
                points,
                by_precision=False,
                name=ROLLOUT_PRIOR,
                select="decode",
                assumed=ROLLOUT_ASSUMPTION,
            )
        )
    return out


def load_points(path: str | Path | None = None) -> list[Point]:
    """The validated points of ``utilization.yaml`` (the shipped file unless ``path``)."""
    if path is None:
        text = (resources.files("flopcast") / "data" / "utilization.yaml").read_text("utf-8")
        shown = "data/utilization.yaml"
    else:
        text, shown = yamlio.read_text(path, "utilisation file"), str(path)
    data, lines = yamlio.load(text, shown)
    return list(yamlio.validate(PointsFile, data, shown, lines).points)


def t_cdf(x: float, df: float) -> float:
    """Student-t CDF: ``1 - I_{df/(df+x^2)}(df/2, 1/2) / 2`` for x > 0 (regularised beta)."""
    tail = 0.5 * _betainc(df / 2, 0.5, df / (df + x * x))
    return 1 - tail if x > 0 else tail


def t_ppf(p: float, df: float) -> float:
    """Student-t quantile by bisection on :func:`t_cdf` (to 1e-12)."""
    if df <= 0:
        raise DataError(f"a t quantile needs a positive number of degrees of freedom, got {df}")
    return _bisect(lambda x: t_cdf(x, df), p, -1e4, 1e4)


def predictive_interval(
    mu: float, scale: float, df: float, level: float = 0.9, upper: float = 0.0
) -> tuple[float, float]:
    """The central ``level`` interval of ``mu + scale * T_df`` truncated to ``<= upper``.

    In log space with ``upper = ln 1 = 0``: a share of peak cannot exceed 1, so the Student-t
    predictive is conditioned on ``ln u <= 0`` before its quantiles are read.
    """
    mass = t_cdf((upper - mu) / scale, df)
    lo_p, hi_p = (1 - level) / 2 * mass, (1 + level) / 2 * mass
    return (mu + scale * t_ppf(lo_p, df), mu + scale * t_ppf(hi_p, df))


# ---- helpers ---------------------------------------------------------------------------------


def _moments(a: float, b: float, mu: float, sigma: float) -> tuple[float, float]:
    """``E[x]`` and ``E[x^2]`` of Normal(mu, sigma) truncated to ``[a, b]`` (a point if a == b)."""
    if b - a < 1e-12:
        return a, a * a
    al, be = (a - mu) / sigma, (b - mu) / sigma
    mass = _norm_cdf(be) - _norm_cdf(al)
    if mass < 1e-300:  # far in a tail: the interval's midpoint is the expectation to ~1e-300
        m = (a + b) / 2
        return m, m * m
    pa, pb = _norm_pdf(al), _norm_pdf(be)
    shift = (pa - pb) / mass
    var = sigma**2 * (1 + (al * pa - be * pb) / mass - shift**2)
    m = mu + sigma * shift
    return m, max(var, 0.0) + m * m


def _only_precision(points: Sequence[Point]) -> str | None:
    found = {p.precision for p in points}
    return found.pop() if len(found) == 1 else None


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def _norm_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _norm_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def _norm_ppf(p: float) -> float:
    return _bisect(_norm_cdf, p, -40.0, 40.0)


def _bisect(cdf: Callable[[float], float], p: float, lo: float, hi: float) -> float:
    """The x with ``cdf(x) == p`` for an increasing ``cdf`` on ``[lo, hi]`` (to 1e-12)."""
    for _ in range(300):
        mid = (lo + hi) / 2
        if cdf(mid) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta ``I_x(a, b)`` by its continued fraction (Lentz's method;
    Press et al., Numerical Recipes, 3rd ed., section 6.4)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x > (a + 1) / (a + b + 2):  # the fraction converges fast only below this point
        return 1.0 - _betainc(b, a, 1.0 - x)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        for num in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return front * h / a
