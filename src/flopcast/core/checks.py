"""Argument checks and the stated limits of uncertain quantities (issue 14).

Every constructor and summary checks its numbers here, so a bad value is one
:class:`~flopcast.core.errors.InputError` naming what was wrong and what is allowed.

Limits, each a documented bound rather than an accident of memory:

* :data:`MAX_MAGNITUDE`: numbers larger than 1e300 in size are refused (float64 ends at
  1.8e308, so a product of two such numbers would overflow without a word);
* :data:`MIN_LEVEL`: an interval level below 1e-6 has a half-width of zero in floating point;
* :data:`MAX_MIX_PARTS`: a mixture has at most 256 components;
* :data:`MEMORY_BUDGET`: Monte Carlo keeps about one array of ``n`` floats per node of the
  expression; a sampling that would hold more than 2 GiB is refused before it starts.
"""

from __future__ import annotations

import functools
import math
from statistics import NormalDist
from typing import Any

from flopcast.core import fmt
from flopcast.core.errors import InputError

MAX_MAGNITUDE = 1e300
MIN_LEVEL = 1e-6
MAX_MIX_PARTS = 256
MEMORY_BUDGET = 2 * 1024**3  # bytes
MAX_LOG = math.log(1.7976931348623157e308)  # ln of the largest float

_STD = NormalDist()


def finite(x: Any, what: str) -> float:
    """``x`` as a float; one clear error when it is not a finite number within the bound."""
    if type(x) is float and -MAX_MAGNITUDE <= x <= MAX_MAGNITUDE:  # fast path (NaN fails it)
        return x
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, got {x!r:.60}") from None
    except OverflowError:  # an int beyond the float range
        raise InputError(f"{what} is too large; numbers are limited to 1e300 in size") from None
    if not math.isfinite(v):
        raise InputError(f"{what} must be a finite number, got {x!r}")
    if abs(v) > MAX_MAGNITUDE:
        raise InputError(
            f"{what} is {fmt.number(v)}; numbers are limited to 1e300 in size "
            "(beyond it products overflow the float range)"
        )
    return v


def positive(x: Any, what: str) -> float:
    v = finite(x, what)
    if v <= 0:
        raise InputError(f"{what} must be positive, got {fmt.number(v)}")
    return v


def span(x: Any) -> float:
    v = finite(x, "span")
    if v <= 1:
        raise InputError(
            f"span must be above 1 (the ratio between the bound and the assumed other end), got {v}"
        )
    return v


def level(x: Any) -> float:
    """An interval level strictly between 0 and 1 (and not so small that it is a point)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 < x < 1:
        raise InputError(f"interval level must be between 0 and 1 (e.g. 0.9), got {x!r}")
    if x < MIN_LEVEL:
        raise InputError(
            f"interval level {x!r} is below {MIN_LEVEL:g}: such an interval has no width; "
            "use a level such as 0.5, 0.8 or 0.9"
        )
    return float(x)


@functools.lru_cache(maxsize=4096)
def z(p: float) -> float:
    """The standard normal quantile (cached: summaries ask for the same few percentiles)."""
    if p <= 0:
        return -math.inf
    if p >= 1:
        return math.inf
    return _STD.inv_cdf(p)


def normal_cdf(x: float) -> float:
    return _STD.cdf(x)


def exp(x: float, what: str = "the result") -> float:
    """``e^x``, with one clear error instead of an OverflowError beyond the float range."""
    if x > MAX_LOG:
        raise InputError(
            f"{what} is beyond the float range (above 1.8e308); "
            "check the magnitudes and the width of the intervals"
        )
    return math.exp(x)


def memory(n: int, arrays: int) -> None:
    """Refuse a sampling of ``arrays`` arrays of ``n`` floats beyond :data:`MEMORY_BUDGET`."""
    need = 8 * n * arrays
    if need > MEMORY_BUDGET:
        raise InputError(
            f"sampling this quantity {n:,} times needs about {need / 1024**3:.1f} GiB "
            f"({arrays} arrays of {n:,} draws; the limit is {MEMORY_BUDGET // 1024**3} GiB); "
            "use fewer samples or a smaller expression"
        )
