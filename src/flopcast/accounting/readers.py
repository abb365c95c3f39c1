"""The Llama-style decoder reader (pre-norm attention and a dense or MoE MLP), and GPT-2's.

Most families (Llama, Mistral, Qwen 2/3 and their MoE, Mixtral, DeepSeek-V3, Phi-3, Gemma 2/3,
OLMo 2/3, GLM-4.5, gpt-oss, DeepSeek-V3.2, Qwen3-Next) differ only in data: which block, which keys hold biases, norms,
windows, experts, a sparse-attention indexer, linear-attention layers
(``data/architectures/_families.json``, :class:`~.hfconfig.Family`). This
reader turns such a config into :class:`~flopcast.accounting.model.Layer` costs with the block
formulas of :mod:`flopcast.accounting.layers`; every field is read through
:class:`~.hfconfig.Fields`, so it is checked before any arithmetic.
"""

from __future__ import annotations

from typing import Any

from flopcast.accounting.hfconfig import (
    MAX_LAYERS,
    MAX_VOCAB,
    Family,
    Fields,
    Moe,
    decoder_result,
    reader,
)
from flopcast.accounting.layers import BlockCost, cost
from flopcast.accounting.model import Layer

__all__ = ["read_decoder", "read_gpt2"]


@reader("decoder")
def read_decoder(cfg: Fields, fam: Family) -> dict[str, Any]:
    """The common Llama-style decoder: pre-norm layers of attention + (dense or MoE) MLP."""
    d = cfg.integer("hidden_size")
    n_layers = cfg.integer("num_hidden_layers", maximum=MAX_LAYERS)
    vocab = cfg.integer("vocab_size", maximum=MAX_VOCAB)
    h = cfg.integer("num_attention_heads")
    attn, head_dim = _attention(cfg, fam, d, h)
    moe = _moe_cost(cfg, fam.moe, d) if fam.mlp == "moe" and fam.moe is not None else None
    is_moe = _moe_layers(cfg, fam.moe, n_layers) if moe is not None else [False] * n_layers
    dense = None
    if not all(is_moe):
        dense = cost(
            "gated_mlp", d=d, f=cfg.integer("intermediate_size"), bias=cfg.flag(fam.mlp_bias)
        )
    windows = _windows(cfg, fam, n_layers)
    extra: tuple[tuple[int | None, BlockCost], ...] = ()
    if fam.indexer:  # DeepSeek sparse attention: main attention reads the top-k keys
        top_k = cfg.integer("index_topk", maximum=1 << 40)
        windows = [top_k if w is None else min(w, top_k) for w in windows]
        extra = ((None, _indexer(cfg, d)),)
    linear = _linear_layers(cfg, fam, n_layers)
    delta = _deltanet(cfg, fam, d) if any(linear) else attn
    norms = fam.norms_per_layer * d
    layers = []
    for i in range(n_layers):
        mlp = moe if is_moe[i] and moe is not None else dense
        if mlp is None:  # pragma: no cover - dense is built whenever a dense layer exists
            raise cfg.error(f"layer {i} is dense but has no MLP size", "intermediate_size")
        layers.append(
            Layer(
                (delta if linear[i] else attn) + BlockCost(norms, norms, 0, 0),
                mlp,
                None if linear[i] else windows[i],
                "moe" if is_moe[i] else "dense",
                extra,
            )
        )
    out = decoder_result(cfg, fam, d, vocab, layers, h, head_dim)
    out["mtp_layers"] = _mtp(cfg, layers[-1], d) if fam.mtp and layers else ()
    return out


def _mtp(cfg: Fields, last: Layer, d: int) -> tuple[Layer, ...]:
    """DeepSeek-V3's multi-token-prediction modules (arXiv:2412.19437, section 2.2): module k
    normalises the previous depth's hidden state and the embedding of token ``i + k``
    (``enorm``, ``hnorm``), projects the pair ``2d -> d`` (``eh_proj``), runs one transformer
    layer shaped like the model's last, and applies its own norm before the output head, which,
    like the embedding, is shared with the main model (so neither is counted twice)."""
    n = cfg.integer("num_nextn_predict_layers", 0, minimum=0, maximum=MAX_LAYERS)
    proj = BlockCost(2 * d * d + 3 * d, 2 * d * d + 3 * d, 2 * 2 * d * d, 0)
    module = Layer(last.attention + proj, last.mlp, last.window, "mtp", last.extra)
    return (module,) * n


