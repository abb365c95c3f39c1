"""Uncertain quantities: one type for every estimate flopcast makes.

What a quantity is
    An :class:`Uncertain` is an expression tree over named *inputs* (a lognormal, normal or
    log-uniform variable, a point, a mixture) combined with ``+ - * / **``. Each input owns one
    standard normal ``Z_i``; a quantity used twice in an expression is the same input, hence the
    same draw twice: ``x / x`` is exactly 1 and ``x - x`` exactly 0.

Exact path (no sampling)
    Products, quotients and constant powers of lognormals and positive points stay lognormal.
    Such a quantity is held in closed form as ``ln X = m + sum_i a_i Z_i`` and every summary is
    exact: median ``e^m``, mean ``e^(m + s^2/2)``, percentiles ``e^(m + s z_p)`` with
    ``s^2 = a' R a`` (``R`` the correlation of the ``Z_i``, the identity unless declared).

Monte Carlo path
    Anything else (sums, differences, mixtures, normal or log-uniform inputs, min/max) is
    sampled: each input draws its ``Z_i`` from a generator seeded by ``(seed, input name)``, so a
    result is reproducible from its seed, and an input keeps its draws whichever expression it
    appears in. Default: ``n=100_000`` samples, ``seed=0``.

Assumptions stated
    * Inputs are independent unless :func:`correlate` declares a correlation. A correlation is
      one between the inputs' normal scores ``Z_i`` (a Gaussian copula): for lognormals it is
      the correlation of ``ln X`` (log-space correlation); ``kind="rank"`` converts a Spearman
      rank correlation with ``rho_g = 2 sin(pi rho_s / 6)``.
    * ``ci(lo, hi)`` is a central 90% interval unless ``level`` says otherwise.
    * Contributions are shares of the spread of ``ln X`` (of ``X`` when ``X`` can be <= 0). On
      the exact path they are the Euler allocation ``a_i (R a)_i / s^2`` (``a_i^2 / s^2`` for
      independent inputs; a negative share means a correlation that narrows the spread). On
      the Monte Carlo path they are first-order correlation ratios ``Var(E[ln X | Z_i])``
      estimated in 20 quantile bins and normalised to sum to 1 (NB: interactions are not
      attributed; the normalisation spreads them in proportion).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from statistics import NormalDist
from typing import Any

import numpy as np

from flopcast.core.errors import InputError
from flopcast.core.montecarlo import BINARY, Context, corr_matrix, correlation_ratio, sample

_STD = NormalDist()
DEFAULT_SAMPLES = 100_000
DEFAULT_SEED = 0
_uids = itertools.count(1)

Number = int | float


@dataclass(frozen=True)
class Input:
    """One named source of uncertainty (or a named known number)."""

    name: str
    kind: str  # "point", "lognormal", "normal", "loguniform", "mixture"
    params: dict[str, float]
    description: str = ""
    source: str = ""
    uid: int = field(default_factory=lambda: next(_uids), compare=False)
    named: bool = True  # False when the name was made up from the spec ("0.1 to 0.4")

    def spec(self) -> str:
        p = self.params
        if self.kind == "point":
            return _fmt(p["value"])
        if self.kind in ("lognormal", "normal"):
            lvl = round(p["level"] * 100)
            tail = f", {lvl}% CI" if lvl != 90 else ""
            dist = "" if self.kind == "lognormal" else ", normal"
            return f"{_fmt(p['lo'])} to {_fmt(p['hi'])}{tail}{dist}"
        if self.kind == "loguniform":
            return f"log-uniform {_fmt(p['lo'])} - {_fmt(p['hi'])}"
        return f"mixture of {int(p['components'])}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "spec": self.spec(),
            "params": dict(self.params),
            "description": self.description,
            "source": self.source,
        }


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
        unit: str | None = None,
    ):
        self._op = (
            op  # "const", "input", "add", "sub", "mul", "div", "pow", "neg", "min", "max", "mix"
        )
        self._args = args
        self._input = input
        self._corr = corr  # frozenset of (uid_a, uid_b, rho) with uid_a < uid_b
        self._unit = unit
        self._meta: dict[str, Any] = {}
        self._form_cache: Any = _UNSET
        self._sample_cache: dict[tuple[int, int], np.ndarray] = {}
        self.disagreement: dict[str, Any] | None = None

    # ---- metadata -------------------------------------------------------------------------
    @property
    def unit(self) -> str | None:
        return self._unit

    def with_unit(self, unit: str | None) -> Uncertain:
        out = self._copy()
        out._unit = unit
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
        out._sample_cache = self._sample_cache
        out.disagreement = self.disagreement
        return out

    # ---- arithmetic -----------------------------------------------------------------------
    def __add__(self, other: Any) -> Uncertain:
        return _binary("add", self, other)

    def __radd__(self, other: Any) -> Uncertain:
        return _binary("add", other, self)

    def __sub__(self, other: Any) -> Uncertain:
        return _binary("sub", self, other)

    def __rsub__(self, other: Any) -> Uncertain:
        return _binary("sub", other, self)

    def __mul__(self, other: Any) -> Uncertain:
        return _binary("mul", self, other)

    def __rmul__(self, other: Any) -> Uncertain:
        return _binary("mul", other, self)

    def __truediv__(self, other: Any) -> Uncertain:
        return _binary("div", self, other)

    def __rtruediv__(self, other: Any) -> Uncertain:
        return _binary("div", other, self)

    def __pow__(self, other: Any) -> Uncertain:
        return _binary("pow", self, other)

    def __rpow__(self, other: Any) -> Uncertain:
        return _binary("pow", other, self)

    def __neg__(self) -> Uncertain:
        return Uncertain("neg", (self,), corr=self._corr, unit=self._unit)

    def __pos__(self) -> Uncertain:
        return self

    # ---- structure ------------------------------------------------------------------------
    @property
    def is_exact(self) -> bool:
        """True when every summary is computed in closed form (no sampling)."""
        return self._form() is not None

    @property
    def is_point(self) -> bool:
        form = self._form()
        if form is not None:
            return not form[1]
        return self._op == "const"

    def inputs(self) -> list[Input]:
        """The named inputs this quantity depends on, in order of first appearance."""
        return [inp for inp in _leaves(self).values() if inp.name]

    def input_names(self) -> dict[int, str]:
        """uid -> the name used for seeding and contributions (``name#2`` for a repeated name)."""
        return _keys(_leaves(self))

    # ---- summaries ------------------------------------------------------------------------
    def median(self, *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED) -> float:
        return self.percentile(50, n=n, seed=seed)

    def mean(self, *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED) -> float:
        form = self._form()
        if form is not None:
            m, _ = form
            return math.exp(m + self._log_var() / 2)
        return float(np.mean(self.samples(n, seed)))

    def percentile(
        self, q: float | Sequence[float], *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
    ) -> Any:
        """The q-th percentile (0-100); a list of q gives a list."""
        qs = np.atleast_1d(np.asarray(q, dtype=float))
        if np.any(~np.isfinite(qs)) or np.any(qs < 0) or np.any(qs > 100):
            raise InputError(f"percentile must be between 0 and 100, got {q!r}")
        form = self._form()
        if form is not None:
            m, _ = form
            sd = math.sqrt(self._log_var())
            out = [math.exp(m + sd * _z(p / 100)) if sd > 0 else math.exp(m) for p in qs]
        else:
            uniq, back = np.unique(qs, return_inverse=True)
            values = np.percentile(self.samples(n, seed), uniq)
            out = [float(values[i]) for i in back.ravel()]
        return out if np.ndim(q) else out[0]

    def interval(
        self, level: float = 0.9, *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
    ) -> tuple[float, float]:
        """Central interval holding ``level`` of the probability."""
        _check_level(level)
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
                f"this one is {_fmt(lo)} - {_fmt(hi)}"
            )
        return math.log10(hi / lo)

    def prob_above(
        self, threshold: float, *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
    ) -> float:
        """P(X > threshold)."""
        threshold = _finite(threshold, "threshold")
        form = self._form()
        if form is not None:
            m, _ = form
            if threshold <= 0:
                return 1.0
            sd = math.sqrt(self._log_var())
            if sd == 0:
                return float(math.exp(m) > threshold)
            return 1.0 - _STD.cdf((math.log(threshold) - m) / sd)
        return float(np.mean(self.samples(n, seed) > threshold))

    def prob_below(
        self, threshold: float, *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
    ) -> float:
        """P(X < threshold)."""
        threshold = _finite(threshold, "threshold")
        form = self._form()
        if form is not None:
            return 1.0 - self.prob_above(threshold)
        return float(np.mean(self.samples(n, seed) < threshold))

    def contributions(
        self, *, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
    ) -> dict[str, float]:
        """Each named input's share of the spread (see the module docstring); sums to 1."""
        leaves = _leaves(self)
        keys = _keys(leaves)
        form = self._form()
        if form is not None:
            _, a = form
            if not a:
                return {}
            uids = list(a)
            vec = np.array([a[u] for u in uids])
            rmat = corr_matrix(uids, self._corr)
            ra = rmat @ vec
            var = float(vec @ ra)
            if var <= 0:
                return {}
            return {keys[u]: float(vec[i] * ra[i] / var) for i, u in enumerate(uids)}
        ctx = Context(n, seed, leaves, keys, self._corr)
        y = sample(self, ctx)
        if np.all(y > 0):
            y = np.log(y)
        if not np.all(np.isfinite(y)) or np.var(y) == 0:
            return {}
        shares: dict[str, float] = {}
        for uid, inp in leaves.items():
            if inp.kind == "point":
                continue
            driver = ctx.selector.get(uid)
            if driver is None:
                driver = ctx.normal_scores(uid)
            shares[keys[uid]] = correlation_ratio(driver, y, discrete=uid in ctx.selector)
        total = sum(shares.values())
        if total <= 0:
            return {}
        return {k: v / total for k, v in shares.items()}

    def samples(self, n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED) -> np.ndarray:
        """``n`` draws, reproducible from ``seed``; inputs seeded by (seed, name)."""
        n = int(n)
        if n < 1:
            raise InputError(f"the number of samples must be at least 1, got {n}")
        key = (n, int(seed))
        cached = self._sample_cache.get(key)
        if cached is not None:
            return cached
        leaves = _leaves(self)
        ctx = Context(n, int(seed), leaves, _keys(leaves), self._corr)
        out = sample(self, ctx)
        out.setflags(write=False)
        self._sample_cache.clear()  # keep one sample set: bounded memory
        self._sample_cache[key] = out
        return out

    def summary(
        self,
        level: float = 0.9,
        *,
        n: int = DEFAULT_SAMPLES,
        seed: int = DEFAULT_SEED,
        contributions: bool = True,
    ) -> dict[str, Any]:
        """A JSON-ready dict: median, mean, p5, p95, lo, hi at ``level``, unit, contributions."""
        _check_level(level)
        lo_q, hi_q = 50 * (1 - level), 50 * (1 + level)
        p5, med, p95, lo, hi = self.percentile([5, 50, 95, lo_q, hi_q], n=n, seed=seed)
        out: dict[str, Any] = {
            "median": med,
            "mean": self.mean(n=n, seed=seed),
            "p5": p5,
            "p95": p95,
            "lo": lo,
            "hi": hi,
            "level": level,
            "unit": self._unit,
            "exact": self.is_exact,
        }
        if not self.is_exact:
            out["samples"] = n
            out["seed"] = seed
        if contributions:
            out["contributions"] = self.contributions(n=n, seed=seed)
        out["inputs"] = [inp.to_dict() for inp in self.inputs()]
        if self.method:
            out["method"] = self.method
        if self.assumptions:
            out["assumptions"] = self.assumptions
        if self.disagreement is not None:
            out["disagreement"] = self.disagreement
        return out

    def __repr__(self) -> str:
        unit = f" {self._unit}" if self._unit else ""
        if self.is_point:
            return f"{_fmt(self.median())}{unit}"
        lo, hi = self.interval(0.9)
        return f"{_fmt(self.median())}{unit} (90% CI {_fmt(lo)} - {_fmt(hi)})"

    __str__ = __repr__

    # ---- internals ------------------------------------------------------------------------
    def _form(self) -> tuple[float, dict[int, float]] | None:
        if self._form_cache is _UNSET:
            self._form_cache = _exact_form(self)
        return self._form_cache

    def _log_var(self) -> float:
        form = self._form()
        assert form is not None
        _, a = form
        if not a:
            return 0.0
        uids = list(a)
        vec = np.array([a[u] for u in uids])
        return max(0.0, float(vec @ corr_matrix(uids, self._corr) @ vec))


