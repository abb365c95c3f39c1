"""flopcast: measure and forecast the compute behind AI reasoning models.

>>> import flopcast as fc
>>> fc.hardware("H100", chip_hours=140e3, utilization=fc.ci(0.1, 0.4))
1e23 FLOP (90% CI 5e22 - 2e23)

The public API is the names in ``__all__``; everything else is private. Heavy parts
(dataset loading, forecasts, fits, reports) are imported on first use, and so is numpy: every
name below is loaded on first access (PEP 562), so `flopcast --help` and `import flopcast.cli`
stay light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from flopcast.core.errors import (
    ConfigError,
    DataError,
    ExpressionError,
    FlopcastError,
    InputError,
    PlausibilityWarning,
    ScenarioError,
    UnknownNameError,
)

if TYPE_CHECKING:  # the names below load on first use (PEP 562), see _LAZY
    from flopcast.core.uncertain import (
        Uncertain,
        at_least,
        at_most,
        between,
        ci,
        combine,
        correlate,
        mix,
        point,
    )
    from flopcast.estimate.functions import evaluate
    from flopcast.estimate.methods import (
        chart_ratio,
        chart_value,
        cost,
        hardware,
        operations,
        prior,
        ratio,
        share,
    )

__version__ = "0.1.0"

__all__ = [
    "Uncertain",
    "point",
    "ci",
    "between",
    "at_most",
    "at_least",
    "mix",
    "combine",
    "correlate",
    "evaluate",
    "hardware",
    "operations",
    "cost",
    "ratio",
    "share",
    "chart_value",
    "chart_ratio",
    "prior",
    "peak_flop_per_s",
    "lookup_chip",
    "load_dataset",
    "load_scenario",
    "run_forecast",
    "from_config",
    "load_recipe",
    "step_flop",
    "FlopcastError",
    "InputError",
    "ExpressionError",
    "UnknownNameError",
    "DataError",
    "ConfigError",
    "ScenarioError",
    "PlausibilityWarning",
    "__version__",
]


def peak_flop_per_s(chip: str, precision: str = "bf16") -> float:
    """Peak dense FLOP/s of ``chip`` at ``precision`` from the shipped catalog."""
    from flopcast.estimate import chips as _hw

    return _hw.peak_flop_per_s(chip, precision)


def lookup_chip(name: str) -> Any:
    """The catalog entry for ``name`` (aliases and Epoch spellings accepted)."""
    from flopcast.estimate import chips as _hw

    return _hw.lookup(name)


def load_dataset(extra_dirs: Any = None) -> Any:
    """The shipped model records, with user directories layered over them."""
    from flopcast.evidence import dataset

    return dataset.load(extra_dirs)


def load_scenario(name_or_path: str, overrides: dict[str, str] | None = None) -> Any:
    """A forecast scenario by shipped name or path, with ``key=value`` overrides."""
    from flopcast.forecast import model as _forecast

    return _forecast.load_scenario(name_or_path, overrides)


def run_forecast(scenario: Any = "seed-analysis", *, n: int = 20_000, seed: int = 0) -> Any:
    """Run a forecast scenario (a name, a path or a loaded scenario).

    (Not called ``forecast``: that name is the package ``flopcast.forecast``.)
    """
    from flopcast.forecast import model as _forecast

    if isinstance(scenario, str):
        scenario = _forecast.load_scenario(scenario)
    return _forecast.run(scenario, n=n, seed=seed)


# Names imported on first use (PEP 562) so `import flopcast` does not import numpy.
_QUANTITIES = ("Uncertain", "at_least", "at_most", "between", "ci", "combine", "correlate")
_METHODS = ("chart_ratio", "chart_value", "cost", "hardware", "operations", "prior", "ratio")
_LAZY = {
    **{n: "flopcast.core.uncertain" for n in (*_QUANTITIES, "mix", "point")},
    **{n: "flopcast.estimate.methods" for n in (*_METHODS, "share")},
    "evaluate": "flopcast.estimate.functions",
    "from_config": "flopcast.accounting.architecture",
    "load_recipe": "flopcast.accounting.rl",
    "step_flop": "flopcast.accounting.rl",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'flopcast' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value
