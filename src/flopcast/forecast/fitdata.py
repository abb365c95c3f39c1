"""Where fit points come from: a CSV file, or the dataset's benchmark results."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from flopcast.core.errors import DataError
from flopcast.evidence import dataset as _dataset

__all__ = ["from_dataset", "read_csv"]


def read_csv(path: str | Path, x: str, y: str) -> tuple[np.ndarray, np.ndarray]:
    """Two numeric columns of a CSV file with a header row (compute in FLOP, score)."""
    p = Path(path)
    if not p.is_file():
        raise DataError("no such CSV file", path=str(p))
    with p.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        for col in (x, y):
            if col not in header:
                raise DataError(f"no column {col!r}; columns: {', '.join(header)}", path=str(p))
        xs, ys = [], []
        for line, row in enumerate(reader, start=2):
            try:
                xs.append(float(row[x]))
                ys.append(float(row[y]))
            except (TypeError, ValueError):
                bad = x if not _is_float(row.get(x)) else y
                raise DataError(
                    f"{row.get(bad)!r} is not a number", path=str(p), line=line, field=bad
                ) from None
    return np.array(xs), np.array(ys)


def from_dataset(
    benchmark: str, compute: str = "rl", *, dataset: Any = None, setting: str | None = None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Benchmark scores from the dataset against each model's median compute (``rl`` or
    ``pretraining``/``total``); models without that compute figure are left out."""
    if dataset is None:
        dataset = _dataset.load()
    xs, ys, ids = [], [], []
    for row in dataset.benchmarks(benchmark):
        if setting is not None and row.get("setting") != setting:
            continue
        q = dataset.quantity(row["model"], compute)
        if q is None:
            continue
        xs.append(q.median())
        ys.append(float(row["value"]))
        ids.append(row["model"])
    if len(xs) < 3:
        raise DataError(
            f"only {len(xs)} result(s) of {benchmark!r} have a {compute!r} compute "
            "figure in the dataset; a fit needs at least 3"
        )
    return np.array(xs), np.array(ys), ids


def _is_float(v: Any) -> bool:
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False
