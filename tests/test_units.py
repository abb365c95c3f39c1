"""Units as dimensions: products combine, mismatched sums are one error, intervals keep units."""

from __future__ import annotations

import pytest

import flopcast as fc
from flopcast.core import units
from flopcast.core.errors import InputError
from flopcast.core.uncertain import maximum
from flopcast.estimate.functions import evaluate


def test_parse_gives_a_dimension_vector_and_a_scale():
    rate = units.parse("FLOP/s")
    assert rate.dims == (1, -1, 0, 0, 0, 0)  # FLOP x s^-1 over (FLOP, s, chip, USD, token, param)
    chip_hours = units.parse("chip-hours")
    assert chip_hours.dims == (0, 1, 1, 0, 0, 0) and chip_hours.scale == 3600.0  # chip x 3600 s
    price = units.parse("USD/chip-hour")
    assert price.dims == (0, -1, -1, 1, 0, 0) and price.scale == pytest.approx(1 / 3600)
    assert units.parse("FLOP/token").dims == (1, 0, 0, 0, -1, 0)
    assert units.parse("s^2").dims == (0, 2, 0, 0, 0, 0)
    assert units.parse(None) is None and units.parse("") is None


def test_unknown_words_are_an_opaque_label_that_is_never_checked():
    u = units.parse("of peak")
    assert u.dims is None and u.label == "of peak"
    q = fc.point(0.3, unit="of peak")
    assert q.unit == "of peak"
    assert (q * 2).unit == "of peak"  # a plain factor keeps it
    assert (q * fc.point(2.0, unit="FLOP")).unit is None  # a product with a unit drops it


def test_product_of_rate_and_time_is_flop():
    q = fc.point(9.89e14, unit="FLOP/s") * fc.point(3600.0, unit="s")
    assert q.unit == "FLOP"
    assert q.median() == 9.89e14 * 3600.0


def test_product_and_quotient_combine_dimensions():
    chips = fc.point(2048.0, unit="chip")
    time = fc.point(86400.0, unit="s")
    assert (chips * time).unit == "s*chip"  # chip-seconds, in the order of BASE
    assert (fc.point(1e24, unit="FLOP") / (chips * time)).unit == "FLOP/(s*chip)"
    x = fc.ci(1, 10, unit="FLOP")
    assert (x / x).unit is None  # dimensionless, and exactly 1
    assert (x**2).dimension.dims == (2, 0, 0, 0, 0, 0)


def test_scaled_units_are_converted_when_they_meet_another_unit():
    price = fc.point(2.0, unit="USD/hour")
    assert (price * 3).unit == "USD/hour"  # a plain factor keeps the written unit
    cost = price * fc.point(3 * 3600.0, unit="s")  # 2 USD/hour x 3 hours
    assert cost.unit == "USD"
    assert cost.median() == pytest.approx(6.0)  # 2 x 3
    hours = fc.point(5e6, unit="USD") / price  # $5M at $2/hour: 2.5e6 hours = 9e9 s
    assert hours.unit == "s"
    assert hours.median() == pytest.approx(2.5e6 * 3600)


def test_mismatched_sum_is_one_clear_error():
    rate = fc.point(9.89e14, unit="FLOP/s")
    flop = fc.point(1e23, unit="FLOP")
    with pytest.raises(
        InputError, match="^cannot add FLOP/s and FLOP: both sides need the same unit"
    ):
        rate + flop
    with pytest.raises(InputError, match="cannot subtract FLOP and FLOP/s"):
        flop - rate
    with pytest.raises(InputError, match="cannot take the maximum of FLOP/s and FLOP"):
        maximum(rate, flop)


def test_sum_of_same_dimension_converts_scales():
    a = fc.point(1.0, unit="hour")
    b = fc.point(30.0, unit="minute")
    total = a + b
    assert total.unit == "s" and total.median() == 5400.0  # 3600 s + 1800 s
    flop = fc.point(1e23, unit="FLOP")
    # a side without a unit is read in the other side's: there are no unit literals to write
    assert (flop + 1e24).unit == "FLOP" and (flop + 1e24).median() == 1.1e24
    assert (fc.ci(1e23, 1e24) + flop).unit == "FLOP"
    assert evaluate("peak(H100) * hour + 1e23").unit == "FLOP"


def test_expression_constants_carry_seconds():
    q = evaluate("140k * hour * peak(H100, bf16)")
    assert q.unit == "FLOP"
    assert q.median() == 140e3 * 3600 * 989e12  # H100 SXM bf16 dense peak is 989 TFLOP/s
    r = evaluate("140k * hour * peak(H100, bf16) * (0.1 to 0.4)")
    assert r.unit == "FLOP"  # multiplying by an interval keeps the unit
    assert evaluate("pflops_day").unit == "FLOP"
    with pytest.raises(fc.ExpressionError, match="cannot add FLOP/s and FLOP"):
        evaluate("peak(H100) + pflops_day")


def test_intervals_keep_units():
    q = fc.ci(1, 3, unit="hour")
    assert q.unit == "hour"
    e = evaluate("(1 * hour) to (3 * hour)")
    assert e.unit == "s" and e.interval() == (pytest.approx(3600), pytest.approx(10800))
    assert evaluate("ci(1 * day, 2 * day)").unit == "s"
    with pytest.raises(fc.ExpressionError, match="cannot make an interval of s and FLOP"):
        evaluate("ci(1 * hour, 2 * pflops_day)")


def test_combine_keeps_units_and_refuses_mixed_ones():
    a = fc.ci(1e23, 1e25, name="a", unit="FLOP")
    b = fc.ci(1e23, 1e25, name="b", unit="FLOP")
    assert fc.combine([a, b]).unit == "FLOP"
    assert fc.combine([a, fc.ci(1e23, 1e25, name="c")]).unit == "FLOP"  # a line without a unit
    with pytest.raises(InputError, match="cannot combine FLOP and FLOP/s"):
        fc.combine([a, fc.ci(1e14, 1e15, name="r", unit="FLOP/s")])


def test_mixture_keeps_the_common_unit():
    m = fc.mix([fc.ci(1, 2, unit="FLOP"), fc.ci(3, 4, unit="FLOP")])
    assert m.unit == "FLOP"
    with pytest.raises(InputError, match="cannot mix FLOP and s"):
        fc.mix([fc.ci(1, 2, unit="FLOP"), fc.ci(3, 4, unit="s")])


def test_exponent_must_be_a_plain_number():
    t = fc.point(2.0, unit="s")
    with pytest.raises(InputError, match="an exponent must be a plain number"):
        fc.point(2.0) ** t
