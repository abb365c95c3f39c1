"""flopcast's own operation count as a line of evidence: the total of shipped RL recipes.

A record line ``recipe: deepseek-r1-zero`` (or a list, summed: one run made of several recipes)
has as its value the recipe's FLOP total from :mod:`flopcast.accounting.rl`, with the
uncertainty of the recipe's uncertain settings (steps, lengths, ...). An unknown recipe name is
a one-line :class:`~flopcast.core.errors.DataError` with the closest shipped names.

NB: the total is a sum over phases and stages, a Monte Carlo quantity. As a line of evidence it
is summarised as the lognormal with the same 5th and 95th percentiles (measured on
:data:`SAMPLES` draws, seed 0), one named input ``recipe count NAME``: pooling and the bound
checks then stay exact and fast, at the cost of the recipe's per-setting breakdown of the
spread, which ``flopcast rl NAME`` shows. The median becomes ``sqrt(p5 x p95)``, within a few
per cent of the sampled median for the shipped recipes.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from flopcast.accounting import rl
from flopcast.core.errors import DataError, FlopcastError
from flopcast.core.uncertain import ci

SAMPLES = 20_000


@lru_cache(maxsize=64)
def _line(names: tuple[str, ...]) -> Any:
    return _summarised(names)


def recipe_total(names: Sequence[str]) -> Any:
    """The summed FLOP total of the named shipped recipes as a lognormal line (unit FLOP)."""
    return _line(tuple(names))


def _summarised(names: Sequence[str]) -> Any:
    total: Any = None
    for name in names:
        part = _run_total(name)
        total = part if total is None else total + part
    assert total is not None  # the schema refuses an empty list
    label = " + ".join(names)
    p5, p95 = total.percentile([5, 95], n=SAMPLES, seed=0)
    summary = ci(
        p5,
        p95,
        name=f"recipe count {label}",
        description=f"flopcast's operation count of {label}: the recipe total's 5th-95th "
        f"percentiles ({SAMPLES:,} draws) as a lognormal; per-setting shares: flopcast rl NAME",
    )
    return summary.with_unit("FLOP").with_meta(
        method="recipe count",
        assumptions=[f"operation count of recipe {label} (data/recipes/, flopcast rl NAME)"],
    )


@lru_cache(maxsize=64)
def _run_total(name: str) -> Any:
    shipped = rl.list_recipes()
    if name.lower() not in shipped:
        close = difflib.get_close_matches(name.lower(), shipped, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise DataError(
            f"unknown recipe {name!r}; {hint}a recipe line names a shipped recipe "
            f"({', '.join(shipped)})"
        )
    try:
        return rl.load_recipe(name).run().total
    except FlopcastError as exc:
        raise DataError(f"recipe {name!r} cannot be counted: {exc}") from None
