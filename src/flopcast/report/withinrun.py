"""The report's test of the seed's premise: score against RL compute *within one run*.

For every shipped within-run curve (``data/scenarios/curves``, :mod:`flopcast.forecast.fitcurves`)
the log-linear slope per 10x RL compute with its bootstrap interval, and the comparison of the
log-linear and ScaleRL's saturating form by held-out error, AIC and BIC: the numbers
``flopcast fit --curve NAME`` prints, laid out as report blocks. The across-models regression
(:func:`flopcast.report.gather.scores`) stays an exploratory view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flopcast.core import fmt
from flopcast.forecast import fit
from flopcast.forecast.fitcurves import CURVE_DIR, read_curve

__all__ = ["BOOTSTRAP", "blocks", "gather"]

BOOTSTRAP = 200  # refits for the slope's interval, as `flopcast fit --curve` by default


def gather(seed: int = 0, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """One entry per shipped curve (or per name given): slope, interval, the two forms compared."""
    chosen = names if names is not None else sorted(p.stem for p in CURVE_DIR.glob("*.yaml"))
    out = []
    for name in chosen:
        c = read_curve(name)
        line = fit.LogLinearFit(n_boot=BOOTSTRAP, seed=seed)
        line.fit(c.flop, c.score, sx=c.sx)
        lo, hi = line.interval("slope", 0.9)
        forms = [fit.LogLinearFit(seed=seed), fit.SaturatingFit(ceiling=c.max_score, seed=seed)]
        rows = fit.compare(c.flop, c.score, forms, seed=seed, sx=c.sx)
        out.append(
            {
                "curve": c.name,
                "benchmark": c.benchmark,
                "setting": c.setting,
                "source": c.source,
                "points": len(c.flop),
                "compute": [float(c.flop[0]), float(c.flop[-1])],
                "cumulative": c.cumulative,
                "slope_per_10x": {"value": line.slope_, "interval": [lo, hi], "level": 0.9},
                "comparison": [
                    {k: r[k] for k in ("model", "n_params", "cv_rmse", "aic", "bic", "params")}
                    for r in rows
                ],
            }
        )
    return out


def blocks(within: Sequence[Mapping[str, Any]] | None) -> list[tuple[Any, ...]]:
    """The report's section for the within-run fits (nothing when none was gathered)."""
    if not within:
        return []
    out: list[tuple[Any, ...]] = [
        ("h2", "Within one run: the seed's premise"),
        (
            "p",
            "The seed analysis assumes accuracy grows roughly log-linearly with RL compute "
            "within a run. Each curve below is one run's published training curve read off "
            "its figure (`flopcast fit --curve NAME`); the across-models view further down is "
            "exploratory only.",
        ),
    ]
    for w in within:
        s = w["slope_per_10x"]
        lo_c, hi_c = w["compute"]
        how = (
            "cumulative RL compute, the recipe's step count at the run's response length by step"
            if w["cumulative"]
            else "RL compute"
        )
        rows = w["comparison"]
        best = rows[0]["model"]  # compare() sorts by held-out error
        aic = min(rows, key=lambda r: r["aic"])["model"]
        bic = min(rows, key=lambda r: r["bic"])["model"]
        out.append(
            (
                "p",
                f"{w['curve']} ({w['benchmark']}, {w['setting']}; {w['points']} points, x: "
                f"{how}, {fmt.number(lo_c)} to {fmt.number(hi_c)} FLOP; source {w['source']}): "
                f"{fmt.number(s['value'])} points per 10x RL compute (90% interval "
                f"{fmt.number(s['interval'][0])} to {fmt.number(s['interval'][1])}). "
                f"Lower held-out error: {best}; lower AIC: {aic}; lower BIC: {bic}.",
            )
        )
        out.append(
            (
                "table",
                ["Form", "Parameters", "Held-out RMSE (points)", "AIC", "BIC"],
                [
                    [
                        r["model"],
                        str(r["n_params"]),
                        fmt.number(r["cv_rmse"]),
                        f"{r['aic']:.1f}",
                        f"{r['bic']:.1f}",
                    ]
                    for r in w["comparison"]
                ],
            )
        )
    return out
