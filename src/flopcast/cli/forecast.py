"""``flopcast forecast | sensitivity | fit | backtest``: thin adapters over the forecast library."""

from __future__ import annotations

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
    from flopcast.cli.forecast_text import print_forecast, print_status  # lazily, as above

    print_status(status)
    print_forecast(res, b, status["data_date"])


def sensitivity_command(
    scenario: str = ScenarioOpt,
    sets: list[str] = SetOpt,
    samples: int = SamplesOpt,
    seed: int = SeedOpt,
    data: list[Path] = DataOpt,
    json_out: bool = JsonOpt,
) -> None:
    import flopcast.forecast.model as forecast  # lazily: keeps `flopcast --help` fast
    from flopcast.cli.forecast_text import years_text  # lazily, as above
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
        swing = "fixed" if r["fixed"] else years_text(r["swing_years"])
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
    floor: float = typer.Option(
        None, "--floor", help="Fixed floor (logistic); the fixed R0 (saturating)."
    ),
    ceiling: float = typer.Option(
        None, "--ceiling", help="Fixed ceiling (logistic); the largest A (saturating)."
    ),
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
    from flopcast.cli.forecast_text import print_backtest  # lazily: keeps `flopcast --help` fast
    from flopcast.forecast.backtest import backtest

    out = backtest(
        as_of, scenario, n=samples, seed=seed, overrides=parse_sets(sets), dataset=_dataset(data)
    )
    if json_out:
        print_json(out)
        return
    print_backtest(out, samples, seed)


def _fit_curve(curve: str, n_boot: int, seed: int, level: float, json_out: bool) -> None:
    """A within-run curve: the log-linear slope per 10x RL compute, and the two forms compared."""
    from flopcast.forecast.fitcurves import fit_within_run  # lazily, as above

    out = fit_within_run(curve, n_boot=n_boot, seed=seed, level=level)
    if json_out:
        print_json(out)
        return
    lo_c, hi_c = out["compute"]
    typer.echo(
        f"Within-run fit of {out['curve']}: {out['benchmark']} ({out['setting']}) against RL "
        f"compute, {out['points']} points, "
        + ("errors in x from the chart reading" if out["errors_in_x"] else "no errors in x given")
        + f"; source {out['source']}"
    )
    typer.echo(f"  x: RL compute {fmt(lo_c)} - {fmt(hi_c)} FLOP ({out['x_basis']})")
    slope = out["slope_per_10x"]
    lo, hi = slope["interval"]
    typer.echo(
        f"  log-linear: {slope['value']:.3g} points per 10x RL compute "
        f"({level:.0%} interval {lo:.3g} - {hi:.3g})"
    )
    p = {k: v["value"] for k, v in out["saturating"]["params"].items()}
    typer.echo(
        "  saturating (ScaleRL): "
        + ", ".join(f"{k} {v:.4g}" for k, v in p.items())
        + f" (C_mid {fmt(10 ** p['x_mid'])} FLOP)"
    )
    for row in out["comparison"]:
        typer.echo(
            f"  {row['model']:<10} held-out RMSE {row['cv_rmse']:.3g}  AIC {row['aic']:.1f}"
            f"  BIC {row['bic']:.1f}  ({row['n_params']} parameters)"
        )
    typer.echo(f"  preferred by held-out error: {out['comparison'][0]['model']}")


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
