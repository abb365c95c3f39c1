"""Block formulas of a decoder-only transformer: parameters and matmul FLOP per token.

Each block type (attention or MLP variant) is a small pure function of plain numbers, registered
under a name with :func:`block`, which rejects duplicate names (as PyTorch's
``torch/utils/flop_counter.py`` registers one formula per operation). A block returns a
:class:`BlockCost`:

- ``params``: weights and biases the block owns (what ``sum(p.numel())`` counts);
- ``active_params``: those a single token touches (differs from ``params`` only for MoE);
- ``flop_per_token``: matrix-multiply FLOP per token that do not depend on the context,
  ``2 * m * n`` for an ``m x n`` weight (one multiply and one add per weight);
- ``flop_per_pair``: FLOP per (query, key) pair of the attention score and value products,
  ``2 * n_heads * (d_qk + d_v)``; the caller multiplies by the number of keys each query sees.

Notation follows the papers: ``d`` hidden size, ``h`` query heads, ``h_kv`` key/value heads,
``d_h`` head dimension, ``f`` MLP inner size, ``E`` routed experts, ``k`` experts per token.

NB: only matrix products are counted. Norms, activations, softmax, rotary embeddings, bias adds
and routing arithmetic are O(d) per token and are left out, as in Kaplan et al. (2020) Table 1
and as ``torch.utils.flop_counter.FlopCounterMode`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flopcast.core.errors import ConfigError
from flopcast.core.registry import Registry

__all__ = ["BLOCKS", "BlockCost", "block", "blocks", "cost"]


@dataclass(frozen=True)
class BlockCost:
    """Parameters and FLOP of one block (see the module docstring for each field)."""

    params: int = 0
    active_params: int = 0
    flop_per_token: int = 0
    flop_per_pair: int = 0

    def __add__(self, other: BlockCost) -> BlockCost:
        return BlockCost(
            self.params + other.params,
            self.active_params + other.active_params,
            self.flop_per_token + other.flop_per_token,
            self.flop_per_pair + other.flop_per_pair,
        )


BlockFn = Callable[..., BlockCost]
BLOCKS: Registry[BlockFn] = Registry("block type")


def block(name: str) -> Callable[[BlockFn], BlockFn]:
    """Register a block formula under ``name``; a second registration of a name is an error."""
    return BLOCKS.register(name)


def blocks() -> list[str]:
    """Names of the registered block formulas."""
    return BLOCKS.names()


def cost(name: str, **dims: int | bool) -> BlockCost:
    """The cost of block ``name`` with the given dimensions (UnknownNameError for a bad name)."""
    return BLOCKS[name](**dims)


def _linear(m: int, n: int, bias: bool = False) -> BlockCost:
    """A dense ``m -> n`` projection: ``m n`` weights (+ ``n`` bias), ``2 m n`` FLOP per token."""
    params = m * n + (n if bias else 0)
    return BlockCost(params, params, 2 * m * n, 0)


# ---- attention ---------------------------------------------------------------------------


@block("gqa")
def grouped_query_attention(
    *,
    d: int,
    h: int,
    h_kv: int,
    d_h: int,
    qkv_bias: bool = False,
    o_bias: bool = False,
    qk_norm: bool = False,
    qk_norm_full: bool = False,
    sinks: bool = False,
    query_gate: bool = False,
) -> BlockCost:
    """Multi-head attention with ``h_kv`` key/value heads: MHA (h_kv = h), GQA, MQA (h_kv = 1).

    Vaswani et al. (2017); GQA: Ainslie et al. (2023), arXiv:2305.13245. Projections
    ``W_Q: d x h d_h``, ``W_K, W_V: d x h_kv d_h``, ``W_O: h d_h x d``. Each query head scores
    every key (``2 d_h`` FLOP) and mixes the values (``2 d_h``), so a (query, key) pair costs
    ``4 h d_h``. NB: GQA shares K and V between heads but not the products, so the pair cost
    depends on ``h``, not ``h_kv``.
    Parameters only: ``qk_norm`` (per-head RMSNorm on q and k, Qwen3 / Gemma 3: ``2 d_h``),
    ``qk_norm_full`` (RMSNorm over all of q and of k, OLMo 2: ``(h + h_kv) d_h``), ``sinks`` (one
    learned attention-sink logit per head, gpt-oss: ``h``; it joins the softmax, not a matmul).
    ``query_gate``: the query projection also emits a sigmoid gate on the attention output
    (Qwen3-Next gated attention), so ``W_Q`` is ``d x 2 h d_h``.
    """
    q = _linear(d, h * d_h * (2 if query_gate else 1), qkv_bias)
    kv = _linear(d, h_kv * d_h, qkv_bias)
    o = _linear(h * d_h, d, o_bias)
    norm = 2 * d_h if qk_norm else 0
    norm += (h + h_kv) * d_h if qk_norm_full else 0
    norm += h if sinks else 0
    total = q + kv + kv + o + BlockCost(norm, norm, 0, 0)
    return total + BlockCost(flop_per_pair=2 * h * d_h + 2 * h * d_h)


@block("mla")
def multi_head_latent_attention(
    *,
    d: int,
    h: int,
    q_lora_rank: int,
    kv_lora_rank: int,
    d_nope: int,
    d_rope: int,
    d_v: int,
    bias: bool = False,
) -> BlockCost:
    """DeepSeek multi-head latent attention, computed in its explicit (non-absorbed) form.

    DeepSeek-V2 (arXiv:2405.04434) section 2.1 and DeepSeek-V3 (arXiv:2412.19437) section 2.1.1:
    queries ``d -> q_lora_rank -> h (d_nope + d_rope)`` (or ``d -> h (d_nope + d_rope)`` when
    ``q_lora_rank`` is 0), keys and values share a latent ``d -> kv_lora_rank + d_rope`` that is
    expanded ``kv_lora_rank -> h (d_nope + d_v)``; output ``h d_v -> d``. A (query, key) pair costs
    ``2 h (d_nope + d_rope)`` for the score and ``2 h d_v`` for the value mix.
    NB: inference engines often absorb ``W_UK`` and ``W_UV`` into the query and output paths and
    attend in the latent space, which changes the pair cost to ``2 h (2 kv_lora_rank + d_rope)``;
    this formula is the training-time form that Hugging Face ``DeepseekV3Attention`` runs.
    """
    d_qk = d_nope + d_rope
    if q_lora_rank:
        q = _linear(d, q_lora_rank, bias) + _linear(q_lora_rank, h * d_qk)
        q = q + BlockCost(q_lora_rank, q_lora_rank, 0, 0)  # q_a_layernorm
    else:
        q = _linear(d, h * d_qk)
    kv = _linear(d, kv_lora_rank + d_rope, bias) + _linear(kv_lora_rank, h * (d_nope + d_v))
    kv = kv + BlockCost(kv_lora_rank, kv_lora_rank, 0, 0)  # kv_a_layernorm
    o = _linear(h * d_v, d, bias)
    return q + kv + o + BlockCost(flop_per_pair=2 * h * d_qk + 2 * h * d_v)


@block("gated_deltanet")
def gated_deltanet(
    *, d: int, h_k: int, h_v: int, d_k: int, d_v: int, conv: int, chunk: int
) -> BlockCost:
    """Gated DeltaNet linear attention (Yang et al. 2024, arXiv:2412.06464), as Qwen3-Next
    runs it (``Qwen3NextGatedDeltaNet`` in transformers; the chunked algorithm of the FLA
    library, chunk size ``chunk``).

    Projections: ``d -> 2 h_k d_k + 2 h_v d_v`` (q, k, v and the output gate z), ``d -> 2 h_v``
    (beta and the decay), a depthwise causal convolution of width ``conv`` over q, k, v
    (``2 conv`` FLOP per channel), and ``h_v d_v -> d`` out. The state of each of the ``h_v``
    heads is a ``d_k x d_v`` matrix: per token, reading it with the query, reading it with the key
    for the delta rule, and writing the update cost ``3 x 2 d_k d_v``; the chunked form adds,
    per token, the intra-chunk products ``k k^T`` and ``q k^T`` (``2 x 2 chunk d_k``) and the
    intra-chunk attention times the values (``2 chunk d_v``). No term grows with the context.
    NB: the sequence is padded to a multiple of ``chunk``, and the triangular solve of the UT
    transform (``O(chunk^2 d)`` per chunk) is not a matmul; neither is counted.
    """
    qkvz = _linear(d, 2 * h_k * d_k + 2 * h_v * d_v)
    ba = _linear(d, 2 * h_v)
    channels = 2 * h_k * d_k + h_v * d_v
    conv_cost = BlockCost(channels * conv, channels * conv, 2 * channels * conv, 0)
    out = _linear(h_v * d_v, d)
    state = h_v * (3 * 2 * d_k * d_v + 2 * 2 * chunk * d_k + 2 * chunk * d_v)
    small = 2 * h_v + d_v  # dt_bias and A_log per head, the gated RMSNorm over d_v
    return qkvz + ba + conv_cost + out + BlockCost(small, small, state, 0)


@block("mamba2")
def mamba2(
    *,
    d: int,
    h: int,
    p: int,
    n: int,
    groups: int,
    conv: int,
    chunk: int,
    conv_bias: bool = True,
    bias: bool = False,
) -> BlockCost:
    """A Mamba-2 mixer (Dao and Gu 2024, arXiv:2405.21060), as Nemotron-H runs it
    (``NemotronHMamba2Mixer`` in transformers), with the chunked SSD algorithm of chunk ``chunk``.

    ``h`` heads of ``p`` channels (inner width ``I = h p``), state size ``n`` shared by ``groups``
    groups. Projections: ``d -> I + (I + 2 groups n) + h`` (gate z, x, B, C, dt), a depthwise
    causal convolution of width ``conv`` over x, B, C, and ``I -> d`` out. Per token and head the
    chunked SSD computes ``C B^T`` within the chunk (``2 chunk n``), mixes the chunk's inputs
    (``2 chunk p``), writes the chunk state (``2 n p``) and reads the incoming state
    (``2 n p``). NB: the scan that carries states from chunk to chunk is elementwise, and the
    padding of a sequence to a multiple of ``chunk`` is not counted.
    """
    inner = h * p
    channels = inner + 2 * groups * n
    proj = _linear(d, inner + channels + h, bias)
    conv_w = channels * conv + (channels if conv_bias else 0)
    conv_cost = BlockCost(conv_w, conv_w, 2 * channels * conv, 0)
    out = _linear(inner, d, bias)
    ssd = h * (2 * chunk * n + 2 * chunk * p + 4 * n * p)
    small = 3 * h + inner  # dt_bias, A_log, D per head; the gated RMSNorm over I
    return proj + conv_cost + out + BlockCost(small, small, ssd, 0)


@block("dsa_indexer")
def lightning_indexer(*, d: int, q_lora_rank: int, h_idx: int, d_idx: int) -> BlockCost:
    """The lightning indexer of DeepSeek sparse attention (DeepSeek-V3.2-Exp technical report,
    section 1, Eq. (1): ``I_ts = sum_j w_tj ReLU(q_tj . k_s)``;
    https://huggingface.co/deepseek-ai/DeepSeek-V3.2-Exp; ``DeepseekV32Indexer`` in transformers).

    From the query latent ``c_q`` (``q_lora_rank``) it projects ``h_idx`` indexer queries of
    ``d_idx``, from the hidden state one key of ``d_idx`` (LayerNorm'd: ``2 d_idx`` parameters)
    and ``h_idx`` head weights; each (query, key) pair costs ``2 h_idx d_idx`` for the scores and
    ``2 h_idx`` for their weighted sum over heads. It scores every causal pair; the main attention
    then reads only the ``index_topk`` best keys.
    NB: the top-k selection itself is not a matmul and is not counted.
    """
    q = _linear(q_lora_rank, h_idx * d_idx)
    k = _linear(d, d_idx)
    weights = _linear(d, h_idx)
    norm = BlockCost(2 * d_idx, 2 * d_idx, 0, 0)
    return q + k + weights + norm + BlockCost(flop_per_pair=2 * h_idx * d_idx + 2 * h_idx)


@block("no_attention")
def no_attention() -> BlockCost:
    """A layer whose attention was removed (Nemotron NAS ``no_op``): nothing to count."""
    return BlockCost()


# ---- MLP ---------------------------------------------------------------------------------


@block("gated_mlp")
def gated_mlp(*, d: int, f: int, bias: bool = False) -> BlockCost:
    """Gated MLP (SwiGLU / GeGLU), Shazeer (2020) arXiv:2002.05202: gate and up ``d -> f``,
    down ``f -> d``; ``3 d f`` weights, ``6 d f`` FLOP per token."""
    return _linear(d, f, bias) + _linear(d, f, bias) + _linear(f, d, bias)


@block("plain_mlp")
def plain_mlp(*, d: int, f: int, bias: bool = True) -> BlockCost:
    """Two-matrix MLP (GPT-2): ``d -> f -> d``; ``2 d f`` weights, ``4 d f`` FLOP per token."""
    return _linear(d, f, bias) + _linear(f, d, bias)


@block("moe")
def mixture_of_experts(
    *,
    d: int,
    f_expert: int,
    n_experts: int,
    top_k: int,
    f_shared: int = 0,
    shared_gate: bool = False,
    expert_bias: bool = False,
    router_bias: bool = False,
    plain: bool = False,
    latent: int = 0,
) -> BlockCost:
    """Mixture of gated-MLP experts with a linear router and optional always-on shared experts.

    Shazeer et al. (2017); Mixtral (arXiv:2401.04088); DeepSeekMoE (arXiv:2401.06066) for shared
    experts; Qwen2-MoE adds a sigmoid gate ``d -> 1`` on its shared expert; gpt-oss
    (arXiv:2508.10925) gives its experts and router biases (``expert_bias``, ``router_bias``);
    Nemotron-H uses two-matrix experts and shared expert (``plain``) and may run the experts in a
    smaller ``latent`` width behind ``d -> latent`` and ``latent -> d`` projections. A token runs the
    router ``d -> E`` (``2 d E`` FLOP), ``k`` routed experts and the shared experts.
    NB: assumes every token reaches exactly ``k`` experts (no capacity dropping), which is what
    dropless implementations (Megatron, Hugging Face, vLLM) compute.
    """
    if top_k > n_experts:
        raise ConfigError(
            f"experts per token ({top_k}) exceeds the number of experts ({n_experts})"
        )
    mlp = plain_mlp if plain else gated_mlp
    width = latent or d
    expert = mlp(d=width, f=f_expert, bias=expert_bias)
    router = _linear(d, n_experts, router_bias)
    shared = mlp(d=d, f=f_shared, bias=False) if f_shared else BlockCost()
    gate = _linear(d, 1) if shared_gate else BlockCost()
    if latent:
        gate = gate + _linear(d, latent) + _linear(latent, d)
    params = n_experts * expert.params + router.params + shared.params + gate.params
    active = top_k * expert.params + router.params + shared.params + gate.params
    flop = (
        top_k * expert.flop_per_token
        + router.flop_per_token
        + shared.flop_per_token
        + gate.flop_per_token
    )
    return BlockCost(params, active, flop, 0)


@block("no_mlp")
def no_mlp() -> BlockCost:
    """A layer whose MLP was removed (Nemotron NAS ``no_op``): nothing to count."""
    return BlockCost()
