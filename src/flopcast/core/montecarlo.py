"""The Monte Carlo engine behind :class:`flopcast.core.quantity.Uncertain`.

One evaluation is a :class:`Context`: every input of an expression draws its normal scores
``Z_i`` once, from a generator seeded by ``(seed, input name)``, and every node of the
expression reads them from there, so an input used twice is the same draw twice. Declared
correlations act on the ``Z_i`` (a Gaussian copula): a connected group of correlated inputs
draws independent normals and mixes them with the Cholesky factor of its correlation matrix.
"""

from __future__ import annotations

import math
import threading
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np

from flopcast.core import checks, graph
from flopcast.core.errors import InputError

if TYPE_CHECKING:
    from flopcast.core.inputs import Input
    from flopcast.core.quantity import Uncertain


class Context:
    """One evaluation: per-input draws keyed by uid, shared by every node of the expression."""

    def __init__(
        self, n: int, seed: int, leaves: dict[int, Input], keys: dict[int, str], corr: frozenset
    ):
        self.n = n
        self.seed = seed
        self.leaves = leaves
        self.keys = keys
        self.corr = corr
        self._z: dict[int, np.ndarray] = {}
        self.selector: dict[int, np.ndarray] = {}
        self.memo: dict[int, Any] = {}  # node draws: an array, or one float for a constant

    def _rng(self, uid: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(self.keys[uid].encode())])

    def bound_scores(self) -> None:
        """Drop the cached scores when they exceed :data:`KEEP_SCORES_BYTES`."""
        if 8 * self.n * len(self._z) > KEEP_SCORES_BYTES:
            self._z = {}

    def normal_scores(self, uid: int) -> np.ndarray:
        z = self._z.get(uid)
        if z is not None:
            return z
        group = [u for u in corr_group(uid, self.corr, self.leaves) if u in self.leaves]
        if len(group) == 1:
            z = SHARED_SCORES.get(self.seed, self.keys[uid], self.n)
            self._z[uid] = z
            return z
        indep = np.stack([self._rng(u).standard_normal(self.n) for u in group])
        chol = cholesky(corr_matrix(group, self.corr))
        for row, u in zip(chol @ indep, group, strict=True):
            self._z[u] = row
        return self._z[uid]


KEEP_SCORES_BYTES = 64 * 1024**2  # the normal scores a quantity's sample cache holds, at most


