"""flopcast.report.figures: what each figure draws, on which axis, with which labels."""

from __future__ import annotations

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
