"""Benchmark: a million-draw Monte Carlo forecast with chunked bands, against a plain loop.

(The closed form, which needs no draws, is measured by bench_forecast_exact.py.)

Run: python benchmarks/bench_forecast.py [--draws 1000000] [--loop-draws 2000]

What it measures, in one run on this machine:
1. drawing the seed-analysis scenario 1e6 times and computing every meeting date in closed
   form (vectorised numpy);
2. percentile bands of reasoning compute, frontier compute and growth over 10 years monthly
   (121 dates), evaluated in chunks of months so memory stays bounded (one sort per month and
   series, float32); then only the two series the report and the dashboard draw;
3. a baseline for the bands: ``np.percentile`` over each month's draws in float64 (what
   ``bands`` did before it sorted), on ``--baseline-months`` months scaled to 121, with the
   largest difference between the two on those months;
4. a baseline for the meeting dates: a plain per-draw Python loop that steps each draw month
   by month until it reaches the cap (meeting date) and records its trajectory, on a subset;
   its time per draw is scaled to the full count and printed as ratios: against the
   closed-form meeting dates, and against dates plus bands (the loop computes no percentiles,
   so that ratio flatters it).
Peak memory is traced with tracemalloc (numpy allocations included) and the process's peak
RSS from resource.getrusage.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
import tracemalloc

import numpy as np

from flopcast.core import montecarlo
from flopcast.forecast.model import PERCENTILES, load_scenario, run


def loop_baseline(lines, count: int, years: float = 10.0) -> tuple[list[float], float]:
    """Per draw: step month by month, record log10 compute, note the first month at the cap."""
    start = time.perf_counter()
    meetings = []
    months = int(years * 12)
    for i in range(count):
        r0, inv_T = float(lines.r0[i]), float(lines.inv_T[i])
        c0, g_c = float(lines.c0[i]), float(lines.g_c[i])
        path = []
        met = math.inf
        for m in range(months + 1):
            t = lines.t0 + m / 12
            u = r0 + inv_T * (t - lines.t0)
            c = c0 + g_c * (t - lines.t_c)
            if u >= c and met == math.inf:
                met = t
            path.append(min(u, c))
        meetings.append(met)
    return meetings, time.perf_counter() - start


def percentile_baseline(res, months: int) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """The bands the plain way: every series at ``months`` months, ``np.percentile`` along the
    draws in float64, one month at a time (memory: one n-vector per series); seconds per series."""
    t = res.lines.t0 + np.arange(months) / 12.0
    out, seconds = {}, {}
    for name in ("reasoning", "frontier", "growth"):
        start = time.perf_counter()
        fn = getattr(res.lines, name)
        cols = [np.percentile(fn(np.array([x]))[:, 0], PERCENTILES) for x in t]
        out[name] = np.array(cols).T  # percentiles x months
        seconds[name] = time.perf_counter() - start
    return out, seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--loop-draws", type=int, default=2_000)
    ap.add_argument("--chunk-mb", type=float, default=64.0)
    ap.add_argument("--baseline-months", type=int, default=12)
    args = ap.parse_args()

    sc = load_scenario("seed-analysis")
    tracemalloc.start()
    t0 = time.perf_counter()
    montecarlo.SHARED_SCORES.clear()  # the inputs drawn as in a fresh process
    res = run(sc, n=args.draws, seed=0, method="mc")
    _ = res.meeting_years  # the draws are made on first use
    t_meet = time.perf_counter() - t0
    t1 = time.perf_counter()
    bands = res.bands(10, max_bytes=int(args.chunk_mb * 2**20))
    t_bands = time.perf_counter() - t1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    montecarlo.SHARED_SCORES.clear()
    res_two = run(sc, n=args.draws, seed=0, method="mc")
    t2 = time.perf_counter()
    res_two.bands(10, series=("reasoning", "frontier"), max_bytes=int(args.chunk_mb * 2**20))
    t_two = time.perf_counter() - t2
    months = min(args.baseline_months, len(bands["t"]))
    base, t_series = percentile_baseline(res, months)
    scale = len(bands["t"]) / months
    t_base = sum(t_series.values())
    t_base_full = t_base * scale
    t_base_two = (t_series["reasoning"] + t_series["frontier"]) * scale
    diff = max(
        float(np.max(np.abs(np.array([bands[k][p][:months] for p in PERCENTILES]) - base[k])))
        for k in base
    )

    n_loop = min(args.loop_draws, args.draws)
    meetings, t_loop = loop_baseline(res.lines, n_loop)
    # the loop's month grid finds the first month at or past the closed-form date
    closed = res.meeting_years[:n_loop]
    agree = np.all(np.asarray(meetings) - closed <= 1 / 12 + 1e-9) and np.all(
        np.asarray(meetings) >= closed - 1e-9
    )
    loop_full = t_loop / n_loop * args.draws
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB

    print(f"draws                      {args.draws:,}")
    print(f"meeting dates (closed form) {t_meet:8.2f} s  (includes drawing the scenario)")
    print(f"bands, 121 months x 3       {t_bands:8.2f} s  chunks of {args.chunk_mb:g} MB")
    print(f"bands, reasoning + frontier {t_two:8.2f} s  (what the report and the page draw)")
    print(
        f"np.percentile per month      {t_base:8.2f} s for {months} months x 3 "
        f"-> {t_base_full:,.1f} s scaled to {len(bands['t'])}"
    )
    print(f"ratio, bands x 3: np.percentile / ours              {t_base_full / t_bands:8.1f}x")
    print(f"ratio, reasoning + frontier: np.percentile / ours   {t_base_two / t_two:8.1f}x")
    print(f"largest band difference from np.percentile: {diff:.1e} OOM (float32 rounding)")
    print(
        f"peak traced memory          {peak / 2**20:8.1f} MB  "
        f"(draws alone: {args.draws * 8 * 10 / 2**20:.0f} MB for 10 arrays)"
    )
    print(f"peak RSS of the process     {rss_mb:8.1f} MB")
    print(
        f"per-draw Python loop        {t_loop:8.2f} s for {n_loop:,} draws "
        f"-> {loop_full:,.0f} s scaled to {args.draws:,}"
    )
    print(f"ratio, meeting dates: loop / closed form            {loop_full / t_meet:8.0f}x")
    print(
        f"ratio, loop (dates + paths, no percentiles) / ours (dates + bands) "
        f"{loop_full / (t_meet + t_bands):6.1f}x"
    )
    print(f"loop agrees with closed form (within one month): {bool(agree)}")
    print(
        f"median meeting date {res.meeting_date['median']}, "
        f"90% {res.meeting_date['p5']} - {res.meeting_date['p95']}; "
        f"median reasoning compute 10 years on: 1e{bands['reasoning'][50][-1]:.1f} FLOP"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
