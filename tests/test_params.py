"""Parameter specs as data: every key has a kind, a unit, a meaning and a sourced default."""

from __future__ import annotations

import numpy as np
import pytest

from flopcast.accounting.architecture import from_config
from flopcast.core.errors import ScenarioError
from flopcast.forecast.params import PARAMETERS, check_draws, in_use


def test_every_spec_has_its_default_with_a_source():
    assert len(PARAMETERS) == 31  # 18 + 7 data.* (data cap) + 6 money.* (money cap)
    for key, spec in PARAMETERS.items():
        assert spec.key == key and spec.kind in ("quantity", "date", "choice")
        assert spec.description and spec.source, key
        if spec.kind == "choice":
            assert spec.value in spec.choices, key


def test_in_use_by_cap_kind_and_choice():
    assert in_use("cap.share", "share") and not in_use("cap.share", "budget")
    assert in_use("budget.usd_per_year", "budget")
    # the utilisation priors matter only for parity counted in GPU-time
    assert not in_use("utilization.rl", "parity", {"cap.parity_in": "flop"})
    assert in_use("utilization.rl", "parity", {"cap.parity_in": "gpu_time"})


def test_check_draws_names_the_share_outside():
    check_draws("cap.share", np.array([0.5, 1.0]), "x")  # (0, 1]: 1 is allowed
    with pytest.raises(ScenarioError, match=r"must lie in \(0, 1\] fraction .* 25.0% of the draws"):
        check_draws("cap.share", np.array([0.5, 0.7, 0.9, 1.2]), "0.5 to 1.2")  # 1 of 4
    with pytest.raises(ScenarioError, match="'0.5' is outside"):
        check_draws("frontier.growth_per_year", np.array([0.5]), "0.5")


def test_every_data_architecture_choice_is_a_shipped_config():
    for name in PARAMETERS["data.architecture"].choices:
        assert from_config(name).forward_flop_per_token(1000.0) > 0, name


def test_plausible_ranges_are_data_with_a_reason():
    for key in ("reasoning.start_flop", "frontier.flop"):
        assert PARAMETERS[key].plausible == (1e15, 1e31) and PARAMETERS[key].plausible_why
