"""The reader of Nemotron-H: a hybrid stack of Mamba-2, attention, MLP and MoE blocks.

Nemotron-H (NVIDIA, arXiv:2504.03624) replaces most attention layers of a decoder with Mamba-2
mixers; each block is one norm and one mixer, named in ``layers_block_type`` (transformers 5.x)
or, in older files, by one character per block in ``hybrid_override_pattern``
(``M`` Mamba-2, ``*`` attention, ``-`` MLP, ``E`` MoE; the mapping of transformers'
``NemotronHConfig._pattern_to_list``). Attention and Mamba blocks go in a layer's attention
slot and MLP or MoE blocks in its MLP slot, so that a block's cost is counted once.
"""

from __future__ import annotations

from typing import Any

from flopcast.accounting.hfconfig import (
    MAX_LAYERS,
    MAX_VOCAB,
    Family,
    Fields,
    decoder_result,
    reader,
)
from flopcast.accounting.layers import BlockCost, cost
from flopcast.accounting.model import Layer

__all__ = ["PATTERN", "read_nemotron_h"]

PATTERN = {"M": "linear_attention", "E": "moe", "*": "full_attention", "-": "mlp"}


@reader("nemotron_h")
def read_nemotron_h(cfg: Fields, fam: Family) -> dict[str, Any]:
    """Nemotron-H blocks, each with its own pre-norm (``d`` weights)."""
    d = cfg.integer("hidden_size")
    vocab = cfg.integer("vocab_size", maximum=MAX_VOCAB)
    h = cfg.integer("num_attention_heads")
    head_dim = cfg.integer("head_dim", max(d // h, 1))
    norm = BlockCost(d, d, 0, 0)
    built: dict[str, BlockCost] = {}
    layers = []
    for kind in _block_types(cfg):
        if kind not in built:
            built[kind] = _mixer(cfg, kind, d, h, head_dim)
        mixer = built[kind]
        if kind in ("linear_attention", "full_attention"):
            layers.append(Layer(mixer + norm, BlockCost(), None, kind))
        else:
            layers.append(Layer(norm, mixer, None, kind))
    return decoder_result(cfg, fam, d, vocab, layers, h, head_dim)


def _block_types(cfg: Fields) -> list[str]:
    for key in ("layers_block_type", "layer_types"):
        raw = cfg.data.get(key)
        if raw is not None:
            ok = isinstance(raw, list) and all(isinstance(t, str) for t in raw)
            if not ok or not raw:
                raise cfg.error(f"must be a non-empty list of block types, not {raw!r:.60}", key)
            break
    else:
        pattern = cfg.data.get("hybrid_override_pattern")
        if not isinstance(pattern, str) or not pattern or set(pattern) - set(PATTERN):
            raise cfg.error(
                "nemotron_h config needs 'layers_block_type' (a list) or "
                f"'hybrid_override_pattern' (characters {''.join(PATTERN)}), not {pattern!r:.60}",
                "layers_block_type",
            )
        key, raw = "hybrid_override_pattern", [PATTERN[c] for c in pattern]
    bad = sorted(set(raw) - set(PATTERN.values()))
    if bad:
        raise cfg.error(f"unknown block type(s) {bad}; allowed: {sorted(PATTERN.values())}", key)
    if len(raw) > MAX_LAYERS:
        raise cfg.error(f"more than {MAX_LAYERS:,} blocks", key)
    return list(raw)


def _mixer(cfg: Fields, kind: str, d: int, h: int, head_dim: int) -> BlockCost:
    if kind == "full_attention":
        h_kv = cfg.integer("num_key_value_heads", h)
        if h % h_kv:
            raise cfg.error(
                f"num_attention_heads ({h}) is not a multiple of num_key_value_heads ({h_kv})",
                "num_key_value_heads",
            )
        return cost("gqa", d=d, h=h, h_kv=h_kv, d_h=head_dim)
    if kind == "mlp":
        return cost("plain_mlp", d=d, f=cfg.integer("intermediate_size"), bias=cfg.flag("mlp_bias"))
    if kind == "moe":
        n_experts = cfg.integer(["n_routed_experts", "num_local_experts"])
        top_k = cfg.integer("num_experts_per_tok")
        if top_k > n_experts:
            raise cfg.error(
                f"num_experts_per_tok ({top_k}) exceeds n_routed_experts ({n_experts})",
                "num_experts_per_tok",
            )
        return cost(
            "moe",
            d=d,
            f_expert=cfg.integer("moe_intermediate_size"),
            n_experts=n_experts,
            top_k=top_k,
            f_shared=cfg.integer("moe_shared_expert_intermediate_size", 0, minimum=0),
            plain=True,
            latent=cfg.integer("moe_latent_size", 0, minimum=0),
        )
    return cost(
        "mamba2",
        d=d,
        h=cfg.integer("mamba_num_heads"),
        p=cfg.integer("mamba_head_dim"),
        n=cfg.integer("ssm_state_size"),
        groups=cfg.integer("n_groups"),
        conv=cfg.integer("conv_kernel"),
        chunk=cfg.integer("chunk_size"),
        conv_bias=cfg.flag("use_conv_bias", True),
        bias=cfg.flag("use_bias"),
    )
