"""combine: precision weighting in log space, the chi-square of disagreement, units."""

from __future__ import annotations

import math

import pytest
from scipy import stats

import flopcast as fc

Z95 = 1.6448536269514722


def test_precision_weighting_with_unequal_widths():
    a = fc.ci(1e23, 1e25, name="wide")  # sigma_a = ln 100 / (2 z)
    b = fc.ci(1e24, 1e25, name="narrow")  # sigma_b = ln 10 / (2 z): 4x the precision
    pooled = fc.combine([a, b])
    # weights 1 : 4, so ln median = (1 * ln 1e24 + 4 * ln sqrt(1e49)) / 5
    ln_med = (math.log(1e24) + 4 * math.log(math.sqrt(1e49))) / 5
    assert pooled.median() == pytest.approx(math.exp(ln_med), rel=1e-12)
    s_b = math.log(10) / (2 * Z95)
    # pooled variance 1 / (1/sa^2 + 1/sb^2) = sb^2 / (1/4 + 1) = 0.8 sb^2
    assert pooled.width_oom() == pytest.approx(2 * Z95 * math.sqrt(0.8) * s_b / math.log(10))


def test_chi_square_of_disagreement_by_hand():
    lines = [fc.ci(5e23, 7e23, name="epoch"), fc.ci(1e23, 2e23, name="lab")]
    pooled = fc.combine(lines)
    d = pooled.disagreement
    ms = [math.log(math.sqrt(35e46)), math.log(math.sqrt(2e46))]
    vs = [(math.log(7 / 5) / (2 * Z95)) ** 2, (math.log(2) / (2 * Z95)) ** 2]
    m_hat = (ms[0] / vs[0] + ms[1] / vs[1]) / (1 / vs[0] + 1 / vs[1])
    chi2 = (ms[0] - m_hat) ** 2 / vs[0] + (ms[1] - m_hat) ** 2 / vs[1]
    assert d["chi2"] == pytest.approx(chi2)
    assert d["p_value"] == pytest.approx(stats.chi2.sf(chi2, 1))
    assert d["consistent"] is False and d["dof"] == 1
    assert d["ratio_max_min"] == pytest.approx(math.sqrt(35 / 2))


def test_geometric_mean():
    geo = fc.combine([fc.ci(1, 100, name="x"), fc.ci(100, 10000, name="y")], method="geometric")
    assert geo.median() == pytest.approx(100.0)  # sqrt(10 * 1000)
    assert geo.method == "combine (geometric)"


def test_combine_refusals():
    with pytest.raises(fc.InputError, match="at least two lines"):
        fc.combine([fc.ci(1, 2)])
    with pytest.raises(fc.InputError, match="unknown method 'mean'"):
        fc.combine([fc.ci(1, 2), fc.ci(1, 2)], method="mean")
    with pytest.raises(fc.InputError, match="line 2 .* states no uncertainty"):
        fc.combine([fc.ci(1, 2), fc.point(3.0)])
