"""``flopcast flops`` and ``flopcast rl``: exact accounting from a config.json and an RL recipe."""

from __future__ import annotations

import warnings
from typing import Any

import typer

from flopcast.cli._common import fmt, print_json


def register(app: typer.Typer) -> None:
    app.command("flops")(flops)
    app.command("rl")(rl)


def flops(
    config: str = typer.Argument(
        ..., help="A config.json path or a shipped name (e.g. deepseek-v3)."
    ),
    context: int = typer.Option(4096, "--context", min=1, help="Sequence length in tokens."),
    no_causal: bool = typer.Option(
        False, "--no-causal", help="Count dense s x s attention (no causal saving)."
    ),
    embedding: bool = typer.Option(
        False, "--embedding", help="Count the embedding lookup as a matmul (2 V d)."
    ),
    mac: bool = typer.Option(False, "--mac", help="Report multiply-accumulates (FLOP / 2)."),
    mtp: bool = typer.Option(
        False, "--mtp", help="Also count multi-token-prediction modules (DeepSeek-V3)."
    ),
    lora_rank: int = typer.Option(
        0, "--lora-rank", min=0, help="Also count LoRA training of this rank on a frozen base."
    ),
    lora_targets: str = typer.Option(
        "all-linear", "--lora-targets", help="Comma-separated projections, or all-linear."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Parameters and per-token / per-sequence FLOP of a transformer from its config."""
    # lazy: keeps `flopcast --help` fast
    from flopcast.accounting.architecture import Conventions, from_config, load_config
    from flopcast.accounting.lora import lora

    cfg = load_config(config)
    arch = from_config(cfg)
    conv = Conventions(
        causal=not no_causal, embedding=embedding, unit="mac" if mac else "flop", mtp=mtp
    )
    info = arch.summary(context, conv)
    if lora_rank:
        targets = lora_targets if lora_targets == "all-linear" else lora_targets.split(",")
        cost = lora(cfg, context, rank=lora_rank, targets=targets, conventions=conv)
        info["lora"] = {
            "rank": cost.rank,
            "targets": list(cost.targets),
            "adapter_params": cost.adapter_params,
            "training_flop_per_sequence": cost.training,
            "training_flop_per_token_mean": cost.training / context,
        }
    if as_json:
        print_json(info)
        return
    from rich.console import Console  # lazy: keeps `flopcast --help` fast
    from rich.table import Table

    unit = "MAC" if mac else "FLOP"
    table = Table(title=f"{arch.name} ({arch.model_type}, {len(arch.layers)} layers)")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    rows = [
        ("parameters, total", fmt(info["parameters_total"], 4)),
        ("parameters, active per token", fmt(info["parameters_active"], 4)),
        (
            "parameters, active without input embedding (N)",
            fmt(info["parameters_non_embedding"], 4),
        ),
        (f"forward {unit}/token at position 0", fmt(info["forward_flop_per_token_first"], 4)),
        (
            f"forward {unit}/token at position {context - 1}",
            fmt(info["forward_flop_per_token_last"], 4),
        ),
        (f"forward {unit}/token, mean over {context}", fmt(info["forward_flop_per_token_mean"], 4)),
        (f"forward {unit}/sequence of {context}", fmt(info["forward_flop_per_sequence"], 4)),
        (f"training {unit}/token (fwd + bwd), mean", fmt(info["training_flop_per_token_mean"], 4)),
        (f"2N {unit}/token (for comparison)", fmt(info["two_n_active"], 4)),
        (f"PaLM 6N + 12LHQT {unit}/token", fmt(info["palm_training_flop_per_token"], 4)),
    ]
    if "lora" in info:
        rows.append(
            (
                f"LoRA r={lora_rank} training {unit}/token (frozen base), mean",
                fmt(info["lora"]["training_flop_per_token_mean"], 4),
            )
        )
    for name, value in rows:
        table.add_row(name, value)
    console = Console()
    console.print(table)
    causal = "causal" if conv.causal else "dense (no causal saving)"
    console.print(
        f"attention counted {causal}; embedding lookup {'counted' if embedding else 'not counted'}"
    )
    if arch.source:
        console.print(f"source: {arch.source}")


def rl(
    recipe: str = typer.Argument(
        ..., help="A recipe YAML path or a shipped name (e.g. deepseek-r1-zero)."
    ),
    config: str = typer.Option(
        None, "--config", help="Override the recipe's architecture (path or name)."
    ),
    chip: str = typer.Option(None, "--chip", help="Chip for the hardware conversion, e.g. H800."),
    chip_hours: str = typer.Option(
        None, "--chip-hours", help="Published chip-hours, e.g. 147k or '100k to 150k'."
    ),
    cost: str = typer.Option(
        None, "--cost", help="Published cost in USD, e.g. 202k (uses the catalog price)."
    ),
    precision: str = typer.Option("bf16", "--precision", help="Peak precision for utilisation."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """FLOP per phase of an RL recipe, the run total, and the implied utilisation."""
    # lazy: keeps `flopcast --help` fast
    from flopcast.accounting.architecture import from_config
    from flopcast.accounting.rl import PHASES, implied_utilization, load_recipe, summarize
    from flopcast.core.errors import InputError

    rec = load_recipe(recipe)
    result = rec.run(from_config(config) if config else None)
    out: dict[str, Any] = result.to_dict()
    published = rec.published
    use_chip = chip or (published.get("chip") if published else None)
    hours: Any = _expr(chip_hours) if chip_hours else None
    dollars: Any = _expr(cost) if cost else None
    origin = "given"
    if hours is None and dollars is None and use_chip and "chip_hours" in published:
        hours, origin = _published_value(published["chip_hours"]), "published in the recipe"
    prec = precision if (chip or precision != "bf16") else published.get("precision", precision)
    if (hours is not None or dollars is not None) and not use_chip:
        raise InputError("--chip-hours and --cost need --chip (or a recipe with a published chip)")
    caught: list[str] = []
    if use_chip and (hours is not None or dollars is not None):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            util = implied_utilization(
                result.total, use_chip, chip_hours=hours, cost_usd=dollars, precision=prec
            )
        caught = [str(w.message) for w in record]
        out["hardware"] = {
            "chip": use_chip,
            "precision": prec,
            "chip_hours": summarize(hours) if hours is not None else None,
            "cost_usd": summarize(dollars) if dollars is not None else None,
            "origin": origin,
            "implied_utilization": summarize(util),
            "warnings": caught,
        }
    if as_json:
        print_json(out)
    else:
        _print_rl(out, PHASES)
    for message in caught:
        typer.echo(f"warning: {message}", err=True)


def _print_rl(out: dict[str, Any], phases: tuple[str, ...]) -> None:
    from rich.console import Console  # lazy: keeps `flopcast --help` fast
    from rich.table import Table

    console = Console()
    stage_names = list(out["stages"])
    table = Table(
        title=f"{out['recipe']}: {out['algorithm']} on {out['architecture']} (FLOP, median [90% CI])"
    )
    table.add_column("phase")
    for name in stage_names:
        table.add_column(f"per step, {name}", justify="right")
    table.add_column("run total", justify="right")
    for ph in phases:
        row = [ph] + [_cell(out["stages"][s]["per_step"][ph]) for s in stage_names]
        table.add_row(*row, _cell(out["phases"][ph]))
    table.add_row("steps", *[_cell(out["stages"][s]["steps"]) for s in stage_names], "")
    console.print(table)
    console.print(f"run total: {_cell(out['total'])} FLOP")
    hw = out.get("hardware")
    if hw:
        u = hw["implied_utilization"]
        basis = hw["chip_hours"] or hw["cost_usd"]
        what = "chip-hours" if hw["chip_hours"] else "USD"
        console.print(
            f"implied utilisation of {hw['chip']} {hw['precision']} peak from {_cell(basis)} "
            f"{what} ({hw['origin']}): {u['median']:.3f} [{u['lo']:.3f} - {u['hi']:.3f}]"
        )


def _cell(s: dict[str, Any]) -> str:
    if s["lo"] == s["hi"]:
        return fmt(s["median"])
    return f"{fmt(s['median'])} [{fmt(s['lo'])} - {fmt(s['hi'])}]"


def _expr(text: str) -> Any:
    from flopcast.estimate.functions import evaluate  # lazily: `--help` must not load numpy

    q = evaluate(text)
    return float(q.median()) if q.is_point else q


def _published_value(v: Any) -> Any:
    value: Any = v.get("value") if isinstance(v, dict) else v
    return _expr(value) if isinstance(value, str) else float(value)
