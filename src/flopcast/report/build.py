"""The report: one call gathers the library's results, draws the figures, writes the files.

:func:`build` loads the dataset, runs the scenario's forecast and sensitivity, fits score
against RL compute, and writes into ``out_dir``:

* ``index.html``: self-contained (CSS and figures inlined as SVG); opens offline;
* ``report.md``: the same text, figures linked as PNG;
* ``<figure>.png`` and ``<figure>.svg`` for each figure in :data:`FIGURES` (one layout each);
* ``report.json``: every number the report states, with the run's settings.

Nothing is estimated here: every number comes from ``flopcast.evidence.dataset``,
``flopcast.forecast.model`` and ``flopcast.forecast.fit``; :mod:`flopcast.report.gather` picks
them, :mod:`flopcast.report.catalog` draws them, :mod:`flopcast.report.render` writes the text.
The settings that decide the numbers (scenario, seed, samples, data version) are printed on
every figure and at the top of the report, with the command that reproduces it. The folder is
written atomically (:mod:`flopcast.report.output`): a killed run leaves the old report intact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from flopcast.core import jsonio
from flopcast.core.errors import InputError
from flopcast.evidence import dataset
from flopcast.forecast import model as forecast
from flopcast.forecast.sensitivity import sensitivity
from flopcast.forecast.status import cap_status
from flopcast.report import backtest as report_backtest
from flopcast.report import derivations, gather, output, render, withinrun
from flopcast.report.background import background, workers
from flopcast.report.catalog import FIGURES, FigureSpec

Progress = Callable[[str, int, int], None]  # (step description, steps done, steps in all)

DEFAULT_BENCHMARK = gather.DEFAULT_BENCHMARK
MAX_SAMPLES = 1_000_000
SENSITIVITY_SAMPLES = 20_000  # NB: the tornado uses medians, which settle well before this
BACKTEST_SAMPLES = 20_000  # `flopcast backtest`'s default
FIGURE_WORKERS = 2  # processes drawing figures: the figures take about half as long on 2 cores


@dataclass
class Report:
    """What :func:`build` wrote: the folder, each file by name, and the numbers it states."""

    out_dir: Path
    files: dict[str, Path]
    data: dict[str, Any]

    @property
    def headline(self) -> str:
        """What the report leads with: the as-of status, the forecast from then on, then the
        forecast from its start."""
        lead = self.data.get("lead") or {}
        said = [lead.get("status_sentence"), lead.get("from_data_date_sentence")]
        return " ".join([*(s for s in said if s), self.data["headline"]["sentence"]])


def build(
    out_dir: str | Path = "report",
    *,
    scenario: str | Path = "seed-analysis",
    overrides: Mapping[str, str] | None = None,
    seed: int = 0,
    n: int = 20_000,
    horizon_years: float = 6.0,
    benchmark: str | None = None,
    extra_dirs: list[str] | None = None,
    figures: Sequence[str] | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> Report:
    """Write the report for ``scenario`` (with ``overrides``) into ``out_dir``; return what was written.

    ``n`` Monte Carlo draws (at most 1,000,000) with ``seed``; bands over ``horizon_years``;
    ``benchmark`` for the score-against-compute figure (default: AIME 2024 if any record has it,
    else the benchmark with the most results). ``figures``: stems from :data:`FIGURES` to draw
    (default all). ``progress(step, done, total)`` is told each step. ``out_dir`` must be new,
    empty or an earlier report; it is replaced only once the new report is complete.
    """
    if not 1_000 <= int(n) <= MAX_SAMPLES:
        raise InputError(f"--samples must lie in [1000, {MAX_SAMPLES:,}], got {n}")
    if not 0 < horizon_years <= 30:
        raise InputError(f"the horizon must lie in (0, 30] years, got {horizon_years}")
    specs = [FIGURES[stem] for stem in figures] if figures is not None else list(FIGURES.values())
    out = Path(out_dir)
    output.check_target(out.absolute())  # before minutes of work, not after
    steps = [
        "load data",
        "run forecast",
        "trajectory bands",
        "sensitivity",
        "as-of status",
        "fit scores",
        *(f"figure: {f.stem}" for f in specs),
        "backtest",
        "write files",
    ]
    tick = _Steps(steps, progress)

    # The figures are drawn by FIGURE_WORKERS forked children, started first: each imports
    # matplotlib while this process computes the data, then draws its share of the figures.
    with workers(_import_canvas, partial(_export, specs), FIGURE_WORKERS if specs else 0) as draw:
        ds = dataset.load(extra_dirs)
        sc = forecast.load_scenario(scenario, dict(overrides) if overrides else None)
        tick()
        res = forecast.run(sc, n=int(n), seed=int(seed), dataset=ds)
        tick()
        bands = res.bands(years=horizon_years, series=("reasoning", "frontier"))  # what it draws
        tick()
        sens = sensitivity(sc, n=min(int(n), SENSITIVITY_SAMPLES), seed=int(seed), dataset=ds)
        tick()
        table = ds.table(seed=int(seed))
        status = cap_status(res, ds)
        tick()
        scores = gather.scores(ds, table, benchmark, int(seed))
        tick()

        # Each record's derivation and the backtest run in a child process while the figures
        # draw (no figure needs them), so the report takes little longer for them. NB: the
        # backtest at its own command's defaults (20,000 draws), so its numbers are those of
        # `flopcast backtest --as-of 2025-05-13 --seed SEED` whatever --samples the report uses.
        def text_only() -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
            return (
                derivations.gather(ds, seed=int(seed)),
                report_backtest.run(ds, n=BACKTEST_SAMPLES, seed=int(seed)),
                withinrun.gather(seed=int(seed)),
            )

        with background(text_only) as pending:
            data = gather.gather(
                ds,
                sc,
                res,
                bands,
                sens,
                table,
                scores,
                today=today or dt.date.today(),
                horizon_years=horizon_years,
                status=status,
                backtest=None,
                derivations=None,
            )
            parts = draw(data)
            data["derivations"], data["backtest"], data["within_run"] = pending()
    drawn = {stem: files for part in parts for stem, files in part.items()}
    drawn = {s.stem: drawn[s.stem] for s in specs if s.stem in drawn}  # the catalogue's order
    for _ in specs:
        tick()
    tick()

    data["figures"] = [
        {"stem": s.stem, "title": s.title, "caption": s.caption}
        | {"png": f"{s.stem}.png", "svg": f"{s.stem}.svg"}
        for s in specs
        if s.stem in drawn
    ]
    svgs = {stem: svg for stem, (_, svg) in drawn.items()}
    texts: dict[str, str | bytes] = {}
    for stem, (png, svg) in drawn.items():
        texts[f"{stem}.png"], texts[f"{stem}.svg"] = png, svg
    texts["report.md"] = render.markdown(data)
    texts["index.html"] = render.html_page(data, svgs)
    texts["report.json"] = jsonio.dumps(data) + "\n"
    with output.staged(out) as tmp:
        for name, content in texts.items():
            if isinstance(content, bytes):
                (tmp / name).write_bytes(content)
            else:
                (tmp / name).write_text(content, encoding="utf-8")
    tick()
    return Report(out_dir=out, files={name: out / name for name in texts}, data=data)


def _import_canvas() -> None:
    from flopcast.report import canvas  # noqa: F401  matplotlib: the report extra, imported early


def _export(
    specs: list[FigureSpec], part: int, data: dict[str, Any]
) -> dict[str, tuple[bytes, str]]:
    """Figures ``part``, ``part + FIGURE_WORKERS``, ... of ``specs``, each laid out once and
    exported: stem -> (PNG bytes, SVG text)."""
    from flopcast.report import canvas  # matplotlib: the report extra, only when drawing

    stamp = canvas.Stamp(
        scenario=data["meta"]["scenario"],
        seed=int(data["meta"]["seed"]),
        n=int(data["meta"]["n"]),
        data_version=data["meta"]["data_version"],
        generated=data["meta"]["generated"],
    )
    drawn = {}
    for spec in specs[part::FIGURE_WORKERS]:
        fig = spec.draw(data, stamp)
        if fig is not None:
            drawn[spec.stem] = canvas.export(fig)
    return drawn


class _Steps:
    """Tells ``progress`` which step runs next, how many are done and how many there are."""

    def __init__(self, steps: list[str], progress: Progress | None):
        self.steps, self.progress, self.done = steps, progress, 0
        self._tell()

    def __call__(self) -> None:
        self.done += 1
        self._tell()

    def _tell(self) -> None:
        if self.progress is not None:
            i = min(self.done, len(self.steps) - 1)
            self.progress(self.steps[i], self.done, len(self.steps))


__all__ = ["FIGURES", "Report", "build"]
