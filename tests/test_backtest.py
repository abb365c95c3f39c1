"""Backtest: a forecast as of a past date against later evidence (on a small stand-in dataset,
made-up records, not real figures), and on the shipped seed analysis."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flopcast.core.dates import parse_date
from flopcast.core.errors import InputError, ScenarioError
from flopcast.forecast.backtest import backtest, parameter_sources
from flopcast.forecast.scenario import load_scenario
from test_references import FakeDataset


@pytest.fixture(scope="module")
def fake_out():
    return backtest("2025-07-01", "latest-evidence", n=2000, seed=0, dataset=FakeDataset())


def test_backtest_compares_later_records(fake_out):
    out = fake_out
    assert out["forecast"]["start_date"] == "2025-06-01"
    later = {(c["id"], c["field"]): c for c in out["later"]}
    assert set(later) == {("gamma", "rl"), ("gamma", "total"), ("gamma", "rl_share")}
    g = later[("gamma", "rl")]
    assert g["test"] is True  # 4e26 is a new maximum of RL compute (beta had 1e25)
    # the PIT is the share of forecast draws below the observed median, by definition
    assert set(g) >= {"pit", "log_score", "crps", "inside_50", "inside_90"}
    assert g["inside_90"] == (0.05 <= g["pit"] <= 0.95)
    rev = out["revisions"]
    assert [(r["id"], r["ratio"]) for r in rev] == [("beta", pytest.approx(2.0))]  # 2e25 / 1e25


def test_summary_counts_the_tests(fake_out):
    s = fake_out["summary"]["rl"]
    tests = [c for c in fake_out["later"] if c["field"] == "rl" and c["test"]]
    assert s["compared"] == len(tests) == 1
    assert s["coverage_90"] == float(tests[0]["inside_90"])
    assert s["mean_crps"] == pytest.approx(tests[0]["crps"])


def test_no_record_or_source_after_the_cutoff_reaches_the_forecast(fake_out):
    cutoff = parse_date(fake_out["as_of"])
    used = fake_out["inputs"]["records"]
    assert used and all(parse_date(d) <= cutoff for d in used.values())
    assert "gamma" not in used  # released 2025-09-15, after the cut-off
    # beta's second line (2e25, dated 2025-09-01) is not known on 2025-07-01: the start is the
    # first line, 1e25
    resolved = " ".join(fake_out["forecast"]["resolved"].values())
    assert "beta" in resolved and "1e+25" in resolved.replace("1e25", "1e+25")
    dated = fake_out["inputs"]["parameters"]["dated"]
    assert all(parse_date(d) <= cutoff for d in dated.values())


def test_a_parameter_published_after_the_cutoff_is_refused(tmp_path):
    f = tmp_path / "late.yaml"
    f.write_text(
        "name: late\nparameters:\n  growth.months_per_10x:\n    value: '2 to 4'\n"
        "    source: https://example.org/a-later-estimate\n    published: 2025-08-01\n"
    )
    with pytest.raises(ScenarioError, match="published 2025-08-01, after the cut-off 2025-07-01"):
        backtest("2025-07-01", str(f), n=500, dataset=FakeDataset())
    flags = parameter_sources(load_scenario(str(f)), parse_date("2025-09-01"))
    assert flags["dated"]["growth.months_per_10x"] == "2025-08-01"
    assert "frontier.flop" in flags["undated"]  # the default has no publication date


def test_an_as_of_date_before_any_evidence_is_one_clear_error():
    with pytest.raises(InputError, match="no evidence on or before 2024-01-01; the earliest"):
        backtest("2024-01-01", "latest-evidence", n=500, dataset=FakeDataset())


def test_seed_analysis_backtest_on_the_shipped_data():
    out = backtest("2025-05-13", n=4000, seed=0)
    assert out["scenario"] == "seed-analysis"
    assert all(d <= "2025-05-13" for d in out["inputs"]["records"].values())
    assert out["inputs"]["records"] == {"o3": "2025-04-16"}
    later = out["later"]
    assert later and all(c["release_date"] > "2025-05-13" for c in later)
    assert all(math.isfinite(c["crps"]) and c["crps"] >= 0 for c in later)
    m = out["meeting"]
    assert 0 <= m["forecast_prob_met"] <= 1
    assert m["brier"] == pytest.approx((m["forecast_prob_met"] - float(m["observed_met"])) ** 2)
    assert np.isfinite(out["summary"]["rl"]["mean_log_score"])
