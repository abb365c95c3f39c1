"""Model records loaded into one graph: relations resolved, lines evaluated, values pooled.

A record (one YAML file in ``data/models/``, format in that folder's README, schema in
:mod:`flopcast.evidence.records`) holds each quantity as lines of evidence. This module loads
the records, resolves ``@id.field`` references and ``base_model`` chains, evaluates each line
(an expression, or a recipe count via :mod:`flopcast.evidence.counts`) and turns the lines
into the current value with :mod:`flopcast.evidence.pooling` (supersession, the physics bound
of :mod:`flopcast.evidence.bounds`, pooling that widens when lines disagree). The derived field
``total`` is the pre-training compute (the base model's when the record has none of its own)
plus ``post_training`` plus ``rl``. Unknown ids and cycles are
:class:`~flopcast.core.errors.DataError` naming the file and line.

Layering: the shipped records, then each directory in ``$FLOPCAST_DATA`` (``os.pathsep``
separated), then ``extra_dirs``; a later record with the same id replaces the earlier one.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from flopcast.core.errors import DataError, ExpressionError, FlopcastError, UnknownNameError
from flopcast.core.uncertain import ci
from flopcast.estimate.functions import evaluate
from flopcast.evidence import bounds, checks, counts, labels, pooling, views
from flopcast.evidence.records import (
    COMPUTE_FIELDS,
    CONFIDENCE_ORDER,
    COUNT_FIELDS,
    QUANTITY_FIELDS,
    SHIPPED_DIR,
    Benchmark,
    Evidence,
    HardwareTime,
    Line,
    ModelRecord,
    Problems,
    Source,
    parse_record,
    validate_record,
)

ENV_VAR = "FLOPCAST_DATA"
_Problems = Problems  # the name tests and older callers use

__all__ = [
    "COMPUTE_FIELDS",
    "CONFIDENCE_ORDER",
    "COUNT_FIELDS",
    "ENV_VAR",
    "QUANTITY_FIELDS",
    "SHIPPED_DIR",
    "Benchmark",
    "Dataset",
    "Evidence",
    "HardwareTime",
    "Line",
    "ModelRecord",
    "Problems",
    "Source",
    "load",
    "parse_record",
    "validate",
    "validate_record",
]


def load(
    extra_dirs: Sequence[str | os.PathLike] | None = None, *, pool_all: bool = False
) -> Dataset:
    """Shipped records, then ``$FLOPCAST_DATA`` dirs, then ``extra_dirs``; later ids override.

    ``pool_all`` pools superseded lines into current values too (``combine: pool`` for every
    quantity). Raises the first problem as a DataError (``flopcast data validate`` lists all).
    """
    ds, problems = _build(_layers(extra_dirs), pool_all=pool_all)
    if problems:
        first = problems[0]
        more = (
            f" (and {len(problems) - 1} more; run 'flopcast data validate')"
            if len(problems) > 1
            else ""
        )
        raise DataError(first.message + more, first.path, first.line, first.field)
    return ds


def validate(paths: Sequence[str | os.PathLike] | None = None) -> list[DataError]:
    """Every problem in the shipped data plus ``paths`` (files or dirs), each with file and line.

    Beyond the schema this evaluates every line and every pooled value, so unknown chips and
    recipes, ``lo > hi``, unknown references, cycles (references or supersession) and figures
    above the physics bound are found too.
    """
    layers = _layers(None) if paths is None else [[SHIPPED_DIR], *[[Path(p)] for p in paths]]
    ds, problems = _build(layers)
    problems.extend(checks.evaluate_all(ds))
    return problems


class Dataset:
    """Loaded records with their relations resolved on demand (values are cached)."""

    def __init__(self, records: list[ModelRecord], digest: str = "", *, pool_all: bool = False):
        self.records = sorted(records, key=lambda r: (r.release_date, r.id))
        self.pool_all = pool_all
        self._by_id = {r.id: r for r in self.records}
        self._cache: dict[tuple[str, str], Any] = {}
        self._tables: dict[tuple[int, int], list[dict[str, Any]]] = {}
        self._pooled: dict[tuple[str, str], pooling.Pooled] = {}
        self._bounds: dict[tuple[str, str], bounds.Bound | None] = {}
        self._line_cache: dict[tuple[str, str], list[Any]] = {}
        self._stack: list[tuple[str, str]] = []
        accessed = [s.accessed for r in self.records for s in views.all_sources(r)]
        day = max(accessed).strftime("%Y.%m.%d") if accessed else "0000.00.00"
        self.version = f"{day}+{digest}" if digest else day
        for rec in self.records:
            for f in (*COMPUTE_FIELDS, *COUNT_FIELDS):
                ev = getattr(rec, f)
                if ev is not None:
                    ev._owner = (self, f"{rec.id}:{f}")

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[ModelRecord]:
        return iter(self.records)

    def ids(self) -> list[str]:
        return [r.id for r in self.records]

    def get(self, model_id: str) -> ModelRecord:
        try:
            return self._by_id[model_id]
        except KeyError:
            close = difflib.get_close_matches(model_id, self._by_id, n=3, cutoff=0.5)
            raise UnknownNameError("model", model_id, close) from None

    def quantity(self, model_id: str, field: str) -> Any:
        """The Uncertain (unit FLOP for compute) of ``field`` with relations resolved; None if unknown."""
        self.get(model_id)
        if field not in (*QUANTITY_FIELDS, *COUNT_FIELDS):
            raise UnknownNameError(
                "quantity field",
                field,
                difflib.get_close_matches(field, [*QUANTITY_FIELDS, *COUNT_FIELDS]),
            )
        return self._field_value(model_id, field)

    def line_values(self, model_id: str, field: str) -> list[Any]:
        """The value of each line of evidence of ``field``, in file order (before pooling)."""
        key = (model_id, field)
        if key not in self._line_cache:
            ev = self.get(model_id).evidence(field)
            self._line_cache[key] = (
                []
                if ev is None
                else [self._line_value(model_id, field, i, ln) for i, ln in enumerate(ev.lines)]
            )
        return self._line_cache[key]

    def pooled(self, model_id: str, field: str) -> pooling.Pooled | None:
        """How the current value of ``field`` was reached (current and superseded lines, widening)."""
        self._field_value(model_id, field)
        return self._pooled.get((model_id, field))

    def bound(self, model_id: str, field: str) -> bounds.Bound | None:
        """The physics bound of a compute quantity (None without published hardware time)."""
        ev = self.get(model_id).evidence(field)
        if ev is None or ev.unknown or field not in COMPUTE_FIELDS:
            return None
        rec = self.get(model_id)
        if (model_id, field) in self._bounds:
            return self._bounds[(model_id, field)]
        try:
            found = self._bounds[(model_id, field)] = bounds.of_quantity(ev)
            return found
        except FlopcastError as exc:
            msg = exc.message if isinstance(exc, DataError) else str(exc)
            raise DataError(
                msg, rec.path, rec.line_of(field, "hardware") or rec.line_of(field), field
            ) from None

    def pretraining_source(self, model_id: str) -> str | None:
        """The id whose own pre-training stands for this model's (itself or an ancestor)."""
        seen = set()
        rec: ModelRecord | None = self.get(model_id)
        while rec is not None and rec.id not in seen:
            seen.add(rec.id)
            if rec.pretraining is not None:
                return None if rec.pretraining.unknown else rec.id
            rec = self._by_id.get(rec.base_model) if rec.base_model else None
        return None

    # -- views (flopcast.evidence.views) ------------------------------------------------------
    def table(self, *, n: int = 20_000, seed: int = 0) -> list[dict[str, Any]]:
        """One plain dict per record (docs/dataset.md); medians and 90% intervals of FLOP.

        Computed once per (n, seed) for this loaded dataset (its records do not change after
        loading); each call gets its own copy, so a caller may change the rows it is given.
        """
        key = (n, seed)
        if key not in self._tables:
            self._tables[key] = views.table(self, n=n, seed=seed)
        return copy.deepcopy(self._tables[key])

    def benchmarks(
        self, benchmark: str | None = None, *, n: int = 20_000, seed: int = 0
    ) -> list[dict[str, Any]]:
        """Benchmark results (optionally one benchmark, case-insensitive) with the model's RL median."""
        return views.benchmarks(self, benchmark, n=n, seed=seed)

    def to_pandas(self, **kwargs: Any) -> Any:
        """The table as a pandas DataFrame (flattened columns); needs pandas installed."""
        return views.to_pandas(self, **kwargs)

    def derivation(self, model_id: str, *, n: int = 20_000, seed: int = 0) -> dict[str, Any]:
        """Everything behind a record's numbers: per field its lines, history, bound, spread."""
        return views.derivation(self, model_id, n=n, seed=seed)

    # -- evaluation ---------------------------------------------------------------------------
    def _field_value(self, model_id: str, field: str) -> Any:
        key = (model_id, field)
        if key in self._cache:
            return self._cache[key]
        if key in self._stack:
            cycle = self._stack[self._stack.index(key) :] + [key]
            rec = self.get(self._stack[0][0])
            raise DataError(
                "cycle of references: " + " -> ".join(f"{i}.{f}" for i, f in cycle),
                rec.path,
                rec.line_of(self._stack[0][1]),
                self._stack[0][1],
            )
        self._stack.append(key)
        try:
            value = self._compute(model_id, field)
        finally:
            self._stack.pop()
        self._cache[key] = value
        return value

    def _compute(self, model_id: str, field: str) -> Any:
        rec = self.get(model_id)
        if field == "total":
            return self._total(rec)
        ev = rec.evidence(field)
        if ev is None or ev.unknown:
            return None
        values = self.line_values(model_id, field)
        try:
            result = pooling.pool(
                values,
                ev.lines,
                method=ev.combine,
                name=f"{model_id}.{field}",
                bound=self.bound(model_id, field),
                pool_all=self.pool_all,
            )
        except DataError as exc:
            if exc.path:
                raise
            sub = exc.field or "combine"
            loc = tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", sub) if p)
            if loc and isinstance(loc[-1], int):  # a whole line: point at what it states
                loc = (*loc, "recipe" if ev.lines[loc[-1]].recipe else "estimate")
            line = rec.line_of(field, *loc) or rec.line_of(field)
            raise DataError(exc.message, rec.path, line, f"{field}.{sub}") from None
        self._pooled[(model_id, field)] = result
        return result.value

    def _total(self, rec: ModelRecord) -> Any:
        pre_id = self.pretraining_source(rec.id)
        if pre_id is None:
            return None
        total = self._field_value(pre_id, "pretraining")
        for f in ("post_training", "rl"):
            ev = getattr(rec, f)
            if ev is None:
                continue  # not applicable to this model
            if ev.unknown:
                if f == "rl":
                    return None  # the stage that matters here is unknown: so is the total
                continue  # NB: an unknown SFT stage is left out (small next to pre-training)
            total = total + self._field_value(rec.id, f)
        return total.with_unit("FLOP").with_meta(method="sum of stages")

    def _line_value(self, model_id: str, field: str, index: int, line: Line) -> Any:
        rec = self.get(model_id)
        key = "recipe" if line.recipe is not None else "estimate" if line.estimate else "method"
        where = (rec.path, rec.line_of(field, "lines", index, key), f"{field}.lines[{index}]")
        try:
            if line.recipe is not None:
                value = counts.recipe_total(line.recipe)
            else:
                value = evaluate(line.expression(), resolve=self._resolver(model_id))
        except DataError as exc:
            if exc.path:
                raise
            raise DataError(exc.message, *where) from None
        except FlopcastError as exc:
            msg = exc.message if isinstance(exc, ExpressionError) else str(exc)
            raise DataError(f"{msg} (in {line.expression()!r})", *where) from None
        if field in COMPUTE_FIELDS:
            median = value.median()
            if not (math.isfinite(median) and median > 0):
                raise DataError(
                    f"compute must be a positive number of FLOP, got {median:.3g} "
                    f"(in {line.expression()!r})",
                    *where,
                )
        if value.is_point and field in COMPUTE_FIELDS:
            # NB: a bare stated figure carries no interval; its confidence label supplies one
            # (data/models/_confidence.yaml, flopcast.evidence.labels), so lines can be pooled.
            factor, why = labels.spreads()[line.confidence]
            value = value * ci(
                1 / factor,
                factor,
                name=f"{model_id}.{field}: {line.confidence} spread",
                description=why,
            )
        unit = "FLOP" if field in COMPUTE_FIELDS else None
        meta: dict[str, Any] = {"assumptions": [*value.assumptions, *line.assumptions]}
        if value.method is None:
            meta["method"] = "stated" if _is_number(line.expression()) else "expression"
        return value.with_unit(unit).with_meta(**meta)

    def _resolver(self, model_id: str) -> Callable[[str], Any]:
        def resolve(ref: str) -> Any:
            ref = ref.lstrip("@")
            target, _, field = ref.rpartition(".")
            if not target or field not in (*QUANTITY_FIELDS, *COUNT_FIELDS):
                raise DataError(
                    f"bad reference '@{ref}'; write @model-id.field with field one of "
                    f"{', '.join((*QUANTITY_FIELDS, *COUNT_FIELDS))}"
                )
            if target not in self._by_id:
                close = difflib.get_close_matches(target, self._by_id, n=3, cutoff=0.5)
                raise UnknownNameError("model", target, close)
            value = self._field_value(target, field)
            if value is None:
                raise DataError(f"'@{ref}' is unknown in the data, so it cannot be used here")
            return value

        return resolve


