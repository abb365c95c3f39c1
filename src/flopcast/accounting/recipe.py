"""RL recipes: a YAML file describing a run, validated, and its FLOP phase by phase.

A recipe (format: ``data/recipes/README.md``) names an architecture, an algorithm
(:mod:`flopcast.accounting.algorithms`) and one or more stages of settings. It is read with
:mod:`flopcast.core.yamlio` (safe, bounded, file:line) and validated in two pydantic steps:
:class:`RecipeFile` checks the shape of the file (unknown fields, types), then each stage's
settings, merged over the shared ``settings``, are checked by :class:`StageSettings` (required
settings, positive counts, expressions that evaluate). Every problem is one
:class:`~flopcast.core.errors.ConfigError` line: ``path:line: stages[0].steps: message``.
:meth:`Recipe.run` then computes each stage's step once (:func:`~.step.step_flop`) and scales it
by the number of steps.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from flopcast.accounting.algorithms import Algorithm, get_algorithm
from flopcast.accounting.architecture import Architecture, from_config
from flopcast.accounting.step import PHASES, Histogram, Stage, step_flop
from flopcast.core import summary, yamlio
from flopcast.core.errors import (
    ConfigError,
    DataError,
    ExpressionError,
    InputError,
    UnknownNameError,
)
from flopcast.estimate.functions import evaluate

__all__ = [
    "MAX_COUNT",
    "MAX_TOKENS",
    "Recipe",
    "RecipeFile",
    "RunResult",
    "StageSettings",
    "list_recipes",
    "load_recipe",
    "parse_recipe",
    "recipe_dir",
    "summarize",
]


# ---- the file's shape ----------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Sourced(_Strict):
    """A setting with its provenance: ``{value: ..., source: id [, note]}`` or ``{value, assumed}``."""

    value: Any
    source: str | None = None
    assumed: str | None = None
    note: str | None = None


Setting = Sourced | bool | int | float | str | dict[str, Any]


class _Settings(_Strict):
    steps: Setting | None = None
    prompts_per_step: Setting | None = None
    samples_per_prompt: Setting | None = None
    prompt_length: Setting | None = None
    response_length: Setting | None = None
    epochs: Setting | None = None
    minibatches: Setting | None = None
    old_logprob_recompute: Setting | None = None
    reference: Setting | None = None
    critic: Setting | None = None
    reward: Setting | None = None
    shared_prefill: Setting | None = None


class _StageFile(_Settings):
    name: str | None = None


class RecipeFile(_Strict):
    """The top level of a recipe file (see data/recipes/README.md)."""

    name: str
    title: str | None = None
    description: str | None = None
    date: dt.date | str | None = None
    architecture: str | Sourced
    algorithm: str | Sourced
    sources: dict[str, str] = {}
    settings: _Settings = _Settings()
    stages: list[_StageFile] = Field(min_length=1)
    published: dict[str, Any] = {}
    notes: Any = None


# ---- one stage's settings, merged --------------------------------------------------------------


def _plain(v: Any) -> Any:
    return v.get("value") if isinstance(v, dict) and "value" in v else v


# Limits of this tool, far above any published run (assumed, not measured: the longest shipped
# recipe has 8,200 steps and 64k-token responses), so that a typo cannot overflow a float.
MAX_COUNT = 1e12  # steps, prompts per step, samples per prompt, epochs
MAX_TOKENS = 1e9  # tokens in one prompt or response


def _evaluate(value: Any, *, positive: bool, limit: float) -> Any:
    if isinstance(value, str):
        try:
            q = evaluate(value)
            if not q.is_point:
                lo, hi = (float(v) for v in q.percentile([1, 99]))
        except ExpressionError as exc:  # a field's message is one line: no caret display
            raise ValueError(exc.message) from None
        except (ArithmeticError, RecursionError) as exc:
            raise ValueError(f"cannot evaluate {value!r:.60}: {type(exc).__name__}") from None
        if not q.is_point:
            if not lo > 0:
                raise ValueError(f"{value!r:.60} must be positive")
            if not hi <= limit:
                raise ValueError(f"{value!r:.60} must stay below {limit:.0e}")
            return q
        value = float(q.median())
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number or an expression such as '1k to 2k', not {value!r}")
    if not value == value or value in (float("inf"), float("-inf")):
        raise ValueError(f"must be finite, not {value!r}")
    if value < 0 or (positive and value == 0):
        raise ValueError(f"must be {'positive' if positive else 'non-negative'}, not {value!r}")
    if value > limit:
        raise ValueError(f"must be at most {limit:.0e}, not {value!r}")
    return value


class StageSettings(_Strict):
    """The settings of one stage after merging it over ``settings``: values checked and parsed
    (expressions to :class:`~flopcast.core.uncertain.Uncertain`, histograms to
    :class:`~.step.Histogram`); flags left None take the algorithm's default."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    steps: Any
    prompts_per_step: Any
    samples_per_prompt: Any
    prompt_length: Any
    response_length: Any
    epochs: Any = 1
    minibatches: Any = 1
    old_logprob_recompute: bool | None = None
    reference: bool | None = None
    critic: bool | None = None
    reward: Literal["verifier", "model"] = "verifier"
    shared_prefill: bool = True

    @field_validator("*", mode="before")
    @classmethod
    def _unwrap(cls, v: Any) -> Any:
        return _plain(v)

    @field_validator("steps", "prompts_per_step", "samples_per_prompt", "epochs", "minibatches")
    @classmethod
    def _count(cls, v: Any) -> Any:
        return _evaluate(v, positive=True, limit=MAX_COUNT)

    @field_validator("prompt_length", "response_length")
    @classmethod
    def _length(cls, v: Any) -> Any:
        if isinstance(v, dict):
            hist = v.get("histogram")
            if set(v) != {"histogram"} or not isinstance(hist, dict) or "lengths" not in hist:
                raise ValueError("a histogram is {histogram: {lengths: [...], weights: [...]}}")
            if set(hist) - {"lengths", "weights"}:
                raise ValueError("a histogram has only 'lengths' and 'weights'")
            try:
                return Histogram.of(hist["lengths"], hist.get("weights"))
            except (InputError, TypeError) as exc:
                raise ValueError(str(exc)) from None
        return _evaluate(v, positive=False, limit=MAX_TOKENS)


