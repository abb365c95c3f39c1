"""FLOP of a reinforcement-learning run, phase by phase, from an architecture and a recipe.

One RL step (GRPO, PPO, DAPO, RLOO, REINFORCE++, ...) over ``N = prompts x samples`` sequences
with prompt length ``P`` and response length ``R`` is, for a model compiled by
:mod:`flopcast.accounting.architecture` to ``C`` (context-free FLOP per token, without the output head),
``V`` (output head ``2 d vocab``) and ``A_w`` (FLOP per causal (query, key) pair by window):

- generation prefill (once per prompt: the samples of a group share its KV cache)
      ``C P + sum_w A_w keys_w(P) + V``             (logits only for the last prompt token)
- generation decode (``R - 1`` forward passes; the last sampled token is never fed back)
      ``(C + V)(R - 1) + sum_w A_w [keys_w(P + R - 1) - keys_w(P)]``
- log-prob recompute under the old policy, and under the reference policy (one forward each)
      ``F(P + R) = (C + V)(P + R) + sum_w A_w keys_w(P + R)``
- critic (PPO): a forward for the values and ``epochs`` forward+backward updates, value head
  ``d -> 1`` instead of ``V``; reward model: one forward, same head; a rule verifier: 0 FLOP
- policy update: ``epochs x 3 F(P + R)`` (backward = 2x forward)

``keys_w(s)`` is :func:`flopcast.accounting.architecture.keys_causal`. Sources of the phase structure:
Shao et al. (2024, arXiv:2402.03300) for GRPO, Ouyang et al. (2022) for PPO with a critic and a
reference, and the verl / OpenRLHF training loops (old log-prob recompute, reference pass).

Lengths are numbers, uncertain quantities (``"2k to 15k"`` is a 90% lognormal interval, parsed by
:func:`flopcast.core.expr.evaluate`) or histograms. NB: with a number or an uncertain *mean* length the
quadratic attention term is evaluated at the mean, which underestimates ``E[keys(s)]`` by
``Var(s) / 2`` per sequence (Jensen); a histogram is exact.
Prompts and responses in a histogram are treated as independent.

The fast path (:func:`step_flop`) evaluates a step from arrays with numpy in a few tens of
microseconds, independent of the number of sequences when they come as a histogram.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from flopcast.accounting.architecture import Architecture, keys_causal
from flopcast.core.errors import ConfigError, InputError, PlausibilityWarning, UnknownNameError
from flopcast.estimate.functions import evaluate

__all__ = [
    "PHASES",
    "Recipe",
    "RunResult",
    "load_recipe",
    "parse_recipe",
    "list_recipes",
    "summarize",
    "Algorithm",
    "algorithm",
    "algorithms",
    "Histogram",
    "Stage",
    "Coefficients",
    "coefficients",
    "step_flop",
    "stage_flop",
    "chip_hours",
    "cost_usd",
    "implied_utilization",
]

PHASES = (
    "generation_prefill",
    "generation_decode",
    "old_logprob",
    "reference",
    "critic",
    "reward",
    "update",
)


@dataclass(frozen=True)
class Algorithm:
    """Which passes an algorithm runs by default (a recipe may override each)."""

    name: str
    critic: bool
    reference: bool
    old_logprob_recompute: bool
    description: str
    source: str


_ALGORITHMS: dict[str, Algorithm] = {}


def algorithm(name: str, **fields: Any) -> Algorithm:
    """Register an algorithm's default passes; a duplicate name is an error."""
    key = name.lower()
    if key in _ALGORITHMS:
        raise ValueError(f"algorithm {name!r} is already registered")
    _ALGORITHMS[key] = Algorithm(name=key, **fields)
    return _ALGORITHMS[key]


def algorithms() -> list[str]:
    return sorted(_ALGORITHMS)


def get_algorithm(name: str) -> Algorithm:
    try:
        return _ALGORITHMS[str(name).lower()]
    except KeyError:
        raise UnknownNameError("algorithm", str(name), algorithms()) from None


