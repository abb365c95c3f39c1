"""Running a scenario: the seed analysis, dates, headroom, histogram, bands, to_dict."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest

from flopcast.core.dates import to_year
from flopcast.core.errors import InputError, ScenarioError
from flopcast.evidence import dataset
from flopcast.forecast.model import run
from flopcast.forecast.trajectory import (
    meeting_time,
)

LOG4 = math.log10(4)
O3_RELEASE = to_year("2025-04-16")


@pytest.fixture(scope="module")
def seed_result():
    return run("seed-analysis", n=20_000, seed=0, method="mc")


def test_seed_median_meeting_within_a_year_of_o3_release(seed_result):
    median = to_year(seed_result.meeting_date["median"])
    assert 0 < median - O3_RELEASE < 1.0
    # point check on the closed form: start 1.73e25 (o3 = 10 x o1's median sqrt(3e23 * 1e25))
    # at o3's release, frontier 3.87e26 on 2025-02-27 growing 4x/yr, 10x per 4 months ->
    # headroom log10(3.87e26 * 4^0.1315 / 1.73e25) = 1.43 OOM, closing 3 - 0.602 = 2.398 OOM/yr
    # -> 0.60 years
    t = meeting_time(
        math.log10(10 * math.sqrt(3e23 * 1e25)),
        O3_RELEASE,
        3.0,
        math.log10(math.sqrt(3e26 * 5e26)),
        to_year("2025-02-27"),
        LOG4,
    )
    assert float(t) - O3_RELEASE == pytest.approx(1.4287 / 2.39794, abs=1e-3)


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
    # log10(3.873e26) + log10(4) * 0.1315 - log10(1.732e25) = 26.588 + 0.079 - 25.239 = 1.4287
    assert h["median"] == pytest.approx(1.4287, abs=0.02)  # 20,000 draws
    p = seed_result.prob_before(seed_result.meeting_date["median"])
    assert p == pytest.approx(0.5, abs=0.01)
    assert seed_result.prob_never == 0.0
    assert seed_result.prob_before("2025-04-16") == 0.0


def test_monte_carlo_share_met_matches_closed_form_cdf(seed_result):
    b = seed_result.bands(2)
    for i in (3, 6, 9, 12):
        share_met_on_paths = np.mean(
            seed_result.lines.reasoning(np.array([b["t"][i]]))[:, 0]
            >= seed_result.lines.frontier(np.array([b["t"][i]]))[:, 0] - 1e-9
        )
        assert share_met_on_paths == pytest.approx(b["met"][i], abs=1e-9)


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
    return dataclasses.replace(res, n=len(years), _cache={"meeting": years})


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


def test_smooth_transition_keeps_meeting_dates():
    kink = run("seed-analysis", n=1000, seed=0)
    soft = run("seed-analysis", n=1000, seed=0, overrides={"transition.width_oom": "0.3"})
    assert np.array_equal(kink.meeting_years, soft.meeting_years)
    b = soft.bands(3)
    assert max(b["growth"][50]) <= max(kink.bands(3)["growth"][50]) + 1e-9


def test_cap_below_start_is_an_error():
    with pytest.raises(ScenarioError, match="below reasoning.start_flop"):
        run("seed-analysis", n=100, overrides={"cap.share": "0.001"})


def test_uncertain_growth_with_negative_draws_is_an_error():
    with pytest.raises(ScenarioError, match=r"of the draws of 'normal\(-1, 5\)' are outside"):
        run("seed-analysis", n=1000, overrides={"growth.months_per_10x": "normal(-1, 5)"})


# ---------------------------------------------------------------------------- reseeding


@pytest.fixture(scope="module")
def ds():
    return dataset.load()  # one loaded dataset: a closed form is reused on the same data only


def test_a_reseeded_closed_form_is_the_run_of_that_seed(ds):
    first = run("seed-analysis", n=2_000, seed=1, dataset=ds)
    again = first.reseeded(5, n=3_000)
    fresh = run("seed-analysis", n=3_000, seed=5, dataset=ds)
    assert first.method == again.method == fresh.method == "exact"
    assert again.exact is first.exact  # the closed form is shared, not evaluated again
    assert again.to_dict(bands_years=3) == fresh.to_dict(bands_years=3)
    assert again.histogram(bins=12) == fresh.histogram(bins=12)  # drawn anew: seed 5, n 3,000
    assert again.histogram(bins=12)["n"] == 3_000
    assert "draws" not in first._cache  # the copy's draws are its own
    assert first.histogram(bins=12) != again.histogram(bins=12)


def test_run_reuses_a_closed_form_only_for_an_equal_scenario(ds):
    first = run("seed-analysis", n=2_000, seed=1, dataset=ds)
    assert run("seed-analysis", n=2_000, seed=2, dataset=ds, reuse=first).exact is first.exact
    other = run(
        "seed-analysis", n=2_000, seed=2, dataset=ds, reuse=first, overrides={"cap.share": "0.5"}
    )
    assert other.exact is not first.exact
    assert other.meeting_date != first.meeting_date  # half the cap: an earlier meeting
    assert (
        run("seed-analysis", n=2_000, seed=2, dataset=ds, reuse=first, method="mc").method == "mc"
    )


def test_a_reseeded_monte_carlo_forecast_is_run_again(ds):
    first = run("seed-analysis", n=2_000, seed=1, method="mc", dataset=ds)
    again = first.reseeded(5)
    fresh = run("seed-analysis", n=2_000, seed=5, method="mc", dataset=ds)
    assert again.method == "mc" and again.method_info() == fresh.method_info()
    assert again.meeting_date == fresh.meeting_date and again.seed == 5
