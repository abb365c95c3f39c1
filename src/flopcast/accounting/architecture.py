"""Exact matmul FLOP and parameter counts of a decoder-only transformer from its ``config.json``.

A Hugging Face config (a dict, a path, or the name of a config shipped in
``data/architectures``) is read by a *family* chosen by its ``model_type``. Families are data
(``data/architectures/_families.json``: which attention and MLP block, which keys hold biases,
norms, windows, experts); the few that need code (GPT-2's key names, Nemotron's per-layer NAS
blocks) name a *reader* registered with :func:`reader`. Each layer is a sum of block formulas from
:mod:`flopcast.accounting.layers`, and the model compiles to four numbers per window size:

    forward FLOP of a sequence = C * s + A_w * keys_w(s)   (summed over the window sizes w)

with ``C`` the context-free matmul FLOP per token (projections, MLP or active experts, router,
output head), ``A_w`` the FLOP per (query, key) pair of the layers with window ``w`` and
``keys_w(s)`` the number of (query, key) pairs a causal mask leaves:
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

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from flopcast.accounting.layers import BlockCost, cost
from flopcast.core.errors import ConfigError, InputError, UnknownNameError

__all__ = [
    "Architecture",
    "Conventions",
    "Layer",
    "from_config",
    "load_config",
    "list_architectures",
    "families",
    "reader",
    "keys_causal",
    "palm_flop_per_token",
]


@dataclass(frozen=True)
class Conventions:
    """Counting conventions. The defaults are the physical work of a causal decoder.

    ``causal``: count only the (query, key) pairs a causal (and sliding-window) mask keeps;
    ``False`` counts every query against all ``s`` keys of its sequence, windows ignored, as a
    dense masked kernel computes and as FlopCounterMode reports.
    ``embedding``: count the input embedding lookup as a one-hot matmul, ``2 V d`` per token.
    ``unit``: ``"flop"`` or ``"mac"`` (multiply-accumulates, half the FLOP).
    """

    causal: bool = True
    embedding: bool = False
    unit: str = "flop"

    def __post_init__(self) -> None:
        if self.unit not in ("flop", "mac"):
            raise InputError(f"unit must be 'flop' or 'mac', not {self.unit!r}")

    @property
    def scale(self) -> float:
        return 1.0 if self.unit == "flop" else 0.5


@dataclass(frozen=True)
class Layer:
    """One decoder layer: its attention and MLP costs and its attention window (None = global)."""

    attention: BlockCost
    mlp: BlockCost
    window: int | None = None
    kind: str = ""

    @property
    def cost(self) -> BlockCost:
        return self.attention + self.mlp


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
            if layer.attention.flop_per_pair:
                out[layer.window] = out.get(layer.window, 0) + layer.attention.flop_per_pair
        return out

    def flop_per_token_linear(
        self, conventions: Conventions | None = None, *, head: bool = True
    ) -> int:
        """``C``: context-free FLOP per token (layers, output head, embedding if counted)."""
        conv = conventions or Conventions()
        c = self.body_flop_per_token + (self.head_flop_per_token if head else 0)
        if conv.embedding:
            c += self.embedding_flop_per_token
        return c

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
        if conv.causal:
            attn = sum(a * _minimum(position + 1, w) for w, a in self.pair_flop.items())
        else:
            keys = seq_len if seq_len is not None else position + 1
            attn = sum(self.pair_flop.values()) * keys
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
        if not conv.causal:
            return sum(self.pair_flop.values()) * seq_len * seq_len
        return sum(a * keys_causal(seq_len, w) for w, a in self.pair_flop.items())

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


# ---- loading ---------------------------------------------------------------------------


def load_config(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """A config dict from a dict, a path to a ``config.json``, or a shipped config name."""
    if isinstance(source, Mapping):
        return dict(source)
    path = Path(source)
    if path.suffix == ".json" or path.exists():
        if not path.exists():
            raise ConfigError(f"config file {str(path)!r} does not exist")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"not valid JSON: {exc.msg} at line {exc.lineno}", path=str(path)
            ) from None
        if not isinstance(data, dict):
            raise ConfigError("a config.json must hold one JSON object", path=str(path))
        data.setdefault("_name", path.stem)
        return data
    shipped = _shipped()
    key = str(source).lower()
    if key not in shipped:
        import difflib

        raise UnknownNameError(
            "architecture",
            str(source),
            difflib.get_close_matches(key, list(shipped), n=3, cutoff=0.4),
        )
    data = json.loads(shipped[key].read_text(encoding="utf-8"))
    data.setdefault("_name", key)
    return data


def list_architectures() -> list[str]:
    """Names of the shipped configs (``data/architectures/<name>.json``)."""
    return sorted(_shipped())


def from_config(source: str | Path | Mapping[str, Any], *, name: str | None = None) -> Architecture:
    """Compile a Hugging Face config (dict, path or shipped name) to an :class:`Architecture`."""
    cfg = load_config(source)
    if isinstance(cfg.get("text_config"), Mapping) and cfg.get("model_type") not in families():
        # Multimodal wrappers (Gemma 3, ...) keep the language model in ``text_config``.
        inner = dict(cfg["text_config"])
        inner.setdefault("model_type", f"{cfg.get('model_type', '')}_text")
        inner.setdefault("_name", cfg.get("_name"))
        inner.setdefault("_source", cfg.get("_source", ""))
        cfg = inner
    model_type = cfg.get("model_type")
    if not model_type:
        raise ConfigError(
            "config has no 'model_type'; supported: " + ", ".join(families()), field="model_type"
        )
    fam = families().get(model_type)
    if fam is None:
        raise ConfigError(
            f"model_type {model_type!r} is not supported; supported: " + ", ".join(families()),
            field="model_type",
        )
    arch = _READERS[fam["reader"]](_Cfg(cfg, model_type), fam)
    label = name or cfg.get("_name") or model_type
    return Architecture(
        **{
            **arch,
            "name": str(label),
            "model_type": model_type,
            "source": str(cfg.get("_source", "")),
        }
    )


@cache
def families() -> dict[str, dict[str, Any]]:
    """The family table (``data/architectures/_families.json``), keyed by ``model_type``."""
    text = (
        resources.files("flopcast").joinpath("data/architectures/_families.json").read_text("utf-8")
    )
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def _shipped() -> dict[str, Path]:
    folder = Path(str(resources.files("flopcast").joinpath("data/architectures")))
    return {p.stem.lower(): p for p in folder.glob("*.json") if not p.name.startswith("_")}


# ---- readers ----------------------------------------------------------------------------

Reader = Callable[["_Cfg", dict[str, Any]], dict[str, Any]]
_READERS: dict[str, Reader] = {}


def reader(name: str) -> Callable[[Reader], Reader]:
    """Register a config reader under ``name`` (duplicates rejected)."""

    def register(fn: Reader) -> Reader:
        if name in _READERS:
            raise ValueError(f"reader {name!r} is already registered")
        _READERS[name] = fn
        return fn

    return register


class _Cfg:
    """Typed access to a config dict; a missing or bad key is a ConfigError naming it."""

    def __init__(self, data: Mapping[str, Any], model_type: str):
        self.data = data
        self.model_type = model_type

    def int(self, key: str, default: int | None = None, *, minimum: int = 1) -> int:
        value = self.data.get(key)
        if value is None:
            if default is None:
                raise ConfigError(
                    f"{self.model_type} config is missing required key {key!r}", field=key
                )
            value = default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise ConfigError(f"{key!r} must be an integer, not {value!r}", field=key)
        if int(value) < minimum:
            raise ConfigError(f"{key!r} must be at least {minimum}, not {value!r}", field=key)
        return int(value)

    def flag(self, spec: bool | str | None, default: bool = False) -> bool:
        """A boolean: given literally in the family table, or read from the named key."""
        if isinstance(spec, bool):
            return spec
        if spec is None:
            return default
        return bool(self.data.get(spec, default) if self.data.get(spec) is not None else default)


@reader("decoder")
def _read_decoder(cfg: _Cfg, fam: dict[str, Any]) -> dict[str, Any]:
    """The common Llama-style decoder: pre-norm layers of attention + (dense or MoE) MLP."""
    d = cfg.int("hidden_size")
    n_layers = cfg.int("num_hidden_layers")
    vocab = cfg.int("vocab_size")
    h = cfg.int("num_attention_heads")
    if fam["attention"] == "mla":
        attn = cost(
            "mla",
            d=d,
            h=h,
            q_lora_rank=cfg.int("q_lora_rank", 0, minimum=0),
            kv_lora_rank=cfg.int("kv_lora_rank"),
            d_nope=cfg.int("qk_nope_head_dim"),
            d_rope=cfg.int("qk_rope_head_dim"),
            d_v=cfg.int("v_head_dim"),
            bias=cfg.flag("attention_bias"),
        )
        head_dim = cfg.int("qk_nope_head_dim") + cfg.int("qk_rope_head_dim")
    else:
        h_kv = cfg.int("num_key_value_heads", h)
        if h % h_kv:
            raise ConfigError(
                f"num_attention_heads ({h}) is not a multiple of num_key_value_heads ({h_kv})",
                field="num_key_value_heads",
            )
        head_dim = cfg.int("head_dim", d // h)
        qkv_default = bool(fam.get("qkv_bias_default", False))
        attn = cost(
            "gqa",
            d=d,
            h=h,
            h_kv=h_kv,
            d_h=head_dim,
            qkv_bias=cfg.flag(fam.get("qkv_bias"), qkv_default),
            o_bias=cfg.flag(fam.get("o_bias")),
            qk_norm=bool(fam.get("qk_norm")),
        )
    dense = (
        cost("gated_mlp", d=d, f=cfg.int("intermediate_size"), bias=cfg.flag(fam.get("mlp_bias")))
        if fam["mlp"] == "gated_mlp" or _has_dense_layers(cfg, fam)
        else None
    )
    moe = _moe_cost(cfg, fam, d) if fam["mlp"] == "moe" else None
    windows = _windows(cfg, fam, n_layers)
    norms = fam.get("norms_per_layer", 2) * d
    layers = []
    for i in range(n_layers):
        is_moe = moe is not None and _is_moe_layer(cfg, fam, i)
        mlp = moe if is_moe else dense
        if mlp is None:
            raise ConfigError(
                f"layer {i} is dense but the config has no 'intermediate_size'",
                field="intermediate_size",
            )
        layers.append(
            Layer(
                attn + BlockCost(norms, norms, 0, 0), mlp, windows[i], "moe" if is_moe else "dense"
            )
        )
    tie = cfg.flag("tie_word_embeddings", bool(fam.get("tie_default", False)))
    return {
        "hidden_size": d,
        "vocab_size": vocab,
        "tie_embeddings": tie,
        "layers": tuple(layers),
        "extra_params": d,
        "n_heads": h,
        "head_dim": head_dim,
    }


def _has_dense_layers(cfg: _Cfg, fam: dict[str, Any]) -> bool:
    rule = fam.get("moe", {}).get("layers")
    if rule == "first_k_dense":
        return (
            cfg.int("first_k_dense_replace", 0, minimum=0) > 0 or cfg.int("moe_layer_freq", 1) > 1
        )
    if rule == "sparse_step":
        return bool(cfg.data.get("mlp_only_layers")) or cfg.int("decoder_sparse_step", 1) > 1
    return False


def _is_moe_layer(cfg: _Cfg, fam: dict[str, Any], i: int) -> bool:
    rule = fam["moe"]["layers"]
    if rule == "first_k_dense":  # DeepSeek: layer_idx >= first_k_dense_replace and idx % freq == 0
        return (
            i >= cfg.int("first_k_dense_replace", 0, minimum=0)
            and i % cfg.int("moe_layer_freq", 1) == 0
        )
    if rule == "sparse_step":  # Qwen-MoE: not in mlp_only_layers and (idx + 1) % step == 0
        return (
            i not in (cfg.data.get("mlp_only_layers") or [])
            and (i + 1) % cfg.int("decoder_sparse_step", 1) == 0
        )
    return True


def _moe_cost(cfg: _Cfg, fam: dict[str, Any], d: int) -> BlockCost:
    spec = fam["moe"]
    f_expert = cfg.int(spec["expert_size"])
    shared, f_shared, gate = spec.get("shared", "none"), 0, False
    if shared == "deepseek":
        f_shared = cfg.int("n_shared_experts", 0, minimum=0) * f_expert
    elif shared == "qwen":
        f_shared, gate = cfg.int("shared_expert_intermediate_size", 0, minimum=0), True
        gate = gate and f_shared > 0
    n_experts, top_k = cfg.int(spec["experts"]), cfg.int(spec["top_k"])
    if top_k > n_experts:
        raise ConfigError(
            f"{spec['top_k']} ({top_k}) exceeds {spec['experts']} ({n_experts})",
            field=spec["top_k"],
        )
    return cost(
        "moe",
        d=d,
        f_expert=f_expert,
        n_experts=n_experts,
        top_k=top_k,
        f_shared=f_shared,
        shared_gate=gate,
    )


def _windows(cfg: _Cfg, fam: dict[str, Any], n_layers: int) -> list[int | None]:
    """Attention window per layer: ``layer_types`` if given, else the family's rule."""
    rule = fam.get("windows", "none")
    raw = cfg.data.get("sliding_window")
    window = (
        int(raw)
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw > 0
        else None
    )
    types = cfg.data.get("layer_types")
    if types is not None:
        if len(types) != n_layers:
            raise ConfigError(
                f"layer_types has {len(types)} entries for {n_layers} layers", field="layer_types"
            )
        if any(t == "sliding_attention" for t in types) and window is None:
            raise ConfigError(
                "layer_types has sliding layers but 'sliding_window' is not set",
                field="sliding_window",
            )
        return [window if t == "sliding_attention" else None for t in types]
    if rule == "all":
        return [window] * n_layers
    if rule == "qwen":
        use = bool(cfg.data.get("use_sliding_window", False)) and window is not None
        start = cfg.int("max_window_layers", n_layers, minimum=0)
        return [window if use and i >= start else None for i in range(n_layers)]
    if rule == "pattern":
        if window is None:
            raise ConfigError(
                f"{cfg.model_type} config is missing required key 'sliding_window'",
                field="sliding_window",
            )
        every = cfg.int("sliding_window_pattern", fam.get("pattern_default", 2))
        return [window if (i + 1) % every else None for i in range(n_layers)]
    return [None] * n_layers


