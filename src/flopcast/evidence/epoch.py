"""Epoch AI's public model CSVs: read them and turn rows into validated records.

Columns are matched by name, never by position (they change between releases), with the older
spellings as aliases. Unknown columns are ignored, empty cells are missing values, numbers may
be written ``1.65e+24``, and a hardware cell may list several chips (``Google TPU v2,Google TPU
v1``; split by :func:`flopcast.estimate.chips.split_chips`). A malformed file (ragged rows, not
UTF-8, binary), and a negative or zero compute figure, is one
:class:`~flopcast.core.errors.DataError` and nothing is written. A cell a spreadsheet would run
as a formula (OWASP: a leading ``= + - @``, tab or carriage return) is kept as text and
reported in :attr:`EpochRow.formula_cells`; the quote flopcast's own export adds in front of
such a cell is removed. Writing (export, record files) is in :mod:`flopcast.evidence.epoch_write`,
re-estimation in :mod:`flopcast.evidence.reestimate`; both are re-exported here.
Format reference: https://epoch.ai/data/ai-models-documentation
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flopcast.core.errors import DataError
from flopcast.estimate.chips import split_chips
from flopcast.evidence.epoch_write import (
    EXPORT_COLUMNS,
    FORMULA_START,
    atomic_write,
    escape_cell,
    export_csv,
    export_rows,
    write_records,
)
from flopcast.evidence.records import Confidence, Evidence, Line, ModelRecord, Problems, Source
from flopcast.evidence.reestimate import reestimate

__all__ = [
    "COLUMNS",
    "EPOCH_URL",
    "EXPORT_COLUMNS",
    "EpochRow",
    "atomic_write",
    "escape_cell",
    "export_csv",
    "export_rows",
    "read_csv",
    "reestimate",
    "to_records",
    "write_records",
]

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
    # the precision the run used, in Epoch's exports from mid-2025 ("FP16", "BF16, FP8", ...)
    "numerical_format": ("numerical format",),
}
_COMPUTE = ("training_compute", "finetune_compute")
_NUMERIC = (*_COMPUTE, "parameters", "training_time_hours", "hardware_quantity", "utilization")
_LABELS: dict[str, Confidence] = {
    "confident": "Confident",
    "likely": "Likely",
    "speculative": "Speculative",
}


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
    numerical_format: str | None = None
    formula_cells: list[str] = field(default_factory=list)  # columns that began like a formula


def read_csv(path: str | os.PathLike) -> list[EpochRow]:
    """Parse an Epoch CSV; DataError (file and line) if it is not a well-formed CSV of models."""
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
            row = _row({k: cells[i] for k, i in index.items()}, path, line)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        raise DataError(f"not a valid CSV: {exc}", path, reader.line_num) from None
    return rows


def to_records(
    rows: Sequence[EpochRow], *, accessed: dt.date | None = None, known_ids: Sequence[str] = ()
) -> tuple[list[ModelRecord], list[dict[str, Any]]]:
    """Rows -> (validated ModelRecords, skipped rows with reasons).

    ``Training compute (FLOP)`` is Epoch's total: the record's pre-training is that total minus
    ``Finetune compute (FLOP)``, and the fine-tune compute becomes the ``rl`` field (NB: Epoch's
    fine-tune column can include SFT). A row with hardware, quantity and time but no stated
    compute gets a hardware-method line instead. Ids are slugs of the names, unique without
    regard to case (``GPT-4`` and ``gpt-4`` get ``gpt-4`` and ``gpt-4-2``), in linear time.
    Epoch's own confidence label is kept as each line's ``source_confidence``.
    """
    accessed = accessed or dt.date.today()
    ids = _Ids(known_ids)
    skipped = [
        {"line": r.line, "model": r.model, "reason": "no publication date"}
        for r in rows
        if r.date is None
    ]
    dated = [r for r in rows if r.date is not None]
    row_ids = [ids.make(_slug(r.model)) for r in dated]
    first_id: dict[str, str] = {}
    for r, rid in zip(dated, row_ids, strict=True):
        first_id.setdefault(r.model.lower(), rid)
    out = []
    for row, rid in zip(dated, row_ids, strict=True):
        try:
            out.append(_record(row, rid, accessed, first_id, ids.taken))
        except Problems as exc:
            skipped.append({"line": row.line, "model": row.model, "reason": str(exc.errors[0])})
    return out, skipped


# ---- private ----------------------------------------------------------------------------------


def _row(get_raw: dict[str, str], path: str, line: int) -> EpochRow | None:
    get = {k: (_unescape(v).strip() or None) for k, v in get_raw.items()}
    formula = [
        k
        for k, v in get_raw.items()
        if k not in _NUMERIC and _unescape(v).startswith(FORMULA_START)
    ]
    model = get.get("model")
    if not model:
        return None
    if get.get("finetune_compute") in ("0", "0.0"):
        # NB: Epoch's snapshots write 0.0 in 'Finetune compute' for a model without a separate
        # fine-tuning figure (924-row April 2025 export, row 952): read it as no figure.
        get["finetune_compute"] = None
    nums = {
        k: _number(get.get(k), col, path, line, positive=k in _COMPUTE)
        for k, col in (
            ("parameters", "Parameters"),
            ("training_compute", "Training compute (FLOP)"),
            ("training_time_hours", "Training time (hours)"),
            ("hardware_quantity", "Hardware quantity"),
            ("finetune_compute", "Finetune compute (FLOP)"),
        )
    }
    return EpochRow(
        line=line,
        model=model,
        organization=get.get("organization"),
        date=_date(get.get("date"), path, line),
        training_compute_notes=get.get("training_compute_notes"),
        confidence=get.get("confidence"),
        link=get.get("link"),
        hardware=split_chips(get.get("hardware") or ""),
        utilization=_fraction(get.get("utilization"), path, line),
        base_model=get.get("base_model"),
        finetune_compute_notes=get.get("finetune_compute_notes"),
        numerical_format=get.get("numerical_format"),
        formula_cells=formula,
        **nums,
    )


def _record(
    row: EpochRow, rid: str, accessed: dt.date, first_id: dict[str, str], taken: set[str]
) -> ModelRecord:
    source = Source(
        url=row.link if row.link and re.match(r"^https?://[^\s/]+\.\S+$", row.link) else EPOCH_URL,
        title=f"Epoch AI models dataset: {row.model}",
        states=_states(row),
        accessed=accessed,
    )
    label: Confidence | None = _LABELS.get((row.confidence or "").strip().lower())
    reasoning = None
    if label is None:
        reasoning = (
            f"imported from Epoch with confidence {row.confidence or 'empty'!r}, "
            "which is not one of Confident/Likely/Speculative"
        )
    elif label == "Speculative":
        reasoning = "Epoch AI labels this estimate Speculative; its notes: " + (
            " ".join((row.training_compute_notes or "none given").split())
        )

    def line(estimate: str, text: str | None = None) -> Evidence:
        return Evidence(
            lines=[
                Line(
                    label=text,
                    estimate=estimate,
                    confidence=label or "Speculative",
                    source_confidence=row.confidence,
                    reasoning=reasoning,
                    sources=[source],
                )
            ]
        )

    fields: dict[str, Any] = {}
    if row.parameters is not None:
        fields["parameters_total"] = line(_num(row.parameters))
    if row.training_compute is not None:
        pre = row.training_compute - (row.finetune_compute or 0.0)
        if pre > 0:
            fields["pretraining"] = line(
                _num(pre), "Epoch: training compute minus fine-tune compute"
            )
    elif row.hardware and row.hardware_quantity and row.training_time_hours:
        fields["pretraining"] = line(
            f'hardware(chip="{row.hardware[0]}", chips={_num(row.hardware_quantity)}, '
            f"hours={_num(row.training_time_hours)})",
            "hardware method on Epoch's hardware columns",
        )
    if row.finetune_compute is not None:
        fields["rl"] = line(_num(row.finetune_compute), "Epoch: fine-tune compute")
    notes = []
    base = None
    if row.base_model:
        base = first_id.get(row.base_model.lower()) or _slug(row.base_model)
        if base not in taken or base == rid:
            notes.append(f"Epoch base model: {row.base_model}")
            base = None
    if row.hardware:
        notes.append(f"Epoch training hardware: {', '.join(row.hardware)}")
    if row.formula_cells:
        notes.append(
            "cells that began with a formula character, kept as text: "
            + ", ".join(row.formula_cells)
        )
    assert row.date is not None  # to_records skips undated rows
    try:
        rec = ModelRecord(
            id=rid,
            name=row.model,
            developer=row.organization or "unknown",
            release_date=row.date,
            base_model=base,
            notes="; ".join(notes) or None,
            **fields,
        )
    except ValueError as exc:
        raise Problems([DataError(" ".join(str(exc).split())[:300], None, row.line)]) from None
    return rec


class _Ids:
    """Unique lower-case ids: each slug keeps its next free suffix, so n equal names are O(n)."""

    def __init__(self, known: Sequence[str]):
        self.taken = {k.lower() for k in known}
        self.next: dict[str, int] = {}

    def make(self, slug: str) -> str:
        k = self.next.get(slug, 1)
        out = slug if k == 1 else f"{slug}-{k}"
        while out in self.taken:
            k += 1
            out = f"{slug}-{k}"
        self.next[slug] = k + 1
        self.taken.add(out)
        return out


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


def _number(
    cell: str | None, column: str, path: str, line: int, *, positive: bool = False
) -> float | None:
    if cell is None or cell.lower() in ("nan", "none", "unknown", "-"):
        return None
    try:
        value = float(cell.replace(",", "").replace("_", ""))
    except ValueError:
        raise DataError(
            f"{column}: {cell!r} is not a number (write e.g. 1.65e+24)", path, line
        ) from None
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        allowed = "a finite positive number" if positive else "a finite non-negative number"
        raise DataError(f"{column}: {cell!r} must be {allowed}", path, line)
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


def _unescape(cell: str) -> str:
    """Drop the quote an escaping export put in front of a formula character."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "model"


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
    if row.confidence:
        parts.append(f"Confidence {row.confidence}")
    if row.training_compute_notes:
        parts.append("notes: " + " ".join(row.training_compute_notes.split())[:300])
    return "; ".join(parts) or "listed in Epoch's dataset"