# ---- the parsed recipe and its run -----------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    """A parsed recipe file (format in ``data/recipes/README.md``)."""

    name: str
    title: str
    architecture: str
    algorithm: Algorithm
    stages: tuple[Stage, ...]
    sources: dict[str, str]
    published: dict[str, Any]
    path: str = ""

    def run(self, arch: Architecture | None = None) -> RunResult:
        """FLOP per phase per stage and for the run; each stage's step is computed once."""
        model = arch or from_config(self.architecture)
        step = {
            st.name: step_flop(model, st.prompt_length, st.response_length, st)
            for st in self.stages
        }
        per_stage = {
            st.name: {ph: _times(v, st.steps) for ph, v in step[st.name].items()}
            for st in self.stages
        }
        totals = {ph: _sum(per_stage[s][ph] for s in per_stage) for ph in PHASES}
        return RunResult(self, model, per_stage, step, totals, _sum(totals.values()))


@dataclass(frozen=True)
class RunResult:
    recipe: Recipe
    arch: Architecture
    stages: dict[str, dict[str, Any]]
    step: dict[str, dict[str, Any]]
    phases: dict[str, Any]
    total: Any

    def to_dict(self, level: float = 0.9) -> dict[str, Any]:
        return {
            "recipe": self.recipe.name,
            "architecture": self.arch.name,
            "algorithm": self.recipe.algorithm.name,
            "unit": "FLOP",
            "total": summarize(self.total, level),
            "phases": {ph: summarize(v, level) for ph, v in self.phases.items()},
            "stages": {
                st.name: {
                    "steps": summarize(st.steps, level),
                    "per_step": {ph: summarize(v, level) for ph, v in self.step[st.name].items()},
                    "phases": {ph: summarize(v, level) for ph, v in self.stages[st.name].items()},
                }
                for st in self.recipe.stages
            },
            "sources": self.recipe.sources,
            "provenance": {st.name: st.provenance for st in self.recipe.stages},
        }


def summarize(x: Any, level: float = 0.9) -> dict[str, Any]:
    """The :mod:`flopcast.core.summary` shape of a number or an Uncertain (90% by default)."""
    return summary.of_quantity(x, level=level)


# ---- reading --------------------------------------------------------------------------------


