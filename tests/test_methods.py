"""Estimation methods: the seed analysis's arithmetic from raw inputs, and bad input."""

from __future__ import annotations

import warnings

import pytest

import flopcast as fc

H100_BF16 = 9.89e14  # FLOP/s, NVIDIA H100 SXM5 dense BF16


def test_nemotron_ultra_140k_h100_hours_at_the_fitted_rl_prior():
    from flopcast.estimate.utilization import fits

    u = fits()["utilization.rl"]  # fitted to data/utilization.yaml's rl_run points
    q = fc.hardware("H100", chip_hours=140e3, stage="rl")
    # 140,000 h x 3,600 s x 9.89e14 FLOP/s = 4.98e23 at peak; x the whole-run prior's median
    assert q.median() == pytest.approx(140e3 * 3600 * H100_BF16 * u.median, rel=1e-9)
    assert q.unit == "FLOP"
    assert q.method == "hardware"
    assert set(q.contributions()) == {"utilization rl"}  # the only uncertain input
    lo, hi = q.interval()
    u_lo, u_hi = u.interval(0.9)
    assert lo == pytest.approx(140e3 * 3600 * H100_BF16 * u_lo)
    assert hi == pytest.approx(140e3 * 3600 * H100_BF16 * u_hi)


def test_stage_and_precision_pick_the_fitted_prior():
    from flopcast.estimate.utilization import fits

    f = fits()
    fp8 = fc.hardware("H100", chip_hours=1e3, precision="fp8", stage="pretraining")
    # 1,000 h x 3,600 s x 1.979e15 FLOP/s (fp8) x the fp8 pre-training prior's median
    assert fp8.median() == pytest.approx(
        1e3 * 3600 * 1.979e15 * f["utilization.pretraining.fp8"].median
    )
    bf16 = fc.hardware("H100", chip_hours=1e3, stage="pretraining")
    assert bf16.median() == pytest.approx(
        1e3 * 3600 * H100_BF16 * f["utilization.pretraining.bf16"].median
    )
    # the rollout prior's points are measured against the FP8 peak: it multiplies that peak
    roll = fc.hardware("H100", chip_hours=1e3, stage="rollout")
    assert roll.median() == pytest.approx(1e3 * 3600 * 1.979e15 * f["utilization.rollout"].median)
    assert any("measured against the fp8 peak" in a for a in roll.assumptions)
    # ... and the whole-run RL prior's against BF16, whatever precision the run is said to use
    rl8 = fc.hardware("H800", chip_hours=1e3, stage="rl", precision="fp8")
    assert rl8.median() == pytest.approx(1e3 * 3600 * 9.89e14 * f["utilization.rl"].median)
    # a stated utilisation is used with the precision asked for
    own = fc.hardware("H800", chip_hours=1e3, stage="rl", precision="fp8", utilization=0.1)
    assert own.median() == pytest.approx(1e3 * 3600 * 1.979e15 * 0.1)
    with pytest.raises(fc.InputError, match="unknown stage 'rlhf'"):
        fc.hardware("H100", chip_hours=1e3, stage="rlhf")


def test_one_million_dollars_of_h100_time_is_about_5e23():
    q = fc.cost(1e6, "H100", usd_per_hour=2.0, utilization=0.28)
    # $1M / $2 = 500,000 H100-hours x 3,600 s x 9.89e14 FLOP/s x 0.28 = 4.98e23
    assert q.median() == pytest.approx(1e6 / 2 * 3600 * H100_BF16 * 0.28, rel=1e-9)
    assert q.median() == pytest.approx(5e23, rel=0.01)
    assert q.method == "cost"


def test_r1_rl_is_about_20_percent_of_deepseek_v3_pretraining():
    v3 = fc.operations(37e9, 14.8e12)  # 6 x 37e9 x 14.8e12 = 3.2856e24
    assert v3.median() == pytest.approx(3.2856e24)
    share = fc.point(6e23) / v3
    assert share.median() == pytest.approx(0.1826, abs=1e-4)  # 6e23 / 3.2856e24, "~20%"


def test_phi4_reasoning_1e20_is_about_a_hundredth_of_a_percent_of_phi4():
    phi4 = fc.operations(14e9, 10e12)  # 6 x 14e9 x 10e12 = 8.4e23
    assert phi4.median() == pytest.approx(8.4e23)
    assert (fc.point(1e20) / phi4).median() == pytest.approx(1.19e-4, rel=0.01)  # ~0.01%


