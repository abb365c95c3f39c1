"""flopcast.accounting.nas: Nemotron NAS blocks (the 253B published count; bad blocks are in test_hfconfig)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flopcast.accounting.architecture import (
    from_config,
)

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = Path(__file__).parent / "data" / "configs"

# A hand-checkable Llama: d=8, h=2 heads of 4, h_kv=1, f=16, L=1, V=10, untied.
TOY = json.loads((CONFIGS / "toy-llama-by-hand.json").read_text())


def test_nemotron_ultra_253b_from_its_nas_blocks():
    arch = from_config("llama-3.1-nemotron-ultra-253b")
    assert arch.parameters()["total"] == pytest.approx(253e9, rel=0.01)
    assert len(arch.layers) == 162
    assert (
        sum(1 for layer in arch.layers if layer.attention.flop_per_pair == 0) == 81 + 9 + 2 + 2 + 4
    )
