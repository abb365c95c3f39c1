"""``flopcast estimate``: evidence -> FLOP from an expression or a named method."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from flopcast.cli._common import _Group, fmt, print_json

_EXPR_HELP = (
    "numbers with suffixes (140k, 37B), 'lo to hi' (90% interval), + - * / ^, "
    "functions such as peak(H100, bf16) and hardware(...)"
)


class _EstimateGroup(_Group):
    """``flopcast estimate "EXPR"`` runs the expression command; known words pick a method."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["expr", *args]
        return super().parse_args(ctx, args)


estimate_app = typer.Typer(
    cls=_EstimateGroup,
    name="estimate",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help='Estimate FLOP: flopcast estimate "140k * hour * peak(H100) * (0.1 to 0.4)" or an '
    'evidence phrase ("20k H100 for 90 days at 35% MFU", docs/phrases.md), or a method: '
    "hardware, ops, cost, ratio; 'estimate priors' lists the default priors.",
)

JsonOpt = typer.Option(False, "--json", help="Print one JSON object instead of a table.")
SeedOpt = typer.Option(0, "--seed", help="Seed for Monte Carlo summaries.")
SamplesOpt = typer.Option(
    100_000,
    "--samples",
    min=100,
    max=10_000_000,
    help="Monte Carlo samples (exact results need none).",
)


DataOpt = typer.Option(
    None,
    "--data",
    help="Extra folder of YAML records for @model.field and '10x MODEL' (also $FLOPCAST_DATA).",
)


def register(root: typer.Typer) -> None:
    root.add_typer(estimate_app, name="estimate")


def evaluate(text: str, resolve: Any = None) -> Any:
    """The library's expression language (imported lazily: ``--help`` must not load numpy)."""
    from flopcast.estimate.functions import evaluate as _evaluate

    return _evaluate(text, resolve)


def _value(text: str | None) -> Any:
    """An option value in the expression language; None stays None."""
    if text is None:
        return None
    q = evaluate(text)
    return q.median() if q.is_point and not q.inputs() else q


def _resolver(data: list[Path] | None) -> Any:
    """``@model.field`` against the shipped records (and ``--data``), loaded on first use."""
    loaded: dict[str, Any] = {}

    def resolve(ref: str) -> Any:
        from flopcast.core.errors import InputError
        from flopcast.evidence import dataset  # lazily: only an expression with @ needs it

        if "ds" not in loaded:
            loaded["ds"] = dataset.load(data or None)
        target, _, field = ref.lstrip("@").rpartition(".")
        if not target:
            raise InputError(f"bad reference '@{ref}'; write @model-id.field, e.g. @o1.rl")
        value = loaded["ds"].quantity(target, field)
        if value is None:
            raise InputError(f"'@{ref}' is unknown in the data, so it cannot be used here")
        return value

    return resolve


@estimate_app.command("expr", help=f"Evaluate an expression: {_EXPR_HELP}.")
def expr_command(
    expression: str = typer.Argument(..., help=_EXPR_HELP),
    unit: str = typer.Option("", "--unit", help="Unit to print (e.g. FLOP)."),
    data: list[Path] = DataOpt,
    json_out: bool = JsonOpt,
    seed: int = SeedOpt,
    samples: int = SamplesOpt,
) -> None:
    q = evaluate(expression, _resolver(data))
    if unit:
        q = q.with_unit(unit)
    _show(q, expression, json_out, seed, samples)


@estimate_app.command("hardware", help="chips x time x peak FLOP/s x utilisation.")
def hardware_command(
    chip: str = typer.Option(
        ..., "--chip", help="Accelerator, e.g. H100 or 'NVIDIA A100 SXM4 40 GB'."
    ),
    chip_hours: str = typer.Option(None, "--chip-hours", help="Chip-hours, e.g. 140k."),
    chips: str = typer.Option(None, "--chips", help="Number of chips (with --hours)."),
    hours: str = typer.Option(None, "--hours", help="Wall-clock hours (with --chips)."),
    utilization: str = typer.Option(
        None, "--utilization", help="Share of peak, e.g. '0.1 to 0.4'; default: the stage's prior."
    ),
    precision: str = typer.Option(
        "bf16", "--precision", help="fp32, tf32, bf16, fp16, fp8, fp4 (also NVFP4, MXFP4), int8."
    ),
    stage: str = typer.Option(
        "pretraining",
        "--stage",
        help="pretraining, finetune, rl (a whole RL run), rl_update, rollout, inference: picks "
        "the fitted default utilisation (flopcast estimate priors).",
    ),
    json_out: bool = JsonOpt,
    seed: int = SeedOpt,
    samples: int = SamplesOpt,
) -> None:
    from flopcast.estimate import methods

    q = methods.hardware(
        chip,
        chip_hours=_value(chip_hours),
        chips=_value(chips),
        hours=_value(hours),
        utilization=_value(utilization),
        precision=precision,
        stage=stage,
    )
    _show(q, f"hardware(chip={chip})", json_out, seed, samples)


