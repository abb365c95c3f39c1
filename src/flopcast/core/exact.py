"""The exact path: products, quotients and powers of lognormals in closed form, in scalars.

A quantity on this path is ``X = c * exp(m + sum_i a_i Z_i)``: ``c`` the product of its known
positive numbers (kept as a float, so ``123`` stays exactly 123 and ``140k * 3600`` exactly
5.04e8), ``m`` the sum of its lognormals' log-medians, ``a_i`` the coefficient of input ``i``'s
normal score. Then ``Var(ln X) = a' R a`` (``R`` the declared correlations, the identity
otherwise), median ``c e^m``, percentiles ``c e^(m + s z_p)``, mean ``c e^(m + s^2/2)``.
Everything here is plain Python arithmetic on a few numbers (issue 13: no numpy set-up for a
four-input product).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from flopcast.core import checks, graph
from flopcast.core.errors import InputError

if TYPE_CHECKING:
    from flopcast.core.quantity import Uncertain

Form = tuple[float, float, dict[int, float]]  # (c, m, {uid: a})

UNSET = object()


def form(q: Uncertain) -> Form | None:
    """``(c, m, a)`` of ``q``, or None when ``q`` is not a product of lognormals and points."""
    cached = q._form_cache
    if cached is not UNSET:
        return cached  # type: ignore[no-any-return]
    for node in graph.postorder(q, lambda n: n._form_cache is not UNSET):
        node._form_cache = node_form(node)
    return q._form_cache  # type: ignore[no-any-return]


def leaf_form(op: str, args: tuple, inp: Any) -> Any:
    """A constant's or an input's form, computed when it is made (UNSET for other nodes)."""
    if op == "const":
        v = args[0]
        return (float(v), 0.0, {}) if v > 0 else None
    if op == "input":
        if inp.kind == "point":
            v = inp.params["value"]
            return (v, 0.0, {}) if v > 0 else None
        if inp.kind == "lognormal":
            return 1.0, inp.params["mu"], {inp.uid: inp.params["sigma"]}
        return None
    return UNSET


def point_value(q: Uncertain) -> float | None:
    """The value of a known number (a constant, a point, or an exact form without spread)."""
    if q._op == "const":
        return float(q._args[0])
    if q._op == "input" and q._input is not None and q._input.kind == "point":
        return q._input.params["value"]
    f = form(q)
    if f is not None and not f[2]:
        return f[0] if f[1] == 0.0 else f[0] * math.exp(f[1])
    return None


def log_var(a: dict[int, float], corr: frozenset) -> float:
    """``a' R a``: independent inputs add their squared coefficients."""
    total = 0.0
    for c in a.values():
        total += c * c
    for ua, ub, rho in corr:
        ca, cb = a.get(ua), a.get(ub)
        if ca is not None and cb is not None:
            total += 2.0 * rho * ca * cb
    return max(0.0, total)


def euler_shares(a: dict[int, float], corr: frozenset) -> dict[int, float]:
    """``a_i (R a)_i / s^2`` per input uid: the Euler allocation of ``Var(ln X)``."""
    ra = dict(a)
    for ua, ub, rho in corr:
        if ua in a and ub in a:
            ra[ua] += rho * a[ub]
            ra[ub] += rho * a[ua]
    var = sum(a[u] * ra[u] for u in a)
    if var <= 0:
        return {}
    return {u: a[u] * ra[u] / var for u in a}


def value(c: float, m: float) -> float:
    """``c e^m`` without losing an exact ``c`` when ``m`` is 0 (one error beyond the float range)."""
    if m == 0.0:
        return c
    if m < checks.MAX_LOG:
        return c * math.exp(m)
    return checks.exp(math.log(c) + m)


def scaled(c: float, log_x: float) -> float:
    """``c e^log_x`` (a percentile), refusing a result beyond the float range."""
    try:
        out = c * math.exp(log_x)
    except OverflowError:
        out = math.inf
    if out == math.inf and log_x != math.inf:
        if math.log(c) + log_x <= checks.MAX_LOG:
            return math.exp(math.log(c) + log_x)
        raise InputError(
            "a percentile of this quantity is beyond the float range (above 1.8e308); "
            "check the magnitudes and the width of the intervals"
        )
    return out


# ---- private ----------------------------------------------------------------------------------


def product(fa: Form, fb: Form, sign: float) -> Form:
    """The form of ``A * B`` (``sign`` 1) or ``A / B`` (``sign`` -1)."""
    coeffs = dict(fa[2])
    for uid, c in fb[2].items():
        new = coeffs.get(uid, 0.0) + sign * c
        if new == 0.0:
            coeffs.pop(uid, None)
        else:
            coeffs[uid] = new
    scale = fa[0] * fb[0] if sign > 0 else fa[0] / fb[0]
    m = fa[1] + sign * fb[1]
    if not 0.0 < scale < math.inf:  # over- or underflow: carry the factor in log space
        scale, m = 1.0, m + math.log(fa[0]) + sign * math.log(fb[0])
    return scale, m, coeffs


def node_form(q: Uncertain) -> Form | None:
    """The form of one node from its operands' cached forms."""
    op = q._op
    if op == "const" or op == "input":
        return leaf_form(op, q._args, q._input)
    if op in ("mul", "div"):
        fa, fb = q._args[0]._form_cache, q._args[1]._form_cache
        if fa is None or fb is None:
            return None
        return product(fa, fb, 1.0 if op == "mul" else -1.0)
    if op == "pow":
        base, expo = q._args
        fb = base._form_cache
        k = point_value(expo)
        if fb is None or k is None:
            return None
        try:
            scale = fb[0] ** k
        except OverflowError:
            scale = math.inf
        m = k * fb[1]
        if not 0.0 < scale < math.inf:
            scale, m = 1.0, m + k * math.log(fb[0])
        return scale, m, {u: k * c for u, c in fb[2].items() if k * c != 0.0}
    return None