def _attention(cfg: Fields, fam: Family, d: int, h: int) -> tuple[BlockCost, int]:
    """The attention block of every layer and the nominal head dimension (for PaLM's formula)."""
    if fam.attention == "mla":
        d_nope, d_rope = cfg.integer("qk_nope_head_dim"), cfg.integer("qk_rope_head_dim")
        attn = cost(
            "mla",
            d=d,
            h=h,
            q_lora_rank=cfg.integer("q_lora_rank", 0, minimum=0),
            kv_lora_rank=cfg.integer("kv_lora_rank"),
            d_nope=d_nope,
            d_rope=d_rope,
            d_v=cfg.integer("v_head_dim"),
            bias=cfg.flag("attention_bias"),
        )
        return attn, d_nope + d_rope
    h_kv = cfg.integer("num_key_value_heads", h)
    if h % h_kv:
        raise cfg.error(
            f"num_attention_heads ({h}) is not a multiple of num_key_value_heads ({h_kv})",
            "num_key_value_heads",
        )
    head_dim = cfg.integer("head_dim", max(d // h, 1))
    full_norm = fam.qk_norm == "full"
    attn = cost(
        "gqa",
        d=d,
        h=h,
        h_kv=h_kv,
        d_h=head_dim,
        qkv_bias=cfg.flag(fam.qkv_bias, fam.qkv_bias_default),
        o_bias=cfg.flag(fam.o_bias, fam.o_bias_default),
        qk_norm=False if full_norm else cfg.flag(fam.qk_norm),
        qk_norm_full=full_norm,
        sinks=fam.sinks,
        query_gate=fam.query_gate,
    )
    return attn, head_dim


def _linear_layers(cfg: Fields, fam: Family, n: int) -> list[bool]:
    """Which layers use linear attention: ``layer_types`` entries ``linear_attention``, else
    every layer but each ``full_attention_interval``-th (Qwen3-Next's rule and default)."""
    if fam.linear_attention == "none":
        return [False] * n
    types = cfg.strings("layer_types", n)
    if types is not None:
        return [t == "linear_attention" for t in types]
    every = cfg.integer("full_attention_interval", fam.full_attention_interval, maximum=MAX_LAYERS)
    return [(i + 1) % every != 0 for i in range(n)]


def _deltanet(cfg: Fields, fam: Family, d: int) -> BlockCost:
    return cost(
        "gated_deltanet",
        d=d,
        h_k=cfg.integer("linear_num_key_heads"),
        h_v=cfg.integer("linear_num_value_heads"),
        d_k=cfg.integer("linear_key_head_dim"),
        d_v=cfg.integer("linear_value_head_dim"),
        conv=cfg.integer("linear_conv_kernel_dim"),
        chunk=fam.chunk_size,
    )


def _moe_layers(cfg: Fields, spec: Moe | None, n: int) -> list[bool]:
    """Which layers are MoE: ``mlp_layer_types`` ("dense" / "sparse", DeepSeek-V3.2) when the
    config lists them, else the family's rule."""
    types = cfg.strings("mlp_layer_types", n)
    if types is not None:
        bad = sorted(set(types) - {"dense", "sparse"})
        if bad:
            raise cfg.error(f"entries must be 'dense' or 'sparse', not {bad}", "mlp_layer_types")
        return [t == "sparse" for t in types]
    if spec is None or spec.layers == "all":
        return [True] * n
    if spec.layers == "first_k_dense":  # DeepSeek: idx >= first_k_dense_replace, idx % freq == 0
        first = cfg.integer("first_k_dense_replace", spec.first_k_dense_default, minimum=0)
        freq = cfg.integer("moe_layer_freq", 1)
        return [i >= first and i % freq == 0 for i in range(n)]
    # sparse_step, Qwen-MoE: not in mlp_only_layers and (idx + 1) % decoder_sparse_step == 0
    dense, step = set(cfg.ints("mlp_only_layers")), cfg.integer("decoder_sparse_step", 1)
    return [i not in dense and (i + 1) % step == 0 for i in range(n)]


def _indexer(cfg: Fields, d: int) -> BlockCost:
    return cost(
        "dsa_indexer",
        d=d,
        q_lora_rank=cfg.integer("q_lora_rank"),
        h_idx=cfg.integer("index_n_heads"),
        d_idx=cfg.integer("index_head_dim"),
    )


def _moe_cost(cfg: Fields, spec: Moe, d: int) -> BlockCost:
    f_expert = cfg.integer(spec.expert_size)
    f_shared, gate = 0, False
    if spec.shared == "deepseek":
        f_shared = cfg.integer("n_shared_experts", spec.shared_default, minimum=0) * f_expert
    elif spec.shared == "qwen":
        f_shared = cfg.integer("shared_expert_intermediate_size", 0, minimum=0)
        gate = f_shared > 0
    n_experts, top_k = cfg.integer(spec.experts), cfg.integer(spec.top_k)
    if top_k > n_experts:
        experts = next((k for k in spec.experts if cfg.has(k)), spec.experts[0])
        raise cfg.error(f"{spec.top_k[0]} ({top_k}) exceeds {experts} ({n_experts})", spec.top_k[0])
    return cost(
        "moe",
        d=d,
        f_expert=f_expert,
        n_experts=n_experts,
        top_k=top_k,
        f_shared=f_shared,
        shared_gate=gate,
        expert_bias=spec.expert_bias,
        router_bias=spec.router_bias,
    )


def _windows(cfg: Fields, fam: Family, n_layers: int) -> list[int | None]:
    """Attention window per layer: ``layer_types`` if given, else the family's rule."""
    window = cfg.window()
    types = cfg.strings("layer_types", n_layers)
    if types is not None:
        if any(t == "sliding_attention" for t in types) and window is None:
            raise cfg.error(
                "layer_types has sliding layers but 'sliding_window' is not set", "sliding_window"
            )
        return [window if t == "sliding_attention" else None for t in types]
    if fam.windows == "all":
        return [window] * n_layers
    if fam.windows == "qwen":
        use = cfg.flag("use_sliding_window") and window is not None
        start = cfg.integer("max_window_layers", n_layers, minimum=0, maximum=MAX_LAYERS)
        return [window if use and i >= start else None for i in range(n_layers)]
    if fam.windows == "pattern":
        if window is None:
            raise cfg.error(
                f"{cfg.model_type} config is missing required key 'sliding_window'",
                "sliding_window",
            )
        every = cfg.integer("sliding_window_pattern", fam.pattern_default, maximum=MAX_LAYERS)
        return [window if (i + 1) % every else None for i in range(n_layers)]
    return [None] * n_layers


@reader("gpt2")
def read_gpt2(cfg: Fields, fam: Family) -> dict[str, Any]:
    """GPT-2 (Radford et al. 2019): LayerNorm (weight and bias), biased Conv1D projections,
    learned position embeddings, plain GELU MLP of ``n_inner`` (default ``4 d``), tied head."""
    d, h = cfg.integer("n_embd"), cfg.integer("n_head")
    n_layers = cfg.integer("n_layer", maximum=MAX_LAYERS)
    f = cfg.integer("n_inner", 4 * d)
    attn = cost("gqa", d=d, h=h, h_kv=h, d_h=max(d // h, 1), qkv_bias=True, o_bias=True)
    norms = 2 * 2 * d  # ln_1 and ln_2, weight and bias each
    layer = Layer(attn + BlockCost(norms, norms, 0, 0), cost("plain_mlp", d=d, f=f, bias=True))
    positions = cfg.integer("n_positions", 1024, maximum=1 << 24) * d
    return {
        "hidden_size": d,
        "vocab_size": cfg.integer("vocab_size", maximum=MAX_VOCAB),
        "tie_embeddings": cfg.flag("tie_word_embeddings", True),
        "layers": (layer,) * n_layers,
        "extra_params": positions + 2 * d,
        "n_heads": h,
        "head_dim": d // h,
    }
