"""``flopcast models`` (the evidence table, ``models show ID``) and ``flopcast data ...``."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import typer

from flopcast.cli._common import _Group, fmt, print_json, sub_app

DataOpt = typer.Option(
    None,
    "--data",
    help="Extra folder of YAML records layered over the shipped "
    "data (repeatable; also $FLOPCAST_DATA).",
)
JsonOpt = typer.Option(False, "--json", help="Print one JSON object.")
SeedOpt = typer.Option(0, "--seed", help="Seed for Monte Carlo summaries.")
PoolOpt = typer.Option(
    False,
    "--pool-all",
    help="Pool superseded lines into current values too (docs/pooling.md); "
    "a superseded figure above the physics bound is then refused.",
)

models_app = typer.Typer(
    cls=_Group,
    name="models",
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help="The evidence table: each model's pre-training and RL-stage FLOP "
    "with 90% intervals; 'models show ID' for the derivation.",
)


def register(root: typer.Typer) -> None:
    root.add_typer(models_app, name="models")
    data_app = sub_app("data", "Validate, import, export and re-estimate model data.")
    data_app.command("validate")(validate_command)
    data_app.command("import-epoch")(import_epoch_command)
    data_app.command("export")(export_command)
    data_app.command("reestimate")(reestimate_command)


@models_app.callback()
def models_command(
    ctx: typer.Context,
    data: list[Path] = DataOpt,
    developer: str = typer.Option(
        None, "--developer", help="Only this developer (case-insensitive substring)."
    ),
    since: str = typer.Option(None, "--since", help="Only models released on or after YYYY-MM-DD."),
    reasoning: bool = typer.Option(False, "--reasoning", help="Only reasoning models."),
    json_out: bool = JsonOpt,
    csv_out: bool = typer.Option(False, "--csv", help="Print CSV."),
    seed: int = SeedOpt,
    pool_all: bool = PoolOpt,
) -> None:
    ctx.obj = {"data": data, "pool_all": pool_all}
    if ctx.invoked_subcommand is not None:
        return
    from flopcast.core.errors import InputError
    from flopcast.evidence import dataset

    ds = dataset.load(data, pool_all=pool_all)
    rows = ds.table(seed=seed)
    if developer:
        rows = [r for r in rows if developer.lower() in r["developer"].lower()]
    if since:
        try:
            start = dt.date.fromisoformat(since)
        except ValueError:
            raise InputError(f"--since {since!r} is not a date; write YYYY-MM-DD") from None
        rows = [r for r in rows if dt.date.fromisoformat(r["release_date"]) >= start]
    if reasoning:
        rows = [r for r in rows if r["reasoning"]]
    if json_out:
        print_json({"data_version": ds.version, "seed": seed, "models": rows})
        return
    if csv_out:
        _print_csv(rows)
        return
    _print_table(rows, ds.version)


@models_app.command(
    "show",
    help="Full derivation of one record: inputs, method, assumptions, "
    "sources, and each input's share of the spread.",
)
def show_command(
    ctx: typer.Context,
    model_id: str = typer.Argument(..., metavar="ID"),
    data: list[Path] = DataOpt,
    json_out: bool = JsonOpt,
    seed: int = SeedOpt,
    pool_all: bool = PoolOpt,
) -> None:
    from flopcast.evidence import dataset

    dirs = [*((ctx.obj or {}).get("data") or []), *(data or [])]
    ds = dataset.load(dirs, pool_all=pool_all or bool((ctx.obj or {}).get("pool_all")))
    info = ds.derivation(model_id, seed=seed)
    if json_out:
        print_json(info)
        return
    out = [
        f"{info['name']} ({info['id']}) - {info['developer']}, released {info['release_date']}"
        + (", reasoning model" if info["reasoning"] else "")
    ]
    if info["base_model"]:
        out.append(f"base model: {info['base_model']}")
    out.append(f"record: {info['path']}   data version {info['data_version']}")
    for field, entry in info["fields"].items():
        out.append("")
        out.extend(_field_lines(field, entry))
    if info["benchmarks"]:
        out.append("")
        out.append("benchmarks:")
        for b in info["benchmarks"]:
            out.append(
                f"  {b['benchmark']}: {b['value']:g}{b['unit']} ({b['setting'] or '-'}) <{b['sources'][0]['url']}>"
            )
    typer.echo("\n".join(out))


PathsArg = typer.Argument(
    None, help="Record files or folders (default: shipped data and $FLOPCAST_DATA)."
)
CsvArg = typer.Argument(..., metavar="FILE.csv")
OutDirOpt = typer.Option(
    None, "--out", help="Write one YAML record per row into this folder (created)."
)
FormatOpt = typer.Option("epoch-csv", "--format", help="Only 'epoch-csv'.")
OutFileOpt = typer.Option(None, "--out", help="Write to this file instead of stdout.")


def validate_command(paths: list[Path] = PathsArg, json_out: bool = JsonOpt) -> None:
    """Check records: schema, sources, dates, relations, cycles, and that every line evaluates."""
    from flopcast.evidence import dataset

    problems = dataset.validate(paths or None)
    if json_out:
        print_json(
            {
                "ok": not problems,
                "problems": [
                    {"path": p.path, "line": p.line, "field": p.field, "message": p.message}
                    for p in problems
                ],
            }
        )
    else:
        for p in problems:
            typer.echo(str(p).replace("\n", " "))
        typer.echo(f"{len(problems)} problem(s)" if problems else "ok: no problems")
    if problems:
        raise typer.Exit(1)


def import_epoch_command(
    csv_file: Path = CsvArg, out: Path = OutDirOpt, json_out: bool = JsonOpt
) -> None:
    """Read an Epoch AI models CSV into flopcast records (or show them as a table)."""
    from flopcast.evidence import epoch

    rows = epoch.read_csv(csv_file)
    records, skipped = epoch.to_records(rows)
    written: list[str] = []
    if out is not None:
        written = epoch.write_records(records, out)
    formula: list[dict[str, Any]] = [
        {"line": r.line, "model": r.model, "columns": r.formula_cells}
        for r in rows
        if r.formula_cells
    ]
    if json_out:
        print_json(
            {
                "file": str(csv_file),
                "rows": len(rows),
                "records": [r.model_dump(mode="json", exclude_none=True) for r in records],
                "skipped": skipped,
                "formula_cells": formula,
                "written": written,
            }
        )
        return
    skipped_lines = {s["line"] for s in skipped}
    kept = [r for r in rows if r.line not in skipped_lines]  # to_records keeps the row order
    typer.echo(f"{'id':<34} {'date':<10} {'training FLOP':>13} {'finetune FLOP':>13}  hardware")
    for rec, row in zip(records, kept, strict=True):
        typer.echo(
            f"{rec.id[:34]:<34} {rec.release_date.isoformat():<10} "
            f"{fmt(row.training_compute):>13} {fmt(row.finetune_compute):>13}  "
            f"{', '.join(row.hardware) or '-'}"
        )
    for s in skipped:
        typer.echo(f"skipped line {s['line']}: {s['reason']}")
    for f in formula:
        typer.echo(
            f"note: line {f['line']} ({f['model']}): {', '.join(f['columns'])} began with a "
            "formula character (= + - @ tab CR); kept as text, never evaluated"
        )
    if out is not None:
        typer.echo(f"wrote {len(written)} record(s) to {out}")


def export_command(
    fmt_name: str = FormatOpt,
    out: Path = OutFileOpt,
    data: list[Path] = DataOpt,
    seed: int = SeedOpt,
    json_out: bool = typer.Option(
        False, "--json", help="Print one JSON object: the rows (or, with --out, what was written)."
    ),
) -> None:
    """Write the dataset in Epoch AI's CSV layout (RL-stage compute in 'Finetune compute (FLOP)')."""
    from flopcast.core.errors import InputError
    from flopcast.evidence import dataset, epoch

    if fmt_name != "epoch-csv":
        raise InputError(f"unknown export format {fmt_name!r}; allowed: 'epoch-csv'")
    ds = dataset.load(data)
    if out is None and not json_out:
        epoch.export_csv(ds, sys.stdout, seed=seed)
        return
    rows = epoch.export_rows(ds, seed=seed)  # every value computed before the file is touched
    if out is not None:
        epoch.atomic_write(out, lambda fh: csv.writer(fh, lineterminator="\n").writerows(rows))
    if json_out:
        doc: dict[str, Any] = {"format": fmt_name, "columns": rows[0], "count": len(rows) - 1}
        doc.update({"out": str(out)} if out is not None else {"rows": rows[1:]})
        print_json(doc)
    else:
        typer.echo(f"wrote {len(ds.records)} rows to {out}")


