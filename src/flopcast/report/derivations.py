"""Each record's evidence as the report states it: current value, superseded history, bound.

:func:`gather` reads :meth:`flopcast.evidence.dataset.Dataset.derivation` for every record and
keeps, per compute quantity (pre-training, post-training, RL stage), what a reader needs beside
the current value: the lines of evidence with their kind (lab disclosure, outside estimate,
flopcast's own recipe count), which lines are current and which a later disclosure superseded
(with the dataset's own history sentence, e.g. "Epoch AI, January 2025: 6.1e23, superseded by
DeepSeek, Nature, September 2025"), the physics bound (chip-hours x peak at the precision used)
and the utilisation the current value implies. Nothing is computed here: the numbers are the
derivation's. :func:`blocks` lays them out as one table for the report's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flopcast.core import fmt
from flopcast.evidence.records import COMPUTE_FIELDS
from flopcast.report.catalog import bounds

Block = tuple[Any, ...]

# What a line's ``kind`` means, as the report names it (the record schema's kinds).
KIND_TEXT = {
    "disclosure": "lab disclosure",
    "outside": "outside estimate",
    "count": "flopcast's own count",
}
FIELD_TEXT = {"pretraining": "pre-training", "post_training": "post-training", "rl": "RL stage"}


def gather(ds: Any, *, n: int = 20_000, seed: int = 0) -> list[dict[str, Any]]:
    """Per record with something beyond one current line (a superseded line, a bound, more
    than one line): its compute quantities, JSON-ready. Same ``n`` and ``seed`` as the table."""
    out = []
    for rec in ds.records:
        if not any(_may_show(ds, rec, f) for f in COMPUTE_FIELDS):
            continue  # one line and no hardware time: the table's value says it all
        d = ds.derivation(rec.id, n=n, seed=seed)
        fields = {
            f: _field(e)
            for f, e in d["fields"].items()
            if f in COMPUTE_FIELDS and e.get("lines") and _worth_showing(e)
        }
        if fields:
            out.append(
                {
                    "id": d["id"],
                    "name": d["name"],
                    "release_date": d["release_date"],
                    "fields": fields,
                }
            )
    return out


def blocks(rows: list[Mapping[str, Any]] | None) -> list[Block]:
    """The report's section "Evidence behind the numbers": one table row per quantity."""
    if not rows:
        return []
    table = []
    for r in rows:
        for f, e in r["fields"].items():
            table.append(
                [
                    r["name"],
                    FIELD_TEXT.get(f, f),
                    _ci(e.get("value")),
                    _current_lines(e),
                    _bound_text(e.get("bound")),
                    _utilisation_text(e.get("implied_utilization")),
                    "; ".join(e["history"]) or "none",
                ]
            )
    return [
        ("h2", "Evidence behind the numbers: current value, history, physics bound"),
        (
            "p",
            "For each record whose quantity has more than one line of evidence, a physics bound "
            "or a superseded line: the current value (median and 90% interval, FLOP) and the "
            "lines it rests on, with their kind (lab disclosure, outside estimate, flopcast's "
            "own count); earlier outside estimates that a later disclosure of the same quantity "
            "superseded, kept as history and not pooled into the current value; the physics "
            "bound, published chip-hours x 3,600 s x peak FLOP/s at the precision used, that "
            "no figure can exceed; and the share of that peak the current value implies.",
        ),
        (
            "table",
            [
                "Model",
                "Quantity",
                "Current value",
                "Current lines",
                "Physics bound",
                "Implied utilisation",
                "Superseded history",
            ],
            table,
        ),
    ]


# ---- private ----------------------------------------------------------------------------------


def _may_show(ds: Any, rec: Any, f: str) -> bool:
    ev = rec.evidence(f)
    if ev is None or ev.unknown or not ev.lines:
        return False
    return len(ev.lines) > 1 or ds.bound(rec.id, f) is not None


def _worth_showing(e: Mapping[str, Any]) -> bool:
    return bool(e.get("history") or e.get("bound") or len(e["lines"]) > 1)


def _field(e: Mapping[str, Any]) -> dict[str, Any]:
    keep = ("median", "lo", "hi", "p5", "p95")
    return {
        "value": {k: v for k, v in (e.get("value") or {}).items() if k in keep} or None,
        "confidence": e.get("confidence"),
        "bound": e.get("bound"),
        "implied_utilization": e.get("implied_utilization"),
        "widening": e.get("widening"),
        "history": list(e.get("history") or []),
        "lines": [
            {
                "label": ln.get("label"),
                "kind": ln.get("kind"),
                "recipe": ln.get("recipe"),
                "date": ln.get("date"),
                "expression": ln.get("expression"),
                "median": (ln.get("value") or {}).get("median"),
                "current": ln.get("current"),
                "superseded_by": ln.get("superseded_by"),
                "implied_utilization": ln.get("implied_utilization"),
                "above_bound": ln.get("above_bound"),
            }
            for ln in e["lines"]
        ],
    }


def _ci(s: Mapping[str, Any] | None) -> str:
    b = bounds(s)
    if b is None:
        return fmt.UNKNOWN
    return f"{fmt.number(b['median'])} ({fmt.number(b['lo'])} to {fmt.number(b['hi'])})"


def _current_lines(e: Mapping[str, Any]) -> str:
    parts = []
    for ln in e["lines"]:
        if not ln["current"]:
            continue
        about = [KIND_TEXT.get(ln["kind"], ln["kind"]) if ln["kind"] else "", ln["date"] or ""]
        name = ln["label"] or ln["expression"]
        said = ", ".join(a for a in about if a)
        parts.append(f"{name} ({said})" if said else name)
    text = "; ".join(parts) or fmt.UNKNOWN
    if e.get("widening"):
        text += " (pooled interval widened: the lines disagree)"
    return text


def _bound_text(b: Mapping[str, Any] | None) -> str:
    if not b:
        return "none (no published chip-hours)"
    return (
        f"{fmt.number(b['bound_flop'])} ({fmt.number(b['chip_hours'])} {b['chip']}-hours at "
        f"{b['precision']} peak)"
    )


def _utilisation_text(u: Mapping[str, Any] | None) -> str:
    b = bounds(u)
    if b is None:
        return fmt.NOT_APPLICABLE
    return f"{fmt.percent(b['median'])} ({fmt.percent(b['lo'])} to {fmt.percent(b['hi'])}) of peak"
