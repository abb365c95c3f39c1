"""The report's matplotlib plumbing: a figure on an Agg canvas, its footer, ticks, and export.

matplotlib is used through its object API (``Figure`` on an Agg canvas), never through
``pyplot``: no global state, no style set at import. Local settings live in ``RC`` and are
applied with ``rc_context`` only while a figure is drawn or saved.

Export lays a figure out once: the constrained layout runs a single time (while the PNG is
rendered), is then frozen, and the SVG is rendered from the same positions (each file used to
run the layout again).
"""

from __future__ import annotations

import io
import math
import os
import struct
import textwrap
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, Locator, LogLocator, NullLocator

from flopcast.core import fmt
from flopcast.core.dates import to_date, to_year

# Colours from the Okabe-Ito palette (readable by colour-blind readers).
REASONING = "#D55E00"
FRONTIER = "#0072B2"
PRETRAINING = "#0072B2"
RL = "#D55E00"
MEETING = "#009E73"
GREY = "#555555"

RC: Any = {  # Any: matplotlib types rc keys as a Literal union
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",  # text stays text in the SVG: smaller, searchable
    # NB: glyphs unhinted: at 150 dpi the PNG reads the same, and the figures draw about 9%
    # faster (FreeType's autohinter runs on every glyph; benchmarks/bench_report.py)
    "text.hinting": "none",
    "svg.hashsalt": "flopcast",  # stable element ids, so the same data gives the same SVG
}
PERCENTILES = (5, 25, 50, 75, 95)
DPI = 150
# NB: zlib level 1 (PIL's default is 6): the same pixels, files about 10% larger, compressed in
# half the time (measured on the report's five figures)
PNG_COMPRESS_LEVEL = 1


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


class MonthTicks(Locator):
    """Ticks on the first day of a month, every 1, 2, 3, 6 or 12 months (then whole multiples of
    years), the smallest step that keeps at most ``max_ticks`` in view, for an axis in decimal
    years (:func:`flopcast.forecast.scenario.to_year`). Steps start from January, so a 3-month
    step ticks January, April, July and October."""

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


# ---------------------------------------------------------------------------- export


def lay_out(fig: Figure) -> Figure:
    """Run the figure's constrained layout once and freeze it (idempotent)."""
    if _constrained(fig):
        with matplotlib.rc_context(RC):
            fig.draw_without_rendering()
        _freeze(fig)
    return fig


def _constrained(fig: Figure) -> bool:
    engine = fig.get_layout_engine()
    return engine is not None and type(engine).__name__ == "ConstrainedLayoutEngine"


def _freeze(fig: Figure) -> None:
    if _constrained(fig):
        fig.set_layout_engine("none")  # the positions last computed stay as they are


def export(fig: Figure, *, dpi: int = DPI) -> tuple[bytes, str]:
    """The figure laid out once, rendered as PNG bytes and as an SVG element (no XML prolog).

    The Agg render at ``dpi`` runs the constrained layout (its only run) and is written as a PNG
    by :func:`png`; the layout is then frozen and the SVG is rendered from the same positions.
    """
    svg = io.StringIO()
    with matplotlib.rc_context(RC):
        raw: Any = _Held()  # Any: matplotlib types its file argument as IO
        fig.savefig(raw, format="rgba", dpi=dpi)  # savefig's own render: the same pixels
        pixels = np.frombuffer(raw.data, np.uint8)
        width = int(fig.get_figwidth() * dpi)  # Agg's canvas: the size in pixels, truncated
        image = png(pixels.reshape(-1, width, 4), dpi=dpi)
        del pixels, raw
        _freeze(fig)
        fig.savefig(svg, format="svg", metadata={"Date": None})
    text = svg.getvalue()
    return image, text[text.index("<svg") :]


class _Held(io.RawIOBase):
    """A file that keeps what it is given instead of copying it: the Agg renderer's buffer
    (``savefig(format="rgba")`` writes it in one call), read in place. NB: a copy of 17 MB for
    the forest plot, in fresh memory that the kernel maps page by page, took about 9 ms."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[Any] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(data)
        return memoryview(data).nbytes

    @property
    def data(self) -> Any:
        return self.parts[0] if len(self.parts) == 1 else b"".join(self.parts)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_ROWS = 64  # rows filtered and compressed at a time: one small buffer, reused


def png(rgba: np.ndarray, *, dpi: float, software: str = "flopcast") -> bytes:
    """An 8-bit ``(height, width, 4)`` RGBA image as PNG file bytes: RGB when it is opaque.

    The chunks of the PNG specification (W3C, https://www.w3.org/TR/png-3/): IHDR, pHYs (the
    resolution), tEXt ``Software``, one IDAT, IEND. Every row has filter type 0 (None) and the
    rows are compressed with zlib at :data:`PNG_COMPRESS_LEVEL`. NB: written here rather than
    by PIL, whose per-row adaptive filter choice took about half of its 0.17 s for the five
    report figures; without filters, and as RGB, the report's PNGs are 7% smaller than PIL's
    RGBA at the same level (899 kB against 966 kB) and written in half the time. Any PNG reader
    decodes the same pixels (test).
    """
    height, width, channels = rgba.shape
    if channels != 4 or rgba.dtype != np.uint8:
        raise ValueError(f"an 8-bit RGBA image is needed, got {rgba.dtype} x {channels}")
    opaque = bool((rgba[..., 3] == 255).all())
    pixels = rgba[..., :3] if opaque else rgba
    rows = np.zeros((min(height, _PNG_ROWS), 1 + width * pixels.shape[2]), np.uint8)  # byte 0
    deflate = zlib.compressobj(PNG_COMPRESS_LEVEL)
    idat = []
    for top in range(0, height, _PNG_ROWS):
        block = pixels[top : top + _PNG_ROWS]
        rows[: len(block), 1:] = block.reshape(len(block), -1)
        idat.append(deflate.compress(rows[: len(block)].data))
    idat.append(deflate.flush())
    per_metre = round(dpi / 0.0254)
    header = struct.pack(">IIBBBBB", width, height, 8, 2 if opaque else 6, 0, 0, 0)
    return b"".join(
        (
            _PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            _chunk(b"tEXt", b"Software\0" + software.encode("latin-1")),
            _chunk(b"IDAT", b"".join(idat)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def save(fig: Figure, out_dir: Path, stem: str, *, dpi: int = DPI) -> tuple[Path, Path]:
    """Write ``stem.png`` and ``stem.svg`` from one layout; return their paths.

    Each file is written to a temporary sibling and renamed over the old one when complete,
    so an existing figure is never left half-written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    png_bytes, svg = export(fig, dpi=dpi)
    paths = out_dir / f"{stem}.png", out_dir / f"{stem}.svg"
    for path, content in zip(paths, (png_bytes, svg.encode("utf-8")), strict=True):
        tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
        tmp.write_bytes(content)
        os.replace(tmp, path)
    return paths