class SharedScores:
    """Normal scores of uncorrelated inputs, shared by every evaluation in this process.

    An uncorrelated input's scores are a function of (seed, name, n) alone: a dataset table
    draws "chips" for 24 records, and its 200 inputs have 77 names. At most ``max_bytes`` are
    kept, the least recently used dropped first; each array is read-only.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._held: OrderedDict[tuple[int, str, int], np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, seed: int, key: str, n: int) -> np.ndarray:
        """The ``n`` scores of the input named ``key`` for ``seed``: the generator seeded by
        ``(seed, crc32(key))``, as :meth:`Context._rng` seeds it."""
        slot = (seed, key, n)
        with self._lock:
            z = self._held.get(slot)
            if z is not None:
                self._held.move_to_end(slot)
                return z
        z = np.random.default_rng([seed, zlib.crc32(key.encode())]).standard_normal(n)
        z.setflags(write=False)
        if z.nbytes <= self.max_bytes:
            with self._lock:
                if slot not in self._held:
                    self._held[slot] = z
                    self._bytes += z.nbytes
                while self._bytes > self.max_bytes:
                    self._bytes -= self._held.popitem(last=False)[1].nbytes
        return z

    def clear(self) -> None:
        """Forget every kept array (a benchmark's cold start; the numbers do not change)."""
        with self._lock:
            self._held.clear()
            self._bytes = 0


SHARED_SCORES = SharedScores(32 * 1024**2)


def draws(q: Uncertain, n: int, seed: int) -> tuple[np.ndarray, Context]:
    """``q``'s ``n`` draws for ``seed`` and their context, cached on ``q`` (one set at a time).

    The context keeps the inputs' normal scores and mixture selectors, so contributions read
    them instead of sampling again; beyond :data:`KEEP_SCORES_BYTES` the scores are dropped and
    re-derived from ``(seed, name)`` when asked for (the same numbers).
    """
    n = int(n)
    if n < 1:
        raise InputError(f"the number of samples must be at least 1, got {n}")
    key = (n, int(seed))
    cached = q._sample_cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    leaves = graph.leaves(q)
    ctx = Context(n, int(seed), leaves, graph.keys(leaves), q._corr)
    out = sample(q, ctx)
    out.setflags(write=False)
    ctx.memo = {}  # the inputs' scores, not every node's draws
    ctx.bound_scores()
    q._sample_cache.clear()  # one sample set per quantity: bounded memory
    q._sample_cache[key] = (out, ctx)
    return out, ctx


def sample(q: Uncertain, ctx: Context) -> np.ndarray:
    """The draws of ``q`` in ``ctx`` (iterative: deep expressions need no recursion)."""
    hit = ctx.memo.get(id(q))
    if hit is not None:
        return hit
    slot = (ctx.n, ctx.seed)

    def known(node: Uncertain) -> bool:
        """Drawn already here, or a sub-quantity whose own cached draws are its draws here."""
        if id(node) in ctx.memo:
            return True
        hit = node._sample_cache.get(slot) if node is not q else None
        if hit is None or not _same_draws(hit[1], ctx):
            return False
        ctx.memo[id(node)] = hit[0]
        ctx.selector.update(hit[1].selector)  # its mixtures' choices, for contributions
        return True

    order = graph.postorder(q, known)
    checks.memory(ctx.n, len(order) + len(ctx.leaves))  # NB: as if every node were held
    # NB: a node's draws are dropped once the last node reading them is drawn. Held to the end,
    # each array was fresh memory, and its first touch cost the kernel's page faults: in the
    # dataset table about 60 us an array against 4 us for the arithmetic (40 faults of 1.6 us
    # for 20,000 draws), a third of its Monte Carlo time. Reused, the memory is already mapped.
    readers: dict[int, int] = {}
    for node in order:
        for arg in graph.children(node):
            readers[id(arg)] = readers.get(id(arg), 0) + 1
    memo = ctx.memo
    for node in order:
        memo[id(node)] = _sample_node(node, ctx)
        for arg in graph.children(node):
            key = id(arg)
            readers[key] -= 1
            if readers[key] == 0:
                memo.pop(key, None)
    out = memo[id(q)]
    if np.ndim(out) == 0:  # a constant throughout: n equal draws
        out = ctx.memo[id(q)] = np.full(ctx.n, out, dtype=float)
    return out  # type: ignore[no-any-return]


def _same_draws(sub: Context, ctx: Context) -> bool:
    """Whether a sub-quantity drawn in ``sub`` draws the same numbers in ``ctx``: the same size
    and seed, each of its inputs seeded by the same name (``name#2`` depends on the whole
    expression), and the same correlations touching its inputs (none reaching outside it).

    Then its cached draws are reused instead of drawn again, bit for bit the same: the total
    ``pre + post + rl`` of a record, and its RL share ``rl / total``, read the draws of ``rl``.
    """
    if sub.n != ctx.n or sub.seed != ctx.seed:
        return False
    keys = ctx.keys
    if any(keys.get(uid) != key for uid, key in sub.keys.items()):
        return False
    if not ctx.corr and not sub.corr:
        return True
    inside, here = sub.leaves, ctx.leaves
    for ua, ub, _ in ctx.corr:
        if (ua in inside) != (ub in inside) and ua in here and ub in here:
            return False  # a correlation with an input outside it mixes its scores here

    def internal(pairs: frozenset) -> frozenset:
        return frozenset(p for p in pairs if p[0] in inside and p[1] in inside)

    return internal(ctx.corr) == internal(sub.corr)


def _sample_node(q: Uncertain, ctx: Context) -> np.ndarray | np.float64:
    op = q._op
    memo = ctx.memo
    if op == "const":
        # NB: one float, not n copies; arithmetic broadcasts it (a constant subexpression costs
        # a scalar operation) and :func:`sample` widens a constant result to n draws
        return np.float64(q._args[0])
    if op == "input":
        return _sample_input(q._input, ctx)
    if op == "mix":
        inp, comps, probs = q._args
        u = ctx._rng(inp.uid).random(ctx.n)
        draws = [memo[id(comp)] for comp in comps]
        if len(comps) == 2:
            first = u < probs[0]
            ctx.selector[inp.uid] = (~first).view(np.int8)
            return np.where(first, draws[0], draws[1])
        idx = np.searchsorted(np.cumsum(probs)[:-1], u, side="right")
        ctx.selector[inp.uid] = idx
        if len(draws) <= 32:
            return np.choose(idx, draws)
        return np.stack(np.broadcast_arrays(*draws))[idx, np.arange(ctx.n)]
    if op == "neg":
        return -memo[id(q._args[0])]
    a = memo[id(q._args[0])]
    b = memo[id(q._args[1])]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return BINARY[op](a, b)


def contributions(y: np.ndarray, ctx: Context) -> dict[str, float]:
    """First-order correlation ratios of each input on ``y`` (log ``y`` when positive), normalised.

    Reads the normal scores and mixture selectors already drawn in ``ctx``: no second sampling.
    """
    if np.all(y > 0):
        y = np.log(y)
    if not np.all(np.isfinite(y)) or np.var(y) == 0:
        return {}
    shares: dict[str, float] = {}
    for uid, inp in ctx.leaves.items():
        if inp.kind == "point":
            continue
        driver = ctx.selector.get(uid)
        if driver is None:
            driver = ctx.normal_scores(uid)
        discrete = uid in ctx.selector
        shares[ctx.keys[uid]] = correlation_ratio(driver, y, discrete=discrete, normal=not discrete)
    ctx.bound_scores()  # scores re-derived above are not held beyond the bound either
    total = sum(shares.values())
    if total <= 0:
        return {}
    return {k: v / total for k, v in shares.items()}


def _sample_input(inp: Input | None, ctx: Context) -> np.ndarray | np.float64:
    assert inp is not None
    p = inp.params
    if inp.kind == "point":
        return np.float64(p["value"])  # broadcast like a constant (see _sample_node)
    z = ctx.normal_scores(inp.uid)
    if inp.kind == "lognormal":
        return np.exp(p["mu"] + p["sigma"] * z)
    if inp.kind == "normal":
        return p["mu"] + p["sigma"] * z
    if inp.kind == "loguniform":
        from scipy.special import ndtr  # lazily: keeps `flopcast --help` light

        lo, hi = math.log(p["lo"]), math.log(p["hi"])
        return np.exp(lo + (hi - lo) * ndtr(z))
    raise AssertionError(inp.kind)


BINARY = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "pow": np.power,
    "min": np.minimum,
    "max": np.maximum,
}


