"""The scenario parameters: what each key means, its unit and bounds, its default and source.

The specs are data, next to their defaults, in ``data/scenarios/_defaults.yaml`` (format in
that folder's README): each key has a ``kind`` (``quantity``, ``date`` or ``choice``), a
``unit``, a ``description``, bounds on every draw (``low``/``high``, strict with
``low_open``/``high_open``, and ``why`` for the error message), the cap kinds it belongs to
(``cap_kinds``; empty = every kind) and the choices it needs (``when``) and its default ``value`` with a ``source``. The file is
read with :mod:`flopcast.core.yamlio` and validated by the pydantic models below, once per
process.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from flopcast.core import yamlio
from flopcast.core.errors import DataError, ScenarioError

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "data" / "scenarios"
DEFAULTS_FILE = SCENARIO_DIR / "_defaults.yaml"

__all__ = [
    "DEFAULTS_FILE",
    "PARAMETERS",
    "SCENARIO_DIR",
    "Entry",
    "ParameterSpec",
    "check_draws",
    "in_use",
    "scenario_error",
]


class Entry(BaseModel):
    """One parameter as a scenario file writes it: a value with its source (and a note).

    ``published`` is the date the source became public; a backtest refuses a parameter whose
    source is newer than its cut-off, and flags one without a date.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str
    source: str
    note: str | None = None
    published: _dt.date | None = None

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, v: Any) -> Any:
        if not isinstance(v, dict) or "value" not in v:
            raise ValueError("each parameter is a mapping with 'value' and 'source'")
        if not str(v.get("source") or "").strip():
            raise ValueError("every parameter needs a 'source' (a URL or a reason)")
        return v

    @field_validator("value", mode="before")
    @classmethod
    def _text(cls, v: Any) -> str:
        return as_text(v)

    @field_validator("source")
    @classmethod
    def _strip(cls, v: str) -> str:
        return v.strip()

    @field_validator("note", mode="before")
    @classmethod
    def _one_line(cls, v: Any) -> Any:
        return " ".join(str(v).split()) if v else None

    def shown(self) -> dict[str, str]:
        """The JSON form: ``value``, ``source`` and, when given, ``note`` and ``published``."""
        out = {"value": self.value, "source": self.source}
        if self.note:
            out["note"] = self.note
        if self.published:
            out["published"] = self.published.isoformat()
        return out


class ParameterSpec(Entry):
    """One allowed scenario key with its default (the :class:`Entry` fields)."""

    key: str = ""
    kind: Literal["quantity", "date", "choice"]
    unit: str = ""
    description: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    why: str = ""
    choices: tuple[str, ...] = ()
    optional: bool = False  # a date that may be left empty
    cap_kinds: tuple[str, ...] = ()  # used only with these cap kinds (empty: always)
    when: dict[str, str] = {}  # used only when these choice keys have these values
    plausible: tuple[float, float] | None = None  # a median outside warns (PlausibilityWarning)
    plausible_why: str = ""

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, v: Any) -> Any:  # the defaults file states every field itself
        return v

    @property
    def default(self) -> Entry:
        return Entry(value=self.value, source=self.source, note=self.note, published=self.published)


class _DefaultsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    title: str = ""
    description: str = ""
    parameters: dict[str, ParameterSpec]


def in_use(key: str, cap_kind: str, choices: Mapping[str, str] | None = None) -> bool:
    """Whether a parameter matters for a cap kind (budget.* only for a budget cap, and so on)
    and, given the scenario's ``choices``, for them (``utilization.*`` only for GPU-time)."""
    spec = PARAMETERS[key]
    if spec.cap_kinds and cap_kind not in spec.cap_kinds:
        return False
    return choices is None or all(choices.get(k) == v for k, v in spec.when.items())


def check_draws(key: str, x: np.ndarray, text: str, path: str | None = None) -> None:
    """Raise ScenarioError if any draw breaks the parameter's bounds (naming the share that does)."""
    spec = PARAMETERS[key]
    bad = ~np.isfinite(x)
    if spec.low is not None:
        bad |= (x <= spec.low) if spec.low_open else (x < spec.low)
    if spec.high is not None:
        bad |= (x >= spec.high) if spec.high_open else (x > spec.high)
    if bad.any():
        lo = "(" if spec.low_open else "["
        hi = ")" if spec.high_open or spec.high is None else "]"
        rng = f"{lo}{_num(spec.low, '-inf')}, {_num(spec.high, 'inf')}{hi}"
        share = f"{bad.mean():.1%} of the draws of {text!r} are" if len(x) > 1 else f"{text!r} is"
        raise ScenarioError(
            f"must lie in {rng} {spec.unit} ({spec.why}); {share} outside", path=path, field=key
        )


def as_text(value: Any) -> str:
    """A YAML or ``--set`` value as the text the scenario keeps (numbers and dates as written)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number, date or expression")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value).strip()


def scenario_error(exc: DataError) -> ScenarioError:
    """The same one-line problem, as a ScenarioError (what forecast callers catch)."""
    if isinstance(exc, ScenarioError):
        return exc
    return ScenarioError(exc.message, exc.path, exc.line, exc.field)


# ---- private ----------------------------------------------------------------------------------


def _num(x: float | None, default: str) -> str:
    return default if x is None else f"{x:g}"


def _load_specs() -> dict[str, ParameterSpec]:
    try:
        data, lines = yamlio.load_file(DEFAULTS_FILE, "scenario defaults file")
        doc = yamlio.validate(_DefaultsFile, data, str(DEFAULTS_FILE), lines)
    except DataError as exc:
        raise scenario_error(exc) from None
    out = {}
    for key, spec in doc.parameters.items():
        if spec.kind == "choice" and spec.value not in spec.choices:
            raise ScenarioError(
                f"default {spec.value!r} is not one of {spec.choices}",
                str(DEFAULTS_FILE),
                lines.get(("parameters", key)),
                key,
            )
        out[key] = spec.model_copy(update={"key": key})
    return out


class _Specs(Mapping[str, ParameterSpec]):
    """The specs by key, read from the defaults file on first use (not at import)."""

    def __init__(self) -> None:
        self._specs: dict[str, ParameterSpec] | None = None

    @property
    def _all(self) -> dict[str, ParameterSpec]:
        if self._specs is None:
            self._specs = _load_specs()
        return self._specs

    def __getitem__(self, key: str) -> ParameterSpec:
        return self._all[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)


PARAMETERS: Mapping[str, ParameterSpec] = _Specs()
