"""flopcast.accounting.lora: LoRA training FLOP on a frozen base, by hand (the FlopCounterMode
comparison is in tests/test_torch_validation.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flopcast.accounting.architecture import Conventions, from_config
from flopcast.accounting.lora import TARGETS, lora
from flopcast.core.errors import ConfigError, InputError

CONFIGS = Path(__file__).parent / "data" / "configs"
# d=8, h=2 heads of 4, h_kv=1, f=16, L=1, V=10: q 8x8, k 8x4, v 8x4, o 8x8, gate/up 8x16, down 16x8
TOY = json.loads((CONFIGS / "toy-llama-by-hand.json").read_text())


def test_rank_1_on_q_by_hand():
    c = lora(TOY, 3, rank=1, targets=["q_proj"])  # 3 tokens, causal: 6 pairs
    assert c.base_forward == from_config(TOY).forward_flop(3) == 4128
    assert c.forward == 4128 + 2 * 1 * (8 + 8) * 3  # + the adapter on q: 4224
    # layer 0 reads the frozen embedding: no input gradient for q, k, v; only q's adapter
    # weight gradients (dB, d(Ax), dA = 16 + 16 + 16 per token); q needs a gradient, k and v
    # do not, so of the attention products only dq (96) and dP (96) run; then o, the MLP and
    # the head need input gradients (frozen: 1x their forward)
    adapter = (2 * 8 + 2 * 8 + 2 * 8) * 3  # 144
    attention = 96 + 96  # score 2 h d_h x 6 pairs = 96 each
    rest = 2 * 64 * 3 + 2 * 2 * 128 * 3 + 2 * 128 * 3 + 2 * 8 * 10 * 3  # o, gate+up, down, head
    assert c.backward == adapter + attention + rest  # 144 + 192 + 3168 = 3504
    assert c.training == 7728
    assert c.adapter_params == 1 * (8 + 8)


def test_all_linear_is_below_full_training_and_above_two_forwards():
    arch = from_config("qwen2.5-1.5b")
    c = lora("qwen2.5-1.5b", 4096, rank=16)
    assert c.targets == TARGETS
    full = arch.training_flop(4096)  # 3x forward: weight and input gradients everywhere
    assert 2 * c.base_forward < c.training < full
    assert c.base_forward == pytest.approx(arch.forward_flop(4096))


def test_mac_unit_halves():
    flop = lora(TOY, 3, rank=2)
    mac = lora(TOY, 3, rank=2, conventions=Conventions(unit="mac"))
    assert mac.training == flop.training / 2


def test_bad_lora_input_is_one_line():
    with pytest.raises(InputError, match=r"unknown LoRA target\(s\) \['qkv'\]; allowed: q_proj"):
        lora(TOY, 3, rank=1, targets=["qkv"])
    with pytest.raises(InputError, match="LoRA rank must be between 1"):
        lora(TOY, 3, rank=0)
    with pytest.raises(ConfigError, match="LoRA accounting supports dense GQA decoders"):
        lora("deepseek-v3", 3, rank=1)


def test_sliding_windows_are_taken_per_layer():
    cfg = json.loads((CONFIGS / "tiny-gemma2.json").read_text())  # alternating window 8 / global
    c = lora(cfg, 100, rank=2)
    assert c.base_forward == pytest.approx(from_config(cfg).forward_flop(100))


def test_fused_projections_are_refused():
    cfg = json.loads((CONFIGS / "tiny-phi3.json").read_text())  # qkv_proj, gate_up_proj
    with pytest.raises(ConfigError, match="not 'phi3'"):
        lora(cfg, 3, rank=1)
