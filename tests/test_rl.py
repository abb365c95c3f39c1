"""flopcast.accounting.rl: phase formulas, histograms, recipes, hardware conversions."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml

from flopcast.accounting.architecture import from_config
from flopcast.accounting.rl import (
    Histogram,
    Stage,
    algorithm,
    algorithms,
    chip_hours,
    coefficients,
    cost_usd,
    get_algorithm,
    implied_utilization,
    list_recipes,
    load_recipe,
    parse_recipe,
    step_flop,
    summarize,
)
from flopcast.core.errors import ConfigError, InputError, PlausibilityWarning, UnknownNameError
from flopcast.core.uncertain import ci
from flopcast.estimate import chips

# A hand-checkable Llama (d=8, h=2 heads of 4, h_kv=1, f=16, L=1, V=10, untied), shared with
# the other accounting tests.
TOY = json.loads(
    (Path(__file__).parent / "data" / "configs" / "toy-llama-by-hand.json").read_text()
)
# C = 1152 (layers), V = 160 (head), A = 32 per causal pair; see tests/test_architecture.py


def _stage(**kw):
    base = dict(
        name="s",
        steps=1,
        prompts_per_step=1,
        samples_per_prompt=1,
        prompt_length=3,
        response_length=4,
    )
    return Stage(**{**base, **kw})


def test_one_sequence_by_hand():
    arch = from_config(TOY)
    f = step_flop(arch, 3, 4, _stage())
    assert f["generation_prefill"] == 1152 * 3 + 32 * 6 + 160  # 3808: keys(3) = 6
    # decode: 3 passes at positions 3..5, keys(6) - keys(3) = 21 - 6 = 15
    assert f["generation_decode"] == (1152 + 160) * 3 + 32 * 15  # 4416
    full = (1152 + 160) * 7 + 32 * 28  # F(7) = 10080, keys(7) = 28
    assert f["old_logprob"] == full
    assert f["reference"] == full
    assert f["update"] == 3 * full
    assert f["critic"] == 0 and f["reward"] == 0


def test_generation_equals_one_forward_over_the_sequence_minus_unused_logits():
    # prefill + decode = F(P + R - 1) minus the head on the P - 1 prompt positions
    arch = from_config("deepseek-v3")
    p, r = 500, 3000
    f = step_flop(arch, p, r, _stage())
    assert f["generation_prefill"] + f["generation_decode"] == pytest.approx(
        arch.forward_flop(p + r - 1) - arch.head_flop_per_token * (p - 1)
    )


def test_critic_reward_and_epochs():
    arch = from_config(TOY)
    f = step_flop(arch, 3, 4, _stage(critic=True, reward="model", epochs=2))
    value = (1152 + 16) * 7 + 32 * 28  # value head d -> 1 is 2 * 8 FLOP
    assert f["critic"] == (1 + 3 * 2) * value
    assert f["reward"] == value
    assert f["update"] == 6 * ((1152 + 160) * 7 + 32 * 28)


def test_prefill_shared_by_the_samples_of_a_prompt():
    arch = from_config(TOY)
    shared = step_flop(arch, 3, 4, _stage(prompts_per_step=2, samples_per_prompt=8))
    separate = step_flop(
        arch, 3, 4, _stage(prompts_per_step=2, samples_per_prompt=8, shared_prefill=False)
    )
    assert separate["generation_prefill"] == 8 * shared["generation_prefill"]
    assert shared["update"] == 16 * step_flop(arch, 3, 4, _stage())["update"]


def test_histogram_equals_the_brute_force_sum():
    arch = from_config("qwq-32b")
    ps = Histogram.of([100, 300, 900], [1, 2, 1])
    rs = Histogram.of([1000, 4000, 20_000, 30_000], [4, 3, 2, 1])
    st = _stage(prompts_per_step=4, samples_per_prompt=2)
    fast = step_flop(arch, ps, rs, st)
    grid_p, grid_r = np.meshgrid(ps.lengths, rs.lengths, indexing="ij")
    w = (ps.weights[:, None] * rs.weights[None, :]).ravel()
    for phase in ("generation_decode", "old_logprob", "update"):
        brute = sum(
            wi * step_flop(arch, float(pi), float(ri), st)[phase]
            for pi, ri, wi in zip(grid_p.ravel(), grid_r.ravel(), w, strict=True)
        )
        assert fast[phase] == pytest.approx(brute, rel=1e-12)


def test_histogram_with_windows_uses_the_grid():
    arch = from_config(
        {
            "model_type": "mistral",
            "hidden_size": 16,
            "num_attention_heads": 2,
            "intermediate_size": 32,
            "num_hidden_layers": 2,
            "vocab_size": 20,
            "sliding_window": 50,
        }
    )
    rs = Histogram.of([10, 100])
    fast = step_flop(arch, 20, rs, _stage())["old_logprob"]
    assert fast == pytest.approx((arch.forward_flop(30) + arch.forward_flop(120)) / 2)


def test_per_sequence_arrays_sum_over_the_batch():
    arch = from_config(TOY)
    f = step_flop(arch, [3, 3], [4, 4])
    assert f["update"] == 2 * step_flop(arch, 3, 4, _stage())["update"]


def test_uncertain_lengths_give_uncertain_flop():
    from flopcast.core.expr import evaluate

    arch = from_config("deepseek-v3")
    f = step_flop(arch, 500, evaluate("2k to 8k"), _stage())
    lo, hi = f["update"].interval(0.9)
    assert step_flop(arch, 500, 2000, _stage())["update"] == pytest.approx(lo, rel=0.02)
    assert step_flop(arch, 500, 8000, _stage())["update"] == pytest.approx(hi, rel=0.02)


def test_fast_path_is_constant_in_the_number_of_sequences():
    coef = coefficients(from_config("deepseek-v3"))
    ps, rs = Histogram.of(np.linspace(50, 1000, 64)), Histogram.of(np.linspace(100, 32_000, 64))
    small = step_flop(coef, ps, rs, _stage(prompts_per_step=1, samples_per_prompt=1))
    large = step_flop(coef, ps, rs, _stage(prompts_per_step=10_000, samples_per_prompt=64))
    assert large["update"] == pytest.approx(640_000 * small["update"])


def test_bad_lengths():
    arch = from_config(TOY)
    with pytest.raises(InputError, match="response length must be non-negative"):
        step_flop(arch, 3, -4, _stage())
    with pytest.raises(InputError, match="as many weights as lengths"):
        Histogram.of([1, 2], [1])


# ---- recipes ------------------------------------------------------------------------------

RECIPE = {
    "name": "t",
    "architecture": "qwen2.5-32b",
    "algorithm": "grpo",
    "settings": {"prompts_per_step": 4, "samples_per_prompt": 2, "prompt_length": 100},
    "stages": [{"name": "a", "steps": 10, "response_length": 1000}],
}


def test_recipe_run_is_steps_times_step():
    rec = parse_recipe(RECIPE)
    run = rec.run()
    assert run.stages["a"]["update"] == 10 * run.step["a"]["update"]
    assert run.total == pytest.approx(sum(run.phases.values()))


def test_recipe_errors_are_one_clear_sentence():
    with pytest.raises(UnknownNameError, match="unknown algorithm 'trpo'; did you mean"):
        parse_recipe({**RECIPE, "algorithm": "trpo"})
    bad = {**RECIPE, "stages": [{"name": "a", "steps": 10, "response_length": -5}]}
    with pytest.raises(ConfigError, match=r"stages\[0\].response_length: must be non-negative"):
        parse_recipe(bad)
    with pytest.raises(ConfigError, match="missing required setting 'steps'"):
        parse_recipe({**RECIPE, "stages": [{"response_length": 5}]})
    with pytest.raises(ConfigError, match=r"stages\[0\].temperature: unknown field"):
        parse_recipe({**RECIPE, "stages": [{"steps": 1, "response_length": 5, "temperature": 1}]})
    with pytest.raises(ConfigError, match="architecture: required field is missing"):
        parse_recipe({k: v for k, v in RECIPE.items() if k != "architecture"})


def test_recipe_file_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "r.yaml"
    bad.write_text(
        "name: x\n"
        "architecture: qwq-32b\n"
        "algorithm: grpo\n"
        "settings:\n"
        "  prompts_per_step: 4\n"
        "  samples_per_prompt: {value: 0, source: paper}\n"  # line 6: not positive
        "  prompt_length: 100\n"
        "stages:\n"
        "  - steps: 10\n"
        "    response_length: 1k\n"
    )
    with pytest.raises(ConfigError) as err:
        load_recipe(bad)
    assert str(err.value) == (f"{bad}:6: stages[0].samples_per_prompt: must be positive, not 0")
    bad.write_text("name: x\narchitecture: qwq-32b\nalgorithm: grpo\nstages: []\n")
    with pytest.raises(ConfigError, match=r"r.yaml:4: stages: List should have at least 1 item"):
        load_recipe(bad)
    bad.write_bytes("name: x\n".encode("utf-16"))
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_recipe(bad)


def test_recipe_expression_that_overflows_is_one_line():
    bad = {**RECIPE, "stages": [{"steps": "1e308 * 1e308", "response_length": 5}]}
    with pytest.raises(ConfigError, match=r"stages\[0\].steps: "):
        parse_recipe(bad)


def test_algorithms_are_data_with_sources():
    names = algorithms()
    assert {"ppo", "grpo", "dapo", "rloo", "reinforce++", "dr-grpo", "cispo"} <= set(names)
    for name in names:
        assert get_algorithm(name).source.startswith("https://arxiv.org/abs/"), name
    assert get_algorithm("GRPO").name == "grpo"  # case-insensitive


def test_cispo_is_grpo_without_a_reference():
    # MiniMax-M1 (arXiv:2506.13585) section 3.1: the CISPO objective has the clipped IS ratio
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


def test_shipped_recipes_have_a_source_or_an_assumption_for_every_setting():
    from flopcast.accounting.rl import recipe_dir as _recipe_dir

    for name in list_recipes():
        raw = yaml.safe_load((_recipe_dir() / f"{name}.yaml").read_text())
        assert all(url.startswith("https://") for url in raw["sources"].values()), name
        rec = load_recipe(name)
        for stage in rec.stages:
            for key, prov in stage.provenance.items():
                assert prov.startswith(("source: ", "assumed: ")), (name, stage.name, key)
                if prov.startswith("source: "):
                    assert prov.split()[1] in raw["sources"], (name, key)


def test_deepseek_r1_recipes_against_published_h800_hours():
    lines = []
    for name in ("deepseek-r1-zero", "deepseek-r1"):
        rec = load_recipe(name)
        run = rec.run()
        hours = rec.published["chip_hours"]["value"]
        with warnings.catch_warnings():
            warnings.simplefilter("error", PlausibilityWarning)
            util = summarize(implied_utilization(run.total, "H800", chip_hours=hours))
        total = summarize(run.total)
        lines.append(
            f"{name}: {total['median']:.2e} FLOP (90% CI {total['lo']:.1e}-{total['hi']:.1e}) "
            f"over {hours:,} H800-hours -> implied utilisation {util['median']:.3f} "
            f"({util['lo']:.3f}-{util['hi']:.3f}) of BF16 peak"
        )
        assert 0.01 < util["lo"] and util["hi"] < 0.7
    print("\n".join(lines))


# ---- hardware -----------------------------------------------------------------------------


def test_chip_hours_and_back():
    flop = 9.89e14 * 3600 * 0.25 * 1000  # 1000 H800-hours at 25% of BF16 peak
    assert chip_hours(flop, "H800", 0.25) == pytest.approx(1000)
    assert implied_utilization(flop, "H800", chip_hours=1000) == pytest.approx(0.25)
    assert implied_utilization(flop, "H800", cost_usd=2000, usd_per_hour=2.0) == pytest.approx(0.25)


def test_cost_usd_is_chip_hours_times_price():
    flop = 9.89e14 * 3600 * 0.25 * 1000  # 1000 H800-hours at 25% of BF16 peak (989 TFLOP/s)
    assert cost_usd(flop, "H800", 0.25, usd_per_hour=2.5) == pytest.approx(2500)  # 1000 x $2.5
    catalog = chips.price_per_hour("H800")
    assert catalog is not None  # the sourced price in data/hardware.yaml
    assert cost_usd(flop, "H800", 0.25) == pytest.approx(1000 * catalog.usd_per_hour)
    # fp8 peak is twice bf16 on Hopper: half the chip-hours, half the cost
    fp8 = chips.peak_flop_per_s("H800", "fp8") / chips.peak_flop_per_s("H800", "bf16")
    assert cost_usd(flop, "H800", 0.25, usd_per_hour=2.0, precision="fp8") == pytest.approx(
        2000 / fp8
    )


def test_cost_usd_carries_uncertainty():
    flop = 9.89e14 * 3600 * 1000  # 1000 H800-hours at full BF16 peak
    cost = cost_usd(flop, "H800", ci(0.2, 0.3), usd_per_hour=2.0)
    # lognormal utilisation: median of 1 / u is 1 / median(u) = 1 / sqrt(0.2 x 0.3)
    assert cost.median() == pytest.approx(2000 / np.sqrt(0.2 * 0.3), rel=1e-6)
    lo, hi = cost.interval(0.9)
    assert lo == pytest.approx(2000 / 0.3, rel=1e-6) and hi == pytest.approx(2000 / 0.2, rel=1e-6)


def test_cost_usd_without_a_price_is_a_clear_error():
    unpriced = next(c.id for c in chips.catalog() if c.latest_price() is None and "bf16" in c.peak)
    with pytest.raises(InputError, match=f"no sourced rental price for '{unpriced}'.*usd_per_hour"):
        cost_usd(1e20, unpriced, 0.3)
    assert cost_usd(1e20, unpriced, 0.3, usd_per_hour=1.0) > 0
    with pytest.raises(InputError, match="usd_per_hour must be a positive price"):
        cost_usd(1e20, "H800", 0.3, usd_per_hour=0)


def test_implausible_utilization_warns():
    with pytest.warns(PlausibilityWarning, match="outside the plausible 0.01-0.7"):
        implied_utilization(9.89e14 * 3600 * 100, "H800", chip_hours=100)  # 1.0 of peak
    with pytest.warns(PlausibilityWarning):
        implied_utilization(9.89e14 * 3600 * 0.001, "H800", chip_hours=1)
