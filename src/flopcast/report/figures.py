"""The report's figures: each one a pure function from plain data to a matplotlib ``Figure``.

Nothing here estimates anything. The numbers arrive already computed by
``flopcast.evidence.dataset``, ``flopcast.forecast.model`` and ``flopcast.forecast.fit``
(:mod:`flopcast.report.gather` collects them); these functions only draw them. Every figure
carries a footer with the data version, scenario, seed, sample count and its dated sources, so a
figure seen on its own can be reproduced exactly. The matplotlib plumbing (canvas, footer,
ticks, export as PNG and SVG from one layout) is :mod:`flopcast.report.canvas`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from flopcast.report import fan
from flopcast.report.canvas import (
    FRONTIER,
    GREY,
    PRETRAINING,
    RC,
    REASONING,
    RL,
    MonthTicks,
    Stamp,
    decade_ticks,
    err,
    errorbar,
    footer,
    legend_and_footer,
    new_figure,
    pct_text,
    save,
    svg_text,
    title,
    year_text,
)
from flopcast.report.canvas import (
    rows as label_rows,
)

# Re-exported: the figure API as it was before the plumbing moved to canvas and the fan chart
# to its own module.
_year_text = year_text
fan_chart = fan.fan_chart
label_points = fan.label_points
__all__ = [
    "MonthTicks",
    "Stamp",
    "fan_chart",
    "label_points",
    "forest_plot",
    "rl_share_chart",
    "save",
    "score_chart",
    "svg_text",
    "tornado_chart",
]


def forest_plot(
    rows: Sequence[Mapping[str, Any]], stamp: Stamp, *, sources: Sequence[str] = ()
) -> Figure:
    """Each model's RL-stage and pre-training compute with 90% intervals, one row per model.

    ``rows``: dicts with ``label`` and ``rl`` / ``pretraining`` each ``{median, lo, hi}`` (FLOP)
    or None.
    """
    fig, ax = new_figure(11.0, max(3.2, 1.6 + 0.32 * len(rows)))
    with matplotlib.rc_context(RC):
        ys = list(range(len(rows)))[::-1]
        for key, colour, marker, offset, label in (
            ("pretraining", PRETRAINING, "s", 0.14, "Pre-training compute"),
            ("rl", RL, "o", -0.14, "RL-stage compute"),
        ):
            pts = [(y + offset, r[key]) for y, r in zip(ys, rows, strict=True) if r.get(key)]
            if pts:
                errorbar(
                    ax,
                    [p[0] for p in pts],
                    [p[1] for p in pts],
                    colour,
                    marker,
                    f"{label} (median, 90% CI)",
                    horizontal=True,
                )
        label_rows(ax, ys, rows, log=True)
        decade_ticks(ax.xaxis)
        ax.set_xlabel("Training compute (FLOP, log scale)")
        title(ax, "RL-stage and pre-training compute per model (90% intervals)")
        legend_and_footer(fig, stamp, sources)
    return fig


def rl_share_chart(
    rows: Sequence[Mapping[str, Any]], stamp: Stamp, *, sources: Sequence[str] = ()
) -> Figure:
    """The RL stage's share of each model's total training compute (a fraction, drawn in %).

    ``rows``: dicts with ``label``, ``median``, ``lo``, ``hi`` (fractions of the total).
    """
    fig, ax = new_figure(11.0, max(3.0, 1.6 + 0.32 * len(rows)))
    with matplotlib.rc_context(RC):
        ys = list(range(len(rows)))[::-1]
        pct = [{k: 100.0 * r[k] for k in ("median", "lo", "hi")} for r in rows]
        ax.barh(
            ys, [p["median"] for p in pct], color=RL, alpha=0.35, height=0.6, label="Median share"
        )
        errorbar(ax, ys, pct, RL, "o", "90% interval", horizontal=True)
        for y, p in zip(ys, pct, strict=True):
            ax.annotate(
                pct_text(p["median"]),
                (p["hi"], y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color=GREY,
            )
        # A share is a part of a whole: bars start at 0 on a linear axis, so lengths compare.
        label_rows(ax, ys, rows, log=False)
        ax.set_xlim(0.0, min(100.0, 1.15 * max((p["hi"] for p in pct), default=1.0)) or 1.0)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: pct_text(v)))
        ax.set_xlabel("RL-stage share of total training compute (%)")
        title(ax, "How much of each model's training compute went to the RL stage")
        legend_and_footer(fig, stamp, sources)
    return fig


def score_chart(
    points: Sequence[Mapping[str, Any]],
    curve: Mapping[str, Sequence[float]],
    stamp: Stamp,
    *,
    benchmark: str,
    fit_label: str,
    sources: Sequence[str] = (),
) -> Figure:
    """Benchmark score against RL-stage compute, with the fitted curve and its 90% band.

    ``points``: dicts with ``label``, ``median``, ``lo``, ``hi`` (FLOP) and ``score`` (%).
    ``curve``: ``x`` (FLOP), ``y``, ``lo``, ``hi`` (score, %) from the fit's predictions.
    """
    fig, ax = new_figure(11.0, 5.6)
    with matplotlib.rc_context(RC):
        ax.fill_between(
            curve["x"],
            curve["lo"],
            curve["hi"],
            color=FRONTIER,
            alpha=0.15,
            lw=0,
            label="Fit: 90% band of the fitted curve (bootstrap)",
        )
        ax.plot(curve["x"], curve["y"], color=FRONTIER, lw=1.8, label=f"Fit: {fit_label}")
        if points:
            xs = [p["median"] for p in points]
            ys = [p["score"] for p in points]
            ax.errorbar(
                xs,
                ys,
                xerr=err(points),
                fmt="o",
                color=RL,
                ms=5,
                capsize=3,
                lw=1,
                label="Models: RL-stage compute (90% CI)",
            )
            for p in points:
                ax.annotate(
                    p["label"],
                    (p["median"], p["score"]),
                    xytext=(5, 5),
                    textcoords="offset points",
                    fontsize=7.5,
                    color=GREY,
                    bbox={"facecolor": "white", "alpha": 0.8, "lw": 0, "pad": 0.5},
                )
        ax.set_xscale("log")
        decade_ticks(ax.xaxis)
        ax.set_xlabel("RL-stage training compute (FLOP, log scale)")
        ax.set_ylabel(f"{benchmark} score (%)")
        lo, hi = ax.get_ylim()
        ax.set_ylim(max(lo, 0.0), min(hi, 100.0))  # a score in % lies in [0, 100]
        title(ax, f"{benchmark} score against RL-stage compute")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="upper left", frameon=False)
        footer(fig, stamp, sources)
    return fig


def tornado_chart(
    rows: Sequence[Mapping[str, Any]],
    base_year: float,
    stamp: Stamp,
    *,
    sources: Sequence[str] = (),
) -> Figure:
    """Sensitivity tornado: the median meeting date with each parameter at its low and high end.

    ``rows``: dicts with ``parameter``, ``low``, ``high`` (the values tried, as text the way the
    scenario states them, e.g. "3 months" for the low end of "3 to 5") and
    ``median_low``, ``median_high`` (decimal years), widest swing first.
    """
    fig, ax = new_figure(11.0, max(3.0, 1.8 + 0.42 * len(rows)))
    with matplotlib.rc_context(RC):
        ys = list(range(len(rows)))[::-1]
        for y, r in zip(ys, rows, strict=True):
            for end, colour in (("low", FRONTIER), ("high", REASONING)):
                year = r[f"median_{end}"]
                ax.barh(y, year - base_year, left=base_year, color=colour, alpha=0.7, height=0.6)
                ax.annotate(
                    str(r[end]),
                    (year, y),
                    xytext=(4 if year >= base_year else -4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7.5,
                    ha="left" if year >= base_year else "right",
                    color=GREY,
                )
        base = ax.axvline(base_year, color="black", lw=1)
        handles = [base, Patch(color=FRONTIER, alpha=0.7), Patch(color=REASONING, alpha=0.7)]
        labels = [
            f"Base median ({year_text(base_year)})",
            "Parameter at its low end",
            "Parameter at its high end",
        ]
        ax.set_yticks(ys, [r["parameter"] for r in rows])
        span = [r[k] for r in rows for k in ("median_low", "median_high")] + [base_year]
        pad = max(0.25, 0.25 * (max(span) - min(span)))
        ax.set_xlim(min(span) - pad, max(span) + pad)
        ax.set_ylim(-0.8, len(rows) - 0.2)
        ax.xaxis.set_major_locator(MonthTicks())
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: year_text(v)))
        ax.set_xlabel("Median meeting date (year-month)")
        title(ax, "Sensitivity of the meeting date to each assumption")
        ax.grid(True, axis="x", alpha=0.3)
        fig.legend(handles, labels, loc="outside right upper", frameon=False)
        footer(fig, stamp, sources)
    return fig
