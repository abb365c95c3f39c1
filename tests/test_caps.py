"""Cap kinds: each cap line in closed form, and the shipped defaults of each kind."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flopcast.accounting.architecture import from_config
from flopcast.core.dates import to_date, to_year
from flopcast.core.errors import ScenarioError
from flopcast.forecast.caps import data_flop
from flopcast.forecast.model import check_reachable, run
from flopcast.forecast.scenario import load_scenario
from flopcast.forecast.sensitivity import sensitivity

LOG4 = math.log10(4)
O3_RELEASE = to_year("2025-04-16")


def test_budget_cap_closed_form():
    # $1e9 per year at $1e-18 per FLOP buys 1e27 FLOP, flat; start 1e25 growing 3 OOM/yr:
    # meets after (27 - 25) / 3 = 2/3 year
    res = run(
        "seed-analysis",
        n=100,
        seed=0,
        overrides={
            "cap.kind": "budget",
            "budget.usd_per_year": "1e9",
            "budget.usd_per_flop": "1e-18",
            "budget.growth_per_year": "1",
            "budget.price_decline_per_year": "1",
            "budget.date": "2025-01-01",
            "reasoning.start_flop": "1e25",
            "growth.months_per_10x": "4",
        },
    )
    assert res.meeting_years - res.lines.t0 == pytest.approx(np.full(100, 2 / 3))
    assert res.growth["after"]["median"] == pytest.approx(1.0)


def test_default_budget_scenario_runs():
    # the shipped budget: $1B in 2027 read back at 2.4x per year to 2025-01-29, 1B / 2.4^1.92
    # = $186M, at $2 per H100-hour over 989 TFLOP/s at 20-40% buys ~1e26 FLOP: above o3's start
    res = run("seed-analysis", n=2000, seed=0, overrides={"cap.kind": "budget"})
    assert res.headroom_oom["median"] > 0
    # the cap then grows 2.4x (spend) * 2^(1/2.07) = 1.4x (price) = 3.3x per year
    assert res.growth["after"]["median"] == pytest.approx(2.4 * 2 ** (1 / 2.07), rel=0.05)
    changes = {"cap.kind": "budget"}
    assert "budget.usd_per_flop" in {
        r["parameter"] for r in sensitivity(load_scenario("seed-analysis", changes), n=2000)
    }
    # Amodei's ~$1M per model for RL (January 2025) buys ~5e23 FLOP, below the start
    with pytest.raises(ScenarioError, match="budget.usd_per_year: the cap at the start"):
        run("seed-analysis", n=2000, overrides={"cap.kind": "budget", "budget.usd_per_year": "1M"})


def test_a_cap_that_is_never_met_is_one_clear_error():
    # the frontier grows 1e6x per year (6 OOM/yr), reasoning 10x per 4 months (3 OOM/yr)
    changes = {"frontier.growth_per_year": "1e6", "growth.months_per_10x": "4"}
    res = run("seed-analysis", n=1000, overrides=changes)
    assert res.prob_never == pytest.approx(1 - res.prob_at_start)  # all but those at the start
    with pytest.raises(ScenarioError, match="never meets it") as err:
        check_reachable(res)
    assert "\n" not in str(err.value)


def test_parity_in_gpu_time_comes_before_parity_in_flop():
    # RL at a lower utilisation (0.1-0.4) than pre-training (0.2-0.45): k = u_rl / u_pre < 1,
    # the cap k / (1 + k) of the run is below 1/2, so the meeting comes earlier
    flop = run("seed-analysis", n=4000, overrides={"cap.kind": "parity"})
    gpu = run(
        "seed-analysis", n=4000, overrides={"cap.kind": "parity", "cap.parity_in": "gpu_time"}
    )
    assert gpu.method == "mc" and flop.method == "exact"
    assert gpu.headroom_oom["median"] < flop.headroom_oom["median"]
    assert gpu.meeting_date["median"] < flop.meeting_date["median"]


def test_data_cap_is_problems_samples_tokens_passes_and_flop_per_token():
    phi = from_config("qwen2.5-1.5b").forward_flop_per_token(500.0)  # mean position of 1,000
    flop = data_flop(1_000, 16, 1_000, 4, "qwen2.5-1.5b")
    assert flop == pytest.approx(1_000 * 16 * 1_000 * 4 * phi)  # 6.4e7 tokens x 4 x phi
    # phi is about 2 x 1.5e9 parameters per token (3e9), plus attention: 1e17 - 5e17 FLOP
    assert 1e17 < flop < 5e17


def test_data_cap_line_in_a_forecast():
    # 1M problems x 100 samples x 10k tokens x 4 passes x phi(5,000) of deepseek-v3, flat:
    # 4e12 x phi with phi = 9.8e10 (37.6B active, x 2, + MLA attention) -> ~3.9e23 FLOP
    sets = {
        "cap.kind": "data",
        "data.problems": "1M",
        "data.samples_per_problem": "100",
        "data.response_tokens": "10k",
        "data.passes_per_token": "4",
        "data.growth_per_year": "1",
        "data.date": "2025-04-16",
        "reasoning.start_flop": "1e22",
        "reasoning.start_date": "2025-04-16",
        "growth.months_per_10x": "4",
    }
    res = run("seed-analysis", n=200, seed=0, overrides=sets)
    phi = from_config("deepseek-v3").forward_flop_per_token(5_000.0)
    cap = 1e6 * 100 * 10_000 * 4 * phi
    assert res.method == "mc"  # phi depends on the response length: no closed form
    assert res.headroom_oom["median"] == pytest.approx(math.log10(cap) - 22, abs=1e-9)
    # the flat cap is met after (log10(cap) - 22) / 3 years at 10x every 4 months
    years = (math.log10(cap) - 22) / 3
    assert res.meeting_date["median"] == to_date(O3_RELEASE + years)


def test_data_cap_defaults_sit_below_o3_so_the_seed_refuses_it():
    # the sourced defaults (public problem sets, R1's group size and lengths, DeepSeek-V3) give
    # ~1e24 FLOP, below o3's ~1.7e25 start: one clear error naming data.problems
    with pytest.raises(ScenarioError, match="below reasoning.start_flop") as exc:
        run("seed-analysis", n=2_000, overrides={"cap.kind": "data"})
    assert exc.value.field == "data.problems"


def test_money_cap_is_the_final_run_share_of_rd_spend():
    # $5B R&D x 10% final runs = $5e8 at $1e-18 per FLOP buys 5e26 FLOP, flat
    sets = {
        "cap.kind": "money",
        "money.rd_usd_per_year": "5B",
        "money.final_run_share": "0.1",
        "money.growth_per_year": "1",
        "money.date": "2025-04-16",
        "money.usd_per_flop": "1e-18",
        "money.price_decline_per_year": "1",
    }
    res = run("seed-analysis", n=200, seed=0, overrides=sets)
    start = np.log10(res.draws.values["reasoning.start_flop"])
    assert np.allclose(res.lines.headroom, math.log10(5e26) - start)  # 26.699 - start
    # the default money cap runs (R&D $3-7B x 5-20% at 2024 prices, growing 2.0-2.9x per year)
    default = run("seed-analysis", n=2_000, overrides={"cap.kind": "money"})
    assert default.prob_at_start < 0.5
    assert "money.final_run_share" in default.scenario.in_use()
    assert "budget.usd_per_year" not in default.scenario.in_use()
