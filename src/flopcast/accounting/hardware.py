"""Chip-hours, rental cost and implied utilisation of an amount of FLOP on a catalog chip.

``chip_hours = FLOP / (peak FLOP/s x utilization x 3600)`` with the dense peak of the chip at a
precision from :mod:`flopcast.estimate.chips`; cost is chip-hours times the catalog's latest
sourced rental price unless one is given. Numbers and Uncertain quantities both work.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from flopcast.core.errors import InputError, PlausibilityWarning
from flopcast.estimate import chips

__all__ = ["chip_hours", "cost_usd", "implied_utilization"]


def chip_hours(flop: Any, chip: str, utilization: Any, *, precision: str = "bf16") -> Any:
    """Chip-hours to do ``flop`` at ``utilization`` of the chip's dense peak:
    ``FLOP / (peak FLOP/s x utilization x 3600)``."""
    return flop / (_peak(chip, precision) * utilization * 3600.0)


def cost_usd(
    flop: Any,
    chip: str,
    utilization: Any,
    *,
    usd_per_hour: Any = None,
    precision: str = "bf16",
) -> Any:
    """Rental cost in US dollars to do ``flop`` at ``utilization`` of the chip's dense peak:
    ``chip_hours x usd_per_hour`` with ``chip_hours = FLOP / (peak FLOP/s x utilization x 3600)``.

    ``usd_per_hour`` defaults to the catalog's latest sourced rental price for the chip
    (:func:`flopcast.estimate.chips.price_per_hour`); :class:`InputError` when the catalog has none.
    NB: on-demand rental prices; owned clusters and negotiated rates cost less per hour.
    """
    rate = usd_per_hour if usd_per_hour is not None else _price(chip)
    if isinstance(rate, (int, float)) and not (math.isfinite(rate) and rate > 0):
        raise InputError(f"usd_per_hour must be a positive price per chip-hour, got {rate!r}")
    return chip_hours(flop, chip, utilization, precision=precision) * rate


def implied_utilization(
    flop: Any,
    chip: str,
    *,
    chip_hours: Any = None,
    cost_usd: Any = None,
    usd_per_hour: Any = None,
    precision: str = "bf16",
) -> Any:
    """Utilisation implied by a published chip-hours (or dollar) figure:
    ``FLOP / (chip_hours x 3600 x peak)``. Warns (PlausibilityWarning) outside 0.01-0.7 of peak,
    where a figure is likely wrong or means something else (idle time, other work, other chips)."""
    if chip_hours is None:
        if cost_usd is None:
            raise InputError("implied_utilization needs chip_hours or cost_usd")
        rate = usd_per_hour if usd_per_hour is not None else _price(chip)
        chip_hours = cost_usd / rate
    util = flop / (chip_hours * 3600.0 * _peak(chip, precision))
    median = util.median() if hasattr(util, "median") else float(util)
    if median > 0.7 or median < 0.01:
        warnings.warn(
            f"implied utilisation {median:.3g} of {chip} {precision} peak is outside the "
            "plausible 0.01-0.7; check the FLOP and the chip-hours",
            PlausibilityWarning,
            stacklevel=2,
        )
    return util


def _peak(chip: str, precision: str) -> float:
    return chips.peak_flop_per_s(chip, precision)


def _price(chip: str) -> float:
    price = chips.price_per_hour(chip)
    if price is None:
        raise InputError(
            f"the chip catalog has no sourced rental price for {chips.lookup(chip).id!r} "
            f"({chip!r}); give usd_per_hour"
        )
    return float(price.usd_per_hour)
