"""flopcast.report.asof: the report leads with the as-of status; past dates are never predictions."""

from __future__ import annotations

from flopcast.report import asof

NAMES = {"gpt-5": "GPT-5", "grok-4": "Grok 4"}


def _status(*, met: bool, p: float, median: str | None = "2026-11-28") -> dict:
    check = {
        "id": "gpt-5",
        "release_date": "2025-08-07",
        "rl": 3.8e25,
        "cap": 5.2e26,
        "against": "1 x grok-4 total",
        "prob_met": 0.6 if met else 0.14,
    }
    return {
        "data_date": "2026-10-26",
        "cap": {"kind": "share", "fraction_of_frontier_run": 1.0},
        "met": met,
        "first_met": check if met else None,
        "closest": check,
        "records": [check],
        "from_data_date": {
            "date": "2026-10-26",
            "prob_met_before": p,
            "meeting_date_given_not_met": {"p5": "2026-10-28", "median": median, "p95": None},
        },
    }


EXACT = {
    "used": "exact",
    "why": "closed form: quadrature",
    "error_bound": {"meeting_days": 0.0011, "band_oom": 2.3e-6},
}


def test_when_marks_a_date_the_data_date_has_passed():
    assert asof.when("2025-11-09", "2026-10-26") == "2025-11-09 (past as of the data date)"
    assert asof.when("2026-10-26", "2026-10-26") == "2026-10-26 (past as of the data date)"
    assert asof.when("2027-01-01", "2026-10-26") == "2027-01-01"
    assert asof.when(None, "2026-10-26") == "never"


def test_lead_names_the_closest_record_and_what_follows_the_data_date():
    lead = asof.lead(_status(met=False, p=0.999), EXACT, NAMES)
    assert lead["status_sentence"].startswith("As of 2026-10-26")
    assert "has not met its cap" in lead["status_sentence"]
    assert (
        "GPT-5 (2025-08-07), RL-stage 3.8e25 FLOP against a cap of 5.2e26 FLOP"
        in (lead["status_sentence"])
    )
    assert "P(met) = 14%" in lead["status_sentence"]
    assert "a probability of 99.9%" in lead["from_data_date_sentence"]
    assert (
        "on 2026-11-28 (median; 90% interval 2026-10-28 to never)"
        in (lead["from_data_date_sentence"])
    )
    # 99.9% for a meeting by the data date and no record shows one: said, not hidden
    assert lead["contradiction"].startswith("The records contradict the forecast")


def test_lead_says_a_met_cap_and_no_contradiction_when_the_forecast_agreed():
    lead = asof.lead(_status(met=True, p=0.7), EXACT, NAMES)
    assert "has met its cap (1 x the largest total" in lead["status_sentence"]
    assert "the first record to meet it is GPT-5 (2025-08-07)" in lead["status_sentence"]
    assert lead["contradiction"] is None  # 0.7 is neither >= 0.9 against nor <= 0.1 for


def test_lead_when_the_median_draw_never_meets():
    lead = asof.lead(_status(met=False, p=0.2, median=None), EXACT, NAMES)
    assert "its median draw never meets the cap" in lead["from_data_date_sentence"]


def test_method_sentence_names_closed_form_or_monte_carlo():
    exact = asof.method_sentence(EXACT)
    assert exact.startswith("Method: closed form (quadrature; error below 0.0011 days")
    assert "2.3e-6 orders of magnitude" in exact
    mc = asof.method_sentence({"used": "mc", "samples": 20000, "why": "a mixture"})
    assert mc == "Method: Monte Carlo, 20,000 draws (a mixture)."


def test_blocks_lead_with_the_status_and_list_the_closest_records():
    status = _status(met=False, p=0.999)
    data = {"status": status, "lead": asof.lead(status, EXACT, NAMES), "models": []}
    blocks = asof.blocks(data)
    assert blocks[0] == ("h2", "As of 2026-10-26: what the records show")
    table = next(b for b in blocks if b[0] == "table")
    assert table[2] == [["gpt-5", "2025-08-07", "3.8e25", "5.2e26", "1 x grok-4 total", "14%"]]
    assert blocks[-1][1].startswith("Method: closed form")
    assert asof.blocks({"models": []}) == []  # no status: nothing