def reestimate_command(
    csv_file: Path = CsvArg, json_out: bool = JsonOpt, seed: int = SeedOpt
) -> None:
    """Re-derive each row's compute by the hardware method and compare with the stated figure."""
    from flopcast.evidence import epoch

    result = epoch.reestimate(epoch.read_csv(csv_file), seed=seed)
    if json_out:
        print_json(result)
        return
    typer.echo(
        f"{'model':<30} {'stated':>9} {'ours':>9} {'90% interval':>19} {'ratio':>6} inside  chip"
    )
    for r in result["rows"]:
        interval = f"{fmt(r['p5'])} - {fmt(r['p95'])}"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        inside = {True: "yes", False: "no", None: "-"}[r["inside"]]
        typer.echo(
            f"{r['model'][:30]:<30} {fmt(r['stated']):>9} {fmt(r['median']):>9} {interval:>19} "
            f"{ratio:>6} {inside:<6}  {r['chip']}"
        )
    for s in result["skipped"]:
        typer.echo(f"skipped {s['model']} (line {s['line']}): {s['reason']}")
    s = result["summary"]
    med = f"{s['median_abs_log10_ratio']:.2f}" if s["median_abs_log10_ratio"] is not None else "-"
    typer.echo(
        f"summary: {s['rows']} rows re-estimated, {s['compared']} with a stated figure, "
        f"{s['inside']} inside our 90% interval, median |log10 ratio| {med}"
    )


