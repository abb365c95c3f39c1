"""Documented defaults: fitted utilisation priors and the hand-written ones, one way in."""

from __future__ import annotations

import pytest

import flopcast as fc
from flopcast.estimate import priors as pr
from flopcast.estimate.utilization import fits


def test_a_fitted_prior_is_the_fit_as_a_named_lognormal():
    q = fc.prior("utilization.rl")
    lo, hi = fits()["utilization.rl"].interval(0.9)
    assert q.interval(0.9) == pytest.approx((lo, hi))
    assert [i.name for i in q.inputs()] == ["utilization rl"]
    # its source lists the fitted points' sources (NeMo RL's performance summary, once)
    assert q.inputs()[0].source.startswith("https://github.com/NVIDIA-NeMo/RL/")
    assert q.inputs()[0].source.count("https://") == 1


def test_precision_specific_prior_falls_back_to_the_phase_prior():
    assert pr.utilization_prior("pretraining", "fp8").median() == pytest.approx(
        fits()["utilization.pretraining.fp8"].median
    )
    # the rl_run points are all bf16: an fp8 RL estimate uses the whole-run prior
    assert pr.utilization_prior("rl", "fp8").median() == pytest.approx(
        fits()["utilization.rl"].median
    )


def test_priors_lists_fits_with_their_points_and_exclusions():
    entries = pr.priors()
    rl = entries["utilization.rl"]
    assert rl["fit"]["phase"] == "rl_run"
    assert "deepseek-r1-zero-rl" in rl["fit"]["excluded"]
    assert len(rl["sources"]) == len(rl["fit"]["points"]) == 5
    assert rl["confidence"] == "Speculative"  # 5 points < LIKELY_MIN_POINTS (10)
    assert entries["utilization.pretraining"]["confidence"] == "Likely"  # 18 points
    assert entries["magnitude.largest_run_flop"]["value"] == "5e26"
    assert pr.largest_run_flop() == 5e26


def test_unknown_prior_suggests_close_names():
    with pytest.raises(fc.UnknownNameError, match="utilization.rl"):
        fc.prior("utilisation.rl")
