"""Forecast scenarios: YAML files of named parameters, each a value with its source.

A scenario is a flat mapping of dotted parameter keys (``growth.months_per_10x``) to a value and
a source. Values are text: expressions of :mod:`flopcast.core.expr` (``"3 to 5"``,
``"10 * 6e23"``, ``"@o3.rl"``), ISO dates (``"2025-04-16"``) or a record reference whose release
date is meant (``"@o3"``, ``"@max.rl"``), or a choice (``cap.kind: share``). The allowed keys,
their kinds, bounds and defaults are data (:mod:`flopcast.forecast.params`); the format is
documented in ``data/scenarios/README.md``.

A file is read once with :mod:`flopcast.core.yamlio`, validated by a pydantic model (errors say
``file:line: field: message``) and parsed once into typed :class:`Value` objects: dates become
``datetime.date``, plain numbers floats, references are recognised. Drawing
(:mod:`flopcast.forecast.draws`) and the model never parse text again.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict

from flopcast.core import yamlio
from flopcast.core.dates import bounded_date, parse_date, to_date, to_year
from flopcast.core.errors import DataError, ScenarioError, UnknownNameError
from flopcast.forecast.params import (
    PARAMETERS,
    SCENARIO_DIR,
    Entry,
    ParameterSpec,
    as_text,
    check_draws,
    in_use,
    scenario_error,
)

__all__ = [
    "PARAMETERS",
    "SCENARIO_DIR",
    "ParameterSpec",
    "Scenario",
    "Value",
    "in_use",
    "list_scenarios",
    "load_scenario",
    "parse_date",
    "to_date",
    "to_year",
]


@dataclass(frozen=True)
class Value:
    """One parameter's value, parsed: ``number`` for a plain number, ``date`` for an ISO date,
    ``ref`` (without the ``@``) for a dataset reference; ``text`` as written."""

    key: str
    kind: str
    text: str
    number: float | None = None
    date: _dt.date | None = None
    ref: str | None = None


class _ScenarioFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    title: str = ""
    description: str = ""
    parameters: dict[str, Entry] = {}


@dataclass(frozen=True)
class Scenario:
    """A named, complete set of parameters (defaults filled in), parsed once."""

    name: str
    title: str
    description: str
    entries: dict[str, Entry]
    values: dict[str, Value]
    path: str | None = None
    overrides: dict[str, str] = field(default_factory=dict)

    @cached_property
    def parameters(self) -> dict[str, dict[str, str]]:
        """key -> ``{"value", "source", "note"?, "published"?}`` (the JSON form)."""
        return {k: e.shown() for k, e in self.entries.items()}

    @property
    def cap_kind(self) -> str:
        return self.values["cap.kind"].text

    def value(self, key: str) -> str:
        return self.values[key].text

    def in_use(self) -> list[str]:
        """The keys that matter for this scenario's cap kind."""
        choices = {k: v.text for k, v in self.values.items() if v.kind == "choice"}
        return [k for k in self.values if in_use(k, self.cap_kind, choices)]

    def with_overrides(
        self, overrides: Mapping[str, Any] | None, source: str = "override (--set)"
    ) -> Scenario:
        """A copy with some parameter values replaced; unknown keys raise ScenarioError."""
        if not overrides:
            return self
        entries, values, done = dict(self.entries), dict(self.values), dict(self.overrides)
        for key, raw in overrides.items():
            _check_key(key, self.path, self.name, None)
            try:
                text = as_text(raw)
            except ValueError as exc:
                raise ScenarioError(str(exc), path=self.path, field=key) from None
            entries[key] = Entry(value=text, source=source)
            values[key] = parse_value(key, text, self.path)
            done[key] = text
        out = replace(self, entries=entries, values=values, overrides=done)
        out.__dict__.pop("parameters", None)
        _check_together(out)
        return out

    def to_yaml(self) -> str:
        doc = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "parameters": self.parameters,
        }
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "path": self.path,
            "parameters": self.parameters,
            "overrides": self.overrides,
        }