def load_recipe(source: str | Path) -> Recipe:
    """A recipe from a YAML path or a shipped recipe name (``data/recipes/<name>.yaml``)."""
    path = Path(str(source))
    if not path.exists():
        shipped = list_recipes()
        if str(source).lower() not in shipped:
            if path.suffix in (".yaml", ".yml"):
                raise ConfigError(f"recipe file {str(path)!r} does not exist")
            raise UnknownNameError("recipe", str(source), _close(str(source).lower(), shipped))
        path = recipe_dir() / f"{str(source).lower()}.yaml"
    try:
        data, lines = yamlio.load_file(path, "recipe")
    except DataError as exc:
        raise _config_error(exc) from None
    return parse_recipe(data, path=str(path), lines=lines)


def list_recipes() -> list[str]:
    """Names of the shipped recipes (files starting with ``_`` are tables, not recipes)."""
    return sorted(p.stem for p in recipe_dir().glob("*.yaml") if not p.name.startswith("_"))


def recipe_dir() -> Path:
    return Path(str(resources.files("flopcast").joinpath("data/recipes")))


def parse_recipe(data: Any, *, path: str = "", lines: yamlio.Lines | None = None) -> Recipe:
    """Validate a recipe mapping; every error names the file, line and field, and what is allowed."""
    lines = lines or {}
    where = path or None
    if not isinstance(data, dict):
        raise ConfigError("a recipe must be a mapping", where, lines.get(()))
    try:
        top = yamlio.validate(RecipeFile, data, where, lines)
    except DataError as exc:
        raise _config_error(exc) from None
    algo = get_algorithm(str(_plain(data["algorithm"])))
    arch = str(_plain(data["architecture"]))
    if path and arch.endswith(".json"):  # a config path is relative to the recipe file
        candidate = Path(path).parent / arch
        arch = str(candidate) if candidate.exists() else arch
    settings = data.get("settings") or {}
    stages = tuple(
        _stage(i, settings, raw, algo, where, lines) for i, raw in enumerate(data["stages"])
    )
    return Recipe(
        top.name,
        top.title or top.name,
        arch,
        algo,
        stages,
        dict(top.sources),
        dict(top.published),
        path,
    )


def _stage(
    i: int,
    settings: dict[str, Any],
    raw: dict[str, Any],
    algo: Algorithm,
    path: str | None,
    lines: yamlio.Lines,
) -> Stage:
    own = {k: v for k, v in raw.items() if k != "name"}
    merged = {**settings, **own}
    where = {k: ("stages", i, k) if k in own else ("settings", k) for k in merged}
    try:
        spec = StageSettings.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else ""
        line = lines.get(where.get(key, ("stages", i)), lines.get(("stages", i)))
        msg = (
            f"missing required setting {key!r} (give it in the stage or in 'settings')"
            if err["type"] == "missing"
            else yamlio.message(err)
        )
        raise ConfigError(msg, path, line, f"stages[{i}].{key}") from None
    defaults = {
        "old_logprob_recompute": algo.old_logprob_recompute,
        "reference": algo.reference,
        "critic": algo.critic,
    }
    flags = {k: d if getattr(spec, k) is None else getattr(spec, k) for k, d in defaults.items()}
    skip = {"reward", *defaults}
    values = {k: getattr(spec, k) for k in StageSettings.model_fields if k not in skip}
    return Stage(
        name=str(raw.get("name") or f"stage-{i + 1}"),
        reward=spec.reward,
        provenance={k: _provenance(v) for k, v in merged.items()},
        **values,
        **flags,
    )


def _provenance(v: Any) -> str:
    if isinstance(v, dict) and "value" in v:
        if "assumed" in v:
            return f"assumed: {v['assumed']}"
        if "source" in v:
            return f"source: {v['source']}" + (f" ({v['note']})" if v.get("note") else "")
    return "unsourced"


def _config_error(exc: DataError) -> ConfigError:
    return ConfigError(exc.message, exc.path, exc.line, exc.field)


def _close(name: str, names: list[str]) -> list[str]:
    return difflib.get_close_matches(name, names, n=3)


def _is_zero(x: Any) -> bool:
    return isinstance(x, (int, float)) and x == 0


def _times(value: Any, steps: Any) -> Any:
    return value * steps if not _is_zero(value) else 0.0


def _sum(values: Iterable[Any]) -> Any:
    total: Any = 0.0
    for v in values:
        total = v + total if not _is_zero(v) else total
    return total