# ---- loading ----------------------------------------------------------------------------------


def _layers(extra_dirs: Sequence[str | os.PathLike] | None) -> list[list[Path]]:
    layers = [[SHIPPED_DIR]]
    env = os.environ.get(ENV_VAR, "")
    layers += [[Path(p)] for p in env.split(os.pathsep) if p.strip()]
    layers += [[Path(p)] for p in (extra_dirs or [])]
    return layers


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(
            p
            for p in path.iterdir()
            if p.suffix in (".yaml", ".yml") and not p.name.startswith("_")
        )
    if path.is_file():
        return [path]
    raise DataError(
        "no such file or directory; give a folder of *.yaml records or a .yaml file", str(path)
    )


def _build(layers: list[list[Path]], *, pool_all: bool = False) -> tuple[Dataset, list[DataError]]:
    problems: list[DataError] = []
    records: dict[str, ModelRecord] = {}
    texts: list[bytes] = []
    for layer in layers:
        seen: dict[str, str] = {}
        for root in layer:
            try:
                files = _files(root)
            except DataError as exc:
                problems.append(exc)
                continue
            for path in files:
                raw = path.read_bytes()
                texts.append(raw)
                try:
                    rec = parse_record(raw, str(path))
                except Problems as exc:
                    problems.extend(exc.errors)
                    continue
                if rec.id in seen:
                    problems.append(
                        DataError(
                            f"id {rec.id!r} is also defined in {seen[rec.id]}; "
                            "each id once per folder",
                            str(path),
                            rec.line_of("id"),
                            "id",
                        )
                    )
                    continue
                seen[rec.id] = str(path)
                records[rec.id] = rec
    digest = hashlib.sha256(b"\0".join(texts)).hexdigest()[:8]
    ds = Dataset(list(records.values()), digest=digest, pool_all=pool_all)
    problems.extend(checks.relations(ds))
    return ds, problems


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
