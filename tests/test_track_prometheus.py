"""vLLM / SGLang metrics in the Prometheus text format, read with prometheus_client's parser."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("prometheus_client")

from flopcast.accounting.track.counts import Model, StepCounts  # noqa: E402
from flopcast.accounting.track.prometheus import compare_rollout, delta, read_metrics  # noqa: E402
from flopcast.core.errors import InputError  # noqa: E402

DATA = Path(__file__).parent / "data" / "prometheus"
PROMPTS, RESPONSES = [5, 7, 9, 3], [10, 2, 6, 4]  # the rollout the fixtures record


def _rollout() -> StepCounts:
    s = StepCounts(Model.of("tests/data/configs/tiny-qwen2.json"))
    s.rollout(PROMPTS, RESPONSES)
    return s


def test_vllm_scrapes_give_the_rollout_and_its_estimate_beside_flopcast():
    before = read_metrics((DATA / "vllm-before.txt").read_text())
    after = read_metrics((DATA / "vllm-after.txt").read_text())
    assert before.prompt_tokens == 100 and before.estimated_flop_per_gpu == 1.0e7
    d = delta(before, after)
    assert (d.prompt_tokens, d.computed_prompt_tokens, d.generation_tokens) == (24, 24, 22)
    assert d.requests == 4  # 11 + 3 - (8 + 2)
    out = compare_rollout(_rollout(), d, gpus=2)
    assert out["tokens_match"]
    assert out["prompt_tokens"] == {"flopcast": 24, "engine": 24.0}  # 5 + 7 + 9 + 3
    assert out["generation_tokens"]["flopcast"] == 22  # (9 + 1 + 5 + 3) decode + 4 first tokens
    ours = _rollout().flop()
    assert out["rollout_flop"]["flopcast"] == ours["generation_prefill"] + ours["generation_decode"]
    assert out["rollout_flop"]["engine_estimate"] == pytest.approx(6.0e6)  # 3.0e6 x 2 GPUs
    ratio = out["rollout_flop"]["ratio"]
    assert ratio == pytest.approx(6.0e6 / out["rollout_flop"]["flopcast"])


def test_sglang_scrape_has_tokens_and_no_estimate():
    m = read_metrics((DATA / "sglang.txt").read_text(), model_name="tiny-qwen2")
    assert (m.engine, m.prompt_tokens, m.generation_tokens, m.requests) == ("sglang", 24, 22, 4)
    out = compare_rollout(_rollout(), m, gpus=1)
    assert out["tokens_match"] and out["rollout_flop"]["engine_estimate"] is None


def test_a_restarted_engine_or_a_foreign_scrape_is_refused():
    before = read_metrics((DATA / "vllm-after.txt").read_text())
    after = read_metrics((DATA / "vllm-before.txt").read_text())
    with pytest.raises(InputError, match="prompt_tokens fell from 124 to 100 between scrapes"):
        delta(before, after)
    with pytest.raises(InputError, match="one vLLM or SGLang engine, found: none"):
        read_metrics("process_cpu_seconds_total 3.0\n")
