"""The Monte Carlo engine: seeding by name, copulas, correlation ratios, bounded memory."""

from __future__ import annotations

import time
import zlib

import numpy as np
import pytest

import flopcast as fc
from flopcast.core import checks, graph, montecarlo
from flopcast.core.errors import InputError


def _ctx(q: fc.Uncertain, n: int, seed: int = 0) -> montecarlo.Context:
    leaves = graph.leaves(q)
    return montecarlo.Context(n, seed, leaves, graph.keys(leaves), q._corr)


def test_an_input_draws_from_a_generator_seeded_by_seed_and_name():
    q = fc.ci(1, 100, name="util") - fc.point(0.0, "zero")  # a difference: sampled
    x = q.samples(1000, seed=5)
    z = np.random.default_rng([5, zlib.crc32(b"util")]).standard_normal(1000)
    # ln 10 + (ln 100 / (2 z95)) z: the lognormal with 90% interval 1 to 100
    expected = np.exp(np.log(10) + np.log(100) / (2 * 1.6448536269514722) * z)
    assert np.allclose(x, expected, rtol=1e-12)


def test_correlated_group_mixes_independent_scores_by_cholesky():
    a, b = fc.correlate(fc.ci(1, 10, name="a"), fc.ci(1, 10, name="b"), 0.8)
    ctx = _ctx(a * b - 0, 200_000, seed=1)
    za, zb = ctx.normal_scores(a.inputs()[0].uid), ctx.normal_scores(b.inputs()[0].uid)
    assert np.corrcoef(za, zb)[0, 1] == pytest.approx(0.8, abs=0.005)
    # Cholesky of [[1, .8], [.8, 1]]: zb = 0.8 e1 + 0.6 e2 with e1 = za
    e1 = np.random.default_rng([1, zlib.crc32(b"a")]).standard_normal(200_000)
    e2 = np.random.default_rng([1, zlib.crc32(b"b")]).standard_normal(200_000)
    assert np.allclose(za, e1) and np.allclose(zb, 0.8 * e1 + 0.6 * e2)


def test_inconsistent_correlations_are_one_error():
    a, b = fc.correlate(fc.ci(1, 2, name="a"), fc.ci(1, 2, name="b"), 0.9)
    a, c = fc.correlate(a, fc.ci(1, 2, name="c"), 0.9)
    b, c = fc.correlate(b, c, -0.9)  # a~b and a~c at 0.9 cannot go with b~c at -0.9
    with pytest.raises(InputError, match="not positive definite"):
        (a + b + c).samples(10)


def test_correlation_ratio_of_a_driver_that_decides_y_is_one():
    driver = np.array([0, 0, 1, 1, 2, 2])
    y = np.array([1.0, 1.0, 5.0, 5.0, 9.0, 9.0])
    assert montecarlo.correlation_ratio(driver, y, discrete=True) == pytest.approx(1.0)
    # half the variance: y = driver + noise with equal variances
    y2 = np.array([0.0, 2.0, 4.0, 6.0, 8.0, 10.0]) + np.array([-1, 1, -1, 1, -1, 1]) * 1.0
    # group means 1, 5, 9 around 5: between = (16 + 0 + 16) * 2 / 6; total adds 1 per point
    between = (2 * 16 + 2 * 0 + 2 * 16) / 6
    total = np.var(y2)
    assert montecarlo.correlation_ratio(driver, y2, discrete=True) == pytest.approx(between / total)


def test_mixture_selector_drives_its_contribution():
    m = fc.mix([fc.point(1.0), fc.point(100.0)], [0.25, 0.75], name="m")
    # the only uncertainty is which component: its correlation ratio is 1 of 1
    assert m.contributions() == {"m": pytest.approx(1.0)}
    x = m.samples(100_000, seed=0)
    assert np.mean(x == 1.0) == pytest.approx(0.25, abs=0.005)


def test_contributions_reuse_the_cached_draws(monkeypatch):
    q = fc.ci(1, 10, name="a") * fc.ci(1, 1000, name="b") - fc.point(0.0, "z")
    calls = []
    real = montecarlo.sample
    monkeypatch.setattr(montecarlo, "sample", lambda *a: calls.append(1) or real(*a))
    q.summary(n=50_000)
    assert len(calls) == 1  # percentiles, mean and contributions share one sampling
    shares = q.contributions(n=50_000)
    assert len(calls) == 1
    # spreads of ln: (ln 10)^2 : (ln 1000)^2 = 1 : 9
    assert shares["a"] == pytest.approx(0.1, abs=0.02) and shares["b"] == pytest.approx(
        0.9, abs=0.02
    )


