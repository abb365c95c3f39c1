"""Benchmark: flopcast's Uncertain against squigglepy, hand-written numpy and plain floats.

Run on demand (``python benchmarks/bench_uncertain.py``); every figure is a ratio against
anchors measured in this same process, so a noisy machine affects both sides alike.

Targets (issue 13):
* exact path: a product estimate >= 5,000x faster than squigglepy drawing 1e6 samples, and
  within 10x of the same arithmetic in plain floats;
* sum and mixture quantiles (closed form: quadrature and CDF inversion) >= 20x faster than
  squigglepy at 1e6 samples (their agreement with 1e7-draw Monte Carlo is a test,
  tests/test_closedform.py).
Each side produces the same summary: median, mean, 5th and 95th percentiles (flopcast's
``summary`` gives p25/p75 and the interval too).
"""

from __future__ import annotations

import math
import time

import numpy as np

import flopcast as fc

N = 1_000_000
Z95 = 1.6448536269514722


def best_of(fn, repeat: int = 5, number: int = 1) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def interleaved(f, g, rounds: int, number: int) -> tuple[float, float]:
    """Best per-call times of ``f`` and ``g`` measured in alternating batches, so that a noisy
    machine's slow spells hit both sides alike."""
    tf, tg = [], []
    for _ in range(rounds):
        tf.append(best_of(f, 1, number))
        tg.append(best_of(g, 1, number))
    return min(tf), min(tg)


def summary(x: np.ndarray) -> tuple:
    p5, p50, p95 = np.percentile(x, [5, 50, 95])
    return p50, x.mean(), p5, p95


def flopcast_exact() -> tuple:
    # fresh objects each time: no caches help
    q = fc.point(140e3) * 3600 * 9.89e14 * fc.ci(0.1, 0.4) / fc.ci(1, 3)
    return q.median(), q.mean(), q.percentile(5), q.percentile(95)


def floats_exact() -> tuple:
    """The same product in plain floats: log-space location and spread, then four numbers."""
    s1 = (math.log(0.4) - math.log(0.1)) / (2 * Z95)
    s2 = (math.log(3) - math.log(1)) / (2 * Z95)
    m = math.log(140e3 * 3600 * 9.89e14) + (math.log(0.1) + math.log(0.4)) / 2
    m -= (math.log(1) + math.log(3)) / 2
    s = math.hypot(s1, s2)
    return math.exp(m), math.exp(m + s * s / 2), math.exp(m - Z95 * s), math.exp(m + Z95 * s)


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
    import squigglepy as sq  # the anchor; only this script needs it

    def squiggle_exact() -> tuple:
        q = 140e3 * 3600 * 9.89e14 * sq.to(0.1, 0.4) / sq.to(1, 3)
        return summary(np.asarray(sq.sample(q, n=N, verbose=False)))

    def squiggle_sum() -> tuple:
        return summary(
            np.asarray(sq.sample(sq.to(1e23, 1e24) + sq.to(3e23, 3e24), n=N, verbose=False))
        )

    def squiggle_mix() -> tuple:
        q = sq.mixture([sq.to(1e23, 1e24), sq.to(3e23, 3e24)], [0.3, 0.7])
        return summary(np.asarray(sq.sample(q, n=N, verbose=False)))

    flopcast_sum(), flopcast_mix()  # warm the lazy scipy import
    t_fc, t_fl = interleaved(flopcast_exact, floats_exact, rounds=15, number=2000)
    t_sq = best_of(squiggle_exact, 3)
    print(f"{'case':26} {'flopcast':>11} {'anchor':>22} {'ratio':>10}  verdict")
    ok = t_sq / t_fc >= 5000
    print(
        f"{'exact product':26} {t_fc * 1e6:9.1f}us {'squigglepy 1e6':>14} {t_sq * 1e3:5.0f}ms "
        f"{t_sq / t_fc:9.0f}x  {'ok' if ok else 'MISSED'} (target >= 5,000x faster)"
    )
    ok = t_fc / t_fl <= 10
    print(
        f"{'exact product':26} {t_fc * 1e6:9.1f}us {'plain floats':>14} {t_fl * 1e6:5.2f}us "
        f"{t_fc / t_fl:9.1f}x  {'ok' if ok else 'MISSED'} (target <= 10x slower)"
    )
    for label, f_fc, f_sq, f_np in (
        ("sum quantiles", flopcast_sum, squiggle_sum, numpy_sum),
        ("mixture quantiles", flopcast_mix, squiggle_mix, numpy_mix),
    ):
        t_fc, t_sq, t_np = best_of(f_fc, 7, 5), best_of(f_sq, 3), best_of(f_np, 3)
        ok = t_sq / t_fc >= 20
        print(
            f"{label:26} {t_fc * 1e3:9.2f}ms {'squigglepy 1e6':>14} {t_sq * 1e3:5.0f}ms "
            f"{t_sq / t_fc:9.0f}x  {'ok' if ok else 'MISSED'} (target >= 20x faster)"
        )
        print(
            f"{label:26} {t_fc * 1e3:9.2f}ms {'numpy 1e6':>14} {t_np * 1e3:5.0f}ms "
            f"{t_np / t_fc:9.0f}x  (best hand-written sampling, for reference)"
        )
    # Same answers, as a sanity check of the comparison itself.
    print(
        "medians (flopcast closed form, numpy 1e6):",
        f"sum {flopcast_sum()[0]:.4g} vs {numpy_sum()[0]:.4g};",
        f"mixture {flopcast_mix()[0]:.4g} vs {numpy_mix()[0]:.4g}",
    )


if __name__ == "__main__":
    main()
