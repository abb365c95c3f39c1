"""flopcast.report.backtest: the seed analysis as of 2025-05-13, scored, in the report's text."""

from __future__ import annotations

import math

import pytest

from flopcast.evidence import dataset
from flopcast.forecast.backtest import backtest
from flopcast.report import backtest as report_backtest

NAMES = {"grok-4": "Grok 4"}


@pytest.fixture(scope="module")
def bt():
    return report_backtest.run(dataset.load(), n=20_000, seed=0)


def test_run_is_the_library_backtest_of_the_seed_analysis_as_of_its_date(bt):
    assert (bt["as_of"], bt["scenario"]) == ("2025-05-13", "seed-analysis")
    direct = backtest("2025-05-13", "seed-analysis", n=20_000, seed=0, dataset=dataset.load())
    assert bt["later"] == direct["later"] and bt["summary"] == direct["summary"]
    assert "forecast" not in bt  # its scores are what the report states
    # only what was public on the cut-off reached the forecast
    assert all(d <= "2025-05-13" for d in bt["inputs"]["parameters"]["dated"].values())
    assert all(d <= "2025-05-13" for d in bt["inputs"]["records"].values())


def test_blocks_state_each_later_observation_and_the_coverage(bt):
    blocks = report_backtest.blocks(bt, NAMES)
    assert blocks[0] == ("h2", "Backtest: seed-analysis as of 2025-05-13")
    summary, later = [b for b in blocks if b[0] == "table"]
    assert len(later[2]) == len(bt["later"])  # one row per later observation
    rl = next(r for r in summary[2] if r[0] == "RL stage")
    s = bt["summary"]["rl"]
    assert rl[1] == str(s["compared"])
    assert rl[3].startswith(f"{s['inside_90']} of {s['compared']}")
    text = " ".join(b[1] for b in blocks if b[0] == "p")
    assert "Meeting observed?" in text and "Brier score" in text


def test_a_log_score_beyond_every_draw_reads_minus_infinity():
    assert report_backtest._score(None) == "-inf (beyond every draw)"  # JSON's null
    assert report_backtest._score(-math.inf) == "-inf (beyond every draw)"
    assert report_backtest._score(-0.31) == "-0.31"


def test_meeting_sentence():
    m = {
        "data_date": "2026-10-26",
        "forecast_prob_met": 0.999,
        "observed_met": False,
        "brier": 0.998,  # (0.999 - 0) ** 2
        "closest": {"id": "grok-4", "release_date": "2025-07-09", "prob_met": 0.14},
        "first_met": None,
    }
    assert report_backtest.meeting_sentence(m, NAMES) == (
        "Meeting observed? The forecast gave a meeting by 2026-10-26 (the data date) a "
        "probability of 99.9%; no record shows one (closest: Grok 4, 2025-07-09, P(met) = 14%); "
        "Brier score 0.998 (0 is a perfect forecast, 1 the worst)."
    )


def test_data_that_cannot_run_it_is_said_in_one_line():
    bt = {
        "as_of": "2025-05-13",
        "scenario": "seed-analysis",
        "error": "no evidence on or before 2025-05-13",
    }
    blocks = report_backtest.blocks(bt, {})
    assert blocks[-1] == ("p", "Not run on this data: no evidence on or before 2025-05-13.")
