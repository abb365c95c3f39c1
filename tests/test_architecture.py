"""flopcast.accounting.architecture: from_config on shipped configs (published parameter counts),
errors naming what is supported, and the documentation's examples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from flopcast.accounting.architecture import (
    from_config,
    list_architectures,
)
from flopcast.accounting.layers import block, cost
from flopcast.core.errors import ConfigError, UnknownNameError

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = Path(__file__).parent / "data" / "configs"

# A hand-checkable Llama: d=8, h=2 heads of 4, h_kv=1, f=16, L=1, V=10, untied.
TOY = json.loads((CONFIGS / "toy-llama-by-hand.json").read_text())


# ---- published parameter counts ---------------------------------------------------------


def test_deepseek_v3_671b_total_37b_active():
    p = from_config("deepseek-v3").parameters()
    assert p["total"] == pytest.approx(671e9, rel=0.01)
    # DeepSeek: "Activation parameters: 36.6B (including 0.9B for the output Head)", i.e. without
    # the input embedding; the paper rounds it to 37B.
    assert p["non_embedding"] == pytest.approx(36.6e9, rel=0.01)
    assert round(p["non_embedding"] / 1e9) == 37


def test_llama_3_1_405b():
    assert from_config("llama-3.1-405b").parameters()["total"] == pytest.approx(405e9, rel=0.01)


def test_qwen3_235b_a22b():
    p = from_config("qwen3-235b-a22b").parameters()
    assert p["total"] == pytest.approx(235e9, rel=0.01)
    assert p["active"] == pytest.approx(22e9, rel=0.01)


def test_qwen2_5_32b_exact_count():
    # q,k,v biases included; an independent count of the same config gives 32,763,876,352.
    assert from_config("qwen2.5-32b").parameters()["total"] == 32_763_876_352


def test_every_shipped_config_has_a_source_url():
    for name in list_architectures():
        assert from_config(name).source.startswith("https://"), name


# ---- errors -------------------------------------------------------------------------------


def test_unsupported_model_type_names_it():
    with pytest.raises(ConfigError, match="model_type 'mamba' is not supported"):
        from_config({**TOY, "model_type": "mamba"})


def test_negative_dimension_is_refused():
    with pytest.raises(ConfigError, match="hidden_size: must be at least 1, not -8"):
        from_config({**TOY, "hidden_size": -8})


def test_unknown_shipped_name_suggests():
    with pytest.raises(UnknownNameError, match="did you mean 'deepseek-v3'"):
        from_config("deepseek-v4")


def test_block_registry_rejects_duplicates():
    with pytest.raises(ValueError, match="already registered"):
        block("gqa")(lambda **_: None)
    with pytest.raises(UnknownNameError, match="unknown block type 'conv'"):
        cost("conv")


# ---- the documentation's examples run -------------------------------------------------------


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_docs_accounting_examples_run():
    blocks = _python_blocks(ROOT / "docs" / "accounting.md")
    assert blocks, "docs/accounting.md has no ```python blocks"
    for code in blocks:
        exec(compile(code, "docs/accounting.md", "exec"), {})
