"""The fan chart: reasoning-training compute against the frontier, framed around the question.

:func:`fan_chart` draws the forecast's bands (median, 25-75%, 5-95%), the records near the
frontier with their 90% intervals (filled before the forecast's start, hollow after it: the
observations the forecast did not see), each named, the as-of line (the data date, the newest
record's release) and the meeting date. :func:`view` frames it where the question lives: from
a little before the start to two years past the later of the meeting date's 95th percentile
and the data date, and from the lowest record shown to a little above the frontier there, not
to the end of the bands. Nothing is computed but the frame.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from flopcast.report.canvas import (
    FRONTIER,
    GREY,
    MEETING,
    RC,
    REASONING,
    RL,
    Stamp,
    decade_ticks,
    errorbar,
    footer,
    new_figure,
    percentiles,
    pow10,
    title,
    when,
    year_text,
)

# The frame (NB: reading choices, not data): years shown past the later of the meeting date's
# 95th percentile and the data date; before the earliest point; room above the top, in decades.
YEARS_AFTER = 2.0
YEARS_BEFORE = 0.25
DECADES_ABOVE = 0.5
DECADES_BELOW = 0.3
# Label spacing for model points, in data units (years, decades of FLOP).
_NEAR_YEARS, _LINE_DECADES = 0.35, 0.3


def view(
    bands: Mapping[str, Any],
    models: Sequence[Mapping[str, Any]],
    meeting: Mapping[str, float],
    *,
    as_of: float | None = None,
) -> tuple[float, float, float, float]:
    """``(x_lo, x_hi, y_lo, y_hi)``: decimal years and FLOP around where the question lives."""
    t = list(bands["t"])
    end = max(t)
    x_lo = min([t[0], *(m["year"] for m in models)]) - YEARS_BEFORE
    ends = [v for v in (meeting.get("p95"), meeting.get("median"), as_of) if v is not None]
    last = max((v for v in ends if math.isfinite(v)), default=end)
    x_hi = min(end, max(last, t[0]) + YEARS_AFTER)
    inside = [i for i, ti in enumerate(t) if ti <= x_hi] or [0]
    tops = [max(percentiles(bands[k])[95][i] for i in inside) for k in ("frontier", "reasoning")]
    top = max([*tops, *(math.log10(m["hi"]) for m in models if m.get("hi"))])
    bottoms = [math.log10(m["lo"]) for m in models if m.get("lo")]
    bottom = min(bottoms or [percentiles(bands["reasoning"])[5][0]])
    return x_lo, x_hi, 10 ** (bottom - DECADES_BELOW), 10 ** (top + DECADES_ABOVE)


def fan_chart(
    bands: Mapping[str, Any],
    models: Sequence[Mapping[str, Any]],
    meeting: Mapping[str, float],
    stamp: Stamp,
    *,
    sources: Sequence[str] = (),
    as_of: float | None = None,
    as_of_text: str = "",
    start: float | None = None,
) -> Figure:
    """Reasoning-training compute against the frontier over time, on a log axis.

    ``bands``: ``t`` (decimal years) and ``reasoning`` / ``frontier`` mapping percentile
    (5, 25, 50, 75, 95) to log10 FLOP. ``models``: dicts with ``label``, ``year`` (decimal),
    ``median``, ``lo``, ``hi`` (FLOP, 90% interval) and ``kind`` ("rl" or "total").
    ``meeting``: decimal years ``median``, ``p5``, ``p95`` of the meeting date (``inf`` for
    never); a date past the chart's end is named in the legend, not drawn. ``as_of``: the data
    date (decimal year; ``as_of_text`` its ISO date), drawn as a line; ``start``: the forecast's
    start, after which records are drawn hollow.
    """
    t = list(bands["t"])
    x_lo, x_hi, y_lo, y_hi = view(bands, models, meeting, as_of=as_of)
    fig, ax = new_figure(11.0, 5.8)
    with matplotlib.rc_context(RC):
        _bands(ax, t, bands)
        cut = start if start is not None else math.inf
        for kind, colour, marker, what in (
            ("rl", RL, "o", "RL stage"),
            ("total", FRONTIER, "s", "total"),
        ):
            for after in (False, True):
                pts = [m for m in models if m["kind"] == kind and (m["year"] > cut) == after]
                if not pts:
                    continue
                label = f"Records, {what} (90% CI)" + (
                    ""
                    if start is None
                    else ": after the start, hollow"
                    if after
                    else ": before the start"
                )
                errorbar(
                    ax,
                    [m["year"] for m in pts],
                    pts,
                    colour,
                    marker,
                    label,
                    horizontal=False,
                    hollow=after,
                )
        label_points(ax, models)
        if start is not None:
            ax.axvline(
                start, color=GREY, lw=0.8, ls=":", label=f"Forecast start ({year_text(start)})"
            )
        if as_of is not None:
            ax.axvline(
                as_of,
                color="black",
                lw=1.3,
                label=f"As of {as_of_text or year_text(as_of)} (newest record)",
            )
        _meeting(ax, meeting, x_hi)
        ax.set_yscale("log")
        decade_ticks(ax.yaxis)
        ax.set_xlim(x_lo, x_hi)
        ax.set_ylim(y_lo, y_hi)
        ax.set_xlabel("Date (calendar year)")
        ax.set_ylabel("Training compute (FLOP, log scale)")
        title(ax, "Reasoning-training compute against the frontier of total training compute")
        ax.grid(True, which="major", alpha=0.3)
        fig.legend(loc="outside right upper", frameon=False, fontsize=7.5)
        footer(fig, stamp, sources)
    return fig


def label_points(ax: Any, models: Sequence[Mapping[str, Any]]) -> None:
    """Name each model beside its point; a label that would sit on a nearby one moves down
    (greedy, top to bottom) and is tied to its point by a thin line."""
    placed: list[tuple[float, float]] = []  # (year, log10 y) of labels already placed
    for m in sorted(models, key=lambda m: -m["median"]):
        x, y = m["year"], math.log10(m["median"])
        at = y
        while any(abs(x - px) < _NEAR_YEARS and abs(at - py) < _LINE_DECADES for px, py in placed):
            at -= _LINE_DECADES
        placed.append((x, at))
        ax.annotate(
            m["label"],
            (x, m["median"]),
            xytext=(x + 0.04, 10.0**at),
            textcoords="data",
            fontsize=6.5,
            color=GREY,
            va="center",
            bbox={"facecolor": "white", "alpha": 0.75, "lw": 0, "pad": 0.3},
            arrowprops={"arrowstyle": "-", "color": GREY, "lw": 0.4} if at != y else None,
        )


# ---- private ----------------------------------------------------------------------------------


def _bands(ax: Any, t: list[float], bands: Mapping[str, Any]) -> None:
    for name, colour, key, width in (
        ("Frontier (total)", FRONTIER, "frontier", 3.2),
        ("Reasoning (RL stage)", REASONING, "reasoning", 1.6),
    ):
        pct = percentiles(bands[key])
        ax.fill_between(
            t, pow10(pct[5]), pow10(pct[95]), color=colour, alpha=0.15, lw=0, label=f"{name}: 5-95%"
        )
        ax.fill_between(
            t,
            pow10(pct[25]),
            pow10(pct[75]),
            color=colour,
            alpha=0.30,
            lw=0,
            label=f"{name}: 25-75%",
        )
        # The frontier's median is drawn wider, so it still shows where reasoning rides the cap.
        ax.plot(t, pow10(pct[50]), color=colour, lw=width, label=f"{name}: median")


def _meeting(ax: Any, meeting: Mapping[str, float], end: float) -> None:
    lo, hi, mid = meeting["p5"], meeting["p95"], meeting["median"]
    span_label = f"Meeting date, 90% interval\n({when(lo, end)} to {when(hi, end)})"
    if math.isfinite(lo) and lo <= end:
        ax.axvspan(lo, min(hi, end), color=MEETING, alpha=0.10, lw=0, label=span_label)
    else:
        ax.plot([], [], " ", label=span_label)  # nothing to shade inside the chart
    if math.isfinite(mid) and mid <= end:
        ax.axvline(
            mid, color=MEETING, lw=1.5, ls="--", label=f"Meeting date, median ({year_text(mid)})"
        )
    else:
        ax.plot(
            [], [], color=MEETING, lw=1.5, ls="--", label=f"Meeting date, median: {when(mid, end)}"
        )
