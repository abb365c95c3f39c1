"""flopcast.accounting.recipe: recipe files validated with file:line, run totals, shipped recipes."""

from __future__ import annotations

import warnings

import pytest
import yaml

from flopcast.accounting.hardware import implied_utilization
from flopcast.accounting.recipe import (
    list_recipes,
    load_recipe,
    parse_recipe,
    recipe_dir,
    summarize,
)
from flopcast.core.errors import ConfigError, PlausibilityWarning, UnknownNameError

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


def test_shipped_recipes_have_a_source_or_an_assumption_for_every_setting():
    for name in list_recipes():
        raw = yaml.safe_load((recipe_dir() / f"{name}.yaml").read_text())
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


@pytest.mark.parametrize(
    ("steps", "words"),
    [
        ("(1 to 2) * 1e308", "the number '1e308' is too large; numbers are limited to 1e300"),
        ("0^-1", "zero to a negative power is a division by zero"),
        ("ci(1,10,level=1e-20)", "interval level 1e-20 is below 1e-06"),
        ("(" * 300 + "1" + ")" * 300, "the expression nests deeper than 50 levels"),
        (float("nan"), "must be finite, not nan"),
        (1e13, "must be at most 1e+12"),
        ("1e11 to 1e13", "'1e11 to 1e13' must stay below 1e+12"),
        (-3, "must be positive, not -3"),
    ],
)
def test_bad_numbers_in_a_recipe_are_one_line(steps, words):
    # issue 14: these were tracebacks (OverflowError, ZeroDivisionError, RecursionError)
    bad = {**RECIPE, "stages": [{"steps": steps, "response_length": 5}]}
    with pytest.raises(ConfigError) as err:
        parse_recipe(bad)
    assert f"stages[0].steps: {words}" in str(err.value) and "\n" not in str(err.value)


def test_lengths_are_bounded():
    bad = {**RECIPE, "stages": [{"steps": 1, "response_length": 1e10}]}
    with pytest.raises(ConfigError, match=r"response_length: must be at most 1e\+09"):
        parse_recipe(bad)
