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
import importlib.util
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
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
from flopcast.report import catalog, derivations, gather, output, render, withinrun
from flopcast.report.background import background, figure_pool, prestart
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
    if specs and importlib.util.find_spec("matplotlib") is None:  # likewise: the report extra
        raise ModuleNotFoundError("No module named 'matplotlib'", name="matplotlib")
    if specs and FIGURE_WORKERS:
        prestart()  # the figure processes' imports while the data is computed (the CLI has
        # started it already, before its own imports; a second call does nothing)
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

    # The figures are drawn by FIGURE_WORKERS processes forked from the fork server, which has
    # imported matplotlib once (`flopcast report` starts it first: background.prestart), one task
    # a figure, the dearest first (FigureSpec.cost), taken by whichever process is free. A figure
    # that needs only the forecast (FigureSpec.needs) is drawn while this process computes the
    # dataset table; the others once it is done. The within-run fit needs nothing of either: it
    # runs in a child forked at the start. The backtest and each record's derivation reuse the
    # table's values, so they are computed here while the figures draw. NB: the backtest at its
    # own command's defaults (20,000 draws), so its numbers are those of `flopcast backtest
    # --as-of 2025-05-13 --seed SEED` whatever --samples the report uses.
    with figure_pool(FIGURE_WORKERS if specs else 0) as pool:
        ds = dataset.load(extra_dirs)
        # NB: forked before the first figure is submitted, while this process has one thread
        with background(partial(withinrun.gather, seed=int(seed))) as within_run:
            sc = forecast.load_scenario(scenario, dict(overrides) if overrides else None)
            tick()
            res = forecast.run(sc, n=int(n), seed=int(seed), dataset=ds)
            tick()
            bands = res.bands(years=horizon_years, series=("reasoning", "frontier"))
            tick()
            sens = sensitivity(sc, n=min(int(n), SENSITIVITY_SAMPLES), seed=int(seed), dataset=ds)
            tick()
            part = gather.forecast_part(
                ds,
                sc,
                res,
                bands,
                sens,
                today=today or dt.date.today(),
                horizon_years=horizon_years,
            )
            early = [s for s in specs if s.needs is not None and s.needs <= part.keys()]
            tasks = {s.stem: _submit(pool, s, part) for s in _dearest_first(early)}
            table = ds.table(seed=int(seed))
            status = cap_status(res, ds)
            tick()
            scores = gather.scores(ds, table, benchmark, int(seed))
            tick()
            data = gather.complete(part, sc, res, table, scores, status=status)
            late = [s for s in specs if s not in early]
            tasks |= {s.stem: _submit(pool, s, data) for s in _dearest_first(late)}
            data["derivations"] = derivations.gather(ds, seed=int(seed))
            data["backtest"] = report_backtest.run(ds, n=BACKTEST_SAMPLES, seed=int(seed))
            data["within_run"] = within_run()
        drawn = {stem: files for stem, task in tasks.items() if (files := task()) is not None}
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


def _submit(
    pool: Executor | None, spec: FigureSpec, data: dict[str, Any]
) -> Callable[[], tuple[bytes, str] | None]:
    """Draw ``spec`` in the pool (or here, without one, or for a figure registered where a
    pool process cannot import it); returns a function giving (PNG bytes, SVG text) or None."""
    if pool is not None and _importable(spec):
        return pool.submit(catalog.export_shipped, spec.stem, data).result
    return partial(catalog.export_figure, spec, data)


def _dearest_first(specs: Sequence[FigureSpec]) -> list[FigureSpec]:
    """``specs`` in the order a pool should take them: longest first, so that the figures end
    together (the longest-processing-time rule); equal costs keep their order."""
    return sorted(specs, key=lambda s: -s.cost)


def _importable(spec: FigureSpec) -> bool:
    """Whether a fork-server process finds ``spec`` by its stem: a shipped figure."""
    shipped = getattr(spec.draw, "__module__", None) == catalog.__name__
    return shipped and spec.stem in FIGURES and FIGURES[spec.stem] is spec


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
