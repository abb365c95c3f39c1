"""A decoder-only transformer compiled to exact counts: parameters and matmul FLOP.

An :class:`Architecture` (built by :func:`flopcast.accounting.architecture.from_config`) is a
tuple of :class:`Layer` costs, and compiles to four numbers per window size:

    forward FLOP of a sequence = C * s + A_w * keys_w(s)   (summed over the window sizes w)

with ``C`` the context-free matmul FLOP per token (projections, MLP or active experts, router,
output head), ``A_w`` the FLOP per (query, key) pair of the layers with window ``w`` and
``keys_w(s)`` the number of (query, key) pairs a causal mask leaves (:func:`keys_causal`):
``s (s + 1) / 2`` without a window, ``w (w + 1) / 2 + (s - w) w`` past a window ``w``.
This is Kaplan et al. (2020, arXiv:2001.08361) Table 1 with the attention term made exact, and
per layer what ``torch.utils.flop_counter.FlopCounterMode`` measures (tests/test_torch_validation).

Conventions are switches (:class:`Conventions`): causal masking saving (on by default; off
counts the dense ``s x s`` products a masked kernel computes, which is what FlopCounterMode sees),
the embedding lookup (off; on counts it as a one-hot matmul, ``2 V d`` per token, as Hoffmann et
al. 2022 Appendix F does), and FLOP versus multiply-accumulates (MAC = FLOP / 2).
Backward is twice forward (a weight gradient and an input gradient per matmul), so training is
three times forward; :func:`palm_flop_per_token` gives PaLM's ``6N + 12 L H Q T`` for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from flopcast.accounting.layers import BlockCost
from flopcast.core.errors import InputError
from flopcast.core.uncertain import minimum

__all__ = ["Architecture", "Conventions", "Layer", "keys_causal", "palm_flop_per_token"]


@dataclass(frozen=True)
class Conventions:
    """Counting conventions. The defaults are the physical work of a causal decoder.

    ``causal``: count only the (query, key) pairs a causal (and sliding-window) mask keeps;
    ``False`` counts every query against all ``s`` keys of its sequence, windows ignored, as a
    dense masked kernel computes and as FlopCounterMode reports.
    ``embedding``: count the input embedding lookup as a one-hot matmul, ``2 V d`` per token.
    ``unit``: ``"flop"`` or ``"mac"`` (multiply-accumulates, half the FLOP).
    ``mtp``: also count the multi-token-prediction modules a config declares (DeepSeek-V3
    ``num_nextn_predict_layers``), which run in pre-training beside the model; off by default
    because they are not part of the model that serves or is fine-tuned.
    """

    causal: bool = True
    embedding: bool = False
    unit: str = "flop"
    mtp: bool = False

    def __post_init__(self) -> None:
        if self.unit not in ("flop", "mac"):
            raise InputError(f"unit must be 'flop' or 'mac', not {self.unit!r}")

    @property
    def scale(self) -> float:
        return 1.0 if self.unit == "flop" else 0.5


@dataclass(frozen=True)
class Layer:
    """One decoder layer: its attention and MLP costs and its attention window (None = global).

    ``extra`` holds further blocks of the layer with their own window, such as the lightning
    indexer of DeepSeek sparse attention, which scores every causal pair while the main
    attention reads only the top-k keys (the same count as a window of k).
    """

    attention: BlockCost
    mlp: BlockCost
    window: int | None = None
    kind: str = ""
    extra: tuple[tuple[int | None, BlockCost], ...] = ()

    @property
    def cost(self) -> BlockCost:
        total = self.attention + self.mlp
        for _, blk in self.extra:
            total = total + blk
        return total

    def pairs(self) -> list[tuple[int | None, int]]:
        """(window, FLOP per pair) of every block of the layer that attends."""
        out = [(self.window, self.attention.flop_per_pair)]
        out += [(w, blk.flop_per_pair) for w, blk in self.extra]
        return [(w, a) for w, a in out if a]


@dataclass(frozen=True)
class Architecture:
    """A model compiled to exact counts. Build it with :func:`from_config`."""

    name: str
    model_type: str
    hidden_size: int
    vocab_size: int
    tie_embeddings: bool
    layers: tuple[Layer, ...]
    extra_params: int = 0  # norms outside layers, position embeddings
    mtp_layers: tuple[Layer, ...] = ()  # multi-token prediction modules (Conventions.mtp)
    n_heads: int = 0
    head_dim: int = 0
    source: str = ""
    notes: tuple[str, ...] = field(default=())

    # ---- parameters ----
    @property
    def embedding_params(self) -> int:
        return self.vocab_size * self.hidden_size

    @property
    def head_params(self) -> int:
        return 0 if self.tie_embeddings else self.vocab_size * self.hidden_size

    def parameters(self) -> dict[str, int]:
        """Parameter counts: ``total``; ``active`` (per token: total minus unselected experts);
        ``non_embedding`` (active without the input embedding table; with tied embeddings the
        shared table counts once, as the output head)."""
        body_total = sum(layer.cost.params for layer in self.layers)
        body_active = sum(layer.cost.active_params for layer in self.layers)
        total = body_total + self.embedding_params + self.head_params + self.extra_params
        active = body_active + self.embedding_params + self.head_params + self.extra_params
        return {
            "total": total,
            "active": active,
            "non_embedding": active - (0 if self.tie_embeddings else self.embedding_params),
            "embedding": self.embedding_params,
            "mtp": sum(layer.cost.params for layer in self.mtp_layers),
        }

    # ---- compiled coefficients ----
    @cached_property
    def body_flop_per_token(self) -> int:
        """Context-free matmul FLOP per token of the layers (no head, no embedding)."""
        return sum(layer.cost.flop_per_token for layer in self.layers)

    @property
    def head_flop_per_token(self) -> int:
        """Output head ``d -> V``: ``2 d V`` FLOP per token whose logits are computed."""
        return 2 * self.hidden_size * self.vocab_size

    @property
    def embedding_flop_per_token(self) -> int:
        return 2 * self.vocab_size * self.hidden_size

    @cached_property
    def pair_flop(self) -> dict[int | None, int]:
        """FLOP per (query, key) pair, summed over layers, by attention window (None = global)."""
        out: dict[int | None, int] = {}
        for layer in self.layers:
            for window, flop in layer.pairs():
                out[window] = out.get(window, 0) + flop
        return out

    def flop_per_token_linear(
        self, conventions: Conventions | None = None, *, head: bool = True
    ) -> int:
        """``C``: context-free FLOP per token (layers, output head, embedding if counted)."""
        conv = conventions or Conventions()
        c = self.body_flop_per_token + (self.head_flop_per_token if head else 0)
        if conv.embedding:
            c += self.embedding_flop_per_token
        if conv.mtp:  # each module: its layer and the shared output head
            c += sum(layer.cost.flop_per_token for layer in self.mtp_layers)
            c += len(self.mtp_layers) * (self.head_flop_per_token if head else 0)
        return c

    def pairs(self, conventions: Conventions | None = None) -> dict[int | None, int]:
        """:attr:`pair_flop`, with the MTP modules' attention when ``conventions.mtp``."""
        conv = conventions or Conventions()
        if not (conv.mtp and self.mtp_layers):
            return self.pair_flop
        out = dict(self.pair_flop)
        for layer in self.mtp_layers:
            for window, flop in layer.pairs():
                out[window] = out.get(window, 0) + flop
        return out

    # ---- forward FLOP ----
    def forward_flop_per_token(
        self,
        position: Any,
        conventions: Conventions | None = None,
        *,
        seq_len: Any = None,
        head: bool = True,
    ) -> Any:
        """Forward FLOP of the token at 0-based ``position`` (it attends to ``position + 1``
        keys under a causal mask; to ``seq_len`` keys when ``causal`` is off)."""
        conv = conventions or Conventions()
        c = self.flop_per_token_linear(conv, head=head)
        pairs = self.pairs(conv)
        if conv.causal:
            attn = sum(a * _minimum(position + 1, w) for w, a in pairs.items())
        else:
            keys = seq_len if seq_len is not None else position + 1
            attn = sum(pairs.values()) * keys
        return (c + attn) * conv.scale

    def forward_flop(
        self, seq_len: Any, conventions: Conventions | None = None, *, head: bool = True
    ) -> Any:
        """Forward FLOP of one sequence of ``seq_len`` tokens (numbers, numpy arrays or
        :class:`flopcast.core.uncertain.Uncertain` all work)."""
        conv = conventions or Conventions()
        return (
            self.flop_per_token_linear(conv, head=head) * seq_len
            + self.attention_flop(seq_len, conv)
        ) * conv.scale

    def attention_flop(self, seq_len: Any, conventions: Conventions | None = None) -> Any:
        """Score and value products of one sequence: ``sum_w A_w keys_w(s)`` (FLOP, unscaled)."""
        conv = conventions or Conventions()
        pairs = self.pairs(conv)
        if not conv.causal:
            return sum(pairs.values()) * seq_len * seq_len
        return sum(a * keys_causal(seq_len, w) for w, a in pairs.items())

    def training_flop(self, seq_len: Any, conventions: Conventions | None = None) -> Any:
        """Forward + backward of one sequence: 3x forward.

        NB: backward computes an input gradient and a weight gradient per matmul (2x forward);
        the attention products have two activation operands, each with a gradient (also 2x).
        Recomputation for activation checkpointing is not counted (it is not model FLOP).
        """
        return 3 * self.forward_flop(seq_len, conventions)

    def summary(self, context: int, conventions: Conventions | None = None) -> dict[str, Any]:
        """Numbers for ``flopcast flops``: parameters and FLOP at a context length."""
        conv = conventions or Conventions()
        p = self.parameters()
        return {
            "name": self.name,
            "model_type": self.model_type,
            "layers": len(self.layers),
            "parameters_total": p["total"],
            "parameters_active": p["active"],
            "parameters_non_embedding": p["non_embedding"],
            "context": context,
            "unit": conv.unit,
            "causal": conv.causal,
            "embedding_counted": conv.embedding,
            "mtp_counted": conv.mtp,
            "parameters_mtp": p["mtp"],
            "forward_flop_per_token_first": self.forward_flop_per_token(0, conv),
            "forward_flop_per_token_last": self.forward_flop_per_token(
                context - 1, conv, seq_len=context
            ),
            "forward_flop_per_sequence": self.forward_flop(context, conv),
            "forward_flop_per_token_mean": self.forward_flop(context, conv) / context,
            "training_flop_per_token_mean": self.training_flop(context, conv) / context,
            "two_n_active": 2 * p["non_embedding"] * conv.scale,
            "palm_training_flop_per_token": palm_flop_per_token(self, context) * conv.scale,
            "source": self.source,
        }


