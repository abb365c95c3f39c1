"""flopcast's own operation count as a line of evidence: the total of shipped RL recipes.

A record line ``recipe: deepseek-r1-zero`` (or a list, summed: one run made of several recipes)
has as its value the recipe's FLOP total from :mod:`flopcast.accounting.rl`, with the
uncertainty of the recipe's uncertain settings (steps, lengths, ...). An unknown recipe name is
a one-line :class:`~flopcast.core.errors.DataError` with the closest shipped names.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from flopcast.accounting import rl
from flopcast.core.errors import DataError, FlopcastError


def recipe_total(names: Sequence[str]) -> Any:
    """The summed FLOP total of the named shipped recipes (an Uncertain, unit FLOP)."""
    total: Any = None
    for name in names:
        part = _run_total(name)
        total = part if total is None else total + part
    assert total is not None  # the schema refuses an empty list
    label = " + ".join(names)
    return total.with_unit("FLOP").with_meta(
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
