"""``flopcast ledger show|compare``: a run ledger's totals and MFU, and the plan beside it."""

from __future__ import annotations

import typer

from flopcast.cli._common import fmt, print_json, sub_app
from flopcast.core.fmt import percent


def register(app: typer.Typer) -> None:
    group = sub_app("ledger", "Read a run ledger (flopcast.accounting.track): FLOP and MFU.")
    group.command("show")(show)
    group.command("compare")(compare)


def show(
    ledger: str = typer.Argument(..., help="A ledger file (JSON lines) written by a tracked run."),
    plot: str = typer.Option(None, "--plot", help="Write a figure of FLOP and MFU per step."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Per-phase FLOP totals, MFU per timed phase group and for the run."""
    from flopcast.accounting.track import read_ledger, summarize_ledger

    data = read_ledger(ledger)
    summary = summarize_ledger(data)
    if plot:
        from flopcast.accounting.track.figure import save_ledger_figure  # matplotlib, lazily

        summary["plot"] = str(save_ledger_figure(data, plot))
    if as_json:
        print_json(summary)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"run {summary['run_id']}: {summary['model']}, {summary['steps']} steps")
    for col in ("phase", "FLOP", "sequences", "tokens"):
        table.add_column(col, justify="left" if col == "phase" else "right")
    for phase, row in summary["phases"].items():
        table.add_row(phase, fmt(row["flop"], 4), str(row["sequences"]), str(row["tokens"]))
    table.add_row("total", fmt(summary["total_flop"], 4), "", "")
    console = Console()
    console.print(table)
    for label, g in summary["timed"].items():
        console.print(f"MFU {label}: {percent(g['mfu'])} over {fmt(g['seconds'], 3)} s")
    console.print(f"MFU run ({summary['chip']}, {summary['precision']}): {percent(summary['mfu'])}")
    if summary["untimed_flop"]:
        console.print(f"untimed FLOP (in no MFU): {fmt(summary['untimed_flop'], 3)}")
    if summary["replayed_steps"]:
        console.print(
            f"{summary['replayed_steps']} replayed step(s), {fmt(summary['replayed_flop'], 3)} "
            "FLOP, not in the totals"
        )
    if summary["cut_tail"]:
        console.print("the last line was cut mid-write; it is not counted")
    if plot:
        console.print(f"figure: {summary['plot']}")


def compare(
    ledger: str = typer.Argument(..., help="A ledger file written by a tracked run."),
    recipe: str = typer.Option(..., "--recipe", help="A recipe YAML path or a shipped name."),
    stage: str = typer.Option(
        None, "--stage", help="The recipe stage to compare (default: first)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Measured FLOP per step by phase beside a recipe's plan and its published claims."""
    from flopcast.accounting.rl import load_recipe
    from flopcast.accounting.track import compare_with_recipe, read_ledger

    data = read_ledger(ledger)
    out = compare_with_recipe(data, load_recipe(recipe), stage)
    if as_json:
        print_json(out)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"run {out['run_id']} vs recipe {out['recipe']} (stage {out['stage']})")
    for col in ("phase", "measured / step", "planned / step", "ratio"):
        table.add_column(col, justify="left" if col == "phase" else "right")
    for phase, row in out["phases"].items():
        table.add_row(
            phase,
            fmt(row["measured_per_step"], 3),
            fmt(row["planned_per_step"], 3),
            fmt(row["ratio"], 3),
        )
    table.add_row(
        "total",
        fmt(out["measured_per_step"], 3),
        fmt(out["planned_per_step"], 3),
        fmt(out["ratio"], 3),
    )
    console = Console()
    console.print(table)
    console.print(f"measured MFU: {percent(out['measured_mfu'])}")
    pub = out["published"]
    if pub:
        console.print(
            f"published: {fmt(pub['chip_hours'], 3)} {pub['chip']} hours, implying "
            f"{percent(pub['implied_utilization'])} of {pub['precision']} peak for the planned FLOP"
        )