algorithm(
    "ppo",
    critic=True,
    reference=True,
    old_logprob_recompute=True,
    description="PPO with a learned critic (GAE) and a KL penalty to a reference policy",
    source="https://arxiv.org/abs/2203.02155",
)
algorithm(
    "grpo",
    critic=False,
    reference=True,
    old_logprob_recompute=True,
    description="group-relative advantages, no critic, KL to a reference in the loss",
    source="https://arxiv.org/abs/2402.03300",
)
algorithm(
    "dapo",
    critic=False,
    reference=False,
    old_logprob_recompute=True,
    description="GRPO without the KL term (no reference), clip-higher, dynamic sampling",
    source="https://arxiv.org/abs/2503.14476",
)
algorithm(
    "rloo",
    critic=False,
    reference=True,
    old_logprob_recompute=True,
    description="REINFORCE leave-one-out baseline over k samples per prompt",
    source="https://arxiv.org/abs/2402.14740",
)
algorithm(
    "reinforce++",
    critic=False,
    reference=True,
    old_logprob_recompute=True,
    description="REINFORCE with PPO-style clipping and a global advantage normalisation",
    source="https://arxiv.org/abs/2501.03262",
)
algorithm(
    "dr-grpo",
    critic=False,
    reference=False,
    old_logprob_recompute=True,
    description="GRPO with length and std normalisation removed; no KL term",
    source="https://arxiv.org/abs/2503.20783",
)


@dataclass(frozen=True)
class Histogram:
    """A length distribution: bucket lengths and their weights (counts or probabilities)."""

    lengths: np.ndarray
    weights: np.ndarray

    @classmethod
    def of(cls, lengths: Sequence[float], weights: Sequence[float] | None = None) -> Histogram:
        x = np.asarray(lengths, dtype=float)
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
        if x.ndim != 1 or x.shape != w.shape or x.size == 0:
            raise InputError("a histogram needs as many weights as lengths (at least one)")
        if np.any(x < 0) or np.any(w < 0) or not np.all(np.isfinite(x)) or w.sum() <= 0:
            raise InputError(
                "histogram lengths and weights must be finite and non-negative, "
                "with a positive total weight"
            )
        return cls(x, w / w.sum())

    def mean(self) -> float:
        return float(self.lengths @ self.weights)


@dataclass(frozen=True)
class Coefficients:
    """An architecture reduced to the numbers a step needs (FLOP, not scaled)."""

    body: float  # C: context-free FLOP per token of the layers
    head: float  # V: output head per token with logits
    value_head: float  # critic / reward head d -> 1
    pairs: tuple[tuple[int | None, float], ...]  # (window, A_w)

    def keys(self, s: Any) -> Any:
        return sum(a * keys_causal(s, w) for w, a in self.pairs)

    def forward(self, s: Any, head: float | None = None) -> Any:
        return (self.body + (self.head if head is None else head)) * s + self.keys(s)


def coefficients(arch: Architecture) -> Coefficients:
    return Coefficients(
        float(arch.body_flop_per_token),
        float(arch.head_flop_per_token),
        float(2 * arch.hidden_size),
        tuple(arch.pair_flop.items()),
    )


@dataclass(frozen=True)
class Stage:
    """Settings of one RL stage (see data/recipes/README.md for each field)."""

    name: str
    steps: Any
    prompts_per_step: Any
    samples_per_prompt: Any
    prompt_length: Any
    response_length: Any
    epochs: Any = 1
    minibatches: Any = 1
    old_logprob_recompute: bool = True
    reference: bool = True
    critic: bool = False
    reward: str = "verifier"  # "verifier" (0 FLOP) or "model"
    shared_prefill: bool = True
    provenance: dict[str, str] = field(default_factory=dict)


