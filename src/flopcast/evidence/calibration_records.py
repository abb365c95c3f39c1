"""Calibration on the shipped records: a published hardware time against each stated or counted figure.

A record quantity is usable when it has a hardware time, its ``hardware:`` field or a line
that is a single ``hardware(...)`` call, and at least one other line. Each other line (a lab's
stated figure, an outside estimate, flopcast's own recipe or operation count) is scored
against ``hardware(chip, chip-hours, stage=...)`` with the stage's fitted prior, by
:func:`flopcast.evidence.calibration.score`. Recipe counts are out of sample: utilisation
points of ``kind: flopcast-count`` are never fitted (data/README-utilization.md).
"""

from __future__ import annotations

import warnings
from typing import Any

from flopcast.core.errors import PlausibilityWarning
from flopcast.estimate import chips
from flopcast.estimate import methods as methods_mod
from flopcast.estimate.functions import evaluate
from flopcast.evidence.calibration import Case

STAGE_OF = {"pretraining": "pretraining", "post_training": "finetune", "rl": "rl"}


def cases_from_dataset(ds: Any) -> list[Case]:
    """Shipped records whose quantity has published hardware time and a stated or counted figure.

    The hardware time is the quantity's ``hardware:`` field, else its first line that is a
    single ``hardware(chip=..., chip_hours=... | chips=..., hours=...)`` call. Every other line
    (a stated figure, an outside estimate, flopcast's own recipe or operation count) is a figure
    to score; the re-estimate is ``hardware(chip, chip-hours, stage=...)`` with the stage's
    fitted prior (NB: the chip-hours' median; the line's own utilisation, if any, is not used).
    Recipe counts are out of sample: ``kind: flopcast-count`` points are never fitted.
    """
    out: list[Case] = []
    for rec in ds:
        for field, stage in STAGE_OF.items():
            ev = rec.evidence(field)
            if ev is None or not ev.lines:
                continue
            time = _hardware_time(ev)
            if time is None:
                continue
            chip, hours, precision = time
            values = ds.line_values(rec.id, field)
            for line, value in zip(ev.lines, values, strict=True):
                if "hardware(" in line.expression().replace(" ", ""):
                    continue  # a hardware-method line: the re-estimate itself, not a figure
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", PlausibilityWarning)
                    q = methods_mod.hardware(
                        chip, chip_hours=hours, precision=precision, stage=stage
                    )
                out.append(
                    Case(
                        model=f"{rec.id} ({field}: {line.label})",
                        line=rec.line_of(field),
                        year=(line.date or rec.release_date).year,
                        chip=chips.lookup(chip).id,
                        precision=precision,
                        chip_hours=hours,
                        stated=float(value.median()),
                        estimate=q,
                        basis=f"fitted prior utilization.{stage}",
                        stage=stage,
                    )
                )
    return out


# ---- helpers ---------------------------------------------------------------------------------


def _hardware_time(ev: Any) -> tuple[str, float, str] | None:
    """(chip, chip-hours median, precision) from the ``hardware:`` field or a hardware() line."""
    if ev.hardware is not None:
        hw = ev.hardware
        return hw.chip, float(evaluate(hw.chip_hours).median()), hw.precision
    for line in ev.lines:
        text = line.expression().strip()
        if not (text.startswith("hardware(") and text.endswith(")")):
            continue
        args = dict(_keyword_args(text[len("hardware(") : -1]))
        if "chip" not in args:
            continue
        if "chip_hours" in args:
            hours = evaluate(args["chip_hours"])
        elif "chips" in args and "hours" in args:
            hours = evaluate(f"({args['chips']}) * ({args['hours']})")
        else:
            continue
        return args["chip"], float(hours.median()), args.get("precision", "bf16")
    return None


def _keyword_args(text: str) -> list[tuple[str, str]]:
    """``a=1, b=f(2, 3)`` -> ``[("a", "1"), ("b", "f(2, 3)")]`` (commas inside brackets kept)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [(k.strip(), v.strip()) for k, _, v in (p.partition("=") for p in parts) if v]
