"""A small, safe expression language for estimates: ``140k * hour * peak(H100) * (0.1 to 0.4)``.

Parsed by a recursive-descent parser into a tree and evaluated by walking it; nothing ever
reaches Python's ``eval``. Grammar, loosest binding first::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("-" | "+") unary | power
    power  := range (("^" | "**") unary)?            right-associative
    range  := signed ("to" signed)?                   "lo to hi" is a 90% lognormal interval
    signed := "-" atom | atom
    atom   := NUMBER | STRING | @REF | NAME | NAME "(" [arg ("," arg)*] ")" | "(" expr ")"
    arg    := NAME "=" expr | expr

``to`` binds tighter than ``*`` so ``140k * 0.1 to 0.4`` reads ``140k * (0.1 to 0.4)``, as in
Squiggle. Numbers take suffixes ``k M B G T P`` (thousand ... 1e15) and ``%``. A bare name is a
constant (``hour``, ``day``, ...) or, as a function argument, a symbol (``peak(H100, bf16)``).
``@record-id.field`` asks the caller's ``resolve`` callback for another estimate.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flopcast.core.errors import ExpressionError, FlopcastError, UnknownNameError
from flopcast.core.registry import Registry
from flopcast.core.uncertain import Uncertain, as_uncertain

# Seconds per unit of time, and Epoch's petaFLOP/s-day (1e15 FLOP/s x 86,400 s = 8.64e19 FLOP).
CONSTANTS: dict[str, float] = {
    "second": 1.0,
    "minute": 60.0,
    "hour": 3600.0,
    "day": 86400.0,
    "week": 7 * 86400.0,
    "year": 365.25 * 86400.0,  # Julian year
    "pflops_day": 8.64e19,
}

SUFFIXES: dict[str, float] = {
    "k": 1e3,
    "K": 1e3,
    "M": 1e6,
    "B": 1e9,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "%": 1e-2,
}

Resolver = Callable[[str], Any]


@dataclass(frozen=True)
class Symbol:
    """A bare word used as a function argument (a chip name, a precision, a stage)."""

    text: str

    def __str__(self) -> str:
        return self.text


# ---- public ---------------------------------------------------------------------------------


def evaluate(text: str, resolve: Resolver | None = None) -> Uncertain:
    """Parse and evaluate ``text`` into an :class:`Uncertain` (numbers become points)."""
    node = parse(text)
    value = _Evaluator(text, resolve).visit(node)
    if isinstance(value, (str, Symbol)):
        raise ExpressionError(f"expected a quantity, got the word {str(value)!r}", text, node.pos)
    return as_uncertain(value)


def parse(text: str) -> Node:
    """Parse ``text`` into a syntax tree (raises ExpressionError with a caret on bad input)."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(
            "empty expression; write a number, 'lo to hi' or a formula", str(text or ""), 0
        )
    parser = _Parser(text)
    node = parser.expr()
    tok = parser.peek()
    if tok.kind != "end":
        raise ExpressionError(f"unexpected {tok.describe()}", text, tok.pos)
    return node


FunctionImpl = Callable[..., Any]
# The functions an expression may call. This module registers the distributions; the estimate
# layer registers its methods and catalog look-ups (peak, price) on import.
FUNCTIONS: Registry[FunctionImpl] = Registry("function")


def expression_function(name: str) -> Callable[[FunctionImpl], FunctionImpl]:
    """Register ``fn`` under ``name`` in the expression language (duplicates are refused)."""
    return FUNCTIONS.register(name)


# ---- tokens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, ref, name, op, end
    text: str
    pos: int
    value: Any = None

    def describe(self) -> str:
        return "end of expression" if self.kind == "end" else f"{self.text!r}"


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?P<suffix>[kKMBGTP%](?![A-Za-z0-9_]))?)
  | (?P<string>"[^"]*"|'[^']*')
  | (?P<ref>@[A-Za-z0-9_][A-Za-z0-9_.\-]*)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[-+*/^(),=])
