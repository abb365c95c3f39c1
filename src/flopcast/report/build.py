"""The report: one call gathers the library's results, draws the figures, writes the files.

:func:`build` loads the dataset, runs the scenario's forecast and sensitivity, fits score
against RL compute, and writes into ``out_dir``:

* ``index.html``: self-contained (CSS and figures inlined as SVG); opens offline;
* ``report.md``: the same text, figures linked as PNG;
* ``<figure>.png`` and ``<figure>.svg`` for each figure in :data:`FIGURES`;
* ``report.json``: every number the report states, with the run's settings.

Nothing is estimated here: every number comes from ``flopcast.evidence.dataset``, ``flopcast.forecast.model``
and ``flopcast.forecast.fit``; this module picks, formats and draws. The settings that decide the numbers
(scenario, seed, samples, data version) are printed on every figure and at the top of the
report, with the command that reproduces it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shlex
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from flopcast.core import jsonio
from flopcast.core.errors import InputError
from flopcast.evidence import dataset
from flopcast.forecast import fit, scenario
from flopcast.forecast import model as forecast
from flopcast.forecast.sensitivity import sensitivity

Progress = Callable[[str, int, int], None]  # (step description, steps done, steps in all)

DEFAULT_BENCHMARK = "AIME 2024"
MAX_SAMPLES = 1_000_000
SENSITIVITY_SAMPLES = 20_000  # NB: the tornado uses medians, which settle well before this


@dataclass
class Report:
    """What :func:`build` wrote: the folder, each file by name, and the numbers it states."""

    out_dir: Path
    files: dict[str, Path]
    data: dict[str, Any]

    @property
    def headline(self) -> str:
        return self.data["headline"]["sentence"]


@dataclass(frozen=True)
class _Figure:
    stem: str
    title: str
    caption: str
    draw: Callable[[dict[str, Any], Any], Any]  # (report data, Stamp) -> Figure or None


FIGURES: dict[str, _Figure] = {}


def _figure(stem: str, title: str, caption: str) -> Callable:
    def register(fn: Callable[[dict[str, Any], Any], Any]) -> Callable:
        if stem in FIGURES:
            raise ValueError(f"report figure {stem!r} is registered twice")
        FIGURES[stem] = _Figure(stem, title, caption, fn)
        return fn

    return register


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
    (default all). ``progress(step, done, total)`` is told each step.
    """
    if not 1_000 <= int(n) <= MAX_SAMPLES:
        raise InputError(f"--samples must lie in [1000, {MAX_SAMPLES:,}], got {n}")
    if not 0 < horizon_years <= 30:
        raise InputError(f"the horizon must lie in (0, 30] years, got {horizon_years}")
    unknown = sorted(set(figures or ()) - set(FIGURES))
    if unknown:
        raise InputError(f"unknown figure(s) {unknown}; known: {', '.join(FIGURES)}")
    specs = [f for f in FIGURES.values() if figures is None or f.stem in figures]
    steps = [
        "load data",
        "run forecast",
        "trajectory bands",
        "sensitivity",
        "fit scores",
        *(f"figure: {f.stem}" for f in specs),
        "write files",
    ]
    done = 0

    def step(i: int) -> None:
        if progress is not None:
            progress(steps[min(i, len(steps) - 1)], i, len(steps))

    step(done)
    ds = dataset.load(extra_dirs)
    sc = forecast.load_scenario(scenario, dict(overrides) if overrides else None)
    done += 1
    step(done)
    res = forecast.run(sc, n=int(n), seed=int(seed), dataset=ds)
    done += 1
    step(done)
    bands = res.bands(years=horizon_years, series=("reasoning", "frontier"))  # what it draws
    done += 1
    step(done)
    sens = sensitivity(sc, n=min(int(n), SENSITIVITY_SAMPLES), seed=int(seed), dataset=ds)
    done += 1
    step(done)
    table = ds.table(seed=int(seed))
    scores = _scores(ds, table, fit, benchmark, int(seed))
    done += 1

    today = today or dt.date.today()
    data = _gather(
        ds, sc, res, bands, sens, table, scores, today=today, horizon_years=horizon_years
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from flopcast.report import figures as figs
    from flopcast.report import render

    stamp = figs.Stamp(
        scenario=sc.name,
        seed=int(seed),
        n=int(n),
        data_version=data["meta"]["data_version"],
        generated=today.isoformat(),
    )
    files: dict[str, Path] = {}
    svgs: dict[str, str] = {}
    for spec in specs:
        step(done)
        fig = spec.draw(data, stamp)
        done += 1
        if fig is None:
            continue
        files[f"{spec.stem}.png"], files[f"{spec.stem}.svg"] = figs.save(fig, out, spec.stem)
        svgs[spec.stem] = figs.svg_text(fig)
    data["figures"] = [
        {
            "stem": s.stem,
            "title": s.title,
            "caption": s.caption,
            "png": f"{s.stem}.png",
            "svg": f"{s.stem}.svg",
        }
        for s in specs
        if s.stem in svgs
    ]
    step(done)
    files["report.md"] = out / "report.md"
    files["report.md"].write_text(render.markdown(data), encoding="utf-8")
    files["index.html"] = out / "index.html"
    files["index.html"].write_text(render.html_page(data, svgs), encoding="utf-8")
    files["report.json"] = out / "report.json"
    files["report.json"].write_text(
        json.dumps(jsonio.clean(data), indent=2, default=str) + "\n", encoding="utf-8"
    )
    done += 1
    step(done)
    return Report(out_dir=out, files=files, data=data)


# ---------------------------------------------------------------------------- the figures


@_figure(
    "fan_chart",
    "Reasoning-training compute against the frontier",
    "Reasoning (RL-stage) training compute and the frontier of total training compute over "
    "time: median, 25-75% and 5-95% bands of the forecast; the dataset's models with their "
    "90% intervals (RL-stage compute of reasoning models, total compute of the others); the "
    "meeting date's median and 90% interval.",
)
def _fan(data: dict[str, Any], stamp: Any) -> Any:
    from flopcast.report import figures

    to_year = scenario.to_year
    f = data["forecast"]
    models = []
    for row in data["models"]:
        kind, stats = (
            ("rl", row["rl"])
            if row.get("rl")
            else (
                ("total", row["total"])
                if not row["reasoning"] and row.get("total")
                else (None, None)
            )
        )
        if stats:
            models.append(
                {
                    "label": row["name"],
                    "year": to_year(row["release_date"]),
                    "kind": kind,
                    "median": stats["median"],
                    "lo": stats["p5"],
                    "hi": stats["p95"],
                }
            )
    md = f["meeting_date"]
    meeting = {k: to_year(md[k]) if md.get(k) else math.inf for k in ("median", "p5", "p95")}
    return figures.fan_chart(
        data["bands"], models, meeting, stamp, sources=data["sources_short"]["forecast"]
    )


@_figure(
    "forest_plot",
    "RL-stage and pre-training compute per model",
    "Each model's RL-stage and pre-training compute, median and 90% interval, from the "
    "dataset's lines of evidence (pre-training inherited from the base model where the "
    "record says so).",
)
def _forest(data: dict[str, Any], stamp: Any) -> Any:
    from flopcast.report import figures

    rows = [
        {"label": r["name"], "rl": _ci(r.get("rl")), "pretraining": _ci(r.get("pretraining"))}
        for r in data["models"]
        if r.get("rl") or r.get("pretraining")
    ]
    if not rows:
        return None
    return figures.forest_plot(rows, stamp, sources=data["sources_short"]["dataset"])


@_figure(
    "rl_share",
    "RL share of total training compute",
    "The RL stage's share of each model's total training compute (pre-training of the model "
    "or its base, plus post-training and RL), median and 90% interval.",
)
def _share(data: dict[str, Any], stamp: Any) -> Any:
    from flopcast.report import figures

    rows = [
        {"label": r["name"], **(_ci(r["rl_share"]) or {})}
        for r in data["models"]
        if r.get("rl_share")
    ]
    if not rows:
        return None
    return figures.rl_share_chart(rows, stamp, sources=data["sources_short"]["dataset"])


@_figure(
    "score_vs_compute",
    "Benchmark score against RL-stage compute",
    "Benchmark score against RL-stage compute for the models that report it, with the fitted "
    "curve (score linear in log10 compute) and the 90% bootstrap band of the fitted curve. "
    "NB: small distilled models trained on traces of stronger models are not comparable with "
    "o3-style RL at scale (Epoch AI's caveat); the fit pools them and shows the spread.",
)
def _score(data: dict[str, Any], stamp: Any) -> Any:
    from flopcast.report import figures

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


@_figure(
    "sensitivity_tornado",
    "Sensitivity of the meeting date",
    "Median meeting date with every parameter at its median and one parameter at its 5th or "
    "95th percentile; widest swing first. Parameters held fixed in the scenario are left out.",
)
def _tornado(data: dict[str, Any], stamp: Any) -> Any:
    from flopcast.report import figures

    to_year = scenario.to_year
    rows = []
    for r in data["sensitivity"]:
        if r.get("fixed") or not r.get("median_low") or not r.get("median_high"):
            continue
        rows.append(
            {
                "parameter": r["parameter"],
                "low": _num_text(r["low"], r.get("unit")),
                "high": _num_text(r["high"], r.get("unit")),
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


# ---------------------------------------------------------------------------- gathering


def _scores(ds: Any, table: list[dict], fit: Any, benchmark: str | None, seed: int) -> dict | None:
    """Points (RL compute with interval, score) for one benchmark and the log-linear fit."""
    import numpy as np

    results = ds.benchmarks()
    rl = {r["id"]: r for r in table if r.get("rl")}
    usable = [b for b in results if b["model"] in rl]
    if not usable:
        return None
    names = Counter(b["benchmark"] for b in usable)
    if benchmark is None:
        benchmark = (
            DEFAULT_BENCHMARK
            if names.get(DEFAULT_BENCHMARK, 0) >= 3
            else names.most_common(1)[0][0]
        )
    chosen = [b for b in usable if b["benchmark"].lower() == benchmark.lower()]
    if not chosen:
        raise InputError(
            f"no model with RL compute reports benchmark {benchmark!r}; "
            f"available: {', '.join(sorted(names))}"
        )
    by_model: dict[str, dict] = {}
    for b in chosen:  # one point per model: its best reported setting
        if b["model"] not in by_model or b["value"] > by_model[b["model"]]["value"]:
            by_model[b["model"]] = b
    points = [
        {
            "id": m,
            "label": rl[m]["name"],
            "median": rl[m]["rl"]["median"],
            "lo": rl[m]["rl"]["p5"],
            "hi": rl[m]["rl"]["p95"],
            "score": b["value"],
            "setting": b["setting"],
            "source": b["source"],
            "date": b["date"],
        }
        for m, b in by_model.items()
    ]
    out: dict[str, Any] = {
        "benchmark": chosen[0]["benchmark"],
        "points": points,
        "curve": None,
        "fit": None,
        "fit_label": "",
    }
    if len(points) >= 3:
        f = fit.LogLinearFit(seed=seed).fit(
            [p["median"] for p in points], [p["score"] for p in points]
        )
        lo_x = math.log10(min(p["lo"] for p in points))
        hi_x = math.log10(max(p["hi"] for p in points))
        x = np.logspace(lo_x, hi_x, 60)
        band_lo, band_hi = f.predict_interval(x, level=0.9)
        out["curve"] = {
            "x": x.tolist(),
            "y": np.asarray(f.predict(x)).tolist(),
            "lo": np.asarray(band_lo).tolist(),
            "hi": np.asarray(band_hi).tolist(),
        }
        out["fit"] = f.to_dict()
        out["fit_label"] = (
            f"score = {f.intercept_:.1f} + {f.slope_:.2f} × log10(FLOP) (n = {len(points)})"
        )
    return out


def _gather(
    ds: Any,
    sc: Any,
    res: Any,
    bands: dict,
    sens: list[dict],
    table: list[dict],
    scores: dict | None,
    *,
    today: dt.date,
    horizon_years: float,
) -> dict[str, Any]:
    result = res.to_dict()
    data_version = ds.version
    dated = _dated_sources(ds)
    in_use = _in_use_parameters(sc)
    scenario_sources = sorted(
        {
            p["source"]
            for k, p in sc.parameters.items()
            if k in in_use and str(p.get("source", "")).startswith("http")
        }
    )
    meta = {
        "generated": today.isoformat(),
        "flopcast_version": _version(),
        "data_version": data_version,
        "scenario": sc.name,
        "scenario_title": getattr(sc, "title", ""),
        "scenario_path": sc.path,
        "seed": res.seed,
        "n": res.n,
        "horizon_years": horizon_years,
        "overrides": dict(sc.overrides),
        "command": (
            f"flopcast report --scenario {sc.path if _is_user_file(sc.path) else sc.name} "
            + "".join(f"--set {shlex.quote(f'{k}={v}')} " for k, v in sc.overrides.items())
            + f"--seed {res.seed} --samples {res.n} --years {horizon_years:g}"
        ),
    }
    return {
        "meta": meta,
        "headline": _headline(sc, result, res),
        "forecast": result,
        "bands": {
            "t": bands["t"],
            "dates": bands["dates"],
            "reasoning": {str(k): v for k, v in bands["reasoning"].items()},
            "frontier": {str(k): v for k, v in bands["frontier"].items()},
        },
        "scenario": {
            "name": sc.name,
            "title": getattr(sc, "title", ""),
            "description": getattr(sc, "description", ""),
            "parameters": {k: v for k, v in sc.parameters.items() if k in in_use},
        },
        "sensitivity": sens,
        "models": table,
        "scores": scores,
        "sources": {
            "scenario": [{"url": u, **dated.get(u, {})} for u in scenario_sources],
            "dataset": sorted(dated.values(), key=lambda s: (s.get("title") or "", s["url"])),
        },
        "sources_short": {
            "forecast": _short_sources(scenario_sources, dated, sc.name),
            "dataset": _short_sources(list(dated), dated, None),
            "scores": _short_sources(
                sorted({p["source"] for p in (scores or {}).get("points", [])}), dated, None
            ),
        },
    }


def _headline(sc: Any, result: dict, res: Any) -> dict[str, Any]:
    md = result["meeting_date"]
    cap = sc.parameters.get("cap.kind", {}).get("value", "share")
    share = sc.parameters.get("cap.share", {}).get("value", "1")
    target = (
        "the frontier of total training compute"
        if cap == "share" and share.strip() in ("1", "1.0")
        else f"its cap ({share} of the frontier of total training compute)"
        if cap == "share"
        else "what the reasoning-training budget buys"
    )
    h = result["headroom_oom"]
    run = f"scenario {sc.name}, {res.n:,} draws, seed {res.seed}"
    if md.get("median"):
        sentence = (
            f"Reasoning-training compute meets {target} on {md['median']} (median; 90% "
            f"interval {md['p5'] or 'n/a'} to {md['p95'] or 'never'}), starting "
            f"{h['median']:.1f} orders of magnitude (90% interval {h['p5']:.1f} to "
            f"{h['p95']:.1f}) below it on {result['start_date']} ({run})."
        )
    else:
        sentence = (
            f"Reasoning-training compute never meets {target} in "
            f"{result['prob_never']:.0%} of the draws, the median draw included ({run})."
        )
    return {
        "sentence": sentence,
        "meeting_date": md,
        "headroom_oom": h,
        "start_date": result["start_date"],
        "prob_never": result["prob_never"],
    }


def _in_use_parameters(sc: Any) -> set[str]:
    kind = sc.parameters.get("cap.kind", {}).get("value", "share")
    return {k for k in sc.parameters if scenario.in_use(k, kind)}


def _dated_sources(ds: Any) -> dict[str, dict[str, Any]]:
    """Every source of every record, by URL, with its title and dates (newest access kept)."""
    out: dict[str, dict[str, Any]] = {}
    for rec in ds.records:
        evs = [
            getattr(rec, f, None)
            for f in ("pretraining", "post_training", "rl", "parameters_total", "parameters_active")
        ]
        srcs = [
            s
            for ev in evs
            if ev is not None
            for s in (*ev.sources, *(s for ln in ev.lines for s in ln.sources))
        ]
        srcs += [s for b in rec.benchmarks for s in b.sources]
        for s in srcs:
            entry = {
                "url": s.url,
                "title": s.title,
                "accessed": s.accessed.isoformat(),
                "published": s.published.isoformat() if s.published else None,
            }
            old = out.get(s.url)
            if old is None or entry["accessed"] > old["accessed"]:
                out[s.url] = entry
    return out


def _short_sources(urls: list[str], dated: Mapping[str, dict], scenario: str | None) -> list[str]:
    """Sources for a figure footer: publisher (site) with the newest date known for it."""
    sites: dict[str, str] = {}
    for u in urls:
        site = urlparse(u).netloc.removeprefix("www.")
        d = dated.get(u, {})
        date = d.get("accessed") or ""
        if site and (site not in sites or date > sites[site]):
            sites[site] = date
    by_date: dict[str, list[str]] = {}
    for site, date in sorted(sites.items()):
        by_date.setdefault(date, []).append(site)
    items = [
        (f"accessed {d}: " if d else "") + ", ".join(names)
        for d, names in sorted(by_date.items(), reverse=True)
    ]
    if scenario:
        items.append(f"parameter sources listed in scenario {scenario}")
    else:
        items.append("each record's sources in report.md")
    return items


# ---------------------------------------------------------------------------- small helpers


def _ci(stats: Mapping[str, float] | None) -> dict[str, float] | None:
    if not stats:
        return None
    return {"median": stats["median"], "lo": stats["p5"], "hi": stats["p95"]}


def _num_text(x: Any, unit: str | None = None) -> str:
    if not isinstance(x, (int, float)):
        return str(x)
    a = abs(x)
    text = f"{x:.3g}" if 1e-3 <= a < 1e4 or a == 0 else f"{x:.2g}".replace("e+", "e")
    return f"{text} {unit}" if unit and unit not in ("FLOP",) else text


def _is_user_file(path: str | None) -> bool:
    if not path:
        return False
    shipped = scenario.SCENARIO_DIR
    try:
        Path(path).resolve().relative_to(Path(shipped).resolve())
        return False
    except ValueError:
        return True


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("flopcast")
    except PackageNotFoundError:
        return "unknown"


__all__ = ["FIGURES", "Report", "build"]
