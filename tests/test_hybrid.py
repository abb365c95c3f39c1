"""flopcast.accounting.hybrid: Nemotron-H blocks from a list or the legacy pattern."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flopcast.accounting.architecture import (
    from_config,
)
from flopcast.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = Path(__file__).parent / "data" / "configs"

# A hand-checkable Llama: d=8, h=2 heads of 4, h_kv=1, f=16, L=1, V=10, untied.
TOY = json.loads((CONFIGS / "toy-llama-by-hand.json").read_text())


NEMOTRON_H = json.loads((CONFIGS / "tiny-nemotron_h.json").read_text())
del NEMOTRON_H["layers_block_type"]  # each test says its blocks, as a list or the legacy pattern


def test_nemotron_h_blocks_from_list_or_legacy_pattern():
    listed = from_config(
        {**NEMOTRON_H, "layers_block_type": ["linear_attention", "full_attention", "mlp", "moe"]}
    )
    legacy = from_config({**NEMOTRON_H, "hybrid_override_pattern": "M*-E"})
    assert listed.parameters() == legacy.parameters()
    assert [layer.kind for layer in legacy.layers] == [
        "linear_attention",
        "full_attention",
        "mlp",
        "moe",
    ]
    assert legacy.pair_flop == {None: 4 * 4 * 8}  # one attention block: 2 h d_h + 2 h d_h
    with pytest.raises(
        ConfigError, match=r"hybrid_override_pattern: unknown block type|characters"
    ):
        from_config({**NEMOTRON_H, "hybrid_override_pattern": "MX"})
    with pytest.raises(ConfigError, match=r"layers_block_type: unknown block type\(s\) \['rnn'\]"):
        from_config({**NEMOTRON_H, "layers_block_type": ["rnn"]})
