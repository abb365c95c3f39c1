"""Calibration: hardware-method re-estimates of stated figures, scored on the shipped fixture."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import pytest

from flopcast.core.errors import InputError
from flopcast.estimate.censored import predict_groups
from flopcast.estimate.utilization import fits
from flopcast.evidence import calibration as cal
from flopcast.evidence.epoch import EpochRow

FIXTURE = Path(__file__).parent / "data" / "epoch" / "notable_ai_models_fixture.csv"
H100_BF16 = 9.89e14


def _by_model(result: dict) -> dict[str, dict]:
    return {r["model"]: r for r in result["rows"]}


def test_fixture_rows_are_scored_with_epoch_defaults_or_the_fitted_prior():
    result = cal.calibrate_csv(FIXTURE)
    rows = _by_model(result)
    phi4 = rows["Phi-4"]  # Language, no utilisation in the row: Epoch's 30% LLM default
    assert phi4["basis"] == "epoch default 30% (LLM)"
    # 1920 H100 x 504 h = 967,680 H100-hours x 3,600 s x 9.89e14 FLOP/s x 0.30
    assert phi4["chip_hours"] == 967_680
    assert phi4["median"] == pytest.approx(967_680 * 3600 * H100_BF16 * 0.30, rel=1e-9)
    llama = rows["Llama 3.1-405B"]  # the row states a utilisation: the fitted prior instead
    assert llama["basis"] == "fitted prior utilization.pretraining.bf16"
    u = fits()["utilization.pretraining.bf16"].median
    assert llama["median"] == pytest.approx(30_834_688 * 3600 * H100_BF16 * u, rel=1e-9)
    assert llama["implied_utilization"] == pytest.approx(
        3.8e25 / (30_834_688 * 3600 * H100_BF16), rel=1e-9
    )


def test_summary_is_the_arithmetic_of_the_rows():
    result = cal.calibrate_csv(FIXTURE)
    rows, s = result["rows"], result["summary"]
    assert s["compared"] == len(rows) == 11
    assert s["coverage90"] == sum(r["inside90"] for r in rows) / 11
    assert s["coverage50"] == sum(r["inside50"] for r in rows) / 11
    logs = [math.log10(r["stated"] / r["median"]) for r in rows]
    assert s["median_abs_log10_ratio"] == pytest.approx(statistics.median(map(abs, logs)))
    assert s["bias_log10"] == pytest.approx(statistics.fmean(logs))
    assert sum(result["pit_histogram"]["counts"]) == 11
    assert sum(g["compared"] for g in result["by_year"].values()) == 11
    # V100 (GPT-3) has no bf16 peak and the row does not say which it used: both peaks
    assert set(result["by_precision"]) == {"bf16", "fp16 or fp32"}
    for r in rows:  # PIT is the estimate's CDF at the stated figure
        assert (r["pit"] < 0.05 or r["pit"] > 0.95) == (not r["inside90"]), r["model"]


def test_unknown_chips_and_fine_tunes_without_their_own_figure_are_skipped_with_reasons():
    result = cal.calibrate_csv(FIXTURE)
    reasons = {s["model"]: s["reason"] for s in result["skipped"]}
    assert "unknown chip 'Imaginary NPU 9000'" in reasons["Tiny run on unknown chip"]
    ft = EpochRow(
        line=2,
        model="FT",
        base_model="Base",
        training_compute=1e24,
        hardware=["H100"],
        hardware_quantity=8,
        training_time_hours=10,
    )
    cases, skipped = cal.cases_from_rows([ft])
    assert not cases and "includes the base model" in skipped[0]["reason"]
    ft.finetune_compute = 8 * 10 * 3600 * H100_BF16 * 0.3  # its own fine-tune figure
    cases, _ = cal.cases_from_rows([ft])
    assert cases[0].stated == pytest.approx(8 * 10 * 3600 * H100_BF16 * 0.3)


def test_prior_basis_uses_the_fitted_prior_everywhere_and_bad_basis_is_refused():
    rows = _by_model(cal.calibrate_csv(FIXTURE, basis="prior"))
    assert rows["Phi-4"]["basis"] == "fitted prior utilization.pretraining.bf16"
    with pytest.raises(InputError, match="unknown basis 'x'; allowed: epoch, prior, crossval"):
        cal.calibrate_csv(FIXTURE, basis="x")  # type: ignore[arg-type]


def _v100_row(**kw: object) -> EpochRow:
    base: dict = dict(
        line=2,
        model="v",
        training_compute=1e21,
        hardware=["NVIDIA V100"],
        hardware_quantity=100,
        training_time_hours=100,
    )
    return EpochRow(**{**base, **kw})


def test_a_pre_bf16_chip_without_a_stated_format_is_an_equal_mixture_of_both_peaks():
    (case,), _ = cal.cases_from_rows([_v100_row()], domains={2: "Language"})
    assert case.precision == "fp16 or fp32"
    # 10,000 V100-hours x 3,600 s x 0.30 (Epoch's LLM default) at each peak
    fp16 = 1e4 * 3600 * 1.25e14 * 0.30
    fp32 = 1e4 * 3600 * 1.57e13 * 0.30
    # half the mass lies below each component's median (the components barely overlap)
    assert 0.45 < float(case.estimate.prob_below(fp16, n=40_000, seed=1)) < 0.8
    assert 0.2 < float(case.estimate.prob_below(fp32, n=40_000, seed=1)) < 0.55
    lo, hi = (float(x) for x in case.estimate.percentile([5, 95], n=40_000, seed=1))
    assert lo < fp32 and hi > fp16  # the 90% interval spans both readings


def test_a_stated_numerical_format_picks_that_peak():
    (case,), _ = cal.cases_from_rows([_v100_row(numerical_format="FP32")], domains={2: "Language"})
    assert case.precision == "fp32"
    assert float(case.estimate.median()) == pytest.approx(1e4 * 3600 * 1.57e13 * 0.30, rel=1e-9)
    # an H100 row stating "BF16, FP8": an equal mixture of the two peaks the catalog has
    h100 = _v100_row(hardware=["H100"], numerical_format="BF16, FP8")
    (case,), _ = cal.cases_from_rows([h100], domains={2: "Language"})
    assert case.precision == "bf16 or fp8"
    # a format the catalog does not know for the chip falls back to the chip's default
    (case,), _ = cal.cases_from_rows([_v100_row(numerical_format="INT4")])
    assert case.precision == "fp16 or fp32"


def test_a_perfectly_centred_row_has_pit_one_half():
    row = EpochRow(
        line=2,
        model="m",
        training_compute=100 * 3600 * H100_BF16 * 0.30,
        hardware=["H100"],
        hardware_quantity=10,
        training_time_hours=10,
    )
    out = cal.score(cal.cases_from_rows([row], domains={2: "Language"})[0])
    assert out["rows"][0]["pit"] == pytest.approx(0.5, abs=1e-9)
    assert out["summary"]["coverage50"] == 1.0


def test_pit_plot_is_written(tmp_path: Path):
    pytest.importorskip("matplotlib")
    out = cal.plot_pit(cal.calibrate_csv(FIXTURE), tmp_path / "pit.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_epoch_method_column_is_read_when_present(tmp_path: Path):
    # the fixture has no "Training compute estimation method" column: every row "not stated"
    assert set(cal.calibrate_csv(FIXTURE)["by_epoch_method"]) == {"not stated"}
    path = tmp_path / "with-method.csv"
    path.write_text(
        "Model,Domain,Publication date,Training compute (FLOP),Training hardware,"
        "Hardware quantity,Training time (hours),Training compute estimation method\n"
        'A,Language,2024-01-01,1e22,NVIDIA H100 SXM5 80GB,100,100,"Operation counting,Hardware"\n'
        "B,Vision,2024-01-01,1e22,NVIDIA H100 SXM5 80GB,100,100,Hardware\n",
        encoding="utf-8",
    )
    result = cal.calibrate_csv(path)
    assert [r["epoch_method"] for r in result["rows"]] == ["Operation counting", "Hardware"]
    # B is not a language model: Epoch's 40% default; 10,000 H100-hours x 3,600 x 9.89e14 x 0.4
    assert result["rows"][1]["basis"] == "epoch default 40% (other)"
    assert result["rows"][1]["median"] == pytest.approx(1e4 * 3600 * H100_BF16 * 0.4, rel=1e-9)


def _method_csv(tmp_path: Path, rows: list[tuple[str, float, str]]) -> Path:
    """One H100 row per (model, stated FLOP, Epoch method), 100 chips x 100 h each."""
    path = tmp_path / "methods.csv"
    lines = [
        "Model,Domain,Publication date,Training compute (FLOP),Training hardware,"
        "Hardware quantity,Training time (hours),Training compute estimation method"
    ]
    lines += [
        f'{m},Language,2024-01-01,{c},NVIDIA H100 SXM5 80GB,100,100,"{k}"' for m, c, k in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_crossval_fits_the_other_independent_rows_and_leaves_each_row_out(tmp_path: Path):
    hours_peak = 1e4 * 3600 * H100_BF16  # 100 x 100 H100-hours x 3,600 s x 9.89e14 FLOP/s
    us = {"A": 0.1, "B": 0.2, "C": 0.4, "D": 0.3}
    path = _method_csv(
        tmp_path,
        [
            ("A", us["A"] * hours_peak, "Operation counting"),
            ("B", us["B"] * hours_peak, "Reported,Operation counting"),
            ("C", us["C"] * hours_peak, "Reported"),
            # not evidence: Epoch may have used (or averaged in) an assumed utilisation
            ("D", us["D"] * hours_peak, "Operation counting,Hardware"),
        ],
    )
    result = cal.calibrate_csv(path, basis="crossval")
    rows = _by_model(result)
    assert [rows[m]["independent"] for m in "ABCD"] == [True, True, True, False]
    # A is scored against the fit to B and C only; D against all three independent rows
    for model, others in (("A", "BC"), ("D", "ABC")):
        pred = predict_groups([("bf16", us[m], us[m]) for m in others])["bf16"]
        assert rows[model]["basis"] == "cross-validated (bf16)"
        assert rows[model]["median"] == pytest.approx(hours_peak * math.exp(pred.mu), rel=1e-6)
    assert result["independent"]["compared"] == 3


def test_crossval_with_too_few_independent_rows_is_one_clear_error(tmp_path: Path):
    path = _method_csv(tmp_path, [("A", 1e22, "Operation counting"), ("B", 1e22, "Hardware")])
    with pytest.raises(InputError, match="basis crossval needs more independent rows"):
        cal.calibrate_csv(path, basis="crossval")


def test_the_numerical_format_column_is_read_from_the_csv(tmp_path: Path):
    path = tmp_path / "formats.csv"
    path.write_text(
        "Model,Domain,Publication date,Training compute (FLOP),Training hardware,"
        "Hardware quantity,Training time (hours),Numerical format\n"
        "A,Language,2019-01-01,1e21,NVIDIA Tesla V100 DGXS 32 GB,100,100,FP32\n"
        "B,Language,2019-01-01,1e21,NVIDIA Tesla V100 DGXS 32 GB,100,100,\n",
        encoding="utf-8",
    )
    rows = cal.calibrate_csv(path)["rows"]
    assert [r["precision"] for r in rows] == ["fp32", "fp16 or fp32"]
    # A: 10,000 V100-hours x 3,600 s x 1.57e13 FLOP/s (fp32) x 0.30 (Epoch's LLM default)
    assert rows[0]["median"] == pytest.approx(1e4 * 3600 * 1.57e13 * 0.30, rel=1e-9)


def test_scores_are_broken_down_by_epochs_own_confidence_label():
    result = cal.calibrate_csv(FIXTURE)
    groups = result["by_epoch_confidence"]
    assert sum(g["compared"] for g in groups.values()) == result["summary"]["compared"]
    # the fixture's own labels of the rows it compares (its other rows are skipped)
    assert {k: g["compared"] for k, g in groups.items()} == {"Confident": 10, "Likely": 1}


def test_a_mixture_rows_basis_names_each_components_prior_once():
    (case,), _ = cal.cases_from_rows([_v100_row()], domains={2: "Language"})
    assert case.basis == "epoch default 30% (LLM)"  # both peaks at Epoch's LLM default
    (case,), _ = cal.cases_from_rows([_v100_row()], basis="prior")
    # fp16 has its own fitted prior; fp32 has none, so the pooled pre-training prior
    assert case.basis == "mixture: pretraining.fp16 | pretraining"
