"""Exact matmul FLOP and parameter counts of a decoder-only transformer from its ``config.json``.

:func:`from_config` reads a Hugging Face config (a dict, a path, or the name of a config shipped
in ``data/architectures``) with the family its ``model_type`` names
(:mod:`flopcast.accounting.hfconfig`), builds its layers with the family's reader
(:mod:`flopcast.accounting.readers`, :mod:`flopcast.accounting.nas`) and returns an
:class:`~flopcast.accounting.model.Architecture`: exact parameters, and forward FLOP as
``C s + sum_w A_w keys_w(s)`` (see :mod:`flopcast.accounting.model` for the formula and the
counting conventions). This module is the public face of the three; its names are stable.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flopcast.accounting import hybrid, nas, readers
from flopcast.accounting.hfconfig import (
    READERS,
    Family,
    Fields,
    families,
    list_architectures,
    load_config,
    reader,
)
from flopcast.accounting.model import (
    Architecture,
    Conventions,
    Layer,
    keys_causal,
    palm_flop_per_token,
)
from flopcast.core.errors import ConfigError

__all__ = [
    "Architecture",
    "Conventions",
    "Family",
    "Layer",
    "from_config",
    "load_config",
    "list_architectures",
    "families",
    "reader",
    "keys_causal",
    "palm_flop_per_token",
]

_READER_MODULES = (readers, nas, hybrid)  # importing them registers their readers in READERS


def from_config(source: str | Path | Mapping[str, Any], *, name: str | None = None) -> Architecture:
    """Compile a Hugging Face config (dict, path or shipped name) to an :class:`Architecture`."""
    cfg = load_config(source)
    path = cfg.get("_path") if isinstance(cfg.get("_path"), str) else None
    model_type = _model_type(cfg, path)
    inner = cfg.get("text_config")
    if model_type not in families() and inner is not None:
        # Multimodal wrappers (Gemma 3, ...) keep the language model in ``text_config``.
        if not isinstance(inner, Mapping):
            raise ConfigError("'text_config' must be a JSON object", path, field="text_config")
        inner = dict(inner)
        inner.setdefault("model_type", f"{model_type}_text")
        for key in ("_name", "_source", "_path"):
            if key in cfg:
                inner.setdefault(key, cfg[key])
        cfg = inner
        model_type = _model_type(cfg, path)
    fam = families().get(model_type)
    if fam is None:
        raise ConfigError(
            f"model_type {model_type!r} is not supported; supported: " + ", ".join(families()),
            path,
            field="model_type",
        )
    arch = READERS[fam.reader](Fields(cfg, model_type, path), fam)
    label = name or cfg.get("_name") or model_type
    return Architecture(
        **{
            **arch,
            "name": str(label),
            "model_type": model_type,
            "source": str(cfg.get("_source", "")),
        }
    )


def _model_type(cfg: Mapping[str, Any], path: str | None) -> str:
    model_type = cfg.get("model_type")
    if model_type is None or model_type == "":
        raise ConfigError(
            "config has no 'model_type'; supported: " + ", ".join(families()),
            path,
            field="model_type",
        )
    if not isinstance(model_type, str):
        raise ConfigError(
            f"'model_type' must be a string, not {model_type!r:.60}", path, field="model_type"
        )
    return model_type
