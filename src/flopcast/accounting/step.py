"""FLOP of one reinforcement-learning step, phase by phase, from an architecture and lengths.

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
microseconds, independent of the number of sequences when they come as a histogram; with
sliding windows and two histograms of ``B`` buckets it costs ``O(B log B)`` (:func:`expect_keys`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from flopcast.accounting.model import Architecture, keys_causal
from flopcast.core.errors import InputError
from flopcast.core.uncertain import maximum

__all__ = [
    "PHASES",
    "Coefficients",
    "Histogram",
    "Stage",
    "coefficients",
    "expect_keys",
    "expect_keys_grid",
    "stage_flop",
    "step_flop",
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
        return sum(a * expect_keys(x, y, w) for w, a in c.pairs)

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


def expect_keys(x: Any, y: Any, window: int | None) -> Any:
    """``E[keys_w(x + y)]`` with ``x`` and ``y`` independent when they are histograms.

    Without a window ``keys(s) = (s^2 + s) / 2``, so only the first two moments are needed
    (``O(B)``). With a window ``w``, ``keys(s)`` is ``(s^2 + s) / 2`` up to ``s = w`` and
    ``w s - w (w - 1) / 2`` past it, so for each bucket ``x`` the buckets of ``y`` split at
    ``w - x`` into a quadratic and a linear part; prefix sums of the weights and of the first
    two moments of the sorted ``y`` give both parts, ``O(B log B)`` in all instead of the
    ``O(B^2)`` grid :func:`expect_keys_grid` sums (issue 12; equal to it, tested).
    """
    hx, hy = isinstance(x, Histogram), isinstance(y, Histogram)
    if not (hx or hy):
        value = keys_causal(x + y, window)
        return float(value.mean()) if isinstance(value, np.ndarray) else value
    if window is None:
        m1x, m2x = _moments(x)
        m1y, m2y = _moments(y)
        return (m2x + 2 * m1x * m1y + m2y + m1x + m1y) / 2
    xs, wx = _buckets(x)
    ys, wy = _buckets(y)
    order = np.argsort(ys, kind="stable")
    ys, wy = ys[order], wy[order]
    zero = np.zeros(1)
    c0 = np.concatenate([zero, np.cumsum(wy)])  # prefix sums of weight, y w, y^2 w
    c1 = np.concatenate([zero, np.cumsum(wy * ys)])
    c2 = np.concatenate([zero, np.cumsum(wy * ys * ys)])
    cut = np.searchsorted(ys, window - xs, side="right")  # y <= w - x: inside the window
    w0, w1, w2 = c0[cut], c1[cut], c2[cut]
    inside = ((xs * xs + xs) * w0 + (2 * xs + 1) * w1 + w2) / 2
    w = float(window)
    past = w * xs * (c0[-1] - w0) + w * (c1[-1] - w1) - w * (w - 1) / 2 * (c0[-1] - w0)
    return float(wx @ (inside + past))


def expect_keys_grid(x: Any, y: Any, window: int | None) -> float:
    """The ``O(B^2)`` reference for :func:`expect_keys`: the outer grid of the two histograms."""
    xs, wx = _buckets(x)
    ys, wy = _buckets(y)
    grid = keys_causal(xs[:, None] + ys[None, :], window)
    return float(wx @ grid @ wy)


def _buckets(x: Any) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(x, Histogram):
        return x.lengths, x.weights
    if hasattr(x, "samples"):
        raise InputError(
            "an uncertain length cannot be combined with a histogram; give both "
            "as histograms or both as numbers"
        )
    return np.asarray([x], dtype=float), np.ones(1)


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
        return maximum(x, 0.0)
    return np.maximum(x, 0.0)


def _is_zero(x: Any) -> bool:
    return isinstance(x, (int, float)) and x == 0
