"""Monte Carlo percentile bands of the trajectories on a monthly grid, in bounded memory.

Draws lie along rows (one row per month, contiguous), so each month is one in-place sort;
months are evaluated in chunks of at most ``max_bytes`` per array, and time is counted from the
start so that float32 keeps its precision. Used when the scenario has no closed form
(:mod:`flopcast.forecast.exact`) or when ``method="mc"`` is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from flopcast.forecast.trajectory import Lines, reasoning_growth, reasoning_log

BAND_BYTES = 64 * 2**20  # memory budget of one chunk of band columns
_TEMPORARIES = 4  # arrays of one chunk's shape alive at once while it is evaluated

__all__ = ["BAND_BYTES", "band_percentiles"]


def band_percentiles(
    lines: Lines,
    t: np.ndarray,
    names: Iterable[str],
    ps: list[float],
    dtype: type,
    max_bytes: int,
    progress: Callable[[int, int], None] | None,
) -> dict[str, np.ndarray]:
    """Percentiles ``ps`` of each series in ``names`` at each time ``t``: ``{name: (len(ps),
    len(t))}``. Draws lie along rows (one row per month, contiguous), so each month is one
    in-place sort; time is counted from the start, so float32 keeps its precision."""
    n = len(lines.r0)
    s_all = t - lines.t0  # years since the start

    def row(a: Any) -> Any:
        return np.asarray(a, dtype=dtype)[None, :] if np.ndim(a) else dtype(a)

    # each line moved to the start date (in float64), then cast: c(t) = c_start + g_c s
    c_start = row(lines.c0 + lines.g_c * (lines.t0 - lines.t_c))
    f_start = lines.f0 + lines.g_f * (lines.t0 - lines.t_f0)
    r0, inv_T, g_c, g_f, width = (
        row(a) for a in (lines.r0, lines.inv_T, lines.g_c, lines.g_f, lines.width)
    )
    f_row = row(f_start)
    out = {name: np.empty((len(ps), len(t))) for name in names}
    todo = list(names)
    if "frontier" in todo and np.ptp(np.atleast_1d(lines.g_f)) == 0:
        # NB: one slope for every draw: percentiles of f_start + g s are those of f_start plus
        # g s (linear interpolation commutes with a shift), so no month needs sorting
        g = float(np.atleast_1d(lines.g_f)[0])
        start = np.percentile(np.broadcast_to(f_start, (n,)), ps)
        out["frontier"][:] = start[:, None] + g * s_all[None, :]
        todo.remove("frontier")
    if not todo:
        if progress is not None:
            progress(len(t), len(t))
        return out

    # NB: one chunk holds about _TEMPORARIES arrays of step x n values at once
    step = max(1, min(len(t), int(max_bytes // (np.dtype(dtype).itemsize * n * _TEMPORARIES))))
    smooth = bool(np.any(np.asarray(lines.width) > 0))
    # At the kink, reasoning and growth share u(t) and c(t): they are evaluated once per chunk,
    # in place, into buffers allocated once (fresh large arrays cost page faults every time).
    slots = [*(() if smooth else ("u", "c", "growth")), "frontier"]
    buf = dict(zip(slots, np.empty((len(slots), step, n), dtype), strict=True))
    for lo in range(0, len(t), step):
        s: np.ndarray = s_all[lo : lo + step, None].astype(dtype)
        m = len(s)
        chunk: dict[str, np.ndarray] = {}
        if smooth:  # the softmin: the formulas as written
            if "reasoning" in todo:
                r = reasoning_log(s, r0, 0.0, inv_T, c_start, 0.0, g_c, width)
                chunk["reasoning"] = np.array(np.broadcast_to(r, (m, n)), dtype=dtype)
            if "growth" in todo:
                gr = reasoning_growth(s, r0, 0.0, inv_T, c_start, 0.0, g_c, width)
                chunk["growth"] = np.array(np.broadcast_to(gr, (m, n)), dtype=dtype)
        elif "reasoning" in todo or "growth" in todo:
            u = np.multiply(inv_T, s, out=buf["u"][:m])
            u += r0  # u(t) = r0 + s / T
            c = np.multiply(g_c, s, out=buf["c"][:m])
            c += c_start  # c(t) = c_start + g_c s
            if "growth" in todo:  # reasoning_growth at the kink: 1/T before it, g_c from it on
                growth = buf["growth"][:m]
                growth[...] = g_c
                np.copyto(growth, inv_T, where=u < c)
                chunk["growth"] = growth
            if "reasoning" in todo:  # reasoning_log at the kink: min(u, c)
                chunk["reasoning"] = np.minimum(u, c, out=u)
        if "frontier" in todo:  # frontier_log: f(t) = f_start + g_f s
            frontier = np.multiply(g_f, s, out=buf["frontier"][:m])
            frontier += f_row
            chunk["frontier"] = frontier
        for name, values in chunk.items():
            values.sort(axis=1)
            out[name][:, lo : lo + step] = _sorted_percentiles(values, ps)
        del chunk
        if progress is not None:
            progress(min(lo + step, len(t)), len(t))
    return out


def _sorted_percentiles(rows: np.ndarray, ps: list[float]) -> np.ndarray:
    """Percentiles of each sorted row, ``(len(ps), len(rows))``: numpy's default ('linear')
    method, ``h = (n - 1) p / 100`` between order statistics ``floor(h)`` and ``floor(h) + 1``,
    with numpy's lerp (from the upper neighbour when the weight is at least 0.5)."""
    n = rows.shape[1]
    h = (n - 1) * (np.asarray(ps, dtype=float) / 100.0)
    below = np.floor(h).astype(np.intp)
    above = np.minimum(below + 1, n - 1)
    g = (h - below)[:, None]
    a = rows[:, below].T.astype(float)
    b = rows[:, above].T.astype(float)
    diff = b - a
    return np.where(g >= 0.5, b - diff * (1.0 - g), a + diff * g)
