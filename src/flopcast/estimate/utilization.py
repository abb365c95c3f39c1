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
* the prior is the **predictive** distribution of a new run, widened for few points: Student-t
  with ``N - G`` degrees of freedom, location ``mu_g`` and scale ``s * sqrt(1 + 1/n_g)``, ``s``
  the MLE spread rescaled by ``sqrt(N / (N - G))`` (N points, G groups, n_g in the group);
  conditioned on ``u <= 1`` (a share of peak cannot exceed one); represented as the lognormal
  with the same 90% interval, because flopcast's exact algebra works on lognormals (so the
  prior's median is the geometric middle of that interval);
* points of ``kind: flopcast-count`` (their FLOP is flopcast's own recipe count) are shown but
  never fitted, so checking a prior against flopcast's recipes is not circular.

The statistics are in :mod:`flopcast.estimate.censored`.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from flopcast.core import yamlio
from flopcast.core.uncertain import Uncertain, ci
from flopcast.estimate.censored import norm_ppf, predict_groups

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
        z = norm_ppf((1 + level) / 2)
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
        for g, pred in predict_groups([(key(p), *p.bounds) for p in used]).items():
            members = [p for p in used if key(p) == g]
            fit_name = f"{name}.{g}" if grouped else name
            out[fit_name] = Fit(
                name=fit_name,
                phase=phase,
                precision=g if grouped else _only_precision(members),
                points=tuple(p.id for p in members),
                excluded=excluded,
                mu=pred.mu,
                mu_mle=pred.mu_mle,
                sigma_mle=pred.sigma_mle,
                sigma=pred.sigma,
                n=pred.n,
                n_phase=pred.n_total,
                df=pred.df,
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


# ---- helpers ---------------------------------------------------------------------------------


def _only_precision(points: Sequence[Point]) -> str | None:
    found = {p.precision for p in points}
    return found.pop() if len(found) == 1 else None