def step_flop(
    arch: Architecture | Coefficients,
    prompt_lengths: Any,
    response_lengths: Any,
    stage: Stage | None = None,
    *,
    prompts: Any = None,
    samples_per_prompt: Any = None,
    critic: Coefficients | Architecture | None = None,
    reward_model: Coefficients | Architecture | None = None,
) -> dict[str, Any]:
    """FLOP of each phase of one RL step.

    ``prompt_lengths`` and ``response_lengths`` are each a number, an Uncertain, a
    :class:`Histogram`, or an array of per-sequence lengths (paired with each other). The number
    of prompts and samples per prompt come from ``stage`` unless given; with arrays of
    per-sequence lengths and no counts, each array entry is one sequence and one prompt.
    """
    coef = _coef(arch)
    st = stage or Stage("step", 1, 1, 1, 0, 0)
    k = samples_per_prompt if samples_per_prompt is not None else st.samples_per_prompt
    crit = _coef(critic) if critic is not None else coef
    rm = _coef(reward_model) if reward_model is not None else coef
    p, r = _dist(prompt_lengths), _dist(response_lengths)
    if isinstance(p, np.ndarray) or isinstance(r, np.ndarray):  # one entry per sequence
        p, r = (np.asarray(x, dtype=float) for x in np.broadcast_arrays(p, r))
        n_seq = p.size
        n_prompts = prompts if prompts is not None else n_seq / k
    else:
        n_prompts = prompts if prompts is not None else st.prompts_per_step
        n_seq = n_prompts * k
    _check_lengths(p, r)
    dec = _shift(r)  # decode passes per sequence: R - 1 (never negative)

    def keys(x: Any, y: Any, c: Coefficients) -> Any:  # E[sum_w A_w keys_w(x + y)]
        return sum(a * _expect_keys(x, y, w) for w, a in c.pairs)

    mean_p, mean_r, mean_dec = _mean(p), _mean(r), _mean(dec)
    fwd = (coef.body + coef.head) * (mean_p + mean_r) + keys(p, r, coef)  # E[F(P + R)]
    zero = 0.0
    per_seq = {
        "generation_decode": (coef.body + coef.head) * mean_dec
        + keys(p, dec, coef)
        - keys(p, 0.0, coef),
        "old_logprob": fwd if st.old_logprob_recompute else zero,
        "reference": fwd if st.reference else zero,
        "critic": (1 + 3 * st.epochs)
        * ((crit.body + crit.value_head) * (mean_p + mean_r) + keys(p, r, crit))
        if st.critic
        else zero,
        "reward": (rm.body + rm.value_head) * (mean_p + mean_r) + keys(p, r, rm)
        if st.reward == "model"
        else zero,
        "update": 3 * st.epochs * fwd,
    }
    prefill = coef.body * mean_p + keys(p, 0.0, coef) + coef.head
    out = {"generation_prefill": prefill * (n_prompts if st.shared_prefill else n_seq)}
    for phase, x in per_seq.items():
        out[phase] = x * n_seq if not _is_zero(x) else zero
    return {phase: out[phase] for phase in PHASES}


def stage_flop(arch: Architecture, stage: Stage, **models: Any) -> dict[str, Any]:
    """FLOP per phase of a whole stage: ``steps x step_flop``."""
    step = step_flop(arch, stage.prompt_length, stage.response_length, stage, **models)
    return {
        phase: (value * stage.steps if not _is_zero(value) else 0.0)
        for phase, value in step.items()
    }


# ---- hardware conversions ---------------------------------------------------------------


def chip_hours(flop: Any, chip: str, utilization: Any, *, precision: str = "bf16") -> Any:
    """Chip-hours to do ``flop`` at ``utilization`` of the chip's dense peak:
    ``FLOP / (peak FLOP/s x utilization x 3600)``."""
    return flop / (_peak(chip, precision) * utilization * 3600.0)


def cost_usd(
    flop: Any,
    chip: str,
    utilization: Any,
    *,
    usd_per_hour: Any = None,
    precision: str = "bf16",
) -> Any:
    """Rental cost in US dollars to do ``flop`` at ``utilization`` of the chip's dense peak:
    ``chip_hours x usd_per_hour`` with ``chip_hours = FLOP / (peak FLOP/s x utilization x 3600)``.

    ``usd_per_hour`` defaults to the catalog's latest sourced rental price for the chip
    (:func:`flopcast.estimate.chips.price_per_hour`); :class:`InputError` when the catalog has none.
    NB: on-demand rental prices; owned clusters and negotiated rates cost less per hour.
    """
    rate = usd_per_hour if usd_per_hour is not None else _price(chip)
    if isinstance(rate, (int, float)) and not (math.isfinite(rate) and rate > 0):
        raise InputError(f"usd_per_hour must be a positive price per chip-hour, got {rate!r}")
    return chip_hours(flop, chip, utilization, precision=precision) * rate


