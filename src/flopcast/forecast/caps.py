"""What caps reasoning compute: a straight line ``c(t) = c0 + g_c (t - t_c)`` in log10 FLOP.

Each cap kind is a :class:`Cap` registered in :data:`CAPS` (a
:class:`~flopcast.core.registry.Registry`): ``line`` maps a scenario's Monte Carlo draws to
``(c0, t_c, g_c)`` (``c0`` log10 FLOP at the reference date ``t_c`` in decimal years, ``g_c``
OOM per year); ``exact`` gives the same line in closed form (``c0`` as a
:class:`~flopcast.forecast.lognormal.Log10Normal`, ``g_c`` a number) or says why there is none.

* ``share``: the RL stage's share of one frontier run's total compute, ``c(t) = f(t) +
  log10(share)``. ``share = 1`` is Epoch's May 2025 framing (a run with no pre-training: an
  upper bound); a coherent reading is a share below 1 (e.g. 0.5-0.9).
* ``parity``: the RL stage equal to the same run's pre-training. In FLOP the run's total is
  then twice its RL stage, ``c = f + log10(1/2)``. In GPU-time (``cap.parity_in: gpu_time``),
  equal chip-hours at utilisations ``u_rl`` and ``u_pre`` give ``RL / pre = k = u_rl / u_pre``
  and ``c = f + log10(k / (1 + k))``: with RL at a lower utilisation, GPU-time parity comes
  first.
* ``budget``: what a yearly budget buys, ``c(t) = log10(B(t) / p(t))``.
* ``data``: the verifiable problems available, ``c = log10(P k L n phi(L / 2))``: ``P``
  problems x ``k`` samples per problem x ``L`` tokens per response x ``n`` forward-pass
  equivalents per token (generate, update, reference) x ``phi``, the forward FLOP per token of
  the policy model (:mod:`flopcast.accounting`, a shipped config) at the mean position of a
  response; growing by ``data.growth_per_year``.
* ``money``: what the final-run part of a lab's R&D compute spend buys, ``c(t) = log10(R(t)
  s / p(t))``: final runs are a minority (``s`` ~10%) of the R&D compute (Epoch AI, March
  2026), the rest is research overhead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from flopcast.accounting.architecture import Architecture, from_config
from flopcast.core.registry import Registry
from flopcast.forecast.draws import Draws, Quantities
from flopcast.forecast.lognormal import Log10Normal

CapLine = tuple[np.ndarray, float, np.ndarray]  # (c0 log10 FLOP at t_c, t_c, g_c OOM/yr)
ExactCap = tuple[Log10Normal, float, float]  # (c0, t_c, g_c) in closed form


@dataclass(frozen=True)
class Cap:
    """One cap kind: its line from draws, its closed form, and the parameter errors name."""

    line: Callable[[Draws], CapLine]
    exact: Callable[[Quantities], ExactCap | str]
    level_key: str  # the parameter to change when the cap sits below the start
    description: str


CAPS: Registry[Cap] = Registry("cap kind")

__all__ = ["CAPS", "Cap", "CapLine", "ExactCap"]


def _frontier_line(d: Draws, offset: np.ndarray | float) -> CapLine:
    v = d.values
    c0 = np.log10(v["frontier.flop"]) + offset
    return c0, d.years["frontier.date"], np.log10(v["frontier.growth_per_year"])


def _frontier_exact(q: Quantities, keys: tuple[str, ...]) -> tuple[Log10Normal, float] | str:
    """log10 of the product of ``frontier.flop`` and the other ``keys`` (independent), and g_c."""
    growth = Log10Normal.of(q.values["frontier.growth_per_year"])
    if growth is None or not growth.is_point:
        return "frontier.growth_per_year is uncertain (the cap's slope varies by draw)"
    out = Log10Normal.of(q.values["frontier.flop"])
    if out is None:
        return "frontier.flop is not lognormal"
    for key in keys:
        part = Log10Normal.of(q.values[key])
        if part is None:
            return f"{key} is not lognormal"
        if q.shares_inputs("frontier.flop", key):
            return f"{key} and frontier.flop share inputs"
        out = out.plus(part)
    return out, growth.mu


def _share_line(d: Draws) -> CapLine:
    return _frontier_line(d, np.log10(d.values["cap.share"]))


def _share_exact(q: Quantities) -> ExactCap | str:
    got = _frontier_exact(q, ("cap.share",))
    return got if isinstance(got, str) else (got[0], q.years["frontier.date"], got[1])


CAPS.register(
    "share",
    Cap(_share_line, _share_exact, "cap.share", "the RL stage's share of one frontier run"),
)


def _parity_ratio(d: Draws) -> np.ndarray | float:
    """RL FLOP / pre-training FLOP at parity: 1 in FLOP, ``u_rl / u_pre`` in GPU-time."""
    if d.choices.get("cap.parity_in") != "gpu_time":
        return 1.0
    return d.values["utilization.rl"] / d.values["utilization.pretraining"]


def _parity_line(d: Draws) -> CapLine:
    k = _parity_ratio(d)
    return _frontier_line(d, np.log10(k / (1.0 + k)))


def _parity_exact(q: Quantities) -> ExactCap | str:
    if q.scenario.value("cap.parity_in") == "gpu_time":
        return "GPU-time parity: k / (1 + k) of a lognormal k is not lognormal"
    got = _frontier_exact(q, ())
    if isinstance(got, str):
        return got
    return got[0].shift(float(np.log10(0.5))), q.years["frontier.date"], got[1]


CAPS.register(
    "parity",
    Cap(_parity_line, _parity_exact, "cap.parity_in", "RL stage = the run's pre-training"),
)


def _budget_line(d: Draws) -> CapLine:
    v = d.values
    c0 = np.log10(v["budget.usd_per_year"]) - np.log10(v["budget.usd_per_flop"])
    g_c = np.log10(v["budget.growth_per_year"]) + np.log10(v["budget.price_decline_per_year"])
    return c0, d.years["budget.date"], g_c


def _budget_exact(q: Quantities) -> ExactCap | str:
    forms = {
        k: Log10Normal.of(q.values[k])
        for k in (
            "budget.usd_per_year",
            "budget.usd_per_flop",
            "budget.growth_per_year",
            "budget.price_decline_per_year",
        )
    }
    for key, form in forms.items():
        if form is None:
            return f"{key} is not lognormal"
    g, dcl = forms["budget.growth_per_year"], forms["budget.price_decline_per_year"]
    assert g is not None and dcl is not None
    if not (g.is_point and dcl.is_point):
        return "the budget's growth or the price decline is uncertain (the slope varies)"
    if q.shares_inputs("budget.usd_per_year", "budget.usd_per_flop"):
        return "budget.usd_per_year and budget.usd_per_flop share inputs"
    usd, price = forms["budget.usd_per_year"], forms["budget.usd_per_flop"]
    assert usd is not None and price is not None
    return usd.plus(price, -1.0), q.years["budget.date"], g.mu + dcl.mu


CAPS.register(
    "budget",
    Cap(_budget_line, _budget_exact, "budget.usd_per_year", "what a yearly budget buys"),
)


def _data_line(d: Draws) -> CapLine:
    v = d.values
    length = v["data.response_tokens"]
    flop = data_flop(
        v["data.problems"],
        v["data.samples_per_problem"],
        length,
        v["data.passes_per_token"],
        d.choices.get("data.architecture", "deepseek-v3"),
    )
    return np.log10(flop), d.years["data.date"], np.log10(v["data.growth_per_year"])


def data_flop(problems: Any, samples: Any, tokens: Any, passes: Any, architecture: str) -> Any:
    """RL FLOP the data allow: ``problems x samples x tokens x passes x phi(tokens / 2)``."""
    phi = _architecture(architecture).forward_flop_per_token(np.asarray(tokens, float) / 2.0)
    return problems * samples * tokens * passes * phi


@functools.lru_cache(maxsize=16)
def _architecture(name: str) -> Architecture:
    return from_config(name)


def _no_exact(why: str) -> Callable[[Quantities], str]:
    def reason(q: Quantities) -> str:
        return why

    return reason


CAPS.register(
    "data",
    Cap(
        _data_line,
        _no_exact("the data cap's FLOP per token depends on the response length (attention)"),
        "data.problems",
        "what the verifiable problems allow",
    ),
)


def _money_line(d: Draws) -> CapLine:
    v = d.values
    usd = v["money.rd_usd_per_year"] * v["money.final_run_share"]
    c0 = np.log10(usd) - np.log10(v["money.usd_per_flop"])
    g_c = np.log10(v["money.growth_per_year"]) + np.log10(v["money.price_decline_per_year"])
    return c0, d.years["money.date"], g_c


CAPS.register(
    "money",
    Cap(
        _money_line,
        _no_exact("the money cap's growth is uncertain (its slope varies by draw)"),
        "money.rd_usd_per_year",
        "what the final-run share of R&D compute buys",
    ),
)
