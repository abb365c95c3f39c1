"""The arithmetic rules of uncertain quantities that need no tree: folding known numbers in plain
floats, and the unit of a result (:mod:`flopcast.core.units` does the dimension algebra).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from flopcast.core import exact, fmt, units
from flopcast.core.errors import InputError

if TYPE_CHECKING:
    from flopcast.core.quantity import Uncertain


def fold(op: str, x: float, y: float) -> float:
    """``x op y`` for two known numbers, in plain floats; one error beyond the float range."""
    try:
        if op == "add":
            value = x + y
        elif op == "sub":
            value = x - y
        elif op == "mul":
            value = x * y
        elif op == "div":
            value = x / y
        elif op == "pow":
            value = x**y
        else:
            value = min(x, y) if op == "min" else max(x, y)
    except ZeroDivisionError:
        raise InputError(f"{fmt.number(x)} {SYMBOL[op]} {fmt.number(y)} divides by zero") from None
    except OverflowError:
        value = math.inf
    if isinstance(value, complex):
        raise InputError(
            f"{fmt.number(x)} ^ {fmt.number(y)}: a negative number to a fractional power"
        )
    if not math.isfinite(value):
        raise InputError(
            f"{fmt.number(x)} {SYMBOL[op]} {fmt.number(y)} is beyond the float range "
            "(above 1.8e308) or undefined"
        )
    return float(value)


SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "^", "min": "min", "max": "max"}


def result_unit(op: str, a: Uncertain, b: Uncertain) -> tuple[units.Unit | None, float, float]:
    ua, ub = a._unit, b._unit
    if ua is None and ub is None:
        return None, 1.0, 1.0
    if op in ("add", "sub", "min", "max"):
        return units.add(ua, ub, op)
    if op in ("mul", "div"):
        unit, factor = units.multiply(ua, ub, 1.0 if op == "mul" else -1.0)
        return unit, factor, 1.0
    k = exact.point_value(b)
    if ub is not None and not ub.dimensionless:
        raise InputError(f"an exponent must be a plain number, not a quantity in {ub.label}")
    if k is None:
        if ua is not None and not ua.dimensionless:
            raise InputError(f"a quantity in {ua.label} needs a known exponent")
        return None, 1.0, 1.0
    unit, factor = units.power(ua, k)
    return unit, factor, 1.0