def test_memory_budget_refuses_a_large_sampling_before_it_starts():
    terms = [fc.between(1, 10, name=f"t{i}") for i in range(20)]
    q = terms[0]
    for t in terms[1:]:
        q = q + t
    t0 = time.perf_counter()
    # 20 inputs + 39 nodes = 59 arrays of 1e7 floats = 4.4 GiB > 2 GiB
    with pytest.raises(InputError, match=r"needs about 4\.4 GiB .* the limit is 2 GiB"):
        q.samples(10_000_000)
    assert time.perf_counter() - t0 < 0.5


def test_memory_budget_arithmetic():
    checks.memory(1_000, 10)  # 80 kB: fine
    with pytest.raises(InputError, match="needs about 2.2 GiB"):
        checks.memory(10_000_000, 30)  # 8 * 1e7 * 30 = 2.4e9 bytes = 2.2 GiB


def test_deep_sums_are_sampled_without_recursion():
    q = fc.point(0.0)
    for i in range(2500):
        q = q + fc.between(1, 2, name=f"x{i}")
    x = q.samples(20)
    assert x.shape == (20,) and np.all((x > 2500) & (x < 5000))  # each term in [1, 2]


def test_normal_score_bins_have_known_edges():
    z = np.random.default_rng(0).standard_normal(200_000)
    y = z + np.random.default_rng(1).standard_normal(200_000)  # half the variance is z's
    known = montecarlo.correlation_ratio(z, y, discrete=False, normal=True)
    sorted_edges = montecarlo.correlation_ratio(z, y, discrete=False)
    assert known == pytest.approx(sorted_edges, abs=0.002)
    # 20 equal-probability bins keep sum_k 0.05 * E[z | bin k]^2 = 0.9833 of Var(z) = 1, with
    # E[z | bin k] = (phi(e_k) - phi(e_k+1)) / 0.05; Var(y) = 1 + 1 = 2
    assert known == pytest.approx(0.9833 / 2, abs=0.01)


def test_large_samplings_do_not_hold_the_scores_but_give_the_same_contributions():
    q = fc.ci(1, 10, name="a") * fc.ci(1, 1000, name="b") - fc.point(0.0, "z")
    small = q.contributions(n=100_000)
    _, ctx = montecarlo.draws(q, 100_000, 0)
    assert len(ctx._z) == 2  # 2 x 100,000 x 8 bytes = 1.6 MB: kept
    big = fc.ci(1, 10, name="a") * fc.ci(1, 1000, name="b") - fc.point(0.0, "z")
    _, ctx = montecarlo.draws(big, 5_000_000, 0)
    assert ctx._z == {}  # 2 x 5e6 x 8 bytes = 80 MB > 64 MB: not held
    shares = big.contributions(n=5_000_000)  # re-derived from (seed, name): same draws
    assert shares["b"] == pytest.approx(small["b"], abs=0.01)


def test_uncorrelated_scores_are_drawn_once_per_process_and_shared():
    """Two quantities with an input of the same name read the same scores, drawn once: the
    values of a generator seeded by (seed, name), read-only; distinct seeds or sizes differ."""
    shared = montecarlo.SharedScores(10**6)
    a = shared.get(5, "chips", 1000)
    assert shared.get(5, "chips", 1000) is a and not a.flags.writeable
    assert np.array_equal(a, np.random.default_rng([5, zlib.crc32(b"chips")]).standard_normal(1000))
    assert not np.array_equal(shared.get(6, "chips", 1000), a)
    assert np.array_equal(shared.get(5, "chips", 10)[:10], a[:10])  # the same stream, shorter
    x = (fc.ci(1, 100, name="chips") - 0.5).samples(1000, seed=5)
    y = (fc.ci(2, 50, name="chips") - 0.5).samples(1000, seed=5)
    assert np.corrcoef(np.log(x + 0.5), np.log(y + 0.5))[0, 1] > 0.999999  # one set of scores


def test_shared_scores_hold_at_most_their_bytes_dropping_the_least_recently_used():
    shared = montecarlo.SharedScores(3 * 8 * 1000)  # three arrays of 1,000 doubles
    first = shared.get(0, "a", 1000)
    for key in "bcd":
        shared.get(0, key, 1000)
    assert shared._bytes <= shared.max_bytes and len(shared._held) == 3
    assert (0, "a", 1000) not in shared._held  # the oldest went first
    assert np.array_equal(shared.get(0, "a", 1000), first)  # drawn again: the same numbers
    assert shared.get(0, "big", 10_000).size == 10_000  # larger than the bound: not kept
    assert (0, "big", 10_000) not in shared._held


def _fresh(q: fc.Uncertain, n: int, seed: int) -> np.ndarray:
    """``q``'s draws made from scratch: no sub-quantity's cached draws read."""
    return montecarlo.sample(q, _ctx(q, n, seed))


