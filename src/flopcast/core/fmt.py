"""The one number formatter: every table, report, page and message prints numbers through here.

Rules (issue 9): two significant figures by default, a compact exponent (``9.9e22``, never
``9.9e+22`` or ``1.03e+03``), plain digits between 1e-3 and 1e4 (``0.25``, ``140``, ``1,300``
only for ratios), ``1,300x`` for a ratio, and a mantissa that never rounds up to ten
(``9.96e25`` prints ``1e26``, not ``10e25``). ``None`` and NaN print as ``UNKNOWN`` (the
public record is silent) unless the caller gives another word; ``NOT_APPLICABLE`` is the word
for a quantity that does not exist (a model without an RL stage).
"""

from __future__ import annotations

import math

UNKNOWN = "unknown"
NOT_APPLICABLE = "n/a"


def number(x: float | int | None, digits: int = 2, *, missing: str = UNKNOWN) -> str:
    """``x`` with ``digits`` significant figures: ``9.9e22``, ``0.25``, ``140``, ``1.4e5``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return missing
    x = float(x)
    if x == 0:
        return "0"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    a = abs(x)
    if 1e-3 <= a < 1e4:
        # Plain digits: one more significant figure so 140 and 0.25 read as people write them.
        r = _round_sig(x, digits + 1)
        return str(int(r)) if float(r).is_integer() else f"{r:g}"
    return _sci(x, digits)


def ratio(x: float | None, digits: int = 2, *, missing: str = UNKNOWN) -> str:
    """A ratio: ``1.9x``, ``20x``, ``1,300x``, ``2.5e7x`` (thousands separators below 1e6)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return missing
    x = float(x)
    a = abs(x)
    if a != 0 and 1 <= a < 1e6:
        rounded = _round_sig(x, digits)
        if abs(rounded) >= 10**digits or float(rounded).is_integer():
            return f"{rounded:,.0f}x"
        return f"{rounded:g}x"
    return number(x, digits) + "x"


def interval(lo: float | None, hi: float | None, digits: int = 2, sep: str = " - ") -> str:
    """``lo - hi`` with both ends through :func:`number`."""
    return f"{number(lo, digits)}{sep}{number(hi, digits)}"


def percent(x: float | None, digits: int = 2, *, missing: str = UNKNOWN) -> str:
    """A fraction as a percentage: 0.054 -> ``5.4%``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return missing
    return f"{_round_sig(100 * float(x), digits):g}%"


def quantity(x: float | None, unit: str | None = None, digits: int = 2) -> str:
    """``9.9e22 FLOP``; the unit is left out when there is none."""
    text = number(x, digits)
    return f"{text} {unit}" if unit else text


def estimate(
    median: float, lo: float, hi: float, unit: str | None = None, level: float = 0.9
) -> str:
    """``2.6e22 FLOP (90% CI 1.8e22 - 3.8e22)``; a known number (``lo == hi``) prints alone."""
    head = quantity(median, unit)
    if lo == hi:
        return head
    return f"{head} ({round(100 * level):g}% CI {interval(lo, hi)})"


def summary(s: dict) -> str:
    """:func:`estimate` of a summary in the one shape (:mod:`flopcast.core.summary`)."""
    return estimate(s["median"], s["lo"], s["hi"], s.get("unit"), s.get("level", 0.9))


# ---- private ----------------------------------------------------------------------------------


def _round_sig(x: float, digits: int) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def _sci(x: float, digits: int) -> str:
    mantissa, exp = f"{x:.{digits - 1}e}".split("e")
    # Python already renormalises 9.96e25 -> 1.0e+26; strip the trailing zeros of the mantissa.
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exp)}"
