"""Forecasts that are allowed but make no sense: a warning, not silence.

A parameter may pass its bounds (``frontier.flop`` is positive) and still lie far outside
anything that has happened or is physically in reach (``1e308`` FLOP); a meeting date may be a
century away. :func:`problems` names each such value in one sentence; :func:`warn` issues them
as one :class:`~flopcast.core.errors.PlausibilityWarning` (the CLI prints it as one
``warning:`` line). The plausible range of a parameter is data (``plausible`` and ``plausible_why`` in
``data/scenarios/_defaults.yaml``); the range of a meeting date is that of a scenario's dates,
:data:`flopcast.core.dates.LATEST`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from flopcast.core import fmt
from flopcast.core.dates import LATEST, to_date, to_year
from flopcast.core.errors import PlausibilityWarning
from flopcast.forecast.lognormal import Log10Normal
from flopcast.forecast.params import PARAMETERS

__all__ = ["problems", "warn"]


def problems(values: dict[str, Any], meeting_median_year: float) -> list[str]:
    """One sentence per parameter median outside its plausible range, and per meeting date
    (median) after :data:`LATEST`. ``values``: quantity key -> Uncertain (or a number)."""
    out = []
    for key, q in values.items():
        spec = PARAMETERS[key]
        if spec.plausible is None:
            continue
        median = _median(q)
        lo, hi = spec.plausible
        if not lo <= median <= hi:
            out.append(
                f"{key} = {fmt.number(median)} {spec.unit} (median) is {spec.plausible_why}, "
                f"plausible {fmt.number(lo)} to {fmt.number(hi)}"
            )
    if math.isfinite(meeting_median_year) and meeting_median_year > to_year(LATEST):
        out.append(
            f"the median meeting date {to_date(meeting_median_year) or 'after 9999'} lies after "
            f"{LATEST.isoformat()}, decades of straight-line growth past any evidence"
        )
    return out


def warn(values: dict[str, Any], meeting_median_year: float) -> list[str]:
    """:func:`problems` issued as one PlausibilityWarning (one line); returns them."""
    found = problems(values, meeting_median_year)
    if found:
        message = "; ".join(found) + ": the forecast from these values is not meaningful"
        warnings.warn(message, PlausibilityWarning, stacklevel=3)
    return found


def _median(q: Any) -> float:
    form = Log10Normal.of(q)
    if form is not None:
        return float(10.0**form.mu)
    return float(q.median())
