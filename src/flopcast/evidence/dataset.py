"""Model records: what is publicly known about each model's compute, with every number sourced.

A record (one YAML file in ``data/models/``, format in that folder's README) names a model and
holds its quantities: ``pretraining``, ``post_training`` (SFT, distillation) and ``rl`` (the
reasoning-training stage), plus parameter counts and benchmark results. Each quantity is an
:class:`Evidence`: one or more *lines* of evidence, each an expression in flopcast's expression
language (``hardware(chip=H800, chip_hours=142k, utilization=0.2 to 0.4, stage=rl)``,
``operations(N=37B, D=14.8T)``, ``@o1.rl * 10``) with a confidence label, a date and sources.
Several lines are pooled with :func:`flopcast.core.uncertain.combine`, whose ``disagreement`` says
whether they agree.

Relations: ``@id.field`` refers to another record's quantity; ``base_model`` names the model a
record was trained from. The derived field ``total`` is the pre-training compute (the base
model's when the record has none of its own) plus ``post_training`` plus ``rl``. Unknown ids and
cycles are :class:`~flopcast.core.errors.DataError` naming the file and line.

Layering: the shipped records, then each directory in ``$FLOPCAST_DATA`` (``os.pathsep``
separated), then ``extra_dirs``; a later record with the same id replaces the earlier one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import math
import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from flopcast.core.errors import DataError, ExpressionError, FlopcastError, UnknownNameError
from flopcast.estimate.functions import evaluate

SHIPPED_DIR = Path(__file__).resolve().parents[1] / "data" / "models"
ENV_VAR = "FLOPCAST_DATA"
COMPUTE_FIELDS = ("pretraining", "post_training", "rl")
QUANTITY_FIELDS = (*COMPUTE_FIELDS, "total")
COUNT_FIELDS = ("parameters_total", "parameters_active")
CONFIDENCE_ORDER = ("Confident", "Likely", "Speculative")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_REF_RE = re.compile(r"@([a-z0-9][a-z0-9-]*)\.([a-z_]+)")


# ---- schema ---------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Strict):
    """Where a number comes from: the page, what it states, and when we read it."""

    url: str
    title: str
    states: str = Field(description="what the source says, in its own terms")
    accessed: dt.date
    published: dt.date | None = None

    @field_validator("url")
    @classmethod
    def _is_url(cls, v: str) -> str:
        if not re.match(r"^https?://[^\s/]+\.[^\s]+$", v):
            raise ValueError(f"{v!r} is not an http(s) URL")
        return v


class Line(_Strict):
    """One line of evidence: an expression (or a method with inputs) and its provenance."""

    estimate: str | None = None
    method: str | None = None
    inputs: dict[str, str] | None = None
    label: str | None = None
    confidence: Literal["Confident", "Likely", "Speculative"]
    date: dt.date | None = Field(None, description="when this evidence was published")
    kind: Literal["disclosure", "outside", "count"] | None = Field(
        None,
        description="who says it: the lab's own disclosure, an outside estimate, or flopcast's "
        "own operation count from a recipe",
    )
    sources: list[Source] = Field(min_length=1)
    reasoning: str | None = None
    assumptions: list[str] = Field(default_factory=list)
    notes: str | None = None

    @field_validator("estimate", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return (
            repr(v)
            if isinstance(v, float)
            else str(v)
            if isinstance(v, int) and not isinstance(v, bool)
            else v
        )

    @field_validator("inputs", mode="before")
    @classmethod
    def _input_text(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: (repr(x) if isinstance(x, float) else str(x)) for k, x in v.items()}
        return v

    @model_validator(mode="after")
    def _check(self) -> Line:
        if (self.estimate is None) == (self.method is None):
            raise ValueError(
                "give exactly one of 'estimate' (an expression) or 'method' with 'inputs'"
            )
        if self.method is not None and not self.inputs:
            raise ValueError(f"method {self.method!r} needs 'inputs'")
        if self.confidence == "Speculative" and not (self.reasoning or "").strip():
            raise ValueError("a Speculative line must carry its 'reasoning'")
        return self

    def expression(self) -> str:
        """The line as one expression (``method(k=v, ...)`` for the method form)."""
        if self.estimate is not None:
            return self.estimate
        args = ", ".join(f"{k}={v}" for k, v in (self.inputs or {}).items())
        return f"{self.method}({args})"

    def references(self) -> list[tuple[str, str]]:
        return [(m.group(1), m.group(2)) for m in _REF_RE.finditer(self.expression())]


class HardwareTime(_Strict):
    """Published hardware time of one stage: the physics bound on its FLOP."""

    chip: str
    chip_hours: str
    precision: str = "bf16"
    sources: list[Source] = Field(min_length=1)
    notes: str | None = None

    @field_validator("chip_hours", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return repr(v) if isinstance(v, float) else str(v) if isinstance(v, int) else v


class Evidence(_Strict):
    """What is known about one quantity: its lines of evidence, or that it is unknown."""

    lines: list[Line] = Field(default_factory=list)
    hardware: HardwareTime | None = Field(
        None, description="published chip-hours of this stage (bounds every line's FLOP)"
    )
    combine: Literal["precision", "geometric", "latest"] = "precision"
    unknown: bool = False
    notes: str | None = None
    sources: list[Source] = Field(default_factory=list)
    _owner: tuple[Any, str] | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip().lower() == "unknown":
            return {"unknown": True}
        if isinstance(v, dict) and ("estimate" in v or "method" in v):
            return {"lines": [v]}
        return v

    @model_validator(mode="after")
    def _check(self) -> Evidence:
        if self.unknown and self.lines:
            raise ValueError("a quantity marked unknown cannot also have lines of evidence")
        if not self.unknown and not self.lines:
            raise ValueError("give at least one line of evidence, or write 'unknown'")
        return self

    @property
    def confidence(self) -> str | None:
        """The weakest label among the lines (None when unknown)."""
        if not self.lines:
            return None
        return max((ln.confidence for ln in self.lines), key=CONFIDENCE_ORDER.index)

    def value(self) -> Any:
        """The pooled value as an Uncertain (relations resolved); None when unknown."""
        if self._owner is None:
            raise FlopcastError(
                "this Evidence is not part of a loaded Dataset; use flopcast.evidence.dataset.load()"
            )
        ds, key = self._owner
        return ds._field_value(*key.split(":"))


class Benchmark(_Strict):
    """One benchmark result as reported by its source."""

    benchmark: str
    value: float
    unit: str = "%"
    setting: str | None = Field(None, description="e.g. pass@1, cons@64")
    date: dt.date | None = None
    sources: list[Source] = Field(min_length=1)
    notes: str | None = None


class ModelRecord(_Strict):
    """One model and what is known about its compute."""

    id: str
    name: str
    developer: str
    release_date: dt.date
    reasoning: bool = False
    base_model: str | None = None
    parameters_total: Evidence | None = None
    parameters_active: Evidence | None = None
    pretraining: Evidence | None = None
    post_training: Evidence | None = None
    rl: Evidence | None = None
    benchmarks: list[Benchmark] = Field(default_factory=list)
    notes: str | None = None
    _path: str = PrivateAttr(default="")
    _lines: dict[tuple, int] = PrivateAttr(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID_RE.match(v):
            raise ValueError(f"{v!r} is not a valid id; use lower-case letters, digits and '-'")
        return v

    @property
    def path(self) -> str:
        return self._path

    def line_of(self, *loc: Any) -> int | None:
        """The YAML line of a field path (nearest enclosing key when the exact one is absent)."""
        return _line_for(self._lines, loc)

    def evidence(self, field: str) -> Evidence | None:
        if field not in (*COMPUTE_FIELDS, *COUNT_FIELDS):
            raise UnknownNameError(
                "field",
                field,
                [f for f in (*QUANTITY_FIELDS, *COUNT_FIELDS) if f.startswith(field[:2])],
            )
        return getattr(self, field)


# ---- loading ----------------------------------------------------------------------------------


def load(extra_dirs: Sequence[str | os.PathLike] | None = None) -> Dataset:
    """Shipped records, then ``$FLOPCAST_DATA`` dirs, then ``extra_dirs``; later ids override.

    Raises the first problem as a DataError (``flopcast data validate`` lists them all).
    """
    ds, problems = _build(_layers(extra_dirs))
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

    Beyond the schema this evaluates every line of evidence, so unknown chips, ``lo > hi``,
    unknown references and cycles are found too.
    """
    layers = _layers(None) if paths is None else [[SHIPPED_DIR], *[[Path(p)] for p in paths]]
    ds, problems = _build(layers)
    problems.extend(ds._evaluate_all())
    return problems


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


