"""``flopcast hardware [NAME] [--json]``: the accelerator catalog as a table, or one chip in full."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from flopcast.cli._common import fmt, print_json


def register(app: typer.Typer) -> None:
    """Add the ``hardware`` command to ``app``."""
    app.command(
        "hardware",
        help="List accelerators (peak dense FLOP/s, sourced prices), "
        "or show one chip with its sources.",
    )(hardware_command)


def hardware_command(
    name: Annotated[
        str | None,
        typer.Argument(
            help="A chip name or alias (e.g. H100, 'NVIDIA A100 SXM4 40 GB'); omit to list all."
        ),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help='Print one JSON object {"chips": [...]}.')
    ] = False,
) -> None:
    from flopcast.estimate import chips

    selected = [chips.lookup(name)] if name is not None else chips.catalog()
    if json_out:
        print_json({"chips": [_as_dict(c) for c in selected]})
    elif name is not None:
        _show_one(selected[0])
    else:
        _show_table(selected)


def _as_dict(chip: Any) -> dict[str, Any]:
    out = chip.model_dump(mode="json")
    latest = chip.latest_price()
    out["latest_price"] = latest.model_dump(mode="json") if latest else None
    return out


def _price_text(chip: Any) -> str:
    latest = chip.latest_price()
    return f"${latest.usd_per_hour:.2f}/h ({latest.date.isoformat()})" if latest else "-"


def _show_table(selected: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title="Accelerators: peak dense FLOP/s per chip (no sparsity)", title_justify="left"
    )
    # Ids and numbers never wrap; long names and prices fold, so the table fits 80 columns.
    table.add_column("id", no_wrap=True)
    table.add_column("name", overflow="fold")
    table.add_column("vendor", no_wrap=True)
    for precision in ("bf16", "fp16", "fp8", "fp32"):
        table.add_column(precision, justify="right", no_wrap=True)
    table.add_column("price", justify="right", overflow="fold")
    for chip in selected:
        peaks = [fmt(chip.peak.get(p)) for p in ("bf16", "fp16", "fp8", "fp32")]
        table.add_row(chip.id, chip.name, chip.vendor, *peaks, _price_text(chip))
    console = Console()
    console.print(table)
    console.print(
        "'-' = not in the catalog (no hardware support or no sourced figure). "
        "`flopcast hardware NAME` shows every precision, the sources and the notes."
    )


def _show_one(chip: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    from flopcast.estimate.chips import PRECISIONS

    console = Console()
    released = f", released {chip.released.isoformat()}" if chip.released else ""
    console.print(f"[bold]{chip.name}[/bold] ({chip.id}; {chip.vendor} {chip.kind}{released})")
    if chip.aliases:
        console.print("aliases: " + ", ".join(chip.aliases), highlight=False)
    peaks = Table(title="peak dense throughput", title_justify="left")
    peaks.add_column("precision")
    peaks.add_column("FLOP/s (int8: OP/s)", justify="right")
    for precision in PRECISIONS:
        peaks.add_row(precision, fmt(chip.peak[precision], 4) if precision in chip.peak else "-")
    console.print(peaks)
    console.print("sources:")
    for s in chip.sources:
        console.print(f"  - {s.url} ({s.date.isoformat()}) {s.note}", highlight=False)
    if chip.prices:
        console.print("prices (USD per chip-hour):")
        for p in chip.prices:
            console.print(
                f"  - ${p.usd_per_hour:.2f} ({p.date.isoformat()}) {p.note} {p.source}",
                highlight=False,
            )
    else:
        console.print("prices: none cited in the catalog")
    if chip.notes:
        console.print(f"notes: {chip.notes}", highlight=False)
