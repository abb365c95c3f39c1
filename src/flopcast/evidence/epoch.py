"""Epoch AI's public model CSVs: read them, turn rows into records, write ours, re-estimate rows.

Columns are matched by name, never by position (they change between releases), with the older
spellings as aliases. Unknown columns are ignored, empty cells are missing values, numbers may
be written ``1.65e+24``, and a hardware cell may list several chips (``Google TPU v2,Google TPU
v1``; split by :func:`flopcast.estimate.chips.split_chips`). A malformed file (ragged rows, not UTF-8,
binary) is one :class:`~flopcast.core.errors.DataError` and nothing is written.
Format reference: https://epoch.ai/data/ai-models-documentation
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import shutil
import statistics
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from flopcast.core.errors import DataError, FlopcastError

EPOCH_URL = "https://epoch.ai/data/ai-models"
# canonical column -> accepted spellings (normalised: lower case, single spaces)
COLUMNS: dict[str, tuple[str, ...]] = {
    "model": ("model", "system"),
    "organization": ("organization",),
    "date": ("publication date",),
    "parameters": ("parameters",),
    "training_compute": ("training compute (flop)",),
    "training_compute_notes": ("training compute notes",),
    "confidence": ("confidence",),
    "link": ("link",),
    "training_time_hours": ("training time (hours)",),
    "hardware": ("training hardware",),
    "hardware_quantity": ("hardware quantity",),
    "utilization": ("hardware utilization (mfu)", "hardware utilization"),
    "base_model": ("base model",),
    "finetune_compute": ("finetune compute (flop)",),
    "finetune_compute_notes": ("finetune compute notes",),
}
EXPORT_COLUMNS = [
    "Model",
    "Organization",
    "Publication date",
    "Parameters",
    "Training compute (FLOP)",
    "Training compute notes",
    "Confidence",
    "Link",
    "Base model",
    "Finetune compute (FLOP)",
    "Finetune compute notes",
]
_LABELS = {"confident": "Confident", "likely": "Likely", "speculative": "Speculative"}


@dataclass
class EpochRow:
    """One CSV row with the columns flopcast uses (None where the cell is empty)."""

    line: int
    model: str
    organization: str | None = None
    date: dt.date | None = None
    parameters: float | None = None
    training_compute: float | None = None
    training_compute_notes: str | None = None
    confidence: str | None = None
    link: str | None = None
    training_time_hours: float | None = None
    hardware: list[str] = field(default_factory=list)
    hardware_quantity: float | None = None
    utilization: float | None = None
    base_model: str | None = None
    finetune_compute: float | None = None
    finetune_compute_notes: str | None = None


def read_csv(path: str | os.PathLike) -> list[EpochRow]:
    """Parse an Epoch CSV; DataError (file and line) if it is not a well-formed CSV of models."""
    from flopcast.estimate.chips import split_chips  # noqa: PLC0415

    path = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror})", path) from None
    if b"\x00" in raw[:65536]:
        raise DataError("this is a binary file, not a CSV (it contains NUL bytes)", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            f"not UTF-8 text (byte {exc.start}); Epoch's CSVs are UTF-8, re-save the file as UTF-8",
            path,
            line,
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise DataError(
            "empty file; expected a header row with a 'Model' column", path, 1
        ) from None
    except csv.Error as exc:
        raise DataError(f"not a valid CSV: {exc}", path, 1) from None
    index = _column_index(header, path)
    rows: list[EpochRow] = []
    line = 1
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise DataError(
                    f"row has {len(cells)} cells but the header has {len(header)}; "
                    "a ragged row usually means an unquoted comma or a broken quote",
                    path,
                    line,
                )
            get = {k: (cells[i].strip() or None) for k, i in index.items()}
            model = get.get("model")
            if not model:
                continue
            rows.append(
                EpochRow(
                    line=line,
                    model=model,
                    organization=get.get("organization"),
                    date=_date(get.get("date"), path, line),
                    parameters=_number(get.get("parameters"), "Parameters", path, line),
                    training_compute=_number(
                        get.get("training_compute"), "Training compute (FLOP)", path, line
                    ),
                    training_compute_notes=get.get("training_compute_notes"),
                    confidence=get.get("confidence"),
                    link=get.get("link"),
                    training_time_hours=_number(
                        get.get("training_time_hours"), "Training time (hours)", path, line
                    ),
                    hardware=split_chips(get.get("hardware") or ""),
                    hardware_quantity=_number(
                        get.get("hardware_quantity"), "Hardware quantity", path, line
                    ),
                    utilization=_fraction(get.get("utilization"), path, line),
                    base_model=get.get("base_model"),
                    finetune_compute=_number(
                        get.get("finetune_compute"), "Finetune compute (FLOP)", path, line
                    ),
                    finetune_compute_notes=get.get("finetune_compute_notes"),
                )
            )
    except csv.Error as exc:
        raise DataError(f"not a valid CSV: {exc}", path, reader.line_num) from None
    return rows


def to_records(
    rows: Sequence[EpochRow], *, accessed: dt.date | None = None, known_ids: Sequence[str] = ()
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows -> (record dicts ready for YAML, skipped rows with reasons).

    ``Training compute (FLOP)`` is Epoch's total: the record's pre-training is that total minus
    ``Finetune compute (FLOP)``, and the fine-tune compute becomes the ``rl`` field (NB: Epoch's
    fine-tune column can include SFT). A row with hardware, quantity and time but no stated
    compute gets a hardware-method line instead.
    """
    accessed = accessed or dt.date.today()
    ids: set[str] = set(known_ids)
    made: dict[str, str] = {}
    out, skipped = [], []
    dated = []
    for row in rows:
        if row.date is None:
            skipped.append({"line": row.line, "model": row.model, "reason": "no publication date"})
            continue
        made[row.model.lower()] = _unique(_slug(row.model), ids)
        dated.append(row)
    for row in dated:
        rid = made[row.model.lower()]
        source = {
            "url": row.link if row.link and row.link.startswith("http") else EPOCH_URL,
            "title": f"Epoch AI models dataset: {row.model}",
            "states": _states(row),
            "accessed": accessed,
        }
        label = _LABELS.get((row.confidence or "").strip().lower())
        line_base: dict[str, Any] = {"confidence": label or "Speculative", "sources": [source]}
        if label is None:
            line_base["reasoning"] = (
                f"imported from Epoch with confidence {row.confidence or 'empty'!r}, "
                "which is not one of Confident/Likely/Speculative"
            )
        elif label == "Speculative":
            line_base["reasoning"] = "Epoch AI labels this estimate Speculative; its notes: " + (
                " ".join((row.training_compute_notes or "none given").split())
            )
        rec: dict[str, Any] = {
            "id": rid,
            "name": row.model,
            "developer": row.organization or "unknown",
            "release_date": row.date,
            "reasoning": False,
        }
        if row.parameters is not None:
            rec["parameters_total"] = {"estimate": _num(row.parameters), **line_base}
        if row.training_compute is not None:
            pre = row.training_compute - (row.finetune_compute or 0.0)
            if pre > 0:
                rec["pretraining"] = {
                    "label": "Epoch: training compute minus fine-tune compute",
                    "estimate": _num(pre),
                    **line_base,
                }
        elif row.hardware and row.hardware_quantity and row.training_time_hours:
            chip = row.hardware[0]
            rec["pretraining"] = {
                "label": "hardware method on Epoch's hardware columns",
                "estimate": f'hardware(chip="{chip}", chips={_num(row.hardware_quantity)}, '
                f"hours={_num(row.training_time_hours)})",
                **line_base,
            }
        if row.finetune_compute is not None:
            rec["rl"] = {
                "label": "Epoch: fine-tune compute",
                "estimate": _num(row.finetune_compute),
                **line_base,
            }
        notes = []
        if row.base_model:
            base = made.get(row.base_model.lower()) or _slug(row.base_model)
            if base in ids and base != rid:
                rec["base_model"] = base
            else:
                notes.append(f"Epoch base model: {row.base_model}")
        if row.hardware:
            notes.append(f"Epoch training hardware: {', '.join(row.hardware)}")
        if notes:
            rec["notes"] = "; ".join(notes)
        out.append(rec)
    return out, skipped


