"""Rollout engines: vLLM and SGLang token counters (and vLLM's FLOP estimate) beside flopcast.

Both engines export cumulative counters in the Prometheus text format at ``/metrics``; a
rollout's share is the difference of two scrapes, one before and one after (:func:`delta`).
:func:`read_metrics` parses a scrape with ``prometheus_client``'s parser and sums each counter
over its ``engine`` and other labels (optionally for one ``model_name``). vLLM's
``vllm:estimated_flops_per_gpu_total`` (opt-in, ``--enable-mfu-metrics``) is its own estimate per
GPU; :func:`compare_rollout` multiplies it by the engine's GPUs and sets it beside flopcast's
prefill + decode FLOP of the same rollout, and checks the token counters against the ledger's.

Counter names: ``vllm/v1/metrics/loggers.py``, ``vllm/v1/metrics/perf.py`` and SGLang's
``python/sglang/srt/metrics/collector.py`` (see tests/data/prometheus/README.md).
NB: with prefix caching vLLM's ``prompt_tokens_total`` counts cached prompt tokens too;
``prompt_tokens_by_source_total{source="local_compute"}`` counts those it computed, and is used
when present.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from flopcast.accounting.track.counts import StepCounts
from flopcast.core.errors import InputError

__all__ = ["EngineMetrics", "read_metrics", "delta", "compare_rollout"]

# counter sample name -> EngineMetrics field, per engine prefix
_COUNTERS = {
    "vllm": {
        "vllm:prompt_tokens_total": "prompt_tokens",
        "vllm:generation_tokens_total": "generation_tokens",
        "vllm:request_success_total": "requests",
        "vllm:estimated_flops_per_gpu_total": "estimated_flop_per_gpu",
    },
    "sglang": {
        "sglang:prompt_tokens_total": "prompt_tokens",
        "sglang:generation_tokens_total": "generation_tokens",
        "sglang:num_requests_total": "requests",
    },
}


@dataclass(frozen=True)
class EngineMetrics:
    """Counter values of one scrape (or the difference of two). None: not exported."""

    engine: str
    prompt_tokens: float | None = None
    computed_prompt_tokens: float | None = None
    generation_tokens: float | None = None
    requests: float | None = None
    estimated_flop_per_gpu: float | None = None


def read_metrics(text: str, *, model_name: str | None = None) -> EngineMetrics:
    """Parse a vLLM or SGLang ``/metrics`` scrape; each counter summed over its labels."""
    from prometheus_client.parser import text_string_to_metric_families  # optional extra

    sums: dict[str, float] = {}
    engines: set[str] = set()
    try:
        families = list(text_string_to_metric_families(text))
    except ValueError as exc:
        raise InputError(f"not Prometheus text format: {exc}") from None
    for family in families:
        for sample in family.samples:
            prefix = sample.name.split(":", 1)[0]
            if prefix not in _COUNTERS:
                continue
            engines.add(prefix)
            if model_name is not None and sample.labels.get("model_name") != model_name:
                continue
            name = _COUNTERS[prefix].get(sample.name)
            if sample.name == "vllm:prompt_tokens_by_source_total":
                if sample.labels.get("source") == "local_compute":
                    name = "computed_prompt_tokens"
            if name is not None:
                sums[name] = sums.get(name, 0.0) + float(sample.value)
    if len(engines) != 1:
        found = ", ".join(sorted(engines)) or "none"
        raise InputError(f"expected the metrics of one vLLM or SGLang engine, found: {found}")
    return EngineMetrics(engines.pop(), **sums)


def delta(before: EngineMetrics, after: EngineMetrics) -> EngineMetrics:
    """What the engine did between two scrapes; a counter that went down means a restart."""
    if before.engine != after.engine:
        raise InputError(f"scrapes of {before.engine} and {after.engine} cannot be subtracted")
    out: dict[str, Any] = {}
    for f in fields(EngineMetrics):
        if f.name == "engine":
            continue
        a, b = getattr(before, f.name), getattr(after, f.name)
        if a is None or b is None:
            out[f.name] = None
            continue
        if b < a:
            raise InputError(
                f"{f.name} fell from {a:g} to {b:g} between scrapes; the engine restarted, "
                "so the difference is not this rollout's"
            )
        out[f.name] = b - a
    return EngineMetrics(after.engine, **out)


def compare_rollout(counts: StepCounts, engine: EngineMetrics, *, gpus: int) -> dict[str, Any]:
    """flopcast's rollout (prefill + decode) beside the engine's counters for the same work.

    Generated tokens: each sequence's first token comes out of its prefill, the rest out of
    ``R - 1`` decode passes, so flopcast's generated tokens are decode tokens + sequences
    (NB: exact when every sequence generated at least one token)."""
    if isinstance(gpus, bool) or not isinstance(gpus, int) or gpus < 1:
        raise InputError(f"gpus must be a whole number of at least 1, got {gpus!r}")
    flop = counts.flop()
    ours = flop["generation_prefill"] + flop["generation_decode"]
    pre = counts.phases.get("generation_prefill")
    dec = counts.phases.get("generation_decode")
    prompt = pre.tokens if pre else 0
    generated = (dec.tokens + dec.sequences) if dec else 0
    theirs = (
        engine.estimated_flop_per_gpu * gpus if engine.estimated_flop_per_gpu is not None else None
    )
    engine_prompt = (
        engine.computed_prompt_tokens
        if engine.computed_prompt_tokens is not None
        else engine.prompt_tokens
    )
    return {
        "engine": engine.engine,
        "gpus": gpus,
        "prompt_tokens": {"flopcast": prompt, "engine": engine_prompt},
        "generation_tokens": {"flopcast": generated, "engine": engine.generation_tokens},
        "rollout_flop": {
            "flopcast": ours,
            "engine_estimate": theirs,
            "ratio": theirs / ours if theirs is not None and ours else None,
        },
        "tokens_match": engine_prompt == prompt and engine.generation_tokens == generated,
    }
