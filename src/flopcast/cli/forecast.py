"""``flopcast forecast | sensitivity | fit | backtest``: thin adapters over the forecast library."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from flopcast.cli._common import DATA_OPTION_HELP, fmt, print_json
from flopcast.core.errors import InputError

PROGRESS_MIN_SAMPLES = 200_000

ScenarioOpt = typer.Option(
    "seed-analysis",
    "--scenario",
    "-s",
    help="A shipped scenario name (seed-analysis, latest-evidence) or a YAML file.",
)
SetOpt = typer.Option(
    None, "--set", help='Override a parameter: --set growth.months_per_10x="3 to 5" (repeatable).'
)
SamplesOpt = typer.Option(
    20_000, "--samples", "-n", min=100, max=10_000_000, help="Monte Carlo draws."
)
SeedOpt = typer.Option(0, "--seed", help="Random seed (same seed, same answer).")
JsonOpt = typer.Option(False, "--json", help="Print one JSON object.")
DataOpt = typer.Option(None, "--data", help=DATA_OPTION_HELP)


def _dataset(data: list[Path] | None) -> Any:
    """The dataset with ``--data`` folders layered over the shipped records (loaded once)."""
    from flopcast.evidence import dataset  # lazily: keeps `flopcast --help` fast

    return dataset.load(data or None)


MethodOpt = typer.Option(
    "auto",
    "--method",
    help="exact (closed form), mc (Monte Carlo) or auto (exact whenever the scenario allows).",
)


def register(app: typer.Typer) -> None:
    app.command(
        "forecast",
        help="When reasoning-training compute meets the frontier: dates, "
        "headroom, growth before and after.",
    )(forecast_command)
    app.command(
        "sensitivity",
        help="Which assumption moves the meeting date most (tornado and variance shares).",
    )(sensitivity_command)
    app.command(
        "fit",
        help="Fit a score against compute (linear or logistic in log10 FLOP), "
        "from a CSV or the dataset's benchmark results.",
    )(fit_command)
    app.command(
        "backtest",
        help="Forecast as of a past date with the evidence then, and "
        "compare with what was learnt later.",
    )(backtest_command)


def forecast_command(
    scenario: str = ScenarioOpt,
    sets: list[str] = SetOpt,
    samples: int = SamplesOpt,
    seed: int = SeedOpt,
    years: float = typer.Option(
        5, "--years", min=0.5, max=50, help="Years of trajectory to summarise."
    ),
    bands: bool = typer.Option(False, "--bands", help="Include monthly bands in --json."),
    method: str = MethodOpt,
    data: list[Path] = DataOpt,
    json_out: bool = JsonOpt,
) -> None:
    import flopcast.forecast.model as forecast  # lazily: keeps `flopcast --help` fast

    ds = _dataset(data)
    sc = forecast.load_scenario(scenario, parse_sets(sets))
    res = forecast.run(sc, n=samples, seed=seed, method=method, dataset=ds)
    forecast.check_reachable(res)
    from flopcast.forecast.status import cap_status  # lazily, as above

    status = cap_status(res, ds)
    if json_out:
        print_json({"status": status, **res.to_dict(bands_years=years if bands else None)})
        return
    with _progress("bands", samples, json_out) as tick:
        b = res.bands(years, series=("reasoning", "frontier"), progress=tick)
    _print_status(status)
    _print_forecast(res, b, status["data_date"])


def sensitivity_command(
    scenario: str = ScenarioOpt,
    sets: list[str] = SetOpt,
    samples: int = SamplesOpt,
    seed: int = SeedOpt,
    data: list[Path] = DataOpt,
    json_out: bool = JsonOpt,
) -> None:
    import flopcast.forecast.model as forecast  # lazily: keeps `flopcast --help` fast
    from flopcast.forecast.sensitivity import sensitivity

    sc = forecast.load_scenario(scenario, parse_sets(sets))
    rows = sensitivity(sc, n=samples, seed=seed, dataset=_dataset(data))
    if json_out:
        print_json({"scenario": sc.name, "seed": seed, "samples": samples, "parameters": rows})
        return
    typer.echo(
        f"Scenario {sc.name}: meeting date with every parameter at its median: "
        f"{rows[0]['baseline'] if rows else '-'}"
    )
    typer.echo(f"{'parameter':<30} {'p5 -> date':<26} {'p95 -> date':<26} {'swing':>8} {'S1':>6}")
    for r in rows:
        lo = f"{fmt(r['low'])} -> {r['median_low'] or 'never'}"
        hi = f"{fmt(r['high'])} -> {r['median_high'] or 'never'}"
        swing = "fixed" if r["fixed"] else _years(r["swing_years"])
        typer.echo(f"{r['parameter']:<30} {lo:<26} {hi:<26} {swing:>8} {r['variance_share']:>6.2f}")
    typer.echo(
        "swing: meeting-date change between the parameter's p5 and p95, others at median; "
        "S1: first-order share of the meeting date's variance."
    )


def fit_command(
    data: str = typer.Argument(None, help="CSV file with a header row."),
    x: str = typer.Option(None, "--x", help="Column of compute in FLOP."),
    y: str = typer.Option(None, "--y", help="Column of scores."),
    model: str = typer.Option("linear", "--model", help="linear or logistic."),
    floor: float = typer.Option(None, "--floor", help="Fixed floor (logistic)."),
    ceiling: float = typer.Option(None, "--ceiling", help="Fixed ceiling (logistic)."),
    benchmark: str = typer.Option(
        None,
        "--benchmark",
        help="Exploratory: the dataset's results of this benchmark across models, not a test.",
    ),
    curve: str = typer.Option(
        None,
        "--curve",
        help="A within-run training curve (a shipped name or a curve YAML file): slope per 10x "
        "RL compute and log-linear vs ScaleRL's saturating form.",
    ),
    compute: str = typer.Option(
        "rl",
        "--compute",
        help="Dataset compute field against which to fit (rl, pretraining, total).",
    ),
    target: float = typer.Option(
        None, "--target", help="Also give the compute needed for this score."
    ),
    compare_models: bool = typer.Option(
        False, "--compare", help="Also compare linear and logistic (AIC, BIC, held-out error)."
    ),
    n_boot: int = typer.Option(200, "--bootstrap", min=0, max=100_000, help="Bootstrap resamples."),
    seed: int = SeedOpt,
    level: float = typer.Option(0.9, "--level", help="Interval level."),
    records: list[Path] = DataOpt,
    json_out: bool = JsonOpt,
) -> None:
    import flopcast.forecast.fit as fitmod  # lazily: keeps `flopcast --help` fast

    if curve:
        _fit_curve(curve, n_boot, seed, level, json_out)
        return
    if benchmark:
        cx, cy, ids = fitmod.from_dataset(benchmark, compute, dataset=_dataset(records))
        origin = (
            f"dataset benchmark {benchmark!r} vs {compute} compute ({len(ids)} models; "
            "EXPLORATORY: across models, mixed settings, flopcast's own compute estimates; not "
            "a within-run scaling test, see --curve)"
        )
    else:
        if not data or not x or not y:
            raise InputError("give a CSV file with --x COL --y COL, or --benchmark NAME")
        cx, cy = fitmod.read_csv(data, x, y)
        origin = f"{data}: {y} vs {x} ({len(cx)} points)"
    f = fitmod.make_fit(model, floor=floor, ceiling=ceiling, n_boot=n_boot, seed=seed).fit(cx, cy)
    out: dict[str, Any] = {"data": origin, **f.to_dict(level)}
    if target is not None:
        lo, hi = f.inverse_interval(target, level)
        out["target"] = {"score": target, "compute": f.inverse(target), "interval": [lo, hi]}
    if compare_models:
        out["comparison"] = fitmod.compare(
            cx,
            cy,
            [fitmod.LogLinearFit(seed=seed), fitmod.LogisticFit(floor, ceiling, seed=seed)],
            seed=seed,
        )
    if json_out:
        print_json(out)
        return
    typer.echo(f"{f.name} fit of {origin}")
    for name, p in out["params"].items():
        lo, hi = p["interval"]
        typer.echo(f"  {name:<10} {p['value']:.4g}  ({level:.0%} interval {lo:.4g} - {hi:.4g})")
    typer.echo(f"  residual std {f.residual_std_:.3g}, AIC {f.aic_:.1f}, BIC {f.bic_:.1f}")
    if target is not None:
        t = out["target"]
        typer.echo(
            f"  score {target:g} needs {fmt(t['compute'])} FLOP "
            f"({level:.0%} interval {fmt(t['interval'][0])} - {fmt(t['interval'][1])})"
        )
    for row in out.get("comparison", []):
        typer.echo(
            f"  {row['model']:<9} held-out RMSE {row['cv_rmse']:.3g}  AIC {row['aic']:.1f}"
            f"  BIC {row['bic']:.1f}"
        )


def backtest_command(
    as_of: str = typer.Option(..., "--as-of", help="Cut-off date (YYYY-MM-DD)."),
    scenario: str = typer.Option(
        "seed-analysis", "--scenario", "-s", help="Scenario to run as of that date."
    ),
    sets: list[str] = SetOpt,
    samples: int = SamplesOpt,
    seed: int = SeedOpt,
    data: list[Path] = DataOpt,
    json_out: bool = JsonOpt,
) -> None:
    from flopcast.forecast.backtest import backtest  # lazily: keeps `flopcast --help` fast

    out = backtest(
        as_of, scenario, n=samples, seed=seed, overrides=parse_sets(sets), dataset=_dataset(data)
    )
    if json_out:
        print_json(out)
        return
    md = out["forecast"]["meeting_date"]
    typer.echo(
        f"Backtest of {out['scenario']} as of {out['as_of']} ({samples:,} draws, seed {seed})"
    )
    inputs = out["inputs"]
    records = ", ".join(f"{k} ({v})" for k, v in inputs["records"].items()) or "none"
    typer.echo(f"  records used (all released by the cut-off): {records}")
    flagged = inputs["parameters"]["undated"] + inputs["parameters"]["user_set"]
    if flagged:
        typer.echo(f"  flagged, source date unknown or set by you: {', '.join(flagged)}")
    typer.echo(
        f"  start {out['forecast']['start_date']}; meeting date median {md['median'] or 'never'}"
        f" (90% {md['p5'] or 'never'} - {md['p95'] or 'never'})"
    )
    typer.echo(
        "  later evidence (observed median vs forecast median and 90% band; scores in log10):"
    )
    for c in out["later"]:
        f = c["forecast"]
        band = "inside 50%" if c["inside_50"] else "inside 90%" if c["inside_90"] else "OUTSIDE 90%"
        tag = band if c["test"] else "not a new maximum (not a test)"
        typer.echo(
            f"    {c['release_date']} {c['id']:<24} {c['field']:<9} {fmt(c['observed']['median'])}"
            f" vs {fmt(f['median'])} ({fmt(f['p5'])} - {fmt(f['p95'])})  pit {c['pit']:.2f}"
            f"  log score {c['log_score']:.2f}  CRPS {c['crps']:.3f}  {tag}"
        )
    if not out["later"]:
        typer.echo("    none in the dataset")
    for fld, s in out["summary"].items():
        if s["compared"]:
            typer.echo(
                f"  {fld}: {s['compared']} test(s), coverage 50% {s['coverage_50']:.0%}, 90% "
                f"{s['coverage_90']:.0%}, mean log score {s['mean_log_score']:.2f}, "
                f"mean CRPS {s['mean_crps']:.3f}"
            )
    m = out["meeting"]
    typer.echo(
        f"  meeting observed by {m['data_date']}? {'yes' if m['observed_met'] else 'no'}; the "
        f"forecast gave {m['forecast_prob_met']:.0%} (Brier {m['brier']:.3f})"
    )
    for r in out["revisions"]:
        typer.echo(
            f"  revised later: {r['id']}.{r['field']} {fmt(r['median_as_of'])} -> "
            f"{fmt(r['median_now'])} (x{r['ratio']:.2g})"
        )


def _fit_curve(curve: str, n_boot: int, seed: int, level: float, json_out: bool) -> None:
    """A within-run curve: the log-linear slope per 10x RL compute, and the two forms compared."""
    import flopcast.forecast.fit as fitmod  # lazily, as above
    from flopcast.forecast.fitcurves import read_curve  # lazily, as above

    c = read_curve(curve)
    linear = fitmod.LogLinearFit(n_boot=n_boot, seed=seed)
    linear.fit(c.flop, c.score, sx=c.sx)
    saturating = fitmod.SaturatingFit(n_boot=n_boot, seed=seed).fit(c.flop, c.score, sx=c.sx)
    models = [fitmod.LogLinearFit(seed=seed), fitmod.SaturatingFit(seed=seed)]
    comparison = fitmod.compare(c.flop, c.score, models, seed=seed, sx=c.sx)
    lo, hi = linear.interval("slope", level)
    out = {
        "curve": c.name,
        "path": c.path,
        "benchmark": c.benchmark,
        "setting": c.setting,
        "source": c.source,
        "points": len(c.flop),
        "flop_per_step": c.flop_per_step,
        "within_run": True,
        "slope_per_10x": {"value": linear.slope_, "interval": [lo, hi], "level": level},
        "linear": linear.to_dict(level),
        "saturating": saturating.to_dict(level),
        "comparison": comparison,
    }
    if json_out:
        print_json(out)
        return
    typer.echo(
        f"Within-run fit of {c.name}: {c.benchmark} ({c.setting}) against RL compute, "
        f"{len(c.flop)} points, "
        + ("errors in x from the chart reading" if c.sx.any() else "no errors in x given")
        + f"; source {c.source}"
    )
    typer.echo(
        f"  log-linear: {linear.slope_:.3g} points per 10x RL compute "
        f"({level:.0%} interval {lo:.3g} - {hi:.3g})"
    )
    p = saturating.params
    typer.echo(
        "  saturating (ScaleRL): "
        + ", ".join(f"{k} {v:.4g}" for k, v in p.items())
        + f" (C_mid {fmt(10 ** p['x_mid'])} FLOP)"
    )
    for row in comparison:
        typer.echo(
            f"  {row['model']:<10} held-out RMSE {row['cv_rmse']:.3g}  AIC {row['aic']:.1f}"
            f"  BIC {row['bic']:.1f}  ({row['n_params']} parameters)"
        )
    typer.echo(f"  preferred by held-out error: {comparison[0]['model']}")


# ---- helpers ----------------------------------------------------------------------------------


def parse_sets(sets: list[str] | None) -> dict[str, str]:
    """``["a.b=3 to 5", ...]`` -> ``{"a.b": "3 to 5"}``; InputError on a missing ``=``."""
    out = {}
    for item in sets or []:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise InputError(f"--set expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value.strip().strip('"').strip("'")
    return out


@contextmanager
def _progress(
    what: str, samples: int, json_out: bool
) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr for large runs, only on a terminal and never with --json."""
    if json_out or samples < PROGRESS_MIN_SAMPLES or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick


