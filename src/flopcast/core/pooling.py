"""Pooling lines of evidence about one quantity: :func:`combine`.

Precision weighting in log space is the exact Bayesian pooling of independent lognormal lines;
the chi-square of the lines against the pooled value says whether they disagree beyond their
stated uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from flopcast.core import exact, units
from flopcast.core.constructors import as_uncertain
from flopcast.core.errors import InputError
from flopcast.core.quantity import Uncertain


def combine(lines: Sequence[Any], *, method: str = "precision", name: str = "") -> Uncertain:
    """Pool independent lines of evidence about one positive quantity.

    ``method="precision"``: the precision-weighted mean in log space,
    ``prod_i X_i^(w_i / W)`` with ``w_i = 1 / Var(ln X_i)``, ``W = sum w_i``; for independent
    lognormal lines this is the exact Bayesian pooling and its log-variance is ``1 / W``.
    ``method="geometric"``: the equal-weight geometric mean ``prod_i X_i^(1/k)``.
    The result's ``.disagreement`` reports a chi-square test of the lines against the pooled
    value (``consistent`` is False when p < 0.05: the lines disagree beyond their stated
    uncertainty). NB: weights treat the lines as independent even if they share inputs.
    """
    qs = [as_uncertain(x) for x in lines]
    if len(qs) < 2:
        raise InputError("combine needs at least two lines of evidence")
    if method not in ("precision", "geometric"):
        raise InputError(f"combine: unknown method {method!r}; allowed: 'precision', 'geometric'")
    ms, vs = [], []
    for i, q in enumerate(qs):
        m, v = _log_moments(q)
        if v <= 0:
            raise InputError(
                f"combine: line {i + 1} ({q!r}) states no uncertainty; every line "
                "needs an interval to be weighted"
            )
        ms.append(m)
        vs.append(v)
    if method == "precision":
        w = [1 / v for v in vs]
    else:
        w = [1.0] * len(qs)
    total_w = sum(w)
    out: Uncertain = as_uncertain(1.0)
    for q, wi in zip(qs, w, strict=True):
        out = out * q.with_unit(None) ** (wi / total_w)
    prec = [1 / v for v in vs]
    m_hat = sum(p * m for p, m in zip(prec, ms, strict=True)) / sum(prec)
    chi2 = sum(p * (m - m_hat) ** 2 for p, m in zip(prec, ms, strict=True))
    dof = len(qs) - 1
    p_value = _chi2_sf(chi2, dof)
    out._unit = _pooled_unit(qs)
    out = out.with_meta(
        method=f"combine ({method})",
        assumptions=[f"{len(qs)} lines treated as independent evidence"],
    )
    out.disagreement = {
        "chi2": chi2,
        "dof": dof,
        "p_value": p_value,
        "consistent": p_value >= 0.05,
        "medians": [math.exp(m) for m in ms],
        "ratio_max_min": math.exp(max(ms) - min(ms)),
        "z_scores": [(m - m_hat) / math.sqrt(v) for m, v in zip(ms, vs, strict=True)],
        "name": name,
    }
    return out


def _log_moments(q: Uncertain) -> tuple[float, float]:
    f = exact.form(q)
    if f is not None:
        return math.log(f[0]) + f[1], exact.log_var(f[2], q._corr)
    x = q.samples()
    if np.any(x <= 0):
        raise InputError(f"combine needs positive quantities; {q!r} can be <= 0")
    lx = np.log(x)
    return float(lx.mean()), float(lx.var())


def _chi2_sf(x: float, dof: int) -> float:
    from scipy.special import chdtrc  # lazily: scipy costs 0.3 s; keeps `flopcast --help` light

    return float(chdtrc(dof, x))


def _pooled_unit(qs: list[Uncertain]) -> units.Unit | None:
    """The lines' common unit (a line without one takes it); different units are an error."""
    known = [q for q in qs if q._unit is not None]
    if not known:
        return None
    unit = known[0]._unit
    for q in known[1:]:
        if q._unit != unit:
            unit, fa, fb = units.add(unit, q._unit, "combine")
            if fa != 1.0 or fb != 1.0:
                raise InputError(
                    f"combine: the lines are written in {known[0].unit} and {q.unit}; "
                    "convert them to one unit first"
                )
    return unit
