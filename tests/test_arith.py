"""Folding known numbers in plain floats, and the unit of a result."""

from __future__ import annotations

import pytest

import flopcast as fc
from flopcast.core import arith
from flopcast.core.errors import InputError


def test_fold_is_plain_float_arithmetic():
    assert arith.fold("mul", 140e3, 3600.0) == 504e6  # 140,000 x 3,600
    assert arith.fold("div", 1.0, 3.0) == 1 / 3
    assert arith.fold("pow", 2.0, 10.0) == 1024.0
    assert arith.fold("min", 2.0, 3.0) == 2.0 and arith.fold("max", 2.0, 3.0) == 3.0


@pytest.mark.parametrize(
    "op, x, y, message",
    [
        ("div", 1.0, 0.0, "1 / 0 divides by zero"),
        ("pow", 0.0, -1.0, "0 \\^ -1 divides by zero"),
        ("mul", 1e300, 1e300, "1e300 \\* 1e300 is beyond the float range"),
        ("pow", 10.0, 400.0, "beyond the float range"),
        ("pow", -8.0, 0.5, "a negative number to a fractional power"),
    ],
)
def test_fold_errors_are_one_line(op, x, y, message):
    with pytest.raises(InputError, match=message):
        arith.fold(op, x, y)


def test_result_unit_rules():
    flop = fc.point(1.0, unit="FLOP")
    rate = fc.point(1.0, unit="FLOP/s")
    t = fc.point(2.0, unit="s")
    unit, fa, fb = arith.result_unit("mul", rate, t)
    assert unit.label == "FLOP" and (fa, fb) == (1.0, 1.0)
    unit, _, _ = arith.result_unit("add", flop, fc.point(0.0))
    assert unit.label == "FLOP"  # a side without a unit is read in the other side's
    with pytest.raises(InputError, match="cannot add FLOP and FLOP/s"):
        arith.result_unit("add", flop, rate)
    unit, _, _ = arith.result_unit("pow", t, fc.point(2.0))
    assert unit.dims == (0, 2, 0, 0, 0, 0)  # s^2