# ---- output helpers -------------------------------------------------------------------------


def _interval(stats: dict[str, float] | None) -> str:
    if stats is None:
        return "-"
    return f"{fmt(stats['median'])} ({fmt(stats['p5'])}-{fmt(stats['p95'])})"


def _share(stats: dict[str, float] | None) -> str:
    return "-" if stats is None else f"{stats['median'] * 100:.2g}%"


def _print_table(rows: list[dict[str, Any]], version: str) -> None:
    head = f"{'model':<34} {'date':<10} {'pre-training FLOP':>18} {'RL FLOP (90% CI)':>26} {'RL share':>8}  confidence"
    lines = [head, "-" * len(head)]
    for r in rows:
        rl = _interval(r["rl"]) if r["rl"] else r["rl_status"].replace("none", "-")
        pre = fmt(r["pretraining"]["median"]) if r["pretraining"] else "unknown"
        if r["pretraining"] and r["pretraining_from"] != r["id"]:
            pre += "*"
        lines.append(
            f"{r['name'][:34]:<34} {r['release_date']:<10} {pre:>18} {rl:>26} "
            f"{_share(r['rl_share']):>8}  {r['confidence'] or '-'}"
        )
    lines.append(f"* the base model's pre-training.  {len(rows)} models; data version {version}")
    typer.echo("\n".join(lines))


def _print_csv(rows: list[dict[str, Any]]) -> None:
    w = csv.writer(sys.stdout)
    cols = ["id", "name", "developer", "release_date", "reasoning", "base_model", "confidence"]
    stats = ["pretraining", "rl", "rl_share", "total"]
    w.writerow(cols + [f"{k}_{s}" for k in stats for s in ("median", "p5", "p95")])
    for r in rows:
        w.writerow(
            [r[c] for c in cols]
            + [r[k][s] if r[k] else "" for k in stats for s in ("median", "p5", "p95")]
        )


