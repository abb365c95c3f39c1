"""Constructors: one parametrisation each, stated assumptions, bounded mixtures."""

from __future__ import annotations

import math

import pytest

import flopcast as fc
from flopcast.core import checks
from flopcast.core.constructors import mix, named, sample_many
from flopcast.core.errors import InputError

Z95 = 1.6448536269514722


def test_ci_parameters():
    q = fc.ci(2, 32, name="x")
    p = q.inputs()[0].params
    assert p["mu"] == pytest.approx(math.log(8))  # (ln 2 + ln 32) / 2 = ln 8
    assert p["sigma"] == pytest.approx(math.log(16) / (2 * Z95))
    n = fc.ci(-1, 3, dist="normal")
    pn = n.inputs()[0].params
    assert pn["mu"] == 1.0 and pn["sigma"] == pytest.approx(4 / (2 * Z95))  # (3 - -1) / 2z


def test_equal_bounds_are_a_point():
    assert fc.ci(5, 5).is_point and fc.ci(5, 5).median() == 5.0
    assert fc.between(2, 2).median() == 2.0


def test_one_sided_bounds_write_the_assumed_other_end():
    q = fc.at_most(1e20, span=1000)
    assert q.inputs()[0].name == "at most 1e20"
    assert "assumed 90% CI 1e17 - 1e20 (lower end = bound / 1000)" in q.inputs()[0].description
    assert q.percentile(5) == pytest.approx(1e17)  # 1e20 / 1000


def test_mix_limits_and_weights():
    parts = [fc.point(float(i + 1)) for i in range(checks.MAX_MIX_PARTS + 1)]
    with pytest.raises(InputError, match="mix has 257 components; the limit is 256"):
        mix(parts)
    m = mix([fc.point(1.0), fc.point(3.0)], [1, 3])
    assert m.inputs()[0].params == {"components": 2, "w0": 0.25, "w1": 0.75}  # 1/4, 3/4
    with pytest.raises(InputError, match="2 components but 3 weights"):
        mix([fc.point(1.0), fc.point(3.0)], [1, 1, 1])
    with pytest.raises(InputError, match="at least two components"):
        mix([fc.point(1.0)])


def test_named_gives_a_name_only_where_none_was_given():
    assert named(3.0, "chips").inputs()[0].name == "chips"
    q = named(fc.ci(1, 2), "util", unit="FLOP")
    assert q.inputs()[0].name == "util" and q.unit == "FLOP"
    product = fc.ci(1, 2, name="a") * fc.ci(1, 2, name="b")
    assert named(product, "x") is product


def test_sample_many_shares_inputs_across_quantities():
    a = fc.ci(1, 10, name="a")
    xa, xa2 = sample_many([a, a * 2], 1000, seed=3)
    assert (xa2 == 2 * xa).all()


def test_as_uncertain_refuses_what_is_not_a_number():
    with pytest.raises(InputError, match="expected a number or an uncertain quantity, got str"):
        fc.ci(1, 2) * "3"
    with pytest.raises(InputError, match="expected a number"):
        fc.ci(1, 2) * True
