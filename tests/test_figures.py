"""flopcast.report.figures: what each figure draws, on which axis, with which labels."""

from __future__ import annotations

import pytest

from flopcast.report import figures

STAMP = figures.Stamp("s", 0, 1000, "v1", "2026-01-01")


def test_rl_share_bars_are_on_a_linear_axis_from_zero():
    rows = [
        {"label": "A", "median": 0.2, "lo": 0.1, "hi": 0.3},
        {"label": "B", "median": 0.001, "lo": 0.0005, "hi": 0.002},
    ]
    fig = figures.rl_share_chart(rows, STAMP)
    ax = fig.axes[0]
    assert ax.get_xscale() == "linear"
    assert ax.get_xlim() == (0.0, 1.15 * 30.0)  # from 0 to 15% past the widest interval (30%)
    bars = sorted(p.get_width() for p in ax.patches)
    assert bars == [0.1, 20.0]  # medians in percent: 0.001 -> 0.1, 0.2 -> 20
    assert ax.get_xlabel() == "RL-stage share of total training compute (%)"


def test_tornado_labels_its_bars_with_the_values_given():
    rows = [
        {
            "parameter": "growth.months_per_10x",
            "low": "3 months",
            "high": "5 months",
            "median_low": 2025.85,
            "median_high": 2026.33,
        },
    ]
    svg = figures.svg_text(figures.tornado_chart(rows, 2026.05, STAMP))
    assert "3 months" in svg and "5 months" in svg and "2.99" not in svg


def test_forest_plot_names_each_model():
    rows = [
        {"label": "Alpha", "rl": {"median": 1e24, "lo": 3e23, "hi": 3e24}, "pretraining": None},
        {"label": "Beta", "rl": None, "pretraining": {"median": 3e25, "lo": 1e25, "hi": 9e25}},
    ]
    fig = figures.forest_plot(rows, STAMP)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Alpha", "Beta"]
    assert fig.axes[0].get_xscale() == "log"


def test_fan_chart_names_each_model_point_without_stacking_labels():
    t = [2025.0 + i / 12 for i in range(25)]
    band = {str(p): [24 + 0.1 * i + (p - 50) / 100 for i in range(25)] for p in (5, 25, 50, 75, 95)}
    models = [  # two points 0.1 decade apart: the lower label moves down one line (0.3 decades)
        {"label": "Upper", "year": 2025.2, "kind": "rl", "median": 1e24, "lo": 5e23, "hi": 2e24},
        {
            "label": "Lower",
            "year": 2025.3,
            "kind": "rl",
            "median": 10**23.9,
            "lo": 5e23,
            "hi": 2e24,
        },
    ]
    meeting = {"median": 2026.0, "p5": 2025.5, "p95": 2026.5}
    fig = figures.fan_chart({"t": t, "reasoning": band, "frontier": band}, models, meeting, STAMP)
    texts = {a.get_text(): a for a in fig.axes[0].texts}
    assert texts["Upper"].xyann[1] == 1e24  # beside its point
    assert texts["Lower"].xyann[1] == pytest.approx(10 ** (23.9 - 0.3))  # one line down