def _print_status(st: dict[str, Any]) -> None:
    """The as-of status, first: what the records say before what the forecast says."""
    typer.echo(f"As of {st['data_date']} (newest record; data {st['data_version']}):")
    cap = st["cap"]
    first, closest = st["first_met"], st["closest"]
    if first is not None:
        typer.echo(
            f"  reasoning-stage compute MET the cap: {first['id']} ({first['release_date']}), RL "
            f"{fmt(first['rl'])} FLOP vs cap {fmt(first['cap'])} ({first['against']}), "
            f"P(met) = {first['prob_met']:.0%}"
        )
    elif closest is not None:
        cap_text = fmt(closest["cap"]) if closest.get("cap") else "-"
        typer.echo(
            f"  reasoning-stage compute has not met the cap ({cap['kind']}): closest record "
            f"{closest['id']} ({closest['release_date']}), RL {fmt(closest['rl'])} FLOP vs cap "
            f"{cap_text} ({closest['against']}), P(met) = {closest['prob_met']:.1%}"
        )
    after = st["from_data_date"]
    md = after["meeting_date_given_not_met"]
    typer.echo(
        f"  the forecast gave P(met by {st['data_date']}) = {after['prob_met_before']:.0%}; "
        f"from then on, if not met: median {md['median'] or 'never'} "
        f"(90% {md['p5'] or 'never'} - {md['p95'] or 'never'})"
    )


