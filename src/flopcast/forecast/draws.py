"""A scenario turned into numbers: quantities as uncertain values, then arrays of draws.

:func:`quantities` evaluates every quantity parameter the scenario uses once (expressions of
:mod:`flopcast.core.expr`, dataset references resolved by
:class:`~flopcast.forecast.references.References`) and every date to a decimal year. The exact
path (:mod:`flopcast.forecast.exact`) reads those quantities in closed form; :func:`draw`
samples them for Monte Carlo.

NB: parameters are drawn independently of one another (each from a generator seeded by the
run's seed and the parameter key), except that parameters referencing the dataset share the
run's seed, so evidence common to two of them (a record's RL figure derived from its
pre-training) is one draw in both.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from flopcast.core.dates import to_year
from flopcast.core.errors import FlopcastError, ScenarioError
from flopcast.core.uncertain import Uncertain, as_uncertain
from flopcast.estimate.functions import evaluate
from flopcast.forecast.params import check_draws
from flopcast.forecast.references import References
from flopcast.forecast.scenario import Scenario, check_date_order

__all__ = ["Draws", "Quantities", "draw", "param_seed", "quantities"]


@dataclass
class Quantities:
    """Every parameter a scenario uses, evaluated once: uncertain quantities and decimal years."""

    scenario: Scenario
    values: dict[str, Uncertain]  # quantity key -> its uncertain value (in the spec's unit)
    years: dict[str, float]  # date key -> decimal year (NaN if left empty)
    cap_kind: str
    resolved: dict[str, str]  # reference -> what it resolved to (record id and date)
    choices: dict[str, str] = field(default_factory=dict)  # choice key -> its value
    records: dict[str, str] = field(default_factory=dict)  # record id -> release date used
    dataset: Any = None  # the dataset, when a reference needed it

    def shares_inputs(self, a: str, b: str) -> bool:
        """Whether two parameters' draws are dependent (both from the dataset, common inputs)."""
        if "@" not in self.scenario.value(a) or "@" not in self.scenario.value(b):
            return False
        ua = {i.uid for i in self.values[a].inputs()}
        return bool(ua & {i.uid for i in self.values[b].inputs()})


@dataclass
class Draws:
    """A scenario turned into numbers: arrays of ``n`` draws and decimal-year dates."""

    n: int
    values: dict[str, np.ndarray]  # quantity key -> draws in the spec's unit
    years: dict[str, float]  # date key -> decimal year (NaN if left empty)
    cap_kind: str
    resolved: dict[str, str]  # reference -> what it resolved to (record id and date)
    choices: dict[str, str] = field(default_factory=dict)  # choice key -> its value


def quantities(sc: Scenario, dataset: Any = None) -> Quantities:
    """Evaluate every parameter in use once; ``dataset`` is loaded only if a value needs it."""
    as_of = sc.values["evidence.as_of"].date
    refs = References(dataset, as_of, sc.path)
    kind = sc.cap_kind
    years: dict[str, float] = {}
    dates = {}
    values: dict[str, Uncertain] = {}
    choices: dict[str, str] = {}
    for key in sc.in_use():
        v = sc.values[key]
        if v.kind == "date":
            if v.ref is not None:
                dates[key] = refs.date(v.ref, key)
            elif v.date is not None:
                dates[key] = v.date
            years[key] = to_year(dates[key]) if key in dates else math.nan
        elif v.kind == "quantity":
            values[key] = _evaluate(sc, key, v.text, v.number, refs)
        else:
            choices[key] = v.text
    check_date_order(dates, sc.path)
    return Quantities(
        scenario=sc,
        values=values,
        years=years,
        cap_kind=kind,
        resolved=dict(refs.resolved),
        choices=choices,
        records=dict(refs.records),
        dataset=refs.ds if refs.loaded else None,
    )


def draw(sc: Scenario | Quantities, n: int, seed: int, dataset: Any = None) -> Draws:
    """Sample every quantity parameter ``n`` times (each seeded by ``(seed, crc32(key))``)."""
    q = sc if isinstance(sc, Quantities) else quantities(sc, dataset)
    values: dict[str, np.ndarray] = {}
    for key, u in q.values.items():
        text = q.scenario.value(key)
        # NB: parameters that reference the dataset share the run's seed, so a record's
        # evidence used by two of them is the same draw (inputs are seeded by name); the others
        # get a seed of their own, so equal texts ("3 to 5" twice) stay independent.
        own = seed if "@" in text else param_seed(seed, key)
        x = np.asarray(u.samples(n, seed=own), dtype=float)
        check_draws(key, x, text, q.scenario.path)
        values[key] = x
    return Draws(
        n=n,
        values=values,
        years=q.years,
        cap_kind=q.cap_kind,
        resolved=q.resolved,
        choices=q.choices,
    )


def param_seed(seed: int, key: str) -> int:
    """The seed of one parameter: the run's seed mixed with the key, stable across runs."""
    return int(np.random.SeedSequence([int(seed), zlib.crc32(key.encode())]).generate_state(1)[0])


def _evaluate(sc: Scenario, key: str, text: str, number: float | None, refs: References) -> Any:
    if number is not None:
        return as_uncertain(number)
    try:
        q = evaluate(text, resolve=partial(refs.quantity, key=key))
    except ScenarioError:
        raise
    except FlopcastError as exc:
        first = str(exc).splitlines()[0]
        raise ScenarioError(f"cannot evaluate {text!r}: {first}", path=sc.path, field=key) from None
    if getattr(q, "is_exact", False):
        try:  # NB: an exact lognormal beyond float range overflows when its percentiles are read
            q.percentile([5, 95])
        except OverflowError:
            raise ScenarioError(
                f"{text!r} overflows: its values pass the largest float (~1.8e308)",
                path=sc.path,
                field=key,
            ) from None
    return q
