"""``flopcast calibrate [FILE.csv]``: how often stated FLOP figures fall inside flopcast's intervals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from flopcast.cli._common import fmt, print_json

FileArg = typer.Argument(None, help="Epoch-format CSV (e.g. notable_ai_models.csv).")
PlotOpt = typer.Option(None, "--plot", help="Write the PIT histogram (PNG) here.")
DataOpt = typer.Option(None, "--data", help="Extra folder of YAML records (without FILE).")


def register(root: typer.Typer) -> None:
    root.command(
        "calibrate",
        help="Re-estimate stated training compute from hardware time with the shipped priors "
        "and report interval coverage, |log10 ratio|, bias and a PIT histogram. FILE is an "
        "Epoch-format CSV; without it, the shipped records with hardware time and stated FLOP.",
    )(calibrate_command)


def calibrate_command(
    file: Path = FileArg,
    basis: str = typer.Option(
        "epoch",
        "--basis",
        help="epoch: Epoch's documented 30%/40% default where a row gives no utilisation, "
        "with the fitted prior's spread; prior: the fitted pre-training prior for every row; "
        "crossval: a prior fitted, leaving the row out, to the file's rows Epoch counted or "
        "took as reported.",
    ),
    plot: Path = PlotOpt,
    data: list[Path] = DataOpt,
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    seed: int = typer.Option(0, "--seed", help="Seed for Monte Carlo summaries."),
) -> None:
    from flopcast.evidence import calibration  # lazily: keeps `flopcast --help` fast

    if file is not None:
        result = calibration.calibrate_csv(file, basis=basis, seed=seed)  # type: ignore[arg-type]
    else:
        from flopcast.evidence import calibration_records, dataset  # lazily, as above

        cases = calibration_records.cases_from_dataset(dataset.load(data or None))
        result = calibration.score(cases, seed=seed)
        result.update(source="shipped records", basis="fitted priors", skipped=[])
    if plot is not None:
        calibration.plot_pit(result, plot)
        result["plot"] = str(plot)
    if json_out:
        print_json(result)
        return
    _print(result)


def _print(result: dict[str, Any]) -> None:
    from rich.console import Console  # lazily, as above
    from rich.table import Table

    console = Console()
    s = result["summary"]
    console.print(f"[bold]calibration of {result['source']}[/bold] (basis: {result['basis']})")
    if not s["compared"]:
        console.print("no usable rows (stated FLOP with chip, count and training time)")
        return
    console.print(
        f"{s['compared']} rows compared, {len(result['skipped'])} skipped; "
        f"inside 90% intervals {s['coverage90']:.1%}, inside 50% {s['coverage50']:.1%}; "
        f"median |log10 ratio| {s['median_abs_log10_ratio']:.3f}; "
        f"bias (mean log10 stated/median) {s['bias_log10']:+.3f}"
    )
    ind = result.get("independent")
    if ind and ind["compared"]:
        console.print(
            f"rows Epoch counted or took as reported ({ind['compared']}): inside 90% "
            f"{ind['coverage90']:.0%}, inside 50% {ind['coverage50']:.0%}, median |log10 ratio| "
            f"{ind['median_abs_log10_ratio']:.3f}, bias {ind['bias_log10']:+.3f}"
        )
    for key, title in (
        ("by_precision", "precision"),
        ("by_year", "year"),
        ("by_basis", "basis"),
        ("by_epoch_confidence", "Epoch's label"),
    ):
        if key not in result:  # the shipped records carry no Epoch label
            continue
        table = Table(title=f"by {title}")
        for col in (title, "rows", "in 90%", "in 50%", "median |log10|", "bias"):
            table.add_column(col, no_wrap=col == title)
        for name, g in result[key].items():
            table.add_row(
                name,
                str(g["compared"]),
                f"{g['coverage90']:.0%}",
                f"{g['coverage50']:.0%}",
                f"{g['median_abs_log10_ratio']:.3f}",
                f"{g['bias_log10']:+.3f}",
            )
        console.print(table)
    counts = result["pit_histogram"]["counts"]
    console.print("PIT histogram (10 bins, flat if calibrated): " + " ".join(map(str, counts)))
    worst = sorted(result["rows"], key=lambda r: -abs(r["log10_ratio"]))[:5]
    console.print(
        "largest misses: "
        + "; ".join(f"{r['model']} stated {fmt(r['stated'])} vs {fmt(r['median'])}" for r in worst)
    )
    if "plot" in result:
        console.print(f"wrote {result['plot']}")
