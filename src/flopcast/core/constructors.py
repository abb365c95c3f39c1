"""Constructors of uncertain quantities: how evidence is written down.

``point`` (a known number), ``ci`` (a central interval, lognormal unless ``dist="normal"``),
``between`` (log-uniform), ``at_most``/``at_least`` (one-sided bounds with a stated assumed
other end), ``mix`` (a mixture), ``named`` (name an anonymous input), ``correlate`` (a Gaussian
copula between two inputs), ``minimum``/``maximum`` and ``sample_many`` (joint draws).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from flopcast.core import checks, fmt, graph, montecarlo, units
from flopcast.core.errors import InputError
from flopcast.core.inputs import Input
from flopcast.core.quantity import (
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    Uncertain,
    as_uncertain,
    binary,
)

Number = int | float
_TWO_Z90 = 2 * checks.z(0.95)  # the width of a central 90% interval in standard deviations

__all__ = [
    "Number",
    "as_uncertain",
    "at_least",
    "at_most",
    "between",
    "ci",
    "correlate",
    "maximum",
    "minimum",
    "mix",
    "named",
    "point",
    "sample_many",
]


_NO_CORR: frozenset = frozenset()


def point(
    value: Number,
    name: str = "",
    *,
    description: str = "",
    source: str = "",
    unit: str | None = None,
) -> Uncertain:
    """A known number. Named points are listed among a result's inputs (its assumptions)."""
    if not name and unit is None and type(value) is float and -1e300 <= value <= 1e300:
        return Uncertain("const", (value,))  # the common case in one test (MAX_MAGNITUDE)
    value = checks.finite(value, name or "value")
    if not name:
        return Uncertain("const", (float(value),), unit=unit)
    inp = Input(name, "point", {"value": float(value)}, description, source)
    return Uncertain("input", input=inp, unit=unit)


def ci(
    lo: Number,
    hi: Number,
    level: float = 0.9,
    *,
    dist: str = "lognormal",
    name: str = "",
    description: str = "",
    source: str = "",
    unit: str | None = None,
) -> Uncertain:
    """A quantity whose central ``level`` interval is ``[lo, hi]`` (lognormal unless dist="normal")."""
    if type(lo) is int and -(2**53) <= lo <= 2**53:  # exactly representable: fast
        lo = float(lo)
    if type(hi) is int and -(2**53) <= hi <= 2**53:
        hi = float(hi)
    if (
        level == 0.9
        and dist == "lognormal"
        and type(lo) is float
        and type(hi) is float
        and 0.0 < lo < hi <= checks.MAX_MAGNITUDE
    ):  # the common case, checked in one go (the exact path's speed, issue 13)
        log_lo, log_hi = math.log(lo), math.log(hi)
        mu, sigma = (log_lo + log_hi) / 2, (log_hi - log_lo) / _TWO_Z90
        params = {"lo": lo, "hi": hi, "level": 0.9, "mu": mu, "sigma": sigma}
        inp = Input(name or None, "lognormal", params, description, source, None, bool(name))
        # its exact form, as exact.leaf_form would make it (1 * e^(mu + sigma Z)); NB: the
        # arguments by position, which Python passes faster (the exact path's speed, issue 13)
        return Uncertain("input", (), inp, _NO_CORR, unit, (1.0, mu, {inp.uid: sigma}))
    label = name or "interval"
    if not (type(lo) is float and -checks.MAX_MAGNITUDE <= lo <= checks.MAX_MAGNITUDE):
        lo = checks.finite(lo, f"{label} lower bound")
    if not (type(hi) is float and -checks.MAX_MAGNITUDE <= hi <= checks.MAX_MAGNITUDE):
        hi = checks.finite(hi, f"{label} upper bound")
    if level != 0.9:
        checks.level(level)
    if lo > hi:
        raise InputError(
            f"{label}: lower bound {fmt.number(lo)} is above upper bound {fmt.number(hi)}; "
            "write the interval as 'lo to hi' with lo <= hi"
        )
    if dist not in ("lognormal", "normal"):
        raise InputError(f"{label}: unknown distribution {dist!r}; allowed: 'lognormal', 'normal'")
    if dist == "lognormal" and lo <= 0:
        raise InputError(
            f"{label}: a lognormal interval needs positive bounds, got "
            f"{fmt.number(lo)} to {fmt.number(hi)} (use dist='normal' for values that can be <= 0)"
        )
    if lo == hi:
        return point(lo, name, description=description, source=source, unit=unit)
    z = checks.z((1 + level) / 2)
    if dist == "lognormal":
        log_lo, log_hi = math.log(lo), math.log(hi)
        mu = (log_lo + log_hi) / 2
        sigma = (log_hi - log_lo) / (2 * z)
    else:
        mu = (lo + hi) / 2
        sigma = (hi - lo) / (2 * z)
    inp = Input(
        name or None,
        dist,
        {"lo": lo, "hi": hi, "level": level, "mu": mu, "sigma": sigma},
        description,
        source,
        named=bool(name),
    )
    return Uncertain("input", input=inp, unit=unit)


