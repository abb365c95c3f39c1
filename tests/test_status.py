"""The as-of status: records against the cap, and the forecast from the data date on."""

from __future__ import annotations

import math

import pytest

from flopcast.forecast.model import run
from flopcast.forecast.status import cap_status, meeting_after
from test_references import FakeDataset


@pytest.fixture(scope="module")
def status():
    ds = FakeDataset()
    res = run("latest-evidence", n=4000, dataset=ds, overrides={"evidence.as_of": "2025-07-01"})
    return res, cap_status(res, ds)


def test_data_date_and_the_records_behind_it(status):
    _, st = status
    assert st["data_date"] == "2025-09-15"  # gamma, the newest record of the stand-in
    assert [c["id"] for c in st["records"]] == ["alpha", "beta", "gamma"]


def test_probability_a_record_met_the_cap(status):
    _, st = status
    gamma = st["records"][2]
    # latest-evidence caps the RL stage at between(0.5, 0.9) of a run: median sqrt(0.45) = 0.671.
    # gamma is its own frontier run (total 1e27 > beta's 6e26): cap 0.671 x 1e27; its RL share
    # 4e26 / 1e27 = 0.4 < 0.671, both points -> P(met) = 0
    assert st["cap"]["fraction_of_frontier_run"] == pytest.approx(math.sqrt(0.5 * 0.9), rel=1e-3)
    assert gamma["cap"] == pytest.approx(math.sqrt(0.45) * 1e27, rel=1e-3)
    assert gamma["prob_met"] == 0.0
    assert st["met"] is False and st["closest"] is not None


def test_meeting_after_a_date_is_conditional(status):
    res, _ = status
    after = meeting_after(res, "2025-09-15")
    p = after["prob_met_before"]
    assert p == pytest.approx(res.prob_before("2025-09-15"))
    dates = after["meeting_date_given_not_met"]
    assert all(d is None or d >= "2025-09-15" for d in dates.values())  # none in the past
    assert 0.0 <= p <= 1.0
