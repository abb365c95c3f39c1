"""The reader of Nemotron NAS configs: a different attention and MLP in every layer.

Llama-Nemotron (DeciLM) gives every layer its own attention and MLP found by neural
architecture search, in ``block_configs``, which are validated by pydantic models
(:class:`NasBlock`) before any arithmetic: ``block_configs: [1, 2, 3]`` is one line naming the
entry.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from flopcast.accounting.hfconfig import (
    MAX_DIM,
    MAX_LAYERS,
    MAX_VOCAB,
    Family,
    Fields,
    decoder_result,
    reader,
)
from flopcast.accounting.layers import BlockCost, cost
from flopcast.accounting.model import Layer

__all__ = ["NasAttention", "NasBlock", "NasFfn", "read_nemotron_nas"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)  # DeciLM writes more keys than we use

    no_op: bool = False
    replace_with_linear: bool = False
    sparsify: Any = None


class NasAttention(_Part):
    n_heads_in_group: int | None = None
    window_length: int | None = None
    num_sink_tokens: int | None = None

    @field_validator("n_heads_in_group")
    @classmethod
    def _group(cls, v: int | None) -> int | None:
        if v is not None and not 1 <= v <= MAX_DIM:
            raise ValueError(f"must be between 1 and {MAX_DIM:,}")
        return v


class NasFfn(_Part):
    ffn_mult: float | None = None

    @field_validator("ffn_mult")
    @classmethod
    def _mult(cls, v: float | None) -> float | None:
        if v is not None and not (math.isfinite(v) and 0 < v <= 1024):
            raise ValueError("must be a finite number above 0 and at most 1024")
        return v


class NasBlock(BaseModel):
    """One ``block_configs`` entry of a DeciLM config."""

    model_config = ConfigDict(extra="allow", frozen=True)

    attention: NasAttention = NasAttention()
    ffn: NasFfn = NasFfn()


@reader("nemotron_nas")
def read_nemotron_nas(cfg: Fields, fam: Family) -> dict[str, Any]:
    """Llama-Nemotron (DeciLM) with per-layer blocks found by neural architecture search.

    Each ``block_configs`` entry gives the attention (``no_op``, or GQA with
    ``num_attention_heads / n_heads_in_group`` KV heads) and the FFN (``no_op``, or a gated MLP
    of ``ffn_mult``). Intermediate size follows DeciLM's ``_ffn_mult_to_intermediate_size``:
    ``int(2 ffn_mult d / 3)`` rounded up to a multiple of 256 (nvidia/Llama-3_1-Nemotron-Ultra-
    253B-v1 ``modeling_decilm.py``; the same rule is in vLLM ``nemotron_nas.py``).
    NB: ``replace_with_linear`` blocks (a single ``d x d`` linear) are counted as such; windowed
    or sink attention variants are refused rather than guessed.
    """
    d, h = cfg.integer("hidden_size"), cfg.integer("num_attention_heads")
    vocab = cfg.integer("vocab_size", maximum=MAX_VOCAB)
    head_dim = d // h
    layers = [_nas_layer(cfg, blk, i, d, h, head_dim) for i, blk in enumerate(_blocks(cfg))]
    return decoder_result(cfg, fam, d, vocab, layers, h, head_dim)


def _blocks(cfg: Fields) -> list[NasBlock]:
    raw = cfg.data.get("block_configs")
    if not isinstance(raw, list) or not raw:
        raise cfg.error(
            "nemotron-nas config is missing required key 'block_configs' (a list of blocks)",
            "block_configs",
        )
    if len(raw) > MAX_LAYERS:
        raise cfg.error(f"more than {MAX_LAYERS:,} blocks", "block_configs")
    out = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise cfg.error(
                f"must be a mapping with 'attention' and 'ffn', not {entry!r:.60}",
                f"block_configs[{i}]",
            )
        try:
            out.append(NasBlock.model_validate(entry))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = "".join(f".{p}" for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            field = f"block_configs[{i}]{where}"
            raise cfg.error(f"{msg} (got {err['input']!r:.60})", field) from None
    return out


def _linear_block(d: int) -> BlockCost:
    return BlockCost(d * d + d, d * d + d, 2 * d * d, 0)  # linear d -> d + its norm


def _nas_layer(cfg: Fields, blk: NasBlock, i: int, d: int, h: int, head_dim: int) -> Layer:
    a, f = blk.attention, blk.ffn
    if a.window_length or a.num_sink_tokens or a.sparsify or f.sparsify:
        raise cfg.error(
            f"block_configs[{i}] uses windowed, sink or sparse blocks, which are not supported",
            "block_configs",
        )
    if a.no_op:
        attn = cost("no_attention")
    elif a.replace_with_linear:
        attn = _linear_block(d)
    else:
        group = a.n_heads_in_group
        if group is None or h % group:
            raise cfg.error(
                f"block_configs[{i}].attention.n_heads_in_group must divide {h}, not {group!r}",
                "block_configs",
            )
        attn = cost("gqa", d=d, h=h, h_kv=h // group, d_h=head_dim) + BlockCost(d, d, 0, 0)
    if f.no_op:
        mlp = cost("no_mlp")
    elif f.replace_with_linear:
        mlp = _linear_block(d)
    else:
        if f.ffn_mult is None:
            raise cfg.error(
                f"block_configs[{i}].ffn.ffn_mult must be positive, not None", "block_configs"
            )
        size = int(2 * f.ffn_mult * d / 3)
        size = size if size % 256 == 0 else size + 256 - size % 256
        mlp = cost("gated_mlp", d=d, f=size) + BlockCost(d, d, 0, 0)
    return Layer(attn, mlp, None, "nas")
