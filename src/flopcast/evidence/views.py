"""Plain-data views of a loaded dataset: the table, benchmarks, and one record's derivation.

Every number here is read from :class:`flopcast.evidence.dataset.Dataset` and summarised with
the one summary shape (:mod:`flopcast.core.summary`); nothing is estimated. The derivation
shows, per quantity, the current lines and the superseded history ("Epoch AI, January 2025:
6.1e23, superseded by DeepSeek, Nature, September 2025"), the physics bound with the implied
utilisation of each line and of the current value, and how disagreeing lines were widened.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flopcast.core import fmt, summary
from flopcast.core.errors import FlopcastError
from flopcast.evidence import labels
from flopcast.evidence.records import (
    COMPUTE_FIELDS,
    CONFIDENCE_ORDER,
    COUNT_FIELDS,
    Evidence,
    ModelRecord,
    Source,
)

if TYPE_CHECKING:
    from flopcast.evidence.dataset import Dataset


def table(ds: Dataset, *, n: int = 20_000, seed: int = 0) -> list[dict[str, Any]]:
    """One plain dict per record (docs/dataset.md); medians and 90% intervals of FLOP."""
    rows = []
    for rec in ds.records:
        pre_id = ds.pretraining_source(rec.id)
        pre = ds._field_value(pre_id, "pretraining") if pre_id else None
        rl = ds._field_value(rec.id, "rl")
        total = ds._field_value(rec.id, "total")
        share = rl / total if rl is not None and total is not None else None
        if rec.rl is not None and not rec.rl.unknown:
            conf = confidence(ds, rec.id, "rl")
        elif pre_id:
            conf = confidence(ds, pre_id, "pretraining")
        else:
            conf = rec.pretraining.confidence if rec.pretraining is not None else None
        bound = ds.bound(rec.id, "rl")
        rows.append(
            {
                **_identity(rec),
                "pretraining": _stats(pre, n, seed),
                "pretraining_from": pre_id,
                "rl": _stats(rl, n, seed),
                "rl_status": status(rec.rl),
                "rl_share": _stats(share, n, seed),
                "total": _stats(total, n, seed),
                "confidence": conf,
                "rl_implied_utilization": _stats(
                    bound.utilization(rl) if bound and rl is not None else None, n, seed
                ),
            }
        )
    return rows


def _identity(rec: Any) -> dict[str, Any]:
    """The fields that name a record, first in every row and derivation."""
    return {
        "id": rec.id,
        "name": rec.name,
        "developer": rec.developer,
        "release_date": rec.release_date.isoformat(),
        "reasoning": rec.reasoning,
        "base_model": rec.base_model,
    }


def benchmarks(
    ds: Dataset, benchmark: str | None = None, *, n: int = 20_000, seed: int = 0
) -> list[dict[str, Any]]:
    """Benchmark results (optionally one benchmark, case-insensitive) with the model's RL median."""
    out = []
    for rec in ds.records:
        for b in rec.benchmarks:
            if benchmark is not None and b.benchmark.lower() != benchmark.lower():
                continue
            rl = ds._field_value(rec.id, "rl")
            out.append(
                {
                    "model": rec.id,
                    "benchmark": b.benchmark,
                    "value": b.value,
                    "unit": b.unit,
                    "setting": b.setting,
                    "date": b.date.isoformat() if b.date else None,
                    "rl_median": rl.median(n=n, seed=seed) if rl is not None else None,
                    "source": b.sources[0].url,
                }
            )
    return out


def to_pandas(ds: Dataset, **kwargs: Any) -> Any:
    """The table as a pandas DataFrame (flattened columns); needs pandas installed."""
    try:
        import pandas as pd  # noqa: PLC0415 - optional, only on request
    except ImportError:
        raise FlopcastError("to_pandas() needs pandas; install it or use Dataset.table()") from None
    flat = []
    for row in table(ds, **kwargs):
        item = {k: v for k, v in row.items() if not isinstance(v, dict)}
        for k in ("pretraining", "rl", "rl_share", "total"):
            for s in ("median", "p5", "p95"):
                item[f"{k}_{s}"] = row[k][s] if row[k] else None
        flat.append(item)
    return pd.DataFrame(flat)


def confidence(ds: Dataset, model_id: str, field: str) -> str | None:
    """The weakest label among the current lines, weakened to what the value's spread deserves."""
    ev = ds.get(model_id).evidence(field)
    value = ds._field_value(model_id, field)
    if ev is None or value is None:
        return None
    pooled = ds.pooled(model_id, field)
    current = pooled.current if pooled else range(len(ev.lines))
    label = max((ev.lines[i].confidence for i in current), key=CONFIDENCE_ORDER.index)
    return label if value.is_point else labels.weaker(label, labels.deserved(value))


