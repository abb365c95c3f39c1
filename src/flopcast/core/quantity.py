"""The :class:`Uncertain` type: one expression tree over named inputs, with its summaries.

What a sample means, which path answers (exact, closed form, Monte Carlo) and what
independence is assumed are stated at the top of :mod:`flopcast.core.uncertain`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from flopcast.core import arith, checks, closedform, exact, fmt, graph, montecarlo, units
from flopcast.core import summary as _summary
from flopcast.core.errors import InputError
from flopcast.core.inputs import Input
from flopcast.core.montecarlo import Context

DEFAULT_SAMPLES = 100_000
DEFAULT_SEED = 0
_NO_META: dict[str, Any] = {}
_UNSET = exact.UNSET


class Uncertain:
    """An uncertain (or exact) quantity. Build with :func:`ci`, :func:`point`, ... and arithmetic."""

    __slots__ = (
        "_op",
        "_args",
        "_input",
        "_corr",
        "_unit",
        "_meta",
        "_form_cache",
        "_dist_cache",
        "_sd",
        "_sample_cache",
        "disagreement",
        "__weakref__",
    )

    def __init__(
        self,
        op: str,
        args: tuple = (),
        input: Input | None = None,
        corr: frozenset = frozenset(),
        unit: units.Unit | str | None = None,
        form: Any = _UNSET,  # an input's exact form, when its maker has it at hand
    ):
        # op: "const", "input", "add", "sub", "mul", "div", "pow", "neg", "min", "max", "mix"
        self._op = op
        self._args = args
        self._input = input
        self._corr = corr  # frozenset of (uid_a, uid_b, rho) with uid_a < uid_b
        self._unit: units.Unit | None = (
            unit if unit is None or type(unit) is units.Unit else units.parse(unit)
        )
        self._meta: dict[str, Any] = _NO_META  # shared and never changed in place
        if op == "const":  # a known number's exact form, made here (the common case)
            v = args[0]
            self._form_cache: Any = (float(v), 0.0, {}) if v > 0 else None
        elif op == "input":
            self._form_cache = exact.leaf_form(op, args, input) if form is _UNSET else form
        else:
            self._form_cache = _UNSET
        self._dist_cache: Any = _UNSET
        self._sd = -1.0  # the exact path's log-sd, computed once
        self._sample_cache: dict[tuple[int, int], tuple[np.ndarray, Context]] = {}
        self.disagreement: dict[str, Any] | None = None

    # ---- metadata -------------------------------------------------------------------------
    @property
    def unit(self) -> str | None:
        """The unit as text (``"FLOP"``, ``"FLOP/s"``), None for a plain number."""
        return self._unit.label if self._unit is not None else None

    @property
    def dimension(self) -> units.Unit | None:
        """The unit with its dimension vector (see :mod:`flopcast.core.units`)."""
        return self._unit

    def with_unit(self, unit: str | None) -> Uncertain:
        """The same quantity labelled ``unit`` (a relabelling: the value is not converted)."""
        out = self._copy()
        out._unit = units.parse(unit)
        return out

    def with_meta(self, **meta: Any) -> Uncertain:
        out = self._copy()
        out._meta = {**self._meta, **meta}
        return out

    @property
    def method(self) -> str | None:
        return self._meta.get("method")

    @property
    def assumptions(self) -> list[str]:
        return list(self._meta.get("assumptions", []))

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self._meta)

    def _copy(self) -> Uncertain:
        out = Uncertain(self._op, self._args, self._input, self._corr, self._unit)
        out._meta = dict(self._meta)
        out._form_cache = self._form_cache
        out._dist_cache = self._dist_cache
        out._sample_cache = self._sample_cache
        out.disagreement = self.disagreement
        return out

    # ---- arithmetic -----------------------------------------------------------------------
    def __add__(self, other: Any) -> Uncertain:
        return binary("add", self, other)

    def __radd__(self, other: Any) -> Uncertain:
        return binary("add", other, self)

    def __sub__(self, other: Any) -> Uncertain:
        return binary("sub", self, other)

    def __rsub__(self, other: Any) -> Uncertain:
        return binary("sub", other, self)

    def __mul__(self, other: Any) -> Uncertain:
        kind = type(other)
        if kind is Uncertain:
            out = _exact_product("mul", self, other, 1.0)
            if out is not None:
                return out
        elif (
            (kind is float or kind is int)
            and self._op == "const"
            and self._unit is None
            and -checks.MAX_MAGNITUDE <= other <= checks.MAX_MAGNITUDE
        ):  # a known number times a number, folded inline as binary() folds it
            v = self._args[0] * other
            if -math.inf < v < math.inf:
                return Uncertain("const", (float(v),))
        return binary("mul", self, other)

    def __rmul__(self, other: Any) -> Uncertain:
        return binary("mul", other, self)

    def __truediv__(self, other: Any) -> Uncertain:
        if type(other) is Uncertain:
            out = _exact_product("div", self, other, -1.0)
            if out is not None:
                return out
        return binary("div", self, other)

    def __rtruediv__(self, other: Any) -> Uncertain:
        return binary("div", other, self)

    def __pow__(self, other: Any) -> Uncertain:
        return binary("pow", self, other)

    def __rpow__(self, other: Any) -> Uncertain:
        return binary("pow", other, self)

    def __neg__(self) -> Uncertain:
        return Uncertain("neg", (self,), corr=self._corr, unit=self._unit)

    def __pos__(self) -> Uncertain:
        return self

    def __float__(self) -> float:
        """A known number's value; an uncertain quantity has none (use ``median()``)."""
        if not self.is_point:
            raise InputError(
                f"{self!r} is uncertain and has no single value; use .median() or .percentile()"
            )
        return self.median()

    # ---- structure ------------------------------------------------------------------------
    @property
    def is_exact(self) -> bool:
        """True when every summary is computed in closed form (no sampling)."""
        return exact.form(self) is not None

    @property
    def is_point(self) -> bool:
        f = exact.form(self)
        if f is not None:
            return not f[2]
        return self._op == "const"

    def inputs(self) -> list[Input]:
        """The named inputs this quantity depends on, in order of first appearance."""
        return [inp for inp in graph.leaves(self).values() if inp.name]

    def input_names(self) -> dict[int, str]:
        """uid -> the name used for seeding and contributions (``name#2`` for a repeated name)."""
        return graph.keys(graph.leaves(self))

    # ---- summaries ------------------------------------------------------------------------
    def median(self, *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED) -> float:
        f = self._form_cache
        if f is not None and f is not _UNSET:
            return exact.value(f[0], f[1])  # the exact path: c e^m
        return self.percentile(50, n=n, seed=seed)  # type: ignore[no-any-return]

    def mean(self, *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED) -> float:
        f = self._form_cache
        if f is _UNSET:
            f = exact.form(self)
        if f is not None:
            c, m, a = f
            if not a:
                return exact.value(c, m)
            sd = self._log_sd(a)
            x = math.log(c) + m + sd * sd / 2
            return math.exp(x) if x < 700.0 else checks.exp(x, "the mean")
        dist = self._dist()
        if dist is not None:
            return dist.mean()
        return float(np.mean(self.samples(n, seed)))

    def percentile(
        self, q: float | Sequence[float], *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
    ) -> Any:
        """The q-th percentile (0-100); a list of q gives a list."""
        f = self._form_cache
        if f is not None and f is not _UNSET and isinstance(q, (int, float)) and 0 <= q <= 100:
            c, m, a = f  # the exact path for one percentile, in scalars
            if not a:
                return exact.value(c, m)
            x = m + self._log_sd(a) * checks.z(q / 100)
            return c * math.exp(x) if -700.0 < x < 700.0 else exact.scaled(c, x)
        many = not isinstance(q, (int, float))
        try:
            qs = [float(p) for p in q] if not isinstance(q, (int, float)) else [float(q)]
        except (TypeError, ValueError, OverflowError):
            raise InputError(f"percentile must be between 0 and 100, got {q!r:.60}") from None
        for p in qs:
            if not 0.0 <= p <= 100.0:  # also refuses NaN
                raise InputError(f"percentile must be between 0 and 100, got {q!r}")
        f = exact.form(self)
        if f is not None:
            c, m, a = f
            sd = self._log_sd(a) if a else 0.0
            out = [
                exact.scaled(c, m + sd * checks.z(p / 100)) if a else exact.value(c, m) for p in qs
            ]
            return out if many else out[0]
        uniq = sorted(set(qs))  # one value per distinct p (closed form: monotone to the last bit)
        if (dist := self._dist()) is not None:
            found = np.maximum.accumulate(dist.quantiles([p / 100 for p in uniq])).tolist()
        else:
            found = np.percentile(self.samples(n, seed), uniq).tolist()
        values = dict(zip(uniq, found, strict=True))
        out = [values[p] for p in qs]
        return out if many else out[0]

    def interval(
        self, level: float = 0.9, *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
    ) -> tuple[float, float]:
        """Central interval holding ``level`` of the probability."""
        checks.level(level)
        lo, hi = self.percentile([50 * (1 - level), 50 * (1 + level)], n=n, seed=seed)
        return lo, hi

    def width_oom(
        self, level: float = 0.9, *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
    ) -> float:
        """Width of the central interval in orders of magnitude, log10(hi / lo)."""
        lo, hi = self.interval(level, n=n, seed=seed)
        if lo <= 0:
            raise InputError(
                "width in orders of magnitude needs a positive interval; "
                f"this one is {fmt.interval(lo, hi)}"
            )
        return math.log10(hi / lo)

    def prob_above(
        self, threshold: float, *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
    ) -> float:
        """P(X > threshold)."""
        threshold = checks.finite(threshold, "threshold")
        f = exact.form(self)
        if f is not None:
            c, m, a = f
            if threshold <= 0:
                return 1.0
            sd = math.sqrt(exact.log_var(a, self._corr))
            if sd == 0:
                return float(exact.value(c, m) > threshold)
            return 1.0 - checks.normal_cdf((math.log(threshold / c) - m) / sd)
        dist = self._dist()
        if dist is not None:
            return 1.0 - dist.cdf(threshold)
        return float(np.mean(self.samples(n, seed) > threshold))

    def prob_below(
        self, threshold: float, *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
    ) -> float:
        """P(X < threshold)."""
        threshold = checks.finite(threshold, "threshold")
        if exact.form(self) is not None:
            return 1.0 - self.prob_above(threshold)
        dist = self._dist()
        if dist is not None:
            return dist.cdf_below(threshold)
        return float(np.mean(self.samples(n, seed) < threshold))

    def contributions(
        self, *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
    ) -> dict[str, float]:
        """Each named input's share of the spread (see :mod:`flopcast.core.uncertain`); sums to 1."""
        f = exact.form(self)
        if f is not None:
            keys = self.input_names()
            return {keys[u]: s for u, s in exact.euler_shares(f[2], self._corr).items()}
        return montecarlo.contributions(*montecarlo.draws(self, n, seed))

    def samples(self, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED) -> np.ndarray:
        """``n`` draws, reproducible from ``seed``; inputs seeded by (seed, name)."""
        return montecarlo.draws(self, n, seed)[0]

    def summary(
        self,
        level: float = 0.9,
        *,
        n: int = DEFAULT_SAMPLES,
        seed: int = DEFAULT_SEED,
        contributions: bool = True,
    ) -> dict[str, Any]:
        """The one summary shape (:mod:`flopcast.core.summary`) plus ``exact``, ``inputs``,
        ``contributions``; off the exact path ``computed_by`` ("closed form" or "monte carlo"),
        ``samples``, ``seed``; ``method``, ``assumptions``, ``disagreement`` when set."""
        checks.level(level)
        return _summary.detailed(self, level=level, n=n, seed=seed, contributions=contributions)

    def __repr__(self) -> str:
        if self.is_point:
            return fmt.quantity(self.median(), self.unit)
        lo, hi = self.interval(0.9)
        return fmt.estimate(self.median(), lo, hi, self.unit)

    __str__ = __repr__

    # ---- internals ------------------------------------------------------------------------
    def _log_sd(self, a: dict[int, float]) -> float:
        if self._sd < 0:
            self._sd = math.sqrt(exact.log_var(a, self._corr))
        return self._sd

    def _dist(self) -> closedform.Dist | None:
        if self._dist_cache is exact.UNSET:
            self._dist_cache = closedform.analyse(self)
        return self._dist_cache  # type: ignore[no-any-return]


