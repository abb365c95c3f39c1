"""The record schema: what one ``data/models/*.yaml`` file may say, as pydantic models.

A :class:`ModelRecord` names a model and holds its quantities (``pretraining``,
``post_training``, ``rl``, parameter counts); each quantity is an :class:`Evidence` of one or
more :class:`Line` s. A line is an expression (``hardware(...)``, ``6.1e23``, ``@o1.rl * 10``),
a method with inputs, or a shipped RL recipe (``recipe: deepseek-r1-zero``: flopcast's own
operation count). Every line carries a confidence label, a date, a kind (the lab's own
disclosure, an outside estimate, flopcast's count) and sources. The format is documented in
``data/models/README.md``; this module only validates it. :func:`parse_record` reads one file
through :mod:`flopcast.core.yamlio`, so every problem names its file and line.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from flopcast.core import yamlio
from flopcast.core.errors import DataError, FlopcastError, UnknownNameError

SHIPPED_DIR = Path(__file__).resolve().parents[1] / "data" / "models"
COMPUTE_FIELDS = ("pretraining", "post_training", "rl")
QUANTITY_FIELDS = (*COMPUTE_FIELDS, "total")
COUNT_FIELDS = ("parameters_total", "parameters_active")
CONFIDENCE_ORDER = ("Confident", "Likely", "Speculative")
Confidence = Literal["Confident", "Likely", "Speculative"]
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_REF_RE = re.compile(r"@([a-z0-9][a-z0-9-]*)\.([a-z_]+)")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _as_text(v: Any) -> Any:
    """YAML reads ``6.1e23`` as a float and ``142336`` as an int; keep both as expression text."""
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    return v


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
    """One line of evidence: an expression, a method with inputs, or a recipe count."""

    estimate: str | None = None
    method: str | None = None
    inputs: dict[str, str] | None = None
    recipe: list[str] | None = Field(
        default=None,
        description="shipped RL recipe name(s) (data/recipes/); several are summed: one run "
        "made of several recipes",
    )
    label: str | None = None
    confidence: Confidence
    source_confidence: str | None = Field(
        default=None,
        description="the label the source itself gave (e.g. Epoch AI's Confidence column), "
        "kept as written; flopcast's own label is `confidence`",
    )
    date: dt.date | None = Field(default=None, description="when this evidence was published")
    kind: Literal["disclosure", "outside", "count"] | None = Field(
        default=None,
        description="who says it: the lab's own disclosure, an outside estimate, or flopcast's "
        "own operation count from a recipe",
    )
    supersedes: list[str] = Field(
        default_factory=list,
        description="labels of other lines of this quantity that this line replaces",
    )
    sources: list[Source] = Field(min_length=1)
    reasoning: str | None = None
    assumptions: list[str] = Field(default_factory=list)
    notes: str | None = None

    @field_validator("estimate", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return _as_text(v)

    @field_validator("inputs", mode="before")
    @classmethod
    def _input_text(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: str(_as_text(x)) for k, x in v.items()}
        return v

    @field_validator("recipe", mode="before")
    @classmethod
    def _recipe_list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _check(self) -> Line:
        given = [k for k in ("estimate", "method", "recipe") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'estimate' (an expression), 'method' with 'inputs', "
                "or 'recipe' (a shipped RL recipe name)"
            )
        if self.method is not None and not self.inputs:
            raise ValueError(f"method {self.method!r} needs 'inputs'")
        if self.recipe is not None:
            if not self.recipe:
                raise ValueError("'recipe' needs at least one recipe name")
            if self.kind not in (None, "count"):
                raise ValueError(
                    f"a recipe line is flopcast's own count: kind 'count', not {self.kind!r}"
                )
            self.kind = "count"
        if self.confidence == "Speculative" and not (self.reasoning or "").strip():
            raise ValueError("a Speculative line must carry its 'reasoning'")
        return self

    def expression(self) -> str:
        """The line as one expression text (``recipe(a) + recipe(b)`` for a recipe count)."""
        if self.recipe is not None:
            return " + ".join(f"recipe({r})" for r in self.recipe)
        if self.estimate is not None:
            return self.estimate
        args = ", ".join(f"{k}={v}" for k, v in (self.inputs or {}).items())
        return f"{self.method}({args})"

    def references(self) -> list[tuple[str, str]]:
        if self.recipe is not None:
            return []
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
        return _as_text(v)


class Evidence(_Strict):
    """What is known about one quantity: its lines of evidence, or that it is unknown.

    ``combine``: ``precision`` (default) pools the *current* lines (a lab disclosure
    supersedes older outside estimates, see docs/pooling.md) by precision weighting, widened
    when they disagree; ``pool`` pools every line, superseded ones included; ``geometric``
    gives the current lines equal weight; ``latest`` takes the most recently dated line.
    """

    lines: list[Line] = Field(default_factory=list)
    hardware: HardwareTime | None = Field(
        default=None, description="published chip-hours of this stage (bounds every line's FLOP)"
    )
    combine: Literal["precision", "pool", "geometric", "latest"] = "precision"
    unknown: bool = False
    notes: str | None = None
    sources: list[Source] = Field(default_factory=list)
    _owner: tuple[Any, str] | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip().lower() == "unknown":
            return {"unknown": True}
        if isinstance(v, dict) and ("estimate" in v or "method" in v or "recipe" in v):
            line = {k: x for k, x in v.items() if k != "hardware"}
            return {"lines": [line], **({"hardware": v["hardware"]} if "hardware" in v else {})}
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
        return ds.quantity(*key.split(":"))


class Benchmark(_Strict):
    """One benchmark result as reported by its source."""

    benchmark: str
    value: float
    unit: str = "%"
    setting: str | None = Field(default=None, description="e.g. pass@1, cons@64")
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
        """The YAML line of a field path (nearest enclosing key when the exact one is absent).

        NB: the exact key is looked for first in both spellings of a quantity (``rl.lines[0]``
        and the one-line shorthand ``rl``), so a shorthand line's ``estimate`` is found.
        """
        return _line_for(self._lines, loc)

    def evidence(self, field: str) -> Evidence | None:
        if field not in (*COMPUTE_FIELDS, *COUNT_FIELDS):
            raise UnknownNameError(
                "field",
                field,
                [f for f in (*QUANTITY_FIELDS, *COUNT_FIELDS) if f.startswith(field[:2])],
            )
        return getattr(self, field)

    def located(self, rec_path: str, lines: dict[tuple, int]) -> ModelRecord:
        """Attach the file and the line of every key (set by :func:`parse_record`)."""
        self._path = rec_path
        self._lines = lines
        return self


class Problems(Exception):
    """Every schema problem of one file, each a DataError with its line."""

    def __init__(self, errors: list[DataError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def parse_record(raw: bytes | str, path: str = "<string>") -> ModelRecord:
    """One YAML record -> ModelRecord; raises :class:`Problems` listing every problem with its line."""
    try:
        data, lines = yamlio.load(raw, path)
    except DataError as exc:
        raise Problems([DataError(exc.message, path, exc.line)]) from None
    if not isinstance(data, dict):
        raise Problems(
            [DataError("a record must be a YAML mapping of fields (id, name, ...)", path, 1)]
        )
    return validate_record(data, path, lines)


def validate_record(
    data: dict[str, Any], path: str = "<built>", lines: dict[tuple, int] | None = None
) -> ModelRecord:
    """A mapping (read from YAML or built in code) -> ModelRecord, or :class:`Problems`."""
    lines = lines or {}
    try:
        rec = ModelRecord.model_validate(data)
    except ValidationError as exc:
        errs = []
        for e in exc.errors():
            loc = tuple(e["loc"])
            msg = yamlio.message(e)
            if e["type"] == "extra_forbidden":
                msg = "unknown field; see data/models/README.md for the allowed fields"
            elif e["type"] == "too_short" and loc and loc[-1] == "sources":
                msg = "no source; every number needs at least one source with a URL"
            errs.append(DataError(msg, path, _line_for(lines, loc), yamlio.field_path(loc)))
        raise Problems(errs) from None
    return rec.located(path, lines)


def _line_for(lines: dict[tuple, int], loc: tuple) -> int | None:
    """:func:`yamlio.line_for`, but the exact key first in both spellings of a quantity."""
    if "lines" in loc:
        i = loc.index("lines")
        for cand in (loc, loc[:i] + loc[i + 2 :]):
            if cand in lines:
                return lines[cand]
    return yamlio.line_for(lines, loc)
