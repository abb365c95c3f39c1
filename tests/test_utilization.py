"""Utilisation priors fitted to published points: the fit's maths, the shipped fits, bad files,
and the must-show check against every shipped RL recipe with published chip-hours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import flopcast as fc
from flopcast.core.errors import DataError
from flopcast.estimate import utilization as ut

DATA = Path(__file__).resolve().parents[1] / "src" / "flopcast" / "data"


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
