"""The report's figures by name: a :class:`~flopcast.core.registry.Registry` of figure specs.

Each spec has a stem (the file name), a title, a caption and a ``draw(data, stamp)`` that picks
what it needs from the gathered report data (:mod:`flopcast.report.gather`) and calls one
function of :mod:`flopcast.report.figures`. ``draw`` returns None when the data holds nothing
to draw (e.g. fewer than three scores: no fit). Register a new figure with :func:`figure`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flopcast.core import fmt
from flopcast.core.dates import to_year
from flopcast.core.registry import Registry

Draw = Callable[[dict[str, Any], Any], Any]  # (report data, Stamp) -> Figure or None


@dataclass(frozen=True)
class FigureSpec:
    """A report figure. ``needs``: the keys of the report data its ``draw`` reads besides
    ``meta`` (None: any key); a figure whose keys are all in
    :func:`flopcast.report.gather.forecast_part` is drawn while the dataset table is still being
    computed. ``cost``: its drawing and export time in seconds, as measured on the shipped data
    (2-core box, benchmarks/bench_report.py); a report's figure processes take the dearest first,
    so that the last figure to finish is a cheap one."""

    stem: str
    title: str
    caption: str
    draw: Draw
    needs: frozenset[str] | None = None
    cost: float = 0.0


FIGURES: Registry[FigureSpec] = Registry("report figure")


def figure(
    stem: str,
    title: str,
    caption: str,
    *,
    needs: tuple[str, ...] | None = None,
    cost: float = 0.0,
) -> Callable[[Draw], Draw]:
    """Register ``draw`` as the figure ``stem`` (a second figure of that stem is refused)."""

    def register(draw: Draw) -> Draw:
        keys = frozenset(needs) if needs is not None else None
        FIGURES.register(stem, FigureSpec(stem, title, caption, draw, keys, float(cost)))
        return draw

    return register


def bounds(stats: Mapping[str, Any] | None) -> dict[str, float] | None:
    """``{median, lo, hi}`` of a summary (:mod:`flopcast.core.summary`), its own 90% interval.

    NB: a producer that does not yet emit the summary's ``lo``/``hi`` (the dataset table gives
    ``p5``/``p95``, which is the same 90% interval) is read through those keys.
    """
    if not stats:
        return None
    lo = stats["lo"] if "lo" in stats else stats["p5"]
    hi = stats["hi"] if "hi" in stats else stats["p95"]
    return {"median": stats["median"], "lo": lo, "hi": hi}


def export_figure(spec: FigureSpec, data: dict[str, Any]) -> tuple[bytes, str] | None:
    """``spec`` drawn from the report data, laid out once and exported: (PNG bytes, SVG text),
    or None when there is nothing to draw. Its footer's stamp is the data's ``meta``."""
    from flopcast.report import canvas  # matplotlib: the report extra, only when drawing

    meta = data["meta"]
    stamp = canvas.Stamp(
        scenario=meta["scenario"],
        seed=int(meta["seed"]),
        n=int(meta["n"]),
        data_version=meta["data_version"],
        generated=meta["generated"],
    )
    fig = spec.draw(data, stamp)
    return None if fig is None else canvas.export(fig)


def export_shipped(stem: str, data: dict[str, Any]) -> tuple[bytes, str] | None:
    """:func:`export_figure` of the shipped figure ``stem``: what a report's figure process
    runs (this module and matplotlib are all it imports)."""
    return export_figure(FIGURES[stem], data)


# ---------------------------------------------------------------------------- the figures


# Records shown on the fan chart: those released from a little before the forecast's start whose
# median lies within this many orders of magnitude of the largest total compute released by then
# (NB: a reading choice; every record is in the forest plot and the tables).
FAN_DECADES_BELOW_FRONTIER = 3.0
FAN_YEARS_BEFORE_START = 0.75


@figure(
    "fan_chart",
    "Reasoning-training compute against the frontier",
    "Reasoning (RL-stage) training compute and the frontier of total training compute over "
    "time: median, 25-75% and 5-95% bands of the forecast; the records near the frontier "
    f"(within {FAN_DECADES_BELOW_FRONTIER:g} orders of magnitude of the largest total compute "
    "released by then) with their 90% intervals, RL-stage compute of reasoning models and total "
    "compute of the others, hollow when released after the forecast's start; the as-of line "
    "(the data date, the newest record's release); the meeting date's median and 90% interval. "
    "The frame runs from a little before the start to two years past the meeting date's 95th "
    "percentile or the data date, whichever is later.",
    needs=("forecast", "models", "status", "bands", "sources_short"),
    cost=0.36,
)
def _fan(data: dict[str, Any], stamp: Any) -> Any:
    from flopcast.report import figures  # matplotlib: the report extra

    start = data["forecast"]["start_date"]
    models = fan_models(data["models"], to_year(start))
    md = data["forecast"]["meeting_date"]
    meeting = {k: to_year(md[k]) if md.get(k) else math.inf for k in ("median", "p5", "p95")}
    as_of = (data.get("status") or {}).get("data_date")
    return figures.fan_chart(
        data["bands"],
        models,
        meeting,
        stamp,
        sources=data["sources_short"]["forecast"],
        as_of=to_year(as_of) if as_of else None,
        as_of_text=as_of or "",
        start=to_year(start),
    )


def fan_models(rows: list[dict[str, Any]], start: float) -> list[dict[str, Any]]:
    """The records the fan chart shows, in release order: RL-stage compute of reasoning models,
    total compute of the others, near the frontier of their day and not long before the start."""
    out = []
    frontier = -math.inf  # log10 of the largest total median released so far
    for row in sorted(rows, key=lambda r: r["release_date"]):
        if row.get("total"):
            frontier = max(frontier, math.log10(row["total"]["median"]))
        if row.get("rl"):
            kind, stats = "rl", row["rl"]
        elif not row["reasoning"] and row.get("total"):
            kind, stats = "total", row["total"]
        else:
            continue
        year = to_year(row["release_date"])
        near = math.log10(stats["median"]) >= frontier - FAN_DECADES_BELOW_FRONTIER
        if year >= start - FAN_YEARS_BEFORE_START and near:
            out.append({"label": row["name"], "year": year, "kind": kind, **(bounds(stats) or {})})
    return out


@figure(
    "forest_plot",
    "RL-stage and pre-training compute per model",
    "Each model's RL-stage and pre-training compute, median and 90% interval, from the "
    "dataset's lines of evidence (pre-training inherited from the base model where the "
    "record says so).",
    needs=("models", "sources_short"),
    cost=0.45,
)
def _forest(data: dict[str, Any], stamp: Any) -> Any:
    from flopcast.report import figures  # matplotlib: the report extra

    rows = [
        {"label": r["name"], "rl": bounds(r.get("rl")), "pretraining": bounds(r.get("pretraining"))}
        for r in data["models"]
        if r.get("rl") or r.get("pretraining")
    ]
    if not rows:
        return None
    return figures.forest_plot(rows, stamp, sources=data["sources_short"]["dataset"])


@figure(
    "rl_share",
    "RL share of total training compute",
    "The RL stage's share of each model's total training compute (pre-training of the model "
    "or its base, plus post-training and RL), median and 90% interval.",
    needs=("models", "sources_short"),
    cost=0.18,
)
def _share(data: dict[str, Any], stamp: Any) -> Any:
    from flopcast.report import figures  # matplotlib: the report extra

    rows = [
        {"label": r["name"], **(bounds(r["rl_share"]) or {})}
        for r in data["models"]
        if r.get("rl_share")
    ]
    if not rows:
        return None
    return figures.rl_share_chart(rows, stamp, sources=data["sources_short"]["dataset"])


@figure(
    "score_vs_compute",
    "Benchmark score against RL-stage compute (exploratory, across models)",
    "Exploratory, across models (not the within-run test of the seed's premise): benchmark "
    "score against RL-stage compute for the models that report it, with the fitted "
    "curve (score linear in log10 compute) and the 90% bootstrap band of the fitted curve. "
    "NB: small distilled models trained on traces of stronger models are not comparable with "
    "o3-style RL at scale (Epoch AI's caveat); the fit pools them and shows the spread.",
    needs=("scores", "sources_short"),
    cost=0.2,
)
def _score(data: dict[str, Any], stamp: Any) -> Any:
    from flopcast.report import figures  # matplotlib: the report extra

    s = data["scores"]
    if not s or not s.get("curve"):
        return None
    return figures.score_chart(
        s["points"],
        s["curve"],
        stamp,
        benchmark=s["benchmark"],
        fit_label=s["fit_label"],
        sources=data["sources_short"]["scores"],
    )


@figure(
    "sensitivity_tornado",
    "Sensitivity of the meeting date",
    "Median meeting date with every parameter at its median and one parameter at its 5th or "
    "95th percentile; widest swing first. Parameters held fixed in the scenario are left out.",
    needs=("sensitivity", "sources_short"),
    cost=0.12,
)
def _tornado(data: dict[str, Any], stamp: Any) -> Any:
    from flopcast.report import figures  # matplotlib: the report extra

    rows = []
    for r in data["sensitivity"]:
        if r.get("fixed") or not r.get("median_low") or not r.get("median_high"):
            continue
        low, high = tornado_ends(r)
        rows.append(
            {
                "parameter": r["parameter"],
                "low": low,
                "high": high,
                "median_low": to_year(r["median_low"]),
                "median_high": to_year(r["median_high"]),
            }
        )
    base = data["sensitivity"][0].get("baseline") if data["sensitivity"] else None
    if not rows or not base:
        return None
    return figures.tornado_chart(
        rows, to_year(base), stamp, sources=data["sources_short"]["forecast"]
    )


# ``lo to hi`` with plain numbers: a 90% interval, so its 5th and 95th percentiles are the
# numbers as written (the draws' percentiles only approach them: 2.99 for a stated 3).
_STATED = re.compile(r"^\s*([0-9][0-9_.eE+-]*)\s+to\s+([0-9][0-9_.eE+-]*)\s*$")


def tornado_ends(row: Mapping[str, Any]) -> tuple[str, str]:
    """The low and high values of a sensitivity row as the scenario states them, with the unit.

    ``3 to 5`` months gives ``("3 months", "5 months")``; any other value (``10 * (3e23 to
    1.2e24)``) gives the values tried through :func:`flopcast.core.fmt.number`.
    """
    unit = row.get("unit")
    suffix = f" {unit}" if unit else ""
    m = _STATED.match(str(row.get("value") or ""))
    if m:
        try:
            return fmt.number(float(m.group(1))) + suffix, fmt.number(float(m.group(2))) + suffix
        except ValueError:
            pass  # not two numbers after all ("1.2.3"): the values tried, below
    return fmt.number(row["low"]) + suffix, fmt.number(row["high"]) + suffix
