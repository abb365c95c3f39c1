"""flopcast.accounting.layers: each block formula with its arithmetic written out."""

from __future__ import annotations

import pytest

from flopcast.accounting.layers import BLOCKS, BlockCost, block, blocks, cost
from flopcast.core.errors import ConfigError, UnknownNameError


def test_blockcost_adds_fieldwise():
    assert BlockCost(1, 2, 3, 4) + BlockCost(10, 20, 30, 40) == BlockCost(11, 22, 33, 44)
    assert BlockCost() == BlockCost(0, 0, 0, 0)


def test_gqa_by_hand():
    # d=8, h=2 heads of d_h=4, h_kv=1: W_Q 8x8, W_K 8x4, W_V 8x4, W_O 8x8
    c = cost("gqa", d=8, h=2, h_kv=1, d_h=4)
    assert c.params == 64 + 32 + 32 + 64  # 192
    assert c.active_params == c.params
    assert c.flop_per_token == 2 * 192  # 384: 2 FLOP per weight
    assert c.flop_per_pair == 2 * 2 * 4 + 2 * 2 * 4  # 32: score 2 h d_h + value mix 2 h d_h


def test_gqa_biases_norms_and_sinks_are_parameters_only():
    base = cost("gqa", d=8, h=2, h_kv=1, d_h=4)
    biased = cost("gqa", d=8, h=2, h_kv=1, d_h=4, qkv_bias=True, o_bias=True)
    assert biased.params - base.params == 8 + 4 + 4 + 8  # q, k, v and o biases
    assert biased.flop_per_token == base.flop_per_token  # bias adds are not matmuls
    assert cost("gqa", d=8, h=2, h_kv=1, d_h=4, qk_norm=True).params == 192 + 2 * 4
    full = cost("gqa", d=8, h=2, h_kv=1, d_h=4, qk_norm_full=True)
    assert full.params == 192 + (2 + 1) * 4  # OLMo 2: RMSNorm over h d_h and h_kv d_h
    assert cost("gqa", d=8, h=2, h_kv=1, d_h=4, sinks=True).params == 192 + 2  # one per head
    assert full.flop_per_token == base.flop_per_token and full.flop_per_pair == 32


def test_mha_pair_cost_depends_on_query_heads_not_kv_heads():
    mha = cost("gqa", d=8, h=2, h_kv=2, d_h=4)
    mqa = cost("gqa", d=8, h=2, h_kv=1, d_h=4)
    assert mha.flop_per_pair == mqa.flop_per_pair == 32
    assert mha.params - mqa.params == 2 * 8 * 4  # one more K and V head: 8x4 each


def test_mla_by_hand():
    # d=16, h=2, q_lora_rank=4, kv_lora_rank=6, d_nope=3, d_rope=2, d_v=5
    c = cost("mla", d=16, h=2, q_lora_rank=4, kv_lora_rank=6, d_nope=3, d_rope=2, d_v=5)
    q = 16 * 4 + 4 * 2 * (3 + 2)  # d -> r_q -> h (d_nope + d_rope): 64 + 40 = 104
    kv = 16 * (6 + 2) + 6 * 2 * (3 + 5)  # d -> r_kv + d_rope, r_kv -> h (d_nope + d_v): 128 + 96
    o = 2 * 5 * 16  # h d_v -> d: 160
    assert c.flop_per_token == 2 * (q + kv + o)  # 2 * 488 = 976
    assert c.params == q + kv + o + 4 + 6  # + q_a_layernorm (4) + kv_a_layernorm (6) = 498
    assert c.flop_per_pair == 2 * 2 * (3 + 2) + 2 * 2 * 5  # 20 + 20 = 40


def test_mla_without_query_compression():
    c = cost("mla", d=16, h=2, q_lora_rank=0, kv_lora_rank=6, d_nope=3, d_rope=2, d_v=5)
    q = 16 * 2 * 5  # d -> h (d_nope + d_rope): 160
    assert c.flop_per_token == 2 * (q + 224 + 160)  # 1088
    assert c.params == q + 224 + 160 + 6  # only the kv_a_layernorm: 550


def test_gated_and_plain_mlp():
    g = cost("gated_mlp", d=8, f=16)
    assert g.params == 3 * 8 * 16  # 384: gate, up, down
    assert g.flop_per_token == 6 * 8 * 16  # 768
    assert cost("gated_mlp", d=8, f=16, bias=True).params == 384 + 16 + 16 + 8
    p = cost("plain_mlp", d=8, f=32)  # GPT-2: biased by default
    assert p.params == 2 * 8 * 32 + 32 + 8  # 552
    assert p.flop_per_token == 4 * 8 * 32  # 1024
    assert p.flop_per_pair == 0


def test_moe_counts_all_experts_as_params_and_top_k_as_active():
    # d=8, expert f=4, E=6 experts, k=2 per token, no shared expert
    c = cost("moe", d=8, f_expert=4, n_experts=6, top_k=2)
    expert = 3 * 8 * 4  # 96
    router = 8 * 6  # 48
    assert c.params == 6 * expert + router  # 624
    assert c.active_params == 2 * expert + router  # 240
    assert c.flop_per_token == 2 * (2 * expert + router)  # 480


