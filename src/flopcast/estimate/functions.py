"""The expression language's catalog functions: ``peak(chip, precision)`` and ``price(chip)``.

Importing this module registers them (the estimation methods register themselves in
:mod:`flopcast.estimate.methods`); :func:`evaluate` is the expression language with every
function of this layer bound.
"""

from __future__ import annotations

from typing import Any

from flopcast.core import expr as _expr
from flopcast.core import uncertain as u
from flopcast.core.errors import ExpressionError
from flopcast.core.expr import Resolver, expression_function, word_arg
from flopcast.core.uncertain import Uncertain
from flopcast.estimate import chips as hardware
from flopcast.estimate import methods as _methods  # noqa: F401  (registers the methods)


def evaluate(text: str, resolve: Resolver | None = None) -> Uncertain:
    """:func:`flopcast.core.expr.evaluate` with ``peak``, ``price`` and the methods bound."""
    return _expr.evaluate(text, resolve)


@expression_function("peak")
def _peak(chip: Any, precision: Any = "bf16") -> Uncertain:
    chip_name, prec = word_arg(chip, "chip"), word_arg(precision, "precision")
    found = hardware.lookup(chip_name)
    value = hardware.peak_flop_per_s(chip_name, prec)
    return u.point(
        value,
        f"peak({found.id}, {prec})",
        unit="FLOP/s",
        description=f"peak dense {prec} FLOP/s of {found.name}",
        source="; ".join(_sources(found)),
    )


@expression_function("price")
def _price(chip: Any) -> Uncertain:
    chip_name = word_arg(chip, "chip")
    found = hardware.lookup(chip_name)
    entry = hardware.price_per_hour(chip_name)
    if entry is None:
        raise ExpressionError(
            f"the catalog has no sourced rental price for {found.name}; "
            "give the price per chip-hour yourself"
        )
    return u.point(
        _field(entry, "usd_per_hour"),
        f"price({found.id})",
        unit="USD/hour",
        description=f"rental price per {found.name}-hour, {_field(entry, 'date')}",
        source=str(_field(entry, "source")),
    )


def _field(entry: Any, key: str) -> Any:
    return entry[key] if isinstance(entry, dict) else getattr(entry, key)


def _sources(chip: Any) -> list[str]:
    out = []
    for s in getattr(chip, "sources", []) or []:
        out.append(s if isinstance(s, str) else str(_field(s, "url")))
    return out


def _field(entry: Any, key: str) -> Any:
    return entry[key] if isinstance(entry, dict) else getattr(entry, key)


def _sources(chip: Any) -> list[str]:
    out = []
    for s in getattr(chip, "sources", []) or []:
        out.append(s if isinstance(s, str) else str(_field(s, "url")))
    return out
