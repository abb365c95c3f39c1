"""A ledger's totals and MFU, per phase, per step and for the run, and the comparison with a plan.

MFU (model FLOP utilisation, Chowdhery et al. 2022, arXiv:2204.02311 Appendix B) of a timed
span is ``FLOP of its phases / (seconds x GPUs x peak FLOP/s of the chip)``, with the model FLOP
counted by flopcast (causal attention pairs, no padding, no recomputation). The run's MFU is the
FLOP of every timed phase over the capacity of every span, ``sum seconds x GPUs x peak``:
phases that overlap on separate pools each bring their own GPU-seconds. FLOP of phases that no
span times are reported apart (``untimed_flop``), not mixed into an MFU.
"""

from __future__ import annotations

import warnings
from typing import Any

from flopcast.accounting.rl import PHASES, Recipe, implied_utilization
from flopcast.accounting.track.counts import StepCounts
from flopcast.accounting.track.ledger import LedgerData
from flopcast.core.errors import InputError, UnknownNameError

__all__ = ["summarize_ledger", "step_series", "compare_with_recipe"]


def summarize_ledger(data: LedgerData) -> dict[str, Any]:
    """Per-phase totals, MFU per span group and for the run."""
    total = StepCounts(data.model)
    for rec in data.steps:
        total.merge(rec.counts)
    flop = total.flop()
    groups: dict[str, dict[str, Any]] = {}
    for span in total.spans:
        g = groups.setdefault(
            span.label, {"phases": list(span.phases), "seconds": 0.0, "gpu_seconds": 0.0}
        )
        g["seconds"] += span.seconds
        g["gpu_seconds"] += span.seconds * span.gpus
        g.setdefault("capacity_flop", 0.0)
        g["capacity_flop"] += span.seconds * span.gpus * data.peak_flop_per_s(span.chip)
    timed = {ph for g in groups.values() for ph in g["phases"]}
    for g in groups.values():
        g["flop"] = sum(flop[ph] for ph in g["phases"])
        g["mfu"] = g["flop"] / g["capacity_flop"] if g["capacity_flop"] > 0 else None
    capacity = sum(g["capacity_flop"] for g in groups.values())
    timed_flop = sum(flop[ph] for ph in timed)
    replayed = StepCounts(data.model)
    for rec in data.replays:
        replayed.merge(rec.counts)
    return {
        "run_id": data.run_id,
        "model": data.model.name,
        "chip": data.chip,
        "precision": data.precision,
        "steps": len(data.steps),
        "unit": "FLOP",
        "phases": {
            ph: {"flop": flop[ph], **total.phases[ph].to_dict()}
            for ph in PHASES
            if ph in total.phases
        },
        "total_flop": sum(flop.values()),
        "timed": groups,
        "untimed_flop": sum(v for ph, v in flop.items() if ph not in timed),
        "mfu": timed_flop / capacity if capacity > 0 else None,
        "replayed_steps": len(data.replays),
        "replayed_flop": sum(replayed.flop().values()),
        "cut_tail": data.cut_tail,
    }


def step_series(data: LedgerData) -> dict[str, list[Any]]:
    """FLOP and MFU of each counted step (MFU None for a step without a timed span)."""
    steps, flops, mfus = [], [], []
    for rec in data.steps:
        flop = rec.counts.flop()
        capacity = sum(s.seconds * s.gpus * data.peak_flop_per_s(s.chip) for s in rec.counts.spans)
        timed = {ph for s in rec.counts.spans for ph in s.phases}
        steps.append(rec.step)
        flops.append(sum(flop.values()))
        mfus.append(sum(flop[ph] for ph in timed) / capacity if capacity > 0 else None)
    return {"step": steps, "flop": flops, "mfu": mfus}


def compare_with_recipe(
    data: LedgerData, recipe: Recipe, stage: str | None = None
) -> dict[str, Any]:
    """Measured FLOP per step by phase beside the recipe's planned step (a stage of it), and
    the recipe's published chip-hours as an implied utilisation beside the measured MFU."""
    if not recipe.stages:
        raise InputError(f"recipe {recipe.name!r} has no stages")
    names = [s.name for s in recipe.stages]
    if stage is not None and stage not in names:
        raise UnknownNameError(f"stage of recipe {recipe.name!r}", stage, names)
    run = recipe.run()
    chosen = stage or names[0]
    planned = {ph: _median(v) for ph, v in run.step[chosen].items()}
    summary = summarize_ledger(data)
    n = max(summary["steps"], 1)
    measured = {
        ph: summary["phases"][ph]["flop"] / n if ph in summary["phases"] else 0.0 for ph in PHASES
    }
    rows = {
        ph: {
            "measured_per_step": measured[ph],
            "planned_per_step": planned[ph],
            "ratio": measured[ph] / planned[ph] if planned[ph] else None,
        }
        for ph in PHASES
        if measured[ph] or planned[ph]
    }
    total_m, total_p = sum(measured.values()), sum(planned.values())
    out: dict[str, Any] = {
        "run_id": data.run_id,
        "recipe": recipe.name,
        "stage": chosen,
        "recipe_architecture": run.arch.name,
        "ledger_model": data.model.name,
        "steps_measured": summary["steps"],
        "phases": rows,
        "measured_per_step": total_m,
        "planned_per_step": total_p,
        "ratio": total_m / total_p if total_p else None,
        "measured_mfu": summary["mfu"],
        "published": _published(recipe, run.total),
    }
    return out


def _published(recipe: Recipe, total: Any) -> dict[str, Any] | None:
    """The recipe's published chip-hours as the utilisation they imply for its planned FLOP."""
    pub = recipe.published or {}
    hours, chip = _plain(pub.get("chip_hours")), _plain(pub.get("chip"))
    if hours is None or chip is None:
        return None
    precision = str(_plain(pub.get("precision")) or "bf16")
    with warnings.catch_warnings():  # an implausible utilisation is shown, not warned twice
        warnings.simplefilter("ignore")
        util = implied_utilization(total, str(chip), chip_hours=float(hours), precision=precision)
    return {
        "chip": chip,
        "chip_hours": float(hours),
        "precision": precision,
        "implied_utilization": _median(util),
    }


def _plain(v: Any) -> Any:
    return v.get("value") if isinstance(v, dict) else v


def _median(x: Any) -> float:
    return float(x.median()) if hasattr(x, "median") else float(x)
