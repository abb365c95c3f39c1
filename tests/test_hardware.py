"""flopcast.accounting.hardware: chip-hours, cost and implied utilisation, with the arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from flopcast.accounting.hardware import (
    chip_hours,
    cost_usd,
    implied_utilization,
)
from flopcast.core.errors import InputError, PlausibilityWarning
from flopcast.core.uncertain import ci
from flopcast.estimate import chips


def test_chip_hours_and_back():
    flop = 9.89e14 * 3600 * 0.25 * 1000  # 1000 H800-hours at 25% of BF16 peak
    assert chip_hours(flop, "H800", 0.25) == pytest.approx(1000)
    assert implied_utilization(flop, "H800", chip_hours=1000) == pytest.approx(0.25)
    assert implied_utilization(flop, "H800", cost_usd=2000, usd_per_hour=2.0) == pytest.approx(0.25)


def test_cost_usd_is_chip_hours_times_price():
    flop = 9.89e14 * 3600 * 0.25 * 1000  # 1000 H800-hours at 25% of BF16 peak (989 TFLOP/s)
    assert cost_usd(flop, "H800", 0.25, usd_per_hour=2.5) == pytest.approx(2500)  # 1000 x $2.5
    catalog = chips.price_per_hour("H800")
    assert catalog is not None  # the sourced price in data/hardware.yaml
    assert cost_usd(flop, "H800", 0.25) == pytest.approx(1000 * catalog.usd_per_hour)
    # fp8 peak is twice bf16 on Hopper: half the chip-hours, half the cost
    fp8 = chips.peak_flop_per_s("H800", "fp8") / chips.peak_flop_per_s("H800", "bf16")
    assert cost_usd(flop, "H800", 0.25, usd_per_hour=2.0, precision="fp8") == pytest.approx(
        2000 / fp8
    )


def test_cost_usd_carries_uncertainty():
    flop = 9.89e14 * 3600 * 1000  # 1000 H800-hours at full BF16 peak
    cost = cost_usd(flop, "H800", ci(0.2, 0.3), usd_per_hour=2.0)
    # lognormal utilisation: median of 1 / u is 1 / median(u) = 1 / sqrt(0.2 x 0.3)
    assert cost.median() == pytest.approx(2000 / np.sqrt(0.2 * 0.3), rel=1e-6)
    lo, hi = cost.interval(0.9)
    assert lo == pytest.approx(2000 / 0.3, rel=1e-6) and hi == pytest.approx(2000 / 0.2, rel=1e-6)


def test_cost_usd_without_a_price_is_a_clear_error():
    unpriced = next(c.id for c in chips.catalog() if c.latest_price() is None and "bf16" in c.peak)
    with pytest.raises(InputError, match=f"no sourced rental price for '{unpriced}'.*usd_per_hour"):
        cost_usd(1e20, unpriced, 0.3)
    assert cost_usd(1e20, unpriced, 0.3, usd_per_hour=1.0) > 0
    with pytest.raises(InputError, match="usd_per_hour must be a positive price"):
        cost_usd(1e20, "H800", 0.3, usd_per_hour=0)


def test_implausible_utilization_warns():
    with pytest.warns(PlausibilityWarning, match="outside the plausible 0.01-0.7"):
        implied_utilization(9.89e14 * 3600 * 100, "H800", chip_hours=100)  # 1.0 of peak
    with pytest.warns(PlausibilityWarning):
        implied_utilization(9.89e14 * 3600 * 0.001, "H800", chip_hours=1)
