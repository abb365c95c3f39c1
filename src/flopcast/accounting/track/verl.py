"""veRL: one PPO/GRPO step's counters from the numbers veRL's trainer already has.

veRL's ``RayPPOTrainer.fit`` sets ``batch.meta_info["global_token_num"]`` to the valid tokens of
every sequence of the global batch (``attention_mask.sum(-1)``, gathered over data-parallel
ranks: the fix of verl-omni PR #128) and times each phase in ``timing_raw``, reported as
``timing_s/<name>`` (``gen``, ``old_log_prob``, ``ref``, ``values``, ``update_critic``,
``update_actor``). The per-sequence prompt and response lengths come from the same batch
(``attention_mask`` and ``response_mask`` summed over the prompt and response columns).
:func:`verl_step` turns such a metrics dict into counters of the phases veRL ran.

Names follow ``verl/trainer/ppo/ray_trainer.py`` and ``verl/trainer/ppo/metric_utils.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from flopcast.accounting.track.counts import Model, StepCounts
from flopcast.core.errors import InputError

__all__ = ["verl_step", "VERL_TIMERS"]

# veRL timer name -> the flopcast phases it times
VERL_TIMERS: dict[str, tuple[str, ...]] = {
    "gen": ("generation_prefill", "generation_decode"),
    "old_log_prob": ("old_logprob",),
    "ref": ("reference",),
    "values": ("critic",),
    "update_critic": ("critic",),
    "update_actor": ("update",),
}


def verl_step(
    model: Model,
    metrics: Mapping[str, Any],
    *,
    n_gpus: int,
    samples_per_prompt: int = 1,
    shared_prefill: bool = False,
    reference: bool = True,
    critic: bool = False,
    epochs: int = 1,
) -> StepCounts:
    """Counters of one veRL step from ``global_token_num``, ``prompt_length`` and
    ``response_length`` (one entry per sequence) and the ``timing_s/*`` seconds.

    ``shared_prefill``: count one prefill per prompt (veRL repeats each prompt
    ``samples_per_prompt`` times, interleaved, so a group's sequences are adjacent); off by
    default, as an engine without prefix caching prefills every sample.
    """
    missing = [
        k for k in ("global_token_num", "prompt_length", "response_length") if k not in metrics
    ]
    if missing:
        raise InputError(
            f"a veRL step needs per-sequence {', '.join(missing)} "
            "(global_token_num from batch.meta_info; lengths from the batch masks)"
        )
    total = np.asarray(metrics["global_token_num"])
    prompts = np.asarray(metrics["prompt_length"])
    responses = np.asarray(metrics["response_length"])
    if not (total.shape == prompts.shape == responses.shape):
        raise InputError(
            f"global_token_num, prompt_length and response_length need one entry per sequence, "
            f"got {total.size}, {prompts.size} and {responses.size}"
        )
    if total.sum() != prompts.sum() + responses.sum():
        raise InputError(
            f"global_token_num sums to {int(total.sum())} tokens but the prompt and response "
            f"lengths sum to {int(prompts.sum() + responses.sum())}"
        )
    s = StepCounts(model)
    if shared_prefill:
        if samples_per_prompt < 1 or prompts.size % samples_per_prompt:
            raise InputError(
                f"{prompts.size} sequences are not groups of samples_per_prompt={samples_per_prompt}"
            )
        groups = prompts.reshape(-1, samples_per_prompt)
        if np.any(groups != groups[:, :1]):
            raise InputError(
                "a group's samples have different prompt lengths; is the batch interleaved?"
            )
        s.prefill(groups[:, 0])
    else:
        s.prefill(prompts)
    s.decode(prompts, responses)
    s.count("old_logprob", total)
    if reference:
        s.count("reference", total)
    if critic:
        s.count("critic", total, passes=1 + 3 * epochs)
    s.count("update", total, passes=3 * epochs)
    _timings(s, metrics, n_gpus)
    return s


def _timings(s: StepCounts, metrics: Mapping[str, Any], n_gpus: int) -> None:
    by_phases: dict[tuple[str, ...], float] = {}
    for name, phases in VERL_TIMERS.items():
        key = f"timing_s/{name}"
        if key in metrics:
            by_phases[phases] = by_phases.get(phases, 0.0) + _seconds(metrics[key], key)
    for phases, seconds in by_phases.items():
        s.add_time(phases, seconds, n_gpus)


def _seconds(v: Any, key: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or not v >= 0:
        raise InputError(f"{key} must be non-negative seconds, got {v!r}")
    return float(v)
