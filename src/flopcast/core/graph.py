"""Walking the expression tree of an uncertain quantity: its inputs, their keys, its size.

All walks are iterative, so a quantity built from thousands of operations in a loop never hits
Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from flopcast.core.errors import InputError

if TYPE_CHECKING:
    from flopcast.core.inputs import Input
    from flopcast.core.quantity import Uncertain

Pair = tuple[int, int, float]


def children(node: Uncertain) -> list[Uncertain]:
    """The operand nodes of ``node`` (a mixture's components), left to right."""
    if node._op == "mix":
        return list(node._args[1])
    if node._op in ("const", "input"):
        return []
    return [a for a in node._args if hasattr(a, "_op")]


def nodes(q: Uncertain) -> Iterator[Uncertain]:
    """Every distinct node once, depth first, left to right."""
    seen: set[int] = set()
    stack = [q]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(reversed(children(node)))


def postorder(q: Uncertain, done: Any) -> list[Uncertain]:
    """Distinct nodes with every operand before its parent; ``done(node)`` prunes a subtree."""
    order: list[Uncertain] = []
    seen: set[int] = set()
    stack: list[tuple[Uncertain, bool]] = [(q, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen or done(node):
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(children(node)))
    return order


def leaves(q: Uncertain) -> dict[int, Input]:
    """uid -> Input, in order of first appearance (depth first, left to right)."""
    out: dict[int, Input] = {}
    for node in nodes(q):
        if node._op == "input":
            assert node._input is not None
            out.setdefault(node._input.uid, node._input)
        elif node._op == "mix":
            inp = node._args[0]
            out.setdefault(inp.uid, inp)
    return out


def keys(leaves: dict[int, Input]) -> dict[int, str]:
    """uid -> the name used for seeding and contributions (``name#2`` for a repeated name)."""
    counts: dict[str, int] = {}
    out: dict[int, str] = {}
    for uid, inp in leaves.items():
        counts[inp.name] = counts.get(inp.name, 0) + 1
        out[uid] = inp.name if counts[inp.name] == 1 else f"{inp.name}#{counts[inp.name]}"
    return out


def size(q: Uncertain) -> int:
    """Number of distinct nodes (each holds one array while sampling)."""
    return sum(1 for _ in nodes(q))


def merge_corr(qs: Iterable[Uncertain]) -> frozenset:
    merged: set = set()
    for q in qs:
        merged |= q._corr
    if merged:
        check_pairs(merged)
    return frozenset(merged)


def check_pairs(pairs: Iterable[Pair]) -> None:
    seen: dict[tuple[int, int], float] = {}
    for ua, ub, rho in pairs:
        if seen.get((ua, ub), rho) != rho:
            raise InputError("two different correlations were declared for the same pair of inputs")
        seen[(ua, ub)] = rho