_UNSET = object()


# ---- constructors ---------------------------------------------------------------------------


def point(
    value: Number,
    name: str = "",
    *,
    description: str = "",
    source: str = "",
    unit: str | None = None,
) -> Uncertain:
    """A known number. Named points are listed among a result's inputs (its assumptions)."""
    value = _finite(value, name or "value")
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
    label = name or "interval"
    lo = _finite(lo, f"{label} lower bound")
    hi = _finite(hi, f"{label} upper bound")
    _check_level(level)
    if lo > hi:
        raise InputError(
            f"{label}: lower bound {_fmt(lo)} is above upper bound {_fmt(hi)}; "
            "write the interval as 'lo to hi' with lo <= hi"
        )
    if dist not in ("lognormal", "normal"):
        raise InputError(f"{label}: unknown distribution {dist!r}; allowed: 'lognormal', 'normal'")
    if dist == "lognormal" and lo <= 0:
        raise InputError(
            f"{label}: a lognormal interval needs positive bounds, got "
            f"{_fmt(lo)} to {_fmt(hi)} (use dist='normal' for values that can be <= 0)"
        )
    if lo == hi:
        return point(lo, name, description=description, source=source, unit=unit)
    z = _z((1 + level) / 2)
    if dist == "lognormal":
        mu = (math.log(lo) + math.log(hi)) / 2
        sigma = (math.log(hi) - math.log(lo)) / (2 * z)
    else:
        mu = (lo + hi) / 2
        sigma = (hi - lo) / (2 * z)
    inp = Input(
        name or _fmt(lo) + " to " + _fmt(hi),
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
    lo = _finite(lo, f"{label} lower bound")
    hi = _finite(hi, f"{label} upper bound")
    if lo <= 0 or hi <= 0:
        raise InputError(
            f"{label}: a log-uniform range needs positive bounds, got {_fmt(lo)}, {_fmt(hi)}"
        )
    if lo > hi:
        raise InputError(f"{label}: lower bound {_fmt(lo)} is above upper bound {_fmt(hi)}")
    if lo == hi:
        return point(lo, name, description=description, source=source, unit=unit)
    inp = Input(
        name or f"between {_fmt(lo)} and {_fmt(hi)}",
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
    x = _positive(x, name or kind.replace(" ", "_"))
    span = _span(span)
    lo, hi = (x / span, x) if kind == "at most" else (x, x * span)
    other = "lower end = bound / " if kind == "at most" else "upper end = bound x "
    stated = f"{kind} {_fmt(x)}; assumed 90% CI {_fmt(lo)} - {_fmt(hi)} ({other}{_fmt(span)})"
    full = (description + "; " if description else "") + stated
    q = ci(lo, hi, name=name, description=full, source=source, unit=unit)
    return q if name else _renamed(q, f"{kind} {_fmt(x)}")


def _renamed(q: Uncertain, label: str) -> Uncertain:
    assert q._input is not None
    return Uncertain("input", input=replace(q._input, name=label), corr=q._corr, unit=q._unit)


def mix(
    components: Sequence[Any],
    weights: Sequence[float] | None = None,
    *,
    name: str = "",
    description: str = "",
    source: str = "",
) -> Uncertain:
    """A mixture: with probability ``weights[i]`` the value is drawn from ``components[i]``."""
    comps = [as_uncertain(c) for c in components]
    if len(comps) < 2:
        raise InputError("mix needs at least two components")
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
    units = {c._unit for c in comps}
    return Uncertain(
        "mix",
        (inp, tuple(comps), probs),
        corr=_merge_corr(comps),
        unit=units.pop() if len(units) == 1 else None,
    )


def named(
    q: Any, name: str, *, description: str = "", source: str = "", unit: str | None = None
) -> Uncertain:
    """Give a quantity an input name (and description) unless its user already named it.

    Plain numbers become named points; a single input with a made-up name takes ``name``;
    anything else is returned unchanged (its own inputs keep their names).
    """
    if not isinstance(q, Uncertain):
        out = point(_finite(q, name), name, description=description, source=source)
        return out.with_unit(unit) if unit else out
    if q._op == "input" and q._input is not None and not q._input.named:
        inp = replace(
            q._input,
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


def as_uncertain(x: Any) -> Uncertain:
    """Numbers become points; an Uncertain is returned as it is."""
    if isinstance(x, Uncertain):
        return x
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise InputError(
            f"expected a number or an uncertain quantity, got {type(x).__name__} {x!r}"
        )
    return point(float(x))


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
    rho = _finite(rho, "correlation")
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
    corr = _merge_corr([a, b]) | {pair}
    _check_pairs(corr)
    a2 = a._copy()
    b2 = b._copy()
    a2._corr = b2._corr = frozenset(corr)
    a2._sample_cache, b2._sample_cache = {}, {}
    return a2, b2


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
        out = out * q ** (wi / total_w)
    prec = [1 / v for v in vs]
    m_hat = sum(p * m for p, m in zip(prec, ms, strict=True)) / sum(prec)
    chi2 = sum(p * (m - m_hat) ** 2 for p, m in zip(prec, ms, strict=True))
    dof = len(qs) - 1
    p_value = _chi2_sf(chi2, dof)
    units = {q._unit for q in qs}
    out = out.with_unit(units.pop() if len(units) == 1 else None)
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


def sample_many(
    quantities: Sequence[Any], n: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED
) -> list[np.ndarray]:
    """Joint draws of several quantities: shared inputs (and declared correlations) hold across them."""
    qs = [as_uncertain(q) for q in quantities]
    if int(n) < 1:
        raise InputError(f"the number of samples must be at least 1, got {n}")
    leaves: dict[int, Input] = {}
    for q in qs:
        for uid, inp in _leaves(q).items():
            leaves.setdefault(uid, inp)
    ctx = Context(int(n), int(seed), leaves, _keys(leaves), _merge_corr(qs))
    return [sample(q, ctx) for q in qs]


def minimum(a: Any, b: Any) -> Uncertain:
    """Elementwise minimum (Monte Carlo)."""
    return _binary("min", a, b)


def maximum(a: Any, b: Any) -> Uncertain:
    """Elementwise maximum (Monte Carlo)."""
    return _binary("max", a, b)


# ---- exact form -------------------------------------------------------------------------


def _exact_form(q: Uncertain) -> tuple[float, dict[int, float]] | None:
    op = q._op
    if op == "const":
        v = q._args[0]
        return (math.log(v), {}) if v > 0 else None
    if op == "input":
        inp = q._input
        assert inp is not None
        if inp.kind == "point":
            v = inp.params["value"]
            return (math.log(v), {}) if v > 0 else None
        if inp.kind == "lognormal":
            return inp.params["mu"], {inp.uid: inp.params["sigma"]}
        return None
    if op in ("mul", "div"):
        fa, fb = q._args[0]._form(), q._args[1]._form()
        if fa is None or fb is None:
            return None
        sign = 1.0 if op == "mul" else -1.0
        coeffs = dict(fa[1])
        for uid, c in fb[1].items():
            new = coeffs.get(uid, 0.0) + sign * c
            if new == 0.0:
                coeffs.pop(uid, None)
            else:
                coeffs[uid] = new
        return fa[0] + sign * fb[0], coeffs
    if op == "pow":
        base, expo = q._args
        fb = base._form()
        k = _point_value(expo)
        if fb is None or k is None:
            return None
        return k * fb[0], {u: k * c for u, c in fb[1].items() if k * c != 0.0}
    return None


def _point_value(q: Uncertain) -> float | None:
    if q._op == "const":
        return float(q._args[0])
    if q._op == "input" and q._input is not None and q._input.kind == "point":
        return q._input.params["value"]
    form = q._form()
    if form is not None and not form[1]:
        return math.exp(form[0])
    return None


# ---- helpers --------------------------------------------------------------------------------


def _binary(op: str, a: Any, b: Any) -> Uncertain:
    qa, qb = as_uncertain(a), as_uncertain(b)
    if op == "sub" and qa is qb:
        return Uncertain("const", (0.0,), unit=qa._unit)  # x - x is exactly 0
    if qa._op == "const" and qb._op == "const":
        with np.errstate(all="ignore"):
            value = float(BINARY[op](qa._args[0], qb._args[0]))
        return point(value, unit=_result_unit(op, qa, qb))
    return Uncertain(op, (qa, qb), corr=_merge_corr([qa, qb]), unit=_result_unit(op, qa, qb))


def _result_unit(op: str, a: Uncertain, b: Uncertain) -> str | None:
    if op in ("add", "sub", "min", "max"):
        return (
            a._unit
            if a._unit == b._unit or b._unit is None
            else (b._unit if a._unit is None else None)
        )
    if op in ("mul", "div"):
        if b._unit is None and b.is_point and not b.inputs():
            return a._unit
        if op == "mul" and a._unit is None and a.is_point and not a.inputs():
            return b._unit
    return None


def _merge_corr(qs: Iterable[Uncertain]) -> frozenset:
    merged: set = set()
    for q in qs:
        merged |= q._corr
    if merged:
        _check_pairs(merged)
    return frozenset(merged)


def _check_pairs(pairs: Iterable[tuple[int, int, float]]) -> None:
    seen: dict[tuple[int, int], float] = {}
    for ua, ub, rho in pairs:
        if seen.get((ua, ub), rho) != rho:
            raise InputError("two different correlations were declared for the same pair of inputs")
        seen[(ua, ub)] = rho


def _leaves(q: Uncertain) -> dict[int, Input]:
    """uid -> Input, in order of first appearance (depth first, left to right)."""
    out: dict[int, Input] = {}
    seen: set[int] = set()
    stack = [q]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node._op == "input":
            assert node._input is not None
            out.setdefault(node._input.uid, node._input)
        elif node._op == "mix":
            inp, comps, _ = node._args
            out.setdefault(inp.uid, inp)
            stack.extend(reversed(comps))
        else:
            stack.extend(reversed([a for a in node._args if isinstance(a, Uncertain)]))
    return out


def _keys(leaves: dict[int, Input]) -> dict[int, str]:
    counts: dict[str, int] = {}
    keys: dict[int, str] = {}
    for uid, inp in leaves.items():
        counts[inp.name] = counts.get(inp.name, 0) + 1
        keys[uid] = inp.name if counts[inp.name] == 1 else f"{inp.name}#{counts[inp.name]}"
    return keys


def _log_moments(q: Uncertain) -> tuple[float, float]:
    form = q._form()
    if form is not None:
        return form[0], q._log_var()
    x = q.samples()
    if np.any(x <= 0):
        raise InputError(f"combine needs positive quantities; {q!r} can be <= 0")
    lx = np.log(x)
    return float(lx.mean()), float(lx.var())


def _chi2_sf(x: float, dof: int) -> float:
    from scipy.special import chdtrc  # lazily

    return float(chdtrc(dof, x))


def _z(p: float) -> float:
    if p <= 0:
        return -math.inf
    if p >= 1:
        return math.inf
    return _STD.inv_cdf(p)


def _check_level(level: float) -> None:
    if not isinstance(level, (int, float)) or not 0 < level < 1:
        raise InputError(f"interval level must be between 0 and 1 (e.g. 0.9), got {level!r}")


def _finite(x: Any, what: str) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, got {x!r}") from None
    if not math.isfinite(v):
        raise InputError(f"{what} must be a finite number, got {x!r}")
    return v


def _positive(x: Any, what: str) -> float:
    v = _finite(x, what)
    if v <= 0:
        raise InputError(f"{what} must be positive, got {_fmt(v)}")
    return v


def _span(span: Any) -> float:
    v = _finite(span, "span")
    if v <= 1:
        raise InputError(
            f"span must be above 1 (the ratio between the bound and the assumed other end), got {v}"
        )
    return v


def _fmt(x: float) -> str:
    """2 significant figures, compact exponent: 9.9e22, 0.25, 140000 -> 1.4e5."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return str(x)
    a = abs(x)
    if 1e-3 <= a < 1e4:
        s = f"{x:.3g}"
    else:
        s = f"{x:.2g}"
    return s.replace("e+", "e").replace("e0", "e").replace("e-0", "e-")