def implied_utilization(
    flop: Any,
    chip: str,
    *,
    chip_hours: Any = None,
    cost_usd: Any = None,
    usd_per_hour: Any = None,
    precision: str = "bf16",
) -> Any:
    """Utilisation implied by a published chip-hours (or dollar) figure:
    ``FLOP / (chip_hours x 3600 x peak)``. Warns (PlausibilityWarning) outside 0.01-0.7 of peak,
    where a figure is likely wrong or means something else (idle time, other work, other chips)."""
    if chip_hours is None:
        if cost_usd is None:
            raise InputError("implied_utilization needs chip_hours or cost_usd")
        rate = usd_per_hour if usd_per_hour is not None else _price(chip)
        chip_hours = cost_usd / rate
    util = flop / (chip_hours * 3600.0 * _peak(chip, precision))
    median = util.median() if hasattr(util, "median") else float(util)
    if median > 0.7 or median < 0.01:
        warnings.warn(
            f"implied utilisation {median:.3g} of {chip} {precision} peak is outside the "
            "plausible 0.01-0.7; check the FLOP and the chip-hours",
            PlausibilityWarning,
            stacklevel=2,
        )
    return util


def _peak(chip: str, precision: str) -> float:
    from flopcast.estimate import chips

    return chips.peak_flop_per_s(chip, precision)


def _price(chip: str) -> float:
    from flopcast.estimate import chips

    price = chips.price_per_hour(chip)
    if price is None:
        raise InputError(
            f"the chip catalog has no sourced rental price for {chips.lookup(chip).id!r} "
            f"({chip!r}); give usd_per_hour"
        )
    return float(price.usd_per_hour)


# ---- helpers ----------------------------------------------------------------------------


def _coef(x: Coefficients | Architecture) -> Coefficients:
    return x if isinstance(x, Coefficients) else coefficients(x)


def _dist(x: Any) -> Any:
    """Lengths as a number, an Uncertain, a Histogram or a per-sequence array."""
    if isinstance(x, (list, tuple)):
        return np.asarray(x, dtype=float)
    return x


def _mean(x: Any) -> Any:
    if isinstance(x, Histogram):
        return x.mean()
    if isinstance(x, np.ndarray):
        return float(x.mean()) if x.size else 0.0
    return x


def _shift(r: Any) -> Any:
    """``max(R - 1, 0)`` for every form of ``R``."""
    if isinstance(r, Histogram):
        return Histogram(np.maximum(r.lengths - 1, 0.0), r.weights)
    return _maximum0(r - 1)


def _expect_keys(x: Any, y: Any, window: int | None) -> Any:
    """``E[keys_w(x + y)]`` with ``x`` and ``y`` independent when they are histograms.

    Without a window ``keys(s) = (s^2 + s) / 2``, so only the first two moments are needed
    (``O(buckets)``); with a window the outer grid of the two histograms is summed.
    """
    hx, hy = isinstance(x, Histogram), isinstance(y, Histogram)
    if not (hx or hy):
        s = x + y
        value = keys_causal(s, window)
        return float(value.mean()) if isinstance(value, np.ndarray) else value
    if window is None:
        m1x, m2x = _moments(x)
        m1y, m2y = _moments(y)
        return (m2x + 2 * m1x * m1y + m2y + m1x + m1y) / 2
    xs, wx = (x.lengths, x.weights) if hx else (np.asarray([x], dtype=float), np.ones(1))
    ys, wy = (y.lengths, y.weights) if hy else (np.asarray([y], dtype=float), np.ones(1))
    grid = keys_causal(xs[:, None] + ys[None, :], window)
    return float(wx @ grid @ wy)


def _moments(x: Any) -> tuple[float, float]:
    if isinstance(x, Histogram):
        return float(x.lengths @ x.weights), float((x.lengths * x.lengths) @ x.weights)
    if hasattr(x, "samples"):
        raise InputError(
            "an uncertain length cannot be combined with a histogram; give both "
            "as histograms or both as numbers"
        )
    return float(x), float(x) * float(x)


def _check_lengths(p: Any, r: Any) -> None:
    for name, x in (("prompt length", p), ("response length", r)):
        if isinstance(x, (int, float, np.ndarray)) and np.any(np.asarray(x) < 0):
            raise InputError(f"{name} must be non-negative")


