"""Dated frontiers read from the records, and the growth fitted to them.

The **frontier** of a field (``rl``, ``total``) is the running maximum of the records' medians in
order of release: a record is a frontier point when its median exceeds every earlier one. For
``total`` a record without a total (its RL stage unknown) counts with its pre-training, a lower
bound on its total (``fallback`` in ``data/scenarios/_trends.yaml``). Each point keeps its
uncertainty: ``log10`` of its value is read as normal, and the points' covariance comes from
joint draws of their quantities (one seed, so evidence two records share is one draw in both:
Grok 4's pre-training *is* Grok 3's).

**The fit** (:class:`TrendFit`) is generalised least squares of ``log10 X`` on the date,
``y = a + b (t - t_ref)``, with that covariance and, optionally, a normal prior on the slope
``b`` (OOM per year). The posterior precision is ``X' C^-1 X + diag(0, 1 / sd_b^2)`` and the
estimate ``(X' C^-1 X + diag(0, 1/sd_b^2))^-1 (X' C^-1 y + (0, b0 / sd_b^2))`` (the conjugate
normal update with a flat prior on ``a``; e.g. Gelman et al., *Bayesian Data Analysis*, 3rd
ed., sec. 14.2). NB: the scatter of the frontier about a straight line beyond the points' own
errors is not estimated (too few points); the interval is the measurement error's alone.

**The RL prior** is the o1 -> o3 ratio with its uncertainty over the months between their
releases: ``b ~ N(log10 R / dt, sd(log10 R) / dt)``. The records after the prior's ``to`` record
(o3) that set a new maximum are the data, with ``to`` itself as the anchor of the level (o3's
RL figure is defined as 10x o1's in the records, so o1 is already in the prior: not counted
twice). Without a prior (``total``) every frontier point is data.

The fitted slope becomes a scenario value: months per 10x ``12 / b`` (``@months_per_10x.FIELD``)
or a yearly factor ``10^b`` (``@per_year.FIELD``), each a lognormal with the same 5th and 95th
percentiles as the fit (NB: ``12 / b`` of a normal ``b`` is not lognormal; its median and 90%
interval are kept exactly, the shape between them is the lognormal's).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict
from scipy.special import ndtri

from flopcast.core import yamlio
from flopcast.core.dates import parse_date, to_year
from flopcast.core.errors import DataError, ScenarioError
from flopcast.core.uncertain import Uncertain, ci
from flopcast.estimate.functions import evaluate
from flopcast.forecast.lognormal import Z95, Log10Normal
from flopcast.forecast.params import SCENARIO_DIR, scenario_error

TRENDS_FILE = SCENARIO_DIR / "_trends.yaml"
JOINT_DRAWS = 4_000  # draws per record for the covariance of the frontier points
Value = Callable[[str, str], Any]  # (record id, field) -> Uncertain or None

__all__ = [
    "TRENDS_FILE",
    "FrontierPoint",
    "TrendFit",
    "fit_trend",
    "frontier_points",
    "frontier_row",
    "trend_spec",
]


class Prior(BaseModel):
    """The slope prior of one field: the ratio between two records over their release dates."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    from_record: str
    to_record: str
    ratio: str  # an expression (lognormal interval), the ratio to_record / from_record
    source: str
    published: _dt.date | None = None
    note: str = ""


class TrendSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str
    fallback: tuple[str, ...] = ()  # fields that stand in for this one (a lower bound)
    prior: Prior | None = None


class _TrendsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    trends: dict[str, TrendSpec]


@dataclass(frozen=True)
class FrontierPoint:
    """A record that set a new maximum of a field: its date and log10 value (median, sd)."""

    id: str
    release_date: str
    t: float  # decimal year
    field: str  # the field read (the fallback for a record without the field itself)
    log10_median: float
    log10_sd: float


def trend_spec(fld: str, path: str | None = None, key: str | None = None) -> TrendSpec:
    """The spec of a field's trend from ``_trends.yaml``; ScenarioError for an unknown field."""
    specs = _specs()
    if fld not in specs:
        raise ScenarioError(
            f"no trend is defined for {fld!r}; allowed: {', '.join(specs)}", path=path, field=key
        )
    return specs[fld]


def frontier_row(rows: list[dict], fld: str) -> tuple[dict, str] | None:
    """The row with the largest median of ``fld`` (or of its fallback), and the field used."""
    best: tuple[dict, str] | None = None
    for row in rows:
        got = _row_value(row, fld)
        if got and (best is None or got[0] > _row_value(best[0], fld)[0]):  # type: ignore[index]
            best = (row, got[1])
    return best