@reader("gpt2")
def _read_gpt2(cfg: _Cfg, fam: dict[str, Any]) -> dict[str, Any]:
    """GPT-2 (Radford et al. 2019): LayerNorm (weight and bias), biased Conv1D projections,
    learned position embeddings, plain GELU MLP of ``n_inner`` (default ``4 d``), tied head."""
    d, n_layers, h = cfg.int("n_embd"), cfg.int("n_layer"), cfg.int("n_head")
    f = cfg.int("n_inner", 4 * d)
    attn = cost("gqa", d=d, h=h, h_kv=h, d_h=d // h, qkv_bias=True, o_bias=True)
    norms = 2 * 2 * d  # ln_1 and ln_2, weight and bias each
    layer = Layer(attn + BlockCost(norms, norms, 0, 0), cost("plain_mlp", d=d, f=f, bias=True))
    positions = cfg.int("n_positions", 1024) * d
    return {
        "hidden_size": d,
        "vocab_size": cfg.int("vocab_size"),
        "tie_embeddings": cfg.flag("tie_word_embeddings", True),
        "layers": (layer,) * n_layers,
        "extra_params": positions + 2 * d,
        "n_heads": h,
        "head_dim": d // h,
    }


@reader("nemotron_nas")
def _read_nemotron_nas(cfg: _Cfg, fam: dict[str, Any]) -> dict[str, Any]:
    """Llama-Nemotron (DeciLM) with per-layer blocks found by neural architecture search.

    Each ``block_configs`` entry gives the attention (``no_op``, or GQA with
    ``num_attention_heads / n_heads_in_group`` KV heads) and the FFN (``no_op``, or a gated MLP
    of ``ffn_mult``). Intermediate size follows DeciLM's ``_ffn_mult_to_intermediate_size``:
    ``int(2 ffn_mult d / 3)`` rounded up to a multiple of 256 (nvidia/Llama-3_1-Nemotron-Ultra-
    253B-v1 ``modeling_decilm.py``; the same rule is in vLLM ``nemotron_nas.py``).
    NB: ``replace_with_linear`` blocks (a single ``d x d`` linear) are counted as such; windowed
    or sink attention variants are refused rather than guessed.
    """
    d, h, vocab = cfg.int("hidden_size"), cfg.int("num_attention_heads"), cfg.int("vocab_size")
    head_dim = d // h
    blocks = cfg.data.get("block_configs")
    if not isinstance(blocks, list) or not blocks:
        raise ConfigError(
            "nemotron-nas config is missing required key 'block_configs'", field="block_configs"
        )
    layers = []
    for i, blk in enumerate(blocks):
        a, f = blk.get("attention", {}), blk.get("ffn", {})
        if (
            a.get("window_length")
            or a.get("num_sink_tokens")
            or a.get("sparsify")
            or f.get("sparsify")
        ):
            raise ConfigError(
                f"block_configs[{i}] uses windowed, sink or sparse blocks, which are not supported",
                field="block_configs",
            )
        if a.get("no_op"):
            attn = cost("no_attention")
        elif a.get("replace_with_linear"):
            attn = BlockCost(d * d + d, d * d + d, 2 * d * d, 0)  # linear d -> d + its norm
        else:
            group = a.get("n_heads_in_group")
            if not isinstance(group, int) or group < 1 or h % group:
                raise ConfigError(
                    f"block_configs[{i}].attention.n_heads_in_group must divide {h}, not {group!r}",
                    field="block_configs",
                )
            attn = cost("gqa", d=d, h=h, h_kv=h // group, d_h=head_dim) + BlockCost(d, d, 0, 0)
        if f.get("no_op"):
            mlp = cost("no_mlp")
        elif f.get("replace_with_linear"):
            mlp = BlockCost(d * d + d, d * d + d, 2 * d * d, 0)
        else:
            mult = f.get("ffn_mult")
            if not isinstance(mult, (int, float)) or mult <= 0:
                raise ConfigError(
                    f"block_configs[{i}].ffn.ffn_mult must be positive, not {mult!r}",
                    field="block_configs",
                )
            size = int(2 * mult * d / 3)
            size = size if size % 256 == 0 else size + 256 - size % 256
            mlp = cost("gated_mlp", d=d, f=size) + BlockCost(d, d, 0, 0)
        layers.append(Layer(attn, mlp, None, "nas"))
    return {
        "hidden_size": d,
        "vocab_size": vocab,
        "tie_embeddings": cfg.flag("tie_word_embeddings", False),
        "layers": tuple(layers),
        "extra_params": d,
        "n_heads": h,
        "head_dim": head_dim,
    }


def _minimum(a: Any, b: Any) -> Any:
    """Elementwise minimum of numbers, arrays or Uncertain quantities; ``None`` is no bound."""
    if b is None:
        return a
    if hasattr(a, "samples") or hasattr(b, "samples"):  # an Uncertain
        from flopcast.core.uncertain import minimum

        return minimum(a, b)
    return np.minimum(a, b)
