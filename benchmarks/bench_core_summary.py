"""Benchmark: a sampled summary with contributions against the same summary without them.

Run on demand (``python benchmarks/bench_core_summary.py``). Issue 13 measured 4.5x before:
``contributions()`` drew everything again. Now contributions read the inputs' normal scores
cached with the draws, so the ratio is the cost of the correlation ratios alone. Anchors, in
this same run: the summary without contributions, and hand-written numpy drawing the same
inputs once.
"""

from __future__ import annotations

import math
import time

import numpy as np

import flopcast as fc
from flopcast.core import montecarlo

N = 1_000_000
Z95 = 1.6448536269514722


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def quantity() -> fc.Uncertain:
    # log-uniform and a difference: neither exact nor closed form, so it is sampled
    return fc.ci(1e23, 1e24, name="a") * fc.between(1, 10, name="b") - fc.point(1e22, "floor")


def with_contributions() -> dict:
    montecarlo.SHARED_SCORES.clear()  # each timed call draws its inputs, as the anchor does
    return quantity().summary(n=N, contributions=True)


def without_contributions() -> dict:
    montecarlo.SHARED_SCORES.clear()
    return quantity().summary(n=N, contributions=False)


def numpy_draws() -> tuple:
    from scipy.special import ndtr  # the anchor's own normal CDF

    rng_a = np.random.default_rng(1)
    rng_b = np.random.default_rng(2)
    sa = math.log(10) / (2 * Z95)
    a = np.exp(math.log(math.sqrt(1e47)) + sa * rng_a.standard_normal(N))
    b = np.exp(math.log(10) * ndtr(rng_b.standard_normal(N)))
    x = a * b - 1e22
    return float(np.median(x)), float(x.mean())


def main() -> None:
    with_contributions()  # warm imports
    t_with = best_of(with_contributions)
    t_without = best_of(without_contributions)
    t_np = best_of(numpy_draws)
    ratio = t_with / t_without
    print(f"summary with contributions    {t_with * 1e3:8.1f}ms")
    print(f"summary without contributions {t_without * 1e3:8.1f}ms  ratio {ratio:.2f}x")
    print(
        f"hand-written numpy draws      {t_np * 1e3:8.1f}ms  flopcast without / numpy "
        f"{t_without / t_np:.2f}x"
    )
    print(
        f"{'ok' if ratio < 2.5 else 'MISSED'} (target < 2.5x): contributions reuse the draws "
        "(before: 4.5x, a second sampling)"
    )


if __name__ == "__main__":
    main()
