"""Units as dimensions: every quantity carries a small dimension vector, checked by arithmetic.

A :class:`Unit` is a vector of exponents over the base dimensions :data:`BASE` (FLOP, second,
chip, US dollar, token, parameter), a ``scale`` (how many SI base units one of it is: an hour is
3,600 s) and the label it was written with. ``FLOP/s`` is ``FLOP x s^-1``, chip-hours are
``chip x s`` at scale 3,600. Products and quotients add and subtract the exponents; a sum, a
difference, a minimum or a maximum needs the same dimensions on both sides
(``FLOP/s + FLOP`` is one :class:`~flopcast.core.errors.InputError`). A side without a unit
(a plain number or interval: the expression language has no unit literals) is read in the
other side's unit, as people write ``@o1.rl + 1e24``.

Why a vector and not pint: pint is not a dependency, and a unit-aware product on the exact
path must cost well under a microsecond (issue 13 asks for the exact path within 10x of plain
floats); a tuple of six small numbers, combined with interned results, does that.

A label that is not made of the known words (``"of peak"``, ``"%"``) is kept as an *opaque*
unit: printed as given, never checked, and dropped by products (as before units were checked).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from flopcast.core.errors import InputError

BASE = ("FLOP", "s", "chip", "USD", "token", "parameter")

Dims = tuple[float, ...]
_ZERO: Dims = (0.0,) * len(BASE)

# word -> (dimension index, scale in SI base units). Time units are the expression constants'.
_WORDS: dict[str, tuple[int, float]] = {
    "flop": (0, 1.0),
    "flops": (0, 1.0),
    "s": (1, 1.0),
    "sec": (1, 1.0),
    "second": (1, 1.0),
    "seconds": (1, 1.0),
    "min": (1, 60.0),
    "minute": (1, 60.0),
    "minutes": (1, 60.0),
    "h": (1, 3600.0),
    "hr": (1, 3600.0),
    "hour": (1, 3600.0),
    "hours": (1, 3600.0),
    "day": (1, 86400.0),
    "days": (1, 86400.0),
    "week": (1, 7 * 86400.0),
    "weeks": (1, 7 * 86400.0),
    "year": (1, 365.25 * 86400.0),  # Julian year, as the expression constant
    "years": (1, 365.25 * 86400.0),
    "chip": (2, 1.0),
    "chips": (2, 1.0),
    "gpu": (2, 1.0),
    "gpus": (2, 1.0),
    "usd": (3, 1.0),
    "$": (3, 1.0),
    "dollar": (3, 1.0),
    "dollars": (3, 1.0),
    "token": (4, 1.0),
    "tokens": (4, 1.0),
    "parameter": (5, 1.0),
    "parameters": (5, 1.0),
    "param": (5, 1.0),
    "params": (5, 1.0),
}
_FACTOR = re.compile(r"^([A-Za-z$]+)(?:\^(-?\d+(?:\.\d+)?))?$")


@dataclass(frozen=True)
class Unit:
    """Exponents over :data:`BASE` (``None`` for an opaque label), a scale and a label."""

    dims: Dims | None
    scale: float = 1.0
    label: str = ""

    @property
    def dimensionless(self) -> bool:
        return self.dims == _ZERO and self.scale == 1.0

    def same_dims(self, other: Unit) -> bool:
        return self.dims is not None and self.dims == other.dims

    def __str__(self) -> str:
        return self.label


@functools.lru_cache(maxsize=1024)
def parse(label: str | None) -> Unit | None:
    """``"FLOP/s"`` -> a Unit; ``None`` or ``""`` -> None (no unit); unknown words -> opaque."""
    if not label:
        return None
    text = label.strip()
    dims = list(_ZERO)
    scale = 1.0
    parts = text.split("/")
    for i, part in enumerate(parts):
        sign = 1.0 if i == 0 else -1.0
        factors = [f for f in re.split(r"[*·\s\-]+", part) if f]
        if not factors and (i > 0 or len(parts) > 1):
            return Unit(None, 1.0, text)
        for factor in factors:
            m = _FACTOR.match(factor)
            word = _WORDS.get(m.group(1).lower()) if m else None
            if m is None or word is None:
                return Unit(None, 1.0, text)
            power = float(m.group(2)) if m.group(2) else 1.0
            dims[word[0]] += sign * power
            scale *= word[1] ** (sign * power)
    return Unit(tuple(dims), scale, text)


def multiply(a: Unit | None, b: Unit | None, power: float = 1.0) -> tuple[Unit | None, float]:
    """The unit of ``a * b^power`` and the factor that brings the value to it (SI when mixed).

    A dimensionless side keeps the other's unit as written (``2 x USD/hour`` stays USD/hour);
    two dimensional sides give the SI unit (``USD/hour x s`` is USD, value x 1/3600).
    """
    if b is None or b.dimensionless:
        return a, 1.0
    if a is None or a.dimensionless:
        if power == 1.0:
            return b, 1.0
        if b.dims is None:
            return None, 1.0
        return _si(tuple(power * d for d in b.dims)), b.scale**power
    if a.dims is None or b.dims is None:
        return None, 1.0
    dims = tuple(x + power * y for x, y in zip(a.dims, b.dims, strict=True))
    factor = a.scale * b.scale**power
    return _si(dims), 1.0 if abs(factor - 1.0) < 1e-12 else factor


def power(a: Unit | None, k: float) -> tuple[Unit | None, float]:
    """The unit of ``a^k`` and the factor to it (SI)."""
    if a is None or a.dimensionless or k == 1.0:
        return a, 1.0
    if a.dims is None:
        return None, 1.0
    return _si(tuple(k * d for d in a.dims)), a.scale**k


def add(a: Unit | None, b: Unit | None, what: str = "add") -> tuple[Unit | None, float, float]:
    """The unit of ``a + b`` and the factors for each side; mismatched dimensions are an error."""
    if a is None and b is None:
        return None, 1.0, 1.0
    if a is not None and b is not None and (a.dims is None or b.dims is None):
        return (a if a.label == b.label else None), 1.0, 1.0
    if a is None or b is None:  # no unit written: read in the other side's unit
        return (a or b), 1.0, 1.0
    if a.dims != b.dims:
        raise InputError(_mismatch(a, b, what))
    if a.scale == b.scale:
        return a, 1.0, 1.0
    return _si(a.dims), a.scale, b.scale


def describe(u: Unit | None) -> str:
    return u.label if u is not None else "a plain number"


@functools.lru_cache(maxsize=1024)
def _si(dims: Dims) -> Unit | None:
    if dims == _ZERO:
        return None
    num = [_factor(n, e) for n, e in zip(BASE, dims, strict=True) if e > 0]
    den = [_factor(n, -e) for n, e in zip(BASE, dims, strict=True) if e < 0]
    label = "*".join(num) or "1"
    if den:
        label += "/" + (den[0] if len(den) == 1 else "(" + "*".join(den) + ")")
    return Unit(dims, 1.0, label)


def _factor(name: str, e: float) -> str:
    if e == 1:
        return name
    return f"{name}^{int(e) if float(e).is_integer() else e:g}"


def _mismatch(a: Unit | None, b: Unit | None, what: str) -> str:
    verb = {
        "add": "add",
        "sub": "subtract",
        "min": "take the minimum of",
        "max": "take the maximum of",
    }
    return (
        f"cannot {verb.get(what, what)} {describe(a)} and {describe(b)}: both sides need the "
        "same unit (multiply by a time, a rate or a count to convert)"
    )
