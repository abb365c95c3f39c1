"""flopcast.evidence.pooling: supersession, and pooling that never hides a contradiction."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from flopcast.core.errors import DataError
from flopcast.core.uncertain import ci
from flopcast.evidence import pooling
from flopcast.evidence.records import Line

Z90 = 1.6448536269514722  # the standard normal's 95th percentile
SRC = [{"url": "https://example.org/a", "title": "t", "states": "s", "accessed": "2026-01-01"}]


def _line(label: str, kind: str | None = None, date: str | None = None, **kw) -> Line:
    return Line(
        label=label,
        estimate="1",
        confidence="Likely",
        kind=kind,
        date=dt.date.fromisoformat(date) if date else None,
        sources=SRC,
        **kw,
    )


def test_agreeing_lines_give_the_precision_weighted_result():
    a, b = ci(1e22, 4e22), ci(2e22, 8e22)  # medians 2e22, 4e22; both ln-sd ln(4)/(2 Z90)
    sd = math.log(4) / (2 * Z90)  # 0.4214
    out, widening = pooling.honest_combine([a, b], "precision", "x")
    assert widening is None and out.disagreement["widened"] is False
    # equal weights: median sqrt(2e22 * 4e22) = 2.83e22, ln-sd sd / sqrt(2)
    assert out.median() == pytest.approx(math.sqrt(2e22 * 4e22), rel=1e-12)
    lo, hi = out.interval(0.9)
    assert hi / out.median() == pytest.approx(math.exp(Z90 * sd / math.sqrt(2)), rel=1e-9)
    # chi2 = 2 (ln 2 / 2)^2 / sd^2 = 1.35, p = 0.245 >= 0.05: they agree
    assert out.disagreement["chi2"] == pytest.approx(2 * (math.log(2) / 2) ** 2 / sd**2)
    assert out.disagreement["p_value"] > pooling.P_THRESHOLD


def test_agreeing_lines_weight_by_precision():
    a = ci(1e22, 4e22)  # ln-sd s
    b = ci(0.5e22, 8e22)  # ln-sd 2s (interval twice as wide in log space), same median 2e22
    c = ci(1e22 * 1.5, 4e22 * 1.5)  # ln-sd s, median 3e22
    out, widening = pooling.honest_combine([a, b, c], "precision", "x")
    assert widening is None
    # weights 1/s^2 : 1/(4 s^2) : 1/s^2 = 4 : 1 : 4 -> ln m = (4 ln 2e22 + ln 2e22 + 4 ln 3e22) / 9
    expected = math.exp((5 * math.log(2e22) + 4 * math.log(3e22)) / 9)
    assert out.median() == pytest.approx(expected, rel=1e-12)


def test_disagreeing_lines_are_widened_by_the_birge_ratio():
    a, b = ci(1e22, 2e22), ci(1e23, 2e23)  # 10x apart, each ln-sd ln(2) / (2 Z90) = 0.21
    sd = math.log(2) / (2 * Z90)
    out, widening = pooling.honest_combine([a, b], "precision", "x")
    chi2 = 2 * (math.log(10) / 2) ** 2 / sd**2  # 59.7 on 1 degree of freedom
    assert widening["birge_ratio"] == pytest.approx(math.sqrt(chi2))
    assert widening["scale"] == pytest.approx(math.sqrt(chi2))  # Birge beats coverage here
    # widened ln-sd = R_B * sd / sqrt(2) = ln(10) / 2: each median sits 1 sd from the centre
    lo, hi = out.interval(0.9)
    assert math.log(hi / out.median()) == pytest.approx(Z90 * math.log(10) / 2, rel=1e-9)
    for m in (a.median(), b.median()):
        assert lo < m < hi


def test_a_vague_outlier_is_covered_even_when_the_birge_ratio_is_small():
    precise = ci(1e22 / 1.1, 1e22 * 1.1)  # ln-sd 0.058
    vague = ci(1e23 / math.exp(Z90), 1e23 * math.exp(Z90))  # ln-sd 1.0, median 10x higher
    out, widening = pooling.honest_combine([precise, vague], "precision", "x")
    # chi2 = ln(10)^2 / (0.058^2 + 1.0^2) = 5.28, p = 0.022: they disagree
    assert out.disagreement["chi2"] == pytest.approx(
        math.log(10) ** 2 / ((math.log(1.21) / (2 * Z90)) ** 2 + 1.0), rel=1e-9
    )
    assert out.disagreement["p_value"] < 0.05
    assert widening["coverage_factor"] > widening["birge_ratio"]  # coverage decides the width
    lo, hi = out.interval(0.9)
    assert lo < precise.median() < hi and lo < vague.median() < hi


def test_widening_is_a_named_input_with_its_share_of_the_spread():
    out, _ = pooling.honest_combine([ci(1e22, 2e22), ci(1e23, 2e23)], "precision", "r1.rl")
    shares = out.contributions()
    assert shares["r1.rl: disagreement between lines"] > 0.9  # 1 - 1/R_B^2 of the variance


def test_outside_estimate_superseded_by_a_later_disclosure():
    lines = [
        _line("Epoch, Jan", "outside", "2025-01-31"),
        _line("Lab, Sep", "disclosure", "2025-09-17"),
        _line("Later outside", "outside", "2025-10-01"),  # after the disclosure: stays
        _line("Undated outside", "outside"),  # no date: cannot be shown older, stays
        _line("count", "count", "2025-09-17"),
    ]
    assert pooling.supersession(lines) == {0: 1}


def test_explicit_supersedes_and_its_errors():
    lines = [_line("A"), _line("B", supersedes=["A"])]
    assert pooling.supersession(lines) == {0: 1}
    with pytest.raises(DataError) as err:
        pooling.supersession([_line("A"), _line("B", supersedes=["Z"])])
    assert "no line of this quantity has that label" in err.value.message
    assert err.value.field == "lines[1].supersedes"
    cyc = [_line("A", supersedes=["C"]), _line("B", supersedes=["A"]), _line("C", supersedes=["B"])]
    with pytest.raises(DataError) as err:
        pooling.supersession(cyc)
    assert err.value.message.startswith("supersession cycle: 'A' -> 'C' -> 'B' -> 'A'")


def test_pool_keeps_superseded_lines_out_unless_asked():
    lines = [_line("Epoch", "outside", "2025-01-31"), _line("Lab", "disclosure", "2025-09-17")]
    values = [ci(4e23, 8e23), ci(1e23, 2e23)]
    current = pooling.pool(values, lines, method="precision", name="x")
    assert current.current == [1] and current.value is values[1]
    everything = pooling.pool(values, lines, method="precision", name="x", pool_all=True)
    assert everything.current == [0, 1] and everything.superseded == {}
    assert values[1].median() < everything.value.median() < values[0].median()


def test_latest_takes_the_most_recent_current_line():
    lines = [_line("old", date="2024-01-01"), _line("new", date="2025-01-01")]
    values = [ci(1e22, 2e22), ci(3e22, 4e22)]
    assert pooling.pool(values, lines, method="latest", name="x").value is values[1]
