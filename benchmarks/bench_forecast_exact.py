"""Benchmark: forecast dates and ten-year monthly bands in closed form, against a plain loop.

Run: python benchmarks/bench_forecast_exact.py [--draws 1000000] [--repeat 5]

In one run on this machine, on the seed-analysis scenario:
1. the closed form (``run(method="exact")``): the meeting date's percentiles, headroom and
   probabilities, then the reasoning and frontier bands and the share met on 121 months
   (10 years monthly), from scratch each time (scenario evaluated, quadrature, inversion);
2. the anchor, a plain streaming numpy trajectory loop: draw every parameter ``--draws``
   times (the scenario's own draws), meeting dates per draw in closed form, then month by
   month ``min(u, c)`` and the frontier for every draw and ``np.percentile`` over the draws
   (memory: one vector of draws per series at a time);
and prints the ratio anchor / closed form, at ``--draws`` and at a tenth of it (the closed
form has no draws, so its time is flat in the draw count), and the largest differences between
the two (Monte Carlo noise at that draw count).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from flopcast.core import montecarlo
from flopcast.core.dates import month_grid
from flopcast.forecast.draws import draw, quantities
from flopcast.forecast.model import PERCENTILES, load_scenario, run
from flopcast.forecast.trajectory import Lines

MONTHS_YEARS = 10.0


def closed_form(sc) -> tuple[dict, float]:
    start = time.perf_counter()
    res = run(sc, method="exact")
    md = res.meeting_date
    bands = res.bands(MONTHS_YEARS, series=("reasoning", "frontier"))
    out = {"meeting": res._years_after_start(PERCENTILES), "bands": bands, "md": md}
    return out, time.perf_counter() - start


def streaming_loop(sc, n: int) -> tuple[dict, float]:
    montecarlo.SHARED_SCORES.clear()  # each repeat draws its inputs afresh
    start = time.perf_counter()
    lines = Lines.from_draws(draw(quantities(sc), n, seed=0))
    meeting = np.percentile(lines.meeting() - lines.t0, PERCENTILES)
    t = month_grid(lines.t0, MONTHS_YEARS)
    reasoning, frontier = [], []
    for x in t:
        u = lines.r0 + lines.inv_T * (x - lines.t0)
        c = lines.c0 + lines.g_c * (x - lines.t_c)
        reasoning.append(np.percentile(np.minimum(u, c), PERCENTILES))
        frontier.append(np.percentile(lines.f0 + lines.g_f * (x - lines.t_f0), PERCENTILES))
    out = {"meeting": meeting, "reasoning": np.array(reasoning).T, "frontier": np.array(frontier).T}
    return out, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sc = load_scenario("seed-analysis")
    exact, t_exact = min((closed_form(sc) for _ in range(args.repeat)), key=lambda r: r[1])
    print(f"closed form: dates + {len(exact['bands']['t'])} monthly bands: {t_exact * 1e3:.2f} ms")
    for n in (args.draws // 10, args.draws):
        loop, t_loop = min(
            (streaming_loop(sc, n) for _ in range(max(1, args.repeat // 2))), key=lambda r: r[1]
        )
        d_dates = np.max(np.abs(np.array(exact["meeting"]) - loop["meeting"])) * 365.25
        d_band = max(
            np.max(np.abs(np.array([exact["bands"][k][p] for p in PERCENTILES]) - loop[k]))
            for k in ("reasoning", "frontier")
        )
        print(
            f"streaming numpy loop, {n:,} draws: {t_loop * 1e3:.0f} ms; "
            f"ratio loop / closed form = {t_loop / t_exact:,.0f}x; "
            f"largest difference {d_dates:.2f} days, {d_band:.1e} OOM (MC noise)"
        )


if __name__ == "__main__":
    main()
