"""flopcast.web.shaping: library results shaped for the page, numbers as text through fmt."""

from __future__ import annotations

import importlib

from flopcast.core import fmt
from flopcast.web import shaping

forecast = importlib.import_module("flopcast.forecast.model")


def test_sensitivity_rows_carry_their_numbers_through_fmt():
    rows = [
        {
            "parameter": "growth.months_per_10x",
            "low": 2.9943349756551454,
            "high": 4.977,
            "unit": "months",
            "swing_years": 0.486475601136,
        },
        {
            "parameter": "reasoning.start_flop",
            "low": 2.995e24,
            "high": 1.19e25,
            "unit": "FLOP",
            "swing_years": float("nan"),
        },
    ]
    out = shaping.sensitivity_rows(rows)
    assert [(r["low_text"], r["high_text"], r["swing_text"]) for r in out] == [
        ("2.99 months", "4.98 months", "0.486"),  # 3 significant figures between 1e-3 and 1e4
        ("3e24 FLOP", "1.2e25 FLOP", fmt.UNKNOWN),  # NaN -> null (JSON) -> "unknown"
    ]
    assert out[0]["low"] == rows[0]["low"]  # the numbers themselves are kept as they are


def test_forecast_payload_states_the_date_its_headroom_is_at():
    from flopcast.web.schemas import ForecastRequest

    req = ForecastRequest(n=1000, horizon_years=1)
    res = forecast.run(forecast.load_scenario("seed-analysis"), n=1000, seed=0)
    payload = shaping.forecast_payload(res, req)
    assert payload["headroom_date"] == "2025-04-16"  # seed-analysis reasoning.start_date
    assert payload["headroom_oom"] == res.headroom_oom
    lines = shaping.bands_csv(payload).splitlines()
    assert len(lines) == 1 + len(payload["bands"]["t"])  # a header, then one row per month


def test_parameter_rows_name_the_cap_kind_each_belongs_to():
    rows = {r["key"]: r for r in shaping.parameter_rows(forecast.load_scenario("seed-analysis"))}
    assert rows["cap.share"]["cap_kinds"] == ["share"] and rows["cap.share"]["in_use"]
    budget = [r for k, r in rows.items() if k.startswith("budget.")]
    assert budget and all(r["cap_kinds"] == ["budget"] and not r["in_use"] for r in budget)
    assert rows["growth.months_per_10x"]["cap_kinds"] == []  # used by every cap kind
