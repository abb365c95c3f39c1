"""flopcast.accounting.readers: the decoder reader for each family rule (aliases, MoE layers, DSA, hybrid layers)."""

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


def test_missing_key_names_the_key():
    cfg = dict(TOY)
    del cfg["intermediate_size"]
    with pytest.raises(ConfigError, match="missing required key 'intermediate_size'"):
        from_config(cfg)


def test_experts_per_token_above_experts_is_refused():
    cfg = json.loads((CONFIGS / "tiny-mixtral.json").read_text())
    with pytest.raises(
        ConfigError, match=r"num_experts_per_tok \(5\) exceeds num_local_experts \(4\)"
    ):
        from_config({**cfg, "num_experts_per_tok": 5})


def test_expert_count_aliases_of_transformers_5():
    # transformers 5.x saves Qwen3-MoE and Mixtral experts as num_local_experts; older files
    # say num_experts (Qwen) and DeepSeek says n_routed_experts: each family reads every name.
    cfg = json.loads((CONFIGS / "tiny-qwen3_moe.json").read_text())
    renamed = {k: v for k, v in cfg.items() if k != "num_experts"}
    renamed["num_local_experts"] = cfg["num_experts"]
    assert from_config(renamed).parameters() == from_config(cfg).parameters()
    mixtral = json.loads((CONFIGS / "tiny-mixtral.json").read_text())
    old = {k: v for k, v in mixtral.items() if k != "num_local_experts"}
    old["num_experts"] = mixtral["num_local_experts"]
    assert from_config(old).parameters() == from_config(mixtral).parameters()


def test_deepseek_sparse_attention_reads_top_k_keys_and_indexes_all():
    cfg = {**json.loads((CONFIGS / "tiny-deepseek_v32.json").read_text()), "num_hidden_layers": 1}
    arch = from_config(cfg)
    main = 2 * 4 * (16 + 8) + 2 * 4 * 16  # MLA pair: 192 + 128 = 320
    indexer = 2 * 2 * 16 + 2 * 2  # 68
    assert arch.pair_flop == {6: main, None: indexer}
    # at position 99 a query reads its top 6 keys and the indexer scores all 100
    linear = arch.flop_per_token_linear()
    assert arch.forward_flop_per_token(99) == linear + 6 * main + 100 * indexer
    assert arch.layers[0].kind == "dense"  # first_k_dense_replace = 1


def test_qwen3_next_hybrid_layers():
    cfg = {
        **json.loads((CONFIGS / "tiny-qwen3_next.json").read_text()),
        "num_hidden_layers": 8,
    }
    arch = from_config(cfg)  # no layer_types: every 4th layer is full attention (Qwen3-Next)
    attends = [bool(layer.attention.flop_per_pair) for layer in arch.layers]
    assert attends == [False, False, False, True] * 2
    assert arch.pair_flop == {None: 2 * (2 * 4 * 8 + 2 * 4 * 8)}  # 2 attention layers x 128
    types = ["linear_attention", "full_attention"] * 4
    assert (
        sum(
            1
            for la in from_config({**cfg, "layer_types": types}).layers
            if la.attention.flop_per_pair
        )
        == 4
    )
