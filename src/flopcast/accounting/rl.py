"""FLOP of a reinforcement-learning run, phase by phase, from an architecture and a recipe.

The public face of the RL accounting; its names are stable. The work lives in:

- :mod:`flopcast.accounting.step`: the phases of one step (generation prefill and decode,
  old and reference log-probs, critic, reward model, update) from lengths given as numbers,
  Uncertain quantities, histograms or per-sequence arrays (:func:`step_flop`, the O(1) fast path
  a run ledger calls per step);
- :mod:`flopcast.accounting.algorithms`: which passes each algorithm runs (data);
- :mod:`flopcast.accounting.recipe`: recipe files, validated, and their run totals;
- :mod:`flopcast.accounting.hardware`: chip-hours, rental cost and implied utilisation.
"""

from __future__ import annotations

from flopcast.accounting.algorithms import Algorithm, algorithm, algorithms, get_algorithm
from flopcast.accounting.hardware import chip_hours, cost_usd, implied_utilization
from flopcast.accounting.recipe import (
    Recipe,
    RunResult,
    list_recipes,
    load_recipe,
    parse_recipe,
    recipe_dir,
    summarize,
)
from flopcast.accounting.step import (
    PHASES,
    Coefficients,
    Histogram,
    Stage,
    coefficients,
    stage_flop,
    step_flop,
)

__all__ = [
    "PHASES",
    "Recipe",
    "RunResult",
    "load_recipe",
    "parse_recipe",
    "list_recipes",
    "recipe_dir",
    "summarize",
    "Algorithm",
    "algorithm",
    "algorithms",
    "get_algorithm",
    "Histogram",
    "Stage",
    "Coefficients",
    "coefficients",
    "step_flop",
    "stage_flop",
    "chip_hours",
    "cost_usd",
    "implied_utilization",
]
