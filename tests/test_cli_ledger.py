"""``flopcast ledger show|compare`` through the CLI runner: output, exit codes, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from flopcast.accounting.rl import load_recipe
from flopcast.accounting.track import Ledger
from flopcast.cli import app


@pytest.fixture
def ledger_path(tmp_path):
    """Three steps of a DeepScaleR-like run on qwen2.5-1.5b: 4 prompts x 8 samples."""
    path = tmp_path / "run.jsonl"
    rng = np.random.default_rng(0)
    with Ledger.open(path, model="qwen2.5-1.5b", chip="A100", run_id="cli") as ledger:
        for _ in range(3):
            p = np.repeat(rng.integers(80, 300, 4), 8)
            r = rng.integers(3000, 5500, 32)
            with ledger.step() as s:
                s.prefill(p[::8])  # one prefill per prompt, shared by its 8 samples
                s.decode(p, r)
                s.add_time(("generation_prefill", "generation_decode"), 60.0, gpus=8)
                for phase in ("old_logprob", "reference", "update"):
                    s.count(phase, p + r)
                s.add_time(("old_logprob", "reference", "update"), 30.0, gpus=8)
    return path


def test_show_prints_phases_and_mfu(runner, ledger_path):
    result = runner.invoke(app, ["ledger", "show", str(ledger_path)])
    assert result.exit_code == 0, result.output
    assert "generation_decode" in result.output and "MFU run" in result.output


def test_show_json_and_plot(runner, ledger_path, tmp_path):
    pytest.importorskip("matplotlib")
    figure = tmp_path / "steps.png"
    result = runner.invoke(
        app, ["ledger", "show", str(ledger_path), "--json", "--plot", str(figure)]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["steps"] == 3 and out["run_id"] == "cli"
    assert out["total_flop"] == pytest.approx(sum(v["flop"] for v in out["phases"].values()))
    group = out["timed"]["old_logprob+reference+update"]
    assert group["gpu_seconds"] == 3 * 30.0 * 8  # three steps of 30 s on 8 GPUs
    assert 0 < out["mfu"] < 1
    assert figure.stat().st_size > 0 and out["plot"] == str(figure)


def test_compare_with_a_recipe(runner, ledger_path):
    result = runner.invoke(
        app, ["ledger", "compare", str(ledger_path), "--recipe", "deepscaler-1.5b", "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["stage"] == "8k" and out["steps_measured"] == 3
    # the recipe plans 128 prompts x 8 samples a step; the ledger holds 4 x 8: about 1/32
    assert 1 / 64 < out["ratio"] < 1 / 16
    assert out["published"]["chip_hours"] == 3800
    rec = load_recipe("deepscaler-1.5b")
    assert out["published"]["chip"] == rec.published["chip"]
    text = runner.invoke(
        app, ["ledger", "compare", str(ledger_path), "--recipe", "deepscaler-1.5b"]
    )
    assert text.exit_code == 0 and "implying" in text.output


def _one_error_line(result):
    assert result.exit_code == 1
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_bad_input_is_one_line_and_exit_1_and_nothing_is_lost(runner, ledger_path, tmp_path):
    original = ledger_path.read_text()
    lines = original.splitlines()
    foreign = json.loads(lines[1])
    foreign["run_id"] = "other"
    ledger_path.write_text(original + json.dumps(foreign) + "\n")
    line = _one_error_line(runner.invoke(app, ["ledger", "show", str(ledger_path)]))
    assert "run.jsonl:5: line of run 'other' in the ledger of run 'cli'" in line
    assert ledger_path.read_text().startswith(original)

    negative = json.loads(lines[1])
    negative["step"] = 9
    negative["phases"]["update"]["tokens"] = -1
    bad = tmp_path / "neg.jsonl"
    bad.write_text(original + json.dumps(negative) + "\n")
    line = _one_error_line(runner.invoke(app, ["ledger", "show", str(bad)]))
    assert "neg.jsonl:5: bad step record: phases.update.tokens must be a non-negative" in line

    ledger_path.write_text(original)
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "name: r\narchitecture: qwen-9000\nalgorithm: grpo\nstages:\n"
        "  - {steps: 1, prompts_per_step: 1, samples_per_prompt: 1, prompt_length: 10, "
        "response_length: 10}\n"
    )
    line = _one_error_line(
        runner.invoke(app, ["ledger", "compare", str(ledger_path), "--recipe", str(recipe)])
    )
    assert "unknown architecture 'qwen-9000'" in line
    line = _one_error_line(runner.invoke(app, ["ledger", "show", str(tmp_path / "none.jsonl")]))
    assert "none.jsonl" in line
