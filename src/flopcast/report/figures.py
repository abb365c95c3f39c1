"""The report's figures: each one a pure function from plain data to a matplotlib ``Figure``.

Nothing here estimates anything. The numbers arrive already computed by ``flopcast.evidence.dataset``,
``flopcast.forecast.model`` and ``flopcast.forecast.fit`` (``build.py`` gathers them); these functions only
draw them. Every figure carries a footer with the data version, scenario, seed, sample count and
its dated sources, so a figure seen on its own can be reproduced exactly.

matplotlib is used through its object API (``Figure`` on an Agg canvas), never through
``pyplot``: no global state, no style set at import. Local settings live in ``_RC`` and are
applied with ``rc_context`` only while a figure is drawn or saved.
"""

from __future__ import annotations

import io
import math
import textwrap
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, Locator, LogLocator, NullFormatter

from flopcast.forecast.scenario import to_date, to_year

# Colours from the Okabe-Ito palette (readable by colour-blind readers).
REASONING = "#D55E00"
FRONTIER = "#0072B2"
PRETRAINING = "#0072B2"
RL = "#D55E00"
MEETING = "#009E73"
GREY = "#555555"

_RC: Any = {  # Any: matplotlib types rc keys as a Literal union
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",  # text stays text in the SVG: smaller, searchable
    "svg.hashsalt": "flopcast",  # stable element ids, so the same data gives the same SVG
}
_PERCENTILES = (5, 25, 50, 75, 95)
_SVG_CACHE: weakref.WeakKeyDictionary[Figure, str] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Stamp:
    """What a figure was made from: printed in its footer so it can be reproduced."""

    scenario: str
    seed: int
    n: int
    data_version: str
    generated: str  # ISO date the report was made
    sources: tuple[str, ...] = field(default_factory=tuple)  # "label, YYYY-MM-DD, URL"

    def footer(self, sources: Sequence[str] = ()) -> str:
        listed = list(sources) or list(self.sources)
        head = (
            f"flopcast data {self.data_version} · scenario {self.scenario} · seed {self.seed}"
            f" · n={self.n:,} · made {self.generated}"
        )
        if not listed:
            return head
        text = "Sources: " + "; ".join(listed)
        return head + "\n" + "\n".join(textwrap.wrap(text, 150, max_lines=3, placeholder=" …"))


def fan_chart(
    bands: Mapping[str, Any],
    models: Sequence[Mapping[str, Any]],
    meeting: Mapping[str, float],
    stamp: Stamp,
    *,
    sources: Sequence[str] = (),
) -> Figure:
    """Reasoning-training compute against the frontier over time, on a log axis.

    ``bands``: ``t`` (decimal years) and ``reasoning`` / ``frontier`` mapping percentile
    (5, 25, 50, 75, 95) to log10 FLOP. ``models``: dicts with ``label``, ``year`` (decimal),
    ``median``, ``lo``, ``hi`` (FLOP, 90% interval) and ``kind`` ("rl" or "total").
    ``meeting``: decimal years ``median``, ``p5``, ``p95`` of the meeting date (``inf`` for
    never); a date past the chart's end is named in the legend, not drawn.
    """
    t = list(bands["t"])
    fig, ax = _new(11.0, 5.8)
    with matplotlib.rc_context(_RC):
        for name, colour, key, width in (
            ("Frontier (total)", FRONTIER, "frontier", 3.2),
            ("Reasoning (RL stage)", REASONING, "reasoning", 1.6),
        ):
            pct = _percentiles(bands[key])
            ax.fill_between(
                t,
                _pow10(pct[5]),
                _pow10(pct[95]),
                color=colour,
                alpha=0.15,
                lw=0,
                label=f"{name}: 5-95%",
            )
            ax.fill_between(
                t,
                _pow10(pct[25]),
                _pow10(pct[75]),
                color=colour,
                alpha=0.30,
                lw=0,
                label=f"{name}: 25-75%",
            )
            # The frontier's median is drawn wider, so it still shows where reasoning rides the cap.
            ax.plot(t, _pow10(pct[50]), color=colour, lw=width, label=f"{name}: median")
        for kind, colour, marker, label in (
            ("rl", RL, "o", "Models: RL-stage compute, 90% CI"),
            ("total", FRONTIER, "s", "Models: total compute, 90% CI"),
        ):
            pts = [m for m in models if m["kind"] == kind]
            if pts:
                _errorbar(
                    ax, [m["year"] for m in pts], pts, colour, marker, label, horizontal=False
                )
        end = max(t)
        lo, hi, mid = meeting["p5"], meeting["p95"], meeting["median"]
        span_label = f"Meeting date, 90% interval\n({_when(lo, end)} to {_when(hi, end)})"
        if math.isfinite(lo) and lo <= end:
            ax.axvspan(lo, min(hi, end), color=MEETING, alpha=0.10, lw=0, label=span_label)
        else:
            ax.plot([], [], " ", label=span_label)  # nothing to shade inside the chart
        if math.isfinite(mid) and mid <= end:
            ax.axvline(
                mid,
                color=MEETING,
                lw=1.5,
                ls="--",
                label=f"Meeting date, median ({_year_text(mid)})",
            )
        else:
            ax.plot(
                [],
                [],
                color=MEETING,
                lw=1.5,
                ls="--",
                label=f"Meeting date, median: {_when(mid, end)}",
            )
        ax.set_yscale("log")
        _decade_ticks(ax.yaxis)
        xs = t + [m["year"] for m in models]
        ax.set_xlim(math.floor(min(xs)), max(t))
        ax.set_xlabel("Date (calendar year)")
        ax.set_ylabel("Training compute (FLOP, log scale)")
        ax.set_title("Reasoning-training compute against the frontier of total training compute")
        ax.grid(True, which="major", alpha=0.3)
        fig.legend(loc="outside right upper", frameon=False)
        _footer(fig, stamp, sources)
    return fig


