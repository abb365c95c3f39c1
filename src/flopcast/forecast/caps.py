"""What caps reasoning compute: a straight line ``c(t) = c0 + g_c (t - t_c)`` in log10 FLOP.

Each cap kind is registered in :data:`CAPS` (a :class:`~flopcast.core.registry.Registry`) and
maps a scenario's draws to ``(c0, t_c, g_c)``: ``c0`` log10 FLOP at the reference date ``t_c``
(decimal years), ``g_c`` OOM per year.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from flopcast.core.registry import Registry
from flopcast.forecast.draws import Draws

CapLine = tuple[np.ndarray, float, np.ndarray]  # (c0 log10 FLOP at t_c, t_c, g_c OOM/yr)
CAPS: Registry[Callable[[Draws], CapLine]] = Registry("cap kind")

__all__ = ["CAPS", "CapLine"]


@CAPS.register("share")
def _share_cap(d: Draws) -> CapLine:
    """A share of the frontier: ``c(t) = f(t) + log10(share)``."""
    v = d.values
    c0 = np.log10(v["frontier.flop"]) + np.log10(v["cap.share"])
    return c0, d.years["frontier.date"], np.log10(v["frontier.growth_per_year"])


@CAPS.register("budget")
def _budget_cap(d: Draws) -> CapLine:
    """What a yearly budget buys: ``c(t) = log10(B(t) / p(t))``, both exponential in time."""
    v = d.values
    c0 = np.log10(v["budget.usd_per_year"]) - np.log10(v["budget.usd_per_flop"])
    g_c = np.log10(v["budget.growth_per_year"]) + np.log10(v["budget.price_decline_per_year"])
    return c0, d.years["budget.date"], g_c
