"""Within-run training curves: a score against RL compute *inside one run*, read off a chart.

The seed's claim is that accuracy grows roughly log-linearly with RL compute within a run, so
the test is a curve of one run (a paper's accuracy-by-step figure), not a regression across
models. A curve file (YAML, read with :mod:`flopcast.core.yamlio`, validated here) gives:

* ``source`` (URL, figure, what it states) and ``benchmark``/``setting`` (one setting per run);
* the points, either as numbers (``steps`` or ``flop``, and ``score``) or as pixel positions
  read off the figure (``px: [x, y]``) with the chart's axes calibrated by two labelled ticks
  each (``axes.x.ticks: [[px, value], [px, value]]``, ``scale: linear|log``) and the reading
  error ``pixel_error`` (a 90% bound, pixels) -- the chart-reading method of
  :func:`flopcast.estimate.methods.chart_value`, for linear axes too;
* ``max_score``: the score's largest possible value (100 for a percentage), which bounds the
  saturating form's asymptote;
* ``run``: the RL recipe (``data/recipes``) whose count converts steps to FLOP. Without a
  cost profile, at the run's mean FLOP per step (a common factor on every x: it moves the
  intercept, not the slope per 10x; but responses grow over a run, so later steps cost more
  than the mean and the slope per 10x of compute is overstated);
* ``cost_profile`` (optional, needs ``run``): the run's mean response length by step, read off
  its length-by-step figure the same way (``axes``, ``points`` as ``px`` or ``steps`` with
  ``length``). Then a step's FLOP is the recipe's own step count
  (:func:`flopcast.accounting.step.step_flop`) at that step's response length and the
  recipe's median prompt length, and a point's x is the **cumulative** RL compute to its step,
  ``C(s) = integral_0^s f(t) dt`` (trapezoid rule on the profile's points, the length held at
  its first and last reading outside them).

Errors in x (``sx``, log10 units) come from the reading error of each point's x pixel:
``sd(log10 C) = f(s) sd(s) / (C(s) ln 10)`` with a profile, ``sd(s) / (s ln 10)`` without.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from flopcast.accounting import rl
from flopcast.accounting.architecture import from_config
from flopcast.accounting.step import step_flop
from flopcast.core import yamlio
from flopcast.core.errors import DataError, InputError
from flopcast.forecast.fit import LogLinearFit, SaturatingFit, compare
from flopcast.forecast.lognormal import Z95
from flopcast.forecast.params import SCENARIO_DIR

CURVE_DIR = SCENARIO_DIR / "curves"
# at most this many points in a curve or its cost profile (assumed limit: a chart read by hand
# or by scripts/chart_markers.py has tens to hundreds; each profile point costs a step count)
MAX_POINTS = 5_000

__all__ = [
    "CURVE_DIR",
    "MAX_POINTS",
    "Curve",
    "curve_names",
    "fit_within_run",
    "read_curve",
    "x_basis",
]


class _Axis(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticks: tuple[tuple[float, float], tuple[float, float]]
    scale: Literal["linear", "log"] = "linear"


class _Point(BaseModel):
    model_config = ConfigDict(extra="forbid")
    px: tuple[float, float] | None = None
    steps: float | None = None
    flop: float | None = None
    score: float | None = None

    @model_validator(mode="after")
    def _one_form(self) -> _Point:
        if self.px is None and (self.score is None or (self.steps is None) == (self.flop is None)):
            raise ValueError("a point is px: [x, y], or score with steps or flop")
        return self


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    figure: str = ""
    states: str = ""
    accessed: str | None = None


class _LengthPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    px: tuple[float, float] | None = None
    steps: float | None = None
    length: float | None = None

    @model_validator(mode="after")
    def _one_form(self) -> _LengthPoint:
        if self.px is None and (self.steps is None or self.length is None):
            raise ValueError("a profile point is px: [x, y], or steps with length")
        return self


class _Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    what: str = "mean response length (tokens) by step"
    source: _Source
    axes: dict[Literal["x", "y"], _Axis] = {}
    points: list[_LengthPoint] = Field(min_length=1, max_length=MAX_POINTS)
    notes: str = ""


class _CurveFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    title: str = ""
    benchmark: str
    setting: str
    x: Literal["steps", "flop"]
    run: str | None = None
    flop_per_step: float | None = None
    source: _Source
    axes: dict[Literal["x", "y"], _Axis] = {}
    pixel_error: float = 2.0
    max_score: float | None = None  # the score's largest possible value (100 for a percent)
    cost_profile: _Profile | None = None
    points: list[_Point] = Field(min_length=1, max_length=MAX_POINTS)
    notes: str = ""


@dataclass
class Curve:
    """A within-run curve: compute (FLOP), scores, and the log10 error of each compute."""

    name: str
    benchmark: str
    setting: str
    flop: np.ndarray
    score: np.ndarray
    sx: np.ndarray
    source: str
    path: str
    flop_per_step: float | None
    max_score: float | None = None
    steps: np.ndarray | None = None  # the points' steps, where x is steps
    cumulative: bool = False  # x is cumulative compute from a cost profile


def curve_names() -> list[str]:
    """The shipped curves' names (``data/scenarios/curves``), sorted."""
    return sorted(p.stem for p in CURVE_DIR.glob("*.yaml")) if CURVE_DIR.is_dir() else []


