"""flopcast.accounting.model: the compiled counts (closed forms by hand, causal pairs, windows,
conventions, MTP)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopcast.accounting.architecture import (
    Conventions,
    from_config,
    keys_causal,
    palm_flop_per_token,
)

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


def test_palm_formula_for_a_dense_model():
    arch = from_config(TOY)
    n = arch.parameters()["non_embedding"]  # 192 + 384 + 16 + 8 + 80 (head)
    assert n == 680
    assert palm_flop_per_token(arch, 3) == 6 * 680 + 12 * 1 * 2 * 4 * 3  # 4368


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
