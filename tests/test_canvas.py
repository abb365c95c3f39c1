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


# ---------------------------------------------------------------------------- the PNG writer


@pytest.mark.parametrize("opaque", [True, False])
def test_the_png_writer_gives_any_reader_the_same_pixels(opaque):
    """canvas.png is a valid PNG (PIL verifies every chunk's CRC) holding exactly the pixels
    given: RGB when every pixel is opaque, RGBA otherwise; the resolution and software kept."""
    import numpy as np
    from PIL import Image

    rgba = np.random.default_rng(7).integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    if opaque:
        rgba[..., 3] = 255
    data = canvas.png(rgba, dpi=150)
    Image.open(io.BytesIO(data)).verify()
    img = Image.open(io.BytesIO(data))
    assert img.mode == ("RGB" if opaque else "RGBA") and img.size == (53, 37)
    assert np.array_equal(np.asarray(img.convert("RGBA")), rgba)
    assert round(img.info["dpi"][0]) == 150 and img.info["Software"] == "flopcast"


def test_an_exported_png_has_the_pixels_of_matplotlibs_own_png():
    """export() writes Agg's render itself: decoded, it is pixel for pixel the PNG that
    ``savefig(format="png")`` writes through PIL, at the same size."""
    import matplotlib
    import numpy as np
    from PIL import Image

    from flopcast.report.figures import Stamp, rl_share_chart

    stamp = Stamp("s", 0, 1000, "v1", "2026-01-01")
    rows = [{"label": "A", "median": 0.2, "lo": 0.1, "hi": 0.3}]
    png, _ = canvas.export(rl_share_chart(rows, stamp))
    reference = io.BytesIO()
    with matplotlib.rc_context(canvas.RC):
        rl_share_chart(rows, stamp).savefig(reference, format="png", dpi=canvas.DPI)
    ours = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    theirs = np.asarray(Image.open(reference).convert("RGBA"))
    assert ours.shape == theirs.shape and np.array_equal(ours, theirs)


@pytest.mark.parametrize("chart", ["forest_plot", "rl_share_chart"])
def test_a_title_given_its_height_lands_where_matplotlib_would_place_it(monkeypatch, chart):
    """canvas.title fixes the title at the top of the axes, so matplotlib does not re-place it
    at every render; the files are byte for byte those of its automatic placement."""
    from flopcast.report import figures

    stamp = figures.Stamp("s", 0, 1000, "v1", "2026-01-01")
    rows = [
        {
            "label": f"Model {i}",
            "median": 0.01 * (i + 1),
            "lo": 0.005 * (i + 1),
            "hi": 0.02 * (i + 1),
            "rl": {"median": 1e23 * (i + 1), "lo": 3e22, "hi": 3e24},
            "pretraining": {"median": 3e24, "lo": 1e24, "hi": 9e24},
        }
        for i in range(12)
    ]
    fixed = canvas.export(getattr(figures, chart)(rows, stamp))
    monkeypatch.setattr(figures, "title", lambda ax, text: ax.set_title(text))  # automatic
    assert canvas.export(getattr(figures, chart)(rows, stamp)) == fixed
