"""Forecast: closed form, trajectories, scenarios, sensitivity and backtest.

Covers flopcast.forecast.model and the modules split from it (scenario, sensitivity, backtest).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest

from flopcast.core.errors import InputError, ScenarioError, UnknownNameError
from flopcast.core.uncertain import ci, point
from flopcast.forecast.backtest import backtest
from flopcast.forecast.model import (
    Lines,
    list_scenarios,
    load_scenario,
    meeting_time,
    reasoning_growth,
    reasoning_log,
    run,
    softmin10,
)
from flopcast.forecast.scenario import PARAMETERS, draw, to_date, to_year
from flopcast.forecast.sensitivity import sensitivity

LOG4 = math.log10(4)
O3_RELEASE = to_year("2025-04-16")


# ---- the closed form ---------------------------------------------------------------------------


def test_meeting_time_worked_example():
    # start 1e24 in 2025.0, 10x per 4 months (3 OOM/yr); cap 1e26 in 2025.0 growing 4x/yr
    t = meeting_time(24.0, 2025.0, 3.0, 26.0, 2025.0, LOG4)
    assert t == pytest.approx(2025.0 + 2 / (3 - LOG4))  # headroom 2 OOM / closing 2.398 OOM/yr
    assert t == pytest.approx(2025.834, abs=1e-3)


def test_meeting_time_cap_reference_date_differs_from_start():
    # cap 1e26 at 2024.0 growing 1 OOM/yr is 1e27 at 2025.0; start 1e24, 4 OOM/yr: 3 / (4 - 1)
    t = meeting_time(24.0, 2025.0, 4.0, 26.0, 2024.0, 1.0)
    assert t == pytest.approx(2026.0)


def test_meeting_time_edge_cases():
    # already at the cap: meets at the start; cap faster than reasoning: never
    assert meeting_time(27.0, 2025.0, 3.0, 26.0, 2025.0, LOG4) == 2025.0
    assert meeting_time(26.0, 2025.0, 3.0, 26.0, 2025.0, LOG4) == 2025.0
    assert np.isinf(meeting_time(24.0, 2025.0, 0.5, 26.0, 2025.0, LOG4))
    assert np.isinf(meeting_time(24.0, 2025.0, LOG4, 26.0, 2025.0, LOG4))


def test_meeting_time_is_vectorised():
    r0 = np.array([24.0, 25.0, 27.0])
    t = meeting_time(r0, 2025.0, 3.0, 26.0, 2025.0, 0.0)
    assert t.tolist() == pytest.approx([2025 + 2 / 3, 2025 + 1 / 3, 2025.0])


def test_trajectory_follows_line_then_cap():
    args = (24.0, 2025.0, 3.0, 26.0, 2025.0, LOG4)
    tm = float(meeting_time(*args))
    before, after = tm - 0.1, tm + 0.5
    assert reasoning_log(before, *args) == pytest.approx(24.0 + 3.0 * (before - 2025.0))
    assert reasoning_log(after, *args) == pytest.approx(26.0 + LOG4 * (after - 2025.0))
    assert reasoning_growth(before, *args) == pytest.approx(3.0)
    assert reasoning_growth(after, *args) == pytest.approx(LOG4)


def test_softmin_reduces_to_min_and_smooths_the_kink():
    a, b = np.array([1.0, 2.0, 5.0]), np.array([2.0, 2.0, 1.0])
    assert softmin10(a, b, 0.0).tolist() == [1.0, 2.0, 1.0]
    soft = softmin10(a, b, 0.3)
    assert np.all(soft < np.minimum(a, b))
    assert soft[1] == pytest.approx(2.0 - 0.3 * math.log10(2))  # w log10(2) below at the crossing
    assert softmin10(0.0, 10.0, 0.3) == pytest.approx(0.0, abs=1e-12)  # far away: the minimum
    # the smooth growth rate blends from 1/T to g_c and ends at the cap's rate
    args = (24.0, 2025.0, 3.0, 26.0, 2025.0, LOG4)
    g = reasoning_growth(np.array([2025.0, 2025.8, 2028.0]), *args, width=0.2)
    assert g[0] == pytest.approx(3.0, abs=1e-6) and g[-1] == pytest.approx(LOG4, abs=1e-6)
    assert 3.0 > g[1] > LOG4


# ---- the seed scenario (Must show) -------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_result():
    return run("seed-analysis", n=20_000, seed=0)


def test_seed_median_meeting_within_a_year_of_o3_release(seed_result):
    median = to_year(seed_result.meeting_date["median"])
    assert 0 < median - O3_RELEASE < 1.0
    # point check on the closed form: start 6e24 at o3's release, frontier 4e26 on 2025-02-27
    # growing 4x/yr, 10x per 4 months -> headroom log10(4e26 * 4^0.13 / 6e24) = 1.90 OOM,
    # closing speed 3 - 0.602 = 2.398 OOM/yr -> 0.79 years
    t = meeting_time(
        math.log10(6e24), O3_RELEASE, 3.0, math.log10(4e26), to_year("2025-02-27"), LOG4
    )
    assert float(t) - O3_RELEASE == pytest.approx(0.79, abs=0.01)


def test_seed_growth_after_meeting_equals_frontier(seed_result):
    lines = seed_result.lines
    after = seed_result.meeting_years.max() + 0.5
    step = lines.reasoning(np.array([after + 1.0])) - lines.reasoning(np.array([after]))
    assert np.allclose(step, lines.g_f[:, None])  # 1 year later: + log10(4) OOM
    assert np.allclose(lines.g_f, LOG4)
    assert seed_result.growth["after"]["median"] == pytest.approx(4.0)


def test_seed_headroom_and_probabilities(seed_result):
    h = seed_result.headroom_oom
    assert h["p5"] < h["median"] < h["p95"]
    assert 1.5 < h["median"] < 2.3  # log10(4.7e26 / 6e24) = 1.89
    p = seed_result.prob_before(seed_result.meeting_date["median"])
    assert p == pytest.approx(0.5, abs=0.01)
    assert seed_result.prob_never == 0.0
    assert seed_result.prob_before("2025-04-16") == 0.0


def test_closed_form_agrees_with_time_stepping(seed_result):
    """Step each draw month by month (1/1200 year) until it reaches the cap."""
    sub = seed_result.lines.take(slice(0, 500))
    dt_years = 1 / 1200
    t = sub.t0 + np.arange(0, 3 * 1200) * dt_years
    u = sub.r0[:, None] + sub.inv_T[:, None] * (t - sub.t0)
    cap = sub.c0[:, None] + sub.g_c[:, None] * (t - sub.t_c)
    stepped = t[np.argmax(u >= cap, axis=1)]
    closed = sub.meeting()
    assert np.all(stepped >= closed - 1e-9)
    assert np.all(stepped - closed <= dt_years + 1e-9)


def test_monte_carlo_share_met_matches_closed_form_cdf(seed_result):
    b = seed_result.bands(2)
    for i in (3, 6, 9, 12):
        share_met_on_paths = np.mean(
            seed_result.lines.reasoning(np.array([b["t"][i]]))[:, 0]
            >= seed_result.lines.frontier(np.array([b["t"][i]]))[:, 0] - 1e-9
        )
        assert share_met_on_paths == pytest.approx(b["met"][i], abs=1e-9)


def test_bands_monotone_in_percentile_and_chunking_invariant(seed_result):
    b = seed_result.bands(10)
    assert len(b["t"]) == 121 and b["dates"][0] == "2025-04-16"  # 10 years monthly, both ends
    for name in ("reasoning", "frontier", "growth"):
        rows = np.array([b[name][p] for p in (5, 25, 50, 75, 95)])
        assert np.all(np.diff(rows, axis=0) >= -1e-12), name
    small = seed_result.bands(10, percentiles=(5, 50, 95), max_bytes=8 * seed_result.n)
    assert small["reasoning"][50] == pytest.approx(b["reasoning"][50])


@pytest.mark.parametrize(
    "overrides",
    [
        {},  # the kink, one frontier slope for every draw
        {"frontier.growth_per_year": "3 to 6"},  # a frontier slope per draw
        {"transition.width_oom": "0.05 to 0.5"},  # the softmin
    ],
)
def test_bands_match_a_plain_percentile_reference(overrides):
    res = run("seed-analysis", n=501, seed=4, overrides=overrides)
    t = res.lines.t0 + np.arange(25) / 12.0  # 2 years monthly
    ps = (5, 25, 50, 75, 95)
    reference = {
        "reasoning": res.lines.reasoning(t[None, :]),  # draws x months
        "frontier": res.lines.frontier(t[None, :]),
        "growth": res.lines.growth(t[None, :]),
    }
    exact = res.bands(2, exact=True, max_bytes=3 * 8 * res.n)  # chunks of months
    fast = res.bands(2)
    assert exact["t"] == pytest.approx(t.tolist(), abs=1e-12)
    for name, values in reference.items():
        expected = np.percentile(values, ps, axis=0)
        for i, p in enumerate(ps):
            assert exact[name][p] == pytest.approx(expected[i], rel=0, abs=1e-12), (name, p)
            # float32 sorting: rounding of a few ulp of ~30 (log10 FLOP), far below MC noise
            assert fast[name][p] == pytest.approx(expected[i], rel=0, abs=1e-4), (name, p)
    met = [float(np.mean(res.meeting_years <= x)) for x in t]
    assert exact["met"] == fast["met"] == met


def test_bands_series_asks_only_for_what_it_needs():
    res = run("seed-analysis", n=2_000, seed=5)
    first = res.bands(3, series=("reasoning",))
    assert set(first) == {"t", "dates", "reasoning", "met"}
    both = res.bands(3, series=["frontier", "reasoning"])
    assert list(both) == ["t", "dates", "reasoning", "frontier", "met"]  # the usual order
    assert both["reasoning"] == first["reasoning"]
    full = res.bands(3)
    assert set(full) == {"t", "dates", "reasoning", "frontier", "growth", "met"}
    fresh = run("seed-analysis", n=2_000, seed=5).bands(3)
    assert full == fresh  # computing series one by one changes nothing
    with pytest.raises(InputError, match="unknown band series 'fronteir'; allowed: reasoning"):
        res.bands(3, series=("fronteir",))
    with pytest.raises(InputError, match="unknown band series 'none'"):
        res.bands(3, series=())
    with pytest.raises(InputError, match=r"percentiles must lie in \[0, 100\]"):
        res.bands(3, percentiles=(50, 101))


def _with_meetings(res, years):
    """The same result with hand-made meeting dates (decimal years, ``inf`` = never)."""
    years = np.asarray(years, dtype=float)
    return dataclasses.replace(res, n=len(years), meeting_years=years, _cache={})


def test_histogram_counts_by_hand(seed_result):
    res = _with_meetings(seed_result, [2024.5, 2025.1, 2025.3, 2025.3, 2025.9, 2027.0, math.inf])
    h = res.histogram(bins=2, range=(2025.0, 2026.0))
    assert h["edges"] == pytest.approx([2025.0, 2025.5, 2026.0])  # (2026 - 2025) / 2 per bin
    assert h["counts"] == [3, 1]  # 2025.1, 2025.3, 2025.3 | 2025.9
    assert (h["below"], h["above"], h["never"], h["n"]) == (1, 1, 1, 7)  # 2024.5; 2027.0; inf
    assert sum(h["counts"]) + h["below"] + h["above"] + h["never"] == 7


def test_histogram_default_range_spans_the_middle_99_percent(seed_result):
    h = seed_result.histogram(bins=40)
    finite = seed_result.meeting_years[np.isfinite(seed_result.meeting_years)]
    lo, hi = np.percentile(finite, [0.5, 99.5])
    assert len(h["edges"]) == 41 and len(h["counts"]) == 40
    assert h["edges"][0] == pytest.approx(lo) and h["edges"][-1] == pytest.approx(hi)
    assert h["counts"] == np.histogram(finite, bins=40, range=(lo, hi))[0].tolist()
    assert sum(h["counts"]) + h["below"] + h["above"] + h["never"] == h["n"] == seed_result.n
    assert 0 < h["below"] + h["above"] <= 0.011 * seed_result.n  # 0.5% each side, ties aside


def test_histogram_degenerate_draws(seed_result):
    never = _with_meetings(seed_result, [math.inf] * 3).histogram()
    assert never == {"edges": [], "counts": [], "below": 0, "above": 0, "never": 3, "n": 3}
    one = _with_meetings(seed_result, [2026.0] * 4).histogram(bins=4)
    assert one["edges"] == pytest.approx([2025.5, 2025.75, 2026.0, 2026.25, 2026.5])  # +- 0.5 yr
    assert one["counts"] == [0, 0, 4, 0]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"bins": 0}, "at least 1 bin, got 0"),
        ({"range": (2026.0, 2025.0)}, "low < high"),
        ({"range": (2025.0, math.inf)}, "two finite decimal years"),
        ({"range": (2025.0, 2026.0, 2027.0)}, "two finite decimal years"),
    ],
)
def test_histogram_bad_arguments(seed_result, kwargs, words):
    with pytest.raises(InputError, match=words):
        seed_result.histogram(**kwargs)


def test_same_seed_same_answer():
    a = run("seed-analysis", n=2000, seed=7)
    b = run("seed-analysis", n=2000, seed=7)
    c = run("seed-analysis", n=2000, seed=8)
    assert np.array_equal(a.meeting_years, b.meeting_years)
    assert not np.array_equal(a.meeting_years, c.meeting_years)


def test_to_dict_is_complete(seed_result):
    d = seed_result.to_dict()
    assert set(d["meeting_date"]) == {"median", "p5", "p25", "p75", "p95"}
    assert all(dt.date.fromisoformat(v) for v in d["meeting_date"].values())
    assert d["seed"] == 0 and d["samples"] == 20_000 and d["scenario"] == "seed-analysis"
    assert "data_version" in d and "growth_per_year" in d


# ---- budget cap and smooth transition ----------------------------------------------------------


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
    # the default $1M per year (early 2025) buys ~5e23 FLOP, below o3's start: a test input of
    # $1B per year; the cap then grows 2.4x (spend) * 1.4x (price) = 3.4x per year
    changes = {"cap.kind": "budget", "budget.usd_per_year": "1B"}
    res = run("seed-analysis", n=2000, seed=0, overrides=changes)
    assert 2.5 < res.growth["after"]["median"] < 4.5
    assert "budget.usd_per_flop" in {
        r["parameter"] for r in sensitivity(load_scenario("seed-analysis", changes), n=2000)
    }
    with pytest.raises(ScenarioError, match="budget.usd_per_year: the cap at the start"):
        run("seed-analysis", n=2000, overrides={"cap.kind": "budget"})


def test_smooth_transition_keeps_meeting_dates():
    kink = run("seed-analysis", n=1000, seed=0)
    soft = run("seed-analysis", n=1000, seed=0, overrides={"transition.width_oom": "0.3"})
    assert np.array_equal(kink.meeting_years, soft.meeting_years)
    b = soft.bands(3)
    assert max(b["growth"][50]) <= max(kink.bands(3)["growth"][50]) + 1e-9


# ---- sensitivity -------------------------------------------------------------------------------


def test_sensitivity_fixed_parameter_contributes_nothing():
    rows = {r["parameter"]: r for r in sensitivity("seed-analysis", n=5000, seed=0)}
    for fixed in ("cap.share", "frontier.growth_per_year", "transition.width_oom"):
        assert rows[fixed]["fixed"] is True
        assert rows[fixed]["swing_years"] == 0.0
        assert rows[fixed]["variance_share"] == 0.0
    # the growth rate (3-5 months per 10x) moves the date most in the seed analysis
    first = sensitivity("seed-analysis", n=5000, seed=0)[0]
    assert first["parameter"] == "growth.months_per_10x"
    assert first["median_low"] < first["median_high"]  # faster growth, earlier meeting
    assert 0.5 < first["variance_share"] <= 1.0


def test_sensitivity_made_fixed_by_override_drops_to_zero():
    rows = {
        r["parameter"]: r
        for r in sensitivity(
            "seed-analysis", n=5000, seed=0, overrides={"growth.months_per_10x": "4"}
        )
    }
    assert rows["growth.months_per_10x"]["swing_years"] == 0.0
    assert rows["growth.months_per_10x"]["variance_share"] == 0.0
    assert rows["reasoning.start_flop"]["variance_share"] > 0.8


# ---- scenarios ---------------------------------------------------------------------------------


def test_shipped_scenarios_have_sources_for_every_parameter():
    assert {"seed-analysis", "latest-evidence"} <= set(list_scenarios())
    sc = load_scenario("seed-analysis")
    assert set(sc.parameters) == set(PARAMETERS)
    assert all(p["source"] for p in sc.parameters.values())
    assert sc.value("reasoning.start_date") == "2025-04-16"


def test_overrides_and_yaml_round_trip(tmp_path):
    sc = load_scenario("seed-analysis", {"growth.months_per_10x": "3 to 5", "cap.share": 0.5})
    assert sc.parameters["cap.share"] == {"value": "0.5", "source": "override (--set)"}
    path = tmp_path / "mine.yaml"
    path.write_text(sc.to_yaml())
    again = load_scenario(str(path))
    assert again.parameters == sc.parameters


@pytest.mark.parametrize(
    "overrides, words",
    [
        (
            {"growth.months_per_100x": "4"},
            ["unknown parameter 'growth.months_per_100x'", "growth.months_per_10x"],
        ),
        ({"growth.months_per_10x": "-4"}, ["growth.months_per_10x", "negative or zero growth"]),
        ({"frontier.growth_per_year": "0.5"}, ["frontier.growth_per_year", "negative growth"]),
        ({"evidence.as_of": "2025-01-01"}, ["reasoning.start_date", "after evidence.as_of"]),
        ({"reasoning.start_date": "16/04/2025"}, ["not an ISO date"]),
        ({"cap.kind": "dollars"}, ["not one of share, budget"]),
        ({"cap.share": "1.5"}, ["cap.share", "(0, 1]"]),
    ],
)
def test_bad_scenarios_give_one_clear_error(overrides, words):
    with pytest.raises(ScenarioError) as err:
        load_scenario("seed-analysis", overrides)
    message = str(err.value)
    assert "\n" not in message
    for w in words:
        assert w in message


def test_cap_below_start_is_an_error():
    with pytest.raises(ScenarioError, match="below reasoning.start_flop"):
        run("seed-analysis", n=100, overrides={"cap.share": "0.001"})


def test_uncertain_growth_with_negative_draws_is_an_error():
    with pytest.raises(ScenarioError, match=r"of the draws of 'normal\(-1, 5\)' are outside"):
        run("seed-analysis", n=1000, overrides={"growth.months_per_10x": "normal(-1, 5)"})


def test_unknown_scenario_suggests(tmp_path):
    with pytest.raises(UnknownNameError, match="seed-analysis"):
        load_scenario("seed-analisys")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nparameters:\n  cap.share:\n    value: 1\n")
    with pytest.raises(ScenarioError, match="needs a 'source'"):
        load_scenario(str(bad))


def test_dates_round_trip():
    assert to_year("2025-01-01") == 2025.0
    assert to_year("2025-07-02") == pytest.approx(2025 + 182 / 365)
    for d in ("2024-02-29", "2025-04-16", "2025-12-31"):
        assert to_date(to_year(d)) == d
    assert to_date(math.inf) == ""


# ---- dataset references and backtest (on a small stand-in dataset) -----------------------------


class _Line:
    def __init__(self, date):
        self.date = date
        self.sources = [type("S", (), {"url": "https://example.org/src"})()]

    def expression(self):
        return "test"


class _Evidence:
    def __init__(self, dated_values):
        self.lines = [_Line(d) for d, _ in dated_values]
        self.values = [v for _, v in dated_values]
        self.combine = "latest"


class _Record:
    def __init__(self, rid, released, rl=None, total=None):
        self.id = rid
        self.release_date = dt.date.fromisoformat(released)
        self.rl = _Evidence(rl) if rl else None
        self.pretraining = None
        self.total = total


class FakeDataset:
    """The few Dataset methods the forecast uses, with made-up records (not real figures)."""

    version = "test"

    def __init__(self):
        d = dt.date.fromisoformat
        self.records = [
            _Record("alpha", "2025-01-10", rl=[(None, ci(1e24, 4e24))], total=ci(3e26, 5e26)),
            _Record(
                "beta",
                "2025-06-01",
                rl=[(None, point(1e25)), (d("2025-09-01"), point(2e25))],
                total=point(6e26),
            ),
            _Record("gamma", "2025-09-15", rl=[(None, point(4e26))], total=point(1e27)),
        ]
        self._by = {r.id: r for r in self.records}

    def get(self, rid):
        return self._by[rid]

    def quantity(self, rid, fld):
        r = self._by[rid]
        if fld == "total":
            return r.total
        ev = getattr(r, fld)
        return None if ev is None else ev.values[-1]

    def line_values(self, rid, fld):
        return getattr(self._by[rid], fld).values

    def table(self, n=20_000, seed=0):
        rows = []
        for r in self.records:

            def stats(q):
                return (
                    None
                    if q is None
                    else {"median": q.median(), "p5": q.percentile(5), "p95": q.percentile(95)}
                )

            rl, total = self.quantity(r.id, "rl"), r.total
            rows.append(
                {
                    "id": r.id,
                    "release_date": r.release_date.isoformat(),
                    "rl": stats(rl),
                    "total": stats(total),
                    "pretraining": None,
                    "rl_share": stats(rl / total),
                }
            )
        return rows


def test_references_pick_records_and_respect_as_of():
    ds = FakeDataset()
    sc = load_scenario("latest-evidence")
    d = draw(sc, 200, 0, ds)
    assert d.years["reasoning.start_date"] == to_year("2025-09-15")  # gamma has the largest rl
    assert np.allclose(d.values["reasoning.start_flop"], 4e26)
    sc_past = load_scenario("latest-evidence", {"evidence.as_of": "2025-07-01"})
    d = draw(sc_past, 200, 0, ds)
    # as of July, beta is the largest and its September line is not known yet
    assert d.years["reasoning.start_date"] == to_year("2025-06-01")
    assert np.allclose(d.values["reasoning.start_flop"], 1e25)
    assert np.allclose(d.values["frontier.flop"], 6e26)


def test_backtest_compares_later_records():

    out = backtest("2025-07-01", "latest-evidence", n=2000, seed=0, dataset=FakeDataset())
    assert out["forecast"]["start_date"] == "2025-06-01"
    later = {(c["id"], c["field"]): c for c in out["later"]}
    assert set(later) == {("gamma", "rl"), ("gamma", "total"), ("gamma", "rl_share")}
    assert later[("gamma", "rl")]["new_max"] is True
    assert 0.0 <= later[("gamma", "rl")]["pit"] <= 1.0
    rev = out["revisions"]
    assert [(r["id"], r["ratio"]) for r in rev] == [("beta", pytest.approx(2.0))]  # 2e25 / 1e25


def test_lines_take_subsets():
    res = run("seed-analysis", n=100, seed=0)
    sub = res.lines.take(slice(0, 10))
    assert isinstance(sub, Lines) and len(sub.r0) == 10 and sub.t0 == res.lines.t0
