"""flopcast.evidence.bounds: chip-hours x peak bounds every line; refuse above, cap tails."""

from __future__ import annotations

import warnings

import pytest

from flopcast.core.errors import DataError, PlausibilityWarning
from flopcast.core.uncertain import ci, point
from flopcast.estimate import chips
from flopcast.evidence import bounds
from flopcast.evidence.records import HardwareTime, Line

SRC = [{"url": "https://example.org/a", "title": "t", "states": "s", "accessed": "2026-01-01"}]
H800 = chips.peak_flop_per_s("H800", "bf16")  # 9.89e14 FLOP/s dense BF16 in the catalog


def _line(**kw) -> Line:
    return Line(confidence="Likely", sources=SRC, **kw)


def test_bound_of_a_hardware_field():
    b = bounds.of_field(HardwareTime(chip="H800", chip_hours=142336, sources=SRC))
    assert b.flop == pytest.approx(142_336 * 3600 * H800)  # 5.07e23 FLOP
    assert b.utilization(b.flop / 4) == pytest.approx(0.25)


def test_bound_of_a_hardware_line_with_chips_and_hours():
    b = bounds.of_line(_line(estimate="hardware(chip=H800, chips=512, hours=198, stage=rl)"))
    assert b.chip_hours == 512 * 198  # 101,376 H800-hours
    assert bounds.of_line(_line(estimate="hardware(chip=H800, chips=512, hours=198) * 2")) is None
    assert bounds.of_line(_line(estimate="6.1e23")) is None


def test_fp8_line_is_bounded_at_the_fp8_peak():
    b = bounds.of_line(_line(estimate="hardware(chip=H800, chip_hours=1000, precision=fp8)"))
    assert b.peak_flop_per_s == chips.peak_flop_per_s("H800", "fp8")
    assert b.flop == pytest.approx(1000 * 3600 * chips.peak_flop_per_s("H800", "fp8"))


def test_bound_of_recipes_sums_their_published_hours():
    b = bounds.of_line(_line(recipe=["deepseek-r1-zero", "deepseek-r1"]))
    assert b.chip_hours == 101_376 + 40_960  # 198 h and 80 h on 512 H800s
    assert bounds.of_line(_line(recipe=["dapo-qwen2.5-32b"])) is None  # no published hours


def test_figure_above_the_bound_is_refused():
    b = bounds.Bound("H800", 142_336, "bf16", H800, "test")
    with pytest.raises(DataError) as err:
        bounds.check(point(6.1e23) * ci(1 / 3, 3), b, "line 'Epoch'")
    assert "above the physics bound 5.07e+23" in err.value.message
    assert "120% of peak" in err.value.message  # 6.1e23 / 5.07e23


def test_tail_above_the_bound_is_capped_with_a_warning():
    b = bounds.Bound("H800", 142_336, "bf16", H800, "test")
    wide = ci(5e22, 1e24)  # median 2.2e23, 90th-95th percentiles above 5.07e23
    with pytest.warns(PlausibilityWarning, match="capped at the bound"):
        capped = bounds.check(wide, b, "line 1")
    assert capped.percentile(99, n=20_000) == pytest.approx(b.flop)
    assert capped.median(n=20_000) == pytest.approx(wide.median(), rel=0.03)


def test_negligible_tail_is_left_exact():
    b = bounds.Bound("H800", 142_336, "bf16", H800, "test")
    narrow = ci(1e22, 2e22)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert bounds.check(narrow, b, "line 1") is narrow  # P(above) ~ 1e-40
