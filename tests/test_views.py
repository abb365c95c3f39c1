"""flopcast.evidence.views: table rows, derivation, history and implied utilisation."""

from __future__ import annotations

import pytest

from flopcast.core import summary
from flopcast.evidence import dataset, views


@pytest.fixture(scope="module")
def ds():
    return dataset.load()


def test_table_rows_use_the_one_summary_shape(ds):
    row = next(r for r in views.table(ds, n=2000) if r["id"] == "deepseek-r1")
    assert set(summary.KEYS) <= set(row["rl"]) and row["rl"]["unit"] == "FLOP"
    util = row["rl_implied_utilization"]
    # implied utilisation = RL FLOP / (142,336 h x 3600 s x 9.89e14 FLOP/s)
    assert util["median"] == pytest.approx(row["rl"]["median"] / (142_336 * 3600 * 9.89e14))


def test_derivation_marks_current_and_superseded_lines(ds):
    rl = views.derivation(ds, "deepseek-r1", n=2000)["fields"]["rl"]
    assert [ln["current"] for ln in rl["lines"]] == [False, True, True]
    assert rl["lines"][0]["superseded_by"] == "DeepSeek, Nature, September 2025"
    assert rl["lines"][0]["implied_utilization"] == pytest.approx(
        6.1e23 / (142_336 * 3600 * 9.89e14)
    )
    assert rl["bound"]["bound_flop"] == pytest.approx(142_336 * 3600 * 9.89e14)
    assert rl["current_lines"] == [1, 2]
    assert rl["value"]["disagreement"]["widened"] == ("widening" in rl)


def test_confidence_is_weakened_to_what_the_spread_deserves(ds):
    assert views.confidence(ds, "o3", "rl") == "Speculative"
    # the Nature line is Speculative (the fitted RL prior spans ~25x), so the pooled value is too
    assert views.confidence(ds, "deepseek-r1", "rl") == "Speculative"


def test_unknown_quantity_has_no_lines(ds):
    post = views.derivation(ds, "deepseek-r1", n=500)["fields"]["post_training"]
    assert post["status"] == "unknown" and post["lines"] == []
