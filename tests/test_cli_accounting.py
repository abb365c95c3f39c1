"""`flopcast flops` and `flopcast rl` through the CLI runner: exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flopcast.cli import app

runner = CliRunner()
CONFIGS = Path(__file__).parent / "data" / "configs"


def test_flops_table_for_a_shipped_name():
    res = runner.invoke(app, ["flops", "llama-3.1-405b", "--context", "8192"])
    assert res.exit_code == 0, res.output
    assert "parameters, total" in res.output and "4.059e11" in res.output


def test_flops_json_for_a_config_path():
    res = runner.invoke(
        app, ["flops", str(CONFIGS / "tiny-llama.json"), "--context", "16", "--no-causal", "--json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["parameters_total"] == 106816  # equals sum(p.numel()) of the transformers model
    assert out["forward_flop_per_sequence"] == 3014656  # equals FlopCounterMode, eager attention


def test_flops_mac_is_half():
    flop = json.loads(runner.invoke(app, ["flops", "phi-4", "--json"]).stdout)
    mac = json.loads(runner.invoke(app, ["flops", "phi-4", "--json", "--mac"]).stdout)
    assert mac["forward_flop_per_sequence"] == flop["forward_flop_per_sequence"] / 2


def test_flops_bad_input_is_one_line_exit_1(tmp_path):
    bad = tmp_path / "config.json"
    bad.write_text(json.dumps({"model_type": "llama", "hidden_size": 8}))
    res = runner.invoke(app, ["flops", str(bad)])
    assert res.exit_code == 1
    assert "missing required key 'num_hidden_layers'" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.output
    res = runner.invoke(app, ["flops", "gpt-7"])
    assert res.exit_code == 1 and "unknown architecture 'gpt-7'" in res.stderr


def test_rl_uses_the_published_hours_and_prints_utilisation():
    res = runner.invoke(app, ["rl", "deepseek-r1-zero"])
    assert res.exit_code == 0, res.output
    assert "run total:" in res.output and "implied utilisation of H800" in res.output


def test_rl_json_with_given_chip_hours():
    res = runner.invoke(
        app, ["rl", "deepseek-r1", "--chip", "H800", "--chip-hours", "41k", "--json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out["phases"]) >= {"generation_prefill", "generation_decode", "update"}
    assert out["hardware"]["chip_hours"]["median"] == pytest.approx(41000)
    assert 0.01 < out["hardware"]["implied_utilization"]["median"] < 0.7


def test_rl_implausible_hours_warn_on_stderr():
    res = runner.invoke(app, ["rl", "deepseek-r1-zero", "--chip", "H800", "--chip-hours", "10"])
    assert res.exit_code == 0
    assert "warning: implied utilisation" in res.stderr


def test_rl_bad_recipe_is_one_line_exit_1(tmp_path):
    bad = tmp_path / "r.yaml"
    bad.write_text("name: x\narchitecture: qwq-32b\nalgorithm: trpo\nstages: [{steps: 1}]\n")
    res = runner.invoke(app, ["rl", str(bad)])
    assert res.exit_code == 1
    assert "unknown algorithm 'trpo'" in res.stderr and "Traceback" not in res.output


def test_flops_mtp_and_lora_options():
    plain = json.loads(runner.invoke(app, ["flops", "deepseek-v3", "--json"]).stdout)
    mtp = json.loads(runner.invoke(app, ["flops", "deepseek-v3", "--json", "--mtp"]).stdout)
    assert plain["mtp_counted"] is False and mtp["mtp_counted"] is True
    assert mtp["forward_flop_per_sequence"] > plain["forward_flop_per_sequence"]
    assert plain["parameters_total"] == mtp["parameters_total"]  # MTP parameters are separate
    res = runner.invoke(
        app,
        [
            "flops",
            str(CONFIGS / "toy-llama-by-hand.json"),
            "--context",
            "3",
            "--json",
            "--lora-rank",
            "1",
            "--lora-targets",
            "q_proj",
        ],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["lora"]["training_flop_per_sequence"] == 7728  # test_lora
    bad = runner.invoke(app, ["flops", "deepseek-v3", "--lora-rank", "4"])
    assert bad.exit_code == 1 and "LoRA accounting supports dense GQA decoders" in bad.stderr