def forest_plot(
    rows: Sequence[Mapping[str, Any]], stamp: Stamp, *, sources: Sequence[str] = ()
) -> Figure:
    """Each model's RL-stage and pre-training compute with 90% intervals, one row per model.

    ``rows``: dicts with ``label`` and ``rl`` / ``pretraining`` each ``{median, lo, hi}`` (FLOP)
    or None.
    """
    fig, ax = _new(11.0, max(3.2, 1.6 + 0.32 * len(rows)))
    with matplotlib.rc_context(_RC):
        ys = list(range(len(rows)))[::-1]
        for key, colour, marker, offset, label in (
            ("pretraining", PRETRAINING, "s", 0.14, "Pre-training compute"),
            ("rl", RL, "o", -0.14, "RL-stage compute"),
        ):
            pts = [(y + offset, r[key]) for y, r in zip(ys, rows, strict=True) if r.get(key)]
            if pts:
                _errorbar(
                    ax,
                    [p[0] for p in pts],
                    [p[1] for p in pts],
                    colour,
                    marker,
                    f"{label} (median, 90% CI)",
                    horizontal=True,
                )
        _rows_on_log_x(ax, ys, rows)
        _decade_ticks(ax.xaxis)
        ax.set_xlabel("Training compute (FLOP, log scale)")
        ax.set_title("RL-stage and pre-training compute per model (90% intervals)")
        _legend_and_footer(fig, stamp, sources)
    return fig


def rl_share_chart(
    rows: Sequence[Mapping[str, Any]], stamp: Stamp, *, sources: Sequence[str] = ()
) -> Figure:
    """The RL stage's share of each model's total training compute (a fraction, drawn in %).

    ``rows``: dicts with ``label``, ``median``, ``lo``, ``hi`` (fractions of the total).
    """
    fig, ax = _new(11.0, max(3.0, 1.6 + 0.32 * len(rows)))
    with matplotlib.rc_context(_RC):
        ys = list(range(len(rows)))[::-1]
        pct = [{k: 100.0 * r[k] for k in ("median", "lo", "hi")} for r in rows]
        ax.barh(
            ys, [p["median"] for p in pct], color=RL, alpha=0.35, height=0.6, label="Median share"
        )
        _errorbar(ax, ys, pct, RL, "o", "90% interval", horizontal=True)
        for y, p in zip(ys, pct, strict=True):
            ax.annotate(
                _pct_text(p["median"]),
                (p["hi"], y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
                color=GREY,
            )
        _rows_on_log_x(ax, ys, rows)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _pct_text(v)))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("RL-stage share of total training compute (%, log scale)")
        ax.set_title("How much of each model's training compute went to the RL stage")
        _legend_and_footer(fig, stamp, sources)
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
    fig, ax = _new(11.0, 5.6)
    with matplotlib.rc_context(_RC):
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
                xerr=_err(points),
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
        _decade_ticks(ax.xaxis)
        ax.set_xlabel("RL-stage training compute (FLOP, log scale)")
        ax.set_ylabel(f"{benchmark} score (%)")
        lo, hi = ax.get_ylim()
        ax.set_ylim(max(lo, 0.0), min(hi, 100.0))  # a score in % lies in [0, 100]
        ax.set_title(f"{benchmark} score against RL-stage compute")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(loc="upper left", frameon=False)
        _footer(fig, stamp, sources)
    return fig