def svg_text(fig: Figure) -> str:
    """The figure as an SVG element (no XML prolog or DOCTYPE): a valid .svg file, and inlinable."""
    lay_out(fig)
    buf = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]


# ---------------------------------------------------------------------------- drawing helpers


def new_figure(width: float, height: float) -> tuple[Figure, Any]:
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
    return fig, ax


def title(ax: Any, text: str) -> None:
    """The axes' title, centred on the top of the axes.

    NB: given its height (``y=1.0``, matplotlib's default place) the title is not re-placed at
    every draw: matplotlib's automatic placement measures every y tick label on each render, in
    case an offset text or a top x axis lies above the axes, about 7% of the report's drawing
    time. The report's axes put nothing there (no top ticks or label, no y offset: log, row or
    0-100 axes), so the title lands where the automatic rule puts it: the same files (test).
    """
    ax.set_title(text, y=1.0)


def footer(fig: Figure, stamp: Stamp, sources: Sequence[str]) -> None:
    # supxlabel is a figure-level text that the constrained layout makes room for.
    fig.supxlabel(
        stamp.footer(sources), x=0.005, ha="left", fontsize=6.5, color=GREY, linespacing=1.35
    )


def legend_and_footer(fig: Figure, stamp: Stamp, sources: Sequence[str]) -> None:
    fig.legend(loc="outside right upper", frameon=False)
    footer(fig, stamp, sources)


def rows(ax: Any, ys: Sequence[int], items: Sequence[Mapping[str, Any]], *, log: bool) -> None:
    """One labelled row per item, top to bottom, against an x axis with a grid."""
    ax.set_yticks(ys, [r["label"] for r in items])
    ax.set_ylim(-0.8, len(items) - 0.2)
    if log:
        ax.set_xscale("log")
    ax.grid(True, axis="x", which="major", alpha=0.3)


def percentiles(table: Mapping[Any, Sequence[float]]) -> dict[int, list[float]]:
    """Percentile keys may be ints or (after JSON) strings such as "5" or "p5"."""
    out = {int(str(k).lstrip("p")): list(v) for k, v in table.items()}
    missing = [p for p in PERCENTILES if p not in out]
    if missing:
        raise ValueError(f"band percentiles {missing} missing; have {sorted(out)}")
    return out


def pow10(values: Sequence[float]) -> list[float]:
    return [10.0**v for v in values]


def err(points: Sequence[Mapping[str, float]]) -> list[list[float]]:
    return [
        [max(p["median"] - p["lo"], 0.0) for p in points],
        [max(p["hi"] - p["median"], 0.0) for p in points],
    ]


def errorbar(
    ax: Any,
    pos: Sequence[float],
    points: Sequence[Mapping[str, float]],
    colour: str,
    marker: str,
    label: str,
    *,
    horizontal: bool,
    hollow: bool = False,
) -> None:
    vals = [p["median"] for p in points]
    xy, bars = ((vals, pos), "xerr") if horizontal else ((pos, vals), "yerr")
    style = {"fmt": marker, "color": colour, "ms": 5, "capsize": 3, "lw": 1.2, "label": label}
    if hollow:
        style["mfc"] = "white"

    ax.errorbar(*xy, **{bars: err(points)}, **style)


def decade_ticks(axis: Any) -> None:
    """A log axis ticked and gridded at whole decades (``1e22``), without minor ticks.

    NB: no minor ticks (2x-9x within each decade): at the report's 10-20 decades they are 64 or
    more tick marks per axis, about a tenth of the report's drawing time (issue 13), and the
    major grid already marks every decade.
    """
    axis.set_major_locator(LogLocator(base=10, numticks=30))
    axis.set_major_formatter(
        FuncFormatter(lambda v, _: f"1e{round(math.log10(v))}" if v > 0 else "")
    )
    axis.set_minor_locator(NullLocator())


def year_text(year: float) -> str:
    """Decimal year to 'YYYY-MM': the calendar month of its date (:func:`to_date`)."""
    return to_date(year)[:7] or str(year)


def when(year: float, end: float) -> str:
    if not math.isfinite(year):
        return "never"
    return year_text(year) if year <= end else f"after {year_text(end)}"


def pct_text(v: float) -> str:
    """A value already in percent (20.0 -> ``20%``), through :func:`flopcast.core.fmt.percent`."""
    return fmt.percent(v / 100)
