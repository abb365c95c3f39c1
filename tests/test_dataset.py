"""flopcast.evidence.dataset: schema, relations, layering, validation, and the must-show ratios."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from flopcast.core.errors import DataError, UnknownNameError
from flopcast.estimate import methods
from flopcast.evidence import dataset

BROKEN = Path(__file__).parent / "data" / "broken"
DOCS = Path(__file__).parent.parent / "docs" / "dataset.md"


@pytest.fixture(scope="module")
def ds():
    return dataset.load()


def test_shipped_data_validates():
    assert dataset.validate() == []


def test_every_number_has_a_source_url(ds):
    for rec in ds.records:
        for field in (*dataset.COMPUTE_FIELDS, *dataset.COUNT_FIELDS):
            ev = getattr(rec, field)
            if ev is None:
                continue
            for line in ev.lines:
                assert line.sources, f"{rec.id}.{field}"
                assert all(re.match(r"^https?://", s.url) for s in line.sources), (
                    f"{rec.id}.{field}"
                )
        for b in rec.benchmarks:
            assert b.sources and all(s.url.startswith("http") for s in b.sources), rec.id


def test_required_records_and_reasoning_count(ds):
    required = {
        "o1",
        "o3",
        "o3-mini",
        "deepseek-v3",
        "deepseek-r1",
        "deepseek-r1-zero",
        "llama-3-1-405b",
        "llama-3-1-nemotron-ultra-253b",
        "phi-4",
        "phi-4-reasoning",
        "phi-4-reasoning-plus",
        "gpt-4",
        "gpt-4-5",
        "grok-3",
        "grok-4",
    }
    assert required <= set(ds.ids())
    assert sum(r.reasoning for r in ds.records) >= 15


def test_speculative_lines_carry_reasoning(ds):
    for rec in ds.records:
        for f in dataset.COMPUTE_FIELDS:
            ev = getattr(rec, f)
            for line in ev.lines if ev else []:
                if line.confidence == "Speculative":
                    assert line.reasoning and len(line.reasoning) > 40, rec.id


def test_r1_rl_is_about_20_percent_of_v3_pretraining(ds):
    epoch_line = ds.line_values("deepseek-r1", "rl")[0]  # Epoch, January 2025: 6.1e23
    v3 = ds.quantity("deepseek-v3", "pretraining")
    ratio = epoch_line.median() / v3.median()
    assert epoch_line.median() == pytest.approx(6.1e23)
    assert (
        0.15 < ratio < 0.25
    )  # 6.1e23 / ~3.1e24 (6 * 37e9 * 14.8e12 = 3.29e24 pooled with H800-hours)


def test_r1_current_value_contains_the_count_and_stays_under_the_bound(ds):
    rec = ds.get("deepseek-r1")
    assert [ln.kind for ln in rec.rl.lines] == ["outside", "disclosure", "count"]
    pooled = ds.pooled("deepseek-r1", "rl")
    assert pooled.superseded == {0: 1}  # Epoch (Jan 2025) superseded by Nature (Sep 2025)
    assert pooled.current == [1, 2]
    count = ds.line_values("deepseek-r1", "rl")[2]  # recipes deepseek-r1-zero + deepseek-r1
    lo, hi = ds.quantity("deepseek-r1", "rl").interval(0.9)
    bound = ds.bound("deepseek-r1", "rl")
    assert bound.flop == pytest.approx(142_336 * 3600 * 9.89e14)  # 5.07e23 FLOP, BF16 peak
    assert lo < count.median() < hi < bound.flop
    # the Nature line alone: 142,336 H800-hours x 3600 s x 9.89e14 FLOP/s x the RL prior median
    nature = ds.line_values("deepseek-r1", "rl")[1]
    util = methods.prior("utilization.rl").median()
    assert nature.median() == pytest.approx(142_336 * 3600 * 9.89e14 * util, rel=1e-9)


def test_r1_history_names_what_superseded_epoch(ds):
    info = ds.derivation("deepseek-r1", n=2000)["fields"]["rl"]
    assert info["history"] == [
        "Epoch AI, January 2025: 6.1e23, superseded by DeepSeek, Nature, September 2025 "
        "(it would need 120% of peak)"  # 6.1e23 / 5.07e23 = 1.20
    ]
    assert info["lines"][0]["above_bound"] is True and info["lines"][0]["current"] is False


def test_pool_all_refuses_the_superseded_figure_above_the_bound():
    ds = dataset.load(pool_all=True)
    with pytest.raises(DataError) as err:
        ds.quantity("deepseek-r1", "rl")
    assert "above the physics bound" in err.value.message
    assert err.value.field == "rl.lines[0]" and err.value.path.endswith("deepseek-r1.yaml")


def test_nemotron_ultra_rl_below_one_percent_of_its_base(ds):
    rl = ds.quantity("llama-3-1-nemotron-ultra-253b", "rl")
    base = ds.quantity("llama-3-1-405b", "pretraining")
    hardware, count = ds.line_values("llama-3-1-nemotron-ultra-253b", "rl")
    util = methods.prior("utilization.rl").median()
    assert hardware.median() == pytest.approx(140e3 * 3600 * 9.89e14 * util, rel=1e-6)
    lo, hi = rl.interval(0.9)
    if rl.disagreement["widened"]:  # with the 0.1-0.4 RL prior they disagree (p = 0.016)
        assert lo < count.median() < hi and lo < hardware.median() < hi
    assert rl.percentile(95) / base.median() < 0.01


def test_phi4_reasoning_rl_is_about_0_01_percent_of_phi4(ds):
    epoch, count = ds.line_values("phi-4-reasoning-plus", "rl")  # Epoch: "less than 1e20 FLOP"
    phi4 = ds.quantity("phi-4", "pretraining")
    assert epoch.percentile(95) == pytest.approx(1e20)
    share = count.median() / phi4.median()
    assert 0.5e-4 < share < 2e-4  # ~1e20 / ~9e23 (6 * 14e9 * 9.8e12 = 8.2e23 pooled) ~ 0.01%


def test_recipe_line_is_the_recipe_total(ds):
    from flopcast.accounting import rl

    line = ds.line_values("dapo-qwen-32b", "rl")[0]
    total = rl.load_recipe("dapo-qwen2.5-32b").run().total
    lo, hi = total.percentile([5, 95], n=20_000, seed=0)
    assert line.interval(0.9) == pytest.approx((lo, hi), rel=1e-9)  # summarised as a lognormal
    assert ds.get("dapo-qwen-32b").rl.lines[0].kind == "count"


def test_o3_carries_the_label_its_spread_deserves(ds):
    assert ds.get("o3").rl.lines[0].confidence == "Speculative"  # o1's 3e23-1e25 is 5.8x wide
    rows = {r["id"]: r for r in ds.table(n=500)}
    assert rows["o3"]["confidence"] == "Speculative"


def test_every_record_with_flop_and_chip_hours_shows_its_utilisation(ds):
    rows = {r["id"]: r for r in ds.table(n=2000)}
    for rid in ("deepseek-r1", "deepseek-r1-zero", "deepscaler-1-5b-preview"):
        util = rows[rid]["rl_implied_utilization"]
        rl = rows[rid]["rl"]
        assert util["median"] == pytest.approx(rl["median"] / ds.bound(rid, "rl").flop, rel=0.02)


def test_o3_over_o1_is_exactly_ten(ds):
    ratio = ds.quantity("o3", "rl") / ds.quantity("o1", "rl")
    assert ratio.is_point  # the o1 input cancels: exact, no sampling
    assert ratio.median() == pytest.approx(10, rel=1e-12)


def test_total_is_base_pretraining_plus_rl(ds):
    total = ds.quantity("deepseek-r1", "total")
    v3 = ds.quantity("deepseek-v3", "pretraining")
    rl = ds.quantity("deepseek-r1", "rl")
    assert total.mean() == pytest.approx(v3.mean() + rl.mean(), rel=0.02)
    assert ds.pretraining_source("phi-4-reasoning-plus") == "phi-4"
    assert ds.quantity("o3-mini", "total") is None  # RL unknown -> total unknown


def test_unknown_is_none_not_invented(ds):
    assert ds.quantity("gemini-2-5-pro", "rl") is None
    assert ds.get("gemini-2-5-pro").rl.unknown


def test_get_unknown_id_suggests(ds):
    with pytest.raises(UnknownNameError) as err:
        ds.get("deepseek-r2")
    assert "deepseek-r1" in err.value.suggestions


def test_table_rows_are_plain_dicts(ds):
    rows = {r["id"]: r for r in ds.table(n=2000)}
    r1 = rows["deepseek-r1"]
    assert set(r1) >= {
        "id",
        "name",
        "developer",
        "release_date",
        "reasoning",
        "pretraining",
        "rl",
        "rl_share",
        "confidence",
    }
    assert r1["pretraining_from"] == "deepseek-v3"
    assert r1["rl"]["p5"] < r1["rl"]["median"] < r1["rl"]["p95"]
    # RL ~2.6e22 (the recipe count dominates the pooled value) over a total of ~3.6e24: ~0.7%
    assert 0.003 < r1["rl_share"]["median"] < 0.02
    dates = [r["release_date"] for r in ds.table(n=500)]
    assert dates == sorted(dates)


def test_benchmarks(ds):
    rows = ds.benchmarks("AIME 2024", n=500)
    assert {"deepseek-r1", "o1", "o3"} <= {r["model"] for r in rows}
    assert all(r["source"].startswith("http") for r in rows)


def test_user_data_overrides_and_adds(tmp_path, monkeypatch):
    (tmp_path / "o1.yaml").write_text(
        "id: o1\nname: o1 (user)\ndeveloper: OpenAI\nrelease_date: 2024-12-05\nreasoning: true\n"
        "rl:\n  estimate: 1e24 to 4e24\n  confidence: Speculative\n  reasoning: a user's own reading of the chart\n"
        "  sources: [{url: 'https://example.org/o1', title: mine, states: mine, accessed: 2026-01-01}]\n"
    )
    ds = dataset.load([tmp_path])
    assert ds.get("o1").name == "o1 (user)"
    assert ds.quantity("o3", "rl").median() == pytest.approx(10 * 2e24)  # o3 follows the override
    monkeypatch.setenv("FLOPCAST_DATA", str(tmp_path))
    assert dataset.load().get("o1").name == "o1 (user)"


def test_load_raises_first_problem_with_file_and_line(tmp_path):
    shutil.copy(BROKEN / "unknown-base.yaml", tmp_path)
    with pytest.raises(DataError) as err:
        dataset.load([tmp_path])
    assert err.value.path.endswith("unknown-base.yaml") and err.value.line == 5
    assert err.value.field == "base_model"


@pytest.mark.parametrize(
    "name, line, field, words",
    [
        ("missing-source.yaml", 9, "rl.lines[0].sources", "no source"),  # the sources key
        ("unknown-base.yaml", 5, "base_model", "unknown base model 'deepseek-v9'"),
        ("cycle-a.yaml", 5, "rl", "cycle"),
        ("lo-above-hi.yaml", 6, "rl.lines[0]", "above upper bound"),  # the estimate's line
        ("bad-date.yaml", 4, "release_date", "bad date"),
        ("unknown-chip.yaml", 6, "rl.lines[0]", "unknown chip 'H900'"),
    ],
)
def test_validate_names_each_problem(name, line, field, words):
    problems = dataset.validate([BROKEN])
    match = [p for p in problems if p.path.endswith(name)]
    assert len(match) == 1, [str(p) for p in problems]
    p = match[0]
    assert (p.line, p.field) == (line, field)
    assert words in p.message


def test_validate_reports_every_problem_not_just_the_first():
    assert len(dataset.validate([BROKEN])) == 6


def test_parse_record_rejects_bad_yaml_with_line():
    with pytest.raises(dataset._Problems) as err:
        dataset.parse_record(b"id: x\nname: [unclosed\n", "x.yaml")
    assert err.value.errors[0].line is not None


def test_docs_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, str(DOCS), "exec"), {})  # noqa: S102 - our own documentation