def frontier_points(rows: list[dict], fld: str) -> list[tuple[dict, str]]:
    """The rows that set a new maximum of ``fld`` in release order, with the field used."""
    out: list[tuple[dict, str]] = []
    top = -math.inf
    for row in sorted(rows, key=lambda r: str(r["release_date"])):
        got = _row_value(row, fld)
        if got and got[0] > top:
            top = got[0]
            out.append((row, got[1]))
    return out


@dataclass
class TrendFit:
    """Generalised least squares of log10 X on the date, with an optional prior on the slope.

    ``fit(t, y, cov)`` returns self; learned values end in ``_``: ``slope_`` and ``slope_sd_``
    (OOM per year), ``intercept_`` (log10 at ``t_ref_``, the points' mean date), ``n_``.
    """

    prior_slope: tuple[float, float] | None = None  # (mean, sd) OOM per year
    slope_: float = math.nan
    slope_sd_: float = math.nan
    intercept_: float = math.nan
    t_ref_: float = math.nan
    n_: int = 0

    def fit(self, t: Any, y: Any, cov: Any) -> TrendFit:
        t, y = np.asarray(t, float), np.asarray(y, float)
        cov = np.atleast_2d(np.asarray(cov, float))
        need = 1 if self.prior_slope else 2
        if len(t) < need:
            raise ScenarioError(
                f"a trend needs at least {need} dated frontier point(s), got {len(t)}"
            )
        self.n_, self.t_ref_ = len(t), float(np.mean(t))
        x = np.column_stack([np.ones_like(t), t - self.t_ref_])
        w = _inverse(cov)
        prec, rhs = x.T @ w @ x, x.T @ w @ y
        if self.prior_slope is not None:
            b0, sd0 = self.prior_slope
            prec[1, 1] += 1.0 / sd0**2
            rhs[1] += b0 / sd0**2
        if np.linalg.matrix_rank(prec) < 2:
            raise ScenarioError("the frontier points share one date: no slope can be fitted")
        post = np.linalg.inv(prec)
        beta = post @ rhs
        self.intercept_, self.slope_ = float(beta[0]), float(beta[1])
        self.slope_sd_ = float(math.sqrt(post[1, 1]))
        return self

    def slope_interval(self, level: float = 0.9) -> tuple[float, float]:
        z = Z95 if level == 0.9 else float(ndtri(0.5 + level / 2))
        return self.slope_ - z * self.slope_sd_, self.slope_ + z * self.slope_sd_

    def months_per_10x(self, name: str = "") -> Uncertain:
        """``12 / b`` as a lognormal with the fit's 90% interval; ScenarioError if it admits
        no growth (the 5th percentile of the slope at or below zero)."""
        lo, hi = self.slope_interval()
        if lo <= 0:
            raise ScenarioError(
                f"the fitted slope's 90% interval ({lo:.2f} to {hi:.2f} OOM per year) includes "
                "no growth, so months per 10x is unbounded; give growth.months_per_10x by hand"
            )
        return ci(12.0 / hi, 12.0 / lo, name=name, unit="months")

    def per_year(self, name: str = "") -> Uncertain:
        """``10^b`` (x per year) as a lognormal with the fit's 90% interval (exact: ``b`` normal)."""
        lo, hi = self.slope_interval()
        return ci(10.0**lo, 10.0**hi, name=name, unit="x per year")

    def to_dict(self) -> dict[str, Any]:
        lo, hi = self.slope_interval()
        return {
            "slope_oom_per_year": self.slope_,
            "slope_sd": self.slope_sd_,
            "slope_90": [lo, hi],
            "months_per_10x": 12.0 / self.slope_ if self.slope_ > 0 else math.inf,
            "months_per_10x_90": [
                12.0 / hi if hi > 0 else math.inf,
                12.0 / lo if lo > 0 else math.inf,
            ],
            "per_year": 10.0**self.slope_,
            "points": self.n_,
            "prior_slope": list(self.prior_slope) if self.prior_slope else None,
        }


@dataclass
class Trend:
    """A fitted trend of one field: the points used, the prior, the fit."""

    field: str
    points: list[FrontierPoint]
    fit: TrendFit
    prior: dict[str, Any] | None = None
    excluded: list[str] = dataclasses.field(
        default_factory=list
    )  # frontier points inside the prior

    def describe(self) -> str:
        ids = ", ".join(p.id for p in self.points)
        d = self.fit.to_dict()
        lo, hi = d["months_per_10x_90"]
        prior = f"; prior {self.prior['from']} -> {self.prior['to']}" if self.prior else ""
        return (
            f"trend of {self.field}: {d['slope_oom_per_year']:.3g} OOM/yr ({lo:.3g}-{hi:.3g} "
            f"months per 10x, 90%) from {ids}{prior}"
        )