def read_curve(name_or_path: str | Path) -> Curve:
    """A shipped curve by name (``data/scenarios/curves``) or a curve file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = CURVE_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        raise InputError(
            f"no curve file {str(name_or_path)!r}; shipped: {', '.join(curve_names()) or 'none'}"
        )
    data, lines = yamlio.load_file(path, "curve file")
    doc = yamlio.validate(_CurveFile, data, str(path), lines)
    xs, ys, errs = [], [], []
    for i, pt in enumerate(doc.points):
        if pt.px is not None:
            _calibrated(doc.axes, f"point {i}", "axes", str(path))
            x, x_err = _read(doc.axes["x"], pt.px[0], doc.pixel_error)
            y, _ = _read(doc.axes["y"], pt.px[1], doc.pixel_error)
        else:
            value = pt.steps if doc.x == "steps" else pt.flop
            if value is None or pt.score is None:
                raise DataError(f"point {i} needs {doc.x} and score", str(path))
            x, x_err, y = value, 0.0, pt.score
        xs.append(x)
        ys.append(y)
        errs.append(x_err)
    order = np.argsort(
        np.array(xs, dtype=float), kind="stable"
    )  # a file may list them in any order
    x_arr = np.array(xs, dtype=float)[order]
    ys = [ys[i] for i in order]
    errs = [errs[i] for i in order]
    if doc.max_score is not None and any(y > doc.max_score for y in ys):
        raise DataError(f"a score is above max_score ({doc.max_score:g})", str(path))
    sd_x = np.asarray(errs) / Z95  # a 90% reading error e on x is sd e / 1.645
    per_step: float | None
    if doc.cost_profile is not None and doc.x == "steps":
        if np.any(x_arr <= 0):
            raise DataError("every point needs positive steps", str(path))
        flop, per_step_now = _cumulative(doc, str(path), x_arr)
        per_step = float(flop[-1] / x_arr[-1])  # the mean over the curve's steps, for display
        sx = per_step_now * sd_x / (flop * math.log(10))
    else:
        per_step = _flop_per_step(doc, str(path)) if doc.x == "steps" else None
        flop = x_arr * per_step if per_step is not None else x_arr
        if np.any(flop <= 0):
            raise DataError("every point needs positive compute (steps > 0 or flop > 0)", str(path))
        sx = sd_x / (x_arr * math.log(10))
    return Curve(
        name=doc.name,
        benchmark=doc.benchmark,
        setting=doc.setting,
        flop=flop,
        score=np.array(ys, dtype=float),
        sx=sx,
        source=doc.source.url,
        path=str(path),
        flop_per_step=per_step,
        max_score=doc.max_score,
        steps=x_arr if doc.x == "steps" else None,
        cumulative=doc.cost_profile is not None and doc.x == "steps",
    )


def fit_within_run(
    curve: str | Path,
    *,
    n_boot: int = 200,
    seed: int = 0,
    level: float = 0.9,
    saturating_intervals: bool = True,
) -> dict[str, Any]:
    """A curve's log-linear slope per 10x RL compute with its bootstrap interval, both forms
    fitted, and the two compared (held-out error, AIC, BIC): what ``flopcast fit --curve`` and
    the report state. ``saturating_intervals=False`` skips the saturating form's bootstrap."""
    c = read_curve(curve)
    linear = LogLinearFit(n_boot=n_boot, seed=seed)
    linear.fit(c.flop, c.score, sx=c.sx)
    saturating = SaturatingFit(
        ceiling=c.max_score, n_boot=n_boot if saturating_intervals else 0, seed=seed
    )
    saturating.fit(c.flop, c.score, sx=c.sx)
    forms = [LogLinearFit(seed=seed), SaturatingFit(ceiling=c.max_score, seed=seed)]
    lo, hi = linear.interval("slope", level)
    return {
        "curve": c.name,
        "path": c.path,
        "benchmark": c.benchmark,
        "setting": c.setting,
        "source": c.source,
        "points": len(c.flop),
        "compute": [float(c.flop[0]), float(c.flop[-1])],
        "flop_per_step": c.flop_per_step,
        "max_score": c.max_score,
        "cumulative_compute": c.cumulative,
        "x_basis": x_basis(c),
        "errors_in_x": bool(c.sx.any()),
        "within_run": True,
        "slope_per_10x": {"value": linear.slope_, "interval": [lo, hi], "level": level},
        "linear": linear.to_dict(level),
        "saturating": saturating.to_dict(level),
        "comparison": compare(c.flop, c.score, forms, seed=seed, sx=c.sx),
    }