def test_moe_shared_expert_gate_and_biases():
    # Qwen2-MoE: shared expert of f=12 and a d -> 1 sigmoid gate
    c = cost("moe", d=8, f_expert=4, n_experts=6, top_k=2, f_shared=12, shared_gate=True)
    shared = 3 * 8 * 12  # 288
    assert c.active_params == 2 * 96 + 48 + shared + 8  # 536
    assert c.flop_per_token == 2 * 536  # 1072
    # gpt-oss: expert biases (2f + d each) and a router bias (E)
    b = cost("moe", d=8, f_expert=4, n_experts=6, top_k=2, expert_bias=True, router_bias=True)
    assert b.params == 6 * (96 + 4 + 4 + 8) + 48 + 6  # 726
    assert b.flop_per_token == 480  # biases add no matmul FLOP


def test_moe_top_k_above_experts_is_refused():
    with pytest.raises(ConfigError, match=r"experts per token \(7\) exceeds the number"):
        cost("moe", d=8, f_expert=4, n_experts=6, top_k=7)


def test_removed_blocks_are_zero():
    assert cost("no_attention") == BlockCost() == cost("no_mlp")


def test_registry_is_the_core_registry():
    assert blocks() == BLOCKS.names()
    assert {"gqa", "mla", "gated_mlp", "plain_mlp", "moe", "no_attention", "no_mlp"} <= set(
        blocks()
    )
    with pytest.raises(ValueError, match="block type 'moe' is already registered"):
        block("moe")(lambda **_: BlockCost())
    with pytest.raises(UnknownNameError, match="unknown block type 'gqb'; did you mean 'gqa'"):
        cost("gqb")


def test_dsa_indexer_by_hand():
    # d=32, query latent 24, 2 indexer heads of 16
    c = cost("dsa_indexer", d=32, q_lora_rank=24, h_idx=2, d_idx=16)
    weights = 24 * 32 + 32 * 16 + 32 * 2  # queries, key, head weights: 768 + 512 + 64 = 1344
    assert c.flop_per_token == 2 * weights  # 2688
    assert c.params == weights + 2 * 16  # + the key LayerNorm (weight and bias): 1376
    assert c.flop_per_pair == 2 * 2 * 16 + 2 * 2  # scores 64 + weighted sum over heads 4 = 68


def test_gated_deltanet_by_hand():
    # d=32, 2 key heads and 4 value heads of 8, conv width 4, chunk 64
    c = cost("gated_deltanet", d=32, h_k=2, h_v=4, d_k=8, d_v=8, conv=4, chunk=64)
    qkvz = 32 * (2 * 2 * 8 + 2 * 4 * 8)  # 32 * 96 = 3072
    ba = 32 * 2 * 4  # 256
    out = 4 * 8 * 32  # 1024
    channels = 2 * 2 * 8 + 4 * 8  # q, k, v: 64
    state = 4 * (3 * 2 * 8 * 8 + 2 * 2 * 64 * 8 + 2 * 64 * 8)  # 4 * (384 + 2048 + 1024) = 13824
    assert c.flop_per_token == 2 * (qkvz + ba + out) + 2 * channels * 4 + state  # 8704 + 512 + ...
    assert c.params == qkvz + ba + out + channels * 4 + 2 * 4 + 8  # + dt_bias, A_log, norm
    assert c.flop_per_pair == 0  # linear attention: nothing grows with the context


def test_query_gate_doubles_the_query_projection():
    gated = cost("gqa", d=8, h=2, h_kv=1, d_h=4, query_gate=True)
    assert gated.params == 192 + 8 * 8  # W_Q is 8 x 16
    assert gated.flop_per_pair == 32


def test_mamba2_by_hand():
    # d=32, 4 heads of 8 channels (I = 32), state 8 in 2 groups, conv width 4, chunk 16
    c = cost("mamba2", d=32, h=4, p=8, n=8, groups=2, conv=4, chunk=16)
    channels = 32 + 2 * 2 * 8  # x, B, C: 64
    proj = 32 * (32 + channels + 4)  # z, x B C, dt: 32 * 100 = 3200
    out = 32 * 32  # 1024
    ssd = 4 * (2 * 16 * 8 + 2 * 16 * 8 + 4 * 8 * 8)  # 4 * (256 + 256 + 256) = 3072
    assert c.flop_per_token == 2 * (proj + out) + 2 * channels * 4 + ssd  # 8448 + 512 + 3072
    conv_w = channels * 4 + channels  # weights and bias
    assert c.params == proj + out + conv_w + 3 * 4 + 32  # + dt_bias, A_log, D, norm: 4588
    assert c.flop_per_pair == 0


def test_plain_latent_moe_by_hand():
    # Nemotron-H: two-matrix experts in a latent width 8, shared two-matrix expert of 24
    c = cost("moe", d=32, f_expert=16, n_experts=4, top_k=2, f_shared=24, plain=True, latent=8)
    expert = 2 * 8 * 16  # 256
    active = 2 * expert + 32 * 4 + 2 * 32 * 24 + 2 * 32 * 8  # + router, shared, latent in/out
    assert c.active_params == active  # 512 + 128 + 1536 + 512 = 2688
    assert c.flop_per_token == 2 * active
    assert c.params == active + 2 * expert