def between(
    lo: Number,
    hi: Number,
    *,
    name: str = "",
    description: str = "",
    source: str = "",
    unit: str | None = None,
) -> Uncertain:
    """Log-uniform on ``[lo, hi]``: every order of magnitude in the range equally likely."""
    label = name or "between"
    lo = checks.finite(lo, f"{label} lower bound")
    hi = checks.finite(hi, f"{label} upper bound")
    if lo <= 0 or hi <= 0:
        raise InputError(
            f"{label}: a log-uniform range needs positive bounds, got {fmt.number(lo)}, {fmt.number(hi)}"
        )
    if lo > hi:
        raise InputError(
            f"{label}: lower bound {fmt.number(lo)} is above upper bound {fmt.number(hi)}"
        )
    if lo == hi:
        return point(lo, name, description=description, source=source, unit=unit)
    inp = Input(
        name or None,
        "loguniform",
        {"lo": lo, "hi": hi},
        description,
        source,
        named=bool(name),
    )
    return Uncertain("input", input=inp, unit=unit)


def at_most(
    x: Number,
    *,
    span: float = 100.0,
    name: str = "",
    description: str = "",
    source: str = "",
    unit: str | None = None,
) -> Uncertain:
    """An upper bound read as the 95th percentile; assumes the 5th is ``x / span`` (default 2 OOM below)."""
    return _one_sided("at most", x, span, name, description, source, unit)


def at_least(
    x: Number,
    *,
    span: float = 100.0,
    name: str = "",
    description: str = "",
    source: str = "",
    unit: str | None = None,
) -> Uncertain:
    """A lower bound read as the 5th percentile; assumes the 95th is ``x * span`` (default 2 OOM above)."""
    return _one_sided("at least", x, span, name, description, source, unit)


def _one_sided(
    kind: str, x: Any, span: Any, name: str, description: str, source: str, unit: str | None
) -> Uncertain:
    x = checks.positive(x, name or kind.replace(" ", "_"))
    span = checks.span(span)
    lo, hi = (x / span, x) if kind == "at most" else (x, x * span)
    other = "lower end = bound / " if kind == "at most" else "upper end = bound x "
    stated = f"{kind} {fmt.number(x)}; assumed 90% CI {fmt.number(lo)} - {fmt.number(hi)} ({other}{fmt.number(span)})"
    full = (description + "; " if description else "") + stated
    q = ci(lo, hi, name=name, description=full, source=source, unit=unit)
    return q if name else _renamed(q, f"{kind} {fmt.number(x)}")


def _renamed(q: Uncertain, label: str) -> Uncertain:
    assert q._input is not None
    return Uncertain("input", input=q._input.replace(name=label), corr=q._corr, unit=q._unit)


def mix(
    components: Sequence[Any],
    weights: Sequence[float] | None = None,
    *,
    name: str = "",
    description: str = "",
    source: str = "",
) -> Uncertain:
    """A mixture: with probability ``weights[i]`` the value is drawn from ``components[i]``."""
    if len(components) > checks.MAX_MIX_PARTS:
        raise InputError(
            f"mix has {len(components):,} components; the limit is {checks.MAX_MIX_PARTS} "
            "(merge components or describe the spread with one interval)"
        )
    comps = [as_uncertain(c) for c in components]
    if len(comps) < 2:
        raise InputError("mix needs at least two components")
    comps, unit = _same_unit(comps)
    w = [1.0] * len(comps) if weights is None else [float(x) for x in weights]
    if len(w) != len(comps):
        raise InputError(
            f"mix got {len(comps)} components but {len(w)} weights; give one weight each"
        )
    if any(not math.isfinite(x) or x < 0 for x in w) or sum(w) <= 0:
        raise InputError(f"mix weights must be non-negative and not all zero, got {w}")
    total = sum(w)
    probs = tuple(x / total for x in w)
    inp = Input(
        name or "mixture",
        "mixture",
        {"components": len(comps), **{f"w{i}": p for i, p in enumerate(probs)}},
        description,
        source,
        named=bool(name),
    )
    return Uncertain("mix", (inp, tuple(comps), probs), corr=graph.merge_corr(comps), unit=unit)