def list_scenarios() -> list[str]:
    """Names of the shipped scenarios (files in data/scenarios, ``_defaults`` excluded)."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml") if not p.stem.startswith("_"))


def load_scenario(
    name_or_path: str | Path = "seed-analysis", overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """Load a shipped scenario by name, or a YAML file by path, then apply ``overrides``.

    Parameters the file does not mention take their defaults (``_defaults.yaml``).
    Raises :class:`ScenarioError` for an unknown key, a malformed value, a value out of bounds
    (checked again on the draws) or dates out of order.
    """
    path = _find(name_or_path)
    try:
        data, lines = yamlio.load_file(path, "scenario file")
        if not isinstance(data, dict):
            raise DataError("a scenario file is a mapping with 'name' and 'parameters'", str(path))
        for key in data.get("parameters") or {}:
            _check_key(key, str(path), str(data.get("name", path.stem)), lines)
        doc = yamlio.validate(_ScenarioFile, data, str(path), lines)
    except DataError as exc:
        raise scenario_error(exc) from None
    entries = {k: spec.default for k, spec in PARAMETERS.items()}
    entries.update(doc.parameters)
    values = {}
    for key, entry in entries.items():
        where = lines.get(("parameters", key)) if key in doc.parameters else None
        values[key] = parse_value(key, entry.value, str(path), where)
    sc = Scenario(
        name=doc.name or path.stem,
        title=doc.title,
        description=doc.description.strip(),
        entries=entries,
        values=values,
        path=str(path),
    )
    _check_together(sc)
    return sc.with_overrides(overrides)


def parse_value(key: str, text: str, path: str | None, line: int | None = None) -> Value:
    """Parse one value of ``key`` once: a choice checked, a date parsed, a plain number bounded."""
    spec = PARAMETERS[key]
    if spec.kind == "choice":
        if text not in spec.choices:
            raise ScenarioError(
                f"{text!r} is not one of {', '.join(spec.choices)}", path, line, key
            )
        return Value(key, "choice", text)
    if text.startswith("@"):
        return Value(key, spec.kind, text, ref=text[1:])
    if spec.kind == "date":
        if not text:
            if not spec.optional:
                raise ScenarioError(
                    "a date is required here (YYYY-MM-DD or @record)", path, line, key
                )
            return Value(key, "date", text)
        return Value(key, "date", text, date=bounded_date(text, key, path))
    number = _plain_number(text)
    if number is not None:
        check_draws(key, np.array([number]), text, path)
    return Value(key, "quantity", text, number=number)


def dated_inputs(sc: Scenario) -> dict[str, _dt.date]:
    """The plain (non-reference) dates the scenario uses, by key."""
    used = set(sc.in_use())
    return {
        k: v.date
        for k, v in sc.values.items()
        if v.kind == "date" and v.date is not None and k in used
    }


def check_date_order(dates: Mapping[str, _dt.date], path: str | None) -> None:
    """Every dated input must be on or before evidence.as_of (no evidence from the future)."""
    cutoff = dates.get("evidence.as_of")
    if cutoff is None:
        return
    for key, d in dates.items():
        if key != "evidence.as_of" and d > cutoff:
            raise ScenarioError(
                f"date {d} is after evidence.as_of {cutoff}: a forecast as of a "
                "date can only start from evidence dated on or before it",
                path=path,
                field=key,
            )


# ---- private helpers --------------------------------------------------------------------------


def _check_together(sc: Scenario) -> None:
    check_date_order(dated_inputs(sc), sc.path)


def _find(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    candidate = Path(text).expanduser()
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        if not candidate.is_file():
            raise ScenarioError("no such scenario file", path=text)
        return candidate
    shipped = SCENARIO_DIR / f"{text}.yaml"
    if shipped.is_file() and not text.startswith("_"):
        return shipped
    names = list_scenarios()
    raise UnknownNameError("scenario", text, difflib.get_close_matches(text, names, n=3) or names)


def _check_key(key: str, path: str | None, name: str, lines: yamlio.Lines | None) -> None:
    if key not in PARAMETERS:
        close = difflib.get_close_matches(key, list(PARAMETERS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ScenarioError(
            f"unknown parameter {key!r} in scenario {name!r}{hint}; allowed: "
            + ", ".join(PARAMETERS),
            path=path,
            line=lines.get(("parameters", key)) if lines else None,
        )


def _plain_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
