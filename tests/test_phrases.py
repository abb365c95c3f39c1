"""Evidence phrases: each rule's rewrite, pass-through of plain expressions, the errors, and
every example of docs/phrases.md run through the CLI."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

import flopcast as fc
from flopcast.cli import app
from flopcast.core.errors import ExpressionError
from flopcast.estimate.phrases import PHRASES, nearest_form, rewrite

DOC = Path(__file__).resolve().parents[1] / "docs" / "phrases.md"
H100_BF16 = 9.89e14


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("140,000 * 3600", "140000 * 3600"),
        ("1,000,000", "1000000"),
        ("peak(H100, bf16)", "peak(H100, bf16)"),  # an argument comma is not a separator
        ("30-40%", "(30% to 40%)"),
        ("140,000 H100-hours", "peak_flop(H100, 140000)"),
        ("140k H800 hours at 5% MFU", "hardware(H800, chip_hours=140k, utilization=5%)"),
        (
            "20k H100 for 90 days at 35% MFU",
            "hardware(H100, chips=20k, hours=(90 * 24), utilization=35%)",
        ),
        ("64 A100 GPUs for 100 hours", "hardware(A100, chips=64, hours=100)"),
        ("8 H100 for 2 weeks", "hardware(H100, chips=8, hours=(2 * 168))"),
        ("$5M of H100 time at $2/hour", "cost(5M, H100, usd_per_hour=2)"),
        ("$1M of H800 time", "cost(1M, H800)"),
        ("512 H800 for 198 hours for RL", "hardware(H800, chips=512, hours=198, stage=rl)"),
        ("101,376 H800-hours for RL", "hardware(H800, chip_hours=101376, stage=rl)"),
        ("$1M of H100 time for pre-training", "cost(1M, H100, stage=pretraining)"),
        ("10x o1", "10 * @o1.total"),
        ("10x o1.rl", "10 * @o1.rl"),
        ("$5M", "(5M * usd)"),  # US dollars: the unit travels
    ],
)
def test_each_phrase_rewrites_to_the_expression_language(text, expected):
    assert rewrite(text) == expected


def test_plain_expressions_pass_through_unchanged():
    for text in (
        "140k * hour * peak(H100, bf16) * (0.1 to 0.4)",
        "hardware(H800, chip_hours=142k)",
        "0x1",
        "6 * 37B * 14.8T",
    ):
        assert rewrite(text) == text


def test_phrase_values_are_the_arithmetic():
    assert fc.evaluate("140,000 H100-hours * 20%").median() == pytest.approx(
        140_000 * 3600 * H100_BF16 * 0.2  # = 9.97e22
    )
    q = fc.evaluate("20k H100 for 90 days at 35% MFU")
    assert q.median() == pytest.approx(20_000 * 90 * 24 * 3600 * H100_BF16 * 0.35)  # 5.38e25
    assert q.unit == "FLOP"
    money = fc.evaluate("$5M of H100 time at $2/hour at 30% MFU")
    assert money.median() == pytest.approx(5e6 / 2 * 3600 * H100_BF16 * 0.3)


def test_a_failed_phrase_names_the_nearest_form_that_works():
    with pytest.raises(ExpressionError, match="nearest form that works: '20k H100 for 90 days"):
        fc.evaluate("20k H100 for ninety days")
    assert nearest_form("$5M of time") == "$5M of H100 time at $2/hour"
    assert all(p.example for p in PHRASES)


def test_every_phrase_example_parses():
    for p in PHRASES:
        if "@" not in rewrite(p.example):
            fc.evaluate(p.example)


def _doc_examples() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"^```console\n(.*?)^```", text, re.S | re.M):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("$ flopcast "):
                out.append((line[2:], lines[i + 1]))
    return out


@pytest.mark.parametrize(("command", "expected"), _doc_examples(), ids=lambda x: x[:40])
def test_docs_phrases_page_prints_what_it_says(command, expected):
    args = shlex.split(command)[1:]
    res = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    got = " ".join(res.output.split())
    assert " ".join(expected.split()) in got, got
    assert res.exit_code == (1 if expected.startswith("error:") else 0)


def test_the_page_has_an_example_of_every_phrase_kind():
    commands = " ".join(c for c, _ in _doc_examples())
    for needle in (
        "140,000",
        "H100-hours",
        "for 90 days",
        "$5M of",
        "30-40%",
        "10x",
        "ratio",
        "for RL",
    ):
        assert needle in commands, needle
