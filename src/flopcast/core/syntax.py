"""The syntax of the expression language: tokens, the tree, and a bounded recursive-descent parser.

Grammar, loosest binding first::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("-" | "+") unary | power
    power  := range (("^" | "**") unary)?            right-associative
    range  := signed ("to" signed)?                   "lo to hi" is a 90% lognormal interval
    signed := "-" atom | atom
    atom   := NUMBER | STRING | @REF | NAME | NAME "(" [arg ("," arg)*] ")" | "(" expr ")"
    arg    := NAME "=" expr | expr

Limits (issue 14), each refused with one :class:`~flopcast.core.errors.ExpressionError`:
an expression has at most :data:`MAX_LENGTH` characters, :data:`MAX_OPERATIONS` operations
(operators, intervals, calls) and :data:`MAX_DEPTH` levels of nesting (parentheses, calls,
signs, exponents); a number lies within 1e-300 to 1e300 in size (or is 0). So no input reaches
Python's recursion limit or overflows a float while it is read.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from flopcast.core.errors import ExpressionError

MAX_LENGTH = 5_000
MAX_OPERATIONS = 250
MAX_DEPTH = 50
MAX_NUMBER = 1e300

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


def parse(text: str) -> Node:
    """Parse ``text`` into a syntax tree (raises ExpressionError with a caret on bad input)."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(
            "empty expression; write a number, 'lo to hi' or a formula", str(text or ""), 0
        )
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression has {len(text):,} characters; the limit is {MAX_LENGTH:,}"
        )
    parser = Parser(text)
    node = parser.expr()
    tok = parser.peek()
    if tok.kind != "end":
        raise ExpressionError(f"unexpected {tok.describe()}", text, tok.pos)
    return node


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


def tokenize(text: str) -> list[Token]:
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
            if not math.isfinite(value) or abs(value) > MAX_NUMBER:
                raise ExpressionError(
                    f"the number {raw!r} is too large; numbers are limited to 1e300", text, pos
                )
            if 0 < abs(value) < 1 / MAX_NUMBER:
                raise ExpressionError(
                    f"the number {raw!r} is too small; numbers are limited to 1e-300 (or 0)",
                    text,
                    pos,
                )
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


class Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.operations = 0

    def nest(self, tok: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(
                f"the expression nests deeper than {MAX_DEPTH} levels "
                "(parentheses, calls, signs or exponents)",
                self.text,
                tok.pos,
            )

    def operation(self, tok: Token) -> None:
        self.operations += 1
        if self.operations > MAX_OPERATIONS:
            raise ExpressionError(
                f"the expression has more than {MAX_OPERATIONS} operations; "
                "split it or compute the parts separately",
                self.text,
                tok.pos,
            )

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
        self.nest(self.peek())
        node = self.term()
        while self.peek().text in ("+", "-") and self.peek().kind == "op":
            op = self.take()
            self.operation(op)
            node = Node("binary", op.pos, op.text, (node, self.term()))
        self.depth -= 1
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek().text in ("*", "/") and self.peek().kind == "op":
            op = self.take()
            self.operation(op)
            node = Node("binary", op.pos, op.text, (node, self.unary()))
        return node

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("-", "+"):
            self.take()
            self.nest(tok)
            self.operation(tok)
            inner = self.unary()
            self.depth -= 1
            return inner if tok.text == "+" else Node("unary", tok.pos, "-", (inner,))
        return self.power()

    def power(self) -> Node:
        base = self.range()
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("^", "**"):
            self.take()
            self.nest(tok)
            self.operation(tok)
            node = Node("binary", tok.pos, "^", (base, self.unary()))
            self.depth -= 1
            return node
        return base

    def range(self) -> Node:
        lo = self.signed()
        tok = self.peek()
        if tok.kind == "name" and tok.text == "to":
            self.take()
            self.operation(tok)
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
        self.operation(name)
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
