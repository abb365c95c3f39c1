"""Utilisation priors fitted to published points: the fit's maths, the shipped fits, bad files,
and the must-show check against every shipped RL recipe with published chip-hours."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

import flopcast as fc
from flopcast.core.errors import DataError
from flopcast.estimate import utilization as ut

DATA = Path(__file__).resolve().parents[1] / "src" / "flopcast" / "data"


def test_t_quantiles_match_the_printed_table():
    # Student-t 95th percentiles from any statistics table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2)
    assert ut.t_ppf(0.95, 1) == pytest.approx(6.314, abs=1e-3)
    assert ut.t_ppf(0.95, 4) == pytest.approx(2.132, abs=1e-3)
    assert ut.t_ppf(0.95, 15) == pytest.approx(1.753, abs=1e-3)
    assert ut.t_cdf(0.0, 3) == pytest.approx(0.5)
    assert ut.t_ppf(0.95, 10_000) == pytest.approx(1.645, abs=1e-3)  # -> the normal quantile


def test_t_matches_scipy():
    from scipy import stats

    for df in (1, 2, 3, 7, 30):
        for x in (-3.0, -0.7, 0.4, 2.5):
            assert ut.t_cdf(x, df) == pytest.approx(stats.t.cdf(x, df), abs=1e-12)


def test_exact_points_give_the_ordinary_normal_mle():
    mu, sigma = ut.fit_groups([("a", 0.1, 0.1), ("a", 0.2, 0.2), ("a", 0.4, 0.4)])
    # ln 0.1, ln 0.2, ln 0.4 are ln 0.2 -/+ ln 2: mean ln 0.2, MLE sd sqrt(2 (ln 2)^2 / 3)
    assert mu["a"] == pytest.approx(math.log(0.2))
    assert sigma == pytest.approx(math.sqrt(2 * math.log(2) ** 2 / 3))


def test_interval_points_are_censored_data_at_the_likelihood_maximum():
    from scipy import optimize, stats

    obs = [("a", 0.05, 0.05), ("a", 0.3, 0.3), ("a", 0.01, 0.02), ("a", 0.1, 0.4)]
    mu, sigma = ut.fit_groups(obs)

    def nll(theta: list[float]) -> float:
        m, s = theta[0], math.exp(theta[1])
        out = 0.0
        for _, lo, hi in obs:
            a, b = math.log(lo), math.log(hi)
            if lo == hi:
                out -= stats.norm.logpdf(a, m, s)
            else:
                out -= math.log(stats.norm.cdf(b, m, s) - stats.norm.cdf(a, m, s))
        return out

    best = optimize.minimize(nll, [-2.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-10})
    assert mu["a"] == pytest.approx(best.x[0], abs=1e-5)
    assert sigma == pytest.approx(math.exp(best.x[1]), abs=1e-5)


def test_groups_share_the_spread_but_not_the_level():
    obs = [("bf16", 0.4, 0.4), ("bf16", 0.2, 0.2), ("fp8", 0.2, 0.2), ("fp8", 0.1, 0.1)]
    mu, sigma = ut.fit_groups(obs)
    assert mu["bf16"] == pytest.approx(math.log(math.sqrt(0.08)))  # geometric mean of 0.4, 0.2
    assert mu["fp8"] == pytest.approx(math.log(math.sqrt(0.02)))
    assert sigma == pytest.approx(math.log(2) / 2)  # every point ln 2 / 2 from its group mean


def test_predictive_interval_is_student_t_truncated_at_one():
    lo, hi = ut.predictive_interval(-1.0, 0.5, 4, upper=100.0)  # no truncation in effect
    assert lo == pytest.approx(-1.0 - 0.5 * 2.1318, abs=1e-3)
    assert hi == pytest.approx(-1.0 + 0.5 * 2.1318, abs=1e-3)
    _, hi_cut = ut.predictive_interval(-1.0, 2.0, 4)  # ln u <= 0: u <= 1
    assert hi_cut < 0


def test_shipped_fits_cover_every_phase_and_exclude_flopcast_counts():
    f = ut.fits()
    for name in (*ut.PRIOR_PHASES, ut.ROLLOUT_PRIOR):
        assert name in f, name
        lo, hi = f[name].interval(0.9)
        assert 0 < lo < f[name].median < hi <= 1, name  # truncated at 100% of peak
    rl = f["utilization.rl"]
    assert "deepseek-r1-zero-rl" in rl.excluded and "deepseek-r1-zero-rl" not in rl.points
    assert rl.n == 5 and rl.df == 4  # five NeMo RL whole-step points, one group
    assert f["utilization.rollout"].assumed.startswith("assumed")
    assert set(f["utilization.rollout"].points) == {
        "deepseek-v3-serving-decode",
        "sglang-deepseek-96xh100-decode",
    }
    # precision moves the level: FP8 pre-training sits below BF16 (against its own, 2x peak)
    assert f["utilization.pretraining.fp8"].median < f["utilization.pretraining.bf16"].median


@pytest.mark.parametrize(
    "doc", [DATA / "README-utilization.md", DATA.parents[2] / "docs" / "methodology.md"]
)
def test_every_prior_in_the_documented_tables_is_the_computed_fit(doc: Path):
    text = doc.read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| `(utilization[\w.]*)` \| (\d+) \| ([\d.]+) \| ([\d.]+) - ([\d.]+) \|", text, re.M
    )
    assert len(rows) == len(ut.fits())
    for name, n, med, lo, hi in rows:
        fit = ut.fits()[name]
        assert int(n) == fit.n, name
        assert float(med) == pytest.approx(fit.median, rel=5e-3), name
        assert (float(lo), float(hi)) == pytest.approx(fit.interval(0.9), rel=5e-3), name


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ("    lo: 0.38\n    hi: 0.43\n", "lo 0.9 is above hi 0.43"),
        ("    phase: pretraining\n", "phase"),
    ],
)
def test_a_bad_point_is_one_line_with_its_line(tmp_path: Path, patch: str, message: str):
    text = (DATA / "utilization.yaml").read_text(encoding="utf-8")
    bad = {
        "    lo: 0.38\n    hi: 0.43\n": "    lo: 0.9\n    hi: 0.43\n",
        "    phase: pretraining\n": "    phase: pre-training\n",
    }[patch]
    path = tmp_path / "utilization.yaml"
    path.write_text(text.replace(patch, bad, 1), encoding="utf-8")
    with pytest.raises(DataError, match=message) as info:
        ut.load_points(path)
    assert re.search(r"utilization\.yaml:\d+: ", str(info.value))


def test_every_recipe_with_published_chip_hours_is_inside_the_rl_prior():
    """Must show (issue 10): for each shipped recipe with published chip-hours, the 90% interval
    of ``estimate hardware --stage rl`` over those chip-hours contains the recipe's own count.
    Not circular: points whose FLOP is a flopcast count are excluded from the fit."""
    from flopcast.accounting.rl import list_recipes, load_recipe

    checked = []
    for name in list_recipes():
        recipe = load_recipe(name)
        if "chip_hours" not in recipe.published:
            continue
        hours = recipe.published["chip_hours"]["value"]
        chip = recipe.published["chip"]
        count = recipe.run().total.median()
        q = fc.hardware(chip, chip_hours=hours, stage="rl")
        lo, hi = q.interval(0.9)
        assert lo <= count <= hi, f"{name}: {count:.3g} outside {lo:.3g} - {hi:.3g}"
        checked.append(name)
    assert len(checked) >= 6  # DeepScaleR, DeepSeek-R1(-Zero), Nemotron Ultra, Polaris, ProRL