def _build(layers: list[list[Path]]) -> tuple[Dataset, list[DataError]]:
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
                except _Problems as exc:
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
    ds = Dataset(list(records.values()), digest=hashlib.sha256(b"\0".join(texts)).hexdigest()[:8])
    problems.extend(ds._check_relations())
    return ds, problems


class _Problems(Exception):
    def __init__(self, errors: list[DataError]):
        self.errors = errors


def parse_record(raw: bytes | str, path: str = "<string>") -> ModelRecord:
    """One YAML record -> ModelRecord; raises _Problems listing every schema problem with its line."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise _Problems([DataError(f"not UTF-8 text (byte {exc.start})", path)]) from None
    try:
        data, lines = _compose(text)
    except DataError as exc:
        raise _Problems([DataError(exc.message, path, exc.line)]) from None
    if not isinstance(data, dict):
        raise _Problems(
            [DataError("a record must be a YAML mapping of fields (id, name, ...)", path, 1)]
        )
    try:
        rec = ModelRecord.model_validate(data)
    except ValidationError as exc:
        errs = []
        for e in exc.errors():
            loc = tuple(e["loc"])
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] == "missing":
                msg = "required field is missing"
            elif e["type"] == "extra_forbidden":
                msg = "unknown field; see data/models/README.md for the allowed fields"
            elif e["type"] in ("date_from_datetime_parsing", "date_parsing", "date_type"):
                msg = f"bad date {e.get('input')!r}; write YYYY-MM-DD"
            elif e["type"] == "too_short" and loc and loc[-1] == "sources":
                msg = "no source; every number needs at least one source with a URL"
            errs.append(DataError(msg, path, _line_for(lines, loc), _field_path(loc)))
        raise _Problems(errs) from None
    rec._path = path
    rec._lines = lines
    return rec


def _compose(text: str) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML keeping the line of every key (yaml.compose nodes carry start marks)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(
            f"not valid YAML: {problem}", None, mark.line + 1 if mark else None
        ) from None
    if node is None:
        raise DataError("empty file", None, 1)
    lines: dict[tuple, int] = {}
    constructor = yaml.constructor.SafeConstructor()

    def walk(n: yaml.Node, key: tuple) -> Any:
        lines.setdefault(key, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for k_node, v_node in n.value:
                k = walk(k_node, ("<key>",))
                if k in out:
                    raise DataError(f"key {k!r} appears twice", None, k_node.start_mark.line + 1)
                lines[(*key, k)] = k_node.start_mark.line + 1
                out[k] = walk(v_node, (*key, k))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [walk(v, (*key, i)) for i, v in enumerate(n.value)]
        try:
            return constructor.construct_object(n, deep=True)
        except (ValueError, yaml.YAMLError):
            return n.value  # e.g. an impossible date: keep the text, the schema reports it

    return walk(node, ()), lines


def _line_for(lines: dict[tuple, int], loc: Iterable[Any]) -> int | None:
    """Line of a pydantic location; skips the ('lines', 0) that the one-line shorthand adds."""
    loc = tuple(loc)
    cands = [loc]
    if "lines" in loc:
        i = loc.index("lines")
        cands.append(loc[:i] + loc[i + 2 :])
    for cand in cands:
        for n in range(len(cand), 0, -1):
            if cand[:n] in lines:
                return lines[cand[:n]]
    return lines.get(())


def _field_path(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# ---- the dataset ------------------------------------------------------------------------------


class Dataset:
    """Loaded records with their relations resolved on demand (values are cached)."""

    def __init__(self, records: list[ModelRecord], digest: str = ""):
        self.records = sorted(records, key=lambda r: (r.release_date, r.id))
        self._by_id = {r.id: r for r in self.records}
        self._cache: dict[tuple[str, str], Any] = {}
        self._line_cache: dict[tuple[str, str], list[Any]] = {}
        self._stack: list[tuple[str, str]] = []
        self._spreads: dict[str, Any] | None = None
        accessed = [s.accessed for r in self.records for s in _all_sources(r)]
        day = max(accessed).strftime("%Y.%m.%d") if accessed else "0000.00.00"
        self.version = f"{day}+{digest}" if digest else day
        for rec in self.records:
            for f in (*COMPUTE_FIELDS, *COUNT_FIELDS):
                ev = getattr(rec, f)
                if ev is not None:
                    ev._owner = (self, f"{rec.id}:{f}")

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self):
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

    # -- tables -------------------------------------------------------------------------------
    def table(self, *, n: int = 20_000, seed: int = 0) -> list[dict[str, Any]]:
        """One plain dict per record (see CONTRACTS.md); medians and 90% intervals of FLOP."""
        rows = []
        for rec in self.records:
            pre_id = self.pretraining_source(rec.id)
            pre = self._field_value(pre_id, "pretraining") if pre_id else None
            rl = self._field_value(rec.id, "rl")
            total = self._field_value(rec.id, "total")
            share = rl / total if rl is not None and total is not None else None
            conf_ev = (
                rec.rl
                if rec.rl is not None and not rec.rl.unknown
                else (self.get(pre_id).pretraining if pre_id else rec.pretraining)
            )
            rows.append(
                {
                    "id": rec.id,
                    "name": rec.name,
                    "developer": rec.developer,
                    "release_date": rec.release_date.isoformat(),
                    "reasoning": rec.reasoning,
                    "base_model": rec.base_model,
                    "pretraining": _stats(pre, n, seed),
                    "pretraining_from": pre_id,
                    "rl": _stats(rl, n, seed),
                    "rl_status": _status(rec.rl),
                    "rl_share": _stats(share, n, seed),
                    "total": _stats(total, n, seed),
                    "confidence": conf_ev.confidence if conf_ev is not None else None,
                }
            )
        return rows

    def benchmarks(
        self, benchmark: str | None = None, *, n: int = 20_000, seed: int = 0
    ) -> list[dict[str, Any]]:
        """Benchmark results (optionally one benchmark, case-insensitive) with the model's RL median."""
        out = []
        for rec in self.records:
            for b in rec.benchmarks:
                if benchmark is not None and b.benchmark.lower() != benchmark.lower():
                    continue
                rl = self._field_value(rec.id, "rl")
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

    def to_pandas(self, **kwargs: Any) -> Any:
        """The table as a pandas DataFrame (flattened columns); needs pandas installed."""
        try:
            import pandas as pd  # noqa: PLC0415 - optional, only on request
        except ImportError:
            raise FlopcastError(
                "to_pandas() needs pandas; install it or use Dataset.table()"
            ) from None
        flat = []
        for row in self.table(**kwargs):
            item = {k: v for k, v in row.items() if not isinstance(v, dict)}
            for k in ("pretraining", "rl", "rl_share", "total"):
                for s in ("median", "p5", "p95"):
                    item[f"{k}_{s}"] = row[k][s] if row[k] else None
            flat.append(item)
        return pd.DataFrame(flat)

    def derivation(self, model_id: str, *, n: int = 20_000, seed: int = 0) -> dict[str, Any]:
        """Everything behind a record's numbers: per field its lines, inputs, sources, spread."""
        rec = self.get(model_id)
        fields: dict[str, Any] = {}
        for f in (*COMPUTE_FIELDS, "total", *COUNT_FIELDS):
            ev = rec.evidence(f) if f != "total" else None
            value = self._field_value(rec.id, f)
            entry: dict[str, Any] = {
                "status": _status(ev)
                if f != "total"
                else ("derived" if value is not None else "unknown")
            }
            if value is not None:
                entry["value"] = value.summary(n=n, seed=seed)
                entry["text"] = str(value)
            if ev is not None:
                entry["notes"] = ev.notes
                entry["combine"] = ev.combine if len(ev.lines) > 1 else None
                entry["sources"] = [s.model_dump(mode="json") for s in ev.sources]
                entry["lines"] = []
                for ln, lv in zip(ev.lines, self.line_values(rec.id, f), strict=True):
                    entry["lines"].append(
                        {
                            "label": ln.label,
                            "expression": ln.expression(),
                            "confidence": ln.confidence,
                            "date": ln.date.isoformat() if ln.date else None,
                            "method": lv.method,
                            "assumptions": lv.assumptions,
                            "reasoning": ln.reasoning,
                            "notes": ln.notes,
                            "value": lv.summary(n=n, seed=seed),
                            "text": str(lv),
                            "sources": [s.model_dump(mode="json") for s in ln.sources],
                        }
                    )
            if f == "total" and value is not None:
                pre_id = self.pretraining_source(rec.id)
                entry["formula"] = (
                    f"pretraining of {pre_id}"
                    + "".join(f" + {g}" for g in ("post_training", "rl") if _known(getattr(rec, g)))
                    + (
                        " (post_training unknown, not counted)"
                        if _status(rec.post_training) == "unknown"
                        else ""
                    )
                )
            if ev is None and f != "total":
                continue
            fields[f] = entry
        return {
            "id": rec.id,
            "name": rec.name,
            "developer": rec.developer,
            "release_date": rec.release_date.isoformat(),
            "reasoning": rec.reasoning,
            "base_model": rec.base_model,
            "notes": rec.notes,
            "path": rec.path,
            "fields": fields,
            "benchmarks": [b.model_dump(mode="json") for b in rec.benchmarks],
            "data_version": self.version,
        }

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
        from flopcast.core.uncertain import combine  # noqa: PLC0415 - keeps load() light

        rec = self.get(model_id)
        if field == "total":
            return self._total(rec)
        ev = rec.evidence(field)
        if ev is None or ev.unknown:
            return None
        values = self.line_values(model_id, field)
        if len(values) == 1:
            return values[0]
        if ev.combine == "latest":
            dated = [(ln.date or dt.date.min, i) for i, ln in enumerate(ev.lines)]
            return values[max(dated)[1]]
        out = combine(values, method=ev.combine, name=f"{model_id}.{field}")
        return out.with_unit(values[0].unit)

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
        from flopcast.core.uncertain import ci  # noqa: PLC0415

        rec = self.get(model_id)
        where = (
            rec.path,
            rec.line_of(field, "lines", index, "estimate")
            or rec.line_of(field, "lines", index, "method"),
            f"{field}.lines[{index}]",
        )
        try:
            value = evaluate(line.expression(), resolve=self._resolver(model_id))
        except DataError:
            raise
        except FlopcastError as exc:
            msg = exc.message if isinstance(exc, ExpressionError) else str(exc)
            raise DataError(f"{msg} (in {line.expression()!r})", *where) from None
        if value.is_point and field in COMPUTE_FIELDS:
            # NB: a bare stated figure carries no interval; its confidence label supplies one
            # (flopcast's convention, data/models/_confidence.yaml), so lines can be pooled.
            factor, why = self._spread(line.confidence)
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

    def _spread(self, confidence: str) -> tuple[float, str]:
        if self._spreads is None:
            raw = yaml.safe_load((SHIPPED_DIR / "_confidence.yaml").read_text(encoding="utf-8"))
            self._spreads = raw["spread"]
        entry = self._spreads[confidence]
        return float(entry["factor"]), str(entry["why"]).strip()

    # -- checks -------------------------------------------------------------------------------
    def _check_relations(self) -> list[DataError]:
        """Unknown base models, unknown ids in references, and cycles (base models or references)."""
        problems: list[DataError] = []
        for rec in self.records:
            if rec.base_model is not None and rec.base_model not in self._by_id:
                close = difflib.get_close_matches(rec.base_model, self._by_id, n=3, cutoff=0.5)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                problems.append(
                    DataError(
                        f"unknown base model {rec.base_model!r}{hint}",
                        rec.path,
                        rec.line_of("base_model"),
                        "base_model",
                    )
                )
            for f in (*COMPUTE_FIELDS, *COUNT_FIELDS):
                ev = getattr(rec, f)
                for i, ln in enumerate(ev.lines if ev else []):
                    for target, tf in ln.references():
                        if target not in self._by_id:
                            close = difflib.get_close_matches(target, self._by_id, n=3, cutoff=0.5)
                            hint = (
                                f"; did you mean {', '.join(repr(c) for c in close)}?"
                                if close
                                else ""
                            )
                            problems.append(
                                DataError(
                                    f"reference '@{target}.{tf}' names unknown model {target!r}{hint}",
                                    rec.path,
                                    rec.line_of(f, "lines", i, "estimate"),
                                    f"{f}.lines[{i}]",
                                )
                            )
        problems.extend(self._find_cycles())
        return problems

    def _find_cycles(self) -> list[DataError]:
        graph: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for rec in self.records:
            if rec.base_model in self._by_id:
                graph.setdefault((rec.id, "base_model"), []).append((rec.base_model, "base_model"))
            for f in (*COMPUTE_FIELDS, *COUNT_FIELDS):
                ev = getattr(rec, f)
                for ln in ev.lines if ev else []:
                    for target, tf in ln.references():
                        if target not in self._by_id:
                            continue
                        if tf == "total":
                            deps = [(target, g) for g in COMPUTE_FIELDS] + [(target, "base_model")]
                        else:
                            deps = [(target, tf)]
                        graph.setdefault((rec.id, f), []).extend(deps)
        problems, done, reported = [], set(), set()
        self._cyclic_ids: set[str] = set()

        def visit(node: tuple[str, str], path: list[tuple[str, str]]) -> None:
            if node in path:
                cycle = path[path.index(node) :]
                ids = frozenset(cycle)
                self._cyclic_ids.update(i for i, _ in cycle)
                if ids not in reported:
                    reported.add(ids)
                    rec = self._by_id[cycle[0][0]]
                    text = " -> ".join(f"{i}.{f}" for i, f in [*cycle, node])
                    problems.append(
                        DataError(f"cycle: {text}", rec.path, rec.line_of(cycle[0][1]), cycle[0][1])
                    )
                return
            if node in done:
                return
            for nxt in graph.get(node, []):
                visit(nxt, [*path, node])
            done.add(node)

        for node in list(graph):
            visit(node, [])
        return problems

    def _evaluate_all(self) -> list[DataError]:
        problems: list[DataError] = []
        self._find_cycles()
        for rec in self.records:
            if rec.id in self._cyclic_ids:
                continue  # already reported; evaluating would only repeat it
            for f in (*COMPUTE_FIELDS, *COUNT_FIELDS):
                ev = getattr(rec, f)
                for i, ln in enumerate(ev.lines if ev else []):
                    try:
                        self._line_value(rec.id, f, i, ln)
                    except DataError as exc:
                        line = exc.line or rec.line_of(f, "lines", i, "estimate") or rec.line_of(f)
                        problems.append(
                            DataError(
                                exc.message,
                                exc.path or rec.path,
                                line,
                                exc.field or f"{f}.lines[{i}]",
                            )
                        )
                    except FlopcastError as exc:
                        problems.append(
                            DataError(
                                str(exc),
                                rec.path,
                                rec.line_of(f, "lines", i, "estimate"),
                                f"{f}.lines[{i}]",
                            )
                        )
                if ev is not None and len(ev.lines) > 1:
                    try:
                        self._field_value(rec.id, f)
                    except FlopcastError as exc:
                        problems.append(
                            DataError(
                                str(exc),
                                rec.path,
                                rec.line_of(f, "combine") or rec.line_of(f),
                                f"{f}.combine",
                            )
                        )
        return problems


# ---- helpers ----------------------------------------------------------------------------------


def _all_sources(rec: ModelRecord) -> Iterable[Source]:
    for f in (*COMPUTE_FIELDS, *COUNT_FIELDS):
        ev = getattr(rec, f)
        if ev is None:
            continue
        yield from ev.sources
        for ln in ev.lines:
            yield from ln.sources
    for b in rec.benchmarks:
        yield from b.sources


def _known(ev: Evidence | None) -> bool:
    return ev is not None and not ev.unknown


def _status(ev: Evidence | None) -> str:
    if ev is None:
        return "none"
    return "unknown" if ev.unknown else "estimated"


def _stats(u: Any, n: int, seed: int) -> dict[str, float] | None:
    if u is None:
        return None
    p5, med, p95 = u.percentile([5, 50, 95], n=n, seed=seed)
    return {"median": float(med), "p5": float(p5), "p95": float(p95)}


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
