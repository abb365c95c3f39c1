"""LoRA fine-tuning: the FLOP of low-rank adapters trained on a frozen base model.

LoRA (Hu et al. 2021, arXiv:2106.09685) adds to a frozen ``m -> n`` projection ``W`` the
product ``B A`` of ``A: m -> r`` and ``B: r -> n``; only ``A`` and ``B`` are trained. Per token
the adapter costs ``2 r (m + n)`` FLOP forward. Backward differs from full training:

- a frozen matmul needs only the gradient of its input (``1x`` its forward), never a weight
  gradient, so the base costs ``2x`` forward over a step instead of ``3x``;
- an adapter needs weight gradients for ``A`` and ``B`` and the gradient through ``A x``
  (``2 r n + 2 r n + 2 m r``), plus the input gradient ``2 m r`` when the input needs one;
- an input needs a gradient only if something before it is trained. The embedding is frozen,
  so in the first layer the projections that read it need no input gradient, and attention
  products need a gradient only for the operands that depend on an adapter. This module follows
  that rule layer by layer, as autograd does, so its count is what
  ``torch.utils.flop_counter.FlopCounterMode`` measures (tests/test_torch_validation.py).

Supported: dense decoders with GQA attention and a gated MLP and separate projections (the
``decoder`` reader with ``attention: gqa``, ``mlp: gated_mlp``, not ``fused_projections``);
sliding windows are taken per layer from :func:`~.architecture.from_config`; targets are the projection names of those models:
``q_proj k_proj v_proj o_proj gate_proj up_proj down_proj`` (``"all-linear"`` is all of them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flopcast.accounting.architecture import from_config
from flopcast.accounting.hfconfig import MAX_DIM, MAX_LAYERS, MAX_VOCAB, Family, Fields, families
from flopcast.accounting.hfconfig import load_config as _load
from flopcast.accounting.model import Conventions, keys_causal
from flopcast.core.errors import ConfigError, InputError

__all__ = ["TARGETS", "LoraCost", "lora"]

TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class LoraCost:
    """Counts of LoRA training on one sequence (FLOP, scaled by the conventions' unit)."""

    rank: int
    targets: tuple[str, ...]
    adapter_params: int  # trainable parameters: r (m + n) per adapted projection
    forward: float  # frozen base + adapters
    backward: float  # input gradients where needed + adapter weight gradients
    base_forward: float  # the frozen model alone, for comparison

    @property
    def training(self) -> float:
        return self.forward + self.backward


def lora(
    source: str | Path | Mapping[str, Any],
    seq_len: int,
    *,
    rank: int,
    targets: Sequence[str] | str = "all-linear",
    conventions: Conventions | None = None,
) -> LoraCost:
    """FLOP of one forward and backward of a sequence of ``seq_len`` tokens with LoRA adapters of
    ``rank`` on ``targets`` of a frozen base model read from its config."""
    conv = conventions or Conventions()
    chosen = TARGETS if targets == "all-linear" else tuple(targets)
    unknown = sorted(set(chosen) - set(TARGETS))
    if unknown:
        raise InputError(f"unknown LoRA target(s) {unknown}; allowed: {', '.join(TARGETS)}")
    if not 1 <= rank <= MAX_DIM:
        raise InputError(f"LoRA rank must be between 1 and {MAX_DIM:,}, not {rank!r}")
    if seq_len < 1:
        raise InputError(f"sequence length must be at least 1, not {seq_len!r}")
    cfg = _load(source)
    shape = _Shape.read(cfg)
    windows = [layer.window for layer in from_config(cfg).layers]
    pairs = [keys_causal(seq_len, w) if conv.causal else seq_len * seq_len for w in windows]
    fwd, bwd, base = shape.step(rank, set(chosen), seq_len, pairs)
    params = shape.layers * sum(rank * sum(shape.proj[t]) for t in chosen)
    return LoraCost(rank, chosen, params, fwd * conv.scale, bwd * conv.scale, base * conv.scale)


@dataclass(frozen=True)
class _Shape:
    """The projection shapes of a dense GQA decoder layer, read from a config."""

    layers: int
    d: int
    h: int
    d_h: int
    vocab: int
    proj: dict[str, tuple[int, int]]  # name -> (m, n)

    @classmethod
    def read(cls, cfg: dict[str, Any]) -> _Shape:
        model_type = str(cfg.get("model_type"))
        path = cfg.get("_path") if isinstance(cfg.get("_path"), str) else None
        dense = [n for n, f in families().items() if _dense_gqa(f)]
        if model_type not in dense:
            raise ConfigError(
                f"LoRA accounting supports dense GQA decoders ({', '.join(dense)}), "
                f"not {model_type!r}",
                path,
                field="model_type",
            )
        f = Fields(cfg, model_type, path)
        d, h = f.integer("hidden_size"), f.integer("num_attention_heads")
        h_kv = f.integer("num_key_value_heads", h)
        d_h = f.integer("head_dim", max(d // h, 1))
        inner = f.integer("intermediate_size")
        proj = {
            "q_proj": (d, h * d_h),
            "k_proj": (d, h_kv * d_h),
            "v_proj": (d, h_kv * d_h),
            "o_proj": (h * d_h, d),
            "gate_proj": (d, inner),
            "up_proj": (d, inner),
            "down_proj": (inner, d),
        }
        layers = f.integer("num_hidden_layers", maximum=MAX_LAYERS)
        return cls(layers, d, h, d_h, f.integer("vocab_size", maximum=MAX_VOCAB), proj)

    def step(
        self, r: int, targets: set[str], s: int, pairs: Sequence[float]
    ) -> tuple[float, float, float]:
        """(forward, backward, frozen forward) FLOP of one sequence, following autograd;
        ``pairs`` are the (query, key) pairs of each layer."""
        fwd = base = float(2 * self.d * self.vocab * s)
        bwd = 0.0
        grad = False  # does the residual stream need a gradient? Not the frozen embedding's.
        for layer_pairs in pairs:
            score = 2 * self.h * self.d_h * layer_pairs  # q k^T over the pairs; P v the same
            fwd += 2 * score
            base += 2 * score
            for name in TARGETS:
                m, n = self.proj[name]
                base += 2 * m * n * s
                fwd += 2 * m * n * s + (2 * r * (m + n) * s if name in targets else 0)
            q, k, v = (grad or t in targets for t in ("q_proj", "k_proj", "v_proj"))
            bwd += self._linears(("q_proj", "k_proj", "v_proj"), grad, r, targets, s)
            bwd += score * (q + k) + score * ((q or k) + v)  # dq, dk; dP, dv
            attn = q or k or v
            bwd += self._linears(("o_proj",), attn, r, targets, s)
            grad = grad or attn or "o_proj" in targets
            bwd += self._linears(("gate_proj", "up_proj"), grad, r, targets, s)
            mid = grad or "gate_proj" in targets or "up_proj" in targets
            bwd += self._linears(("down_proj",), mid, r, targets, s)
            grad = grad or mid or "down_proj" in targets
        if grad:
            bwd += 2 * self.d * self.vocab * s  # the frozen head's input gradient
        return fwd, bwd, base

    def _linears(
        self, names: Sequence[str], needs_input: bool, r: int, targets: set[str], s: int
    ) -> float:
        """Backward of frozen projections (and their adapters) whose input needs a gradient
        only if ``needs_input``."""
        out = 0.0
        for name in names:
            m, n = self.proj[name]
            if needs_input:
                out += 2 * m * n * s  # frozen W: the input gradient only
            if name in targets:
                out += (2 * r * n + 2 * r * n + 2 * m * r) * s  # dB, d(Ax), dA
                out += 2 * m * r * s if needs_input else 0  # dx through A
        return out


def _dense_gqa(fam: Family) -> bool:
    return (
        fam.reader == "decoder"
        and fam.attention == "gqa"
        and fam.mlp == "gated_mlp"
        and not fam.fused_projections
    )