def x_basis(c: Curve) -> str:
    """How a curve's x became RL compute, in words (the CLI and the report say it)."""
    if c.cumulative:
        return "cumulative, from the recipe's step count at the run's response length by step"
    if c.flop_per_step is not None:
        return "steps x the run's mean FLOP per step"
    return "as given"


def _calibrated(axes: Mapping[Any, _Axis], what: str, whose: str, path: str) -> None:
    """A point given in pixels needs both axes calibrated (their two ticks)."""
    for ax in ("x", "y"):
        if ax not in axes:
            raise DataError(f"{what} is in pixels but {whose}.{ax} is not calibrated", path)


def _read(axis: _Axis, px: float, pixel_error: float) -> tuple[float, float]:
    """The value at pixel ``px`` and its 90% error, on a linear or log axis."""
    (pa, va), (pb, vb) = axis.ticks
    if pa == pb or va == vb:
        raise InputError("the two ticks of an axis must be at different pixels and values")
    if axis.scale == "linear":
        per_px = (vb - va) / (pb - pa)
        return va + (px - pa) * per_px, abs(per_px) * pixel_error
    per_px = (math.log10(vb) - math.log10(va)) / (pb - pa)
    value = 10 ** (math.log10(va) + (px - pa) * per_px)
    return value, value * (10 ** (abs(per_px) * pixel_error) - 1.0)


def _flop_per_step(doc: _CurveFile, path: str) -> float:
    if doc.flop_per_step is not None:
        return doc.flop_per_step
    if doc.run is None:
        raise DataError("x is steps: give run (an RL recipe) or flop_per_step", path)
    recipe = rl.load_recipe(doc.run)
    total = recipe.run().total
    steps = sum(float(np.median(np.atleast_1d(_number(st.steps)))) for st in recipe.stages)
    return float(total.median()) / steps


def _cumulative(doc: _CurveFile, path: str, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative FLOP to each step, and the FLOP of that step, from the length profile."""
    prof = doc.cost_profile
    assert prof is not None
    if doc.run is None:
        raise DataError("cost_profile needs run (the recipe that counts a step)", path)
    at, length = [], []
    for i, pt in enumerate(prof.points):
        if pt.px is not None:
            _calibrated(prof.axes, f"cost_profile point {i}", "its axes", path)
            at.append(_read(prof.axes["x"], pt.px[0], 0.0)[0])
            length.append(_read(prof.axes["y"], pt.px[1], 0.0)[0])
        else:
            at.append(float(pt.steps))  # type: ignore[arg-type]
            length.append(float(pt.length))  # type: ignore[arg-type]
    order = np.argsort(at)
    at_arr, len_arr = np.asarray(at)[order], np.asarray(length)[order]
    if len(at_arr) < 2:
        raise DataError("cost_profile needs at least two points", path)
    if not (np.all(np.isfinite(len_arr)) and np.all(len_arr > 0)):
        raise DataError("cost_profile lengths must be positive token counts", path)
    recipe = rl.load_recipe(doc.run)
    model = from_config(recipe.architecture)
    ends = np.cumsum([_number(st.steps) for st in recipe.stages])

    def per_step(s: float, resp: float) -> float:
        st = recipe.stages[min(int(np.searchsorted(ends, s, side="right")), len(ends) - 1)]
        prompt = _number(st.prompt_length) if st.prompt_length is not None else 0.0
        return sum(float(v) for v in step_flop(model, prompt, resp, st).values())

    grid = np.union1d(np.concatenate([[0.0], at_arr]), steps)
    f = np.array([per_step(g, float(np.interp(g, at_arr, len_arr))) for g in grid])
    cum = np.concatenate([[0.0], np.cumsum(np.diff(grid) * (f[1:] + f[:-1]) / 2)])
    idx = np.searchsorted(grid, steps)
    return cum[idx], f[idx]


def _number(x: object) -> float:
    median = getattr(x, "median", None)
    return float(median()) if callable(median) else float(x)  # type: ignore[arg-type]
