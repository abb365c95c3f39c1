"""flopcast.report.blocks: the report's text, every number through fmt."""

from __future__ import annotations

from flopcast.core import fmt
from flopcast.report import blocks


def _row(**kw):
    base = {
        "name": "M",
        "release_date": "2025-04-16",
        "reasoning": True,
        "pretraining": None,
        "rl": None,
        "rl_share": None,
        "confidence": None,
    }
    return {**base, **kw}


def _models_table(rows):
    data = {
        "meta": {
            "generated": "2026-12-01",
            "flopcast_version": "0",
            "data_version": "v",
            "scenario": "s",
            "scenario_title": "",
            "seed": 0,
            "n": 1000,
            "command": "c",
        },
        "headline": {"sentence": "h"},
        "forecast": {
            "meeting_date": {},
            "headroom_oom": {"median": 1.0, "p5": 0.5, "p95": 2.0},
            "prob_never": 0.0,
            "start_date": "2025-04-16",
        },
        "sensitivity": [],
        "scores": None,
        "models": rows,
        "scenario": {"name": "s", "description": "", "parameters": {}},
        "sources": {"dataset": []},
    }
    table = next(b for b in blocks.blocks(data) if b[0] == "table" and b[1][0] == "Model")
    return table[2]


def test_o3s_interval_never_prints_a_mantissa_of_ten():
    # o3's RL compute: p95 just under 1e26 rounds to 1e26, never "10e25"
    (row,) = _models_table([_row(rl={"median": 1.7e25, "p5": 3e24, "p95": 9.96e25})])
    assert row[3] == "1.7e25 (3e24 to 1e26)"


def test_unknown_and_not_applicable_are_told_apart():
    rows = _models_table(
        [
            _row(
                name="base", reasoning=False, pretraining={"median": 3e24, "p5": 1e24, "p95": 1e25}
            ),
            _row(name="secret reasoner", reasoning=True),
        ]
    )
    base, secret = rows
    assert base[3:6] == [fmt.NOT_APPLICABLE, fmt.NOT_APPLICABLE, fmt.UNKNOWN]  # no RL stage
    assert secret[2:6] == [fmt.UNKNOWN] * 4  # has an RL stage; nobody published it
    assert base[2] == "3e24 (1e24 to 1e25)"


def test_a_share_is_a_percentage_through_fmt():
    (row,) = _models_table([_row(rl_share={"median": 0.0123, "p5": 0.005, "p95": 0.1})])
    assert row[4] == "1.2% (0.5% to 10%)"


def test_the_summary_uses_the_summarys_own_interval():
    rows = blocks._summary_rows(
        {
            "meeting_date": {"median": "2026-01-17", "p5": None},
            "prob_never": 0.04,
            "start_date": "2025-04-16",
            "headroom_oom": {"median": 1.8899, "p5": 1.5, "p95": 2.3, "lo": 1.4, "hi": 2.4},
        }
    )
    cells = dict(rows)
    headroom = "Headroom on 2025-04-16, the trajectory's start (orders of magnitude)"
    assert cells[headroom] == "1.89 (90% interval 1.4 to 2.4)"  # the summary's lo/hi
    assert cells["Meeting date, 90% interval"] == f"{fmt.NOT_APPLICABLE} to never"
    assert cells["P(never meets)"] == "4%"


def test_summary_marks_dates_the_data_date_has_passed():
    f = {
        "meeting_date": {"median": "2025-11-09", "p25": "2025-09-19", "p75": "2027-01-04"},
        "headroom_oom": {"median": 1.0, "p5": 0.5, "p95": 2.0},
        "prob_never": 0.0,
        "start_date": "2025-04-16",
        "prob_before": {"2026-01-01": 0.74, "2027-01-01": 1.0},
    }
    rows = dict(blocks._summary_rows(f, "2026-10-26"))
    past = " (past as of the data date)"
    assert rows["Meeting date, median"] == "2025-11-09" + past
    assert rows["Meeting date, 50% interval"] == f"2025-09-19{past} to 2027-01-04"
    assert f"P(meeting before 2026-01-01{past})" in rows
    assert "P(meeting before 2027-01-01)" in rows  # after the data date: a prediction
