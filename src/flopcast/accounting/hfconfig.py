"""Reading a Hugging Face ``config.json``: the file, the family table, and typed fields.

A config (a dict, a path, or the name of a config shipped in ``data/architectures``) is read by
a *family* chosen by its ``model_type``. Families are data (``data/architectures/_families.json``,
validated by :class:`Family`): which attention and MLP block, which keys hold biases, norms,
windows and experts. Each family names a *reader* in :data:`READERS` that turns the config into
layers (:mod:`flopcast.accounting.readers`, :mod:`flopcast.accounting.nas`).

Every field a reader uses goes through :class:`Fields`, which checks type, range and
finiteness before any arithmetic (issue 14): ``num_hidden_layers: NaN``, a list where a number
belongs, or ``num_hidden_layers: 10000000`` are one-line :class:`ConfigError` naming the file and
the field. The bounds (:data:`MAX_LAYERS`, :data:`MAX_DIM`, :data:`MAX_VOCAB`) are limits of
this tool, set far above the shipped configs (the deepest has 162 blocks, the widest hidden
size is 16,384, the largest vocabulary 152,064; the bounds themselves are assumed, not
sourced), so that a typo cannot ask for gigabytes of layers.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from flopcast.core import yamlio
from flopcast.core.errors import ConfigError, DataError, UnknownNameError
from flopcast.core.registry import Registry

__all__ = [
    "MAX_DIM",
    "MAX_LAYERS",
    "MAX_VOCAB",
    "READERS",
    "Family",
    "Fields",
    "Moe",
    "Reader",
    "decoder_result",
    "families",
    "list_architectures",
    "load_config",
    "reader",
]

MAX_LAYERS = 4_096  # layers or NAS blocks in one model
MAX_DIM = 1 << 20  # any width: hidden, MLP, heads x head size, LoRA rank, experts
MAX_VOCAB = 1 << 24  # vocabulary entries

Keys = str | Sequence[str]  # one config key, or aliases tried in order


# ---- the family table --------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_keys(v: Any) -> Any:
    return [v] if isinstance(v, str) else v


class Moe(_Strict):
    """Where an MoE family keeps its expert numbers (see README.md in data/architectures)."""

    experts: list[str]
    top_k: list[str]
    expert_size: list[str]
    shared: Literal["none", "deepseek", "qwen"] = "none"
    layers: Literal["all", "first_k_dense", "sparse_step"] = "all"
    shared_default: int = 0
    first_k_dense_default: int = 0
    expert_bias: bool = False
    router_bias: bool = False

    _keys = field_validator("experts", "top_k", "expert_size", mode="before")(_as_keys)


class Family(_Strict):
    """One entry of ``_families.json``: how to read configs of one ``model_type``."""

    reader: str
    attention: Literal["gqa", "mla"] = "gqa"
    mlp: Literal["gated_mlp", "moe"] = "gated_mlp"
    qkv_bias: bool | str | None = None
    qkv_bias_default: bool = False
    o_bias: bool | str | None = None
    o_bias_default: bool = False
    mlp_bias: bool | str | None = None
    qk_norm: bool | str | Literal["full"] = False
    norms_per_layer: int = 2
    tie_default: bool = False
    windows: Literal["none", "all", "qwen", "pattern"] = "none"
    pattern_default: int = 2
    sinks: bool = False
    query_gate: bool = False
    indexer: bool = False
    linear_attention: Literal["none", "gated_deltanet"] = "none"
    full_attention_interval: int = 4
    chunk_size: int = 64
    fused_projections: bool = False
    mtp: bool = False
    moe: Moe | None = None


@cache
def families() -> dict[str, Family]:
    """The family table (``data/architectures/_families.json``), keyed by ``model_type``."""
    path = resources.files("flopcast").joinpath("data/architectures/_families.json")
    raw = json.loads(path.read_text("utf-8"))
    out = {}
    for key, value in raw.items():
        if key.startswith("_"):
            continue
        try:
            out[key] = Family.model_validate(value)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in (key, *err["loc"]))
            raise ConfigError(
                err["msg"], "data/architectures/_families.json", field=where
            ) from None
    return out


# ---- readers -----------------------------------------------------------------------------

Reader = Callable[["Fields", Family], dict[str, Any]]
READERS: Registry[Reader] = Registry("config reader")


def reader(name: str) -> Callable[[Reader], Reader]:
    """Register a config reader under ``name`` (duplicates rejected)."""
    return READERS.register(name)


def decoder_result(
    cfg: Fields, fam: Family, d: int, vocab: int, layers: Sequence[Any], h: int, head_dim: int
) -> dict[str, Any]:
    """What a reader returns for a decoder whose only parameters outside its layers, embedding
    and head are the ``d`` weights of one final norm; the head is tied as the config says."""
    return {
        "hidden_size": d,
        "vocab_size": vocab,
        "tie_embeddings": cfg.flag("tie_word_embeddings", fam.tie_default),
        "layers": tuple(layers),
        "extra_params": d,
        "n_heads": h,
        "head_dim": head_dim,
    }


# ---- loading -----------------------------------------------------------------------------


def load_config(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """A config dict from a dict, a path to a ``config.json``, or a shipped config name."""
    if isinstance(source, Mapping):
        return dict(source)
    path = Path(source)
    if path.suffix != ".json" and not path.exists():
        shipped = _shipped()
        key = str(source).lower()
        if key not in shipped:
            raise UnknownNameError("architecture", str(source), _suggest(key, list(shipped)))
        path = shipped[key]
    data = _read_json(path)
    data.setdefault("_name", path.stem if path.name != "config.json" else path.parent.name)
    data["_path"] = str(path)
    return data


def list_architectures() -> list[str]:
    """Names of the shipped configs (``data/architectures/<name>.json``)."""
    return sorted(_shipped())


def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ConfigError(f"config file {str(path)!r} does not exist")
    try:
        text = yamlio.read_text(path, "config.json")
    except DataError as exc:  # not UTF-8 (a UTF-16 file), unreadable, too big
        raise ConfigError(exc.message, str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"not valid JSON: {exc.msg} at line {exc.lineno}", str(path)) from None
    except RecursionError:
        raise ConfigError("JSON nested too deeply", str(path)) from None
    if not isinstance(data, dict):
        raise ConfigError("a config.json must hold one JSON object", str(path))
    return data


def _shipped() -> dict[str, Path]:
    folder = Path(str(resources.files("flopcast").joinpath("data/architectures")))
    return {p.stem.lower(): p for p in folder.glob("*.json") if not p.name.startswith("_")}


def _suggest(key: str, names: list[str]) -> list[str]:
    return difflib.get_close_matches(key, names, n=3, cutoff=0.4)


# ---- typed fields ------------------------------------------------------------------------


class Fields:
    """Typed access to a config dict: every value is checked before it is used.

    A missing required key, a wrong type, a non-finite number or a value out of range is a
    :class:`ConfigError` naming the config file and the key. ``keys`` may be one key or a list
    of aliases tried in order (transformers 5.x writes ``num_local_experts`` where older
    configs wrote ``num_experts`` or ``n_routed_experts``).
    """

    def __init__(self, data: Mapping[str, Any], model_type: str, path: str | None = None):
        self.data = data
        self.model_type = model_type
        self.path = path

    def error(self, message: str, key: str) -> ConfigError:
        return ConfigError(message, self.path, field=key)

    def has(self, keys: Keys) -> bool:
        return self._find(keys)[1] is not None

    def integer(
        self,
        keys: Keys,
        default: int | None = None,
        *,
        minimum: int = 1,
        maximum: int = MAX_DIM,
    ) -> int:
        """An integer in ``[minimum, maximum]``; ``default`` when absent (required if None)."""
        key, value = self._find(keys)
        if value is None:
            if default is None:
                raise self.error(f"{self.model_type} config is missing required key {key!r}", key)
            return default
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(f"must be a finite integer, not {value!r}", key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise self.error(f"must be an integer, not {_show(value)}", key)
        if value < minimum:
            raise self.error(f"must be at least {minimum}, not {value!r}", key)
        if value > maximum:
            raise self.error(f"must be at most {maximum:,}, not {value!r}", key)
        return int(value)

    def flag(self, spec: bool | str | None, default: bool = False) -> bool:
        """A boolean: given literally in the family table, or read from the named key."""
        if isinstance(spec, bool):
            return spec
        if spec is None:
            return default
        value = self.data.get(spec)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(f"must be true or false, not {_show(value)}", spec)
        return value

    def window(self, key: str = "sliding_window") -> int | None:
        """An attention window in tokens, or None when absent, null or 0 (Qwen2-MoE writes 0)."""
        if self.data.get(key) is None:
            return None
        window = self.integer(key, minimum=0, maximum=1 << 40)
        return window or None

    def strings(self, key: str, n: int) -> list[str] | None:
        """A list of ``n`` strings (e.g. ``layer_types``), or None when absent."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(f"must be a list of strings, not {_show(value)}", key)
        if len(value) != n:
            raise self.error(f"{key!r} has {len(value)} entries for {n} layers", key)
        return value

    def ints(self, key: str) -> list[int]:
        """A list of non-negative integers (e.g. ``mlp_only_layers``); empty when absent."""
        value = self.data.get(key)
        if value is None:
            return []
        ok = isinstance(value, list) and all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v < MAX_LAYERS for v in value
        )
        if not ok:
            raise self.error(f"must be a list of layer indices, not {_show(value)}", key)
        return list(value)

    def _find(self, keys: Keys) -> tuple[str, Any]:
        names = [keys] if isinstance(keys, str) else list(keys)
        for name in names:
            if self.data.get(name) is not None:
                return name, self.data[name]
        return names[0], None


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
