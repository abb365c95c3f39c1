"""Calibration on the shipped records: hardware time against each stated or counted figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from flopcast.estimate.utilization import fits
from flopcast.evidence import calibration_records as cr
from flopcast.evidence import dataset


def test_shipped_records_are_scored():
    # issue 10: records with hardware time and a stated or counted figure (was 0 rows)
    cases = cr.cases_from_dataset(dataset.load())
    names = {c.model for c in cases}
    assert "deepseek-r1-zero (rl: flopcast count, recipe deepseek-r1-zero)" in names
    assert any(n.startswith("deepseek-r1 (rl: Epoch AI") for n in names)
    assert len(cases) >= 10


def test_shipped_style_records_with_hardware_time_are_compared(tmp_path: Path):
    (tmp_path / "test-run.yaml").write_text(
        """id: test-run
name: Test run
developer: Test
release_date: 2025-01-01
rl:
  hardware: {chip: H800, chip_hours: 100k, precision: bf16, sources: [&s {url: "https://example.org/a", title: t, states: s, accessed: 2026-12-01}]}
  lines:
    - {label: stated, estimate: "2e22", confidence: Likely, sources: [*s]}
    - {label: lab, estimate: "hardware(H800, chip_hours=100k, utilization=0.05, stage=rl)", confidence: Likely, sources: [*s]}
    - {label: count, estimate: "1.5e22", kind: count, confidence: Likely, sources: [*s]}
""",
        encoding="utf-8",
    )
    cases = [c for c in cr.cases_from_dataset(dataset.load([tmp_path])) if "test-run" in c.model]
    # the stated figure and flopcast's count are scored; the hardware() line is not a figure
    assert [c.stated for c in cases] == pytest.approx([2e22, 1.5e22])
    # 100,000 H800-hours x 3,600 s x 9.89e14 x the whole-run RL prior's median
    assert cases[0].estimate.median() == pytest.approx(
        1e5 * 3600 * 9.89e14 * fits()["utilization.rl"].median, rel=1e-9
    )


def test_a_hardware_line_gives_the_hardware_time_when_there_is_no_hardware_field(tmp_path: Path):
    (tmp_path / "line-run.yaml").write_text(
        """id: line-run
name: Line run
developer: Test
release_date: 2025-01-01
rl:
  lines:
    - {label: lab, estimate: "hardware(chip=H800, chips=64, hours=10 * 24, stage=rl)", confidence: Likely, sources: [&s {url: "https://example.org/a", title: t, states: s, accessed: 2026-12-01}]}
    - {label: stated, estimate: "1e21", confidence: Likely, sources: [*s]}
""",
        encoding="utf-8",
    )
    cases = [c for c in cr.cases_from_dataset(dataset.load([tmp_path])) if "line-run" in c.model]
    assert len(cases) == 1
    assert cases[0].chip_hours == pytest.approx(15_360)  # 64 chips x 10 x 24 h
    assert cases[0].estimate.median() == pytest.approx(
        15_360 * 3600 * 9.89e14 * fits()["utilization.rl"].median, rel=1e-9
    )


def test_keyword_args_keep_commas_inside_brackets():
    assert cr._keyword_args("chip=H100, hours=(4 to 5) * 24, u=f(1, 2)") == [
        ("chip", "H100"),
        ("hours", "(4 to 5) * 24"),
        ("u", "f(1, 2)"),
    ]
