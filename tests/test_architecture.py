"""flopcast.accounting.architecture and flopcast.accounting.layers: closed forms, published parameter counts, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopcast.accounting.architecture import (
    Conventions,
    from_config,
    keys_causal,
    list_architectures,
    palm_flop_per_token,
)
from flopcast.accounting.layers import block, cost
from flopcast.core.errors import ConfigError, UnknownNameError

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = Path(__file__).parent / "data" / "configs"

# A hand-checkable Llama: d=8, h=2 heads of 4, h_kv=1, f=16, L=1, V=10, untied.
TOY = json.loads((CONFIGS / "toy-llama-by-hand.json").read_text())


def test_toy_llama_counts_by_hand():
    arch = from_config(TOY)
    # q 8x8 + k 8x4 + v 8x4 + o 8x8 = 192 ; mlp 3 * 8 * 16 = 384
    assert arch.body_flop_per_token == 2 * (192 + 384)  # 1152
    assert arch.head_flop_per_token == 160  # 2 * 8 * 10
    assert arch.pair_flop == {None: 32}  # 2 heads * (2*4 score + 2*4 value)
    # params: layer 192 + 384 + 2 norms * 8 ; embedding 80 ; head 80 ; final norm 8
    assert arch.parameters()["total"] == 192 + 384 + 16 + 80 + 80 + 8  # 760
    # forward of 3 tokens, causal: C*s + A*(1+2+3)
    assert arch.forward_flop(3) == (1152 + 160) * 3 + 32 * 6  # 4128
    assert arch.forward_flop(3, Conventions(causal=False)) == (1152 + 160) * 3 + 32 * 9  # 4224
    assert arch.forward_flop(3, Conventions(unit="mac")) == 4128 / 2
    assert arch.forward_flop(3, Conventions(embedding=True)) == 4128 + 160 * 3  # 2 V d per token


def test_per_token_sums_to_per_sequence():
    arch = from_config(CONFIGS / "tiny-gemma2.json")  # alternating window-8 / global layers
    s = 20
    per_token = sum(arch.forward_flop_per_token(p) for p in range(s))
    assert per_token == pytest.approx(arch.forward_flop(s))


@given(st.integers(0, 5000), st.one_of(st.none(), st.integers(1, 3000)))
@settings(max_examples=200, deadline=None)
def test_keys_causal_is_the_sum_of_min_p_plus_1_w(s, w):
    brute = sum(min(p + 1, w) if w else p + 1 for p in range(s))
    assert keys_causal(s, w) == brute


@given(st.integers(1, 4096))
@settings(max_examples=50, deadline=None)
def test_training_is_three_times_forward(s):
    arch = from_config("qwen3-235b-a22b")
    assert arch.training_flop(s) == pytest.approx(3 * arch.forward_flop(s))


def test_sliding_window_saves_only_past_the_window():
    arch = from_config(CONFIGS / "tiny-mistral.json")  # window 8 on every layer
    dense = from_config(
        {**json.loads((CONFIGS / "tiny-mistral.json").read_text()), "sliding_window": None}
    )
    assert arch.forward_flop(8) == dense.forward_flop(8)
    assert arch.forward_flop(100) < dense.forward_flop(100)
    # past the window every token sees 8 keys: the per-token cost stops growing
    assert arch.forward_flop_per_token(50) == arch.forward_flop_per_token(500)


def test_vectorised_over_numpy_arrays():
    arch = from_config("llama-3.1-405b")
    lengths = np.array([1, 100, 10_000])
    np.testing.assert_allclose(
        arch.forward_flop(lengths), [arch.forward_flop(int(n)) for n in lengths]
    )


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


def test_nemotron_ultra_253b_from_its_nas_blocks():
    arch = from_config("llama-3.1-nemotron-ultra-253b")
    assert arch.parameters()["total"] == pytest.approx(253e9, rel=0.01)
    assert len(arch.layers) == 162
    assert (
        sum(1 for layer in arch.layers if layer.attention.flop_per_pair == 0) == 81 + 9 + 2 + 2 + 4
    )


def test_qwen2_5_32b_exact_count():
    # q,k,v biases included; an independent count of the same config gives 32,763,876,352.
    assert from_config("qwen2.5-32b").parameters()["total"] == 32_763_876_352


def test_every_shipped_config_has_a_source_url():
    for name in list_architectures():
        assert from_config(name).source.startswith("https://"), name


def test_palm_formula_for_a_dense_model():
    arch = from_config(TOY)
    n = arch.parameters()["non_embedding"]  # 192 + 384 + 16 + 8 + 80 (head)
    assert n == 680
    assert palm_flop_per_token(arch, 3) == 6 * 680 + 12 * 1 * 2 * 4 * 3  # 4368


# ---- errors -------------------------------------------------------------------------------


def test_unsupported_model_type_names_it():
    with pytest.raises(ConfigError, match="model_type 'mamba' is not supported"):
        from_config({**TOY, "model_type": "mamba"})


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
    cfg = {
        "model_type": "deepseek_v32",
        "hidden_size": 32,
        "intermediate_size": 48,
        "num_hidden_layers": 1,
        "num_attention_heads": 4,
        "vocab_size": 64,
        "moe_intermediate_size": 16,
        "n_routed_experts": 8,
        "num_experts_per_tok": 2,
        "first_k_dense_replace": 1,
        "kv_lora_rank": 16,
        "q_lora_rank": 24,
        "qk_rope_head_dim": 8,
        "qk_nope_head_dim": 16,
        "v_head_dim": 16,
        "index_topk": 6,
        "index_head_dim": 16,
        "index_n_heads": 2,
    }
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
        "model_type": "qwen3_next",
        "hidden_size": 32,
        "num_hidden_layers": 8,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "head_dim": 8,
        "vocab_size": 64,
        "linear_conv_kernel_dim": 4,
        "linear_key_head_dim": 8,
        "linear_value_head_dim": 8,
        "linear_num_key_heads": 2,
        "linear_num_value_heads": 4,
        "moe_intermediate_size": 16,
        "shared_expert_intermediate_size": 16,
        "num_experts_per_tok": 2,
        "num_experts": 4,
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


NEMOTRON_H = {
    "model_type": "nemotron_h",
    "hidden_size": 32,
    "intermediate_size": 48,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 8,
    "vocab_size": 64,
    "mamba_num_heads": 4,
    "mamba_head_dim": 8,
    "ssm_state_size": 8,
    "n_groups": 2,
    "conv_kernel": 4,
    "chunk_size": 16,
    "n_routed_experts": 4,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 16,
    "moe_shared_expert_intermediate_size": 24,
}


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


def test_deepseek_v3_mtp_module_is_counted_only_when_asked():
    arch = from_config("deepseek-v3")
    p = arch.parameters()
    # DeepSeek-V3 README: 685B on Hugging Face = 671B main model + 14B MTP module, whose
    # checkpoint holds its own copies of the embedding and the head (0.93B each).
    assert p["total"] + p["mtp"] + 2 * p["embedding"] == pytest.approx(685e9, rel=0.002)
    assert len(arch.mtp_layers) == 1  # num_nextn_predict_layers
    plain = arch.forward_flop(4096)
    with_mtp = arch.forward_flop(4096, Conventions(mtp=True))
    module = arch.mtp_layers[0]
    extra = (module.cost.flop_per_token + arch.head_flop_per_token) * 4096 + sum(
        a * keys_causal(4096, w) for w, a in module.pairs()
    )
    assert with_mtp == pytest.approx(plain + extra, rel=1e-12)
    # the module: eh_proj 2d -> d (2 x 2 x 7168^2 FLOP per token) plus a layer like the last
    d = 7168
    assert module.cost.flop_per_token == arch.layers[-1].cost.flop_per_token + 4 * d * d