def _print_forecast(res: Any, b: dict[str, Any], data_date: str = "") -> None:
    sc = res.scenario
    md = res.meeting_date
    title = f": {sc.title}" if sc.title else ""
    typer.echo(f"Scenario {sc.name}{title}")
    info = res.method_info()
    if info["used"] == "exact":
        err = info["error_bound"]
        typer.echo(
            f"Method: closed form (quadrature error below {fmt(err['meeting_days'])} days, "
            f"{fmt(err['band_oom'])} OOM)"
        )
    else:
        typer.echo(f"Method: Monte Carlo, {res.n:,} draws, seed {res.seed} ({info['why']})")
    for k, v in sc.overrides.items():
        typer.echo(f"  override {k} = {v}")
    from flopcast.forecast.caps import CAPS  # lazily, as the command bodies

    cap = CAPS[sc.cap_kind].description
    typer.echo(f"Reasoning compute (from {res.start_date}) meets its cap ({cap}):")

    def when(d: str | None) -> str:
        if not d:
            return "never"
        return f"{d} (past as of the data)" if data_date and d < data_date else d

    typer.echo(f"  median        {when(md['median'])}")
    typer.echo(f"  50% interval  {when(md['p25'])} - {when(md['p75'])}")
    typer.echo(f"  90% interval  {when(md['p5'])} - {when(md['p95'])}")
    if data_date and md["median"] and md["median"] < data_date:
        typer.echo(
            "  NB: these dates are the forecast from its start, not predictions: the status "
            "above says what the records show"
        )
    for date, p in res.to_dict()["prob_before"].items():
        typer.echo(f"  P(before {date}) = {p:.0%}")
    if res.prob_never:
        typer.echo(f"  never (cap grows as fast or faster): {res.prob_never:.1%} of draws")
    h = res.headroom_oom
    typer.echo(
        f"Headroom at the start: {h['median']:.2f} orders of magnitude "
        f"(90% CI {h['p5']:.2f} - {h['p95']:.2f})"
    )
    g = res.growth
    typer.echo(
        f"Growth of reasoning compute: {_x(g['before'])} per year before, "
        f"{_x(g['after'])} per year after (frontier {_x(g['frontier'])})"
    )
    typer.echo(f"{'date':<12} {'reasoning FLOP (median, 90%)':<32} {'frontier FLOP (median)':<24}")
    for i in range(0, len(b["t"]), 12):
        r = [10 ** b["reasoning"][p][i] for p in (50, 5, 95)]
        f = 10 ** b["frontier"][50][i]
        typer.echo(
            f"{b['dates'][i]:<12} {fmt(r[0]):>8} ({fmt(r[1])} - {fmt(r[2])}){'':<8} {fmt(f):>8}"
        )


def _x(s: dict[str, float]) -> str:
    if math.isclose(s["p5"], s["p95"]):
        return f"{fmt(s['median'])}x"
    return f"{fmt(s['median'])}x (90% {fmt(s['p5'])}x - {fmt(s['p95'])}x)"


def _years(y: float) -> str:
    return "inf" if not math.isfinite(y) else f"{y:.2f} y"