""",
    re.VERBOSE,
)


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ExpressionError(f"unexpected character {text[pos]!r}", text, pos)
        kind = m.lastgroup if m.lastgroup != "suffix" else "number"
        if m.group("number") is not None:
            kind = "number"
        raw = m.group(0)
        if kind == "number":
            suffix = m.group("suffix") or ""
            digits = raw[: len(raw) - len(suffix)]
            value = float(digits) * SUFFIXES.get(suffix, 1.0)
            if not math.isfinite(value):
                raise ExpressionError(f"the number {raw!r} is too large", text, pos)
            tokens.append(Token("number", raw, pos, value))
        elif kind == "string":
            tokens.append(Token("string", raw, pos, raw[1:-1]))
        elif kind == "ref":
            tokens.append(Token("ref", raw, pos, raw[1:]))
        elif kind in ("name", "op"):
            tokens.append(Token(kind, raw, pos, raw))
        # spaces are skipped
        if (
            kind == "number"
            and m.end() < len(text)
            and (text[m.end()].isalpha() or text[m.end()] == "_")
        ):
            raise ExpressionError(
                f"unknown number suffix in {text[pos : m.end() + 1]!r}; allowed suffixes: k M B G T P %",
                text,
                m.end(),
            )
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# ---- syntax tree ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    kind: str  # num, str, ref, name, call, unary, binary, range
    pos: int
    value: Any = None
    args: tuple = ()
    kwargs: tuple = ()  # (name, node) pairs


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> Token:
        tok = self.take()
        if tok.text != text:
            raise ExpressionError(
                f"expected {text!r} but found {tok.describe()}", self.text, tok.pos
            )
        return tok

    def expr(self) -> Node:
        node = self.term()
        while self.peek().text in ("+", "-") and self.peek().kind == "op":
            op = self.take()
            node = Node("binary", op.pos, op.text, (node, self.term()))
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek().text in ("*", "/") and self.peek().kind == "op":
            op = self.take()
            node = Node("binary", op.pos, op.text, (node, self.unary()))
        return node

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("-", "+"):
            self.take()
            inner = self.unary()
            return inner if tok.text == "+" else Node("unary", tok.pos, "-", (inner,))
        return self.power()

    def power(self) -> Node:
        base = self.range()
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("^", "**"):
            self.take()
            return Node("binary", tok.pos, "^", (base, self.unary()))
        return base

    def range(self) -> Node:
        lo = self.signed()
        tok = self.peek()
        if tok.kind == "name" and tok.text == "to":
            self.take()
            hi = self.signed()
            return Node("range", tok.pos, None, (lo, hi))
        return lo

    def signed(self) -> Node:
        tok = self.peek()
        if tok.kind == "op" and tok.text == "-":
            self.take()
            return Node("unary", tok.pos, "-", (self.atom(),))
        return self.atom()

    def atom(self) -> Node:
        tok = self.take()
        if tok.kind == "number":
            return Node("num", tok.pos, tok.value)
        if tok.kind == "string":
            return Node("str", tok.pos, tok.value)
        if tok.kind == "ref":
            return Node("ref", tok.pos, tok.value)
        if tok.kind == "name":
            if tok.text == "to":
                raise ExpressionError(
                    "'to' needs a number on its left, as in '1 to 10'", self.text, tok.pos
                )
            if self.peek().text == "(" and self.peek().kind == "op":
                return self.call(tok)
            return Node("name", tok.pos, tok.text)
        if tok.kind == "op" and tok.text == "(":
            node = self.expr()
            self.expect(")")
            return node
        if tok.kind == "end":
            raise ExpressionError("the expression ends too early", self.text, tok.pos)
        raise ExpressionError(f"unexpected {tok.describe()}", self.text, tok.pos)

    def call(self, name: Token) -> Node:
        self.expect("(")
        args: list[Node] = []
        kwargs: list[tuple[str, Node]] = []
        if self.peek().text != ")":
            while True:
                tok = self.peek()
                nxt = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else tok
                if tok.kind == "name" and nxt.text == "=":
                    self.take()
                    self.take()
                    if any(k == tok.text for k, _ in kwargs):
                        raise ExpressionError(
                            f"argument {tok.text!r} given twice", self.text, tok.pos
                        )
                    kwargs.append((tok.text, self.expr()))
                else:
                    if kwargs:
                        raise ExpressionError(
                            "a positional argument cannot follow a named one", self.text, tok.pos
                        )
                    args.append(self.expr())
                if self.peek().text == ",":
                    self.take()
                    continue
                break
        self.expect(")")
        return Node("call", name.pos, name.text, tuple(args), tuple(kwargs))


# ---- evaluation -----------------------------------------------------------------------------


class _Evaluator:
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
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if op == "/":
                if not isinstance(b, Uncertain) and b == 0:
                    raise self.fail("division by zero", node)
                return a / b
            if isinstance(a, float) and isinstance(b, float) and a < 0 and not b.is_integer():
                raise self.fail("a negative number to a fractional power", node)
            return a**b
        except OverflowError:
            raise self.fail("the result is too large to represent", node) from None
        except ExpressionError:
            raise
        except FlopcastError as exc:
            raise self.fail(str(exc), node) from None

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


# ---- built-in functions ---------------------------------------------------------------------


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


def _register_builtins() -> None:
    from flopcast.core import uncertain as u

    @expression_function("ci")
    def _ci(lo: Any, hi: Any, level: Any = 0.9, name: Any = "") -> Uncertain:
        return u.ci(
            number_arg(lo, "lo"), number_arg(hi, "hi"), number_arg(level, "level"), name=str(name)
        )

    @expression_function("normal")
    def _normal(lo: Any, hi: Any, level: Any = 0.9, name: Any = "") -> Uncertain:
        return u.ci(
            number_arg(lo, "lo"),
            number_arg(hi, "hi"),
            number_arg(level, "level"),
            dist="normal",
            name=str(name),
        )

    @expression_function("between")
    def _between(lo: Any, hi: Any, name: Any = "") -> Uncertain:
        return u.between(number_arg(lo, "lo"), number_arg(hi, "hi"), name=str(name))

    @expression_function("at_most")
    def _at_most(x: Any, span: Any = 100.0, name: Any = "") -> Uncertain:
        return u.at_most(number_arg(x, "bound"), span=number_arg(span, "span"), name=str(name))

    @expression_function("at_least")
    def _at_least(x: Any, span: Any = 100.0, name: Any = "") -> Uncertain:
        return u.at_least(number_arg(x, "bound"), span=number_arg(span, "span"), name=str(name))

    @expression_function("point")
    def _point(x: Any, name: Any = "") -> Uncertain:
        return u.point(number_arg(x, "value"), str(name))

    @expression_function("mix")
    def _mix(*components: Any, name: Any = "") -> Uncertain:
        return u.mix(list(components), name=str(name))


_register_builtins()
