"""flopcast.report.fan: the fan chart framed around the question."""

from __future__ import annotations

import pytest

from flopcast.report import fan
from flopcast.report.canvas import Stamp

STAMP = Stamp(scenario="s", seed=0, n=1000, data_version="v", generated="2026-12-01")
T = [2025.0 + i / 12 for i in range(12 * 10)]  # ten years of monthly bands
FRONTIER = {p: [26.0 + 0.6 * (t - 2025.0) for t in T] for p in (5, 25, 50, 75, 95)}
BANDS = {
    "t": T,
    "frontier": FRONTIER,
    "reasoning": {p: [v - 1 for v in FRONTIER[p]] for p in FRONTIER},
}
MODELS = [
    {"label": "A", "year": 2024.9, "kind": "rl", "median": 1e24, "lo": 3e23, "hi": 3e24},
    {"label": "B", "year": 2025.6, "kind": "rl", "median": 1e25, "lo": 5e24, "hi": 2e25},
]
MEETING = {"median": 2025.8, "p5": 2025.5, "p95": 2026.3}


def test_view_runs_two_years_past_the_later_of_the_meeting_p95_and_the_data_date():
    x_lo, x_hi, y_lo, y_hi = fan.view(BANDS, MODELS, MEETING, as_of=2026.8)
    assert x_lo == pytest.approx(2024.9 - 0.25)  # the earliest record, less a quarter
    assert x_hi == pytest.approx(2026.8 + 2.0)  # the data date is later than p95 2026.3
    assert y_lo == pytest.approx(10 ** (23.477 - 0.3), rel=1e-3)  # lowest shown lo 3e23
    # top: the frontier's p95 at the last month inside x_hi, 26 + 0.6 * (2028.75 - 2025), + 0.5
    assert y_hi == pytest.approx(10 ** (26.0 + 0.6 * (T[45] - 2025.0) + 0.5))


def test_view_without_a_data_date_uses_the_meeting_p95():
    _, x_hi, _, _ = fan.view(BANDS, MODELS, MEETING)
    assert x_hi == pytest.approx(2026.3 + 2.0)


def test_chart_draws_the_as_of_line_and_marks_records_after_the_start():
    fig = fan.fan_chart(
        BANDS, MODELS, MEETING, STAMP, as_of=2026.8, as_of_text="2026-10-26", start=2025.3
    )
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "As of 2026-10-26 (newest record)" in labels
    assert "Records, RL stage (90% CI): before the start" in labels  # A, 2024.9
    assert "Records, RL stage (90% CI): after the start, hollow" in labels  # B, 2025.6
    ax = fig.axes[0]
    assert ax.get_xlim() == pytest.approx((2024.65, 2028.8))
    assert {t.get_text() for t in ax.texts} == {"A", "B"}