def tornado_chart(
    rows: Sequence[Mapping[str, Any]],
    base_year: float,
    stamp: Stamp,
    *,
    sources: Sequence[str] = (),
) -> Figure:
    """Sensitivity tornado: the median meeting date with each parameter at its low and high end.

    ``rows``: dicts with ``parameter``, ``low``, ``high`` (the values tried, as text) and
    ``median_low``, ``median_high`` (decimal years), widest swing first.
    """
    fig, ax = _new(11.0, max(3.0, 1.8 + 0.42 * len(rows)))
    with matplotlib.rc_context(_RC):
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
            f"Base median ({_year_text(base_year)})",
            "Parameter at its low end",
            "Parameter at its high end",
        ]
        ax.set_yticks(ys, [r["parameter"] for r in rows])
        span = [r[k] for r in rows for k in ("median_low", "median_high")] + [base_year]
        pad = max(0.25, 0.25 * (max(span) - min(span)))
        ax.set_xlim(min(span) - pad, max(span) + pad)
        ax.set_ylim(-0.8, len(rows) - 0.2)
        ax.xaxis.set_major_locator(MonthTicks())
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _year_text(v)))
        ax.set_xlabel("Median meeting date (year-month)")
        ax.set_title("Sensitivity of the meeting date to each assumption")
        ax.grid(True, axis="x", alpha=0.3)
        fig.legend(handles, labels, loc="outside right upper", frameon=False)
        _footer(fig, stamp, sources)
    return fig


class MonthTicks(Locator):
    """Ticks on the first day of a month, every 1, 2, 3, 6 or 12 months (then whole multiples of
    years), the smallest step that keeps at most ``max_ticks`` in view, for an axis in decimal
    years (:func:`flopcast.forecast.scenario.to_year`). Steps start from January, so a 3-month step ticks
    January, April, July and October."""

    STEPS = (1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200)  # months

    def __init__(self, max_ticks: int = 8):
        self.max_ticks = max(2, int(max_ticks))

    def __call__(self) -> Sequence[float]:
        assert self.axis is not None
        vmin, vmax = self.axis.get_view_interval()
        return self.tick_values(vmin, vmax)

    def tick_values(self, vmin: float, vmax: float) -> Sequence[float]:
        lo, hi = sorted((float(vmin), float(vmax)))
        if not (math.isfinite(lo) and math.isfinite(hi)) or not 1 <= lo <= hi < 9999:
            return []
        months = (hi - lo) * 12
        step = next((m for m in self.STEPS if months / m <= self.max_ticks - 1), self.STEPS[-1])
        # months since year 0, a step before ``lo`` (the month fraction is only approximate)
        index = (math.floor(lo) * 12 + int((lo % 1) * 12)) // step * step - step
        ticks: list[float] = []
        while (year := to_year(f"{index // 12:04d}-{index % 12 + 1:02d}-01")) <= hi:
            if year >= lo:
                ticks.append(year)
            index += step
        return ticks or [lo, hi]  # a view narrower than a month: its two ends