def test_o3_is_ten_times_o1_and_keeps_its_uncertainty():
    o1 = fc.ci(2e23, 2e24, name="o1 rl")
    o3 = fc.ratio(o1, 10)
    assert o3.median() == pytest.approx(10 * o1.median())
    assert o3.width_oom() == pytest.approx(o1.width_oom())  # 1 decade both
    assert o3.contributions() == {"o1 rl": pytest.approx(1.0)}


def test_inference_is_two_n_d():
    assert fc.operations(7e9, 1e12, kind="inference").median() == pytest.approx(
        1.4e22
    )  # 2 x 7e9 x 1e12


def test_chips_and_hours_equal_chip_hours():
    a = fc.hardware("H800", chips=512, hours=198, utilization=0.3)
    b = fc.hardware("H800", chip_hours=512 * 198, utilization=0.3)
    assert a.median() == pytest.approx(b.median())


def test_precision_changes_the_peak():
    bf16 = fc.hardware("H100", chip_hours=1000, utilization=0.3)
    fp8 = fc.hardware("H100", chip_hours=1000, utilization=0.3, precision="fp8")
    assert fp8.median() / bf16.median() == pytest.approx(1.979e15 / 9.89e14, rel=1e-6)


def test_chart_value_from_two_ticks():
    # ticks: 1e23 at x=100 px, 1e25 at x=300 px -> 100 px per decade; x=250 -> 10^24.5
    q = fc.chart_value(250, (100, 1e23), (300, 1e25), pixel_error=5)
    assert q.median() == pytest.approx(10**24.5)
    lo, hi = q.interval()
    assert hi / q.median() == pytest.approx(10**0.05)  # 5 px / 100 px per decade


def test_chart_ratio_on_an_unlabelled_log_axis():
    # o1 at 120 px, o3 at 220 px, 100 px per decade -> 10x
    q = fc.chart_ratio(120, 220, 100, pixel_error=3)
    assert q.median() == pytest.approx(10.0)
    assert q.width_oom() == pytest.approx(2 * 2**0.5 * 3 / 100)


def test_assumptions_and_sources_are_visible():
    q = fc.hardware("H100", chip_hours=140e3, stage="rl")
    names = [i.name for i in q.inputs()]
    assert "chip_hours" in names and "utilization rl" in names
    peak = [i for i in q.inputs() if i.name.startswith("peak(")][0]
    assert peak.source.startswith("http")
    assert any("default prior" in a for a in q.assumptions)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: fc.hardware("H100", chip_hours=-5), "chip_hours must be positive"),
        (lambda: fc.hardware("H100", chip_hours=0), "chip_hours must be positive"),
        (lambda: fc.hardware("H100", chip_hours=1e3, utilization=1.5), "at most 1"),
        (lambda: fc.hardware("H100", chip_hours=1e3, utilization=fc.ci(0.5, 2)), "at most 1"),
        (lambda: fc.hardware("H100"), "needs chip_hours"),
        (lambda: fc.hardware("H100", chip_hours=1, chips=2, hours=3), "not both"),
        (lambda: fc.hardware("H100", chip_hours=1e3, stage="warmup"), "unknown stage 'warmup'"),
        (lambda: fc.operations(37e9, 14.8e12, kind="training+"), "unknown kind"),
        (lambda: fc.operations(float("nan"), 1e12), "finite"),
        (lambda: fc.share(fc.point(1e24), 2), "at most 1"),
        (lambda: fc.chart_value(1, (0, 1e23), (0, 1e24)), "different pixels"),
    ],
)
def test_bad_input_is_one_clear_error(call, message):
    with pytest.raises(fc.InputError, match=message):
        call()


def test_unknown_chip_lists_close_names():
    with pytest.raises(fc.UnknownNameError, match="did you mean") as info:
        fc.hardware("H10O", chip_hours=1e3)
    assert info.value.suggestions


def test_absurd_magnitude_is_warned():
    with pytest.warns(fc.PlausibilityWarning, match="1000x the largest"):
        fc.operations(1e15, 1e15)  # 6e30 FLOP
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fc.operations(37e9, 14.8e12)  # a normal figure: no warning


def test_priors_are_documented_with_sources():
    from flopcast.estimate.methods import priors

    for name, entry in priors().items():
        assert entry["sources"] and all(
            s["url"].startswith("https://") for s in entry["sources"]
        ), name
        assert entry["reasoning"], name
        fc.evaluate(str(entry["value"]))  # each prior parses
