"""RL algorithms as data: which passes (critic, reference, old log-probs) each runs by default.

The table is ``data/recipes/_algorithms.yaml`` (format at its top), read with
:mod:`flopcast.core.yamlio` and validated by :class:`Algorithm`, so a bad entry is one line
with its file and line. :func:`registry` is the registry recipes look names up in
(case-insensitive; an unknown name suggests the known ones); :func:`algorithm` adds one from
code, refusing duplicates.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, RootModel

from flopcast.core import yamlio
from flopcast.core.errors import ConfigError, DataError
from flopcast.core.registry import Registry

__all__ = ["Algorithm", "algorithm", "algorithms", "get_algorithm", "registry"]


class Algorithm(BaseModel):
    """Which passes an algorithm runs by default (a recipe may override each)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    critic: bool
    reference: bool
    old_logprob_recompute: bool
    description: str
    source: str
    note: str = ""


class _Table(RootModel[dict[str, Algorithm]]):
    pass


@cache
def registry() -> Registry[Algorithm]:
    """The algorithm registry, read from the table on first use."""
    path = Path(str(resources.files("flopcast").joinpath("data/recipes/_algorithms.yaml")))
    try:
        data, lines = yamlio.load_file(path, "algorithm table")
        table = yamlio.validate(_Table, data, str(path), lines)
    except DataError as exc:
        raise ConfigError(exc.message, exc.path, exc.line, exc.field) from None
    reg: Registry[Algorithm] = Registry("algorithm", normalize=str.lower)
    for name, algo in table.root.items():
        reg.register(name, algo.model_copy(update={"name": name.lower()}))
    return reg


def algorithm(name: str, **fields: Any) -> Algorithm:
    """Register an algorithm's default passes from code; a duplicate name is an error."""
    return registry().register(name, Algorithm(name=name.lower(), **fields))


def algorithms() -> list[str]:
    """Names of the known algorithms."""
    return registry().names()


def get_algorithm(name: str) -> Algorithm:
    """The algorithm called ``name`` (UnknownNameError with suggestions otherwise)."""
    return registry()[str(name)]