def save(fig: Figure, out_dir: Path, stem: str, *, dpi: int = 150) -> tuple[Path, Path]:
    """Write ``stem.png`` and ``stem.svg``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    png, svg = out_dir / f"{stem}.png", out_dir / f"{stem}.svg"
    with matplotlib.rc_context(_RC):
        fig.savefig(png, dpi=dpi, metadata={"Software": "flopcast"})
    svg.write_text(svg_text(fig), encoding="utf-8")
    return png, svg


def svg_text(fig: Figure) -> str:
    """The figure as an SVG element (no XML prolog or DOCTYPE): a valid .svg file, and inlinable."""
    cached = _SVG_CACHE.get(fig)
    if cached is None:
        buf = io.StringIO()
        with matplotlib.rc_context(_RC):
            fig.savefig(buf, format="svg", metadata={"Date": None})
        text = buf.getvalue()
        cached = _SVG_CACHE[fig] = text[text.index("<svg") :]  # drawn once: file and inline copy
    return cached


# ---------------------------------------------------------------------------- helpers


def _rows_on_log_x(ax: Any, ys: Sequence[int], rows: Sequence[Mapping[str, Any]]) -> None:
    """One labelled row per model, top to bottom, against a log x axis with a grid."""
    ax.set_yticks(ys, [r["label"] for r in rows])
    ax.set_ylim(-0.8, len(rows) - 0.2)
    ax.set_xscale("log")
    ax.grid(True, axis="x", which="major", alpha=0.3)


def _legend_and_footer(fig: Figure, stamp: Stamp, sources: Sequence[str]) -> None:
    fig.legend(loc="outside right upper", frameon=False)
    _footer(fig, stamp, sources)


def _new(width: float, height: float) -> tuple[Figure, Any]:
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
    return fig, ax


def _footer(fig: Figure, stamp: Stamp, sources: Sequence[str]) -> None:
    # supxlabel is a figure-level text that the constrained layout makes room for.
    fig.supxlabel(
        stamp.footer(sources), x=0.005, ha="left", fontsize=6.5, color=GREY, linespacing=1.35
    )


def _percentiles(table: Mapping[Any, Sequence[float]]) -> dict[int, list[float]]:
    """Percentile keys may be ints or (after JSON) strings such as "5" or "p5"."""
    out = {int(str(k).lstrip("p")): list(v) for k, v in table.items()}
    missing = [p for p in _PERCENTILES if p not in out]
    if missing:
        raise ValueError(f"band percentiles {missing} missing; have {sorted(out)}")
    return out


def _pow10(values: Sequence[float]) -> list[float]:
    return [10.0**v for v in values]


def _err(points: Sequence[Mapping[str, float]]) -> list[list[float]]:
    return [
        [max(p["median"] - p["lo"], 0.0) for p in points],
        [max(p["hi"] - p["median"], 0.0) for p in points],
    ]


def _errorbar(
    ax: Any,
    pos: Sequence[float],
    points: Sequence[Mapping[str, float]],
    colour: str,
    marker: str,
    label: str,
    *,
    horizontal: bool,
) -> None:
    vals = [p["median"] for p in points]
    if horizontal:
        ax.errorbar(
            vals,
            pos,
            xerr=_err(points),
            fmt=marker,
            color=colour,
            ms=5,
            capsize=3,
            lw=1.2,
            label=label,
        )
    else:
        ax.errorbar(
            pos,
            vals,
            yerr=_err(points),
            fmt=marker,
            color=colour,
            ms=5,
            capsize=3,
            lw=1.2,
            label=label,
        )


def _decade_ticks(axis: Any) -> None:
    axis.set_major_locator(LogLocator(base=10, numticks=30))
    axis.set_major_formatter(
        FuncFormatter(lambda v, _: f"1e{round(math.log10(v))}" if v > 0 else "")
    )
    axis.set_minor_formatter(NullFormatter())


def _year_text(year: float) -> str:
    """Decimal year to 'YYYY-MM': the calendar month of its date (:func:`to_date`)."""
    return to_date(year)[:7] or str(year)


def _when(year: float, end: float) -> str:
    if not math.isfinite(year):
        return "never"
    return _year_text(year) if year <= end else f"after {_year_text(end)}"


def _pct_text(v: float) -> str:
    if v >= 1:
        return f"{v:.0f}%"
    if v >= 0.1:
        return f"{v:.1f}%"
    return f"{v:.2g}%"
