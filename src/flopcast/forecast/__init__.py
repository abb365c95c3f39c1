"""Forecasts: when reasoning-training compute meets the frontier, what drives the date, and how
a forecast made in the past scores against what was disclosed later.

``scenario`` (parameters, draws), ``model`` (trajectories, meeting time, bands),
``sensitivity``, ``backtest`` and ``fit`` (score against compute).
"""

from flopcast.forecast.backtest import backtest
from flopcast.forecast.model import ForecastResult, list_scenarios, load_scenario, run
from flopcast.forecast.sensitivity import sensitivity

__all__ = [
    "ForecastResult",
    "backtest",
    "list_scenarios",
    "load_scenario",
    "run",
    "sensitivity",
]
