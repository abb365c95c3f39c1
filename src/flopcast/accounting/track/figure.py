"""A ledger's figure: FLOP per step (stacked by phase) above MFU per step.

matplotlib is the ``report`` extra, imported when a figure is drawn; the object API on an Agg
canvas (no ``pyplot``, no global style), as :mod:`flopcast.report.figures` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flopcast.accounting.rl import PHASES
from flopcast.accounting.track.ledger import LedgerData
from flopcast.accounting.track.summary import step_series

__all__ = ["ledger_figure", "save_ledger_figure"]


def ledger_figure(data: LedgerData) -> Any:
    """A matplotlib ``Figure`` of FLOP and MFU per counted step."""
    from matplotlib.figure import Figure  # optional extra: only plotting needs it

    series = step_series(data)
    steps = series["step"]
    fig = Figure(figsize=(7.5, 5.0), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    base = [0.0] * len(steps)
    for phase in PHASES:
        values = [rec.counts.flop()[phase] for rec in data.steps]
        if any(values):
            top.bar(steps, values, bottom=base, label=phase.replace("_", " "))
            base = [b + v for b, v in zip(base, values, strict=True)]
    top.set_ylabel("FLOP per step")
    top.set_title(f"run {data.run_id}: {data.model.name} on {data.chip}")
    top.legend(fontsize="small", ncols=2)
    timed = [(s, m * 100) for s, m in zip(steps, series["mfu"], strict=True) if m is not None]
    if timed:
        bottom.plot(*zip(*timed, strict=True), marker="o")
    bottom.set_ylabel(f"MFU, % of {data.precision} peak")
    bottom.set_xlabel("step")
    return fig


def save_ledger_figure(data: LedgerData, path: str | Path) -> Path:
    """Draw :func:`ledger_figure` and write it (format from the suffix: .png, .svg, .pdf)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # optional extra

    fig = ledger_figure(data)
    FigureCanvasAgg(fig)
    out = Path(path)
    fig.savefig(out)
    return out