def _maximum0(x: Any) -> Any:
    if hasattr(x, "samples"):
        from flopcast.core.uncertain import maximum

        return maximum(x, 0.0)
    return np.maximum(x, 0.0)


def _is_zero(x: Any) -> bool:
    return isinstance(x, (int, float)) and x == 0


# ---- recipes ----------------------------------------------------------------------------

_STAGE_FIELDS = {
    "steps",
    "prompts_per_step",
    "samples_per_prompt",
    "prompt_length",
    "response_length",
    "epochs",
    "minibatches",
    "old_logprob_recompute",
    "reference",
    "critic",
    "reward",
    "shared_prefill",
}
_TOP_FIELDS = {
    "name",
    "title",
    "description",
    "architecture",
    "algorithm",
    "sources",
    "settings",
    "stages",
    "published",
    "notes",
    "date",
}


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
        """FLOP per phase per stage and for the run."""
        from flopcast.accounting.architecture import from_config

        model = arch or from_config(self.architecture)
        per_stage = {st.name: stage_flop(model, st) for st in self.stages}
        totals = {ph: _sum(per_stage[s][ph] for s in per_stage) for ph in PHASES}
        step = {
            st.name: step_flop(model, st.prompt_length, st.response_length, st)
            for st in self.stages
        }
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
                s: {
                    "steps": summarize(st.steps, level),
                    "per_step": {ph: summarize(v, level) for ph, v in self.step[s].items()},
                    "phases": {ph: summarize(v, level) for ph, v in self.stages[s].items()},
                }
                for s, st in ((st.name, st) for st in self.recipe.stages)
            },
            "sources": self.recipe.sources,
            "provenance": {st.name: st.provenance for st in self.recipe.stages},
        }


def summarize(x: Any, level: float = 0.9) -> dict[str, Any]:
    """``{median, lo, hi, exact}`` of a number or an Uncertain (90% interval by default)."""
    if hasattr(x, "interval"):
        lo, hi = x.interval(level)
        return {"median": x.median(), "lo": lo, "hi": hi, "level": level}
    return {"median": float(x), "lo": float(x), "hi": float(x), "level": level}


def load_recipe(source: str | Any) -> Recipe:
    """A recipe from a YAML path or a shipped recipe name (``data/recipes/<name>.yaml``)."""
    import yaml

    path = Path(str(source))
    if not path.exists():
        shipped = list_recipes()
        if str(source).lower() not in shipped:
            if path.suffix in (".yaml", ".yml"):
                raise ConfigError(f"recipe file {str(path)!r} does not exist")
            import difflib

            raise UnknownNameError(
                "recipe", str(source), difflib.get_close_matches(str(source).lower(), shipped, n=3)
            )
        path = _recipe_dir() / f"{str(source).lower()}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        from flopcast.core.errors import yaml_error

        raise yaml_error(exc, str(path), ConfigError) from None
    return parse_recipe(data, path=str(path))


def list_recipes() -> list[str]:
    return sorted(p.stem for p in _recipe_dir().glob("*.yaml"))


def parse_recipe(data: Any, *, path: str = "") -> Recipe:
    """Validate a recipe mapping; every error names the field and what is allowed."""
    if not isinstance(data, dict):
        raise ConfigError("a recipe must be a mapping", path=path)
    unknown = set(data) - _TOP_FIELDS
    if unknown:
        raise ConfigError(
            f"unknown field(s) {sorted(unknown)}; allowed: {sorted(_TOP_FIELDS)}", path=path
        )
    for key in ("name", "architecture", "algorithm", "stages"):
        if key not in data:
            raise ConfigError(f"missing required field {key!r}", path=path, field=key)
    algo = get_algorithm(_plain(data["algorithm"]))
    arch = str(_plain(data["architecture"]))
    if path and arch.endswith(".json"):  # a config path is relative to the recipe file
        candidate = Path(path).parent / arch
        arch = str(candidate) if candidate.exists() else arch
    settings = data.get("settings") or {}
    stages_raw = data["stages"]
    if not isinstance(stages_raw, list) or not stages_raw:
        raise ConfigError("'stages' must be a non-empty list", path=path, field="stages")
    stages = []
    for i, raw in enumerate(stages_raw):
        if not isinstance(raw, dict):
            raise ConfigError(f"stages[{i}] must be a mapping", path=path, field="stages")
        merged = {**settings, **{k: v for k, v in raw.items() if k != "name"}}
        unknown = set(merged) - _STAGE_FIELDS
        if unknown:
            raise ConfigError(
                f"unknown setting(s) {sorted(unknown)}; allowed: {sorted(_STAGE_FIELDS)}",
                path=path,
                field=f"stages[{i}]",
            )
        stages.append(_stage(str(raw.get("name", f"stage-{i + 1}")), merged, algo, path, i))
    sources = {str(k): str(v) for k, v in (data.get("sources") or {}).items()}
    return Recipe(
        str(data["name"]),
        str(data.get("title", data["name"])),
        arch,
        algo,
        tuple(stages),
        sources,
        dict(data.get("published") or {}),
        path,
    )