def as_uncertain(x: Any) -> Uncertain:
    """Numbers become points; an Uncertain is returned as it is."""
    if isinstance(x, Uncertain):
        return x
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise InputError(
            f"expected a number or an uncertain quantity, got {type(x).__name__} {x!r}"
        )
    return constant(checks.finite(x, "value"))


def constant(value: float, unit: units.Unit | str | None = None) -> Uncertain:
    """A known, unnamed number (not listed among a result's inputs)."""
    return Uncertain("const", (float(value),), unit=unit)


def _exact_product(op: str, a: Uncertain, b: Uncertain, sign: float) -> Uncertain | None:
    """``a * b`` (sign 1) or ``a / b`` (sign -1) for the exact path's common case, inline:
    two unitless, uncorrelated quantities whose forms are known; None when it does not apply."""
    if (
        a._unit is None
        and b._unit is None
        and not a._corr
        and not b._corr
        and (a._op != "const" or b._op != "const")
    ):
        fa, fb = a._form_cache, b._form_cache
        if fa is not None and fb is not None and fa is not _UNSET and fb is not _UNSET:
            out = Uncertain(op, (a, b), None, a._corr)  # by position: faster
            out._form_cache = exact.product(fa, fb, sign)
            return out
    return None


def binary(op: str, a: Any, b: Any) -> Uncertain:
    """``a op b`` with units combined (see :mod:`flopcast.core.units`)."""
    if (
        (type(b) is float or type(b) is int)
        and type(a) is Uncertain
        and a._op == "const"
        and a._unit is None
        and op in ("add", "sub", "mul", "div")
    ):
        # NB: a known number times a number in range is folded by __mul__ before it gets here
        return constant(arith.fold(op, a._args[0], checks.finite(b, "value")))
    qa = a if type(a) is Uncertain else as_uncertain(a)
    if type(b) is Uncertain:
        qb = b
    elif type(b) is float and -checks.MAX_MAGNITUDE <= b <= checks.MAX_MAGNITUDE:
        qb = Uncertain("const", (b,))  # fast: a plain factor
    else:
        qb = as_uncertain(b)
    if op == "sub" and qa is qb:
        return Uncertain("const", (0.0,), unit=qa._unit)  # x - x is exactly 0
    unit = None
    if qa._unit is not None or qb._unit is not None:
        unit, fa, fb = arith.result_unit(op, qa, qb)
        if fa != 1.0:
            qa = binary("mul", qa, fa)
        if fb != 1.0:
            qb = binary("mul", qb, fb)
    if qa._op == "const" and qb._op == "const":
        return constant(arith.fold(op, qa._args[0], qb._args[0]), unit)
    out = Uncertain(
        op,
        (qa, qb),
        corr=graph.merge_corr([qa, qb]) if qa._corr or qb._corr else qa._corr,
        unit=unit,
    )
    fa_, fb_ = qa._form_cache, qb._form_cache
    if fa_ is not _UNSET and fb_ is not _UNSET:  # eager: the exact path never walks the tree
        if (op == "mul" or op == "div") and fa_ is not None and fb_ is not None:
            out._form_cache = exact.product(fa_, fb_, 1.0 if op == "mul" else -1.0)
        else:
            out._form_cache = exact.node_form(out)
    return out
