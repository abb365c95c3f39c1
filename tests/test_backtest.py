"""Backtest: a forecast as of a past date against later evidence."""

from __future__ import annotations

import math

import pytest

from flopcast.forecast.backtest import backtest
from flopcast.forecast.dates import to_year
from test_references import FakeDataset

LOG4 = math.log10(4)
O3_RELEASE = to_year("2025-04-16")


def test_backtest_compares_later_records():

    out = backtest("2025-07-01", "latest-evidence", n=2000, seed=0, dataset=FakeDataset())
    assert out["forecast"]["start_date"] == "2025-06-01"
    later = {(c["id"], c["field"]): c for c in out["later"]}
    assert set(later) == {("gamma", "rl"), ("gamma", "total"), ("gamma", "rl_share")}
    assert later[("gamma", "rl")]["new_max"] is True
    assert 0.0 <= later[("gamma", "rl")]["pit"] <= 1.0
    rev = out["revisions"]
    assert [(r["id"], r["ratio"]) for r in rev] == [("beta", pytest.approx(2.0))]  # 2e25 / 1e25