def write_records(records: Sequence[dict[str, Any]], out_dir: str | os.PathLike) -> list[str]:
    """Write one YAML file per record; all or nothing (written to a temporary folder, then moved)."""
    out = Path(out_dir)
    clash = [r["id"] for r in records if (out / f"{r['id']}.yaml").exists()]
    if clash:
        raise DataError(
            f"{len(clash)} record file(s) already exist (e.g. {clash[0]}.yaml); "
            "choose an empty --out folder",
            str(out),
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".flopcast-import-", dir=out.parent))
    try:
        for rec in records:
            text = yaml.safe_dump(rec, sort_keys=False, allow_unicode=True, width=100)
            (tmp / f"{rec['id']}.yaml").write_text(text, encoding="utf-8")
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for rec in records:
            target = out / f"{rec['id']}.yaml"
            shutil.move(str(tmp / f"{rec['id']}.yaml"), target)
            written.append(str(target))
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def export_csv(ds: Any, fh: TextIO, *, seed: int = 0, n: int = 20_000) -> None:
    """Write ``ds`` in Epoch's layout: total in 'Training compute', RL in 'Finetune compute'."""
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(EXPORT_COLUMNS)
    for rec in ds.records:
        total = ds.quantity(rec.id, "total")
        pre_id = ds.pretraining_source(rec.id)
        if total is None and pre_id is not None and rec.rl is None:
            total = ds.quantity(pre_id, "pretraining")
        rl = ds.quantity(rec.id, "rl")
        params = ds.quantity(rec.id, "parameters_total")
        ev = rec.rl if rec.rl is not None and not rec.rl.unknown else rec.pretraining
        conf = ev.confidence if ev is not None else None
        link = next(
            (
                s.url
                for f in ("pretraining", "rl")
                if getattr(rec, f) is not None
                for ln in getattr(rec, f).lines
                for s in ln.sources
            ),
            "",
        )
        w.writerow(
            [
                rec.name,
                rec.developer,
                rec.release_date.isoformat(),
                _num(params.median(n=n, seed=seed)) if params is not None else "",
                _num(total.median(n=n, seed=seed)) if total is not None else "",
                f"flopcast median; 90% CI {_ci(total, n, seed)}" if total is not None else "",
                conf or "Unknown",
                link,
                _base_name(ds, rec.base_model),
                _num(rl.median(n=n, seed=seed)) if rl is not None else "",
                f"RL stage (flopcast); 90% CI {_ci(rl, n, seed)}" if rl is not None else "",
            ]
        )