def _stage(name: str, raw: dict[str, Any], algo: Algorithm, path: str, i: int) -> Stage:
    where = f"stages[{i}]"
    prov = {k: _provenance(v) for k, v in raw.items()}
    for key in (
        "steps",
        "prompts_per_step",
        "samples_per_prompt",
        "prompt_length",
        "response_length",
    ):
        if key not in raw:
            raise ConfigError(
                f"missing required setting {key!r}", path=path, field=f"{where}.{key}"
            )
    values: dict[str, Any] = {}
    for key in ("steps", "prompts_per_step", "samples_per_prompt", "epochs", "minibatches"):
        if key in raw:
            values[key] = _quantity(raw[key], f"{where}.{key}", path, positive=True)
    for key in ("prompt_length", "response_length"):
        values[key] = _length(raw[key], f"{where}.{key}", path)
    flags = {
        "old_logprob_recompute": algo.old_logprob_recompute,
        "reference": algo.reference,
        "critic": algo.critic,
        "shared_prefill": True,
    }
    for key, default in flags.items():
        values[key] = bool(_plain(raw.get(key, default)))
    reward = str(_plain(raw.get("reward", "verifier")))
    if reward not in ("verifier", "model"):
        raise ConfigError(
            f"reward must be 'verifier' or 'model', not {reward!r}",
            path=path,
            field=f"{where}.reward",
        )
    return Stage(name=name, reward=reward, provenance=prov, **values)


def _plain(v: Any) -> Any:
    return v.get("value") if isinstance(v, dict) and "value" in v else v


def _provenance(v: Any) -> str:
    if isinstance(v, dict) and "value" in v:
        if "assumed" in v:
            return f"assumed: {v['assumed']}"
        if "source" in v:
            return f"source: {v['source']}" + (f" ({v['note']})" if v.get("note") else "")
    return "unsourced"


def _quantity(v: Any, where: str, path: str, *, positive: bool) -> Any:
    value = _plain(v)
    if isinstance(value, str):
        q = evaluate(value)
        if q.is_point:
            value = float(q.median())
        else:
            if q.percentile(1) <= 0:
                raise ConfigError(f"{value!r} must be positive", path=path, field=where)
            return q
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(
            f"must be a number or an expression such as '1k to 2k', not {value!r}",
            path=path,
            field=where,
        )
    if value < 0 or (positive and value == 0):
        raise ConfigError(
            f"must be {'positive' if positive else 'non-negative'}, not {value!r}",
            path=path,
            field=where,
        )
    return value


def _length(v: Any, where: str, path: str) -> Any:
    value = _plain(v)
    if isinstance(value, dict) and "histogram" in value:
        hist = value["histogram"]
        if not isinstance(hist, dict) or "lengths" not in hist:
            raise ConfigError(
                "a histogram needs 'lengths' (and optional 'weights')", path=path, field=where
            )
        try:
            return Histogram.of(hist["lengths"], hist.get("weights"))
        except (InputError, TypeError, ValueError) as exc:
            raise ConfigError(str(exc), path=path, field=where) from None
    return _quantity(value, where, path, positive=False)


def _recipe_dir() -> Path:
    from importlib import resources

    return Path(str(resources.files("flopcast").joinpath("data/recipes")))


def _sum(values: Any) -> Any:
    total: Any = 0.0
    for v in values:
        total = v + total if not _is_zero(v) else total
    return total