@estimate_app.command("ops", help="Operation counting: 6 N D for training, 2 N D for inference.")
def ops_command(
    params: str = typer.Option(
        ..., "--params", "-N", help="Parameters (active ones for MoE), e.g. 37B."
    ),
    tokens: str = typer.Option(..., "--tokens", "-D", help="Tokens, e.g. 14.8T."),
    kind: str = typer.Option("training", "--kind", help="training (6ND) or inference (2ND)."),
    json_out: bool = JsonOpt,
    seed: int = SeedOpt,
    samples: int = SamplesOpt,
) -> None:
    from flopcast.estimate import methods

    q = methods.operations(_value(params), _value(tokens), kind=kind)
    _show(q, f"operations(N={params}, D={tokens}, kind={kind})", json_out, seed, samples)


@estimate_app.command("cost", help="Dollars / price per chip-hour, then the hardware method.")
def cost_command(
    dollars: str = typer.Option(..., "--dollars", help="Spend in US dollars, e.g. 1M."),
    chip: str = typer.Option(..., "--chip"),
    usd_per_hour: str = typer.Option(
        None,
        "--usd-per-hour",
        help="Price per chip-hour, e.g. '1.5 to 3'; default: the catalog's sourced price.",
    ),
    utilization: str = typer.Option(None, "--utilization"),
    precision: str = typer.Option("bf16", "--precision"),
    stage: str = typer.Option("pretraining", "--stage"),
    json_out: bool = JsonOpt,
    seed: int = SeedOpt,
    samples: int = SamplesOpt,
) -> None:
    from flopcast.estimate import methods

    q = methods.cost(
        _value(dollars),
        chip,
        usd_per_hour=_value(usd_per_hour),
        utilization=_value(utilization),
        precision=precision,
        stage=stage,
    )
    _show(q, f"cost(dollars={dollars}, chip={chip})", json_out, seed, samples)


@estimate_app.command("ratio", help="A multiple of another estimate: BASE x FACTOR (o3 = 10x o1).")
def ratio_command(
    base: str = typer.Argument(..., help="The base estimate, e.g. @o1.rl or '6e23'."),
    factor: str = typer.Argument(..., help="The multiple, e.g. 10 or '5 to 20'."),
    data: list[Path] = DataOpt,
    json_out: bool = JsonOpt,
    seed: int = SeedOpt,
    samples: int = SamplesOpt,
) -> None:
    from flopcast.estimate import methods

    resolve = _resolver(data)
    q = methods.ratio(evaluate(base, resolve), evaluate(factor, resolve))
    _show(q, f"ratio(base={base}, factor={factor})", json_out, seed, samples)


@estimate_app.command("priors", help="The default priors: fitted utilisation priors and others.")
def priors_command(json_out: bool = JsonOpt) -> None:
    from flopcast.estimate import priors

    entries = priors.priors()
    if json_out:
        print_json({"priors": entries})
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="default priors (utilization.*: fitted to data/utilization.yaml)")
    for col in ("name", "value (90%)", "confidence", "points"):
        table.add_column(col, no_wrap=col == "name")
    for name, e in entries.items():
        fit = e.get("fit")
        table.add_row(
            name, str(e["value"]), e["confidence"], str(len(fit["points"])) if fit else "-"
        )
    Console().print(table)


def _show(q: Any, label: str, json_out: bool, seed: int, samples: int) -> None:
    summary = q.summary(n=samples, seed=seed)
    if json_out:
        print_json({"expression": label, **summary})
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"[bold]{q!r}[/bold]"
        if q.is_exact
        else f"[bold]{fmt(summary['median'])}{' ' + q.unit if q.unit else ''} "
        f"(90% CI {fmt(summary['p5'])} - {fmt(summary['p95'])})[/bold]  "
        f"[dim]Monte Carlo, {samples:,} samples, seed {seed}[/dim]"
    )
    console.print(
        f"mean {fmt(summary['mean'])}   "
        + (
            f"width {q.width_oom(0.9, n=samples, seed=seed):.2f} orders of magnitude"
            if summary["p5"] > 0
            else ""
        )
    )
    if q.method:
        console.print(f"method: {q.method}")
    contributions = summary.get("contributions", {})
    inputs = summary.get("inputs", [])
    if inputs:
        table = Table(title="inputs", show_lines=False)
        for col in ("input", "value", "share of spread", "source"):
            table.add_column(col)
        for inp in inputs:
            share = contributions.get(inp["name"])
            table.add_row(
                inp["name"],
                inp["spec"],
                "-" if share is None else f"{share:.0%}",
                inp["source"] or "-",
            )
        console.print(table)
    for line in q.assumptions:
        console.print(f"  - {line}")
