"""Log10-normal forms of exact quantities."""

from __future__ import annotations

import math

import pytest

from flopcast.core.uncertain import between, ci
from flopcast.forecast.lognormal import Log10Normal


def test_form_of_an_interval_and_a_number():
    f = Log10Normal.of(ci(1e24, 1e26))  # 90% interval: median 1e25, sd = 1 OOM / 1.6449
    assert f.mu == pytest.approx(25.0) and f.sd == pytest.approx(1 / 1.6448536)
    assert Log10Normal.of(1000.0) == Log10Normal(3.0, 0.0)
    assert Log10Normal.of(-1.0) is None
    assert Log10Normal.of(between(1, 10)) is None  # log-uniform: no closed form


def test_sums_of_independent_logs():
    a, b = Log10Normal(24.0, 0.3), Log10Normal(2.0, 0.4)
    assert a.plus(b) == Log10Normal(26.0, pytest.approx(0.5))  # sqrt(0.09 + 0.16)
    assert a.plus(b, -1.0).mu == 22.0
    assert a.shift(math.log10(2)).mu == pytest.approx(24.30103)