# The 5%, 10%, ..., 95% quantiles of the standard normal: the bin edges of a normal score.
_NORMAL_EDGES = np.array([NormalDist().inv_cdf(k / 20) for k in range(1, 20)])


def correlation_ratio(
    driver: np.ndarray, y: np.ndarray, *, discrete: bool, bins: int = 20, normal: bool = False
) -> float:
    """Var(E[y | driver]) / Var(y), the driver cut into quantile bins (or its categories).

    ``normal=True``: the driver is a standard normal score, so its 20 equal-probability bins
    have known edges (no sort of the draws).
    """
    if discrete:
        labels = driver
    elif normal and bins == 20:
        labels = np.searchsorted(_NORMAL_EDGES, driver)
    else:
        edges = np.quantile(driver, np.linspace(0, 1, bins + 1)[1:-1])
        labels = np.searchsorted(edges, driver)
    counts = np.bincount(labels)
    sums = np.bincount(labels, weights=y)
    used = counts > 0
    means = sums[used] / counts[used]
    grand = y.mean()
    between_var = float(np.sum(counts[used] * (means - grand) ** 2) / len(y))
    return between_var / float(np.var(y))


# ---- correlations ---------------------------------------------------------------------------


def corr_matrix(uids: Sequence[int], corr: frozenset) -> np.ndarray:
    index = {u: i for i, u in enumerate(uids)}
    mat = np.eye(len(uids))
    for ua, ub, rho in corr:
        if ua in index and ub in index:
            mat[index[ua], index[ub]] = mat[index[ub], index[ua]] = rho
    return mat


def corr_group(uid: int, corr: frozenset, leaves: dict[int, Input]) -> list[int]:
    """The connected set of inputs linked to ``uid`` by declared correlations, in a fixed order."""
    group = {uid}
    changed = True
    while changed:
        changed = False
        for ua, ub, _ in corr:
            if (ua in group) != (ub in group):
                group |= {ua, ub}
                changed = True
    return sorted(group)


def cholesky(mat: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.cholesky(mat)
    except np.linalg.LinAlgError:
        raise InputError(
            "the declared correlations are inconsistent (the correlation matrix is "
            "not positive definite); lower some of them"
        ) from None
