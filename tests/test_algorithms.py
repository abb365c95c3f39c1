"""flopcast.accounting.algorithms: the RL algorithms table (data), its registry and CISPO."""

from __future__ import annotations

import pytest

from flopcast.accounting.algorithms import algorithm, algorithms, get_algorithm, registry
from flopcast.accounting.recipe import parse_recipe

RECIPE = {
    "name": "t",
    "architecture": "qwen2.5-32b",
    "algorithm": "grpo",
    "settings": {"prompts_per_step": 4, "samples_per_prompt": 2, "prompt_length": 100},
    "stages": [{"name": "a", "steps": 10, "response_length": 1000}],
}


def test_algorithms_are_data_with_sources():
    names = algorithms()
    assert {"ppo", "grpo", "dapo", "rloo", "reinforce++", "dr-grpo", "cispo"} <= set(names)
    for name in names:
        assert get_algorithm(name).source.startswith("https://arxiv.org/abs/"), name
    assert get_algorithm("GRPO").name == "grpo"  # case-insensitive


def test_cispo_is_grpo_without_a_reference():
    # MiniMax-M1 (arXiv:2506.13585), the CISPO objective J_CISPO has the clipped IS ratio
    # against pi_old (old log-probs needed) and no KL term (no reference pass).
    cispo = parse_recipe({**RECIPE, "algorithm": "cispo"}).run()
    grpo = parse_recipe({**RECIPE, "settings": {**RECIPE["settings"], "reference": False}}).run()
    assert cispo.phases == grpo.phases
    assert cispo.phases["reference"] == 0 and cispo.phases["old_logprob"] > 0


def test_algorithm_registry_rejects_duplicates():
    with pytest.raises(ValueError, match="already registered"):
        algorithm(
            "grpo",
            critic=False,
            reference=True,
            old_logprob_recompute=True,
            description="",
            source="",
        )


def test_ppo_runs_a_critic_by_default():
    run = parse_recipe({**RECIPE, "algorithm": "ppo"}).run()
    assert run.phases["critic"] > 0


def test_registry_is_the_core_registry_with_suggestions():
    with pytest.raises(KeyError, match="unknown algorithm 'grpp'; did you mean 'grpo'"):
        get_algorithm("grpp")
    assert registry().names() == algorithms()
