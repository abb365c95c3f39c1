"""A small, safe expression language for estimates: ``140k * hour * peak(H100) * (0.1 to 0.4)``.

Parsed by a bounded recursive-descent parser (:mod:`flopcast.core.syntax`: grammar and limits)
into a tree and evaluated by walking it (:mod:`flopcast.core.evaluator`); nothing ever reaches
Python's ``eval``. ``to`` binds tighter than ``*`` so ``140k * 0.1 to 0.4`` reads
``140k * (0.1 to 0.4)``, as in Squiggle. Numbers take suffixes ``k M B G T P`` (thousand ...
1e15) and ``%``. A bare name is a constant with a unit (``hour`` is 3,600 s) or, as a function
argument, a symbol (``peak(H100, bf16)``). ``@record-id.field`` asks the caller's ``resolve``
callback for another estimate. Intervals keep the unit of their ends (``1 * hour to 3 * hour``).
"""

from __future__ import annotations

from typing import Any

from flopcast.core import constructors as u
from flopcast.core import units
from flopcast.core.errors import ExpressionError
from flopcast.core.evaluator import (
    CONSTANTS,
    FUNCTIONS,
    SECONDS,
    Evaluator,
    FunctionImpl,
    Resolver,
    Symbol,
    expression_function,
)
from flopcast.core.quantity import Uncertain, as_uncertain
from flopcast.core.syntax import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_OPERATIONS,
    SUFFIXES,
    Node,
    Token,
    parse,
    tokenize,
)

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_OPERATIONS",
    "SECONDS",
    "SUFFIXES",
    "FunctionImpl",
    "Node",
    "Resolver",
    "Symbol",
    "Token",
    "evaluate",
    "expression_function",
    "number_arg",
    "parse",
    "tokenize",
    "word_arg",
]


def evaluate(text: str, resolve: Resolver | None = None) -> Uncertain:
    """Parse and evaluate ``text`` into an :class:`Uncertain` (numbers become points)."""
    node = parse(text)
    value = Evaluator(text, resolve).visit(node)
    if isinstance(value, (str, Symbol)):
        raise ExpressionError(f"expected a quantity, got the word {str(value)!r}", text, node.pos)
    return as_uncertain(value)


def number_arg(x: Any, what: str) -> float:
    """A function argument that must be a plain number."""
    if isinstance(x, Uncertain):
        if x.is_point:
            return x.median()
        raise ExpressionError(f"{what} must be a plain number here, not an uncertain quantity")
    if isinstance(x, (str, Symbol)):
        raise ExpressionError(f"{what} must be a number, got the word {str(x)!r}")
    return float(x)


def word_arg(x: Any, what: str) -> str:
    """A function argument that must be a word (a chip, a precision)."""
    if isinstance(x, (str, Symbol)):
        return str(x)
    raise ExpressionError(f'{what} must be a name such as H100 or "TPU v4", got {x!r}')


def bounds_arg(lo: Any, hi: Any) -> tuple[float, float, str | None]:
    """Two interval ends as numbers in one unit (their common unit, SI when written in two)."""
    ulo = lo.dimension if isinstance(lo, Uncertain) else None
    uhi = hi.dimension if isinstance(hi, Uncertain) else None
    a, b = number_arg(lo, "lo"), number_arg(hi, "hi")
    if ulo == uhi:
        return a, b, ulo.label if ulo is not None else None
    unit, fa, fb = units.add(ulo, uhi, "make an interval of")
    return a * fa, b * fb, unit.label if unit is not None else None


@expression_function("ci")
def _ci(lo: Any, hi: Any, level: Any = 0.9, name: Any = "") -> Uncertain:
    a, b, unit = bounds_arg(lo, hi)
    return u.ci(a, b, number_arg(level, "level"), name=str(name), unit=unit)


@expression_function("normal")
def _normal(lo: Any, hi: Any, level: Any = 0.9, name: Any = "") -> Uncertain:
    a, b, unit = bounds_arg(lo, hi)
    return u.ci(a, b, number_arg(level, "level"), dist="normal", name=str(name), unit=unit)


@expression_function("between")
def _between(lo: Any, hi: Any, name: Any = "") -> Uncertain:
    a, b, unit = bounds_arg(lo, hi)
    return u.between(a, b, name=str(name), unit=unit)


@expression_function("at_most")
def _at_most(x: Any, span: Any = 100.0, name: Any = "") -> Uncertain:
    unit = x.unit if isinstance(x, Uncertain) else None
    return u.at_most(
        number_arg(x, "bound"), span=number_arg(span, "span"), name=str(name), unit=unit
    )


@expression_function("at_least")
def _at_least(x: Any, span: Any = 100.0, name: Any = "") -> Uncertain:
    unit = x.unit if isinstance(x, Uncertain) else None
    return u.at_least(
        number_arg(x, "bound"), span=number_arg(span, "span"), name=str(name), unit=unit
    )


@expression_function("point")
def _point(x: Any, name: Any = "") -> Uncertain:
    unit = x.unit if isinstance(x, Uncertain) else None
    return u.point(number_arg(x, "value"), str(name), unit=unit)


@expression_function("mix")
def _mix(*components: Any, name: Any = "") -> Uncertain:
    return u.mix(list(components), name=str(name))