def fit_trend(
    rows: list[dict],
    fld: str,
    value: Value,
    *,
    seed: int = 0,
    path: str | None = None,
    key: str | None = None,
) -> Trend:
    """Fit the trend of ``fld`` to the visible ``rows`` (the table's dicts), values by ``value``.

    ``value(record_id, field)`` gives a record's quantity (as of the forecast's cut-off).
    """
    spec = trend_spec(fld, path, key)
    marks = frontier_points(rows, fld)
    prior_info, prior_slope, excluded = None, None, []
    if spec.prior is not None:
        p = spec.prior
        dates = {r["id"]: parse_date(r["release_date"]) for r in rows}
        missing = [rid for rid in (p.from_record, p.to_record) if rid not in dates]
        if missing:
            raise ScenarioError(
                f"the {fld} growth prior needs record(s) {', '.join(missing)}, not in the "
                "(as-of) dataset; give the growth by hand",
                path=path,
                field=key,
            )
        dt = to_year(dates[p.to_record]) - to_year(dates[p.from_record])
        ratio = Log10Normal.of(_evaluate(p.ratio, path, key))
        if ratio is None or dt <= 0:
            raise ScenarioError(
                f"the {fld} prior needs a lognormal ratio and {p.to_record} after {p.from_record}",
                path=path,
                field=key,
            )
        prior_slope = (ratio.mu / dt, ratio.sd / dt)
        prior_info = {
            "from": p.from_record,
            "to": p.to_record,
            "ratio": p.ratio,
            "years": dt,
            "slope": list(prior_slope),
            "source": p.source,
        }
        anchor = next((r for r in rows if r["id"] == p.to_record), None)
        after = [(r, f) for r, f in marks if parse_date(r["release_date"]) > dates[p.to_record]]
        later = {r["id"] for r, _ in after}
        excluded = [r["id"] for r, _ in marks if r["id"] not in later]
        if anchor is None or not anchor.get(fld):
            raise ScenarioError(
                f"record {p.to_record!r} has no {fld!r} to anchor the trend", path=path, field=key
            )
        marks = [(anchor, fld), *after]
    points, cov = _points(marks, value, seed)
    fit = TrendFit(prior_slope).fit(
        [pt.t for pt in points], [pt.log10_median for pt in points], cov
    )
    return Trend(fld, points, fit, prior_info, excluded)


# ---- private helpers --------------------------------------------------------------------------


def _row_value(row: dict, fld: str) -> tuple[float, str] | None:
    for f in (fld, *(_fallback(fld))):
        stats = row.get(f)
        if stats and stats.get("median"):
            return float(stats["median"]), f
    return None


def _fallback(fld: str) -> tuple[str, ...]:
    spec = _specs().get(fld)
    return spec.fallback if spec else ()


def _points(
    marks: list[tuple[dict, str]], value: Value, seed: int
) -> tuple[list[FrontierPoint], np.ndarray]:
    logs, points = [], []
    for row, f in marks:
        q = value(row["id"], f)
        if q is None:
            continue
        x = np.log10(np.asarray(q.samples(JOINT_DRAWS, seed=seed), dtype=float))
        logs.append(x)
        points.append(
            FrontierPoint(
                id=row["id"],
                release_date=str(row["release_date"]),
                t=to_year(parse_date(row["release_date"])),
                field=f,
                log10_median=float(np.median(x)),
                log10_sd=float(np.std(x)),
            )
        )
    cov = (
        np.cov(np.vstack(logs)) if len(logs) > 1 else np.array([[np.var(logs[0])]] if logs else [])
    )
    return points, np.atleast_2d(cov)


def _inverse(cov: np.ndarray) -> np.ndarray:
    """The inverse of a covariance; a singular one (a point known exactly relative to another)
    keeps its well-determined directions (pseudo-inverse with a relative floor)."""
    return np.linalg.pinv(cov, rcond=1e-9, hermitian=True)


def _evaluate(text: str, path: str | None, key: str | None) -> Any:
    try:
        return evaluate(text)
    except DataError as exc:
        raise scenario_error(exc) from None
    except ValueError as exc:
        raise ScenarioError(f"cannot evaluate {text!r}: {exc}", path=path, field=key) from None


_SPECS: dict[str, TrendSpec] | None = None


def _specs() -> dict[str, TrendSpec]:
    global _SPECS
    if _SPECS is None:
        _SPECS = _load(TRENDS_FILE)
    return _SPECS


def _load(path: Path) -> dict[str, TrendSpec]:
    try:
        data, lines = yamlio.load_file(path, "trends file")
        return dict(yamlio.validate(_TrendsFile, data, str(path), lines).trends)
    except DataError as exc:
        raise scenario_error(exc) from None
