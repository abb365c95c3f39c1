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
from flopcast.forecast.fitcurves import curve_names, fit_within_run

__all__ = ["blocks", "gather"]


def gather(seed: int = 0, names: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """One entry per shipped curve (or per name given): slope, interval, the two forms compared.

    The numbers of :func:`flopcast.forecast.fitcurves.fit_within_run`, without the saturating
    form's bootstrap (the report states its fit and comparison, not its intervals)."""
    chosen = names if names is not None else curve_names()
    keep = ("n_params", "cv_rmse", "aic", "bic", "params")
    out = []
    for name in chosen:
        # NB: the slope's bootstrap at fit_within_run's default, as `flopcast fit --curve`
        w = fit_within_run(name, seed=seed, saturating_intervals=False)
        out.append(
            {
                "curve": w["curve"],
                "benchmark": w["benchmark"],
                "setting": w["setting"],
                "source": w["source"],
                "points": w["points"],
                "compute": w["compute"],
                "cumulative": w["cumulative_compute"],
                "x_basis": w["x_basis"],
                "slope_per_10x": w["slope_per_10x"],
                "comparison": [
                    {"model": r["model"], **{k: r[k] for k in keep}} for r in w["comparison"]
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
        rows = w["comparison"]
        best = rows[0]["model"]  # compare() sorts by held-out error
        aic = min(rows, key=lambda r: r["aic"])["model"]
        bic = min(rows, key=lambda r: r["bic"])["model"]
        out.append(
            (
                "p",
                f"{w['curve']} ({w['benchmark']}, {w['setting']}; {w['points']} points, x: RL "
                f"compute, {w['x_basis']}, {fmt.interval(lo_c, hi_c, sep=' to ')} FLOP; source "
                f"{w['source']}): "
                f"{fmt.number(s['value'])} points per 10x RL compute (90% interval "
                f"{fmt.interval(s['interval'][0], s['interval'][1], sep=' to ')}). "
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
