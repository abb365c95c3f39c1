"""What flopcast writes in Epoch's terms: the CSV export and imported record files, atomically.

Nothing is written in place. A file goes to a temporary sibling (same folder, so the final
``os.replace`` is an atomic rename on POSIX and Windows) and replaces the target only once it
is complete and flushed to disk; a folder of records is built as a temporary sibling and
renamed into place. An error or a kill (SIGKILL included) midway leaves the old output as it
was (at worst a ``.flopcast-*`` temporary beside it).

CSV cells a spreadsheet would run as a formula get a leading single quote (OWASP's CSV
injection rule: a cell beginning ``=``, ``+``, ``-``, ``@``, tab or carriage return), so
``=cmd|' /C calc'!A0`` is written as ``'=cmd|' /C calc'!A0``; :func:`flopcast.evidence.epoch.read_csv`
removes that quote again and reports the cell.
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from flopcast.core.errors import DataError, FlopcastError
from flopcast.evidence.records import ModelRecord

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: characters to escape
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


def escape_cell(cell: Any) -> str:
    """A CSV cell a spreadsheet will show as text: ``'`` before a leading formula character."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_rows(ds: Any, *, seed: int = 0, n: int = 20_000) -> list[list[str]]:
    """The export as rows of escaped cells (header first); computed before anything is written."""
    rows = [list(EXPORT_COLUMNS)]
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
        cells = [
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
        rows.append([escape_cell(c) for c in cells])
    return rows


def export_csv(ds: Any, fh: TextIO, *, seed: int = 0, n: int = 20_000) -> None:
    """Write ``ds`` in Epoch's layout: total in 'Training compute', RL in 'Finetune compute'."""
    rows = export_rows(ds, seed=seed, n=n)
    csv.writer(fh, lineterminator="\n").writerows(rows)


def atomic_write(path: str | os.PathLike, write: Callable[[TextIO], None]) -> None:
    """Call ``write(fh)`` on a temporary sibling of ``path``, then rename it over ``path``."""
    target = Path(path)
    if target.is_dir():
        raise DataError("is a folder; give a file name for --out", str(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _temporary(target) as (tmp, fh):
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
            os.replace(tmp, target)
    except OSError as exc:
        raise DataError(f"cannot write the file: {exc.strerror or exc}", str(target)) from None


def write_records(records: Sequence[ModelRecord], out_dir: str | os.PathLike) -> list[str]:
    """One YAML file per record into a new (or empty) folder, all at once: built as a temporary
    sibling and renamed into place, so a failure leaves no folder and no partial one."""
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        taken = [r.id for r in records if (out / f"{r.id}.yaml").exists()]
        what = (
            f"{len(taken)} record file(s) already exist (e.g. {taken[0]}.yaml)"
            if taken
            else ("the folder is not empty")
        )
        raise DataError(f"{what}; choose a new or empty --out folder", str(out))
    seen: dict[str, str] = {}
    for rec in records:
        key = rec.id.lower()
        if key in seen:
            raise DataError(f"two records would both be written as {rec.id}.yaml", str(out))
        seen[key] = rec.id
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".flopcast-import-{out.name}-", dir=out.parent))
    except OSError as exc:
        raise DataError(f"cannot create the folder: {exc.strerror or exc}", str(out)) from None
    try:
        for rec in records:
            data = rec.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
            (tmp / f"{rec.id}.yaml").write_text(text, encoding="utf-8")
        try:
            os.replace(tmp, out)  # POSIX renames over an empty folder atomically
        except OSError:
            if not out.is_dir():
                raise
            out.rmdir()  # empty (checked above); where the platform refuses the rename over it
            os.replace(tmp, out)
    except OSError as exc:
        raise DataError(f"cannot write the records: {exc.strerror or exc}", str(out)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [str(out / f"{rec.id}.yaml") for rec in records]


# ---- private ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _temporary(target: Path) -> Iterator[tuple[str, TextIO]]:
    fd, tmp = tempfile.mkstemp(prefix=f".flopcast-{target.name}-", dir=target.parent)
    fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
    try:
        yield tmp, fh
    finally:
        fh.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)  # renamed away on success; removed on failure


def _num(x: float) -> str:
    return f"{x:.6g}"


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