def keys_causal(seq_len: Any, window: int | None = None) -> Any:
    """Number of (query, key) pairs a causal mask keeps in a sequence of ``seq_len`` tokens:
    ``sum_{p=0}^{s-1} min(p + 1, w)`` = ``s (s+1) / 2`` if ``s <= w``, else
    ``w (w + 1) / 2 + (s - w) w``. Works on numbers, arrays and Uncertain quantities."""
    if window is None:
        return seq_len * (seq_len + 1) / 2
    m = _minimum(seq_len, window)
    return m * (m + 1) / 2 + (seq_len - m) * window


def palm_flop_per_token(arch: Architecture, seq_len: int) -> float:
    """PaLM's training FLOP per token, ``6 N + 12 L H Q T`` (Chowdhery et al. 2022, arXiv:2204.02311,
    Appendix B): ``N`` parameters multiplied per token (active, without the input embedding
    lookup; the output head counts), ``L`` layers with attention, ``H`` heads, ``Q`` head
    dimension, ``T`` sequence length. NB: it counts full (non-causal) attention and, for MLA or
    windows, uses the nominal ``H Q``; nanoGPT's ``estimate_mfu`` uses the same formula.
    """
    n = arch.parameters()["non_embedding"]
    attn_layers = sum(1 for layer in arch.layers if layer.attention.flop_per_pair)
    return 6 * n + 12 * attn_layers * arch.n_heads * arch.head_dim * seq_len


def _minimum(a: Any, b: Any) -> Any:
    """Elementwise minimum of numbers, arrays or Uncertain quantities; ``None`` is no bound."""
    if b is None:
        return a
    if hasattr(a, "samples") or hasattr(b, "samples"):  # an Uncertain
        return minimum(a, b)
    return np.minimum(a, b)
