"""flopcast.report.canvas: each figure is laid out once, then written as PNG and SVG."""

from __future__ import annotations

import io

import pytest
from matplotlib.layout_engine import ConstrainedLayoutEngine

from flopcast.report import canvas


@pytest.fixture
def layouts(monkeypatch):
    count = []
    real = ConstrainedLayoutEngine.execute

    def counted(self, fig):
        count.append(1)
        return real(self, fig)

    monkeypatch.setattr(ConstrainedLayoutEngine, "execute", counted)
    return count


def _figure():
    fig, ax = canvas.new_figure(6.0, 3.0)
    ax.plot([0, 1], [0, 1], label="line")
    canvas.legend_and_footer(fig, canvas.Stamp("s", 0, 1000, "v1", "2026-01-01"), ["example.org"])
    return fig


def test_export_lays_the_figure_out_once_for_both_files(layouts):
    png, svg = canvas.export(_figure())
    assert len(layouts) == 1  # PNG and SVG from the same layout
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and svg.startswith("<svg")
    assert "flopcast data v1 · scenario s · seed 0 · n=1,000" in svg


def test_saving_without_it_lays_out_for_each_file(layouts):
    # What export avoids: every savefig of a constrained figure runs the layout again.
    fig = _figure()
    fig.savefig(io.BytesIO(), format="png")
    fig.savefig(io.BytesIO(), format="svg")
    assert len(layouts) == 2


def test_the_frozen_layout_is_the_constrained_one():
    fig = _figure()
    canvas.lay_out(fig)
    box = fig.axes[0].get_position().bounds
    canvas.export(fig)
    assert fig.axes[0].get_position().bounds == box  # nothing moved when rendering
    assert (
        fig.get_layout_engine() is None
        or "Constrained" not in type(fig.get_layout_engine()).__name__
    )


def test_pct_text_is_fmt_percent_of_a_value_already_in_percent():
    assert [canvas.pct_text(v) for v in (20.0, 0.1, 1.234, 55.5)] == ["20%", "0.1%", "1.2%", "56%"]


def test_save_writes_both_files_and_leaves_no_temporary(tmp_path):
    (tmp_path / "f.png").write_bytes(b"old")
    png, svg = canvas.save(_figure(), tmp_path, "f")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and svg.read_text().startswith("<svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png", "f.svg"]