def _same_unit(comps: list[Uncertain]) -> tuple[list[Uncertain], units.Unit | None]:
    """Components in one unit (converted to SI when written in different scales)."""
    first = comps[0]._unit
    if all(c._unit == first for c in comps):
        return comps, first
    unit = first
    for c in comps[1:]:
        unit, _, _ = units.add(unit, c._unit, "mix")
    if unit is None or unit.dims is None:
        return comps, unit
    return [c * (c._unit.scale if c._unit is not None else 1.0) for c in comps], unit


def named(
    q: Any, name: str, *, description: str = "", source: str = "", unit: str | None = None
) -> Uncertain:
    """Give a quantity an input name (and description) unless its user already named it.

    Plain numbers become named points; a single input with a made-up name takes ``name``;
    anything else is returned unchanged (its own inputs keep their names).
    """
    if not isinstance(q, Uncertain):
        out = point(checks.finite(q, name), name, description=description, source=source)
        return out.with_unit(unit) if unit else out
    if q._op == "input" and q._input is not None and not q._input.named:
        inp = q._input.replace(
            name=name,
            named=True,
            description=q._input.description or description,
            source=q._input.source or source,
        )
        out = Uncertain("input", input=inp, corr=q._corr, unit=q._unit or unit)
        out._meta = dict(q._meta)
        return out
    if unit and q._unit is None:
        return q.with_unit(unit)
    return q


def correlate(
    a: Uncertain, b: Uncertain, rho: float, *, kind: str = "log"
) -> tuple[Uncertain, Uncertain]:
    """Declare a correlation between two inputs; returns copies of both carrying it.

    ``kind="log"``: ``rho`` is the correlation of the normal scores (of ``ln X`` for lognormals).
    ``kind="rank"``: ``rho`` is Spearman's rank correlation, converted for a Gaussian copula.
    """
    for q, label in ((a, "first"), (b, "second")):
        if (
            not isinstance(q, Uncertain)
            or q._op != "input"
            or q._input is None
            or q._input.kind == "point"
        ):
            raise InputError(
                f"correlate: the {label} argument must be a single uncertain input "
                "(made by ci, between, at_most or at_least), not a derived quantity"
            )
    rho = checks.finite(rho, "correlation")
    if kind == "rank":
        rho = 2 * math.sin(math.pi * rho / 6)
    elif kind != "log":
        raise InputError(f"correlate: unknown kind {kind!r}; allowed: 'log', 'rank'")
    if not -1 < rho < 1:
        raise InputError(f"correlate: correlation must be strictly between -1 and 1, got {rho}")
    assert a._input is not None and b._input is not None
    ua, ub = a._input.uid, b._input.uid
    if ua == ub:
        raise InputError("correlate: an input is already perfectly correlated with itself")
    pair = (min(ua, ub), max(ua, ub), float(rho))
    corr = graph.merge_corr([a, b]) | {pair}
    graph.check_pairs(corr)
    a2 = a._copy()
    b2 = b._copy()
    a2._corr = b2._corr = frozenset(corr)
    a2._sample_cache, b2._sample_cache = {}, {}
    return a2, b2


def sample_many(
    quantities: Sequence[Any], n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
) -> list[np.ndarray]:
    """Joint draws of several quantities: shared inputs (and declared correlations) hold across them."""
    qs = [as_uncertain(q) for q in quantities]
    if int(n) < 1:
        raise InputError(f"the number of samples must be at least 1, got {n}")
    leaves: dict[int, Input] = {}
    for q in qs:
        for uid, inp in graph.leaves(q).items():
            leaves.setdefault(uid, inp)
    ctx = montecarlo.Context(int(n), int(seed), leaves, graph.keys(leaves), graph.merge_corr(qs))
    checks.memory(int(n), sum(graph.size(q) for q in qs) + len(leaves))
    return [montecarlo.sample(q, ctx) for q in qs]


def minimum(a: Any, b: Any) -> Uncertain:
    """Elementwise minimum (Monte Carlo)."""
    return binary("min", a, b)


def maximum(a: Any, b: Any) -> Uncertain:
    """Elementwise maximum (Monte Carlo)."""
    return binary("max", a, b)
