"""Benchmark: flopcast's Uncertain against squigglepy and hand-written numpy, same inputs.

Run on demand (`python benchmarks/bench_uncertain.py`); prints ratios against baselines
measured in this same process, so a noisy machine affects both sides alike.

Targets (issue 2):
* a product/quotient estimate on the exact path >= 100x faster than squigglepy drawing 1e6;
* a Monte Carlo estimate (a sum, a mixture) at 1e6 samples >= 5x faster than squigglepy and
  within 1.5x of hand-written numpy.
Each side produces the same summary: median, mean, 5th and 95th percentiles.
"""

from __future__ import annotations

import math
import time

import numpy as np

import flopcast as fc

N = 1_000_000
Z95 = 1.6448536269514722


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def summary(x: np.ndarray) -> tuple:
    p5, p50, p95 = np.percentile(x, [5, 50, 95])
    return p50, x.mean(), p5, p95


def flopcast_exact() -> tuple:
    # fresh objects each time: no caches help
    q = fc.point(140e3) * 3600 * 9.89e14 * fc.ci(0.1, 0.4) / fc.ci(1, 3)
    return q.median(), q.mean(), q.percentile(5), q.percentile(95)


def flopcast_sum() -> tuple:
    q = fc.ci(1e23, 1e24, name="a") + fc.ci(3e23, 3e24, name="b")
    s = q.summary(n=N, seed=0, contributions=False)
    return s["median"], s["mean"], s["p5"], s["p95"]


def flopcast_mix() -> tuple:
    q = fc.mix([fc.ci(1e23, 1e24, name="a"), fc.ci(3e23, 3e24, name="b")], [0.3, 0.7])
    s = q.summary(n=N, seed=0, contributions=False)
    return s["median"], s["mean"], s["p5"], s["p95"]


def numpy_sum() -> tuple:
    rng = np.random.default_rng(0)
    sa = math.log(10) / (2 * Z95)
    a = np.exp(math.log(math.sqrt(1e23 * 1e24)) + sa * rng.standard_normal(N))
    b = np.exp(math.log(math.sqrt(3e23 * 3e24)) + sa * rng.standard_normal(N))
    return summary(a + b)


def numpy_mix() -> tuple:
    rng = np.random.default_rng(0)
    sa = math.log(10) / (2 * Z95)
    a = np.exp(math.log(math.sqrt(1e23 * 1e24)) + sa * rng.standard_normal(N))
    b = np.exp(math.log(math.sqrt(3e23 * 3e24)) + sa * rng.standard_normal(N))
    pick = rng.random(N) < 0.3
    return summary(np.where(pick, a, b))


def main() -> None:
    import squigglepy as sq

    def squiggle_exact() -> tuple:
        q = 140e3 * 3600 * 9.89e14 * sq.to(0.1, 0.4) / sq.to(1, 3)
        return summary(np.asarray(sq.sample(q, n=N)))

    def squiggle_sum() -> tuple:
        return summary(np.asarray(sq.sample(sq.to(1e23, 1e24) + sq.to(3e23, 3e24), n=N)))

    def squiggle_mix() -> tuple:
        q = sq.mixture([sq.to(1e23, 1e24), sq.to(3e23, 3e24)], [0.3, 0.7])
        return summary(np.asarray(sq.sample(q, n=N)))

    rows = []
    t_fc = best_of(flopcast_exact, 50)
    t_sq = best_of(squiggle_exact, 3)
    rows.append(("exact product/quotient", t_fc, t_sq, None, t_sq / t_fc, 100, None))
    for label, f_fc, f_sq, f_np in (
        ("Monte Carlo sum, 1e6", flopcast_sum, squiggle_sum, numpy_sum),
        ("Monte Carlo mixture, 1e6", flopcast_mix, squiggle_mix, numpy_mix),
    ):
        t_fc, t_sq, t_np = best_of(f_fc), best_of(f_sq, 3), best_of(f_np)
        rows.append((label, t_fc, t_sq, t_np, t_sq / t_fc, 5, t_fc / t_np))
    print(
        f"{'case':28} {'flopcast':>10} {'squigglepy':>11} {'numpy':>9} {'sq/fc':>8} {'fc/numpy':>9}  verdict"
    )
    for label, t_fc, t_sq, t_np, speedup, target, vs_np in rows:
        ok = speedup >= target and (vs_np is None or vs_np <= 1.5)
        print(
            f"{label:28} {t_fc * 1e3:9.2f}ms {t_sq * 1e3:10.1f}ms "
            f"{'-' if t_np is None else f'{t_np * 1e3:.1f}ms':>9} {speedup:7.0f}x "
            f"{'-' if vs_np is None else f'{vs_np:.2f}x':>9}  "
            f"{'ok' if ok else 'MISSED'} (target >= {target}x vs squigglepy"
            f"{'' if vs_np is None else ', <= 1.5x numpy'})"
        )
    # Same answers, as a sanity check of the comparison itself.
    print("medians (flopcast sum, numpy sum):", f"{flopcast_sum()[0]:.4g}", f"{numpy_sum()[0]:.4g}")


if __name__ == "__main__":
    main()
