"""Dates: ISO text in, decimal years out, parsed once (the forecast's calendar, and the report's).

A scenario's dates are parsed when it is loaded (:mod:`flopcast.forecast.scenario`); from then
on the model works in decimal years (``2025-07-02`` is ``2025 + 182/365``), and results turn
them back into ISO dates only to show them.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

import numpy as np

from flopcast.core.errors import ScenarioError

__all__ = ["EARLIEST", "LATEST", "bounded_date", "month_grid", "parse_date", "to_date", "to_year"]

# The range of a date a scenario or a backtest may state: flopcast's choice (a limit, not a
# measurement). The records of training compute that matter here start in the deep-learning
# era (the earliest shipped record is 2023, Epoch's notable models with known compute are
# mostly after 2010), and straight lines in log space extrapolated past 2100 say nothing.
EARLIEST = _dt.date(2010, 1, 1)
LATEST = _dt.date(2100, 12, 31)


def parse_date(text: Any, key: str = "", path: str | None = None) -> _dt.date:
    """An ISO date (``2025-04-16``) or a date object; ScenarioError otherwise."""
    if isinstance(text, _dt.datetime):
        return text.date()
    if isinstance(text, _dt.date):
        return text
    try:
        return _dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ScenarioError(
            f"{text!r} is not an ISO date (YYYY-MM-DD) or an @record reference",
            path=path,
            field=key or None,
        ) from None


def bounded_date(text: Any, key: str = "", path: str | None = None) -> _dt.date:
    """:func:`parse_date`, then ScenarioError unless it lies in [EARLIEST, LATEST]."""
    d = parse_date(text, key, path)
    if not EARLIEST <= d <= LATEST:
        raise ScenarioError(
            f"date {d.isoformat()} is outside the range a forecast covers "
            f"({EARLIEST.isoformat()} to {LATEST.isoformat()})",
            path=path,
            field=key or None,
        )
    return d


def to_year(d: _dt.date | str) -> float:
    """Decimal year: 2025-01-01 -> 2025.0, 2025-07-02 -> 2025.4986 (day 182 of 365)."""
    if isinstance(d, str):
        d = parse_date(d)
    start = _dt.date(d.year, 1, 1)
    days = (_dt.date(d.year + 1, 1, 1) - start).days
    return d.year + (d - start).days / days


def to_date(year: float) -> str:
    """ISO date of a decimal year (inverse of :func:`to_year` to the day); '' for NaN/inf."""
    if not math.isfinite(year) or not (1 <= year < 10_000):
        return ""
    y = int(math.floor(year))
    start = _dt.date(y, 1, 1)
    days = (_dt.date(y + 1, 1, 1) - start).days if y < 9999 else 365
    return (start + _dt.timedelta(days=int(round((year - y) * days)))).isoformat()


def month_grid(t0: float, years: float) -> np.ndarray:
    """``t0, t0 + 1/12, ...`` up to ``t0 + years`` (both ends): the bands' monthly grid."""
    return t0 + np.arange(int(round(years * 12)) + 1) / 12.0
