"""The ledger figure: two panels (FLOP per step stacked by phase, MFU per step), written to disk."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

from flopcast.accounting.track.figure import ledger_figure, save_ledger_figure  # noqa: E402
from flopcast.accounting.track.ledger import Ledger, read_ledger  # noqa: E402


def test_figure_has_flop_bars_and_mfu_points(tmp_path):
    path = tmp_path / "run.jsonl"
    with Ledger.open(path, model="tests/data/configs/tiny-qwen2.json", chip="H100") as ledger:
        for k in (1, 2, 3):
            with ledger.step() as s:
                s.rollout([k * 10], [k * 20])
                s.count("update", [k * 30])
                s.add_time("update", 1.0, gpus=1)
    data = read_ledger(path)
    fig = ledger_figure(data)
    top, bottom = fig.axes
    assert len(top.patches) == 3 * 3  # 3 steps x 3 phases (prefill, decode, update)
    assert len(bottom.lines[0].get_xdata()) == 3
    out = save_ledger_figure(data, tmp_path / "steps.svg")
    assert out.read_text().lstrip().startswith("<?xml")
