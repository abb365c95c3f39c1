"""``flopcast hardware``: through the CLI runner, exit codes and output."""

from __future__ import annotations

import json

from flopcast.cli import app
from flopcast.estimate import chips


def run(runner, *args):
    # A wide virtual terminal so the table's cells are not folded (rich reads COLUMNS).
    return runner.invoke(app, ["hardware", *args], env={"COLUMNS": "200"})


def test_table_lists_every_chip(runner):
    res = run(runner)
    assert res.exit_code == 0, res.output
    for chip in chips.catalog():
        assert chip.id in res.stdout
    assert "9.9e14" in res.stdout  # H100 SXM bf16, 9.89e14 in the table's two digits
    assert "$2.00/h (2025-09-17)" in res.stdout  # H800: DeepSeek's convention, latest entry


def test_json_lists_every_chip_with_its_peaks(runner):
    res = run(runner, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert list(data) == ["chips"]
    assert [c["id"] for c in data["chips"]] == [c.id for c in chips.catalog()]
    h100 = next(c for c in data["chips"] if c["id"] == "h100-sxm")
    assert h100["peak"]["bf16"] == 9.89e14
    assert h100["peak"]["fp8"] == 1.979e15
    assert h100["sources"][0]["url"].startswith("https://")
    v100 = next(c for c in data["chips"] if c["id"] == "v100-sxm2")
    assert "bf16" not in v100["peak"]
    assert next(c for c in data["chips"] if c["id"] == "h200")["latest_price"] is None


def test_one_chip_shows_sources_prices_and_notes(runner):
    res = run(runner, "NVIDIA H800 SXM5")
    assert res.exit_code == 0, res.output
    out = " ".join(res.stdout.split())  # rich wraps long lines
    assert "NVIDIA H800 SXM5 (h800-sxm" in out
    assert "https://arxiv.org/abs/2412.19437" in out
    assert "$2.00 (2024-12-27)" in out
    assert "9.89e14" in out  # 989.0 TFLOP/s, 4 significant figures, trailing zero dropped
    assert "notes: Export variant of H100 SXM" in out


def test_one_chip_json(runner):
    res = run(runner, "h800", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [c["id"] for c in data["chips"]] == ["h800-sxm"]
    assert data["chips"][0]["latest_price"] == {
        "usd_per_hour": 2.0,
        "date": "2025-09-17",
        "source": "https://www.nature.com/articles/s41586-025-09422-z",
        "note": "DeepSeek-R1 (Nature), supplementary cost table, same $2 per H800-hour convention",
    }


def test_unknown_chip_is_one_line_and_exit_1(runner):
    res = run(runner, "H1000")
    assert res.exit_code == 1
    assert (
        res.stderr
        == "error: unknown chip 'H1000'; did you mean 'h100-sxm', 'v100-sxm2', 'h800-sxm'?\n"
    )
    assert res.stdout == ""


def test_blackwell_chips_show_their_fp4_peak(runner):
    res = run(runner, "B300")
    assert res.exit_code == 0, res.output
    out = " ".join(res.stdout.split())
    assert "│ fp4 │ 1.4e16 │" in out  # 14 PFLOPS dense FP4 (Verda's Blackwell Ultra table)
    assert "https://verda.com/blog/gb300-nvl72-architecture" in out
    data = json.loads(run(runner, "GB200", "--json").stdout)
    assert data["chips"][0]["peak"]["fp4"] == 1.0e16  # 20 PFLOPS with sparsity / 2