def reestimate(rows: Sequence[EpochRow], *, seed: int = 0, n: int = 20_000) -> dict[str, Any]:
    """Hardware-method re-estimate of every row with hardware, quantity and training time."""
    import warnings  # noqa: PLC0415

    from flopcast.core.errors import PlausibilityWarning  # noqa: PLC0415
    from flopcast.estimate import (
        chips,
        methods,  # noqa: PLC0415
    )

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


# ---- helpers ----------------------------------------------------------------------------------


def _column_index(header: list[str], path: str) -> dict[str, int]:
    norm = [re.sub(r"\s+", " ", h.replace("\ufeff", "")).strip().lower() for h in header]
    index = {}
    for key, names in COLUMNS.items():
        for name in names:
            if name in norm:
                index[key] = norm.index(name)
                break
    if "model" not in index:
        raise DataError(
            f"no 'Model' column in the header (found: {', '.join(header[:6])}"
            f"{', ...' if len(header) > 6 else ''}); is this an Epoch models CSV?",
            path,
            1,
        )
    return index


def _number(cell: str | None, column: str, path: str, line: int) -> float | None:
    if cell is None or cell.lower() in ("nan", "none", "unknown", "-"):
        return None
    try:
        value = float(cell.replace(",", "").replace("_", ""))
    except ValueError:
        raise DataError(
            f"{column}: {cell!r} is not a number (write e.g. 1.65e+24)", path, line
        ) from None
    if not math.isfinite(value) or value < 0:
        raise DataError(f"{column}: {cell!r} must be a finite non-negative number", path, line)
    return value


def _fraction(cell: str | None, path: str, line: int) -> float | None:
    if cell is None:
        return None
    pct = cell.endswith("%")
    value = _number(cell.rstrip("%"), "Hardware utilization", path, line)
    return None if value is None else value / 100 if pct or value > 1 else value


def _date(cell: str | None, path: str, line: int) -> dt.date | None:
    if cell is None:
        return None
    try:
        return dt.date.fromisoformat(cell[:10])
    except ValueError:
        raise DataError(
            f"Publication date: {cell!r} is not a date (YYYY-MM-DD)", path, line
        ) from None


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "model"


def _unique(slug: str, ids: set[str]) -> str:
    out, k = slug, 2
    while out in ids:
        out, k = f"{slug}-{k}", k + 1
    ids.add(out)
    return out


def _num(x: float) -> str:
    return f"{x:.6g}"


def _states(row: EpochRow) -> str:
    parts = []
    if row.training_compute is not None:
        parts.append(f"Training compute (FLOP) {_num(row.training_compute)}")
    if row.finetune_compute is not None:
        parts.append(f"Finetune compute (FLOP) {_num(row.finetune_compute)}")
    if row.parameters is not None:
        parts.append(f"Parameters {_num(row.parameters)}")
    if row.hardware:
        parts.append(f"hardware {', '.join(row.hardware)} x {_num(row.hardware_quantity or 0)}")
    if row.training_compute_notes:
        parts.append("notes: " + " ".join(row.training_compute_notes.split())[:300])
    return "; ".join(parts) or "listed in Epoch's dataset"


def _ci(u: Any, n: int, seed: int) -> str:
    lo, hi = u.interval(0.9, n=n, seed=seed)
    return f"{lo:.3g} - {hi:.3g}"


def _base_name(ds: Any, base_id: str | None) -> str:
    if not base_id:
        return ""
    try:
        return ds.get(base_id).name
    except FlopcastError:
        return base_id
