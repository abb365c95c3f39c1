"""Histogram of meeting dates: counts by hand, and the draws outside it counted apart."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flopcast.core.errors import InputError
from flopcast.forecast.histogram import histogram


def test_counts_by_hand():
    years = np.array([2024.5, 2025.1, 2025.3, 2025.3, 2025.9, 2027.0, math.inf])
    h = histogram(years, bins=2, range=(2025.0, 2026.0))
    assert h["edges"] == pytest.approx([2025.0, 2025.5, 2026.0])  # (2026 - 2025) / 2 per bin
    assert h["counts"] == [3, 1]  # 2025.1, 2025.3, 2025.3 | 2025.9
    assert (h["below"], h["above"], h["never"], h["n"]) == (1, 1, 1, 7)


def test_all_at_one_date_widens_to_a_year():
    h = histogram(np.full(4, 2026.0), bins=4)
    assert h["edges"] == pytest.approx([2025.5, 2025.75, 2026.0, 2026.25, 2026.5])
    assert h["counts"] == [0, 0, 4, 0]
    with pytest.raises(InputError, match="at least 1 bin"):
        histogram(np.full(4, 2026.0), bins=0)
