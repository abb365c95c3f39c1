"""The report's data: every number the report states, gathered from the library in one dict.

:func:`gather` takes what :func:`flopcast.report.build.build` computed (dataset, scenario,
forecast result, bands, sensitivity rows, dataset table, scores) and returns the plain, JSON-ready
dict that the figures (:mod:`flopcast.report.catalog`), the text (:mod:`flopcast.report.blocks`)
and ``report.json`` all read, so the three always state the same numbers. It is made in two
steps, so that a figure needing only the forecast can be drawn before the dataset table exists:
:func:`forecast_part` (no table), then :func:`complete`. Nothing is estimated
here; :func:`scores` only calls :class:`flopcast.forecast.fit.LogLinearFit`.
"""

from __future__ import annotations

import datetime as dt
import math
import shlex
from collections import Counter
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from flopcast.core import fmt
from flopcast.core.errors import InputError
from flopcast.forecast import fit, scenario
from flopcast.report import asof
from flopcast.report.catalog import bounds

DEFAULT_BENCHMARK = "AIME 2024"


def scores(ds: Any, table: list[dict], benchmark: str | None, seed: int) -> dict | None:
    """Points (RL compute with interval, score) for one benchmark and the log-linear fit."""
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
            **(bounds(rl[m]["rl"]) or {}),
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
        f: Any = fit.LogLinearFit(seed=seed).fit(
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
        out["fit_label"] = fit_label(f.intercept_, f.slope_, len(points))
    return out


def forecast_part(
    ds: Any,
    sc: Any,
    res: Any,
    bands: dict,
    sens: list[dict],
    *,
    today: dt.date,
    horizon_years: float,
) -> dict[str, Any]:
    """What the report states before the dataset table is computed: meta (settings, command),
    method, forecast, bands, scenario, sensitivity, sources, and the footers' sources of the
    forecast and the dataset. A figure that needs only these draws while the table is made."""
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
        "data_version": ds.version,
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
            # NB: command-line values, written exactly (not rounded for reading)
            + f"--seed {res.seed} --samples {res.n} --years {horizon_years:g}"
        ),
    }
    return {
        "meta": meta,
        "method": res.method_info(),
        "forecast": res.to_dict(),
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
        "sources": {
            "scenario": [{"url": u, **dated.get(u, {})} for u in scenario_sources],
            "dataset": sorted(dated.values(), key=lambda s: (s.get("title") or "", s["url"])),
        },
        "sources_short": {
            "forecast": _short_sources(scenario_sources, dated, sc.name),
            "dataset": _short_sources(list(dated), dated, None),
        },
    }


def complete(
    part: Mapping[str, Any],
    sc: Any,
    res: Any,
    table: list[dict],
    score_data: dict | None,
    *,
    status: dict[str, Any] | None = None,
    backtest: dict[str, Any] | None = None,
    derivations: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report's data: :func:`forecast_part` completed with what needs the dataset table:
    the as-of status and its lead sentences, headline, models, each record's derivation
    (history, bound, implied utilisation), scores and backtest."""
    names = {r["id"]: r["name"] for r in table}
    data_date = status["data_date"] if status else None
    scored = sorted({p["source"] for p in (score_data or {}).get("points", [])})
    dated = {src["url"]: src for src in part["sources"]["dataset"]}  # as forecast_part read them
    return {
        "meta": part["meta"],
        "status": status,
        "lead": asof.lead(status, part["method"], names) if status else None,
        "method": part["method"],
        "headline": headline(sc, part["forecast"], res, data_date),
        "forecast": part["forecast"],
        "bands": part["bands"],
        "scenario": part["scenario"],
        "sensitivity": part["sensitivity"],
        "models": table,
        "derivations": derivations,
        "scores": score_data,
        "backtest": backtest,
        "sources": part["sources"],
        "sources_short": {
            **part["sources_short"],
            "scores": _short_sources(scored, dated, None),
        },
    }


def gather(
    ds: Any,
    sc: Any,
    res: Any,
    bands: dict,
    sens: list[dict],
    table: list[dict],
    score_data: dict | None,
    *,
    today: dt.date,
    horizon_years: float,
    status: dict[str, Any] | None = None,
    backtest: dict[str, Any] | None = None,
    derivations: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report's data in one call: :func:`complete` of :func:`forecast_part`."""
    part = forecast_part(ds, sc, res, bands, sens, today=today, horizon_years=horizon_years)
    return complete(
        part,
        sc,
        res,
        table,
        score_data,
        status=status,
        backtest=backtest,
        derivations=derivations,
    )


def headline(sc: Any, result: dict, res: Any, data_date: str | None = None) -> dict[str, Any]:
    """The forecast from its start in one sentence; a meeting date the data date has passed is
    said to be past (the as-of status checks it against the records), never predicted."""
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
    past = bool(data_date and md.get("median") and md["median"] <= data_date)
    verb = (
        "From its start, the forecast put the meeting of reasoning-training compute with"
        if past
        else "Reasoning-training compute meets"
    )
    if md.get("median"):
        sentence = (
            f"{verb} {target} on {md['median']} (median; 90% "
            f"interval {md['p5'] or fmt.NOT_APPLICABLE} to {md['p95'] or 'never'}), starting "
            f"{fmt.number(h['median'])} orders of magnitude (90% interval "
            f"{fmt.interval(h['p5'], h['p95'], sep=' to ')}) below it on "
            f"{result['start_date']} ({run})."
        )
        if past:
            sentence += (
                f" That median is {asof.PAST} {data_date}: a date the records can check (the "
                "status above), not a prediction."
            )
    else:
        sentence = (
            f"Reasoning-training compute never meets {target} in "
            f"{fmt.percent(result['prob_never'])} of the draws, the median draw included ({run})."
        )
    return {
        "sentence": sentence,
        "meeting_date": md,
        "headroom_oom": h,
        "start_date": result["start_date"],
        "prob_never": result["prob_never"],
        "past": past,
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
    try:
        return version("flopcast")
    except PackageNotFoundError:
        return "unknown"


def fit_label(intercept: float, slope: float, n: int) -> str:
    """The fitted line as the score figure's legend states it."""
    return f"score = {fmt.number(intercept)} + {fmt.number(slope)} × log10(FLOP) (n = {n})"
