"""The expression language's catalog functions: ``peak(chip, precision)`` and ``price(chip)``.

Importing this module registers them and the estimation methods (``hardware``, ``operations``,
``cost``, ``ratio``, ``share``, ``prior``, ``chart_value``, ``chart_ratio``); :func:`evaluate` is
the expression language with every function of this layer bound.
"""

from __future__ import annotations

from typing import Any

from flopcast.core import uncertain as u
from flopcast.core.errors import ExpressionError
from flopcast.core.expr import Resolver, expression_function, word_arg
from flopcast.core.uncertain import Uncertain
from flopcast.estimate import chips as hardware
from flopcast.estimate import methods as _methods
from flopcast.estimate import phrases


def evaluate(text: str, resolve: Resolver | None = None) -> Uncertain:
    """:func:`flopcast.core.expr.evaluate` with ``peak``, ``price`` and the methods bound, and
    evidence phrases (``140,000 H100-hours``, ``$5M``; :mod:`flopcast.estimate.phrases`) read."""
    return phrases.evaluate(text, resolve)


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


@expression_function("peak_flop")
def _peak_flop(chip: Any, chip_hours: Any, precision: Any = "bf16") -> Uncertain:
    """FLOP at 100% of peak over ``chip_hours`` (``140,000 H100-hours``): the bound on a run."""
    chip_name, prec = word_arg(chip, "chip"), word_arg(precision, "precision")
    found = hardware.lookup(chip_name)
    hours = u.named(chip_hours, "chip_hours", description=f"{found.name}-hours")
    out = hours * 3600.0 * _peak(chip, precision)
    return out.with_unit("FLOP").with_meta(
        method="peak_flop",
        assumptions=[f"every {found.name}-hour at 100% of its dense {prec} peak"],
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


# ---- the estimation methods, bound by name -------------------------------------------------


@expression_function("hardware")
def _expr_hardware(
    chip: Any,
    chip_hours: Any = None,
    chips: Any = None,
    hours: Any = None,
    utilization: Any = None,
    precision: Any = "bf16",
    stage: Any = "pretraining",
) -> Uncertain:
    return _methods.hardware(
        str(chip),
        chip_hours=chip_hours,
        chips=chips,
        hours=hours,
        utilization=utilization,
        precision=str(precision),
        stage=str(stage),
    )


@expression_function("operations")
def _expr_operations(N: Any, D: Any, kind: Any = "training") -> Uncertain:
    return _methods.operations(N, D, kind=str(kind))


@expression_function("cost")
def _expr_cost(
    dollars: Any,
    chip: Any,
    usd_per_hour: Any = None,
    utilization: Any = None,
    precision: Any = "bf16",
    stage: Any = "pretraining",
) -> Uncertain:
    return _methods.cost(
        dollars,
        str(chip),
        usd_per_hour=usd_per_hour,
        utilization=utilization,
        precision=str(precision),
        stage=str(stage),
    )


@expression_function("ratio")
def _expr_ratio(base: Any, factor: Any) -> Uncertain:
    return _methods.ratio(base, factor)


@expression_function("share")
def _expr_share(base: Any, fraction: Any) -> Uncertain:
    return _methods.share(base, fraction)


@expression_function("prior")
def _expr_prior(name: Any) -> Uncertain:
    return _methods.prior(str(name))


@expression_function("chart_ratio")
def _expr_chart_ratio(
    px_a: Any, px_b: Any, pixels_per_decade: Any, pixel_error: Any = 2.0
) -> Uncertain:
    return _methods.chart_ratio(px_a, px_b, pixels_per_decade, pixel_error=pixel_error)


@expression_function("chart_value")
def _expr_chart_value(
    pixel: Any, px_a: Any, value_a: Any, px_b: Any, value_b: Any, pixel_error: Any = 2.0
) -> Uncertain:
    return _methods.chart_value(pixel, (px_a, value_a), (px_b, value_b), pixel_error=pixel_error)