def derivation(ds: Dataset, model_id: str, *, n: int = 20_000, seed: int = 0) -> dict[str, Any]:
    """Everything behind a record's numbers: per field its lines, history, bound, spread."""
    rec = ds.get(model_id)
    fields: dict[str, Any] = {}
    for f in (*COMPUTE_FIELDS, "total", *COUNT_FIELDS):
        ev = rec.evidence(f) if f != "total" else None
        if ev is None and f != "total":
            continue
        value = ds._field_value(rec.id, f)
        entry: dict[str, Any] = {
            "status": status(ev)
            if f != "total"
            else ("derived" if value is not None else "unknown")
        }
        if value is not None:
            entry["value"] = value.summary(n=n, seed=seed)
            entry["text"] = fmt.summary(entry["value"])  # its own numbers: no resampling
        if ev is not None:
            entry.update(_evidence_entry(ds, rec, f, ev, value, n, seed))
        if f == "total" and value is not None:
            entry["formula"] = _total_formula(ds, rec)
        if f == "total" and value is None:
            continue
        fields[f] = entry
    return {
        **_identity(rec),
        "notes": rec.notes,
        "path": rec.path,
        "fields": fields,
        "benchmarks": [b.model_dump(mode="json") for b in rec.benchmarks],
        "data_version": ds.version,
    }


def status(ev: Evidence | None) -> str:
    if ev is None:
        return "none"
    return "unknown" if ev.unknown else "estimated"


def all_sources(rec: ModelRecord) -> Iterable[Source]:
    for f in (*COMPUTE_FIELDS, *COUNT_FIELDS):
        ev = getattr(rec, f)
        if ev is None:
            continue
        yield from ev.sources
        for ln in ev.lines:
            yield from ln.sources
    for b in rec.benchmarks:
        yield from b.sources


# ---- private ----------------------------------------------------------------------------------


def _evidence_entry(
    ds: Dataset, rec: ModelRecord, f: str, ev: Evidence, value: Any, n: int, seed: int
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "notes": ev.notes,
        "combine": ev.combine if len(ev.lines) > 1 else None,
        "sources": [s.model_dump(mode="json") for s in ev.sources],
    }
    if ev.unknown:
        entry["lines"] = []
        return entry
    pooled = ds.pooled(rec.id, f)
    bound = ds.bound(rec.id, f)
    superseded = pooled.superseded if pooled else {}
    entry["confidence"] = confidence(ds, rec.id, f)
    entry["current_lines"] = list(pooled.current) if pooled else []
    entry["pooled_superseded"] = bool(ds.pool_all or ev.combine == "pool")
    if pooled and pooled.widening:
        entry["widening"] = pooled.widening
    if bound is not None:
        entry["bound"] = bound.to_dict()
        if value is not None:
            entry["implied_utilization"] = _stats(bound.utilization(value), n, seed)
    entry["lines"] = []
    entry["history"] = []
    for i, (ln, lv) in enumerate(zip(ev.lines, ds.line_values(rec.id, f), strict=True)):
        by = ev.lines[superseded[i]] if i in superseded else None
        line = {
            "label": ln.label,
            "expression": ln.expression(),
            "recipe": ln.recipe,
            "kind": ln.kind,
            "confidence": ln.confidence,
            "source_confidence": ln.source_confidence,
            "spread_label": labels.deserved(lv) if not lv.is_point else ln.confidence,
            "date": ln.date.isoformat() if ln.date else None,
            "method": lv.method,
            "assumptions": lv.assumptions,
            "reasoning": ln.reasoning,
            "notes": ln.notes,
            "value": (line_value := lv.summary(n=n, seed=seed)),
            "text": fmt.summary(line_value),
            "sources": [s.model_dump(mode="json") for s in ln.sources],
            "current": i in (pooled.current if pooled else [i]),
            "superseded_by": (by.label or f"line {superseded[i] + 1}") if by else None,
        }
        if bound is not None and f in COMPUTE_FIELDS:
            util = bound.utilization(lv.median(n=n, seed=seed))
            line["implied_utilization"] = util
            line["above_bound"] = util > 1
        entry["lines"].append(line)
        if by is not None:
            entry["history"].append(_history_text(ln, lv, by, line, n, seed))
    return entry


def _history_text(ln: Any, lv: Any, by: Any, line: dict, n: int, seed: int) -> str:
    """``Epoch AI, January 2025: 6.1e23, superseded by DeepSeek, Nature, September 2025``."""
    name = ln.label or f"a line dated {ln.date.isoformat() if ln.date else 'undated'}"
    median = fmt.number(lv.median(n=n, seed=seed))
    text = f"{name}: {median}, superseded by {by.label or 'a later line'}"
    if line.get("above_bound"):
        text += f" (it would need {line['implied_utilization']:.0%} of peak)"
    return text


def _total_formula(ds: Dataset, rec: ModelRecord) -> str:
    pre_id = ds.pretraining_source(rec.id)
    known = [g for g in ("post_training", "rl") if _known(getattr(rec, g))]
    out = f"pretraining of {pre_id}" + "".join(f" + {g}" for g in known)
    if status(rec.post_training) == "unknown":
        out += " (post_training unknown, not counted)"
    return out


def _known(ev: Evidence | None) -> bool:
    return ev is not None and not ev.unknown


def _stats(u: Any, n: int, seed: int) -> dict[str, Any] | None:
    if u is None:
        return None
    return summary.of_quantity(u, n=n, seed=seed)
