"""The veRL adapter: a step's metrics dict to counters equal to flopcast's step_flop."""

from __future__ import annotations

import numpy as np
import pytest

from flopcast.accounting.architecture import from_config
from flopcast.accounting.rl import Stage, step_flop
from flopcast.accounting.track.counts import Model
from flopcast.accounting.track.verl import verl_step
from flopcast.core.errors import InputError

ARCH = from_config("tests/data/configs/tiny-qwen2.json")
MODEL = Model.of(ARCH)
PROMPTS = np.repeat([12, 30, 7], 4)  # 3 prompts x 4 samples, interleaved as veRL repeats them
RESPONSES = np.array([40, 3, 95, 18, 60, 61, 2, 9, 33, 33, 1, 120])


def _metrics(**extra):
    return {
        "global_token_num": (PROMPTS + RESPONSES).tolist(),
        "prompt_length": PROMPTS.tolist(),
        "response_length": RESPONSES.tolist(),
        **extra,
    }


def test_verl_step_equals_step_flop_with_a_shared_prefill():
    s = verl_step(MODEL, _metrics(), n_gpus=8, samples_per_prompt=4, shared_prefill=True)
    stage = Stage("s", 1, 3, 4, 0, 0)
    assert s.flop() == pytest.approx(step_flop(ARCH, PROMPTS, RESPONSES, stage), rel=1e-12)


def test_verl_timers_become_spans_and_critic_passes():
    m = _metrics(**{"timing_s/gen": 4.0, "timing_s/values": 1.0, "timing_s/update_critic": 2.0})
    s = verl_step(MODEL, m, n_gpus=8, critic=True, reference=False, epochs=2)
    spans = {sp.label: (sp.seconds, sp.gpus) for sp in s.spans}
    assert spans == {"generation_prefill+generation_decode": (4.0, 8), "critic": (3.0, 8)}
    assert s.phases["critic"].tokens == 7 * int((PROMPTS + RESPONSES).sum())  # 1 + 3 x 2 passes
    assert "reference" not in s.phases


def test_inconsistent_or_missing_veRL_numbers_are_refused():
    bad = _metrics()
    bad["global_token_num"] = [*bad["global_token_num"][:-1], 1]
    with pytest.raises(InputError, match="global_token_num sums to .* tokens but"):
        verl_step(MODEL, bad, n_gpus=1)
    with pytest.raises(InputError, match="needs per-sequence prompt_length"):
        verl_step(MODEL, {"global_token_num": [3], "response_length": [1]}, n_gpus=1)
    with pytest.raises(InputError, match="timing_s/gen must be non-negative seconds"):
        verl_step(MODEL, _metrics(**{"timing_s/gen": -1.0}), n_gpus=1)
