"""Re-estimate Epoch rows by the hardware method and compare with the stated figure.

Every row with a chip, a chip count and a training time is re-derived as chips x hours x 3600 s
x peak FLOP/s x the shipped pre-training utilisation prior (bf16 peak where the catalog has it,
else fp16), and compared with the row's stated ``Training compute (FLOP)``: the ratio, whether
the stated figure lies inside flopcast's 90% interval, and the utilisation it implies.
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from flopcast.core.errors import FlopcastError, PlausibilityWarning
from flopcast.estimate import chips, methods

if TYPE_CHECKING:
    from flopcast.evidence.epoch import EpochRow


def reestimate(rows: Sequence[EpochRow], *, seed: int = 0, n: int = 20_000) -> dict[str, Any]:
    """Hardware-method re-estimate of every row with hardware, quantity and training time."""
    out: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for row in rows:
        if not (row.hardware and row.hardware_quantity and row.training_time_hours):
            continue
        chip = row.hardware[0]
        try:
            spec = chips.lookup(chip)
            # NB: bf16 peak where the catalog has it, else fp16 (V100-era tensor cores)
            precision = "bf16" if "bf16" in spec.peak or "fp16" not in spec.peak else "fp16"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PlausibilityWarning)
                ours = methods.hardware(
                    spec.id,
                    chips=row.hardware_quantity,
                    precision=precision,
                    hours=row.training_time_hours,
                    stage="pretraining",
                )
        except FlopcastError as exc:
            skipped.append({"model": row.model, "line": row.line, "reason": str(exc)})
            continue
        p5, med, p95 = (float(x) for x in ours.percentile([5, 50, 95], n=n, seed=seed))
        stated = row.training_compute
        peak_time = (
            row.hardware_quantity
            * row.training_time_hours
            * 3600
            * chips.peak_flop_per_s(spec.id, precision)
        )
        out.append(
            {
                "model": row.model,
                "line": row.line,
                "chip": spec.id,
                "precision": precision,
                "chips_listed": row.hardware,
                "chips": row.hardware_quantity,
                "hours": row.training_time_hours,
                "stated": stated,
                "median": med,
                "p5": p5,
                "p95": p95,
                "ratio": stated / med if stated else None,
                "inside": (p5 <= stated <= p95) if stated else None,
                "implied_utilization": stated / peak_time if stated else None,
                "note": (
                    f"several chips listed; used the first ({chip})"
                    if len(row.hardware) > 1
                    else None
                ),
            }
        )
    compared = [r for r in out if r["ratio"] is not None]
    logs = [abs(math.log10(r["ratio"])) for r in compared]
    return {
        "rows": out,
        "skipped": skipped,
        "seed": seed,
        "samples": n,
        "summary": {
            "rows": len(out),
            "compared": len(compared),
            "inside": sum(1 for r in compared if r["inside"]),
            "median_abs_log10_ratio": statistics.median(logs) if logs else None,
        },
    }
