"""flopcast.evidence.labels: what each confidence label means as a spread."""

from __future__ import annotations

import math

import pytest

from flopcast.core.uncertain import ci, point
from flopcast.evidence import labels


def test_each_label_names_its_factor():
    table = labels.spreads()
    assert {k: v[0] for k, v in table.items()} == {
        "Confident": 1.5,
        "Likely": 3,
        "Speculative": 10,
    }


@pytest.mark.parametrize(
    "lo, hi, label",
    [
        (1, 2, "Confident"),  # sqrt(2 / 1) = 1.41 <= 1.5
        (1, 9, "Likely"),  # sqrt(9) = 3 <= 3
        (1, 10, "Speculative"),  # sqrt(10) = 3.2 > 3
        (3e23, 1e25, "Speculative"),  # o1: sqrt(1e25 / 3e23) = 5.8
        (1, 1e4, "Speculative"),  # 100x either side: beyond every label, still the weakest
    ],
)
def test_deserved_label(lo, hi, label):
    q = ci(lo, hi)
    assert labels.factor_of(q) == pytest.approx(math.sqrt(hi / lo))
    assert labels.deserved(q) == label


def test_a_bare_figure_with_its_labels_spread_keeps_that_label():
    for label, (factor, _) in labels.spreads().items():
        assert labels.deserved(point(6.1e23) * ci(1 / factor, factor)) == label


def test_o3_inherits_o1s_spread():
    o1 = ci(3e23, 1e25)
    assert labels.deserved(o1 * 10) == labels.deserved(o1) == "Speculative"
    assert labels.weaker("Likely", "Speculative") == "Speculative"
