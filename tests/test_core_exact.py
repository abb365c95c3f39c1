"""The exact path: c * exp(m + a.Z) in scalars; known numbers stay exact; deep trees are fine."""

from __future__ import annotations

import math

import pytest

import flopcast as fc
from flopcast.core import exact
from flopcast.estimate.functions import evaluate

Z95 = 1.6448536269514722


def test_known_numbers_stay_exact():
    assert evaluate("123").median() == 123.0  # not exp(log(123)) = 122.99999999999994
    q = fc.point(140e3) * 3600
    assert exact.form(q) == (504_000_000.0, 0.0, {})  # 140,000 x 3,600 exactly
    assert q.median() == 504_000_000.0 and q.mean() == 504_000_000.0


def test_form_of_a_product_of_lognormals_and_points():
    a = fc.ci(1, 100, name="a")  # mu = ln 10, sigma = ln 100 / (2 z95)
    b = fc.ci(4, 16, name="b")  # mu = ln 8, sigma = ln 4 / (2 z95)
    c, m, coef = exact.form(3 * a / b)
    assert c == 3.0
    assert m == pytest.approx(math.log(10) - math.log(8))
    uid_a, uid_b = a.inputs()[0].uid, b.inputs()[0].uid
    assert coef == {
        uid_a: pytest.approx(math.log(100) / (2 * Z95)),
        uid_b: pytest.approx(-math.log(4) / (2 * Z95)),  # a quotient negates b's coefficient
    }
    assert (3 * a / b).median() == pytest.approx(3 * 10 / 8)


def test_power_scales_every_coefficient_and_cancellation_removes_it():
    a = fc.ci(1, 100, name="a")
    _, _, coef = exact.form(a**3)
    assert list(coef.values()) == [pytest.approx(3 * math.log(100) / (2 * Z95))]
    assert exact.form(a / a) == (1.0, 0.0, {})  # x / x: the coefficients cancel to exactly 0


def test_log_var_adds_squares_and_twice_the_correlated_cross_terms():
    a = {1: 0.3, 2: 0.4}
    assert exact.log_var(a, frozenset()) == pytest.approx(0.25)  # 0.09 + 0.16
    # 0.09 + 0.16 + 2 * 0.5 * 0.3 * 0.4 = 0.37
    assert exact.log_var(a, frozenset({(1, 2, 0.5)})) == pytest.approx(0.37)


def test_euler_shares_with_and_without_correlation():
    a = {1: 0.3, 2: 0.4}
    assert exact.euler_shares(a, frozenset()) == {1: pytest.approx(0.36), 2: pytest.approx(0.64)}
    # R a = (0.3 + 0.5 * 0.4, 0.4 + 0.5 * 0.3) = (0.5, 0.55); shares 0.15 / 0.37, 0.22 / 0.37
    shares = exact.euler_shares(a, frozenset({(1, 2, 0.5)}))
    assert shares == {1: pytest.approx(0.15 / 0.37), 2: pytest.approx(0.22 / 0.37)}


def test_a_product_of_thousands_of_factors_needs_no_recursion():
    q = fc.point(1.0)
    factors = [fc.ci(0.5, 2, name=f"x{i}") for i in range(3000)]
    for f in factors:
        q = q * f
    s = math.log(4) / (2 * Z95)  # each factor: median 1, sigma = ln 4 / (2 z95)
    assert q.is_exact
    assert q.width_oom() == pytest.approx(math.sqrt(3000) * 2 * Z95 * s / math.log(10))


def test_overflow_is_one_clear_error():
    big = fc.ci(1e290, 1e300)
    with pytest.raises(fc.InputError, match="beyond the float range"):
        (big * big).median()
    with pytest.raises(fc.InputError, match="the mean is beyond the float range"):
        fc.ci(1e-100, 1e100).mean()  # sigma = 200 ln 10 / 3.29 = 140: e^(sigma^2 / 2) overflows


def test_factor_out_of_float_range_moves_into_log_space():
    q = fc.point(1e300, "a") * fc.point(1e300, "b") / fc.point(1e300, "c")
    assert q.median() == pytest.approx(1e300)  # 1e600 never existed as a float
