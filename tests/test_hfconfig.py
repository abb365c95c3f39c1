"""flopcast.accounting.hfconfig: config.json files read safely, every field typed and bounded.

Each bad input of issue 14 (item 3) is a regression test here: one ConfigError line naming the
file and the field, raised before any arithmetic; through the CLI it is exit 1 and one line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flopcast.accounting.architecture import from_config, list_architectures
from flopcast.accounting.hfconfig import MAX_LAYERS, READERS, Fields, families, load_config
from flopcast.cli import app
from flopcast.core.errors import ConfigError, UnknownNameError

CONFIGS = Path(__file__).parent / "data" / "configs"
TOY = json.loads((CONFIGS / "toy-llama-by-hand.json").read_text())
NAS = {
    "model_type": "nemotron-nas",
    "hidden_size": 8,
    "num_attention_heads": 2,
    "vocab_size": 10,
}
runner = CliRunner()


def _write(tmp_path: Path, cfg: dict, name: str = "config.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(cfg))  # json.dumps writes NaN and Infinity as JSON extensions
    return path


BAD = [
    ({**TOY, "num_hidden_layers": float("nan")}, "num_hidden_layers", "must be a finite integer"),
    ({**TOY, "hidden_size": float("inf")}, "hidden_size", "must be a finite integer"),
    ({**TOY, "model_type": ["llama"]}, "model_type", "must be a string, not ['llama']"),
    ({**NAS, "block_configs": [1, 2, 3]}, "block_configs[0]", "must be a mapping"),
    (
        {**NAS, "block_configs": [{"attention": {"no_op": True}, "ffn": {"ffn_mult": "x"}}]},
        "block_configs[0].ffn.ffn_mult",
        "valid number",
    ),
    (
        {**NAS, "block_configs": [{"attention": {"no_op": True}, "ffn": {"ffn_mult": -1}}]},
        "block_configs[0].ffn.ffn_mult",
        "must be a finite number above 0",
    ),
    ({**TOY, "num_hidden_layers": 10_000_000}, "num_hidden_layers", "must be at most 4,096"),
    ({**TOY, "hidden_size": "8"}, "hidden_size", "must be an integer, not '8'"),
    ({**TOY, "hidden_size": 8.5}, "hidden_size", "must be an integer, not 8.5"),
    ({**TOY, "hidden_size": True}, "hidden_size", "must be an integer, not True"),
    ({**TOY, "vocab_size": 1 << 30}, "vocab_size", "must be at most 16,777,216"),
    ({**TOY, "attention_bias": "yes"}, "attention_bias", "must be true or false, not 'yes'"),
    ({**TOY, "layer_types": "full"}, "layer_types", "must be a list of strings"),
    ({**TOY, "layer_types": ["full_attention"] * 2}, "layer_types", "has 2 entries for 1 layers"),
    ({**TOY, "sliding_window": -4}, "sliding_window", "must be at least 0"),
    ({"model_type": "gemma3", "text_config": [1]}, "text_config", "must be a JSON object"),
    ({**TOY, "model_type": "mamba"}, "model_type", "is not supported; supported: llama"),
]


@pytest.mark.parametrize(("cfg", "field", "words"), BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_bad_field_is_one_line_naming_file_and_field(tmp_path, cfg, field, words):
    path = _write(tmp_path, cfg)
    with pytest.raises(ConfigError) as err:
        from_config(path)
    message = str(err.value)
    assert message.startswith(f"{path}: {field}: "), message
    assert words in message and "\n" not in message


def test_every_bad_field_is_exit_1_and_one_line_from_the_cli(tmp_path):
    for i, (cfg, field, _) in enumerate(BAD):
        path = _write(tmp_path, cfg, f"c{i}.json")
        res = runner.invoke(app, ["flops", str(path)])
        assert res.exit_code == 1, (field, res.output)
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
        assert field in res.stderr and "Traceback" not in res.output


def test_utf16_file_is_refused_as_not_utf8(tmp_path):
    path = tmp_path / "config.json"
    path.write_bytes(json.dumps(TOY).encode("utf-16"))
    with pytest.raises(ConfigError, match=r"config.json: not UTF-8 text \(byte 0\)"):
        from_config(path)
    res = runner.invoke(app, ["flops", str(path)])
    assert res.exit_code == 1 and "not UTF-8 text" in res.stderr


def test_deeply_nested_or_non_object_json_is_one_line(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ConfigError, match="JSON nested too deeply|must hold one JSON object"):
        from_config(deep)
    arr = tmp_path / "arr.json"
    arr.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="must hold one JSON object"):
        from_config(arr)
    broken = tmp_path / "broken.json"
    broken.write_text('{"model_type": "llama",\n')
    with pytest.raises(ConfigError, match="not valid JSON: .* at line 2"):
        from_config(broken)


def test_layer_count_bound_is_checked_before_building_layers():
    # 10 million layers would be ~2 GB of Layer objects; the bound refuses it at once.
    with pytest.raises(ConfigError, match=f"at most {MAX_LAYERS:,}"):
        from_config({**TOY, "num_hidden_layers": 10_000_000})
    assert len(from_config({**TOY, "num_hidden_layers": MAX_LAYERS}).layers) == 4096


def test_aliases_are_tried_in_order():
    fields = Fields({"num_local_experts": 8}, "qwen3_moe")
    assert fields.integer(["num_experts", "num_local_experts", "n_routed_experts"]) == 8
    with pytest.raises(ConfigError, match="missing required key 'num_experts'"):
        fields.integer(["num_experts", "n_routed_experts"])


def test_load_config_names_and_paths(tmp_path):
    path = _write(tmp_path, TOY)
    cfg = load_config(path)
    assert cfg["_path"] == str(path) and cfg["_name"] == tmp_path.name  # a config.json: folder
    assert load_config("deepseek-v3")["model_type"] == "deepseek_v3"
    with pytest.raises(UnknownNameError, match="did you mean 'deepseek-v3'"):
        load_config("deepseek-v4")
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.json")


def test_every_family_names_a_registered_reader():
    for name, fam in families().items():
        assert fam.reader in READERS, name


def test_bounds_stay_far_above_the_shipped_configs():
    # the numbers the module docstring states for the shipped configs
    archs = [from_config(name) for name in list_architectures()]
    assert max(len(a.layers) for a in archs) == 162 < MAX_LAYERS
    assert max(a.hidden_size for a in archs) == 16_384
    assert max(a.vocab_size for a in archs) == 152_064