def _field_lines(field: str, entry: dict[str, Any]) -> list[str]:
    out = [f"{field}: " + (entry.get("text") or entry["status"])]
    if entry.get("confidence"):
        out[0] += f"   confidence: {entry['confidence']}"
    if entry.get("formula"):
        out.append(f"  = {entry['formula']}")
    if entry.get("notes"):
        out.append(f"  notes: {' '.join(entry['notes'].split())}")
    for s in entry.get("sources", []):
        out.append(f"  source: {s['title']} <{s['url']}>: {s['states']} (accessed {s['accessed']})")
    bound = entry.get("bound")
    if bound:
        out.append(
            f"  physics bound: {bound['chip_hours']:,.0f} {bound['chip']}-hours x 3600 s x "
            f"{fmt(bound['peak_flop_per_s'])} FLOP/s ({bound['precision']} peak) = "
            f"{fmt(bound['bound_flop'])} FLOP ({bound['origin']})"
        )
        util = entry.get("implied_utilization")
        if util:
            out.append(
                f"  implied utilisation of the current value: {util['median']:.1%} of peak "
                f"(90% CI {util['p5']:.1%} - {util['p95']:.1%})"
            )
    for i, ln in enumerate(entry.get("lines", []), 1):
        out.extend(_line_lines(i, ln))
    value = entry.get("value")
    if value and len(entry.get("lines", [])) != 1:
        _contributions(out, value, "  ")
    dis = (value or {}).get("disagreement")
    if dis:
        verdict = "consistent" if dis["consistent"] else "DISAGREE beyond their stated uncertainty"
        out.append(
            f"  lines pooled by {entry['combine']}: chi2 {dis['chi2']:.2f} "
            f"(p = {dis['p_value']:.3f}), medians differ {dis['ratio_max_min']:.1f}x: {verdict}"
        )
        if dis.get("widened"):
            out.append(
                f"  pooled spread widened {dis['scale']:.2f}x (Birge ratio "
                f"{dis['birge_ratio']:.2f}; {dis['coverage_factor']:.2f} to cover every line's "
                "median) so the 90% interval contains each line's median"
            )
    if entry.get("history"):
        out.append("  history (superseded, not in the current value):")
        out.extend(f"    {h}" for h in entry["history"])
    if entry.get("pooled_superseded"):
        out.append("  (every line pooled, superseded ones included: --pool-all or combine: pool)")
    return out


def _line_lines(i: int, ln: dict[str, Any]) -> list[str]:
    label = f" [{ln['label']}]" if ln["label"] else ""
    state = "" if ln.get("current", True) else f"   SUPERSEDED by {ln['superseded_by']}"
    out = [f"  line {i}{label}: {ln['expression']}{state}"]
    extra = f"   kind: {ln['kind']}" if ln.get("kind") else ""
    if ln.get("source_confidence"):
        extra += f"   source's label: {ln['source_confidence']}"
    out.append(
        f"    = {ln['text']}   method: {ln['method']}   confidence: {ln['confidence']}"
        + (f"   dated {ln['date']}" if ln["date"] else "")
        + extra
    )
    if "implied_utilization" in ln:
        over = "  ABOVE THE PHYSICS BOUND" if ln.get("above_bound") else ""
        out.append(f"    implied utilisation: {ln['implied_utilization']:.1%} of peak{over}")
    for a in ln["assumptions"]:
        out.append(f"    assumes: {a}")
    if ln["reasoning"]:
        out.append(f"    reasoning: {' '.join(ln['reasoning'].split())}")
    if ln["notes"]:
        out.append(f"    notes: {' '.join(ln['notes'].split())}")
    for s in ln["sources"]:
        out.append(f"    source: {s['title']} <{s['url']}>")
        out.append(f"      states: {s['states']} (accessed {s['accessed']})")
    _contributions(out, ln["value"], "    ")
    return out


def _contributions(out: list[str], summary: dict[str, Any], indent: str, top: int = 5) -> None:
    contrib = summary.get("contributions") or {}
    ranked = [kv for kv in sorted(contrib.items(), key=lambda kv: -kv[1]) if kv[1] >= 0.005]
    if ranked:
        parts = ", ".join(f"{k} {v * 100:.0f}%" for k, v in ranked[:top])
        rest = len(contrib) - len(ranked[:top])
        more = f" (+{rest} smaller)" if rest > 0 else ""
        out.append(f"{indent}share of the spread: {parts}{more}")
