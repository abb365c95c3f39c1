"""Evaluating a syntax tree: constants, functions and arithmetic on numbers and quantities.

The functions an expression may call live in the :data:`FUNCTIONS` registry: this layer
registers the distributions (:mod:`flopcast.core.expr`), the estimate layer its methods and
catalog look-ups (``peak``, ``price``) on import. Constants carry units: ``hour`` is 3,600 s,
``pflops_day`` Epoch's petaFLOP/s-day (1e15 FLOP/s x 86,400 s = 8.64e19 FLOP). Arithmetic on
plain numbers that leaves the float range is one error, never an ``inf`` or a traceback.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flopcast.core.errors import ExpressionError, FlopcastError, UnknownNameError
from flopcast.core.quantity import Uncertain, constant
from flopcast.core.registry import Registry
from flopcast.core.syntax import Node

SECONDS: dict[str, float] = {
    "second": 1.0,
    "minute": 60.0,
    "hour": 3600.0,
    "day": 86400.0,
    "week": 7 * 86400.0,
    "year": 365.25 * 86400.0,  # Julian year
}
CONSTANTS: dict[str, Uncertain] = {
    **{name: constant(s, "s") for name, s in SECONDS.items()},
    "pflops_day": constant(8.64e19, "FLOP"),
    "usd": constant(1.0, "USD"),  # one US dollar: `$5M` reads as 5M * usd
}

Resolver = Callable[[str], Any]
FunctionImpl = Callable[..., Any]
FUNCTIONS: Registry[FunctionImpl] = Registry("function")


def expression_function(name: str) -> Callable[[FunctionImpl], FunctionImpl]:
    """Register ``fn`` under ``name`` in the expression language (duplicates are refused)."""
    return FUNCTIONS.register(name)


@dataclass(frozen=True)
class Symbol:
    """A bare word used as a function argument (a chip name, a precision, a stage)."""

    text: str

    def __str__(self) -> str:
        return self.text


class Evaluator:
    def __init__(self, text: str, resolve: Resolver | None):
        self.text = text
        self.resolve = resolve

    def fail(self, message: str, node: Node) -> ExpressionError:
        return ExpressionError(message, self.text, node.pos)

    def visit(self, node: Node, as_argument: bool = False) -> Any:
        kind = node.kind
        if kind == "num":
            return node.value
        if kind == "str":
            return node.value
        if kind == "name":
            if node.value in CONSTANTS:
                return CONSTANTS[node.value]
            if as_argument:
                return Symbol(node.value)
            close = difflib.get_close_matches(node.value, list(CONSTANTS) + list(FUNCTIONS), n=3)
            hint = (
                f"; did you mean {', '.join(close)}?"
                if close
                else f"; known constants: {', '.join(CONSTANTS)}"
            )
            raise self.fail(f"unknown name {node.value!r}{hint}", node)
        if kind == "ref":
            if self.resolve is None:
                raise self.fail(
                    f"reference @{node.value} needs a dataset to resolve it; "
                    "references work inside dataset records",
                    node,
                )
            try:
                return self.resolve(node.value)
            except ExpressionError:
                raise
            except FlopcastError as exc:
                raise self.fail(str(exc), node) from None
        if kind == "unary":
            return -self.number(node.args[0])
        if kind == "binary":
            a, b = self.number(node.args[0]), self.number(node.args[1])
            return self.arith(node, a, b)
        if kind == "range":
            lo, hi = self.number(node.args[0]), self.number(node.args[1])
            return self.call_function("ci", node, [lo, hi], {})
        if kind == "call":
            args = [self.visit(a, as_argument=True) for a in node.args]
            kwargs = {k: self.visit(v, as_argument=True) for k, v in node.kwargs}
            return self.call_function(node.value, node, args, kwargs)
        raise AssertionError(kind)

    def number(self, node: Node) -> Any:
        value = self.visit(node)
        if isinstance(value, (str, Symbol)):
            raise self.fail(f"expected a number, got the word {str(value)!r}", node)
        return value

    def arith(self, node: Node, a: Any, b: Any) -> Any:
        op = node.value
        try:
            if op == "+":
                return self.finite(a + b, node)
            if op == "-":
                return self.finite(a - b, node)
            if op == "*":
                return self.finite(a * b, node)
            if op == "/":
                if not isinstance(b, Uncertain) and b == 0:
                    raise self.fail("division by zero", node)
                return self.finite(a / b, node)
            if isinstance(a, float) and isinstance(b, float) and a < 0 and not b.is_integer():
                raise self.fail("a negative number to a fractional power", node)
            if isinstance(a, float) and isinstance(b, float) and a == 0 and b < 0:
                raise self.fail("zero to a negative power is a division by zero", node)
            return self.finite(a**b, node)
        except (OverflowError, ZeroDivisionError):
            raise self.fail("the result is too large to represent", node) from None
        except ExpressionError:
            raise
        except FlopcastError as exc:
            raise self.fail(str(exc), node) from None

    def finite(self, value: Any, node: Node) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(
                "the result is beyond the float range (above 1.8e308); check the magnitudes", node
            )
        return value

    def call_function(self, name: str, node: Node, args: list, kwargs: dict) -> Any:
        funcs = FUNCTIONS
        fn = funcs.get(name)
        if fn is None:
            close = difflib.get_close_matches(name, list(funcs), n=3)
            hint = (
                f"; did you mean {', '.join(close)}?"
                if close
                else f"; known: {', '.join(sorted(funcs))}"
            )
            raise self.fail(f"unknown function {name!r}{hint}", node)
        try:
            return fn(*args, **kwargs)
        except TypeError as exc:
            raise self.fail(f"{name}(): {_signature_message(exc)}", node) from None
        except ExpressionError:
            raise
        except UnknownNameError as exc:
            raise self.fail(str(exc), node) from None
        except FlopcastError as exc:
            raise self.fail(str(exc), node) from None


def _signature_message(exc: TypeError) -> str:
    msg = str(exc)
    return re.sub(r"^[\w.<>]+\(\) ", "", msg)
