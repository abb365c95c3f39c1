"""Walking expression trees: inputs in order, keys for repeated names, iterative walks."""

from __future__ import annotations

import pytest

import flopcast as fc
from flopcast.core import graph
from flopcast.core.errors import InputError


def test_leaves_in_order_of_first_appearance_and_keys_for_repeats():
    a = fc.ci(1, 2, name="u")
    b = fc.ci(3, 4, name="u")  # same name, another input
    c = fc.ci(5, 6, name="v")
    q = (a * c + b) * a
    leaves = graph.leaves(q)
    assert [inp.name for inp in leaves.values()] == ["u", "v", "u"]
    assert list(graph.keys(leaves).values()) == ["u", "v", "u#2"]


def test_size_counts_distinct_nodes():
    a = fc.ci(1, 2, name="a")
    b = fc.ci(3, 4, name="b")
    q = (a + b) * (a + b)  # two add nodes (built twice), a, b and the product
    assert graph.size(q) == 5
    shared = a + b
    assert graph.size(shared * shared) == 4  # one add node, reused


def test_postorder_puts_operands_first_and_is_iterative():
    q = fc.point(0.0)
    for i in range(5000):
        q = q + fc.between(1, 2, name=f"x{i}")
    order = graph.postorder(q, lambda n: False)
    assert order[-1] is q and len(order) == 1 + 2 * 5000  # the zero, 5,000 inputs, 5,000 sums


def test_conflicting_correlations_are_refused():
    with pytest.raises(InputError, match="two different correlations"):
        graph.check_pairs([(1, 2, 0.5), (1, 2, 0.6)])
    graph.check_pairs([(1, 2, 0.5), (1, 2, 0.5)])  # the same declaration twice is fine