def test_a_sum_reads_the_cached_draws_of_its_terms_bit_for_bit(monkeypatch):
    """``rl / (pre + rl)`` reuses the draws already made for ``rl`` (its nodes are not drawn
    again) and they are the very numbers a fresh evaluation gives."""
    rl = fc.ci(1, 10, name="u") * fc.ci(2, 5, name="h") - fc.point(0.5, "floor")
    pre = fc.ci(10, 100, name="p") - fc.point(1.0, "p floor")
    share = rl / (pre + rl)
    drawn_rl = rl.samples(5000, seed=3)
    nodes = []
    real = montecarlo._sample_node
    monkeypatch.setattr(montecarlo, "_sample_node", lambda q, c: nodes.append(q) or real(q, c))
    got = share.samples(5000, seed=3)
    assert not any(node is rl for node in nodes) and len(nodes) < graph.size(share)
    monkeypatch.setattr(montecarlo, "_same_draws", lambda sub, ctx: False)
    assert np.array_equal(got, _fresh(share, 5000, seed=3))
    assert np.array_equal(drawn_rl, rl.samples(5000, seed=3))


def test_cached_draws_are_not_reused_where_they_would_differ():
    """A term drawn alone is redrawn inside a larger expression when its seeding differs there:
    an input of the same name elsewhere makes it ``name#2``, a correlation reaches outside it,
    or another seed or size was asked for."""
    a = fc.ci(1, 10, name="x") - fc.point(0.5, "f")
    b = fc.ci(2, 20, name="x") - fc.point(0.5, "g")  # another input of the same name
    a.samples(2000, seed=1)
    both = b + a  # b's "x" comes first, so a's is "x#2" here
    assert np.array_equal(both.samples(2000, seed=1), _fresh(both, 2000, seed=1))
    assert not np.array_equal(
        b.samples(2000, seed=1) + a.samples(2000, seed=1), _fresh(both, 2000, 1)
    )
    for first in ("c", "d"):  # the term's input first or second in its Cholesky group
        c, d = fc.correlate(fc.ci(1, 10, name="c"), fc.ci(1, 10, name="d"), 0.9)
        lone = (c if first == "c" else d) - fc.point(0.5, "h")
        lone.samples(2000, seed=1)  # drawn without the correlation, which reaches outside
        joint = lone * (d if first == "c" else c)
        assert np.array_equal(joint.samples(2000, seed=1), _fresh(joint, 2000, seed=1))
        assert not montecarlo._same_draws(lone._sample_cache[(2000, 1)][1], _ctx(joint, 2000, 1))
    assert not montecarlo._same_draws(a._sample_cache[(2000, 1)][1], _ctx(a, 1000, seed=1))
    both = fc.correlate(fc.ci(1, 10, name="e"), fc.ci(1, 10, name="f"), 0.5)
    inner = both[0] * both[1] - fc.point(0.5, "k")  # the correlation lies inside the term
    inner.samples(2000, seed=1)
    outer = inner + fc.ci(1, 2, name="m")
    assert montecarlo._same_draws(inner._sample_cache[(2000, 1)][1], _ctx(outer, 2000, seed=1))
    assert np.array_equal(outer.samples(2000, seed=1), _fresh(outer, 2000, seed=1))


Z90 = 1.6448536269514722  # the standard normal's 95th percentile: a 90% interval's half-width


def test_a_nodes_draws_are_dropped_once_their_last_reader_is_drawn(monkeypatch):
    """A 60-step chain holds at most a few arrays at a time (each dropped after its one reader),
    and a node read twice is kept until its second reader: the draws are those of a fresh
    evaluation that keeps everything."""
    x = fc.ci(1, 10, name="x") - fc.point(0.5, "f")
    q = x
    for k in range(60):
        q = q * fc.ci(1, 1.1, name=f"s{k}") + 0.0 * x  # x is read again at every step
    held = []
    real = montecarlo._sample_node
    monkeypatch.setattr(
        montecarlo,
        "_sample_node",
        lambda node, c: held.append(sum(np.ndim(v) > 0 for v in c.memo.values())) or real(node, c),
    )
    got = q.samples(2000, seed=2)
    assert max(held) <= 5, max(held)  # x, the running product and an input or two
    expected = x.samples(2000, seed=2)
    for k in range(60):
        z = np.random.default_rng([2, zlib.crc32(f"s{k}".encode())]).standard_normal(2000)
        expected = expected * np.exp(
            np.log(1.1) / 2 + np.log(1.1) / (2 * Z90) * z
        ) + 0.0 * x.samples(2000, seed=2)
    assert np.allclose(got, expected, rtol=1e-12)
